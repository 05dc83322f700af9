//! The gateway WAF: a client allow list by CIDR, a request body limit and a managed rule set.
//!
//! `allow_cidrs` and `max_body_size` become the route features `allow_list` and
//! `max_body_size` of every route (Traefik `ipAllowList` / `buffering`, HAProxy `allow-list`),
//! so they follow k3score's feature table. The managed rule set is a Traefik plugin middleware:
//!
//! | engine | Traefik plugin (`spec.plugin.<name>`) | static configuration the operator adds |
//! |---|---|---|
//! | `coraza` | `coraza: {directives: [...]}` (OWASP CRS embedded in the plugin) | `experimental.plugins.coraza: {moduleName: github.com/jcchavezs/coraza-http-wasm-traefik, version: v0.3.0}` |
//! | `modsecurity` | `modsecurity: {modSecurityUrl: <url>}` (forwards each request to an `owasp/modsecurity-crs` Service) | `experimental.plugins.modsecurity: {moduleName: github.com/acouvreur/traefik-modsecurity-plugin, version: <release>}` |
//!
//! Traefik loads plugins only at startup from its static configuration (with the Helm chart:
//! `experimental.plugins` in the values); the Middleware's plugin key must equal the name
//! chosen there ([`ManagedRules::plugin`], default the engine name).
//!
//! HAProxy (haproxytech kubernetes-ingress, the community controller) has no per-Ingress WAF
//! annotation (REFERENCE §5a): its ModSecurity support is an HAProxy Enterprise feature
//! configured for the whole controller. The standard Gateway API has no WAF either (it needs an
//! implementation-specific policy). Both are `Unsupported` errors at `waf.managed_rules`.

use std::collections::BTreeMap;

use k3score::crd::traefik::v1alpha1::{MiddlewareSpec, PluginConfig, PluginValue};
use k3score::exposure::{Cidr, RouteFeature, Support, supports, validate_allow_list, validate_body_size};
use k3score::quantity::Bytes;
use k3score::{ErrorKind, Ingress, PathRef, Problems, Validate};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

/// The Coraza directives loading the OWASP Core Rule Set embedded in coraza-http-wasm
/// (its `fs.go` maps `@recommended-conf` to `coraza.conf-recommended.conf`, `@crs-setup-conf`
/// to `crs-setup.conf.example` and `@owasp_crs` to the CRS rules directory), followed by the
/// engine mode.
pub const CORAZA_CRS_DIRECTIVES: [&str; 3] = [
    "Include @recommended-conf",
    "Include @crs-setup-conf",
    "Include @owasp_crs/*.conf",
];

/// The rule engine of a managed rule set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WafEngine {
    /// Coraza (ModSecurity-compatible, in Go/Wasm) inside Traefik, with the OWASP CRS.
    Coraza,
    /// ModSecurity with the OWASP CRS in its own Service; Traefik forwards each request to it.
    Modsecurity,
}

impl WafEngine {
    /// The plugin name used in Traefik's static configuration by default.
    #[must_use]
    pub fn default_plugin(self) -> &'static str {
        match self {
            WafEngine::Coraza => "coraza",
            WafEngine::Modsecurity => "modsecurity",
        }
    }
}

/// A managed rule set (the OWASP Core Rule Set) run by a WAF engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ManagedRules {
    /// The engine.
    pub engine: WafEngine,
    /// Log matches without blocking (`SecRuleEngine DetectionOnly`; Coraza only). Default: false.
    #[serde(default)]
    pub detection_only: bool,
    /// Extra SecLang directives appended after the rule set (Coraza only), one per entry,
    /// e.g. `SecRuleRemoveById 920350`. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directives: Vec<String>,
    /// The ModSecurity Service URL (`http://modsecurity-crs.waf.svc:8080`); required for
    /// `modsecurity`, not allowed for `coraza`. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The plugin name in Traefik's static configuration (letters, digits, `-`, `_`).
    /// Default: the engine name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
}

