//! resources: being written.
