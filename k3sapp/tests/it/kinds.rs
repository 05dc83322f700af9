//! Workload kinds and rollout settings (issue 24): DaemonSet, Job and CronJob with the same
//! pod template, the fields each kind takes, and an error naming every field that does not fit.

use crate::common::{app, assert_restricted, golden, parse_app, render, render_err};
use k3score::Target;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

const BASE: &str = "name: web\nimage: ghcr.io/acme/web:1.0.0\n";

fn errors(extra: &str) -> Vec<String> {
    render_err(&parse_app(&format!("{BASE}{extra}"))).messages()
}

#[test]
fn daemon_set_keeps_its_service_and_rolls_by_node() {
    let bundle = render(&app("kind_daemon_set"), Target::local());
    golden("kind_daemon_set", &bundle);
    let ds = bundle.get::<DaemonSet>("node-agent").expect("a DaemonSet");
    let spec = &ds.spec;
    assert_eq!(spec.min_ready_seconds, Some(10));
    assert_eq!(spec.revision_history_limit, Some(5));
    let strategy = spec.update_strategy.as_ref().unwrap();
    assert_eq!(strategy.type_.as_deref(), Some("RollingUpdate"));
    assert_eq!(
        strategy.rolling_update.as_ref().unwrap().max_unavailable,
        Some(IntOrString::Int(1))
    );
    assert_restricted(spec.template.spec.as_ref().unwrap());
    assert!(
        bundle.get::<Service>("node-agent").is_some(),
        "metrics are reachable through the Service"
    );
    assert!(
        bundle
            .iter()
            .all(|o| o.kind() != "PodDisruptionBudget" && o.kind() != "Deployment")
    );
}

