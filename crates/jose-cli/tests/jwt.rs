//! Integration tests of the `jose` binary, `jose jwt sign|verify|client-assertion`: round trips
//! for RS256, PS256, ES256, EdDSA and HS256 on both providers and across; every claim refusal
//! (exit 1, one stderr line naming the claim); the flags that complete the claims; usage errors.
//!
//! Times are real: tokens that must be expired or not yet valid are made so with `--exp-in` or
//! with explicit `exp`/`nbf`/`iat` claims on stdin, far enough from the leeway that a slow run
//! cannot flip the outcome.

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
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const ISS: &str = "https://as.example.com";
const AUD: &str = "https://api.example.com";

/// A 256-bit shared secret as an `oct` JWK.
fn hs256_secret(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(format!("{name}.jwk"));
    jose(&["keygen", "oct", "--bits", "256", "--out", s(&path)], b"").ok();
    path
}

/// `jose jwt sign` with `args` after the key and alg; the token.
fn sign(key: &Path, alg: &str, args: &[&str], claims: &str) -> String {
    let mut all = vec!["jwt", "sign", "--key", s(key), "--alg", alg];
    all.extend_from_slice(args);
    token(jose(&all, claims).ok())
}

/// `jose jwt verify --key KEY args...` on `token`.
fn verify(key: &Path, args: &[&str], token: &str) -> Run {
    let mut all = vec!["jwt", "verify", "--key", s(key)];
    all.extend_from_slice(args);
    jose(&all, token)
}

/// The claims `jwt verify` printed.
fn claims(run: Run) -> Value {
    let text = run.ok_text();
    assert!(
        text.ends_with('\n') && text.lines().count() == 1,
        "{text:?}"
    );
    serde_json::from_str(&text).unwrap()
}

/// Asserts a refusal (exit 1, one line) whose message starts with the claim's name.
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
fn round_trip_every_family_on_both_providers_and_across() {
    let dir = TempDir::new().unwrap();
    let f = fixtures();
    let (ec, ec_pub) = ec_jwk(dir.path(), "P-256", Some("ec-1"), "ec");
    let (ed, ed_pub) = ed25519_jwk(dir.path(), "ed");
    let hs = hs256_secret(dir.path(), "hs");
    let cases: [(&str, &Path, &Path); 5] = [
        ("RS256", &f.rsa_pem, &f.rsa_pub_pem),
        ("PS256", &f.rsa_jwk, &f.rsa_pub_jwk),
        ("ES256", &ec, &ec_pub),
        ("EdDSA", &ed, &ed_pub),
        ("HS256", &hs, &hs),
    ];
    for (alg, private, public) in cases {
        for signer in PROVIDERS {
            for verifier in PROVIDERS {
                let t = token(
                    jose(
                        &[
                            "--provider",
                            signer,
                            "jwt",
                            "sign",
                            "--key",
                            s(private),
                            "--alg",
                            alg,
                            "--typ",
                            "at+jwt",
                            "--iss",
                            ISS,
                            "--sub",
                            "user-42",
                            "--aud",
                            AUD,
                            "--jti",
                            "auto",
                        ],
                        r#"{"scope":"payments","amount":{"value":"100.00"}}"#,
                    )
                    .ok(),
                );
                let header = protected_header(&t);
                assert_eq!(header["alg"], alg);
                assert_eq!(header["typ"], "at+jwt");
                let c = claims(jose(
                    &[
                        "--provider",
                        verifier,
                        "jwt",
                        "verify",
                        "--key",
                        s(public),
                        "--alg",
                        alg,
                        "--iss",
                        ISS,
                        "--aud",
                        AUD,
                        "--typ",
                        "at+jwt",
                    ],
                    &t,
                ));
                let what = format!("{alg} {signer} -> {verifier}");
                assert_eq!(c["iss"], ISS, "{what}");
                assert_eq!(c["sub"], "user-42", "{what}");
                assert_eq!(c["aud"], AUD, "{what}");
                assert_eq!(c["scope"], "payments", "{what}");
                assert_eq!(c["amount"], json!({"value": "100.00"}), "{what}");
                let iat = c["iat"].as_i64().unwrap();
                assert!((iat - now_seconds()).abs() < 60, "{what}: iat {iat}");
                assert_eq!(c["exp"].as_i64().unwrap(), iat + 300, "{what}: default exp");
                assert_eq!(c["jti"].as_str().unwrap().len(), 22, "{what}: jti auto");
            }
        }
    }
    // The key's own alg when the JWK says one (an EC key's from its curve), as `jws verify`.
    let t = sign(&ec, "ES256", &[], "");
    claims(verify(&ec_pub, &[], &t));
    assert_eq!(protected_header(&t)["kid"], "ec-1");
    // An RSA key without "alg" needs --alg: a key error, exit 2.
    let t = sign(&f.rsa_pem, "RS256", &[], "");
    let line = verify(&f.rsa_pub_pem, &[], &t).fails(2);
    assert!(line.contains("--alg"), "{line}");
}

