//! A FAPI 2.0 signed and encrypted request object (RFC 9101): the client signs its authorization
//! request with PS256 and encrypts it to the authorization server (RSA-OAEP-256, A256GCM); the
//! server decrypts and checks it.
//!
//! Run: `cargo run -p jose-fapi --example request_object`

use jose::clock::{Clock, SystemClock};
use jose::jwt::Claims;
use jose::{
    ContentEncryption, DecryptingKey, JwsAlgorithm, KeyManagementAlgorithm, KeySpec, PrivateKey,
    SigningKey,
};
use jose_fapi::request_object::{RequestObjectVerifier, sign_and_encrypt_request_object};

fn main() -> Result<(), jose::Error> {
    let provider = jose::default_provider();
    let rsa = || PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider);
    let client_key = SigningKey::new(rsa()?.with_kid("client-sig"), JwsAlgorithm::Ps256)?;
    let as_key = DecryptingKey::new(
        rsa()?.with_kid("as-enc"),
        KeyManagementAlgorithm::RsaOaep256,
    )?;

    let now = SystemClock.now_seconds();
    let claims = Claims::new()
        .issuer("s6BhdRkqt3")
        .audience("https://as.example.com")
        .not_before(now)
        .expires_at(now + 300)
        .claim("client_id", "s6BhdRkqt3")?
        .claim("response_type", "code")?
        .claim("redirect_uri", "https://client.example.org/cb")?
        .claim("scope", "openid payments")?
        .claim("code_challenge_method", "S256")?
        .claim(
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        )?;
    let request = sign_and_encrypt_request_object(
        &claims,
        &client_key,
        &as_key.encrypting_key(),
        ContentEncryption::A256Gcm,
        provider,
    )?;
    println!(
        "client: pushed a nested request object ({} bytes, {} parts)",
        request.len(),
        request.split('.').count()
    );

    let verifier = RequestObjectVerifier::new("s6BhdRkqt3", "https://as.example.com");
    let verified = verifier.decrypt_verify(
        &request,
        std::slice::from_ref(&as_key),
        &[ContentEncryption::A256Gcm],
        &[client_key.verifying_key()],
        provider,
    )?;
    println!(
        "authorization server: request object from {} accepted (alg {}, scope {:?})",
        verified.claims.iss.as_deref().unwrap_or_default(),
        verified.alg,
        verified.claims.get_str("scope")?.unwrap_or_default()
    );
    Ok(())
}
