//! The Pod Security `restricted` profile checked on typed pod specs: what a patch or an extra
//! object may not bring into the bundle unless the spec opts out, and then only where an
//! opt-out exists.
//!
//! The controls and their allowed values are those of the Pod Security admission's policy
//! checks (`../shared/docs/REFERENCE.md` §11, sources P2-P8: kubernetes/pod-security-admission
//! `policy/check_*.go`), so what passes here passes a namespace that enforces `restricted`.

use std::borrow::Cow;
use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::{DaemonSetSpec, DeploymentSpec, StatefulSetSpec};
use k8s_openapi::api::batch::v1::{CronJobSpec, JobSpec};
use k8s_openapi::api::core::v1::{Container, PodSpec, SecurityContext};

use crate::error::{ErrorKind, FieldPath};
use crate::object::Object;
use crate::workload::ContainerSecurity;

/// What a spec explicitly allows beyond `restricted` (its `security_context` opt-outs), for
/// the checks after a patch or an extra object.
///
/// ```
/// use k3score::patch::OptOuts;
/// use k3score::workload::{Capability, ContainerSecurity};
/// let ping = ContainerSecurity { add_capabilities: vec![Capability::NetRaw], ..Default::default() };
/// let opt_outs = OptOuts::from(&ping);
/// assert!(opt_outs.add_capabilities.contains("NET_RAW"));
/// assert!(!opt_outs.allow_privilege_escalation);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptOuts {
    /// `security_context.allow_privilege_escalation: true`: containers may set
    /// `allowPrivilegeEscalation: true`.
    pub allow_privilege_escalation: bool,
    /// `security_context.add_capabilities`: capabilities containers may add besides
    /// `NET_BIND_SERVICE`.
    pub add_capabilities: BTreeSet<String>,
}

impl From<&ContainerSecurity> for OptOuts {
    fn from(security: &ContainerSecurity) -> Self {
        Self {
            allow_privilege_escalation: security.allow_privilege_escalation,
            add_capabilities: security
                .add_capabilities
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        }
    }
}

