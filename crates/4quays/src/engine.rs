//! The service side, sans-IO: destination services and their keys, policies, API keys, and
//! [`Engine::handle`], which turns an `http::Request` into the documented `http::Response`.
//!
//! # What a request goes through
//!
//! 1. **Request id**: the `X-Request-Id` header when it is valid (1 to 128 characters of
//!    `A-Z a-z 0-9 . _ : -`), else a new random UUID. It is in every body and echoed in the
//!    `X-Request-Id` response header.
//! 2. **Authentication**: `Authorization: Bearer <key>`; the key's SHA-256 must be one of the
//!    configured hashes (`401 AUTHENTICATION_FAILED` otherwise).
//! 3. **Content type**: `application/json` (parameters allowed; a `charset` must be UTF-8), and a
//!    body no larger than [`EngineBuilder::max_body_bytes`] (`400 INVALID_REQUEST` otherwise, with
//!    a detail naming `Content-Type` or `body`).
//! 4. **Validation** (`400 INVALID_REQUEST`, one detail per bad field; for unprotect, a legacy
//!    `protectedPayload` that does not parse is `400 INVALID_PROTECTED_PAYLOAD`).
//! 5. **Policy**: `policyNumber`, or the API key's default policy. A policy the key may not use is
//!    `404 POLICY_NOT_FOUND`, exactly as an unknown one.
//! 6. **The operation**:
//!    - protect: an inactive policy answers by its failure mode (`error`: `403 POLICY_NOT_ACTIVE`;
//!      `passthrough`: 200 with the payload and a warning; `drop`: 200 with `dropped: true`).
//!      Otherwise the payload's JSON text is encrypted to the destination service's active key
//!      (`500 DESTINATION_KEY_NOT_FOUND` if it has none) with the policy's `alg` and `enc`, the
//!      key's `kid` in the protected header.
//!    - unprotect: an inactive policy is `403 POLICY_NOT_ACTIVE` whatever its failure mode (a
//!      decryption cannot be passed through or dropped); a `destination_managed` policy is
//!      `400 UNPROTECT_NOT_AVAILABLE`; a service without an active private key is
//!      `500 DESTINATION_KEY_NOT_FOUND`. The key is chosen by the JWE's `kid` among all the
//!      service's keys (so JWEs made before a rotation still open), the active key when there is no
//!      `kid`. Any failure from there on (unknown `kid`, wrong `alg`/`enc`, bad tag, plaintext that is
//!      not JSON) is the same `500 INTERNAL_ERROR`, with no detail of why.

use crate::error::Error;
use crate::types::{
    DROPPED_MESSAGE, ErrorBody, ErrorCode, ErrorDetail, JweEnvelope, MESSAGE_TYPE,
    OPERATION_DECRYPT, OPERATION_ENCRYPT, Operation, PASSTHROUGH_WARNING, Protected,
};
use crate::validate::{self, Source};
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response, StatusCode};
use jose::jwe::{Jwe, JweBuilder};
use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, EncryptingKey, KeyKind,
    KeyManagementAlgorithm, Limits, PrivateKey, PublicKey,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The request id header, `X-Request-Id`.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Longest accepted client request id, in bytes.
pub const MAX_REQUEST_ID_LEN: usize = 128;
/// Default body size limit: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Whether the private key of a policy's destination is held by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyOwnership {
    /// The engine holds the private key: unprotect is available.
    #[default]
    Managed,
    /// The destination holds the private key: the engine only encrypts to it, and unprotect
    /// answers `UNPROTECT_NOT_AVAILABLE`.
    DestinationManaged,
}

/// What protect does when a policy is inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureMode {
    /// `403 POLICY_NOT_ACTIVE` (the default).
    #[default]
    Error,
    /// 200 with the payload unprotected and a warning.
    Passthrough,
    /// 200 with `dropped: true`: the payload is discarded.
    Drop,
}

/// One key pair of a destination service.
#[derive(Debug, Clone)]
pub struct DestinationKey {
    kid: String,
    public: PublicKey,
    private: Option<PrivateKey>,
}

impl DestinationKey {
    /// A key pair whose private half the engine holds. The key must be RSA (RSA-OAEP).
    pub fn managed(kid: impl Into<String>, key: PrivateKey) -> Result<Self, Error> {
        let kid = kid.into();
        check_rsa(&kid, key.kind())?;
        let key = key.with_kid(kid.clone());
        Ok(DestinationKey {
            public: key.public_key().with_kid(kid.clone()),
            private: Some(key),
            kid,
        })
    }

