//! Integration tests of the `jose` binary, `jose jws sign|verify`: every alg and serialization on
//! both providers and across, detached and unencoded payloads, allow-lists, rejections, JWKS lookup
//! by kid.
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
use serde_json::{Value, json};
use tempfile::TempDir;

#[test]
fn jws_ec_every_curve_and_format_without_alg_flag() {
    let dir = TempDir::new().unwrap();
    for (curve, alg) in [("P-256", "ES256"), ("P-384", "ES384"), ("P-521", "ES512")] {
        let (private, public) = ec_jwk(dir.path(), curve, Some("e1"), curve);
        let (pem, pub_pem) = ec_pem(dir.path(), curve, curve);
        for format in FORMATS {
            let payload = binary();
            let t = token(
                jose(
                    &[
                        "jws",
                        "sign",
                        "--key",
                        s(&private),
                        "--alg",
                        alg,
                        "--format",
                        format,
                    ],
                    &payload,
                )
                .ok(),
            );
            assert_eq!(protected_header(&t)["alg"], alg);
            assert_eq!(protected_header(&t)["kid"], "e1");
            // The public JWK (own alg from the curve), and the private key file too.
            assert_eq!(
                jose(&["jws", "verify", "--key", s(&public)], t.as_bytes()).ok(),
                payload
            );
            assert_eq!(
                jose(
                    &["jws", "verify", "--key", s(&private), "--alg", alg],
                    t.as_bytes()
                )
                .ok(),
                payload
            );
            // The PEM pair.
            let t = token(
                jose(
                    &[
                        "jws",
                        "sign",
                        "--key",
                        s(&pem),
                        "--alg",
                        alg,
                        "--format",
                        format,
                    ],
                    b"pem",
                )
                .ok(),
            );
            assert!(protected_header(&t).get("kid").is_none());
            assert_eq!(
                jose(&["jws", "verify", "--key", s(&pub_pem)], t.as_bytes()).ok(),
                b"pem"
            );
        }
        // The wrong algorithm for the curve is a key error.
        let other = if alg == "ES256" { "ES384" } else { "ES256" };
        jose(&["jws", "sign", "--key", s(&private), "--alg", other], b"x").fails(2);
        jose(
            &["jws", "sign", "--key", s(&private), "--alg", "RS256"],
            b"x",
        )
        .fails(2);
    }
}

#[test]
fn jws_on_rustcrypto_and_across_providers() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let (private, public) = ec_jwk(dir.path(), "P-256", Some("x"), "ec");
    for (a, b) in [
        ("rustcrypto", "rustcrypto"),
        ("aws-lc", "rustcrypto"),
        ("rustcrypto", "aws-lc"),
    ] {
        let t = token(
            jose(
                &[
                    "--provider",
                    a,
                    "jws",
                    "sign",
                    "--key",
                    s(&private),
                    "--alg",
                    "ES256",
                ],
                b"ec",
            )
            .ok(),
        );
        assert_eq!(
            jose(
                &["--provider", b, "jws", "verify", "--key", s(&public)],
                t.as_bytes()
            )
            .ok(),
            b"ec"
        );
        for alg in ["RS512", "PS384"] {
            let t = token(
                jose(
                    &[
                        "--provider",
                        a,
                        "jws",
                        "sign",
                        "--key",
                        s(&f.rsa2_jwk),
                        "--alg",
                        alg,
                        "--format",
                        "general",
                    ],
                    b"rsa",
                )
                .ok(),
            );
            assert_eq!(
                jose(
                    &[
                        "--provider",
                        b,
                        "jws",
                        "verify",
                        "--key",
                        s(&f.rsa2_pub_jwk),
                        "--alg",
                        alg
                    ],
                    t.as_bytes()
                )
                .ok(),
                b"rsa"
            );
        }
    }
}

