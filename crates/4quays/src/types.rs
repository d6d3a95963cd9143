//! The documented request, response and error bodies of `POST /api/v1/protect` and
//! `POST /api/v1/unprotect`, with their field names exactly as on the wire (camelCase, except the
//! members of the `jwe` object, which are RFC 7516's).

use crate::error::Error;
use jose::Limits;
use jose::jwe::Jwe;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The value of `messageType` in every protect response.
pub const MESSAGE_TYPE: &str = "ProtectedPayload";
/// The `warning` of a passthrough response.
pub const PASSTHROUGH_WARNING: &str =
    "Policy is not active \u{2014} payload passed through unprotected";
/// The `message` of a drop response.
pub const DROPPED_MESSAGE: &str = "Policy is not active \u{2014} payload dropped";
/// The operation a successful protect reports.
pub const OPERATION_ENCRYPT: &str = "encrypt";
/// The operation a successful unprotect reports.
pub const OPERATION_DECRYPT: &str = "decrypt";

/// The two endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST /api/v1/protect`.
    Protect,
    /// `POST /api/v1/unprotect`.
    Unprotect,
}

impl Operation {
    /// The endpoint's path.
    pub const fn path(self) -> &'static str {
        match self {
            Operation::Protect => "/api/v1/protect",
            Operation::Unprotect => "/api/v1/unprotect",
        }
    }

    /// `"protect"` or `"unprotect"`.
    pub const fn name(self) -> &'static str {
        match self {
            Operation::Protect => "protect",
            Operation::Unprotect => "unprotect",
        }
    }

    /// The operation served at `path`, if any.
    pub fn from_path(path: &str) -> Option<Self> {
        match path {
            "/api/v1/protect" => Some(Operation::Protect),
            "/api/v1/unprotect" => Some(Operation::Unprotect),
            _ => None,
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The documented error codes, each with its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ErrorCode {
    /// 400: the request failed validation (`details` names each bad field).
    InvalidRequest,
    /// 400: the legacy `protectedPayload` does not parse.
    InvalidProtectedPayload,
    /// 400: unprotect on a policy whose key the destination manages.
    UnprotectNotAvailable,
    /// 401: missing or unknown API key.
    AuthenticationFailed,
    /// 403: the policy is inactive and its failure mode is `error`.
    PolicyNotActive,
    /// 404: no such policy, or one the API key may not use.
    PolicyNotFound,
    /// 500: the destination service has no active key.
    DestinationKeyNotFound,
    /// 500: the operation failed (no detail of why).
    InternalError,
    /// 404: no such endpoint (the service's own answer, not in the 4Quays documents).
    NotFound,
    /// 405: the endpoint exists but not for this method (`Allow` names the one it takes).
    MethodNotAllowed,
    /// 408: the request body did not arrive within the service's body read timeout.
    RequestTimeout,
    /// 503: the service is at its in-flight limit or the operation did not finish in time;
    /// `Retry-After` says when to try again.
    ServiceUnavailable,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidProtectedPayload,
        ErrorCode::UnprotectNotAvailable,
        ErrorCode::AuthenticationFailed,
        ErrorCode::PolicyNotActive,
        ErrorCode::PolicyNotFound,
        ErrorCode::DestinationKeyNotFound,
        ErrorCode::InternalError,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::RequestTimeout,
        ErrorCode::ServiceUnavailable,
    ];

    /// The HTTP status the code is answered with.
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidRequest
            | ErrorCode::InvalidProtectedPayload
            | ErrorCode::UnprotectNotAvailable => 400,
            ErrorCode::AuthenticationFailed => 401,
            ErrorCode::PolicyNotActive => 403,
            ErrorCode::PolicyNotFound | ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::DestinationKeyNotFound | ErrorCode::InternalError => 500,
            ErrorCode::ServiceUnavailable => 503,
        }
    }

    /// The code as written on the wire (`"INVALID_REQUEST"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "INVALID_REQUEST",
            ErrorCode::InvalidProtectedPayload => "INVALID_PROTECTED_PAYLOAD",
            ErrorCode::UnprotectNotAvailable => "UNPROTECT_NOT_AVAILABLE",
            ErrorCode::AuthenticationFailed => "AUTHENTICATION_FAILED",
            ErrorCode::PolicyNotActive => "POLICY_NOT_ACTIVE",
            ErrorCode::PolicyNotFound => "POLICY_NOT_FOUND",
            ErrorCode::DestinationKeyNotFound => "DESTINATION_KEY_NOT_FOUND",
            ErrorCode::InternalError => "INTERNAL_ERROR",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::RequestTimeout => "REQUEST_TIMEOUT",
            ErrorCode::ServiceUnavailable => "SERVICE_UNAVAILABLE",
        }
    }

    /// The documented `message` for this code on `operation`. `POLICY_NOT_FOUND` appends the policy
    /// number to this prefix (`"Policy not found: INVALID-POLICY"`).
    pub const fn message(self, operation: Operation) -> &'static str {
        match (self, operation) {
            (ErrorCode::InvalidRequest, _) => "Request validation failed",
            (ErrorCode::InvalidProtectedPayload, _) => "Invalid protected payload format",
            (ErrorCode::UnprotectNotAvailable, _) => {
                "Unprotect is not available for destination-managed key policies"
            }
            (ErrorCode::AuthenticationFailed, _) => "Invalid or missing API key",
            (ErrorCode::PolicyNotActive, _) => "Policy is not active",
            (ErrorCode::PolicyNotFound, _) => "Policy not found: ",
            (ErrorCode::DestinationKeyNotFound, Operation::Protect) => {
                "Destination service public key not found"
            }
            (ErrorCode::DestinationKeyNotFound, Operation::Unprotect) => {
                "Destination service private key not found"
            }
            (ErrorCode::InternalError, Operation::Protect) => "Protection operation failed",
            (ErrorCode::InternalError, Operation::Unprotect) => "Unprotection operation failed",
            (ErrorCode::NotFound, _) => "No such endpoint",
            (ErrorCode::MethodNotAllowed, _) => "Method not allowed",
            (ErrorCode::RequestTimeout, _) => "Request body not received in time",
            (ErrorCode::ServiceUnavailable, _) => "Service overloaded, retry later",
        }
    }

    /// Parses a code as written on the wire.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of `error.details` in an `INVALID_REQUEST` answer: which field, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// The field: `payload`, `policyNumber`, `jwe`, `jwe.iv`, `protectedPayload`, `body`, or the
    /// header `Content-Type`.
    pub field: String,
    /// What was expected and what was found (never the field's value).
    pub message: String,
}

