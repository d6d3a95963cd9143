//! The HTTP service on hyper and tokio (feature `server`): safe to expose.
//!
//! [`Service`] answers `POST /api/v1/protect` and `POST /api/v1/unprotect` with the [`Engine`],
//! `GET /healthz`, `GET /readyz` and `GET /metrics` (Prometheus text, see [`metrics`]); any other
//! path is `404 NOT_FOUND` and a wrong method `405 METHOD_NOT_ALLOWED` (with `Allow`), in the
//! documented error body shape with a `requestId`.
//!
//! # What a request goes through
//!
//! 1. The connection is accepted only while fewer than [`Settings::max_connections`] are open
//!    (else closed at once). Its request head must arrive within
//!    [`Settings::header_read_timeout`] (TLS handshake included), and a keep-alive connection
//!    may wait [`Settings::idle_timeout`] for its next request (see `conn`'s phases).
//! 2. [`Engine::admit`] checks the Bearer key, `Content-Type` and a declared `Content-Length`
//!    from the headers alone: an unauthenticated request is answered `401` without a byte of
//!    its body read (and the connection is closed, since its body was not read).
//! 3. The request waits at most [`Settings::in_flight_wait`] for one of
//!    [`Settings::max_in_flight`] slots, else `503 SERVICE_UNAVAILABLE` with `Retry-After`.
//! 4. The body is read up to the engine's limit within [`Settings::body_read_timeout`]
//!    (`408 REQUEST_TIMEOUT` otherwise).
//! 5. The operation runs on the crypto pool ([`Settings::crypto_workers`] threads, a queue no
//!    longer than the in-flight limit), and must be answered within
//!    [`Settings::request_timeout`] of the head (`503` otherwise).
//! 6. The answer is counted in [`Metrics`] and audited: one `tracing` event per request (see
//!    [`telemetry`]) and, if set, the [`AuditSink`].
//!
//! # TLS, plain HTTP and reload
//!
//! With [`Settings::tls`] the service terminates TLS itself (rustls on aws-lc-rs). Without it,
//! it serves plain HTTP only on a loopback address, unless [`Settings::insecure_http`] says
//! otherwise: [`Service::serve`] refuses to start on any other address.
//!
//! [`Service::reload`] re-reads the configuration file the service was made from
//! ([`Service::from_config_file`]): API keys, policies, services and keys (rotations,
//! retirements) and the TLS certificate take effect for the next request; a configuration that
//! does not load is refused, logged with the entry it names, and the old one keeps serving.
//! Requests in flight finish on the configuration they started with. [`run_until_signal`]
//! reloads on SIGHUP.
//!
//! ```no_run
//! # async fn run() -> Result<(), jose_4quays::Error> {
//! use jose_4quays::server::{Service, shutdown_signal};
//! use std::sync::Arc;
//!
//! let service = Arc::new(Service::from_config_file(
//!     std::path::Path::new("4quays.toml"),
//!     jose::default_provider(),
//! )?);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await
//!     .map_err(|e| jose_4quays::Error::Server { what: "cannot listen".into(), source: Some(e.into()) })?;
//! service.serve(listener, shutdown_signal()).await
//! # }
//! ```

mod conn;
pub mod metrics;
mod pool;
pub mod telemetry;
mod tls;

pub use metrics::Metrics;
pub use tls::TlsFiles;

