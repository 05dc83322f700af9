//! What starts a function: an HTTP request, an item on a Redis list, or a schedule.

use k3score::exposure::{Host, HttpMethod, check_path};
use k3score::secrets::SecretKeyRef;
use k3score::workload::RestartPolicy;
use k3score::{ErrorKind, PathRef, Problems, Validate};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use k3score::cron::{check_cronjob_schedule, check_timezone};

/// Default `queue.length`: target list items per replica (KEDA's code default, REFERENCE §1d, KS3).
pub const DEFAULT_QUEUE_LENGTH: i32 = k3score::scaling::DEFAULT_LENGTH;
/// Default `schedule.successful_history`: Kubernetes' own default for CronJobs.
pub const DEFAULT_SUCCESSFUL_HISTORY: i32 = 3;
/// Default `schedule.failed_history`: Kubernetes' own default for CronJobs.
pub const DEFAULT_FAILED_HISTORY: i32 = 1;

/// What starts a function (`trigger:` in `functions.yaml`; one key, externally tagged).
///
/// ```
/// use k3sfn::Trigger;
/// let t: Trigger = k3score::yaml::from_yaml("http: {path: /orders, methods: [GET, POST]}").unwrap();
/// assert_eq!(t.kind(), "http");
/// let t: Trigger = k3score::yaml::from_yaml("schedule: {cron: '*/15 * * * *'}").unwrap();
/// assert_eq!(t.kind(), "schedule");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// HTTP requests through the KEDA HTTP add-on interceptor (scale to zero).
    Http(HttpTrigger),
    /// Items on a Redis list behind Redis Sentinel (KEDA `redis-sentinel`).
    Queue(QueueTrigger),
    /// A cron schedule (a Kubernetes CronJob).
    Schedule(ScheduleTrigger),
}

impl Trigger {
    /// `http`, `queue` or `schedule`: the YAML key, the `K3SFN_TRIGGER` value and the
    /// `app.kubernetes.io/component` label (`function-<kind>`).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::Http(_) => "http",
            Trigger::Queue(_) => "queue",
            Trigger::Schedule(_) => "schedule",
        }
    }
}

impl Validate for Trigger {
    /// Records every problem under `path` plus the variant key (`trigger.http.path`).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        match self {
            Trigger::Http(http) => http.validate(path.field("http"), problems),
            Trigger::Queue(queue) => queue.validate(path.field("queue"), problems),
            Trigger::Schedule(schedule) => schedule.validate(path.field("schedule"), problems),
        }
    }
}

/// An HTTP trigger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct HttpTrigger {
    /// The path prefix routed to the function (`/orders`).
    pub path: String,
    /// Methods the function answers; the runtime enforces them (`K3SFN_METHODS`), routes do
    /// not (k3score routes match host and path only). Default: any method.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<HttpMethod>,
    /// The route host; a short name gets the target's base domain. Default: the project's
    /// `host`, else the project name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<Host>,
}

impl HttpTrigger {
    /// An HTTP trigger on `path`, any method, the project's host.
    #[must_use]
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            methods: Vec::new(),
            host: None,
        }
    }
}

impl Validate for HttpTrigger {
    /// Records an invalid path or a repeated method.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        problems.check(path.field("path"), check_path(&self.path));
        for (i, method) in self.methods.iter().enumerate() {
            if self.methods[..i].contains(method) {
                problems.push(
                    path.field("methods").index(i),
                    ErrorKind::Duplicate {
                        what: "method",
                        name: method.as_str().to_owned(),
                    },
                );
            }
        }
    }
}

/// A queue trigger: a Redis list behind Redis Sentinel.
///
/// Sentinel addresses, master and passwords default to the project's `queue` block, so a
/// decorator only names the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct QueueTrigger {
    /// The Redis list to consume (`listName`).
    pub list: String,
    /// Target list items per replica (`listLength`, at least 1). Default: 5.
    #[serde(default = "default_length")]
    pub length: i32,
    /// Items needed to wake from zero (`activationListLength`). Default: KEDA's, 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_length: Option<i32>,
    /// Sentinel addresses, `host:port` each. Default: the project's `queue.addresses`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// The Sentinel master name. Default: the project's `queue.master`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<String>,
    /// Redis password from a Secret. Default: the project's `queue.password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretKeyRef>,
}

