//! Namespace bundles: a Namespace with Pod Security labels, quota, container defaults,
//! default-deny networking and a least-privilege provisioner role.
//!
//! This is the mechanism only; tenant specs (teams, environments) build on [`NamespaceBundle`].

mod bundle;
mod quota;
mod rbac;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

pub use self::bundle::NamespaceBundle;
pub use self::quota::{LIMITS_NAME, LimitDefaults, QUOTA_NAME, Quota};
pub use self::rbac::{PROVISIONER_NAME, Provisioner};
use crate::labels;

/// Prefix of the Pod Security admission labels (REFERENCE §11, P1).
pub const POD_SECURITY_PREFIX: &str = "pod-security.kubernetes.io/";
/// The Pod Security policy version pinned on namespaces (P1).
pub const POD_SECURITY_VERSION: &str = "latest";

/// The Pod Security Standard enforced, audited and warned in the namespace (REFERENCE §11).
///
/// ```
/// use k3score::tenancy::PodSecurityLevel;
/// assert_eq!(PodSecurityLevel::default().as_str(), "restricted");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PodSecurityLevel {
    /// Hardened pods only. Default.
    #[default]
    Restricted,
    /// Blocks known privilege escalations.
    Baseline,
    /// No restriction.
    Privileged,
}

impl PodSecurityLevel {
    /// The label value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PodSecurityLevel::Restricted => "restricted",
            PodSecurityLevel::Baseline => "baseline",
            PodSecurityLevel::Privileged => "privileged",
        }
    }
}

/// Metadata of a bundle object: `name` in `namespace`, labelled as managed by the suite.
fn managed_meta(name: &str, namespace: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(namespace.to_owned()),
        labels: Some(BTreeMap::from([(
            labels::MANAGED_BY.to_owned(),
            labels::MANAGER.to_owned(),
        )])),
        ..Default::default()
    }
}
