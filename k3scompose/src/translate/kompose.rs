//! Kompose's labels (`kompose.*` in a service's `labels`), as kubernetes/kompose
//! `docs/user-guide.md` ("Labels") describes them. Each one with a meaning in our model is
//! honoured; the others are reported by label:
//!
//! | label | here |
//! |---|---|
//! | `kompose.service.expose` (`true` or comma-separated `host[/path]`) | routes through the target's controller (`true`: the service name as host), first port |
//! | `kompose.service.expose.tls-secret`, `...ingress-class-name` | warnings: the target's TLS issuer and controller apply |
//! | `kompose.hpa.cpu`, `kompose.hpa.replicas.min` / `.max` | `scaling.hpa` (`max` required) |
//! | `kompose.volume.size`, `kompose.volume.storage-class-name` | size and class of the service's new claims (`x-k3s` on the volume wins) |
//! | `kompose.controller.type` | `statefulset` → `workload: stateful`, `daemonset` → `workload: daemon_set`; `deployment` as is |
//! | `kompose.service.type` | `nodeport` / `loadbalancer` → `service.type` (`clusterip` as is; `headless` a warning) |
//! | `kompose.service.nodeport.port` | `service.node_ports` of the first port (with `nodeport`) |
//! | `kompose.service.external-traffic-policy` | `service.external_traffic` (`cluster` or `local`) |
//! | `kompose.cronjob.schedule`, `.concurrency_policy`, `.backoff_limit` | `workload: cron_job` with that schedule, concurrency and `job.backoff_limit` |
//! | `kompose.init.containers.name` / `.image` / `.command` | an init container |
//! | `kompose.service.healthcheck.readiness.*` | the readiness probe (`test`, `interval`, `timeout`, `retries`, `start_period`, `http_get_path` / `_port`, `tcp_port`, `disable`) |
//! | `kompose.service.healthcheck.liveness.http_get_path` / `_port`, `.tcp_port` | the liveness probe's action |
//! | `kompose.security-context.fsgroup` | `fsGroup` |
//! | `kompose.image-pull-secret` | added to `image_pull_secrets` |
//! | `kompose.image-pull-policy` (`Always`, `IfNotPresent`, `Never`) | `image_pull_policy` (`x-k3s` wins) |
//! | `kompose.volume.type: persistentVolumeClaim` | as is (the default) |
//! | anything else (`headless`, `kompose.hpa.memory`, ...) | a warning naming the label |
//!
//! The cron job labels are Kompose's `kompose.cronjob.*` (kubernetes/kompose
//! `pkg/kobject/kobject.go`, `ServiceConfig.CronJob*`); `x-k3s` keys win over every label.

use std::collections::BTreeMap;

use k3sapp::{App, WorkloadKind};
use k3score::ErrorKind;
use k3score::FieldPath;
use k3score::exposure::{Expose, Host, PathKind, PathMatch};
use k3score::names::DnsSubdomain;
use k3score::quantity::Bytes;
use k3score::scaling::{Hpa, Scaling};
use k3score::workload::{
    ConcurrencyPolicy, CronJobSettings, ExternalTraffic, ImagePullPolicy, InitContainer, JobSettings, PortRef,
    ProbeAction, ServiceSettings, ServiceType,
};

use super::ServiceCx;
use crate::model::{Command, Healthcheck, Service};
use crate::scalars::{Flag, Num, shell_split};

/// The prefix of Kompose's labels.
const PREFIX: &str = "kompose.";
/// The prefix of the readiness labels.
const READINESS: &str = "kompose.service.healthcheck.readiness.";
/// The prefix of the cron job labels.
const CRONJOB: &str = "kompose.cronjob.";
/// The prefix of the liveness labels.
const LIVENESS: &str = "kompose.service.healthcheck.liveness.";

/// Why a label is not translated, by label (or label prefix ending in `.`).
const NOT_TRANSLATED: [(&str, &str); 8] = [
    (
        "kompose.hpa.memory",
        "scaling.hpa takes memory as a percentage of the request, not an amount",
    ),
    (
        "kompose.serviceaccount-name",
        "each service gets its own ServiceAccount without a token",
    ),
    ("kompose.service.group", "each service is its own pod"),
    ("kompose.controller.port.expose", "host ports are not used"),
    ("kompose.volume.sub-path", "use the long volume syntax's volume.subpath"),
    (
        "kompose.volume.type",
        "named volumes are claims, project files ConfigMaps",
    ),
    (
        "kompose.service.expose.ingress-class-name",
        "routes go through the target's ingress controller",
    ),
    (
        "kompose.service.expose.tls-secret",
        "TLS certificates come from the target's issuer",
    ),
];

