//! JWT (RFC 7519) claims validation at every boundary, on both providers.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose_core::clock::ManualClock;
use jose_core::error::display_chain;
use jose_core::jwt::{self, Audience, ClaimError, Claims, Validation};
use jose_core::replay::{InMemoryReplayStore, ReplayError};
use jose_core::{
    ContentEncryption, CryptoProvider, DecryptingKey, EcCurve, Error, ErrorClass, Header,
    JwsAlgorithm, KeyManagementAlgorithm, KeySpec, OkpCurve, PrivateKey, SecretKey, SigningKey,
    VerifyingKey,
};
use std::sync::Arc;
use std::time::Duration;

const NOW: i64 = 1_764_979_200; // 2025-12-06T00:00:00Z
const ISS: &str = "https://as.example.com";
const AUD: &str = "https://api.example.com";

fn providers() -> [&'static dyn CryptoProvider; 2] {
    [
        jose_crypto_awslc::provider(),
        jose_crypto_rustcrypto::provider(),
    ]
}

fn es256(provider: &dyn CryptoProvider) -> SigningKey {
    let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)
        .unwrap()
        .with_kid("test-only-es256");
    SigningKey::new(key, JwsAlgorithm::Es256).unwrap()
}

fn clock_at(seconds: i64) -> Arc<ManualClock> {
    Arc::new(ManualClock::at_millis(
        u64::try_from(seconds).unwrap() * 1000,
    ))
}

fn validation_at(seconds: i64) -> Validation {
    Validation::new()
        .issuer(ISS)
        .audience(AUD)
        .clock(clock_at(seconds))
}

fn base_claims() -> Claims {
    Claims::new()
        .issuer(ISS)
        .subject("user-42")
        .audience(AUD)
        .issued_at(NOW)
        .expires_at(NOW + 300)
}

fn claim_error(result: Result<jwt::VerifiedJwt, Error>) -> ClaimError {
    match result {
        Err(Error::Claim(e)) => *e,
        other => panic!("expected a claim error, found {other:?}"),
    }
}

fn check(
    signer: &SigningKey,
    claims: &Claims,
    header: Header,
    validation: &Validation,
) -> Result<jwt::VerifiedJwt, Error> {
    let token = jwt::sign(claims, signer, header).unwrap();
    jwt::verify(&token, &[signer.verifying_key()], validation)
}

#[test]
fn round_trip_on_every_algorithm_family_and_both_providers() {
    for provider in providers() {
        let secret = SecretKey::generate(256, provider).unwrap();
        let signers = [
            es256(provider),
            SigningKey::new(
                PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider).unwrap(),
                JwsAlgorithm::Ps256,
            )
            .unwrap(),
            SigningKey::new(
                PrivateKey::generate(KeySpec::Okp(OkpCurve::Ed25519), provider).unwrap(),
                JwsAlgorithm::EdDsa,
            )
            .unwrap(),
            SigningKey::symmetric(secret, JwsAlgorithm::Hs256).unwrap(),
        ];
        for signer in &signers {
            let claims = base_claims().claim("scope", "payments").unwrap();
            let verified = check(
                signer,
                &claims,
                Header::with_typ("at+jwt"),
                &validation_at(NOW).typ("at+jwt"),
            )
            .unwrap();
            assert_eq!(verified.claims, claims, "{:?}", signer.alg());
            assert_eq!(verified.alg, signer.alg());
            assert_eq!(verified.header.typ().unwrap(), Some("at+jwt"));
        }
    }
}

