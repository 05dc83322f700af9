//! Container lifecycle hooks (`lifecycle: {pre_stop, post_start}`).

use k8s_openapi::api::core::v1::{ExecAction, HTTPGetAction, Lifecycle as K8sLifecycle, LifecycleHandler, SleepAction};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::volume::exactly_one;
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::exposure::Duration;
use crate::ports::{Port, PortRef};
use crate::target::{KubeVersion, Target};

/// The first release where the `sleep` hook action is on by default: KEP-3960
/// (`PodLifecycleSleepAction`) was alpha in 1.29, beta and enabled by default in 1.30, GA in
/// 1.34 (kubernetes/enhancements#3960; the beta promotion is kubernetes/kubernetes#122456).
pub const SLEEP_ACTION_SINCE: KubeVersion = KubeVersion::new(1, 30);

/// Hooks the kubelet runs after the container starts and before it is stopped.
///
/// ```
/// use k3score::workload::{Lifecycle, Hook};
/// let l: Lifecycle = serde_json::from_str(r#"{"pre_stop": {"sleep": "5s"}}"#).unwrap();
/// assert!(matches!(l.pre_stop, Some(Hook::Sleep(d)) if d.as_secs() == 5));
/// let k8s = l.to_k8s(&[]).unwrap();
/// assert_eq!(k8s.pre_stop.unwrap().sleep.unwrap().seconds, 5);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Lifecycle {
    /// Runs before the container gets SIGTERM (a `sleep` lets load balancers drain the pod).
    /// Default: none. Example: `pre_stop: {sleep: 5s}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_stop: Option<Hook>,
    /// Runs right after the container starts. Default: none. Example:
    /// `post_start: {exec: [/app/warm-cache]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_start: Option<Hook>,
}

/// One hook action. In YAML: `{sleep: 5s}`, `{exec: [CMD...]}` or `{http: /path, port: NAME}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(try_from = "HookSpec", into = "HookSpec")]
pub enum Hook {
    /// Wait this long (needs Kubernetes [`SLEEP_ACTION_SINCE`]).
    Sleep(Duration),
    /// Run a command in the container.
    Exec(Vec<String>),
    /// An HTTP GET to the container.
    Http {
        /// The request path, starting with `/`.
        path: String,
        /// The port. Default: the container's first port.
        port: Option<PortRef>,
    },
}

/// The YAML shape of a [`Hook`].
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
struct HookSpec {
    /// Sleep this long (`5s`). Exactly one of sleep, exec, http.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sleep: Option<Duration>,
    /// Run this command. Exactly one of sleep, exec, http.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exec: Option<Vec<String>>,
    /// HTTP GET this path. Exactly one of sleep, exec, http.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    http: Option<String>,
    /// The port of an `http` hook. Default: the first port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    port: Option<PortRef>,
}

impl TryFrom<HookSpec> for Hook {
    type Error = String;
    fn try_from(s: HookSpec) -> Result<Self, String> {
        if s.port.is_some() && s.http.is_none() {
            return Err("port belongs to http hooks".to_owned());
        }
        let port = s.port;
        exactly_one(
            "a lifecycle hook",
            vec![
                ("sleep", s.sleep.map(Hook::Sleep)),
                ("exec", s.exec.map(Hook::Exec)),
                ("http", s.http.map(|path| Hook::Http { path, port })),
            ],
        )
    }
}

impl From<Hook> for HookSpec {
    fn from(h: Hook) -> Self {
        let mut spec = HookSpec {
            sleep: None,
            exec: None,
            http: None,
            port: None,
        };
        match h {
            Hook::Sleep(d) => spec.sleep = Some(d),
            Hook::Exec(cmd) => spec.exec = Some(cmd),
            Hook::Http { path, port } => (spec.http, spec.port) = (Some(path), port),
        }
        spec
    }
}

impl Hook {
    fn validate(&self, path: PathRef<'_>, ports: &[Port], problems: &mut Problems) {
        match self {
            Hook::Sleep(d) => d.validate(path.field("sleep"), problems),
            Hook::Exec(cmd) => {
                if cmd.first().is_none_or(|c| c.trim().is_empty()) {
                    problems.push(path.field("exec"), ErrorKind::Missing("a command".into()));
                }
            }
            Hook::Http { path: http, port } => {
                if !http.starts_with('/') {
                    problems.push(
                        path.field("http"),
                        ErrorKind::Invalid(format!("{http:?} must start with '/'")),
                    );
                }
                match port {
                    Some(port) if port.number(ports).is_none() => problems.push(
                        path.field("port"),
                        ErrorKind::Invalid(format!("port {:?} names no port in ports", port.to_string())),
                    ),
                    None if ports.is_empty() => problems.push(
                        path.field("port"),
                        ErrorKind::Missing("a port: the workload declares no ports to default to".into()),
                    ),
                    _ => {}
                }
            }
        }
    }

