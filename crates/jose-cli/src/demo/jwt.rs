//! The demo's JWT section, run from [`super::SECTIONS`]: an access token (RFC 9068, `at+jwt`)
//! issued on one provider and checked on the other with jose-core's explicit `Validation`
//! (RFC 8725), refusals that name the claim, a nested JWT, and jose-fapi's FAPI 2.0 pieces: a
//! `private_key_jwt` client assertion (its `jti` accepted once), a DPoP proof (its `jkt`, a
//! replay refused) and a signed-then-encrypted request object.

use super::{Demo, ProviderKeys, public_on, thumbprint};
use crate::error::{CliError, Result};
use jose::clock::{Clock, SystemClock};
use jose::jwt::{self, Claims, Validation};
use jose::replay::InMemoryReplayStore;
use jose::{
    ContentEncryption, DecryptingKey, EcCurve, EncryptingKey, Header, JwsAlgorithm,
    KeyManagementAlgorithm, SigningKey, VerifyingKey,
};
use jose_fapi::client_assertion::{ClientAssertion, ClientAssertionVerifier};
use jose_fapi::dpop::{DpopProof, DpopVerifier};
use jose_fapi::request_object::{RequestObjectVerifier, sign_and_encrypt_request_object};
use std::sync::Arc;

const AS: &str = "https://as.example.com";
const API: &str = "https://api.example.com";
const CLIENT: &str = "s6BhdRkqt3";

/// Fails unless `outcome` is a refusal of `claim`; returns the refusal with its causes (a
/// replay store's answer is the cause of a `jti` refusal).
fn refused<T>(outcome: jose::Result<T>, what: &str, claim: &str) -> Result<String> {
    match outcome {
        Ok(_) => Err(CliError::rejected(format!(
            "demo: expected the {what} to be refused, found it accepted"
        ))),
        Err(jose::Error::Claim(c)) if c.claim() == claim => Ok(jose::error::display_chain(&c)),
        Err(e) => Err(CliError::rejected(format!(
            "demo: expected the {what} to be refused naming {claim:?}, found: {e}"
        ))),
    }
}

/// The ES256 signer on `a`'s P-256 key and its verifying half moved to `b`.
fn es256(a: &ProviderKeys, b: &ProviderKeys) -> Result<(SigningKey, VerifyingKey)> {
    let key = a.ec(EcCurve::P256)?;
    Ok((
        SigningKey::new(key.clone(), JwsAlgorithm::Es256)?,
        VerifyingKey::new(public_on(key, b.provider)?, JwsAlgorithm::Es256)?,
    ))
}

/// The PS256 signer on `a`'s RSA key and its verifying half moved to `b`.
fn ps256(a: &ProviderKeys, b: &ProviderKeys) -> Result<(SigningKey, VerifyingKey)> {
    Ok((
        SigningKey::new(a.rsa.clone(), JwsAlgorithm::Ps256)?,
        VerifyingKey::new(public_on(&a.rsa, b.provider)?, JwsAlgorithm::Ps256)?,
    ))
}

