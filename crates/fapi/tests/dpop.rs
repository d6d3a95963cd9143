//! DPoP (RFC 9449): the RFC's own proofs, round trips on both providers, and every refusal of
//! section 4.3, each asserted by what it names.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use common::{NOW, claim_of, clock_at, es256, providers};
use jose::clock::Clock;
use jose::jwt::{self, ClaimError, Claims};
use jose::{
    EcCurve, Error, Header, JwsAlgorithm, KeySpec, OkpCurve, PrivateKey, SecretKey, SigningKey,
};
use jose_fapi::dpop::{DPOP_TYP, DpopProof, DpopVerifier, access_token_hash, normalize_htu};
use serde_json::Value;

// RFC 9449 section 4.1, figure 2 (the line breaks of the RFC removed): a proof for the token
// request POST https://server.example.com/token, iat 1562262616.
const RFC_TOKEN_PROOF: &str = concat!(
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNo",
    "UklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERW",
    "clUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19",
    ".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUu",
    "Y29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ",
    ".2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg",
);

// RFC 9449 section 7.1, figure 13: a proof for GET https://resource.example.org/protectedresource
// with the access token below (its ath in the proof), iat 1562262618, the same key.
const RFC_RESOURCE_PROOF: &str = concat!(
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNo",
    "UklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERW",
    "clUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19",
    ".eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxl",
    "Lm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0Ji",
    "MHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9",
    ".2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA",
);
const RFC_ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const RFC_ATH: &str = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo";
// RFC 9449 section 6.1, figure 8: the jkt of the key of both proofs.
const RFC_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

const HTU: &str = "https://server.example.com/token";

fn verifier_at(seconds: i64) -> DpopVerifier {
    DpopVerifier::new().clock(clock_at(seconds))
}

/// A proof made at `NOW` by our own signer.
fn proof(htm: &str, htu: &str) -> DpopProof {
    DpopProof::new(htm, htu).unwrap().clock(clock_at(NOW))
}

fn sign(proof: &DpopProof, signer: &SigningKey) -> String {
    proof.sign(signer, jose::default_provider()).unwrap()
}

/// A token signed with whatever header and claims a hostile client likes.
fn forged(signer: &SigningKey, header: Value, claims: Claims) -> String {
    let Value::Object(map) = header else { panic!() };
    jwt::sign(&claims, signer, Header::from_map(map)).unwrap()
}

/// A hostile proof with the right header (typ, the signer's public jwk) and any claims.
fn forged_proof(signer: &SigningKey, claims: Claims) -> String {
    let header = serde_json::json!({"typ": DPOP_TYP, "jwk": public_jwk(signer)});
    forged(signer, header, claims)
}

/// The claim named by the refusal of `token` for POST `HTU`.
fn refused(verifier: &DpopVerifier, token: &str) -> String {
    claim_of(&verifier.verify(token, "POST", HTU, None).unwrap_err()).to_owned()
}

fn good_claims() -> Claims {
    Claims::new()
        .jwt_id("id-1")
        .issued_at(NOW)
        .claim("htm", "POST")
        .unwrap()
        .claim("htu", HTU)
        .unwrap()
}

fn public_jwk(signer: &SigningKey) -> Value {
    let jwk = signer
        .verifying_key()
        .public_key()
        .unwrap()
        .to_jwk()
        .unwrap();
    serde_json::from_str(&jwk.to_json()).unwrap()
}

#[test]
fn rfc9449_section_4_1_proof_verifies_on_both_providers() {
    for provider in providers() {
        let verified = verifier_at(1_562_262_616)
            .provider(provider)
            .verify(RFC_TOKEN_PROOF, "POST", HTU, None)
            .unwrap();
        assert_eq!(verified.jkt, RFC_JKT, "{}", provider.name());
        assert_eq!(verified.claims.jti.as_deref(), Some("-BwC3ESc6acc2lTc"));
        assert_eq!(verified.header.typ().unwrap(), Some(DPOP_TYP));
        // A second look is a replay.
        let replay = verifier_at(1_562_262_616).provider(provider);
        replay.verify(RFC_TOKEN_PROOF, "POST", HTU, None).unwrap();
        let error = replay
            .verify(RFC_TOKEN_PROOF, "POST", HTU, None)
            .unwrap_err();
        assert_eq!(claim_of(&error), "jti");
    }
}

