//! Property tests over generated valid app specs: rendering succeeds on every target, object
//! names and label values stay within the Kubernetes limits (REFERENCE.md §12), the output is
//! deterministic and has no duplicate objects.

use std::fmt::Write as _;

use crate::common::{ctx, gateway_target, parse_app};
use k3sapp::App;
use k3score::crd::keda::v1alpha1::ScaledObject;
use k3score::names::{
    check_dns1035_label, check_dns1123_label, check_dns1123_subdomain, check_label_key, check_label_value,
};
use k3score::{Bundle, Kind as _, Object, Target};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::Service;
use proptest::prelude::*;

/// Longest StatefulSet and CronJob names (REFERENCE §12, V7, V8).
const MAX_STATEFUL_SET: usize = 52;
/// Longest ScaledObject name (REFERENCE §1a, KD2).
const MAX_SCALED_OBJECT: usize = 54;

/// A generated app, kept as the pieces of its spec file.
#[derive(Clone, Debug)]
struct Generated {
    name: String,
    stateful: bool,
    ports: Vec<(String, u16)>,
    env: Vec<(String, String)>,
    scaling: String,
    replicas: Option<u8>,
    visibility: &'static str,
    expose: Option<(String, String)>,
    /// Route extras: strip the prefix, a backend timeout.
    route_extras: (bool, bool),
    target: usize,
}

impl Generated {
    /// The spec file of the app.
    fn yaml(&self) -> String {
        let mut out = format!("name: {}\nimage: ghcr.io/acme/app:1.0.0\n", self.name);
        if self.stateful {
            out.push_str("workload: stateful\n");
        }
        out.push_str("resources: {cpu: 100m, memory: 128Mi}\n");
        if !self.ports.is_empty() {
            out.push_str("ports:\n");
            for (name, port) in &self.ports {
                let _ = writeln!(out, "  - {{name: {name}, port: {port}}}");
            }
        }
        if !self.env.is_empty() {
            out.push_str("env:\n");
            for (name, value) in &self.env {
                let _ = writeln!(out, "  {name}: '{value}'");
            }
        }
        let _ = writeln!(out, "scaling: {}", self.scaling);
        if let Some(replicas) = self.replicas {
            let _ = writeln!(out, "replicas: {replicas}");
        }
        let _ = writeln!(out, "security: {{visibility: {}}}", self.visibility);
        if let Some((host, path)) = &self.expose {
            let (strip_prefix, timeout) = self.route_extras;
            let timeout = if timeout { ", timeout: 30s" } else { "" };
            let _ = writeln!(
                out,
                "expose: {{host: {host}, paths: ['{path}'], strip_prefix: {strip_prefix}{timeout}}}"
            );
        }
        out
    }

    fn target(&self) -> Target {
        match self.target {
            0 => Target::local(),
            1 => Target::dev(),
            2 => Target::gcp(),
            _ => gateway_target(),
        }
    }
}

/// DNS-1035 labels of 1 to 63 characters.
fn app_name() -> impl Strategy<Value = String> {
    "[a-z]([-a-z0-9]{0,61}[a-z0-9])?"
}

/// Unique IANA port names and unique port numbers, 0 to 3 of them.
fn ports() -> impl Strategy<Value = Vec<(String, u16)>> {
    (0usize..4).prop_flat_map(|n| {
        (
            prop::collection::btree_set("[a-z][a-z0-9]{0,14}", n),
            prop::collection::btree_set(1u16..=65535, n),
        )
            .prop_map(|(names, numbers)| names.into_iter().zip(numbers).collect())
    })
}

fn env() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::btree_map("[A-Z][A-Z0-9_]{0,15}", "[a-zA-Z0-9 ._/:=-]{0,24}", 0..5)
        .prop_map(|m| m.into_iter().collect())
}

/// `none`, `hpa`, `keda_queue` or `keda_cron` with min <= max (`keda_http` needs ports and a
/// route, see [`generated`]).
fn scaling() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("none".to_owned()),
        (1i32..=5, 0i32..=15, 1i32..=100, any::<bool>()).prop_map(|(min, extra, target, cpu)| {
            let metric = if cpu { "cpu" } else { "memory" };
            format!("{{hpa: {{min: {min}, max: {}, {metric}: {target}}}}}", min + extra)
        }),
        (0i32..=3, 0i32..=10).prop_map(|(min, extra)| format!(
            "{{keda_queue: {{min: {min}, max: {}, addresses: ['redis-sentinel.data:26379'], master: mymaster, list: jobs}}}}",
            (min + extra).max(1)
        )),
        (0i32..=3, 0i32..=5).prop_map(|(min, extra)| format!(
            "{{keda_cron: {{timezone: Europe/Paris, min: {min}, windows: [{{start: '0 8 * * 1-5', end: '0 18 * * 1-5', replicas: {}}}]}}}}",
            (min + extra).max(1)
        )),
    ]
}

fn keda_http() -> impl Strategy<Value = String> {
    (0i32..=3, 0i32..=10)
        .prop_map(|(min, extra)| format!("{{keda_http: {{min: {min}, max: {}}}}}", (min + extra).max(1)))
}

fn visibility() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("public"), Just("internal"), Just("private"), Just("restricted")]
}

