//! `AppProject`, `argoproj.io/v1alpha1`: an Argo CD project (allowed sources, destinations and
//! resource kinds).
//!
//! Source: argoproj/argo-cd `pkg/apis/application/v1alpha1/app_project_types.go` (v3.5.1); CRD
//! `appproject-crd.yaml` in shared/crds.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

use super::application::ApplicationDestination;

crate::custom_resource! {
    /// An Argo CD `AppProject` (`argoproj.io/v1alpha1`).
    AppProject(AppProjectSpec) {
        group: "argoproj.io",
        version: "v1alpha1",
        plural: "appprojects",
        scope: NamespaceResourceScope,
    }
}

/// Spec of an `AppProject`. Every field is optional upstream.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AppProjectSpec {
    /// Human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Repository URLs (globs allowed, `*` = any) applications may use. Default (empty): none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_repos: Vec<String>,
    /// Clusters and namespaces applications may deploy to (globs allowed). Default (empty): none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destinations: Vec<ApplicationDestination>,
    /// Cluster-scoped kinds applications may create. Default (empty): none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_resource_whitelist: Vec<ClusterResourceRestrictionItem>,
    /// Namespaced kinds applications may create. Default (empty): all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespace_resource_whitelist: Vec<GroupKind>,
}

/// One entry of `spec.clusterResourceWhitelist`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClusterResourceRestrictionItem {
    /// API group (`""` for core, `*` for any) (required).
    pub group: String,
    /// Kind (`*` for any) (required).
    pub kind: String,
    /// Restrict to objects with this name (glob).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One entry of `spec.namespaceResourceWhitelist`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GroupKind {
    /// API group (`""` for core, `*` for any) (required).
    pub group: String,
    /// Kind (`*` for any) (required).
    pub kind: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_whitelists() {
        let project = AppProject::new(
            "platform",
            AppProjectSpec {
                description: Some("Platform add-ons".into()),
                source_repos: vec!["*".into()],
                destinations: vec![ApplicationDestination {
                    server: Some("https://kubernetes.default.svc".into()),
                    namespace: Some("*".into()),
                    name: None,
                }],
                cluster_resource_whitelist: vec![ClusterResourceRestrictionItem {
                    group: String::new(),
                    kind: "Namespace".into(),
                    name: None,
                }],
                namespace_resource_whitelist: vec![GroupKind {
                    group: "*".into(),
                    kind: "*".into(),
                }],
            },
        );
        let v = serde_json::to_value(&project).unwrap();
        assert_eq!(v["apiVersion"], "argoproj.io/v1alpha1");
        assert_eq!(v["kind"], "AppProject");
        assert_eq!(v["spec"]["sourceRepos"][0], "*");
        assert_eq!(v["spec"]["destinations"][0]["namespace"], "*");
        assert_eq!(v["spec"]["clusterResourceWhitelist"][0]["group"], "");
        assert_eq!(v["spec"]["namespaceResourceWhitelist"][0]["kind"], "*");
    }
}