#[test]
fn rfc9449_section_7_1_proof_with_ath_verifies_on_both_providers() {
    for provider in providers() {
        assert_eq!(access_token_hash(RFC_ACCESS_TOKEN, provider), RFC_ATH);
        let verified = verifier_at(1_562_262_618)
            .provider(provider)
            .verify(
                RFC_RESOURCE_PROOF,
                "GET",
                "https://resource.example.org/protectedresource",
                Some(RFC_ACCESS_TOKEN),
            )
            .unwrap();
        assert_eq!(verified.jkt, RFC_JKT);
        assert_eq!(verified.claims.get_str("ath").unwrap(), Some(RFC_ATH));
        // Another token: ath refused.
        let error = verifier_at(1_562_262_618)
            .provider(provider)
            .verify(
                RFC_RESOURCE_PROOF,
                "GET",
                "https://resource.example.org/protectedresource",
                Some("another-token"),
            )
            .unwrap_err();
        assert_eq!(claim_of(&error), "ath");
    }
}

#[test]
fn round_trip_with_every_default_algorithm_on_both_providers() {
    for provider in providers() {
        let keys = [
            (KeySpec::Ec(EcCurve::P256), JwsAlgorithm::Es256),
            (KeySpec::Rsa { bits: 2048 }, JwsAlgorithm::Ps256),
            (KeySpec::Okp(OkpCurve::Ed25519), JwsAlgorithm::EdDsa),
        ];
        for (spec, alg) in keys {
            let signer =
                SigningKey::new(PrivateKey::generate(spec, provider).unwrap(), alg).unwrap();
            let token = DpopProof::new("GET", "https://rs.example.com/a?b=c")
                .unwrap()
                .access_token("at-1")
                .nonce("n-1")
                .clock(clock_at(NOW))
                .sign(&signer, provider)
                .unwrap();
            let verified = verifier_at(NOW)
                .provider(provider)
                .nonce("n-1")
                .verify(&token, "GET", "https://rs.example.com/a", Some("at-1"))
                .unwrap();
            let jwk = signer
                .verifying_key()
                .public_key()
                .unwrap()
                .to_jwk()
                .unwrap();
            assert_eq!(verified.jkt, jwk.thumbprint_sha256(provider).unwrap());
            // The header's jwk holds the key members only.
            let header_jwk = verified.header.get("jwk").unwrap().as_object().unwrap();
            for member in header_jwk.keys() {
                assert!(
                    ["kty", "crv", "x", "y", "n", "e"].contains(&member.as_str()),
                    "{member}"
                );
            }
        }
    }
}

#[test]
fn the_signer_kid_and_metadata_stay_out_of_the_jwk() {
    let provider = jose::default_provider();
    let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)
        .unwrap()
        .with_kid("k1");
    let signer = SigningKey::new(key, JwsAlgorithm::Es256).unwrap();
    let token = sign(&proof("POST", HTU), &signer);
    let verified = verifier_at(NOW).verify(&token, "POST", HTU, None).unwrap();
    let jwk = verified.header.get("jwk").unwrap();
    assert!(jwk.get("kid").is_none() && jwk.get("d").is_none());
}

#[test]
fn a_private_key_in_jwk_is_refused_naming_the_member() {
    let provider = jose::default_provider();
    for (spec, alg) in [
        (KeySpec::Ec(EcCurve::P256), JwsAlgorithm::Es256),
        (KeySpec::Rsa { bits: 2048 }, JwsAlgorithm::Ps256),
    ] {
        let key = PrivateKey::generate(spec, provider).unwrap();
        let private_jwk = key.to_jwk().unwrap();
        let d = private_jwk.d.clone().unwrap();
        let signer = SigningKey::new(key, alg).unwrap();
        let jwk: Value = serde_json::from_str(&private_jwk.to_json()).unwrap();
        let token = forged(
            &signer,
            serde_json::json!({"typ": DPOP_TYP, "jwk": jwk}),
            good_claims(),
        );
        let error = verifier_at(NOW)
            .verify(&token, "POST", HTU, None)
            .unwrap_err();
        assert!(matches!(error, Error::InvalidHeader(_)), "{error:?}");
        let text = error.to_string();
        assert!(text.contains("\"jwk\"") && text.contains("\"d\""), "{text}");
        assert!(!text.contains(&d) && !format!("{error:?}").contains(&d));
    }
}

