//! Error tests: each class of bad input gives a clear error naming its path inside the spec
//! file, YAML errors carry line and column, and every problem is reported at once.

use crate::common::{ctx, parse_app, render_err};
use k3sapp::{App, AppBuilder, AppSet};
use k3score::scaling::{Hpa, Scaling};
use k3score::{ErrorKind, Target};

/// A valid app every case starts from.
const BASE: &str = "name: web\nimage: ghcr.io/acme/web:1.0.0\n";

/// The error strings of rendering `BASE` + `extra` on the local target.
fn errors(extra: &str) -> Vec<String> {
    render_err(&parse_app(&format!("{BASE}{extra}"))).messages()
}

/// The YAML error of `BASE` + `extra`: its path, line and column, and its text.
fn yaml_error(extra: &str) -> (String, u64, u64, String) {
    let text = format!("{BASE}{extra}");
    let errors = k3score::yaml::from_yaml::<App>(&text).expect_err("the spec must not parse");
    assert_eq!(errors.len(), 1, "{errors}");
    let err = &errors.0[0];
    match &err.kind {
        ErrorKind::Syntax { line, column, .. } => (err.path.to_string(), *line, *column, err.to_string()),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

/// The error strings of rendering an app set on the local target.
fn set_errors(text: &str) -> Vec<String> {
    let set: AppSet = k3score::yaml::from_yaml(text).unwrap_or_else(|e| panic!("{e}"));
    match set.render(&ctx(Target::local())) {
        Ok(_) => panic!("the app set rendered"),
        Err(errors) => errors.messages(),
    }
}

#[test]
fn bad_quantity_has_path_line_and_column() {
    let (path, line, column, text) = yaml_error("resources:\n  cpu: lots\n");
    assert_eq!(path, "resources.cpu");
    assert_eq!((line, column), (4, 8));
    assert!(text.starts_with("resources.cpu: invalid quantity \"lots\""), "{text}");
    assert!(text.ends_with("(line 4, column 8)"), "{text}");

    let (path, line, _, text) = yaml_error("resources: {memory: 12 apples}\n");
    assert_eq!((path.as_str(), line), ("resources.memory", 3));
    assert!(text.contains("invalid quantity \"12 apples\""), "{text}");
}

#[test]
fn unknown_field_has_path_line_and_column() {
    let (path, line, column, text) = yaml_error("portz: []\n");
    assert_eq!(path, "portz");
    assert_eq!((line, column), (3, 1));
    assert!(text.contains("unknown field \"portz\""), "{text}");

    let (path, line, _, text) = yaml_error("ports:\n  - {name: http, port: 80, proto: tcp}\n");
    assert_eq!((path.as_str(), line), ("ports[0].proto", 4));
    assert!(
        text.contains("unknown field \"proto\": did you mean \"protocol\"?"),
        "{text}"
    );

    // Nested blocks too: a misspelled scaling key.
    let (path, _, _, text) = yaml_error("scaling:\n  hpa: {max: 3, maximum: 4}\n");
    assert_eq!(path, "scaling.hpa.maximum");
    assert!(text.contains("unknown field \"maximum\""), "{text}");
}

#[test]
fn hpa_min_above_max() {
    assert_eq!(
        errors("resources: {cpu: 100m}\nscaling:\n  hpa: {min: 5, max: 2}\n"),
        ["scaling.hpa.max: conflict: max (2) is below min (5)"]
    );
    assert_eq!(
        errors("resources: {cpu: 100m}\nscaling:\n  hpa: {min: 0, max: 2}\n"),
        ["scaling.hpa.min: min must be at least 1, is 0"]
    );
    assert_eq!(
        errors("scaling:\n  keda_queue: {min: 3, max: 1, addresses: ['s:26379'], master: m, list: l}\n"),
        ["scaling.keda_queue.max: conflict: max (1) is below min (3)"]
    );
}

#[test]
fn pdb_takes_exactly_one_budget() {
    assert_eq!(
        errors("pdb: {min_available: 1, max_unavailable: 1}\n"),
        ["pdb: conflict: set min_available or max_unavailable, not both"]
    );
    assert_eq!(
        errors("pdb: {}\n"),
        ["pdb: missing: min_available or max_unavailable (or disabled: true)"]
    );
    assert_eq!(
        errors("pdb: {disabled: true, max_unavailable: 1}\n"),
        ["pdb.disabled: conflict: a disabled PDB takes no budget"]
    );
    let (path, _, _, text) = yaml_error("pdb: {max_unavailable: 120%}\n");
    assert_eq!(path, "pdb.max_unavailable");
    assert!(text.contains("120%"), "{text}");
}

#[test]
fn undefined_variable_names_the_variable_and_the_env_var() {
    assert_eq!(
        errors("env:\n  DATABASE_URL: \"postgres://${DB_HOSTNAME}:5432/web\"\n"),
        ["env.DATABASE_URL: undefined variable ${DB_HOSTNAME}"]
    );
    // Defined in the context: fine.
    let app = parse_app(&format!(
        "{BASE}env:\n  DATABASE_URL: \"postgres://${{DB_HOST}}:5432/web\"\n"
    ));
    assert!(app.render(&ctx(Target::local())).is_ok());
}

#[test]
fn port_name_longer_than_15_characters() {
    let (path, line, _, text) = yaml_error("ports:\n  - {name: a-very-long-port-name, port: 80}\n");
    assert_eq!((path.as_str(), line), ("ports[0].name", 4));
    assert!(
        text.contains("invalid IANA port name \"a-very-long-port-name\": must be 1 to 15 characters, is 21"),
        "{text}"
    );
}

#[test]
fn duplicate_ports() {
    assert_eq!(
        errors("ports:\n  - {name: http, port: 80}\n  - {name: http, port: 81}\n"),
        ["ports[1].name: duplicate port name \"http\""]
    );
    assert_eq!(
        errors("ports:\n  - {name: http, port: 80}\n  - {name: web, port: 80}\n"),
        ["ports[1].port: duplicate port \"80/TCP\""]
    );
}

#[test]
fn gpu_requests() {
    assert_eq!(
        errors("resources:\n  gpu: {count: 0}\n"),
        ["resources.gpu.count: must be at least 1"]
    );
    assert_eq!(
        errors("resources:\n  gpu: {vendor: amd, product: mi300}\n"),
        [
            "resources.gpu.product: gpu.product is not supported by the amd.com/gpu GPU vendor: it selects the GKE \
             node label cloud.google.com/gke-accelerator, set for NVIDIA GPUs only"
        ]
    );
    assert!(
        errors("resources:\n  gpu: {product: nvidia l4}\n")[0]
            .starts_with("resources.gpu.product: invalid label value")
    );
    // Extended resources are whole numbers (REFERENCE §12, G3).
    let (path, _, _, _) = yaml_error("resources:\n  gpu: {count: 0.5}\n");
    assert_eq!(path, "resources.gpu.count");
    // GPUs are limits only; there is no way to ask for a GPU request without the limit (G1).
    let (path, _, _, text) = yaml_error("resources:\n  gpu: {count: 1, requests: 1}\n");
    assert_eq!(path, "resources.gpu.requests");
    assert!(
        text.contains("the fields here are count, vendor, product, tolerate"),
        "{text}"
    );
    let (path, _, _, _) = yaml_error("resources:\n  gpu: {vendor: matrox}\n");
    assert_eq!(path, "resources.gpu.vendor");
}

#[test]
fn probe_ports_must_name_a_port() {
    assert_eq!(
        errors(
            "ports: [{name: http, port: 80}]\nprobes:\n  readiness: {http: /ready, port: admin}\n  \
             liveness: {tcp: metrics}\n  startup: {grpc: grpc}\n"
        ),
        [
            "probes.startup.grpc: port \"grpc\" names no port in ports",
            "probes.readiness.port: port \"admin\" names no port in ports",
            "probes.liveness.tcp: port \"metrics\" names no port in ports",
        ]
    );
    assert_eq!(
        errors("probes:\n  readiness: {http: /ready}\n"),
        ["probes.readiness.port: missing: a port: the workload declares no ports to default to"]
    );
}

#[test]
fn replicas_together_with_scaling() {
    assert_eq!(
        errors("resources: {cpu: 100m}\nreplicas: 3\nscaling: {hpa: {max: 4}}\n"),
        ["replicas: conflict: the autoscaler owns the replica count; set the scaling minimum instead"]
    );
    assert_eq!(errors("replicas: -1\n"), ["replicas: must not be negative"]);
    // The builder reaches the same validation as spec files.
    let built = AppBuilder::default()
        .name("web".parse::<k3score::names::DnsLabel>().unwrap())
        .image("ghcr.io/acme/web:1.0.0")
        .replicas(Some(3))
        .scaling(Scaling::Hpa(Hpa {
            min: 1,
            max: 4,
            cpu: None,
            memory: Some(70),
            behavior: None,
        }))
        .build()
        .unwrap_err();
    assert_eq!(
        built.messages(),
        [
            "replicas: conflict: the autoscaler owns the replica count; set the scaling minimum instead",
            "resources.memory: missing: a memory request: scaling.hpa.memory is a percentage of it",
        ]
    );
}

#[test]
fn builder_reports_every_unset_required_field() {
    let err = AppBuilder::default().replicas(Some(2)).build().unwrap_err();
    assert_eq!(
        err.messages(),
        ["name: missing: name must be set", "image: missing: image must be set"]
    );
}

#[test]
fn expose_without_ports() {
    assert_eq!(
        errors("expose: {host: web}\n"),
        ["ports: missing: a port for the routes in expose"]
    );
}

#[test]
fn route_port_not_among_the_app_ports() {
    assert_eq!(
        errors("ports: [{name: http, port: 80}]\nexpose: {host: web, port: 8080}\n"),
        ["expose[0].port: port 8080 is not one of the app's ports"]
    );
    assert_eq!(
        errors("ports: [{name: http, port: 80}]\nexpose:\n  - {host: web}\n  - {host: admin, port: admin}\n"),
        ["expose[1].port: port admin is not one of the app's ports"]
    );
}

#[test]
fn scaling_needs() {
    assert_eq!(
        errors("scaling: {hpa: {max: 3, cpu: 70}}\n"),
        ["resources.cpu: missing: a cpu request: scaling.hpa.cpu is a percentage of it"]
    );
    assert_eq!(
        errors("scaling: {keda_http: {max: 3}}\n"),
        [
            "ports: missing: a port: keda_http scaling sends traffic to the app's Service",
            "expose: missing: a route: keda_http scaling counts the requests of the app's routes",
        ]
    );
    let stateful = errors(
        "workload: stateful\nports: [{name: http, port: 80}]\nexpose: {host: web}\nscaling: {keda_http: {max: 3}}\n",
    );
    assert_eq!(stateful.len(), 1, "{stateful:?}");
    assert!(
        stateful[0].starts_with("scaling: keda_http scaling is not supported by stateful apps"),
        "{stateful:?}"
    );
}

#[test]
fn local_secret_without_a_value() {
    let all = errors("env:\n  TOKEN: {secret: web-token}\n");
    assert!(
        all.contains(
            &"env.TOKEN: secret \"web-token\" has no value for key \"value\" in the provided values".to_owned()
        ),
        "{all:?}"
    );
}

#[test]

fn local_secret_without_a_value_is_reported_once() {
    assert_eq!(
        errors("env:\n  TOKEN: {secret: web-token}\n"),
        ["env.TOKEN: secret \"web-token\" has no value for key \"value\" in the provided values"]
    );
    // Shared by two apps of a set: once per reference, not once more per app.
    assert_eq!(
        set_errors(
            "kind: Apps\napps:\n  - {name: a, image: a:1, env: {T: {secret: tok}}}\n  \
             - {name: b, image: b:1, env: {T: {secret: tok}}}\n"
        ),
        ["apps[0].env.T: secret \"tok\" has no value for key \"value\" in the provided values"]
    );
}

#[test]
fn app_set_duplicate_names() {
    assert_eq!(
        set_errors("kind: Apps\napps:\n  - {name: web, image: a:1}\n  - {name: web, image: b:1}\n"),
        ["apps[1].name: duplicate app name \"web\""]
    );
}

#[test]
fn app_set_errors_name_the_app() {
    assert_eq!(
        set_errors(
            "kind: Apps\napps:\n  - {name: web, image: a:1}\n  - name: api\n    image: b:1\n    \
             resources: {cpu: 100m}\n    scaling: {hpa: {min: 3, max: 1}}\n"
        ),
        ["apps[1].scaling.hpa.max: conflict: max (1) is below min (3)"]
    );
    // Render-time errors too.
    assert_eq!(
        set_errors(
            "kind: Apps\napps:\n  - {name: web, image: a:1}\n  - name: api\n    image: b:1\n    env: {URL: \"${NOPE}\"}\n"
        ),
        ["apps[1].env.URL: undefined variable ${NOPE}"]
    );
    // And YAML errors.
    let text =
        "kind: Apps\napps:\n  - {name: web, image: a:1}\n  - name: api\n    image: b:1\n    resources: {cpu: lots}\n";
    let err = &k3score::yaml::from_yaml::<AppSet>(text).unwrap_err().0[0];
    assert_eq!(err.path.to_string(), "apps[1].resources.cpu");
    assert!(err.to_string().ends_with("(line 6, column 22)"), "{err}");
}

/// Five independent mistakes in one spec.
const MANY: &str = "ports:\n  - {name: http, port: 80}\n  - {name: http, port: 81}\nreplicas: 2\n\
                    scaling: {hpa: {min: 4, max: 2, cpu: 50}}\npdb: {min_available: 1, max_unavailable: 1}\n\
                    expose: {host: web, port: 9999}\n";

#[test]
fn several_problems_are_reported_together() {
    let all = errors(MANY);
    assert_eq!(
        all,
        [
            "ports[1].name: duplicate port name \"http\"",
            "scaling.hpa.max: conflict: max (2) is below min (4)",
            "pdb: conflict: set min_available or max_unavailable, not both",
            "replicas: conflict: the autoscaler owns the replica count; set the scaling minimum instead",
            "resources.cpu: missing: a cpu request: scaling.hpa.cpu is a percentage of it",
            "expose[0].port: port 9999 is not one of the app's ports",
        ]
    );
    assert_eq!(all.len(), 6);
}

#[test]
fn validation_and_render_errors_are_reported_together() {
    let all = errors(&format!(
        "{MANY}env:\n  URL: \"${{NOPE}}\"\n  TOKEN: {{secret: web-token}}\n"
    ));
    assert_eq!(all.len(), 8, "{all:#?}");
    assert!(
        all.contains(&"env.URL: undefined variable ${NOPE}".to_owned()),
        "{all:#?}"
    );
}

#[test]

fn read_write_once_claim_on_several_replicas() {
    for extra in [
        "replicas: 2\n",
        "resources: {cpu: 100m}\nscaling: {hpa: {min: 2, max: 4, cpu: 70}}\n",
    ] {
        let all = errors(&format!(
            "volumes: [{{name: data, mount_path: /data, pvc: {{size: 1Gi}}}}]\n{extra}"
        ));
        assert!(all.iter().any(|e| e.starts_with("volumes[0].pvc")), "{all:?}");
    }
    // A StatefulSet gets one claim per replica: fine.
    let stateful = parse_app(&format!(
        "{BASE}workload: stateful\nreplicas: 3\nvolumes: [{{name: data, mount_path: /data, pvc: {{size: 1Gi}}}}]\n"
    ));
    assert!(stateful.render(&ctx(Target::local())).is_ok());
}
