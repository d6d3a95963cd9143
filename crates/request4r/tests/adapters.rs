//! The adapters through real HTTP on loopback: an axum server behind `GatewayLayer` on
//! 127.0.0.1, and reqwest clients, with `PartnerMiddleware` or raw (to send what a partner would
//! not). Every test is bounded in time.
//!
//! RSA keys are slow to generate, so three key pairs (RaaS, partner, a foreigner) are generated
//! once per test binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use axum::extract::Request;
use axum::routing::{get, post};
use axum::{Router, ServiceExt};
use jose::{CryptoProvider, KeySpec, PrivateKey};
use jose_request4r::axum::{Decrypted, GatewayLayer};
use jose_request4r::reqwest::{PartnerMiddleware, request4r_error};
use jose_request4r::{
    ERROR_INTERNAL, ERROR_INVALID_JWE_PAYLOAD, ERROR_NOT_FOUND, ERROR_PAYLOAD_TOO_LARGE,
    ERROR_REQUEST_TIMEOUT, Error, Gateway, OpeningKey, Partner,
};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware, Middleware, Next};
use serde_json::{Value, json};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::Layer;

const BODY: &str = r#"{"email":"ada@example.com","amount":"100.00","reference_id":"ref-7"}"#;

struct Keys {
    raas: OpeningKey,
    partner: OpeningKey,
    foreign: OpeningKey,
}

fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| {
        let provider = jose::default_provider();
        let generate = || {
            OpeningKey::new(PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider).unwrap())
                .unwrap()
        };
        Keys {
            raas: generate(),
            partner: generate(),
            foreign: generate(),
        }
    })
}

fn provider() -> &'static dyn CryptoProvider {
    jose::default_provider()
}

fn gateway() -> Gateway {
    let k = keys();
    Gateway::new(k.raas.clone(), k.partner.sealing_key())
}

fn partner() -> Partner {
    let k = keys();
    Partner::new(k.raas.sealing_key(), k.partner.clone())
}

/// Runs a test body, failing it after 30 s.
async fn bounded<F: Future<Output = ()>>(test: F) {
    tokio::time::timeout(Duration::from_secs(30), test)
        .await
        .expect("the test took more than 30 s");
}

/// How many times the handlers ran.
#[derive(Clone, Default)]
struct Calls(Arc<AtomicUsize>);

impl Calls {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// The application: standard routes, as a partner's API would declare them.
fn router(calls: Calls) -> Router {
    let register = {
        let calls = calls.clone();
        move |decrypted: Decrypted, headers: http::HeaderMap, uri: http::Uri, body: String| {
            let calls = calls.clone();
            async move {
                calls.0.fetch_add(1, Ordering::SeqCst);
                let received: Value = serde_json::from_str(&body).unwrap();
                json!({
                    "user_id": "u-1",
                    "path": uri.path(),
                    "received": received,
                    "reference_id": decrypted.reference_id,
                    "encrypted": decrypted.encrypted,
                    "request4r_path": decrypted.request4r_uri.path(),
                    "api_key": headers.get("api_key").and_then(|v| v.to_str().ok()),
                    "content_type": headers.get("content-type").and_then(|v| v.to_str().ok()),
                })
                .to_string()
            }
        }
    };
    let user = {
        let calls = calls.clone();
        move |uri: http::Uri, body: String| {
            let calls = calls.clone();
            async move {
                calls.0.fetch_add(1, Ordering::SeqCst);
                json!({"uri": uri.to_string(), "body_len": body.len()}).to_string()
            }
        }
    };
    let broken = {
        let calls = calls.clone();
        move || {
            let calls = calls.clone();
            async move {
                calls.0.fetch_add(1, Ordering::SeqCst);
                "plain text, not JSON"
            }
        }
    };
    let big = {
        let calls = calls.clone();
        move || {
            let calls = calls.clone();
            async move {
                calls.0.fetch_add(1, Ordering::SeqCst);
                json!({"data": "x".repeat(64 * 1024)}).to_string()
            }
        }
    };
    Router::new()
        .route("/v1/auth/register-user-v2", post(register))
        .route("/raas/v1/users/42", get(user))
        .route("/v1/broken", post(broken))
        .route("/v1/big", post(big))
}

/// Serves `router` behind `layer` on 127.0.0.1; returns the address.
async fn serve(layer: GatewayLayer, router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = layer.layer(router);
    tokio::spawn(async move {
        axum::serve(listener, ServiceExt::<Request>::into_make_service(app))
            .await
            .unwrap();
    });
    addr
}

/// A gateway with the default limits, and its handler counter.
async fn start() -> (SocketAddr, Calls) {
    let calls = Calls::default();
    let addr = serve(
        GatewayLayer::new(gateway(), provider()),
        router(calls.clone()),
    )
    .await;
    (addr, calls)
}

fn client(partner: Partner) -> ClientWithMiddleware {
    ClientBuilder::new(reqwest::Client::new())
        .with(PartnerMiddleware::new(partner, provider()))
        .build()
}

/// A middleware placed after `PartnerMiddleware`: flips one character of the JWE's ciphertext.
struct Tamper;

#[async_trait::async_trait]
impl Middleware for Tamper {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let jwe = std::str::from_utf8(request.body().unwrap().as_bytes().unwrap())
            .unwrap()
            .to_owned();
        *request.body_mut() = Some(tamper(&jwe).into());
        next.run(request, extensions).await
    }
}