#[test]
fn exp_is_required_by_default_and_checked_at_the_leeway_boundary() {
    let signer = es256(jose_crypto_awslc::provider());
    let no_exp = Claims::new().issuer(ISS).audience(AUD);
    let err = claim_error(check(&signer, &no_exp, Header::new(), &validation_at(NOW)));
    assert_eq!(err, ClaimError::missing("exp"));
    assert!(err.to_string().starts_with("\"exp\""), "{err}");
    // Waived explicitly: accepted.
    check(
        &signer,
        &no_exp,
        Header::new(),
        &validation_at(NOW).allow_missing_exp(),
    )
    .unwrap();

    // exp = NOW: valid until NOW + 60 s (the default leeway), exclusive.
    let claims = base_claims().expires_at(NOW);
    check(&signer, &claims, Header::new(), &validation_at(NOW + 59)).unwrap();
    let err = claim_error(check(
        &signer,
        &claims,
        Header::new(),
        &validation_at(NOW + 60),
    ));
    assert!(
        matches!(
            err,
            ClaimError::Expired {
                exp: NOW,
                leeway: 60,
                ..
            }
        ),
        "{err:?}"
    );
    claim_error(check(
        &signer,
        &claims,
        Header::new(),
        &validation_at(NOW + 61),
    ));
    // Within the second before the boundary (milliseconds count).
    let v = Validation::new()
        .issuer(ISS)
        .audience(AUD)
        .clock(Arc::new(ManualClock::at_millis(
            u64::try_from(NOW + 60).unwrap() * 1000 - 1,
        )));
    check(&signer, &claims, Header::new(), &v).unwrap();

    // A leeway of zero: expired at exp itself.
    let strict = validation_at(NOW).leeway(Duration::ZERO).unwrap();
    claim_error(check(&signer, &claims, Header::new(), &strict));
    let strict = validation_at(NOW - 1).leeway(Duration::ZERO).unwrap();
    let earlier = claims.clone().issued_at(NOW - 10);
    check(&signer, &earlier, Header::new(), &strict).unwrap();
}

#[test]
fn nbf_and_iat_at_the_leeway_boundary() {
    let signer = es256(jose_crypto_awslc::provider());
    let nbf = base_claims().not_before(NOW + 100).expires_at(NOW + 1000);
    // Valid from nbf - 60 s.
    check(&signer, &nbf, Header::new(), &validation_at(NOW + 40)).unwrap();
    let err = claim_error(check(
        &signer,
        &nbf,
        Header::new(),
        &validation_at(NOW + 39),
    ));
    assert!(matches!(err, ClaimError::NotYetValid { nbf: n, .. } if n == NOW + 100));
    assert!(err.to_string().starts_with("\"nbf\""), "{err}");

    // iat in the future: accepted up to the leeway, refused beyond it.
    let iat = base_claims().issued_at(NOW + 100).expires_at(NOW + 1000);
    check(&signer, &iat, Header::new(), &validation_at(NOW + 40)).unwrap();
    let err = claim_error(check(
        &signer,
        &iat,
        Header::new(),
        &validation_at(NOW + 39),
    ));
    assert!(matches!(err, ClaimError::IssuedInFuture { .. }), "{err:?}");
    assert_eq!(err.claim(), "iat");

    // max_age: iat + max_age + leeway is the last accepted second.
    let claims = base_claims().expires_at(NOW + 10_000);
    let aged = |at: i64| validation_at(at).max_age(Duration::from_secs(120));
    check(&signer, &claims, Header::new(), &aged(NOW + 180)).unwrap();
    let err = claim_error(check(&signer, &claims, Header::new(), &aged(NOW + 181)));
    assert!(
        matches!(err, ClaimError::TooOld { max_age: 120, .. }),
        "{err:?}"
    );
    // max_age makes iat required.
    let no_iat = Claims::new()
        .issuer(ISS)
        .audience(AUD)
        .expires_at(NOW + 100);
    let err = claim_error(check(&signer, &no_iat, Header::new(), &aged(NOW)));
    assert_eq!(err, ClaimError::missing("iat"));
}

#[test]
fn leeway_is_capped() {
    assert_eq!(jwt::DEFAULT_LEEWAY, Duration::from_secs(60));
    Validation::new().leeway(jwt::MAX_LEEWAY).unwrap();
    let err = Validation::new()
        .leeway(jwt::MAX_LEEWAY + Duration::from_secs(1))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(
        err.to_string().contains("at most 300 s, found 301 s"),
        "{err}"
    );
}

