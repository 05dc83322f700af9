//! Targets: what differs between the clusters a spec is rendered for.
//!
//! A spec says *what* an app needs; the [`Target`] says *how* a given cluster provides it:
//! which ingress controller routes traffic, where secrets come from, the base domain and
//! TLS issuer, the storage class and where KEDA runs. Three presets match the clusters the
//! suite is built for, and [`TargetBuilder`] makes any other.

#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::error::{ErrorKind, Errors, PathRef, Problems, Validate};
use crate::names::{DnsLabel, DnsSubdomain};

/// The ingress controller that serves routes on a target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Ingress {
    /// Traefik v3 with its CRDs (`IngressRoute`, `Middleware`), as k3s and k3d ship it.
    Traefik {
        /// Entry points routes attach to. Default: `["web"]` without TLS, `["websecure"]` with.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        entry_points: Vec<String>,
    },
    /// The haproxytech kubernetes-ingress controller: `Ingress` with `haproxy.org/*` annotations.
    Haproxy {
        /// `spec.ingressClassName`. Default: `haproxy` (the chart's class name).
        #[serde(default = "default_haproxy_class")]
        ingress_class: String,
    },
    /// Gateway API `HTTPRoute`s attached to an existing `Gateway`.
    GatewayApi {
        /// The Gateway's name.
        gateway: DnsSubdomain,
        /// The Gateway's namespace.
        gateway_namespace: DnsLabel,
        /// The Gateway listener to attach to, if not all.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        section_name: Option<String>,
    },
}

fn default_haproxy_class() -> String {
    "haproxy".to_owned()
}

impl Ingress {
    /// Traefik with the default entry points.
    #[must_use]
    pub fn traefik() -> Self {
        Ingress::Traefik {
            entry_points: Vec::new(),
        }
    }

    /// haproxytech ingress with the chart's class `haproxy`.
    #[must_use]
    pub fn haproxy() -> Self {
        Ingress::Haproxy {
            ingress_class: default_haproxy_class(),
        }
    }

    /// Gateway API routes attached to the Gateway `name` in `namespace`.
    pub fn gateway_api(name: &str, namespace: &str) -> Result<Self, ErrorKind> {
        Ok(Ingress::GatewayApi {
            gateway: name.parse()?,
            gateway_namespace: namespace.parse()?,
            section_name: None,
        })
    }

    /// The names an `Ingress` is parsed from (`"haproxy".parse()`), as command lines and
    /// messages list them.
    pub const NAMES: [&'static str; 3] = ["traefik", "haproxy", "gateway-api"];

    /// The namespace this controller's pods run in when a target switches to it by name:
    /// `kube-system` for Traefik (where k3s installs it), `haproxy-controller` for HAProxy
    /// (the haproxytech chart's), the Gateway's own namespace for Gateway API.
    ///
    /// ```
    /// use k3score::Ingress;
    /// let gateway: Ingress = "gateway-api".parse().unwrap();
    /// assert_eq!(gateway.controller_namespace().as_str(), "gateway-system");
    /// ```
    #[must_use]
    pub fn controller_namespace(&self) -> DnsLabel {
        match self {
            Ingress::Traefik { .. } => DnsLabel::new("kube-system").expect("static name"),
            Ingress::Haproxy { .. } => DnsLabel::new("haproxy-controller").expect("static name"),
            Ingress::GatewayApi { gateway_namespace, .. } => gateway_namespace.clone(),
        }
    }

    /// A short human name (`Traefik`, `HAProxy`, `Gateway API`) for messages.
    #[must_use]
    pub fn display_name(&self) -> &'static str {
        match self {
            Ingress::Traefik { .. } => "Traefik",
            Ingress::Haproxy { .. } => "HAProxy",
            Ingress::GatewayApi { .. } => "Gateway API",
        }
    }
}

