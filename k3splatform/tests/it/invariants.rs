//! Invariants of the tenant and store bundles: quota math, LimitRange defaults, minimal RBAC.

use crate::common::{ctx, example, target};
use k3score::Bundle;
use k3score::quantity::{Bytes, Cpu};
use k3splatform::{SizeProfile, Store, Tenant};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Container, LimitRange, ResourceQuota, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use proptest::prelude::*;

fn cpu(q: &Quantity) -> u64 {
    q.0.parse::<Cpu>().expect("cpu").as_millis()
}

fn bytes(q: &Quantity) -> u128 {
    q.0.parse::<Bytes>().expect("bytes").as_bytes()
}

/// Totals of requests.cpu, requests.memory, limits.cpu, limits.memory in milli-CPU / bytes.
#[derive(Debug, Default, PartialEq)]
struct Totals {
    cpu: u64,
    memory: u128,
    limits_cpu: u64,
    limits_memory: u128,
}

impl Totals {
    fn add(&mut self, container: &Container, pods: u64) {
        let r = container
            .resources
            .as_ref()
            .expect("every store container sets resources");
        let req = r.requests.as_ref().expect("requests");
        let lim = r.limits.as_ref().expect("limits");
        self.cpu += cpu(&req["cpu"]) * pods;
        self.memory += bytes(&req["memory"]) * u128::from(pods);
        self.limits_cpu += cpu(&lim["cpu"]) * pods;
        self.limits_memory += bytes(&lim["memory"]) * u128::from(pods);
    }
}

fn store_bundle(t: &str) -> Bundle {
    example::<Store>("store").render(&ctx(target(t))).unwrap()
}

#[test]
fn store_requests_and_limits_fit_its_own_quota() {
    for t in ["local", "gcp"] {
        let bundle = store_bundle(t);
        let mut totals = Totals::default();
        for d in bundle.all::<Deployment>() {
            let spec = &d.spec;
            // One surge pod during rolling updates.
            let pods = u64::try_from(spec.replicas.unwrap_or(1)).unwrap() + 1;
            for c in &spec.template.spec.as_ref().unwrap().containers {
                totals.add(c, pods);
            }
        }
        let mut storage = 0;
        for s in bundle.all::<StatefulSet>() {
            let spec = &s.spec;
            let pods = u64::try_from(spec.replicas.unwrap_or(1)).unwrap();
            for c in &spec.template.spec.as_ref().unwrap().containers {
                totals.add(c, pods);
            }
            for claim in spec.volume_claim_templates.iter().flatten() {
                let requests = claim
                    .spec
                    .as_ref()
                    .unwrap()
                    .resources
                    .as_ref()
                    .unwrap()
                    .requests
                    .as_ref()
                    .unwrap();
                storage += bytes(&requests["storage"]) * u128::from(pods);
            }
        }
        // One container that sets nothing gets the LimitRange defaults; it must fit too.
        let limits = bundle.get::<LimitRange>("container-defaults").unwrap();
        let item = &limits.spec.as_ref().unwrap().limits[0];
        let (default, default_request) = (item.default.as_ref().unwrap(), item.default_request.as_ref().unwrap());
        totals.cpu += cpu(&default_request["cpu"]);
        totals.memory += bytes(&default_request["memory"]);
        totals.limits_cpu += cpu(&default["cpu"]);
        totals.limits_memory += bytes(&default["memory"]);

        let quota = bundle.get::<ResourceQuota>("quota").unwrap();
        let hard = quota.spec.as_ref().unwrap().hard.as_ref().unwrap();
        assert!(totals.cpu <= cpu(&hard["requests.cpu"]), "{t}: {totals:?}");
        assert!(totals.memory <= bytes(&hard["requests.memory"]), "{t}: {totals:?}");
        assert!(totals.limits_cpu <= cpu(&hard["limits.cpu"]), "{t}: {totals:?}");
        assert!(totals.limits_memory <= bytes(&hard["limits.memory"]), "{t}: {totals:?}");
        assert!(storage <= bytes(&hard["requests.storage"]), "{t}: {storage}");
        let pods = hard["pods"].0.parse::<u64>().unwrap();
        assert!(pods >= 4, "{t}: room for the pods");
    }
}

#[test]
fn limit_range_defaults_cover_containers_without_resources() {
    // A quota on cpu and memory rejects pods without requests and limits unless a
    // LimitRange fills them in: both the store's and the example tenant's LimitRange do.
    let tenant = example::<Tenant>("tenant").render(&ctx(target("local"))).unwrap();
    for bundle in [store_bundle("local"), store_bundle("gcp"), tenant] {
        let quota = bundle.get::<ResourceQuota>("quota").unwrap();
        let hard = quota.spec.as_ref().unwrap().hard.as_ref().unwrap();
        let limits = bundle.get::<LimitRange>("container-defaults").unwrap();
        let item = &limits.spec.as_ref().unwrap().limits[0];
        assert_eq!(item.type_, "Container");
        for (quota_key, map, key) in [
            ("requests.cpu", &item.default_request, "cpu"),
            ("requests.memory", &item.default_request, "memory"),
            ("limits.cpu", &item.default, "cpu"),
            ("limits.memory", &item.default, "memory"),
        ] {
            if hard.contains_key(quota_key) {
                let value = &map.as_ref().unwrap()[key];
                let fits = if key == "cpu" {
                    cpu(value) <= cpu(&hard[quota_key])
                } else {
                    bytes(value) <= bytes(&hard[quota_key])
                };
                assert!(fits, "{quota_key}: default {value:?} above the quota");
            }
        }
    }
}