#[test]
fn aud_as_string_or_array_and_iss_and_sub() {
    let signer = es256(jose_crypto_awslc::provider());
    let v = validation_at(NOW);
    let many = base_claims().audiences(["https://other.example", AUD]);
    let verified = check(&signer, &many, Header::new(), &v).unwrap();
    assert!(matches!(verified.claims.aud, Some(Audience::Many(ref a)) if a.len() == 2));

    let without_ours = base_claims().audiences(["https://other.example", "https://third.example"]);
    let err = claim_error(check(&signer, &without_ours, Header::new(), &v));
    assert_eq!(err.claim(), "aud");
    let text = err.to_string();
    assert!(text.starts_with("\"aud\""), "{text}");
    assert!(text.contains("https://other.example"), "{text}");

    // Exact comparison: no trailing-slash or case folding.
    let near = base_claims().audience(format!("{AUD}/"));
    claim_error(check(&signer, &near, Header::new(), &v));
    let empty = base_claims().audiences(Vec::<String>::new());
    claim_error(check(&signer, &empty, Header::new(), &v));
    let mut no_aud = base_claims();
    no_aud.aud = None;
    assert_eq!(
        claim_error(check(&signer, &no_aud, Header::new(), &v)),
        ClaimError::missing("aud")
    );
    // Several accepted audiences: one is enough.
    let v2 = validation_at(NOW)
        .audience("https://other.example")
        .audience("https://x.example");
    let other = base_claims().audience("https://x.example");
    let v2 = v2.audience(AUD);
    check(&signer, &other, Header::new(), &v2).unwrap();

    let wrong_iss = base_claims().issuer("https://evil.example");
    let err = claim_error(check(&signer, &wrong_iss, Header::new(), &v));
    assert_eq!(err.claim(), "iss");
    assert!(err.to_string().contains("evil.example"));
    let mut no_iss = base_claims();
    no_iss.iss = None;
    assert_eq!(
        claim_error(check(&signer, &no_iss, Header::new(), &v)),
        ClaimError::missing("iss")
    );

    let v_sub = validation_at(NOW).subject("user-43");
    let err = claim_error(check(&signer, &base_claims(), Header::new(), &v_sub));
    assert_eq!(err.claim(), "sub");

    let v_req = validation_at(NOW).require("jti");
    assert_eq!(
        claim_error(check(&signer, &base_claims(), Header::new(), &v_req)),
        ClaimError::missing("jti")
    );
}

#[test]
fn a_validation_that_names_no_issuer_or_audience_refuses_to_run() {
    let signer = es256(jose_crypto_awslc::provider());
    for v in [
        Validation::new().clock(clock_at(NOW)),
        Validation::new().issuer(ISS).clock(clock_at(NOW)),
        Validation::new().audience(AUD).clock(clock_at(NOW)),
    ] {
        let err = check(&signer, &base_claims(), Header::new(), &v).unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
        assert_eq!(err.class(), ErrorClass::Local);
    }
    let any = Validation::new()
        .any_issuer()
        .any_audience()
        .clock(clock_at(NOW));
    let mut bare = Claims::new().expires_at(NOW + 10);
    check(&signer, &bare, Header::new(), &any).unwrap();
    bare.iss = Some("anyone".into());
    check(&signer, &bare, Header::new(), &any).unwrap();
}