/// The gateway's web application firewall.
///
/// ```
/// use k3sgateway::{Waf, WafEngine};
/// let waf: Waf = k3score::yaml::from_yaml(
///     "{allow_cidrs: [10.0.0.0/8], max_body_size: 1Mi, managed_rules: {engine: coraza}}").unwrap();
/// assert_eq!(waf.managed_rules.unwrap().engine, WafEngine::Coraza);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Waf {
    /// Client addresses allowed on every route; a route's own `allow_list` may only narrow it
    /// (each of its entries must lie inside one of these). Default: everyone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_cidrs: Vec<Cidr>,
    /// Largest request body on every route; a route's own `max_body_size` may only lower it.
    /// Default: the controller's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_body_size: Option<Bytes>,
    /// A managed rule set applied to every route. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_rules: Option<ManagedRules>,
}

/// A WAF capability, for the support table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WafFeature {
    /// `waf.allow_cidrs`.
    AllowCidrs,
    /// `waf.max_body_size`.
    MaxBodySize,
    /// `waf.managed_rules` with `engine: coraza`.
    Coraza,
    /// `waf.managed_rules` with `engine: modsecurity`.
    Modsecurity,
}

impl WafFeature {
    /// Every WAF feature, in documentation order.
    pub const ALL: [WafFeature; 4] = [
        WafFeature::AllowCidrs,
        WafFeature::MaxBodySize,
        WafFeature::Coraza,
        WafFeature::Modsecurity,
    ];

    /// The spec field asking for it.
    #[must_use]
    pub fn field(self) -> &'static str {
        match self {
            WafFeature::AllowCidrs => "waf.allow_cidrs",
            WafFeature::MaxBodySize => "waf.max_body_size",
            WafFeature::Coraza | WafFeature::Modsecurity => "waf.managed_rules",
        }
    }

    /// A short human description.
    #[must_use]
    pub fn description(self) -> &'static str {
        match self {
            WafFeature::AllowCidrs => "WAF client allow list",
            WafFeature::MaxBodySize => "WAF request size limit",
            WafFeature::Coraza => "WAF managed rules (Coraza)",
            WafFeature::Modsecurity => "WAF managed rules (ModSecurity)",
        }
    }
}

const HAPROXY_NO_WAF: &str = "the community haproxytech controller has no per-Ingress WAF annotation (REFERENCE §5a); ModSecurity is an HAProxy Enterprise feature configured controller-wide";
const GATEWAY_NO_WAF: &str = "not in the standard HTTPRoute; it needs an implementation-specific policy";

/// What `ingress` can do with a WAF `feature`: the allow list and size limit follow the route
/// feature table ([`supports`]); managed rules need a Traefik plugin.
///
/// ```
/// use k3score::Ingress;
/// use k3sgateway::{WafFeature, waf_support};
/// assert!(waf_support(WafFeature::Coraza, &Ingress::traefik()).is_supported());
/// assert!(!waf_support(WafFeature::Coraza, &Ingress::haproxy()).is_supported());
/// ```
#[must_use]
pub fn waf_support(feature: WafFeature, ingress: &Ingress) -> Support {
    match feature {
        WafFeature::AllowCidrs => supports(RouteFeature::AllowList, ingress),
        WafFeature::MaxBodySize => supports(RouteFeature::MaxBodySize, ingress),
        WafFeature::Coraza | WafFeature::Modsecurity => match ingress {
            Ingress::Traefik { .. } => Support::Caveat(
                "a plugin Middleware; the plugin must be declared in Traefik's static configuration (experimental.plugins)",
            ),
            Ingress::Haproxy { .. } => Support::Unsupported(HAPROXY_NO_WAF),
            Ingress::GatewayApi { .. } => Support::Unsupported(GATEWAY_NO_WAF),
        },
    }
}

