//! A Request4R partner and gateway on loopback: the gateway (axum behind `GatewayLayer`) serves
//! the standard route `/v1/auth/register-user-v2`; the partner (reqwest with `PartnerMiddleware`)
//! calls it, encrypted both ways, then sends a tampered body, which the gateway refuses with
//! `ERROR_INVALID_JWE_PAYLOAD` before its handler runs.
//!
//! Run with `cargo run -p jose-request4r --example partner_gateway`. Keys are generated at start;
//! nothing leaves 127.0.0.1. Exits non-zero if anything did not happen as described.

use axum::extract::Request;
use axum::routing::post;
use axum::{Router, ServiceExt};
use jose::{KeySpec, PrivateKey};
use jose_request4r::axum::{Decrypted, GatewayLayer};
use jose_request4r::reqwest::{PartnerMiddleware, request4r_error};
use jose_request4r::{Gateway, OpeningKey, Partner};
use reqwest_middleware::{ClientBuilder, Middleware, Next};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tower::Layer;

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    tokio::time::timeout(Duration::from_secs(20), run())
        .await
        .map_err(|_| "the example took more than 20 s")?
}

async fn run() -> Result<(), Failure> {
    let provider = jose::default_provider();
    // Two key pairs: the RaaS's and the partner's. Each side holds its own private key and the
    // other side's public key.
    let raas = OpeningKey::new(PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?)?;
    let partner_key =
        OpeningKey::new(PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?)?;
    let partner = Partner::new(raas.sealing_key(), partner_key.clone());
    let gateway = Gateway::new(raas, partner_key.sealing_key());

    // The gateway: the application declares its standard routes; the layer wraps the router.
    let handled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&handled);
    let router = Router::new().route(
        "/v1/auth/register-user-v2",
        post(move |decrypted: Decrypted, body: String| {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                println!(
                    "gateway: handler got {} bytes of JSON (reference_id {:?})",
                    body.len(),
                    decrypted.reference_id
                );
                r#"{"user_id":"u-1","status":"registered"}"#
            }
        }),
    );
    let app = GatewayLayer::new(gateway, provider).layer(router);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        axum::serve(listener, ServiceExt::<Request>::into_make_service(app)).await
    });
    println!("gateway: listening on http://{addr}/v1/partners/request4r/...");

    // The partner: a reqwest client with the middleware, calling the standard path.
    let url = format!("http://{addr}/v1/auth/register-user-v2");
    let body = r#"{"email":"ada@example.com","reference_id":"ref-7"}"#;
    let client = ClientBuilder::new(reqwest::Client::new())
        .with(PartnerMiddleware::new(partner.clone(), provider))
        .build();
    let response = client
        .post(&url)
        .header("api_key", "tenant-key")
        .body(body)
        .send()
        .await?;
    let (status, sent_to) = (response.status(), response.url().path().to_owned());
    let answer = response.text().await?;
    println!("partner: {status} from {sent_to}, decrypted answer {answer}");
    if status != 200 || !answer.contains(r#""user_id":"u-1""#) {
        return Err("the encrypted exchange did not succeed".into());
    }

    // A body altered on the way: the gateway answers ERROR_INVALID_JWE_PAYLOAD.
    let tampering = ClientBuilder::new(reqwest::Client::new())
        .with(PartnerMiddleware::new(partner, provider))
        .with(Tamper)
        .build();
    let refused = match tampering.post(&url).body(body).send().await {
        Ok(response) => return Err(format!("tampered body accepted: {}", response.status()).into()),
        Err(e) => e,
    };
    let api = request4r_error(&refused)
        .and_then(|e| e.api())
        .ok_or_else(|| format!("expected an API error, found {refused}"))?;
    println!(
        "partner: tampered body refused: {} {} ({})",
        api.status,
        api.code.as_deref().unwrap_or("no code"),
        api.reason.as_deref().unwrap_or("no reason")
    );
    if !api.is_invalid_jwe_payload() {
        return Err("expected ERROR_INVALID_JWE_PAYLOAD".into());
    }
    let runs = handled.load(Ordering::SeqCst);
    println!("gateway: handler ran {runs} time(s)");
    if runs != 1 {
        return Err("the handler ran on the tampered body".into());
    }
    Ok(())
}

/// Runs after `PartnerMiddleware`: changes one character of the JWE's ciphertext.
struct Tamper;

#[async_trait::async_trait]
impl Middleware for Tamper {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let jwe = request
            .body()
            .and_then(|b| b.as_bytes())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default();
        let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
        if let Some(ciphertext) = parts.get_mut(3).filter(|c| !c.is_empty()) {
            let flipped = if ciphertext.starts_with('A') {
                "B"
            } else {
                "A"
            };
            ciphertext.replace_range(..1, flipped);
        }
        *request.body_mut() = Some(parts.join(".").into());
        next.run(request, extensions).await
    }
}
