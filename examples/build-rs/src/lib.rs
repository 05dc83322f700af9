//! Manifests rendered at build time by `build.rs` with [`k3sgen::build`]: the spec files in
//! `specs/`, for the local and the gcp target.

/// `(target, component, YAML)` for every file the build script rendered.
pub const MANIFESTS: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/manifests.rs"));
