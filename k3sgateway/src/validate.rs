//! Gateway validation: every problem at once, each with its field path (`routes[3].rate_limit.requests`).

use std::collections::{BTreeMap, BTreeSet};

use k3score::exposure::{PathKind, Route, Support, check_host, features, supports};
use k3score::labels::AppLabels;
use k3score::{Context, ErrorKind, Errors, FieldPath, PathRef, Problems, Validate};

use crate::spec::Gateway;
use crate::waf::{cidr_contains, waf_support};

/// `app.kubernetes.io/component` of every object a gateway renders.
pub const COMPONENT: &str = "gateway";

/// Which policies of an effective route come from the gateway rather than the route.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Inherited {
    pub rate_limit: bool,
    pub cors: bool,
    pub allow_list: bool,
    pub max_body_size: bool,
}

impl Inherited {
    /// Where a problem with the route field `field` (relative to the route) belongs: at the
    /// gateway-level policy it was inherited from, or under `routes[i]`.
    fn locate(self, field: &FieldPath, route: &FieldPath) -> FieldPath {
        let text = field.to_string();
        let top = text.split(['.', '[']).next().unwrap_or_default();
        let root = FieldPath::root();
        match top {
            "rate_limit" if self.rate_limit => field.clone(),
            "cors" if self.cors => field.clone(),
            "allow_list" if self.allow_list => root.field("waf").field("allow_cidrs"),
            "max_body_size" if self.max_body_size => root.field("waf").field("max_body_size"),
            _ => field.under(route),
        }
    }
}

impl Gateway {
    /// The routes as rendered: each with the gateway's rate limit, CORS, WAF allow list and
    /// size limit filled in where the route sets none, labelled as part of the gateway.
    #[must_use]
    pub fn effective_routes(&self) -> Vec<Route> {
        self.effective().into_iter().map(|(route, _)| route).collect()
    }

    pub(crate) fn effective(&self) -> Vec<(Route, Inherited)> {
        let waf = self.waf.clone().unwrap_or_default();
        self.routes
            .iter()
            .map(|route| {
                let mut r = route.clone();
                let mut inherited = Inherited::default();
                if r.rate_limit.is_none() && self.rate_limit.is_some() {
                    r.rate_limit.clone_from(&self.rate_limit);
                    inherited.rate_limit = true;
                }
                if r.cors.is_none() && self.cors.is_some() {
                    r.cors.clone_from(&self.cors);
                    inherited.cors = true;
                }
                if r.allow_list.is_empty() && !waf.allow_cidrs.is_empty() {
                    r.allow_list.clone_from(&waf.allow_cidrs);
                    inherited.allow_list = true;
                }
                if r.max_body_size.is_none() && waf.max_body_size.is_some() {
                    r.max_body_size = waf.max_body_size;
                    inherited.max_body_size = true;
                }
                let labels = AppLabels::new(route.name.clone())
                    .with_component(COMPONENT)
                    .with_part_of(self.name.to_string());
                (r.with_labels(labels), inherited)
            })
            .collect()
    }

    /// Target-independent validation: the routes, the global policies, unique route names, no
    /// two routes matching the same host (as written), path and kind, route allow lists inside
    /// the WAF's and body limits below it. The same as [`Validate::check`]; [`Validate::validate`]
    /// records the same problems under a path.
    ///
    /// ```
    /// let gateway = k3sgateway::Gateway::from_yaml(r"
    /// name: edge
    /// routes:
    ///   - {name: a, host: shop, paths: [/api], backend: {service: a, port: 80}}
    ///   - {name: b, host: shop, paths: [/api], backend: {service: b, port: 80}, rate_limit: {requests: 0}}
    /// ").unwrap();
    /// let err = gateway.validate().unwrap_err().to_string();
    /// assert!(err.contains("routes[1].paths[0]: duplicate route match"), "{err}");
    /// assert!(err.contains("routes[1].rate_limit.requests"), "{err}");
    /// ```
    pub fn validate(&self) -> Result<(), Errors> {
        self.check()
    }

