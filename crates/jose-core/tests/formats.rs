//! PEM, DER and JWK handling: fixtures made with OpenSSL 3 (`tests/fixtures/formats/test-only-*`,
//! throwaway keys for these tests only), the RFC 7520 section 3 JWKs and a few Wycheproof JWKs.

// Test helpers outside #[test] functions may panic too: a failing test should fail loudly.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use jose_core::formats::{PrivateKeyDer, PublicKeyDer, pem_label};
use jose_core::jwk::{Jwk, Jwks};
use jose_core::{CryptoProvider, EcCurve, Error, KeyKind, Limits, OkpCurve, PrivateKey};
use std::path::PathBuf;

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn limits() -> Limits {
    Limits::default()
}

/// The members that carry key material.
fn key_members(jwk: &Jwk) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("kty", Some(jwk.kty.clone())),
        ("crv", jwk.crv.clone()),
        ("x", jwk.x.clone()),
        ("y", jwk.y.clone()),
        ("n", jwk.n.clone()),
        ("e", jwk.e.clone()),
        ("d", jwk.d.clone()),
        ("p", jwk.p.clone()),
        ("q", jwk.q.clone()),
        ("dp", jwk.dp.clone()),
        ("dq", jwk.dq.clone()),
        ("qi", jwk.qi.clone()),
    ]
}

