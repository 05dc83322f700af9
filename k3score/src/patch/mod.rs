//! The escape hatch: `patches` (RFC 6902 JSON patches of rendered objects) and `objects`
//! (extra objects of kinds the suite knows), validated like everything the suite renders.
//!
//! The one module of the library crates that handles `serde_json::Value`: a patch works on an
//! object's JSON by nature. Every patched or extra object then goes back into its typed kind,
//! and must serialize to exactly the JSON it was read from, so a field k8s-openapi (or a typed
//! custom resource) does not know is an error naming it, never dropped on the way to YAML.
//!
//! Patching `kind: Deployment, name: orders` of an app:
//!
//! ```yaml
//! patches:
//!   - target: {kind: Deployment, name: orders}
//!     ops:
//!       - {op: add, path: /spec/template/spec/dnsConfig, value: {options: [{name: ndots, value: "2"}]}}
//!       - {op: replace, path: /spec/revisionHistoryLimit, value: 3}
//! objects:
//!   - apiVersion: v1
//!     kind: ConfigMap
//!     metadata: {name: orders-extra}
//!     data: {mode: fast}
//! ```
//!
//! After the ops of one target ([`Patch`]) apply, atomically (a failing op leaves the object
//! as it was and names its index, `patches[0].ops[2]`):
//!
//! - `apiVersion`, `kind`, `metadata.name`, `metadata.namespace` and `spec.selector` must be
//!   unchanged;
//! - the JSON must read back into the object's type and serialize to the same JSON;
//! - the pod spec (workloads) must stay within Pod Security `restricted` except where the spec
//!   opts out ([`OptOuts`]), and its environment variable names must suit the target's
//!   `min_kubernetes`.
//!
//! Extra objects get the same round trip and checks, the spec's namespace when they are
//! namespaced and name none, and must not repeat an object of the bundle.
//!
//! Custom resources: reading one back needs its `Deserialize`, which is behind `k3scrd`'s
//! feature `deserialize` (compile time, see its `Cargo.toml`). Without it, patching a custom
//! resource or adding one is an error saying so; the `k3sgen` command (feature `cli`) and
//! `k3sstore` turn it on, a `build.rs` user who patches custom resources adds a `k3scrd`
//! dependency with that feature.

mod apply;
mod restricted;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};
use serde_json::Value;

pub use restricted::OptOuts;

use crate::bundle::Bundle;
use crate::context::Context;
use crate::error::{ErrorKind, Errors, PathRef, Problems};
use crate::object::Object;

/// One `patches` entry: RFC 6902 operations applied to the rendered objects of one kind and
/// name.
///
/// ```
/// let patch: k3score::patch::Patch = k3score::yaml::from_yaml(
///     "target: {kind: Deployment, name: orders}\nops: [{op: remove, path: /spec/replicas}]\n").unwrap();
/// assert_eq!(patch.target.kind, "Deployment");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Patch {
    /// The object to patch: its `kind` and `metadata.name` (in every namespace of the bundle).
    pub target: PatchTarget,
    /// The operations, applied in order and all or none.
    pub ops: Vec<Op>,
}

/// The object a [`Patch`] applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PatchTarget {
    /// The object's `kind` (`Deployment`, `Service`, `ScaledObject` ...).
    pub kind: String,
    /// The object's `metadata.name`.
    pub name: String,
}

/// One RFC 6902 operation; `path` and `from` are JSON pointers (`/spec/template/spec/dnsConfig`,
/// `~1` for `/` and `~0` for `~` inside a key, `-` for the end of a list).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// Adds `value` at `path` (replacing a field, inserting into a list).
    Add {
        /// Where.
        path: String,
        /// What.
        value: Value,
    },
    /// Removes the value at `path`, which must exist.
    Remove {
        /// Where.
        path: String,
    },
    /// Replaces the value at `path`, which must exist.
    Replace {
        /// Where.
        path: String,
        /// The new value.
        value: Value,
    },
    /// Moves the value at `from` to `path`.
    Move {
        /// Where the value is.
        from: String,
        /// Where it goes.
        path: String,
    },
    /// Copies the value at `from` to `path`.
    Copy {
        /// Where the value is.
        from: String,
        /// Where the copy goes.
        path: String,
    },
    /// Checks that the value at `path` equals `value`; if not, the target's patch is not
    /// applied.
    Test {
        /// Where.
        path: String,
        /// The expected value.
        value: Value,
    },
}

impl Op {
    /// The operation's `path`.
    #[must_use]
    pub fn path(&self) -> &str {
        match self {
            Op::Add { path, .. }
            | Op::Remove { path }
            | Op::Replace { path, .. }
            | Op::Move { path, .. }
            | Op::Copy { path, .. }
            | Op::Test { path, .. } => path,
        }
    }

    /// The operation's `from` (`move` and `copy`).
    #[must_use]
    pub fn from(&self) -> Option<&str> {
        match self {
            Op::Move { from, .. } | Op::Copy { from, .. } => Some(from),
            _ => None,
        }
    }

