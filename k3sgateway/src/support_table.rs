//! The feature × controller support table of the crate docs, generated from the code.
//!
//! Rows are k3score's [`RouteFeature::ALL`] (through [`supports`]) followed by
//! [`WafFeature::ALL`] (through [`waf_support`]); the crate docs embed `docs/support.md`, and
//! a test checks that file equals [`support_table`] (`K3S_BLESS=1` rewrites it).

use k3score::Ingress;
use k3score::exposure::{RouteFeature, Support, supports};

use crate::waf::{WafFeature, waf_support};

/// The three controllers of the table, in column order.
#[must_use]
pub fn controllers() -> [Ingress; 3] {
    [
        Ingress::traefik(),
        Ingress::haproxy(),
        Ingress::GatewayApi {
            gateway: "shared-gateway".parse().unwrap_or_else(|_| unreachable!("static name")),
            gateway_namespace: "gateway-system".parse().unwrap_or_else(|_| unreachable!("static name")),
            section_name: None,
        },
    ]
}

fn cell(support: Support) -> String {
    let text = match support {
        Support::Native => "yes".to_owned(),
        Support::Caveat(why) => format!("yes: {why}"),
        Support::Unsupported(why) => format!("**no**: {why}"),
    };
    text.replace('|', "\\|")
}

/// The Markdown support table: one row per route and WAF feature, one column per controller.
///
/// ```
/// let table = k3sgateway::support_table();
/// assert!(table.starts_with("| feature | field | Traefik | HAProxy | Gateway API |"));
/// assert!(table.contains("| WAF managed rules (Coraza) | `waf.managed_rules` | yes: "));
/// ```
#[must_use]
pub fn support_table() -> String {
    let controllers = controllers();
    let mut out = String::from("| feature | field | Traefik | HAProxy | Gateway API |\n|---|---|---|---|---|\n");
    let mut row = |description: &str, field: &str, cells: Vec<String>| {
        out.push_str(&format!("| {description} | `{field}` | {} |\n", cells.join(" | ")));
    };
    for feature in RouteFeature::ALL {
        let cells = controllers.iter().map(|c| cell(supports(feature, c))).collect();
        row(feature.description(), feature.field(), cells);
    }
    for feature in WafFeature::ALL {
        let cells = controllers.iter().map(|c| cell(waf_support(feature, c))).collect();
        row(feature.description(), feature.field(), cells);
    }
    out
}
