//! workload: being written.
