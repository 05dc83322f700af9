//! Compose interpolation (`${VAR:-default}` and friends), applied to every scalar string of the
//! YAML tree before the typed model is parsed, as the Compose Specification's "Interpolation"
//! section describes. The rules are k3score's one interpolation mechanism under
//! [`Policy::COMPOSE`] (see `k3score::workload::interpolate` for the table and the tests);
//! this module walks the tree and turns unset variables into warnings.

use std::collections::BTreeMap;

use k3score::workload::{Policy, interpolate};
use k3score::{FieldPath, Problems};

use crate::Warning;
use crate::tree::Node;

/// Interpolates every string scalar of `node` in place; errors and warnings name the key.
pub(crate) fn interpolate_tree(
    node: &mut Node,
    path: &FieldPath,
    vars: &BTreeMap<String, String>,
    problems: &mut Problems,
    warnings: &mut Vec<Warning>,
) {
    match node {
        Node::Str(text) if text.contains('$') => match interpolate(text, vars, Policy::COMPOSE) {
            Ok(done) => {
                *text = done.value;
                for name in done.unset {
                    warnings.push(Warning::new(
                        path.clone(),
                        format!("variable {name} is not set; using an empty string"),
                    ));
                }
            }
            Err(errors) => {
                for kind in errors {
                    problems.push(path.clone(), kind);
                }
            }
        },
        Node::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                interpolate_tree(item, &path.index(i), vars, problems, warnings);
            }
        }
        Node::Map(map) => {
            for (key, value) in map.iter_mut() {
                interpolate_tree(value, &path.field(key.clone()), vars, problems, warnings);
            }
        }
        Node::Null | Node::Bool(_) | Node::Int(_) | Node::Float(_) | Node::Str(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        BTreeMap::from([("SET".to_owned(), "value".to_owned())])
    }

    #[test]
    fn tree_errors_name_key_and_variable() {
        let mut node = Node::parse(
            "services:\n  db:\n    environment:\n      PW: ${DB_PASSWORD:?set DB_PASSWORD}\n      X: $UNSET_ONE\n",
        )
        .unwrap();
        let mut problems = Problems::default();
        let mut warnings = Vec::new();
        interpolate_tree(&mut node, &FieldPath::root(), &vars(), &mut problems, &mut warnings);
        let errors = problems.finish(()).unwrap_err();
        assert_eq!(
            errors.to_string(),
            "services.db.environment.PW: required variable DB_PASSWORD is missing a value: set DB_PASSWORD"
        );
        assert_eq!(
            warnings[0].to_string(),
            "services.db.environment.X: variable UNSET_ONE is not set; using an empty string"
        );
    }
}
