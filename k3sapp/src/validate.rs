//! Validation of an [`App`]: every problem at once, each with its field path.

use std::collections::BTreeSet;

use k3score::names::check_dns1035_label;
use k3score::ports::PortRef as RoutePort;
use k3score::scaling::Scaling;
use k3score::workload::{AccessMode, MAX_CRONJOB_NAME, VolumeSource, Workload, WorkloadKind};
use k3score::{ErrorKind, Errors, PathRef, Problems, Validate};

use crate::spec::{App, AppSet};

/// Longest StatefulSet name whose pods' `controller-revision-hash` label stays within 63.
pub const MAX_STATEFUL_NAME: usize = 52;

impl Validate for App {
    /// Records every problem of the app under `path` (`apps[0]` in a list of apps).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        self.validate_with(&self.workload_spec(), path, problems);
    }
}

impl App {
    /// Checks the app; the error lists every problem with its path (`ports[1].name`). The
    /// same as [`Validate::check`].
    pub fn validate(&self) -> Result<(), Errors> {
        self.check()
    }

    /// Records every problem of the app under `path` (used for lists of apps): the same as
    /// [`Validate::validate`], which an inherent [`App::validate`] hides from method syntax.
    pub fn validate_at(&self, path: PathRef<'_>, problems: &mut Problems) {
        Validate::validate(self, path, problems);
    }

    /// [`Validate::validate`] with the workload input already built (rendering reuses it).
    pub(crate) fn validate_with(&self, workload: &Workload, path: PathRef<'_>, problems: &mut Problems) {
        problems.check(path.field("name"), check_dns1035_label(self.name.as_str()));
        // The pod label `controller-revision-hash` is `<name>-<10 chars>` and must fit in 63
        // (REFERENCE §12, V8).
        if self.workload == WorkloadKind::Stateful && self.name.as_str().len() > MAX_STATEFUL_NAME {
            problems.push(
                path.field("name"),
                ErrorKind::Invalid(format!(
                    "a stateful app's name must be at most {MAX_STATEFUL_NAME} characters, is {}",
                    self.name.as_str().len()
                )),
            );
        }
        if self.workload == WorkloadKind::CronJob && self.name.as_str().len() > MAX_CRONJOB_NAME {
            problems.push(
                path.field("name"),
                ErrorKind::Invalid(format!(
                    "a cron_job app's name must be at most {MAX_CRONJOB_NAME} characters (the controller \
                     appends 11 to its Jobs' names), is {}",
                    self.name.as_str().len()
                )),
            );
        }
        workload.validate(path, problems);
        self.controller().validate(path, problems);
        self.validate_kind_fit(path, problems);
        self.validate_service(path, problems);
        if let Some(security) = &self.security {
            security.validate(path.field("security"), problems);
        }
        self.scaling.validate(path.field("scaling"), problems);
        if let Some(pdb) = &self.pdb {
            pdb.validate(path.field("pdb"), problems);
        }
        if let Some(build) = &self.build {
            build.validate(path.field("build"), problems);
        }
        self.validate_replicas(path, problems);
        self.validate_shared_claims(path, problems);
        self.validate_scaling_needs(path, problems);
        self.validate_routes(path, problems);
        k3score::patch::validate(&self.objects, &self.patches, path, problems);
    }

    fn validate_service(&self, path: PathRef<'_>, problems: &mut Problems) {
        if let Some(monitoring) = &self.monitoring
            && !self.workload.runs_to_completion()
        {
            monitoring.validate(&self.ports, path.field("monitoring"), problems);
        }
        let Some(service) = &self.service else { return };
        let spath = path.field("service");
        service.validate(&self.ports, spath, problems);
        if self.ports.is_empty() && !self.workload.runs_to_completion() {
            problems.push(
                path.field("ports"),
                ErrorKind::Missing("a port for the Service in service".into()),
            );
        }
        // A StatefulSet's governing Service is headless (`clusterIP: None`), which only a
        // ClusterIP Service can be.
        if self.workload == WorkloadKind::Stateful && service.is_external() {
            self.workload.refuse(
                spath.field("type"),
                &format!("service type {}", service.type_.as_str()),
                "its Service is headless (clusterIP: None) to give each pod a stable name; expose it with another app",
                problems,
            );
        }
    }

