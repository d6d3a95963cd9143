//! The service's metrics, served as Prometheus text (format 0.0.4) on `GET /metrics`.
//!
//! | metric | type | what |
//! |---|---|---|
//! | `fourquays_requests_total{operation,outcome,status}` | counter | protect and unprotect answers; `outcome` is `encrypted`, `passed_through`, `dropped`, `decrypted` or the error code |
//! | `fourquays_request_duration_seconds{operation}` | histogram | time from the request head to the answer |
//! | `fourquays_other_responses_total{route,status}` | counter | every other answer (`/healthz`, `/readyz`, `/metrics`, unknown paths and methods) |
//! | `fourquays_in_flight` | gauge | protect and unprotect requests holding an in-flight slot |
//! | `fourquays_shed_total` | counter | requests answered 503 because the service was at its limits |
//! | `fourquays_connections_open` | gauge | open connections |
//! | `fourquays_connections_rejected_total` | counter | connections closed at once because `max_connections` were open |
//! | `fourquays_connections_timed_out_total` | counter | connections closed by the header read or idle timeout |
//! | `fourquays_reloads_total` / `fourquays_reload_failures_total` | counter | configuration reloads that took effect / were refused |
//! | `fourquays_log_lines_dropped_total` | counter | log lines dropped because the log consumer did not keep up |