fn default_length() -> i32 {
    DEFAULT_QUEUE_LENGTH
}

impl QueueTrigger {
    /// A trigger on `list` with every default.
    #[must_use]
    pub fn new(list: impl Into<String>) -> Self {
        Self {
            list: list.into(),
            length: DEFAULT_QUEUE_LENGTH,
            activation_length: None,
            addresses: Vec::new(),
            master: None,
            password: None,
        }
    }
}

impl Validate for QueueTrigger {
    /// Nothing to check on its own: the merged KEDA spec is checked by the function
    /// (addresses may come from the project).
    fn validate(&self, _path: PathRef<'_>, _problems: &mut Problems) {}
}

/// Project-wide Redis Sentinel settings for queue triggers (`queue:` in `functions.yaml`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct QueueDefaults {
    /// Sentinel addresses, `host:port` each. Default: none (each trigger must name them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// The Sentinel master name. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<String>,
    /// Redis password from a Secret. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretKeyRef>,
    /// Sentinel password from a Secret. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentinel_password: Option<SecretKeyRef>,
}

pub use k3score::workload::ConcurrencyPolicy;

/// A schedule trigger, rendered as a CronJob.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ScheduleTrigger {
    /// 5-field cron (`*/15 * * * *`) or a descriptor (`@hourly`, `@daily` ...).
    pub cron: String,
    /// IANA time zone of `cron` (`Europe/Paris`). Default: the kube-controller-manager's (UTC
    /// on managed clusters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Overlapping runs. Default: `forbid`.
    #[serde(default)]
    pub concurrency_policy: ConcurrencyPolicy,
    /// Finished Jobs kept. Default: 3.
    #[serde(default = "default_successful")]
    pub successful_history: i32,
    /// Failed Jobs kept. Default: 1.
    #[serde(default = "default_failed")]
    pub failed_history: i32,
    /// Seconds after the due time a missed run may still start. Default: no deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_deadline: Option<i64>,
    /// Retries of a failed run (Job `backoffLimit`). Default: Kubernetes' 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// Restart policy of the run's pod: `on_failure` or `never`. Default: `on_failure`.
    #[serde(default = "default_restart")]
    pub restart_policy: RestartPolicy,
}

fn default_successful() -> i32 {
    DEFAULT_SUCCESSFUL_HISTORY
}

fn default_failed() -> i32 {
    DEFAULT_FAILED_HISTORY
}

fn default_restart() -> RestartPolicy {
    RestartPolicy::OnFailure
}

impl ScheduleTrigger {
    /// A schedule with every default.
    #[must_use]
    pub fn new(cron: impl Into<String>) -> Self {
        Self {
            cron: cron.into(),
            timezone: None,
            concurrency_policy: ConcurrencyPolicy::default(),
            successful_history: DEFAULT_SUCCESSFUL_HISTORY,
            failed_history: DEFAULT_FAILED_HISTORY,
            starting_deadline: None,
            retries: None,
            restart_policy: default_restart(),
        }
    }
}

impl Validate for ScheduleTrigger {
    /// Records an invalid cron, time zone, negative limits or an `always` restart policy.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        problems.check(path.field("cron"), check_cronjob_schedule(&self.cron));
        if let Some(tz) = &self.timezone {
            problems.check(path.field("timezone"), check_timezone(tz));
        }
        let non_negative = [
            ("successful_history", Some(i64::from(self.successful_history))),
            ("failed_history", Some(i64::from(self.failed_history))),
            ("starting_deadline", self.starting_deadline),
            ("retries", self.retries.map(i64::from)),
        ];
        for (field, value) in non_negative {
            if let Some(v) = value
                && v < 0
            {
                problems.push(
                    path.field(field),
                    ErrorKind::Invalid(format!("must not be negative, is {v}")),
                );
            }
        }
        match self.restart_policy {
            RestartPolicy::OnFailure | RestartPolicy::Never => {}
            RestartPolicy::Always => problems.push(
                path.field("restart_policy"),
                ErrorKind::Invalid("Jobs accept on_failure or never, not always".into()),
            ),
        }
    }
}
