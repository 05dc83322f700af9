//! `ClusterSecretStore` builders for GCP, AWS, Azure and Vault, with workload-identity auth.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::crd::external_secrets::v1::{
    AWSAuth, AWSJWTAuth, AWSProvider, AWSServiceType, AzureAuthType, AzureKVProvider, ClusterSecretStore,
    ClusterSecretStoreSpec, GCPSMAuth, GCPSMProvider, GCPWorkloadIdentity, SecretStoreProvider, ServiceAccountSelector,
    VaultAuth, VaultKVStoreVersion, VaultKubernetesAuth, VaultProvider,
};
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::identity::check_uuid;
use crate::names::{DnsLabel, DnsSubdomain};

/// The Kubernetes ServiceAccount the operator authenticates as. Its namespace is required:
/// a `ClusterSecretStore` has no namespace of its own to default to (REFERENCE §6b, E4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct StoreServiceAccount {
    /// The ServiceAccount's name (annotated for the cloud's workload identity).
    pub name: DnsSubdomain,
    /// The ServiceAccount's namespace.
    pub namespace: DnsLabel,
}

impl StoreServiceAccount {
    fn selector(&self) -> ServiceAccountSelector {
        ServiceAccountSelector {
            name: self.name.to_string(),
            namespace: Some(self.namespace.to_string()),
            audiences: Vec::new(),
        }
    }
}

/// The default mount of Vault's Kubernetes auth method (REFERENCE §6b, E3).
pub const DEFAULT_VAULT_AUTH_MOUNT: &str = "kubernetes";

fn default_vault_mount() -> String {
    DEFAULT_VAULT_AUTH_MOUNT.to_owned()
}

/// Which AWS service holds the secrets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AwsService {
    /// AWS Secrets Manager.
    #[default]
    SecretsManager,
    /// SSM Parameter Store.
    ParameterStore,
}

/// The KV secrets engine version of a Vault mount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum VaultVersion {
    /// KV version 1.
    V1,
    /// KV version 2.
    #[default]
    V2,
}

/// A `ClusterSecretStore`: where External Secrets reads remote secrets from (REFERENCE §6b).
///
/// Every provider authenticates with the cloud's workload identity through a Kubernetes
/// ServiceAccount (GKE Workload Identity, EKS IRSA, AKS workload identity, Vault Kubernetes
/// auth), so no static cloud credential is stored in the cluster.
///
/// ```
/// use k3score::secrets::SecretStoreSpec;
/// let spec: SecretStoreSpec = serde_json::from_str(r#"{"gcp": {"project_id": "acme-prod",
///     "service_account": {"name": "external-secrets", "namespace": "external-secrets"}}}"#).unwrap();
/// let store = spec.render(&"gcp-secrets".parse().unwrap());
/// let gcp = store.spec.provider.gcpsm.unwrap();
/// assert_eq!(gcp.project_id.as_deref(), Some("acme-prod"));
/// let sa = gcp.auth.unwrap().workload_identity.unwrap().service_account_ref;
/// assert_eq!(sa.namespace.as_deref(), Some("external-secrets"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SecretStoreSpec {
    /// Google Secret Manager (`gcpsm`) with GKE Workload Identity.
    Gcp {
        /// The project holding the secrets.
        project_id: String,
        /// A region for regional secrets. Default: global secrets.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location: Option<String>,
        /// The ServiceAccount annotated with `iam.gke.io/gcp-service-account`.
        service_account: StoreServiceAccount,
        /// The cluster's location. Default: read from the metadata server.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cluster_location: Option<String>,
        /// The cluster's name. Default: read from the metadata server.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cluster_name: Option<String>,
        /// The cluster's project when it differs from `project_id`. Default: read from the
        /// metadata server.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cluster_project_id: Option<String>,
    },
    /// AWS Secrets Manager or Parameter Store with IRSA (`auth.jwt`).
    Aws {
        /// The AWS region (`eu-west-1`).
        region: String,
        /// Which service. Default: `secrets_manager`.
        #[serde(default)]
        service: AwsService,
        /// An IAM role to assume after authenticating. Default: none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<String>,
        /// The ServiceAccount annotated with `eks.amazonaws.com/role-arn`.
        service_account: StoreServiceAccount,
    },
    /// Azure Key Vault with AKS workload identity.
    Azure {
        /// The vault URL (`https://acme.vault.azure.net`).
        vault_url: String,
        /// The tenant ID. Default: from the ServiceAccount's annotation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tenant_id: Option<String>,
        /// The ServiceAccount annotated with `azure.workload.identity/client-id`.
        service_account: StoreServiceAccount,
    },
    /// HashiCorp Vault KV with Kubernetes auth.
    Vault {
        /// The Vault address (`https://vault.acme.io:8200`).
        server: String,
        /// The KV mount path (`secret`).
        path: String,
        /// The KV engine version. Default: `v2`.
        #[serde(default)]
        version: VaultVersion,
        /// The Vault role bound to the ServiceAccount.
        role: String,
        /// The Kubernetes auth mount. Default: `kubernetes` (Vault's default).
        #[serde(default = "default_vault_mount")]
        mount_path: String,
        /// The ServiceAccount whose token is presented to Vault.
        service_account: StoreServiceAccount,
    },
}

