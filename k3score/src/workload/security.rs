//! Restricted-by-default security contexts (Pod Security Standards `restricted`, REFERENCE §11).

use k8s_openapi::api::core::v1::{Capabilities, PodSecurityContext, SeccompProfile, SecurityContext};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::volume::check_absolute;
use crate::error::{ErrorKind, PathRef, Problems, Validate};

macro_rules! capabilities {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// A Linux capability, spelled as Kubernetes wants it (`NET_BIND_SERVICE`, no `CAP_` prefix).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(JsonSchema))]
        pub enum Capability {
            $(
                #[doc = concat!("`", $name, "`")]
                #[serde(rename = $name)]
                $variant,
            )*
        }

        impl Capability {
            /// The capability's name (`NET_BIND_SERVICE`).
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $( Capability::$variant => $name, )* }
            }
        }
    };
}

capabilities! {
    AuditControl = "AUDIT_CONTROL", AuditRead = "AUDIT_READ", AuditWrite = "AUDIT_WRITE",
    BlockSuspend = "BLOCK_SUSPEND", Bpf = "BPF", CheckpointRestore = "CHECKPOINT_RESTORE",
    Chown = "CHOWN", DacOverride = "DAC_OVERRIDE", DacReadSearch = "DAC_READ_SEARCH",
    Fowner = "FOWNER", Fsetid = "FSETID", IpcLock = "IPC_LOCK", IpcOwner = "IPC_OWNER",
    Kill = "KILL", Lease = "LEASE", LinuxImmutable = "LINUX_IMMUTABLE", MacAdmin = "MAC_ADMIN",
    MacOverride = "MAC_OVERRIDE", Mknod = "MKNOD", NetAdmin = "NET_ADMIN",
    NetBindService = "NET_BIND_SERVICE", NetBroadcast = "NET_BROADCAST", NetRaw = "NET_RAW",
    Perfmon = "PERFMON", Setfcap = "SETFCAP", Setgid = "SETGID", Setpcap = "SETPCAP",
    Setuid = "SETUID", SysAdmin = "SYS_ADMIN", SysBoot = "SYS_BOOT", SysChroot = "SYS_CHROOT",
    SysModule = "SYS_MODULE", SysNice = "SYS_NICE", SysPacct = "SYS_PACCT",
    SysPtrace = "SYS_PTRACE", SysRawio = "SYS_RAWIO", SysResource = "SYS_RESOURCE",
    SysTime = "SYS_TIME", SysTtyConfig = "SYS_TTY_CONFIG", Syslog = "SYSLOG",
    WakeAlarm = "WAKE_ALARM",
}

/// The user, filesystem and privilege settings of the workload's containers.
///
/// The defaults satisfy the `restricted` Pod Security profile (P4-P8): the pod runs as
/// non-root with the `RuntimeDefault` seccomp profile, and each container drops every
/// capability, cannot escalate privileges and has a read-only root filesystem.
///
/// `run_as_user` is left unset by default: the image's numeric `USER` is used, and
/// `runAsNonRoot: true` makes the kubelet refuse to start an image that runs as root or names
/// its user (`USER app`) instead of a UID. Set `run_as_user` for such images.
///
/// Opt-outs are explicit and visible in the spec: `allow_privilege_escalation: true` or a
/// capability other than `NET_BIND_SERVICE` makes the pod fail `restricted` (allowed up to
/// `baseline`), see [`ContainerSecurity::is_restricted`].
///
/// ```
/// use k3score::workload::ContainerSecurity;
/// let security = ContainerSecurity::default();
/// let container = security.container_context();
/// assert_eq!(container.allow_privilege_escalation, Some(false));
/// assert_eq!(container.capabilities.unwrap().drop.unwrap(), ["ALL"]);
/// assert_eq!(security.pod_context().seccomp_profile.unwrap().type_, "RuntimeDefault");
/// assert!(security.is_restricted());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ContainerSecurity {
    /// UID the containers run as (not 0). Default: the image's user, which must be numeric
    /// and non-root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    /// Primary GID of the containers. Default: the image's group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_group: Option<i64>,
    /// GID that owns mounted volumes, so a non-root user can write them. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_group: Option<i64>,
    /// Mount the image's filesystem read-only. Default: true.
    #[serde(default = "default_true")]
    pub read_only_root_filesystem: bool,
    /// Absolute paths that get a writable `emptyDir` each (skipped where a volume is mounted at
    /// the same path). Default: `[/tmp]`.
    #[serde(default = "ContainerSecurity::default_writable_paths")]
    pub writable_paths: Vec<String>,
    /// Allow setuid binaries to gain privileges. `true` leaves the `restricted` profile.
    /// Default: false.
    #[serde(default)]
    pub allow_privilege_escalation: bool,
    /// Capabilities added after dropping `ALL`. Only `NET_BIND_SERVICE` keeps the `restricted`
    /// profile. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_capabilities: Vec<Capability>,
}

