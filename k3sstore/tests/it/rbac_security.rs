//! Issue 25's security scenarios on the real API server: store names checked by the API
//! server itself (the CRD's CEL rule), a `Store` with an invalid name deleted cleanly, the
//! controller's least privilege (as the install bundle's own ServiceAccount, never admin)
//! and leader election with one writer at a time.

use std::time::Duration;

use k3sstore::{Phase, Store};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::{Api, Client, CustomResourceExt, ResourceExt};

use crate::common::controller::{event_reasons, forget, phase_is, start_controller, store, wait_store};
use crate::common::{admin, install_crd, within};

const MINUTES: Duration = Duration::from_secs(600);

/// Applies `crd` (as the tests' field manager) and waits until it is established.
async fn apply_crd(admin: &Client, crd: &CustomResourceDefinition) {
    let crds: Api<CustomResourceDefinition> = Api::all(admin.clone());
    let name = crd.metadata.name.clone().expect("CRD name");
    crds.patch(&name, &PatchParams::apply("k3sstore-tests").force(), &Patch::Apply(crd))
        .await
        .expect("apply the Store CRD");
    within(await_condition(crds, &name, conditions::is_crd_established()))
        .await
        .expect("the CRD established");
}

/// Item 2: the API server refuses a `Store` whose name is not a store id; a `Store` made
/// with such a name before the CRD had its rule fails, and its deletion releases the
/// finalizer without tearing anything down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn invalid_store_names() {
    let admin = admin().await;
    let stores: Api<Store> = Api::all(admin.clone());
    let test = "invalid-names";
    let long = "a".repeat(70);
    forget(&admin, &long).await;
    install_crd(&admin).await;
    for bad in [long.as_str(), &"b".repeat(58), "acme.shop"] {
        let refused = stores
            .create(&PostParams::default(), &store(test, bad))
            .await
            .expect_err("the API server refuses a name that is not a store id");
        let kube::Error::Api(status) = refused else {
            panic!("not the API server's refusal: {refused}")
        };
        println!("create Store {bad:?}: {} {}", status.code, status.message);
        assert_eq!(status.code, 422, "{status:?}");
        assert!(status.message.contains("must be a store id"), "{}", status.message);
    }
    // Before the rule (the CRD as kube derives it, without our CEL rule) the name passes.
    apply_crd(&admin, &Store::crd()).await;
    let created = stores
        .create(&PostParams::default(), &store(test, &long))
        .await
        .expect("a 70-character name without the rule");
    let _controller = start_controller(&admin, test, "only", MINUTES).await;
    let failed = wait_store(&admin, &long, 60, "Failed", phase_is(Phase::Failed))
        .await
        .unwrap();
    let message = failed.status.clone().unwrap().message.unwrap_or_default();
    println!("Store of 70 characters: Failed: {message}");
    assert!(message.contains("metadata.name"), "{message}");
    assert!(failed.finalizers().iter().any(|f| f == k3sstore::controller::FINALIZER));
    // Now the rule arrives (an upgrade of the CRD) while the Store holds its finalizer.
    install_crd(&admin).await;
    stores.delete(&long, &DeleteParams::default()).await.expect("delete");
    wait_store(&admin, &long, 60, "gone", |s| s.is_none()).await;
    let reasons = event_reasons(&admin, &created).await;
    assert!(reasons.iter().any(|r| r == "Deleted"), "{reasons:?}");
    assert!(!reasons.iter().any(|r| r == "NamespaceCreated"), "{reasons:?}");
}
