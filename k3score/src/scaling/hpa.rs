//! `hpa`: a plain `autoscaling/v2` HorizontalPodAutoscaler on CPU and/or memory utilization.

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget, ResourceMetricSource,
};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::checks::validate_bounds;
use super::context::{ScalingContext, WORKLOAD_API_VERSION};
use crate::error::{ErrorKind, PathRef, Problems, Validate};

/// Default `hpa.min` (the HPA's own default, REFERENCE §3, K1).
pub const DEFAULT_MIN: i32 = 1;
/// CPU utilization target written when neither `cpu` nor `memory` is set: the HPA's implicit
/// default (K1), made explicit in the output.
pub const DEFAULT_CPU_UTILIZATION: i32 = 80;
/// Longest stabilization window the API accepts, in seconds (K1).
const MAX_STABILIZATION_WINDOW: i32 = 3600;
/// Longest policy period the API accepts, in seconds (K1).
const MAX_POLICY_PERIOD: i32 = 1800;

fn default_min() -> i32 {
    DEFAULT_MIN
}

/// Horizontal pod autoscaling on resource utilization (percent of the pods' requests).
///
/// ```
/// use k3score::scaling::{Scaling, ScalingContext};
/// use k3score::{labels::AppLabels, Context, Object, Target};
/// let scaling: Scaling = k3score::yaml::from_yaml("hpa: {min: 2, max: 10, cpu: 70}").unwrap();
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
/// let objects = scaling.render(&ScalingContext::new(AppLabels::new("web".parse().unwrap()), &ctx)).unwrap();
/// let Object::HorizontalPodAutoscaler(hpa) = &objects[0] else { panic!() };
/// let v = serde_json::to_value(&hpa).unwrap();
/// assert_eq!(v["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 70);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Hpa {
    /// Fewest replicas (at least 1). Default: 1.
    #[serde(default = "default_min")]
    pub min: i32,
    /// Most replicas (at least 1 and at least `min`). Required.
    pub max: i32,
    /// Target average CPU utilization, percent of requests (1-100). Default: 80 when `memory`
    /// is not set either, else none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<i32>,
    /// Target average memory utilization, percent of requests (1-100). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<i32>,
    /// Scale-up / scale-down tuning. Default: the HPA's (no scale-up window, 300 s down).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<Behavior>,
}

/// HPA `spec.behavior`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Behavior {
    /// Rules for scaling up. Default: the HPA's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_up: Option<ScalingRules>,
    /// Rules for scaling down. Default: the HPA's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down: Option<ScalingRules>,
}

/// One direction of HPA behavior.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ScalingRules {
    /// Seconds of past recommendations considered (0-3600). Default: 0 up, 300 down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stabilization_window: Option<i32>,
    /// Rate limits on scaling. Default: the HPA's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<ScalingPolicy>,
    /// Which policy wins. Default: `max`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<SelectPolicy>,
}

/// One rate limit: at most `value` pods (or percent) per `period` seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ScalingPolicy {
    /// Pods or percent.
    #[serde(rename = "type")]
    pub kind: PolicyType,
    /// How many (positive).
    pub value: i32,
    /// Per how many seconds (1-1800).
    pub period: i32,
}

/// The unit of a [`ScalingPolicy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PolicyType {
    /// Absolute number of pods.
    Pods,
    /// Percent of current replicas.
    Percent,
}

/// How the HPA picks among policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SelectPolicy {
    /// The policy allowing the biggest change.
    Max,
    /// The policy allowing the smallest change.
    Min,
    /// Never scale in this direction.
    Disabled,
}

