//! Issue 25, the API's controls against the real cluster: path ids checked before anything
//! (item 2), token reviews bounded per address (item 4), HEAD and the `--insecure-no-auth`
//! checks (item 8). The orchestrator acts as the install bundle's ServiceAccount; users are
//! alice and bob of the test cluster, never admin.

use hyper::{Method, StatusCode};
use k3sstore::http::REQUESTED_BY;
use k3sstore::http::limit::Limits;
use k3sstore::{Store, StoreSpec};
use k8s_openapi::api::events::v1::Event;
use kube::api::{ListParams, PostParams};
use kube::{Api, Client};

use crate::api::{grant, revoke};
use crate::common::http::{call, send};
use crate::common::{self, Orchestrator, identity};

/// The API server's count of requests on `resource` (`apiserver_request_total`, every verb
/// and code), read from its `/metrics` as admin.
pub(crate) async fn apiserver_requests(admin: &Client, resource: &str) -> f64 {
    let request = hyper::Request::get("/metrics").body(Vec::new()).expect("a request");
    let text = admin.request_text(request).await.expect("the API server's /metrics");
    let label = format!("resource=\"{resource}\"");
    text.lines()
        .filter(|line| line.starts_with("apiserver_request_total{") && line.contains(&label))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Item 2: an `{id}` that is not a store id is answered 400 before authentication, so neither
/// a TokenReview, nor a SubjectAccessReview, nor anything on stores reaches the API server,
/// and the store a smuggled query names is untouched.
#[tokio::test]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn path_ids_that_are_not_store_ids_never_reach_the_api_server() {
    let admin = common::admin().await;
    common::install_crd(&admin).await;
    let alice = common::token("alice");
    let role = grant(&admin, "bob", &["get"]).await;
    let orchestrator = Orchestrator::start(identity::controller_client(&admin).await, Limits::default()).await;
    let base = &orchestrator.base;
    let id = common::unique("e2e-path");
    let stores: Api<Store> = Api::all(admin.clone());
    stores
        .create(&PostParams::default(), &Store::new(&id, StoreSpec::default()))
        .await
        .expect("create the store");

    let reviews = apiserver_requests(&admin, "tokenreviews").await;
    let access = apiserver_requests(&admin, "subjectaccessreviews").await;
    let long = "a".repeat(64);
    let bad = [
        (Method::DELETE, format!("/api/stores/{id}%3FdryRun%3DAll%26x%3D")),
        (Method::GET, format!("/api/stores/{id}%3Fwatch%3Dtrue")),
        (Method::GET, format!("/api/stores/{id}%2Fstatus")),
        (Method::DELETE, format!("/api/stores/{id}%23x")),
        (Method::GET, "/api/stores/%2E%2E".to_owned()),
        (Method::GET, "/api/stores/../events".to_owned()),
        (Method::GET, format!("/api/stores/%2E%2E%2F{id}/events")),
        (Method::DELETE, format!("/api/stores/{long}")),
        (Method::GET, format!("/api/stores/{}", "b".repeat(58))),
    ];
    for (method, path) in bad {
        let answer = call(base, method.clone(), &path, Some(&alice), None).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{method} {path}: {}",
            answer.body
        );
        assert!(
            answer.body.contains("in the path is not a store id"),
            "{method} {path}: {}",
            answer.body
        );
        println!("{method} {path} -> {} {}", answer.status, answer.body);
    }
    assert_eq!(
        apiserver_requests(&admin, "tokenreviews").await,
        reviews,
        "a TokenReview was made"
    );
    assert_eq!(
        apiserver_requests(&admin, "subjectaccessreviews").await,
        access,
        "a SubjectAccessReview was made"
    );
    let store = stores.get(&id).await.expect("the store is still there");
    assert!(store.metadata.deletion_timestamp.is_none(), "the store was deleted");

    // The same route with the store's id goes through (the check lets store ids pass).
    let bob = common::token("bob");
    let got = call(base, Method::GET, &format!("/api/stores/{id}"), Some(&bob), None).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert!(apiserver_requests(&admin, "tokenreviews").await > reviews);

    common::delete_store(&admin, &id).await;
    drop(orchestrator);
    revoke(&admin, &role).await;
}