#[test]
fn job_runs_to_completion_without_a_service() {
    let bundle = render(&app("kind_job"), Target::gcp());
    golden("kind_job", &bundle);
    let job = bundle.get::<Job>("orders-migrate").expect("a Job");
    let spec = job.spec.as_ref().unwrap();
    assert_eq!(
        (spec.backoff_limit, spec.completions, spec.parallelism),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(spec.active_deadline_seconds, Some(600));
    assert_eq!(spec.ttl_seconds_after_finished, Some(86400));
    assert_eq!(spec.selector, None, "Kubernetes generates a Job's selector");
    let pod = spec.template.spec.as_ref().unwrap();
    assert_eq!(pod.restart_policy.as_deref(), Some("OnFailure"));
    assert_restricted(pod);
    assert!(bundle.iter().all(|o| o.kind() != "Service"));
}

#[test]
fn cron_job_runs_on_its_schedule() {
    let bundle = render(&app("kind_cron_job"), Target::local());
    golden("kind_cron_job", &bundle);
    let cron = bundle.get::<CronJob>("db-backup").expect("a CronJob");
    let spec = &cron.spec;
    assert_eq!(spec.schedule, "0 3 * * *");
    assert_eq!(spec.time_zone.as_deref(), Some("Europe/Paris"));
    assert_eq!(spec.concurrency_policy.as_deref(), Some("Forbid"));
    assert_eq!(
        (spec.successful_jobs_history_limit, spec.failed_jobs_history_limit),
        (Some(3), Some(1))
    );
    assert_eq!(spec.suspend, None);
    let job = spec.job_template.spec.as_ref().unwrap();
    assert_eq!(
        (job.backoff_limit, job.ttl_seconds_after_finished),
        (Some(1), Some(3600))
    );
    let pod = job.template.spec.as_ref().unwrap();
    assert_eq!(pod.restart_policy.as_deref(), Some("OnFailure"));
    assert_restricted(pod);
}

#[test]
fn rollout_settings_reach_deployments_and_stateful_sets() {
    let deployment = parse_app(&format!(
        "{BASE}replicas: 3\nstrategy: {{rolling: {{max_surge: 25%, max_unavailable: 0}}}}\nmin_ready: 5\nrevision_history: 3\n"
    ));
    let bundle = render(&deployment, Target::local());
    let spec = &bundle.get::<Deployment>("web").unwrap().spec;
    let strategy = spec.strategy.as_ref().unwrap();
    assert_eq!(strategy.type_.as_deref(), Some("RollingUpdate"));
    let rolling = strategy.rolling_update.as_ref().unwrap();
    assert_eq!(rolling.max_surge, Some(IntOrString::String("25%".into())));
    assert_eq!(rolling.max_unavailable, Some(IntOrString::Int(0)));
    assert_eq!(
        (spec.min_ready_seconds, spec.revision_history_limit),
        (Some(5), Some(3))
    );

    let recreate = render(&parse_app(&format!("{BASE}strategy: recreate\n")), Target::local());
    let strategy = recreate
        .get::<Deployment>("web")
        .unwrap()
        .spec
        .strategy
        .clone()
        .unwrap();
    assert_eq!(
        (strategy.type_.as_deref(), strategy.rolling_update),
        (Some("Recreate"), None)
    );

    let stateful = parse_app(&format!(
        "{BASE}workload: stateful\nstrategy: {{rolling: {{partition: 2}}}}\nrevision_history: 2\n"
    ));
    let bundle = render(&stateful, Target::local());
    let spec = &bundle.get::<StatefulSet>("web").unwrap().spec;
    let strategy = spec.update_strategy.as_ref().unwrap();
    assert_eq!(strategy.rolling_update.as_ref().unwrap().partition, Some(2));
    assert_eq!(spec.revision_history_limit, Some(2));
    let on_delete = render(
        &parse_app(&format!("{BASE}workload: stateful\nstrategy: on_delete\n")),
        Target::local(),
    );
    let strategy = on_delete
        .get::<StatefulSet>("web")
        .unwrap()
        .spec
        .update_strategy
        .clone()
        .unwrap();
    assert_eq!(
        (strategy.type_.as_deref(), strategy.rolling_update),
        (Some("OnDelete"), None)
    );
}

#[test]
fn without_the_new_fields_a_deployment_renders_as_before() {
    let bundle = render(&parse_app(BASE), Target::local());
    let spec = &bundle.get::<Deployment>("web").unwrap().spec;
    assert_eq!(spec.strategy, None);
    assert_eq!((spec.min_ready_seconds, spec.revision_history_limit), (None, None));
    assert_eq!(spec.template.spec.as_ref().unwrap().restart_policy, None);
}

#[test]
fn fields_that_do_not_fit_the_kind_are_named() {
    assert_eq!(
        errors(
            "workload: job\nreplicas: 2\nscaling: {hpa: {max: 3}}\npdb: {max_unavailable: 1}\nports: [{name: http, port: 80}]\nexpose: {host: web}\nprobes: {readiness: {http: /, port: http}}\nstrategy: recreate\nmin_ready: 3\nrevision_history: 1\ncron_job: {schedule: '@daily'}\n"
        ),
        [
            "strategy: strategy is not supported by workload: job: a Job's pods run to completion, once; they are not rolled",
            "min_ready: min_ready is not supported by workload: job: a Job's pods run to completion, once; they are not rolled",
            "revision_history: revision_history is not supported by workload: job: a Job's pods run to completion, once; they are not rolled",
            "cron_job: cron_job is not supported by workload: job: a schedule needs workload: cron_job",
            "replicas: replicas is not supported by workload: job: a Job's pod count is job.parallelism and job.completions",
            "scaling: scaling is not supported by workload: job: a Job's pod count is job.parallelism and job.completions",
            "pdb: pdb is not supported by workload: job: a Job's pods run to completion; a budget would only block node drains",
            "expose: expose is not supported by workload: job: a Job serves no traffic: it gets no Service; use a deployment",
            "probes.readiness: a readiness probe is not supported by workload: job: a Job serves no traffic: it gets no Service; use a deployment",
            "replicas: conflict: the autoscaler owns the replica count; set the scaling minimum instead",
        ]
    );
    assert_eq!(
        errors(
            "workload: daemon_set\nreplicas: 2\npdb: {max_unavailable: 1}\njob: {backoff_limit: 1}\nstrategy: recreate\n"
        ),
        [
            "strategy: strategy: recreate is not supported by workload: daemon_set: use on_delete, or rolling: {partition} (StatefulSet)",
            "job: job is not supported by workload: daemon_set: Job settings need workload: job or workload: cron_job",
            "replicas: replicas is not supported by workload: daemon_set: a DaemonSet runs one pod on every node",
            "pdb: pdb is not supported by workload: daemon_set: node drains skip DaemonSet pods (kubectl drain --ignore-daemonsets), so a budget guards nothing",
        ]
    );
    assert_eq!(
        errors("strategy: on_delete\n"),
        [
            "strategy: strategy: on_delete is not supported by workload: deployment: use recreate or rolling: {max_surge, max_unavailable}"
        ]
    );
    assert_eq!(
        errors("strategy: {rolling: {partition: 1, max_surge: 0, max_unavailable: 0%}}\n"),
        [
            "strategy.rolling.partition: partition is not supported by workload: deployment: partition is a StatefulSet setting (workload: stateful)",
            "strategy.rolling: max_surge and max_unavailable cannot both be 0: the update could not progress",
        ]
    );
    assert_eq!(
        errors("workload: stateful\nstrategy: {rolling: {max_surge: 1}}\n"),
        [
            "strategy.rolling.max_surge: max_surge is not supported by workload: stateful: a StatefulSet updates one pod at a time; use partition"
        ]
    );
}

#[test]
fn job_and_schedule_values_are_checked() {
    assert_eq!(
        errors("workload: cron_job\n"),
        ["cron_job: missing: the schedule of workload: cron_job (cron_job: {schedule: \"0 3 * * *\"})"]
    );
    let found = errors(
        "workload: cron_job\ncron_job: {schedule: '0 0 * 13 *', time_zone: Mars/Olympus, history: {successful: -1}}\njob: {backoff_limit: -1, completions: 0, active_deadline: 0}\nmin_ready: -2\n",
    );
    let paths: Vec<&str> = found.iter().map(|m| m.split(':').next().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "min_ready",
            "job.backoff_limit",
            "job.completions",
            "job.active_deadline",
            "cron_job.schedule",
            "cron_job.time_zone",
            "cron_job.history.successful",
        ],
        "{found:#?}"
    );
    assert!(found[4].contains("month 13 is out of 1-12"), "{}", found[4]);
    let long = "a".repeat(53);
    assert_eq!(
        render_err(&parse_app(&format!(
            "name: {long}\nimage: x:1\nworkload: cron_job\ncron_job: {{schedule: '@daily'}}\n"
        )))
        .messages(),
        [
            "name: a cron_job app's name must be at most 52 characters (the controller appends 11 to its Jobs' names), is 53"
        ]
    );
}

