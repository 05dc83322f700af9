//! network: being written.