/// An ingress controller by name ([`Ingress::NAMES`]): `traefik` and `haproxy` with their
/// defaults, `gateway-api` for routes attached to the Gateway `shared-gateway` in
/// `gateway-system`.
///
/// ```
/// use k3score::Ingress;
/// assert_eq!("haproxy".parse::<Ingress>().unwrap(), Ingress::haproxy());
/// let error = "nginx".parse::<Ingress>().unwrap_err();
/// assert_eq!(error.to_string(), r#"unknown ingress "nginx"; use traefik, haproxy or gateway-api"#);
/// ```
impl FromStr for Ingress {
    type Err = ErrorKind;
    fn from_str(name: &str) -> Result<Self, ErrorKind> {
        match name {
            "traefik" => Ok(Ingress::traefik()),
            "haproxy" => Ok(Ingress::haproxy()),
            "gateway-api" => Ingress::gateway_api("shared-gateway", "gateway-system"),
            other => Err(ErrorKind::Invalid(format!(
                "unknown ingress {other:?}; use traefik, haproxy or gateway-api"
            ))),
        }
    }
}

/// Where secret values come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SecretBackend {
    /// Plain `Secret`s whose values are passed in explicitly (from a `.env` file).
    Local,
    /// External Secrets Operator `ExternalSecret`s against a `ClusterSecretStore`.
    ExternalSecrets {
        /// The `ClusterSecretStore` name.
        store: DnsSubdomain,
        /// How often ESO re-reads the provider (Go duration). Default: `1h`.
        #[serde(default = "default_refresh")]
        refresh_interval: String,
    },
}

fn default_refresh() -> String {
    "1h".to_owned()
}

/// Which KEDA HTTP add-on API the target's add-on serves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum KedaHttpApi {
    /// `InterceptorRoute` (`http.keda.sh/v1beta1`, add-on >= 0.14) plus our own `ScaledObject`.
    #[default]
    InterceptorRoute,
    /// The deprecated `HTTPScaledObject` (`http.keda.sh/v1alpha1`) for add-ons < 0.14.
    HttpScaledObject,
}

/// Where KEDA and its HTTP add-on run on the target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Keda {
    /// KEDA's namespace (interceptor Service lives there). Default: `keda`.
    #[serde(default = "default_keda_ns")]
    pub namespace: DnsLabel,
    /// The HTTP add-on API flavour. Default: `interceptor_route`.
    #[serde(default)]
    pub http_api: KedaHttpApi,
}

fn default_keda_ns() -> DnsLabel {
    DnsLabel::new("keda").expect("static name")
}

impl Default for Keda {
    fn default() -> Self {
        Self {
            namespace: default_keda_ns(),
            http_api: KedaHttpApi::default(),
        }
    }
}

impl Keda {
    /// The KEDA HTTP interceptor proxy Service name (REFERENCE.md §2c).
    pub const INTERCEPTOR_SERVICE: &'static str = "keda-add-ons-http-interceptor-proxy";
    /// The interceptor proxy port.
    pub const INTERCEPTOR_PORT: i32 = 8080;
    /// The external scaler address for `external-push` triggers, in this namespace.
    #[must_use]
    pub fn external_scaler_address(&self) -> String {
        format!("keda-add-ons-http-external-scaler.{}:9090", self.namespace)
    }
}

/// A Kubernetes minor release (`1.34`): the oldest API server a target's output must be
/// accepted by. Written as `MAJOR.MINOR` in target files.
///
/// ```
/// use k3score::target::KubeVersion;
/// let v: KubeVersion = "1.33".parse().unwrap();
/// assert!(v < KubeVersion::new(1, 34));
/// assert_eq!(v.to_string(), "1.33");
/// assert!("1.x".parse::<KubeVersion>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct KubeVersion {
    /// The major version (`1`).
    pub major: u16,
    /// The minor version (`34`).
    pub minor: u16,
}

impl KubeVersion {
    /// `MAJOR.MINOR`.
    #[must_use]
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }
}

/// The oldest Kubernetes minor release the crates support (CI builds against it).
pub const OLDEST_SUPPORTED_KUBERNETES: KubeVersion = KubeVersion::new(1, 33);
/// The newest Kubernetes minor release the crates support (CI builds against it); the
/// default of [`Target::min_kubernetes`].
pub const NEWEST_SUPPORTED_KUBERNETES: KubeVersion = KubeVersion::new(1, 37);

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for KubeVersion {
    type Err = ErrorKind;
    fn from_str(text: &str) -> Result<Self, ErrorKind> {
        let bad = || {
            ErrorKind::Invalid(format!(
                "invalid Kubernetes version {text:?}: expected MAJOR.MINOR, e.g. 1.34"
            ))
        };
        let (major, minor) = text.trim().trim_start_matches('v').split_once('.').ok_or_else(bad)?;
        Ok(Self::new(
            major.parse().map_err(|_| bad())?,
            minor.parse().map_err(|_| bad())?,
        ))
    }
}

