//! Leap RaaS Request4R: encrypted request and response payloads, for the partner (client) and
//! the gateway (the RaaS side, for a sandbox or a test double).
//!
//! Request4R wraps the body of a Partner API call in a compact JWE (RSA-OAEP-256 + A256GCM):
//! the partner encrypts its JSON to the RaaS public key and calls
//! `{BASE}/v1/partners/request4r/...` instead of `{BASE}/v1/...`; the RaaS answers with a JWE
//! encrypted to the partner public key and `Content-Type: application/jose`. Authentication
//! (`api_key`) and the JSON schemas are unchanged. The crate is sans-IO: `http` messages in,
//! `http` messages out, no networking.
//!
//! ```
//! use jose_request4r::{Gateway, OpeningKey, Partner};
//! use jose::{KeySpec, PrivateKey};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = jose::default_provider();
//! // Two key pairs: the RaaS's and the partner's. Each side holds its own private key and the
//! // other side's public key.
//! let raas_private = OpeningKey::new(PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?)?;
//! let partner_private = OpeningKey::new(PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?)?;
//! let partner = Partner::new(raas_private.sealing_key(), partner_private.clone());
//! let gateway = Gateway::new(raas_private, partner_private.sealing_key());
//!
//! // Partner: a plain request becomes a Request4R request.
//! let request = http::Request::post("https://api.leap.example/v1/auth/register-user-v2?lang=en")
//!     .header("api_key", "tenant-key")
//!     .body(r#"{"email":"ada@example.com"}"#)?;
//! let sent = partner.encrypt_request(request, provider)?;
//! assert_eq!(sent.uri(), "https://api.leap.example/v1/partners/request4r/auth/register-user-v2?lang=en");
//!
//! // Gateway: decrypt, serve the standard route, encrypt the answer.
//! let received = gateway.decrypt_request(sent, provider)?;
//! assert_eq!(received.uri().path(), "/v1/auth/register-user-v2");
//! assert_eq!(received.body(), r#"{"email":"ada@example.com"}"#);
//! let answer = gateway.respond(&received, http::Response::new(r#"{"user_id":"u-1"}"#), provider)?;
//!
//! // Partner: decrypt the answer.
//! let response = partner.decrypt_response(answer, provider)?;
//! assert_eq!(response.body()["user_id"], "u-1");
//! # Ok(()) }
//! ```
//!
//! # Map
//!
//! - [`Partner`] does [`encrypt_request`](Partner::encrypt_request) and
//!   [`decrypt_response`](Partner::decrypt_response); sandbox mode (`X-Skip-Encryption`); plain
//!   JSON success responses refused unless allowed; error statuses as [`Error::Api`].
//! - [`Gateway`] does [`decrypt_request`](Gateway::decrypt_request),
//!   [`encrypt_response`](Gateway::encrypt_response), [`respond`](Gateway::respond); a body it
//!   cannot accept answers 400 `ERROR_INVALID_JWE_PAYLOAD` ([`Error::to_gateway_response`]).
//! - [`SealingKey`] (a recipient's public key) and [`OpeningKey`] (your private key): the JWE
//!   itself, bound to RSA-OAEP-256 and A256GCM.
//! - [`route`] maps `/v1/...` to `/v1/partners/request4r/...` and back.
//! - [`set_reference_id`] and [`reference_id`]: the `reference_id` correlation member and the
//!   `X-Reference-ID` header.
//! - `axum` (feature `axum`): `GatewayLayer`, the gateway as a tower layer around an axum
//!   `Router` (bounded body, decrypt, route, encrypt the answer).
//! - `reqwest` (feature `reqwest`): `PartnerMiddleware`, the partner as a reqwest-middleware
//!   (route, encrypt, decrypt the answer).
//!
//! # Security
//!
//! - Every JWE this crate makes has exactly the protected header
//!   `{"alg":"RSA-OAEP-256","enc":"A256GCM"}` (with `"kid"` between them when the key has one);
//!   decryption allows exactly that pair, through jose's allow-lists.
//! - A JWE that does not decrypt is one opaque [`Error::DecryptionFailed`]; the gateway answers
//!   every bad body with the same code and a short reason.
//! - A partner in encrypted mode refuses plain JSON success responses, so a downgraded or
//!   misconfigured endpoint is noticed.
//! - Paths with `.` or `..` segments are refused, so a mapped path cannot escape `/v1`.
//! - `Debug` of every key type shows the key's type and kid only.
//!
//! Request4R gives confidentiality, not authenticity: anyone holding a public key can encrypt to
//! it. Tenant authentication stays with `api_key` and TLS.
//!
//! # Features
//!
//! | feature | what it turns on |
//! |---|---|
//! | `aws-lc` | the aws-lc-rs crypto provider (`jose-toolkit/aws-lc`) |
//! | `rustcrypto` | the RustCrypto crypto provider (`jose-toolkit/rustcrypto`) |
//! | `axum` | the gateway on axum/tower: `axum::GatewayLayer` |
//! | `reqwest` | the partner on reqwest-middleware: `reqwest::PartnerMiddleware` |
//! | `tracing` | events from the adapters (outcome, status, latency; never payloads or keys) |
//!
//! No provider is on by default. The application chooses one, once, for every jose crate it uses:
//! on `jose-toolkit` (whose default is aws-lc) or with one of the features above. Cargo unifies
//! features, so that choice holds here too, and choosing RustCrypto leaves aws-lc-rs out of the
//! build. With no provider anywhere, `jose-toolkit` stops the build with a message saying so. A
//! library built on this crate should leave both features off.
//!
//! ```toml
//! [dependencies]
//! jose = { package = "jose-toolkit", version = "0.1", default-features = false, features = ["rustcrypto"] }
//! jose-request4r = "0.1"
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
mod error;
mod gateway;
mod json;
mod keys;
mod partner;
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub mod reqwest;
pub mod route;