    fn to_k8s(&self, ports: &[Port]) -> Option<LifecycleHandler> {
        Some(match self {
            Hook::Sleep(d) => LifecycleHandler {
                sleep: Some(SleepAction {
                    seconds: i64::from(d.as_secs()),
                }),
                ..Default::default()
            },
            Hook::Exec(cmd) => LifecycleHandler {
                exec: Some(ExecAction {
                    command: Some(cmd.clone()),
                }),
                ..Default::default()
            },
            Hook::Http { path, port } => {
                let port = match port {
                    Some(port) => port.number(ports).map(|_| port.clone())?,
                    None => PortRef::from(ports.first()?),
                };
                LifecycleHandler {
                    http_get: Some(HTTPGetAction {
                        path: Some(path.clone()),
                        port: port.to_int_or_string(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            }
        })
    }
}

impl Lifecycle {
    /// Whether no hook is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pre_stop.is_none() && self.post_start.is_none()
    }

    fn hooks(&self) -> [(&'static str, Option<&Hook>); 2] {
        [
            ("pre_stop", self.pre_stop.as_ref()),
            ("post_start", self.post_start.as_ref()),
        ]
    }

    /// Records a zero or overlong sleep, an empty command, a relative path and a port that
    /// names none of `ports`. Not [`Validate`]: the check needs the workload's ports.
    pub fn validate(&self, path: PathRef<'_>, ports: &[Port], problems: &mut Problems) {
        for (field, hook) in self.hooks() {
            if let Some(hook) = hook {
                hook.validate(path.field(field), ports, problems);
            }
        }
    }

    /// Records a `sleep` hook when the target's oldest Kubernetes predates
    /// [`SLEEP_ACTION_SINCE`].
    pub fn check_target(&self, path: PathRef<'_>, target: &Target, problems: &mut Problems) {
        if target.min_kubernetes >= SLEEP_ACTION_SINCE {
            return;
        }
        for (field, hook) in self.hooks() {
            if let Some(Hook::Sleep(_)) = hook {
                problems.push(
                    path.field(field).field("sleep"),
                    ErrorKind::Unsupported {
                        feature: "the sleep hook action".into(),
                        by: format!("Kubernetes {} (the target's min_kubernetes)", target.min_kubernetes),
                        why: format!(
                            "it needs Kubernetes {SLEEP_ACTION_SINCE} (PodLifecycleSleepAction); use exec: [sleep, \"5\"] or raise min_kubernetes"
                        ),
                    },
                );
            }
        }
    }

    /// The container's `lifecycle`; `None` when empty or a port cannot be resolved.
    #[must_use]
    pub fn to_k8s(&self, ports: &[Port]) -> Option<K8sLifecycle> {
        if self.is_empty() {
            return None;
        }
        let handler = |hook: &Option<Hook>| match hook {
            Some(hook) => hook.to_k8s(ports).map(Some),
            None => Some(None),
        };
        Some(K8sLifecycle {
            pre_stop: handler(&self.pre_stop)?,
            post_start: handler(&self.post_start)?,
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(l: &Lifecycle, ports: &[Port], target: &Target) -> Vec<String> {
        let mut problems = Problems::default();
        let path = PathRef::ROOT.field("lifecycle");
        l.validate(path, ports, &mut problems);
        l.check_target(path, target, &mut problems);
        problems.messages()
    }

    #[test]
    fn every_action() {
        let ports = [Port::tcp("http".parse().unwrap(), 8080)];
        let l: Lifecycle =
            serde_json::from_str(r#"{"pre_stop": {"exec": ["/bin/drain"]}, "post_start": {"http": "/warm"}}"#).unwrap();
        assert!(errors(&l, &ports, &Target::local()).is_empty());
        let k8s = l.to_k8s(&ports).unwrap();
        assert_eq!(k8s.pre_stop.unwrap().exec.unwrap().command.unwrap(), ["/bin/drain"]);
        let get = k8s.post_start.unwrap().http_get.unwrap();
        assert_eq!(
            get.port,
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String("http".into())
        );
        assert_eq!(Lifecycle::default().to_k8s(&ports), None);
        let back = serde_json::to_string(&l).unwrap();
        assert_eq!(serde_json::from_str::<Lifecycle>(&back).unwrap(), l);
    }

    #[test]
    fn error_cases() {
        let l: Lifecycle =
            serde_json::from_str(r#"{"pre_stop": {"sleep": "5s"}, "post_start": {"http": "warm", "port": "admin"}}"#)
                .unwrap();
        let old = Target {
            min_kubernetes: KubeVersion::new(1, 29),
            ..Target::local()
        };
        assert_eq!(
            errors(&l, &[], &old),
            [
                "lifecycle.post_start.http: \"warm\" must start with '/'",
                "lifecycle.post_start.port: port \"admin\" names no port in ports",
                "lifecycle.pre_stop.sleep: the sleep hook action is not supported by Kubernetes 1.29 (the target's min_kubernetes): it needs Kubernetes 1.30 (PodLifecycleSleepAction); use exec: [sleep, \"5\"] or raise min_kubernetes",
            ]
        );
        let err = serde_json::from_str::<Lifecycle>(r#"{"pre_stop": {"sleep": "5s", "exec": ["x"]}}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("a lifecycle hook needs exactly one of sleep, exec, http (got sleep and exec)")
        );
        assert!(serde_json::from_str::<Lifecycle>(r#"{"pre_stop": {"exec": ["x"], "port": 80}}"#).is_err());
        assert!(serde_json::from_str::<Lifecycle>(r#"{"pre_stop": {"sleep": "1.5s"}}"#).is_err());
    }
}
