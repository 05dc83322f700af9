//! The orchestrator's own identity in the tests: the ServiceAccount, ClusterRole, Role and
//! bindings of its install bundle (`k3sstore::install::bundle`) applied to the cluster, and a
//! client with a token from the TokenRequest API whose default namespace is the bundle's (as
//! in the pod), so least privilege is proven, not asserted.

use k3sstore::install::{NAME, NAMESPACE, bundle};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::api::{Patch, PatchParams, PostParams};
use kube::config::AuthInfo;
use kube::{Api, Client, Config};

/// A client acting as the install bundle's ServiceAccount, with the bundle's RBAC applied.
pub async fn controller_client(admin: &Client) -> Client {
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
    let role = bundle.get::<ClusterRole>(NAME).expect("the bundle's ClusterRole");
    Api::<ClusterRole>::all(admin.clone())
        .patch(NAME, &apply, &Patch::Apply(role))
        .await
        .expect("apply the ClusterRole");
    let binding = bundle
        .get::<ClusterRoleBinding>(NAME)
        .expect("the bundle's ClusterRoleBinding");
    Api::<ClusterRoleBinding>::all(admin.clone())
        .patch(NAME, &apply, &Patch::Apply(binding))
        .await
        .expect("apply the ClusterRoleBinding");
    let role = bundle.get::<Role>(NAME).expect("the bundle's Role");
    Api::<Role>::namespaced(admin.clone(), NAMESPACE)
        .patch(NAME, &apply, &Patch::Apply(role))
        .await
        .expect("apply the Role");
    let binding = bundle.get::<RoleBinding>(NAME).expect("the bundle's RoleBinding");
    Api::<RoleBinding>::namespaced(admin.clone(), NAMESPACE)
        .patch(NAME, &apply, &Patch::Apply(binding))
        .await
        .expect("apply the RoleBinding");
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
    Client::try_from(config).expect("a client for the ServiceAccount")
}
