//! Secret references and their rendering as Secrets (local) or ExternalSecrets (cloud).

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::key::{DataKey, SecretKeyRef, check_data_key};
use crate::context::Context;
use crate::crd::external_secrets::v1::{
    CreationPolicy, ExternalSecret, ExternalSecretData, ExternalSecretDataFromRemoteRef, ExternalSecretDataRemoteRef,
    ExternalSecretSpec, ExternalSecretTarget, SecretStoreKind, SecretStoreRef,
};
use crate::error::{ErrorKind, Errors, FieldPath, Problems};
use crate::names::{DnsSubdomain, EnvVarName};
use crate::object::Object;
use crate::target::SecretBackend;

/// The Secret key that holds a secret's single value (`API_KEY: {secret: orders-api-key}`).
pub const VALUE_KEY: &str = "value";

/// What a workload reads from a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretItem {
    /// The secret's single value (`{secret: NAME}`): Secret key `value`; remotely, the whole
    /// remote secret.
    Value,
    /// One key (`{secret: NAME, key: KEY}`): Secret key `KEY`; remotely, the JSON property `KEY`
    /// of the remote secret.
    Key(DataKey),
    /// Every key (`env_from: [{secret: NAME}]`); remotely, every JSON property of the remote secret.
    All,
}

/// One reference to a secret, with where it was made (for errors) and the env var it feeds.
///
/// ```
/// use k3score::secrets::{SecretItem, SecretRef};
/// let r = SecretRef::value("orders-api-key".parse().unwrap()).for_env("API_KEY".parse().unwrap());
/// assert_eq!(r.item, SecretItem::Value);
/// assert_eq!(r.secret_key(), Some("value"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRef {
    /// The Secret's name (also the ExternalSecret's and the remote secret's).
    pub secret: DnsSubdomain,
    /// What is read from it.
    pub item: SecretItem,
    /// The env var the value feeds, the fallback `.env` key on local targets.
    pub env: Option<EnvVarName>,
    /// Where the reference was made (`env.API_KEY`, `env_from[0]`), for errors.
    pub path: FieldPath,
}

/// The reference a `{secret: NAME, key: KEY}` makes: the key, or the single value without one.
impl From<&SecretKeyRef> for SecretRef {
    fn from(r: &SecretKeyRef) -> Self {
        match &r.key {
            Some(key) => SecretRef::key(r.secret.clone(), key.clone()),
            None => SecretRef::value(r.secret.clone()),
        }
    }
}

impl SecretRef {
    fn new(secret: DnsSubdomain, item: SecretItem) -> Self {
        Self {
            secret,
            item,
            env: None,
            path: FieldPath::root(),
        }
    }

    /// The single value of `secret`.
    #[must_use]
    pub fn value(secret: DnsSubdomain) -> Self {
        Self::new(secret, SecretItem::Value)
    }

    /// The key `key` of `secret`.
    #[must_use]
    pub fn key(secret: DnsSubdomain, key: DataKey) -> Self {
        Self::new(secret, SecretItem::Key(key))
    }

    /// Every key of `secret`.
    #[must_use]
    pub fn all(secret: DnsSubdomain) -> Self {
        Self::new(secret, SecretItem::All)
    }

    /// The same reference, feeding the env var `env`.
    #[must_use]
    pub fn for_env(mut self, env: EnvVarName) -> Self {
        self.env = Some(env);
        self
    }

    /// The same reference, made at `path`.
    #[must_use]
    pub fn at(mut self, path: FieldPath) -> Self {
        self.path = path;
        self
    }

    /// The key inside the Kubernetes Secret, `None` for [`SecretItem::All`].
    #[must_use]
    pub fn secret_key(&self) -> Option<&str> {
        match &self.item {
            SecretItem::Value => Some(VALUE_KEY),
            SecretItem::Key(key) => Some(key.as_str()),
            SecretItem::All => None,
        }
    }

    fn remote_property(&self) -> Option<&str> {
        match &self.item {
            SecretItem::Key(key) => Some(key.as_str()),
            SecretItem::Value | SecretItem::All => None,
        }
    }
}

/// One Secret key and the references that need it.
struct KeyUse<'a> {
    property: Option<&'a str>,
    envs: Vec<&'a EnvVarName>,
    path: &'a FieldPath,
}

#[derive(Default)]
struct Group<'a> {
    keys: BTreeMap<&'a str, KeyUse<'a>>,
    all: Option<&'a FieldPath>,
}

