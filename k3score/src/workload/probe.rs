//! Startup, readiness and liveness probes.

use k8s_openapi::api::core::v1::{ExecAction, GRPCAction, HTTPGetAction, Probe as K8sProbe, TCPSocketAction};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::volume::exactly_one;
use crate::error::{ErrorKind, PathRef, Problems};
use crate::ports::{Port, PortRef};

/// The three probes of a container. Each is optional; Kubernetes' defaults apply to unset
/// timings (period 10 s, timeout 1 s, thresholds 1 and 3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Probes {
    /// Holds back the other probes until the app has started. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<Probe>,
    /// Takes the pod out of Service endpoints while failing. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Probe>,
    /// Restarts the container when failing. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Probe>,
}

/// One probe: an action plus timings. In YAML the action is one of `http: PATH` (with an
/// optional `port`), `tcp: PORT`, `exec: [CMD...]` or `grpc: PORT` (with an optional `service`).
///
/// ```
/// use k3score::ports::Port;
/// use k3score::workload::Probe;
/// let probe: Probe = serde_json::from_str(r#"{"http": "/ready", "period": 5}"#).unwrap();
/// let ports = [Port::tcp("http".parse().unwrap(), 8080)];
/// let k8s = probe.to_k8s(&ports).unwrap();
/// let get = k8s.http_get.unwrap();
/// assert_eq!(get.path.as_deref(), Some("/ready"));
/// assert_eq!(get.port, k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String("http".into()));
/// assert_eq!(k8s.period_seconds, Some(5));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(try_from = "ProbeSpec", into = "ProbeSpec")]
pub struct Probe {
    /// What the kubelet checks.
    pub action: ProbeAction,
    /// Seconds after start before the first probe. Default: 0.
    pub initial_delay: Option<u16>,
    /// Seconds between probes. Default: 10.
    pub period: Option<u16>,
    /// Seconds before a probe times out. Default: 1.
    pub timeout: Option<u16>,
    /// Successes needed after a failure (must be 1 for startup and liveness). Default: 1.
    pub success_threshold: Option<u16>,
    /// Failures before acting. Default: 3.
    pub failure_threshold: Option<u16>,
}

/// What a probe checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeAction {
    /// An HTTP GET that must answer 200-399.
    Http {
        /// The request path, starting with `/`.
        path: String,
        /// The port. Default: the workload's first port.
        port: Option<PortRef>,
        /// `http` or `https` (the kubelet does not verify the certificate). Default: `http`.
        scheme: Scheme,
    },
    /// A TCP connection that must open.
    Tcp(PortRef),
    /// A command that must exit 0.
    Exec(Vec<String>),
    /// A gRPC health check (`grpc.health.v1`) that must answer SERVING.
    Grpc {
        /// The port (a name is resolved to its number: Kubernetes takes numbers only).
        port: PortRef,
        /// The service name sent in the request. Default: the server's overall health.
        service: Option<String>,
    },
}

/// The scheme of an HTTP probe (`httpGet.scheme`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// Plain HTTP.
    #[default]
    Http,
    /// HTTPS; the kubelet skips certificate verification (Kubernetes docs, "Configure
    /// Liveness, Readiness and Startup Probes": "If scheme field is set to HTTPS, the kubelet
    /// sends an HTTPS request skipping the certificate verification").
    Https,
}

/// The YAML shape of a [`Probe`].
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
struct ProbeSpec {
    /// HTTP GET this path. Exactly one of http, tcp, exec, grpc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    http: Option<String>,
    /// Open a TCP connection to this port. Exactly one of http, tcp, exec, grpc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tcp: Option<PortRef>,
    /// Run this command. Exactly one of http, tcp, exec, grpc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exec: Option<Vec<String>>,
    /// gRPC health check on this port. Exactly one of http, tcp, exec, grpc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    grpc: Option<PortRef>,
    /// The port of an `http` probe. Default: the first port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    port: Option<PortRef>,
    /// The service of a `grpc` probe. Default: overall health.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service: Option<String>,
    /// The scheme of an `http` probe, `http` or `https`. Default: `http`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scheme: Option<Scheme>,
    /// Seconds after start before the first probe. Default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    initial_delay: Option<u16>,
    /// Seconds between probes. Default: 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    period: Option<u16>,
    /// Seconds before a probe times out. Default: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout: Option<u16>,
    /// Successes needed after a failure. Default: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    success_threshold: Option<u16>,
    /// Failures before acting. Default: 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failure_threshold: Option<u16>,
}

