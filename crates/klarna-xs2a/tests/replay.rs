//! The in-memory replay guard: bounded under a million distinct ids, exact window, atomic under
//! concurrency, and pluggable into the server.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose_klarna_xs2a::{Error, InMemoryReplayGuard, ReplayGuard};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

const T0: u64 = 1_585_063_812_156;
/// No window asked for by the caller: the guard's own applies.
const NO_MINIMUM: Duration = Duration::ZERO;

#[test]
fn a_million_distinct_ids_keep_memory_bounded() {
    let capacity = 50_000;
    let guard = InMemoryReplayGuard::new(capacity);
    let mut id = String::with_capacity(32);
    let (mut accepted, mut refused) = (0usize, 0usize);
    let mut peak = 0usize;
    // A flood: 1 000 000 distinct ids, one per millisecond (16.7 minutes of traffic at 1000/s).
    for i in 0..1_000_000u64 {
        id.clear();
        write!(id, "flood-request-{i:012}").unwrap();
        match guard.check_and_record(&id, T0 + i, NO_MINIMUM) {
            Ok(()) => accepted += 1,
            Err(Error::ReplayGuardFull { capacity: c }) => {
                assert_eq!(c, capacity);
                refused += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
        if i % 1_000 == 0 {
            peak = peak.max(guard.len());
        }
    }
    peak = peak.max(guard.len());
    assert!(peak <= capacity, "held {peak} ids, capacity {capacity}");
    assert_eq!(guard.len(), capacity);
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
                guard.check_and_record(id, T0 + 1_000_000, NO_MINIMUM),
                Err(Error::Replayed { .. })
            )
        });
    assert!(last_accepted.is_some());
}

#[test]
fn spread_out_traffic_never_fills_the_guard() {
    // 200 000 ids at 2 per second for 28 hours: only 600 are ever in a window.
    let guard = InMemoryReplayGuard::new(1_000);
    let mut max_len = 0;
    for i in 0..200_000u64 {
        guard
            .check_and_record(&format!("steady-{i:010}"), T0 + i * 500, NO_MINIMUM)
            .unwrap();
        max_len = max_len.max(guard.len());
    }
    assert_eq!(max_len, 600);
}

#[test]
fn the_window_is_exact() {
    let guard = InMemoryReplayGuard::new(10);
    assert_eq!(guard.window(), Duration::from_secs(300));
    guard
        .check_and_record("request-000001", T0, NO_MINIMUM)
        .unwrap();
    assert!(matches!(
        guard.check_and_record("request-000001", T0 + 299_999, NO_MINIMUM),
        Err(Error::Replayed {
            window_ms: 300_000,
            ..
        })
    ));
    guard
        .check_and_record("request-000001", T0 + 300_000, NO_MINIMUM)
        .unwrap();
    assert!(matches!(
        guard.check_and_record("request-000001", T0 + 300_001, NO_MINIMUM),
        Err(Error::Replayed { .. })
    ));
    // A clock that went backwards still sees the replay.
    assert!(matches!(
        guard.check_and_record("request-000001", T0, NO_MINIMUM),
        Err(Error::Replayed { .. })
    ));
    // Another window.
    let short = InMemoryReplayGuard::with_window(10, Duration::from_secs(10));
    short
        .check_and_record("request-000001", T0, NO_MINIMUM)
        .unwrap();
    short
        .check_and_record("request-000001", T0 + 10_000, NO_MINIMUM)
        .unwrap();
}

#[test]
fn clocks_going_backwards_keep_ids_longer_never_shorter() {
    let guard = InMemoryReplayGuard::new(10);
    guard
        .check_and_record("late-000000001", T0 + 100_000, NO_MINIMUM)
        .unwrap();
    guard
        .check_and_record("early-00000001", T0, NO_MINIMUM)
        .unwrap();
    // "early" is refused for exactly its window, although it waits behind "late" for expiry.
    assert!(matches!(
        guard.check_and_record("early-00000001", T0 + 299_999, NO_MINIMUM),
        Err(Error::Replayed { .. })
    ));
    guard
        .check_and_record("early-00000001", T0 + 300_000, NO_MINIMUM)
        .unwrap();
    // Its old entry was kept longer (3 entries now), and goes once "late" expires.
    assert_eq!(guard.len(), 3);
    assert!(matches!(
        guard.check_and_record("late-000000001", T0 + 399_999, NO_MINIMUM),
        Err(Error::Replayed { .. })
    ));
    guard
        .check_and_record("other-00000001", T0 + 400_000, NO_MINIMUM)
        .unwrap();
    assert_eq!(guard.len(), 2);
    // The re-recorded "early" is still remembered from T0 + 300 000.
    assert!(matches!(
        guard.check_and_record("early-00000001", T0 + 599_999, NO_MINIMUM),
        Err(Error::Replayed { .. })
    ));
}

#[test]
fn ids_too_long_to_be_request_ids_are_refused() {
    let guard = InMemoryReplayGuard::new(10);
    assert!(matches!(
        guard.check_and_record(&"x".repeat(101), T0, NO_MINIMUM),
        Err(Error::InvalidRequestId { found: 101 })
    ));
    assert!(guard.is_empty());
}

#[test]
fn concurrent_callers_with_the_same_id_exactly_one_wins() {
    let guard = Arc::new(InMemoryReplayGuard::new(100_000));
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let wins = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (guard, barrier, wins) = (guard.clone(), barrier.clone(), wins.clone());
            std::thread::spawn(move || {
                barrier.wait();
                for i in 0..2_000u64 {
                    // Every thread tries the same shared ids and some of its own.
                    if guard
                        .check_and_record(&format!("shared-{i:08}"), T0 + i, NO_MINIMUM)
                        .is_ok()
                    {
                        wins.fetch_add(1, Ordering::SeqCst);
                    }
                    guard
                        .check_and_record(&format!("own-{t}-{i:08}"), T0 + i, NO_MINIMUM)
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(wins.load(Ordering::SeqCst), 2_000);
    assert_eq!(guard.len(), 2_000 + threads * 2_000);
}

#[test]
fn guards_are_shareable_behind_an_arc() {
    let guard: Arc<dyn ReplayGuard> = Arc::new(InMemoryReplayGuard::new(4));
    let other = guard.clone();
    guard
        .check_and_record("request-000001", T0, NO_MINIMUM)
        .unwrap();
    assert!(matches!(
        other.check_and_record("request-000001", T0 + 1, NO_MINIMUM),
        Err(Error::Replayed { .. })
    ));
}