impl<'de> serde::Deserialize<'de> for KubeVersion {
    /// A bad version recovers (inside `from_yaml`) as the newest supported; its problem is
    /// reported.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        crate::yaml::recover(raw.parse(), || NEWEST_SUPPORTED_KUBERNETES)
    }
}

impl TryFrom<String> for KubeVersion {
    type Error = ErrorKind;
    fn try_from(text: String) -> Result<Self, ErrorKind> {
        text.parse()
    }
}

impl From<KubeVersion> for String {
    fn from(version: KubeVersion) -> String {
        version.to_string()
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for KubeVersion {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("KubeVersion")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Kubernetes MAJOR.MINOR",
            "pattern": "^v?[0-9]+\\.[0-9]+$",
        })
    }
}

fn default_min_kubernetes() -> KubeVersion {
    NEWEST_SUPPORTED_KUBERNETES
}

/// Everything that differs between environments.
///
/// ```
/// use k3score::{Ingress, Target};
/// let local = Target::local();
/// assert_eq!(local.ingress, Ingress::traefik());
/// assert_eq!(local.host("orders"), "orders.localhost");
/// let gcp = Target::gcp();
/// assert_eq!(gcp.ingress.display_name(), "HAProxy");
/// ```
///
/// A custom target from the builder (unset fields take the `local` preset's values):
///
/// ```
/// use k3score::{Ingress, SecretBackend, TargetBuilder};
/// let staging = TargetBuilder::default()
///     .name("staging".parse::<k3score::names::DnsLabel>().unwrap())
///     .ingress(Ingress::haproxy())
///     .ingress_namespace("haproxy-controller".parse::<k3score::names::DnsLabel>().unwrap())
///     .base_domain("staging.acme.io".parse::<k3score::names::DnsSubdomain>().unwrap())
///     .tls_issuer(Some("letsencrypt".to_owned()))
///     .build()
///     .unwrap();
/// assert_eq!(staging.host("orders"), "orders.staging.acme.io");
/// assert_eq!(staging.secrets, SecretBackend::Local);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The target's name (`local`, `dev`, `gcp`, or your own).
    pub name: DnsLabel,
    /// The ingress controller. Default (builder): Traefik.
    pub ingress: Ingress,
    /// Namespace of the ingress controller pods, allowed in by `public` visibility.
    /// Default (builder): `kube-system`, where k3s runs Traefik.
    pub ingress_namespace: DnsLabel,
    /// Where secret values come from. Default (builder): local `.env` values.
    pub secrets: SecretBackend,
    /// Domain appended to short hosts (`orders` -> `orders.<base_domain>`).
    /// Default (builder): `localhost`.
    pub base_domain: DnsSubdomain,
    /// cert-manager `ClusterIssuer` for TLS; `None` serves plain HTTP. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_issuer: Option<String>,
    /// Storage class for created volumes; `None` uses the cluster default. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    /// KEDA location and API flavour. Default: namespace `keda`, `InterceptorRoute`.
    #[serde(default)]
    pub keda: Keda,
    /// The oldest Kubernetes release the output must work on: features newer than it (such
    /// as environment variable names beyond letters, digits, `_`, `-` and `.`, see
    /// [`crate::workload::check_env_name_for`]) are refused with an error that names the
    /// release they need. Default: [`NEWEST_SUPPORTED_KUBERNETES`].
    #[serde(default = "default_min_kubernetes")]
    pub min_kubernetes: KubeVersion,
    /// Namespace of the Prometheus that scrapes apps with `monitoring` (prometheus-operator's
    /// ServiceMonitors); the app's NetworkPolicy lets it reach the metrics port. Default:
    /// `monitoring`.
    #[serde(default = "default_monitoring_namespace")]
    pub monitoring_namespace: DnsLabel,
}

