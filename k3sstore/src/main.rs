//! `k3sstore`: print the CRD, print the install bundle, or run the orchestrator.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use k3score::Target;
use k3sstore::http::limit::{Limits, RateLimit};
use k3sstore::{Config, State};

/// The store provisioning platform.
#[derive(Debug, Parser)]
#[command(name = "k3sstore", version, about)]
struct Cli {
    /// Log lines as JSON objects (one a line, for log collectors) or as text (coloured only
    /// when stderr is a terminal).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// One JSON object a line.
    Json,
    /// Human-readable text.
    Text,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the `Store` CustomResourceDefinition as YAML (`k3sstore crd | kubectl apply -f -`).
    Crd,
    /// Print the orchestrator's install bundle for a target as YAML.
    Install {
        /// The target: local, dev or gcp.
        #[arg(long, default_value = "local")]
        target: String,
        /// The orchestrator image.
        #[arg(long, default_value = k3sstore::install::DEFAULT_IMAGE)]
        image: String,
    },
    /// Run the controller and the HTTP server with the current kubeconfig or in-cluster config.
    Run {
        /// The target stores are rendered for: local, dev or gcp.
        #[arg(long, default_value = "local")]
        target: String,
        /// Seconds after creation when a store that is not Ready turns Failed.
        #[arg(long, default_value_t = k3sstore::state::DEFAULT_DEADLINE.as_secs())]
        deadline_seconds: u64,
        /// Stores reconciled at once.
        #[arg(long, default_value_t = k3sstore::state::DEFAULT_CONCURRENCY)]
        concurrency: u16,
        /// HTTP listen address.
        #[arg(long, default_value_t = k3sstore::state::DEFAULT_LISTEN)]
        listen: SocketAddr,
        /// Serve the API without bearer tokens (local demos only: refused unless --listen is
        /// a loopback address).
        #[arg(long)]
        insecure_no_auth: bool,
        /// API requests one client may make: N/T with T in s, m or h, or `off`.
        #[arg(long, default_value = "100/15m", value_parser = limit)]
        rate_limit: LimitArg,
        /// Stores one client may create: N/T with T in s, m or h, or `off`.
        #[arg(long, default_value = "10/1h", value_parser = limit)]
        create_rate_limit: LimitArg,
        /// Token reviews one client address may cause (new bearer tokens, before they reach
        /// the API server): N/T with T in s, m or h, or `off`.
        #[arg(long, default_value = "30/1m", value_parser = limit)]
        review_rate_limit: LimitArg,
        /// The audience bearer tokens must be meant for (`kubectl create token --audience
        /// k3sstore`). Default: any token valid for the API server.
        #[arg(long)]
        audience: Option<String>,
        /// Seconds between two permission checks of an open watch stream.
        #[arg(long, default_value_t = k3sstore::state::DEFAULT_REAUTHORIZE.as_secs())]
        reauthorize_seconds: u64,
        /// Serve HTTPS with this certificate chain (PEM, leaf first); read again when it changes.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// The private key (PEM) of --tls-cert.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
        /// Serve plain HTTP on a non-loopback --listen address (TLS ends in front of this
        /// server, in a mesh sidecar say). Without it, plain HTTP is for loopback only.
        #[arg(long, conflicts_with = "tls_cert")]
        insecure_plain_http: bool,
    },
}

fn target(name: &str) -> Result<Target, String> {
    Target::preset(name).map_err(|e| format!("--target: {e}"))
}

/// A rate limit on the command line, `None` for `off`.
#[derive(Clone, Copy, Debug)]
struct LimitArg(Option<RateLimit>);

fn limit(text: &str) -> Result<LimitArg, String> {
    if text == "off" {
        Ok(LimitArg(None))
    } else {
        text.parse().map(|limit| LimitArg(Some(limit)))
    }
}

fn yaml<T: serde::Serialize>(value: &T) -> Result<String, String> {
    k3score::yaml::to_yaml(value).map_err(|e| e.to_string())
}

async fn run(config: Config) -> Result<(), String> {
    let listen = config.listen;
    k3sstore::http::check_listen(&config).map_err(|e| e.to_string())?;
    let client = kube::Client::try_default()
        .await
        .map_err(|e| format!("no cluster connection (kubeconfig or in-cluster): {e}"))?;
    let state = State::new(client, config);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!(%listen, target = %state.config.target.name, "k3sstore running");
    let http = k3sstore::http::serve(state.clone(), listener, async {
        let _ = tokio::signal::ctrl_c().await;
    });
    let controller = k3sstore::controller::run(state, async {
        let _ = tokio::signal::ctrl_c().await;
    });
    let (http, ()) = tokio::join!(http, controller);
    http.map_err(|e| format!("HTTP server: {e}"))
}

/// Prints the CRD and the install bundle as one YAML stream.
fn install(target: &Target, image: &str) -> Result<(), String> {
    let bundle = k3sstore::install::bundle(target, image).map_err(|e| e.to_string())?;
    let mut out = yaml(&k3sstore::resource::crd())?;
    out.push_str("---\n");
    bundle.write_yaml(&mut out).map_err(|e| e.to_string())?;
    // The admission policy that confines the controller (not a k3score `Object` kind).
    out.push_str("---\n");
    out.push_str(&yaml(&k3sstore::install::admission_policy())?);
    out.push_str("---\n");
    out.push_str(&yaml(&k3sstore::install::admission_binding())?);
    print!("{out}");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,kube=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match cli.log_format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.init(),
    }
    let result = match cli.command {
        Command::Crd => yaml(&k3sstore::resource::crd()).map(|text| print!("{text}")),
        Command::Install { target: name, image } => target(&name).and_then(|target| install(&target, &image)),
        Command::Run {
            target: name,
            deadline_seconds,
            concurrency,
            listen,
            insecure_no_auth,
            rate_limit,
            create_rate_limit,
            review_rate_limit,
            audience,
            reauthorize_seconds,
            tls_cert,
            tls_key,
            insecure_plain_http,
        } => match target(&name) {
            Ok(target) => {
                run(Config {
                    deadline: Duration::from_secs(deadline_seconds),
                    concurrency,
                    listen,
                    insecure_no_auth,
                    limits: Limits {
                        global: rate_limit.0,
                        create: create_rate_limit.0,
                        review: review_rate_limit.0,
                    },
                    audience,
                    reauthorize_every: Duration::from_secs(reauthorize_seconds.max(1)),
                    tls: tls_cert.zip(tls_key),
                    insecure_plain_http,
                    ..Config::new(target)
                })
                .await
            }
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("k3sstore: {message}");
            ExitCode::FAILURE
        }
    }
}
