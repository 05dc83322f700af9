//! A TCP proxy between one in-process controller and the API server, whose traffic a test
//! can cut: a network partition of that replica alone. While cut, bytes in either direction
//! are held back (requests and answers hang, as across a dropped link); when restored, the
//! connections opened before the cut are closed (their bytes are lost, as TCP connections
//! across a long partition are) and new ones flow again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running proxy; dropping it stops it.
pub struct Proxy {
    /// `127.0.0.1:<port>` to connect to instead of the API server.
    pub address: std::net::SocketAddr,
    /// The current epoch: odd while cut. Connections remember the epoch they were opened in.
    epoch: watch::Sender<u64>,
    accepted: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`host:port`).
    pub async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("its address");
        let (epoch, _) = watch::channel(0_u64);
        let accepted = Arc::new(AtomicU64::new(0));
        let (sender, counter) = (epoch.clone(), accepted.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::Relaxed);
                let epoch = sender.subscribe();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    splice(client, server, epoch).await;
                });
            }
        });
        Proxy {
            address,
            epoch,
            accepted,
            task,
        }
    }

    /// Cuts the link: nothing passes until [`Proxy::restore`].
    pub fn cut(&self) {
        self.epoch.send_modify(|e| {
            if *e & 1 == 0 {
                *e += 1;
            }
        });
    }

    /// Restores the link: connections from before the cut are closed, new ones pass.
    pub fn restore(&self) {
        self.epoch.send_modify(|e| {
            if *e & 1 == 1 {
                *e += 1;
            }
        });
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies both ways between `client` and `server` while the link is up; holds bytes while it
/// is cut; ends when either side closes or the link comes back in a later epoch than the
/// connection's.
async fn splice(client: TcpStream, server: TcpStream, epoch: watch::Receiver<u64>) {
    let opened = *epoch.borrow();
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = pump(client_read, server_write, epoch.clone(), opened);
    let down = pump(server_read, client_write, epoch, opened);
    tokio::select! {
        () = up => {}
        () = down => {}
    }
}

/// Copies `from` to `to`; before each write waits until the link is up, and stops if it came
/// back up in another epoch than `opened` (or than the one after it, for a connection opened
/// while cut).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut epoch: watch::Receiver<u64>,
    opened: u64,
) {
    let mut buf = vec![0_u8; 16 * 1024];
    // The epoch in which this connection may pass bytes: its own, or the next one when it
    // was opened while cut.
    let allowed = opened + (opened & 1);
    loop {
        let Some(n) = read(&mut from, &mut buf).await else {
            return;
        };
        loop {
            let now = *epoch.borrow_and_update();
            if now == allowed {
                break;
            }
            if now > allowed && now & 1 == 0 {
                return; // restored after a cut this connection lived through: closed
            }
            if epoch.changed().await.is_err() {
                return;
            }
        }
        if !write_all(&mut to, &buf[..n]).await {
            return;
        }
    }
}

/// Reads what is there (tokio's `io-util` is not among the project's features): `None` at
/// the end of the stream or on an error.
async fn read(from: &mut tokio::net::tcp::OwnedReadHalf, buf: &mut [u8]) -> Option<usize> {
    loop {
        from.readable().await.ok()?;
        match from.try_read(buf) {
            Ok(0) => return None,
            Ok(n) => return Some(n),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return None,
        }
    }
}

/// Writes all of `bytes`; `false` when the other side is gone.
async fn write_all(to: &mut tokio::net::tcp::OwnedWriteHalf, mut bytes: &[u8]) -> bool {
    while !bytes.is_empty() {
        if to.writable().await.is_err() {
            return false;
        }
        match to.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return false,
        }
    }
    true
}
