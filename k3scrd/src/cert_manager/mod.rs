//! cert-manager custom resources, API group `cert-manager.io`.

pub mod v1;