pub use error::{
    ApiError, ERROR_INTERNAL, ERROR_INVALID_JWE_PAYLOAD, ERROR_NOT_FOUND, ERROR_PAYLOAD_TOO_LARGE,
    ERROR_REQUEST_TIMEOUT, Error,
};
pub use gateway::Gateway;
pub use http;
pub use keys::{OpeningKey, SealingKey};
pub use partner::Partner;

use http::HeaderName;
use jose::{ContentEncryption, KeyManagementAlgorithm};

/// The key management algorithm of every Request4R JWE.
pub const KEY_MANAGEMENT: KeyManagementAlgorithm = KeyManagementAlgorithm::RsaOaep256;

/// The content encryption of every Request4R JWE.
pub const CONTENT_ENCRYPTION: ContentEncryption = ContentEncryption::A256Gcm;

/// The media type of an encrypted response body.
pub const CONTENT_TYPE_JOSE: &str = jose::media::APPLICATION_JOSE;

/// The media type of a plain JSON body.
pub const CONTENT_TYPE_JSON: &str = jose::media::APPLICATION_JSON;

/// The default `Content-Type` of an encrypted request body (a text-friendly type, as the
/// integration guide suggests).
pub const DEFAULT_REQUEST_CONTENT_TYPE: &str = "text/plain";

/// The sandbox header: when present (any value), bodies stay plain JSON.
pub const X_SKIP_ENCRYPTION: HeaderName = HeaderName::from_static("x-skip-encryption");

/// The correlation header the gateway may surface.
pub const X_REFERENCE_ID: HeaderName = HeaderName::from_static("x-reference-id");

/// The JSON member that carries the correlation id in a plaintext body.
pub const REFERENCE_ID_MEMBER: &str = "reference_id";

/// Sets `reference_id` in a plaintext JSON body, which must be a JSON object.
///
/// ```
/// let mut body = serde_json::json!({"amount": "10.00"});
/// jose_request4r::set_reference_id(&mut body, "order-7")?;
/// assert_eq!(body.to_string(), r#"{"amount":"10.00","reference_id":"order-7"}"#);
/// # Ok::<(), jose_request4r::Error>(())
/// ```
pub fn set_reference_id(body: &mut serde_json::Value, reference_id: &str) -> Result<(), Error> {
    match body {
        serde_json::Value::Object(members) => {
            members.insert(REFERENCE_ID_MEMBER.to_owned(), reference_id.into());
            Ok(())
        }
        other => Err(Error::InvalidJson {
            what: "request body",
            expected: "a JSON object to carry reference_id",
            found: match other {
                serde_json::Value::Null => "null",
                serde_json::Value::Bool(_) => "a boolean",
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::String(_) => "a string",
                serde_json::Value::Array(_) => "an array",
                serde_json::Value::Object(_) => "an object",
            }
            .into(),
        }),
    }
}

/// The `X-Reference-ID` header of a response, if it is there and visible ASCII.
pub fn reference_id<B>(response: &http::Response<B>) -> Option<&str> {
    partner::header_str(response.headers(), &X_REFERENCE_ID)
}

/// True when a request carries `X-Skip-Encryption` (sandbox).
pub fn skips_encryption<B>(request: &http::Request<B>) -> bool {
    request.headers().contains_key(&X_SKIP_ENCRYPTION)
}
