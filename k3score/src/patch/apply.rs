//! Applying the operations to an object's JSON, and the checks that bring the result back into
//! its typed kind.

use json_patch::jsonptr::PointerBuf;
use json_patch::{
    AddOperation, CopyOperation, MoveOperation, PatchErrorKind, PatchOperation, RemoveOperation, ReplaceOperation,
    TestOperation,
};
use serde_json::Value;

use super::restricted::{self, OptOuts};
use super::{ExtraObject, Op, Patch, default_namespace};
use crate::context::Context;
use crate::error::{ErrorKind, FieldPath, PathRef, Problems, Segment};
use crate::names::EnvVarName;
use crate::object::{DecodeError, Object};
use crate::workload::check_env_name_for;

/// What the checks after a patch need: the target (`min_kubernetes`), the namespace, and the
/// spec's opt-outs from `restricted`.
pub(super) struct Checks<'a> {
    pub(super) ctx: &'a Context,
    pub(super) opt_outs: &'a OptOuts,
}

/// The fields a patch must leave as they are.
const KEPT: &[&str] = &[
    "/apiVersion",
    "/kind",
    "/metadata/name",
    "/metadata/namespace",
    "/spec/selector",
];

/// The tokens of a JSON pointer (`/a/b~1c` is `a`, `b/c`).
fn tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// A JSON pointer of `tokens`.
fn pointer(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// The tokens of a path inside an object.
fn path_tokens(path: &FieldPath) -> Vec<String> {
    path.segments()
        .iter()
        .map(|s| match s {
            Segment::Field(name) => name.to_string(),
            Segment::Index(i) => i.to_string(),
        })
        .collect()
}

/// `at` followed by `tokens`, read as list indexes where `value` has a list.
fn spec_path(at: PathRef<'_>, value: Option<&Value>, tokens: &[String]) -> FieldPath {
    let mut path = at.to_path();
    let mut node = value;
    for token in tokens {
        match (node, token.parse::<usize>()) {
            (Some(Value::Array(items)), Ok(i)) => {
                path = path.index(i);
                node = items.get(i);
            }
            (current, _) => {
                path = path.field(token.clone());
                node = current.and_then(|v| v.get(token));
            }
        }
    }
    path
}

/// Whether one token list starts with the other.
fn related(a: &[String], b: &[String]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The kind names the suite knows, for messages.
fn known_kinds() -> String {
    let mut kinds: Vec<&str> = Object::KINDS.iter().map(|(_, kind)| *kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds.join(", ")
}

fn parse_pointer(text: &str, at: PathRef<'_>, problems: &mut Problems) -> Option<PointerBuf> {
    problems.check(
        at,
        PointerBuf::parse(text).map_err(|e| {
            ErrorKind::Invalid(format!(
                "{text:?} is not a JSON pointer ({e}): it starts with '/', as in /spec/template/spec/dnsConfig"
            ))
        }),
    )
}

/// The json-patch operation of `op`, or `None` after recording a bad pointer.
fn operation(op: &Op, at: PathRef<'_>, problems: &mut Problems) -> Option<PatchOperation> {
    let path = parse_pointer(op.path(), at.field("path"), problems);
    let from = op.from().map(|from| parse_pointer(from, at.field("from"), problems));
    let path = path?;
    Some(match op {
        Op::Add { value, .. } => PatchOperation::Add(AddOperation {
            path,
            value: value.clone(),
        }),
        Op::Remove { .. } => PatchOperation::Remove(RemoveOperation { path }),
        Op::Replace { value, .. } => PatchOperation::Replace(ReplaceOperation {
            path,
            value: value.clone(),
        }),
        Op::Move { .. } => PatchOperation::Move(MoveOperation { from: from??, path }),
        Op::Copy { .. } => PatchOperation::Copy(CopyOperation { from: from??, path }),
        Op::Test { value, .. } => PatchOperation::Test(TestOperation {
            path,
            value: value.clone(),
        }),
    })
}

/// Parse-time checks of one patch: a known kind, a name, operations with valid pointers.
pub(super) fn check_patch(patch: &Patch, at: PathRef<'_>, problems: &mut Problems) {
    let target = at.field("target");
    if !Object::KINDS.iter().any(|(_, kind)| *kind == patch.target.kind) {
        problems.push(
            target.field("kind"),
            ErrorKind::Invalid(format!(
                "{:?} is not a kind the suite renders (known: {})",
                patch.target.kind,
                known_kinds()
            )),
        );
    }
    if patch.target.name.is_empty() {
        problems.push(target.field("name"), ErrorKind::Missing("the object's name".into()));
    }
    if patch.ops.is_empty() {
        problems.push(at.field("ops"), ErrorKind::Missing("at least one operation".into()));
    }
    let ops = at.field("ops");
    for (i, op) in patch.ops.iter().enumerate() {
        let _ = operation(op, ops.index(i), problems);
    }
}

/// The JSON of a typed object.
fn to_json(object: &Object) -> Value {
    serde_json::to_value(object).expect("typed objects serialize to JSON")
}

/// Where a problem at `tokens` inside the object is recorded.
type Locate<'a> = dyn Fn(&[String]) -> FieldPath + 'a;

/// Reads `json` into the typed kind it names and checks that it serializes back to the same
/// JSON; problems are recorded where `locate` puts a pointer inside the object.
fn decode(json: &Value, locate: &Locate<'_>, problems: &mut Problems) -> Option<Object> {
    let field = |name: &str| json.get(name).and_then(Value::as_str);
    let (Some(api_version), Some(kind)) = (field("apiVersion"), field("kind")) else {
        for name in ["apiVersion", "kind"] {
            if field(name).is_none() {
                problems.push(locate(&[]), ErrorKind::Missing(format!("`{name}` (a string)")));
            }
        }
        return None;
    };
    let mut track = serde_path_to_error::Track::new();
    let decoded = Object::decode(
        api_version,
        kind,
        serde_path_to_error::Deserializer::new(json.clone(), &mut track),
    );
    let object = match decoded {
        Ok(object) => object,
        Err(DecodeError::Unknown) => {
            let known: Vec<&str> = Object::KINDS
                .iter()
                .filter(|(_, k)| *k == kind)
                .map(|(v, _)| *v)
                .collect();
            let why = if known.is_empty() {
                format!("not a kind the suite knows (known: {})", known_kinds())
            } else {
                format!("{kind} is known as apiVersion {}", known.join(", "))
            };
            problems.push(
                locate(&["kind".to_owned()]),
                ErrorKind::Invalid(format!("{api_version} {kind}: {why}")),
            );
            return None;
        }
        Err(DecodeError::NeedsFeature) => {
            problems.push(
                locate(&["kind".to_owned()]),
                ErrorKind::Unsupported {
                    feature: format!("reading the custom resource {api_version} {kind} back"),
                    by: "this build of k3score".into(),
                    why: "custom resources are read only with k3scrd's feature `deserialize` (the k3sgen \
                          command has it; add `k3scrd = { features = [\"deserialize\"] }` to a build.rs' \
                          dependencies)"
                        .into(),
                },
            );
            return None;
        }
        Err(DecodeError::Invalid(error)) => {
            let path = track.path();
            let at: Vec<String> = path
                .iter()
                .filter_map(|s| match s {
                    serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                    serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                    _ => None,
                })
                .collect();
            problems.push(
                locate(&at),
                ErrorKind::Invalid(format!("{}: not a valid {kind}: {error}", pointer(&at))),
            );
            return None;
        }
    };
    let back = to_json(&object);
    let mut differences = Vec::new();
    diff(json, &back, &mut Vec::new(), &mut differences);
    for (at, what) in &differences {
        let message = match what {
            Difference::Dropped => format!(
                "{} is not a field of {kind}: it would be dropped on the way to YAML (check its spelling and place)",
                pointer(at)
            ),
            Difference::Changed(to) => format!("{} reads back as {to} in {kind}: write it that way", pointer(at)),
        };
        problems.push(locate(at), ErrorKind::Invalid(message));
    }
    differences.is_empty().then_some(object)
}

enum Difference {
    /// In the input, not in the typed object's JSON.
    Dropped,
    /// Another value in the typed object's JSON.
    Changed(Value),
}

/// Every place where `back` differs from `json`.
fn diff(json: &Value, back: &Value, at: &mut Vec<String>, out: &mut Vec<(Vec<String>, Difference)>) {
    match (json, back) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                at.push(key.clone());
                match b.get(key) {
                    Some(other) => diff(value, other, at, out),
                    None => out.push((at.clone(), Difference::Dropped)),
                }
                at.pop();
            }
            for (key, value) in b {
                if !a.contains_key(key) {
                    at.push(key.clone());
                    out.push((at.clone(), Difference::Changed(value.clone())));
                    at.pop();
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                at.push(i.to_string());
                diff(x, y, at, out);
                at.pop();
            }
        }
        _ if json == back => {}
        _ => out.push((at.clone(), Difference::Changed(back.clone()))),
    }
}

/// An extra object read and checked at parse time (no namespace default yet).
pub(super) fn read_extra(extra: &ExtraObject, at: PathRef<'_>, problems: &mut Problems) -> Option<Object> {
    let json = &extra.0;
    if !json.is_object() {
        problems.push(
            at,
            ErrorKind::Invalid("an object: apiVersion, kind, metadata and its fields".into()),
        );
        return None;
    }
    if json
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        problems.push(at.field("metadata"), ErrorKind::Missing("`metadata.name`".into()));
        return None;
    }
    decode(json, &|tokens| spec_path(at, Some(json), tokens), problems)
}