    /// The public key only (the destination keeps the private half). The key must be RSA.
    pub fn public_only(kid: impl Into<String>, key: PublicKey) -> Result<Self, Error> {
        let kid = kid.into();
        check_rsa(&kid, key.kind())?;
        Ok(DestinationKey {
            public: key.with_kid(kid.clone()),
            private: None,
            kid,
        })
    }

    /// The key id, written in the protected header of every JWE made with this key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The private key, if the engine holds it.
    pub fn private_key(&self) -> Option<&PrivateKey> {
        self.private.as_ref()
    }
}

fn check_rsa(kid: &str, kind: KeyKind) -> Result<(), Error> {
    match kind {
        KeyKind::Rsa { .. } => Ok(()),
        other => Err(Error::config(
            format!("key {kid:?}"),
            format!("expected an RSA key (for RSA-OAEP), found {other}"),
        )),
    }
}

/// A destination service (a bank, say): its key pairs, of which at most one is active.
#[derive(Debug, Clone)]
pub struct DestinationService {
    id: String,
    keys: Vec<DestinationKey>,
    active: Option<usize>,
}

impl DestinationService {
    /// A service with no keys yet.
    pub fn new(id: impl Into<String>) -> Self {
        DestinationService {
            id: id.into(),
            keys: Vec::new(),
            active: None,
        }
    }

    /// Adds a key that is not active: it still opens JWEs that name its `kid`.
    pub fn key(mut self, key: DestinationKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Adds a key and makes it the active one.
    pub fn active_key(mut self, key: DestinationKey) -> Self {
        self.active = Some(self.keys.len());
        self.keys.push(key);
        self
    }

    /// The service id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Every key, in the order added.
    pub fn keys(&self) -> &[DestinationKey] {
        &self.keys
    }

    /// The active key, if any.
    pub fn active(&self) -> Option<&DestinationKey> {
        self.active.and_then(|i| self.keys.get(i))
    }

    /// The key with `kid`.
    pub fn find(&self, kid: &str) -> Option<&DestinationKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

/// A policy: which destination a payload is protected for, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The policy number (`"RBC-TRANSFER-001"`).
    pub number: String,
    /// The destination service's id.
    pub service: String,
    /// Whether the policy is active.
    pub active: bool,
    /// What protect does while the policy is inactive.
    pub failure_mode: FailureMode,
    /// Who holds the destination's private key.
    pub key_ownership: KeyOwnership,
    /// Key management algorithm (default RSA-OAEP, as in the documented example header).
    pub alg: KeyManagementAlgorithm,
    /// Content encryption (default A256GCM).
    pub enc: ContentEncryption,
}

impl Policy {
    /// An active, managed policy with failure mode `error`, RSA-OAEP and A256GCM.
    pub fn new(number: impl Into<String>, service: impl Into<String>) -> Self {
        Policy {
            number: number.into(),
            service: service.into(),
            active: true,
            failure_mode: FailureMode::Error,
            key_ownership: KeyOwnership::Managed,
            alg: KeyManagementAlgorithm::RsaOaep,
            enc: ContentEncryption::A256Gcm,
        }
    }

    /// The same policy, inactive, with failure mode `mode`.
    pub fn inactive(mut self, mode: FailureMode) -> Self {
        self.active = false;
        self.failure_mode = mode;
        self
    }

    /// The same policy with key ownership `ownership`.
    pub fn ownership(mut self, ownership: KeyOwnership) -> Self {
        self.key_ownership = ownership;
        self
    }

    /// The same policy with key management algorithm `alg`.
    pub fn alg(mut self, alg: KeyManagementAlgorithm) -> Self {
        self.alg = alg;
        self
    }

    /// The same policy with content encryption `enc`.
    pub fn enc(mut self, enc: ContentEncryption) -> Self {
        self.enc = enc;
        self
    }
}

/// The SHA-256 of an API key, lowercase hex: what the configuration stores.
pub fn hash_api_key(secret: &str, provider: &dyn CryptoProvider) -> String {
    hex::encode(provider.sha256(secret.as_bytes()))
}

/// An API key, stored only as its SHA-256 hash, bound to a default policy and the policies it may
/// use (the default one included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    id: String,
    hash: [u8; 32],
    default_policy: String,
    policies: BTreeSet<String>,
}

