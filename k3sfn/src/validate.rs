//! [`Project::validate`]: every problem of the project and its functions, with paths.

use std::collections::BTreeMap;

use k3score::network::Visibility;
use k3score::{ErrorKind, Errors, FieldPath, PathRef, Problems, Validate};

use crate::spec::{Function, Project};
use crate::trigger::Trigger;

/// Prefix of the environment variables the runtime reads; users may not set them.
pub const RESERVED_ENV_PREFIX: &str = "K3SFN_";

/// Replaces the last segment `from` of errors under `base` by `to` under `target`
/// (`functions[0].trigger.queue.max` -> `functions[0].max_replicas`).
fn remap(errors: Errors, base: &FieldPath, target: &FieldPath, fields: &[(&'static str, &'static str)]) -> Errors {
    Errors(
        errors
            .0
            .into_iter()
            .map(|mut e| {
                for (from, to) in fields {
                    if e.path == base.field(*from) {
                        e.path = target.field(*to);
                    }
                }
                e
            })
            .collect(),
    )
}

impl Project {
    /// Checks the project and every function, reporting every problem at once.
    ///
    /// ```
    /// let p: k3sfn::Project = k3score::yaml::from_yaml("name: shop\nfunctions:\n\
    ///   - {name: a, handler: 'm:a', trigger: {schedule: {cron: '* * *'}}, max_replicas: 3}\n").unwrap();
    /// let errors: Vec<String> = p.validate().unwrap_err().messages();
    /// assert_eq!(errors[0], "functions[0].image: missing: an image: set image on the project or the function");
    /// ```
    pub fn validate(&self) -> Result<(), Errors> {
        self.check()
    }

    fn validate_function(&self, function: &Function, path: &FieldPath, problems: &mut Problems) {
        k3score::patch::validate(&function.objects, &function.patches, path.into(), problems);
        match &function.image {
            Some(image) => check_image(image, &path.field("image"), problems),
            None if self.image.is_none() => problems.push(
                path.field("image"),
                ErrorKind::Missing("an image: set image on the project or the function".into()),
            ),
            None => {}
        }
        check_env(&function.env, &path.field("env"), problems);
        if let Ok(name) = self.name_of(function)
            && let Ok(name) = k3score::names::DnsLabel::new(name.as_str())
        {
            self.workload(function, name)
                .validate_template(k3score::PathRef::from(path), problems);
        }
        if let Some(resources) = &function.resources {
            resources.validate(k3score::PathRef::from(path).field("resources"), problems);
        }
        for (i, peer) in function.allow_to.iter().enumerate() {
            peer.validate(k3score::PathRef::from(path).field("allow_to").index(i), problems);
        }
        let trigger_path = path.field("trigger");
        function.trigger.validate((&trigger_path).into(), problems);
        let bounds = [
            ("min", "min_replicas"),
            ("max", "max_replicas"),
            ("concurrency", "concurrency"),
        ];
        match &function.trigger {
            Trigger::Http(_) => {
                let base = trigger_path.field("http");
                let mut scaling = Problems::default();
                self.keda_http(function)
                    .validate(k3score::PathRef::from(&base), &mut scaling);
                if let Err(errors) = scaling.finish(()) {
                    problems.extend(remap(errors, &base, path, &bounds));
                }
            }
            Trigger::Queue(queue) => {
                let base = trigger_path.field("queue");
                let mut scaling = Problems::default();
                self.keda_queue(function, queue)
                    .validate(k3score::PathRef::from(&base), &mut scaling);
                if let Err(errors) = scaling.finish(()) {
                    problems.extend(remap(errors, &base, path, &bounds));
                }
                self.only_http(function, path, problems);
            }
            Trigger::Schedule(_) => {
                let set = [
                    ("min_replicas", function.min_replicas.is_some()),
                    ("max_replicas", function.max_replicas.is_some()),
                ];
                for (field, is_set) in set {
                    if is_set {
                        problems.push(
                            path.field(field),
                            ErrorKind::Conflict(format!("{field} applies to http and queue triggers only")),
                        );
                    }
                }
                self.only_http(function, path, problems);
            }
        }
    }

    /// Records what only HTTP functions may set: `concurrency` and `visibility: public`.
    fn only_http(&self, function: &Function, path: &FieldPath, problems: &mut Problems) {
        if function.concurrency.is_some() {
            problems.push(
                path.field("concurrency"),
                ErrorKind::Conflict("concurrency applies to http triggers only".into()),
            );
        }
        if function.visibility == Some(Visibility::Public) {
            problems.push(
                path.field("visibility"),
                ErrorKind::Invalid(format!(
                    "public needs an http trigger: a {} function has no route",
                    function.trigger.kind()
                )),
            );
        }
    }
}

impl Validate for Project {
    /// Records every problem of the project and its functions under `at`.
    fn validate(&self, at: PathRef<'_>, problems: &mut Problems) {
        let root = at.to_path();
        if let Some(image) = &self.image {
            check_image(image, &root.field("image"), problems);
        }
        if self.port == 0 {
            problems.push(
                root.field("port"),
                ErrorKind::Invalid("must be between 1 and 65535".into()),
            );
        }
        check_env(&self.env, &root.field("env"), problems);
        self.resources
            .validate(k3score::PathRef::from(&root).field("resources"), problems);
        self.security_context
            .validate(k3score::PathRef::from(&root).field("security_context"), problems);
        k3score::patch::validate(&self.objects, &self.patches, at, problems);
        self.service_account
            .validate(k3score::PathRef::from(&root).field("service_account"), problems);
        self.security
            .validate(k3score::PathRef::from(&root).field("security"), problems);
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        let mut routes: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (i, function) in self.functions.iter().enumerate() {
            let path = root.field("functions").index(i);
            if let Some(first) = names.insert(function.name.as_str(), i) {
                names.insert(function.name.as_str(), first);
                problems.push(
                    path.field("name"),
                    ErrorKind::Duplicate {
                        what: "function name",
                        name: function.name.to_string(),
                    },
                );
            }
            self.validate_function(function, &path, problems);
            if let Trigger::Http(http) = &function.trigger
                && self.visibility_of(function) == Visibility::Public
            {
                let host = http
                    .host
                    .as_ref()
                    .or(self.host.as_ref())
                    .map_or_else(|| self.name.to_string(), |h| h.as_str().to_owned());
                let key = (host, http.path.trim_end_matches('/').to_owned());
                if let Some(first) = routes.get(&key) {
                    problems.push(
                        path.field("trigger").field("http").field("path"),
                        ErrorKind::Conflict(format!("functions[{first}] already routes {}{}", key.0, http.path)),
                    );
                } else {
                    routes.insert(key, i);
                }
            }
        }
    }
}

fn check_image(image: &str, path: &FieldPath, problems: &mut Problems) {
    if image.trim().is_empty() {
        problems.push(path.clone(), ErrorKind::Missing("an image reference".into()));
    } else if image.chars().any(char::is_whitespace) {
        problems.push(
            path.clone(),
            ErrorKind::Invalid(format!("image {image:?} must not contain whitespace")),
        );
    }
}

fn check_env(env: &k3score::workload::Env, path: &FieldPath, problems: &mut Problems) {
    for (name, value) in env {
        let vpath = path.field(name.to_string());
        if name.as_str().starts_with(RESERVED_ENV_PREFIX) {
            problems.push(
                vpath.clone(),
                ErrorKind::Invalid(format!("{RESERVED_ENV_PREFIX}* variables are set by k3sfn")),
            );
        }
        value.validate(k3score::PathRef::from(&vpath), problems);
    }
}
