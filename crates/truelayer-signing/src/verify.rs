//! Verifying a `Tl-Signature`, with TrueLayer's rules.

use crate::error::{Error, TimestampProblem};
use crate::header::{self, TlHeader};
use crate::request::{self, RequestParts, shorten};
use crate::timestamp::{WebhookFreshness, X_TL_WEBHOOK_TIMESTAMP};
use jose::jws::VerifyOptions;
use jose::{CryptoProvider, Jwks, JwsAlgorithm, Limits, PublicKey, VerifyingKey};
use std::borrow::Cow;

/// The name of the header that carries the signature.
pub const TL_SIGNATURE: &str = "Tl-Signature";
/// The request header that supplies `tl_version` when the JOSE header has none.
pub const TL_SIGNATURE_VERSION: &str = "Tl-Signature-Version";
/// The request header that supplies `tl_headers` when the JOSE header has none.
pub const TL_SIGNATURE_HEADERS: &str = "Tl-Signature-Headers";

/// Which form of signature verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlVersion {
    /// Legacy: the body only (accepted only with [`Verifier::allow_v1`]).
    V1,
    /// The whole request: method, path, signed headers, body.
    V2,
}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Verified {
    /// The JOSE header (now verified).
    pub header: TlHeader,
    /// The form that verified.
    pub version: TlVersion,
    /// The signed header names, in signing order, with the casing of `tl_headers` (empty for v1).
    pub signed_headers: Vec<String>,
    /// True when the signature verified only over the path with one trailing slash removed or
    /// added.
    pub path_retried: bool,
}

#[derive(Debug, Clone)]
enum Keys<'a> {
    One(VerifyingKey),
    Set {
        jwks: &'a Jwks,
        provider: &'a dyn CryptoProvider,
    },
}

/// Verifies a `Tl-Signature` against a request, with the rules of TrueLayer's own libraries:
///
/// - the value must be a detached compact JWS, `header..signature` (an attached payload is
///   refused), whose signature is exactly 132 bytes; `alg` must be `ES512` and `kid` present;
/// - `tl_version` must be `"2"`; the legacy v1 form (no `tl_version`, or `"1"`: the signature
///   covers the body only) is accepted only with [`Verifier::allow_v1`];
/// - if `tl_version` or `tl_headers` is missing from the JOSE header, it is read from the
///   `Tl-Signature-Version` / `Tl-Signature-Headers` request header, which must then itself be
///   listed in `tl_headers`;
/// - header names are matched ASCII case-insensitively, and the payload is rebuilt with the
///   casing listed in `tl_headers`, in its order; a listed header absent from the request is
///   [`Error::MissingHeader`], one present more than once [`Error::AmbiguousHeader`];
/// - every name given to [`Verifier::require_header`] must be listed in `tl_headers`;
/// - with [`Verifier::webhook_freshness`], the request's `X-Tl-Webhook-Timestamp` must be an
///   RFC 3339 date-time within the tolerance of the clock, and listed in `tl_headers`
///   ([`Error::WebhookTimestamp`] otherwise, checked before the signature);
/// - if the signature does not verify over the path as given, it is tried once more with one
///   trailing slash removed (or added), as TrueLayer's verifiers do: a signer that signed
///   `/payouts` for a request to `/payouts/` (or the reverse) is accepted.
///
/// What TrueLayer's verifiers accept is accepted: a signature without `Idempotency-Key` (a
/// webhook's) or over a path with a trailing slash verifies. Require a header with
/// [`Verifier::require_header`].
///
/// Verification itself is jose-core's: the JWS is parsed by [`jose::jws::Jws`] and verified over
/// the rebuilt (detached) payload with the key bound to ES512.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use jose_truelayer_signing::{Es512SigningKey, Signer, Verifier};
/// # let provider = jose::default_provider();
/// # let private = jose::PrivateKey::generate(jose::KeySpec::Ec(jose::EcCurve::P521), provider)?;
/// # let key = Es512SigningKey::from_private_key(private)?;
/// let sig = Signer::new("kid-1").method("POST").path("/v3/payouts")
///     .header("Idempotency-Key", "619410b3-b00c-406e-bb1b-2982f97edb8b")
///     .header("X-Request-Id", "r1").sign(&key)?;
///
/// Verifier::new(&key.public_key())?
///     .method("POST")
///     .path("/v3/payouts")
///     .header("x-request-id", "r1") // any casing, any order
///     .header("idempotency-key", "619410b3-b00c-406e-bb1b-2982f97edb8b")
///     .require_header("Idempotency-Key")
///     .verify(&sig)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Verifier<'a> {
    keys: Keys<'a>,
    request: RequestParts<'a>,
    required: Vec<&'a str>,
    allow_v1: bool,
    limits: Limits,
    freshness: Option<WebhookFreshness>,
}