impl ApiKey {
    /// A key from its SHA-256 hash in hex (64 hex digits, either case). `id` names the key in the
    /// audit log.
    pub fn from_hash(
        id: impl Into<String>,
        sha256_hex: &str,
        default_policy: impl Into<String>,
    ) -> Result<Self, Error> {
        let id = id.into();
        let mut hash = [0u8; 32];
        hex::decode_to_slice(sha256_hex, &mut hash).map_err(|_| {
            Error::config(
                format!("api key {id:?}"),
                format!(
                    "expected \"sha256\" to be 64 hex digits (the SHA-256 of the key), found {} characters{}",
                    sha256_hex.chars().count(),
                    if sha256_hex.chars().all(|c| c.is_ascii_hexdigit()) {
                        ""
                    } else {
                        " with non-hex digits"
                    }
                ),
            )
        })?;
        let default_policy = default_policy.into();
        Ok(ApiKey {
            id,
            hash,
            policies: BTreeSet::from([default_policy.clone()]),
            default_policy,
        })
    }

    /// A key from the secret itself (hashed here; the secret is not kept).
    pub fn from_secret(
        id: impl Into<String>,
        secret: &str,
        default_policy: impl Into<String>,
        provider: &dyn CryptoProvider,
    ) -> Self {
        let default_policy = default_policy.into();
        ApiKey {
            id: id.into(),
            hash: provider.sha256(secret.as_bytes()),
            policies: BTreeSet::from([default_policy.clone()]),
            default_policy,
        }
    }

    /// The same key, also allowed to use `policy`.
    pub fn allow(mut self, policy: impl Into<String>) -> Self {
        self.policies.insert(policy.into());
        self
    }

    /// The key's id (for the audit log; not secret).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The default policy.
    pub fn default_policy(&self) -> &str {
        &self.default_policy
    }

    /// Every policy the key may use.
    pub fn policies(&self) -> impl Iterator<Item = &str> {
        self.policies.iter().map(String::as_str)
    }
}

/// How a request ended, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Protect encrypted the payload.
    Encrypted,
    /// Protect passed the payload through (inactive policy, passthrough mode).
    PassedThrough,
    /// Protect dropped the payload (inactive policy, drop mode).
    Dropped,
    /// Unprotect decrypted the payload.
    Decrypted,
    /// The request was answered with this error.
    Failed(ErrorCode),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Encrypted => f.write_str("encrypted"),
            Outcome::PassedThrough => f.write_str("passed_through"),
            Outcome::Dropped => f.write_str("dropped"),
            Outcome::Decrypted => f.write_str("decrypted"),
            Outcome::Failed(code) => f.write_str(code.as_str()),
        }
    }
}

/// One audit log line: who did what under which policy, how it ended and how long it took. It
/// never holds the payload, the API key or key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// The request id.
    pub request_id: String,
    /// The API key's id, once authenticated.
    pub key_id: Option<String>,
    /// The policy number the request resolved to or asked for (at most 128 characters).
    pub policy: Option<String>,
    /// The operation.
    pub operation: Operation,
    /// How it ended.
    pub outcome: Outcome,
    /// The HTTP status answered.
    pub status: u16,
    /// Time spent (the engine's own; a server sets it to the whole request's).
    pub latency: Duration,
}

impl AuditRecord {
    /// The record as one JSON line (no trailing newline):
    /// `{"audit":"4quays","requestId":..,"keyId":..,"policy":..,"operation":..,"outcome":..,"status":..,"latencyMs":..}`.
    pub fn to_json_line(&self) -> String {
        let value = serde_json::json!({
            "audit": "4quays",
            "requestId": self.request_id,
            "keyId": self.key_id,
            "policy": self.policy,
            "operation": self.operation.name(),
            "outcome": self.outcome.to_string(),
            "status": self.status,
            "latencyMs": (self.latency.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
        });
        value.to_string()
    }
}

/// An answer: the HTTP response and the audit record for it.
#[derive(Debug)]
pub struct Handled {
    /// The response (JSON body, `Content-Type: application/json`, `X-Request-Id`).
    pub response: Response<Vec<u8>>,
    /// The audit record.
    pub audit: AuditRecord,
}

/// Builds an [`Engine`]; [`EngineBuilder::build`] checks that every reference resolves.
#[derive(Debug)]
pub struct EngineBuilder {
    provider: &'static dyn CryptoProvider,
    limits: Limits,
    max_body_bytes: usize,
    services: Vec<DestinationService>,
    policies: Vec<Policy>,
    api_keys: Vec<ApiKey>,
}

impl EngineBuilder {
    /// Adds a destination service.
    pub fn service(mut self, service: DestinationService) -> Self {
        self.services.push(service);
        self
    }

