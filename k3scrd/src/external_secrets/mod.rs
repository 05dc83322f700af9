//! External Secrets Operator custom resources, API group `external-secrets.io`.

pub mod v1;
