//! Rendering a [`Controller`] around a pod template: Deployment, StatefulSet, DaemonSet, Job
//! or CronJob.

use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetSpec, DaemonSetUpdateStrategy, Deployment, DeploymentSpec, DeploymentStrategy,
    RollingUpdateDaemonSet, RollingUpdateDeployment, RollingUpdateStatefulSetStrategy, StatefulSet, StatefulSetSpec,
    StatefulSetUpdateStrategy,
};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::kind::{Controller, JobSettings, Strategy, WorkloadKind};
use crate::object::Object;

/// `Recreate`, `OnDelete` or `RollingUpdate`, the type names every controller uses.
fn strategy_type(strategy: &Strategy) -> String {
    match strategy {
        Strategy::Rolling(_) => "RollingUpdate",
        Strategy::Recreate => "Recreate",
        Strategy::OnDelete => "OnDelete",
    }
    .to_owned()
}

impl JobSettings {
    /// The `batch/v1` JobSpec running `template` with these settings.
    #[must_use]
    pub fn to_job_spec(&self, template: PodTemplateSpec) -> JobSpec {
        JobSpec {
            backoff_limit: self.backoff_limit,
            completions: self.completions,
            parallelism: self.parallelism,
            active_deadline_seconds: self.active_deadline,
            ttl_seconds_after_finished: self.ttl_after_finished,
            template,
            ..Default::default()
        }
    }
}

impl Controller {
    /// The controller object of the kind: `metadata` is the object's (name, namespace,
    /// labels), `selector` the pod selector (Jobs and CronJobs let Kubernetes generate theirs),
    /// `template` the pod template, `claims` the StatefulSet's volume claim templates (ignored
    /// by the other kinds, whose claims are objects of their own). A StatefulSet's governing
    /// Service has the object's name.
    ///
    /// Fields left unset in the spec stay unset, so a Deployment without these settings
    /// renders as before.
    ///
    /// ```
    /// use k3score::workload::{Controller, CronJobSettings, Workload, WorkloadKind};
    /// use k3score::{Context, Target};
    /// let w = Workload::new("backup".parse().unwrap(), "ghcr.io/acme/backup:1.0");
    /// let template = w.render(&Context::new(Target::local(), "ops".parse().unwrap())).unwrap().pod_template;
    /// let controller = Controller {
    ///     kind: WorkloadKind::CronJob,
    ///     cron_job: Some(CronJobSettings { schedule: "0 3 * * *".into(), ..Default::default() }),
    ///     ..Default::default()
    /// };
    /// let object = controller.render(Default::default(), Default::default(), template, Vec::new());
    /// assert_eq!(object.kind(), "CronJob");
    /// ```
    // `spec: X { .. }.into()` is identity on Kubernetes 1.37 but wraps in `Some` before it.
    #[allow(clippy::useless_conversion)]
    #[must_use]
    pub fn render(
        &self,
        metadata: ObjectMeta,
        selector: LabelSelector,
        template: PodTemplateSpec,
        claims: Vec<PersistentVolumeClaim>,
    ) -> Object {
        let rolling = match &self.strategy {
            Some(Strategy::Rolling(r)) => Some(r),
            _ => None,
        };
        match self.kind {
            WorkloadKind::Deployment => Deployment {
                metadata,
                spec: DeploymentSpec {
                    replicas: self.replicas,
                    selector,
                    template,
                    min_ready_seconds: self.min_ready,
                    revision_history_limit: self.revision_history,
                    strategy: self.strategy.as_ref().map(|s| DeploymentStrategy {
                        type_: Some(strategy_type(s)),
                        rolling_update: rolling.map(|r| RollingUpdateDeployment {
                            max_surge: r.max_surge.map(|v| v.to_k8s()),
                            max_unavailable: r.max_unavailable.map(|v| v.to_k8s()),
                        }),
                    }),
                    ..Default::default()
                }
                .into(),
                ..Default::default()
            }
            .into(),
            WorkloadKind::Stateful => {
                let service_name = metadata.name.clone();
                StatefulSet {
                    metadata,
                    spec: StatefulSetSpec {
                        replicas: self.replicas,
                        selector,
                        service_name,
                        template,
                        volume_claim_templates: (!claims.is_empty()).then_some(claims),
                        min_ready_seconds: self.min_ready,
                        revision_history_limit: self.revision_history,
                        update_strategy: self.strategy.as_ref().map(|s| StatefulSetUpdateStrategy {
                            type_: Some(strategy_type(s)),
                            rolling_update: rolling.filter(|r| r.partition.is_some()).map(|r| {
                                RollingUpdateStatefulSetStrategy {
                                    partition: r.partition,
                                    ..Default::default()
                                }
                            }),
                        }),
                        ..Default::default()
                    }
                    .into(),
                    ..Default::default()
                }
                .into()
            }
            WorkloadKind::DaemonSet => DaemonSet {
                metadata,
                spec: DaemonSetSpec {
                    selector,
                    template,
                    min_ready_seconds: self.min_ready,
                    revision_history_limit: self.revision_history,
                    update_strategy: self.strategy.as_ref().map(|s| DaemonSetUpdateStrategy {
                        type_: Some(strategy_type(s)),
                        rolling_update: rolling.map(|r| RollingUpdateDaemonSet {
                            max_surge: r.max_surge.map(|v| v.to_k8s()),
                            max_unavailable: r.max_unavailable.map(|v| v.to_k8s()),
                        }),
                    }),
                }
                .into(),
                ..Default::default()
            }
            .into(),
            WorkloadKind::Job => Job {
                metadata,
                spec: Some(self.job.clone().unwrap_or_default().to_job_spec(template)),
                ..Default::default()
            }
            .into(),
            WorkloadKind::CronJob => {
                let cron = self.cron_job.clone().unwrap_or_default();
                let history = cron.history.unwrap_or_default();
                let job_labels = metadata.labels.clone();
                CronJob {
                    metadata,
                    spec: CronJobSpec {
                        schedule: cron.schedule,
                        time_zone: cron.time_zone,
                        concurrency_policy: Some(cron.concurrency.as_str().to_owned()),
                        suspend: cron.suspend.then_some(true),
                        successful_jobs_history_limit: history.successful,
                        failed_jobs_history_limit: history.failed,
                        job_template: JobTemplateSpec {
                            metadata: Some(ObjectMeta {
                                labels: job_labels,
                                ..Default::default()
                            }),
                            spec: Some(self.job.clone().unwrap_or_default().to_job_spec(template)),
                        },
                        ..Default::default()
                    }
                    .into(),
                    ..Default::default()
                }
                .into()
            }
        }
    }
}
