//! Workload identity: one ServiceAccount per workload, with cloud workload-identity annotations.
//!
//! ```yaml
//! service_account: {create: true, workload_identity: {gcp: orders@acme.iam.gserviceaccount.com}}
//! ```
//!
//! By default every workload gets its own ServiceAccount named after it, with no API token
//! mounted: its identity is specific to it, so cloud IAM bindings and RBAC can target it
//! alone, and a compromised pod has no Kubernetes credentials.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::context::Context;
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::labels::AppLabels;
use crate::names::{DnsLabel, DnsSubdomain};

/// GKE: the Google service account a Kubernetes ServiceAccount acts as (REFERENCE §7, W1).
pub const GCP_ANNOTATION: &str = "iam.gke.io/gcp-service-account";
/// EKS (IRSA): the IAM role a Kubernetes ServiceAccount assumes (W2).
pub const AWS_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
/// AKS: the client ID of the managed identity or app registration (W3).
pub const AZURE_CLIENT_ID_ANNOTATION: &str = "azure.workload.identity/client-id";
/// AKS: the tenant of the identity, when not the cluster's (W3).
pub const AZURE_TENANT_ID_ANNOTATION: &str = "azure.workload.identity/tenant-id";
/// AKS: pod template label that makes the webhook inject the token (W3; on the pod, not the SA).
pub const AZURE_USE_LABEL: &str = "azure.workload.identity/use";
/// The ServiceAccount every namespace has, used when `create: false` and no `name` is given.
pub const DEFAULT_ACCOUNT: &str = "default";

/// Which ServiceAccount a workload runs as, and what it may do.
///
/// | `create` | `name` | account used |
/// |---|---|---|
/// | `true` (default) | unset | a new account named after the workload |
/// | `true` | `n` | a new account named `n` |
/// | `false` | `n` | the existing account `n` (not rendered) |
/// | `false` | unset | the namespace's `default` account (not rendered) |
///
/// `workload_identity` annotates the account, so it needs `create: true`: we cannot annotate an
/// account we do not render.
///
/// ```
/// use k3score::identity::{ServiceAccountSpec, WorkloadIdentity};
/// use k3score::labels::AppLabels;
/// use k3score::{Context, Target};
///
/// let spec: ServiceAccountSpec = serde_json::from_str(
///     r#"{"workload_identity": {"gcp": "orders@acme.iam.gserviceaccount.com"}}"#).unwrap();
/// let name = "orders".parse().unwrap();
/// let ctx = Context::new(Target::gcp(), "shop".parse().unwrap());
/// let sa = spec.render(&name, &AppLabels::new(name.clone()), &ctx).unwrap();
/// assert_eq!(sa.metadata.name.as_deref(), Some("orders"));
/// assert_eq!(sa.metadata.annotations.unwrap()["iam.gke.io/gcp-service-account"],
///     "orders@acme.iam.gserviceaccount.com");
/// assert_eq!(sa.automount_service_account_token, Some(false));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ServiceAccountSpec {
    /// Render a ServiceAccount for the workload. Default: true.
    #[serde(default = "ServiceAccountSpec::default_create")]
    pub create: bool,
    /// The account's name. Default: the workload's name when created, else `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<DnsSubdomain>,
    /// Mount a Kubernetes API token into the pods. Only for workloads that call the API.
    /// Default: false.
    #[serde(default)]
    pub automount_token: bool,
    /// The cloud identity the account maps to. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_identity: Option<WorkloadIdentity>,
}

impl Default for ServiceAccountSpec {
    fn default() -> Self {
        Self {
            create: Self::default_create(),
            name: None,
            automount_token: false,
            workload_identity: None,
        }
    }
}

/// A cloud identity bound to a Kubernetes ServiceAccount (REFERENCE §7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum WorkloadIdentity {
    /// GKE Workload Identity: the Google service account email,
    /// `NAME@PROJECT.iam.gserviceaccount.com`. It needs `roles/iam.workloadIdentityUser` for
    /// `PROJECT.svc.id.goog[NAMESPACE/KSA]`.
    Gcp(String),
    /// EKS IAM roles for service accounts: the role ARN, `arn:aws:iam::ACCOUNT:role/NAME`.
    Aws(String),
    /// AKS workload identity.
    Azure {
        /// Client ID (a UUID) of the managed identity or app registration.
        client_id: String,
        /// Tenant ID (a UUID). Default: the cluster's tenant.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tenant_id: Option<String>,
    },
}

