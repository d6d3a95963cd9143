//! The one error type of jose-core and of every crypto provider.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

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
    /// The crypto provider does not implement this operation (a partial provider, such as a KMS
    /// that only signs, answers this from the provider traits' default methods).
    #[error("the {provider} provider does not support {operation}")]
    Unsupported {
        /// The provider's name ([`CryptoProvider::name`](crate::CryptoProvider::name)).
        provider: &'static str,
        /// The operation asked for, e.g. `"HMAC-SHA-256"`.
        operation: String,
    },
    /// A file could not be read (see [`crate::keyfile::read_limited`]); the operating system's
    /// error is the source.
    #[error("cannot read {what} {}", path.display())]
    Io {
        /// What the file is: "key file", "configuration file", ...
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: IoCause,
    },
    /// A file is larger than the caller's limit (it was not read past the limit).
    #[error("{what} {} is too large: expected at most {limit} bytes, found more", path.display())]
    FileTooLarge {
        /// What the file is: "key file", "configuration file", ...
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: usize,
    },
    /// An external signer (a KMS, an HSM: a [`jws::ExternalSigner`](crate::jws::ExternalSigner)
    /// or [`jws::AsyncExternalSigner`](crate::jws::AsyncExternalSigner)) failed; its own error is
    /// the source. Make one with [`Error::external_signer`].
    #[error("the external signer failed")]
    ExternalSigner {
        /// The signer's error.
        #[source]
        source: SignerCause,
    },
    /// An external signer returned bytes that are not a signature for the algorithm and key: the
    /// wrong length (a DER-encoded ECDSA signature where the raw r || s was expected, for
    /// instance), a zero ECDSA scalar, or a signature that does not verify with the key's public
    /// key when [`ExternalKey`](crate::jws::ExternalKey) holds it.
    #[error(
        "unusable {alg} signature from the external signer: expected {expected}, found {found}"
    )]
    ExternalSignature {
        /// The algorithm the signature was asked for.
        alg: crate::alg::JwsAlgorithm,
        /// What it must be.
        expected: String,
        /// What came back (never the bytes themselves).
        found: String,
    },
    /// A JWT's claims (or its `typ`) were refused: expired, not yet valid, the wrong issuer or
    /// audience, a replayed `jti`... The [`ClaimError`](crate::jwt::ClaimError) names the claim.
    /// (Boxed, so that every `Result<_, Error>` stays small; [`Error::claim_error`] borrows it.)
    #[error(transparent)]
    Claim(Box<crate::jwt::ClaimError>),
    /// A key file that was read but cannot be used (see [`crate::keyfile::KeyFile::load`]); the
    /// source says why, without the file's contents.
    #[error("key file {}", path.display())]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// Why: a malformed or unsupported key, or a key that fails validation.
        #[source]
        source: Box<Error>,
    },
}

/// The operating system's error behind [`Error::Io`]: a [`std::io::Error`], shared so that
/// [`Error`] stays `Clone`. Two are equal when their [`std::io::ErrorKind`] and message are.
#[derive(Debug, Clone)]
pub struct IoCause(Arc<std::io::Error>);

impl IoCause {
    /// The error's kind (`NotFound`, `PermissionDenied`, ...).
    pub fn kind(&self) -> std::io::ErrorKind {
        self.0.kind()
    }

    /// The error itself.
    pub fn get_ref(&self) -> &std::io::Error {
        &self.0
    }

    /// The error itself, owned: the original when this is its only holder, else a copy with the
    /// same kind and message.
    pub fn into_inner(self) -> std::io::Error {
        Arc::try_unwrap(self.0)
            .unwrap_or_else(|shared| std::io::Error::new(shared.kind(), shared.to_string()))
    }
}

impl From<std::io::Error> for IoCause {
    fn from(err: std::io::Error) -> Self {
        IoCause(Arc::new(err))
    }
}

impl PartialEq for IoCause {
    fn eq(&self, other: &Self) -> bool {
        self.kind() == other.kind() && self.0.to_string() == other.0.to_string()
    }
}

impl Eq for IoCause {}

impl fmt::Display for IoCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for IoCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// The error behind [`Error::ExternalSigner`]: what a KMS or HSM client reported, shared so that
/// [`Error`] stays `Clone`. Two are equal when their messages are.
#[derive(Debug, Clone)]
pub struct SignerCause(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl SignerCause {
    /// Keeps `err`: any error type, or a message (`&str`, `String`).
    pub fn new(err: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        SignerCause(Arc::from(err.into()))
    }

    /// The error itself.
    pub fn get_ref(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }

    /// The error as its own type `E`, if it is one (for a caller that wants its KMS client's
    /// error back).
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref::<E>()
    }
}

impl PartialEq for SignerCause {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for SignerCause {}

impl fmt::Display for SignerCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SignerCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl Error {
    /// An [`Error::ExternalSigner`]: what an external signer returns when its KMS or HSM fails.
    /// `err` is the client's error (kept as the source, so [`display_chain`] prints it) or a
    /// message.
    ///
    /// ```
    /// use jose_core::Error;
    /// use jose_core::error::display_chain;
    ///
    /// let err = Error::external_signer("the KMS answered 503");
    /// assert_eq!(display_chain(&err), "the external signer failed: the KMS answered 503");
    /// ```
    pub fn external_signer(
        err: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Error::ExternalSigner {
            source: SignerCause::new(err),
        }
    }

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

