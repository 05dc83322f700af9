//! Scenarios 1, 2 and 6 of issue 13, through the HTTP API, against the real cluster.

use hyper::{Method, StatusCode};
use k3sstore::http::limit::{Limits, RateLimit};
use k3sstore::{Phase, Store};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use kube::api::{DeleteParams, ListParams, ObjectMeta, Patch, PatchParams};
use kube::{Api, Client};
use serde::Deserialize;

use crate::common::controller::phase_is;
use crate::common::http::call;
use crate::common::{self, Orchestrator, identity, node};

#[derive(Debug, Deserialize)]
struct View {
    id: String,
    phase: String,
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct EventView {
    reason: Option<String>,
}

/// A ClusterRole + binding that lets `user` do `verbs` on stores (what a cluster admin grants).
pub(crate) async fn grant(client: &Client, user: &str, verbs: &[&str]) -> String {
    let name = format!("k3sstore-e2e-{user}");
    let apply = PatchParams::apply("k3sstore-tests").force();
    let role = ClusterRole {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            ..ObjectMeta::default()
        },
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec!["platform.k3s.io".to_owned()]),
            resources: Some(vec!["stores".to_owned()]),
            verbs: verbs.iter().map(|v| (*v).to_owned()).collect(),
            ..PolicyRule::default()
        }]),
        ..ClusterRole::default()
    };
    Api::<ClusterRole>::all(client.clone())
        .patch(&name, &apply, &Patch::Apply(&role))
        .await
        .expect("apply the ClusterRole");
    let binding = ClusterRoleBinding {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            ..ObjectMeta::default()
        },
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".to_owned()),
            kind: "ClusterRole".to_owned(),
            name: name.clone(),
        },
        subjects: Some(vec![Subject {
            api_group: Some("rbac.authorization.k8s.io".to_owned()),
            kind: "User".to_owned(),
            name: user.to_owned(),
            namespace: None,
        }]),
    };
    Api::<ClusterRoleBinding>::all(client.clone())
        .patch(&name, &apply, &Patch::Apply(&binding))
        .await
        .expect("apply the ClusterRoleBinding");
    name
}

pub(crate) async fn revoke(client: &Client, name: &str) {
    let _ = Api::<ClusterRoleBinding>::all(client.clone())
        .delete(name, &DeleteParams::default())
        .await;
    let _ = Api::<ClusterRole>::all(client.clone())
        .delete(name, &DeleteParams::default())
        .await;
}

fn counter(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.trim().parse().ok()))
        .unwrap_or_else(|| panic!("{name} missing from /metrics:\n{metrics}"))
}

