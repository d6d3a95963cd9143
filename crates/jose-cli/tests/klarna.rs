//! Integration tests of `jose klarna seal|open|route`: round trips between the client and server
//! roles on both providers and across them (also with `openssl genrsa` PEM keys that have no
//! kid), every exit status, and tokens made by the library (stale ones, a replayed id) opened by
//! the binary. `jose klarna` does no HTTP, so no server is needed here.
//!
//! RSA keys are generated once per test binary with `jose keygen` (aws-lc, fast) in a shared
//! directory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use jose_klarna_xs2a::{Client, KeyRing, ManualClock, Opener, Sealer, VerifierSet};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tempfile::TempDir;

mod common;

use common::*;

struct Fixtures {
    _dir: TempDir,
    dir: PathBuf,
}

impl Fixtures {
    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_owned()
    }
}

/// client.pem / client.pub.pem: the TPP's one key pair (PEM, no kid).
/// server.jwk / server.pub.jwk: Klarna's key pair (JWK, kid 2AF92B1D).
/// server-old.pem / server-old.pub.pem: Klarna's previous key (PEM, no kid).
/// ec.pem: a P-256 key (not usable here).
fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let p = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
        for (name, format, kid) in [
            ("client", "pem", None),
            ("server", "jwk", Some("2AF92B1D")),
            ("server-old", "pem", None),
        ] {
            let (private, public) = if format == "jwk" {
                (p(&format!("{name}.jwk")), p(&format!("{name}.pub.jwk")))
            } else {
                (p(&format!("{name}.pem")), p(&format!("{name}.pub.pem")))
            };
            let mut args = vec![
                "keygen",
                "rsa",
                "--format",
                format,
                "--out",
                &private,
                "--public-out",
                &public,
            ];
            if let Some(kid) = kid {
                args.extend(["--kid", kid]);
            }
            jose(&args, b"").ok_text();
        }
        jose(
            &["keygen", "ec", "--curve", "P-256", "--out", &p("ec.pem")],
            b"",
        )
        .ok_text();
        let path = dir.path().to_owned();
        Fixtures {
            _dir: dir,
            dir: path,
        }
    })
}

fn seal_client(provider: &str, body: &[u8]) -> Run {
    let f = fixtures();
    jose(
        &[
            "--provider",
            provider,
            "klarna",
            "seal",
            "--role",
            "client",
            "--sign-key",
            &f.path("client.pem"),
            "--sign-kid",
            "tpp-1",
            "--recipient-key",
            &f.path("server.pub.jwk"),
        ],
        body,
    )
}

fn open_server(provider: &str, token: &[u8]) -> Run {
    open_server_with(provider, token, &[])
}

fn header(token: &str) -> Value {
    let first = token.split('.').next().unwrap();
    serde_json::from_slice(&jose::b64::decode("header", first).unwrap()).unwrap()
}

