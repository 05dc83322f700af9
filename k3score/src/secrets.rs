//! secrets: being written.