fn group<'a>(refs: &'a [SecretRef], problems: &mut Problems) -> BTreeMap<DnsSubdomain, Group<'a>> {
    let mut groups: BTreeMap<DnsSubdomain, Group<'a>> = BTreeMap::new();
    for r in refs {
        let group = groups.entry(r.secret.clone()).or_default();
        let Some(key) = r.secret_key() else {
            group.all.get_or_insert(&r.path);
            continue;
        };
        match group.keys.get_mut(key) {
            Some(used) if used.property != r.remote_property() => problems.push(
                r.path.clone(),
                ErrorKind::Conflict(format!(
                    "secret {:?} is read both as a whole value and as key {key:?} (at {}); \
                     use {{secret: {}, key: KEY}} everywhere",
                    r.secret.as_str(),
                    used.path,
                    r.secret.as_str()
                )),
            ),
            Some(used) => used.envs.extend(&r.env),
            None => {
                let envs = r.env.iter().collect();
                group.keys.insert(
                    key,
                    KeyUse {
                        property: r.remote_property(),
                        envs,
                        path: &r.path,
                    },
                );
            }
        }
    }
    groups
}

/// Renders the objects that provide the referenced secrets, one per secret name, keys sorted.
///
/// Several references to the same secret yield one object with every key they need, so
/// callers rendering many workloads into one namespace should collect the references of all of
/// them and call this once.
///
/// - **Local** ([`SecretBackend::Local`]): an `Opaque` Secret with `data` (bytes, as the API
///   server stores them, so diffs against the live object are clean). The value of key `KEY` of
///   secret `NAME` is looked up in [`Context::secret_values`] as `NAME.KEY`, then under the name
///   of each env var that references it (so `API_KEY=...` in a `.env` file serves
///   `API_KEY: {secret: orders-api-key}`). A single-value reference has the key `value`. An
///   `env_from` reference takes every `NAME.*` entry. A missing value is an error
///   ([`ErrorKind::MissingSecretValue`]), never an empty string.
/// - **External Secrets**: an `ExternalSecret` named like the Secret, against the target's
///   `ClusterSecretStore`, with `refreshInterval` from the target. The remote secret has the
///   Secret's name. A single value reads it whole, `key: KEY` reads its JSON property `KEY`, and
///   `env_from` extracts every property (`dataFrom[].extract`).
///
/// ```
/// use std::collections::BTreeMap;
/// use k3score::secrets::{render_secret_refs, SecretRef};
/// use k3score::crd::external_secrets::v1::ExternalSecret;
/// use k3score::{Context, Object, Target};
///
/// let refs = [
///     SecretRef::value("orders-api-key".parse().unwrap()).for_env("API_KEY".parse().unwrap()),
///     SecretRef::key("orders-db".parse().unwrap(), "password".parse().unwrap()),
/// ];
/// let labels = BTreeMap::new();
/// // Local: values from the `.env` map.
/// let values = BTreeMap::from([
///     ("API_KEY".to_owned(), "s3cret".to_owned()),
///     ("orders-db.password".to_owned(), "hunter2".to_owned()),
/// ]);
/// let local = Context::new(Target::local(), "shop".parse().unwrap()).with_secret_values(values);
/// let objects = render_secret_refs(&refs, &labels, &local).unwrap();
/// let Object::Secret(secret) = &objects[0] else { panic!() };
/// assert_eq!(secret.data.as_ref().unwrap()["value"].0, b"s3cret");
/// // Cloud: ExternalSecrets against the target's store.
/// let cloud = Context::new(Target::gcp(), "shop".parse().unwrap());
/// let objects = render_secret_refs(&refs, &labels, &cloud).unwrap();
/// let Object::ExternalSecret(es) = &objects[1] else { panic!() };
/// assert_eq!(es.spec.data[0].remote_ref.key, "orders-db");
/// assert_eq!(es.spec.data[0].remote_ref.property.as_deref(), Some("password"));
/// ```
pub fn render_secret_refs(
    refs: &[SecretRef],
    labels: &BTreeMap<String, String>,
    ctx: &Context,
) -> Result<Vec<Object>, Errors> {
    let mut problems = Problems::default();
    let groups = group(refs, &mut problems);
    let mut objects = Vec::with_capacity(groups.len());
    for (name, group) in &groups {
        let meta = ObjectMeta {
            name: Some(name.to_string()),
            namespace: ctx.ns(),
            labels: (!labels.is_empty()).then(|| labels.clone()),
            ..Default::default()
        };
        match &ctx.target.secrets {
            SecretBackend::Local => {
                if let Some(data) = local_data(name, group, ctx, &mut problems) {
                    objects.push(Object::from(Secret {
                        metadata: meta,
                        type_: Some("Opaque".to_owned()),
                        data: Some(data),
                        ..Default::default()
                    }));
                }
            }
            SecretBackend::ExternalSecrets {
                store,
                refresh_interval,
            } => {
                let spec = external_spec(name, group, store, refresh_interval);
                objects.push(Object::from(ExternalSecret { metadata: meta, spec }));
            }
        }
    }
    problems.finish(objects)
}

