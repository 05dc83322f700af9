//! The orchestrator's own install bundle, rendered with the suite's crates: namespace
//! `k3sstore` (restricted Pod Security, default-deny), the controller app (Deployment with a
//! token-mounting ServiceAccount, Service, NetworkPolicies, PDB) from `k3sapp`, its RBAC, and
//! the ValidatingAdmissionPolicy that confines what RBAC cannot (issue 25).
//!
//! Least privilege in two layers (see `docs/security.md`):
//!
//! - The ClusterRole `k3sstore` holds only what cannot be namespaced: `Store` objects and
//!   their status, Namespaces (create, get, list, watch, patch, delete), RoleBindings (create,
//!   patch: one per store namespace), `bind` on the one ClusterRole `k3sstore-store` (by
//!   `resourceNames`, never `escalate`), Events, TokenReview and SubjectAccessReview; and read
//!   access to Deployments and StatefulSets, whose readiness the controller watches.
//! - The ClusterRole `k3sstore-store` holds what a store needs inside its namespace (every
//!   namespaced kind a store renders on any preset target, no RBAC kind). The controller binds
//!   it in each `store-<id>` it creates ([`store_binding`]) and does the rest through it.
//! - The policy [`admission_policy`] refuses requests of the controller's ServiceAccount on
//!   Namespaces that are not store namespaces (`store-<id>` labelled
//!   `platform.k3s.io/store=<id>`), RoleBindings outside store namespaces or to anything but
//!   `k3sstore-store`, and cluster-scoped RBAC objects without the store label.
//!
//! The leader Lease lives in the orchestrator's own namespace: a Role there.

use std::collections::{BTreeMap, BTreeSet};

use k3sapp::{AppBuilder, AppSet, AppsKind};
use k3score::crd::cert_manager::v1::{Certificate, CertificateSpec, Issuer, IssuerRef, IssuerSpec, SelfSignedIssuer};
use k3score::identity::ServiceAccountSpec;
use k3score::names::DnsLabel;
use k3score::network::{NetworkSpec, Peer, PeerPort, Visibility};
use k3score::quantity::{Bytes, Cpu};
use k3score::resources::{Limits, Resources};
use k3score::tenancy::NamespaceBundle;
use k3score::workload::{
    ContainerSecurity, EnvValue, FieldRef, ObjectVolume, Port, PortRef, Probe, ProbeAction, Probes, Scheme, Volume,
    VolumeSource,
};
use k3score::{Bundle, Context, Errors, Object, Target};
use k8s_openapi::api::admissionregistration::v1::{
    MatchCondition, MatchResources, NamedRuleWithOperations, ValidatingAdmissionPolicy,
    ValidatingAdmissionPolicyBinding, ValidatingAdmissionPolicyBindingSpec, ValidatingAdmissionPolicySpec, Validation,
    Variable,
};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The namespace the orchestrator runs in.
pub const NAMESPACE: &str = "k3sstore";
/// Name of the app, its ServiceAccount, ClusterRole, Role and bindings.
pub const NAME: &str = "k3sstore";
/// The image the install bundle runs (built from the crate's `Dockerfile`).
pub const DEFAULT_IMAGE: &str = "ghcr.io/k3s-platform/k3sstore:0.1.0";
/// The HTTPS port in the cluster.
pub const HTTP_PORT: u16 = 8080;
/// The Secret with the certificate and key (`tls.crt`, `tls.key`) the orchestrator serves
/// HTTPS with: written by cert-manager on targets with an issuer ([`tls_objects`]), made by
/// hand elsewhere (`docs/security.md`, "HTTPS").
pub const TLS_SECRET: &str = "k3sstore-tls";
/// Where [`TLS_SECRET`] is mounted (read again when cert-manager renews it).
pub const TLS_DIR: &str = "/etc/k3sstore/tls";
/// The self-signed cert-manager `Issuer` of [`TLS_SECRET`].
pub const TLS_ISSUER: &str = "k3sstore-selfsigned";
/// The numeric non-root user of the image (distroless `nonroot`).
pub const UID: i64 = 65532;

/// The ClusterRole a store namespace's RoleBinding grants the controller.
pub const STORE_ROLE: &str = "k3sstore-store";
/// The ValidatingAdmissionPolicy (and its binding) that confines the controller.
pub const POLICY: &str = "k3sstore-confinement";
/// The controller's user name as the API server sees it.
pub const USER: &str = "system:serviceaccount:k3sstore:k3sstore";

