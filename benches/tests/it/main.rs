//! Integration tests of k3s-benches (one binary; modules below).

mod output_digest;
