//! Golden tests: whole bundles for each feature row of issue 3, compared with
//! `tests/golden/<name>.yaml` (`K3S_BLESS=1 cargo test -p k3sapp --test it golden` rewrites them),
//! each with targeted assertions on the fields the row is about.

use crate::common::{
    app, app_set, assert_restricted, container, ctx, gateway_target, golden, golden_text, parse_app, pod_spec, render,
};
use k3sapp::AppSet;
use k3score::crd::external_secrets::v1::ExternalSecret;
use k3score::crd::gateway::v1::HTTPRoute;
use k3score::crd::gateway::v1beta1::ReferenceGrant;
use k3score::crd::keda::v1alpha1::{ScaledObject, TriggerAuthentication};
use k3score::crd::keda_http::v1alpha1::HTTPScaledObject;
use k3score::crd::keda_http::v1beta1::InterceptorRoute;
use k3score::crd::traefik::v1alpha1::{IngressRoute, Middleware};
use k3score::{KedaHttpApi, Target};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Secret, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

fn q(text: &str) -> Quantity {
    Quantity(text.to_owned())
}

/// The `<name>-ingress` NetworkPolicy (who may connect to the app).
fn ingress_policy<'a>(bundle: &'a k3score::Bundle, name: &str) -> &'a NetworkPolicy {
    bundle
        .get::<NetworkPolicy>(&format!("{name}-ingress"))
        .unwrap_or_else(|| panic!("no {name}-ingress NetworkPolicy"))
}

#[test]
fn resources() {
    let bundle = render(&app("resources"), Target::local());
    golden("resources", &bundle);
    let resources = container(&bundle, "api").resources.as_ref().unwrap();
    let requests = resources.requests.as_ref().unwrap();
    let limits = resources.limits.as_ref().unwrap();
    assert_eq!(requests["cpu"], q("250m"));
    assert_eq!(requests["memory"], q("256Mi"));
    assert_eq!(requests["ephemeral-storage"], q("1Gi"));
    assert_eq!(limits["cpu"], q("1"));
    assert_eq!(limits["memory"], q("512Mi"));
    assert_eq!(limits["ephemeral-storage"], q("2Gi"));
    assert_restricted(pod_spec(&bundle, "api"));
}

#[test]
fn gpu_vendors() {
    for (fixture, name, resource) in [
        ("gpu_nvidia", "trainer", "nvidia.com/gpu"),
        ("gpu_amd", "trainer", "amd.com/gpu"),
        ("gpu_intel", "transcoder", "gpu.intel.com/i915"),
    ] {
        let bundle = render(&app(fixture), Target::gcp());
        golden(fixture, &bundle);
        let resources = container(&bundle, name).resources.as_ref().unwrap();
        let count = if fixture == "gpu_nvidia" { "2" } else { "1" };
        // GPUs go to limits only; requests would have to equal them (REFERENCE §10, G1, G3).
        assert_eq!(resources.limits.as_ref().unwrap()[resource], q(count), "{fixture}");
        assert!(
            resources.requests.as_ref().is_none_or(|r| !r.contains_key(resource)),
            "{fixture}: GPU in requests"
        );
        let spec = pod_spec(&bundle, name);
        if fixture == "gpu_nvidia" {
            let selector = spec.node_selector.as_ref().unwrap();
            assert_eq!(selector["cloud.google.com/gke-accelerator"], "nvidia-l4");
            let toleration = &spec.tolerations.as_ref().unwrap()[0];
            assert_eq!(toleration.key.as_deref(), Some("nvidia.com/gpu"));
            assert_eq!(toleration.operator.as_deref(), Some("Exists"));
            assert_eq!(toleration.effect.as_deref(), Some("NoSchedule"));
        } else {
            assert_eq!(spec.node_selector, None, "{fixture}");
            assert_eq!(spec.tolerations, None, "{fixture}");
        }
        assert_restricted(spec);
    }
}

#[test]
fn scaling_none() {
    let bundle = render(&app("scaling_none"), Target::local());
    golden("scaling_none", &bundle);
    assert_eq!(bundle.get::<Deployment>("web").unwrap().spec.replicas, Some(3));
    assert_eq!(bundle.all::<HorizontalPodAutoscaler>().count(), 0);
    assert_eq!(bundle.all::<ScaledObject>().count(), 0);
    // Three replicas and no pdb block: the default budget.
    let pdb = bundle.get::<PodDisruptionBudget>("web").unwrap().spec.as_ref().unwrap();
    assert_eq!(pdb.max_unavailable, Some(IntOrString::Int(1)));
}

