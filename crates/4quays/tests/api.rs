//! Every documented response and error of both endpoints, produced over real HTTP on loopback by
//! the running service, and checked field for field (names, order, values) against the
//! documentation. Also: request ids, Content-Type, the body limit, /healthz, the audit log, and
//! graceful shutdown.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::{
    API_KEY, Answer, LIMITED_KEY, NO_RANDOM, REQUEST_ID, TestServer, engine, post, std_headers,
};
use jose::Limits;
use jose_4quays::engine::Outcome;
use jose_4quays::{ErrorCode, JweEnvelope};
use serde_json::{Value, json};

const PROTECT: &str = "/api/v1/protect";
const UNPROTECT: &str = "/api/v1/unprotect";

fn aws() -> &'static dyn jose::CryptoProvider {
    jose::provider_by_name("aws-lc").unwrap()
}

/// Asserts a documented error body: `{"error": {"code", "message"}, "requestId"}`, exactly.
fn assert_error(answer: &Answer, status: u16, code: &str, message: &str) {
    assert_eq!(answer.status, status, "{}", answer.text);
    assert_eq!(
        answer.json,
        json!({"error": {"code": code, "message": message}, "requestId": REQUEST_ID}),
        "{}",
        answer.text
    );
    assert_eq!(answer.keys(), ["error", "requestId"]);
    assert_eq!(answer.keys_at("/error"), ["code", "message"]);
    assert_eq!(answer.headers["content-type"], "application/json");
    assert_eq!(answer.headers["x-request-id"], REQUEST_ID);
}

