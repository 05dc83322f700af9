//! Traefik v3 renderer: one `IngressRoute` per route, one `Middleware` per policy, and a
//! `ServersTransport` for the backend timeout (REFERENCE §4).
//!
//! Middlewares are named `<route>-<concern>` and applied in this fixed order:
//! `allow-list` (ipAllowList), `rate-limit` (rateLimit), `cors` (headers), `basic-auth`
//! (basicAuth), `body-limit` (buffering), then `strip-prefix` (stripPrefix) or `rewrite`
//! (replacePathRegex). CORS comes before basic auth so that browser preflights, which carry no
//! credentials, are answered by Traefik instead of being refused with 401.
//!
//! Deployment notes:
//! - A backend in another namespace needs `providers.kubernetesCRD.allowCrossNamespace=true`
//!   (REFERENCE §4a, TR5); the route's `ServersTransport` is then referenced as
//!   `<namespace>-<name>@kubernetescrd`, because Traefik looks a bare name up in the backend
//!   Service's namespace (TR6, `makeServersTransportKey`).
//! - TLS with a target issuer sets `tls.secretName: <route>-tls`; an IngressRoute does not
//!   trigger cert-manager's ingress-shim, so the route also gets a cert-manager `Certificate`
//!   writing that Secret ([`super::certificate_objects`]). Without an issuer, `tls: {}` serves
//!   Traefik's default certificate (TR1).

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::render::{meta, prefix_group, regex_escape, render_with};
use super::route::{PathKind, Route};
use crate::context::Context;
use crate::crd::traefik::v1alpha1::{
    BasicAuth as BasicAuthSpec, Buffering, ForwardingTimeouts, Headers, IPAllowList, IngressRoute, IngressRouteSpec,
    Middleware, MiddlewareRef, MiddlewareSpec, RateLimit as RateLimitSpec, ReplacePathRegex, Route as TraefikRoute,
    RouteKind, ServersTransport, ServersTransportSpec, Service, StripPrefix, Tls,
};
use crate::error::Errors;
use crate::names::bounded;
use crate::object::Object;
use crate::target::Ingress;

/// Entry point for plain HTTP routes when the target names none (Traefik chart convention).
pub const DEFAULT_ENTRY_POINT: &str = "web";
/// Entry point for TLS routes when the target names none.
pub const DEFAULT_TLS_ENTRY_POINT: &str = "websecure";

/// Renders `routes` as Traefik objects: per route its middlewares, its `ServersTransport`
/// (with a timeout) and its `IngressRoute`.
///
/// ```
/// use k3score::{Context, Kind, Target};
/// use k3score::crd::traefik::v1alpha1::IngressRoute;
/// use k3score::exposure::{Backend, Route, traefik};
/// use k3score::ports::PortRef;
///
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
/// let route = Route::new("orders".parse().unwrap(), "orders".parse().unwrap(),
///     Backend::new("orders".parse().unwrap(), PortRef::Number(8080))).with_paths(["/api"]);
/// let objects = traefik::render(&[route], &ctx).unwrap();
/// let ir = objects.iter().find_map(IngressRoute::from_object).unwrap();
/// assert_eq!(ir.spec.routes[0].match_, "Host(`orders.localhost`) && PathPrefix(`/api`)");
/// assert_eq!(ir.spec.entry_points, ["web"]);
/// ```
pub fn render(routes: &[Route], ctx: &Context) -> Result<Vec<Object>, Errors> {
    render_with(routes, ctx, render_route)
}

