//! A [`ReplayStore`] shared by every server that names the same Redis (or Valkey): one atomic
//! `SET <prefix><id> 1 NX PX <ttl>` per check, over a small pool of reconnecting multiplexed
//! connections, each call bounded by a timeout, failing closed.
//!
//! ```no_run
//! use jose_core::replay::{ReplayError, ReplayStore};
//! use jose_replay_redis::RedisReplayStore;
//! use std::time::Duration;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let store = RedisReplayStore::builder("rediss://xs2a:secret@redis.internal:6380/0")
//!     .prefix("xs2a:prod:")
//!     .timeout(Duration::from_millis(250))
//!     .connect()
//!     .await?;
//!
//! let now = 1_700_000_000_000;
//! store.check_and_record("request-0001", now, now + 300_000).await?;
//! // On this instance or any other that uses the same Redis and prefix:
//! let again = store.check_and_record("request-0001", now + 1_000, now + 301_000).await;
//! assert_eq!(again, Err(ReplayError::Replayed));
//! # Ok(()) }
//! ```
//!
//! # Semantics
//!
//! - **Atomic across instances.** `SET ... NX` succeeds for exactly one caller while the key
//!   exists; the key lives `expires_at - now` milliseconds (at least 1), on the caller's clock,
//!   so an id is remembered at least as long as the caller asked.
//! - **One round trip** per check. Concurrent checks share each connection (Redis pipelines
//!   them); [`RedisReplayStoreBuilder::connections`] spreads them over several.
//! - **Bounded.** Ids are 1 to [`MAX_REPLAY_ID_BYTES`](jose_core::replay::MAX_REPLAY_ID_BYTES)
//!   bytes; each key is the prefix and the id, so Redis holds at most that per id, for at most
//!   its TTL.
//! - **Fails closed.** A check that Redis does not answer within the timeout (down, slow,
//!   unreachable, refused by AUTH) is [`ReplayError::Unavailable`], and the caller refuses the
//!   message. The connections reconnect by themselves: when Redis is back, checks succeed again
//!   without a restart. [`RedisReplayStoreBuilder::fail_open`] lets such checks through instead,
//!   for callers who decide so in writing.
//! - **TLS and AUTH** from the URL: `rediss://user:password@host:port/db` (rustls; the system's
//!   roots, or only the CA given to [`RedisReplayStoreBuilder::ca_pem`]). Errors and `Debug`
//!   never show the password.
//!
//! Redis Cluster and Sentinel are not supported: the `redis` crate gives them through other
//! client types; a single primary (with a replica for failover behind one address) is what this
//! crate talks to.

#![cfg_attr(docsrs, feature(doc_cfg))]

use jose_core::replay::{ReplayError, ReplayFuture, ReplayStore, check_id};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "jose:replay:";
/// The default bound on one check.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);
/// The default bound on opening a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The default number of connections.
pub const DEFAULT_CONNECTIONS: usize = 4;
/// The most connections a store opens.
pub const MAX_CONNECTIONS: usize = 64;
/// The longest key prefix.
pub const MAX_PREFIX_BYTES: usize = 128;

/// What [`RedisReplayStoreBuilder::connect`] can answer. Messages say what was expected and what
/// was found; they never hold the password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not a Redis URL this store can use.
    #[error(
        "invalid Redis URL: expected redis:// or rediss://[user:password@]host[:port][/db], found {reason}"
    )]
    InvalidUrl {
        /// What is wrong with it (never the URL itself, which may hold a password).
        reason: String,
    },
    /// An option is out of its range.
    #[error("invalid option: expected {expected}, found {found}")]
    InvalidOption {
        /// What the option accepts.
        expected: &'static str,
        /// What it was given.
        found: String,
    },
    /// The first connection could not be opened (or did not answer PING) within the connect
    /// timeout.
    #[error(
        "cannot connect to Redis at {address}: expected an answer to PING within {timeout_ms} ms, found {reason}"
    )]
    Connect {
        /// `host:port`.
        address: String,
        /// The connect timeout.
        timeout_ms: u128,
        /// What happened.
        reason: String,
    },
}

impl Error {
    /// [`jose_core::ErrorClass::Local`] for a URL or an option, [`jose_core::ErrorClass::Transport`]
    /// for a connection.
    pub fn class(&self) -> jose_core::ErrorClass {
        match self {
            Error::InvalidUrl { .. } | Error::InvalidOption { .. } => jose_core::ErrorClass::Local,
            Error::Connect { .. } => jose_core::ErrorClass::Transport,
        }
    }
}

/// Options of a [`RedisReplayStore`]; [`connect`](Self::connect) opens it.
pub struct RedisReplayStoreBuilder {
    url: String,
    prefix: String,
    timeout: Duration,
    connect_timeout: Duration,
    connections: usize,
    fail_open: bool,
    ca_pem: Option<Vec<u8>>,
}

