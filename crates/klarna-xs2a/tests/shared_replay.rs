//! Replay state shared by several servers through a real redis-server on 127.0.0.1 (started
//! here; the tests fail when it cannot start): two server engines with their own connections
//! refuse each other's replays within the window and accept the id again after it; the axum
//! layer answers 409 for a replay and 503 while Redis is down, then serves again when it is back;
//! the synchronous API refuses a store that must be awaited.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use jose_klarna_xs2a::axum::Xs2aLayer;
use jose_klarna_xs2a::{Client, Error, Policy, ReplayError, Server, SystemClock};
use jose_replay_redis::RedisReplayStore;
use jose_test_support::RedisServer;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn redis() -> RedisServer {
    RedisServer::start().expect("a redis-server on 127.0.0.1 (apt-get install redis-server)")
}

async fn shared_store(redis: &RedisServer) -> Arc<RedisReplayStore> {
    Arc::new(
        RedisReplayStore::builder(redis.url())
            .prefix("xs2a:test:")
            .timeout(Duration::from_millis(300))
            .connect()
            .await
            .unwrap(),
    )
}

/// A short test policy: a request is accepted for 1 s (1 s old at most, no skew), so ids are
/// remembered for 1.001 s.
fn short_policy() -> Policy {
    Policy::default()
        .with_max_age(Duration::from_secs(1))
        .with_allowed_skew(Duration::ZERO)
}

fn real_time_server(keys: &Keys, store: Arc<RedisReplayStore>) -> Server {
    Server::new(keys.server_sealer(), keys.server_opener())
        .with_clock(Arc::new(SystemClock))
        .with_policy(short_policy())
        .with_replay_window(Duration::from_millis(1))
        .with_replay_store(store)
}

fn real_time_client(keys: &Keys) -> Client {
    Client::new(keys.client_sealer(), keys.client_opener()).with_clock(Arc::new(SystemClock))
}

#[tokio::test]
async fn two_servers_sharing_redis_refuse_each_others_replays_and_accept_the_id_after_the_window() {
    let redis = redis();
    for keys in all_keys() {
        let p = keys.provider;
        // Two instances behind a load balancer: two engines, two stores, one Redis.
        let first = real_time_server(&keys, shared_store(&redis).await);
        let second = real_time_server(&keys, shared_store(&redis).await);
        assert_eq!(first.replay_window(), Duration::from_millis(1_001));
        let client = real_time_client(&keys);
        let id = format!("shared-{}", p.name());
        let request = client
            .seal_request(obj(json!({"request_id": id, "amount": "10.00"})), p)
            .unwrap();

        let opened = first.open_request_async(&request.token, p).await.unwrap();
        assert_eq!(opened.request_id, id);
        match second.open_request_async(&request.token, p).await {
            Err(Error::Replayed {
                request_id,
                window_ms: 1_001,
            }) => assert_eq!(request_id, id),
            other => panic!(
                "{}: expected a replay on the second server, found {other:?}",
                p.name()
            ),
        }
        assert!(matches!(
            first.open_request_async(&request.token, p).await,
            Err(Error::Replayed { .. })
        ));

        // After the window the id is free again: a new request with it, stamped now, is accepted
        // (the old one is stale by then).
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        assert!(matches!(
            second.open_request_async(&request.token, p).await,
            Err(Error::Stale { .. })
        ));
        let again = client
            .seal_request(obj(json!({"request_id": id, "amount": "10.00"})), p)
            .unwrap();
        assert!(second.open_request_async(&again.token, p).await.is_ok());
        assert!(matches!(
            first.open_request_async(&again.token, p).await,
            Err(Error::Replayed { .. })
        ));
    }
}

#[tokio::test]
async fn the_synchronous_api_refuses_a_store_that_must_be_awaited() {
    let redis = redis();
    let keys = Keys::on(jose::default_provider());
    let server = real_time_server(&keys, shared_store(&redis).await);
    let request = real_time_client(&keys)
        .seal_request(obj(json!({"request_id": "sync-call-0001"})), keys.provider)
        .unwrap();
    match server.open_request(&request.token, keys.provider) {
        Err(Error::ReplayStore(ReplayError::NeedsAsync { store: "redis" })) => {}
        other => panic!("expected ReplayStore(NeedsAsync), found {other:?}"),
    }
    // Nothing was recorded: the async call accepts the request.
    assert!(
        server
            .open_request_async(&request.token, keys.provider)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn the_layer_answers_409_for_a_replay_and_503_while_redis_is_down_then_serves_again() {
    let mut redis = redis();
    let keys = Keys::on(jose::default_provider());
    let p = keys.provider;
    let server = Server::new(keys.server_sealer(), keys.server_opener())
        .with_clock(Arc::new(SystemClock))
        .with_replay_store(shared_store(&redis).await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new().route(
        "/xs2a/v1/payments",
        axum::routing::post(|| async { axum::Json(json!({"accepted": true})) }),
    );
    let app = Xs2aLayer::new(server, p).wrap(router).into_make_service();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = real_time_client(&keys);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let send = |request: http::Request<Vec<u8>>| {
        let http = http.clone();
        async move {
            let mut builder = http.post(format!("http://{addr}{}", request.uri().path()));
            for (name, value) in request.headers() {
                builder = builder.header(name, value);
            }
            let response = builder.body(request.into_body()).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.bytes().await.unwrap())
        }
    };
    let payment = |id: &str| {
        let request = http::Request::post("/xs2a/v1/payments")
            .body(serde_json::to_vec(&json!({"request_id": id, "amount": "1.00"})).unwrap())
            .unwrap();
        client.encrypt_request(request, p).unwrap()
    };

    let first = payment("layer-request-0001");
    assert_eq!(send(first.clone()).await.0, 200);
    let (status, body) = send(first).await;
    assert_eq!(status, 409);
    assert!(String::from_utf8_lossy(&body).contains("REPLAYED_REQUEST"));

    redis.stop();
    let (status, body) = send(payment("layer-request-0002")).await;
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("TRY_AGAIN_LATER"), "{text}");
    assert!(!text.contains("layer-request-0002"), "{text}");

    redis.restart().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut n = 3;
    loop {
        let (status, _) = send(payment(&format!("layer-request-{n:04}"))).await;
        if status == 200 {
            break;
        }
        assert_eq!(status, 503);
        assert!(
            std::time::Instant::now() < deadline,
            "no recovery within 10 s"
        );
        n += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
