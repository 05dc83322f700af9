//! `external-secrets.io/v1`: ExternalSecret and ClusterSecretStore.

mod cluster_secret_store;
mod external_secret;

pub use self::cluster_secret_store::{
    AWSAuth, AWSJWTAuth, AWSProvider, AWSServiceType, AzureAuthType, AzureEnvironmentType, AzureKVProvider,
    ClusterSecretStore, ClusterSecretStoreCondition, ClusterSecretStoreSpec, GCPSMAuth, GCPSMProvider,
    GCPWorkloadIdentity, SecretStoreProvider, ServiceAccountSelector, VaultAuth, VaultKVStoreVersion,
    VaultKubernetesAuth, VaultProvider,
};
pub use self::external_secret::{
    ConversionStrategy, CreationPolicy, DecodingStrategy, DeletionPolicy, ExternalSecret, ExternalSecretData,
    ExternalSecretDataFromRemoteRef, ExternalSecretDataRemoteRef, ExternalSecretSpec, ExternalSecretTarget,
    ExternalSecretTemplate, ExternalSecretTemplateMetadata, GeneratorKind, GeneratorRef, RefreshPolicy,
    SecretStoreKind, SecretStoreRef, StoreGeneratorSourceRef, TemplateEngineVersion,
};