#[test]
fn client_to_server_to_client_on_and_across_providers() {
    let f = fixtures();
    for a in PROVIDERS {
        for b in PROVIDERS {
            let token = seal_client(a, br#"{"psu":{"ip_address":"136.71.143.70"}}"#).ok_text();
            assert!(token.ends_with('\n'));
            let token = token.trim_end().to_owned();
            // The header's exact bytes (a parsed `Value` would have serde_json's member order).
            let first = token.split('.').next().unwrap();
            assert_eq!(
                jose::b64::decode("header", first).unwrap(),
                br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"2AF92B1D","cty":"application/jose"}"#
            );
            let request: Value =
                serde_json::from_str(&open_server(b, token.as_bytes()).ok_text()).unwrap();
            assert_eq!(request["psu"]["ip_address"], "136.71.143.70");
            assert_eq!(request["request_id"].as_str().unwrap().len(), 36);
            assert!(request["request_timestamp"].as_u64().unwrap() > 1_700_000_000_000);
            // The stamp members were added (jose-klarna-xs2a's tests check they come first on the
            // wire; the printed body is the parsed object, in serde_json's `Map` order).
            let mut keys: Vec<&String> = request.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(keys, ["psu", "request_id", "request_timestamp"]);

            // The server answers to the client's key (PEM, so --recipient-kid), the client opens.
            let response = jose(
                &[
                    "--provider",
                    b,
                    "klarna",
                    "seal",
                    "--role",
                    "server",
                    "--sign-key",
                    &f.path("server.jwk"),
                    "--sign-kid",
                    "5F0C9D37",
                    "--recipient-key",
                    &f.path("client.pub.pem"),
                    "--recipient-kid",
                    "tpp-1",
                ],
                br#"{"data":{"session_id":"s-1"}}"#,
            )
            .ok_text();
            let opened: Value = serde_json::from_str(
                &jose(
                    &[
                        "--provider",
                        a,
                        "klarna",
                        "open",
                        "--role",
                        "client",
                        "--decrypt-key",
                        &f.path("client.pem"),
                        "--decrypt-kid",
                        "tpp-1",
                        "--verify-key",
                        &f.path("server.pub.jwk"),
                        "--verify-kid",
                        "5F0C9D37",
                    ],
                    response.as_bytes(),
                )
                .ok_text(),
            )
            .unwrap();
            assert_eq!(opened["data"]["session_id"], "s-1", "{a} -> {b}");
            assert!(opened["response_timestamp"].as_u64().is_some());
        }
    }
}

#[test]
fn verify_jwks_and_the_key_files_own_kid() {
    let f = fixtures();
    // The server key as a JWKS (kid 2AF92B1D) verifies a response signed with the JWK's own kid.
    let public: Value =
        serde_json::from_str(&std::fs::read_to_string(f.path("server.pub.jwk")).unwrap()).unwrap();
    let jwks = f.dir.join("server.jwks");
    std::fs::write(&jwks, json!({"keys": [public]}).to_string()).unwrap();
    let response = jose(
        &[
            "klarna",
            "seal",
            "--role",
            "server",
            "--sign-key",
            &f.path("server.jwk"),
            "--recipient-key",
            &f.path("client.pub.pem"),
            "--recipient-kid",
            "tpp-1",
        ],
        br#"{"ok":true}"#,
    )
    .ok_text();
    let jws_kid_token = response.trim_end();
    assert_eq!(header(jws_kid_token)["kid"], "tpp-1");
    let out = jose(
        &[
            "klarna",
            "open",
            "--role",
            "client",
            "--decrypt-key",
            &f.path("client.pem"),
            "--decrypt-kid",
            "tpp-1",
            "--verify-jwks",
            jwks.to_str().unwrap(),
        ],
        response.as_bytes(),
    )
    .ok_text();
    assert!(out.contains("\"ok\":true"), "{out}");
}

