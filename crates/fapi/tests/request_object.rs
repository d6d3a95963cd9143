//! Request objects (RFC 9101, FAPI 2.0 Message Signing): signed and nested round trips, and
//! each refusal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::{NOW, claim_of, clock_at, es256, providers};
use jose::jwt::{self, ClaimError, Claims};
use jose::replay::InMemoryReplayStore;
use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, EcCurve, Error, Header, JwsAlgorithm,
    KeyManagementAlgorithm, KeySpec, OkpCurve, PrivateKey, SigningKey,
};
use jose_fapi::request_object::{
    REQUEST_OBJECT_TYP, RequestObjectVerifier, sign_and_encrypt_request_object, sign_request_object,
};

const CLIENT: &str = "s6BhdRkqt3";
const AS: &str = "https://as.example.com";

fn verifier_at(seconds: i64) -> RequestObjectVerifier {
    RequestObjectVerifier::new(CLIENT, AS).clock(clock_at(seconds))
}

fn claims() -> Claims {
    Claims::new()
        .issuer(CLIENT)
        .audience(AS)
        .not_before(NOW)
        .expires_at(NOW + 300)
        .jwt_id("req-1")
        .claim("client_id", CLIENT)
        .unwrap()
        .claim("response_type", "code")
        .unwrap()
        .claim("redirect_uri", "https://client.example.org/cb")
        .unwrap()
}

fn signer(spec: KeySpec, alg: JwsAlgorithm, provider: &dyn CryptoProvider) -> SigningKey {
    SigningKey::new(PrivateKey::generate(spec, provider).unwrap(), alg).unwrap()
}

const FAPI2_KEYS: [(KeySpec, JwsAlgorithm); 3] = [
    (KeySpec::Rsa { bits: 2048 }, JwsAlgorithm::Ps256),
    (KeySpec::Ec(EcCurve::P256), JwsAlgorithm::Es256),
    (KeySpec::Okp(OkpCurve::Ed25519), JwsAlgorithm::EdDsa),
];

#[test]
fn signed_round_trip_with_each_fapi2_algorithm_on_both_providers() {
    for provider in providers() {
        for (spec, alg) in FAPI2_KEYS {
            let signer = signer(spec, alg, provider);
            let request = sign_request_object(&claims(), &signer).unwrap();
            let verified = verifier_at(NOW + 5)
                .verify(&request, &[signer.verifying_key()])
                .unwrap();
            assert_eq!(verified.alg, alg);
            assert_eq!(verified.header.typ().unwrap(), Some(REQUEST_OBJECT_TYP));
            assert_eq!(
                verified.claims.get_str("response_type").unwrap(),
                Some("code")
            );
        }
    }
}

#[test]
fn signed_then_encrypted_round_trip_rsa_oaep_256_a256gcm_on_both_providers() {
    for provider in providers() {
        let as_key = DecryptingKey::new(
            PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider).unwrap(),
            KeyManagementAlgorithm::RsaOaep256,
        )
        .unwrap();
        for (spec, alg) in FAPI2_KEYS {
            let signer = signer(spec, alg, provider);
            let request = sign_and_encrypt_request_object(
                &claims(),
                &signer,
                &as_key.encrypting_key(),
                ContentEncryption::A256Gcm,
                provider,
            )
            .unwrap();
            assert_eq!(request.split('.').count(), 5);
            let verified = verifier_at(NOW)
                .decrypt_verify(
                    &request,
                    std::slice::from_ref(&as_key),
                    &[ContentEncryption::A256Gcm],
                    &[signer.verifying_key()],
                    provider,
                )
                .unwrap();
            assert_eq!(verified.alg, alg);
            assert!(verified.encryption_header.is_some());
            assert_eq!(verified.claims.iss.as_deref(), Some(CLIENT));
            // Another enc is not allowed.
            let error = verifier_at(NOW)
                .decrypt_verify(
                    &request,
                    std::slice::from_ref(&as_key),
                    &[ContentEncryption::A128Gcm],
                    &[signer.verifying_key()],
                    provider,
                )
                .unwrap_err();
            assert!(error.to_string().contains("A256GCM"), "{error}");
        }
    }
}

