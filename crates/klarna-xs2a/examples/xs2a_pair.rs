//! A Klarna XS2A client and server on loopback: the server (axum behind `Xs2aLayer`) opens
//! sealed requests and seals its answers; the client (reqwest with `Xs2aMiddleware`) sends plain
//! JSON and reads plain JSON. Then a captured request is sent twice and the replay is refused.
//!
//! Run with `cargo run -p jose-klarna-xs2a --example xs2a_pair`. Keys are generated at start.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use jose::{KeySpec, PrivateKey};
use jose_klarna_xs2a::axum::Xs2aLayer;
use jose_klarna_xs2a::reqwest::{ResponseSeal, Xs2aMiddleware};
use jose_klarna_xs2a::{
    Client, KeyRing, OpenedRequest, Opener, RequestStamp, Sealer, Server, VerifierSet,
};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::Duration;

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// PUT /xs2a/v1/sessions: the verified body in, a session out.
async fn create_session(request: OpenedRequest) -> (StatusCode, Json<Value>) {
    let ip = request
        .body
        .get("psu")
        .and_then(|psu| psu.get("ip_address"))
        .cloned();
    let answer =
        json!({"data": {"session_id": "s-1", "psu_ip": ip, "self": "/xs2a/v1/sessions/s-1"}});
    (StatusCode::CREATED, Json(answer))
}

/// GET /xs2a/v1/sessions/{id} (it arrives as POST /xs2a/v1/sessions/{id}/get).
async fn read_session(Path(id): Path<String>, request: OpenedRequest) -> Json<Value> {
    Json(json!({"data": {"session_id": id, "read_for": request.signing_kid}}))
}

/// The value at a JSON pointer (`null` if there is none).
fn field<'a>(value: &'a Value, pointer: &str) -> &'a Value {
    value.pointer(pointer).unwrap_or(&Value::Null)
}

fn check(what: &str, ok: bool) -> Result<(), Failure> {
    if ok {
        Ok(())
    } else {
        Err(format!("unexpected outcome: {what}").into())
    }
}

async fn run() -> Result<(), Failure> {
    let provider = jose::default_provider();
    let rsa = || PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider);
    // The TPP (client) and Klarna (server): each a signing and a decryption key.
    let (tpp_sig, tpp_enc) = (rsa()?.with_kid("tpp-sig-1"), rsa()?.with_kid("tpp-enc-1"));
    let (xs2a_sig, xs2a_enc) = (rsa()?.with_kid("5F0C9D37"), rsa()?.with_kid("2AF92B1D"));
    let client = Client::new(
        Sealer::new(tpp_sig.clone(), xs2a_enc.public_key())?,
        Opener::new(
            KeyRing::new().with(tpp_enc.clone())?,
            VerifierSet::new().with(xs2a_sig.public_key())?,
        ),
    );
    let server = Server::new(
        Sealer::new(xs2a_sig, tpp_enc.public_key())?,
        Opener::new(
            KeyRing::new().with(xs2a_enc)?,
            VerifierSet::new().with(tpp_sig.public_key())?,
        ),
    );

    // The server: the layer wraps the whole router, so GET and DELETE are routed as such.
    let router = Router::new()
        .route("/xs2a/v1/sessions", put(create_session))
        .route("/xs2a/v1/sessions/{id}", get(read_session));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = Xs2aLayer::new(server, provider)
        .wrap(router)
        .into_make_service();
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("server: listening on {addr}, opening requests and sealing answers");

    // The client: plain JSON in, plain JSON out; the middleware seals and opens.
    let plain = reqwest::Client::builder().no_proxy().build()?;
    let http = reqwest_middleware::ClientBuilder::new(plain.clone())
        .with(Xs2aMiddleware::new(client.clone(), provider))
        .build();
    let body = json!({"psu": {"ip_address": "136.71.143.70", "user_agent": "Mozilla/5.0"}});
    let response = http
        .put(format!("http://{addr}/xs2a/v1/sessions"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await?;
    let status = response.status();
    let stamp = response.extensions().get::<RequestStamp>().cloned();
    let seal = response.extensions().get::<ResponseSeal>().cloned();
    let answer: Value = serde_json::from_slice(&response.bytes().await?)?;
    println!(
        "client: PUT /xs2a/v1/sessions -> {status}, session {}, request_id {}, answer signed by {}",
        field(&answer, "/data/session_id"),
        stamp.as_ref().map_or("?", |s| s.request_id.as_str()),
        seal.as_ref().map_or("nobody", |s| s.signing_kid.as_str()),
    );
    check(
        "sealed PUT",
        status == StatusCode::CREATED
            && seal.is_some()
            && field(&answer, "/data/psu_ip") == "136.71.143.70",
    )?;

    let response = http
        .get(format!("http://{addr}/xs2a/v1/sessions/s-1"))
        .send()
        .await?;
    let status = response.status();
    let answer: Value = serde_json::from_slice(&response.bytes().await?)?;
    println!(
        "client: GET /xs2a/v1/sessions/s-1 (sent as POST .../get) -> {status}, {}",
        field(&answer, "/data")
    );
    check(
        "sealed GET",
        status == StatusCode::OK && field(&answer, "/data/read_for") == "tpp-sig-1",
    )?;

    // A captured request sent twice: the second is a replay.
    let request = http::Request::put("/xs2a/v1/sessions").body(body.to_string().into_bytes())?;
    let captured = client.encrypt_request(request, provider)?;
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let response = plain
            .put(format!("http://{addr}/xs2a/v1/sessions"))
            .header("content-type", "application/jose")
            .body(captured.body().clone())
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        statuses.push(status);
        if status.is_success() {
            println!(
                "attacker: captured request sent -> {status} (sealed answer, unreadable to them)"
            );
        } else {
            println!("attacker: same request again -> {status} {text}");
        }
    }
    check(
        "replay refused",
        statuses == [StatusCode::CREATED, StatusCode::CONFLICT],
    )?;
    println!("all outcomes as expected");
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match tokio::time::timeout(Duration::from_secs(10), run()).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("error: the exchange did not finish within 10 s");
            ExitCode::FAILURE
        }
    }
}
