//! The client side on reqwest-middleware: [`Xs2aMiddleware`] seals each request and opens the
//! answer, so the caller writes and reads plain JSON.
//!
//! On the way out, [`Client::encrypt_request`] turns the request into the encrypted one: the
//! JSON body (which must be buffered; a GET or DELETE has none) gets a `request_id` (a fresh
//! UUID unless the body has one) and a `request_timestamp`, is signed and encrypted, and is sent
//! with `Content-Type: application/jose`; `GET <path>` and `DELETE <path>` go out as
//! `POST <path>/get` and `POST <path>/delete`. Other headers (`Authorization`) are kept.
//!
//! On the way back, the body is read (at most [`Xs2aMiddleware::with_response_limit`] bytes,
//! within [`Xs2aMiddleware::with_read_timeout`]) and read by [`Client::decrypt_response`]:
//!
//! - a 2xx with a sealed body becomes a response with the same status and headers, whose body
//!   is the verified JSON (`Content-Type: application/json`); a 2xx without body stays empty. Its
//!   extensions hold the [`RequestStamp`] the request was sealed with and, for a sealed answer,
//!   the [`ResponseSeal`] (signing `kid`, `response_timestamp`).
//! - everything else is an error: `reqwest_middleware::Error::Middleware` whose source is this
//!   crate's [`Error`] ([`xs2a_error`] finds it). An answer with an error status is
//!   [`Error::Api`] (status and body, plain or opened); an answer that does not decrypt, verify
//!   or is stale is that error; a plain JSON 2xx is [`Error::PlainResponseRefused`] unless the
//!   [`Client`] accepts plain answers. Transport errors stay `reqwest_middleware::Error::Reqwest`.

use crate::client::{Client, RequestStamp};
use crate::error::Error;
use ::reqwest::ResponseBuilderExt as _;
use ::reqwest_middleware::{Middleware, Next};
use http::{Extensions, HeaderMap, header::CONTENT_LENGTH};
use jose::CryptoProvider;
use std::fmt;
use std::time::Duration;

/// The default largest answer the middleware reads: 1 MiB.
pub const DEFAULT_RESPONSE_LIMIT: usize = 1024 * 1024;
/// The default time the middleware waits for an answer's body once its head arrived: 30 s.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// What the middleware verified about a sealed answer: in the extensions of the response it
/// returns (absent for a plain answer the [`Client`] accepted, which nothing vouches for).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseSeal {
    /// The JWS `kid`: which of the server's keys signed the answer.
    pub signing_kid: String,
    /// The answer's `response_timestamp`, UTC milliseconds.
    pub response_timestamp: u64,
}

/// A reqwest-middleware that seals Klarna XS2A requests and opens their answers (see the
/// [module documentation](self)).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use jose::{KeySpec, PrivateKey};
/// # use jose_klarna_xs2a::{Client, KeyRing, Opener, Sealer, VerifierSet};
/// use jose_klarna_xs2a::reqwest::Xs2aMiddleware;
///
/// # let provider = jose::default_provider();
/// # let rsa = || PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider);
/// # let (ours, theirs) = (rsa()?.with_kid("tpp-1"), rsa()?.with_kid("2AF92B1D"));
/// # let client = Client::new(
/// #     Sealer::new(ours.clone(), theirs.public_key())?,
/// #     Opener::new(KeyRing::new().with(ours)?, VerifierSet::new().with(theirs.public_key())?),
/// # );
/// let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(Xs2aMiddleware::new(client, provider))
///     .build();
/// // http.get("https://api.klarna.example/xs2a/v1/sessions/42").send().await? goes out as a
/// // sealed POST .../sessions/42/get; the response's body is the verified JSON.
/// # let _ = http;
/// # Ok(()) }
/// ```
pub struct Xs2aMiddleware {
    client: Client,
    provider: &'static dyn CryptoProvider,
    response_limit: usize,
    read_timeout: Duration,
}

impl fmt::Debug for Xs2aMiddleware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Xs2aMiddleware")
            .field("provider", &self.provider.name())
            .field("response_limit", &self.response_limit)
            .field("read_timeout", &self.read_timeout)
            .finish_non_exhaustive()
    }
}

impl Xs2aMiddleware {
    /// A middleware that seals and opens with `client` (its keys, clock, time policy and
    /// whether it accepts plain answers) on `provider`, with the default limits.
    pub fn new(client: Client, provider: &'static dyn CryptoProvider) -> Self {
        Xs2aMiddleware {
            client,
            provider,
            response_limit: DEFAULT_RESPONSE_LIMIT,
            read_timeout: DEFAULT_READ_TIMEOUT,
        }
    }

    /// The largest answer body read, in bytes (default [`DEFAULT_RESPONSE_LIMIT`]); a longer
    /// one is [`Error::BodyTooLarge`].
    pub fn with_response_limit(mut self, limit: usize) -> Self {
        self.response_limit = limit;
        self
    }

