//! The `Gateway` spec: many [`Route`]s plus global policies (rate limit, CORS, WAF).

use k3score::exposure::{Cors, RateLimit, Route};
use k3score::names::DnsLabel;
use k3score::patch::{ExtraObject, Patch};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::waf::Waf;

/// The spec-file kind tag of a gateway file (`kind: Gateway`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum GatewayKind {
    /// `kind: Gateway`.
    #[default]
    Gateway,
}

/// A gateway: routes to Services plus policies applied to every route.
///
/// Each entry of `routes` is a k3score [`Route`] (the one route model of the suite); the
/// gateway merges its global policies into every route that does not set its own
/// ([`Gateway::effective_routes`]) and renders them for the target's controller
/// ([`Gateway::render`]).
///
/// ```
/// use k3sgateway::Gateway;
/// let gateway: Gateway = k3score::yaml::from_yaml(r"
/// kind: Gateway
/// name: edge
/// rate_limit: {requests: 100, per: 1m}
/// routes:
///   - {name: orders, host: orders, paths: [/api], backend: {service: orders, port: 8080}}
/// ").unwrap();
/// assert_eq!(gateway.routes[0].backend.service.as_str(), "orders");
/// assert_eq!(gateway.effective_routes()[0].rate_limit.as_ref().unwrap().requests, 100);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Gateway {
    /// The file kind tag (`Gateway`). Default: `Gateway`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<GatewayKind>,
    /// The gateway's name: shared objects derive their names from it (`<name>-shared-cors`,
    /// `<name>-<hash>` HAProxy Ingresses).
    pub name: DnsLabel,
    /// The namespace routes are rendered into. Default: the render context's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<DnsLabel>,
    /// The routes (names unique; no two routes match the same host, path and kind).
    pub routes: Vec<Route>,
    /// Rate limit for every route that does not set its own. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// CORS for every route that does not set its own (a route's `cors` replaces it).
    /// Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<Cors>,
    /// Web application firewall: client allow list, request size limit, managed rule set.
    /// Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waf: Option<Waf>,
    /// RFC 6902 patches of the rendered objects, by kind and name (the escape hatch; checked
    /// after they apply, without opt-outs from Pod Security `restricted`). Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<Patch>,
    /// Extra objects of kinds the suite knows, in the namespace unless they name one.
    /// Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ExtraObject>,
}

impl Gateway {
    /// A gateway `name` with `routes` and no global policy.
    ///
    /// ```
    /// use k3score::exposure::{Backend, Route};
    /// use k3score::ports::PortRef;
    /// let route = Route::new("shop".parse().unwrap(), "shop".parse().unwrap(),
    ///     Backend::new("shop".parse().unwrap(), PortRef::Number(80)));
    /// let gateway = k3sgateway::Gateway::new("edge".parse().unwrap(), vec![route]);
    /// assert!(gateway.validate().is_ok());
    /// ```
    #[must_use]
    pub fn new(name: DnsLabel, routes: Vec<Route>) -> Self {
        Self {
            kind: None,
            name,
            namespace: None,
            routes,
            rate_limit: None,
            cors: None,
            waf: None,
            patches: Vec::new(),
            objects: Vec::new(),
        }
    }

    /// The same gateway rendered into `namespace`.
    #[must_use]
    pub fn with_namespace(mut self, namespace: DnsLabel) -> Self {
        self.namespace = Some(namespace);
        self
    }

    /// The same gateway with a global rate limit.
    #[must_use]
    pub fn with_rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = Some(rate_limit);
        self
    }

    /// The same gateway with global CORS.
    #[must_use]
    pub fn with_cors(mut self, cors: Cors) -> Self {
        self.cors = Some(cors);
        self
    }

    /// The same gateway with a WAF.
    #[must_use]
    pub fn with_waf(mut self, waf: Waf) -> Self {
        self.waf = Some(waf);
        self
    }

    /// Parses a gateway spec file (YAML); shape errors carry their field path and line. When
    /// values are bad, the problems [`Gateway::validate`] finds are reported with them.
    ///
    /// ```
    /// let err = k3sgateway::Gateway::from_yaml("name: edge\nroutes: []\nrate_limt: {}\n").unwrap_err();
    /// assert!(err.to_string().contains("rate_limt"), "{err}");
    /// ```
    pub fn from_yaml(text: &str) -> Result<Self, k3score::Errors> {
        k3score::yaml::from_yaml_checked(text, Self::validate)
    }
}
