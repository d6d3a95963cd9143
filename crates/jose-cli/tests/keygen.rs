//! Integration tests of the `jose` binary, `jose keygen rsa|ec|okp`: key files in PEM and JWK on
//! both providers, and keygen's usage errors.
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
use tempfile::TempDir;

#[test]
fn keygen_rsa_pem_is_pkcs8_and_spki() {
    let f = fixtures();
    let private = std::fs::read_to_string(&f.rsa_pem).unwrap();
    let public = std::fs::read_to_string(&f.rsa_pub_pem).unwrap();
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "{}",
        &private[..40]
    );
    assert!(private.trim_end().ends_with("-----END PRIVATE KEY-----"));
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert!(public.trim_end().ends_with("-----END PUBLIC KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&f.rsa_pem).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the private key file must not be group/world readable: {mode:o}"
        );
    }
    // 2048 bits by default.
    let jwk = read_json(&f.rsa_jwk);
    assert_eq!(b64url_decode(jwk["n"].as_str().unwrap()).len(), 256);
    assert_eq!(jwk["e"], "AQAB");
}

#[test]
fn keygen_rsa_jwk_on_rustcrypto_has_kid_and_private_members() {
    let f = fixtures();
    let private = read_json(&f.rsa2_jwk);
    let public = read_json(&f.rsa2_pub_jwk);
    assert_eq!(private["kty"], "RSA");
    assert_eq!(private["kid"], "rsa-2");
    for member in ["n", "e", "d", "p", "q", "dp", "dq", "qi"] {
        assert!(private[member].is_string(), "private JWK lacks {member}");
    }
    assert_eq!(public["kid"], "rsa-2");
    assert_eq!(public["n"], private["n"]);
    assert!(public.get("d").is_none() && public.get("p").is_none());
}

#[test]
fn keygen_rsa_3072() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("k.jwk");
    jose(
        &[
            "keygen",
            "rsa",
            "--bits",
            "3072",
            "--format",
            "jwk",
            "--out",
            s(&out),
        ],
        b"",
    )
    .ok();
    let jwk = read_json(&out);
    assert_eq!(b64url_decode(jwk["n"].as_str().unwrap()).len(), 384);
    assert!(jwk.get("kid").is_none(), "no kid unless --kid");
}

#[test]
fn keygen_ec_every_curve_on_both_providers() {
    let dir = TempDir::new().unwrap();
    for provider in PROVIDERS {
        for (curve, len) in [("P-256", 32), ("P-384", 48), ("P-521", 66)] {
            let name = format!("{provider}-{curve}");
            let private = dir.path().join(format!("{name}.jwk"));
            let public = dir.path().join(format!("{name}.pub.jwk"));
            let stdout = jose(
                &[
                    "--provider",
                    provider,
                    "keygen",
                    "ec",
                    "--curve",
                    curve,
                    "--kid",
                    &name,
                    "--format",
                    "jwk",
                    "--out",
                    s(&private),
                    "--public-out",
                    s(&public),
                ],
                b"",
            )
            .ok();
            assert!(stdout.is_empty());
            let jwk = read_json(&private);
            assert_eq!(jwk["kty"], "EC");
            assert_eq!(jwk["crv"], curve);
            assert_eq!(jwk["kid"], name.as_str());
            assert_eq!(b64url_decode(jwk["x"].as_str().unwrap()).len(), len);
            assert_eq!(b64url_decode(jwk["d"].as_str().unwrap()).len(), len);
            let pubjwk = read_json(&public);
            assert_eq!(pubjwk["x"], jwk["x"]);
            assert_eq!(pubjwk["y"], jwk["y"]);
            assert!(pubjwk.get("d").is_none());

            // And as PEM.
            let pem = dir.path().join(format!("{name}.pem"));
            let pub_pem = dir.path().join(format!("{name}.pub.pem"));
            jose(
                &[
                    "--provider",
                    provider,
                    "keygen",
                    "ec",
                    "--curve",
                    curve,
                    "--out",
                    s(&pem),
                    "--public-out",
                    s(&pub_pem),
                ],
                b"",
            )
            .ok();
            assert!(
                std::fs::read_to_string(&pem)
                    .unwrap()
                    .starts_with("-----BEGIN PRIVATE KEY-----")
            );
            assert!(
                std::fs::read_to_string(&pub_pem)
                    .unwrap()
                    .starts_with("-----BEGIN PUBLIC KEY-----")
            );
        }
    }
}