    /// Adds a policy.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policies.push(policy);
        self
    }

    /// Adds an API key.
    pub fn api_key(mut self, key: ApiKey) -> Self {
        self.api_keys.push(key);
        self
    }

    /// The largest request body accepted (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// The JOSE parsing limits (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Checks the configuration and builds the engine. Errors name the bad entry: duplicate ids,
    /// a policy naming an unknown service or a key its `alg` does not fit, an API key naming an
    /// unknown policy.
    pub fn build(self) -> Result<Engine, Error> {
        let mut services = HashMap::new();
        for service in self.services {
            let entry = format!("services[{:?}]", service.id);
            if service.id.is_empty() {
                return Err(Error::config(entry, "expected a non-empty id, found \"\""));
            }
            let mut kids = BTreeSet::new();
            for key in &service.keys {
                if key.kid.is_empty() || !kids.insert(key.kid.as_str()) {
                    return Err(Error::config(
                        format!("{entry}.keys[{:?}]", key.kid),
                        "expected a non-empty kid unique within the service, found an empty or repeated one",
                    ));
                }
            }
            let id = service.id.clone();
            if services.insert(id, Arc::new(service)).is_some() {
                return Err(Error::config(
                    entry,
                    "expected a unique service id, found it twice",
                ));
            }
        }
        let mut policies = HashMap::new();
        for policy in self.policies {
            let entry = format!("policies[{:?}]", policy.number);
            if policy.number.is_empty()
                || policy.number.chars().count() > validate::MAX_POLICY_NUMBER_CHARS
            {
                return Err(Error::config(
                    entry,
                    format!(
                        "expected a policy number of 1 to {} characters",
                        validate::MAX_POLICY_NUMBER_CHARS
                    ),
                ));
            }
            let service = services.get(&policy.service).ok_or_else(|| {
                Error::config(
                    entry.clone(),
                    format!(
                        "expected \"service\" to name a configured service, found {:?}",
                        policy.service
                    ),
                )
            })?;
            for key in &service.keys {
                EncryptingKey::new(key.public.clone(), policy.alg).map_err(|e| {
                    Error::config(
                        entry.clone(),
                        format!(
                            "key {:?} of service {:?} cannot be used with {}: {e}",
                            key.kid, policy.service, policy.alg
                        ),
                    )
                })?;
            }
            let number = policy.number.clone();
            if policies.insert(number, policy).is_some() {
                return Err(Error::config(
                    entry,
                    "expected a unique policy number, found it twice",
                ));
            }
        }
        let mut api_keys = HashMap::new();
        let mut ids = BTreeSet::new();
        for key in self.api_keys {
            let entry = format!("api_keys[{:?}]", key.id);
            if key.id.is_empty() || !ids.insert(key.id.clone()) {
                return Err(Error::config(
                    entry,
                    "expected a non-empty id unique among the API keys, found an empty or repeated one",
                ));
            }
            for policy in &key.policies {
                if !policies.contains_key(policy) {
                    return Err(Error::config(
                        entry,
                        format!("expected a configured policy, found {policy:?}"),
                    ));
                }
            }
            if api_keys.insert(key.hash, key).is_some() {
                return Err(Error::config(
                    entry,
                    "expected a hash no other API key has, found a repeated one",
                ));
            }
        }
        Ok(Engine {
            provider: self.provider,
            limits: self.limits,
            max_body_bytes: self.max_body_bytes,
            services: RwLock::new(services),
            policies,
            api_keys,
        })
    }
}