impl Checks<'_> {
    /// Problems of `object` that its spec does not allow: Pod Security `restricted` and the
    /// target's `min_kubernetes` (environment variable names), each with its path inside the
    /// object.
    fn violations(&self, object: &Object) -> Vec<(FieldPath, ErrorKind)> {
        let mut found = restricted::violations(object, self.opt_outs);
        if let Some((pod, at)) = restricted::pod_spec(object) {
            let lists = [
                ("initContainers", pod.init_containers.as_deref()),
                ("containers", Some(&pod.containers[..])),
            ];
            for (list, containers) in lists {
                for (i, container) in containers.unwrap_or_default().iter().enumerate() {
                    for (j, env) in container.env.iter().flatten().enumerate() {
                        let name = env.name.parse::<EnvVarName>();
                        let checked = name.and_then(|name| check_env_name_for(&name, &self.ctx.target));
                        if let Err(kind) = checked {
                            found.push((at.field(list).index(i).field("env").index(j).field("name"), kind));
                        }
                    }
                }
            }
        }
        found
    }

    /// An extra object, checked and placed in the namespace, or `None` after recording why not.
    pub(super) fn extra(
        &self,
        extra: &ExtraObject,
        bundle: &[Object],
        at: PathRef<'_>,
        problems: &mut Problems,
    ) -> Option<Object> {
        let mut object = read_extra(extra, at, problems)?;
        let namespaced = object.is_namespaced();
        let metadata = at.field("metadata");
        problems.check(
            metadata.field("namespace"),
            default_namespace(object.meta_mut(), namespaced, self.ctx),
        )?;
        let violations = self.violations(&object);
        let found = !violations.is_empty();
        for (path, kind) in violations {
            problems.push(spec_path(at, Some(&extra.0), &path_tokens(&path)), kind);
        }
        let key = object.key();
        if bundle.iter().any(|o| o.key() == key) {
            problems.push(
                metadata.field("name"),
                ErrorKind::Duplicate {
                    what: "object",
                    name: key,
                },
            );
            return None;
        }
        (!found).then_some(object)
    }

    /// Applies `patch` to every object it targets in `bundle`, keeping each only if it passes.
    pub(super) fn patch(&self, patch: &Patch, bundle: &mut [Object], at: PathRef<'_>, problems: &mut Problems) {
        let ops = at.field("ops");
        let mut invalid = Problems::default();
        check_patch(patch, at, &mut invalid);
        if let Err(errors) = invalid.finish(()) {
            problems.extend(errors);
            return;
        }
        let mut unused = Problems::default();
        let operations: Option<Vec<PatchOperation>> = patch
            .ops
            .iter()
            .enumerate()
            .map(|(i, op)| operation(op, ops.index(i), &mut unused))
            .collect();
        let Some(operations) = operations else {
            return;
        };
        let target = &patch.target;
        let mut matched = 0;
        for object in bundle.iter_mut() {
            if object.kind() != target.kind.as_str() || object.name() != target.name {
                continue;
            }
            matched += 1;
            if let Some(patched) = self.patched(object, patch, &operations, at, problems) {
                *object = patched;
            }
        }
        if matched == 0 {
            let same_kind: Vec<&str> = bundle
                .iter()
                .filter(|o| o.kind() == target.kind.as_str())
                .map(Object::name)
                .collect();
            let found = if same_kind.is_empty() {
                format!("the bundle has no {}", target.kind)
            } else {
                format!("its {}s are {}", target.kind, same_kind.join(", "))
            };
            problems.push(
                at.field("target"),
                ErrorKind::Invalid(format!("no {} named {:?} here: {found}", target.kind, target.name)),
            );
        }
    }

    /// `object` with the operations applied and checked, or `None` after recording why not.
    fn patched(
        &self,
        object: &Object,
        patch: &Patch,
        operations: &[PatchOperation],
        at: PathRef<'_>,
        problems: &mut Problems,
    ) -> Option<Object> {
        let key = object.key();
        let before = to_json(object);
        let mut json = before.clone();
        if let Err(error) = json_patch::patch(&mut json, operations) {
            let op = &patch.ops[error.operation];
            let why = match error.kind {
                PatchErrorKind::TestFailed => format!(
                    "test failed: {} is {}, not the value given",
                    op.path(),
                    before
                        .pointer(op.path())
                        .map_or_else(|| "absent".to_owned(), Value::to_string)
                ),
                PatchErrorKind::InvalidFromPointer => {
                    format!("from {:?} does not exist in {key}", op.from().unwrap_or_default())
                }
                PatchErrorKind::CannotMoveInsideItself => "cannot move a value inside itself".to_owned(),
                _ => format!(
                    "path {} does not exist in {key} (or its parent is not an object or a list)",
                    op.path()
                ),
            };
            problems.push(
                at.field("ops").index(error.operation),
                ErrorKind::Invalid(format!("{why}; no operation of this patch was applied to {key}")),
            );
            return None;
        }
        let ops: Vec<Vec<String>> = patch.ops.iter().map(|op| tokens(op.path())).collect();
        // Where a problem at `tokens` of the patched object is reported: under the value of the
        // last `add` / `replace` that wrote it, at the last operation that touched it, or at the
        // patch.
        let locate = |inside: &[String]| -> FieldPath {
            for (i, op) in patch.ops.iter().enumerate().rev() {
                let path = &ops[i];
                if let Some(value) = op.written()
                    && inside.starts_with(path)
                {
                    return spec_path(
                        at.field("ops").index(i).field("value"),
                        Some(value),
                        &inside[path.len()..],
                    );
                }
                let from = op.from().map(tokens);
                if related(inside, path) || from.is_some_and(|f| related(inside, &f)) {
                    return at.field("ops").index(i).to_path();
                }
            }
            at.to_path()
        };
        let mut failed = false;
        for kept in KEPT {
            if json.pointer(kept) != before.pointer(kept) {
                problems.push(
                    locate(&tokens(kept)),
                    ErrorKind::Invalid(format!("a patch cannot change {kept} of {key}")),
                );
                failed = true;
            }
        }
        if failed {
            return None;
        }
        let patched = decode(&json, &locate, problems)?;
        let old = self.violations(object);
        let mut found = false;
        for (path, kind) in self.violations(&patched) {
            if !old.iter().any(|(p, k)| *p == path && *k == kind) {
                let inside = path_tokens(&path);
                let message = format!("{} of {key}: {kind}", pointer(&inside));
                problems.push(locate(&inside), ErrorKind::Invalid(message));
                found = true;
            }
        }
        (!found).then_some(patched)
    }
}
