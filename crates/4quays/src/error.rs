//! The crate's one error type.

use crate::types::ErrorBody;
use std::path::PathBuf;

/// A service's text (an error code or message) in our message: at most 200 characters, control
/// characters escaped, so an answer cannot forge log lines.
fn one_line(text: &str) -> String {
    jose::error::clip(text, 200).escape_debug().to_string()
}

/// A cause kept as an error's `source` (a library's typed error: serde_json, reqwest, http...).
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong in this crate, on either side of the API.
///
/// Messages say what was expected and what was found; they never contain key material, API keys or
/// payloads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is not valid: `entry` names the bad entry (`services[1].keys[0]`,
    /// `policies["RBC-TRANSFER-001"]`, ...).
    #[error("configuration {entry}: {message}")]
    Config {
        /// Which entry of the configuration.
        entry: String,
        /// What was expected and what was found.
        message: String,
        /// The library error behind it, when there is one (a TLS certificate that rustls
        /// refuses, ...).
        #[source]
        source: Option<Cause>,
    },
    /// A file could not be read or written.
    #[error("cannot {action} {what} {}", path.display())]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// What the file is ("configuration file", "key file").
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// Why: the operating system's error, or a size over the limit (`InvalidData`).
        source: std::io::Error,
    },
    /// A JOSE operation failed (a key that does not fit, a token that does not parse or decrypt).
    #[error(transparent)]
    Jose(#[from] jose::Error),
    /// The service answered with one of its documented error bodies.
    #[error("the service answered {status} {}: {}", body.error.code, one_line(&body.error.message))]
    Api {
        /// The HTTP status of the answer.
        status: u16,
        /// The error body, as documented (`error.code`, `error.message`, `error.details`, `requestId`).
        body: Box<ErrorBody>,
    },
    /// An error answer in the documented body shape (`{"error": {"code", "message"},
    /// "requestId"}`) whose code this crate does not know, or whose details do not parse: the
    /// service's code, message and status are kept. (A newer service may answer codes this
    /// version has not heard of.)
    #[error(
        "the service answered {status} {}: {}",
        one_line(code),
        one_line(message)
    )]
    UndocumentedApi {
        /// The HTTP status of the answer.
        status: u16,
        /// The `error.code` string, as sent.
        code: String,
        /// The `error.message`, as sent (the message above is clipped to 200 characters and
        /// escaped onto one line).
        message: String,
        /// The `requestId`, when the body has one.
        request_id: Option<String>,
    },
    /// An answer that is not one of the documented responses.
    #[error("unexpected response (HTTP {status}): expected {expected}, found {found}")]
    UnexpectedResponse {
        /// The HTTP status of the answer.
        status: u16,
        /// What a documented answer looks like.
        expected: &'static str,
        /// What came instead (never the body itself).
        found: String,
        /// Why it was not understood, when a parser said so (its message never holds the body).
        #[source]
        source: Option<Cause>,
    },
    /// The caller passed something this crate cannot use (a base URL, a request id, an API key that
    /// cannot go in a header, a payload that is not JSON).
    #[error("invalid input {what}: expected {expected}, found {found}")]
    InvalidInput {
        /// What was passed.
        what: &'static str,
        /// What is accepted.
        expected: &'static str,
        /// What was found (never secret).
        found: String,
        /// The library error behind it, when there is one (an HTTP or TLS builder, serde_json).
        #[source]
        source: Option<Cause>,
    },
    /// The HTTP transport failed (client side: connection refused, TLS, timeout...).
    #[error("HTTP transport failed: {what}")]
    Transport {
        /// What was being done ("cannot send the request", ...).
        what: &'static str,
        /// The HTTP client's error.
        source: Cause,
    },
    /// The service could not start or stopped with an error (bind, accept).
    #[error("service failed: {what}")]
    Server {
        /// What failed ("cannot listen on 127.0.0.1:8443", ...).
        what: String,
        /// The error that made it fail, when there is one.
        #[source]
        source: Option<Cause>,
    },
}

