//! `ClusterSecretStore`, `external-secrets.io/v1` (cluster-scoped): a secret backend usable from
//! every namespace. Only the GCP, AWS, Azure Key Vault and Vault providers are modelled.
//!
//! Source: external-secrets/external-secrets `apis/externalsecrets/v1/secretstore_types.go`,
//! `secretstore_{gcpsm,aws,azurekv,vault}_types.go`, `apis/meta/v1/types.go` (v2.9.0);
//! CRD `external-secrets.io_clustersecretstores.yaml` in shared/crds.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

/// Upstream default of `spec.provider.vault.auth.kubernetes.mountPath`.
const DEFAULT_VAULT_KUBERNETES_MOUNT_PATH: &str = "kubernetes";

crate::custom_resource! {
    /// An External Secrets Operator `ClusterSecretStore` (`external-secrets.io/v1`, cluster-scoped).
    ClusterSecretStore(ClusterSecretStoreSpec) {
        group: "external-secrets.io",
        version: "v1",
        plural: "clustersecretstores",
        scope: ClusterResourceScope,
    }
}

/// Spec of a `ClusterSecretStore`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClusterSecretStoreSpec {
    /// The backend; set exactly one provider (required).
    pub provider: SecretStoreProvider,
    /// Namespaces allowed to use this store. Default: all namespaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ClusterSecretStoreCondition>,
    /// Store refresh interval: seconds (legacy int) or a Go duration. Default: controller config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "int_or_string_schema"))]
    pub refresh_interval: Option<IntOrString>,
}

/// `spec.provider`: exactly one backend.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SecretStoreProvider {
    /// Google Cloud Secret Manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcpsm: Option<GCPSMProvider>,
    /// AWS Secrets Manager / Parameter Store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AWSProvider>,
    /// Azure Key Vault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azurekv: Option<AzureKVProvider>,
    /// HashiCorp Vault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault: Option<VaultProvider>,
}

/// One entry of `spec.conditions`; a namespace matching any field may use the store.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClusterSecretStoreCondition {
    /// Namespaces chosen by label selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "object_schema"))]
    pub namespace_selector: Option<LabelSelector>,
    /// Namespaces chosen by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// Namespaces chosen by regular expression.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespace_regexes: Vec<String>,
}

/// A Kubernetes ServiceAccount used for workload identity.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountSelector {
    /// ServiceAccount name (required).
    pub name: String,
    /// ServiceAccount namespace; must be set explicitly on a ClusterSecretStore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Audiences of the requested token.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
}

/// `spec.provider.gcpsm`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GCPSMProvider {
    /// GCP project holding the secrets.
    #[serde(default, rename = "projectID", skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Location for regional secrets. Default: global secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Authentication. Default: the operator pod's credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<GCPSMAuth>,
}

/// `spec.provider.gcpsm.auth`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GCPSMAuth {
    /// GKE Workload Identity through a Kubernetes ServiceAccount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_identity: Option<GCPWorkloadIdentity>,
}

/// `spec.provider.gcpsm.auth.workloadIdentity`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GCPWorkloadIdentity {
    /// ServiceAccount bound to the GCP service account (required).
    pub service_account_ref: ServiceAccountSelector,
    /// GKE cluster location. Default: read from the metadata server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_location: Option<String>,
    /// GKE cluster name. Default: read from the metadata server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    /// GKE cluster project. Default: read from the metadata server.
    #[serde(default, rename = "clusterProjectID", skip_serializing_if = "Option::is_none")]
    pub cluster_project_id: Option<String>,
}

/// `spec.provider.aws`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AWSProvider {
    /// Which AWS service stores the secrets (required).
    pub service: AWSServiceType,
    /// AWS region (required).
    pub region: String,
    /// IAM role ARN to assume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Authentication. Default: the operator pod's credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AWSAuth>,
}

/// `spec.provider.aws.service` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum AWSServiceType {
    /// `SecretsManager`: AWS Secrets Manager.
    #[default]
    SecretsManager,
    /// `ParameterStore`: AWS Systems Manager Parameter Store.
    ParameterStore,
    /// `CertificateManager`: AWS Certificate Manager.
    CertificateManager,
}

/// `spec.provider.aws.auth`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AWSAuth {
    /// IRSA: a ServiceAccount token exchanged for AWS credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt: Option<AWSJWTAuth>,
}

/// `spec.provider.aws.auth.jwt`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AWSJWTAuth {
    /// ServiceAccount annotated with `eks.amazonaws.com/role-arn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_ref: Option<ServiceAccountSelector>,
}

/// `spec.provider.azurekv`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AzureKVProvider {
    /// Vault URL, e.g. `https://myvault.vault.azure.net` (required).
    pub vault_url: String,
    /// How to authenticate. Default: `ServicePrincipal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<AzureAuthType>,
    /// ServiceAccount for `WorkloadIdentity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_ref: Option<ServiceAccountSelector>,
    /// Azure AD tenant ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Azure cloud. Default: `PublicCloud`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_type: Option<AzureEnvironmentType>,
}

