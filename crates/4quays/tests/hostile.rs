//! Hostile input straight into the sans-IO engine: whatever the body and headers, the answer is
//! one of the documented ones (status and code agree, the body parses as a documented body), and
//! nothing panics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::{API_KEY, engine};
use jose_4quays::client::{parse_protect_response, parse_unprotect_response};
use jose_4quays::engine::{ApiKey, DestinationService, Policy};
use jose_4quays::{Engine, Error, Operation};
use proptest::prelude::*;
use std::sync::OnceLock;

fn shared() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| engine(jose::default_provider()))
}

/// Sends `body` with good headers; asserts the answer is documented.
fn check(operation: Operation, body: &[u8]) -> u16 {
    let request = http::Request::post(operation.path())
        .header("authorization", format!("Bearer {API_KEY}"))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .unwrap();
    let handled = shared().handle(operation, &request);
    let response = &handled.response;
    let status = response.status().as_u16();
    let parsed = match operation {
        Operation::Protect => parse_protect_response(response).map(|_| ()),
        Operation::Unprotect => parse_unprotect_response(response).map(|_| ()),
    };
    match parsed {
        Ok(()) => assert_eq!(status, 200),
        Err(Error::Api { status: s, body }) => {
            assert_eq!(s, status);
            assert_eq!(body.error.code.status(), status);
        }
        Err(other) => panic!("undocumented answer {status}: {other}"),
    }
    assert_eq!(handled.audit.status, status);
    status
}

#[test]
fn crafted_bodies() {
    let deep = format!(
        "{{\"payload\":{}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let deep_jwe = format!(
        "{{\"jwe\":{}{}}}",
        "{\"a\":".repeat(5_000),
        "1}".repeat(5_000)
    );
    let bodies: Vec<Vec<u8>> = vec![
        deep.into_bytes(),
        deep_jwe.into_bytes(),
        b"\xff\xfe{\"payload\":1}".to_vec(),
        b"{\"payload\":\"\xff\"}".to_vec(),
        b"{\"payload\":1e999999}".to_vec(),
        b"{\"payload\":123456789012345678901234567890123456789}".to_vec(),
        b"{\"payload\":1,\"policyNumber\":\"\\u0000\\n\"}".to_vec(),
        br#"{"jwe":{"protected":"","encrypted_key":"","iv":"","ciphertext":"","tag":""}}"#.to_vec(),
        br#"{"jwe":{"protected":"eyJhbGciOiJub25lIn0","encrypted_key":"","iv":"","ciphertext":"","tag":""}}"#.to_vec(),
        br#"{"jwe":{"protected":"eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00iLCJ6aXAiOiJERUYifQ","encrypted_key":"AA","iv":"AA","ciphertext":"AA","tag":"AA"}}"#.to_vec(),
        br#"{"protectedPayload":"ZXlKaGJHY2lPaUpTVTBFdFQwRkZVQ0lzSW1WdVl5STZJa0V5TlRaSFEwMGlmUS4uLi4"}"#.to_vec(),
        b"{}{}".to_vec(),
        b"{\"payload\":1} trailing".to_vec(),
    ];
    // Valid JSON nested far deeper than any reader here accepts: refused, not a crash.
    let very_deep = format!(
        "{{\"payload\":{}{}}}",
        "[".repeat(60_000),
        "]".repeat(60_000)
    );
    let provider = jose::default_provider();
    let big = Engine::builder(provider)
        .max_body_bytes(1 << 20)
        .service(DestinationService::new("s"))
        .policy(Policy::new("P", "s"))
        .api_key(ApiKey::from_secret("k", API_KEY, "P", provider))
        .build()
        .unwrap();
    let request = http::Request::post("/api/v1/protect")
        .header("authorization", format!("Bearer {API_KEY}"))
        .header("content-type", "application/json")
        .body(very_deep.into_bytes())
        .unwrap();
    let handled = big.handle(Operation::Protect, &request);
    assert_eq!(handled.response.status(), 400);
    let body: serde_json::Value = serde_json::from_slice(handled.response.body()).unwrap();
    assert_eq!(body["error"]["details"][0]["field"], "payload");
    for body in &bodies {
        for operation in [Operation::Protect, Operation::Unprotect] {
            check(operation, body);
        }
    }
    assert_eq!(check(Operation::Protect, &bodies[0]), 400);
}

#[test]
fn hostile_headers() {
    for (name, value) in [
        ("authorization", &b"Bearer \xff\xfe"[..]),
        ("authorization", b"Bearer"),
        ("authorization", b"Bearer  "),
        ("x-request-id", b"\xff\xff"),
        ("content-type", b"application/json; charset"),
        ("content-type", b";;;"),
    ] {
        let mut request = http::Request::post("/api/v1/protect")
            .header("authorization", format!("Bearer {API_KEY}"))
            .header("content-type", "application/json")
            .body(br#"{"payload":1}"#.to_vec())
            .unwrap();
        request.headers_mut().insert(
            http::HeaderName::from_static(name),
            http::HeaderValue::from_bytes(value).unwrap(),
        );
        let handled = shared().handle(Operation::Protect, &request);
        let status = handled.response.status().as_u16();
        assert!(matches!(status, 200 | 400 | 401), "{name}: {status}");
        parse_protect_response(&handled.response)
            .map(|_| ())
            .or_else(|e| match e {
                Error::Api { .. } => Ok(()),
                other => Err(other),
            })
            .unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        check(Operation::Protect, &body);
        check(Operation::Unprotect, &body);
    }

    #[test]
    fn json_shaped_bodies(
        key in prop::sample::select(vec!["payload", "policyNumber", "jwe", "protectedPayload", "x"]),
        value in prop::sample::select(vec!["null", "1", "\"s\"", "[]", "{}", "{\"protected\":1}", "\"AA\"", "true"]),
        second in prop::sample::select(vec!["", ",\"payload\":2", ",\"policyNumber\":\"RBC-TRANSFER-001\"", ",\"jwe\":{}", ",\"protectedPayload\":\"%\""]),
    ) {
        let body = format!("{{\"{key}\":{value}{second}}}");
        check(Operation::Protect, body.as_bytes());
        check(Operation::Unprotect, body.as_bytes());
    }
}
