//! Issue 27: a problem of shape (an unknown key, a value of the wrong shape or out of range)
//! is reported and skipped, so one run reports every problem of a file, with "did you mean"
//! for a misspelt key or value.

use std::collections::BTreeMap;

use k3sgen::Diagnostic;

use crate::messages::{check, check_texts, data};

/// `(path, line, column)` of every diagnostic about `file`, in the order reported.
fn positions(diagnostics: &[Diagnostic], file: &str) -> Vec<(String, u64, u64)> {
    diagnostics
        .iter()
        .filter(|d| d.file.ends_with(file))
        .map(|d| (d.path.clone(), d.line, d.column))
        .collect()
}

fn owned(places: &[(&str, u64, u64)]) -> Vec<(String, u64, u64)> {
    places.iter().map(|(p, l, c)| ((*p).to_owned(), *l, *c)).collect()
}

/// One file per spec kind (and a compose project) with an unknown key at the top, nested and
/// in a list item, a single value for a list, a list for a mapping, text for a number and a
/// number out of range, as far as the kind has such fields (see the comments in the files).
#[test]
fn every_shape_of_every_kind_is_reported_with_its_path_line_and_column() {
    let diagnostics = check(&[data().join("mistakes/shapes")]);
    let expected: BTreeMap<&str, Vec<(&str, u64, u64)>> = BTreeMap::from([
        (
            "shapes/app.yaml",
            vec![
                ("replica", 5, 1),
                ("ports[0].protcol", 7, 30),
                ("resources.memroy", 8, 24),
                ("command", 9, 10),
                ("probes", 10, 9),
                ("termination_grace_period", 11, 27),
                ("scaling.hpa.max", 12, 30),
            ],
        ),
        (
            "shapes/apps.yaml",
            vec![
                ("namespce", 3, 1),
                ("apps[0].colour", 7, 5),
                ("apps[1].replicas", 10, 15),
                ("apps[1].ports", 11, 12),
                ("apps[1].resources", 12, 16),
                ("apps[2].resources.cpus", 15, 17),
                ("apps[2].termination_grace_period", 16, 31),
            ],
        ),
        (
            "shapes/fns.yaml",
            vec![
                ("port", 5, 7),
                ("args", 6, 7),
                ("resources", 7, 12),
                ("functions[0].min_replica", 12, 5),
                ("functions[1].trigger.http.methd", 15, 37),
                ("functions[1].max_replicas", 16, 19),
                ("queu", 17, 1),
            ],
        ),
        (
            "shapes/gateway.yaml",
            vec![
                ("rout", 4, 1),
                ("rate_limit.requests", 5, 24),
                ("cors.allow_origins", 6, 23),
                ("cors.max_age", 6, 60),
                ("waf", 7, 6),
                ("routes[0].timout", 12, 5),
                ("routes[1].rate_limit.brust", 16, 32),
            ],
        ),
        (
            "shapes/platform.yaml",
            vec![
                ("descripton", 4, 1),
                ("charts[0].value_files", 9, 18),
                ("charts[0].sync.retry.limit", 10, 44),
                ("charts[0].relase_name", 11, 5),
                ("charts[1].sync.retry.limit", 15, 40),
                ("charts[1].sync.slef_heal", 15, 53),
                ("charts[1].values_by_target", 16, 23),
            ],
        ),
        (
            "shapes/tenant.yaml",
            vec![
                ("provisionr", 4, 1),
                ("quota.pod", 5, 19),
                ("labels", 6, 9),
                ("limits.max_cpu", 7, 37),
            ],
        ),
        (
            "shapes/store.yaml",
            vec![("api_imag", 4, 1), ("api_image", 5, 12), ("postgres_image", 6, 17)],
        ),
        (
            // Compose's own check of the service keys (`imgae`) is not hidden by the
            // problems of the x-k3s blocks, nor those of one service by another's.
            "shapes/stack/compose.yaml",
            vec![
                ("services.web.imgae", 6, 12),
                ("services.web.x-k3s.expose.tls", 8, 43),
                ("services.web.x-k3s.scaling.hpa.max", 9, 36),
                ("services.web.x-k3s.visiblity", 10, 18),
                ("services.api.x-k3s.expose[0].paht", 14, 44),
                ("services.api.x-k3s.workload", 15, 17),
                ("services.api.x-k3s.allow_privileged", 16, 25),
                ("volums", 17, 9),
            ],
        ),
    ]);
    let mut wrong = Vec::new();
    for (file, wanted) in &expected {
        let found = positions(&diagnostics, file);
        if found != owned(wanted) {
            wrong.push(format!("{file}:\n  found  {found:?}\n  wanted {wanted:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The App of issue 27: six mistakes (two of them in one line), one run.
const SHOP: &str = "kind: App
name: shop
image: ghcr.io/acme/shop:1.0
replica: 3                                  # replicas
ports: [{name: http, port: 80800}]          # out of range
resources: {cpu: lots, memory: 1Gb}         # two bad quantities
probes: {readiness: {http: health, port: web}}   # path without '/', unknown port name
expose: {host: Shop}                        # upper case
";

#[test]
fn the_six_mistakes_of_the_issue_are_reported_in_one_run() {
    let diagnostics = check_texts(&[("shop.yaml", SHOP)]);
    let found = positions(&diagnostics, "shop.yaml");
    for wanted in owned(&[
        ("replica", 4, 1),
        ("ports[0].port", 5, 28),
        ("resources.cpu", 6, 18),
        ("resources.memory", 6, 32),
        ("probes.readiness.http", 7, 28),
        ("probes.readiness.port", 7, 42),
        ("expose.host", 8, 16),
    ]) {
        assert!(found.contains(&wanted), "{wanted:?} not in {found:?}");
    }
    let replica = diagnostics.iter().find(|d| d.path == "replica").unwrap();
    assert_eq!(replica.message, "unknown field \"replica\": did you mean \"replicas\"?");
    assert_eq!(replica.suggestion.as_deref(), Some("replicas"));
}

/// An Apps file: an unknown key in one app, a wrong type in another, an undefined variable
/// (found by rendering the apps read with stand-ins) and a bad choice.
#[test]
fn an_apps_file_reports_every_kind_of_problem_at_once() {
    let text = "kind: Apps
apps:
  - name: web
    image: nginx:1.27
    replica: 2
    env: {DATABASE_URL: \"postgres://${DB_HOST}/shop\"}
  - name: api
    image: ghcr.io/acme/api:1.0
    replicas: many
    security: {visibility: publik}
";
    let diagnostics = check_texts(&[("apps.yaml", text)]);
    let found: Vec<(String, u64)> = diagnostics.iter().map(|d| (d.path.clone(), d.line)).collect();
    let wanted = [
        ("apps[0].replica", 5),
        ("apps[0].env.DATABASE_URL", 6),
        ("apps[1].replicas", 9),
        ("apps[1].security.visibility", 10),
    ];
    assert_eq!(found, wanted.map(|(p, l)| (p.to_owned(), l)), "{diagnostics:#?}");
    let visibility = &diagnostics[3];
    assert_eq!(visibility.suggestion.as_deref(), Some("public"), "{visibility}");
    assert!(visibility.message.ends_with("did you mean \"public\"?"), "{visibility}");
    assert!(
        diagnostics[1].message.contains("undefined variable ${DB_HOST}"),
        "{}",
        diagnostics[1]
    );
}

#[test]
fn suggestions_for_keys_choices_and_compose_keys_and_none_when_nothing_is_close() {
    let compose = "services:
  web:
    imgae: nginx:1.27
    x-k3s: {visiblity: public}
volums: {}
";
    let app = "kind: App\nname: web\nimage: nginx:1.27\ncolour: blue\nsecurity: {visibility: everyone}\n";
    let diagnostics = check_texts(&[("stack/compose.yaml", compose), ("app.yaml", app)]);
    let suggestion = |path: &str| {
        let d = diagnostics
            .iter()
            .find(|d| d.path == path)
            .unwrap_or_else(|| panic!("{path} not in {diagnostics:#?}"));
        (d.suggestion.clone(), d.message.clone())
    };
    let (volums, message) = suggestion("volums");
    assert_eq!(volums.as_deref(), Some("volumes"), "{message}");
    let (visiblity, message) = suggestion("services.web.x-k3s.visiblity");
    assert_eq!(visiblity.as_deref(), Some("visibility"), "{message}");
    // Nothing close: no suggestion, and the list of what is allowed.
    let (colour, message) = suggestion("colour");
    assert_eq!(colour, None);
    assert!(
        message.starts_with("unknown field \"colour\": the fields here are kind, name"),
        "{message}"
    );
    let (everyone, message) = suggestion("security.visibility");
    assert_eq!(everyone, None);
    assert!(message.contains("use one of"), "{message}");
    // A compose service key, reported with the problems of the x-k3s blocks.
    let (imgae, message) = suggestion("services.web.imgae");
    assert_eq!(imgae.as_deref(), Some("image"), "{message}");
    let diagnostics = check_texts(&[("stack/compose.yaml", "services:\n  web:\n    imgae: nginx:1.27\n")]);
    let imgae = diagnostics.iter().find(|d| d.path == "services.web.imgae").unwrap();
    assert_eq!(imgae.suggestion.as_deref(), Some("image"), "{imgae}");
    assert_eq!(imgae.line, 3, "{imgae}");
}

/// The pod-template keys of issue 24 misspelt, at the top and nested, in an App, an Apps file,
/// a Functions file and a compose `x-k3s` block: each is reported with its suggestion and
/// skipped, and the problems after it are still found. A key taken out leaves no problem of
/// its own behind (`config_files[0]` without `content`, a hook without an action, an empty
/// `placement`). Compose problems are placed at their value (`k3sgen`'s locator: the
/// re-serialized tree has no positions of the user's file).
#[test]
fn misspelt_pod_template_keys_are_reported_and_skipped_with_suggestions() {
    let app = "kind: App
name: web
image: nginx:1.27
ports: [{name: http, port: 8080}]
image_pull_secret: [regcred]
placment: {node_selector: {disk: ssd}}
placement: {spread: zones, priorty_class: high}
sidecars: [{name: log, image: \"busybox:1.36\", imgae: x}]
lifecycle: {pre_stop: {slep: 5s}}
config_files: [{path: /etc/app/a.conf, contnt: x}]
metadata: {label: {team: shop}}
image_pull_policy: allways
replicas: many
patchs: []
";
    let apps = "kind: Apps
apps:
  - name: web
    image: nginx:1.27
    pod: {anotations: {a: b}}
  - name: api
    image: nginx:1.27
    image_pull_secret: [regcred]
    replicas: many
";
    let functions = "kind: Functions
name: fns
image: ghcr.io/acme/fns:1.0
functions:
  - name: hello
    handler: \"main:hello\"
    trigger: {http: {path: /hello}}
    placment: {spread: zone}
    image_pull_policy: nevr
    config_file: []
    max_replicas: many
";
    let compose = "services:
  web:
    image: nginx:1.27
    x-k3s: {image_pull_secret: [regcred], placement: {spred: zone}}
  api:
    image: nginx:1.27
    x-k3s: {sidecar: [], allow_privileged: maybe}
";
    let diagnostics = check_texts(&[
        ("app.yaml", app),
        ("apps.yaml", apps),
        ("fns/functions.yaml", functions),
        ("stack/compose.yaml", compose),
    ]);
    let names = ["app.yaml", "apps.yaml", "fns/functions.yaml", "stack/compose.yaml"];
    let found: Vec<(&str, &str, u64, u64, Option<&str>)> = diagnostics
        .iter()
        .map(|d| {
            let file = names.iter().find(|n| d.file.ends_with(*n)).copied().unwrap_or("?");
            (file, d.path.as_str(), d.line, d.column, d.suggestion.as_deref())
        })
        .collect();
    let wanted = [
        ("app.yaml", "image_pull_secret", 5, 1, Some("image_pull_secrets")),
        ("app.yaml", "placment", 6, 1, Some("placement")),
        ("app.yaml", "placement.spread", 7, 21, Some("zone")),
        ("app.yaml", "placement.priorty_class", 7, 28, Some("priority_class")),
        ("app.yaml", "sidecars[0].imgae", 8, 47, Some("image")),
        ("app.yaml", "lifecycle.pre_stop.slep", 9, 24, Some("sleep")),
        ("app.yaml", "config_files[0].contnt", 10, 40, Some("content")),
        ("app.yaml", "metadata.label", 11, 12, Some("labels")),
        ("app.yaml", "image_pull_policy", 12, 20, Some("always")),
        ("app.yaml", "replicas", 13, 11, None),
        ("app.yaml", "patchs", 14, 1, Some("patches")),
        ("apps.yaml", "apps[0].pod.anotations", 5, 11, Some("annotations")),
        (
            "apps.yaml",
            "apps[1].image_pull_secret",
            8,
            5,
            Some("image_pull_secrets"),
        ),
        ("apps.yaml", "apps[1].replicas", 9, 15, None),
        ("fns/functions.yaml", "functions[0].placment", 8, 5, Some("placement")),
        (
            "fns/functions.yaml",
            "functions[0].image_pull_policy",
            9,
            24,
            Some("never"),
        ),
        (
            "fns/functions.yaml",
            "functions[0].config_file",
            10,
            5,
            Some("config_files"),
        ),
        ("fns/functions.yaml", "functions[0].max_replicas", 11, 19, None),
        (
            "stack/compose.yaml",
            "services.web.x-k3s.image_pull_secret",
            4,
            32,
            Some("image_pull_secrets"),
        ),
        (
            "stack/compose.yaml",
            "services.web.x-k3s.placement.spred",
            4,
            62,
            Some("spread"),
        ),
        (
            "stack/compose.yaml",
            "services.api.x-k3s.sidecar",
            7,
            22,
            Some("sidecars"),
        ),
        ("stack/compose.yaml", "services.api.x-k3s.allow_privileged", 7, 44, None),
    ];
    assert_eq!(found, wanted, "{diagnostics:#?}");
}
