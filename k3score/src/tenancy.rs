//! tenancy: being written.
