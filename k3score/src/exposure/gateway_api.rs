//! Gateway API renderer: an `HTTPRoute` (`gateway.networking.k8s.io/v1`) per route attached to
//! the target's Gateway, plus a `ReferenceGrant` (`v1beta1`) in the backend's namespace when the
//! backend lives elsewhere (REFERENCE §9, §2c).
//!
//! Rules: a route without a path rewrite is one rule whose matches are its paths; with
//! `strip_prefix` or `rewrite_to` it is one rule per path, because `URLRewrite` with
//! `ReplacePrefixMatch` needs exactly one `PathPrefix` match in its rule (CEL rule of the CRD).
//! The timeout is `rules[].timeouts.request` (GEP-2257 duration). Backend ports must be numbers.
//!
//! TLS terminates at the Gateway listener (choose it with the target's `section_name`); the
//! Gateway's `allowedRoutes` must admit routes from the route's namespace. With a target issuer
//! each TLS route also gets a cert-manager `Certificate` and a `ReferenceGrant` letting the
//! Gateway read its Secret ([`super::certificate_objects`]).

use super::cors::{Cors, HttpMethod};
use super::render::{meta, render_with};
use super::route::{PathKind, Route};
use crate::context::Context;
use crate::crd::gateway::v1::{
    CORSMethod, HTTPBackendRef, HTTPCORSFilter, HTTPPathMatch, HTTPPathModifier, HTTPPathModifierType, HTTPRoute,
    HTTPRouteFilter, HTTPRouteFilterType, HTTPRouteMatch, HTTPRouteRule, HTTPRouteSpec, HTTPRouteTimeouts,
    HTTPURLRewriteFilter, ParentReference, PathMatchType,
};
use crate::crd::gateway::v1beta1::{ReferenceGrant, ReferenceGrantFrom, ReferenceGrantSpec, ReferenceGrantTo};
use crate::error::Errors;
use crate::names::bounded;
use crate::object::Object;
use crate::ports::PortRef;
use crate::target::Ingress;

/// The Gateway API group.
pub const GROUP: &str = "gateway.networking.k8s.io";

/// Renders `routes` as `HTTPRoute`s (plus `ReferenceGrant`s for backends in other namespaces).
///
/// ```
/// use k3score::{Context, Ingress, Kind, Target};
/// use k3score::crd::gateway::v1::HTTPRoute;
/// use k3score::exposure::{Backend, Route, gateway_api};
/// use k3score::ports::PortRef;
///
/// let target = Target::local().with_ingress(Ingress::gateway_api("public", "infra").unwrap(), "infra".parse().unwrap());
/// let ctx = Context::new(target, "shop".parse().unwrap());
/// let route = Route { strip_prefix: true, ..Route::new("orders".parse().unwrap(),
///     "orders".parse().unwrap(), Backend::new("orders".parse().unwrap(), PortRef::Number(8080)))
///     .with_paths(["/api"]) };
/// let objects = gateway_api::render(&[route], &ctx).unwrap();
/// let http_route = objects.iter().find_map(HTTPRoute::from_object).unwrap();
/// let rewrite = http_route.spec.rules[0].filters[0].url_rewrite.as_ref().unwrap();
/// assert_eq!(rewrite.path.as_ref().unwrap().replace_prefix_match.as_deref(), Some("/"));
/// ```
pub fn render(routes: &[Route], ctx: &Context) -> Result<Vec<Object>, Errors> {
    render_with(routes, ctx, render_route)
}

