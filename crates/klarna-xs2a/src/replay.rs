//! Replay prevention: a `request_id` may be used once in any five minutes.
//!
//! The [`crate::Server`] records the `request_id` of every request whose signature verified and
//! whose `request_timestamp` is fresh in a [`ReplayStore`] (jose-core's interface), so only
//! authentic, recent requests take up room in it. It records each id until `now + window`, where
//! the window is the longer of the server's own ([`REPLAY_WINDOW`], five minutes, Klarna's, unless
//! [`crate::Server::with_replay_window`]) and its [`crate::Policy`]'s
//! [`min_replay_window`](crate::Policy::min_replay_window) (`max_age + allowed_skew` and a
//! millisecond: the time during which the same request would still be accepted). So no
//! combination of policy and window lets a captured request in twice.
//!
//! One server process can use the bounded [`InMemoryReplayStore`] (the default). Several
//! instances behind a load balancer share one store: `jose-replay-redis` on Redis or Valkey
//! (`SET NX PX`, one round trip), through [`crate::Server::with_replay_store`] and the
//! asynchronous [`crate::Server::decrypt_request_async`] (the axum layer uses it). A store that
//! cannot answer refuses the request ([`crate::Error::ReplayStore`], `503`): never accepted
//! unchecked.

use std::time::Duration;

pub use jose::replay::{DEFAULT_REPLAY_CAPACITY, InMemoryReplayStore, ReplayError, ReplayStore};

/// The replay window of the protocol: five minutes.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(5 * 60);