#[test]
fn jws_rsa_every_alg() {
    let f = fixtures();
    for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
        let t = token(
            jose(
                &["jws", "sign", "--key", s(&f.rsa_pem), "--alg", alg],
                b"rsa payload",
            )
            .ok(),
        );
        assert_eq!(protected_header(&t)["alg"], alg);
        assert_eq!(
            jose(
                &["jws", "verify", "--key", s(&f.rsa_pub_pem), "--alg", alg],
                t.as_bytes()
            )
            .ok(),
            b"rsa payload"
        );
        // Several --alg: any of them.
        assert_eq!(
            jose(
                &[
                    "jws",
                    "verify",
                    "--key",
                    s(&f.rsa_pub_jwk),
                    "--alg",
                    "ES256",
                    "--alg",
                    "RS256",
                    "--alg",
                    alg
                ],
                t.as_bytes()
            )
            .ok(),
            b"rsa payload"
        );
    }
}

#[test]
fn jws_rsa_key_without_alg_needs_the_flag_and_alg_allow_lists_hold() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let t = token(
        jose(
            &["jws", "sign", "--key", s(&f.rsa_jwk), "--alg", "RS256"],
            b"p",
        )
        .ok(),
    );
    for key in [&f.rsa_pub_pem, &f.rsa_pub_jwk] {
        let msg = jose(&["jws", "verify", "--key", s(key)], t.as_bytes()).fails(2);
        assert!(msg.contains("--alg"), "{msg}");
    }
    // The key is checked before the token is read: a key error wins over a bad token.
    jose(&["jws", "verify", "--key", s(&f.rsa_pub_pem)], b"garbage").fails(2);
    jose(&["jwe", "decrypt", "--key", s(&f.rsa_pub_pem)], b"garbage").fails(2);
    // Disallowed algorithm: rejected (1).
    let msg = jose(
        &[
            "jws",
            "verify",
            "--key",
            s(&f.rsa_pub_pem),
            "--alg",
            "PS256",
        ],
        t.as_bytes(),
    )
    .fails(1);
    assert!(msg.contains("RS256") && msg.contains("PS256"), "{msg}");
    // A JWK with "alg" needs no flag, and allows only its alg.
    let mut jwk = read_json(&f.rsa_pub_jwk);
    jwk["alg"] = json!("RS256");
    let with_alg = write(dir.path(), "alg.jwk", jwk.to_string());
    assert_eq!(
        jose(&["jws", "verify", "--key", s(&with_alg)], t.as_bytes()).ok(),
        b"p"
    );
    let ps = token(
        jose(
            &["jws", "sign", "--key", s(&f.rsa_jwk), "--alg", "PS256"],
            b"p",
        )
        .ok(),
    );
    jose(&["jws", "verify", "--key", s(&with_alg)], ps.as_bytes()).fails(1);
    // --alg outside the key's own alg: the key fits no allowed algorithm.
    jose(
        &["jws", "verify", "--key", s(&with_alg), "--alg", "PS256"],
        ps.as_bytes(),
    )
    .fails(2);
    // An EC key bound to another curve's algorithm.
    let (_, ec_pub) = ec_jwk(dir.path(), "P-256", None, "ec");
    jose(
        &["jws", "verify", "--key", s(&ec_pub), "--alg", "ES384"],
        t.as_bytes(),
    )
    .fails(2);
    // An EC token checked against a different EC key's own alg: not allowed.
    let (p384, _) = ec_jwk(dir.path(), "P-384", None, "p384");
    let t384 = token(jose(&["jws", "sign", "--key", s(&p384), "--alg", "ES384"], b"p").ok());
    jose(&["jws", "verify", "--key", s(&ec_pub)], t384.as_bytes()).fails(1);
    // alg "none" and a bad --alg value.
    let none = format!(
        "{}.{}.",
        jose::b64::encode(br#"{"alg":"none"}"#),
        jose::b64::encode(b"p")
    );
    jose(&["jws", "verify", "--key", s(&ec_pub)], none.as_bytes()).fails(1);
    jose(
        &["jws", "verify", "--key", s(&ec_pub), "--alg", "none"],
        none.as_bytes(),
    )
    .fails(2);
    jose(&["jws", "sign", "--key", s(&p384), "--alg", "HS256"], b"p").fails(2);
}

