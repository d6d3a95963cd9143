//! Integration tests of the `jose` binary, `jose jwe encrypt|decrypt`: every alg, enc and
//! serialization on both providers and across, header flags and AAD, rejections, JWKS lookup by
//! kid.
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
fn jwe_round_trip_every_format_on_both_providers_with_binary_plaintext() {
    let f = fixtures();
    let plaintext = binary();
    for provider in PROVIDERS {
        for format in FORMATS {
            let out = jose(
                &[
                    "--provider",
                    provider,
                    "jwe",
                    "encrypt",
                    "--key",
                    s(&f.rsa_pub_pem),
                    "--alg",
                    "RSA-OAEP-256",
                    "--enc",
                    "A256GCM",
                    "--format",
                    format,
                ],
                &plaintext,
            )
            .ok();
            let t = token(out);
            match format {
                "compact" => assert_eq!(t.split('.').count(), 5),
                "flattened" => {
                    assert!(serde_json::from_str::<Value>(&t).unwrap()["encrypted_key"].is_string())
                }
                _ => assert!(serde_json::from_str::<Value>(&t).unwrap()["recipients"].is_array()),
            }
            for key in [&f.rsa_pem, &f.rsa_jwk] {
                let back = jose(
                    &["--provider", provider, "jwe", "decrypt", "--key", s(key)],
                    t.as_bytes(),
                )
                .ok();
                assert_eq!(back, plaintext, "{provider} {format}");
            }
        }
    }
}

#[test]
fn jwe_every_alg_and_enc_and_empty_plaintext() {
    let f = fixtures();
    for alg in ["RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"] {
        for enc in ["A128GCM", "A192GCM", "A256GCM"] {
            let t = token(
                jose(
                    &[
                        "jwe",
                        "encrypt",
                        "--key",
                        s(&f.rsa_jwk),
                        "--alg",
                        alg,
                        "--enc",
                        enc,
                    ],
                    b"hello",
                )
                .ok(),
            );
            let h = protected_header(&t);
            assert_eq!(
                (h["alg"].as_str(), h["enc"].as_str(), h["kid"].as_str()),
                (Some(alg), Some(enc), Some("rsa-1"))
            );
            assert_eq!(
                jose(&["jwe", "decrypt", "--key", s(&f.rsa_pem)], t.as_bytes()).ok(),
                b"hello"
            );
        }
    }
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_pub_pem),
                "--alg",
                "RSA-OAEP",
                "--enc",
                "A128GCM",
            ],
            b"",
        )
        .ok(),
    );
    assert_eq!(
        jose(&["jwe", "decrypt", "--key", s(&f.rsa_pem)], t.as_bytes()).ok(),
        b""
    );
}

#[test]
fn jwe_cross_provider() {
    let f = fixtures();
    for (a, b) in [("aws-lc", "rustcrypto"), ("rustcrypto", "aws-lc")] {
        let t = token(
            jose(
                &[
                    "--provider",
                    a,
                    "jwe",
                    "encrypt",
                    "--key",
                    s(&f.rsa2_pub_jwk),
                    "--alg",
                    "RSA-OAEP",
                    "--enc",
                    "A192GCM",
                ],
                b"across",
            )
            .ok(),
        );
        assert_eq!(
            jose(
                &["--provider", b, "jwe", "decrypt", "--key", s(&f.rsa2_jwk)],
                t.as_bytes()
            )
            .ok(),
            b"across"
        );
    }
}

#[test]
fn jwe_header_flags_and_aad() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let k = s(&f.rsa_pub_jwk);
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                k,
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A128GCM",
                "--kid",
                "override",
                "--cty",
                "application/json",
                "--protected",
                r#"{"typ":"JOSE","x-trace":[1,2]}"#,
            ],
            b"{}",
        )
        .ok(),
    );
    let h = protected_header(&t);
    assert_eq!(h["kid"], "override");
    assert_eq!(h["cty"], "application/json");
    assert_eq!(h["typ"], "JOSE");
    assert_eq!(h["x-trace"], json!([1, 2]));
    // The private key file says kid "rsa-1", the token "override": no match, the token is rejected.
    let msg = jose(&["jwe", "decrypt", "--key", s(&f.rsa_jwk)], t.as_bytes()).fails(1);
    assert!(msg.contains("override"), "{msg}");
    // The PEM key has no kid and matches any.
    assert_eq!(
        jose(&["jwe", "decrypt", "--key", s(&f.rsa_pem)], t.as_bytes()).ok(),
        b"{}"
    );

    let aad = write(dir.path(), "aad.bin", b"\x00binary aad\xff");
    for format in ["flattened", "general"] {
        let t = token(
            jose(
                &[
                    "jwe",
                    "encrypt",
                    "--key",
                    k,
                    "--alg",
                    "RSA-OAEP-256",
                    "--enc",
                    "A256GCM",
                    "--aad",
                    s(&aad),
                    "--format",
                    format,
                ],
                b"with aad",
            )
            .ok(),
        );
        let v: Value = serde_json::from_str(&t).unwrap();
        assert_eq!(
            b64url_decode(v["aad"].as_str().unwrap()),
            b"\x00binary aad\xff"
        );
        assert_eq!(
            jose(&["jwe", "decrypt", "--key", s(&f.rsa_jwk)], t.as_bytes()).ok(),
            b"with aad"
        );
        // Changing the AAD breaks the authentication.
        let mut changed = v.clone();
        changed["aad"] = json!(jose::b64::encode(b"other aad"));
        jose(
            &["jwe", "decrypt", "--key", s(&f.rsa_jwk)],
            changed.to_string().as_bytes(),
        )
        .fails(1);
    }
    let msg = jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            k,
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
            "--aad",
            s(&aad),
        ],
        b"x",
    )
    .fails(2);
    assert!(msg.contains("--aad") && msg.contains("compact"), "{msg}");

    for bad in ["[1]", "\"x\"", "{", r#"{"a":1,"a":2}"#] {
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                k,
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A256GCM",
                "--protected",
                bad,
            ],
            b"x",
        )
        .fails(2);
    }
    // A protected "enc" that contradicts --enc is refused.
    jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            k,
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
            "--protected",
            r#"{"enc":"A128GCM"}"#,
        ],
        b"x",
    )
    .fails(2);
}

