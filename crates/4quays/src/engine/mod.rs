//! The service side, sans-IO: destination services and their keys, policies, API keys, and
//! [`Engine::handle`], which turns an `http::Request` into the documented `http::Response`.
//!
//! # What a request goes through
//!
//! 1. **Request id**: the `X-Request-Id` header when it is valid (1 to 128 visible ASCII
//!    characters, `!` to `~`: no space, no control character), else a new random UUID. It is in every body and echoed in the
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
//!      service's keys that are not retired (so JWEs made before a rotation still open), the
//!      active key when there is no `kid`. The JWE must be bound to the policy the request runs
//!      under: protect writes the policy number into the protected header as [`POLICY_HEADER`]
//!      (which AES-GCM authenticates), and unprotect opens only an envelope whose binding names
//!      the request's policy, or one with no binding at all where the policy says
//!      [`Policy::accept_unbound`]. Any failure from there on (another policy's envelope, unknown
//!      or retired `kid`, wrong `alg`/`enc`, bad tag, plaintext that is not JSON) is the same
//!      `500 INTERNAL_ERROR`, with no detail of why.
//!
//! Steps 1 to 3 need only the headers: a server calls [`Engine::admit`] for them before it reads
//! any of the body, then [`Engine::complete`] with the body (or [`Engine::refuse`] when the body
//! is too large, too slow, or the service is overloaded). [`Engine::handle`] does both at once.

mod audit;
mod builder;
mod model;

pub use audit::{AuditRecord, Handled, Outcome};
pub use builder::EngineBuilder;
pub use model::{
    ApiKey, DestinationKey, DestinationService, FailureMode, KeyOwnership, Policy, hash_api_key,
};

use crate::error::Error;
use crate::types::{
    DROPPED_MESSAGE, ErrorBody, ErrorCode, ErrorDetail, JweEnvelope, MESSAGE_TYPE,
    OPERATION_DECRYPT, OPERATION_ENCRYPT, Operation, PASSTHROUGH_WARNING, Protected,
};
use crate::validate::{self, Source};
use http::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue,
};
use http::{Request, Response, StatusCode};
use jose::jwe::{Jwe, JweBuilder};
use jose::media::{APPLICATION_JSON, MediaType};
use jose::{CryptoProvider, DecryptingKey, EncryptingKey, Header, Limits, PrivateKey};
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

/// The request id header, `X-Request-Id`.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Longest accepted client request id, in bytes.
pub const MAX_REQUEST_ID_LEN: usize = 128;
/// Default body size limit: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The 4Quays service logic, sans-IO: share it (`Arc<Engine>`) between threads; every method takes
/// `&self`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
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
///     .body(br#"{"payload":{"amount":5000}}"#.to_vec())?;
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
    api_keys: HashMap<[u8; 32], Arc<ApiKey>>,
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

/// A request that passed everything its headers can tell (the request id, the Bearer key, the
/// `Content-Type`, a declared `Content-Length` within the limit): the server reads its body only
/// after [`Engine::admit`] returned one, and answers it with [`Engine::complete`] or
/// [`Engine::refuse`] on the same engine.
#[derive(Debug, Clone)]
pub struct Admitted {
    operation: Operation,
    request_id: String,
    key: Arc<ApiKey>,
    started: Instant,
}

impl Admitted {
    /// The operation asked for.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The request id (the client's valid `X-Request-Id`, or a new UUID).
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The authenticated API key's id (never the key).
    pub fn key_id(&self) -> &str {
        &self.key.id
    }

    fn context(&self) -> Context {
        Context {
            operation: self.operation,
            request_id: self.request_id.clone(),
            key_id: Some(self.key.id.clone()),
            policy: None,
            asked_policy: None,
        }
    }
}

/// Why the server answers an admitted request without running the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The body is larger than [`Engine::max_body_bytes`]: `400 INVALID_REQUEST`, detail `body`.
    BodyTooLarge,
    /// The body did not arrive within the body read timeout: `408 REQUEST_TIMEOUT`.
    BodyTimeout,
    /// The connection ended (or broke) before the whole body arrived: `400 INVALID_REQUEST`,
    /// detail `body`.
    BodyIncomplete,
    /// Too many requests in flight, or the operation did not finish in time:
    /// `503 SERVICE_UNAVAILABLE` with `Retry-After`.
    Overloaded,
    /// The server failed around the engine: `500 INTERNAL_ERROR`.
    Internal,
}

