//! The partner side: encrypt requests to the RaaS, decrypt its responses.

use crate::error::{ApiError, Error};
use crate::keys::{OpeningKey, SealingKey};
use crate::{
    CONTENT_TYPE_JOSE, CONTENT_TYPE_JSON, DEFAULT_REQUEST_CONTENT_TYPE, X_REFERENCE_ID,
    X_SKIP_ENCRYPTION, json, route,
};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Request, Response, StatusCode};
use jose::CryptoProvider;
use serde_json::Value;
use zeroize::Zeroizing;

/// A partner's Request4R client state: the RaaS public key (to encrypt requests), the partner
/// private key (to decrypt responses) and the options. Sans-IO: it turns `http` messages into
/// `http` messages and sends nothing.
///
/// `Debug` shows the keys' type and kid only.
#[derive(Debug, Clone)]
pub struct Partner {
    raas: SealingKey,
    ours: OpeningKey,
    content_type: HeaderValue,
    sandbox: bool,
    accept_plain_json: bool,
}

impl Partner {
    /// A partner with the RaaS public key and its own private key, in encrypted mode, sending
    /// `Content-Type: text/plain`.
    pub fn new(raas_public: SealingKey, partner_private: OpeningKey) -> Self {
        Partner {
            raas: raas_public,
            ours: partner_private,
            content_type: HeaderValue::from_static(DEFAULT_REQUEST_CONTENT_TYPE),
            sandbox: false,
            accept_plain_json: false,
        }
    }

    /// A partner from the RaaS public key in SPKI PEM (as Leap provides it) and its own private
    /// key in PKCS#8 PEM.
    pub fn from_pem(
        raas_public_spki_pem: &str,
        partner_private_pkcs8_pem: &str,
        provider: &dyn CryptoProvider,
    ) -> Result<Self, Error> {
        Ok(Self::new(
            SealingKey::from_spki_pem(raas_public_spki_pem, provider)?,
            OpeningKey::from_pkcs8_pem(partner_private_pkcs8_pem, provider)?,
        ))
    }

    /// The `Content-Type` of encrypted request bodies (default `text/plain`; use what Leap
    /// specifies for your environment).
    pub fn with_content_type(mut self, content_type: HeaderValue) -> Self {
        self.content_type = content_type;
        self
    }

    /// Sandbox mode (`X-Skip-Encryption`): request bodies stay JSON with `Content-Type:
    /// application/json`, the header is sent, and plain JSON responses are accepted. Only for a
    /// sandbox tenant; the default is off.
    pub fn sandbox(mut self, on: bool) -> Self {
        self.sandbox = on;
        self
    }

    /// Accepts plain `application/json` success responses outside sandbox mode (the default is to
    /// refuse them with [`Error::PlainResponseRefused`]).
    pub fn accept_plain_json(mut self, on: bool) -> Self {
        self.accept_plain_json = on;
        self
    }

    /// True in sandbox mode.
    pub fn is_sandbox(&self) -> bool {
        self.sandbox
    }

    /// The RaaS public key.
    pub fn raas_key(&self) -> &SealingKey {
        &self.raas
    }

    /// The partner private key.
    pub fn partner_key(&self) -> &OpeningKey {
        &self.ours
    }