fn render_route(route: &Route, ctx: &Context, out: &mut Vec<Object>) {
    let ns = ctx.namespace.as_str();
    let mut middlewares = Vec::new();
    for (concern, spec) in middleware_specs(route) {
        let name = bounded(route.name.as_str(), &format!("-{concern}"), 63);
        middlewares.push(MiddlewareRef {
            name: name.clone(),
            namespace: None,
        });
        out.push(
            Middleware {
                metadata: meta(name, ns, route),
                spec,
            }
            .into(),
        );
    }

    let foreign = route.backend.foreign_namespace(&ctx.namespace);
    let servers_transport = route.timeout.map(|timeout| {
        let name = bounded(route.name.as_str(), "-transport", 63);
        let spec = ServersTransportSpec {
            forwarding_timeouts: Some(ForwardingTimeouts {
                response_header_timeout: Some(IntOrString::String(timeout.to_string())),
                ..Default::default()
            }),
            ..Default::default()
        };
        out.push(
            ServersTransport {
                metadata: meta(name.clone(), ns, route),
                spec,
            }
            .into(),
        );
        // TR6: a bare name is looked up in the backend Service's namespace.
        match foreign {
            Some(_) => format!("{ns}-{name}@kubernetescrd"),
            None => name,
        }
    });

    let tls = route.uses_tls(&ctx.target);
    let entry_points = match &ctx.target.ingress {
        Ingress::Traefik { entry_points } if !entry_points.is_empty() => entry_points.clone(),
        Ingress::Traefik { .. } | Ingress::Haproxy { .. } | Ingress::GatewayApi { .. } => {
            vec![
                if tls {
                    DEFAULT_TLS_ENTRY_POINT
                } else {
                    DEFAULT_ENTRY_POINT
                }
                .to_owned(),
            ]
        }
    };
    let service = Service {
        name: route.backend.service.to_string(),
        namespace: foreign.map(ToString::to_string),
        port: Some(route.backend.port.to_int_or_string()),
        servers_transport,
        ..Default::default()
    };
    let spec = IngressRouteSpec {
        entry_points,
        routes: vec![TraefikRoute {
            match_: rule(route, ctx),
            kind: Some(RouteKind::Rule),
            services: vec![service],
            middlewares,
            priority: None,
        }],
        tls: tls.then(|| match ctx.target.tls_issuer {
            Some(_) => Tls {
                secret_name: Some(super::tls_secret_name(route)),
                ..Default::default()
            },
            None => Tls::default(),
        }),
    };
    out.push(
        IngressRoute {
            metadata: meta(route.name.to_string(), ns, route),
            spec,
        }
        .into(),
    );
    if tls {
        out.extend(super::certificate_objects(route, ctx));
    }
}

/// The v3 rule: ``Host(`h`) && (PathPrefix(`/a`) || Path(`/b`))`` (REFERENCE §4a, TR2).
/// A wildcard host becomes `HostRegexp` matching one label, as an Ingress wildcard does.
fn rule(route: &Route, ctx: &Context) -> String {
    let host = route.host.resolve(&ctx.target);
    let host_rule = match host.strip_prefix("*.") {
        Some(rest) => format!("HostRegexp(`^[a-z0-9-]+\\.{}$`)", regex_escape(rest)),
        None => format!("Host(`{host}`)"),
    };
    let paths: Vec<String> = route
        .paths
        .iter()
        .map(|m| match m.kind {
            PathKind::Prefix => format!("PathPrefix(`{}`)", m.path),
            PathKind::Exact => format!("Path(`{}`)", m.path),
        })
        .collect();
    match paths.as_slice() {
        [single] => format!("{host_rule} && {single}"),
        many => format!("{host_rule} && ({})", many.join(" || ")),
    }
}

