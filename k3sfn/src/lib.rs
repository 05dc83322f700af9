//! k3sfn: placeholder, filled by its own issue.
