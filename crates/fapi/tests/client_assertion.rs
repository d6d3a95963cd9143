//! private_key_jwt client assertions (RFC 7523): round trips and each refusal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use common::{NOW, claim_of, clock_at, es256, providers};
use jose::jwt::{self, ClaimError, Claims};
use jose::{
    EcCurve, Error, Header, JwsAlgorithm, KeySpec, OkpCurve, PrivateKey, SecretKey, SigningKey,
};
use jose_fapi::client_assertion::{ClientAssertion, ClientAssertionVerifier, MAX_LIFETIME};

const CLIENT: &str = "s6BhdRkqt3";
const AS: &str = "https://as.example.com";

fn verifier_at(seconds: i64) -> ClientAssertionVerifier {
    ClientAssertionVerifier::new([AS, "https://as.example.com/token"]).clock(clock_at(seconds))
}

fn assertion(signer: &SigningKey) -> String {
    ClientAssertion::new(CLIENT, AS)
        .clock(clock_at(NOW))
        .sign(signer, jose::default_provider())
        .unwrap()
}

#[test]
fn round_trip_on_both_providers() {
    for provider in providers() {
        for (spec, alg) in [
            (KeySpec::Ec(EcCurve::P256), JwsAlgorithm::Es256),
            (KeySpec::Okp(OkpCurve::Ed25519), JwsAlgorithm::EdDsa),
            (KeySpec::Rsa { bits: 2048 }, JwsAlgorithm::Ps256),
        ] {
            let key = PrivateKey::generate(spec, provider).unwrap().with_kid("c1");
            let signer = SigningKey::new(key, alg).unwrap();
            let token = ClientAssertion::new(CLIENT, "https://as.example.com/token")
                .clock(clock_at(NOW))
                .sign(&signer, provider)
                .unwrap();
            let verified = verifier_at(NOW + 10)
                .verify(&token, CLIENT, &[signer.verifying_key()])
                .unwrap();
            let claims = &verified.claims;
            assert_eq!(claims.iss.as_deref(), Some(CLIENT));
            assert_eq!(claims.sub.as_deref(), Some(CLIENT));
            assert_eq!(claims.iat, Some(NOW));
            assert_eq!(claims.exp, Some(NOW + 60));
            assert_eq!(claims.jti.as_ref().unwrap().len(), 22);
            // No typ; the key's kid.
            assert_eq!(verified.header.typ().unwrap(), None);
            assert_eq!(verified.header.kid().unwrap(), Some("c1"));
        }
    }
}

#[test]
fn iss_and_sub_must_both_be_the_client() {
    let signer = es256();
    let forge = |iss: &str, sub: &str| {
        let claims = Claims::new()
            .issuer(iss)
            .subject(sub)
            .audience(AS)
            .issued_at(NOW)
            .expires_at(NOW + 60)
            .jwt_id(format!("{iss}-{sub}"));
        jwt::sign(&claims, &signer, Header::new()).unwrap()
    };
    let keys = [signer.verifying_key()];
    let error = verifier_at(NOW)
        .verify(&forge(CLIENT, "other"), CLIENT, &keys)
        .unwrap_err();
    assert_eq!(claim_of(&error), "sub");
    let error = verifier_at(NOW)
        .verify(&forge("other", CLIENT), CLIENT, &keys)
        .unwrap_err();
    assert_eq!(claim_of(&error), "iss");
    // The request names another client.
    let error = verifier_at(NOW)
        .verify(&assertion(&signer), "other", &keys)
        .unwrap_err();
    assert_eq!(claim_of(&error), "iss");
}

#[test]
fn wrong_audience_is_refused() {
    let signer = es256();
    let token = ClientAssertion::new(CLIENT, "https://evil.example.com")
        .clock(clock_at(NOW))
        .sign(&signer, jose::default_provider())
        .unwrap();
    let error = verifier_at(NOW)
        .verify(&token, CLIENT, &[signer.verifying_key()])
        .unwrap_err();
    assert_eq!(claim_of(&error), "aud");
}

#[test]
fn expired_is_refused_at_the_leeway() {
    let signer = es256();
    let keys = [signer.verifying_key()];
    // exp = NOW + 60, leeway 30 s: valid while now < exp + 30.
    verifier_at(NOW + 89)
        .verify(&assertion(&signer), CLIENT, &keys)
        .unwrap();
    let error = verifier_at(NOW + 90)
        .verify(&assertion(&signer), CLIENT, &keys)
        .unwrap_err();
    assert!(
        matches!(error.claim_error(), Some(ClaimError::Expired { .. })),
        "{error:?}"
    );
    assert_eq!(claim_of(&error), "exp");
}

#[test]
fn reused_jti_is_refused() {
    let signer = es256();
    let keys = [signer.verifying_key()];
    let verifier = verifier_at(NOW);
    let token = assertion(&signer);
    verifier.verify(&token, CLIENT, &keys).unwrap();
    let error = verifier.verify(&token, CLIENT, &keys).unwrap_err();
    assert_eq!(claim_of(&error), "jti");
    // A fixed jti is the same id twice.
    let fixed = ClientAssertion::new(CLIENT, AS)
        .jti("once")
        .clock(clock_at(NOW));
    verifier
        .verify(
            &fixed.sign(&signer, jose::default_provider()).unwrap(),
            CLIENT,
            &keys,
        )
        .unwrap();
    let error = verifier
        .verify(
            &fixed.sign(&signer, jose::default_provider()).unwrap(),
            CLIENT,
            &keys,
        )
        .unwrap_err();
    assert_eq!(claim_of(&error), "jti");
}

