//! Phase and conditions, derived from what the cluster says (pure, unit-tested).

use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

use crate::resource::{PROVISIONED, Phase, READY, StoreStatus};

/// Why provisioning cannot go on; the store is `Failed` with this reason and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocker {
    /// A CamelCase reason (`InvalidSpec`, `NamespaceConflict`, `ApplyFailed`).
    pub reason: &'static str,
    /// What went wrong, in the server's or the controller's words.
    pub message: String,
}

/// Ready replicas against desired ones for the current generation of one workload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Replicas {
    /// Replicas the workload asks for.
    pub desired: i32,
    /// Ready replicas reported for the current generation (0 while the status is older).
    pub ready: i32,
}

impl Replicas {
    /// Whether every desired replica is ready.
    #[must_use]
    pub fn is_ready(self) -> bool {
        self.ready >= self.desired
    }

    fn from_parts(generation: Option<i64>, observed: Option<i64>, desired: Option<i32>, ready: Option<i32>) -> Self {
        let current = generation.is_some() && observed >= generation;
        Replicas {
            desired: desired.unwrap_or(1),
            ready: if current { ready.unwrap_or(0) } else { 0 },
        }
    }

    /// A StatefulSet as its controller reports it.
    #[must_use]
    pub fn of_statefulset(set: &StatefulSet) -> Self {
        let status = set.status.as_ref();
        Self::from_parts(
            set.metadata.generation,
            status.and_then(|s| s.observed_generation),
            set.spec.replicas,
            status.and_then(|s| s.ready_replicas),
        )
    }

    /// A Deployment as its controller reports it.
    #[must_use]
    pub fn of_deployment(deployment: &Deployment) -> Self {
        let status = deployment.status.as_ref();
        Self::from_parts(
            deployment.metadata.generation,
            status.and_then(|s| s.observed_generation),
            deployment.spec.replicas,
            status.and_then(|s| s.ready_replicas),
        )
    }
}

/// What one reconcile saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// Why the bundle could not be applied, if it could not.
    pub blocker: Option<Blocker>,
    /// The Postgres StatefulSet.
    pub database: Replicas,
    /// The API Deployment.
    pub api: Replicas,
    /// A container of the store that cannot start without a change ([`super::pods::stuck`]):
    /// the store fails at once rather than at the deadline, and recovers once it is fixed.
    pub stuck: Option<Blocker>,
    /// Time the store has been waiting to be ready ([`unready_since`]).
    pub age: Duration,
    /// The provisioning deadline.
    pub deadline: Duration,
}

