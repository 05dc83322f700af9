//! What each ingress controller can express: the feature table every renderer consults.
//!
//! [`supports`] is the single source of truth: the renderers' shared driver calls [`check`]
//! before rendering, so
//! a feature a controller cannot express becomes an `Unsupported` error naming the route field,
//! never a silent drop. k3sgateway renders its feature × controller docs table from it.

use std::collections::BTreeSet;
use std::fmt;

use super::host::check_host;
use super::route::{PathKind, Route};
use crate::context::Context;
use crate::error::{ErrorKind, Errors, FieldPath, PathRef, Problems, Validate};
use crate::ports::PortRef;
use crate::target::Ingress;

/// One route capability, named after the [`Route`] field that asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteFeature {
    /// `host`: route by host name.
    Host,
    /// `host: *.example.com`: a wildcard host.
    WildcardHost,
    /// `paths[]` with `kind: prefix`.
    PrefixPath,
    /// `paths[]` with `kind: exact`.
    ExactPath,
    /// `backend.port` given by name.
    NamedPort,
    /// `backend.namespace` other than the route's.
    CrossNamespaceBackend,
    /// `backend.port` by name *and* a backend in another namespace.
    NamedPortAcrossNamespaces,
    /// `strip_prefix`.
    StripPrefix,
    /// `rewrite_to`.
    RewriteTo,
    /// `timeout`.
    Timeout,
    /// `rate_limit`.
    RateLimit,
    /// `rate_limit.burst`.
    RateLimitBurst,
    /// `basic_auth`.
    BasicAuth,
    /// `cors`.
    Cors,
    /// `cors.expose_headers`.
    CorsExposeHeaders,
    /// `allow_list`.
    AllowList,
    /// `max_body_size`.
    MaxBodySize,
    /// `tls`.
    Tls,
}

impl RouteFeature {
    /// Every feature, in documentation order.
    pub const ALL: [RouteFeature; 18] = [
        RouteFeature::Host,
        RouteFeature::WildcardHost,
        RouteFeature::PrefixPath,
        RouteFeature::ExactPath,
        RouteFeature::NamedPort,
        RouteFeature::CrossNamespaceBackend,
        RouteFeature::NamedPortAcrossNamespaces,
        RouteFeature::StripPrefix,
        RouteFeature::RewriteTo,
        RouteFeature::Timeout,
        RouteFeature::RateLimit,
        RouteFeature::RateLimitBurst,
        RouteFeature::BasicAuth,
        RouteFeature::Cors,
        RouteFeature::CorsExposeHeaders,
        RouteFeature::AllowList,
        RouteFeature::MaxBodySize,
        RouteFeature::Tls,
    ];

    /// The route field that asks for the feature (`rate_limit.burst`).
    #[must_use]
    pub fn field(self) -> &'static str {
        match self {
            RouteFeature::Host | RouteFeature::WildcardHost => "host",
            RouteFeature::PrefixPath | RouteFeature::ExactPath => "paths",
            RouteFeature::NamedPort | RouteFeature::NamedPortAcrossNamespaces => "backend.port",
            RouteFeature::CrossNamespaceBackend => "backend.namespace",
            RouteFeature::StripPrefix => "strip_prefix",
            RouteFeature::RewriteTo => "rewrite_to",
            RouteFeature::Timeout => "timeout",
            RouteFeature::RateLimit => "rate_limit",
            RouteFeature::RateLimitBurst => "rate_limit.burst",
            RouteFeature::BasicAuth => "basic_auth",
            RouteFeature::Cors => "cors",
            RouteFeature::CorsExposeHeaders => "cors.expose_headers",
            RouteFeature::AllowList => "allow_list",
            RouteFeature::MaxBodySize => "max_body_size",
            RouteFeature::Tls => "tls",
        }
    }

    /// A short human description (`rate-limit burst`).
    #[must_use]
    pub fn description(self) -> &'static str {
        match self {
            RouteFeature::Host => "host routing",
            RouteFeature::WildcardHost => "wildcard host",
            RouteFeature::PrefixPath => "path prefix match",
            RouteFeature::ExactPath => "exact path match",
            RouteFeature::NamedPort => "named backend port",
            RouteFeature::CrossNamespaceBackend => "backend in another namespace",
            RouteFeature::NamedPortAcrossNamespaces => "named port of a backend in another namespace",
            RouteFeature::StripPrefix => "prefix stripping",
            RouteFeature::RewriteTo => "prefix rewrite",
            RouteFeature::Timeout => "backend timeout",
            RouteFeature::RateLimit => "rate limit",
            RouteFeature::RateLimitBurst => "rate-limit burst",
            RouteFeature::BasicAuth => "basic auth",
            RouteFeature::Cors => "CORS",
            RouteFeature::CorsExposeHeaders => "CORS exposed headers",
            RouteFeature::AllowList => "client IP allow list",
            RouteFeature::MaxBodySize => "request body size limit",
            RouteFeature::Tls => "TLS",
        }
    }
}

