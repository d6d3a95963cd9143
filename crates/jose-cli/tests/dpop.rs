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
use std::path::Path;
use tempfile::TempDir;

const HTU: &str = "https://rs.example.com/accounts";
const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

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
    let ed = ed25519_jwk(dir.path(), "ed").0;
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
                now_seconds()
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

/// `redis-cli -p PORT args...`: its answer, trimmed.
fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = std::process::Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli (Debian package redis-tools, with redis-server)");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn two_processes_naming_one_replay_store_refuse_each_others_replays() {
    let mut redis = jose_test_support::RedisServer::start()
        .expect("a redis-server on 127.0.0.1 (apt-get install redis-server)");
    let url = redis.url();
    let dir = TempDir::new().unwrap();
    let (key, _) = ec_jwk(dir.path(), "P-256", None, "ec");
    let request = ["--htm", "POST", "--htu", HTU];
    let store = [
        "--replay-store",
        url.as_str(),
        "--replay-prefix",
        "cli-dpop-test:",
    ];
    let with = |provider: &str, extra: &[&str], proof: &str| {
        let mut all = vec!["--provider", provider, "dpop", "verify"];
        all.extend_from_slice(&request);
        all.extend_from_slice(extra);
        jose(&all, proof)
    };
    let p = proof(&key, &request);
    // Without a store each process is alone: the same proof verifies twice.
    let out: Value = serde_json::from_str(&with("aws-lc", &[], &p).ok_text()).unwrap();
    let jti = out["claims"]["jti"].as_str().unwrap().to_owned();
    with("aws-lc", &[], &p).ok_text();
    // With one: the first process records the jti, the second (another provider, too) refuses
    // the proof as a replay (exit 1), naming the claim.
    with("aws-lc", &store, &p).ok_text();
    let line = refused_naming(with("rustcrypto", &store, &p), "jti");
    assert!(line.contains("replayed"), "{line}");
    // Recorded until iat + max age + leeway (60 s + 1 s + 5 s by default).
    let ttl: i64 = redis_cli(redis.port(), &["PTTL", &format!("cli-dpop-test:{jti}")])
        .parse()
        .unwrap();
    assert!((40_000..=66_000).contains(&ttl), "PTTL {ttl}");
    // Another prefix is another deployment; the default prefix is jose:dpop: (the JWT one is
    // jose:jwt:).
    let other = ["--replay-store", url.as_str(), "--replay-prefix", "other:"];
    with("rustcrypto", &other, &p).ok_text();
    refused_naming(with("aws-lc", &other, &p), "jti");
    with("aws-lc", &["--replay-store", url.as_str()], &p).ok_text();
    assert_eq!(
        redis_cli(redis.port(), &["EXISTS", &format!("jose:dpop:{jti}")]),
        "1"
    );
    // A proof refused for another reason (the wrong method) records nothing.
    let fresh = proof(&key, &request);
    let mut all = vec!["dpop", "verify", "--htm", "GET", "--htu", HTU];
    all.extend_from_slice(&store);
    refused_naming(jose(&all, &fresh), "htm");
    with("aws-lc", &store, &fresh).ok_text();
    // The store down: exit 2 (our side), never an accepted proof.
    redis.stop();
    let fresh = proof(&key, &request);
    let line = with("aws-lc", &store, &fresh).fails(2);
    assert!(line.contains("--replay-store"), "{line}");
    // A bad URL, or a prefix without a store, is a usage error.
    let line = with("aws-lc", &["--replay-store", "http://127.0.0.1/"], &fresh).fails(2);
    assert!(line.contains("invalid Redis URL"), "{line}");
    with("aws-lc", &["--replay-prefix", "p:"], &fresh).fails(2);
}
