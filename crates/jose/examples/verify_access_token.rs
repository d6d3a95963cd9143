//! A resource server verifying an OAuth access token (an RFC 9068 JWT, `typ` `at+jwt`) against
//! its authorization server's published JWKS. The token is issued here first, so the example runs
//! on its own. Run with `cargo run -p jose-toolkit --example verify_access_token`.

use jose::jwt::{self, Claims, Validation};
use jose::{EcCurve, Header, Jwks, JwsAlgorithm, KeySpec, Limits, PrivateKey, SigningKey};
use jose::{VerifyingKey, clock::Clock, clock::SystemClock};

/// The authorization server's issuer identifier.
const ISSUER: &str = "https://as.example.com";
/// This API, the audience of its access tokens.
const API: &str = "https://api.bank.example";

fn main() -> Result<(), jose::Error> {
    let provider = jose::default_provider();

    // The authorization server: a signing key, its published JWKS, and an access token.
    let as_key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)?.with_kid("as-2026");
    let jwks_json = Jwks::new(vec![as_key.public_key().to_jwk()?]).to_json();
    let now = SystemClock.now_seconds();
    let claims = Claims::new()
        .issuer(ISSUER)
        .subject("customer-1234")
        .audience(API)
        .issued_at(now)
        .expires_at(now + 300)
        .random_jwt_id(provider)?
        .claim("scope", "accounts payments")?;
    let signer = SigningKey::new(as_key, JwsAlgorithm::Es256)?;
    let access_token = jwt::sign(&claims, &signer, Header::with_typ("at+jwt"))?;

    // The resource server: the five lines.
    // README: begin
    let jwks = Jwks::from_json(&jwks_json, &Limits::default())?;
    let keys = VerifyingKey::from_jwks(&jwks, &[JwsAlgorithm::Es256], provider)?;
    let validation = Validation::new().issuer(ISSUER).audience(API).typ("at+jwt");
    let token = jwt::verify(&access_token, &keys, &validation)?;
    let (subject, scope) = (token.claims.sub.as_deref(), token.claims.get_str("scope")?);
    // README: end
    println!("verified: subject {subject:?}, scope {scope:?}");

    // The same token for another API is refused, naming the claim.
    let elsewhere = Validation::new()
        .issuer(ISSUER)
        .audience("https://api.other.example")
        .typ("at+jwt");
    let refused = jwt::verify(&access_token, &keys, &elsewhere)
        .err()
        .ok_or_else(|| jose::Error::InvalidRequest("a foreign audience was accepted".into()))?;
    println!("another audience: {refused}");
    Ok(())
}