#[test]
fn claims_from_stdin_and_flags() {
    let dir = TempDir::new().unwrap();
    let (key, public) = ec_jwk(dir.path(), "P-256", None, "ec");
    let now = now_seconds();
    // Explicit iat and exp on stdin are kept; other claims pass through; empty stdin is no claims.
    let t = sign(
        &key,
        "ES256",
        &[],
        &json!({"iat": now - 10, "exp": now + 1000, "jti": "id-1", "n": 1}).to_string(),
    );
    let c = claims(verify(&public, &[], &t));
    assert_eq!(c["iat"], now - 10);
    assert_eq!(c["exp"], now + 1000);
    assert_eq!(c["jti"], "id-1");
    assert_eq!(c["n"], 1);
    // The flags replace stdin's: --exp-in over exp, --iss/--sub/--aud/--jti over theirs.
    let t = sign(
        &key,
        "ES256",
        &[
            "--exp-in", "60", "--iss", "flag-iss", "--sub", "flag-sub", "--aud", "a", "--aud", "b",
            "--jti", "flag-jti",
        ],
        r#"{"exp": 1, "iss": "x", "sub": "y", "aud": "z", "jti": "w"}"#,
    );
    let c = claims(verify(&public, &[], &t));
    assert_eq!(c["exp"].as_i64().unwrap(), c["iat"].as_i64().unwrap() + 60);
    assert_eq!(c["iss"], "flag-iss");
    assert_eq!(c["sub"], "flag-sub");
    assert_eq!(c["aud"], json!(["a", "b"]));
    assert_eq!(c["jti"], "flag-jti");
    // No typ unless asked for; empty stdin (or whitespace) gives only iat and exp.
    let t = sign(&key, "ES256", &[], " \n");
    assert!(protected_header(&t).get("typ").is_none());
    let c = claims(verify(&public, &[], &t));
    let names: Vec<&String> = c.as_object().unwrap().keys().collect();
    assert_eq!(names, ["exp", "iat"]);
}

#[test]
fn without_iss_or_aud_any_is_accepted_with_them_they_are_required() {
    let dir = TempDir::new().unwrap();
    let (key, public) = ec_jwk(dir.path(), "P-256", None, "ec");
    let bare = sign(&key, "ES256", &[], "");
    claims(verify(&public, &[], &bare));
    refused_naming(verify(&public, &["--iss", ISS], &bare), "iss");
    refused_naming(verify(&public, &["--aud", AUD], &bare), "aud");
    // Several accepted issuers and audiences: one match is enough.
    let t = sign(&key, "ES256", &["--iss", ISS, "--aud", AUD], "");
    claims(verify(
        &public,
        &[
            "--iss",
            "https://other",
            "--iss",
            ISS,
            "--aud",
            "x",
            "--aud",
            AUD,
        ],
        &t,
    ));
}

