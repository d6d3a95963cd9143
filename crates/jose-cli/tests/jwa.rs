//! Integration tests of the `jose` binary for the rest of JWA (issue 14): `jose keygen oct`,
//! HS256/384/512 with `jws sign|verify`, and `jwe encrypt|decrypt` with shared secrets (dir,
//! A*KW, A*GCMKW), passwords (PBES2, `--p2c`, `--max-p2c`), X25519 and EC keys (ECDH-ES*), the
//! CBC-HS encryptions and `--zip DEF` / `--allow-zip`. Same exit-status contract as the other
//! commands: 0, 1 (rejected), 2 (usage or key error), one `error:` line on stderr.

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

fn keygen_oct(dir: &TempDir, bits: &str, name: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    jose(&["keygen", "oct", "--bits", bits, "--out", s(&path)], b"").ok();
    path
}

#[test]
fn keygen_oct_writes_a_private_jwk_of_the_size_asked() {
    let dir = TempDir::new().unwrap();
    for (bits, bytes) in [
        ("128", 16),
        ("192", 24),
        ("256", 32),
        ("384", 48),
        ("512", 64),
    ] {
        let path = dir.path().join(format!("k{bits}.jwk"));
        jose(
            &[
                "keygen",
                "oct",
                "--bits",
                bits,
                "--kid",
                "s-1",
                "--out",
                s(&path),
            ],
            b"",
        )
        .ok();
        let jwk = read_json(&path);
        assert_eq!(jwk["kty"], "oct");
        assert_eq!(jwk["kid"], "s-1");
        assert_eq!(b64url_decode(jwk["k"].as_str().unwrap()).len(), bytes);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the secret is private: {mode:o}");
        }
    }
    let msg = jose(
        &[
            "keygen",
            "oct",
            "--bits",
            "100",
            "--out",
            s(&dir.path().join("x")),
        ],
        b"",
    )
    .fails(2);
    assert!(msg.contains("128, 192, 256, 384 or 512"), "{msg}");
}

#[test]
fn hs256_384_512_sign_and_verify_on_both_providers() {
    let dir = TempDir::new().unwrap();
    for (alg, bits) in [("HS256", "256"), ("HS384", "384"), ("HS512", "512")] {
        let key = keygen_oct(&dir, bits, &format!("{alg}.jwk"));
        for (a, b) in [("aws-lc", "rustcrypto"), ("rustcrypto", "aws-lc")] {
            let t = token(
                jose(
                    &[
                        "--provider",
                        a,
                        "jws",
                        "sign",
                        "--key",
                        s(&key),
                        "--alg",
                        alg,
                    ],
                    b"hello",
                )
                .ok(),
            );
            assert_eq!(protected_header(&t)["alg"], alg);
            let out = jose(
                &[
                    "--provider",
                    b,
                    "jws",
                    "verify",
                    "--key",
                    s(&key),
                    "--alg",
                    alg,
                ],
                t.as_bytes(),
            )
            .ok();
            assert_eq!(out, b"hello");
            // Tampered: exit 1.
            jose(
                &[
                    "--provider",
                    b,
                    "jws",
                    "verify",
                    "--key",
                    s(&key),
                    "--alg",
                    alg,
                ],
                tamper(&t, 2).as_bytes(),
            )
            .fails(1);
        }
    }
    // A secret without "alg" needs --alg; a short one is refused for HS512.
    let key = keygen_oct(&dir, "256", "plain.jwk");
    let msg = jose(&["jws", "sign", "--key", s(&key)], b"x").fails(2);
    assert!(msg.contains("--alg") && msg.contains("HS256"), "{msg}");
    let msg = jose(&["jws", "sign", "--key", s(&key), "--alg", "HS512"], b"x").fails(2);
    assert!(msg.contains("at least 64 bytes"), "{msg}");
    // An RSA public key's file is never an HMAC secret.
    let f = fixtures();
    let msg = jose(
        &["jws", "sign", "--key", s(&f.rsa_pub_pem), "--alg", "HS256"],
        b"x",
    )
    .fails(2);
    assert!(msg.contains("private key"), "{msg}");
    let hs = token(jose(&["jws", "sign", "--key", s(&key), "--alg", "HS256"], b"x").ok());
    let msg = jose(
        &[
            "jws",
            "verify",
            "--key",
            s(&f.rsa_pub_pem),
            "--alg",
            "HS256",
        ],
        hs.as_bytes(),
    )
    .fails(2);
    assert!(msg.contains("HS256"), "{msg}");
}

