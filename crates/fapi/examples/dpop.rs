//! DPoP (RFC 9449) end to end: a client binds its token request and an API call to its key; the
//! authorization server and the resource server check the proofs, and a replayed proof is
//! refused.
//!
//! Run: `cargo run -p jose-fapi --example dpop`

use jose::{EcCurve, JwsAlgorithm, KeySpec, PrivateKey, SigningKey};
use jose_fapi::dpop::{DpopProof, DpopVerifier};

fn main() -> Result<(), jose::Error> {
    let provider = jose::default_provider();
    let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)?;
    let client_key = SigningKey::new(key, JwsAlgorithm::Es256)?;

    // 1. The token request: a proof for POST /token, no access token yet.
    let proof =
        DpopProof::new("POST", "https://as.example.com/token")?.sign(&client_key, provider)?;
    let as_verifier = DpopVerifier::new();
    let at_as = as_verifier.verify(&proof, "POST", "https://as.example.com/token", None)?;
    println!(
        "authorization server: proof accepted, binding the access token to jkt {}",
        at_as.jkt
    );

    // 2. The API call with the DPoP-bound access token.
    let access_token = "eyJhbGciOiJFUzI1NiJ9.example-access-token.sig";
    let proof = DpopProof::new("GET", "https://rs.example.com/accounts?limit=10")?
        .access_token(access_token)
        .sign(&client_key, provider)?;
    let rs_verifier = DpopVerifier::new();
    let at_rs = rs_verifier.verify(
        &proof,
        "GET",
        "https://RS.example.com:443/accounts?limit=10",
        Some(access_token),
    )?;
    assert_eq!(at_rs.jkt, at_as.jkt);
    println!(
        "resource server: proof accepted, same key as the token's cnf.jkt ({})",
        at_rs.jkt
    );

    // 3. The same proof again: refused, naming jti.
    match rs_verifier.verify(
        &proof,
        "GET",
        "https://rs.example.com/accounts",
        Some(access_token),
    ) {
        Err(refused) => println!("resource server: replay refused: {refused}"),
        Ok(_) => {
            return Err(jose::Error::InvalidRequest(
                "a replayed proof was accepted".into(),
            ));
        }
    }
    Ok(())
}
