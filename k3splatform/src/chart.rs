//! Helm charts installed by Argo CD: the [`Chart`] spec and its `Application`.

use std::collections::BTreeMap;

use k3score::crd::argocd::v1alpha1::{
    Application, ApplicationDestination, ApplicationSource, ApplicationSourceHelm, ApplicationSpec, Backoff, HelmValue,
    RetryStrategy, SyncPolicy, SyncPolicyAutomated,
};
use k3score::labels::{MANAGED_BY, MANAGER};
use k3score::names::DnsLabel;
use k3score::{ErrorKind, PathRef, Problems, Validate};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

/// Namespace Argo CD watches for `Application`s (REFERENCE §8, A1).
pub const ARGOCD_NAMESPACE: &str = "argocd";
/// The cascade-delete finalizer: deleting the Application deletes what it installed (A1), in
/// its path-qualified form (see [`k3score::crd::argocd::FOREGROUND_DELETION_FINALIZER`]).
pub const RESOURCES_FINALIZER: &str = k3score::crd::argocd::FOREGROUND_DELETION_FINALIZER;
/// The in-cluster API server as Argo CD names it (A1).
pub const IN_CLUSTER: &str = "https://kubernetes.default.svc";
/// Argo CD's built-in project.
pub const DEFAULT_PROJECT: &str = "default";
/// Default retry limit of failed syncs.
pub const DEFAULT_RETRY_LIMIT: u32 = 5;
/// Default first back-off delay.
pub const DEFAULT_BACKOFF: &str = "5s";
/// Default back-off multiplier.
pub const DEFAULT_BACKOFF_FACTOR: u32 = 2;
/// Default longest back-off delay.
pub const DEFAULT_BACKOFF_MAX: &str = "3m";

/// Chart values: a free-form tree (the one place the suite accepts untyped values, since a
/// chart's `values.yaml` has no schema we could type).
pub type Values = BTreeMap<String, HelmValue>;

/// Where the chart comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ChartSource {
    /// A chart in a Helm repository: `spec.source.{repoURL, chart, targetRevision}` (A1).
    Helm {
        /// The repository URL (`https://kedacore.github.io/charts`).
        repo: String,
        /// The chart name (`keda`).
        chart: String,
        /// The chart version (`2.20.1`); pinned, never a range.
        version: String,
    },
    /// A chart directory in a Git repository: `spec.source.{repoURL, path, targetRevision}`.
    Git {
        /// The repository URL.
        repo: String,
        /// The chart directory inside the repository.
        path: String,
        /// Branch, tag or commit. Default: `HEAD`.
        #[serde(default = "ChartSource::default_revision")]
        revision: String,
    },
}

impl ChartSource {
    fn default_revision() -> String {
        "HEAD".to_owned()
    }

    /// The repository URL.
    #[must_use]
    pub fn repo(&self) -> &str {
        match self {
            ChartSource::Helm { repo, .. } | ChartSource::Git { repo, .. } => repo,
        }
    }
}

/// Retry of failed syncs (`spec.syncPolicy.retry`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Retry {
    /// Attempts. Default: 5.
    #[serde(default = "Retry::default_limit")]
    pub limit: u32,
    /// First delay (`5s`). Default: `5s`.
    #[serde(default = "Retry::default_backoff")]
    pub backoff: String,
    /// Multiplier after each attempt. Default: 2.
    #[serde(default = "Retry::default_factor")]
    pub factor: u32,
    /// Longest delay. Default: `3m`.
    #[serde(default = "Retry::default_max")]
    pub max_backoff: String,
}

impl Retry {
    fn default_limit() -> u32 {
        DEFAULT_RETRY_LIMIT
    }
    fn default_backoff() -> String {
        DEFAULT_BACKOFF.to_owned()
    }
    fn default_factor() -> u32 {
        DEFAULT_BACKOFF_FACTOR
    }
    fn default_max() -> String {
        DEFAULT_BACKOFF_MAX.to_owned()
    }
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            limit: DEFAULT_RETRY_LIMIT,
            backoff: Self::default_backoff(),
            factor: DEFAULT_BACKOFF_FACTOR,
            max_backoff: Self::default_max(),
        }
    }
}

