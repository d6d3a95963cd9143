//! The HTTP adapters through real HTTP on 127.0.0.1: an axum server behind `Xs2aLayer` and a
//! reqwest client with `Xs2aMiddleware`, plus plain reqwest and raw TCP for what a well-behaved
//! client never sends (replays, tampered tokens, oversized and slow bodies).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use common::*;
use http::StatusCode;
use jose::CryptoProvider;
use jose_klarna_xs2a::axum::Xs2aLayer;
use jose_klarna_xs2a::reqwest::{ResponseSeal, Xs2aMiddleware, xs2a_error};
use jose_klarna_xs2a::{
    Client, Error, OpenedRequest, Policy, RequestStamp, ResponseOutcome, Sealer, Server,
};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use serde_json::{Value, json};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Every test finishes within this, or fails.
const BOUND: Duration = Duration::from_secs(20);

async fn bounded<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, test)
        .await
        .expect("the test did not finish in time")
}

fn provider() -> &'static dyn CryptoProvider {
    jose::provider_by_name("aws-lc").unwrap()
}

fn keys() -> Keys {
    Keys::on(provider())
}

/// How many times the handlers ran.
type Calls = Arc<AtomicUsize>;

async fn create_session(
    State(calls): State<Calls>,
    request: OpenedRequest,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    calls.fetch_add(1, Ordering::SeqCst);
    // The extractor and the request body hold the same verified JSON.
    assert_eq!(Value::Object(request.body.clone()), body);
    (
        StatusCode::CREATED,
        Json(json!({"data": {
            "session_id": "s-1",
            "psu": body["psu"],
            "request_id": request.request_id,
            "request_timestamp": request.request_timestamp,
            "signed_by": request.signing_kid,
        }})),
    )
}

async fn read_session(
    State(calls): State<Calls>,
    Path(id): Path<String>,
    request: OpenedRequest,
) -> Json<Value> {
    calls.fetch_add(1, Ordering::SeqCst);
    Json(json!({"data": {"session_id": id, "method": "GET", "request_id": request.request_id}}))
}

async fn delete_session(State(calls): State<Calls>, _request: OpenedRequest) -> StatusCode {
    calls.fetch_add(1, Ordering::SeqCst);
    StatusCode::NO_CONTENT
}

async fn not_json(State(calls): State<Calls>) -> &'static str {
    calls.fetch_add(1, Ordering::SeqCst);
    "a plain text success the layer must not let out unsealed"
}

fn router(calls: &Calls) -> Router {
    Router::new()
        .route(
            "/xs2a/v1/sessions",
            put(create_session).post(create_session),
        )
        .route(
            "/xs2a/v1/sessions/{id}",
            get(read_session).delete(delete_session),
        )
        .route("/xs2a/v1/not-json", post(not_json))
        .with_state(calls.clone())
}

/// Serves `router` behind `layer` on 127.0.0.1; returns its address.
async fn serve(layer: Xs2aLayer, router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = layer.wrap(router).into_make_service();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A server behind the layer with the usual routes; the handler call counter.
async fn start(
    server: Server,
    configure: impl FnOnce(Xs2aLayer) -> Xs2aLayer,
) -> (SocketAddr, Calls) {
    let calls = Calls::default();
    let layer = configure(Xs2aLayer::new(server, provider()));
    (serve(layer, router(&calls)).await, calls)
}

fn plain_http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn sealing_http(client: Client) -> ClientWithMiddleware {
    ClientBuilder::new(plain_http())
        .with(Xs2aMiddleware::new(client, provider()))
        .build()
}

fn url(addr: SocketAddr, path: &str) -> String {
    format!("http://{addr}{path}")
}

/// Sends an encrypted request (from the sans-IO client, perhaps altered) with plain reqwest.
async fn send_raw(addr: SocketAddr, request: &http::Request<Vec<u8>>) -> reqwest::Response {
    let mut builder = plain_http().request(
        request.method().clone(),
        url(addr, request.uri().path_and_query().unwrap().as_str()),
    );
    // Content-Length is reqwest's to set: a test may have replaced the body.
    for (name, value) in request.headers() {
        if name != http::header::CONTENT_LENGTH {
            builder = builder.header(name, value);
        }
    }
    builder.body(request.body().clone()).send().await.unwrap()
}

/// A refusal's status and `error.code`.
async fn refusal(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "refusals are plain JSON"
    );
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let code = body["error"]["code"].as_str().unwrap().to_owned();
    let message = body["error"]["message"].as_str().unwrap().to_owned();
    (status, code, message)
}

