//! Integration tests of `k3sapp`, in one test binary (one link against k8s-openapi instead of one per file).

mod common;
mod errors;
mod golden;
mod kinds;
mod pod_template;
mod proptest;
mod stream;
