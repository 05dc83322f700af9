//! Property tests over generated valid inputs (workload names up to 63 characters, namespaces,
//! route names and hosts, scaling specs with `min <= max`, network specs, every preset and
//! ingress controller):
//!
//! - every rendered object's name is valid for its kind and within its limit (REFERENCE §12:
//!   DNS-1035 label for Services, DNS-1123 label for Namespaces and Jobs, 52 for StatefulSets
//!   and CronJobs, 54 for ScaledObjects and HTTPScaledObjects, DNS-1123 subdomain of 253 for
//!   the rest; container and volume names are DNS-1123 labels);
//! - every label key and value (metadata, pod templates, selectors) and annotation key is valid;
//! - rendering twice gives identical bytes.

use std::collections::BTreeMap;

use k3score::exposure::{self, Backend, Duration, Host, Route};
use k3score::labels::AppLabels;
use k3score::names::{
    check_dns1035_label, check_dns1123_label, check_dns1123_subdomain, check_label_key, check_label_value,
};
use k3score::network::{self, EgressMode, NetworkSpec, Peer, PeerPort, Visibility, WorkloadPort};
use k3score::ports::{Port, PortRef};
use k3score::scaling::{CronWindow, Hpa, KedaCron, KedaHttp, KedaQueue, Scaling, ScalingContext, ServiceRef};
use k3score::secrets::SecretKeyRef;
use k3score::workload::{EnvValue, Volume, Workload};
use k3score::{Bundle, Context, Ingress, KedaHttpApi, PathRef, Problems, Target, Validate};
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use proptest::prelude::*;
use serde_json::Value;

/// DNS-1123 labels, often near the 63-character limit.
fn dns_label() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?", "[a-z0-9][-a-z0-9]{48,61}[a-z0-9]",]
}

/// DNS-1035 labels (a letter first), for Service names.
fn dns1035_label() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z]([-a-z0-9]{0,10}[a-z0-9])?", "[a-z][-a-z0-9]{48,61}[a-z0-9]"]
}

