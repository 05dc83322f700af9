//! `k3sgen new KIND NAME`: commented starter spec files that render as they are.

/// The kinds `new` can start, as the command spells them.
pub const KINDS: [&str; 5] = ["app", "functions", "gateway", "tenant", "store"];

/// A starter spec file of `kind` (one of [`KINDS`]) named `name`, with the
/// `yaml-language-server` line that points editors at `schemas/` (`k3sgen schema schemas`).
///
/// ```
/// let text = k3sgen::starter::starter("app", "hello").unwrap();
/// assert!(text.starts_with("# yaml-language-server: $schema=./schemas/app.json\n"));
/// assert!(matches!(k3sgen::parse_spec(&text), Ok(k3sgen::Spec::App(_))));
/// assert!(k3sgen::starter::starter("pod", "x").is_none());
/// ```
#[must_use]
pub fn starter(kind: &str, name: &str) -> Option<String> {
    let (schema, body) = match kind {
        "app" => ("app", APP),
        "functions" => ("functions", FUNCTIONS),
        "gateway" => ("gateway", GATEWAY),
        "tenant" => ("tenant", TENANT),
        "store" => ("store", STORE),
        _ => return None,
    };
    Some(format!(
        "# yaml-language-server: $schema=./schemas/{schema}.json\n{}",
        body.replace("NAME", name)
    ))
}

const APP: &str = r#"# An app: a Deployment, its Service, autoscaling, a PodDisruptionBudget, NetworkPolicies
# and a route. `k3sgen explain App` lists every field; `k3sgen explain App.scaling` one block.
kind: App
name: NAME
image: ghcr.io/example/NAME:0.1.0   # pin a tag or a digest
# workload: deployment   # stateful, daemon_set, job (with job: {...}) or cron_job (with cron_job: {schedule: "0 3 * * *"})
ports:
  - {name: http, port: 8080}
  # - {name: metrics, port: 9090}
# service: {type: load_balancer}                  # cluster_ip (default), load_balancer or node_port
# monitoring: {port: metrics, interval: 30s}      # a prometheus-operator ServiceMonitor
# strategy: {rolling: {max_surge: 1, max_unavailable: 0}}   # or recreate
resources: {cpu: 100m, memory: 128Mi}
env:
  LOG_LEVEL: info
  # DATABASE_URL: "postgres://${DB_HOST}:5432/NAME"   # ${VAR}s come from --vars FILE.env
  # API_KEY: {secret: NAME-api-key}                   # a Secret locally, an ExternalSecret in the cloud
probes:
  readiness: {http: /healthz, port: http}
scaling:
  hpa: {min: 2, max: 5, cpu: 70}
expose:
  host: NAME          # NAME.<the target's base domain>
security:
  visibility: public  # public, internal, private or restricted
# image_pull_secrets: [regcred]                  # a private registry's docker-registry Secret
# placement:
#   node_selector: {kubernetes.io/arch: arm64}   # or tolerations, spread: zone, affinity
# pod:
#   annotations: {reloader.stakater.com/auto: "true"}
# lifecycle:
#   pre_stop: {sleep: 5s}                        # let routes drain before SIGTERM
# config_files:
#   - {path: /etc/NAME/config.yaml, from: ./config.yaml}   # relative to this file
# sidecars:
#   - {name: logs, image: fluent/fluent-bit:3.2}
"#;

const FUNCTIONS: &str = r#"# A function project: one Deployment and Service per function, scaled by KEDA (HTTP) or
# on a Redis list (queue), or a CronJob (schedule). Functions can also be discovered from
# @http / @queue / @schedule decorators in the folders listed under `sources`.
kind: Functions
name: NAME
image: ghcr.io/example/NAME-functions:0.1.0
command: [k3sfn-runtime]   # reads K3SFN_HANDLER=module:function
sources: []               # folders with @http / @queue / @schedule decorated sources, e.g. [src]
host: NAME
resources: {cpu: 100m, memory: 128Mi}
functions:
  - name: hello
    handler: "hello:handle"
    trigger: {http: {path: /hello, methods: [GET]}}
    visibility: public
  - name: nightly-report
    handler: "reports:nightly"
    trigger: {schedule: {cron: "0 3 * * *"}}
"#;

const GATEWAY: &str = r#"# A gateway: routes plus global policies, rendered for the target's ingress controller
# (Traefik, HAProxy or the Gateway API).
kind: Gateway
name: NAME
cors:
  allow_origins: ['https://NAME.example.com']
  allow_methods: [GET, POST]
routes:
  - name: web
    host: NAME
    backend: {service: web, port: 8080}
  - name: api
    host: NAME
    paths: [/api]
    strip_prefix: true
    backend: {service: api, port: 8080}
    timeout: 30s
"#;

const TENANT: &str = r#"# A tenant: its namespace (Pod Security `restricted`), quota, container defaults,
# default-deny NetworkPolicies and least-privilege RBAC.
kind: Tenant
id: NAME
quota: {cpu: 4, memory: 8Gi, pods: 40}
limits: {default_request_cpu: 100m, default_request_memory: 128Mi, default_limit_cpu: 500m, default_limit_memory: 256Mi}
allow_ingress_controller: true
"#;

const STORE: &str = r#"# A store: its namespace, Postgres, and a Medusa-style API at NAME.<base domain>.
# Locally the database password comes from the `.env` entry `postgres-password.password`.
kind: Store
id: NAME
api_image: ghcr.io/example/medusa-store:2.8.4
"#;
