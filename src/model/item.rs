//! Backlog items: the agents of the model. An item's world attributes (theme, kind, true
//! value, urgency, size, estimate error, ambiguity, beliefs) are drawn from streams keyed by
//! its id, one stream per attribute ([`Attr`]), and continuous distributions by inversion
//! where it has a closed or numerical form: it is the same item in every scenario of a
//! comparison, and changing how one attribute is distributed leaves every other draw alone.

use super::compiled::Model;
use crate::random::{keyed_from, Keyed, RunKeys, Source};
use crate::scenario::Sampler;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Feature,
    Enabler,
    /// Unplanned bug work from a defect found later or in production.
    Bug,
    /// Redo of a wrong build; it carries the original item's value.
    Redo,
}

/// Cost-of-delay profile: how value depends on the delay of release.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Urgency {
    /// Delay only shifts value.
    Standard,
    /// Value × e^(−rate · delay).
    Decaying,
    /// Value × e^(−delay / scale), flowing only for a window of sprints.
    ShortWindow,
    /// Value × late_factor if released after the deadline (a 0-based sprint index).
    FixedDate { deadline: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Waiting,
    InProgress,
    Done,
}

/// Most questions an item can raise (Poisson counts above this are capped).
pub const MAX_QUESTIONS: usize = 16;

/// Ids at or above this are not world items (bugs, redo, injected, split parts, risk items).
pub const INTERNAL_ID: u64 = 1 << 40;

#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
pub struct BacklogItem {
    // Hot fields first, in the item's first cache line (`repr(C)` keeps this order and
    // `align(64)` starts every item on a line): the passes over the order (rescoring,
    // refinement, planning, the lanes' pull), churn and release read only this line, not
    // five lines scattered over a 330-byte item. Performance only: no result depends on it.
    pub status: Status,
    pub ready: bool,
    /// Unplanned work that goes to the top of the order.
    pub top: bool,
    pub in_scope: bool,
    /// The PO knows this scope item is on the release roadmap (learnt at hand-overs).
    pub on_roadmap: bool,
    pub kind: ItemKind,
    pub lane: u8,
    pub split_checked: bool,
    pub theme: u16,
    pub quality_checked: bool,
    pub wrong_build: bool,
    /// Sprint (0-based) in which the item entered the backlog.
    pub created: u32,
    /// Sprint (0-based) in which a conflict dropped the item from work in progress
    /// ([`NOT_DROPPED`] if never): it leaves that sprint's work and waits for a planning.
    pub dropped_in: u32,
    pub finish_sprint: u32,
    pub score: f64,
    /// The team's estimate Ŝ_i.
    pub estimate: f64,
    /// The PO's perception of the value.
    pub perceived: f64,
    pub blocked_until: f64,
    /// `RunKeys::subject_key(Churn, id)` (see [`BacklogItem::set_draw_keys`]): churn draws
    /// one number per waiting item per sprint.
    pub churn_key: u64,
    // The second line: what planning's points, ranking τ's truth and work read.
    /// Estimate points committed for this item at this sprint's planning (0 if not committed).
    pub committed_points: f64,
    pub ambiguity: f64,
    /// True value A_i per unit of theme weight per sprint.
    pub value: f64,
    /// True work in story points.
    pub size: f64,
    pub urgency: Urgency,
    /// `RunKeys::subject_key(Planning, id)`: planning may draw for an item every sprint.
    pub plan_key: u64,
    pub remaining: f64,
    pub work_done: f64,
    // The third: what recording a run reads besides (id, lead and cycle times).
    pub id: u64,
    pub start_hour: f64,
    pub finish_hour: f64,
    pub blocked_hours: f64,
    // The rest: world draws, perception, questions and rework.
    /// The PM's own perception of the value (used when the PM overrides the order).
    pub pm_perceived: f64,
    /// The normal scores behind the perceived values ([`Model::perceive_scores`]): of the
    /// true value, of the PO's belief and of the PM's (the positive beliefs B themselves,
    /// world draws, are not kept: [`BacklogItem::beliefs`]). World quantities, computed once
    /// per world item.
    pub z_value: f64,
    pub z_belief: f64,
    pub z_pm_belief: f64,
    /// The bits of the value skill ρ that `perceived` and `pm_perceived` were made for
    /// ([`NOT_PERCEIVED`] if none): scenarios of one world with the same ρ perceive a world
    /// item alike, so the world's copy keeps what the last of them saw.
    pub perceived_for: u64,
    /// The team's estimate with estimation error (world draw; the oracle uses the size).
    pub noisy_estimate: f64,
    /// Uniform that fixes the question count by inversion once ambiguity at start is known.
    pub question_draw: f64,
    /// Fix points of in-sprint defects added to `remaining`; rework once the item is done.
    pub fix_points: f64,
    /// Points worked on wrong guesses (§13.1a of docs/model.md) added to `remaining`; rework
    /// once the item is done, forgotten with the build if it is dropped.
    pub guess_rework: f64,
    /// The hour the last question worked on a guess is answered: the item is not done before.
    pub answer_at: f64,
    pub question_at: [f32; MAX_QUESTIONS],
    /// For a redo: index of the wrong-built original.
    pub redo_of: u32,
    pub questions: u8,
    pub next_question: u8,
    /// The item's place on its sprint's work list when it last went into a lane (kept by the
    /// engine's lanes, which test it before they trust it); meaningless for other items.
    pub list_place: u8,
}

