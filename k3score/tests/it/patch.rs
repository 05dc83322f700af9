//! The escape hatch (`k3score::patch`): each RFC 6902 operation, the round trip through the
//! typed kind, the fields a patch may not change, Pod Security `restricted` after a patch,
//! atomicity per target, and extra objects.

use k3score::patch::{ExtraObject, OptOuts, Patch};
use k3score::workload::Workload;
use k3score::{Bundle, Context, Errors, PathRef, Problems, Target};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use pretty_assertions::assert_eq;

fn ctx() -> Context {
    Context::new(Target::local(), "shop".parse().unwrap())
}

/// A bundle with the Deployment `orders` as the suite renders it and a ConfigMap `settings`.
fn bundle() -> Bundle {
    let workload = Workload::new("orders".parse().unwrap(), "ghcr.io/acme/orders:1.4.2");
    let rendered = workload.render(&ctx()).unwrap();
    let mut bundle = Bundle::new();
    #[allow(clippy::useless_conversion)]
    bundle.push(Deployment {
        metadata: ObjectMeta {
            name: Some("orders".into()),
            namespace: Some("shop".into()),
            ..Default::default()
        },
        spec: DeploymentSpec {
            replicas: Some(2),
            selector: LabelSelector {
                match_labels: Some(workload.labels.selector()),
                ..Default::default()
            },
            template: rendered.pod_template,
            ..Default::default()
        }
        .into(),
        ..Default::default()
    });
    bundle.push(ConfigMap {
        metadata: ObjectMeta {
            name: Some("settings".into()),
            namespace: Some("shop".into()),
            ..Default::default()
        },
        data: Some([("mode".to_owned(), "slow".to_owned())].into()),
        ..Default::default()
    });
    bundle
}

fn patches(yaml: &str) -> Vec<Patch> {
    k3score::yaml::from_yaml(yaml).unwrap()
}

fn patched(yaml: &str) -> Result<Bundle, Errors> {
    let mut bundle = bundle();
    bundle.patch(&patches(yaml), &ctx()).map(|()| bundle)
}

fn deployment(bundle: &Bundle) -> &Deployment {
    bundle.get::<Deployment>("orders").unwrap()
}

fn settings(bundle: &Bundle) -> Vec<(String, String)> {
    let data = bundle
        .get::<ConfigMap>("settings")
        .unwrap()
        .data
        .clone()
        .unwrap_or_default();
    data.into_iter().collect()
}

#[test]
fn add_sets_a_field_k8s_openapi_knows() {
    let bundle = patched(
        "- target: {kind: Deployment, name: orders}\n  ops:\n  - {op: add, path: /spec/template/spec/dnsConfig, value: {options: [{name: ndots, value: '2'}]}}\n",
    )
    .unwrap();
    let pod = deployment(&bundle).spec.clone().template.spec.unwrap();
    let options = pod.dns_config.unwrap().options.unwrap();
    assert_eq!(options[0].name.as_deref(), Some("ndots"));
    assert_eq!(options[0].value.as_deref(), Some("2"));
}

#[test]
fn remove_replace_move_copy_and_test() {
    let bundle = patched(
        "- target: {kind: ConfigMap, name: settings}\n  ops:\n  - {op: test, path: /data/mode, value: slow}\n  - {op: replace, path: /data/mode, value: fast}\n  - {op: copy, from: /data/mode, path: /data/copied}\n  - {op: move, from: /data/mode, path: /data/moved}\n  - {op: add, path: /data/gone, value: x}\n  - {op: remove, path: /data/gone}\n",
    )
    .unwrap();
    assert_eq!(
        settings(&bundle),
        [("copied".into(), "fast".into()), ("moved".into(), "fast".into())]
    );
    let bundle =
        patched("- target: {kind: Deployment, name: orders}\n  ops: [{op: remove, path: /spec/replicas}]\n").unwrap();
    assert_eq!(deployment(&bundle).spec.clone().replicas, None);
}

