//! The replay-prevention fields of the protocol and the time policy that checks them.

use crate::clock::millis;
use crate::error::{Error, Result};
use crate::json::json_type;
use serde_json::{Map, Value};
use std::time::Duration;

/// The request body field with the request's unique id.
pub const REQUEST_ID: &str = "request_id";
/// The request body field with the request's creation time (UTC milliseconds).
pub const REQUEST_TIMESTAMP: &str = "request_timestamp";
/// The response body field with the response's creation time (UTC milliseconds).
pub const RESPONSE_TIMESTAMP: &str = "response_timestamp";

/// The shortest `request_id` accepted, in characters.
pub const MIN_REQUEST_ID_CHARS: usize = 10;
/// The longest `request_id` accepted, in characters.
pub const MAX_REQUEST_ID_CHARS: usize = 100;

/// The protocol's largest timestamp age: two minutes.
pub const MAX_AGE: Duration = Duration::from_secs(2 * 60);
/// The default allowance for a timestamp ahead of our clock: thirty seconds.
pub const DEFAULT_ALLOWED_SKEW: Duration = Duration::from_secs(30);

/// How old, and how far in the future, a `request_timestamp` or `response_timestamp` may be.
///
/// ```
/// use jose_klarna_xs2a::Policy;
/// use std::time::Duration;
///
/// let policy = Policy::default().with_allowed_skew(Duration::from_secs(5));
/// assert_eq!(policy.max_age, Duration::from_secs(120));
/// assert!(policy.check("request_timestamp", 1_000_000, 1_004_000).is_ok()); // 4 s old
/// assert!(policy.check("request_timestamp", 1_006_000, 1_000_000).is_err()); // 6 s ahead
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// The largest age accepted (default and protocol: two minutes). A timestamp exactly this old
    /// is accepted; one millisecond older is [`Error::Stale`].
    pub max_age: Duration,
    /// How far ahead of our clock a timestamp may be, for clock skew between the parties
    /// (default 30 seconds). Further ahead is [`Error::FromTheFuture`].
    pub allowed_skew: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_age: MAX_AGE,
            allowed_skew: DEFAULT_ALLOWED_SKEW,
        }
    }
}

impl Policy {
    /// Another largest age (the protocol's is two minutes; a shorter one is stricter). The
    /// server's replay window follows it ([`Policy::min_replay_window`]).
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Another clock skew allowance. The server's replay window follows it
    /// ([`Policy::min_replay_window`]).
    pub fn with_allowed_skew(mut self, allowed_skew: Duration) -> Self {
        self.allowed_skew = allowed_skew;
        self
    }

    /// The shortest replay window that remembers a `request_id` until its request is stale:
    /// `max_age + allowed_skew` and one millisecond.
    ///
    /// A request stamped `allowed_skew` ahead of our clock is accepted from when it arrives until
    /// it is `max_age` old, so for `max_age + allowed_skew`; a replay store that forgot its id
    /// sooner would let the same request in twice. [`crate::Server`] records every id for at
    /// least this window ([`crate::Server::replay_window`]), so no policy and no window of its
    /// own can open that gap.
    ///
    /// ```
    /// use jose_klarna_xs2a::Policy;
    /// use std::time::Duration;
    ///
    /// assert_eq!(Policy::default().min_replay_window(), Duration::from_millis(150_001));
    /// let long = Policy::default().with_max_age(Duration::from_secs(600));
    /// assert_eq!(long.min_replay_window(), Duration::from_millis(630_001));
    /// ```
    pub fn min_replay_window(&self) -> Duration {
        Duration::from_millis(
            millis(self.max_age)
                .saturating_add(millis(self.allowed_skew))
                .saturating_add(1),
        )
    }

    /// Checks `timestamp` (the body field `field`) against `now`, both UTC milliseconds.
    pub fn check(&self, field: &'static str, timestamp: u64, now: u64) -> Result<()> {
        if timestamp <= now {
            let age_ms = now.saturating_sub(timestamp);
            let max_age_ms = millis(self.max_age);
            if age_ms > max_age_ms {
                return Err(Error::Stale {
                    field,
                    age_ms,
                    max_age_ms,
                });
            }
        } else {
            let ahead_ms = timestamp.saturating_sub(now);
            let allowed_skew_ms = millis(self.allowed_skew);
            if ahead_ms > allowed_skew_ms {
                return Err(Error::FromTheFuture {
                    field,
                    ahead_ms,
                    allowed_skew_ms,
                });
            }
        }
        Ok(())
    }
}