#[test]
fn jwe_with_shared_secrets_every_alg_and_enc() {
    let dir = TempDir::new().unwrap();
    let cases: &[(&str, &str, &str)] = &[
        ("dir", "A128GCM", "128"),
        ("dir", "A256GCM", "256"),
        ("dir", "A128CBC-HS256", "256"),
        ("dir", "A256CBC-HS512", "512"),
        ("A128KW", "A128CBC-HS256", "128"),
        ("A192KW", "A192GCM", "192"),
        ("A256KW", "A256CBC-HS512", "256"),
        ("A128GCMKW", "A192CBC-HS384", "128"),
        ("A256GCMKW", "A256GCM", "256"),
    ];
    for (alg, enc, bits) in cases {
        let key = keygen_oct(&dir, bits, &format!("{alg}-{enc}.jwk"));
        for (a, b) in [("aws-lc", "rustcrypto"), ("rustcrypto", "aws-lc")] {
            for format in FORMATS {
                let t = token(
                    jose(
                        &[
                            "--provider",
                            a,
                            "jwe",
                            "encrypt",
                            "--key",
                            s(&key),
                            "--alg",
                            alg,
                            "--enc",
                            enc,
                            "--format",
                            format,
                        ],
                        b"secret payload",
                    )
                    .ok(),
                );
                // The default allow-lists take every alg the key fits and every enc.
                let out = jose(
                    &["--provider", b, "jwe", "decrypt", "--key", s(&key)],
                    t.as_bytes(),
                )
                .ok();
                assert_eq!(out, b"secret payload", "{alg} {enc} {format} {a} -> {b}");
            }
        }
    }
    // A dir key of the wrong length is a key error; a KW key too.
    let key = keygen_oct(&dir, "128", "short.jwk");
    let msg = jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            s(&key),
            "--alg",
            "dir",
            "--enc",
            "A256GCM",
        ],
        b"x",
    )
    .fails(2);
    assert!(msg.contains("32-byte secret for dir"), "{msg}");
    let msg = jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            s(&key),
            "--alg",
            "A256KW",
            "--enc",
            "A256GCM",
        ],
        b"x",
    )
    .fails(2);
    assert!(msg.contains("32-byte secret for A256KW"), "{msg}");
}

#[test]
fn jwe_with_a_password_and_p2c_bounds() {
    let dir = TempDir::new().unwrap();
    let password = write(dir.path(), "pw.txt", "correct horse battery staple\n");
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--password-file",
                s(&password),
                "--alg",
                "PBES2-HS256+A128KW",
                "--enc",
                "A128CBC-HS256",
                "--p2c",
                "20000",
            ],
            b"pw payload",
        )
        .ok(),
    );
    let header = protected_header(&t);
    assert_eq!(header["p2c"], 20000);
    assert_eq!(b64url_decode(header["p2s"].as_str().unwrap()).len(), 16);
    // The trailing newline is not part of the password: the same file without it decrypts.
    let bare = write(dir.path(), "pw-bare.txt", "correct horse battery staple");
    for pw in [&password, &bare] {
        let out = jose(&["jwe", "decrypt", "--password-file", s(pw)], t.as_bytes()).ok();
        assert_eq!(out, b"pw payload");
    }
    let wrong = write(dir.path(), "wrong.txt", "incorrect horse");
    jose(
        &["jwe", "decrypt", "--password-file", s(&wrong)],
        t.as_bytes(),
    )
    .fails(1);
    // A p2c above the limit is refused before any work; raising it lets the token through.
    let msg = jose(
        &[
            "jwe",
            "decrypt",
            "--password-file",
            s(&password),
            "--max-p2c",
            "10000",
        ],
        t.as_bytes(),
    )
    .fails(1);
    assert!(msg.contains("p2c") && msg.contains("20000"), "{msg}");
    // Fewer than 10,000 iterations are refused when encrypting.
    let msg = jose(
        &[
            "jwe",
            "encrypt",
            "--password-file",
            s(&password),
            "--alg",
            "PBES2-HS256+A128KW",
            "--enc",
            "A128GCM",
            "--p2c",
            "1000",
        ],
        b"x",
    )
    .fails(2);
    assert!(msg.contains("10000"), "{msg}");
    // --password-file needs a PBES2 alg; --key and --password-file exclude each other.
    let msg = jose(
        &[
            "jwe",
            "decrypt",
            "--password-file",
            s(&password),
            "--alg",
            "A128KW",
        ],
        t.as_bytes(),
    )
    .fails(2);
    assert!(msg.contains("PBES2"), "{msg}");
    let key = keygen_oct(&dir, "128", "k.jwk");
    jose(
        &[
            "jwe",
            "decrypt",
            "--password-file",
            s(&password),
            "--key",
            s(&key),
        ],
        t.as_bytes(),
    )
    .fails(2);
}

