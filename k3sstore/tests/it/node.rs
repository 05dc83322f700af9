//! Failures only a real kubelet produces (issue 28): an API image that does not exist and an
//! API process that exits at start. Both stores end `Failed` long before the provisioning
//! deadline, with the kubelet's reason in words a person understands (not its Go error), an
//! Event and the failure counter; pointing the store at a working image makes both `Ready`.

use std::time::Duration;

use k3sstore::{Phase, Store};
use kube::api::{DeleteParams, Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde::Serialize;

use crate::common::controller::{create, event_reasons, forget, phase_is, start_controller, store, wait_store};
use crate::common::{admin, install_crd, node};

/// The deadline the failures must beat by far.
const DEADLINE: Duration = Duration::from_secs(600);

/// `spec.apiImage` as a merge patch.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ImagePatch<'a> {
    spec: ImageSpec<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ImageSpec<'a> {
    api_image: &'a str,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a cluster with a node (KUBECONFIG, ../shared/kube/node, .ci/node-images)"]
async fn missing_image_and_crash_loop_fail_with_the_pods_reason_and_recover() {
    let admin = admin().await;
    install_crd(&admin).await;
    let test = "kubelet-failures";
    let cases = [
        ("e2e-pull", node::MISSING_IMAGE, ["ImagePullBackOff", "ErrImagePull"]),
        ("e2e-crash", node::CRASH_IMAGE, ["CrashLoopBackOff", "CrashLoopBackOff"]),
    ];
    for (id, _, _) in cases {
        forget(&admin, id).await;
    }
    let controller = start_controller(&admin, test, "only", DEADLINE).await;
    let start = tokio::time::Instant::now();
    let mut created = Vec::new();
    for (id, image, _) in cases {
        let mut new = store(test, id);
        new.spec.api_image = Some(image.to_owned());
        created.push(create(&admin, &new).await);
    }
    for ((id, image, reasons), object) in cases.iter().zip(&created) {
        let failed = wait_store(&admin, id, 240, "Failed", phase_is(Phase::Failed))
            .await
            .unwrap();
        let took = start.elapsed();
        let status = failed.status.unwrap();
        let message = status.message.unwrap_or_default();
        let ready = status.conditions.iter().find(|c| c.type_ == "Ready").unwrap();
        println!(
            "store {id} (API image {image}): Failed after {:.1} s (deadline {} s), reason {}:\n  {message}",
            took.as_secs_f64(),
            DEADLINE.as_secs(),
            ready.reason
        );
        assert!(took < DEADLINE / 2, "failed before the deadline: {took:?}");
        assert!(reasons.contains(&ready.reason.as_str()), "{}", ready.reason);
        assert!(message.starts_with("the API cannot start (pod api-"), "{message}");
        assert!(
            !message.contains("dial tcp") && !message.contains("rpc error"),
            "no Go error: {message}"
        );
        if *id == "e2e-pull" {
            assert!(
                message.contains(&format!("image {image} of container api cannot be pulled")),
                "{message}"
            );
        } else {
            assert!(
                message.contains("container api exits at start with exit code 3"),
                "{message}"
            );
        }
        assert!(
            event_reasons(&admin, object)
                .await
                .contains(&"ProvisioningFailed".to_owned())
        );
    }
    assert!(controller.state.metrics.provisioning_failures.get() >= 2);

    // Fixed: the API image that works. The Deployment rolls out, the old pod goes, Ready.
    let stores: Api<Store> = Api::all(admin.clone());
    let fix = ImagePatch {
        spec: ImageSpec {
            api_image: k3sstore::resource::DEFAULT_MEDUSA_IMAGE,
        },
    };
    for (id, _, _) in cases {
        stores
            .patch(id, &PatchParams::default(), &Patch::Merge(&fix))
            .await
            .expect("fix the image");
    }
    for (id, _, _) in cases {
        let fixed = tokio::time::Instant::now();
        let ready = wait_store(&admin, id, 240, "Ready again", phase_is(Phase::Ready))
            .await
            .unwrap();
        println!(
            "store {id}: Ready {:.1} s after its API image was fixed",
            fixed.elapsed().as_secs_f64()
        );
        assert_eq!(ready.status.unwrap().message, None);
    }
    for (id, _, _) in cases {
        stores.delete(id, &DeleteParams::default()).await.unwrap();
    }
    for object in &created {
        wait_store(&admin, &object.name_any(), 180, "gone", |s| s.is_none()).await;
    }
}
