//! A JWKS server on 127.0.0.1 that counts its requests, and test keys.

#![allow(dead_code)]

use axum::body::Body;
use axum::extract::State;
use axum::http::{Response, StatusCode};
use jose::{EcCurve, Jwk, Jwks, KeySpec, PrivateKey};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Every test's own bound: nothing here should take more than a few seconds.
pub(crate) const BOUND: Duration = Duration::from_secs(20);

/// Runs `test` under [`BOUND`].
pub(crate) async fn bounded<F: Future>(test: F) -> F::Output {
    tokio::time::timeout(BOUND, test)
        .await
        .expect("the test took longer than its bound")
}

/// What the server answers.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) cache_control: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) delay: Duration,
}

impl Answer {
    /// 200 with this set and no Cache-Control.
    pub(crate) fn set(jwks: &Jwks) -> Self {
        Answer {
            status: 200,
            body: jwks.to_json(),
            cache_control: None,
            location: None,
            delay: Duration::ZERO,
        }
    }

    pub(crate) fn text(status: u16, body: &str) -> Self {
        Answer {
            status,
            body: body.to_owned(),
            cache_control: None,
            location: None,
            delay: Duration::ZERO,
        }
    }

    pub(crate) fn cache_control(mut self, value: &str) -> Self {
        self.cache_control = Some(value.to_owned());
        self
    }

    pub(crate) fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub(crate) fn location(mut self, location: &str) -> Self {
        self.location = Some(location.to_owned());
        self
    }
}

#[derive(Clone)]
struct Shared {
    hits: Arc<AtomicUsize>,
    answer: Arc<Mutex<Answer>>,
}

/// A JWKS server on 127.0.0.1 (plain HTTP) serving `/jwks`.
pub(crate) struct JwksServer {
    /// `http://127.0.0.1:port/jwks`.
    pub(crate) url: String,
    shared: Shared,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl JwksServer {
    pub(crate) async fn start(answer: Answer) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        let shared = Shared {
            hits: Arc::new(AtomicUsize::new(0)),
            answer: Arc::new(Mutex::new(answer)),
        };
        let app = router(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        JwksServer {
            url,
            shared,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// How many requests reached `/jwks`.
    pub(crate) fn hits(&self) -> usize {
        self.shared.hits.load(Ordering::SeqCst)
    }

    /// Answers `answer` from now on.
    pub(crate) fn answer(&self, answer: Answer) {
        *self.shared.answer.lock().unwrap() = answer;
    }

    /// Stops the server: its port refuses connections afterwards.
    pub(crate) async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            // Graceful: in-flight requests end, idle keep-alive connections close.
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                panic!("the JWKS server did not stop within 5 s");
            }
        }
    }
}

/// The router serving `shared`'s answer at `/jwks` (also used by the TLS test).
pub(crate) fn router_for(body: String) -> axum::Router {
    router(Shared {
        hits: Arc::new(AtomicUsize::new(0)),
        answer: Arc::new(Mutex::new(Answer::text(200, &body))),
    })
}

fn router(shared: Shared) -> axum::Router {
    axum::Router::new()
        .route("/jwks", axum::routing::get(serve))
        .with_state(shared)
}

async fn serve(State(shared): State<Shared>) -> Response<Body> {
    shared.hits.fetch_add(1, Ordering::SeqCst);
    let answer = shared.answer.lock().unwrap().clone();
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    let mut response = Response::builder()
        .status(StatusCode::from_u16(answer.status).unwrap())
        .header("content-type", "application/jwk-set+json");
    if let Some(value) = &answer.cache_control {
        response = response.header("cache-control", value);
    }
    if let Some(value) = &answer.location {
        response = response.header("location", value);
    }
    response.body(Body::from(answer.body)).unwrap()
}

/// A fresh EC P-256 key with `kid`: the private key and its public JWK.
pub(crate) fn key(kid: &str) -> (PrivateKey, Jwk) {
    let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), jose::default_provider())
        .unwrap()
        .with_kid(kid);
    let jwk = key.public_key().to_jwk().unwrap();
    (key, jwk)
}

/// A set of fresh public keys with these kids.
pub(crate) fn set_of(kids: &[&str]) -> Jwks {
    Jwks::new(kids.iter().map(|kid| key(kid).1).collect())
}

/// A loopback port nothing listens on (bound, then released).
pub(crate) fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
