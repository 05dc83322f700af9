//! # k3sgateway
//!
//! A gateway: many HTTP routes plus global policies (rate limit, CORS, WAF), rendered for the
//! target's ingress controller: Traefik (`IngressRoute` + `Middleware`s), HAProxy (`Ingress` +
//! `haproxy.org/*` annotations) or the Gateway API (`HTTPRoute`).
//!
//! A gateway route *is* a k3score [`Route`](k3score::exposure::Route): the gateway adds
//! composition, not a second route model.
//!
//! - **Global policies.** `rate_limit` and `cors` apply to every route that does not set its
//!   own (a route's own value replaces them); `waf.allow_cidrs` and `waf.max_body_size` become
//!   every route's `allow_list` and `max_body_size`, and a route may only narrow them
//!   ([`Gateway::effective_routes`]).
//! - **Traefik.** Each route keeps k3score's `IngressRoute` and its own `<route>-<concern>`
//!   Middlewares; the gateway's policies are *shared* Middlewares `<gateway>-shared-<concern>`
//!   referenced by every route that inherits them. Every reference names its namespace. The
//!   chain order ([`TRAEFIK_ORDER`]) is: `allow-list` (ipAllowList), `rate-limit` (rateLimit),
//!   `cors` (headers), `basic-auth` (basicAuth), `body-limit` (buffering), `waf` (plugin),
//!   then `strip-prefix` or `rewrite`: cheap refusals first, CORS before basic auth so that
//!   preflights are answered, the size limit before the WAF inspects bodies, and the WAF on
//!   the path the client sent.
//! - **HAProxy.** Annotations apply per Ingress, so routes whose annotation sets
//!   (`k3score::exposure::haproxy::annotations`) are equal share one Ingress named
//!   `<gateway>-<8 hex digits of the annotation set's hash>`, with one rule per host.
//! - **Gateway API.** One `HTTPRoute` per route (k3score), attached to the target's Gateway.
//! - **WAF.** See [`waf`](mod@waf): the managed rule set is a Traefik plugin Middleware
//!   (Coraza or ModSecurity). **Operator prerequisite**: declare the plugin in Traefik's
//!   static configuration, e.g. for Coraza
//!   `experimental.plugins.coraza: {moduleName: github.com/jcchavezs/coraza-http-wasm-traefik, version: v0.3.0}`
//!   (Helm values: `experimental.plugins.coraza`); the Middleware's `spec.plugin.coraza`
//!   refers to that name. HAProxy (community controller) and the standard Gateway API have no
//!   per-route WAF: asking for one is an `Unsupported` error at `waf.managed_rules`.
//!
//! Validation reports every problem at once with its path ([`Gateway::validate`],
//! [`Gateway::validate_for`]): `routes[3].rate_limit.requests`, `routes[1].paths[0]` for a
//! host + path + kind another route already matches, `cors.allow_origins[0]` for a CORS origin
//! that is not an origin (when parsing), `routes[2].rewrite_to` or `routes[2].paths[0].kind`
//! for a rewrite without a prefix match, and a feature the controller cannot express at the
//! field asking for it.
//!
//! ```
//! use k3score::{Context, Ingress, Target};
//! use k3score::crd::gateway::v1::HTTPRoute;
//! use k8s_openapi::api::networking::v1::Ingress as KubeIngress;
//!
//! let gateway = k3sgateway::Gateway::from_yaml(r"
//! kind: Gateway
//! name: edge
//! cors: {allow_origins: ['https://shop.example.com']}
//! routes:
//!   - {name: shop, host: shop, backend: {service: shop, port: 80}}
//!   - {name: api, host: shop, paths: [/api], strip_prefix: true, timeout: 30s,
//!      backend: {service: api, port: 8080}}
//! ").unwrap();
//!
//! let ctx = |target| Context::new(target, "web".parse().unwrap());
//! let haproxy = gateway.render(&ctx(Target::gcp())).unwrap();
//! assert_eq!(haproxy.all::<KubeIngress>().count(), 2); // the rewrite differs
//!
//! let target = Target::local().with_ingress(
//!     Ingress::gateway_api("shared-gateway", "gateway-system").unwrap(),
//!     "gateway-system".parse().unwrap());
//! let routes = gateway.render(&ctx(target)).unwrap();
//! assert_eq!(routes.get::<HTTPRoute>("api").unwrap().spec.hostnames, ["shop.localhost"]);
//!
//! let mut bad = gateway.clone();
//! bad.routes[1].rate_limit = Some(k3score::exposure::RateLimit::per_second(0));
//! assert_eq!(bad.validate().unwrap_err().to_string(),
//!     "routes[1].rate_limit.requests: requests must be at least 1 (remove rate_limit to disable it)");
//! ```
//!
//! ## Feature × controller support
//!
//! Generated from `k3score::exposure::supports` and [`waf_support`] ([`support_table`]); a
//! test keeps this table equal to the code.
//!
#![doc = include_str!("../docs/support.md")]

mod render;
mod spec;
mod support_table;
mod validate;
pub mod waf;

pub use render::TRAEFIK_ORDER;
pub use spec::{Gateway, GatewayKind};
pub use support_table::{controllers, support_table};
pub use validate::COMPONENT;
pub use waf::{ManagedRules, Waf, WafEngine, WafFeature, waf_support};
