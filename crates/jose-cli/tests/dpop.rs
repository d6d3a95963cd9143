//! Integration tests of the `jose` binary, `jose dpop proof|verify` (RFC 9449): round trips for
//! ES256, PS256 and EdDSA on both providers and across, the jkt equal to `jose jwk thumbprint` of
//! the key, and each refusal (exit 1, one stderr line naming the claim).

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
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const HTU: &str = "https://rs.example.com/accounts";
const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

fn ed25519(dir: &Path) -> PathBuf {
    let private = dir.join("ed.jwk");
    jose(
        &[
            "keygen",
            "okp",
            "--curve",
            "Ed25519",
            "--format",
            "jwk",
            "--out",
            s(&private),
        ],
        b"",
    )
    .ok();
    private
}

/// `jose dpop proof --key KEY args...`: the proof.
fn proof(key: &Path, args: &[&str]) -> String {
    let mut all = vec!["dpop", "proof", "--key", s(key)];
    all.extend_from_slice(args);
    token(jose(&all, "").ok())
}

/// `jose dpop verify args...` on `proof`.
fn verify(args: &[&str], proof: &str) -> Run {
    let mut all = vec!["dpop", "verify"];
    all.extend_from_slice(args);
    jose(&all, proof)
}

fn thumbprint(key: &Path) -> String {
    token(jose(&["jwk", "thumbprint", s(key)], "").ok())
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn refused_naming(run: Run, claim: &str) -> String {
    let line = run.fails(1);
    let prefix = format!("error: \"{claim}\"");
    assert!(
        line.starts_with(&prefix),
        "expected the message to start with {prefix:?}, found {line:?}"
    );
    line
}

#[test]
fn proof_then_verify_with_jkt_equal_to_the_thumbprint() {
    let dir = TempDir::new().unwrap();
    let (ec, _) = ec_jwk(dir.path(), "P-256", Some("dpop-1"), "ec");
    let ed = ed25519(dir.path());
    let rsa = &fixtures().rsa_pem;
    for (alg, key) in [("ES256", ec.as_path()), ("EdDSA", &ed), ("PS256", rsa)] {
        let jkt = thumbprint(key);
        for signer in PROVIDERS {
            for verifier in PROVIDERS {
                let p = token(
                    jose(
                        &[
                            "--provider",
                            signer,
                            "dpop",
                            "proof",
                            "--key",
                            s(key),
                            "--alg",
                            alg,
                            "--htm",
                            "GET",
                            "--htu",
                            HTU,
                            "--ath",
                            TOKEN,
                        ],
                        "",
                    )
                    .ok(),
                );
                let header = protected_header(&p);
                assert_eq!(header["typ"], "dpop+jwt");
                assert_eq!(header["alg"], alg);
                let jwk = header["jwk"].as_object().unwrap();
                assert!(
                    !jwk.contains_key("d") && !jwk.contains_key("kid"),
                    "{jwk:?}"
                );
                let out = jose(
                    &[
                        "--provider",
                        verifier,
                        "dpop",
                        "verify",
                        "--htm",
                        "GET",
                        "--htu",
                        // The request URI as received: normalized, the query ignored.
                        "https://RS.example.com:443/accounts?page=2",
                        "--ath",
                        TOKEN,
                    ],
                    &p,
                )
                .ok_text();
                assert_eq!(out.lines().count(), 1);
                let v: Value = serde_json::from_str(&out).unwrap();
                let what = format!("{alg} {signer} -> {verifier}");
                assert_eq!(v["jkt"], jkt, "{what}");
                assert_eq!(v["claims"]["htm"], "GET", "{what}");
                assert_eq!(v["claims"]["htu"], HTU, "{what}");
                assert_eq!(v["claims"]["ath"].as_str().unwrap().len(), 43, "{what}");
                assert_eq!(v["claims"]["jti"].as_str().unwrap().len(), 22, "{what}");
                assert!(v["claims"]["iat"].is_i64(), "{what}");
            }
        }
    }
}

#[test]
fn nonce_and_algorithms() {
    let dir = TempDir::new().unwrap();
    let (ec, _) = ec_jwk(dir.path(), "P-256", None, "ec");
    let p = proof(&ec, &["--htm", "POST", "--htu", HTU, "--nonce", "n-1"]);
    let base = ["--htm", "POST", "--htu", HTU];
    let v: Value =
        serde_json::from_str(&verify(&[&base[..], &["--nonce", "n-1"]].concat(), &p).ok_text())
            .unwrap();
    assert_eq!(v["claims"]["nonce"], "n-1");
    refused_naming(
        verify(&[&base[..], &["--nonce", "n-2"]].concat(), &p),
        "nonce",
    );
    let bare = proof(&ec, &base);
    refused_naming(
        verify(&[&base[..], &["--nonce", "n-1"]].concat(), &bare),
        "nonce",
    );
    // The allow-list: ES256 outside it is refused (1); HS256 cannot be in it (2).
    verify(&[&base[..], &["--alg", "PS256"]].concat(), &p).fails(1);
    verify(
        &[&base[..], &["--alg", "PS256", "--alg", "ES256"]].concat(),
        &bare,
    )
    .ok();
    verify(&[&base[..], &["--alg", "HS256"]].concat(), &bare).fails(2);
    // An ES384 proof: outside the FAPI 2.0 default, accepted when allowed.
    let (ec384, _) = ec_jwk(dir.path(), "P-384", None, "ec384");
    let p384 = proof(&ec384, &base);
    verify(&base, &p384).fails(1);
    verify(&[&base[..], &["--alg", "ES384"]].concat(), &p384).ok();
}

#[test]
fn refusals_exit_1_naming_the_claim() {
    let dir = TempDir::new().unwrap();
    let (ec, _) = ec_jwk(dir.path(), "P-256", None, "ec");
    let p = proof(&ec, &["--htm", "POST", "--htu", HTU, "--ath", TOKEN]);
    let ok = ["--htm", "POST", "--htu", HTU, "--ath", TOKEN];
    verify(&ok, &p).ok();
    // htm: another method; the comparison is exact (case-sensitive, as HTTP methods are).
    refused_naming(
        verify(&["--htm", "GET", "--htu", HTU, "--ath", TOKEN], &p),
        "htm",
    );
    refused_naming(
        verify(&["--htm", "post", "--htu", HTU, "--ath", TOKEN], &p),
        "htm",
    );
    // htu: another path, host or scheme.
    for other in [
        "https://rs.example.com/payments",
        "https://evil.example.com/accounts",
        "http://rs.example.com/accounts",
    ] {
        refused_naming(
            verify(&["--htm", "POST", "--htu", other, "--ath", TOKEN], &p),
            "htu",
        );
    }
    // ath: another access token, or a proof without ath for a request with a token.
    refused_naming(
        verify(
            &["--htm", "POST", "--htu", HTU, "--ath", "another-token"],
            &p,
        ),
        "ath",
    );
    let no_ath = proof(&ec, &["--htm", "POST", "--htu", HTU]);
    refused_naming(verify(&ok, &no_ath), "ath");
    // A tampered signature; not a proof at all (a JWT without typ dpop+jwt).
    let line = verify(&ok, &tamper(&p, 2)).fails(1);
    assert!(line.contains("signature"), "{line}");
    // A JWT that is no proof: no jwk in its header; a jwk, but typ JWT.
    let claims = r#"{"htm":"POST","htu":"https://rs.example.com/accounts","jti":"x"}"#;
    let jwt = token(jose(&["jwt", "sign", "--key", s(&ec), "--alg", "ES256"], claims).ok());
    let line = verify(&["--htm", "POST", "--htu", HTU], &jwt).fails(1);
    assert!(line.contains("\"jwk\""), "{line}");
    let jwk: Value =
        serde_json::from_slice(&jose(&["jwk", "import", "--public", s(&ec)], "").ok()).unwrap();
    let protected = serde_json::json!({"typ": "JWT", "jwk": jwk}).to_string();
    let with_jwk = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&ec),
                "--alg",
                "ES256",
                "--protected",
                &protected,
            ],
            format!(
                r#"{{"htm":"POST","htu":"{HTU}","jti":"y","iat":{}}}"#,
                now()
            ),
        )
        .ok(),
    );
    refused_naming(verify(&["--htm", "POST", "--htu", HTU], &with_jwk), "typ");
    verify(&ok, "").fails(1);
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new().unwrap();
    let (ec, public) = ec_jwk(dir.path(), "P-256", None, "ec");
    let hs = dir.path().join("hs.jwk");
    jose(&["keygen", "oct", "--bits", "256", "--out", s(&hs)], b"").ok();
    let base = ["--htm", "GET", "--htu", HTU];
    // A shared secret or a public key cannot make a proof; a bad method or URI.
    for (key, alg) in [(&hs, "HS256"), (&public, "ES256")] {
        jose(
            &[&["dpop", "proof", "--key", s(key), "--alg", alg][..], &base].concat(),
            "",
        )
        .fails(2);
    }
    for (htm, htu) in [
        ("GE T", HTU),
        ("GET", "ftp://rs.example.com/"),
        ("GET", "/relative"),
    ] {
        jose(
            &["dpop", "proof", "--key", s(&ec), "--htm", htm, "--htu", htu],
            "",
        )
        .fails(2);
    }
    // The request URI given to verify is not one; --max-age out of range.
    let p = proof(&ec, &base);
    verify(&["--htm", "GET", "--htu", "not a uri"], &p).fails(2);
    verify(&[&base[..], &["--max-age", "0"]].concat(), &p).fails(2);
}
