//! Logs as JSON lines through a non-blocking writer, with `tracing`.
//!
//! The service emits its audit events and its operational events (listening, reloads, refused
//! configurations) with `tracing`; [`init_json_logs`] installs a subscriber that writes each as
//! one JSON line: an RFC 3339 `timestamp`, `level`, `target`, then the event's fields. The lines
//! go through a queue of bounded length to a writer thread: when the consumer of the log (a pipe,
//! a terminal) does not keep up, new lines are dropped and counted
//! ([`LogGuard::dropped_lines`], and `fourquays_log_lines_dropped_total` on `/metrics`), so a
//! stalled log never stalls a request.
//!
//! An audit event (target `jose_4quays::audit`) has the fields `audit` ("4quays"), `requestId`,
//! `keyId` (the API key's configured id, never the key), `policy`, `operation`, `outcome`,
//! `status`, `latencyMs` and `peer` (the client's address); never payloads, JWE parts or keys.

use crate::engine::AuditRecord;
use crate::error::Error;
use std::io::Write;
use std::net::SocketAddr;
use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};

/// The target of audit events.
pub const AUDIT_TARGET: &str = "jose_4quays::audit";

/// Default length of the log queue, in lines.
pub const DEFAULT_LOG_QUEUE_LINES: usize = 8192;

/// Keeps the log writer thread running. Drop it last: dropping it flushes what is queued, waiting
/// about a second at most when the consumer is stalled.
pub struct LogGuard {
    _guard: WorkerGuard,
    dropped: ErrorCounter,
}

impl std::fmt::Debug for LogGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogGuard")
            .field("dropped_lines", &self.dropped_lines())
            .finish_non_exhaustive()
    }
}

impl LogGuard {
    /// Lines dropped so far because the queue was full.
    pub fn dropped_lines(&self) -> u64 {
        u64::try_from(self.dropped.dropped_lines()).unwrap_or(u64::MAX)
    }

    /// A counter of the dropped lines that outlives borrows of the guard (for
    /// [`super::Metrics::set_log_dropped_source`]).
    pub fn dropped_counter(&self) -> impl Fn() -> u64 + Send + Sync + 'static {
        let counter = self.dropped.clone();
        move || u64::try_from(counter.dropped_lines()).unwrap_or(u64::MAX)
    }
}

/// Installs the process-wide `tracing` subscriber: JSON lines on `writer` (stderr, say) through a
/// queue of `queue_lines` lines, events at INFO and above. Fails if a subscriber is already set.
pub fn init_json_logs<W>(writer: W, queue_lines: usize) -> Result<LogGuard, Error>
where
    W: Write + Send + 'static,
{
    let (non_blocking, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(queue_lines.max(1))
        .thread_name("4quays-log")
        .finish(writer);
    let dropped = non_blocking.error_counter();
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(true)
        .with_max_level(tracing::Level::INFO)
        .with_writer(non_blocking)
        .try_init()
        .map_err(|e| Error::server("cannot install the log subscriber", e))?;
    Ok(LogGuard {
        _guard: guard,
        dropped,
    })
}

/// Emits the audit event of one answered request.
pub(crate) fn audit(record: &AuditRecord, peer: Option<SocketAddr>) {
    let latency_ms = (record.latency.as_secs_f64() * 1_000_000.0).round() / 1000.0;
    tracing::info!(
        target: AUDIT_TARGET,
        audit = "4quays",
        requestId = record.request_id.as_str(),
        keyId = record.key_id.as_deref(),
        policy = record.policy.as_deref(),
        operation = record.operation.name(),
        outcome = %record.outcome,
        status = record.status,
        latencyMs = latency_ms,
        peer = peer.map(tracing::field::display),
    );
}