impl ErrorDetail {
    /// A detail for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorDetail {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The `error` member of an error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// The code.
    pub code: ErrorCode,
    /// The documented message.
    pub message: String,
    /// For `INVALID_REQUEST`: one entry per bad field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<ErrorDetail>>,
}

/// An error body: `{"error": {"code", "message", "details"?}, "requestId"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorInfo,
    /// The request id.
    pub request_id: String,
}

impl ErrorBody {
    /// The body of a service-level error (`NOT_FOUND`, `METHOD_NOT_ALLOWED`, `REQUEST_TIMEOUT`,
    /// `SERVICE_UNAVAILABLE`), whose message does not depend on an operation.
    pub fn service(code: ErrorCode, request_id: impl Into<String>) -> Self {
        ErrorBody::new(code, Operation::Protect, request_id, None, None)
    }

    /// The body the service answers for `code` on `operation`. `policy` is appended to the message
    /// of `POLICY_NOT_FOUND`; `details` is kept for `INVALID_REQUEST` only.
    pub fn new(
        code: ErrorCode,
        operation: Operation,
        request_id: impl Into<String>,
        policy: Option<&str>,
        details: Option<Vec<ErrorDetail>>,
    ) -> Self {
        let mut message = code.message(operation).to_owned();
        if code == ErrorCode::PolicyNotFound {
            message.push_str(policy.unwrap_or_default());
        }
        ErrorBody {
            error: ErrorInfo {
                code,
                message,
                details: if code == ErrorCode::InvalidRequest {
                    Some(details.unwrap_or_default())
                } else {
                    None
                },
            },
            request_id: request_id.into(),
        }
    }
}