#[test]
fn scaling_hpa() {
    let bundle = render(&app("scaling_hpa"), Target::local());
    golden("scaling_hpa", &bundle);
    assert_eq!(bundle.get::<Deployment>("api").unwrap().spec.replicas, None);
    let hpa = &bundle.get::<HorizontalPodAutoscaler>("api").unwrap().spec;
    assert_eq!((hpa.min_replicas, hpa.max_replicas), (Some(2), 12));
    assert_eq!(hpa.scale_target_ref.kind, "Deployment");
    assert_eq!(hpa.scale_target_ref.name, "api");
    let metrics = hpa.metrics.as_ref().unwrap();
    let targets: Vec<_> = metrics
        .iter()
        .map(|m| {
            let r = m.resource.as_ref().unwrap();
            (r.name.as_str(), r.target.type_.as_str(), r.target.average_utilization)
        })
        .collect();
    assert_eq!(
        targets,
        [("cpu", "Utilization", Some(70)), ("memory", "Utilization", Some(80))]
    );
    let behavior = hpa.behavior.as_ref().unwrap();
    let down = behavior.scale_down.as_ref().unwrap();
    assert_eq!(down.stabilization_window_seconds, Some(300));
    assert_eq!(down.select_policy.as_deref(), Some("Min"));
    let up = behavior.scale_up.as_ref().unwrap();
    assert_eq!(up.policies.as_ref().unwrap().len(), 2);
    assert_eq!(bundle.all::<ScaledObject>().count(), 0);
    // min 2: the default PDB applies.
    assert!(bundle.get::<PodDisruptionBudget>("api").is_some());
}

#[test]
fn scaling_keda_http_interceptor_route() {
    let bundle = render(&app("scaling_keda_http"), Target::local());
    golden("scaling_keda_http_interceptor_route", &bundle);
    assert_eq!(bundle.get::<Deployment>("storefront").unwrap().spec.replicas, None);
    let route = bundle.get::<InterceptorRoute>("storefront").unwrap();
    assert_eq!(route.spec.target.service, "storefront");
    assert_eq!(route.spec.target.port, Some(3000));
    assert_eq!(route.spec.rules[0].hosts, ["shop.localhost"]);
    let so = bundle.get::<ScaledObject>("storefront").unwrap();
    assert_eq!(so.spec.min_replica_count, Some(0));
    assert_eq!(so.spec.max_replica_count, Some(5));
    assert_eq!(so.spec.triggers[0].type_, "external-push");
    assert_eq!(so.spec.triggers[0].metadata["interceptorRoute"], "storefront");
    assert_eq!(bundle.all::<HorizontalPodAutoscaler>().count(), 0);
    assert_eq!(bundle.all::<HTTPScaledObject>().count(), 0);
    // The route goes to the interceptor, not to the app (REFERENCE §2c, HA4).
    let ingress_route = bundle.get::<IngressRoute>("storefront").unwrap();
    let service = &ingress_route.spec.routes[0].services[0];
    assert_eq!(service.name, "keda-add-ons-http-interceptor-proxy");
    assert_eq!(service.namespace.as_deref(), Some("keda"));
    assert_eq!(service.port, Some(IntOrString::Int(8080)));
    // The interceptor (in KEDA's namespace) may reach the pods.
    let from_keda = bundle
        .all::<NetworkPolicy>()
        .any(|p| format!("{:?}", p.spec.as_ref().unwrap().ingress).contains("\"keda\""));
    assert!(from_keda, "no NetworkPolicy admits the KEDA interceptor");
}

#[test]
fn scaling_keda_http_gateway_api() {
    let bundle = render(&app("scaling_keda_http"), gateway_target());
    golden("scaling_keda_http_gateway_api", &bundle);
    let route = bundle.get::<HTTPRoute>("storefront").unwrap();
    let backend = &route.spec.rules[0].backend_refs[0];
    assert_eq!(
        (backend.name.as_str(), backend.namespace.as_deref(), backend.port),
        ("keda-add-ons-http-interceptor-proxy", Some("keda"), Some(8080))
    );
    // The cross-namespace backend needs a ReferenceGrant in KEDA's namespace (REFERENCE §2c, HA4).
    let grant = bundle.all::<ReferenceGrant>().next().expect("a ReferenceGrant");
    assert_eq!(grant.metadata.namespace.as_deref(), Some("keda"));
    assert_eq!(grant.spec.from[0].namespace, "shop");
    assert_eq!(
        grant.spec.to[0].name.as_deref(),
        Some("keda-add-ons-http-interceptor-proxy")
    );
}

#[test]
fn scaling_keda_http_http_scaled_object() {
    let mut target = Target::local();
    target.keda.http_api = KedaHttpApi::HttpScaledObject;
    let bundle = render(&app("scaling_keda_http"), target);
    golden("scaling_keda_http_http_scaled_object", &bundle);
    let so = bundle.get::<HTTPScaledObject>("storefront").unwrap();
    assert_eq!(so.spec.hosts, ["shop.localhost"]);
    assert_eq!(so.spec.scale_target_ref.service, "storefront");
    assert_eq!(so.spec.scale_target_ref.name.as_deref(), Some("storefront"));
    let replicas = so.spec.replicas.as_ref().unwrap();
    assert_eq!((replicas.min, replicas.max), (Some(0), Some(5)));
    assert_eq!(so.spec.scaledown_period, Some(120));
    assert_eq!(
        bundle.all::<ScaledObject>().count(),
        0,
        "the add-on creates the ScaledObject itself"
    );
    assert_eq!(bundle.all::<InterceptorRoute>().count(), 0);
    assert_eq!(bundle.all::<HorizontalPodAutoscaler>().count(), 0);
}