/// Item 4: a refused token is not reviewed again, and 1000 requests with made-up tokens from
/// one address cost at most the address's token-review limit (5 here), counted by the API
/// server itself.
#[tokio::test]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn made_up_tokens_cost_at_most_the_review_limit() {
    let admin = common::admin().await;
    common::install_crd(&admin).await;
    let limits = Limits {
        review: Some("5/1h".parse().expect("a limit")),
        global: None,
        ..Limits::default()
    };
    let orchestrator = Orchestrator::start(identity::controller_client(&admin).await, limits).await;
    let base = &orchestrator.base;
    let before = apiserver_requests(&admin, "tokenreviews").await;

    for _ in 0..10 {
        let answer = call(base, Method::GET, "/api/stores", Some("the-same-bad-token"), None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    }
    let after_repeats = apiserver_requests(&admin, "tokenreviews").await;
    assert_eq!(after_repeats - before, 1.0, "a refused token was reviewed again");

    let (mut unauthorized, mut limited) = (0, 0);
    for i in 0..1000 {
        let token = format!("made-up-{}-{i}", std::process::id());
        let answer = call(base, Method::GET, "/api/stores", Some(&token), None).await;
        match answer.status {
            StatusCode::UNAUTHORIZED => unauthorized += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(answer.body.contains("token reviews"), "{}", answer.body);
                assert!(answer.retry_after.is_some());
                limited += 1;
            }
            other => panic!("request {i}: {other} {}", answer.body),
        }
    }
    let spent = apiserver_requests(&admin, "tokenreviews").await - before;
    println!("1000 made-up tokens: {unauthorized} x 401, {limited} x 429; TokenReviews made: {spent}");
    assert!(spent <= 5.0, "{spent} TokenReviews for a limit of 5");
    assert_eq!(unauthorized, 4, "the limit's 4 remaining reviews");
    assert_eq!(limited, 996);
    drop(orchestrator);
}

/// Item 8: HEAD is answered like GET (same permission, no body).
#[tokio::test]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn head_is_answered_like_get() {
    let admin = common::admin().await;
    common::install_crd(&admin).await;
    let bob = common::token("bob");
    let role = grant(&admin, "bob", &["list"]).await;
    let orchestrator = Orchestrator::start(identity::controller_client(&admin).await, Limits::default()).await;
    let base = &orchestrator.base;
    let get = call(base, Method::GET, "/api/stores", Some(&bob), None).await;
    assert_eq!(get.status, StatusCode::OK, "{}", get.body);
    let head = call(base, Method::HEAD, "/api/stores", Some(&bob), None).await;
    assert_eq!(head.status, StatusCode::OK, "{}", head.body);
    assert!(head.body.is_empty(), "{}", head.body);
    let alice = common::token("alice");
    let refused = call(base, Method::HEAD, "/api/stores", Some(&alice), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "alice may not list");
    drop(orchestrator);
    revoke(&admin, &role).await;
}

