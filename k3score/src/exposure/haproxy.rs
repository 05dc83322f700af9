//! HAProxy renderer (haproxytech kubernetes-ingress): a `networking.k8s.io/v1` Ingress per
//! route, its policies as `haproxy.org/*` annotations (REFERENCE §5a, HP1).
//!
//! Annotations apply to a whole Ingress, so each route gets its own; k3sgateway may merge
//! routes whose [`annotations`] are equal into one Ingress.
//!
//! Notes:
//! - An Ingress only reaches Services in its own namespace. A backend in another namespace (the
//!   KEDA interceptor in `keda`) is reached through an `ExternalName` Service
//!   `<service>-<route>` next to the Ingress, pointing at
//!   `<service>.<namespace>.svc.cluster.local` (REFERENCE §2c, HA4); its port must be a number.
//! - TLS sets `spec.tls` (`secretName: <route>-tls` with a target issuer) and the annotation
//!   `cert-manager.io/cluster-issuer`, which cert-manager's ingress-shim turns into the
//!   certificate: the shim watches `networking.k8s.io/v1` Ingresses, so no `Certificate` is
//!   rendered here (Traefik and the Gateway API get one, see [`super::certificate_objects`]). HAProxy redirects HTTP to HTTPS for Ingresses with TLS.
//! - Rate-limited requests get 429 (haproxytech's default would be 403), as with Traefik.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress as KubeIngress, IngressBackend, IngressRule, IngressServiceBackend,
    IngressSpec, IngressTLS, ServiceBackendPort,
};

use super::capabilities::check_route;
use super::render::{meta, meta_annotated, prefix_group, render_with};
use super::route::{PathKind, Route};
use crate::context::Context;
use crate::error::{Errors, PathRef, Problems};
use crate::names::bounded;
use crate::object::Object;
use crate::ports::PortRef;
use crate::target::Ingress;

/// Prefix of the haproxytech annotations.
pub const ANNOTATION_PREFIX: &str = "haproxy.org/";
/// The cert-manager ingress-shim annotation naming a `ClusterIssuer`.
pub const CLUSTER_ISSUER_ANNOTATION: &str = "cert-manager.io/cluster-issuer";
/// The cluster DNS domain used for `ExternalName` Services.
pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// Status code answered to rate-limited clients.
pub const RATE_LIMIT_STATUS: &str = "429";

/// Renders `routes` as HAProxy Ingresses (plus `ExternalName` Services for backends in other
/// namespaces).
///
/// ```
/// use k3score::{Context, Kind, Target};
/// use k8s_openapi::api::networking::v1::Ingress;
/// use k3score::exposure::{Backend, Route, haproxy};
/// use k3score::ports::PortRef;
///
/// let ctx = Context::new(Target::gcp(), "shop".parse().unwrap());
/// let route = Route { strip_prefix: true, ..Route::new("orders".parse().unwrap(),
///     "orders".parse().unwrap(), Backend::new("orders".parse().unwrap(), PortRef::Number(8080)))
///     .with_paths(["/api"]) };
/// let objects = haproxy::render(&[route], &ctx).unwrap();
/// let ingress = objects.iter().find_map(Ingress::from_object).unwrap();
/// let annotations = ingress.metadata.annotations.as_ref().unwrap();
/// assert_eq!(annotations["haproxy.org/path-rewrite"], r"^(/api)(/(.*))?$ /\3");
/// assert_eq!(annotations["cert-manager.io/cluster-issuer"], "letsencrypt");
/// ```
pub fn render(routes: &[Route], ctx: &Context) -> Result<Vec<Object>, Errors> {
    render_with(routes, ctx, render_route)
}

/// The annotations of `route`'s Ingress on `ctx` (all values strings, REFERENCE §5a).
///
/// Checks the route first, so a feature HAProxy cannot express is an error here too; paths
/// are relative to the route.
pub fn annotations(route: &Route, ctx: &Context) -> Result<BTreeMap<String, String>, Errors> {
    let mut problems = Problems::default();
    check_route(route, ctx, PathRef::ROOT, &mut problems);
    problems.finish(())?;
    Ok(build_annotations(route, ctx))
}

