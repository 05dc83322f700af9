//! The cluster-scoped `Store` custom resource (`stores.platform.k3s.io`).
//!
//! The object's name is the store id; its namespace `store-<id>` and everything in it come
//! from [`k3splatform::Store`]. The spec holds only what a person chooses (engine, size,
//! optional image overrides); [`StoreSpec::to_platform`] turns it into the platform type and
//! validates it with k3splatform's own rules.
//!
//! The group `platform.k3s.io` is the prefix the suite already uses for its labels
//! (`platform.k3s.io/tenant`), so the CRD is `stores.platform.k3s.io`.
//!
//! ```
//! use k3sstore::resource::{Store, StoreSpec};
//! let crd = k3sstore::resource::crd();
//! assert_eq!(crd.metadata.name.as_deref(), Some("stores.platform.k3s.io"));
//! assert_eq!(crd.spec.scope, "Cluster");
//! let store = Store::new("acme", StoreSpec::default());
//! assert_eq!(store.spec.to_platform("acme").unwrap().id.as_str(), "acme");
//! ```

use std::fmt;

use k3score::names::DnsLabel;
use k3score::{Error, Errors, FieldPath, Problems, Validate};
use k3splatform::SizeProfile;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{CustomResourceDefinition, ValidationRule};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The annotation naming the user who created a store through the API.
pub const REQUESTED_BY: &str = "platform.k3s.io/requested-by";
/// API group of the `Store` resource.
pub const GROUP: &str = "platform.k3s.io";
/// API version of the `Store` resource.
pub const VERSION: &str = "v1alpha1";
/// The API image the `medusa` engine runs unless the spec names another one.
pub const DEFAULT_MEDUSA_IMAGE: &str = "ghcr.io/medusajs/medusa:2.8.4";
/// Condition type: every object of the bundle was applied.
pub const PROVISIONED: &str = "Provisioned";
/// Condition type: the database and the API report ready replicas.
pub const READY: &str = "Ready";

/// The `Store` CRD as installed: kube's derived schema plus a CEL rule on `metadata.name`
/// (`x-kubernetes-validations` at the root, the one place a CRD rule may read the name), the
/// same rule as [`k3splatform::store::store_id`], so the API server refuses to create a
/// `Store` whose name is not a store id. Updates are not checked (a name never changes, and
/// a `Store` made before the rule must still be updated to release its finalizer).
#[must_use]
pub fn crd() -> CustomResourceDefinition {
    let mut crd = <Store as kube::CustomResourceExt>::crd();
    for version in &mut crd.spec.versions {
        if let Some(schema) = version.schema.as_mut().and_then(|s| s.open_api_v3_schema.as_mut()) {
            schema.x_kubernetes_validations.get_or_insert_with(Vec::new).push(ValidationRule {
                // Checked at creation only (the name never changes): with `optionalOldSelf`
                // the rule also runs on create, where `oldSelf` has no value. A Store made
                // before the rule can still have its finalizer removed.
                rule: format!(
                    "oldSelf.hasValue() || ({})",
                    k3splatform::store::id_cel_rule("self.metadata.name")
                ),
                optional_old_self: Some(true),
                message: Some(format!(
                    "metadata.name must be a store id: a DNS-1123 label (lower-case letters, digits, '-') of at most {} characters",
                    k3splatform::store::MAX_ID
                )),
                reason: Some("FieldValueInvalid".to_owned()),
                ..ValidationRule::default()
            });
        }
    }
    crd
}

/// What a store is made of; the object name is the store id.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "platform.k3s.io",
    version = "v1alpha1",
    kind = "Store",
    plural = "stores",
    shortname = "st",
    status = "StoreStatus",
    derive = "PartialEq",
    doc = "A store: namespace store-<name> with Postgres and a commerce API, provisioned by k3sstore.",
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"URL","type":"string","jsonPath":".status.url"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct StoreSpec {
    /// The commerce engine serving the store's API. Default: `medusa`.
    #[serde(default)]
    pub engine: Engine,
    /// Resource sizes. Default: by the controller's target (`small` on local and dev).
    #[schemars(
        description = "Resource sizes: small or large. Default: small on local and dev targets, large elsewhere."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<SizeProfile>,
    /// The API image. Default: the engine's image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_image: Option<String>,
    /// The Postgres image. Default: k3splatform's (`postgres:17.6`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres_image: Option<String>,
}

/// The commerce engine of a store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// A Medusa build serving `/health` on port 9000.
    #[default]
    Medusa,
}

impl Engine {
    /// The API image the engine runs by default.
    #[must_use]
    pub fn default_image(self) -> &'static str {
        match self {
            Engine::Medusa => DEFAULT_MEDUSA_IMAGE,
        }
    }
}

/// What the controller last saw of a store.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoreStatus {
    /// Where the store is in its life.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// `Provisioned` and `Ready`, with reasons and transition times.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Vec<Condition>,
    /// The store's API URL (`http://<id>.localhost` on local).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The spec generation this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Why the store failed, in the API server's or the controller's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The conditions list as Kubernetes declares `metav1.Condition` lists: a map keyed by type.
fn conditions_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut schema = generator.subschema_for::<Vec<Condition>>();
    schema.insert("x-kubernetes-list-type".to_owned(), "map".into());
    schema.insert("x-kubernetes-list-map-keys".to_owned(), vec!["type"].into());
    schema
}