#[test]
fn symmetric_keys_and_algorithms_are_refused() {
    let provider = jose::default_provider();
    let secret = SecretKey::from_bytes(&[7u8; 32], provider).unwrap();
    let hs256 = SigningKey::symmetric(secret.clone(), JwsAlgorithm::Hs256).unwrap();
    let oct: Value = serde_json::from_str(&secret.to_jwk().to_json()).unwrap();
    // An HS256 proof carrying its oct key: refused by alg first.
    let token = forged(
        &hs256,
        serde_json::json!({"typ": DPOP_TYP, "jwk": oct}),
        good_claims(),
    );
    let error = verifier_at(NOW)
        .verify(&token, "POST", HTU, None)
        .unwrap_err();
    assert!(
        matches!(&error, Error::AlgorithmNotAllowed { found, .. } if found == "HS256"),
        "{error:?}"
    );
    // Even with HS256 allowed... it cannot be: the allow-list refuses it.
    let error = DpopVerifier::new()
        .algorithms(&[JwsAlgorithm::Es256, JwsAlgorithm::Hs256])
        .unwrap_err();
    assert!(error.to_string().contains("HS256"));
    // An oct jwk under an asymmetric alg: refused as a secret member.
    let signer = es256();
    let token = forged(
        &signer,
        serde_json::json!({"typ": DPOP_TYP, "jwk": oct}),
        good_claims(),
    );
    let error = verifier_at(NOW)
        .verify(&token, "POST", HTU, None)
        .unwrap_err();
    assert!(matches!(error, Error::InvalidHeader(_)), "{error:?}");
    assert!(error.to_string().contains("\"k\""), "{error}");
    // Our signer refuses a shared secret.
    let error = proof("POST", HTU).sign(&hs256, provider).unwrap_err();
    assert!(matches!(error, Error::InvalidKey { .. }), "{error:?}");
}

#[test]
fn alg_none_is_refused() {
    let b64 = |v: &Value| jose::b64::encode(v.to_string().as_bytes());
    let signer = es256();
    let header = serde_json::json!({"typ": DPOP_TYP, "alg": "none", "jwk": public_jwk(&signer)});
    let token = format!(
        "{}.{}.",
        b64(&header),
        b64(&Value::Object(good_claims().to_map()))
    );
    let error = verifier_at(NOW)
        .verify(&token, "POST", HTU, None)
        .unwrap_err();
    assert!(error.to_string().contains("none"), "{error}");
    assert!(
        matches!(
            error,
            Error::UnsupportedAlgorithm { .. } | Error::Malformed { .. } | Error::InvalidHeader(_)
        ),
        "{error:?}"
    );
}

#[test]
fn a_missing_or_foreign_jwk_is_refused() {
    let signer = es256();
    let token = forged(&signer, serde_json::json!({"typ": DPOP_TYP}), good_claims());
    let error = verifier_at(NOW)
        .verify(&token, "POST", HTU, None)
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidHeader(m) if m.contains("\"jwk\"")),
        "{error:?}"
    );

    let other = es256();
    let token = forged(
        &signer,
        serde_json::json!({"typ": DPOP_TYP, "jwk": public_jwk(&other)}),
        good_claims(),
    );
    let error = verifier_at(NOW)
        .verify(&token, "POST", HTU, None)
        .unwrap_err();
    assert_eq!(error, Error::BadSignature);

    // A jwk of another type than alg says.
    let rsa = SigningKey::new(
        PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, jose::default_provider()).unwrap(),
        JwsAlgorithm::Ps256,
    )
    .unwrap();
    let token = forged(
        &signer,
        serde_json::json!({"typ": DPOP_TYP, "jwk": public_jwk(&rsa)}),
        good_claims(),
    );
    let error = verifier_at(NOW)
        .verify(&token, "POST", HTU, None)
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidHeader(m) if m.contains("\"jwk\"")),
        "{error:?}"
    );
}

#[test]
fn typ_must_be_dpop_jwt() {
    let signer = es256();
    for header in [
        serde_json::json!({"jwk": public_jwk(&signer)}),
        serde_json::json!({"typ": "jwt", "jwk": public_jwk(&signer)}),
    ] {
        let token = forged(&signer, header, good_claims());
        let error = verifier_at(NOW)
            .verify(&token, "POST", HTU, None)
            .unwrap_err();
        assert!(
            matches!(error.claim_error(), Some(ClaimError::WrongType { .. })),
            "{error:?}"
        );
        assert!(error.to_string().starts_with("\"typ\""));
    }
    // Case-insensitive, with the optional application/ prefix.
    let token = forged(
        &signer,
        serde_json::json!({"typ": "application/DPoP+JWT", "jwk": public_jwk(&signer)}),
        good_claims(),
    );
    verifier_at(NOW).verify(&token, "POST", HTU, None).unwrap();
}

#[test]
fn htm_must_match_exactly() {
    let signer = es256();
    let token = sign(&proof("POST", HTU), &signer);
    for method in ["GET", "post"] {
        let error = verifier_at(NOW)
            .verify(&token, method, HTU, None)
            .unwrap_err();
        assert_eq!(claim_of(&error), "htm");
    }
    assert!(DpopProof::new("PO ST", HTU).is_err());
}

