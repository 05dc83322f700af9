//! Shared helpers of the whole-bundle tests: contexts, a minimal Deployment + Service around a
//! rendered pod template, and golden files.
//!
//! k3score renders pod templates, not Deployments (that is k3sapp's job); the goldens wrap the
//! template in the smallest Deployment a cluster accepts, so every golden file is a bundle the
//! conformance validator can check object by object.

#![allow(dead_code, reason = "each test binary uses a different subset of these helpers")]

use std::collections::BTreeMap;

use k3score::names::DnsLabel;
use k3score::ports::Port;
use k3score::scaling::Scaling;
use k3score::secrets::render_secret_refs;
use k3score::workload::Workload;
use k3score::{Bundle, Context, PathRef, Target};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Service, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

/// The namespace every test bundle renders into.
pub(crate) const NAMESPACE: &str = "shop";
/// The image of the test workloads (its tag becomes `app.kubernetes.io/version`).
pub(crate) const IMAGE: &str = "ghcr.io/acme/orders:1.4.2";

/// A validated name, for literals in tests.
pub(crate) fn label(name: &str) -> DnsLabel {
    name.parse().unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A context for `target` in [`NAMESPACE`], without variables or secret values.
pub(crate) fn ctx(target: Target) -> Context {
    Context::new(target, label(NAMESPACE))
}

/// The three presets, by name.
pub(crate) fn presets() -> [(&'static str, Target); 3] {
    [
        ("local", Target::local()),
        ("dev", Target::dev()),
        ("gcp", Target::gcp()),
    ]
}

/// A workload `name` with one `http` port on 8080.
pub(crate) fn web(name: &str) -> Workload {
    let mut w = Workload::new(label(name), IMAGE);
    w.ports.push(Port::tcp("http".parse().unwrap(), 8080));
    w
}

/// Renders `w` and wraps its pod template: ServiceAccount, PVCs, a Deployment (no `replicas`
/// when `scaling` owns them) and a Service for its ports, plus one Secret or ExternalSecret per
/// secret that the workload or its scaling objects read (rendered once, from all references).
pub(crate) fn app_bundle(w: &Workload, scaling: &Scaling, ctx: &Context) -> Bundle {
    let rendered = w.render(ctx).unwrap_or_else(|e| panic!("{}: {e}", w.name));
    let mut refs = w.secret_refs();
    refs.extend(scaling.secret_refs(PathRef::ROOT.field("scaling")));
    let secrets = render_secret_refs(&refs, &w.labels.labels(), ctx).unwrap_or_else(|e| panic!("{}: {e}", w.name));
    let mut bundle: Bundle = rendered.objects.into_iter().chain(secrets).collect();
    let meta = ObjectMeta {
        name: Some(w.name.to_string()),
        namespace: ctx.ns(),
        labels: Some(w.labels.labels()),
        ..Default::default()
    };
    let selector = w.labels.selector();
    bundle.push(Deployment {
        metadata: meta.clone(),
        spec: DeploymentSpec {
            replicas: scaling.sets_replicas().then_some(2),
            selector: LabelSelector {
                match_labels: Some(selector.clone()),
                ..Default::default()
            },
            template: rendered.pod_template,
            ..Default::default()
        },
        ..Default::default()
    });
    if !w.ports.is_empty() {
        bundle.push(Service {
            metadata: meta,
            spec: Some(ServiceSpec {
                selector: Some(selector),
                ports: Some(w.ports.iter().map(Port::to_service_port).collect()),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    bundle
}

/// A bundle of `objects` (any renderer's output).
pub(crate) fn bundle_of<O: Into<k3score::Object>>(objects: impl IntoIterator<Item = O>) -> Bundle {
    objects.into_iter().map(Into::into).collect()
}

/// Compares `bundle.to_yaml()` with `tests/golden/<area>/<name>.yaml`, rewriting the file first
/// when `K3S_BLESS` is set. Returns the YAML for further assertions.
pub(crate) fn golden(area: &str, name: &str, bundle: &Bundle) -> String {
    bundle.check_unique().unwrap_or_else(|e| panic!("{area}/{name}: {e}"));
    let actual = bundle.to_yaml().unwrap_or_else(|e| panic!("{area}/{name}: {e}"));
    let dir = format!("{}/tests/golden/{area}", env!("CARGO_MANIFEST_DIR"));
    let path = format!("{dir}/{name}.yaml");
    if std::env::var_os("K3S_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (run with K3S_BLESS=1 to create it, then review it)"));
    pretty_assertions::assert_eq!(actual, expected, "{path} (K3S_BLESS=1 rewrites it)");
    actual
}

/// The bundle as JSON values, in apply order, for targeted assertions.
pub(crate) fn json(bundle: &Bundle) -> Vec<serde_json::Value> {
    serde_json::from_str(&bundle.to_json().unwrap()).unwrap()
}

/// The first object of `kind` named `name` as JSON.
pub(crate) fn find(bundle: &Bundle, kind: &str, name: &str) -> serde_json::Value {
    json(bundle)
        .into_iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in the bundle"))
}

/// The kinds of the bundle, in apply order.
pub(crate) fn kinds(bundle: &Bundle) -> Vec<String> {
    bundle.in_apply_order().iter().map(|o| o.kind().into_owned()).collect()
}

/// `.env`-style secret values for local targets.
pub(crate) fn secret_values<const N: usize>(pairs: [(&str, &str); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}
