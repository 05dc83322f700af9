//! exposure: being written.
