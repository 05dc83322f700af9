//! Platform bootstrap: the Argo CD Applications of the cluster add-ons the suite relies on,
//! and the target's `ClusterSecretStore`.
//!
//! Chart coordinates are inputs ([`PlatformCharts`]) whose defaults are the constants below,
//! looked up in the upstream chart repositories (2026-09):
//!
//! | component | repository | chart | version | source |
//! |---|---|---|---|---|
//! | External Secrets Operator | `https://charts.external-secrets.io` | `external-secrets` | 2.9.0 | chart `version` = app version (`deploy/charts/external-secrets/Chart.yaml`); v2.9.0 matches the CRD schemas of REFERENCE §6 (E1) |
//! | KEDA | `https://kedacore.github.io/charts` | `keda` | 2.20.1 | kedacore/charts `keda/Chart.yaml`; 2.20 = REFERENCE §1 (KD1) |
//! | KEDA HTTP add-on | `https://kedacore.github.io/charts` | `keda-add-ons-http` | 0.15.0 | kedacore/charts PR #878 "release v0.15.0"; REFERENCE §2 (HA1) |
//! | Traefik | `https://traefik.github.io/charts` | `traefik` | 41.5.0 | traefik/traefik-helm-chart PR #1997 (Traefik v3.7.13); REFERENCE §4 (TR1) |
//! | HAProxy (haproxytech) | `https://haproxytech.github.io/helm-charts` | `kubernetes-ingress` | 1.45.0 | haproxytech/helm-charts `kubernetes-ingress/Chart.yaml` (controller 3.1.12); REFERENCE §5 (HP3) |
//! | cert-manager | `https://charts.jetstack.io` | `cert-manager` | v1.21.1 | the release of the CRDs in `shared/crds/cert-manager` (SOURCES.md); chart versions carry the `v`; `crds.enabled` installs the CRDs (cert-manager docs, "Helm") |
//!
//! Traefik: k3s ships Traefik itself (a `HelmChart` in `kube-system`, with k3s's ServiceLB
//! holding ports 80/443). A second Traefik would fight it for the `traefik` IngressClass and
//! the ports, so the bootstrap renders Traefik only when the target's Traefik runs outside
//! `kube-system` (e.g. `dev`, where the cluster runs with `--disable=traefik`), unless
//! [`BootstrapOptions::install_traefik`] says otherwise.
//!
//! Scale-to-zero routes go through the KEDA HTTP interceptor in the KEDA namespace, so an
//! `IngressRoute` names a Service in another namespace, which Traefik refuses by default
//! (`providers.kubernetesCRD.allowCrossNamespace=false`, REFERENCE §4a, TR5), and k3s's bundled
//! Traefik keeps that default. The bootstrap turns it on, per controller:
//!
//! | Traefik | how |
//! |---|---|
//! | k3s's bundled one (`kube-system`) | a `HelmChartConfig` `traefik` in `kube-system` (k3s merges it into its `HelmChart`; there is one such object per chart, so settings of your own for the bundled Traefik belong in this one) |
//! | installed by this bootstrap (Argo CD) | the chart value `providers.kubernetesCRD.allowCrossNamespace: true` |
//!
//! HAProxy reaches the interceptor through an `ExternalName` Service, which haproxytech's
//! controller follows by default, and the Gateway API through a `ReferenceGrant`; neither needs
//! a setting (see `k3score::exposure`).
//!
//! TLS: a target with a `tls_issuer` gets cert-manager (with its CRDs), which writes the
//! `Certificate`s the routes render. The `ClusterIssuer` itself names an ACME account or a CA
//! and stays yours.

use k3score::crd::argocd::v1alpha1::HelmValue;
use k3score::crd::helm_controller::v1::{HelmChartConfig, HelmChartConfigSpec};
use k3score::identity::WorkloadIdentity;
use k3score::names::DnsLabel;
use k3score::secrets::SecretStoreSpec;
use k3score::{
    Bundle, Context, ErrorKind, Errors, FieldPath, Ingress, Object, PathRef, Problems, SecretBackend, Validate,
};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::chart::{Chart, ChartSource, Sync, Values};
use crate::platform::{PLATFORM_PROJECT, Platform};

