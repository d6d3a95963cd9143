//! The one error type of jose-core and of every crypto provider.

use std::fmt;

/// Everything that can go wrong in jose-core or in a crypto provider.
///
/// Messages say what was expected and what was found. They never contain key material, and the two
/// failures an attacker could learn from ([`Error::DecryptionFailed`] and [`Error::BadSignature`]) are
/// deliberately opaque.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not well-formed (base64url, JSON, structure of a token or a key).
    #[error("malformed {what}: expected {expected}, found {found}")]
    Malformed {
        /// What was being parsed.
        what: &'static str,
        /// What the parser expected.
        expected: &'static str,
        /// What it found instead (never secret bytes).
        found: String,
    },
    /// An algorithm name that this library does not implement (this includes `none`).
    #[error("unsupported {kind} {found:?}; supported: {supported}")]
    UnsupportedAlgorithm {
        /// Which registry: "JWS alg", "JWE alg", "JWE enc", "curve", "key type".
        kind: &'static str,
        /// The name that was found.
        found: String,
        /// The names that are supported.
        supported: &'static str,
    },
    /// A supported algorithm that the caller's allow-list (or key binding) does not permit.
    #[error("algorithm {found} is not allowed; allowed: {allowed}")]
    AlgorithmNotAllowed {
        /// The algorithm found in the token.
        found: String,
        /// The algorithms the caller allowed.
        allowed: String,
    },
    /// A key that cannot be used as asked: wrong type, too small, malformed, not on the curve.
    #[error("invalid key: expected {expected}, found {found}")]
    InvalidKey {
        /// What the operation needs.
        expected: String,
        /// What the key is.
        found: String,
    },
    /// No supplied key fits the token (by `kid` and algorithm).
    #[error("no matching key: {0}")]
    NoMatchingKey(String),
    /// A signature did not verify.
    #[error("signature verification failed")]
    BadSignature,
    /// Decryption failed: key unwrap, authentication tag, or anything else (deliberately opaque).
    #[error("decryption failed")]
    DecryptionFailed,
    /// A size or count limit was exceeded.
    #[error("{what} is too large: the limit is {limit}, found {found}")]
    LimitExceeded {
        /// What was measured.
        what: &'static str,
        /// The limit in force.
        limit: usize,
        /// The size found.
        found: usize,
    },
    /// A JOSE header is not acceptable (a `crit` parameter we do not understand, overlapping headers,
    /// a missing or forbidden member).
    #[error("invalid header: {0}")]
    InvalidHeader(String),
    /// A JSON object has the same member name twice.
    #[error("duplicate member {name:?} in {location}")]
    DuplicateMember {
        /// The repeated name.
        name: String,
        /// Where: "JOSE header", "JWS JSON", ...
        location: &'static str,
    },
    /// The caller asked for something that cannot be done (e.g. compact serialization of a JWS with
    /// two signatures).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The crypto provider failed for a reason unrelated to the input (e.g. the RNG).
    #[error("crypto provider failure: {0}")]
    Provider(String),
}

impl Error {
    /// Shorthand for [`Error::Malformed`].
    pub fn malformed(what: &'static str, expected: &'static str, found: impl fmt::Display) -> Self {
        Error::Malformed {
            what,
            expected,
            found: found.to_string(),
        }
    }

    /// Shorthand for [`Error::InvalidKey`].
    pub fn invalid_key(expected: impl fmt::Display, found: impl fmt::Display) -> Self {
        Error::InvalidKey {
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }

    /// True for errors that are about a key (as opposed to a token or a request).
    pub fn is_key_error(&self) -> bool {
        matches!(self, Error::InvalidKey { .. })
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
