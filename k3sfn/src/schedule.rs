//! Schedule triggers as `batch/v1` CronJobs.

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::trigger::ScheduleTrigger;

/// The CronJob running `template` on `schedule` (name already cut to 52 characters).
// `spec` is an `Option` in k8s 1.33 and required in 1.37: `.into()` compiles for both.
#[allow(clippy::useless_conversion)]
pub(crate) fn cron_job(schedule: &ScheduleTrigger, metadata: ObjectMeta, template: PodTemplateSpec) -> CronJob {
    let job_labels = metadata.labels.clone();
    CronJob {
        metadata,
        spec: CronJobSpec {
            schedule: schedule.cron.clone(),
            time_zone: schedule.timezone.clone(),
            concurrency_policy: Some(schedule.concurrency_policy.as_str().to_owned()),
            successful_jobs_history_limit: Some(schedule.successful_history),
            failed_jobs_history_limit: Some(schedule.failed_history),
            starting_deadline_seconds: schedule.starting_deadline,
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: job_labels,
                    ..Default::default()
                }),
                spec: Some(JobSpec {
                    backoff_limit: schedule.retries,
                    template,
                    ..Default::default()
                }),
            },
            ..Default::default()
        }
        .into(),
        ..Default::default()
    }
}
