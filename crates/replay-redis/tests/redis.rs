//! The Redis replay store against a real redis-server on 127.0.0.1 (started here, one per test;
//! a test fails when it cannot start): once-only ids across instances, expiry, the race of 1,000
//! tasks over 16 connections, Redis stopped and restarted mid-test (closed, then open again
//! without a new store), fail-open, AUTH and TLS.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose_core::ErrorClass;
use jose_core::replay::{MAX_REPLAY_ID_BYTES, ReplayError, ReplayStore};
use jose_replay_redis::{Error, RedisReplayStore};
use jose_test_support::{RedisConfig, RedisServer};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn redis() -> RedisServer {
    RedisServer::start().expect("a redis-server on 127.0.0.1 (apt-get install redis-server)")
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

async fn store(server: &RedisServer, prefix: &str) -> RedisReplayStore {
    RedisReplayStore::builder(server.url())
        .prefix(prefix)
        .connect()
        .await
        .expect("connect to the test redis-server")
}

#[tokio::test]
async fn an_id_is_accepted_once_across_instances_and_again_after_it_expires() {
    let server = redis();
    // Two instances of a service: two stores, their own connections, one Redis.
    let first = store(&server, "xs2a:test:").await;
    let second = store(&server, "xs2a:test:").await;
    let other_service = store(&server, "webhooks:test:").await;
    let t = now();
    assert_eq!(first.check_and_record("req-0001", t, t + 400).await, Ok(()));
    assert_eq!(
        second.check_and_record("req-0001", t + 10, t + 410).await,
        Err(ReplayError::Replayed)
    );
    assert_eq!(
        first.check_and_record("req-0001", t + 10, t + 410).await,
        Err(ReplayError::Replayed)
    );
    // Another prefix is another namespace.
    assert_eq!(
        other_service.check_and_record("req-0001", t, t + 400).await,
        Ok(())
    );
    // Redis expires the key after its TTL (400 ms): the id is fresh again.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let t = now();
    assert_eq!(
        second.check_and_record("req-0001", t, t + 400).await,
        Ok(())
    );
    // An expiry in the past is remembered for a millisecond, not refused or kept forever.
    assert_eq!(
        first.check_and_record("req-0002", t, t - 1_000).await,
        Ok(())
    );
    assert_eq!(first.name(), "redis");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_tasks_over_sixteen_connections_racing_a_hundred_ids_accept_exactly_a_hundred() {
    let server = redis();
    let store = Arc::new(
        RedisReplayStore::builder(server.url())
            .prefix("race:")
            .connections(16)
            .timeout(Duration::from_secs(5))
            .connect()
            .await
            .unwrap(),
    );
    let t = now();
    let started = Instant::now();
    let tasks: Vec<_> = (0..1_000)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let id = format!("id-{:03}", i % 100);
                store.check_and_record(&id, t, t + 60_000).await
            })
        })
        .collect();
    let mut accepted = 0;
    let mut replayed = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => accepted += 1,
            Err(ReplayError::Replayed) => replayed += 1,
            Err(other) => panic!("expected Ok or Replayed, got {other:?}"),
        }
    }
    assert_eq!((accepted, replayed), (100, 900));
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn redis_stopped_mid_test_fails_closed_within_the_timeout_and_recovers_without_a_new_store() {
    let mut server = redis();
    let timeout = Duration::from_millis(300);
    let store = RedisReplayStore::builder(server.url())
        .prefix("outage:")
        .connections(2)
        .timeout(timeout)
        .connect()
        .await
        .unwrap();
    let t = now();
    assert_eq!(
        store.check_and_record("before", t, t + 60_000).await,
        Ok(())
    );

    server.stop();
    for i in 0..6 {
        let started = Instant::now();
        let answer = store
            .check_and_record(&format!("during-{i}"), t, t + 60_000)
            .await;
        let elapsed = started.elapsed();
        match answer {
            Err(ReplayError::Unavailable {
                store: "redis",
                ref reason,
            }) => {
                assert!(
                    !reason.contains("during-"),
                    "the reason names the id: {reason}"
                );
            }
            other => panic!("check {i} with Redis down: expected Err(Unavailable), got {other:?}"),
        }
        assert!(
            elapsed <= timeout + Duration::from_millis(200),
            "check {i} with Redis down took {elapsed:?}, over the {timeout:?} bound"
        );
        assert_eq!(
            answer.unwrap_err().class(),
            ErrorClass::Transport,
            "an outage is a transport error"
        );
    }

    server.restart().unwrap();
    // The connections reconnect by themselves; the first checks may still fail while they do.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut recovered = None;
    let mut i = 0;
    while Instant::now() < deadline {
        i += 1;
        match store
            .check_and_record(&format!("after-{i}"), t, t + 60_000)
            .await
        {
            Ok(()) => {
                recovered = Some(i);
                break;
            }
            Err(ReplayError::Unavailable { .. }) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(other) => panic!("after the restart: expected Ok or Unavailable, got {other:?}"),
        }
    }
    let attempt = recovered.expect("checks succeed again within 10 s of Redis returning");
    assert_eq!(
        store
            .check_and_record(&format!("after-{attempt}"), t, t + 60_000)
            .await,
        Err(ReplayError::Replayed)
    );
    // Every connection of the pool is back, not only one.
    for j in 0..4 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match store
                .check_and_record(&format!("pool-{j}"), t, t + 60_000)
                .await
            {
                Ok(()) => break,
                Err(ReplayError::Unavailable { .. }) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => panic!("pool check {j}: expected Ok, got {other:?}"),
            }
        }
    }
    assert_eq!(store.unchecked(), 0);
}