/// The JWE with the first character of its ciphertext changed.
fn tamper(jwe: &str) -> String {
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    assert_eq!(parts.len(), 5);
    let ciphertext = &mut parts[3];
    let first = if ciphertext.starts_with('A') {
        "B"
    } else {
        "A"
    };
    ciphertext.replace_range(0..1, first);
    parts.join(".")
}

/// A refusal's status and JSON body, from a raw reqwest response.
async fn refusal(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    (status, body)
}

/// The API error inside a middleware error.
fn api_error(error: &reqwest_middleware::Error) -> &jose_request4r::ApiError {
    request4r_error(error)
        .and_then(Error::api)
        .unwrap_or_else(|| panic!("expected an API error, found {error:?}"))
}

#[tokio::test]
async fn full_exchange() {
    bounded(async {
        let (addr, calls) = start().await;
        let response = client(partner())
            .post(format!("http://{addr}/v1/auth/register-user-v2?lang=en"))
            .header("api_key", "tenant-key")
            .header("content-type", "application/json")
            .body(BODY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        // The gateway surfaced the plaintext's reference_id, and answered with it.
        assert_eq!(response.headers()["x-reference-id"], "ref-7");
        assert_eq!(
            response.url().as_str(),
            format!("http://{addr}/v1/partners/request4r/auth/register-user-v2?lang=en")
        );
        let answer: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(
            answer,
            json!({
                "user_id": "u-1",
                "path": "/v1/auth/register-user-v2",
                "received": serde_json::from_str::<Value>(BODY).unwrap(),
                "reference_id": "ref-7",
                "encrypted": true,
                "request4r_path": "/v1/partners/request4r/auth/register-user-v2",
                "api_key": "tenant-key",
                "content_type": "application/json",
            })
        );
        assert_eq!(calls.count(), 1);
    })
    .await;
}

#[tokio::test]
async fn the_wire_carries_jwes_both_ways() {
    bounded(async {
        let (addr, calls) = start().await;
        // What the middleware sends, built by hand with the sans-IO partner.
        let request = http::Request::post(format!("http://{addr}/v1/auth/register-user-v2"))
            .body(BODY)
            .unwrap();
        let sent = partner().encrypt_request(request, provider()).unwrap();
        let response = reqwest::Client::new()
            .post(sent.uri().to_string())
            .header("content-type", "text/plain")
            .body(sent.body().clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/jose");
        let jwe = response.text().await.unwrap();
        assert_eq!(jwe.split('.').count(), 5);
        assert!(!jwe.contains("u-1"));
        let plaintext = keys().partner.open(&jwe, provider()).unwrap();
        assert!(plaintext.contains(r#""user_id":"u-1""#));
        assert_eq!(calls.count(), 1);
    })
    .await;
}

#[tokio::test]
async fn across_providers() {
    bounded(async {
        let providers = jose::providers();
        assert_eq!(providers.len(), 2, "both providers must be compiled in");
        for gateway_provider in &providers {
            for partner_provider in &providers {
                let calls = Calls::default();
                let addr = serve(
                    GatewayLayer::new(gateway(), *gateway_provider),
                    router(calls.clone()),
                )
                .await;
                let client = ClientBuilder::new(reqwest::Client::new())
                    .with(PartnerMiddleware::new(partner(), *partner_provider))
                    .build();
                let response = client
                    .post(format!("http://{addr}/v1/auth/register-user-v2"))
                    .body(BODY)
                    .send()
                    .await
                    .unwrap();
                let answer: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
                assert_eq!(answer["user_id"], "u-1");
                assert_eq!(calls.count(), 1);
            }
        }
    })
    .await;
}

#[tokio::test]
async fn tampered_body_is_refused_before_the_handler() {
    bounded(async {
        let (addr, calls) = start().await;
        // Through the middleware: the gateway's answer is a typed error.
        let client = ClientBuilder::new(reqwest::Client::new())
            .with(PartnerMiddleware::new(partner(), provider()))
            .with(Tamper)
            .build();
        let err = client
            .post(format!("http://{addr}/v1/auth/register-user-v2"))
            .body(BODY)
            .send()
            .await
            .unwrap_err();
        let api = api_error(&err);
        assert_eq!(api.status, 400);
        assert!(api.is_invalid_jwe_payload());
        assert_eq!(api.reason.as_deref(), Some("the JWE cannot be decrypted"));
        assert!(request4r_error(&err).unwrap().is_rejection());

        // On the wire: exactly the seed's code and a short reason, nothing about why.
        let request = http::Request::post(format!("http://{addr}/v1/auth/register-user-v2"))
            .body(BODY)
            .unwrap();
        let sent = partner().encrypt_request(request, provider()).unwrap();
        let response = reqwest::Client::new()
            .post(sent.uri().to_string())
            .body(tamper(sent.body()))
            .send()
            .await
            .unwrap();
        let (status, body) = refusal(response).await;
        assert_eq!(status, 400);
        assert_eq!(
            body,
            json!({"code": ERROR_INVALID_JWE_PAYLOAD, "reason": "the JWE cannot be decrypted"})
        );

        // Not a JWE at all, and JSON where a JWE should be.
        for bad in ["not a jwe", BODY] {
            let response = reqwest::Client::new()
                .post(format!(
                    "http://{addr}/v1/partners/request4r/auth/register-user-v2"
                ))
                .body(bad)
                .send()
                .await
                .unwrap();
            let (status, body) = refusal(response).await;
            assert_eq!(status, 400);
            assert_eq!(body["code"], ERROR_INVALID_JWE_PAYLOAD);
        }
        assert_eq!(calls.count(), 0, "the handler ran on a refused body");
    })
    .await;
}

#[tokio::test]
async fn wrong_keys() {
    bounded(async {
        let (addr, calls) = start().await;
        let k = keys();
        // The partner encrypts to a key that is not the RaaS key: refused, handler not run.
        let misdirected = Partner::new(k.foreign.sealing_key(), k.partner.clone());
        let err = client(misdirected)
            .post(format!("http://{addr}/v1/auth/register-user-v2"))
            .body(BODY)
            .send()
            .await
            .unwrap_err();
        let api = api_error(&err);
        assert_eq!(api.status, 400);
        assert!(api.is_invalid_jwe_payload());
        assert_eq!(calls.count(), 0);

        // The gateway answers to the registered partner key; a partner holding another private
        // key cannot read the answer.
        let other_partner = Partner::new(k.raas.sealing_key(), k.foreign.clone());
        let err = client(other_partner)
            .post(format!("http://{addr}/v1/auth/register-user-v2"))
            .body(BODY)
            .send()
            .await
            .unwrap_err();
        assert_eq!(request4r_error(&err), Some(&Error::DecryptionFailed));
        assert_eq!(calls.count(), 1);
    })
    .await;
}

#[tokio::test]
async fn body_over_the_limit_is_413() {
    bounded(async {
        let calls = Calls::default();
        let layer = GatewayLayer::new(gateway(), provider()).body_limit(4096);
        let addr = serve(layer, router(calls.clone())).await;
        let large = json!({"email": "ada@example.com", "pad": "x".repeat(8192)}).to_string();

        // Declared too large (Content-Length): refused before reading.
        let err = client(partner())
            .post(format!("http://{addr}/v1/auth/register-user-v2"))
            .body(large.clone())
            .send()
            .await
            .unwrap_err();
        let api = api_error(&err);
        assert_eq!(api.status, 413);
        assert_eq!(api.code.as_deref(), Some(ERROR_PAYLOAD_TOO_LARGE));

        // Not declared (chunked): refused when the limit is crossed.
        let sent = partner()
            .encrypt_request(
                http::Request::post(format!("http://{addr}/v1/auth/register-user-v2"))
                    .body(large.as_str())
                    .unwrap(),
                provider(),
            )
            .unwrap();
        let answer = raw_chunked(addr, sent.uri().path(), sent.body()).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains(ERROR_PAYLOAD_TOO_LARGE), "{answer}");

        // Under the limit: served.
        let response = client(partner())
            .post(format!("http://{addr}/v1/auth/register-user-v2"))
            .body(BODY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(calls.count(), 1);
    })
    .await;
}

/// Sends `body` in two chunks with chunked transfer encoding; returns the answer.
async fn raw_chunked(addr: SocketAddr, path: &str, body: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (a, b) = body.split_at(body.len() / 2);
    let request = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    read_answer(&mut stream).await
}

/// Reads the whole answer, until the server closes the connection (or 5 s); returns it as text.
async fn read_answer(stream: &mut tokio::net::TcpStream) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server did not close the connection");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn slow_body_is_408() {
    bounded(async {
        let calls = Calls::default();
        let layer = GatewayLayer::new(gateway(), provider()).body_timeout(Duration::from_millis(300));
        let addr = serve(layer, router(calls.clone())).await;
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        // Announces 100 bytes and sends 10.
        let request = format!(
            "POST /v1/partners/request4r/auth/register-user-v2 HTTP/1.1\r\nhost: {addr}\r\ncontent-length: 100\r\nconnection: close\r\n\r\neyJhbGciOi"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let started = std::time::Instant::now();
        let answer = read_answer(&mut stream).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains(ERROR_REQUEST_TIMEOUT), "{answer}");
        assert!(started.elapsed() < Duration::from_secs(3));
        assert_eq!(calls.count(), 0);
    })
    .await;
}

#[tokio::test]
async fn routing() {
    bounded(async {
        let (addr, calls) = start().await;
        let raw = reqwest::Client::new();

        // A base path before /v1 and a query are kept; a GET has no body to encrypt.
        let response = client(partner())
            .get(format!("http://{addr}/raas/v1/users/42?page=2"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.url().path(),
            "/raas/v1/partners/request4r/users/42"
        );
        let answer: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(
            answer,
            json!({"uri": "/raas/v1/users/42?page=2", "body_len": 0})
        );
        assert_eq!(calls.count(), 1);

        // The standard route itself is not served through the gateway.
        for path in [
            "/v1/auth/register-user-v2",
            "/v1/partners/auth/register-user-v2",
            "/v2/partners/request4r/auth/register-user-v2",
            // An encoded slash could escape /v1 after the prefix is removed.
            "/v1/partners/request4r/x%2F..%2F..%2Fadmin",
        ] {
            let response = raw
                .post(format!("http://{addr}{path}"))
                .body(BODY)
                .send()
                .await
                .unwrap();
            let (status, body) = refusal(response).await;
            assert_eq!(status, 404, "{path}");
            assert_eq!(body["code"], ERROR_NOT_FOUND, "{path}");
        }

        // A Request4R path with no route behind it: the router's own 404 (empty, not encrypted).
        let response = client(partner())
            .post(format!("http://{addr}/v1/nowhere"))
            .body(BODY)
            .send()
            .await
            .unwrap_err();
        assert_eq!(api_error(&response).status, 404);

        // The partner refuses a path it cannot map, before sending.
        let err = client(partner())
            .post(format!("http://{addr}/v2/users"))
            .body(BODY)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(request4r_error(&err), Some(Error::Route { .. })),
            "{err:?}"
        );
        assert_eq!(calls.count(), 1);
    })
    .await;
}

#[tokio::test]
async fn handler_answers_that_cannot_be_sent_are_500() {
    bounded(async {
        let calls = Calls::default();
        let layer = GatewayLayer::new(gateway(), provider()).response_limit(16 * 1024);
        let addr = serve(layer, router(calls.clone())).await;
        for path in ["/v1/broken", "/v1/big"] {
            let err = client(partner())
                .post(format!("http://{addr}{path}"))
                .body(BODY)
                .send()
                .await
                .unwrap_err();
            let api = api_error(&err);
            assert_eq!(api.status, 500, "{path}");
            assert_eq!(api.code.as_deref(), Some(ERROR_INTERNAL), "{path}");
            // Nothing of the handler's answer leaks.
            assert!(!format!("{:?}", api.body).contains("plain text"));
        }
        assert_eq!(calls.count(), 2);
    })
    .await;
}

#[tokio::test]
async fn plain_json_responses_only_when_accepted() {
    bounded(async {
        // A server answering plain JSON on a Request4R route (no gateway in front).
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route(
            "/v1/partners/request4r/status",
            post(|| async {
                (
                    [("content-type", "application/json")],
                    r#"{"status":"up","amount":100.10}"#,
                )
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let url = format!("http://{addr}/v1/status");

        let err = client(partner())
            .post(&url)
            .body("{}")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(
                request4r_error(&err),
                Some(Error::PlainResponseRefused { status }) if *status == 200
            ),
            "{err:?}"
        );

        let response = client(partner().accept_plain_json(true))
            .post(&url)
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-type"], "application/json");
        // The JSON text as the server wrote it.
        assert_eq!(
            response.text().await.unwrap(),
            r#"{"status":"up","amount":100.10}"#
        );
    })
    .await;
}

#[tokio::test]
async fn sandbox_skip_encryption_only_where_the_gateway_allows_it() {
    bounded(async {
        // A gateway that is not a sandbox refuses X-Skip-Encryption.
        let (addr, calls) = start().await;
        let err = client(partner().sandbox(true))
            .post(format!("http://{addr}/v1/auth/register-user-v2"))
            .body(BODY)
            .send()
            .await
            .unwrap_err();
        let api = api_error(&err);
        assert_eq!(api.status, 400);
        assert!(api.is_invalid_jwe_payload());
        assert_eq!(calls.count(), 0);

        // A sandbox gateway serves it in plain JSON both ways.
        let calls = Calls::default();
        let layer = GatewayLayer::new(gateway().allow_skip_encryption(true), provider());
        let addr = serve(layer, router(calls.clone())).await;
        let response = client(partner().sandbox(true))
            .post(format!("http://{addr}/v1/auth/register-user-v2"))
            .body(BODY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let answer: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(answer["encrypted"], false);
        assert_eq!(answer["received"]["email"], "ada@example.com");
        // An encrypted partner still gets an encrypted answer from the sandbox.
        let response = client(partner())
            .post(format!("http://{addr}/v1/auth/register-user-v2"))
            .body(BODY)
            .send()
            .await
            .unwrap();
        let answer: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(answer["encrypted"], true);
        assert_eq!(calls.count(), 2);
    })
    .await;
}

#[tokio::test]
async fn decrypted_extractor_fails_closed_without_the_layer() {
    bounded(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route("/v1/x", post(|_: Decrypted| async { "ran" }));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let response = reqwest::Client::new()
            .post(format!("http://{addr}/v1/x"))
            .body("{}")
            .send()
            .await
            .unwrap();
        let (status, body) = refusal(response).await;
        assert_eq!(status, 500);
        assert_eq!(body["code"], ERROR_INTERNAL);
    })
    .await;
}

#[tokio::test]
async fn streaming_body_is_refused_before_sending() {
    bounded(async {
        let (addr, calls) = start().await;
        let err = client(partner())
            .post(format!("http://{addr}/v1/auth/register-user-v2"))
            .body(reqwest::Body::wrap(BODY.to_owned()))
            .send()
            .await
            .unwrap_err();
        let e = request4r_error(&err).unwrap();
        assert!(matches!(e, Error::Http { .. }), "{e:?}");
        assert!(e.to_string().contains("a streaming body"), "{e}");
        assert_eq!(e.class(), jose::ErrorClass::Local);
        assert_eq!(calls.count(), 0);
    })
    .await;
}