fn render_route(route: &Route, ctx: &Context, out: &mut Vec<Object>) {
    let ns = ctx.namespace.as_str();
    let foreign = route.backend.foreign_namespace(&ctx.namespace);
    if let Some(backend_ns) = foreign {
        let spec = ReferenceGrantSpec {
            from: vec![ReferenceGrantFrom {
                group: GROUP.to_owned(),
                kind: "HTTPRoute".to_owned(),
                namespace: ns.to_owned(),
            }],
            to: vec![ReferenceGrantTo {
                group: String::new(),
                kind: "Service".to_owned(),
                name: Some(route.backend.service.to_string()),
            }],
        };
        let name = bounded(&format!("{ns}-{}", route.name), "", 63);
        out.push(
            ReferenceGrant {
                metadata: meta(name, backend_ns.as_str(), route),
                spec,
            }
            .into(),
        );
    }

    let parent_refs = match &ctx.target.ingress {
        Ingress::GatewayApi {
            gateway,
            gateway_namespace,
            section_name,
        } => vec![ParentReference {
            name: gateway.to_string(),
            namespace: Some(gateway_namespace.to_string()),
            section_name: section_name.clone(),
            ..Default::default()
        }],
        Ingress::Traefik { .. } | Ingress::Haproxy { .. } => Vec::new(),
    };
    let backend_refs = vec![HTTPBackendRef {
        name: route.backend.service.to_string(),
        namespace: foreign.map(ToString::to_string),
        port: match &route.backend.port {
            PortRef::Number(n) => Some(i32::from(*n)),
            // Rejected by `check` (GW2: port required for a Service).
            PortRef::Name(_) => None,
        },
        ..Default::default()
    }];
    let timeouts = route.timeout.map(|t| HTTPRouteTimeouts {
        request: Some(t.to_string()),
        backend_request: None,
    });
    let matches: Vec<HTTPRouteMatch> = route
        .paths
        .iter()
        .map(|m| HTTPRouteMatch {
            path: Some(HTTPPathMatch {
                type_: Some(match m.kind {
                    PathKind::Prefix => PathMatchType::PathPrefix,
                    PathKind::Exact => PathMatchType::Exact,
                }),
                value: Some(m.path.clone()),
            }),
            ..Default::default()
        })
        .collect();
    let mut filters = Vec::new();
    if let Some(cors) = &route.cors {
        filters.push(HTTPRouteFilter {
            type_: HTTPRouteFilterType::Cors,
            cors: Some(cors_filter(cors)),
            ..Default::default()
        });
    }
    if let Some(to) = route.prefix_replacement() {
        let url_rewrite = HTTPURLRewriteFilter {
            hostname: None,
            path: Some(HTTPPathModifier {
                type_: HTTPPathModifierType::ReplacePrefixMatch,
                replace_prefix_match: Some(to.to_owned()),
                replace_full_path: None,
            }),
        };
        filters.push(HTTPRouteFilter {
            type_: HTTPRouteFilterType::UrlRewrite,
            url_rewrite: Some(url_rewrite),
            ..Default::default()
        });
    }
    let rule = |matches: Vec<HTTPRouteMatch>| HTTPRouteRule {
        matches,
        filters: filters.clone(),
        backend_refs: backend_refs.clone(),
        timeouts: timeouts.clone(),
        name: None,
    };
    let rules = if route.prefix_replacement().is_some() {
        matches.into_iter().map(|m| rule(vec![m])).collect()
    } else {
        vec![rule(matches)]
    };
    let spec = HTTPRouteSpec {
        parent_refs,
        hostnames: vec![route.host.resolve(&ctx.target)],
        rules,
    };
    out.push(
        HTTPRoute {
            metadata: meta(route.name.to_string(), ns, route),
            spec,
        }
        .into(),
    );
    out.extend(super::certificate_objects(route, ctx));
}

fn cors_filter(cors: &Cors) -> HTTPCORSFilter {
    HTTPCORSFilter {
        allow_origins: cors.allow_origins.iter().map(ToString::to_string).collect(),
        allow_credentials: cors.allow_credentials.then_some(true),
        allow_methods: cors.allow_methods.iter().map(|m| cors_method(*m)).collect(),
        allow_headers: cors.allow_headers.iter().map(ToString::to_string).collect(),
        expose_headers: cors.expose_headers.iter().map(ToString::to_string).collect(),
        // Validated to fit (1..=i32::MAX).
        max_age: cors.max_age.and_then(|age| i32::try_from(age).ok()),
    }
}