#[test]
fn jws_tampered_and_malformed_tokens_are_rejected() {
    let dir = TempDir::new().unwrap();
    let (private, public) = ec_jwk(dir.path(), "P-256", None, "ec");
    let t = token(
        jose(
            &["jws", "sign", "--key", s(&private), "--alg", "ES256"],
            b"original",
        )
        .ok(),
    );
    let forged = {
        let parts: Vec<&str> = t.split('.').collect();
        format!("{}.{}.{}", parts[0], jose::b64::encode(b"forged"), parts[2])
    };
    let msg = jose(&["jws", "verify", "--key", s(&public)], forged.as_bytes()).fails(1);
    assert_eq!(msg, "error: signature verification failed");
    jose(
        &["jws", "verify", "--key", s(&public)],
        tamper(&t, 2).as_bytes(),
    )
    .fails(1);
    // Another key.
    let (_, other) = ec_jwk(dir.path(), "P-256", None, "other");
    jose(&["jws", "verify", "--key", s(&other)], t.as_bytes()).fails(1);
    for bad in [
        &b""[..],
        b"x",
        b"a.b",
        b"a.b.c.d",
        b"{}",
        b"{\"payload\":\"\"}",
        b"\xff\xff",
        b"....",
    ] {
        jose(&["jws", "verify", "--key", s(&public)], bad).fails(1);
    }
    // Whitespace around the token is fine.
    let padded = format!("\n\n {t} \t\r\n");
    assert_eq!(
        jose(&["jws", "verify", "--key", s(&public)], padded.as_bytes()).ok(),
        b"original"
    );
    // A critical header the verifier does not understand.
    let crit = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private),
                "--alg",
                "ES256",
                "--protected",
                r#"{"crit":["exp"],"exp":1}"#,
            ],
            b"c",
        )
        .ok(),
    );
    let msg = jose(&["jws", "verify", "--key", s(&public)], crit.as_bytes()).fails(1);
    assert!(msg.contains("exp"), "{msg}");
}

#[test]
fn jws_detached_payload() {
    let dir = TempDir::new().unwrap();
    let (private, public) = ec_jwk(dir.path(), "P-384", None, "ec");
    let payload = binary();
    let payload_file = write(dir.path(), "payload.bin", &payload);
    let wrong_file = write(dir.path(), "wrong.bin", b"wrong");
    for format in FORMATS {
        let t = token(
            jose(
                &[
                    "jws",
                    "sign",
                    "--key",
                    s(&private),
                    "--alg",
                    "ES384",
                    "--detached",
                    "--format",
                    format,
                ],
                &payload,
            )
            .ok(),
        );
        if format == "compact" {
            assert_eq!(t.split('.').nth(1), Some(""), "{t}");
        } else {
            assert!(
                serde_json::from_str::<Value>(&t)
                    .unwrap()
                    .get("payload")
                    .is_none()
            );
        }
        assert_eq!(
            jose(
                &[
                    "jws",
                    "verify",
                    "--key",
                    s(&public),
                    "--payload",
                    s(&payload_file)
                ],
                t.as_bytes()
            )
            .ok(),
            payload
        );
        jose(
            &[
                "jws",
                "verify",
                "--key",
                s(&public),
                "--payload",
                s(&wrong_file),
            ],
            t.as_bytes(),
        )
        .fails(1);
        // Without --payload: a JSON token says it is detached (usage, 2); a compact one has an
        // empty payload part, which does not verify (1), with a hint.
        let code = if format == "compact" { 1 } else { 2 };
        let msg = jose(&["jws", "verify", "--key", s(&public)], t.as_bytes()).fails(code);
        assert!(msg.contains("--payload"), "{msg}");
    }
    // --payload with a token that carries its payload.
    let attached = token(
        jose(
            &["jws", "sign", "--key", s(&private), "--alg", "ES384"],
            b"attached",
        )
        .ok(),
    );
    jose(
        &[
            "jws",
            "verify",
            "--key",
            s(&public),
            "--payload",
            s(&payload_file),
        ],
        attached.as_bytes(),
    )
    .fails(2);
    jose(
        &[
            "jws",
            "verify",
            "--key",
            s(&public),
            "--payload",
            s(&dir.path().join("missing")),
        ],
        attached.as_bytes(),
    )
    .fails(2);
}

