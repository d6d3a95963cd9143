//! The caller's side, sans-IO: [`Client`] builds the `http::Request`s for both endpoints, and
//! [`parse_protect_response`] / [`parse_unprotect_response`] turn every documented answer into a
//! typed result or [`Error::Api`]. Send the requests with any HTTP stack; with the `client` feature,
//! `jose_4quays::AsyncClient` does it on reqwest.
//!
//! ```
//! use jose_4quays::client::{Client, parse_protect_response};
//! use jose_4quays::{ErrorCode, ProtectRequest};
//!
//! # fn main() -> Result<(), jose_4quays::Error> {
//! let client = Client::new("https://api.4quays.com", "sk_live_xxxxx")?;
//! let request = client.protect_request(
//!     &ProtectRequest::new(serde_json::json!({"transferId": "txn-12345"})).policy("RBC-TRANSFER-001"),
//!     Some("req_abc123"),
//! )?;
//! assert_eq!(request.uri(), "https://api.4quays.com/api/v1/protect");
//! assert_eq!(request.headers()["content-type"], "application/json");
//!
//! // ... send it, then parse the answer:
//! let answer = http::Response::builder()
//!     .status(404)
//!     .body(br#"{"error":{"code":"POLICY_NOT_FOUND","message":"Policy not found: INVALID-POLICY"},"requestId":"req_abc123"}"#.to_vec())
//!     .map_err(|e| jose_4quays::Error::Transport { what: "building the answer", source: Box::new(e) })?;
//! let error = parse_protect_response(&answer).unwrap_err();
//! assert_eq!(error.api_body().map(|b| b.error.code), Some(ErrorCode::PolicyNotFound));
//! # Ok(()) }
//! ```

use crate::engine::{REQUEST_ID_HEADER, is_valid_request_id};
use crate::error::Error;
use crate::types::json_error_position;
use crate::types::{
    ErrorBody, Operation, ProtectRequest, ProtectResponse, UnprotectRequest, UnprotectResponse,
};
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use http::{Method, Request, Response, Uri};

/// Builds requests for one 4Quays base URL and API key. Its `Debug` output hides the key.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    authorization: HeaderValue,
}

impl Client {
    /// A client for `base_url` (`http://` or `https://`, host and optional port, optional path
    /// prefix; no query) authenticating with `api_key`.
    pub fn new(base_url: &str, api_key: &str) -> Result<Self, Error> {
        let uri: Uri = base_url.parse().map_err(|_| {
            Error::input(
                "base URL",
                "an absolute http:// or https:// URL",
                "a string that is not a URL",
            )
        })?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            _ => {
                return Err(Error::input(
                    "base URL",
                    "an absolute http:// or https:// URL",
                    format!("scheme {:?}", uri.scheme_str().unwrap_or("")),
                ));
            }
        }
        if uri.authority().is_none() || uri.query().is_some() {
            return Err(Error::input(
                "base URL",
                "a URL with a host and no query",
                "no host, or a query",
            ));
        }
        if api_key.is_empty() {
            return Err(Error::input(
                "API key",
                "a non-empty key",
                "an empty string",
            ));
        }
        let mut authorization =
            HeaderValue::from_str(&format!("Bearer {api_key}")).map_err(|_| {
                Error::input(
                    "API key",
                    "visible ASCII characters",
                    "characters that cannot go in an HTTP header",
                )
            })?;
        authorization.set_sensitive(true);
        Ok(Client {
            base: base_url.trim_end_matches('/').to_owned(),
            authorization,
        })
    }

    /// `POST /api/v1/protect` with `body`.
    pub fn protect_request(
        &self,
        body: &ProtectRequest,
        request_id: Option<&str>,
    ) -> Result<Request<Vec<u8>>, Error> {
        let json = serde_json::to_vec(body).map_err(|e| {
            Error::input_caused(
                "protect request",
                "a JSON-serializable body",
                "one serde_json cannot write",
                e,
            )
        })?;
        self.request(Operation::Protect, json, request_id)
    }

    /// `POST /api/v1/unprotect` with `body`.
    pub fn unprotect_request(
        &self,
        body: &UnprotectRequest,
        request_id: Option<&str>,
    ) -> Result<Request<Vec<u8>>, Error> {
        let json = serde_json::to_vec(body).map_err(|e| {
            Error::input_caused(
                "unprotect request",
                "a JSON-serializable body",
                "one serde_json cannot write",
                e,
            )
        })?;
        self.request(Operation::Unprotect, json, request_id)
    }

    /// A request to `operation` with a body given as bytes (sent as is: for bodies built
    /// elsewhere). `request_id`, if given, is sent as given and must be 1 to 128 visible ASCII
    /// characters (`!` to `~`); anything else is refused here, never replaced.
    pub fn request(
        &self,
        operation: Operation,
        body: Vec<u8>,
        request_id: Option<&str>,
    ) -> Result<Request<Vec<u8>>, Error> {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(format!("{}{}", self.base, operation.path()))
            .header(AUTHORIZATION, self.authorization.clone())
            .header(CONTENT_TYPE, "application/json");
        if let Some(id) = request_id {
            if !is_valid_request_id(id) {
                return Err(Error::input(
                    "request id",
                    "1 to 128 visible ASCII characters (! to ~)",
                    if id.is_empty() {
                        "an empty id".to_owned()
                    } else if id.len() > crate::engine::MAX_REQUEST_ID_LEN {
                        format!("{} bytes", id.len())
                    } else {
                        format!(
                            "{} characters including a space, a control or a non-ASCII one",
                            id.chars().count()
                        )
                    },
                ));
            }
            builder = builder.header(REQUEST_ID_HEADER, id);
        }
        builder.body(body).map_err(|e| {
            Error::input_caused("request", "a valid HTTP request", "one http refuses", e)
        })
    }
}