const FULL: [&str; 6] = ["create", "delete", "get", "list", "patch", "watch"];
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Metadata of an object of the install bundle or the controller's own: `name` (in
/// `namespace` when namespaced), labelled `app.kubernetes.io/managed-by: k3s-platform`.
fn managed_meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: namespace.map(str::to_owned),
        labels: Some(BTreeMap::from([(
            k3score::labels::MANAGED_BY.to_owned(),
            k3score::labels::MANAGER.to_owned(),
        )])),
        ..ObjectMeta::default()
    }
}

fn rule(group: &str, resources: &[&str], verbs: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: Some(vec![group.to_owned()]),
        resources: Some(resources.iter().map(|r| (*r).to_owned()).collect()),
        verbs: verbs.iter().map(|v| (*v).to_owned()).collect(),
        ..PolicyRule::default()
    }
}

/// The controller's cluster-wide rules (ClusterRole `k3sstore`): only what cannot be
/// namespaced. No Secret, ConfigMap, ServiceAccount, workload write or RBAC kind beyond one
/// RoleBinding per store namespace; what a store holds is granted per namespace through
/// [`STORE_ROLE`].
#[must_use]
pub fn cluster_rules() -> Vec<PolicyRule> {
    let group = crate::resource::GROUP;
    vec![
        // The finalizer helper patches the Store; the HTTP API creates, lists and deletes them.
        rule(group, &["stores"], &FULL),
        rule(group, &["stores/status"], &["get", "patch"]),
        // Store namespaces: created (server-side apply is a patch that may create), watched,
        // deleted at teardown. The admission policy confines writes to store namespaces.
        rule("", &["namespaces"], &FULL),
        // The RoleBinding to `k3sstore-store` in each new store namespace (server-side apply);
        // the admission policy confines it to store namespaces and that one role.
        rule(RBAC_GROUP, &["rolebindings"], &["create", "patch"]),
        PolicyRule {
            resource_names: Some(vec![STORE_ROLE.to_owned()]),
            ..rule(RBAC_GROUP, &["clusterroles"], &["bind"])
        },
        // The store workloads' readiness wakes the controller (a watch per kind over every
        // namespace, by label: kube's per-namespace trigger streams are unstable features).
        // Read only.
        rule("apps", &["deployments", "statefulsets"], &["get", "list", "watch"]),
        rule("events.k8s.io", &["events"], &["create", "list", "patch", "watch"]),
        rule("authentication.k8s.io", &["tokenreviews"], &["create"]),
        rule("authorization.k8s.io", &["subjectaccessreviews"], &["create"]),
    ]
}

/// The rules of [`STORE_ROLE`], bound in each store namespace: every namespaced kind a store
/// renders on any preset target (`store_kinds`), merged per group, resources sorted. Store
/// bundles carry no RBAC kind (see `controller::render::store_bundle`), so this role
/// grants none either.
#[must_use]
pub fn store_rules(store_kinds: &[Object]) -> Vec<PolicyRule> {
    let mut grants: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for kind in store_kinds.iter().filter(|k| k.namespace().is_some()) {
        let api_version = kind.api_version();
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        grants.entry(group.to_owned()).or_default().insert(plural(kind));
    }
    let mut rules: Vec<PolicyRule> = grants
        .into_iter()
        .map(|(group, resources)| PolicyRule {
            api_groups: Some(vec![group]),
            resources: Some(resources.into_iter().collect()),
            verbs: FULL.map(str::to_owned).to_vec(),
            ..PolicyRule::default()
        })
        .collect();
    // The controller reads a store's pods to tell a container that cannot start
    // (`controller::pods`); it never writes them (the workload controllers do).
    rules.push(rule("", &["pods"], &["get", "list", "watch"]));
    rules
}

/// The rules of the Role in the orchestrator's namespace: the leader Lease (read, created by
/// the first replica, then replaced to renew or hand over; see `controller::leader`). Any
/// Lease name there, as `--lease` may choose another one.
#[must_use]
pub fn namespace_rules() -> Vec<PolicyRule> {
    vec![rule("coordination.k8s.io", &["leases"], &["create", "get", "update"])]
}

