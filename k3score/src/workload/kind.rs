//! Which controller runs a workload, and its settings: the `workload` kind, `job`, `cron_job`,
//! `strategy`, `min_ready` and `revision_history` spec blocks, and the checks of which of them
//! (and of the caller's Service, autoscaling and PDB) fit which kind.
//!
//! ```yaml
//! workload: cron_job
//! cron_job: {schedule: "0 3 * * *", time_zone: Europe/Paris, concurrency: forbid, history: {successful: 3, failed: 1}}
//! job: {backoff_limit: 2, active_deadline: 3600, ttl_after_finished: 86400}
//! ```
//!
//! Rendering is in [`Controller::render`] (`controller.rs`).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::container::RestartPolicy;
use crate::cron::{check_cronjob_schedule, check_timezone};
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::quantity::IntOrPercent;

/// Longest CronJob name: the controller appends 11 characters to Job names (REFERENCE §12, V7).
pub const MAX_CRONJOB_NAME: usize = 52;

/// Which controller runs the workload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WorkloadKind {
    /// A `Deployment` with a ClusterIP `Service`: stateless, interchangeable replicas.
    #[default]
    Deployment,
    /// A `StatefulSet` with volume claim templates and a headless `Service`: stable identity
    /// and storage per replica (databases such as Postgres).
    Stateful,
    /// A `DaemonSet`: one pod on every node (log shippers, node agents); no replica count,
    /// autoscaling or PDB.
    DaemonSet,
    /// A `Job`: pods that run to completion once (a migration); no Service, autoscaling or PDB.
    Job,
    /// A `CronJob`: a Job on a schedule (a backup); no Service, autoscaling or PDB.
    CronJob,
}

impl WorkloadKind {
    /// The spec spelling (`deployment`, `stateful`, `daemon_set`, `job`, `cron_job`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::Stateful => "stateful",
            WorkloadKind::DaemonSet => "daemon_set",
            WorkloadKind::Job => "job",
            WorkloadKind::CronJob => "cron_job",
        }
    }

    /// The Kubernetes kind it renders (`Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob`).
    #[must_use]
    pub fn k8s_kind(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::Stateful => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }

    /// Jobs and CronJobs: pods that finish, serve no traffic and take no Service.
    #[must_use]
    pub fn runs_to_completion(self) -> bool {
        matches!(self, WorkloadKind::Job | WorkloadKind::CronJob)
    }

    /// Deployments and StatefulSets: a replica count, autoscaling and a PDB make sense.
    #[must_use]
    pub fn has_replicas(self) -> bool {
        matches!(self, WorkloadKind::Deployment | WorkloadKind::Stateful)
    }

    /// Records that `feature` (the spec field at `path`) does not fit this kind, with `why`
    /// (what to do instead): `scaling: scaling is not supported by workload: job: ...`.
    ///
    /// ```
    /// use k3score::workload::WorkloadKind;
    /// use k3score::{PathRef, Problems};
    /// let mut problems = Problems::default();
    /// WorkloadKind::Job.refuse(PathRef::ROOT.field("scaling"), "scaling", "a Job runs to completion", &mut problems);
    /// assert_eq!(
    ///     problems.finish(()).unwrap_err().to_string(),
    ///     "scaling: scaling is not supported by workload: job: a Job runs to completion"
    /// );
    /// ```
    pub fn refuse(self, path: PathRef<'_>, feature: &str, why: &str, problems: &mut Problems) {
        problems.push(
            path,
            ErrorKind::Unsupported {
                feature: feature.to_owned(),
                by: format!("workload: {}", self.as_str()),
                why: why.to_owned(),
            },
        );
    }
}

/// The Job settings of a `job` or `cron_job` workload (`job:` in YAML).
///
/// ```yaml
/// job: {backoff_limit: 2, completions: 1, parallelism: 1, active_deadline: 3600, ttl_after_finished: 86400}
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct JobSettings {
    /// Retries before the Job fails (`backoffLimit`). Default: Kubernetes' 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_limit: Option<i32>,
    /// Successful pods needed (`completions`). Default: Kubernetes' 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completions: Option<i32>,
    /// Pods running at once (`parallelism`). Default: Kubernetes' 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i32>,
    /// Seconds the Job may run before it is stopped (`activeDeadlineSeconds`). Default: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_deadline: Option<i64>,
    /// Seconds a finished Job is kept before it is deleted (`ttlSecondsAfterFinished`).
    /// Default: kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_after_finished: Option<i32>,
}

/// What a CronJob does when a run is due while the previous one still runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConcurrencyPolicy {
    /// Start the new run too (Kubernetes' default).
    Allow,
    /// Skip the new run. Our default: a job run twice at once rarely does what its author meant.
    #[default]
    Forbid,
    /// Stop the running one and start the new one.
    Replace,
}

impl ConcurrencyPolicy {
    /// The Kubernetes spelling (`Allow`, `Forbid`, `Replace`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ConcurrencyPolicy::Allow => "Allow",
            ConcurrencyPolicy::Forbid => "Forbid",
            ConcurrencyPolicy::Replace => "Replace",
        }
    }
}

