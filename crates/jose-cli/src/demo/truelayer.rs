//! The demo's TrueLayer section, run from [`super::SECTIONS`].

use super::Demo;
use crate::error::{CliError, Result};
use crate::truelayer::{cli_error, describe};
use jose::{CryptoProvider, EcCurve, Jwks, Limits, PublicKey};
use jose_truelayer_signing::{
    Error, Es512SigningKey, ExternalSigner, JkuAllowList, Signer, TimestampProblem, Verifier,
    WebhookFreshness, extract_header, sign_request,
};
use std::time::{Duration, UNIX_EPOCH};

const KID: &str = "45fc75cf-5649-4134-84b3-192c2c78e990";
const FIXTURE_PUBLIC: &str =
    include_str!("../../../truelayer-signing/tests/vectors/test-only-ec512-public.pem");
const FIXTURE_JWKS: &str =
    include_str!("../../../truelayer-signing/tests/vectors/test-only-jwks.json");
const FIXTURE_API: &str = include_str!("../../../truelayer-signing/tests/vectors/tl-signature.txt");
const FIXTURE_WEBHOOK: &str =
    include_str!("../../../truelayer-signing/tests/vectors/webhook-signature.txt");

/// Fails the demo unless `result` is the expected rejection.
fn expect_rejection<T>(
    result: std::result::Result<T, Error>,
    expected: fn(&Error) -> bool,
    what: &str,
) -> Result<String> {
    match result {
        Err(e) if expected(&e) => Ok(e.to_string()),
        Err(e) => Err(CliError::rejected(format!(
            "demo: expected {what} to be rejected differently, found: {e}"
        ))),
        Ok(_) => Err(CliError::rejected(format!(
            "demo: expected {what} to be rejected, found it accepted"
        ))),
    }
}

/// A public key moved to another provider through SPKI DER.
fn public_on(key: &jose::PrivateKey, provider: &'static dyn CryptoProvider) -> Result<PublicKey> {
    Ok(PublicKey::from_der(
        &key.public_key().to_spki_der()?,
        provider,
    )?)
}