/// External Secrets Operator chart repository.
pub const EXTERNAL_SECRETS_REPO: &str = "https://charts.external-secrets.io";
/// External Secrets Operator chart.
pub const EXTERNAL_SECRETS_CHART: &str = "external-secrets";
/// External Secrets Operator chart version.
pub const EXTERNAL_SECRETS_VERSION: &str = "2.9.0";
/// KEDA chart repository (also the HTTP add-on's).
pub const KEDA_REPO: &str = "https://kedacore.github.io/charts";
/// KEDA chart.
pub const KEDA_CHART: &str = "keda";
/// KEDA chart version.
pub const KEDA_VERSION: &str = "2.20.1";
/// KEDA HTTP add-on chart.
pub const KEDA_HTTP_CHART: &str = "keda-add-ons-http";
/// KEDA HTTP add-on chart version.
pub const KEDA_HTTP_VERSION: &str = "0.15.0";
/// Traefik chart repository.
pub const TRAEFIK_REPO: &str = "https://traefik.github.io/charts";
/// Traefik chart.
pub const TRAEFIK_CHART: &str = "traefik";
/// Traefik chart version.
pub const TRAEFIK_VERSION: &str = "41.5.0";
/// haproxytech chart repository.
pub const HAPROXY_REPO: &str = "https://haproxytech.github.io/helm-charts";
/// haproxytech ingress controller chart.
pub const HAPROXY_CHART: &str = "kubernetes-ingress";
/// haproxytech chart version.
pub const HAPROXY_VERSION: &str = "1.45.0";
/// cert-manager chart repository.
pub const CERT_MANAGER_REPO: &str = "https://charts.jetstack.io";
/// cert-manager chart.
pub const CERT_MANAGER_CHART: &str = "cert-manager";
/// cert-manager chart version.
pub const CERT_MANAGER_VERSION: &str = "v1.21.1";
/// Namespace of cert-manager.
pub const CERT_MANAGER_NAMESPACE: &str = "cert-manager";
/// Name of k3s's bundled Traefik `HelmChart` (and of the `HelmChartConfig` that configures it).
pub const K3S_TRAEFIK_CHART: &str = "traefik";
/// Namespace of the External Secrets Operator.
pub const EXTERNAL_SECRETS_NAMESPACE: &str = "external-secrets";
/// Namespace where k3s runs its bundled Traefik.
pub const K3S_SYSTEM_NAMESPACE: &str = "kube-system";

/// A chart in a Helm repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ChartRef {
    /// Repository URL.
    pub repo: String,
    /// Chart name.
    pub chart: String,
    /// Chart version.
    pub version: String,
}

impl ChartRef {
    fn of(repo: &str, chart: &str, version: &str) -> Self {
        Self {
            repo: repo.to_owned(),
            chart: chart.to_owned(),
            version: version.to_owned(),
        }
    }

    fn source(&self) -> ChartSource {
        ChartSource::Helm {
            repo: self.repo.clone(),
            chart: self.chart.clone(),
            version: self.version.clone(),
        }
    }
}

/// The charts of the platform components. Default: the constants of this module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct PlatformCharts {
    /// External Secrets Operator. Default: `external-secrets` 2.9.0.
    pub external_secrets: ChartRef,
    /// KEDA. Default: `keda` 2.20.1.
    pub keda: ChartRef,
    /// KEDA HTTP add-on. Default: `keda-add-ons-http` 0.15.0.
    pub keda_http: ChartRef,
    /// Traefik. Default: `traefik` 41.5.0.
    pub traefik: ChartRef,
    /// haproxytech ingress controller. Default: `kubernetes-ingress` 1.45.0.
    pub haproxy: ChartRef,
    /// cert-manager, for targets with a TLS issuer. Default: `cert-manager` v1.21.1.
    #[serde(default = "PlatformCharts::default_cert_manager")]
    pub cert_manager: ChartRef,
}

impl PlatformCharts {
    fn default_cert_manager() -> ChartRef {
        ChartRef::of(CERT_MANAGER_REPO, CERT_MANAGER_CHART, CERT_MANAGER_VERSION)
    }
}

impl Default for PlatformCharts {
    fn default() -> Self {
        Self {
            external_secrets: ChartRef::of(EXTERNAL_SECRETS_REPO, EXTERNAL_SECRETS_CHART, EXTERNAL_SECRETS_VERSION),
            keda: ChartRef::of(KEDA_REPO, KEDA_CHART, KEDA_VERSION),
            keda_http: ChartRef::of(KEDA_REPO, KEDA_HTTP_CHART, KEDA_HTTP_VERSION),
            traefik: ChartRef::of(TRAEFIK_REPO, TRAEFIK_CHART, TRAEFIK_VERSION),
            haproxy: ChartRef::of(HAPROXY_REPO, HAPROXY_CHART, HAPROXY_VERSION),
            cert_manager: Self::default_cert_manager(),
        }
    }
}

/// What [`bootstrap()`] installs besides the target's defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct BootstrapOptions {
    /// Chart coordinates. Default: [`PlatformCharts::default`].
    #[serde(default)]
    pub charts: PlatformCharts,
    /// The AppProject. Default: `platform`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<DnsLabel>,
    /// The provider of the target's `ClusterSecretStore`; required when the target reads
    /// secrets through External Secrets, rejected on local-secret targets. Its
    /// `service_account` becomes the operator's ServiceAccount name. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_store: Option<SecretStoreSpec>,
    /// The cloud identity of the operator's ServiceAccount (chart value
    /// `serviceAccount.annotations`, plus `podLabels` on Azure). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_secrets_identity: Option<WorkloadIdentity>,
    /// Render a Traefik Application. Default: only when the target uses Traefik outside
    /// `kube-system` (k3s's bundled Traefik is left alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_traefik: Option<bool>,
}