/// The phase, failure message and both conditions an observation gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The phase.
    pub phase: Phase,
    /// `status.message`: why the store failed.
    pub message: Option<String>,
    /// `Provisioned`: `(true|false, reason, message)`.
    pub provisioned: (bool, &'static str, String),
    /// `Ready`: `(true|false, reason, message)`.
    pub ready: (bool, &'static str, String),
}

/// The phase and conditions for an observation.
#[must_use]
pub fn derive(obs: &Observation) -> Verdict {
    let progress = format!(
        "database {}/{} ready, API {}/{} ready",
        obs.database.ready, obs.database.desired, obs.api.ready, obs.api.desired
    );
    if let Some(blocker) = &obs.blocker {
        return Verdict {
            phase: Phase::Failed,
            message: Some(blocker.message.clone()),
            provisioned: (false, blocker.reason, blocker.message.clone()),
            ready: (false, blocker.reason, blocker.message.clone()),
        };
    }
    let provisioned = (true, "Applied", "every object of the store is applied".to_owned());
    if obs.database.is_ready() && obs.api.is_ready() {
        return Verdict {
            phase: Phase::Ready,
            message: None,
            provisioned,
            ready: (true, "Ready", progress),
        };
    }
    if let Some(stuck) = &obs.stuck {
        return Verdict {
            phase: Phase::Failed,
            message: Some(stuck.message.clone()),
            provisioned,
            ready: (false, stuck.reason, stuck.message.clone()),
        };
    }
    if obs.age > obs.deadline {
        let message = format!(
            "not ready {}s after creation (deadline {}s): {progress}",
            obs.age.as_secs(),
            obs.deadline.as_secs()
        );
        return Verdict {
            phase: Phase::Failed,
            message: Some(message.clone()),
            provisioned,
            ready: (false, "DeadlineExceeded", message),
        };
    }
    Verdict {
        phase: Phase::Provisioning,
        message: None,
        provisioned,
        ready: (false, "Provisioning", progress),
    }
}

/// `conditions` with `kind` set; the transition time moves only when the status changes.
#[must_use]
pub fn set_condition(
    conditions: &[Condition],
    kind: &str,
    (status, reason, message): (bool, &str, String),
    generation: Option<i64>,
    now: Timestamp,
) -> Vec<Condition> {
    let status = if status { "True" } else { "False" }.to_owned();
    let previous = conditions.iter().find(|c| c.type_ == kind);
    let last_transition_time = match previous {
        Some(c) if c.status == status => c.last_transition_time.clone(),
        _ => Time(now),
    };
    let condition = Condition {
        type_: kind.to_owned(),
        status,
        reason: reason.to_owned(),
        message,
        observed_generation: generation,
        last_transition_time,
    };
    let mut out: Vec<Condition> = conditions.iter().filter(|c| c.type_ != kind).cloned().collect();
    out.push(condition);
    out.sort_by(|a, b| a.type_.cmp(&b.type_));
    out
}

/// The status a verdict gives, keeping transition times from `previous`.
#[must_use]
pub fn status_for(
    previous: Option<&StoreStatus>,
    verdict: &Verdict,
    url: String,
    generation: Option<i64>,
    now: Timestamp,
) -> StoreStatus {
    let conditions = previous.map_or(&[][..], |s| &s.conditions[..]);
    let conditions = set_condition(conditions, PROVISIONED, verdict.provisioned.clone(), generation, now);
    let conditions = set_condition(&conditions, READY, verdict.ready.clone(), generation, now);
    StoreStatus {
        phase: Some(verdict.phase),
        conditions,
        url: Some(url),
        observed_generation: generation,
        message: verdict.message.clone(),
    }
}

/// Since when the store has not been ready: its creation, or when its `Ready` condition
/// last turned false, or `now` when it was ready until this reconcile.
#[must_use]
pub fn unready_since(previous: Option<&StoreStatus>, created: Timestamp, now: Timestamp) -> Timestamp {
    let ready = previous.and_then(|s| s.conditions.iter().find(|c| c.type_ == READY));
    match ready {
        Some(c) if c.status == "True" => now,
        Some(c) => c.last_transition_time.0.max(created),
        None => created,
    }
}

/// Whether `Provisioned` was already true (the provisioning steps were announced).
#[must_use]
pub fn was_provisioned(status: Option<&StoreStatus>) -> bool {
    status
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == PROVISIONED))
        .is_some_and(|c| c.status == "True")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::{DeploymentSpec, DeploymentStatus, StatefulSetStatus};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    const MIN: Duration = Duration::from_secs(60);

    fn obs(database: (i32, i32), api: (i32, i32), age: Duration) -> Observation {
        Observation {
            blocker: None,
            database: Replicas {
                desired: database.0,
                ready: database.1,
            },
            api: Replicas {
                desired: api.0,
                ready: api.1,
            },
            stuck: None,
            age,
            deadline: 10 * MIN,
        }
    }

    #[test]
    fn a_stuck_container_fails_before_the_deadline_unless_the_store_is_ready() {
        let mut o = obs((1, 1), (1, 0), MIN);
        o.stuck = Some(Blocker {
            reason: "CrashLoopBackOff",
            message: "the API cannot start".to_owned(),
        });
        let v = derive(&o);
        assert_eq!(v.phase, Phase::Failed);
        assert_eq!(v.message.as_deref(), Some("the API cannot start"));
        assert!(v.provisioned.0, "the bundle was applied");
        assert_eq!(v.ready, (false, "CrashLoopBackOff", "the API cannot start".to_owned()));
        o.api.ready = 1;
        assert_eq!(derive(&o).phase, Phase::Ready, "enough replicas are ready");
    }

    #[test]
    fn provisioning_until_both_ready_then_ready() {
        assert_eq!(derive(&obs((1, 0), (1, 0), MIN)).phase, Phase::Provisioning);
        assert_eq!(derive(&obs((1, 1), (2, 1), MIN)).phase, Phase::Provisioning);
        let ready = derive(&obs((1, 1), (2, 2), MIN));
        assert_eq!(ready.phase, Phase::Ready);
        assert!(ready.ready.0);
        assert_eq!(ready.message, None);
    }

    #[test]
    fn deadline_fails_with_progress_and_healthy_later_is_ready() {
        let late = derive(&obs((1, 1), (1, 0), 11 * MIN));
        assert_eq!(late.phase, Phase::Failed);
        assert_eq!(late.ready.1, "DeadlineExceeded");
        assert_eq!(
            late.message.as_deref(),
            Some("not ready 660s after creation (deadline 600s): database 1/1 ready, API 0/1 ready")
        );
        assert!(late.provisioned.0, "the bundle was applied");
        assert_eq!(derive(&obs((1, 1), (1, 1), 11 * MIN)).phase, Phase::Ready);
    }

    #[test]
    fn blocker_fails_both_conditions_with_its_reason() {
        let mut o = obs((1, 1), (1, 1), MIN);
        o.blocker = Some(Blocker {
            reason: "NamespaceConflict",
            message: "namespace store-acme exists".to_owned(),
        });
        let v = derive(&o);
        assert_eq!(v.phase, Phase::Failed);
        assert_eq!(
            v.provisioned,
            (false, "NamespaceConflict", "namespace store-acme exists".to_owned())
        );
        assert_eq!(v.message.as_deref(), Some("namespace store-acme exists"));
    }

    #[test]
    fn replicas_count_only_for_the_current_generation() {
        let mut set = StatefulSet {
            metadata: ObjectMeta {
                generation: Some(2),
                ..ObjectMeta::default()
            },
            status: Some(StatefulSetStatus {
                observed_generation: Some(1),
                ready_replicas: Some(1),
                ..StatefulSetStatus::default()
            }),
            ..StatefulSet::default()
        };
        assert_eq!(Replicas::of_statefulset(&set), Replicas { desired: 1, ready: 0 });
        set.status.as_mut().unwrap().observed_generation = Some(2);
        assert!(Replicas::of_statefulset(&set).is_ready());
        let deployment = Deployment {
            metadata: ObjectMeta {
                generation: Some(1),
                ..ObjectMeta::default()
            },
            spec: DeploymentSpec {
                replicas: Some(2),
                ..DeploymentSpec::default()
            },
            status: Some(DeploymentStatus {
                observed_generation: Some(1),
                ready_replicas: Some(1),
                ..DeploymentStatus::default()
            }),
        };
        assert_eq!(Replicas::of_deployment(&deployment), Replicas { desired: 2, ready: 1 });
        assert!(!Replicas::of_deployment(&Deployment::default()).is_ready());
    }

    #[test]
    fn transition_time_moves_only_when_status_changes() {
        let t0 = Timestamp::from_second(1_000).unwrap();
        let t1 = Timestamp::from_second(2_000).unwrap();
        let first = set_condition(&[], READY, (false, "Provisioning", "a".to_owned()), Some(1), t0);
        let same = set_condition(&first, READY, (false, "Provisioning", "b".to_owned()), Some(1), t1);
        assert_eq!(same[0].last_transition_time, Time(t0));
        assert_eq!(same[0].message, "b");
        let flipped = set_condition(&same, READY, (true, "Ready", "c".to_owned()), Some(1), t1);
        assert_eq!(flipped[0].last_transition_time, Time(t1));
        assert_eq!(flipped.len(), 1);
        let both = set_condition(&flipped, PROVISIONED, (true, "Applied", String::new()), Some(1), t1);
        let kinds: Vec<&str> = both.iter().map(|c| c.type_.as_str()).collect();
        assert_eq!(kinds, [PROVISIONED, READY]);
    }

    #[test]
    fn the_deadline_restarts_when_a_ready_store_stops_being_ready() {
        let created = Timestamp::from_second(1_000).unwrap();
        let later = Timestamp::from_second(100_000).unwrap();
        let now = Timestamp::from_second(100_100).unwrap();
        assert_eq!(unready_since(None, created, now), created);
        let ready = derive(&obs((1, 1), (1, 1), MIN));
        let was_ready = status_for(None, &ready, String::new(), Some(1), later);
        assert_eq!(unready_since(Some(&was_ready), created, now), now);
        let unready = derive(&obs((1, 0), (1, 1), MIN));
        let then = status_for(Some(&was_ready), &unready, String::new(), Some(1), later);
        assert_eq!(unready_since(Some(&then), created, now), later);
        let never = status_for(None, &unready, String::new(), Some(1), created);
        assert_eq!(unready_since(Some(&never), created, now), created);
    }

    #[test]
    fn status_keeps_previous_times_and_reports_provisioned() {
        let t0 = Timestamp::from_second(1_000).unwrap();
        let t1 = Timestamp::from_second(2_000).unwrap();
        let v = derive(&obs((1, 0), (1, 0), MIN));
        let s0 = status_for(None, &v, "http://acme.localhost".to_owned(), Some(1), t0);
        assert!(was_provisioned(Some(&s0)));
        assert!(!was_provisioned(None));
        let s1 = status_for(Some(&s0), &v, "http://acme.localhost".to_owned(), Some(1), t1);
        assert_eq!(
            s0, s1,
            "an unchanged observation gives an unchanged status (no write, no loop)"
        );
    }
}
