//! Differential: the two providers must agree on every verdict and every plaintext.
//!
//! The same input is read as a JWS (verified with the same fixed keys imported into each
//! provider), as a JWE (decrypted likewise), and as private and public key DER (imported into each
//! provider). Any disagreement is a crash.
#![no_main]

use jose::{PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [aws, rust] = jose_fuzz::both();
    if let Ok(text) = std::str::from_utf8(data) {
        let (a, r) = (
            jose_fuzz::jws_verdict(text, aws),
            jose_fuzz::jws_verdict(text, rust),
        );
        assert_eq!(a, r, "JWS verdicts differ (left aws-lc, right rustcrypto)");
        let (a, r) = (
            jose_fuzz::jwe_verdict(text, aws),
            jose_fuzz::jwe_verdict(text, rust),
        );
        assert_eq!(a, r, "JWE verdicts differ (left aws-lc, right rustcrypto)");
    }

    let a = PrivateKey::from_der(data, aws.provider);
    let r = PrivateKey::from_der(data, rust.provider);
    assert_eq!(
        a.as_ref().map(PrivateKey::kind).ok(),
        r.as_ref().map(PrivateKey::kind).ok(),
        "private key import verdicts differ: aws-lc {:?}, rustcrypto {:?}",
        a.as_ref().err(),
        r.as_ref().err()
    );
    if let (Ok(a), Ok(r)) = (&a, &r) {
        let (a_spki, r_spki) = (a.public_key().to_spki_der(), r.public_key().to_spki_der());
        assert_eq!(
            a_spki.ok(),
            r_spki.ok(),
            "the imported private keys have different public halves"
        );
        // Key agreement (EC, X25519) with the key's own public half: the same secret on both.
        if let Ok(own) = a.public_key().to_spki_der() {
            assert_eq!(
                a.ops().agree(&own).ok().map(|s| s.to_vec()),
                r.ops().agree(&own).ok().map(|s| s.to_vec()),
                "the providers agree on different secrets"
            );
        }
        // A signature made by one provider verifies in the other.
        let alg = match a.kind() {
            jose::KeyKind::Rsa { .. } => Some(jose::JwsAlgorithm::Ps256),
            jose::KeyKind::Ec(jose::EcCurve::P256) => Some(jose::JwsAlgorithm::Es256),
            jose::KeyKind::Ec(jose::EcCurve::P384) => Some(jose::JwsAlgorithm::Es384),
            jose::KeyKind::Ec(_) => Some(jose::JwsAlgorithm::Es512),
            jose::KeyKind::Okp(jose::OkpCurve::Ed25519) => Some(jose::JwsAlgorithm::EdDsa),
            jose::KeyKind::Okp(_) => None,
        };
        if let (Some(Ok(signer)), Some(Ok(verifier))) = (
            alg.map(|alg| jose::SigningKey::new(a.clone(), alg)),
            alg.map(|alg| jose::VerifyingKey::new(r.public_key(), alg)),
        ) {
            let signature = signer.sign(b"differential").expect("an imported key signs");
            assert!(
                verifier.verify(b"differential", &signature).is_ok(),
                "aws-lc signature refused by rustcrypto"
            );
        }
    }

    let a = PublicKey::from_der(data, aws.provider);
    let r = PublicKey::from_der(data, rust.provider);
    assert_eq!(
        a.as_ref().map(PublicKey::kind).ok(),
        r.as_ref().map(PublicKey::kind).ok(),
        "public key import verdicts differ: aws-lc {:?}, rustcrypto {:?}",
        a.as_ref().err(),
        r.as_ref().err()
    );
    if let (Ok(a), Ok(r)) = (&a, &r) {
        assert_eq!(
            a.to_spki_der().ok(),
            r.to_spki_der().ok(),
            "the providers export different SPKI"
        );
    }
});