impl ManagedRules {
    /// The WAF feature this rule set asks for.
    #[must_use]
    pub fn feature(&self) -> WafFeature {
        match self.engine {
            WafEngine::Coraza => WafFeature::Coraza,
            WafEngine::Modsecurity => WafFeature::Modsecurity,
        }
    }

    /// The plugin key in `spec.plugin` and in Traefik's static configuration.
    #[must_use]
    pub fn plugin_name(&self) -> &str {
        self.plugin.as_deref().unwrap_or(self.engine.default_plugin())
    }

    /// The Traefik `Middleware` spec running this rule set as a plugin.
    ///
    /// ```
    /// use k3sgateway::{ManagedRules, WafEngine};
    /// use k3score::crd::traefik::v1alpha1::PluginValue;
    /// let rules = ManagedRules { engine: WafEngine::Coraza, detection_only: false,
    ///     directives: vec![], url: None, plugin: None };
    /// let spec = rules.traefik_middleware();
    /// let PluginValue::List(directives) = &spec.plugin["coraza"]["directives"] else { panic!() };
    /// assert_eq!(directives.last(), Some(&PluginValue::String("SecRuleEngine On".into())));
    /// ```
    #[must_use]
    pub fn traefik_middleware(&self) -> MiddlewareSpec {
        let config: PluginConfig = match self.engine {
            // Config key `directives` (a list of SecLang lines): coraza-http-wasm README
            // "Basic Configuration" and coraza-http-wasm-traefik e2e/config-dynamic.yaml
            // (`plugin: {coraza: {directives: [...]}}`).
            WafEngine::Coraza => {
                let mode = if self.detection_only { "DetectionOnly" } else { "On" };
                let mut lines: Vec<PluginValue> = CORAZA_CRS_DIRECTIVES
                    .iter()
                    .map(|d| PluginValue::String((*d).to_owned()))
                    .collect();
                lines.push(PluginValue::String(format!("SecRuleEngine {mode}")));
                lines.extend(self.directives.iter().map(|d| PluginValue::String(d.clone())));
                BTreeMap::from([("directives".to_owned(), PluginValue::List(lines))])
            }
            // `modSecurityUrl` (mandatory): acouvreur/traefik-modsecurity-plugin README "Configuration".
            WafEngine::Modsecurity => BTreeMap::from([(
                "modSecurityUrl".to_owned(),
                PluginValue::String(self.url.clone().unwrap_or_default()),
            )]),
        };
        MiddlewareSpec {
            plugin: BTreeMap::from([(self.plugin_name().to_owned(), config)]),
            ..Default::default()
        }
    }
}

impl Validate for ManagedRules {
    /// Records every problem under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if let Some(plugin) = &self.plugin {
            let ok = !plugin.is_empty()
                && plugin.len() <= 63
                && plugin
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                problems.push(
                    path.field("plugin"),
                    ErrorKind::Invalid(format!(
                        "invalid plugin name {plugin:?}: use 1 to 63 letters, digits, '-', '_'"
                    )),
                );
            }
        }
        match self.engine {
            WafEngine::Coraza => {
                if self.url.is_some() {
                    problems.push(
                        path.field("url"),
                        ErrorKind::Conflict("url is for engine modsecurity; coraza runs inside Traefik".into()),
                    );
                }
                for (i, d) in self.directives.iter().enumerate() {
                    if d.trim().is_empty() || d.contains(['\n', '\r']) {
                        problems.push(
                            path.field("directives").index(i),
                            ErrorKind::Invalid("a directive is one non-empty line".into()),
                        );
                    }
                }
            }
            WafEngine::Modsecurity => {
                match &self.url {
                    None => problems.push(
                        path.field("url"),
                        ErrorKind::Missing(
                            "the ModSecurity Service URL (http://<service>.<namespace>.svc:<port>)".into(),
                        ),
                    ),
                    Some(url) => {
                        let ok = (url.starts_with("http://") || url.starts_with("https://"))
                            && !url.contains(char::is_whitespace);
                        if !ok {
                            problems.push(
                                path.field("url"),
                                ErrorKind::Invalid(format!("invalid url {url:?}: must be http(s)://host[:port]")),
                            );
                        }
                    }
                }
                if self.detection_only {
                    problems.push(
                        path.field("detection_only"),
                        ErrorKind::Unsupported {
                            feature: "detection-only mode".into(),
                            by: "engine modsecurity".into(),
                            why: "the ModSecurity container's own configuration (MODSEC_RULE_ENGINE) sets the mode"
                                .into(),
                        },
                    );
                }
                if !self.directives.is_empty() {
                    problems.push(
                        path.field("directives"),
                        ErrorKind::Unsupported {
                            feature: "inline directives".into(),
                            by: "engine modsecurity".into(),
                            why: "rules live in the ModSecurity container's configuration".into(),
                        },
                    );
                }
            }
        }
    }
}

