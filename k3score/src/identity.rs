//! identity: being written.
