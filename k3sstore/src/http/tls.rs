//! HTTPS for the API and the dashboard (`run --tls-cert FILE --tls-key FILE`): rustls with
//! the `ring` provider kube already uses, through tokio-rustls, as an axum
//! `axum::serve::Listener`.
//!
//! - The certificate and key (PEM) are read at start (a bad file stops the start with its
//!   name) and read again on the first handshake after either file's modification time
//!   changed, so a renewed certificate (cert-manager rewriting the mounted Secret) is served
//!   without a restart. A file that does not load keeps the previous pair and logs why.
//! - Handshakes run in their own tasks with a 10 s deadline: a slow or silent client does not
//!   hold up the others.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use k3sstore::http::tls::{CertFiles, TlsListener};
//! let files = CertFiles::load("/etc/k3sstore/tls/tls.crt".into(), "/etc/k3sstore/tls/tls.key".into())?;
//! let tcp = tokio::net::TcpListener::bind("0.0.0.0:8443").await?;
//! let listener = TlsListener::new(tcp, files)?;
//! # Ok(()) }
//! ```

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::serve::Listener;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client has to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The certificate and key files, and the pair last loaded from them.
#[derive(Debug)]
pub struct CertFiles {
    cert: PathBuf,
    key: PathBuf,
    loaded: Mutex<Loaded>,
}

#[derive(Debug)]
struct Loaded {
    modified: (Option<SystemTime>, Option<SystemTime>),
    pair: Arc<CertifiedKey>,
}

impl CertFiles {
    /// Reads `cert` (PEM, the chain, leaf first) and `key` (PEM, PKCS#8, PKCS#1 or SEC1).
    pub fn load(cert: PathBuf, key: PathBuf) -> io::Result<Arc<Self>> {
        let modified = (modified(&cert), modified(&key));
        let pair = Arc::new(read_pair(&cert, &key)?);
        Ok(Arc::new(CertFiles {
            cert,
            key,
            loaded: Mutex::new(Loaded { modified, pair }),
        }))
    }

    /// The pair to serve: the loaded one, read again first if a file changed since.
    pub fn current(&self) -> Arc<CertifiedKey> {
        let mut loaded = self.loaded.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = (modified(&self.cert), modified(&self.key));
        if now != loaded.modified {
            match read_pair(&self.cert, &self.key) {
                Ok(pair) => {
                    tracing::info!(cert = %self.cert.display(), "TLS certificate reloaded");
                    loaded.pair = Arc::new(pair);
                }
                Err(error) => tracing::warn!(%error, "TLS certificate not reloaded; serving the previous one"),
            }
            loaded.modified = now;
        }
        loaded.pair.clone()
    }
}

impl ResolvesServerCert for CertFiles {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

fn modified(path: &PathBuf) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn read_pair(cert: &PathBuf, key: &PathBuf) -> io::Result<CertifiedKey> {
    let bad = |path: &PathBuf, what: String| io::Error::other(format!("{}: {what}", path.display()));
    let cert_pem = std::fs::read(cert).map_err(|e| bad(cert, e.to_string()))?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(cert, format!("not a PEM certificate chain: {e}")))?;
    if chain.is_empty() {
        return Err(bad(cert, "no CERTIFICATE block".to_owned()));
    }
    let key_pem = std::fs::read(key).map_err(|e| bad(key, e.to_string()))?;
    let der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| bad(key, format!("not a PEM private key: {e}")))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&der)
        .map_err(|e| bad(key, format!("unsupported private key: {e}")))?;
    let pair = CertifiedKey::new(chain, signing);
    pair.keys_match()
        .map_err(|e| bad(key, format!("does not match the certificate: {e}")))?;
    Ok(pair)
}

/// A TCP listener whose connections are TLS, handshaken in their own tasks.
#[derive(Debug)]
pub struct TlsListener {
    local: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
}

impl TlsListener {
    /// Accepts on `tcp` and serves the pair of `files` (HTTP/1.1 over TLS 1.2 or 1.3).
    pub fn new(tcp: TcpListener, files: Arc<CertFiles>) -> io::Result<Self> {
        let local = tcp.local_addr()?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_cert_resolver(files);
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let (tx, ready) = mpsc::channel(64);
        tokio::spawn(accept_loop(tcp, acceptor, tx));
        Ok(TlsListener { local, ready })
    }
}

async fn accept_loop(tcp: TcpListener, acceptor: TlsAcceptor, tx: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>) {
    loop {
        let accepted = tokio::select! {
            accepted = tcp.accept() => accepted,
            () = tx.closed() => return,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // As axum's own TcpListener does: log, wait a moment (out of file descriptors), go on.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (acceptor, tx) = (acceptor.clone(), tx.clone());
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = tx.send((tls, peer)).await;
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accept loop only ends once this listener is gone.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }
}
