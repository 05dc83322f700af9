//! `TriggerAuthentication`, `keda.sh/v1alpha1`: credentials for KEDA scalers.
//!
//! Source: kedacore/keda `apis/keda/v1alpha1/triggerauthentication_types.go` (v2.20.2);
//! CRD `keda.sh_triggerauthentications.yaml` in shared/crds.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A KEDA `TriggerAuthentication` (`keda.sh/v1alpha1`).
    TriggerAuthentication(TriggerAuthenticationSpec) {
        group: "keda.sh",
        version: "v1alpha1",
        plural: "triggerauthentications",
        scope: NamespaceResourceScope,
    }
}

/// Spec of a KEDA `TriggerAuthentication`: where a scaler's auth parameters come from.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TriggerAuthenticationSpec {
    /// Auth parameters read from Secrets in the same namespace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secret_target_ref: Vec<AuthSecretTargetRef>,
    /// Auth parameters read from environment variables of the scale target's container.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<AuthEnvironment>,
    /// Cloud workload identity used by the scaler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_identity: Option<AuthPodIdentity>,
}

/// One entry of `spec.secretTargetRef`: a Secret key mapped to a scaler auth parameter.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthSecretTargetRef {
    /// The scaler's auth parameter name, e.g. `password` (required).
    pub parameter: String,
    /// Name of the Secret (required).
    pub name: String,
    /// Key inside the Secret (required).
    pub key: String,
}

/// One entry of `spec.env`: an environment variable mapped to a scaler auth parameter.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthEnvironment {
    /// The scaler's auth parameter name (required).
    pub parameter: String,
    /// Name of the environment variable (required).
    pub name: String,
    /// Container to read from. Default: the scale target's `envSourceContainerName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
}

/// `spec.podIdentity`: authenticate the scaler with a cloud workload identity.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthPodIdentity {
    /// Identity provider (required).
    pub provider: PodIdentityProvider,
    /// Azure: client ID of the managed identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_id: Option<String>,
    /// AWS: IAM role to assume; mutually exclusive with `identityOwner`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// AWS: whose identity to use; mutually exclusive with `roleArn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_owner: Option<IdentityOwner>,
}

/// `spec.podIdentity.provider` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum PodIdentityProvider {
    /// `none`: no pod identity.
    #[default]
    #[serde(rename = "none")]
    None,
    /// `azure-workload`: Azure AD Workload Identity.
    #[serde(rename = "azure-workload")]
    AzureWorkload,
    /// `aws`: AWS IAM (IRSA / EKS pod identity).
    #[serde(rename = "aws")]
    Aws,
    /// `aws-eks`: deprecated alias of `aws`.
    #[serde(rename = "aws-eks")]
    AwsEks,
    /// `gcp`: GKE Workload Identity.
    #[serde(rename = "gcp")]
    Gcp,
}

/// `spec.podIdentity.identityOwner` values (AWS).
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum IdentityOwner {
    /// `keda`: use the KEDA operator's identity.
    #[default]
    Keda,
    /// `workload`: use the scale target's identity.
    Workload,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_secret_refs_and_identity() {
        let ta = TriggerAuthentication::new(
            "redis-auth",
            TriggerAuthenticationSpec {
                secret_target_ref: vec![AuthSecretTargetRef {
                    parameter: "password".into(),
                    name: "redis".into(),
                    key: "redis-password".into(),
                }],
                env: vec![],
                pod_identity: Some(AuthPodIdentity {
                    provider: PodIdentityProvider::AzureWorkload,
                    identity_id: Some("00000000-0000-0000-0000-000000000000".into()),
                    ..Default::default()
                }),
            },
        );
        let v = serde_json::to_value(&ta).unwrap();
        assert_eq!(v["apiVersion"], "keda.sh/v1alpha1");
        assert_eq!(v["kind"], "TriggerAuthentication");
        assert_eq!(v["spec"]["secretTargetRef"][0]["parameter"], "password");
        assert!(v["spec"].get("env").is_none());
        assert_eq!(v["spec"]["podIdentity"]["provider"], "azure-workload");
        assert_eq!(
            v["spec"]["podIdentity"]["identityId"],
            "00000000-0000-0000-0000-000000000000"
        );
        assert_eq!(serde_json::to_value(IdentityOwner::Workload).unwrap(), "workload");
    }
}