/// The 4Quays service logic, sans-IO: share it (`Arc<Engine>`) between threads; every method takes
/// `&self`.
///
/// ```
/// # fn main() -> Result<(), jose_4quays::Error> {
/// use jose::{KeySpec, PrivateKey};
/// use jose_4quays::engine::{ApiKey, DestinationKey, DestinationService, Engine, Policy};
/// use jose_4quays::Operation;
///
/// let provider = jose::default_provider();
/// let key = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?;
/// let engine = Engine::builder(provider)
///     .service(DestinationService::new("bank").active_key(DestinationKey::managed("bank-1", key)?))
///     .policy(Policy::new("BANK-001", "bank"))
///     .api_key(ApiKey::from_secret("partner", "sk_test_123", "BANK-001", provider))
///     .build()?;
///
/// let request = http::Request::post(Operation::Protect.path())
///     .header("authorization", "Bearer sk_test_123")
///     .header("content-type", "application/json")
///     .header("x-request-id", "req-1")
///     .body(br#"{"payload":{"amount":5000}}"#.to_vec())
///     .map_err(|e| jose_4quays::Error::Server(e.to_string()))?;
/// let answer = engine.handle(Operation::Protect, &request);
/// assert_eq!(answer.response.status(), 200);
/// assert_eq!(answer.audit.request_id, "req-1");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Engine {
    provider: &'static dyn CryptoProvider,
    limits: Limits,
    max_body_bytes: usize,
    services: RwLock<HashMap<String, Arc<DestinationService>>>,
    policies: HashMap<String, Policy>,
    api_keys: HashMap<[u8; 32], ApiKey>,
}

/// A refusal on the way to an answer.
struct Failure {
    code: ErrorCode,
    details: Option<Vec<ErrorDetail>>,
}

impl Failure {
    fn code(code: ErrorCode) -> Self {
        Failure {
            code,
            details: None,
        }
    }

    fn invalid(details: Vec<ErrorDetail>) -> Self {
        Failure {
            code: ErrorCode::InvalidRequest,
            details: Some(details),
        }
    }
}

/// What a request carries as its body.
enum Body<'a> {
    Bytes(&'a [u8]),
    TooLarge,
}

