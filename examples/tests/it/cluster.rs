//! A server-side-apply harness against a real API server (`KUBECONFIG`, see
//! `../shared/kube/README.md`).
//!
//! [`Cluster::apply_bundle`] gives each bundle fresh namespaces labelled
//! `pod-security.kubernetes.io/enforce=restricted` and `warn=restricted` (Namespaces the
//! bundle declares itself are kept and must carry those labels), then applies every object in
//! the bundle's order with server-side apply (field manager [`FIELD_MANAGER`],
//! `fieldValidation=Strict`): first `dryRun=All`, then for real, then once more. An object
//! counts as rejected when the server refuses it, when any response carries a `Warning`
//! header (Pod Security warnings included), or when the second real apply changes its
//! `resourceVersion`. Afterwards every namespace and cluster-scoped object is deleted and
//! checked gone.
//!
//! Objects are applied as `DynamicObject`s exactly as rendered (a typed round trip could drop
//! an unknown field before the server's strict validation sees it); their resources come from
//! the server's discovery. kube's client does not surface `Warning` headers (kube-client 5.0
//! `Client::request` drops response headers), so requests go through `Client::send`, which
//! returns the raw response.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use kube::api::{
    ApiResource, DeleteParams, DynamicObject, GetParams, GroupVersionKind, Patch, PatchParams, Request,
    ValidationDirective,
};
use kube::client::Body;
use kube::core::Status;
use kube::discovery::{Discovery, Scope};
use kube::{Client, Resource};

/// The field manager of every apply.
pub(crate) const FIELD_MANAGER: &str = "k3s-test";
/// The Pod Security labels every namespace of a bundle must carry.
const RESTRICTED: [&str; 2] = ["pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/warn"];
/// How long a deleted namespace may take to go away (the controller-manager finalizes it).
const GONE_WITHIN: Duration = Duration::from_secs(120);

/// A connection to the cluster named by `KUBECONFIG`, with its discovered resources.
pub(crate) struct Cluster {
    client: Client,
    discovery: Discovery,
    /// Held by bundles with cluster-scoped objects: their names repeat across bundles.
    cluster_scoped: tokio::sync::Mutex<()>,
}

/// A named list of objects in apply order.
#[derive(Debug)]
pub(crate) struct Bundle {
    /// Where the bundle came from (a file), for messages.
    pub(crate) name: String,
    /// The objects, in apply order.
    pub(crate) objects: Vec<DynamicObject>,
}

/// Per-kind counts of applied and rejected objects, and every problem found.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// `kind -> (applied, rejected)`.
    pub(crate) per_kind: BTreeMap<String, (usize, usize)>,
    /// One line per problem: bundle, object, what happened, the server's message.
    pub(crate) problems: Vec<String>,
}

impl Report {
    /// Adds `other`'s counts and problems.
    pub(crate) fn merge(&mut self, other: Report) {
        for (kind, (applied, rejected)) in other.per_kind {
            let entry = self.per_kind.entry(kind).or_default();
            entry.0 += applied;
            entry.1 += rejected;
        }
        self.problems.extend(other.problems);
    }

    /// Objects applied without any problem.
    pub(crate) fn applied(&self) -> usize {
        self.per_kind.values().map(|c| c.0).sum()
    }

    /// Objects with a problem.
    pub(crate) fn rejected(&self) -> usize {
        self.per_kind.values().map(|c| c.1).sum()
    }

    /// One line per kind, then the closing line `N applied, M rejected`.
    pub(crate) fn summary(&self) -> String {
        let mut out = String::new();
        for (kind, (applied, rejected)) in &self.per_kind {
            writeln!(out, "{kind}: {applied} applied, {rejected} rejected").unwrap();
        }
        write!(out, "{} applied, {} rejected", self.applied(), self.rejected()).unwrap();
        out
    }
}

/// What the server said to one request.
struct Answer {
    body: Vec<u8>,
    warnings: Vec<String>,
}

/// The outcome of [`Cluster::apply_checked`] for one object.
#[derive(Default)]
struct Checked {
    /// Everything wrong; empty when the object was applied cleanly.
    problems: Vec<String>,
    /// `Some(has finalizers)` once the object exists in the cluster.
    exists: Option<bool>,
}

