//! The keys of a compose file this crate reads, those it knows but does not translate, and
//! the problem an unknown one is (with "did you mean" when a known key is close).

use k3score::ErrorKind;

/// The top-level keys of a compose file besides `x-` extensions (the Compose Specification,
/// `compose-spec.json` there: `version`, `name`, `include`, `services`, `networks`, `volumes`,
/// `secrets`, `configs`).
pub(crate) const TOP_LEVEL_KEYS: &[&str] = &[
    "services", "volumes", "networks", "secrets", "configs", "name", "include", "version",
];

/// An unknown compose key (`what`: `top-level key`): the closest of `known` when one is close
/// (also as the error's suggestion), else the list.
pub(crate) fn unknown_key(key: &str, known: &[&str], what: &str) -> ErrorKind {
    let (hint, suggestion) = k3score::suggest::hint(key, known, "the keys here are");
    ErrorKind::Syntax {
        line: 0,
        column: 0,
        message: format!("unknown {what} {key:?}: {hint}"),
        suggestion,
    }
}

/// Service keys that are understood but not translated, with the reason.
const UNSUPPORTED: [(&str, &str); 52] = [
    ("attach", "log attachment is a CLI concern"),
    ("blkio_config", "no Kubernetes equivalent"),
    ("cgroup", "no Kubernetes equivalent"),
    ("cgroup_parent", "no Kubernetes equivalent"),
    (
        "container_name",
        "Kubernetes names pods itself; other services reach this one by its service name",
    ),
    ("cpu_count", "use cpus or deploy.resources"),
    ("cpu_percent", "use cpus or deploy.resources"),
    ("cpu_period", "use cpus or deploy.resources"),
    ("cpu_quota", "use cpus or deploy.resources"),
    ("cpu_rt_period", "no Kubernetes equivalent"),
    ("cpu_rt_runtime", "no Kubernetes equivalent"),
    ("cpu_shares", "use deploy.resources.reservations.cpus"),
    ("cpuset", "no Kubernetes equivalent"),
    ("credential_spec", "Windows only"),
    ("develop", "compose watch is a development tool; use Tilt live_update"),
    ("device_cgroup_rules", "no Kubernetes equivalent"),
    ("devices", "host devices need a device plugin"),
    ("dns", "the cluster DNS is used"),
    ("dns_opt", "the cluster DNS is used"),
    ("dns_search", "the cluster DNS is used"),
    ("domainname", "no Kubernetes equivalent"),
    ("driver_opts", "no Kubernetes equivalent"),
    (
        "external_links",
        "services outside the project are reached by their Service names",
    ),
    ("extra_hosts", "not translated (a pod's hostAliases)"),
    ("gpus", "use x-k3s resources on an App instead"),
    ("group_add", "not translated (supplementalGroups)"),
    ("init", "no Kubernetes equivalent"),
    ("ipc", "no Kubernetes equivalent"),
    ("isolation", "Windows only"),
    ("label_file", "not translated"),
    ("links", "services reach each other by their service names"),
    ("logging", "the cluster's logging applies"),
    ("mac_address", "no Kubernetes equivalent"),
    ("mem_swappiness", "no Kubernetes equivalent"),
    ("memswap_limit", "no Kubernetes equivalent"),
    ("oom_kill_disable", "no Kubernetes equivalent"),
    ("oom_score_adj", "no Kubernetes equivalent"),
    ("pid", "no Kubernetes equivalent"),
    ("pids_limit", "no Kubernetes equivalent"),
    ("platform", "the node's platform is used"),
    ("post_start", "not translated (lifecycle hooks)"),
    ("pre_stop", "not translated (lifecycle hooks)"),
    ("pull_policy", "the cluster's default pull policy applies"),
    ("runtime", "no Kubernetes equivalent"),
    ("security_opt", "the pod runs with the RuntimeDefault seccomp profile"),
    (
        "shm_size",
        "not translated (mount an emptyDir with medium Memory at /dev/shm)",
    ),
    ("stdin_open", "no Kubernetes equivalent"),
    ("stop_signal", "Kubernetes sends SIGTERM"),
    ("storage_opt", "no Kubernetes equivalent"),
    ("sysctls", "not translated (most sysctls are unsafe under Pod Security)"),
    ("tty", "no Kubernetes equivalent"),
    ("ulimits", "no Kubernetes equivalent"),
];
/// More keys of the same kind (kept apart to keep the table short).
const UNSUPPORTED_MORE: [&str; 5] = ["userns_mode", "uts", "volumes_from", "use_api_socket", "provider"];

/// What a service key that [`Service`](crate::model::Service) has no field for is.
pub(crate) enum ExtraKey {
    /// An `x-` extension or `annotations` (read by the Kompose labels).
    Ignored,
    /// A compose key with no Kubernetes equivalent: a warning saying so.
    Warning(String),
    /// No compose key: an error, with "did you mean" when a key is close.
    Unknown(ErrorKind),
}

/// Sorts a service key that [`Service`](crate::model::Service) has no field for (its `other` map).
pub(crate) fn extra_key(key: &str) -> ExtraKey {
    if key.starts_with("x-") || key == "annotations" {
        ExtraKey::Ignored
    } else if key == "scale" {
        ExtraKey::Warning("not supported: use deploy.replicas".into())
    } else if let Some((_, why)) = UNSUPPORTED.iter().find(|(k, _)| *k == key) {
        ExtraKey::Warning(format!("not supported: {why}"))
    } else if UNSUPPORTED_MORE.contains(&key) {
        ExtraKey::Warning("not supported: no Kubernetes equivalent".into())
    } else {
        let known: Vec<&str> = crate::model::SERVICE_KEYS
            .iter()
            .copied()
            .chain(UNSUPPORTED.iter().map(|(k, _)| *k))
            .chain(UNSUPPORTED_MORE)
            .chain(["scale", "annotations"])
            .collect();
        ExtraKey::Unknown(unknown_key(key, &known, "service key"))
    }
}