use crate::engine::Outcome;
use crate::types::{ErrorCode, Operation};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Upper bounds of the latency histogram's buckets, in seconds.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A latency histogram: a count per bucket (not cumulative; summed when rendered), the sum in
/// nanoseconds and the count.
#[derive(Debug)]
struct Histogram {
    buckets: Vec<AtomicU64>,
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn new() -> Self {
        Histogram {
            buckets: (0..=LATENCY_BUCKETS.len())
                .map(|_| AtomicU64::new(0))
                .collect(),
            sum_nanos: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    fn observe(&self, latency: Duration) {
        let seconds = latency.as_secs_f64();
        let index = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        if let Some(bucket) = self.buckets.get(index) {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }
}

/// The counters and gauges of one running service. Cheap to update from any thread.
pub struct Metrics {
    /// Answers by operation and outcome (the usual case: the outcome's own status), lock-free.
    answers: Vec<AtomicU64>,
    /// Answers whose status is not their outcome's own (not produced by this crate's server).
    unusual: Mutex<BTreeMap<(&'static str, String, u16), u64>>,
    other: Mutex<BTreeMap<(&'static str, u16), u64>>,
    latency: [Histogram; 2],
    pub(super) in_flight: AtomicI64,
    pub(super) shed: AtomicU64,
    pub(super) connections_open: AtomicI64,
    pub(super) connections_rejected: AtomicU64,
    pub(super) connections_timed_out: AtomicU64,
    pub(super) reloads: AtomicU64,
    pub(super) reload_failures: AtomicU64,
    log_dropped: OnceLock<Box<dyn Fn() -> u64 + Send + Sync>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            answers: (0..2 * OUTCOME_SLOTS).map(|_| AtomicU64::new(0)).collect(),
            unusual: Mutex::new(BTreeMap::new()),
            other: Mutex::new(BTreeMap::new()),
            latency: [Histogram::new(), Histogram::new()],
            in_flight: AtomicI64::new(0),
            shed: AtomicU64::new(0),
            connections_open: AtomicI64::new(0),
            connections_rejected: AtomicU64::new(0),
            connections_timed_out: AtomicU64::new(0),
            reloads: AtomicU64::new(0),
            reload_failures: AtomicU64::new(0),
            log_dropped: OnceLock::new(),
        }
    }
}

/// Outcomes counted per operation: the four successes and every error code.
const OUTCOME_SLOTS: usize = 4 + ErrorCode::ALL.len();

/// The outcome of a slot, and the status it is answered with.
fn slot_outcome(slot: usize) -> Option<(Outcome, u16)> {
    match slot {
        0 => Some((Outcome::Encrypted, 200)),
        1 => Some((Outcome::PassedThrough, 200)),
        2 => Some((Outcome::Dropped, 200)),
        3 => Some((Outcome::Decrypted, 200)),
        n => ErrorCode::ALL
            .get(n - 4)
            .map(|code| (Outcome::Failed(*code), code.status())),
    }
}

/// The slot of an outcome answered with `status`, if that is the outcome's own status.
fn outcome_slot(outcome: Outcome, status: u16) -> Option<usize> {
    let slot = match outcome {
        Outcome::Encrypted => 0,
        Outcome::PassedThrough => 1,
        Outcome::Dropped => 2,
        Outcome::Decrypted => 3,
        Outcome::Failed(code) => 4 + ErrorCode::ALL.iter().position(|c| *c == code)?,
    };
    (slot_outcome(slot)?.1 == status).then_some(slot)
}

fn operation_index(operation: Operation) -> usize {
    match operation {
        Operation::Protect => 0,
        Operation::Unprotect => 1,
    }
}

impl Metrics {
    /// Counts one protect or unprotect answer and its latency.
    pub fn record(&self, operation: Operation, outcome: Outcome, status: u16, latency: Duration) {
        let counter = outcome_slot(outcome, status).and_then(|slot| {
            self.answers
                .get(operation_index(operation) * OUTCOME_SLOTS + slot)
        });
        match counter {
            Some(counter) => {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            None => {
                let mut unusual = self.unusual.lock().unwrap_or_else(|e| e.into_inner());
                let count = unusual
                    .entry((operation.name(), outcome.to_string(), status))
                    .or_insert(0);
                *count = count.saturating_add(1);
            }
        }
        if let Some(histogram) = self.latency.get(operation_index(operation)) {
            histogram.observe(latency);
        }
    }

    /// Counts one answer on another route (`healthz`, `readyz`, `metrics`, `unknown`).
    pub fn record_other(&self, route: &'static str, status: u16) {
        let mut other = self.other.lock().unwrap_or_else(|e| e.into_inner());
        let count = other.entry((route, status)).or_insert(0);
        *count = count.saturating_add(1);
    }

    /// Where `fourquays_log_lines_dropped_total` comes from (the non-blocking log writer's
    /// counter); set once.
    pub fn set_log_dropped_source(&self, source: impl Fn() -> u64 + Send + Sync + 'static) {
        let _ = self.log_dropped.set(Box::new(source));
    }

    /// How many protect/unprotect answers had `status`, over every operation and outcome.
    pub fn requests_with_status(&self, status: u16) -> u64 {
        self.request_counts()
            .iter()
            .filter(|((_, _, s), _)| *s == status)
            .map(|(_, n)| *n)
            .sum()
    }

    /// Every non-zero answer count by (operation, outcome, status), sorted.
    fn request_counts(&self) -> BTreeMap<(&'static str, String, u16), u64> {
        let mut counts = self
            .unusual
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for (operation, index) in [(Operation::Protect, 0), (Operation::Unprotect, 1)] {
            for slot in 0..OUTCOME_SLOTS {
                let count = self
                    .answers
                    .get(index * OUTCOME_SLOTS + slot)
                    .map_or(0, |c| c.load(Ordering::Relaxed));
                if let (true, Some((outcome, status))) = (count > 0, slot_outcome(slot)) {
                    let entry = counts
                        .entry((operation.name(), outcome.to_string(), status))
                        .or_insert(0);
                    *entry = entry.saturating_add(count);
                }
            }
        }
        counts
    }

    /// Requests shed (answered 503) so far.
    pub fn shed(&self) -> u64 {
        self.shed.load(Ordering::Relaxed)
    }

    /// Connections open now.
    pub fn connections_open(&self) -> i64 {
        self.connections_open.load(Ordering::Relaxed)
    }

    /// Reloads that took effect, and reloads refused.
    pub fn reloads(&self) -> (u64, u64) {
        (
            self.reloads.load(Ordering::Relaxed),
            self.reload_failures.load(Ordering::Relaxed),
        )
    }

    /// The metrics in Prometheus text format 0.0.4.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        header(
            &mut out,
            "fourquays_requests_total",
            "counter",
            "Protect and unprotect answers, by operation, outcome and HTTP status.",
        );
        {
            for ((operation, outcome, status), count) in &self.request_counts() {
                let _ = writeln!(
                    out,
                    "fourquays_requests_total{{operation=\"{operation}\",outcome=\"{}\",status=\"{status}\"}} {count}",
                    escape(outcome)
                );
            }
        }
        header(
            &mut out,
            "fourquays_request_duration_seconds",
            "histogram",
            "Time from the request head to the answer of protect and unprotect, in seconds.",
        );
        for operation in [Operation::Protect, Operation::Unprotect] {
            let Some(histogram) = self.latency.get(operation_index(operation)) else {
                continue;
            };
            let name = operation.name();
            let mut cumulative = 0u64;
            for (index, bound) in LATENCY_BUCKETS.iter().enumerate() {
                cumulative = cumulative.saturating_add(
                    histogram
                        .buckets
                        .get(index)
                        .map_or(0, |b| b.load(Ordering::Relaxed)),
                );
                let _ = writeln!(
                    out,
                    "fourquays_request_duration_seconds_bucket{{operation=\"{name}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let count = histogram.count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "fourquays_request_duration_seconds_bucket{{operation=\"{name}\",le=\"+Inf\"}} {}",
                cumulative.max(count)
            );
            let sum = histogram.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
            let _ = writeln!(
                out,
                "fourquays_request_duration_seconds_sum{{operation=\"{name}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "fourquays_request_duration_seconds_count{{operation=\"{name}\"}} {}",
                cumulative.max(count)
            );
        }
        header(
            &mut out,
            "fourquays_other_responses_total",
            "counter",
            "Answers on other routes (healthz, readyz, metrics, unknown paths and methods), by HTTP status.",
        );
        {
            let other = self.other.lock().unwrap_or_else(|e| e.into_inner());
            for ((route, status), count) in other.iter() {
                let _ = writeln!(
                    out,
                    "fourquays_other_responses_total{{route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        let gauges: [(&str, &str, i64); 2] = [
            (
                "fourquays_in_flight",
                "Protect and unprotect requests holding an in-flight slot.",
                self.in_flight.load(Ordering::Relaxed),
            ),
            (
                "fourquays_connections_open",
                "Open connections.",
                self.connections_open.load(Ordering::Relaxed),
            ),
        ];
        for (name, help, value) in gauges {
            header(&mut out, name, "gauge", help);
            let _ = writeln!(out, "{name} {value}");
        }
        let log_dropped = self.log_dropped.get().map_or(0, |source| source());
        let counters: [(&str, &str, u64); 6] = [
            (
                "fourquays_shed_total",
                "Requests answered 503 because the service was at its in-flight limit or out of time.",
                self.shed.load(Ordering::Relaxed),
            ),
            (
                "fourquays_connections_rejected_total",
                "Connections closed at once because max_connections were open.",
                self.connections_rejected.load(Ordering::Relaxed),
            ),
            (
                "fourquays_connections_timed_out_total",
                "Connections closed by the header read or idle timeout.",
                self.connections_timed_out.load(Ordering::Relaxed),
            ),
            (
                "fourquays_reloads_total",
                "Configuration reloads that took effect.",
                self.reloads.load(Ordering::Relaxed),
            ),
            (
                "fourquays_reload_failures_total",
                "Configuration reloads refused (the previous configuration kept serving).",
                self.reload_failures.load(Ordering::Relaxed),
            ),
            (
                "fourquays_log_lines_dropped_total",
                "Log lines dropped because the log consumer did not keep up.",
                log_dropped,
            ),
        ];
        for (name, help, value) in counters {
            header(&mut out, name, "counter", help);
            let _ = writeln!(out, "{name} {value}");
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the text format wants it: backslash, double quote and newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_move() {
        let metrics = Metrics::default();
        metrics.record(
            Operation::Protect,
            Outcome::Encrypted,
            200,
            Duration::from_micros(300),
        );
        metrics.record(
            Operation::Protect,
            Outcome::Failed(ErrorCode::AuthenticationFailed),
            401,
            Duration::from_millis(20),
        );
        metrics.record(
            Operation::Protect,
            Outcome::Encrypted,
            200,
            Duration::from_secs(60),
        );
        let text = metrics.render();
        assert!(text.contains(
            "fourquays_requests_total{operation=\"protect\",outcome=\"encrypted\",status=\"200\"} 2\n"
        ));
        assert!(text.contains("outcome=\"AUTHENTICATION_FAILED\",status=\"401\"} 1\n"));
        assert!(text.contains(
            "fourquays_request_duration_seconds_bucket{operation=\"protect\",le=\"0.0005\"} 1\n"
        ));
        assert!(text.contains(
            "fourquays_request_duration_seconds_bucket{operation=\"protect\",le=\"0.025\"} 2\n"
        ));
        assert!(text.contains(
            "fourquays_request_duration_seconds_bucket{operation=\"protect\",le=\"10\"} 2\n"
        ));
        assert!(text.contains(
            "fourquays_request_duration_seconds_bucket{operation=\"protect\",le=\"+Inf\"} 3\n"
        ));
        assert!(
            text.contains("fourquays_request_duration_seconds_count{operation=\"protect\"} 3\n")
        );
        assert_eq!(metrics.requests_with_status(200), 2);
    }

    #[test]
    fn every_outcome_has_its_slot_and_unusual_statuses_are_kept() {
        for slot in 0..OUTCOME_SLOTS {
            let (outcome, status) = slot_outcome(slot).unwrap();
            assert_eq!(outcome_slot(outcome, status), Some(slot));
        }
        let metrics = Metrics::default();
        metrics.record(
            Operation::Unprotect,
            Outcome::Decrypted,
            299,
            Duration::from_millis(1),
        );
        metrics.record(
            Operation::Unprotect,
            Outcome::Failed(ErrorCode::ServiceUnavailable),
            503,
            Duration::from_millis(1),
        );
        let text = metrics.render();
        assert!(text.contains("operation=\"unprotect\",outcome=\"decrypted\",status=\"299\"} 1\n"));
        assert!(text.contains(
            "operation=\"unprotect\",outcome=\"SERVICE_UNAVAILABLE\",status=\"503\"} 1\n"
        ));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
