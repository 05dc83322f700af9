//! `Application`, `argoproj.io/v1alpha1`: an Argo CD application (sources → destination).
//!
//! Source: argoproj/argo-cd `pkg/apis/application/v1alpha1/types.go` (v3.5.1); CRD
//! `application-crd.yaml` in shared/crds. Only Helm/Git sources and the sync policy are modelled.

use std::collections::BTreeMap;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

crate::custom_resource! {
    /// An Argo CD `Application` (`argoproj.io/v1alpha1`).
    Application(ApplicationSpec) {
        group: "argoproj.io",
        version: "v1alpha1",
        plural: "applications",
        scope: NamespaceResourceScope,
    }
}

/// Spec of an `Application`. `project` and `destination` are required upstream.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    /// AppProject the application belongs to, e.g. `default` (required).
    pub project: String,
    /// The single source; use either `source` or `sources`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// Several sources (replaces `source`), e.g. a chart plus a Git repo of value files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<ApplicationSource>,
    /// Target cluster and namespace (required).
    pub destination: ApplicationDestination,
    /// When and how to sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_policy: Option<SyncPolicy>,
}

/// `spec.source` / `spec.sources[]`: a Git path or a Helm chart.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSource {
    /// Git or Helm repository URL (required).
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// Helm chart name (Helm repositories only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// Directory inside a Git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Git revision or chart version. Default: `HEAD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_revision: Option<String>,
    /// Name other sources use as `$<ref>` in value file paths (`sources` only; not with `chart`).
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub ref_: Option<String>,
    /// Helm options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<ApplicationSourceHelm>,
}

/// `source.helm`. Precedence: `parameters` > `valuesObject` > `values` > `valueFiles`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSourceHelm {
    /// Helm release name. Default: the application name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// Value files, relative to the chart or `$<ref>/path` of another source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_files: Vec<String>,
    /// Values as one YAML string (use either this or `valuesObject`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<String>,
    /// Values as a structured map; takes precedence over `values`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "values_object_schema"))]
    pub values_object: BTreeMap<String, HelmValue>,
    /// `--set` style parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<HelmParameter>,
    /// Do not fail when a value file is missing. Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_missing_value_files: Option<bool>,
    /// Skip the chart's CRDs (`--skip-crds`). Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_crds: Option<bool>,
    /// Namespace to template with. Default: the destination namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A free-form Helm value inside `valuesObject`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum HelmValue {
    /// `null` (removes a chart default).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    String(String),
    /// A list.
    List(Vec<HelmValue>),
    /// A nested map.
    Map(BTreeMap<String, HelmValue>),
}

/// One entry of `helm.parameters` (`--set name=value`).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HelmParameter {
    /// Parameter path, e.g. `image.tag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Parameter value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Pass as `--set-string`. Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_string: Option<bool>,
}

/// `spec.destination` (also `AppProject.spec.destinations[]`): set `server` or `name`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationDestination {
    /// API server URL; in-cluster is `https://kubernetes.default.svc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Cluster name registered in Argo CD (alternative to `server`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace for namespaced resources without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `spec.syncPolicy`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    /// Sync automatically; absent means manual sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated: Option<SyncPolicyAutomated>,
    /// Options such as `CreateNamespace=true`, `ServerSideApply=true`, `PruneLast=true`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_options: Vec<String>,
    /// Retry of failed syncs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryStrategy>,
    /// Labels/annotations of the namespace made by `CreateNamespace=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_namespace_metadata: Option<ManagedNamespaceMetadata>,
}

/// `spec.syncPolicy.automated`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicyAutomated {
    /// Delete resources no longer in the sources. Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// Revert changes made in the cluster. Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_heal: Option<bool>,
    /// Allow syncing to zero resources. Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_empty: Option<bool>,
}

/// `spec.syncPolicy.retry`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetryStrategy {
    /// Maximum attempts; 0 means no retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Back-off between attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<Backoff>,
}