/// Hosts: a short name (completed with the target's domain), a name with dots, or a wildcard.
fn host() -> impl Strategy<Value = String> {
    let fqdn = || prop::collection::vec(dns_label(), 2..4).prop_map(|labels| labels.join("."));
    prop_oneof![
        dns_label(),
        fqdn().prop_filter("at most 253", |h| h.len() <= 253),
        fqdn()
            .prop_map(|h| format!("*.{h}"))
            .prop_filter("at most 253", |h| h.len() <= 253),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    (0..3usize, 0..3usize, any::<bool>()).prop_map(|(preset, ingress, legacy_http)| {
        let mut target = [Target::local(), Target::dev(), Target::gcp()][preset].clone();
        let (ingress, namespace) = match ingress {
            0 => (Ingress::traefik(), "traefik"),
            1 => (Ingress::haproxy(), "haproxy-controller"),
            _ => (Ingress::gateway_api("shared", "infra").unwrap(), "infra"),
        };
        target = target.with_ingress(ingress, namespace.parse().unwrap());
        if legacy_http {
            target.keda.http_api = KedaHttpApi::HttpScaledObject;
        }
        target
    })
}

fn scaling() -> impl Strategy<Value = Scaling> {
    let bounds = |floor: i32| (floor..=5i32, 0..=20i32).prop_map(|(min, extra)| (min, min + extra.max(1 - min)));
    prop_oneof![
        Just(Scaling::None),
        (bounds(1), prop::option::of(1..=100i32)).prop_map(|((min, max), cpu)| Scaling::Hpa(Hpa {
            min,
            max,
            cpu,
            memory: None,
            behavior: None
        })),
        (bounds(0), prop::option::of(1..=500i32)).prop_map(|((min, max), concurrency)| {
            Scaling::KedaHttp(KedaHttp {
                min,
                max,
                concurrency,
                request_rate: None,
                scaledown_period: None,
            })
        }),
        (bounds(0), 1..=100i32, any::<bool>()).prop_map(|((min, max), length, auth)| {
            let password = auth.then(|| k3score::yaml::from_yaml("{secret: redis, key: password}").unwrap());
            Scaling::KedaQueue(KedaQueue {
                min,
                max,
                addresses: vec!["redis-sentinel.data:26379".into()],
                master: "mymaster".into(),
                list: "jobs".into(),
                length,
                activation_length: None,
                password,
                sentinel_password: None,
            })
        }),
        (0..=3i32, prop::collection::vec((0..4usize, 1..=10i32), 1..3)).prop_map(|(min, windows)| {
            const HOURS: [(&str, &str); 4] = [
                ("0 8 * * 1-5", "0 18 * * 1-5"),
                ("30 6 * * *", "0 9 * * *"),
                ("0 10 * * 6", "0 14 * * 6"),
                ("*/15 * * * *", "5 * * * *"),
            ];
            let windows: Vec<CronWindow> = windows
                .into_iter()
                .map(|(i, replicas)| CronWindow {
                    start: HOURS[i].0.into(),
                    end: HOURS[i].1.into(),
                    replicas: replicas.max(min.max(1)),
                })
                .collect();
            Scaling::KedaCron(KedaCron {
                timezone: "Europe/Paris".into(),
                windows,
                min,
                max: None,
            })
        }),
    ]
}

fn peer() -> impl Strategy<Value = Peer> {
    let ports = prop::collection::vec(1..=65535u16, 0..3).prop_map(|p| p.into_iter().map(PeerPort::Number).collect());
    let pods = (prop::option::of(dns_label()), prop::option::of(dns_label()))
        .prop_filter("selects something", |(ns, app)| ns.is_some() || app.is_some())
        .prop_map(|(ns, app)| Peer {
            namespace: ns.map(|n| n.parse().unwrap()),
            app: app.map(|a| a.parse().unwrap()),
            ..Default::default()
        });
    let cidr = (0..=255u8, 16..=32u8).prop_map(|(octet, prefix)| Peer {
        cidr: Some(format!("10.{octet}.0.0/{prefix}").parse().unwrap()),
        ..Default::default()
    });
    (prop_oneof![pods, cidr], ports).prop_map(|(peer, ports)| Peer { ports, ..peer })
}

fn network_spec() -> impl Strategy<Value = NetworkSpec> {
    let visibility = prop_oneof![
        Just(Visibility::Public),
        Just(Visibility::Internal),
        Just(Visibility::Private),
        Just(Visibility::Restricted),
    ];
    let peers = || prop::collection::vec(peer(), 0..3);
    (visibility, peers(), peers(), any::<bool>()).prop_map(|(visibility, allow_from, allow_to, open)| NetworkSpec {
        visibility,
        allow_from,
        allow_to: if open { Vec::new() } else { allow_to },
        egress: if open { EgressMode::Open } else { EgressMode::Restricted },
    })
}

/// A generated route: name, host, backend Service, `strip_prefix`, timeout in seconds.
type RouteInput = (String, String, String, bool, Option<u32>);

fn routes() -> impl Strategy<Value = Vec<RouteInput>> {
    prop::collection::vec(
        (
            dns_label(),
            host(),
            dns1035_label(),
            any::<bool>(),
            prop::option::of(1..=600u32),
        ),
        1..3,
    )
}

/// One generated input.
#[derive(Debug, Clone)]
struct Input {
    namespace: String,
    workload: String,
    writable_paths: Vec<String>,
    target: Target,
    scaling: Scaling,
    network: NetworkSpec,
    routes: Vec<RouteInput>,
}

/// Writable paths (each gets an `emptyDir` named after it), distinct, some long.
fn writable_paths() -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set("[a-z][a-z0-9]{0,70}", 0..3)
        .prop_map(|names| names.into_iter().map(|n| format!("/var/{n}")).collect())
}

fn input() -> impl Strategy<Value = Input> {
    let workload = (dns_label(), dns_label(), writable_paths());
    (workload, target(), scaling(), network_spec(), routes()).prop_map(
        |((namespace, workload, writable_paths), target, scaling, network, routes)| Input {
            namespace,
            workload,
            writable_paths,
            target,
            scaling,
            network,
            routes,
        },
    )
}