#[test]
fn every_claim_refusal_exits_1_naming_the_claim() {
    let dir = TempDir::new().unwrap();
    let (key, public) = ec_jwk(dir.path(), "P-256", None, "ec");
    let now = now_seconds();

    // exp: expired well past the default leeway (60 s).
    let expired = sign(&key, "ES256", &["--exp-in", "-600"], "");
    let line = refused_naming(verify(&public, &[], &expired), "exp");
    assert!(line.contains("expired"), "{line}");
    // Within the leeway it passes; --leeway 0 refuses it.
    let just = sign(&key, "ES256", &["--exp-in", "-20"], "");
    claims(verify(&public, &[], &just));
    refused_naming(verify(&public, &["--leeway", "0"], &just), "exp");
    refused_naming(verify(&public, &["--leeway", "300"], &expired), "exp");
    let late = sign(&key, "ES256", &["--exp-in", "-200"], "");
    refused_naming(verify(&public, &[], &late), "exp");
    claims(verify(&public, &["--leeway", "300"], &late));

    // nbf and iat in the future.
    let t = sign(&key, "ES256", &[], &json!({"nbf": now + 3600}).to_string());
    refused_naming(verify(&public, &[], &t), "nbf");
    let t = sign(&key, "ES256", &[], &json!({"iat": now + 3600}).to_string());
    refused_naming(verify(&public, &[], &t), "iat");

    // aud: one audience, and an array without ours.
    let t = sign(&key, "ES256", &["--aud", "https://elsewhere"], "");
    refused_naming(verify(&public, &["--aud", AUD], &t), "aud");
    let t = sign(
        &key,
        "ES256",
        &["--aud", "https://a", "--aud", "https://b"],
        "",
    );
    refused_naming(verify(&public, &["--aud", AUD], &t), "aud");
    claims(verify(&public, &["--aud", "https://b"], &t));

    // iss.
    let t = sign(&key, "ES256", &["--iss", "https://evil.example"], "");
    let line = refused_naming(verify(&public, &["--iss", ISS], &t), "iss");
    assert!(line.contains("evil.example"), "{line}");

    // typ: wrong, missing, and case-insensitive with the application/ prefix optional.
    let t = sign(&key, "ES256", &["--typ", "JWT"], "");
    refused_naming(verify(&public, &["--typ", "at+jwt"], &t), "typ");
    let t = sign(&key, "ES256", &[], "");
    refused_naming(verify(&public, &["--typ", "at+jwt"], &t), "typ");
    let t = sign(&key, "ES256", &["--typ", "application/AT+JWT"], "");
    claims(verify(&public, &["--typ", "at+jwt"], &t));
    let t = sign(&key, "ES256", &["--typ", "At+Jwt"], "");
    claims(verify(&public, &["--typ", "application/at+jwt"], &t));

    // exp missing: a JWS of claims made without `jwt sign`.
    let t = token(
        jose(
            &["jws", "sign", "--key", s(&key), "--alg", "ES256"],
            r#"{"iss":"x"}"#,
        )
        .ok(),
    );
    let line = refused_naming(verify(&public, &[], &t), "exp");
    assert!(line.contains("missing"), "{line}");
    // A registered claim of the wrong type.
    let t = token(
        jose(
            &["jws", "sign", "--key", s(&key), "--alg", "ES256"],
            r#"{"exp":"tomorrow"}"#,
        )
        .ok(),
    );
    refused_naming(verify(&public, &[], &t), "exp");
}

#[test]
fn signature_and_format_refusals_exit_1() {
    let dir = TempDir::new().unwrap();
    let f = fixtures();
    let (key, public) = ec_jwk(dir.path(), "P-256", None, "ec");
    let (_, other_public) = ec_jwk(dir.path(), "P-256", None, "other");
    let t = sign(&key, "ES256", &["--iss", ISS], "");
    // Tampered signature, tampered claims, another key.
    let line = verify(&public, &[], &tamper(&t, 2)).fails(1);
    assert!(line.contains("signature"), "{line}");
    verify(&public, &[], &tamper(&t, 1)).fails(1);
    verify(&other_public, &[], &t).fails(1);
    // The alg allow-list: a PS256 token is refused when only RS256 is allowed.
    let ps = sign(&f.rsa_pem, "PS256", &[], "");
    verify(&f.rsa_pub_pem, &["--alg", "RS256"], &ps).fails(1);
    claims(verify(
        &f.rsa_pub_pem,
        &["--alg", "RS256", "--alg", "PS256"],
        &ps,
    ));
    // Not a JWT: a payload that is no JSON object; a JWE; nothing.
    let t = token(
        jose(
            &["jws", "sign", "--key", s(&key), "--alg", "ES256"],
            "hello",
        )
        .ok(),
    );
    verify(&public, &[], &t).fails(1);
    verify(&public, &[], "a.b.c.d.e").fails(1);
    verify(&public, &[], "").fails(1);
}

