//! Namespace bundles: a Namespace with Pod Security labels, quota, container defaults,
//! default-deny networking and a least-privilege provisioner role.
//!
//! This is the mechanism only; tenant specs (teams, environments) build on [`NamespaceBundle`].

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    LimitRange, LimitRangeItem, LimitRangeSpec, Namespace, ResourceQuota, ResourceQuotaSpec,
    ServiceAccount,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::error::{ErrorKind, Errors, FieldPath, Problems};
use crate::labels;
use crate::names::{DnsLabel, DnsSubdomain, LabelKey, LabelValue};
use crate::network;
use crate::object::Object;
use crate::quantity::{Bytes, Cpu};

/// Prefix of the Pod Security admission labels (REFERENCE §11, P1).
pub const POD_SECURITY_PREFIX: &str = "pod-security.kubernetes.io/";
/// The Pod Security policy version pinned on namespaces.
pub const POD_SECURITY_VERSION: &str = "latest";
/// Name of the ResourceQuota.
pub const QUOTA_NAME: &str = "quota";
/// Name of the LimitRange.
pub const LIMITS_NAME: &str = "container-defaults";
/// Name of the provisioner Role and RoleBinding.
pub const PROVISIONER_NAME: &str = "provisioner";

const READ: [&str; 3] = ["get", "list", "watch"];
const WRITE: [&str; 7] = [
    "get", "list", "watch", "create", "update", "patch", "delete",
];

/// What a provisioner may create, update and delete: every namespaced kind the suite renders
/// except RBAC, quotas and limits (no `*`, no escalation).
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
    (
        "traefik.io",
        &["ingressroutes", "middlewares", "serverstransports"],
    ),
];
/// What a provisioner may only read (to watch rollouts and debug).
const OBSERVED: [(&str, &[&str]); 2] = [
    (
        "",
        &[
            "events",
            "limitranges",
            "pods",
            "pods/log",
            "resourcequotas",
        ],
    ),
    ("apps", &["replicasets"]),
];

/// The Pod Security Standard enforced (and audited and warned) in the namespace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PodSecurityLevel {
    /// Hardened pods only (REFERENCE §11). Default.
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

/// Namespace totals (`ResourceQuota.spec.hard`). Unset fields are not limited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Quota {
    /// Sum of CPU requests (`requests.cpu`). Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Cpu>,
    /// Sum of memory requests (`requests.memory`). Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Bytes>,
    /// Sum of CPU limits (`limits.cpu`). Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits_cpu: Option<Cpu>,
    /// Sum of memory limits (`limits.memory`). Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits_memory: Option<Bytes>,
    /// Sum of volume claims (`requests.storage`). Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Bytes>,
    /// Pods. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<u32>,
    /// Services. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<u32>,
    /// PersistentVolumeClaims. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pvcs: Option<u32>,
    /// Secrets. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<u32>,
    /// ConfigMaps. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configmaps: Option<u32>,
}

/// Per-container defaults and ceilings (`LimitRange`, type `Container`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct LimitDefaults {
    /// CPU request of containers that set none. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_request_cpu: Option<Cpu>,
    /// Memory request of containers that set none. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_request_memory: Option<Bytes>,
    /// CPU limit of containers that set none. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_limit_cpu: Option<Cpu>,
    /// Memory limit of containers that set none. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_limit_memory: Option<Bytes>,
    /// Highest CPU limit a container may have. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cpu: Option<Cpu>,
    /// Highest memory limit a container may have. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_memory: Option<Bytes>,
}

/// The ServiceAccount that deploys into the namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Provisioner {
    /// The ServiceAccount name.
    pub service_account: DnsSubdomain,
    /// Its namespace (a CI namespace, say). Default: the bundle's namespace, where the
    /// ServiceAccount is then created too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<DnsLabel>,
}

