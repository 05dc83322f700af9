//! A map whose entries expire a fixed time after they were inserted, bounded in size: what the
//! API keeps the API server's review answers in ([`super::auth::Reviews`]).
//!
//! At most [`MAX_ENTRIES`] entries are kept; a full map drops its expired entries, and all of
//! them if none has expired (then every key is looked up again once).
//!
//! ```
//! use std::time::{Duration, Instant};
//! use k3sstore::http::ttl_map::TtlMap;
//! let map: TtlMap<&str, u8> = TtlMap::new(Duration::from_secs(60));
//! let now = Instant::now();
//! map.insert("alice", 1, now);
//! assert_eq!(map.get(&"alice", now + Duration::from_secs(59)), Some(1));
//! assert_eq!(map.get(&"alice", now + Duration::from_secs(60)), None);
//! ```

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many entries one map keeps at most.
pub const MAX_ENTRIES: usize = 10_000;

/// Values kept until `ttl` after they were inserted.
#[derive(Debug)]
pub struct TtlMap<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> TtlMap<K, V> {
    /// An empty map whose values expire `ttl` after they were inserted.
    #[must_use]
    pub fn new(ttl: Duration) -> Self {
        TtlMap {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value of `key` if it was inserted less than the TTL before `now`.
    pub fn get(&self, key: &K, now: Instant) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries
            .get(key)
            .filter(|(at, _)| now.saturating_duration_since(*at) < self.ttl)
            .map(|(_, value)| value.clone())
    }

    /// Keeps `value` for `key` from `now` on.
    pub fn insert(&self, key: K, value: V, now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (at, _)| now.saturating_duration_since(*at) < self.ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (now, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_map_stays_bounded() {
        let kept: TtlMap<usize, ()> = TtlMap::new(Duration::from_secs(60));
        let start = Instant::now();
        for i in 0..MAX_ENTRIES {
            kept.insert(i, (), start);
        }
        // Half a TTL later nothing has expired: a full map starts over.
        kept.insert(MAX_ENTRIES, (), start + Duration::from_secs(30));
        assert_eq!(kept.entries.lock().unwrap().len(), 1);
        assert_eq!(kept.get(&MAX_ENTRIES, start + Duration::from_secs(31)), Some(()));
        // Expired entries go first.
        for i in 0..MAX_ENTRIES - 1 {
            kept.insert(i, (), start + Duration::from_secs(90));
        }
        kept.insert(usize::MAX, (), start + Duration::from_secs(91));
        assert_eq!(
            kept.entries.lock().unwrap().len(),
            MAX_ENTRIES,
            "only the expired one went"
        );
        assert_eq!(kept.get(&MAX_ENTRIES, start + Duration::from_secs(91)), None);
    }
}
