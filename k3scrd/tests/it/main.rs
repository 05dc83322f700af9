//! Integration tests of `k3scrd`, in one test binary.

mod crd_resources;