/// Everything k3score renders for `input`, in one bundle (routes deduplicated by name), and the
/// StatefulSet flavour of the pod template (k3score renders no StatefulSet itself).
fn render(input: &Input) -> (Bundle, Value) {
    let values = BTreeMap::from([
        ("API_KEY".to_owned(), "k".to_owned()),
        ("redis.password".to_owned(), "r".to_owned()),
    ]);
    let ctx = Context::new(input.target.clone(), input.namespace.parse().unwrap()).with_secret_values(values);
    let mut w = Workload::new(input.workload.parse().unwrap(), "ghcr.io/acme/app:1.0.0");
    w.ports.push(Port::tcp("http".parse().unwrap(), 8080));
    let secret = format!("{}-api-key", input.workload).parse().unwrap();
    w.env.insert(
        "API_KEY".parse().unwrap(),
        EnvValue::Secret(SecretKeyRef { secret, key: None }),
    );
    let data: Volume = k3score::yaml::from_yaml("{name: data, mount_path: /data, pvc: {size: 1Gi}}").unwrap();
    w.volumes.push(data);
    w.security.writable_paths.extend(input.writable_paths.iter().cloned());
    if input.scaling.needs_resource_requests() {
        w.resources.cpu = Some("100m".parse().unwrap());
    }
    let rendered = w.render(&ctx).unwrap();
    let stateful = w.render_stateful(&ctx).unwrap();
    let mut refs = w.secret_refs();
    refs.extend(input.scaling.secret_refs(PathRef::ROOT.field("scaling")));
    let secrets = k3score::secrets::render_secret_refs(&refs, &w.labels.labels(), &ctx).unwrap();
    let mut bundle: Bundle = rendered.objects.into_iter().chain(secrets).collect();
    let mut seen = std::collections::BTreeSet::new();
    let routes: Vec<Route> = input
        .routes
        .iter()
        .filter(|(name, ..)| seen.insert(name.clone()))
        .map(|(name, host, service, strip, timeout)| {
            // keda_http workloads are reached through the interceptor in KEDA's namespace.
            let backend = match input.scaling {
                Scaling::KedaHttp(_) => Backend::keda_interceptor(&ctx.target),
                _ => Backend::new(service.parse().unwrap(), PortRef::Number(8080)),
            };
            Route {
                strip_prefix: *strip,
                timeout: timeout.map(Duration::from_secs),
                ..Route::new(name.parse().unwrap(), host.parse::<Host>().unwrap(), backend)
                    .with_paths(["/api"])
                    .with_labels(w.labels.clone())
            }
        })
        .collect();
    for object in exposure::render_routes(&routes, &ctx).unwrap() {
        bundle.push(object);
    }
    let hosts = routes.iter().map(|r| r.host.resolve(&ctx.target)).collect();
    let sctx = ScalingContext::new(w.labels.clone(), &ctx)
        .with_service(ServiceRef {
            name: input.workload.clone(),
            port: PortRef::Number(8080),
        })
        .with_hosts(hosts);
    let mut problems = Problems::default();
    input.scaling.validate(PathRef::ROOT.field("scaling"), &mut problems);
    input.network.validate(PathRef::ROOT.field("security"), &mut problems);
    problems.finish(()).unwrap();
    for object in input.scaling.render(&sctx).unwrap() {
        bundle.push(object);
    }
    let app = AppLabels::new(w.name.clone());
    for policy in network::render(
        &input.network,
        &app,
        &[WorkloadPort::tcp(8080)],
        &[WorkloadPort::tcp(8080)],
        &ctx,
    ) {
        bundle.push(policy);
    }
    // Typed, unnamed: only its pod template and claim templates are checked.
    let stateful = StatefulSet {
        spec: StatefulSetSpec {
            template: stateful.pod_template,
            volume_claim_templates: Some(stateful.volume_claim_templates),
            ..Default::default()
        },
        ..Default::default()
    };
    (bundle, serde_json::to_value(stateful).unwrap())
}

