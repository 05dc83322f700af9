//! Shared test helpers: the three controller targets and golden-file comparison.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use k3score::{Context, Ingress, Target};

/// `(directory name, target)` for Traefik, HAProxy and the Gateway API.
pub fn targets() -> [(&'static str, Target); 3] {
    let gateway = Target::local().with_ingress(
        Ingress::gateway_api("shared-gateway", "gateway-system").unwrap(),
        "gateway-system".parse().unwrap(),
    );
    [
        ("traefik", Target::local()),
        ("haproxy", Target::gcp()),
        ("gateway-api", gateway),
    ]
}

/// A context rendering into `shop`.
pub fn ctx(target: &Target) -> Context {
    Context::new(target.clone(), "shop".parse().unwrap())
}

/// Compares `actual` with `tests/golden/<rel>`; `K3S_BLESS=1` rewrites the file.
pub fn golden(rel: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(rel);
    if std::env::var_os("K3S_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden {}; run with K3S_BLESS=1", path.display()));
    pretty_assertions::assert_eq!(expected, actual, "golden {rel} differs; K3S_BLESS=1 rewrites it");
}
