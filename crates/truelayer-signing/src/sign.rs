//! Producing a `Tl-Signature`.

use crate::error::Error;
use crate::key::{Es512SigningKey, ExternalSigner};
use crate::request::{self, RequestParts, shorten};
use jose::jws::{AsyncExternalSigner, ExternalKey, Jws, JwsBuilder, PreparedJws};
use jose::{CryptoProvider, EcCurve, Header, JwsAlgorithm, KeyKind};
use std::future::Future;

/// Builds the `Tl-Signature` value for one request (v2: method, path, chosen headers and body).
///
/// The JOSE header is `{"alg":"ES512","kid":..,"tl_version":"2","tl_headers":..}` (then `jku`
/// when set), compact, in that order, as TrueLayer's own libraries emit it. The signing payload is
/// `METHOD path\n`, then `Name: value\n` for each header in the order given (with the casing
/// given), then the body; the result is the detached JWS `header..signature`.
///
/// Nothing is checked until [`Signer::sign`] (or `sign_with`, `prepare`), which returns
/// [`Error::InvalidRequest`] for a missing method, a path that does not start with `/`, ends with
/// `/` (other than the root path `/`) or has spaces or control characters, a header name that is
/// not an HTTP token or is given twice, or a header value with CR, LF or NUL.
///
/// Two rules of TrueLayer's document, which TrueLayer's own signers leave to the caller, are
/// enforced:
///
/// - `tl_headers` "must at least include Idempotency-Key": a signer from [`Signer::new`] refuses
///   a request that does not sign a non-empty `Idempotency-Key` ([`Error::MissingIdempotencyKey`]).
///   A webhook has no `Idempotency-Key`: sign it with [`Signer::webhook`].
/// - the payload has "the absolute path (without trailing slashes)": a path ending with `/` is
///   refused rather than signed (`/payouts/` is [`Error::InvalidRequest`]; sign `/payouts`, which
///   TrueLayer's verifiers, and [`Verifier`](crate::Verifier), also accept on a request to
///   `/payouts/` by their one retry with the slash toggled). The root path `/` is signed as it is.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use jose_truelayer_signing::{Es512SigningKey, Signer};
/// # let provider = jose::default_provider();
/// # let pem = jose::PrivateKey::generate(jose::KeySpec::Ec(jose::EcCurve::P521), provider)?
/// #     .to_pkcs8_pem()?;
/// let key = Es512SigningKey::from_pem(&pem, provider)?;
/// let tl_signature = Signer::new("9f2b7bd6-c055-40b5-b616-120ccfd33c49")
///     .method("post")
///     .path("/payouts")
///     .header("Idempotency-Key", "619410b3-b00c-406e-bb1b-2982f97edb8b")
///     .body(br#"{"currency":"GBP","amount_in_minor":100}"#)
///     .sign(&key)?;
/// assert!(tl_signature.contains(".."));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Signer<'a> {
    kid: &'a str,
    request: RequestParts<'a>,
    jku: Option<&'a str>,
    idempotency_key_required: bool,
    deferred: Option<Error>,
}

/// The JWS signing input of a prepared request, for a signer that is driven by hand (see
/// [`Signer::prepare`]): jose-core's [`PreparedJws`] for the request's detached ES512 JWS.
///
/// Two are equal when their signing inputs are (the header is part of it).
#[derive(Debug, Clone)]
pub struct SigningInput {
    prepared: PreparedJws,
}

impl PartialEq for SigningInput {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for SigningInput {}

impl SigningInput {
    /// The bytes to sign with ES512: `BASE64URL(header) '.' BASE64URL(payload)`.
    pub fn as_bytes(&self) -> &[u8] {
        self.prepared.signing_input()
    }

    /// The encoded JOSE header.
    pub fn header_b64(&self) -> &str {
        self.prepared.protected_b64()
    }

    /// The SHA-512 digest of [`SigningInput::as_bytes`], computed by `provider`, for a KMS that
    /// signs digests (the P-521 signature over it is the same ES512 signature).
    pub fn digest(&self, provider: &dyn CryptoProvider) -> Result<Vec<u8>, Error> {
        self.prepared.digest(provider).map_err(Error::Provider)
    }

