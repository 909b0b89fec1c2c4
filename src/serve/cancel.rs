//! Superseded requests: each page sends a client id and a growing generation number with
//! every simulation; a newer generation from the same client makes the older request stop at
//! its next batch of replications (the driver hands batches to the sink in order, and the
//! sink checks its ticket first). Different clients (tabs) never cancel each other.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Most clients remembered; past that the table starts afresh (a forgotten client's old
/// request then simply runs to its end).
const MAX_CLIENTS: usize = 4096;

/// The latest generation seen from each client.
#[derive(Debug, Default)]
pub struct Clients {
    latest: Mutex<HashMap<String, Arc<AtomicU64>>>,
}

/// One request's place in its client's sequence.
#[derive(Debug, Clone)]
pub struct Ticket {
    latest: Arc<AtomicU64>,
    generation: u64,
}

impl Ticket {
    /// Whether a newer request from the same client has arrived.
    pub fn superseded(&self) -> bool {
        self.latest.load(Ordering::Acquire) > self.generation
    }
}

impl Clients {
    /// Register request `generation` of `client`; it supersedes every older one still running.
    pub fn ticket(&self, client: &str, generation: u64) -> Ticket {
        let mut map = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_CLIENTS && !map.contains_key(client) {
            map.clear();
        }
        let latest = map
            .entry(client.to_string())
            .or_insert_with(|| Arc::new(AtomicU64::new(0)))
            .clone();
        latest.fetch_max(generation, Ordering::AcqRel);
        Ticket { latest, generation }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_generation_supersedes_only_its_own_client() {
        let c = Clients::default();
        let a1 = c.ticket("a", 1);
        let b1 = c.ticket("b", 1);
        assert!(!a1.superseded());
        let a2 = c.ticket("a", 2);
        assert!(a1.superseded() && !a2.superseded() && !b1.superseded());
        // A late older request does not cancel the newer one.
        let a0 = c.ticket("a", 0);
        assert!(a0.superseded() && !a2.superseded());
    }
}