fn rules_of(bundle: &Bundle) -> Vec<PolicyRule> {
    let roles = bundle.all::<Role>().flat_map(|r| r.rules.clone().unwrap_or_default());
    let cluster = bundle
        .all::<ClusterRole>()
        .flat_map(|r| r.rules.clone().unwrap_or_default());
    roles.chain(cluster).collect()
}

fn subjects_of(bundle: &Bundle) -> Vec<Subject> {
    let rb = bundle
        .all::<RoleBinding>()
        .flat_map(|b| b.subjects.clone().unwrap_or_default());
    let crb = bundle
        .all::<ClusterRoleBinding>()
        .flat_map(|b| b.subjects.clone().unwrap_or_default());
    rb.chain(crb).collect()
}

#[test]
fn rbac_is_minimal_and_workloads_get_no_api_access() {
    let mut manage: Tenant = example("tenant");
    manage.namespace_access = k3splatform::NamespaceAccess::Manage;
    let bundles = [
        store_bundle("local"),
        store_bundle("gcp"),
        example::<Tenant>("tenant").render(&ctx(target("gcp"))).unwrap(),
        manage.render(&ctx(target("local"))).unwrap(),
    ];
    for bundle in &bundles {
        let rules = rules_of(bundle);
        assert!(!rules.is_empty());
        for rule in &rules {
            assert!(!rule.verbs.iter().any(|v| v.contains('*')), "{rule:?}");
            assert!(!rule.resources.iter().flatten().any(|r| r.contains('*')), "{rule:?}");
            assert!(!rule.api_groups.iter().flatten().any(|g| g.contains('*')), "{rule:?}");
            assert!(
                !rule
                    .verbs
                    .iter()
                    .any(|v| ["escalate", "bind", "impersonate"].contains(&v.as_str()))
            );
        }
        // The cluster-wide rule names exactly one namespace and never grants create.
        for role in bundle.all::<ClusterRole>() {
            for rule in role.rules.iter().flatten() {
                assert_eq!(rule.resource_names.as_ref().map(Vec::len), Some(1), "{rule:?}");
                assert!(!rule.verbs.iter().any(|v| v == "create" || v == "list"));
            }
        }
        let subjects = subjects_of(bundle);
        assert!(!subjects.is_empty());
        assert!(
            !subjects
                .iter()
                .any(|s| s.name == "default" || s.kind != "ServiceAccount"),
            "{subjects:?}"
        );
        let default = bundle
            .all::<ServiceAccount>()
            .find(|s| s.metadata.name.as_deref() == Some("default"))
            .unwrap();
        assert_eq!(default.automount_service_account_token, Some(false));
        // Workload pods never mount an API token.
        for d in bundle.all::<Deployment>() {
            let pod = d.spec.template.spec.as_ref().unwrap();
            assert_eq!(pod.automount_service_account_token, Some(false));
        }
        for s in bundle.all::<StatefulSet>() {
            let pod = s.spec.template.spec.as_ref().unwrap();
            assert_eq!(pod.automount_service_account_token, Some(false));
        }
        // Workload ServiceAccounts have no bindings: only the provisioner is a subject.
        assert!(subjects.iter().all(|s| s.name == "provisioner" || s.name == "deployer"));
    }
}

#[test]
fn local_store_reads_the_password_from_input_only() {
    let store: Store = example("store");
    let bare = k3score::Context::new(target("local"), "x".parse().unwrap());
    let err = store.render(&bare).unwrap_err().to_string();
    assert!(err.contains("postgres-password"), "{err}");
    let yaml = store_bundle("local").to_yaml().unwrap();
    assert!(!yaml.contains("kind: Password") && !yaml.contains("kind: ExternalSecret"));
    let gcp = store_bundle("gcp").to_yaml().unwrap();
    assert!(gcp.contains("kind: Password") && gcp.contains("refreshPolicy: CreatedOnce"));
    assert!(!gcp.contains("kind: Secret\n"));
}

#[test]
fn profiles_follow_the_target() {
    let store: Store = example("store");
    assert_eq!(store.sizes("local"), SizeProfile::Small.sizes());
    assert_eq!(store.sizes("gcp"), SizeProfile::Large.sizes());
    let pinned = Store {
        size: Some(SizeProfile::Large),
        ..store
    };
    assert_eq!(pinned.sizes("local"), SizeProfile::Large.sizes());
}

proptest! {
    #[test]
    fn any_valid_store_id_renders_into_its_own_namespace(id in "[a-z][a-z0-9]{0,20}(-[a-z0-9]{1,10})?") {
        let store = Store { id: id.parse().unwrap(), ..example::<Store>("store") };
        for t in ["local", "gcp"] {
            let bundle = store.render(&ctx(target(t))).unwrap();
            let ns = format!("store-{id}");
            prop_assert!(bundle.iter().filter(|o| o.kind() != "Namespace" && !o.kind().starts_with("Cluster"))
                .all(|o| o.namespace() == Some(ns.as_str())));
        }
    }
}
