//! Replay checks per second (issue 16), against a real redis-server started here on 127.0.0.1
//! (the bench fails when it cannot start), each case beside its baseline:
//!
//! - `memory`: [`InMemoryReplayStore`] (one process), through the async interface;
//! - `redis`: [`RedisReplayStore::check_and_record`], one `SET <prefix><id> 1 NX PX <ttl>`;
//! - `raw`: the same `SET NX PX` sent with the `redis` crate on the same pooled connection, no
//!   store around it: the ratio `redis/raw` is our layer's overhead.
//!
//! Two ways: `sequential` (one check at a time: a round trip each) and `pipelined-64` (64 checks
//! in flight at once on the multiplexed connection, which Redis answers in one batch; the time is
//! per check). Every id is new (a counter), with a 2 s TTL so that Redis holds at most a few
//! hundred thousand keys.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use futures_util::future::join_all;
use jose::replay::{InMemoryReplayStore, ReplayStore};
use jose_replay_redis::RedisReplayStore;
use jose_test_support::RedisServer;

const TTL_MS: u64 = 2_000;
const IN_FLIGHT: usize = 64;

mod common;
use common::config;

static NEXT: AtomicU64 = AtomicU64::new(0);

fn fresh_id() -> String {
    format!("bench-{:016}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// What one check is, for each column.
#[derive(Clone, Copy)]
enum Column {
    Memory,
    Redis,
    Raw,
}

async fn one(column: Column, memory: &InMemoryReplayStore, redis: &RedisReplayStore) {
    let id = fresh_id();
    let now = now_millis();
    match column {
        Column::Memory => {
            black_box(memory.check_and_record(&id, now, now + TTL_MS).await).unwrap();
        }
        Column::Redis => {
            black_box(redis.check_and_record(&id, now, now + TTL_MS).await).unwrap();
        }
        Column::Raw => {
            let mut connection = redis.connection().unwrap();
            let answer: Option<String> = redis::cmd("SET")
                .arg(redis.key(&id))
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(TTL_MS)
                .query_async(&mut connection)
                .await
                .unwrap();
            assert_eq!(black_box(answer).as_deref(), Some("OK"));
        }
    }
}

fn replay(c: &mut Criterion) {
    let server = RedisServer::start().expect("a redis-server on 127.0.0.1 for the replay bench");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let redis = runtime
        .block_on(
            RedisReplayStore::builder(server.url())
                .prefix("bench:")
                .connections(1)
                .timeout(Duration::from_secs(5))
                .connect(),
        )
        .unwrap();
    // Capacity above what a 2 s TTL lets accumulate at any rate measured here.
    let memory = InMemoryReplayStore::new(10_000_000);

    let mut group = c.benchmark_group("replay");
    for (name, column) in [
        ("memory", Column::Memory),
        ("redis", Column::Redis),
        ("raw", Column::Raw),
    ] {
        group.bench_function(BenchmarkId::new(name, "sequential"), |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let started = Instant::now();
                    for _ in 0..iters {
                        one(column, &memory, &redis).await;
                    }
                    started.elapsed()
                })
            });
        });
        group.bench_function(BenchmarkId::new(name, "pipelined-64"), |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let batches = iters.div_ceil(IN_FLIGHT as u64).max(1);
                    let started = Instant::now();
                    for _ in 0..batches {
                        join_all((0..IN_FLIGHT).map(|_| one(column, &memory, &redis))).await;
                    }
                    // Per check: the batches ran batches * IN_FLIGHT checks for `iters`.
                    started
                        .elapsed()
                        .mul_f64(iters as f64 / (batches * IN_FLIGHT as u64) as f64)
                })
            });
        });
    }
    group.finish();
    drop(server);
}

criterion_group! {
    name = benches;
    config = config();
    targets = replay
}
criterion_main!(benches);
