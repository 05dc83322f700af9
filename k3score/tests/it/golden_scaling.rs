//! Golden bundles for each scaling mode: `none`, `hpa`, `keda_http` (with both KEDA HTTP add-on
//! APIs), `keda_queue` and `keda_cron`, each with the Deployment it scales.

use crate::common::{app_bundle, ctx, golden, web};

use k3score::exposure::{self, Backend, Route};
use k3score::network::{self, WorkloadPort};
use k3score::ports::PortRef;
use k3score::scaling::{Scaling, ScalingContext, ServiceRef};
use k3score::{Bundle, Context, KedaHttpApi, PathRef, Target, Validate};
use serde_json::json;

/// The workload `web`, its scaling objects (the Secrets they read come with the workload's, see
/// `crate::common::app_bundle`), and for `keda_http` the route through the KEDA interceptor plus the
/// policy admitting the interceptor (REFERENCE §2c).
fn scaled(yaml: &str, ctx: &Context) -> Bundle {
    let scaling: Scaling = k3score::yaml::from_yaml(yaml).unwrap();
    scaling.problems_at(PathRef::ROOT.field("scaling")).finish(()).unwrap();
    let mut w = web("web");
    if scaling.needs_resource_requests() {
        w.resources = k3score::yaml::from_yaml("{cpu: 250m, memory: 256Mi}").unwrap();
    }
    let mut bundle = app_bundle(&w, &scaling, ctx);
    let host = ctx.target.host("web");
    let sctx = ScalingContext::new(w.labels.clone(), ctx)
        .with_service(ServiceRef {
            name: "web".into(),
            port: PortRef::Number(8080),
        })
        .with_hosts(vec![host])
        .with_paths(vec!["/".into()]);
    for object in scaling.render(&sctx).unwrap() {
        bundle.push(object);
    }
    if let Scaling::KedaHttp(_) = scaling {
        let route = Route::new(
            w.name.clone(),
            w.name.clone().into(),
            Backend::keda_interceptor(&ctx.target),
        )
        .with_labels(w.labels.clone());
        for object in exposure::render_routes(&[route], ctx).unwrap() {
            bundle.push(object);
        }
        let keda = &ctx.target.keda.namespace;
        bundle.push(network::allow_from_namespace(
            &w.labels,
            keda,
            &[WorkloadPort::tcp(8080)],
            ctx,
        ));
    }
    bundle
}

#[test]
fn none_keeps_the_replica_count() {
    let bundle = scaled("none", &ctx(Target::local()));
    golden("scaling", "none", &bundle);
    assert_eq!(
        crate::common::kinds(&bundle),
        ["ServiceAccount", "Deployment", "Service"]
    );
    assert_eq!(crate::common::find(&bundle, "Deployment", "web")["spec"]["replicas"], 2);
}

#[test]
fn hpa_owns_the_replicas() {
    let yaml = "hpa: {min: 2, max: 10, cpu: 70, memory: 80, \
                behavior: {scale_down: {stabilization_window: 600, policies: [{type: percent, value: 50, period: 60}]}}}";
    let bundle = scaled(yaml, &ctx(Target::local()));
    golden("scaling", "hpa", &bundle);
    assert!(
        crate::common::find(&bundle, "Deployment", "web")["spec"]
            .get("replicas")
            .is_none()
    );
    let hpa = crate::common::find(&bundle, "HorizontalPodAutoscaler", "web");
    assert_eq!(
        hpa["spec"]["scaleTargetRef"],
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"})
    );
}

#[test]
fn keda_http_with_interceptor_route() {
    let bundle = scaled(
        "keda_http: {max: 5, concurrency: 20, scaledown_period: 120}",
        &ctx(Target::local()),
    );
    golden("scaling", "keda_http_interceptor_route", &bundle);
    let trigger = &crate::common::find(&bundle, "ScaledObject", "web")["spec"]["triggers"][0];
    assert_eq!(trigger["metadata"]["interceptorRoute"], "web");
    // Traffic goes through the interceptor, never straight to the app (REFERENCE §2c, HA4).
    let ingress_route = crate::common::find(&bundle, "IngressRoute", "web");
    assert_eq!(
        ingress_route["spec"]["routes"][0]["services"][0],
        json!({"name": "keda-add-ons-http-interceptor-proxy", "namespace": "keda", "port": 8080})
    );
    assert_eq!(
        bundle.iter().filter(|o| o.kind() == "HorizontalPodAutoscaler").count(),
        0
    );
}