#[test]
fn exit_status_one_for_rejected_input() {
    let f = fixtures();
    let token = seal_client("aws-lc", b"{}").ok_text();

    // Unknown JWS kid.
    let line = jose(
        &[
            "klarna",
            "open",
            "--role",
            "server",
            "--decrypt-key",
            &f.path("server.jwk"),
            "--verify-key",
            &f.path("client.pub.pem"),
            "--verify-kid",
            "someone-else",
        ],
        token.as_bytes(),
    )
    .fails(1);
    assert!(line.contains("unknown JWS kid"), "{line}");
    // Unknown JWE kid: the ring has only the old key.
    let line = jose(
        &[
            "klarna",
            "open",
            "--role",
            "server",
            "--decrypt-key",
            &f.path("server-old.pem"),
            "--decrypt-kid",
            "2AF92B1C",
            "--verify-key",
            &f.path("client.pub.pem"),
            "--verify-kid",
            "tpp-1",
        ],
        token.as_bytes(),
    )
    .fails(1);
    assert!(
        line.contains("unknown JWE kid") && line.contains("\"2AF92B1D\""),
        "{line}"
    );
    // The right kid on the wrong key: decryption failed.
    let line = jose(
        &[
            "klarna",
            "open",
            "--role",
            "server",
            "--decrypt-key",
            &f.path("server-old.pem"),
            "--decrypt-kid",
            "2AF92B1D",
            "--verify-key",
            &f.path("client.pub.pem"),
            "--verify-kid",
            "tpp-1",
        ],
        token.as_bytes(),
    )
    .fails(1);
    assert_eq!(line, "error: decryption failed");
    // The client role on a request: no response_timestamp.
    let line = jose(
        &[
            "klarna",
            "open",
            "--role",
            "client",
            "--decrypt-key",
            &f.path("server.jwk"),
            "--verify-key",
            &f.path("client.pub.pem"),
            "--verify-kid",
            "tpp-1",
        ],
        token.as_bytes(),
    )
    .fails(1);
    assert!(line.contains("response_timestamp"), "{line}");
    // Not a JSON object on stdin; a request_id of 9 and of 101 characters.
    for body in [&b"[1]"[..], b"not json", br#"{"request_id":"123456789"}"#] {
        seal_client("aws-lc", body).fails(1);
    }
    let long = format!(r#"{{"request_id":"{}"}}"#, "x".repeat(101));
    let line = seal_client("rustcrypto", long.as_bytes()).fails(1);
    assert!(line.contains("found 101 characters"), "{line}");
    // Garbage token.
    open_server("aws-lc", b"not.a.token").fails(1);
    // A JWE with RSA-OAEP (made with `jose jwe encrypt`).
    let jwe = jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            &f.path("server.pub.jwk"),
            "--alg",
            "RSA-OAEP",
            "--enc",
            "A256GCM",
        ],
        b"x.y.z",
    )
    .ok_text();
    let line = open_server("aws-lc", jwe.as_bytes()).fails(1);
    assert!(line.contains("JWE alg not allowed"), "{line}");
}

/// A client on the library, with its clock at `at` (UTC ms), sealing to the fixtures' server key.
fn library_client(at: u64) -> Client {
    let f = fixtures();
    let provider = jose::default_provider();
    let sign = jose::PrivateKey::from_pem(
        &std::fs::read_to_string(f.path("client.pem")).unwrap(),
        provider,
    )
    .unwrap()
    .with_kid("tpp-1");
    let server: jose::Jwk = jose::Jwk::from_json(
        &std::fs::read_to_string(f.path("server.pub.jwk")).unwrap(),
        &jose::Limits::default(),
    )
    .unwrap();
    let server = jose::PublicKey::from_jwk(&server, provider).unwrap();
    Client::new(
        Sealer::new(sign, server).unwrap(),
        Opener::new(KeyRing::new(), VerifierSet::new()),
    )
    .with_clock(Arc::new(ManualClock::at_millis(at)))
}

#[test]
fn stale_and_future_requests_from_the_library_are_rejected() {
    let now = jose_klarna_xs2a::unix_millis(std::time::SystemTime::now());
    let p = jose::default_provider();
    let body = serde_json::Map::new();
    let stale = library_client(now - 10 * 60 * 1000)
        .seal_request(body.clone(), p)
        .unwrap();
    let line = open_server("rustcrypto", stale.token.as_bytes()).fails(1);
    assert!(line.contains("stale request_timestamp"), "{line}");
    let future = library_client(now + 10 * 60 * 1000)
        .seal_request(body.clone(), p)
        .unwrap();
    let line = open_server("aws-lc", future.token.as_bytes()).fails(1);
    assert!(line.contains("in the future"), "{line}");
    let fresh = library_client(now).seal_request(body, p).unwrap();
    let out = open_server("aws-lc", fresh.token.as_bytes()).ok_text();
    assert!(out.contains(&fresh.stamp.request_id));
}

