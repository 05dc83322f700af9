//! `HTTPRoute`, `gateway.networking.k8s.io/v1`: Gateway API HTTP routing (standard channel).
//!
//! Source: kubernetes-sigs/gateway-api `apis/v1/httproute_types.go`, `shared_types.go`,
//! `object_reference_types.go` (v1.6.1); CRD `standard/gateway.networking.k8s.io_httproutes.yaml`
//! in shared/crds. Rule filters live in the sibling `http_route_filter` module; the
//! `RequestMirror` filter and backend-level filters are not modelled.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

use super::http_route_filter::HTTPRouteFilter;

crate::custom_resource! {
    /// A Gateway API `HTTPRoute` (`gateway.networking.k8s.io/v1`).
    HTTPRoute(HTTPRouteSpec) {
        group: "gateway.networking.k8s.io",
        version: "v1",
        plural: "httproutes",
        scope: NamespaceResourceScope,
    }
}

/// Spec of an `HTTPRoute`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPRouteSpec {
    /// Gateways (or listeners) the route attaches to, at most 32.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parent_refs: Vec<ParentReference>,
    /// Host names matched against the Host header, at most 16; `*.` prefix allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// Rules, at most 16. Default: one rule matching prefix `/`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<HTTPRouteRule>,
}

/// One entry of `spec.parentRefs`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ParentReference {
    /// API group of the parent. Default: `gateway.networking.k8s.io`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind of the parent. Default: `Gateway`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Namespace of the parent. Default: the route's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name of the parent (required).
    pub name: String,
    /// Listener name within the parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
    /// Listener port within the parent (1–65535).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
}

/// One entry of `spec.rules`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPRouteRule {
    /// Rule name (DNS-1123 subdomain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Matches, ORed, at most 64. Default: path prefix `/`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<HTTPRouteMatch>,
    /// Filters applied in order, at most 16.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<HTTPRouteFilter>,
    /// Backends, at most 16; none means the request is answered with 500.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backend_refs: Vec<HTTPBackendRef>,
    /// Request and backend-request timeouts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<HTTPRouteTimeouts>,
}

/// One entry of `rules[].matches`; all its conditions must hold.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPRouteMatch {
    /// Path condition. Default: prefix `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<HTTPPathMatch>,
    /// Header conditions, at most 16.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HTTPHeaderMatch>,
    /// Query parameter conditions, at most 16.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_params: Vec<HTTPQueryParamMatch>,
    /// HTTP method condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<HTTPMethod>,
}

/// `matches[].path`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPPathMatch {
    /// How `value` is compared. Default: `PathPrefix`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<PathMatchType>,
    /// Path; starts with `/`, no `//`, `/./`, `/../`, `%2f`. Default: `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `matches[].path.type` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum PathMatchType {
    /// `Exact`: the whole path.
    Exact,
    /// `PathPrefix`: element-wise prefix (default).
    #[default]
    PathPrefix,
    /// `RegularExpression`: implementation-specific regex.
    RegularExpression,
}

/// One entry of `matches[].headers`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPHeaderMatch {
    /// How `value` is compared. Default: `Exact`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<StringMatchType>,
    /// Header name, case-insensitive (required).
    pub name: String,
    /// Header value (required).
    pub value: String,
}

/// One entry of `matches[].queryParams`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPQueryParamMatch {
    /// How `value` is compared. Default: `Exact`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<StringMatchType>,
    /// Query parameter name, case-sensitive (required).
    pub name: String,
    /// Query parameter value (required).
    pub value: String,
}

/// `type` of header and query parameter matches.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum StringMatchType {
    /// `Exact` (default).
    #[default]
    Exact,
    /// `RegularExpression`: implementation-specific regex.
    RegularExpression,
}

/// HTTP methods (RFC 9110) for `matches[].method`.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum HTTPMethod {
    /// `GET`.
    #[default]
    Get,
    /// `HEAD`.
    Head,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
    /// `CONNECT`.
    Connect,
    /// `OPTIONS`.
    Options,
    /// `TRACE`.
    Trace,
    /// `PATCH`.
    Patch,
}

/// One entry of `rules[].backendRefs`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPBackendRef {
    /// API group of the backend. Default: `""` (core).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind of the backend. Default: `Service`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name of the backend (required).
    pub name: String,
    /// Namespace of the backend; another namespace needs a ReferenceGrant. Default: same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Service port (1–65535); required for a core Service (CEL rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Relative traffic weight, 0–1000000. Default: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
}

/// `rules[].timeouts`: GEP-2257 durations such as `10s` or `1m30s` (no decimals, no `us`).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPRouteTimeouts {
    /// Whole-request timeout; `0s` disables it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// Timeout of each request to a backend; must not exceed `request`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_request: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::super::http_route_filter::{
        HTTPPathModifier, HTTPPathModifierType, HTTPRouteFilterType, HTTPURLRewriteFilter,
    };
    use super::*;

    #[test]
    fn serializes_rule_with_match_filter_and_backend() {
        let route = HTTPRoute::new(
            "web",
            HTTPRouteSpec {
                parent_refs: vec![ParentReference {
                    name: "public".into(),
                    namespace: Some("gateway".into()),
                    section_name: Some("https".into()),
                    ..Default::default()
                }],
                hostnames: vec!["web.example.com".into()],
                rules: vec![HTTPRouteRule {
                    matches: vec![HTTPRouteMatch {
                        path: Some(HTTPPathMatch {
                            type_: Some(PathMatchType::PathPrefix),
                            value: Some("/api".into()),
                        }),
                        method: Some(HTTPMethod::Get),
                        ..Default::default()
                    }],
                    filters: vec![HTTPRouteFilter {
                        type_: HTTPRouteFilterType::UrlRewrite,
                        url_rewrite: Some(HTTPURLRewriteFilter {
                            hostname: None,
                            path: Some(HTTPPathModifier {
                                type_: HTTPPathModifierType::ReplacePrefixMatch,
                                replace_prefix_match: Some("/".into()),
                                replace_full_path: None,
                            }),
                        }),
                        ..Default::default()
                    }],
                    backend_refs: vec![HTTPBackendRef {
                        name: "keda-add-ons-http-interceptor-proxy".into(),
                        namespace: Some("keda".into()),
                        port: Some(8080),
                        ..Default::default()
                    }],
                    timeouts: Some(HTTPRouteTimeouts {
                        request: Some("30s".into()),
                        backend_request: None,
                    }),
                    name: None,
                }],
            },
        );
        let v = serde_json::to_value(&route).unwrap();
        assert_eq!(v["apiVersion"], "gateway.networking.k8s.io/v1");
        assert_eq!(v["kind"], "HTTPRoute");
        assert_eq!(v["spec"]["parentRefs"][0]["sectionName"], "https");
        let rule = &v["spec"]["rules"][0];
        assert_eq!(rule["matches"][0]["path"]["type"], "PathPrefix");
        assert_eq!(rule["matches"][0]["method"], "GET");
        assert_eq!(rule["filters"][0]["type"], "URLRewrite");
        assert_eq!(rule["filters"][0]["urlRewrite"]["path"]["replacePrefixMatch"], "/");
        assert_eq!(rule["backendRefs"][0]["port"], 8080);
        assert_eq!(rule["timeouts"]["request"], "30s");
        assert!(rule.get("name").is_none());
    }
}
