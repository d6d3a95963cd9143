//! A 4Quays round trip on loopback: the service (feature `server`) with one destination key, and
//! the async client (feature `client`) protecting a payment instruction and unprotecting the
//! envelope it got back; then a request with a wrong API key, refused.
//!
//! ```text
//! cargo run -p jose-4quays --example protect_unprotect
//! ```
//!
//! The key is generated at start (a throwaway, never written anywhere); nothing leaves
//! 127.0.0.1. Exits 0 when every step did what it should, 1 otherwise.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use jose::{KeySpec, PrivateKey};
use jose_4quays::engine::{ApiKey, DestinationKey, DestinationService, Engine, Policy};
use jose_4quays::server::{Service, Settings};
use jose_4quays::{AsyncClient, ProtectRequest, ProtectResponse, UnprotectRequest};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The example's API key (a throwaway: the engine knows only its SHA-256).
const API_KEY: &str = "sk_example_partner_0123456789";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("protect_unprotect: FAILED: {why}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let provider = jose::default_provider();
    // The destination's key pair, managed by 4Quays (it can both encrypt and decrypt).
    let key = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?;
    let engine = Engine::builder(provider)
        .service(
            DestinationService::new("bank").active_key(DestinationKey::managed("bank-1", key)?),
        )
        .policy(Policy::new("BANK-TRANSFER-001", "bank"))
        .api_key(ApiKey::from_secret(
            "partner",
            API_KEY,
            "BANK-TRANSFER-001",
            provider,
        ))
        .build()?;

    // The service on 127.0.0.1, port chosen by the OS, stopped at the end.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let service = Arc::new(Service::new(Arc::new(engine), Settings::default())?);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(service.serve(listener, async move {
        let _ = stopped.await;
    }));
    println!("4Quays service on {base}");

    let client = AsyncClient::new(&base, API_KEY)?;
    let payment = json!({"amount": "125.00", "currency": "GBP", "iban": "GB33BUKB20201555555555"});
    let envelope = match client
        .protect(&ProtectRequest::new(payment.clone()), Some("req_example_1"))
        .await?
    {
        ProtectResponse::Protected(protected) => protected.jwe,
        other => return Err(format!("expected an envelope, got {other:?}").into()),
    };
    println!(
        "protect: a JWE envelope ({} characters of ciphertext)",
        envelope.ciphertext.len()
    );

    let opened = client
        .unprotect(&UnprotectRequest::jwe(envelope), Some("req_example_2"))
        .await?;
    if opened.payload != payment {
        return Err("unprotect gave back something other than the payment".into());
    }
    println!("unprotect: the payment instruction came back unchanged");

    let stranger = AsyncClient::new(&base, "sk_example_stranger_0123456789")?;
    match stranger.protect(&ProtectRequest::new(payment), None).await {
        Err(error) if error.is_rejection() => println!("wrong API key: refused ({error})"),
        Err(error) => return Err(format!("wrong API key: unexpected error {error}").into()),
        Ok(answer) => return Err(format!("wrong API key: accepted ({answer:?})").into()),
    }

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), server).await???;
    println!("service stopped");
    Ok(())
}