/// A resolved object: its resource, scope and (rewritten) namespace.
pub(crate) struct Target {
    resource: ApiResource,
    namespaced: bool,
    object: DynamicObject,
}

impl Target {
    fn key(&self) -> String {
        let name = self.object.metadata.name.as_deref().unwrap_or_default();
        match &self.object.metadata.namespace {
            Some(ns) => format!("{}/{ns}/{name}", self.resource.kind),
            None => format!("{}/{name}", self.resource.kind),
        }
    }

    fn request(&self) -> Request {
        Request::new(DynamicObject::url_path(
            &self.resource,
            self.object.metadata.namespace.as_deref(),
        ))
    }
}

impl Cluster {
    /// Connects to `KUBECONFIG`'s cluster and discovers its resources; panics (the test
    /// fails) when `KUBECONFIG` is unset or the server is unreachable.
    pub(crate) async fn connect() -> Self {
        let Some(path) = std::env::var_os("KUBECONFIG") else {
            panic!(
                "KUBECONFIG is not set: this test needs a running cluster \
                 (../shared/kube/cluster start && cluster crds && eval \"$(cluster env)\")"
            );
        };
        let client = Client::try_default()
            .await
            .unwrap_or_else(|e| panic!("no client from KUBECONFIG={}: {e}", path.to_string_lossy()));
        let discovery = Discovery::new(client.clone())
            .run()
            .await
            .unwrap_or_else(|e| panic!("discovery against KUBECONFIG={} failed: {e}", path.to_string_lossy()));
        Self {
            client,
            discovery,
            cluster_scoped: tokio::sync::Mutex::new(()),
        }
    }

    /// Sends `request`; `Err` is the server's message when it refuses.
    async fn send(
        &self,
        request: Result<http::Request<Vec<u8>>, kube::core::request::Error>,
    ) -> Result<Answer, String> {
        let request = request.map_err(|e| format!("request not built: {e}"))?;
        let response = self
            .client
            .send(request.map(Body::from))
            .await
            .map_err(|e| format!("no answer: {e}"))?;
        let status = response.status();
        let warnings = response
            .headers()
            .get_all("warning")
            .iter()
            .map(|value| warning_text(&String::from_utf8_lossy(value.as_bytes())))
            .collect();
        let body = response
            .into_body()
            .collect_bytes()
            .await
            .map_err(|e| format!("unreadable answer: {e}"))?
            .to_vec();
        if status.is_success() {
            return Ok(Answer { body, warnings });
        }
        Err(match serde_json::from_slice::<Status>(&body) {
            Ok(s) if s.reason.is_empty() => format!("{}: {}", s.code, s.message),
            Ok(s) => format!("{} {}: {}", s.code, s.reason, s.message),
            Err(_) => format!("{status}: {}", String::from_utf8_lossy(&body)),
        })
    }

    /// Server-side apply of `target`; returns the object the server answered with.
    async fn apply(&self, target: &Target, dry_run: bool) -> Result<(DynamicObject, Vec<String>), String> {
        let mut params = PatchParams::apply(FIELD_MANAGER).validation(ValidationDirective::Strict);
        params.dry_run = dry_run;
        let name = target.object.metadata.name.as_deref().unwrap_or_default();
        let answer = self
            .send(target.request().patch(name, &params, &Patch::Apply(&target.object)))
            .await?;
        let applied = serde_json::from_slice(&answer.body).map_err(|e| format!("unexpected answer: {e}"))?;
        Ok((applied, answer.warnings))
    }

    /// Applies `bundle` in fresh namespaces and cleans up; see the module documentation.
    pub(crate) async fn apply_bundle(&self, index: usize, bundle: &Bundle) -> Report {
        let (mut report, deleted) = self.apply_then_delete(index, bundle).await;
        for message in self.wait_gone(&deleted).await {
            report.problems.push(format!("{}: {message}", bundle.name));
        }
        report
    }