/// `spec.provider.azurekv.authType` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum AzureAuthType {
    /// `ServicePrincipal`: client ID/secret from a Secret (default).
    #[default]
    ServicePrincipal,
    /// `ManagedIdentity`: the node's or pod's managed identity.
    ManagedIdentity,
    /// `WorkloadIdentity`: Azure AD Workload Identity via `serviceAccountRef`.
    WorkloadIdentity,
}

/// `spec.provider.azurekv.environmentType` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum AzureEnvironmentType {
    /// `PublicCloud` (default).
    #[default]
    PublicCloud,
    /// `USGovernmentCloud`.
    #[serde(rename = "USGovernmentCloud")]
    UsGovernmentCloud,
    /// `ChinaCloud`.
    ChinaCloud,
    /// `GermanCloud`.
    GermanCloud,
    /// `AzureStackCloud` (needs `customCloudConfig`, not modelled).
    AzureStackCloud,
}

/// `spec.provider.vault`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaultProvider {
    /// Vault address, e.g. `https://vault.example:8200` (required).
    pub server: String,
    /// Mount path of the KV engine, e.g. `secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// KV engine version. Default: `v2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<VaultKVStoreVersion>,
    /// Vault Enterprise namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<VaultAuth>,
}

/// `spec.provider.vault.version` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum VaultKVStoreVersion {
    /// `v1`: KV version 1.
    V1,
    /// `v2`: KV version 2 (default).
    #[default]
    V2,
}

/// `spec.provider.vault.auth`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaultAuth {
    /// Kubernetes auth method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<VaultKubernetesAuth>,
}

/// `spec.provider.vault.auth.kubernetes`.
///
/// `mountPath` is required (and defaulted) upstream; [`Default`] sets it to `kubernetes`.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaultKubernetesAuth {
    /// Mount path of the Kubernetes auth method (required). Default: `kubernetes`.
    pub mount_path: String,
    /// Vault role bound to the ServiceAccount (required).
    pub role: String,
    /// ServiceAccount whose token is presented. Default: the operator's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_ref: Option<ServiceAccountSelector>,
}

impl Default for VaultKubernetesAuth {
    fn default() -> Self {
        Self {
            mount_path: DEFAULT_VAULT_KUBERNETES_MOUNT_PATH.to_owned(),
            role: String::new(),
            service_account_ref: None,
        }
    }
}

/// k8s-openapi types carry no `JsonSchema` here; describe an IntOrString as the CRD does.
#[cfg(feature = "schema")]
fn int_or_string_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "x-kubernetes-int-or-string": true })
}

/// k8s-openapi types carry no `JsonSchema` here; describe a LabelSelector as an open object.
#[cfg(feature = "schema")]
fn object_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_cluster_scoped_with_providers() {
        let store = ClusterSecretStore::new(
            "gcp",
            ClusterSecretStoreSpec {
                provider: SecretStoreProvider {
                    gcpsm: Some(GCPSMProvider {
                        project_id: Some("acme-prod".into()),
                        location: None,
                        auth: Some(GCPSMAuth {
                            workload_identity: Some(GCPWorkloadIdentity {
                                service_account_ref: ServiceAccountSelector {
                                    name: "eso".into(),
                                    namespace: Some("external-secrets".into()),
                                    audiences: vec![],
                                },
                                cluster_project_id: Some("acme-prod".into()),
                                ..Default::default()
                            }),
                        }),
                    }),
                    ..Default::default()
                },
                conditions: vec![ClusterSecretStoreCondition {
                    namespaces: vec!["shop".into()],
                    ..Default::default()
                }],
                refresh_interval: Some(IntOrString::String("5m".into())),
            },
        );
        let v = serde_json::to_value(&store).unwrap();
        assert_eq!(v["apiVersion"], "external-secrets.io/v1");
        assert_eq!(v["kind"], "ClusterSecretStore");
        assert!(v["metadata"].get("namespace").is_none());
        let gcp = &v["spec"]["provider"]["gcpsm"];
        assert_eq!(gcp["projectID"], "acme-prod");
        assert_eq!(gcp["auth"]["workloadIdentity"]["clusterProjectID"], "acme-prod");
        assert_eq!(gcp["auth"]["workloadIdentity"]["serviceAccountRef"]["name"], "eso");
        assert_eq!(v["spec"]["refreshInterval"], "5m");
        assert_eq!(v["spec"]["conditions"][0]["namespaces"][0], "shop");
    }

    #[test]
    fn serializes_enum_strings() {
        let aws = AWSProvider {
            service: AWSServiceType::ParameterStore,
            region: "eu-west-1".into(),
            ..Default::default()
        };
        let v = serde_json::to_value(&aws).unwrap();
        assert_eq!(v["service"], "ParameterStore");
        let az = serde_json::to_value(AzureEnvironmentType::UsGovernmentCloud).unwrap();
        assert_eq!(az, "USGovernmentCloud");
        assert_eq!(serde_json::to_value(VaultKVStoreVersion::V1).unwrap(), "v1");
        assert_eq!(
            serde_json::to_value(AzureAuthType::WorkloadIdentity).unwrap(),
            "WorkloadIdentity"
        );
    }
}
