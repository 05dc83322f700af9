//! The provisioner: a least-privilege Role and its RoleBinding for the account that deploys.

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::managed_meta;
use crate::names::{DnsLabel, DnsSubdomain};
use crate::object::Object;

/// Name of the provisioner Role and RoleBinding.
pub const PROVISIONER_NAME: &str = "provisioner";

const READ: [&str; 3] = ["get", "list", "watch"];
const WRITE: [&str; 7] = ["get", "list", "watch", "create", "update", "patch", "delete"];

/// What a provisioner may create, update and delete: every namespaced kind the suite renders
/// into a workload namespace, and nothing else (no RBAC, quotas or limits; no `*`).
const PROVISIONED: [(&str, &[&str]); 12] = [
    (
        "",
        &[
            "configmaps",
            "persistentvolumeclaims",
            "secrets",
            "serviceaccounts",
            "services",
        ],
    ),
    ("apps", &["deployments", "statefulsets"]),
    ("autoscaling", &["horizontalpodautoscalers"]),
    ("batch", &["cronjobs", "jobs"]),
    ("external-secrets.io", &["externalsecrets"]),
    ("gateway.networking.k8s.io", &["httproutes"]),
    ("generators.external-secrets.io", &["passwords"]),
    ("http.keda.sh", &["httpscaledobjects", "interceptorroutes"]),
    ("keda.sh", &["scaledobjects", "triggerauthentications"]),
    ("networking.k8s.io", &["ingresses", "networkpolicies"]),
    ("policy", &["poddisruptionbudgets"]),
    ("traefik.io", &["ingressroutes", "middlewares", "serverstransports"]),
];
/// What a provisioner may only read, to follow rollouts and debug.
const OBSERVED: [(&str, &[&str]); 2] = [
    ("", &["events", "limitranges", "pods", "pods/log", "resourcequotas"]),
    ("apps", &["replicasets"]),
];

/// The ServiceAccount that deploys into the namespace.
///
/// It may manage the namespaced kinds the suite renders (workloads, Services, config,
/// secrets, scaling, routes, NetworkPolicies), read pods, events and quotas, and nothing else:
/// no Roles or RoleBindings, no ResourceQuota or LimitRange changes, no wildcards. It can
/// edit NetworkPolicies, including the namespace's default-deny, since app bundles carry them.
///
/// ```
/// use k3score::tenancy::Provisioner;
/// let p: Provisioner = k3score::yaml::from_yaml("{service_account: deployer, namespace: ci}").unwrap();
/// let objects = p.render(&"team-a".parse().unwrap());
/// let v = serde_json::to_value(&objects[1]).unwrap();
/// assert_eq!(v["subjects"][0]["namespace"], "ci");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Provisioner {
    /// The ServiceAccount name.
    pub service_account: DnsSubdomain,
    /// Its namespace (a CI namespace, say). Default: the bundle's namespace, where the
    /// ServiceAccount is then created too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<DnsLabel>,
}

fn rules() -> Vec<PolicyRule> {
    let rule = |group: &str, resources: &[&str], verbs: &[&str]| PolicyRule {
        api_groups: Some(vec![group.to_owned()]),
        resources: Some(resources.iter().map(|r| (*r).to_owned()).collect()),
        verbs: verbs.iter().map(|v| (*v).to_owned()).collect(),
        ..Default::default()
    };
    PROVISIONED
        .iter()
        .map(|(group, resources)| rule(group, resources, &WRITE))
        .chain(OBSERVED.iter().map(|(group, resources)| rule(group, resources, &READ)))
        .collect()
}

impl Provisioner {
    /// The ServiceAccount (only when it lives in `namespace`), the Role `provisioner` and the
    /// RoleBinding `provisioner`, all in `namespace`.
    // `RoleRef.api_group` is a `String` in k8s-openapi 1.33 and an `Option` in 1.37: `.into()`
    // serves both.
    #[allow(clippy::useless_conversion)]
    #[must_use]
    pub fn render(&self, namespace: &DnsLabel) -> Vec<Object> {
        let sa_namespace = self.namespace.as_ref().unwrap_or(namespace);
        let mut objects: Vec<Object> = Vec::new();
        if sa_namespace == namespace {
            let metadata = managed_meta(self.service_account.as_str(), namespace.as_str());
            objects.push(
                ServiceAccount {
                    metadata,
                    ..Default::default()
                }
                .into(),
            );
        }
        objects.push(
            Role {
                metadata: managed_meta(PROVISIONER_NAME, namespace.as_str()),
                rules: Some(rules()),
            }
            .into(),
        );
        objects.push(
            RoleBinding {
                metadata: managed_meta(PROVISIONER_NAME, namespace.as_str()),
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".to_owned().into(),
                    kind: "Role".to_owned(),
                    name: PROVISIONER_NAME.to_owned(),
                },
                subjects: Some(vec![Subject {
                    kind: "ServiceAccount".to_owned(),
                    name: self.service_account.to_string(),
                    namespace: Some(sa_namespace.to_string()),
                    ..Default::default()
                }]),
            }
            .into(),
        );
        objects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_is_least_privilege() {
        let rules = rules();
        let forbidden_verbs = ["*", "escalate", "bind", "impersonate", "deletecollection"];
        for rule in &rules {
            assert!(!rule.verbs.iter().any(|v| forbidden_verbs.contains(&v.as_str())));
            let resources = rule.resources.as_ref().unwrap();
            assert!(!resources.iter().any(|r| r.contains('*') || r.starts_with("role")));
            let groups = rule.api_groups.as_ref().unwrap();
            assert!(!groups.iter().any(|g| g == "*" || g == "rbac.authorization.k8s.io"));
        }
        let writes = |resource: &str| {
            rules.iter().any(|r| {
                r.resources.as_ref().unwrap().iter().any(|x| x == resource) && r.verbs.iter().any(|v| v == "create")
            })
        };
        assert!(writes("deployments") && writes("scaledobjects") && writes("secrets") && writes("ingressroutes"));
        assert!(!writes("pods") && !writes("resourcequotas") && !writes("limitranges"));
    }

    #[test]
    fn local_account_is_created() {
        let p = Provisioner {
            service_account: "deployer".parse().unwrap(),
            namespace: None,
        };
        let objects = p.render(&"team-a".parse().unwrap());
        let kinds: Vec<String> = objects.iter().map(|o| o.kind().into_owned()).collect();
        assert_eq!(kinds, ["ServiceAccount", "Role", "RoleBinding"]);
        let binding = serde_json::to_value(&objects[2]).unwrap();
        assert_eq!(binding["roleRef"]["apiGroup"], "rbac.authorization.k8s.io");
        assert_eq!(binding["subjects"][0]["namespace"], "team-a");
        let same = Provisioner {
            namespace: Some("team-a".parse().unwrap()),
            ..p
        };
        assert_eq!(same.render(&"team-a".parse().unwrap()).len(), 3);
    }
}