/// Finished Jobs a CronJob keeps (`history:` in YAML).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct History {
    /// Successful Jobs kept (`successfulJobsHistoryLimit`). Default: Kubernetes' 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful: Option<i32>,
    /// Failed Jobs kept (`failedJobsHistoryLimit`). Default: Kubernetes' 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<i32>,
}

/// The schedule of a `cron_job` workload (`cron_job:` in YAML).
///
/// ```
/// use k3score::workload::{ConcurrencyPolicy, CronJobSettings};
/// let c: CronJobSettings = k3score::yaml::from_yaml("{schedule: '0 3 * * *', time_zone: Europe/Paris}").unwrap();
/// assert_eq!(c.concurrency, ConcurrencyPolicy::Forbid);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct CronJobSettings {
    /// 5-field cron (`0 3 * * *`) or a descriptor (`@daily`), as the CronJob controller reads it.
    pub schedule: String,
    /// IANA time zone of `schedule` (`Europe/Paris`). Default: the kube-controller-manager's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Overlapping runs: `allow`, `forbid` or `replace`. Default: `forbid`.
    #[serde(default)]
    pub concurrency: ConcurrencyPolicy,
    /// No new runs while true. Default: false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspend: bool,
    /// Finished Jobs kept. Default: Kubernetes' (3 successful, 1 failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
}

/// How a Deployment, StatefulSet or DaemonSet replaces its pods (`strategy:` in YAML):
/// `{rolling: {max_surge, max_unavailable}}` or `recreate` (Deployment),
/// `{rolling: {partition}}` or `on_delete` (StatefulSet), `{rolling: {max_surge,
/// max_unavailable}}` or `on_delete` (DaemonSet).
///
/// ```
/// use k3score::workload::Strategy;
/// let s: Strategy = k3score::yaml::from_yaml("rolling: {max_surge: 25%, max_unavailable: 0}").unwrap();
/// assert!(matches!(s, Strategy::Rolling(_)));
/// assert_eq!(k3score::yaml::from_yaml::<Strategy>("recreate").unwrap(), Strategy::Recreate);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Replace pods a few at a time (`RollingUpdate`).
    Rolling(RollingUpdate),
    /// Stop every pod, then start the new ones (Deployment `Recreate`).
    Recreate,
    /// Replace a pod only when it is deleted (StatefulSet and DaemonSet `OnDelete`).
    OnDelete,
}

/// The settings of a rolling update.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct RollingUpdate {
    /// Pods above the desired count during the update, a count or a percentage (Deployment,
    /// DaemonSet). Default: Kubernetes' 25% (Deployment), 0 (DaemonSet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<IntOrPercent>,
    /// Pods that may be unavailable during the update (Deployment, DaemonSet). Default:
    /// Kubernetes' 25% (Deployment), 1 (DaemonSet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrPercent>,
    /// Only pods with an ordinal at least this are updated (StatefulSet canaries). Default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
}

/// Everything about the controller besides the pod template: the plain render input the app
/// crates fill from their spec fields, as [`super::Workload`] is for the pod.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Controller {
    /// The kind.
    pub kind: WorkloadKind,
    /// Replica count (Deployment, StatefulSet); `None` leaves it to an autoscaler.
    pub replicas: Option<i32>,
    /// The update strategy. Default: Kubernetes' rolling update.
    pub strategy: Option<Strategy>,
    /// Seconds a new pod must be ready before it counts as available (`minReadySeconds`).
    pub min_ready: Option<i32>,
    /// Old ReplicaSets / revisions kept (`revisionHistoryLimit`).
    pub revision_history: Option<i32>,
    /// Job settings (`job`, `cron_job`).
    pub job: Option<JobSettings>,
    /// The schedule (`cron_job`, required there).
    pub cron_job: Option<CronJobSettings>,
}

fn non_negative(path: PathRef<'_>, value: Option<i64>, problems: &mut Problems) {
    if let Some(v) = value
        && v < 0
    {
        problems.push(path, ErrorKind::Invalid(format!("must not be negative, is {v}")));
    }
}

impl Controller {
    /// The pod restart policy the kind needs: `OnFailure` for Jobs and CronJobs (Kubernetes
    /// accepts only `OnFailure` and `Never` there), none (Kubernetes' `Always`) otherwise.
    #[must_use]
    pub fn restart_policy(&self) -> Option<RestartPolicy> {
        self.kind.runs_to_completion().then_some(RestartPolicy::OnFailure)
    }

