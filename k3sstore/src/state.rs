//! The state shared by the controller and the HTTP server (kube-rs/controller-rs `State`):
//! the cluster client, the metrics registry and the configuration, built once in `run`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use k3score::Target;
use kube::Client;
use kube::runtime::events::{Recorder, Reporter};
use prometheus_client::registry::Registry;

use crate::metrics::Metrics;

/// The field manager of every server-side apply the orchestrator makes.
pub const FIELD_MANAGER: &str = "k3sstore";
/// The controller name in Events (`reportingController`).
pub const CONTROLLER_NAME: &str = "k3sstore";
/// Default provisioning deadline: a store not `Ready` 10 minutes after creation is `Failed`.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(600);
/// Default number of stores reconciled at once.
pub const DEFAULT_CONCURRENCY: u16 = 8;
/// Default time between two permission checks of an open watch stream.
pub const DEFAULT_REAUTHORIZE: Duration = Duration::from_secs(60);
/// Default HTTP listen address.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

/// The three durations of a leader election (`controller::leader`): client-go's
/// `LeaseDuration`, `RenewDeadline` and `RetryPeriod`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// How long a Lease whose record does not change holds: a dead leader is replaced after
    /// this long (plus one retry period).
    pub lease_duration: Duration,
    /// How long a leader keeps leading without a successful renewal. Shorter than
    /// `lease_duration`: the difference is the margin between the old leader stopping and a
    /// new one starting.
    pub renew_deadline: Duration,
    /// Time between two attempts to take or renew the Lease.
    pub retry_period: Duration,
}

impl Timing {
    /// client-go's defaults: 15 s, 10 s, 2 s.
    pub const DEFAULT: Timing = Timing {
        lease_duration: Duration::from_secs(15),
        renew_deadline: Duration::from_secs(10),
        retry_period: Duration::from_secs(2),
    };

    /// The default proportions for another lease duration: renew deadline 2/3 of it, retry
    /// period 2/15 of it (`for_lease(15 s)` is [`Timing::DEFAULT`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use k3sstore::state::Timing;
    /// let t = Timing::for_lease(Duration::from_secs(6));
    /// assert_eq!(t.renew_deadline, Duration::from_secs(4));
    /// assert_eq!(t.retry_period, Duration::from_millis(800));
    /// assert_eq!(Timing::for_lease(Duration::from_secs(15)), Timing::DEFAULT);
    /// ```
    #[must_use]
    pub fn for_lease(lease_duration: Duration) -> Timing {
        Timing {
            lease_duration,
            renew_deadline: lease_duration * 2 / 3,
            retry_period: lease_duration * 2 / 15,
        }
    }
}

impl Default for Timing {
    fn default() -> Self {
        Timing::DEFAULT
    }
}

/// How the orchestrator runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// The cluster stores are rendered for (`local`, `dev`, `gcp`).
    pub target: Target,
    /// Time from creation after which a store that is not `Ready` turns `Failed`.
    pub deadline: Duration,
    /// Stores reconciled at once.
    pub concurrency: u16,
    /// Where the HTTP server listens.
    pub listen: SocketAddr,
    /// The field manager of server-side apply.
    pub field_manager: String,
    /// This replica's name in Events and in the leader Lease (the pod name in a cluster).
    pub instance: String,
    /// Serve the API without authentication (local demos; refused unless listening on
    /// loopback). Default: `false`.
    pub insecure_no_auth: bool,
    /// Reconcile only the stores with these labels (`key=value,...`): shards, tests. Default:
    /// every store.
    pub store_selector: Option<String>,
    /// The `coordination.k8s.io/v1` Lease replicas elect the reconciling leader with
    /// (`namespace`, `name`). Default: `k3sstore` in the client's namespace (the pod's in a
    /// cluster, the kubeconfig context's outside); an empty namespace means that one.
    pub lease: (String, String),
    /// The leader election's lease duration, renew deadline and retry period. Default:
    /// client-go's 15 s, 10 s, 2 s.
    pub election: Timing,
    /// The API's rate limits per client. Default: 100 requests / 15 min, 10 creations / hour,
    /// 30 token reviews / minute per address.
    pub limits: crate::http::limit::Limits,
    /// The audience bearer tokens must be meant for (`--audience`). Default: `None`, any
    /// token valid for the API server.
    pub audience: Option<String>,
    /// How often an open watch stream re-checks its caller's permission. Default: 60 s.
    pub reauthorize_every: Duration,
    /// Serve plain HTTP on a non-loopback address (`--insecure-plain-http`: TLS ends in front
    /// of the server). Default: `false`, refused ([`crate::http::check_listen`]).
    pub insecure_plain_http: bool,
    /// The certificate and key files (PEM) to serve HTTPS with (`--tls-cert`, `--tls-key`),
    /// read again when they change. Default: `None`, plain HTTP.
    pub tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
}

