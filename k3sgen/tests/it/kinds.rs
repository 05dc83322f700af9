//! Errors of the workload kinds, Service and monitoring fields (issue 24) come with file, line,
//! column and path, every one at once.

use k3score::{Context, Target};
use k3sgen::Severity;

#[test]
fn kind_service_and_monitoring_errors_have_file_line_column_and_path() {
    let dir = crate::workspace().join("k3sgen/tests/data/kinds-mistakes");
    let inputs = k3sgen::discover(&[dir]).expect("inputs are readable");
    let ctx = Context::new(Target::local(), "default".parse().unwrap());
    let generated = k3sgen::generate(&inputs, &ctx);
    let mut found: Vec<String> = generated
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let file = d.file.file_name().unwrap().to_string_lossy().into_owned();
            format!("{file}:{}:{}: {}", d.line, d.column, d.path)
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "backup.yaml:6:11: replicas",
            "backup.yaml:7:22: cron_job.schedule",
            "backup.yaml:8:11: strategy",
            "edge.yaml:7:15: service.node_ports",
            "edge.yaml:7:22: service.node_ports.http",
            "edge.yaml:8:20: monitoring.port",
        ],
        "{:#?}",
        generated.diagnostics
    );
}