#[test]
fn exit_status_two_for_keys_and_usage() {
    let f = fixtures();
    // A PEM key without a kid and no --sign-kid.
    let line = jose(
        &[
            "klarna",
            "seal",
            "--role",
            "client",
            "--sign-key",
            &f.path("client.pem"),
            "--recipient-key",
            &f.path("server.pub.jwk"),
        ],
        b"{}",
    )
    .fails(2);
    assert!(
        line.contains("--sign-kid") && line.contains("the JWS header carries it"),
        "{line}"
    );
    // The same for the recipient key: the JWE header carries its kid.
    let line = jose(
        &[
            "klarna",
            "seal",
            "--role",
            "client",
            "--sign-key",
            &f.path("client.pem"),
            "--sign-kid",
            "tpp-1",
            "--recipient-key",
            &f.path("server-old.pub.pem"),
        ],
        b"{}",
    )
    .fails(2);
    assert!(
        line.contains("--recipient-kid") && line.contains("the JWE header carries it"),
        "{line}"
    );
    // An EC key.
    jose(
        &[
            "klarna",
            "seal",
            "--role",
            "client",
            "--sign-key",
            &f.path("ec.pem"),
            "--sign-kid",
            "e",
            "--recipient-key",
            &f.path("server.pub.jwk"),
        ],
        b"{}",
    )
    .fails(2);
    // A public key to sign with.
    jose(
        &[
            "klarna",
            "seal",
            "--role",
            "server",
            "--sign-key",
            &f.path("client.pub.pem"),
            "--sign-kid",
            "e",
            "--recipient-key",
            &f.path("server.pub.jwk"),
        ],
        b"{}",
    )
    .fails(2);
    // --decrypt-kid count mismatch; a missing file; no verify key; a PEM decrypt key without kid.
    let token = seal_client("aws-lc", b"{}").ok_text();
    jose(
        &[
            "klarna",
            "open",
            "--role",
            "server",
            "--decrypt-key",
            &f.path("server.jwk"),
            "--decrypt-key",
            &f.path("server-old.pem"),
            "--decrypt-kid",
            "a",
            "--verify-key",
            &f.path("client.pub.pem"),
            "--verify-kid",
            "tpp-1",
        ],
        token.as_bytes(),
    )
    .fails(2);
    jose(
        &[
            "klarna",
            "open",
            "--role",
            "server",
            "--decrypt-key",
            &f.path("missing.pem"),
            "--verify-key",
            &f.path("client.pub.pem"),
            "--verify-kid",
            "tpp-1",
        ],
        token.as_bytes(),
    )
    .fails(2);
    jose(
        &[
            "klarna",
            "open",
            "--role",
            "server",
            "--decrypt-key",
            &f.path("server.jwk"),
        ],
        token.as_bytes(),
    )
    .fails(2);
    // Two --decrypt-key files, one without kid: the JWE kid has to choose, so it needs one.
    let line = jose(
        &[
            "klarna",
            "open",
            "--role",
            "server",
            "--decrypt-key",
            &f.path("server.jwk"),
            "--decrypt-key",
            &f.path("server-old.pem"),
            "--verify-key",
            &f.path("client.pub.pem"),
        ],
        token.as_bytes(),
    )
    .fails(2);
    assert!(
        line.contains("server-old.pem has no kid")
            && line.contains("--decrypt-kid")
            && line.contains("several --decrypt-key files"),
        "{line}"
    );
    jose(&["klarna", "seal", "--role", "proxy"], b"{}").fails(2);
}

