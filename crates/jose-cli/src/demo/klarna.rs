//! The demo's Klarna section, run from [`super::SECTIONS`].

use super::Demo;
use crate::error::{CliError, Result};
use crate::klarna::cli_error;
use jose::{CryptoProvider, PrivateKey, PublicKey};
use jose_klarna_xs2a::http::{Method, Request, Response, StatusCode};
use jose_klarna_xs2a::{
    Clock, Error, KeyRing, ManualClock, Opener, Sealer, Server, VerifierSet, route,
};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// The demo's Klarna section: for each pair of providers, a client (TPP) on one and a server
/// (Klarna, or a mock of it) on the other, each with the RSA key of the key generation section as
/// its one key pair (the spec has each side make one `openssl genrsa` pair).
pub(crate) fn demo(demo: &mut Demo) -> Result<()> {
    let fail = |what: String| CliError::rejected(format!("demo: {what}"));
    for (index, (cl, sv)) in demo.pairs()?.into_iter().enumerate() {
        let label = format!("{} -> {} -> {}", cl.name(), sv.name(), cl.name());
        let client_kid = format!("tpp-{}", cl.name());
        let server_kid = format!("xs2a-{}", sv.name());
        let client_key = cl.rsa.clone().with_kid(client_kid.as_str());
        let server_key = sv.rsa.clone().with_kid(server_kid.as_str());
        let clock = Arc::new(ManualClock::starting_now());
        let client = jose_klarna_xs2a::Client::new(
            Sealer::new(
                client_key.clone(),
                public_on(&server_key, cl.provider)?.with_kid(server_kid.as_str()),
            )
            .map_err(cli_error)?,
            Opener::new(
                KeyRing::new().with(client_key.clone()).map_err(cli_error)?,
                VerifierSet::new()
                    .with(public_on(&server_key, cl.provider)?.with_kid(server_kid.as_str()))
                    .map_err(cli_error)?,
            ),
        )
        .with_clock(clock.clone());
        let server = Server::new(
            Sealer::new(
                server_key.clone(),
                public_on(&client_key, sv.provider)?.with_kid(client_kid.as_str()),
            )
            .map_err(cli_error)?,
            Opener::new(
                KeyRing::new().with(server_key).map_err(cli_error)?,
                VerifierSet::new()
                    .with(public_on(&client_key, sv.provider)?.with_kid(client_kid.as_str()))
                    .map_err(cli_error)?,
            ),
        )
        .with_clock(clock.clone());

        // Client: GET /sessions/{id} becomes an encrypted POST .../get.
        let request = Request::get("https://api.klarna.example/xs2a/v1/sessions/s-42")
            .header("Authorization", "Token demo")
            .body(Vec::new())
            .map_err(|e| fail(format!("cannot build the request: {e}")))?;
        let sent = client
            .encrypt_request(request, cl.provider)
            .map_err(cli_error)?;
        let token = String::from_utf8_lossy(sent.body()).into_owned();
        let header = jose::b64::decode("JWE header", token.split('.').next().unwrap_or_default())?;
        demo.step(
            &label,
            format_args!(
                "client on {}: GET /xs2a/v1/sessions/s-42 sent as {} {} ({} bytes, Content-Type application/jose), JWE header {}",
                cl.name(),
                sent.method(),
                sent.uri().path(),
                sent.body().len(),
                String::from_utf8_lossy(&header)
            ),
        );

        // Server: back to GET, body decrypted, verified, fresh, not seen before.
        clock.advance(Duration::from_millis(180));
        let received = server
            .decrypt_request(sent.clone(), sv.provider)
            .map_err(cli_error)?;
        if received.method() != Method::GET || received.uri().path() != "/xs2a/v1/sessions/s-42" {
            return Err(fail(format!(
                "expected GET /xs2a/v1/sessions/s-42 at the server, found {} {}",
                received.method(),
                received.uri().path()
            )));
        }
        demo.step(
            &label,
            format_args!(
                "server on {}: {} {} from JWS kid {:?}, request_id {}, request_timestamp {} ({} ms old)",
                sv.name(),
                received.method(),
                received.uri().path(),
                received.body().signing_kid,
                received.body().request_id,
                received.body().request_timestamp,
                clock.now_millis().saturating_sub(received.body().request_timestamp)
            ),
        );

        // Server answers; client opens and checks response_timestamp.
        let mut data = Map::new();
        data.insert(
            "data".into(),
            serde_json::json!({"session_id": "s-42", "state": "WAITING_FOR_USER"}),
        );
        let answer = Response::builder()
            .status(StatusCode::OK)
            .body(data)
            .map_err(|e| fail(format!("cannot build the response: {e}")))?;
        let encrypted = server
            .encrypt_response(answer, sv.provider)
            .map_err(cli_error)?;
        clock.advance(Duration::from_millis(120));
        let response = client
            .decrypt_response(encrypted, cl.provider)
            .map_err(cli_error)?;
        let Some(opened) = response.body().secure() else {
            return Err(fail(
                "expected a sealed answer, found another outcome".into(),
            ));
        };
        let body = &opened.body;
        if body.get("data").and_then(|d| d.get("session_id")) != Some(&Value::from("s-42")) {
            return Err(fail("expected the client to read session_id s-42".into()));
        }
        demo.step(
            &label,
            format_args!(
                "client on {}: {} response verified (JWS kid {:?}), response_timestamp {}, data {}",
                cl.name(),
                response.status(),
                opened.signing_kid,
                opened.response_timestamp,
                body.get("data").cloned().unwrap_or_default()
            ),
        );

        // The same request again: a replay.
        match server.decrypt_request(sent.clone(), sv.provider) {
            Err(e @ Error::Replayed { .. }) => {
                demo.step(&label, format_args!("the same request again: {e}"))
            }
            other => {
                return Err(fail(format!("expected a replay, found {other:?}")));
            }
        }
        if index == 0 {
            // A request three minutes old; the route mapping.
            let old = client
                .seal_request(Map::new(), cl.provider)
                .map_err(cli_error)?;
            clock.advance(Duration::from_secs(180));
            match server.open_request(&old.token, sv.provider) {
                Err(e @ Error::Stale { .. }) => {
                    demo.step(&label, format_args!("a request sealed 3 minutes ago: {e}"))
                }
                other => return Err(fail(format!("expected a stale request, found {other:?}"))),
            }
            let routes = [
                (Method::GET, "/xs2a/v1/sessions/s-42"),
                (Method::DELETE, "/xs2a/v1/sessions/s-42/flows/f-1"),
                (Method::PUT, "/xs2a/v1/sessions"),
            ];
            let mut mapped = Vec::new();
            for (method, path) in routes {
                let (m, p) = route::to_encrypted(&method, path).map_err(cli_error)?;
                mapped.push(format!("{method} {path} -> {m} {p}"));
            }
            demo.step(&label, format_args!("routes: {}", mapped.join("; ")));

            // Answers that are not sealed: an error status keeps its status and body; a plain
            // JSON 200 is refused unless the client accepts plain answers.
            let refusal = Response::builder()
                .status(StatusCode::BAD_REQUEST)
                .header("Content-Type", "application/json")
                .body(br#"{"error":{"code":"BAD_REQUEST","message":"missing psu"}}"#.to_vec())
                .map_err(|e| fail(format!("cannot build the response: {e}")))?;
            match client.decrypt_response(refusal, cl.provider) {
                Err(e @ Error::Api(_)) => demo.step(&label, format_args!("a 400 answer: {e}")),
                other => return Err(fail(format!("expected an API error, found {other:?}"))),
            }
            let plain = Response::builder()
                .header("Content-Type", "application/json")
                .body(br#"{"data":{}}"#.to_vec())
                .map_err(|e| fail(format!("cannot build the response: {e}")))?;
            match client.decrypt_response(plain, cl.provider) {
                Err(e @ Error::PlainResponseRefused { .. }) => {
                    demo.step(&label, format_args!("a plain JSON 200: {e}"))
                }
                other => return Err(fail(format!("expected a refusal, found {other:?}"))),
            }
        }
    }
    Ok(())
}

/// A key's public half imported on `provider` through SPKI DER (no kid).
fn public_on(key: &PrivateKey, provider: &'static dyn CryptoProvider) -> Result<PublicKey> {
    Ok(PublicKey::from_der(
        &key.public_key().to_spki_der()?,
        provider,
    )?)
}
