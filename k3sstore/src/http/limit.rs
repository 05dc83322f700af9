//! Rate limits per client: every `/api` request (default 100 per 15 minutes) and store
//! creation (default 10 per hour), keyed by the authenticated user, or by the client address
//! when there is none; and, before a bearer token is sent to the API server in a
//! `TokenReview`, the token reviews one client address may cause (default 30 per minute), so
//! a flood of made-up tokens costs the API server at most that. Over a limit: `429` with
//! `Retry-After`.
//!
//! The limiter is `governor`'s GCRA (a maintained crate, the one `tower_governor` wraps): a
//! quota of `N` per `T` lets a client make `N` requests at once and then one more every
//! `T / N`. The sustained rate is exactly `N / T`; as with a fixed-window counter at a window
//! edge, up to `2N` requests can fall inside one stretch of length `T`.
//!
//! ```
//! use k3sstore::http::limit::RateLimit;
//! let limit: RateLimit = "100/15m".parse().unwrap();
//! assert_eq!(limit.per.as_secs(), 900);
//! assert_eq!(limit.to_string(), "100/15m");
//! assert!("0/1h".parse::<RateLimit>().is_err());
//! ```

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::error::ApiError;

/// Keys kept before the limiter forgets clients whose quota is full again.
const FORGET_AFTER_KEYS: usize = 10_000;

/// A quota: `requests` per `per` (`100/15m`, `10/1h`, `5/30s`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// How many requests.
    pub requests: NonZeroU32,
    /// In how much time.
    pub per: Duration,
}

impl RateLimit {
    /// Default for every `/api` request of one client: 100 per 15 minutes.
    pub const GLOBAL: RateLimit = RateLimit {
        requests: NonZeroU32::new(100).expect("non-zero"),
        per: Duration::from_secs(15 * 60),
    };
    /// Default for store creation by one client: 10 per hour.
    pub const CREATE: RateLimit = RateLimit {
        requests: NonZeroU32::new(10).expect("non-zero"),
        per: Duration::from_secs(60 * 60),
    };

    /// Default for the token reviews one client address may cause: 30 per minute.
    pub const REVIEW: RateLimit = RateLimit {
        requests: NonZeroU32::new(30).expect("non-zero"),
        per: Duration::from_secs(60),
    };

    fn quota(self) -> Quota {
        let period = self.per / self.requests.get();
        Quota::with_period(period.max(Duration::from_nanos(1)))
            .expect("a non-zero period")
            .allow_burst(self.requests)
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.per.as_secs();
        match secs {
            s if s > 0 && s % 3600 == 0 => write!(f, "{}/{}h", self.requests, s / 3600),
            s if s > 0 && s % 60 == 0 => write!(f, "{}/{}m", self.requests, s / 60),
            s => write!(f, "{}/{s}s", self.requests),
        }
    }
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not a rate limit like 100/15m (requests/duration in s, m or h)");
        let (count, per) = text.split_once('/').ok_or_else(bad)?;
        let requests = count
            .trim()
            .parse::<NonZeroU32>()
            .map_err(|_| format!("{text:?}: the number of requests must be a whole number above 0"))?;
        let per = per.trim();
        let split = per.len().saturating_sub(1);
        let (amount, unit) = per.split_at(split);
        let unit_secs = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            _ => return Err(bad()),
        };
        let amount: u64 = amount.parse().map_err(|_| bad())?;
        if amount == 0 {
            return Err(format!("{text:?}: the duration must be above 0"));
        }
        Ok(RateLimit {
            requests,
            per: Duration::from_secs(amount * unit_secs),
        })
    }
}

/// The limits the API enforces; `None` turns one off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Every `/api` request of one client. Default: [`RateLimit::GLOBAL`].
    pub global: Option<RateLimit>,
    /// Store creations of one client. Default: [`RateLimit::CREATE`].
    pub create: Option<RateLimit>,
    /// Token reviews caused by one client address (a token not seen recently). Default:
    /// [`RateLimit::REVIEW`].
    pub review: Option<RateLimit>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            global: Some(RateLimit::GLOBAL),
            create: Some(RateLimit::CREATE),
            review: Some(RateLimit::REVIEW),
        }
    }
}

/// One keyed limiter and the quota it enforces.
#[derive(Debug)]
struct Keyed {
    limit: RateLimit,
    limiter: DefaultKeyedRateLimiter<String>,
}

