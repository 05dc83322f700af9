//! Rendering many apps without holding every object, on every core: [`AppSet::render_map`]
//! and [`AppSet::render_each`].

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};

use k3score::par::map_in_order;
use k3score::{Bundle, Context, ErrorKind, Errors, FieldPath, Object, PathRef, Problems};

use crate::spec::AppSet;
use k3score::secrets::SecretRef;

/// One app rendered by a worker: its object keys (for the duplicate check) and what `map`
/// made of its bundle, or the app's render problems.
type Rendered<R> = Result<(Vec<String>, R), Errors>;

impl AppSet {
    /// Renders the set app by app and hands each app's objects to `sink` as soon as they are
    /// built, so memory stays flat however many apps there are (10 000 apps are 80 000 objects;
    /// [`AppSet::render`] holds them all).
    ///
    /// Every app is validated first: if any is invalid, `sink` is never called and the errors
    /// of every app come back. Then `sink` receives the objects shared by several apps (the
    /// Secrets or ExternalSecrets they read, rendered once) followed by one bundle per app, in
    /// the order of `apps`. Problems found while rendering (a feature the target's ingress
    /// controller lacks, an undefined `${VAR}`, two apps rendering the same object) stop the
    /// calls to `sink` and are all returned: output already handed over must then be discarded.
    ///
    /// The objects are those of [`AppSet::render`]; in YAML each bundle is in apply order, so
    /// a stream is grouped by app rather than sorted by kind over the whole set. The apps
    /// render on [`Context::jobs`] threads ([`AppSet::render_map`]); `sink` runs on the calling
    /// thread.
    ///
    /// ```
    /// use k3sapp::AppSet;
    /// use k3score::{Context, Target};
    /// let apps: AppSet = k3score::yaml::from_yaml(
    ///     "kind: Apps\napps:\n- {name: a, image: nginx:1.27}\n- {name: b, image: nginx:1.27}\n").unwrap();
    /// let mut yaml = String::new();
    /// let mut bundles = 0;
    /// apps.render_each(&Context::new(Target::local(), "shop".parse().unwrap()), |bundle| {
    ///     bundles += 1;
    ///     bundle.write_yaml(&mut yaml).expect("typed objects serialize");
    /// }).unwrap();
    /// assert_eq!(bundles, 3); // shared objects (none here), then one bundle per app
    /// assert!(yaml.contains("name: b\n"));
    /// ```
    pub fn render_each(&self, ctx: &Context, sink: impl FnMut(Bundle)) -> Result<(), Errors> {
        self.render_map(ctx, |bundle| bundle, sink)
    }

    /// [`AppSet::render_each`] with a step that runs where the app was rendered: each bundle
    /// goes through `map` on one of [`Context::jobs`] threads, and `sink` receives the results
    /// on the calling thread, in the order of [`AppSet::render_each`] (the shared objects
    /// first, then app by app). Same checks, same errors; the output is the same for any
    /// thread count.
    ///
    /// `map` is where per-app work that does not need the others goes, such as writing the
    /// app's YAML, so that it runs on every core too. It may be called for apps whose results
    /// are then dropped (after a render problem of another app).
    ///
    /// A set with set-level `patches` or `objects` is rendered whole ([`AppSet::render`]) and
    /// handed over as one bundle: its patches may target any app's objects.
    ///
    /// ```
    /// use k3sapp::AppSet;
    /// use k3score::{Context, Target};
    /// let apps: AppSet = k3score::yaml::from_yaml(
    ///     "kind: Apps\napps:\n- {name: a, image: nginx:1.27}\n- {name: b, image: nginx:1.27}\n").unwrap();
    /// let mut yaml = String::new();
    /// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
    /// apps.render_map(&ctx, |bundle| bundle.to_yaml().expect("typed objects serialize"), |text| {
    ///     yaml.push_str(&text);
    /// }).unwrap();
    /// assert!(yaml.find("name: a\n").unwrap() < yaml.find("name: b\n").unwrap());
    /// ```
    pub fn render_map<R: Send>(
        &self,
        ctx: &Context,
        map: impl Fn(Bundle) -> R + Sync,
        mut sink: impl FnMut(R),
    ) -> Result<(), Errors> {
        if !self.patches.is_empty() || !self.objects.is_empty() {
            // A set-level patch may target any app's object: the set is rendered whole.
            sink(map(self.render(ctx)?));
            return Ok(());
        }
        let refs = self.check_all(ctx)?;

        let mut problems = Problems::default();
        let shared: Bundle = problems
            .take(Self::shared_secrets(&refs, ctx))
            .unwrap_or_default()
            .into_iter()
            .collect();
        drop(refs);
        let mut unique = Unique::default();
        unique.check(shared.iter().map(Object::key), &mut problems);
        if problems.is_empty() {
            sink(map(shared));
        }
        let apps = FieldPath::root().field("apps");
        let render = |i: usize| -> Rendered<R> {
            let app = &self.apps[i];
            let mut app_problems = Problems::default();
            let objects = app.render_objects(&app.workload_spec(), ctx, &mut app_problems);
            if let Err(errors) = app_problems.finish(()) {
                return Err(errors.under(&apps.index(i)));
            }
            let bundle: Bundle = objects.into_iter().collect();
            let keys = bundle.iter().map(Object::key).collect();
            Ok((keys, map(bundle)))
        };
        map_in_order(ctx.jobs, self.apps.len(), render, |rendered| match rendered {
            Err(errors) => problems.extend(errors),
            Ok((keys, result)) => {
                unique.check(keys.into_iter(), &mut problems);
                if problems.is_empty() {
                    sink(result);
                }
            }
        });
        problems.finish(())
    }

