//! `traefik.io/v1alpha1`: IngressRoute, Middleware and ServersTransport.

mod ingress_route;
mod middleware;
mod servers_transport;

pub use self::ingress_route::{
    Domain, IngressRoute, IngressRouteSpec, MiddlewareRef, Route, RouteKind, Service, ServiceKind, Tls, TlsOptionRef,
};
pub use self::middleware::{
    AddPrefix, BasicAuth, Buffering, Headers, IPAllowList, IPStrategy, Middleware, MiddlewareSpec, PluginConfig,
    PluginValue, RateLimit, ReplacePath, ReplacePathRegex, SourceCriterion, StripPrefix,
};
pub use self::servers_transport::{ForwardingTimeouts, ServersTransport, ServersTransportSpec};
