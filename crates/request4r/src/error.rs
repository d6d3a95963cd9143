//! The crate's one error type, and the typed API error a partner matches on.

use http::StatusCode;
use std::fmt;

/// Everything that can go wrong on either side of Request4R.
///
/// Messages say what was expected and what was found. They never contain key material or
/// plaintext; [`Error::DecryptionFailed`] is deliberately opaque.
///
/// On the gateway side, [`Error::gateway_status`], [`Error::gateway_code`] and
/// [`Error::gateway_reason`] give the stable answer to send back (and [`Error::to_gateway_response`]
/// builds it); the details here are for the gateway's own logs only.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path cannot be mapped: the partner side needs a standard `/v1` route, the gateway side a
    /// `/v1/partners/request4r` route; `.` and `..` segments and encoded slashes are refused on
    /// both.
    #[error("route: expected {expected}, found {found:?}")]
    Route {
        /// What the mapping needs.
        expected: &'static str,
        /// The path (at most 128 characters of it).
        found: String,
    },
    /// A body or a decrypted payload is not the JSON it should be.
    #[error("{what}: expected {expected}, found {found}")]
    InvalidJson {
        /// Which body: "request body", "response body", "decrypted payload", ...
        what: &'static str,
        /// What was expected ("UTF-8 JSON", "a JSON object").
        expected: &'static str,
        /// What was found (a description, never the content).
        found: String,
    },
    /// The body is not a well-formed compact JWE (wrong number of parts, bad base64url, bad header
    /// JSON, too large).
    #[error("malformed JWE: expected a compact JWE, found one that does not parse")]
    MalformedJwe(#[source] jose::Error),
    /// The JWE's protected header is not the Request4R one: `alg` must be `RSA-OAEP-256` and `enc`
    /// `A256GCM`; `zip` and unknown `crit` members are refused.
    #[error(
        "unexpected JWE header: expected {{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}} (kid allowed), found {found}"
    )]
    UnexpectedJweHeader {
        /// The header found (at most 128 characters of its JSON).
        found: String,
    },
    /// The JWE could not be decrypted with our key: encrypted to another key, or altered. Opaque on
    /// purpose.
    #[error(
        "decryption failed: expected a JWE encrypted to our key and unaltered, found one that does not decrypt"
    )]
    DecryptionFailed,
    /// A response's `Content-Type` is neither `application/jose` nor (where allowed) JSON.
    #[error("unexpected Content-Type on a {status} response: expected {expected}, found {found}")]
    UnexpectedContentType {
        /// The response status.
        status: StatusCode,
        /// The media types accepted here.
        expected: &'static str,
        /// The media type found (at most 64 characters), or "none".
        found: String,
    },
    /// A success response came as plain `application/json` while encryption is required: refused so
    /// that a misconfigured or downgraded endpoint cannot go unnoticed.
    #[error(
        "plain JSON response refused: expected application/jose on a {status} response, found application/json (allowed only in sandbox mode or with accept_plain_json)"
    )]
    PlainResponseRefused {
        /// The response status.
        status: StatusCode,
    },
    /// `X-Skip-Encryption` where it is not allowed: on a partner request outside sandbox mode, or at
    /// a gateway that does not accept it.
    #[error("X-Skip-Encryption refused: {0}")]
    SkipEncryptionRefused(&'static str),
    /// The API answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// A key cannot serve Request4R (not RSA, too small, metadata forbidding RSA-OAEP-256, a file
    /// that does not parse).
    #[error("key: {context}")]
    Key {
        /// Which key, for what.
        context: &'static str,
        /// The library's reason.
        #[source]
        source: jose::Error,
    },
    /// The crypto provider failed for a reason unrelated to the input (the random generator, for
    /// instance).
    #[error("the crypto provider failed")]
    Crypto(#[source] jose::Error),
    /// A body is larger than the configured limit: a request at the gateway (answered 413
    /// [`ERROR_PAYLOAD_TOO_LARGE`]), an answer at the partner, or a handler's answer.
    #[error("{what} too large: expected at most {limit} bytes, found more")]
    BodyTooLarge {
        /// Which body: "request body", "response body", "handler response".
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// A body could not be read whole: the peer stopped sending, or the body did not arrive within
    /// the time allowed (answered 408 [`ERROR_REQUEST_TIMEOUT`] by the gateway).
    #[error(
        "{what} incomplete: expected the whole body, found {}",
        if *timed_out { "none within the time allowed" } else { "a body that ended early" }
    )]
    BodyIncomplete {
        /// Which body.
        what: &'static str,
        /// True when the time allowed ran out, false when the body ended early or broke.
        timed_out: bool,
    },
    /// The gateway's own handler answered something the gateway cannot send (a body that is not
    /// JSON, or too large): answered 500 [`ERROR_INTERNAL`], the cause kept for the logs.
    #[error("the handler's response cannot be sent")]
    HandlerResponse(#[source] Box<Error>),
    /// An HTTP message could not be rebuilt (a mapped URI or a header value that `http` refuses).
    #[error("HTTP message: expected {expected}, found {found}")]
    Http {
        /// What was needed.
        expected: &'static str,
        /// What was found.
        found: String,
    },
}

/// The code of a gateway's answer to a body it cannot accept (HTTP 400).
pub const ERROR_INVALID_JWE_PAYLOAD: &str = "ERROR_INVALID_JWE_PAYLOAD";
/// The code of a gateway's answer to a path that is not a Request4R route (HTTP 404).
pub const ERROR_NOT_FOUND: &str = "ERROR_NOT_FOUND";
/// The code of a gateway's answer when its own key or provider fails (HTTP 500).
pub const ERROR_INTERNAL: &str = "ERROR_INTERNAL";
/// The code of a gateway's answer to a body over its size limit (HTTP 413).
pub const ERROR_PAYLOAD_TOO_LARGE: &str = "ERROR_PAYLOAD_TOO_LARGE";
/// The code of a gateway's answer to a body that did not arrive in time (HTTP 408).
pub const ERROR_REQUEST_TIMEOUT: &str = "ERROR_REQUEST_TIMEOUT";

impl Error {
    /// The HTTP status a gateway answers with: 400 for a body it cannot accept, 404 for a path that
    /// is not a Request4R route, 413 for a body over the limit, 408 for one that did not arrive in
    /// time, 500 for its own failures.
    pub fn gateway_status(&self) -> StatusCode {
        self.gateway_answer().0
    }

    /// The stable code a gateway answers with: [`ERROR_INVALID_JWE_PAYLOAD`] for any body it
    /// cannot accept, [`ERROR_NOT_FOUND`], [`ERROR_PAYLOAD_TOO_LARGE`], [`ERROR_REQUEST_TIMEOUT`] or
    /// [`ERROR_INTERNAL`] otherwise.
    pub fn gateway_code(&self) -> &'static str {
        self.gateway_answer().1
    }

    /// The short, stable reason a gateway answers with: it names the problem, never internal detail.
    pub fn gateway_reason(&self) -> &'static str {
        self.gateway_answer().2
    }

    fn gateway_answer(&self) -> (StatusCode, &'static str, &'static str) {
        const BAD: StatusCode = StatusCode::BAD_REQUEST;
        match self {
            Error::MalformedJwe(_) => (
                BAD,
                ERROR_INVALID_JWE_PAYLOAD,
                "the body is not a compact JWE",
            ),
            Error::UnexpectedJweHeader { .. } => (
                BAD,
                ERROR_INVALID_JWE_PAYLOAD,
                "the JWE must use alg RSA-OAEP-256 and enc A256GCM",
            ),
            Error::DecryptionFailed => (
                BAD,
                ERROR_INVALID_JWE_PAYLOAD,
                "the JWE cannot be decrypted",
            ),
            Error::InvalidJson { .. } => (
                BAD,
                ERROR_INVALID_JWE_PAYLOAD,
                "the payload is not UTF-8 JSON",
            ),
            Error::SkipEncryptionRefused(_) => (
                BAD,
                ERROR_INVALID_JWE_PAYLOAD,
                "X-Skip-Encryption is not accepted here",
            ),
            Error::BodyTooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ERROR_PAYLOAD_TOO_LARGE,
                "the body is larger than the gateway accepts",
            ),
            Error::BodyIncomplete {
                timed_out: true, ..
            } => (
                StatusCode::REQUEST_TIMEOUT,
                ERROR_REQUEST_TIMEOUT,
                "the body did not arrive in time",
            ),
            Error::BodyIncomplete {
                timed_out: false, ..
            } => (BAD, ERROR_INVALID_JWE_PAYLOAD, "the body could not be read"),
            Error::Route { .. } => (
                StatusCode::NOT_FOUND,
                ERROR_NOT_FOUND,
                "not a Request4R route",
            ),
            _ => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ERROR_INTERNAL,
                "internal error",
            ),
        }
    }

    /// The gateway's answer to this error: the status of [`Error::gateway_status`], `Content-Type:
    /// application/json` and the body `{"code":"...","reason":"..."}`.
    ///
    /// ```
    /// use jose_request4r::{Error, ERROR_INVALID_JWE_PAYLOAD};
    /// let response = Error::DecryptionFailed.to_gateway_response();
    /// assert_eq!(response.status(), 400);
    /// assert_eq!(
    ///     response.body(),
    ///     r#"{"code":"ERROR_INVALID_JWE_PAYLOAD","reason":"the JWE cannot be decrypted"}"#
    /// );
    /// ```
    pub fn to_gateway_response(&self) -> http::Response<String> {
        let (status, code, reason) = self.gateway_answer();
        let body = serde_json::json!({ "code": code, "reason": reason }).to_string();
        let mut response = http::Response::new(body);
        *response.status_mut() = status;
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(crate::CONTENT_TYPE_JSON),
        );
        response
    }

    /// Whose problem this is (see [`jose::ErrorClass`]): a key, an HTTP message we could not
    /// build, a provider failure or a gateway handler's unsendable answer is
    /// [`Local`](jose::ErrorClass::Local); a body that did not arrive whole is
    /// [`Transport`](jose::ErrorClass::Transport); everything about a message, a route or an answer
    /// received is [`Rejected`](jose::ErrorClass::Rejected) (a caller that supplied the route
    /// itself, as a CLI argument, treats it as its own mistake).
    pub fn class(&self) -> jose::ErrorClass {
        match self {
            Error::Key { .. }
            | Error::Crypto(_)
            | Error::Http { .. }
            | Error::HandlerResponse(_) => jose::ErrorClass::Local,
            Error::BodyIncomplete { .. } => jose::ErrorClass::Transport,
            _ => jose::ErrorClass::Rejected,
        }
    }

    /// True when the input was refused: `class()` is [`Rejected`](jose::ErrorClass::Rejected).
    pub fn is_rejection(&self) -> bool {
        self.class() == jose::ErrorClass::Rejected
    }

    /// The API error, if this is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }
}