/// How Argo CD syncs the chart (`spec.syncPolicy`, REFERENCE §8, A1/A4/A5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Sync {
    /// Sync automatically on changes. Default: true.
    #[serde(default = "yes")]
    pub automated: bool,
    /// With `automated`: delete what the chart no longer renders. Default: true.
    #[serde(default = "yes")]
    pub prune: bool,
    /// With `automated`: undo changes made in the cluster. Default: true.
    #[serde(default = "yes")]
    pub self_heal: bool,
    /// `CreateNamespace=true`. Default: true.
    #[serde(default = "yes")]
    pub create_namespace: bool,
    /// `ServerSideApply=true` (large CRDs exceed the client-side annotation limit). Default: true.
    #[serde(default = "yes")]
    pub server_side_apply: bool,
    /// Retry of failed syncs; `null` disables. Default: 5 attempts, 5s doubling up to 3m.
    #[serde(default = "Sync::default_retry")]
    pub retry: Option<Retry>,
}

fn yes() -> bool {
    true
}

impl Sync {
    #[allow(clippy::unnecessary_wraps)] // serde default of an Option field
    fn default_retry() -> Option<Retry> {
        Some(Retry::default())
    }

    fn render(&self) -> SyncPolicy {
        let mut options = Vec::new();
        if self.create_namespace {
            options.push("CreateNamespace=true".to_owned());
        }
        if self.server_side_apply {
            options.push("ServerSideApply=true".to_owned());
        }
        SyncPolicy {
            automated: self.automated.then_some(SyncPolicyAutomated {
                prune: Some(self.prune),
                self_heal: Some(self.self_heal),
                allow_empty: None,
            }),
            sync_options: options,
            retry: self.retry.as_ref().map(|r| RetryStrategy {
                limit: Some(i64::from(r.limit)),
                backoff: Some(Backoff {
                    duration: Some(r.backoff.clone()),
                    factor: Some(i64::from(r.factor)),
                    max_duration: Some(r.max_backoff.clone()),
                }),
            }),
            managed_namespace_metadata: None,
        }
    }
}

impl Default for Sync {
    fn default() -> Self {
        Self {
            automated: true,
            prune: true,
            self_heal: true,
            create_namespace: true,
            server_side_apply: true,
            retry: Self::default_retry(),
        }
    }
}

/// One Helm chart installed by Argo CD.
///
/// ```
/// use k3splatform::Chart;
/// let chart: Chart = k3score::yaml::from_yaml(r#"
/// name: keda
/// source: {helm: {repo: "https://kedacore.github.io/charts", chart: keda, version: 2.20.1}}
/// namespace: keda
/// values: {replicaCount: 1}
/// values_by_target: {gcp: {replicaCount: 2}}
/// "#).unwrap();
/// let app = chart.application("gcp", "default");
/// assert_eq!(app.metadata.namespace.as_deref(), Some("argocd"));
/// let helm = app.spec.source.unwrap().helm.unwrap();
/// assert_eq!(helm.values_object["replicaCount"], k3score::crd::argocd::v1alpha1::HelmValue::Int(2));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Chart {
    /// The Application's name (unique in the `argocd` namespace).
    pub name: DnsLabel,
    /// Helm repository chart or Git path.
    pub source: ChartSource,
    /// The Helm release name. Default: the Application's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<DnsLabel>,
    /// The namespace the chart installs into.
    pub namespace: DnsLabel,
    /// Value files, relative to the chart (`values-prod.yaml`). Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_files: Vec<String>,
    /// Inline values (`helm.valuesObject`). Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: Values,
    /// Values per target name, deep-merged over `values` ([`merge_values`]). Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values_by_target: BTreeMap<DnsLabel, Values>,
    /// Value files per target name, appended after `value_files`. Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub value_files_by_target: BTreeMap<DnsLabel, Vec<String>>,
    /// The sync policy. Default: automated with prune and self-heal, `CreateNamespace`,
    /// `ServerSideApply`, 5 retries.
    #[serde(default)]
    pub sync: Sync,
}