    /// Turns a plain request into the Request4R one.
    ///
    /// - The path `/v1/...` becomes `/v1/partners/request4r/...` (scheme, authority, any base
    ///   path and the query are kept; see [`route`]); the method is unchanged.
    /// - The body, which must be UTF-8 JSON, becomes a one-line compact JWE encrypted to the RaaS
    ///   public key (RSA-OAEP-256 + A256GCM) with `Content-Type` set to the configured type. In
    ///   sandbox mode it stays JSON with `Content-Type: application/json` and `X-Skip-Encryption:
    ///   true` is added. An empty body (a GET, say) stays empty.
    /// - Every other header (`api_key` among them) is unchanged; `Content-Length`, if present, is
    ///   updated to the new body's length.
    ///
    /// A request carrying `X-Skip-Encryption` outside sandbox mode is refused
    /// ([`Error::SkipEncryptionRefused`]) rather than sent encrypted with a contradicting header.
    ///
    /// ```
    /// use jose_request4r::{OpeningKey, Partner, SealingKey};
    /// use jose::{KeySpec, PrivateKey};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let provider = jose::default_provider();
    /// # let raas_private = OpeningKey::new(PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?)?;
    /// # let raas_spki_pem = raas_private.sealing_key().public_key().to_spki_pem()?;
    /// # let partner_pkcs8_pem = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.to_pkcs8_pem()?;
    /// let partner = Partner::from_pem(&raas_spki_pem, &partner_pkcs8_pem, provider)?;
    ///
    /// let request = http::Request::post("https://sandbox.leap.example/v1/auth/register-user-v2")
    ///     .header("api_key", "tenant-key")
    ///     .header("content-type", "application/json")
    ///     .body(r#"{"email":"ada@example.com","reference_id":"r-42"}"#)?;
    /// let encrypted = partner.encrypt_request(request, provider)?;
    ///
    /// assert_eq!(encrypted.method(), "POST");
    /// assert_eq!(
    ///     encrypted.uri(),
    ///     "https://sandbox.leap.example/v1/partners/request4r/auth/register-user-v2"
    /// );
    /// assert_eq!(encrypted.headers()["content-type"], "text/plain");
    /// assert_eq!(encrypted.headers()["api_key"], "tenant-key");
    /// assert_eq!(encrypted.body().split('.').count(), 5); // a compact JWE
    ///
    /// // What the RaaS does with it:
    /// let plaintext = raas_private.open(encrypted.body(), provider)?;
    /// assert_eq!(&*plaintext, r#"{"email":"ada@example.com","reference_id":"r-42"}"#);
    /// # Ok(()) }
    /// ```
    pub fn encrypt_request<B: AsRef<[u8]>>(
        &self,
        request: Request<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<Request<String>, Error> {
        let (mut parts, body) = request.into_parts();
        let skip_present = parts.headers.contains_key(&X_SKIP_ENCRYPTION);
        if skip_present && !self.sandbox {
            return Err(Error::SkipEncryptionRefused(
                "expected no X-Skip-Encryption header outside sandbox mode, found one on the request",
            ));
        }
        parts.uri = route::request4r_uri(&parts.uri)?;
        let body = body.as_ref();
        let out = if body.is_empty() {
            String::new()
        } else {
            let text = json::check(body, "request body")?;
            if self.sandbox {
                parts
                    .headers
                    .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
                text.to_owned()
            } else {
                let jwe = self.raas.seal_checked(text, provider)?;
                parts
                    .headers
                    .insert(CONTENT_TYPE, self.content_type.clone());
                jwe
            }
        };
        if self.sandbox && !skip_present {
            parts
                .headers
                .insert(X_SKIP_ENCRYPTION, HeaderValue::from_static("true"));
        }
        json::fix_content_length(&mut parts.headers, out.len());
        Ok(Request::from_parts(parts, out))
    }

    /// Reads the RaaS response: decrypts it and parses the JSON, or turns an error status into
    /// [`Error::Api`].
    ///
    /// On a 2xx status:
    /// - `Content-Type: application/jose`: the body is a compact JWE, decrypted with the partner
    ///   private key (RSA-OAEP-256 + A256GCM only); the plaintext must be UTF-8 JSON.
    /// - `application/json`: accepted only in sandbox mode or with
    ///   [`accept_plain_json`](Partner::accept_plain_json), else [`Error::PlainResponseRefused`].
    /// - 204 No Content with an empty body gives `null`; any other type is
    ///   [`Error::UnexpectedContentType`].
    ///
    /// Any other status is [`Error::Api`] with the status, the body's `code` and `reason` (the body
    /// is decrypted first if it is `application/jose`; if it cannot be, `code`, `reason` and `body`
    /// are `None`) and `X-Reference-ID`.
    ///
    /// The returned response keeps status and headers, with `Content-Type: application/json` and
    /// no `Content-Length` (the body is now a parsed value).
    ///
    /// ```
    /// use jose_request4r::{Error, Gateway, OpeningKey, Partner};
    /// use jose::{KeySpec, PrivateKey};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let provider = jose::default_provider();
    /// # let generate = || -> Result<OpeningKey, Box<dyn std::error::Error>> {
    /// #     Ok(OpeningKey::new(PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?)?)
    /// # };
    /// # let (raas_private, partner_private) = (generate()?, generate()?);
    /// # let partner = Partner::new(raas_private.sealing_key(), partner_private.clone());
    /// # let gateway = Gateway::new(raas_private, partner_private.sealing_key());
    /// // The RaaS encrypts its answer to the partner public key...
    /// let answer = http::Response::builder()
    ///     .header("x-reference-id", "r-42")
    ///     .body(r#"{"user_id":"u-1"}"#)?;
    /// let encrypted = gateway.encrypt_response(answer, provider)?;
    /// assert_eq!(encrypted.headers()["content-type"], "application/jose");
    ///
    /// // ...and the partner decrypts it.
    /// let response = partner.decrypt_response(encrypted, provider)?;
    /// assert_eq!(response.body()["user_id"], "u-1");
    /// assert_eq!(jose_request4r::reference_id(&response), Some("r-42"));
    ///
    /// // An error status becomes a typed error.
    /// let refused = http::Response::builder()
    ///     .status(400)
    ///     .header("content-type", "application/json")
    ///     .body(r#"{"code":"ERROR_INVALID_JWE_PAYLOAD","reason":"the JWE cannot be decrypted"}"#)?;
    /// match partner.decrypt_response(refused, provider) {
    ///     Err(Error::Api(e)) => {
    ///         assert_eq!(e.status, 400);
    ///         assert!(e.is_invalid_jwe_payload());
    ///     }
    ///     other => panic!("expected an API error, found {other:?}"),
    /// }
    ///
    /// // Plain JSON on a success status is refused outside sandbox mode.
    /// let plain = http::Response::builder()
    ///     .header("content-type", "application/json")
    ///     .body(r#"{"user_id":"u-1"}"#)?;
    /// assert!(matches!(
    ///     partner.decrypt_response(plain, provider),
    ///     Err(Error::PlainResponseRefused { .. })
    /// ));
    /// # Ok(()) }
    /// ```
    pub fn decrypt_response<B: AsRef<[u8]>>(
        &self,
        response: Response<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<Response<Value>, Error> {
        let (parts, text, what) = self.read_response(response, provider)?;
        let value = if text.is_empty() {
            Value::Null
        } else {
            json::parse(text.as_bytes(), what)?
        };
        Ok(Response::from_parts(parts, value))
    }

    /// [`decrypt_response`](Partner::decrypt_response), keeping the JSON as text: the body is
    /// exactly the plaintext the RaaS encrypted (or the plain JSON body, where accepted), checked to
    /// be UTF-8 JSON, and empty for a 204 without a body. Same checks, same errors.
    ///
    /// This is what the `reqwest` middleware hands its caller, so that member order and number
    /// spelling are the RaaS's own.
    pub fn decrypt_response_text<B: AsRef<[u8]>>(
        &self,
        response: Response<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<Response<String>, Error> {
        let (parts, text, _) = self.read_response(response, provider)?;
        Ok(Response::from_parts(parts, text))
    }

    /// The checks of [`decrypt_response`](Partner::decrypt_response): the parts with `Content-Type:
    /// application/json` and no `Content-Length`, the JSON text (empty for a 204 without a body),
    /// and what to call that text in an error.
    fn read_response<B: AsRef<[u8]>>(
        &self,
        response: Response<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<(http::response::Parts, String, &'static str), Error> {
        let (mut parts, body) = response.into_parts();
        let body = body.as_ref();
        let status = parts.status;
        if !status.is_success() {
            return Err(self.api_error(&parts, body, provider));
        }
        let media = json::media_type(&parts.headers);
        let (text, what) = match media.as_deref() {
            Some(CONTENT_TYPE_JOSE) => (
                self.open_text(body, provider)?.as_str().to_owned(),
                "decrypted response",
            ),
            Some(CONTENT_TYPE_JSON) => {
                if !(self.sandbox || self.accept_plain_json) {
                    return Err(Error::PlainResponseRefused { status });
                }
                (
                    json::check(body, "response body")?.to_owned(),
                    "response body",
                )
            }
            _ if status == StatusCode::NO_CONTENT && body.is_empty() => {
                (String::new(), "response body")
            }
            _ => {
                return Err(Error::UnexpectedContentType {
                    status,
                    expected: if self.sandbox || self.accept_plain_json {
                        "application/jose or application/json"
                    } else {
                        "application/jose"
                    },
                    found: json::shown_media_type(&parts.headers),
                });
            }
        };
        parts.headers.remove(CONTENT_LENGTH);
        parts
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
        Ok((parts, text, what))
    }

    /// Decrypts a JWE body: the plaintext, checked to be UTF-8 JSON.
    fn open_text(
        &self,
        body: &[u8],
        provider: &dyn CryptoProvider,
    ) -> Result<Zeroizing<String>, Error> {
        let token = std::str::from_utf8(body).map_err(|_| {
            Error::MalformedJwe(jose::Error::malformed(
                "JWE",
                "ASCII text",
                "bytes that are not UTF-8",
            ))
        })?;
        self.ours.open(token, provider)
    }

    /// Decrypts a JWE body and parses the plaintext as JSON.
    fn open_json(&self, body: &[u8], provider: &dyn CryptoProvider) -> Result<Value, Error> {
        let plaintext = self.open_text(body, provider)?;
        json::parse(plaintext.as_bytes(), "decrypted response")
    }

    fn api_error(
        &self,
        parts: &http::response::Parts,
        body: &[u8],
        provider: &dyn CryptoProvider,
    ) -> Error {
        let parsed = match json::media_type(&parts.headers).as_deref() {
            Some(CONTENT_TYPE_JOSE) => self.open_json(body, provider).ok(),
            _ => json::parse(body, "error body").ok(),
        };
        let member = |name: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Error::Api(Box::new(ApiError {
            status: parts.status,
            code: member("code"),
            reason: member("reason"),
            reference_id: header_str(&parts.headers, &X_REFERENCE_ID).map(str::to_owned),
            body: parsed,
        }))
    }
}

/// A header's value as text, if it is there and visible ASCII.
pub(crate) fn header_str<'a>(
    headers: &'a http::HeaderMap,
    name: &http::HeaderName,
) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
