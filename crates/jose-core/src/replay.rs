//! One-time ids: the replay-store interface every protocol of this workspace records its
//! once-only values with (Klarna XS2A's `request_id`, a webhook's signature, a JWT's `jti`), and a
//! bounded in-memory store for one process.
//!
//! A [`ReplayStore`] answers one question atomically: *has this id been recorded and not yet
//! expired? If not, record it until `expires_at`.* Of any number of concurrent calls with the same
//! fresh id, on any number of instances sharing the store, exactly one succeeds. The caller
//! chooses `expires_at`: at least the end of the protocol's acceptance window for the id (for
//! Klarna, the request's timestamp plus its maximum age plus the allowed skew), so that an id is
//! never forgotten while a message carrying it would still be accepted.
//!
//! The interface is asynchronous, because a shared store is a network round trip
//! (`jose-replay-redis` implements it on Redis with one `SET key 1 NX PX ttl`). A store that can
//! answer without waiting, as [`InMemoryReplayStore`] does, also answers the synchronous
//! [`ReplayStore::check_and_record_sync`], so that synchronous code paths keep working with it.
//!
//! Failure is closed: a store that cannot vouch for an id (full, unreachable, too slow) answers an
//! error, never a success, and the caller refuses the message.
//!
//! ```
//! use jose_core::replay::{InMemoryReplayStore, ReplayError, ReplayStore};
//!
//! let store = InMemoryReplayStore::new(10_000);
//! let now = 1_700_000_000_000; // UTC milliseconds
//! let until = now + 300_000; // remembered for five minutes
//! assert_eq!(store.check_and_record_sync("req-0001", now, until), Some(Ok(())));
//! assert_eq!(
//!     store.check_and_record_sync("req-0001", now + 1_000, until),
//!     Some(Err(ReplayError::Replayed))
//! );
//! // After it expires, the id may be used again.
//! assert_eq!(store.check_and_record_sync("req-0001", until, until + 300_000), Some(Ok(())));
//!
//! // The same through the asynchronous interface, which every store has.
//! # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! let mut check = store.check_and_record("req-0002", now, until);
//! # let std::task::Poll::Ready(answer) = check.as_mut().poll(&mut cx) else { unreachable!() };
//! # assert_eq!(answer, Ok(()));
//! ```

use crate::error::ErrorClass;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

/// The longest id a store accepts, in bytes: what a store keeps per id is bounded by it.
pub const MAX_REPLAY_ID_BYTES: usize = 512;

/// The default capacity of [`InMemoryReplayStore`].
pub const DEFAULT_REPLAY_CAPACITY: usize = 100_000;

/// What a [`ReplayStore`] check returns when it does not accept the id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The id was recorded before and has not expired: a replay.
    #[error("replayed: expected an id not recorded before, found one already recorded")]
    Replayed,
    /// The store holds as many unexpired ids as it may; it refuses new ones rather than forget
    /// one early (which would let that one be replayed).
    #[error(
        "replay store full: expected room for another id, found all {capacity} slots holding unexpired ids"
    )]
    Full {
        /// The store's capacity.
        capacity: usize,
    },
    /// The store could not be asked (unreachable, timed out, answered something unexpected), so
    /// nobody can vouch that the id is fresh. `reason` says what happened; it never holds the id.
    #[error("replay store unavailable: expected {store} to record the id, found {reason}")]
    Unavailable {
        /// Which store ("redis", ...).
        store: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The id is empty or longer than [`MAX_REPLAY_ID_BYTES`].
    #[error(
        "invalid replay id: expected 1 to {MAX_REPLAY_ID_BYTES} bytes, found {found_bytes} bytes"
    )]
    InvalidId {
        /// The id's length in bytes.
        found_bytes: usize,
    },
    /// The store needs its asynchronous interface
    /// ([`ReplayStore::check_and_record`]) and was asked synchronously.
    #[error(
        "replay store {store} answers asynchronously: expected the async check, found a synchronous one"
    )]
    NeedsAsync {
        /// Which store.
        store: &'static str,
    },
}