#[test]
fn jws_unencoded_payload() {
    let dir = TempDir::new().unwrap();
    let (private, public) = ec_jwk(dir.path(), "P-256", None, "ec");
    // Compact, attached: the payload appears as is.
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private),
                "--alg",
                "ES256",
                "--unencoded",
            ],
            b"$hello world",
        )
        .ok(),
    );
    assert_eq!(t.split('.').nth(1), Some("$hello world"));
    let h = protected_header(&t);
    assert_eq!(h["b64"], false);
    assert_eq!(h["crit"], json!(["b64"]));
    assert_eq!(
        jose(&["jws", "verify", "--key", s(&public)], t.as_bytes()).ok(),
        b"$hello world"
    );
    // A '.' cannot be attached in compact form: a usage error; flattened is fine.
    jose(
        &[
            "jws",
            "sign",
            "--key",
            s(&private),
            "--alg",
            "ES256",
            "--unencoded",
        ],
        b"1.5",
    )
    .fails(2);
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private),
                "--alg",
                "ES256",
                "--unencoded",
                "--format",
                "flattened",
            ],
            b"1.5",
        )
        .ok(),
    );
    assert_eq!(serde_json::from_str::<Value>(&t).unwrap()["payload"], "1.5");
    assert_eq!(
        jose(&["jws", "verify", "--key", s(&public)], t.as_bytes()).ok(),
        b"1.5"
    );
    // Binary and unencoded: detached.
    let payload = binary();
    let file = write(dir.path(), "p.bin", &payload);
    jose(
        &[
            "jws",
            "sign",
            "--key",
            s(&private),
            "--alg",
            "ES256",
            "--unencoded",
        ],
        &payload,
    )
    .fails(2);
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private),
                "--alg",
                "ES256",
                "--unencoded",
                "--detached",
            ],
            &payload,
        )
        .ok(),
    );
    assert_eq!(
        jose(
            &["jws", "verify", "--key", s(&public), "--payload", s(&file)],
            t.as_bytes()
        )
        .ok(),
        payload
    );
}

#[test]
fn jws_kid_and_protected_flags() {
    let dir = TempDir::new().unwrap();
    let (private, public) = ec_jwk(dir.path(), "P-521", Some("from-file"), "ec");
    let t = token(
        jose(
            &["jws", "sign", "--key", s(&private), "--alg", "ES512"],
            b"k",
        )
        .ok(),
    );
    assert_eq!(protected_header(&t)["kid"], "from-file");
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private),
                "--alg",
                "ES512",
                "--kid",
                "flag",
                "--protected",
                r#"{"typ":"JOSE+JSON","iat":1700000000}"#,
            ],
            b"k",
        )
        .ok(),
    );
    let h = protected_header(&t);
    assert_eq!(h["kid"], "flag");
    assert_eq!(h["typ"], "JOSE+JSON");
    assert_eq!(h["iat"], 1_700_000_000);
    // The public key file says kid "from-file": no match for "flag".
    jose(&["jws", "verify", "--key", s(&public)], t.as_bytes()).fails(1);
    // --protected that contradicts --alg, or is not an object.
    jose(
        &[
            "jws",
            "sign",
            "--key",
            s(&private),
            "--alg",
            "ES512",
            "--protected",
            r#"{"alg":"ES256"}"#,
        ],
        b"k",
    )
    .fails(2);
    jose(
        &[
            "jws",
            "sign",
            "--key",
            s(&private),
            "--alg",
            "ES512",
            "--protected",
            "[]",
        ],
        b"k",
    )
    .fails(2);
    jose(
        &[
            "jws",
            "sign",
            "--key",
            s(&private),
            "--alg",
            "ES512",
            "--protected",
            r#"{"b64":false}"#,
        ],
        b"k",
    )
    .fails(2);
    // Signing needs a private key.
    let msg = jose(
        &["jws", "sign", "--key", s(&public), "--alg", "ES512"],
        b"k",
    )
    .fails(2);
    assert!(msg.contains("private"), "{msg}");
}