    /// [`Self::apply_bundle`] up to the deletion of its fresh namespaces, which are returned
    /// for [`Self::wait_gone`]: the namespace controller takes seconds per namespace, and a
    /// caller that limits how many bundles are applied at once need not count that wait.
    /// Cluster-scoped objects are deleted and checked gone here, under the lock that keeps two
    /// bundles from applying a cluster-scoped object of the same name at once.
    pub(crate) async fn apply_then_delete(&self, index: usize, bundle: &Bundle) -> (Report, Vec<Target>) {
        let mut report = Report::default();
        let problem = |report: &mut Report, what: String| report.problems.push(format!("{}: {what}", bundle.name));
        let (targets, unresolved) = self.resolve(index, bundle);
        for (kind, message) in unresolved {
            report.per_kind.entry(kind).or_default().1 += 1;
            problem(&mut report, message);
        }
        let declared: BTreeSet<String> = targets
            .iter()
            .filter(|t| t.resource.kind == "Namespace" && t.resource.group.is_empty())
            .filter_map(|t| t.object.metadata.name.clone())
            .collect();
        for target in targets.iter().filter(|t| t.resource.kind == "Namespace") {
            let labels = target.object.metadata.labels.clone().unwrap_or_default();
            for label in RESTRICTED {
                if labels.get(label).map(String::as_str) != Some("restricted") {
                    problem(
                        &mut report,
                        format!("{}: label {label} is not \"restricted\"", target.key()),
                    );
                }
            }
        }
        let fresh: BTreeSet<String> = targets
            .iter()
            .filter(|t| t.namespaced)
            .filter_map(|t| t.object.metadata.namespace.clone())
            .filter(|ns| !declared.contains(ns))
            .collect();
        let _serial = if targets.iter().any(|t| !t.namespaced) {
            Some(self.cluster_scoped.lock().await)
        } else {
            None
        };
        let namespace = self.discovered("", "v1", "Namespace");
        for name in &fresh {
            let mut ns = DynamicObject::new(name, &namespace);
            ns.metadata.labels = Some(
                RESTRICTED
                    .iter()
                    .map(|l| ((*l).to_owned(), "restricted".to_owned()))
                    .collect(),
            );
            let setup = Target {
                resource: namespace.clone(),
                namespaced: false,
                object: ns,
            };
            if let Err(message) = self.apply(&setup, false).await {
                problem(&mut report, format!("fresh namespace {name} not created: {message}"));
            }
        }
        let mut created = Vec::new();
        for target in &targets {
            let checked = self.apply_checked(target).await;
            let tally = report.per_kind.entry(target.resource.kind.clone()).or_default();
            if checked.problems.is_empty() {
                tally.0 += 1;
            } else {
                tally.1 += 1;
            }
            for message in checked.problems {
                problem(&mut report, format!("{}: {message}", target.key()));
            }
            if let Some(finalizers) = checked.exists {
                created.push((target, finalizers));
            }
        }
        let (problems, deleted) = self.clean_up(&created, &fresh).await;
        for message in problems {
            problem(&mut report, message);
        }
        (report, deleted)
    }

    /// Dry run, apply, re-apply.
    async fn apply_checked(&self, target: &Target) -> Checked {
        let mut checked = Checked::default();
        // Each distinct warning once, with the first step that drew it.
        let mut seen = BTreeSet::new();
        let mut warned = |problems: &mut Vec<String>, step: &str, warnings: Vec<String>| {
            for warning in warnings {
                if seen.insert(warning.clone()) {
                    problems.push(format!("{step}: warning: {warning}"));
                }
            }
        };
        match self.apply(target, true).await {
            Ok((_, warnings)) => warned(&mut checked.problems, "dry run", warnings),
            Err(message) => {
                checked.problems.push(format!("dry run rejected: {message}"));
                return checked;
            }
        }
        let first = match self.apply(target, false).await {
            Ok((first, warnings)) => {
                warned(&mut checked.problems, "apply", warnings);
                first
            }
            Err(message) => {
                checked.problems.push(format!("rejected: {message}"));
                return checked;
            }
        };
        // Finalizers set by the object itself or by admission (`kubernetes.io/pvc-protection`).
        checked.exists = Some(first.metadata.finalizers.as_ref().is_some_and(|f| !f.is_empty()));
        match self.apply(target, false).await {
            Ok((second, warnings)) => {
                warned(&mut checked.problems, "second apply", warnings);
                if second.metadata.resource_version != first.metadata.resource_version
                    && !same_but_resource_version(&first, &second)
                {
                    checked.problems.push(format!(
                        "second apply is not a no-op: resourceVersion {:?} -> {:?}, {}",
                        first.metadata.resource_version.as_deref().unwrap_or_default(),
                        second.metadata.resource_version.as_deref().unwrap_or_default(),
                        changed_fields(&first, &second)
                    ));
                }
            }
            Err(message) => checked.problems.push(format!("second apply rejected: {message}")),
        }
        checked
    }