/// The demo's TrueLayer section: a payout request signed on one provider and verified on the
/// other (with header case and order changed, then tampered), the signing rules (Idempotency-Key,
/// no trailing slash), an external signer, an `http::Request`, a webhook through a JWKS, the jku
/// allow-list and the freshness check, and TrueLayer's published signatures.
pub(crate) fn demo(demo: &mut Demo) -> Result<()> {
    const PATH: &str = "/v3/payouts";
    const IDEMP: &str = "619410b3-b00c-406e-bb1b-2982f97edb8b";
    const BODY: &[u8] =
        br#"{"merchant_account_id":"a61acaef","amount_in_minor":100,"currency":"GBP"}"#;
    for (a, b) in demo.pairs()? {
        let label = format!("{} -> {}", a.name(), b.name());
        let private = a.ec(EcCurve::P521)?.clone();
        let kid = private.kid().unwrap_or("demo").to_owned();
        let key = Es512SigningKey::from_private_key(private.clone()).map_err(cli_error)?;
        let signature = Signer::new(&kid)
            .method("post")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .header("X-Request-Id", "demo-1")
            .body(BODY)
            .sign(&key)
            .map_err(cli_error)?;
        let header = extract_header(&signature).map_err(cli_error)?;
        demo.step(
            &label,
            format_args!(
                "signed POST {PATH} on {}: header {}, {} bytes",
                a.name(),
                header.header.to_json(),
                signature.len()
            ),
        );
        let public = public_on(&private, b.provider)?;
        let verifier = Verifier::new(&public)
            .map_err(cli_error)?
            .method("POST")
            .path(PATH)
            .require_header("Idempotency-Key")
            .body(BODY);
        let verified = verifier
            .clone()
            .header("x-request-id", "demo-1")
            .header("IDEMPOTENCY-KEY", IDEMP)
            .header("Accept", "application/json")
            .verify(&signature)
            .map_err(cli_error)?;
        demo.step(
            &label,
            format_args!(
                "verified on {} with the headers in another order and case: {}",
                b.name(),
                describe(&verified)
            ),
        );
        let tampered = expect_rejection(
            verifier
                .clone()
                .header("Idempotency-Key", IDEMP)
                .header("X-Request-Id", "demo-1")
                .body(
                    br#"{"merchant_account_id":"a61acaef","amount_in_minor":999,"currency":"GBP"}"#,
                )
                .verify(&signature),
            |e| *e == Error::BadSignature,
            "a tampered body",
        )?;
        let missing = expect_rejection(
            verifier
                .clone()
                .header("Idempotency-Key", IDEMP)
                .verify(&signature),
            |e| matches!(e, Error::MissingHeader { .. }),
            "a request without a signed header",
        )?;
        demo.step(
            &label,
            format_args!("amount changed: {tampered}; X-Request-Id dropped: {missing}"),
        );
        // The document's rules, enforced when signing: Idempotency-Key signed, no trailing slash.
        let no_idempotency_key = expect_rejection(
            Signer::new(&kid)
                .method("POST")
                .path(PATH)
                .header("X-Request-Id", "demo-1")
                .body(BODY)
                .sign(&key),
            |e| matches!(e, Error::MissingIdempotencyKey { .. }),
            "signing without an Idempotency-Key",
        )?;
        let trailing_slash = expect_rejection(
            Signer::new(&kid)
                .method("POST")
                .path("/v3/payouts/")
                .header("Idempotency-Key", IDEMP)
                .body(BODY)
                .sign(&key),
            |e| matches!(e, Error::InvalidRequest { .. }),
            "signing a path with a trailing slash",
        )?;
        demo.step(
            &label,
            format_args!(
                "not signed: without Idempotency-Key ({no_idempotency_key}); to /v3/payouts/ ({trailing_slash})"
            ),
        );
        // An external signer (here a closure standing in for a KMS) gives the same header.
        let kms = |input: &[u8]| key.sign_es512(input);
        let by_kms = Signer::new(&kid)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .header("X-Request-Id", "demo-1")
            .body(BODY)
            .sign_with(&kms)
            .map_err(cli_error)?;
        verifier
            .clone()
            .header("Idempotency-Key", IDEMP)
            .header("X-Request-Id", "demo-1")
            .verify(&by_kms)
            .map_err(cli_error)?;
        // An http::Request, signed in place and verified by its own Tl-Signature header.
        let mut request = jose_truelayer_signing::http::Request::post(format!(
            "https://api.truelayer-sandbox.com{PATH}"
        ))
        .header("Idempotency-Key", IDEMP)
        .header("Content-Type", "application/json")
        .body(BODY.to_vec())
        .map_err(|e| CliError::usage(format!("demo: cannot build the request: {e}")))?;
        sign_request(
            &mut request,
            &kid,
            &key,
            &["Idempotency-Key", "Content-Type"],
        )
        .map_err(cli_error)?;
        let verified = Verifier::new(&public)
            .map_err(cli_error)?
            .verify_request(&request)
            .map_err(cli_error)?;
        demo.step(
            &label,
            format_args!(
                "external signer ({} bytes) and http::Request ({}) verified",
                by_kms.len(),
                describe(&verified)
            ),
        );
    }
    // Webhooks: a JWKS published at an allowed jku.
    for pk in demo.keys()? {
        let private = pk.ec(EcCurve::P521)?.clone();
        let kid = private.kid().unwrap_or("demo").to_owned();
        let key = Es512SigningKey::from_private_key(private.clone()).map_err(cli_error)?;
        let jku = jose_truelayer_signing::TRUELAYER_JKU_SANDBOX;
        let body = br#"{"type":"payout_executed","event_id":"e-1"}"#;
        let signature = Signer::webhook(&kid)
            .method("POST")
            .path("/hooks/truelayer")
            .header("X-Tl-Webhook-Timestamp", "2026-01-01T00:00:00Z")
            .body(body)
            .jku(jku)
            .sign(&key)
            .map_err(cli_error)?;
        let allowed = JkuAllowList::default();
        let url = allowed.webhook_jku(&signature).map_err(cli_error)?;
        let jwks = Jwks::new(vec![private.public_key().to_jwk()?]);
        // Fresh as of one minute after it was sent (2026-01-01T00:00:00Z is 1767225600 s after
        // the epoch), stale an hour later: the demo's clock is fixed.
        let as_of = |secs: u64| {
            WebhookFreshness::default()
                .as_of(UNIX_EPOCH + Duration::from_secs(1_767_225_600 + secs))
        };
        let hook_verifier = Verifier::from_jwks(&jwks, pk.provider)
            .method("POST")
            .path("/hooks/truelayer")
            .header("x-tl-webhook-timestamp", "2026-01-01T00:00:00Z")
            .body(body);
        let verified = hook_verifier
            .clone()
            .webhook_freshness(as_of(60))
            .verify(&signature)
            .map_err(cli_error)?;
        let stale = expect_rejection(
            hook_verifier
                .webhook_freshness(as_of(3600))
                .verify(&signature),
            |e| {
                matches!(
                    e,
                    Error::WebhookTimestamp {
                        problem: TimestampProblem::Stale,
                        ..
                    }
                )
            },
            "a webhook an hour old",
        )?;
        let rogue = Signer::webhook(&kid)
            .method("POST")
            .path("/hooks/truelayer")
            .jku("https://webhooks.truelayer.com.attacker.example/.well-known/jwks")
            .sign(&key)
            .map_err(cli_error)?;
        let refused = expect_rejection(
            allowed.webhook_jku(&rogue),
            |e| matches!(e, Error::JkuNotAllowed { .. }),
            "a lookalike jku",
        )?;
        demo.step(
            pk.name(),
            format_args!(
                "webhook: jku {url:?} allowed, JWKS key chosen by kid, {} a minute after it was sent; an hour after: {stale}; lookalike jku: {refused}",
                describe(&verified)
            ),
        );
    }
    // TrueLayer's published fixtures.
    let jwks = Jwks::from_json(FIXTURE_JWKS, &Limits::default())?;
    for pk in demo.keys()? {
        let provider = pk.provider;
        let api = Verifier::from_pem(FIXTURE_PUBLIC, provider)
            .map_err(cli_error)?
            .method("POST")
            .path("/merchant_accounts/a61acaef-ee05-4077-92f3-25543a11bd8d/sweeping")
            .header(
                "Idempotency-Key",
                "idemp-2076717c-9005-4811-a321-9e0787fa0382",
            )
            .body(br#"{"currency":"GBP","max_amount_in_minor":5000000,"name":"Foo???"}"#)
            .verify(FIXTURE_API.trim())
            .map_err(cli_error)?;
        let hook = Verifier::from_jwks(&jwks, provider)
            .method("POST")
            .path("/tl-webhook")
            .header("X-Tl-Webhook-Timestamp", "2021-11-29T11:42:55Z")
            .header("Content-Type", "application/json")
            .body(br#"{"event_type":"example","event_id":"18b2842b-a57b-4887-a0a6-d3c7c36f1020"}"#)
            .verify(FIXTURE_WEBHOOK.trim())
            .map_err(cli_error)?;
        if api.header.kid != KID || hook.header.kid != KID {
            return Err(CliError::rejected(format!(
                "demo: expected TrueLayer's fixtures to carry kid {KID:?}, found {:?} and {:?}",
                api.header.kid, hook.header.kid
            )));
        }
        demo.step(
            provider.name(),
            format_args!(
                "TrueLayer's published signatures verify: API request ({}), webhook via JWKS with a 65-byte x left-padded ({})",
                describe(&api),
                describe(&hook)
            ),
        );
    }
    Ok(())
}