/// The status and `error.code` of an error status seen through the middleware.
fn api_refusal(error: &reqwest_middleware::Error) -> (StatusCode, String) {
    let api = xs2a_error(error)
        .and_then(Error::api)
        .unwrap_or_else(|| panic!("expected an API error, found {error:?}"));
    let code = api.json().unwrap()["error"]["code"].as_str().unwrap();
    (api.status, code.to_owned())
}

fn create_body() -> Value {
    json!({"psu": {"ip_address": "136.71.143.70", "user_agent": "Mozilla/5.0"}})
}

#[tokio::test]
async fn a_sealed_exchange_through_middleware_and_layer() {
    bounded(async {
        let keys = keys();
        let clock = clock();
        let (addr, calls) = start(keys.server(&clock), |l| l).await;
        let http = sealing_http(keys.client(&clock));

        let response = http
            .put(url(addr, "/xs2a/v1/sessions"))
            .header("content-type", "application/json")
            .header("authorization", "Token test-only")
            .body(create_body().to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["content-type"], "application/json");
        let stamp = response.extensions().get::<RequestStamp>().unwrap().clone();
        let seal = response.extensions().get::<ResponseSeal>().unwrap().clone();
        assert_eq!(seal.signing_kid, SERVER_SIG);
        assert_eq!(seal.response_timestamp, T0);
        assert_eq!(stamp.request_timestamp, T0);
        let body: Value = response.json_body().await;
        // What the handler saw: the verified body, the client's kid, the stamp.
        assert_eq!(body["data"]["psu"], create_body()["psu"]);
        assert_eq!(body["data"]["signed_by"], CLIENT_SIG);
        assert_eq!(body["data"]["request_id"], stamp.request_id.as_str());
        assert_eq!(body["data"]["request_timestamp"], T0);
        assert_eq!(body["response_timestamp"], T0);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    })
    .await;
}

#[tokio::test]
async fn both_directions_are_sealed_on_the_wire() {
    bounded(async {
        let keys = keys();
        let clock = clock();
        let (addr, calls) = start(keys.server(&clock), |l| l).await;
        let client = keys.client(&clock);

        // The request, sealed by the sans-IO client, goes out as it would from the middleware.
        let request = http::Request::post("/xs2a/v1/sessions")
            .header("content-type", "application/json")
            .body(create_body().to_string().into_bytes())
            .unwrap();
        let sealed = client.encrypt_request(request, provider()).unwrap();
        let response = send_raw(addr, &sealed).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["content-type"], "application/jose");
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(text.split('.').count(), 5, "a compact JWE");
        assert!(!text.contains("136.71.143.70"));
        let answer = http::Response::builder()
            .status(status)
            .header("content-type", "application/jose")
            .body(text.into_bytes())
            .unwrap();
        let opened = client.decrypt_response(answer, provider()).unwrap();
        match opened.body() {
            ResponseOutcome::Secure(opened) => {
                assert_eq!(opened.signing_kid, SERVER_SIG);
                assert_eq!(opened.body["data"]["session_id"], "s-1");
            }
            other => panic!("expected a sealed answer, found {other:?}"),
        }

        // A plain JSON request never reaches a handler.
        let plain = plain_http()
            .post(url(addr, "/xs2a/v1/sessions"))
            .header("content-type", "application/json")
            .body(create_body().to_string())
            .send()
            .await
            .unwrap();
        let (status, code, _) = refusal(plain).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "WRONG_CONTENT_TYPE")
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    })
    .await;
}

