//! End-to-end scenarios 3, 4 and 5 of issue 13 (7, leader election, is in `leader`): the controller runs in-process as its own
//! ServiceAccount with the install bundle's RBAC; the tests create `Store` objects directly.

use std::time::Duration;

use k3sstore::Phase;
use k3sstore::controller::apply::STORE_LABEL;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::runtime::wait::conditions;
use kube::{Api, ResourceExt};

use crate::common::controller::{create, event_reasons, forget, phase_is, start_controller, store, wait_store};
use crate::common::{admin, install_crd, node, wait_until};

const MINUTES: Duration = Duration::from_secs(600);

async fn count<K>(admin: &kube::Client, ns: &str, id: &str) -> usize
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(admin.clone(), ns);
    let selector = format!("{STORE_LABEL}={id}");
    api.list(&ListParams::default().labels(&selector))
        .await
        .expect("list")
        .items
        .len()
}

async fn password(admin: &kube::Client, id: &str) -> Vec<u8> {
    let secrets: Api<Secret> = Api::namespaced(admin.clone(), &format!("store-{id}"));
    let secret = secrets.get("postgres-password").await.expect("password Secret");
    secret.data.expect("data")["password"].0.clone()
}

/// A short, non-secret fingerprint of a password (FNV-1a, 32 bits) for the test's output.
fn fingerprint(password: &[u8]) -> String {
    let hash = password
        .iter()
        .fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(*b)).wrapping_mul(0x0100_0193));
    format!("fingerprint {hash:08x}")
}

/// Scenario 3 on the real node: killed while provisioning, restarted: converges to Ready with
/// one namespace, one of each workload, the same password (the database, initialised with the
/// first one, still accepts the Secret's), and every step's Event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a cluster with a node (KUBECONFIG, ../shared/kube/node, .ci/node-images)"]
async fn restart_mid_provisioning_converges() {
    let admin = admin().await;
    install_crd(&admin).await;
    let (test, id) = ("restart", "e2e-restart");
    forget(&admin, id).await;
    let first = start_controller(&admin, test, "first", MINUTES).await;
    let created = create(&admin, &store(test, id)).await;
    wait_store(&admin, id, 60, "Provisioning", phase_is(Phase::Provisioning)).await;
    let before = password(&admin, id).await;
    first.kill();
    let stores: Api<k3sstore::Store> = Api::all(admin.clone());
    let killed_in = stores.get(id).await.unwrap().status.and_then(|s| s.phase);
    println!("restart check: controller killed with store {id} in {killed_in:?}");
    assert_eq!(killed_in, Some(Phase::Provisioning), "killed mid-provisioning");
    // The lease of the killed controller lapses; the new one takes over and converges, with
    // nothing playing the kubelet.
    let _second = start_controller(&admin, test, "second", MINUTES).await;
    let ready = wait_store(&admin, id, 180, "Ready", phase_is(Phase::Ready))
        .await
        .unwrap();
    let status = ready.status.unwrap();
    assert_eq!(status.url.as_deref(), Some("http://e2e-restart.localhost"));
    assert_eq!(status.observed_generation, ready.metadata.generation);
    let ns = format!("store-{id}");
    assert_eq!(count::<StatefulSet>(&admin, &ns, id).await, 1);
    assert_eq!(count::<Deployment>(&admin, &ns, id).await, 1);
    assert_eq!(
        password(&admin, id).await,
        before,
        "the password is generated once and kept"
    );
    let answer = node::psql(&admin, id, "psql-restarted", node::IDENTITY_QUERY).await;
    println!(
        "restart check: Secret postgres-password unchanged across the restart ({} characters, {} before the kill and after Ready); psql with it:\n{answer}",
        before.len(),
        fingerprint(&before)
    );
    assert!(answer.starts_with("store|store|"), "{answer}");
    let reasons = event_reasons(&admin, &created).await;
    let steps = [
        "Accepted",
        "NamespaceCreated",
        "DatabaseProvisioning",
        "ApiProvisioning",
        "Ready",
    ];
    let mut at = 0;
    for step in steps {
        let found = reasons[at..].iter().position(|r| r == step);
        assert!(found.is_some(), "{step} missing or out of order in {reasons:?}");
        at += found.unwrap() + 1;
    }
    assert_eq!(reasons.iter().filter(|r| *r == "Ready").count(), 1, "{reasons:?}");
    stores.delete(id, &DeleteParams::default()).await.unwrap();
    wait_store(&admin, id, 180, "gone", |s| s.is_none()).await;
}