impl fmt::Display for RouteFeature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// How well a controller expresses a feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Rendered with the controller's own means, as the field documents.
    Native,
    /// Rendered, with a caveat worth documenting.
    Caveat(&'static str),
    /// Cannot be expressed; a route that asks for it fails to render.
    Unsupported(&'static str),
}

impl Support {
    /// Whether routes using the feature render.
    #[must_use]
    pub fn is_supported(self) -> bool {
        !matches!(self, Support::Unsupported(_))
    }
}

const NEEDS_POLICY: &str = "not in the standard HTTPRoute; it needs an implementation-specific policy";

/// What `ingress` can do with `feature`.
///
/// ```
/// use k3score::Ingress;
/// use k3score::exposure::{RouteFeature, Support, supports};
/// assert_eq!(supports(RouteFeature::RateLimit, &Ingress::traefik()), Support::Native);
/// assert!(!supports(RouteFeature::MaxBodySize, &Ingress::haproxy()).is_supported());
/// ```
#[must_use]
pub fn supports(feature: RouteFeature, ingress: &Ingress) -> Support {
    use RouteFeature as F;
    use Support::{Caveat, Native, Unsupported};
    match ingress {
        Ingress::Traefik { .. } => match feature {
            F::Host
            | F::ExactPath
            | F::NamedPort
            | F::NamedPortAcrossNamespaces
            | F::StripPrefix
            | F::RewriteTo
            | F::RateLimit
            | F::RateLimitBurst
            | F::BasicAuth
            | F::Cors
            | F::CorsExposeHeaders
            | F::AllowList
            | F::MaxBodySize => Native,
            F::WildcardHost => Caveat("rendered as HostRegexp matching exactly one label in place of `*`"),
            F::PrefixPath => Caveat("Traefik's PathPrefix is a string prefix: `/api` also matches `/apis`"),
            F::CrossNamespaceBackend => Caveat(
                "needs the provider option providers.kubernetesCRD.allowCrossNamespace=true (REFERENCE §4a, TR5)",
            ),
            F::Timeout => {
                Caveat("a ServersTransport responseHeaderTimeout: the time until response headers, not the whole body")
            }
            F::Tls => Caveat(
                "with a TLS issuer the route expects the Secret `<route>-tls` from a cert-manager Certificate; IngressRoutes do not trigger cert-manager's ingress-shim",
            ),
        },
        Ingress::Haproxy { .. } => match feature {
            F::Host
            | F::WildcardHost
            | F::PrefixPath
            | F::ExactPath
            | F::NamedPort
            | F::StripPrefix
            | F::RewriteTo
            | F::RateLimit
            | F::BasicAuth
            | F::AllowList
            | F::Tls => Native,
            F::CrossNamespaceBackend => Caveat(
                "an Ingress only reaches Services in its namespace: an ExternalName Service `<service>-<route>` is rendered next to it (REFERENCE §2c, HA4)",
            ),
            F::NamedPortAcrossNamespaces => {
                Unsupported("the ExternalName Service standing in for the backend needs the port number")
            }
            F::Timeout => Caveat("haproxy.org/timeout-server: the server inactivity timeout"),
            F::RateLimitBurst => {
                Unsupported("HAProxy counts requests per window per client IP; the burst is always `requests`")
            }
            F::Cors => Caveat("with empty allow_headers HAProxy allows every request header (its default `*`)"),
            F::CorsExposeHeaders => Unsupported("haproxytech has no annotation for Access-Control-Expose-Headers"),
            F::MaxBodySize => {
                Unsupported("haproxytech has no per-Ingress request body limit annotation (REFERENCE §5a, HP1)")
            }
        },
        Ingress::GatewayApi { .. } => match feature {
            F::Host
            | F::PrefixPath
            | F::ExactPath
            | F::StripPrefix
            | F::RewriteTo
            | F::Timeout
            | F::Cors
            | F::CorsExposeHeaders => Native,
            F::WildcardHost => Caveat("a Gateway API wildcard matches any number of labels in place of `*`"),
            F::CrossNamespaceBackend => {
                Caveat("a ReferenceGrant is rendered in the backend's namespace (REFERENCE §2c)")
            }
            F::NamedPort | F::NamedPortAcrossNamespaces => {
                Unsupported("HTTPRoute backendRefs need a Service port number, not a name (REFERENCE §9, GW2)")
            }
            F::RateLimit | F::RateLimitBurst | F::BasicAuth | F::AllowList | F::MaxBodySize => {
                Unsupported(NEEDS_POLICY)
            }
            F::Tls => Caveat(
                "TLS terminates at the Gateway listener (pick it with section_name); the route's tls flag has no effect",
            ),
        },
    }
}

/// The features `route` uses on `ctx`, each with the field path (relative to the route) asking for it.
#[must_use]
pub fn features(route: &Route, ctx: &Context) -> Vec<(RouteFeature, FieldPath)> {
    // Paths are built only for the features in use (validation calls this for every route).
    let at = |fields: &[&'static str]| fields.iter().fold(FieldPath::root(), |path, field| path.field(*field));
    let mut used = vec![(RouteFeature::Host, at(&["host"]))];
    if route.host.is_wildcard() {
        used.push((RouteFeature::WildcardHost, at(&["host"])));
    }
    for (i, m) in route.paths.iter().enumerate() {
        let path = at(&["paths"]).index(i);
        match m.kind {
            PathKind::Prefix => used.push((RouteFeature::PrefixPath, path)),
            PathKind::Exact => used.push((RouteFeature::ExactPath, path.field("kind"))),
        }
    }
    let foreign = route.backend.foreign_namespace(&ctx.namespace).is_some();
    if let PortRef::Name(_) = &route.backend.port {
        used.push((RouteFeature::NamedPort, at(&["backend", "port"])));
        if foreign {
            used.push((RouteFeature::NamedPortAcrossNamespaces, at(&["backend", "port"])));
        }
    }
    let burst = route.rate_limit.as_ref().is_some_and(|l| l.burst.is_some());
    let exposed = route.cors.as_ref().is_some_and(|c| !c.expose_headers.is_empty());
    let flags: [(bool, RouteFeature, &[&'static str]); 12] = [
        (foreign, RouteFeature::CrossNamespaceBackend, &["backend", "namespace"]),
        (route.strip_prefix, RouteFeature::StripPrefix, &["strip_prefix"]),
        (route.rewrite_to.is_some(), RouteFeature::RewriteTo, &["rewrite_to"]),
        (route.timeout.is_some(), RouteFeature::Timeout, &["timeout"]),
        (route.rate_limit.is_some(), RouteFeature::RateLimit, &["rate_limit"]),
        (burst, RouteFeature::RateLimitBurst, &["rate_limit", "burst"]),
        (route.basic_auth.is_some(), RouteFeature::BasicAuth, &["basic_auth"]),
        (route.cors.is_some(), RouteFeature::Cors, &["cors"]),
        (exposed, RouteFeature::CorsExposeHeaders, &["cors", "expose_headers"]),
        (!route.allow_list.is_empty(), RouteFeature::AllowList, &["allow_list"]),
        (
            route.max_body_size.is_some(),
            RouteFeature::MaxBodySize,
            &["max_body_size"],
        ),
        (route.uses_tls(&ctx.target), RouteFeature::Tls, &["tls"]),
    ];
    used.extend(
        flags
            .into_iter()
            .filter(|(on, _, _)| *on)
            .map(|(_, feature, fields)| (feature, at(fields))),
    );
    used
}

/// Validates `routes` for `ctx`: each route's own checks, the resolved host, unique names and
/// support of every used feature. Error paths are relative to the slice (`[1].rate_limit`);
/// callers nest them with [`Errors::under`].
pub fn check(routes: &[Route], ctx: &Context) -> Result<(), Errors> {
    let mut problems = Problems::default();
    let mut names = BTreeSet::new();
    for (i, route) in routes.iter().enumerate() {
        let path = PathRef::ROOT.index(i);
        if !names.insert(route.name.as_str()) {
            problems.push(
                path.field("name"),
                ErrorKind::Duplicate {
                    what: "route name",
                    name: route.name.to_string(),
                },
            );
        }
        check_route(route, ctx, path, &mut problems);
    }
    problems.finish(())
}

/// One route's checks for `ctx` (see [`check`]), recorded under `path`.
pub(crate) fn check_route(route: &Route, ctx: &Context, path: PathRef<'_>, problems: &mut Problems) {
    route.validate(path, problems);
    problems.check(path.field("host"), check_host(&route.host.resolve(&ctx.target)));
    let mut reported = BTreeSet::new();
    for (feature, field) in features(route, ctx) {
        if let Support::Unsupported(why) = supports(feature, &ctx.target.ingress)
            && reported.insert(field.clone())
        {
            problems.push(
                field.under(&path.to_path()),
                ErrorKind::Unsupported {
                    feature: feature.to_string(),
                    by: ctx.target.ingress.display_name().to_owned(),
                    why: why.to_owned(),
                },
            );
        }
    }
}