#[test]
fn a_daemon_set_cannot_share_a_read_write_once_claim() {
    assert_eq!(
        errors("workload: daemon_set\nvolumes: [{name: data, mount_path: /data, pvc: {size: 1Gi}}]\n"),
        [
            "volumes[0].pvc: conflict: a ReadWriteOnce claim attaches to one node, but a daemon_set runs a pod on every node; use access_mode: read_write_many"
        ]
    );
}

#[test]
fn a_load_balancer_opens_its_ports_to_every_source() {
    use k8s_openapi::api::networking::v1::NetworkPolicy;
    let bundle = render(&app("service_load_balancer"), Target::local());
    golden("service_load_balancer", &bundle);
    let spec = bundle.get::<Service>("mqtt").unwrap().spec.clone().unwrap();
    assert_eq!(spec.type_.as_deref(), Some("LoadBalancer"));
    assert_eq!(spec.external_traffic_policy.as_deref(), Some("Local"));
    let ports = spec.ports.unwrap();
    assert_eq!(
        (ports[0].node_port, ports[1].protocol.as_deref()),
        (Some(31883), Some("UDP"))
    );
    let policy = bundle
        .get::<NetworkPolicy>("mqtt-from-anywhere")
        .expect("the open policy");
    assert!(policy.metadata.annotations.as_ref().unwrap()["kubernetes.io/description"].contains("0.0.0.0/0 and ::/0"));
    let rule = &policy.spec.as_ref().unwrap().ingress.as_ref().unwrap()[0];
    let cidrs: Vec<String> = rule
        .from
        .as_ref()
        .unwrap()
        .iter()
        .map(|p| p.ip_block.clone().unwrap().cidr)
        .collect();
    assert_eq!(cidrs, ["0.0.0.0/0", "::/0"]);
    assert_eq!(rule.ports.as_ref().unwrap().len(), 2);
    // A ClusterIP Service opens nothing to the outside.
    let plain = render(
        &parse_app(&format!("{BASE}ports: [{{name: http, port: 80}}]\n")),
        Target::local(),
    );
    assert!(plain.get::<NetworkPolicy>("web-from-anywhere").is_none());
}

