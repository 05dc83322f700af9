//! Environment variables: literals with `${VAR}` substitution, secret, ConfigMap and field refs.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::{
    ConfigMapEnvSource, ConfigMapKeySelector, EnvFromSource, EnvVar, EnvVarSource, ObjectFieldSelector,
    SecretEnvSource, SecretKeySelector,
};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::Deserialize as _;
use serde::de::value::MapAccessDeserializer;
use serde_derive::{Deserialize, Serialize};

use super::interpolate::{check_syntax, substitute};
use crate::error::{ErrorKind, FieldPath, PathRef, Problems, Validate};
use crate::names::{DnsSubdomain, EnvVarName};
use crate::secrets::{DataKey, SecretKeyRef, SecretRef, VALUE_KEY};
use crate::target::{KubeVersion, Target};

/// The first Kubernetes release whose API server accepts every environment variable name of
/// printable ASCII but `=`: `RelaxedEnvironmentVariableValidation` went alpha (off) in 1.30,
/// beta (on by default, could be switched off) in 1.32 and GA (locked on) in 1.34 (KEP-4369;
/// kubernetes/website `feature-gates/RelaxedEnvironmentVariableValidation.md`).
pub const RELAXED_ENV_NAMES_SINCE: KubeVersion = KubeVersion::new(1, 34);

/// Whether every Kubernetes release accepts `name`: the grammar before relaxed validation,
/// `[-._a-zA-Z][-._a-zA-Z0-9]*`, and not `.`, `..` or starting with `..`
/// (kubernetes/apimachinery `pkg/util/validation/validation.go`, `IsEnvVarName` and
/// `hasChDirPrefix`). Dots and dashes (`discovery.type`) were always allowed.
fn is_classic_env_name(name: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
    name.starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '-' | '.' | '_'))
        && name.chars().all(ok)
        && name != "."
        && !name.starts_with("..")
}

/// Checks that the target's oldest Kubernetes release ([`Target::min_kubernetes`]) accepts
/// an environment variable name: names beyond `[-._a-zA-Z][-._a-zA-Z0-9]*` (a leading digit,
/// `:`, spaces, ...) need [`RELAXED_ENV_NAMES_SINCE`].
///
/// ```
/// use k3score::Target;
/// use k3score::target::KubeVersion;
/// use k3score::workload::check_env_name_for;
/// let old = Target { min_kubernetes: KubeVersion::new(1, 33), ..Target::local() };
/// assert!(check_env_name_for(&"discovery.type".parse().unwrap(), &old).is_ok());
/// let err = check_env_name_for(&"1ST_VALUE".parse().unwrap(), &old).unwrap_err();
/// assert!(err.to_string().contains("needs Kubernetes 1.34"), "{err}");
/// assert!(check_env_name_for(&"1ST_VALUE".parse().unwrap(), &Target::local()).is_ok());
/// ```
pub fn check_env_name_for(name: &EnvVarName, target: &Target) -> Result<(), ErrorKind> {
    if is_classic_env_name(name.as_str()) || target.min_kubernetes >= RELAXED_ENV_NAMES_SINCE {
        return Ok(());
    }
    Err(ErrorKind::Unsupported {
        feature: format!("environment variable name {:?}", name.as_str()),
        by: format!("Kubernetes {} (the target's min_kubernetes)", target.min_kubernetes),
        why: format!(
            "a name with characters beyond letters, digits, '_', '-' and '.', or starting with a digit, needs Kubernetes {RELAXED_ENV_NAMES_SINCE} (RelaxedEnvironmentVariableValidation); rename the variable or raise min_kubernetes"
        ),
    })
}

/// Environment variables by name; rendered in name order (Kubernetes expands `$(VAR)` only
/// for variables listed earlier, so such references must sort after what they use).
pub type Env = BTreeMap<EnvVarName, EnvValue>;

/// The value of one environment variable.
///
/// In YAML: a literal (`info`, `8080`, `true`: numbers and booleans are kept as their text;
/// decimal numbers must be quoted because YAML would change their spelling), or one of
/// `{secret: NAME}`, `{secret: NAME, key: KEY}`, `{config_map: NAME, key: KEY}`,
/// `{field: metadata.name}`.
///
/// Literals may use `${VAR}`, filled from [`crate::Context::variables`] at render time; `$$`
/// is a literal `$` (so `$${VAR}` is the text `${VAR}`). Kubernetes' own `$(VAR)` references
/// pass through untouched (write `$$$$(VAR)` for Kubernetes' escaped `$$(VAR)`).
///
/// ```
/// use k3score::workload::EnvValue;
/// let v: EnvValue = serde_json::from_str(r#"{"secret": "orders-api-key"}"#).unwrap();
/// assert!(matches!(v, EnvValue::Secret(_)));
/// let n: EnvValue = serde_json::from_str("8080").unwrap();
/// assert_eq!(n, EnvValue::Literal("8080".into()));
/// let err = serde_json::from_str::<EnvValue>(r#"{"secret": "a", "config_map": "b"}"#).unwrap_err();
/// assert!(err.to_string().contains("only one of secret, config_map or field"), "{err}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum EnvValue {
    /// A literal value, `${VAR}` substituted.
    Literal(#[cfg_attr(feature = "schema", schemars(schema_with = "literal_schema"))] String),
    /// A key of a Secret (a Secret or ExternalSecret is rendered for it, see [`crate::secrets`]).
    Secret(SecretKeyRef),
    /// A key of an existing ConfigMap.
    ConfigMap(ConfigMapKeyRef),
    /// A field of the pod (downward API).
    Field(FieldRef),
}