fn default_true() -> bool {
    true
}

impl Default for ContainerSecurity {
    fn default() -> Self {
        Self {
            run_as_user: None,
            run_as_group: None,
            fs_group: None,
            read_only_root_filesystem: true,
            writable_paths: Self::default_writable_paths(),
            allow_privilege_escalation: false,
            add_capabilities: Vec::new(),
        }
    }
}

impl ContainerSecurity {
    /// The default writable path.
    pub const DEFAULT_WRITABLE_PATH: &'static str = "/tmp";
    /// The seccomp profile set on every pod.
    pub const SECCOMP_PROFILE: &'static str = "RuntimeDefault";

    fn default_writable_paths() -> Vec<String> {
        vec![Self::DEFAULT_WRITABLE_PATH.to_owned()]
    }

    /// Whether the settings keep the pod within the `restricted` Pod Security profile.
    ///
    /// ```
    /// use k3score::workload::{Capability, ContainerSecurity};
    /// let web = ContainerSecurity { add_capabilities: vec![Capability::NetBindService], ..Default::default() };
    /// assert!(web.is_restricted());
    /// let ping = ContainerSecurity { add_capabilities: vec![Capability::NetRaw], ..Default::default() };
    /// assert!(!ping.is_restricted());
    /// ```
    #[must_use]
    pub fn is_restricted(&self) -> bool {
        !self.allow_privilege_escalation
            && self.add_capabilities.iter().all(|c| *c == Capability::NetBindService)
            && self.run_as_user != Some(0)
    }