/// The default [`Target::monitoring_namespace`].
fn default_monitoring_namespace() -> DnsLabel {
    DnsLabel::new("monitoring").expect("static name")
}

crate::builder! {
    /// Builds a custom [`Target`]; unset fields take the `local` preset's values ([`TargetBuilder::build`] validates).
    pub struct TargetBuilder for Target {
        required { name: DnsLabel }
        defaulted {
            ingress: Ingress = Ingress::traefik(),
            ingress_namespace: DnsLabel = DnsLabel::new("kube-system").expect("static name"),
            secrets: SecretBackend = SecretBackend::Local,
            base_domain: DnsSubdomain = DnsSubdomain::new("localhost").expect("static name"),
            tls_issuer: Option<String> = Default::default(),
            storage_class: Option<String> = Default::default(),
            keda: Keda = Default::default(),
            min_kubernetes: KubeVersion = NEWEST_SUPPORTED_KUBERNETES,
            monitoring_namespace: DnsLabel = default_monitoring_namespace(),
        }
        optional {  }
    }
}

impl TargetBuilder {
    /// Builds the target and runs [`Target::validate`].
    pub fn build(&self) -> Result<Target, Errors> {
        let target = self.build_unchecked()?;
        target.validate()?;
        Ok(target)
    }
}

impl Target {
    /// k3d on a laptop: Traefik (in `kube-system`, as k3s installs it), `.env` secrets,
    /// `*.localhost` hosts, no TLS, the `local-path` storage class.
    #[must_use]
    pub fn local() -> Self {
        Self {
            name: DnsLabel::new("local").expect("static name"),
            ingress: Ingress::traefik(),
            ingress_namespace: DnsLabel::new("kube-system").expect("static name"),
            secrets: SecretBackend::Local,
            base_domain: DnsSubdomain::new("localhost").expect("static name"),
            tls_issuer: None,
            storage_class: Some("local-path".to_owned()),
            keda: Keda::default(),
            min_kubernetes: NEWEST_SUPPORTED_KUBERNETES,
            monitoring_namespace: default_monitoring_namespace(),
        }
    }

    /// A shared dev cluster: Traefik, External Secrets from the `dev-secrets` store,
    /// TLS from the `letsencrypt-staging` issuer, hosts under `dev.example.com`.
    #[must_use]
    pub fn dev() -> Self {
        Self {
            name: DnsLabel::new("dev").expect("static name"),
            ingress: Ingress::traefik(),
            ingress_namespace: DnsLabel::new("traefik").expect("static name"),
            secrets: SecretBackend::ExternalSecrets {
                store: DnsSubdomain::new("dev-secrets").expect("static name"),
                refresh_interval: default_refresh(),
            },
            base_domain: DnsSubdomain::new("dev.example.com").expect("static name"),
            tls_issuer: Some("letsencrypt-staging".to_owned()),
            storage_class: None,
            keda: Keda::default(),
            min_kubernetes: NEWEST_SUPPORTED_KUBERNETES,
            monitoring_namespace: default_monitoring_namespace(),
        }
    }

    /// A GKE-like production cluster: HAProxy ingress, External Secrets from Google Secret
    /// Manager (store `gcp-secrets`, workload identity), TLS from `letsencrypt`,
    /// the `standard-rwo` storage class, hosts under `example.com`.
    #[must_use]
    pub fn gcp() -> Self {
        Self {
            name: DnsLabel::new("gcp").expect("static name"),
            ingress: Ingress::haproxy(),
            ingress_namespace: DnsLabel::new("haproxy-controller").expect("static name"),
            secrets: SecretBackend::ExternalSecrets {
                store: DnsSubdomain::new("gcp-secrets").expect("static name"),
                refresh_interval: default_refresh(),
            },
            base_domain: DnsSubdomain::new("example.com").expect("static name"),
            tls_issuer: Some("letsencrypt".to_owned()),
            storage_class: Some("standard-rwo".to_owned()),
            keda: Keda::default(),
            min_kubernetes: NEWEST_SUPPORTED_KUBERNETES,
            monitoring_namespace: default_monitoring_namespace(),
        }
    }

