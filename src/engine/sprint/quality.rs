//! Step 8 of a sprint: quality at finish. Bad fixes, defects found in the sprint or later,
//! escaped defects and wrong builds (each a draw of the item's own stream).

use super::{Run, TAG_REDO};
use crate::engine::trace::{Event, Tracer};
use crate::model::item::{BacklogItem, ItemKind, Status, INTERNAL_ID, NO_LANE};
use crate::model::quality;

impl<'a, T: Tracer> Run<'a, T> {
    /// Step 8: quality at finish. In-sprint defects add fix work to the item; the others
    /// become bug work later; a wrong build delivers no value and needs a redo.
    #[inline(never)]
    pub(super) fn finish_item(&mut self, i: u32, now: f64) {
        let q = &self.m.scenario.quality;
        let item = &mut self.ws.items[i as usize];
        if !item.quality_checked {
            item.quality_checked = true;
            let hour = now - self.sprint as f64 * self.hours;
            if item.kind == ItemKind::Bug {
                let bad = quality::bad_fix(item.id, q, &self.keys);
                if bad {
                    self.t.defects += 1;
                    self.t.pending_later += 1;
                }
                self.tracer.event(Event::Finished {
                    sprint: self.sprint,
                    hour,
                    item: item.id,
                    kind: item.kind,
                    in_sprint: 0,
                    later: bad as u32,
                    escaped: 0,
                    wrong_build: false,
                });
            } else {
                let d = quality::defects_at_finish(
                    item.id,
                    item.size,
                    item.ambiguity,
                    self.pressure,
                    q,
                    &self.keys,
                );
                self.t.defects += d.total();
                self.t.pending_later += d.later;
                self.t.pending_escaped += d.escaped;
                self.t.escaped += d.escaped;
                item.wrong_build =
                    quality::wrong_build(item.id, item.ambiguity, self.m.fidelity, q, &self.keys);
                self.tracer.event(Event::Finished {
                    sprint: self.sprint,
                    hour,
                    item: item.id,
                    kind: item.kind,
                    in_sprint: d.in_sprint,
                    later: d.later,
                    escaped: d.escaped,
                    wrong_build: item.wrong_build,
                });
                if d.in_sprint > 0 && q.fix_points > 0.0 {
                    let fix = d.in_sprint as f64 * q.fix_points;
                    item.remaining += fix;
                    // Rework once worked: fixes cut off by the horizon were never done.
                    item.fix_points += fix;
                    return; // The lane keeps working on the fixes.
                }
            }
        }
        item.status = Status::Done;
        item.finish_hour = now;
        item.finish_sprint = self.sprint;
        self.ws.finished.push(i);
        if item.lane != NO_LANE {
            self.ws.lane_item[item.lane as usize] = u32::MAX;
            item.lane = NO_LANE;
        }
        if item.kind == ItemKind::Redo {
            self.t.rework += item.size;
        }
        self.t.rework += std::mem::take(&mut item.fix_points);
        self.t.rework += std::mem::take(&mut item.guess_rework);
        if item.wrong_build {
            let share = q.redo_share;
            let factor = self.m.scenario.backlog.refinement_factor;
            let id = INTERNAL_ID | TAG_REDO | self.t.redo_counter;
            self.t.redo_counter += 1;
            let redo = BacklogItem::redo(
                &self.ws.items[i as usize],
                i,
                id,
                self.sprint,
                share,
                factor,
            );
            self.push(redo);
        }
    }
}
