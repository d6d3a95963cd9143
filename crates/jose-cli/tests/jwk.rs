//! Integration tests of the `jose` binary, `jose jwk import|thumbprint`: PEM, DER and JWK in, RFC
//! 7638 thumbprints, and bad key files.
//!
//! Exit statuses 0/1/2, with one `error: ...` line on stderr and nothing on stdout on failure, are
//! checked by [`common::Run::fails`]. RSA keys are slow to generate: [`common::fixtures`] makes two
//! once per test binary; tests that do not need RSA use EC keys.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::*;
use serde_json::Value;
use tempfile::TempDir;

#[test]
fn jwk_import_from_pem_der_and_jwk() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let d = dir.path();

    let from_pem: Value =
        serde_json::from_slice(&jose(&["jwk", "import", s(&f.rsa_pem)], b"").ok()).unwrap();
    assert_eq!(from_pem["kty"], "RSA");
    assert!(from_pem["d"].is_string());
    assert!(from_pem.get("kid").is_none());

    let public: Value =
        serde_json::from_slice(&jose(&["jwk", "import", "--public", s(&f.rsa_pem)], b"").ok())
            .unwrap();
    assert_eq!(public["n"], from_pem["n"]);
    assert!(public.get("d").is_none());

    let with_kid: Value = serde_json::from_slice(
        &jose(&["jwk", "import", "--kid", "k9", s(&f.rsa_pub_pem)], b"").ok(),
    )
    .unwrap();
    assert_eq!(with_kid["kid"], "k9");
    assert!(with_kid.get("d").is_none());

    // DER, private (PKCS#8) and public (SPKI), detected from content.
    let der = write(
        d,
        "rsa.der",
        pem_to_der(&std::fs::read_to_string(&f.rsa_pem).unwrap()),
    );
    let from_der: Value =
        serde_json::from_slice(&jose(&["jwk", "import", s(&der)], b"").ok()).unwrap();
    assert_eq!(from_der, from_pem);
    let pub_der = write(
        d,
        "rsa.pub.der",
        pem_to_der(&std::fs::read_to_string(&f.rsa_pub_pem).unwrap()),
    );
    let from_pub_der: Value =
        serde_json::from_slice(&jose(&["jwk", "import", s(&pub_der)], b"").ok()).unwrap();
    assert_eq!(from_pub_der, public);

    // A JWK (with leading whitespace) keeps its kid; --kid overrides it.
    let jwk_text = format!("\n  {}", std::fs::read_to_string(&f.rsa_jwk).unwrap());
    let spaced = write(d, "spaced.jwk", jwk_text);
    let from_jwk: Value =
        serde_json::from_slice(&jose(&["jwk", "import", s(&spaced)], b"").ok()).unwrap();
    assert_eq!(from_jwk["kid"], "rsa-1");
    assert_eq!(from_jwk["d"], from_pem["d"]);
    let renamed: Value = serde_json::from_slice(
        &jose(
            &["jwk", "import", "--kid", "new", "--public", s(&spaced)],
            b"",
        )
        .ok(),
    )
    .unwrap();
    assert_eq!(renamed["kid"], "new");
    assert!(renamed.get("d").is_none());

    // The same on the other provider.
    let rc: Value = serde_json::from_slice(
        &jose(
            &["--provider", "rustcrypto", "jwk", "import", s(&f.rsa_pem)],
            b"",
        )
        .ok(),
    )
    .unwrap();
    assert_eq!(rc, from_pem);

    // A JWKS with one key is accepted; with two it is not.
    let one = jwks(d, "one.jwks", &[&f.rsa_pub_jwk]);
    let from_set: Value =
        serde_json::from_slice(&jose(&["jwk", "import", s(&one)], b"").ok()).unwrap();
    assert_eq!(from_set["kid"], "rsa-1");
    let two = jwks(d, "two.jwks", &[&f.rsa_pub_jwk, &f.rsa2_pub_jwk]);
    let msg = jose(&["jwk", "import", s(&two)], b"").fails(2);
    assert!(msg.contains("2 keys"), "{msg}");
}

