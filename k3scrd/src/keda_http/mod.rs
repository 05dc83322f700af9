//! KEDA HTTP add-on custom resources, API group `http.keda.sh`.

pub mod v1alpha1;
pub mod v1beta1;
