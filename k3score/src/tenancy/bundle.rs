//! The namespace bundle: the Namespace itself and everything that guards it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::{LimitDefaults, POD_SECURITY_PREFIX, POD_SECURITY_VERSION, PodSecurityLevel, Provisioner, Quota};
use crate::context::Context;
use crate::error::{ErrorKind, Errors, PathRef, Problems, Validate};
use crate::labels;
use crate::names::{DnsLabel, LabelKey, LabelValue};
use crate::network;
use crate::object::Object;

/// A namespace with its guard rails.
///
/// ```
/// use k3score::tenancy::NamespaceBundle;
/// use k3score::{Context, Object, Target};
/// let bundle: NamespaceBundle = k3score::yaml::from_yaml(
///     "{name: team-a, quota: {cpu: 4, memory: 8Gi, pods: 50}, provisioner: {service_account: deployer}, \
///       limits: {default_request_cpu: 100m, default_request_memory: 128Mi}}").unwrap();
/// let ctx = Context::new(Target::local(), "team-a".parse().unwrap());
/// let objects = bundle.render(&ctx).unwrap();
/// let Object::Namespace(ns) = &objects[0] else { panic!() };
/// assert_eq!(ns.metadata.labels.as_ref().unwrap()["pod-security.kubernetes.io/enforce"], "restricted");
/// assert!(objects.iter().any(|o| o.kind() == "ResourceQuota"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
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

impl NamespaceBundle {
    /// A bundle for `name` with the defaults: restricted Pod Security, default-deny and DNS.
    #[must_use]
    pub fn new(name: DnsLabel) -> Self {
        Self {
            name,
            labels: BTreeMap::new(),
            pod_security: PodSecurityLevel::default(),
            quota: None,
            limits: None,
            provisioner: None,
            allow_ingress_controller: false,
        }
    }

