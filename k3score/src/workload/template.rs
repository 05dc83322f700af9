//! The pod-template settings beyond the main container: placement, image pulls, sidecars,
//! lifecycle and config files (validation and the parts of rendering they add).

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{
    Container, EmptyDirVolumeSource, LocalObjectReference, PodSpec, Volume as K8sVolume, VolumeMount,
};

use super::pod::{Workload, writable_volume_name};
use super::sidecar::Sidecar;
use crate::context::Context;
use crate::error::{ErrorKind, PathRef, Problems, Validate};

impl Workload {
    /// The `emptyDir` volumes for the sidecars' writable paths, as (volume name, path, sidecar
    /// index, index in its `writable_paths`); paths where the sidecar mounts a volume are
    /// skipped.
    pub(crate) fn sidecar_writable_volumes(&self) -> Vec<(String, &str, usize, usize)> {
        let mut out = Vec::new();
        for (s, sidecar) in self.sidecars.iter().enumerate() {
            for (i, path) in sidecar.security_context.writable_paths.iter().enumerate() {
                if sidecar.volumes.iter().any(|m| &m.mount_path == path) {
                    continue;
                }
                let name = writable_volume_name(&format!("/{}{path}", sidecar.name));
                out.push((name, path.as_str(), s, i));
            }
        }
        out
    }

    /// Records placement problems and node selector keys that the GPU settings set to
    /// another value.
    pub(crate) fn validate_placement(&self, path: PathRef<'_>, problems: &mut Problems) {
        let placement = path.field("placement");
        self.placement.validate(placement, problems);
        if self.placement.node_selector.is_empty() {
            return;
        }
        let gpu = self.resources.scheduling().node_selector;
        let selector = placement.field("node_selector");
        for (key, value) in &self.placement.node_selector {
            if gpu.get(key).is_some_and(|v| v != value) {
                problems.push(
                    selector.field(key.as_str()),
                    ErrorKind::Conflict(format!(
                        "resources.gpu selects {key}={:?} for its GPU product",
                        gpu[key]
                    )),
                );
            }
        }
    }

    /// Records each sidecar's problems, container names already in `containers`, and port
    /// names or numbers the pod already uses.
    pub(crate) fn validate_sidecars<'a>(
        &'a self,
        path: PathRef<'_>,
        containers: &mut BTreeSet<&'a str>,
        problems: &mut Problems,
    ) {
        let volumes: BTreeSet<&str> = self.volumes.iter().map(|v| v.name.as_str()).collect();
        let mut ports: Vec<&super::Port> = self.ports.iter().collect();
        let sidecars = path.field("sidecars");
        for (i, sidecar) in self.sidecars.iter().enumerate() {
            let spath = sidecars.index(i);
            sidecar.validate(spath, &volumes, problems);
            if !containers.insert(sidecar.name.as_str()) {
                problems.push(
                    spath.field("name"),
                    ErrorKind::Duplicate {
                        what: "container name",
                        name: sidecar.name.to_string(),
                    },
                );
            }
            let sports = spath.field("ports");
            for (j, port) in sidecar.ports.iter().enumerate() {
                let ppath = sports.index(j);
                if port.port == 0 {
                    problems.push(
                        ppath.field("port"),
                        ErrorKind::Invalid("must be between 1 and 65535".into()),
                    );
                }
                if ports.iter().any(|p| p.name == port.name) {
                    problems.push(
                        ppath.field("name"),
                        ErrorKind::Duplicate {
                            what: "port name in the pod",
                            name: port.name.to_string(),
                        },
                    );
                }
                if ports.iter().any(|p| p.port == port.port && p.protocol == port.protocol) {
                    problems.push(
                        ppath.field("port"),
                        ErrorKind::Duplicate {
                            what: "port in the pod",
                            name: format!("{}/{}", port.port, port.protocol.as_str()),
                        },
                    );
                }
                ports.push(port);
            }
        }
    }

    /// Records what the target's oldest Kubernetes cannot run (sidecars, the sleep hook) and
    /// config files whose `from` was not read.
    pub(crate) fn check_target(&self, ctx: &Context, problems: &mut Problems) {
        if !self.sidecars.is_empty() {
            Sidecar::check_target(PathRef::ROOT.field("sidecars"), &ctx.target, problems);
        }
        self.lifecycle
            .check_target(PathRef::ROOT.field("lifecycle"), &ctx.target, problems);
        super::config_files::check_read(&self.config_files, PathRef::ROOT.field("config_files"), problems);
    }

    /// The sidecars' init containers and their writable volumes, `${VAR}`s substituted
    /// (problems recorded at `sidecars[i].env.NAME`).
    pub(crate) fn render_sidecars(&self, ctx: &Context, problems: &mut Problems) -> (Vec<Container>, Vec<K8sVolume>) {
        let mut containers = Vec::new();
        let mut volumes = Vec::new();
        let writable = self.sidecar_writable_volumes();
        let sidecars = PathRef::ROOT.field("sidecars");
        for (s, sidecar) in self.sidecars.iter().enumerate() {
            let spath = sidecars.index(s);
            let env_path = spath.field("env");
            let env = sidecar
                .env
                .iter()
                .filter_map(|(name, value)| {
                    let path = env_path.field(name.as_str());
                    problems.check(path, super::check_env_name_for(name, &ctx.target))?;
                    value.to_env_var(name, &ctx.variables, path, problems)
                })
                .collect();
            let mut mounts = sidecar.mounts();
            for (name, path, _, _) in writable.iter().filter(|w| w.2 == s) {
                volumes.push(K8sVolume {
                    name: name.clone(),
                    empty_dir: Some(EmptyDirVolumeSource::default()),
                    ..Default::default()
                });
                mounts.push(VolumeMount {
                    name: name.clone(),
                    mount_path: (*path).to_owned(),
                    ..Default::default()
                });
            }
            match sidecar.to_container(env, mounts) {
                Some(mut container) => {
                    container.image_pull_policy = self.image_pull_policy.map(|p| p.as_str().to_owned());
                    containers.push(container);
                }
                None => problems.push(
                    spath.field("probes"),
                    ErrorKind::Invalid("port cannot be resolved".into()),
                ),
            }
        }
        (containers, volumes)
    }

    /// Sets the pod's placement (merged with the GPU scheduling already in `spec`) and image
    /// pull secrets.
    pub(crate) fn apply_placement(&self, spec: &mut PodSpec) {
        let placement = &self.placement;
        if !placement.node_selector.is_empty() {
            let selector = spec.node_selector.get_or_insert_with(Default::default);
            selector.extend(placement.node_selector.clone());
        }
        if !placement.tolerations.is_empty() {
            let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
            for t in placement.tolerations() {
                if !tolerations.contains(&t) {
                    tolerations.push(t);
                }
            }
        }
        spec.affinity = placement.affinity();
        spec.topology_spread_constraints = placement.spread_constraints(&self.labels);
        spec.priority_class_name = placement.priority_class.as_ref().map(ToString::to_string);
        spec.runtime_class_name = placement.runtime_class.as_ref().map(ToString::to_string);
        if !self.image_pull_secrets.is_empty() {
            spec.image_pull_secrets = Some(
                self.image_pull_secrets
                    .iter()
                    .map(|s| LocalObjectReference { name: s.to_string() })
                    .collect(),
            );
        }
    }
}

#[cfg(test)]
mod tests;
