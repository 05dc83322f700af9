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

use k3sstore::controller::apply::STORE_LABEL;
use k3sstore::install::{NAMESPACE, STORE_ROLE};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::authorization::v1::{SelfSubjectRulesReview, SelfSubjectRulesReviewSpec};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::ListParams;

use crate::common::controller::{event_reasons, forget, phase_is, start_controller, store, wait_store};
use crate::common::identity::controller_client;
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

/// The server's refusal of `result`, printed; panics when the server allowed it.
fn refused<T: std::fmt::Debug>(what: &str, result: Result<T, kube::Error>) -> kube::core::Status {
    match result {
        Err(kube::Error::Api(status)) => {
            println!("REFUSED {what}: {} {}", status.code, status.message);
            assert!(
                [403, 422].contains(&status.code),
                "{what}: refused, but not as forbidden: {status:?}"
            );
            *status
        }
        Err(other) => panic!("{what}: not the API server's refusal: {other}"),
        Ok(value) => panic!("{what}: the API server allowed it: {value:?}"),
    }
}

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: namespace.map(str::to_owned),
        ..ObjectMeta::default()
    }
}

fn binding_to(namespace: &str, kind: &str, role: &str) -> RoleBinding {
    RoleBinding {
        metadata: meta("escalate", Some(namespace)),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".to_owned()),
            kind: kind.to_owned(),
            name: role.to_owned(),
        },
        subjects: Some(vec![Subject {
            kind: "User".to_owned(),
            name: "mallory".to_owned(),
            api_group: Some("rbac.authorization.k8s.io".to_owned()),
            ..Subject::default()
        }]),
    }
}

