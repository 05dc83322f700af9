//! The API server's positive answers to `TokenReview` and `SubjectAccessReview`, kept for a
//! short time so that a client's requests do not each cost two more API calls (a dashboard
//! following a store, a script listing stores in a loop).
//!
//! kube-apiserver does the same for its webhook authenticator and authorizer
//! (`--authentication-token-webhook-cache-ttl`, default 2 min;
//! `--authorization-webhook-cache-authorized-ttl`, default 5 min; see
//! <https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/>). Here:
//!
//! - Only positive answers are kept. A refused token or a denied action is asked again every
//!   time, so a new RoleBinding takes effect at once.
//! - A revoked token or RoleBinding takes effect within [`REVIEW_TTL`] (1 minute).
//! - Tokens are kept only as their SHA-256, never as text.
//! - At most [`MAX_ENTRIES`] answers of each kind are kept; a full cache drops its expired
//!   answers, and all of them if none has expired (then every request asks again once).
//!
//! ```
//! use std::time::{Duration, Instant};
//! use k3sstore::http::reviews::Kept;
//! let kept: Kept<&str, u8> = Kept::new(Duration::from_secs(60));
//! let now = Instant::now();
//! kept.insert("alice", 1, now);
//! assert_eq!(kept.get(&"alice", now + Duration::from_secs(59)), Some(1));
//! assert_eq!(kept.get(&"alice", now + Duration::from_secs(60)), None);
//! ```

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::auth::{Action, Caller};

/// How long a positive answer is used before the API server is asked again.
pub const REVIEW_TTL: Duration = Duration::from_secs(60);
/// How many answers of one kind are kept at most.
pub const MAX_ENTRIES: usize = 10_000;

/// Values kept until `ttl` after they were inserted.
#[derive(Debug)]
pub struct Kept<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    /// An empty store whose values expire `ttl` after they were inserted.
    #[must_use]
    pub fn new(ttl: Duration) -> Self {
        Kept {
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

/// The positive answers of both reviews.
#[derive(Debug)]
pub struct Reviews {
    /// Authenticated callers by the SHA-256 of their token.
    tokens: Kept<[u8; 32], Caller>,
    /// Allowed `(caller, verb, store)` triples.
    allowed: Kept<(Caller, &'static str, Option<String>), ()>,
}

impl Default for Reviews {
    fn default() -> Self {
        Reviews {
            tokens: Kept::new(REVIEW_TTL),
            allowed: Kept::new(REVIEW_TTL),
        }
    }
}

impl Reviews {
    /// The caller a token was last authenticated as, if that is recent.
    pub fn caller(&self, token: &str, now: Instant) -> Option<Caller> {
        self.tokens.get(&digest(token), now)
    }

    /// Keeps the caller the API server authenticated `token` as.
    pub fn authenticated(&self, token: &str, caller: &Caller, now: Instant) {
        self.tokens.insert(digest(token), caller.clone(), now);
    }

    /// Whether `caller` was recently allowed `action`.
    pub fn is_allowed(&self, caller: &Caller, action: &Action, now: Instant) -> bool {
        self.allowed
            .get(&(caller.clone(), action.verb, action.name.clone()), now)
            .is_some()
    }

    /// Keeps that the API server allowed `caller` to do `action`.
    pub fn allowed(&self, caller: &Caller, action: &Action, now: Instant) {
        self.allowed
            .insert((caller.clone(), action.verb, action.name.clone()), (), now);
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(user: &str) -> Caller {
        Caller {
            user: user.to_owned(),
            ..Caller::insecure()
        }
    }

    #[test]
    fn answers_expire_and_are_told_apart() {
        let reviews = Reviews::default();
        let now = Instant::now();
        let alice = caller("alice");
        reviews.authenticated("token-a", &alice, now);
        assert_eq!(reviews.caller("token-a", now), Some(alice.clone()));
        assert_eq!(reviews.caller("token-b", now), None);
        assert_eq!(reviews.caller("token-a", now + REVIEW_TTL), None);

        let get = Action {
            verb: "get",
            name: Some("acme".to_owned()),
        };
        reviews.allowed(&alice, &get, now);
        assert!(reviews.is_allowed(&alice, &get, now));
        assert!(!reviews.is_allowed(&caller("bob"), &get, now), "another user");
        let other_store = Action {
            name: Some("globex".to_owned()),
            ..get.clone()
        };
        assert!(!reviews.is_allowed(&alice, &other_store, now), "another store");
        let delete = Action {
            verb: "delete",
            ..get.clone()
        };
        assert!(!reviews.is_allowed(&alice, &delete, now), "another verb");
        let mut in_a_group = alice.clone();
        in_a_group.groups.push("admins".to_owned());
        assert!(!reviews.is_allowed(&in_a_group, &get, now), "other groups");
        assert!(!reviews.is_allowed(&alice, &get, now + REVIEW_TTL), "expired");
    }

    #[test]
    fn a_full_store_stays_bounded() {
        let kept: Kept<usize, ()> = Kept::new(Duration::from_secs(60));
        let start = Instant::now();
        for i in 0..MAX_ENTRIES {
            kept.insert(i, (), start);
        }
        // Half a TTL later nothing has expired: a full store starts over.
        kept.insert(MAX_ENTRIES, (), start + Duration::from_secs(30));
        assert_eq!(kept.entries.lock().unwrap().len(), 1);
        assert_eq!(kept.get(&MAX_ENTRIES, start + Duration::from_secs(31)), Some(()));
        // Expired answers go first.
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