#[test]
fn rfc7520_jwks_convert_to_der_and_back() {
    let ec_pub = Jwk::from_json(&text("rfc7520/3_1.ec_public_key.json"), &limits()).unwrap();
    let ec_priv = Jwk::from_json(&text("rfc7520/3_2.ec_private_key.json"), &limits()).unwrap();
    let rsa_pub = Jwk::from_json(&text("rfc7520/3_3.rsa_public_key.json"), &limits()).unwrap();
    let rsa_priv = Jwk::from_json(&text("rfc7520/3_4.rsa_private_key.json"), &limits()).unwrap();

    for (public, private, kind) in [
        (&ec_pub, &ec_priv, KeyKind::Ec(EcCurve::P521)),
        (&rsa_pub, &rsa_priv, KeyKind::Rsa { bits: 2048 }),
    ] {
        assert_eq!(public.kind().unwrap(), kind);
        assert!(!public.is_private() && private.is_private());

        let spki = public.to_public_der().unwrap();
        assert_eq!(spki.kind(), kind);
        let back = Jwk::from_public_der(&spki).unwrap();
        assert_eq!(key_members(&back), key_members(public));

        let pkcs8 = private.to_private_der().unwrap();
        assert_eq!(pkcs8.kind(), kind);
        let back = Jwk::from_private_der(&pkcs8).unwrap();
        assert_eq!(key_members(&back), key_members(private));

        // The private key's public half, its JWK and the public JWK agree.
        assert_eq!(pkcs8.public_key().unwrap(), spki);
        assert_eq!(private.to_public_der().unwrap(), spki);
        assert_eq!(key_members(&private.to_public()), key_members(public));

        // The DER survives PEM and a second parse unchanged.
        let reparsed = PrivateKeyDer::from_pem(&pkcs8.to_pem().unwrap()).unwrap();
        assert_eq!(reparsed.pkcs8(), pkcs8.pkcs8());
        assert_eq!(
            PublicKeyDer::from_pem(&spki.to_pem().unwrap()).unwrap(),
            spki
        );

        // Metadata is untouched by parsing and serialization.
        let json = private.to_json();
        assert!(json.starts_with(r#"{"kty":"#), "{json}");
        assert_eq!(Jwk::from_json(&json, &limits()).unwrap(), *private);
    }
    assert_eq!(
        ec_priv.kid.as_deref(),
        Some("bilbo.baggins@hobbiton.example")
    );
    assert_eq!(ec_priv.use_.as_deref(), Some("sig"));
}

#[test]
fn rfc7638_thumbprint_input() {
    // RFC 7638 section 3.1.
    let jwk = Jwk::from_json(
        r#"{
          "kty": "RSA",
          "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
          "e": "AQAB",
          "alg": "RS256",
          "kid": "2011-04-29"
        }"#,
        &limits(),
    )
    .unwrap();
    assert_eq!(
        jwk.thumbprint_input().unwrap(),
        r#"{"e":"AQAB","kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}"#
    );
    let ec = Jwk::from_json(&text("rfc7520/3_1.ec_public_key.json"), &limits()).unwrap();
    let input = ec.thumbprint_input().unwrap();
    assert!(
        input.starts_with(r#"{"crv":"P-521","kty":"EC","x":"AHKZ"#),
        "{input}"
    );
    assert!(!input.contains(' ') && !input.contains("kid"), "{input}");
}

/// (name, kind, the private encodings besides PKCS#8, the public encodings besides SPKI)
const KEYS: [(&str, KeyKind, &str, &str); 4] = [
    ("rsa2048", KeyKind::Rsa { bits: 2048 }, "pkcs1", "pkcs1-pub"),
    ("p256", KeyKind::Ec(EcCurve::P256), "sec1", ""),
    ("p384", KeyKind::Ec(EcCurve::P384), "sec1", ""),
    ("p521", KeyKind::Ec(EcCurve::P521), "sec1", ""),
];

#[test]
fn every_private_encoding_normalizes_to_the_same_pkcs8() {
    for (name, kind, legacy, _) in KEYS {
        let reference = bytes(&format!("test-only-{name}-pkcs8.der"));
        let parsed = [
            PrivateKeyDer::from_pem(&text(&format!("test-only-{name}-pkcs8.pem"))).unwrap(),
            PrivateKeyDer::from_pem(&text(&format!("test-only-{name}-{legacy}.pem"))).unwrap(),
            PrivateKeyDer::from_der(&reference).unwrap(),
            PrivateKeyDer::from_der(&bytes(&format!("test-only-{name}-{legacy}.der"))).unwrap(),
        ];
        for key in &parsed {
            assert_eq!(key.kind(), kind, "{name}");
            // OpenSSL 3 writes exactly the normalized form.
            assert_eq!(key.pkcs8(), reference.as_slice(), "{name}");
        }
        let pem = parsed[0].to_pem().unwrap();
        assert_eq!(
            pem.trim(),
            text(&format!("test-only-{name}-pkcs8.pem")).trim(),
            "{name}"
        );
        assert!(
            !format!("{:?}", parsed[0]).contains("pkcs8"),
            "Debug shows only the kind"
        );
    }
}

#[test]
fn every_public_encoding_normalizes_to_the_same_spki() {
    for (name, kind, _, legacy) in KEYS {
        let reference = bytes(&format!("test-only-{name}-spki.der"));
        let mut parsed = vec![
            PublicKeyDer::from_pem(&text(&format!("test-only-{name}-spki.pem"))).unwrap(),
            PublicKeyDer::from_der(&reference).unwrap(),
        ];
        if !legacy.is_empty() {
            parsed.push(
                PublicKeyDer::from_pem(&text(&format!("test-only-{name}-{legacy}.pem"))).unwrap(),
            );
            parsed.push(
                PublicKeyDer::from_der(&bytes(&format!("test-only-{name}-{legacy}.der"))).unwrap(),
            );
        }
        for key in &parsed {
            assert_eq!(key.kind(), kind, "{name}");
            assert_eq!(key.spki(), reference.as_slice(), "{name}");
        }
        let private =
            PrivateKeyDer::from_der(&bytes(&format!("test-only-{name}-pkcs8.der"))).unwrap();
        assert_eq!(private.public_key().unwrap(), parsed[0], "{name}");
        assert_eq!(
            parsed[0].to_pem().unwrap().trim(),
            text(&format!("test-only-{name}-spki.pem")).trim()
        );
    }
}

#[test]
fn der_and_jwk_round_trip() {
    for (name, _, _, _) in KEYS {
        let private =
            PrivateKeyDer::from_der(&bytes(&format!("test-only-{name}-pkcs8.der"))).unwrap();
        let jwk = Jwk::from_private_der(&private).unwrap();
        assert_eq!(
            jwk.to_private_der().unwrap().pkcs8(),
            private.pkcs8(),
            "{name}"
        );
        let jwk = Jwk::from_json(&jwk.to_json_pretty(), &limits()).unwrap();
        assert_eq!(
            jwk.to_private_der().unwrap().pkcs8(),
            private.pkcs8(),
            "{name}"
        );

        let public = private.public_key().unwrap();
        let jwk = Jwk::from_public_der(&public).unwrap();
        assert!(!jwk.is_private());
        assert_eq!(jwk.to_public_der().unwrap(), public, "{name}");
        if let KeyKind::Ec(curve) = public.kind() {
            let x = jose_core::b64::decode("x", jwk.x.as_deref().unwrap()).unwrap();
            assert_eq!(x.len(), curve.coordinate_len());
        }
    }
}

#[test]
fn pem_variants() {
    // OpenSSL's `ecparam -genkey` output: EC PARAMETERS, then the key.
    let with_params =
        PrivateKeyDer::from_pem(&text("test-only-p256-sec1-with-params.pem")).unwrap();
    assert_eq!(
        with_params.pkcs8(),
        bytes("test-only-p256-pkcs8.der").as_slice()
    );
    assert_eq!(
        pem_label(&text("test-only-p256-sec1-with-params.pem")).unwrap(),
        "EC PRIVATE KEY"
    );
    assert_eq!(
        pem_label(&text("test-only-rsa2048-spki.pem")).unwrap(),
        "PUBLIC KEY"
    );

    // Explanatory text around the block, CRLF line endings, 76-column lines.
    let pem = text("test-only-p384-pkcs8.pem");
    let crlf = format!("my key:\r\n{}\r\nbye\r\n", pem.trim().replace('\n', "\r\n"));
    assert_eq!(
        PrivateKeyDer::from_pem(&crlf).unwrap().pkcs8(),
        bytes("test-only-p384-pkcs8.der").as_slice()
    );
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let rewrapped = body
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>();
    let wide = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        rewrapped.join("\n")
    );
    assert!(PrivateKeyDer::from_pem(&wide).is_ok());

    // Two keys in one file: refused rather than one picked.
    let two = format!(
        "{}{}",
        text("test-only-p256-pkcs8.pem"),
        text("test-only-p384-pkcs8.pem")
    );
    assert!(matches!(
        PrivateKeyDer::from_pem(&two),
        Err(Error::Malformed { .. })
    ));
}

fn invalid_key(result: Result<impl std::fmt::Debug, Error>) -> (String, String) {
    match result {
        Err(Error::InvalidKey { expected, found }) => (expected, found),
        other => panic!("expected InvalidKey, got {other:?}"),
    }
}

#[test]
fn weak_and_unsupported_keys_are_refused() {
    let err = PrivateKeyDer::from_pem(&text("test-only-rsa1024-pkcs8.pem")).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidKey {
            expected: "an RSA modulus of at least 2048 bits".into(),
            found: "1024 bits".into()
        }
    );
    assert_eq!(
        PublicKeyDer::from_pem(&text("test-only-rsa1024-spki.pem")).unwrap_err(),
        err
    );

    let (_, found) = invalid_key(PrivateKeyDer::from_pem(&text(
        "test-only-rsa2048-3prime-pkcs1.pem",
    )));
    assert!(found.contains("multi-prime"), "{found}");

    for (file, kind) in [
        ("test-only-rsapss2048-pkcs8.pem", "key type"),
        ("test-only-ed448-pkcs8.pem", "key type"),
        ("test-only-secp256k1-sec1.pem", "curve"),
    ] {
        match PrivateKeyDer::from_pem(&text(file)) {
            Err(Error::UnsupportedAlgorithm { kind: k, found, .. }) => {
                assert_eq!(k, kind, "{file}: {found}")
            }
            other => panic!("{file}: {other:?}"),
        }
    }

    let (expected, found) = invalid_key(PublicKeyDer::from_pem(&text(
        "test-only-p256-spki-compressed.pem",
    )));
    assert!(
        expected.contains("uncompressed") && found == "a compressed point",
        "{expected} / {found}"
    );

    let (expected, _) = invalid_key(PrivateKeyDer::from_pem(&text(
        "test-only-p256-sec1-nopub.pem",
    )));
    assert!(expected.contains("public key"), "{expected}");

    let (expected, _) = invalid_key(PrivateKeyDer::from_pem(&text(
        "test-only-p256-encrypted.pem",
    )));
    assert!(
        expected.contains("encrypted keys are not supported"),
        "{expected}"
    );
}

