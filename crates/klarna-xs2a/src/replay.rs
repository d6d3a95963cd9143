//! Replay prevention: a `request_id` may be used once in any five minutes.
//!
//! The [`crate::Server`] asks a [`ReplayGuard`] about every request whose signature verified and
//! whose `request_timestamp` is fresh, so only authentic, recent requests take up room in it. With
//! each request it passes the window the guard must at least cover: its [`crate::Policy`]'s
//! [`min_replay_window`](crate::Policy::min_replay_window), `max_age + allowed_skew` and a millisecond,
//! the time during which the same request would still be accepted. A guard's own window (five
//! minutes by default, Klarna's) can be longer, never effectively shorter, so no combination of
//! policy and guard lets a captured request in twice.
//!
//! One server process can use the bounded [`InMemoryReplayGuard`]; several instances behind a
//! load balancer need a shared store (Redis `SET NX PX`, a database unique key), which is a few
//! lines implementing the same trait.

use crate::error::{Error, shorten};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The replay window of the protocol: five minutes.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Remembers request ids for a window of time and refuses one seen within it.
///
/// Implementations must be thread-safe and must decide atomically: of two concurrent calls with
/// the same fresh id, exactly one succeeds. A shared store does both with one command, e.g.
/// Redis `SET <id> 1 NX PX <window ms>`, where the window is the larger of the caller's `window`
/// and the store's own (the protocol's [`REPLAY_WINDOW`] is what Klarna does).
pub trait ReplayGuard: Send + Sync + fmt::Debug {
    /// Records `request_id` as seen at `now_millis` (UTC milliseconds) and remembers it for at
    /// least `window` (the server passes its policy's
    /// [`min_replay_window`](crate::Policy::min_replay_window); a guard may remember longer). Returns
    /// `Ok(())` if it was not seen within the guard's window before `now_millis`,
    /// [`Error::Replayed`] if it was, and [`Error::ReplayGuardFull`] (or another error) if the
    /// guard cannot vouch for it; the caller must then refuse the request.
    fn check_and_record(
        &self,
        request_id: &str,
        now_millis: u64,
        window: Duration,
    ) -> Result<(), Error>;
}

impl<G: ReplayGuard + ?Sized> ReplayGuard for Arc<G> {
    fn check_and_record(
        &self,
        request_id: &str,
        now_millis: u64,
        window: Duration,
    ) -> Result<(), Error> {
        (**self).check_and_record(request_id, now_millis, window)
    }
}

/// A bounded, thread-safe, in-memory [`ReplayGuard`] for one process.
///
/// It keeps each id with the time it was first seen, in a hash map and in a queue ordered by
/// arrival; ids older than the window are dropped from the front of the queue on every call, so
/// the work per call is constant on average.
///
/// # Memory bound and what happens when it is reached
///
/// It never holds more than `capacity` ids (each at most
/// [`MAX_REQUEST_ID_CHARS`](crate::MAX_REQUEST_ID_CHARS) characters). When all `capacity` slots hold
/// ids younger than the window, a new id is **refused** with [`Error::ReplayGuardFull`] instead of
/// evicting a remembered one. Evicting would let anyone who can send `capacity` valid requests
/// push an id out and replay it inside the window; refusing turns the same flood into a temporary
/// denial of service (answer `503` and let clients retry), which fails safe. Size `capacity` for
/// the peak rate times the window: the default, 100 000, covers 333 requests a second sustained
/// for five minutes, in about 20 MB with 100-character ASCII ids.
///
/// If the clock goes backwards, ids wait in arrival order behind younger-looking ones and may be
/// kept longer than the window, never shorter.
///
/// # The window
///
/// Its window starts as the one it was made with ([`REPLAY_WINDOW`], five minutes, unless
/// [`InMemoryReplayGuard::with_window`]) and is raised, for good, to any longer `window` a caller
/// asks for: a server whose policy accepts a request for longer than the guard's window gets the
/// longer window, and the guard never forgets an id sooner than any of its callers needs. A raised
/// window keeps more ids at once; size `capacity` for it.
///
/// ```
/// use jose_klarna_xs2a::{Error, InMemoryReplayGuard, Policy, ReplayGuard};
/// use std::time::Duration;
///
/// let guard = InMemoryReplayGuard::new(2);
/// let window = Policy::default().min_replay_window(); // 2 min 30 s and 1 ms: within the 5 min
/// let t = 1_700_000_000_000;
/// assert!(guard.check_and_record("request-0001", t, window).is_ok());
/// assert!(matches!(guard.check_and_record("request-0001", t + 1_000, window), Err(Error::Replayed { .. })));
/// assert!(guard.check_and_record("request-0002", t, window).is_ok());
/// // Full: a third id is refused, not let through and not allowed to push an old one out.
/// assert!(matches!(guard.check_and_record("request-0003", t, window), Err(Error::ReplayGuardFull { .. })));
/// // Five minutes later the first two have expired.
/// assert!(guard.check_and_record("request-0001", t + 300_000, window).is_ok());
/// assert_eq!(guard.len(), 1);
/// // A caller that needs ten minutes raises the window.
/// let _ = guard.check_and_record("request-0004", t + 300_000, Duration::from_secs(600));
/// assert_eq!(guard.window(), Duration::from_secs(600));
/// ```
#[derive(Debug)]
pub struct InMemoryReplayGuard {
    capacity: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The window in milliseconds: the one the guard was made with, raised to the longest any
    /// caller asked for.
    window_ms: u64,
    /// Each remembered id and when it was first seen.
    seen: HashMap<Arc<str>, u64>,
    /// The same ids in arrival order, for expiry. May hold stale entries for ids that expired
    /// and came back while the clock ran backwards; those are skipped when they reach the front.
    order: VecDeque<(u64, Arc<str>)>,
}

