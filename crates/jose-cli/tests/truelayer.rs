//! Integration tests of `jose truelayer sign|verify|header`: TrueLayer's fixtures through the
//! binary on both providers, what `sign` emits, and the exit-status contract (0; 1 rejected; 2
//! usage, I/O or key error; on failure empty stdout and one `error: ...` line).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

mod common;

use common::*;

const KID: &str = "45fc75cf-5649-4134-84b3-192c2c78e990";
const SWEEPING: &str = "/merchant_accounts/a61acaef-ee05-4077-92f3-25543a11bd8d/sweeping";
const IDEMP: &str = "Idempotency-Key: idemp-2076717c-9005-4811-a321-9e0787fa0382";

/// A fixture file of the truelayer-signing crate (cases.json's original names mapped).
fn vector(name: &str) -> PathBuf {
    let renamed = match name {
        "ec512-private.pem" => "test-only-ec512-private.pem",
        "ec512-public.pem" => "test-only-ec512-public.pem",
        "jwks.json" => "test-only-jwks.json",
        other => other,
    };
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../truelayer-signing/tests/vectors")
        .join(renamed)
}

#[test]
fn every_case_through_the_binary_on_both_providers() {
    let dir = TempDir::new().unwrap();
    let doc: Value = serde_json::from_str(&text(&vector("cases.json"))).unwrap();
    for provider in PROVIDERS {
        for (i, case) in doc["cases"].as_array().unwrap().iter().enumerate() {
            let body = dir.path().join(format!("body-{i}"));
            std::fs::write(&body, case["body"].as_str().unwrap()).unwrap();
            let key_flag: [String; 2] = match (case.get("key"), case.get("jwks")) {
                (Some(k), _) => ["--key".into(), s(&vector(k.as_str().unwrap())).into()],
                (_, Some(j)) => ["--jwks".into(), s(&vector(j.as_str().unwrap())).into()],
                _ => panic!("case without key"),
            };
            let headers: Vec<String> = case["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| format!("{}: {}", h[0].as_str().unwrap(), h[1].as_str().unwrap()))
                .collect();
            let run = |allow_v1: bool| {
                let mut args: Vec<&str> = vec!["--provider", provider, "truelayer", "verify"];
                args.extend(key_flag.iter().map(String::as_str));
                args.extend([
                    "--method",
                    case["method"].as_str().unwrap(),
                    "--path",
                    case["path"].as_str().unwrap(),
                    "--body",
                    s(&body),
                    "--signature",
                    case["signature"].as_str().unwrap(),
                ]);
                for h in &headers {
                    args.extend(["--header", h.as_str()]);
                }
                if allow_v1 {
                    args.push("--allow-v1");
                }
                jose(&args, b"")
            };
            match case["expect"].as_str().unwrap() {
                "valid" => {
                    let out = token(run(false).ok_text());
                    assert!(out.starts_with("verified: v2"), "{out}");
                    assert!(out.contains(KID), "{out}");
                }
                "valid-only-with-v1-opt-in" => {
                    let err = run(false).fails(1);
                    assert!(err.contains("tl_version"), "{err}");
                    assert!(token(run(true).ok_text()).starts_with("verified: v1"));
                }
                "invalid" => {
                    let err = run(true).fails(1);
                    assert!(err.contains("Tl-Signature-Version"), "{err}");
                }
                other => panic!("{other}"),
            }
        }
    }
}

#[test]
fn sign_emits_the_reference_header_and_verifies_across_providers() {
    let dir = TempDir::new().unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(
        &body,
        r#"{"currency":"GBP","max_amount_in_minor":5000000,"name":"Foo???"}"#,
    )
    .unwrap();
    let reference = text(&vector("tl-signature.txt"));
    let reference_header = reference.trim().split_once("..").unwrap().0.to_owned();
    for signer in PROVIDERS {
        let sig = token(
            jose(
                &[
                    "--provider",
                    signer,
                    "truelayer",
                    "sign",
                    "--key",
                    s(&vector("ec512-private.pem")),
                    "--kid",
                    KID,
                    "--method",
                    "post",
                    "--path",
                    SWEEPING,
                    "--header",
                    IDEMP,
                    "--body",
                    s(&body),
                ],
                b"",
            )
            .ok_text(),
        );
        assert_eq!(sig.split_once("..").unwrap().0, reference_header);
        for verifier in PROVIDERS {
            let out = jose(
                &[
                    "--provider",
                    verifier,
                    "truelayer",
                    "verify",
                    "--key",
                    s(&vector("ec512-public.pem")),
                    "--method",
                    "POST",
                    "--path",
                    SWEEPING,
                    "--header",
                    "idempotency-key:idemp-2076717c-9005-4811-a321-9e0787fa0382",
                    "--header",
                    "X-Other: 1",
                    "--require-header",
                    "Idempotency-Key",
                    "--body",
                    "-",
                    "--signature",
                    &format!("  {sig}\n"),
                ],
                std::fs::read(&body).unwrap(),
            )
            .ok_text();
            assert_eq!(
                out,
                format!("verified: v2, kid {KID:?}, signed headers [Idempotency-Key]\n")
            );
            // The body changed: rejected (1).
            let err = jose(
                &[
                    "--provider",
                    verifier,
                    "truelayer",
                    "verify",
                    "--key",
                    s(&vector("ec512-public.pem")),
                    "--method",
                    "POST",
                    "--path",
                    SWEEPING,
                    "--header",
                    IDEMP,
                    "--signature",
                    &sig,
                ],
                b"",
            )
            .fails(1);
            assert!(err.contains("signature verification failed"), "{err}");
        }
    }
}

#[test]
fn sign_with_jku_and_read_the_header() {
    let sig = token(
        jose(
            &[
                "truelayer",
                "sign",
                "--key",
                s(&vector("ec512-private.pem")),
                "--kid",
                KID,
                "--method",
                "POST",
                "--path",
                "/tl-webhook",
                "--header",
                "X-Tl-Webhook-Timestamp: 2021-11-29T11:42:55Z",
                "--header",
                "Content-Type: application/json",
                "--jku",
                "https://webhooks.truelayer.com/.well-known/jwks",
                "--webhook",
            ],
            b"",
        )
        .ok_text(),
    );
    let reference = text(&vector("webhook-signature.txt"));
    assert_eq!(
        sig.split_once("..").unwrap().0,
        reference.trim().split_once("..").unwrap().0
    );
    // header: exactly the decoded JOSE header.
    for signature in [sig.as_str(), reference.as_str()] {
        let out = jose(&["truelayer", "header", "--signature", signature], b"").ok_text();
        assert_eq!(
            out,
            format!(
                "{{\"alg\":\"ES512\",\"kid\":\"{KID}\",\"tl_version\":\"2\",\"tl_headers\":\"X-Tl-Webhook-Timestamp,Content-Type\",\"jku\":\"https://webhooks.truelayer.com/.well-known/jwks\"}}\n"
            )
        );
    }
    // Our webhook signature (empty body) verifies through the TrueLayer JWKS, passed as --key.
    let out = jose(
        &[
            "truelayer",
            "verify",
            "--key",
            s(&vector("jwks.json")),
            "--method",
            "POST",
            "--path",
            "/tl-webhook/",
            "--header",
            "content-type: application/json",
            "--header",
            "x-tl-webhook-timestamp: 2021-11-29T11:42:55Z",
            "--signature",
            &sig,
        ],
        b"",
    )
    .ok_text();
    assert!(
        out.contains("jku \"https://webhooks.truelayer.com/.well-known/jwks\""),
        "{out}"
    );
    assert!(out.contains("after the trailing-slash retry"), "{out}");
    let err = jose(&["truelayer", "header", "--signature", "a.b.c"], b"").fails(1);
    assert!(err.contains("malformed"), "{err}");
}

#[test]
fn rejections_exit_1() {
    let sig = text(&vector("tl-signature.txt"));
    let sig = sig.trim();
    let base = |extra: &[&str], signature: &str| {
        let mut args = vec![
            "truelayer",
            "verify",
            "--key",
            s(&vector("ec512-public.pem")).to_owned().leak(),
            "--method",
            "POST",
            "--path",
            SWEEPING,
        ];
        args.extend_from_slice(extra);
        args.extend(["--signature", signature]);
        jose(&args, b"")
    };
    // A signed header missing from the request.
    let err = base(&[], sig).fails(1);
    assert!(err.contains("missing header"), "{err}");
    // A required header that is not signed.
    let err = base(&["--header", IDEMP, "--require-header", "X-Required"], sig).fails(1);
    assert!(err.contains("unsigned header"), "{err}");
    // A signature of the wrong length, an attached payload, garbage.
    let (h, rest) = sig.split_once("..").unwrap();
    let short = format!("{h}..{}", &rest[..rest.len() - 4]);
    let err = base(&["--header", IDEMP], &short).fails(1);
    assert!(err.contains("132"), "{err}");
    let attached = format!("{h}.e30.{rest}");
    let err = base(&["--header", IDEMP], &attached).fails(1);
    assert!(err.contains("attached"), "{err}");
    base(&["--header", IDEMP], "not-a-signature").fails(1);
    // A JWKS without the kid.
    let dir = TempDir::new().unwrap();
    let empty = dir.path().join("jwks.json");
    std::fs::write(&empty, r#"{"keys":[]}"#).unwrap();
    let err = jose(
        &[
            "truelayer",
            "verify",
            "--jwks",
            s(&empty),
            "--method",
            "POST",
            "--path",
            SWEEPING,
            "--header",
            IDEMP,
            "--signature",
            sig,
        ],
        b"",
    )
    .fails(1);
    assert!(err.contains("no matching key"), "{err}");
}

#[test]
fn usage_and_key_errors_exit_2() {
    let dir = TempDir::new().unwrap();
    let key = vector("ec512-private.pem");
    let sign = |extra: &[&str]| {
        let mut args = vec!["truelayer", "sign", "--kid", KID, "--method", "POST"];
        args.extend_from_slice(extra);
        jose(&args, b"")
    };
    // A path that does not start with '/'.
    let err = sign(&["--key", s(&key), "--path", "payouts"]).fails(2);
    assert!(err.contains("'/'"), "{err}");
    // A --header without ':'.
    let err = sign(&[
        "--key",
        s(&key),
        "--path",
        "/p",
        "--header",
        "Idempotency-Key",
    ])
    .fails(2);
    assert!(err.contains("Name: value"), "{err}");
    // A header name that cannot be signed.
    sign(&["--key", s(&key), "--path", "/p", "--header", "A B: c"]).fails(2);
    // A public key, a P-256 key, a missing file, a missing body file.
    sign(&["--key", s(&vector("ec512-public.pem")), "--path", "/p"]).fails(2);
    let p256 = dir.path().join("p256.pem");
    jose(
        &["keygen", "ec", "--curve", "P-256", "--out", s(&p256)],
        b"",
    )
    .ok_text();
    let err = sign(&["--key", s(&p256), "--path", "/p"]).fails(2);
    assert!(err.contains("invalid key"), "{err}");
    sign(&["--key", s(&dir.path().join("absent.pem")), "--path", "/p"]).fails(2);
    sign(&[
        "--key",
        s(&key),
        "--path",
        "/p",
        "--body",
        s(&dir.path().join("absent.json")),
    ])
    .fails(2);
    // verify: no key flag; a P-256 public key; a path without '/'.
    let sig = text(&vector("tl-signature.txt"));
    jose(
        &[
            "truelayer",
            "verify",
            "--method",
            "POST",
            "--path",
            "/p",
            "--signature",
            &sig,
        ],
        b"",
    )
    .fails(2);
    let err = jose(
        &[
            "truelayer",
            "verify",
            "--key",
            s(&p256),
            "--method",
            "POST",
            "--path",
            "/p",
            "--signature",
            &sig,
        ],
        b"",
    )
    .fails(2);
    assert!(err.contains("invalid key"), "{err}");
    jose(
        &[
            "truelayer",
            "verify",
            "--key",
            s(&vector("ec512-public.pem")),
            "--method",
            "POST",
            "--path",
            "p",
            "--signature",
            &sig,
        ],
        b"",
    )
    .fails(2);
}

#[test]
fn body_from_stdin_file_or_nothing() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("body");
    std::fs::write(&file, b"\x00binary\xffbody").unwrap();
    let sign = |body: Option<&str>, stdin: &[u8]| {
        let mut args = vec![
            "truelayer",
            "sign",
            "--key",
            s(&vector("ec512-private.pem")).to_owned().leak(),
            "--kid",
            "k",
            "--method",
            "PUT",
            "--path",
            "/x",
            "--header",
            "Idempotency-Key: put-1",
        ];
        if let Some(b) = body {
            args.extend(["--body", b]);
        }
        token(jose(&args, stdin).ok_text())
    };
    let verify = |sig: &str, body: Option<&str>, stdin: &[u8]| {
        let mut args = vec![
            "truelayer",
            "verify",
            "--key",
            s(&vector("ec512-public.pem")).to_owned().leak(),
            "--method",
            "put",
            "--path",
            "/x",
            "--header",
            "idempotency-key: put-1",
            "--signature",
            sig,
        ];
        if let Some(b) = body {
            args.extend(["--body", b]);
        }
        jose(&args, stdin)
    };
    let from_file = sign(Some(s(&file)), b"");
    verify(&from_file, Some("-"), b"\x00binary\xffbody").ok_text();
    verify(&from_file, None, b"").fails(1);
    let from_stdin = sign(Some("-"), b"\x00binary\xffbody");
    verify(&from_stdin, Some(s(&file)), b"").ok_text();
    let empty = sign(None, b"ignored");
    verify(&empty, None, b"").ok_text();
    verify(&empty, Some("-"), b"").ok_text();
    verify(&empty, Some("-"), b"x").fails(1);
}

/// `sign` follows the document: Idempotency-Key signed unless --webhook, no trailing slash
/// (exit 2 with what was expected and found, nothing on stdout); `verify` still accepts what
/// TrueLayer's verifiers accept.
#[test]
fn sign_requires_an_idempotency_key_and_no_trailing_slash() {
    let key = vector("ec512-private.pem");
    let sign = |extra: &[&str]| {
        let mut args = vec![
            "truelayer",
            "sign",
            "--key",
            s(&key),
            "--kid",
            KID,
            "--method",
            "POST",
        ];
        args.extend_from_slice(extra);
        jose(&args, b"")
    };
    // No Idempotency-Key: refused, saying what was expected, what was found and which flag helps.
    let err = sign(&[
        "--path",
        "/v3/payouts",
        "--header",
        "Content-Type: application/json",
    ])
    .fails(2);
    assert!(
        err.contains(
            "missing Idempotency-Key: expected it among the signed headers with a non-empty value"
        ),
        "{err}"
    );
    assert!(err.contains("found tl_headers \"Content-Type\""), "{err}");
    assert!(err.contains("--webhook"), "{err}");
    let err = sign(&["--path", "/v3/payouts"]).fails(2);
    assert!(err.contains("found no signed headers"), "{err}");
    let err = sign(&["--path", "/v3/payouts", "--header", "Idempotency-Key:"]).fails(2);
    assert!(err.contains("an empty \"Idempotency-Key\" value"), "{err}");
    // With it (any casing), or as a webhook: signed.
    token(sign(&["--path", "/v3/payouts", "--header", "idempotency-key: k-1"]).ok_text());
    let hook = token(sign(&["--path", "/hook", "--webhook"]).ok_text());
    // A trailing slash: refused on both kinds; the root path is signed.
    for extra in [
        &["--path", "/v3/payouts/", "--header", "Idempotency-Key: k-1"][..],
        &["--path", "/hook/", "--webhook"][..],
    ] {
        let err = sign(extra).fails(2);
        assert!(
            err.contains("expected a path without a trailing '/'") && err.contains("found \"/"),
            "{err}"
        );
    }
    let root = token(sign(&["--path", "/", "--header", "Idempotency-Key: k-1"]).ok_text());
    // verify: a signature over "/hook" verifies on "/hook/" (the retry), with no Idempotency-Key.
    let verify = |path: &str, sig: &str, extra: &[&str]| {
        let mut args = vec![
            "truelayer",
            "verify",
            "--key",
            s(&vector("ec512-public.pem")).to_owned().leak(),
            "--method",
            "POST",
            "--path",
        ];
        args.extend([path, "--signature", sig]);
        args.extend_from_slice(extra);
        jose(&args, b"")
    };
    let out = verify("/hook/", &hook, &[]).ok_text();
    assert!(out.contains("signed headers []"), "{out}");
    assert!(out.contains("after the trailing-slash retry"), "{out}");
    verify("/", &root, &["--header", "Idempotency-Key: k-1"]).ok_text();
    // A verifier that wants Idempotency-Key says so.
    let err = verify("/hook", &hook, &["--require-header", "Idempotency-Key"]).fails(1);
    assert!(err.contains("unsigned header"), "{err}");
}

/// `secs` after the Unix epoch as an RFC 3339 UTC timestamp (H. Hinnant's `civil_from_days`).
fn rfc3339(secs: u64) -> String {
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

#[test]
fn the_test_formatter_is_right() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_638_186_175), "2021-11-29T11:42:55Z");
    assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
}