#[cfg(feature = "schema")]
fn literal_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": ["string", "integer", "boolean"]})
}

/// `{config_map: NAME, key: KEY}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ConfigMapKeyRef {
    /// The ConfigMap's name.
    pub config_map: DnsSubdomain,
    /// The key.
    pub key: DataKey,
}

/// `{field: PATH}`: a downward-API field such as `metadata.name` or `status.podIP`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct FieldRef {
    /// The field path (see [`check_field_path`]).
    pub field: String,
}

/// The raw map form, checked into an [`EnvValue`].
#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
struct EnvSource {
    secret: Option<DnsSubdomain>,
    config_map: Option<DnsSubdomain>,
    key: Option<DataKey>,
    field: Option<String>,
}

impl TryFrom<EnvSource> for EnvValue {
    type Error = String;
    fn try_from(raw: EnvSource) -> Result<Self, String> {
        match (raw.secret, raw.config_map, raw.field) {
            (Some(secret), None, None) => Ok(EnvValue::Secret(SecretKeyRef { secret, key: raw.key })),
            (None, Some(config_map), None) => match raw.key {
                Some(key) => Ok(EnvValue::ConfigMap(ConfigMapKeyRef { config_map, key })),
                None => Err("{config_map: NAME} needs a key: {config_map: NAME, key: KEY}".to_owned()),
            },
            (None, None, Some(field)) if raw.key.is_none() => Ok(EnvValue::Field(FieldRef { field })),
            (None, None, Some(_)) => Err("key is not allowed with field".to_owned()),
            (None, None, None) => Err("set one of secret, config_map or field".to_owned()),
            _ => Err("set only one of secret, config_map or field".to_owned()),
        }
    }
}

