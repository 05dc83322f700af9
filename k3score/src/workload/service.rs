//! The `service` block: the type of a workload's Service (ClusterIP, LoadBalancer, NodePort)
//! and its settings.
//!
//! ```yaml
//! service: {type: load_balancer, external_traffic: local, annotations: {metallb.io/address-pool: public}}
//! ```
//!
//! A `load_balancer` or `node_port` Service takes traffic from outside the cluster, through
//! the nodes: its ports are opened in the workload's NetworkPolicy to every source
//! (`0.0.0.0/0` and `::/0`), since the source address seen by the pod is the client's or a
//! node's, depending on `external_traffic` and the load balancer (on k3s, ServiceLB forwards
//! from a pod on every node).

use std::collections::BTreeMap;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use k8s_openapi::api::core::v1::{ServicePort, ServiceSpec};

use crate::error::{ErrorKind, PathRef, Problems};
use crate::names::{PortName, check_label_key};
use crate::ports::Port;

/// Lowest and highest port of the API server's default `--service-node-port-range`
/// (30000-32767, kube-apiserver reference).
pub const NODE_PORT_RANGE: (u16, u16) = (30000, 32767);

/// How the Service is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ServiceType {
    /// Inside the cluster only (`ClusterIP`).
    #[default]
    ClusterIp,
    /// An external load balancer (`LoadBalancer`; on k3s, ServiceLB), from every source.
    LoadBalancer,
    /// A port on every node (`NodePort`), from every source.
    NodePort,
}

impl ServiceType {
    /// The Kubernetes spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::ClusterIp => "ClusterIP",
            ServiceType::LoadBalancer => "LoadBalancer",
            ServiceType::NodePort => "NodePort",
        }
    }
}

/// Where external traffic may go (`externalTrafficPolicy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExternalTraffic {
    /// To any ready pod of the cluster; the client address is lost (`Cluster`, Kubernetes'
    /// default).
    Cluster,
    /// Only to pods on the node it arrived at; the client address is kept (`Local`).
    Local,
}

impl ExternalTraffic {
    /// The Kubernetes spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ExternalTraffic::Cluster => "Cluster",
            ExternalTraffic::Local => "Local",
        }
    }
}

/// The Service settings of a workload (`service:` in YAML).
///
/// ```
/// use k3score::workload::{ServiceSettings, ServiceType};
/// let s: ServiceSettings = k3score::yaml::from_yaml("{type: node_port, node_ports: {mqtt: 31883}}").unwrap();
/// assert_eq!(s.type_, ServiceType::NodePort);
/// assert!(s.is_external());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ServiceSettings {
    /// `cluster_ip`, `load_balancer` or `node_port`. Default: `cluster_ip`.
    #[serde(rename = "type", default)]
    pub type_: ServiceType,
    /// Annotations of the Service (load balancer settings). Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// `cluster` or `local` (keeps the client address), for `load_balancer` and `node_port`.
    /// Default: Kubernetes' `cluster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_traffic: Option<ExternalTraffic>,
    /// The load balancer implementation (`loadBalancerClass`), for `load_balancer`. Default:
    /// the cluster's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_class: Option<String>,
    /// Fixed node ports by port name (`{mqtt: 31883}`), for `node_port` and `load_balancer`.
    /// Default: chosen by Kubernetes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_ports: BTreeMap<PortName, u16>,
}

impl ServiceSettings {
    /// A `load_balancer` or `node_port` Service: reached from outside the cluster.
    #[must_use]
    pub fn is_external(&self) -> bool {
        self.type_ != ServiceType::ClusterIp
    }

    /// Records every problem under `path`: settings that do not fit the type, node ports out
    /// of range, used twice or naming no port of the workload, bad annotation keys. Not
    /// [`Validate`](crate::Validate): the check needs the workload's ports.
    pub fn validate(&self, ports: &[Port], path: PathRef<'_>, problems: &mut Problems) {
        let type_ = self.type_;
        let needs = |field: &str, what: &str| ErrorKind::Unsupported {
            feature: field.to_owned(),
            by: format!("service type {}", type_.as_str()),
            why: format!("set type: {what}"),
        };
        if self.external_traffic.is_some() && !self.is_external() {
            problems.push(
                path.field("external_traffic"),
                needs("external_traffic", "load_balancer or node_port"),
            );
        }
        // `loadBalancerClass` "may only be used when type is LoadBalancer" (Kubernetes Service
        // docs, "Load balancer class"; API validation of `spec.loadBalancerClass`).
        if self.load_balancer_class.is_some() && type_ != ServiceType::LoadBalancer {
            problems.push(
                path.field("load_balancer_class"),
                needs("load_balancer_class", "load_balancer"),
            );
        }
        let npath = path.field("node_ports");
        if !self.node_ports.is_empty() && !self.is_external() {
            problems.push(npath, needs("node_ports", "node_port or load_balancer"));
        }
        let mut seen = BTreeMap::new();
        for (name, number) in &self.node_ports {
            let ppath = npath.field(name.as_str());
            if !ports.iter().any(|p| p.name == *name) {
                problems.push(
                    ppath,
                    ErrorKind::Invalid(format!("{:?} is not one of the ports", name.as_str())),
                );
            }
            if !(NODE_PORT_RANGE.0..=NODE_PORT_RANGE.1).contains(number) {
                problems.push(
                    ppath,
                    ErrorKind::Invalid(format!(
                        "a node port must be {} to {} (the API server's default range), is {number}",
                        NODE_PORT_RANGE.0, NODE_PORT_RANGE.1
                    )),
                );
            }
            if let Some(other) = seen.insert(*number, name) {
                problems.push(
                    ppath,
                    ErrorKind::Conflict(format!("node port {number} is also {:?}'s", other.as_str())),
                );
            }
        }
        for key in self.annotations.keys() {
            problems.check(path.field("annotations").field(key), check_label_key(key));
        }
    }

    /// Sets the type and its settings on a rendered Service's spec (its `ports` already filled).
    pub fn apply(&self, spec: &mut ServiceSpec) {
        if !self.is_external() {
            return;
        }
        spec.type_ = Some(self.type_.as_str().to_owned());
        spec.external_traffic_policy = self.external_traffic.map(|t| t.as_str().to_owned());
        spec.load_balancer_class.clone_from(&self.load_balancer_class);
        for port in spec.ports.iter_mut().flatten() {
            self.set_node_port(port);
        }
    }

    fn set_node_port(&self, port: &mut ServicePort) {
        let number = port
            .name
            .as_deref()
            .and_then(|name| self.node_ports.iter().find(|(n, _)| n.as_str() == name))
            .map(|(_, number)| i32::from(*number));
        if number.is_some() {
            port.node_port = number;
        }
    }

    /// The annotations for the Service's metadata, if any.
    #[must_use]
    pub fn metadata_annotations(&self) -> Option<BTreeMap<String, String>> {
        (!self.annotations.is_empty()).then(|| self.annotations.clone())
    }
}