#[test]
fn jws_jwks_is_searched_by_kid() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let (a, a_pub) = ec_jwk(d, "P-256", Some("a"), "a");
    let (b, b_pub) = ec_jwk(d, "P-256", Some("b"), "b");
    let (c, c_pub) = ec_jwk(d, "P-384", Some("c"), "c");
    let set = jwks(d, "set.jwks", &[&a_pub, &b_pub, &c_pub]);
    for (key, alg, text) in [
        (&a, "ES256", "from a"),
        (&b, "ES256", "from b"),
        (&c, "ES384", "from c"),
    ] {
        let t = token(
            jose(
                &["jws", "sign", "--key", s(key), "--alg", alg],
                text.as_bytes(),
            )
            .ok(),
        );
        assert_eq!(
            jose(&["jws", "verify", "--jwks", s(&set)], t.as_bytes()).ok(),
            text.as_bytes()
        );
        assert_eq!(
            jose(&["jws", "verify", "--key", s(&set)], t.as_bytes()).ok(),
            text.as_bytes()
        );
    }
    // A kid not in the set.
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&a),
                "--kid",
                "zzz",
                "--alg",
                "ES256",
            ],
            b"x",
        )
        .ok(),
    );
    let msg = jose(&["jws", "verify", "--jwks", s(&set)], t.as_bytes()).fails(1);
    assert!(msg.contains("zzz"), "{msg}");
    // A token signed by b but claiming kid a: a's key does not verify it.
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&b),
                "--kid",
                "a",
                "--alg",
                "ES256",
            ],
            b"x",
        )
        .ok(),
    );
    jose(&["jws", "verify", "--jwks", s(&set)], t.as_bytes()).fails(1);
    // No kid: fine with one usable key, ambiguous with several.
    let (pem, _) = ec_pem(d, "P-256", "nokid");
    let nokid = token(
        jose(
            &["jws", "sign", "--key", s(&pem), "--alg", "ES256"],
            b"nokid",
        )
        .ok(),
    );
    jose(&["jws", "verify", "--jwks", s(&set)], nokid.as_bytes()).fails(1);
    let pem_jwk = write(
        d,
        "nokid.pub.jwk",
        jose(&["jwk", "import", "--public", s(&pem)], b"").ok(),
    );
    let one = jwks(d, "one.jwks", &[&pem_jwk]);
    assert_eq!(
        jose(&["jws", "verify", "--jwks", s(&one)], nokid.as_bytes()).ok(),
        b"nokid"
    );
    // With --alg ES384 only the P-384 key is usable, so a token without kid selects it.
    let c_pem = write(d, "c.pem.jwk", {
        let mut v = read_json(&c);
        v.as_object_mut().unwrap().remove("kid");
        v.to_string()
    });
    let t = token(
        jose(
            &["jws", "sign", "--key", s(&c_pem), "--alg", "ES384"],
            b"only c",
        )
        .ok(),
    );
    assert_eq!(
        jose(
            &["jws", "verify", "--jwks", s(&set), "--alg", "ES384"],
            t.as_bytes()
        )
        .ok(),
        b"only c"
    );
    // A general JWS with two signatures: one kid in the set is enough.
    let (x, _) = ec_jwk(d, "P-256", Some("x"), "x");
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&x),
                "--alg",
                "ES256",
                "--format",
                "general",
            ],
            b"g",
        )
        .ok(),
    );
    let t2 = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&b),
                "--alg",
                "ES256",
                "--format",
                "general",
            ],
            b"g",
        )
        .ok(),
    );
    let mut merged: Value = serde_json::from_str(&t).unwrap();
    let second: Value = serde_json::from_str(&t2).unwrap();
    merged["signatures"]
        .as_array_mut()
        .unwrap()
        .push(second["signatures"][0].clone());
    assert_eq!(
        jose(
            &["jws", "verify", "--jwks", s(&set)],
            merged.to_string().as_bytes()
        )
        .ok(),
        b"g"
    );
    // Duplicate kids in the set are ambiguous.
    let mut dup = read_json(&b_pub);
    dup["kid"] = json!("a");
    let dup_file = write(d, "dup.jwk", dup.to_string());
    let dup_set = jwks(d, "dup.jwks", &[&a_pub, &dup_file]);
    let t = token(jose(&["jws", "sign", "--key", s(&a), "--alg", "ES256"], b"x").ok());
    let msg = jose(&["jws", "verify", "--jwks", s(&dup_set)], t.as_bytes()).fails(2);
    assert!(msg.contains("ambiguous"), "{msg}");
    // A JWKS without a usable key is a key error, checked before the token.
    for (name, text) in [
        ("empty.jwks", r#"{"keys":[]}"#),
        ("oct.jwks", r#"{"keys":[{"kty":"oct","k":"AAAA"}]}"#),
    ] {
        let path = write(d, name, text);
        jose(&["jws", "verify", "--jwks", s(&path)], t.as_bytes()).fails(2);
        jose(&["jws", "verify", "--jwks", s(&path)], b"garbage").fails(2);
        jose(&["jwe", "decrypt", "--key", s(&path)], b"garbage").fails(2);
    }
    // --jwks needs a JWKS; --key and --jwks together is a usage error; neither too.
    let msg = jose(&["jws", "verify", "--jwks", s(&a_pub)], t.as_bytes()).fails(2);
    assert!(msg.contains("JWKS"), "{msg}");
    jose(
        &["jws", "verify", "--jwks", s(&set), "--key", s(&a_pub)],
        t.as_bytes(),
    )
    .fails(2);
    jose(&["jws", "verify"], t.as_bytes()).fails(2);
    // Signing with a JWKS: --kid selects; without it, several keys are ambiguous.
    let private_set = jwks(d, "private.jwks", &[&a, &b]);
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private_set),
                "--kid",
                "b",
                "--alg",
                "ES256",
            ],
            b"s",
        )
        .ok(),
    );
    assert_eq!(protected_header(&t)["kid"], "b");
    assert_eq!(
        jose(&["jws", "verify", "--key", s(&b_pub)], t.as_bytes()).ok(),
        b"s"
    );
    jose(
        &["jws", "sign", "--key", s(&private_set), "--alg", "ES256"],
        b"s",
    )
    .fails(2);
}

