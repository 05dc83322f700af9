//! The scaled workload as every scaling renderer sees it ([`ScalingContext`]: its kind,
//! Service and routes) and the object skeletons the KEDA variants build from it.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::context::Context;
use crate::crd::keda::v1alpha1::{ScaleTarget, ScaleTriggers, ScaledObject, ScaledObjectSpec};
use crate::labels::AppLabels;
use crate::names::{self, DnsLabel};
use crate::ports::PortRef;

/// Longest ScaledObject name KEDA's webhook accepts (REFERENCE §12, KD2).
pub const MAX_SCALED_OBJECT_NAME: usize = 54;
/// API version of the workloads we scale.
pub const WORKLOAD_API_VERSION: &str = "apps/v1";

/// The kind of the scaled workload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TargetKind {
    /// `apps/v1` Deployment.
    #[default]
    Deployment,
    /// `apps/v1` StatefulSet.
    StatefulSet,
}

impl TargetKind {
    /// The Kubernetes `kind`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Deployment => "Deployment",
            TargetKind::StatefulSet => "StatefulSet",
        }
    }
}

/// The Service in front of the workload (what the KEDA HTTP interceptor forwards to).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRef {
    /// The Service name.
    pub name: String,
    /// The Service port, by number or by name.
    pub port: PortRef,
}

/// Everything about the scaled workload that is not in the [`super::Scaling`] spec.
///
/// ```
/// use k3score::scaling::{ScalingContext, ServiceRef, TargetKind};
/// use k3score::ports::PortRef;
/// use k3score::{labels::AppLabels, Context, Target};
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
/// let sctx = ScalingContext::new(AppLabels::new("web".parse().unwrap()), &ctx)
///     .with_service(ServiceRef { name: "web".into(), port: PortRef::Number(80) })
///     .with_hosts(vec!["web.localhost".into()]);
/// assert_eq!(sctx.name.as_str(), "web");
/// assert_eq!(sctx.target_kind, TargetKind::Deployment);
/// ```
#[derive(Clone, Debug)]
pub struct ScalingContext<'a> {
    /// Name of the scaled workload (and of the scaling objects).
    pub name: DnsLabel,
    /// Labels of the workload; scaling objects carry them too.
    pub labels: AppLabels,
    /// Kind of the scaled workload.
    pub target_kind: TargetKind,
    /// The workload's Service (required by `keda_http`).
    pub service: Option<ServiceRef>,
    /// Complete host names routed to the workload (`keda_http`).
    pub hosts: Vec<String>,
    /// Path prefixes routed to the workload (`keda_http`).
    pub paths: Vec<String>,
    /// Target and namespace.
    pub ctx: &'a Context,
}

impl<'a> ScalingContext<'a> {
    /// A Deployment named after `labels`, with no Service, hosts or paths.
    #[must_use]
    pub fn new(labels: AppLabels, ctx: &'a Context) -> Self {
        Self {
            name: labels.name().clone(),
            labels,
            target_kind: TargetKind::Deployment,
            service: None,
            hosts: Vec::new(),
            paths: Vec::new(),
            ctx,
        }
    }

    /// Sets the workload kind.
    #[must_use]
    pub fn with_target_kind(mut self, kind: TargetKind) -> Self {
        self.target_kind = kind;
        self
    }

    /// Sets the Service.
    #[must_use]
    pub fn with_service(mut self, service: ServiceRef) -> Self {
        self.service = Some(service);
        self
    }

    /// Sets the routed hosts.
    #[must_use]
    pub fn with_hosts(mut self, hosts: Vec<String>) -> Self {
        self.hosts = hosts;
        self
    }

    /// Sets the routed path prefixes.
    #[must_use]
    pub fn with_paths(mut self, paths: Vec<String>) -> Self {
        self.paths = paths;
        self
    }

    pub(super) fn metadata(&self, name: String) -> ObjectMeta {
        ObjectMeta {
            name: Some(name),
            namespace: self.ctx.ns(),
            labels: Some(self.labels.labels()),
            ..Default::default()
        }
    }

    /// The ScaledObject name: the workload name, cut to 54 characters (KD2).
    pub(super) fn scaled_object_name(&self) -> String {
        names::bounded(self.name.as_str(), "", MAX_SCALED_OBJECT_NAME)
    }

    /// A ScaledObject for the workload with the given bounds and triggers.
    pub(super) fn scaled_object(
        &self,
        min: i32,
        max: i32,
        cooldown: Option<i32>,
        triggers: Vec<ScaleTriggers>,
    ) -> ScaledObject {
        ScaledObject {
            metadata: self.metadata(self.scaled_object_name()),
            spec: ScaledObjectSpec {
                scale_target_ref: ScaleTarget {
                    name: self.name.to_string(),
                    api_version: Some(WORKLOAD_API_VERSION.to_owned()),
                    kind: Some(self.target_kind.as_str().to_owned()),
                    env_source_container_name: None,
                },
                min_replica_count: Some(min),
                max_replica_count: Some(max),
                cooldown_period: cooldown,
                triggers,
                ..Default::default()
            },
        }
    }
}

/// Trigger metadata from key/value pairs (every value a string, REFERENCE §1a).
pub(super) fn metadata_map<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}