    /// The names [`Target::preset`] accepts, as command lines and messages list them.
    pub const PRESETS: [&'static str; 3] = ["local", "dev", "gcp"];

    /// The preset called `name` (`local`, `dev` or `gcp`, [`Target::PRESETS`]).
    pub fn preset(name: &str) -> Result<Self, ErrorKind> {
        match name {
            "local" => Ok(Self::local()),
            "dev" => Ok(Self::dev()),
            "gcp" => Ok(Self::gcp()),
            other => Err(ErrorKind::Invalid(format!(
                "unknown target {other:?}; presets are local, dev and gcp"
            ))),
        }
    }

    /// The same target with another ingress controller.
    #[must_use]
    pub fn with_ingress(mut self, ingress: Ingress, ingress_namespace: DnsLabel) -> Self {
        self.ingress = ingress;
        self.ingress_namespace = ingress_namespace;
        self
    }

    /// Completes a host: a name without a dot gets the base domain appended.
    #[must_use]
    pub fn host(&self, host: &str) -> String {
        if host.contains('.') {
            host.to_owned()
        } else {
            format!("{host}.{}", self.base_domain)
        }
    }

    /// Whether routes get TLS on this target.
    #[must_use]
    pub fn tls(&self) -> bool {
        self.tls_issuer.is_some()
    }

    /// Checks a target read from a file: [`Validate::check`].
    pub fn validate(&self) -> Result<(), Errors> {
        self.check()
    }
}

impl Validate for Target {
    /// Records an empty Traefik entry point name.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if let Ingress::Traefik { entry_points } = &self.ingress {
            let ingress = path.field("ingress");
            let entry_points_path = ingress.field("entry_points");
            for (i, ep) in entry_points.iter().enumerate() {
                if ep.is_empty() {
                    problems.push(
                        entry_points_path.index(i),
                        ErrorKind::Missing("an entry point name".into()),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_differ_where_expected() {
        assert_eq!(Target::preset("local").unwrap(), Target::local());
        assert!(Target::preset("prod").unwrap_err().to_string().contains("presets are"));
        assert!(!Target::local().tls());
        assert!(Target::gcp().tls());
        assert_eq!(Target::gcp().host("shop.acme.io"), "shop.acme.io");
        assert_eq!(Target::dev().host("orders"), "orders.dev.example.com");
        for name in Target::PRESETS {
            assert_eq!(Target::preset(name).unwrap().name.as_str(), name);
        }
    }

    #[test]
    fn every_ingress_name_parses_and_others_are_refused_with_the_names() {
        for name in Ingress::NAMES {
            let ingress: Ingress = name.parse().unwrap();
            assert_eq!(ingress.display_name().to_lowercase().replace(' ', "-"), name);
        }
        assert_eq!(
            "gateway-api"
                .parse::<Ingress>()
                .unwrap()
                .controller_namespace()
                .as_str(),
            "gateway-system"
        );
        assert_eq!(Ingress::traefik().controller_namespace().as_str(), "kube-system");
        let error = "Traefik".parse::<Ingress>().unwrap_err().to_string();
        assert!(Ingress::NAMES.iter().all(|name| error.contains(name)), "{error}");
    }

    #[test]
    fn targets_read_from_yaml() {
        let yaml = "name: staging\ningress: {gateway_api: {gateway: shared, gateway_namespace: infra}}\n\
                    ingress_namespace: infra\nsecrets: local\nbase_domain: staging.acme.io\n";
        let target: Target = serde_saphyr::from_str(yaml).unwrap();
        assert_eq!(target.ingress.display_name(), "Gateway API");
        assert_eq!(target.keda.namespace.as_str(), "keda");
        assert_eq!(target.min_kubernetes, NEWEST_SUPPORTED_KUBERNETES);
        let old: Target = serde_saphyr::from_str(&format!("{yaml}min_kubernetes: '1.33'\n")).unwrap();
        assert_eq!(old.min_kubernetes, OLDEST_SUPPORTED_KUBERNETES);
        assert!(serde_saphyr::from_str::<Target>(&format!("{yaml}min_kubernetes: one\n")).is_err());
        let bad = "name: x\ningress: nginx\ningress_namespace: a\nsecrets: local\nbase_domain: a\n";
        assert!(serde_saphyr::from_str::<Target>(bad).is_err());
    }
}
