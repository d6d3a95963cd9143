//! TrueLayer's fixtures (cases.json), byte-identity of the emitted header, an independent ES512
//! check with the p521 crate, and one test per verification and signing rule, on both providers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::*;
use jose::jws::SignatureFuture;
use jose::{CryptoProvider, EcCurve, Jwk, Jwks, JwsAlgorithm, KeySpec, Limits, PrivateKey};
use jose_truelayer_signing::{
    AsyncExternalSigner, Error, Es512SigningKey, ExternalSigner, JkuAllowList, Signer,
    TimestampProblem, TlVersion, Verifier, WebhookFreshness, extract_header, sign_request,
};
use serde_json::Value;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

const PATH: &str = "/merchant_accounts/a61acaef-ee05-4077-92f3-25543a11bd8d/sweeping";
const IDEMP: &str = "idemp-2076717c-9005-4811-a321-9e0787fa0382";
const BODY: &[u8] = br#"{"currency":"GBP","max_amount_in_minor":5000000}"#;

fn providers() -> Vec<&'static dyn CryptoProvider> {
    let p = jose::providers();
    assert_eq!(p.len(), 2, "both providers must be compiled in");
    p
}

fn jwks_fixture() -> Jwks {
    Jwks::from_json(&vector("jwks.json"), &Limits::default()).unwrap()
}

fn verifier_for_pem(provider: &'static dyn CryptoProvider) -> Verifier<'static> {
    Verifier::from_pem(&fixture_public_pem(), provider).unwrap()
}

/// A signature over the standard test request (POST PATH, Idempotency-Key, BODY).
fn standard_signature(provider: &dyn CryptoProvider) -> String {
    Signer::new(KID)
        .method("POST")
        .path(PATH)
        .header("Idempotency-Key", IDEMP)
        .body(BODY)
        .sign(&fixture_key(provider))
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// cases.json

#[test]
fn every_case_gets_its_verdict_on_both_providers() {
    let doc: Value = serde_json::from_str(&vector("cases.json")).unwrap();
    assert_eq!(doc["kid"], KID);
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    let jwks = jwks_fixture();
    for provider in providers() {
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let headers: Vec<(String, String)> = case["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap().to_owned(),
                        h[1].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            let body = case["body"].as_str().unwrap();
            let signature = case["signature"].as_str().unwrap();
            let verify = |allow_v1: bool| {
                let base = match (case.get("key"), case.get("jwks")) {
                    (Some(k), None) => {
                        Verifier::from_pem(&vector(k.as_str().unwrap()), provider).unwrap()
                    }
                    (None, Some(_)) => Verifier::from_jwks(&jwks, provider),
                    _ => panic!("{name}: a case names a key or a JWKS"),
                };
                base.method(case["method"].as_str().unwrap())
                    .path(case["path"].as_str().unwrap())
                    .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())))
                    .body(body.as_bytes())
                    .allow_v1(allow_v1)
                    .verify(signature)
            };
            let what = format!("{name} on {}", provider.name());
            match case["expect"].as_str().unwrap() {
                "valid" => {
                    let v = verify(false).unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(v.version, TlVersion::V2, "{what}");
                    assert_eq!(v.header.kid, KID, "{what}");
                    assert!(verify(true).is_ok(), "{what} with v1 allowed");
                }
                "valid-only-with-v1-opt-in" => {
                    let err = verify(false).unwrap_err();
                    assert!(
                        matches!(err, Error::UnsupportedSignature { .. }),
                        "{what}: {err}"
                    );
                    let v = verify(true).unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(v.version, TlVersion::V1, "{what}");
                    assert!(v.signed_headers.is_empty());
                }
                "invalid" => {
                    for allow in [false, true] {
                        let err = verify(allow).unwrap_err();
                        assert!(err.is_rejection(), "{what}: {err}");
                        assert_eq!(
                            err,
                            Error::UnsignedHeader {
                                name: "Tl-Signature-Version".into(),
                                signed: "Idempotency-Key".into()
                            },
                            "{what}"
                        );
                    }
                }
                other => panic!("{what}: unknown expectation {other}"),
            }
        }
    }
}

#[test]
fn the_two_signature_files_match_the_cases() {
    let doc: Value = serde_json::from_str(&vector("cases.json")).unwrap();
    assert_eq!(
        vector("tl-signature.txt").trim(),
        doc["cases"][0]["signature"].as_str().unwrap()
    );
    assert_eq!(
        vector("webhook-signature.txt").trim(),
        doc["cases"][1]["signature"].as_str().unwrap()
    );
}

// ---------------------------------------------------------------------------------------------
// What we emit

#[test]
fn emitted_header_is_byte_identical_to_the_reference_form() {
    let doc: Value = serde_json::from_str(&vector("cases.json")).unwrap();
    let sweeping = &doc["cases"][0];
    let webhook = &doc["cases"][1];
    let reference_api = sweeping["signature"].as_str().unwrap();
    let reference_webhook = webhook["signature"].as_str().unwrap();
    for provider in providers() {
        let key = fixture_key(provider);
        let ours = Signer::new(KID)
            .method("POST")
            .path(sweeping["path"].as_str().unwrap())
            .header("Idempotency-Key", IDEMP)
            .body(sweeping["body"].as_str().unwrap().as_bytes())
            .sign(&key)
            .unwrap();
        assert_eq!(
            ours.split_once("..").unwrap().0,
            reference_api.split_once("..").unwrap().0
        );
        assert_eq!(
            header_text(&ours),
            format!(
                r#"{{"alg":"ES512","kid":"{KID}","tl_version":"2","tl_headers":"Idempotency-Key"}}"#
            )
        );
        let hook = Signer::webhook(KID)
            .method("POST")
            .path("/tl-webhook")
            .header("X-Tl-Webhook-Timestamp", "2021-11-29T11:42:55Z")
            .header("Content-Type", "application/json")
            .body(webhook["body"].as_str().unwrap().as_bytes())
            .jku("https://webhooks.truelayer.com/.well-known/jwks");
        for sig in [hook.sign(&key).unwrap(), hook.sign_with(&key).unwrap()] {
            assert_eq!(
                sig.split_once("..").unwrap().0,
                reference_webhook.split_once("..").unwrap().0
            );
        }
    }
}

#[test]
fn our_signatures_pass_an_independent_es512_check() {
    let public = fixture_public_pem();
    let payload = [
        b"POST ".as_slice(),
        PATH.as_bytes(),
        b"\nIdempotency-Key: ",
        IDEMP.as_bytes(),
        b"\n",
        BODY,
    ]
    .concat();
    for provider in providers() {
        let key = fixture_key(provider);
        let signer = Signer::new(KID)
            .method("post")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .body(BODY);
        for sig in [signer.sign(&key).unwrap(), signer.sign_with(&key).unwrap()] {
            assert!(independent_es512_check(&public, &sig, &payload), "{sig}");
            // The check itself can fail: a different payload or a flipped signature bit.
            assert!(!independent_es512_check(&public, &sig, b"POST /other\n"));
            let mut bytes = signature_bytes(&sig);
            bytes[70] ^= 1;
            assert!(!independent_es512_check(
                &public,
                &with_signature_bytes(&sig, &bytes),
                &payload
            ));
        }
    }
    // And it accepts TrueLayer's own fixture signature.
    let fixture_payload = [
        b"POST ".as_slice(),
        PATH.as_bytes(),
        b"\nIdempotency-Key: ",
        IDEMP.as_bytes(),
        b"\n",
        br#"{"currency":"GBP","max_amount_in_minor":5000000,"name":"Foo???"}"#,
    ]
    .concat();
    assert!(independent_es512_check(
        &public,
        vector("tl-signature.txt").trim(),
        &fixture_payload
    ));
}