impl WorkloadIdentity {
    /// The ServiceAccount annotations that bind it to the cloud identity.
    ///
    /// ```
    /// use k3score::identity::WorkloadIdentity;
    /// let aws = WorkloadIdentity::Aws("arn:aws:iam::123456789012:role/orders".into());
    /// assert_eq!(aws.annotations()["eks.amazonaws.com/role-arn"], "arn:aws:iam::123456789012:role/orders");
    /// ```
    #[must_use]
    pub fn annotations(&self) -> BTreeMap<String, String> {
        match self {
            WorkloadIdentity::Gcp(email) => BTreeMap::from([(GCP_ANNOTATION.to_owned(), email.clone())]),
            WorkloadIdentity::Aws(arn) => BTreeMap::from([(AWS_ANNOTATION.to_owned(), arn.clone())]),
            WorkloadIdentity::Azure { client_id, tenant_id } => {
                let mut map = BTreeMap::from([(AZURE_CLIENT_ID_ANNOTATION.to_owned(), client_id.clone())]);
                if let Some(tenant) = tenant_id {
                    map.insert(AZURE_TENANT_ID_ANNOTATION.to_owned(), tenant.clone());
                }
                map
            }
        }
    }

    /// Labels the pod template needs: `azure.workload.identity/use: "true"` for Azure, none else.
    #[must_use]
    pub fn pod_labels(&self) -> BTreeMap<String, String> {
        match self {
            WorkloadIdentity::Azure { .. } => BTreeMap::from([(AZURE_USE_LABEL.to_owned(), "true".to_owned())]),
            WorkloadIdentity::Gcp(_) | WorkloadIdentity::Aws(_) => BTreeMap::new(),
        }
    }
}

impl Validate for WorkloadIdentity {
    /// Records a malformed email, ARN or UUID at `path` (the `workload_identity` field).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        match self {
            WorkloadIdentity::Gcp(email) => {
                problems.check(path.field("gcp"), check_gcp_email(email));
            }
            WorkloadIdentity::Aws(arn) => {
                problems.check(path.field("aws"), check_aws_role_arn(arn));
            }
            WorkloadIdentity::Azure { client_id, tenant_id } => {
                let azure = path.field("azure");
                problems.check(azure.field("client_id"), check_uuid(client_id));
                if let Some(tenant) = tenant_id {
                    problems.check(azure.field("tenant_id"), check_uuid(tenant));
                }
            }
        }
    }
}

/// Checks the shape `NAME@PROJECT.iam.gserviceaccount.com`, with NAME 6 to 30 characters of
/// `[a-z0-9-]` starting with a letter (Google's rule for service account IDs).
pub fn check_gcp_email(email: &str) -> Result<(), ErrorKind> {
    const SUFFIX: &str = ".iam.gserviceaccount.com";
    let bad = |why: &str| {
        ErrorKind::Invalid(format!(
            "{email:?} is not a Google service account email NAME@PROJECT{SUFFIX}: {why}"
        ))
    };
    let (name, domain) = email.split_once('@').ok_or_else(|| bad("no '@'"))?;
    let project = domain.strip_suffix(SUFFIX).ok_or_else(|| bad("wrong domain"))?;
    if !(6..=30).contains(&name.len())
        || !name.starts_with(|c: char| c.is_ascii_lowercase())
        || name.ends_with('-')
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(bad(
            "NAME must be 6-30 characters of a-z, 0-9 and '-', starting with a letter",
        ));
    }
    if project.is_empty()
        || !project
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    {
        return Err(bad("PROJECT must be a project ID of a-z, 0-9 and '-'"));
    }
    Ok(())
}

/// Checks the shape `arn:PARTITION:iam::ACCOUNT:role/NAME` (partition `aws`, `aws-cn` or
/// `aws-us-gov`, a 12-digit account).
pub fn check_aws_role_arn(arn: &str) -> Result<(), ErrorKind> {
    let bad = |why: &str| {
        ErrorKind::Invalid(format!(
            "{arn:?} is not an IAM role ARN arn:aws:iam::ACCOUNT:role/NAME: {why}"
        ))
    };
    let rest = ["arn:aws:iam::", "arn:aws-cn:iam::", "arn:aws-us-gov:iam::"]
        .iter()
        .find_map(|prefix| arn.strip_prefix(prefix))
        .ok_or_else(|| bad("must start with arn:aws:iam::"))?;
    let (account, resource) = rest.split_once(':').ok_or_else(|| bad("no account"))?;
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad("the account must be 12 digits"));
    }
    match resource.strip_prefix("role/") {
        Some(name) if !name.is_empty() && !name.ends_with('/') => Ok(()),
        _ => Err(bad("the resource must be role/NAME")),
    }
}

