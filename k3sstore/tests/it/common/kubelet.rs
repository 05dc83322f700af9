//! The test plays the kubelet and the workload controllers (the test cluster has neither):
//! it reports a store's Postgres StatefulSet and API Deployment ready by patching `/status`.

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus, StatefulSet, StatefulSetStatus};
use kube::api::{Patch, PatchParams};
use kube::runtime::wait::await_condition;
use kube::{Api, Client};

use super::within;

/// Waits for the store's StatefulSet `postgres` and Deployment `api` and reports every
/// replica ready for their current generation.
pub async fn ready(client: &Client, id: &str) {
    let namespace = format!("store-{id}");
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &namespace);
    let set = within(await_condition(sets.clone(), "postgres", |s: Option<&StatefulSet>| {
        s.is_some()
    }))
    .await
    .expect("watch the StatefulSet")
    .expect("the StatefulSet");
    let replicas = set.spec.replicas.unwrap_or(1);
    let status = StatefulSet {
        status: Some(StatefulSetStatus {
            replicas,
            ready_replicas: Some(replicas),
            current_replicas: Some(replicas),
            updated_replicas: Some(replicas),
            available_replicas: Some(replicas),
            observed_generation: set.metadata.generation,
            ..StatefulSetStatus::default()
        }),
        ..StatefulSet::default()
    };
    sets.patch_status("postgres", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .expect("patch the StatefulSet status");
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &namespace);
    let deployment = within(await_condition(deployments.clone(), "api", |d: Option<&Deployment>| {
        d.is_some()
    }))
    .await
    .expect("watch the Deployment")
    .expect("the Deployment");
    let replicas = deployment.spec.replicas.unwrap_or(1);
    let status = Deployment {
        status: Some(DeploymentStatus {
            replicas: Some(replicas),
            ready_replicas: Some(replicas),
            updated_replicas: Some(replicas),
            available_replicas: Some(replicas),
            observed_generation: deployment.metadata.generation,
            ..DeploymentStatus::default()
        }),
        ..Deployment::default()
    };
    deployments
        .patch_status("api", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .expect("patch the Deployment status");
}