/// Deep-merges `overlay` over `base`: maps merge key by key (recursively), anything else
/// (scalars, lists, `null`) in the overlay replaces the base value. Keys stay sorted, so the
/// result is deterministic.
///
/// ```
/// use std::collections::BTreeMap;
/// use k3score::crd::argocd::v1alpha1::HelmValue;
/// use k3splatform::chart::merge_values;
/// let base = BTreeMap::from([("a".to_owned(), HelmValue::Map(BTreeMap::from([
///     ("x".to_owned(), HelmValue::Int(1)), ("y".to_owned(), HelmValue::Int(2))])))]);
/// let overlay = BTreeMap::from([("a".to_owned(), HelmValue::Map(BTreeMap::from([
///     ("y".to_owned(), HelmValue::Int(3))])))]);
/// let HelmValue::Map(a) = &merge_values(&base, &overlay)["a"] else { panic!() };
/// assert_eq!((&a["x"], &a["y"]), (&HelmValue::Int(1), &HelmValue::Int(3)));
/// ```
#[must_use]
pub fn merge_values(base: &Values, overlay: &Values) -> Values {
    let mut merged = base.clone();
    for (key, value) in overlay {
        let next = match (merged.get(key), value) {
            (Some(HelmValue::Map(b)), HelmValue::Map(o)) => HelmValue::Map(merge_values(b, o)),
            _ => value.clone(),
        };
        merged.insert(key.clone(), next);
    }
    merged
}

impl Chart {
    /// The values in effect on the target called `target`: `values`, then its overlay.
    #[must_use]
    pub fn values_for(&self, target: &str) -> Values {
        match self.values_by_target.iter().find(|(k, _)| k.as_str() == target) {
            Some((_, overlay)) => merge_values(&self.values, overlay),
            None => self.values.clone(),
        }
    }

    /// The Argo CD `Application` in `argocd` for the target called `target`, in `project`,
    /// with the cascade-delete finalizer (REFERENCE §8).
    #[must_use]
    pub fn application(&self, target: &str, project: &str) -> Application {
        let mut value_files = self.value_files.clone();
        if let Some((_, files)) = self.value_files_by_target.iter().find(|(k, _)| k.as_str() == target) {
            value_files.extend(files.iter().cloned());
        }
        let helm = ApplicationSourceHelm {
            release_name: Some(self.release_name.as_ref().unwrap_or(&self.name).to_string()),
            value_files,
            values_object: self.values_for(target),
            ..Default::default()
        };
        let source = match &self.source {
            ChartSource::Helm { repo, chart, version } => ApplicationSource {
                repo_url: repo.clone(),
                chart: Some(chart.clone()),
                target_revision: Some(version.clone()),
                helm: Some(helm),
                ..Default::default()
            },
            ChartSource::Git { repo, path, revision } => ApplicationSource {
                repo_url: repo.clone(),
                path: Some(path.clone()),
                target_revision: Some(revision.clone()),
                helm: Some(helm),
                ..Default::default()
            },
        };
        Application {
            metadata: ObjectMeta {
                name: Some(self.name.to_string()),
                namespace: Some(ARGOCD_NAMESPACE.to_owned()),
                labels: Some(BTreeMap::from([(MANAGED_BY.to_owned(), MANAGER.to_owned())])),
                finalizers: Some(vec![RESOURCES_FINALIZER.to_owned()]),
                ..Default::default()
            },
            spec: ApplicationSpec {
                project: project.to_owned(),
                source: Some(source),
                sources: Vec::new(),
                destination: ApplicationDestination {
                    server: Some(IN_CLUSTER.to_owned()),
                    name: None,
                    namespace: Some(self.namespace.to_string()),
                },
                sync_policy: Some(self.sync.render()),
            },
        }
    }
}

