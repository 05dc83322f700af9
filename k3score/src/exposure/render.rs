//! What the three route renderers ([`super::traefik`], [`super::haproxy`],
//! [`super::gateway_api`]) share: the loop over the routes, object metadata, path regexes.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::capabilities::check;
use super::route::Route;
use crate::context::Context;
use crate::error::Errors;
use crate::object::Object;

/// One controller's objects for one route (already checked), appended to `out`.
pub(crate) type RenderRoute = fn(&Route, &Context, &mut Vec<Object>);

/// The driver of every route renderer: checks `routes` for the target's controller (every
/// problem at once, see [`check`]), then renders them in order with the controller's
/// `render_route`.
pub(crate) fn render_with(routes: &[Route], ctx: &Context, render_route: RenderRoute) -> Result<Vec<Object>, Errors> {
    check(routes, ctx)?;
    let mut out = Vec::new();
    for route in routes {
        render_route(route, ctx, &mut out);
    }
    Ok(out)
}

/// Metadata for an object named `name` in `namespace`, labelled for `route`.
pub(crate) fn meta(name: String, namespace: &str, route: &Route) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: Some(namespace.to_owned()),
        labels: Some(route.object_labels()),
        ..Default::default()
    }
}

/// `meta` plus annotations.
pub(crate) fn meta_annotated(
    name: String,
    namespace: &str,
    route: &Route,
    annotations: BTreeMap<String, String>,
) -> ObjectMeta {
    ObjectMeta {
        annotations: (!annotations.is_empty()).then_some(annotations),
        ..meta(name, namespace, route)
    }
}

/// Escapes regular-expression metacharacters (valid for Go RE2, PCRE and POSIX ERE).
pub(crate) fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The route's prefixes as a regex group matching whole path segments, longest first:
/// `(/api/v1|/api)`, optional (`(...)?`) when `/` is one of them, empty when it is the only one.
/// `capture` picks a capturing group (HAProxy, POSIX-compatible) or `(?:...)` (Traefik, RE2).
pub(crate) fn prefix_group(route: &Route, capture: bool) -> String {
    let mut prefixes: Vec<&str> = route.paths.iter().map(super::route::PathMatch::trimmed).collect();
    let has_root = prefixes.contains(&"");
    prefixes.retain(|p| !p.is_empty());
    prefixes.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    prefixes.dedup();
    if prefixes.is_empty() {
        return String::new();
    }
    let alternatives = prefixes.iter().map(|p| regex_escape(p)).collect::<Vec<_>>().join("|");
    let open = if capture { "(" } else { "(?:" };
    let optional = if has_root { "?" } else { "" };
    format!("{open}{alternatives}){optional}")
}