#[test]
fn signatures_cross_providers_and_key_formats() {
    for signer_provider in providers() {
        let pem_key = fixture_key(signer_provider);
        let private = fixture_private(signer_provider);
        let pkcs8 =
            Es512SigningKey::from_pem(&private.to_pkcs8_pem().unwrap(), signer_provider).unwrap();
        let jwk = private.to_jwk().unwrap();
        let from_jwk = Es512SigningKey::from_jwk(&jwk, signer_provider).unwrap();
        let from_jwk_json =
            Es512SigningKey::from_jwk_json(&jwk.to_json(), signer_provider).unwrap();
        for key in [&pem_key, &pkcs8, &from_jwk, &from_jwk_json] {
            let sig = Signer::new(KID)
                .method("POST")
                .path(PATH)
                .header("Idempotency-Key", IDEMP)
                .body(BODY)
                .sign(key)
                .unwrap();
            for verifier_provider in providers() {
                verifier_for_pem(verifier_provider)
                    .method("POST")
                    .path(PATH)
                    .header("Idempotency-Key", IDEMP)
                    .body(BODY)
                    .require_header("Idempotency-Key")
                    .verify(&sig)
                    .unwrap();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Keys

#[test]
fn keys_that_are_not_p521_are_invalid_keys() {
    for provider in providers() {
        let p256 = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider).unwrap();
        let pem = p256.to_pkcs8_pem().unwrap();
        assert!(matches!(
            Es512SigningKey::from_pem(&pem, provider),
            Err(Error::InvalidKey { .. })
        ));
        assert!(matches!(
            Verifier::new(&p256.public_key()),
            Err(Error::InvalidKey { .. })
        ));
        // A public key is not a signing key; garbage is not a key.
        assert!(matches!(
            Es512SigningKey::from_pem(&fixture_public_pem(), provider),
            Err(Error::InvalidKey { .. })
        ));
        let public_jwk = fixture_private(provider).public_key().to_jwk().unwrap();
        assert!(matches!(
            Es512SigningKey::from_jwk(&public_jwk, provider),
            Err(Error::InvalidKey { .. })
        ));
        assert!(matches!(
            Es512SigningKey::from_pem(
                "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
                provider
            ),
            Err(Error::InvalidKey { .. })
        ));
        assert!(matches!(
            Verifier::from_pem("not a key", provider),
            Err(Error::InvalidKey { .. })
        ));
        // A JWK whose metadata says ES256 cannot sign ES512.
        let mut jwk = fixture_private(provider).to_jwk().unwrap();
        jwk.alg = Some("ES256".into());
        assert!(matches!(
            Es512SigningKey::from_jwk(&jwk, provider),
            Err(Error::InvalidKey { .. })
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Verification rules

#[test]
fn es512_only() {
    for provider in providers() {
        let p256 = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)
            .unwrap()
            .with_kid(KID);
        let payload = format!("POST {PATH}\nIdempotency-Key: {IDEMP}\n").into_bytes();
        let payload = [payload.as_slice(), BODY].concat();
        let es256 = craft(
            &p256,
            JwsAlgorithm::Es256,
            &[
                ("kid", KID),
                ("tl_version", "2"),
                ("tl_headers", "Idempotency-Key"),
            ],
            &payload,
        );
        // Even with the P-256 key itself as the verifier's key, ES256 is refused.
        let err = Verifier::from_jwks(
            &Jwks::new(vec![p256.public_key().to_jwk().unwrap()]),
            provider,
        )
        .method("POST")
        .path(PATH)
        .header("Idempotency-Key", IDEMP)
        .body(BODY)
        .verify(&es256)
        .unwrap_err();
        assert!(matches!(err, Error::UnsupportedSignature { .. }), "{err}");
        // alg "none", HS512: same.
        for alg in ["none", "HS512"] {
            let header =
                format!(r#"{{"alg":"{alg}","kid":"{KID}","tl_version":"2","tl_headers":""}}"#);
            let sig = format!("{}..{}", b64url(header.as_bytes()), b64url(&[7u8; 132]));
            let err = verifier_for_pem(provider)
                .method("POST")
                .path(PATH)
                .verify(&sig)
                .unwrap_err();
            assert!(
                matches!(err, Error::UnsupportedSignature { .. }),
                "{alg}: {err}"
            );
        }
    }
}

#[test]
fn kid_is_required() {
    for provider in providers() {
        let key = fixture_private(provider); // no kid
        let payload = format!("POST {PATH}\n").into_bytes();
        let sig = craft(
            &key,
            JwsAlgorithm::Es512,
            &[("tl_version", "2"), ("tl_headers", "")],
            &payload,
        );
        assert!(!header_text(&sig).contains("kid"));
        let err = verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .verify(&sig)
            .unwrap_err();
        assert!(matches!(err, Error::MalformedSignature { .. }), "{err}");
        assert!(err.to_string().contains("kid"), "{err}");
        // With a kid, the same request verifies.
        let sig = craft(
            &key,
            JwsAlgorithm::Es512,
            &[("kid", KID), ("tl_version", "2"), ("tl_headers", "")],
            &payload,
        );
        verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .verify(&sig)
            .unwrap();
    }
}

#[test]
fn tl_version_must_be_2() {
    for provider in providers() {
        let key = fixture_private(provider);
        let payload = format!("POST {PATH}\n").into_bytes();
        for version in ["3", "02", "v2", ""] {
            let sig = craft(
                &key,
                JwsAlgorithm::Es512,
                &[("kid", KID), ("tl_version", version), ("tl_headers", "")],
                &payload,
            );
            for allow_v1 in [false, true] {
                let err = verifier_for_pem(provider)
                    .method("POST")
                    .path(PATH)
                    .allow_v1(allow_v1)
                    .verify(&sig)
                    .unwrap_err();
                assert!(
                    matches!(err, Error::UnsupportedSignature { .. }),
                    "{version}: {err}"
                );
            }
        }
        // The legacy v1 form: explicit "1" or absent; body only; only with the opt-in.
        for members in [vec![("kid", KID), ("tl_version", "1")], vec![("kid", KID)]] {
            let sig = craft(&key, JwsAlgorithm::Es512, &members, BODY);
            let v = verifier_for_pem(provider)
                .method("POST")
                .path(PATH)
                .body(BODY);
            assert!(matches!(
                v.clone().verify(&sig),
                Err(Error::UnsupportedSignature { .. })
            ));
            assert_eq!(
                v.clone().allow_v1(true).verify(&sig).unwrap().version,
                TlVersion::V1
            );
            // v1 covers the body: a different body fails; a required header cannot be signed by v1.
            assert_eq!(
                v.clone()
                    .allow_v1(true)
                    .body(b"{}")
                    .verify(&sig)
                    .unwrap_err(),
                Error::BadSignature
            );
            assert!(matches!(
                v.allow_v1(true)
                    .require_header("Idempotency-Key")
                    .verify(&sig),
                Err(Error::UnsignedHeader { .. })
            ));
        }
    }
}

#[test]
fn header_names_match_case_insensitively_and_the_payload_uses_tl_headers_casing() {
    for provider in providers() {
        let key = fixture_private(provider);
        // A signature whose tl_headers spells the name in lower case, signed over that casing.
        let payload = [
            format!("POST {PATH}\nidempotency-key: {IDEMP}\nX-CUSTOM: 1\n").as_bytes(),
            BODY,
        ]
        .concat();
        let sig = craft(
            &key,
            JwsAlgorithm::Es512,
            &[
                ("kid", KID),
                ("tl_version", "2"),
                ("tl_headers", "idempotency-key,X-CUSTOM"),
            ],
            &payload,
        );
        let verified = verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .header("X-Custom", "1")
            .header("Idempotency-Key", IDEMP)
            .header("Unrelated", "ignored")
            .body(BODY)
            .require_header("IDEMPOTENCY-KEY")
            .verify(&sig)
            .unwrap();
        assert_eq!(verified.signed_headers, ["idempotency-key", "X-CUSTOM"]);
        // Our own signatures: any casing and order of the request's headers.
        let ours = Signer::new(KID)
            .method("post")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .header("X-Custom", "123")
            .body(BODY)
            .sign(&fixture_key(provider))
            .unwrap();
        verifier_for_pem(provider)
            .method("post")
            .path(PATH)
            .header("X-CUSTOM", "123")
            .header("idempotency-key", IDEMP)
            .body(BODY)
            .verify(&ours)
            .unwrap();
    }
}

#[test]
fn a_listed_header_absent_from_the_request_is_an_error() {
    for provider in providers() {
        let sig = standard_signature(provider);
        let err = verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .header("X-Whatever", "aoitbeh")
            .body(BODY)
            .verify(&sig)
            .unwrap_err();
        assert_eq!(
            err,
            Error::MissingHeader {
                name: "Idempotency-Key".into()
            }
        );
    }
}

#[test]
fn a_signed_header_given_twice_is_ambiguous() {
    for provider in providers() {
        let sig = standard_signature(provider);
        let err = verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .header("idempotency-key", "other")
            .body(BODY)
            .verify(&sig)
            .unwrap_err();
        assert_eq!(
            err,
            Error::AmbiguousHeader {
                name: "Idempotency-Key".into(),
                count: 2
            }
        );
        // An unsigned header may repeat.
        verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .header("Accept", "a")
            .header("accept", "b")
            .body(BODY)
            .verify(&sig)
            .unwrap();
    }
}

#[test]
fn required_headers_must_be_signed() {
    for provider in providers() {
        let sig = standard_signature(provider);
        let base = verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .header("X-Required", "present but unsigned")
            .body(BODY);
        base.clone()
            .require_header("idempotency-key")
            .verify(&sig)
            .unwrap();
        assert_eq!(
            base.require_header("X-Required").verify(&sig).unwrap_err(),
            Error::UnsignedHeader {
                name: "X-Required".into(),
                signed: "Idempotency-Key".into()
            }
        );
    }
}

#[test]
fn tl_version_and_tl_headers_from_request_headers_must_be_signed() {
    for provider in providers() {
        let key = fixture_private(provider);
        let request_headers = |version_signed: bool| {
            let mut list = vec!["Idempotency-Key"];
            if version_signed {
                list.push("Tl-Signature-Version");
            }
            list.push("Tl-Signature-Headers");
            list.join(",")
        };
        for version_signed in [true, false] {
            let list = request_headers(version_signed);
            let mut payload = format!("POST {PATH}\nIdempotency-Key: {IDEMP}\n");
            if version_signed {
                payload.push_str("Tl-Signature-Version: 2\n");
            }
            payload.push_str(&format!("Tl-Signature-Headers: {list}\n"));
            let payload = [payload.as_bytes(), BODY].concat();
            let sig = craft(&key, JwsAlgorithm::Es512, &[("kid", KID)], &payload);
            let result = verifier_for_pem(provider)
                .method("POST")
                .path(PATH)
                .header("Idempotency-Key", IDEMP)
                .header("tl-signature-version", "2")
                .header("Tl-Signature-Headers", &list)
                .body(BODY)
                .verify(&sig);
            if version_signed {
                assert_eq!(result.unwrap().version, TlVersion::V2);
            } else {
                assert_eq!(
                    result.unwrap_err(),
                    Error::UnsignedHeader {
                        name: "Tl-Signature-Version".into(),
                        signed: list.clone()
                    }
                );
            }
        }
        // tl_version in the JOSE header, tl_headers from the request: only Tl-Signature-Headers
        // must then be signed.
        let payload = [
            format!("POST {PATH}\nIdempotency-Key: {IDEMP}\nTl-Signature-Headers: Idempotency-Key,Tl-Signature-Headers\n").as_bytes(),
            BODY,
        ]
        .concat();
        let sig = craft(
            &key,
            JwsAlgorithm::Es512,
            &[("kid", KID), ("tl_version", "2")],
            &payload,
        );
        verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .header(
                "Tl-Signature-Headers",
                "Idempotency-Key,Tl-Signature-Headers",
            )
            .body(BODY)
            .verify(&sig)
            .unwrap();
        // ... and a Tl-Signature-Headers request header that does not list itself is refused,
        // even though the signature covers everything it does list.
        let payload = [
            format!("POST {PATH}\nIdempotency-Key: {IDEMP}\n").as_bytes(),
            BODY,
        ]
        .concat();
        let sig = craft(
            &key,
            JwsAlgorithm::Es512,
            &[("kid", KID), ("tl_version", "2")],
            &payload,
        );
        assert_eq!(
            verifier_for_pem(provider)
                .method("POST")
                .path(PATH)
                .header("Idempotency-Key", IDEMP)
                .header("Tl-Signature-Headers", "Idempotency-Key")
                .body(BODY)
                .verify(&sig)
                .unwrap_err(),
            Error::UnsignedHeader {
                name: "Tl-Signature-Headers".into(),
                signed: "Idempotency-Key".into()
            }
        );
        // A Tl-Signature-Version request header that says anything but "2" is refused.
        let payload = [
            format!("POST {PATH}\nTl-Signature-Version: 3\n").as_bytes(),
            BODY,
        ]
        .concat();
        let sig = craft(
            &key,
            JwsAlgorithm::Es512,
            &[("kid", KID), ("tl_headers", "Tl-Signature-Version")],
            &payload,
        );
        assert!(matches!(
            verifier_for_pem(provider)
                .method("POST")
                .path(PATH)
                .header("Tl-Signature-Version", "3")
                .body(BODY)
                .verify(&sig),
            Err(Error::UnsupportedSignature { .. })
        ));
        // Neither tl_headers nor the request header: malformed.
        let sig = craft(
            &key,
            JwsAlgorithm::Es512,
            &[("kid", KID), ("tl_version", "2")],
            BODY,
        );
        assert!(matches!(
            verifier_for_pem(provider)
                .method("POST")
                .path(PATH)
                .verify(&sig),
            Err(Error::MalformedSignature { .. })
        ));
    }
}

#[test]
fn the_signature_must_be_exactly_132_bytes() {
    for provider in providers() {
        let sig = standard_signature(provider);
        let bytes = signature_bytes(&sig);
        let v = verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .body(BODY);
        v.verify(&sig).unwrap();
        let mut longer = bytes.clone();
        longer.push(0);
        let mut zero_prefixed = vec![0u8];
        zero_prefixed.extend_from_slice(&bytes);
        for wrong in [
            &bytes[..131],
            &bytes[1..],
            &longer[..],
            &zero_prefixed[..],
            &bytes[..64],
        ] {
            let err = v.verify(&with_signature_bytes(&sig, wrong)).unwrap_err();
            assert!(matches!(err, Error::MalformedSignature { .. }), "{err}");
            assert!(err.to_string().contains("132"), "{err}");
        }
    }
}

#[test]
fn an_attached_payload_is_rejected() {
    for provider in providers() {
        let sig = standard_signature(provider);
        let (h, s) = sig.split_once("..").unwrap();
        let payload = [
            format!("POST {PATH}\nIdempotency-Key: {IDEMP}\n").as_bytes(),
            BODY,
        ]
        .concat();
        // The same signature with its payload attached: cryptographically valid, refused by form.
        let attached = format!("{h}.{}.{s}", b64url(&payload));
        let err = verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .body(BODY)
            .verify(&attached)
            .unwrap_err();
        assert!(matches!(err, Error::MalformedSignature { .. }), "{err}");
        assert!(err.to_string().contains("attached"), "{err}");
        assert!(extract_header(&attached).is_err());
    }
}

#[test]
fn malformed_signatures_are_rejected_without_panicking() {
    let provider = jose::default_provider();
    let good = standard_signature(provider);
    let (h, s) = good.split_once("..").unwrap();
    let v = verifier_for_pem(provider)
        .method("POST")
        .path(PATH)
        .header("Idempotency-Key", IDEMP)
        .body(BODY);
    for bad in [
        String::new(),
        ".".into(),
        "..".into(),
        "...".into(),
        h.to_owned(),
        format!("{h}.{s}"),
        format!("{h}..{s}.x"),
        format!("..{s}"),
        format!("{h}.."),
        format!("{h}..{s}="),
        // A character of the standard alphabet, not of base64url. (Replacing '-' by '+' did
        // nothing to the ~6% of random signatures that have no '-', and the test then failed.)
        format!("{h}..+{}", s.get(1..).unwrap()),
        format!("{}..{s}", b64url(b"not json")),
        format!("{}..{s}", b64url(b"[1,2]")),
        format!("{}..{s}", b64url(br#"{"alg":"ES512","kid":7}"#)),
        format!(
            "{}..{s}",
            b64url(br#"{"alg":"ES512","alg":"ES512","kid":"k"}"#)
        ),
        format!("{}..{s}", b64url(br#"{"kid":"k"}"#)),
        format!(" {good}"),
    ] {
        let err = v.verify(&bad).unwrap_err();
        assert!(err.is_rejection(), "{bad:?}: {err}");
        assert!(
            matches!(err, Error::MalformedSignature { .. }),
            "{bad:?}: {err}"
        );
    }
    // "b64":false would change the signing input; TrueLayer's verifiers ignore it, so we refuse.
    let key = fixture_private(provider);
    let sig = {
        let signer = jose::SigningKey::new(key, JwsAlgorithm::Es512).unwrap();
        let mut hd = jose::Header::new();
        hd.set("kid", KID)
            .set("tl_version", "2")
            .set("tl_headers", "");
        jose::jws::JwsBuilder::new(format!("POST {PATH}\n").as_bytes())
            .detached(true)
            .unencoded(true)
            .signer_with(&signer, hd, None)
            .sign()
            .unwrap()
            .to_compact()
            .unwrap()
    };
    assert!(matches!(
        verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .verify(&sig),
        Err(Error::UnsupportedSignature { .. })
    ));
}

#[test]
fn one_retry_with_a_trailing_slash_toggled() {
    for provider in providers() {
        let key = fixture_key(provider);
        let sign = |path: &str| {
            Signer::new(KID)
                .method("POST")
                .path(path)
                .header("Idempotency-Key", IDEMP)
                .body(BODY)
                .sign(&key)
                .unwrap()
        };
        let verify = |sig: &str, path: &str| {
            verifier_for_pem(provider)
                .method("POST")
                .path(path)
                .header("Idempotency-Key", IDEMP)
                .body(BODY)
                .verify(sig)
        };
        let no_slash = sign("/payouts");
        // Our signer refuses a trailing slash; TrueLayer's sign the path as given, so a
        // signature over "/payouts/" is made here through jose-core directly.
        let slash = craft(
            &fixture_private(provider),
            JwsAlgorithm::Es512,
            &[
                ("kid", KID),
                ("tl_version", "2"),
                ("tl_headers", "Idempotency-Key"),
            ],
            format!(
                "POST /payouts/\nIdempotency-Key: {IDEMP}\n{}",
                std::str::from_utf8(BODY).unwrap()
            )
            .as_bytes(),
        );
        assert!(!verify(&no_slash, "/payouts").unwrap().path_retried);
        assert!(verify(&no_slash, "/payouts/").unwrap().path_retried);
        assert!(verify(&slash, "/payouts").unwrap().path_retried);
        assert!(!verify(&slash, "/payouts/").unwrap().path_retried);
        // One slash only, and only at the end.
        assert_eq!(
            verify(&no_slash, "/payouts//").unwrap_err(),
            Error::BadSignature
        );
        assert!(verify(&slash, "/payouts//").unwrap().path_retried);
        assert_eq!(
            verify(&no_slash, "/payouts/x").unwrap_err(),
            Error::BadSignature
        );
        assert_eq!(
            verify(&no_slash, "//payouts").unwrap_err(),
            Error::BadSignature
        );
    }
}

#[test]
fn a_path_must_start_with_a_slash_on_both_sides() {
    let provider = jose::default_provider();
    let key = fixture_key(provider);
    for path in [
        "",
        "payouts",
        "https://api.truelayer.com/payouts",
        " /payouts",
    ] {
        let err = Signer::new(KID)
            .method("POST")
            .path(path)
            .sign(&key)
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "{path:?}: {err}"
        );
        assert!(!err.is_rejection());
        let sig = standard_signature(provider);
        let err = verifier_for_pem(provider)
            .method("POST")
            .path(path)
            .header("Idempotency-Key", IDEMP)
            .body(BODY)
            .verify(&sig)
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "{path:?}: {err}"
        );
    }
}

#[test]
fn the_method_is_upper_cased_and_required() {
    let provider = jose::default_provider();
    let key = fixture_key(provider);
    let sig = Signer::webhook(KID)
        .method("delete")
        .path("/x")
        .sign(&key)
        .unwrap();
    for m in ["DELETE", "delete", "Delete"] {
        verifier_for_pem(provider)
            .method(m)
            .path("/x")
            .verify(&sig)
            .unwrap();
    }
    assert_eq!(
        verifier_for_pem(provider)
            .method("POST")
            .path("/x")
            .verify(&sig)
            .unwrap_err(),
        Error::BadSignature
    );
    assert!(independent_es512_check(
        &fixture_public_pem(),
        &sig,
        b"DELETE /x\n"
    ));
    assert!(matches!(
        Signer::new(KID)
            .path("/x")
            .header("Idempotency-Key", IDEMP)
            .sign(&key),
        Err(Error::InvalidRequest { .. })
    ));
    assert!(matches!(
        verifier_for_pem(provider).path("/x").verify(&sig),
        Err(Error::InvalidRequest { .. })
    ));
}

#[test]
fn signing_refuses_requests_that_would_sign_ambiguously() {
    let provider = jose::default_provider();
    let key = fixture_key(provider);
    let base = || {
        Signer::new(KID)
            .method("POST")
            .path("/payouts")
            .header("Idempotency-Key", IDEMP)
    };
    let cases: Vec<Signer<'_>> = vec![
        base().header("idempotency-key", "b"),
        base().header("A,B", "x"),
        base().header("A: B", "x"),
        base().header("", "x"),
        base().header("X-A", "1\nX-B: 2"),
        base().header("X-A", "1\r"),
        base().path("/a\nX-B: 2"),
        base().path("/a b"),
        base().method("PO ST"),
        base().method(""),
        Signer::new("")
            .method("POST")
            .path("/payouts")
            .header("Idempotency-Key", IDEMP),
        base().jku(""),
    ];
    for signer in cases {
        let err = signer.sign(&key).unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "{signer:?}: {err}"
        );
        assert!(matches!(
            signer.sign_with(&key),
            Err(Error::InvalidRequest { .. })
        ));
    }
    // Empty header values and an empty body are fine.
    let sig = base().header("X-Empty", "").sign(&key).unwrap();
    verifier_for_pem(provider)
        .method("POST")
        .path("/payouts")
        .header("idempotency-key", IDEMP)
        .header("x-empty", "")
        .verify(&sig)
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Webhooks: JWKS and jku

#[test]
fn webhook_via_jwks_with_padding_and_skipping() {
    let jwks = jwks_fixture();
    // The fixture's EC key has a 65-byte x: strict conversion refuses it, padding fixes it.
    let ec = jwks.iter().find(|k| k.kty == "EC").unwrap();
    for provider in providers() {
        assert!(jose::PublicKey::from_jwk(ec, provider).is_err());
    }
    let sig = vector("webhook-signature.txt");
    let sig = sig.trim();
    let body = br#"{"event_type":"example","event_id":"18b2842b-a57b-4887-a0a6-d3c7c36f1020"}"#;
    let verify = |jwks: &Jwks, provider: &'static dyn CryptoProvider| {
        Verifier::from_jwks(jwks, provider)
            .method("POST")
            .path("/tl-webhook")
            .header("X-Tl-Webhook-Timestamp", "2021-11-29T11:42:55Z")
            .header("Content-Type", "application/json")
            .body(body)
            .verify(sig)
    };
    for provider in providers() {
        assert_eq!(
            verify(&jwks, provider).unwrap().header.jku.as_deref(),
            Some("https://webhooks.truelayer.com/.well-known/jwks")
        );
        // An RSA key with the same kid placed first is skipped.
        let mut rsa = jwks.iter().find(|k| k.kty == "RSA").unwrap().clone();
        rsa.kid = Some(KID.into());
        let mut keys = vec![rsa.clone()];
        keys.extend(jwks.iter().cloned());
        verify(&Jwks::new(keys), provider).unwrap();
        // Only the RSA key with that kid: no matching key.
        let err = verify(&Jwks::new(vec![rsa]), provider).unwrap_err();
        assert!(matches!(err, Error::NoMatchingKey { .. }), "{err}");
        // Another P-521 key under another kid is not used; the fixture key under another kid
        // does not match.
        let other = PrivateKey::generate(KeySpec::Ec(EcCurve::P521), provider).unwrap();
        let mut other_jwk = other.public_key().to_jwk().unwrap();
        other_jwk.kid = Some(KID.into());
        let mut renamed = ec.clone();
        renamed.kid = Some("someone-else".into());
        assert_eq!(
            verify(&Jwks::new(vec![other_jwk.clone()]), provider).unwrap_err(),
            Error::BadSignature
        );
        assert!(matches!(
            verify(&Jwks::new(vec![renamed.clone()]), provider),
            Err(Error::NoMatchingKey { .. })
        ));
        // Two candidates with the kid: the right one is found.
        verify(&Jwks::new(vec![other_jwk, ec.clone()]), provider).unwrap();
        // A P-256 key with the kid is skipped like the RSA one.
        let p256 = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider).unwrap();
        let mut p256_jwk: Jwk = p256.public_key().to_jwk().unwrap();
        p256_jwk.kid = Some(KID.into());
        assert!(matches!(
            verify(&Jwks::new(vec![p256_jwk]), provider),
            Err(Error::NoMatchingKey { .. })
        ));
    }
}

#[test]
fn jku_allow_list() {
    let provider = jose::default_provider();
    let sig = vector("webhook-signature.txt");
    let list = JkuAllowList::default();
    assert_eq!(
        list.webhook_jku(sig.trim()).unwrap(),
        "https://webhooks.truelayer.com/.well-known/jwks"
    );
    assert_eq!(list.urls().len(), 2);
    // The sandbox URL is allowed; lookalikes are not.
    let key = fixture_key(provider);
    for (jku, allowed) in [
        (
            "https://webhooks.truelayer-sandbox.com/.well-known/jwks",
            true,
        ),
        ("https://webhooks.truelayer.com/.well-known/jwks", true),
        ("https://webhooks.truelayer.com/.well-known/jwks?x", false),
        (
            "https://webhooks.truelayer.com.attacker.example/.well-known/jwks",
            false,
        ),
        ("http://webhooks.truelayer.com/.well-known/jwks", false),
        ("https://attacker.example/.well-known/jwks", false),
    ] {
        let sig = Signer::webhook(KID)
            .method("POST")
            .path("/hook")
            .jku(jku)
            .sign(&key)
            .unwrap();
        match list.webhook_jku(&sig) {
            Ok(found) => {
                assert!(allowed, "{jku}");
                assert_eq!(found, jku);
            }
            Err(e) => {
                assert!(!allowed, "{jku}");
                assert!(matches!(e, Error::JkuNotAllowed { .. }), "{e}");
            }
        }
    }
    // No jku at all; a custom list.
    let no_jku = standard_signature(provider);
    assert!(matches!(
        list.webhook_jku(&no_jku),
        Err(Error::JkuNotAllowed { .. })
    ));
    let custom = JkuAllowList::new(["https://example.test/jwks"]);
    let sig = Signer::webhook(KID)
        .method("POST")
        .path("/h")
        .jku("https://example.test/jwks")
        .sign(&key)
        .unwrap();
    assert_eq!(
        custom.webhook_jku(&sig).unwrap(),
        "https://example.test/jwks"
    );
    assert!(list.webhook_jku(&sig).is_err());
}

#[test]
fn extract_header_reads_without_verifying() {
    let h = extract_header(vector("webhook-signature.txt").trim()).unwrap();
    assert_eq!(h.alg, "ES512");
    assert_eq!(h.kid, KID);
    assert_eq!(h.tl_version.as_deref(), Some("2"));
    assert_eq!(
        h.tl_headers.as_deref(),
        Some("X-Tl-Webhook-Timestamp,Content-Type")
    );
    assert_eq!(
        h.header.to_json(),
        header_text(vector("webhook-signature.txt").trim())
    );
    let v1 = extract_header(
        serde_json::from_str::<Value>(&vector("cases.json")).unwrap()["cases"][2]["signature"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(v1.tl_version, None);
}

// ---------------------------------------------------------------------------------------------
// External signers

#[test]
fn external_signer_sync() {
    for provider in providers() {
        let key = fixture_key(provider);
        let signer = Signer::new(KID)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .body(BODY);
        // A closure standing in for a KMS: it sees exactly the JWS signing input.
        let seen = std::cell::RefCell::new(Vec::new());
        let kms = |input: &[u8]| -> Result<Vec<u8>, Error> {
            seen.borrow_mut().extend_from_slice(input);
            key.sign_es512(input)
        };
        let sig = signer.sign_with(&kms).unwrap();
        let prepared = signer.prepare().unwrap();
        assert_eq!(seen.borrow().as_slice(), prepared.as_bytes());
        assert_eq!(sig.split_once("..").unwrap().0, prepared.header_b64());
        // Same header bytes as the in-process path.
        assert_eq!(
            sig.split_once("..").unwrap().0,
            signer.sign(&key).unwrap().split_once("..").unwrap().0
        );
        verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .body(BODY)
            .verify(&sig)
            .unwrap();
        // prepare/finish by hand.
        let by_hand = prepared
            .finish(&key.sign_es512(prepared.as_bytes()).unwrap())
            .unwrap();
        assert!(independent_es512_check(
            &fixture_public_pem(),
            &by_hand,
            &[
                format!("POST {PATH}\nIdempotency-Key: {IDEMP}\n").as_bytes(),
                BODY
            ]
            .concat()
        ));
        // A KMS that returns DER or a short signature, or fails: the signer's own error comes
        // back as it is; a signature of the wrong shape is jose-core's refusal.
        let short = |_: &[u8]| -> Result<Vec<u8>, Error> { Ok(vec![1; 131]) };
        let err = signer.sign_with(&short).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::ExternalSigning(jose::Error::ExternalSignature { .. })
            ),
            "{err:?}"
        );
        assert_eq!(
            jose::error::display_chain(&err),
            "cannot make the Tl-Signature: unusable ES512 signature from the external signer: \
             expected the raw 132-byte r || s, found 131 bytes"
        );
        let failing =
            |_: &[u8]| -> Result<Vec<u8>, Error> { Err(Error::Signer("KMS down".into())) };
        assert_eq!(
            signer.sign_with(&failing).unwrap_err(),
            Error::Signer("KMS down".into())
        );
        assert!(matches!(
            prepared.finish(&[0; 133]),
            Err(Error::ExternalSigning(_))
        ));
        // Zero scalars are not a signature either.
        assert!(matches!(
            prepared.finish(&[0; 132]),
            Err(Error::ExternalSigning(_))
        ));
    }
}

/// A remote KMS: signs with the fixture key, answers in DER after one round trip.
struct FakeKms {
    key: Es512SigningKey,
}

impl FakeKms {
    fn der(&self, signing_input: &[u8]) -> Result<Vec<u8>, jose::Error> {
        let raw = jose::jws::ExternalSigner::sign(&self.key, JwsAlgorithm::Es512, signing_input)?;
        jose::ecdsa_raw_to_der(EcCurve::P521, &raw)
    }
}

/// Its client, written once against jose-core's traits: DER to r || s.
impl jose::jws::ExternalSigner for FakeKms {
    fn sign(&self, alg: JwsAlgorithm, signing_input: &[u8]) -> Result<Vec<u8>, jose::Error> {
        assert_eq!(alg, JwsAlgorithm::Es512);
        jose::ecdsa_der_to_raw(EcCurve::P521, &self.der(signing_input)?)
    }
}

impl AsyncExternalSigner for FakeKms {
    fn sign_async<'a>(&'a self, alg: JwsAlgorithm, signing_input: &'a [u8]) -> SignatureFuture<'a> {
        Box::pin(async move { jose::jws::ExternalSigner::sign(self, alg, signing_input) })
    }
}

struct BrokenKms;

impl AsyncExternalSigner for BrokenKms {
    fn sign_async<'a>(&'a self, _: JwsAlgorithm, _: &'a [u8]) -> SignatureFuture<'a> {
        Box::pin(std::future::ready(Ok(vec![0u8; 64])))
    }
}

struct DownKms;

impl AsyncExternalSigner for DownKms {
    fn sign_async<'a>(&'a self, _: JwsAlgorithm, _: &'a [u8]) -> SignatureFuture<'a> {
        Box::pin(std::future::ready(Err(jose::Error::external_signer(
            "the KMS answered 503",
        ))))
    }
}

/// Polls a future that completes without waiting (no runtime needed).
fn block_on_ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the future was expected to be ready"),
    }
}

#[test]
fn external_signer_async() {
    for provider in providers() {
        let kms = FakeKms {
            key: fixture_key(provider),
        };
        let signer = Signer::new(KID)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .body(BODY);
        let sig = block_on_ready(signer.sign_with_async(&kms)).unwrap();
        assert_eq!(
            sig.split_once("..").unwrap().0,
            vector("tl-signature.txt").split_once("..").unwrap().0
        );
        for verifier_provider in providers() {
            verifier_for_pem(verifier_provider)
                .method("POST")
                .path(PATH)
                .header("Idempotency-Key", IDEMP)
                .body(BODY)
                .verify(&sig)
                .unwrap();
        }
        assert!(matches!(
            block_on_ready(signer.sign_with_async(&BrokenKms)),
            Err(Error::ExternalSigning(
                jose::Error::ExternalSignature { .. }
            ))
        ));
        let down = block_on_ready(signer.sign_with_async(&DownKms)).unwrap_err();
        assert_eq!(
            jose::error::display_chain(&down),
            "cannot make the Tl-Signature: the external signer failed: the KMS answered 503"
        );
        // The in-process key through the same trait, and as a trait object.
        let key = fixture_key(provider);
        let dyn_signer: &dyn AsyncExternalSigner = &key;
        assert_eq!(
            block_on_ready(signer.sign_with_async(dyn_signer))
                .unwrap()
                .split_once("..")
                .unwrap()
                .0,
            sig.split_once("..").unwrap().0
        );
        // The future is Send (usable on a multi-threaded runtime) and borrows only the signer:
        // it outlives the Signer and the request it was made from.
        fn assert_send<T: Send>(_: &T) {}
        let fut = {
            let path = PATH.to_owned();
            Signer::new(KID)
                .method("POST")
                .path(&path)
                .header("Idempotency-Key", IDEMP)
                .sign_with_async(&kms)
        };
        assert_send(&fut);
        let sig = block_on_ready(fut).unwrap();
        verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .verify(&sig)
            .unwrap();
    }
}

/// jose-core's synchronous signer trait, the same KMS client that serves other protocols: a
/// signature TrueLayer's verifier accepts, with the header TrueLayer's libraries emit; and the
/// digest a KMS that signs digests takes.
#[test]
fn external_signer_from_jose_core() {
    for provider in providers() {
        let kms = FakeKms {
            key: fixture_key(provider),
        };
        let signer = Signer::new(KID)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .body(BODY);
        for sig in [
            signer.sign_external(&kms).unwrap(),
            signer.sign_external(&fixture_key(provider)).unwrap(),
        ] {
            assert_eq!(
                sig.split_once("..").unwrap().0,
                vector("tl-signature.txt").split_once("..").unwrap().0
            );
            for verifier_provider in providers() {
                verifier_for_pem(verifier_provider)
                    .method("POST")
                    .path(PATH)
                    .header("Idempotency-Key", IDEMP)
                    .body(BODY)
                    .verify(&sig)
                    .unwrap();
            }
            assert!(independent_es512_check(
                &fixture_public_pem(),
                &sig,
                &[
                    format!("POST {PATH}\nIdempotency-Key: {IDEMP}\n").as_bytes(),
                    BODY
                ]
                .concat()
            ));
        }
        // The KMS's DER handed over unconverted is refused, and says so.
        let prepared = signer.prepare().unwrap();
        let der = kms.der(prepared.as_bytes()).unwrap();
        let err = prepared.finish(&der).unwrap_err();
        assert!(
            jose::error::display_chain(&err).contains("ecdsa_der_to_raw"),
            "{err}"
        );
        // SHA-512 of the signing input, the same on both providers.
        let digest = prepared.digest(provider).unwrap();
        assert_eq!(digest.len(), 64);
        assert_eq!(digest, prepared.digest(providers()[0]).unwrap());
        // A request that cannot be signed is refused before the signer is asked.
        let never = |_: JwsAlgorithm, _: &[u8]| -> Result<Vec<u8>, jose::Error> {
            panic!("the signer must not be called")
        };
        assert!(matches!(
            Signer::new(KID).path(PATH).sign_external(&never),
            Err(Error::InvalidRequest { .. })
        ));
        // The in-process key signs only ES512.
        assert!(matches!(
            jose::jws::ExternalSigner::sign(&fixture_key(provider), JwsAlgorithm::Es256, b"x"),
            Err(jose::Error::InvalidKey { .. })
        ));
        // into_prepared: jose-core's PreparedJws, finished there, is the same Tl-Signature.
        let jws = signer
            .prepare()
            .unwrap()
            .into_prepared()
            .sign_with(&kms)
            .unwrap();
        assert!(jws.is_detached());
        verifier_for_pem(provider)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .body(BODY)
            .verify(&jws.to_compact().unwrap())
            .unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// http integration

fn payout_request() -> http::Request<Vec<u8>> {
    http::Request::post("https://api.truelayer.com/v3/payouts?trace=1")
        .header("Idempotency-Key", IDEMP)
        .header("Content-Type", "application/json")
        .header("X-Unsigned", "u")
        .body(BODY.to_vec())
        .unwrap()
}

#[test]
fn http_sign_and_verify() {
    for provider in providers() {
        let key = fixture_key(provider);
        let mut request = payout_request();
        sign_request(
            &mut request,
            KID,
            &key,
            &["Idempotency-Key", "Content-Type"],
        )
        .unwrap();
        let sig = request.headers()["tl-signature"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            header_text(&sig),
            format!(
                r#"{{"alg":"ES512","kid":"{KID}","tl_version":"2","tl_headers":"Idempotency-Key,Content-Type"}}"#
            )
        );
        // The path is signed without the query.
        assert!(independent_es512_check(
            &fixture_public_pem(),
            &sig,
            &[
                format!(
                    "POST /v3/payouts\nIdempotency-Key: {IDEMP}\nContent-Type: application/json\n"
                )
                .as_bytes(),
                BODY
            ]
            .concat()
        ));
        for verifier_provider in providers() {
            let verifier = verifier_for_pem(verifier_provider).require_header("Idempotency-Key");
            let v = verifier.verify_request(&request).unwrap();
            assert_eq!(v.signed_headers, ["Idempotency-Key", "Content-Type"]);
            verifier
                .clone()
                .http_request(&request)
                .verify(&sig)
                .unwrap();
            // Tampering with the body or a signed header fails; an unsigned header does not matter.
            let mut tampered = request.clone();
            tampered.body_mut()[3] ^= 1;
            assert_eq!(
                verifier.verify_request(&tampered).unwrap_err(),
                Error::BadSignature
            );
            let mut tampered = request.clone();
            tampered
                .headers_mut()
                .insert("content-type", "text/plain".parse().unwrap());
            assert_eq!(
                verifier.verify_request(&tampered).unwrap_err(),
                Error::BadSignature
            );
            let mut changed = request.clone();
            changed
                .headers_mut()
                .insert("x-unsigned", "other".parse().unwrap());
            verifier.verify_request(&changed).unwrap();
            // A second value for a signed header is ambiguous.
            let mut doubled = request.clone();
            doubled
                .headers_mut()
                .append("idempotency-key", "again".parse().unwrap());
            assert!(matches!(
                verifier.verify_request(&doubled),
                Err(Error::AmbiguousHeader { .. })
            ));
            // No Tl-Signature at all.
            let unsigned = payout_request();
            assert_eq!(
                verifier.verify_request(&unsigned).unwrap_err(),
                Error::MissingHeader {
                    name: "Tl-Signature".into()
                }
            );
        }
        // Signing names a header the request does not have, or has twice.
        let mut request = payout_request();
        assert_eq!(
            sign_request(&mut request, KID, &key, &["X-Absent"]).unwrap_err(),
            Error::MissingHeader {
                name: "X-Absent".into()
            }
        );
        assert!(!request.headers().contains_key("tl-signature"));
        request
            .headers_mut()
            .append("x-unsigned", "v2".parse().unwrap());
        assert!(matches!(
            sign_request(&mut request, KID, &key, &["X-Unsigned"]),
            Err(Error::AmbiguousHeader { .. })
        ));
        // Signer::http_request with a jku.
        let request = payout_request();
        let sig = Signer::new(KID)
            .http_request(&request, &["idempotency-key"])
            .jku("https://webhooks.truelayer.com/.well-known/jwks")
            .sign(&key)
            .unwrap();
        assert!(header_text(&sig).ends_with(r#""tl_headers":"idempotency-key","jku":"https://webhooks.truelayer.com/.well-known/jwks"}"#));
        verifier_for_pem(provider)
            .http_request(&request)
            .verify(&sig)
            .unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// The document's rules on the signing side, and webhook freshness

/// "tl_headers ... must at least include Idempotency-Key": a signer refuses a request without it,
/// by every way of signing, unless it signs a webhook (Signer::webhook).
#[test]
fn signing_requires_an_idempotency_key_unless_a_webhook() {
    let provider = jose::default_provider();
    let key = fixture_key(provider);
    let base = |signer: Signer<'static>| signer.method("POST").path("/v3/payouts").body(BODY);
    // None signed, another header signed, an empty value.
    for (signer, found) in [
        (
            base(Signer::new(KID)),
            "no signed headers (tl_headers \"\")".to_owned(),
        ),
        (
            base(Signer::new(KID))
                .header("Content-Type", "application/json")
                .header("X-Idempotency-Key", IDEMP),
            "tl_headers \"Content-Type,X-Idempotency-Key\"".to_owned(),
        ),
        (
            base(Signer::new(KID)).header("Idempotency-Key", ""),
            "an empty \"Idempotency-Key\" value".to_owned(),
        ),
    ] {
        let expected = Error::MissingIdempotencyKey {
            found: found.clone(),
        };
        assert_eq!(signer.sign(&key).unwrap_err(), expected);
        assert_eq!(signer.sign_with(&key).unwrap_err(), expected);
        assert_eq!(signer.prepare().unwrap_err(), expected);
        assert_eq!(signer.sign_external(&key).unwrap_err(), expected);
        assert_eq!(
            block_on_ready(signer.sign_with_async(&key)).unwrap_err(),
            expected
        );
        // A local mistake (exit 2 in the CLI), and the message says what was expected and found.
        assert_eq!(expected.class(), jose::ErrorClass::Local);
        assert!(!expected.is_rejection());
        assert_eq!(
            expected.to_string(),
            format!(
                "missing Idempotency-Key: expected it among the signed headers with a non-empty \
                 value (TrueLayer's API requires it; only a webhook is signed without it), found \
                 {found}"
            )
        );
    }
    // Any casing and any position: the name is matched ASCII case-insensitively.
    for signer in [
        base(Signer::new(KID)).header("idempotency-key", IDEMP),
        base(Signer::new(KID))
            .header("Content-Type", "application/json")
            .header("IDEMPOTENCY-KEY", IDEMP),
    ] {
        signer.sign(&key).unwrap();
    }
    // A webhook opts out explicitly, and verifies like any signature.
    let hook = base(Signer::webhook(KID))
        .header("X-Tl-Webhook-Timestamp", "2021-11-29T11:42:55Z")
        .sign(&key)
        .unwrap();
    assert_eq!(
        header_text(&hook),
        format!(
            r#"{{"alg":"ES512","kid":"{KID}","tl_version":"2","tl_headers":"X-Tl-Webhook-Timestamp"}}"#
        )
    );
    verifier_for_pem(provider)
        .method("POST")
        .path("/v3/payouts")
        .header("X-Tl-Webhook-Timestamp", "2021-11-29T11:42:55Z")
        .body(BODY)
        .verify(&hook)
        .unwrap();
    base(Signer::webhook(KID)).sign(&key).unwrap();
    // sign_request and Signer::http_request: the names to sign must include it.
    let mut request = payout_request();
    assert!(matches!(
        sign_request(&mut request, KID, &key, &["Content-Type"]),
        Err(Error::MissingIdempotencyKey { .. })
    ));
    assert!(!request.headers().contains_key("tl-signature"));
    sign_request(
        &mut request,
        KID,
        &key,
        &["Content-Type", "idempotency-key"],
    )
    .unwrap();
    let request = payout_request();
    assert!(matches!(
        Signer::new(KID).http_request(&request, &[]).sign(&key),
        Err(Error::MissingIdempotencyKey { .. })
    ));
    Signer::webhook(KID)
        .http_request(&request, &[])
        .sign(&key)
        .unwrap();
}

/// "the absolute path (without trailing slashes)": the signer refuses a trailing slash (the root
/// path "/" excepted); the verifier accepts what TrueLayer's verifiers accept, by one retry.
#[test]
fn a_trailing_slash_is_refused_when_signing_and_retried_when_verifying() {
    let provider = jose::default_provider();
    let key = fixture_key(provider);
    for path in ["/payouts/", "/v3/payouts//", "//"] {
        for signer in [
            Signer::new(KID).header("Idempotency-Key", IDEMP),
            Signer::webhook(KID),
        ] {
            let err = signer.method("POST").path(path).sign(&key).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "invalid request: expected a path without a trailing '/' (TrueLayer signs the \
                     absolute path without trailing slashes; only the root path \"/\" ends with \
                     one), found {path:?}"
                )
            );
            assert!(!err.is_rejection());
        }
    }
    // An http::Request to a path with a trailing slash: refused too, and left unsigned.
    let mut request = http::Request::post("https://api.truelayer.com/v3/payouts/")
        .header("Idempotency-Key", IDEMP)
        .body(BODY.to_vec())
        .unwrap();
    assert!(matches!(
        sign_request(&mut request, KID, &key, &["Idempotency-Key"]),
        Err(Error::InvalidRequest { .. })
    ));
    assert!(!request.headers().contains_key("tl-signature"));
    // The root path is signed as it is, including a URI without a path.
    for uri in ["https://api.truelayer.com/", "https://api.truelayer.com"] {
        let mut request = http::Request::post(uri)
            .header("Idempotency-Key", IDEMP)
            .body(BODY.to_vec())
            .unwrap();
        sign_request(&mut request, KID, &key, &["Idempotency-Key"]).unwrap();
        let sig = request.headers()["tl-signature"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(independent_es512_check(
            &fixture_public_pem(),
            &sig,
            format!(
                "POST /\nIdempotency-Key: {IDEMP}\n{}",
                std::str::from_utf8(BODY).unwrap()
            )
            .as_bytes()
        ));
        let verified = verifier_for_pem(provider).verify_request(&request).unwrap();
        assert!(!verified.path_retried);
    }
    // Verifying: a signature over "/payouts" on a request to "/payouts/" (the retry), and one
    // over "/payouts/" made by a signer that signs the path as given, as TrueLayer's do.
    let ours = Signer::new(KID)
        .method("POST")
        .path("/payouts")
        .header("Idempotency-Key", IDEMP)
        .sign(&key)
        .unwrap();
    let theirs = craft(
        &fixture_private(provider),
        JwsAlgorithm::Es512,
        &[
            ("kid", KID),
            ("tl_version", "2"),
            ("tl_headers", "Idempotency-Key"),
        ],
        format!("POST /payouts/\nIdempotency-Key: {IDEMP}\n").as_bytes(),
    );
    let verify = |sig: &str, path: &str| {
        verifier_for_pem(provider)
            .method("POST")
            .path(path)
            .header("Idempotency-Key", IDEMP)
            .verify(sig)
    };
    assert!(verify(&ours, "/payouts/").unwrap().path_retried);
    assert!(!verify(&theirs, "/payouts/").unwrap().path_retried);
    assert!(verify(&theirs, "/payouts").unwrap().path_retried);
}

/// The recorded webhook, sent at 2021-11-29T11:42:55Z.
const WEBHOOK_SENT: u64 = 1_638_186_175;
const WEBHOOK_STAMP: &str = "2021-11-29T11:42:55Z";
const WEBHOOK_BODY: &[u8] =
    br#"{"event_type":"example","event_id":"18b2842b-a57b-4887-a0a6-d3c7c36f1020"}"#;

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

/// A webhook's X-Tl-Webhook-Timestamp, with the freshness check on: fresh is accepted; stale,
/// ahead beyond the tolerance, missing, malformed or unsigned is refused (class Rejected), before
/// the signature is checked.
#[test]
fn webhook_freshness_is_checked_on_the_signed_timestamp() {
    let jwks = jwks_fixture();
    let sig = vector("webhook-signature.txt");
    let sig = sig.trim();
    for provider in providers() {
        let verify = |stamp: Option<&'static str>, freshness: WebhookFreshness| {
            let mut verifier = Verifier::from_jwks(&jwks, provider)
                .method("POST")
                .path("/tl-webhook")
                .header("Content-Type", "application/json")
                .body(WEBHOOK_BODY)
                .webhook_freshness(freshness);
            if let Some(stamp) = stamp {
                verifier = verifier.header("x-tl-webhook-timestamp", stamp);
            }
            verifier.verify(sig)
        };
        let problem = |result: Result<_, Error>| match result {
            Err(e @ Error::WebhookTimestamp { .. }) => {
                assert!(e.is_rejection(), "{e}");
                let Error::WebhookTimestamp { problem, .. } = e else {
                    unreachable!()
                };
                problem
            }
            other => panic!("expected a refused webhook timestamp, found {other:?}"),
        };
        let default = WebhookFreshness::default();
        // Fresh: as sent, 5 minutes later, 5 minutes earlier (a clock behind ours).
        for now in [WEBHOOK_SENT, WEBHOOK_SENT + 300, WEBHOOK_SENT - 300] {
            let verified = verify(Some(WEBHOOK_STAMP), default.as_of(at(now))).unwrap();
            assert_eq!(
                verified.signed_headers,
                ["X-Tl-Webhook-Timestamp", "Content-Type"]
            );
        }
        // Stale, and ahead of our clock beyond the tolerance.
        assert_eq!(
            problem(verify(
                Some(WEBHOOK_STAMP),
                default.as_of(at(WEBHOOK_SENT + 301))
            )),
            TimestampProblem::Stale
        );
        let err = verify(
            Some(WEBHOOK_STAMP),
            default.as_of(at(WEBHOOK_SENT + 86_400)),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "refused webhook timestamp: expected an X-Tl-Webhook-Timestamp at most 300 s old, \
             found \"2021-11-29T11:42:55Z\", 86400 s old"
        );
        assert_eq!(
            problem(verify(
                Some(WEBHOOK_STAMP),
                default.as_of(at(WEBHOOK_SENT - 301))
            )),
            TimestampProblem::Future
        );
        // On the system clock, the 2021 webhook is stale; a wider tolerance accepts it.
        assert_eq!(
            problem(verify(Some(WEBHOOK_STAMP), default)),
            TimestampProblem::Stale
        );
        verify(
            Some(WEBHOOK_STAMP),
            WebhookFreshness::new(Duration::from_secs(86_400)).as_of(at(WEBHOOK_SENT + 86_000)),
        )
        .unwrap();
        // Missing and malformed: refused before the signature is looked at.
        let fresh = default.as_of(at(WEBHOOK_SENT));
        let err = verify(None, fresh).unwrap_err();
        assert_eq!(
            err.to_string(),
            "refused webhook timestamp: expected an X-Tl-Webhook-Timestamp header (RFC 3339, e.g. \
             2020-05-18T10:17:47Z), found none"
        );
        assert_eq!(problem(verify(None, fresh)), TimestampProblem::Missing);
        for malformed in [
            "2021-11-29 11:42:55",
            "Mon, 29 Nov 2021 11:42:55 GMT",
            "1638186175",
            "",
        ] {
            assert_eq!(
                problem(verify(Some(malformed), fresh)),
                TimestampProblem::Malformed,
                "{malformed}"
            );
        }
        // A tampered (but fresh-looking) timestamp fails the signature.
        assert_eq!(
            verify(Some("2021-11-29T11:42:56Z"), fresh).unwrap_err(),
            Error::BadSignature
        );
        // Without the check, what TrueLayer's verifiers accept is accepted.
        Verifier::from_jwks(&jwks, provider)
            .method("POST")
            .path("/tl-webhook")
            .header("Content-Type", "application/json")
            .header("X-Tl-Webhook-Timestamp", WEBHOOK_STAMP)
            .body(WEBHOOK_BODY)
            .verify(sig)
            .unwrap();
    }
    // The timestamp must be signed: a fresh one that the signature does not list is refused.
    let provider = jose::default_provider();
    let key = fixture_key(provider);
    let unsigned = Signer::webhook(KID)
        .method("POST")
        .path("/hook")
        .header("Content-Type", "application/json")
        .sign(&key)
        .unwrap();
    let verifier = verifier_for_pem(provider)
        .method("POST")
        .path("/hook")
        .header("Content-Type", "application/json")
        .header("X-Tl-Webhook-Timestamp", WEBHOOK_STAMP)
        .webhook_freshness(WebhookFreshness::default().as_of(at(WEBHOOK_SENT)));
    assert_eq!(
        verifier.verify(&unsigned).unwrap_err(),
        Error::UnsignedHeader {
            name: "X-Tl-Webhook-Timestamp".into(),
            signed: "Content-Type".into()
        }
    );
    // Through verify_request, with an offset and a fraction of a second.
    let stamp = "2021-11-29T12:42:55.250+01:00";
    let mut request = http::Request::post("https://merchant.example/hook")
        .header("X-Tl-Webhook-Timestamp", stamp)
        .body(Vec::new())
        .unwrap();
    let sig = Signer::webhook(KID)
        .http_request(&request, &["X-Tl-Webhook-Timestamp"])
        .sign(&key)
        .unwrap();
    request
        .headers_mut()
        .insert("tl-signature", sig.parse().unwrap());
    let verifier = |now| {
        verifier_for_pem(provider)
            .webhook_freshness(WebhookFreshness::new(Duration::from_secs(60)).as_of(now))
    };
    verifier(at(WEBHOOK_SENT + 60))
        .verify_request(&request)
        .unwrap();
    assert!(matches!(
        verifier(at(WEBHOOK_SENT + 61)).verify_request(&request),
        Err(Error::WebhookTimestamp {
            problem: TimestampProblem::Stale,
            ..
        })
    ));
    // A v1 signature cannot sign the timestamp.
    let v1 = craft(
        &fixture_private(provider),
        JwsAlgorithm::Es512,
        &[("kid", KID)],
        b"{}",
    );
    assert!(matches!(
        verifier_for_pem(provider)
            .method("POST")
            .path("/hook")
            .header("X-Tl-Webhook-Timestamp", WEBHOOK_STAMP)
            .body(b"{}")
            .allow_v1(true)
            .webhook_freshness(WebhookFreshness::default().as_of(at(WEBHOOK_SENT)))
            .verify(&v1),
        Err(Error::UnsignedHeader { .. })
    ));
}