/// A short host (completed with the target's domain) or a full one, and a path.
fn expose() -> impl Strategy<Value = (String, String)> {
    (
        prop_oneof![
            "[a-z]([-a-z0-9]{0,30}[a-z0-9])?",
            "[a-z]{1,20}\\.[a-z]{1,20}\\.example\\.org"
        ],
        "/([a-z0-9]{1,12}(/[a-z0-9]{1,12})?)?",
    )
}

/// Valid apps. Stateful apps keep names of at most 52 characters (see
/// `stateful_set_names_fit_52` below) and never scale with `keda_http` (validation rejects it).
fn generated() -> impl Strategy<Value = Generated> {
    (
        app_name(),
        any::<bool>(),
        ports(),
        env(),
        scaling(),
        keda_http(),
        prop::option::of(0u8..5),
        visibility(),
        prop::option::of(expose()),
        (any::<bool>(), any::<bool>()),
        0usize..4,
        any::<bool>(),
    )
        .prop_map(
            |(
                name,
                stateful,
                ports,
                env,
                scaling,
                http,
                replicas,
                visibility,
                expose,
                route_extras,
                target,
                use_http,
            )| {
                let stateful = stateful && name.len() <= MAX_STATEFUL_SET;
                // Routes need a port; keda_http needs a port, a route and a Deployment.
                let expose = expose.filter(|_| !ports.is_empty());
                let scaling = if use_http && expose.is_some() && !stateful {
                    http
                } else {
                    scaling
                };
                let replicas = replicas.filter(|_| scaling == "none");
                Generated {
                    name,
                    stateful,
                    ports,
                    env,
                    scaling,
                    replicas,
                    visibility,
                    expose,
                    route_extras,
                    target,
                }
            },
        )
}

/// The name limit (beyond DNS-1123 subdomain, 253) of an object kind.
fn assert_name_limits(object: &Object) {
    let name = object.name();
    let kind = object.kind();
    assert!(check_dns1123_subdomain(name).is_ok(), "{kind} {name:?}");
    assert!(name.len() <= 253, "{kind} {name:?}");
    if Service::from_object(object).is_some() {
        assert!(check_dns1035_label(name).is_ok(), "Service {name:?}");
    }
    if StatefulSet::from_object(object).is_some() || CronJob::from_object(object).is_some() {
        assert!(name.len() <= MAX_STATEFUL_SET, "{kind} {name:?} ({} chars)", name.len());
    }
    if ScaledObject::from_object(object).is_some() {
        assert!(
            name.len() <= MAX_SCALED_OBJECT,
            "ScaledObject {name:?} ({} chars)",
            name.len()
        );
    }
    // Everything the app crate names is a DNS label (label-ish: usable as a label value).
    assert!(check_dns1123_label(name).is_ok(), "{kind} {name:?} is not a DNS label");
}

fn assert_labels(owner: &str, labels: Option<&std::collections::BTreeMap<String, String>>) {
    for (key, value) in labels.into_iter().flatten() {
        assert!(check_label_key(key).is_ok(), "{owner}: label key {key:?}");
        assert!(check_label_value(value).is_ok(), "{owner}: label {key}={value:?}");
    }
}

fn assert_bundle(bundle: &Bundle) {
    bundle.check_unique().expect("no duplicate objects");
    for object in bundle {
        assert_name_limits(object);
        let owner = format!("{} {}", object.kind(), object.name());
        assert_labels(&owner, object.meta().labels.as_ref());
    }
    let templates = bundle
        .all::<Deployment>()
        .map(|d| &d.spec.template)
        .chain(bundle.all::<StatefulSet>().map(|s| &s.spec.template));
    for template in templates {
        assert_labels(
            "pod template",
            template.metadata.as_ref().and_then(|m| m.labels.as_ref()),
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_apps_render_within_limits(generated in generated()) {
        let yaml = generated.yaml();
        let app: App = parse_app(&yaml);
        let target = generated.target();
        let bundle = app
            .render(&ctx(target.clone()))
            .unwrap_or_else(|e| panic!("render failed on {}:\n{e}\n--- spec ---\n{yaml}", target.name));
        assert_bundle(&bundle);
        let workload_name = app.name.as_str();
        prop_assert!(
            bundle.get::<Deployment>(workload_name).is_some() || bundle.get::<StatefulSet>(workload_name).is_some()
        );
        // Deterministic: same spec and target, same bytes.
        let first = bundle.to_yaml().expect("serializes");
        let again = app.render(&ctx(target)).expect("renders again").to_yaml().expect("serializes");
        prop_assert_eq!(first, again);
    }
}

#[test]

fn stateful_set_names_fit_52() {
    let name = "s".repeat(63);
    let app = parse_app(&format!("name: {name}\nimage: postgres:17.2\nworkload: stateful\n"));
    match app.render(&ctx(Target::local())) {
        // Either validation rejects the name, at `name` ...
        Err(errors) => assert_eq!(errors.iter().next().unwrap().path.to_string(), "name", "{errors}"),
        // ... or the StatefulSet fits.
        Ok(bundle) => {
            let sts = bundle.all::<StatefulSet>().next().expect("a StatefulSet");
            let sts_name = sts.metadata.name.as_deref().unwrap_or_default();
            assert!(
                sts_name.len() <= MAX_STATEFUL_SET,
                "{sts_name} ({} chars)",
                sts_name.len()
            );
        }
    }
}
