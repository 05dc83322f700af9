//! Helpers shared by the k3sapp integration tests: fixtures, render contexts, golden files
//! and the Pod Security `restricted` checks of REFERENCE.md §11.

// Each test crate (golden, errors, proptest) uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use k3sapp::{App, AppSet};
use k3score::crd::keda::v1alpha1::ScaledObject;
use k3score::crd::keda_http::v1alpha1::HTTPScaledObject;
use k3score::target::Ingress;
use k3score::{Bundle, Context, Errors, Target};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Container, PodSpec};

/// The namespace every test renders into.
pub(crate) const NAMESPACE: &str = "shop";

/// `${VAR}` values of every render context.
pub(crate) const VARIABLES: [(&str, &str); 1] = [("DB_HOST", "postgres.shop.svc.cluster.local")];

/// Local secret values (`.env` entries) of every render context; never real credentials.
pub(crate) const SECRET_VALUES: [(&str, &str); 10] = [
    ("API_KEY", "dev-api-key"),
    ("billing-db.password", "dev-billing-password"),
    ("billing-env.STRIPE_KEY", "sk_test_not_a_key"),
    ("billing-env.WEBHOOK_SECRET", "whsec_not_a_secret"),
    ("orders-api-key.value", "dev-orders-api-key"),
    ("postgres-credentials.password", "dev-postgres-password"),
    ("redis-credentials.password", "dev-redis-password"),
    ("shop-db.password", "dev-shop-db-password"),
    ("shop-db.user", "shop"),
    ("admin-htpasswd.users", "admin:$apr1$not$ahash"),
];

/// The path of a file under `k3sapp/tests/`.
pub(crate) fn test_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join(relative)
}

/// The text of `tests/fixtures/<name>.yaml`.
pub(crate) fn fixture_text(name: &str) -> String {
    let path = test_path(&format!("fixtures/{name}.yaml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses an app spec, panicking with the error (line and column) when it does not parse.
pub(crate) fn parse_app(text: &str) -> App {
    k3score::yaml::from_yaml(text).unwrap_or_else(|e| panic!("spec does not parse: {e}\n{text}"))
}

/// The app of `tests/fixtures/<name>.yaml`.
pub(crate) fn app(name: &str) -> App {
    parse_app(&fixture_text(name))
}

/// The app set of `tests/fixtures/<name>.yaml`.
pub(crate) fn app_set(name: &str) -> AppSet {
    let text = fixture_text(name);
    k3score::yaml::from_yaml(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A context on `target` in [`NAMESPACE`] with [`VARIABLES`] and [`SECRET_VALUES`].
pub(crate) fn ctx(target: Target) -> Context {
    let variables: BTreeMap<String, String> = VARIABLES
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let secrets: BTreeMap<String, String> = SECRET_VALUES
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Context::new(target, NAMESPACE.parse().expect("static namespace"))
        .with_variables(variables)
        .with_secret_values(secrets)
}

/// Renders `app` for `target` with [`ctx`], panicking with every error.
pub(crate) fn render(app: &App, target: Target) -> Bundle {
    app.render(&ctx(target))
        .unwrap_or_else(|e| panic!("render of {} failed:\n{e}", app.name))
}

/// The error of rendering `app` on the local target.
pub(crate) fn render_err(app: &App) -> Errors {
    match app.render(&ctx(Target::local())) {
        Ok(bundle) => panic!(
            "render of {} unexpectedly succeeded:\n{}",
            app.name,
            bundle.to_yaml().unwrap_or_default()
        ),
        Err(errors) => errors,
    }
}

/// The local preset with the Gateway API controller instead of Traefik.
pub(crate) fn gateway_target() -> Target {
    Target::local().with_ingress(
        Ingress::gateway_api("shared-gateway", "gateway-system").expect("static gateway"),
        "gateway-system".parse().expect("static namespace"),
    )
}

/// Compares `actual` with `tests/golden/<file>`; with `K3S_BLESS` set, rewrites the file first.
pub(crate) fn golden_text(file: &str, actual: &str) {
    let path = test_path(&format!("golden/{file}"));
    if std::env::var_os("K3S_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with K3S_BLESS=1 to create it)", path.display()));
    pretty_assertions::assert_eq!(actual, expected, "{} differs (K3S_BLESS=1 rewrites it)", path.display());
}

/// Checks the bundle's invariants, then compares its YAML with `tests/golden/<name>.yaml`.
pub(crate) fn golden(name: &str, bundle: &Bundle) {
    assert_bundle_invariants(bundle);
    let yaml = bundle.to_yaml().unwrap_or_else(|e| panic!("{name}: {e}"));
    golden_text(&format!("{name}.yaml"), &yaml);
}

/// What holds for every bundle: unique objects, everything in [`NAMESPACE`] (but ReferenceGrants), never an HPA and
/// a KEDA scaler for the same workload (REFERENCE §1a, KD2), no replica count on a scaled
/// workload, and byte-identical output when rendered again.
pub(crate) fn assert_bundle_invariants(bundle: &Bundle) {
    bundle.check_unique().expect("objects are unique");
    for object in bundle {
        if object.kind() == "ReferenceGrant" {
            // Lives in the namespace of the object it grants access to (REFERENCE §2c, HA4).
            continue;
        }
        assert_eq!(
            object.meta().namespace.as_deref(),
            Some(NAMESPACE),
            "{} {} is not in {NAMESPACE}",
            object.kind(),
            object.name()
        );
    }
    for hpa in bundle.all::<HorizontalPodAutoscaler>() {
        let target = &hpa.spec.scale_target_ref.name;
        let keda = bundle
            .all::<ScaledObject>()
            .any(|so| &so.spec.scale_target_ref.name == target)
            || bundle
                .all::<HTTPScaledObject>()
                .any(|so| so.spec.scale_target_ref.name.as_ref() == Some(target));
        assert!(!keda, "{target} has an HPA and a KEDA scaler");
    }
    let scaled: Vec<String> = bundle
        .all::<HorizontalPodAutoscaler>()
        .map(|h| h.spec.scale_target_ref.name.clone())
        .chain(
            bundle
                .all::<ScaledObject>()
                .map(|s| s.spec.scale_target_ref.name.clone()),
        )
        .chain(
            bundle
                .all::<HTTPScaledObject>()
                .filter_map(|s| s.spec.scale_target_ref.name.clone()),
        )
        .collect();
    for name in &scaled {
        if let Some(d) = bundle.get::<Deployment>(name) {
            assert_eq!(d.spec.replicas, None, "scaled Deployment {name} sets replicas");
        }
        if let Some(s) = bundle.get::<StatefulSet>(name) {
            assert_eq!(s.spec.replicas, None, "scaled StatefulSet {name} sets replicas");
        }
    }
}

/// The pod spec of the Deployment or StatefulSet `name`.
pub(crate) fn pod_spec<'a>(bundle: &'a Bundle, name: &str) -> &'a PodSpec {
    let template = bundle
        .get::<Deployment>(name)
        .map(|d| &d.spec.template)
        .or_else(|| bundle.get::<StatefulSet>(name).map(|s| &s.spec.template))
        .unwrap_or_else(|| panic!("no Deployment or StatefulSet {name}"));
    template.spec.as_ref().expect("pod template has a spec")
}

/// The main container of workload `name`.
pub(crate) fn container<'a>(bundle: &'a Bundle, name: &str) -> &'a Container {
    let spec = pod_spec(bundle, name);
    spec.containers
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no container {name}"))
}