#[test]
fn wycheproof_weak_jwks_are_refused() {
    let subset: serde_json::Value =
        serde_json::from_str(&text("wycheproof/json_web_key_subset.json")).unwrap();
    for test in subset["tests"].as_array().unwrap() {
        let jwk = Jwk::from_json(&test["private"].to_string(), &limits()).unwrap();
        let id = test["tcId"].as_u64().unwrap();
        let (_, found) = invalid_key(jwk.to_private_der());
        let (_, found_public) = invalid_key(jwk.to_public_der());
        assert_eq!(found, found_public);
        match id {
            7 => assert!(found.contains("ROCA"), "{found}"),
            8 => assert_eq!(found, "1024 bits"),
            9 => assert_eq!(found, "1"),
            _ => unreachable!(),
        }
    }
}

#[test]
fn wrong_kinds_and_mismatched_labels() {
    let (expected, _) = invalid_key(PrivateKeyDer::from_pem(&text("test-only-p256-spki.pem")));
    assert_eq!(expected, "a private key");
    let (expected, _) = invalid_key(PrivateKeyDer::from_der(&bytes("test-only-p256-spki.der")));
    assert_eq!(expected, "a private key");
    let (expected, _) = invalid_key(PublicKeyDer::from_pem(&text("test-only-p256-pkcs8.pem")));
    assert_eq!(expected, "a public key");
    let (expected, _) = invalid_key(PublicKeyDer::from_der(&bytes(
        "test-only-rsa2048-pkcs1.der",
    )));
    assert_eq!(expected, "a public key");

    // PKCS#1 content under a PKCS#8 label.
    let pkcs1 = text("test-only-rsa2048-pkcs1.pem").replace("RSA PRIVATE KEY", "PRIVATE KEY");
    assert!(matches!(
        PrivateKeyDer::from_pem(&pkcs1),
        Err(Error::Malformed { .. })
    ));
    // PEM given to the DER parser, and an unknown label.
    let err = PrivateKeyDer::from_der(text("test-only-p256-pkcs8.pem").as_bytes()).unwrap_err();
    assert!(err.to_string().contains("PEM"), "{err}");
    let cert = text("test-only-p256-spki.pem").replace("PUBLIC KEY", "CERTIFICATE");
    assert!(matches!(
        PublicKeyDer::from_pem(&cert),
        Err(Error::Malformed { .. })
    ));
}

