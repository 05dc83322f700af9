//! Integration tests of `k3splatform`, in one test binary (one link against k8s-openapi instead of one per file).

mod common;
mod golden;
mod invariants;