    /// Deletes what a bundle created and waits until its cluster-scoped objects are gone;
    /// returns the problems and the deleted fresh namespaces (for [`Self::wait_gone`]).
    async fn clean_up(&self, created: &[(&Target, bool)], fresh: &BTreeSet<String>) -> (Vec<String>, Vec<Target>) {
        let mut problems = Vec::new();
        // No controller runs to remove finalizers (Argo CD's, or `kubernetes.io/pvc-protection`
        // of kube-controller-manager's pvc-protection controller, which this cluster does not
        // start): the harness removes them as those controllers would.
        for (target, _) in created.iter().filter(|(_, finalizers)| *finalizers) {
            let name = target.object.metadata.name.as_deref().unwrap_or_default();
            let patch = Patch::Merge(serde_json::json!({ "metadata": { "finalizers": null } }));
            let params = PatchParams::default();
            if let Err(message) = self.send(target.request().patch(name, &params, &patch)).await {
                problems.push(format!("{}: finalizers not removed: {message}", target.key()));
            }
        }
        let namespace = self.discovered("", "v1", "Namespace");
        let doomed: Vec<Target> = created
            .iter()
            .filter(|(t, _)| !t.namespaced)
            .map(|(t, _)| Target {
                resource: t.resource.clone(),
                namespaced: false,
                object: DynamicObject::new(t.object.metadata.name.as_deref().unwrap_or_default(), &t.resource),
            })
            .collect();
        let namespaces: Vec<Target> = fresh
            .iter()
            .map(|name| Target {
                resource: namespace.clone(),
                namespaced: false,
                object: DynamicObject::new(name, &namespace),
            })
            .collect();
        for target in doomed.iter().chain(&namespaces) {
            let name = target.object.metadata.name.as_deref().unwrap_or_default();
            if let Err(message) = self.send(target.request().delete(name, &DeleteParams::default())).await {
                problems.push(format!("{}: not deleted: {message}", target.key()));
            }
        }
        problems.extend(self.wait_gone(&doomed).await);
        (problems, namespaces)
    }

    /// Waits until every one of `deleted` is gone (at most [`GONE_WITHIN`]); returns the
    /// problems.
    pub(crate) async fn wait_gone(&self, deleted: &[Target]) -> Vec<String> {
        let mut problems = Vec::new();
        let deadline = Instant::now() + GONE_WITHIN;
        for target in deleted {
            let name = target.object.metadata.name.as_deref().unwrap_or_default();
            loop {
                match self.send(target.request().get(name, &GetParams::default())).await {
                    Err(message) if message.starts_with("404 ") => break,
                    Err(message) => {
                        problems.push(format!("{}: unexpected answer while deleting: {message}", target.key()));
                        break;
                    }
                    Ok(answer) if Instant::now() > deadline => {
                        problems.push(format!(
                            "{}: still there {}s after deletion: {}",
                            target.key(),
                            GONE_WITHIN.as_secs(),
                            String::from_utf8_lossy(&answer.body)
                        ));
                        break;
                    }
                    Ok(_) => tokio::time::sleep(Duration::from_millis(250)).await,
                }
            }
        }
        problems
    }

    /// The discovered resource of a built-in kind.
    fn discovered(&self, group: &str, version: &str, kind: &str) -> ApiResource {
        self.discovery
            .resolve_gvk(&GroupVersionKind::gvk(group, version, kind))
            .unwrap_or_else(|| panic!("the server does not serve {group}/{version} {kind}"))
            .0
    }