/// The per-request context the audit record is built from.
struct Context {
    operation: Operation,
    request_id: String,
    key_id: Option<String>,
    policy: Option<String>,
    /// The policy number as asked, for the `POLICY_NOT_FOUND` message.
    asked_policy: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PassthroughBody<'a> {
    request_id: &'a str,
    message_type: &'static str,
    operations: [&'static str; 0],
    payload: &'a RawValue,
    warning: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DroppedBody<'a> {
    request_id: &'a str,
    message_type: &'static str,
    operations: [&'static str; 0],
    dropped: bool,
    message: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UnprotectBody<'a> {
    request_id: &'a str,
    operations: [&'static str; 1],
    payload: &'a RawValue,
}

impl Engine {
    /// Starts building an engine that does its crypto with `provider`.
    pub fn builder(provider: &'static dyn CryptoProvider) -> EngineBuilder {
        EngineBuilder {
            provider,
            limits: Limits::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            services: Vec::new(),
            policies: Vec::new(),
            api_keys: Vec::new(),
        }
    }

    /// The crypto provider.
    pub fn provider(&self) -> &'static dyn CryptoProvider {
        self.provider
    }

    /// The largest request body accepted, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// The JOSE parsing limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A policy by number.
    pub fn policy(&self, number: &str) -> Option<&Policy> {
        self.policies.get(number)
    }

    /// A destination service by id (a snapshot: a later rotation does not change it).
    pub fn service(&self, id: &str) -> Option<Arc<DestinationService>> {
        let services = self.services.read().unwrap_or_else(|e| e.into_inner());
        services.get(id).cloned()
    }

    /// Rotates a service's key: `key` becomes the active key; the previous keys stay, so JWEs made
    /// with them still unprotect (they name their key by `kid`). Every policy of the service must
    /// be able to use the new key.
    pub fn rotate_key(&self, service_id: &str, key: DestinationKey) -> Result<(), Error> {
        let entry = format!("services[{service_id:?}]");
        for policy in self.policies.values().filter(|p| p.service == service_id) {
            EncryptingKey::new(key.public.clone(), policy.alg).map_err(|e| {
                Error::config(
                    entry.clone(),
                    format!(
                        "the new key {:?} cannot be used by policy {:?} ({}): {e}",
                        key.kid, policy.number, policy.alg
                    ),
                )
            })?;
        }
        let mut services = self.services.write().unwrap_or_else(|e| e.into_inner());
        let current = services.get(service_id).ok_or_else(|| {
            Error::config(entry.clone(), "expected a configured service, found none")
        })?;
        if key.kid.is_empty() || current.find(&key.kid).is_some() {
            return Err(Error::config(
                format!("{entry}.keys[{:?}]", key.kid),
                "expected a new, non-empty kid, found an empty or existing one",
            ));
        }
        let rotated = (**current).clone().active_key(key);
        services.insert(service_id.to_owned(), Arc::new(rotated));
        Ok(())
    }

    /// The request id for a request: its `X-Request-Id` if valid, else a new UUID (v4, from the
    /// provider's random generator).
    pub fn request_id(&self, headers: &HeaderMap) -> String {
        headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|id| is_valid_request_id(id))
            .map(str::to_owned)
            .unwrap_or_else(|| self.new_request_id())
    }

    fn new_request_id(&self) -> String {
        let mut bytes = [0u8; 16];
        match self.provider.fill_random(&mut bytes) {
            Ok(()) => uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .to_string(),
            Err(_) => uuid::Uuid::nil().to_string(),
        }
    }

    /// Answers a request to `operation` (the caller routes by method and path: see
    /// [`Operation::from_path`]).
    pub fn handle<B: AsRef<[u8]>>(&self, operation: Operation, request: &Request<B>) -> Handled {
        self.process(
            operation,
            request.headers(),
            Body::Bytes(request.body().as_ref()),
        )
    }

    /// Answers a request whose body was larger than [`Engine::max_body_bytes`] (a server calls this
    /// instead of reading the rest of it): authentication is still checked first.
    pub fn handle_oversized(&self, operation: Operation, headers: &HeaderMap) -> Handled {
        self.process(operation, headers, Body::TooLarge)
    }

    /// A `500 INTERNAL_ERROR` answer for when the server itself failed around the engine.
    pub fn internal_error(&self, operation: Operation, headers: &HeaderMap) -> Handled {
        let started = Instant::now();
        let ctx = Context {
            operation,
            request_id: self.request_id(headers),
            key_id: None,
            policy: None,
            asked_policy: None,
        };
        self.finish(ctx, Err(Failure::code(ErrorCode::InternalError)), started)
    }

    fn process(&self, operation: Operation, headers: &HeaderMap, body: Body<'_>) -> Handled {
        let started = Instant::now();
        let mut ctx = Context {
            operation,
            request_id: self.request_id(headers),
            key_id: None,
            policy: None,
            asked_policy: None,
        };
        let result = self.run(&mut ctx, headers, body);
        self.finish(ctx, result, started)
    }

    fn finish(
        &self,
        ctx: Context,
        result: Result<(Vec<u8>, Outcome), Failure>,
        started: Instant,
    ) -> Handled {
        let (status, body, outcome) = match result {
            Ok((body, outcome)) => (StatusCode::OK, body, outcome),
            Err(failure) => {
                let error = ErrorBody::new(
                    failure.code,
                    ctx.operation,
                    ctx.request_id.clone(),
                    ctx.asked_policy.as_deref(),
                    failure.details,
                );
                (
                    status_of(failure.code),
                    to_json(&error),
                    Outcome::Failed(failure.code),
                )
            }
        };
        let mut response = Response::new(body);
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Ok(value) = HeaderValue::from_str(&ctx.request_id) {
            headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
        }
        if outcome == Outcome::Failed(ErrorCode::AuthenticationFailed) {
            headers.insert(
                http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer"),
            );
        }
        Handled {
            response,
            audit: AuditRecord {
                request_id: ctx.request_id,
                key_id: ctx.key_id,
                policy: ctx
                    .policy
                    .map(|p| p.chars().take(validate::MAX_POLICY_NUMBER_CHARS).collect()),
                operation: ctx.operation,
                outcome,
                status: status.as_u16(),
                latency: started.elapsed(),
            },
        }
    }

    fn run(
        &self,
        ctx: &mut Context,
        headers: &HeaderMap,
        body: Body<'_>,
    ) -> Result<(Vec<u8>, Outcome), Failure> {
        let key = self.authenticate(headers)?;
        ctx.key_id = Some(key.id.clone());
        check_content_type(headers)?;
        let body = match body {
            Body::Bytes(bytes) if bytes.len() <= self.max_body_bytes => bytes,
            _ => {
                return Err(Failure::invalid(vec![ErrorDetail::new(
                    "body",
                    format!("expected at most {} bytes, found more", self.max_body_bytes),
                )]));
            }
        };
        match ctx.operation {
            Operation::Protect => self.protect(ctx, key, body),
            Operation::Unprotect => self.unprotect(ctx, key, body),
        }
    }

    fn authenticate(&self, headers: &HeaderMap) -> Result<&ApiKey, Failure> {
        let fail = || Failure::code(ErrorCode::AuthenticationFailed);
        let value = headers.get(AUTHORIZATION).ok_or_else(fail)?;
        let text = value.to_str().map_err(|_| fail())?;
        let (scheme, token) = text.split_once(' ').ok_or_else(fail)?;
        let token = token.trim_matches(' ');
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Err(fail());
        }
        self.api_keys
            .get(&self.provider.sha256(token.as_bytes()))
            .ok_or_else(fail)
    }

