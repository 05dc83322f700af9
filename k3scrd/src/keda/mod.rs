//! KEDA core custom resources, API group `keda.sh`.

pub mod v1alpha1;