#[test]
fn trailing_data_and_size_limit() {
    for name in [
        "test-only-p256-pkcs8.der",
        "test-only-rsa2048-pkcs1.der",
        "test-only-p521-sec1.der",
    ] {
        let mut der = bytes(name);
        der.push(0);
        assert!(
            matches!(PrivateKeyDer::from_der(&der), Err(Error::Malformed { .. })),
            "{name}"
        );
    }
    let mut der = bytes("test-only-p256-spki.der");
    der.extend_from_slice(&[0x05, 0x00]);
    assert!(matches!(
        PublicKeyDer::from_der(&der),
        Err(Error::Malformed { .. })
    ));

    let huge = vec![0x30u8; Limits::default().max_key_len + 1];
    assert!(matches!(
        PrivateKeyDer::from_der(&huge),
        Err(Error::LimitExceeded { .. })
    ));
    assert!(matches!(
        PublicKeyDer::from_der(&huge),
        Err(Error::LimitExceeded { .. })
    ));
    let huge = " ".repeat(Limits::default().max_key_len + 1);
    assert!(matches!(
        Jwk::from_json(&huge, &limits()),
        Err(Error::LimitExceeded { .. })
    ));
    assert!(matches!(
        Jwks::from_json(&huge, &limits()),
        Err(Error::LimitExceeded { .. })
    ));
}

#[test]
fn duplicate_jwk_member_is_rejected() {
    let mut json = text("rfc7520/3_1.ec_public_key.json");
    json = json.replacen(
        "\"use\": \"sig\",",
        "\"use\": \"sig\", \"use\": \"enc\",",
        1,
    );
    assert_eq!(
        Jwk::from_json(&json, &limits()).unwrap_err(),
        Error::DuplicateMember {
            name: "use".into(),
            location: "JWK"
        }
    );
}

#[test]
fn errors_never_show_private_key_bytes() {
    let jwk = Jwk::from_json(&text("rfc7520/3_4.rsa_private_key.json"), &limits()).unwrap();
    let d = jwk.d.clone().unwrap();
    let debug = format!("{jwk:?}");
    assert!(!debug.contains(&d[..16]), "{debug}");
    // A broken private member: the message names it but does not show it.
    let mut broken = jwk.clone();
    broken.p = Some(format!("{}!", broken.p.as_deref().unwrap()));
    let err = broken.to_private_der().unwrap_err().to_string();
    assert!(
        err.contains("\"p\"") && !err.contains(&jwk.p.as_deref().unwrap()[..16]),
        "{err}"
    );
}