    /// The policy a request runs under: the one asked for, or the key's default. One the key may
    /// not use is not found, exactly as an unknown one.
    fn resolve_policy(
        &self,
        ctx: &mut Context,
        key: &ApiKey,
        asked: Option<String>,
    ) -> Result<&Policy, Failure> {
        let number = asked.unwrap_or_else(|| key.default_policy.clone());
        ctx.policy = Some(number.clone());
        ctx.asked_policy = Some(number.clone());
        if !key.policies.contains(&number) {
            return Err(Failure::code(ErrorCode::PolicyNotFound));
        }
        self.policies
            .get(&number)
            .ok_or_else(|| Failure::code(ErrorCode::PolicyNotFound))
    }

    fn protect(
        &self,
        ctx: &mut Context,
        key: &ApiKey,
        body: &[u8],
    ) -> Result<(Vec<u8>, Outcome), Failure> {
        let input = validate::protect(body).map_err(Failure::invalid)?;
        let policy = self.resolve_policy(ctx, key, input.policy)?;
        if !policy.active {
            return match policy.failure_mode {
                FailureMode::Error => Err(Failure::code(ErrorCode::PolicyNotActive)),
                FailureMode::Passthrough => Ok((
                    to_json(&PassthroughBody {
                        request_id: &ctx.request_id,
                        message_type: MESSAGE_TYPE,
                        operations: [],
                        payload: input.payload,
                        warning: PASSTHROUGH_WARNING,
                    }),
                    Outcome::PassedThrough,
                )),
                FailureMode::Drop => Ok((
                    to_json(&DroppedBody {
                        request_id: &ctx.request_id,
                        message_type: MESSAGE_TYPE,
                        operations: [],
                        dropped: true,
                        message: DROPPED_MESSAGE,
                    }),
                    Outcome::Dropped,
                )),
            };
        }
        let service = self
            .service(&policy.service)
            .ok_or_else(|| Failure::code(ErrorCode::DestinationKeyNotFound))?;
        let destination = service
            .active()
            .ok_or_else(|| Failure::code(ErrorCode::DestinationKeyNotFound))?;
        let internal = |_| Failure::code(ErrorCode::InternalError);
        let encrypting =
            EncryptingKey::new(destination.public.clone(), policy.alg).map_err(internal)?;
        let jwe = JweBuilder::new(policy.enc)
            .recipient(&encrypting)
            .encrypt(input.payload.get().as_bytes(), self.provider)
            .map_err(internal)?;
        let envelope =
            JweEnvelope::from_jwe(&jwe).map_err(|_| Failure::code(ErrorCode::InternalError))?;
        let body = Protected {
            request_id: ctx.request_id.clone(),
            message_type: MESSAGE_TYPE.to_owned(),
            operations: vec![OPERATION_ENCRYPT.to_owned()],
            jwe: envelope,
        };
        Ok((to_json(&body), Outcome::Encrypted))
    }

    fn unprotect(
        &self,
        ctx: &mut Context,
        key: &ApiKey,
        body: &[u8],
    ) -> Result<(Vec<u8>, Outcome), Failure> {
        let input = validate::unprotect(body, &self.limits).map_err(Failure::invalid)?;
        let jwe = match input.source {
            Source::Jwe(jwe) | Source::Legacy(Some(jwe)) => jwe,
            Source::Legacy(None) => {
                return Err(Failure::code(ErrorCode::InvalidProtectedPayload));
            }
        };
        let policy = self.resolve_policy(ctx, key, input.policy)?;
        if !policy.active {
            return Err(Failure::code(ErrorCode::PolicyNotActive));
        }
        if policy.key_ownership == KeyOwnership::DestinationManaged {
            return Err(Failure::code(ErrorCode::UnprotectNotAvailable));
        }
        let service = self
            .service(&policy.service)
            .ok_or_else(|| Failure::code(ErrorCode::DestinationKeyNotFound))?;
        let active = service
            .active()
            .and_then(DestinationKey::private_key)
            .ok_or_else(|| Failure::code(ErrorCode::DestinationKeyNotFound))?;
        let plaintext = self
            .open(&jwe, &service, active, policy)
            .ok_or_else(|| Failure::code(ErrorCode::InternalError))?;
        let body = UnprotectBody {
            request_id: &ctx.request_id,
            operations: [OPERATION_DECRYPT],
            payload: &plaintext,
        };
        Ok((to_json(&body), Outcome::Decrypted))
    }

