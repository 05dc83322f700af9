//! k3s's Helm controller custom resources, API group `helm.cattle.io`.

pub mod v1;