    /// The value an `add` or `replace` writes.
    #[must_use]
    fn written(&self) -> Option<&Value> {
        match self {
            Op::Add { value, .. } | Op::Replace { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// One `objects` entry: a whole Kubernetes object (`apiVersion`, `kind`, `metadata`, ...) of a
/// kind the suite knows ([`Object::KINDS`]), added to the bundle as written.
///
/// ```
/// let extra: k3score::patch::ExtraObject = k3score::yaml::from_yaml(
///     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {a: b}\n").unwrap();
/// assert_eq!(extra.kind(), Some("ConfigMap"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(transparent)]
pub struct ExtraObject(
    /// The object as written.
    pub Value,
);

impl ExtraObject {
    /// The object's `kind`, if it names one.
    #[must_use]
    pub fn kind(&self) -> Option<&str> {
        self.0.get("kind").and_then(Value::as_str)
    }
}

/// Parse-time checks of a spec level's `objects` and `patches`, recorded under `at`: every
/// pointer is a JSON pointer, every target kind is one the suite renders, and every extra
/// object reads into its typed kind and back to the same JSON.
pub fn validate(objects: &[ExtraObject], patches: &[Patch], at: PathRef<'_>, problems: &mut Problems) {
    let list = at.field("objects");
    for (i, extra) in objects.iter().enumerate() {
        let _ = apply::read_extra(extra, list.index(i), problems);
    }
    let list = at.field("patches");
    for (i, patch) in patches.iter().enumerate() {
        apply::check_patch(patch, list.index(i), problems);
    }
}

/// Adds a spec level's `objects` to `bundle` (the namespace defaulting to `ctx.namespace`),
/// then applies its `patches`, each target atomically, checking each result (see the
/// [module](self)); problems are recorded under `at` and the objects they concern are left
/// out or unpatched.
pub fn apply_to(
    bundle: &mut Vec<Object>,
    objects: &[ExtraObject],
    patches: &[Patch],
    ctx: &Context,
    opt_outs: &OptOuts,
    at: PathRef<'_>,
    problems: &mut Problems,
) {
    if objects.is_empty() && patches.is_empty() {
        return;
    }
    let checks = apply::Checks { ctx, opt_outs };
    let list = at.field("objects");
    for (i, extra) in objects.iter().enumerate() {
        if let Some(object) = checks.extra(extra, bundle, list.index(i), problems) {
            bundle.push(object);
        }
    }
    let list = at.field("patches");
    for (i, patch) in patches.iter().enumerate() {
        checks.patch(patch, bundle, list.index(i), problems);
    }
}

impl Bundle {
    /// Applies RFC 6902 `patches` to the objects they target, each target atomically, then
    /// checks each patched object: same kind, name, namespace and selector, the exact JSON
    /// round trip through its typed kind, Pod Security `restricted` (no opt-outs) and the
    /// target's `min_kubernetes`. Errors are at `patches[i]` (`patches[0].ops[2]`); the objects
    /// of a failed target are left as they were.
    ///
    /// ```
    /// use k3score::{Bundle, Context, Target};
    /// use k3score::patch::Patch;
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    ///
    /// let mut bundle = Bundle::new();
    /// bundle.push(ConfigMap { metadata: ObjectMeta { name: Some("settings".into()), ..Default::default() }, ..Default::default() });
    /// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
    /// let patches: Vec<Patch> = k3score::yaml::from_yaml(
    ///     "- target: {kind: ConfigMap, name: settings}\n  ops: [{op: add, path: /data, value: {mode: fast}}]\n").unwrap();
    /// bundle.patch(&patches, &ctx).unwrap();
    /// assert_eq!(bundle.get::<ConfigMap>("settings").unwrap().data.as_ref().unwrap()["mode"], "fast");
    ///
    /// let unknown: Vec<Patch> = k3score::yaml::from_yaml(
    ///     "- target: {kind: ConfigMap, name: settings}\n  ops: [{op: add, path: /notAField, value: 1}]\n").unwrap();
    /// let errors = bundle.patch(&unknown, &ctx).unwrap_err();
    /// assert!(errors.to_string().starts_with("patches[0].ops[0].value: /notAField is not a field of ConfigMap"), "{errors}");
    /// ```
    pub fn patch(&mut self, patches: &[Patch], ctx: &Context) -> Result<(), Errors> {
        self.escape_hatch(&[], patches, ctx)
    }

    /// Adds extra objects of kinds the suite knows, after the same checks as spec files'
    /// `objects` (errors at `objects[i]`): the namespace defaults to `ctx.namespace`.
    pub fn add_objects(&mut self, objects: &[ExtraObject], ctx: &Context) -> Result<(), Errors> {
        self.escape_hatch(objects, &[], ctx)
    }

    /// A spec file's top-level `objects` then `patches` ([`apply_to`] without opt-outs, errors
    /// at `objects[i]` and `patches[i]`), then the bundle's duplicate check.
    pub fn escape_hatch(&mut self, objects: &[ExtraObject], patches: &[Patch], ctx: &Context) -> Result<(), Errors> {
        if objects.is_empty() && patches.is_empty() {
            return Ok(());
        }
        let mut problems = Problems::default();
        let no_opt_outs = OptOuts::default();
        apply_to(
            self.objects_mut(),
            objects,
            patches,
            ctx,
            &no_opt_outs,
            PathRef::ROOT,
            &mut problems,
        );
        problems.finish(())?;
        self.check_unique()
    }
}

/// A namespaced object's namespace defaulted; a cluster-scoped one must name none.
fn default_namespace(meta: &mut ObjectMeta, namespaced: bool, ctx: &Context) -> Result<(), ErrorKind> {
    match (namespaced, &meta.namespace) {
        (true, None) => {
            meta.namespace = Some(ctx.namespace.as_str().to_owned());
            Ok(())
        }
        (false, Some(ns)) => Err(ErrorKind::Invalid(format!(
            "this kind is cluster-scoped: it takes no namespace (found {ns:?})"
        ))),
        _ => Ok(()),
    }
}
