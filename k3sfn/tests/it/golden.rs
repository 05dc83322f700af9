//! Golden tests: whole bundles per trigger kind, per visibility and per target preset,
//! compared with `tests/golden/<name>.yaml` (`K3S_BLESS=1 cargo test -p k3sfn --test it golden`
//! rewrites them), each with targeted assertions on the fields it is about.

use crate::common::{example_project, golden, project, render};
use k3score::crd::external_secrets::v1::ExternalSecret;
use k3score::crd::keda::v1alpha1::{ScaledObject, TriggerAuthentication};
use k3score::crd::keda_http::v1alpha1::HTTPScaledObject;
use k3score::crd::keda_http::v1beta1::InterceptorRoute;
use k3score::crd::traefik::v1alpha1::IngressRoute;
use k3score::{KedaHttpApi, Object, Target};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::{Container, Secret, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};

fn kinds(bundle: &k3score::Bundle) -> Vec<String> {
    bundle.iter().map(|o| format!("{}/{}", o.kind(), o.name())).collect()
}

fn env<'a>(container: &'a Container, name: &str) -> Option<&'a str> {
    container
        .env
        .as_ref()?
        .iter()
        .find(|e| e.name == name)?
        .value
        .as_deref()
}

fn deployment_container<'a>(bundle: &'a k3score::Bundle, name: &str) -> &'a Container {
    let d = bundle
        .get::<Deployment>(name)
        .unwrap_or_else(|| panic!("no Deployment {name}"));
    &d.spec.template.spec.as_ref().unwrap().containers[0]
}

#[test]
fn http_public() {
    let bundle = render(&project("http_public"), Target::local());
    golden("http_public", &bundle);
    let d = bundle.get::<Deployment>("shop-list-orders").unwrap();
    assert_eq!(d.spec.replicas, None, "KEDA owns replicas");
    let c = deployment_container(&bundle, "shop-list-orders");
    assert_eq!(env(c, "K3SFN_HANDLER"), Some("orders:list_orders"));
    assert_eq!(env(c, "K3SFN_METHODS"), Some("GET,POST"));
    assert!(bundle.get::<Service>("shop-list-orders").is_some());
    let so = bundle.get::<ScaledObject>("shop-list-orders").unwrap();
    assert_eq!(so.spec.min_replica_count, Some(0), "scale to zero");
    assert_eq!(so.spec.max_replica_count, Some(5));
    let ir = bundle.get::<InterceptorRoute>("shop-list-orders").unwrap();
    assert_eq!(ir.spec.rules[0].hosts, ["shop.localhost"]);
    let route = bundle.get::<IngressRoute>("shop-list-orders").unwrap();
    let service = &route.spec.routes[0].services[0];
    assert_eq!(service.name, "keda-add-ons-http-interceptor-proxy");
    assert_eq!(service.namespace.as_deref(), Some("keda"));
    assert!(bundle.get::<NetworkPolicy>("shop-list-orders-from-keda").is_some());
}

#[test]
fn http_legacy_keda_api() {
    let mut target = Target::dev();
    target.keda.http_api = KedaHttpApi::HttpScaledObject;
    let bundle = render(&project("http_public"), target);
    golden("http_legacy_keda_api", &bundle);
    let so = bundle.get::<HTTPScaledObject>("shop-list-orders").unwrap();
    assert_eq!(so.spec.hosts, ["shop.dev.example.com"]);
    assert!(bundle.all::<InterceptorRoute>().next().is_none());
}

#[test]
fn http_visibilities() {
    for visibility in ["internal", "private"] {
        let name = format!("http_{visibility}");
        let bundle = render(&project(&name), Target::local());
        golden(&name, &bundle);
        let list = kinds(&bundle);
        assert!(
            !list.iter().any(|k| k.starts_with("IngressRoute")),
            "{visibility}: {list:?}"
        );
        let ir = bundle.get::<InterceptorRoute>("shop-order-stats").unwrap();
        assert_eq!(ir.spec.rules[0].hosts, ["shop-order-stats.shop.svc.cluster.local"]);
        let policy = bundle.get::<NetworkPolicy>("shop-order-stats-ingress").unwrap();
        let from = policy.spec.as_ref().unwrap().ingress.as_ref().unwrap()[0]
            .from
            .clone()
            .unwrap();
        match visibility {
            "internal" => assert!(from[0].namespace_selector.is_some()),
            _ => assert!(from[0].namespace_selector.is_none() && from[0].pod_selector.is_some()),
        }
    }
}

