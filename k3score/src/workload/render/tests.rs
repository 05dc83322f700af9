//! Tests of [`Workload::render`], including the Pod Security `restricted` assertions.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodSpec, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::*;
use crate::object::Object;
use crate::ports::Port;
use crate::target::Target;
use crate::workload::{Capability, EnvFrom};

const SPEC: &str = r#"{
  "ports": [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090}],
  "resources": {"cpu": "250m", "memory": "256Mi", "limits": {"memory": "512Mi"}, "ephemeral_storage": "1Gi",
                "gpu": {"count": 1, "vendor": "nvidia", "product": "nvidia-l4"}},
  "env": {"LOG_LEVEL": "info", "DATABASE_URL": "postgres://${DB_HOST}:5432/orders",
          "API_KEY": {"secret": "orders-api-key"}, "SETTINGS": {"config_map": "orders-settings", "key": "settings.json"},
          "POD_NAME": {"field": "metadata.name"}},
  "env_from": [{"secret": "orders-env"}, {"config_map": "orders-config"}],
  "volumes": [
    {"name": "cache", "mount_path": "/cache", "empty_dir": {"size": "1Gi", "medium": "memory"}},
    {"name": "data", "mount_path": "/data", "pvc": {"size": "10Gi"}},
    {"name": "shared", "mount_path": "/shared", "pvc": {"claim": "existing-claim"}},
    {"name": "tls", "mount_path": "/tls", "secret": {"name": "orders-tls"}, "read_only": true},
    {"name": "conf", "mount_path": "/etc/orders", "config_map": {"name": "orders-conf"}}],
  "probes": {"readiness": {"http": "/ready", "port": "http"}, "liveness": {"http": "/live", "port": "http", "period": 10, "failure_threshold": 3},
             "startup": {"tcp": "http"}},
  "security_context": {"run_as_user": 10001, "read_only_root_filesystem": true, "writable_paths": ["/tmp"]},
  "service_account": {"create": true, "workload_identity": {"azure": {"client_id": "11111111-2222-3333-4444-555555555555"}}}
}"#;

/// The blocks of a spec file, as an app crate would declare them.
#[derive(serde_derive::Deserialize)]
#[serde(deny_unknown_fields)]
struct Blocks {
    ports: Vec<Port>,
    resources: crate::resources::Resources,
    env: crate::workload::Env,
    env_from: Vec<EnvFrom>,
    volumes: Vec<crate::workload::Volume>,
    probes: crate::workload::Probes,
    security_context: crate::workload::ContainerSecurity,
    service_account: crate::identity::ServiceAccountSpec,
}

fn full() -> Workload {
    let b: Blocks = serde_json::from_str(SPEC).unwrap();
    let mut w = Workload::new("orders".parse().unwrap(), "ghcr.io/acme/orders:1.4.2");
    w.command = vec!["/app/orders".into()];
    w.args = vec!["--port".into(), "8080".into()];
    (w.ports, w.resources, w.env, w.env_from, w.volumes) = (b.ports, b.resources, b.env, b.env_from, b.volumes);
    (w.probes, w.security, w.service_account) = (b.probes, b.security_context, b.service_account);
    w.init_containers = vec![crate::workload::InitContainer {
        name: "migrate".parse().unwrap(),
        image: "ghcr.io/acme/orders:1.4.2".into(),
        command: vec!["/app/migrate".into()],
        args: vec![],
    }];
    w
}

fn local_ctx() -> Context {
    let values = BTreeMap::from([
        ("API_KEY".to_owned(), "k".to_owned()),
        ("orders-env.TOKEN".to_owned(), "t".to_owned()),
    ]);
    Context::new(Target::local(), "shop".parse().unwrap())
        .with_variable("DB_HOST", "db")
        .with_secret_values(values)
}

