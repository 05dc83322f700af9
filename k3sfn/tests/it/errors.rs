//! Spec errors: every problem at once, each with its field path.

use crate::common::ctx;
use k3score::Target;
use k3sfn::{Function, Project, ProjectBuilder};
use pretty_assertions::assert_eq;

fn errors(yaml: &str) -> Vec<String> {
    let project: Project = k3score::yaml::from_yaml(yaml).unwrap_or_else(|e| panic!("{e}"));
    project.validate().unwrap_err().messages()
}

#[test]
fn function_errors_have_paths() {
    let yaml = r#"
name: shop
port: 0
env: {K3SFN_HANDLER: x}
functions:
  - {name: a, handler: "m:a", trigger: {http: {path: orders, methods: [GET, GET]}}, min_replicas: 3, max_replicas: 2}
  - {name: a, handler: "m:b", image: "bad image", trigger: {queue: {list: "", length: 0}}, visibility: public, concurrency: 5}
  - {name: c, handler: "m:c", image: x, trigger: {schedule: {cron: "0 0 * *", timezone: Paris, failed_history: -1, restart_policy: always}}, max_replicas: 3}
  - {name: d, handler: "m:d", image: x, trigger: {http: {path: /same}}, visibility: public}
  - {name: e, handler: "m:e", image: x, trigger: {http: {path: /same/}}, visibility: public}
"#;
    assert_eq!(
        errors(yaml),
        [
            "port: must be between 1 and 65535",
            "env.K3SFN_HANDLER: K3SFN_* variables are set by k3sfn",
            "functions[0].image: missing: an image: set image on the project or the function",
            "functions[0].trigger.http.path: invalid path \"orders\": must start with '/'",
            "functions[0].trigger.http.methods[1]: duplicate method \"GET\"",
            "functions[0].max_replicas: conflict: max (2) is below min (3)",
            "functions[1].name: duplicate function name \"a\"",
            "functions[1].image: image \"bad image\" must not contain whitespace",
            "functions[1].trigger.queue.addresses: missing: at least one Sentinel host:port",
            "functions[1].trigger.queue.master: missing: a master name",
            "functions[1].trigger.queue.list: missing: a list name",
            "functions[1].trigger.queue.length: must be at least 1, is 0",
            "functions[1].concurrency: conflict: concurrency applies to http triggers only",
            "functions[1].visibility: public needs an http trigger: a queue function has no route",
            "functions[2].trigger.schedule.cron: invalid cron expression \"0 0 * *\": needs 5 fields (minute hour day-of-month month day-of-week), has 4",
            "functions[2].trigger.schedule.timezone: invalid time zone \"Paris\": use an IANA name like Europe/Paris, America/New_York or UTC",
            "functions[2].trigger.schedule.failed_history: must not be negative, is -1",
            "functions[2].trigger.schedule.restart_policy: Jobs accept on_failure or never, not always",
            "functions[2].max_replicas: conflict: max_replicas applies to http and queue triggers only",
            "functions[4].trigger.http.path: conflict: functions[3] already routes shop/same/",
        ]
    );
}

#[test]
fn spec_files_reject_unknown_keys_and_bad_names() {
    let err = k3score::yaml::from_yaml::<Project>(
        "name: shop\nfunctions:\n  - {name: a, handler: 'm:a', trigger: {http: {path: /a}}, replicas: 2}\n",
    )
    .unwrap_err();
    assert_eq!(err.0[0].path.to_string(), "functions[0].replicas");
    assert!(err.to_string().contains("replicas"), "{err}");
    let err = k3score::yaml::from_yaml::<Project>(
        "name: shop\nfunctions:\n  - {name: a, handler: 'no-colon', trigger: {http: {path: /a}}}\n",
    )
    .unwrap_err();
    assert_eq!(err.0[0].path.to_string(), "functions[0].handler");
    let err = k3score::yaml::from_yaml::<Project>("name: 1shop\n").unwrap_err();
    assert_eq!(err.0[0].path.to_string(), "name");
    let err = k3score::yaml::from_yaml::<Project>("kind: App\nname: shop\n").unwrap_err();
    assert_eq!(err.0[0].path.to_string(), "kind");
}

#[test]
fn builder_validates_like_files() {
    let err = ProjectBuilder::default()
        .name("shop".parse::<k3score::names::Dns1035Label>().unwrap())
        .functions(vec![Function::schedule(
            "a".parse().unwrap(),
            "m:a".parse().unwrap(),
            "nope",
        )])
        .build()
        .unwrap_err();
    assert_eq!(
        err.messages(),
        [
            "functions[0].image: missing: an image: set image on the project or the function",
            "functions[0].trigger.schedule.cron: invalid cron expression \"nope\": needs 5 fields (minute hour day-of-month month day-of-week), has 1",
        ]
    );
    assert_eq!(
        ProjectBuilder::default().build().unwrap_err().to_string(),
        "name: missing: name must be set"
    );
}

#[test]
fn render_errors_name_the_function() {
    let project: Project = k3score::yaml::from_yaml(
        "name: shop\nimage: acme/fn:1\nfunctions:\n  - {name: a, handler: 'm:a', trigger: {http: {path: /a}}, env: {URL: 'http://${MISSING}/x', TOKEN: {secret: not-in-env}}}\n",
    )
    .unwrap();
    let err = project.render(&ctx(Target::local())).unwrap_err();
    assert_eq!(
        err.messages(),
        [
            "functions[0].env.URL: undefined variable ${MISSING}",
            "functions[0].env.TOKEN: secret \"not-in-env\" has no value for key \"value\" in the provided values",
        ]
    );
}

#[test]
fn pod_template_settings_of_a_function() {
    let yaml = r#"
name: shop
image: acme/fn:1
functions:
  - name: hello
    handler: "m:hello"
    trigger: {http: {path: /hello}}
    pod: {annotations: {prometheus.io/scrape: "true"}, labels: {app.kubernetes.io/name: other}}
    placement: {node_selector: {kubernetes.io/arch: arm64}, tolerations: [{value: x}]}
    lifecycle: {pre_stop: {http: /drain, port: admin}}
  - name: nightly
    handler: "m:nightly"
    trigger: {schedule: {cron: "0 3 * * *"}}
    image_pull_secrets: [regcred]
    sidecars: [{name: proxy, image: ghcr.io/acme/proxy:1, ports: [{name: proxy, port: 15000}]}]
    config_files: [{path: /etc/fn/config.yaml, content: "a: 1"}]
"#;
    assert_eq!(
        errors(yaml),
        [
            "functions[0].pod.labels.app.kubernetes.io/name: conflict: app.kubernetes.io/name is a selector label and must stay \"shop-hello\"",
            "functions[0].placement.tolerations[0].key: missing: a taint key (or operator: exists to tolerate every taint)",
            "functions[0].lifecycle.pre_stop.port: port \"admin\" names no port in ports",
        ]
    );
    let project: Project = k3score::yaml::from_yaml(
        &yaml
            .replace("app.kubernetes.io/name: other", "tier: fn")
            .replace("tolerations: [{value: x}]", "spread: zone")
            .replace("port: admin", "port: http"),
    )
    .unwrap();
    let bundle = project.render(&ctx(Target::local())).unwrap();
    let yaml = bundle.to_yaml().unwrap();
    for part in [
        "kubernetes.io/arch: arm64",
        "restartPolicy: Always",
        "- name: regcred",
        "shop-nightly-config-files",
        "prometheus.io/scrape",
    ] {
        assert!(yaml.contains(part), "{part}: {yaml}");
    }
}
