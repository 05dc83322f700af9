//! `ScaledObject`, `keda.sh/v1alpha1`: event-driven autoscaling of a workload.
//!
//! Source: kedacore/keda `apis/keda/v1alpha1/scaledobject_types.go` and
//! `scaletriggers_types.go` (v2.20.2); CRD `keda.sh_scaledobjects.yaml` in shared/crds.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A KEDA `ScaledObject` (`keda.sh/v1alpha1`).
    ScaledObject(ScaledObjectSpec) {
        group: "keda.sh",
        version: "v1alpha1",
        plural: "scaledobjects",
        scope: NamespaceResourceScope,
    }
}

/// Spec of a KEDA `ScaledObject`: which workload to scale, on which triggers, within which bounds.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScaledObjectSpec {
    /// The workload to scale; it must live in the ScaledObject's namespace.
    pub scale_target_ref: ScaleTarget,
    /// Seconds between trigger checks. Default: 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polling_interval: Option<i32>,
    /// Seconds after the last active trigger before scaling to zero (N→0 only). Default: 300.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown_period: Option<i32>,
    /// Seconds after creation before the first scale-to-zero. Default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_cooldown_period: Option<i32>,
    /// Replicas while no trigger is active; must be below `minReplicaCount` (only 0 works well).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_replica_count: Option<i32>,
    /// Lower replica bound. Default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replica_count: Option<i32>,
    /// Upper replica bound, copied into the generated HPA. Default: 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_replica_count: Option<i32>,
    /// Replicas to fall back to when a scaler keeps failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    /// HPA tuning and deletion behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advanced: Option<ScaledObjectAdvanced>,
    /// The event sources that drive scaling (required, at least one in practice).
    pub triggers: Vec<ScaleTriggers>,
}

/// `spec.scaleTargetRef`: the scaled workload (any kind with a `/scale` subresource).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScaleTarget {
    /// Name of the workload (required).
    pub name: String,
    /// API version of the workload. Default: `apps/v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the workload. Default: `Deployment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Container whose environment the triggers may read. Default: the first container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_source_container_name: Option<String>,
}

/// `spec.fallback`: replicas used after `failureThreshold` consecutive scaler errors.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Fallback {
    /// Consecutive failures before the fallback applies (required).
    pub failure_threshold: i32,
    /// Replica count to use while failing (required).
    pub replicas: i32,
    /// How the fallback replica count is chosen. Default: `static`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<FallbackBehavior>,
}

/// `spec.fallback.behavior` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum FallbackBehavior {
    /// `static`: always use `fallback.replicas` (upstream default).
    #[default]
    Static,
    /// `currentReplicas`: keep the current replica count.
    CurrentReplicas,
    /// `currentReplicasIfHigher`: the higher of current and fallback replicas.
    CurrentReplicasIfHigher,
    /// `currentReplicasIfLower`: the lower of current and fallback replicas.
    CurrentReplicasIfLower,
    /// `scalingModifiers`: evaluate `advanced.scalingModifiers` with the fallback values.
    ScalingModifiers,
}

/// `spec.advanced`: HPA tuning and deletion behaviour.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScaledObjectAdvanced {
    /// Settings passed to the HPA that KEDA creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizontal_pod_autoscaler_config: Option<HorizontalPodAutoscalerConfig>,
    /// Restore the original replica count when the ScaledObject is deleted. Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_to_original_replica_count: Option<bool>,
    /// A composite metric computed from named triggers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_modifiers: Option<ScalingModifiers>,
}

/// `spec.advanced.horizontalPodAutoscalerConfig`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HorizontalPodAutoscalerConfig {
    /// Name of the generated HPA. Default: `keda-hpa-<scaledobject name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `autoscaling/v2` HPA behavior, passed through verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "hpa_behavior_schema"))]
    pub behavior: Option<HorizontalPodAutoscalerBehavior>,
}

/// `spec.advanced.scalingModifiers`: a formula over named triggers.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScalingModifiers {
    /// Expression over trigger names, e.g. `(a + b) / 2`; optional in the CRD, but KEDA's
    /// validation requires it once `scalingModifiers` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// Target value for the composite metric; optional in the CRD, required by KEDA's validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Activation threshold for the composite metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_target: Option<String>,
    /// Metric target type of the composite metric. Default: `AverageValue`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_type: Option<ScalingModifiersMetricType>,
}

/// `spec.advanced.scalingModifiers.metricType` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum ScalingModifiersMetricType {
    /// `AverageValue`: target divided by the replica count.
    #[default]
    AverageValue,
    /// `Value`: target compared as is.
    Value,
}