#[test]
fn jwe_decrypt_rejections_and_errors() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_pub_pem),
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A256GCM",
            ],
            b"secret",
        )
        .ok(),
    );
    let key = s(&f.rsa_pem);
    // Tampered ciphertext, tag, encrypted key.
    for segment in [1, 3, 4] {
        let msg = jose(
            &["jwe", "decrypt", "--key", key],
            tamper(&t, segment).as_bytes(),
        )
        .fails(1);
        assert_eq!(msg, "error: decryption failed");
    }
    // Not allowed: enc, alg.
    let msg = jose(
        &[
            "jwe", "decrypt", "--key", key, "--enc", "A128GCM", "--enc", "A192GCM",
        ],
        t.as_bytes(),
    )
    .fails(1);
    assert!(msg.contains("A256GCM") && msg.contains("A128GCM"), "{msg}");
    let msg = jose(
        &["jwe", "decrypt", "--key", key, "--alg", "RSA-OAEP"],
        t.as_bytes(),
    )
    .fails(1);
    assert!(msg.contains("RSA-OAEP-256"), "{msg}");
    // Allowed explicitly.
    assert_eq!(
        jose(
            &[
                "jwe",
                "decrypt",
                "--key",
                key,
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A256GCM"
            ],
            t.as_bytes()
        )
        .ok(),
        b"secret"
    );
    // The wrong key.
    jose(&["jwe", "decrypt", "--key", s(&f.rsa2_jwk)], t.as_bytes()).fails(1);
    // Malformed tokens.
    jose(&["jwe", "decrypt", "--key", key], b"").fails(1);
    jose(&["jwe", "decrypt", "--key", key], b"  \n").fails(1);
    jose(&["jwe", "decrypt", "--key", key], b"a.b.c").fails(1);
    jose(&["jwe", "decrypt", "--key", key], b"{\"protected\":1}").fails(1);
    jose(&["jwe", "decrypt", "--key", key], b"\xff\xfe.\x80").fails(1);
    // Key errors: a public key, an EC key, a bad flag value.
    let msg = jose(
        &["jwe", "decrypt", "--key", s(&f.rsa_pub_pem)],
        t.as_bytes(),
    )
    .fails(2);
    assert!(msg.contains("private"), "{msg}");
    let (ec, _) = ec_pem(dir.path(), "P-256", "ec");
    // An EC key fits ECDH-ES by default: the RSA-OAEP-256 token is then not allowed (exit 1);
    // with --alg RSA-OAEP-256 the key fits nothing (a key error, exit 2).
    let msg = jose(&["jwe", "decrypt", "--key", s(&ec)], t.as_bytes()).fails(1);
    assert!(
        msg.contains("RSA-OAEP-256 is not allowed") && msg.contains("ECDH-ES"),
        "{msg}"
    );
    let msg = jose(
        &["jwe", "decrypt", "--key", s(&ec), "--alg", "RSA-OAEP-256"],
        t.as_bytes(),
    )
    .fails(2);
    assert!(msg.contains("RSA") && msg.contains("P-256"), "{msg}");
    jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            s(&ec),
            "--alg",
            "RSA-OAEP",
            "--enc",
            "A128GCM",
        ],
        b"x",
    )
    .fails(2);
    let msg = jose(
        &["jwe", "decrypt", "--key", key, "--alg", "RSA1_5"],
        t.as_bytes(),
    )
    .fails(2);
    assert!(
        msg.contains("RSA1_5") && msg.contains("RSA-OAEP-512"),
        "{msg}"
    );
    let msg = jose(
        &[
            "jwe", "encrypt", "--key", key, "--alg", "RSA1_5", "--enc", "A128GCM",
        ],
        b"x",
    )
    .fails(2);
    assert!(msg.contains("RSA1_5"), "{msg}");
    jose(
        &["jwe", "decrypt", "--key", key, "--enc", "A128CBC_HS256"],
        t.as_bytes(),
    )
    .fails(2);
    let msg = jose(
        &["jwe", "decrypt", "--key", key, "--enc", "A128CBC-HS256"],
        t.as_bytes(),
    )
    .fails(1);
    assert!(msg.contains("A256GCM is not allowed"), "{msg}");
    jose(
        &[
            "jwe", "encrypt", "--key", key, "--alg", "dir", "--enc", "A128GCM",
        ],
        b"x",
    )
    .fails(2);
    jose(&["jwe", "encrypt", "--key", key, "--alg", "RSA-OAEP"], b"x").fails(2);
    jose(
        &["jwe", "decrypt", "--key", s(&dir.path().join("nope.pem"))],
        t.as_bytes(),
    )
    .fails(2);
}