    /// The `Tl-Signature` value for a raw r || s signature over [`SigningInput::as_bytes`]; the
    /// signature must be exactly 132 bytes with non-zero r and s ([`Error::ExternalSigning`]
    /// otherwise; a DER signature is converted with [`jose::ecdsa_der_to_raw`] first).
    pub fn finish(&self, signature: &[u8]) -> Result<String, Error> {
        tl_signature(self.prepared.clone().finish(signature))
    }

    /// jose-core's prepared JWS, for what this type does not offer (its
    /// [`sign_with`](PreparedJws::sign_with) and [`sign_with_async`](PreparedJws::sign_with_async)
    /// take jose-core's signers).
    pub fn into_prepared(self) -> PreparedJws {
        self.prepared
    }
}

/// The name TrueLayer's document requires in `tl_headers`.
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Checks that the headers to sign (already checked: distinct names) include a non-empty
/// `Idempotency-Key`, matched ASCII case-insensitively.
fn check_idempotency_key(headers: &[(&str, &[u8])]) -> Result<(), Error> {
    let found = match headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(IDEMPOTENCY_KEY))
    {
        Some((_, value)) if !value.is_empty() => return Ok(()),
        Some((name, _)) => format!("an empty {:?} value", shorten(name)),
        None if headers.is_empty() => "no signed headers (tl_headers \"\")".to_owned(),
        None => {
            let names: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
            format!("tl_headers {:?}", shorten(&names.join(",")))
        }
    };
    Err(Error::MissingIdempotencyKey { found })
}

/// The key a `Tl-Signature` is made with, as jose-core's external signing sees it: ES512 on P-521
/// (its `kid` travels in the header members).
fn es512_external_key() -> Result<ExternalKey, Error> {
    ExternalKey::new(JwsAlgorithm::Es512, KeyKind::Ec(EcCurve::P521)).map_err(Error::from_signing)
}

/// The `Tl-Signature` value of a signed detached JWS (`header..signature`), or the error of the
/// external signing that was to make it.
fn tl_signature(jws: Result<Jws, jose::Error>) -> Result<String, Error> {
    jws.and_then(|jws| jws.to_compact())
        .map_err(Error::from_external_signing)
}

impl<'a> Signer<'a> {
    /// Starts a signature of a request to TrueLayer's API by the key with id `kid` (the id
    /// TrueLayer's console shows for the uploaded public key). The request must sign a non-empty
    /// `Idempotency-Key` ([`Error::MissingIdempotencyKey`] otherwise).
    pub fn new(kid: &'a str) -> Self {
        Signer {
            kid,
            request: RequestParts::default(),
            jku: None,
            idempotency_key_required: true,
            deferred: None,
        }
    }

    /// Starts a webhook signature, as TrueLayer signs the webhooks it sends (a service that
    /// forwards webhooks, or a test of a webhook endpoint, signs this way): a webhook carries no
    /// `Idempotency-Key`, so none is required. TrueLayer's webhooks sign
    /// `X-Tl-Webhook-Timestamp` (which a verifier checking freshness requires) and `Content-Type`,
    /// and name their JWKS with [`jku`](Self::jku). Every other rule of [`Signer::new`] applies.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use jose_truelayer_signing::{Es512SigningKey, Signer, TRUELAYER_JKU_SANDBOX};
    /// # let provider = jose::default_provider();
    /// # let private = jose::PrivateKey::generate(jose::KeySpec::Ec(jose::EcCurve::P521), provider)?;
    /// # let key = Es512SigningKey::from_private_key(private)?;
    /// let tl_signature = Signer::webhook("kid-1")
    ///     .method("POST")
    ///     .path("/hooks/truelayer")
    ///     .header("X-Tl-Webhook-Timestamp", "2026-01-01T00:00:00Z")
    ///     .header("Content-Type", "application/json")
    ///     .body(br#"{"type":"payout_executed"}"#)
    ///     .jku(TRUELAYER_JKU_SANDBOX)
    ///     .sign(&key)?;
    /// # let _ = tl_signature;
    /// # Ok(()) }
    /// ```
    pub fn webhook(kid: &'a str) -> Self {
        Signer {
            idempotency_key_required: false,
            ..Self::new(kid)
        }
    }