#[test]
fn garbage_never_panics() {
    let der = bytes("test-only-rsa2048-pkcs8.der");
    for len in 0..der.len() {
        assert!(
            PrivateKeyDer::from_der(&der[..len]).is_err(),
            "DER prefix {len}"
        );
        assert!(
            PublicKeyDer::from_der(&der[..len]).is_err(),
            "DER prefix {len}"
        );
    }
    for name in [
        "test-only-p521-sec1.der",
        "test-only-p384-spki.der",
        "test-only-rsa2048-pkcs1-pub.der",
    ] {
        let der = bytes(name);
        for len in 0..der.len() {
            assert!(
                PrivateKeyDer::from_der(&der[..len]).is_err(),
                "{name} prefix {len}"
            );
            assert!(
                PublicKeyDer::from_der(&der[..len]).is_err(),
                "{name} prefix {len}"
            );
        }
        // Single-byte corruptions may or may not parse; they must not panic.
        for i in 0..der.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = der.clone();
                bad[i] ^= flip;
                let _ = PrivateKeyDer::from_der(&bad);
                let _ = PublicKeyDer::from_der(&bad);
            }
        }
    }
    let pem = text("test-only-p256-sec1-with-params.pem");
    for len in 0..pem.trim_end().len() {
        assert!(
            PrivateKeyDer::from_pem(&pem[..len]).is_err(),
            "PEM prefix {len}"
        );
        let _ = pem_label(&pem[..len]);
    }
    let json = text("rfc7520/3_4.rsa_private_key.json");
    for len in 0..json.trim_end().len() {
        if let Ok(jwk) = Jwk::from_json(&json[..len], &limits()) {
            panic!("JWK prefix {len} parsed: {jwk:?}");
        }
        let _ = Jwks::from_json(&json[..len], &limits());
    }
    // Valid JSON, every member corrupted in turn.
    let jwk = Jwk::from_json(&json, &limits()).unwrap();
    for member in ["n", "e", "d", "p", "q", "dp", "dq", "qi"] {
        for replacement in ["", "AA", "_w", "AAAA", "!!"] {
            let mut value: serde_json::Value = serde_json::from_str(&jwk.to_json()).unwrap();
            value[member] = replacement.into();
            // Some corruptions (a different d, say) are only caught by the provider on import.
            if let Ok(bad) = Jwk::from_json(&value.to_string(), &limits()) {
                let _ = bad.to_private_der();
                let _ = bad.to_public_der();
            }
        }
    }
}

#[test]
fn jwks_with_foreign_keys() {
    let ec = text("rfc7520/3_1.ec_public_key.json");
    let rsa =
        text("rfc7520/3_3.rsa_public_key.json").replace("bilbo.baggins@hobbiton.example", "rsa");
    let set = format!(
        r#"{{"keys":[{ec},{{"kty":"oct","k":"AAEC","kid":"sym"}},{{"kty":"OKP","crv":"Ed25519","x":"AA"}},{rsa}]}}"#
    );
    let jwks = Jwks::from_json(&set, &limits()).unwrap();
    assert_eq!(jwks.len(), 4);
    let convertible: Vec<_> = jwks.iter().filter_map(|k| k.to_public_der().ok()).collect();
    assert_eq!(convertible.len(), 2);
    assert_eq!(
        jwks.get_unique("rsa").unwrap().kind().unwrap(),
        KeyKind::Rsa { bits: 2048 }
    );
    assert!(matches!(
        jwks.get_unique("sym").unwrap().to_public_der(),
        Err(Error::UnsupportedAlgorithm { .. })
    ));
    let again = Jwks::from_json(&jwks.to_json(), &limits()).unwrap();
    assert_eq!(again, jwks);
    assert!(!jwks.to_public().to_json().contains("\"k\""));
}

// ---------------------------------------------------------------------------------------------
// Ed25519 and X25519 (RFC 8410 DER, RFC 8037 JWK)

const RFC8037_A1: &str = r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;

fn both() -> [&'static dyn CryptoProvider; 2] {
    [
        jose_crypto_awslc::provider(),
        jose_crypto_rustcrypto::provider(),
    ]
}