impl ReplayError {
    /// [`ErrorClass::Rejected`] for a replay or an invalid id, [`ErrorClass::Transport`] for an
    /// unavailable store (retry later), [`ErrorClass::Local`] for a full store or a synchronous
    /// call to an asynchronous store.
    pub fn class(&self) -> ErrorClass {
        match self {
            ReplayError::Replayed | ReplayError::InvalidId { .. } => ErrorClass::Rejected,
            ReplayError::Unavailable { .. } => ErrorClass::Transport,
            ReplayError::Full { .. } | ReplayError::NeedsAsync { .. } => ErrorClass::Local,
        }
    }
}

/// The future of one [`ReplayStore::check_and_record`].
pub type ReplayFuture<'a> = Pin<Box<dyn Future<Output = Result<(), ReplayError>> + Send + 'a>>;

/// Records one-time ids and refuses one recorded before and not expired.
///
/// # Contract
///
/// - **Atomic.** Of any number of concurrent calls with the same id (on every instance that
///   shares the store), at most one returns `Ok(())` until the id expires.
/// - **Remembered long enough.** An id that was accepted is refused as
///   [`ReplayError::Replayed`] at least until `expires_at_millis` (UTC milliseconds, on the
///   caller's clock); a store may remember it longer. An `expires_at_millis` at or before
///   `now_millis` is remembered for one millisecond.
/// - **Bounded.** Ids are 1 to [`MAX_REPLAY_ID_BYTES`] bytes ([`ReplayError::InvalidId`]
///   otherwise); a store that is full refuses ([`ReplayError::Full`]) rather than forgetting.
/// - **Fails closed.** When the store cannot answer it returns [`ReplayError::Unavailable`],
///   never `Ok(())`, unless its owner configured otherwise in writing (such as
///   `jose-replay-redis`'s `fail_open`).
/// - **Bounded in time.** A networked store bounds every call by a timeout.
pub trait ReplayStore: Send + Sync + fmt::Debug {
    /// Checks `id` at `now_millis` and, if it is not recorded, records it until
    /// `expires_at_millis`, atomically.
    fn check_and_record<'a>(
        &'a self,
        id: &'a str,
        now_millis: u64,
        expires_at_millis: u64,
    ) -> ReplayFuture<'a>;

    /// The same check for a store that answers without waiting (in memory): `Some(answer)`.
    /// A store that must be awaited answers `None` (the default), and the caller then uses
    /// [`check_and_record`](Self::check_and_record).
    fn check_and_record_sync(
        &self,
        id: &str,
        now_millis: u64,
        expires_at_millis: u64,
    ) -> Option<Result<(), ReplayError>> {
        let _ = (id, now_millis, expires_at_millis);
        None
    }

    /// A short name for messages ("memory", "redis").
    fn name(&self) -> &'static str;
}

impl<S: ReplayStore + ?Sized> ReplayStore for Arc<S> {
    fn check_and_record<'a>(
        &'a self,
        id: &'a str,
        now_millis: u64,
        expires_at_millis: u64,
    ) -> ReplayFuture<'a> {
        (**self).check_and_record(id, now_millis, expires_at_millis)
    }

    fn check_and_record_sync(
        &self,
        id: &str,
        now_millis: u64,
        expires_at_millis: u64,
    ) -> Option<Result<(), ReplayError>> {
        (**self).check_and_record_sync(id, now_millis, expires_at_millis)
    }

    fn name(&self) -> &'static str {
        (**self).name()
    }
}

/// Checks the length rule of the [`ReplayStore`] contract: 1 to [`MAX_REPLAY_ID_BYTES`] bytes.
pub fn check_id(id: &str) -> Result<(), ReplayError> {
    if id.is_empty() || id.len() > MAX_REPLAY_ID_BYTES {
        return Err(ReplayError::InvalidId {
            found_bytes: id.len(),
        });
    }
    Ok(())
}