pub const NO_LANE: u8 = u8::MAX;

/// [`BacklogItem::perceived_for`] of an item not perceived yet (no f64's bits: a NaN
/// pattern arithmetic does not make).
pub const NOT_PERCEIVED: u64 = u64::MAX;

/// [`BacklogItem::dropped_in`] of an item never dropped by a conflict.
pub const NOT_DROPPED: u32 = u32::MAX;

/// The keyed stream of each world attribute of an item (the `sub` of
/// `RunKeys::keyed(Source::ItemAttributes, id, sub)`): each draw has its own stream, so no
/// attribute's draw depends on how many numbers another one used.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
enum Attr {
    Theme = 0,
    Kind = 1,
    ValueClass = 2,
    Magnitude = 3,
    Urgency = 4,
    Deadline = 5,
    Size = 6,
    Ambiguity = 7,
    Estimate = 8,
    Belief = 9,
    PmBelief = 10,
    Questions = 11,
}

const FIBONACCI: [f64; 7] = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0];

/// The Fibonacci value nearest to `x` on a log scale (planning-poker rounding), the first
/// of two as near. The distances fall and then rise along the values (ln x − ln f falls
/// with f, by at least 0.47 a step, far above its rounding), so the scan stops at the first
/// that does not fall.
pub fn fibonacci_round(x: f64) -> f64 {
    let ln_x = x.max(1e-9).ln();
    let mut best = FIBONACCI[0];
    let mut dist = f64::INFINITY;
    for f in FIBONACCI {
        let d = (ln_x - f.ln()).abs();
        if d >= dist {
            break;
        }
        dist = d;
        best = f;
    }
    best
}

impl BacklogItem {
    fn blank(id: u64, created: u32) -> BacklogItem {
        BacklogItem {
            id,
            kind: ItemKind::Feature,
            theme: 0,
            urgency: Urgency::Standard,
            value: 0.0,
            perceived: 0.0,
            pm_perceived: 0.0,
            z_value: 0.0,
            z_belief: 0.0,
            z_pm_belief: 0.0,
            perceived_for: NOT_PERCEIVED,
            noisy_estimate: 0.0,
            size: 0.0,
            estimate: 0.0,
            ambiguity: 0.0,
            created,
            status: Status::Waiting,
            ready: true,
            in_scope: false,
            on_roadmap: false,
            top: false,
            remaining: 0.0,
            work_done: 0.0,
            start_hour: 0.0,
            finish_hour: 0.0,
            finish_sprint: 0,
            blocked_until: 0.0,
            blocked_hours: 0.0,
            question_draw: 0.0,
            questions: 0,
            next_question: 0,
            list_place: 0,
            question_at: [0.0; MAX_QUESTIONS],
            quality_checked: false,
            dropped_in: NOT_DROPPED,
            wrong_build: false,
            split_checked: false,
            lane: NO_LANE,
            committed_points: 0.0,
            score: 0.0,
            redo_of: u32::MAX,
            fix_points: 0.0,
            guess_rework: 0.0,
            answer_at: 0.0,
            churn_key: 0,
            plan_key: 0,
        }
    }

    /// A new backlog item with its world attributes drawn from its own keyed stream, as
    /// `model` sees it.
    pub fn new(id: u64, created: u32, model: &Model, keys: &RunKeys) -> BacklogItem {
        let mut item = Self::world(id, created, model, keys);
        item.perceive(model);
        item
    }

    /// The beliefs of the PO and of the PM about world item `id`'s value, as its world draw
    /// made them (for tests: the item keeps only their normal scores).
    #[cfg(test)]
    pub fn beliefs(id: u64, model: &Model, keys: &RunKeys) -> (f64, f64) {
        beliefs(keys.subject_key(Source::ItemAttributes, id), model)
    }