/// The RoleBinding the controller applies in store namespace `namespace` of store `id`:
/// [`STORE_ROLE`] for the orchestrator's ServiceAccount, labelled as the store's.
#[must_use]
pub fn store_binding(namespace: &str, id: &str) -> RoleBinding {
    RoleBinding {
        metadata: {
            let mut meta = managed_meta(STORE_ROLE, Some(namespace));
            if let Some(labels) = meta.labels.as_mut() {
                labels.insert(crate::controller::apply::STORE_LABEL.to_owned(), id.to_owned());
            }
            meta
        },
        role_ref: RoleRef {
            api_group: Some(RBAC_GROUP.to_owned()),
            kind: "ClusterRole".to_owned(),
            name: STORE_ROLE.to_owned(),
        },
        subjects: Some(vec![account()]),
    }
}

fn account() -> Subject {
    Subject {
        kind: "ServiceAccount".to_owned(),
        name: NAME.to_owned(),
        namespace: Some(NAMESPACE.to_owned()),
        ..Subject::default()
    }
}

/// CEL: `o` (an object variable) is a store namespace or is in one: named `store-<id>` and
/// labelled `platform.k3s.io/store=<id>`.
fn is_store_namespace(o: &str) -> String {
    let label = crate::controller::apply::STORE_LABEL;
    format!(
        "(has({o}.metadata.labels) && '{label}' in {o}.metadata.labels && {o}.metadata.name == '{prefix}-' + {o}.metadata.labels['{label}'])",
        prefix = k3splatform::store::STORE_PREFIX
    )
}

fn validation(expression: String, message: &str) -> Validation {
    Validation {
        expression,
        message: Some(message.to_owned()),
        reason: Some("Forbidden".to_owned()),
        ..Validation::default()
    }
}

/// The ValidatingAdmissionPolicy `k3sstore-confinement` (admissionregistration.k8s.io/v1,
/// GA since Kubernetes 1.30): for requests of the controller's ServiceAccount only, it
/// refuses
///
/// - creating, changing or deleting a Namespace that is not a store namespace (`store-<id>`
///   labelled `platform.k3s.io/store=<id>`, before and after a change);
/// - a RoleBinding outside a store namespace, or one whose `roleRef` is not the ClusterRole
///   `k3sstore-store`;
/// - a ClusterRole or ClusterRoleBinding without the store label (RBAC already refuses them
///   all; the policy holds should a future rule grant them).
#[must_use]
pub fn admission_policy() -> ValidatingAdmissionPolicy {
    let resources = |group: &str, names: &[&str]| NamedRuleWithOperations {
        api_groups: Some(vec![group.to_owned()]),
        api_versions: Some(vec!["v1".to_owned()]),
        operations: Some(["CREATE", "UPDATE", "DELETE"].map(str::to_owned).to_vec()),
        resources: Some(names.iter().map(|n| (*n).to_owned()).collect()),
        ..NamedRuleWithOperations::default()
    };
    let label = crate::controller::apply::STORE_LABEL;
    ValidatingAdmissionPolicy {
        metadata: managed_meta(POLICY, None),
        spec: Some(ValidatingAdmissionPolicySpec {
            failure_policy: Some("Fail".to_owned()),
            match_constraints: Some(MatchResources {
                resource_rules: Some(vec![
                    resources("", &["namespaces"]),
                    resources(RBAC_GROUP, &["rolebindings", "clusterrolebindings", "clusterroles"]),
                ]),
                ..MatchResources::default()
            }),
            match_conditions: Some(vec![MatchCondition {
                name: "k3sstore-controller".to_owned(),
                expression: format!("request.userInfo.username == '{USER}'"),
            }]),
            variables: Some(vec![Variable {
                name: "target".to_owned(),
                expression: "request.operation == 'DELETE' ? oldObject : object".to_owned(),
            }]),
            validations: Some(vec![
                validation(
                    format!(
                        "request.resource.resource != 'namespaces' || ({} && (request.operation != 'UPDATE' || {}))",
                        is_store_namespace("variables.target"),
                        is_store_namespace("oldObject")
                    ),
                    "k3sstore may create, change or delete only store namespaces (store-<id> labelled platform.k3s.io/store=<id>)",
                ),
                validation(
                    format!(
                        "request.resource.resource != 'rolebindings' || ({} && (request.operation == 'DELETE' || (variables.target.roleRef.kind == 'ClusterRole' && variables.target.roleRef.name == '{STORE_ROLE}')))",
                        is_store_namespace("namespaceObject")
                    ),
                    "k3sstore may bind only the ClusterRole k3sstore-store, and only in store namespaces",
                ),
                validation(
                    format!(
                        "!(request.resource.resource in ['clusterroles', 'clusterrolebindings']) || (has(variables.target.metadata.labels) && '{label}' in variables.target.metadata.labels)"
                    ),
                    "k3sstore may write cluster-scoped objects only with the store label",
                ),
            ]),
            ..ValidatingAdmissionPolicySpec::default()
        }),
        status: None,
    }
}