/// Volume kinds the `restricted` profile allows (REFERENCE §11, P3).
fn volume_allowed(volume: &k8s_openapi::api::core::v1::Volume) -> bool {
    volume.config_map.is_some()
        || volume.csi.is_some()
        || volume.downward_api.is_some()
        || volume.empty_dir.is_some()
        || volume.ephemeral.is_some()
        || volume.image.is_some()
        || volume.persistent_volume_claim.is_some()
        || volume.projected.is_some()
        || volume.secret.is_some()
}

/// Asserts the Pod Security `restricted` checks of REFERENCE.md §11 (P2-P8) on a pod spec.
pub(crate) fn assert_restricted(spec: &PodSpec) {
    // Baseline (P2): no host namespaces, no privileged containers, no host ports.
    assert_ne!(spec.host_network, Some(true), "hostNetwork");
    assert_ne!(spec.host_pid, Some(true), "hostPID");
    assert_ne!(spec.host_ipc, Some(true), "hostIPC");
    // P3: volume types.
    for volume in spec.volumes.iter().flatten() {
        assert!(
            volume_allowed(volume),
            "volume {} has a type restricted forbids",
            volume.name
        );
    }
    let pod = spec.security_context.as_ref();
    let pod_non_root = pod.and_then(|p| p.run_as_non_root) == Some(true);
    let pod_seccomp = pod.and_then(|p| p.seccomp_profile.as_ref()).map(|s| s.type_.as_str());
    assert_ne!(pod.and_then(|p| p.run_as_user), Some(0), "pod runAsUser 0 (P6)");
    if let Some(seccomp) = pod_seccomp {
        assert!(
            matches!(seccomp, "RuntimeDefault" | "Localhost"),
            "pod seccomp {seccomp} (P8)"
        );
    }
    let containers = spec.containers.iter().chain(spec.init_containers.iter().flatten());
    for c in containers {
        let sc = c
            .security_context
            .as_ref()
            .unwrap_or_else(|| panic!("container {} has no securityContext", c.name));
        assert_ne!(sc.privileged, Some(true), "{}: privileged (P2)", c.name);
        for port in c.ports.iter().flatten() {
            assert!(port.host_port.is_none_or(|p| p == 0), "{}: hostPort (P2)", c.name);
        }
        // P4: allowPrivilegeEscalation must be false, unset fails.
        assert_eq!(
            sc.allow_privilege_escalation,
            Some(false),
            "{}: allowPrivilegeEscalation (P4)",
            c.name
        );
        // P5: non-root at pod level or on every container.
        assert!(
            pod_non_root || sc.run_as_non_root == Some(true),
            "{}: runAsNonRoot (P5)",
            c.name
        );
        assert_ne!(sc.run_as_non_root, Some(false), "{}: runAsNonRoot false (P5)", c.name);
        // P6: not UID 0.
        assert_ne!(sc.run_as_user, Some(0), "{}: runAsUser 0 (P6)", c.name);
        // P7: drop ALL, add at most NET_BIND_SERVICE.
        let caps = sc
            .capabilities
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no capabilities (P7)", c.name));
        assert!(
            caps.drop.iter().flatten().any(|d| d == "ALL"),
            "{}: capabilities.drop lacks ALL (P7)",
            c.name
        );
        for add in caps.add.iter().flatten() {
            assert_eq!(add, "NET_BIND_SERVICE", "{}: capability {add} (P7)", c.name);
        }
        // P8: seccomp RuntimeDefault or Localhost, at pod level or on the container.
        let seccomp = sc.seccomp_profile.as_ref().map(|s| s.type_.as_str()).or(pod_seccomp);
        assert!(
            matches!(seccomp, Some("RuntimeDefault" | "Localhost")),
            "{}: seccomp {seccomp:?} (P8)",
            c.name
        );
    }
}
