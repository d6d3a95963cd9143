//! The demo's Request4R section, run from [`super::SECTIONS`].

use super::Demo;
use crate::error::{CliError, Result};
use crate::request4r::cli_error;
use jose::{CryptoProvider, KeyMeta, PrivateKey, PublicKey};
use jose_request4r::http::{Method, Request, Response, StatusCode};
use jose_request4r::{Error, Gateway, OpeningKey, Partner, SealingKey};

/// The demo's Request4R section: for each pair of providers, a partner on one and the gateway on
/// the other, with the RSA keys of the key generation section (RaaS key on the gateway's provider,
/// partner key on the partner's).
pub(crate) fn demo(demo: &mut Demo) -> Result<()> {
    const BODY: &str = r#"{"email":"ada@example.com","country":"DE","reference_id":"demo-1"}"#;
    const ANSWER: &str = r#"{"user_id":"u-1","status":"registered"}"#;
    let fail = |what: String| CliError::rejected(format!("demo: {what}"));
    for (gw, pt) in demo.pairs()? {
        let label = format!("{} -> {} -> {}", pt.name(), gw.name(), pt.name());
        // Keys without kid: the headers are exactly {"alg":"RSA-OAEP-256","enc":"A256GCM"}.
        let raas_private = OpeningKey::new(without_kid(&gw.rsa)).map_err(cli_error)?;
        let partner_private = OpeningKey::new(without_kid(&pt.rsa)).map_err(cli_error)?;
        let raas_public_on_partner =
            SealingKey::new(public_on(&gw.rsa, pt.provider)?).map_err(cli_error)?;
        let partner_public_on_gateway =
            SealingKey::new(public_on(&pt.rsa, gw.provider)?).map_err(cli_error)?;
        let partner = Partner::new(raas_public_on_partner, partner_private);
        let gateway = Gateway::new(raas_private, partner_public_on_gateway);

        let request = Request::builder()
            .method(Method::POST)
            .uri("https://api.leap.example/v1/auth/register-user-v2?lang=en")
            .header("api_key", "demo-tenant-key")
            .header("content-type", "application/json")
            .body(BODY)
            .map_err(|e| fail(format!("cannot build the request: {e}")))?;
        let sent = partner
            .encrypt_request(request, pt.provider)
            .map_err(cli_error)?;
        let header = jose::b64::decode(
            "JWE header",
            sent.body().split('.').next().unwrap_or_default(),
        )?;
        demo.step(
            &label,
            format_args!(
                "partner on {}: POST {} with a {}-byte JWE body, header {}, Content-Type {:?}, api_key kept",
                pt.name(),
                sent.uri(),
                sent.body().len(),
                String::from_utf8_lossy(&header),
                sent.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default(),
            ),
        );

        let received = gateway
            .decrypt_request(sent.clone(), gw.provider)
            .map_err(cli_error)?;
        if received.body() != BODY {
            return Err(fail(
                "expected the gateway to recover the partner's JSON".into(),
            ));
        }
        demo.step(
            &label,
            format_args!(
                "gateway on {}: decrypted to {} {} ({} bytes of JSON, X-Reference-ID {:?})",
                gw.name(),
                received.method(),
                received.uri().path(),
                received.body().len(),
                received
                    .headers()
                    .get(&jose_request4r::X_REFERENCE_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default(),
            ),
        );

        let answer = Response::builder()
            .status(StatusCode::CREATED)
            .body(ANSWER)
            .map_err(|e| fail(format!("cannot build the response: {e}")))?;
        let encrypted = gateway
            .respond(&received, answer, gw.provider)
            .map_err(cli_error)?;
        demo.step(
            &label,
            format_args!(
                "gateway on {}: answered {} with Content-Type application/jose, a {}-byte JWE to the partner key",
                gw.name(),
                encrypted.status(),
                encrypted.body().len()
            ),
        );
        let response = partner
            .decrypt_response(encrypted, pt.provider)
            .map_err(cli_error)?;
        if response.body()["user_id"] != "u-1" {
            return Err(fail("expected the partner to read user_id u-1".into()));
        }
        demo.step(
            &label,
            format_args!(
                "partner on {}: decrypted the {} response: {}",
                pt.name(),
                response.status(),
                response.body()
            ),
        );

        // A tampered body: the gateway answers 400 ERROR_INVALID_JWE_PAYLOAD, the partner gets a
        // typed API error.
        let mut tampered = sent;
        let flipped = flip_last_segment(tampered.body());
        *tampered.body_mut() = flipped;
        let refusal = match gateway.decrypt_request(tampered, gw.provider) {
            Ok(_) => return Err(fail("expected the gateway to refuse a tampered JWE".into())),
            Err(e) => e.to_gateway_response(),
        };
        let refusal_body = refusal.body().clone();
        match partner.decrypt_response(refusal, pt.provider) {
            Err(Error::Api(api)) if api.is_invalid_jwe_payload() => demo.step(
                &label,
                format_args!(
                    "tampered JWE: gateway answered {} {refusal_body}; partner got a typed API error",
                    api.status
                ),
            ),
            other => {
                return Err(fail(format!(
                    "expected an ERROR_INVALID_JWE_PAYLOAD API error, found {other:?}"
                )));
            }
        }

        // Plain JSON on a success status is refused in encrypted mode; sandbox mode accepts it.
        let plain = || {
            Response::builder()
                .header("content-type", "application/json")
                .body(ANSWER)
                .map_err(|e| fail(format!("cannot build the response: {e}")))
        };
        let refused = matches!(
            partner.decrypt_response(plain()?, pt.provider),
            Err(Error::PlainResponseRefused { .. })
        );
        let sandbox = partner.clone().sandbox(true);
        let sandbox_request = sandbox
            .encrypt_request(
                Request::put("/v1/users/u-1")
                    .body(BODY)
                    .map_err(|e| fail(e.to_string()))?,
                pt.provider,
            )
            .map_err(cli_error)?;
        let sandbox_ok = sandbox_request.body() == BODY
            && jose_request4r::skips_encryption(&sandbox_request)
            && sandbox.decrypt_response(plain()?, pt.provider).is_ok();
        if !refused || !sandbox_ok {
            return Err(fail(
                "expected plain JSON refused in encrypted mode and accepted in sandbox mode".into(),
            ));
        }
        demo.step(
            &label,
            "plain JSON 200 refused in encrypted mode; sandbox mode (X-Skip-Encryption) sends and accepts plain JSON",
        );
    }
    Ok(())
}

fn without_kid(key: &PrivateKey) -> PrivateKey {
    key.clone().with_meta(KeyMeta::default())
}

/// A key's public half imported on `provider` through SPKI DER (no kid).
fn public_on(key: &PrivateKey, provider: &'static dyn CryptoProvider) -> Result<PublicKey> {
    Ok(PublicKey::from_der(
        &key.public_key().to_spki_der()?,
        provider,
    )?)
}

/// The token with the first character of its last segment (the tag) replaced.
fn flip_last_segment(token: &str) -> String {
    match token.rsplit_once('.') {
        Some((head, tag)) => {
            let mut chars = tag.chars();
            let first = if chars.next() == Some('A') { 'B' } else { 'A' };
            format!("{head}.{first}{}", chars.as_str())
        }
        None => format!("{token}x"),
    }
}