/// A bounded, thread-safe, in-memory [`ReplayStore`] for one process.
///
/// Each id is kept until its own `expires_at`, in a hash map and a min-heap by expiry; expired
/// ids are dropped on every call, so the work per call is logarithmic.
///
/// # Memory bound and what happens when it is reached
///
/// It never holds more than `capacity` ids (each at most [`MAX_REPLAY_ID_BYTES`]). When all
/// `capacity` slots hold unexpired ids, a new id is **refused** with [`ReplayError::Full`] instead
/// of evicting a remembered one: evicting would let anyone who can send `capacity` valid messages
/// push an id out and replay it; refusing turns the same flood into a temporary denial of service
/// (answer `503` and let clients retry), which fails safe. Size `capacity` for the peak rate times
/// the window: the default, 100 000, covers 333 messages a second for five minutes, in about
/// 20 MB with 100-byte ids.
///
/// Several instances behind a load balancer need a shared store instead (`jose-replay-redis`).
#[derive(Debug)]
pub struct InMemoryReplayStore {
    capacity: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Each remembered id and when it expires.
    expiry: HashMap<Arc<str>, u64>,
    /// The same ids by expiry, soonest first. May hold stale entries for ids recorded again
    /// with another expiry; those are skipped when they reach the top.
    heap: BinaryHeap<Reverse<(u64, Arc<str>)>>,
}

impl Default for InMemoryReplayStore {
    fn default() -> Self {
        Self::new(DEFAULT_REPLAY_CAPACITY)
    }
}

impl InMemoryReplayStore {
    /// A store that remembers at most `capacity` unexpired ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        InMemoryReplayStore {
            capacity: capacity.max(1),
            state: Mutex::new(State::default()),
        }
    }

    /// The most ids it holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many ids it holds now (including expired ones not yet dropped).
    pub fn len(&self) -> usize {
        self.lock().expiry.len()
    }

    /// True when it holds no id.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every id (for tests; a server that forgets can be replayed).
    pub fn clear(&self) {
        let mut state = self.lock();
        state.expiry.clear();
        state.heap.clear();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // No code path panics while holding the lock, and the state stays consistent between
        // statements, so a poisoned lock (a panic elsewhere in the thread) is still usable.
        match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn check(&self, id: &str, now: u64, expires_at: u64) -> Result<(), ReplayError> {
        check_id(id)?;
        let expires_at = expires_at.max(now.saturating_add(1));
        let mut state = self.lock();
        state.expire(now);
        // Still there after `expire`: not expired at `now` (a clock that went back keeps ids
        // longer, never shorter).
        if state.expiry.contains_key(id) {
            return Err(ReplayError::Replayed);
        }
        if state.expiry.len() >= self.capacity {
            return Err(ReplayError::Full {
                capacity: self.capacity,
            });
        }
        let id: Arc<str> = Arc::from(id);
        state.expiry.insert(Arc::clone(&id), expires_at);
        state.heap.push(Reverse((expires_at, id)));
        Ok(())
    }
}

impl State {
    /// Drops ids whose expiry is at or before `now`.
    fn expire(&mut self, now: u64) {
        while let Some(Reverse((until, _))) = self.heap.peek() {
            if *until > now {
                break;
            }
            let Some(Reverse((until, id))) = self.heap.pop() else {
                break;
            };
            if self.expiry.get(&id) == Some(&until) {
                self.expiry.remove(&id);
            }
        }
    }
}