/// An error status from the API, with the body's `code` and `reason` when it has them.
///
/// The gateway answers a body it cannot accept with 400 and
/// `{"code":"ERROR_INVALID_JWE_PAYLOAD","reason":"..."}`; the underlying Partner API answers its
/// own errors the same way (possibly encrypted, which the partner decrypts first).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status (4xx, 5xx, or any other non-2xx).
    pub status: StatusCode,
    /// The body's `code`, if the body is a JSON object with a string `code`.
    pub code: Option<String>,
    /// The body's `reason`, if the body is a JSON object with a string `reason`.
    pub reason: Option<String>,
    /// The whole JSON body, if the body is JSON (decrypted first if it was a JWE).
    pub body: Option<serde_json::Value>,
    /// The `X-Reference-ID` response header, if any.
    pub reference_id: Option<String>,
}

impl ApiError {
    /// True when the gateway refused the request body: `code` is `ERROR_INVALID_JWE_PAYLOAD`.
    pub fn is_invalid_jwe_payload(&self) -> bool {
        self.code.as_deref() == Some(ERROR_INVALID_JWE_PAYLOAD)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "API error: expected a 2xx response, found {}",
            self.status
        )?;
        if let Some(code) = &self.code {
            write!(f, " with code {}", shown(code, 64))?;
        }
        if let Some(reason) = &self.reason {
            write!(f, ", reason {}", shown(reason, 200))?;
        }
        if let Some(id) = &self.reference_id {
            write!(f, " (X-Reference-ID {})", shown(id, 64))?;
        }
        Ok(())
    }
}