    fn validate_strategy(&self, path: PathRef<'_>, problems: &mut Problems) {
        let Some(strategy) = &self.strategy else { return };
        let kind = self.kind;
        match (strategy, kind) {
            (Strategy::Recreate, WorkloadKind::Stateful | WorkloadKind::DaemonSet) => kind.refuse(
                path,
                "strategy: recreate",
                "use on_delete, or rolling: {partition} (StatefulSet)",
                problems,
            ),
            (Strategy::OnDelete, WorkloadKind::Deployment) => kind.refuse(
                path,
                "strategy: on_delete",
                "use recreate or rolling: {max_surge, max_unavailable}",
                problems,
            ),
            (Strategy::Rolling(rolling), _) => {
                let rpath = path.field("rolling");
                if kind == WorkloadKind::Stateful {
                    for (field, set) in [
                        ("max_surge", rolling.max_surge.is_some()),
                        ("max_unavailable", rolling.max_unavailable.is_some()),
                    ] {
                        if set {
                            kind.refuse(
                                rpath.field(field),
                                field,
                                "a StatefulSet updates one pod at a time; use partition",
                                problems,
                            );
                        }
                    }
                } else if rolling.partition.is_some() {
                    kind.refuse(
                        rpath.field("partition"),
                        "partition",
                        "partition is a StatefulSet setting (workload: stateful)",
                        problems,
                    );
                }
                non_negative(rpath.field("partition"), rolling.partition.map(i64::from), problems);
                if let (
                    Some(IntOrPercent::Int(0) | IntOrPercent::Percent(0)),
                    Some(IntOrPercent::Int(0) | IntOrPercent::Percent(0)),
                ) = (rolling.max_surge, rolling.max_unavailable)
                {
                    problems.push(
                        rpath,
                        ErrorKind::Invalid(
                            "max_surge and max_unavailable cannot both be 0: the update could not progress".into(),
                        ),
                    );
                }
            }
            _ => {}
        }
    }
}

impl Validate for Controller {
    /// Records every problem of the controller fields under `path` (`strategy`, `min_ready`,
    /// `revision_history`, `job`, `cron_job` at the paths of those keys): a field that does not
    /// fit the kind, a missing schedule, negative counts, a bad cron expression or time zone.
    ///
    /// ```
    /// use k3score::workload::{Controller, Strategy, WorkloadKind};
    /// use k3score::Validate;
    /// let c = Controller { kind: WorkloadKind::Stateful, strategy: Some(Strategy::Recreate), ..Default::default() };
    /// assert!(c.check().unwrap_err().to_string().starts_with("strategy: "));
    /// ```
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        let kind = self.kind;
        if kind.runs_to_completion() {
            let why = "a Job's pods run to completion, once; they are not rolled";
            if self.strategy.is_some() {
                kind.refuse(path.field("strategy"), "strategy", why, problems);
            }
            if self.min_ready.is_some() {
                kind.refuse(path.field("min_ready"), "min_ready", why, problems);
            }
            if self.revision_history.is_some() {
                kind.refuse(path.field("revision_history"), "revision_history", why, problems);
            }
        } else {
            self.validate_strategy(path.field("strategy"), problems);
            non_negative(path.field("min_ready"), self.min_ready.map(i64::from), problems);
            non_negative(
                path.field("revision_history"),
                self.revision_history.map(i64::from),
                problems,
            );
            if self.job.is_some() {
                kind.refuse(
                    path.field("job"),
                    "job",
                    "Job settings need workload: job or workload: cron_job",
                    problems,
                );
            }
        }
        if let Some(job) = &self.job {
            let jpath = path.field("job");
            non_negative(jpath.field("backoff_limit"), job.backoff_limit.map(i64::from), problems);
            non_negative(jpath.field("parallelism"), job.parallelism.map(i64::from), problems);
            non_negative(
                jpath.field("ttl_after_finished"),
                job.ttl_after_finished.map(i64::from),
                problems,
            );
            for (field, value) in [
                ("completions", job.completions.map(i64::from)),
                ("active_deadline", job.active_deadline),
            ] {
                if let Some(v) = value
                    && v < 1
                {
                    problems.push(
                        jpath.field(field),
                        ErrorKind::Invalid(format!("must be at least 1, is {v}")),
                    );
                }
            }
        }
        match (&self.cron_job, kind) {
            (None, WorkloadKind::CronJob) => problems.push(
                path.field("cron_job"),
                ErrorKind::Missing("the schedule of workload: cron_job (cron_job: {schedule: \"0 3 * * *\"})".into()),
            ),
            (Some(_), WorkloadKind::CronJob) | (None, _) => {}
            (Some(_), _) => kind.refuse(
                path.field("cron_job"),
                "cron_job",
                "a schedule needs workload: cron_job",
                problems,
            ),
        }
        if let Some(cron) = &self.cron_job {
            let cpath = path.field("cron_job");
            problems.check(cpath.field("schedule"), check_cronjob_schedule(&cron.schedule));
            if let Some(tz) = &cron.time_zone {
                problems.check(cpath.field("time_zone"), check_timezone(tz));
            }
            if let Some(history) = &cron.history {
                let hpath = cpath.field("history");
                non_negative(hpath.field("successful"), history.successful.map(i64::from), problems);
                non_negative(hpath.field("failed"), history.failed.map(i64::from), problems);
            }
        }
    }
}
