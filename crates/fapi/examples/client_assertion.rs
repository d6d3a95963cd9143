//! `private_key_jwt` (RFC 7523): a client authenticates to the token endpoint with a signed
//! assertion; the authorization server checks it, and refuses it the second time.
//!
//! Run: `cargo run -p jose-fapi --example client_assertion`

use jose::{JwsAlgorithm, KeySpec, PrivateKey, SigningKey};
use jose_fapi::client_assertion::{
    CLIENT_ASSERTION_TYPE, ClientAssertion, ClientAssertionVerifier,
};

fn main() -> Result<(), jose::Error> {
    let provider = jose::default_provider();
    let key = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.with_kid("client-2026");
    let client_key = SigningKey::new(key, JwsAlgorithm::Ps256)?;
    // What the client registered with the server (its JWKS).
    let registered = [client_key.verifying_key()];

    let assertion =
        ClientAssertion::new("s6BhdRkqt3", "https://as.example.com").sign(&client_key, provider)?;
    println!("client: client_assertion_type={CLIENT_ASSERTION_TYPE}");
    println!(
        "client: client_assertion={}...",
        assertion.get(..40).unwrap_or_default()
    );

    let verifier =
        ClientAssertionVerifier::new(["https://as.example.com", "https://as.example.com/token"]);
    let verified = verifier.verify(&assertion, "s6BhdRkqt3", &registered)?;
    println!(
        "authorization server: client {} authenticated (alg {}, jti {})",
        verified.claims.sub.as_deref().unwrap_or_default(),
        verified.alg,
        verified.claims.jti.as_deref().unwrap_or_default()
    );
    match verifier.verify(&assertion, "s6BhdRkqt3", &registered) {
        Err(refused) => println!("authorization server: replay refused: {refused}"),
        Ok(_) => {
            return Err(jose::Error::InvalidRequest(
                "a replayed assertion was accepted".into(),
            ));
        }
    }
    Ok(())
}
