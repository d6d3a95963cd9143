//! `jose request4r encrypt|decrypt|route` and the demo's Request4R section: both providers and
//! across them, the exact JWE header, and the exit-status contract (0 success; 1 input rejected;
//! 2 usage, I/O or key error; on failure nothing on stdout and one `error: ...` line on stderr).
//!
//! Two RSA key pairs (RaaS and partner) and an EC key are generated once per test binary with
//! `jose keygen`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tempfile::TempDir;

mod common;

use common::*;

const BODY: &str = r#"{"email":"ada@example.com","amount":"100.00","reference_id":"r-1"}"#;

struct Keys {
    _dir: TempDir,
    raas_private: PathBuf,
    raas_public: PathBuf,
    partner_private: PathBuf,
    partner_public: PathBuf,
    ec_private: PathBuf,
    dir: PathBuf,
}

fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let path = |name: &str| dir.path().join(name);
        let (raas_private, raas_public) = (path("test-only-raas.pem"), path("raas.pub.pem"));
        let (partner_private, partner_public) =
            (path("test-only-partner.pem"), path("partner.pub.pem"));
        let ec_private = path("test-only-ec.pem");
        for (private, public) in [
            (&raas_private, &raas_public),
            (&partner_private, &partner_public),
        ] {
            jose(
                &[
                    "keygen",
                    "rsa",
                    "--out",
                    s(private),
                    "--public-out",
                    s(public),
                ],
                b"",
            )
            .ok();
        }
        jose(
            &["keygen", "ec", "--curve", "P-256", "--out", s(&ec_private)],
            b"",
        )
        .ok();
        Keys {
            dir: dir.path().to_owned(),
            _dir: dir,
            raas_private,
            raas_public,
            partner_private,
            partner_public,
            ec_private,
        }
    })
}

fn header(token: &str) -> String {
    let first = token.split('.').next().unwrap();
    String::from_utf8(jose::b64::decode("header", first).unwrap()).unwrap()
}

fn encrypt(provider: &str, key: &Path, stdin: &[u8]) -> Run {
    jose(
        &[
            "--provider",
            provider,
            "request4r",
            "encrypt",
            "--raas-public",
            s(key),
        ],
        stdin,
    )
}

fn decrypt(provider: &str, key: &Path, stdin: &[u8]) -> Run {
    jose(
        &[
            "--provider",
            provider,
            "request4r",
            "decrypt",
            "--partner-private",
            s(key),
        ],
        stdin,
    )
}

#[test]
fn encrypt_then_decrypt_on_both_providers_and_across() {
    let k = keys();
    for encrypting in PROVIDERS {
        for decrypting in PROVIDERS {
            // Encrypt to the RaaS key; whoever holds its private key decrypts.
            let out = encrypt(encrypting, &k.raas_public, BODY.as_bytes()).ok_text();
            assert!(out.ends_with('\n') && !out.ends_with("\n\n"), "{out:?}");
            let token = out.trim_end();
            assert!(!token.contains(['\n', ' ']), "one line");
            assert_eq!(token.split('.').count(), 5);
            assert_eq!(header(token), r#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#);
            let plain = decrypt(decrypting, &k.raas_private, out.as_bytes()).ok();
            assert_eq!(plain, BODY.as_bytes(), "{encrypting} -> {decrypting}");
            // The other private key cannot.
            decrypt(decrypting, &k.partner_private, out.as_bytes()).fails(1);
        }
    }
    // The response direction: to the partner public key, decrypted with the partner private key.
    let token = encrypt("rustcrypto", &k.partner_public, BODY.as_bytes()).ok();
    assert_eq!(
        decrypt("aws-lc", &k.partner_private, &token).ok(),
        BODY.as_bytes()
    );
    // A private key file works for encrypt (its public half is used).
    let token = encrypt("aws-lc", &k.partner_private, b"[1,2,3]").ok();
    assert_eq!(
        decrypt("rustcrypto", &k.partner_private, &token).ok(),
        b"[1,2,3]"
    );
}

#[test]
fn kid_goes_between_alg_and_enc() {
    let k = keys();
    let out = jose(
        &[
            "request4r",
            "encrypt",
            "--raas-public",
            s(&k.raas_public),
            "--kid",
            "raas-2026",
        ],
        BODY.as_bytes(),
    )
    .ok_text();
    assert_eq!(
        header(out.trim_end()),
        r#"{"alg":"RSA-OAEP-256","kid":"raas-2026","enc":"A256GCM"}"#
    );
    assert_eq!(
        decrypt("aws-lc", &k.raas_private, out.as_bytes()).ok(),
        BODY.as_bytes()
    );
}

#[test]
fn rejected_inputs_exit_1() {
    let k = keys();
    for bad in [&b"not json"[..], b"{\"a\":", b"", b"\xff\xfe"] {
        let msg = encrypt("aws-lc", &k.raas_public, bad).fails(1);
        assert!(msg.contains("JSON"), "{msg}");
    }
    let token = encrypt("aws-lc", &k.raas_public, BODY.as_bytes()).ok_text();
    let token = token.trim_end();
    // Tampered tag, truncated, not a JWE, empty.
    let mut tampered: Vec<String> = token.split('.').map(str::to_owned).collect();
    let tag = &mut tampered[4];
    let first = if tag.starts_with('A') { "B" } else { "A" };
    tag.replace_range(0..1, first);
    let tampered = tampered.join(".");
    for provider in PROVIDERS {
        let msg = decrypt(provider, &k.raas_private, tampered.as_bytes()).fails(1);
        assert!(msg.contains("decryption failed"), "{msg}");
        decrypt(
            provider,
            &k.raas_private,
            token.rsplit_once('.').unwrap().0.as_bytes(),
        )
        .fails(1);
        decrypt(provider, &k.raas_private, BODY.as_bytes()).fails(1);
        decrypt(provider, &k.raas_private, b"").fails(1);
    }
    // A JWE with other algorithms (made with `jose jwe encrypt`) is refused with what was expected.
    let other = jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            s(&k.raas_public),
            "--alg",
            "RSA-OAEP",
            "--enc",
            "A256GCM",
        ],
        BODY.as_bytes(),
    )
    .ok();
    let msg = decrypt("aws-lc", &k.raas_private, &other).fails(1);
    assert!(
        msg.contains("RSA-OAEP-256") && msg.contains("A256GCM"),
        "{msg}"
    );
    // ...while the same algorithms through `jose jwe encrypt` are accepted.
    let same = jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            s(&k.raas_public),
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
        ],
        BODY.as_bytes(),
    )
    .ok();
    assert_eq!(
        decrypt("rustcrypto", &k.raas_private, &same).ok(),
        BODY.as_bytes()
    );
}