/// A JWE in flattened JSON serialization (RFC 7516 section 7.2.2), as the `jwe` member carries it.
/// Treat it as opaque; [`JweEnvelope::to_jwe`] parses it and [`crate::destination::open`] decrypts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JweEnvelope {
    /// The base64url-encoded protected header (`alg`, `kid`, `enc`).
    pub protected: String,
    /// The base64url-encoded encrypted content encryption key.
    pub encrypted_key: String,
    /// The base64url-encoded initialization vector.
    pub iv: String,
    /// The base64url-encoded ciphertext.
    pub ciphertext: String,
    /// The base64url-encoded authentication tag.
    pub tag: String,
}

/// The members of a [`JweEnvelope`], in order.
pub const JWE_MEMBERS: [&str; 5] = ["protected", "encrypted_key", "iv", "ciphertext", "tag"];

impl JweEnvelope {
    /// The envelope of a JWE with one recipient, no unprotected headers and no AAD.
    pub fn from_jwe(jwe: &Jwe) -> Result<Self, Error> {
        if jwe.unprotected_header().is_some() || jwe.aad_b64().is_some() {
            return Err(Error::input(
                "JWE",
                "no unprotected header and no AAD (the envelope has five members)",
                "an unprotected header or AAD",
            ));
        }
        let recipient = match jwe.recipients() {
            [one] if one.header().is_none() => one,
            [_] => {
                return Err(Error::input(
                    "JWE",
                    "no per-recipient header",
                    "a per-recipient header",
                ));
            }
            many => {
                return Err(Error::input(
                    "JWE",
                    "exactly one recipient",
                    format!("{} recipients", many.len()),
                ));
            }
        };
        Ok(JweEnvelope {
            protected: jwe.protected_b64().to_owned(),
            encrypted_key: jose::b64::encode(recipient.encrypted_key()),
            iv: jose::b64::encode(jwe.iv()),
            ciphertext: jose::b64::encode(jwe.ciphertext()),
            tag: jose::b64::encode(jwe.tag()),
        })
    }

    /// Parses the envelope into a [`Jwe`] (strict base64url, strict header JSON, size limits).
    pub fn to_jwe(&self, limits: &Limits) -> Result<Jwe, Error> {
        Ok(Jwe::from_compact(&self.to_compact(), limits)?)
    }

    /// The same JWE in compact serialization.
    pub fn to_compact(&self) -> String {
        format!(
            "{}.{}.{}.{}.{}",
            self.protected, self.encrypted_key, self.iv, self.ciphertext, self.tag
        )
    }

    /// The envelope of a compact JWE.
    pub fn from_compact(token: &str, limits: &Limits) -> Result<Self, Error> {
        Self::from_jwe(&Jwe::from_compact(token, limits)?)
    }

    /// The legacy `protectedPayload` form of this JWE: the base64url encoding (unpadded) of its
    /// compact serialization. See [`crate::legacy`].
    pub fn to_protected_payload(&self) -> String {
        crate::legacy::encode(&self.to_compact())
    }

    /// The `kid` of the protected header, if the header decodes and has one.
    pub fn kid(&self, limits: &Limits) -> Option<String> {
        let jwe = self.to_jwe(limits).ok()?;
        let kid = jwe.protected_header().kid().ok().flatten()?;
        Some(kid.to_owned())
    }
}

/// The body of `POST /api/v1/protect`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtectRequest {
    /// The plaintext: any JSON value (object, array, string, number, boolean, even `null`); only a
    /// missing `payload` member is refused.
    pub payload: Value,
    /// The policy; without it the API key's default policy applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_number: Option<String>,
}

impl ProtectRequest {
    /// A request for `payload` under the API key's default policy.
    pub fn new(payload: Value) -> Self {
        ProtectRequest {
            payload,
            policy_number: None,
        }
    }

    /// The same request under policy `number`.
    pub fn policy(mut self, number: impl Into<String>) -> Self {
        self.policy_number = Some(number.into());
        self
    }
}

/// The body of `POST /api/v1/unprotect`: exactly one of `jwe` and `protectedPayload`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnprotectRequest {
    /// The JWE envelope (preferred).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwe: Option<JweEnvelope>,
    /// The legacy form: see [`crate::legacy`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected_payload: Option<String>,
    /// The policy; without it the API key's default policy applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_number: Option<String>,
}

impl UnprotectRequest {
    /// A request to unprotect `envelope`.
    pub fn jwe(envelope: JweEnvelope) -> Self {
        UnprotectRequest {
            jwe: Some(envelope),
            protected_payload: None,
            policy_number: None,
        }
    }

