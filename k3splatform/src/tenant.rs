//! Tenants: a guarded namespace `<prefix>-<id>` with quota, defaults, default-deny networking,
//! a least-privilege provisioner and no API access for workloads.

use std::collections::BTreeMap;

use k3score::names::{DnsLabel, DnsSubdomain, LabelKey, LabelValue, bounded};
use k3score::patch::{ExtraObject, Patch};
use k3score::tenancy::{LimitDefaults, NamespaceBundle, PodSecurityLevel, Provisioner, Quota};
use k3score::{Bundle, Context, ErrorKind, Errors, FieldPath, Object, PathRef, Problems, Validate};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

/// The namespace label naming the tenant.
pub const TENANT_LABEL: &str = "platform.k3s.io/tenant";
/// Default namespace prefix.
pub const DEFAULT_PREFIX: &str = "tenant";
/// Default name of the provisioner ServiceAccount.
pub const DEFAULT_PROVISIONER: &str = "provisioner";
/// Longest tenant id: `<prefix>-<id>` must stay a 63-character label.
pub const MAX_NAMESPACE: usize = 63;

/// The spec-file kind tag (`kind: Tenant`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum TenantKind {
    /// `kind: Tenant`.
    #[default]
    Tenant,
}

/// What the provisioner may do with its own Namespace object.
///
/// RBAC cannot select objects by label, so "namespaces with the tenant label" is expressed
/// as `resourceNames: [<prefix>-<id>]`: the tenant's own namespace and no other. `create`
/// cannot be limited by name at all (RBAC checks `create` before the object has a name), so
/// it is never granted: the platform (Argo CD or an admin) creates tenant namespaces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NamespaceAccess {
    /// `get` and `watch` only. Default: the provisioner cannot relabel the namespace (which
    /// would let it lower the Pod Security level).
    #[default]
    Read,
    /// `get`, `watch`, `update`, `patch` and `delete` of the own namespace. Updating lets the
    /// provisioner change the namespace's labels, Pod Security included: pair it with an
    /// admission policy (a `ValidatingAdmissionPolicy` that denies changes to
    /// `pod-security.kubernetes.io/*` and the tenant label) before you choose it.
    Manage,
}

impl NamespaceAccess {
    fn verbs(self) -> &'static [&'static str] {
        match self {
            NamespaceAccess::Read => &["get", "watch"],
            NamespaceAccess::Manage => &["get", "watch", "update", "patch", "delete"],
        }
    }
}

/// A tenant: one namespace with its guard rails.
///
/// ```
/// use k3splatform::Tenant;
/// use k3score::{Context, Target};
/// use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
/// let tenant: Tenant = k3score::yaml::from_yaml(
///     "kind: Tenant\nid: acme\nquota: {cpu: 2, memory: 4Gi, pods: 20}\n\
///      limits: {default_request_cpu: 100m, default_limit_memory: 256Mi}\n").unwrap();
/// let bundle = tenant.render(&Context::new(Target::local(), "unused".parse().unwrap())).unwrap();
/// let ns = bundle.get::<Namespace>("tenant-acme").unwrap();
/// assert_eq!(ns.metadata.labels.as_ref().unwrap()["platform.k3s.io/tenant"], "acme");
/// let default_sa = bundle.all::<ServiceAccount>().find(|s| s.metadata.name.as_deref() == Some("default")).unwrap();
/// assert_eq!(default_sa.automount_service_account_token, Some(false));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Tenant {
    /// The file kind tag (`Tenant`). Default: `Tenant`.
    #[serde(default)]
    pub kind: TenantKind,
    /// The tenant id; the namespace is `<prefix>-<id>`.
    pub id: DnsLabel,
    /// The namespace prefix. Default: `tenant`.
    #[serde(default = "Tenant::default_prefix")]
    pub prefix: DnsLabel,
    /// Extra namespace labels. Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<LabelKey, LabelValue>,
    /// The Pod Security level. Default: `restricted`.
    #[serde(default)]
    pub pod_security: PodSecurityLevel,
    /// Namespace totals (cpu, memory, storage, object counts). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Quota>,
    /// Per-container defaults for containers that set no resources. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<LimitDefaults>,
    /// The provisioner ServiceAccount's name. Default: `provisioner`.
    #[serde(default = "Tenant::default_provisioner")]
    pub provisioner: DnsSubdomain,
    /// What the provisioner may do with the namespace itself. Default: `read`.
    #[serde(default)]
    pub namespace_access: NamespaceAccess,
    /// Admit the target's ingress controller to every pod (the tenant serves HTTP).
    /// Default: false (apps with routes open themselves to it).
    #[serde(default)]
    pub allow_ingress_controller: bool,
    /// RFC 6902 patches of the rendered objects, by kind and name (the escape hatch; checked
    /// after they apply, without opt-outs from Pod Security `restricted`). Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<Patch>,
    /// Extra objects of kinds the suite knows, in the tenant's namespace unless they name one. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ExtraObject>,
}

