//! The orchestrator's own identity in the tests: the ServiceAccount, ClusterRoles, Role and
//! bindings of its install bundle (`k3sstore::install::bundle`) and its admission policy
//! applied to the cluster, and a client with a token from the TokenRequest API whose default
//! namespace is the bundle's (as in the pod), so least privilege is proven, not asserted.

use std::time::Duration;

use k3score::Object;
use k3sstore::install::{NAME, NAMESPACE, admission_binding, admission_policy, bundle};
use k8s_openapi::api::admissionregistration::v1::{ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::api::{Patch, PatchParams, PostParams};
use kube::config::AuthInfo;
use kube::{Api, Client, Config};

/// A client acting as the install bundle's ServiceAccount, with the bundle's RBAC and
/// admission policy applied (and in force: see [`wait_for_policy`]).
pub async fn controller_client(admin: &Client) -> Client {
    let client = Client::try_from(controller_config(admin).await).expect("a client for the ServiceAccount");
    wait_for_policy(&client).await;
    client
}

/// The client configuration of [`controller_client`] (to reach the API server another way:
/// through a test proxy). The admission policy may not be in force yet.
pub async fn controller_config(admin: &Client) -> Config {
    let target = k3score::Target::preset("local").expect("local target");
    let bundle = bundle(&target, k3sstore::install::DEFAULT_IMAGE).expect("the install bundle renders");
    let apply = PatchParams::apply("k3sstore-tests").force();
    let namespace = bundle.get::<Namespace>(NAMESPACE).expect("the bundle's Namespace");
    Api::<Namespace>::all(admin.clone())
        .patch(NAMESPACE, &apply, &Patch::Apply(namespace))
        .await
        .expect("apply the Namespace");
    let account = bundle.get::<ServiceAccount>(NAME).expect("the bundle's ServiceAccount");
    let accounts: Api<ServiceAccount> = Api::namespaced(admin.clone(), NAMESPACE);
    accounts
        .patch(NAME, &apply, &Patch::Apply(account))
        .await
        .expect("apply the ServiceAccount");
    for object in bundle.iter() {
        let name = object.name().to_owned();
        let applied = match object {
            Object::ClusterRole(o) => Api::<ClusterRole>::all(admin.clone())
                .patch(&name, &apply, &Patch::Apply(&**o))
                .await
                .map(drop),
            Object::ClusterRoleBinding(o) => Api::<ClusterRoleBinding>::all(admin.clone())
                .patch(&name, &apply, &Patch::Apply(&**o))
                .await
                .map(drop),
            Object::Role(o) => Api::<Role>::namespaced(admin.clone(), NAMESPACE)
                .patch(&name, &apply, &Patch::Apply(&**o))
                .await
                .map(drop),
            Object::RoleBinding(o) => Api::<RoleBinding>::namespaced(admin.clone(), NAMESPACE)
                .patch(&name, &apply, &Patch::Apply(&**o))
                .await
                .map(drop),
            _ => Ok(()),
        };
        applied.unwrap_or_else(|e| panic!("apply {}: {e}", object.key()));
    }
    let policy = admission_policy();
    Api::<ValidatingAdmissionPolicy>::all(admin.clone())
        .patch(k3sstore::install::POLICY, &apply, &Patch::Apply(&policy))
        .await
        .expect("apply the ValidatingAdmissionPolicy");
    let binding = admission_binding();
    Api::<ValidatingAdmissionPolicyBinding>::all(admin.clone())
        .patch(k3sstore::install::POLICY, &apply, &Patch::Apply(&binding))
        .await
        .expect("apply the ValidatingAdmissionPolicyBinding");
    let request = TokenRequest {
        spec: Some(TokenRequestSpec {
            expiration_seconds: Some(3600),
            ..TokenRequestSpec::default()
        }),
        ..TokenRequest::default()
    };
    let token = accounts
        .create_token_request(NAME, &PostParams::default(), &request)
        .await
        .expect("a ServiceAccount token")
        .status
        .expect("a token in the status")
        .token
        .expect("a token");
    let mut config = Config::infer().await.expect("the admin kubeconfig");
    // In the pod, the client's default namespace is the pod's (the leader Lease's).
    NAMESPACE.clone_into(&mut config.default_namespace);
    config.auth_info = AuthInfo {
        token: Some(token.into()),
        ..AuthInfo::default()
    };
    config
}

/// Waits until the admission policy is in force (the API server loads a new policy a moment
/// after it is created): a dry-run create of a namespace not named `store-*`, which RBAC lets
/// the controller ask for and only the policy refuses.
async fn wait_for_policy(client: &Client) {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let dry_run = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let probe = Namespace {
        metadata: kube::api::ObjectMeta {
            name: Some("k3sstore-policy-probe".to_owned()),
            ..kube::api::ObjectMeta::default()
        },
        ..Namespace::default()
    };
    for _ in 0..300 {
        match namespaces.create(&dry_run, &probe).await {
            Err(kube::Error::Api(status)) if status.message.contains("k3sstore may") => return,
            Ok(_) | Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!(
        "the admission policy {} is not in force after 30 s",
        k3sstore::install::POLICY
    );
}