#[test]
fn monitoring_renders_a_service_monitor_and_opens_only_the_metrics_port() {
    use k3score::crd::prometheus::v1::ServiceMonitor;
    use k8s_openapi::api::networking::v1::NetworkPolicy;
    let bundle = render(&app("monitoring"), Target::gcp());
    golden("monitoring", &bundle);
    let monitor = bundle.get::<ServiceMonitor>("inventory").expect("a ServiceMonitor");
    let endpoint = &monitor.spec.endpoints[0];
    assert_eq!(
        (
            endpoint.port.as_deref(),
            endpoint.path.as_deref(),
            endpoint.interval.as_deref()
        ),
        (Some("metrics"), Some("/metrics"), Some("30s"))
    );
    let policy = bundle
        .get::<NetworkPolicy>("inventory-from-monitoring")
        .expect("the monitoring policy");
    let rule = &policy.spec.as_ref().unwrap().ingress.as_ref().unwrap()[0];
    assert_eq!(rule.ports.as_ref().unwrap().len(), 1);
    assert_eq!(rule.ports.as_ref().unwrap()[0].port, Some(IntOrString::Int(9090)));
}

#[test]
fn service_and_monitoring_settings_are_checked() {
    assert_eq!(
        errors(
            "ports: [{name: http, port: 80}]\nservice: {external_traffic: local, load_balancer_class: x, node_ports: {http: 80, other: 30001}}\nmonitoring: {port: metrics}\n"
        ),
        [
            "monitoring.port: \"metrics\" is not one of the ports",
            "service.external_traffic: external_traffic is not supported by service type ClusterIP: set type: load_balancer or node_port",
            "service.load_balancer_class: load_balancer_class is not supported by service type ClusterIP: set type: load_balancer",
            "service.node_ports: node_ports is not supported by service type ClusterIP: set type: node_port or load_balancer",
            "service.node_ports.http: a node port must be 30000 to 32767 (the API server's default range), is 80",
            "service.node_ports.other: \"other\" is not one of the ports",
        ]
    );
    assert_eq!(
        errors("workload: job\nservice: {type: load_balancer}\nmonitoring: {port: http}\n"),
        [
            "service: service is not supported by workload: job: a Job serves no traffic: it gets no Service; use a deployment",
            "monitoring: monitoring is not supported by workload: job: a Job has no Service to scrape; push its metrics (Pushgateway) instead",
        ]
    );
    assert_eq!(
        errors("workload: stateful\nports: [{name: pg, port: 5432}]\nservice: {type: load_balancer}\n"),
        [
            "service.type: service type LoadBalancer is not supported by workload: stateful: its Service is headless (clusterIP: None) to give each pod a stable name; expose it with another app"
        ]
    );
}

/// Issue 24's acceptance: one app using every row at once, as whole bundles for `local` and
/// `gcp`.
#[test]
fn every_row_at_once_under_local_and_gcp() {
    for (target, name) in [(Target::local(), "all_rows_local"), (Target::gcp(), "all_rows_gcp")] {
        let bundle = render(&app("all_rows"), target);
        golden(name, &bundle);
        let yaml = bundle.to_yaml().unwrap();
        for part in [
            "kind: Deployment",
            "maxSurge: 1",
            "minReadySeconds: 10",
            "type: LoadBalancer",
            "nodePort: 31883",
            "kind: ServiceMonitor",
            "restartPolicy: Always",
            "checksum/config:",
            "ndots",
            "name: broker-extra",
            "priorityClassName: iot-high",
            "sleep:",
        ] {
            assert!(yaml.contains(part), "{name}: {part}");
        }
    }
}
