//! What the client makes of every kind of answer: a sealed 2xx, a plain JSON 2xx (refused by
//! default, accepted when the client says so), a 2xx without body, an error status with a JSON,
//! HTML, sealed or unreadable body. The client is sans-IO, so these are `http::Response` values
//! as any HTTP stack would hand them over.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use http::StatusCode;
use jose::error::{display_chain, repeated_cause};
use jose_klarna_xs2a::{
    ApiError, ApiErrorBody, Client, Error, Layer, MAX_ERROR_BODY_BYTES, PlainResponses,
    ResponseOutcome,
};
use serde_json::json;

fn response(status: u16, content_type: Option<&str>, body: &[u8]) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder()
        .status(status)
        .header("X-Request-Id", "trace-1");
    if let Some(ct) = content_type {
        builder = builder.header("Content-Type", ct);
    }
    builder.body(body.to_vec()).unwrap()
}

/// The API error of an answer, or a panic naming what came instead.
fn api_error(client: &Client, answer: http::Response<Vec<u8>>, keys: &Keys) -> Box<ApiError> {
    match client.decrypt_response(answer, keys.provider) {
        Err(Error::Api(api)) => api,
        other => panic!("expected an API error, found {other:?}"),
    }
}

#[test]
fn a_sealed_200_opens_and_keeps_status_and_headers() {
    for keys in all_keys() {
        let p = keys.provider;
        let clock = clock();
        let client = keys.client(&clock);
        let server = keys.server(&clock);
        let answer = http::Response::builder()
            .status(200)
            .header("X-Request-Id", "trace-1")
            .body(obj(json!({"data": {"session_id": "s-1"}})))
            .unwrap();
        let sealed = server.encrypt_response(answer, p).unwrap();
        let read = client.decrypt_response(sealed, p).unwrap();
        assert_eq!(read.status(), StatusCode::OK);
        assert_eq!(read.headers()["x-request-id"], "trace-1");
        assert_eq!(read.headers()["content-type"], "application/json");
        assert!(read.headers().get("content-length").is_none());
        match read.body() {
            ResponseOutcome::Secure(opened) => {
                assert_eq!(opened.body["data"]["session_id"], "s-1");
                assert_eq!(opened.response_timestamp, T0);
                assert_eq!(opened.signing_kid, SERVER_SIG);
            }
            other => panic!("expected a secure answer, found {other:?}"),
        }
        assert_eq!(read.body().body().unwrap()["data"]["session_id"], "s-1");
        // Accepting plain answers changes nothing for sealed ones.
        let lenient = keys
            .client(&clock)
            .with_plain_responses(PlainResponses::Accept);
        let sealed = server
            .encrypt_response(http::Response::new(obj(json!({"k": 1}))), p)
            .unwrap();
        assert!(matches!(
            lenient.decrypt_response(sealed, p).unwrap().body(),
            ResponseOutcome::Secure(_)
        ));
    }
}

#[test]
fn a_sealed_200_that_is_stale_or_forged_is_an_error_not_an_outcome() {
    let keys = Keys::on(jose::default_provider());
    let p = keys.provider;
    let clock = clock();
    let client = keys.client(&clock);
    let server = keys.server(&clock);
    let sealed = server
        .encrypt_response(http::Response::new(obj(json!({"k": 1}))), p)
        .unwrap();
    clock.advance(std::time::Duration::from_millis(120_001));
    assert!(matches!(
        client.decrypt_response(sealed, p),
        Err(Error::Stale {
            field: "response_timestamp",
            ..
        })
    ));
    let garbage = response(200, Some("application/jose"), b"not.a.token");
    assert!(matches!(
        client.decrypt_response(garbage, p),
        Err(Error::MalformedToken {
            layer: Layer::Jwe,
            ..
        })
    ));
    // An empty body announced as a sealed one is a malformed token, not "no content".
    let empty = response(200, Some("application/jose"), b"");
    assert!(matches!(
        client.decrypt_response(empty, p),
        Err(Error::MalformedToken { .. })
    ));
}