    /// Each object with its discovered resource and its namespace rewritten to a fresh one
    /// (`<index>-<namespace>`) unless the bundle declares that namespace; objects of kinds
    /// the server does not serve come back as `(kind, message)`.
    fn resolve(&self, index: usize, bundle: &Bundle) -> (Vec<Target>, Vec<(String, String)>) {
        let declared: BTreeSet<&str> = bundle
            .objects
            .iter()
            .filter(|o| {
                o.types
                    .as_ref()
                    .is_some_and(|t| t.api_version == "v1" && t.kind == "Namespace")
            })
            .filter_map(|o| o.metadata.name.as_deref())
            .collect();
        let mut targets = Vec::new();
        let mut unresolved = Vec::new();
        for object in &bundle.objects {
            let types = object.types.clone().unwrap_or_default();
            let gvk = match types.api_version.split_once('/') {
                Some((group, version)) => GroupVersionKind::gvk(group, version, &types.kind),
                None => GroupVersionKind::gvk("", &types.api_version, &types.kind),
            };
            let Some((resource, capabilities)) = self.discovery.resolve_gvk(&gvk) else {
                unresolved.push((
                    types.kind.clone(),
                    format!(
                        "{}/{}: {} {} is not served by the cluster",
                        types.kind,
                        object.metadata.name.as_deref().unwrap_or_default(),
                        types.api_version,
                        types.kind
                    ),
                ));
                continue;
            };
            let namespaced = capabilities.scope == Scope::Namespaced;
            let mut object = object.clone();
            if namespaced {
                let original = object.metadata.namespace.take().unwrap_or_else(|| "default".to_owned());
                object.metadata.namespace = Some(if declared.contains(original.as_str()) {
                    original
                } else {
                    fresh_namespace(index, &original)
                });
            }
            targets.push(Target {
                resource,
                namespaced,
                object,
            });
        }
        (targets, unresolved)
    }
}

/// Whether two answers for the same object differ only in what the harness's applies do not
/// control: `resourceVersion`, `status` and other managers' `managedFields` entries.
///
/// A PersistentVolumeClaim's first update after its creation is stored again with nothing
/// visible changed, and a CustomResourceDefinition's status is written by the API server's
/// own controllers between two applies (both observed on 1.36). Neither is a change made by
/// the re-apply; a change it makes shows in `generation`, the object or this manager's entry.
fn same_but_resource_version(first: &DynamicObject, second: &DynamicObject) -> bool {
    let ours = |object: &DynamicObject| {
        let mut object = object.clone();
        object.metadata.resource_version = None;
        if let Some(entries) = object.metadata.managed_fields.as_mut() {
            entries.retain(|e| e.manager.as_deref() == Some(FIELD_MANAGER));
        }
        if let Some(fields) = object.data.as_object_mut() {
            fields.remove("status");
        }
        object
    };
    ours(first) == ours(second)
}

/// Which of `generation`, `managedFields`, `metadata`, `spec` ... differ, for the message.
fn changed_fields(first: &DynamicObject, second: &DynamicObject) -> String {
    let mut changed = Vec::new();
    if first.metadata.generation != second.metadata.generation {
        changed.push(format!(
            "generation {} -> {}",
            first.metadata.generation.unwrap_or_default(),
            second.metadata.generation.unwrap_or_default()
        ));
    }
    if first.metadata.managed_fields != second.metadata.managed_fields {
        changed.push("managedFields changed".to_owned());
    }
    if let (Some(a), Some(b)) = (first.data.as_object(), second.data.as_object()) {
        let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        changed.extend(
            keys.into_iter()
                .filter(|k| a.get(*k) != b.get(*k))
                .map(|k| format!("{k} changed")),
        );
    }
    if changed.is_empty() {
        "no visible change".to_owned()
    } else {
        changed.join(", ")
    }
}

/// `t<index>-<namespace>`, cut to the 63 characters a namespace name may have.
fn fresh_namespace(index: usize, original: &str) -> String {
    let mut name = format!("t{index}-{original}");
    name.truncate(63);
    name.trim_end_matches('-').to_owned()
}

/// The text of a `Warning` header (`299 - "text"`, RFC 7234 §5.5 as Kubernetes sends it).
fn warning_text(header: &str) -> String {
    let text = header.strip_prefix("299 - ").unwrap_or(header);
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
        .replace("\\\"", "\"")
}
