//! `Middleware`, `traefik.io/v1alpha1`: Traefik v3 HTTP middlewares (one type per object).
//!
//! Source: traefik/traefik `pkg/provider/kubernetes/crd/traefikio/v1alpha1/middleware.go` and
//! `pkg/config/dynamic/middlewares.go`; CRD `traefik.io_middlewares.yaml` (Helm chart v41.3.0,
//! Traefik v3.7) in shared/crds.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A Traefik `Middleware` (`traefik.io/v1alpha1`).
    Middleware(MiddlewareSpec) {
        group: "traefik.io",
        version: "v1alpha1",
        plural: "middlewares",
        scope: NamespaceResourceScope,
    }
}

/// Spec of a `Middleware`: set exactly one of the middleware fields.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MiddlewareSpec {
    /// Remove path prefixes (sets `X-Forwarded-Prefix`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strip_prefix: Option<StripPrefix>,
    /// Rewrite the path with a Go regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_path_regex: Option<ReplacePathRegex>,
    /// Replace the whole path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_path: Option<ReplacePath>,
    /// Prepend a path prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_prefix: Option<AddPrefix>,
    /// Token-bucket rate limiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// HTTP basic authentication from a Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuth>,
    /// Header manipulation and CORS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Headers>,
    /// Request/response buffering and body size limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffering: Option<Buffering>,
    /// Client IP allow list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_allow_list: Option<IPAllowList>,
    /// Plugin middlewares: plugin name to its configuration.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "plugin_schema"))]
    pub plugin: BTreeMap<String, PluginConfig>,
}

/// `spec.stripPrefix`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StripPrefix {
    /// Prefixes to strip.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefixes: Vec<String>,
}

/// `spec.replacePathRegex`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReplacePathRegex {
    /// Go regular expression matched against the path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// Replacement; use `${1}` rather than `$1x`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
}

/// `spec.replacePath`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReplacePath {
    /// New path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// `spec.addPrefix`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AddPrefix {
    /// Prefix to add; must start with `/` (CEL rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

/// `spec.rateLimit`: rate = `average / period`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests allowed per period; 0 disables limiting. Default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average: Option<i64>,
    /// Period, seconds or a Go duration. Default: `1s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "int_or_string_schema"))]
    pub period: Option<IntOrString>,
    /// Maximum burst of requests. Default: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<i64>,
    /// How requests are grouped into sources. Default: the client IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_criterion: Option<SourceCriterion>,
}

/// `spec.rateLimit.sourceCriterion`; set at most one strategy.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SourceCriterion {
    /// Client IP from `X-Forwarded-For`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_strategy: Option<IPStrategy>,
    /// Group by the value of this request header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_header_name: Option<String>,
    /// Group by the request host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_host: Option<bool>,
}

/// `ipStrategy`: how the client IP is determined.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct IPStrategy {
    /// Position from the right in `X-Forwarded-For`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<i64>,
    /// Addresses skipped when walking `X-Forwarded-For`.
    #[serde(default, rename = "excludedIPs", skip_serializing_if = "Vec::is_empty")]
    pub excluded_ips: Vec<String>,
    /// IPv6 subnet size used to group clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_subnet: Option<i64>,
}

/// `spec.basicAuth`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BasicAuth {
    /// Secret with the credentials, same namespace (`kubernetes.io/basic-auth` or htpasswd).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Authentication realm. Default: `traefik`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// Header that receives the authenticated user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_field: Option<String>,
    /// Remove the Authorization header before forwarding. Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_header: Option<bool>,
}

/// `spec.headers`: custom headers and CORS.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Headers {
    /// Allowed origins, or `*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_control_allow_origin_list: Vec<String>,
    /// Allowed origins as Go regular expressions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_control_allow_origin_list_regex: Vec<String>,
    /// Allowed methods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_control_allow_methods: Vec<String>,
    /// Allowed request headers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_control_allow_headers: Vec<String>,
    /// Response headers exposed to the browser.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_control_expose_headers: Vec<String>,
    /// Seconds a preflight response may be cached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_control_max_age: Option<i64>,
    /// Allow credentials in CORS requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_control_allow_credentials: Option<bool>,
    /// Add/update `Vary: Origin` when the origin list is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_vary_header: Option<bool>,
    /// Headers set on the request; an empty value removes the header.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_request_headers: BTreeMap<String, String>,
    /// Headers set on the response; an empty value removes the header.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_response_headers: BTreeMap<String, String>,
}