/// The binding that puts [`admission_policy`] in force (`Deny`) for the whole cluster.
#[must_use]
pub fn admission_binding() -> ValidatingAdmissionPolicyBinding {
    ValidatingAdmissionPolicyBinding {
        metadata: managed_meta(POLICY, None),
        spec: ValidatingAdmissionPolicyBindingSpec {
            policy_name: POLICY.to_owned(),
            validation_actions: vec!["Deny".to_owned()],
            ..ValidatingAdmissionPolicyBindingSpec::default()
        },
    }
}

/// The URL path segment (plural) of an object's kind.
fn plural(object: &Object) -> String {
    struct Plural;
    impl crate::controller::apply::Visitor for Plural {
        type Out = String;
        fn namespaced<K: crate::controller::apply::NamespacedKind>(self, _: &K) -> String {
            K::plural(&()).into_owned()
        }
        fn cluster<K: crate::controller::apply::ClusterKind>(self, _: &K) -> String {
            K::plural(&()).into_owned()
        }
    }
    crate::controller::apply::visit(object, Plural)
}

fn name(value: &str) -> DnsLabel {
    DnsLabel::new(value).expect("static name")
}

/// The install bundle for `target` running `image` (the CRD and the admission policy are
/// printed separately: [`crate::resource::crd`], [`admission_policy`], [`admission_binding`];
/// k3score's `Object` has no admission kinds).
pub fn bundle(target: &Target, image: &str) -> Result<Bundle, Errors> {
    let namespace = name(NAMESPACE);
    let ctx = Context::new(target.clone(), namespace.clone());
    let mut objects: Vec<Object> = NamespaceBundle::new(namespace.clone()).render(&ctx)?;
    let probe = |path: &str, period| Probe {
        action: ProbeAction::Http {
            path: path.to_owned(),
            port: Some(PortRef::Name("http".parse().expect("static port"))),
            scheme: Scheme::Https,
        },
        initial_delay: None,
        period: Some(period),
        timeout: Some(3),
        success_threshold: None,
        failure_threshold: Some(3),
    };
    let app = AppBuilder::default()
        .name(name(NAME))
        .image(image.to_owned())
        .args(vec![
            "run".to_owned(),
            "--target".to_owned(),
            target.name.to_string(),
            "--listen".to_owned(),
            format!("0.0.0.0:{HTTP_PORT}"),
            // Users hand the API their bearer tokens: HTTPS only.
            "--tls-cert".to_owned(),
            format!("{TLS_DIR}/tls.crt"),
            "--tls-key".to_owned(),
            format!("{TLS_DIR}/tls.key"),
        ])
        .volumes(vec![Volume {
            name: "tls".parse().expect("static volume name"),
            mount_path: TLS_DIR.to_owned(),
            read_only: true,
            sub_path: None,
            source: VolumeSource::Secret(ObjectVolume {
                name: TLS_SECRET.parse().expect("static Secret name"),
                items: Vec::new(),
            }),
        }])
        .ports(vec![Port::tcp("http".parse().expect("static port"), HTTP_PORT)])
        // The replica's name in Events and in the leader Lease.
        .env(BTreeMap::from([(
            "POD_NAME".parse().expect("static env var name"),
            EnvValue::Field(FieldRef {
                field: "metadata.name".to_owned(),
            }),
        )]))
        .resources(Resources {
            cpu: Some(Cpu::millis(100)),
            memory: Some(Bytes::mebibytes(128)),
            limits: Some(Limits {
                cpu: Some(Cpu::millis(500)),
                memory: Some(Bytes::mebibytes(128)),
                ephemeral_storage: None,
            }),
            ..Resources::default()
        })
        .replicas(Some(2))
        .probes(Probes {
            startup: None,
            readiness: Some(probe("/readyz", 10)),
            liveness: Some(probe("/healthz", 20)),
        })
        .security_context(ContainerSecurity {
            run_as_user: Some(UID),
            run_as_group: Some(UID),
            ..ContainerSecurity::default()
        })
        // The orchestrator talks to the API server: the one workload that mounts a token.
        .service_account(ServiceAccountSpec {
            automount_token: true,
            ..ServiceAccountSpec::default()
        })
        .security(Some(NetworkSpec {
            visibility: Visibility::Internal,
            // The API server's address differs per cluster; its ports do not.
            allow_to: vec![Peer {
                cidr: Some("0.0.0.0/0".parse().expect("static CIDR")),
                ports: vec![PeerPort::Number(443), PeerPort::Number(6443)],
                ..Peer::default()
            }],
            ..NetworkSpec::default()
        }))
        .build()?;
    let set = AppSet {
        kind: AppsKind::Apps,
        namespace: Some(namespace),
        apps: vec![app],
        patches: Vec::new(),
        objects: Vec::new(),
    };
    objects.extend(set.render(&ctx)?);
    let kinds = crate::controller::render::store_kinds();
    let meta = |name: &str| managed_meta(name, None);
    let account = account();
    objects.push(
        ClusterRole {
            metadata: meta(NAME),
            rules: Some(cluster_rules()),
            aggregation_rule: None,
        }
        .into(),
    );
    objects.push(
        ClusterRoleBinding {
            metadata: meta(NAME),
            role_ref: RoleRef {
                api_group: Some(RBAC_GROUP.to_owned()),
                kind: "ClusterRole".to_owned(),
                name: NAME.to_owned(),
            },
            subjects: Some(vec![account.clone()]),
        }
        .into(),
    );
    objects.push(
        ClusterRole {
            metadata: meta(STORE_ROLE),
            rules: Some(store_rules(&kinds)),
            aggregation_rule: None,
        }
        .into(),
    );
    let namespaced = managed_meta(NAME, Some(NAMESPACE));
    objects.push(
        Role {
            metadata: namespaced.clone(),
            rules: Some(namespace_rules()),
        }
        .into(),
    );
    objects.push(
        RoleBinding {
            metadata: namespaced,
            role_ref: RoleRef {
                api_group: Some("rbac.authorization.k8s.io".to_owned()),
                kind: "Role".to_owned(),
                name: NAME.to_owned(),
            },
            subjects: Some(vec![account.clone()]),
        }
        .into(),
    );
    objects.extend(tls_objects(target));
    let bundle: Bundle = objects.into_iter().collect();
    bundle.check_unique()?;
    Ok(bundle)
}