#[test]
fn htu_is_compared_normalized_without_query_and_fragment() {
    let signer = es256();
    let token = sign(&proof("POST", HTU), &signer);
    for wrong in [
        "http://server.example.com/token",
        "https://other.example.com/token",
        "https://server.example.com/token2",
        "https://server.example.com:8443/token",
    ] {
        let error = verifier_at(NOW)
            .verify(&token, "POST", wrong, None)
            .unwrap_err();
        assert_eq!(claim_of(&error), "htu", "{wrong}");
    }
    for same in [
        "https://SERVER.Example.COM/token",
        "HTTPS://server.example.com:443/token",
        "https://server.example.com/./token?x=1",
        "https://server.example.com/token#top",
        "https://server.example.com/%74oken",
    ] {
        verifier_at(NOW).verify(&token, "POST", same, None).unwrap();
    }
    // A proof made for a URI with a query and a fragment carries neither.
    let with_query = proof("POST", "https://server.example.com/token?a=1#f");
    assert_eq!(with_query.htu(), HTU);
    let token = sign(&with_query, &signer);
    verifier_at(NOW)
        .verify(&token, "POST", "https://server.example.com/token?b=2", None)
        .unwrap();
    // A hostile proof whose htu has them is compared without them too.
    let token = forged(
        &signer,
        serde_json::json!({"typ": DPOP_TYP, "jwk": public_jwk(&signer)}),
        good_claims()
            .claim("htu", "https://Server.example.com/token?q#f")
            .unwrap(),
    );
    verifier_at(NOW)
        .verify(
            &token,
            "POST",
            "https://server.example.com/token?other",
            None,
        )
        .unwrap();
    // A request URI that is not one is the caller's mistake.
    let error = verifier_at(NOW)
        .verify(&token, "POST", "/token", None)
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert_eq!(
        normalize_htu("https://server.example.com").unwrap(),
        "https://server.example.com/"
    );
}

#[test]
fn iat_window_and_its_boundaries() {
    let signer = es256();
    // Defaults: max age 60 s, leeway 5 s.
    let at = |offset: i64| {
        let token = sign(&proof("POST", HTU), &signer);
        verifier_at(NOW + offset).verify(&token, "POST", HTU, None)
    };
    at(65).unwrap();
    let error = at(66).unwrap_err();
    assert!(
        matches!(error.claim_error(), Some(ClaimError::TooOld { .. })),
        "{error:?}"
    );
    assert_eq!(claim_of(&error), "iat");
    at(-5).unwrap();
    let error = at(-6).unwrap_err();
    assert!(
        matches!(error.claim_error(), Some(ClaimError::IssuedInFuture { .. })),
        "{error:?}"
    );
    // Another window.
    let token = sign(&proof("POST", HTU), &signer);
    let verifier = verifier_at(NOW + 11)
        .max_age(Duration::from_secs(10))
        .leeway(Duration::from_secs(1))
        .unwrap();
    verifier.verify(&token, "POST", HTU, None).unwrap();
    let token = sign(&proof("POST", HTU), &signer);
    let verifier = verifier_at(NOW + 12)
        .max_age(Duration::from_secs(10))
        .leeway(Duration::from_secs(1))
        .unwrap();
    assert_eq!(refused(&verifier, &token), "iat");
    // A missing iat.
    let mut claims = good_claims();
    claims.iat = None;
    let token = forged_proof(&signer, claims);
    assert_eq!(refused(&verifier_at(NOW), &token), "iat");
}

#[test]
fn jti_is_required_and_accepted_once_after_every_other_check() {
    let signer = es256();
    let token = sign(&proof("POST", HTU), &signer);
    let verifier = verifier_at(NOW);
    // A refusal for another reason does not burn the jti.
    assert_eq!(
        claim_of(&verifier.verify(&token, "GET", HTU, None).unwrap_err()),
        "htm"
    );
    verifier.verify(&token, "POST", HTU, None).unwrap();
    let error = verifier.verify(&token, "POST", HTU, None).unwrap_err();
    assert_eq!(claim_of(&error), "jti");
    assert!(error.to_string().starts_with("\"jti\""));
    // Clones share the store.
    assert_eq!(refused(&verifier.clone(), &token), "jti");

    let mut claims = good_claims();
    claims.jti = None;
    let token = forged_proof(&signer, claims);
    assert_eq!(refused(&verifier_at(NOW), &token), "jti");
}