/// Every violation of the `restricted` profile (REFERENCE §11, P2-P8) in `spec`.
pub(crate) fn restricted_violations(spec: &PodSpec) -> Vec<String> {
    let mut v = Vec::new();
    let pod = spec.security_context.clone().unwrap_or_default();
    for (name, set) in [
        ("hostNetwork", spec.host_network),
        ("hostPID", spec.host_pid),
        ("hostIPC", spec.host_ipc),
    ] {
        if set == Some(true) {
            v.push(format!("{name} is true (P2)"));
        }
    }
    if pod.se_linux_options.is_some() || pod.app_armor_profile.is_some() || pod.sysctls.is_some() {
        v.push("pod SELinux/AppArmor/sysctls set (P2)".into());
    }
    if pod.run_as_non_root != Some(true) {
        v.push("pod runAsNonRoot is not true (P5)".into());
    }
    if pod.run_as_user == Some(0) {
        v.push("pod runAsUser is 0 (P6)".into());
    }
    if pod.seccomp_profile.as_ref().map(|p| p.type_.as_str()) != Some("RuntimeDefault") {
        v.push("pod seccompProfile is not RuntimeDefault (P8)".into());
    }
    for vol in spec.volumes.iter().flatten() {
        let allowed = vol.config_map.is_some()
            || vol.csi.is_some()
            || vol.downward_api.is_some()
            || vol.empty_dir.is_some()
            || vol.ephemeral.is_some()
            || vol.image.is_some()
            || vol.persistent_volume_claim.is_some()
            || vol.projected.is_some()
            || vol.secret.is_some();
        if !allowed || vol.host_path.is_some() {
            v.push(format!("volume {} has a disallowed type (P3)", vol.name));
        }
    }
    let containers = spec.containers.iter().chain(spec.init_containers.iter().flatten());
    for c in containers {
        check_container(c, &mut v);
    }
    v
}

fn check_container(c: &Container, v: &mut Vec<String>) {
    let sc = c.security_context.clone().unwrap_or_default();
    let n = &c.name;
    if sc.privileged == Some(true) {
        v.push(format!("{n}: privileged (P2)"));
    }
    if sc.se_linux_options.is_some() || sc.app_armor_profile.is_some() || sc.proc_mount.is_some() {
        v.push(format!("{n}: SELinux/AppArmor/procMount set (P2)"));
    }
    if c.ports.iter().flatten().any(|p| p.host_port.is_some_and(|h| h != 0)) {
        v.push(format!("{n}: hostPort (P2)"));
    }
    let probes: [&Option<Probe>; 3] = [&c.startup_probe, &c.readiness_probe, &c.liveness_probe];
    for p in probes.into_iter().flatten() {
        let host = p
            .http_get
            .as_ref()
            .and_then(|h| h.host.as_ref())
            .or(p.tcp_socket.as_ref().and_then(|t| t.host.as_ref()));
        if host.is_some() {
            v.push(format!("{n}: probe host (P2)"));
        }
    }
    if sc.allow_privilege_escalation != Some(false) {
        v.push(format!("{n}: allowPrivilegeEscalation is not false (P4)"));
    }
    if sc.run_as_non_root == Some(false) || sc.run_as_user == Some(0) {
        v.push(format!("{n}: runs as root (P5, P6)"));
    }
    let caps = sc.capabilities.unwrap_or_default();
    if !caps.drop.unwrap_or_default().iter().any(|d| d == "ALL") {
        v.push(format!("{n}: capabilities do not drop ALL (P7)"));
    }
    if caps.add.unwrap_or_default().iter().any(|a| a != "NET_BIND_SERVICE") {
        v.push(format!("{n}: adds a capability other than NET_BIND_SERVICE (P7)"));
    }
    if let Some(profile) = sc.seccomp_profile
        && !matches!(profile.type_.as_str(), "RuntimeDefault" | "Localhost")
    {
        v.push(format!("{n}: seccomp profile {} (P8)", profile.type_));
    }
}

