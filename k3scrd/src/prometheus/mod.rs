//! prometheus-operator custom resources, API group `monitoring.coreos.com`.

pub mod v1;
