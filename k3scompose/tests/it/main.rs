//! Integration tests of `k3scompose`, in one test binary (one link against k8s-openapi instead of one per file).

mod common;
mod examples;
mod fuzz;
mod golden;