    request::request_setters! {
        'a;
        /// A header to sign; headers are signed in the order they are added, with the casing
        /// given.
    }

    /// A `jku` (JWKS URL) for the header, as TrueLayer sets on webhooks.
    pub fn jku(mut self, jku: &'a str) -> Self {
        self.jku = Some(jku);
        self
    }

    /// Takes the method, the path (without the query) and the body of `request`, and signs the
    /// headers named in `signed_headers`, in that order and with that casing, with their values
    /// in `request`. A named header that is absent from the request is [`Error::MissingHeader`],
    /// one that appears more than once [`Error::AmbiguousHeader`] (reported when signing).
    pub fn http_request<B: AsRef<[u8]>>(
        mut self,
        request: &'a http::Request<B>,
        signed_headers: &[&'a str],
    ) -> Self {
        let all = RequestParts::from_http(request);
        self.request.method = all.method.clone();
        self.request.path = all.path;
        self.request.body = all.body;
        self.request.headers.clear();
        for name in signed_headers {
            match all.find(name) {
                Ok(Some(value)) => self.request.headers.push((name, value)),
                Ok(None) => {
                    self.deferred.get_or_insert(Error::MissingHeader {
                        name: (*name).to_owned(),
                    });
                }
                Err(e) => {
                    self.deferred.get_or_insert(e);
                }
            }
        }
        self
    }

    /// The protected header members after `alg`: `kid`, `tl_version`, `tl_headers`, `jku`.
    fn members(&self) -> Result<Header, Error> {
        if let Some(e) = &self.deferred {
            return Err(e.clone());
        }
        if self.kid.is_empty() {
            return Err(Error::invalid_request("a non-empty key id (kid)", "\"\""));
        }
        let method = self.request.method()?;
        request::check_method(method)?;
        request::check_path_to_sign(self.request.path)?;
        request::check_headers_to_sign(&self.request.headers)?;
        if self.idempotency_key_required {
            check_idempotency_key(&self.request.headers)?;
        }
        let names: Vec<&str> = self.request.headers.iter().map(|(n, _)| *n).collect();
        let mut h = Header::new();
        h.set("kid", self.kid)
            .set("tl_version", "2")
            .set("tl_headers", names.join(","));
        if let Some(jku) = self.jku {
            if jku.is_empty() {
                return Err(Error::invalid_request(
                    "a non-empty jku URL",
                    format!("{:?}", shorten(jku)),
                ));
            }
            h.set("jku", jku);
        }
        Ok(h)
    }

    fn payload(&self) -> Result<Vec<u8>, Error> {
        Ok(request::v2_payload(
            self.request.method()?,
            self.request.path,
            &self.request.headers,
            self.request.body,
        ))
    }

    /// Signs with an in-process key; returns the `Tl-Signature` value.
    pub fn sign(&self, key: &Es512SigningKey) -> Result<String, Error> {
        let members = self.members()?;
        let payload = self.payload()?;
        JwsBuilder::new(&payload)
            .detached(true)
            .signer_with(key.signing_key(), members, None)
            .sign()
            .and_then(|jws| jws.to_compact())
            .map_err(Error::from_signing)
    }

    /// Checks the request and returns what must be signed, for a signer driven by hand: sign
    /// [`SigningInput::as_bytes`] (or its [`SigningInput::digest`]) with ES512 anywhere, then call
    /// [`SigningInput::finish`]. The header and the signing input are jose-core's
    /// ([`JwsBuilder::prepare_with`]), byte for byte what [`Signer::sign`] signs.
    pub fn prepare(&self) -> Result<SigningInput, Error> {
        let members = self.members()?;
        let payload = self.payload()?;
        let prepared = JwsBuilder::new(&payload)
            .detached(true)
            .prepare_with(&es512_external_key()?, members, None)
            .map_err(Error::from_signing)?;
        Ok(SigningInput { prepared })
    }

    /// Signs through an external signer (a KMS, an HSM) of this crate's [`ExternalSigner`], which
    /// returns the raw 132-byte signature; its errors come back as they are.
    pub fn sign_with<S: ExternalSigner + ?Sized>(&self, signer: &S) -> Result<String, Error> {
        let prepared = self.prepare()?;
        let signature = signer.sign_es512(prepared.as_bytes())?;
        prepared.finish(&signature)
    }

    /// Signs through jose-core's [`ExternalSigner`](jose::jws::ExternalSigner) (asked for ES512):
    /// the same KMS client serves any protocol built on jose-core. Its failure, or a signature
    /// that is not a raw 132-byte r || s, is [`Error::ExternalSigning`].
    ///
    /// ```
    /// use jose::JwsAlgorithm;
    /// use jose_truelayer_signing::{Error, Signer};
    ///
    /// let kms = |_: JwsAlgorithm, _: &[u8]| -> Result<Vec<u8>, jose::Error> {
    ///     Err(jose::Error::external_signer("the KMS answered 503"))
    /// };
    /// let signer = Signer::new("kid-1")
    ///     .method("POST")
    ///     .path("/payouts")
    ///     .header("Idempotency-Key", "619410b3-b00c-406e-bb1b-2982f97edb8b");
    /// let err = signer.sign_external(&kms).unwrap_err();
    /// assert!(matches!(err, Error::ExternalSigning(_)));
    /// assert_eq!(
    ///     jose::error::display_chain(&err),
    ///     "cannot make the Tl-Signature: the external signer failed: the KMS answered 503"
    /// );
    /// ```
    pub fn sign_external(&self, signer: &dyn jose::jws::ExternalSigner) -> Result<String, Error> {
        tl_signature(self.prepare()?.prepared.sign_with(signer))
    }

    /// Signs through an asynchronous external signer: jose-core's [`AsyncExternalSigner`]
    /// (re-exported by this crate), asked for ES512. Its failure, or a signature that is not a
    /// raw 132-byte r || s, is [`Error::ExternalSigning`].
    ///
    /// The request is checked and the signing input built at once; the future borrows only the
    /// signer, is `Send`, and needs no particular runtime.
    pub fn sign_with_async<'s>(
        &self,
        signer: &'s dyn AsyncExternalSigner,
    ) -> impl Future<Output = Result<String, Error>> + Send + use<'s> {
        let prepared = self.prepare();
        async move { tl_signature(prepared?.prepared.sign_with_async(signer).await) }
    }
}

