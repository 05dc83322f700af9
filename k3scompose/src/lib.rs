//! # k3scompose
//!
//! Docker compose projects to Kubernetes, faithfully. A [`Project`] parses the Compose
//! Specification (interpolation, anchors and `<<` merge keys, `include`, `extends`, profiles,
//! short and long syntaxes); [`Project::translate`] turns each enabled service into a
//! [`k3sapp::App`] plus the compose-specific pieces (ConfigMaps from configs, env files and
//! bind-mounted project files; PVCs for named volumes; Secrets for compose secrets), and
//! [`Project::render`] renders everything for a target into one [`Bundle`]. Whatever is not
//! translated comes back as a [`Warning`] naming the compose key; nothing is dropped silently.
//!
//! ```
//! use std::collections::BTreeMap;
//! use k3scompose::Project;
//! use k3score::{Context, Target};
//! use k8s_openapi::api::apps::v1::Deployment;
//! use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Service};
//!
//! let compose = r#"
//! services:
//!   web:
//!     image: nginx:${NGINX_TAG:-1.27}
//!     user: "101"
//!     ports: ["8080:80"]
//!     depends_on: [db]
//!   db:
//!     image: postgres:16
//!     user: "999:999"
//!     volumes: [db-data:/var/lib/postgresql/data]
//!     healthcheck: {test: ["CMD-SHELL", "pg_isready -U postgres"], interval: 10s}
//! volumes:
//!   db-data: {x-k3s: {size: 5Gi}}
//! "#;
//! let project = Project::parse(compose, &BTreeMap::new(), &BTreeMap::new()).unwrap();
//! let ctx = Context::new(Target::local(), "shop".parse().unwrap());
//! let out = project.render(&ctx, &[]).unwrap();
//! let web = out.bundle.get::<Deployment>("web").unwrap();
//! let container = &web.spec.template.spec.as_ref().unwrap().containers[0];
//! assert_eq!(container.image.as_deref(), Some("nginx:1.27"));
//! assert_eq!(out.bundle.get::<Service>("web").unwrap().spec.as_ref().unwrap().ports.as_ref().unwrap()[0].port, 80);
//! assert!(out.bundle.get::<PersistentVolumeClaim>("db-data").is_some());
//! let reasons: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
//! assert!(reasons.iter().any(|w| w.starts_with("services.web.ports[0]: host port 8080 is not used")));
//! ```
//!
//! Several files make one project as in docker compose: [`Project::parse`] merges the override
//! file beside the main file ([`OVERRIDE_FILES`]), [`Project::parse_files`] merges the files it
//! is given in order (`-f a.yaml -f b.yaml`), by the Compose Specification's merge rules
//! (mappings merged, `ports`/`volumes`/`secrets`/`configs` by their keys, other sequences
//! appended, `command`/`entrypoint`/`healthcheck.test` replaced, `!reset` and `!override`).
//! [`looks_like_compose`] tells a compose file by its content (version 1 files included).
//!
//! ## Translation (REFERENCE §14)
//!
//! | compose | Kubernetes |
//! |---|---|
//! | `image`; `build` only | container image; `<project>-<service>`, a Tilt `docker_build` ([`Rendered::tiltfile`]) and a warning to push it |
//! | `entrypoint` / `command` | `command` / `args` (strings are split like a shell) |
//! | `ports`, `expose` | container and Service ports named `tcp-80`; host ports and IPs are reported |
//! | `environment`, `env_file` | `env`; a ConfigMap per env file + `envFrom` |
//! | `secrets` | Secret (local: from the secret's `file`/`environment`) or ExternalSecret (cloud), mounted at `/run/secrets/<target>` |
//! | `configs` | ConfigMap mounted at the target (default `/<name>`) |
//! | named volumes | PVC (size `x-k3s: {size}`, default [`DEFAULT_VOLUME_SIZE`]; `storage_class`, `access_mode`) |
//! | bind mounts | project file / directory → ConfigMap (≤ 1 MiB, else an error); directory without files → new PVC (as Kompose); host paths → reported |
//! | `tmpfs` | `emptyDir {medium: Memory}` |
//! | `healthcheck` | readiness AND liveness exec probes (`CMD-SHELL` → `/bin/sh -c`), compose defaults 30s/30s/3 |
//! | `deploy.resources`, `cpus`, `mem_limit`, `mem_reservation` | requests / limits (`512M` → `512Mi`) |
//! | `deploy.replicas` | replicas |
//! | `deploy.placement.constraints` | `node.labels.K==V`, `node.platform.os` / `.arch`, `node.hostname` → node selector (`x86_64` → `amd64`, `aarch64` → `arm64`); `!=` → required node affinity; `node.role`, `node.id`, `preferences` → warnings |
//! | `labels`, `annotations` | annotations of the workload and Service; Kompose's `kompose.*` labels are honoured where they mean something here (routes, HPA, claims, StatefulSet, init container, probes, image pull secret and policy) and reported otherwise |
//! | `networks` | NetworkPolicies: each service admits and reaches exactly the services sharing a network |
//! | `user`, `cap_add`, `read_only`, `privileged` | security context (see below) |
//! | `working_dir`, `hostname`, `stop_grace_period` | `workingDir`, pod `hostname`, `terminationGracePeriodSeconds` |
//! | `depends_on`, `restart: no`, `network_mode`, ... | warnings (Kubernetes starts pods in any order and always restarts Deployment pods) |
//!
//! Security: pods follow Pod Security `restricted` (non-root, no privilege escalation, every
//! capability dropped, `RuntimeDefault` seccomp). `user: "UID[:GID]"` sets runAsUser, runAsGroup
//! and fsGroup; a user or group name is left to the image with a warning; the root filesystem is writable unless `read_only: true`, as in compose.
//! `privileged: true`, a root user and capabilities other than `NET_BIND_SERVICE` are errors
//! unless the service opts out with `x-k3s: {allow_privileged: true}`.
//!
//! Networking: visibility defaults to `restricted` to the project's services on a shared
//! network (services with `x-k3s: {expose: ...}` routes are `public`); egress is DNS plus those
//! services, `x-k3s: {egress: open}` opens it. The `x-k3s` service extension also takes
//! `visibility`, `scaling`, `workload` (`stateful`, `daemon_set`, `job`, `cron_job`), `job`,
//! `cron_job`, `strategy`, `min_ready`, `revision_history`, `service`, `monitoring`, the
//! escape hatch's `patches` and `objects`, and the pod-template settings `metadata`, `pod`,
//! `image_pull_secrets`, `image_pull_policy`, `placement`, `sidecars`, `lifecycle` and
//! `config_files` (inline `content`) (the k3sapp blocks).
//!
//! Keys: `x-` keys are ignored; compose keys that are not translated produce warnings;
//! unknown keys are errors (as in docker compose). Legacy files without `services:` are
//! rejected; `external: {name: N}` is read as `external: true` + `name: N` with a warning.
//! Environment variable names are what the API server accepts; names beyond letters, digits,
//! `_`, `-` and `.` need [`Target::min_kubernetes`] 1.34 or newer. The library does no I/O: every project file comes in through the `files` map.
//!
//! The parser is fuzzed with proptest: `cargo test -p k3scompose --test it fuzz`
//! (`PROPTEST_CASES=100000` for a longer run).
//!
//! The crate has no features.

mod detect;
mod external;
mod interpolate;
mod keys;
mod load;
mod merge;
mod model;
mod project;
mod render;
pub mod scalars;
mod translate;
mod tree;
mod warning;

pub use detect::looks_like_compose;
pub use project::{DEFAULT_PROJECT_NAME, DOTENV_FILE, MAIN_FILE, OVERRIDE_FILES, Project, with_override};
pub use render::Rendered;
pub use translate::{
    ClaimSpec, ConfigMapSpec, DEFAULT_VOLUME_SIZE, MAX_CONFIG_BYTES, OPT_OUT, PodPatch, SECRETS_DIR, SecretSpec,
    Translation,
};
pub use warning::Warning;

pub use k3score::{Bundle, Context, Errors, Target};
