//! A TrueLayer webhook receiver on axum, on loopback, with its counterparts: a local JWKS server
//! (TrueLayer's `jku`, plain http allowed for loopback only) and a local signer that sends one
//! signed webhook, which the receiver accepts, and a tampered copy, which it refuses with 401.
//!
//! `cargo run -p jose-truelayer-signing --example webhook_receiver` (keys: the crate's test-only
//! fixtures; no network).

use axum::Router;
use axum::routing::{get, post};
use jose_truelayer_signing::axum::{VerifiedWebhook, WebhookVerifier, jwks_builder};
use jose_truelayer_signing::{Es512SigningKey, Signer};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;

const KID: &str = "45fc75cf-5649-4134-84b3-192c2c78e990";
const PRIVATE_PEM: &str = include_str!("../tests/vectors/test-only-ec512-private.pem");

#[tokio::main]
async fn main() -> ExitCode {
    match tokio::time::timeout(Duration::from_secs(10), run()).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("webhook_receiver failed: {e}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("webhook_receiver failed: took more than 10 s");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let key = Es512SigningKey::from_pem(PRIVATE_PEM, jose::default_provider())?;

    // TrueLayer's side: the JWKS with the public key.
    let mut jwk = key.public_key().to_jwk()?;
    jwk.kid = Some(KID.to_owned());
    let jwks_json = jose::Jwks::new(vec![jwk]).to_json();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let jku = format!("http://{}/.well-known/jwks", listener.local_addr()?);
    let jwks_app = Router::new().route(
        "/.well-known/jwks",
        get(move || {
            let json = jwks_json.clone();
            async move { ([("content-type", "application/json")], json) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, jwks_app).await });

    // Our side: the receiver, allowing exactly that jku.
    let verifier = WebhookVerifier::new(
        jwks_builder()
            .allow_http_loopback(true)
            .build_set([jku.as_str()])?,
    );
    let app = Router::new()
        .route(
            "/hooks/truelayer",
            post(|webhook: VerifiedWebhook| async move {
                format!(
                    "verified: key {}, signed headers {}, {} bytes",
                    webhook.kid,
                    webhook.signed_headers.join(","),
                    webhook.body.len()
                )
            }),
        )
        .layer(verifier.layer());
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let hook = format!("http://{}/hooks/truelayer", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    // TrueLayer's side again: sign and send a webhook, then a tampered copy.
    let body = r#"{"type":"payout_executed","event_id":"18b2842b-a57b-4887-a0a6-d3c7c36f1020"}"#;
    let timestamp = rfc3339(SystemTime::now());
    let signature = Signer::webhook(KID)
        .method("POST")
        .path("/hooks/truelayer")
        .header("X-Tl-Webhook-Timestamp", &timestamp)
        .header("Content-Type", "application/json")
        .body(body.as_bytes())
        .jku(&jku)
        .sign(&key)?;
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for (what, body) in [
        ("signed webhook", body.to_owned()),
        (
            "tampered webhook",
            body.replace("payout_executed", "payout_failed"),
        ),
    ] {
        let response = client
            .post(&hook)
            .header("Tl-Signature", &signature)
            .header("X-Tl-Webhook-Timestamp", &timestamp)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        println!("{what}: {status} {}", response.text().await?);
        statuses.push(status);
    }
    if statuses != [200, 401] {
        return Err(format!("expected 200 then 401, got {statuses:?}").into());
    }
    Ok(())
}

/// `time` as an RFC 3339 UTC date-time, whole seconds (`2026-01-01T00:00:00Z`).
fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let (era, doe) = (z / 146_097, z % 146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}