fn map(entries: Vec<(&str, HelmValue)>) -> HelmValue {
    HelmValue::Map(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn values(entries: Vec<(&str, HelmValue)>) -> Values {
    entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn string_map(m: std::collections::BTreeMap<String, String>) -> HelmValue {
    HelmValue::Map(m.into_iter().map(|(k, v)| (k, HelmValue::String(v))).collect())
}

fn chart(name: &str, source: &ChartRef, namespace: &DnsLabel, values: Values) -> Chart {
    Chart {
        name: DnsLabel::new(name).expect("static name"),
        source: source.source(),
        release_name: None,
        namespace: namespace.clone(),
        value_files: Vec::new(),
        values,
        values_by_target: std::collections::BTreeMap::new(),
        value_files_by_target: std::collections::BTreeMap::new(),
        sync: Sync::default(),
    }
}

impl BootstrapOptions {
    fn external_secrets_values(&self) -> Values {
        let mut sa = vec![("create", HelmValue::Bool(true))];
        if let Some(store) = &self.secret_store {
            let account = match store {
                SecretStoreSpec::Gcp { service_account, .. }
                | SecretStoreSpec::Aws { service_account, .. }
                | SecretStoreSpec::Azure { service_account, .. }
                | SecretStoreSpec::Vault { service_account, .. } => service_account,
            };
            sa.push(("name", HelmValue::String(account.name.to_string())));
        }
        let mut entries = vec![("installCRDs", HelmValue::Bool(true))];
        if let Some(identity) = &self.external_secrets_identity {
            sa.push(("annotations", string_map(identity.annotations())));
            let labels = identity.pod_labels();
            if !labels.is_empty() {
                entries.push(("podLabels", string_map(labels)));
            }
        }
        entries.push(("serviceAccount", map(sa)));
        values(entries)
    }

    fn validate(&self, ctx: &Context, problems: &mut Problems) {
        let path = FieldPath::root().field("secret_store");
        match (&ctx.target.secrets, &self.secret_store) {
            (SecretBackend::ExternalSecrets { store, .. }, None) => problems.push(
                path,
                ErrorKind::Missing(format!(
                    "the provider of the ClusterSecretStore {:?} of target {}",
                    store.as_str(),
                    ctx.target.name
                )),
            ),
            (SecretBackend::Local, Some(_)) => problems.push(
                path,
                ErrorKind::Conflict(format!(
                    "target {} reads secrets from local values, not External Secrets",
                    ctx.target.name
                )),
            ),
            (SecretBackend::ExternalSecrets { .. }, Some(spec)) => {
                spec.validate(PathRef::from(&path), problems);
                let account = match spec {
                    SecretStoreSpec::Gcp { service_account, .. }
                    | SecretStoreSpec::Aws { service_account, .. }
                    | SecretStoreSpec::Azure { service_account, .. }
                    | SecretStoreSpec::Vault { service_account, .. } => service_account,
                };
                if account.namespace.as_str() != EXTERNAL_SECRETS_NAMESPACE {
                    problems.push(
                        path.field("service_account").field("namespace"),
                        ErrorKind::Conflict(format!("the operator runs in {EXTERNAL_SECRETS_NAMESPACE}")),
                    );
                }
            }
            (SecretBackend::Local, None) => {}
        }
        if let Some(identity) = &self.external_secrets_identity {
            identity.validate(PathRef::ROOT.field("external_secrets_identity"), problems);
        }
    }
}

/// Renders the platform for `ctx.target`: Applications for External Secrets (with CRDs),
/// KEDA and its HTTP add-on (in the target's KEDA namespace), the ingress controller (Traefik
/// when it is not k3s's bundled one, haproxytech `kubernetes-ingress` for HAProxy targets,
/// none for Gateway API targets), their AppProject, and the target's `ClusterSecretStore`
/// (annotated to sync after the operator's CRDs exist).
///
/// ```
/// use k3splatform::{bootstrap, BootstrapOptions};
/// use k3score::{Context, Target};
/// use k3score::crd::argocd::v1alpha1::Application;
/// let bundle = bootstrap(&Context::new(Target::local(), "argocd".parse().unwrap()), &BootstrapOptions::default()).unwrap();
/// assert!(bundle.get::<Application>("keda").is_some());
/// assert!(bundle.get::<Application>("traefik").is_none()); // k3s ships it
/// ```
pub fn bootstrap(ctx: &Context, options: &BootstrapOptions) -> Result<Bundle, Errors> {
    let mut problems = Problems::default();
    options.validate(ctx, &mut problems);
    problems.finish(())?;
    let target = &ctx.target;
    let c = &options.charts;
    let eso_ns = DnsLabel::new(EXTERNAL_SECRETS_NAMESPACE).expect("static name");
    let keda_ns = &target.keda.namespace;
    let mut charts = vec![
        chart(
            "external-secrets",
            &c.external_secrets,
            &eso_ns,
            options.external_secrets_values(),
        ),
        chart("keda", &c.keda, keda_ns, Values::new()),
        chart("keda-add-ons-http", &c.keda_http, keda_ns, Values::new()),
    ];
    if target.tls_issuer.is_some() {
        let cert_manager_ns = DnsLabel::new(CERT_MANAGER_NAMESPACE).expect("static name");
        let v = values(vec![("crds", map(vec![("enabled", HelmValue::Bool(true))]))]);
        charts.push(chart("cert-manager", &c.cert_manager, &cert_manager_ns, v));
    }
    let mut extra: Vec<Object> = Vec::new();
    match &target.ingress {
        Ingress::Traefik { .. } => {
            let bundled = target.ingress_namespace.as_str() == K3S_SYSTEM_NAMESPACE;
            // Scale-to-zero routes name the KEDA interceptor's Service in its own namespace.
            let cross_namespace = ("allowCrossNamespace", HelmValue::Bool(true));
            if options.install_traefik.unwrap_or(!bundled) {
                let v = values(vec![
                    (
                        "ingressClass",
                        map(vec![("name", HelmValue::String("traefik".to_owned()))]),
                    ),
                    (
                        "providers",
                        map(vec![(
                            "kubernetesCRD",
                            map(vec![("enabled", HelmValue::Bool(true)), cross_namespace]),
                        )]),
                    ),
                ]);
                charts.push(chart("traefik", &c.traefik, &target.ingress_namespace, v));
            } else if bundled {
                let v = map(vec![(
                    "providers",
                    map(vec![("kubernetesCRD", map(vec![cross_namespace]))]),
                )]);
                extra.push(k3s_traefik_config(&v)?.into());
            }
        }
        Ingress::Haproxy { ingress_class } => {
            // REFERENCE §5 (HP2, HP3): the chart's IngressClass resource and controller class.
            let class = HelmValue::String(ingress_class.clone());
            let v = values(vec![(
                "controller",
                map(vec![
                    ("ingressClass", class.clone()),
                    ("ingressClassResource", map(vec![("name", class)])),
                ]),
            )]);
            charts.push(chart("haproxy-ingress", &c.haproxy, &target.ingress_namespace, v));
        }
        Ingress::GatewayApi { .. } => {}
    }
    let platform = Platform {
        project: options
            .project
            .clone()
            .unwrap_or_else(|| DnsLabel::new(PLATFORM_PROJECT).expect("static name")),
        description: Some("Cluster add-ons installed by k3splatform::bootstrap".to_owned()),
        ..Platform::new(charts)
    };
    let mut objects: Vec<Object> = platform.render(ctx)?.into_iter().collect();
    objects.extend(extra);
    if let (SecretBackend::ExternalSecrets { store, .. }, Some(spec)) = (&target.secrets, &options.secret_store) {
        let mut css = spec.render(store);
        // Applied with the Applications (app-of-apps): wait for the operator's CRDs.
        css.metadata.annotations = Some(std::collections::BTreeMap::from([
            (
                "argocd.argoproj.io/sync-options".to_owned(),
                "SkipDryRunOnMissingResource=true".to_owned(),
            ),
            ("argocd.argoproj.io/sync-wave".to_owned(), "1".to_owned()),
        ]));
        objects.push(css.into());
    }
    Ok(objects.into_iter().collect())
}

/// The `HelmChartConfig` `traefik` in `kube-system` that k3s merges into its bundled Traefik
/// chart, with `values` as its `valuesContent` (written by k3score's YAML emitter from the typed
/// values).
fn k3s_traefik_config(values: &HelmValue) -> Result<HelmChartConfig, Errors> {
    let content = k3score::yaml::to_yaml(values)
        .map_err(|kind| Errors::from(k3score::Error::new(FieldPath::root().field("traefik"), kind)))?;
    let mut config = HelmChartConfig::new(
        K3S_TRAEFIK_CHART,
        HelmChartConfigSpec {
            values_content: Some(content),
        },
    );
    config.metadata.namespace = Some(K3S_SYSTEM_NAMESPACE.to_owned());
    config.metadata.labels = Some(std::collections::BTreeMap::from([(
        k3score::labels::MANAGED_BY.to_owned(),
        k3score::labels::MANAGER.to_owned(),
    )]));
    Ok(config)
}