impl Validate for Waf {
    /// Records every problem under `path` (`waf`).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        validate_allow_list(&self.allow_cidrs, path.field("allow_cidrs"), problems);
        if let Some(size) = self.max_body_size {
            validate_body_size(size, path.field("max_body_size"), problems);
        }
        if let Some(rules) = &self.managed_rules {
            rules.validate(path.field("managed_rules"), problems);
        }
    }
}

/// Whether `inner` (an address or range) lies inside `outer`.
#[must_use]
pub fn cidr_contains(outer: &Cidr, inner: &Cidr) -> bool {
    fn parse(c: &Cidr) -> Option<(u128, u8, bool)> {
        let (addr, bits) = match c.as_str().split_once('/') {
            Some((a, b)) => (a, Some(b.parse::<u8>().ok()?)),
            None => (c.as_str(), None),
        };
        match addr.parse::<std::net::IpAddr>().ok()? {
            std::net::IpAddr::V4(v4) => Some((u128::from(u32::from(v4)) << 96, bits.unwrap_or(32), true)),
            std::net::IpAddr::V6(v6) => Some((u128::from(v6), bits.unwrap_or(128), false)),
        }
    }
    let (Some((o, ob, o4)), Some((i, ib, i4))) = (parse(outer), parse(inner)) else {
        return false;
    };
    if o4 != i4 || ib < ob {
        return false;
    }
    let mask = if ob == 0 { 0 } else { u128::MAX << (128 - u32::from(ob)) };
    o & mask == i & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn containment() {
        assert!(cidr_contains(&cidr("10.0.0.0/8"), &cidr("10.1.0.0/16")));
        assert!(cidr_contains(&cidr("10.0.0.0/8"), &cidr("10.2.3.4")));
        assert!(!cidr_contains(&cidr("10.0.0.0/16"), &cidr("10.0.0.0/8")));
        assert!(!cidr_contains(&cidr("10.0.0.0/8"), &cidr("2001:db8::/32")));
        assert!(cidr_contains(&cidr("0.0.0.0/0"), &cidr("192.168.1.1")));
        assert!(cidr_contains(&cidr("2001:db8::/32"), &cidr("2001:db8:1::/48")));
    }

    #[test]
    fn managed_rules_problems_have_paths() {
        let rules = ManagedRules {
            engine: WafEngine::Modsecurity,
            detection_only: true,
            directives: vec!["x".into()],
            url: None,
            plugin: Some("a b".into()),
        };
        let paths = rules
            .problems_at(PathRef::ROOT.field("waf").field("managed_rules"))
            .finish(())
            .unwrap_err()
            .paths();
        assert_eq!(
            paths,
            [
                "waf.managed_rules.plugin",
                "waf.managed_rules.url",
                "waf.managed_rules.detection_only",
                "waf.managed_rules.directives"
            ]
        );
    }
}