/// Item 1: as the install bundle's ServiceAccount (never admin), the API server refuses what
/// a compromised controller pod would try: Secrets outside store namespaces, a Deployment in
/// `kube-system`, deleting or relabelling a namespace that is not a store's, a namespace not
/// named `store-*`, a ClusterRoleBinding, binding `cluster-admin` in a store namespace and
/// binding `k3sstore-store` outside one. What a store needs still works (the `controller::`
/// and `api::` scenarios run the whole lifecycle as the same identity).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn least_privilege_refusals() {
    let admin = admin().await;
    let controller = controller_client(&admin).await;
    // `kubectl auth can-i --list` is a SelfSubjectRulesReview: no Secret rule in kube-system
    // or default, and no wildcard anywhere.
    for namespace in ["kube-system", "default", NAMESPACE] {
        let review = SelfSubjectRulesReview {
            spec: SelfSubjectRulesReviewSpec {
                namespace: Some(namespace.to_owned()),
            },
            ..SelfSubjectRulesReview::default()
        };
        let rules = Api::<SelfSubjectRulesReview>::all(controller.clone())
            .create(&PostParams::default(), &review)
            .await
            .expect("a rules review")
            .status
            .expect("rules");
        println!("can-i --list -n {namespace}:");
        for rule in &rules.resource_rules {
            println!(
                "  {:?} {:?} {:?} {:?}",
                rule.api_groups.as_deref().unwrap_or_default(),
                rule.resources.as_deref().unwrap_or_default(),
                rule.verbs,
                rule.resource_names.as_deref().unwrap_or_default()
            );
            let resources = rule.resources.as_deref().unwrap_or_default();
            assert!(
                !resources.iter().any(|r| r == "secrets" || r == "*"),
                "{namespace}: {rule:?}"
            );
            assert!(!rule.verbs.iter().any(|v| v == "*" || v == "escalate"), "{rule:?}");
        }
    }
    let secrets: Api<Secret> = Api::namespaced(controller.clone(), "kube-system");
    refused(
        "list Secrets in kube-system",
        secrets.list(&ListParams::default()).await,
    );
    refused(
        "list Secrets in every namespace",
        Api::<Secret>::all(controller.clone())
            .list(&ListParams::default())
            .await,
    );
    refused(
        "get Secret default/anything",
        Api::<Secret>::namespaced(controller.clone(), "default")
            .get("anything")
            .await,
    );
    let deployment = Deployment {
        metadata: meta("pwned", Some("kube-system")),
        spec: DeploymentSpec::default(),
        ..Deployment::default()
    };
    refused(
        "create Deployment kube-system/pwned",
        Api::<Deployment>::namespaced(controller.clone(), "kube-system")
            .create(&PostParams::default(), &deployment)
            .await,
    );
    let namespaces: Api<Namespace> = Api::all(controller.clone());
    let foreign = format!("k3sstore-foreign-{}", std::process::id());
    Api::<Namespace>::all(admin.clone())
        .create(
            &PostParams::default(),
            &Namespace {
                metadata: meta(&foreign, None),
                ..Namespace::default()
            },
        )
        .await
        .expect("a namespace that is not a store's");
    let status = refused(
        &format!("delete Namespace {foreign}"),
        namespaces.delete(&foreign, &DeleteParams::default()).await,
    );
    assert!(status.message.contains("only store namespaces"), "{status:?}");
    // A dry run passes RBAC and admission as the real request would, and cannot harm.
    let dry_run = DeleteParams {
        dry_run: true,
        ..DeleteParams::default()
    };
    refused(
        "delete Namespace kube-system (dry run)",
        namespaces.delete("kube-system", &dry_run).await,
    );
    let relabel = Namespace {
        metadata: ObjectMeta {
            labels: Some([(STORE_LABEL.to_owned(), "x".to_owned())].into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    refused(
        &format!("label Namespace {foreign} as a store's"),
        namespaces
            .patch(&foreign, &PatchParams::default(), &Patch::Merge(&relabel))
            .await,
    );
    refused(
        "create Namespace evil (not store-*)",
        namespaces
            .create(
                &PostParams::default(),
                &Namespace {
                    metadata: ObjectMeta {
                        labels: Some([(STORE_LABEL.to_owned(), "evil".to_owned())].into()),
                        ..meta("evil", None)
                    },
                    ..Namespace::default()
                },
            )
            .await,
    );
    refused(
        "create Namespace store-unlabelled (no store label)",
        namespaces
            .create(
                &PostParams::default(),
                &Namespace {
                    metadata: meta("store-unlabelled", None),
                    ..Namespace::default()
                },
            )
            .await,
    );
    let crb = ClusterRoleBinding {
        metadata: meta("k3sstore-pwned", None),
        role_ref: binding_to("x", "ClusterRole", "cluster-admin").role_ref,
        subjects: binding_to("x", "ClusterRole", "cluster-admin").subjects,
    };
    refused(
        "create ClusterRoleBinding to cluster-admin",
        Api::<ClusterRoleBinding>::all(controller.clone())
            .create(&PostParams::default(), &crb)
            .await,
    );
    // A store namespace the controller may create (as it does for a store).
    let id = format!("sec-{}", std::process::id());
    let store_ns = format!("store-{id}");
    namespaces
        .create(
            &PostParams::default(),
            &Namespace {
                metadata: ObjectMeta {
                    labels: Some([(STORE_LABEL.to_owned(), id.clone())].into()),
                    ..meta(&store_ns, None)
                },
                ..Namespace::default()
            },
        )
        .await
        .expect("the controller creates a store namespace");
    refused(
        &format!("bind cluster-admin in {store_ns}"),
        Api::<RoleBinding>::namespaced(controller.clone(), &store_ns)
            .create(
                &PostParams::default(),
                &binding_to(&store_ns, "ClusterRole", "cluster-admin"),
            )
            .await,
    );
    let status = refused(
        "bind k3sstore-store in default (not a store namespace)",
        Api::<RoleBinding>::namespaced(controller.clone(), "default")
            .create(
                &PostParams::default(),
                &binding_to("default", "ClusterRole", STORE_ROLE),
            )
            .await,
    );
    assert!(
        status.message.contains("only the ClusterRole k3sstore-store"),
        "{status:?}"
    );
    // What a store needs: the binding in its namespace, then a Secret there through it.
    Api::<RoleBinding>::namespaced(controller.clone(), &store_ns)
        .create(
            &PostParams::default(),
            &k3sstore::install::store_binding(&store_ns, &id),
        )
        .await
        .expect("the controller binds k3sstore-store in a store namespace");
    let secret = Secret {
        metadata: meta("allowed", Some(&store_ns)),
        ..Secret::default()
    };
    let in_store: Api<Secret> = Api::namespaced(controller.clone(), &store_ns);
    let mut created = None;
    for _ in 0..50 {
        match in_store.create(&PostParams::default(), &secret).await {
            Ok(s) => {
                created = Some(s);
                break;
            }
            // RBAC follows the new binding a moment later.
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    assert!(
        created.is_some(),
        "a Secret in the store namespace through k3sstore-store"
    );
    namespaces
        .delete(&store_ns, &DeleteParams::default())
        .await
        .expect("the controller deletes its store namespace");
    let _ = Api::<Namespace>::all(admin.clone())
        .delete(&foreign, &DeleteParams::default())
        .await;
}