#[tokio::test]
async fn fail_open_lets_checks_through_while_redis_is_down_and_counts_them() {
    let mut server = redis();
    let store = RedisReplayStore::builder(server.url())
        .prefix("open:")
        .connections(1)
        .timeout(Duration::from_millis(200))
        .fail_open(true)
        .connect()
        .await
        .unwrap();
    let t = now();
    assert_eq!(store.check_and_record("a", t, t + 60_000).await, Ok(()));
    assert_eq!(
        store.check_and_record("a", t, t + 60_000).await,
        Err(ReplayError::Replayed),
        "fail-open changes nothing while Redis answers"
    );
    server.stop();
    assert_eq!(store.check_and_record("a", t, t + 60_000).await, Ok(()));
    assert_eq!(store.check_and_record("b", t, t + 60_000).await, Ok(()));
    assert_eq!(store.unchecked(), 2);
}

#[tokio::test]
async fn auth_is_required_and_the_password_never_shows() {
    let server = RedisServer::start_with(RedisConfig {
        password: Some("test-only-s3cret".into()),
        tls: None,
    })
    .unwrap();
    let store = RedisReplayStore::builder(server.url())
        .prefix("auth:")
        .connect()
        .await
        .unwrap();
    let t = now();
    assert_eq!(store.check_and_record("a", t, t + 1_000).await, Ok(()));
    assert!(!format!("{store:?}").contains("s3cret"));

    let wrong = format!("redis://:wrong-password@127.0.0.1:{}/0", server.port());
    let error = RedisReplayStore::builder(wrong)
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Connect { .. }), "{error:?}");
    assert!(!error.to_string().contains("wrong-password"), "{error}");
    let none = format!("redis://127.0.0.1:{}/0", server.port());
    let error = RedisReplayStore::builder(none).connect().await.unwrap_err();
    assert!(matches!(error, Error::Connect { .. }), "{error:?}");
}