    /// The item as the world has it: everything drawn from its keyed stream. Scenarios that
    /// share a world share these; [`BacklogItem::perceive`] adds what a scenario makes of it.
    pub fn world(id: u64, created: u32, model: &Model, keys: &RunKeys) -> BacklogItem {
        let key = keys.subject_key(Source::ItemAttributes, id);
        Self::world_with(id, key, created, model, keys, ambiguity_from(key, model))
    }

    /// The world items `id` and `id + 1`, created in `created` and `created_next`: the same
    /// items as [`BacklogItem::world`] makes one by one, with their ambiguities drawn side by
    /// side (a Beta quantile's Newton steps are long chains of dependent operations; two
    /// at once keep the processor busier).
    pub fn world_pair(
        id: u64,
        created: u32,
        created_next: u32,
        model: &Model,
        keys: &RunKeys,
    ) -> [BacklogItem; 2] {
        let key = keys.subject_key(Source::ItemAttributes, id);
        let key_next = keys.subject_key(Source::ItemAttributes, id + 1);
        let (x, y) = match &model.ambiguity {
            Sampler::Beta(_, q) => {
                let p = keyed_from(key, Attr::Ambiguity as u64).unit();
                let p_next = keyed_from(key_next, Attr::Ambiguity as u64).unit();
                let (x, y) = q.at2(p, p_next);
                (x.clamp(0.0, 1.0), y.clamp(0.0, 1.0))
            }
            _ => (ambiguity_from(key, model), ambiguity_from(key_next, model)),
        };
        [
            Self::world_with(id, key, created, model, keys, x),
            Self::world_with(id + 1, key_next, created_next, model, keys, y),
        ]
    }

    /// [`BacklogItem::world`] given the item's key (`subject_key(ItemAttributes, id)`) and its
    /// ambiguity (drawn from its own stream: which comes first changes no draw).
    #[inline]
    fn world_with(
        id: u64,
        key: u64,
        created: u32,
        model: &Model,
        keys: &RunKeys,
        ambiguity: f64,
    ) -> BacklogItem {
        let b = &model.scenario.backlog;
        let unit = |a: Attr| keyed_from(key, a as u64).unit();
        let normal = |a: Attr| keyed_from(key, a as u64).normal();
        let mut item = Self::work_with(id, key, created, model, keys, ambiguity);
        item.kind = if unit(Attr::Kind) < b.enabler_share {
            ItemKind::Enabler
        } else {
            ItemKind::Feature
        };
        let class = unit(Attr::ValueClass);
        let magnitude = (b.value_sigma * normal(Attr::Magnitude)).exp();
        item.value = if class < b.positive_value_share {
            magnitude
        } else if class < b.positive_value_share + b.zero_value_share {
            0.0
        } else {
            -b.negative_value_factor * magnitude
        };
        if item.kind == ItemKind::Enabler {
            item.value *= b.enabler_value_factor;
        }
        let (belief, pm_belief) = beliefs(key, model);
        item.z_value = model.value_score(item.value, item.kind == ItemKind::Enabler);
        item.z_belief = model.belief_score(belief);
        item.z_pm_belief = model.belief_score(pm_belief);
        item
    }

    /// The world draws of an item that unplanned work keeps (theme, urgency, size,
    /// ambiguity, estimate, questions; not kind, value and beliefs), each from its own
    /// stream: the same values as [`BacklogItem::world_with`]'s.
    #[inline]
    fn work_with(
        id: u64,
        key: u64,
        created: u32,
        model: &Model,
        keys: &RunKeys,
        ambiguity: f64,
    ) -> BacklogItem {
        let b = &model.scenario.backlog;
        let unit = |a: Attr| keyed_from(key, a as u64).unit();
        let normal = |a: Attr| keyed_from(key, a as u64).normal();
        let mut item = BacklogItem::blank(id, created);
        item.theme = ((unit(Attr::Theme) * model.scenario.market.themes as f64) as u16)
            .min(model.scenario.market.themes as u16 - 1);
        let u = &b.urgency;
        let pick = unit(Attr::Urgency);
        let deadline_draw = unit(Attr::Deadline);
        item.urgency = if pick < u.standard {
            Urgency::Standard
        } else if pick < u.standard + u.decaying {
            Urgency::Decaying
        } else if pick < u.standard + u.decaying + u.short_window {
            Urgency::ShortWindow
        } else {
            let span = (u.deadline_max - u.deadline_min + 1) as f64;
            Urgency::FixedDate {
                deadline: created
                    + u.deadline_min
                    + ((deadline_draw * span) as u32).min(u.deadline_max - u.deadline_min),
            }
        };
        item.size =
            draw(&model.size, &mut keyed_from(key, Attr::Size as u64)).clamp(0.0, b.max_size);
        item.ambiguity = ambiguity;
        let z_estimate = normal(Attr::Estimate);
        let sigma = b.estimate_sigma + b.estimate_sigma_per_ambiguity * item.ambiguity;
        let ratio = (model.ln_estimate_bias + sigma * z_estimate).exp();
        let e = item.size / ratio;
        item.noisy_estimate = if b.fibonacci { fibonacci_round(e) } else { e };
        item.question_draw = unit(Attr::Questions);
        item.remaining = item.size;
        item.set_draw_keys(keys);
        item
    }