#[test]
fn a_field_k8s_openapi_lacks_is_an_error_naming_it() {
    let errors = patched(
        "- target: {kind: Deployment, name: orders}\n  ops:\n  - {op: replace, path: /spec/replicas, value: 3}\n  - {op: add, path: /spec/template/spec/notAField, value: 1}\n",
    )
    .unwrap_err();
    assert_eq!(
        errors.messages(),
        [
            "patches[0].ops[1].value: /spec/template/spec/notAField is not a field of Deployment: it would be dropped on the way to YAML (check its spelling and place)"
        ]
    );
    // Inside a written value: the path goes on into the value.
    let errors = patched(
        "- target: {kind: Deployment, name: orders}\n  ops:\n  - {op: add, path: /spec/template/spec/dnsConfig, value: {nameservers: [1.1.1.1], bogus: {a: 1}}}\n",
    )
    .unwrap_err();
    assert_eq!(errors.0[0].path.to_string(), "patches[0].ops[0].value.bogus");
    // A wrong type is named with its place.
    let errors = patched(
        "- target: {kind: Deployment, name: orders}\n  ops: [{op: replace, path: /spec/replicas, value: two}]\n",
    )
    .unwrap_err();
    assert_eq!(errors.0[0].path.to_string(), "patches[0].ops[0].value");
    assert!(
        errors.0[0]
            .to_string()
            .contains("/spec/replicas: not a valid Deployment: invalid type"),
        "{errors}"
    );
    // Nothing of a failed target is kept.
    let mut bundle = bundle();
    let before = bundle.clone();
    let _ = bundle.patch(
        &patches("- target: {kind: Deployment, name: orders}\n  ops: [{op: replace, path: /spec/replicas, value: 3}, {op: add, path: /nope, value: 1}]\n"),
        &ctx(),
    );
    assert_eq!(bundle, before);
}

#[test]
fn privileged_and_host_namespaces_are_errors_that_say_how_to_opt_out() {
    let errors = patched(
        "- target: {kind: Deployment, name: orders}\n  ops:\n  - {op: add, path: /spec/template/spec/containers/0/securityContext/privileged, value: true}\n  - {op: add, path: /spec/template/spec/hostNetwork, value: true}\n",
    )
    .unwrap_err();
    let messages = errors.messages();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("patches[0].ops[1].value: /spec/template/spec/hostNetwork of Deployment/shop/orders: a host namespace breaks Pod Security `restricted`; no spec opts out"), "{messages:?}");
    assert!(messages[1].starts_with("patches[0].ops[0].value: /spec/template/spec/containers/0/securityContext/privileged of Deployment/shop/orders: a privileged container breaks"), "{messages:?}");
    // An opt-out the spec can give names the spec field; with it, the patch passes.
    let escalate = "- target: {kind: Deployment, name: orders}\n  ops:\n  - {op: replace, path: /spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation, value: true}\n";
    let errors = patched(escalate).unwrap_err();
    assert!(
        errors.to_string().contains("allow_privilege_escalation: true"),
        "{errors}"
    );
    let mut bundle = bundle();
    let mut objects: Vec<_> = bundle.clone().into_iter().collect();
    let mut problems = Problems::default();
    let opt_outs = OptOuts {
        allow_privilege_escalation: true,
        ..OptOuts::default()
    };
    k3score::patch::apply_to(
        &mut objects,
        &[],
        &patches(escalate),
        &ctx(),
        &opt_outs,
        PathRef::ROOT,
        &mut problems,
    );
    problems.finish(()).unwrap();
    bundle = objects.into_iter().collect();
    let container = &deployment(&bundle).spec.clone().template.spec.unwrap().containers[0];
    assert_eq!(
        container.security_context.as_ref().unwrap().allow_privilege_escalation,
        Some(true)
    );
    // Capabilities: NET_BIND_SERVICE is within restricted, others need the opt-out.
    let caps = |cap: &str| {
        format!(
            "- target: {{kind: Deployment, name: orders}}\n  ops: [{{op: add, path: /spec/template/spec/containers/0/securityContext/capabilities/add, value: [{cap}]}}]\n"
        )
    };
    patched(&caps("NET_BIND_SERVICE")).unwrap();
    let errors = patched(&caps("NET_ADMIN")).unwrap_err();
    assert_eq!(errors.0[0].path.to_string(), "patches[0].ops[0].value[0]");
    assert!(errors.to_string().contains("add_capabilities: [NET_ADMIN]"), "{errors}");
}