#[test]
fn jwks_is_searched_by_kid() {
    let dir = TempDir::new().unwrap();
    let (k1, p1) = ec_jwk(dir.path(), "P-256", Some("k1"), "k1");
    let (k2, p2) = ec_jwk(dir.path(), "P-256", Some("k2"), "k2");
    let set = jwks(dir.path(), "set.json", &[&p1, &p2]);
    for (key, kid) in [(&k1, "k1"), (&k2, "k2")] {
        let t = sign(key, "ES256", &[], "");
        assert_eq!(protected_header(&t)["kid"], kid);
        claims(jose(&["jwt", "verify", "--jwks", s(&set)], &t));
    }
    // A kid the JWKS does not have: rejected (1).
    let t = sign(&k1, "ES256", &["--kid", "k9"], "");
    jose(&["jwt", "verify", "--jwks", s(&set)], &t).fails(1);
    // --jwks wants a JWKS.
    jose(&["jwt", "verify", "--jwks", s(&p1)], &t).fails(2);
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new().unwrap();
    let (key, public) = ec_jwk(dir.path(), "P-256", None, "ec");
    let t = sign(&key, "ES256", &[], "");
    // The leeway is capped at 300 s.
    verify(&public, &["--leeway", "301"], &t).fails(2);
    // Claims on stdin: not JSON, not an object, a registered claim of the wrong type, a member
    // named twice.
    for bad in ["{", "[1]", r#"{"exp":"soon"}"#, r#"{"a":1,"a":2}"#] {
        jose(&["jwt", "sign", "--key", s(&key), "--alg", "ES256"], bad).fails(2);
    }
    // A public key cannot sign; an EC key cannot sign RS256.
    jose(&["jwt", "sign", "--key", s(&public), "--alg", "ES256"], "").fails(2);
    jose(&["jwt", "sign", "--key", s(&key), "--alg", "RS256"], "").fails(2);
    // Neither --key nor --jwks; both.
    jose(&["jwt", "verify"], &t).fails(2);
    jose(
        &["jwt", "verify", "--key", s(&public), "--jwks", s(&public)],
        &t,
    )
    .fails(2);
    // `none` is no algorithm.
    jose(&["jwt", "sign", "--key", s(&key), "--alg", "none"], "").fails(2);
}