    /// Validates every app (on [`Context::jobs`] threads; names stay unique in order) and
    /// returns the secret references of them all, or every problem.
    fn check_all(&self, ctx: &Context) -> Result<Vec<SecretRef>, Errors> {
        let mut problems = Problems::default();
        let mut names = BTreeSet::new();
        let mut refs = Vec::new();
        let apps = PathRef::ROOT.field("apps");
        let check = |i: usize| {
            let (workload, app_problems) = self.validated(i);
            let refs = self.apps[i].nested_secret_refs(&workload, apps.index(i));
            (app_problems.finish(()), refs)
        };
        let mut i = 0;
        map_in_order(ctx.jobs, self.apps.len(), check, |(checked, app_refs)| {
            if let Err(errors) = checked {
                problems.extend(errors);
            }
            Self::check_name(&self.apps[i], &mut names, apps.index(i), &mut problems);
            refs.extend(app_refs);
            i += 1;
        });
        problems.finish(refs)
    }
}

/// The duplicate-object check of a stream: the keys of the objects handed over so far and
/// their count, for the error path. The keys sit one after another in one `String`, found by
/// their hash (16 bytes per object in the table, instead of a `String` each: 10 000 apps are
/// 80 000 keys, about 2 MB less at the peak).
#[derive(Default)]
struct Unique {
    /// Every key recorded, one after another.
    keys: String,
    /// By hash: where the first key with that hash sits in `keys` (start, length).
    first: HashMap<u64, (u32, u32)>,
    /// Keys whose hash an earlier, different key has (practically never happens; compared
    /// one by one), and keys past 4 GiB of keys.
    more: Vec<String>,
    index: usize,
}

impl Unique {
    /// Records `keys`, reporting each one seen before at `objects[<index>]`.
    fn check(&mut self, keys: impl Iterator<Item = String>, problems: &mut Problems) {
        for key in keys {
            if self.seen(&key) {
                problems.push(
                    FieldPath::root().field("objects").index(self.index),
                    ErrorKind::Duplicate {
                        what: "object",
                        name: key,
                    },
                );
            }
            self.index += 1;
        }
    }

    /// Whether `key` was recorded before; records it if not.
    fn seen(&mut self, key: &str) -> bool {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        let hash = hasher.finish();
        let earlier = self.first.get(&hash).map(|&(start, len)| {
            let (start, len) = (start as usize, len as usize);
            self.keys.get(start..start + len)
        });
        match earlier {
            Some(Some(earlier)) if earlier == key => true,
            Some(_) if self.more.iter().any(|k| k == key) => true,
            Some(_) => {
                self.more.push(key.to_owned());
                false
            }
            None => {
                match (u32::try_from(self.keys.len()), u32::try_from(key.len())) {
                    (Ok(start), Ok(len)) if start.checked_add(len).is_some() => {
                        self.keys.push_str(key);
                        self.first.insert(hash, (start, len));
                    }
                    _ => {
                        // Past 4 GiB of keys: the hash alone would not be exact.
                        if self.more.iter().any(|k| k == key) {
                            return true;
                        }
                        self.more.push(key.to_owned());
                    }
                }
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_reports_each_key_seen_before_at_its_object_index() {
        let mut unique = Unique::default();
        let mut problems = Problems::default();
        let keys = [
            "Service/a/x",
            "Service/a/y",
            "Service/a/x",
            "Deployment/a/x",
            "Service/a/y",
        ];
        unique.check(keys.iter().map(|k| (*k).to_owned()), &mut problems);
        unique.check(std::iter::once("Service/a/x".to_owned()), &mut problems);
        let errors = problems.finish(()).unwrap_err();
        let found: Vec<String> = errors.messages();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].starts_with("objects[2]") && found[0].contains("Service/a/x"),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("objects[4]") && found[1].contains("Service/a/y"),
            "{found:?}"
        );
        assert!(found[2].starts_with("objects[5]"), "{found:?}");
    }

    #[test]
    fn keys_with_one_hash_are_still_told_apart() {
        let mut unique = Unique::default();
        assert!(!unique.seen("a"));
        // Pretend "b" has the hash of "a": it goes to the exact list, and is found there.
        let mut hasher = DefaultHasher::new();
        "b".hash(&mut hasher);
        let hash_of_b = hasher.finish();
        let first_a = unique.first.values().next().copied().unwrap();
        unique.first.insert(hash_of_b, first_a);
        assert!(!unique.seen("b"));
        assert!(unique.seen("b"));
        assert!(unique.seen("a"));
        assert_eq!(unique.more, ["b"]);
    }
}