#[test]
fn a_failing_test_op_aborts_the_targets_patch_with_its_index() {
    let mut bundle = bundle();
    let before = bundle.clone();
    let errors = bundle
        .patch(
            &patches(
                "- target: {kind: ConfigMap, name: settings}\n  ops:\n  - {op: replace, path: /data/mode, value: fast}\n  - {op: add, path: /data/other, value: x}\n  - {op: test, path: /data/mode, value: slow}\n- target: {kind: Deployment, name: orders}\n  ops: [{op: replace, path: /spec/replicas, value: 5}]\n",
            ),
            &ctx(),
        )
        .unwrap_err();
    assert_eq!(
        errors.messages(),
        [
            "patches[0].ops[2]: test failed: /data/mode is \"slow\", not the value given; no operation of this patch was applied to ConfigMap/shop/settings"
        ]
    );
    assert_eq!(settings(&bundle), settings(&before));
    // The other target's patch went through.
    assert_eq!(deployment(&bundle).spec.clone().replicas, Some(5));
}

#[test]
fn a_target_that_matches_nothing_is_an_error() {
    let errors = patched("- target: {kind: Deployment, name: order}\n  ops: [{op: remove, path: /spec/replicas}]\n")
        .unwrap_err();
    assert_eq!(
        errors.messages(),
        ["patches[0].target: no Deployment named \"order\" here: its Deployments are orders"]
    );
    let errors = patched("- target: {kind: Pod, name: orders}\n  ops: [{op: remove, path: /spec}]\n").unwrap_err();
    assert!(
        errors
            .to_string()
            .starts_with("patches[0].target.kind: \"Pod\" is not a kind the suite renders")
    );
    let errors = patched("- target: {kind: Job, name: orders}\n  ops: [{op: remove, path: spec}]\n").unwrap_err();
    assert_eq!(errors.0[0].path.to_string(), "patches[0].ops[0].path");
    let errors = patched("- target: {kind: ConfigMap, name: settings}\n  ops: [{op: remove, path: /data/absent}]\n")
        .unwrap_err();
    assert!(
        errors
            .to_string()
            .starts_with("patches[0].ops[0]: path /data/absent does not exist"),
        "{errors}"
    );
}

#[test]
fn identity_and_selectors_cannot_change() {
    for (path, value) in [
        ("/metadata/name", "other"),
        ("/metadata/namespace", "other"),
        ("/kind", "StatefulSet"),
        ("/apiVersion", "apps/v2"),
        ("/spec/selector/matchLabels", "{a: b}"),
    ] {
        let errors = patched(&format!(
            "- target: {{kind: Deployment, name: orders}}\n  ops: [{{op: replace, path: {path}, value: {value}}}]\n"
        ))
        .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors}");
        assert!(
            errors.0[0].path.to_string().starts_with("patches[0].ops[0]"),
            "{errors}"
        );
        assert!(errors.to_string().contains("a patch cannot change"), "{errors}");
    }
}

#[test]
fn env_names_respect_min_kubernetes() {
    let old = Context::new(
        Target {
            min_kubernetes: k3score::target::KubeVersion::new(1, 33),
            ..Target::local()
        },
        "shop".parse().unwrap(),
    );
    let mut bundle = bundle();
    let errors = bundle
        .patch(
            &patches(
                "- target: {kind: Deployment, name: orders}\n  ops: [{op: add, path: /spec/template/spec/containers/0/env, value: [{name: 'my.var:x', value: '1'}]}]\n",
            ),
            &old,
        )
        .unwrap_err();
    assert_eq!(
        errors.0[0].path.to_string(),
        "patches[0].ops[0].value[0].name",
        "{errors}"
    );
}

fn extra(yaml: &str) -> Vec<ExtraObject> {
    k3score::yaml::from_yaml(yaml).unwrap()
}