    /// How long the middleware waits for an answer's body after its head (default
    /// [`DEFAULT_READ_TIMEOUT`]); later is [`Error::TimedOut`]. The time to the head is the
    /// `reqwest::Client`'s to bound (`timeout`, `connect_timeout`).
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Seals `request` in place; returns what it was stamped with.
    fn seal(&self, request: &mut ::reqwest::Request) -> Result<RequestStamp, Error> {
        let body: &[u8] = match request.body() {
            None => &[],
            Some(body) => body.as_bytes().ok_or_else(|| Error::MalformedBody {
                expected: "a buffered request body (a JSON object) to seal".into(),
                found: "a streaming body".into(),
            })?,
        };
        let url = request.url();
        let path_and_query = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let mut plain = http::Request::builder()
            .method(request.method().clone())
            .uri(path_and_query)
            .body(body)
            .map_err(|e| Error::Http(e.to_string()))?;
        *plain.headers_mut() = request.headers().clone();
        let (mut parts, token) = self
            .client
            .encrypt_request(plain, self.provider)?
            .into_parts();
        let stamp = parts
            .extensions
            .remove::<RequestStamp>()
            .ok_or_else(|| Error::Http("the sealed request has no stamp".into()))?;
        *request.method_mut() = parts.method;
        request.url_mut().set_path(parts.uri.path());
        *request.headers_mut() = parts.headers;
        *request.body_mut() = Some(token.into());
        Ok(stamp)
    }

    /// The answer's body: at most `response_limit` bytes, within `read_timeout`.
    async fn read_body(
        &self,
        response: &mut ::reqwest::Response,
        headers: &HeaderMap,
    ) -> ::reqwest_middleware::Result<Vec<u8>> {
        let too_large = || {
            ::reqwest_middleware::Error::middleware(Error::BodyTooLarge {
                what: "response body",
                limit: self.response_limit,
            })
        };
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|length| length > self.response_limit as u64) {
            return Err(too_large());
        }
        let read = async {
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if chunk.len() > self.response_limit.saturating_sub(body.len()) {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok::<_, ::reqwest_middleware::Error>(body)
        };
        match tokio::time::timeout(self.read_timeout, read).await {
            Ok(read) => read,
            Err(_) => Err(::reqwest_middleware::Error::middleware(Error::TimedOut {
                what: "response body",
                after_ms: crate::clock::millis(self.read_timeout),
            })),
        }
    }

    /// Opens the answer: the same status and headers, the verified JSON as the body.
    async fn open(
        &self,
        mut response: ::reqwest::Response,
        stamp: RequestStamp,
    ) -> ::reqwest_middleware::Result<::reqwest::Response> {
        let status = response.status();
        let version = response.version();
        let url = response.url().clone();
        let headers = std::mem::take(response.headers_mut());
        let extensions = std::mem::take(response.extensions_mut());
        let body = self.read_body(&mut response, &headers).await?;
        let mut received = http::Response::new(body);
        *received.status_mut() = status;
        *received.headers_mut() = headers;
        let opened = self
            .client
            .decrypt_response(received, self.provider)
            .map_err(::reqwest_middleware::Error::middleware)?;
        let (parts, outcome) = opened.into_parts();
        let json = match outcome.body() {
            Some(body) => serde_json::to_vec(body)
                .map_err(|e| ::reqwest_middleware::Error::middleware(Error::Http(e.to_string())))?,
            None => Vec::new(),
        };
        let mut plain = http::Response::builder()
            .status(parts.status)
            .version(version)
            .url(url)
            .body(json)
            .map_err(|e| ::reqwest_middleware::Error::middleware(Error::Http(e.to_string())))?;
        *plain.headers_mut() = parts.headers;
        plain.extensions_mut().extend(extensions);
        if let Some(opened) = outcome.secure() {
            event!(
                debug,
                outcome = "opened",
                kid = %opened.signing_kid,
                request_id = %stamp.request_id,
                status = parts.status.as_u16(),
                "klarna xs2a response opened"
            );
            plain.extensions_mut().insert(ResponseSeal {
                signing_kid: opened.signing_kid.clone(),
                response_timestamp: opened.response_timestamp,
            });
        }
        plain.extensions_mut().insert(stamp);
        Ok(::reqwest::Response::from(plain))
    }
}

#[async_trait::async_trait]
impl Middleware for Xs2aMiddleware {
    async fn handle(
        &self,
        mut request: ::reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> ::reqwest_middleware::Result<::reqwest::Response> {
        let stamp = self
            .seal(&mut request)
            .map_err(::reqwest_middleware::Error::middleware)?;
        let response = next.run(request, extensions).await?;
        let opened = self.open(response, stamp).await;
        if let Err(error) = &opened {
            event!(
                debug,
                outcome = "not accepted",
                status = ?xs2a_error(error).and_then(Error::api).map(|api| api.status.as_u16()),
                "klarna xs2a response not accepted"
            );
            let _ = error;
        }
        opened
    }
}

/// This crate's error inside a middleware error, if that is what it carries: an error status
/// ([`Error::Api`]), an answer that did not open, a request that could not be sealed.
///
/// ```
/// use jose_klarna_xs2a::{Error, reqwest::xs2a_error};
///
/// let error = reqwest_middleware::Error::middleware(Error::BadSignature);
/// assert_eq!(xs2a_error(&error), Some(&Error::BadSignature));
/// ```
pub fn xs2a_error(error: &::reqwest_middleware::Error) -> Option<&Error> {
    match error {
        ::reqwest_middleware::Error::Middleware(error) => error.downcast_ref::<Error>(),
        ::reqwest_middleware::Error::Reqwest(_) => None,
    }
}
