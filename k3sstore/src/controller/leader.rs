//! Leader election on a `coordination.k8s.io/v1` Lease, the client-go way: the holder renews
//! `renewTime` every third of the lease duration; a candidate takes the Lease over once it
//! has not been renewed for a whole duration. Every write carries the `resourceVersion` it
//! read, so two candidates never both win (the loser gets `409 Conflict`).

use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::Api;
use kube::api::PostParams;

use crate::state::State;

/// What a candidate should do with the Lease it read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Nobody holds it (or the holder let it lapse): take it.
    Take,
    /// We hold it: renew it.
    Renew,
    /// Someone else holds it and renewed it in time: wait.
    Wait,
}

/// The decision for `me` on a Lease spec at `now` (pure: unit-tested).
#[must_use]
pub fn decide(spec: Option<&LeaseSpec>, me: &str, now: Timestamp) -> Decision {
    let Some(spec) = spec else { return Decision::Take };
    match spec.holder_identity.as_deref() {
        None | Some("") => Decision::Take,
        Some(holder) if holder == me => Decision::Renew,
        Some(_) => {
            let duration = i64::from(spec.lease_duration_seconds.unwrap_or(0));
            let renewed = spec.renew_time.as_ref().map_or(Timestamp::UNIX_EPOCH, |t| t.0);
            let expires = renewed
                .checked_add(jiff::SignedDuration::from_secs(duration))
                .unwrap_or(renewed);
            if expires < now { Decision::Take } else { Decision::Wait }
        }
    }
}

/// One attempt to take or keep the Lease; `Ok(true)` when this replica holds it afterwards.
pub async fn try_acquire(state: &State) -> Result<bool, kube::Error> {
    let config = &state.config;
    let (namespace, name) = &config.lease;
    let me = &config.instance;
    let api: Api<Lease> = Api::namespaced(state.client.clone(), namespace);
    let now = Timestamp::now();
    let duration = i32::try_from(config.lease_duration.as_secs()).unwrap_or(i32::MAX);
    let current = api.get_opt(name).await?;
    let decision = decide(current.as_ref().and_then(|l| l.spec.as_ref()), me, now);
    let previous = current.as_ref().and_then(|l| l.spec.clone()).unwrap_or_default();
    let spec = match decision {
        Decision::Wait => return Ok(false),
        Decision::Renew => LeaseSpec {
            renew_time: Some(MicroTime(now)),
            lease_duration_seconds: Some(duration),
            ..previous
        },
        Decision::Take => LeaseSpec {
            holder_identity: Some(me.clone()),
            acquire_time: Some(MicroTime(now)),
            renew_time: Some(MicroTime(now)),
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
                    namespace: Some(namespace.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(spec),
            };
            api.create(&PostParams::default(), &lease).await
        }
        Some(mut lease) => {
            // `metadata.resourceVersion` stays as read: a concurrent writer makes this a 409.
            lease.spec = Some(spec);
            api.replace(name, &PostParams::default(), &lease).await
        }
    };
    match result {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
        Err(error) => Err(error),
    }
}

/// Gives the Lease up (on shutdown) so another replica takes over at once.
pub async fn release(state: &State) {
    let (namespace, name) = &state.config.lease;
    let api: Api<Lease> = Api::namespaced(state.client.clone(), namespace);
    if let Ok(Some(mut lease)) = api.get_opt(name).await
        && let Some(spec) = lease.spec.as_mut()
        && spec.holder_identity.as_deref() == Some(state.config.instance.as_str())
    {
        spec.holder_identity = None;
        if let Err(error) = api.replace(name, &PostParams::default(), &lease).await {
            tracing::warn!(%error, "cannot release the leader Lease");
        }
    }
}

/// How often a candidate retries and a leader renews: a third of the lease duration.
#[must_use]
pub fn retry_period(state: &State) -> Duration {
    state.config.lease_duration / 3
}

/// Waits until this replica holds the Lease.
pub async fn acquire(state: &State) {
    loop {
        match try_acquire(state).await {
            Ok(true) => {
                tracing::info!(instance = %state.config.instance, "leader: reconciling");
                return;
            }
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "leader election"),
        }
        tokio::time::sleep(retry_period(state)).await;
    }
}

/// Renews the Lease until a renewal fails for a whole lease duration or another replica
/// holds it; returns when leadership is lost.
pub async fn hold(state: &State) {
    let mut last_renewal = std::time::Instant::now();
    loop {
        tokio::time::sleep(retry_period(state)).await;
        match try_acquire(state).await {
            Ok(true) => last_renewal = std::time::Instant::now(),
            Ok(false) => break,
            Err(error) => {
                tracing::warn!(%error, "cannot renew the leader Lease");
                if last_renewal.elapsed() >= state.config.lease_duration {
                    break;
                }
            }
        }
    }
    tracing::warn!(instance = %state.config.instance, "leadership lost");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(holder: &str, renewed: i64) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(holder.to_owned()),
            renew_time: Some(MicroTime(Timestamp::from_second(renewed).unwrap())),
            lease_duration_seconds: Some(15),
            ..LeaseSpec::default()
        }
    }

    #[test]
    fn take_free_or_lapsed_leases_renew_own_wait_for_live_ones() {
        let now = Timestamp::from_second(1_000).unwrap();
        assert_eq!(decide(None, "a", now), Decision::Take);
        assert_eq!(decide(Some(&LeaseSpec::default()), "a", now), Decision::Take);
        assert_eq!(decide(Some(&spec("a", 999)), "a", now), Decision::Renew);
        assert_eq!(decide(Some(&spec("b", 990)), "a", now), Decision::Wait);
        assert_eq!(decide(Some(&spec("b", 984)), "a", now), Decision::Take);
    }
}
