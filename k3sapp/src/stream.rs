//! Rendering many apps without holding every object: [`AppSet::render_each`].

use std::collections::{BTreeSet, HashSet};

use k3score::{Bundle, Context, ErrorKind, Errors, FieldPath, PathRef, Problems};

use crate::spec::AppSet;

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
    /// a stream is grouped by app rather than sorted by kind over the whole set.
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
    pub fn render_each(&self, ctx: &Context, mut sink: impl FnMut(Bundle)) -> Result<(), Errors> {
        let mut problems = Problems::default();
        let mut names = BTreeSet::new();
        let mut refs = Vec::new();
        let apps = PathRef::ROOT.field("apps");
        for (i, app) in self.apps.iter().enumerate() {
            let path = apps.index(i);
            let workload = app.workload_spec();
            Self::check_app(app, &workload, path, &mut names, &mut problems);
            refs.extend(app.nested_secret_refs(&workload, path));
        }
        problems.finish(())?;

        let mut problems = Problems::default();
        let shared: Bundle = problems
            .take(Self::shared_secrets(&refs, ctx))
            .unwrap_or_default()
            .into_iter()
            .collect();
        // Object keys seen so far: about 50 bytes per object, instead of the objects.
        let mut seen = HashSet::new();
        let mut index = 0;
        let mut unique = |bundle: &Bundle, problems: &mut Problems| {
            for object in bundle.iter() {
                let key = object.key();
                if seen.contains(&key) {
                    problems.push(
                        FieldPath::root().field("objects").index(index),
                        ErrorKind::Duplicate {
                            what: "object",
                            name: key,
                        },
                    );
                } else {
                    seen.insert(key);
                }
                index += 1;
            }
        };
        unique(&shared, &mut problems);
        if problems.is_empty() {
            sink(shared);
        }
        for (i, app) in self.apps.iter().enumerate() {
            let mut app_problems = Problems::default();
            let objects = app.render_objects(&app.workload_spec(), ctx, &mut app_problems);
            if let Err(errors) = app_problems.finish(()) {
                problems.extend(errors.under(&FieldPath::root().field("apps").index(i)));
                continue;
            }
            let bundle: Bundle = objects.into_iter().collect();
            unique(&bundle, &mut problems);
            if problems.is_empty() {
                sink(bundle);
            }
        }
        problems.finish(())
    }
}