/// The default capacity of [`InMemoryReplayGuard`].
pub const DEFAULT_REPLAY_CAPACITY: usize = 100_000;

impl Default for InMemoryReplayGuard {
    fn default() -> Self {
        Self::new(DEFAULT_REPLAY_CAPACITY)
    }
}

impl InMemoryReplayGuard {
    /// A guard with the protocol's five-minute window that remembers at most `capacity` ids
    /// (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self::with_window(capacity, REPLAY_WINDOW)
    }

    /// A guard with another starting window (a longer one is stricter than the protocol). A
    /// shorter one is raised to whatever a caller asks for: a [`crate::Server`] asks for its
    /// policy's [`min_replay_window`](crate::Policy::min_replay_window), so the guard never forgets an
    /// id whose request the server would still accept.
    pub fn with_window(capacity: usize, window: Duration) -> Self {
        InMemoryReplayGuard {
            capacity: capacity.max(1),
            state: Mutex::new(State {
                window_ms: crate::clock::millis(window),
                ..State::default()
            }),
        }
    }

    /// The window now: the starting one, or the longest a caller asked for since.
    pub fn window(&self) -> Duration {
        Duration::from_millis(self.lock().window_ms)
    }

    /// The most ids it holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many ids it holds now (including expired ones not yet dropped).
    pub fn len(&self) -> usize {
        self.lock().order.len()
    }

    /// True when it holds no id.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every id (for tests; a server that forgets can be replayed).
    pub fn clear(&self) {
        let mut state = self.lock();
        state.seen.clear();
        state.order.clear();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // No code path panics while holding the lock, and the state stays consistent between
        // statements, so a poisoned lock (a panic elsewhere in the thread) is still usable.
        match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl State {
    /// Drops ids first seen a window or more before `now`.
    fn expire(&mut self, now: u64) {
        let window_ms = self.window_ms;
        while let Some((seen_at, id)) = self.order.front() {
            if now.saturating_sub(*seen_at) < window_ms {
                break;
            }
            if self.seen.get(id) == Some(seen_at) {
                self.seen.remove(id);
            }
            self.order.pop_front();
        }
    }
}

impl ReplayGuard for InMemoryReplayGuard {
    fn check_and_record(
        &self,
        request_id: &str,
        now_millis: u64,
        window: Duration,
    ) -> Result<(), Error> {
        let length = request_id.chars().count();
        if length > crate::MAX_REQUEST_ID_CHARS {
            return Err(Error::InvalidRequestId { found: length });
        }
        let mut state = self.lock();
        // Raised for good: ids recorded under a shorter window are then kept longer, never
        // shorter, and entries still expire in arrival order.
        state.window_ms = state.window_ms.max(crate::clock::millis(window));
        state.expire(now_millis);
        if let Some(&seen_at) = state.seen.get(request_id) {
            // A time before `seen_at` (the clock went back) counts as age 0: still a replay.
            if now_millis.saturating_sub(seen_at) < state.window_ms {
                return Err(Error::Replayed {
                    request_id: shorten(request_id),
                    window_ms: state.window_ms,
                });
            }
        }
        if state.order.len() >= self.capacity {
            return Err(Error::ReplayGuardFull {
                capacity: self.capacity,
            });
        }
        let id: Arc<str> = Arc::from(request_id);
        state.seen.insert(Arc::clone(&id), now_millis);
        state.order.push_back((now_millis, id));
        Ok(())
    }
}
