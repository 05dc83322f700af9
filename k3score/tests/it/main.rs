//! Integration tests of `k3score`, in one test binary (one link against k8s-openapi instead of one per file).

mod common;
mod golden_exposure;
mod golden_network;
mod golden_platform;
mod golden_scaling;
mod patch;
mod pod_security;
mod proptest_bundles;
mod yaml_emitter;
mod yaml_subset;
