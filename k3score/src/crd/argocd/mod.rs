//! Argo CD custom resources, API group `argoproj.io`.

pub mod v1alpha1;
