//! The gateway side (what the RaaS does): decrypt Request4R requests, encrypt responses. Enough
//! to run a sandbox or a test double.

use crate::error::Error;
use crate::keys::{OpeningKey, SealingKey};
use crate::{CONTENT_TYPE_JOSE, CONTENT_TYPE_JSON, X_REFERENCE_ID, X_SKIP_ENCRYPTION, json, route};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response};
use jose::CryptoProvider;

/// The RaaS side of Request4R: the RaaS private key (to decrypt requests) and the partner public
/// key (to encrypt responses). Sans-IO.
///
/// Every method returns [`Error`]; [`Error::to_gateway_response`] turns one into the answer to
/// send: 400 with `{"code":"ERROR_INVALID_JWE_PAYLOAD","reason":"..."}` for a body that cannot be
/// accepted, a short stable reason and never internal detail.
///
/// ```
/// use jose_request4r::{Gateway, OpeningKey, Partner};
/// use jose::{KeySpec, PrivateKey};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let provider = jose::default_provider();
/// # let generate = || -> Result<OpeningKey, Box<dyn std::error::Error>> {
/// #     Ok(OpeningKey::new(PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?)?)
/// # };
/// # let (raas_private, partner_private) = (generate()?, generate()?);
/// # let partner = Partner::new(raas_private.sealing_key(), partner_private.clone());
/// let gateway = Gateway::new(raas_private, partner_private.sealing_key());
///
/// # let request = partner.encrypt_request(
/// #     http::Request::put("/v1/users/42").body(r#"{"name":"Ada"}"#)?, provider)?;
/// // A partner's request arrives at /v1/partners/request4r/users/42 with a JWE body.
/// let plain = match gateway.decrypt_request(request, provider) {
///     Ok(plain) => plain,
///     Err(e) => return Ok(send(e.to_gateway_response())),
/// };
/// assert_eq!(plain.uri(), "/v1/users/42");
/// assert_eq!(plain.body(), r#"{"name":"Ada"}"#);
///
/// // The standard route answers; the gateway encrypts the answer to the partner.
/// let answer = http::Response::new(r#"{"updated":true}"#);
/// let encrypted = gateway.respond(&plain, answer, provider)?;
/// assert_eq!(encrypted.headers()["content-type"], "application/jose");
/// # send(encrypted);
/// # fn send(_: http::Response<String>) {}
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Gateway {
    ours: OpeningKey,
    partner: SealingKey,
    allow_skip_encryption: bool,
}

impl Gateway {
    /// A gateway with the RaaS private key and the partner's registered public key. It refuses
    /// `X-Skip-Encryption` until [`allow_skip_encryption`](Gateway::allow_skip_encryption).
    pub fn new(raas_private: OpeningKey, partner_public: SealingKey) -> Self {
        Gateway {
            ours: raas_private,
            partner: partner_public,
            allow_skip_encryption: false,
        }
    }

    /// Sandbox: accept requests with `X-Skip-Encryption` (plain JSON bodies), and let
    /// [`respond`](Gateway::respond) answer them in plain JSON.
    pub fn allow_skip_encryption(mut self, on: bool) -> Self {
        self.allow_skip_encryption = on;
        self
    }

    /// The RaaS private key.
    pub fn raas_key(&self) -> &OpeningKey {
        &self.ours
    }

    /// The partner public key.
    pub fn partner_key(&self) -> &SealingKey {
        &self.partner
    }