/// Parses an answer to protect: 200 in its three forms, or a documented error ([`Error::Api`]).
pub fn parse_protect_response<B: AsRef<[u8]>>(
    response: &Response<B>,
) -> Result<ProtectResponse, Error> {
    let status = response.status().as_u16();
    let body = response.body().as_ref();
    if status != 200 {
        return Err(parse_error(status, body));
    }
    ProtectResponse::from_json(body)
}

/// Parses an answer to unprotect: 200 with the payload, or a documented error ([`Error::Api`]).
pub fn parse_unprotect_response<B: AsRef<[u8]>>(
    response: &Response<B>,
) -> Result<UnprotectResponse, Error> {
    let status = response.status().as_u16();
    let body = response.body().as_ref();
    if status != 200 {
        return Err(parse_error(status, body));
    }
    // Not serde_json's error, as source or text: its message can quote the payload.
    serde_json::from_slice(body).map_err(|e| Error::UnexpectedResponse {
        status,
        expected: "an unprotect response {requestId, operations, payload}",
        found: format!("a body that does not fit ({})", json_error_position(&e)),
        source: None,
    })
}

/// The body shape of every error answer, whatever its code: what is kept when the code is not one
/// this crate knows.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct LooseErrorBody {
    error: LooseErrorInfo,
    #[serde(default)]
    request_id: Option<String>,
}

#[derive(serde::Deserialize)]
struct LooseErrorInfo {
    code: String,
    message: String,
}

