//! The adapters through real HTTP on 127.0.0.1: the axum webhook layer (with a local JWKS server
//! behind the `jku` allow-list) and the reqwest signing middleware against a verifying server.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use jose::{EcCurve, Jwk, Jwks, KeySpec, PrivateKey};
use jose_truelayer_signing::axum::{VerifiedWebhook, WebhookVerifier, jwks_builder};
use jose_truelayer_signing::reqwest::SigningMiddleware;
use jose_truelayer_signing::{Error, Es512SigningKey, Signer, Verifier, WebhookFreshness};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::oneshot;

const KID: &str = "45fc75cf-5649-4134-84b3-192c2c78e990";
const PRIVATE_PEM: &str = include_str!("vectors/test-only-ec512-private.pem");
const PUBLIC_PEM: &str = include_str!("vectors/test-only-ec512-public.pem");
/// The webhooks' `X-Tl-Webhook-Timestamp`, and the receiver's clock 30 s later.
const SENT: &str = "2026-01-01T00:00:00Z";
const SENT_SECS: u64 = 1_767_225_600;
const BODY: &[u8] = br#"{"type":"payout_executed","event_id":"18b2842b"}"#;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

async fn bounded<F: Future>(test: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), test)
        .await
        .expect("the test took longer than its bound")
}

fn fixture_key() -> Es512SigningKey {
    Es512SigningKey::from_pem(PRIVATE_PEM, jose::default_provider()).unwrap()
}

fn public_jwk(key: &Es512SigningKey, kid: &str) -> Jwk {
    let mut jwk = key.public_key().to_jwk().unwrap();
    jwk.kid = Some(kid.to_owned());
    jwk
}

fn fresh_key() -> Es512SigningKey {
    let private =
        PrivateKey::generate(KeySpec::Ec(EcCurve::P521), jose::default_provider()).unwrap();
    Es512SigningKey::from_private_key(private).unwrap()
}

/// Spawns `app` on 127.0.0.1; returns its base URL and a handle that stops it gracefully.
async fn serve(app: Router) -> (String, Stopper) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    (base, Stopper { tx, task })
}