impl fmt::Debug for RedisReplayStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayStoreBuilder")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("connections", &self.connections)
            .field("fail_open", &self.fail_open)
            .finish_non_exhaustive()
    }
}

impl RedisReplayStoreBuilder {
    /// The key prefix, one per deployment and purpose (`xs2a:prod:`), so that two services
    /// sharing a Redis never see each other's ids. 1 to [`MAX_PREFIX_BYTES`] bytes; default
    /// [`DEFAULT_PREFIX`].
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The bound on one check, connection waits included (default [`DEFAULT_TIMEOUT`]). A check
    /// not answered in time is [`ReplayError::Unavailable`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The bound on opening a connection (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How many multiplexed connections to spread checks over, round robin (1 to
    /// [`MAX_CONNECTIONS`]; default [`DEFAULT_CONNECTIONS`]). Each reconnects by itself.
    pub fn connections(mut self, connections: usize) -> Self {
        self.connections = connections;
        self
    }

    /// Lets checks through when Redis cannot answer (default `false`: refused with
    /// [`ReplayError::Unavailable`]). With `true`, a replay that arrives while Redis is down is
    /// accepted: choose it only where availability is worth more than replay protection, and
    /// say so in writing. [`RedisReplayStore::unchecked`] counts such checks.
    pub fn fail_open(mut self, fail_open: bool) -> Self {
        self.fail_open = fail_open;
        self
    }

    /// For `rediss://`: trust only the CA certificates of this PEM (instead of the system's
    /// roots).
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem = Some(pem.into());
        self
    }

    /// Opens the connections and checks the first answers PING (AUTH and TLS included) within
    /// the connect timeout.
    pub async fn connect(self) -> Result<RedisReplayStore, Error> {
        if self.prefix.is_empty() || self.prefix.len() > MAX_PREFIX_BYTES {
            return Err(Error::InvalidOption {
                expected: "a key prefix of 1 to 128 bytes",
                found: format!("{} bytes", self.prefix.len()),
            });
        }
        if !(1..=MAX_CONNECTIONS).contains(&self.connections) {
            return Err(Error::InvalidOption {
                expected: "1 to 64 connections",
                found: self.connections.to_string(),
            });
        }
        for (what, value) in [
            ("timeout", self.timeout),
            ("connect timeout", self.connect_timeout),
        ] {
            if value.is_zero() || value > Duration::from_secs(60) {
                return Err(Error::InvalidOption {
                    expected: "a timeout above 0 and at most 60 s",
                    found: format!("a {what} of {value:?}"),
                });
            }
        }
        let client = self.client()?;
        let address = client.get_connection_info().addr().to_string();
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(Some(self.timeout))
            // Reconnect attempts within one failed command: few, so a check fails fast and the
            // next one tries again.
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(1));
        let connect_error = |reason: String| Error::Connect {
            address: address.clone(),
            timeout_ms: self.connect_timeout.as_millis(),
            reason,
        };
        let mut pool = Vec::with_capacity(self.connections);
        for _ in 0..self.connections {
            let manager = tokio::time::timeout(
                self.connect_timeout,
                client.get_connection_manager_with_config(config.clone()),
            )
            .await
            .map_err(|_| connect_error("no connection in time".into()))?
            .map_err(|e| connect_error(describe(&e)))?;
            pool.push(manager);
        }
        if let Some(first) = pool.first() {
            let mut first = first.clone();
            let pong = tokio::time::timeout(
                self.connect_timeout,
                redis::cmd("PING").query_async::<String>(&mut first),
            )
            .await
            .map_err(|_| connect_error("no answer in time".into()))?
            .map_err(|e| connect_error(describe(&e)))?;
            if pong != "PONG" {
                return Err(connect_error(format!("the answer {pong:?}")));
            }
        }
        Ok(RedisReplayStore {
            inner: Arc::new(Inner {
                pool,
                next: AtomicUsize::new(0),
                prefix: self.prefix,
                timeout: self.timeout,
                fail_open: self.fail_open,
                unchecked: AtomicU64::new(0),
                address,
            }),
        })
    }

    fn client(&self) -> Result<redis::Client, Error> {
        let invalid = |e: redis::RedisError| Error::InvalidUrl {
            reason: describe(&e),
        };
        if !(self.url.starts_with("redis://") || self.url.starts_with("rediss://")) {
            return Err(Error::InvalidUrl {
                reason: "another scheme (or none)".into(),
            });
        }
        if self.url.starts_with("rediss://") {
            let certificates = redis::TlsCertificates {
                client_tls: None,
                root_cert: self.ca_pem.clone(),
            };
            redis::Client::build_with_tls(self.url.as_str(), certificates).map_err(invalid)
        } else {
            if self.ca_pem.is_some() {
                return Err(Error::InvalidOption {
                    expected: "ca_pem only with a rediss:// URL",
                    found: "a redis:// URL (no TLS)".into(),
                });
            }
            redis::Client::open(self.url.as_str()).map_err(invalid)
        }
    }
}