/// One entry of `spec.triggers`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScaleTriggers {
    /// Scaler type, e.g. `cron`, `redis`, `cpu`, `external-push` (required).
    #[serde(rename = "type")]
    pub type_: String,
    /// Trigger name; required when used in `scalingModifiers.formula`, unique per object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Scaler parameters; every value is a string (required, may be empty).
    pub metadata: BTreeMap<String, String>,
    /// Metric target type. Default: `AverageValue` (`Utilization` only for cpu/memory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_type: Option<MetricType>,
    /// Serve the metric from KEDA's cache between polls. Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_cached_metrics: Option<bool>,
    /// Credentials for the scaler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_ref: Option<AuthenticationRef>,
}

/// `spec.triggers[].metricType` values (`autoscaling/v2` metric target types).
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum MetricType {
    /// `AverageValue`: metric divided by the replica count (KEDA default).
    #[default]
    AverageValue,
    /// `Value`: metric compared as is.
    Value,
    /// `Utilization`: percent of the resource request (cpu/memory triggers only).
    Utilization,
}

/// `spec.triggers[].authenticationRef`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationRef {
    /// Name of the (Cluster)TriggerAuthentication (required).
    pub name: String,
    /// Kind of the referenced object. Default: `TriggerAuthentication`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AuthenticationRefKind>,
}

/// `spec.triggers[].authenticationRef.kind` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum AuthenticationRefKind {
    /// A namespaced `TriggerAuthentication` in the ScaledObject's namespace (default).
    #[default]
    TriggerAuthentication,
    /// A cluster-scoped `ClusterTriggerAuthentication`.
    ClusterTriggerAuthentication,
}

/// k8s-openapi types carry no `JsonSchema` here; describe the HPA behavior as an open object.
#[cfg(feature = "schema")]
fn hpa_behavior_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true,
    })
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::autoscaling::v2::HPAScalingRules;

    use super::*;

    #[test]
    fn serializes_camel_case_with_constants() {
        let so = ScaledObject::new(
            "orders",
            ScaledObjectSpec {
                scale_target_ref: ScaleTarget {
                    name: "orders".into(),
                    ..Default::default()
                },
                min_replica_count: Some(0),
                max_replica_count: Some(10),
                advanced: Some(ScaledObjectAdvanced {
                    horizontal_pod_autoscaler_config: Some(HorizontalPodAutoscalerConfig {
                        name: None,
                        behavior: Some(HorizontalPodAutoscalerBehavior {
                            scale_down: Some(HPAScalingRules {
                                stabilization_window_seconds: Some(60),
                                ..Default::default()
                            }),
                            scale_up: None,
                        }),
                    }),
                    restore_to_original_replica_count: Some(true),
                    scaling_modifiers: None,
                }),
                triggers: vec![ScaleTriggers {
                    type_: "cron".into(),
                    metadata: BTreeMap::from([("timezone".into(), "Etc/UTC".into())]),
                    metric_type: Some(MetricType::Value),
                    authentication_ref: Some(AuthenticationRef {
                        name: "creds".into(),
                        kind: Some(AuthenticationRefKind::ClusterTriggerAuthentication),
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            },
        );
        let v = serde_json::to_value(&so).unwrap();
        assert_eq!(v["apiVersion"], "keda.sh/v1alpha1");
        assert_eq!(v["kind"], "ScaledObject");
        assert_eq!(v["spec"]["scaleTargetRef"]["name"], "orders");
        assert_eq!(v["spec"]["minReplicaCount"], 0);
        assert!(v["spec"].get("pollingInterval").is_none());
        let trigger = &v["spec"]["triggers"][0];
        assert_eq!(trigger["type"], "cron");
        assert_eq!(trigger["metricType"], "Value");
        assert_eq!(trigger["authenticationRef"]["kind"], "ClusterTriggerAuthentication");
        let advanced = &v["spec"]["advanced"];
        assert_eq!(advanced["restoreToOriginalReplicaCount"], true);
        assert_eq!(
            advanced["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"],
            60
        );
    }

    #[test]
    fn fallback_behavior_strings() {
        let f = Fallback {
            failure_threshold: 3,
            replicas: 2,
            behavior: Some(FallbackBehavior::CurrentReplicasIfHigher),
        };
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["failureThreshold"], 3);
        assert_eq!(v["behavior"], "currentReplicasIfHigher");
        assert_eq!(serde_json::to_value(FallbackBehavior::Static).unwrap(), "static");
    }
}
