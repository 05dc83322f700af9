//! One compose service → one [`App`]: image, build, command, ports, env, probes, resources.

use std::collections::BTreeMap;

use k3sapp::{App, Build};
use k3score::identity::ServiceAccountSpec;
use k3score::names::{EnvVarName, PortName};
use k3score::ports::{Port, Protocol};
use k3score::quantity::Cpu;
use k3score::resources::{Limits, Resources};
use k3score::workload::{Env, EnvValue, Probe, ProbeAction, Probes};
use k3score::{ErrorKind, FieldPath};

use super::{HEALTHCHECK_INTERVAL, HEALTHCHECK_RETRIES, HEALTHCHECK_TIMEOUT, ServiceCx};
use crate::Warning;
use crate::keys::{ExtraKey, extra_key};
use crate::model::{Command, Healthcheck, PortSpec, Service};
use crate::scalars::{byte_size, dns_label, duration_seconds, shell_split};

/// More ports than this in one range is almost certainly a mistake (each becomes a Service port).
const MAX_PORT_RANGE: u32 = 100;

impl ServiceCx<'_> {
    pub(super) fn translate(&mut self, s: &Service) -> Option<App> {
        let app_name = dns_label(self.name);
        if app_name.as_str() != self.name {
            self.warn(
                self.path.clone(),
                format!("renamed to {app_name:?} (Kubernetes names are lowercase DNS labels): other services must use this host name"),
            );
        }
        let (image, build) = self.image(s);
        let command = self.command(s.entrypoint.as_ref(), "entrypoint");
        let args = self.command(s.command.as_ref(), "command");
        let ports = self.ports(s);
        let env = self.environment(s);
        let probes = self.probes(s.healthcheck.as_ref());
        let resources = self.resources(s);
        let replicas = self.replicas(s);
        let mut termination_grace_period = None;
        if let Some(grace) = &s.stop_grace_period {
            match duration_seconds(grace) {
                Ok(secs) => termination_grace_period = i64::try_from(secs).ok(),
                Err(e) => self.error(self.path.field("stop_grace_period"), ErrorKind::Invalid(e)),
            }
        }
        let mut patch = super::PodPatch::default();
        self.labels(s, &mut patch);
        if let Some(hostname) = &s.hostname {
            match k3score::names::check_dns1123_label(hostname) {
                Ok(()) => patch.hostname = Some(hostname.clone()),
                Err(kind) => self.error(self.path.field("hostname"), kind),
            }
        }
        let security_context = self.security(s, &mut patch);
        let mut storage = super::storage::Mounts::default();
        self.volumes(s, &mut storage);
        self.tmpfs(s, &mut storage);
        self.secrets(s, &mut storage);
        self.configs(s, &mut storage);
        self.env_files(s, &mut storage);
        self.restart(s);
        self.depends_on(s);
        self.other_keys(s);
        let ext = s.k3s.as_ref();
        if !patch.is_empty() {
            self.out.patches.insert(app_name.to_string(), patch);
        }
        // Validation runs at render time (AppSet::render), where errors get compose paths.
        let mut app = App {
            kind: None,
            name: app_name,
            workload: ext.and_then(|e| e.workload).unwrap_or_default(),
            job: ext.and_then(|e| e.job.clone()),
            cron_job: ext.and_then(|e| e.cron_job.clone()),
            strategy: ext.and_then(|e| e.strategy.clone()),
            min_ready: ext.and_then(|e| e.min_ready),
            revision_history: ext.and_then(|e| e.revision_history),
            service: ext.and_then(|e| e.service.clone()),
            monitoring: ext.and_then(|e| e.monitoring.clone()),
            image,
            part_of: Some(self.project.name.clone()),
            command,
            args,
            working_dir: s.working_dir.clone(),
            ports,
            env,
            env_from: storage.env_from,
            volumes: storage.volumes,
            probes,
            resources,
            security_context,
            service_account: ServiceAccountSpec::default(),
            security: None,
            replicas,
            scaling: ext.map(|e| e.scaling.clone()).unwrap_or_default(),
            pdb: None,
            expose: ext.map(|e| e.expose.clone()).unwrap_or_default(),
            init_containers: Vec::new(),
            termination_grace_period,
            build,
            metadata: ext.map(|e| e.metadata.clone()).unwrap_or_default(),
            pod: ext.map(|e| e.pod.clone()).unwrap_or_default(),
            image_pull_secrets: ext.map(|e| e.image_pull_secrets.clone()).unwrap_or_default(),
            image_pull_policy: ext.and_then(|e| e.image_pull_policy),
            placement: ext.map(|e| e.placement.clone()).unwrap_or_default(),
            sidecars: ext.map(|e| e.sidecars.clone()).unwrap_or_default(),
            lifecycle: ext.map(|e| e.lifecycle.clone()).unwrap_or_default(),
            config_files: ext.map(|e| e.config_files.clone()).unwrap_or_default(),
            patches: ext.map(|e| e.patches.clone()).unwrap_or_default(),
            objects: ext.map(|e| e.objects.clone()).unwrap_or_default(),
        };
        self.constraints(s, &mut app.placement);
        self.controller(s, &mut app);
        self.kompose(s, &mut app);
        // A job or cron job has no Service whatever its ports; nobody reaches it by name.
        if app.ports.is_empty() && !app.workload.runs_to_completion() {
            self.warn(
                self.path.clone(),
                "no ports or expose: no Service is created, so other services cannot reach this one by name (add expose: [PORT])",
            );
        }
        Some(app)
    }

    fn image(&mut self, s: &Service) -> (String, Option<Build>) {
        let build = s.build.as_ref().map(|b| {
            for key in &b.ignored {
                self.out.warnings.push(Warning::new(
                    self.path.field("build").field(key.clone()),
                    "not supported by the Tilt build config",
                ));
            }
            let mut args = BTreeMap::new();
            for (k, v) in &b.args.0 {
                match v.clone().or_else(|| self.project.vars.get(k).cloned()) {
                    Some(v) => {
                        args.insert(k.clone(), v);
                    }
                    None => self.out.warnings.push(Warning::new(
                        self.path.field("build").field("args").field(k.clone()),
                        "no value and not set in the variables: left out",
                    )),
                }
            }
            Build {
                context: b.context.clone(),
                dockerfile: b.dockerfile.clone(),
                target: b.target.clone(),
                build_args: args,
                ..Build::default()
            }
        });
        let image = match (&s.image, &build) {
            (Some(image), _) => image.clone(),
            (None, Some(_)) => {
                // Compose names the image of a build-only service `<project>-<service>`.
                let image = format!("{}-{}", self.project.name, dns_label(self.name));
                self.warn(
                    self.path.field("build"),
                    format!(
                        "no image: built as {image:?} by the Tilt docker_build (Rendered::tiltfile); without Tilt, push it to a registry the cluster can pull from and set image: to that reference"
                    ),
                );
                image
            }
            (None, None) => {
                let what = match crate::project::override_hint(self.project) {
                    Some(hint) => format!("an image or a build section; {hint}"),
                    None => "an image or a build section".to_owned(),
                };
                self.error(self.path.field("image"), ErrorKind::Missing(what));
                String::new()
            }
        };
        (image, build)
    }

    fn command(&mut self, command: Option<&Command>, key: &'static str) -> Vec<String> {
        match command {
            None => Vec::new(),
            Some(Command::Exec(words)) => words.clone(),
            Some(Command::Shell(text)) => shell_split(text).unwrap_or_else(|e| {
                self.error(self.path.field(key), ErrorKind::Invalid(e));
                Vec::new()
            }),
        }
    }

    fn ports(&mut self, s: &Service) -> Vec<Port> {
        let mut ports: Vec<Port> = Vec::new();
        // A service with routes (x-k3s expose or Kompose's expose label) needs no hint.
        let routed = s.k3s.as_ref().is_some_and(|e| !e.expose.is_empty())
            || super::kompose::labels(s).contains_key("kompose.service.expose");
        let exposed = s.expose.iter().map(|t| {
            let text = t.0.clone();
            (PortSpec::parse_short(&text), text)
        });
        let declared: Vec<(FieldPath, Result<PortSpec, String>)> = s
            .ports
            .iter()
            .enumerate()
            .map(|(i, p)| (self.path.field("ports").index(i), Ok(p.clone())))
            .chain(
                exposed
                    .enumerate()
                    .map(|(i, (p, _))| (self.path.field("expose").index(i), p)),
            )
            .collect();
        for (path, spec) in declared {
            let spec = match spec {
                Ok(spec) => spec,
                Err(e) => {
                    self.error(path, ErrorKind::Invalid(e));
                    continue;
                }
            };
            let protocol = match spec.protocol.to_ascii_lowercase().as_str() {
                "tcp" => Protocol::Tcp,
                "udp" => Protocol::Udp,
                "sctp" => Protocol::Sctp,
                other => {
                    self.error(
                        path.field("protocol"),
                        ErrorKind::Invalid(format!("unknown protocol {other:?}")),
                    );
                    continue;
                }
            };
            let (start, end) = (spec.target.start, spec.target.end);
            if u32::from(end) - u32::from(start) >= MAX_PORT_RANGE {
                self.error(
                    path,
                    ErrorKind::Invalid(format!("a range of more than {MAX_PORT_RANGE} ports")),
                );
                continue;
            }
            if spec.published.is_some() || spec.host_ip.is_some() {
                let host = [spec.host_ip.as_deref(), spec.published.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(":");
                let hint = if routed { "" } else { " (add x-k3s expose for a route)" };
                self.warn(
                    path.clone(),
                    format!("host port {host} is not used: the Service exposes container port {start} inside the cluster{hint}"),
                );
            }
            if let Some(mode) = spec.mode.as_deref().filter(|m| *m != "ingress") {
                self.warn(path.field("mode"), format!("not supported: mode {mode:?}"));
            }
            for number in start..=end {
                if ports.iter().any(|p| p.port == number && p.protocol == protocol) {
                    continue;
                }
                let custom = spec
                    .name
                    .as_deref()
                    .filter(|_| start == end)
                    .and_then(|n| n.parse::<PortName>().ok());
                let name = custom.unwrap_or_else(|| {
                    format!("{}-{number}", protocol.as_str().to_ascii_lowercase())
                        .parse()
                        .unwrap_or_else(|_| unreachable!("tcp-N is a port name"))
                });
                ports.push(Port {
                    name,
                    port: number,
                    protocol,
                    app_protocol: spec.app_protocol.clone(),
                });
            }
        }
        ports
    }

    fn environment(&mut self, s: &Service) -> Env {
        let mut env = Env::new();
        let Some(list) = &s.environment else { return env };
        for (key, value) in list.to_map() {
            let path = self.path.field("environment").field(key.clone());
            let name = match EnvVarName::new(key.clone()) {
                Ok(name) => name,
                Err(kind) => {
                    self.error(path, kind);
                    continue;
                }
            };
            let Some(value) = value.or_else(|| self.project.vars.get(&key).cloned()) else {
                self.warn(path, "no value and not set in the variables: left out");
                continue;
            };
            // k3score substitutes `${VAR}` in env literals at render time; compose has already
            // interpolated, so every `$` left is literal.
            env.insert(name, EnvValue::Literal(value.replace('$', "$$")));
        }
        env
    }

    fn probes(&mut self, healthcheck: Option<&Healthcheck>) -> Probes {
        self.probes_at(healthcheck, &self.path.field("healthcheck"))
    }

    /// Readiness and liveness probes from a healthcheck written at `path`.
    pub(super) fn probes_at(&mut self, healthcheck: Option<&Healthcheck>, path: &FieldPath) -> Probes {
        let Some(h) = healthcheck else { return Probes::default() };
        if h.disable.is_some_and(|d| d.0) {
            return Probes::default();
        }
        let command = match &h.test {
            None => {
                self.warn(
                    path.field("test"),
                    "no test: the image's HEALTHCHECK is not visible to Kubernetes, so no probes are set",
                );
                return Probes::default();
            }
            Some(Command::Shell(cmd)) => vec!["/bin/sh".to_owned(), "-c".to_owned(), cmd.clone()],
            Some(Command::Exec(words)) => match words.split_first() {
                Some((first, rest)) if first == "CMD" && !rest.is_empty() => rest.to_vec(),
                Some((first, rest)) if first == "CMD-SHELL" && !rest.is_empty() => {
                    // REFERENCE §14 (judgment): CMD-SHELL runs through a shell.
                    vec!["/bin/sh".to_owned(), "-c".to_owned(), rest.join(" ")]
                }
                Some((first, _)) if first == "NONE" => return Probes::default(),
                _ => {
                    self.error(
                        path.field("test"),
                        ErrorKind::Invalid("expected [CMD, ...], [CMD-SHELL, \"...\"], [NONE] or a string".into()),
                    );
                    return Probes::default();
                }
            },
        };
        let mut seconds = |key: &'static str, value: Option<&String>, default: u16, min: u16| -> Option<u16> {
            let Some(text) = value else { return Some(default) };
            match duration_seconds(text) {
                Ok(secs) => Some(u16::try_from(secs).unwrap_or(u16::MAX).max(min)),
                Err(e) => {
                    self.problems.push(path.field(key), ErrorKind::Invalid(e));
                    None
                }
            }
        };
        let period = seconds("interval", h.interval.as_ref(), HEALTHCHECK_INTERVAL, 1);
        let timeout = seconds("timeout", h.timeout.as_ref(), HEALTHCHECK_TIMEOUT, 1);
        let start = seconds("start_period", h.start_period.as_ref(), 0, 0);
        if h.start_interval.is_some() {
            self.warn(path.field("start_interval"), "not supported: probes use one period");
        }
        let retries = h
            .retries
            .map_or(HEALTHCHECK_RETRIES, |r| u16::try_from(r.0).unwrap_or(u16::MAX).max(1));
        let probe = Probe {
            action: ProbeAction::Exec(command),
            initial_delay: start.filter(|s| *s > 0),
            period,
            timeout,
            success_threshold: None,
            failure_threshold: Some(retries),
        };
        Probes {
            startup: None,
            readiness: Some(probe.clone()),
            liveness: Some(probe),
        }
    }

    fn resources(&mut self, s: &Service) -> Resources {
        let mut r = Resources::default();
        let mut limits = Limits::default();
        let cpu = |me: &mut Self, key: FieldPath, text: &str| -> Option<Cpu> {
            text.parse::<Cpu>().map_err(|kind| me.error(key, kind)).ok()
        };
        let mem = |me: &mut Self, key: FieldPath, text: &str| {
            byte_size(text).map_err(|e| me.error(key, ErrorKind::Invalid(e))).ok()
        };
        if let Some(c) = &s.cpus {
            limits.cpu = cpu(self, self.path.field("cpus"), &c.0);
        }
        if let Some(m) = &s.mem_limit {
            limits.memory = mem(self, self.path.field("mem_limit"), &m.0);
        }
        if let Some(m) = &s.mem_reservation {
            r.memory = mem(self, self.path.field("mem_reservation"), &m.0);
        }
        let amounts = s.deploy.as_ref().and_then(|d| d.resources.as_ref());
        let base = self.path.field("deploy").field("resources");
        if let Some(l) = amounts.and_then(|a| a.limits.as_ref()) {
            let p = base.field("limits");
            if let Some(c) = &l.cpus {
                limits.cpu = cpu(self, p.field("cpus"), &c.0);
            }
            if let Some(m) = &l.memory {
                limits.memory = mem(self, p.field("memory"), &m.0);
            }
            self.resource_extras(&p, l.pids.is_some(), l.devices.is_some(), l.generic_resources.is_some());
        }
        if let Some(q) = amounts.and_then(|a| a.reservations.as_ref()) {
            let p = base.field("reservations");
            if let Some(c) = &q.cpus {
                r.cpu = cpu(self, p.field("cpus"), &c.0);
            }
            if let Some(m) = &q.memory {
                r.memory = mem(self, p.field("memory"), &m.0);
            }
            self.resource_extras(&p, q.pids.is_some(), q.devices.is_some(), q.generic_resources.is_some());
        }
        if limits != Limits::default() {
            r.limits = Some(limits);
        }
        r
    }

    fn resource_extras(&mut self, path: &FieldPath, pids: bool, devices: bool, generic: bool) {
        for (key, set) in [("pids", pids), ("devices", devices), ("generic_resources", generic)] {
            if set {
                self.warn(
                    path.field(key),
                    "not supported (GPUs: use a k3sapp App with resources.gpu)",
                );
            }
        }
    }

    fn replicas(&mut self, s: &Service) -> Option<i32> {
        let deploy = s.deploy.as_ref()?;
        let path = self.path.field("deploy");
        for key in deploy
            .other
            .keys()
            .filter(|k| !k.starts_with("x-") && *k != "placement")
        {
            self.warn(path.field(key.clone()), "not supported");
        }
        deploy.replicas.map(|r| i32::try_from(r.0).unwrap_or(i32::MAX))
    }

    fn labels(&mut self, s: &Service, patch: &mut super::PodPatch) {
        for (k, v) in s
            .labels
            .as_ref()
            .map(crate::model::KeyValues::to_map)
            .unwrap_or_default()
        {
            patch.annotations.insert(k, v.unwrap_or_default());
        }
        if let Some(node) = s.other.get("annotations") {
            match crate::model::KeyValues::from_node(node.clone()) {
                Ok(list) => {
                    for (k, v) in list.to_map() {
                        patch.annotations.insert(k, v.unwrap_or_default());
                    }
                }
                Err(e) => self.error(self.path.field("annotations"), ErrorKind::Invalid(e)),
            }
        }
        let keys: Vec<String> = patch.annotations.keys().cloned().collect();
        for key in keys {
            if let Err(kind) = k3score::names::check_label_key(&key) {
                self.problems.push(self.path.field("labels").field(key), kind);
            }
        }
    }

    fn restart(&mut self, s: &Service) {
        match s.restart.as_deref() {
            None | Some("always" | "unless-stopped") => {}
            Some(other) => self.warn(
                self.path.field("restart"),
                format!("{other:?} is not expressible for a Deployment: its pods are always restarted"),
            ),
        }
    }

    fn depends_on(&mut self, s: &Service) {
        let Some(deps) = &s.depends_on else { return };
        for dep in &deps.0 {
            let path = self.path.field("depends_on").field(dep.service.clone());
            if !self.project.file.services.contains_key(&dep.service) {
                self.error(path, ErrorKind::Missing(format!("service {:?}", dep.service)));
            } else if !self.enabled.iter().any(|e| **e == dep.service) {
                self.warn(path, "the service is not enabled by the selected profiles");
            } else {
                let how = match dep.condition.as_str() {
                    "service_healthy" => "its readiness probe gates its Service",
                    "service_completed_successfully" => "a one-off task should run as a Job or init container",
                    _ => "the app must retry its connections",
                };
                self.warn(
                    path,
                    format!(
                        "not translated: Kubernetes starts pods in any order ({} condition; {how})",
                        dep.condition
                    ),
                );
            }
        }
    }

    fn other_keys(&mut self, s: &Service) {
        for key in s.other.keys() {
            let path = self.path.field(key.clone());
            match extra_key(key) {
                ExtraKey::Ignored => {}
                ExtraKey::Warning(text) => self.warn(path, text),
                ExtraKey::Unknown(kind) => self.error(path, kind),
            }
        }
    }
}
