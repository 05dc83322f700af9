//! The store workload: one tenant namespace with Postgres, a Medusa-style API and its route.

use std::collections::BTreeMap;

use k3sapp::{App, AppBuilder, AppSet, AppsKind, WorkloadKind};
use k3score::exposure::Expose;
use k3score::names::{DnsLabel, DnsSubdomain};
use k3score::network::{NetworkSpec, Peer, PeerPort, Visibility};
use k3score::patch::{ExtraObject, Patch};
use k3score::ports::{Port, PortRef};
use k3score::quantity::{Bytes, Cpu};
use k3score::resources::{Limits, Resources};
use k3score::secrets::{GeneratedPassword, SecretKeyRef};
use k3score::tenancy::{LimitDefaults, Quota};
use k3score::workload::{ContainerSecurity, EnvValue, Probe, ProbeAction, Probes, Pvc, Volume, VolumeSource};
use k3score::{Bundle, Context, Errors, Object, PathRef, Problems, Validate};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::size::{SizeProfile, Sizes};
use crate::tenant::Tenant;

/// Namespace prefix of stores: a store `acme` lives in `store-acme`.
pub const STORE_PREFIX: &str = "store";
/// The longest store id: the namespace `store-<id>` must stay a DNS label
/// ([`crate::tenant::MAX_NAMESPACE`] characters).
pub const MAX_ID: usize = crate::tenant::MAX_NAMESPACE - STORE_PREFIX.len() - 1;
/// The store-id rule as a CEL expression on the string `value` (for the `Store` CRD's
/// `x-kubernetes-validations` rule on `metadata.name`): the same rule as [`store_id`].
///
/// ```
/// let rule = k3splatform::store::id_cel_rule("self.metadata.name");
/// assert!(rule.starts_with("size(self.metadata.name) <= 57 && "));
/// ```
#[must_use]
pub fn id_cel_rule(value: &str) -> String {
    format!("size({value}) <= {MAX_ID} && {value}.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')")
}

/// The one check of a store id (the `Store` object's name, the HTTP API's `{id}` path
/// segment, a spec file's `id`): a DNS-1123 label of at most [`MAX_ID`] characters, so
/// that `store-<id>` is a namespace name too.
///
/// ```
/// use k3splatform::store::{MAX_ID, store_id};
/// assert_eq!(store_id("acme").unwrap().as_str(), "acme");
/// assert!(store_id("acme?dryRun=All").is_err());
/// assert!(store_id(&"a".repeat(MAX_ID + 1)).is_err());
/// ```
pub fn store_id(value: &str) -> Result<DnsLabel, k3score::ErrorKind> {
    let label = DnsLabel::new(value)?;
    if value.len() > MAX_ID {
        return Err(k3score::ErrorKind::InvalidName {
            grammar: "store id",
            value: value.to_owned(),
            reason: format!(
                "must be at most {MAX_ID} characters (namespace {STORE_PREFIX}-<id> is a DNS label), is {}",
                value.len()
            ),
        });
    }
    Ok(label)
}

/// Default Postgres image.
pub const DEFAULT_POSTGRES_IMAGE: &str = "postgres:17.6";
/// The Postgres app (StatefulSet and Service) name.
pub const POSTGRES: &str = "postgres";
/// The API app (Deployment and Service) name.
pub const API: &str = "api";
/// The Postgres port.
pub const POSTGRES_PORT: u16 = 5432;
/// The API port (Medusa's default, 9000).
pub const API_PORT: u16 = 9000;
/// The API's health path (Medusa serves `GET /health`).
pub const HEALTH_PATH: &str = "/health";
/// Database and role name.
pub const DATABASE: &str = "store";
/// The Secret holding the generated database password (key `password`). On local targets
/// its value comes from `Context::secret_values["postgres-password.password"]`.
pub const PASSWORD_SECRET: &str = "postgres-password";
/// UID and GID of the `postgres` user in the official image.
pub const POSTGRES_UID: i64 = 999;
/// UID of the `node` user in Node.js images (Medusa).
pub const API_UID: i64 = 1000;

/// The spec-file kind tag (`kind: Store`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum StoreKind {
    /// `kind: Store`.
    #[default]
    Store,
}

