//! Leader election on a `coordination.k8s.io/v1` Lease, the way client-go's
//! `tools/leaderelection` package does it (`leaderelection.go`: `tryAcquireOrRenew`,
//! `renew`, `observedTime`):
//!
//! - A candidate takes the Lease over only once it has seen the Lease's record unchanged for a
//!   whole lease duration **on its own clock** (from the moment it observed the last change),
//!   never by comparing the holder's `renewTime` with its clock: clock skew between replicas
//!   cannot make two leaders.
//! - The leader renews every retry period, each attempt under a timeout that ends at the renew
//!   deadline, and gives leadership up once it could not renew for the renew deadline, which
//!   is shorter than the lease duration (client-go's defaults: 15 s lease, 10 s renew
//!   deadline, 2 s retry). So it has stopped before any other replica may take over.
//! - Every write carries the `resourceVersion` it read: of two candidates, one gets `409`.
//!
//! What losing means for the work in flight is [`super::run`]'s: it drops every reconcile at
//! once, so none writes after the loss.

use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::PostParams;
use kube::{Api, ResourceExt};
use tokio::time::Instant;

use crate::state::State;
pub use crate::state::Timing;

/// What a candidate should do with the Lease it read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Nobody holds it, or its record has not changed for a whole lease duration: take it.
    Take,
    /// We hold it: renew it.
    Renew,
    /// Someone else holds it and its record changed within the lease duration: wait.
    Wait,
}

/// The decision for `me` on a Lease record that has not changed for `unchanged_for` (on this
/// replica's clock); `lease_duration` is ours when the record names none. Pure: unit-tested.
#[must_use]
pub fn decide(spec: Option<&LeaseSpec>, me: &str, unchanged_for: Duration, lease_duration: Duration) -> Decision {
    let Some(spec) = spec else { return Decision::Take };
    match spec.holder_identity.as_deref() {
        None | Some("") => Decision::Take,
        Some(holder) if holder == me => Decision::Renew,
        Some(_) => {
            let held_for = spec
                .lease_duration_seconds
                .and_then(|s| u64::try_from(s).ok())
                .map_or(lease_duration, Duration::from_secs);
            if unchanged_for >= held_for {
                Decision::Take
            } else {
                Decision::Wait
            }
        }
    }
}

/// Why an election attempt did not make this replica the holder.
#[derive(Debug)]
enum Attempt {
    /// Another replica holds the Lease (or won the race for it).
    Held,
    /// The API server refused or could not be reached.
    Failed(kube::Error),
}

/// The record of the Lease as last seen, and when (this replica's clock).
#[derive(Debug)]
struct Observed {
    resource_version: Option<String>,
    at: Instant,
}

/// One replica's candidacy for the Lease `config.lease`.
#[derive(Debug)]
pub struct Elector {
    state: State,
    api: Api<Lease>,
    observed: Option<Observed>,
}

impl Elector {
    /// A candidate for `state.config.lease` under the identity `state.config.instance`.
    #[must_use]
    pub fn new(state: &State) -> Self {
        // `State::new` has made an empty namespace the client's.
        let (namespace, _) = &state.config.lease;
        Elector {
            state: state.clone(),
            api: Api::namespaced(state.client.clone(), namespace),
            observed: None,
        }
    }

    fn timing(&self) -> Timing {
        self.state.config.election
    }

    /// Remembers `lease`'s record, and when it last changed.
    fn observe(&mut self, lease: Option<&Lease>, now: Instant) {
        let resource_version = lease.and_then(|l| l.resource_version());
        if self.observed.as_ref().map(|o| &o.resource_version) != Some(&resource_version) {
            self.observed = Some(Observed {
                resource_version,
                at: now,
            });
        }
    }