impl<'de> serde::Deserialize<'de> for EnvValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = EnvValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, or {secret: NAME}, {config_map: NAME, key: KEY} or {field: PATH}")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<EnvValue, E> {
                Ok(EnvValue::Literal(v.to_owned()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<EnvValue, E> {
                Ok(EnvValue::Literal(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<EnvValue, E> {
                Ok(EnvValue::Literal(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<EnvValue, E> {
                Ok(EnvValue::Literal(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<EnvValue, E> {
                Err(E::custom(format!(
                    "quote decimal numbers (\"{v}\"): YAML would change their spelling"
                )))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<EnvValue, E> {
                Err(E::custom("empty value: write \"\" for an empty string"))
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<EnvValue, E> {
                self.visit_unit()
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<EnvValue, A::Error> {
                let raw = EnvSource::deserialize(MapAccessDeserializer::new(map))?;
                EnvValue::try_from(raw).map_err(serde::de::Error::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl From<&str> for EnvValue {
    fn from(value: &str) -> Self {
        EnvValue::Literal(value.to_owned())
    }
}

/// A whole Secret or ConfigMap as environment variables: `{secret: NAME}` or `{config_map: NAME}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum EnvFrom {
    /// Every key of a Secret (a Secret or ExternalSecret is rendered for it).
    Secret(DnsSubdomain),
    /// Every key of an existing ConfigMap.
    ConfigMap(DnsSubdomain),
}

impl EnvFrom {
    /// The container's `envFrom[]` entry.
    #[must_use]
    pub fn to_env_from_source(&self) -> EnvFromSource {
        match self {
            EnvFrom::Secret(name) => EnvFromSource {
                secret_ref: Some(SecretEnvSource {
                    name: name.to_string(),
                    ..Default::default()
                }),
                ..Default::default()
            },
            EnvFrom::ConfigMap(name) => EnvFromSource {
                config_map_ref: Some(ConfigMapEnvSource {
                    name: name.to_string(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        }
    }
}

/// Checks a downward-API field path allowed in env: `metadata.name`, `metadata.namespace`,
/// `metadata.uid`, `metadata.labels['KEY']`, `metadata.annotations['KEY']`, `spec.nodeName`,
/// `spec.serviceAccountName`, `status.hostIP`, `status.hostIPs`, `status.podIP`, `status.podIPs`.
pub fn check_field_path(path: &str) -> Result<(), ErrorKind> {
    const PLAIN: [&str; 9] = [
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "spec.nodeName",
        "spec.serviceAccountName",
        "status.hostIP",
        "status.hostIPs",
        "status.podIP",
        "status.podIPs",
    ];
    if PLAIN.contains(&path) {
        return Ok(());
    }
    let keyed = ["metadata.labels['", "metadata.annotations['"]
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix))
        .and_then(|rest| rest.strip_suffix("']"));
    match keyed {
        Some(key) => crate::names::check_label_key(key),
        None => Err(ErrorKind::Invalid(format!(
            "{path:?} is not a downward-API field; use one of {}, metadata.labels['KEY'], metadata.annotations['KEY']",
            PLAIN.join(", ")
        ))),
    }
}

impl EnvValue {
    /// The container's `env[]` entry for `name`, `${VAR}` substituted; `None` on errors,
    /// which are recorded at `path`.
    pub(crate) fn to_env_var(
        &self,
        name: &EnvVarName,
        variables: &BTreeMap<String, String>,
        path: PathRef<'_>,
        problems: &mut Problems,
    ) -> Option<EnvVar> {
        let from = |source: EnvVarSource| EnvVar {
            name: name.to_string(),
            value_from: Some(source),
            ..Default::default()
        };
        Some(match self {
            EnvValue::Literal(text) => EnvVar {
                name: name.to_string(),
                value: Some(substitute(text, variables, path, problems)?),
                ..Default::default()
            },
            EnvValue::Secret(r) => from(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: r.secret.to_string(),
                    key: r.key.as_ref().map_or(VALUE_KEY, DataKey::as_str).to_owned(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            EnvValue::ConfigMap(r) => from(EnvVarSource {
                config_map_key_ref: Some(ConfigMapKeySelector {
                    name: r.config_map.to_string(),
                    key: r.key.to_string(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            EnvValue::Field(f) => from(EnvVarSource {
                field_ref: Some(ObjectFieldSelector {
                    field_path: f.field.clone(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
        })
    }
}

impl Validate for EnvValue {
    /// Records a malformed `${...}` in a literal and a field path that is not allowed.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        match self {
            EnvValue::Literal(text) => {
                check_syntax(text, path, problems);
            }
            EnvValue::Field(field) => {
                problems.check(path.field("field"), check_field_path(&field.field));
            }
            EnvValue::Secret(_) | EnvValue::ConfigMap(_) => {}
        }
    }
}

/// The secret references made by `env` and `env_from`, with their paths.
pub(crate) fn secret_refs(env: &Env, env_from: &[EnvFrom]) -> Vec<SecretRef> {
    let root = FieldPath::root();
    let mut refs = Vec::new();
    for (name, value) in env {
        if let EnvValue::Secret(r) = value {
            refs.push(
                SecretRef::from(r)
                    .for_env(name.clone())
                    .at(root.field("env").field(name.to_string())),
            );
        }
    }
    for (i, from) in env_from.iter().enumerate() {
        if let EnvFrom::Secret(secret) = from {
            refs.push(SecretRef::all(secret.clone()).at(root.field("env_from").index(i)));
        }
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::SecretItem;

    #[test]
    fn literal_forms() {
        let env: Env = serde_json::from_str(r#"{"A": "x", "B": 1, "C": true, "D": ""}"#).unwrap();
        let values: Vec<_> = env.values().cloned().collect();
        assert_eq!(values, [EnvValue::from("x"), "1".into(), "true".into(), "".into()]);
        assert!(
            serde_json::from_str::<EnvValue>("1.10")
                .unwrap_err()
                .to_string()
                .contains("quote decimal")
        );
        assert!(
            serde_json::from_str::<EnvValue>("null")
                .unwrap_err()
                .to_string()
                .contains("empty value")
        );
        assert!(serde_json::from_str::<Env>(r#"{"A=B": "x"}"#).is_err());
        assert!(serde_json::from_str::<Env>(r#"{"1ST": "x", "discovery.type": "single-node"}"#).is_ok());
    }

    #[test]
    fn env_names_by_kubernetes_release() {
        let old = Target {
            min_kubernetes: KubeVersion::new(1, 33),
            ..Target::local()
        };
        let at = |name: &str, target: &Target| check_env_name_for(&name.parse().unwrap(), target);
        for classic in [
            "DATABASE_URL",
            "discovery.type",
            "xpack.security.enabled",
            "-x",
            "_",
            "a..b",
        ] {
            assert!(at(classic, &old).is_ok(), "{classic}");
        }
        for relaxed in ["1ST", "a:b", "with space", "..x", ".", "x/y"] {
            let err = at(relaxed, &old).unwrap_err().to_string();
            assert!(
                err.contains("not supported by Kubernetes 1.33") && err.contains("1.34"),
                "{err}"
            );
            assert!(at(relaxed, &Target::local()).is_ok(), "{relaxed}");
            let exactly = Target {
                min_kubernetes: RELAXED_ENV_NAMES_SINCE,
                ..Target::local()
            };
            assert!(at(relaxed, &exactly).is_ok(), "{relaxed}");
        }
    }

    #[test]
    fn map_forms_and_their_errors() {
        let parse = |s: &str| serde_json::from_str::<EnvValue>(s).map_err(|e| e.to_string());
        assert_eq!(
            parse(r#"{"config_map": "settings", "key": "a.json"}"#).unwrap(),
            EnvValue::ConfigMap(ConfigMapKeyRef {
                config_map: "settings".parse().unwrap(),
                key: "a.json".parse().unwrap()
            })
        );
        assert!(matches!(
            parse(r#"{"field": "metadata.name"}"#).unwrap(),
            EnvValue::Field(_)
        ));
        assert!(
            parse(r#"{"config_map": "settings"}"#)
                .unwrap_err()
                .contains("needs a key")
        );
        assert!(
            parse(r#"{"field": "x", "key": "k"}"#)
                .unwrap_err()
                .contains("not allowed with field")
        );
        assert!(parse(r#"{"key": "k"}"#).unwrap_err().contains("set one of"));
        assert!(
            parse(r#"{"secret": "a", "sekret": "b"}"#)
                .unwrap_err()
                .contains("sekret")
        );
        assert!(
            parse(r#"{"secret": "Bad_Name"}"#)
                .unwrap_err()
                .contains("DNS-1123 subdomain")
        );
        assert!(parse(r#"{"secret": "a", "key": "a/b"}"#).is_err());
    }

    #[test]
    fn field_paths() {
        for ok in [
            "metadata.name",
            "status.podIP",
            "metadata.labels['app.kubernetes.io/name']",
        ] {
            assert!(check_field_path(ok).is_ok(), "{ok}");
        }
        for bad in ["metadata.labels", "spec.containers", "metadata.labels['bad key']"] {
            assert!(check_field_path(bad).is_err(), "{bad}");
        }
        let mut problems = Problems::default();
        EnvValue::Field(FieldRef { field: "spec.x".into() })
            .validate(PathRef::ROOT.field("env").field("X"), &mut problems);
        EnvValue::from("${OK} ${A").validate(PathRef::ROOT.field("env").field("Y"), &mut problems);
        let errs = problems.finish(()).unwrap_err();
        assert!(errs.0[0].to_string().starts_with("env.X.field: "));
        assert!(errs.0[1].to_string().starts_with("env.Y: unterminated"));
    }

    #[test]
    fn renders_env_vars_and_refs() {
        let env: Env = serde_json::from_str(
            r#"{"API_KEY": {"secret": "api"}, "DB_PW": {"secret": "db", "key": "pw"}, "POD": {"field": "metadata.name"}}"#,
        )
        .unwrap();
        let mut problems = Problems::default();
        let vars: Vec<EnvVar> = env
            .iter()
            .filter_map(|(n, v)| v.to_env_var(n, &BTreeMap::new(), PathRef::ROOT, &mut problems))
            .collect();
        let api = vars[0].value_from.as_ref().unwrap().secret_key_ref.as_ref().unwrap();
        assert_eq!((api.name.as_str(), api.key.as_str()), ("api", "value"));
        assert_eq!(
            vars[1]
                .value_from
                .as_ref()
                .unwrap()
                .secret_key_ref
                .as_ref()
                .unwrap()
                .key,
            "pw"
        );
        assert_eq!(
            vars[2]
                .value_from
                .as_ref()
                .unwrap()
                .field_ref
                .as_ref()
                .unwrap()
                .field_path,
            "metadata.name"
        );
        let refs = secret_refs(
            &env,
            &[
                EnvFrom::ConfigMap("c".parse().unwrap()),
                EnvFrom::Secret("bundle".parse().unwrap()),
            ],
        );
        assert_eq!(refs.len(), 3);
        assert_eq!(refs[0].path.to_string(), "env.API_KEY");
        assert_eq!(refs[0].env.as_ref().map(EnvVarName::as_str), Some("API_KEY"));
        assert_eq!(refs[1].item, SecretItem::Key("pw".parse().unwrap()));
        assert_eq!(
            (refs[2].item.clone(), refs[2].path.to_string()),
            (SecretItem::All, "env_from[1]".to_owned())
        );
        let from = EnvFrom::Secret("bundle".parse().unwrap()).to_env_from_source();
        assert_eq!(from.secret_ref.unwrap().name, "bundle");
    }
}
