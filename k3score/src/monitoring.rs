//! Metrics scraped by Prometheus: the `monitoring` spec block, rendered as a prometheus-operator
//! [`ServiceMonitor`] and a NetworkPolicy that lets the target's monitoring namespace
//! ([`crate::Target::monitoring_namespace`]) reach the metrics port, and only that port.
//!
//! ```yaml
//! monitoring: {port: metrics, path: /metrics, interval: 30s}
//! ```

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::context::Context;
use crate::crd::prometheus::v1::{Endpoint, ServiceMonitor, ServiceMonitorSpec};
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::exposure::Duration;
use crate::labels::AppLabels;
use crate::names::PortName;
use crate::network::{WorkloadPort, allow_from_namespace};
use crate::ports::{Port, Protocol};

/// Where Prometheus reads the workload's metrics (`monitoring:` in YAML).
///
/// ```
/// use k3score::monitoring::Monitoring;
/// use k3score::ports::Port;
/// use k3score::{labels::AppLabels, Context, Target};
/// let m: Monitoring = k3score::yaml::from_yaml("{port: metrics, interval: 30s}").unwrap();
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
/// let labels = AppLabels::new("orders".parse().unwrap());
/// let monitor = m.service_monitor(&labels, &ctx);
/// assert_eq!(monitor.spec.endpoints[0].port.as_deref(), Some("metrics"));
/// assert_eq!(monitor.spec.endpoints[0].interval.as_deref(), Some("30s"));
/// let ports = [Port::tcp("metrics".parse().unwrap(), 9090)];
/// let policy = m.network_policy(&labels, &ports, &ctx);
/// assert_eq!(policy.metadata.name.as_deref(), Some("orders-from-monitoring"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Monitoring {
    /// The name of the port serving the metrics (one of the workload's ports).
    pub port: PortName,
    /// The HTTP path of the metrics. Default: `/metrics`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How often Prometheus scrapes (`30s`, `1m`). Default: Prometheus' global interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
}

impl Monitoring {
    /// Records every problem under `path`: a port that is not one of `ports` (or not TCP), a
    /// path that does not start with `/`, an interval out of range. Not [`Validate`]: the
    /// check needs the workload's ports.
    pub fn validate(&self, ports: &[Port], path: PathRef<'_>, problems: &mut Problems) {
        match ports.iter().find(|p| p.name == self.port) {
            None => problems.push(
                path.field("port"),
                ErrorKind::Invalid(format!("{:?} is not one of the ports", self.port.as_str())),
            ),
            Some(port) if port.protocol != Protocol::Tcp => problems.push(
                path.field("port"),
                ErrorKind::Invalid(format!(
                    "Prometheus scrapes over HTTP (TCP); port {:?} is {}",
                    self.port.as_str(),
                    port.protocol.as_str()
                )),
            ),
            Some(_) => {}
        }
        if let Some(p) = &self.path
            && !p.starts_with('/')
        {
            problems.push(
                path.field("path"),
                ErrorKind::Invalid(format!("must start with /, is {p:?}")),
            );
        }
        if let Some(interval) = &self.interval {
            interval.validate(path.field("interval"), problems);
        }
    }

    /// The ServiceMonitor named after the workload, selecting its Service by the selector
    /// labels (in the ServiceMonitor's own namespace, prometheus-operator's default).
    #[must_use]
    pub fn service_monitor(&self, labels: &AppLabels, ctx: &Context) -> ServiceMonitor {
        ServiceMonitor {
            metadata: ObjectMeta {
                name: Some(labels.name().to_string()),
                namespace: ctx.ns(),
                labels: Some(labels.labels()),
                ..Default::default()
            },
            spec: ServiceMonitorSpec {
                endpoints: vec![Endpoint {
                    port: Some(self.port.to_string()),
                    path: self.path.clone(),
                    interval: self.interval.map(|d| d.to_string()),
                }],
                selector: LabelSelector {
                    match_labels: Some(labels.selector()),
                    ..Default::default()
                },
            },
        }
    }

    /// The NetworkPolicy admitting the target's monitoring namespace to the metrics port only
    /// (`<name>-from-<namespace>`).
    #[must_use]
    pub fn network_policy(&self, labels: &AppLabels, ports: &[Port], ctx: &Context) -> NetworkPolicy {
        let port = ports
            .iter()
            .find(|p| p.name == self.port)
            .map_or_else(|| WorkloadPort::named(self.port.clone()), |p| WorkloadPort::tcp(p.port));
        allow_from_namespace(labels, &ctx.target.monitoring_namespace, &[port], ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Target;

    fn problems(text: &str, ports: &[Port]) -> Vec<String> {
        let m: Monitoring = crate::yaml::from_yaml(text).unwrap();
        let mut problems = Problems::default();
        m.validate(ports, PathRef::ROOT.field("monitoring"), &mut problems);
        problems.messages()
    }

    #[test]
    fn the_port_must_be_a_tcp_port_of_the_workload() {
        let tcp = [Port::tcp("metrics".parse().unwrap(), 9090)];
        assert!(problems("{port: metrics, path: /stats, interval: 15s}", &tcp).is_empty());
        assert_eq!(
            problems("{port: other, path: stats}", &tcp),
            [
                "monitoring.port: \"other\" is not one of the ports",
                "monitoring.path: must start with /, is \"stats\""
            ]
        );
        let mut udp = tcp.clone();
        udp[0].protocol = Protocol::Udp;
        assert_eq!(
            problems("{port: metrics}", &udp),
            ["monitoring.port: Prometheus scrapes over HTTP (TCP); port \"metrics\" is UDP"]
        );
    }

    #[test]
    fn the_policy_opens_only_the_metrics_port_to_the_monitoring_namespace() {
        let mut target = Target::gcp();
        target.monitoring_namespace = "observability".parse().unwrap();
        let ctx = Context::new(target, "shop".parse().unwrap());
        let m: Monitoring = crate::yaml::from_yaml("{port: metrics}").unwrap();
        let ports = [
            Port::tcp("http".parse().unwrap(), 8080),
            Port::tcp("metrics".parse().unwrap(), 9090),
        ];
        let policy = m.network_policy(&AppLabels::new("orders".parse().unwrap()), &ports, &ctx);
        let rule = &policy.spec.unwrap().ingress.unwrap()[0];
        let from = &rule.from.as_ref().unwrap()[0];
        let ns = from.namespace_selector.as_ref().unwrap().match_labels.as_ref().unwrap();
        assert_eq!(ns["kubernetes.io/metadata.name"], "observability");
        let ports: Vec<_> = rule.ports.as_ref().unwrap().iter().map(|p| p.port.clone()).collect();
        assert_eq!(
            ports,
            [Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(
                9090
            ))]
        );
    }
}