/// An Ed25519 key pair made by `jose keygen okp` in `format` ("jwk" or "pem") on `provider`.
fn ed25519_pair(
    dir: &std::path::Path,
    provider: &str,
    format: &str,
    name: &str,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let private = dir.join(format!("{name}.{format}"));
    let public = dir.join(format!("{name}.pub.{format}"));
    let mut args = vec![
        "--provider",
        provider,
        "keygen",
        "okp",
        "--curve",
        "Ed25519",
        "--format",
        format,
        "--out",
        s(&private),
        "--public-out",
        s(&public),
    ];
    if format == "jwk" {
        args.extend(["--kid", name]);
    }
    jose(&args, b"").ok();
    (private, public)
}

#[test]
fn jws_eddsa_with_and_without_alg_on_both_providers_and_across() {
    let dir = TempDir::new().unwrap();
    for (signer, verifier) in [
        ("aws-lc", "aws-lc"),
        ("aws-lc", "rustcrypto"),
        ("rustcrypto", "aws-lc"),
        ("rustcrypto", "rustcrypto"),
    ] {
        for format in ["jwk", "pem"] {
            let name = format!("ed-{signer}-{verifier}-{format}");
            let (private, public) = ed25519_pair(dir.path(), signer, format, &name);
            for alg in [Some("EdDSA"), None] {
                for serialization in FORMATS {
                    let payload = binary();
                    let mut args = vec![
                        "--provider",
                        signer,
                        "jws",
                        "sign",
                        "--key",
                        s(&private),
                        "--format",
                        serialization,
                    ];
                    if let Some(alg) = alg {
                        args.extend(["--alg", alg]);
                    }
                    let t = token(jose(&args, &payload).ok());
                    let header = protected_header(&t);
                    assert_eq!(header["alg"], "EdDSA", "{name}");
                    if format == "jwk" {
                        assert_eq!(header["kid"], name.as_str());
                    }
                    // The key's own alg, and --alg EdDSA, on the verifying provider.
                    assert_eq!(
                        jose(
                            &["--provider", verifier, "jws", "verify", "--key", s(&public)],
                            t.as_bytes()
                        )
                        .ok(),
                        payload,
                        "{name} {serialization}"
                    );
                    assert_eq!(
                        jose(
                            &[
                                "--provider",
                                verifier,
                                "jws",
                                "verify",
                                "--key",
                                s(&public),
                                "--alg",
                                "EdDSA"
                            ],
                            t.as_bytes()
                        )
                        .ok(),
                        payload
                    );
                    if serialization == "compact" {
                        // A tampered signature is a rejection (exit 1).
                        jose(
                            &["--provider", verifier, "jws", "verify", "--key", s(&public)],
                            tamper(&t, 2).as_bytes(),
                        )
                        .fails(1);
                        // An allow-list without EdDSA refuses the token.
                        jose(
                            &[
                                "--provider",
                                verifier,
                                "jws",
                                "verify",
                                "--key",
                                s(&public),
                                "--alg",
                                "ES256",
                            ],
                            t.as_bytes(),
                        )
                        .fails(2);
                    }
                }
            }
        }
    }
}