    /// Decrypts with the key the JWE names by `kid` (the active key if it names none). `None` for
    /// every failure: the caller answers the same opaque error whatever went wrong.
    fn open(
        &self,
        jwe: &Jwe,
        service: &DestinationService,
        active: &PrivateKey,
        policy: &Policy,
    ) -> Option<Box<RawValue>> {
        let private = match jwe.protected_header().kid().ok()? {
            Some(kid) => service.find(kid)?.private_key()?,
            None => active,
        };
        let decrypting = DecryptingKey::new(private.clone(), policy.alg).ok()?;
        let out = jwe
            .decrypt(&[decrypting], &[policy.enc], self.provider)
            .ok()?;
        let text = std::str::from_utf8(&out.plaintext).ok()?;
        RawValue::from_string(text.to_owned()).ok()
    }
}

/// Whether a client's `X-Request-Id` is used as is: 1 to [`MAX_REQUEST_ID_LEN`] characters of
/// `A-Z a-z 0-9 . _ : -`.
pub fn is_valid_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// `Content-Type` must be `application/json`, with a UTF-8 `charset` if it names one.
fn check_content_type(headers: &HeaderMap) -> Result<(), Failure> {
    let bad = |found: String| {
        Failure::invalid(vec![ErrorDetail::new(
            "Content-Type",
            format!("expected application/json, found {found}"),
        )])
    };
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Err(bad("no Content-Type header".into()));
    };
    let Ok(text) = value.to_str() else {
        return Err(bad("a header value that is not visible ASCII".into()));
    };
    let mut parts = text.split(';');
    let media = parts.next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(bad(format!(
            "{:?}",
            media.chars().take(64).collect::<String>()
        )));
    }
    for parameter in parts {
        if let Some((name, value)) = parameter.split_once('=') {
            let value = value.trim().trim_matches('"');
            if name.trim().eq_ignore_ascii_case("charset")
                && !value.eq_ignore_ascii_case("utf-8")
                && !value.eq_ignore_ascii_case("utf8")
            {
                return Err(bad(format!(
                    "charset {:?}",
                    value.chars().take(32).collect::<String>()
                )));
            }
        }
    }
    Ok(())
}

fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Serializes a body. The bodies are plain structs of strings, arrays and raw JSON, which always
/// serialize; the fallback is only there so that no path can panic.
fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| {
        br#"{"error":{"code":"INTERNAL_ERROR","message":"Protection operation failed"},"requestId":""}"#
            .to_vec()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids() {
        for ok in [
            "req_abc123",
            "550e8400-e29b-41d4-a716-446655440000",
            "a.b:c",
            "x",
        ] {
            assert!(is_valid_request_id(ok), "{ok}");
        }
        let long = "a".repeat(MAX_REQUEST_ID_LEN + 1);
        for bad in [
            "",
            "has space",
            "semi;colon",
            "é",
            "new\nline",
            long.as_str(),
        ] {
            assert!(!is_valid_request_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn content_types() {
        let check = |v: Option<&str>| {
            let mut h = HeaderMap::new();
            if let Some(v) = v {
                h.insert(CONTENT_TYPE, HeaderValue::from_str(v).unwrap());
            }
            check_content_type(&h).is_ok()
        };
        assert!(check(Some("application/json")));
        assert!(check(Some("Application/JSON; charset=UTF-8")));
        assert!(check(Some("application/json;charset=\"utf-8\"")));
        assert!(!check(None));
        assert!(!check(Some("text/plain")));
        assert!(!check(Some("application/json; charset=latin1")));
        assert!(!check(Some("application/jsonx")));
    }

    #[test]
    fn audit_lines_are_json() {
        let record = AuditRecord {
            request_id: "r-1".into(),
            key_id: Some("partner".into()),
            policy: Some("P\"1\n".into()),
            operation: Operation::Unprotect,
            outcome: Outcome::Failed(ErrorCode::PolicyNotFound),
            status: 404,
            latency: Duration::from_micros(1500),
        };
        let line = record.to_json_line();
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["outcome"], "POLICY_NOT_FOUND");
        assert_eq!(v["policy"], "P\"1\n");
        assert_eq!(v["operation"], "unprotect");
        assert_eq!(v["latencyMs"], 1.5);
    }
}