fn local_data(
    name: &DnsSubdomain,
    group: &Group<'_>,
    ctx: &Context,
    problems: &mut Problems,
) -> Option<BTreeMap<String, ByteString>> {
    let mut ok = true;
    let mut data = BTreeMap::new();
    if let Some(path) = group.all {
        let prefix = format!("{name}.");
        for (full, value) in ctx.secret_values.range(prefix.clone()..) {
            let Some(key) = full.strip_prefix(&prefix) else {
                break;
            };
            match check_data_key(key) {
                Ok(()) => {
                    data.insert(key.to_owned(), ByteString(value.clone().into_bytes()));
                }
                Err(kind) => {
                    ok = false;
                    problems.push(path.clone(), kind);
                }
            }
        }
        if data.is_empty() {
            ok = false;
            problems.push(
                path.clone(),
                ErrorKind::Missing(format!(
                    "values for secret {:?}: add entries {name}.KEY=VALUE",
                    name.as_str()
                )),
            );
        }
    }
    for (key, used) in &group.keys {
        let value = ctx
            .secret_values
            .get(&format!("{name}.{key}"))
            .or_else(|| used.envs.iter().find_map(|env| ctx.secret_values.get(env.as_str())));
        match value {
            Some(value) => {
                data.insert((*key).to_owned(), ByteString(value.clone().into_bytes()));
            }
            None => {
                ok = false;
                problems.push(
                    used.path.clone(),
                    ErrorKind::MissingSecretValue {
                        secret: name.to_string(),
                        key: (*key).to_owned(),
                    },
                );
            }
        }
    }
    ok.then_some(data)
}

