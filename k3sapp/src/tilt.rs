//! Build config: a Tiltfile snippet for local inner-loop development.
//!
//! Tilt's API (REFERENCE.md §13, T1): `docker_build(ref, context, dockerfile=, build_args=,
//! live_update=[sync(...), run(...)], target=, ignore=)`, `k8s_yaml(path)` and
//! `k8s_resource(workload, port_forwards=[...])`. `ref` must equal the image repository used
//! in the Deployment, which is why [`Build::image_ref`] is what the app renders into its
//! container.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k3score::{ErrorKind, PathRef, Problems};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

/// How to build the app's image from source (used by Tilt; ignored by the Kubernetes output
/// except for the image reference).
///
/// ```yaml
/// build: {context: ./orders, dockerfile: Dockerfile, build_args: {PY: "3.12"},
///         live_update: [{sync: ./src, to: /app/src}], port_forwards: ["8080:8080"]}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Build {
    /// Build context directory. Default: `.`.
    #[serde(default = "default_context")]
    pub context: String,
    /// Dockerfile path, relative to the Tiltfile. Default: Tilt's `Dockerfile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    /// Multi-stage build target (`--target`). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// `--build-arg` values. Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub build_args: BTreeMap<String, String>,
    /// Paths excluded from the build context. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    /// Live-update steps, in order: syncs first, then runs. Default: none (full rebuilds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub live_update: Vec<LiveUpdate>,
    /// Port forwards, `LOCAL:CONTAINER` or a single port. Default: the app's first port.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub port_forwards: Vec<String>,
}

fn default_context() -> String {
    ".".to_owned()
}

impl Default for Build {
    fn default() -> Self {
        Self {
            context: default_context(),
            dockerfile: None,
            target: None,
            build_args: BTreeMap::new(),
            ignore: Vec::new(),
            live_update: Vec::new(),
            port_forwards: Vec::new(),
        }
    }
}

/// One live-update step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged, deny_unknown_fields)]
pub enum LiveUpdate {
    /// Copy local files into the running container.
    Sync {
        /// Local path (relative to the Tiltfile).
        sync: String,
        /// Absolute path in the container.
        to: String,
    },
    /// Run a command in the container after syncing.
    Run {
        /// The shell command.
        run: String,
        /// Only run when these local files changed. Default: always.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        trigger: Vec<String>,
    },
}

impl Build {
    /// The image repository Tilt builds and the Deployment must reference: the app's image
    /// without tag or digest (Tilt matches on the repository and injects its own tag).
    ///
    /// ```
    /// assert_eq!(k3sapp::Build::image_ref("ghcr.io/acme/orders:1.4.2"), "ghcr.io/acme/orders");
    /// assert_eq!(k3sapp::Build::image_ref("localhost:5000/orders"), "localhost:5000/orders");
    /// ```
    #[must_use]
    pub fn image_ref(image: &str) -> &str {
        let no_digest = image.split('@').next().unwrap_or(image);
        match no_digest.rfind(':') {
            Some(i) if !no_digest[i..].contains('/') => &no_digest[..i],
            _ => no_digest,
        }
    }