/// The route's middlewares in application order, each with its name suffix.
fn middleware_specs(route: &Route) -> Vec<(&'static str, MiddlewareSpec)> {
    let mut specs = Vec::new();
    if !route.allow_list.is_empty() {
        let ip_allow_list = IPAllowList {
            source_range: route.allow_list.iter().map(ToString::to_string).collect(),
            ..Default::default()
        };
        specs.push((
            "allow-list",
            MiddlewareSpec {
                ip_allow_list: Some(ip_allow_list),
                ..Default::default()
            },
        ));
    }
    if let Some(limit) = &route.rate_limit {
        let rate_limit = RateLimitSpec {
            average: Some(i64::from(limit.requests)),
            period: Some(IntOrString::String(limit.per.to_string())),
            burst: Some(i64::from(limit.effective_burst())),
            source_criterion: None,
        };
        specs.push((
            "rate-limit",
            MiddlewareSpec {
                rate_limit: Some(rate_limit),
                ..Default::default()
            },
        ));
    }
    if let Some(cors) = &route.cors {
        let (regex, exact): (Vec<_>, Vec<_>) = cors.allow_origins.iter().partition(|o| o.has_wildcard_host());
        let headers = Headers {
            access_control_allow_origin_list: exact.iter().map(ToString::to_string).collect(),
            access_control_allow_origin_list_regex: regex.iter().map(|o| o.to_regex()).collect(),
            access_control_allow_methods: cors.allow_methods.iter().map(|m| m.as_str().to_owned()).collect(),
            access_control_allow_headers: cors.allow_headers.iter().map(ToString::to_string).collect(),
            access_control_expose_headers: cors.expose_headers.iter().map(ToString::to_string).collect(),
            access_control_max_age: cors.max_age.map(i64::from),
            access_control_allow_credentials: cors.allow_credentials.then_some(true),
            add_vary_header: Some(!cors.allow_origins.iter().any(super::cors::Origin::is_any)),
            ..Default::default()
        };
        specs.push((
            "cors",
            MiddlewareSpec {
                headers: Some(headers),
                ..Default::default()
            },
        ));
    }
    if let Some(auth) = &route.basic_auth {
        let basic_auth = BasicAuthSpec {
            secret: Some(auth.secret.to_string()),
            realm: auth.realm.clone(),
            ..Default::default()
        };
        specs.push((
            "basic-auth",
            MiddlewareSpec {
                basic_auth: Some(basic_auth),
                ..Default::default()
            },
        ));
    }
    if let Some(size) = route.max_body_size {
        let buffering = Buffering {
            max_request_body_bytes: i64::try_from(size.as_bytes()).ok(),
            ..Default::default()
        };
        specs.push((
            "body-limit",
            MiddlewareSpec {
                buffering: Some(buffering),
                ..Default::default()
            },
        ));
    }
    match route.prefix_replacement().map(|to| to.trim_end_matches('/')) {
        None => {}
        Some("") => {
            let mut prefixes: Vec<String> = route
                .paths
                .iter()
                .map(|m| m.trimmed().to_owned())
                .filter(|p| !p.is_empty())
                .collect();
            // Traefik strips the first matching prefix: longest first.
            prefixes.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
            prefixes.dedup();
            if !prefixes.is_empty() {
                let strip_prefix = StripPrefix { prefixes };
                specs.push((
                    "strip-prefix",
                    MiddlewareSpec {
                        strip_prefix: Some(strip_prefix),
                        ..Default::default()
                    },
                ));
            }
        }
        Some(base) => {
            // TR4: Go regexp; `${1}` rather than `$1` so following characters are not read as a name.
            let replace_path_regex = ReplacePathRegex {
                regex: Some(format!("^{}(/.*)?$", prefix_group(route, false))),
                replacement: Some(format!("{base}${{1}}")),
            };
            specs.push((
                "rewrite",
                MiddlewareSpec {
                    replace_path_regex: Some(replace_path_regex),
                    ..Default::default()
                },
            ));
        }
    }
    specs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposure::{BasicAuth, Cors, Duration, RateLimit};
    use crate::target::Target;

    fn route() -> Route {
        Route::new(
            "orders".parse().unwrap(),
            "orders".parse().unwrap(),
            crate::exposure::Backend::new(
                "orders".parse().unwrap(),
                crate::ports::PortRef::Name("http".parse().unwrap()),
            ),
        )
    }

    fn ctx() -> Context {
        Context::new(Target::local(), "shop".parse().unwrap())
    }

    fn ingress_route(objects: &[Object]) -> &IngressRoute {
        objects
            .iter()
            .find_map(<IngressRoute as crate::object::Kind>::from_object)
            .unwrap()
    }

    #[test]
    fn rules_combine_paths() {
        let r = Route {
            paths: vec![
                super::super::PathMatch::prefix("/a"),
                super::super::PathMatch::exact("/b"),
            ],
            host: "*.apps.example.com".parse().unwrap(),
            ..route()
        };
        assert_eq!(
            rule(&r, &ctx()),
            r"HostRegexp(`^[a-z0-9-]+\.apps\.example\.com$`) && (PathPrefix(`/a`) || Path(`/b`))"
        );
    }

    #[test]
    fn middlewares_keep_their_order() {
        let r = Route {
            allow_list: vec!["10.0.0.0/8".parse().unwrap()],
            rate_limit: Some(RateLimit::per_second(10)),
            basic_auth: Some(BasicAuth::new("creds".parse().unwrap())),
            cors: Some(Cors::new(vec!["https://a.example.com".parse().unwrap()])),
            max_body_size: Some("1Mi".parse().unwrap()),
            strip_prefix: true,
            ..route().with_paths(["/api"])
        };
        let objects = render(&[r], &ctx()).unwrap();
        let names: Vec<_> = ingress_route(&objects).spec.routes[0]
            .middlewares
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "orders-allow-list",
                "orders-rate-limit",
                "orders-cors",
                "orders-basic-auth",
                "orders-body-limit",
                "orders-strip-prefix"
            ]
        );
    }

    #[test]
    fn rewrite_uses_braced_group() {
        let r = Route {
            rewrite_to: Some("/v2/".into()),
            ..route().with_paths(["/api/v1", "/api"])
        };
        let (_, spec) = middleware_specs(&r).pop().unwrap();
        let rewrite = spec.replace_path_regex.unwrap();
        assert_eq!(rewrite.regex.as_deref(), Some(r"^(?:/api/v1|/api)(/.*)?$"));
        assert_eq!(rewrite.replacement.as_deref(), Some("/v2${1}"));
    }

    #[test]
    fn cross_namespace_transport_is_qualified() {
        let target = Target::dev();
        let ctx = Context::new(target.clone(), "shop".parse().unwrap());
        let r = Route {
            timeout: Some(Duration::from_secs(90)),
            backend: crate::exposure::Backend::keda_interceptor(&target),
            ..route()
        };
        let objects = render(&[r], &ctx).unwrap();
        let ir = ingress_route(&objects);
        let svc = &ir.spec.routes[0].services[0];
        assert_eq!(svc.namespace.as_deref(), Some("keda"));
        assert_eq!(
            svc.servers_transport.as_deref(),
            Some("shop-orders-transport@kubernetescrd")
        );
        assert_eq!(ir.spec.entry_points, ["websecure"]);
        assert_eq!(ir.spec.tls.as_ref().unwrap().secret_name.as_deref(), Some("orders-tls"));
        // cert-manager writes that Secret: a Certificate for the host from the target's issuer.
        let cert = objects
            .iter()
            .find_map(<crate::crd::cert_manager::v1::Certificate as crate::object::Kind>::from_object)
            .expect("a Certificate for the TLS route");
        assert_eq!(cert.metadata.name.as_deref(), Some("orders-tls"));
        assert_eq!(cert.metadata.namespace.as_deref(), Some("shop"));
        assert_eq!(cert.spec.secret_name, "orders-tls");
        assert_eq!(cert.spec.dns_names, [ctx.target.host("orders")]);
        assert_eq!(cert.spec.issuer_ref.name, "letsencrypt-staging");
        assert_eq!(cert.spec.issuer_ref.kind.as_deref(), Some("ClusterIssuer"));
    }

    #[test]
    fn tls_without_issuer_uses_default_certificate() {
        let r = Route {
            tls: Some(true),
            ..route()
        };
        let objects = render(&[r], &ctx()).unwrap();
        assert_eq!(ingress_route(&objects).spec.tls, Some(Tls::default()));
        assert!(
            objects.iter().all(|o| o.kind() != "Certificate"),
            "no issuer, no Certificate"
        );
    }
}
