//! One connection: TLS (when configured), HTTP/1.1 through hyper, and the connection's clock.
//!
//! Every connection is in one of four phases, and each phase but one has a deadline, checked by
//! the task that drives the connection:
//!
//! | phase | from | deadline |
//! |---|---|---|
//! | new | accept | `header_read_timeout` after accept (TLS handshake and first request head) |
//! | reading a head | the first byte after an idle spell | `header_read_timeout` after that byte |
//! | in a request | hyper hands the head to the service | none here: the body read and handling timeouts apply inside |
//! | idle | the answer was produced | `idle_timeout` after it |
//!
//! A connection past its deadline is dropped (closed). A client that sends its head one byte a
//! second is cut off `header_read_timeout` after its first byte, however long it keeps going.

use super::Service;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

const NEW: u8 = 0;
const READING_HEAD: u8 = 1;
const IN_REQUEST: u8 = 2;
const IDLE: u8 = 3;

/// Largest request head hyper buffers (bytes): a larger one is answered 431.
const MAX_HEAD_BUFFER: usize = 64 * 1024;

/// The phase of a connection and when it began.
#[derive(Debug)]
pub(super) struct ConnState {
    phase: AtomicU8,
    /// When the phase began, in milliseconds since `epoch`.
    since_ms: AtomicU64,
    epoch: Instant,
    changed: Notify,
}

impl ConnState {
    fn new() -> Self {
        ConnState {
            phase: AtomicU8::new(NEW),
            since_ms: AtomicU64::new(0),
            epoch: Instant::now(),
            changed: Notify::new(),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn enter(&self, phase: u8) {
        self.since_ms.store(self.now_ms(), Ordering::Release);
        self.phase.store(phase, Ordering::Release);
        self.changed.notify_one();
    }

    /// Bytes arrived: an idle connection starts reading a head.
    fn on_read(&self) {
        if self
            .phase
            .compare_exchange(IDLE, READING_HEAD, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.since_ms.store(self.now_ms(), Ordering::Release);
            self.changed.notify_one();
        }
    }

    pub(super) fn begin_request(&self) {
        self.enter(IN_REQUEST);
    }

    pub(super) fn end_request(&self) {
        self.enter(IDLE);
    }

    fn deadline(&self, header: Duration, idle: Duration) -> Option<Instant> {
        let since = self.epoch + Duration::from_millis(self.since_ms.load(Ordering::Acquire));
        match self.phase.load(Ordering::Acquire) {
            NEW | READING_HEAD => Some(since + header),
            IDLE => Some(since + idle),
            _ => None,
        }
    }
}

/// A stream that tells its [`ConnState`] when bytes arrive.
struct Tracked<S> {
    inner: S,
    state: Arc<ConnState>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.state.on_read();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Counts the connection as open while it lives.
struct OpenGuard(Arc<Service>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0
            .metrics
            .connections_open
            .fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves one accepted connection until it ends, times out or the service stops.
pub(super) async fn run(
    service: Arc<Service>,
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    stop: watch::Receiver<bool>,
) {
    service
        .metrics
        .connections_open
        .fetch_add(1, Ordering::Relaxed);
    let _open = OpenGuard(Arc::clone(&service));
    let state = Arc::new(ConnState::new());
    let io = Tracked {
        inner: stream,
        state: Arc::clone(&state),
    };
    match tls {
        None => drive(service, TokioIo::new(io), peer, state, stop).await,
        Some(acceptor) => {
            let header = service.settings.header_read_timeout;
            match tokio::time::timeout(header, acceptor.accept(io)).await {
                Ok(Ok(stream)) => drive(service, TokioIo::new(stream), peer, state, stop).await,
                Ok(Err(_)) => {}
                Err(_) => {
                    service
                        .metrics
                        .connections_timed_out
                        .fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}

async fn drive<I>(
    service: Arc<Service>,
    io: I,
    peer: SocketAddr,
    state: Arc<ConnState>,
    mut stop: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let header = service.settings.header_read_timeout;
    let idle = service.settings.idle_timeout;
    let svc = Arc::clone(&service);
    let st = Arc::clone(&state);
    let handler = hyper::service::service_fn(move |request| {
        let svc = Arc::clone(&svc);
        let st = Arc::clone(&st);
        async move {
            st.begin_request();
            let response = svc.respond(request, peer).await;
            st.end_request();
            Ok::<_, Infallible>(response)
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        // A backstop only: the connection's own clock (above) is the precise one.
        .header_read_timeout(header.saturating_add(idle))
        .keep_alive(true)
        .max_buf_size(MAX_HEAD_BUFFER);
    let connection = builder.serve_connection(io, handler);
    tokio::pin!(connection);
    let mut stopping = *stop.borrow();
    if stopping {
        connection.as_mut().graceful_shutdown();
    }
    loop {
        let deadline = state.deadline(header, idle);
        let expired = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = connection.as_mut() => return,
            () = state.changed.notified() => {}
            () = expired => {
                if state.deadline(header, idle).is_some_and(|at| at <= Instant::now()) {
                    service.metrics.connections_timed_out.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
            changed = stop.changed(), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}