#[tokio::test]
async fn get_and_delete_travel_as_post_and_come_back() {
    bounded(async {
        let keys = keys();
        let clock = clock();
        let (addr, calls) = start(keys.server(&clock), |l| l).await;
        let http = sealing_http(keys.client(&clock));

        let response = http
            .get(url(addr, "/xs2a/v1/sessions/s-42"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let stamp = response.extensions().get::<RequestStamp>().unwrap().clone();
        let body: Value = response.json_body().await;
        assert_eq!(body["data"]["session_id"], "s-42");
        assert_eq!(body["data"]["method"], "GET");
        assert_eq!(body["data"]["request_id"], stamp.request_id.as_str());

        let response = http
            .delete(url(addr, "/xs2a/v1/sessions/s-42"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(
            response.extensions().get::<ResponseSeal>().is_none(),
            "nothing to open"
        );
        assert!(response.bytes().await.unwrap().is_empty());
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        // On the wire the GET is a sealed POST to .../get, and a plain GET is refused.
        let request = http::Request::get("/xs2a/v1/sessions/s-7")
            .body(Vec::new())
            .unwrap();
        let sealed = keys
            .client(&clock)
            .encrypt_request(request, provider())
            .unwrap();
        assert_eq!(sealed.uri().path(), "/xs2a/v1/sessions/s-7/get");
        assert_eq!(send_raw(addr, &sealed).await.status(), StatusCode::OK);
        let plain = plain_http()
            .get(url(addr, "/xs2a/v1/sessions/s-7"))
            .send()
            .await
            .unwrap();
        assert_eq!(refusal(plain).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    })
    .await;
}

#[tokio::test]
async fn a_replay_is_refused_by_the_layer() {
    bounded(async {
        let keys = keys();
        let clock = clock();
        let (addr, calls) = start(keys.server(&clock), |l| l).await;

        let request = http::Request::post("/xs2a/v1/sessions")
            .body(create_body().to_string().into_bytes())
            .unwrap();
        let sealed = keys
            .client(&clock)
            .encrypt_request(request, provider())
            .unwrap();
        assert_eq!(send_raw(addr, &sealed).await.status(), StatusCode::CREATED);
        clock.advance(Duration::from_secs(60));
        let (status, code, message) = refusal(send_raw(addr, &sealed).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::CONFLICT, "REPLAYED_REQUEST")
        );
        assert!(message.starts_with("replayed request"), "{message}");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "the replay never reached the handler"
        );

        // Through the middleware: a body that brings its own request_id, sent twice.
        let http = sealing_http(keys.client(&clock));
        let body = json!({"request_id": "test-only-fixed-id-0001", "psu": {}}).to_string();
        let send = || {
            http.post(url(addr, "/xs2a/v1/sessions"))
                .body(body.clone())
                .send()
        };
        assert_eq!(send().await.unwrap().status(), StatusCode::CREATED);
        let error = send().await.unwrap_err();
        assert_eq!(
            api_refusal(&error),
            (StatusCode::CONFLICT, "REPLAYED_REQUEST".into())
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    })
    .await;
}

#[tokio::test]
async fn tampered_and_forged_requests_are_refused_without_saying_why() {
    bounded(async {
        let keys = keys();
        let clock = clock();
        let (addr, calls) = start(keys.server(&clock), |l| l).await;
        let sealed = || {
            let request = http::Request::post("/xs2a/v1/sessions")
                .body(create_body().to_string().into_bytes())
                .unwrap();
            keys.client(&clock)
                .encrypt_request(request, provider())
                .unwrap()
        };

        // One character of the ciphertext changed.
        let mut tampered = sealed();
        let token = String::from_utf8(tampered.body().clone()).unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let first = parts[3].remove(0);
        parts[3].insert(0, if first == 'A' { 'B' } else { 'A' });
        *tampered.body_mut() = parts.join(".").into_bytes();
        let (status, code, message) = refusal(send_raw(addr, &tampered).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNAUTHORIZED, "DECRYPTION_FAILED")
        );
        assert_eq!(message, "decryption failed");

        // Signed by a stranger under the client's kid, encrypted to the server.
        let forger = Sealer::new(keys.stranger(CLIENT_SIG), keys.server_enc.public_key()).unwrap();
        let mut forged = sealed();
        let stamped = obj(json!({
            "request_id": "test-only-forged-0001",
            "request_timestamp": T0,
            "psu": {}
        }));
        *forged.body_mut() = forger.seal(&stamped, provider()).unwrap().into_bytes();
        let (status, code, message) = refusal(send_raw(addr, &forged).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNAUTHORIZED, "BAD_SIGNATURE")
        );
        assert_eq!(message, "signature verification failed");

        // Not a token at all.
        let mut garbage = sealed();
        *garbage.body_mut() = b"not-a-token".to_vec();
        let (status, code, _) = refusal(send_raw(addr, &garbage).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "MALFORMED_TOKEN")
        );

        assert_eq!(calls.load(Ordering::SeqCst), 0);
        // The genuine request still goes through (the refusals took no room in the guard).
        assert_eq!(
            send_raw(addr, &sealed()).await.status(),
            StatusCode::CREATED
        );
    })
    .await;
}

#[tokio::test]
async fn stale_requests_and_stale_answers_are_refused() {
    bounded(async {
        let keys = keys();
        let server_clock = clock();
        let client_clock = clock();
        let (addr, calls) = start(keys.server(&server_clock), |l| l).await;

        // The request is 2 minutes and 1 ms old when it arrives.
        server_clock.advance(Duration::from_millis(120_001));
        let http = sealing_http(keys.client(&client_clock));
        let error = http
            .put(url(addr, "/xs2a/v1/sessions"))
            .body(create_body().to_string())
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            api_refusal(&error),
            (StatusCode::UNAUTHORIZED, "STALE_TIMESTAMP".into())
        );
        assert_eq!(calls.load(Ordering::SeqCst), 0);

        // The server's clock 25 s behind the client's: the request is within the allowed skew,
        // the answer older than the client's 10 s.
        server_clock.set_millis(T0);
        client_clock.set_millis(T0 + 25_000);
        let strict = keys
            .client(&client_clock)
            .with_policy(Policy::default().with_max_age(Duration::from_secs(10)));
        let error = sealing_http(strict)
            .put(url(addr, "/xs2a/v1/sessions"))
            .body(create_body().to_string())
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(
                xs2a_error(&error),
                Some(Error::Stale {
                    field: "response_timestamp",
                    age_ms: 25_000,
                    ..
                })
            ),
            "{error:?}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    })
    .await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    bounded(async {
        let keys = keys();
        let clock = clock();
        let (addr, calls) = start(keys.server(&clock), |l| l.with_body_limit(2048)).await;
        let http = sealing_http(keys.client(&clock));

        // Under the limit: fine.
        let small = http
            .put(url(addr, "/xs2a/v1/sessions"))
            .body(json!({"psu": {}}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(small.status(), StatusCode::CREATED);

        // A declared length over it.
        let large = json!({"psu": {"note": "x".repeat(3000)}}).to_string();
        let error = http
            .put(url(addr, "/xs2a/v1/sessions"))
            .body(large)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            api_refusal(&error),
            (StatusCode::PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE".into())
        );

        // No declared length (chunked): cut at the limit while reading.
        let chunk = format!("400\r\n{}\r\n", "A".repeat(0x400));
        let request = format!(
            "POST /xs2a/v1/sessions HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/jose\r\n\
             transfer-encoding: chunked\r\nconnection: close\r\n\r\n{}0\r\n\r\n",
            chunk.repeat(3)
        );
        let answer = raw_http(addr, request.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("BODY_TOO_LARGE"), "{answer}");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    })
    .await;
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_408() {
    bounded(async {
        let keys = keys();
        let clock = clock();
        let (addr, calls) = start(keys.server(&clock), |l| {
            l.with_read_timeout(Duration::from_millis(300))
        })
        .await;
        // Announces 100 bytes, sends none, and waits.
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /xs2a/v1/sessions HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/jose\r\n\
             content-length: 100\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = std::time::Instant::now();
        let answer = read_answer(&mut stream).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("TIMED_OUT"), "{answer}");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    })
    .await;
}

#[tokio::test]
async fn a_handler_success_that_is_not_json_is_not_let_out() {
    bounded(async {
        let keys = keys();
        let clock = clock();
        let (addr, calls) = start(keys.server(&clock), |l| l).await;
        let error = sealing_http(keys.client(&clock))
            .post(url(addr, "/xs2a/v1/not-json"))
            .body("{}")
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            api_refusal(&error),
            (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR".into())
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // An unknown route: the router's own empty 404, passed on as it is.
        let error = sealing_http(keys.client(&clock))
            .post(url(addr, "/xs2a/v1/nowhere"))
            .body("{}")
            .send()
            .await
            .unwrap_err();
        let api = xs2a_error(&error).and_then(Error::api).unwrap();
        assert_eq!(api.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn the_middleware_refuses_plain_answers_unless_told_otherwise() {
    bounded(async {
        let keys = keys();
        let clock = clock();
        // A server without the layer, answering plain JSON to anything.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().fallback(|| async { Json(json!({"data": {"plain": true}})) });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

        let error = sealing_http(keys.client(&clock))
            .post(url(addr, "/xs2a/v1/sessions"))
            .body("{}")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(xs2a_error(&error), Some(Error::PlainResponseRefused { .. })),
            "{error:?}"
        );

        let lenient = keys
            .client(&clock)
            .with_plain_responses(jose_klarna_xs2a::PlainResponses::Accept);
        let response = sealing_http(lenient)
            .post(url(addr, "/xs2a/v1/sessions"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert!(
            response.extensions().get::<ResponseSeal>().is_none(),
            "not vouched for"
        );
        let body: Value = response.json_body().await;
        assert_eq!(body["data"]["plain"], true);
    })
    .await;
}

#[tokio::test]
async fn an_answer_over_the_limit_is_refused_by_the_middleware() {
    bounded(async {
        let keys = keys();
        let clock = clock();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().fallback(|| async { "x".repeat(10_000) });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let http = ClientBuilder::new(plain_http())
            .with(Xs2aMiddleware::new(keys.client(&clock), provider()).with_response_limit(4096))
            .build();
        let error = http
            .post(url(addr, "/xs2a/v1/sessions"))
            .body("{}")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(
                xs2a_error(&error),
                Some(Error::BodyTooLarge { limit: 4096, .. })
            ),
            "{error:?}"
        );
    })
    .await;
}

/// Sends `request` on a fresh connection and reads the answer.
async fn raw_http(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    read_answer(&mut stream).await
}

/// Reads an HTTP/1.1 answer: its head and its `content-length` bytes of body.
async fn read_answer(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = stream.read(&mut buffer).await.unwrap();
        received.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&received).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .map_or(0, |v| v.trim().parse::<usize>().unwrap());
            if received.len() >= end + 4 + length {
                return text;
            }
        }
        assert!(n > 0, "the connection closed early: {text}");
    }
}

/// The JSON body of a response.
trait JsonBody {
    async fn json_body(self) -> Value;
}

impl JsonBody for reqwest::Response {
    async fn json_body(self) -> Value {
        serde_json::from_slice(&self.bytes().await.unwrap()).unwrap()
    }
}