impl Tenant {
    fn default_prefix() -> DnsLabel {
        DnsLabel::new(DEFAULT_PREFIX).expect("static name")
    }

    fn default_provisioner() -> DnsSubdomain {
        DnsSubdomain::new(DEFAULT_PROVISIONER).expect("static name")
    }

    /// A tenant with the defaults and no quota.
    #[must_use]
    pub fn new(id: DnsLabel) -> Self {
        Self {
            kind: TenantKind::Tenant,
            id,
            prefix: Self::default_prefix(),
            labels: BTreeMap::new(),
            pod_security: PodSecurityLevel::default(),
            quota: None,
            limits: None,
            provisioner: Self::default_provisioner(),
            namespace_access: NamespaceAccess::default(),
            allow_ingress_controller: false,
            patches: Vec::new(),
            objects: Vec::new(),
        }
    }

    /// `<prefix>-<id>` (validation rejects ids that make it longer than 63 characters).
    #[must_use]
    pub fn namespace_name(&self) -> String {
        format!("{}-{}", self.prefix, self.id)
    }

    /// The namespace as a label; errors at `id` when it is too long.
    pub fn namespace(&self) -> Result<DnsLabel, Errors> {
        DnsLabel::new(self.namespace_name())
            .map_err(|kind| Errors::from(k3score::Error::new(FieldPath::root().field("id"), kind)))
    }

    fn namespace_or_prefix(&self) -> DnsLabel {
        DnsLabel::new(self.namespace_name()).unwrap_or_else(|_| self.prefix.clone())
    }

    fn bundle_spec(&self, namespace: DnsLabel) -> NamespaceBundle {
        let mut labels = self.labels.clone();
        labels.retain(|k, _| k.as_str() != TENANT_LABEL);
        if let (Ok(k), Ok(v)) = (LabelKey::new(TENANT_LABEL), LabelValue::new(self.id.as_str())) {
            labels.insert(k, v);
        }
        NamespaceBundle {
            name: namespace,
            labels,
            pod_security: self.pod_security,
            quota: self.quota.clone(),
            limits: self.limits.clone(),
            provisioner: Some(Provisioner {
                service_account: self.provisioner.clone(),
                namespace: None,
            }),
            allow_ingress_controller: self.allow_ingress_controller,
        }
    }

    /// Namespace, ResourceQuota, LimitRange, the `default` ServiceAccount without token,
    /// the provisioner (ServiceAccount, Role, RoleBinding), its namespace ClusterRole and
    /// ClusterRoleBinding, and the default-deny / DNS (/ ingress controller) NetworkPolicies.
    ///
    /// The namespace is the tenant's own; `ctx.namespace` is not used (`ctx.target` is).
    pub fn render(&self, ctx: &Context) -> Result<Bundle, Errors> {
        self.check()?;
        let namespace = self.namespace()?;
        let mut objects = self.bundle_spec(namespace.clone()).render(ctx)?;
        objects.push(default_service_account(&namespace).into());
        objects.extend(self.cluster_rbac(&namespace));
        let mut bundle: Bundle = objects.into_iter().collect();
        bundle.check_unique()?;
        let ctx = Context {
            namespace,
            ..ctx.clone()
        };
        bundle.escape_hatch(&self.objects, &self.patches, &ctx)?;
        Ok(bundle)
    }