#[test]
fn a_plain_json_200_is_refused_by_default() {
    let keys = Keys::on(jose::default_provider());
    let client = keys.client(&clock());
    let plain = response(
        200,
        Some("application/json; charset=utf-8"),
        br#"{"data":{"session_id":"s-1"}}"#,
    );
    let err = client.decrypt_response(plain, keys.provider).unwrap_err();
    assert_eq!(
        err,
        Error::PlainResponseRefused {
            status: StatusCode::OK
        }
    );
    assert_eq!(err.class(), jose::ErrorClass::Rejected);
    let message = err.to_string();
    assert!(
        message.contains("200 OK") && message.contains("PlainResponses::Accept"),
        "{message}"
    );
    // The body is never quoted: it was not verified.
    assert!(!message.contains("s-1"), "{message}");
    // Same for 201.
    let created = response(201, Some("application/json"), b"{}");
    assert!(matches!(
        client.decrypt_response(created, keys.provider),
        Err(Error::PlainResponseRefused { status }) if status == 201
    ));
}

#[test]
fn a_plain_json_200_is_accepted_when_the_client_says_so() {
    for keys in all_keys() {
        let client = keys
            .client(&clock())
            .with_plain_responses(PlainResponses::Accept);
        let plain = response(
            200,
            Some("application/json"),
            br#"{"data":{"session_id":"s-1"}}"#,
        );
        let read = client.decrypt_response(plain, keys.provider).unwrap();
        assert_eq!(read.status(), 200);
        assert_eq!(read.headers()["x-request-id"], "trace-1");
        match read.body() {
            ResponseOutcome::Plain(body) => assert_eq!(body["data"]["session_id"], "s-1"),
            other => panic!("expected a plain answer, found {other:?}"),
        }
        assert!(read.body().secure().is_none());
        // Still strict JSON objects.
        for bad in [&b"[1]"[..], br#"{"a":1,"a":2}"#, b"{"] {
            let plain = response(200, Some("application/json"), bad);
            assert!(
                matches!(
                    client.decrypt_response(plain, keys.provider),
                    Err(Error::MalformedBody { .. })
                ),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // Other types are still refused, and the message says what is accepted.
        let html = response(200, Some("text/html"), b"<html></html>");
        match client.decrypt_response(html, keys.provider) {
            Err(Error::WrongContentType {
                expected, found, ..
            }) => {
                assert_eq!(expected, "application/jose or application/json");
                assert_eq!(found, "\"text/html\"");
            }
            other => panic!("expected a wrong content type, found {other:?}"),
        }
    }
}

#[test]
fn a_400_json_error_keeps_its_status_and_parsed_body() {
    let keys = Keys::on(jose::default_provider());
    let client = keys.client(&clock());
    let body = br#"{"error":{"code":"BAD_VALUE","message":"psu.ip_address is invalid"}}"#;
    let api = api_error(
        &client,
        response(400, Some("application/json"), body),
        &keys,
    );
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.content_type.as_deref(), Some("application/json"));
    assert_eq!(api.json().unwrap()["error"]["code"], "BAD_VALUE");
    assert_eq!(api.object().unwrap()["error"]["code"], "BAD_VALUE");
    assert!(api.unopened.is_none());
    let err = Error::Api(api);
    assert_eq!(err.class(), jose::ErrorClass::Rejected);
    assert!(err.is_rejection());
    assert_eq!(err.api().unwrap().status, 400);
    assert_eq!(
        err.to_string(),
        r#"API error: expected a 2xx response, found 400 Bad Request with JSON body {"error":{"code":"BAD_VALUE","message":"psu.ip_address is invalid"}}"#
    );
    // No cause: the line is the message.
    assert_eq!(display_chain(&err), err.to_string());

    // problem+json and a missing Content-Type are read as JSON too; a long body is clipped in
    // the message, kept whole in the error.
    let long = json!({"error": {"message": "x".repeat(5_000)}}).to_string();
    for content_type in [Some("application/problem+json"), None] {
        let api = api_error(&client, response(422, content_type, long.as_bytes()), &keys);
        assert_eq!(
            api.json().unwrap()["error"]["message"]
                .as_str()
                .unwrap()
                .len(),
            5_000
        );
        let message = api.to_string();
        assert!(message.len() < 400, "{}", message.len());
        assert!(message.ends_with("..."), "{message}");
        assert!(message.contains("422 Unprocessable Entity"), "{message}");
    }
    // JSON with duplicate members is not trusted as JSON: kept as text.
    let api = api_error(
        &client,
        response(400, Some("application/json"), br#"{"a":1,"a":2}"#),
        &keys,
    );
    assert!(
        matches!(api.body, ApiErrorBody::Text { ref text, truncated: false } if text == r#"{"a":1,"a":2}"#)
    );
}

#[test]
fn a_500_html_page_is_kept_as_bounded_text_and_clipped_in_the_message() {
    let keys = Keys::on(jose::default_provider());
    let client = keys.client(&clock());
    let page = format!(
        "<html>\n<head><title>500 Internal Server Error</title></head>\n<body>{}</body></html>",
        "oops ".repeat(10_000)
    );
    assert!(page.len() > MAX_ERROR_BODY_BYTES);
    let api = api_error(
        &client,
        response(500, Some("text/html; charset=utf-8"), page.as_bytes()),
        &keys,
    );
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    match &api.body {
        ApiErrorBody::Text { text, truncated } => {
            assert!(*truncated);
            assert_eq!(text.len(), MAX_ERROR_BODY_BYTES);
            assert!(text.starts_with("<html>\n<head><title>500"));
        }
        other => panic!("expected text, found {other:?}"),
    }
    assert!(api.json().is_none() && api.object().is_none());
    let message = api.to_string();
    assert!(
        message.starts_with(
            "API error: expected a 2xx response, found 500 Internal Server Error with \"text/html; charset=utf-8\" body \"<html>\\n<head>"
        ),
        "{message}"
    );
    // One line, at most 200 characters of the page, and the cut said.
    assert!(!message.contains('\n'), "{message}");
    assert!(message.len() < 450, "{}", message.len());
    assert!(message.ends_with("...\" (cut at 16384 bytes)"), "{message}");

    // A short page is whole; bytes that are not UTF-8 are replaced, not a failure.
    let api = api_error(
        &client,
        response(502, Some("text/html"), b"<h1>Bad \xff gateway</h1>"),
        &keys,
    );
    assert!(
        matches!(api.body, ApiErrorBody::Text { ref text, truncated: false } if text == "<h1>Bad \u{fffd} gateway</h1>")
    );
    assert_eq!(Error::Api(api).class(), jose::ErrorClass::Rejected);
}

#[test]
fn a_204_and_other_empty_2xx_have_no_content() {
    let keys = Keys::on(jose::default_provider());
    for client in [
        keys.client(&clock()),
        keys.client(&clock())
            .with_plain_responses(PlainResponses::Accept),
    ] {
        for (status, content_type, body) in [
            (204, None, &b""[..]),
            (204, Some("application/json"), b""),
            (200, None, b""),
            (202, Some("text/plain"), b"  \r\n"),
        ] {
            let read = client
                .decrypt_response(response(status, content_type, body), keys.provider)
                .unwrap();
            assert_eq!(read.status(), status);
            assert_eq!(*read.body(), ResponseOutcome::NoContent);
            assert!(read.body().body().is_none());
            // Nothing was read, so the headers are as they came.
            assert_eq!(
                read.headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap()),
                content_type
            );
            assert_eq!(read.headers()["x-request-id"], "trace-1");
        }
    }
    // An empty error status is an API error with an empty body, not "no content".
    let client = keys.client(&clock());
    let api = api_error(&client, response(404, None, b""), &keys);
    assert_eq!(api.body, ApiErrorBody::Empty);
    assert_eq!(
        api.to_string(),
        "API error: expected a 2xx response, found 404 Not Found with no body"
    );
}

#[test]
fn a_sealed_error_body_is_opened_or_its_failure_is_the_source() {
    for keys in all_keys() {
        let p = keys.provider;
        let clock = clock();
        let client = keys.client(&clock);
        let server = keys.server(&clock);
        let refusal = http::Response::builder()
            .status(409)
            .body(obj(
                json!({"error": {"code": "SESSION_CONFLICT", "secret": "s3cr3t"}}),
            ))
            .unwrap();
        let sealed = server.encrypt_response(refusal, p).unwrap();
        let api = api_error(&client, sealed, &keys);
        assert_eq!(api.status, StatusCode::CONFLICT);
        match &api.body {
            ApiErrorBody::Secure(opened) => {
                assert_eq!(opened.body["error"]["code"], "SESSION_CONFLICT");
                assert_eq!(opened.signing_kid, SERVER_SIG);
            }
            other => panic!("expected a sealed body, found {other:?}"),
        }
        assert_eq!(api.object().unwrap()["error"]["code"], "SESSION_CONFLICT");
        // The decrypted body is never in the message.
        let message = api.to_string();
        assert!(!message.contains("s3cr3t") && !message.contains("SESSION_CONFLICT"));
        assert!(message.ends_with("409 Conflict with a sealed body (opened and verified)"));

        // A sealed body without response_timestamp fails the same check a 2xx would.
        let untimed = keys
            .server_sealer()
            .seal(&obj(json!({"error": {"code": "X"}})), p)
            .unwrap();
        let api = api_error(
            &client,
            response(400, Some("application/jose"), untimed.as_bytes()),
            &keys,
        );
        assert_eq!(api.body, ApiErrorBody::Unopened);
        assert!(matches!(
            api.unopened,
            Some(Error::MalformedBody { ref expected, .. }) if expected.contains("response_timestamp")
        ));

        // A sealed body that does not open: the status stays, the reason is the source.
        let forged = response(401, Some("application/jose"), b"a.b.c.d.e");
        let err = client.decrypt_response(forged, p).unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.status, StatusCode::UNAUTHORIZED);
        assert_eq!(api.body, ApiErrorBody::Unopened);
        assert!(matches!(
            api.unopened,
            Some(Error::MalformedToken {
                layer: Layer::Jwe,
                ..
            })
        ));
        let line = display_chain(&err);
        assert!(
            line.starts_with(
                "API error: expected a 2xx response, found 401 Unauthorized with a sealed body that was not accepted: malformed JWE: "
            ),
            "{line}"
        );
        assert_eq!(line.matches("malformed JWE: ").count(), 1, "{line}");
        assert_eq!(repeated_cause(&err), None, "{line}");
    }
}

#[test]
fn other_2xx_bodies_are_a_wrong_content_type() {
    let keys = Keys::on(jose::default_provider());
    let client = keys.client(&clock());
    for (content_type, found) in [
        (Some("text/html"), "\"text/html\""),
        (Some("application/jose+json"), "\"application/jose+json\""),
        (
            Some("application/problem+json"),
            "\"application/problem+json\"",
        ),
        (None, "no Content-Type header"),
    ] {
        match client.decrypt_response(response(200, content_type, b"{}"), keys.provider) {
            Err(Error::WrongContentType {
                expected, found: f, ..
            }) => {
                assert_eq!(expected, "application/jose");
                assert_eq!(f, found);
            }
            other => panic!("{content_type:?}: expected a wrong content type, found {other:?}"),
        }
    }
}
