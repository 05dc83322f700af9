//! Integration tests of `k3sgateway`, in one test binary (one link against k8s-openapi instead of one per file).

mod common;
mod errors;
mod example;
mod golden;
mod support_table;