#[test]
fn rs256_and_hs256_keys_are_refused_on_both_sides() {
    let provider = jose::default_provider();
    let rs256 = signer(KeySpec::Rsa { bits: 2048 }, JwsAlgorithm::Rs256, provider);
    let error = sign_request_object(&claims(), &rs256).unwrap_err();
    assert!(matches!(error, Error::InvalidKey { .. }), "{error:?}");
    assert!(error.to_string().contains("RS256"));
    let token = jwt::sign(&claims(), &rs256, Header::with_typ(REQUEST_OBJECT_TYP)).unwrap();
    let error = verifier_at(NOW)
        .verify(&token, &[rs256.verifying_key()])
        .unwrap_err();
    assert!(matches!(error, Error::InvalidKey { .. }), "{error:?}");
    assert!(error.to_string().contains("RS256"));
    let secret = jose::SecretKey::from_bytes(&[3u8; 32], provider).unwrap();
    let hs256 = SigningKey::symmetric(secret, JwsAlgorithm::Hs256).unwrap();
    assert!(matches!(
        sign_request_object(&claims(), &hs256).unwrap_err(),
        Error::InvalidKey { .. }
    ));
    let token = jwt::sign(&claims(), &hs256, Header::with_typ(REQUEST_OBJECT_TYP)).unwrap();
    let error = verifier_at(NOW)
        .verify(&token, &[hs256.verifying_key()])
        .unwrap_err();
    assert!(error.to_string().contains("HS256"), "{error}");
}

#[test]
fn wrong_or_missing_typ_is_refused() {
    let signer = es256();
    for header in [Header::new(), Header::with_typ("JWT")] {
        let token = jwt::sign(&claims(), &signer, header).unwrap();
        let error = verifier_at(NOW)
            .verify(&token, &[signer.verifying_key()])
            .unwrap_err();
        assert!(
            matches!(error.claim_error(), Some(ClaimError::WrongType { .. })),
            "{error:?}"
        );
    }
}

#[test]
fn iss_client_id_and_aud_are_checked() {
    let signer = es256();
    let keys = [signer.verifying_key()];
    let refused = |claims: Claims| {
        let token = sign_request_object(&claims, &signer).unwrap();
        verifier_at(NOW).verify(&token, &keys).unwrap_err()
    };
    assert_eq!(claim_of(&refused(claims().issuer("another-client"))), "iss");
    assert_eq!(
        claim_of(&refused(
            claims().claim("client_id", "another-client").unwrap()
        )),
        "client_id"
    );
    assert_eq!(
        claim_of(&refused(claims().audience("https://other.example.com"))),
        "aud"
    );
    assert_eq!(
        claim_of(&refused(
            claims().audiences(["https://a.example", "https://b.example"])
        )),
        "aud"
    );
    let mut no_aud = claims();
    no_aud.aud = None;
    assert_eq!(claim_of(&refused(no_aud)), "aud");
    // The AS among several audiences is fine; a request object without client_id too.
    let mut fine = claims().audiences(["https://a.example", AS]);
    fine.extra.remove("client_id");
    let token = sign_request_object(&fine, &signer).unwrap();
    verifier_at(NOW).verify(&token, &keys).unwrap();
}

#[test]
fn fapi_lifetime_rules() {
    let signer = es256();
    let keys = [signer.verifying_key()];
    let check = |claims: Claims, now: i64| {
        let token = sign_request_object(&claims, &signer).unwrap();
        verifier_at(now).verify(&token, &keys)
    };
    // exp - nbf: at most 60 minutes.
    check(claims().expires_at(NOW + 3600), NOW).unwrap();
    assert_eq!(
        claim_of(&check(claims().expires_at(NOW + 3601), NOW).unwrap_err()),
        "exp"
    );
    // nbf required.
    let mut no_nbf = claims();
    no_nbf.nbf = None;
    assert_eq!(claim_of(&check(no_nbf, NOW).unwrap_err()), "nbf");
    // exp required.
    let mut no_exp = claims();
    no_exp.exp = None;
    assert_eq!(claim_of(&check(no_exp, NOW).unwrap_err()), "exp");
    // nbf at most 60 minutes (+ 60 s leeway) in the past; with exp - nbf at most 60 minutes,
    // such a request object has expired too by then.
    let old = || claims().not_before(NOW - 3660).expires_at(NOW - 60);
    check(old(), NOW - 1).unwrap();
    let error = check(old(), NOW).unwrap_err();
    assert!(
        matches!(error.claim_error(), Some(ClaimError::Expired { .. })),
        "{error:?}"
    );
    // Not yet valid.
    let error = check(claims().not_before(NOW + 61), NOW).unwrap_err();
    assert!(
        matches!(error.claim_error(), Some(ClaimError::NotYetValid { .. })),
        "{error:?}"
    );
}

#[test]
fn jti_once_with_a_replay_store() {
    let signer = es256();
    let keys = [signer.verifying_key()];
    let verifier = verifier_at(NOW).replay_store(Arc::new(InMemoryReplayStore::default()));
    let token = sign_request_object(&claims(), &signer).unwrap();
    verifier.verify(&token, &keys).unwrap();
    assert_eq!(
        claim_of(&verifier.verify(&token, &keys).unwrap_err()),
        "jti"
    );
    // Without a store, the same object twice is accepted.
    let plain = verifier_at(NOW);
    plain.verify(&token, &keys).unwrap();
    plain.verify(&token, &keys).unwrap();
}
