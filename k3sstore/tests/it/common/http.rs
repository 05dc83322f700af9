//! A small HTTP client for the API (hyper, already in the dependency tree through kube).

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// One answer: status, `Retry-After` and the body as text.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: StatusCode,
    /// The `Retry-After` header, when present.
    pub retry_after: Option<String>,
    /// The body.
    pub body: String,
}

impl Answer {
    /// The body as JSON of type `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not the JSON expected ({e}): {}", self.body))
    }
}

/// Sends `method path` to `base` with an optional bearer token and JSON body.
pub async fn call(base: &str, method: Method, path: &str, token: Option<&str>, body: Option<&str>) -> Answer {
    let mut headers = Vec::new();
    if let Some(token) = token {
        headers.push(("Authorization", format!("Bearer {token}")));
    }
    if body.is_some() {
        headers.push(("Content-Type", "application/json".to_owned()));
    }
    send(base, method, path, &headers, body).await
}

/// Sends `method path` to `base` with exactly these headers (and `Host`, unless given).
pub async fn send(base: &str, method: Method, path: &str, headers: &[(&str, String)], body: Option<&str>) -> Answer {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = Request::builder().method(method).uri(format!("{base}{path}"));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let request = request
        .body(Full::new(Bytes::from(body.unwrap_or_default().to_owned())))
        .expect("a request");
    let response = client.request(request).await.expect("the API answers");
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let bytes = response.into_body().collect().await.expect("a body").to_bytes();
    Answer {
        status,
        retry_after,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}