impl ReplayStore for InMemoryReplayStore {
    fn check_and_record<'a>(
        &'a self,
        id: &'a str,
        now_millis: u64,
        expires_at_millis: u64,
    ) -> ReplayFuture<'a> {
        Box::pin(std::future::ready(self.check(
            id,
            now_millis,
            expires_at_millis,
        )))
    }

    fn check_and_record_sync(
        &self,
        id: &str,
        now_millis: u64,
        expires_at_millis: u64,
    ) -> Option<Result<(), ReplayError>> {
        Some(self.check(id, now_millis, expires_at_millis))
    }

    fn name(&self) -> &'static str {
        "memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::{Context, Poll, Waker};

    const T: u64 = 1_700_000_000_000;

    fn sync(store: &dyn ReplayStore, id: &str, now: u64, until: u64) -> Result<(), ReplayError> {
        match store.check_and_record_sync(id, now, until) {
            Some(answer) => answer,
            None => panic!("the in-memory store answers synchronously"),
        }
    }

    #[test]
    fn an_id_is_refused_until_it_expires_and_accepted_after() {
        let store = InMemoryReplayStore::new(10);
        assert_eq!(sync(&store, "a", T, T + 1_000), Ok(()));
        assert_eq!(sync(&store, "a", T, T + 1_000), Err(ReplayError::Replayed));
        assert_eq!(
            sync(&store, "a", T + 999, T + 2_000),
            Err(ReplayError::Replayed)
        );
        assert_eq!(sync(&store, "a", T + 1_000, T + 2_000), Ok(()));
        assert_eq!(sync(&store, "b", T + 1_000, T + 2_000), Ok(()));
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn a_past_expiry_is_remembered_for_a_millisecond() {
        let store = InMemoryReplayStore::new(10);
        assert_eq!(sync(&store, "a", T, T - 5), Ok(()));
        assert_eq!(sync(&store, "a", T, T), Err(ReplayError::Replayed));
        assert_eq!(sync(&store, "a", T + 1, T + 1), Ok(()));
    }

    #[test]
    fn a_clock_going_back_keeps_ids_longer_never_shorter() {
        let store = InMemoryReplayStore::new(10);
        assert_eq!(sync(&store, "a", T, T + 1_000), Ok(()));
        assert_eq!(sync(&store, "a", T - 60_000, T), Err(ReplayError::Replayed));
    }

    #[test]
    fn full_refuses_new_ids_and_frees_room_as_ids_expire() {
        let store = InMemoryReplayStore::new(2);
        assert_eq!(sync(&store, "a", T, T + 1_000), Ok(()));
        assert_eq!(sync(&store, "b", T, T + 5_000), Ok(()));
        assert_eq!(
            sync(&store, "c", T, T + 1_000),
            Err(ReplayError::Full { capacity: 2 })
        );
        // Full does not forget: "a" is still a replay.
        assert_eq!(sync(&store, "a", T, T + 1_000), Err(ReplayError::Replayed));
        assert_eq!(sync(&store, "c", T + 1_000, T + 2_000), Ok(()));
        assert_eq!(
            sync(&store, "b", T + 1_000, T + 2_000),
            Err(ReplayError::Replayed)
        );
    }

    #[test]
    fn ids_are_bounded() {
        let store = InMemoryReplayStore::new(2);
        assert_eq!(
            sync(&store, "", T, T + 1),
            Err(ReplayError::InvalidId { found_bytes: 0 })
        );
        let long = "x".repeat(MAX_REPLAY_ID_BYTES + 1);
        assert_eq!(
            sync(&store, &long, T, T + 1),
            Err(ReplayError::InvalidId {
                found_bytes: MAX_REPLAY_ID_BYTES + 1
            })
        );
        assert_eq!(sync(&store, &long[1..], T, T + 1), Ok(()));
        assert!(store.check_and_record_sync("", T, T).is_some());
    }

    #[test]
    fn the_async_interface_answers_at_once_and_the_same() {
        let store: Arc<dyn ReplayStore> = Arc::new(InMemoryReplayStore::new(4));
        let mut cx = Context::from_waker(Waker::noop());
        let mut first = store.check_and_record("a", T, T + 10);
        assert_eq!(first.as_mut().poll(&mut cx), Poll::Ready(Ok(())));
        let mut second = store.check_and_record("a", T, T + 10);
        assert_eq!(
            second.as_mut().poll(&mut cx),
            Poll::Ready(Err(ReplayError::Replayed))
        );
        assert_eq!(store.name(), "memory");
    }

    #[test]
    fn concurrent_checks_of_one_id_accept_exactly_one() {
        let store = Arc::new(InMemoryReplayStore::new(1_000));
        let accepted: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let store = Arc::clone(&store);
                    scope.spawn(move || {
                        (0..100)
                            .filter(|i| {
                                sync(store.as_ref(), &format!("id-{i}"), T, T + 60_000).is_ok()
                            })
                            .count()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        });
        assert_eq!(accepted, 100);
    }

    #[test]
    fn errors_say_expected_and_found_and_classify() {
        let unavailable = ReplayError::Unavailable {
            store: "redis",
            reason: "a timeout after 250 ms".into(),
        };
        assert_eq!(
            unavailable.to_string(),
            "replay store unavailable: expected redis to record the id, found a timeout after 250 ms"
        );
        assert_eq!(unavailable.class(), ErrorClass::Transport);
        assert_eq!(ReplayError::Replayed.class(), ErrorClass::Rejected);
        assert_eq!(ReplayError::Full { capacity: 1 }.class(), ErrorClass::Local);
    }
}