#[tokio::test]
async fn tls_with_our_ca_works_and_without_it_is_refused() {
    let (server, ca_pem) = RedisServer::start_tls(Some("tls-test-only-pass")).unwrap();
    assert!(server.url().starts_with("rediss://"));
    let store = RedisReplayStore::builder(server.url())
        .prefix("tls:")
        .ca_pem(ca_pem.as_bytes())
        .connect()
        .await
        .unwrap();
    let t = now();
    assert_eq!(store.check_and_record("a", t, t + 1_000).await, Ok(()));
    assert_eq!(
        store.check_and_record("a", t, t + 1_000).await,
        Err(ReplayError::Replayed)
    );
    // The system's roots do not know the test CA.
    let error = RedisReplayStore::builder(server.url())
        .connect_timeout(Duration::from_secs(2))
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Connect { .. }), "{error:?}");
    assert!(!error.to_string().contains("tls-test-only-pass"), "{error}");
    // Plain redis:// to the TLS port gets no answer it understands.
    let plain = format!("redis://127.0.0.1:{}/0", server.port());
    assert!(
        RedisReplayStore::builder(plain)
            .connect_timeout(Duration::from_millis(500))
            .connect()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn options_and_urls_are_checked_before_connecting() {
    for url in [
        "http://127.0.0.1:6379",
        "127.0.0.1:6379",
        "",
        "redis://:pw@host:notaport/0",
    ] {
        let error = RedisReplayStore::builder(url).connect().await.unwrap_err();
        assert!(
            matches!(error, Error::InvalidUrl { .. }),
            "{url:?}: {error:?}"
        );
        assert!(!error.to_string().contains(":pw@"), "{error}");
        assert_eq!(error.class(), ErrorClass::Local);
    }
    let cases = [
        RedisReplayStore::builder("redis://127.0.0.1:1/0").prefix(""),
        RedisReplayStore::builder("redis://127.0.0.1:1/0").prefix("p".repeat(129)),
        RedisReplayStore::builder("redis://127.0.0.1:1/0").connections(0),
        RedisReplayStore::builder("redis://127.0.0.1:1/0").connections(65),
        RedisReplayStore::builder("redis://127.0.0.1:1/0").timeout(Duration::ZERO),
        RedisReplayStore::builder("redis://127.0.0.1:1/0").ca_pem(b"x".to_vec()),
    ];
    for builder in cases {
        let shown = format!("{builder:?}");
        let error = builder.connect().await.unwrap_err();
        assert!(
            matches!(error, Error::InvalidOption { .. }),
            "{shown}: {error:?}"
        );
    }
    // Nothing listens on port 1: a bounded connection error.
    let started = Instant::now();
    let error = RedisReplayStore::builder("redis://127.0.0.1:1/0")
        .connect_timeout(Duration::from_millis(500))
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Connect { .. }), "{error:?}");
    assert_eq!(error.class(), ErrorClass::Transport);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn ids_are_bounded_and_keys_are_prefix_and_id() {
    let server = redis();
    let store = store(&server, "bound:").await;
    let t = now();
    assert_eq!(
        store.check_and_record("", t, t + 1_000).await,
        Err(ReplayError::InvalidId { found_bytes: 0 })
    );
    let long = "x".repeat(MAX_REPLAY_ID_BYTES + 1);
    assert_eq!(
        store.check_and_record(&long, t, t + 1_000).await,
        Err(ReplayError::InvalidId {
            found_bytes: MAX_REPLAY_ID_BYTES + 1
        })
    );
    assert_eq!(
        store.check_and_record(&long[1..], t, t + 1_000).await,
        Ok(())
    );
    assert_eq!(store.key("abc"), "bound:abc");
    assert_eq!(store.prefix(), "bound:");
    // The key lives for the TTL asked, within Redis's millisecond precision.
    let mut connection = store.connection().unwrap();
    assert_eq!(store.check_and_record("ttl", t, t + 30_000).await, Ok(()));
    let ttl: i64 = redis::cmd("PTTL")
        .arg(store.key("ttl"))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!((29_000..=30_000).contains(&ttl), "PTTL {ttl}");
}