use crate::config::{Config, ServerConfig};
use crate::engine::{AuditRecord, Engine, Handled, Outcome, REQUEST_ID_HEADER, Refusal};
use crate::error::Error;
use crate::types::{ErrorBody, ErrorCode, Operation};
use bytes::Bytes;
use http::header::{ALLOW, CONNECTION, CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use jose::CryptoProvider;
use pool::{CryptoPool, PoolError};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio_rustls::TlsAcceptor;

/// Extra audit destination: called once per protect or unprotect answer, after it is built.
pub type AuditSink = Arc<dyn Fn(&AuditRecord) + Send + Sync>;

/// The service's limits and transport settings (`[server]` in the configuration file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The address to listen on, if the configuration names one (`[server] listen`).
    pub listen: Option<String>,
    /// From accept (or the first byte after an idle spell) to a complete request head, TLS
    /// handshake included. Default 10 s.
    pub header_read_timeout: Duration,
    /// From the head to the whole body. Default 10 s.
    pub body_read_timeout: Duration,
    /// From the head to the answer of protect or unprotect (waiting for a slot and a worker
    /// included). Default 10 s.
    pub request_timeout: Duration,
    /// How long a keep-alive connection may wait for its next request. Default 60 s.
    pub idle_timeout: Duration,
    /// Open connections at most; more are closed at once. Default 1024.
    pub max_connections: usize,
    /// Protect and unprotect requests past authentication at once. Default 64.
    pub max_in_flight: usize,
    /// How long a request may wait for an in-flight slot before `503`. Default 100 ms.
    pub in_flight_wait: Duration,
    /// Threads of the crypto pool; 0 means one per core. Default 0.
    pub crypto_workers: usize,
    /// The certificate and key to terminate TLS with; `None` serves plain HTTP.
    pub tls: Option<TlsFiles>,
    /// Serve plain HTTP on an address that is not loopback. Default false.
    pub insecure_http: bool,
    /// On shutdown, how long requests in flight may take to finish. Default 10 s.
    pub shutdown_grace: Duration,
    /// Log lines queued for a slow log consumer before new ones are dropped and counted
    /// ([`telemetry::init_json_logs`]). Default [`telemetry::DEFAULT_LOG_QUEUE_LINES`].
    pub log_queue_lines: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: None,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            max_in_flight: 64,
            in_flight_wait: Duration::from_millis(100),
            crypto_workers: 0,
            tls: None,
            insecure_http: false,
            shutdown_grace: Duration::from_secs(10),
            log_queue_lines: telemetry::DEFAULT_LOG_QUEUE_LINES,
        }
    }
}

impl Settings {
    /// The settings of a configuration's `[server]` table; TLS paths are relative to `base`.
    /// Errors name the bad entry.
    pub fn from_config(server: &ServerConfig, base: &Path) -> Result<Self, Error> {
        let defaults = Settings::default();
        let ms = |value: Option<u64>, name: &str, default: Duration| match value {
            None => Ok(default),
            Some(0) => Err(Error::config(
                format!("server.{name}"),
                "expected a positive number of milliseconds, found 0",
            )),
            Some(n) => Ok(Duration::from_millis(n)),
        };
        let count = |value: Option<usize>, name: &str, default: usize, max: usize| match value {
            None => Ok(default),
            Some(n) if (1..=max).contains(&n) => Ok(n),
            Some(n) => Err(Error::config(
                format!("server.{name}"),
                format!("expected 1 to {max}, found {n}"),
            )),
        };
        let tls = match (&server.tls_cert, &server.tls_key) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: base.join(cert),
                key: base.join(key),
            }),
            (Some(_), None) => {
                return Err(Error::config(
                    "server.tls_key",
                    "expected tls_key beside tls_cert, found only tls_cert",
                ));
            }
            (None, Some(_)) => {
                return Err(Error::config(
                    "server.tls_cert",
                    "expected tls_cert beside tls_key, found only tls_key",
                ));
            }
        };
        Ok(Settings {
            listen: server.listen.clone(),
            header_read_timeout: ms(
                server.header_read_timeout_ms,
                "header_read_timeout_ms",
                defaults.header_read_timeout,
            )?,
            body_read_timeout: ms(
                server.body_read_timeout_ms,
                "body_read_timeout_ms",
                defaults.body_read_timeout,
            )?,
            request_timeout: ms(
                server.request_timeout_ms,
                "request_timeout_ms",
                defaults.request_timeout,
            )?,
            idle_timeout: ms(
                server.idle_timeout_ms,
                "idle_timeout_ms",
                defaults.idle_timeout,
            )?,
            max_connections: count(
                server.max_connections,
                "max_connections",
                defaults.max_connections,
                1 << 20,
            )?,
            max_in_flight: count(
                server.max_in_flight,
                "max_in_flight",
                defaults.max_in_flight,
                1 << 16,
            )?,
            in_flight_wait: match server.in_flight_wait_ms {
                None => defaults.in_flight_wait,
                Some(n) => Duration::from_millis(n),
            },
            crypto_workers: match server.crypto_workers {
                None => defaults.crypto_workers,
                Some(n) if n <= 1024 => n,
                Some(n) => {
                    return Err(Error::config(
                        "server.crypto_workers",
                        format!("expected 0 (one per core) to 1024, found {n}"),
                    ));
                }
            },
            tls,
            insecure_http: server.insecure_http.unwrap_or(false),
            shutdown_grace: defaults.shutdown_grace,
            log_queue_lines: count(
                server.log_queue_lines,
                "log_queue_lines",
                defaults.log_queue_lines,
                1 << 20,
            )?,
        })
    }

    /// Whether serving on `addr` is allowed: TLS, or a loopback address, or `insecure_http`.
    pub fn check_listen(&self, addr: SocketAddr) -> Result<(), Error> {
        if self.tls.is_some() || self.insecure_http || addr.ip().is_loopback() {
            Ok(())
        } else {
            Err(Error::server_message(format!(
                "refusing to serve plain HTTP on {addr}, which is not a loopback address: set [server] tls_cert and tls_key, or insecure_http = true (serve --insecure-http) to send API keys and payloads in clear text"
            )))
        }
    }
}

