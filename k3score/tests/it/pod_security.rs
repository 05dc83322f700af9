//! The default pod template passes the Pod Security `restricted` profile.
//!
//! How it is checked: [`violations`] implements every control of REFERENCE.md §11 (the
//! `baseline` controls P2 plus the `restricted` ones P3-P8, as kubernetes/pod-security-admission
//! `policy/check_*.go` define them) over a typed `PodSpec`. It runs over
//!
//! - `Workload::render` and `Workload::render_stateful` with every default,
//! - a workload with every block set (ports, all env kinds, env_from, every volume type, all
//!   four probe kinds, resources with a GPU, security settings, workload identity, init
//!   containers),
//! - every Deployment in the golden files of `tests/golden/`,
//!
//! and must find nothing. The checker itself can fail: each explicit opt-out in the spec
//! (`allow_privilege_escalation`, an extra capability) and each hand-made breach of a control
//! must be reported, with the control's key.

use k3score::workload::{Capability, Workload};
use k3score::{Context, Target};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{
    Capabilities, Container, EphemeralContainer, HostPathVolumeSource, Lifecycle, PodSpec, Probe, SeccompProfile,
    SecurityContext, Volume,
};

/// Sysctls the `baseline` profile allows (pod-security-admission `check_sysctls.go`, latest).
const SAFE_SYSCTLS: [&str; 12] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];
/// SELinux types `baseline` allows (P2).
const SELINUX_TYPES: [&str; 3] = ["container_t", "container_init_t", "container_kvm_t"];
/// Seccomp and AppArmor profile types `restricted` / `baseline` allow (P2, P8).
const PROFILE_TYPES: [&str; 2] = ["RuntimeDefault", "Localhost"];

/// The fields of a container the profile looks at; regular, init and ephemeral containers alike.
struct ContainerView<'a> {
    name: &'a str,
    security: Option<&'a SecurityContext>,
    host_ports: Vec<i32>,
    probes: Vec<&'a Probe>,
    lifecycle: Option<&'a Lifecycle>,
}

macro_rules! view {
    ($c:expr) => {
        ContainerView {
            name: &$c.name,
            security: $c.security_context.as_ref(),
            host_ports: $c.ports.iter().flatten().filter_map(|p| p.host_port).collect(),
            probes: [&$c.startup_probe, &$c.readiness_probe, &$c.liveness_probe]
                .into_iter()
                .flatten()
                .collect(),
            lifecycle: $c.lifecycle.as_ref(),
        }
    };
}

fn containers(spec: &PodSpec) -> Vec<ContainerView<'_>> {
    let regular = spec.containers.iter().chain(spec.init_containers.iter().flatten());
    let mut views: Vec<ContainerView<'_>> = regular.map(|c: &Container| view!(c)).collect();
    let ephemeral = spec.ephemeral_containers.iter().flatten();
    views.extend(ephemeral.map(|c: &EphemeralContainer| view!(c)));
    views
}

/// Every violation of the `restricted` profile in `spec`, each naming its REFERENCE §11 key.
fn violations(spec: &PodSpec) -> Vec<String> {
    let mut v = Vec::new();
    let pod = spec.security_context.clone().unwrap_or_default();
    // P2: host namespaces.
    for (field, set) in [
        ("hostNetwork", spec.host_network),
        ("hostPID", spec.host_pid),
        ("hostIPC", spec.host_ipc),
    ] {
        if set == Some(true) {
            v.push(format!("pod: {field} (P2)"));
        }
    }
    // P2: SELinux, AppArmor and sysctls at pod level.
    if let Some(se) = &pod.se_linux_options {
        check_selinux(
            "pod",
            se.type_.as_deref(),
            se.user.is_some() || se.role.is_some(),
            &mut v,
        );
    }
    if let Some(profile) = &pod.app_armor_profile
        && !PROFILE_TYPES.contains(&profile.type_.as_str())
    {
        v.push(format!("pod: AppArmor profile {} (P2)", profile.type_));
    }
    for sysctl in pod.sysctls.iter().flatten() {
        if !SAFE_SYSCTLS.contains(&sysctl.name.as_str()) {
            v.push(format!("pod: unsafe sysctl {} (P2)", sysctl.name));
        }
    }
    // P3: volume types (hostPath is also a baseline breach, P2).
    for volume in spec.volumes.iter().flatten() {
        check_volume(volume, &mut v);
    }
    // P5: runAsNonRoot at pod level or on every container (exempt with hostUsers: false).
    let user_namespaced = spec.host_users == Some(false);
    if pod.run_as_non_root == Some(false) && !user_namespaced {
        v.push("pod: runAsNonRoot false (P5)".to_owned());
    }
    // P6: no UID 0.
    if pod.run_as_user == Some(0) {
        v.push("pod: runAsUser 0 (P6)".to_owned());
    }
    // P8: seccomp at pod level, if set, must be allowed.
    let pod_seccomp = pod.seccomp_profile.as_ref().map(|p| p.type_.as_str());
    if let Some(kind) = pod_seccomp
        && !PROFILE_TYPES.contains(&kind)
    {
        v.push(format!("pod: seccomp {kind} (P8)"));
    }
    for c in containers(spec) {
        check_container(
            &c,
            pod.run_as_non_root == Some(true) || user_namespaced,
            pod_seccomp,
            &mut v,
        );
    }
    v
}