    /// Cache the subject keys of the draws made for this item every sprint.
    #[inline]
    pub fn set_draw_keys(&mut self, keys: &RunKeys) {
        self.churn_key = keys.subject_key(Source::Churn, self.id);
        self.plan_key = keys.subject_key(Source::Planning, self.id);
    }

    /// What the scenario's people make of a world item: estimate, perceived values, readiness.
    #[inline]
    pub fn perceive(&mut self, model: &Model) {
        self.estimate = if model.exact_estimates {
            self.size
        } else {
            self.noisy_estimate
        };
        // The perceived values depend on the world's parameters (the same for every scenario
        // of the world) and on ρ.
        let rho = model.scenario.po.value_skill.to_bits();
        if self.perceived_for != rho {
            self.perceived = model.perceive_scores(self.value, self.z_value, self.z_belief);
            self.pm_perceived = model.perceive_scores(self.value, self.z_value, self.z_pm_belief);
            self.perceived_for = rho;
        }
        self.ready = model.all_ready || self.ambiguity <= model.scenario.backlog.ready_threshold;
    }

    /// A ready standard-urgency feature of theme 0 with true (and perceived) value `value`
    /// and exact size and estimate `size`: for tests of the ordering rules (e.g. Smith's
    /// rule on [`crate::model::roles::true_score`]), not used by the engine.
    pub fn for_test(id: u64, value: f64, size: f64) -> BacklogItem {
        let mut item = BacklogItem::blank(id, 0);
        item.value = value;
        item.perceived = value;
        item.pm_perceived = value;
        item.size = size;
        item.estimate = size;
        item.remaining = size;
        item
    }

    /// Unplanned work at the top of the order: a bug fix of `points`.
    pub fn bug(id: u64, created: u32, points: f64) -> BacklogItem {
        let mut item = BacklogItem::blank(id, created);
        item.kind = ItemKind::Bug;
        item.size = points;
        item.estimate = points;
        item.remaining = points;
        item.top = true;
        item
    }

    /// The redo of a wrong build: a share of the work, at the top, carrying the value.
    pub fn redo(
        original: &BacklogItem,
        original_index: u32,
        id: u64,
        created: u32,
        share: f64,
        refinement_factor: f64,
    ) -> BacklogItem {
        let mut item = *original;
        item.id = id;
        item.kind = ItemKind::Redo;
        item.size = original.size * share;
        item.estimate = original.estimate * share;
        item.remaining = item.size;
        item.work_done = 0.0;
        item.ambiguity = original.ambiguity * refinement_factor;
        item.status = Status::Waiting;
        item.ready = true;
        item.top = true;
        item.quality_checked = false;
        item.dropped_in = NOT_DROPPED;
        item.wrong_build = false;
        item.questions = 0;
        item.next_question = 0;
        item.blocked_hours = 0.0;
        item.blocked_until = 0.0;
        item.lane = NO_LANE;
        item.committed_points = 0.0;
        item.redo_of = original_index;
        item.created = created.min(original.created);
        item
    }

    /// Unplanned work (a conflicting directive, a risk that struck): it goes to the top of the
    /// order, is ready, and adds work but no strategic value, so the oracle's world and the
    /// scenario's hold the same value.
    pub fn make_unplanned(&mut self) {
        self.kind = ItemKind::Feature;
        self.top = true;
        self.ready = true;
        self.value = 0.0;
        self.perceived = 0.0;
        self.pm_perceived = 0.0;
    }