    /// The pod's `securityContext`: non-root, `RuntimeDefault` seccomp, and the user, group
    /// and fsGroup when set (they apply to init containers too).
    #[must_use]
    pub fn pod_context(&self) -> PodSecurityContext {
        PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: self.run_as_user,
            run_as_group: self.run_as_group,
            fs_group: self.fs_group,
            seccomp_profile: Some(SeccompProfile {
                type_: Self::SECCOMP_PROFILE.to_owned(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// A container's `securityContext`: no privilege escalation, drop `ALL` (plus the added
    /// capabilities), read-only root filesystem, non-root.
    #[must_use]
    pub fn container_context(&self) -> SecurityContext {
        let add: Vec<String> = self.add_capabilities.iter().map(|c| c.as_str().to_owned()).collect();
        SecurityContext {
            allow_privilege_escalation: Some(self.allow_privilege_escalation),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".to_owned()]),
                add: (!add.is_empty()).then_some(add),
            }),
            read_only_root_filesystem: Some(self.read_only_root_filesystem),
            run_as_non_root: Some(true),
            ..Default::default()
        }
    }
}

impl Validate for ContainerSecurity {
    /// Records a root or negative UID/GID, relative or duplicated writable paths, duplicated
    /// capabilities, and `SYS_ADMIN` without privilege escalation (the API server rejects it).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if self.run_as_user == Some(0) {
            problems.push(
                path.field("run_as_user"),
                ErrorKind::Conflict("UID 0 is root; pods always run with runAsNonRoot: true".into()),
            );
        }
        for (field, value) in [
            ("run_as_user", self.run_as_user),
            ("run_as_group", self.run_as_group),
            ("fs_group", self.fs_group),
        ] {
            if value.is_some_and(|v| v < 0) {
                problems.push(path.field(field), ErrorKind::Invalid("must not be negative".into()));
            }
        }
        for (i, wp) in self.writable_paths.iter().enumerate() {
            let writable = path.field("writable_paths");
            let p = writable.index(i);
            if wp == "/" {
                problems.push(
                    p,
                    ErrorKind::Invalid(
                        "\"/\" is the root filesystem: set read_only_root_filesystem: false instead".into(),
                    ),
                );
            } else if problems.check(p, check_absolute(wp)).is_some() && self.writable_paths[..i].contains(wp) {
                problems.push(
                    p,
                    ErrorKind::Duplicate {
                        what: "writable path",
                        name: wp.clone(),
                    },
                );
            }
        }
        for (i, cap) in self.add_capabilities.iter().enumerate() {
            let added = path.field("add_capabilities");
            let p = added.index(i);
            if self.add_capabilities[..i].contains(cap) {
                problems.push(
                    p,
                    ErrorKind::Duplicate {
                        what: "capability",
                        name: cap.as_str().to_owned(),
                    },
                );
            } else if *cap == Capability::SysAdmin && !self.allow_privilege_escalation {
                problems.push(
                    p,
                    ErrorKind::Conflict(
                        "SYS_ADMIN needs allow_privilege_escalation: true (the API server rejects it otherwise)".into(),
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(s: &ContainerSecurity) -> Vec<String> {
        s.problems_at(PathRef::ROOT.field("security_context")).messages()
    }

    #[test]
    fn defaults_from_empty_yaml() {
        let s: ContainerSecurity = serde_json::from_str("{}").unwrap();
        assert_eq!(s, ContainerSecurity::default());
        assert_eq!(s.writable_paths, ["/tmp"]);
        assert!(s.read_only_root_filesystem);
        let c = s.container_context();
        assert_eq!(c.capabilities.unwrap().add, None);
        assert_eq!(
            (c.read_only_root_filesystem, c.run_as_non_root),
            (Some(true), Some(true))
        );
        let p = s.pod_context();
        assert_eq!((p.run_as_non_root, p.run_as_user, p.fs_group), (Some(true), None, None));
    }

    #[test]
    fn opt_outs_are_visible() {
        let s: ContainerSecurity = serde_json::from_str(
            r#"{"run_as_user": 10001, "fs_group": 2000, "read_only_root_filesystem": false,
                "writable_paths": [], "allow_privilege_escalation": true, "add_capabilities": ["NET_ADMIN"]}"#,
        )
        .unwrap();
        assert!(!s.is_restricted());
        let c = s.container_context();
        assert_eq!(c.allow_privilege_escalation, Some(true));
        assert_eq!(c.capabilities.unwrap().add.unwrap(), ["NET_ADMIN"]);
        assert_eq!(s.pod_context().fs_group, Some(2000));
        assert!(errors(&s).is_empty());
        assert!(serde_json::from_str::<ContainerSecurity>(r#"{"add_capabilities": ["CAP_NET_ADMIN"]}"#).is_err());
        assert!(serde_json::from_str::<ContainerSecurity>(r#"{"privileged": true}"#).is_err());
    }

    #[test]
    fn validation_paths() {
        let s = ContainerSecurity {
            run_as_user: Some(0),
            fs_group: Some(-1),
            writable_paths: vec!["/tmp".into(), "cache".into(), "/tmp".into(), "/".into()],
            add_capabilities: vec![Capability::SysAdmin, Capability::SysAdmin],
            ..Default::default()
        };
        assert_eq!(
            errors(&s),
            [
                "security_context.run_as_user: conflict: UID 0 is root; pods always run with runAsNonRoot: true",
                "security_context.fs_group: must not be negative",
                "security_context.writable_paths[1]: \"cache\" must be an absolute path",
                "security_context.writable_paths[2]: duplicate writable path \"/tmp\"",
                "security_context.writable_paths[3]: \"/\" is the root filesystem: set read_only_root_filesystem: false instead",
                "security_context.add_capabilities[0]: conflict: SYS_ADMIN needs allow_privilege_escalation: true (the API server rejects it otherwise)",
                "security_context.add_capabilities[1]: duplicate capability \"SYS_ADMIN\"",
            ]
        );
    }
}
