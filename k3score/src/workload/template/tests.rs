//! Tests of the pod-template settings: every one rendered at once, restricted, and their
//! error cases with paths.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;

use super::*;
use crate::Object;
use crate::ports::Port;
use crate::target::{KubeVersion, Target};
use crate::workload::ConfigFile;
use crate::workload::render::tests::restricted_violations;

const TEMPLATE: &str = r#"{
  "metadata": {"labels": {"team": "shop"}, "annotations": {"argocd.argoproj.io/sync-wave": "1"}},
  "pod": {"labels": {"tier": "web"}, "annotations": {"prometheus.io/scrape": "true"}},
  "image_pull_secrets": ["regcred"],
  "image_pull_policy": "if_not_present",
  "placement": {"node_selector": {"kubernetes.io/arch": "arm64"},
                "tolerations": [{"key": "dedicated", "value": "batch", "effect": "no_schedule"}],
                "spread": "hostname",
                "affinity": {"node": {"required": [{"key": "kubernetes.io/os", "operator": "in", "values": ["linux"]}]}},
                "priority_class": "high", "runtime_class": "gvisor"},
  "sidecars": [{"name": "logs", "image": "fluent/fluent-bit:3.2", "ports": [{"name": "logs-metrics", "port": 2020}],
                "env": {"HOST": "${LOKI}", "TOKEN": {"secret": "loki-token"}},
                "probes": {"readiness": {"http": "/health", "port": "logs-metrics"}},
                "volumes": [{"name": "data", "mount_path": "/logs", "read_only": true}],
                "security_context": {"run_as_user": 10002}}],
  "lifecycle": {"pre_stop": {"sleep": "5s"}, "post_start": {"http": "/warm"}},
  "config_files": [{"path": "/etc/app/config.yaml", "content": "level: info\n"}]
}"#;

#[derive(serde_derive::Deserialize)]
#[serde(deny_unknown_fields)]
struct Blocks {
    metadata: crate::workload::Metadata,
    pod: crate::workload::Metadata,
    image_pull_secrets: Vec<crate::names::DnsSubdomain>,
    image_pull_policy: crate::workload::ImagePullPolicy,
    placement: crate::workload::Placement,
    sidecars: Vec<Sidecar>,
    lifecycle: crate::workload::Lifecycle,
    config_files: Vec<ConfigFile>,
}