    /// [`BacklogItem::new`] then [`BacklogItem::make_unplanned`] (a conflict's injected
    /// item, a risk's work) without the draws that unplanned work throws away: its kind, its
    /// value and the beliefs and normal scores perception makes of them (`z_value`,
    /// `z_belief` and `z_pm_belief` stay 0 and it is perceived for no value skill; nothing
    /// reads them on an item that is not a world item). Every other field is the same.
    pub fn unplanned(id: u64, created: u32, model: &Model, keys: &RunKeys) -> BacklogItem {
        let key = keys.subject_key(Source::ItemAttributes, id);
        let mut item = Self::work_with(id, key, created, model, keys, ambiguity_from(key, model));
        item.estimate = if model.exact_estimates {
            item.size
        } else {
            item.noisy_estimate
        };
        item.make_unplanned();
        item
    }

    pub fn is_backlog_work(&self) -> bool {
        matches!(self.kind, ItemKind::Feature | ItemKind::Enabler)
    }

    /// Estimate points still to do, for planning spillover.
    pub fn remaining_estimate(&self) -> f64 {
        if self.size > 0.0 {
            self.estimate * (self.remaining / self.size).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// Draw the question count and positions once work starts (ambiguity is known then).
    pub fn start(&mut self, hour: f64, model: &Model, keys: &RunKeys) {
        self.status = Status::InProgress;
        self.start_hour = hour;
        let po = &model.scenario.po;
        // Questions come with the work: an item of the mean size raises the reference
        // model's Poisson(base + per_ambiguity·a), one of twice that size twice as many.
        let mean = (po.questions_base + po.questions_per_ambiguity * self.ambiguity) * self.size
            / model.question_size;
        let n = crate::random::poisson_from_unit(self.question_draw, mean).min(MAX_QUESTIONS as u32)
            as usize;
        self.questions = n as u8;
        self.next_question = 0;
        if n > 0 {
            let mut r = keys.keyed(Source::Questions, self.id, 0);
            for q in self.question_at.iter_mut().take(n) {
                *q = r.unit() as f32;
            }
            self.question_at[..n].sort_unstable_by(|a, b| a.total_cmp(b));
        }
    }
}

/// The positive beliefs B of the PO and of the PM about an item's value (world draws, `key`
/// the item's attribute key): only their normal scores are kept on the item, which keeps it
/// at five cache lines.
#[inline]
fn beliefs(key: u64, model: &Model) -> (f64, f64) {
    let normal = |a: Attr| keyed_from(key, a as u64).normal();
    let sigma = model.scenario.po.belief_sigma;
    (
        (sigma * normal(Attr::Belief)).exp(),
        (sigma * normal(Attr::PmBelief)).exp(),
    )
}

/// An item's ambiguity at creation, from its own stream (`key` its attribute key).
#[inline]
fn ambiguity_from(key: u64, model: &Model) -> f64 {
    draw(
        &model.ambiguity,
        &mut keyed_from(key, Attr::Ambiguity as u64),
    )
    .clamp(0.0, 1.0)
}

/// A draw of `sampler` from the attribute's own stream: by inversion of one uniform where
/// the distribution has one ([`Sampler::by_inversion`]), else by the sampler itself.
#[inline]
fn draw(sampler: &Sampler, r: &mut Keyed) -> f64 {
    sampler.by_inversion(r)
}

/// The share of its value an item keeps when released `delay` sprints after creation, and
/// for how many sprints it flows (None = to the end of the horizon).
pub fn delay_factor(
    urgency: Urgency,
    created: u32,
    released: u32,
    u: &crate::scenario::UrgencyMix,
) -> (f64, Option<u32>) {
    let delay = released.saturating_sub(created) as f64;
    match urgency {
        Urgency::Standard => (1.0, None),
        Urgency::Decaying => ((-u.decay_rate * delay).exp(), None),
        Urgency::ShortWindow => ((-delay / u.window_scale).exp(), Some(u.window_sprints)),
        Urgency::FixedDate { deadline } => (
            if released > deadline {
                u.late_factor
            } else {
                1.0
            },
            None,
        ),
    }
}

/// The urgency multiplier used when ordering by CD3 (cost of delay / duration).
pub fn urgency_weight(urgency: Urgency, now: u32, u: &crate::scenario::UrgencyMix) -> f64 {
    match urgency {
        Urgency::Standard => 1.0,
        Urgency::Decaying => 1.0 + u.decay_rate * 25.0,
        Urgency::ShortWindow => 1.0 + 4.0 / u.window_scale,
        Urgency::FixedDate { deadline } => {
            if deadline < now {
                u.late_factor
            } else if deadline - now <= 4 {
                2.5
            } else {
                1.0
            }
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod perception_tests;