#[test]
fn queue() {
    let bundle = render(&project("queue"), Target::local());
    golden("queue", &bundle);
    assert!(bundle.get::<Deployment>("shop-on-order").is_some());
    assert!(
        bundle.all::<Service>().next().is_none(),
        "queue functions have no Service"
    );
    let so = bundle.get::<ScaledObject>("shop-on-order").unwrap();
    let trigger = &so.spec.triggers[0];
    assert_eq!(trigger.type_, "redis-sentinel");
    assert_eq!(trigger.metadata["listName"], "orders-created");
    assert_eq!(trigger.metadata["listLength"], "10");
    assert_eq!(trigger.metadata["sentinelMaster"], "mymaster");
    let auth = bundle.get::<TriggerAuthentication>("shop-on-order-queue-auth").unwrap();
    assert_eq!(auth.spec.secret_target_ref[0].name, "redis-credentials");
    let secret = bundle.get::<Secret>("redis-credentials").unwrap();
    assert_eq!(secret.data.as_ref().unwrap()["password"].0, b"dev-redis-password");
    let c = deployment_container(&bundle, "shop-on-order");
    assert_eq!(env(c, "K3SFN_QUEUE_LIST"), Some("orders-created"));
}

#[test]
fn schedule() {
    let bundle = render(&project("schedule"), Target::local());
    golden("schedule", &bundle);
    let cron = bundle.get::<CronJob>("shop-reconcile").unwrap();
    let spec = &cron.spec;
    assert_eq!(spec.schedule, "*/15 * * * *");
    assert_eq!(spec.time_zone.as_deref(), Some("Europe/Paris"));
    assert_eq!(spec.concurrency_policy.as_deref(), Some("Replace"));
    assert_eq!(spec.starting_deadline_seconds, Some(120));
    let job = spec.job_template.spec.as_ref().unwrap();
    assert_eq!(job.backoff_limit, Some(3));
    let pod = job.template.spec.as_ref().unwrap();
    assert_eq!(pod.restart_policy.as_deref(), Some("Never"));
    assert!(bundle.all::<Deployment>().next().is_none());
}

#[test]
fn long_names_are_shortened() {
    let bundle = render(&project("long_names"), Target::gcp());
    golden("long_names", &bundle);
    let cron = bundle.all::<CronJob>().next().unwrap();
    let name = cron.metadata.name.as_deref().unwrap();
    assert!(name.len() <= 52, "{name}");
    assert!(name.starts_with("shop-reconcile-every"), "{name}");
    for object in bundle.iter() {
        assert!(object.name().len() <= 63, "{}", object.name());
        if let Object::ScaledObject(so) = object {
            assert!(so.metadata.name.as_deref().unwrap().len() <= 54);
        }
    }
    assert!(bundle.all::<Ingress>().next().is_some(), "HAProxy route on gcp");
}

#[test]
fn example_project_per_preset() {
    let project = example_project();
    assert_eq!(project.functions.len(), 8);
    assert_eq!(
        project.images().into_iter().collect::<Vec<_>>(),
        ["ghcr.io/acme/shop-functions:1.2.0", "ghcr.io/acme/stripe-webhook:0.3.1"]
    );
    for (preset, target) in [
        ("local", Target::local()),
        ("dev", Target::dev()),
        ("gcp", Target::gcp()),
    ] {
        let bundle = render(&project, target);
        golden(&format!("example_{preset}"), &bundle);
        assert_eq!(bundle.all::<CronJob>().count(), 2, "{preset}");
        assert_eq!(bundle.all::<Deployment>().count(), 6, "{preset}");
        let images: std::collections::BTreeSet<String> = bundle
            .all::<Deployment>()
            .map(|d| {
                d.spec.template.spec.as_ref().unwrap().containers[0]
                    .image
                    .clone()
                    .unwrap()
            })
            .collect();
        assert_eq!(images.len(), 2, "{preset}: one reference per distinct image");
        match preset {
            "local" => assert!(bundle.all::<ExternalSecret>().next().is_none()),
            _ => assert!(bundle.all::<Secret>().next().is_none()),
        }
        let public_routes = match preset {
            "gcp" => bundle.all::<Ingress>().count(),
            _ => bundle.all::<IngressRoute>().count(),
        };
        assert_eq!(
            public_routes, 3,
            "{preset}: list-orders, create-invoice, stripe-webhook"
        );
    }
}