/// The `kompose.*` labels of a service.
pub(super) fn labels(s: &Service) -> BTreeMap<String, String> {
    s.labels
        .as_ref()
        .map(crate::model::KeyValues::to_map)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k.starts_with(PREFIX))
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect()
}

/// A command label: `["CMD", "curl", ...]` (a flow sequence) or a string, split like a shell.
fn command_words(text: &str) -> Result<Vec<String>, String> {
    if text.trim_start().starts_with('[') {
        return k3score::yaml::from_yaml::<Vec<String>>(text).map_err(|e| format!("{text:?}: {e}"));
    }
    shell_split(text)
}

impl ServiceCx<'_> {
    fn label_path(&self, key: &str) -> FieldPath {
        self.path.field("labels").field(key.to_owned())
    }

    /// Size and storage class for the claims of the service's named volumes
    /// (`kompose.volume.size`, `kompose.volume.storage-class-name`).
    pub(super) fn kompose_claim(&mut self, s: &Service) -> (Option<Bytes>, Option<String>) {
        let labels = labels(s);
        let size = labels.get("kompose.volume.size").and_then(|text| {
            text.parse::<Bytes>()
                .map_err(|kind| self.error(self.label_path("kompose.volume.size"), kind))
                .ok()
        });
        (size, labels.get("kompose.volume.storage-class-name").cloned())
    }

    /// Applies the service's Kompose labels to its app.
    pub(super) fn kompose(&mut self, s: &Service, app: &mut App) {
        let labels = labels(s);
        if labels.is_empty() {
            return;
        }
        let ext = s.k3s.as_ref();
        for (key, value) in &labels {
            let path = self.label_path(key);
            match key.as_str() {
                "kompose.service.expose" => self.expose(value, &path, app, ext.is_some_and(|e| !e.expose.is_empty())),
                "kompose.service.type"
                | "kompose.service.nodeport.port"
                | "kompose.service.external-traffic-policy" => {}
                k if k.starts_with(CRONJOB) => {}
                "kompose.controller.type" => match value.to_ascii_lowercase().as_str() {
                    "deployment" => {}
                    _ if ext.and_then(|e| e.workload).is_some() => self.warn(path, "x-k3s workload is set and wins"),
                    "statefulset" => app.workload = WorkloadKind::Stateful,
                    "daemonset" => {
                        app.workload = WorkloadKind::DaemonSet;
                        app.replicas = None;
                    }
                    other => self.warn(
                        path,
                        format!("{other:?} is not translated: services run as Deployments, StatefulSets or DaemonSets"),
                    ),
                },
                "kompose.security-context.fsgroup" => match value.trim().parse::<i64>() {
                    Ok(gid) if gid > 0 => app.security_context.fs_group = Some(gid),
                    _ => self.error(path, ErrorKind::Invalid(format!("{value:?}: a group id above 0"))),
                },
                "kompose.image-pull-secret" => match value.trim().parse::<DnsSubdomain>() {
                    Ok(secret) if !app.image_pull_secrets.contains(&secret) => app.image_pull_secrets.push(secret),
                    Ok(_) => {}
                    Err(kind) => self.error(path, kind),
                },
                "kompose.image-pull-policy" => {
                    let policy = match value.trim() {
                        "Always" => ImagePullPolicy::Always,
                        "IfNotPresent" => ImagePullPolicy::IfNotPresent,
                        "Never" => ImagePullPolicy::Never,
                        other => {
                            self.error(
                                path,
                                ErrorKind::Invalid(format!("{other:?}: expected Always, IfNotPresent or Never")),
                            );
                            continue;
                        }
                    };
                    if app.image_pull_policy.is_some() {
                        self.warn(path, "x-k3s image_pull_policy is set and wins");
                    } else {
                        app.image_pull_policy = Some(policy);
                    }
                }
                "kompose.volume.size" | "kompose.volume.storage-class-name" => {}
                "kompose.volume.type" if value == "persistentVolumeClaim" => {}
                "kompose.hpa.cpu" | "kompose.hpa.replicas.min" | "kompose.hpa.replicas.max" => {}
                "kompose.init.containers.name"
                | "kompose.init.containers.image"
                | "kompose.init.containers.command" => {}
                k if k.starts_with(READINESS) || k.starts_with(LIVENESS) => {}
                k => match NOT_TRANSLATED
                    .iter()
                    .find(|(l, _)| k == *l || (l.ends_with('.') && k.starts_with(l)))
                {
                    Some((_, why)) => self.warn(path, format!("not translated: {why}")),
                    None => self.warn(path, "unknown Kompose label: not translated"),
                },
            }
        }
        self.kompose_service(&labels, app, ext.is_some_and(|e| e.service.is_some()));
        self.kompose_cron_job(
            &labels,
            app,
            ext.is_some_and(|e| e.workload.is_some() || e.cron_job.is_some()),
        );
        self.kompose_hpa(&labels, app, ext.is_some_and(|e| !matches!(e.scaling, Scaling::None)));
        self.kompose_init(&labels, app);
        self.kompose_probes(&labels, app);
    }

    /// `kompose.service.type`, `kompose.service.nodeport.port` and
    /// `kompose.service.external-traffic-policy` as the `service` block.
    fn kompose_service(&mut self, labels: &BTreeMap<String, String>, app: &mut App, explicit: bool) {
        const KEYS: [&str; 3] = [
            "kompose.service.type",
            "kompose.service.nodeport.port",
            "kompose.service.external-traffic-policy",
        ];
        let present: Vec<&str> = KEYS.into_iter().filter(|k| labels.contains_key(*k)).collect();
        if present.is_empty() {
            return;
        }
        if explicit {
            for key in present {
                self.warn(self.label_path(key), "x-k3s service is set and wins");
            }
            return;
        }
        let mut service = ServiceSettings::default();
        if let Some(value) = labels.get(KEYS[0]) {
            match value.to_ascii_lowercase().as_str() {
                "clusterip" => {}
                "nodeport" => service.type_ = ServiceType::NodePort,
                "loadbalancer" => service.type_ = ServiceType::LoadBalancer,
                _ => self.warn(
                    self.label_path(KEYS[0]),
                    format!("{value:?} is not translated: the Service is ClusterIP (nodeport and loadbalancer are translated)"),
                ),
            }
        }
        if let Some(value) = labels.get(KEYS[1]) {
            match (value.trim().parse::<u16>(), app.ports.first()) {
                (Ok(number), Some(port)) => {
                    service.node_ports.insert(port.name.clone(), number);
                }
                (Ok(_), None) => self.warn(self.label_path(KEYS[1]), "the service has no port: left out"),
                (Err(_), _) => self.error(
                    self.label_path(KEYS[1]),
                    ErrorKind::Invalid(format!("{value:?} is not a port number")),
                ),
            }
        }
        if let Some(value) = labels.get(KEYS[2]) {
            match value.to_ascii_lowercase().as_str() {
                "cluster" => service.external_traffic = Some(ExternalTraffic::Cluster),
                "local" => service.external_traffic = Some(ExternalTraffic::Local),
                _ => self.error(
                    self.label_path(KEYS[2]),
                    ErrorKind::Invalid(format!("{value:?}: cluster or local")),
                ),
            }
        }
        if service != ServiceSettings::default() {
            app.service = Some(service);
        }
    }

    /// `kompose.cronjob.schedule` (with `.concurrency_policy` and `.backoff_limit`): the
    /// service runs as a CronJob.
    fn kompose_cron_job(&mut self, labels: &BTreeMap<String, String>, app: &mut App, explicit: bool) {
        let Some(schedule) = labels.get("kompose.cronjob.schedule") else {
            for key in labels.keys().filter(|k| k.starts_with(CRONJOB)) {
                self.warn(self.label_path(key), "not translated without kompose.cronjob.schedule");
            }
            return;
        };
        if explicit {
            self.warn(
                self.label_path("kompose.cronjob.schedule"),
                "x-k3s workload or cron_job is set and wins",
            );
            return;
        }
        let mut cron = CronJobSettings {
            schedule: schedule.clone(),
            ..CronJobSettings::default()
        };
        if let Some(value) = labels.get("kompose.cronjob.concurrency_policy") {
            match value.to_ascii_lowercase().as_str() {
                "allow" => cron.concurrency = ConcurrencyPolicy::Allow,
                "forbid" => cron.concurrency = ConcurrencyPolicy::Forbid,
                "replace" => cron.concurrency = ConcurrencyPolicy::Replace,
                _ => self.error(
                    self.label_path("kompose.cronjob.concurrency_policy"),
                    ErrorKind::Invalid(format!("{value:?}: Allow, Forbid or Replace")),
                ),
            }
        }
        if let Some(value) = labels.get("kompose.cronjob.backoff_limit") {
            match value.trim().parse::<i32>() {
                Ok(n) => app.job.get_or_insert_with(JobSettings::default).backoff_limit = Some(n),
                Err(_) => self.error(
                    self.label_path("kompose.cronjob.backoff_limit"),
                    ErrorKind::Invalid(format!("{value:?} is not a number")),
                ),
            }
        }
        for key in labels.keys().filter(|k| k.starts_with(CRONJOB)) {
            if !matches!(
                key.as_str(),
                "kompose.cronjob.schedule" | "kompose.cronjob.concurrency_policy" | "kompose.cronjob.backoff_limit"
            ) {
                self.warn(self.label_path(key), "unknown Kompose label: not translated");
            }
        }
        app.workload = WorkloadKind::CronJob;
        app.cron_job = Some(cron);
        app.replicas = None;
        app.strategy = None;
    }

    fn expose(&mut self, value: &str, path: &FieldPath, app: &mut App, explicit: bool) {
        if explicit {
            self.warn(path.clone(), "x-k3s expose is set and wins");
            return;
        }
        if value.trim().eq_ignore_ascii_case("false") {
            return;
        }
        if value.trim().eq_ignore_ascii_case("true") {
            app.expose.push(Expose::default());
            return;
        }
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (host, route_path) = match entry.split_once('/') {
                Some((host, rest)) => (host, Some(format!("/{rest}"))),
                None => (entry, None),
            };
            let host = match host.parse::<Host>() {
                Ok(host) => host,
                Err(kind) => {
                    self.error(path.clone(), kind);
                    continue;
                }
            };
            app.expose.push(Expose {
                host: Some(host),
                paths: route_path
                    .map(|p| PathMatch {
                        path: p,
                        kind: PathKind::Prefix,
                    })
                    .into_iter()
                    .collect(),
                ..Expose::default()
            });
        }
    }

    fn kompose_hpa(&mut self, labels: &BTreeMap<String, String>, app: &mut App, explicit: bool) {
        let number = |me: &mut Self, key: &str| -> Option<i32> {
            let text = labels.get(key)?;
            match text.trim().trim_end_matches('%').parse::<i32>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    me.error(
                        me.label_path(key),
                        ErrorKind::Invalid(format!("{text:?}: a positive whole number")),
                    );
                    None
                }
            }
        };
        let cpu = number(self, "kompose.hpa.cpu");
        let min = number(self, "kompose.hpa.replicas.min");
        let max = number(self, "kompose.hpa.replicas.max");
        if cpu.is_none() && min.is_none() && max.is_none() {
            return;
        }
        if explicit {
            self.warn(
                self.label_path("kompose.hpa.replicas.max"),
                "x-k3s scaling is set and wins",
            );
            return;
        }
        let Some(max) = max else {
            self.error(
                self.label_path("kompose.hpa.replicas.max"),
                ErrorKind::Missing("the most replicas: scaling.hpa needs a maximum".into()),
            );
            return;
        };
        app.scaling = Scaling::Hpa(Hpa {
            min: min.unwrap_or(1),
            max,
            cpu,
            memory: None,
            behavior: None,
        });
    }

    fn kompose_init(&mut self, labels: &BTreeMap<String, String>, app: &mut App) {
        let image = labels.get("kompose.init.containers.image");
        let Some(image) = image else {
            for key in ["kompose.init.containers.name", "kompose.init.containers.command"] {
                if labels.contains_key(key) {
                    self.error(
                        self.label_path(key),
                        ErrorKind::Missing("kompose.init.containers.image".into()),
                    );
                }
            }
            return;
        };
        let name_path = self.label_path("kompose.init.containers.name");
        let name = labels
            .get("kompose.init.containers.name")
            .map_or("init", String::as_str);
        let Ok(name) = name.parse() else {
            self.error(name_path, ErrorKind::Invalid(format!("{name:?}: a DNS label")));
            return;
        };
        let command = match labels.get("kompose.init.containers.command").map(|c| command_words(c)) {
            Some(Ok(words)) => words,
            Some(Err(e)) => {
                self.error(
                    self.label_path("kompose.init.containers.command"),
                    ErrorKind::Invalid(e),
                );
                return;
            }
            None => Vec::new(),
        };
        app.init_containers.push(InitContainer {
            name,
            image: image.clone(),
            command,
            args: Vec::new(),
        });
    }

    fn kompose_probes(&mut self, labels: &BTreeMap<String, String>, app: &mut App) {
        let get = |prefix: &str, key: &str| labels.get(&format!("{prefix}{key}")).cloned();
        let port = |me: &mut Self, prefix: &str, key: &str| -> Option<PortRef> {
            let text = get(prefix, key)?;
            match text.trim().parse::<u16>() {
                Ok(n) if n > 0 => Some(PortRef::Number(n)),
                _ => {
                    me.error(
                        me.label_path(&format!("{prefix}{key}")),
                        ErrorKind::Invalid(format!("{text:?}: a port number")),
                    );
                    None
                }
            }
        };
        let action = |me: &mut Self, prefix: &str| -> Option<ProbeAction> {
            if let Some(path) = get(prefix, "http_get_path") {
                return Some(ProbeAction::Http {
                    path,
                    port: port(me, prefix, "http_get_port"),
                    scheme: k3score::workload::Scheme::Http,
                });
            }
            port(me, prefix, "tcp_port").map(ProbeAction::Tcp)
        };
        if let Some(liveness) = action(self, LIVENESS) {
            let mut probe = app
                .probes
                .liveness
                .take()
                .unwrap_or_else(|| default_probe(liveness.clone()));
            probe.action = liveness;
            app.probes.liveness = Some(probe);
        }
        if !labels.keys().any(|k| k.starts_with(READINESS)) {
            return;
        }
        let disable = get(READINESS, "disable").is_some_and(|d| Flag::from_text(&d) == Some(true));
        if disable {
            app.probes.readiness = None;
            return;
        }
        let test = match get(READINESS, "test").map(|t| command_words(&t)) {
            Some(Ok(words)) if matches!(words.first().map(String::as_str), Some("CMD" | "CMD-SHELL" | "NONE")) => {
                Some(Command::Exec(words))
            }
            Some(Ok(words)) => Some(Command::Exec([vec!["CMD".to_owned()], words].concat())),
            Some(Err(e)) => {
                self.error(self.label_path(&format!("{READINESS}test")), ErrorKind::Invalid(e));
                return;
            }
            None => None,
        };
        let action = action(self, READINESS);
        let healthcheck = Healthcheck {
            // Only the timings matter when the action comes from http_get_path or tcp_port.
            test: test.or_else(|| {
                action
                    .as_ref()
                    .map(|_| Command::Exec(vec!["CMD".into(), "true".into()]))
            }),
            interval: get(READINESS, "interval"),
            timeout: get(READINESS, "timeout"),
            retries: get(READINESS, "retries").and_then(|r| r.trim().parse().ok().map(Num)),
            start_period: get(READINESS, "start_period"),
            ..Healthcheck::default()
        };
        let base = self
            .path
            .field("labels")
            .field(READINESS.trim_end_matches('.').to_owned());
        let mut probe = self.probes_at(Some(&healthcheck), &base).readiness;
        if let (Some(p), Some(action)) = (probe.as_mut(), action) {
            p.action = action;
        }
        if probe.is_some() {
            app.probes.readiness = probe;
        }
    }
}

/// A probe with compose's healthcheck defaults (30 s period and timeout, 3 retries).
fn default_probe(action: ProbeAction) -> k3score::workload::Probe {
    k3score::workload::Probe {
        action,
        initial_delay: None,
        period: Some(super::HEALTHCHECK_INTERVAL),
        timeout: Some(super::HEALTHCHECK_TIMEOUT),
        success_threshold: None,
        failure_threshold: Some(super::HEALTHCHECK_RETRIES),
    }
}
