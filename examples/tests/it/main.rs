//! Integration tests of the examples, in one test binary: the rendered bundles against a
//! real API server (ignored unless run with `--ignored` against a cluster).

mod cluster;
mod every_example;
mod harness_fails;
