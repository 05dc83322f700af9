//! scaling: being written.