/// A namespace with its guard rails.
///
/// ```
/// use k3score::tenancy::NamespaceBundle;
/// use k3score::{Context, Object, Target};
/// let bundle: NamespaceBundle = k3score::yaml::from_yaml(
///     "{name: team-a, quota: {cpu: 4, memory: 8Gi, pods: 50}, provisioner: {service_account: deployer}}").unwrap();
/// let ctx = Context::new(Target::local(), "team-a".parse().unwrap());
/// let objects = bundle.render(&ctx).unwrap();
/// let Object::Namespace(ns) = &objects[0] else { panic!() };
/// assert_eq!(ns.metadata.labels.as_ref().unwrap()["pod-security.kubernetes.io/enforce"], "restricted");
/// assert!(objects.iter().any(|o| o.kind() == "ResourceQuota"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct NamespaceBundle {
    /// The namespace name.
    pub name: DnsLabel,
    /// Extra namespace labels (not `pod-security.kubernetes.io/*`). Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<LabelKey, LabelValue>,
    /// Pod Security level, enforced, audited and warned at version `latest`. Default: `restricted`.
    #[serde(default)]
    pub pod_security: PodSecurityLevel,
    /// Namespace totals. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Quota>,
    /// Container defaults and ceilings. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<LimitDefaults>,
    /// Who deploys here; gets the provisioner Role. Default: nobody.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioner: Option<Provisioner>,
    /// Also admit the target's ingress controller to every pod on every port. NetworkPolicies
    /// add up, so this opens `private` and `restricted` workloads to the controller too;
    /// per-workload `public` visibility already admits it where needed. Default: false.
    #[serde(default)]
    pub allow_ingress_controller: bool,
}

fn conflict_if(problems: &mut Problems, path: FieldPath, above: bool, what: &str) {
    if above {
        problems.push(path, ErrorKind::Conflict(what.to_owned()));
    }
}

fn cpu_above(a: Option<Cpu>, b: Option<Cpu>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a > b)
}

fn bytes_above(a: Option<Bytes>, b: Option<Bytes>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.as_bytes() > b.as_bytes())
}

fn quantities(pairs: Vec<(&str, Option<Quantity>)>) -> Option<BTreeMap<String, Quantity>> {
    let map: BTreeMap<String, Quantity> = pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .collect();
    (!map.is_empty()).then_some(map)
}

fn count(n: Option<u32>) -> Option<Quantity> {
    n.map(|n| Quantity(n.to_string()))
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
        .chain(
            OBSERVED
                .iter()
                .map(|(group, resources)| rule(group, resources, &READ)),
        )
        .collect()
}

impl NamespaceBundle {
    /// Checks the bundle, recording every problem under `path`.
    pub fn validate(&self, path: &FieldPath, problems: &mut Problems) {
        for key in self.labels.keys() {
            if key.as_str().starts_with(POD_SECURITY_PREFIX)
                || key.as_str() == network::NAMESPACE_NAME_LABEL
            {
                problems.push(
                    path.field("labels").field(key.as_str()),
                    ErrorKind::Conflict("this label is set by the bundle or the API server".into()),
                );
            }
        }
        if let Some(q) = &self.quota {
            let path = path.field("quota");
            if *q == Quota::default() {
                problems.push(
                    path.clone(),
                    ErrorKind::Missing("at least one quota".into()),
                );
            }
            conflict_if(
                problems,
                path.field("cpu"),
                cpu_above(q.cpu, q.limits_cpu),
                "cpu requests above limits_cpu",
            );
            conflict_if(
                problems,
                path.field("memory"),
                bytes_above(q.memory, q.limits_memory),
                "memory requests above limits_memory",
            );
        }
        if let Some(l) = &self.limits {
            let path = path.field("limits");
            if *l == LimitDefaults::default() {
                problems.push(
                    path.clone(),
                    ErrorKind::Missing("at least one default or maximum".into()),
                );
            }
            let cpu_ceiling = l.default_limit_cpu.or(l.max_cpu);
            let memory_ceiling = l.default_limit_memory.or(l.max_memory);
            conflict_if(
                problems,
                path.field("default_request_cpu"),
                cpu_above(l.default_request_cpu, cpu_ceiling),
                "default request above the default limit (or max)",
            );
            conflict_if(
                problems,
                path.field("default_request_memory"),
                bytes_above(l.default_request_memory, memory_ceiling),
                "default request above the default limit (or max)",
            );
            conflict_if(
                problems,
                path.field("default_limit_cpu"),
                cpu_above(l.default_limit_cpu, l.max_cpu),
                "above max_cpu",
            );
            conflict_if(
                problems,
                path.field("default_limit_memory"),
                bytes_above(l.default_limit_memory, l.max_memory),
                "above max_memory",
            );
            if let Some(q) = &self.quota {
                let whole = "a single container's default exceeds the namespace quota";
                conflict_if(
                    problems,
                    path.field("default_request_cpu"),
                    cpu_above(l.default_request_cpu, q.cpu),
                    whole,
                );
                conflict_if(
                    problems,
                    path.field("default_request_memory"),
                    bytes_above(l.default_request_memory, q.memory),
                    whole,
                );
                conflict_if(
                    problems,
                    path.field("default_limit_cpu"),
                    cpu_above(l.default_limit_cpu, q.limits_cpu),
                    whole,
                );
                conflict_if(
                    problems,
                    path.field("default_limit_memory"),
                    bytes_above(l.default_limit_memory, q.limits_memory),
                    whole,
                );
            }
        }
    }

