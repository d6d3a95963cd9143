//! The remote JWKS against real HTTP servers on 127.0.0.1: single-flight, the refetch cooldown,
//! timeouts, size limits, a server that is down (stale-if-error), Cache-Control, refused sets.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Answer, JwksServer, bounded, closed_port, key, set_of};
use jose::jws::{Jws, JwsBuilder};
use jose::{ErrorClass, Jwks, JwsAlgorithm, SigningKey};
use jose_remote_jwks::{Error, RemoteJwks, RemoteJwksBuilder};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

const MS: fn(u64) -> Duration = Duration::from_millis;

/// Loopback http allowed, the rest as given.
fn builder() -> RemoteJwksBuilder {
    RemoteJwks::builder().allow_http_loopback(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_callers_share_one_fetch() {
    bounded(async {
        // The server answers after 300 ms, so all twenty ask while the one fetch is under way.
        let server = JwksServer::start(Answer::set(&set_of(&["a", "b"])).delay(MS(300))).await;
        let jwks = builder().build(&server.url).unwrap();
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let jwks = jwks.clone();
                tokio::spawn(async move {
                    if i % 2 == 0 {
                        jwks.jwks().await
                    } else {
                        jwks.key_set(Some("b")).await
                    }
                })
            })
            .collect();
        let mut sets = Vec::new();
        for task in tasks {
            sets.push(task.await.unwrap().unwrap());
        }
        assert_eq!(server.hits(), 1);
        // Everyone got the very same set.
        assert!(sets.iter().all(|s| Arc::ptr_eq(s, &sets[0])));
        // And later callers use the cache.
        jwks.verifying_key(Some("a"), JwsAlgorithm::Es256)
            .await
            .unwrap();
        assert_eq!(server.hits(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_kid_refetches_once_per_cooldown() {
    bounded(async {
        let cooldown = MS(400);
        let server = JwksServer::start(Answer::set(&set_of(&["a"]))).await;
        let jwks = builder().cooldown(cooldown).build(&server.url).unwrap();
        jwks.key_set(Some("a")).await.unwrap();
        assert_eq!(server.hits(), 1);

        // Right after a fetch, an unknown kid is answered without a request.
        let e = jwks.key_set(Some("new")).await.unwrap_err();
        assert!(matches!(e, Error::NoMatchingKey { .. }), "{e:?}");
        assert_eq!(server.hits(), 1);

        // After the cooldown: exactly one refetch, then none within the next cooldown, however
        // many tokens name the kid, even once the server has it.
        tokio::time::sleep(cooldown + MS(50)).await;
        let e = jwks.key_set(Some("new")).await.unwrap_err();
        assert!(matches!(e, Error::NoMatchingKey { .. }), "{e:?}");
        assert!(e.is_rejection());
        assert_eq!(server.hits(), 2);
        let (signer, new) = key("new");
        let mut with_new = set_of(&["a"]);
        with_new.keys.push(new);
        server.answer(Answer::set(&with_new));
        for _ in 0..10 {
            let e = jwks
                .verifying_key(Some("new"), JwsAlgorithm::Es256)
                .await
                .unwrap_err();
            assert!(e.to_string().contains("at most once per"), "{e}");
        }
        assert_eq!(server.hits(), 2);
        // A known kid meanwhile is served from the cache.
        jwks.key_set(Some("a")).await.unwrap();
        assert_eq!(server.hits(), 2);

        // After the next cooldown: one more request, which finds the key.
        tokio::time::sleep(cooldown + MS(50)).await;
        let key = jwks
            .verifying_key(Some("new"), JwsAlgorithm::Es256)
            .await
            .unwrap();
        assert_eq!(server.hits(), 3);
        // The key verifies what its private half signed.
        let signing = SigningKey::new(signer, JwsAlgorithm::Es256).unwrap();
        let token = JwsBuilder::new(b"hello")
            .signer(&signing)
            .sign()
            .unwrap()
            .to_compact()
            .unwrap();
        let jws = Jws::from_compact(&token, &jose::Limits::default()).unwrap();
        assert_eq!(jws.verify([&key]).unwrap(), b"hello");
        jwks.key_set(Some("new")).await.unwrap();
        assert_eq!(server.hits(), 3);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_server_times_out_within_the_bound() {
    bounded(async {
        let server = JwksServer::start(Answer::set(&set_of(&["a"])).delay(MS(5000))).await;
        let jwks = builder().timeout(MS(300)).build(&server.url).unwrap();
        let started = Instant::now();
        let e = jwks.jwks().await.unwrap_err();
        let took = started.elapsed();
        assert!(took < MS(2500), "took {took:?}");
        match &e {
            Error::Fetch { source, .. } => assert!(source.is_timeout(), "{source:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(e.class(), ErrorClass::Transport);
        // Within the cooldown, the failure is the answer again, without a request.
        let again = jwks.jwks().await.unwrap_err();
        assert!(matches!(again, Error::Fetch { .. }), "{again:?}");
        assert_eq!(server.hits(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_answer_is_refused_by_its_content_length() {
    bounded(async {
        let big = set_of(&["a", "b", "c", "d", "e", "f", "g", "h"]);
        assert!(big.to_json().len() > 1024);
        let server = JwksServer::start(Answer::set(&big)).await;
        let jwks = builder()
            .max_response_bytes(1024)
            .build(&server.url)
            .unwrap();
        let e = jwks.jwks().await.unwrap_err();
        assert!(
            matches!(&e, Error::TooLarge { limit: 1024, found, .. } if found.contains("Content-Length")),
            "{e:?}"
        );
        assert!(e.is_rejection());
    })
    .await;
}

/// A server that sends an endless chunked body: a client that buffered it to its end would never
/// return.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_answer_is_refused_at_the_limit() {
    bounded(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = vec![0u8; 4096];
            let _ = socket.read(&mut request).await.unwrap();
            socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                      transfer-encoding: chunked\r\n\r\n",
                )
                .await
                .unwrap();
            let chunk = format!("4000\r\n{}\r\n", " ".repeat(0x4000));
            let mut sent = 0usize;
            // Until the client hangs up.
            while socket.write_all(chunk.as_bytes()).await.is_ok() {
                sent += 0x4000;
            }
            sent
        });
        let limit = 64 * 1024;
        let jwks = builder().max_response_bytes(limit).build(&url).unwrap();
        let started = Instant::now();
        let e = jwks.jwks().await.unwrap_err();
        assert!(started.elapsed() < MS(5000));
        assert!(
            matches!(&e, Error::TooLarge { limit: l, found, .. } if *l == limit && found.contains("read stopped")),
            "{e:?}"
        );
        // The server saw the client hang up (its writes failed), having sent a finite amount.
        let sent = tokio::time::timeout(MS(5000), server)
            .await
            .unwrap()
            .unwrap();
        assert!(sent >= limit, "{sent}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_down_is_a_transport_error() {
    bounded(async {
        let url = format!("http://127.0.0.1:{}/jwks", closed_port());
        let jwks = builder().build(&url).unwrap();
        let started = Instant::now();
        let e = jwks.jwks().await.unwrap_err();
        assert!(started.elapsed() < MS(5000));
        match &e {
            Error::Fetch { source, .. } => assert!(source.is_connect(), "{source:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(e.class(), ErrorClass::Transport);
        assert!(jose::error::display_chain(&e).contains(&url));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_keys_are_served_within_the_bound_while_the_server_is_down() {
    bounded(async {
        let mut server = JwksServer::start(Answer::set(&set_of(&["a"]))).await;
        let (ttl, stale) = (MS(300), MS(1200));
        let jwks = builder()
            .min_ttl(ttl)
            .max_ttl(ttl)
            .cooldown(MS(100))
            .stale_if_error(stale)
            .build(&server.url)
            .unwrap();
        let first = jwks.jwks().await.unwrap();
        assert_eq!(server.hits(), 1);
        server.stop().await;

        // Expired, the refresh fails: the last good set is served.
        tokio::time::sleep_until(first.expires_at() + MS(100)).await;
        let key = jwks
            .verifying_key(Some("a"), JwsAlgorithm::Es256)
            .await
            .unwrap();
        assert_eq!(key.kid(), Some("a"));
        let served = jwks.jwks().await.unwrap();
        assert!(Arc::ptr_eq(&first, &served));
        assert!(served.expires_at() < Instant::now());
        // Still so a little later, after more failed refreshes.
        tokio::time::sleep(MS(300)).await;
        jwks.key_set(Some("a")).await.unwrap();

        // Past the stale bound: the fetch's error.
        tokio::time::sleep_until(first.expires_at() + stale + MS(150)).await;
        let e = jwks.key_set(Some("a")).await.unwrap_err();
        assert!(matches!(e, Error::Fetch { .. }), "{e:?}");
        assert_eq!(e.class(), ErrorClass::Transport);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_control_max_age_is_honoured_and_clamped() {
    bounded(async {
        let s = Duration::from_secs;
        let set = set_of(&["a"]);
        let server = JwksServer::start(Answer::set(&set)).await;
        for (cache_control, expected) in [
            (Some("max-age=5"), s(5)),
            (Some("public, max-age=3600"), s(20)),
            (Some("max-age=0"), s(2)),
            (Some("no-store"), s(2)),
            (Some("max-age=300, no-cache"), s(2)),
            (None, s(7)),
        ] {
            let mut answer = Answer::set(&set);
            answer.cache_control = cache_control.map(str::to_owned);
            server.answer(answer);
            let jwks = builder()
                .default_ttl(s(7))
                .min_ttl(s(2))
                .max_ttl(s(20))
                .build(&server.url)
                .unwrap();
            let got = jwks.jwks().await.unwrap();
            assert_eq!(
                got.expires_at() - got.fetched_at(),
                expected,
                "{cache_control:?}"
            );
        }

        // And the lifetime is what decides a refetch.
        server.answer(Answer::set(&set).cache_control("max-age=0"));
        let before = server.hits();
        let jwks = builder()
            .min_ttl(MS(300))
            .cooldown(MS(50))
            .build(&server.url)
            .unwrap();
        jwks.jwks().await.unwrap();
        jwks.jwks().await.unwrap();
        assert_eq!(server.hits(), before + 1);
        tokio::time::sleep(MS(400)).await;
        jwks.jwks().await.unwrap();
        assert_eq!(server.hits(), before + 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_with_secret_material_is_refused() {
    bounded(async {
        let good = key("a").1.to_json();
        let oct = r#"{"kty":"oct","kid":"hs","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}"#;
        let server =
            JwksServer::start(Answer::text(200, &format!(r#"{{"keys":[{good},{oct}]}}"#))).await;
        let jwks = builder().build(&server.url).unwrap();
        let e = jwks.jwks().await.unwrap_err();
        assert!(
            matches!(&e, Error::SecretInSet { index: 1, kid, .. } if kid.contains("hs")),
            "{e:?}"
        );
        assert!(e.is_rejection());
        assert!(!jose::error::display_chain(&e).contains("c2VjcmV0"));

        // A private key is refused the same way.
        let private = key("p").0.to_jwk().unwrap().to_json();
        let server =
            JwksServer::start(Answer::text(200, &format!(r#"{{"keys":[{private}]}}"#))).await;
        let e = builder()
            .build(&server.url)
            .unwrap()
            .jwks()
            .await
            .unwrap_err();
        assert!(matches!(&e, Error::SecretInSet { index: 0, .. }), "{e:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_redirects_and_malformed_answers_are_refused() {
    bounded(async {
        let server = JwksServer::start(Answer::text(404, "not found")).await;
        let jwks = builder().cooldown(MS(10)).build(&server.url).unwrap();
        let e = jwks.jwks().await.unwrap_err();
        assert!(matches!(e, Error::Status { status: 404, .. }), "{e:?}");
        assert!(e.is_rejection());

        // A redirect is not followed (to the same server's /jwks: one hit, not two).
        server.answer(Answer::text(302, "").location(&server.url));
        tokio::time::sleep(MS(20)).await;
        let e = jwks.jwks().await.unwrap_err();
        assert!(matches!(e, Error::Status { status: 302, .. }), "{e:?}");
        assert_eq!(server.hits(), 2);

        for body in [
            "not json",
            r#"{"keys":{}}"#,
            r#"{"keys":[],"keys":[]}"#,
            "[]",
        ] {
            server.answer(Answer::text(200, body));
            tokio::time::sleep(MS(20)).await;
            let e = jwks.jwks().await.unwrap_err();
            assert!(matches!(e, Error::Malformed { .. }), "{body}: {e:?}");
            assert!(e.is_rejection());
        }

        // Keys that do not import are skipped, with the reason kept.
        let mut set = set_of(&["a"]);
        set.keys.push(
            jose::Jwk::from_json(
                r#"{"kty":"OKP","kid":"ed448","crv":"Ed448","x":"AAAA"}"#,
                &jose::Limits::default(),
            )
            .unwrap(),
        );
        server.answer(Answer::set(&set));
        tokio::time::sleep(MS(20)).await;
        let got = jwks.jwks().await.unwrap();
        assert_eq!(got.keys().len(), 1);
        assert_eq!(got.skipped().len(), 1);
        assert_eq!(got.skipped()[0].kid.as_deref(), Some("ed448"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_off_the_allow_list_is_refused_before_any_fetch() {
    bounded(async {
        let server = JwksServer::start(Answer::set(&set_of(&["a"]))).await;
        let other = JwksServer::start(Answer::set(&set_of(&["a"]))).await;
        let allowed = builder().build_set([server.url.as_str()]).unwrap();
        let e = allowed
            .verifying_key(&other.url, Some("a"), JwsAlgorithm::Es256)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::UrlNotAllowed { .. }), "{e:?}");
        assert!(e.is_rejection());
        assert_eq!(other.hits(), 0);
        assert_eq!(server.hits(), 0);
        let clone = allowed.clone();
        clone
            .verifying_key(&server.url, Some("a"), JwsAlgorithm::Es256)
            .await
            .unwrap();
        allowed.key_set(&server.url, Some("a")).await.unwrap();
        assert_eq!(server.hits(), 1);
        assert_eq!(other.hits(), 0);
        let _: &Jwks = allowed.key_set(&server.url, None).await.unwrap().jwks();
    })
    .await;
}
