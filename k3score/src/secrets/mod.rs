//! Secrets: references from env into Secrets or ExternalSecrets, secret stores, generated passwords.
//!
//! A workload names the secrets it reads (`API_KEY: {secret: orders-api-key}`,
//! `env_from: [{secret: orders-env}]`). How the values get into the cluster depends on the
//! target's [`crate::SecretBackend`]:
//!
//! - `local`: a `v1` Secret whose values come from [`crate::Context::secret_values`] (a `.env`
//!   file). See [`render_secret_refs`] for how values are looked up.
//! - `external_secrets`: an `ExternalSecret` (`external-secrets.io/v1`) that the External Secrets
//!   Operator fills from the target's `ClusterSecretStore`. The remote secret has the same name
//!   as the Kubernetes Secret.
//!
//! [`SecretStoreSpec`] renders the `ClusterSecretStore` itself (GCP, AWS, Azure, Vault, with
//! workload-identity auth), and [`GeneratedPassword`] a stable random password (REFERENCE §6).

mod key;
mod password;
mod reference;
mod store;

pub use key::{DataKey, SecretKeyRef, check_data_key};
pub use password::GeneratedPassword;
pub use reference::{SecretItem, SecretRef, VALUE_KEY, render_secret_refs};
pub use store::{AwsService, DEFAULT_VAULT_AUTH_MOUNT, SecretStoreSpec, StoreServiceAccount, VaultVersion};