#[test]
fn hs256_is_refused_on_both_sides() {
    let provider = jose::default_provider();
    let secret = SecretKey::from_bytes(&[9u8; 32], provider).unwrap();
    let hs256 = SigningKey::symmetric(secret, JwsAlgorithm::Hs256).unwrap();
    let error = ClientAssertion::new(CLIENT, AS)
        .sign(&hs256, provider)
        .unwrap_err();
    assert!(matches!(error, Error::InvalidKey { .. }), "{error:?}");
    assert!(error.to_string().contains("HS256"));
    let token = jwt::sign(
        &ClientAssertion::new(CLIENT, AS)
            .clock(clock_at(NOW))
            .claims(provider)
            .unwrap(),
        &hs256,
        Header::new(),
    )
    .unwrap();
    let error = verifier_at(NOW)
        .verify(&token, CLIENT, &[hs256.verifying_key()])
        .unwrap_err();
    assert!(matches!(error, Error::InvalidKey { .. }), "{error:?}");
}

#[test]
fn lifetime_is_capped_on_both_sides() {
    let signer = es256();
    assert!(
        ClientAssertion::new(CLIENT, AS)
            .lifetime(Duration::ZERO)
            .is_err()
    );
    assert!(
        ClientAssertion::new(CLIENT, AS)
            .lifetime(Duration::from_millis(999))
            .is_err()
    );
    assert!(
        ClientAssertion::new(CLIENT, AS)
            .lifetime(MAX_LIFETIME + Duration::from_secs(1))
            .is_err()
    );
    let longest = ClientAssertion::new(CLIENT, AS)
        .lifetime(MAX_LIFETIME)
        .unwrap()
        .clock(clock_at(NOW))
        .sign(&signer, jose::default_provider())
        .unwrap();
    let keys = [signer.verifying_key()];
    verifier_at(NOW).verify(&longest, CLIENT, &keys).unwrap();
    // A stricter server.
    let longest = ClientAssertion::new(CLIENT, AS)
        .lifetime(MAX_LIFETIME)
        .unwrap()
        .clock(clock_at(NOW))
        .sign(&signer, jose::default_provider())
        .unwrap();
    let error = verifier_at(NOW)
        .max_lifetime(Duration::from_secs(120))
        .verify(&longest, CLIENT, &keys)
        .unwrap_err();
    assert_eq!(claim_of(&error), "exp");
    // A hostile assertion with a day-long life and no iat.
    let claims = Claims::new()
        .issuer(CLIENT)
        .subject(CLIENT)
        .audience(AS)
        .expires_at(NOW + 86_400)
        .jwt_id("long");
    let token = jwt::sign(&claims, &signer, Header::new()).unwrap();
    let error = verifier_at(NOW).verify(&token, CLIENT, &keys).unwrap_err();
    assert_eq!(claim_of(&error), "iat");
}

#[test]
fn another_kind_of_jwt_is_refused_by_typ() {
    let signer = es256();
    let claims = ClientAssertion::new(CLIENT, AS)
        .clock(clock_at(NOW))
        .claims(jose::default_provider())
        .unwrap();
    let keys = [signer.verifying_key()];
    for (typ, accepted) in [
        ("JWT", true),
        ("client-authentication+jwt", true),
        ("oauth-authz-req+jwt", false),
        ("dpop+jwt", false),
    ] {
        let token = jwt::sign(&claims, &signer, Header::with_typ(typ)).unwrap();
        let result = verifier_at(NOW).verify(&token, CLIENT, &keys);
        assert_eq!(result.is_ok(), accepted, "{typ}: {result:?}");
        if let Err(error) = result {
            assert_eq!(claim_of(&error), "typ");
        }
    }
}

#[tokio::test]
async fn verify_async_records_once() {
    let signer = es256();
    let keys = [signer.verifying_key()];
    let verifier = verifier_at(NOW);
    let token = assertion(&signer);
    verifier.verify_async(&token, CLIENT, &keys).await.unwrap();
    let error = verifier
        .verify_async(&token, CLIENT, &keys)
        .await
        .unwrap_err();
    assert_eq!(claim_of(&error), "jti");
}

#[test]
fn no_audience_is_a_configuration_error() {
    let signer = es256();
    let error = ClientAssertionVerifier::new(Vec::<String>::new())
        .clock(clock_at(NOW))
        .verify(&assertion(&signer), CLIENT, &[signer.verifying_key()])
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
}

#[test]
fn each_cause_is_printed_once() {
    use jose_fapi::dpop::DpopVerifier;
    let signer = es256();
    let keys = [signer.verifying_key()];
    let verifier = verifier_at(NOW);
    let token = assertion(&signer);
    verifier.verify(&token, CLIENT, &keys).unwrap();
    let errors = [
        // A replay: the store's answer is the source.
        verifier.verify(&token, CLIENT, &keys).unwrap_err(),
        verifier_at(NOW + 3600)
            .verify(&assertion(&signer), CLIENT, &keys)
            .unwrap_err(),
        verifier.verify("not.a.token", CLIENT, &keys).unwrap_err(),
        DpopVerifier::new()
            .verify("a.b.c", "GET", "https://x.example/", None)
            .unwrap_err(),
        DpopVerifier::new()
            .verify("a.b.c", "GET", "/relative", None)
            .unwrap_err(),
    ];
    for error in errors {
        assert_eq!(jose::error::repeated_cause(&error), None, "{error}");
    }
}
