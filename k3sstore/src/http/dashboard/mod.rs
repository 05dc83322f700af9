//! The store dashboard (issue 14), served at `/` by the same binary: server-rendered pages
//! ([`pages`]) and one hand-written script for the live updates, all embedded in the binary.
//! Every answer carries a Content-Security-Policy that allows nothing but this origin and no
//! inline script.

pub mod pages;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The Content-Security-Policy of every dashboard answer: own origin only, no inline script,
/// no plugins, no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                       connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// The dashboard routes (pages and assets); with `sign_in` false (`--insecure-no-auth`) the
/// pages load the data at once, without asking for a token.
pub fn routes<S: Clone + Send + Sync + 'static>(sign_in: bool) -> Router<S> {
    Router::new()
        .route("/", get(move || async move { page(pages::list(sign_in)) }))
        .route(
            "/stores/{id}",
            get(move |Path(id): Path<String>| async move { page(pages::detail(&id, sign_in)) }),
        )
        .route(
            "/assets/app.js",
            get(|| async { asset(APP_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/app.css",
            get(|| async { asset(APP_CSS, "text/css; charset=utf-8") }),
        )
}

/// The security headers every dashboard answer carries.
fn secured(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}

fn page(markup: maud::Markup) -> Response {
    let mut response = markup.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    secured(response)
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    secured(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_values_and_load_no_inline_script() {
        let html = pages::detail("<script>alert(1)</script>", true).into_string();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        for page in [pages::list(true).into_string(), html] {
            assert_eq!(page.matches("<script").count(), 1, "{page}");
            assert!(page.contains(r#"<script src="/assets/app.js" defer>"#), "{page}");
            for handler in [" onclick=", " onload=", " onsubmit=", " onerror=", "javascript:"] {
                assert!(!page.contains(handler), "inline handler {handler}: {page}");
            }
            assert!(
                !page.contains("http://") && !page.contains("https://"),
                "no other origin: {page}"
            );
        }
    }

    #[test]
    fn every_form_input_has_a_label() {
        let html = pages::list(true).into_string();
        for id in ["token", "create-id", "create-engine", "create-size"] {
            assert!(html.contains(&format!(r#"for="{id}""#)), "no label for {id}");
        }
        assert!(html.contains(r#"aria-live="polite""#));
    }

    #[test]
    fn without_sign_in_the_pages_say_so() {
        for page in [pages::list(false), pages::detail("acme", false)] {
            assert!(page.into_string().contains(r#"data-auth="none""#));
        }
        assert!(!pages::list(true).into_string().contains("data-auth"));
    }

    #[test]
    fn the_script_uses_the_header_and_text_only() {
        assert!(APP_JS.contains(r#"headers["Authorization"] = "Bearer " + token()"#));
        assert!(APP_JS.contains("sessionStorage"));
        assert!(!APP_JS.contains("innerHTML"), "values must go through textContent");
        assert!(!APP_JS.contains("localStorage"), "the token stays in the session");
        assert!(
            !APP_JS.contains("?token") && !APP_JS.contains("&token"),
            "never in a URL"
        );
        assert!(CSP.contains("script-src 'self'") && !CSP.contains("unsafe-inline"));
    }
}