/// Checks a `request_id`'s length: 10 to 100 characters.
pub fn check_request_id(request_id: &str) -> Result<()> {
    let found = request_id.chars().count();
    if (MIN_REQUEST_ID_CHARS..=MAX_REQUEST_ID_CHARS).contains(&found) {
        Ok(())
    } else {
        Err(Error::InvalidRequestId { found })
    }
}

/// The `request_id` of a body: present, a string, 10 to 100 characters.
pub(crate) fn request_id(body: &Map<String, Value>) -> Result<&str> {
    match body.get(REQUEST_ID) {
        Some(Value::String(id)) => {
            check_request_id(id)?;
            Ok(id)
        }
        Some(other) => Err(Error::body(
            format!("\"{REQUEST_ID}\" to be a string"),
            json_type(other),
        )),
        None => Err(Error::body(format!("a \"{REQUEST_ID}\" member"), "none")),
    }
}

/// A timestamp field of a body: present, a non-negative integer (UTC milliseconds).
pub(crate) fn timestamp(body: &Map<String, Value>, field: &'static str) -> Result<u64> {
    match body.get(field) {
        Some(Value::Number(n)) if n.is_u64() => n.as_u64().ok_or_else(|| {
            Error::body(
                format!("\"{field}\" to be UTC milliseconds"),
                "an integer out of range",
            )
        }),
        Some(other) => Err(Error::body(
            format!("\"{field}\" to be UTC milliseconds (a non-negative integer)"),
            json_type(other),
        )),
        None => Err(Error::body(format!("a \"{field}\" member"), "none")),
    }
}

/// `body` with `first` members placed before the rest (replacing members of the same names). The
/// `Map` keeps that order only when serde_json's `preserve_order` is on; [`crate::Sealer::seal`]
/// writes the stamp members first either way.
pub(crate) fn prepend(body: Map<String, Value>, first: Vec<(&str, Value)>) -> Map<String, Value> {
    let mut out = Map::with_capacity(body.len().saturating_add(first.len()));
    for (name, value) in first {
        out.insert(name.to_owned(), value);
    }
    for (name, value) in body {
        if !out.contains_key(&name) {
            out.insert(name, value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_boundaries() {
        let p = Policy::default();
        let now = 10_000_000;
        assert!(p.check("t", now - 120_000, now).is_ok());
        assert!(matches!(
            p.check("t", now - 120_001, now),
            Err(Error::Stale {
                age_ms: 120_001,
                ..
            })
        ));
        assert!(p.check("t", now + 30_000, now).is_ok());
        assert!(matches!(
            p.check("t", now + 30_001, now),
            Err(Error::FromTheFuture {
                ahead_ms: 30_001,
                ..
            })
        ));
    }

    #[test]
    fn request_id_lengths() {
        assert!(check_request_id(&"a".repeat(9)).is_err());
        assert!(check_request_id(&"a".repeat(10)).is_ok());
        assert!(check_request_id(&"a".repeat(100)).is_ok());
        assert!(check_request_id(&"a".repeat(101)).is_err());
        // Characters, not bytes.
        assert!(check_request_id(&"é".repeat(10)).is_ok());
        assert!(check_request_id(&"é".repeat(100)).is_ok());
    }

    #[test]
    fn timestamps_must_be_non_negative_integers() {
        let body = |v: Value| {
            let mut m = Map::new();
            m.insert("t".into(), v);
            m
        };
        assert_eq!(timestamp(&body(Value::from(5u64)), "t").unwrap(), 5);
        assert!(timestamp(&body(Value::from(-5i64)), "t").is_err());
        assert!(timestamp(&body(Value::from(5.5f64)), "t").is_err());
        assert!(timestamp(&body(Value::from("5")), "t").is_err());
        assert!(timestamp(&Map::new(), "t").is_err());
    }
}