pub(super) fn run(demo: &mut Demo) -> Result<()> {
    let limits = *demo.limits();
    for (a, b) in &demo.pairs()? {
        let label = format!("{} -> {}", a.name(), b.name());
        let now = SystemClock.now_seconds();

        // The authorization server issues an access token; the resource server checks it.
        let (signer, verifying) = es256(a, b)?;
        let claims = Claims::new()
            .issuer(AS)
            .subject("user-42")
            .audience(API)
            .issued_at(now)
            .expires_at(now + 300)
            .random_jwt_id(a.provider)?
            .claim("scope", "payments")?;
        let token = jwt::sign(&claims, &signer, Header::with_typ("at+jwt"))?;
        let validation = Validation::new()
            .issuer(AS)
            .audience(API)
            .typ("at+jwt")
            .limits(limits)
            .replay_store(Arc::new(InMemoryReplayStore::default()));
        let verified = jwt::verify(&token, [&verifying], &validation)?;
        if verified.claims.get_str("scope")? != Some("payments") {
            return Err(CliError::rejected(
                "demo: expected the access token's scope to be \"payments\"",
            ));
        }
        demo.step(
            &label,
            format_args!(
                "access token (typ at+jwt, ES256, {} bytes): signature, iss, aud, typ, exp, iat checked; sub {:?}, scope \"payments\"",
                token.len(),
                verified.claims.sub.as_deref().unwrap_or_default()
            ),
        );
        let replay = refused(
            jwt::verify(&token, [&verifying], &validation),
            "replayed access token",
            "jti",
        )?;
        demo.step(
            &label,
            format_args!("the same token again: refused: {replay}"),
        );

        // Refusals naming the claim: expired (past the 60 s leeway), another audience.
        let expired = jwt::sign(
            &claims.clone().issued_at(now - 600).expires_at(now - 120),
            &signer,
            Header::with_typ("at+jwt"),
        )?;
        let checks = Validation::new()
            .issuer(AS)
            .audience(API)
            .typ("at+jwt")
            .limits(limits);
        let why = refused(
            jwt::verify(&expired, [&verifying], &checks),
            "expired token",
            "exp",
        )?;
        demo.step(&label, format_args!("expired token: refused: {why}"));
        let elsewhere = Validation::new()
            .issuer(AS)
            .audience("https://other-api.example.com")
            .limits(limits);
        let why = refused(
            jwt::verify(&token, [&verifying], &elsewhere),
            "token for another audience",
            "aud",
        )?;
        demo.step(
            &label,
            format_args!("token for another API: refused: {why}"),
        );

        // A nested JWT: signed on a, encrypted to b's RSA key, opened on b.
        let enc = ContentEncryption::A256Gcm;
        let alg = KeyManagementAlgorithm::RsaOaep256;
        let nested = jwt::encrypt_signed(
            &claims,
            &signer,
            Header::with_typ("at+jwt"),
            &EncryptingKey::new(public_on(&b.rsa, a.provider)?, alg)?,
            enc,
            a.provider,
        )?;
        let opened = jwt::decrypt_verify(
            &nested,
            [&DecryptingKey::new(b.rsa.clone(), alg)?],
            &[enc],
            [&verifying],
            &checks,
            b.provider,
        )?;
        demo.step(
            &label,
            format_args!(
                "nested JWT (ES256 inside {alg} + {enc}, cty JWT, {} bytes): decrypted, verified, claims checked; jti {}",
                nested.len(),
                opened.claims.jti.as_deref().unwrap_or_default()
            ),
        );

        // FAPI 2.0: the client authenticates with a private_key_jwt assertion.
        let (client_signer, client_verifying) = ps256(a, b)?;
        let assertion = ClientAssertion::new(CLIENT, AS).sign(&client_signer, a.provider)?;
        let server = ClientAssertionVerifier::new([AS]).limits(limits);
        let client_keys = [client_verifying];
        let checked = server.verify(&assertion, CLIENT, &client_keys)?;
        demo.step(
            &label,
            format_args!(
                "client assertion (private_key_jwt, PS256): iss = sub = {:?}, aud {AS:?}: verified by the AS",
                checked.claims.iss.as_deref().unwrap_or_default()
            ),
        );
        let why = refused(
            server.verify(&assertion, CLIENT, &client_keys),
            "replayed client assertion",
            "jti",
        )?;
        demo.step(
            &label,
            format_args!("the same client assertion again: replay refused: {why}"),
        );

        // DPoP: the client proves possession of its key for the token request.
        let dpop_key = a.okp(jose::OkpCurve::Ed25519)?;
        let dpop_signer = SigningKey::new(dpop_key.clone(), JwsAlgorithm::EdDsa)?;
        let htu = format!("{AS}/token");
        let proof = DpopProof::new("POST", &htu)?.sign(&dpop_signer, a.provider)?;
        let dpop = DpopVerifier::new().provider(b.provider).limits(limits);
        let proven = dpop.verify(&proof, "POST", &htu, None)?;
        if proven.jkt != thumbprint(dpop_key, b.provider)? {
            return Err(CliError::rejected(
                "demo: expected the DPoP jkt to be the RFC 7638 thumbprint of the client's key",
            ));
        }
        demo.step(
            &label,
            format_args!(
                "DPoP proof (EdDSA, POST {htu}): verified, jkt {} (the token's cnf.jkt)",
                proven.jkt
            ),
        );
        let why = refused(
            dpop.verify(&proof, "POST", &htu, None),
            "replayed DPoP proof",
            "jti",
        )?;
        demo.step(
            &label,
            format_args!("the same DPoP proof again: replay refused: {why}"),
        );

        // A request object (JAR): signed by the client, encrypted to the AS.
        let request_claims = Claims::new()
            .issuer(CLIENT)
            .audience(AS)
            .not_before(now)
            .expires_at(now + 300)
            .claim("client_id", CLIENT)?
            .claim("response_type", "code")?
            .claim("scope", "openid payments")?;
        let (request_signer, request_verifying) = ps256(a, b)?;
        let request = sign_and_encrypt_request_object(
            &request_claims,
            &request_signer,
            &EncryptingKey::new(public_on(&b.rsa, a.provider)?, alg)?,
            enc,
            a.provider,
        )?;
        let opened = RequestObjectVerifier::new(CLIENT, AS)
            .limits(limits)
            .decrypt_verify(
                &request,
                &[DecryptingKey::new(b.rsa.clone(), alg)?],
                &[enc],
                &[request_verifying],
                b.provider,
            )?;
        demo.step(
            &label,
            format_args!(
                "request object (typ oauth-authz-req+jwt, PS256 inside {alg} + {enc}, {} bytes): decrypted and verified, scope {:?}",
                request.len(),
                opened.claims.get_str("scope")?.unwrap_or_default()
            ),
        );
    }
    Ok(())
}