/// A name grammar check from `k3score::names`.
type Grammar = fn(&str) -> Result<(), k3score::ErrorKind>;

/// Whether `name` is a valid name for `kind`.
fn check_name(kind: &str, name: &str) -> Result<(), String> {
    let (max, grammar): (usize, Grammar) = match kind {
        "Service" => (63, check_dns1035_label),
        "Namespace" | "Job" => (63, check_dns1123_label),
        "StatefulSet" | "CronJob" => (52, check_dns1123_subdomain),
        "ScaledObject" | "HTTPScaledObject" => (54, check_dns1123_subdomain),
        _ => (253, check_dns1123_subdomain),
    };
    grammar(name).map_err(|e| format!("{kind} {name:?}: {e}"))?;
    if name.len() > max {
        return Err(format!("{kind} {name:?} is {} characters, over {max}", name.len()));
    }
    Ok(())
}

/// Every label and annotation map anywhere in `value`, checked.
fn check_labels(value: &Value, where_: &str, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if let (true, Value::Object(entries)) = (key == "labels" || key == "matchLabels", child) {
                    for (k, v) in entries {
                        let text = v.as_str().unwrap_or_default();
                        if check_label_key(k).is_err() || check_label_value(text).is_err() {
                            problems.push(format!("{where_}: label {k}={v}"));
                        }
                    }
                }
                if let (true, Value::Object(entries)) = (key == "annotations", child) {
                    problems.extend(
                        entries
                            .keys()
                            .filter(|k| check_label_key(k).is_err())
                            .map(|k| format!("{where_}: annotation {k}")),
                    );
                }
                check_labels(child, where_, problems);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| check_labels(item, where_, problems)),
        _ => {}
    }
}

/// Labels everywhere in `value`, and the container and volume names of its pod template.
fn check_object(value: &Value, key: &str, problems: &mut Vec<String>) {
    check_labels(value, key, problems);
    if let Some(pod) = value.pointer("/spec/template/spec") {
        let names = ["containers", "initContainers", "volumes"]
            .into_iter()
            .flat_map(|field| pod[field].as_array().into_iter().flatten())
            .filter_map(|c| c["name"].as_str());
        for name in names {
            if check_dns1123_label(name).is_err() {
                problems.push(format!("{key}: container or volume {name}"));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn names_and_labels_are_valid_and_output_is_deterministic(input in input()) {
        let (bundle, stateful) = render(&input);
        let mut problems = Vec::new();
        for object in &bundle {
            if let Err(e) = check_name(&object.kind(), object.name()) {
                problems.push(e);
            }
            if let Some(ns) = object.namespace() && check_dns1123_label(ns).is_err() {
                problems.push(format!("{} namespace {ns}", object.key()));
            }
            check_object(&serde_json::to_value(object).unwrap(), &object.key(), &mut problems);
        }
        check_object(&stateful, "StatefulSet template", &mut problems);
        prop_assert!(problems.is_empty(), "{problems:#?}");
        prop_assert!(bundle.check_unique().is_ok(), "{}", bundle.check_unique().unwrap_err());
        let (again, stateful_again) = render(&input.clone());
        prop_assert_eq!(bundle.to_yaml().unwrap(), again.to_yaml().unwrap());
        prop_assert_eq!(bundle.to_json().unwrap(), again.to_json().unwrap());
        prop_assert_eq!(stateful, stateful_again);
    }
}

#[test]
fn writable_path_volumes_have_label_names() {
    let mut w = Workload::new("orders".parse().unwrap(), "ghcr.io/acme/app:1.0.0");
    w.security.writable_paths = vec!["/_".into()];
    let ctx = Context::new(Target::local(), "shop".parse().unwrap());
    // Rejecting the path with its field path would be a fix too.
    if let Ok(rendered) = w.render(&ctx) {
        for volume in rendered.pod_template.spec.unwrap().volumes.unwrap() {
            assert!(
                check_dns1123_label(&volume.name).is_ok(),
                "volume name {:?}",
                volume.name
            );
        }
    }
}