/// `verify --webhook-max-age`: a webhook sent now is accepted; one from 2021, one an hour ahead,
/// one without or with a malformed or unsigned X-Tl-Webhook-Timestamp is rejected (exit 1).
#[test]
fn verify_checks_webhook_freshness() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sign = |stamp: &str| {
        token(
            jose(
                &[
                    "truelayer",
                    "sign",
                    "--key",
                    s(&vector("ec512-private.pem")),
                    "--kid",
                    KID,
                    "--method",
                    "POST",
                    "--path",
                    "/hook",
                    "--header",
                    &format!("X-Tl-Webhook-Timestamp: {stamp}"),
                    "--webhook",
                ],
                b"",
            )
            .ok_text(),
        )
    };
    let verify = |sig: &str, headers: &[String], max_age: Option<&str>| {
        let mut args = vec![
            "truelayer",
            "verify",
            "--key",
            s(&vector("ec512-public.pem")).to_owned().leak(),
            "--method",
            "POST",
            "--path",
            "/hook",
            "--signature",
            sig.to_owned().leak(),
        ];
        for h in headers {
            args.extend(["--header", h.clone().leak()]);
        }
        if let Some(max_age) = max_age {
            args.extend(["--webhook-max-age", max_age.to_owned().leak()]);
        }
        jose(&args, b"")
    };
    let stamp_header = |stamp: &str| vec![format!("x-tl-webhook-timestamp: {stamp}")];
    // Sent now: fresh.
    let fresh = rfc3339(now);
    let sig = sign(&fresh);
    let out = verify(&sig, &stamp_header(&fresh), Some("300")).ok_text();
    assert!(
        out.contains("signed headers [X-Tl-Webhook-Timestamp]"),
        "{out}"
    );
    // Sent in 2021: accepted without the check (as TrueLayer's verifiers do), stale with it.
    let old = "2021-11-29T11:42:55Z";
    let sig = sign(old);
    verify(&sig, &stamp_header(old), None).ok_text();
    let err = verify(&sig, &stamp_header(old), Some("300")).fails(1);
    assert!(
        err.contains(
            "refused webhook timestamp: expected an X-Tl-Webhook-Timestamp at most 300 s old, found \"2021-11-29T11:42:55Z\""
        ),
        "{err}"
    );
    // An hour ahead of our clock.
    let ahead = rfc3339(now + 3600);
    let sig = sign(&ahead);
    let err = verify(&sig, &stamp_header(&ahead), Some("300")).fails(1);
    assert!(err.contains("at most 300 s ahead of our clock"), "{err}");
    // ... which a tolerance of two hours accepts.
    verify(&sig, &stamp_header(&ahead), Some("7200")).ok_text();
    // Missing, malformed.
    let err = verify(&sig, &[], Some("300")).fails(1);
    assert!(err.contains("X-Tl-Webhook-Timestamp header"), "{err}");
    assert!(err.contains("found none"), "{err}");
    let err = verify(&sig, &stamp_header("yesterday"), Some("300")).fails(1);
    assert!(err.contains("expected an RFC 3339 date-time"), "{err}");
    // Fresh but not signed.
    let unsigned = token(
        jose(
            &[
                "truelayer",
                "sign",
                "--key",
                s(&vector("ec512-private.pem")),
                "--kid",
                KID,
                "--method",
                "POST",
                "--path",
                "/hook",
                "--webhook",
            ],
            b"",
        )
        .ok_text(),
    );
    let err = verify(&unsigned, &stamp_header(&fresh), Some("300")).fails(1);
    assert!(
        err.contains("unsigned header: expected tl_headers to list \"X-Tl-Webhook-Timestamp\""),
        "{err}"
    );
    // Not a number of seconds: a usage error.
    verify(&unsigned, &stamp_header(&fresh), Some("five minutes")).fails(2);
}
