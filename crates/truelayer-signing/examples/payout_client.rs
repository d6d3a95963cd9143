//! A payout client that signs its requests through the reqwest middleware, against a local axum
//! server (TrueLayer's role) that verifies each `Tl-Signature` with the crate's `Verifier`. It
//! sends one signed payout (accepted) and one without an `Idempotency-Key`, which the middleware
//! refuses to sign and never sends.
//!
//! `cargo run -p jose-truelayer-signing --example payout_client` (keys: the crate's test-only
//! fixtures; no network).

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::routing::post;
use jose_truelayer_signing::reqwest::SigningMiddleware;
use jose_truelayer_signing::{Error, Es512SigningKey, Verifier};
use std::process::ExitCode;
use std::time::Duration;
use tokio::net::TcpListener;

const KID: &str = "45fc75cf-5649-4134-84b3-192c2c78e990";
const PRIVATE_PEM: &str = include_str!("../tests/vectors/test-only-ec512-private.pem");
const PUBLIC_PEM: &str = include_str!("../tests/vectors/test-only-ec512-public.pem");

#[tokio::main]
async fn main() -> ExitCode {
    match tokio::time::timeout(Duration::from_secs(10), run()).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("payout_client failed: {e}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("payout_client failed: took more than 10 s");
            ExitCode::FAILURE
        }
    }
}

/// TrueLayer's side: verify the request's own Tl-Signature with the uploaded public key.
async fn payouts(request: Request) -> (StatusCode, String) {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body too large".to_owned());
    };
    let request = axum::http::Request::from_parts(parts, body);
    let verdict = Verifier::from_pem(PUBLIC_PEM, jose::default_provider())
        .and_then(|v| v.require_header("Idempotency-Key").verify_request(&request));
    match verdict {
        Ok(verified) => (
            StatusCode::ACCEPTED,
            format!(
                "signature verified (signed headers: {})",
                verified.signed_headers.join(",")
            ),
        ),
        Err(e) => (StatusCode::UNAUTHORIZED, e.to_string()),
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/v3/payouts", listener.local_addr()?);
    let app = Router::new().route("/v3/payouts", post(payouts));
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Our side: a client that signs every request.
    let key = Es512SigningKey::from_pem(PRIVATE_PEM, jose::default_provider())?;
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(SigningMiddleware::new(KID, key))
        .build();
    let body = r#"{"merchant_account_id":"a61acaef","amount_in_minor":100,"currency":"GBP"}"#;
    let response = client
        .post(&url)
        .header("Idempotency-Key", "619410b3-b00c-406e-bb1b-2982f97edb8b")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    println!("signed payout: {status} {}", response.text().await?);
    if status != 202 {
        return Err(format!("expected 202, got {status}").into());
    }

    // Without an Idempotency-Key, the middleware refuses to sign: nothing is sent.
    match client.post(&url).body(body).send().await {
        Err(reqwest_middleware::Error::Middleware(e)) => match e.downcast_ref::<Error>() {
            Some(refusal @ Error::MissingIdempotencyKey { .. }) => {
                println!("unsigned payout: refused before sending ({refusal})");
            }
            _ => return Err(format!("expected MissingIdempotencyKey, got {e}").into()),
        },
        other => return Err(format!("expected a refusal, got {other:?}").into()),
    }
    Ok(())
}
