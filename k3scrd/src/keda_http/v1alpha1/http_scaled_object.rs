//! `HTTPScaledObject`, `http.keda.sh/v1alpha1`: HTTP-traffic autoscaling (deprecated upstream
//! since add-on v0.14 in favour of `InterceptorRoute`, still served).
//!
//! Source: kedacore/http-add-on `operator/apis/http/v1alpha1/httpscaledobject_types.go`
//! (v0.15.0); CRD `http.keda.sh_httpscaledobjects.yaml` in shared/crds.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A KEDA HTTP add-on `HTTPScaledObject` (`http.keda.sh/v1alpha1`).
    HTTPScaledObject(HTTPScaledObjectSpec) {
        group: "http.keda.sh",
        version: "v1alpha1",
        plural: "httpscaledobjects",
        scope: NamespaceResourceScope,
    }
}

/// Spec of an `HTTPScaledObject`: routing match, backend Service and scaling bounds.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPScaledObjectSpec {
    /// Host names routed to the target (matched on the Host header).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// Path prefixes routed to the target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_prefixes: Vec<String>,
    /// Headers a request must carry to match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HTTPHeader>,
    /// Workload to scale and Service to forward to (required).
    pub scale_target_ref: ScaleTargetRef,
    /// Replica bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<ReplicaStruct>,
    /// Metric that drives scaling. Default: concurrency with target 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_metric: Option<ScalingMetricSpec>,
    /// Seconds without traffic before scaling to zero. Default: 300.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaledown_period: Option<i32>,
    /// Seconds after creation before the first scale-to-zero. Default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_cooldown_period: Option<i32>,
    /// Service to route to when a cold start times out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cold_start_timeout_failover_ref: Option<ColdStartTimeoutFailoverRef>,
    /// Per-object interceptor timeouts (override the global ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<HTTPScaledObjectTimeoutsSpec>,
}

/// One entry of `spec.headers`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPHeader {
    /// Header name (required).
    pub name: String,
    /// Header value; absent means any value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `spec.scaleTargetRef`: workload to scale and the Service the interceptor forwards to.
///
/// Exactly one of `port` / `portName` must be set (CEL rule in the CRD).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScaleTargetRef {
    /// Name of the workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Kind of the workload, e.g. `Deployment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// API version of the workload, e.g. `apps/v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Service receiving the forwarded traffic (required).
    pub service: String,
    /// Service port number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Service port name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_name: Option<String>,
}

/// `spec.replicas`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReplicaStruct {
    /// Minimum replicas. Default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i32>,
    /// Maximum replicas. Default: 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i32>,
}

/// `spec.scalingMetric`: concurrency or request rate (mutually exclusive).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScalingMetricSpec {
    /// Scale on in-flight requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<ConcurrencyMetricSpec>,
    /// Scale on requests per window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_rate: Option<RateMetricSpec>,
}

/// `spec.scalingMetric.concurrency`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConcurrencyMetricSpec {
    /// Target concurrent requests per replica. Default: 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_value: Option<i64>,
}

/// `spec.scalingMetric.requestRate`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RateMetricSpec {
    /// Target requests per window per replica. Default: 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_value: Option<i64>,
    /// Averaging window (Go duration). Default: `1m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Bucket granularity (Go duration). Default: `1s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granularity: Option<String>,
}

/// `spec.coldStartTimeoutFailoverRef`: Service used when a cold start times out.
///
/// Exactly one of `port` / `portName` must be set (CEL rule in the CRD).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ColdStartTimeoutFailoverRef {
    /// Failover Service name (required).
    pub service: String,
    /// Failover Service port number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Failover Service port name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_name: Option<String>,
    /// Seconds to wait for the cold start before failing over. Default: 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i32>,
}

/// `spec.timeouts`: durations overriding the interceptor's global settings.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPScaledObjectTimeoutsSpec {
    /// How long to wait for the backend to become ready (Go duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition_wait: Option<String>,
    /// How long to wait for response headers (Go duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_header: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_routing_and_target() {
        let so = HTTPScaledObject::new(
            "web",
            HTTPScaledObjectSpec {
                hosts: vec!["web.localhost".into()],
                path_prefixes: vec!["/api".into()],
                scale_target_ref: ScaleTargetRef {
                    name: Some("web".into()),
                    kind: Some("Deployment".into()),
                    api_version: Some("apps/v1".into()),
                    service: "web".into(),
                    port: Some(8080),
                    port_name: None,
                },
                replicas: Some(ReplicaStruct {
                    min: Some(0),
                    max: Some(5),
                }),
                scaling_metric: Some(ScalingMetricSpec {
                    request_rate: Some(RateMetricSpec {
                        target_value: Some(50),
                        window: Some("1m".into()),
                        granularity: None,
                    }),
                    concurrency: None,
                }),
                scaledown_period: Some(120),
                ..Default::default()
            },
        );
        let v = serde_json::to_value(&so).unwrap();
        assert_eq!(v["apiVersion"], "http.keda.sh/v1alpha1");
        assert_eq!(v["kind"], "HTTPScaledObject");
        assert_eq!(v["spec"]["pathPrefixes"][0], "/api");
        assert_eq!(v["spec"]["scaleTargetRef"]["apiVersion"], "apps/v1");
        assert!(v["spec"]["scaleTargetRef"].get("portName").is_none());
        assert_eq!(v["spec"]["scalingMetric"]["requestRate"]["targetValue"], 50);
        assert_eq!(v["spec"]["scaledownPeriod"], 120);
        assert!(v["spec"].get("headers").is_none());
    }
}