fn cors_method(method: HttpMethod) -> CORSMethod {
    match method {
        HttpMethod::Get => CORSMethod::Get,
        HttpMethod::Head => CORSMethod::Head,
        HttpMethod::Post => CORSMethod::Post,
        HttpMethod::Put => CORSMethod::Put,
        HttpMethod::Delete => CORSMethod::Delete,
        HttpMethod::Connect => CORSMethod::Connect,
        HttpMethod::Options => CORSMethod::Options,
        HttpMethod::Trace => CORSMethod::Trace,
        HttpMethod::Patch => CORSMethod::Patch,
        HttpMethod::Any => CORSMethod::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposure::{Backend, Duration, PathMatch};
    use crate::object::Kind;
    use crate::target::Target;

    fn ctx() -> Context {
        let target = Target::local().with_ingress(
            Ingress::gateway_api("public", "infra").unwrap(),
            "infra".parse().unwrap(),
        );
        Context::new(target, "shop".parse().unwrap())
    }

    fn route() -> Route {
        Route::new(
            "orders".parse().unwrap(),
            "orders".parse().unwrap(),
            Backend::new("orders".parse().unwrap(), PortRef::Number(8080)),
        )
    }

    #[test]
    fn one_rule_without_rewrite_one_per_path_with() {
        let plain = Route {
            paths: vec![PathMatch::prefix("/a"), PathMatch::exact("/b")],
            ..route()
        };
        let objects = render(std::slice::from_ref(&plain), &ctx()).unwrap();
        let spec = &objects.iter().find_map(HTTPRoute::from_object).unwrap().spec;
        assert_eq!(spec.rules.len(), 1);
        assert_eq!(spec.rules[0].matches.len(), 2);
        assert_eq!(spec.hostnames, ["orders.localhost"]);
        assert_eq!(spec.parent_refs[0].namespace.as_deref(), Some("infra"));

        let rewritten = Route {
            rewrite_to: Some("/v2".into()),
            ..route().with_paths(["/a", "/b"])
        };
        let objects = render(&[rewritten], &ctx()).unwrap();
        let spec = &objects.iter().find_map(HTTPRoute::from_object).unwrap().spec;
        assert_eq!(spec.rules.len(), 2);
        assert!(spec.rules.iter().all(|r| r.matches.len() == 1));
    }

    #[test]
    fn foreign_backend_gets_a_reference_grant() {
        let r = Route {
            backend: Backend::keda_interceptor(&Target::local()),
            timeout: Some(Duration::from_secs(90)),
            ..route()
        };
        let objects = render(&[r], &ctx()).unwrap();
        let grant = objects.iter().find_map(ReferenceGrant::from_object).unwrap();
        assert_eq!(grant.metadata.namespace.as_deref(), Some("keda"));
        assert_eq!(grant.metadata.name.as_deref(), Some("shop-orders"));
        assert_eq!(grant.spec.from[0].namespace, "shop");
        let route = objects.iter().find_map(HTTPRoute::from_object).unwrap();
        let rule = &route.spec.rules[0];
        assert_eq!(rule.backend_refs[0].namespace.as_deref(), Some("keda"));
        assert_eq!(rule.timeouts.as_ref().unwrap().request.as_deref(), Some("1m30s"));
        assert!(objects.iter().all(|o| o.kind() != "Certificate"), "local: no issuer");
    }

    #[test]
    fn tls_route_gets_a_certificate_the_gateway_may_read() {
        let target = Target::gcp().with_ingress(
            Ingress::gateway_api("public", "infra").unwrap(),
            "infra".parse().unwrap(),
        );
        let ctx = Context::new(target, "shop".parse().unwrap());
        let objects = render(&[route()], &ctx).unwrap();
        let cert = objects
            .iter()
            .find_map(crate::crd::cert_manager::v1::Certificate::from_object)
            .unwrap();
        assert_eq!(cert.spec.secret_name, "orders-tls");
        assert_eq!(cert.spec.dns_names, [ctx.target.host("orders")]);
        assert_eq!(cert.spec.issuer_ref.name, "letsencrypt");
        let grant = objects.iter().find_map(ReferenceGrant::from_object).unwrap();
        assert_eq!(grant.metadata.namespace.as_deref(), Some("shop"));
        assert_eq!(
            (grant.spec.from[0].kind.as_str(), grant.spec.from[0].namespace.as_str()),
            ("Gateway", "infra")
        );
        assert_eq!(
            (grant.spec.to[0].kind.as_str(), grant.spec.to[0].name.as_deref()),
            ("Secret", Some("orders-tls"))
        );
    }
}