#[test]
fn ath_is_required_and_checked_when_a_token_is_given() {
    let signer = es256();
    let without = sign(&proof("GET", HTU), &signer);
    let error = verifier_at(NOW)
        .verify(&without, "GET", HTU, Some("at"))
        .unwrap_err();
    assert!(matches!(error.claim_error(), Some(ClaimError::Missing { claim }) if claim == "ath"));
    let with = sign(&proof("GET", HTU).access_token("at"), &signer);
    let error = verifier_at(NOW)
        .verify(&with, "GET", HTU, Some("other"))
        .unwrap_err();
    assert!(
        matches!(error.claim_error(), Some(ClaimError::Mismatch { claim, .. }) if claim == "ath")
    );
    verifier_at(NOW)
        .verify(&with, "GET", HTU, Some("at"))
        .unwrap();
}

#[test]
fn nonce_is_checked_when_required() {
    let signer = es256();
    let verifier = || verifier_at(NOW).nonce("server-nonce-1");
    let without = sign(&proof("POST", HTU), &signer);
    let error = verifier().verify(&without, "POST", HTU, None).unwrap_err();
    assert!(matches!(error.claim_error(), Some(ClaimError::Missing { claim }) if claim == "nonce"));
    let wrong = sign(&proof("POST", HTU).nonce("old"), &signer);
    let error = verifier().verify(&wrong, "POST", HTU, None).unwrap_err();
    assert!(
        matches!(error.claim_error(), Some(ClaimError::Mismatch { claim, .. }) if claim == "nonce")
    );
    let right = sign(&proof("POST", HTU).nonce("server-nonce-1"), &signer);
    verifier().verify(&right, "POST", HTU, None).unwrap();
}

#[test]
fn one_proof_only_and_compact_only() {
    let signer = es256();
    let token = sign(&proof("POST", HTU), &signer);
    let two = format!("{token},{token}");
    let error = verifier_at(NOW)
        .verify(&two, "POST", HTU, None)
        .unwrap_err();
    assert!(matches!(error, Error::Malformed { .. }), "{error:?}");
    assert!(
        verifier_at(NOW)
            .verify("a.b.c.d.e", "POST", HTU, None)
            .is_err()
    );
    assert!(verifier_at(NOW).verify("", "POST", HTU, None).is_err());
}

#[test]
fn rs256_only_when_allowed() {
    let provider = jose::default_provider();
    let rs256 = SigningKey::new(
        PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider).unwrap(),
        JwsAlgorithm::Rs256,
    )
    .unwrap();
    let token = sign(&proof("POST", HTU), &rs256);
    let error = verifier_at(NOW)
        .verify(&token, "POST", HTU, None)
        .unwrap_err();
    assert!(
        matches!(error, Error::AlgorithmNotAllowed { .. }),
        "{error:?}"
    );
    verifier_at(NOW)
        .algorithms(&[JwsAlgorithm::Rs256])
        .unwrap()
        .verify(&token, "POST", HTU, None)
        .unwrap();
}

#[tokio::test]
async fn verify_async_with_the_default_store() {
    let signer = es256();
    let token = sign(&proof("POST", HTU), &signer);
    let verifier = verifier_at(NOW);
    verifier
        .verify_async(&token, "POST", HTU, None)
        .await
        .unwrap();
    let error = verifier
        .verify_async(&token, "POST", HTU, None)
        .await
        .unwrap_err();
    assert_eq!(claim_of(&error), "jti");
}

#[test]
fn debug_shows_no_key_material_and_no_token() {
    let provider = jose::default_provider();
    let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider).unwrap();
    let d = key.to_jwk().unwrap().d.clone().unwrap();
    let signer = SigningKey::new(key, JwsAlgorithm::Es256).unwrap();
    let builder = proof("POST", HTU).access_token("secret-access-token");
    let shown = format!("{builder:?}");
    assert!(
        !shown.contains("secret-access-token") && !shown.contains(&d),
        "{shown}"
    );
    let token = sign(&builder, &signer);
    let verified = verifier_at(NOW)
        .verify(&token, "POST", HTU, Some("secret-access-token"))
        .unwrap();
    let shown = format!("{verified:?} {:?} {:?}", signer, DpopVerifier::new());
    assert!(
        !shown.contains(&d) && !shown.contains("secret-access-token"),
        "{shown}"
    );
    // Refusals neither.
    let error = verifier_at(NOW)
        .verify(&token, "POST", HTU, Some("another-secret-token"))
        .unwrap_err();
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(
            !text.contains(&d) && !text.contains("another-secret-token"),
            "{text}"
        );
    }
    let _ = clock_at(NOW).now_seconds();
}