/// A store: a tenant namespace `store-<id>` with Postgres and a Medusa-style API served at
/// `<id>.<base domain>` (`<id>.localhost` locally).
///
/// Targets differ only in what the [`k3score::Target`] and the [`SizeProfile`] say: domain,
/// storage class, TLS and resource sizes.
///
/// The API reads `DATABASE_URL`. Env vars can only take a whole Secret key, so the URL is
/// assembled with Kubernetes' own `$(VAR)` expansion: `DATABASE_PASSWORD` comes from the
/// Secret and `DATABASE_URL` is `postgres://store:$(DATABASE_PASSWORD)@postgres:5432/store`.
/// Kubernetes expands `$(VAR)` only for variables defined earlier; env vars render in name
/// order and `DATABASE_PASSWORD` sorts before `DATABASE_URL`. The password is generated
/// without symbols, so it needs no URL escaping (a local value must be URL-safe too).
///
/// ```
/// use std::collections::BTreeMap;
/// use k3splatform::Store;
/// use k3score::{Context, Target};
/// use k8s_openapi::api::apps::v1::StatefulSet;
/// let store: Store = k3score::yaml::from_yaml("kind: Store\nid: acme\napi_image: ghcr.io/acme/medusa:2.8.4\n").unwrap();
/// let ctx = Context::new(Target::local(), "unused".parse().unwrap()).with_secret_values(
///     BTreeMap::from([("postgres-password.password".to_owned(), "local-only".to_owned())]));
/// let bundle = store.render(&ctx).unwrap();
/// let pg = bundle.get::<StatefulSet>("postgres").unwrap();
/// assert_eq!(pg.metadata.namespace.as_deref(), Some("store-acme"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Store {
    /// The file kind tag (`Store`). Default: `Store`.
    #[serde(default)]
    pub kind: StoreKind,
    /// The store id: namespace `store-<id>`, host `<id>.<base domain>`.
    pub id: DnsLabel,
    /// The API image (a Medusa build serving `/health` on port 9000).
    pub api_image: String,
    /// The Postgres image. Default: `postgres:17.6`.
    #[serde(default = "Store::default_postgres_image")]
    pub postgres_image: String,
    /// Resource sizes. Default: by target name ([`SizeProfile::for_target`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<SizeProfile>,
    /// RFC 6902 patches of the rendered objects, by kind and name (the escape hatch; checked
    /// after they apply, without opt-outs from Pod Security `restricted`). Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<Patch>,
    /// Extra objects of kinds the suite knows, in the store's namespace unless they name one. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ExtraObject>,
}

impl Store {
    fn default_postgres_image() -> String {
        DEFAULT_POSTGRES_IMAGE.to_owned()
    }

    /// The sizes in effect on `target` (the spec's profile, or the target's).
    #[must_use]
    pub fn sizes(&self, target: &str) -> Sizes {
        self.size.unwrap_or_else(|| SizeProfile::for_target(target)).sizes()
    }

    /// The tenant the store lives in: `store-<id>` with the profile's quota and defaults.
    #[must_use]
    pub fn tenant(&self, sizes: &Sizes) -> Tenant {
        Tenant {
            prefix: DnsLabel::new(STORE_PREFIX).expect("static name"),
            quota: Some(sizes.quota()),
            limits: Some(sizes.limit_defaults()),
            ..Tenant::new(self.id.clone())
        }
    }

    fn part_of(&self) -> String {
        format!("{STORE_PREFIX}-{}", self.id)
    }

    fn password_ref() -> EnvValue {
        EnvValue::Secret(SecretKeyRef {
            secret: DnsSubdomain::new(PASSWORD_SECRET).expect("static name"),
            key: Some(GeneratedPassword::KEY.parse().expect("static key")),
        })
    }

