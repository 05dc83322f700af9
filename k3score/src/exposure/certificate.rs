//! The TLS certificate of a route: a cert-manager `Certificate` writing the `<route>-tls`
//! Secret the route serves.
//!
//! Traefik `IngressRoute`s and Gateway API `HTTPRoute`s do not trigger cert-manager's
//! ingress-shim (it watches `networking.k8s.io/v1` Ingresses, and its gateway-shim watches
//! annotated `Gateway`s, not routes; cert-manager docs, "Annotated Ingress resource" and
//! "Annotated Gateway resource"), so without a `Certificate` nothing writes the Secret and the
//! controller serves its default certificate. HAProxy `Ingress`es keep the
//! `cert-manager.io/cluster-issuer` annotation instead: the ingress-shim creates the same
//! Certificate from it (see [`super::haproxy`]).
//!
//! On the Gateway API, TLS terminates at a listener of the shared Gateway: the Certificate lives
//! in the route's namespace, and a `ReferenceGrant` there lets Gateways of the Gateway's
//! namespace read its Secret, so the listener for the host can list it in `certificateRefs`
//! (`{kind: Secret, name: <route>-tls, namespace: <route namespace>}`).

use super::gateway_api::GROUP;
use super::render::meta;
use super::route::Route;
use crate::context::Context;
use crate::crd::cert_manager::v1::{Certificate, CertificateSpec, IssuerRef};
use crate::crd::gateway::v1beta1::{ReferenceGrant, ReferenceGrantFrom, ReferenceGrantSpec, ReferenceGrantTo};
use crate::names::bounded;
use crate::object::Object;
use crate::target::Ingress;

/// The Secret holding a route's certificate: `<route>-tls`.
#[must_use]
pub fn tls_secret_name(route: &Route) -> String {
    bounded(route.name.as_str(), "-tls", 63)
}

/// The objects that give `route` its certificate on `ctx.target`: a `Certificate` for the
/// route's host issued by the target's `ClusterIssuer` (plus, on the Gateway API, the
/// `ReferenceGrant` for the Gateway), or nothing when the route serves plain HTTP or the target
/// has no issuer.
///
/// ```
/// use k3score::{Context, Target};
/// use k3score::exposure::{certificate_objects, Backend, Route};
/// use k3score::ports::PortRef;
/// let ctx = Context::new(Target::gcp(), "shop".parse().unwrap());
/// let route = Route::new("orders".parse().unwrap(), "orders".parse().unwrap(),
///     Backend::new("orders".parse().unwrap(), PortRef::Number(8080)));
/// let objects = certificate_objects(&route, &ctx);
/// assert_eq!(objects[0].kind(), "Certificate");
/// assert_eq!(objects[0].name(), "orders-tls");
/// assert!(certificate_objects(&route, &Context::new(Target::local(), "shop".parse().unwrap())).is_empty());
/// ```
#[must_use]
pub fn certificate_objects(route: &Route, ctx: &Context) -> Vec<Object> {
    let Some(issuer) = ctx.target.tls_issuer.as_deref().filter(|_| route.uses_tls(&ctx.target)) else {
        return Vec::new();
    };
    let ns = ctx.namespace.as_str();
    let secret = tls_secret_name(route);
    let spec = CertificateSpec {
        secret_name: secret.clone(),
        issuer_ref: IssuerRef::cluster_issuer(issuer),
        dns_names: vec![route.host.resolve(&ctx.target)],
    };
    let mut out: Vec<Object> = vec![
        Certificate {
            metadata: meta(secret.clone(), ns, route),
            spec,
        }
        .into(),
    ];
    if let Ingress::GatewayApi { gateway_namespace, .. } = &ctx.target.ingress
        && gateway_namespace.as_str() != ns
    {
        let spec = ReferenceGrantSpec {
            from: vec![ReferenceGrantFrom {
                group: GROUP.to_owned(),
                kind: "Gateway".to_owned(),
                namespace: gateway_namespace.to_string(),
            }],
            to: vec![ReferenceGrantTo {
                group: String::new(),
                kind: "Secret".to_owned(),
                name: Some(secret.clone()),
            }],
        };
        out.push(
            ReferenceGrant {
                metadata: meta(secret, ns, route),
                spec,
            }
            .into(),
        );
    }
    out
}
