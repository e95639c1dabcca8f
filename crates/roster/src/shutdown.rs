//! Stopping: the signal (SIGTERM or Ctrl-C), and a listener that stops
//! accepting without dropping a connection the kernel already took.
//!
//! Closing a listening socket resets the connections waiting in its
//! backlog: their clients connected, sent a request and get a reset, a
//! failure a load balancer cannot safely retry. So on stop the listener
//! first takes every connection already waiting, and only then closes
//! (new connections are then refused, which a balancer retries
//! elsewhere); the server answers the ones it took and ends.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A TCP listener that, once `stop` turns `true`, drains its backlog,
/// closes, and sets `closed`.
pub struct DrainingListener {
    inner: Option<TcpListener>,
    drain: Option<std::net::TcpListener>,
    addr: SocketAddr,
    stop: watch::Receiver<bool>,
    closed: watch::Sender<bool>,
}

impl DrainingListener {
    pub fn new(
        listener: TcpListener,
        stop: watch::Receiver<bool>,
    ) -> io::Result<(Self, watch::Receiver<bool>)> {
        let addr = listener.local_addr()?;
        let (closed, closed_rx) = watch::channel(false);
        Ok((
            Self {
                inner: Some(listener),
                drain: None,
                addr,
                stop,
                closed,
            },
            closed_rx,
        ))
    }

    /// The next connection still waiting in the backlog, or `None` once it
    /// is empty (the socket is then closed).
    fn take_waiting(&mut self) -> Option<(TcpStream, SocketAddr)> {
        if let Some(listener) = self.inner.take() {
            // Out of the reactor: `accept` on the std socket asks the
            // kernel itself, rather than waiting for a readiness event.
            match listener.into_std() {
                Ok(std) => self.drain = Some(std),
                Err(e) => tracing::warn!(error = %e, "cannot drain the listener"),
            }
        }
        let listener = self.drain.as_ref()?;
        loop {
            match listener.accept() {
                Ok((stream, peer)) => {
                    let stream = stream
                        .set_nonblocking(true)
                        .and_then(|()| TcpStream::from_std(stream));
                    match stream {
                        Ok(stream) => return Some((stream, peer)),
                        Err(e) => tracing::warn!(error = %e, "dropped a connection while draining"),
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => {}
                Err(e) => {
                    if e.kind() != io::ErrorKind::WouldBlock {
                        tracing::warn!(error = %e, "stopped draining the listener");
                    }
                    self.drain = None;
                    tracing::info!(addr = %self.addr, "stopped accepting connections");
                    self.closed.send_replace(true);
                    return None;
                }
            }
        }
    }
}

impl axum::serve::Listener for DrainingListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            if *self.stop.borrow() {
                if let Some(waiting) = self.take_waiting() {
                    return waiting;
                }
                // Closed: the server stops calling once `closed` is set.
                std::future::pending::<()>().await;
            }
            let Some(listener) = &self.inner else {
                std::future::pending::<()>().await;
                continue;
            };
            let accepted = tokio::select! {
                accepted = listener.accept() => Some(accepted),
                _ = self.stop.wait_for(|s| *s) => None,
            };
            match accepted {
                Some(Ok(connection)) => return connection,
                Some(Err(e)) => accept_error(e).await,
                None => {}
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

/// As axum's own listener: a connection error concerns that connection
/// only; anything else (out of file descriptors) waits a little.
async fn accept_error(e: io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Resolves on SIGTERM or Ctrl-C; SIGTERM's handler is in place on return
/// (a SIGTERM before it would end the process at once).
pub fn signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| tracing::warn!(error = %e, "cannot handle SIGTERM"))
        .ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async move {
            match terminate {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = terminate => {},
        }
    }
}
