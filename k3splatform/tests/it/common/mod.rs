//! Helpers shared by the k3splatform integration tests: example specs, contexts, golden files.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use k3score::{Bundle, Context, Target};
use serde::de::DeserializeOwned;

/// The local database password of the example store (`.env` style input, never a real one).
pub(crate) const STORE_PASSWORD: (&str, &str) = ("postgres-password.password", "dev-store-password");

/// A spec of `examples/specs/<name>.yaml`.
pub(crate) fn example<T: DeserializeOwned>(name: &str) -> T {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../examples/specs/{name}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    k3score::yaml::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A context on `target` with the example's local secret values.
pub(crate) fn ctx(target: Target) -> Context {
    let values = BTreeMap::from([(STORE_PASSWORD.0.to_owned(), STORE_PASSWORD.1.to_owned())]);
    Context::new(target, "default".parse().expect("static namespace")).with_secret_values(values)
}

/// The preset `local` or `gcp`.
pub(crate) fn target(name: &str) -> Target {
    Target::preset(name).expect("preset")
}

/// Compares the bundle's YAML with `tests/golden/<file>`; `K3S_BLESS=1` rewrites it first.
pub(crate) fn golden(file: &str, bundle: &Bundle) {
    let actual = bundle.to_yaml().expect("yaml");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(file);
    if std::env::var_os("K3S_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with K3S_BLESS=1 to create it)", path.display()));
    pretty_assertions::assert_eq!(actual, expected, "{} differs (K3S_BLESS=1 rewrites it)", path.display());
}