/// The life of a store: `Requested -> Provisioning -> Ready / Failed -> Deleting`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub enum Phase {
    /// Accepted, nothing applied yet.
    Requested,
    /// Objects applied, waiting for the database and the API to be ready.
    Provisioning,
    /// The database and the API report ready replicas for the current generation.
    Ready,
    /// Provisioning failed or passed its deadline; the controller keeps trying.
    Failed,
    /// Being torn down.
    Deleting,
}

impl Phase {
    /// Every phase, in life order.
    pub const ALL: [Phase; 5] = [
        Phase::Requested,
        Phase::Provisioning,
        Phase::Ready,
        Phase::Failed,
        Phase::Deleting,
    ];

    /// The phase as written in `status.phase`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Requested => "Requested",
            Phase::Provisioning => "Provisioning",
            Phase::Ready => "Ready",
            Phase::Failed => "Failed",
            Phase::Deleting => "Deleting",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl StoreSpec {
    /// The platform store for `id`, validated with k3splatform's rules. Problems name the
    /// Kubernetes field (`metadata.name`, `spec.apiImage`), all at once.
    pub fn to_platform(&self, id: &str) -> Result<k3splatform::Store, Errors> {
        let mut problems = Problems::default();
        // An invalid id is recorded and a stand-in keeps the other checks going (all at once).
        let id = problems
            .check(
                &FieldPath::root().field("metadata").field("name"),
                k3splatform::store::store_id(id),
            )
            .unwrap_or_else(|| DnsLabel::new("x").expect("static name"));
        let store = k3splatform::Store {
            kind: k3splatform::StoreKind::Store,
            id,
            api_image: self
                .api_image
                .clone()
                .unwrap_or_else(|| self.engine.default_image().to_owned()),
            postgres_image: self
                .postgres_image
                .clone()
                .unwrap_or_else(|| k3splatform::store::DEFAULT_POSTGRES_IMAGE.to_owned()),
            size: self.size,
            // The custom resource has no escape hatch (its schema stays typed).
            patches: Vec::new(),
            objects: Vec::new(),
        };
        if let Err(errors) = store.check() {
            for error in errors.0 {
                problems.push_error(Error::new(spec_path(&error.path), error.kind));
            }
        }
        problems.finish(store)
    }
}

/// A k3splatform field path as the `Store` resource names it: the id is `metadata.name`,
/// other fields live under `spec` in camelCase.
fn spec_path(path: &FieldPath) -> FieldPath {
    use k3score::error::Segment;
    let mut out = FieldPath::root();
    let mut segments = path.segments().iter();
    match segments.next() {
        None => return FieldPath::root().field("spec"),
        Some(Segment::Field(name)) if name == "id" => out = out.field("metadata").field("name"),
        Some(Segment::Field(name)) => out = out.field("spec").field(camel_case(name)),
        Some(Segment::Index(i)) => out = out.field("spec").index(*i),
    }
    for segment in segments {
        out = match segment {
            Segment::Field(name) => out.field(camel_case(name)),
            Segment::Index(i) => out.index(*i),
        };
    }
    out
}

fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_kubernetes_fields_all_at_once() {
        let spec = StoreSpec {
            api_image: Some(" ".to_owned()),
            postgres_image: Some(String::new()),
            ..StoreSpec::default()
        };
        let errors = spec.to_platform("acme").unwrap_err();
        let paths: Vec<String> = errors.paths();
        assert_eq!(paths, ["spec.apiImage", "spec.postgresImage"]);
        let too_long = "a".repeat(60);
        let errors = StoreSpec::default().to_platform(&too_long).unwrap_err();
        assert!(errors.iter().all(|e| e.path.to_string() == "metadata.name"), "{errors}");
        let errors = StoreSpec::default().to_platform("Not_A_Label").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors.0[0].path.to_string(), "metadata.name");
    }

    #[test]
    fn defaults_come_from_engine_and_platform() {
        let store = StoreSpec::default().to_platform("acme").unwrap();
        assert_eq!(store.api_image, DEFAULT_MEDUSA_IMAGE);
        assert_eq!(store.postgres_image, k3splatform::store::DEFAULT_POSTGRES_IMAGE);
        assert_eq!(store.size, None);
    }

    #[test]
    fn crd_is_cluster_scoped_with_status_and_condition_map() {
        let crd = crd();
        assert_eq!(crd.spec.group, GROUP);
        assert_eq!(crd.spec.versions[0].name, VERSION);
        let version = &crd.spec.versions[0];
        assert!(version.subresources.as_ref().unwrap().status.is_some());
        let json = serde_json::to_string(&crd).unwrap();
        assert!(json.contains(r#""x-kubernetes-list-map-keys":["type"]"#), "{json}");
        let rules = version.schema.as_ref().unwrap().open_api_v3_schema.as_ref().unwrap();
        let rule = &rules.x_kubernetes_validations.as_ref().unwrap()[0].rule;
        assert!(
            rule.contains(&k3splatform::store::id_cel_rule("self.metadata.name")),
            "{rule}"
        );
        for phase in Phase::ALL {
            assert!(
                json.contains(&format!("\"{phase}\"")),
                "phase {phase} missing from the schema"
            );
        }
    }
}