/// Scenario 1 and 2 on the real node: create through the API -> Provisioning -> Ready once
/// the kubelet reports both pods passing their probes (the time of each phase printed), Events
/// in order, metrics moved, the database answers with the credentials of the store's Secret;
/// the same create again is 409 and leaves one namespace; delete -> pods, claim, namespace
/// and the node's containers gone.
#[tokio::test]
#[ignore = "needs a cluster with a node (KUBECONFIG, ../shared/kube/node, .ci/node-images)"]
async fn create_through_the_api_reaches_ready_and_a_second_create_conflicts() {
    let client = common::admin().await;
    common::install_crd(&client).await;
    let bob = common::token("bob");
    let role = grant(&client, "bob", &["create", "get", "list", "watch", "delete"]).await;
    let orchestrator = Orchestrator::start(identity::controller_client(&client).await, Limits::default()).await;
    let base = &orchestrator.base;
    let id = common::unique("e2e-ready");
    let body = format!(r#"{{"id": "{id}", "engine": "medusa", "size": "small"}}"#);
    let namespace = format!("store-{id}");
    let before = node::listing(&namespace);
    assert!(node::containers(&namespace).is_empty(), "{before}");

    let start = tokio::time::Instant::now();
    let clock = node::phase_clock(&client, &id, start);
    let created = call(base, Method::POST, "/api/stores", Some(&bob), Some(&body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let view: View = created.json();
    assert_eq!(view.id, id);
    assert_eq!(view.phase, "Requested");

    // Nothing plays the kubelet: Ready comes from the node's probes.
    let store = common::controller::wait_store(&client, &id, 180, "Ready", phase_is(Phase::Ready))
        .await
        .expect("the store");
    let phases = common::within(clock).await.expect("the phase watch");
    let created_at = store.metadata.creation_timestamp.clone().expect("created").0;
    println!("store {id} on the node, seconds after POST /api/stores:");
    for (phase, at) in &phases {
        println!("  {:<13} {:>6.2}", phase.as_str(), at.as_secs_f64());
    }
    println!("  pod conditions (seconds after the Store's creation, 1 s resolution):");
    for (pod, times) in node::pod_times(&client, &id, created_at).await {
        let times: Vec<String> = times.iter().map(|(c, s)| format!("{c} {s}")).collect();
        println!("    {pod}: {}", times.join(", "));
    }
    let seen: Vec<Phase> = phases.iter().map(|(p, _)| *p).collect();
    assert_eq!(seen.last(), Some(&Phase::Ready), "{phases:?}");
    assert!(seen.contains(&Phase::Provisioning), "{phases:?}");
    assert_eq!(
        store.status.and_then(|s| s.url).as_deref(),
        Some(format!("http://{id}.localhost").as_str())
    );
    let got = call(base, Method::GET, &format!("/api/stores/{id}"), Some(&bob), None).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    let view: View = got.json();
    assert_eq!(
        (view.phase.as_str(), view.url),
        ("Ready", Some(format!("http://{id}.localhost")))
    );

    println!("  the node's containers of {namespace} before the store:\n{before}");
    println!("  ... and while it runs:\n{}", node::listing(&namespace));

    // The database works with the credentials the controller generated.
    let answer = node::psql(&client, &id, "psql-created", node::IDENTITY_QUERY).await;
    println!("psql as the store's user, password from its Secret:\n{answer}");
    assert!(answer.starts_with("store|store|"), "{answer}");

    // The activity log lists the steps in order.
    let events = call(base, Method::GET, &format!("/api/stores/{id}/events"), Some(&bob), None).await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.body);
    let reasons: Vec<String> = events
        .json::<Vec<EventView>>()
        .into_iter()
        .filter_map(|e| e.reason)
        .collect();
    let position = |reason: &str| {
        reasons
            .iter()
            .position(|r| r == reason)
            .unwrap_or_else(|| panic!("no {reason} event in {reasons:?}"))
    };
    assert!(position("Accepted") < position("Ready"), "{reasons:?}");
    assert_eq!(reasons.last().map(String::as_str), Some("Ready"), "{reasons:?}");
    println!("  Events: {}", reasons.join(", "));

    let metrics = call(base, Method::GET, "/metrics", None, None).await.body;
    let shown = [
        "stores_created_total",
        "provisioning_duration_seconds_sum",
        "active_stores{",
    ];
    for line in metrics.lines().filter(|l| shown.iter().any(|s| l.starts_with(s))) {
        println!("  /metrics: {line}");
    }
    assert!(counter(&metrics, "stores_created_total") >= 1.0, "{metrics}");
    assert!(
        counter(&metrics, "provisioning_duration_seconds_count") >= 1.0,
        "{metrics}"
    );
    let summary = call(base, Method::GET, "/metrics/summary", None, None).await;
    assert!(summary.body.contains(r#""provisioned":"#), "{}", summary.body);

    // Scenario 2: the same create again is a conflict, and there is still one namespace.
    let uid = Api::<Store>::all(client.clone())
        .get(&id)
        .await
        .expect("store")
        .metadata
        .uid;
    let again = call(base, Method::POST, "/api/stores", Some(&bob), Some(&body)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("exists already"), "{}", again.body);
    let namespaces = Api::<Namespace>::all(client.clone())
        .list(&ListParams::default().fields(&format!("metadata.name=store-{id}")))
        .await
        .expect("list namespaces");
    assert_eq!(namespaces.items.len(), 1);
    let after = Api::<Store>::all(client.clone()).get(&id).await.expect("store");
    assert_eq!(after.metadata.uid, uid, "the store was not replaced");

    let deleted = call(base, Method::DELETE, &format!("/api/stores/{id}"), Some(&bob), None).await;
    assert_eq!(deleted.status, StatusCode::ACCEPTED, "{}", deleted.body);
    let deleting = tokio::time::Instant::now();
    common::delete_store(&client, &id).await;
    println!(
        "  deleted: Store gone {:.1} s after DELETE",
        deleting.elapsed().as_secs_f64()
    );
    node::assert_gone(&client, &id).await;
    drop(orchestrator);
    revoke(&client, &role).await;
}

/// Scenario 6: no token -> 401; alice without rights -> 403 naming her and the permission;
/// once RBAC grants her `create` -> 201; past the creation limit -> 429 with Retry-After.
#[tokio::test]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn rbac_decides_who_may_create_and_the_rate_limit_answers_429() {
    let client = common::admin().await;
    common::install_crd(&client).await;
    let alice = common::token("alice");
    let limits = Limits {
        global: Some(RateLimit::GLOBAL),
        create: Some("3/1h".parse().expect("a limit")),
        ..Limits::default()
    };
    let orchestrator = Orchestrator::start(identity::controller_client(&client).await, limits).await;
    let base = &orchestrator.base;
    let first = common::unique("e2e-alice");
    let body = |id: &str| format!(r#"{{"id": "{id}"}}"#);

    let anonymous = call(base, Method::POST, "/api/stores", None, Some(&body(&first))).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{}", anonymous.body);
    let forged = call(base, Method::GET, "/api/stores", Some("not-a-token"), None).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{}", forged.body);

    // Creation attempt 1 of 3: forbidden.
    let forbidden = call(base, Method::POST, "/api/stores", Some(&alice), Some(&body(&first))).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN, "{}", forbidden.body);
    assert!(forbidden.body.contains(r#""user":"alice""#), "{}", forbidden.body);
    assert!(
        forbidden.body.contains(r#""verb":"create""#) && forbidden.body.contains("stores.platform.k3s.io"),
        "{}",
        forbidden.body
    );
    assert!(!forbidden.body.contains(&alice), "the token is echoed");

    // RBAC grants create; the authorizer's cache takes a moment to see the binding, so the
    // test asks the cluster (a SubjectAccessReview through the API) until it does.
    let role = grant(&client, "alice", &["create"]).await;
    let mut created = None;
    for _ in 0..20 {
        let attempt = call(base, Method::POST, "/api/stores", Some(&alice), Some(&body(&first))).await;
        if attempt.status != StatusCode::FORBIDDEN {
            created = Some(attempt);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let created = created.expect("alice allowed within 5 s of the binding");
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    // alice may create but not list: RBAC decides verb by verb.
    let list = call(base, Method::GET, "/api/stores", Some(&alice), None).await;
    assert_eq!(list.status, StatusCode::FORBIDDEN, "{}", list.body);

    // The forbidden attempts counted too; the next creation is past 3 per hour.
    let second = common::unique("e2e-alice");
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..3 {
        let attempt = call(base, Method::POST, "/api/stores", Some(&alice), Some(&body(&second))).await;
        statuses.push(attempt.status);
        if attempt.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(attempt);
            break;
        }
    }
    let limited = limited.unwrap_or_else(|| panic!("no 429 after the creation limit: {statuses:?}"));
    let retry: u64 = limited
        .retry_after
        .as_deref()
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!(retry > 0 && retry <= 3600, "{retry}");
    assert!(limited.body.contains("store creations"), "{}", limited.body);

    drop(orchestrator);
    revoke(&client, &role).await;
    let cleanup = Orchestrator::start(client.clone(), Limits::default()).await;
    common::delete_store(&client, &first).await;
    common::delete_store(&client, &second).await;
    drop(cleanup);
}
