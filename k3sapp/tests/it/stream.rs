//! `AppSet::render_each` hands over exactly the objects of `AppSet::render`, app by app, and
//! reports the same errors without calling the sink for invalid sets.

use crate::common::{app_set, ctx};
use k3sapp::{App, AppSet, AppsKind};
use k3score::{Bundle, Target};

fn streamed(set: &AppSet, target: Target) -> (Vec<Bundle>, Result<(), k3score::Errors>) {
    let mut bundles = Vec::new();
    let result = set.render_each(&ctx(target), |b| bundles.push(b));
    (bundles, result)
}

/// Each object as YAML, sorted: the multiset of objects, whatever the grouping.
fn documents(bundles: &[Bundle]) -> Vec<String> {
    let mut docs: Vec<String> = bundles
        .iter()
        .flat_map(Bundle::iter)
        .map(|o| k3score::yaml::to_yaml(o).unwrap())
        .collect();
    docs.sort();
    docs
}

fn set_of(specs: &[&str]) -> AppSet {
    AppSet {
        kind: AppsKind::Apps,
        namespace: None,
        apps: specs.iter().map(|s| crate::common::parse_app(s)).collect(),
        patches: Vec::new(),
        objects: Vec::new(),
    }
}

#[test]
fn same_objects_as_render_shared_secret_first() {
    let set = app_set("appset");
    for target in [Target::local(), Target::gcp()] {
        let whole = set.render(&ctx(target.clone())).unwrap();
        let (bundles, result) = streamed(&set, target);
        result.unwrap();
        assert_eq!(bundles.len(), 1 + set.apps.len());
        // The shared secret comes first, alone; then one bundle per app in order.
        assert!(
            bundles[0]
                .iter()
                .all(|o| matches!(o.kind().as_ref(), "Secret" | "ExternalSecret"))
        );
        assert_eq!(bundles[0].len(), 1);
        for (bundle, app) in bundles[1..].iter().zip(&set.apps) {
            assert!(
                bundle.iter().all(|o| o.name().starts_with(app.name.as_str())),
                "{}",
                app.name
            );
        }
        assert_eq!(documents(&bundles), documents(std::slice::from_ref(&whole)));
    }
}

#[test]
fn invalid_apps_never_reach_the_sink() {
    let set = set_of(&[
        "name: good\nimage: nginx:1.27\n",
        "name: 9lives\nimage: nginx:1.27\n",
        "name: good\nimage: nginx:1.27\nports: [{name: http, port: 0}]\n",
    ]);
    let (bundles, result) = streamed(&set, Target::local());
    assert!(bundles.is_empty());
    let errors = result.unwrap_err().to_string();
    for expected in [
        "apps[1].name",
        "apps[2].name: duplicate app name",
        "apps[2].ports[0].port",
    ] {
        assert!(errors.contains(expected), "{expected} missing from:\n{errors}");
    }
    assert_eq!(errors, set.render(&ctx(Target::local())).unwrap_err().to_string());
}

#[test]
fn render_time_problems_stop_the_sink_and_are_all_reported() {
    let set = set_of(&[
        "name: first\nimage: nginx:1.27\n",
        "name: second\nimage: nginx:1.27\nenv: {URL: \"${NOT_DEFINED}\"}\n",
        "name: third\nimage: nginx:1.27\nenv: {URL: \"${ALSO_MISSING}\"}\n",
        "name: fourth\nimage: nginx:1.27\n",
    ]);
    let (bundles, result) = streamed(&set, Target::local());
    // The shared bundle and the first app went out before the problem was found.
    assert_eq!(bundles.len(), 2);
    let errors = result.unwrap_err().to_string();
    assert!(
        errors.contains("apps[1].env.URL: undefined variable ${NOT_DEFINED}"),
        "{errors}"
    );
    assert!(
        errors.contains("apps[2].env.URL: undefined variable ${ALSO_MISSING}"),
        "{errors}"
    );
}