    /// Validation for `ctx`: [`Gateway::validate`] with hosts resolved on the target, plus what
    /// the target's controller cannot express, as `Unsupported` errors at the field asking for
    /// it (`routes[2].rate_limit.burst`, or `rate_limit` / `waf.allow_cidrs` when the feature
    /// comes from a gateway-level policy).
    pub fn validate_for(&self, ctx: &Context) -> Result<(), Errors> {
        let mut problems = Problems::default();
        self.validate_into(PathRef::ROOT, &mut problems, &|route| route.host.resolve(&ctx.target));
        let ingress = &ctx.target.ingress;
        let mut reported = BTreeSet::new();
        for (i, (route, inherited)) in self.effective().iter().enumerate() {
            let at = FieldPath::root().field("routes").index(i);
            problems.check(&at.field("host"), check_host(&route.host.resolve(&ctx.target)));
            for (feature, field) in features(route, ctx) {
                if let Support::Unsupported(why) = supports(feature, ingress) {
                    let path = inherited.locate(&field, &at);
                    if reported.insert(path.clone()) {
                        problems.push(
                            path,
                            ErrorKind::Unsupported {
                                feature: feature.to_string(),
                                by: ingress.display_name().to_owned(),
                                why: why.to_owned(),
                            },
                        );
                    }
                }
            }
        }
        if let Some(rules) = self.waf.as_ref().and_then(|w| w.managed_rules.as_ref()) {
            let feature = rules.feature();
            if let Support::Unsupported(why) = waf_support(feature, ingress) {
                problems.push(
                    FieldPath::root().field("waf").field("managed_rules"),
                    ErrorKind::Unsupported {
                        feature: feature.description().to_owned(),
                        by: ingress.display_name().to_owned(),
                        why: why.to_owned(),
                    },
                );
            }
        }
        problems.finish(())
    }

    fn validate_into(&self, path: PathRef<'_>, problems: &mut Problems, host: &dyn Fn(&Route) -> String) {
        let root = path.to_path();
        if self.routes.is_empty() {
            problems.push(root.field("routes"), ErrorKind::Missing("at least one route".into()));
        }
        k3score::patch::validate(&self.objects, &self.patches, path, problems);
        if let Some(limit) = &self.rate_limit {
            limit.validate(k3score::PathRef::from(&root).field("rate_limit"), problems);
        }
        if let Some(cors) = &self.cors {
            cors.validate(k3score::PathRef::from(&root).field("cors"), problems);
        }
        if let Some(waf) = &self.waf {
            waf.validate(k3score::PathRef::from(&root).field("waf"), problems);
        }
        let mut names = BTreeMap::new();
        let mut matches: BTreeMap<(String, String, &str), usize> = BTreeMap::new();
        for (i, route) in self.routes.iter().enumerate() {
            let at = root.field("routes").index(i);
            route.validate(k3score::PathRef::from(&at), problems);
            if let Some(first) = names.insert(route.name.as_str(), i) {
                names.insert(route.name.as_str(), first);
                problems.push(
                    at.field("name"),
                    ErrorKind::Duplicate {
                        what: "route name",
                        name: format!("{} (first used by routes[{first}])", route.name),
                    },
                );
            }
            let h = host(route);
            for (j, m) in route.paths.iter().enumerate() {
                let key = (h.clone(), m.path.clone(), kind_name(m.kind));
                match matches.get(&key) {
                    Some(&other) if other != i => problems.push(
                        at.field("paths").index(j),
                        ErrorKind::Duplicate {
                            what: "route match",
                            name: format!(
                                "{h}{} ({}), already matched by routes[{other}] ({})",
                                m.path,
                                kind_name(m.kind),
                                self.routes[other].name
                            ),
                        },
                    ),
                    Some(_) => {}
                    None => {
                        matches.insert(key, i);
                    }
                }
            }
            self.check_within_waf(route, &at, problems);
        }
    }

    /// A route's own allow list and body limit may only narrow the WAF's.
    fn check_within_waf(&self, route: &Route, at: &FieldPath, problems: &mut Problems) {
        let Some(waf) = &self.waf else { return };
        if !waf.allow_cidrs.is_empty() {
            for (j, cidr) in route.allow_list.iter().enumerate() {
                if !waf.allow_cidrs.iter().any(|outer| cidr_contains(outer, cidr)) {
                    problems.push(
                        at.field("allow_list").index(j),
                        ErrorKind::Conflict(format!(
                            "{cidr} is outside waf.allow_cidrs; a route's allow list may only narrow the gateway's"
                        )),
                    );
                }
            }
        }
        if let (Some(limit), Some(own)) = (waf.max_body_size, route.max_body_size)
            && own.as_bytes() > limit.as_bytes()
        {
            problems.push(
                at.field("max_body_size"),
                ErrorKind::Conflict(format!(
                    "{own} is above waf.max_body_size {limit}; a route may only lower the gateway's limit"
                )),
            );
        }
    }
}

impl Validate for Gateway {
    /// [`Gateway::validate`]'s checks, the paths under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        self.validate_into(path, problems, &|route| route.host.to_string());
    }
}

fn kind_name(kind: PathKind) -> &'static str {
    match kind {
        PathKind::Prefix => "prefix",
        PathKind::Exact => "exact",
    }
}