struct Stopper {
    tx: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Stopper {
    async fn stop(self) {
        let _ = self.tx.send(());
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("the server did not stop")
            .unwrap();
    }
}

/// A JWKS server on loopback that counts its requests.
struct JwksServer {
    url: String,
    hits: Arc<AtomicUsize>,
    jwks: Arc<Mutex<Jwks>>,
    stopper: Stopper,
}

impl JwksServer {
    async fn start(jwks: Jwks) -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let jwks = Arc::new(Mutex::new(jwks));
        let state = (hits.clone(), jwks.clone());
        let app = Router::new()
            .route(
                "/jwks",
                get(
                    |State((hits, jwks)): State<(Arc<AtomicUsize>, Arc<Mutex<Jwks>>)>| async move {
                        hits.fetch_add(1, Ordering::SeqCst);
                        let json = jwks.lock().unwrap().to_json();
                        ([("content-type", "application/json")], json)
                    },
                ),
            )
            .with_state(state);
        let (base, stopper) = serve(app).await;
        JwksServer {
            url: format!("{base}/jwks"),
            hits,
            jwks,
            stopper,
        }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn add(&self, jwk: Jwk) {
        self.jwks.lock().unwrap().keys.push(jwk);
    }
}

/// A webhook receiver at `/hook` behind the layer; the handler answers the verified kid, the
/// signed headers and the body length.
async fn receiver(verifier: WebhookVerifier) -> (String, Stopper) {
    let app = Router::new()
        .route(
            "/hook",
            post(|webhook: VerifiedWebhook, body: String| async move {
                assert_eq!(webhook.body.as_ref(), body.as_bytes());
                format!(
                    "{} {} {}",
                    webhook.kid,
                    webhook.signed_headers.join(","),
                    webhook.body.len()
                )
            }),
        )
        .layer(verifier.layer());
    let (base, stopper) = serve(app).await;
    (format!("{base}/hook"), stopper)
}

fn verifier_for(urls: &[&str], cooldown: Duration) -> WebhookVerifier {
    let set = jwks_builder()
        .allow_http_loopback(true)
        .cooldown(cooldown)
        .build_set(urls)
        .unwrap();
    WebhookVerifier::new(set).freshness(
        WebhookFreshness::default()
            .as_of(SystemTime::UNIX_EPOCH + Duration::from_secs(SENT_SECS + 30)),
    )
}

fn webhook_signature(key: &Es512SigningKey, kid: &str, jku: &str, body: &[u8]) -> String {
    Signer::webhook(kid)
        .method("POST")
        .path("/hook")
        .header("X-Tl-Webhook-Timestamp", SENT)
        .header("Content-Type", "application/json")
        .body(body)
        .jku(jku)
        .sign(key)
        .unwrap()
}

/// Posts a webhook; returns the status and the body.
async fn post_webhook(url: &str, signature: Option<&str>, body: &[u8]) -> (StatusCode, String) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("X-Tl-Webhook-Timestamp", SENT)
        .header("Content-Type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("Tl-Signature", signature);
    }
    let response = request.send().await.unwrap();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    (status, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_webhook_is_verified_and_a_tampered_one_refused() {
    bounded(async {
        let key = fixture_key();
        let jwks = JwksServer::start(Jwks::new(vec![public_jwk(&key, KID)])).await;
        let (hook, _receiver) = receiver(verifier_for(&[&jwks.url], Duration::from_secs(30))).await;
        let signature = webhook_signature(&key, KID, &jwks.url, BODY);

        let (status, text) = post_webhook(&hook, Some(&signature), BODY).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert_eq!(
            text,
            format!("{KID} X-Tl-Webhook-Timestamp,Content-Type {}", BODY.len())
        );
        assert_eq!(jwks.hits(), 1);

        // One byte changed: 401, saying what failed and nothing more.
        let mut tampered = BODY.to_vec();
        tampered[10] ^= 1;
        let (status, text) = post_webhook(&hook, Some(&signature), &tampered).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            text,
            r#"{"error":"bad_signature","message":"signature did not verify"}"#
        );
        // No Tl-Signature: 400.
        let (status, text) = post_webhook(&hook, None, BODY).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert!(text.contains("missing_signature"), "{text}");
        // A signature by another key under the same kid: 401.
        let forged = webhook_signature(&fresh_key(), KID, &jwks.url, BODY);
        let (status, _) = post_webhook(&hook, Some(&forged), BODY).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(jwks.hits(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_jku_is_refused_before_any_fetch() {
    bounded(async {
        let key = fixture_key();
        let allowed = JwksServer::start(Jwks::new(vec![public_jwk(&key, KID)])).await;
        let attacker = JwksServer::start(Jwks::new(vec![public_jwk(&key, KID)])).await;
        let (hook, _receiver) =
            receiver(verifier_for(&[&allowed.url], Duration::from_secs(30))).await;
        let signature = webhook_signature(&key, KID, &attacker.url, BODY);
        let (status, text) = post_webhook(&hook, Some(&signature), BODY).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(text.contains("jku_not_allowed"), "{text}");
        assert_eq!(attacker.hits(), 0);
        assert_eq!(allowed.hits(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_kid_refetches_once_per_cooldown() {
    bounded(async {
        let key = fixture_key();
        let cooldown = ms(400);
        let jwks = JwksServer::start(Jwks::new(vec![public_jwk(&key, KID)])).await;
        let (hook, _receiver) = receiver(verifier_for(&[&jwks.url], cooldown)).await;
        let (status, _) = post_webhook(
            &hook,
            Some(&webhook_signature(&key, KID, &jwks.url, BODY)),
            BODY,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(jwks.hits(), 1);

        // A rotated key the JWKS does not publish yet.
        tokio::time::sleep(cooldown + ms(50)).await;
        let rotated = fresh_key();
        let signature = webhook_signature(&rotated, "rotated", &jwks.url, BODY);
        let (status, text) = post_webhook(&hook, Some(&signature), BODY).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(text.contains("unknown_key"), "{text}");
        assert_eq!(jwks.hits(), 2);
        // Published now, but within the cooldown: no request, still refused.
        jwks.add(public_jwk(&rotated, "rotated"));
        for _ in 0..5 {
            let (status, _) = post_webhook(&hook, Some(&signature), BODY).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(jwks.hits(), 2);
        // After the cooldown: one refetch, which finds it.
        tokio::time::sleep(cooldown + ms(50)).await;
        let (status, text) = post_webhook(&hook, Some(&signature), BODY).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert!(text.starts_with("rotated "), "{text}");
        assert_eq!(jwks.hits(), 3);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_keys_are_used_within_the_bound_while_the_jwks_server_is_down() {
    bounded(async {
        let key = fixture_key();
        let jwks = JwksServer::start(Jwks::new(vec![public_jwk(&key, KID)])).await;
        let url = jwks.url.clone();
        let (ttl, stale) = (ms(300), ms(1500));
        let set = jwks_builder()
            .allow_http_loopback(true)
            .min_ttl(ttl)
            .max_ttl(ttl)
            .cooldown(ms(100))
            .stale_if_error(stale)
            .build_set([url.as_str()])
            .unwrap();
        let verifier = WebhookVerifier::new(set).freshness(
            WebhookFreshness::default()
                .as_of(SystemTime::UNIX_EPOCH + Duration::from_secs(SENT_SECS + 30)),
        );
        let (hook, _receiver) = receiver(verifier).await;
        let signature = webhook_signature(&key, KID, &url, BODY);
        let started = tokio::time::Instant::now();
        let (status, _) = post_webhook(&hook, Some(&signature), BODY).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(jwks.hits(), 1);
        jwks.stopper.stop().await;

        // Expired, the JWKS server down: the last good keys still verify.
        tokio::time::sleep(ttl + ms(150)).await;
        let (status, text) = post_webhook(&hook, Some(&signature), BODY).await;
        assert_eq!(status, StatusCode::OK, "{text}");

        // Past the stale bound: 503, the keys are unavailable.
        tokio::time::sleep_until(started + ttl + stale + ms(300)).await;
        let (status, text) = post_webhook(&hook, Some(&signature), BODY).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
        assert!(text.contains("keys_unavailable"), "{text}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413_before_any_fetch() {
    bounded(async {
        let key = fixture_key();
        let jwks = JwksServer::start(Jwks::new(vec![public_jwk(&key, KID)])).await;
        let verifier = verifier_for(&[&jwks.url], Duration::from_secs(30)).body_limit(1024);
        let (hook, _receiver) = receiver(verifier).await;
        let big = vec![b' '; 4096];
        let signature = webhook_signature(&key, KID, &jwks.url, &big);
        let (status, text) = post_webhook(&hook, Some(&signature), &big).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
        assert!(text.contains("body_too_large"), "{text}");
        assert_eq!(jwks.hits(), 0);
        // At the limit: verified.
        let fits = vec![b' '; 1024];
        let signature = webhook_signature(&key, KID, &jwks.url, &fits);
        let (status, text) = post_webhook(&hook, Some(&signature), &fits).await;
        assert_eq!(status, StatusCode::OK, "{text}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_extractor_without_the_layer_fails_closed() {
    bounded(async {
        let app = Router::new().route("/hook", post(|_: VerifiedWebhook| async { "reached" }));
        let (base, _server) = serve(app).await;
        let (status, text) = post_webhook(&format!("{base}/hook"), None, BODY).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!text.contains("reached"));
    })
    .await;
}

/// A server that verifies `Tl-Signature` with the fixture's public key and the existing
/// `Verifier`, requiring a signed Idempotency-Key; counts the requests it saw.
async fn verifying_server() -> (String, Arc<AtomicUsize>, Stopper) {
    let seen = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route(
            "/v3/payouts",
            post(
                |State(seen): State<Arc<AtomicUsize>>, request: Request| async move {
                    seen.fetch_add(1, Ordering::SeqCst);
                    let (parts, body) = request.into_parts();
                    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
                    let request = axum::http::Request::from_parts(parts, body);
                    let verdict = Verifier::from_pem(PUBLIC_PEM, jose::default_provider())
                        .unwrap()
                        .require_header("Idempotency-Key")
                        .verify_request(&request);
                    match verdict {
                        Ok(v) => (StatusCode::OK, v.signed_headers.join(",")),
                        Err(e) => (StatusCode::UNAUTHORIZED, e.to_string()),
                    }
                },
            ),
        )
        .with_state(seen.clone());
    let (base, stopper) = serve(app).await;
    (format!("{base}/v3/payouts"), seen, stopper)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_middleware_signs_what_the_server_verifies() {
    bounded(async {
        let (url, seen, _server) = verifying_server().await;
        let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(SigningMiddleware::new(KID, fixture_key()).sign_header("X-Request-Id"))
            .build();
        let response = client
            .post(format!("{url}?dry_run=1"))
            .header("Idempotency-Key", "619410b3-b00c-406e-bb1b-2982f97edb8b")
            .header("X-Request-Id", "r-1")
            .header("Content-Type", "application/json")
            .body(r#"{"amount_in_minor":100,"currency":"GBP"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(
            response.text().await.unwrap(),
            "Idempotency-Key,X-Request-Id"
        );
        assert_eq!(seen.load(Ordering::SeqCst), 1);

        // Without an Idempotency-Key the request is not signed and not sent.
        let e = client.post(&url).body("{}").send().await.unwrap_err();
        assert!(
            matches!(e, reqwest_middleware::Error::Middleware(_)),
            "{e:?}"
        );
        let source = std::error::Error::source(&e)
            .and_then(|s| s.downcast_ref::<Error>())
            .or_else(|| match &e {
                reqwest_middleware::Error::Middleware(a) => a.downcast_ref::<Error>(),
                _ => None,
            });
        assert!(
            matches!(source, Some(Error::MissingIdempotencyKey { .. })),
            "{e:?}"
        );
        assert_eq!(seen.load(Ordering::SeqCst), 1);

        // A request signed by another key is refused by the server.
        let other = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(SigningMiddleware::new(KID, fresh_key()))
            .build();
        let response = other
            .post(&url)
            .header("Idempotency-Key", "k-2")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 401);
        assert_eq!(seen.load(Ordering::SeqCst), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_delivery_is_409_on_every_instance_sharing_the_store() {
    let mut redis = jose_test_support::RedisServer::start()
        .expect("a redis-server on 127.0.0.1 (apt-get install redis-server)");
    bounded(async {
        let key = fixture_key();
        let jwks = JwksServer::start(Jwks::new(vec![public_jwk(&key, KID)])).await;
        let store = |prefix: &'static str| {
            let url = redis.url();
            async move {
                let store = jose_replay_redis::RedisReplayStore::builder(url)
                    .prefix(prefix)
                    .timeout(Duration::from_millis(300))
                    .connect()
                    .await
                    .unwrap();
                Arc::new(store) as Arc<dyn jose::replay::ReplayStore>
            }
        };
        // Two instances of the receiver, each with its own connections to one Redis.
        let (first, _a) = receiver(
            verifier_for(&[&jwks.url], Duration::from_secs(30)).replay_store(store("hooks:").await),
        )
        .await;
        let (second, _b) = receiver(
            verifier_for(&[&jwks.url], Duration::from_secs(30)).replay_store(store("hooks:").await),
        )
        .await;
        let signature = webhook_signature(&key, KID, &jwks.url, BODY);
        assert_eq!(
            post_webhook(&first, Some(&signature), BODY).await.0,
            StatusCode::OK
        );
        let (status, text) = post_webhook(&second, Some(&signature), BODY).await;
        assert_eq!(status, StatusCode::CONFLICT, "{text}");
        assert_eq!(
            text,
            r#"{"error":"replayed_webhook","message":"webhook already received"}"#
        );
        assert_eq!(
            post_webhook(&first, Some(&signature), BODY).await.0,
            StatusCode::CONFLICT
        );
        // A new delivery of the same event is signed anew: not a replay.
        let retry = webhook_signature(&key, KID, &jwks.url, BODY);
        assert_ne!(retry, signature);
        assert_eq!(
            post_webhook(&second, Some(&retry), BODY).await.0,
            StatusCode::OK
        );
        // A forged signature is refused before it could take room in the store.
        let forged = webhook_signature(&fresh_key(), KID, &jwks.url, BODY);
        assert_eq!(
            post_webhook(&first, Some(&forged), BODY).await.0,
            StatusCode::UNAUTHORIZED
        );
        // Redis down: 503, the handler not called.
        redis.stop();
        let another = webhook_signature(&key, KID, &jwks.url, BODY);
        let (status, text) = post_webhook(&first, Some(&another), BODY).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
        assert!(text.contains("replay_store_unavailable"), "{text}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_memory_store_refuses_a_replay_on_one_instance() {
    bounded(async {
        let key = fixture_key();
        let jwks = JwksServer::start(Jwks::new(vec![public_jwk(&key, KID)])).await;
        let store = Arc::new(jose::replay::InMemoryReplayStore::new(100));
        let (hook, _receiver) = receiver(
            verifier_for(&[&jwks.url], Duration::from_secs(30)).replay_store(store.clone()),
        )
        .await;
        let signature = webhook_signature(&key, KID, &jwks.url, BODY);
        assert_eq!(
            post_webhook(&hook, Some(&signature), BODY).await.0,
            StatusCode::OK
        );
        assert_eq!(
            post_webhook(&hook, Some(&signature), BODY).await.0,
            StatusCode::CONFLICT
        );
        assert_eq!(store.len(), 1);
    })
    .await;
}