fn check_selinux(who: &str, kind: Option<&str>, user_or_role: bool, v: &mut Vec<String>) {
    if kind.is_some_and(|t| !SELINUX_TYPES.contains(&t)) || user_or_role {
        v.push(format!("{who}: custom SELinux options (P2)"));
    }
}

fn check_volume(volume: &Volume, v: &mut Vec<String>) {
    let allowed = volume.config_map.is_some()
        || volume.csi.is_some()
        || volume.downward_api.is_some()
        || volume.empty_dir.is_some()
        || volume.ephemeral.is_some()
        || volume.image.is_some()
        || volume.persistent_volume_claim.is_some()
        || volume.projected.is_some()
        || volume.secret.is_some();
    if volume.host_path.is_some() {
        v.push(format!("volume {}: hostPath (P2)", volume.name));
    }
    if !allowed {
        v.push(format!("volume {}: type not allowed (P3)", volume.name));
    }
}

fn check_container(c: &ContainerView<'_>, pod_non_root: bool, pod_seccomp: Option<&str>, v: &mut Vec<String>) {
    let n = c.name;
    let sc = c.security.cloned().unwrap_or_default();
    if sc.privileged == Some(true) {
        v.push(format!("{n}: privileged (P2)"));
    }
    if c.host_ports.iter().any(|p| *p != 0) {
        v.push(format!("{n}: hostPort (P2)"));
    }
    if let Some(se) = &sc.se_linux_options {
        check_selinux(n, se.type_.as_deref(), se.user.is_some() || se.role.is_some(), v);
    }
    if let Some(profile) = &sc.app_armor_profile
        && !PROFILE_TYPES.contains(&profile.type_.as_str())
    {
        v.push(format!("{n}: AppArmor profile {} (P2)", profile.type_));
    }
    if sc.proc_mount.as_deref().is_some_and(|m| m != "Default") {
        v.push(format!("{n}: procMount (P2)"));
    }
    let handlers = c.lifecycle.iter().flat_map(|l| [&l.post_start, &l.pre_stop]).flatten();
    let http_hosts = c.probes.iter().filter_map(|p| p.http_get.as_ref()).map(|h| &h.host);
    let http_hosts = http_hosts.chain(handlers.clone().filter_map(|h| h.http_get.as_ref()).map(|h| &h.host));
    let tcp_hosts = c.probes.iter().filter_map(|p| p.tcp_socket.as_ref()).map(|t| &t.host);
    let tcp_hosts = tcp_hosts.chain(handlers.filter_map(|h| h.tcp_socket.as_ref()).map(|t| &t.host));
    if http_hosts.chain(tcp_hosts).any(Option::is_some) {
        v.push(format!("{n}: probe or lifecycle host (P2)"));
    }
    if sc.allow_privilege_escalation != Some(false) {
        v.push(format!("{n}: allowPrivilegeEscalation not false (P4)"));
    }
    match sc.run_as_non_root {
        Some(false) => v.push(format!("{n}: runAsNonRoot false (P5)")),
        None if !pod_non_root => v.push(format!("{n}: runAsNonRoot unset and not set on the pod (P5)")),
        Some(true) | None => {}
    }
    if sc.run_as_user == Some(0) {
        v.push(format!("{n}: runAsUser 0 (P6)"));
    }
    let caps = sc.capabilities.clone().unwrap_or_default();
    if !caps.drop.iter().flatten().any(|d| d == "ALL") {
        v.push(format!("{n}: capabilities do not drop ALL (P7)"));
    }
    for add in caps.add.iter().flatten().filter(|a| *a != "NET_BIND_SERVICE") {
        v.push(format!("{n}: adds capability {add} (P7)"));
    }
    match (sc.seccomp_profile.as_ref().map(|p| p.type_.as_str()), pod_seccomp) {
        (Some(kind), _) if !PROFILE_TYPES.contains(&kind) => v.push(format!("{n}: seccomp {kind} (P8)")),
        (None, None) => v.push(format!("{n}: no seccomp profile on the container or the pod (P8)")),
        (Some(_) | None, _) => {}
    }
}

