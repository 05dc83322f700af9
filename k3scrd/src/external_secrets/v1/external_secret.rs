//! `ExternalSecret`, `external-secrets.io/v1`: a Secret synced from an external store or a
//! generator.
//!
//! Source: external-secrets/external-secrets `apis/externalsecrets/v1/externalsecret_types.go`
//! (v2.9.0); CRD `external-secrets.io_externalsecrets.yaml` in shared/crds.

use std::collections::BTreeMap;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// An External Secrets Operator `ExternalSecret` (`external-secrets.io/v1`).
    ExternalSecret(ExternalSecretSpec) {
        group: "external-secrets.io",
        version: "v1",
        plural: "externalsecrets",
        scope: NamespaceResourceScope,
    }
}

/// Spec of an `ExternalSecret`. Every field is optional upstream.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretSpec {
    /// Go duration between refreshes; `0s` fetches once. Default: `1h0m0s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_interval: Option<String>,
    /// When the Secret is refreshed; unset behaves as `Periodic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_policy: Option<RefreshPolicy>,
    /// The store to read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_store_ref: Option<SecretStoreRef>,
    /// The Secret to write. Default: `{creationPolicy: Owner, deletionPolicy: Retain}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<ExternalSecretTarget>,
    /// Single keys, each fetched from the store into one Secret key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<ExternalSecretData>,
    /// Whole remote secrets or generator outputs merged into the Secret.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_from: Vec<ExternalSecretDataFromRemoteRef>,
}

/// `spec.refreshPolicy` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum RefreshPolicy {
    /// `CreatedOnce`: fetch once, never refresh.
    CreatedOnce,
    /// `Periodic`: refresh every `refreshInterval`.
    #[default]
    Periodic,
    /// `OnChange`: refresh when the ExternalSecret changes.
    OnChange,
}

/// `spec.secretStoreRef`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SecretStoreRef {
    /// Name of the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Kind of the store. Default: `SecretStore`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SecretStoreKind>,
}

/// `secretStoreRef.kind` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum SecretStoreKind {
    /// `SecretStore`: a namespaced store (default).
    #[default]
    SecretStore,
    /// `ClusterSecretStore`: a cluster-wide store.
    ClusterSecretStore,
}

/// `spec.target`: the Secret the operator writes.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretTarget {
    /// Name of the Secret. Default: the ExternalSecret's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Who owns the Secret. Default: `Owner`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_policy: Option<CreationPolicy>,
    /// What happens to the Secret when the remote data is deleted. Default: `Retain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<DeletionPolicy>,
    /// Template for the Secret's type, metadata and data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ExternalSecretTemplate>,
    /// Make the Secret immutable. Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immutable: Option<bool>,
}

/// `spec.target.creationPolicy` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum CreationPolicy {
    /// `Owner`: create the Secret and own it (default).
    #[default]
    Owner,
    /// `Orphan`: create the Secret without an owner reference.
    Orphan,
    /// `Merge`: merge into an existing Secret, never create it.
    Merge,
    /// `None`: do not write a Secret.
    None,
    /// `CreateOrMerge`: create the Secret, or merge if it exists.
    CreateOrMerge,
}

/// `spec.target.deletionPolicy` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum DeletionPolicy {
    /// `Delete`: delete the Secret when the remote data is gone.
    Delete,
    /// `Merge`: remove only the keys that are gone.
    Merge,
    /// `Retain`: keep the Secret (default).
    #[default]
    Retain,
}

/// `spec.target.template`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretTemplate {
    /// Secret `type`, e.g. `kubernetes.io/dockerconfigjson`. Default: `Opaque`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Template engine. Default: `v2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<TemplateEngineVersion>,
    /// Labels and annotations of the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ExternalSecretTemplateMetadata>,
    /// Secret keys rendered from Go templates over the fetched values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, String>,
}

/// `spec.target.template.engineVersion` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum TemplateEngineVersion {
    /// `v2`: the only engine served by `external-secrets.io/v1`.
    #[default]
    #[serde(rename = "v2")]
    V2,
}

/// `spec.target.template.metadata`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretTemplateMetadata {
    /// Labels of the Secret.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations of the Secret.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// One entry of `spec.data`: one remote value into one Secret key.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretData {
    /// Key in the Secret, `[-._a-zA-Z0-9]+` (required).
    pub secret_key: String,
    /// Where the value lives in the store (required).
    pub remote_ref: ExternalSecretDataRemoteRef,
}

/// `spec.data[].remoteRef` and `spec.dataFrom[].extract`: a remote secret.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretDataRemoteRef {
    /// Key (name or path) of the remote secret (required).
    pub key: String,
    /// JSON field inside the remote secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// Version of the remote secret. Default: the latest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// How the fetched value is decoded. Default: `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoding_strategy: Option<DecodingStrategy>,
    /// How remote keys are converted into Secret keys. Default: `Default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_strategy: Option<ConversionStrategy>,
}

/// `decodingStrategy` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum DecodingStrategy {
    /// `Auto`: base64 or base64url if the value decodes, else as is.
    Auto,
    /// `Base64`: standard base64.
    Base64,
    /// `Base64URL`: URL-safe base64.
    #[serde(rename = "Base64URL")]
    Base64Url,
    /// `None`: no decoding (default).
    #[default]
    None,
}

/// `conversionStrategy` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum ConversionStrategy {
    /// `Default`: keys as they are.
    #[default]
    Default,
    /// `Unicode`: escape invalid key characters as `_Uxxxx_`.
    Unicode,
}