impl Error {
    /// Shorthand for [`Error::Config`].
    pub(crate) fn config(entry: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            entry: entry.into(),
            message: message.into(),
            source: None,
        }
    }

    /// [`Error::Config`] with the library error behind it as its source.
    #[cfg(feature = "server")]
    pub(crate) fn config_caused(
        entry: impl Into<String>,
        message: impl Into<String>,
        source: impl Into<Cause>,
    ) -> Self {
        Error::Config {
            entry: entry.into(),
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// Shorthand for [`Error::Io`].
    pub(crate) fn io(
        action: &'static str,
        what: &'static str,
        path: &std::path::Path,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            what,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The [`Error::Io`] of a file over `max` bytes.
    pub(crate) fn too_large(what: &'static str, path: &std::path::Path, max: u64) -> Self {
        Error::io(
            "read",
            what,
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("expected at most {max} bytes, found more"),
            ),
        )
    }

    /// Shorthand for [`Error::Transport`].
    #[cfg(feature = "client")]
    pub(crate) fn transport(
        what: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Transport {
            what,
            source: Box::new(source),
        }
    }

    /// Shorthand for [`Error::InvalidInput`].
    pub(crate) fn input(
        what: &'static str,
        expected: &'static str,
        found: impl Into<String>,
    ) -> Self {
        Error::InvalidInput {
            what,
            expected,
            found: found.into(),
            source: None,
        }
    }

    /// [`Error::InvalidInput`] with the library error behind it as its source.
    pub(crate) fn input_caused(
        what: &'static str,
        expected: &'static str,
        found: impl Into<String>,
        source: impl Into<Cause>,
    ) -> Self {
        Error::InvalidInput {
            what,
            expected,
            found: found.into(),
            source: Some(source.into()),
        }
    }

    /// [`Error::Server`]: `what` failed because of `source`.
    #[cfg(feature = "server")]
    pub(crate) fn server(what: impl Into<String>, source: impl Into<Cause>) -> Self {
        Error::Server {
            what: what.into(),
            source: Some(source.into()),
        }
    }

    /// [`Error::Server`] with no error behind it.
    #[cfg(feature = "server")]
    pub(crate) fn server_message(what: impl Into<String>) -> Self {
        Error::Server {
            what: what.into(),
            source: None,
        }
    }

    /// Whose problem this is (see [`jose::ErrorClass`]): configuration, files, arguments, the
    /// service's own start-up and keys are [`Local`](jose::ErrorClass::Local); a failed connection
    /// is [`Transport`](jose::ErrorClass::Transport); an answer or token refused is
    /// [`Rejected`](jose::ErrorClass::Rejected).
    pub fn class(&self) -> jose::ErrorClass {
        match self {
            Error::Config { .. }
            | Error::Io { .. }
            | Error::InvalidInput { .. }
            | Error::Server { .. } => jose::ErrorClass::Local,
            Error::Transport { .. } => jose::ErrorClass::Transport,
            Error::Jose(e) => e.class(),
            Error::Api { .. }
            | Error::UndocumentedApi { .. }
            | Error::UnexpectedResponse { .. } => jose::ErrorClass::Rejected,
        }
    }

    /// True when the input was refused: `class()` is [`Rejected`](jose::ErrorClass::Rejected).
    pub fn is_rejection(&self) -> bool {
        self.class() == jose::ErrorClass::Rejected
    }

    /// The `error.code` string of an error answer (a documented code or one this crate does not
    /// know), with the answer's HTTP status.
    pub fn api_code(&self) -> Option<(u16, &str)> {
        match self {
            Error::Api { status, body } => Some((*status, body.error.code.as_str())),
            Error::UndocumentedApi { status, code, .. } => Some((*status, code)),
            _ => None,
        }
    }

    /// The documented error body, when the service answered with one.
    pub fn api_body(&self) -> Option<&ErrorBody> {
        match self {
            Error::Api { body, .. } => Some(body),
            _ => None,
        }
    }
}