    /// A request to unprotect a legacy `protectedPayload`.
    pub fn protected_payload(legacy: impl Into<String>) -> Self {
        UnprotectRequest {
            jwe: None,
            protected_payload: Some(legacy.into()),
            policy_number: None,
        }
    }

    /// The same request under policy `number`.
    pub fn policy(mut self, number: impl Into<String>) -> Self {
        self.policy_number = Some(number.into());
        self
    }
}

/// A successful protect: the payload encrypted under the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Protected {
    /// The request id.
    pub request_id: String,
    /// Always `"ProtectedPayload"`.
    pub message_type: String,
    /// `["encrypt"]`.
    pub operations: Vec<String>,
    /// The JWE envelope to hand to the destination.
    pub jwe: JweEnvelope,
}

/// A protect under an inactive policy in passthrough mode: the payload, unprotected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Passthrough {
    /// The request id.
    pub request_id: String,
    /// Always `"ProtectedPayload"`.
    pub message_type: String,
    /// `[]`.
    pub operations: Vec<String>,
    /// The payload as sent.
    pub payload: Value,
    /// [`PASSTHROUGH_WARNING`].
    pub warning: String,
}

/// A protect under an inactive policy in drop mode: the payload was discarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dropped {
    /// The request id.
    pub request_id: String,
    /// Always `"ProtectedPayload"`.
    pub message_type: String,
    /// `[]`.
    pub operations: Vec<String>,
    /// `true`.
    pub dropped: bool,
    /// [`DROPPED_MESSAGE`].
    pub message: String,
}

/// The three documented forms of a 200 answer to protect.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ProtectResponse {
    /// Encrypted: `jwe`.
    Protected(Protected),
    /// Passed through: `payload` and `warning`.
    Passthrough(Passthrough),
    /// Dropped: `dropped: true` and `message`.
    Dropped(Dropped),
}

impl ProtectResponse {
    /// The request id.
    pub fn request_id(&self) -> &str {
        match self {
            ProtectResponse::Protected(p) => &p.request_id,
            ProtectResponse::Passthrough(p) => &p.request_id,
            ProtectResponse::Dropped(p) => &p.request_id,
        }
    }

    /// The envelope, when the payload was encrypted.
    pub fn jwe(&self) -> Option<&JweEnvelope> {
        match self {
            ProtectResponse::Protected(p) => Some(&p.jwe),
            _ => None,
        }
    }

    /// Parses a 200 body, telling the three forms apart by their members (`jwe`, `payload`,
    /// `dropped`). Anything else is [`Error::UnexpectedResponse`].
    pub fn from_json(body: &[u8]) -> Result<Self, Error> {
        const EXPECTED: &str = "a protect response with messageType \"ProtectedPayload\" and one of jwe, payload or dropped";
        let unexpected = |found: String| Error::UnexpectedResponse {
            status: 200,
            expected: EXPECTED,
            found,
            source: None,
        };
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| unexpected(format!("invalid JSON ({})", json_error_position(&e))))?;
        let Value::Object(members) = &value else {
            return Err(unexpected(format!("a JSON {}", json_type(&value))));
        };
        if members.get("messageType").and_then(Value::as_str) != Some(MESSAGE_TYPE) {
            return Err(unexpected("no messageType \"ProtectedPayload\"".into()));
        }
        let parsed = if members.contains_key("jwe") {
            serde_json::from_value(value).map(ProtectResponse::Protected)
        } else if members.contains_key("dropped") {
            serde_json::from_value(value).map(ProtectResponse::Dropped)
        } else if members.contains_key("payload") {
            serde_json::from_value(value).map(ProtectResponse::Passthrough)
        } else {
            return Err(unexpected("none of jwe, payload or dropped".into()));
        };
        parsed.map_err(|e| unexpected(format!("a body that does not fit: {e}")))
    }
}

/// A successful unprotect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnprotectResponse {
    /// The request id.
    pub request_id: String,
    /// `["decrypt"]`.
    pub operations: Vec<String>,
    /// The original plaintext.
    pub payload: Value,
}

/// The JSON type of a value, for messages.
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where a JSON parse failed, without quoting the input.
pub(crate) fn json_error_position(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Eof => "unexpected end of input",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Io => "read error",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}
