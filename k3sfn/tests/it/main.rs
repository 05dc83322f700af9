//! Integration tests of `k3sfn`, in one test binary (one link against k8s-openapi instead of one per file).

mod common;
mod discovery;
mod errors;
mod golden;
mod proptest;
