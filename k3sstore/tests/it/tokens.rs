//! Issue 25 item 6, against the real cluster: tokens meant for k3sstore (`--audience`, the
//! TokenReview's `status.audiences` checked) and HTTPS with a certificate read again when its
//! files change. Users are ServiceAccounts with TokenRequest tokens and bob, never admin.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, StatusCode};
use hyper_util::rt::TokioIo;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::api::{grant, revoke};
use crate::common::http::call;
use crate::common::{self, Orchestrator, identity};

const ACCOUNT: &str = "k3sstore-e2e-reader";

/// A token of the ServiceAccount `default/k3sstore-e2e-reader` for `audience` (the API
/// server's when `None`, as `kubectl create token` without `--audience`).
async fn account_token(admin: &Client, audience: Option<&str>) -> String {
    let accounts: Api<ServiceAccount> = Api::namespaced(admin.clone(), "default");
    let account = ServiceAccount {
        metadata: ObjectMeta {
            name: Some(ACCOUNT.to_owned()),
            ..ObjectMeta::default()
        },
        ..ServiceAccount::default()
    };
    accounts
        .patch(
            ACCOUNT,
            &PatchParams::apply("k3sstore-tests").force(),
            &Patch::Apply(&account),
        )
        .await
        .expect("apply the ServiceAccount");
    let request = TokenRequest {
        spec: Some(TokenRequestSpec {
            audiences: audience.map(|a| vec![a.to_owned()]),
            expiration_seconds: Some(600),
            ..TokenRequestSpec::default()
        }),
        ..TokenRequest::default()
    };
    accounts
        .create_token_request(ACCOUNT, &PostParams::default(), &request)
        .await
        .expect("a token")
        .status
        .expect("a status")
        .token
        .expect("a token")
}

/// `--audience k3sstore` accepts only tokens made for it (`kubectl create token --audience
/// k3sstore`); without it, tokens for the API server are accepted (the Dashboard convention)
/// and tokens for another audience are not.
#[tokio::test]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn only_tokens_for_the_audience_are_accepted() {
    let admin = common::admin().await;
    common::install_crd(&admin).await;
    let user = format!("system:serviceaccount:default:{ACCOUNT}");
    let role = grant(&admin, &user, &["list"]).await;
    let for_us = account_token(&admin, Some("k3sstore")).await;
    let for_the_api_server = account_token(&admin, None).await;
    let bob = common::token("bob");
    let controller = identity::controller_client(&admin).await;

    let orchestrator = Orchestrator::with(controller.clone(), |config| {
        config.audience = Some("k3sstore".to_owned());
    })
    .await;
    let base = &orchestrator.base;
    let ok = call(base, Method::GET, "/api/stores", Some(&for_us), None).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    for (who, token) in [
        ("an API-server token", &for_the_api_server),
        ("bob's static token", &bob),
    ] {
        let refused = call(base, Method::GET, "/api/stores", Some(token), None).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{who}: {}", refused.body);
        assert!(refused.body.contains("another audience"), "{}", refused.body);
    }
    drop(orchestrator);

    let orchestrator = Orchestrator::start(controller, k3sstore::http::limit::Limits::default()).await;
    let base = &orchestrator.base;
    let ok = call(base, Method::GET, "/api/stores", Some(&for_the_api_server), None).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let refused = call(base, Method::GET, "/api/stores", Some(&for_us), None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    drop(orchestrator);
    revoke(&admin, &role).await;
}

/// A self-signed certificate for 127.0.0.1 (openssl, as the docs' local steps make one).
fn self_signed(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join(format!("{name}.crt")), dir.join(format!("{name}.key")));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ])
        .args([
            "-days",
            "1",
            "-subj",
            "/CN=k3sstore",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        // A leaf, not a CA: rustls refuses a CA certificate as the server's own.
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success(), "openssl req failed");
    (cert, key)
}

/// `GET path` over HTTPS to `address`, trusting only `root` (PEM): the served certificate (DER),
/// the status and the body.
async fn https_get(address: SocketAddr, root: &Path, path: &str) -> (Vec<u8>, StatusCode, String) {
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(root).expect("the root certificate");
    for cert in CertificateDer::pem_slice_iter(&pem) {
        roots.add(cert.expect("a PEM certificate")).expect("a root");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(address).await.expect("connect");
    let tls = connector
        .connect(ServerName::from(address.ip()), tcp)
        .await
        .expect("a TLS handshake with the trusted certificate");
    let served = tls.get_ref().1.peer_certificates().expect("a certificate")[0].to_vec();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .expect("HTTP/1.1 over TLS");
    tokio::spawn(connection);
    let request = hyper::Request::get(path)
        .header("Host", address.to_string())
        .body(Full::<Bytes>::default())
        .expect("a request");
    let response = sender.send_request(request).await.expect("an answer");
    let status = response.status();
    let body = response.into_body().collect().await.expect("a body").to_bytes();
    (served, status, String::from_utf8_lossy(&body).into_owned())
}

fn der(pem: &Path) -> Vec<u8> {
    let text = std::fs::read(pem).expect("a certificate");
    CertificateDer::from_pem_slice(&text).expect("PEM").to_vec()
}

/// `--tls-cert`/`--tls-key`: the API answers over HTTPS, and a renewed certificate written
/// over the files is served from the next connection on, without a restart.
#[tokio::test]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn https_serves_the_certificate_and_picks_up_a_renewed_one() {
    let admin = common::admin().await;
    common::install_crd(&admin).await;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let (cert, key) = self_signed(&dir, "first");
    let (served_cert, served_key) = (dir.join("tls.crt"), dir.join("tls.key"));
    std::fs::copy(&cert, &served_cert).expect("copy");
    std::fs::copy(&key, &served_key).expect("copy");
    let files = (served_cert.clone(), served_key.clone());
    let orchestrator = Orchestrator::with(identity::controller_client(&admin).await, |config| {
        config.tls = Some(files);
    })
    .await;
    let address: SocketAddr = orchestrator
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("an address");

    let (served, status, body) = https_get(address, &cert, "/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    assert_eq!(served, der(&cert), "the first certificate");

    // Renewal: new files moved over the served ones (as a Secret volume update swaps them).
    let (renewed, renewed_key) = self_signed(&dir, "renewed");
    std::fs::copy(&renewed_key, dir.join("next.key")).expect("copy");
    std::fs::copy(&renewed, dir.join("next.crt")).expect("copy");
    std::fs::rename(dir.join("next.key"), &served_key).expect("move the key");
    std::fs::rename(dir.join("next.crt"), &served_cert).expect("move the certificate");
    let (served, status, _) = https_get(address, &renewed, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(served, der(&renewed), "the renewed certificate, without a restart");
    drop(orchestrator);
    let _ = std::fs::remove_dir_all(&dir);
}