/// The protected header member that binds a JWE to the policy it was protected under: the
/// policy number, a string. AES-GCM authenticates the protected header, so it cannot be changed
/// without the envelope failing to decrypt.
pub const POLICY_HEADER: &str = "x-4quays-policy";

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
        if key.retired {
            return Err(Error::config(
                format!("{entry}.keys[{:?}]", key.kid),
                "expected a key that is not retired to make active, found a retired one",
            ));
        }
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
        match self.admit(operation, request.headers()) {
            Ok(admitted) => self.complete(admitted, request.body().as_ref()),
            Err(refused) => *refused,
        }
    }

    /// Checks what the headers alone can tell, before any of the body is read: the request id,
    /// the Bearer key (`401 AUTHENTICATION_FAILED`), the `Content-Type` and a declared
    /// `Content-Length` over the limit (`400 INVALID_REQUEST`). `Err` is the answer to send.
    pub fn admit(
        &self,
        operation: Operation,
        headers: &HeaderMap,
    ) -> Result<Admitted, Box<Handled>> {
        let started = Instant::now();
        let mut ctx = Context {
            operation,
            request_id: self.request_id(headers),
            key_id: None,
            policy: None,
            asked_policy: None,
        };
        match self.check_headers(&mut ctx, headers) {
            Ok(key) => Ok(Admitted {
                operation,
                request_id: ctx.request_id,
                key: Arc::clone(key),
                started,
            }),
            Err(failure) => Err(Box::new(self.finish(ctx, Err(failure), started))),
        }
    }

    /// Answers an admitted request with its body.
    pub fn complete(&self, admitted: Admitted, body: &[u8]) -> Handled {
        let mut ctx = admitted.context();
        let result = if body.len() > self.max_body_bytes {
            Err(self.too_large())
        } else {
            match ctx.operation {
                Operation::Protect => self.protect(&mut ctx, &admitted.key, body),
                Operation::Unprotect => self.unprotect(&mut ctx, &admitted.key, body),
            }
        };
        self.finish(ctx, result, admitted.started)
    }

    /// Answers an admitted request without running the operation (see [`Refusal`]).
    pub fn refuse(&self, admitted: Admitted, refusal: Refusal) -> Handled {
        let ctx = admitted.context();
        let failure = match refusal {
            Refusal::BodyTooLarge => self.too_large(),
            Refusal::BodyTimeout => Failure::code(ErrorCode::RequestTimeout),
            Refusal::BodyIncomplete => Failure::invalid(vec![ErrorDetail::new(
                "body",
                "expected the whole body, found the connection ended before it",
            )]),
            Refusal::Overloaded => Failure::code(ErrorCode::ServiceUnavailable),
            Refusal::Internal => Failure::code(ErrorCode::InternalError),
        };
        self.finish(ctx, Err(failure), admitted.started)
    }

    fn too_large(&self) -> Failure {
        Failure::invalid(vec![ErrorDetail::new(
            "body",
            format!("expected at most {} bytes, found more", self.max_body_bytes),
        )])
    }

    /// Answers a request whose body was larger than [`Engine::max_body_bytes`] (a server calls this
    /// instead of reading the rest of it): authentication is still checked first.
    pub fn handle_oversized(&self, operation: Operation, headers: &HeaderMap) -> Handled {
        match self.admit(operation, headers) {
            Ok(admitted) => self.refuse(admitted, Refusal::BodyTooLarge),
            Err(refused) => *refused,
        }
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
        match outcome {
            Outcome::Failed(ErrorCode::AuthenticationFailed) => {
                headers.insert(
                    http::header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer"),
                );
            }
            Outcome::Failed(ErrorCode::ServiceUnavailable) => {
                headers.insert(http::header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
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

    fn check_headers(
        &self,
        ctx: &mut Context,
        headers: &HeaderMap,
    ) -> Result<&Arc<ApiKey>, Failure> {
        let key = self.authenticate(headers)?;
        ctx.key_id = Some(key.id.clone());
        check_content_type(headers)?;
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > u64::try_from(self.max_body_bytes).unwrap_or(u64::MAX)) {
            return Err(self.too_large());
        }
        Ok(key)
    }

    fn authenticate(&self, headers: &HeaderMap) -> Result<&Arc<ApiKey>, Failure> {
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
        let mut binding = Header::new();
        binding.set(POLICY_HEADER, policy.number.as_str());
        let jwe = JweBuilder::new(policy.enc)
            .protected(binding)
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

    /// Decrypts with the key the JWE names by `kid` (the active key if it names none), if the JWE
    /// is bound to `policy` ([`POLICY_HEADER`]; an unbound one only if the policy accepts those).
    /// `None` for every failure: the caller answers the same opaque error whatever went wrong.
    fn open(
        &self,
        jwe: &Jwe,
        service: &DestinationService,
        active: &PrivateKey,
        policy: &Policy,
    ) -> Option<Box<RawValue>> {
        let header = jwe.protected_header();
        match header.get(POLICY_HEADER) {
            Some(bound) if bound.as_str() == Some(policy.number.as_str()) => {}
            None if policy.accept_unbound => {}
            _ => return None,
        }
        let private = match header.kid().ok()? {
            Some(kid) => service.find(kid).filter(|k| !k.retired)?.private_key()?,
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

/// Whether a client's `X-Request-Id` is used (and echoed) as is: 1 to [`MAX_REQUEST_ID_LEN`]
/// visible ASCII characters (`!` to `~`), which is any tracing id a caller's stack makes (UUIDs,
/// W3C trace ids, `req_abc123`, `svc/42#7`). Spaces and control characters are refused, so an id
/// never splits a log line or a header; logs write it JSON-escaped.
pub fn is_valid_request_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_REQUEST_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic())
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
    let media = MediaType::parse(text);
    if !media.is(APPLICATION_JSON) {
        return Err(bad(format!(
            "{:?}",
            media.essence().chars().take(64).collect::<String>()
        )));
    }
    if !media.charset_is_utf8() {
        let charset = media.parameter("charset").unwrap_or_default();
        return Err(bad(format!(
            "charset {:?}",
            charset.chars().take(32).collect::<String>()
        )));
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
            "svc/42#7",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "{\"quoted\"}",
            "semi;colon",
        ] {
            assert!(is_valid_request_id(ok), "{ok}");
        }
        let long = "a".repeat(MAX_REQUEST_ID_LEN + 1);
        for bad in [
            "",
            "has space",
            "tab\tinside",
            "é",
            "\u{7f}",
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
}