/// Scenario 4: a namespace that exists and is not ours: Failed with the reason and an Event,
/// the namespace untouched; removing it lets the store become Ready without manual steps.
/// Then an object the API server refuses: Failed with the server's message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a cluster with a node (KUBECONFIG, ../shared/kube/node, .ci/node-images)"]
async fn conflicts_fail_with_the_reason_and_recover() {
    let admin = admin().await;
    install_crd(&admin).await;
    let (test, id) = ("conflict", "e2e-conflict");
    forget(&admin, id).await;
    let namespaces: Api<Namespace> = Api::all(admin.clone());
    let ns = format!("store-{id}");
    let foreign = Namespace {
        metadata: kube::api::ObjectMeta {
            name: Some(ns.clone()),
            ..Default::default()
        },
        ..Namespace::default()
    };
    namespaces
        .create(&PostParams::default(), &foreign)
        .await
        .expect("foreign namespace");
    let marker = ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some("theirs".to_owned()),
            ..Default::default()
        },
        ..ConfigMap::default()
    };
    Api::<ConfigMap>::namespaced(admin.clone(), &ns)
        .create(&PostParams::default(), &marker)
        .await
        .expect("their ConfigMap");
    let _controller = start_controller(&admin, test, "only", MINUTES).await;
    let created = create(&admin, &store(test, id)).await;
    let failed = wait_store(&admin, id, 60, "Failed", phase_is(Phase::Failed))
        .await
        .unwrap();
    let message = failed.status.unwrap().message.unwrap_or_default();
    assert!(message.contains("not managed by k3sstore"), "{message}");
    assert!(
        event_reasons(&admin, &created)
            .await
            .contains(&"ProvisioningFailed".to_owned())
    );
    let theirs = namespaces.get(&ns).await.unwrap();
    assert!(!theirs.labels().contains_key(STORE_LABEL), "never adopted");
    assert_eq!(
        count::<StatefulSet>(&admin, &ns, id).await,
        0,
        "nothing written into it"
    );
    namespaces.delete(&ns, &DeleteParams::default()).await.unwrap();
    wait_until(&namespaces, &ns, Duration::from_secs(60), conditions::is_deleted(""))
        .await
        .expect("foreign namespace gone");
    wait_store(&admin, id, 180, "Ready", phase_is(Phase::Ready)).await;

    // The API server refuses an object (an admission policy denies the API Deployment):
    // Failed with the server's message; removing the policy lets it become Ready.
    let stores: Api<k3sstore::Store> = Api::all(admin.clone());
    forget(&admin, "e2e-refused").await;
    let policy = refuse_api_deployments(&admin, "store-e2e-refused").await;
    create(&admin, &store(test, "e2e-refused")).await;
    let refused = wait_store(&admin, "e2e-refused", 60, "Failed", phase_is(Phase::Failed))
        .await
        .unwrap();
    let message = refused.status.unwrap().message.unwrap_or_default();
    assert!(
        message.starts_with("Deployment api:") && message.contains("e2e: deployments are refused"),
        "the server's message, naming the object: {message}"
    );
    policy.remove().await;
    wait_store(&admin, "e2e-refused", 180, "Ready", phase_is(Phase::Ready)).await;
    for id in [id, "e2e-refused"] {
        stores.delete(id, &DeleteParams::default()).await.unwrap();
        wait_store(&admin, id, 180, "gone", |s| s.is_none()).await;
    }
}

/// A ValidatingAdmissionPolicy (and binding) that refuses Deployments in `namespace`.
struct Refusal {
    admin: kube::Client,
    name: String,
}

impl Refusal {
    async fn remove(self) {
        use k8s_openapi::api::admissionregistration::v1::{
            ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
        };
        let _ = Api::<ValidatingAdmissionPolicyBinding>::all(self.admin.clone())
            .delete(&self.name, &DeleteParams::default())
            .await;
        let _ = Api::<ValidatingAdmissionPolicy>::all(self.admin.clone())
            .delete(&self.name, &DeleteParams::default())
            .await;
    }
}