#[test]
fn default_pod_template_is_restricted() {
    let w = Workload::new("orders".parse().unwrap(), "ghcr.io/acme/orders:1.4.2");
    let rendered = w.render(&local_ctx()).unwrap();
    let spec = rendered.pod_template.spec.unwrap();
    assert_eq!(restricted_violations(&spec), Vec::<String>::new());
    // The exact fields of the minimal compliant pod (REFERENCE §11) and our extra hardening.
    let pod = spec.security_context.as_ref().unwrap();
    assert_eq!(pod.run_as_non_root, Some(true));
    assert_eq!(pod.seccomp_profile.as_ref().unwrap().type_, "RuntimeDefault");
    assert_eq!(pod.run_as_user, None);
    let c = spec.containers[0].security_context.as_ref().unwrap();
    assert_eq!(c.allow_privilege_escalation, Some(false));
    assert_eq!(
        c.capabilities.as_ref().unwrap().drop.as_deref(),
        Some(&["ALL".to_owned()][..])
    );
    assert_eq!(c.capabilities.as_ref().unwrap().add, None);
    assert_eq!(c.read_only_root_filesystem, Some(true));
    assert_eq!(c.run_as_non_root, Some(true));
    assert_eq!(c.privileged, None);
    assert_eq!((spec.host_network, spec.host_pid, spec.host_ipc), (None, None, None));
    assert_eq!(spec.automount_service_account_token, Some(false));
    assert_eq!(spec.enable_service_links, Some(false));
    assert_eq!(spec.service_account_name.as_deref(), Some("orders"));
    let tmp = &spec.volumes.as_ref().unwrap()[0];
    assert_eq!((tmp.name.as_str(), tmp.empty_dir.is_some()), ("writable-tmp", true));
    assert_eq!(spec.containers[0].volume_mounts.as_ref().unwrap()[0].mount_path, "/tmp");
    assert!(spec.containers[0].resources.is_none());
    assert_eq!(rendered.objects.len(), 1);
}

#[test]
fn full_pod_template_is_restricted_and_opt_outs_are_not() {
    let rendered = full().render(&local_ctx()).unwrap();
    assert_eq!(
        restricted_violations(rendered.pod_template.spec.as_ref().unwrap()),
        Vec::<String>::new()
    );
    let mut web = full();
    web.security.add_capabilities = vec![Capability::NetBindService];
    let spec = web.render(&local_ctx()).unwrap().pod_template.spec.unwrap();
    assert!(restricted_violations(&spec).is_empty());
    let mut opted_out = full();
    opted_out.security.allow_privilege_escalation = true;
    opted_out.security.add_capabilities = vec![Capability::NetRaw];
    assert!(!opted_out.security.is_restricted());
    let spec = opted_out.render(&local_ctx()).unwrap().pod_template.spec.unwrap();
    assert_eq!(
        restricted_violations(&spec),
        [
            "orders: allowPrivilegeEscalation is not false (P4)",
            "orders: adds a capability other than NET_BIND_SERVICE (P7)",
            "migrate: allowPrivilegeEscalation is not false (P4)",
            "migrate: adds a capability other than NET_BIND_SERVICE (P7)",
        ]
    );
}