#[test]
fn typ_is_case_insensitive_with_an_optional_application_prefix_and_otherwise_exact() {
    let signer = es256(jose_crypto_awslc::provider());
    let v = validation_at(NOW).typ("at+jwt");
    for ok in [
        "at+jwt",
        "AT+JWT",
        "At+Jwt",
        "application/at+jwt",
        "Application/AT+JWT",
    ] {
        check(&signer, &base_claims(), Header::with_typ(ok), &v)
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for bad in [
        "JWT",
        "at+jwt ",
        "at-jwt",
        "dpop+jwt",
        "application/jwt",
        "xapplication/at+jwt",
    ] {
        let err = claim_error(check(&signer, &base_claims(), Header::with_typ(bad), &v));
        assert_eq!(err.claim(), "typ", "{bad}");
        assert!(err.to_string().starts_with("\"typ\""), "{err}");
    }
    let err = claim_error(check(&signer, &base_claims(), Header::new(), &v));
    assert!(err.to_string().contains("found none"), "{err}");
    assert!(jwt::typ_matches("application/dpop+jwt", "DPOP+JWT"));
}

#[test]
fn registered_claims_of_the_wrong_type_are_refused_naming_the_claim() {
    let signer = es256(jose_crypto_awslc::provider());
    let v = validation_at(NOW);
    let cases: [(&str, &str); 9] = [
        ("exp", r#"{"exp":"1764979500"}"#),
        ("exp", r#"{"exp":-1}"#),
        ("exp", r#"{"exp":1e300}"#),
        ("nbf", r#"{"exp":1764979500,"nbf":null}"#),
        ("iat", r#"{"exp":1764979500,"iat":true}"#),
        ("iss", r#"{"exp":1764979500,"iss":42}"#),
        ("aud", r#"{"exp":1764979500,"aud":{"a":1}}"#),
        ("aud", r#"{"exp":1764979500,"aud":["ok",7]}"#),
        ("jti", r#"{"exp":1764979500,"jti":["x"]}"#),
    ];
    for (claim, json) in cases {
        let token = jose_core::JwsBuilder::new(json.as_bytes())
            .signer(&signer)
            .sign()
            .unwrap()
            .to_compact()
            .unwrap();
        let err = jwt::verify(&token, &[signer.verifying_key()], &v).unwrap_err();
        let Some(ClaimError::Invalid { claim: c, .. }) = err.claim_error() else {
            panic!("{json}: {err:?}");
        };
        assert_eq!(c, claim, "{json}");
    }
    // Not an object, duplicate members, not JSON: malformed.
    for json in [r#"["exp"]"#, r#"{"exp":1,"exp":2}"#, "not json"] {
        let token = jose_core::JwsBuilder::new(json.as_bytes())
            .signer(&signer)
            .sign()
            .unwrap()
            .to_compact()
            .unwrap();
        let err = jwt::verify(&token, &[signer.verifying_key()], &v).unwrap_err();
        assert!(
            matches!(err, Error::Malformed { .. } | Error::DuplicateMember { .. }),
            "{json}: {err:?}"
        );
    }
}

#[test]
fn fractional_numeric_dates_round_to_the_strict_side() {
    let claims = Claims::from_json(br#"{"exp":100.9,"nbf":50.1,"iat":50.1}"#).unwrap();
    assert_eq!(
        (claims.exp, claims.nbf, claims.iat),
        (Some(100), Some(51), Some(51))
    );
}

#[test]
fn the_signature_is_checked_before_the_claims_and_keys_are_the_algorithm_allow_list() {
    let provider = jose_crypto_awslc::provider();
    let signer = es256(provider);
    let other = es256(provider);
    let token = jwt::sign(
        &base_claims().expires_at(NOW - 1000),
        &signer,
        Header::new(),
    )
    .unwrap();
    // An expired token under the wrong key is a bad signature, not "expired".
    let err = jwt::verify(&token, &[other.verifying_key()], &validation_at(NOW)).unwrap_err();
    assert!(
        matches!(err, Error::BadSignature | Error::NoMatchingKey(_)),
        "{err:?}"
    );
    // A key bound to another algorithm does not verify it.
    let public = signer.verifying_key().public_key().unwrap().clone();
    let es384 = VerifyingKey::new(public, JwsAlgorithm::Es384);
    assert!(es384.is_err() || jwt::verify(&token, es384.ok(), &validation_at(NOW)).is_err());
    // Tampered payload.
    let mut parts: Vec<String> = jwt::sign(&base_claims(), &signer, Header::new())
        .unwrap()
        .split('.')
        .map(str::to_owned)
        .collect();
    let forged = Claims::new()
        .issuer(ISS)
        .audience(AUD)
        .subject("admin")
        .expires_at(NOW + 300);
    parts[1] = jose_core::b64::encode(forged.to_json().as_bytes());
    let err = jwt::verify(
        &parts.join("."),
        &[signer.verifying_key()],
        &validation_at(NOW),
    )
    .unwrap_err();
    assert_eq!(err, Error::BadSignature);
}

#[test]
fn other_serializations_and_payload_forms_are_refused() {
    let signer = es256(jose_crypto_awslc::provider());
    let v = validation_at(NOW);
    let json = base_claims().to_json();
    let detached = jose_core::JwsBuilder::new(json.as_bytes())
        .detached(true)
        .signer(&signer)
        .sign()
        .unwrap()
        .to_compact()
        .unwrap();
    let err = jwt::verify(&detached, &[signer.verifying_key()], &v).unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err:?}");
    let flattened = jose_core::JwsBuilder::new(json.as_bytes())
        .signer(&signer)
        .sign()
        .unwrap()
        .to_flattened_json()
        .unwrap();
    assert!(matches!(
        jwt::verify(&flattened, &[signer.verifying_key()], &v),
        Err(Error::Malformed { .. })
    ));
    // A signed JWT inside a signed JWT (cty JWT) is not unwrapped.
    let mut header = Header::new();
    header.set("cty", "JWT");
    let err = check(&signer, &base_claims(), header, &v).unwrap_err();
    assert!(matches!(err, Error::InvalidHeader(_)), "{err:?}");
    for junk in ["", ".", "..", "a.b.c", "a.b.c.d.e", "\u{0}"] {
        assert!(jwt::verify(junk, &[signer.verifying_key()], &v).is_err());
    }
}

#[test]
fn jti_is_accepted_once_through_the_replay_store() {
    let signer = es256(jose_crypto_awslc::provider());
    let store = Arc::new(InMemoryReplayStore::new(100));
    let v = validation_at(NOW).replay_store(store.clone());
    let claims = base_claims().jwt_id("a-unique-id");
    let token = jwt::sign(&claims, &signer, Header::new()).unwrap();
    jwt::verify(&token, &[signer.verifying_key()], &v).unwrap();
    let err = jwt::verify(&token, &[signer.verifying_key()], &v).unwrap_err();
    assert_eq!(err.class(), ErrorClass::Rejected);
    let Some(ClaimError::Jti { source }) = err.claim_error() else {
        panic!("{err:?}");
    };
    assert_eq!(source, &ReplayError::Replayed);
    let line = display_chain(&err);
    assert!(line.starts_with("\"jti\""), "{line}");
    assert!(line.contains("replayed"), "{line}");

    // Remembered until exp + leeway, then the id may come back.
    let later = validation_at(NOW + 300 + 60).replay_store(store.clone());
    let fresh = base_claims()
        .jwt_id("a-unique-id")
        .expires_at(NOW + 1000)
        .issued_at(NOW + 300);
    let token2 = jwt::sign(&fresh, &signer, Header::new()).unwrap();
    jwt::verify(&token2, &[signer.verifying_key()], &later).unwrap();

    // jti required with a store; an invalid token takes no room.
    let mut no_jti = base_claims();
    no_jti.jti = None;
    assert_eq!(
        claim_error(check(&signer, &no_jti, Header::new(), &v)),
        ClaimError::missing("jti")
    );
    let expired = base_claims().jwt_id("never-recorded").expires_at(NOW - 100);
    claim_error(check(&signer, &expired, Header::new(), &v));
    let valid_again = base_claims().jwt_id("never-recorded");
    check(&signer, &valid_again, Header::new(), &v).unwrap();
}

#[test]
fn verify_async_takes_any_store() {
    let signer = es256(jose_crypto_awslc::provider());
    let store = Arc::new(InMemoryReplayStore::new(10));
    let v = validation_at(NOW).replay_store(store);
    let token = jwt::sign(&base_claims().jwt_id("id-1"), &signer, Header::new()).unwrap();
    let keys = [signer.verifying_key()];
    let run = |fut: std::pin::Pin<
        &mut dyn std::future::Future<Output = Result<jwt::VerifiedJwt, Error>>,
    >| {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match fut.poll(&mut cx) {
            std::task::Poll::Ready(r) => r,
            std::task::Poll::Pending => panic!("the in-memory store never waits"),
        }
    };
    let mut first = Box::pin(jwt::verify_async(&token, &keys, &v));
    run(first.as_mut()).unwrap();
    let mut second = Box::pin(jwt::verify_async(&token, &keys, &v));
    let err = run(second.as_mut()).unwrap_err();
    assert_eq!(err.class(), ErrorClass::Rejected);
}

#[test]
fn nested_jwt_round_trip_and_refusals_on_both_providers() {
    for provider in providers() {
        let signer = es256(provider);
        let decrypter = DecryptingKey::new(
            PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)
                .unwrap()
                .with_kid("test-only-enc"),
            KeyManagementAlgorithm::RsaOaep256,
        )
        .unwrap();
        let claims = base_claims()
            .claim("iban", "DE89370400440532013000")
            .unwrap();
        let token = jwt::encrypt_signed(
            &claims,
            &signer,
            Header::with_typ("oauth-authz-req+jwt"),
            &decrypter.encrypting_key(),
            ContentEncryption::A256Gcm,
            provider,
        )
        .unwrap();
        assert_eq!(token.split('.').count(), 5);
        let v = validation_at(NOW).typ("oauth-authz-req+jwt");
        let opened = jwt::decrypt_verify(
            &token,
            [&decrypter],
            &[ContentEncryption::A256Gcm],
            &[signer.verifying_key()],
            &v,
            provider,
        )
        .unwrap();
        assert_eq!(opened.claims, claims);
        let jwe_header = opened.encryption_header.unwrap();
        assert_eq!(jwe_header.cty().unwrap(), Some("JWT"));

        // The claims are checked inside too.
        let late = validation_at(NOW + 1000).typ("oauth-authz-req+jwt");
        let err = jwt::decrypt_verify(
            &token,
            [&decrypter],
            &[ContentEncryption::A256Gcm],
            &[signer.verifying_key()],
            &late,
            provider,
        )
        .unwrap_err();
        assert!(
            matches!(err.claim_error(), Some(ClaimError::Expired { .. })),
            "{err:?}"
        );
        // enc outside the allow-list.
        assert!(
            jwt::decrypt_verify(
                &token,
                [&decrypter],
                &[ContentEncryption::A128Gcm],
                &[signer.verifying_key()],
                &v,
                provider,
            )
            .is_err()
        );
        // A signed JWT is not a nested one, and the reverse.
        let signed = jwt::sign(&claims, &signer, Header::new()).unwrap();
        assert!(matches!(
            jwt::decrypt_verify(
                &signed,
                [&decrypter],
                &[ContentEncryption::A256Gcm],
                &[signer.verifying_key()],
                &v,
                provider
            ),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            jwt::verify(&token, &[signer.verifying_key()], &v),
            Err(Error::Malformed { .. })
        ));
    }
}

#[test]
fn custom_claims_through_serde() {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Payment {
        iss: String,
        exp: i64,
        amount: String,
        currency: String,
    }
    let mine = Payment {
        iss: ISS.into(),
        exp: NOW + 60,
        amount: "10.00".into(),
        currency: "EUR".into(),
    };
    let claims = Claims::from_serialize(&mine).unwrap();
    assert_eq!(claims.iss.as_deref(), Some(ISS));
    assert_eq!(claims.exp, Some(NOW + 60));
    assert_eq!(claims.get_str("currency").unwrap(), Some("EUR"));
    assert_eq!(claims.deserialize::<Payment>().unwrap(), mine);
    assert!(claims.get_str("missing").unwrap().is_none());
    assert!(Claims::new().claim("exp", "soon").is_err());
    assert!(Claims::from_serialize(&[1, 2]).is_err());
    // Debug shows the names of other claims, never their values.
    let debug = format!("{claims:?}");
    assert!(
        debug.contains("currency") && !debug.contains("EUR"),
        "{debug}"
    );
}

#[test]
fn claim_errors_are_rejections_and_each_cause_is_printed_once() {
    let signer = es256(jose_crypto_awslc::provider());
    let err = check(
        &signer,
        &base_claims(),
        Header::new(),
        &validation_at(NOW + 10_000),
    )
    .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Rejected);
    assert_eq!(jose_core::error::repeated_cause(&err), None);
    let unavailable = Error::from(ClaimError::Jti {
        source: ReplayError::Unavailable {
            store: "redis",
            reason: "timed out".into(),
        },
    });
    assert_eq!(unavailable.class(), ErrorClass::Transport);
    assert_eq!(jose_core::error::repeated_cause(&unavailable), None);
}

#[test]
fn verifying_keys_from_a_published_jwks() {
    let provider = jose_crypto_awslc::provider();
    let ec = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)
        .unwrap()
        .with_kid("ec");
    let rsa = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)
        .unwrap()
        .with_kid("rsa");
    let secret = SecretKey::generate(256, provider).unwrap().with_kid("oct");
    let mut unusable = ec.public_key().to_jwk().unwrap();
    unusable.kid = Some("bad".into());
    unusable.x = Some("not-a-point".into());
    let jwks = jose_core::Jwks::new(vec![
        ec.public_key().to_jwk().unwrap(),
        rsa.to_jwk().unwrap(), // a private member in a published set: only the public half is used
        secret.to_jwk(),
        unusable,
    ]);
    let keys = VerifyingKey::from_jwks(
        &jwks,
        &[
            JwsAlgorithm::Es256,
            JwsAlgorithm::Ps256,
            JwsAlgorithm::Hs256,
        ],
        provider,
    )
    .unwrap();
    let bound: Vec<(Option<&str>, JwsAlgorithm)> =
        keys.iter().map(|k| (k.kid(), k.alg())).collect();
    assert_eq!(
        bound,
        [
            (Some("ec"), JwsAlgorithm::Es256),
            (Some("rsa"), JwsAlgorithm::Ps256)
        ]
    );
    let err = VerifyingKey::from_jwks(&jwks, &[JwsAlgorithm::EdDsa], provider).unwrap_err();
    assert!(matches!(err, Error::NoMatchingKey(_)), "{err:?}");
    assert!(
        err.to_string().contains("EdDSA") && err.to_string().contains("4 key(s)"),
        "{err}"
    );
    // A token from the set's EC key verifies with the bound keys.
    let signer = SigningKey::new(ec, JwsAlgorithm::Es256).unwrap();
    check(&signer, &base_claims(), Header::new(), &validation_at(NOW)).unwrap();
    let token = jwt::sign(&base_claims(), &signer, Header::new()).unwrap();
    jwt::verify(&token, &keys, &validation_at(NOW)).unwrap();
}