fn workload() -> Workload {
    let b: Blocks = serde_json::from_str(TEMPLATE).unwrap();
    let mut w = Workload::new("web".parse().unwrap(), "ghcr.io/acme/web:1.0.0");
    w.ports = vec![Port::tcp("http".parse().unwrap(), 8080)];
    w.volumes = vec![serde_json::from_str(r#"{"name": "data", "mount_path": "/data", "empty_dir": {}}"#).unwrap()];
    w.resources = serde_json::from_str(r#"{"gpu": {"count": 1, "vendor": "nvidia", "product": "nvidia-l4"}}"#).unwrap();
    (w.metadata, w.pod, w.image_pull_secrets, w.image_pull_policy) =
        (b.metadata, b.pod, b.image_pull_secrets, Some(b.image_pull_policy));
    (w.placement, w.sidecars, w.lifecycle, w.config_files) = (b.placement, b.sidecars, b.lifecycle, b.config_files);
    w
}

fn ctx() -> Context {
    Context::new(Target::local(), "shop".parse().unwrap()).with_variable("LOKI", "loki.monitoring")
}

fn errors(result: Result<crate::workload::RenderedWorkload, crate::Errors>) -> Vec<String> {
    result.unwrap_err().messages()
}

#[test]
fn every_setting_renders_and_stays_restricted() {
    let w = workload();
    let rendered = w.render(&ctx()).unwrap();
    let template = rendered.pod_template;
    let meta = template.metadata.unwrap();
    assert_eq!(meta.labels.as_ref().unwrap()["tier"], "web");
    assert_eq!(meta.labels.as_ref().unwrap()["app.kubernetes.io/name"], "web");
    let annotations = meta.annotations.unwrap();
    assert_eq!(annotations["prometheus.io/scrape"], "true");
    let data = BTreeMap::from([("etc-app-config.yaml".to_owned(), "level: info\n".to_owned())]);
    assert_eq!(annotations["checksum/config"], crate::workload::checksum(&data));
    let spec = template.spec.unwrap();
    assert_eq!(restricted_violations(&spec), Vec::<String>::new());
    // GPU scheduling and placement merge.
    let selector = spec.node_selector.as_ref().unwrap();
    assert_eq!(selector["kubernetes.io/arch"], "arm64");
    assert_eq!(selector["cloud.google.com/gke-accelerator"], "nvidia-l4");
    let tolerations: Vec<_> = spec
        .tolerations
        .iter()
        .flatten()
        .map(|t| t.key.clone().unwrap())
        .collect();
    assert_eq!(tolerations, ["nvidia.com/gpu", "dedicated"]);
    assert!(spec.affinity.as_ref().unwrap().node_affinity.is_some());
    let spread = &spec.topology_spread_constraints.as_ref().unwrap()[0];
    assert_eq!(spread.topology_key, "kubernetes.io/hostname");
    assert_eq!(
        spread.label_selector.as_ref().unwrap().match_labels,
        Some(w.labels.selector())
    );
    assert_eq!(spec.priority_class_name.as_deref(), Some("high"));
    assert_eq!(spec.runtime_class_name.as_deref(), Some("gvisor"));
    assert_eq!(spec.image_pull_secrets.as_ref().unwrap()[0].name, "regcred");
    // The main container: pull policy, lifecycle, the config file mount.
    let main = &spec.containers[0];
    assert_eq!(main.image_pull_policy.as_deref(), Some("IfNotPresent"));
    let lifecycle = main.lifecycle.as_ref().unwrap();
    assert_eq!(lifecycle.pre_stop.as_ref().unwrap().sleep.as_ref().unwrap().seconds, 5);
    let mount = main
        .volume_mounts
        .iter()
        .flatten()
        .find(|m| m.name == "config-files")
        .unwrap();
    assert_eq!(
        (mount.mount_path.as_str(), mount.sub_path.as_deref(), mount.read_only),
        ("/etc/app/config.yaml", Some("etc-app-config.yaml"), Some(true))
    );
    // The sidecar: a restartable init container with its own env, mounts and writable /tmp.
    let sidecar = &spec.init_containers.as_ref().unwrap()[0];
    assert_eq!(sidecar.restart_policy.as_deref(), Some("Always"));
    assert_eq!(sidecar.image_pull_policy.as_deref(), Some("IfNotPresent"));
    let env = sidecar.env.as_ref().unwrap();
    assert_eq!(env[0].value.as_deref(), Some("loki.monitoring"));
    assert_eq!(
        env[1]
            .value_from
            .as_ref()
            .unwrap()
            .secret_key_ref
            .as_ref()
            .unwrap()
            .name,
        "loki-token"
    );
    let mounts: Vec<(&str, &str)> = sidecar
        .volume_mounts
        .iter()
        .flatten()
        .map(|m| (m.name.as_str(), m.mount_path.as_str()))
        .collect();
    assert_eq!(mounts, [("data", "/logs"), ("writable-logs-tmp", "/tmp")]);
    assert_eq!(sidecar.security_context.as_ref().unwrap().run_as_user, Some(10002));
    assert!(sidecar.readiness_probe.is_some());
    assert!(spec.volumes.iter().flatten().any(|v| v.name == "writable-logs-tmp"));
    // The ConfigMap, the object metadata, the sidecar's secret and its port.
    let config_map = rendered.objects.iter().find_map(|o| match o {
        Object::ConfigMap(c) => Some(c),
        _ => None,
    });
    let config_map: &ConfigMap = config_map.unwrap();
    assert_eq!(config_map.metadata.name.as_deref(), Some("web-config-files"));
    assert_eq!(config_map.data.as_ref(), Some(&data));
    let meta = w.object_meta("web", Some("shop".into()), w.labels.labels());
    assert_eq!(meta.labels.unwrap()["team"], "shop");
    assert_eq!(meta.annotations.unwrap()["argocd.argoproj.io/sync-wave"], "1");
    let refs = w.secret_refs();
    assert_eq!(refs[0].path.to_string(), "sidecars[0].env.TOKEN");
    let ports: Vec<&str> = w.pod_ports().map(|p| p.name.as_str()).collect();
    assert_eq!(ports, ["http", "logs-metrics"]);
}

#[test]
fn unset_settings_change_nothing() {
    let plain = Workload::new("web".parse().unwrap(), "ghcr.io/acme/web:1.0.0");
    let rendered = plain.render(&ctx()).unwrap();
    let template = rendered.pod_template;
    assert_eq!(template.metadata.unwrap().annotations, None);
    let spec = template.spec.unwrap();
    assert_eq!((spec.affinity, spec.topology_spread_constraints), (None, None));
    assert_eq!((spec.init_containers, spec.image_pull_secrets), (None, None));
    assert_eq!(spec.containers[0].lifecycle, None);
    assert_eq!(plain.object_meta("web", None, plain.labels.labels()).annotations, None);
}

#[test]
fn old_kubernetes_refuses_sidecars_and_the_sleep_hook() {
    let w = workload();
    let old = Context {
        target: Target {
            min_kubernetes: KubeVersion::new(1, 30),
            ..Target::local()
        },
        ..ctx()
    };
    assert_eq!(
        errors(w.render(&old)),
        [
            "sidecars: native sidecars is not supported by Kubernetes 1.30 (the target's min_kubernetes): they need Kubernetes 1.33 (SidecarContainers GA); raise min_kubernetes",
        ]
    );
    let older = Context {
        target: Target {
            min_kubernetes: KubeVersion::new(1, 29),
            ..Target::local()
        },
        ..ctx()
    };
    let errs = errors(w.render(&older));
    assert_eq!(errs.len(), 2);
    assert!(errs[1].starts_with("lifecycle.pre_stop.sleep: the sleep hook action is not supported by Kubernetes 1.29"));
    let mut unread = workload();
    unread.config_files[0] = ConfigFile {
        path: "/etc/app/config.yaml".into(),
        content: None,
        from: Some("./config.yaml".into()),
    };
    assert_eq!(
        errors(unread.render(&ctx())),
        [
            "config_files[0].from: \"./config.yaml\" was not read: k3sgen reads files next to the spec; in Rust, set content"
        ]
    );
}

#[test]
fn error_cases_name_their_paths() {
    let mut w = workload();
    w.pod.labels.insert("app.kubernetes.io/instance".into(), "other".into());
    w.metadata.annotations.insert("not a key".into(), "x".into());
    w.image_pull_secrets.push("regcred".parse().unwrap());
    w.placement
        .node_selector
        .insert("cloud.google.com/gke-accelerator".into(), "nvidia-t4".into());
    let mut second = w.sidecars[0].clone();
    second.ports = vec![Port::tcp("http".parse().unwrap(), 2020)];
    second.volumes[0].name = "nope".parse().unwrap();
    second.resources.gpu = w.resources.gpu.clone();
    second.security_context.fs_group = Some(2000);
    w.sidecars.push(second);
    w.lifecycle.post_start = Some(crate::workload::Hook::Http {
        path: "/warm".into(),
        port: Some(crate::ports::PortRef::Name("admin".parse().unwrap())),
    });
    w.config_files.push(ConfigFile::new("/etc/app/config.yaml", ""));
    assert_eq!(
        errors(w.render(&ctx())),
        [
            "sidecars[1].security_context.writable_paths[0]: conflict: \"/tmp\" needs the volume name \"writable-logs-tmp\", which is already used",
            "metadata.annotations.not a key: invalid label key \"not a key\": must be alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
            "pod.labels.app.kubernetes.io/instance: conflict: app.kubernetes.io/instance is a selector label and must stay \"web\"",
            "image_pull_secrets[1]: duplicate image pull secret \"regcred\"",
            "placement.node_selector.cloud.google.com/gke-accelerator: conflict: resources.gpu selects cloud.google.com/gke-accelerator=\"nvidia-l4\" for its GPU product",
            "lifecycle.post_start.port: port \"admin\" names no port in ports",
            "sidecars[1].probes.readiness.port: port \"logs-metrics\" names no port in ports",
            "sidecars[1].resources.gpu: GPUs belong to the app's container, not a sidecar",
            "sidecars[1].security_context.fs_group: fs_group is pod-wide: set it in the app's security_context",
            "sidecars[1].volumes[0].name: \"nope\" is not one of the app's volumes",
            "sidecars[1].name: duplicate container name \"logs\"",
            "sidecars[1].ports[0].name: duplicate port name in the pod \"http\"",
            "sidecars[1].ports[0].port: duplicate port in the pod \"2020/TCP\"",
            "config_files[1].path: duplicate config file \"/etc/app/config.yaml\"",
        ]
    );
}
