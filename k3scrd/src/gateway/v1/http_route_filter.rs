//! Filters of an `HTTPRoute` rule (`spec.rules[].filters[]`), `gateway.networking.k8s.io/v1`.
//!
//! Split from `http_route` to keep files short. Source: kubernetes-sigs/gateway-api
//! `apis/v1/httproute_types.go`, `object_reference_types.go` (v1.6.1); CRD
//! `standard/gateway.networking.k8s.io_httproutes.yaml` in shared/crds. The `RequestMirror`
//! filter is not modelled.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

/// One entry of `rules[].filters`; `type` names the one field that must be set (CEL rules).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPRouteFilter {
    /// Which filter this is (required).
    #[serde(rename = "type")]
    pub type_: HTTPRouteFilterType,
    /// Set, add or remove request headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_header_modifier: Option<HTTPHeaderFilter>,
    /// Set, add or remove response headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_header_modifier: Option<HTTPHeaderFilter>,
    /// Rewrite host and/or path before forwarding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_rewrite: Option<HTTPURLRewriteFilter>,
    /// Answer with a redirect; exclusive with `backendRefs` and `URLRewrite`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_redirect: Option<HTTPRequestRedirectFilter>,
    /// Answer CORS preflights and add CORS headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<HTTPCORSFilter>,
    /// Implementation-specific filter object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_ref: Option<LocalObjectReference>,
}

/// `filters[].type` values (without `RequestMirror`, which is not modelled).
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum HTTPRouteFilterType {
    /// `RequestHeaderModifier` (core).
    #[default]
    RequestHeaderModifier,
    /// `ResponseHeaderModifier` (extended).
    ResponseHeaderModifier,
    /// `RequestRedirect` (core).
    RequestRedirect,
    /// `URLRewrite` (extended).
    #[serde(rename = "URLRewrite")]
    UrlRewrite,
    /// `ExtensionRef` (implementation-specific).
    ExtensionRef,
    /// `CORS` (extended, standard since v1.5).
    #[serde(rename = "CORS")]
    Cors,
}

/// `requestHeaderModifier` / `responseHeaderModifier`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPHeaderFilter {
    /// Headers to overwrite, at most 16.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<HTTPHeader>,
    /// Headers to append, at most 16.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add: Vec<HTTPHeader>,
    /// Header names to remove, at most 16.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
}

/// A header name and value.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPHeader {
    /// Header name (required).
    pub name: String,
    /// Header value (required).
    pub value: String,
}

/// `filters[].urlRewrite`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPURLRewriteFilter {
    /// New Host header value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// New path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<HTTPPathModifier>,
}

/// Path rewrite of `urlRewrite.path` / `requestRedirect.path`; set the field `type` names.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPPathModifier {
    /// Kind of rewrite (required).
    #[serde(rename = "type")]
    pub type_: HTTPPathModifierType,
    /// Replacement for the whole path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_full_path: Option<String>,
    /// Replacement for the matched prefix; needs exactly one `PathPrefix` match in the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_prefix_match: Option<String>,
}

/// `path.type` values of a path modifier.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum HTTPPathModifierType {
    /// `ReplaceFullPath`.
    ReplaceFullPath,
    /// `ReplacePrefixMatch`.
    #[default]
    ReplacePrefixMatch,
}

/// `filters[].requestRedirect`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPRequestRedirectFilter {
    /// Scheme of the `Location`. Default: the request's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<RedirectScheme>,
    /// Host of the `Location`. Default: the request's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Path of the `Location`. Default: the request's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<HTTPPathModifier>,
    /// Port of the `Location` (1–65535).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Status code, one of 301, 302, 303, 307, 308. Default: 302.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<i32>,
}

/// `requestRedirect.scheme` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum RedirectScheme {
    /// `http`.
    Http,
    /// `https`.
    #[default]
    Https,
}

/// `filters[].cors`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HTTPCORSFilter {
    /// Allowed origins `<scheme>://<host>[:<port>]` (host may start with `*.`) or `*`; ≤ 64.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_origins: Vec<String>,
    /// Send `Access-Control-Allow-Credentials: true`. Default: omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<bool>,
    /// Allowed methods, or `*` alone; ≤ 9.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_methods: Vec<CORSMethod>,
    /// Allowed request headers, or `*` alone; ≤ 64.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_headers: Vec<String>,
    /// Response headers exposed to scripts; ≤ 64.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose_headers: Vec<String>,
    /// Seconds a preflight result may be cached, ≥ 1. Default: 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i32>,
}

/// `cors.allowMethods` values: an HTTP method or `*`.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum CORSMethod {
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
    /// `*`: every method (must be the only entry).
    #[serde(rename = "*")]
    Any,
}

/// `filters[].extensionRef`: an object in the route's namespace.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LocalObjectReference {
    /// API group of the referent; `""` for core (required).
    pub group: String,
    /// Kind of the referent (required).
    pub kind: String,
    /// Name of the referent (required).
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_filter_field_names() {
        let filter = HTTPRouteFilter {
            type_: HTTPRouteFilterType::Cors,
            cors: Some(HTTPCORSFilter {
                allow_origins: vec!["https://app.example.com".into()],
                allow_methods: vec![CORSMethod::Get, CORSMethod::Any],
                allow_credentials: Some(true),
                max_age: Some(600),
                ..Default::default()
            }),
            ..Default::default()
        };
        let v = serde_json::to_value(&filter).unwrap();
        assert_eq!(v["type"], "CORS");
        assert_eq!(v["cors"]["allowOrigins"][0], "https://app.example.com");
        assert_eq!(v["cors"]["allowMethods"][1], "*");
        assert_eq!(v["cors"]["allowCredentials"], true);
        assert_eq!(v["cors"]["maxAge"], 600);
        assert!(v.get("urlRewrite").is_none());
    }

    #[test]
    fn redirect_and_header_modifier() {
        let redirect = HTTPRouteFilter {
            type_: HTTPRouteFilterType::RequestRedirect,
            request_redirect: Some(HTTPRequestRedirectFilter {
                scheme: Some(RedirectScheme::Https),
                status_code: Some(301),
                ..Default::default()
            }),
            ..Default::default()
        };
        let v = serde_json::to_value(&redirect).unwrap();
        assert_eq!(v["requestRedirect"]["scheme"], "https");
        assert_eq!(v["requestRedirect"]["statusCode"], 301);
        let headers = HTTPHeaderFilter {
            set: vec![HTTPHeader {
                name: "X-Env".into(),
                value: "dev".into(),
            }],
            remove: vec!["Server".into()],
            ..Default::default()
        };
        let v = serde_json::to_value(&headers).unwrap();
        assert_eq!(v["set"][0]["name"], "X-Env");
        assert!(v.get("add").is_none());
    }
}
