//! External Secrets Operator generators, API group `generators.external-secrets.io`.

pub mod v1alpha1;