#[test]
fn extra_objects_take_the_namespace_and_the_same_checks() {
    let mut bundle = bundle();
    bundle
        .add_objects(
            &extra(
                "- {apiVersion: v1, kind: ConfigMap, metadata: {name: extra}, data: {a: b}}\n- {apiVersion: v1, kind: Namespace, metadata: {name: team}}\n",
            ),
            &ctx(),
        )
        .unwrap();
    assert_eq!(
        bundle.get::<ConfigMap>("extra").unwrap().metadata.namespace.as_deref(),
        Some("shop")
    );
    assert_eq!(bundle.get::<Namespace>("team").unwrap().metadata.namespace, None);
    // Apply order: the Namespace goes first.
    assert_eq!(bundle.in_apply_order()[0].name(), "team");

    let errors = self::bundle()
        .add_objects(
            &extra(
                "- {apiVersion: v1, kind: ConfigMap, metadata: {name: settings}}\n- {apiVersion: v1, kind: Pod, metadata: {name: p}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, date: {a: b}}\n- {apiVersion: v1, kind: Namespace, metadata: {name: team, namespace: shop}}\n- {apiVersion: apps/v1, kind: ConfigMap, metadata: {name: why}}\n- {apiVersion: v1, kind: ConfigMap}\n",
            ),
            &ctx(),
        )
        .unwrap_err();
    let messages = errors.messages();
    assert_eq!(messages.len(), 6, "{messages:#?}");
    assert_eq!(
        messages[0],
        "objects[0].metadata.name: duplicate object \"ConfigMap/shop/settings\""
    );
    assert!(
        messages[1].starts_with("objects[1].kind: v1 Pod: not a kind the suite knows"),
        "{messages:#?}"
    );
    assert_eq!(
        messages[2],
        "objects[2].date: /date is not a field of ConfigMap: it would be dropped on the way to YAML (check its spelling and place)"
    );
    assert!(
        messages[3].starts_with("objects[3].metadata.namespace: this kind is cluster-scoped"),
        "{messages:#?}"
    );
    assert_eq!(
        messages[4],
        "objects[4].kind: apps/v1 ConfigMap: ConfigMap is known as apiVersion v1"
    );
    assert_eq!(messages[5], "objects[5].metadata: missing: `metadata.name`");
}

#[test]
fn extra_workloads_are_checked_for_restricted_and_patches_reach_extra_objects() {
    let mut base = bundle();
    let errors = base
        .add_objects(
            &extra(
                "- apiVersion: batch/v1\n  kind: Job\n  metadata: {name: migrate}\n  spec:\n    template:\n      spec:\n        restartPolicy: Never\n        hostPID: true\n        containers: [{name: migrate, image: 'ghcr.io/acme/migrate:1'}]\n",
            ),
            &ctx(),
        )
        .unwrap_err();
    let paths: Vec<String> = errors.paths();
    assert!(
        paths.contains(&"objects[0].spec.template.spec.hostPID".to_owned()),
        "{paths:?}"
    );
    assert!(
        paths.contains(
            &"objects[0].spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation".to_owned()
        ),
        "{paths:?}"
    );

    // objects first, then patches that may target them.
    let mut objects: Vec<_> = base.into_iter().collect();
    let mut problems = Problems::default();
    k3score::patch::apply_to(
        &mut objects,
        &extra("- {apiVersion: v1, kind: ConfigMap, metadata: {name: extra}, data: {a: b}}\n"),
        &patches("- target: {kind: ConfigMap, name: extra}\n  ops: [{op: add, path: /data/c, value: d}]\n"),
        &ctx(),
        &OptOuts::default(),
        PathRef::ROOT.field("apps").index(1),
        &mut problems,
    );
    problems.finish(()).unwrap();
    let bundle: Bundle = objects.into_iter().collect();
    assert_eq!(
        bundle.get::<ConfigMap>("extra").unwrap().data.as_ref().unwrap()["c"],
        "d"
    );
}

#[test]
fn custom_resources_round_trip_with_k3scrd_deserialize() {
    // k3score's tests build with k3scrd's `deserialize`: a typed custom resource reads back.
    let mut bundle = Bundle::new();
    bundle
        .add_objects(
            &extra(
                "- apiVersion: keda.sh/v1alpha1\n  kind: ScaledObject\n  metadata: {name: orders}\n  spec:\n    scaleTargetRef: {name: orders}\n    triggers: [{type: cpu, metadata: {value: '70'}}]\n",
            ),
            &ctx(),
        )
        .unwrap();
    let errors = bundle
        .patch(
            &patches(
                "- target: {kind: ScaledObject, name: orders}\n  ops: [{op: add, path: /spec/notAField, value: 1}]\n",
            ),
            &ctx(),
        )
        .unwrap_err();
    assert!(
        errors
            .to_string()
            .contains("/spec/notAField is not a field of ScaledObject"),
        "{errors}"
    );
}
