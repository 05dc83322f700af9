//! The controller of a service: `deploy.mode` and `deploy.update_config` (Compose
//! Specification, `deploy.md`), and `x-k3s` `workload` / `strategy`, which win over them.
//!
//! | compose | here |
//! |---|---|
//! | `deploy.mode: replicated` (the default) | a Deployment |
//! | `deploy.mode: global` | `workload: daemon_set` (one container per node) |
//! | `deploy.mode: replicated-job` | `workload: job`, `deploy.replicas` as its completions |
//! | `deploy.mode: global-job` | a warning: no Kubernetes controller runs a Job per node |
//! | `deploy.update_config.order: stop-first` (the default), `parallelism: N` | `strategy: {rolling: {max_surge: 0, max_unavailable: N}}` |
//! | `deploy.update_config.order: start-first`, `parallelism: N` | `strategy: {rolling: {max_surge: N, max_unavailable: 0}}` |
//! | `deploy.update_config.delay`, `failure_action`, `monitor`, `max_failure_ratio` | warnings (rollouts pace themselves by readiness) |

use k3sapp::App;
use k3score::quantity::IntOrPercent;
use k3score::workload::{JobSettings, RollingUpdate, Strategy, WorkloadKind};

use super::ServiceCx;
use crate::model::Service;

impl ServiceCx<'_> {
    /// Sets the app's controller kind and strategy from the service's `deploy` block.
    pub(super) fn controller(&mut self, s: &Service, app: &mut App) {
        let Some(deploy) = &s.deploy else { return };
        let path = self.path.field("deploy");
        let ext = s.k3s.as_ref();
        let explicit_kind = ext.is_some_and(|e| e.workload.is_some());
        match deploy.mode.as_deref() {
            None | Some("replicated") => {}
            Some(_) if explicit_kind => self.warn(path.field("mode"), "x-k3s workload is set and wins"),
            Some("global") => {
                app.workload = WorkloadKind::DaemonSet;
                if app.replicas.take().is_some() {
                    self.warn(path.field("replicas"), "a global service runs one container per node: left out");
                }
            }
            Some("replicated-job") => {
                app.workload = WorkloadKind::Job;
                if let Some(n) = app.replicas.take() {
                    app.job.get_or_insert_with(JobSettings::default).completions.get_or_insert(n);
                }
            }
            Some(other) => self.warn(
                path.field("mode"),
                format!("not supported: mode {other:?} (no Kubernetes controller runs a Job on every node); runs as a Deployment"),
            ),
        }
        let Some(update) = &deploy.update_config else { return };
        let upath = path.field("update_config");
        for key in update.other.keys().filter(|k| !k.starts_with("x-")) {
            self.warn(
                upath.field(key.clone()),
                "not translated: Kubernetes paces a rollout by the new pods' readiness",
            );
        }
        if ext.is_some_and(|e| e.strategy.is_some()) {
            self.warn(upath, "x-k3s strategy is set and wins");
            return;
        }
        if app.workload.runs_to_completion() {
            self.warn(upath, "a job is not rolled: left out");
            return;
        }
        let n = update
            .parallelism
            .map_or(1, |p| u32::try_from(p.0).unwrap_or(u32::MAX))
            .max(1);
        let (surge, unavailable) = match update.order.as_deref() {
            None | Some("stop-first") => (0, n),
            Some("start-first") => (n, 0),
            Some(other) => {
                self.warn(
                    upath.field("order"),
                    format!("{other:?} is not an order (stop-first or start-first): left out"),
                );
                return;
            }
        };
        app.strategy = Some(match app.workload {
            // A StatefulSet replaces one pod at a time, in order.
            WorkloadKind::Stateful => {
                self.warn(upath, "a stateful service is updated one pod at a time: left out");
                return;
            }
            _ => Strategy::Rolling(RollingUpdate {
                max_surge: Some(IntOrPercent::Int(surge)),
                max_unavailable: Some(IntOrPercent::Int(unavailable)),
                partition: None,
            }),
        });
    }
}