fn ctx() -> Context {
    let values = [
        ("orders-api-key.value", "k"),
        ("orders-env.TOKEN", "t"),
        ("API_KEY", "k"),
    ];
    let values = values.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    Context::new(Target::local(), "shop".parse().unwrap())
        .with_variable("DB_HOST", "db")
        .with_secret_values(values)
}

fn pod(w: &Workload) -> PodSpec {
    w.render(&ctx()).unwrap().pod_template.spec.unwrap()
}

/// A workload with every block of the pod template set.
fn every_block() -> Workload {
    let spec = r#"{
      "ports": [{"name": "http", "port": 8080}, {"name": "grpc", "port": 9000}, {"name": "dns", "port": 5353, "protocol": "udp"}],
      "resources": {"cpu": "500m", "memory": "1Gi", "ephemeral_storage": "2Gi", "limits": {"cpu": 2, "memory": "2Gi"},
                    "gpu": {"count": 1, "product": "nvidia-l4"}},
      "env": {"LOG_LEVEL": "info", "DATABASE_URL": "postgres://${DB_HOST}/orders", "API_KEY": {"secret": "orders-api-key"},
              "SETTINGS": {"config_map": "orders-settings", "key": "settings.json"}, "POD_IP": {"field": "status.podIP"}},
      "env_from": [{"secret": "orders-env"}, {"config_map": "orders-config"}],
      "volumes": [
        {"name": "cache", "mount_path": "/cache", "empty_dir": {"size": "1Gi", "medium": "memory"}},
        {"name": "data", "mount_path": "/data", "pvc": {"size": "10Gi", "access_mode": "read_write_once_pod"}},
        {"name": "shared", "mount_path": "/shared", "pvc": {"claim": "existing-claim"}, "read_only": true},
        {"name": "tls", "mount_path": "/tls", "secret": {"name": "orders-tls", "items": [{"key": "tls.crt", "path": "cert.pem"}]}},
        {"name": "conf", "mount_path": "/etc/orders", "config_map": {"name": "orders-conf"}, "sub_path": "orders.yaml"}],
      "probes": {"startup": {"exec": ["/app/ready"]}, "readiness": {"http": "/ready", "port": "http"},
                 "liveness": {"grpc": "grpc", "service": "orders"}},
      "security_context": {"run_as_user": 10001, "run_as_group": 10001, "fs_group": 10001,
                           "writable_paths": ["/tmp", "/var/run/orders"], "add_capabilities": ["NET_BIND_SERVICE"]},
      "service_account": {"automount_token": true, "workload_identity": {"gcp": "orders@acme-prod.iam.gserviceaccount.com"}}
    }"#;
    #[derive(serde_derive::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Blocks {
        ports: Vec<k3score::ports::Port>,
        resources: k3score::resources::Resources,
        env: k3score::workload::Env,
        env_from: Vec<k3score::workload::EnvFrom>,
        volumes: Vec<k3score::workload::Volume>,
        probes: k3score::workload::Probes,
        security_context: k3score::workload::ContainerSecurity,
        service_account: k3score::identity::ServiceAccountSpec,
    }
    let b: Blocks = serde_json::from_str(spec).unwrap();
    let mut w = Workload::new("orders".parse().unwrap(), "ghcr.io/acme/orders:1.4.2");
    (w.ports, w.resources, w.env, w.env_from, w.volumes) = (b.ports, b.resources, b.env, b.env_from, b.volumes);
    (w.probes, w.security, w.service_account) = (b.probes, b.security_context, b.service_account);
    w.command = vec!["/app/orders".into()];
    w.args = vec!["--listen=:8080".into()];
    w.working_dir = Some("/app".into());
    w.termination_grace_period = Some(60);
    w.init_containers = vec![k3score::workload::InitContainer {
        name: "migrate".parse().unwrap(),
        image: "ghcr.io/acme/orders-migrate:1.4.2".into(),
        command: vec!["/app/migrate".into()],
        args: vec!["up".into()],
    }];
    w
}

