//! The client side (feature `reqwest`): a [`reqwest_middleware::Middleware`] that signs every
//! outgoing request with an [`Es512SigningKey`] and sets its `Tl-Signature` header.
//!
//! The signature covers the method, the path (without the query), the `Idempotency-Key` header
//! (required: TrueLayer's API needs it signed on every signed request), any other headers named
//! with [`SigningMiddleware::sign_header`] that the request has, in that order, and the body,
//! which must be buffered (a streaming body is refused). A request that cannot be signed is not
//! sent: `send()` returns [`reqwest_middleware::Error::Middleware`], whose source chain holds the
//! crate's [`Error`] (e.g. [`Error::MissingIdempotencyKey`]; find it with
//! `err.source()` and `downcast_ref::<jose_truelayer_signing::Error>()`).
//!
//! ```no_run
//! use jose_truelayer_signing::{Es512SigningKey, reqwest::SigningMiddleware};
//!
//! # async fn run(pem: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let key = Es512SigningKey::from_pem(pem, jose::default_provider())?;
//! let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(SigningMiddleware::new("45fc75cf-5649-4134-84b3-192c2c78e990", key))
//!     .build();
//! let answer = client
//!     .post("https://api.truelayer-sandbox.com/v3/payouts")
//!     .header("Idempotency-Key", "619410b3-b00c-406e-bb1b-2982f97edb8b")
//!     .header("Content-Type", "application/json")
//!     .body(r#"{"amount_in_minor":100,"currency":"GBP"}"#)
//!     .send()
//!     .await?;
//! # let _ = answer;
//! # Ok(()) }
//! ```

use crate::error::Error;
use crate::key::Es512SigningKey;
use crate::sign::Signer;
use http::Extensions;
use reqwest_middleware::{Middleware, Next};
use std::fmt;
use std::sync::Arc;

/// The header every signed request to TrueLayer's API signs.
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Signs each request it sees (see the [module](self) documentation). Cheap to clone.
#[derive(Clone)]
pub struct SigningMiddleware {
    kid: Arc<str>,
    key: Arc<Es512SigningKey>,
    headers: Arc<[String]>,
}

impl fmt::Debug for SigningMiddleware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningMiddleware")
            .field("kid", &self.kid)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl SigningMiddleware {
    /// Signs with `key`, under the key id `kid` (the id TrueLayer's console shows for the
    /// uploaded public key), the `Idempotency-Key` header.
    pub fn new(kid: impl Into<String>, key: Es512SigningKey) -> Self {
        SigningMiddleware {
            kid: Arc::from(kid.into()),
            key: Arc::new(key),
            headers: Arc::from([IDEMPOTENCY_KEY.to_owned()]),
        }
    }

    /// Also signs the header `name` (after those named before), when the request has it.
    pub fn sign_header(self, name: impl Into<String>) -> Self {
        let mut headers = self.headers.to_vec();
        headers.push(name.into());
        SigningMiddleware {
            headers: headers.into(),
            ..self
        }
    }

    /// The `Tl-Signature` of `request`.
    fn sign(&self, request: &reqwest::Request) -> Result<http::HeaderValue, Error> {
        let body: &[u8] = match request.body() {
            None => &[],
            Some(body) => body.as_bytes().ok_or_else(|| {
                Error::invalid_request("a buffered request body to sign", "a streaming body")
            })?,
        };
        let mut signed: Vec<(&str, &[u8])> = Vec::with_capacity(self.headers.len());
        for name in self.headers.iter() {
            let mut values = request.headers().get_all(name.as_str()).iter();
            match (values.next(), values.next()) {
                (Some(value), None) => signed.push((name.as_str(), value.as_bytes())),
                // An absent Idempotency-Key is the signer's refusal to make.
                (None, _) => {}
                (Some(_), Some(_)) => {
                    return Err(Error::AmbiguousHeader {
                        name: name.clone(),
                        count: request.headers().get_all(name.as_str()).iter().count(),
                    });
                }
            }
        }
        let signature = Signer::new(&self.kid)
            .method(request.method().as_str())
            .path(request.url().path())
            .headers(signed)
            .body(body)
            .sign(&self.key)?;
        http::HeaderValue::from_str(&signature).map_err(|_| {
            Error::Signer("expected a signature usable as a header value, found other bytes".into())
        })
    }
}

#[async_trait::async_trait]
impl Middleware for SigningMiddleware {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let signature = match self.sign(&request) {
            Ok(signature) => signature,
            Err(e) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(kid = %self.kid, error = %e, "cannot sign the TrueLayer request");
                return Err(reqwest_middleware::Error::middleware(e));
            }
        };
        #[cfg(feature = "tracing")]
        tracing::debug!(kid = %self.kid, method = %request.method(), "TrueLayer request signed");
        request
            .headers_mut()
            .insert(http::HeaderName::from_static("tl-signature"), signature);
        next.run(request, extensions).await
    }
}
