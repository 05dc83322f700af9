//! Integration tests of k3sstore, one test binary. The scenarios that need a cluster are
//! `#[ignore = "needs a cluster (KUBECONFIG)"]` and fail loudly without one; `.ci/run` starts
//! `../shared/kube/cluster` and runs them with `--ignored --test-threads=1` (each test runs
//! its own controller; one at a time, so two controllers never reconcile the same store).

#![allow(
    unreachable_pub,
    reason = "helpers shared by test modules are pub inside this binary"
)]

mod api;
mod common;
mod controller;
mod dashboard;
mod leader;
mod node;
mod rbac_security;
mod security;
mod tokens;
