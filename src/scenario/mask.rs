//! The engine's mechanisms as switches: the players of `backsim attribute --by mechanism`.
//!
//! A [`MechanismMask`] says which of the [`ENGINE_MECHANISMS`] of docs/model.md §13 are on.
//! It is never a scenario key (it is not read from or written to TOML): only `backsim
//! attribute` sets it, on its own copies of the scenarios. Every mechanism is on by default,
//! and with every one on the engine is the one `backsim run` plays, byte for byte. A
//! mechanism switched off loses its dependence on the structure: its coefficient is 0 or its
//! structural driver sits at the neutral value (`docs/model.md` §11b lists each).

/// One mechanism the engine can switch off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineMechanism {
    pub name: &'static str,
    /// What it does, and what "off" means.
    pub meaning: &'static str,
}

/// Decision latency from the PO's availability and question load (§13.1).
pub const LATENCY: usize = 0;
/// Short-termism: effective myopia from strategic load and refinement shortfall (§13.2).
pub const MYOPIA: usize = 1;
/// Unready work pulled in when the ready buffer is short (§13.3).
pub const UNREADY: usize = 2;
/// The PO's stale or noisy theme weights: the roadmap between hand-overs (§3.2, §3.3).
pub const STALE_ROADMAP: usize = 3;
/// Requirement churn, ambiguity, roadmap shocks and wrong builds from misalignment and a
/// lossy hand-over, and conflicting directives from shared authority (§13.4, §13.5).
pub const CHURN_CONFLICTS: usize = 4;
/// Tech debt that accrues under pressure and is paid by enablers (§13.6).
pub const DEBT: usize = 5;
/// Release scope the PO learns only through hand-overs (§13.7).
pub const SCOPE_RECOGNITION: usize = 6;
/// The PM's reordering of the top of the PO's order (§3.5).
pub const OVERRIDE: usize = 7;

/// The mechanisms, indexed by the constants above.
pub const ENGINE_MECHANISMS: [EngineMechanism; 8] = [
    EngineMechanism {
        name: "decision latency",
        meaning: "questions wait longer when the PO has less time for the team and more questions queue (off: full availability, no queue)",
    },
    EngineMechanism {
        name: "short-termism",
        meaning: "effective myopia rises with the PO's strategic load and refinement shortfall (off: the base myopia)",
    },
    EngineMechanism {
        name: "unready pull",
        meaning: "unready work is pulled in when the ready buffer is short of the commitment (off: the base take-unready rate)",
    },
    EngineMechanism {
        name: "stale roadmap",
        meaning: "the PO orders by theme weights that lag the PM's between hand-overs, or by its own noisy view without a PM (off: the PO has the PM's current view every sprint)",
    },
    EngineMechanism {
        name: "churn & conflicts",
        meaning: "requirement churn, ambiguity, roadmap shocks and wrong builds from misalignment and a lossy hand-over; conflicting directives from shared authority and misalignment (off: the base churn and conflict rates, no shocks)",
    },
    EngineMechanism {
        name: "tech debt",
        meaning: "debt accrues under pressure and with skipped enablers and is paid by enablers (off: debt stays at its initial level)",
    },
    EngineMechanism {
        name: "scope recognition",
        meaning: "the PO learns which items are in the release scope only at hand-overs, each with the hand-over's fidelity (off: the first hand-over tells all of it)",
    },
    EngineMechanism {
        name: "PM override",
        meaning: "the PM reorders the top of the PO's order by its own value view (off: no reordering; its conflicts stay with churn & conflicts)",
    },
];

/// Which engine mechanisms are on: bit i for [`ENGINE_MECHANISMS`]`[i]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MechanismMask(pub u8);

impl MechanismMask {
    /// Every mechanism on: the engine of `backsim run`.
    pub const ALL: MechanismMask = MechanismMask(u8::MAX);
    /// Every mechanism off.
    pub const NONE: MechanismMask = MechanismMask(0);

    /// Whether mechanism `i` is on.
    #[inline(always)]
    pub fn on(self, i: usize) -> bool {
        self.0 >> i & 1 == 1
    }

    /// Every mechanism on.
    pub fn is_all(self) -> bool {
        self == Self::ALL
    }

    /// The mask with exactly the mechanisms `players[j]` for the set bits j of `subset` on.
    pub fn of_subset(players: &[usize], subset: usize) -> MechanismMask {
        let mut bits = 0u8;
        for (j, &p) in players.iter().enumerate() {
            if subset >> j & 1 == 1 {
                bits |= 1 << p;
            }
        }
        MechanismMask(bits)
    }
}

impl Default for MechanismMask {
    fn default() -> Self {
        Self::ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_map_players_to_mechanism_bits() {
        let m = MechanismMask::of_subset(&[OVERRIDE, LATENCY, DEBT], 0b101);
        assert!(m.on(OVERRIDE) && m.on(DEBT) && !m.on(LATENCY) && !m.on(MYOPIA));
        assert_eq!(MechanismMask::of_subset(&[1, 2], 0), MechanismMask::NONE);
        assert!(MechanismMask::default().is_all());
        assert_eq!(ENGINE_MECHANISMS.len(), 8);
    }
}