#[test]
fn keygen_usage_errors() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("k.pem");
    let o = s(&out);
    let msg = jose(&["keygen", "rsa", "--bits", "1024", "--out", o], b"").fails(2);
    assert!(msg.contains("1024") && msg.contains("2048"), "{msg}");
    jose(&["keygen", "ec", "--out", o], b"").fails(2);
    let msg = jose(&["keygen", "ec", "--curve", "secp256k1", "--out", o], b"").fails(2);
    assert!(msg.contains("P-256"), "{msg}");
    jose(
        &[
            "keygen", "ec", "--curve", "P-256", "--format", "der", "--out", o,
        ],
        b"",
    )
    .fails(2);
    jose(&["keygen", "rsa", "--curve", "P-256", "--out", o], b"").fails(2);
    jose(&["keygen", "ec", "--curve", "P-256"], b"").fails(2);
    jose(&["keygen", "dsa", "--out", o], b"").fails(2);
    let missing_dir = dir.path().join("no/such/dir/k.pem");
    let msg = jose(
        &["keygen", "ec", "--curve", "P-256", "--out", s(&missing_dir)],
        b"",
    )
    .fails(2);
    assert!(msg.contains("cannot write"), "{msg}");
    assert!(!out.exists());
}

#[test]
fn keygen_okp_both_curves_on_both_providers() {
    let dir = TempDir::new().unwrap();
    for provider in PROVIDERS {
        for curve in ["Ed25519", "X25519"] {
            let name = format!("{provider}-{curve}");
            let private = dir.path().join(format!("{name}.jwk"));
            let public = dir.path().join(format!("{name}.pub.jwk"));
            let stdout = jose(
                &[
                    "--provider",
                    provider,
                    "keygen",
                    "okp",
                    "--curve",
                    curve,
                    "--kid",
                    &name,
                    "--format",
                    "jwk",
                    "--out",
                    s(&private),
                    "--public-out",
                    s(&public),
                ],
                b"",
            )
            .ok();
            assert!(stdout.is_empty());
            let jwk = read_json(&private);
            assert_eq!(jwk["kty"], "OKP");
            assert_eq!(jwk["crv"], curve);
            assert_eq!(jwk["kid"], name.as_str());
            assert!(jwk.get("y").is_none());
            assert_eq!(b64url_decode(jwk["x"].as_str().unwrap()).len(), 32);
            assert_eq!(b64url_decode(jwk["d"].as_str().unwrap()).len(), 32);
            let pubjwk = read_json(&public);
            assert_eq!(pubjwk["x"], jwk["x"]);
            assert_eq!(pubjwk["kid"], name.as_str());
            assert!(pubjwk.get("d").is_none());
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&private).unwrap().permissions().mode();
                assert_eq!(mode & 0o077, 0, "{name}: private key file mode {mode:o}");
            }

            // PEM: PKCS#8 v1 (48 bytes, RFC 8410) and SPKI (44 bytes).
            let pem = dir.path().join(format!("{name}.pem"));
            let pub_pem = dir.path().join(format!("{name}.pub.pem"));
            jose(
                &[
                    "--provider",
                    provider,
                    "keygen",
                    "okp",
                    "--curve",
                    curve,
                    "--out",
                    s(&pem),
                    "--public-out",
                    s(&pub_pem),
                ],
                b"",
            )
            .ok();
            let private_der = pem_to_der(&text(&pem));
            let public_der = pem_to_der(&text(&pub_pem));
            assert!(text(&pem).starts_with("-----BEGIN PRIVATE KEY-----\n"));
            assert!(text(&pub_pem).starts_with("-----BEGIN PUBLIC KEY-----\n"));
            assert_eq!(private_der.len(), 48, "{name}");
            assert_eq!(
                &private_der[..5],
                &[0x30, 0x2e, 0x02, 0x01, 0x00],
                "{name}: version 1"
            );
            assert_eq!(public_der.len(), 44, "{name}");
            let oid_last = if curve == "Ed25519" { 0x70 } else { 0x6e };
            assert_eq!(
                &public_der[4..9],
                &[0x06, 0x03, 0x2b, 0x65, oid_last],
                "{name}"
            );
        }
    }
}

#[test]
fn keygen_okp_usage_errors() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("k.pem");
    let o = s(&out);
    jose(&["keygen", "okp", "--out", o], b"").fails(2);
    for curve in ["Ed448", "X448", "ed25519", "P-256"] {
        let msg = jose(&["keygen", "okp", "--curve", curve, "--out", o], b"").fails(2);
        assert!(
            msg.contains("Ed25519") && msg.contains("X25519"),
            "{curve}: {msg}"
        );
    }
    jose(
        &[
            "keygen", "okp", "--curve", "Ed25519", "--bits", "2048", "--out", o,
        ],
        b"",
    )
    .fails(2);
    jose(&["keygen", "ec", "--curve", "Ed25519", "--out", o], b"").fails(2);
    assert!(!out.exists());
}
