//! The optional shared replay store of the commands that accept an id once
//! (`jwt verify` and `dpop verify`: the `jti`; `klarna open --role server`: the `request_id`):
//!
//! ```text
//! [--replay-store redis://HOST:PORT/DB [--replay-prefix P] [--replay-timeout-ms MS]]
//! ```
//!
//! One set of flags ([`ReplayStoreArgs`], flattened into each command, whose default prefix it
//! sets with [`default_prefix`] so that the ids of one use never collide with another's) and one
//! connection ([`ReplayStoreArgs::block_on`]: a one-thread runtime, one connection bounded by
//! `--replay-timeout-ms`). Without `--replay-store` a one-shot process is alone and cannot see a
//! replay; with it every process naming the same store and prefix refuses the others' ids
//! (exit 1), and a store that cannot answer exits 2 (its class is `Transport`, or `Local` for a
//! bad URL), never accepting the id unchecked.

use crate::error::{CliError, Result};
use clap::Args;
use jose_replay_redis::RedisReplayStore;
use std::future::Future;
use std::time::Duration;

/// The default `--replay-prefix` of `jose jwt verify`.
pub(crate) const JWT_PREFIX: &str = "jose:jwt:";
/// The default `--replay-prefix` of `jose dpop verify`.
pub(crate) const DPOP_PREFIX: &str = "jose:dpop:";
/// The default `--replay-prefix` of `jose klarna open --role server`.
pub(crate) const KLARNA_PREFIX: &str = "jose:klarna-xs2a:";

/// `--replay-store URL [--replay-prefix P] [--replay-timeout-ms MS]`. Flattened into a command's
/// arguments together with `#[command(mut_arg("replay_prefix", default_prefix(PREFIX)))]`.
#[derive(Debug, Clone, Args)]
pub(crate) struct ReplayStoreArgs {
    /// Record the one-time id in this shared replay store, so that the same id seen again before
    /// it expires, by this or any other process naming the same store and prefix, is refused
    /// (exit 1); a store that cannot answer exits 2: `redis://[user:password@]host[:port][/db]`
    /// or `rediss://...` (TLS). Without it, replay state lasts for this process only.
    #[arg(long, value_name = "URL")]
    pub(crate) replay_store: Option<String>,
    /// (--replay-store) The key prefix in the store, one per deployment and use.
    #[arg(long, value_name = "PREFIX", requires = "replay_store")]
    pub(crate) replay_prefix: String,
    /// (--replay-store) The bound on the store's answer (and on connecting), in milliseconds.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 2_000,
        requires = "replay_store"
    )]
    pub(crate) replay_timeout_ms: u64,
}

/// Gives `--replay-prefix` its default, one per use (for
/// `#[command(mut_arg("replay_prefix", default_prefix(PREFIX)))]`; without it the flag is
/// required).
pub(crate) fn default_prefix(prefix: &'static str) -> impl FnOnce(clap::Arg) -> clap::Arg {
    move |arg| arg.default_value(prefix).required(false)
}

impl ReplayStoreArgs {
    /// Runs `check` on a one-thread runtime with the store at `url` connected: a store that
    /// cannot be reached, or a bad URL, is an error of exit status 2 that names `--replay-store`.
    pub(crate) fn block_on<T, F>(
        &self,
        url: &str,
        check: impl FnOnce(RedisReplayStore) -> F,
    ) -> Result<T>
    where
        F: Future<Output = Result<T>>,
    {
        let timeout = Duration::from_millis(self.replay_timeout_ms);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::usage(format!("cannot start the async runtime: {e}")))?;
        runtime.block_on(async {
            let store = RedisReplayStore::builder(url)
                .prefix(self.replay_prefix.as_str())
                .timeout(timeout)
                .connect_timeout(timeout)
                .connections(1)
                .connect()
                .await
                .map_err(|e| {
                    CliError::classified(e.class(), &e)
                        .context("--replay-store")
                        .into_usage()
                })?;
            check(store).await
        })
    }
}
