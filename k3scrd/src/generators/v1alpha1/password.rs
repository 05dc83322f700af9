//! `Password`, `generators.external-secrets.io/v1alpha1`: a random-password generator consumed
//! through `ExternalSecret.spec.dataFrom[].sourceRef.generatorRef`.
//!
//! Source: external-secrets/external-secrets `apis/generators/v1alpha1/types_password.go`
//! (v2.9.0); CRD `generators.external-secrets.io_passwords.yaml` in shared/crds.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

/// Upstream default of `spec.length`.
const DEFAULT_LENGTH: i64 = 24;

crate::custom_resource! {
    /// An External Secrets Operator `Password` generator (`generators.external-secrets.io/v1alpha1`).
    Password(PasswordSpec) {
        group: "generators.external-secrets.io",
        version: "v1alpha1",
        plural: "passwords",
        scope: NamespaceResourceScope,
    }
}

/// Spec of a `Password` generator. These are all fields of the upstream CRD.
///
/// `length`, `noUpper` and `allowRepeat` are required (and defaulted) upstream, so they are
/// plain fields; [`Default`] gives the upstream defaults (24, false, false).
#[derive(Serialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PasswordSpec {
    /// Length of the password (required). Default: 24.
    pub length: i64,
    /// Number of digits. Default: 25 % of `length`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digits: Option<i64>,
    /// Number of symbol characters. Default: 25 % of `length`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbols: Option<i64>,
    /// Characters used as symbols. Default: ``~!@#$%^&*()_+`-={}|[]\:"<>?,./``.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol_characters: Option<String>,
    /// Disable uppercase letters (required). Default: false.
    pub no_upper: bool,
    /// Allow repeated characters (required). Default: false.
    pub allow_repeat: bool,
    /// Encoding of the generated value. Default: `raw`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<PasswordEncoding>,
    /// Secret keys to fill, each with its own password. Default: `[password]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secret_keys: Vec<String>,
}

impl Default for PasswordSpec {
    fn default() -> Self {
        Self {
            length: DEFAULT_LENGTH,
            digits: None,
            symbols: None,
            symbol_characters: None,
            no_upper: false,
            allow_repeat: false,
            encoding: None,
            secret_keys: Vec::new(),
        }
    }
}

/// `spec.encoding` values.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum PasswordEncoding {
    /// `raw`: no encoding (default).
    #[default]
    Raw,
    /// `base64`: standard base64.
    Base64,
    /// `base64url`: URL-safe base64.
    Base64url,
    /// `base32`: base32.
    Base32,
    /// `hex`: hexadecimal.
    Hex,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matches_upstream_defaults() {
        let v = serde_json::to_value(Password::new("db-password", PasswordSpec::default())).unwrap();
        assert_eq!(v["apiVersion"], "generators.external-secrets.io/v1alpha1");
        assert_eq!(v["kind"], "Password");
        assert_eq!(v["spec"]["length"], 24);
        assert_eq!(v["spec"]["noUpper"], false);
        assert_eq!(v["spec"]["allowRepeat"], false);
        assert!(v["spec"].get("secretKeys").is_none());
    }

    #[test]
    fn serializes_optional_fields() {
        let spec = PasswordSpec {
            length: 32,
            symbols: Some(0),
            symbol_characters: Some("-_".into()),
            encoding: Some(PasswordEncoding::Base64url),
            secret_keys: vec!["password".into(), "admin-password".into()],
            ..Default::default()
        };
        let v = serde_json::to_value(&spec).unwrap();
        assert_eq!(v["symbolCharacters"], "-_");
        assert_eq!(v["encoding"], "base64url");
        assert_eq!(v["secretKeys"][1], "admin-password");
    }
}
