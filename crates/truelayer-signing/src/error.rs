//! The crate's one error type.

/// Everything that can go wrong while signing or verifying a TrueLayer request.
///
/// Messages say what was expected and what was found; they never contain key material, and
/// [`Error::BadSignature`] is deliberately opaque. Where jose-core refused something (a key, the
/// form of a `Tl-Signature`), its [`jose::Error`] is the variant's `source`, not part of the
/// variant's own message: print an error with [`jose::error::display_chain`] to see each cause
/// once. [`Error::is_rejection`] tells a verdict on the signature or the request (the other
/// side's problem) from a problem with the caller's own keys or arguments.
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
        /// jose-core's reason, when it refused the key.
        source: Option<jose::Error>,
    },
    /// The request given to sign or verify cannot be used as it is: a path that does not start
    /// with `/`, no method, an invalid or repeated header name, a header value with a line break.
    #[error("invalid request: expected {expected}, found {found}")]
    InvalidRequest {
        /// What was needed.
        expected: String,
        /// What was given.
        found: String,
        /// jose-core's reason, when it refused to sign the request.
        source: Option<jose::Error>,
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
        /// jose-core's reason, when it could not parse the signature.
        source: Option<jose::Error>,
    },
    /// The `Tl-Signature` is well-formed but not acceptable: an `alg` other than ES512, a
    /// `tl_version` other than "2" (or the legacy v1 without the caller's opt-in), a JOSE header
    /// jose-core refuses (an unknown `crit` parameter, for instance).
    #[error("unsupported Tl-Signature: expected {expected}, found {found}")]
    UnsupportedSignature {
        /// What is accepted.
        expected: String,
        /// What the signature has.
        found: String,
        /// jose-core's reason, when it refused the signature's header.
        source: Option<jose::Error>,
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
    /// No usable EC P-521 key has the signature's `kid`: none in the JWKS, or the one verifying
    /// key has another `kid`.
    #[error("no matching key: expected an EC P-521 key with kid {kid:?}, found {found}")]
    NoMatchingKey {
        /// The signature's `kid`.
        kid: String,
        /// What the JWKS holds for that kid, or that the key has another.
        found: String,
        /// jose-core's reason, when it found no key for the signature.
        source: Option<jose::Error>,
    },
    /// A webhook signature's `jku` is absent or not on the allow-list.
    #[error("jku not allowed: expected one of {allowed}, found {found}")]
    JkuNotAllowed {
        /// The allowed URLs.
        allowed: String,
        /// The `jku` found (quoted), or that there is none.
        found: String,
    },
    /// A webhook's `X-Tl-Webhook-Timestamp` was refused by the freshness check
    /// ([`Verifier::webhook_freshness`](crate::Verifier::webhook_freshness)): absent, not an
    /// RFC 3339 date-time, or further from our clock than the tolerance; `problem` says which.
    #[error("refused webhook timestamp: expected {expected}, found {found}")]
    WebhookTimestamp {
        /// Which check failed.
        problem: TimestampProblem,
        /// What was accepted.
        expected: String,
        /// What the request has (the timestamp quoted, and its age).
        found: String,
    },
    /// A request to sign does not sign an `Idempotency-Key` with a non-empty value, which
    /// TrueLayer's API requires of every signed request ("`tl_headers` ... must at least include
    /// Idempotency-Key"). A webhook, which has none, is signed with
    /// [`Signer::webhook`](crate::Signer::webhook).
    #[error(
        "missing Idempotency-Key: expected it among the signed headers with a non-empty value (TrueLayer's API requires it; only a webhook is signed without it), found {found}"
    )]
    MissingIdempotencyKey {
        /// What the signature would have signed instead.
        found: String,
    },
    /// The signature does not verify over the request (after the one trailing-slash retry).
    #[error("signature verification failed")]
    BadSignature,
    /// An external signer of this crate's [`ExternalSigner`](crate::ExternalSigner) failed (the
    /// signer makes this error itself), or the signature of a request could not be used as a
    /// header value.
    #[error("external signer: {0}")]
    Signer(String),
    /// Signing through an external signer (a KMS, an HSM) did not give a `Tl-Signature`: the
    /// signer failed ([`jose::Error::ExternalSigner`], the signer's own error below it) or
    /// returned something other than a raw 132-byte ES512 signature
    /// ([`jose::Error::ExternalSignature`]). jose-core's error is the source.
    #[error("cannot make the Tl-Signature")]
    ExternalSigning(#[source] jose::Error),
    /// The crypto provider failed for a reason unrelated to the input (e.g. its RNG); jose-core's
    /// error is the source.
    #[error("the crypto provider failed")]
    Provider(#[source] jose::Error),
}

/// Why a webhook's `X-Tl-Webhook-Timestamp` was refused ([`Error::WebhookTimestamp`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampProblem {
    /// The request has no `X-Tl-Webhook-Timestamp`.
    Missing,
    /// The value is not an RFC 3339 date-time.
    Malformed,
    /// The timestamp is older than the tolerance allows (perhaps a replay).
    Stale,
    /// The timestamp lies further ahead of our clock than the tolerance allows.
    Future,
}

