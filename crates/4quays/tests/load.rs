//! A bounded load test on loopback: 2,000 requests (1,000 protect + 1,000 unprotect) over 16
//! concurrent keep-alive connections to the running service. Every answer must be 2xx, and each
//! unprotect must return its own request's payload (no lost or mixed-up payloads). It stops by
//! itself: fixed request count, and a 120 s ceiling.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::{API_KEY, TestServer, engine};
use jose_4quays::engine::Outcome;
use jose_4quays::{AsyncClient, ProtectRequest, UnprotectRequest};
use serde_json::json;
use std::collections::HashSet;
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 16;
const PAIRS_PER_CONNECTION: usize = 1000 / CONNECTIONS + 1; // 63 pairs x 16 = 1,008 pairs
const TOTAL_PAIRS: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_requests_over_sixteen_connections() {
    let server = TestServer::start(engine(jose::default_provider())).await;
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..CONNECTIONS {
        // One client per worker, at most one idle connection each: 16 connections in all.
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .unwrap();
        let client = AsyncClient::with_http_client(http, &server.base, API_KEY).unwrap();
        workers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for i in 0..PAIRS_PER_CONNECTION {
                let n = worker * PAIRS_PER_CONNECTION + i;
                if n >= TOTAL_PAIRS {
                    break;
                }
                let payload = json!({"worker": worker, "n": n, "memo": format!("payment {n} of worker {worker}")});
                let id = format!("load-{n}");
                let protected = client
                    .protect(&ProtectRequest::new(payload.clone()), Some(&id))
                    .await
                    .unwrap_or_else(|e| panic!("protect {n}: {e}"));
                assert_eq!(protected.request_id(), id);
                let envelope = protected.jwe().expect("an encrypted answer").clone();
                let opened = client
                    .unprotect(&UnprotectRequest::jwe(envelope), Some(&id))
                    .await
                    .unwrap_or_else(|e| panic!("unprotect {n}: {e}"));
                assert_eq!(opened.request_id, id);
                assert_eq!(opened.payload, payload, "request {n} came back with another payload");
                seen.push(n);
            }
            seen
        }));
    }
    let all = tokio::time::timeout(Duration::from_secs(120), async {
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.unwrap());
        }
        all
    })
    .await
    .expect("the load test finishes within 120 s");
    let elapsed = started.elapsed();

    let unique: HashSet<usize> = all.iter().copied().collect();
    assert_eq!(all.len(), TOTAL_PAIRS);
    assert_eq!(unique.len(), TOTAL_PAIRS);
    let records = server.audit_records();
    assert_eq!(records.len(), 2 * TOTAL_PAIRS);
    assert!(records.iter().all(|r| r.status == 200));
    assert_eq!(
        records
            .iter()
            .filter(|r| r.outcome == Outcome::Encrypted)
            .count(),
        TOTAL_PAIRS
    );
    assert_eq!(
        records
            .iter()
            .filter(|r| r.outcome == Outcome::Decrypted)
            .count(),
        TOTAL_PAIRS
    );
    eprintln!(
        "load: {} requests over {CONNECTIONS} connections in {:.2} s ({:.0} requests/s)",
        2 * TOTAL_PAIRS,
        elapsed.as_secs_f64(),
        (2 * TOTAL_PAIRS) as f64 / elapsed.as_secs_f64()
    );
    server.stop().await;
}
