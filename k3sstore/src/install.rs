//! The orchestrator's own install bundle, rendered with the suite's crates: namespace
//! `k3sstore` (restricted Pod Security, default-deny), the controller app (Deployment with a
//! token-mounting ServiceAccount, Service, NetworkPolicies, PDB) from `k3sapp`, the
//! ClusterRole and its binding, and a Role and its binding in `k3sstore` for the leader Lease.
//!
//! The ClusterRole is derived, not hand-kept: the kinds every preset target renders for a
//! store (apply, prune, teardown), the rules of the Roles and ClusterRoles a store contains
//! (the API server only lets an account grant what it holds itself), and the orchestrator's
//! own needs (`stores`, Events, TokenReview, SubjectAccessReview). No `*`. The leader Lease
//! lives in the orchestrator's own namespace, so its permission is a Role there, not part of
//! the ClusterRole.

use std::collections::{BTreeMap, BTreeSet};

use k3sapp::{AppBuilder, AppSet, AppsKind};
use k3score::identity::ServiceAccountSpec;
use k3score::names::DnsLabel;
use k3score::network::{NetworkSpec, Peer, PeerPort, Visibility};
use k3score::quantity::{Bytes, Cpu};
use k3score::resources::{Limits, Resources};
use k3score::tenancy::NamespaceBundle;
use k3score::workload::{ContainerSecurity, EnvValue, FieldRef, Port, PortRef, Probe, ProbeAction, Probes};
use k3score::{Bundle, Context, Errors, Object, Target};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The namespace the orchestrator runs in.
pub const NAMESPACE: &str = "k3sstore";
/// Name of the app, its ServiceAccount, ClusterRole, Role and bindings.
pub const NAME: &str = "k3sstore";
/// The image the install bundle runs (built from the crate's `Dockerfile`).
pub const DEFAULT_IMAGE: &str = "ghcr.io/k3s-platform/k3sstore:0.1.0";
/// The HTTP port in the cluster.
pub const HTTP_PORT: u16 = 8080;
/// The numeric non-root user of the image (distroless `nonroot`).
pub const UID: i64 = 65532;

const FULL: [&str; 6] = ["create", "delete", "get", "list", "patch", "watch"];

/// `(api group, resource) -> verbs`: the rules under construction.
type Grants = BTreeMap<(String, String), BTreeSet<String>>;

fn grant(grants: &mut Grants, group: &str, resource: &str, verbs: &[&str]) {
    grants
        .entry((group.to_owned(), resource.to_owned()))
        .or_default()
        .extend(verbs.iter().map(|v| (*v).to_owned()));
}

/// The rules the orchestrator needs, merged per group and verb set (deterministic order).
#[must_use]
pub fn cluster_rules(store_kinds: &[Object], store_bundles: &[Bundle]) -> Vec<PolicyRule> {
    let mut grants = Grants::new();
    for kind in store_kinds {
        let api_version = kind.api_version();
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        grant(&mut grants, group, &plural(kind), &FULL);
    }
    // A store's Roles and ClusterRoles: the orchestrator must hold what they grant. Their
    // resourceNames name one store, so the grant is for every name.
    let rules = store_bundles.iter().flat_map(Bundle::iter).flat_map(|o| match o {
        Object::Role(r) => r.rules.clone().unwrap_or_default(),
        Object::ClusterRole(r) => r.rules.clone().unwrap_or_default(),
        _ => Vec::new(),
    });
    for rule in rules {
        for group in rule.api_groups.iter().flatten() {
            for resource in rule.resources.iter().flatten() {
                let verbs: Vec<&str> = rule.verbs.iter().map(String::as_str).collect();
                grant(&mut grants, group, resource, &verbs);
            }
        }
    }
    let group = crate::resource::GROUP;
    // The finalizer helper patches the Store; the HTTP API creates, lists and deletes them.
    grant(&mut grants, group, "stores", &FULL);
    grant(&mut grants, group, "stores/status", &["get", "patch"]);
    grant(
        &mut grants,
        "events.k8s.io",
        "events",
        &["create", "list", "patch", "watch"],
    );
    // The controller reads a store's pods to tell a container that cannot start
    // (`controller::pods`), whatever a store's own Roles grant.
    grant(&mut grants, "", "pods", &["get", "list", "watch"]);
    grant(&mut grants, "authentication.k8s.io", "tokenreviews", &["create"]);
    grant(&mut grants, "authorization.k8s.io", "subjectaccessreviews", &["create"]);
    // One rule per (group, verbs), resources sorted.
    let mut merged: BTreeMap<(String, BTreeSet<String>), BTreeSet<String>> = BTreeMap::new();
    for ((group, resource), verbs) in grants {
        merged.entry((group, verbs)).or_default().insert(resource);
    }
    merged
        .into_iter()
        .map(|((group, verbs), resources)| PolicyRule {
            api_groups: Some(vec![group]),
            resources: Some(resources.into_iter().collect()),
            verbs: verbs.into_iter().collect(),
            ..PolicyRule::default()
        })
        .collect()
}

