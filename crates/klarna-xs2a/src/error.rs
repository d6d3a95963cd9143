//! The one error type of this crate, and [`ApiError`], an answer with an error status.

use crate::client::OpenedResponse;
use http::StatusCode;
use serde_json::Value;
use std::fmt;

/// Which layer of the nested token an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// The outer JWE (encrypted to the recipient's key).
    Jwe,
    /// The inner JWS (signed with the sender's key).
    Jws,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Jwe => "JWE",
            Layer::Jws => "JWS",
        })
    }
}

/// Everything that can go wrong while sealing or opening a Klarna XS2A message.
///
/// Each variant is something a caller can act on: answer `415` to [`Error::WrongContentType`],
/// refresh the key set on [`Error::UnknownKid`], answer `400` to a malformed body, `409`/`400`
/// to a replay, and so on. Messages say what was expected and what was found; they never contain
/// key material, and values taken from a token (a `kid`, a `request_id`) are cut to 100
/// characters. [`Error::DecryptionFailed`] and [`Error::BadSignature`] are deliberately opaque.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The HTTP `Content-Type`, or a `cty` in a token header, is not the one the protocol uses.
    #[error("wrong content type{context}: expected {expected}, found {found}")]
    WrongContentType {
        /// Where: empty for the HTTP header, or " in the JWE header" / " in the JWS header".
        context: &'static str,
        /// The content type the protocol uses.
        expected: &'static str,
        /// What was found (cut to 100 characters).
        found: String,
    },
    /// A token names a key (`kid`) that is not in our key ring (JWE) or in the sender's key set
    /// (JWS), or names none.
    #[error("unknown {layer} kid: expected one of {known}, found {found}")]
    UnknownKid {
        /// The layer whose `kid` did not match.
        layer: Layer,
        /// The `kid` found (quoted, cut to 100 characters), or "no kid".
        found: String,
        /// The kids we know, comma-separated ("none" if the set is empty).
        known: String,
    },
    /// A token uses an algorithm other than the protocol's (RS512 for the JWS, RSA-OAEP-256 and
    /// A256GCM for the JWE).
    #[error("{what} not allowed: expected {expected}, found {found}")]
    AlgorithmNotAllowed {
        /// "JWE alg", "JWE enc" or "JWS alg".
        what: &'static str,
        /// The one value the protocol allows.
        expected: &'static str,
        /// What the token says (cut to 100 characters), or "none".
        found: String,
    },
    /// The JWE did not decrypt with the key its `kid` names (deliberately opaque).
    #[error("decryption failed")]
    DecryptionFailed,
    /// The JWS did not verify with the key its `kid` names (deliberately opaque).
    #[error("signature verification failed")]
    BadSignature,
    /// A timestamp (`request_timestamp` or `response_timestamp`) is older than allowed.
    #[error("stale {field}: expected at most {max_age_ms} ms old, found {age_ms} ms old")]
    Stale {
        /// The body field.
        field: &'static str,
        /// How old it is by our clock, in milliseconds.
        age_ms: u64,
        /// The largest age accepted.
        max_age_ms: u64,
    },
    /// A timestamp lies further in the future than the allowed clock skew.
    #[error(
        "{field} is in the future: expected at most {allowed_skew_ms} ms ahead of our clock, found {ahead_ms} ms ahead"
    )]
    FromTheFuture {
        /// The body field.
        field: &'static str,
        /// How far ahead of our clock it is, in milliseconds.
        ahead_ms: u64,
        /// The clock skew accepted.
        allowed_skew_ms: u64,
    },
    /// The `request_id` was already seen within the replay window.
    #[error(
        "replayed request: expected a request_id not seen in the last {window_ms} ms, found {request_id:?} again"
    )]
    Replayed {
        /// The repeated `request_id` (cut to 100 characters).
        request_id: String,
        /// The replay window in milliseconds.
        window_ms: u64,
    },
    /// The replay store cannot remember another `request_id` until older ones expire, so the
    /// request is refused rather than accepted unchecked (answer `503` and let the client retry).
    #[error(
        "replay store full: expected room for another request_id, found all {capacity} slots holding ids younger than the replay window"
    )]
    ReplayStoreFull {
        /// How many ids the store holds.
        capacity: usize,
    },
    /// The replay store could not vouch for the `request_id` (a shared store unreachable or too
    /// slow: [`ReplayError::Unavailable`](jose::replay::ReplayError::Unavailable); a store that
    /// must be awaited, asked synchronously:
    /// [`ReplayError::NeedsAsync`](jose::replay::ReplayError::NeedsAsync)), so the request is
    /// refused rather than accepted unchecked (answer `503`).
    #[error(transparent)]
    ReplayStore(jose::replay::ReplayError),
    /// A `request_id` that is not 10 to 100 characters long.
    #[error("invalid request_id: expected 10 to 100 characters, found {found} characters")]
    InvalidRequestId {
        /// Its length in characters.
        found: usize,
    },
    /// The JSON body is not acceptable: not a JSON object, duplicate member names, a required
    /// field missing or of the wrong type.
    #[error("malformed body: expected {expected}, found {found}")]
    MalformedBody {
        /// What the body should have been.
        expected: String,
        /// What it was (a JSON type or a parser message, never the body itself).
        found: String,
    },
    /// The token is not a well-formed compact JWE, or its plaintext not a well-formed compact JWS
    /// (or it uses a JOSE feature this protocol does not: `crit`, `zip`, an unencoded payload).
    #[error("malformed {layer}")]
    MalformedToken {
        /// The layer that failed to parse.
        layer: Layer,
        /// What jose-core found.
        source: jose::Error,
    },
    /// A key that cannot serve the protocol: no `kid`, not RSA, too small, a duplicate `kid` in a
    /// key set, metadata (`alg`, `use`, `key_ops`) that forbids the use.
    #[error("key error: {context}")]
    Key {
        /// Which key, and what was expected and found when jose-core did not say it.
        context: String,
        /// jose-core's reason, when it refused the key.
        source: Option<jose::Error>,
    },
    /// Our signing key is held outside any provider (a KMS, an HSM) and signing through it did
    /// not give a JWS: the external signer failed ([`jose::Error::ExternalSigner`], with the
    /// signer's own error below it) or returned something other than an RS512 signature of the
    /// key's modulus length ([`jose::Error::ExternalSignature`]). jose-core's error is the
    /// source.
    #[error("cannot sign the JWS")]
    ExternalSigning(#[source] jose::Error),
    /// A method or path that cannot be mapped to or from the encrypted route.
    #[error("invalid route: expected {expected}, found {found}")]
    InvalidRoute {
        /// What a route should look like.
        expected: &'static str,
        /// What was found (cut to 100 characters).
        found: String,
    },
    /// A message body over the limit an HTTP adapter reads: a request to the server layer
    /// (answered `413`) or an answer to the client middleware. Nothing past the limit is read.
    #[error("body too large: expected a {what} of at most {limit} bytes, found more")]
    BodyTooLarge {
        /// Which body: "request body" or "response body".
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// A message body did not arrive within the time an HTTP adapter waits for it (the server
    /// layer answers `408`).
    #[error("timed out: expected the {what} within {after_ms} ms")]
    TimedOut {
        /// Which body: "request body" or "response body".
        what: &'static str,
        /// How long the adapter waited, in milliseconds.
        after_ms: u64,
    },
    /// Building an `http` request or response failed.
    #[error("invalid HTTP message: {0}")]
    Http(String),
    /// The API answered with a status outside 2xx: the status and what the body was (parsed
    /// JSON, an opened sealed body, or clipped text). See [`ApiError`].
    #[error(transparent)]
    Api(Box<ApiError>),
    /// A 2xx answer in plain `application/json` while the client requires sealed answers
    /// ([`PlainResponses::Refuse`](crate::PlainResponses::Refuse), the default): a plain body is
    /// neither signed nor timestamped, so a downgraded or tampered answer would go unnoticed.
    #[error(
        "plain JSON response refused: expected application/jose on a {status} response, found application/json (accepted only with PlainResponses::Accept)"
    )]
    PlainResponseRefused {
        /// The response status.
        status: StatusCode,
    },
    /// The crypto provider failed for a reason unrelated to the input (e.g. the RNG), or
    /// jose-core refused a request while sealing.
    #[error("the crypto provider failed")]
    Crypto(#[source] jose::Error),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// At most 100 characters of an untrusted value, for messages.
pub(crate) fn shorten(s: &str) -> String {
    jose::error::clip(s, 100)
}

impl Error {
    /// A malformed body with messages built from displayable parts.
    pub(crate) fn body(expected: impl fmt::Display, found: impl fmt::Display) -> Self {
        Error::MalformedBody {
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }

    /// A key error from jose-core, with context.
    pub(crate) fn key(context: impl fmt::Display, err: jose::Error) -> Self {
        Error::Key {
            context: context.to_string(),
            source: Some(err),
        }
    }

    /// A key error that jose-core did not raise: `context` says what was expected and found.
    pub(crate) fn key_message(context: impl Into<String>) -> Self {
        Error::Key {
            context: context.into(),
            source: None,
        }
    }

    /// Whose problem this is (see [`jose::ErrorClass`]): our own keys, an HTTP message we could
    /// not build, a provider failure and a full replay store are
    /// [`Local`](jose::ErrorClass::Local); everything about an incoming message, including an
    /// answer with an error status ([`Error::Api`], whatever the status, as in the workspace's
    /// other clients) and a refused plain answer, is [`Rejected`](jose::ErrorClass::Rejected) (a
    /// caller that supplied a route itself, as a CLI argument, treats an invalid one as its own
    /// mistake).
    pub fn class(&self) -> jose::ErrorClass {
        match self {
            Error::Key { .. }
            | Error::ExternalSigning(_)
            | Error::Http(_)
            | Error::Crypto(_)
            | Error::ReplayStoreFull { .. } => jose::ErrorClass::Local,
            Error::ReplayStore(e) => e.class(),
            _ => jose::ErrorClass::Rejected,
        }
    }

    /// True for the rejections of an incoming message (as opposed to problems with our own keys,
    /// our own request, or the provider). A server answers these with a 4xx status.
    pub fn is_rejection(&self) -> bool {
        self.class() == jose::ErrorClass::Rejected
    }

    /// The error status and its body, if this is [`Error::Api`].
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }
}

/// The most bytes of an error body an [`ApiError`] keeps (and parses as JSON): 16 KiB. Longer
/// bodies are kept as their first 16 KiB of text, marked truncated.
pub const MAX_ERROR_BODY_BYTES: usize = 16 * 1024;

/// How many characters of an error body or content type a message quotes.
const QUOTED_BODY_CHARS: usize = 200;
const QUOTED_TYPE_CHARS: usize = 64;

/// An answer with a status outside 2xx ([`Error::Api`]): what [`crate::Client::decrypt_response`]
/// makes of a 400 with a JSON body, a 500 HTML page from a proxy, an empty 404.
///
/// The body is kept bounded ([`MAX_ERROR_BODY_BYTES`]) and its message quotes at most 200
/// characters of it (with `jose::error::clip`); a sealed body that opened is never quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `Content-Type` header, if there was one (visible ASCII, at most 64 characters).
    pub content_type: Option<String>,
    /// What the body was.
    pub body: ApiErrorBody,
    /// Why an `application/jose` body was not accepted ([`ApiErrorBody::Unopened`]: it did not
    /// decrypt or verify, or its `response_timestamp` was missing or stale); the error's `source`.
    pub unopened: Option<Error>,
}