    /// Turns a Request4R request back into the standard one.
    ///
    /// - The path `/v1/partners/request4r/...` becomes `/v1/...` (scheme, authority, base path and
    ///   query kept); any other path is [`Error::Route`] (404 from
    ///   [`Error::to_gateway_response`]).
    /// - The body, a compact JWE (surrounding whitespace ignored), is decrypted with the RaaS
    ///   private key, allowing RSA-OAEP-256 + A256GCM only; the plaintext must be UTF-8 JSON. It
    ///   becomes the body with `Content-Type: application/json`, and `Content-Length` is updated if
    ///   present. An empty body stays empty.
    /// - With `X-Skip-Encryption` (allowed only after
    ///   [`allow_skip_encryption`](Gateway::allow_skip_encryption)), the body must already be JSON.
    /// - A string `reference_id` in the plaintext is surfaced as `X-Reference-ID` (unless the
    ///   request has one).
    ///
    /// Errors about the body (malformed, wrong header, undecryptable, not JSON) all answer 400
    /// `ERROR_INVALID_JWE_PAYLOAD` through [`Error::to_gateway_response`].
    pub fn decrypt_request<B: AsRef<[u8]>>(
        &self,
        request: Request<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<Request<String>, Error> {
        let (mut parts, body) = request.into_parts();
        parts.uri = route::standard_uri(&parts.uri)?;
        let skip = parts.headers.contains_key(&X_SKIP_ENCRYPTION);
        if skip && !self.allow_skip_encryption {
            return Err(Error::SkipEncryptionRefused(
                "expected an encrypted request, found X-Skip-Encryption at a gateway that is not a sandbox",
            ));
        }
        let body = body.as_ref();
        let plaintext = if body.is_empty() {
            String::new()
        } else if skip {
            json::check(body, "request body")?.to_owned()
        } else {
            let token = std::str::from_utf8(body).map_err(|_| {
                Error::MalformedJwe(jose::Error::malformed(
                    "JWE",
                    "ASCII text",
                    "bytes that are not UTF-8",
                ))
            })?;
            self.ours.open(token, provider)?.as_str().to_owned()
        };
        if !plaintext.is_empty() {
            parts
                .headers
                .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
            if !parts.headers.contains_key(&X_REFERENCE_ID) {
                if let Some(id) = reference_id_in(&plaintext) {
                    parts.headers.insert(X_REFERENCE_ID, id);
                }
            }
        }
        json::fix_content_length(&mut parts.headers, plaintext.len());
        Ok(Request::from_parts(parts, plaintext))
    }

    /// Encrypts a response body (UTF-8 JSON) to the partner public key: the body becomes a compact
    /// JWE with `Content-Type: application/jose`; status and other headers are kept
    /// (`Content-Length` updated if present). Error statuses are encrypted too. An empty body (a
    /// 204, say) stays empty and unencrypted.
    pub fn encrypt_response<B: AsRef<[u8]>>(
        &self,
        response: Response<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<Response<String>, Error> {
        let (mut parts, body) = response.into_parts();
        let body = body.as_ref();
        let out = if body.is_empty() {
            String::new()
        } else {
            let text = json::check(body, "response body")?;
            let jwe = self.partner.seal_checked(text, provider)?;
            parts
                .headers
                .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JOSE));
            jwe
        };
        json::fix_content_length(&mut parts.headers, out.len());
        Ok(Response::from_parts(parts, out))
    }

    /// Answers a request that [`decrypt_request`](Gateway::decrypt_request) accepted: encrypts the
    /// response ([`encrypt_response`](Gateway::encrypt_response)), or, for a sandbox request with
    /// `X-Skip-Encryption` at a gateway that allows it, passes the JSON through with
    /// `Content-Type: application/json`. The request's `X-Reference-ID` is copied to the response
    /// unless it has one.
    pub fn respond<R, B: AsRef<[u8]>>(
        &self,
        request: &Request<R>,
        response: Response<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<Response<String>, Error> {
        let skip = self.allow_skip_encryption && request.headers().contains_key(&X_SKIP_ENCRYPTION);
        let mut out = if skip {
            let (mut parts, body) = response.into_parts();
            let body = body.as_ref();
            let text = if body.is_empty() {
                String::new()
            } else {
                parts
                    .headers
                    .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
                json::check(body, "response body")?.to_owned()
            };
            json::fix_content_length(&mut parts.headers, text.len());
            Response::from_parts(parts, text)
        } else {
            self.encrypt_response(response, provider)?
        };
        if !out.headers().contains_key(&X_REFERENCE_ID) {
            if let Some(id) = request.headers().get(&X_REFERENCE_ID) {
                out.headers_mut().insert(X_REFERENCE_ID, id.clone());
            }
        }
        Ok(out)
    }
}

/// The string `reference_id` member of a JSON object, as a header value, if there is one that
/// fits in a header.
fn reference_id_in(plaintext: &str) -> Option<HeaderValue> {
    #[derive(serde::Deserialize)]
    struct Reference {
        reference_id: Option<String>,
    }
    let parsed: Reference = serde_json::from_str(plaintext).ok()?;
    let id = parsed.reference_id?;
    HeaderValue::from_str(&id).ok()
}