impl TryFrom<ProbeSpec> for Probe {
    type Error = String;
    fn try_from(s: ProbeSpec) -> Result<Self, String> {
        if s.port.is_some() && s.http.is_none() {
            return Err("port belongs to http probes; write tcp: PORT or grpc: PORT instead".to_owned());
        }
        if s.service.is_some() && s.grpc.is_none() {
            return Err("service belongs to grpc probes".to_owned());
        }
        if s.scheme.is_some() && s.http.is_none() {
            return Err("scheme belongs to http probes".to_owned());
        }
        let (port, service, scheme) = (s.port, s.service, s.scheme.unwrap_or_default());
        let action = exactly_one(
            "a probe",
            vec![
                ("http", s.http.map(|path| ProbeAction::Http { path, port, scheme })),
                ("tcp", s.tcp.map(ProbeAction::Tcp)),
                ("exec", s.exec.map(ProbeAction::Exec)),
                ("grpc", s.grpc.map(|port| ProbeAction::Grpc { port, service })),
            ],
        )?;
        Ok(Probe {
            action,
            initial_delay: s.initial_delay,
            period: s.period,
            timeout: s.timeout,
            success_threshold: s.success_threshold,
            failure_threshold: s.failure_threshold,
        })
    }
}

impl From<Probe> for ProbeSpec {
    fn from(p: Probe) -> Self {
        let mut spec = ProbeSpec {
            http: None,
            tcp: None,
            exec: None,
            grpc: None,
            port: None,
            service: None,
            scheme: None,
            initial_delay: p.initial_delay,
            period: p.period,
            timeout: p.timeout,
            success_threshold: p.success_threshold,
            failure_threshold: p.failure_threshold,
        };
        match p.action {
            ProbeAction::Http { path, port, scheme } => {
                (spec.http, spec.port) = (Some(path), port);
                spec.scheme = (scheme != Scheme::Http).then_some(scheme);
            }
            ProbeAction::Tcp(port) => spec.tcp = Some(port),
            ProbeAction::Exec(cmd) => spec.exec = Some(cmd),
            ProbeAction::Grpc { port, service } => (spec.grpc, spec.service) = (Some(port), service),
        }
        spec
    }
}

impl Probe {
    /// A probe with `action` and Kubernetes' default timings.
    #[must_use]
    pub fn new(action: ProbeAction) -> Self {
        Self {
            action,
            initial_delay: None,
            period: None,
            timeout: None,
            success_threshold: None,
            failure_threshold: None,
        }
    }