/// Server-provided text as shown in a message: quoted, escaped, at most `max` characters.
fn shown(s: &str, max: usize) -> String {
    format!("{:?}", clip(s, max))
}

/// At most `max` characters of `s` (for the `found` part of messages).
pub(crate) fn clip(s: &str, max: usize) -> String {
    jose::error::clip(s, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jose::error::{display_chain, repeated_cause};

    /// Each cause of an error's chain appears once in the line a caller prints.
    #[test]
    fn each_cause_is_printed_once() {
        let cause = jose::Error::invalid_key("an RSA key", "an EC P-256 key");
        let cause_text = cause.to_string();
        for error in [
            Error::MalformedJwe(cause.clone()),
            Error::Key {
                context: "RaaS public key",
                source: cause.clone(),
            },
            Error::Crypto(cause.clone()),
        ] {
            let line = display_chain(&error);
            assert_eq!(line.matches(&cause_text).count(), 1, "{line}");
            assert!(line.starts_with(&error.to_string()), "{line}");
            // display_chain would hide a message that writes its cause into itself.
            assert_eq!(repeated_cause(&error), None, "{line}");
        }
    }

    #[test]
    fn handler_response_keeps_its_cause_once() {
        let inner = Error::BodyTooLarge {
            what: "handler response",
            limit: 10,
        };
        let error = Error::HandlerResponse(Box::new(inner.clone()));
        let line = display_chain(&error);
        assert_eq!(line.matches(&inner.to_string()).count(), 1, "{line}");
        assert_eq!(repeated_cause(&error), None, "{line}");
        assert_eq!(error.gateway_status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(error.gateway_code(), ERROR_INTERNAL);
    }

    #[test]
    fn body_answers() {
        let big = Error::BodyTooLarge {
            what: "request body",
            limit: 1,
        };
        assert_eq!(big.gateway_status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(big.gateway_code(), ERROR_PAYLOAD_TOO_LARGE);
        assert!(big.is_rejection());
        let slow = Error::BodyIncomplete {
            what: "request body",
            timed_out: true,
        };
        assert_eq!(slow.gateway_status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(slow.class(), jose::ErrorClass::Transport);
        assert_eq!(
            slow.to_string(),
            "request body incomplete: expected the whole body, found none within the time allowed"
        );
        let cut = Error::BodyIncomplete {
            what: "request body",
            timed_out: false,
        };
        assert_eq!(cut.gateway_code(), ERROR_INVALID_JWE_PAYLOAD);
    }

    #[test]
    fn classes() {
        use jose::ErrorClass::{Local, Rejected};
        assert_eq!(Error::DecryptionFailed.class(), Rejected);
        assert!(Error::DecryptionFailed.is_rejection());
        assert_eq!(
            Error::Crypto(jose::Error::Provider("rng".into())).class(),
            Local
        );
        assert_eq!(
            Error::Http {
                expected: "a URI",
                found: "x".into()
            }
            .class(),
            Local
        );
    }
}