    /// The ClusterRole limited to the tenant's own Namespace object and its binding to the
    /// provisioner (see [`NamespaceAccess`] for what RBAC can and cannot express).
    // `RoleRef.api_group` is `String` in 1.33 and `Option<String>` in 1.37.
    #[allow(clippy::useless_conversion)]
    fn cluster_rbac(&self, namespace: &DnsLabel) -> Vec<Object> {
        let name = bounded(namespace.as_str(), "-namespace", MAX_NAMESPACE);
        let meta = || ObjectMeta {
            name: Some(name.clone()),
            labels: Some(BTreeMap::from([
                (
                    k3score::labels::MANAGED_BY.to_owned(),
                    k3score::labels::MANAGER.to_owned(),
                ),
                (TENANT_LABEL.to_owned(), self.id.to_string()),
            ])),
            ..Default::default()
        };
        let role = ClusterRole {
            metadata: meta(),
            rules: Some(vec![PolicyRule {
                api_groups: Some(vec![String::new()]),
                resources: Some(vec!["namespaces".to_owned()]),
                resource_names: Some(vec![namespace.to_string()]),
                verbs: self.namespace_access.verbs().iter().map(|v| (*v).to_owned()).collect(),
                ..Default::default()
            }]),
            ..Default::default()
        };
        let binding = ClusterRoleBinding {
            metadata: meta(),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".to_owned().into(),
                kind: "ClusterRole".to_owned(),
                name: name.clone(),
            },
            subjects: Some(vec![Subject {
                kind: "ServiceAccount".to_owned(),
                name: self.provisioner.to_string(),
                namespace: Some(namespace.to_string()),
                ..Default::default()
            }]),
        };
        vec![role.into(), binding.into()]
    }
}

impl Validate for Tenant {
    /// Records every problem with its path.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        k3score::patch::validate(&self.objects, &self.patches, path, problems);
        let len = self.namespace_name().len();
        if len > MAX_NAMESPACE {
            problems.push(
                path.field("id"),
                ErrorKind::Invalid(format!(
                    "namespace {:?} would be {len} characters; at most {MAX_NAMESPACE}",
                    self.namespace_name()
                )),
            );
        }
        if self.labels.keys().any(|k| k.as_str() == TENANT_LABEL) {
            problems.push(
                path.field("labels").field(TENANT_LABEL),
                ErrorKind::Conflict("this label is set from the tenant id".into()),
            );
        }
        self.bundle_spec(self.namespace_or_prefix()).validate(path, problems);
    }
}

/// The namespace's `default` ServiceAccount with `automountServiceAccountToken: false`:
/// pods that name no account get no API token. Nothing binds it to a role.
#[must_use]
pub fn default_service_account(namespace: &DnsLabel) -> ServiceAccount {
    ServiceAccount {
        metadata: ObjectMeta {
            name: Some("default".to_owned()),
            namespace: Some(namespace.to_string()),
            labels: Some(BTreeMap::from([(
                k3score::labels::MANAGED_BY.to_owned(),
                k3score::labels::MANAGER.to_owned(),
            )])),
            ..Default::default()
        },
        automount_service_account_token: Some(false),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k3score::Target;
    use k3score::yaml::from_yaml;
    use k8s_openapi::api::rbac::v1::RoleBinding;

    fn ctx() -> Context {
        Context::new(Target::local(), "ignored".parse().unwrap())
    }

    #[test]
    fn cluster_role_names_only_the_own_namespace() {
        let tenant: Tenant = from_yaml("id: acme\nprefix: shop\nnamespace_access: manage\n").unwrap();
        let bundle = tenant.render(&ctx()).unwrap();
        let role = bundle.get::<ClusterRole>("shop-acme-namespace").unwrap();
        let rule = &role.rules.as_ref().unwrap()[0];
        assert_eq!(rule.resource_names.as_ref().unwrap(), &["shop-acme"]);
        assert!(!rule.verbs.iter().any(|v| v == "create" || v == "list"));
        let binding = bundle.get::<ClusterRoleBinding>("shop-acme-namespace").unwrap();
        let subject = &binding.subjects.as_ref().unwrap()[0];
        assert_eq!(
            (subject.name.as_str(), subject.namespace.as_deref()),
            ("provisioner", Some("shop-acme"))
        );
        assert!(bundle.get::<RoleBinding>("provisioner").is_some());
    }

    #[test]
    fn errors_have_paths() {
        let long = "a".repeat(60);
        let tenant: Tenant = from_yaml(&format!(
            "id: {long}\nlabels: {{platform.k3s.io/tenant: x}}\nquota: {{}}\n"
        ))
        .unwrap();
        let errors: Vec<String> = tenant.render(&ctx()).unwrap_err().messages();
        assert_eq!(
            errors,
            [
                format!("id: namespace \"tenant-{long}\" would be 67 characters; at most 63"),
                "labels.platform.k3s.io/tenant: conflict: this label is set from the tenant id".to_owned(),
                "quota: missing: at least one quota".to_owned(),
            ]
        );
        assert!(from_yaml::<Tenant>("id: a\nnamespaces: x\n").is_err());
        assert!(from_yaml::<Tenant>("kind: Tenants\nid: a\n").is_err());
    }
}