    /// Fields that make no sense for the workload kind: a replica count, autoscaling and a PDB
    /// for DaemonSets, Jobs and CronJobs; routes and a readiness probe for Jobs and CronJobs.
    fn validate_kind_fit(&self, path: PathRef<'_>, problems: &mut Problems) {
        let kind = self.workload;
        if kind.has_replicas() {
            return;
        }
        let (replicas_why, pdb_why) = if kind == WorkloadKind::DaemonSet {
            (
                "a DaemonSet runs one pod on every node",
                "node drains skip DaemonSet pods (kubectl drain --ignore-daemonsets), so a budget guards nothing",
            )
        } else {
            (
                "a Job's pod count is job.parallelism and job.completions",
                "a Job's pods run to completion; a budget would only block node drains",
            )
        };
        if self.replicas.is_some() {
            kind.refuse(path.field("replicas"), "replicas", replicas_why, problems);
        }
        if !matches!(self.scaling, Scaling::None) {
            kind.refuse(path.field("scaling"), "scaling", replicas_why, problems);
        }
        if self.pdb.is_some() {
            kind.refuse(path.field("pdb"), "pdb", pdb_why, problems);
        }
        if kind.runs_to_completion() {
            let why = "a Job serves no traffic: it gets no Service; use a deployment";
            if self.service.is_some() {
                kind.refuse(path.field("service"), "service", why, problems);
            }
            if self.monitoring.is_some() {
                kind.refuse(
                    path.field("monitoring"),
                    "monitoring",
                    "a Job has no Service to scrape; push its metrics (Pushgateway) instead",
                    problems,
                );
            }
            if !self.expose.is_empty() {
                kind.refuse(path.field("expose"), "expose", why, problems);
            }
            if self.probes.readiness.is_some() {
                kind.refuse(
                    path.field("probes").field("readiness"),
                    "a readiness probe",
                    why,
                    problems,
                );
            }
        }
    }

    fn validate_replicas(&self, path: PathRef<'_>, problems: &mut Problems) {
        match self.replicas {
            Some(n) if n < 0 => {
                problems.push(
                    path.field("replicas"),
                    ErrorKind::Invalid("must not be negative".into()),
                );
            }
            Some(_) if !self.scaling.sets_replicas() => problems.push(
                path.field("replicas"),
                ErrorKind::Conflict("the autoscaler owns the replica count; set the scaling minimum instead".into()),
            ),
            _ => {}
        }
    }

    /// A ReadWriteOnce claim attaches to one node: several Deployment replicas spread over
    /// nodes would fail to start ("Multi-Attach error"). Stateful apps get one claim per replica.
    fn validate_shared_claims(&self, path: PathRef<'_>, problems: &mut Problems) {
        // A DaemonSet runs a pod on every node: one claim would be shared by all of them.
        if self.workload == WorkloadKind::Stateful
            || (self.workload != WorkloadKind::DaemonSet && self.min_replicas() < 2)
        {
            return;
        }
        let runs = if self.workload == WorkloadKind::DaemonSet {
            "a daemon_set runs a pod on every node; use access_mode: read_write_many".to_owned()
        } else {
            format!(
                "at least {} replicas run; use access_mode: read_write_many, workload: stateful, or one replica",
                self.min_replicas()
            )
        };
        for (i, volume) in self.volumes.iter().enumerate() {
            if let VolumeSource::Pvc(pvc) = &volume.source
                && matches!(
                    pvc.access_mode.unwrap_or(AccessMode::ReadWriteOnce),
                    AccessMode::ReadWriteOnce | AccessMode::ReadWriteOncePod
                )
            {
                problems.push(
                    path.field("volumes").index(i).field("pvc"),
                    ErrorKind::Conflict(format!(
                        "a {} claim attaches to one node, but {runs}",
                        pvc.access_mode.unwrap_or(AccessMode::ReadWriteOnce).as_str(),
                    )),
                );
            }
        }
    }

