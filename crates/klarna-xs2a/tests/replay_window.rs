//! The server's replay window covers the time its policy accepts a request for: a request
//! stamped `allowed_skew` ahead is accepted until it is `max_age` old, so its id must be
//! remembered for `max_age + allowed_skew` and a millisecond, whatever window the server was
//! given. At the edge: a replay just inside that window is refused as a replay, and the same
//! request a millisecond later is refused as stale, never accepted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use jose_klarna_xs2a::{Error, InMemoryReplayStore, ManualClock, Policy, ReplayError, ReplayStore};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn a_short_policy_and_a_shorter_server_window_leave_no_gap() {
    for keys in all_keys() {
        let p = keys.provider;
        // Accepts a request 2 s old or 1 s ahead: for 3 s in all. The server's own window is 1 s.
        let policy = Policy::default()
            .with_max_age(Duration::from_secs(2))
            .with_allowed_skew(Duration::from_secs(1));
        assert_eq!(policy.min_replay_window(), Duration::from_millis(3_001));
        let store = Arc::new(InMemoryReplayStore::new(100));
        let server_clock = clock();
        let server = keys
            .server(&server_clock)
            .with_policy(policy)
            .with_replay_window(Duration::from_secs(1))
            .with_replay_store(store.clone());
        assert_eq!(server.replay_window(), Duration::from_millis(3_001));
        // The client's clock runs the whole allowed skew ahead of the server's.
        let client_clock = Arc::new(ManualClock::at_millis(T0 + 1_000));
        let client = keys.client(&client_clock);
        let request = client
            .seal_request(obj(json!({"request_id": "edge-request-0001"})), p)
            .unwrap();
        assert_eq!(request.stamp.request_timestamp, T0 + 1_000);

        assert!(server.open_request(&request.token, p).is_ok());
        // Past the server's own 1 s, while the policy still accepts the request: a replay.
        for at in [T0 + 1_000, T0 + 2_000, T0 + 3_000] {
            server_clock.set_millis(at);
            match server.open_request(&request.token, p) {
                Err(Error::Replayed {
                    request_id,
                    window_ms: 3_001,
                }) => assert_eq!(request_id, "edge-request-0001"),
                other => panic!("at T0 + {}: expected a replay, found {other:?}", at - T0),
            }
        }
        assert_eq!(store.len(), 1);
        // T0 + 3 000 is the last moment the policy accepts it (exactly 2 s old); a millisecond
        // later the store may forget it, and the request is stale.
        server_clock.set_millis(T0 + 3_001);
        match server.open_request(&request.token, p) {
            Err(Error::Stale {
                field: "request_timestamp",
                age_ms: 2_001,
                max_age_ms: 2_000,
            }) => {}
            other => panic!("expected a stale request, found {other:?}"),
        }
        // The id itself is free again: a new request with it, stamped now, is accepted.
        client_clock.set_millis(T0 + 3_001);
        let again = client
            .seal_request(obj(json!({"request_id": "edge-request-0001"})), p)
            .unwrap();
        assert!(server.open_request(&again.token, p).is_ok());
    }
}

#[test]
fn a_policy_longer_than_the_default_window_lengthens_it() {
    let keys = Keys::on(jose::default_provider());
    let p = keys.provider;
    // Accepts a request 4 min old or 2 min ahead: 6 min, more than the default 5.
    let policy = Policy::default()
        .with_max_age(Duration::from_secs(240))
        .with_allowed_skew(Duration::from_secs(120));
    let server_clock = clock();
    let server = keys.server(&server_clock).with_policy(policy);
    let client = keys.client(&Arc::new(ManualClock::at_millis(T0 + 120_000)));
    let request = client
        .seal_request(obj(json!({"request_id": "long-policy-0001"})), p)
        .unwrap();
    assert!(server.open_request(&request.token, p).is_ok());
    // Five minutes later the request is 3 min old, still acceptable: it must be a replay.
    server_clock.set_millis(T0 + 300_000);
    assert!(matches!(
        server.open_request(&request.token, p),
        Err(Error::Replayed {
            window_ms: 360_001,
            ..
        })
    ));
    server_clock.set_millis(T0 + 360_000);
    assert!(matches!(
        server.open_request(&request.token, p),
        Err(Error::Replayed { .. })
    ));
    server_clock.set_millis(T0 + 360_001);
    assert!(matches!(
        server.open_request(&request.token, p),
        Err(Error::Stale { .. })
    ));
}

#[test]
fn the_default_policy_keeps_the_protocols_five_minutes() {
    let keys = Keys::on(jose::default_provider());
    let p = keys.provider;
    let store = Arc::new(InMemoryReplayStore::default());
    let clock = clock();
    let server = keys.server(&clock).with_replay_store(store.clone());
    // 2 min 30 s and 1 ms asked for by the policy; the protocol's five minutes are longer.
    assert_eq!(server.replay_window(), Duration::from_secs(300));
    let request = keys
        .client(&clock)
        .seal_request(obj(json!({"request_id": "default-0000001"})), p)
        .unwrap();
    assert!(server.open_request(&request.token, p).is_ok());
    // The id is recorded for five minutes from when it was opened.
    assert_eq!(
        store.check_and_record_sync("default-0000001", T0 + 299_999, T0 + 600_000),
        Some(Err(ReplayError::Replayed))
    );
    assert_eq!(
        store.check_and_record_sync("default-0000001", T0 + 300_000, T0 + 600_000),
        Some(Ok(()))
    );
}

#[test]
fn the_building_blocks_check_the_fields_then_record_the_id() {
    let store = InMemoryReplayStore::new(10);
    let body = obj(json!({"request_id": "building-block-01", "request_timestamp": T0}));
    let policy = Policy::default();
    let window = policy.min_replay_window();
    let (id, timestamp) =
        jose_klarna_xs2a::server::check_request_fields(&body, T0, &policy).unwrap();
    assert_eq!((id.as_str(), timestamp), ("building-block-01", T0));
    jose_klarna_xs2a::server::record_request_id(&store, &id, T0, window).unwrap();
    match jose_klarna_xs2a::server::record_request_id(&store, &id, T0 + 120_000, window) {
        Err(Error::Replayed {
            request_id,
            window_ms: 150_001,
        }) => assert_eq!(request_id, "building-block-01"),
        other => panic!("expected a replay, found {other:?}"),
    }
    // The fields alone record nothing.
    assert!(jose_klarna_xs2a::server::check_request_fields(&body, T0, &policy).is_ok());
    assert_eq!(store.len(), 1);
    // A full store refuses instead of forgetting.
    let full = InMemoryReplayStore::new(1);
    jose_klarna_xs2a::server::record_request_id(&full, "first-request-1", T0, window).unwrap();
    assert!(matches!(
        jose_klarna_xs2a::server::record_request_id(&full, "second-request-2", T0, window),
        Err(Error::ReplayStoreFull { capacity: 1 })
    ));
}