    /// Records every problem: absolute sync targets, no sync after a run (Tilt rejects it),
    /// well-formed port forwards.
    pub fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        let mut seen_run = false;
        let steps = path.field("live_update");
        for (i, step) in self.live_update.iter().enumerate() {
            let p = steps.index(i);
            match step {
                LiveUpdate::Sync { to, .. } => {
                    if !to.starts_with('/') {
                        problems.push(
                            p.field("to"),
                            ErrorKind::Invalid("must be an absolute container path".into()),
                        );
                    }
                    if seen_run {
                        problems.push(
                            p,
                            ErrorKind::Invalid("Tilt does not allow a sync after a run step".into()),
                        );
                    }
                }
                LiveUpdate::Run { run, .. } => {
                    seen_run = true;
                    if run.trim().is_empty() {
                        problems.push(p.field("run"), ErrorKind::Missing("a command".into()));
                    }
                }
            }
        }
        for (i, forward) in self.port_forwards.iter().enumerate() {
            let ok = forward.split(':').all(|part| part.parse::<u16>().is_ok_and(|n| n > 0))
                && (1..=2).contains(&forward.split(':').count());
            if !ok {
                problems.push(
                    path.field("port_forwards").index(i),
                    ErrorKind::Invalid(format!("{forward:?} is not PORT or LOCAL:CONTAINER")),
                );
            }
        }
    }

    /// The Tiltfile snippet for one app: `docker_build`, `k8s_yaml` of `manifest` and
    /// `k8s_resource` with port forwards (`default_port` when none are given).
    ///
    /// ```
    /// let build = k3sapp::Build::default();
    /// let tilt = build.tiltfile("orders", "ghcr.io/acme/orders:1.0", "orders.yaml", Some(8080));
    /// assert!(tilt.contains("docker_build(\n    'ghcr.io/acme/orders',\n    '.',\n"));
    /// assert!(tilt.contains("k8s_resource('orders', port_forwards=['8080'])"));
    /// ```
    #[must_use]
    pub fn tiltfile(&self, workload: &str, image: &str, manifest: &str, default_port: Option<u16>) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# {workload}: generated by k3sapp");
        out.push_str("docker_build(\n");
        let _ = writeln!(out, "    {},", starlark(Self::image_ref(image)));
        let _ = writeln!(out, "    {},", starlark(&self.context));
        if let Some(dockerfile) = &self.dockerfile {
            let _ = writeln!(out, "    dockerfile={},", starlark(dockerfile));
        }
        if let Some(target) = &self.target {
            let _ = writeln!(out, "    target={},", starlark(target));
        }
        if !self.build_args.is_empty() {
            let args: Vec<String> = self
                .build_args
                .iter()
                .map(|(k, v)| format!("{}: {}", starlark(k), starlark(v)))
                .collect();
            let _ = writeln!(out, "    build_args={{{}}},", args.join(", "));
        }
        if !self.ignore.is_empty() {
            let _ = writeln!(out, "    ignore={},", starlark_list(&self.ignore));
        }
        if !self.live_update.is_empty() {
            out.push_str("    live_update=[\n");
            for step in &self.live_update {
                match step {
                    LiveUpdate::Sync { sync, to } => {
                        let _ = writeln!(out, "        sync({}, {}),", starlark(sync), starlark(to));
                    }
                    LiveUpdate::Run { run, trigger } if trigger.is_empty() => {
                        let _ = writeln!(out, "        run({}),", starlark(run));
                    }
                    LiveUpdate::Run { run, trigger } => {
                        let _ = writeln!(
                            out,
                            "        run({}, trigger={}),",
                            starlark(run),
                            starlark_list(trigger)
                        );
                    }
                }
            }
            out.push_str("    ],\n");
        }
        out.push_str(")\n");
        let _ = writeln!(out, "k8s_yaml({})", starlark(manifest));
        let forwards: Vec<String> = if self.port_forwards.is_empty() {
            default_port.map(|p| p.to_string()).into_iter().collect()
        } else {
            self.port_forwards.clone()
        };
        if forwards.is_empty() {
            let _ = writeln!(out, "k8s_resource({})", starlark(workload));
        } else {
            let _ = writeln!(
                out,
                "k8s_resource({}, port_forwards={})",
                starlark(workload),
                starlark_list(&forwards)
            );
        }
        out
    }
}

/// A Starlark single-quoted string literal.
fn starlark(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn starlark_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| starlark(s)).collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn full_snippet() {
        let build: Build = k3score::yaml::from_yaml(
            "context: ./orders\ndockerfile: ./orders/Dockerfile\ntarget: dev\nbuild_args: {PY: '3.12'}\n\
             live_update: [{sync: ./orders/src, to: /app/src}, {run: pip install -r requirements.txt, trigger: [./orders/requirements.txt]}]\n\
             port_forwards: ['9000:8080']\n",
        )
        .unwrap();
        let mut problems = Problems::default();
        build.validate(PathRef::ROOT.field("build"), &mut problems);
        assert!(problems.is_empty());
        assert_eq!(
            build.tiltfile("orders", "orders:dev", "k8s/orders.yaml", Some(8080)),
            "# orders: generated by k3sapp\n\
             docker_build(\n    'orders',\n    './orders',\n    dockerfile='./orders/Dockerfile',\n    target='dev',\n    build_args={'PY': '3.12'},\n    live_update=[\n        sync('./orders/src', '/app/src'),\n        run('pip install -r requirements.txt', trigger=['./orders/requirements.txt']),\n    ],\n)\n\
             k8s_yaml('k8s/orders.yaml')\nk8s_resource('orders', port_forwards=['9000:8080'])\n"
        );
    }

    #[test]
    fn bad_steps_are_reported() {
        let build = Build {
            live_update: vec![
                LiveUpdate::Run {
                    run: "make".into(),
                    trigger: vec![],
                },
                LiveUpdate::Sync {
                    sync: "./src".into(),
                    to: "app".into(),
                },
            ],
            port_forwards: vec!["http".into()],
            ..Build::default()
        };
        let mut problems = Problems::default();
        build.validate(PathRef::ROOT.field("build"), &mut problems);
        let errors = problems.finish(()).unwrap_err().to_string();
        assert_eq!(
            errors,
            "build.live_update[1].to: must be an absolute container path\n\
             build.live_update[1]: Tilt does not allow a sync after a run step\n\
             build.port_forwards[0]: \"http\" is not PORT or LOCAL:CONTAINER"
        );
    }

    #[test]
    fn quotes_are_escaped() {
        assert_eq!(starlark("it's"), "'it\\'s'");
    }
}