/// One entry of `spec.dataFrom`: a whole remote secret or a generator's output.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretDataFromRemoteRef {
    /// Extract every property of a remote JSON secret into Secret keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extract: Option<ExternalSecretDataRemoteRef>,
    /// Read from a generator (or another store) instead of `secretStoreRef`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<StoreGeneratorSourceRef>,
}

/// `spec.dataFrom[].sourceRef`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StoreGeneratorSourceRef {
    /// The generator producing the values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator_ref: Option<GeneratorRef>,
}

/// `spec.dataFrom[].sourceRef.generatorRef`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GeneratorRef {
    /// API version of the generator. Default: `generators.external-secrets.io/v1alpha1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the generator (required).
    pub kind: GeneratorKind,
    /// Name of the generator, a DNS-1123 subdomain (required).
    pub name: String,
}

/// `generatorRef.kind` values: the generator kinds of `generators.external-secrets.io`.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum GeneratorKind {
    /// `ACRAccessToken`: Azure Container Registry token.
    #[serde(rename = "ACRAccessToken")]
    AcrAccessToken,
    /// `BeyondtrustWorkloadCredentialsDynamicSecret`: BeyondTrust dynamic secret.
    BeyondtrustWorkloadCredentialsDynamicSecret,
    /// `ClusterGenerator`: a cluster-scoped wrapper around any generator.
    ClusterGenerator,
    /// `CloudsmithAccessToken`: Cloudsmith token.
    CloudsmithAccessToken,
    /// `ECRAuthorizationToken`: AWS ECR token.
    #[serde(rename = "ECRAuthorizationToken")]
    EcrAuthorizationToken,
    /// `Fake`: static test values.
    Fake,
    /// `GCRAccessToken`: Google Container Registry token.
    #[serde(rename = "GCRAccessToken")]
    GcrAccessToken,
    /// `GithubAccessToken`: GitHub App installation token.
    GithubAccessToken,
    /// `GitlabDeployToken`: GitLab deploy token.
    GitlabDeployToken,
    /// `QuayAccessToken`: Quay robot token.
    QuayAccessToken,
    /// `Password`: random password (`generators.external-secrets.io/v1alpha1` Password).
    #[default]
    Password,
    /// `SSHKey`: SSH key pair.
    #[serde(rename = "SSHKey")]
    SshKey,
    /// `STSSessionToken`: AWS STS session token.
    #[serde(rename = "STSSessionToken")]
    StsSessionToken,
    /// `UUID`: random UUID.
    #[serde(rename = "UUID")]
    Uuid,
    /// `VaultDynamicSecret`: HashiCorp Vault dynamic secret.
    VaultDynamicSecret,
    /// `Webhook`: values fetched from an HTTP endpoint.
    Webhook,
    /// `Grafana`: Grafana service-account token.
    Grafana,
    /// `MFA`: TOTP code.
    #[serde(rename = "MFA")]
    Mfa,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_store_target_and_data() {
        let es = ExternalSecret::new(
            "db",
            ExternalSecretSpec {
                refresh_interval: Some("1h".into()),
                refresh_policy: Some(RefreshPolicy::Periodic),
                secret_store_ref: Some(SecretStoreRef {
                    name: Some("gcp".into()),
                    kind: Some(SecretStoreKind::ClusterSecretStore),
                }),
                target: Some(ExternalSecretTarget {
                    name: Some("db".into()),
                    creation_policy: Some(CreationPolicy::Owner),
                    deletion_policy: Some(DeletionPolicy::Retain),
                    ..Default::default()
                }),
                data: vec![ExternalSecretData {
                    secret_key: "password".into(),
                    remote_ref: ExternalSecretDataRemoteRef {
                        key: "db-password".into(),
                        decoding_strategy: Some(DecodingStrategy::Base64Url),
                        ..Default::default()
                    },
                }],
                data_from: vec![],
            },
        );
        let v = serde_json::to_value(&es).unwrap();
        assert_eq!(v["apiVersion"], "external-secrets.io/v1");
        assert_eq!(v["kind"], "ExternalSecret");
        assert_eq!(v["spec"]["refreshInterval"], "1h");
        assert_eq!(v["spec"]["secretStoreRef"]["kind"], "ClusterSecretStore");
        assert_eq!(v["spec"]["target"]["creationPolicy"], "Owner");
        assert_eq!(v["spec"]["data"][0]["secretKey"], "password");
        assert_eq!(v["spec"]["data"][0]["remoteRef"]["decodingStrategy"], "Base64URL");
        assert!(v["spec"].get("dataFrom").is_none());
    }

    #[test]
    fn serializes_generator_source() {
        let from = ExternalSecretDataFromRemoteRef {
            extract: None,
            source_ref: Some(StoreGeneratorSourceRef {
                generator_ref: Some(GeneratorRef {
                    api_version: Some("generators.external-secrets.io/v1alpha1".into()),
                    kind: GeneratorKind::Password,
                    name: "db-password".into(),
                }),
            }),
        };
        let v = serde_json::to_value(&from).unwrap();
        assert_eq!(
            v["sourceRef"]["generatorRef"]["apiVersion"],
            "generators.external-secrets.io/v1alpha1"
        );
        assert_eq!(v["sourceRef"]["generatorRef"]["kind"], "Password");
        assert_eq!(serde_json::to_value(GeneratorKind::SshKey).unwrap(), "SSHKey");
        assert_eq!(serde_json::to_value(CreationPolicy::None).unwrap(), "None");
    }
}