#[test]
fn scaling_keda_queue() {
    let bundle = render(&app("scaling_keda_queue"), Target::local());
    golden("scaling_keda_queue", &bundle);
    let so = bundle.get::<ScaledObject>("mailer").unwrap();
    let trigger = &so.spec.triggers[0];
    assert_eq!(trigger.type_, "redis-sentinel");
    assert_eq!(
        trigger.metadata["addresses"],
        "redis-sentinel-0.data:26379,redis-sentinel-1.data:26379"
    );
    assert_eq!(trigger.metadata["sentinelMaster"], "mymaster");
    assert_eq!(trigger.metadata["listName"], "emails");
    assert_eq!(trigger.metadata["listLength"], "20");
    assert_eq!(trigger.metadata["activationListLength"], "1");
    let auth_name = &trigger.authentication_ref.as_ref().unwrap().name;
    let auth = bundle.get::<TriggerAuthentication>(auth_name).unwrap();
    let secret_ref = &auth.spec.secret_target_ref[0];
    assert_eq!(
        (
            secret_ref.parameter.as_str(),
            secret_ref.name.as_str(),
            secret_ref.key.as_str()
        ),
        ("password", "redis-credentials", "password")
    );
    assert_eq!(bundle.get::<Deployment>("mailer").unwrap().spec.replicas, None);
    assert_eq!(bundle.all::<HorizontalPodAutoscaler>().count(), 0);
    // The password Secret is provided: from the .env values locally ...
    let secret = bundle.get::<Secret>("redis-credentials").expect("the scaler's Secret");
    assert_eq!(secret.data.as_ref().unwrap()["password"].0, b"dev-redis-password");
    // ... and from the secret store in the cloud.
    let cloud = render(&app("scaling_keda_queue"), Target::dev());
    let es = cloud
        .get::<ExternalSecret>("redis-credentials")
        .expect("an ExternalSecret");
    assert_eq!(es.spec.data[0].secret_key, "password");
    assert_eq!(es.spec.data[0].remote_ref.property.as_deref(), Some("password"));
}