/// Where a service's configuration came from, for [`Service::reload`].
#[derive(Debug)]
struct Source {
    path: PathBuf,
    provider: &'static dyn CryptoProvider,
}

/// The running service: the engine (swapped on reload), its settings, the crypto pool, the
/// in-flight slots, TLS and metrics. Share it as `Arc<Service>`.
pub struct Service {
    engine: RwLock<Arc<Engine>>,
    settings: Settings,
    metrics: Arc<Metrics>,
    pool: CryptoPool,
    in_flight: Arc<Semaphore>,
    tls: RwLock<Option<TlsAcceptor>>,
    source: Option<Source>,
    audit_sink: Option<AuditSink>,
    ready: AtomicBool,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("settings", &self.settings)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Holds an in-flight slot and keeps the gauge.
struct Slot {
    _permit: OwnedSemaphorePermit,
    metrics: Arc<Metrics>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A response body.
type Body = Full<Bytes>;

impl Service {
    /// A service for `engine` with `settings` (TLS files are read here).
    pub fn new(engine: Arc<Engine>, settings: Settings) -> Result<Self, Error> {
        let workers = match settings.crypto_workers {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        };
        let pool = CryptoPool::new(workers, settings.max_in_flight)
            .map_err(|e| Error::server("cannot start the crypto pool", e))?;
        let tls = settings.tls.as_ref().map(tls::acceptor).transpose()?;
        Ok(Service {
            engine: RwLock::new(engine),
            in_flight: Arc::new(Semaphore::new(settings.max_in_flight)),
            settings,
            metrics: Arc::new(Metrics::default()),
            pool,
            tls: RwLock::new(tls),
            source: None,
            audit_sink: None,
            ready: AtomicBool::new(true),
        })
    }

    /// A service from a configuration file (engine and `[server]` settings); [`Service::reload`]
    /// re-reads the same file.
    pub fn from_config_file(
        path: &Path,
        provider: &'static dyn CryptoProvider,
    ) -> Result<Self, Error> {
        let (config, base) = Config::load(path)?;
        let engine = config.engine(&base, provider)?;
        let settings = Settings::from_config(&config.server, &base)?;
        let mut service = Service::new(Arc::new(engine), settings)?;
        service.source = Some(Source {
            path: path.to_path_buf(),
            provider,
        });
        Ok(service)
    }