#[test]
fn okp_pem_and_der_import_and_normalize() {
    for (name, curve) in [
        ("test-only-ed25519-pkcs8.pem", OkpCurve::Ed25519),
        ("test-only-x25519-pkcs8.pem", OkpCurve::X25519),
    ] {
        let key = PrivateKeyDer::from_pem(&text(name)).unwrap();
        assert_eq!(key.kind(), KeyKind::Okp(curve), "{name}");
        // OpenSSL writes PKCS#8 v1 exactly as jose-core normalizes it.
        let der = pem_rfc7468_decode(&text(name));
        assert_eq!(key.pkcs8(), der.as_slice(), "{name}");
        assert_eq!(PrivateKeyDer::from_der(&der).unwrap().pkcs8(), key.pkcs8());
        assert_eq!(key.to_pem().unwrap().as_str(), text(name), "{name}");
        assert_eq!(pem_label(&text(name)).unwrap(), "PRIVATE KEY");
        // Without its public key, jose-core cannot give the public half or a JWK.
        let err = key.public_key().unwrap_err();
        assert!(err.to_string().contains("no curve arithmetic"), "{err}");
        assert!(Jwk::from_private_der(&key).is_err());
        // The providers give it, and the key comes back with it as a JWK and as PKCS#8 v2.
        for provider in both() {
            let imported = PrivateKey::from_pem(&text(name), provider).unwrap();
            let public =
                PublicKeyDer::from_der(&imported.public_key().to_spki_der().unwrap()).unwrap();
            let full = key.clone().with_public_key(&public).unwrap();
            assert_ne!(full.pkcs8(), key.pkcs8(), "v2 holds the public key");
            assert_eq!(full.public_key().unwrap(), public);
            // PEM is always version 1, as OpenSSL writes (and reads) it.
            assert_eq!(full.to_pem().unwrap().as_str(), text(name));
            let jwk = imported.to_jwk().unwrap();
            assert_eq!(jwk.kty, "OKP");
            assert_eq!(jwk.crv.as_deref(), Some(curve.name()));
            assert_eq!(
                jwk.to_private_der().unwrap().pkcs8(),
                full.pkcs8(),
                "{name} on {}",
                provider.name()
            );
            assert_eq!(jwk.to_public_der().unwrap(), public);
            assert_eq!(
                PrivateKey::from_jwk(&jwk, provider)
                    .unwrap()
                    .to_pkcs8_der()
                    .unwrap()
                    .as_slice(),
                key.pkcs8()
            );
            // A public key of another key is refused, in jose-core and by the provider.
            let other = PrivateKey::generate(jose_core::KeySpec::Okp(curve), provider).unwrap();
            let other_public =
                PublicKeyDer::from_der(&other.public_key().to_spki_der().unwrap()).unwrap();
            let mismatched = key.clone().with_public_key(&other_public).unwrap();
            assert!(matches!(
                mismatched.clone().with_public_key(&public),
                Err(Error::InvalidKey { .. })
            ));
            assert!(matches!(
                PrivateKey::from_normalized(&mismatched, provider),
                Err(Error::InvalidKey { .. })
            ));
        }
    }
    let public = PublicKeyDer::from_pem(&text("test-only-ed25519-spki.pem")).unwrap();
    assert_eq!(public.kind(), KeyKind::Okp(OkpCurve::Ed25519));
    assert_eq!(public.spki().len(), 44);
    assert_eq!(public.to_pem().unwrap(), text("test-only-ed25519-spki.pem"));
    // A private label over the public key, and the other way round.
    assert!(PrivateKeyDer::from_pem(&text("test-only-ed25519-spki.pem")).is_err());
    assert!(PublicKeyDer::from_pem(&text("test-only-ed25519-pkcs8.pem")).is_err());
    // Ed448 names itself.
    match PrivateKeyDer::from_pem(&text("test-only-ed448-pkcs8.pem")) {
        Err(Error::UnsupportedAlgorithm {
            found, supported, ..
        }) => {
            assert!(
                found.contains("Ed448") && supported.contains("Ed25519"),
                "{found} {supported}"
            )
        }
        other => panic!("{other:?}"),
    }
}

/// The base64 of a one-block PEM, decoded (the test's own reader, not jose-core's).
fn pem_rfc7468_decode(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64_std_decode(&body)
}

fn base64_std_decode(text: &str) -> Vec<u8> {
    let url: String = text
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    jose_core::b64::decode("test PEM", &url).unwrap()
}