#[test]
fn jwk_import_of_ec_pem_round_trips() {
    let dir = TempDir::new().unwrap();
    for provider in PROVIDERS {
        let (private, public) = ec_pem(dir.path(), "P-384", provider);
        let jwk = jose(
            &[
                "--provider",
                provider,
                "jwk",
                "import",
                "--kid",
                "e",
                s(&private),
            ],
            b"",
        )
        .ok();
        let jwk_file = write(dir.path(), &format!("{provider}.jwk"), &jwk);
        let again = jose(
            &["--provider", provider, "jwk", "import", s(&jwk_file)],
            b"",
        )
        .ok();
        assert_eq!(again, jwk);
        let a: Value =
            serde_json::from_slice(&jose(&["jwk", "import", s(&public)], b"").ok()).unwrap();
        let b: Value = serde_json::from_slice(&jwk).unwrap();
        assert_eq!(
            (a["crv"].clone(), a["x"].clone(), a["y"].clone()),
            (b["crv"].clone(), b["x"].clone(), b["y"].clone())
        );
    }
}

#[test]
fn jwk_thumbprint_matches_rfc7638_example() {
    let dir = TempDir::new().unwrap();
    // RFC 7638 section 3.1.
    let key = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;
    let path = write(dir.path(), "rfc7638.jwk", key);
    for provider in PROVIDERS {
        let out = jose(
            &["--provider", provider, "jwk", "thumbprint", s(&path)],
            b"",
        )
        .ok_text();
        assert_eq!(out, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs\n");
    }
}

#[test]
fn jwk_thumbprint_is_the_same_for_every_form_of_a_key() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let der = write(
        dir.path(),
        "rsa.der",
        pem_to_der(&std::fs::read_to_string(&f.rsa_pem).unwrap()),
    );
    let expected = jose(&["jwk", "thumbprint", s(&f.rsa_pem)], b"").ok_text();
    assert_eq!(
        expected.len(),
        44,
        "43 base64url characters and a newline: {expected:?}"
    );
    for file in [&f.rsa_pub_pem, &f.rsa_jwk, &f.rsa_pub_jwk, &der] {
        assert_eq!(
            jose(&["jwk", "thumbprint", s(file)], b"").ok_text(),
            expected,
            "{}",
            file.display()
        );
        assert_eq!(
            jose(
                &["--provider", "rustcrypto", "jwk", "thumbprint", s(file)],
                b""
            )
            .ok_text(),
            expected
        );
    }
    let other = jose(&["jwk", "thumbprint", s(&f.rsa2_jwk)], b"").ok_text();
    assert_ne!(other, expected);
}

#[test]
fn bad_key_files_are_key_errors() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("garbage", b"\x30\x03\x02\x01".to_vec()),
        ("text", b"hello world".to_vec()),
        ("not-a-jwk", br#"{"foo":1}"#.to_vec()),
        ("bad-json", br#"{"kty":"EC","#.to_vec()),
        ("duplicate-member", br#"{"kty":"EC","kty":"RSA"}"#.to_vec()),
        ("oct-jwk", br#"{"kty":"oct","k":"AAAA"}"#.to_vec()),
        (
            "truncated-pem",
            b"-----BEGIN PRIVATE KEY-----\nMIIB\n".to_vec(),
        ),
        ("bad-jwks", br#"{"keys":"nope"}"#.to_vec()),
    ];
    for (name, contents) in cases {
        let path = write(d, name, contents);
        let msg = jose(&["jwk", "import", s(&path)], b"").fails(2);
        assert!(msg.contains(name), "the message names the file: {msg}");
        jose(&["jwk", "thumbprint", s(&path)], b"").fails(2);
    }
    let msg = jose(&["jwk", "import", s(&d.join("missing.pem"))], b"").fails(2);
    assert!(msg.contains("missing.pem"), "{msg}");
    // A directory is not a key file.
    jose(&["jwk", "thumbprint", s(d)], b"").fails(2);
}