    /// Records port names that name no port in `ports`, a missing default port, a relative
    /// HTTP path, an empty command, zero timings, and `success_threshold` other than 1 where
    /// Kubernetes demands 1 (`single_success`: startup and liveness probes). Not
    /// [`Validate`](crate::Validate): the check needs the workload's ports.
    pub fn validate(&self, path: PathRef<'_>, ports: &[Port], single_success: bool, problems: &mut Problems) {
        let check_ref = |problems: &mut Problems, field: &'static str, port: &PortRef| {
            if port.number(ports).is_none() {
                problems.push(
                    path.field(field),
                    ErrorKind::Invalid(format!("port {:?} names no port in ports", port.to_string())),
                );
            }
        };
        match &self.action {
            ProbeAction::Http { path: http, port, .. } => {
                if !http.starts_with('/') {
                    problems.push(
                        path.field("http"),
                        ErrorKind::Invalid(format!("{http:?} must start with '/'")),
                    );
                }
                match port {
                    Some(port) => check_ref(problems, "port", port),
                    None if ports.is_empty() => problems.push(
                        path.field("port"),
                        ErrorKind::Missing("a port: the workload declares no ports to default to".into()),
                    ),
                    None => {}
                }
            }
            ProbeAction::Tcp(port) => check_ref(problems, "tcp", port),
            ProbeAction::Grpc { port, .. } => check_ref(problems, "grpc", port),
            ProbeAction::Exec(cmd) => {
                if cmd.first().is_none_or(|c| c.trim().is_empty()) {
                    problems.push(path.field("exec"), ErrorKind::Missing("a command".into()));
                }
            }
        }
        for (field, value) in [
            ("period", self.period),
            ("timeout", self.timeout),
            ("success_threshold", self.success_threshold),
            ("failure_threshold", self.failure_threshold),
        ] {
            if value == Some(0) {
                problems.push(path.field(field), ErrorKind::Invalid("must be at least 1".into()));
            }
        }
        if single_success && self.success_threshold.is_some_and(|n| n > 1) {
            problems.push(
                path.field("success_threshold"),
                ErrorKind::Invalid("must be 1 for startup and liveness probes".into()),
            );
        }
    }

    /// The Kubernetes probe; `None` when a port cannot be resolved (see [`Probe::validate`]).
    #[must_use]
    pub fn to_k8s(&self, ports: &[Port]) -> Option<K8sProbe> {
        let mut probe = K8sProbe {
            initial_delay_seconds: self.initial_delay.map(i32::from),
            period_seconds: self.period.map(i32::from),
            timeout_seconds: self.timeout.map(i32::from),
            success_threshold: self.success_threshold.map(i32::from),
            failure_threshold: self.failure_threshold.map(i32::from),
            ..Default::default()
        };
        match &self.action {
            ProbeAction::Http { path, port, scheme } => {
                let port = match port {
                    Some(port) => port.number(ports).map(|_| port.clone())?,
                    None => PortRef::from(ports.first()?),
                };
                probe.http_get = Some(HTTPGetAction {
                    path: Some(path.clone()),
                    port: port.to_int_or_string(),
                    scheme: (*scheme == Scheme::Https).then(|| "HTTPS".to_owned()),
                    ..Default::default()
                });
            }
            ProbeAction::Tcp(port) => {
                port.number(ports)?;
                probe.tcp_socket = Some(TCPSocketAction {
                    port: port.to_int_or_string(),
                    ..Default::default()
                });
            }
            ProbeAction::Exec(command) => {
                probe.exec = Some(ExecAction {
                    command: Some(command.clone()),
                })
            }
            ProbeAction::Grpc { port, service } => {
                probe.grpc = Some(GRPCAction {
                    port: i32::from(port.number(ports)?),
                    service: service.clone(),
                    ..Default::default()
                });
            }
        }
        Some(probe)
    }
}

