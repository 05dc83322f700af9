//! The pod-template settings of issue 24 through an App: the golden bundle, the Service and
//! NetworkPolicy ports of sidecars, the workload's metadata, a StatefulSet, and YAML errors
//! with their line.

use crate::common::{app, assert_restricted, golden, parse_app, pod_spec, render};
use k3score::Target;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;

#[test]
fn every_setting_on_an_app() {
    let app = app("pod_template");
    let bundle = render(&app, Target::local());
    golden("pod_template", &bundle);
    let spec = pod_spec(&bundle, "shop");
    assert_restricted(spec);
    assert_eq!(
        spec.init_containers.as_ref().unwrap()[0].restart_policy.as_deref(),
        Some("Always")
    );
    let deployment = bundle.get::<Deployment>("shop").unwrap();
    assert_eq!(deployment.metadata.labels.as_ref().unwrap()["team"], "storefront");
    assert_eq!(
        deployment.metadata.annotations.as_ref().unwrap()["argocd.argoproj.io/sync-wave"],
        "2"
    );
    let service = bundle.get::<Service>("shop").unwrap();
    let ports: Vec<i32> = service
        .spec
        .as_ref()
        .unwrap()
        .ports
        .iter()
        .flatten()
        .map(|p| p.port)
        .collect();
    assert_eq!(ports, [8080, 2020]);
    // The Service carries no pod-template annotations.
    assert_eq!(service.metadata.annotations, None);
    let policy = bundle.get::<NetworkPolicy>("shop-ingress").unwrap();
    let rules = policy.spec.as_ref().unwrap().ingress.as_ref().unwrap();
    let allowed: Vec<String> = rules
        .iter()
        .flat_map(|r| r.ports.iter().flatten())
        .map(|p| format!("{:?}", p.port))
        .collect();
    assert!(allowed.iter().any(|p| p.contains("2020")), "{allowed:?}");
    assert!(bundle.get::<ConfigMap>("shop-config-files").is_some());
    // The same settings on a StatefulSet.
    let stateful = parse_app(&format!(
        "workload: stateful\n{}",
        crate::common::fixture_text("pod_template")
    ));
    let bundle = render(&stateful, Target::gcp());
    let set = bundle.get::<StatefulSet>("shop").unwrap();
    assert_eq!(
        set.metadata.annotations.as_ref().unwrap()["argocd.argoproj.io/sync-wave"],
        "2"
    );
    assert!(pod_spec(&bundle, "shop").affinity.is_some());
}

#[test]
fn bad_values_name_line_and_path() {
    let text = "name: shop\nimage: x:1\nplacement:\n  spread: rack\n";
    let err = k3score::yaml::from_yaml::<k3sapp::App>(text).unwrap_err();
    let first = &err.0[0];
    assert_eq!(first.path.to_string(), "placement.spread");
    assert!(first.to_string().contains("line 4"), "{first}");
    let text = "name: shop\nimage: x:1\nlifecycle:\n  pre_stop: {sleep: 5s, exec: [x]}\n";
    let err = k3score::yaml::from_yaml::<k3sapp::App>(text).unwrap_err();
    assert_eq!(err.0[0].path.to_string(), "lifecycle.pre_stop");
    let text = "name: shop\nimage: x:1\nsidecars:\n  - {name: shop, image: y:1}\n";
    let app = parse_app(text);
    let err = app.validate().unwrap_err();
    assert_eq!(
        err.0[0].to_string(),
        "sidecars[0].name: duplicate container name \"shop\""
    );
}
