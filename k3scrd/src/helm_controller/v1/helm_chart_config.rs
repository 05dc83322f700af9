//! `HelmChartConfig`, `helm.cattle.io/v1`: extra values for a chart k3s installs itself (its
//! bundled Traefik is the `HelmChart` `traefik` in `kube-system`; a `HelmChartConfig` of the
//! same name and namespace is merged into it).
//!
//! Source: CRD `helm.cattle.io_helmchartconfigs.yaml` (k3s-io/helm-controller) in shared/crds;
//! k3s docs, "Customizing Packaged Components with HelmChartConfig".

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A k3s `HelmChartConfig` (`helm.cattle.io/v1`).
    HelmChartConfig(HelmChartConfigSpec) {
        group: "helm.cattle.io",
        version: "v1",
        plural: "helmchartconfigs",
        scope: NamespaceResourceScope,
    }
}

/// Spec of a `HelmChartConfig`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HelmChartConfigSpec {
    /// Chart values as a YAML document (`--values`). Every k3s release reads this field; the
    /// structured `values` field is newer, so the platform writes this one (rendered with
    /// `k3score::yaml::to_yaml` from typed values, never from a template).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_content: Option<String>,
}