#[test]
fn client_assertion_verifies_as_the_authorization_server_checks_it() {
    let dir = TempDir::new().unwrap();
    let f = fixtures();
    let (ec, ec_pub) = ec_jwk(dir.path(), "P-256", Some("client-key"), "ec");
    let (ed, ed_pub) = ed25519_jwk(dir.path(), "ed");
    let client = "s6BhdRkqt3";
    let cases: [(&str, &Path, &Path); 3] = [
        ("PS256", &f.rsa_jwk, &f.rsa_pub_jwk),
        ("ES256", &ec, &ec_pub),
        ("EdDSA", &ed, &ed_pub),
    ];
    for (alg, private, public) in cases {
        let t = token(
            jose(
                &[
                    "jwt",
                    "client-assertion",
                    "--key",
                    s(private),
                    "--alg",
                    alg,
                    "--client-id",
                    client,
                    "--aud",
                    ISS,
                ],
                "",
            )
            .ok(),
        );
        let header = protected_header(&t);
        assert_eq!(header["alg"], alg);
        assert!(header.get("typ").is_none(), "{header}");
        let c = claims(verify(
            public,
            &["--alg", alg, "--iss", client, "--aud", ISS],
            &t,
        ));
        assert_eq!(c["iss"], client);
        assert_eq!(c["sub"], client);
        assert_eq!(c["aud"], ISS);
        let (iat, exp) = (c["iat"].as_i64().unwrap(), c["exp"].as_i64().unwrap());
        assert_eq!(exp - iat, 60, "default lifetime");
        assert_eq!(c["jti"].as_str().unwrap().len(), 22);
        // Another client id or audience: refused naming the claim.
        refused_naming(
            verify(public, &["--alg", alg, "--iss", "other", "--aud", ISS], &t),
            "iss",
        );
        refused_naming(
            verify(public, &["--alg", alg, "--iss", client, "--aud", AUD], &t),
            "aud",
        );
    }
    // The kid of the JWK; a lifetime; two assertions have different jti.
    let run = |extra: &[&str]| {
        let mut args = vec![
            "jwt",
            "client-assertion",
            "--key",
            s(&ec),
            "--client-id",
            client,
            "--aud",
            ISS,
        ];
        args.extend_from_slice(extra);
        jose(&args, "")
    };
    let a = token(run(&["--exp-in", "120"]).ok());
    assert_eq!(protected_header(&a)["kid"], "client-key");
    let ca = claims(verify(&ec_pub, &[], &a));
    assert_eq!(
        ca["exp"].as_i64().unwrap() - ca["iat"].as_i64().unwrap(),
        120
    );
    let b = token(run(&[]).ok());
    assert_ne!(claims(verify(&ec_pub, &[], &b))["jti"], ca["jti"]);
    // Lifetimes outside 1..=300 s, an HS256 secret, a missing --client-id: usage errors.
    run(&["--exp-in", "301"]).fails(2);
    run(&["--exp-in", "0"]).fails(2);
    let hs = hs256_secret(dir.path(), "hs");
    jose(
        &[
            "jwt",
            "client-assertion",
            "--key",
            s(&hs),
            "--alg",
            "HS256",
            "--client-id",
            client,
            "--aud",
            ISS,
        ],
        "",
    )
    .fails(2);
    jose(
        &["jwt", "client-assertion", "--key", s(&ec), "--aud", ISS],
        "",
    )
    .fails(2);
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
    let store = [
        "--replay-store",
        url.as_str(),
        "--replay-prefix",
        "cli-jwt-test:",
    ];
    let dir = TempDir::new().unwrap();
    let (key, public) = ec_jwk(dir.path(), "P-256", None, "ec");
    let t = sign(&key, "ES256", &["--jti", "auto", "--exp-in", "100"], "");
    let jti = claims(verify(&public, &[], &t))["jti"]
        .as_str()
        .unwrap()
        .to_owned();
    // Without a store each process is alone: the same token verifies twice.
    claims(verify(&public, &[], &t));
    // With one: the first process records the jti, the second (another provider, too) refuses
    // the token as a replay (exit 1), naming the claim.
    let with_provider = |provider: &str, extra: &[&str], token: &str| {
        let mut all = vec!["--provider", provider, "jwt", "verify", "--key", s(&public)];
        all.extend_from_slice(extra);
        jose(&all, token)
    };
    assert_eq!(
        claims(with_provider("aws-lc", &store, &t))["jti"],
        jti.as_str()
    );
    let line = refused_naming(with_provider("rustcrypto", &store, &t), "jti");
    assert!(line.contains("replayed"), "{line}");
    refused_naming(with_provider("aws-lc", &store, &t), "jti");
    // Recorded until exp + leeway (60 s by default): 160 s from now, give or take the run.
    let ttl: i64 = redis_cli(redis.port(), &["PTTL", &format!("cli-jwt-test:{jti}")])
        .parse()
        .unwrap();
    assert!((140_000..=160_000).contains(&ttl), "PTTL {ttl}");
    // With --leeway 10, until exp + 10 s.
    let short = sign(&key, "ES256", &["--jti", "auto", "--exp-in", "100"], "");
    let mut leeway = store.to_vec();
    leeway.extend(["--leeway", "10"]);
    let short_jti = claims(verify(&public, &leeway, &short))["jti"]
        .as_str()
        .unwrap()
        .to_owned();
    let ttl: i64 = redis_cli(
        redis.port(),
        &["PTTL", &format!("cli-jwt-test:{short_jti}")],
    )
    .parse()
    .unwrap();
    assert!((90_000..=110_000).contains(&ttl), "PTTL {ttl}");
    // Another prefix is another deployment; the default prefix is jose:jwt: (DPoP's is
    // jose:dpop:, so the same id in both never collides).
    let other = ["--replay-store", url.as_str(), "--replay-prefix", "other:"];
    claims(verify(&public, &other, &t));
    refused_naming(verify(&public, &other, &t), "jti");
    claims(verify(&public, &["--replay-store", url.as_str()], &t));
    assert_eq!(
        redis_cli(redis.port(), &["EXISTS", &format!("jose:jwt:{jti}")]),
        "1"
    );
    // With a store, jti is required: a token without one is refused, naming it.
    let bare = sign(&key, "ES256", &[], "");
    claims(verify(&public, &[], &bare));
    let line = refused_naming(verify(&public, &store, &bare), "jti");
    assert!(line.contains("missing"), "{line}");
    // A token refused for another reason records nothing.
    let stranger = sign(
        &key,
        "ES256",
        &["--jti", "auto", "--iss", "https://evil"],
        "",
    );
    refused_naming(
        verify(&public, &[&store[..], &["--iss", ISS]].concat(), &stranger),
        "iss",
    );
    claims(verify(&public, &store, &stranger));
    // The store down: exit 2 (our side), never an accepted token.
    redis.stop();
    let fresh = sign(&key, "ES256", &["--jti", "auto"], "");
    let line = verify(&public, &store, &fresh).fails(2);
    assert!(line.contains("--replay-store"), "{line}");
    // A bad URL, or a prefix without a store, is a usage error.
    let line = verify(&public, &["--replay-store", "http://127.0.0.1/"], &fresh).fails(2);
    assert!(line.contains("invalid Redis URL"), "{line}");
    verify(&public, &["--replay-prefix", "p:"], &fresh).fails(2);
}
