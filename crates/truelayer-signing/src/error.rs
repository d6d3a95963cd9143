//! The crate's one error type.

/// Everything that can go wrong while signing or verifying a TrueLayer request.
///
/// Messages say what was expected and what was found; they never contain key material.
/// [`Error::is_rejection`] tells a verdict on the signature or the request (the other side's
/// problem) from a problem with the caller's own keys or arguments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key that cannot be used: not EC P-521, malformed PEM or JWK, a key whose metadata forbids
    /// ES512 signatures.
    #[error("invalid key: expected {expected}, found {found}")]
    InvalidKey {
        /// What was needed.
        expected: String,
        /// What the key is (never key material).
        found: String,
    },
    /// The request given to sign or verify cannot be used as it is: a path that does not start
    /// with `/`, no method, an invalid or repeated header name, a header value with a line break.
    #[error("invalid request: expected {expected}, found {found}")]
    InvalidRequest {
        /// What was needed.
        expected: String,
        /// What was given.
        found: String,
    },
    /// The `Tl-Signature` value is not a well-formed detached JWS as TrueLayer signs them: not
    /// `header..signature`, an attached payload, bad base64url or JSON, a missing `kid`, a
    /// signature that is not exactly 132 bytes.
    #[error("malformed Tl-Signature: expected {expected}, found {found}")]
    MalformedSignature {
        /// What a valid signature has.
        expected: String,
        /// What this one has.
        found: String,
    },
    /// The `Tl-Signature` is well-formed but not acceptable: an `alg` other than ES512, a
    /// `tl_version` other than "2" (or the legacy v1 without the caller's opt-in).
    #[error("unsupported Tl-Signature: expected {expected}, found {found}")]
    UnsupportedSignature {
        /// What is accepted.
        expected: String,
        /// What the signature has.
        found: String,
    },
    /// A header listed in the signature's `tl_headers` is absent from the request.
    #[error(
        "missing header: expected the request to carry {name:?} (listed in the signature's tl_headers), found it absent"
    )]
    MissingHeader {
        /// The header name as listed in `tl_headers`.
        name: String,
    },
    /// A header that must be signed (named with `require_header`, or a `Tl-Signature-Version` /
    /// `Tl-Signature-Headers` request header that supplied the signature's parameters) is not
    /// listed in the signature's `tl_headers`.
    #[error("unsigned header: expected tl_headers to list {name:?}, found {signed:?}")]
    UnsignedHeader {
        /// The header that must be signed.
        name: String,
        /// The signature's `tl_headers` list.
        signed: String,
    },
    /// A signed header appears more than once in the request, so which value was signed is
    /// ambiguous.
    #[error("ambiguous header: expected {name:?} once in the request, found it {count} times")]
    AmbiguousHeader {
        /// The header name.
        name: String,
        /// How many times it appears.
        count: usize,
    },
    /// The JWKS has no usable EC P-521 key with the signature's `kid`.
    #[error(
        "no matching key: expected an EC P-521 key with kid {kid:?} in the JWKS, found {found}"
    )]
    NoMatchingKey {
        /// The signature's `kid`.
        kid: String,
        /// What the JWKS holds for that kid.
        found: String,
    },
    /// A webhook signature's `jku` is absent or not on the allow-list.
    #[error("jku not allowed: expected one of {allowed}, found {found}")]
    JkuNotAllowed {
        /// The allowed URLs.
        allowed: String,
        /// The `jku` found (quoted), or that there is none.
        found: String,
    },
    /// The signature does not verify over the request (after the one trailing-slash retry).
    #[error("signature verification failed")]
    BadSignature,
    /// An external signer (a KMS, an HSM) failed or returned something other than a raw
    /// 132-byte ES512 signature.
    #[error("external signer: {0}")]
    Signer(String),
    /// The crypto provider failed for a reason unrelated to the input (e.g. its RNG).
    #[error("crypto provider failure: {0}")]
    Provider(String),
}