#[test]
fn full_workload_renders_every_block() {
    let rendered = full().render(&local_ctx()).unwrap();
    let meta = rendered.pod_template.metadata.as_ref().unwrap();
    let labels = meta.labels.as_ref().unwrap();
    assert_eq!(labels["app.kubernetes.io/name"], "orders");
    assert_eq!(labels["azure.workload.identity/use"], "true");
    let spec = rendered.pod_template.spec.as_ref().unwrap();
    let c = &spec.containers[0];
    assert_eq!(c.name, "orders");
    assert_eq!(c.command.as_deref(), Some(&["/app/orders".to_owned()][..]));
    let ports: Vec<_> = c
        .ports
        .iter()
        .flatten()
        .map(|p| (p.name.clone().unwrap(), p.container_port))
        .collect();
    assert_eq!(ports, [("http".to_owned(), 8080), ("metrics".to_owned(), 9090)]);
    let env: BTreeMap<_, _> = c.env.iter().flatten().map(|e| (e.name.as_str(), e)).collect();
    assert_eq!(env["DATABASE_URL"].value.as_deref(), Some("postgres://db:5432/orders"));
    assert_eq!(env["LOG_LEVEL"].value.as_deref(), Some("info"));
    let api = env["API_KEY"]
        .value_from
        .as_ref()
        .unwrap()
        .secret_key_ref
        .as_ref()
        .unwrap();
    assert_eq!((api.name.as_str(), api.key.as_str()), ("orders-api-key", "value"));
    let settings = env["SETTINGS"]
        .value_from
        .as_ref()
        .unwrap()
        .config_map_key_ref
        .as_ref()
        .unwrap();
    assert_eq!(settings.key, "settings.json");
    assert_eq!(c.env_from.as_ref().unwrap().len(), 2);
    let req = c.resources.as_ref().unwrap();
    assert_eq!(req.limits.as_ref().unwrap()["nvidia.com/gpu"].0, "1");
    assert_eq!(req.limits.as_ref().unwrap()["memory"].0, "512Mi");
    assert_eq!(
        spec.node_selector.as_ref().unwrap()["cloud.google.com/gke-accelerator"],
        "nvidia-l4"
    );
    assert_eq!(
        spec.tolerations.as_ref().unwrap()[0].key.as_deref(),
        Some("nvidia.com/gpu")
    );
    assert_eq!(spec.security_context.as_ref().unwrap().run_as_user, Some(10001));
    let readiness = c.readiness_probe.as_ref().unwrap().http_get.as_ref().unwrap();
    assert_eq!(readiness.port, IntOrString::String("http".into()));
    assert_eq!(c.liveness_probe.as_ref().unwrap().period_seconds, Some(10));
    assert!(c.startup_probe.as_ref().unwrap().tcp_socket.is_some());
    // Volumes: five declared plus /tmp; the created claim is named after the workload.
    let vols: Vec<_> = spec.volumes.iter().flatten().map(|v| v.name.as_str()).collect();
    assert_eq!(vols, ["cache", "data", "shared", "tls", "conf", "writable-tmp"]);
    let data = &spec.volumes.as_ref().unwrap()[1];
    assert_eq!(data.persistent_volume_claim.as_ref().unwrap().claim_name, "orders-data");
    let cache = spec.volumes.as_ref().unwrap()[0].empty_dir.as_ref().unwrap();
    assert_eq!(
        (cache.medium.as_deref(), cache.size_limit.as_ref().map(|q| q.0.as_str())),
        (Some("Memory"), Some("1Gi"))
    );
    let tls_mount = &c.volume_mounts.as_ref().unwrap()[3];
    assert_eq!(
        (tls_mount.mount_path.as_str(), tls_mount.read_only),
        ("/tls", Some(true))
    );
    // Init containers share env, mounts, security and resources without GPUs.
    let init = &spec.init_containers.as_ref().unwrap()[0];
    assert_eq!(init.env, c.env);
    assert_eq!(init.volume_mounts, c.volume_mounts);
    assert!(
        !init
            .resources
            .as_ref()
            .unwrap()
            .limits
            .as_ref()
            .unwrap()
            .contains_key("nvidia.com/gpu")
    );
    // Objects: ServiceAccount with the Azure annotation, the PVC; Secrets for the two secret refs.
    let kinds: Vec<_> = rendered
        .objects
        .iter()
        .map(|o| format!("{}/{}", o.kind(), o.name()))
        .collect();
    assert_eq!(kinds, ["ServiceAccount/orders", "PersistentVolumeClaim/orders-data"]);
    let Object::PersistentVolumeClaim(pvc) = &rendered.objects[1] else {
        panic!()
    };
    let pvc_spec = pvc.spec.as_ref().unwrap();
    assert_eq!(pvc_spec.storage_class_name.as_deref(), Some("local-path"));
    assert_eq!(
        pvc_spec.access_modes.as_deref(),
        Some(&["ReadWriteOnce".to_owned()][..])
    );
    assert_eq!(
        pvc_spec.resources.as_ref().unwrap().requests.as_ref().unwrap()["storage"].0,
        "10Gi"
    );
    let w = full();
    let secrets: Vec<_> = crate::secrets::render_secret_refs(&w.secret_refs(), &w.labels.labels(), &local_ctx())
        .unwrap()
        .iter()
        .map(|o| format!("{}/{}", o.kind(), o.name()))
        .collect();
    assert_eq!(secrets, ["Secret/orders-api-key", "Secret/orders-env"]);
    assert!(rendered.volume_claim_templates.is_empty());
}