fn build_annotations(route: &Route, ctx: &Context) -> BTreeMap<String, String> {
    let mut a = BTreeMap::new();
    let mut set = |key: &str, value: String| {
        a.insert(format!("{ANNOTATION_PREFIX}{key}"), value);
    };
    if let Some(rewrite) = path_rewrite(route) {
        set("path-rewrite", rewrite);
    }
    if let Some(limit) = &route.rate_limit {
        set("rate-limit-requests", limit.requests.to_string());
        set("rate-limit-period", limit.per.to_haproxy());
        set("rate-limit-status-code", RATE_LIMIT_STATUS.to_owned());
    }
    if let Some(auth) = &route.basic_auth {
        set("auth-type", "basic-auth".to_owned());
        set("auth-secret", auth.secret.to_string());
        if let Some(realm) = &auth.realm {
            set("auth-realm", realm.clone());
        }
    }
    if let Some(timeout) = route.timeout {
        set("timeout-server", timeout.to_haproxy());
    }
    if let Some(cors) = &route.cors {
        set("cors-enable", "true".to_owned());
        let origin = if cors.allow_origins.iter().any(super::cors::Origin::is_any) {
            "*".to_owned()
        } else {
            // The controller matches the Origin header with `-m reg <value>` (resSetCORS.go).
            let alternatives: Vec<String> = cors
                .allow_origins
                .iter()
                .map(|o| o.to_regex().trim_start_matches('^').trim_end_matches('$').to_owned())
                .collect();
            format!("^({})$", alternatives.join("|"))
        };
        set("cors-allow-origin", origin);
        let methods: Vec<&str> = cors.allow_methods.iter().map(|m| m.as_str()).collect();
        set("cors-allow-methods", methods.join(", "));
        if !cors.allow_headers.is_empty() {
            let headers: Vec<&str> = cors.allow_headers.iter().map(super::cors::HeaderName::as_str).collect();
            set("cors-allow-headers", headers.join(", "));
        }
        if let Some(age) = cors.max_age {
            set("cors-max-age", format!("{age}s"));
        }
        if cors.allow_credentials {
            set("cors-allow-credentials", "true".to_owned());
        }
    }
    if !route.allow_list.is_empty() {
        let list: Vec<String> = route.allow_list.iter().map(ToString::to_string).collect();
        set("allow-list", list.join(", "));
    }
    if route.uses_tls(&ctx.target)
        && let Some(issuer) = &ctx.target.tls_issuer
    {
        a.insert(CLUSTER_ISSUER_ANNOTATION.to_owned(), issuer.clone());
    }
    a
}

/// `haproxy.org/path-rewrite`: `regex replacement`, matching whole path segments so `/api`
/// does not rewrite `/apis` (HP1: `/foo/(.*) /\1` strips `/foo`).
fn path_rewrite(route: &Route) -> Option<String> {
    let group = prefix_group(route, true);
    match route.prefix_replacement()?.trim_end_matches('/') {
        "" if group.is_empty() => None,
        "" => Some(format!("^{group}(/(.*))?$ /\\3")),
        base if group.is_empty() => Some(format!("^(/.*)?$ {base}\\1")),
        base => Some(format!("^{group}(/.*)?$ {base}\\2")),
    }
}