/// Checks a UUID in its 8-4-4-4-12 hex form (Azure client and tenant IDs).
pub fn check_uuid(value: &str) -> Result<(), ErrorKind> {
    let groups: Vec<&str> = value.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    if lengths == [8, 4, 4, 4, 12] && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit())) {
        Ok(())
    } else {
        Err(ErrorKind::Invalid(format!(
            "{value:?} is not a UUID like 00000000-0000-0000-0000-000000000000"
        )))
    }
}

impl ServiceAccountSpec {
    fn default_create() -> bool {
        true
    }

    /// An existing account the workload uses as is (not rendered, not annotated).
    #[must_use]
    pub fn existing(name: DnsSubdomain) -> Self {
        Self {
            create: false,
            name: Some(name),
            ..Self::default()
        }
    }

    /// The account name for `spec.serviceAccountName` (see the table on the type).
    ///
    /// ```
    /// use k3score::identity::ServiceAccountSpec;
    /// let workload = "orders".parse().unwrap();
    /// assert_eq!(ServiceAccountSpec::default().service_account_name(&workload), "orders");
    /// let shared = ServiceAccountSpec::existing("shop-reader".parse().unwrap());
    /// assert_eq!(shared.service_account_name(&workload), "shop-reader");
    /// ```
    #[must_use]
    pub fn service_account_name(&self, workload: &DnsLabel) -> String {
        match (&self.name, self.create) {
            (Some(name), _) => name.to_string(),
            (None, true) => workload.to_string(),
            (None, false) => DEFAULT_ACCOUNT.to_owned(),
        }
    }

    /// The ServiceAccount to create, or `None` when the workload uses an existing one.
    #[must_use]
    pub fn render(&self, workload: &DnsLabel, labels: &AppLabels, ctx: &Context) -> Option<ServiceAccount> {
        if !self.create {
            return None;
        }
        let annotations = self.workload_identity.as_ref().map(WorkloadIdentity::annotations);
        Some(ServiceAccount {
            metadata: ObjectMeta {
                name: Some(self.service_account_name(workload)),
                namespace: ctx.ns(),
                labels: Some(labels.labels()),
                annotations,
                ..Default::default()
            },
            automount_service_account_token: Some(self.automount_token),
            ..Default::default()
        })
    }

    /// Labels the pod template needs for the workload identity (Azure's `use` label).
    #[must_use]
    pub fn pod_labels(&self) -> BTreeMap<String, String> {
        self.workload_identity
            .as_ref()
            .map(WorkloadIdentity::pod_labels)
            .unwrap_or_default()
    }
}

