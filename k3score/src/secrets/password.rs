//! Generated passwords: an External Secrets `Password` generator and a stable `ExternalSecret`.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::context::Context;
use crate::crd::external_secrets::v1::{
    CreationPolicy, ExternalSecret, ExternalSecretDataFromRemoteRef, ExternalSecretSpec, ExternalSecretTarget,
    GeneratorKind, GeneratorRef, RefreshPolicy, StoreGeneratorSourceRef,
};
use crate::crd::generators::v1alpha1::{Password, PasswordSpec};
use crate::error::{Error, ErrorKind, Errors, FieldPath, PathRef, Problems, Validate};
use crate::names::DnsSubdomain;
use crate::object::Object;
use crate::target::SecretBackend;

/// API version of the External Secrets generators (REFERENCE §6c, E5).
const GENERATORS_API_VERSION: &str = "generators.external-secrets.io/v1alpha1";

/// A random password, generated once in the cluster and then kept (REFERENCE §6c).
///
/// With External Secrets it renders a `Password` generator and an `ExternalSecret` reading it
/// through `dataFrom[].sourceRef.generatorRef` with `refreshPolicy: CreatedOnce`: the password
/// is generated when the Secret is first created and never rotated behind the workloads' back.
/// The Secret has the single key `password`. On local targets rendering stays deterministic:
/// the password is read from [`Context::secret_values`] as `<name>.password`.
///
/// ```
/// use std::collections::BTreeMap;
/// use k3score::secrets::GeneratedPassword;
/// use k3score::crd::external_secrets::v1::RefreshPolicy;
/// use k3score::{Context, Object, Target};
///
/// let ctx = Context::new(Target::gcp(), "shop".parse().unwrap());
/// let objects = GeneratedPassword::default().render(&"db-password".parse().unwrap(), &BTreeMap::new(), &ctx).unwrap();
/// let Object::Password(generator) = &objects[0] else { panic!() };
/// assert_eq!(generator.spec.length, 24);
/// let Object::ExternalSecret(es) = &objects[1] else { panic!() };
/// assert_eq!(es.spec.refresh_policy, Some(RefreshPolicy::CreatedOnce));
/// let generator_ref = es.spec.data_from[0].source_ref.as_ref().unwrap().generator_ref.as_ref().unwrap();
/// assert_eq!(generator_ref.name, "db-password");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct GeneratedPassword {
    /// Length of the password. Default: 24 (the generator's default).
    #[serde(default = "GeneratedPassword::default_length")]
    pub length: u16,
    /// Number of digits. Default: 25 % of the length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digits: Option<u16>,
    /// Number of symbols. Default: 25 % of the length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbols: Option<u16>,
    /// No upper-case letters. Default: false.
    #[serde(default)]
    pub no_upper: bool,
    /// Allow repeated characters. Default: false.
    #[serde(default)]
    pub allow_repeat: bool,
}

impl Default for GeneratedPassword {
    fn default() -> Self {
        Self {
            length: Self::DEFAULT_LENGTH,
            digits: None,
            symbols: None,
            no_upper: false,
            allow_repeat: false,
        }
    }
}

impl GeneratedPassword {
    /// The default length, as upstream's generator (E5).
    pub const DEFAULT_LENGTH: u16 = 24;
    /// The Secret key holding the password.
    pub const KEY: &'static str = "password";

    fn default_length() -> u16 {
        Self::DEFAULT_LENGTH
    }

    /// The `Password` generator named `name` in `namespace`.
    #[must_use]
    pub fn generator(&self, name: &DnsSubdomain, namespace: Option<String>) -> Password {
        Password {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace,
                ..Default::default()
            },
            spec: PasswordSpec {
                length: i64::from(self.length),
                digits: self.digits.map(i64::from),
                symbols: self.symbols.map(i64::from),
                no_upper: self.no_upper,
                allow_repeat: self.allow_repeat,
                ..Default::default()
            },
        }
    }

    /// The `ExternalSecret` that writes the Secret `name` from the generator of the same name,
    /// once.
    #[must_use]
    pub fn external_secret(name: &DnsSubdomain, namespace: Option<String>) -> ExternalSecret {
        ExternalSecret {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace,
                ..Default::default()
            },
            spec: ExternalSecretSpec {
                refresh_policy: Some(RefreshPolicy::CreatedOnce),
                target: Some(ExternalSecretTarget {
                    name: Some(name.to_string()),
                    creation_policy: Some(CreationPolicy::Owner),
                    ..Default::default()
                }),
                data_from: vec![ExternalSecretDataFromRemoteRef {
                    extract: None,
                    source_ref: Some(StoreGeneratorSourceRef {
                        generator_ref: Some(GeneratorRef {
                            api_version: Some(GENERATORS_API_VERSION.to_owned()),
                            kind: GeneratorKind::Password,
                            name: name.to_string(),
                        }),
                    }),
                }],
                ..Default::default()
            },
        }
    }

    /// The objects providing the Secret `name` (key `password`): generator and ExternalSecret,
    /// or on local targets a Secret from `<name>.password` in the secret values. Errors are at
    /// the root path; nest them with [`Errors::under`].
    pub fn render(
        &self,
        name: &DnsSubdomain,
        labels: &BTreeMap<String, String>,
        ctx: &Context,
    ) -> Result<Vec<Object>, Errors> {
        self.check()?;
        let labels = (!labels.is_empty()).then(|| labels.clone());
        match &ctx.target.secrets {
            SecretBackend::Local => {
                let value = ctx.secret_values.get(&format!("{name}.{}", Self::KEY)).ok_or_else(|| {
                    Error::new(
                        FieldPath::root(),
                        ErrorKind::MissingSecretValue {
                            secret: name.to_string(),
                            key: Self::KEY.to_owned(),
                        },
                    )
                })?;
                let secret = Secret {
                    metadata: ObjectMeta {
                        name: Some(name.to_string()),
                        namespace: ctx.ns(),
                        labels,
                        ..Default::default()
                    },
                    type_: Some("Opaque".to_owned()),
                    data: Some(BTreeMap::from([(
                        Self::KEY.to_owned(),
                        ByteString(value.clone().into_bytes()),
                    )])),
                    ..Default::default()
                };
                Ok(vec![secret.into()])
            }
            SecretBackend::ExternalSecrets { .. } => {
                let mut generator = self.generator(name, ctx.ns());
                generator.metadata.labels.clone_from(&labels);
                let mut es = Self::external_secret(name, ctx.ns());
                es.metadata.labels = labels;
                Ok(vec![generator.into(), es.into()])
            }
        }
    }
}