/// The rules of the Role in the orchestrator's namespace: the leader Lease (read, created by
/// the first replica, then replaced to renew or hand over; see `controller::leader`). Any
/// Lease name there, as `--lease` may choose another one.
#[must_use]
pub fn namespace_rules() -> Vec<PolicyRule> {
    vec![PolicyRule {
        api_groups: Some(vec!["coordination.k8s.io".to_owned()]),
        resources: Some(vec!["leases".to_owned()]),
        verbs: ["create", "get", "update"].map(str::to_owned).to_vec(),
        ..PolicyRule::default()
    }]
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

/// The install bundle for `target` running `image` (the CRD is printed separately:
/// [`crate::resource::crd`]).
pub fn bundle(target: &Target, image: &str) -> Result<Bundle, Errors> {
    let namespace = name(NAMESPACE);
    let ctx = Context::new(target.clone(), namespace.clone());
    let mut objects: Vec<Object> = NamespaceBundle::new(namespace.clone()).render(&ctx)?;
    let probe = |path: &str, period| Probe {
        action: ProbeAction::Http {
            path: path.to_owned(),
            port: Some(PortRef::Name("http".parse().expect("static port"))),
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
        ])
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
    let kinds = crate::controller::provision::store_kinds();
    let samples = crate::controller::provision::sample_bundles();
    let meta = ObjectMeta {
        name: Some(NAME.to_owned()),
        labels: Some(BTreeMap::from([(
            k3score::labels::MANAGED_BY.to_owned(),
            k3score::labels::MANAGER.to_owned(),
        )])),
        ..ObjectMeta::default()
    };
    let account = Subject {
        kind: "ServiceAccount".to_owned(),
        name: NAME.to_owned(),
        namespace: Some(NAMESPACE.to_owned()),
        ..Subject::default()
    };
    objects.push(
        ClusterRole {
            metadata: meta.clone(),
            rules: Some(cluster_rules(&kinds, &samples)),
            aggregation_rule: None,
        }
        .into(),
    );
    objects.push(
        ClusterRoleBinding {
            metadata: meta.clone(),
            role_ref: RoleRef {
                api_group: Some("rbac.authorization.k8s.io".to_owned()),
                kind: "ClusterRole".to_owned(),
                name: NAME.to_owned(),
            },
            subjects: Some(vec![account.clone()]),
        }
        .into(),
    );
    let namespaced = ObjectMeta {
        namespace: Some(NAMESPACE.to_owned()),
        ..meta.clone()
    };
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
    let bundle: Bundle = objects.into_iter().collect();
    bundle.check_unique()?;
    Ok(bundle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_cover_store_kinds_and_own_needs_without_wildcards() {
        let bundle = bundle(&Target::local(), DEFAULT_IMAGE).unwrap();
        let role = bundle.get::<ClusterRole>(NAME).unwrap();
        let rules = role.rules.as_ref().unwrap();
        let allows = |group: &str, resource: &str, verb: &str| {
            rules.iter().any(|r| {
                r.api_groups.as_ref().unwrap().iter().any(|g| g == group)
                    && r.resources.as_ref().unwrap().iter().any(|x| x == resource)
                    && r.verbs.iter().any(|v| v == verb)
            })
        };
        for (group, resource, verb) in [
            ("", "namespaces", "delete"),
            ("apps", "statefulsets", "patch"),
            ("apps", "deployments", "watch"),
            ("rbac.authorization.k8s.io", "clusterroles", "create"),
            ("traefik.io", "ingressroutes", "list"),
            ("external-secrets.io", "externalsecrets", "delete"),
            ("", "pods", "get"),
            ("", "pods", "list"),
            ("platform.k3s.io", "stores/status", "patch"),
            ("events.k8s.io", "events", "create"),
            ("authentication.k8s.io", "tokenreviews", "create"),
            ("authorization.k8s.io", "subjectaccessreviews", "create"),
        ] {
            assert!(allows(group, resource, verb), "{verb} {group}/{resource} missing");
        }
        assert!(!allows("", "pods", "create"), "only what a store's Role grants");
        assert!(
            !allows("coordination.k8s.io", "leases", "get"),
            "Leases only in its namespace"
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
        let text = k3score::yaml::to_yaml(role).unwrap();
        assert!(!text.contains('*'), "{text}");
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
}