impl ScalingRules {
    fn to_k8s(&self) -> HPAScalingRules {
        HPAScalingRules {
            stabilization_window_seconds: self.stabilization_window,
            policies: (!self.policies.is_empty()).then(|| {
                self.policies
                    .iter()
                    .map(|p| HPAScalingPolicy {
                        type_: match p.kind {
                            PolicyType::Pods => "Pods",
                            PolicyType::Percent => "Percent",
                        }
                        .to_owned(),
                        value: p.value,
                        period_seconds: p.period,
                    })
                    .collect()
            }),
            select_policy: self.select.map(|s| {
                match s {
                    SelectPolicy::Max => "Max",
                    SelectPolicy::Min => "Min",
                    SelectPolicy::Disabled => "Disabled",
                }
                .to_owned()
            }),
            ..Default::default()
        }
    }
}

impl Validate for ScalingRules {
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if let Some(window) = self.stabilization_window
            && !(0..=MAX_STABILIZATION_WINDOW).contains(&window)
        {
            problems.push(
                path.field("stabilization_window"),
                ErrorKind::Invalid(format!(
                    "must be between 0 and {MAX_STABILIZATION_WINDOW} seconds, is {window}"
                )),
            );
        }
        for (i, policy) in self.policies.iter().enumerate() {
            let policies = path.field("policies");
            let path = policies.index(i);
            if policy.value < 1 {
                problems.push(
                    path.field("value"),
                    ErrorKind::Invalid(format!("must be positive, is {}", policy.value)),
                );
            }
            if !(1..=MAX_POLICY_PERIOD).contains(&policy.period) {
                problems.push(
                    path.field("period"),
                    ErrorKind::Invalid(format!(
                        "must be between 1 and {MAX_POLICY_PERIOD} seconds, is {}",
                        policy.period
                    )),
                );
            }
        }
    }
}

fn utilization(resource: &str, percent: i32) -> MetricSpec {
    MetricSpec {
        type_: "Resource".to_owned(),
        resource: Some(ResourceMetricSource {
            name: resource.to_owned(),
            target: MetricTarget {
                type_: "Utilization".to_owned(),
                average_utilization: Some(percent),
                ..Default::default()
            },
        }),
        ..Default::default()
    }
}

impl Hpa {
    /// The HorizontalPodAutoscaler, named after the workload.
    #[must_use]
    // `spec` is an `Option` in k8s-openapi 1.33 and required in 1.37: `.into()` serves both.
    #[allow(clippy::useless_conversion)]
    pub fn render(&self, sctx: &ScalingContext<'_>) -> HorizontalPodAutoscaler {
        let mut metrics = Vec::new();
        let cpu = match (self.cpu, self.memory) {
            (None, None) => Some(DEFAULT_CPU_UTILIZATION),
            (cpu, _) => cpu,
        };
        if let Some(cpu) = cpu {
            metrics.push(utilization("cpu", cpu));
        }
        if let Some(memory) = self.memory {
            metrics.push(utilization("memory", memory));
        }
        HorizontalPodAutoscaler {
            metadata: sctx.metadata(sctx.name.to_string()),
            spec: HorizontalPodAutoscalerSpec {
                scale_target_ref: CrossVersionObjectReference {
                    api_version: Some(WORKLOAD_API_VERSION.to_owned()),
                    kind: sctx.target_kind.as_str().to_owned(),
                    name: sctx.name.to_string(),
                },
                min_replicas: Some(self.min),
                max_replicas: self.max,
                metrics: Some(metrics),
                behavior: self.behavior.as_ref().map(|b| HorizontalPodAutoscalerBehavior {
                    scale_up: b.scale_up.as_ref().map(ScalingRules::to_k8s),
                    scale_down: b.scale_down.as_ref().map(ScalingRules::to_k8s),
                }),
            }
            .into(),
            ..Default::default()
        }
    }
}