    fn namespace(&self) -> Namespace {
        let mut labels: BTreeMap<String, String> = self
            .labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        labels.insert(labels::MANAGED_BY.to_owned(), labels::MANAGER.to_owned());
        // REFERENCE §11, P1: one level for all three modes, pinned to `latest`.
        for mode in ["enforce", "audit", "warn"] {
            let level = self.pod_security.as_str().to_owned();
            labels.insert(format!("{POD_SECURITY_PREFIX}{mode}"), level);
            labels.insert(
                format!("{POD_SECURITY_PREFIX}{mode}-version"),
                POD_SECURITY_VERSION.to_owned(),
            );
        }
        Namespace {
            metadata: ObjectMeta {
                name: Some(self.name.to_string()),
                labels: Some(labels),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// Namespace, ResourceQuota, LimitRange, provisioner RBAC and the namespace NetworkPolicies
    /// (`default-deny`, `allow-dns`, and `allow-from-ingress-controller` when asked).
    ///
    /// Every object goes to the bundle's own namespace; `ctx` supplies the target (ingress
    /// controller namespace). Validates first, so problems come back with their paths.
    pub fn render(&self, ctx: &Context) -> Result<Vec<Object>, Errors> {
        self.check()?;
        let mut objects: Vec<Object> = vec![self.namespace().into()];
        if let Some(quota) = &self.quota {
            objects.push(quota.render(&self.name).into());
        }
        if let Some(limits) = &self.limits {
            objects.push(limits.render(&self.name).into());
        }
        if let Some(provisioner) = &self.provisioner {
            objects.extend(provisioner.render(&self.name));
        }
        objects.push(network::default_deny(&self.name).into());
        objects.push(network::allow_dns(&self.name).into());
        if self.allow_ingress_controller {
            objects.push(network::allow_from_ingress_controller(&self.name, ctx).into());
        }
        Ok(objects)
    }
}

impl Validate for NamespaceBundle {
    /// Checks the bundle, recording every problem under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        for key in self.labels.keys() {
            let key = key.as_str();
            if key.starts_with(POD_SECURITY_PREFIX) || key == network::NAMESPACE_NAME_LABEL {
                problems.push(
                    path.field("labels").field(key),
                    ErrorKind::Conflict("this label is set by the bundle or the API server".into()),
                );
            }
        }
        if let Some(quota) = &self.quota {
            quota.validate(path.field("quota"), problems);
            quota.validate_defaults(
                path.field("quota"),
                path.field("limits"),
                self.limits.as_ref(),
                problems,
            );
        }
        if let Some(limits) = &self.limits {
            limits.validate(path.field("limits"), self.quota.as_ref(), problems);
        }
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

    fn kinds(objects: &[Object]) -> Vec<String> {
        objects.iter().map(|o| o.kind().into_owned()).collect()
    }

    #[test]
    fn full_bundle() {
        let bundle: NamespaceBundle = from_yaml(
            "name: team-a\nlabels: {team: a}\npod_security: baseline\n\
             quota: {cpu: 4, memory: 8Gi, pods: 50}\nlimits: {default_request_cpu: 100m, default_limit_memory: 1Gi}\n\
             provisioner: {service_account: deployer, namespace: ci}\nallow_ingress_controller: true\n",
        )
        .unwrap();
        let objects = bundle.render(&ctx()).unwrap();
        assert_eq!(
            kinds(&objects),
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
        assert_eq!(ns["metadata"]["labels"]["pod-security.kubernetes.io/warn"], "baseline");
        assert_eq!(
            ns["metadata"]["labels"]["pod-security.kubernetes.io/audit-version"],
            "latest"
        );
        assert!(ns["metadata"].get("namespace").is_none());
        assert!(objects[1..].iter().all(|o| o.namespace() == Some("team-a")));
        let names: Vec<&str> = objects[5..].iter().map(Object::name).collect();
        assert_eq!(names, ["default-deny", "allow-dns", "allow-from-ingress-controller"]);
    }

    #[test]
    fn minimal_bundle_is_namespace_and_network() {
        let objects = NamespaceBundle::new("quiet".parse().unwrap()).render(&ctx()).unwrap();
        assert_eq!(kinds(&objects), ["Namespace", "NetworkPolicy", "NetworkPolicy"]);
        assert_eq!(objects[1].namespace(), Some("quiet"));
    }

    #[test]
    fn errors_have_paths() {
        let bundle: NamespaceBundle = from_yaml(
            "name: a\nlabels: {pod-security.kubernetes.io/enforce: privileged, kubernetes.io/metadata.name: b}\n\
             quota: {}\nlimits: {default_request_cpu: 2}\n",
        )
        .unwrap();
        let errors: Vec<String> = bundle.render(&ctx()).unwrap_err().messages();
        assert_eq!(
            errors,
            [
                "labels.kubernetes.io/metadata.name: conflict: this label is set by the bundle or the API server",
                "labels.pod-security.kubernetes.io/enforce: conflict: this label is set by the bundle or the API server",
                "quota: missing: at least one quota",
            ]
        );
        assert!(from_yaml::<NamespaceBundle>("name: a\npod_security: strict\n").is_err());
    }

    #[test]
    fn compute_quota_needs_limit_range_defaults() {
        let render = |text: &str| -> Vec<String> {
            let bundle: NamespaceBundle = from_yaml(text).unwrap();
            bundle
                .render(&ctx())
                .map_or_else(|e| e.iter().map(ToString::to_string).collect(), |_| Vec::new())
        };
        let errors = render(
            "{name: a, quota: {cpu: 4, limits_cpu: 8, limits_memory: 8Gi}, limits: {default_request_cpu: 100m}}",
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "quota.limits_cpu: conflict: the API server refuses every pod with a container that sets no CPU limit"
            ),
            "{errors:?}"
        );
        assert!(errors[0].contains("set limits.default_limit_cpu"), "{errors:?}");
        assert!(
            errors[1].starts_with("quota.limits_memory:") && errors[1].contains("limits.default_limit_memory"),
            "{errors:?}"
        );
        // No LimitRange at all: every compute quota is named.
        let errors = render("{name: a, quota: {cpu: 1, memory: 1Gi, pods: 5}}");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[1].contains("memory request") && errors[1].contains("limits.default_request_memory"),
            "{errors:?}"
        );
        // A default limit also defaults the request; object counts need no defaults.
        assert!(render("{name: a, quota: {cpu: 1, limits_cpu: 2}, limits: {default_limit_cpu: 500m}}").is_empty());
        assert!(render("{name: a, quota: {pods: 5, storage: 10Gi}}").is_empty());
        assert!(from_yaml::<NamespaceBundle>("name: a\nquotas: {}\n").is_err());
    }
}
