//! Exposure: one [`Route`] model, rendered for Traefik, HAProxy or the Gateway API.
//!
//! Apps (`expose` blocks, see [`Expose`]), functions (routes to their Service or to the KEDA
//! HTTP interceptor in another namespace, see [`Backend::keda_interceptor`]) and gateways
//! (many routes plus global policy) all describe HTTP routes with [`Route`]; the target's
//! [`Ingress`] picks the renderer:
//!
//! | target ingress | objects per route |
//! |---|---|
//! | [`Ingress::Traefik`] | `IngressRoute` + one `Middleware` per policy + a `ServersTransport` for timeouts ([`traefik`]) + a cert-manager `Certificate` for TLS with an issuer |
//! | [`Ingress::Haproxy`] | `Ingress` with `haproxy.org/*` annotations (+ an `ExternalName` Service for a backend in another namespace; TLS through the ingress-shim annotation) ([`haproxy`]) |
//! | [`Ingress::GatewayApi`] | `HTTPRoute` (+ a `ReferenceGrant` in the backend's namespace) ([`gateway_api`]) + a `Certificate` and a `ReferenceGrant` for the Gateway to read its Secret, for TLS with an issuer |
//!
//! TLS certificates: see [`certificate_objects`].
//!
//! What a controller cannot express is an `Unsupported` error naming the route field, never a
//! silent drop: [`supports`] is the feature table the renderers consult.
//!
//! Every rendered object carries the route's labels ([`Route::labels`], set with
//! [`Route::with_labels`]; by default the recommended labels of an app named like the route).
//!
//! ```
//! use k3score::{Context, Target};
//! use k3score::exposure::{Backend, Route, render_routes};
//! use k3score::ports::PortRef;
//!
//! let ctx = Context::new(Target::local(), "shop".parse().unwrap());
//! let route = Route::new("orders".parse().unwrap(), "orders".parse().unwrap(),
//!     Backend::new("orders".parse().unwrap(), PortRef::Number(8080)));
//! let objects = render_routes(&[route], &ctx).unwrap();
//! assert_eq!(objects[0].kind(), "IngressRoute");
//! ```

mod capabilities;
mod certificate;
mod cors;
mod duration;
mod expose;
pub mod gateway_api;
pub mod haproxy;
mod host;
mod policy;
mod render;
mod route;
pub mod traefik;

/// Re-export of [`crate::ports::PortRef`], where the port vocabulary lives: kept so
/// `k3score::exposure::PortRef` keeps working.
#[doc(no_inline)]
pub use crate::ports::PortRef;
pub use capabilities::{RouteFeature, Support, check, features, supports};
pub use certificate::{certificate_objects, tls_secret_name};
pub use cors::{Cors, DEFAULT_CORS_METHODS, HeaderName, HttpMethod, Origin};
pub use duration::Duration;
pub use expose::Expose;
pub use host::{Host, check_host};
pub use policy::{BasicAuth, Cidr, RateLimit, TRAEFIK_USERS_KEY, validate_allow_list, validate_body_size};
pub use route::{Backend, MAX_PATHS, PathKind, PathMatch, Route, check_path};

use crate::context::Context;
use crate::error::Errors;
use crate::object::Object;
use crate::target::Ingress;

/// Renders `routes` for the target's ingress controller.
///
/// Error paths are relative to the slice (`[0].cors.allow_origins[1]`); nest them with
/// [`Errors::under`].
pub fn render_routes(routes: &[Route], ctx: &Context) -> Result<Vec<Object>, Errors> {
    match &ctx.target.ingress {
        Ingress::Traefik { .. } => traefik::render(routes, ctx),
        Ingress::Haproxy { .. } => haproxy::render(routes, ctx),
        Ingress::GatewayApi { .. } => gateway_api::render(routes, ctx),
    }
}

#[cfg(test)]
mod tests;