#[test]
fn key_and_usage_errors_exit_2() {
    let k = keys();
    let missing = k.dir.join("no-such-file.pem");
    encrypt("aws-lc", &missing, BODY.as_bytes()).fails(2);
    decrypt("aws-lc", &missing, b"x").fails(2);
    // A public key cannot decrypt; an EC key cannot do RSA-OAEP-256.
    let msg = decrypt("aws-lc", &k.raas_public, b"a.b.c.d.e").fails(2);
    assert!(msg.contains("private key"), "{msg}");
    let msg = encrypt("aws-lc", &k.ec_private, BODY.as_bytes()).fails(2);
    assert!(msg.contains("RSA-OAEP-256"), "{msg}");
    decrypt("rustcrypto", &k.ec_private, b"a.b.c.d.e").fails(2);
    // Missing flags and subcommands.
    jose(&["request4r"], b"").fails(2);
    jose(&["request4r", "encrypt"], BODY.as_bytes()).fails(2);
    jose(&["request4r", "decrypt"], b"").fails(2);
    jose(&["request4r", "route"], b"").fails(2);
}

#[test]
fn route_prints_the_request4r_path() {
    for (path, expected) in [
        (
            "/v1/auth/register-user-v2",
            "/v1/partners/request4r/auth/register-user-v2",
        ),
        (
            "/v1/users/42?expand=cards",
            "/v1/partners/request4r/users/42?expand=cards",
        ),
        (
            "https://api.leap.example/v1/users?page=2",
            "https://api.leap.example/v1/partners/request4r/users?page=2",
        ),
        (
            "https://gw.example/raas/v1/cards",
            "https://gw.example/raas/v1/partners/request4r/cards",
        ),
    ] {
        let out = jose(&["request4r", "route", "--path", path], b"").ok_text();
        assert_eq!(out, format!("{expected}\n"));
        let back = jose(
            &["request4r", "route", "--reverse", "--path", expected],
            b"",
        )
        .ok_text();
        assert_eq!(back, format!("{path}\n"));
    }
    for bad in [
        "/v2/users",
        "users",
        "/v1/partners/request4r/x",
        "/v1/../admin",
        "http://[::1",
    ] {
        let msg = jose(&["request4r", "route", "--path", bad], b"").fails(2);
        assert!(msg.contains("--path"), "{msg}");
    }
    jose(
        &["request4r", "route", "--reverse", "--path", "/v1/users"],
        b"",
    )
    .fails(2);
}

#[test]
fn demo_has_the_request4r_section() {
    let out = jose(&["demo"], b"").ok_text();
    let section = out
        .split("Request4R (Leap RaaS): partner -> gateway -> partner")
        .nth(1)
        .expect("the Request4R section");
    for needle in [
        "[rustcrypto -> aws-lc -> rustcrypto]",
        "[aws-lc -> rustcrypto -> aws-lc]",
        r#"header {"alg":"RSA-OAEP-256","enc":"A256GCM"}"#,
        "/v1/partners/request4r/auth/register-user-v2?lang=en",
        "decrypted to POST /v1/auth/register-user-v2",
        "Content-Type application/jose",
        r#"{"code":"ERROR_INVALID_JWE_PAYLOAD","reason":"the JWE cannot be decrypted"}"#,
        "plain JSON 200 refused in encrypted mode",
    ] {
        assert!(
            section.contains(needle),
            "{needle:?} missing from:\n{section}"
        );
    }
}
