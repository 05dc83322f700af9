//! `kind: Platform`: the charts a cluster runs, as Argo CD Applications in one AppProject.

use std::collections::{BTreeMap, BTreeSet};

use k3score::crd::argocd::v1alpha1::{
    AppProject, AppProjectSpec, ApplicationDestination, ClusterResourceRestrictionItem,
};
use k3score::labels::{MANAGED_BY, MANAGER};
use k3score::names::DnsLabel;
use k3score::patch::{ExtraObject, Patch};
use k3score::{Bundle, Context, ErrorKind, Errors, Object, PathRef, Problems, Validate};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::chart::{ARGOCD_NAMESPACE, Chart, DEFAULT_PROJECT, IN_CLUSTER};

/// Default AppProject of platform charts.
pub const PLATFORM_PROJECT: &str = "platform";

/// The spec-file kind tag (`kind: Platform`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum PlatformKind {
    /// `kind: Platform`.
    #[default]
    Platform,
}

/// The platform charts of a cluster.
///
/// ```
/// use k3splatform::Platform;
/// use k3score::{Context, Target};
/// use k3score::crd::argocd::v1alpha1::{AppProject, Application};
/// let platform: Platform = k3score::yaml::from_yaml(r#"
/// kind: Platform
/// charts:
///   - name: keda
///     namespace: keda
///     source: {helm: {repo: "https://kedacore.github.io/charts", chart: keda, version: 2.20.1}}
/// "#).unwrap();
/// let bundle = platform.render(&Context::new(Target::local(), "argocd".parse().unwrap())).unwrap();
/// assert_eq!(bundle.get::<AppProject>("platform").unwrap().spec.source_repos, ["https://kedacore.github.io/charts"]);
/// assert_eq!(bundle.get::<Application>("keda").unwrap().spec.project, "platform");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Platform {
    /// The file kind tag (`Platform`). Default: `Platform`.
    #[serde(default)]
    pub kind: PlatformKind,
    /// The AppProject of the charts; `default` uses Argo CD's built-in project and renders
    /// none. Default: `platform`.
    #[serde(default = "Platform::default_project")]
    pub project: DnsLabel,
    /// The AppProject's description. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The charts.
    pub charts: Vec<Chart>,
    /// RFC 6902 patches of the rendered objects, by kind and name (the escape hatch; checked
    /// after they apply, without opt-outs from Pod Security `restricted`). Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<Patch>,
    /// Extra objects of kinds the suite knows, in the render namespace unless they name one. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ExtraObject>,
}

impl Platform {
    fn default_project() -> DnsLabel {
        DnsLabel::new(PLATFORM_PROJECT).expect("static name")
    }

    /// A platform of `charts` in the `platform` project.
    #[must_use]
    pub fn new(charts: Vec<Chart>) -> Self {
        Self {
            kind: PlatformKind::Platform,
            project: Self::default_project(),
            description: None,
            charts,
            patches: Vec::new(),
            objects: Vec::new(),
        }
    }

    /// The AppProject allowing exactly the charts' repositories and destination namespaces
    /// on the in-cluster server; `None` for the `default` project.
    ///
    /// Cluster-scoped kinds are all allowed (`*`/`*`): platform charts install CRDs,
    /// ClusterRoles and admission webhooks. Argo CD project rules, not RBAC.
    #[must_use]
    pub fn app_project(&self) -> Option<AppProject> {
        if self.project.as_str() == DEFAULT_PROJECT {
            return None;
        }
        let repos: BTreeSet<&str> = self.charts.iter().map(|c| c.source.repo()).collect();
        let namespaces: BTreeSet<&str> = self.charts.iter().map(|c| c.namespace.as_str()).collect();
        Some(AppProject {
            metadata: ObjectMeta {
                name: Some(self.project.to_string()),
                namespace: Some(ARGOCD_NAMESPACE.to_owned()),
                labels: Some(BTreeMap::from([(MANAGED_BY.to_owned(), MANAGER.to_owned())])),
                ..Default::default()
            },
            spec: AppProjectSpec {
                description: self.description.clone(),
                source_repos: repos.into_iter().map(str::to_owned).collect(),
                destinations: namespaces
                    .into_iter()
                    .map(|ns| ApplicationDestination {
                        server: Some(IN_CLUSTER.to_owned()),
                        name: None,
                        namespace: Some(ns.to_owned()),
                    })
                    .collect(),
                cluster_resource_whitelist: vec![ClusterResourceRestrictionItem {
                    group: "*".to_owned(),
                    kind: "*".to_owned(),
                    name: None,
                }],
                namespace_resource_whitelist: Vec::new(),
            },
        })
    }

    /// The AppProject (unless `default`) and one Application per chart, with the values of
    /// `ctx.target` (its name selects `values_by_target`). Objects go to `argocd`.
    pub fn render(&self, ctx: &Context) -> Result<Bundle, Errors> {
        self.check()?;
        let mut objects: Vec<Object> = self.app_project().into_iter().map(Object::from).collect();
        let target = ctx.target.name.as_str();
        objects.extend(
            self.charts
                .iter()
                .map(|c| Object::from(c.application(target, self.project.as_str()))),
        );
        let mut bundle: Bundle = objects.into_iter().collect();
        bundle.check_unique()?;
        bundle.escape_hatch(&self.objects, &self.patches, ctx)?;
        Ok(bundle)
    }
}

impl Validate for Platform {
    /// Records every chart problem (`charts[1].source.helm.version`) and duplicate names.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        k3score::patch::validate(&self.objects, &self.patches, path, problems);
        let mut seen = BTreeSet::new();
        let charts = path.field("charts");
        for (i, chart) in self.charts.iter().enumerate() {
            let p = charts.index(i);
            chart.validate(p, problems);
            if !seen.insert(chart.name.as_str()) {
                problems.push(
                    p.field("name"),
                    ErrorKind::Conflict(format!("another chart is already named {:?}", chart.name.as_str())),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k3score::Target;
    use k3score::yaml::from_yaml;

    const CHART: &str = "{name: a, namespace: a, source: {helm: {repo: 'https://x.io', chart: a, version: 1.0.0}}}";

    #[test]
    fn default_project_renders_no_app_project() {
        let platform: Platform = from_yaml(&format!("project: default\ncharts: [{CHART}]\n")).unwrap();
        let bundle = platform
            .render(&Context::new(Target::gcp(), "x".parse().unwrap()))
            .unwrap();
        let kinds: Vec<String> = bundle.iter().map(|o| o.kind().into_owned()).collect();
        assert_eq!(kinds, ["Application"]);
    }

    #[test]
    fn duplicate_and_nested_errors_have_paths() {
        let bad = "{name: a, namespace: a, source: {helm: {repo: 'https://x.io', chart: a, version: ''}}}";
        let platform: Platform = from_yaml(&format!("charts: [{CHART}, {bad}]\n")).unwrap();
        let errors: Vec<String> = platform
            .render(&Context::new(Target::gcp(), "x".parse().unwrap()))
            .unwrap_err()
            .messages();
        assert_eq!(
            errors,
            [
                "charts[1].source.helm.version: missing: a pinned chart version",
                "charts[1].name: conflict: another chart is already named \"a\"",
            ]
        );
        assert!(from_yaml::<Platform>("kind: Platforms\ncharts: []\n").is_err());
    }
}