impl SecretStoreSpec {
    /// The `ClusterSecretStore` named `name`.
    #[must_use]
    pub fn render(&self, name: &DnsSubdomain) -> ClusterSecretStore {
        let provider = match self {
            SecretStoreSpec::Gcp {
                project_id,
                location,
                service_account,
                cluster_location,
                cluster_name,
                cluster_project_id,
            } => SecretStoreProvider {
                gcpsm: Some(GCPSMProvider {
                    project_id: Some(project_id.clone()),
                    location: location.clone(),
                    auth: Some(GCPSMAuth {
                        workload_identity: Some(GCPWorkloadIdentity {
                            service_account_ref: service_account.selector(),
                            cluster_location: cluster_location.clone(),
                            cluster_name: cluster_name.clone(),
                            cluster_project_id: cluster_project_id.clone(),
                        }),
                    }),
                }),
                ..Default::default()
            },
            SecretStoreSpec::Aws {
                region,
                service,
                role,
                service_account,
            } => SecretStoreProvider {
                aws: Some(AWSProvider {
                    service: match service {
                        AwsService::SecretsManager => AWSServiceType::SecretsManager,
                        AwsService::ParameterStore => AWSServiceType::ParameterStore,
                    },
                    region: region.clone(),
                    role: role.clone(),
                    auth: Some(AWSAuth {
                        jwt: Some(AWSJWTAuth {
                            service_account_ref: Some(service_account.selector()),
                        }),
                    }),
                }),
                ..Default::default()
            },
            SecretStoreSpec::Azure {
                vault_url,
                tenant_id,
                service_account,
            } => SecretStoreProvider {
                azurekv: Some(AzureKVProvider {
                    vault_url: vault_url.clone(),
                    auth_type: Some(AzureAuthType::WorkloadIdentity),
                    service_account_ref: Some(service_account.selector()),
                    tenant_id: tenant_id.clone(),
                    environment_type: None,
                }),
                ..Default::default()
            },
            SecretStoreSpec::Vault {
                server,
                path,
                version,
                role,
                mount_path,
                service_account,
            } => SecretStoreProvider {
                vault: Some(VaultProvider {
                    server: server.clone(),
                    path: Some(path.clone()),
                    version: Some(match version {
                        VaultVersion::V1 => VaultKVStoreVersion::V1,
                        VaultVersion::V2 => VaultKVStoreVersion::V2,
                    }),
                    namespace: None,
                    auth: Some(VaultAuth {
                        kubernetes: Some(VaultKubernetesAuth {
                            mount_path: mount_path.clone(),
                            role: role.clone(),
                            service_account_ref: Some(service_account.selector()),
                        }),
                    }),
                }),
                ..Default::default()
            },
        };
        ClusterSecretStore {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                ..Default::default()
            },
            spec: ClusterSecretStoreSpec {
                provider,
                conditions: Vec::new(),
                refresh_interval: None,
            },
        }
    }
}