/// Asserts an `INVALID_REQUEST` body; returns the fields its details name.
fn assert_invalid(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert_eq!(answer.keys(), ["error", "requestId"]);
    let error = &answer.json["error"];
    assert_eq!(answer.keys_at("/error"), ["code", "message", "details"]);
    assert_eq!(error["code"], "INVALID_REQUEST");
    assert_eq!(error["message"], "Request validation failed");
    assert_eq!(answer.json["requestId"], REQUEST_ID);
    error["details"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, d)| {
            assert_eq!(
                answer.keys_at(&format!("/error/details/{i}")),
                ["field", "message"]
            );
            d["field"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn protect(http: &reqwest::Client, server: &TestServer, body: Value) -> Answer {
    post(http, &server.url(PROTECT), &std_headers(), body.to_string()).await
}

async fn unprotect(http: &reqwest::Client, server: &TestServer, body: Value) -> Answer {
    post(
        http,
        &server.url(UNPROTECT),
        &std_headers(),
        body.to_string(),
    )
    .await
}

/// A fresh envelope of `payload` under RBC-TRANSFER-001.
async fn envelope(http: &reqwest::Client, server: &TestServer, payload: Value) -> Value {
    let answer = protect(http, server, json!({"payload": payload})).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json["jwe"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protect_success_is_the_documented_shape() {
    let server = TestServer::start(engine(aws())).await;
    let http = reqwest::Client::new();
    let payload = json!({"transferId": "txn-12345", "amount": 5000, "currency": "CAD", "destination": "CA1234567890"});
    let answer = protect(
        &http,
        &server,
        json!({"payload": payload, "policyNumber": "RBC-TRANSFER-001"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.keys(),
        ["requestId", "messageType", "operations", "jwe"]
    );
    assert_eq!(answer.json["requestId"], REQUEST_ID);
    assert_eq!(answer.json["messageType"], "ProtectedPayload");
    assert_eq!(answer.json["operations"], json!(["encrypt"]));
    assert_eq!(
        answer.keys_at("/jwe"),
        ["protected", "encrypted_key", "iv", "ciphertext", "tag"]
    );
    for member in ["protected", "encrypted_key", "iv", "ciphertext", "tag"] {
        let text = answer.json["jwe"][member].as_str().unwrap();
        jose::b64::decode("member", text).unwrap();
    }
    // The documented example header, plus the active key's kid and the policy binding.
    let header = jose::b64::decode(
        "protected",
        answer.json["jwe"]["protected"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&header).unwrap(),
        json!({"alg": "RSA-OAEP", "kid": "rbc-1", "enc": "A256GCM", "x-4quays-policy": "RBC-TRANSFER-001"})
    );
    let header_text = String::from_utf8(header).unwrap();
    assert!(
        header_text.ends_with(r#","x-4quays-policy":"RBC-TRANSFER-001"}"#),
        "{header_text}"
    );
    let envelope: JweEnvelope = serde_json::from_value(answer.json["jwe"].clone()).unwrap();
    let jwe = envelope.to_jwe(&Limits::default()).unwrap();
    assert_eq!(jwe.iv().len(), 12);
    assert_eq!(jwe.tag().len(), 16);
    assert_eq!(jwe.recipients()[0].encrypted_key().len(), 256);

    // RSA-OAEP-256 where the policy says so.
    let answer = protect(
        &http,
        &server,
        json!({"payload": 1, "policyNumber": "RBC-STATEMENT-001"}),
    )
    .await;
    let header = jose::b64::decode(
        "protected",
        answer.json["jwe"]["protected"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&header).unwrap(),
        json!({"alg": "RSA-OAEP-256", "kid": "rbc-1", "enc": "A256GCM", "x-4quays-policy": "RBC-STATEMENT-001"})
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_and_drop_are_the_documented_bodies() {
    let server = TestServer::start(engine(aws())).await;
    let http = reqwest::Client::new();
    let payload = json!({"transferId": "txn-12345", "amount": 5000});
    let answer = protect(
        &http,
        &server,
        json!({"payload": payload, "policyNumber": "PAUSED-PASSTHROUGH"}),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json,
        json!({
            "requestId": REQUEST_ID,
            "messageType": "ProtectedPayload",
            "operations": [],
            "payload": { "transferId": "txn-12345", "amount": 5000 },
            "warning": "Policy is not active — payload passed through unprotected"
        })
    );
    assert_eq!(
        answer.keys(),
        [
            "requestId",
            "messageType",
            "operations",
            "payload",
            "warning"
        ]
    );
    // The payload comes back as sent, byte for byte.
    let raw = r#"{"payload":{"b":1,"a":25000.50,"big":123456789012345678901234567890},"policyNumber":"PAUSED-PASSTHROUGH"}"#;
    let answer = post(&http, &server.url(PROTECT), &std_headers(), raw).await;
    assert!(
        answer
            .text
            .contains(r#""payload":{"b":1,"a":25000.50,"big":123456789012345678901234567890}"#),
        "{}",
        answer.text
    );

    let answer = protect(
        &http,
        &server,
        json!({"payload": payload, "policyNumber": "PAUSED-DROP"}),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json,
        json!({
            "requestId": REQUEST_ID,
            "messageType": "ProtectedPayload",
            "operations": [],
            "dropped": true,
            "message": "Policy is not active — payload dropped"
        })
    );
    assert_eq!(
        answer.keys(),
        [
            "requestId",
            "messageType",
            "operations",
            "dropped",
            "message"
        ]
    );
    assert!(!answer.text.contains("txn-12345"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unprotect_success_is_the_documented_shape() {
    let server = TestServer::start(engine(aws())).await;
    let http = reqwest::Client::new();
    let payload = json!({"statementId": "stmt-12345", "accountNumber": "CA1234567890", "balance": 25000.50, "transactions": [{"id": 1}]});
    let jwe = envelope(&http, &server, payload.clone()).await;
    let answer = unprotect(
        &http,
        &server,
        json!({"jwe": jwe, "policyNumber": "RBC-TRANSFER-001"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.json,
        json!({"requestId": REQUEST_ID, "operations": ["decrypt"], "payload": payload})
    );
    assert_eq!(answer.keys(), ["requestId", "operations", "payload"]);
    // The payload's text is what was protected: 25000.50 stays 25000.50.
    let raw = r#"{"payload":{"balance":25000.50,"n":[1.0,-0,1e3]}}"#;
    let protected = post(&http, &server.url(PROTECT), &std_headers(), raw).await;
    let answer = unprotect(&http, &server, json!({"jwe": protected.json["jwe"]})).await;
    assert!(
        answer
            .text
            .ends_with(r#""payload":{"balance":25000.50,"n":[1.0,-0,1e3]}}"#),
        "{}",
        answer.text
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_protected_payload() {
    let server = TestServer::start(engine(aws())).await;
    let http = reqwest::Client::new();
    let jwe = envelope(&http, &server, json!(["legacy", 1])).await;
    let envelope: JweEnvelope = serde_json::from_value(jwe).unwrap();
    let legacy = envelope.to_protected_payload();
    let answer = unprotect(&http, &server, json!({"protectedPayload": legacy})).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["payload"], json!(["legacy", 1]));

    // Documented 400 INVALID_PROTECTED_PAYLOAD: not base64url, base64url of something that is not a
    // compact JWE, a compact JWE with a broken header.
    let broken = jose_4quays::legacy::encode("e30.AA.AA.AA.AA");
    for bad in [
        "%%%".to_owned(),
        "aGVsbG8".to_owned(),
        String::new(),
        broken,
        legacy[1..].to_owned(),
    ] {
        let answer = unprotect(&http, &server, json!({"protectedPayload": bad})).await;
        if answer.status == 200 {
            panic!("{bad:?} was accepted");
        }
        if answer.json["error"]["code"] == "INVALID_PROTECTED_PAYLOAD" {
            assert_error(
                &answer,
                400,
                "INVALID_PROTECTED_PAYLOAD",
                "Invalid protected payload format",
            );
        } else {
            // Dropping the first character can leave a parsable JWE whose header is garbage: that
            // one fails later, opaquely.
            assert_error(
                &answer,
                500,
                "INTERNAL_ERROR",
                "Unprotection operation failed",
            );
        }
    }
    let answer = unprotect(&http, &server, json!({"protectedPayload": "%%%"})).await;
    assert_error(
        &answer,
        400,
        "INVALID_PROTECTED_PAYLOAD",
        "Invalid protected payload format",
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_failed() {
    let server = TestServer::start(engine(aws())).await;
    let http = reqwest::Client::new();
    let body = json!({"payload": 1}).to_string();
    let variants: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("authorization", "Bearer sk_test_wrong")],
        vec![("authorization", "Basic c2tfdGVzdA==")],
        vec![("authorization", "Bearer ")],
        vec![("authorization", "sk_test_partner_0123456789")],
    ];
    for path in [PROTECT, UNPROTECT] {
        for auth in &variants {
            let mut headers = auth.clone();
            headers.push(("content-type", "application/json"));
            headers.push(("x-request-id", REQUEST_ID));
            let answer = post(&http, &server.url(path), &headers, body.clone()).await;
            assert_error(
                &answer,
                401,
                "AUTHENTICATION_FAILED",
                "Invalid or missing API key",
            );
            assert_eq!(answer.headers["www-authenticate"], "Bearer");
        }
    }
    // The scheme is case-insensitive.
    let headers = [
        ("authorization", "bearer sk_test_partner_0123456789"),
        ("content-type", "application/json"),
    ];
    assert_eq!(
        post(&http, &server.url(PROTECT), &headers, body.clone())
            .await
            .status,
        200
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_not_active_not_found_and_unprotect_not_available() {
    let server = TestServer::start(engine(aws())).await;
    let http = reqwest::Client::new();
    let answer = protect(
        &http,
        &server,
        json!({"payload": 1, "policyNumber": "SUSPENDED"}),
    )
    .await;
    assert_error(&answer, 403, "POLICY_NOT_ACTIVE", "Policy is not active");

    let answer = protect(
        &http,
        &server,
        json!({"payload": 1, "policyNumber": "INVALID-POLICY"}),
    )
    .await;
    assert_error(
        &answer,
        404,
        "POLICY_NOT_FOUND",
        "Policy not found: INVALID-POLICY",
    );
    let answer = unprotect(
        &http,
        &server,
        json!({"jwe": envelope(&http, &server, json!(1)).await, "policyNumber": "INVALID-POLICY"}),
    )
    .await;
    assert_error(
        &answer,
        404,
        "POLICY_NOT_FOUND",
        "Policy not found: INVALID-POLICY",
    );

    // A policy the key may not use is answered exactly as an unknown one.
    let limited = [
        ("authorization", "Bearer sk_test_limited_0123456789"),
        ("content-type", "application/json"),
        ("x-request-id", REQUEST_ID),
    ];
    assert_eq!(LIMITED_KEY, "sk_test_limited_0123456789");
    let exists = post(
        &http,
        &server.url(PROTECT),
        &limited,
        json!({"payload": 1, "policyNumber": "RBC-STATEMENT-001"}).to_string(),
    )
    .await;
    let unknown = post(
        &http,
        &server.url(PROTECT),
        &limited,
        json!({"payload": 1, "policyNumber": "RBC-STATEMENT-002"}).to_string(),
    )
    .await;
    assert_error(
        &exists,
        404,
        "POLICY_NOT_FOUND",
        "Policy not found: RBC-STATEMENT-001",
    );
    assert_error(
        &unknown,
        404,
        "POLICY_NOT_FOUND",
        "Policy not found: RBC-STATEMENT-002",
    );
    assert_eq!(exists.headers.len(), unknown.headers.len());
    // Its default policy works without naming it.
    let ok = post(
        &http,
        &server.url(PROTECT),
        &limited,
        json!({"payload": 1}).to_string(),
    )
    .await;
    assert_eq!(ok.status, 200);

    // Unprotect on a destination-managed policy.
    let answer = unprotect(
        &http,
        &server,
        json!({"jwe": envelope(&http, &server, json!(1)).await, "policyNumber": "ACME-PAYOUT-001"}),
    )
    .await;
    assert_error(
        &answer,
        400,
        "UNPROTECT_NOT_AVAILABLE",
        "Unprotect is not available for destination-managed key policies",
    );
    // ... for the legacy form too.
    let legacy: JweEnvelope =
        serde_json::from_value(envelope(&http, &server, json!(1)).await).unwrap();
    let answer = unprotect(&http, &server, json!({"protectedPayload": legacy.to_protected_payload(), "policyNumber": "ACME-PAYOUT-001"})).await;
    assert_error(
        &answer,
        400,
        "UNPROTECT_NOT_AVAILABLE",
        "Unprotect is not available for destination-managed key policies",
    );
    // Protect to it works (the service has the public key).
    let answer = protect(
        &http,
        &server,
        json!({"payload": 1, "policyNumber": "ACME-PAYOUT-001"}),
    )
    .await;
    assert_eq!(answer.status, 200);

    // Unprotect under an inactive policy is refused, whatever its failure mode.
    for policy in ["SUSPENDED", "PAUSED-PASSTHROUGH", "PAUSED-DROP"] {
        let answer = unprotect(
            &http,
            &server,
            json!({"jwe": envelope(&http, &server, json!(1)).await, "policyNumber": policy}),
        )
        .await;
        assert_error(&answer, 403, "POLICY_NOT_ACTIVE", "Policy is not active");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destination_key_not_found_and_internal_errors() {
    let server = TestServer::start(engine(aws())).await;
    let http = reqwest::Client::new();
    let answer = protect(
        &http,
        &server,
        json!({"payload": 1, "policyNumber": "NOKEYS-001"}),
    )
    .await;
    assert_error(
        &answer,
        500,
        "DESTINATION_KEY_NOT_FOUND",
        "Destination service public key not found",
    );
    let jwe = envelope(&http, &server, json!({"a": 1})).await;
    for policy in ["NOKEYS-001", "HALF-001"] {
        let answer = unprotect(&http, &server, json!({"jwe": jwe, "policyNumber": policy})).await;
        assert_error(
            &answer,
            500,
            "DESTINATION_KEY_NOT_FOUND",
            "Destination service private key not found",
        );
    }

    // Every decryption failure is the same opaque INTERNAL_ERROR.
    let mut tampered = jwe.clone();
    let ct = tampered["ciphertext"].as_str().unwrap().to_owned();
    let rest = &ct[1..];
    let flipped = if ct.starts_with('A') {
        format!("B{rest}")
    } else {
        format!("A{rest}")
    };
    tampered["ciphertext"] = json!(flipped);
    let mut wrong_key = jwe.clone();
    wrong_key["encrypted_key"] = json!(jose::b64::encode(&[7u8; 256]));
    let mut unknown_kid = jwe.clone();
    unknown_kid["protected"] = json!(jose::b64::encode(
        br#"{"alg":"RSA-OAEP","kid":"rbc-9","enc":"A256GCM"}"#
    ));
    let mut short_tag = jwe.clone();
    short_tag["tag"] = json!("AAAA");
    let cases = [
        (tampered, "RBC-TRANSFER-001"),
        (wrong_key, "RBC-TRANSFER-001"),
        (unknown_kid, "RBC-TRANSFER-001"),
        (short_tag, "RBC-TRANSFER-001"),
        (jwe.clone(), "RBC-STATEMENT-001"), // the policy's alg is RSA-OAEP-256
        (jwe.clone(), "RBC-A128"),          // the policy's enc is A128GCM
    ];
    for (bad, policy) in cases {
        let answer = unprotect(&http, &server, json!({"jwe": bad, "policyNumber": policy})).await;
        assert_error(
            &answer,
            500,
            "INTERNAL_ERROR",
            "Unprotection operation failed",
        );
    }
    // A JWE whose plaintext is not JSON.
    let key = jose::DecryptingKey::new(
        common::key(&common::material().rbc_1, aws()).with_kid("rbc-1"),
        jose::KeyManagementAlgorithm::RsaOaep,
    )
    .unwrap();
    let not_json = jose::jwe::JweBuilder::new(jose::ContentEncryption::A256Gcm)
        .recipient(&key.encrypting_key())
        .encrypt(b"not json {", aws())
        .unwrap();
    let env = JweEnvelope::from_jwe(&not_json).unwrap();
    let answer = unprotect(&http, &server, json!({"jwe": env})).await;
    assert_error(
        &answer,
        500,
        "INTERNAL_ERROR",
        "Unprotection operation failed",
    );
    server.stop().await;

    // Protect's INTERNAL_ERROR: the provider's random generator fails while encrypting.
    let server = TestServer::start(engine(&NO_RANDOM)).await;
    let answer = protect(&http, &server, json!({"payload": 1})).await;
    assert_error(
        &answer,
        500,
        "INTERNAL_ERROR",
        "Protection operation failed",
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_request_names_each_bad_field() {
    let server = TestServer::start(engine(aws())).await;
    let http = reqwest::Client::new();
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (PROTECT, json!({}).to_string(), vec!["payload"]),
        (PROTECT, json!({"payload_": 1}).to_string(), vec!["payload"]),
        (PROTECT, json!({"policyNumber": 42}).to_string(), vec!["payload", "policyNumber"]),
        (PROTECT, json!({"payload": 1, "policyNumber": ["x"]}).to_string(), vec!["policyNumber"]),
        (PROTECT, r#"{"payload":1,"payload":2}"#.into(), vec!["payload"]),
        (PROTECT, "not json".into(), vec!["body"]),
        (PROTECT, "[1,2]".into(), vec!["body"]),
        (PROTECT, String::new(), vec!["body"]),
        (UNPROTECT, json!({}).to_string(), vec!["jwe"]),
        (UNPROTECT, json!({"policyNumber": "RBC-TRANSFER-001"}).to_string(), vec!["jwe"]),
        (UNPROTECT, json!({"jwe": {}, "protectedPayload": "x"}).to_string(), vec!["protectedPayload"]),
        (UNPROTECT, json!({"jwe": "compact"}).to_string(), vec!["jwe"]),
        (UNPROTECT, json!({"protectedPayload": {"a": 1}}).to_string(), vec!["protectedPayload"]),
        (
            UNPROTECT,
            json!({"jwe": {"protected": "e30", "encrypted_key": "not base64url!", "iv": 12, "ciphertext": "AA==", "header": {}}}).to_string(),
            vec!["jwe.header", "jwe.encrypted_key", "jwe.iv", "jwe.ciphertext", "jwe.tag"],
        ),
        (UNPROTECT, "{\"jwe\":".into(), vec!["body"]),
    ];
    for (path, body, fields) in cases {
        let answer = post(&http, &server.url(path), &std_headers(), body.clone()).await;
        assert_eq!(assert_invalid(&answer), fields, "{path} {body}");
    }

    // Content-Type must be application/json.
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/json; charset=latin1"),
    ] {
        let mut headers = vec![
            ("authorization", "Bearer sk_test_partner_0123456789"),
            ("x-request-id", REQUEST_ID),
        ];
        if let Some(ct) = content_type {
            headers.push(("content-type", ct));
        }
        let answer = post(
            &http,
            &server.url(PROTECT),
            &headers,
            json!({"payload": 1}).to_string(),
        )
        .await;
        assert_eq!(
            assert_invalid(&answer),
            ["Content-Type"],
            "{content_type:?}"
        );
    }
    let headers = [
        ("authorization", "Bearer sk_test_partner_0123456789"),
        ("content-type", "application/json; charset=utf-8"),
    ];
    assert_eq!(
        post(
            &http,
            &server.url(PROTECT),
            &headers,
            json!({"payload": 1}).to_string()
        )
        .await
        .status,
        200
    );

    // The body limit (64 KiB in the test engine), declared or streamed.
    let big = json!({"payload": "x".repeat(70 * 1024)}).to_string();
    let answer = post(&http, &server.url(PROTECT), &std_headers(), big.clone()).await;
    assert_eq!(assert_invalid(&answer), ["body"]);
    let (status, body) = post_chunked(&server.base, big.as_bytes()).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["details"][0]["field"], "body", "{body}");
    // Under the limit, chunked is fine.
    let (status, _) = post_chunked(
        &server.base,
        json!({"payload": "x".repeat(20 * 1024)})
            .to_string()
            .as_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    // Authentication comes first, even for a large body.
    let answer = post(
        &http,
        &server.url(PROTECT),
        &[
            ("content-type", "application/json"),
            ("x-request-id", REQUEST_ID),
        ],
        big,
    )
    .await;
    assert_error(
        &answer,
        401,
        "AUTHENTICATION_FAILED",
        "Invalid or missing API key",
    );
    server.stop().await;
}

/// Sends `body` chunked (no Content-Length) over a raw connection; returns the status and body.
async fn post_chunked(base: &str, body: &[u8]) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {PROTECT} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\nX-Request-Id: {REQUEST_ID}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(8 * 1024) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        // The service may answer and close before reading everything: stop writing then.
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8(response).unwrap();
    let status: u16 = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    (status, serde_json::from_str(body).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_healthz_audit_and_shutdown() {
    let server = TestServer::start(engine(aws())).await;
    let http = reqwest::Client::new();
    // No X-Request-Id: a fresh UUID (v4), in the body and the header.
    let headers = [
        ("authorization", "Bearer sk_test_partner_0123456789"),
        ("content-type", "application/json"),
    ];
    let a = post(
        &http,
        &server.url(PROTECT),
        &headers,
        json!({"payload": "s3cret-payload"}).to_string(),
    )
    .await;
    let b = post(
        &http,
        &server.url(PROTECT),
        &headers,
        json!({"payload": 1}).to_string(),
    )
    .await;
    let id_a = a.json["requestId"].as_str().unwrap();
    let id_b = b.json["requestId"].as_str().unwrap();
    let uuid = uuid::Uuid::parse_str(id_a).unwrap();
    assert_eq!(uuid.get_version_num(), 4);
    assert_ne!(id_a, id_b);
    assert_eq!(a.headers["x-request-id"], id_a);
    // An invalid one is replaced too, also in error bodies.
    let mut bad = headers.to_vec();
    bad.push(("x-request-id", "has spaces and ; semicolons"));
    let c = post(&http, &server.url(PROTECT), &bad, "{}").await;
    assert_eq!(c.status, 400);
    uuid::Uuid::parse_str(c.json["requestId"].as_str().unwrap()).unwrap();

    let health = http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        serde_json::from_str::<Value>(&health.text().await.unwrap()).unwrap(),
        json!({"status": "ok"})
    );

    // One audit line per request, without payload or API key.
    let records = server.audit_records();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].request_id, id_a);
    assert_eq!(records[0].key_id.as_deref(), Some("partner"));
    assert_eq!(records[0].policy.as_deref(), Some("RBC-TRANSFER-001"));
    assert_eq!(records[0].outcome, Outcome::Encrypted);
    assert_eq!(
        records[2].outcome,
        Outcome::Failed(ErrorCode::InvalidRequest)
    );
    assert_eq!(records[2].status, 400);
    for record in &records {
        let line = record.to_json_line();
        assert!(
            !line.contains("s3cret") && !line.contains(API_KEY),
            "{line}"
        );
        assert!(line.contains("\"latencyMs\""));
    }
    server.stop().await;
}

/// A caller's tracing id of any visible ASCII goes out as given and comes back as given (body,
/// header, audit); the client refuses, never replaces, one the rule does not allow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callers_request_id_of_visible_ascii_is_sent_and_echoed_as_given() {
    let server = TestServer::start(engine(aws())).await;
    let client =
        jose_4quays::AsyncClient::new(&server.url(""), "sk_test_partner_0123456789").unwrap();
    let body =
        jose_4quays::types::ProtectRequest::new(json!({"amount": 1})).policy("RBC-TRANSFER-001");
    for id in [
        "svc/42#7;trace=a",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "{\"json\":'quoted'}",
    ] {
        let answer = client.protect(&body, Some(id)).await.unwrap();
        assert_eq!(answer.request_id(), id);
    }
    for bad in ["has space", "new\nline", "é", ""] {
        let e = client.protect(&body, Some(bad)).await.unwrap_err();
        assert!(
            matches!(
                e,
                jose_4quays::Error::InvalidInput {
                    what: "request id",
                    ..
                }
            ),
            "{bad:?}: {e:?}"
        );
    }
    let ids: Vec<String> = server
        .audit_records()
        .iter()
        .map(|r| r.request_id.clone())
        .collect();
    assert_eq!(
        ids,
        [
            "svc/42#7;trace=a",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "{\"json\":'quoted'}",
        ]
    );
}