impl<'a> Verifier<'a> {
    fn with_keys(keys: Keys<'a>) -> Self {
        Verifier {
            keys,
            request: RequestParts::default(),
            required: Vec::new(),
            allow_v1: false,
            limits: Limits::default(),
            freshness: None,
        }
    }

    /// Verifies with one public key (an EC P-521 key; [`Error::InvalidKey`] otherwise). A key
    /// with a `kid` only verifies signatures with that `kid`.
    pub fn new(key: &PublicKey) -> Result<Self, Error> {
        let key = VerifyingKey::new(key.clone(), JwsAlgorithm::Es512).map_err(Error::key)?;
        Ok(Self::with_keys(Keys::One(key)))
    }

    /// Verifies with a public key in PEM (`PUBLIC KEY`, SPKI), as TrueLayer's console and docs
    /// give it.
    pub fn from_pem(pem: &str, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        Self::new(&PublicKey::from_pem(pem, provider).map_err(Error::key)?)
    }

    /// Verifies with a JWKS (TrueLayer's webhook keys): the key is chosen by the signature's
    /// `kid` among the `EC` `P-521` keys, keys of other types being skipped, and coordinates
    /// shorter than 66 bytes are left-padded ([`jose::Jwk::pad_ec_coordinates`]), as TrueLayer
    /// publishes some that way.
    pub fn from_jwks(jwks: &'a Jwks, provider: &'a dyn CryptoProvider) -> Self {
        Self::with_keys(Keys::Set { jwks, provider })
    }

    request::request_setters! {
        'a;
        /// A request header. Give every header the request has (or at least the signed ones), in
        /// any order and casing; headers the signature does not list are ignored.
    }

    /// A header that the signature must cover (e.g. `Idempotency-Key`); repeatable.
    pub fn require_header(mut self, name: &'a str) -> Self {
        self.required.push(name);
        self
    }

    /// Also accept the legacy v1 form, which signs the body only (off by default).
    pub fn allow_v1(mut self, allow: bool) -> Self {
        self.allow_v1 = allow;
        self
    }

    /// Checks that a webhook is fresh (off by default): the request's `X-Tl-Webhook-Timestamp`
    /// must be present, an RFC 3339 date-time, no further from the clock than
    /// `freshness`'s tolerance (5 minutes by default, either side), and signed (listed in
    /// `tl_headers`, as [`require_header`](Self::require_header) would check). A timestamp that is
    /// missing, malformed, stale or ahead is [`Error::WebhookTimestamp`]; a signature that does
    /// not list it is [`Error::UnsignedHeader`].
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use jose_truelayer_signing::{Error, Es512SigningKey, Signer, Verifier, WebhookFreshness};
    /// use std::time::{Duration, SystemTime};
    /// # let provider = jose::default_provider();
    /// # let private = jose::PrivateKey::generate(jose::KeySpec::Ec(jose::EcCurve::P521), provider)?;
    /// # let key = Es512SigningKey::from_private_key(private)?;
    /// let sent = "2026-01-01T00:00:00Z"; // 1767225600 s after the epoch
    /// let sig = Signer::webhook("kid-1").method("POST").path("/hook")
    ///     .header("X-Tl-Webhook-Timestamp", sent).sign(&key)?;
    /// let at = |secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    /// let verify = |now| {
    ///     Verifier::new(&key.public_key())?
    ///         .method("POST")
    ///         .path("/hook")
    ///         .header("X-Tl-Webhook-Timestamp", sent)
    ///         .webhook_freshness(WebhookFreshness::default().as_of(now))
    ///         .verify(&sig)
    /// };
    /// assert!(verify(at(1_767_225_600 + 60)).is_ok());
    /// assert!(matches!(verify(at(1_767_225_600 + 600)), Err(Error::WebhookTimestamp { .. })));
    /// # Ok(()) }
    /// ```
    pub fn webhook_freshness(mut self, freshness: WebhookFreshness) -> Self {
        self.freshness = Some(freshness);
        self
    }

    /// Size limits for parsing the `Tl-Signature` (jose-core's defaults otherwise).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Takes method, path (without the query), every header and the body from `request`.
    pub fn http_request<B: AsRef<[u8]>>(mut self, request: &'a http::Request<B>) -> Self {
        self.request = RequestParts::from_http(request);
        self
    }

