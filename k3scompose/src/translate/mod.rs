//! Translation of a [`Project`] into [`App`]s plus the compose-specific pieces (ConfigMaps,
//! PVCs of named volumes, Secrets of compose `secrets`, pod-template patches) and warnings.

mod controller;
mod kompose;
mod placement;
mod security;
mod service;
mod storage;

use std::collections::{BTreeMap, BTreeSet};

use k3sapp::App;
use k3score::names::{DnsLabel, DnsSubdomain};
use k3score::network::{EgressMode, NetworkSpec, Peer, Visibility};
use k3score::quantity::Bytes;
use k3score::workload::AccessMode;
use k3score::{ErrorKind, Errors, FieldPath, Problems};

pub use security::OPT_OUT;
pub use storage::SECRETS_DIR;

use crate::Warning;
use crate::project::Project;

/// The size of a PVC created for a named volume without `x-k3s: {size: ...}` (Kompose uses
/// 100Mi; 1Gi leaves room for a small database).
pub const DEFAULT_VOLUME_SIZE: Bytes = Bytes::gibibytes(1);
/// The largest bind-mounted file or directory turned into a ConfigMap (the API server limit).
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

/// A ConfigMap built from project files (`configs`, `env_file`, bind mounts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigMapSpec {
    /// The ConfigMap's name.
    pub name: DnsSubdomain,
    /// Its data.
    pub data: BTreeMap<String, String>,
}

/// A PVC for a named volume (or a bind mount of a project directory without files).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimSpec {
    /// The claim's name.
    pub name: DnsSubdomain,
    /// Requested size. Default: [`DEFAULT_VOLUME_SIZE`].
    pub size: Bytes,
    /// Access mode. Default: `ReadWriteOnce`.
    pub access_mode: AccessMode,
    /// Storage class. Default: the target's.
    pub storage_class: Option<String>,
}

/// A compose secret: a Secret with one key `value` (local targets) or an ExternalSecret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretSpec {
    /// The Secret's name.
    pub name: DnsSubdomain,
    /// The value from the secret's `file` or `environment`; `None` for `external` secrets,
    /// whose local value comes from `Context::secret_values` (`<name>.value`).
    pub value: Option<String>,
    /// Where the secret is declared.
    pub path: FieldPath,
}

/// Pod-template settings k3sapp's `App` cannot express, applied to the rendered workload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodPatch {
    /// Compose `labels` (and `annotations`), set as annotations of the workload and its Service.
    pub annotations: BTreeMap<String, String>,
    /// The pod's hostname.
    pub hostname: Option<String>,
    /// `privileged: true` with `x-k3s: {allow_privileged: true}`.
    pub privileged: bool,
    /// A root user with `x-k3s: {allow_privileged: true}`.
    pub run_as_root: bool,
}

impl PodPatch {
    fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A translated project, before rendering for a target.
#[derive(Clone, Debug, Default)]
pub struct Translation {
    /// One app per enabled service, in service-name order.
    pub apps: Vec<App>,
    /// The compose service name of each app (same order).
    pub services: Vec<String>,
    /// ConfigMaps, by name.
    pub config_maps: BTreeMap<String, ConfigMapSpec>,
    /// PVCs, by name.
    pub claims: BTreeMap<String, ClaimSpec>,
    /// Secrets, by name.
    pub secrets: BTreeMap<String, SecretSpec>,
    /// Patches by app name.
    pub patches: BTreeMap<String, PodPatch>,
    /// Everything not translated, by compose key.
    pub warnings: Vec<Warning>,
}

impl Project {
    /// Translates the services enabled by `profiles` (services without `profiles` are always
    /// enabled; an empty list falls back to the `COMPOSE_PROFILES` variable).
    ///
    /// # Errors
    /// Every problem, each with its compose key (`services.web.privileged: ...`).
    pub fn translate(&self, profiles: &[&str]) -> Result<Translation, Errors> {
        let mut selected: BTreeSet<String> = profiles.iter().map(|p| (*p).to_owned()).collect();
        if selected.is_empty()
            && let Some(from_vars) = self.vars.get("COMPOSE_PROFILES")
        {
            selected.extend(
                from_vars
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
            );
        }
        let enabled: Vec<&String> = self
            .file
            .services
            .iter()
            .filter(|(_, s)| s.profiles.is_empty() || s.profiles.iter().any(|p| selected.contains(p) || p == "*"))
            .map(|(name, _)| name)
            .collect();
        let mut out = Translation {
            warnings: self.warnings.clone(),
            ..Translation::default()
        };
        let mut problems = Problems::default();
        let mut usage: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut networks: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for name in &enabled {
            let service = &self.file.services[*name];
            let path = FieldPath::root().field("services").field((*name).clone());
            let mut cx = ServiceCx {
                project: self,
                name,
                path: path.clone(),
                enabled: &enabled,
                out: &mut out,
                problems: &mut problems,
                claims_used: Vec::new(),
            };
            let app = cx.translate(service);
            for claim in cx.claims_used {
                usage.entry(claim).or_default().push((*name).clone());
            }
            networks.insert(
                (*name).clone(),
                self.service_networks(name, &path, &mut out.warnings, &mut problems),
            );
            if let Some(app) = app {
                out.services.push((*name).clone());
                out.apps.push(app);
            }
        }
        self.top_level_warnings(&mut out.warnings);
        for (claim, users) in &usage {
            if users.len() > 1
                && out
                    .claims
                    .get(claim)
                    .is_some_and(|c| c.access_mode == AccessMode::ReadWriteOnce)
            {
                out.warnings.push(Warning::new(
                    FieldPath::root().field("volumes").field(claim.clone()),
                    format!(
                        "mounted by services {}: a ReadWriteOnce claim attaches to one node; set x-k3s: {{access_mode: read_write_many}} if the storage class supports it",
                        users.join(", ")
                    ),
                ));
            }
        }
        self.apply_networks(&mut out, &networks);
        out.patches.retain(|_, p| !p.is_empty());
        problems.finish(out)
    }