/// An error answer: [`Error::Api`] for a documented code (whatever the status it came with, which
/// the error keeps), [`Error::UndocumentedApi`] for a code this crate does not know (code, message,
/// status and request id kept), [`Error::UnexpectedResponse`] for a body of another shape.
pub fn parse_error(status: u16, body: &[u8]) -> Error {
    const EXPECTED: &str = "an error body {error: {code, message, details?}, requestId}";
    if let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) {
        return Error::Api {
            status,
            body: Box::new(parsed),
        };
    }
    match serde_json::from_slice::<LooseErrorBody>(body) {
        Ok(loose) => Error::UndocumentedApi {
            status,
            code: loose.error.code,
            message: loose.error.message,
            request_id: loose.request_id,
        },
        // Not serde_json's error as the source: its message can quote the body.
        Err(e) => Error::UnexpectedResponse {
            status,
            expected: EXPECTED,
            found: format!(
                "{} bytes that do not parse as one ({})",
                body.len(),
                json_error_position(&e)
            ),
            source: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ErrorCode;

    fn answer(status: u16, body: &str) -> Response<Vec<u8>> {
        Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[test]
    fn builds_requests() {
        let client = Client::new("http://127.0.0.1:8080/", "sk_test_1").unwrap();
        let r = client
            .protect_request(&ProtectRequest::new(serde_json::json!([1, 2, 3])), None)
            .unwrap();
        assert_eq!(r.method(), Method::POST);
        assert_eq!(r.uri(), "http://127.0.0.1:8080/api/v1/protect");
        assert_eq!(r.headers()[AUTHORIZATION], "Bearer sk_test_1");
        assert!(r.headers().get(REQUEST_ID_HEADER).is_none());
        assert_eq!(r.body(), br#"{"payload":[1,2,3]}"#);
        let r = client
            .unprotect_request(
                &UnprotectRequest::protected_payload("abc").policy("P"),
                Some("id-1"),
            )
            .unwrap();
        assert_eq!(r.uri(), "http://127.0.0.1:8080/api/v1/unprotect");
        assert_eq!(r.headers()[REQUEST_ID_HEADER], "id-1");
        assert_eq!(
            r.body(),
            br#"{"protectedPayload":"abc","policyNumber":"P"}"#
        );
        assert!(!format!("{client:?}").contains("sk_test_1"));
    }

    #[test]
    fn refuses_bad_inputs() {
        assert!(Client::new("ftp://x", "k").is_err());
        assert!(Client::new("/relative", "k").is_err());
        assert!(Client::new("http://x/?q=1", "k").is_err());
        assert!(Client::new("http://x", "").is_err());
        assert!(Client::new("http://x", "bad\nkey").is_err());
        let client = Client::new("http://x", "k").unwrap();
        assert!(
            client
                .request(Operation::Protect, Vec::new(), Some("a b"))
                .is_err()
        );
    }

    #[test]
    fn parses_every_documented_error() {
        for code in ErrorCode::ALL {
            let body = format!(
                r#"{{"error":{{"code":"{code}","message":"m"}},"requestId":"req_abc123"}}"#
            );
            let e = parse_unprotect_response(&answer(code.status(), &body)).unwrap_err();
            let parsed = e.api_body().unwrap();
            assert_eq!(parsed.error.code, *code);
            assert_eq!(parsed.request_id, "req_abc123");
            assert_eq!(e.api_code(), Some((code.status(), code.as_str())));
            // The same code with another status keeps the code and the status it came with.
            let other = if code.status() == 500 { 400 } else { 500 };
            let e = parse_unprotect_response(&answer(other, &body)).unwrap_err();
            assert_eq!(e.api_body().unwrap().error.code, *code);
            assert_eq!(e.api_code(), Some((other, code.as_str())));
            assert!(e.is_rejection());
        }
        let e = parse_protect_response(&answer(
            400,
            r#"{"error":{"code":"INVALID_REQUEST","message":"Request validation failed","details":[{"field":"payload","message":"required"}]},"requestId":"r"}"#,
        ))
        .unwrap_err();
        assert_eq!(
            e.api_body().unwrap().error.details.as_ref().unwrap()[0].field,
            "payload"
        );
        for (status, body) in [
            (502, "<html>bad gateway</html>"),
            (400, r#"{"error":{"message":"no code"},"requestId":"r"}"#),
            (200, "[]"),
            (200, r#"{"messageType":"Other","jwe":{}}"#),
            (200, r#"{"messageType":"ProtectedPayload","operations":[]}"#),
            (201, r#"{}"#),
        ] {
            assert!(
                matches!(
                    parse_protect_response(&answer(status, body)),
                    Err(Error::UnexpectedResponse { .. })
                ),
                "{status} {body}"
            );
        }
    }

    #[test]
    fn an_unknown_code_keeps_its_code_message_status_and_request_id() {
        let e = parse_protect_response(&answer(
            429,
            r#"{"error":{"code":"RATE_LIMITED","message":"slow down"},"requestId":"req-7"}"#,
        ))
        .unwrap_err();
        match &e {
            Error::UndocumentedApi {
                status,
                code,
                message,
                request_id,
            } => {
                assert_eq!(*status, 429);
                assert_eq!(code, "RATE_LIMITED");
                assert_eq!(message, "slow down");
                assert_eq!(request_id.as_deref(), Some("req-7"));
            }
            other => panic!("expected UndocumentedApi, found {other:?}"),
        }
        assert_eq!(e.api_code(), Some((429, "RATE_LIMITED")));
        assert_eq!(
            e.to_string(),
            "the service answered 429 RATE_LIMITED: slow down"
        );
        assert!(e.is_rejection());
        // A documented code whose details do not parse keeps its code too.
        let e = parse_error(
            400,
            br#"{"error":{"code":"INVALID_REQUEST","message":"m","details":"not a list"}}"#,
        );
        assert_eq!(e.api_code(), Some((400, "INVALID_REQUEST")));
        // A hostile message cannot break the line or run on.
        let long = format!(
            r#"{{"error":{{"code":"X\nY","message":"a\nb{}"}}}}"#,
            "z".repeat(1000)
        );
        let line = parse_error(500, long.as_bytes()).to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(line.len() < 450, "{}", line.len());
    }

    #[test]
    fn parses_the_three_protect_forms() {
        let protected = parse_protect_response(&answer(
            200,
            r#"{"requestId":"r","messageType":"ProtectedPayload","operations":["encrypt"],"jwe":{"protected":"a","encrypted_key":"b","iv":"c","ciphertext":"d","tag":"e"}}"#,
        ))
        .unwrap();
        assert_eq!(protected.jwe().unwrap().iv, "c");
        let passthrough = parse_protect_response(&answer(
            200,
            r#"{"requestId":"r","messageType":"ProtectedPayload","operations":[],"payload":{"a":1},"warning":"w"}"#,
        ))
        .unwrap();
        assert!(matches!(passthrough, ProtectResponse::Passthrough(ref p) if p.payload["a"] == 1));
        let dropped = parse_protect_response(&answer(
            200,
            r#"{"requestId":"r","messageType":"ProtectedPayload","operations":[],"dropped":true,"message":"m"}"#,
        ))
        .unwrap();
        assert!(matches!(dropped, ProtectResponse::Dropped(ref d) if d.dropped));
        assert_eq!(dropped.request_id(), "r");
    }
}