/// A [`ReplayStore`] on Redis, shared by every instance that uses the same Redis and prefix.
/// Cloning is cheap (the connections are shared).
#[derive(Clone)]
pub struct RedisReplayStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Vec<ConnectionManager>,
    next: AtomicUsize,
    prefix: String,
    timeout: Duration,
    fail_open: bool,
    unchecked: AtomicU64,
    address: String,
}

impl fmt::Debug for RedisReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayStore")
            .field("address", &self.inner.address)
            .field("prefix", &self.inner.prefix)
            .field("connections", &self.inner.pool.len())
            .field("timeout", &self.inner.timeout)
            .field("fail_open", &self.inner.fail_open)
            .finish()
    }
}

impl RedisReplayStore {
    /// A builder for the Redis at `url` (`redis://` or `rediss://`, with `user:password@` for
    /// AUTH and `/db` for the database number).
    pub fn builder(url: impl Into<String>) -> RedisReplayStoreBuilder {
        RedisReplayStoreBuilder {
            url: url.into(),
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            connections: DEFAULT_CONNECTIONS,
            fail_open: false,
            ca_pem: None,
        }
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// How many checks were let through unchecked because Redis could not answer (only with
    /// [`RedisReplayStoreBuilder::fail_open`]; always 0 otherwise).
    pub fn unchecked(&self) -> u64 {
        self.inner.unchecked.load(Ordering::Relaxed)
    }

    /// The key of `id`: the prefix, then the id.
    pub fn key(&self, id: &str) -> String {
        let mut key = String::with_capacity(self.inner.prefix.len() + id.len());
        key.push_str(&self.inner.prefix);
        key.push_str(id);
        key
    }

    /// One of the connections, round robin (for a caller that wants to send its own commands
    /// on the same pool, such as a benchmark's raw baseline).
    pub fn connection(&self) -> Option<ConnectionManager> {
        let pool = &self.inner.pool;
        let index = self.inner.next.fetch_add(1, Ordering::Relaxed) % pool.len().max(1);
        pool.get(index).cloned()
    }

    async fn check(
        &self,
        id: &str,
        now_millis: u64,
        expires_at_millis: u64,
    ) -> Result<(), ReplayError> {
        check_id(id)?;
        let ttl = expires_at_millis.saturating_sub(now_millis).max(1);
        let Some(mut connection) = self.connection() else {
            return self.unavailable("no connection".into());
        };
        let mut command = redis::cmd("SET");
        command
            .arg(self.key(id))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(ttl);
        let answer = tokio::time::timeout(
            self.inner.timeout,
            command.query_async::<Option<String>>(&mut connection),
        )
        .await;
        match answer {
            Ok(Ok(Some(ok))) if ok == "OK" => Ok(()),
            Ok(Ok(Some(other))) => {
                self.unavailable(format!("the answer {:?} to SET NX", shorten(&other)))
            }
            Ok(Ok(None)) => Err(ReplayError::Replayed),
            Ok(Err(e)) => self.unavailable(describe(&e)),
            Err(_) => self.unavailable(format!(
                "no answer within {} ms",
                self.inner.timeout.as_millis()
            )),
        }
    }

    fn unavailable(&self, reason: String) -> Result<(), ReplayError> {
        #[cfg(feature = "tracing")]
        tracing::warn!(
            target: "jose_replay_redis",
            address = %self.inner.address,
            fail_open = self.inner.fail_open,
            %reason,
            "replay check without an answer from Redis"
        );
        if self.inner.fail_open {
            self.inner.unchecked.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        Err(ReplayError::Unavailable {
            store: "redis",
            reason,
        })
    }
}

impl ReplayStore for RedisReplayStore {
    fn check_and_record<'a>(
        &'a self,
        id: &'a str,
        now_millis: u64,
        expires_at_millis: u64,
    ) -> ReplayFuture<'a> {
        Box::pin(self.check(id, now_millis, expires_at_millis))
    }

    fn name(&self) -> &'static str {
        "redis"
    }
}

/// A Redis error as a short reason: its kind and message, at most 200 characters. Redis errors
/// name the command's error, never its arguments, so neither the id nor the password appears.
fn describe(error: &redis::RedisError) -> String {
    let text = if error.is_timeout() {
        "a timeout".to_owned()
    } else if error.is_connection_refusal() {
        "the connection refused".to_owned()
    } else {
        error.to_string()
    };
    shorten(&text)
}

fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(200).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}