/// What every key must be.
const ES512_KEY: &str = "an EC P-521 key usable for ES512";

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
                | Error::WebhookTimestamp { .. }
                | Error::BadSignature
        )
    }

    pub(crate) fn invalid_request(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Error::InvalidRequest {
            expected: expected.into(),
            found: found.into(),
            source: None,
        }
    }

    pub(crate) fn webhook_timestamp(
        problem: TimestampProblem,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Error::WebhookTimestamp {
            problem,
            expected: expected.into(),
            found: found.into(),
        }
    }

    pub(crate) fn invalid_key(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Error::InvalidKey {
            expected: expected.into(),
            found: found.into(),
            source: None,
        }
    }

    pub(crate) fn malformed(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Error::MalformedSignature {
            expected: expected.into(),
            found: found.into(),
            source: None,
        }
    }

    pub(crate) fn unsupported(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Error::UnsupportedSignature {
            expected: expected.into(),
            found: found.into(),
            source: None,
        }
    }

    /// A [`Error::MalformedSignature`] whose cause is `source`, which `found` must not repeat.
    pub(crate) fn malformed_by(
        expected: impl Into<String>,
        found: impl Into<String>,
        source: jose::Error,
    ) -> Self {
        Error::MalformedSignature {
            expected: expected.into(),
            found: found.into(),
            source: Some(source),
        }
    }

    /// An [`Error::UnsupportedSignature`] whose cause is `source`, which `found` must not repeat.
    pub(crate) fn unsupported_by(
        expected: impl Into<String>,
        found: impl Into<String>,
        source: jose::Error,
    ) -> Self {
        Error::UnsupportedSignature {
            expected: expected.into(),
            found: found.into(),
            source: Some(source),
        }
    }

    /// A jose error about a key (import, binding, use): [`Error::Provider`] for a provider
    /// failure, else [`Error::InvalidKey`] with the error as its source.
    pub(crate) fn key(err: jose::Error) -> Self {
        let found = match &err {
            jose::Error::Provider(_) => return Error::Provider(err),
            jose::Error::InvalidKey { .. } => "a key that does not fit",
            jose::Error::AlgorithmNotAllowed { .. } => "a key whose metadata forbids it",
            jose::Error::Malformed { .. }
            | jose::Error::LimitExceeded { .. }
            | jose::Error::DuplicateMember { .. } => "a key that does not parse",
            _ => "a key that cannot be used",
        };
        Error::InvalidKey {
            expected: ES512_KEY.into(),
            found: found.into(),
            source: Some(err),
        }
    }

    /// A jose error while parsing a `Tl-Signature` ([`jose::jws::Jws::from_compact`]).
    pub(crate) fn from_parsing(err: jose::Error) -> Self {
        match &err {
            jose::Error::Malformed { .. } => {
                Error::malformed_by("a detached compact JWS", "one that does not parse", err)
            }
            jose::Error::LimitExceeded { .. } => {
                Error::malformed_by("a detached compact JWS", "one over a size limit", err)
            }
            jose::Error::DuplicateMember { .. } => Error::malformed_by(
                "a JOSE header without duplicate members",
                "a member twice",
                err,
            ),
            jose::Error::InvalidHeader(_) => Error::unsupported_by(
                "a JOSE header TrueLayer's verifiers accept",
                "one that is refused",
                err,
            ),
            jose::Error::UnsupportedAlgorithm { .. } | jose::Error::AlgorithmNotAllowed { .. } => {
                Error::unsupported_by("alg \"ES512\"", "another alg", err)
            }
            jose::Error::InvalidKey { .. } => Error::key(err),
            jose::Error::Provider(_) => Error::Provider(err),
            _ => Error::malformed_by("a verifiable detached JWS", "one that is refused", err),
        }
    }

    /// A jose error while verifying a `Tl-Signature` whose `kid` is `kid`
    /// ([`jose::jws::Jws::verify_with`]). [`Error::BadSignature`] stays opaque.
    pub(crate) fn from_verification(err: jose::Error, kid: &str) -> Self {
        match err {
            jose::Error::BadSignature => Error::BadSignature,
            jose::Error::NoMatchingKey(_) => Error::NoMatchingKey {
                kid: crate::request::shorten(kid),
                found: "a verifying key with another kid".into(),
                source: Some(err),
            },
            other => Error::from_parsing(other),
        }
    }

    /// A jose error while signing through an external signer: [`Error::ExternalSigning`] for
    /// the signer's failure or its signature, else as [`Error::from_signing`].
    pub(crate) fn from_external_signing(err: jose::Error) -> Self {
        match err {
            jose::Error::ExternalSigner { .. } | jose::Error::ExternalSignature { .. } => {
                Error::ExternalSigning(err)
            }
            other => Error::from_signing(other),
        }
    }

    /// A jose error while signing.
    pub(crate) fn from_signing(err: jose::Error) -> Self {
        match &err {
            jose::Error::InvalidKey { .. }
            | jose::Error::AlgorithmNotAllowed { .. }
            | jose::Error::Provider(_) => Error::key(err),
            _ => Error::InvalidRequest {
                expected: "a request that can be signed".into(),
                found: "one the JWS builder refuses".into(),
                source: Some(err),
            },
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Es512SigningKey, Signer, Verifier};
    use jose::ErrorClass::{Local, Rejected};
    use jose::error::{display_chain, repeated_cause};
    use std::error::Error as _;

    /// `error` has a cause, and no message in its chain holds a cause below it
    /// ([`repeated_cause`]), so the line a caller prints ([`display_chain`]) holds each cause once.
    fn assert_each_cause_once(error: &(dyn std::error::Error + 'static)) {
        assert!(error.source().is_some(), "{error:?}: no source");
        let repeated = repeated_cause(error);
        assert!(
            repeated.is_none(),
            "the message repeats its cause {repeated:?}: {error}"
        );
        assert!(display_chain(error).starts_with(&error.to_string()));
    }

    /// A `Tl-Signature` with this JOSE header and a zero signature of the right length.
    fn with_header(json: &str) -> String {
        format!(
            "{}..{}",
            jose::b64::encode(json.as_bytes()),
            jose::b64::encode(&[0u8; crate::ES512_SIGNATURE_LEN])
        )
    }

    /// Real errors, from the public API, whose cause is jose-core's.
    fn caused_errors() -> Vec<Error> {
        let provider = jose::default_provider();
        let p256 =
            jose::PrivateKey::generate(jose::KeySpec::Ec(jose::EcCurve::P256), provider).unwrap();
        let p521 =
            jose::PrivateKey::generate(jose::KeySpec::Ec(jose::EcCurve::P521), provider).unwrap();
        let mut es256 = p521.to_jwk().unwrap();
        es256.alg = Some("ES256".into());
        let mut other_kid = p521.public_key().to_jwk().unwrap();
        other_kid.kid = Some("another-kid".into());
        let other_kid = jose::PublicKey::from_jwk(&other_kid, provider).unwrap();
        let signature = Signer::webhook("kid-1")
            .method("POST")
            .path("/p")
            .sign(&Es512SigningKey::from_private_key(p521).unwrap())
            .unwrap();
        let verify = |verifier: Verifier<'_>, signature: &str| {
            verifier
                .method("POST")
                .path("/p")
                .verify(signature)
                .unwrap_err()
        };
        let one_key = || Verifier::new(&other_kid).unwrap();
        vec![
            // A key that does not fit, one that does not parse, one whose metadata forbids ES512.
            Es512SigningKey::from_private_key(p256).unwrap_err(),
            Es512SigningKey::from_pem("not a key", provider).unwrap_err(),
            Es512SigningKey::from_jwk(&es256, provider).unwrap_err(),
            // Signatures jose-core cannot parse or refuses.
            verify(one_key(), "!!!..AAAA"),
            verify(
                one_key(),
                &with_header(r#"{"alg":"ES512","alg":"ES512","kid":"k"}"#),
            ),
            verify(
                one_key().limits(jose::Limits {
                    max_token_len: 10,
                    ..jose::Limits::default()
                }),
                &signature,
            ),
            verify(
                one_key(),
                &with_header(r#"{"alg":"ES512","kid":"k","tl_version":"2","b64":"no"}"#),
            ),
            verify(
                one_key(),
                &with_header(r#"{"alg":"ES512","kid":"k","tl_version":7}"#),
            ),
            // The one verifying key has another kid.
            verify(one_key(), &signature),
            // jose-core failing a signature or the provider: through the mappings.
            Error::from_signing(jose::Error::InvalidRequest("two signatures".into())),
            Error::key(jose::Error::Provider("the RNG failed".into())),
            // An external signer that fails, and one that answers in DER.
            Signer::webhook("kid-1")
                .method("POST")
                .path("/p")
                .sign_external(
                    &|_: jose::JwsAlgorithm, _: &[u8]| -> Result<Vec<u8>, jose::Error> {
                        Err(jose::Error::external_signer("the KMS answered 503"))
                    },
                )
                .unwrap_err(),
            Signer::webhook("kid-1")
                .method("POST")
                .path("/p")
                .prepare()
                .unwrap()
                .finish(&[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])
                .unwrap_err(),
        ]
    }

    /// Each cause of an error's chain appears once in the line a caller prints.
    #[test]
    fn each_cause_is_printed_once() {
        let errors = caused_errors();
        let variants: Vec<_> = errors.iter().map(std::mem::discriminant).collect();
        for expected in [
            Error::invalid_key("", ""),
            Error::invalid_request("", ""),
            Error::malformed("", ""),
            Error::unsupported("", ""),
            Error::Provider(jose::Error::Provider(String::new())),
            Error::ExternalSigning(jose::Error::external_signer("")),
        ] {
            let d = std::mem::discriminant(&expected);
            assert!(variants.contains(&d), "no caused {expected:?} tested");
        }
        for error in &errors {
            assert!(
                error.source().is_some_and(|s| s.is::<jose::Error>()),
                "{error:?}"
            );
            assert_each_cause_once(error);
        }
        // Without a cause, the line is the message.
        let plain = Error::invalid_key("a private JWK (with \"d\")", "a public JWK");
        assert!(plain.source().is_none());
        assert_eq!(display_chain(&plain), plain.to_string());
    }

    /// The check above fails on a message that writes its cause into itself.
    #[test]
    #[should_panic(expected = "the message repeats its cause")]
    fn a_message_holding_its_cause_fails_the_check() {
        #[derive(Debug, thiserror::Error)]
        #[error("invalid key: {0}")]
        struct Interpolating(#[source] jose::Error);
        assert_each_cause_once(&Interpolating(jose::Error::invalid_key("a", "b")));
    }

    /// A failed signature says nothing more than that, and has no cause to print.
    #[test]
    fn a_bad_signature_stays_opaque() {
        let mapped = Error::from_verification(jose::Error::BadSignature, "kid");
        assert_eq!(mapped, Error::BadSignature);
        assert!(mapped.source().is_none());
        assert_eq!(display_chain(&mapped), "signature verification failed");
    }

    /// The class of every variant, with or without a cause: the CLI's exit status depends on it.
    #[test]
    fn classes() {
        let cause = || Some(jose::Error::invalid_key("a", "b"));
        let text = String::new;
        let cases = [
            (Error::invalid_key("", ""), Local),
            (
                Error::InvalidKey {
                    expected: text(),
                    found: text(),
                    source: cause(),
                },
                Local,
            ),
            (Error::invalid_request("", ""), Local),
            (
                Error::InvalidRequest {
                    expected: text(),
                    found: text(),
                    source: cause(),
                },
                Local,
            ),
            (Error::Signer(text()), Local),
            (
                Error::ExternalSigning(jose::Error::external_signer("KMS down")),
                Local,
            ),
            (Error::Provider(jose::Error::Provider(text())), Local),
            (Error::malformed("", ""), Rejected),
            (
                Error::malformed_by("", "", jose::Error::BadSignature),
                Rejected,
            ),
            (Error::unsupported("", ""), Rejected),
            (
                Error::unsupported_by("", "", jose::Error::BadSignature),
                Rejected,
            ),
            (Error::MissingHeader { name: text() }, Rejected),
            (
                Error::UnsignedHeader {
                    name: text(),
                    signed: text(),
                },
                Rejected,
            ),
            (
                Error::AmbiguousHeader {
                    name: text(),
                    count: 2,
                },
                Rejected,
            ),
            (
                Error::NoMatchingKey {
                    kid: text(),
                    found: text(),
                    source: None,
                },
                Rejected,
            ),
            (
                Error::NoMatchingKey {
                    kid: text(),
                    found: text(),
                    source: Some(jose::Error::NoMatchingKey(text())),
                },
                Rejected,
            ),
            (
                Error::JkuNotAllowed {
                    allowed: text(),
                    found: text(),
                },
                Rejected,
            ),
            (
                Error::webhook_timestamp(TimestampProblem::Missing, "", ""),
                Rejected,
            ),
            (
                Error::webhook_timestamp(TimestampProblem::Malformed, "", ""),
                Rejected,
            ),
            (
                Error::webhook_timestamp(TimestampProblem::Stale, "", ""),
                Rejected,
            ),
            (
                Error::webhook_timestamp(TimestampProblem::Future, "", ""),
                Rejected,
            ),
            (Error::MissingIdempotencyKey { found: text() }, Local),
            (Error::BadSignature, Rejected),
        ];
        for (error, class) in cases {
            assert_eq!(error.class(), class, "{error:?}");
            assert_eq!(error.is_rejection(), class == Rejected, "{error:?}");
        }
        // The real errors keep the class of their variant.
        let classes: Vec<_> = caused_errors().iter().map(Error::class).collect();
        assert_eq!(
            classes,
            [
                Local, Local, Local, Rejected, Rejected, Rejected, Rejected, Rejected, Rejected,
                Local, Local, Local, Local
            ]
        );
    }
}
