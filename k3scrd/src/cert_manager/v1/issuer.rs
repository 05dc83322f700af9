//! `Issuer`, `cert-manager.io/v1`: a certificate authority for one namespace.
//!
//! Source: CRD `cert-manager.io_issuers.yaml` in shared/crds (`spec` holds exactly one issuer
//! type: `acme`, `ca`, `selfSigned`, `vault` or `venafi`; `ca.secretName` required). Only the
//! two that need nothing outside the cluster are typed here: `selfSigned` and `ca`.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A cert-manager `Issuer` (`cert-manager.io/v1`).
    Issuer(IssuerSpec) {
        group: "cert-manager.io",
        version: "v1",
        plural: "issuers",
        scope: NamespaceResourceScope,
    }
}

/// Spec of an `Issuer`: exactly one of its fields.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct IssuerSpec {
    /// Certificates signed with their own key (no chain of trust: clients pin the
    /// certificate or skip verification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_signed: Option<SelfSignedIssuer>,
    /// Certificates signed by the CA key pair in a Secret of the Issuer's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca: Option<CaIssuer>,
}

/// `spec.selfSigned`: no settings needed.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SelfSignedIssuer {}

/// `spec.ca`: the Secret holding the CA's `tls.crt` and `tls.key`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CaIssuer {
    /// The Secret's name.
    pub secret_name: String,
}
