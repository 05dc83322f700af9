//! What every scaling renderer needs: the scaled workload, its Service and routes, and the
//! checks and object skeletons shared by the KEDA variants.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::context::Context;
use crate::crd::keda::v1alpha1::{ScaleTarget, ScaleTriggers, ScaledObject, ScaledObjectSpec};
use crate::error::{ErrorKind, PathRef, Problems};
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

/// Checks replica bounds: `min >= floor`, `max >= 1`, `min <= max`.
pub(super) fn validate_bounds(path: PathRef<'_>, min: i32, max: i32, floor: i32, problems: &mut Problems) {
    if min < floor {
        problems.push(
            path.field("min"),
            ErrorKind::Invalid(format!("min must be at least {floor}, is {min}")),
        );
    }
    if max < 1 {
        problems.push(
            path.field("max"),
            ErrorKind::Invalid(format!("max must be at least 1, is {max}")),
        );
    } else if min > max {
        problems.push(
            path.field("max"),
            ErrorKind::Conflict(format!("max ({max}) is below min ({min})")),
        );
    }
}

/// Checks a Go duration such as `1m`, `30s` or `1h30m` (positive).
pub(super) fn check_duration(value: &str) -> Result<(), ErrorKind> {
    let bad = || {
        ErrorKind::Invalid(format!(
            "invalid duration {value:?}: use a number and a unit, like 30s, 1m or 1h30m"
        ))
    };
    let mut rest = value;
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total_positive = false;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        let (number, tail) = rest.split_at(digits);
        let number: f64 = number.parse().map_err(|_| bad())?;
        total_positive |= number > 0.0;
        let unit_len = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .find(|u| tail.starts_with(**u) && !(**u == "m" && tail.starts_with("ms")))
            .map(|u| u.len())
            .ok_or_else(bad)?;
        rest = &tail[unit_len..];
    }
    if total_positive { Ok(()) } else { Err(bad()) }
}

/// Trigger metadata from key/value pairs (every value a string, REFERENCE §1a).
pub(super) fn metadata_map<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for ok in ["1m", "30s", "1h30m", "500ms", "1.5s"] {
            assert!(check_duration(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1", "m", "0s", "1d", "-1s", "1 m"] {
            assert!(check_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bounds() {
        let mut problems = Problems::default();
        let path = crate::FieldPath::root().field("scaling").field("hpa");
        validate_bounds((&path).into(), 3, 2, 1, &mut problems);
        validate_bounds((&path).into(), 0, 0, 1, &mut problems);
        let errors: Vec<String> = problems
            .finish(())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            errors,
            [
                "scaling.hpa.max: conflict: max (2) is below min (3)",
                "scaling.hpa.min: min must be at least 1, is 0",
                "scaling.hpa.max: max must be at least 1, is 0",
            ]
        );
    }
}