    /// One attempt to take or keep the Lease.
    async fn try_acquire_or_renew(&mut self) -> Result<(), Attempt> {
        let name = self.state.config.lease.1.clone();
        let me = self.state.config.instance.clone();
        let timing = self.timing();
        let current = self.api.get_opt(&name).await.map_err(Attempt::Failed)?;
        let now = Instant::now();
        self.observe(current.as_ref(), now);
        let unchanged_for = self.observed.as_ref().map_or(Duration::ZERO, |o| now - o.at);
        let previous = current.as_ref().and_then(|l| l.spec.clone());
        let decision = decide(previous.as_ref(), &me, unchanged_for, timing.lease_duration);
        let previous = previous.unwrap_or_default();
        let wall = Timestamp::now();
        let duration = i32::try_from(timing.lease_duration.as_secs()).unwrap_or(i32::MAX);
        let spec = match decision {
            Decision::Wait => return Err(Attempt::Held),
            Decision::Renew => LeaseSpec {
                renew_time: Some(MicroTime(wall)),
                lease_duration_seconds: Some(duration),
                ..previous
            },
            Decision::Take => LeaseSpec {
                holder_identity: Some(me),
                acquire_time: Some(MicroTime(wall)),
                renew_time: Some(MicroTime(wall)),
                lease_duration_seconds: Some(duration),
                lease_transitions: Some(previous.lease_transitions.unwrap_or(0) + i32::from(current.is_some())),
                ..LeaseSpec::default()
            },
        };
        let result = match current {
            None => {
                let lease = Lease {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        ..ObjectMeta::default()
                    },
                    spec: Some(spec),
                };
                self.api.create(&PostParams::default(), &lease).await
            }
            Some(mut lease) => {
                // `metadata.resourceVersion` stays as read: a concurrent writer makes this a 409.
                lease.spec = Some(spec);
                self.api.replace(&name, &PostParams::default(), &lease).await
            }
        };
        match result {
            Ok(written) => {
                // Our own write is a change too: seen now.
                self.observe(Some(&written), Instant::now());
                Ok(())
            }
            Err(kube::Error::Api(status)) if status.code == 409 => Err(Attempt::Held),
            Err(error) => Err(Attempt::Failed(error)),
        }
    }

    /// Waits until this replica holds the Lease; every attempt under a renew deadline's
    /// timeout. Returns when the successful attempt started (what [`Elector::hold`] counts
    /// the renew deadline from).
    pub async fn acquire(&mut self) -> Instant {
        let retry = self.timing().retry_period;
        loop {
            let started = Instant::now();
            match tokio::time::timeout(self.timing().renew_deadline, self.try_acquire_or_renew()).await {
                Ok(Ok(())) => {
                    tracing::info!(instance = %self.state.config.instance, "leader: reconciling");
                    return started;
                }
                Ok(Err(Attempt::Held)) => {}
                Ok(Err(Attempt::Failed(error))) => tracing::warn!(%error, "leader election"),
                Err(_) => tracing::warn!(timeout = ?self.timing().renew_deadline, "leader election: no answer in time"),
            }
            tokio::time::sleep_until(started + retry).await;
        }
    }

    /// Renews the Lease every retry period after `acquired` (when the attempt that took it
    /// started); returns as soon as leadership is lost: another replica holds the Lease, or no
    /// renewal succeeded for the renew deadline (counted from the start of the last successful
    /// attempt, so this replica stops before any other may take over).
    pub async fn hold(&mut self, acquired: Instant) {
        let timing = self.timing();
        let mut renewed = acquired;
        let why = loop {
            tokio::time::sleep_until(renewed + timing.retry_period).await;
            let deadline = renewed + timing.renew_deadline;
            let outcome = loop {
                let started = Instant::now();
                match tokio::time::timeout_at(deadline, self.try_acquire_or_renew()).await {
                    Ok(Ok(())) => break Ok(started),
                    Ok(Err(Attempt::Held)) => break Err("another replica holds the Lease"),
                    Ok(Err(Attempt::Failed(error))) => {
                        tracing::warn!(%error, "cannot renew the leader Lease");
                        tokio::time::sleep_until((started + timing.retry_period).min(deadline)).await;
                        if Instant::now() >= deadline {
                            break Err("no renewal succeeded within the renew deadline");
                        }
                    }
                    Err(_) => break Err("no renewal succeeded within the renew deadline"),
                }
            };
            match outcome {
                Ok(started) => renewed = started,
                Err(why) => break why,
            }
        };
        tracing::warn!(instance = %self.state.config.instance, why, "leadership lost");
    }

    /// Gives the Lease up (on shutdown) so another replica takes over at once, within one
    /// retry period's timeout.
    pub async fn release(&mut self) {
        let name = self.state.config.lease.1.clone();
        let me = self.state.config.instance.clone();
        let api = self.api.clone();
        let give_up = async move {
            if let Ok(Some(mut lease)) = api.get_opt(&name).await
                && let Some(spec) = lease.spec.as_mut()
                && spec.holder_identity.as_deref() == Some(me.as_str())
            {
                spec.holder_identity = None;
                if let Err(error) = api.replace(&name, &PostParams::default(), &lease).await {
                    tracing::warn!(%error, "cannot release the leader Lease");
                }
            }
        };
        if tokio::time::timeout(self.timing().retry_period, give_up).await.is_err() {
            tracing::warn!("cannot release the leader Lease: no answer in time");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(holder: &str) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(holder.to_owned()),
            // A renew time far in the future: only the observed time counts.
            renew_time: Some(MicroTime(Timestamp::from_second(4_000_000_000).unwrap())),
            lease_duration_seconds: Some(15),
            ..LeaseSpec::default()
        }
    }

    #[test]
    fn take_free_or_unchanged_leases_renew_own_wait_for_changing_ones() {
        let ours = Duration::from_secs(6);
        let s = Duration::from_secs;
        assert_eq!(decide(None, "a", s(0), ours), Decision::Take);
        assert_eq!(decide(Some(&LeaseSpec::default()), "a", s(0), ours), Decision::Take);
        assert_eq!(decide(Some(&spec("a")), "a", s(0), ours), Decision::Renew);
        assert_eq!(decide(Some(&spec("b")), "a", s(14), ours), Decision::Wait);
        assert_eq!(decide(Some(&spec("b")), "a", s(15), ours), Decision::Take);
        let no_duration = LeaseSpec {
            lease_duration_seconds: None,
            ..spec("b")
        };
        assert_eq!(decide(Some(&no_duration), "a", s(5), ours), Decision::Wait);
        assert_eq!(decide(Some(&no_duration), "a", s(6), ours), Decision::Take);
    }

    #[test]
    fn the_leader_stops_before_another_may_start() {
        for lease in [6, 15, 60] {
            let t = Timing::for_lease(Duration::from_secs(lease));
            assert!(
                t.retry_period < t.renew_deadline && t.renew_deadline < t.lease_duration,
                "{t:?}"
            );
        }
    }
}
