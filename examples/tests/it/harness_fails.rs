//! The harness can fail: objects the real API server refuses or warns about are reported
//! as rejected, with the server's own message.

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{ConfigMap, Container, Pod, PodSpec, PodTemplateSpec, SecurityContext};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::api::DynamicObject;
use serde_json::json;

use crate::cluster::{Bundle, Cluster};

/// A bundle index no rendered example uses (fresh namespaces are named after it).
const INDEX: usize = 100_000;

fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: Some("bad".into()),
        labels: Some([("app".to_owned(), name.to_owned())].into()),
        ..Default::default()
    }
}

fn privileged_pod_spec() -> PodSpec {
    PodSpec {
        containers: vec![Container {
            name: "root".into(),
            image: Some("busybox:1.36".into()),
            security_context: Some(SecurityContext {
                privileged: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn dynamic(object: impl serde::Serialize) -> DynamicObject {
    serde_json::from_value(serde_json::to_value(object).expect("serializable")).expect("an object")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn bad_objects_are_reported_with_the_servers_message() {
    let pod = Pod {
        metadata: meta("privileged"),
        spec: Some(privileged_pod_spec()),
        ..Default::default()
    };
    let deployment = Deployment {
        metadata: meta("privileged-template"),
        spec: DeploymentSpec {
            selector: LabelSelector {
                match_labels: meta("privileged-template").labels,
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: meta("privileged-template").labels,
                    ..Default::default()
                }),
                spec: Some(privileged_pod_spec()),
            },
            ..Default::default()
        },
        ..Default::default()
    };
    let mut config_map = dynamic(ConfigMap {
        metadata: meta("typo"),
        ..Default::default()
    });
    config_map.data["dataa"] = json!({ "key": "value" });
    let scaled_object: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": { "name": "often", "namespace": "bad" },
        "spec": {
            "scaleTargetRef": { "name": "privileged-template" },
            "pollingInterval": "often",
            "triggers": [{ "type": "cpu", "metricType": "Utilization", "metadata": { "value": "60" } }],
        },
    }))
    .expect("an object");
    let bundle = Bundle {
        name: "bad.yaml".into(),
        objects: vec![dynamic(pod), dynamic(deployment), config_map, scaled_object],
    };

    let report = Cluster::connect().await.apply_bundle(INDEX, &bundle).await;

    println!("{}\n{}", report.problems.join("\n"), report.summary());
    assert_eq!((report.applied(), report.rejected()), (0, 4), "{report:#?}");
    let problems = report.problems.join("\n");
    for expected in [
        // Pod Security admission refuses the Pod ...
        "bad.yaml: Pod/t100000-bad/privileged: dry run rejected: 403 Forbidden: pods \"privileged\" is forbidden: violates PodSecurity \"restricted:latest\": privileged",
        // ... and only warns about the Deployment's template: still a failure.
        "bad.yaml: Deployment/t100000-bad/privileged-template: dry run: warning: would violate PodSecurity \"restricted:latest\": privileged",
        // Strict field validation (server-side apply answers 500 for a field not in the schema).
        "bad.yaml: ConfigMap/t100000-bad/typo: dry run rejected: 500: failed to create typed patch object (t100000-bad/typo; /v1, Kind=ConfigMap): .dataa: field not declared in schema",
        // The KEDA CRD's schema.
        "bad.yaml: ScaledObject/t100000-bad/often: dry run rejected: 500: failed to create typed patch object (t100000-bad/often; keda.sh/v1alpha1, Kind=ScaledObject): .spec.pollingInterval: expected numeric (int or float), got string",
    ] {
        assert!(problems.contains(expected), "missing {expected:?} in:\n{problems}");
    }
    assert_eq!(
        report.problems.len(),
        4,
        "one problem per object, no cleanup problem:\n{problems}"
    );
}
