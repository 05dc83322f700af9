//! `IngressRoute`, `traefik.io/v1alpha1`: Traefik v3 HTTP routing.
//!
//! Source: traefik/traefik `pkg/provider/kubernetes/crd/traefikio/v1alpha1/ingressroute.go`;
//! CRD `traefik.io_ingressroutes.yaml` (Helm chart v41.3.0, Traefik v3.7) in shared/crds.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A Traefik `IngressRoute` (`traefik.io/v1alpha1`).
    IngressRoute(IngressRouteSpec) {
        group: "traefik.io",
        version: "v1alpha1",
        plural: "ingressroutes",
        scope: NamespaceResourceScope,
    }
}

/// Spec of an `IngressRoute`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct IngressRouteSpec {
    /// Entry points to listen on (`web`, `websecure`). Default: all default entry points.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entry_points: Vec<String>,
    /// Routing rules (required).
    pub routes: Vec<Route>,
    /// TLS termination; `tls: {}` serves the default certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<Tls>,
}

/// One entry of `spec.routes`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Route {
    /// Rule, e.g. ``Host(`a.example`) && PathPrefix(`/api`)`` (required).
    #[serde(rename = "match")]
    pub match_: String,
    /// Kind of the route; only `Rule` exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RouteKind>,
    /// Priority for disambiguation. Default: the rule length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// Backends of the route.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
    /// Middlewares applied in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub middlewares: Vec<MiddlewareRef>,
}

/// `spec.routes[].kind` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum RouteKind {
    /// `Rule`: the only kind.
    #[default]
    Rule,
}

/// One entry of `spec.routes[].services`: a Kubernetes Service or a TraefikService.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Name of the Service (required).
    pub name: String,
    /// Namespace of the Service; another namespace needs `allowCrossNamespace`. Default: same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Service port, number or name (Kubernetes Service only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "int_or_string_schema"))]
    pub port: Option<IntOrString>,
    /// Kind of the backend. Default: `Service`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ServiceKind>,
    /// Scheme to the backend. Default: `http` (`https` for port 443 or a port named `https`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Forward the client Host header. Default: true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_host_header: Option<bool>,
    /// Name of a `ServersTransport` in the same namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servers_transport: Option<String>,
}

/// `services[].kind` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum ServiceKind {
    /// `Service`: a Kubernetes Service (default).
    #[default]
    Service,
    /// `TraefikService`: a Traefik weighted/mirroring service.
    TraefikService,
}

/// One entry of `spec.routes[].middlewares`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MiddlewareRef {
    /// Name of the Middleware, without `@` (required).
    pub name: String,
    /// Namespace of the Middleware. Default: the IngressRoute's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `spec.tls`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Tls {
    /// Secret holding the certificate, in the IngressRoute's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    /// ACME certificate resolver from the static configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_resolver: Option<String>,
    /// `TLSOption` to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<TlsOptionRef>,
    /// Domains for the certificate resolver.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<Domain>,
}

/// `spec.tls.options`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TlsOptionRef {
    /// Name of the TLSOption (required).
    pub name: String,
    /// Namespace of the TLSOption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// One entry of `spec.tls.domains`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Domain {
    /// Main domain of the certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main: Option<String>,
    /// Subject alternative names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sans: Vec<String>,
}

/// k8s-openapi types carry no `JsonSchema` here; describe an IntOrString as the CRD does.
#[cfg(feature = "schema")]
fn int_or_string_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "x-kubernetes-int-or-string": true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_routes_and_tls() {
        let ir = IngressRoute::new(
            "web",
            IngressRouteSpec {
                entry_points: vec!["websecure".into()],
                routes: vec![Route {
                    match_: "Host(`web.localhost`) && PathPrefix(`/api`)".into(),
                    kind: Some(RouteKind::Rule),
                    services: vec![Service {
                        name: "keda-add-ons-http-interceptor-proxy".into(),
                        namespace: Some("keda".into()),
                        port: Some(IntOrString::Int(8080)),
                        pass_host_header: Some(true),
                        ..Default::default()
                    }],
                    middlewares: vec![MiddlewareRef {
                        name: "strip-api".into(),
                        namespace: None,
                    }],
                    priority: None,
                }],
                tls: Some(Tls {
                    secret_name: Some("web-tls".into()),
                    ..Default::default()
                }),
            },
        );
        let v = serde_json::to_value(&ir).unwrap();
        assert_eq!(v["apiVersion"], "traefik.io/v1alpha1");
        assert_eq!(v["kind"], "IngressRoute");
        assert_eq!(v["spec"]["entryPoints"][0], "websecure");
        let route = &v["spec"]["routes"][0];
        assert_eq!(route["match"], "Host(`web.localhost`) && PathPrefix(`/api`)");
        assert_eq!(route["kind"], "Rule");
        assert_eq!(route["services"][0]["port"], 8080);
        assert_eq!(route["services"][0]["passHostHeader"], true);
        assert_eq!(v["spec"]["tls"]["secretName"], "web-tls");
    }

    #[test]
    fn named_port_is_a_string() {
        let svc = Service {
            name: "web".into(),
            port: Some(IntOrString::String("http".into())),
            kind: Some(ServiceKind::Service),
            ..Default::default()
        };
        let v = serde_json::to_value(&svc).unwrap();
        assert_eq!(v["port"], "http");
        assert_eq!(v["kind"], "Service");
    }
}