#[test]
fn jwe_ecdh_es_with_x25519_and_ec_keys() {
    let dir = TempDir::new().unwrap();
    for (kind, curve, alg) in [
        ("okp", "X25519", "ECDH-ES"),
        ("okp", "X25519", "ECDH-ES+A256KW"),
        ("ec", "P-256", "ECDH-ES+A128KW"),
        ("ec", "P-521", "ECDH-ES"),
    ] {
        let private = dir.path().join(format!("{curve}-{alg}.pem"));
        let public = dir.path().join(format!("{curve}-{alg}-pub.pem"));
        jose(
            &[
                "keygen",
                kind,
                "--curve",
                curve,
                "--out",
                s(&private),
                "--public-out",
                s(&public),
            ],
            b"",
        )
        .ok();
        for (a, b) in [("aws-lc", "rustcrypto"), ("rustcrypto", "aws-lc")] {
            let t = token(
                jose(
                    &[
                        "--provider",
                        a,
                        "jwe",
                        "encrypt",
                        "--key",
                        s(&public),
                        "--alg",
                        alg,
                        "--enc",
                        "A256GCM",
                    ],
                    b"agreed",
                )
                .ok(),
            );
            let header = protected_header(&t);
            assert_eq!(header["epk"]["crv"], curve, "{alg}");
            assert!(header["epk"].get("d").is_none());
            let out = jose(
                &["--provider", b, "jwe", "decrypt", "--key", s(&private)],
                t.as_bytes(),
            )
            .ok();
            assert_eq!(out, b"agreed", "{curve} {alg} {a} -> {b}");
        }
    }
}

#[test]
fn zip_def_is_made_on_request_and_opened_only_when_allowed() {
    let dir = TempDir::new().unwrap();
    let key = keygen_oct(&dir, "256", "z.jwk");
    let plaintext = "abcabcabc".repeat(1000);
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&key),
                "--alg",
                "A256KW",
                "--enc",
                "A256GCM",
                "--zip",
                "DEF",
            ],
            plaintext.as_bytes(),
        )
        .ok(),
    );
    assert_eq!(protected_header(&t)["zip"], "DEF");
    assert!(t.len() < plaintext.len() / 4, "{}", t.len());
    let msg = jose(&["jwe", "decrypt", "--key", s(&key)], t.as_bytes()).fails(1);
    assert!(msg.contains("allow_zip") || msg.contains("zip"), "{msg}");
    let out = jose(
        &["jwe", "decrypt", "--key", s(&key), "--allow-zip"],
        t.as_bytes(),
    )
    .ok();
    assert_eq!(out, plaintext.as_bytes());
    jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            s(&key),
            "--alg",
            "A256KW",
            "--enc",
            "A256GCM",
            "--zip",
            "GZIP",
        ],
        b"x",
    )
    .fails(2);
}