    fn validate_scaling_needs(&self, path: PathRef<'_>, problems: &mut Problems) {
        if let Scaling::Hpa(hpa) = &self.scaling {
            // An HPA utilization target is a percentage of the request (REFERENCE §1d, K1).
            if hpa.cpu.is_some() && self.resources.cpu.is_none() {
                problems.push(
                    path.field("resources").field("cpu"),
                    ErrorKind::Missing("a cpu request: scaling.hpa.cpu is a percentage of it".into()),
                );
            }
            if hpa.memory.is_some() && self.resources.memory.is_none() {
                problems.push(
                    path.field("resources").field("memory"),
                    ErrorKind::Missing("a memory request: scaling.hpa.memory is a percentage of it".into()),
                );
            }
        }
        if matches!(self.scaling, Scaling::KedaHttp(_)) {
            if self.ports.is_empty() {
                problems.push(
                    path.field("ports"),
                    ErrorKind::Missing("a port: keda_http scaling sends traffic to the app's Service".into()),
                );
            }
            if self.expose.is_empty() {
                problems.push(
                    path.field("expose"),
                    ErrorKind::Missing("a route: keda_http scaling counts the requests of the app's routes".into()),
                );
            }
        }
    }

    fn validate_routes(&self, path: PathRef<'_>, problems: &mut Problems) {
        if !self.expose.is_empty() && self.ports.is_empty() {
            problems.push(
                path.field("ports"),
                ErrorKind::Missing("a port for the routes in expose".into()),
            );
        }
        let mut hosts = BTreeSet::new();
        let exposes = path.field("expose");
        for (i, expose) in self.expose.iter().enumerate() {
            let epath = exposes.index(i);
            if let Some(port) = &expose.port {
                let known = match port {
                    RoutePort::Number(n) => self.ports.iter().any(|p| p.port == *n),
                    RoutePort::Name(name) => self.ports.iter().any(|p| p.name.as_str() == name.as_str()),
                };
                if !known {
                    problems.push(
                        epath.field("port"),
                        ErrorKind::Invalid(format!("port {port} is not one of the app's ports")),
                    );
                }
            }
            let route = self.route(i, expose);
            route.validate(epath, problems);
            for m in &route.paths {
                if !hosts.insert((route.host.as_str().to_owned(), m.path.clone())) {
                    problems.push(
                        epath.field("paths"),
                        ErrorKind::Duplicate {
                            what: "route",
                            name: format!("{}{}", route.host.as_str(), m.path),
                        },
                    );
                }
            }
        }
        if self.workload == WorkloadKind::Stateful && matches!(self.scaling, Scaling::KedaHttp(_)) {
            problems.push(
                path.field("scaling"),
                ErrorKind::Unsupported {
                    feature: "keda_http scaling".into(),
                    by: "stateful apps".into(),
                    why: "scale-to-zero of a StatefulSet drops its pods' identity; use a Deployment".into(),
                },
            );
        }
    }
}

impl Validate for AppSet {
    /// Records every problem of every app (`apps[i]...`), a repeated app name, and problems
    /// of the set's own objects and patches, under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        let mut names = BTreeSet::new();
        let apps = path.field("apps");
        for (i, app) in self.apps.iter().enumerate() {
            let path = apps.index(i);
            app.validate_at(path, problems);
            Self::check_name(app, &mut names, path, problems);
        }
        k3score::patch::validate(&self.objects, &self.patches, path, problems);
    }
}

impl AppSet {
    /// Checks every app (paths `apps[i]...`) and that app names are unique. The same as
    /// [`Validate::check`].
    pub fn validate(&self) -> Result<(), Errors> {
        self.check()
    }

    /// App names must be unique within the set.
    pub(crate) fn check_name<'a>(
        app: &'a App,
        names: &mut BTreeSet<&'a str>,
        path: PathRef<'_>,
        problems: &mut Problems,
    ) {
        if !names.insert(app.name.as_str()) {
            problems.push(
                path.field("name"),
                ErrorKind::Duplicate {
                    what: "app name",
                    name: app.name.to_string(),
                },
            );
        }
    }
}