impl Validate for Chart {
    /// Records empty repository, chart, version or path values and non-URL repositories.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        let source = path.field("source");
        let nonempty = |problems: &mut Problems, p: PathRef<'_>, v: &str, what: &str| {
            if v.trim().is_empty() {
                problems.push(p, ErrorKind::Missing(what.to_owned()));
            }
        };
        let (kind, repo) = match &self.source {
            ChartSource::Helm { repo, chart, version } => {
                let p = source.field("helm");
                nonempty(problems, p.field("chart"), chart, "the chart name");
                nonempty(problems, p.field("version"), version, "a pinned chart version");
                ("helm", repo)
            }
            ChartSource::Git {
                repo,
                path: dir,
                revision,
            } => {
                let p = source.field("git");
                nonempty(problems, p.field("path"), dir, "the chart directory");
                nonempty(problems, p.field("revision"), revision, "a branch, tag or commit");
                ("git", repo)
            }
        };
        let ok_scheme = ["https://", "http://", "oci://", "ssh://", "git@"]
            .iter()
            .any(|s| repo.starts_with(s));
        if !ok_scheme {
            problems.push(
                source.field(kind).field("repo"),
                ErrorKind::Invalid(format!(
                    "{repo:?} is not a repository URL (https://, oci://, ssh:// or git@)"
                )),
            );
        }
        for (i, file) in self.value_files.iter().enumerate() {
            nonempty(problems, path.field("value_files").index(i), file, "a value file path");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k3score::yaml::from_yaml;

    fn chart(text: &str) -> Chart {
        from_yaml(text).unwrap()
    }

    #[test]
    fn overlays_merge_deeply_and_replace_lists() {
        let c = chart(
            "name: web\nnamespace: web\nsource: {helm: {repo: 'https://x.io', chart: web, version: 1.0.0}}\n\
             values: {a: {b: 1, c: [1, 2]}, d: keep}\n\
             values_by_target: {gcp: {a: {c: [3], e: null}}, local: {d: changed}}\n",
        );
        let gcp = c.values_for("gcp");
        let HelmValue::Map(a) = &gcp["a"] else { panic!() };
        assert_eq!(a["b"], HelmValue::Int(1));
        assert_eq!(a["c"], HelmValue::List(vec![HelmValue::Int(3)]));
        assert_eq!(a["e"], HelmValue::Null);
        assert_eq!(gcp["d"], HelmValue::String("keep".into()));
        assert_eq!(c.values_for("local")["d"], HelmValue::String("changed".into()));
        assert_eq!(c.values_for("dev"), c.values);
    }

    #[test]
    fn git_source_and_sync_options() {
        let c = chart(
            "name: web\nnamespace: web\nsource: {git: {repo: 'https://github.com/acme/charts', path: web}}\n\
             value_files: [values.yaml]\nvalue_files_by_target: {gcp: [values-prod.yaml]}\n\
             sync: {automated: false, server_side_apply: false, retry: null}\n",
        );
        let app = c.application("gcp", "platform");
        let source = app.spec.source.as_ref().unwrap();
        assert_eq!(source.path.as_deref(), Some("web"));
        assert_eq!(source.target_revision.as_deref(), Some("HEAD"));
        assert!(source.chart.is_none());
        let helm = source.helm.as_ref().unwrap();
        assert_eq!(helm.value_files, ["values.yaml", "values-prod.yaml"]);
        assert_eq!(helm.release_name.as_deref(), Some("web"));
        let sync = app.spec.sync_policy.unwrap();
        assert!(sync.automated.is_none() && sync.retry.is_none());
        assert_eq!(sync.sync_options, ["CreateNamespace=true"]);
        assert_eq!(app.spec.project, "platform");
        assert_eq!(app.metadata.finalizers.unwrap(), [RESOURCES_FINALIZER]);
    }

    #[test]
    fn errors_have_paths() {
        let c = chart(
            "name: web\nnamespace: web\nsource: {helm: {repo: charts.acme.io, chart: '', version: ' '}}\n\
             value_files: ['']\n",
        );
        let errors = c.problems_at(PathRef::ROOT.field("charts").index(0)).messages();
        assert_eq!(
            errors,
            [
                "charts[0].source.helm.chart: missing: the chart name",
                "charts[0].source.helm.version: missing: a pinned chart version",
                "charts[0].source.helm.repo: \"charts.acme.io\" is not a repository URL (https://, oci://, ssh:// or git@)",
                "charts[0].value_files[0]: missing: a value file path",
            ]
        );
        assert!(from_yaml::<Chart>("name: a\nnamespace: a\nsource: {helm: {repo: x, chart: y}}\n").is_err());
    }
}
