//! Events of one replication, for telling its story (`backsim trace`). The engine emits them
//! through a [`Tracer`]; the default [`NoTrace`] compiles to nothing, so ordinary runs pay
//! nothing for them.

use crate::model::item::ItemKind;

/// Why an item waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockCause {
    /// A question waiting for a decision.
    Question,
    /// A conflicting directive escalated.
    Escalation,
}

/// Why work in progress was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropCause {
    RoadmapShock,
    Conflict,
}

/// One thing that happened. Sprints are 0-based here; hours count from the sprint's start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// A market shock multiplied a theme's true weight.
    MarketShock {
        sprint: u32,
        theme: u16,
        factor: f64,
    },
    /// New items entered the backlog.
    Arrived { sprint: u32, count: u32 },
    /// A named risk struck (index into the scenario's risks).
    RiskStruck { sprint: u32, risk: u16 },
    /// Bug work was added: a defect found later (`escaped` false) or reported from production.
    BugAdded {
        sprint: u32,
        item: u64,
        points: f64,
        escaped: bool,
    },
    /// A requirement changed; `rework` points of done work were lost if it was in progress,
    /// and the item grew by `growth` points.
    Churned {
        sprint: u32,
        item: u64,
        rework: f64,
        growth: f64,
    },
    /// The PO's strategic view changed (a PM hand-over, or the solo PO's own review), by this
    /// normalised Kendall distance of the theme ranking; `shock` if it was a roadmap shock.
    Handover {
        sprint: u32,
        from_pm: bool,
        distance: f64,
        shock: bool,
    },
    /// The PM overrode the top of the order.
    Override { sprint: u32 },
    /// Planning: capacity available (after drag), commitment by yesterday's weather, and
    /// the points and items committed.
    Planned {
        sprint: u32,
        capacity: f64,
        commitment: f64,
        committed: f64,
        items: u32,
    },
    /// An item was committed at planning.
    Committed {
        sprint: u32,
        item: u64,
        kind: ItemKind,
        points: f64,
        ready: bool,
    },
    /// Work started on an item.
    Started {
        sprint: u32,
        hour: f64,
        item: u64,
        kind: ItemKind,
        questions: u8,
    },
    /// An item was blocked for `hours` working hours.
    Blocked {
        sprint: u32,
        hour: f64,
        item: u64,
        hours: f64,
        cause: BlockCause,
    },
    /// A question waited past `team.guess_after_hours`: the developer went on on a guess;
    /// a wrong one adds `rework` points of work to redo.
    Guessed {
        sprint: u32,
        hour: f64,
        item: u64,
        wrong: bool,
        rework: f64,
    },
    /// A conflicting directive injected unplanned work.
    Injected {
        sprint: u32,
        hour: f64,
        item: u64,
        points: f64,
    },
    /// Work in progress was dropped; its done work is waste.
    Dropped {
        sprint: u32,
        item: u64,
        waste: f64,
        cause: DropCause,
    },
    /// An item was finished; its defects and whether it was built wrong.
    Finished {
        sprint: u32,
        hour: f64,
        item: u64,
        kind: ItemKind,
        in_sprint: u32,
        later: u32,
        escaped: u32,
        wrong_build: bool,
    },
    /// A finished item was released at sprint end; `value` is what it will realize.
    Released {
        sprint: u32,
        item: u64,
        kind: ItemKind,
        points: f64,
        value: f64,
        wrong_build: bool,
        in_scope: bool,
    },
    /// The release scope was complete at the end of this sprint.
    ScopeComplete { sprint: u32 },
    /// At the start of the reported year (sprint 0): the value that work released during the
    /// warm-up realizes in the reported sprints and the tail (part of `value_realized`).
    WarmupValue { sprint: u32, value: f64 },
    /// End of sprint.
    SprintEnd {
        sprint: u32,
        velocity: f64,
        done: f64,
        tech_debt: f64,
        backlog: u32,
    },
}

impl Event {
    /// The event's (0-based) sprint.
    pub fn sprint(&self) -> u32 {
        let mut e = *self;
        *e.sprint_mut()
    }

    /// The event's (0-based) sprint, to shift it.
    pub fn sprint_mut(&mut self) -> &mut u32 {
        use Event::*;
        match self {
            MarketShock { sprint, .. }
            | Arrived { sprint, .. }
            | RiskStruck { sprint, .. }
            | BugAdded { sprint, .. }
            | Churned { sprint, .. }
            | Handover { sprint, .. }
            | Override { sprint }
            | Planned { sprint, .. }
            | Committed { sprint, .. }
            | Started { sprint, .. }
            | Blocked { sprint, .. }
            | Guessed { sprint, .. }
            | Injected { sprint, .. }
            | Dropped { sprint, .. }
            | Finished { sprint, .. }
            | Released { sprint, .. }
            | ScopeComplete { sprint }
            | WarmupValue { sprint, .. }
            | SprintEnd { sprint, .. } => sprint,
        }
    }
}

/// Receives events. `ON` lets the engine skip work that only tracing needs.
pub trait Tracer {
    const ON: bool;
    fn event(&mut self, event: Event);
}

/// The tracer of ordinary runs.
pub struct NoTrace;

impl Tracer for NoTrace {
    const ON: bool = false;
    #[inline(always)]
    fn event(&mut self, _event: Event) {}
}

impl Tracer for Vec<Event> {
    const ON: bool = true;
    fn event(&mut self, event: Event) {
        self.push(event);
    }
}