impl Config {
    /// The defaults for `target`; the instance is [`default_instance`].
    #[must_use]
    pub fn new(target: Target) -> Self {
        let instance = default_instance();
        Config {
            target,
            deadline: DEFAULT_DEADLINE,
            concurrency: DEFAULT_CONCURRENCY,
            listen: DEFAULT_LISTEN,
            field_manager: FIELD_MANAGER.to_owned(),
            instance,
            insecure_no_auth: false,
            store_selector: None,
            lease: (String::new(), CONTROLLER_NAME.to_owned()),
            election: Timing::DEFAULT,
            limits: crate::http::limit::Limits::default(),
            audience: None,
            reauthorize_every: DEFAULT_REAUTHORIZE,
            insecure_plain_http: false,
            tls: None,
        }
    }
}

/// This process's identity in the leader Lease and in Events, unique per process: `$POD_NAME`
/// (the install bundle sets it from the downward API), else the host name (`$HOSTNAME`, else
/// `/etc/hostname`, else `k3sstore`) with a random suffix, so two replicas started outside a
/// cluster on one machine never share an identity (and so never both lead).
#[must_use]
pub fn default_instance() -> String {
    if let Ok(pod) = std::env::var("POD_NAME")
        && !pod.is_empty()
    {
        return pod;
    }
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| CONTROLLER_NAME.to_owned());
    let mut suffix = [0_u8; 4];
    // Without OS randomness the process id still tells two processes on one host apart.
    let suffix = match getrandom::fill(&mut suffix) {
        Ok(()) => u32::from_le_bytes(suffix),
        Err(_) => std::process::id(),
    };
    format!("{host}-{suffix:08x}")
}

/// Everything the controller and the HTTP server share. Cheap to clone.
#[derive(Clone)]
pub struct State {
    /// The cluster client (the orchestrator's own identity).
    pub client: Client,
    /// How the orchestrator runs.
    pub config: Arc<Config>,
    /// The metrics, registered once in [`State::registry`].
    pub metrics: Arc<Metrics>,
    registry: Arc<Registry>,
    leader: Arc<AtomicBool>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("config", &self.config)
            .field("leader", &self.is_leader())
            .finish_non_exhaustive()
    }
}

impl State {
    /// The state for `client` and `config`, with a fresh metrics registry.
    #[must_use]
    pub fn new(client: Client, mut config: Config) -> Self {
        if config.lease.0.is_empty() {
            client.default_namespace().clone_into(&mut config.lease.0);
        }
        let mut registry = Registry::default();
        let metrics = Metrics::register(&mut registry);
        State {
            client,
            config: Arc::new(config),
            metrics: Arc::new(metrics),
            registry: Arc::new(registry),
            leader: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The metrics registry (what `/metrics` encodes).
    #[must_use]
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The metrics in the Prometheus text format.
    pub fn encode_metrics(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }

    /// A recorder publishing `events.k8s.io/v1` Events as this controller and replica.
    #[must_use]
    pub fn recorder(&self) -> Recorder {
        Recorder::new(
            self.client.clone(),
            Reporter {
                controller: CONTROLLER_NAME.to_owned(),
                instance: Some(self.config.instance.clone()),
            },
        )
    }

    /// Whether this replica holds the leader Lease (and so reconciles).
    #[must_use]
    pub fn is_leader(&self) -> bool {
        self.leader.load(Ordering::Relaxed)
    }

    /// Records whether this replica holds the leader Lease.
    pub fn set_leader(&self, leader: bool) {
        self.leader.store(leader, Ordering::Relaxed);
    }
}