#[test]
fn route() {
    let cases = [
        (
            &["--method", "GET", "--path", "/xs2a/v1/sessions/1"][..],
            "POST /xs2a/v1/sessions/1/get\n",
        ),
        (
            &[
                "--method",
                "delete",
                "--path",
                "/xs2a/v1/sessions/1/flows/2",
            ],
            "POST /xs2a/v1/sessions/1/flows/2/delete\n",
        ),
        (
            &["--method", "PUT", "--path", "/xs2a/v1/sessions"],
            "PUT /xs2a/v1/sessions\n",
        ),
        (
            &[
                "--method",
                "GET",
                "--path",
                "https://h.example/xs2a/v1/sessions/1?x=1",
            ],
            "POST https://h.example/xs2a/v1/sessions/1/get?x=1\n",
        ),
        (
            &[
                "--method",
                "POST",
                "--path",
                "/xs2a/v1/sessions/1/get",
                "--reverse",
            ],
            "GET /xs2a/v1/sessions/1\n",
        ),
        (
            &[
                "--method",
                "POST",
                "--path",
                "/xs2a/v1/sessions/1",
                "--reverse",
            ],
            "POST /xs2a/v1/sessions/1\n",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["klarna", "route"];
        all.extend_from_slice(args);
        assert_eq!(jose(&all, b"").ok_text(), expected, "{args:?}");
    }
    jose(
        &["klarna", "route", "--method", "HEAD", "--path", "/x"],
        b"",
    )
    .fails(2);
    jose(
        &["klarna", "route", "--method", "GET", "--path", "no-slash"],
        b"",
    )
    .fails(2);
    jose(
        &[
            "klarna",
            "route",
            "--method",
            "GET",
            "--path",
            "/x",
            "--reverse",
        ],
        b"",
    )
    .fails(2);
    jose(&["klarna", "route", "--method", "G T", "--path", "/x"], b"").fails(2);
}

#[test]
fn the_demo_has_a_klarna_section() {
    let out = jose(&["demo"], b"").ok_text();
    let section = out.split("Klarna XS2A").nth(1).expect("a Klarna section");
    assert!(section.contains("sent as POST /xs2a/v1/sessions/s-42/get"));
    assert!(section.contains("replayed request"));
    assert!(section.contains("stale request_timestamp"));
    assert!(section.contains(
        "a 400 answer: API error: expected a 2xx response, found 400 Bad Request with JSON body"
    ));
    assert!(section.contains("a plain JSON 200: plain JSON response refused"));
    assert!(section.contains("aws-lc -> rustcrypto -> aws-lc"));
    assert!(section.contains("rustcrypto -> aws-lc -> rustcrypto"));
}

/// An RSA key pair as Klarna's document makes it (`openssl genrsa`, `openssl rsa -pubout`): PEM,
/// no kid. Where openssl cannot be run, `jose keygen rsa --format pem`, whose PEM has no kid
/// either; the test runs either way.
fn pem_pair_without_kid(dir: &std::path::Path, name: &str) -> (String, String) {
    let private = dir.join(format!("{name}.pem")).to_str().unwrap().to_owned();
    let public = dir.join(format!("{name}.pub")).to_str().unwrap().to_owned();
    let openssl = |args: &[&str]| std::process::Command::new("openssl").args(args).output();
    match openssl(&["genrsa", "-out", &private, "2048"]) {
        Ok(out) => {
            assert!(out.status.success(), "openssl genrsa: {out:?}");
            let out = openssl(&["rsa", "-in", &private, "-pubout", "-out", &public]).unwrap();
            assert!(out.status.success(), "openssl rsa -pubout: {out:?}");
        }
        Err(_) => {
            jose(
                &[
                    "keygen",
                    "rsa",
                    "--format",
                    "pem",
                    "--out",
                    &private,
                    "--public-out",
                    &public,
                ],
                b"",
            )
            .ok_text();
        }
    }
    for path in [&private, &public] {
        let pem = std::fs::read_to_string(path).unwrap();
        assert!(pem.starts_with("-----BEGIN "), "{path}: not a PEM");
    }
    (private, public)
}

#[test]
fn pem_keys_without_kid_round_trip() {
    let dir = TempDir::new().unwrap();
    let (tpp, tpp_pub) = pem_pair_without_kid(dir.path(), "tpp");
    let (xs2a, xs2a_pub) = pem_pair_without_kid(dir.path(), "xs2a");
    for a in PROVIDERS {
        for b in PROVIDERS {
            // Sealing puts kids on the wire (the ids each side gave the other).
            let request = jose(
                &[
                    "--provider",
                    a,
                    "klarna",
                    "seal",
                    "--role",
                    "client",
                    "--sign-key",
                    &tpp,
                    "--sign-kid",
                    "tpp-1",
                    "--recipient-key",
                    &xs2a_pub,
                    "--recipient-kid",
                    "2AF92B1D",
                ],
                br#"{"psu":{"ip_address":"136.71.143.70"}}"#,
            )
            .ok_text();
            assert_eq!(header(request.trim_end())["kid"], "2AF92B1D");
            // Opening with one key on each side, neither with a kid: the issue's command line.
            let opened: Value = serde_json::from_str(
                &jose(
                    &[
                        "--provider",
                        b,
                        "klarna",
                        "open",
                        "--role",
                        "server",
                        "--decrypt-key",
                        &xs2a,
                        "--verify-key",
                        &tpp_pub,
                    ],
                    request.as_bytes(),
                )
                .ok_text(),
            )
            .unwrap();
            assert_eq!(opened["psu"]["ip_address"], "136.71.143.70", "{a} -> {b}");
            assert_eq!(opened["request_id"].as_str().unwrap().len(), 36);

            let response = jose(
                &[
                    "--provider",
                    b,
                    "klarna",
                    "seal",
                    "--role",
                    "server",
                    "--sign-key",
                    &xs2a,
                    "--sign-kid",
                    "5F0C9D37",
                    "--recipient-key",
                    &tpp_pub,
                    "--recipient-kid",
                    "tpp-enc-1",
                ],
                br#"{"data":{"session_id":"s-1"}}"#,
            )
            .ok_text();
            let opened: Value = serde_json::from_str(
                &jose(
                    &[
                        "--provider",
                        a,
                        "klarna",
                        "open",
                        "--role",
                        "client",
                        "--decrypt-key",
                        &tpp,
                        "--verify-key",
                        &xs2a_pub,
                    ],
                    response.as_bytes(),
                )
                .ok_text(),
            )
            .unwrap();
            assert_eq!(opened["data"]["session_id"], "s-1", "{b} -> {a}");
            assert!(opened["response_timestamp"].as_u64().is_some());
        }
    }

    // The lone key still has to be the right one: the token's kid does not make it so.
    let request = jose(
        &[
            "klarna",
            "seal",
            "--role",
            "client",
            "--sign-key",
            &tpp,
            "--sign-kid",
            "tpp-1",
            "--recipient-key",
            &xs2a_pub,
            "--recipient-kid",
            "2AF92B1D",
        ],
        b"{}",
    )
    .ok_text();
    let open = |decrypt: &str, verify: &str| {
        jose(
            &[
                "klarna",
                "open",
                "--role",
                "server",
                "--decrypt-key",
                decrypt,
                "--verify-key",
                verify,
            ],
            request.as_bytes(),
        )
    };
    assert_eq!(open(&tpp, &tpp_pub).fails(1), "error: decryption failed");
    assert_eq!(
        open(&xs2a, &xs2a_pub).fails(1),
        "error: signature verification failed"
    );
    // A kid given on the command line is matched against the token's, as before.
    let line = jose(
        &[
            "klarna",
            "open",
            "--role",
            "server",
            "--decrypt-key",
            &xs2a,
            "--decrypt-kid",
            "2AF92B1C",
            "--verify-key",
            &tpp_pub,
        ],
        request.as_bytes(),
    )
    .fails(1);
    assert!(
        line.contains("unknown JWE kid") && line.contains("\"2AF92B1D\""),
        "{line}"
    );
    // Sealing with the PEMs alone is refused, and says why.
    let line = jose(
        &[
            "klarna",
            "seal",
            "--role",
            "client",
            "--sign-key",
            &tpp,
            "--recipient-key",
            &xs2a_pub,
        ],
        b"{}",
    )
    .fails(2);
    assert_eq!(
        line,
        "error: the signing key has no kid: expected --sign-kid ID or a JWK with \"kid\", found neither (the JWS header carries it and the receiver chooses your public key by it: give the id the receiver knows the key by)"
    );
}

/// `open --role server` with the fixtures' keys and `extra` (such as `--replay-store URL`).
fn open_server_with(provider: &str, token: &[u8], extra: &[&str]) -> Run {
    let f = fixtures();
    let (old, new, verify) = (
        f.path("server-old.pem"),
        f.path("server.jwk"),
        f.path("client.pub.pem"),
    );
    let mut args = vec![
        "--provider",
        provider,
        "klarna",
        "open",
        "--role",
        "server",
        "--decrypt-key",
        &old,
        "--decrypt-kid",
        "2AF92B1C",
        "--decrypt-key",
        &new,
        "--decrypt-kid",
        "2AF92B1D",
        "--verify-key",
        &verify,
        "--verify-kid",
        "tpp-1",
    ];
    args.extend_from_slice(extra);
    jose(&args, token)
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
        "cli-test:",
    ];
    let token = seal_client("aws-lc", br#"{"amount":"10.00"}"#).ok();
    // Without a store each process is alone: the same token opens twice.
    open_server_with("aws-lc", &token, &[]).ok_text();
    open_server_with("aws-lc", &token, &[]).ok_text();
    // With one: the first process records the request_id, the second (another provider, too)
    // refuses it as a replay (exit 1), naming it.
    let body: Value =
        serde_json::from_str(&open_server_with("aws-lc", &token, &store).ok_text()).unwrap();
    assert_eq!(body["amount"], "10.00");
    let error = open_server_with("rustcrypto", &token, &store).fails(1);
    assert!(error.contains("replayed request"), "{error}");
    // When the id's key expires in Redis (forced here: the window is five minutes, the request
    // is still fresh for two), the same request is accepted again, and then refused again.
    let request_id = body["request_id"].as_str().unwrap();
    let expired = std::process::Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &redis.port().to_string()])
        .args(["PEXPIRE", &format!("cli-test:{request_id}"), "1"])
        .output()
        .expect("redis-cli (Debian package redis-tools, with redis-server)");
    assert_eq!(String::from_utf8_lossy(&expired.stdout).trim(), "1");
    std::thread::sleep(std::time::Duration::from_millis(20));
    open_server_with("rustcrypto", &token, &store).ok_text();
    open_server_with("aws-lc", &token, &store).fails(1);
    // Another prefix is another deployment.
    let other = ["--replay-store", url.as_str(), "--replay-prefix", "other:"];
    open_server_with("aws-lc", &token, &other).ok_text();
    // The store down: exit 2 (our side), never an accepted request.
    redis.stop();
    let fresh = seal_client("aws-lc", br#"{"amount":"11.00"}"#).ok();
    let error = open_server_with("aws-lc", &fresh, &store).fails(2);
    assert!(error.contains("--replay-store"), "{error}");
    // A client has no replay state; a bad URL is a usage error.
    let error = jose(
        &[
            "klarna",
            "open",
            "--role",
            "client",
            "--decrypt-key",
            "x",
            "--verify-key",
            "y",
            "--replay-store",
            "redis://127.0.0.1:1/0",
        ],
        b"",
    )
    .fails(2);
    assert!(error.contains("expected --role server"), "{error}");
    let error =
        open_server_with("aws-lc", &fresh, &["--replay-store", "http://127.0.0.1/"]).fails(2);
    assert!(error.contains("invalid Redis URL"), "{error}");
}