#[test]
fn default_workload_is_restricted() {
    let w = Workload::new("orders".parse().unwrap(), "ghcr.io/acme/orders:1.4.2");
    assert!(w.security.is_restricted());
    assert_eq!(violations(&pod(&w)), Vec::<String>::new());
    let stateful = w.render_stateful(&ctx()).unwrap().pod_template.spec.unwrap();
    assert_eq!(violations(&stateful), Vec::<String>::new());
}

#[test]
fn workload_with_every_block_is_restricted() {
    let w = every_block();
    assert!(w.security.is_restricted());
    let spec = pod(&w);
    assert_eq!(spec.init_containers.as_ref().map(Vec::len), Some(1));
    assert_eq!(spec.volumes.as_ref().map(Vec::len), Some(7)); // 5 volumes + 2 writable paths
    assert_eq!(violations(&spec), Vec::<String>::new());
    let stateful = w.render_stateful(&ctx()).unwrap().pod_template.spec.unwrap();
    assert_eq!(violations(&stateful), Vec::<String>::new());
}

#[test]
fn every_golden_deployment_is_restricted() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");
    let mut checked = 0;
    for area in std::fs::read_dir(root).unwrap() {
        for file in std::fs::read_dir(area.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for doc in text.split("\n---\n").filter(|d| d.contains("\nkind: Deployment\n")) {
                let deployment: Deployment = k3score::yaml::from_yaml(doc).unwrap();
                let spec = deployment.spec.template.spec.unwrap();
                assert_eq!(violations(&spec), Vec::<String>::new(), "{}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} Deployments in the goldens");
}

#[test]
fn explicit_opt_outs_fail_the_checker() {
    let mut w = every_block();
    w.security.allow_privilege_escalation = true;
    assert!(!w.security.is_restricted());
    assert_eq!(
        violations(&pod(&w)),
        [
            "orders: allowPrivilegeEscalation not false (P4)",
            "migrate: allowPrivilegeEscalation not false (P4)"
        ]
    );
    let mut w = every_block();
    w.security.add_capabilities = vec![Capability::NetBindService, Capability::NetRaw];
    assert!(!w.security.is_restricted());
    assert_eq!(
        violations(&pod(&w)),
        [
            "orders: adds capability NET_RAW (P7)",
            "migrate: adds capability NET_RAW (P7)"
        ]
    );
}

/// The violations expected after a change to a compliant pod, and the change.
type Breach = (&'static [&'static str], fn(&mut PodSpec));

#[test]
fn every_control_can_fail() {
    let base = pod(&Workload::new("orders".parse().unwrap(), "ghcr.io/acme/orders:1.4.2"));
    let breaches: [Breach; 10] = [
        (&["pod: hostNetwork (P2)"], |s| s.host_network = Some(true)),
        (
            &["volume host: hostPath (P2)", "volume host: type not allowed (P3)"],
            |s| {
                s.volumes.get_or_insert_with(Vec::new).push(Volume {
                    name: "host".into(),
                    host_path: Some(HostPathVolumeSource {
                        path: "/var/run".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                });
            },
        ),
        (&["orders: privileged (P2)"], |s| container(s).privileged = Some(true)),
        (&["orders: runAsNonRoot false (P5)"], |s| {
            container(s).run_as_non_root = Some(false)
        }),
        (&["pod: runAsUser 0 (P6)"], |s| {
            s.security_context.as_mut().unwrap().run_as_user = Some(0);
        }),
        (&["orders: capabilities do not drop ALL (P7)"], |s| {
            container(s).capabilities = Some(Capabilities::default());
        }),
        (&["orders: seccomp Unconfined (P8)"], |s| {
            container(s).seccomp_profile = Some(SeccompProfile {
                type_: "Unconfined".into(),
                ..Default::default()
            });
        }),
        (&["orders: no seccomp profile on the container or the pod (P8)"], |s| {
            s.security_context.as_mut().unwrap().seccomp_profile = None;
        }),
        (&["orders: allowPrivilegeEscalation not false (P4)"], |s| {
            container(s).allow_privilege_escalation = None;
        }),
        (&["orders: runAsNonRoot unset and not set on the pod (P5)"], |s| {
            s.security_context.as_mut().unwrap().run_as_non_root = None;
            container(s).run_as_non_root = None;
        }),
    ];
    for (expected, breach) in breaches {
        let mut spec = base.clone();
        breach(&mut spec);
        assert_eq!(violations(&spec), expected);
    }
}

fn container(spec: &mut PodSpec) -> &mut SecurityContext {
    spec.containers[0].security_context.get_or_insert_with(Default::default)
}