fn external_spec(name: &DnsSubdomain, group: &Group<'_>, store: &DnsSubdomain, refresh: &str) -> ExternalSecretSpec {
    let remote = |property: Option<&str>| ExternalSecretDataRemoteRef {
        key: name.to_string(),
        property: property.map(str::to_owned),
        ..Default::default()
    };
    ExternalSecretSpec {
        refresh_interval: Some(refresh.to_owned()),
        secret_store_ref: Some(SecretStoreRef {
            name: Some(store.to_string()),
            kind: Some(SecretStoreKind::ClusterSecretStore),
        }),
        target: Some(ExternalSecretTarget {
            name: Some(name.to_string()),
            creation_policy: Some(CreationPolicy::Owner),
            ..Default::default()
        }),
        data: group
            .keys
            .iter()
            .map(|(key, used)| ExternalSecretData {
                secret_key: (*key).to_owned(),
                remote_ref: remote(used.property),
            })
            .collect(),
        data_from: group
            .all
            .map(|_| ExternalSecretDataFromRemoteRef {
                extract: Some(remote(None)),
                source_ref: None,
            })
            .into_iter()
            .collect(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Target;

    fn sref(secret: &str, key: Option<&str>, env: Option<&str>, path: &str) -> SecretRef {
        let secret = secret.parse().unwrap();
        let r = match key {
            Some(k) => SecretRef::key(secret, k.parse().unwrap()),
            None => SecretRef::value(secret),
        };
        let r = r.at(FieldPath::root().field("env").field(path.to_owned()));
        match env {
            Some(e) => r.for_env(e.parse().unwrap()),
            None => r,
        }
    }

    fn local(values: &[(&str, &str)]) -> Context {
        let values = values.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Context::new(Target::local(), "shop".parse().unwrap()).with_secret_values(values)
    }

    #[test]
    fn local_secrets_merge_keys_and_look_up_env_names() {
        let refs = [
            sref("db", Some("password"), Some("DB_PASSWORD"), "DB_PASSWORD"),
            sref("db", Some("user"), Some("DB_USER"), "DB_USER"),
            sref("api", None, Some("API_KEY"), "API_KEY"),
            sref("db", Some("password"), Some("PGPASSWORD"), "PGPASSWORD"),
        ];
        let ctx = local(&[("db.password", "pw"), ("DB_USER", "admin"), ("API_KEY", "k")]);
        let labels = BTreeMap::from([("app.kubernetes.io/name".to_owned(), "orders".to_owned())]);
        let objects = render_secret_refs(&refs, &labels, &ctx).unwrap();
        let names: Vec<_> = objects.iter().map(Object::name).collect();
        assert_eq!(names, ["api", "db"]);
        let Object::Secret(db) = &objects[1] else {
            panic!("{objects:?}")
        };
        assert_eq!(db.type_.as_deref(), Some("Opaque"));
        assert_eq!(db.metadata.namespace.as_deref(), Some("shop"));
        assert_eq!(db.metadata.labels.as_ref().unwrap()["app.kubernetes.io/name"], "orders");
        let data = db.data.as_ref().unwrap();
        assert_eq!(data.keys().collect::<Vec<_>>(), ["password", "user"]);
        assert_eq!(data["password"].0, b"pw");
        assert_eq!(data["user"].0, b"admin");
        assert!(db.string_data.is_none());
    }

    #[test]
    fn missing_local_values_are_errors_with_paths() {
        let mut all = SecretRef::all("env-bundle".parse().unwrap());
        all.path = FieldPath::root().field("env_from").index(0);
        let refs = [sref("db", Some("password"), Some("DB_PASSWORD"), "DB_PASSWORD"), all];
        let err = render_secret_refs(&refs, &BTreeMap::new(), &local(&[("db.user", "x")])).unwrap_err();
        let messages: Vec<_> = err.messages();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert_eq!(
            messages[0],
            "env.DB_PASSWORD: secret \"db\" has no value for key \"password\" in the provided values"
        );
        assert!(
            messages[1].starts_with("env_from[0]: missing: values for secret \"env-bundle\""),
            "{messages:?}"
        );
        assert!(matches!(err.0[0].kind, ErrorKind::MissingSecretValue { .. }));
    }

    #[test]
    fn local_env_from_takes_every_prefixed_value() {
        let refs = [SecretRef::all("cfg".parse().unwrap())];
        let ctx = local(&[("cfg.A", "1"), ("cfg.b.json", "{}"), ("cfgx.C", "no"), ("other", "no")]);
        let objects = render_secret_refs(&refs, &BTreeMap::new(), &ctx).unwrap();
        let Object::Secret(s) = &objects[0] else { panic!() };
        assert_eq!(s.data.as_ref().unwrap().keys().collect::<Vec<_>>(), ["A", "b.json"]);
        assert!(s.metadata.labels.is_none());
    }

    #[test]
    fn external_secrets_one_per_secret() {
        let mut all = SecretRef::all("db".parse().unwrap());
        all.path = FieldPath::root().field("env_from").index(0);
        let refs = [
            sref("db", Some("user"), None, "DB_USER"),
            sref("db", Some("password"), None, "DB_PASSWORD"),
            sref("api", None, None, "API_KEY"),
            all,
        ];
        let ctx = Context::new(Target::dev(), "shop".parse().unwrap());
        let objects = render_secret_refs(&refs, &BTreeMap::new(), &ctx).unwrap();
        assert_eq!(objects.len(), 2);
        let Object::ExternalSecret(api) = &objects[0] else {
            panic!()
        };
        assert_eq!(api.spec.data[0].secret_key, "value");
        assert_eq!(api.spec.data[0].remote_ref.key, "api");
        assert_eq!(api.spec.data[0].remote_ref.property, None);
        assert!(api.spec.data_from.is_empty());
        let Object::ExternalSecret(db) = &objects[1] else {
            panic!()
        };
        assert_eq!(db.metadata.namespace.as_deref(), Some("shop"));
        assert_eq!(db.spec.refresh_interval.as_deref(), Some("1h"));
        let store = db.spec.secret_store_ref.as_ref().unwrap();
        assert_eq!(store.name.as_deref(), Some("dev-secrets"));
        assert_eq!(store.kind, Some(SecretStoreKind::ClusterSecretStore));
        assert_eq!(db.spec.target.as_ref().unwrap().name.as_deref(), Some("db"));
        let keys: Vec<_> = db.spec.data.iter().map(|d| d.secret_key.as_str()).collect();
        assert_eq!(keys, ["password", "user"]);
        assert_eq!(db.spec.data[0].remote_ref.property.as_deref(), Some("password"));
        assert_eq!(db.spec.data_from[0].extract.as_ref().unwrap().key, "db");
    }

    #[test]
    fn value_and_key_value_conflict() {
        let refs = [sref("db", None, None, "A"), sref("db", Some("value"), None, "B")];
        let ctx = Context::new(Target::gcp(), "shop".parse().unwrap());
        let err = render_secret_refs(&refs, &BTreeMap::new(), &ctx).unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(
            err.to_string()
                .starts_with("env.B: conflict: secret \"db\" is read both"),
            "{err}"
        );
    }
}