    /// The same service, allowed (`true`) to serve plain HTTP on an address that is not
    /// loopback, as `[server] insecure_http` says (`jose 4quays serve --insecure-http`).
    pub fn insecure_http(mut self, allow: bool) -> Self {
        self.settings.insecure_http = allow;
        self
    }

    /// The same service, also sending every audit record to `sink`.
    pub fn with_audit_sink(mut self, sink: AuditSink) -> Self {
        self.audit_sink = Some(sink);
        self
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Threads in the crypto pool.
    pub fn crypto_workers(&self) -> usize {
        self.pool.workers()
    }

    /// The engine new requests run on.
    pub fn engine(&self) -> Arc<Engine> {
        Arc::clone(&self.engine.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Makes `engine` the one new requests run on; requests in flight keep theirs.
    pub fn replace_engine(&self, engine: Arc<Engine>) {
        *self.engine.write().unwrap_or_else(|e| e.into_inner()) = engine;
    }

    /// Re-reads the configuration file the service was made from and, if it loads, makes it the
    /// one new requests run on (engine and TLS certificate; a changed limit or address is logged
    /// and takes effect at the next start). If it does not load, nothing changes and the error
    /// (naming the bad entry) is returned and logged.
    pub fn reload(&self) -> Result<(), Error> {
        let result = self.try_reload();
        match &result {
            Ok(()) => {
                self.metrics.reloads.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    event = "reload",
                    outcome = "applied",
                    "configuration reloaded"
                );
            }
            Err(e) => {
                self.metrics.reload_failures.fetch_add(1, Ordering::Relaxed);
                tracing::error!(
                    event = "reload",
                    outcome = "refused",
                    error = %e,
                    "configuration not reloaded; the previous one keeps serving"
                );
            }
        }
        result
    }

    fn try_reload(&self) -> Result<(), Error> {
        let Some(source) = &self.source else {
            return Err(Error::server_message(
                "cannot reload: the service was not made from a configuration file",
            ));
        };
        let (config, base) = Config::load(&source.path)?;
        let engine = config.engine(&base, source.provider)?;
        let settings = Settings::from_config(&config.server, &base)?;
        let tls = settings.tls.as_ref().map(tls::acceptor).transpose()?;
        if tls.is_some() != self.settings.tls.is_some() {
            return Err(Error::config(
                "server.tls_cert",
                "expected TLS to stay as it was at start (on or off), found it changed; restart to change it",
            ));
        }
        let fixed = Settings {
            tls: self.settings.tls.clone(),
            ..settings.clone()
        };
        if fixed != self.settings {
            tracing::warn!(
                event = "reload",
                "[server] limits or timeouts changed: they take effect at the next start"
            );
        }
        self.replace_engine(Arc::new(engine));
        *self.tls.write().unwrap_or_else(|e| e.into_inner()) = tls;
        Ok(())
    }

    fn current_tls(&self) -> Option<TlsAcceptor> {
        self.tls.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Serves on `listener` until `shutdown` completes, then stops accepting, lets requests in
    /// flight finish (at most [`Settings::shutdown_grace`]) and returns. Refuses to start on an
    /// address [`Settings::check_listen`] does not allow.
    pub async fn serve<F>(self: Arc<Self>, listener: TcpListener, shutdown: F) -> Result<(), Error>
    where
        F: Future<Output = ()> + Send,
    {
        let local = listener
            .local_addr()
            .map_err(|e| Error::server("cannot read the listening address", e))?;
        self.settings.check_listen(local)?;
        if self.settings.tls.is_none() && !local.ip().is_loopback() {
            tracing::warn!(
                event = "start",
                address = %local,
                "serving plain HTTP on a non-loopback address (insecure_http): API keys and payloads cross the network in clear text"
            );
        }
        let max = u32::try_from(self.settings.max_connections).unwrap_or(u32::MAX);
        let connections = Arc::new(Semaphore::new(max as usize));
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(e) => {
                            // Out of file descriptors, say: wait a little rather than spin.
                            tracing::warn!(event = "accept", error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
                        self.metrics.connections_rejected.fetch_add(1, Ordering::Relaxed);
                        drop(stream);
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let service = Arc::clone(&self);
                    let tls = self.current_tls();
                    let stop = stop_rx.clone();
                    tokio::spawn(async move {
                        conn::run(service, stream, peer, tls, stop).await;
                        drop(permit);
                    });
                }
            }
        }
        self.ready.store(false, Ordering::Release);
        drop(listener);
        let _ = stop_tx.send(true);
        let _ = tokio::time::timeout(
            self.settings.shutdown_grace,
            connections.acquire_many_owned(max),
        )
        .await;
        Ok(())
    }

    /// Answers one request.
    async fn respond(
        &self,
        request: Request<hyper::body::Incoming>,
        peer: SocketAddr,
    ) -> Response<Body> {
        let started = Instant::now();
        let path = request.uri().path();
        let operation = Operation::from_path(path);
        let route: Option<(&'static str, Method)> = match path {
            "/healthz" => Some(("healthz", Method::GET)),
            "/readyz" => Some(("readyz", Method::GET)),
            "/metrics" => Some(("metrics", Method::GET)),
            _ => None,
        };
        if let Some(operation) = operation {
            if request.method() == Method::POST {
                return self.operation(operation, request, peer, started).await;
            }
            return self.other(
                "unknown",
                request.headers(),
                ErrorCode::MethodNotAllowed,
                Some("POST"),
            );
        }
        let Some((name, method)) = route else {
            return self.other("unknown", request.headers(), ErrorCode::NotFound, None);
        };
        if request.method() != method {
            return self.other(
                name,
                request.headers(),
                ErrorCode::MethodNotAllowed,
                Some("GET"),
            );
        }
        match name {
            "healthz" => self.plain(
                name,
                StatusCode::OK,
                "application/json",
                r#"{"status":"ok"}"#.into(),
            ),
            "readyz" if self.ready.load(Ordering::Acquire) => self.plain(
                name,
                StatusCode::OK,
                "application/json",
                r#"{"status":"ready"}"#.into(),
            ),
            "readyz" => self.other(name, request.headers(), ErrorCode::ServiceUnavailable, None),
            _ => self.plain(
                name,
                StatusCode::OK,
                "text/plain; version=0.0.4; charset=utf-8",
                self.metrics.render(),
            ),
        }
    }

    fn plain(
        &self,
        route: &'static str,
        status: StatusCode,
        content_type: &'static str,
        body: String,
    ) -> Response<Body> {
        self.metrics.record_other(route, status.as_u16());
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    }

    /// A service-level error answer (404, 405, 503 from `/readyz`).
    fn other(
        &self,
        route: &'static str,
        headers: &HeaderMap,
        code: ErrorCode,
        allow: Option<&'static str>,
    ) -> Response<Body> {
        let request_id = self.engine().request_id(headers);
        let body = ErrorBody::service(code, request_id.clone());
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let status =
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        self.metrics.record_other(route, status.as_u16());
        let mut response = Response::new(Full::new(Bytes::from(bytes)));
        *response.status_mut() = status;
        let out = response.headers_mut();
        out.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            out.insert(REQUEST_ID_HEADER, value);
        }
        if let Some(allow) = allow {
            out.insert(ALLOW, HeaderValue::from_static(allow));
        }
        if code == ErrorCode::ServiceUnavailable {
            out.insert(http::header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }

    /// Protect or unprotect: the pipeline of the module docs.
    async fn operation(
        &self,
        operation: Operation,
        request: Request<hyper::body::Incoming>,
        peer: SocketAddr,
        started: Instant,
    ) -> Response<Body> {
        let engine = self.engine();
        let (parts, body) = request.into_parts();
        let admitted = match engine.admit(operation, &parts.headers) {
            Ok(admitted) => admitted,
            Err(refused) => return self.finish(*refused, peer, started, true),
        };
        let slot = match tokio::time::timeout(
            self.settings.in_flight_wait,
            Arc::clone(&self.in_flight).acquire_owned(),
        )
        .await
        {
            Ok(Ok(permit)) => {
                self.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
                Slot {
                    _permit: permit,
                    metrics: Arc::clone(&self.metrics),
                }
            }
            _ => {
                let handled = engine.refuse(admitted, Refusal::Overloaded);
                return self.finish(handled, peer, started, true);
            }
        };
        let limit = engine.max_body_bytes();
        let read = tokio::time::timeout(
            self.settings.body_read_timeout,
            Limited::new(body, limit).collect(),
        )
        .await;
        let bytes = match read {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(e)) => {
                let refusal = if e
                    .downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    Refusal::BodyTooLarge
                } else {
                    Refusal::BodyIncomplete
                };
                return self.finish(engine.refuse(admitted, refusal), peer, started, true);
            }
            Err(_) => {
                return self.finish(
                    engine.refuse(admitted, Refusal::BodyTimeout),
                    peer,
                    started,
                    true,
                );
            }
        };
        let Some(remaining) = self.settings.request_timeout.checked_sub(started.elapsed()) else {
            return self.finish(
                engine.refuse(admitted, Refusal::Overloaded),
                peer,
                started,
                false,
            );
        };
        let fallback = admitted.clone();
        let job_engine = Arc::clone(&engine);
        // The slot goes with the job: it is released when the work is done, even if the answer
        // has gone out (timed out) before.
        let job = move || {
            let _slot = slot;
            job_engine.complete(admitted, &bytes)
        };
        let handled = match tokio::time::timeout(remaining, self.pool.run(job)).await {
            Ok(Ok(handled)) => handled,
            Ok(Err(PoolError::Full)) | Err(_) => engine.refuse(fallback, Refusal::Overloaded),
            Ok(Err(PoolError::Lost)) => engine.refuse(fallback, Refusal::Internal),
        };
        self.finish(handled, peer, started, false)
    }

    /// Audits and counts an answer, and turns it into the response. `close` when the body was
    /// not (all) read: the connection cannot carry another request.
    fn finish(
        &self,
        mut handled: Handled,
        peer: SocketAddr,
        started: Instant,
        close: bool,
    ) -> Response<Body> {
        handled.audit.latency = started.elapsed();
        let audit = &handled.audit;
        if audit.outcome == Outcome::Failed(ErrorCode::ServiceUnavailable) {
            self.metrics.shed.fetch_add(1, Ordering::Relaxed);
        }
        self.metrics
            .record(audit.operation, audit.outcome, audit.status, audit.latency);
        telemetry::audit(audit, Some(peer));
        if let Some(sink) = &self.audit_sink {
            sink(audit);
        }
        let mut response = handled.response.map(|body| Full::new(Bytes::from(body)));
        if close {
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// Serves `engine` on `listener` with the default [`Settings`] until `shutdown` completes (the
/// short form of [`Service::new`] and [`Service::serve`]).
pub async fn serve<F>(listener: TcpListener, engine: Arc<Engine>, shutdown: F) -> Result<(), Error>
where
    F: Future<Output = ()> + Send,
{
    Arc::new(Service::new(engine, Settings::default())?)
        .serve(listener, shutdown)
        .await
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

/// Runs `service` on its own tokio runtime: binds `addr`, checks that serving there is allowed,
/// calls `on_listening` with the bound address, reloads the configuration on SIGHUP (Unix), and
/// serves until ctrl-c or SIGTERM. For a `main` without tokio (the `jose` CLI).
pub fn run_until_signal(
    addr: &str,
    service: Arc<Service>,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("4quays-io")
        .build()
        .map_err(|e| Error::server("cannot start the tokio runtime", e))?;
    runtime.block_on(async {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| Error::server(format!("cannot listen on {addr}"), e))?;
        let local = listener
            .local_addr()
            .map_err(|e| Error::server("cannot read the listening address", e))?;
        service.settings.check_listen(local)?;
        #[cfg(unix)]
        {
            let reloading = Arc::clone(&service);
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
                Ok(mut hangups) => {
                    tokio::spawn(async move {
                        while hangups.recv().await.is_some() {
                            let service = Arc::clone(&reloading);
                            // Reading keys is blocking work; the outcome is logged by reload.
                            let _ = tokio::task::spawn_blocking(move || service.reload()).await;
                        }
                    });
                }
                Err(e) => {
                    return Err(Error::server("cannot listen for SIGHUP", e));
                }
            }
        }
        on_listening(local);
        service.serve(listener, shutdown_signal()).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_for_loopback_unless_insecure_http() {
        let plain = Settings::default();
        let public: SocketAddr = "0.0.0.0:8080".parse().unwrap_or_else(|_| unreachable!());
        let v6: SocketAddr = "[::]:8080".parse().unwrap_or_else(|_| unreachable!());
        for loopback in ["127.0.0.1:8080", "127.1.2.3:1", "[::1]:8080"] {
            let addr: SocketAddr = loopback.parse().unwrap_or_else(|_| unreachable!());
            assert!(plain.check_listen(addr).is_ok(), "{loopback}");
        }
        for addr in [public, v6] {
            let err = plain.check_listen(addr).err().map(|e| e.to_string());
            assert!(
                err.as_deref().is_some_and(|e| e.contains("insecure_http")),
                "{err:?}"
            );
        }
        let insecure = Settings {
            insecure_http: true,
            ..Settings::default()
        };
        assert!(insecure.check_listen(public).is_ok());
        let tls = Settings {
            tls: Some(TlsFiles {
                cert: "c.pem".into(),
                key: "k.pem".into(),
            }),
            ..Settings::default()
        };
        assert!(tls.check_listen(public).is_ok());
    }

    #[test]
    fn server_settings_are_checked_and_named() {
        let base = Path::new("/etc/4quays");
        let parse = |toml: &str| {
            let config = Config::from_toml(toml).map_err(|e| e.to_string())?;
            Settings::from_config(&config.server, base).map_err(|e| e.to_string())
        };
        let settings = parse(
            "[server]\nheader_read_timeout_ms = 2500\nmax_in_flight = 8\ntls_cert = \"c.pem\"\ntls_key = \"/abs/k.pem\"\n",
        );
        let settings = settings.unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(settings.header_read_timeout, Duration::from_millis(2500));
        assert_eq!(settings.max_in_flight, 8);
        assert_eq!(
            settings.body_read_timeout,
            Settings::default().body_read_timeout
        );
        assert_eq!(
            settings.tls,
            Some(TlsFiles {
                cert: "/etc/4quays/c.pem".into(),
                key: "/abs/k.pem".into(),
            })
        );
        for (toml, entry) in [
            ("[server]\nidle_timeout_ms = 0\n", "server.idle_timeout_ms"),
            ("[server]\nmax_connections = 0\n", "server.max_connections"),
            ("[server]\ntls_cert = \"c.pem\"\n", "server.tls_key"),
            ("[server]\ntls_key = \"k.pem\"\n", "server.tls_cert"),
            ("[server]\ncrypto_workers = 5000\n", "server.crypto_workers"),
        ] {
            let err = parse(toml).err().unwrap_or_default();
            assert!(err.contains(entry), "{toml}: {err}");
        }
    }
}