/// Item 8: in `--insecure-no-auth` mode a POST must be JSON, and Host and Origin must be the
/// listen address; a request that is all of that is served without a token.
#[tokio::test]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn insecure_mode_refuses_other_hosts_origins_and_non_json_posts() {
    let admin = common::admin().await;
    common::install_crd(&admin).await;
    let orchestrator = Orchestrator::with(identity::controller_client(&admin).await, |config| {
        config.insecure_no_auth = true;
    })
    .await;
    let base = &orchestrator.base;
    let host = base.trim_start_matches("http://").to_owned();
    let id = common::unique("e2e-insecure");
    let body = format!(r#"{{"id": "{id}"}}"#);

    let form = send(
        base,
        Method::POST,
        "/api/stores",
        &[("Content-Type", "text/plain".to_owned())],
        Some(&body),
    )
    .await;
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", form.body);
    let rebound = send(
        base,
        Method::GET,
        "/api/stores",
        &[("Host", "evil.example".to_owned())],
        None,
    )
    .await;
    assert_eq!(rebound.status, StatusCode::FORBIDDEN, "{}", rebound.body);
    assert!(rebound.body.contains("evil.example"), "{}", rebound.body);
    let other_page = send(
        base,
        Method::POST,
        "/api/stores",
        &[
            ("Origin", "http://evil.example".to_owned()),
            ("Content-Type", "application/json".to_owned()),
        ],
        Some(&body),
    )
    .await;
    assert_eq!(other_page.status, StatusCode::FORBIDDEN, "{}", other_page.body);
    let stores: Api<Store> = Api::all(admin.clone());
    assert!(
        stores.get_opt(&id).await.expect("get").is_none(),
        "a refused POST created the store"
    );

    let own_page = send(
        base,
        Method::POST,
        "/api/stores",
        &[
            ("Origin", format!("http://{host}")),
            ("Content-Type", "application/json".to_owned()),
        ],
        Some(&body),
    )
    .await;
    assert_eq!(own_page.status, StatusCode::CREATED, "{}", own_page.body);
    let created = stores.get(&id).await.expect("the store");
    assert_eq!(
        created
            .metadata
            .annotations
            .unwrap_or_default()
            .get(REQUESTED_BY)
            .map(String::as_str),
        Some(k3sstore::http::auth::INSECURE_USER)
    );
    let list = send(base, Method::GET, "/api/stores", &[], None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    common::delete_store(&admin, &id).await;
    drop(orchestrator);
}

/// Item 7: a store created through the API names its user in the `requested-by` annotation
/// and the API's view; creation and deletion each leave an Event naming the user.
#[tokio::test]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn the_api_records_who_created_and_deleted_a_store() {
    let admin = common::admin().await;
    common::install_crd(&admin).await;
    let bob = common::token("bob");
    let role = grant(&admin, "bob", &["create", "get", "delete"]).await;
    let orchestrator = Orchestrator::start(identity::controller_client(&admin).await, Limits::default()).await;
    let base = &orchestrator.base;
    let id = common::unique("e2e-who");
    let created = call(
        base,
        Method::POST,
        "/api/stores",
        Some(&bob),
        Some(&format!(r#"{{"id": "{id}"}}"#)),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(created.body.contains(r#""requestedBy":"bob""#), "{}", created.body);
    let store = Api::<Store>::all(admin.clone()).get(&id).await.expect("the store");
    assert_eq!(
        store
            .metadata
            .annotations
            .unwrap_or_default()
            .get(REQUESTED_BY)
            .map(String::as_str),
        Some("bob")
    );
    let deleted = call(base, Method::DELETE, &format!("/api/stores/{id}"), Some(&bob), None).await;
    assert!(
        deleted.status == StatusCode::ACCEPTED || deleted.status == StatusCode::NO_CONTENT,
        "{}",
        deleted.body
    );
    let events: Api<Event> = Api::namespaced(admin.clone(), "default");
    let selector = format!("regarding.kind=Store,regarding.name={id}");
    let list = events
        .list(&ListParams::default().fields(&selector))
        .await
        .expect("the store's Events");
    let notes: Vec<(String, String)> = list
        .items
        .iter()
        .map(|e| (e.reason.clone().unwrap_or_default(), e.note.clone().unwrap_or_default()))
        .collect();
    println!("{notes:?}");
    for reason in ["Requested", "DeletionRequested"] {
        assert!(
            notes.iter().any(|(r, note)| r == reason && note.contains("by bob")),
            "no {reason} Event naming bob: {notes:?}"
        );
    }
    assert!(
        notes.iter().all(|(_, note)| !note.contains(&bob)),
        "a token in an Event"
    );
    common::delete_store(&admin, &id).await;
    drop(orchestrator);
    revoke(&admin, &role).await;
}

/// Item 5: an open watch stream is re-checked every `reauthorize_every` (3 s here) and ends,
/// with a `closed` event naming the missing permission, once bob's ClusterRoleBinding is
/// gone.
#[tokio::test]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn an_open_stream_ends_once_its_permission_is_gone() {
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client as HttpClient;
    use hyper_util::rt::TokioExecutor;

    let admin = common::admin().await;
    common::install_crd(&admin).await;
    let bob = common::token("bob");
    let role = grant(&admin, "bob", &["watch"]).await;
    let every = std::time::Duration::from_secs(3);
    let orchestrator = Orchestrator::with(identity::controller_client(&admin).await, |config| {
        config.reauthorize_every = every;
    })
    .await;
    let client = HttpClient::builder(TokioExecutor::new()).build_http::<Full<hyper::body::Bytes>>();
    let request = hyper::Request::get(format!("{}/api/watch/stores", orchestrator.base))
        .header("Authorization", format!("Bearer {bob}"))
        .body(Full::default())
        .expect("a request");
    let response = client.request(request).await.expect("the stream opens");
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let mut text = String::new();
    while !text.contains("event: snapshot") {
        let frame = common::within(body.frame())
            .await
            .expect("a frame")
            .expect("a readable frame");
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
    }
    // Two checks pass while the binding is there: the stream stays open.
    let still_open = tokio::time::timeout(every * 2 + every / 2, async {
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.expect("a readable frame").into_data() {
                text.push_str(&String::from_utf8_lossy(&data));
            }
        }
    })
    .await;
    assert!(still_open.is_err(), "the stream ended while bob could watch:\n{text}");

    revoke(&admin, &role).await;
    let revoked = std::time::Instant::now();
    common::within(async {
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.expect("a readable frame").into_data() {
                text.push_str(&String::from_utf8_lossy(&data));
            }
        }
    })
    .await;
    let ended = revoked.elapsed();
    println!("the stream ended {ended:?} after the binding was deleted (re-check every {every:?})");
    assert!(text.contains("event: closed"), "{text}");
    assert!(text.contains("bob may not watch"), "{text}");
    assert!(ended < every + std::time::Duration::from_secs(15), "{ended:?}");
    drop(orchestrator);
}