/// Signs `request` with `key` and sets its `Tl-Signature` header: the method, the path (without
/// the query), the headers named in `signed_headers` (in that order, with that casing) and the
/// body. The rules of [`Signer::new`] apply: `signed_headers` must name a non-empty
/// `Idempotency-Key`, and the path must not end with `/` (unless it is `/`). (A webhook is signed
/// with [`Signer::webhook`] and [`Signer::http_request`].)
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let provider = jose::default_provider();
/// # let private = jose::PrivateKey::generate(jose::KeySpec::Ec(jose::EcCurve::P521), provider)?;
/// # let key = jose_truelayer_signing::Es512SigningKey::from_private_key(private)?;
/// let mut request = http::Request::post("https://api.truelayer.com/payouts")
///     .header("Idempotency-Key", "619410b3-b00c-406e-bb1b-2982f97edb8b")
///     .body(br#"{"amount_in_minor":100}"#.to_vec())?;
/// jose_truelayer_signing::sign_request(&mut request, "my-kid", &key, &["Idempotency-Key"])?;
/// assert!(request.headers().contains_key("tl-signature"));
/// # Ok(()) }
/// ```
pub fn sign_request<B: AsRef<[u8]>>(
    request: &mut http::Request<B>,
    kid: &str,
    key: &Es512SigningKey,
    signed_headers: &[&str],
) -> Result<(), Error> {
    let signature = Signer::new(kid)
        .http_request(request, signed_headers)
        .sign(key)?;
    let value = http::HeaderValue::from_str(&signature).map_err(|_| {
        Error::Signer("expected a signature usable as a header value, found other bytes".into())
    })?;
    request
        .headers_mut()
        .insert(http::HeaderName::from_static("tl-signature"), value);
    Ok(())
}