/// The body of an [`ApiError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorBody {
    /// No body (or only whitespace).
    Empty,
    /// A JSON body (`Content-Type` `application/json` or `…+json`, or none and the body parses),
    /// parsed strictly (duplicate member names make it [`ApiErrorBody::Text`]).
    Json(Value),
    /// An `application/jose` body that decrypted, verified and was fresh, like a 2xx answer.
    Secure(OpenedResponse),
    /// An `application/jose` body that was not accepted as a sealed answer would be (it did not
    /// decrypt or verify, or failed the `response_timestamp` check); why is
    /// [`ApiError::unopened`].
    Unopened,
    /// Anything else (HTML, text, JSON that does not parse, a body over
    /// [`MAX_ERROR_BODY_BYTES`]): the first [`MAX_ERROR_BODY_BYTES`] as text, invalid UTF-8
    /// replaced.
    Text {
        /// The text.
        text: String,
        /// True when the body was longer than [`MAX_ERROR_BODY_BYTES`] and was cut.
        truncated: bool,
    },
}

impl ApiError {
    /// The body, if it was plain JSON.
    pub fn json(&self) -> Option<&Value> {
        match &self.body {
            ApiErrorBody::Json(value) => Some(value),
            _ => None,
        }
    }

    /// The body's members when it is a JSON object, plain or sealed.
    pub fn object(&self) -> Option<&serde_json::Map<String, Value>> {
        match &self.body {
            ApiErrorBody::Json(Value::Object(map)) => Some(map),
            ApiErrorBody::Secure(opened) => Some(&opened.body),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "API error: expected a 2xx response, found {}",
            self.status
        )?;
        let content_type = self
            .content_type
            .as_deref()
            .map(|t| jose::error::clip(t, QUOTED_TYPE_CHARS));
        match &self.body {
            ApiErrorBody::Empty => f.write_str(" with no body"),
            ApiErrorBody::Json(value) => write!(
                f,
                " with JSON body {}",
                jose::error::clip(&value.to_string(), QUOTED_BODY_CHARS)
            ),
            ApiErrorBody::Secure(_) => f.write_str(" with a sealed body (opened and verified)"),
            ApiErrorBody::Unopened => f.write_str(" with a sealed body that was not accepted"),
            ApiErrorBody::Text { text, truncated } => {
                write!(f, " with ")?;
                match content_type {
                    Some(t) => write!(f, "{t:?} body ")?,
                    None => write!(f, "body ")?,
                }
                write!(f, "{:?}", jose::error::clip(text, QUOTED_BODY_CHARS))?;
                if *truncated {
                    write!(f, " (cut at {MAX_ERROR_BODY_BYTES} bytes)")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.unopened
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
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
            Error::MalformedToken {
                layer: Layer::Jwe,
                source: cause.clone(),
            },
            Error::key("signing key", cause.clone()),
            Error::Crypto(cause.clone()),
        ] {
            let line = display_chain(&error);
            assert_eq!(line.matches(&cause_text).count(), 1, "{line}");
            assert!(line.starts_with(&error.to_string()), "{line}");
            // display_chain would hide a message that writes its cause into itself.
            assert_eq!(repeated_cause(&error), None, "{line}");
        }
        let plain = Error::key_message("signing key: expected a kid, found none");
        assert_eq!(display_chain(&plain), plain.to_string());
        // An error status whose sealed body did not open: the reason is the source, once.
        let unopened = Error::MalformedToken {
            layer: Layer::Jwe,
            source: cause.clone(),
        };
        let api = Error::Api(Box::new(ApiError {
            status: StatusCode::UNAUTHORIZED,
            content_type: Some("application/jose".into()),
            body: ApiErrorBody::Unopened,
            unopened: Some(unopened.clone()),
        }));
        let line = display_chain(&api);
        assert_eq!(
            line,
            format!("{api}: {unopened}: {cause_text}"),
            "the status, then why the body did not open"
        );
        assert_eq!(repeated_cause(&api), None, "{line}");
        assert_eq!(api.class(), jose::ErrorClass::Rejected);
    }
}
