//! k3sapp: placeholder, filled by its own issue.
