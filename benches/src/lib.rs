//! Workloads shared by the benches and the `bench_apps` example, so that every measurement
//! renders the same shape and peers (cdk8s-plus, Kompose, Helm) can be compared on it.
//!
//! One app is: a Deployment (2..10 replicas through an HPA at 70 % cpu, image, port 8080,
//! cpu/memory requests and limits, readiness and liveness HTTP probes, 3 env vars), a Service,
//! the HPA, a PDB, a ServiceAccount, NetworkPolicies (ingress from the ingress controller's
//! namespace, egress DNS) and a route for `app-<i>.example.com`.

use k3sapp::{App, AppSet};
use k3score::par::{Jobs, map_in_order};
use k3score::{Context, Target};

/// The spec of app number `i`, as a user would write it.
#[must_use]
pub fn app_yaml(i: usize) -> String {
    format!(
        "name: app-{i}\n\
         image: ghcr.io/acme/app-{i}:1.0.{i}\n\
         ports: [{{name: http, port: 8080}}]\n\
         resources: {{cpu: 100m, memory: 128Mi, limits: {{cpu: 500m, memory: 256Mi}}}}\n\
         env: {{LOG_LEVEL: info, APP_INDEX: \"{i}\", REGION: eu-west-1}}\n\
         probes: {{readiness: {{http: /ready, port: http}}, liveness: {{http: /live, port: http}}}}\n\
         scaling: {{hpa: {{min: 2, max: 10, cpu: 70}}}}\n\
         security: {{visibility: public}}\n\
         expose: {{host: app-{i}.example.com}}\n"
    )
}

/// `n` apps of the benchmark shape, parsed from their spec text on [`Jobs::AUTO`] threads
/// (`K3S_JOBS`, else every core).
///
/// # Panics
/// Never for the built-in shape (a test renders it).
#[must_use]
#[inline(never)] // benches/whole-process.sh finds the parse by this name in the profile.
pub fn apps(n: usize) -> AppSet {
    apps_on(n, Jobs::AUTO)
}

/// [`apps`] parsed on `jobs` threads (the specs are the same for any count).
///
/// # Panics
/// Never for the built-in shape (a test renders it).
#[must_use]
pub fn apps_on(n: usize, jobs: Jobs) -> AppSet {
    let mut apps: Vec<App> = Vec::with_capacity(n);
    let parse = |i| k3score::yaml::from_yaml(&app_yaml(i)).expect("the benchmark app is valid");
    map_in_order(jobs, n, parse, |app| apps.push(app));
    AppSet {
        kind: k3sapp::AppsKind::Apps,
        namespace: None,
        apps,
        patches: Vec::new(),
        objects: Vec::new(),
    }
}

/// The render context of every benchmark: the `gcp` target (HAProxy routes, TLS) in `bench`.
#[must_use]
pub fn context() -> Context {
    Context::new(Target::gcp(), "bench".parse().expect("static name"))
}

/// Peak resident set size of this process in KiB (`VmHWM` from `/proc/self/status`), if known.
#[must_use]
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_renders_eight_objects_per_app() {
        let bundle = apps(3).render(&context()).unwrap();
        // ServiceAccount, Deployment, Service, HPA, PDB, 2 NetworkPolicies, Ingress.
        assert_eq!(bundle.len(), 24);
        let kinds: std::collections::BTreeSet<_> = bundle.iter().map(|o| o.kind().into_owned()).collect();
        assert!(
            kinds.contains("HorizontalPodAutoscaler") && kinds.contains("Ingress"),
            "{kinds:?}"
        );
    }
}