/// The DNS names the orchestrator's certificate is valid for: its Service's, short and long.
#[must_use]
pub fn tls_dns_names() -> Vec<String> {
    let service = format!("{NAME}.{NAMESPACE}");
    vec![
        NAME.to_owned(),
        service.clone(),
        format!("{service}.svc"),
        format!("{service}.svc.cluster.local"),
    ]
}

/// On a target with cert-manager (one that names a TLS issuer): a self-signed `Issuer` in the
/// orchestrator's namespace and a `Certificate` writing [`TLS_SECRET`] for
/// [`tls_dns_names`]. Not the target's own `ClusterIssuer`: an ACME issuer such as Let's
/// Encrypt cannot certify in-cluster names (`*.svc` is not publicly resolvable). Elsewhere
/// nothing: the Secret is made by hand (`docs/security.md`).
///
/// ```
/// use k3score::Target;
/// assert!(k3sstore::install::tls_objects(&Target::local()).is_empty());
/// let gcp = k3sstore::install::tls_objects(&Target::gcp());
/// let kinds: Vec<_> = gcp.iter().map(|o| o.kind().into_owned()).collect();
/// assert_eq!(kinds, ["Issuer", "Certificate"]);
/// ```
#[must_use]
pub fn tls_objects(target: &Target) -> Vec<Object> {
    if target.tls_issuer.is_none() {
        return Vec::new();
    }
    let meta = |name: &str| managed_meta(name, Some(NAMESPACE));
    vec![
        Issuer {
            metadata: meta(TLS_ISSUER),
            spec: IssuerSpec {
                self_signed: Some(SelfSignedIssuer {}),
                ca: None,
            },
        }
        .into(),
        Certificate {
            metadata: meta(TLS_SECRET),
            spec: CertificateSpec {
                secret_name: TLS_SECRET.to_owned(),
                issuer_ref: IssuerRef::issuer(TLS_ISSUER),
                dns_names: tls_dns_names(),
            },
        }
        .into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(rules: &[PolicyRule], group: &str, resource: &str, verb: &str) -> bool {
        rules.iter().any(|r| {
            r.api_groups.as_ref().unwrap().iter().any(|g| g == group)
                && r.resources.as_ref().unwrap().iter().any(|x| x == resource)
                && r.verbs.iter().any(|v| v == verb)
        })
    }

    #[test]
    fn cluster_rights_are_what_cannot_be_namespaced_the_rest_is_per_store_namespace() {
        let bundle = bundle(&Target::local(), DEFAULT_IMAGE).unwrap();
        let cluster = bundle.get::<ClusterRole>(NAME).unwrap().rules.clone().unwrap();
        for (group, resource, verb) in [
            ("", "namespaces", "create"),
            ("", "namespaces", "delete"),
            ("platform.k3s.io", "stores/status", "patch"),
            ("events.k8s.io", "events", "create"),
            ("authentication.k8s.io", "tokenreviews", "create"),
            ("authorization.k8s.io", "subjectaccessreviews", "create"),
            ("rbac.authorization.k8s.io", "rolebindings", "create"),
        ] {
            assert!(
                allows(&cluster, group, resource, verb),
                "{verb} {group}/{resource} missing"
            );
        }
        for (group, resource, verb) in [
            ("", "secrets", "get"),
            ("", "configmaps", "get"),
            ("", "serviceaccounts", "create"),
            ("apps", "deployments", "create"),
            ("apps", "statefulsets", "patch"),
            ("rbac.authorization.k8s.io", "clusterrolebindings", "create"),
            ("rbac.authorization.k8s.io", "clusterroles", "create"),
            ("rbac.authorization.k8s.io", "roles", "create"),
            ("rbac.authorization.k8s.io", "clusterroles", "escalate"),
            ("coordination.k8s.io", "leases", "get"),
        ] {
            assert!(
                !allows(&cluster, group, resource, verb),
                "{verb} {group}/{resource} is cluster-wide"
            );
        }
        let bind: Vec<_> = cluster.iter().filter(|r| r.verbs.iter().any(|v| v == "bind")).collect();
        assert_eq!(bind.len(), 1);
        assert_eq!(bind[0].resource_names.as_deref(), Some(&[STORE_ROLE.to_owned()][..]));
        let store = bundle.get::<ClusterRole>(STORE_ROLE).unwrap().rules.clone().unwrap();
        for (group, resource) in [
            ("", "secrets"),
            ("", "services"),
            ("apps", "statefulsets"),
            ("apps", "deployments"),
            ("traefik.io", "ingressroutes"),
            ("external-secrets.io", "externalsecrets"),
        ] {
            assert!(allows(&store, group, resource, "patch"), "{group}/{resource} missing");
        }
        assert!(!store.iter().any(|r| r.api_groups.as_ref().unwrap()[0] == RBAC_GROUP));
        assert!(!allows(&store, "", "namespaces", "get"), "namespaced kinds only");
        assert!(allows(&store, "", "pods", "list") && allows(&store, "", "pods", "watch"));
        assert!(!allows(&store, "", "pods", "create") && !allows(&store, "", "pods", "delete"));
        assert!(
            !allows(&cluster, "", "pods", "list"),
            "pods are read per store namespace"
        );
        let lease_role = bundle.get::<Role>(NAME).unwrap();
        assert_eq!(lease_role.metadata.namespace.as_deref(), Some(NAMESPACE));
        assert_eq!(lease_role.rules.as_deref(), Some(&namespace_rules()[..]));
        let binding = bundle.get::<RoleBinding>(NAME).unwrap();
        assert_eq!(binding.role_ref.kind, "Role");
        assert_eq!(
            binding.subjects.as_ref().unwrap()[0].namespace.as_deref(),
            Some(NAMESPACE)
        );
        for role in [NAME, STORE_ROLE] {
            let text = k3score::yaml::to_yaml(bundle.get::<ClusterRole>(role).unwrap()).unwrap();
            assert!(!text.contains('*'), "{text}");
        }
        assert_eq!(USER, format!("system:serviceaccount:{NAMESPACE}:{NAME}"));
    }

    #[test]
    fn the_policy_matches_the_controller_and_its_binding_denies() {
        let policy = admission_policy();
        let spec = policy.spec.as_ref().unwrap();
        assert!(spec.match_conditions.as_ref().unwrap()[0].expression.contains(USER));
        assert_eq!(spec.validations.as_ref().unwrap().len(), 3);
        let binding = admission_binding();
        let spec = binding.spec;
        assert_eq!(spec.policy_name, POLICY);
        assert_eq!(spec.validation_actions, ["Deny"]);
        let namespace = store_binding("store-acme", "acme");
        assert_eq!(namespace.role_ref.name, STORE_ROLE);
        assert_eq!(namespace.subjects.unwrap()[0].name, NAME);
    }

    #[test]
    fn the_controller_alone_mounts_a_token_in_a_restricted_namespace() {
        let bundle = bundle(&Target::gcp(), "example.org/k3sstore:1").unwrap();
        let kinds: BTreeSet<_> = bundle.iter().map(Object::kind).collect();
        for kind in [
            "Namespace",
            "ServiceAccount",
            "Deployment",
            "Service",
            "NetworkPolicy",
            "PodDisruptionBudget",
        ] {
            assert!(kinds.contains(kind), "{kind} missing from {kinds:?}");
        }
        let sa = bundle.get::<k8s_openapi::api::core::v1::ServiceAccount>(NAME).unwrap();
        assert_ne!(sa.automount_service_account_token, Some(false));
        let ns = bundle.get::<k8s_openapi::api::core::v1::Namespace>(NAMESPACE).unwrap();
        assert_eq!(
            ns.metadata.labels.as_ref().unwrap()["pod-security.kubernetes.io/enforce"],
            "restricted"
        );
    }

    #[test]
    fn the_api_is_served_over_https_with_a_mounted_certificate() {
        for target in [Target::local(), Target::gcp()] {
            let bundle = bundle(&target, "example.org/k3sstore:1").unwrap();
            let deployment = bundle.get::<k8s_openapi::api::apps::v1::Deployment>(NAME).unwrap();
            let pod = deployment.spec.template.spec.as_ref().unwrap();
            let container = &pod.containers[0];
            let args = container.args.as_ref().unwrap().join(" ");
            assert!(
                args.contains(&format!("--tls-cert {TLS_DIR}/tls.crt --tls-key {TLS_DIR}/tls.key")),
                "{args}"
            );
            for probe in [&container.readiness_probe, &container.liveness_probe] {
                let get = probe.as_ref().unwrap().http_get.as_ref().unwrap();
                assert_eq!(get.scheme.as_deref(), Some("HTTPS"));
            }
            let volume = pod.volumes.as_ref().unwrap().iter().find(|v| v.name == "tls").unwrap();
            assert_eq!(volume.secret.as_ref().unwrap().secret_name.as_deref(), Some(TLS_SECRET));
            let mount = container
                .volume_mounts
                .as_ref()
                .unwrap()
                .iter()
                .find(|m| m.name == "tls")
                .unwrap();
            assert_eq!((mount.mount_path.as_str(), mount.read_only), (TLS_DIR, Some(true)));
            let certificate = bundle.get::<Certificate>(TLS_SECRET);
            assert_eq!(certificate.is_some(), target.tls_issuer.is_some(), "{}", target.name);
            if let Some(certificate) = certificate {
                assert_eq!(certificate.spec.issuer_ref, IssuerRef::issuer(TLS_ISSUER));
                assert!(certificate.spec.dns_names.contains(&"k3sstore.k3sstore.svc".to_owned()));
                let issuer = bundle.get::<Issuer>(TLS_ISSUER).unwrap();
                assert!(issuer.spec.self_signed.is_some());
            }
        }
    }
}