#[test]
fn app_set_render_reports_validation_and_render_problems_together() {
    let set = set_of(&[
        "name: 9lives\nimage: nginx:1.27\n",
        "name: second\nimage: nginx:1.27\nenv: {URL: \"${NOT_DEFINED}\"}\n",
    ]);
    let errors = set.render(&ctx(Target::local())).unwrap_err().to_string();
    assert!(errors.contains("apps[0].name"), "{errors}");
    assert!(errors.contains("apps[1].env.URL: undefined variable"), "{errors}");
}

#[test]
fn many_apps_stream_in_order() {
    let specs: Vec<String> = (0..50)
        .map(|i| format!("name: app-{i}\nimage: nginx:1.27\nports: [{{name: http, port: 8080}}]\nexpose: {{host: app-{i}.example.com}}\n"))
        .collect();
    let set = AppSet {
        kind: AppsKind::Apps,
        namespace: None,
        apps: specs.iter().map(|s| crate::common::parse_app(s)).collect::<Vec<App>>(),
        patches: Vec::new(),
        objects: Vec::new(),
    };
    let (bundles, result) = streamed(&set, Target::gcp());
    result.unwrap();
    let names: Vec<String> = bundles[1..]
        .iter()
        .map(|b| b.iter().next().unwrap().name().to_owned())
        .collect();
    let expected: Vec<String> = (0..50).map(|i| format!("app-{i}")).collect();
    assert_eq!(names, expected);
    let whole = set.render(&ctx(Target::gcp())).unwrap();
    assert_eq!(documents(&bundles), documents(std::slice::from_ref(&whole)));
}

/// `AppSet::render` validates and renders on `ctx.jobs` threads: the same bundle (bytes) and
/// the same errors, in the same order, on 1, 2 and 3 threads, for a valid set and for one with
/// invalid apps, a name used twice (the second is not rendered) and render-time problems.
#[test]
fn app_set_render_is_the_same_on_any_thread_count() {
    let valid: Vec<String> = (0..40)
        .map(|i| format!("name: app-{i}\nimage: nginx:1.{i}\nports: [{{name: http, port: 8080}}]\nexpose: {{host: app-{i}.example.com}}\nenv: {{PASSWORD: {{secret: shared, key: k{i}}}}}\n"))
        .collect();
    let mut invalid = valid.clone();
    invalid[3] = "name: 9lives\nimage: nginx:1.27\n".to_owned();
    invalid[7] = "name: app-2\nimage: nginx:1.27\nenv: {URL: \"${NOT_DEFINED}\"}\n".to_owned();
    invalid[11] = "name: eleven\nimage: nginx:1.27\nenv: {URL: \"${ALSO_MISSING}\"}\n".to_owned();
    for specs in [&valid, &invalid] {
        let set = set_of(&specs.iter().map(String::as_str).collect::<Vec<_>>());
        let outcomes: Vec<Result<String, String>> = (1..=3)
            .map(|threads| {
                let jobs = k3score::par::Jobs::fixed(std::num::NonZeroUsize::new(threads).unwrap());
                let ctx = ctx(Target::gcp()).with_jobs(jobs);
                set.render(&ctx)
                    .map(|bundle| bundle.to_yaml().unwrap())
                    .map_err(|errors| errors.to_string())
            })
            .collect();
        assert_eq!(outcomes[0], outcomes[1]);
        assert_eq!(outcomes[0], outcomes[2]);
        if specs == &invalid {
            let errors = outcomes[0].clone().unwrap_err();
            for expected in ["apps[3].name", "apps[7].name", "apps[11].env.URL: undefined variable"] {
                assert!(errors.contains(expected), "{expected} missing from {errors}");
            }
            // apps[7] repeats a name: it is invalid, so its render problem is not reported.
            assert!(!errors.contains("NOT_DEFINED"), "{errors}");
        } else {
            assert!(outcomes[0].as_ref().unwrap().contains("name: app-39\n"));
        }
    }
}