impl Validate for SecretStoreSpec {
    /// Records empty required values, URLs without a scheme and malformed tenant IDs.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        let required = |problems: &mut Problems, p: PathRef<'_>, value: &str, what: &str| {
            if value.trim().is_empty() {
                problems.push(p, ErrorKind::Missing(what.to_owned()));
            }
        };
        let url = |problems: &mut Problems, p: PathRef<'_>, value: &str| {
            if !(value.starts_with("https://") || value.starts_with("http://")) {
                problems.push(
                    p,
                    ErrorKind::Invalid(format!("{value:?} must be a URL starting with https://")),
                );
            }
        };
        match self {
            SecretStoreSpec::Gcp { project_id, .. } => {
                required(
                    problems,
                    path.field("gcp").field("project_id"),
                    project_id,
                    "a Google Cloud project ID",
                );
            }
            SecretStoreSpec::Aws { region, role, .. } => {
                let p = path.field("aws");
                required(problems, p.field("region"), region, "an AWS region like eu-west-1");
                if let Some(role) = role {
                    problems.check(p.field("role"), crate::identity::check_aws_role_arn(role));
                }
            }
            SecretStoreSpec::Azure {
                vault_url, tenant_id, ..
            } => {
                let p = path.field("azure");
                url(problems, p.field("vault_url"), vault_url);
                if let Some(tenant) = tenant_id {
                    problems.check(p.field("tenant_id"), check_uuid(tenant));
                }
            }
            SecretStoreSpec::Vault {
                server,
                path: kv,
                role,
                mount_path,
                ..
            } => {
                let p = path.field("vault");
                url(problems, p.field("server"), server);
                required(problems, p.field("path"), kv, "the KV mount path, like secret");
                required(
                    problems,
                    p.field("role"),
                    role,
                    "the Vault role bound to the ServiceAccount",
                );
                required(
                    problems,
                    p.field("mount_path"),
                    mount_path,
                    "the Kubernetes auth mount, like kubernetes",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa() -> StoreServiceAccount {
        StoreServiceAccount {
            name: "eso".parse().unwrap(),
            namespace: "external-secrets".parse().unwrap(),
        }
    }

    fn errors(spec: &SecretStoreSpec) -> Vec<String> {
        spec.problems_at(PathRef::ROOT.field("store")).messages()
    }

    #[test]
    fn aws_uses_irsa_jwt_auth() {
        let spec: SecretStoreSpec = serde_json::from_str(
            r#"{"aws": {"region": "eu-west-1", "service_account": {"name": "eso", "namespace": "external-secrets"}}}"#,
        )
        .unwrap();
        let store = spec.render(&"aws".parse().unwrap());
        assert!(store.metadata.namespace.is_none());
        let aws = store.spec.provider.aws.unwrap();
        assert_eq!(aws.service, AWSServiceType::SecretsManager);
        let sa_ref = aws.auth.unwrap().jwt.unwrap().service_account_ref.unwrap();
        assert_eq!(
            (sa_ref.name.as_str(), sa_ref.namespace.as_deref()),
            ("eso", Some("external-secrets"))
        );
        assert!(errors(&spec).is_empty());
    }

    #[test]
    fn azure_and_vault_render_workload_identity_auth() {
        let azure = SecretStoreSpec::Azure {
            vault_url: "https://acme.vault.azure.net".into(),
            tenant_id: None,
            service_account: sa(),
        };
        let kv = azure.render(&"azure".parse().unwrap()).spec.provider.azurekv.unwrap();
        assert_eq!(kv.auth_type, Some(AzureAuthType::WorkloadIdentity));
        assert_eq!(
            kv.service_account_ref.unwrap().namespace.as_deref(),
            Some("external-secrets")
        );
        let vault: SecretStoreSpec = serde_json::from_str(
            r#"{"vault": {"server": "https://vault:8200", "path": "secret", "role": "eso",
                "service_account": {"name": "eso", "namespace": "external-secrets"}}}"#,
        )
        .unwrap();
        let v = vault.render(&"vault".parse().unwrap()).spec.provider.vault.unwrap();
        assert_eq!(v.version, Some(VaultKVStoreVersion::V2));
        let k8s = v.auth.unwrap().kubernetes.unwrap();
        assert_eq!(k8s.role, "eso");
        assert_eq!(k8s.mount_path, "kubernetes");
        assert!(errors(&vault).is_empty());
    }

    #[test]
    fn problems_have_paths() {
        let bad = SecretStoreSpec::Vault {
            server: "vault:8200".into(),
            path: String::new(),
            version: VaultVersion::V1,
            role: " ".into(),
            mount_path: DEFAULT_VAULT_AUTH_MOUNT.into(),
            service_account: sa(),
        };
        let errs = errors(&bad);
        assert_eq!(errs.len(), 3);
        assert!(errs[0].starts_with("store.vault.server: "));
        assert!(errs[1].starts_with("store.vault.path: missing"));
        assert!(errs[2].starts_with("store.vault.role: missing"));
        let azure = SecretStoreSpec::Azure {
            vault_url: "https://x".into(),
            tenant_id: Some("t".into()),
            service_account: sa(),
        };
        assert!(errors(&azure)[0].starts_with("store.azure.tenant_id: "));
        let aws = SecretStoreSpec::Aws {
            region: String::new(),
            service: AwsService::ParameterStore,
            role: Some("r".into()),
            service_account: sa(),
        };
        assert_eq!(errors(&aws).len(), 2);
        let gcp = SecretStoreSpec::Gcp {
            project_id: String::new(),
            location: None,
            service_account: sa(),
            cluster_location: None,
            cluster_name: None,
            cluster_project_id: None,
        };
        assert_eq!(
            errors(&gcp),
            ["store.gcp.project_id: missing: a Google Cloud project ID"]
        );
        assert!(
            serde_json::from_str::<SecretStoreSpec>(r#"{"aws": {"region": "x", "service_account": {"name": "eso"}}}"#)
                .is_err()
        );
    }
}