#[test]
fn scaling_keda_cron() {
    let bundle = render(&app("scaling_keda_cron"), Target::local());
    golden("scaling_keda_cron", &bundle);
    let so = bundle.get::<ScaledObject>("reports").unwrap();
    assert_eq!(so.spec.triggers.len(), 2);
    let windows: Vec<_> = so
        .spec
        .triggers
        .iter()
        .map(|t| {
            assert_eq!(t.type_, "cron");
            assert_eq!(t.metadata["timezone"], "Europe/Paris");
            (
                t.metadata["start"].as_str(),
                t.metadata["end"].as_str(),
                t.metadata["desiredReplicas"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        windows,
        [("0 8 * * 1-5", "0 18 * * 1-5", "3"), ("0 9 * * 6", "0 12 * * 6", "1")]
    );
    assert_eq!(
        (so.spec.min_replica_count, so.spec.max_replica_count),
        (Some(0), Some(3))
    );
    assert_eq!(bundle.get::<Deployment>("reports").unwrap().spec.replicas, None);
}

#[test]
fn probes() {
    let bundle = render(&app("probes"), Target::local());
    golden("probes", &bundle);
    let c = container(&bundle, "catalog");
    let startup = c.startup_probe.as_ref().unwrap();
    assert_eq!(
        startup.tcp_socket.as_ref().unwrap().port,
        IntOrString::String("http".into())
    );
    assert_eq!((startup.period_seconds, startup.failure_threshold), (Some(5), Some(30)));
    let readiness = c.readiness_probe.as_ref().unwrap();
    let get = readiness.http_get.as_ref().unwrap();
    assert_eq!(
        (get.path.as_deref(), &get.port),
        (Some("/ready"), &IntOrString::String("http".into()))
    );
    assert_eq!(
        (
            readiness.initial_delay_seconds,
            readiness.period_seconds,
            readiness.timeout_seconds,
            readiness.success_threshold,
            readiness.failure_threshold
        ),
        (Some(3), Some(5), Some(2), Some(2), Some(3))
    );
    let liveness = c.liveness_probe.as_ref().unwrap();
    let grpc = liveness.grpc.as_ref().unwrap();
    // gRPC probes take a number only: the port name is resolved.
    assert_eq!((grpc.port, grpc.service.as_deref()), (9000, Some("catalog.v1.Catalog")));
    assert_eq!(
        (
            liveness.period_seconds,
            liveness.timeout_seconds,
            liveness.failure_threshold
        ),
        (Some(20), Some(5), Some(5))
    );

    let bundle = render(&app("probes_exec"), Target::local());
    golden("probes_exec", &bundle);
    let c = container(&bundle, "cache");
    let exec = c.liveness_probe.as_ref().unwrap().exec.as_ref().unwrap();
    assert_eq!(exec.command.as_ref().unwrap(), &["/bin/cache-check", "--live"]);
    // An HTTP probe without a port uses the first port.
    let get = c.readiness_probe.as_ref().unwrap().http_get.as_ref().unwrap();
    assert_eq!(get.port, IntOrString::String("redis".into()));
}

#[test]
fn ingress_traefik_with_tls() {
    let bundle = render(&app("ingress"), Target::dev());
    golden("ingress_traefik", &bundle);
    let route = bundle.get::<IngressRoute>("orders").unwrap();
    assert_eq!(route.spec.entry_points, ["websecure"]);
    assert!(route.spec.tls.is_some(), "dev has TLS");
    let r = &route.spec.routes[0];
    assert!(r.match_.contains("Host(`orders.dev.example.com`)"), "{}", r.match_);
    assert!(r.match_.contains("PathPrefix(`/api`)"), "{}", r.match_);
    assert_eq!(r.services[0].name, "orders");
    assert_eq!(r.services[0].port, Some(IntOrString::Int(8080)));
    assert!(
        bundle.all::<Middleware>().count() >= 1,
        "strip_prefix needs a Middleware"
    );
    assert_eq!(bundle.all::<Ingress>().count(), 0);
    assert_eq!(bundle.all::<HTTPRoute>().count(), 0);
    // A route makes the app public: the ingress controller's namespace may connect.
    let policy = format!("{:?}", ingress_policy(&bundle, "orders").spec);
    assert!(policy.contains("\"traefik\""), "{policy}");
}

#[test]
fn ingress_haproxy_with_tls() {
    let bundle = render(&app("ingress"), Target::gcp());
    golden("ingress_haproxy", &bundle);
    let ingress = bundle.all::<Ingress>().next().expect("an Ingress");
    let spec = ingress.spec.as_ref().unwrap();
    assert_eq!(spec.ingress_class_name.as_deref(), Some("haproxy"));
    let tls = spec.tls.as_ref().expect("gcp has TLS");
    assert_eq!(tls[0].hosts.as_ref().unwrap(), &["orders.example.com"]);
    let rule = &spec.rules.as_ref().unwrap()[0];
    assert_eq!(rule.host.as_deref(), Some("orders.example.com"));
    let paths: Vec<_> = rule
        .http
        .as_ref()
        .unwrap()
        .paths
        .iter()
        .map(|p| p.path.as_deref().unwrap_or_default())
        .collect();
    assert!(paths.iter().any(|p| p.starts_with("/api")), "{paths:?}");
    let annotations = ingress.metadata.annotations.as_ref().unwrap();
    assert!(annotations.contains_key("haproxy.org/path-rewrite"), "{annotations:?}");
    assert_eq!(bundle.all::<IngressRoute>().count(), 0);
    let policy = format!("{:?}", ingress_policy(&bundle, "orders").spec);
    assert!(policy.contains("\"haproxy-controller\""), "{policy}");
}

#[test]
fn ingress_gateway_api() {
    let bundle = render(&app("ingress"), gateway_target());
    golden("ingress_gateway_api", &bundle);
    let route = bundle.all::<HTTPRoute>().next().expect("an HTTPRoute");
    let parent = &route.spec.parent_refs[0];
    assert_eq!(parent.name, "shared-gateway");
    assert_eq!(parent.namespace.as_deref(), Some("gateway-system"));
    assert_eq!(route.spec.hostnames, ["orders.localhost"]);
    let backend = &route.spec.rules[0].backend_refs[0];
    assert_eq!((backend.name.as_str(), backend.port), ("orders", Some(8080)));
    assert_eq!(bundle.all::<IngressRoute>().count(), 0);
    assert_eq!(bundle.all::<Ingress>().count(), 0);
    let policy = format!("{:?}", ingress_policy(&bundle, "orders").spec);
    assert!(policy.contains("\"gateway-system\""), "{policy}");
}

#[test]
fn volumes() {
    let bundle = render(&app("volumes"), Target::local());
    golden("volumes", &bundle);
    let spec = pod_spec(&bundle, "uploader");
    let volumes = spec.volumes.as_ref().unwrap();
    let by_name = |name: &str| volumes.iter().find(|v| v.name == name).unwrap();
    let cache = by_name("cache").empty_dir.as_ref().unwrap();
    assert_eq!(
        (cache.medium.as_deref(), cache.size_limit.as_ref()),
        (Some("Memory"), Some(&q("512Mi")))
    );
    assert_eq!(by_name("scratch").empty_dir.as_ref().unwrap().medium, None);
    assert_eq!(
        by_name("shared").persistent_volume_claim.as_ref().unwrap().claim_name,
        "shared-assets"
    );
    assert_eq!(
        by_name("tls").secret.as_ref().unwrap().secret_name.as_deref(),
        Some("uploader-tls")
    );
    assert_eq!(by_name("conf").config_map.as_ref().unwrap().name, "uploader-conf");
    // Created claims: the target's storage class unless the volume names one.
    let claims: Vec<&PersistentVolumeClaim> = bundle.all::<PersistentVolumeClaim>().collect();
    assert_eq!(claims.len(), 2, "only created claims are rendered");
    let uploads_claim = &by_name("uploads").persistent_volume_claim.as_ref().unwrap().claim_name;
    let uploads = bundle
        .get::<PersistentVolumeClaim>(uploads_claim)
        .unwrap()
        .spec
        .as_ref()
        .unwrap();
    assert_eq!(uploads.storage_class_name.as_deref(), Some("local-path"));
    assert_eq!(
        uploads.resources.as_ref().unwrap().requests.as_ref().unwrap()["storage"],
        q("5Gi")
    );
    assert_eq!(uploads.access_modes.as_ref().unwrap(), &["ReadWriteOnce"]);
    let archive_claim = &by_name("archive").persistent_volume_claim.as_ref().unwrap().claim_name;
    let archive = bundle
        .get::<PersistentVolumeClaim>(archive_claim)
        .unwrap()
        .spec
        .as_ref()
        .unwrap();
    assert_eq!(archive.storage_class_name.as_deref(), Some("nfs"));
    assert_eq!(archive.access_modes.as_ref().unwrap(), &["ReadWriteMany"]);
    // Mounts match volumes one to one (plus /tmp).
    let mounts = container(&bundle, "uploader").volume_mounts.as_ref().unwrap();
    for mount in mounts {
        assert!(
            volumes.iter().any(|v| v.name == mount.name),
            "mount {} has no volume",
            mount.name
        );
    }
    assert_eq!(mounts.iter().find(|m| m.name == "tls").unwrap().read_only, Some(true));
    assert_restricted(spec);
}

fn assert_env(bundle: &k3score::Bundle) {
    let c = container(bundle, "billing");
    let env = c.env.as_ref().unwrap();
    let var = |name: &str| {
        env.iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no env {name}"))
    };
    assert_eq!(var("LOG_LEVEL").value.as_deref(), Some("info"));
    assert_eq!(var("WORKERS").value.as_deref(), Some("4"));
    assert_eq!(
        var("DATABASE_URL").value.as_deref(),
        Some("postgres://postgres.shop.svc.cluster.local:5432/billing")
    );
    assert_eq!(var("PRICE").value.as_deref(), Some("${NOT_A_VAR}"));
    let secret = |name: &str| {
        let s = var(name).value_from.as_ref().unwrap().secret_key_ref.as_ref().unwrap();
        (s.name.clone(), s.key.clone())
    };
    assert_eq!(secret("API_KEY"), ("billing-api-key".to_owned(), "value".to_owned()));
    assert_eq!(secret("DB_PASSWORD"), ("billing-db".to_owned(), "password".to_owned()));
    let cm = var("PROFILE")
        .value_from
        .as_ref()
        .unwrap()
        .config_map_key_ref
        .as_ref()
        .unwrap();
    assert_eq!((cm.name.as_str(), cm.key.as_str()), ("billing-settings", "profile"));
    let field = var("POD_NAME").value_from.as_ref().unwrap().field_ref.as_ref().unwrap();
    assert_eq!(field.field_path, "metadata.name");
    // Sorted by name, so `$(VAR)` references can follow what they use.
    let names: Vec<&str> = env.iter().map(|e| e.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    let env_from = c.env_from.as_ref().unwrap();
    assert_eq!(env_from[0].secret_ref.as_ref().unwrap().name, "billing-env");
    assert_eq!(env_from[1].config_map_ref.as_ref().unwrap().name, "billing-config");
}

#[test]
fn env_local_secrets() {
    let bundle = render(&app("env"), Target::local());
    golden("env_local", &bundle);
    assert_env(&bundle);
    // Local targets: plain Secrets from the .env values, one per referenced secret.
    let names: Vec<_> = bundle
        .all::<Secret>()
        .map(|s| s.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["billing-api-key", "billing-db", "billing-env"]);
    let data = |name: &str| bundle.get::<Secret>(name).unwrap().data.clone().unwrap();
    assert_eq!(data("billing-api-key")["value"].0, b"dev-api-key");
    assert_eq!(data("billing-db")["password"].0, b"dev-billing-password");
    let env_keys: Vec<_> = data("billing-env").into_keys().collect();
    assert_eq!(env_keys, ["STRIPE_KEY", "WEBHOOK_SECRET"]);
    assert_eq!(bundle.all::<ExternalSecret>().count(), 0);
}

#[test]
fn env_external_secrets() {
    let bundle = render(&app("env"), Target::dev());
    golden("env_external", &bundle);
    assert_env(&bundle);
    assert_eq!(bundle.all::<Secret>().count(), 0, "no plain Secret in the cloud");
    let names: Vec<_> = bundle
        .all::<ExternalSecret>()
        .map(|s| s.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["billing-api-key", "billing-db", "billing-env"]);
    for es in bundle.all::<ExternalSecret>() {
        let store = es.spec.secret_store_ref.as_ref().unwrap();
        assert_eq!(store.name.as_deref(), Some("dev-secrets"));
        assert_eq!(es.spec.target.as_ref().unwrap().name, es.metadata.name);
    }
    let db = bundle.get::<ExternalSecret>("billing-db").unwrap();
    assert_eq!(db.spec.data[0].secret_key, "password");
    assert_eq!(db.spec.data[0].remote_ref.property.as_deref(), Some("password"));
    let env = bundle.get::<ExternalSecret>("billing-env").unwrap();
    assert!(env.spec.data.is_empty());
    assert_eq!(env.spec.data_from.len(), 1, "env_from extracts every property");
}

#[test]
fn visibility_internal() {
    let bundle = render(&app("visibility_internal"), Target::local());
    golden("visibility_internal", &bundle);
    let ingress = ingress_policy(&bundle, "ledger").spec.as_ref().unwrap();
    let peer = &ingress.ingress.as_ref().unwrap()[0].from.as_ref().unwrap()[0];
    // Any namespace: an empty namespace selector.
    assert_eq!(peer.namespace_selector.as_ref().unwrap().match_labels, None);
    let egress = bundle
        .get::<NetworkPolicy>("ledger-egress")
        .unwrap()
        .spec
        .as_ref()
        .unwrap();
    assert_eq!(egress.policy_types.as_ref().unwrap(), &["Egress"]);
    let text = format!("{:?}", egress.egress);
    assert!(text.contains("kube-dns"), "DNS egress is always allowed: {text}");
    assert!(text.contains("\"payments\""), "{text}");
    assert!(text.contains("10.20.0.0/16") && text.contains("10.20.5.0/24"), "{text}");
}

#[test]
fn visibility_private() {
    let bundle = render(&app("visibility_private"), Target::local());
    golden("visibility_private", &bundle);
    let ingress = ingress_policy(&bundle, "ledger").spec.as_ref().unwrap();
    let rule = &ingress.ingress.as_ref().unwrap()[0];
    let peer = &rule.from.as_ref().unwrap()[0];
    assert!(peer.namespace_selector.is_none(), "own namespace only");
    assert!(peer.pod_selector.is_some());
    let protocols: Vec<_> = rule
        .ports
        .iter()
        .flatten()
        .map(|p| p.protocol.as_deref().unwrap_or("TCP"))
        .collect();
    assert_eq!(protocols, ["TCP", "UDP"]);
}

#[test]
fn visibility_restricted() {
    let bundle = render(&app("visibility_restricted"), Target::local());
    golden("visibility_restricted", &bundle);
    let ingress = ingress_policy(&bundle, "ledger").spec.as_ref().unwrap();
    let text = format!("{:?}", ingress.ingress);
    assert!(text.contains("\"orders\"") && text.contains("\"prometheus\"") && text.contains("\"monitoring\""));
    assert!(
        !text.contains("kube-system"),
        "restricted admits only allow_from: {text}"
    );
    let egress = format!("{:?}", bundle.get::<NetworkPolicy>("ledger-egress").unwrap().spec);
    assert!(egress.contains("\"postgres\""), "{egress}");
}

#[test]
fn visibility_public() {
    let bundle = render(&app("visibility_public"), Target::local());
    golden("visibility_public", &bundle);
    let text = format!("{:?}", ingress_policy(&bundle, "ledger").spec);
    assert!(
        text.contains("\"kube-system\""),
        "the local ingress namespace is admitted: {text}"
    );
    let egress = format!("{:?}", bundle.get::<NetworkPolicy>("ledger-egress").unwrap().spec);
    assert!(
        egress.contains("0.0.0.0/0") && egress.contains("10.0.0.0/8"),
        "{egress}"
    );
}

#[test]
fn service_accounts() {
    let bundle = render(&app("service_account_existing"), Target::gcp());
    golden("service_account_existing", &bundle);
    assert_eq!(
        bundle.all::<ServiceAccount>().count(),
        0,
        "an existing account is not rendered"
    );
    let spec = pod_spec(&bundle, "reports");
    assert_eq!(spec.service_account_name.as_deref(), Some("reporting"));
    assert_eq!(spec.automount_service_account_token, Some(false));

    for (fixture, account, key, value) in [
        (
            "service_account_gcp",
            "orders",
            "iam.gke.io/gcp-service-account",
            "orders@acme-prod.iam.gserviceaccount.com",
        ),
        (
            "service_account_aws",
            "orders-irsa",
            "eks.amazonaws.com/role-arn",
            "arn:aws:iam::123456789012:role/orders",
        ),
        (
            "service_account_azure",
            "orders",
            "azure.workload.identity/client-id",
            "00000000-1111-2222-3333-444444444444",
        ),
    ] {
        let bundle = render(&app(fixture), Target::gcp());
        golden(fixture, &bundle);
        let sa = bundle
            .get::<ServiceAccount>(account)
            .unwrap_or_else(|| panic!("{fixture}: no {account}"));
        assert_eq!(sa.metadata.annotations.as_ref().unwrap()[key], value, "{fixture}");
        let spec = pod_spec(&bundle, "orders");
        assert_eq!(spec.service_account_name.as_deref(), Some(account), "{fixture}");
        let pod_labels = bundle
            .get::<Deployment>("orders")
            .unwrap()
            .spec
            .template
            .metadata
            .as_ref()
            .unwrap()
            .labels
            .clone()
            .unwrap();
        let azure = fixture == "service_account_azure";
        // AKS mutates only pods labelled azure.workload.identity/use (REFERENCE §7, W3).
        assert_eq!(
            pod_labels.get("azure.workload.identity/use").map(String::as_str),
            azure.then_some("true"),
            "{fixture}"
        );
        assert_eq!(spec.automount_service_account_token, Some(azure), "{fixture}");
        if azure {
            let annotations = sa.metadata.annotations.as_ref().unwrap();
            assert_eq!(
                annotations["azure.workload.identity/tenant-id"],
                "55555555-6666-7777-8888-999999999999"
            );
        }
    }
}

#[test]
fn security_context_overrides() {
    let bundle = render(&app("security_context"), Target::local());
    golden("security_context", &bundle);
    let spec = pod_spec(&bundle, "renderer");
    let pod = spec.security_context.as_ref().unwrap();
    assert_eq!(
        (pod.run_as_user, pod.run_as_group, pod.fs_group),
        (Some(10001), Some(10001), Some(2000))
    );
    let mounts: Vec<_> = container(&bundle, "renderer")
        .volume_mounts
        .iter()
        .flatten()
        .map(|m| m.mount_path.as_str())
        .collect();
    assert_eq!(mounts, ["/tmp", "/var/cache/renderer"]);
    let caps = container(&bundle, "renderer")
        .security_context
        .as_ref()
        .unwrap()
        .capabilities
        .clone()
        .unwrap();
    assert_eq!(caps.add.unwrap(), ["NET_BIND_SERVICE"]);
    assert_restricted(spec);
}

#[test]
fn security_context_explicit_opt_out() {
    let bundle = render(&app("security_context_opt_out"), Target::local());
    golden("security_context_opt_out", &bundle);
    let sc = container(&bundle, "pinger").security_context.clone().unwrap();
    assert_eq!(sc.allow_privilege_escalation, Some(true));
    assert_eq!(sc.read_only_root_filesystem, Some(false));
    assert_eq!(sc.capabilities.as_ref().unwrap().add.as_ref().unwrap(), &["NET_RAW"]);
    // Still non-root with a seccomp profile: the opt-out is limited to what the spec says.
    assert_eq!(sc.run_as_non_root, Some(true));
    let spec = pod_spec(&bundle, "pinger");
    assert_eq!(spec.volumes, None, "writable_paths: [] adds no /tmp volume");
    let restricted = std::panic::catch_unwind(|| assert_restricted(spec));
    assert!(restricted.is_err(), "the opt-out must leave the restricted profile");
}

#[test]
fn pdbs() {
    let cases = [
        ("pdb_min_available", Some(IntOrString::Int(2)), None),
        ("pdb_max_unavailable", None, Some(IntOrString::String("25%".into()))),
        ("pdb_default", None, Some(IntOrString::Int(1))),
    ];
    for (fixture, min_available, max_unavailable) in cases {
        let bundle = render(&app(fixture), Target::local());
        golden(fixture, &bundle);
        let pdb = bundle
            .get::<PodDisruptionBudget>("web")
            .unwrap_or_else(|| panic!("{fixture}: no PDB"));
        let spec = pdb.spec.as_ref().unwrap();
        assert_eq!(spec.min_available, min_available, "{fixture}");
        assert_eq!(spec.max_unavailable, max_unavailable, "{fixture}");
        let selector = spec.selector.as_ref().unwrap().match_labels.as_ref().unwrap();
        let deployment = bundle.get::<Deployment>("web").unwrap();
        assert_eq!(
            Some(selector),
            deployment.spec.selector.match_labels.as_ref(),
            "{fixture}"
        );
    }
    let bundle = render(&app("pdb_disabled"), Target::local());
    golden("pdb_disabled", &bundle);
    assert_eq!(bundle.all::<PodDisruptionBudget>().count(), 0);
    // One replica: no default PDB (it would block every drain).
    let single = parse_app("name: web\nimage: ghcr.io/acme/web:1.2.0\n");
    assert_eq!(render(&single, Target::local()).all::<PodDisruptionBudget>().count(), 0);
}

#[test]
fn command_args_and_named_ports() {
    let bundle = render(&app("command_ports"), Target::local());
    golden("command_ports", &bundle);
    let c = container(&bundle, "gateway");
    assert_eq!(c.command.as_ref().unwrap(), &["/usr/local/bin/gateway"]);
    assert_eq!(
        c.args.as_ref().unwrap(),
        &["--config", "/etc/gateway/config.yaml", "--verbose"]
    );
    assert_eq!(c.working_dir.as_deref(), Some("/srv"));
    let ports: Vec<_> = c
        .ports
        .iter()
        .flatten()
        .map(|p| {
            (
                p.name.as_deref().unwrap(),
                p.container_port,
                p.protocol.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ports,
        [
            ("http", 8080, "TCP"),
            ("grpc", 9000, "TCP"),
            ("metrics", 9090, "TCP"),
            ("syslog", 5514, "UDP")
        ]
    );
    let service = bundle.get::<Service>("gateway").unwrap().spec.as_ref().unwrap();
    let service_ports: Vec<_> = service
        .ports
        .iter()
        .flatten()
        .map(|p| {
            (
                p.name.as_deref().unwrap(),
                p.port,
                p.target_port.clone().unwrap(),
                p.app_protocol.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        service_ports,
        [
            ("http", 8080, IntOrString::String("http".into()), Some("http")),
            (
                "grpc",
                9000,
                IntOrString::String("grpc".into()),
                Some("kubernetes.io/h2c")
            ),
            ("metrics", 9090, IntOrString::String("metrics".into()), None),
            ("syslog", 5514, IntOrString::String("syslog".into()), None),
        ]
    );
    assert_eq!(service.cluster_ip, None, "a Deployment's Service is not headless");
}

#[test]
fn stateful_postgres() {
    let bundle = render(&app("stateful"), Target::gcp());
    golden("stateful", &bundle);
    assert!(bundle.get::<Deployment>("postgres").is_none());
    let sts = bundle.get::<StatefulSet>("postgres").unwrap();
    assert_eq!(sts.spec.replicas, Some(3));
    assert_eq!(sts.spec.service_name.as_deref(), Some("postgres"));
    let claims = sts.spec.volume_claim_templates.as_ref().unwrap();
    let claim_names: Vec<_> = claims.iter().map(|c| c.metadata.name.as_deref().unwrap()).collect();
    assert_eq!(claim_names, ["data", "wal"]);
    let classes: Vec<_> = claims
        .iter()
        .map(|c| c.spec.as_ref().unwrap().storage_class_name.as_deref())
        .collect();
    assert_eq!(classes, [Some("standard-rwo"), Some("fast-ssd")]);
    // Claim templates are not PVC objects.
    assert_eq!(bundle.all::<PersistentVolumeClaim>().count(), 0);
    let service = bundle.get::<Service>("postgres").unwrap().spec.as_ref().unwrap();
    assert_eq!(service.cluster_ip.as_deref(), Some("None"), "headless");
    // Every mount has a volume or a claim template, and no volume is named like a claim
    // template (the controller adds the claim's volume itself).
    let spec = pod_spec(&bundle, "postgres");
    let volumes = spec.volumes.as_ref().unwrap();
    for mount in container(&bundle, "postgres").volume_mounts.iter().flatten() {
        let has_volume = volumes.iter().any(|v| v.name == mount.name);
        let is_claim = claim_names.contains(&mount.name.as_str());
        assert!(has_volume != is_claim, "mount {}", mount.name);
    }
    assert!(bundle.get::<ExternalSecret>("postgres-credentials").is_some());
    // Three replicas: the default PDB.
    assert!(bundle.get::<PodDisruptionBudget>("postgres").is_some());
    assert_restricted(spec);
}

#[test]
fn build_tiltfile() {
    let app = app("build");
    let bundle = render(&app, Target::local());
    golden("build", &bundle);
    let build = app.build.as_ref().unwrap();
    let first_port = app.ports.first().map(|p| p.port);
    let tiltfile = build.tiltfile(app.name.as_str(), &app.image, "k8s/orders.yaml", first_port);
    golden_text("build.star", &tiltfile);
    // Tilt matches the image by repository; the Deployment keeps the app's image.
    assert_eq!(container(&bundle, "orders").image.as_deref(), Some(app.image.as_str()));
    assert!(
        tiltfile.contains(&format!("'{}'", k3sapp::Build::image_ref(&app.image))),
        "{tiltfile}"
    );
    assert!(tiltfile.contains("port_forwards=['8080:8080', '40000']"), "{tiltfile}");
}

/// The fully-featured example app under each preset.
const ORDERS: &str = include_str!("../../../examples/specs/orders.yaml");

#[test]
fn orders_on_every_preset() {
    let orders = parse_app(ORDERS);
    for (preset, target) in [
        ("local", Target::local()),
        ("dev", Target::dev()),
        ("gcp", Target::gcp()),
    ] {
        let bundle = render(&orders, target);
        golden(&format!("orders_{preset}"), &bundle);
        let spec = pod_spec(&bundle, "orders");
        assert_restricted(spec);
        assert_eq!(
            bundle.get::<Deployment>("orders").unwrap().spec.replicas,
            None,
            "{preset}"
        );
        assert!(bundle.get::<HorizontalPodAutoscaler>("orders").is_some(), "{preset}");
        assert_eq!(bundle.all::<ScaledObject>().count(), 0, "{preset}");
        let pdb = bundle
            .get::<PodDisruptionBudget>("orders")
            .unwrap()
            .spec
            .as_ref()
            .unwrap();
        assert_eq!(pdb.min_available, Some(IntOrString::Int(1)), "{preset}");
        let local = preset == "local";
        assert_eq!(bundle.get::<Secret>("orders-api-key").is_some(), local, "{preset}");
        assert_eq!(
            bundle.get::<ExternalSecret>("orders-api-key").is_some(),
            !local,
            "{preset}"
        );
        let routes = bundle.all::<IngressRoute>().count() + bundle.all::<Ingress>().count();
        assert_eq!(routes, 1, "{preset}");
        assert_eq!(bundle.all::<HTTPRoute>().count(), 0, "{preset}");
        let sa = bundle.get::<ServiceAccount>("orders").unwrap();
        assert!(
            sa.metadata
                .annotations
                .as_ref()
                .unwrap()
                .contains_key("iam.gke.io/gcp-service-account")
        );
        // Rendering again gives the same bytes.
        let again = orders.render(&ctx(Target::preset(preset).unwrap())).unwrap();
        assert_eq!(again.to_yaml().unwrap(), bundle.to_yaml().unwrap(), "{preset}");
    }
}

#[test]
fn app_set_with_a_shared_secret() {
    let set: AppSet = app_set("appset");
    let bundle = set
        .render(&ctx(Target::local()))
        .unwrap_or_else(|e| panic!("AppSet render failed:\n{e}"));
    golden("appset", &bundle);
    assert!(bundle.get::<Deployment>("orders").is_some());
    assert!(bundle.get::<Deployment>("invoices").is_some());
    // The shared secret is rendered once, with every key either app needs.
    let secrets: Vec<_> = bundle.all::<Secret>().collect();
    assert_eq!(secrets.len(), 1);
    let keys: Vec<_> = secrets[0].data.clone().unwrap().into_keys().collect();
    assert_eq!(keys, ["password", "user"]);
    // It belongs to neither app alone: no app name label.
    let labels = secrets[0].metadata.labels.clone().unwrap_or_default();
    assert!(!labels.contains_key("app.kubernetes.io/name"), "{labels:?}");
    // In the cloud: one ExternalSecret reading both properties.
    let cloud = set.render(&ctx(Target::gcp())).unwrap();
    let es: Vec<_> = cloud.all::<ExternalSecret>().collect();
    assert_eq!(es.len(), 1);
    let keys: Vec<_> = es[0].spec.data.iter().map(|d| d.secret_key.as_str()).collect();
    assert_eq!(keys, ["password", "user"]);
}
