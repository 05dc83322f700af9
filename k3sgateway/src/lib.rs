//! k3sgateway: placeholder, filled by its own issue.
