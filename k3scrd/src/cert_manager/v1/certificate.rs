//! `Certificate`, `cert-manager.io/v1`: a TLS certificate cert-manager keeps in a Secret.
//!
//! Source: CRD `cert-manager.io_certificates.yaml` in shared/crds (`spec.secretName` and
//! `spec.issuerRef.name` required; `issuerRef.kind` defaults to `Issuer`, `group` to
//! `cert-manager.io`).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A cert-manager `Certificate` (`cert-manager.io/v1`).
    Certificate(CertificateSpec) {
        group: "cert-manager.io",
        version: "v1",
        plural: "certificates",
        scope: NamespaceResourceScope,
    }
}

/// Spec of a `Certificate`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CertificateSpec {
    /// The Secret (in the Certificate's namespace) the key pair is written to.
    pub secret_name: String,
    /// The issuer that signs the certificate.
    pub issuer_ref: IssuerRef,
    /// The DNS names (subject alternative names) the certificate is valid for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_names: Vec<String>,
}

/// `spec.issuerRef`: an `Issuer` in the same namespace or a `ClusterIssuer`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct IssuerRef {
    /// The issuer's name.
    pub name: String,
    /// `Issuer` or `ClusterIssuer`. Default: `Issuer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The issuer's API group. Default: `cert-manager.io`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl IssuerRef {
    /// A reference to the `Issuer` `name` in the Certificate's namespace.
    #[must_use]
    pub fn issuer(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            kind: Some("Issuer".to_owned()),
            group: Some("cert-manager.io".to_owned()),
        }
    }

    /// A reference to the `ClusterIssuer` `name`.
    #[must_use]
    pub fn cluster_issuer(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            kind: Some("ClusterIssuer".to_owned()),
            group: Some("cert-manager.io".to_owned()),
        }
    }
}
