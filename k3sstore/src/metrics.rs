//! The orchestrator's Prometheus metrics, registered once and shared by the controller and
//! the HTTP server (kube-rs/controller-rs keeps its registry the same way).
//!
//! prometheus-client appends `_total` to counters when it encodes them, so
//! `stores_created` is exposed as `stores_created_total`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use serde::Serialize;

use crate::resource::Phase;

/// The `phase` label of `active_stores`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PhaseLabel {
    /// The phase name (`Ready`, ...).
    pub phase: String,
}

/// Every metric of the orchestrator.
#[derive(Debug)]
pub struct Metrics {
    /// Stores accepted (first reconcile of a new store): `stores_created_total`.
    pub stores_created: Counter,
    /// Stores that turned `Failed`: `provisioning_failures_total`.
    pub provisioning_failures: Counter,
    /// Seconds from `Requested` (creation) to `Ready`: `provisioning_duration_seconds`
    /// (record with [`Metrics::observe_provisioning`]).
    provisioning_duration: Histogram,
    /// Count, sum and the most recent durations of `provisioning_duration` for the summary
    /// (prometheus-client reads a histogram back only with its `test-util` feature).
    provisioned: Mutex<Provisioned>,
    /// Stores by phase: `active_stores{phase="Ready"}`.
    pub active_stores: Family<PhaseLabel, Gauge>,
    /// Reconciles run: `reconcile_total`.
    pub reconciles: Counter,
    /// Reconciles that returned an error: `reconcile_errors_total`.
    pub reconcile_errors: Counter,
    /// Reconcile duration: `reconcile_duration_seconds`.
    pub reconcile_duration: Histogram,
}

impl Metrics {
    /// The metrics, registered in `registry`.
    #[must_use]
    pub fn register(registry: &mut Registry) -> Self {
        let metrics = Metrics {
            stores_created: Counter::default(),
            provisioning_failures: Counter::default(),
            // 5 s .. ~85 min: a store takes seconds to minutes, the deadline is 10 min.
            provisioning_duration: Histogram::new(exponential_buckets(5.0, 2.0, 11)),
            provisioned: Mutex::new(Provisioned::default()),
            active_stores: Family::default(),
            reconciles: Counter::default(),
            reconcile_errors: Counter::default(),
            // 1 ms .. ~16 s.
            reconcile_duration: Histogram::new(exponential_buckets(0.001, 2.0, 15)),
        };
        registry.register(
            "stores_created",
            "Stores accepted by the controller",
            metrics.stores_created.clone(),
        );
        registry.register(
            "provisioning_failures",
            "Times a store turned Failed",
            metrics.provisioning_failures.clone(),
        );
        registry.register(
            "provisioning_duration_seconds",
            "Seconds from Requested to Ready",
            metrics.provisioning_duration.clone(),
        );
        registry.register("active_stores", "Stores by phase", metrics.active_stores.clone());
        registry.register("reconcile", "Reconciles run", metrics.reconciles.clone());
        registry.register(
            "reconcile_errors",
            "Reconciles that failed",
            metrics.reconcile_errors.clone(),
        );
        registry.register(
            "reconcile_duration_seconds",
            "Reconcile duration",
            metrics.reconcile_duration.clone(),
        );
        metrics
    }

    /// Records one store that reached `Ready` `seconds` after it was created.
    pub fn observe_provisioning(&self, seconds: f64) {
        self.provisioning_duration.observe(seconds);
        let mut provisioned = self
            .provisioned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        provisioned.record(seconds);
    }

    /// Starts timing one reconcile; the guard records the duration when dropped.
    #[must_use]
    pub fn count_and_measure(&self) -> ReconcileTimer<'_> {
        self.reconciles.inc();
        ReconcileTimer {
            start: Instant::now(),
            histogram: &self.reconcile_duration,
        }
    }

    /// Sets `active_stores` from a count per phase; phases without stores read 0.
    pub fn set_active(&self, counts: &BTreeMap<Phase, i64>) {
        for phase in Phase::ALL {
            let label = PhaseLabel {
                phase: phase.as_str().to_owned(),
            };
            self.active_stores
                .get_or_create(&label)
                .set(counts.get(&phase).copied().unwrap_or(0));
        }
    }

    /// The numbers of `/metrics/summary`.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let active_stores = Phase::ALL
            .into_iter()
            .map(|phase| {
                let label = PhaseLabel {
                    phase: phase.as_str().to_owned(),
                };
                let value = self.active_stores.get(&label).map_or(0, |g| g.get());
                (phase.as_str().to_owned(), value)
            })
            .collect();
        let provisioned = self
            .provisioned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (count, sum) = (provisioned.count, provisioned.sum);
        let median = provisioned.median();
        drop(provisioned);
        Summary {
            stores_created: self.stores_created.get(),
            provisioning_failures: self.provisioning_failures.get(),
            active_stores,
            provisioned: count,
            provisioning_seconds_mean: (count > 0).then(|| sum / count as f64),
            provisioning_seconds_median: median,
            reconciles: self.reconciles.get(),
            reconcile_errors: self.reconcile_errors.get(),
        }
    }
}

