//! What the audit log records of each request.

use crate::types::{ErrorCode, Operation};
use http::Response;
use std::fmt;
use std::time::Duration;

/// How a request ended, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Protect encrypted the payload.
    Encrypted,
    /// Protect passed the payload through (inactive policy, passthrough mode).
    PassedThrough,
    /// Protect dropped the payload (inactive policy, drop mode).
    Dropped,
    /// Unprotect decrypted the payload.
    Decrypted,
    /// The request was answered with this error.
    Failed(ErrorCode),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Encrypted => f.write_str("encrypted"),
            Outcome::PassedThrough => f.write_str("passed_through"),
            Outcome::Dropped => f.write_str("dropped"),
            Outcome::Decrypted => f.write_str("decrypted"),
            Outcome::Failed(code) => f.write_str(code.as_str()),
        }
    }
}

/// One audit log line: who did what under which policy, how it ended and how long it took. It
/// never holds the payload, the API key or key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// The request id.
    pub request_id: String,
    /// The API key's id, once authenticated.
    pub key_id: Option<String>,
    /// The policy number the request resolved to or asked for (at most 128 characters).
    pub policy: Option<String>,
    /// The operation.
    pub operation: Operation,
    /// How it ended.
    pub outcome: Outcome,
    /// The HTTP status answered.
    pub status: u16,
    /// Time spent (the engine's own; a server sets it to the whole request's).
    pub latency: Duration,
}

impl AuditRecord {
    /// The record as one JSON line (no trailing newline):
    /// `{"audit":"4quays","requestId":..,"keyId":..,"policy":..,"operation":..,"outcome":..,"status":..,"latencyMs":..}`.
    pub fn to_json_line(&self) -> String {
        let value = serde_json::json!({
            "audit": "4quays",
            "requestId": self.request_id,
            "keyId": self.key_id,
            "policy": self.policy,
            "operation": self.operation.name(),
            "outcome": self.outcome.to_string(),
            "status": self.status,
            "latencyMs": (self.latency.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
        });
        value.to_string()
    }
}

/// An answer: the HTTP response and the audit record for it.
#[derive(Debug)]
pub struct Handled {
    /// The response (JSON body, `Content-Type: application/json`, `X-Request-Id`).
    pub response: Response<Vec<u8>>,
    /// The audit record.
    pub audit: AuditRecord,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_lines_are_json() {
        let record = AuditRecord {
            request_id: "r-1".into(),
            key_id: Some("partner".into()),
            policy: Some("P\"1\n".into()),
            operation: Operation::Unprotect,
            outcome: Outcome::Failed(ErrorCode::PolicyNotFound),
            status: 404,
            latency: Duration::from_micros(1500),
        };
        let line = record.to_json_line();
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["outcome"], "POLICY_NOT_FOUND");
        assert_eq!(v["policy"], "P\"1\n");
        assert_eq!(v["operation"], "unprotect");
        assert_eq!(v["latencyMs"], 1.5);
    }
}