#[test]
fn keda_http_with_legacy_http_scaled_object() {
    let mut target = Target::local();
    target.keda.http_api = KedaHttpApi::HttpScaledObject;
    let bundle = scaled(
        "keda_http: {min: 1, max: 5, request_rate: {target: 50, window: 1m}}",
        &ctx(target),
    );
    golden("scaling", "keda_http_http_scaled_object", &bundle);
    // The add-on creates the ScaledObject itself: we render none.
    assert!(!crate::common::kinds(&bundle).iter().any(|k| k == "ScaledObject"));
    let so = crate::common::find(&bundle, "HTTPScaledObject", "web");
    assert_eq!(so["spec"]["hosts"], json!(["web.localhost"]));
}

#[test]
fn keda_queue_with_sentinel_passwords() {
    let yaml = "keda_queue: {max: 8, addresses: ['redis-sentinel.data:26379'], master: mymaster, list: emails, \
                length: 10, password: {secret: redis, key: password}, sentinel_password: {secret: redis, key: sentinel}}";
    let bundle = scaled(yaml, &ctx(Target::gcp()));
    golden("scaling", "keda_queue", &bundle);
    let so = crate::common::find(&bundle, "ScaledObject", "web");
    assert_eq!(so["spec"]["triggers"][0]["type"], "redis-sentinel");
    assert_eq!(so["spec"]["triggers"][0]["authenticationRef"]["name"], "web-queue-auth");
    // Every Secret key the TriggerAuthentication reads is provided by the ExternalSecret.
    let auth = crate::common::find(&bundle, "TriggerAuthentication", "web-queue-auth");
    let es = crate::common::find(&bundle, "ExternalSecret", "redis");
    for target_ref in auth["spec"]["secretTargetRef"].as_array().unwrap() {
        assert_eq!(target_ref["name"], "redis");
        let provided = es["spec"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["secretKey"] == target_ref["key"]);
        assert!(provided, "{target_ref}");
    }
}

#[test]
fn keda_cron_windows() {
    let yaml = "keda_cron: {timezone: Europe/Paris, min: 1, windows: [\
                {start: '0 8 * * 1-5', end: '0 20 * * 1-5', replicas: 6}, {start: '0 10 * * 6', end: '0 14 * * 6', replicas: 2}]}";
    let bundle = scaled(yaml, &ctx(Target::dev()));
    golden("scaling", "keda_cron", &bundle);
    let so = crate::common::find(&bundle, "ScaledObject", "web");
    assert_eq!(so["spec"]["triggers"].as_array().unwrap().len(), 2);
    assert_eq!(so["spec"]["maxReplicaCount"], 6);
    assert_eq!(so["spec"]["triggers"][1]["metadata"]["desiredReplicas"], "2");
}

#[test]
fn interceptor_matches_the_path_it_receives() {
    // As k3sapp and k3sfn do: the route goes to the interceptor, and the scaling context gets
    // the route's hosts and the paths the backend receives (`Route::backend_paths`).
    let ctx = ctx(Target::local());
    let w = web("hello");
    let route = Route {
        strip_prefix: true,
        ..Route::new(
            w.name.clone(),
            w.name.clone().into(),
            Backend::keda_interceptor(&ctx.target),
        )
        .with_paths(["/api"])
    };
    let Ok(_) = exposure::render_routes(std::slice::from_ref(&route), &ctx) else {
        return; // Refusing to rewrite in front of the interceptor would be a fix too.
    };
    let sctx = ScalingContext::new(w.labels.clone(), &ctx)
        .with_service(ServiceRef {
            name: "hello".into(),
            port: PortRef::Number(8080),
        })
        .with_hosts(vec![route.host.resolve(&ctx.target)])
        .with_paths(route.backend_paths());
    let scaling: Scaling = k3score::yaml::from_yaml("keda_http: {max: 5}").unwrap();
    let bundle = crate::common::bundle_of(scaling.render(&sctx).unwrap());
    // Traefik's stripPrefix turns /api/orders into /orders before the interceptor sees it.
    let forwarded = format!("{}/orders", route.prefix_replacement().unwrap().trim_end_matches('/'));
    let rules = crate::common::find(&bundle, "InterceptorRoute", "hello")["spec"]["rules"].clone();
    let prefixes: Vec<&str> = rules[0]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_str().unwrap())
        .collect();
    assert!(
        prefixes.iter().any(|p| forwarded.starts_with(p)),
        "the interceptor receives {forwarded} but matches only {prefixes:?}: every request gets a 404"
    );
}