#[test]
fn stateful_volumes_become_claim_templates() {
    let rendered = full()
        .render_stateful(&Context::new(Target::gcp(), "shop".parse().unwrap()).with_variable("DB_HOST", "db"))
        .unwrap();
    let spec = rendered.pod_template.spec.as_ref().unwrap();
    let vols: Vec<_> = spec.volumes.iter().flatten().map(|v| v.name.as_str()).collect();
    assert_eq!(
        vols,
        ["cache", "shared", "tls", "conf", "writable-tmp"],
        "no placeholder volume for the claim template"
    );
    assert!(
        spec.containers[0]
            .volume_mounts
            .as_ref()
            .unwrap()
            .iter()
            .any(|m| m.name == "data")
    );
    assert_eq!(rendered.volume_claim_templates.len(), 1);
    let template = &rendered.volume_claim_templates[0];
    assert_eq!(template.metadata.name.as_deref(), Some("data"));
    assert_eq!(template.metadata.namespace, None);
    let template_labels = template.metadata.labels.as_ref().unwrap();
    assert!(
        !template_labels.contains_key("app.kubernetes.io/version"),
        "claim templates are immutable"
    );
    assert_eq!(
        template.spec.as_ref().unwrap().storage_class_name.as_deref(),
        Some("standard-rwo")
    );
    assert_eq!(rendered.objects.len(), 1, "only the ServiceAccount");
    let w = full();
    let ctx = Context::new(Target::gcp(), "shop".parse().unwrap());
    let secrets = crate::secrets::render_secret_refs(&w.secret_refs(), &w.labels.labels(), &ctx).unwrap();
    let kinds: Vec<_> = secrets.iter().map(|o| o.kind().into_owned()).collect();
    assert_eq!(kinds, ["ExternalSecret", "ExternalSecret"]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut w = full();
    w.ports.push(Port::tcp("http".parse().unwrap(), 8081));
    w.env.insert("SECOND".parse().unwrap(), "${NOPE}".into());
    let ctx = Context::new(Target::local(), "shop".parse().unwrap());
    let err = w.render(&ctx).unwrap_err();
    let messages: Vec<String> = err.messages();
    assert_eq!(
        messages,
        [
            "ports[2].name: duplicate port name \"http\"",
            "env.DATABASE_URL: undefined variable ${DB_HOST}",
            "env.SECOND: undefined variable ${NOPE}",
        ]
    );
    // Secret values are checked where the secrets are rendered, once per namespace.
    let secrets = crate::secrets::render_secret_refs(&w.secret_refs(), &w.labels.labels(), &ctx).unwrap_err();
    let messages: Vec<String> = secrets.messages();
    assert_eq!(
        messages,
        [
            "env.API_KEY: secret \"orders-api-key\" has no value for key \"value\" in the provided values",
            "env_from[0]: missing: values for secret \"orders-env\": add entries orders-env.KEY=VALUE",
        ]
    );
}

#[test]
fn identity_and_restart_policy_reach_the_pod() {
    let mut w = Workload::new("job".parse().unwrap(), "busybox");
    w.service_account = crate::identity::ServiceAccountSpec::existing("runner".parse().unwrap());
    w.service_account.automount_token = true;
    w.restart_policy = Some(crate::workload::RestartPolicy::OnFailure);
    w.termination_grace_period = Some(5);
    w.security.writable_paths.clear();
    w.pod_labels.insert("tier".into(), "batch".into());
    let rendered = w.render(&local_ctx()).unwrap();
    assert!(rendered.objects.is_empty());
    let spec = rendered.pod_template.spec.as_ref().unwrap();
    assert_eq!(spec.service_account_name.as_deref(), Some("runner"));
    assert_eq!(spec.automount_service_account_token, Some(true));
    assert_eq!(spec.restart_policy.as_deref(), Some("OnFailure"));
    assert_eq!(spec.termination_grace_period_seconds, Some(5));
    assert!(spec.volumes.is_none());
    assert_eq!(rendered.pod_template.metadata.unwrap().labels.unwrap()["tier"], "batch");
}

#[test]
fn design_yaml_parses_into_the_blocks() {
    let yaml = r#"
ports: [{name: http, port: 8080}, {name: metrics, port: 9090}]
resources: {cpu: 250m, memory: 256Mi, limits: {memory: 512Mi}, ephemeral_storage: 1Gi, gpu: {count: 1, vendor: nvidia, product: nvidia-l4}}
env:
  LOG_LEVEL: info
  WORKERS: 4
  DEBUG: false
  DATABASE_URL: "postgres://${DB_HOST}:5432/orders"
  API_KEY: {secret: orders-api-key}
  SETTINGS: {config_map: orders-settings, key: settings.json}
env_from: [{secret: orders-env}, {config_map: orders-config}]
volumes:
  - {name: cache, mount_path: /cache, empty_dir: {size: 1Gi, medium: memory}}
  - {name: data, mount_path: /data, pvc: {size: 10Gi}}
  - {name: shared, mount_path: /shared, pvc: {claim: existing-claim}}
  - {name: tls, mount_path: /tls, secret: {name: orders-tls}, read_only: true}
  - {name: conf, mount_path: /etc/orders, config_map: {name: orders-conf}}
probes: {readiness: {http: /ready, port: http}, liveness: {http: /live, port: http, period: 10, failure_threshold: 3}, startup: {tcp: http}}
security_context: {run_as_user: 10001, read_only_root_filesystem: true, writable_paths: [/tmp]}
service_account: {create: true, workload_identity: {gcp: orders@acme.iam.gserviceaccount.com}}
"#;
    let b: Blocks = crate::yaml::from_yaml(yaml).unwrap();
    let var = |name: &str| b.env[&name.parse::<crate::names::EnvVarName>().unwrap()].clone();
    assert_eq!(var("WORKERS"), "4".into());
    assert_eq!(var("DEBUG"), "false".into());
    assert_eq!(b.volumes.len(), 5);
    let mut w = Workload::new("orders".parse().unwrap(), "ghcr.io/acme/orders:1.4.2");
    (w.ports, w.env, w.volumes, w.probes) = (b.ports, b.env, b.volumes, b.probes);
    let ctx = Context::new(Target::gcp(), "shop".parse().unwrap()).with_variable("DB_HOST", "db");
    assert!(w.render(&ctx).is_ok());
    let bad = "env: {VERSION: 1.10}\n";
    #[derive(Debug, serde_derive::Deserialize)]
    #[allow(dead_code)]
    struct EnvOnly {
        env: crate::workload::Env,
    }
    let err = crate::yaml::from_yaml::<EnvOnly>(bad).unwrap_err();
    assert!(err.to_string().contains("quote decimal numbers"), "{err}");
}

#[test]
#[cfg(feature = "schema")]
fn blocks_have_json_schemas() {
    let schema = schemars::schema_for!(crate::workload::Volume);
    let text = serde_json::to_string(&schema).unwrap();
    assert!(text.contains("empty_dir") && text.contains("config_map"), "{text}");
    let probe = serde_json::to_string(&schemars::schema_for!(crate::workload::Probes)).unwrap();
    assert!(probe.contains("failure_threshold"), "{probe}");
    let env = serde_json::to_string(&schemars::schema_for!(crate::workload::Env)).unwrap();
    assert!(env.contains("config_map") && env.contains("boolean"), "{env}");
}

#[test]
fn render_validated_gives_the_same_objects_and_still_checks_variables() {
    let w = full();
    let ctx = local_ctx();
    let checked = w.render(&ctx).unwrap();
    let validated = w.render_validated(&ctx, false).unwrap();
    assert_eq!(validated.pod_template, checked.pod_template);
    assert_eq!(validated.objects, checked.objects);
    let stateful = w.render_validated(&ctx, true).unwrap();
    assert_eq!(
        stateful.volume_claim_templates,
        w.render_stateful(&ctx).unwrap().volume_claim_templates
    );
    // Undefined variables are a render input problem, found either way.
    let bare = Context::new(Target::local(), "shop".parse().unwrap());
    let err = w.render_validated(&bare, false).unwrap_err().to_string();
    assert!(err.contains("undefined variable ${DB_HOST}"), "{err}");
}