impl Validate for Hpa {
    /// Checks the spec, recording every problem under `path` (e.g. `scaling.hpa`).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        validate_bounds(path, self.min, self.max, 1, problems);
        for (field, value) in [("cpu", self.cpu), ("memory", self.memory)] {
            if let Some(percent) = value
                && !(1..=100).contains(&percent)
            {
                problems.push(
                    path.field(field),
                    ErrorKind::Invalid(format!("utilization target must be 1 to 100 percent, is {percent}")),
                );
            }
        }
        if let Some(behavior) = &self.behavior {
            let path = path.field("behavior");
            if let Some(up) = &behavior.scale_up {
                up.validate(path.field("scale_up"), problems);
            }
            if let Some(down) = &behavior.scale_down {
                down.validate(path.field("scale_down"), problems);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::AppLabels;
    use crate::scaling::Scaling;
    use crate::yaml::from_yaml;
    use crate::{Context, Target};

    fn errors(yaml: &str) -> Vec<String> {
        let scaling: Scaling = from_yaml(yaml).unwrap();
        scaling.problems_at(PathRef::ROOT.field("scaling")).messages()
    }

    #[test]
    fn renders_metrics_and_behavior() {
        let hpa: Hpa = from_yaml(
            "{max: 5, memory: 60, behavior: {scale_down: {stabilization_window: 120, \
             policies: [{type: percent, value: 50, period: 60}], select: min}}}",
        )
        .unwrap();
        assert_eq!(hpa.min, DEFAULT_MIN);
        let ctx = Context::new(Target::local(), "shop".parse().unwrap());
        let sctx = ScalingContext::new(AppLabels::new("web".parse().unwrap()), &ctx)
            .with_target_kind(super::super::TargetKind::StatefulSet);
        let v = serde_json::to_value(hpa.render(&sctx)).unwrap();
        assert_eq!(v["apiVersion"], "autoscaling/v2");
        assert_eq!(v["metadata"]["namespace"], "shop");
        assert_eq!(v["spec"]["scaleTargetRef"]["kind"], "StatefulSet");
        assert_eq!(v["spec"]["metrics"].as_array().unwrap().len(), 1);
        assert_eq!(v["spec"]["metrics"][0]["resource"]["name"], "memory");
        let down = &v["spec"]["behavior"]["scaleDown"];
        assert_eq!(down["stabilizationWindowSeconds"], 120);
        assert_eq!(down["selectPolicy"], "Min");
        assert_eq!(down["policies"][0]["type"], "Percent");
        assert_eq!(down["policies"][0]["periodSeconds"], 60);
    }

    #[test]
    fn default_metric_is_cpu_80() {
        let hpa: Hpa = from_yaml("{max: 3}").unwrap();
        let ctx = Context::new(Target::local(), "shop".parse().unwrap());
        let v =
            serde_json::to_value(hpa.render(&ScalingContext::new(AppLabels::new("w".parse().unwrap()), &ctx))).unwrap();
        assert_eq!(v["spec"]["metrics"][0]["resource"]["name"], "cpu");
        assert_eq!(
            v["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            DEFAULT_CPU_UTILIZATION
        );
        assert_eq!(v["spec"]["minReplicas"], 1);
    }

    #[test]
    fn errors_have_paths() {
        assert_eq!(
            errors("hpa: {min: 4, max: 2, cpu: 0, memory: 120}"),
            [
                "scaling.hpa.max: conflict: max (2) is below min (4)",
                "scaling.hpa.cpu: utilization target must be 1 to 100 percent, is 0",
                "scaling.hpa.memory: utilization target must be 1 to 100 percent, is 120",
            ]
        );
        assert_eq!(
            errors("hpa: {min: 0, max: 2}"),
            ["scaling.hpa.min: min must be at least 1, is 0"]
        );
        assert_eq!(
            errors(
                "hpa: {max: 2, behavior: {scale_up: {stabilization_window: 4000, \
                 policies: [{type: pods, value: 0, period: 0}]}}}"
            ),
            [
                "scaling.hpa.behavior.scale_up.stabilization_window: must be between 0 and 3600 seconds, is 4000",
                "scaling.hpa.behavior.scale_up.policies[0].value: must be positive, is 0",
                "scaling.hpa.behavior.scale_up.policies[0].period: must be between 1 and 1800 seconds, is 0",
            ]
        );
        assert!(from_yaml::<Scaling>("hpa: {min: 1}").is_err(), "max is required");
    }
}