/// `spec.syncPolicy.retry.backoff`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Backoff {
    /// First delay: seconds or a duration such as `5s`, `2m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// Multiplier applied after each failed attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<i64>,
    /// Upper bound of the delay, e.g. `3m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<String>,
}

/// `spec.syncPolicy.managedNamespaceMetadata`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ManagedNamespaceMetadata {
    /// Labels of the created namespace.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations of the created namespace.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// `helm.valuesObject` as the CRD declares it: a free-form object.
#[cfg(feature = "schema")]
fn values_object_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_helm_source_and_sync_policy() {
        let app = Application::new(
            "keda",
            ApplicationSpec {
                project: "default".into(),
                source: Some(ApplicationSource {
                    repo_url: "https://kedacore.github.io/charts".into(),
                    chart: Some("keda".into()),
                    target_revision: Some("2.20.2".into()),
                    helm: Some(ApplicationSourceHelm {
                        release_name: Some("keda".into()),
                        values_object: BTreeMap::from([
                            ("replicas".to_owned(), HelmValue::Int(2)),
                            ("ratio".to_owned(), HelmValue::Float(0.5)),
                            (
                                "podLabels".to_owned(),
                                HelmValue::Map(BTreeMap::from([(
                                    "team".to_owned(),
                                    HelmValue::String("platform".into()),
                                )])),
                            ),
                            ("unset".to_owned(), HelmValue::Null),
                        ]),
                        parameters: vec![HelmParameter {
                            name: Some("image.tag".into()),
                            value: Some("v1".into()),
                            force_string: Some(true),
                        }],
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                destination: ApplicationDestination {
                    server: Some("https://kubernetes.default.svc".into()),
                    namespace: Some("keda".into()),
                    name: None,
                },
                sync_policy: Some(SyncPolicy {
                    automated: Some(SyncPolicyAutomated {
                        prune: Some(true),
                        self_heal: Some(true),
                        allow_empty: None,
                    }),
                    sync_options: vec!["CreateNamespace=true".into()],
                    retry: Some(RetryStrategy {
                        limit: Some(5),
                        backoff: Some(Backoff {
                            duration: Some("5s".into()),
                            factor: Some(2),
                            max_duration: Some("3m".into()),
                        }),
                    }),
                    managed_namespace_metadata: None,
                }),
                sources: vec![],
            },
        );
        let v = serde_json::to_value(&app).unwrap();
        assert_eq!(v["apiVersion"], "argoproj.io/v1alpha1");
        assert_eq!(v["kind"], "Application");
        assert_eq!(v["spec"]["project"], "default");
        assert_eq!(v["spec"]["source"]["repoURL"], "https://kedacore.github.io/charts");
        assert_eq!(v["spec"]["source"]["targetRevision"], "2.20.2");
        let helm = &v["spec"]["source"]["helm"];
        assert_eq!(helm["valuesObject"]["replicas"], 2);
        assert_eq!(helm["valuesObject"]["ratio"], 0.5);
        assert_eq!(helm["valuesObject"]["podLabels"]["team"], "platform");
        assert!(helm["valuesObject"]["unset"].is_null());
        assert_eq!(helm["parameters"][0]["forceString"], true);
        assert_eq!(v["spec"]["syncPolicy"]["automated"]["selfHeal"], true);
        assert_eq!(v["spec"]["syncPolicy"]["retry"]["backoff"]["maxDuration"], "3m");
        assert!(v["spec"].get("sources").is_none());
    }

    #[test]
    fn helm_values_round_trip() {
        let json = r#"{"a":null,"b":true,"c":3,"d":1.5,"e":"x","f":[1,"y"],"g":{"h":false}}"#;
        let values: BTreeMap<String, HelmValue> = serde_json::from_str(json).unwrap();
        assert_eq!(values["a"], HelmValue::Null);
        assert_eq!(values["c"], HelmValue::Int(3));
        assert_eq!(values["d"], HelmValue::Float(1.5));
        assert_eq!(serde_json::to_string(&values).unwrap(), json);
    }
}