fn render_route(route: &Route, ctx: &Context, out: &mut Vec<Object>) {
    let ns = ctx.namespace.as_str();
    let port = match &route.backend.port {
        PortRef::Number(n) => ServiceBackendPort {
            number: Some(i32::from(*n)),
            name: None,
        },
        PortRef::Name(name) => ServiceBackendPort {
            number: None,
            name: Some(name.to_string()),
        },
    };
    let service_name = match route.backend.foreign_namespace(&ctx.namespace) {
        None => route.backend.service.to_string(),
        Some(foreign) => {
            let name = bounded(&format!("{}-{}", route.backend.service, route.name), "", 63);
            let spec = ServiceSpec {
                type_: Some("ExternalName".to_owned()),
                external_name: Some(format!("{}.{foreign}.svc.{CLUSTER_DOMAIN}", route.backend.service)),
                ports: Some(vec![ServicePort {
                    port: port.number.unwrap_or_default(),
                    ..Default::default()
                }]),
                ..Default::default()
            };
            out.push(
                Service {
                    metadata: meta(name.clone(), ns, route),
                    spec: Some(spec),
                    ..Default::default()
                }
                .into(),
            );
            name
        }
    };
    let backend = IngressBackend {
        service: Some(IngressServiceBackend {
            name: service_name,
            port: Some(port),
        }),
        ..Default::default()
    };
    let host = route.host.resolve(&ctx.target);
    let paths = route
        .paths
        .iter()
        .map(|m| HTTPIngressPath {
            path: Some(m.path.clone()),
            path_type: match m.kind {
                PathKind::Prefix => "Prefix",
                PathKind::Exact => "Exact",
            }
            .to_owned(),
            backend: backend.clone(),
        })
        .collect();
    let tls = route.uses_tls(&ctx.target).then(|| {
        vec![IngressTLS {
            hosts: Some(vec![host.clone()]),
            secret_name: ctx.target.tls_issuer.as_ref().map(|_| super::tls_secret_name(route)),
        }]
    });
    let class = match &ctx.target.ingress {
        Ingress::Haproxy { ingress_class } => Some(ingress_class.clone()),
        Ingress::Traefik { .. } | Ingress::GatewayApi { .. } => None,
    };
    let spec = IngressSpec {
        ingress_class_name: class,
        rules: Some(vec![IngressRule {
            host: Some(host),
            http: Some(HTTPIngressRuleValue { paths }),
        }]),
        tls,
        ..Default::default()
    };
    let metadata = meta_annotated(route.name.to_string(), ns, route, build_annotations(route, ctx));
    out.push(
        KubeIngress {
            metadata,
            spec: Some(spec),
            ..Default::default()
        }
        .into(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposure::{Backend, Cors, Duration, PathMatch, RateLimit};
    use crate::object::Kind;
    use crate::target::Target;

    fn route() -> Route {
        Route::new(
            "orders".parse().unwrap(),
            "orders".parse().unwrap(),
            Backend::new("orders".parse().unwrap(), PortRef::Number(8080)),
        )
    }

    fn ctx() -> Context {
        Context::new(Target::gcp(), "shop".parse().unwrap())
    }

    #[test]
    fn rewrites_match_whole_segments() {
        let strip = Route {
            strip_prefix: true,
            ..route().with_paths(["/api", "/api/v1/"])
        };
        assert_eq!(path_rewrite(&strip).unwrap(), r"^(/api/v1|/api)(/(.*))?$ /\3");
        let with_root = Route {
            strip_prefix: true,
            ..route().with_paths(["/", "/api"])
        };
        assert_eq!(path_rewrite(&with_root).unwrap(), r"^(/api)?(/(.*))?$ /\3");
        let root_only = Route {
            strip_prefix: true,
            ..route()
        };
        assert_eq!(path_rewrite(&root_only), None);
        let rewrite = Route {
            rewrite_to: Some("/v2".into()),
            ..route().with_paths(["/v1.0"])
        };
        assert_eq!(path_rewrite(&rewrite).unwrap(), r"^(/v1\.0)(/.*)?$ /v2\2");
        let root_rewrite = Route {
            rewrite_to: Some("/v2".into()),
            ..route()
        };
        assert_eq!(path_rewrite(&root_rewrite).unwrap(), r"^(/.*)?$ /v2\1");
    }

    #[test]
    fn annotations_are_strings_per_feature() {
        let mut cors = Cors::new(vec![
            "https://a.example.com".parse().unwrap(),
            "https://*.b.example.com".parse().unwrap(),
        ]);
        cors.max_age = Some(600);
        let r = Route {
            rate_limit: Some(RateLimit {
                requests: 100,
                per: Duration::from_secs(60),
                burst: None,
            }),
            timeout: Some(Duration::from_secs(90)),
            cors: Some(cors),
            allow_list: vec!["10.0.0.0/8".parse().unwrap(), "192.168.1.7".parse().unwrap()],
            ..route()
        };
        let a = annotations(&r, &ctx()).unwrap();
        assert_eq!(a["haproxy.org/rate-limit-requests"], "100");
        assert_eq!(a["haproxy.org/rate-limit-period"], "1m");
        assert_eq!(a["haproxy.org/timeout-server"], "90s");
        assert_eq!(
            a["haproxy.org/cors-allow-origin"],
            r"^(https://a\.example\.com|https://.+\.b\.example\.com)$"
        );
        assert_eq!(a["haproxy.org/cors-allow-methods"], "GET, HEAD, POST");
        assert_eq!(a["haproxy.org/cors-max-age"], "600s");
        assert_eq!(a["haproxy.org/allow-list"], "10.0.0.0/8, 192.168.1.7");
        assert_eq!(a["cert-manager.io/cluster-issuer"], "letsencrypt");
    }

    #[test]
    fn annotations_check_support() {
        let r = Route {
            max_body_size: Some("1Mi".parse().unwrap()),
            ..route()
        };
        let err = annotations(&r, &ctx()).unwrap_err();
        assert_eq!(err.iter().next().unwrap().path.to_string(), "max_body_size");
    }

    #[test]
    fn foreign_backend_goes_through_external_name() {
        let r = Route {
            backend: Backend::keda_interceptor(&Target::gcp()),
            paths: vec![PathMatch::exact("/hook")],
            ..route()
        };
        let objects = render(&[r], &ctx()).unwrap();
        let svc = objects.iter().find_map(Service::from_object).unwrap();
        let spec = svc.spec.as_ref().unwrap();
        assert_eq!(
            svc.metadata.name.as_deref(),
            Some("keda-add-ons-http-interceptor-proxy-orders")
        );
        assert_eq!(
            spec.external_name.as_deref(),
            Some("keda-add-ons-http-interceptor-proxy.keda.svc.cluster.local")
        );
        let ingress = objects.iter().find_map(KubeIngress::from_object).unwrap();
        let rule = &ingress.spec.as_ref().unwrap().rules.as_ref().unwrap()[0];
        let path = &rule.http.as_ref().unwrap().paths[0];
        let backend = path.backend.service.as_ref().unwrap();
        assert_eq!(backend.name, "keda-add-ons-http-interceptor-proxy-orders");
        assert_eq!(backend.port.as_ref().unwrap().number, Some(8080));
    }
}
