//! `user`, `cap_add`, `privileged`, `read_only`: restricted by default, with an explicit
//! opt-out (`x-k3s: {allow_privileged: true}`) where compose asks for more.

use k3score::ErrorKind;
use k3score::workload::{Capability, ContainerSecurity};
use serde::Deserialize;
use serde::de::IntoDeserializer;

use super::PodPatch;
use super::ServiceCx;
use crate::model::Service;

/// How to opt out of the restricted profile, quoted in errors.
pub const OPT_OUT: &str = "set `x-k3s: {allow_privileged: true}` on the service to follow the compose file (the namespace then needs Pod Security `privileged`)";

fn capability(name: &str) -> Option<Capability> {
    let name = name.trim().to_ascii_uppercase();
    let bare = name.strip_prefix("CAP_").unwrap_or(&name);
    Capability::deserialize(IntoDeserializer::<serde::de::value::Error>::into_deserializer(bare)).ok()
}

impl ServiceCx<'_> {
    pub(super) fn security(&mut self, s: &Service, patch: &mut PodPatch) -> ContainerSecurity {
        let allowed = s.k3s.as_ref().is_some_and(|e| e.allow_privileged);
        let mut security = ContainerSecurity {
            // Compose containers have a writable root filesystem unless `read_only: true`.
            read_only_root_filesystem: s.read_only.is_some_and(|f| f.0),
            ..ContainerSecurity::default()
        };
        match &s.user {
            None => self.warn(
                self.path.field("user"),
                "not set: pods run with runAsNonRoot, so an image whose default user is root (or a name) will not start; set user: \"UID[:GID]\"",
            ),
            Some(user) => {
                let (uid, gid) = user.0.split_once(':').unwrap_or((&user.0, ""));
                let parse = |v: &str| v.trim().parse::<i64>().ok().filter(|n| *n >= 0);
                let is_root = uid == "root" || parse(uid) == Some(0);
                match (parse(uid), is_root) {
                    (_, true) if allowed => patch.run_as_root = true,
                    (_, true) => self.error(
                        self.path.field("user"),
                        ErrorKind::Conflict(format!("running as root conflicts with Pod Security `restricted`: {OPT_OUT}")),
                    ),
                    (Some(uid), false) => {
                        security.run_as_user = Some(uid);
                        security.run_as_group = parse(gid);
                        security.fs_group = parse(gid).or(Some(uid));
                    }
                    (None, false) => self.warn(
                        self.path.field("user"),
                        format!(
                            "{:?} is a name and Kubernetes needs numeric ids (runAsUser): not translated, the image's own user applies and the pod still runs as non-root (the kubelet only starts it if the image's user is numeric); set user: \"UID[:GID]\"",
                            user.0
                        ),
                    ),
                }
                if !gid.is_empty() && parse(gid).is_none() && parse(uid).is_some() {
                    self.warn(
                        self.path.field("user"),
                        format!("group {gid:?} is a name and Kubernetes needs a numeric GID: runAsGroup is not set, fsGroup is the UID"),
                    );
                }
            }
        }
        for (i, name) in s.cap_add.iter().enumerate() {
            let path = self.path.field("cap_add").index(i);
            let Some(cap) = capability(name) else {
                let kind = if name.eq_ignore_ascii_case("ALL") {
                    ErrorKind::Conflict(format!(
                        "every capability is as good as privileged: list the ones needed and {OPT_OUT}"
                    ))
                } else {
                    ErrorKind::Invalid(format!("unknown capability {name:?}"))
                };
                self.error(path, kind);
                continue;
            };
            if cap != Capability::NetBindService && !allowed {
                self.error(
                    path,
                    ErrorKind::Conflict(format!(
                        "{} conflicts with Pod Security `restricted`: {OPT_OUT}",
                        cap.as_str()
                    )),
                );
                continue;
            }
            if cap == Capability::SysAdmin {
                security.allow_privilege_escalation = true;
            }
            if !security.add_capabilities.contains(&cap) {
                security.add_capabilities.push(cap);
            }
        }
        if s.privileged.is_some_and(|f| f.0) {
            if allowed {
                patch.privileged = true;
            } else {
                self.error(
                    self.path.field("privileged"),
                    ErrorKind::Conflict(format!(
                        "privileged containers conflict with Pod Security `restricted`: {OPT_OUT}"
                    )),
                );
            }
        }
        // cap_drop needs nothing: every capability is dropped already.
        let _ = &s.cap_drop;
        security
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_names() {
        assert_eq!(capability("NET_ADMIN"), Some(Capability::NetAdmin));
        assert_eq!(capability("cap_net_bind_service"), Some(Capability::NetBindService));
        assert_eq!(capability("ALL"), None);
    }
}