/// Sysctls the Pod Security admission counts as safe (`policy/check_sysctls.go`, P2).
const SAFE_SYSCTLS: &[&str] = &[
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

/// SELinux types the baseline profile allows (`policy/check_seLinuxOptions.go`, P2).
const SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// How to leave `restricted` for a control the suite never opts out of.
const NO_OPT_OUT: &str = "no spec opts out of this: the suite renders every pod for Pod Security `restricted` \
    (run such a pod from manifests of your own, in a namespace labelled for a looser profile)";

/// The pod spec of a workload object and its path inside the object (`spec.template.spec`).
// `spec` is an `Option` before Kubernetes 1.37 and a plain struct since: `Into<Option<&_>>`
// reads both (identity on 1.37).
#[allow(clippy::useless_conversion)]
pub(crate) fn pod_spec(object: &Object) -> Option<(&PodSpec, FieldPath)> {
    fn spec<T>(spec: impl Into<Option<T>>) -> Option<T> {
        spec.into()
    }
    let template = || FieldPath::root().field("spec").field("template").field("spec");
    let pod = match object {
        Object::Deployment(o) => spec::<&DeploymentSpec>(&o.spec)?.template.spec.as_ref(),
        Object::StatefulSet(o) => spec::<&StatefulSetSpec>(&o.spec)?.template.spec.as_ref(),
        Object::DaemonSet(o) => spec::<&DaemonSetSpec>(&o.spec)?.template.spec.as_ref(),
        Object::Job(o) => spec::<&JobSpec>(&o.spec)?.template.spec.as_ref(),
        Object::CronJob(o) => {
            let job = spec::<&CronJobSpec>(&o.spec)?.job_template.spec.as_ref()?;
            let at = FieldPath::root().field("spec").field("jobTemplate").field("spec");
            return job
                .template
                .spec
                .as_ref()
                .map(|s| (s, at.field("template").field("spec")));
        }
        _ => None,
    };
    pod.map(|s| (s, template()))
}

/// Every `restricted` violation of `object`'s pod spec that `opt_outs` does not allow, each
/// with its path inside the object (`spec.template.spec.containers[0].securityContext.privileged`).
pub(crate) fn violations(object: &Object, opt_outs: &OptOuts) -> Vec<(FieldPath, ErrorKind)> {
    let mut found = Vec::new();
    if let Some((pod, at)) = pod_spec(object) {
        check_pod(pod, &at, opt_outs, &mut found);
    }
    found
}

fn violation(why: &str, how: &str) -> ErrorKind {
    ErrorKind::Invalid(format!("{why} breaks Pod Security `restricted`; {how}"))
}

fn check_pod(pod: &PodSpec, at: &FieldPath, opt_outs: &OptOuts, found: &mut Vec<(FieldPath, ErrorKind)>) {
    for (field, value) in [
        ("hostNetwork", pod.host_network),
        ("hostPID", pod.host_pid),
        ("hostIPC", pod.host_ipc),
    ] {
        if value == Some(true) {
            found.push((at.field(field), violation("a host namespace", NO_OPT_OUT)));
        }
    }
    for (i, volume) in pod.volumes.iter().flatten().enumerate() {
        // P3: the volume types `restricted` allows; anything else (hostPath, nfs, ...) is not.
        let allowed = volume.config_map.is_some()
            || volume.csi.is_some()
            || volume.downward_api.is_some()
            || volume.empty_dir.is_some()
            || volume.ephemeral.is_some()
            || volume.image.is_some()
            || volume.persistent_volume_claim.is_some()
            || volume.projected.is_some()
            || volume.secret.is_some();
        if !allowed {
            let what = if volume.host_path.is_some() {
                "a `hostPath` volume"
            } else {
                "a volume of this type"
            };
            let how = "use a volume of the spec's own (`volumes`: persistent claims, config maps, secrets, \
                       emptyDir) instead";
            found.push((at.field("volumes").index(i), violation(what, how)));
        }
    }
    let pod_context = pod.security_context.as_ref();
    // P5: a pod in its own user namespace (`hostUsers: false`) is exempt from runAsNonRoot.
    let pod_non_root = pod_context.and_then(|c| c.run_as_non_root) == Some(true) || pod.host_users == Some(false);
    let pod_seccomp = pod_context
        .and_then(|c| c.seccomp_profile.as_ref())
        .map(|p| p.type_.as_str());
    if let Some(context) = pod_context {
        let sc = at.field("securityContext");
        if context.run_as_non_root == Some(false) && pod.host_users != Some(false) {
            found.push((sc.field("runAsNonRoot"), violation("`runAsNonRoot: false`", NO_OPT_OUT)));
        }
        if context.run_as_user == Some(0) {
            found.push((sc.field("runAsUser"), violation("UID 0 (root)", NO_OPT_OUT)));
        }
        if let Some(kind) = pod_seccomp
            && !matches!(kind, "RuntimeDefault" | "Localhost")
        {
            found.push((
                sc.field("seccompProfile").field("type"),
                violation(&format!("seccomp profile {kind:?}"), NO_OPT_OUT),
            ));
        }
        if let Some(options) = &context.se_linux_options {
            check_selinux(options, &sc.field("seLinuxOptions"), found);
        }
        if let Some(profile) = &context.app_armor_profile
            && !matches!(profile.type_.as_str(), "RuntimeDefault" | "Localhost")
        {
            found.push((
                sc.field("appArmorProfile").field("type"),
                violation(&format!("AppArmor profile {:?}", profile.type_), NO_OPT_OUT),
            ));
        }
        for (i, sysctl) in context.sysctls.iter().flatten().enumerate() {
            if !SAFE_SYSCTLS.contains(&sysctl.name.as_str()) {
                found.push((
                    sc.field("sysctls").index(i).field("name"),
                    violation(&format!("the unsafe sysctl {:?}", sysctl.name), NO_OPT_OUT),
                ));
            }
        }
        if context.windows_options.as_ref().and_then(|w| w.host_process) == Some(true) {
            found.push((
                sc.field("windowsOptions").field("hostProcess"),
                violation("a Windows host process", NO_OPT_OUT),
            ));
        }
    }
    let lists = [
        ("initContainers", pod.init_containers.as_deref()),
        ("containers", Some(&pod.containers[..])),
    ];
    for (list, containers) in lists {
        for (i, container) in containers.unwrap_or_default().iter().enumerate() {
            let pod = PodLevel {
                non_root: pod_non_root,
                seccomp: pod_seccomp.is_some(),
            };
            check_container(container, &at.field(list).index(i), pod, opt_outs, found);
        }
    }
}

/// What the pod's own security context settles for every container.
#[derive(Clone, Copy)]
struct PodLevel {
    non_root: bool,
    seccomp: bool,
}

fn check_container(
    container: &Container,
    at: &FieldPath,
    pod: PodLevel,
    opt_outs: &OptOuts,
    found: &mut Vec<(FieldPath, ErrorKind)>,
) {
    for (i, port) in container.ports.iter().flatten().enumerate() {
        if port.host_port.is_some_and(|p| p != 0) {
            found.push((
                at.field("ports").index(i).field("hostPort"),
                violation("a host port", "expose the port through the Service instead"),
            ));
        }
    }
    let sc = at.field("securityContext");
    let default = SecurityContext::default();
    let context = container.security_context.as_ref().unwrap_or(&default);
    if context.privileged == Some(true) {
        found.push((sc.field("privileged"), violation("a privileged container", NO_OPT_OUT)));
    }
    if context.allow_privilege_escalation != Some(false) && !opt_outs.allow_privilege_escalation {
        found.push((
            sc.field("allowPrivilegeEscalation"),
            violation(
                "`allowPrivilegeEscalation` other than false",
                "to opt out, set `security_context: {allow_privilege_escalation: true}` in the spec (the pod then \
                 needs a namespace that allows `baseline`)",
            ),
        ));
    }
    let capabilities = context.capabilities.as_ref();
    if !capabilities
        .and_then(|c| c.drop.as_ref())
        .is_some_and(|drop| drop.iter().any(|d| d == "ALL"))
    {
        found.push((
            sc.field("capabilities").field("drop"),
            violation("a container that does not drop `ALL` capabilities", NO_OPT_OUT),
        ));
    }
    for (i, add) in capabilities
        .and_then(|c| c.add.as_ref())
        .into_iter()
        .flatten()
        .enumerate()
    {
        let name = add.strip_prefix("CAP_").unwrap_or(add);
        if name != "NET_BIND_SERVICE" && !opt_outs.add_capabilities.contains(name) {
            found.push((
                sc.field("capabilities").field("add").index(i),
                violation(
                    &format!("the added capability {add:?}"),
                    &format!(
                        "to opt out, list it in the spec's `security_context: {{add_capabilities: [{name}]}}` (the pod \
                         then needs a namespace that allows it)"
                    ),
                ),
            ));
        }
    }
    let hosts = [
        ("startupProbe", &container.startup_probe),
        ("readinessProbe", &container.readiness_probe),
        ("livenessProbe", &container.liveness_probe),
    ]
    .into_iter()
    .filter_map(|(name, probe)| {
        probe
            .as_ref()
            .map(|p| (at.field(name), p.http_get.as_ref(), p.tcp_socket.as_ref()))
    });
    let lifecycle = container.lifecycle.as_ref();
    let handlers = [
        ("postStart", lifecycle.and_then(|l| l.post_start.as_ref())),
        ("preStop", lifecycle.and_then(|l| l.pre_stop.as_ref())),
    ]
    .into_iter()
    .filter_map(|(name, h)| {
        h.map(|h| {
            (
                at.field("lifecycle").field(name),
                h.http_get.as_ref(),
                h.tcp_socket.as_ref(),
            )
        })
    });
    for (path, http, tcp) in hosts.chain(handlers) {
        // P2: probes and lifecycle handlers reach the pod itself, never another host.
        if http.is_some_and(|h| h.host.is_some()) {
            found.push((
                path.field("httpGet").field("host"),
                violation("a probe or handler on another host", NO_OPT_OUT),
            ));
        }
        if tcp.is_some_and(|t| t.host.is_some()) {
            found.push((
                path.field("tcpSocket").field("host"),
                violation("a probe or handler on another host", NO_OPT_OUT),
            ));
        }
    }
    if (!pod.non_root && context.run_as_non_root != Some(true)) || context.run_as_non_root == Some(false) {
        found.push((
            sc.field("runAsNonRoot"),
            violation("a container that may run as root", NO_OPT_OUT),
        ));
    }
    if context.run_as_user == Some(0) {
        found.push((sc.field("runAsUser"), violation("UID 0 (root)", NO_OPT_OUT)));
    }
    match context.seccomp_profile.as_ref().map(|p| p.type_.as_str()) {
        Some("RuntimeDefault" | "Localhost") => {}
        None if pod.seccomp => {}
        other => found.push((
            sc.field("seccompProfile").field("type"),
            violation(
                &format!(
                    "seccomp profile {}",
                    other.map_or(Cow::Borrowed("unset"), |o| format!("{o:?}").into())
                ),
                NO_OPT_OUT,
            ),
        )),
    }
    if context.proc_mount.as_deref().is_some_and(|m| m != "Default") {
        found.push((
            sc.field("procMount"),
            violation("a proc mount other than `Default`", NO_OPT_OUT),
        ));
    }
    if let Some(options) = &context.se_linux_options {
        check_selinux(options, &sc.field("seLinuxOptions"), found);
    }
    if let Some(profile) = &context.app_armor_profile
        && !matches!(profile.type_.as_str(), "RuntimeDefault" | "Localhost")
    {
        found.push((
            sc.field("appArmorProfile").field("type"),
            violation(&format!("AppArmor profile {:?}", profile.type_), NO_OPT_OUT),
        ));
    }
    if context.windows_options.as_ref().and_then(|w| w.host_process) == Some(true) {
        found.push((
            sc.field("windowsOptions").field("hostProcess"),
            violation("a Windows host process", NO_OPT_OUT),
        ));
    }
}

fn check_selinux(
    options: &k8s_openapi::api::core::v1::SELinuxOptions,
    at: &FieldPath,
    found: &mut Vec<(FieldPath, ErrorKind)>,
) {
    if let Some(kind) = options.type_.as_deref()
        && !kind.is_empty()
        && !SELINUX_TYPES.contains(&kind)
    {
        found.push((
            at.field("type"),
            violation(&format!("the SELinux type {kind:?}"), NO_OPT_OUT),
        ));
    }
    for (field, value) in [("user", &options.user), ("role", &options.role)] {
        if value.as_deref().is_some_and(|v| !v.is_empty()) {
            found.push((
                at.field(field),
                violation(&format!("a custom SELinux {field}"), NO_OPT_OUT),
            ));
        }
    }
}