impl Validate for ServiceAccountSpec {
    /// Records malformed identities and a workload identity on an account we do not create.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if let Some(identity) = &self.workload_identity {
            let ipath = path.field("workload_identity");
            identity.validate(ipath, problems);
            if !self.create {
                problems.push(
                    ipath,
                    ErrorKind::Conflict(format!(
                        "create is false, so the account {:?} is not rendered and cannot be annotated; \
                         set create: true, or annotate the existing account yourself and drop workload_identity",
                        self.name.as_ref().map_or(DEFAULT_ACCOUNT, DnsSubdomain::as_str)
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Target;

    fn errors(spec: &ServiceAccountSpec) -> Vec<String> {
        spec.problems_at(PathRef::ROOT.field("service_account")).messages()
    }

    fn render(spec: &ServiceAccountSpec) -> Option<ServiceAccount> {
        let name: DnsLabel = "orders".parse().unwrap();
        let ctx = Context::new(Target::local(), "shop".parse().unwrap());
        spec.render(&name, &AppLabels::new(name.clone()), &ctx)
    }

    #[test]
    fn default_creates_own_account_without_token() {
        let spec: ServiceAccountSpec = serde_json::from_str("{}").unwrap();
        assert_eq!(spec, ServiceAccountSpec::default());
        let sa = render(&spec).unwrap();
        assert_eq!(sa.metadata.name.as_deref(), Some("orders"));
        assert_eq!(sa.metadata.namespace.as_deref(), Some("shop"));
        assert_eq!(sa.metadata.labels.unwrap()["app.kubernetes.io/name"], "orders");
        assert_eq!(sa.metadata.annotations, None);
        assert_eq!(sa.automount_service_account_token, Some(false));
        assert!(spec.pod_labels().is_empty());
        assert!(errors(&spec).is_empty());
    }

    #[test]
    fn names_follow_the_table() {
        let w: DnsLabel = "orders".parse().unwrap();
        let named = ServiceAccountSpec {
            name: Some("shop-api".parse().unwrap()),
            ..Default::default()
        };
        assert_eq!(named.service_account_name(&w), "shop-api");
        assert_eq!(render(&named).unwrap().metadata.name.as_deref(), Some("shop-api"));
        let default = ServiceAccountSpec {
            create: false,
            ..Default::default()
        };
        assert_eq!(default.service_account_name(&w), "default");
        assert!(render(&default).is_none());
        assert!(render(&ServiceAccountSpec::existing("x".parse().unwrap())).is_none());
    }

    #[test]
    fn cloud_annotations_and_azure_pod_label() {
        let azure: ServiceAccountSpec = serde_json::from_str(
            r#"{"automount_token": true, "workload_identity": {"azure": {
                "client_id": "11111111-2222-3333-4444-555555555555",
                "tenant_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"}}}"#,
        )
        .unwrap();
        let sa = render(&azure).unwrap();
        let ann = sa.metadata.annotations.unwrap();
        assert_eq!(ann[AZURE_CLIENT_ID_ANNOTATION], "11111111-2222-3333-4444-555555555555");
        assert_eq!(ann[AZURE_TENANT_ID_ANNOTATION], "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        assert!(
            !ann.contains_key(AZURE_USE_LABEL),
            "the use label belongs on the pod (W3)"
        );
        assert_eq!(sa.automount_service_account_token, Some(true));
        assert_eq!(azure.pod_labels()[AZURE_USE_LABEL], "true");
        assert!(errors(&azure).is_empty());
        let aws = WorkloadIdentity::Aws("arn:aws:iam::123456789012:role/path/orders".into());
        assert!(aws.pod_labels().is_empty());
        assert_eq!(aws.annotations().len(), 1);
    }

    #[test]
    fn malformed_identities_are_reported() {
        let cases = [
            (
                WorkloadIdentity::Gcp("orders@acme.iam.gserviceaccount.com".into()),
                None,
            ),
            (
                WorkloadIdentity::Gcp("orders@acme.gserviceaccount.com".into()),
                Some("workload_identity.gcp"),
            ),
            (
                WorkloadIdentity::Gcp("ord@acme.iam.gserviceaccount.com".into()),
                Some("workload_identity.gcp"),
            ),
            (WorkloadIdentity::Gcp("orders".into()), Some("workload_identity.gcp")),
            (
                WorkloadIdentity::Aws("arn:aws-cn:iam::123456789012:role/x".into()),
                None,
            ),
            (
                WorkloadIdentity::Aws("arn:aws:s3:::bucket".into()),
                Some("workload_identity.aws"),
            ),
            (
                WorkloadIdentity::Aws("arn:aws:iam::1234:role/x".into()),
                Some("workload_identity.aws"),
            ),
            (
                WorkloadIdentity::Aws("arn:aws:iam::123456789012:user/x".into()),
                Some("workload_identity.aws"),
            ),
            (
                WorkloadIdentity::Azure {
                    client_id: "nope".into(),
                    tenant_id: None,
                },
                Some("workload_identity.azure.client_id"),
            ),
        ];
        for (identity, path) in cases {
            let spec = ServiceAccountSpec {
                workload_identity: Some(identity.clone()),
                ..Default::default()
            };
            let errs = errors(&spec);
            match path {
                None => assert!(errs.is_empty(), "{identity:?}: {errs:?}"),
                Some(path) => {
                    assert_eq!(errs.len(), 1, "{identity:?}: {errs:?}");
                    assert!(errs[0].starts_with(&format!("service_account.{path}: ")), "{errs:?}");
                }
            }
        }
    }

    #[test]
    fn identity_on_an_account_we_do_not_own_is_a_conflict() {
        let spec = ServiceAccountSpec {
            create: false,
            name: Some("legacy".parse().unwrap()),
            workload_identity: Some(WorkloadIdentity::Aws("arn:aws:iam::123456789012:role/x".into())),
            ..Default::default()
        };
        let errs = errors(&spec);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0]
                .starts_with("service_account.workload_identity: conflict: create is false, so the account \"legacy\"")
        );
    }

    #[test]
    fn yaml_shapes() {
        let gcp: ServiceAccountSpec = serde_json::from_str(
            r#"{"create": true, "workload_identity": {"gcp": "orders@acme.iam.gserviceaccount.com"}}"#,
        )
        .unwrap();
        assert!(matches!(gcp.workload_identity, Some(WorkloadIdentity::Gcp(_))));
        assert!(serde_json::from_str::<ServiceAccountSpec>(r#"{"workload_identity": {"ibm": "x"}}"#).is_err());
        assert!(serde_json::from_str::<ServiceAccountSpec>(r#"{"automount": true}"#).is_err());
        assert!(serde_json::from_str::<ServiceAccountSpec>(r#"{"name": "Bad_Name"}"#).is_err());
    }
}