#[test]
fn okp_jwks_convert_strictly_rfc_8037() {
    let jwk = Jwk::from_json(RFC8037_A1, &limits()).unwrap();
    assert_eq!(jwk.kind().unwrap(), KeyKind::Okp(OkpCurve::Ed25519));
    let private = jwk.to_private_der().unwrap();
    assert_eq!(private.kind(), KeyKind::Okp(OkpCurve::Ed25519));
    // PKCS#8 v2: version 1 (INTEGER 1), the seed, and the public key.
    assert_eq!(&private.pkcs8()[2..5], &[0x02, 0x01, 0x01]);
    let back = Jwk::from_private_der(&private).unwrap();
    assert_eq!(
        back.to_json(),
        Jwk::from_json(RFC8037_A1, &limits()).unwrap().to_json()
    );
    let public = jwk.to_public_der().unwrap();
    assert_eq!(
        Jwk::from_public_der(&public).unwrap().to_json(),
        jwk.to_public().to_json()
    );
    // RFC 8037 A.3.
    assert_eq!(
        jwk.thumbprint_input().unwrap(),
        r#"{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#
    );
    for provider in both() {
        assert_eq!(
            jwk.thumbprint_sha256(provider).unwrap(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        let key = PrivateKey::from_jwk(&jwk, provider).unwrap();
        assert_eq!(key.to_jwk().unwrap().to_json(), jwk.to_json());
    }
    // Debug never shows d or x.
    let debug = format!("{jwk:?}");
    assert!(
        !debug.contains("nWGxne") && !debug.contains("11qYAY"),
        "{debug}"
    );

    let with = |member: &str, value: serde_json::Value| {
        let mut map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(RFC8037_A1).unwrap();
        if value.is_null() {
            map.remove(member);
        } else {
            map.insert(member.to_owned(), value);
        }
        Jwk::from_map(map).unwrap()
    };
    // Ed448 and X448 are unsupported curves, named.
    for crv in ["Ed448", "X448"] {
        match with("crv", crv.into()).to_public_der() {
            Err(Error::UnsupportedAlgorithm {
                found, supported, ..
            }) => {
                assert_eq!(found, crv);
                assert!(supported.contains("Ed25519") && supported.contains("X25519"));
            }
            other => panic!("{crv}: {other:?}"),
        }
    }
    // Exact lengths, strict base64url, no members of other key types, alg that fits.
    let short_x = jose_core::b64::encode(&[1; 31]);
    let long_d = jose_core::b64::encode(&[1; 33]);
    for (what, jwk, private) in [
        ("a 31-byte x", with("x", short_x.as_str().into()), false),
        ("a 33-byte d", with("d", long_d.as_str().into()), true),
        (
            "padded d",
            with("d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=".into()),
            true,
        ),
        (
            "d with '+'",
            with("d", "nWGxne+9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A".into()),
            true,
        ),
        ("no x", with("x", serde_json::Value::Null), false),
        ("no crv", with("crv", serde_json::Value::Null), false),
        ("a y", with("y", "AA".into()), false),
        ("an n", with("n", "AQAB".into()), false),
        ("alg ES256", with("alg", "ES256".into()), false),
        ("alg ECDH-ES", with("alg", "ECDH-ES".into()), false),
    ] {
        let result = if private {
            jwk.to_private_der().map(drop)
        } else {
            jwk.to_public_der().map(drop)
        };
        let err = result.expect_err(what);
        assert!(!err.to_string().contains("nWGxne"), "{what}: {err}");
    }
    assert!(with("alg", "EdDSA".into()).to_public_der().is_ok());
    let x25519 = with("crv", "X25519".into());
    assert!(x25519.to_public_der().is_ok());
    let mut ecdh = x25519.clone();
    ecdh.alg = Some("ECDH-ES+A128KW".into());
    assert!(ecdh.to_public_der().is_ok());
    ecdh.alg = Some("EdDSA".into());
    assert!(matches!(
        ecdh.to_public_der(),
        Err(Error::InvalidKey { .. })
    ));
    // As an X25519 key, the A.1 d does not give the A.1 x: the provider refuses the pair.
    for provider in both() {
        assert!(matches!(
            PrivateKey::from_jwk(&x25519, provider),
            Err(Error::InvalidKey { .. })
        ));
    }
}