    fn postgres(&self, sizes: &Sizes) -> Result<App, Errors> {
        let pg_isready = vec![
            "pg_isready".to_owned(),
            "-h".to_owned(),
            "127.0.0.1".to_owned(),
            "-U".to_owned(),
            DATABASE.to_owned(),
            "-d".to_owned(),
            DATABASE.to_owned(),
        ];
        let probe = |period, failures| Probe {
            action: ProbeAction::Exec(pg_isready.clone()),
            initial_delay: None,
            period: Some(period),
            timeout: Some(5),
            success_threshold: None,
            failure_threshold: Some(failures),
        };
        let env = BTreeMap::from([
            (env_name("POSTGRES_USER"), EnvValue::Literal(DATABASE.to_owned())),
            (env_name("POSTGRES_DB"), EnvValue::Literal(DATABASE.to_owned())),
            (env_name("POSTGRES_PASSWORD"), Self::password_ref()),
            (
                env_name("PGDATA"),
                EnvValue::Literal("/var/lib/postgresql/data/pgdata".to_owned()),
            ),
        ]);
        AppBuilder::default()
            .name(DnsLabel::new(POSTGRES).expect("static name"))
            .workload(WorkloadKind::Stateful)
            .image(self.postgres_image.clone())
            .part_of(Some(self.part_of()))
            .ports(vec![Port::tcp("postgres".parse().expect("static port"), POSTGRES_PORT)])
            .env(env)
            .volumes(vec![Volume {
                name: DnsLabel::new("data").expect("static name"),
                mount_path: "/var/lib/postgresql/data".to_owned(),
                read_only: false,
                sub_path: None,
                source: VolumeSource::Pvc(Pvc {
                    size: Some(sizes.postgres_storage),
                    ..Default::default()
                }),
            }])
            .probes(Probes {
                startup: None,
                readiness: Some(probe(10, 3)),
                liveness: Some(probe(30, 5)),
            })
            .resources(resources(
                sizes.postgres_cpu,
                sizes.postgres_memory,
                sizes.postgres_cpu_limit,
            ))
            .security_context(ContainerSecurity {
                run_as_user: Some(POSTGRES_UID),
                run_as_group: Some(POSTGRES_UID),
                fs_group: Some(POSTGRES_UID),
                writable_paths: vec!["/var/run/postgresql".to_owned(), "/tmp".to_owned()],
                ..ContainerSecurity::default()
            })
            .security(Some(NetworkSpec {
                visibility: Visibility::Restricted,
                allow_from: vec![Peer {
                    app: Some(DnsLabel::new(API).expect("static name")),
                    ports: vec![PeerPort::Number(POSTGRES_PORT)],
                    ..Default::default()
                }],
                ..Default::default()
            }))
            .build()
    }

    fn api(&self, sizes: &Sizes) -> Result<App, Errors> {
        let health = |period, failures| Probe {
            action: ProbeAction::Http {
                path: HEALTH_PATH.to_owned(),
                port: Some(PortRef::Name("http".parse().expect("static port"))),
                scheme: k3score::workload::Scheme::Http,
            },
            initial_delay: None,
            period: Some(period),
            timeout: Some(5),
            success_threshold: None,
            failure_threshold: Some(failures),
        };
        let url = format!("postgres://{DATABASE}:$(DATABASE_PASSWORD)@{POSTGRES}:{POSTGRES_PORT}/{DATABASE}");
        let env = BTreeMap::from([
            (env_name("DATABASE_PASSWORD"), Self::password_ref()),
            (env_name("DATABASE_URL"), EnvValue::Literal(url)),
            (env_name("NODE_ENV"), EnvValue::Literal("production".to_owned())),
            (env_name("PORT"), EnvValue::Literal(API_PORT.to_string())),
        ]);
        AppBuilder::default()
            .name(DnsLabel::new(API).expect("static name"))
            .image(self.api_image.clone())
            .part_of(Some(self.part_of()))
            .ports(vec![Port::tcp("http".parse().expect("static port"), API_PORT)])
            .env(env)
            .replicas(Some(sizes.api_replicas))
            .probes(Probes {
                startup: Some(health(5, 30)),
                readiness: Some(health(10, 3)),
                liveness: Some(health(30, 3)),
            })
            .resources(resources(sizes.api_cpu, sizes.api_memory, sizes.api_cpu_limit))
            .security_context(ContainerSecurity {
                run_as_user: Some(API_UID),
                ..ContainerSecurity::default()
            })
            .security(Some(NetworkSpec {
                visibility: Visibility::Public,
                allow_to: vec![Peer {
                    app: Some(DnsLabel::new(POSTGRES).expect("static name")),
                    ports: vec![PeerPort::Number(POSTGRES_PORT)],
                    ..Default::default()
                }],
                ..Default::default()
            }))
            .expose(vec![Expose {
                host: Some(self.id.clone().into()),
                ..Default::default()
            }])
            .build()
    }

