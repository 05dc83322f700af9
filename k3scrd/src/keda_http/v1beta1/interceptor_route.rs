//! `InterceptorRoute`, `http.keda.sh/v1beta1`: routing for the KEDA HTTP interceptor (pair it
//! with a `ScaledObject` whose trigger is `external-push`).
//!
//! Source: kedacore/http-add-on `operator/apis/http/v1beta1/interceptorroute_types.go`
//! (v0.15.0); CRD `http.keda.sh_interceptorroutes.yaml` in shared/crds.

use std::collections::BTreeMap;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A KEDA HTTP add-on `InterceptorRoute` (`http.keda.sh/v1beta1`).
    InterceptorRoute(InterceptorRouteSpec) {
        group: "http.keda.sh",
        version: "v1beta1",
        plural: "interceptorroutes",
        scope: NamespaceResourceScope,
    }
}

/// Spec of an `InterceptorRoute`: backend, routing rules, scaling metric, cold-start handling.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InterceptorRouteSpec {
    /// Backend Service the interceptor forwards to (required).
    pub target: TargetRef,
    /// Routing rules: AND within a rule, OR across rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RoutingRule>,
    /// Metric reported to the scaler; at least one of its fields is required (required).
    pub scaling_metric: ScalingMetricSpec,
    /// What to answer while the backend is scaled to zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cold_start: Option<ColdStartSpec>,
    /// Per-route timeouts (override the global `KEDA_HTTP_*_TIMEOUT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<InterceptorRouteTimeouts>,
}

/// `spec.target`: the backend Service. Exactly one of `port` / `portName` (CEL rule).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TargetRef {
    /// Service name (required).
    pub service: String,
    /// Service port number (1–65535).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Service port name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_name: Option<String>,
}

/// One entry of `spec.rules`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RoutingRule {
    /// Host names (wildcards allowed) matched on the Host header.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// Path prefixes; the longest prefix wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<PathMatch>,
    /// Headers a request must carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderMatch>,
}

/// One entry of `spec.rules[].paths`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PathMatch {
    /// Path prefix (required).
    pub value: String,
}

/// One entry of `spec.rules[].headers`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HeaderMatch {
    /// Header name (required).
    pub name: String,
    /// Header value; absent means any value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `spec.scalingMetric`: concurrency and/or request rate (at least one, CEL rule).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScalingMetricSpec {
    /// Scale on in-flight requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<ConcurrencyTargetSpec>,
    /// Scale on requests per window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_rate: Option<RequestRateTargetSpec>,
}

/// `spec.scalingMetric.concurrency`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConcurrencyTargetSpec {
    /// Target concurrent requests per replica, ≥ 1 (required, no default).
    pub target_value: i32,
}

/// `spec.scalingMetric.requestRate`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RequestRateTargetSpec {
    /// Target requests per window per replica, ≥ 1 (required, no default).
    pub target_value: i32,
    /// Averaging window (Go duration). Default: `1m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Bucket granularity (Go duration). Default: `1s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granularity: Option<String>,
}

/// `spec.coldStart`: at least one of `fallback` / `placeholder` (CEL rule).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ColdStartSpec {
    /// Service to route to while the backend starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<ColdStartFallback>,
    /// Static response served while the backend starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<ColdStartPlaceholder>,
}

/// `spec.coldStart.fallback`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ColdStartFallback {
    /// The fallback Service (required).
    pub service: FallbackServiceRef,
}

/// `spec.coldStart.fallback.service`. Exactly one of `port` / `portName` (CEL rule).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct FallbackServiceRef {
    /// Service name (required).
    pub name: String,
    /// Service port number (1–65535).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Service port name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_name: Option<String>,
}

/// `spec.coldStart.placeholder`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ColdStartPlaceholder {
    /// The response to serve (required).
    pub response: PlaceholderResponse,
}

/// `spec.coldStart.placeholder.response`. `body` and `bodyFromConfigMap` are exclusive.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlaceholderResponse {
    /// HTTP status code (100–599). Default: 503.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<i32>,
    /// Inline response body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Response body read from a ConfigMap key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_from_config_map: Option<ConfigMapKeyRef>,
    /// Extra response headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

/// `spec.coldStart.placeholder.response.bodyFromConfigMap`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapKeyRef {
    /// ConfigMap name (required).
    pub name: String,
    /// Key inside the ConfigMap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// `spec.timeouts`: durations; unset falls back to the global settings.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InterceptorRouteTimeouts {
    /// How long to wait for the backend to become ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<String>,
    /// Whole-request timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// How long to wait for response headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_header: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_rules_metric_and_cold_start() {
        let route = InterceptorRoute::new(
            "web",
            InterceptorRouteSpec {
                target: TargetRef {
                    service: "web".into(),
                    port_name: Some("http".into()),
                    port: None,
                },
                rules: vec![RoutingRule {
                    hosts: vec!["web.localhost".into()],
                    paths: vec![PathMatch { value: "/".into() }],
                    headers: vec![],
                }],
                scaling_metric: ScalingMetricSpec {
                    concurrency: Some(ConcurrencyTargetSpec { target_value: 10 }),
                    request_rate: None,
                },
                cold_start: Some(ColdStartSpec {
                    placeholder: Some(ColdStartPlaceholder {
                        response: PlaceholderResponse {
                            status_code: Some(503),
                            body: Some("starting".into()),
                            ..Default::default()
                        },
                    }),
                    fallback: None,
                }),
                timeouts: Some(InterceptorRouteTimeouts {
                    response_header: Some("5s".into()),
                    ..Default::default()
                }),
            },
        );
        let v = serde_json::to_value(&route).unwrap();
        assert_eq!(v["apiVersion"], "http.keda.sh/v1beta1");
        assert_eq!(v["kind"], "InterceptorRoute");
        assert_eq!(v["spec"]["target"]["portName"], "http");
        assert_eq!(v["spec"]["rules"][0]["paths"][0]["value"], "/");
        assert_eq!(v["spec"]["scalingMetric"]["concurrency"]["targetValue"], 10);
        assert_eq!(v["spec"]["coldStart"]["placeholder"]["response"]["statusCode"], 503);
        assert_eq!(v["spec"]["timeouts"]["responseHeader"], "5s");
    }
}
