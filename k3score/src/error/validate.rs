//! The validation contract every spec type follows: [`Validate`].

use super::{Errors, PathRef, Problems};

/// A spec value that checks itself, recording every problem at its field path.
///
/// Validation walks a spec from the root down: each value records its own problems under the
/// path it is given (`apps[0].resources`) and hands its fields their paths
/// (`path.field("cpu")`), so one run collects every problem of a file. Implement
/// [`Validate::validate`]; the provided methods run it for a caller that wants a result.
///
/// A type whose checks need something besides itself (the workload's ports, the quota a
/// limit must fit, the app's volume names) keeps an inherent `validate` taking that too,
/// and says so in its docs: there is no context parameter here that most types would
/// have to ignore.
///
/// ```
/// use k3score::resources::Resources;
/// use k3score::{PathRef, Validate};
///
/// let resources: Resources = k3score::yaml::from_yaml("memory: 0\n").unwrap();
/// let problems = resources.problems_at(PathRef::ROOT.field("resources"));
/// assert_eq!(problems.messages(), ["resources.memory: memory request must be greater than 0"]);
/// assert_eq!(resources.check().unwrap_err().messages(), ["memory: memory request must be greater than 0"]);
/// ```
pub trait Validate {
    /// Records every problem of `self` into `problems`, each under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems);

    /// Every problem of `self` under `path`, collected on their own (empty when valid).
    #[must_use]
    fn problems_at(&self, path: PathRef<'_>) -> Problems {
        let mut problems = Problems::default();
        self.validate(path, &mut problems);
        problems
    }

    /// Validates `self` as a whole input, paths from its root: `Ok`, or every problem.
    fn check(&self) -> Result<(), Errors> {
        self.problems_at(PathRef::ROOT).finish(())
    }
}
