//! `k3sgen explain App.scaling.hpa`: a spec field's documentation, type and default, read
//! from the same JSON Schemas editors use.

use std::fmt;

use crate::schema::{SchemaNode, def_name, schemas};

/// What `explain` says about one spec field (or a whole kind).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The path asked for, with the kind spelled as the spec spells it (`App.scaling.hpa`).
    pub path: String,
    /// Its type in short words.
    pub type_name: String,
    /// Whether the field may be left out.
    pub optional: bool,
    /// Its default, as JSON text.
    pub default: Option<String>,
    /// Its documentation.
    pub description: String,
    /// The fields it has (for an object), or the forms it takes (for an enum).
    pub fields: Vec<Field>,
}

/// One line of an [`Explanation`]'s field list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The field name, or the variant for an enum.
    pub name: String,
    /// Its type in short words.
    pub type_name: String,
    /// Whether it must be given.
    pub required: bool,
    /// Its default, as JSON text.
    pub default: Option<String>,
    /// The first paragraph of its documentation.
    pub summary: String,
}

/// Explains `query`: a kind (`App`, case-insensitive) followed by field names and, for lists,
/// nothing more (`App.ports.name` explains a port's name).
///
/// ```
/// let hpa = k3sgen::explain("App.scaling").unwrap();
/// assert!(hpa.fields.iter().any(|f| f.name == "hpa"), "{hpa}");
/// let err = k3sgen::explain("App.nope").unwrap_err();
/// assert!(err.contains("App has no field \"nope\"; its fields: "), "{err}");
/// let err = k3sgen::explain("App.replica").unwrap_err();
/// assert!(err.ends_with("App has no field \"replica\"; did you mean \"replicas\"?"), "{err}");
/// let err = k3sgen::explain("Gateway.rout").unwrap_err();
/// assert!(err.ends_with("did you mean \"routes\"?"), "{err}");
/// ```
pub fn explain(query: &str) -> Result<Explanation, String> {
    let mut segments = query.split('.');
    let kind = segments.next().unwrap_or_default();
    let all = schemas();
    let known: Vec<&str> = all.iter().map(|(k, _, _)| *k).collect();
    let Some((kind, _, schema)) = all.iter().find(|(k, _, _)| k.eq_ignore_ascii_case(kind)) else {
        let hint = k3score::suggest::hint(kind, &known, "known kinds:").0;
        return Err(format!("unknown kind {kind:?}; {hint}"));
    };
    let root = SchemaNode::of(schema);
    let mut path = (*kind).to_owned();
    let mut field: &SchemaNode = &root;
    let mut optional = false;
    for segment in segments {
        let parent = resolve(&root, field);
        let Some((child, required)) = child(&root, parent, segment) else {
            let names = field_names(&root, parent);
            let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
            let hint = if names.is_empty() {
                "it has no fields".to_owned()
            } else {
                k3score::suggest::hint(segment, &names, "its fields:").0
            };
            return Err(format!("{path} has no field {segment:?}; {hint}"));
        };
        path = format!("{path}.{segment}");
        field = child;
        optional = !required;
    }
    let target = resolve(&root, field);
    let description = if field.description.is_some() {
        field.doc()
    } else {
        target.doc()
    };
    Ok(Explanation {
        path,
        type_name: field.type_name(),
        optional,
        default: field.default.as_ref().map(ToString::to_string),
        description,
        fields: fields(&root, target),
    })
}

/// Follows `$ref`s, `Option` wrappers (`anyOf [T, null]`), single `allOf`s and list items
/// to the schema that has the fields.
fn resolve<'a>(root: &'a SchemaNode, node: &'a SchemaNode) -> &'a SchemaNode {
    if let Some(def) = node.reference.as_ref().and_then(|r| root.defs.get(def_name(r))) {
        return resolve(root, def);
    }
    let non_null: Vec<&SchemaNode> = node.any_of.iter().chain(&node.all_of).filter(|n| !is_null(n)).collect();
    if let [only] = non_null.as_slice() {
        return resolve(root, only);
    }
    if let Some(items) = &node.items {
        return resolve(root, items);
    }
    node
}

fn is_null(node: &SchemaNode) -> bool {
    matches!(&node.types, Some(crate::schema::TypeNames::One(t)) if t == "null")
}

/// The field `name` of `node` (or of one of its enum variants, or of its map values), with
/// whether it is required.
fn child<'a>(root: &'a SchemaNode, node: &'a SchemaNode, name: &str) -> Option<(&'a SchemaNode, bool)> {
    if let Some(field) = node.properties.get(name) {
        return Some((field, node.required.iter().any(|r| r == name)));
    }
    for variant in node.one_of.iter().chain(&node.any_of) {
        let variant = resolve(root, variant);
        if let Some(found) = child(root, variant, name) {
            return Some(found);
        }
    }
    node.additional.as_deref().map(|values| (values, false))
}

fn field_names(root: &SchemaNode, node: &SchemaNode) -> Vec<String> {
    fields(root, node).into_iter().map(|f| f.name).collect()
}

/// The fields of an object, or the forms of an enum.
fn fields(root: &SchemaNode, node: &SchemaNode) -> Vec<Field> {
    let mut out: Vec<Field> = node
        .properties
        .iter()
        .map(|(name, field)| Field {
            name: name.clone(),
            type_name: field.type_name(),
            required: node.required.iter().any(|r| r == name),
            default: field.default.as_ref().map(ToString::to_string),
            summary: summary(root, field),
        })
        .collect();
    for variant in node.one_of.iter().chain(&node.any_of) {
        let resolved = resolve(root, variant);
        if let Some(values) = &resolved.values {
            out.extend(values.iter().map(|value| Field {
                name: value.to_string(),
                type_name: "value".to_owned(),
                required: false,
                default: None,
                summary: resolved.summary(),
            }));
        } else if let Some(constant) = &resolved.constant {
            out.push(Field {
                name: constant.to_string(),
                type_name: "value".to_owned(),
                required: false,
                default: None,
                summary: resolved.summary(),
            });
        } else {
            out.extend(fields(root, resolved));
        }
    }
    out
}

/// A field's one-line summary: its own doc, or its type's.
fn summary(root: &SchemaNode, field: &SchemaNode) -> String {
    let own = field.summary();
    if own.is_empty() {
        resolve(root, field).summary()
    } else {
        own
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.type_name)?;
        if self.optional {
            f.write_str(" (optional)")?;
        }
        writeln!(f)?;
        if let Some(default) = &self.default {
            writeln!(f, "default: {default}")?;
        }
        if !self.description.is_empty() {
            writeln!(f, "\n{}", self.description.trim_end())?;
        }
        if !self.fields.is_empty() {
            writeln!(f, "\nfields:")?;
            let width = self.fields.iter().map(|x| x.name.len()).max().unwrap_or(0);
            for field in &self.fields {
                let mut notes = vec![field.type_name.clone()];
                if field.required {
                    notes.push("required".to_owned());
                }
                if let Some(default) = &field.default {
                    notes.push(format!("default {default}"));
                }
                write!(f, "  {:width$}  {}", field.name, notes.join(", "))?;
                if !field.summary.is_empty() {
                    write!(f, " — {}", field.summary)?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}