#[test]
fn jws_okp_keys_that_cannot_sign_are_refused() {
    let dir = TempDir::new().unwrap();
    let (ed_private, _) = ed25519_pair(dir.path(), "aws-lc", "pem", "ed");
    // EdDSA is for Ed25519 only, and an Ed25519 key signs nothing else.
    for alg in ["ES256", "RS256", "PS256"] {
        let msg = jose(
            &["jws", "sign", "--key", s(&ed_private), "--alg", alg],
            b"x",
        )
        .fails(2);
        assert!(msg.contains(alg) && msg.contains("Ed25519"), "{alg}: {msg}");
    }
    let x_private = dir.path().join("x.pem");
    jose(
        &["keygen", "okp", "--curve", "X25519", "--out", s(&x_private)],
        b"",
    )
    .ok();
    let msg = jose(&["jws", "sign", "--key", s(&x_private)], b"x").fails(2);
    assert!(msg.contains("X25519"), "{msg}");
    let msg = jose(
        &["jws", "sign", "--key", s(&x_private), "--alg", "EdDSA"],
        b"x",
    )
    .fails(2);
    assert!(msg.contains("EdDSA") && msg.contains("X25519"), "{msg}");
    // A P-256 key cannot sign EdDSA.
    let (p256, _) = ec_pem(dir.path(), "P-256", "p256");
    let msg = jose(&["jws", "sign", "--key", s(&p256), "--alg", "EdDSA"], b"x").fails(2);
    assert!(msg.contains("EdDSA"), "{msg}");
}
