//! k3scompose: placeholder, filled by its own issue.
