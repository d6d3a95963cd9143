//! Sign, verify, encrypt and decrypt with the default provider.
//! Run with `cargo run -p jose-toolkit --example quickstart`.

use jose::jwe::{Jwe, JweBuilder};
use jose::jws::{Jws, JwsBuilder};
use jose::{
    ContentEncryption, DecryptingKey, EcCurve, JwsAlgorithm, KeyManagementAlgorithm, KeySpec,
    Limits, PrivateKey, SigningKey, VerifyingKey,
};

fn main() -> Result<(), jose::Error> {
    // README: begin
    let provider = jose::default_provider();
    let limits = Limits::default();

    // Keys: generated here; PrivateKey::from_pem / from_der / from_jwk import existing ones.
    let ec = PrivateKey::generate(KeySpec::Ec(EcCurve::P521), provider)?.with_kid("sig-1");
    let rsa = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.with_kid("enc-1");

    // Sign with ES512. The verifier's keys are its allow-list.
    let ec_public = ec.public_key();
    let signer = SigningKey::new(ec, JwsAlgorithm::Es512)?;
    let jws = JwsBuilder::new(b"{\"amount\":\"10.00\"}")
        .signer(&signer)
        .sign()?
        .to_compact()?;
    let verifier = VerifyingKey::new(ec_public, JwsAlgorithm::Es512)?;
    let payload = Jws::parse(&jws, &limits)?.verify(&[verifier])?.to_vec();
    println!("JWS verified: {}", String::from_utf8_lossy(&payload));

    // Encrypt with RSA-OAEP-256 + A256GCM; decrypt allowing exactly those.
    let ours = DecryptingKey::new(rsa, KeyManagementAlgorithm::RsaOaep256)?;
    let jwe = JweBuilder::new(ContentEncryption::A256Gcm)
        .content_type("application/json")
        .recipient(&ours.encrypting_key())
        .encrypt(&payload, provider)?
        .to_compact()?;
    let opened =
        Jwe::parse(&jwe, &limits)?.decrypt(&[ours], &[ContentEncryption::A256Gcm], provider)?;
    assert_eq!(&opened.plaintext[..], &payload[..]);
    println!("JWE decrypted: {} bytes", opened.plaintext.len());
    // README: end
    Ok(())
}