/// `spec.buffering`: body limits in bytes (0 = unlimited); over-limit requests get 413.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Buffering {
    /// Maximum request body size. Default: 0 (unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_request_body_bytes: Option<i64>,
    /// Request size buffered in memory before spilling to disk. Default: 1048576.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem_request_body_bytes: Option<i64>,
    /// Maximum response body size. Default: 0 (unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_response_body_bytes: Option<i64>,
    /// Response size buffered in memory before spilling to disk. Default: 1048576.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem_response_body_bytes: Option<i64>,
}

/// `spec.ipAllowList`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct IPAllowList {
    /// Allowed IPs or CIDR ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_range: Vec<String>,
    /// How the client IP is determined. Default: the connection's remote address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_strategy: Option<IPStrategy>,
    /// Status code for refused requests. Default: 403.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_status_code: Option<i32>,
}

/// Configuration of one plugin middleware: option name to value.
pub type PluginConfig = BTreeMap<String, PluginValue>;

/// A value in a plugin configuration (Traefik plugins take free-form YAML).
#[derive(Serialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum PluginValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    String(String),
    /// A list of values.
    List(Vec<PluginValue>),
    /// A nested map.
    Map(BTreeMap<String, PluginValue>),
}

/// k8s-openapi types carry no `JsonSchema` here; describe an IntOrString as the CRD does.
#[cfg(feature = "schema")]
fn int_or_string_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "x-kubernetes-int-or-string": true })
}

/// `spec.plugin` as the CRD declares it: a map of free-form objects.
#[cfg(feature = "schema")]
fn plugin_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "additionalProperties": { "x-kubernetes-preserve-unknown-fields": true },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_rate_limit_and_cors() {
        let mw = Middleware::new(
            "api",
            MiddlewareSpec {
                rate_limit: Some(RateLimit {
                    average: Some(100),
                    period: Some(IntOrString::String("1m".into())),
                    burst: Some(50),
                    source_criterion: Some(SourceCriterion {
                        ip_strategy: Some(IPStrategy {
                            depth: Some(1),
                            excluded_ips: vec!["10.0.0.0/8".into()],
                            ipv6_subnet: None,
                        }),
                        ..Default::default()
                    }),
                }),
                headers: Some(Headers {
                    access_control_allow_origin_list: vec!["https://a.example".into()],
                    access_control_allow_methods: vec!["GET".into()],
                    access_control_max_age: Some(600),
                    add_vary_header: Some(true),
                    ..Default::default()
                }),
                ip_allow_list: Some(IPAllowList {
                    source_range: vec!["192.168.0.0/16".into()],
                    ..Default::default()
                }),
                ..Default::default()
            },
        );
        let v = serde_json::to_value(&mw).unwrap();
        assert_eq!(v["apiVersion"], "traefik.io/v1alpha1");
        assert_eq!(v["kind"], "Middleware");
        assert_eq!(v["spec"]["rateLimit"]["period"], "1m");
        assert_eq!(
            v["spec"]["rateLimit"]["sourceCriterion"]["ipStrategy"]["excludedIPs"][0],
            "10.0.0.0/8"
        );
        assert_eq!(
            v["spec"]["headers"]["accessControlAllowOriginList"][0],
            "https://a.example"
        );
        assert_eq!(v["spec"]["headers"]["accessControlMaxAge"], 600);
        assert_eq!(v["spec"]["ipAllowList"]["sourceRange"][0], "192.168.0.0/16");
        assert!(v["spec"].get("plugin").is_none());
    }

    #[test]
    fn plugin_values_round_trip() {
        let config = PluginConfig::from([
            ("enabled".to_owned(), PluginValue::Bool(true)),
            ("limit".to_owned(), PluginValue::Int(3)),
            (
                "paths".to_owned(),
                PluginValue::List(vec![PluginValue::String("/a".into())]),
            ),
            (
                "nested".to_owned(),
                PluginValue::Map(BTreeMap::from([("k".to_owned(), PluginValue::String("v".into()))])),
            ),
        ]);
        let spec = MiddlewareSpec {
            plugin: BTreeMap::from([("my-plugin".to_owned(), config)]),
            ..Default::default()
        };
        let v = serde_json::to_value(&spec).unwrap();
        assert_eq!(v["plugin"]["my-plugin"]["enabled"], true);
        assert_eq!(v["plugin"]["my-plugin"]["limit"], 3);
        assert_eq!(v["plugin"]["my-plugin"]["nested"]["k"], "v");
        let back: MiddlewareSpec = serde_json::from_value(v).unwrap();
        assert_eq!(back, spec);
    }
}