    fn meta(&self, name: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(self.name.to_string()),
            labels: Some(BTreeMap::from([(
                labels::MANAGED_BY.to_owned(),
                labels::MANAGER.to_owned(),
            )])),
            ..Default::default()
        }
    }

    /// Namespace, ResourceQuota, LimitRange, provisioner RBAC and the namespace NetworkPolicies
    /// (default-deny, allow-dns, optionally allow-from-ingress-controller).
    ///
    /// Every object goes to the bundle's own namespace; `ctx` supplies the target (ingress
    /// controller namespace). Validates first, so problems come back with their paths.
    // `RoleRef.api_group` is a `String` in k8s-openapi 1.33 and an `Option` in 1.37: `.into()`
    // serves both.
    #[allow(clippy::useless_conversion)]
    pub fn render(&self, ctx: &Context) -> Result<Vec<Object>, Errors> {
        let mut problems = Problems::default();
        self.validate(&FieldPath::root(), &mut problems);
        problems.finish(())?;

        let mut ns_labels: BTreeMap<String, String> = self
            .labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ns_labels.insert(labels::MANAGED_BY.to_owned(), labels::MANAGER.to_owned());
        for mode in ["enforce", "audit", "warn"] {
            ns_labels.insert(
                format!("{POD_SECURITY_PREFIX}{mode}"),
                self.pod_security.as_str().to_owned(),
            );
            ns_labels.insert(
                format!("{POD_SECURITY_PREFIX}{mode}-version"),
                POD_SECURITY_VERSION.to_owned(),
            );
        }
        let mut objects: Vec<Object> = vec![
            Namespace {
                metadata: ObjectMeta {
                    name: Some(self.name.to_string()),
                    labels: Some(ns_labels),
                    ..Default::default()
                },
                ..Default::default()
            }
            .into(),
        ];

        if let Some(q) = &self.quota {
            objects.push(
                ResourceQuota {
                    metadata: self.meta(QUOTA_NAME),
                    spec: Some(ResourceQuotaSpec {
                        hard: quantities(vec![
                            ("requests.cpu", q.cpu.map(Cpu::to_quantity)),
                            ("requests.memory", q.memory.map(Bytes::to_quantity)),
                            ("limits.cpu", q.limits_cpu.map(Cpu::to_quantity)),
                            ("limits.memory", q.limits_memory.map(Bytes::to_quantity)),
                            ("requests.storage", q.storage.map(Bytes::to_quantity)),
                            ("pods", count(q.pods)),
                            ("services", count(q.services)),
                            ("persistentvolumeclaims", count(q.pvcs)),
                            ("secrets", count(q.secrets)),
                            ("configmaps", count(q.configmaps)),
                        ]),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
                .into(),
            );
        }

        if let Some(l) = &self.limits {
            let pair = |cpu: Option<Cpu>, memory: Option<Bytes>| {
                quantities(vec![
                    ("cpu", cpu.map(Cpu::to_quantity)),
                    ("memory", memory.map(Bytes::to_quantity)),
                ])
            };
            objects.push(
                LimitRange {
                    metadata: self.meta(LIMITS_NAME),
                    spec: Some(LimitRangeSpec {
                        limits: vec![LimitRangeItem {
                            type_: "Container".to_owned(),
                            default: pair(l.default_limit_cpu, l.default_limit_memory),
                            default_request: pair(l.default_request_cpu, l.default_request_memory),
                            max: pair(l.max_cpu, l.max_memory),
                            ..Default::default()
                        }],
                    }),
                }
                .into(),
            );
        }

        if let Some(p) = &self.provisioner {
            let sa_namespace = p.namespace.as_ref().unwrap_or(&self.name);
            if sa_namespace == &self.name {
                objects.push(
                    ServiceAccount {
                        metadata: self.meta(p.service_account.as_str()),
                        ..Default::default()
                    }
                    .into(),
                );
            }
            objects.push(
                Role {
                    metadata: self.meta(PROVISIONER_NAME),
                    rules: Some(rules()),
                }
                .into(),
            );
            objects.push(
                RoleBinding {
                    metadata: self.meta(PROVISIONER_NAME),
                    role_ref: RoleRef {
                        api_group: "rbac.authorization.k8s.io".to_owned().into(),
                        kind: "Role".to_owned(),
                        name: PROVISIONER_NAME.to_owned(),
                    },
                    subjects: Some(vec![Subject {
                        kind: "ServiceAccount".to_owned(),
                        name: p.service_account.to_string(),
                        namespace: Some(sa_namespace.to_string()),
                        ..Default::default()
                    }]),
                }
                .into(),
            );
        }

        objects.push(network::default_deny(&self.name).into());
        objects.push(network::allow_dns(&self.name).into());
        if self.allow_ingress_controller {
            objects.push(network::allow_from_ingress_controller(&self.name, ctx).into());
        }
        Ok(objects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Target;
    use crate::yaml::from_yaml;

    fn ctx() -> Context {
        Context::new(Target::local(), "team-a".parse().unwrap())
    }

    fn errors(yaml: &str) -> Vec<String> {
        let bundle: NamespaceBundle = from_yaml(yaml).unwrap();
        bundle.render(&ctx()).map_or_else(
            |e| e.iter().map(ToString::to_string).collect(),
            |_| Vec::new(),
        )
    }

    #[test]
    fn full_bundle() {
        let bundle: NamespaceBundle = from_yaml(
            "name: team-a\nlabels: {team: a}\npod_security: baseline\n\
             quota: {cpu: 4, memory: 8Gi, limits_cpu: 8, limits_memory: 16Gi, storage: 100Gi, pods: 50, \
             services: 10, pvcs: 5, secrets: 40, configmaps: 40}\n\
             limits: {default_request_cpu: 100m, default_request_memory: 128Mi, default_limit_cpu: 500m, \
             default_limit_memory: 512Mi, max_cpu: 2, max_memory: 2Gi}\n\
             provisioner: {service_account: deployer, namespace: ci}\nallow_ingress_controller: true\n",
        )
        .unwrap();
        let objects = bundle.render(&ctx()).unwrap();
        let kinds: Vec<String> = objects.iter().map(|o| o.kind().into_owned()).collect();
        assert_eq!(
            kinds,
            [
                "Namespace",
                "ResourceQuota",
                "LimitRange",
                "Role",
                "RoleBinding",
                "NetworkPolicy",
                "NetworkPolicy",
                "NetworkPolicy"
            ]
        );
        let ns = serde_json::to_value(&objects[0]).unwrap();
        assert_eq!(ns["metadata"]["labels"]["team"], "a");
        assert_eq!(
            ns["metadata"]["labels"]["pod-security.kubernetes.io/warn"],
            "baseline"
        );
        assert_eq!(
            ns["metadata"]["labels"]["pod-security.kubernetes.io/audit-version"],
            "latest"
        );
        let quota = serde_json::to_value(&objects[1]).unwrap();
        assert_eq!(quota["spec"]["hard"]["requests.memory"], "8Gi");
        assert_eq!(quota["spec"]["hard"]["persistentvolumeclaims"], "5");
        assert_eq!(quota["metadata"]["namespace"], "team-a");
        let limits = serde_json::to_value(&objects[2]).unwrap();
        assert_eq!(limits["spec"]["limits"][0]["type"], "Container");
        assert_eq!(limits["spec"]["limits"][0]["defaultRequest"]["cpu"], "100m");
        assert_eq!(limits["spec"]["limits"][0]["max"]["memory"], "2Gi");
        let binding = serde_json::to_value(&objects[4]).unwrap();
        assert_eq!(binding["subjects"][0]["namespace"], "ci");
        assert_eq!(binding["roleRef"]["kind"], "Role");
        let names: Vec<&str> = objects[5..].iter().map(Object::name).collect();
        assert_eq!(
            names,
            ["default-deny", "allow-dns", "allow-from-ingress-controller"]
        );
    }

    #[test]
    fn role_is_least_privilege() {
        let rules = rules();
        for rule in &rules {
            assert!(
                !rule
                    .verbs
                    .iter()
                    .any(|v| v == "*" || v == "escalate" || v == "bind" || v == "impersonate")
            );
            let resources = rule.resources.as_ref().unwrap();
            assert!(
                !resources
                    .iter()
                    .any(|r| r == "*" || r.starts_with("roles") || r.starts_with("rolebindings"))
            );
            assert!(
                !rule
                    .api_groups
                    .as_ref()
                    .unwrap()
                    .iter()
                    .any(|g| g == "*" || g == "rbac.authorization.k8s.io")
            );
        }
        let writes = |resource: &str| {
            rules.iter().any(|r| {
                r.resources.as_ref().unwrap().iter().any(|x| x == resource)
                    && r.verbs.iter().any(|v| v == "create")
            })
        };
        assert!(writes("deployments") && writes("scaledobjects") && writes("secrets"));
        assert!(!writes("pods") && !writes("resourcequotas") && !writes("limitranges"));
    }

    #[test]
    fn minimal_bundle_is_namespace_and_network() {
        let objects = NamespaceBundle {
            name: "quiet".parse().unwrap(),
            labels: BTreeMap::new(),
            pod_security: PodSecurityLevel::default(),
            quota: None,
            limits: None,
            provisioner: Some(Provisioner {
                service_account: "deployer".parse().unwrap(),
                namespace: None,
            }),
            allow_ingress_controller: false,
        }
        .render(&ctx())
        .unwrap();
        let kinds: Vec<String> = objects.iter().map(|o| o.kind().into_owned()).collect();
        assert_eq!(
            kinds,
            [
                "Namespace",
                "ServiceAccount",
                "Role",
                "RoleBinding",
                "NetworkPolicy",
                "NetworkPolicy"
            ]
        );
        assert_eq!(objects[1].namespace(), Some("quiet"));
    }

    #[test]
    fn validation_errors() {
        assert_eq!(
            errors(
                "name: a\nlabels: {pod-security.kubernetes.io/enforce: privileged}\n\
                 quota: {cpu: 2, limits_cpu: 1, memory: 2Gi, limits_memory: 1Gi}\n\
                 limits: {default_request_cpu: '3', default_limit_cpu: 500m, default_limit_memory: 4Gi, max_memory: 1Gi}\n"
            ),
            [
                "labels.pod-security.kubernetes.io/enforce: conflict: this label is set by the bundle or the API server",
                "quota.cpu: conflict: cpu requests above limits_cpu",
                "quota.memory: conflict: memory requests above limits_memory",
                "limits.default_request_cpu: conflict: default request above the default limit (or max)",
                "limits.default_limit_memory: conflict: above max_memory",
                "limits.default_request_cpu: conflict: a single container's default exceeds the namespace quota",
                "limits.default_limit_memory: conflict: a single container's default exceeds the namespace quota",
            ]
        );
        assert_eq!(
            errors("name: a\nquota: {}\nlimits: {}\n"),
            [
                "quota: missing: at least one quota",
                "limits: missing: at least one default or maximum"
            ]
        );
        assert!(from_yaml::<NamespaceBundle>("name: a\nquota: {cpus: 1}\n").is_err());
        assert!(from_yaml::<NamespaceBundle>("name: a\npod_security: strict\n").is_err());
    }
}