async fn refuse_api_deployments(admin: &kube::Client, namespace: &str) -> Refusal {
    use k8s_openapi::api::admissionregistration::v1::{
        MatchResources, NamedRuleWithOperations, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
        ValidatingAdmissionPolicyBindingSpec, ValidatingAdmissionPolicySpec, Validation,
    };
    let name = format!("e2e-refuse-{namespace}");
    let meta = kube::api::ObjectMeta {
        name: Some(name.clone()),
        ..Default::default()
    };
    let policy = ValidatingAdmissionPolicy {
        metadata: meta.clone(),
        spec: Some(ValidatingAdmissionPolicySpec {
            failure_policy: Some("Fail".to_owned()),
            match_constraints: Some(MatchResources {
                resource_rules: Some(vec![NamedRuleWithOperations {
                    api_groups: Some(vec!["apps".to_owned()]),
                    api_versions: Some(vec!["v1".to_owned()]),
                    operations: Some(vec!["CREATE".to_owned(), "UPDATE".to_owned()]),
                    resources: Some(vec!["deployments".to_owned()]),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            validations: Some(vec![Validation {
                expression: format!("object.metadata.namespace != '{namespace}'"),
                message: Some(format!("e2e: deployments are refused in {namespace}")),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        status: None,
    };
    let binding = ValidatingAdmissionPolicyBinding {
        metadata: meta,
        spec: ValidatingAdmissionPolicyBindingSpec {
            policy_name: name.clone(),
            validation_actions: vec!["Deny".to_owned()],
            ..Default::default()
        },
    };
    let params = kube::api::PatchParams::apply("k3sstore-e2e").force();
    Api::<ValidatingAdmissionPolicy>::all(admin.clone())
        .patch(&name, &params, &kube::api::Patch::Apply(&policy))
        .await
        .expect("policy");
    Api::<ValidatingAdmissionPolicyBinding>::all(admin.clone())
        .patch(&name, &params, &kube::api::Patch::Apply(&binding))
        .await
        .expect("policy binding");
    // The API server compiles and loads new policies asynchronously (about a second).
    tokio::time::sleep(Duration::from_secs(3)).await;
    Refusal {
        admin: admin.clone(),
        name,
    }
}

/// Scenario 5: delete -> Deleting -> namespace gone -> Store gone, for a Ready store, one
/// that never became ready, and one that failed on a foreign namespace (which stays).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a cluster with a node (KUBECONFIG, ../shared/kube/node, .ci/node-images)"]
async fn delete_tears_everything_down() {
    let admin = admin().await;
    install_crd(&admin).await;
    let test = "delete";
    let ids = ["e2e-del-ready", "e2e-del-pending", "e2e-del-foreign"];
    for id in ids {
        forget(&admin, id).await;
    }
    let namespaces: Api<Namespace> = Api::all(admin.clone());
    let foreign = Namespace {
        metadata: kube::api::ObjectMeta {
            name: Some("store-e2e-del-foreign".to_owned()),
            ..Default::default()
        },
        ..Namespace::default()
    };
    namespaces.create(&PostParams::default(), &foreign).await.unwrap();
    let _controller = start_controller(&admin, test, "only", MINUTES).await;
    for id in ids {
        let mut new = store(test, id);
        if id == ids[1] {
            // Its API never answers on its port: the store stays Provisioning.
            new.spec.api_image = Some(node::SILENT_IMAGE.to_owned());
        }
        create(&admin, &new).await;
    }
    wait_store(&admin, ids[0], 180, "Ready", phase_is(Phase::Ready)).await;
    wait_store(&admin, ids[1], 60, "Provisioning", phase_is(Phase::Provisioning)).await;
    wait_store(&admin, ids[2], 60, "Failed", phase_is(Phase::Failed)).await;
    let stores: Api<k3sstore::Store> = Api::all(admin.clone());
    for id in ids {
        stores.delete(id, &DeleteParams::default()).await.unwrap();
    }
    wait_store(&admin, ids[0], 30, "Deleting", |s| {
        s.is_none() || phase_is(Phase::Deleting)(s)
    })
    .await;
    for id in ids {
        wait_store(&admin, id, 180, "gone", |s| s.is_none()).await;
    }
    for id in &ids[..2] {
        assert!(
            namespaces.get_opt(&format!("store-{id}")).await.unwrap().is_none(),
            "store-{id} gone"
        );
    }
    let roles: Api<k8s_openapi::api::rbac::v1::ClusterRole> = Api::all(admin.clone());
    for id in &ids[..2] {
        let selector = format!("{STORE_LABEL}={id}");
        assert!(
            roles
                .list(&ListParams::default().labels(&selector))
                .await
                .unwrap()
                .items
                .is_empty()
        );
    }
    assert!(
        namespaces.get_opt("store-e2e-del-foreign").await.unwrap().is_some(),
        "a namespace that was never ours is never deleted"
    );
    namespaces
        .delete("store-e2e-del-foreign", &DeleteParams::default())
        .await
        .unwrap();
}