impl Validate for GeneratedPassword {
    /// Records a zero length and more digits and symbols than the length.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if self.length == 0 {
            problems.push(path.field("length"), ErrorKind::Invalid("must be at least 1".into()));
        }
        let fixed = u32::from(self.digits.unwrap_or(0)) + u32::from(self.symbols.unwrap_or(0));
        if fixed > u32::from(self.length) {
            problems.push(
                path.field("length"),
                ErrorKind::Conflict(format!("digits + symbols ({fixed}) exceed the length {}", self.length)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Target;

    #[test]
    fn local_reads_the_value_or_fails() {
        let name: DnsSubdomain = "db-password".parse().unwrap();
        let ctx = Context::new(Target::local(), "shop".parse().unwrap());
        let err = GeneratedPassword::default()
            .render(&name, &BTreeMap::new(), &ctx)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "secret \"db-password\" has no value for key \"password\" in the provided values"
        );
        let ctx = ctx.with_secret_values(BTreeMap::from([("db-password.password".to_owned(), "pw".to_owned())]));
        let objects = GeneratedPassword::default()
            .render(&name, &BTreeMap::new(), &ctx)
            .unwrap();
        let Object::Secret(s) = &objects[0] else { panic!() };
        assert_eq!(s.data.as_ref().unwrap()["password"].0, b"pw");
    }

    #[test]
    fn generator_fields_and_labels() {
        let spec: GeneratedPassword = serde_json::from_str(r#"{"length": 32, "digits": 4, "no_upper": true}"#).unwrap();
        let labels = BTreeMap::from([("a".to_owned(), "b".to_owned())]);
        let ctx = Context::new(Target::dev(), "shop".parse().unwrap());
        let objects = spec.render(&"pw".parse().unwrap(), &labels, &ctx).unwrap();
        let Object::Password(p) = &objects[0] else { panic!() };
        assert_eq!(
            (p.spec.length, p.spec.digits, p.spec.symbols, p.spec.no_upper),
            (32, Some(4), None, true)
        );
        assert_eq!(p.metadata.namespace.as_deref(), Some("shop"));
        assert_eq!(p.metadata.labels.as_ref().unwrap()["a"], "b");
        let Object::ExternalSecret(es) = &objects[1] else {
            panic!()
        };
        assert!(es.spec.secret_store_ref.is_none());
        assert_eq!(es.spec.target.as_ref().unwrap().name.as_deref(), Some("pw"));
        let g = es.spec.data_from[0]
            .source_ref
            .as_ref()
            .unwrap()
            .generator_ref
            .as_ref()
            .unwrap();
        assert_eq!(
            (g.api_version.as_deref(), g.kind),
            (Some(GENERATORS_API_VERSION), GeneratorKind::Password)
        );
    }

    #[test]
    fn invalid_lengths() {
        let spec = GeneratedPassword {
            length: 4,
            digits: Some(3),
            symbols: Some(2),
            ..Default::default()
        };
        let ctx = Context::new(Target::dev(), "shop".parse().unwrap());
        let err = spec.render(&"pw".parse().unwrap(), &BTreeMap::new(), &ctx).unwrap_err();
        assert_eq!(
            err.to_string(),
            "length: conflict: digits + symbols (5) exceed the length 4"
        );
        let mut problems = Problems::default();
        GeneratedPassword {
            length: 0,
            ..Default::default()
        }
        .validate(PathRef::ROOT.field("pw"), &mut problems);
        assert_eq!(
            problems.finish(()).unwrap_err().to_string(),
            "pw.length: must be at least 1"
        );
    }
}