impl Probes {
    /// Validates each probe at `path.startup` / `.readiness` / `.liveness`. Not
    /// [`Validate`](crate::Validate): the check needs the workload's ports.
    pub fn validate(&self, path: PathRef<'_>, ports: &[Port], problems: &mut Problems) {
        for (field, probe, single) in [
            ("startup", &self.startup, true),
            ("readiness", &self.readiness, false),
            ("liveness", &self.liveness, true),
        ] {
            if let Some(probe) = probe {
                probe.validate(path.field(field), ports, single, problems);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

    fn ports() -> Vec<Port> {
        vec![
            Port::tcp("http".parse().unwrap(), 8080),
            Port::tcp("grpc".parse().unwrap(), 9000),
        ]
    }

    fn errors(probes: &Probes, ports: &[Port]) -> Vec<String> {
        let mut problems = Problems::default();
        probes.validate(PathRef::ROOT.field("probes"), ports, &mut problems);
        problems.messages()
    }

    #[test]
    fn every_action_renders() {
        let probes: Probes = serde_json::from_str(
            r#"{"startup": {"tcp": "http", "failure_threshold": 30},
                "readiness": {"grpc": "grpc", "service": "orders"},
                "liveness": {"exec": ["/bin/check", "--live"], "initial_delay": 3, "timeout": 2}}"#,
        )
        .unwrap();
        assert!(errors(&probes, &ports()).is_empty());
        let startup = probes.startup.as_ref().unwrap().to_k8s(&ports()).unwrap();
        assert_eq!(startup.tcp_socket.unwrap().port, IntOrString::String("http".into()));
        assert_eq!(startup.failure_threshold, Some(30));
        let grpc = probes
            .readiness
            .as_ref()
            .unwrap()
            .to_k8s(&ports())
            .unwrap()
            .grpc
            .unwrap();
        assert_eq!((grpc.port, grpc.service.as_deref()), (9000, Some("orders")));
        let live = probes.liveness.as_ref().unwrap().to_k8s(&ports()).unwrap();
        assert_eq!(live.exec.unwrap().command.unwrap(), ["/bin/check", "--live"]);
        assert_eq!((live.initial_delay_seconds, live.timeout_seconds), (Some(3), Some(2)));
        let back: Probes = serde_json::from_str(&serde_json::to_string(&probes).unwrap()).unwrap();
        assert_eq!(back, probes);
    }

    #[test]
    fn http_port_defaults_to_first_port() {
        let probe: Probe = serde_json::from_str(r#"{"http": "/ready"}"#).unwrap();
        let get = probe.to_k8s(&ports()).unwrap().http_get.unwrap();
        assert_eq!(get.port, IntOrString::String("http".into()));
        let numbered: Probe = serde_json::from_str(r#"{"http": "/ready", "port": 8081}"#).unwrap();
        assert_eq!(
            numbered.to_k8s(&[]).unwrap().http_get.unwrap().port,
            IntOrString::Int(8081)
        );
        assert!(probe.to_k8s(&[]).is_none());
        assert_eq!(get.scheme, None, "http is Kubernetes' default: not written");
    }

    #[test]
    fn https_probes_say_so_and_read_back() {
        let probe: Probe = serde_json::from_str(r#"{"http": "/healthz", "scheme": "https"}"#).unwrap();
        let get = probe.to_k8s(&ports()).unwrap().http_get.unwrap();
        assert_eq!(get.scheme.as_deref(), Some("HTTPS"));
        assert!(matches!(
            probe.action,
            ProbeAction::Http {
                scheme: Scheme::Https,
                ..
            }
        ));
        let back = serde_json::to_value(&probe).unwrap();
        assert_eq!(back["scheme"], "https");
        let plain = serde_json::to_value(serde_json::from_str::<Probe>(r#"{"http": "/"}"#).unwrap()).unwrap();
        assert!(plain.get("scheme").is_none(), "{plain}");
    }

    #[test]
    fn shape_errors() {
        let parse = |s: &str| serde_json::from_str::<Probe>(s).unwrap_err().to_string();
        assert!(parse(r#"{"period": 5}"#).contains("a probe needs exactly one of http, tcp, exec, grpc (got none)"));
        assert!(parse(r#"{"http": "/", "tcp": 80}"#).contains("(got http and tcp)"));
        assert!(parse(r#"{"tcp": 80, "port": 80}"#).contains("port belongs to http probes"));
        assert!(parse(r#"{"http": "/", "service": "x"}"#).contains("service belongs to grpc"));
        assert!(parse(r#"{"tcp": 80, "scheme": "https"}"#).contains("scheme belongs to http probes"));
        assert!(parse(r#"{"http": "/", "scheme": "ftp"}"#).contains("ftp"));
        assert!(parse(r#"{"http": "/", "period": -1}"#).contains("-1"));
    }

    #[test]
    fn validation_paths() {
        let probes: Probes = serde_json::from_str(
            r#"{"startup": {"http": "ready", "success_threshold": 2},
                "readiness": {"tcp": "metrics", "period": 0},
                "liveness": {"exec": []}}"#,
        )
        .unwrap();
        assert_eq!(
            errors(&probes, &ports()),
            [
                "probes.startup.http: \"ready\" must start with '/'",
                "probes.startup.success_threshold: must be 1 for startup and liveness probes",
                "probes.readiness.tcp: port \"metrics\" names no port in ports",
                "probes.readiness.period: must be at least 1",
                "probes.liveness.exec: missing: a command",
            ]
        );
        let http: Probes = serde_json::from_str(r#"{"readiness": {"http": "/"}}"#).unwrap();
        assert_eq!(
            errors(&http, &[]),
            ["probes.readiness.port: missing: a port: the workload declares no ports to default to"]
        );
    }
}