    /// The whole store: tenant namespace and guards, Postgres (StatefulSet, headless
    /// Service, claim), the API (Deployment, Service, route), NetworkPolicies between them,
    /// and the database password: a `Password` generator plus `ExternalSecret`
    /// (`refreshPolicy: CreatedOnce`) on External Secrets targets, or a Secret from
    /// `ctx.secret_values["postgres-password.password"]` on local ones.
    ///
    /// Renders into `store-<id>`; `ctx.namespace` is not used.
    pub fn render(&self, ctx: &Context) -> Result<Bundle, Errors> {
        self.check()?;
        let sizes = self.sizes(ctx.target.name.as_str());
        let tenant = self.tenant(&sizes);
        let mut objects: Vec<Object> = tenant.render(ctx)?.into_iter().collect();
        let namespace = tenant.namespace()?;
        let app_ctx = Context {
            namespace: namespace.clone(),
            ..ctx.clone()
        };
        let set = AppSet {
            kind: AppsKind::Apps,
            namespace: Some(namespace),
            apps: vec![self.postgres(&sizes)?, self.api(&sizes)?],
            patches: Vec::new(),
            objects: Vec::new(),
        };
        let apps = set.render(&app_ctx)?;
        // The apps' own secret objects for the password are replaced by the generated one.
        objects.extend(
            apps.into_iter().filter(|o| {
                !(matches!(o, Object::Secret(_) | Object::ExternalSecret(_)) && o.name() == PASSWORD_SECRET)
            }),
        );
        let password = GeneratedPassword {
            symbols: Some(0),
            ..GeneratedPassword::default()
        };
        let labels = BTreeMap::from([
            (
                k3score::labels::MANAGED_BY.to_owned(),
                k3score::labels::MANAGER.to_owned(),
            ),
            (k3score::labels::PART_OF.to_owned(), self.part_of()),
        ]);
        let name = DnsSubdomain::new(PASSWORD_SECRET).expect("static name");
        objects.extend(password.render(&name, &labels, &app_ctx)?);
        let mut bundle: Bundle = objects.into_iter().collect();
        bundle.check_unique()?;
        bundle.escape_hatch(&self.objects, &self.patches, &app_ctx)?;
        Ok(bundle)
    }
}

impl Validate for Store {
    /// Records empty images and an id that makes the namespace too long.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        k3score::patch::validate(&self.objects, &self.patches, path, problems);
        for (field, image) in [("api_image", &self.api_image), ("postgres_image", &self.postgres_image)] {
            if image.trim().is_empty() {
                problems.push(
                    path.field(field),
                    k3score::ErrorKind::Missing("an image reference".into()),
                );
            }
        }
        self.tenant(&self.sizes("local")).validate(path, problems);
    }
}

fn env_name(name: &str) -> k3score::names::EnvVarName {
    name.parse().expect("static env var name")
}

fn resources(cpu: Cpu, memory: Bytes, cpu_limit: Cpu) -> Resources {
    Resources {
        cpu: Some(cpu),
        memory: Some(memory),
        limits: Some(Limits {
            cpu: Some(cpu_limit),
            memory: Some(memory),
            ephemeral_storage: None,
        }),
        ..Default::default()
    }
}

/// The quota and defaults of a store namespace, from its sizes.
impl Sizes {
    /// Room for every pod at its requests and limits, plus one surge pod of the API
    /// (Deployment rolling updates add `maxSurge` = 25 %, rounded up to one pod), plus one
    /// container at the LimitRange defaults (a migration Job or a debug pod).
    #[must_use]
    pub fn quota(&self) -> Quota {
        let api_pods = u64::try_from(self.api_replicas).unwrap_or(0) + 1;
        let api_pods_bytes = u128::from(api_pods);
        let memory = self.api_memory * api_pods_bytes + self.postgres_memory + self.default_memory;
        Quota {
            cpu: Some(self.api_cpu * api_pods + self.postgres_cpu + self.default_cpu),
            memory: Some(memory),
            limits_cpu: Some(self.api_cpu_limit * api_pods + self.postgres_cpu_limit + self.default_cpu_limit),
            limits_memory: Some(memory),
            storage: Some(self.postgres_storage),
            pods: Some(self.max_pods),
            services: Some(4),
            pvcs: Some(2),
            secrets: Some(10),
            configmaps: Some(10),
        }
    }

    /// Container defaults: the smallest container of the profile.
    #[must_use]
    pub fn limit_defaults(&self) -> LimitDefaults {
        LimitDefaults {
            default_request_cpu: Some(self.default_cpu),
            default_request_memory: Some(self.default_memory),
            default_limit_cpu: Some(self.default_cpu_limit),
            default_limit_memory: Some(self.default_memory),
            max_cpu: None,
            max_memory: None,
        }
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;

    #[test]
    fn store_ids_are_labels_short_enough_for_their_namespace() {
        assert_eq!(MAX_ID, 57);
        for good in ["a", "acme", "e2e-1", &"a".repeat(MAX_ID)] {
            assert!(store_id(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Acme",
            "-acme",
            "acme?dryRun=All",
            "a/b",
            "..",
            "a#b",
            "a%3F",
            &"a".repeat(MAX_ID + 1),
            &"a".repeat(70),
        ] {
            let error = store_id(bad).unwrap_err().to_string();
            assert!(!error.is_empty(), "{bad}");
        }
        let long = store_id(&"a".repeat(58)).unwrap_err().to_string();
        assert!(long.contains("at most 57 characters"), "{long}");
    }
}
