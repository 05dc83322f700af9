//! scratch
mod common;
use common::*;
fn show(label: &str, text: &str) {
    match k3score::yaml::from_yaml::<k3sapp::App>(text) {
        Err(e) => println!("[{label}] PARSE: {e}"),
        Ok(app) => match app.render(&ctx(k3score::Target::local())) {
            Ok(_) => println!("[{label}] OK"),
            Err(e) => { for m in messages(&e) { println!("[{label}] {m}"); } }
        },
    }
}
fn show_set(label: &str, text: &str) {
    match k3score::yaml::from_yaml::<k3sapp::AppSet>(text) {
        Err(e) => println!("[{label}] PARSE: {e}"),
        Ok(set) => match set.render(&ctx(k3score::Target::local())) {
            Ok(_) => println!("[{label}] OK"),
            Err(e) => { for m in messages(&e) { println!("[{label}] {m}"); } }
        },
    }
}
#[test]
fn scratch() {
    let base = "name: web\nimage: ghcr.io/acme/web:1.0.0\n";
    show("cpu", &format!("{base}resources:\n  cpu: lots\n"));
    show("mem", &format!("{base}resources: {{memory: 12 apples}}\n"));
    show("unknown", &format!("{base}portz: []\n"));
    show("unknown-nested", &format!("{base}ports:\n  - {{name: http, port: 80, proto: tcp}}\n"));
    show("hpa", &format!("{base}resources: {{cpu: 100m}}\nscaling:\n  hpa: {{min: 5, max: 2}}\n"));
    show("hpa-min0", &format!("{base}resources: {{cpu: 100m}}\nscaling:\n  hpa: {{min: 0, max: 2}}\n"));
    show("pdb", &format!("{base}pdb: {{min_available: 1, max_unavailable: 1}}\n"));
    show("var", &format!("{base}env:\n  DATABASE_URL: \"postgres://${{DB_HOSTNAME}}/x\"\n"));
    show("portname", &format!("{base}ports:\n  - {{name: a-very-long-port-name, port: 80}}\n"));
    show("dupport", &format!("{base}ports:\n  - {{name: http, port: 80}}\n  - {{name: http, port: 81}}\n"));
    show("dupportnum", &format!("{base}ports:\n  - {{name: http, port: 80}}\n  - {{name: web, port: 80}}\n"));
    show("gpu0", &format!("{base}resources:\n  gpu: {{count: 0}}\n"));
    show("gpuamdproduct", &format!("{base}resources:\n  gpu: {{vendor: amd, product: mi300}}\n"));
    show("gpufrac", &format!("{base}resources:\n  gpu: {{count: 0.5}}\n"));
    show("gpureq", &format!("{base}resources:\n  gpu: {{count: 1, requests: 1}}\n"));
    show("probeport", &format!("{base}ports: [{{name: http, port: 80}}]\nprobes:\n  readiness: {{http: /ready, port: admin}}\n  liveness: {{tcp: metrics}}\n"));
    show("replicas+scaling", &format!("{base}resources: {{cpu: 100m}}\nreplicas: 3\nscaling: {{hpa: {{max: 4}}}}\n"));
    show("expose-noports", &format!("{base}expose: {{host: web}}\n"));
    show("routeport", &format!("{base}ports: [{{name: http, port: 80}}]\nexpose: {{host: web, port: 8080}}\n"));
    show("routeportname", &format!("{base}ports: [{{name: http, port: 80}}]\nexpose: {{host: web, port: admin}}\n"));
    show("many", &format!("{base}ports:\n  - {{name: http, port: 80}}\n  - {{name: http, port: 81}}\nreplicas: 2\nscaling: {{hpa: {{min: 4, max: 2, cpu: 50}}}}\npdb: {{min_available: 1, max_unavailable: 1}}\nenv: {{URL: \"${{NOPE}}\"}}\n"));
    show_set("setdup", "kind: Apps\napps:\n  - {name: web, image: a:1}\n  - {name: web, image: b:1}\n");
    show_set("setinner", "kind: Apps\napps:\n  - {name: web, image: a:1}\n  - name: api\n    image: b:1\n    resources: {cpu: 100m}\n    scaling: {hpa: {min: 3, max: 1}}\n");
    show_set("setvar", "kind: Apps\napps:\n  - {name: web, image: a:1}\n  - name: api\n    image: b:1\n    env: {URL: \"${NOPE}\"}\n");
    show_set("setparse", "kind: Apps\napps:\n  - {name: web, image: a:1}\n  - name: api\n    image: b:1\n    resources: {cpu: lots}\n");
}