    /// The networks of a service: its `networks`, or `default`; none with `network_mode`.
    fn service_networks(
        &self,
        name: &str,
        path: &FieldPath,
        warnings: &mut Vec<Warning>,
        problems: &mut Problems,
    ) -> BTreeSet<String> {
        let service = &self.file.services[name];
        if let Some(mode) = &service.network_mode {
            warnings.push(Warning::new(
                path.field("network_mode"),
                format!(
                    "not supported: {mode:?} has no Kubernetes equivalent; the service shares no network with others"
                ),
            ));
            return BTreeSet::new();
        }
        let Some(list) = &service.networks else {
            return BTreeSet::from(["default".to_owned()]);
        };
        let mut set = BTreeSet::new();
        for (net, has_options) in &list.0 {
            let net_path = path.field("networks").field(net.clone());
            if net != "default" && !self.file.networks.contains_key(net) {
                problems.push(
                    net_path.clone(),
                    ErrorKind::Missing(format!("network {net:?} under the top-level networks key")),
                );
            }
            if *has_options {
                warnings.push(Warning::new(
                    net_path,
                    "not supported: aliases and addresses; other services reach this one by its service name",
                ));
            }
            set.insert(net.clone());
        }
        set
    }

    fn top_level_warnings(&self, warnings: &mut Vec<Warning>) {
        let root = FieldPath::root();
        for (name, network) in &self.file.networks {
            let Some(network) = network else { continue };
            let path = root.field("networks").field(name.clone());
            if network.external.as_ref().is_some_and(|e| e.set) {
                warnings.push(Warning::new(
                    path.clone(),
                    "external network: only this project's services on it are allowed to connect",
                ));
            }
            let _ = (network.internal, &network.name);
            for key in network.other.keys().filter(|k| !k.starts_with("x-") && *k != "labels") {
                warnings.push(Warning::new(
                    path.field(key.clone()),
                    "not supported: NetworkPolicies only model who may connect",
                ));
            }
        }
        for (name, volume) in &self.file.volumes {
            let Some(volume) = volume else { continue };
            for key in volume.other.keys().filter(|k| !k.starts_with("x-") && *k != "labels") {
                warnings.push(Warning::new(
                    root.field("volumes").field(name.clone()).field(key.clone()),
                    "not supported: volumes become PVCs of the target's storage class",
                ));
            }
        }
        for (section, items) in [("secrets", &self.file.secrets), ("configs", &self.file.configs)] {
            for (name, item) in items {
                for key in item.other.keys().filter(|k| !k.starts_with("x-")) {
                    warnings.push(Warning::new(
                        root.field(section).field(name.clone()).field(key.clone()),
                        "not supported",
                    ));
                }
            }
        }
    }

    /// Each app admits and reaches exactly the services it shares a network with.
    fn apply_networks(&self, out: &mut Translation, networks: &BTreeMap<String, BTreeSet<String>>) {
        for (app, service) in out.apps.iter_mut().zip(&out.services) {
            let mine = &networks[service];
            let peers: Vec<Peer> = networks
                .iter()
                .filter(|(other, nets)| *other != service && !nets.is_disjoint(mine))
                .map(|(other, _)| Peer {
                    app: Some(crate::scalars::dns_label(other)),
                    ..Peer::default()
                })
                .collect();
            let ext = self.file.services[service].k3s.as_ref();
            let visibility = ext.and_then(|e| e.visibility).unwrap_or(if app.expose.is_empty() {
                Visibility::Restricted
            } else {
                Visibility::Public
            });
            let egress = ext.and_then(|e| e.egress).unwrap_or_default();
            app.security = Some(NetworkSpec {
                visibility,
                allow_from: peers.clone(),
                allow_to: if egress == EgressMode::Open { Vec::new() } else { peers },
                egress,
            });
        }
    }
}

/// Compose's healthcheck defaults (Compose Specification, `healthcheck`): 30 s interval and
/// timeout, 3 retries.
const HEALTHCHECK_INTERVAL: u16 = 30;
const HEALTHCHECK_TIMEOUT: u16 = 30;
const HEALTHCHECK_RETRIES: u16 = 3;

/// What translating one compose service works with: the project, the service's name and path,
/// the enabled profiles' services, the translation being built and the problems found.
struct ServiceCx<'a> {
    project: &'a Project,
    name: &'a str,
    path: FieldPath,
    enabled: &'a [&'a String],
    out: &'a mut Translation,
    problems: &'a mut Problems,
    claims_used: Vec<String>,
}

impl ServiceCx<'_> {
    /// Records a warning at `path`.
    fn warn(&mut self, path: FieldPath, reason: impl Into<String>) {
        self.out.warnings.push(Warning::new(path, reason));
    }

    /// Records a problem at `path`.
    fn error(&mut self, path: FieldPath, kind: ErrorKind) {
        self.problems.push(path, kind);
    }
}

/// A DNS-1123 subdomain from a compose name (always valid).
pub(crate) fn subdomain(name: &str) -> DnsSubdomain {
    DnsSubdomain::new(crate::scalars::dns_name(name, 253)).unwrap_or_else(|_| unreachable!("dns_name is a label"))
}

/// A DNS label `prefix-<name>`, bounded.
pub(crate) fn prefixed(prefix: &str, name: &str) -> DnsLabel {
    crate::scalars::dns_label(&format!("{prefix}-{name}"))
}
