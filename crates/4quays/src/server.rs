//! The HTTP service on axum and tokio (feature `server`).
//!
//! [`router`] serves `POST /api/v1/protect`, `POST /api/v1/unprotect` and `GET /healthz`; each
//! request is read up to the engine's body limit, answered by [`Engine::handle`] on tokio's
//! blocking pool (RSA is CPU work), and written to the audit log as one JSON line. [`serve`] runs
//! the router on a listener until a shutdown future completes, then finishes the requests in flight.
//!
//! ```no_run
//! # async fn run(engine: std::sync::Arc<jose_4quays::Engine>) -> Result<(), jose_4quays::Error> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await
//!     .map_err(|e| jose_4quays::Error::Server(e.to_string()))?;
//! jose_4quays::server::serve(listener, engine, jose_4quays::server::shutdown_signal()).await
//! # }
//! ```

use crate::engine::{AuditRecord, Engine};
use crate::error::Error;
use crate::types::Operation;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::{get, post};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;

/// Where audit records go: called once per protect or unprotect request, after the answer is built.
pub type AuditSink = Arc<dyn Fn(&AuditRecord) + Send + Sync>;

/// The default audit sink: one JSON line per request on stderr ([`AuditRecord::to_json_line`]).
pub fn stderr_audit() -> AuditSink {
    Arc::new(|record: &AuditRecord| {
        let mut stderr = std::io::stderr().lock();
        // A log line that cannot be written must not take the request down with it.
        let _ = writeln!(stderr, "{}", record.to_json_line());
    })
}

#[derive(Clone)]
struct AppState {
    engine: Arc<Engine>,
    audit: AuditSink,
}

/// The service's routes, auditing to stderr.
pub fn router(engine: Arc<Engine>) -> Router {
    router_with_audit(engine, stderr_audit())
}

/// The service's routes with an audit sink of your own.
pub fn router_with_audit(engine: Arc<Engine>, audit: AuditSink) -> Router {
    Router::new()
        .route(Operation::Protect.path(), post(protect))
        .route(Operation::Unprotect.path(), post(unprotect))
        .route("/healthz", get(healthz))
        .with_state(AppState { engine, audit })
}

async fn protect(State(state): State<AppState>, request: Request) -> Response {
    answer(state, Operation::Protect, request).await
}

async fn unprotect(State(state): State<AppState>, request: Request) -> Response {
    answer(state, Operation::Unprotect, request).await
}

async fn healthz() -> Response {
    let mut response = Response::new(Body::from(r#"{"status":"ok"}"#));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

async fn answer(state: AppState, operation: Operation, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let limit = state.engine.max_body_bytes();
    let declared_too_large = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX));
    // A body over the limit (declared or found while reading) is not read any further.
    let bytes = if declared_too_large {
        None
    } else {
        axum::body::to_bytes(body, limit).await.ok()
    };
    let headers = parts.headers.clone();
    let engine = Arc::clone(&state.engine);
    let handled = tokio::task::spawn_blocking(move || match bytes {
        Some(bytes) => engine.handle(operation, &http::Request::from_parts(parts, bytes)),
        None => engine.handle_oversized(operation, &parts.headers),
    })
    .await;
    let mut handled = match handled {
        Ok(handled) => handled,
        Err(_) => state.engine.internal_error(operation, &headers),
    };
    handled.audit.latency = started.elapsed();
    (state.audit)(&handled.audit);
    handled.response.map(Body::from)
}

/// Serves `engine` on `listener` until `shutdown` completes, auditing to stderr; requests in flight
/// are finished first.
pub async fn serve<F>(listener: TcpListener, engine: Arc<Engine>, shutdown: F) -> Result<(), Error>
where
    F: Future<Output = ()> + Send + 'static,
{
    serve_with_audit(listener, engine, stderr_audit(), shutdown).await
}

/// [`serve`] with an audit sink of your own.
pub async fn serve_with_audit<F>(
    listener: TcpListener,
    engine: Arc<Engine>,
    audit: AuditSink,
    shutdown: F,
) -> Result<(), Error>
where
    F: Future<Output = ()> + Send + 'static,
{
    axum::serve(listener, router_with_audit(engine, audit))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::Server(e.to_string()))
}

/// Completes on ctrl-c (SIGINT) or, on Unix, SIGTERM. If a signal cannot be listened for, that
/// signal is simply never seen (it does not complete early).
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// Runs the service on its own tokio runtime: binds `addr`, calls `on_listening` with the bound
/// address, and serves until ctrl-c or SIGTERM. For a `main` without tokio (the `jose` CLI).
pub fn run_until_signal(
    addr: &str,
    engine: Arc<Engine>,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Server(format!("cannot start the tokio runtime: {e}")))?;
    runtime.block_on(async {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| Error::Server(format!("cannot listen on {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| Error::Server(format!("cannot read the listening address: {e}")))?;
        on_listening(local);
        serve(listener, engine, shutdown_signal()).await
    })
}
