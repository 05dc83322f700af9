//! Rendering: effective routes through k3score's renderers, composed per controller.

use std::collections::BTreeMap;

use k3score::crd::traefik::v1alpha1::{Middleware, MiddlewareRef};
use k3score::exposure::{Backend, Route, gateway_api, haproxy, traefik};
use k3score::labels::AppLabels;
use k3score::names::{Dns1035Label, DnsLabel, bounded, stable_hash};
use k3score::ports::PortRef;
use k3score::{Bundle, Context, ErrorKind, Errors, FieldPath, Ingress, Object};
use k8s_openapi::api::networking::v1::{Ingress as KubeIngress, IngressSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::spec::Gateway;
use crate::validate::{COMPONENT, Inherited};

/// Traefik middleware concerns in chain order (name suffix, rank). k3score names a route's
/// middlewares `<route>-<suffix>`; the gateway's shared ones are `<gateway>-shared-<suffix>`.
pub const TRAEFIK_ORDER: [&str; 8] = [
    "allow-list",
    "rate-limit",
    "cors",
    "basic-auth",
    "body-limit",
    "waf",
    "strip-prefix",
    "rewrite",
];

impl Gateway {
    /// Renders the gateway for `ctx`'s target into `namespace` (or `ctx.namespace`).
    ///
    /// Validates first ([`Gateway::validate_for`]); every problem comes back at once.
    ///
    /// ```
    /// use k3score::{Context, Target};
    /// use k3score::crd::traefik::v1alpha1::IngressRoute;
    /// let gateway = k3sgateway::Gateway::from_yaml(r"
    /// name: edge
    /// rate_limit: {requests: 50}
    /// routes:
    ///   - {name: shop, host: shop, backend: {service: shop, port: 80}}
    /// ").unwrap();
    /// let bundle = gateway.render(&Context::new(Target::local(), "web".parse().unwrap())).unwrap();
    /// let route = bundle.get::<IngressRoute>("shop").unwrap();
    /// assert_eq!(route.spec.routes[0].middlewares[0].name, "edge-shared-rate-limit");
    /// ```
    pub fn render(&self, ctx: &Context) -> Result<Bundle, Errors> {
        let ctx = match &self.namespace {
            Some(ns) => Context {
                namespace: ns.clone(),
                ..ctx.clone()
            },
            None => ctx.clone(),
        };
        self.validate_for(&ctx)?;
        let routes_at = FieldPath::root().field("routes");
        let objects = match &ctx.target.ingress {
            Ingress::Traefik { .. } => self.render_traefik(&ctx)?,
            Ingress::Haproxy { .. } => {
                let objects = haproxy::render(&self.effective_routes(), &ctx).map_err(|e| e.under(&routes_at))?;
                self.merge_ingresses(objects, &ctx)
            }
            Ingress::GatewayApi { .. } => {
                gateway_api::render(&self.effective_routes(), &ctx).map_err(|e| e.under(&routes_at))?
            }
        };
        let mut bundle: Bundle = objects.into_iter().collect();
        bundle.check_unique()?;
        bundle.escape_hatch(&self.objects, &self.patches, &ctx)?;
        Ok(bundle)
    }

    /// Labels of the objects the gateway shares between routes.
    fn shared_labels(&self) -> AppLabels {
        AppLabels::new(self.name.clone()).with_component(COMPONENT)
    }

    /// Traefik: each route's own policies from k3score, plus the gateway's policies as shared
    /// Middlewares referenced by every route that inherits them, in [`TRAEFIK_ORDER`].
    fn render_traefik(&self, ctx: &Context) -> Result<Vec<Object>, Errors> {
        let effective = self.effective();
        let own: Vec<Route> = effective
            .iter()
            .map(|(route, inherited)| own_policies(route, *inherited))
            .collect();
        let mut objects = traefik::render(&own, ctx).map_err(|e| e.under(&FieldPath::root().field("routes")))?;

        // The shared middlewares come from k3score too: a synthetic route carrying exactly the
        // inherited policies, named `<gateway>-shared`, whose IngressRoute is dropped.
        let shared_name = bounded(self.name.as_str(), "-shared", 63);
        let any = |f: fn(&Inherited) -> bool| effective.iter().any(|(_, i)| f(i));
        let waf = self.waf.clone().unwrap_or_default();
        let name = DnsLabel::new(shared_name.clone()).map_err(|kind| internal(&kind))?;
        let service = Dns1035Label::new("shared").map_err(|kind| internal(&kind))?;
        let shared_route = Route {
            rate_limit: self.rate_limit.clone().filter(|_| any(|i| i.rate_limit)),
            cors: self.cors.clone().filter(|_| any(|i| i.cors)),
            allow_list: if any(|i| i.allow_list) {
                waf.allow_cidrs.clone()
            } else {
                Vec::new()
            },
            max_body_size: waf.max_body_size.filter(|_| any(|i| i.max_body_size)),
            tls: Some(false),
            ..Route::new(name.clone(), name.into(), Backend::new(service, PortRef::Number(80)))
                .with_labels(self.shared_labels())
        };
        let mut shared: Vec<Object> = traefik::render(&[shared_route], ctx)
            .map_err(|e| e.under(&FieldPath::root()))?
            .into_iter()
            .filter(|o| matches!(o, Object::Middleware(_)))
            .collect();
        if let Some(rules) = waf.managed_rules.as_ref() {
            shared.push(
                Middleware {
                    metadata: ObjectMeta {
                        name: Some(bounded(&shared_name, "-waf", 63)),
                        namespace: Some(ctx.namespace.to_string()),
                        labels: Some(self.shared_labels().labels()),
                        ..Default::default()
                    },
                    spec: rules.traefik_middleware(),
                }
                .into(),
            );
        }

        let ns = ctx.namespace.to_string();
        let has_waf = waf.managed_rules.is_some();
        for object in &mut objects {
            let Object::IngressRoute(ir) = object else { continue };
            let Some((route, inherited)) = effective
                .iter()
                .find(|(r, _)| Some(r.name.as_str()) == ir.metadata.name.as_deref())
            else {
                continue;
            };
            for traefik_route in &mut ir.spec.routes {
                let mut chain: Vec<(usize, MiddlewareRef)> = traefik_route
                    .middlewares
                    .drain(..)
                    .map(|m| {
                        let rank = TRAEFIK_ORDER
                            .iter()
                            .position(|c| m.name == bounded(route.name.as_str(), &format!("-{c}"), 63))
                            .unwrap_or(TRAEFIK_ORDER.len());
                        (rank, m)
                    })
                    .collect();
                let inherits = [
                    ("allow-list", inherited.allow_list),
                    ("rate-limit", inherited.rate_limit),
                    ("cors", inherited.cors),
                    ("body-limit", inherited.max_body_size),
                    ("waf", has_waf),
                ];
                for (concern, on) in inherits {
                    if on {
                        let rank = TRAEFIK_ORDER.iter().position(|c| *c == concern).unwrap_or_default();
                        chain.push((
                            rank,
                            MiddlewareRef {
                                name: bounded(&shared_name, &format!("-{concern}"), 63),
                                namespace: None,
                            },
                        ));
                    }
                }
                chain.sort_by_key(|(rank, _)| *rank);
                traefik_route.middlewares = chain
                    .into_iter()
                    .map(|(_, m)| MiddlewareRef {
                        namespace: Some(ns.clone()),
                        ..m
                    })
                    .collect();
            }
        }
        shared.extend(objects);
        Ok(shared)
    }

    /// HAProxy: annotations apply per Ingress, so Ingresses with the same annotation set are
    /// merged into one named `<gateway>-<hash of the annotations>` with all their rules.
    fn merge_ingresses(&self, objects: Vec<Object>, ctx: &Context) -> Vec<Object> {
        let mut others = Vec::new();
        let mut groups: Vec<(BTreeMap<String, String>, IngressSpec)> = Vec::new();
        for object in objects {
            let Object::Ingress(ingress) = object else {
                others.push(object);
                continue;
            };
            let annotations = ingress.metadata.annotations.clone().unwrap_or_default();
            let spec = ingress.spec.clone().unwrap_or_default();
            match groups.iter_mut().find(|(a, _)| *a == annotations) {
                Some((_, merged)) => merge_spec(merged, spec),
                None => groups.push((annotations, spec)),
            }
        }
        for (annotations, spec) in groups {
            let text: String = annotations.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            let hash = format!("-{:08x}", stable_hash(&text) as u32);
            others.push(
                KubeIngress {
                    metadata: ObjectMeta {
                        name: Some(bounded(self.name.as_str(), &hash, 63)),
                        namespace: Some(ctx.namespace.to_string()),
                        labels: Some(self.shared_labels().labels()),
                        annotations: (!annotations.is_empty()).then_some(annotations),
                        ..Default::default()
                    },
                    spec: Some(spec),
                    ..Default::default()
                }
                .into(),
            );
        }
        others
    }
}

/// The route without the policies it inherits (those are shared Traefik middlewares).
fn own_policies(route: &Route, inherited: Inherited) -> Route {
    let mut r = route.clone();
    if inherited.rate_limit {
        r.rate_limit = None;
    }
    if inherited.cors {
        r.cors = None;
    }
    if inherited.allow_list {
        r.allow_list.clear();
    }
    if inherited.max_body_size {
        r.max_body_size = None;
    }
    r
}

/// Adds `spec`'s rules (paths joined per host) and TLS entries (hosts joined per secret) to `merged`.
fn merge_spec(merged: &mut IngressSpec, spec: IngressSpec) {
    let rules = merged.rules.get_or_insert_with(Vec::new);
    for rule in spec.rules.unwrap_or_default() {
        match rules.iter_mut().find(|r| r.host == rule.host) {
            Some(existing) => {
                if let (Some(into), Some(from)) = (existing.http.as_mut(), rule.http) {
                    into.paths.extend(from.paths);
                }
            }
            None => rules.push(rule),
        }
    }
    if let Some(tls) = spec.tls {
        let entries = merged.tls.get_or_insert_with(Vec::new);
        for entry in tls {
            match entries.iter_mut().find(|e| e.secret_name == entry.secret_name) {
                Some(existing) => {
                    let hosts = existing.hosts.get_or_insert_with(Vec::new);
                    for host in entry.hosts.unwrap_or_default() {
                        if !hosts.contains(&host) {
                            hosts.push(host);
                        }
                    }
                }
                None => entries.push(entry),
            }
        }
    }
}

/// A static name failed its grammar: a bug, reported rather than panicking.
fn internal(kind: &ErrorKind) -> Errors {
    k3score::Error::new(
        FieldPath::root().field("name"),
        ErrorKind::Invalid(format!("cannot derive the shared object name: {kind}")),
    )
    .into()
}