    /// The refused claim, for an [`Error::Claim`]: what a caller matches on
    /// (`matches!(e.claim_error(), Some(ClaimError::Expired { .. }))`).
    pub fn claim_error(&self) -> Option<&crate::jwt::ClaimError> {
        match self {
            Error::Claim(claim) => Some(claim),
            _ => None,
        }
    }

    /// True for errors that are about a key (as opposed to a token or a request): a key that
    /// cannot be used, or a key file that cannot be imported.
    pub fn is_key_error(&self) -> bool {
        matches!(self, Error::InvalidKey { .. } | Error::KeyFile { .. })
    }

    /// Whose problem this is: a key that does not fit, a request the caller built wrongly, a
    /// provider or external signer failure, or a file (a key file included) that cannot be read
    /// or used is [`ErrorClass::Local`]; everything about a token or key material read from
    /// outside is [`ErrorClass::Rejected`].
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::InvalidKey { .. }
            | Error::InvalidRequest(_)
            | Error::Provider(_)
            | Error::Unsupported { .. }
            | Error::Io { .. }
            | Error::FileTooLarge { .. }
            | Error::KeyFile { .. }
            | Error::ExternalSigner { .. }
            | Error::ExternalSignature { .. } => ErrorClass::Local,
            Error::Claim(claim) => claim.class(),
            _ => ErrorClass::Rejected,
        }
    }
}

/// At most `max` characters of an untrusted value, for the `found` part of a message, with `...`
/// when it was cut. Every crate of the workspace clips what it quotes this way.
///
/// ```
/// assert_eq!(jose_core::error::clip("abcdef", 4), "abcd...");
/// assert_eq!(jose_core::error::clip("abc", 4), "abc");
/// ```
pub fn clip(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        out.push_str("...");
    }
    out
}

/// An error and its causes (the `source()` chain) on one line, joined by `": "`: what a log line
/// or a command-line tool prints. The errors of this workspace keep a cause as their source and
/// never repeat it in their own message, so each cause appears once; a cause whose message the
/// line already holds (some libraries repeat their source in their own message) is not added
/// again.
///
/// ```
/// use jose_core::Error;
/// use jose_core::error::display_chain;
///
/// #[derive(Debug)]
/// struct Outer(Error);
/// impl std::fmt::Display for Outer {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("cannot open the envelope")
///     }
/// }
/// impl std::error::Error for Outer {
///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
///         Some(&self.0)
///     }
/// }
/// let e = Outer(Error::DecryptionFailed);
/// assert_eq!(display_chain(&e), format!("cannot open the envelope: {}", Error::DecryptionFailed));
/// ```
pub fn display_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        let text = next.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = next.source();
    }
    out
}

/// The first cause in `err`'s chain whose text is already written into the message of an error
/// above it, or `None` when each message leaves its causes to [`display_chain`]: the check behind
/// the workspace's error convention (each crate's `each_cause_is_printed_once` test asserts it).
///
/// [`display_chain`] would hide such a repeat, so a test of the printed line alone cannot see it.
///
/// ```
/// use jose_core::Error;
/// use jose_core::error::repeated_cause;
///
/// #[derive(Debug)]
/// struct Keeps(Error);
/// impl std::fmt::Display for Keeps {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("cannot open the envelope")
///     }
/// }
/// impl std::error::Error for Keeps {
///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
///         Some(&self.0)
///     }
/// }
/// #[derive(Debug)]
/// struct Repeats(Error);
/// impl std::fmt::Display for Repeats {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         write!(f, "cannot open the envelope: {}", self.0)
///     }
/// }
/// impl std::error::Error for Repeats {
///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
///         Some(&self.0)
///     }
/// }
/// assert_eq!(repeated_cause(&Keeps(Error::DecryptionFailed)), None);
/// assert_eq!(
///     repeated_cause(&Repeats(Error::DecryptionFailed)),
///     Some(Error::DecryptionFailed.to_string())
/// );
/// ```
pub fn repeated_cause(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut above = vec![err.to_string()];
    let mut cause = err.source();
    while let Some(next) = cause {
        let text = next.to_string();
        if !text.is_empty() && above.iter().any(|message| message.contains(&text)) {
            return Some(text);
        }
        above.push(text);
        cause = next.source();
    }
    None
}

/// The classification every error of this workspace gives (`class()` on jose-core's error and on
/// each protocol crate's): what a caller does about it, such as a CLI's exit status, a server's
/// answer, or whether to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// The input was refused: a token, a message or a peer's answer that is malformed, fails its
    /// checks or does not verify. Sending the same input again gives the same answer.
    Rejected,
    /// Our own side is wrong: a key that does not fit, a configuration or argument that is
    /// invalid, a file that cannot be read, a provider that failed.
    Local,
    /// The transport failed (connection, TLS, timeout): the same request may succeed later.
    Transport,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