#[test]
fn jwe_whitespace_around_token_is_ignored() {
    let f = fixtures();
    for format in FORMATS {
        let t = token(
            jose(
                &[
                    "jwe",
                    "encrypt",
                    "--key",
                    s(&f.rsa_pub_jwk),
                    "--alg",
                    "RSA-OAEP",
                    "--enc",
                    "A128GCM",
                    "--format",
                    format,
                ],
                b"ws",
            )
            .ok(),
        );
        let padded = format!(" \r\n\t{t}\n\n  \r\n");
        assert_eq!(
            jose(
                &["jwe", "decrypt", "--key", s(&f.rsa_jwk)],
                padded.as_bytes()
            )
            .ok(),
            b"ws"
        );
    }
}

#[test]
fn jwe_jwks_is_searched_by_kid() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let private_set = jwks(d, "private.jwks", &[&f.rsa_jwk, &f.rsa2_jwk]);
    let public_set = jwks(d, "public.jwks", &[&f.rsa_pub_jwk, &f.rsa2_pub_jwk]);

    // Encrypt: a JWKS is searched by --kid; without --kid two keys are ambiguous.
    for (kid, text) in [("rsa-1", b"one".as_slice()), ("rsa-2", b"two".as_slice())] {
        let t = token(
            jose(
                &[
                    "jwe",
                    "encrypt",
                    "--key",
                    s(&public_set),
                    "--kid",
                    kid,
                    "--alg",
                    "RSA-OAEP-256",
                    "--enc",
                    "A256GCM",
                ],
                text,
            )
            .ok(),
        );
        assert_eq!(protected_header(&t)["kid"], kid);
        assert_eq!(
            jose(&["jwe", "decrypt", "--key", s(&private_set)], t.as_bytes()).ok(),
            text
        );
    }
    jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            s(&public_set),
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
        ],
        b"x",
    )
    .fails(2);
    jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            s(&public_set),
            "--kid",
            "nope",
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
        ],
        b"x",
    )
    .fails(2);

    // Decrypt: a kid the JWKS does not have is a rejection.
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_pub_pem),
                "--kid",
                "rsa-3",
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A256GCM",
            ],
            b"x",
        )
        .ok(),
    );
    let msg = jose(&["jwe", "decrypt", "--key", s(&private_set)], t.as_bytes()).fails(1);
    assert!(msg.contains("rsa-3"), "{msg}");
    // A public JWKS cannot decrypt.
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_jwk),
                "--alg",
                "RSA-OAEP",
                "--enc",
                "A256GCM",
            ],
            b"x",
        )
        .ok(),
    );
    jose(&["jwe", "decrypt", "--key", s(&public_set)], t.as_bytes()).fails(2);

    // A token without kid: fine with a one-key JWKS, ambiguous with two.
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_pub_pem),
                "--alg",
                "RSA-OAEP",
                "--enc",
                "A256GCM",
            ],
            b"nokid",
        )
        .ok(),
    );
    assert!(protected_header(&t).get("kid").is_none());
    let single = jwks(d, "single.jwks", &[&f.rsa_jwk]);
    assert_eq!(
        jose(&["jwe", "decrypt", "--key", s(&single)], t.as_bytes()).ok(),
        b"nokid"
    );
    let msg = jose(&["jwe", "decrypt", "--key", s(&private_set)], t.as_bytes()).fails(1);
    assert!(msg.contains("kid"), "{msg}");

    // Two keys with the same kid are ambiguous.
    let mut dup = read_json(&f.rsa2_jwk);
    dup["kid"] = json!("rsa-1");
    let dup_file = write(d, "dup.jwk", dup.to_string());
    let dup_set = jwks(d, "dup.jwks", &[&f.rsa_jwk, &dup_file]);
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_pub_jwk),
                "--alg",
                "RSA-OAEP",
                "--enc",
                "A256GCM",
            ],
            b"x",
        )
        .ok(),
    );
    let msg = jose(&["jwe", "decrypt", "--key", s(&dup_set)], t.as_bytes()).fails(2);
    assert!(msg.contains("ambiguous"), "{msg}");
}
