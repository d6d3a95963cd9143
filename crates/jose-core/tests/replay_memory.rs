//! The in-memory replay store: bounded under a million distinct ids, exact expiry, atomic under
//! concurrency, shareable behind an `Arc`.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose_core::replay::{InMemoryReplayStore, ReplayError, ReplayStore};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

const T0: u64 = 1_585_063_812_156;
/// Klarna's window: five minutes.
const WINDOW: u64 = 300_000;

fn check(store: &dyn ReplayStore, id: &str, now: u64) -> Result<(), ReplayError> {
    store
        .check_and_record_sync(id, now, now + WINDOW)
        .expect("the in-memory store answers synchronously")
}

#[test]
fn a_million_distinct_ids_keep_memory_bounded() {
    let capacity = 50_000;
    let store = InMemoryReplayStore::new(capacity);
    let mut id = String::with_capacity(32);
    let (mut accepted, mut refused) = (0usize, 0usize);
    let mut peak = 0usize;
    // A flood: 1 000 000 distinct ids, one per millisecond (16.7 minutes of traffic at 1000/s).
    for i in 0..1_000_000u64 {
        id.clear();
        write!(id, "flood-request-{i:012}").unwrap();
        match check(&store, &id, T0 + i) {
            Ok(()) => accepted += 1,
            Err(ReplayError::Full { capacity: c }) => {
                assert_eq!(c, capacity);
                refused += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
        if i % 1_000 == 0 {
            peak = peak.max(store.len());
        }
    }
    peak = peak.max(store.len());
    assert!(peak <= capacity, "held {peak} ids, capacity {capacity}");
    assert_eq!(store.len(), capacity);
    // Refused while full, accepted again as ids expired: each window of 300 000 ms admits one
    // capacity's worth.
    assert!(refused > 0);
    assert!(accepted > capacity, "expired ids must make room again");
    assert_eq!(accepted + refused, 1_000_000);
    // 1 000 000 ms span 3 full windows and a third: 4 windows' worth of admissions at most.
    assert!(accepted <= 4 * capacity, "{accepted}");

    // The ids still held are still refused as replays.
    let last_accepted = (0..1_000_000u64)
        .rev()
        .map(|i| format!("flood-request-{i:012}"))
        .find(|id| {
            matches!(
                check(&store, id, T0 + 1_000_000),
                Err(ReplayError::Replayed)
            )
        });
    assert!(last_accepted.is_some());
}

#[test]
fn spread_out_traffic_never_fills_the_store() {
    // 200 000 ids at 2 per second for 28 hours: only 600 are ever in a window.
    let store = InMemoryReplayStore::new(1_000);
    let mut max_len = 0;
    for i in 0..200_000u64 {
        check(&store, &format!("steady-{i:010}"), T0 + i * 500).unwrap();
        max_len = max_len.max(store.len());
    }
    assert_eq!(max_len, 600);
}

#[test]
fn the_expiry_is_exact() {
    let store = InMemoryReplayStore::new(10);
    check(&store, "request-000001", T0).unwrap();
    assert_eq!(
        check(&store, "request-000001", T0 + 299_999),
        Err(ReplayError::Replayed)
    );
    check(&store, "request-000001", T0 + 300_000).unwrap();
    assert_eq!(
        check(&store, "request-000001", T0 + 300_001),
        Err(ReplayError::Replayed)
    );
    // A clock that went backwards still sees the replay.
    assert_eq!(
        check(&store, "request-000001", T0),
        Err(ReplayError::Replayed)
    );
    // Each id has its own expiry.
    let answer = store.check_and_record_sync("short-0000001", T0, T0 + 10_000);
    assert_eq!(answer, Some(Ok(())));
    assert_eq!(
        store.check_and_record_sync("short-0000001", T0 + 9_999, T0 + 20_000),
        Some(Err(ReplayError::Replayed))
    );
    assert_eq!(
        store.check_and_record_sync("short-0000001", T0 + 10_000, T0 + 20_000),
        Some(Ok(()))
    );
}

#[test]
fn clocks_going_backwards_keep_ids_longer_never_shorter() {
    let store = InMemoryReplayStore::new(10);
    check(&store, "late-000000001", T0 + 100_000).unwrap();
    check(&store, "early-00000001", T0).unwrap();
    assert_eq!(
        check(&store, "early-00000001", T0 + 299_999),
        Err(ReplayError::Replayed)
    );
    check(&store, "early-00000001", T0 + 300_000).unwrap();
    assert_eq!(store.len(), 2);
    assert_eq!(
        check(&store, "late-000000001", T0 + 399_999),
        Err(ReplayError::Replayed)
    );
    check(&store, "other-00000001", T0 + 400_000).unwrap();
    // "late" expired at T0 + 400 000; the re-recorded "early" is remembered from T0 + 300 000.
    assert_eq!(store.len(), 2);
    assert_eq!(
        check(&store, "early-00000001", T0 + 599_999),
        Err(ReplayError::Replayed)
    );
}

#[test]
fn concurrent_callers_with_the_same_id_exactly_one_wins() {
    let store = Arc::new(InMemoryReplayStore::new(100_000));
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let wins = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (store, barrier, wins) = (store.clone(), barrier.clone(), wins.clone());
            std::thread::spawn(move || {
                barrier.wait();
                for i in 0..2_000u64 {
                    // Every thread tries the same shared ids and some of its own.
                    if check(store.as_ref(), &format!("shared-{i:08}"), T0 + i).is_ok() {
                        wins.fetch_add(1, Ordering::SeqCst);
                    }
                    check(store.as_ref(), &format!("own-{t}-{i:08}"), T0 + i).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(wins.load(Ordering::SeqCst), 2_000);
    assert_eq!(store.len(), 2_000 + threads * 2_000);
}

#[test]
fn stores_are_shareable_behind_an_arc() {
    let memory = Arc::new(InMemoryReplayStore::new(4));
    let store: Arc<dyn ReplayStore> = memory.clone();
    let other = store.clone();
    check(store.as_ref(), "request-000001", T0).unwrap();
    assert_eq!(
        check(other.as_ref(), "request-000001", T0 + 1),
        Err(ReplayError::Replayed)
    );
    memory.clear();
    assert!(memory.is_empty());
    check(other.as_ref(), "request-000001", T0 + 2).unwrap();
}