    /// Verifies `tl_signature` over the request described by this verifier.
    pub fn verify(&self, tl_signature: &str) -> Result<Verified, Error> {
        self.verify_parts(&self.request, tl_signature)
    }

    /// Verifies `request` by its own `Tl-Signature` header, using its method, path (without the
    /// query), headers and body (whatever this verifier was given for them is ignored). A request
    /// without a `Tl-Signature` is [`Error::MissingHeader`].
    pub fn verify_request<B: AsRef<[u8]>>(
        &self,
        request: &http::Request<B>,
    ) -> Result<Verified, Error> {
        let parts = RequestParts::from_http(request);
        let value = parts
            .find(TL_SIGNATURE)?
            .ok_or_else(|| Error::MissingHeader {
                name: TL_SIGNATURE.to_owned(),
            })?;
        let tl_signature = std::str::from_utf8(value).map_err(|_| {
            Error::malformed("a Tl-Signature header of ASCII text", "non-UTF-8 bytes")
        })?;
        self.verify_parts(&parts, tl_signature)
    }

    fn verify_parts(&self, req: &RequestParts<'_>, tl_signature: &str) -> Result<Verified, Error> {
        let parsed = header::parse(tl_signature, &self.limits)?;
        let tl = &parsed.header;
        if tl.alg != "ES512" {
            return Err(Error::unsupported(
                "alg \"ES512\"",
                format!("{:?}", shorten(&tl.alg)),
            ));
        }
        parsed.check_signature_len()?;
        const NO_B64: &str =
            "a JOSE header without \"b64\":false (TrueLayer signs the base64url payload)";
        match tl.header.b64() {
            Ok(None | Some(true)) => {}
            Ok(Some(false)) => return Err(Error::unsupported(NO_B64, "\"b64\" set")),
            Err(e) => {
                return Err(Error::unsupported_by(
                    NO_B64,
                    "a \"b64\" of another type",
                    e,
                ));
            }
        }
        let method = req.method()?;
        req.check_path()?;
        let mut required: Vec<&str> = self.required.clone();
        if let Some(freshness) = &self.freshness {
            let timestamp = req.find(X_TL_WEBHOOK_TIMESTAMP)?.ok_or_else(|| {
                Error::webhook_timestamp(
                    TimestampProblem::Missing,
                    format!(
                        "an {X_TL_WEBHOOK_TIMESTAMP} header (RFC 3339, e.g. 2020-05-18T10:17:47Z)"
                    ),
                    "none",
                )
            })?;
            freshness.check(timestamp)?;
            required.push(X_TL_WEBHOOK_TIMESTAMP);
        }

        // tl_version: the JOSE header's, else the Tl-Signature-Version request header's (which
        // must then be signed).
        let version = match tl.tl_version.as_deref() {
            Some(v) => Some(v),
            None => match req.find(TL_SIGNATURE_VERSION)? {
                Some(v) => {
                    required.push(TL_SIGNATURE_VERSION);
                    Some(std::str::from_utf8(v).map_err(|_| {
                        Error::malformed(
                            "a Tl-Signature-Version header of ASCII text",
                            "non-UTF-8 bytes",
                        )
                    })?)
                }
                None => None,
            },
        };
        let keys = self.keys_for(&tl.kid)?;
        let keys: &[VerifyingKey] = &keys;
        match version {
            Some("2") => {}
            None | Some("1") if self.allow_v1 => {
                return self.verify_v1(&parsed, keys, req, &required);
            }
            None | Some("1") => {
                return Err(Error::unsupported(
                    "tl_version \"2\" (the legacy v1 body-only form needs allow_v1)",
                    match version {
                        None => "no tl_version (v1)".to_owned(),
                        Some(v) => format!("tl_version {v:?}"),
                    },
                ));
            }
            Some(other) => {
                return Err(Error::unsupported(
                    "tl_version \"2\"",
                    format!("tl_version {:?}", shorten(other)),
                ));
            }
        }

        // tl_headers: the JOSE header's, else the Tl-Signature-Headers request header's (which
        // must then be signed).
        let list: &str = match tl.tl_headers.as_deref() {
            Some(list) => list,
            None => match req.find(TL_SIGNATURE_HEADERS)? {
                Some(v) => {
                    required.push(TL_SIGNATURE_HEADERS);
                    std::str::from_utf8(v).map_err(|_| {
                        Error::malformed(
                            "a Tl-Signature-Headers header of ASCII text",
                            "non-UTF-8 bytes",
                        )
                    })?
                }
                None => {
                    return Err(Error::malformed(
                        "tl_headers in the JOSE header or a Tl-Signature-Headers request header",
                        "neither",
                    ));
                }
            },
        };
        let names = request::split_tl_headers(list);
        let mut signed: Vec<(&str, &[u8])> = Vec::with_capacity(names.len());
        for name in &names {
            let value = req.find(name)?.ok_or_else(|| Error::MissingHeader {
                name: (*name).to_owned(),
            })?;
            signed.push((name, value));
        }
        if let Some(name) = required
            .iter()
            .find(|r| !names.iter().any(|n| n.eq_ignore_ascii_case(r)))
        {
            return Err(Error::UnsignedHeader {
                name: (*name).to_owned(),
                signed: list.to_owned(),
            });
        }

        let options = VerifyOptions::default();
        let payload = request::v2_payload(method, req.path, &signed, req.body);
        let first = match parsed.jws.verify_with(keys, Some(&payload), &options) {
            Ok(_) => return Ok(self.verified(&parsed, TlVersion::V2, &names, false)),
            Err(e) => Error::from_verification(e, &tl.kid),
        };
        if first != Error::BadSignature {
            return Err(first);
        }
        // One retry with a trailing slash removed or added, as TrueLayer's verifiers do.
        let other_path = request::toggle_trailing_slash(req.path);
        let payload = request::v2_payload(method, &other_path, &signed, req.body);
        match parsed.jws.verify_with(keys, Some(&payload), &options) {
            Ok(_) => Ok(self.verified(&parsed, TlVersion::V2, &names, true)),
            Err(_) => Err(first),
        }
    }