/// How many of the most recent provisioning durations the median is taken over.
pub const RECENT_PROVISIONINGS: usize = 1024;

/// Provisioning durations kept for the summary: all-time count and sum, and a bounded window
/// of the most recent ones for the median.
#[derive(Debug, Default)]
struct Provisioned {
    count: u64,
    sum: f64,
    recent: VecDeque<f64>,
}

impl Provisioned {
    fn record(&mut self, seconds: f64) {
        self.count += 1;
        self.sum += seconds;
        if self.recent.len() == RECENT_PROVISIONINGS {
            self.recent.pop_front();
        }
        self.recent.push_back(seconds);
    }

    /// The median of the recent durations (the mean of the two middle ones for an even count).
    fn median(&self) -> Option<f64> {
        let mut sorted: Vec<f64> = self.recent.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let mid = sorted.len() / 2;
        match sorted.len() {
            0 => None,
            n if n % 2 == 1 => Some(sorted[mid]),
            _ => Some((sorted[mid - 1] + sorted[mid]) / 2.0),
        }
    }
}

/// Records a reconcile's duration when dropped.
#[derive(Debug)]
pub struct ReconcileTimer<'a> {
    start: Instant,
    histogram: &'a Histogram,
}

impl Drop for ReconcileTimer<'_> {
    fn drop(&mut self) {
        self.histogram.observe(self.start.elapsed().as_secs_f64());
    }
}

/// The JSON summary of the metrics (`/metrics/summary`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// `stores_created_total`.
    pub stores_created: u64,
    /// `provisioning_failures_total`.
    pub provisioning_failures: u64,
    /// `active_stores` by phase name, every phase listed.
    pub active_stores: BTreeMap<String, i64>,
    /// Stores that reached `Ready` (the duration histogram's count).
    pub provisioned: u64,
    /// Mean seconds from `Requested` to `Ready`, when a store got there.
    pub provisioning_seconds_mean: Option<f64>,
    /// Median seconds from `Requested` to `Ready` over the last
    /// [`RECENT_PROVISIONINGS`] stores that got there.
    pub provisioning_seconds_median: Option<f64>,
    /// `reconcile_total`.
    pub reconciles: u64,
    /// `reconcile_errors_total`.
    pub reconcile_errors: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_uses_the_issue_names_and_summary_follows() {
        let mut registry = Registry::default();
        let metrics = Metrics::register(&mut registry);
        metrics.stores_created.inc();
        metrics.observe_provisioning(10.0);
        metrics.set_active(&BTreeMap::from([(Phase::Ready, 2)]));
        drop(metrics.count_and_measure());
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        for name in [
            "stores_created_total 1",
            "provisioning_failures_total 0",
            "provisioning_duration_seconds_count 1",
            "active_stores{phase=\"Ready\"} 2",
            "active_stores{phase=\"Failed\"} 0",
            "reconcile_total 1",
            "reconcile_errors_total 0",
            "reconcile_duration_seconds_count 1",
        ] {
            assert!(text.contains(name), "{name} missing from\n{text}");
        }
        let summary = metrics.summary();
        assert_eq!(summary.stores_created, 1);
        assert_eq!(summary.active_stores["Ready"], 2);
        assert_eq!(summary.active_stores["Deleting"], 0);
        assert_eq!(summary.provisioning_seconds_mean, Some(10.0));
        assert_eq!(summary.provisioning_seconds_median, Some(10.0));
        assert_eq!(summary.reconciles, 1);
    }

    #[test]
    fn median_of_the_recent_provisionings() {
        let mut p = Provisioned::default();
        assert_eq!(p.median(), None);
        for s in [30.0, 10.0, 20.0] {
            p.record(s);
        }
        assert_eq!(p.median(), Some(20.0));
        p.record(100.0);
        assert_eq!(p.median(), Some(25.0));
        // The window keeps the most recent RECENT_PROVISIONINGS only; count and sum are all-time.
        for _ in 0..RECENT_PROVISIONINGS {
            p.record(1.0);
        }
        assert_eq!(p.median(), Some(1.0));
        assert_eq!(p.count, 4 + RECENT_PROVISIONINGS as u64);
    }
}