impl Keyed {
    fn new(limit: RateLimit) -> Self {
        Keyed {
            limit,
            limiter: RateLimiter::keyed(limit.quota()),
        }
    }

    fn check(&self, client: &str, what: &str) -> Result<(), ApiError> {
        if self.limiter.len() > FORGET_AFTER_KEYS {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&client.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.limiter.clock().now());
            ApiError::RateLimited {
                limit: format!("{what}: {} per client", self.limit),
                // Whole seconds, rounded up, at least 1 (RFC 9110 `Retry-After: delay-seconds`).
                retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}

/// The rate limiter of the API, shared by every request.
#[derive(Debug)]
pub struct Limiter {
    global: Option<Keyed>,
    create: Option<Keyed>,
    review: Option<Keyed>,
}

impl Limiter {
    /// A limiter enforcing `limits`.
    #[must_use]
    pub fn new(limits: Limits) -> Self {
        Limiter {
            global: limits.global.map(Keyed::new),
            create: limits.create.map(Keyed::new),
            review: limits.review.map(Keyed::new),
        }
    }

    /// Counts one token review caused by `address`; `429` once over the limit.
    pub fn check_review(&self, address: &str) -> Result<(), ApiError> {
        match &self.review {
            Some(review) => review.check(address, "token reviews"),
            None => Ok(()),
        }
    }

    /// Counts one request of `client` (`creating` a store or not); `429` once over a limit.
    pub fn check(&self, client: &str, creating: bool) -> Result<(), ApiError> {
        if let Some(global) = &self.global {
            global.check(client, "API requests")?;
        }
        match &self.create {
            Some(create) if creating => create.check(client, "store creations"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry_after(result: Result<(), ApiError>) -> u64 {
        match result {
            Err(ApiError::RateLimited { retry_after, .. }) => retry_after,
            other => panic!("expected 429, got {other:?}"),
        }
    }

    #[test]
    fn the_global_limit_counts_per_client() {
        let limiter = Limiter::new(Limits {
            global: Some("3/1h".parse().unwrap()),
            create: None,
            review: None,
        });
        for _ in 0..3 {
            limiter.check("alice", false).unwrap();
        }
        let wait = retry_after(limiter.check("alice", false));
        // One request comes back every 20 minutes.
        assert!((1190..=1200).contains(&wait), "{wait}");
        limiter.check("bob", false).unwrap();
        limiter.check("addr:10.0.0.1", true).unwrap();
    }

    #[test]
    fn creation_has_its_own_smaller_limit() {
        let limiter = Limiter::new(Limits {
            global: Some("100/15m".parse().unwrap()),
            create: Some("2/1h".parse().unwrap()),
            review: None,
        });
        limiter.check("alice", true).unwrap();
        limiter.check("alice", true).unwrap();
        let wait = retry_after(limiter.check("alice", true));
        assert!((1790..=1800).contains(&wait), "{wait}");
        // Other requests of the same client still pass.
        limiter.check("alice", false).unwrap();
        let response = axum::response::IntoResponse::into_response(limiter.check("alice", true).unwrap_err());
        assert_eq!(response.status(), 429);
        let header = response.headers()[axum::http::header::RETRY_AFTER].to_str().unwrap();
        assert!(header.parse::<u64>().unwrap() > 1000, "{header}");
    }

    #[test]
    fn token_reviews_are_counted_per_address() {
        let limiter = Limiter::new(Limits {
            global: None,
            create: None,
            review: Some("2/1m".parse().unwrap()),
        });
        limiter.check_review("10.0.0.1").unwrap();
        limiter.check_review("10.0.0.1").unwrap();
        assert!(retry_after(limiter.check_review("10.0.0.1")) <= 30);
        limiter.check_review("10.0.0.2").unwrap();
        limiter.check("10.0.0.1", true).unwrap();
    }

    #[test]
    fn defaults_are_the_issues_and_limits_parse() {
        assert_eq!(Limits::default().global.unwrap().to_string(), "100/15m");
        assert_eq!(Limits::default().create.unwrap().to_string(), "10/1h");
        assert_eq!(Limits::default().review.unwrap().to_string(), "30/1m");
        assert_eq!("5/30s".parse::<RateLimit>().unwrap().per, Duration::from_secs(30));
        for bad in ["", "100", "x/1h", "10/1d", "10/0m", "-1/1h", "10/h"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }
}