    fn verify_v1(
        &self,
        parsed: &header::Parsed,
        keys: &[VerifyingKey],
        req: &RequestParts<'_>,
        required: &[&str],
    ) -> Result<Verified, Error> {
        // v1 signs the body only: no header can be required of it.
        if let Some(name) = required.first() {
            return Err(Error::UnsignedHeader {
                name: (*name).to_owned(),
                signed: "nothing (a v1 signature covers the body only)".to_owned(),
            });
        }
        parsed
            .jws
            .verify_with(keys, Some(req.body), &VerifyOptions::default())
            .map_err(|e| Error::from_verification(e, &parsed.header.kid))?;
        Ok(self.verified(parsed, TlVersion::V1, &[], false))
    }

    fn verified(
        &self,
        parsed: &header::Parsed,
        version: TlVersion,
        names: &[&str],
        path_retried: bool,
    ) -> Verified {
        Verified {
            header: parsed.header.clone(),
            version,
            signed_headers: names.iter().map(|n| (*n).to_owned()).collect(),
            path_retried,
        }
    }

    /// The keys that may verify a signature with `kid`: the one key where it is (no clone per
    /// request), or those a JWKS yields.
    fn keys_for(&self, kid: &str) -> Result<Cow<'_, [VerifyingKey]>, Error> {
        match &self.keys {
            Keys::One(key) => Ok(Cow::Borrowed(std::slice::from_ref(key))),
            Keys::Set { jwks, provider } => select_jwk(jwks, kid, *provider).map(Cow::Owned),
        }
    }
}

/// The EC P-521 keys of `jwks` with `kid`, coordinates left-padded, bound to ES512. Keys of other
/// types or curves are skipped.
fn select_jwk(
    jwks: &Jwks,
    kid: &str,
    provider: &dyn CryptoProvider,
) -> Result<Vec<VerifyingKey>, Error> {
    let mut keys = Vec::new();
    let mut first_error = None;
    let mut skipped = 0usize;
    for jwk in jwks.find(kid) {
        if jwk.kty != "EC" || jwk.crv.as_deref() != Some("P-521") {
            skipped = skipped.saturating_add(1);
            continue;
        }
        let mut jwk = jwk.to_public();
        jwk.pad_ec_coordinates();
        match PublicKey::from_jwk(&jwk, provider)
            .and_then(|k| VerifyingKey::new(k, JwsAlgorithm::Es512))
        {
            Ok(k) => keys.push(k),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if !keys.is_empty() {
        return Ok(keys);
    }
    if let Some(e) = first_error {
        return Err(Error::key(e));
    }
    Err(Error::NoMatchingKey {
        kid: shorten(kid),
        found: if skipped > 0 {
            format!("{skipped} key(s) with that kid in the JWKS, none EC P-521")
        } else {
            format!(
                "no key with that kid among the {} key(s) of the JWKS",
                jwks.len()
            )
        },
        source: None,
    })
}