impl Error {
    /// True when the error is a verdict on the signature or the request being verified (exit
    /// status 1 in the CLI); false for a problem with the caller's keys or arguments, an external
    /// signer or the provider.
    pub fn is_rejection(&self) -> bool {
        self.class() == jose::ErrorClass::Rejected
    }

    /// Whose problem this is (see [`jose::ErrorClass`]): a verdict on the signature or the
    /// request being verified is [`Rejected`](jose::ErrorClass::Rejected); a key, a request we
    /// were asked to sign, an external signer or the provider is
    /// [`Local`](jose::ErrorClass::Local).
    pub fn class(&self) -> jose::ErrorClass {
        if self.is_verdict() {
            jose::ErrorClass::Rejected
        } else {
            jose::ErrorClass::Local
        }
    }

    fn is_verdict(&self) -> bool {
        matches!(
            self,
            Error::MalformedSignature { .. }
                | Error::UnsupportedSignature { .. }
                | Error::MissingHeader { .. }
                | Error::UnsignedHeader { .. }
                | Error::AmbiguousHeader { .. }
                | Error::NoMatchingKey { .. }
                | Error::JkuNotAllowed { .. }
                | Error::BadSignature
        )
    }

    pub(crate) fn invalid_request(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Error::InvalidRequest {
            expected: expected.into(),
            found: found.into(),
        }
    }

    pub(crate) fn malformed(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Error::MalformedSignature {
            expected: expected.into(),
            found: found.into(),
        }
    }

    pub(crate) fn unsupported(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Error::UnsupportedSignature {
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// A jose error about a key (import, binding).
    pub(crate) fn key(err: jose::Error) -> Self {
        match err {
            jose::Error::InvalidKey { expected, found } => Error::InvalidKey { expected, found },
            jose::Error::Provider(p) => Error::Provider(p),
            other => Error::InvalidKey {
                expected: "an EC P-521 key usable for ES512".into(),
                found: other.to_string(),
            },
        }
    }

    /// A jose error while parsing or verifying a `Tl-Signature`.
    pub(crate) fn from_verification(err: jose::Error) -> Self {
        match err {
            jose::Error::BadSignature => Error::BadSignature,
            jose::Error::Malformed {
                what,
                expected,
                found,
            } => Error::malformed(format!("{what}: {expected}"), found),
            jose::Error::LimitExceeded { what, limit, found } => Error::malformed(
                format!("{what} of at most {limit} bytes"),
                format!("{found} bytes"),
            ),
            jose::Error::DuplicateMember { name, location } => Error::malformed(
                format!("a {location} without duplicate members"),
                format!("{name:?} twice"),
            ),
            jose::Error::InvalidHeader(msg) => {
                Error::unsupported("a JOSE header TrueLayer's verifiers accept", msg)
            }
            jose::Error::UnsupportedAlgorithm { found, .. }
            | jose::Error::AlgorithmNotAllowed { found, .. } => {
                Error::unsupported("alg \"ES512\"", format!("{found:?}"))
            }
            jose::Error::NoMatchingKey(msg) => Error::NoMatchingKey {
                kid: String::new(),
                found: msg,
            },
            jose::Error::InvalidKey { expected, found } => Error::InvalidKey { expected, found },
            jose::Error::Provider(p) => Error::Provider(p),
            other => Error::malformed("a verifiable detached JWS", other.to_string()),
        }
    }

    /// A jose error while signing.
    pub(crate) fn from_signing(err: jose::Error) -> Self {
        match err {
            jose::Error::InvalidKey { expected, found } => Error::InvalidKey { expected, found },
            jose::Error::AlgorithmNotAllowed { found, allowed } => Error::InvalidKey {
                expected: format!("a key allowing {found}"),
                found: format!("a key allowing {allowed}"),
            },
            jose::Error::Provider(p) => Error::Provider(p),
            other => Error::invalid_request("a request that can be signed", other.to_string()),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
