//! Integration tests of `jose 4quays`: init (create-new, never overwriting, owner-only secrets),
//! hash-key on stdin, protect/unprotect in-process on both providers and against a real `serve` on
//! loopback with `--url` (with their exit-status contract), the API key coming from
//! `--api-key-file` or `FOURQUAYS_API_KEY` (never the command line), and serve over real HTTP
//! stopped by SIGTERM.
//!
//! `init` generates two RSA keys; it runs once per test binary ([`example`]) and the tests share
//! the directory. Every child runs without the test process's `FOURQUAYS_API_KEY`; tests that want
//! it set it on the child only.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use serde_json::{Value, json};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tempfile::TempDir;

mod common;

use common::serve::{Serve, http};
use common::*;

impl Run {
    /// A 4quays answer: stdout is one JSON line.
    fn answer(&self) -> Value {
        let stdout = std::str::from_utf8(&self.stdout).unwrap();
        assert!(
            stdout.ends_with('\n') && stdout.lines().count() == 1,
            "{}: {stdout:?}",
            self.what
        );
        serde_json::from_str(stdout).unwrap()
    }
}

struct Example {
    _dir: TempDir,
    config: PathBuf,
    api_key: String,
    /// The generated API key file (the key and a newline).
    key_file: PathBuf,
    /// A file with a key the config does not accept.
    wrong_key_file: PathBuf,
    dir: PathBuf,
}

fn example() -> &'static Example {
    static EXAMPLE: OnceLock<Example> = OnceLock::new();
    EXAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("cfg");
        let out = jose(&["4quays", "init", "--dir", target.to_str().unwrap()], "").ok_text();
        let key_file = std::fs::read_dir(&target)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_str().unwrap().ends_with("api-key.txt"))
            .unwrap();
        let key_path = key_file.to_str().unwrap();
        // The hints name the key file, never put the key itself on a command line.
        assert!(out.contains("jose 4quays serve --config"), "{out}");
        assert!(
            out.contains(&format!("jose 4quays hash-key < {key_path}")),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "jose 4quays protect --url http://127.0.0.1:8080 --api-key-file {key_path}"
            )),
            "{out}"
        );
        assert!(
            out.contains(&format!("--api-key-file {key_path}\n")),
            "{out}"
        );
        assert!(out.contains("curl"), "{out}");
        assert!(!out.contains("--api-key \""), "{out}");
        let text = std::fs::read_to_string(&key_file).unwrap();
        assert!(text.ends_with('\n'), "{text:?}");
        let api_key = text.trim().to_owned();
        assert!(!out.contains(&api_key), "init printed the API key");
        let wrong_key_file = dir.path().join("wrong-key.txt");
        std::fs::write(&wrong_key_file, "sk_test_wrong\n").unwrap();
        Example {
            config: target.join("4quays.toml"),
            dir: target,
            api_key,
            key_file,
            wrong_key_file,
            _dir: dir,
        }
    })
}

fn config() -> &'static str {
    example().config.to_str().unwrap()
}

fn key_file() -> &'static str {
    example().key_file.to_str().unwrap()
}

fn wrong_key_file() -> &'static str {
    example().wrong_key_file.to_str().unwrap()
}

#[test]
fn init_writes_generated_test_files_and_refuses_to_overwrite() {
    let ex = example();
    let mut names: Vec<String> = std::fs::read_dir(&ex.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(names.contains(&"4quays.toml".to_owned()));
    for name in names.iter().filter(|n| *n != "4quays.toml") {
        assert!(name.starts_with("4quays-generated-test-only-"), "{name}");
    }
    // The config, three RSA keys (rbc; acme public and private), the API key, and the TLS test
    // CA, certificate and key.
    assert_eq!(names.len(), 8, "{names:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let secrets: Vec<&String> = names
            .iter()
            .filter(|n| n.contains("private") || n.contains("api-key") || n.contains("tls-key"))
            .collect();
        assert_eq!(secrets.len(), 4, "{names:?}");
        for name in secrets {
            let mode = std::fs::metadata(ex.dir.join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name} has mode {:o}", mode & 0o777);
        }
    }
    let text = std::fs::read_to_string(&ex.config).unwrap();
    assert!(
        !text.contains(&ex.api_key),
        "the config stores the hash only"
    );

    // A second init into the same directory refuses, naming the first file it would replace,
    // and changes nothing.
    let before = std::fs::read_to_string(&ex.config).unwrap();
    let again = jose(&["4quays", "init", "--dir", ex.dir.to_str().unwrap()], "").fails(2);
    assert!(again.contains("4quays.toml"), "{again}");
    assert_eq!(std::fs::read_to_string(&ex.config).unwrap(), before);
    assert_eq!(std::fs::read_dir(&ex.dir).unwrap().count(), 8);
}

/// The files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn init_refuses_an_existing_target_before_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    // A file that is already there (not a symbolic link): refused, unchanged.
    let target = dir.path().join("plain");
    std::fs::create_dir(&target).unwrap();
    let existing = target.join("4quays-generated-test-only-acme-2026-01-public.pem");
    std::fs::write(&existing, "mine").unwrap();
    let e = jose(&["4quays", "init", "--dir", target.to_str().unwrap()], "").fails(2);
    assert!(e.contains("acme-2026-01-public.pem"), "{e}");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "mine");
    assert_eq!(
        listing(&target),
        ["4quays-generated-test-only-acme-2026-01-public.pem"]
    );
}

#[cfg(unix)]
#[test]
fn init_refuses_symbolic_links_and_never_follows_them() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    for name in [
        "4quays.toml",
        "4quays-generated-test-only-api-key.txt",
        "4quays-generated-test-only-rbc-2026-01-private.pem",
    ] {
        // A link to another file: refused, the file it points to unchanged, nothing written.
        let target = dir.path().join(format!("to-file-{name}"));
        std::fs::create_dir(&target).unwrap();
        symlink(&victim, target.join(name)).unwrap();
        let e = jose(&["4quays", "init", "--dir", target.to_str().unwrap()], "").fails(2);
        assert!(e.contains(name), "{e}");
        assert!(e.contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
        assert_eq!(listing(&target), [name]);
        assert!(
            std::fs::symlink_metadata(target.join(name))
                .unwrap()
                .file_type()
                .is_symlink()
        );

        // A dangling link: refused too, and what it points to is not created.
        let target = dir.path().join(format!("dangling-{name}"));
        std::fs::create_dir(&target).unwrap();
        let nowhere = dir.path().join(format!("nowhere-{name}"));
        symlink(&nowhere, target.join(name)).unwrap();
        let e = jose(&["4quays", "init", "--dir", target.to_str().unwrap()], "").fails(2);
        assert!(e.contains(name), "{e}");
        assert!(!nowhere.exists());
        assert_eq!(listing(&target), [name]);
    }
    assert_eq!(
        listing(dir.path())
            .iter()
            .filter(|n| !n.starts_with("to-file-") && !n.starts_with("dangling-"))
            .collect::<Vec<_>>(),
        ["victim.txt"]
    );
}

#[test]
fn hash_key_reads_the_key_from_stdin() {
    for provider in ["aws-lc", "rustcrypto"] {
        // Surrounding ASCII whitespace, a trailing newline included, is not part of the key.
        for stdin in ["abc", "abc\n", " \tabc\r\n"] {
            let out = jose(&["--provider", provider, "4quays", "hash-key"], stdin).ok_text();
            assert_eq!(
                out,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
            );
        }
    }
    // The key file init wrote, on stdin: the hash the config holds.
    let ex = example();
    let key_text = std::fs::read_to_string(&ex.key_file).unwrap();
    let hash = jose(&["4quays", "hash-key"], &key_text).ok_text();
    assert_eq!(hash.len(), 65, "{hash}");
    let config = std::fs::read_to_string(&ex.config).unwrap();
    assert!(
        config.contains(&format!("sha256 = \"{}\"", hash.trim())),
        "{config}"
    );

    for stdin in ["", "\n", "  \t\r\n"] {
        let e = jose(&["4quays", "hash-key"], stdin).fails(2);
        assert!(e.contains("stdin"), "{e}");
    }
    let e = jose(&["4quays", "hash-key"], "k".repeat(4097)).fails(2);
    assert!(e.contains("at most 4096 bytes"), "{e}");
    // The key is no longer an argument (it would be in the shell history and in ps).
    let e = jose(&["4quays", "hash-key", "abc"], "abc").fails(2);
    assert!(e.contains("'abc'"), "{e}");
}

#[test]
fn protect_and_unprotect_in_process_on_both_providers() {
    for (producer, consumer) in [("aws-lc", "rustcrypto"), ("rustcrypto", "aws-lc")] {
        for payload in [
            json!({"key": "value"}),
            json!([1, 2, 3]),
            json!("sensitive-data"),
            json!(12345),
            json!({"user": {"id": 1}, "items": [{"id": 1}]}),
        ] {
            let body = json!({"payload": payload}).to_string();
            let run = jose(
                &[
                    "--provider",
                    producer,
                    "4quays",
                    "protect",
                    "--config",
                    config(),
                    "--api-key-file",
                    key_file(),
                    "--request-id",
                    "cli-1",
                ],
                &body,
            );
            let protected = run.answer();
            // One line of compact JSON, members in the documented order.
            let text = run.ok_text();
            assert!(text.ends_with("}\n") && text.lines().count() == 1);
            let documented = r#"{"requestId":"cli-1","messageType":"ProtectedPayload","operations":["encrypt"],"jwe":{"protected":"#;
            assert!(text.starts_with(documented), "{text}");
            assert_eq!(protected["requestId"], "cli-1");
            assert_eq!(protected["operations"], json!(["encrypt"]));
            let body = json!({"jwe": protected["jwe"]}).to_string();
            let run = jose(
                &[
                    "--provider",
                    consumer,
                    "4quays",
                    "unprotect",
                    "--config",
                    config(),
                    "--api-key-file",
                    key_file(),
                ],
                &body,
            );
            let opened = run.answer();
            run.ok_text();
            assert_eq!(opened["payload"], payload);
            uuid_like(opened["requestId"].as_str().unwrap());
        }
    }
}

fn uuid_like(id: &str) {
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(id.matches('-').count(), 4, "{id}");
}

/// Where protect and unprotect send the request.
#[derive(Clone, Copy, Debug)]
enum Target<'a> {
    /// `--config FILE`: the engine in-process.
    InProcess,
    /// `--url URL`.
    Url(&'a str),
}

/// `jose 4quays OP (--config C | --url U) --api-key-file KEY_FILE [--request-id ID]` with `body`.
fn call(target: Target<'_>, op: &str, key_file: &str, body: &str, request_id: Option<&str>) -> Run {
    let mut args = vec!["4quays", op];
    match target {
        Target::InProcess => args.extend(["--config", config()]),
        Target::Url(url) => args.extend(["--url", url]),
    }
    args.extend(["--api-key-file", key_file]);
    if let Some(id) = request_id {
        args.extend(["--request-id", id]);
    }
    jose(&args, body)
}

/// The non-2xx cases: (operation, key file, body, status, code).
fn non_2xx_cases() -> Vec<(&'static str, &'static str, &'static str, u16, &'static str)> {
    vec![
        (
            "protect",
            key_file(),
            r#"{"payload":1,"policyNumber":"INVALID-POLICY"}"#,
            404,
            "POLICY_NOT_FOUND",
        ),
        (
            "protect",
            key_file(),
            r#"{"payload":1,"policyNumber":"RBC-SUSPENDED"}"#,
            403,
            "POLICY_NOT_ACTIVE",
        ),
        ("protect", key_file(), "not json", 400, "INVALID_REQUEST"),
        (
            "protect",
            wrong_key_file(),
            r#"{"payload":1}"#,
            401,
            "AUTHENTICATION_FAILED",
        ),
        (
            "unprotect",
            key_file(),
            r#"{"protectedPayload":"%%%"}"#,
            400,
            "INVALID_PROTECTED_PAYLOAD",
        ),
        ("unprotect", key_file(), "{}", 400, "INVALID_REQUEST"),
    ]
}

/// Every non-2xx case on `target`: exit 1, the error body on stdout, one `error:` line naming the
/// status and code. Returns the runs, for comparing the two targets.
fn check_non_2xx(target: Target<'_>) -> Vec<(i32, String, String)> {
    let mut runs = Vec::new();
    for (op, key_file, body, status, code) in non_2xx_cases() {
        let run = call(target, op, key_file, body, Some("req_abc123"));
        assert_eq!(run.code, 1, "{target:?} {op} {body}: {}", run.stderr);
        let answer = run.answer();
        assert_eq!(answer["error"]["code"], code, "{target:?}");
        assert_eq!(answer["requestId"], "req_abc123");
        assert_eq!(
            run.stderr,
            format!("error: the service answered {status} {code}\n")
        );
        runs.push((run.code, String::from_utf8(run.stdout).unwrap(), run.stderr));
    }
    // Passthrough and drop are 200: exit 0.
    let run = call(
        target,
        "protect",
        key_file(),
        r#"{"payload":{"a":1},"policyNumber":"RBC-PAUSED-PASSTHROUGH"}"#,
        None,
    );
    assert_eq!(
        run.answer()["warning"],
        "Policy is not active — payload passed through unprotected"
    );
    run.ok_text();
    let run = call(
        target,
        "protect",
        key_file(),
        r#"{"payload":{"a":1},"policyNumber":"RBC-PAUSED-DROP"}"#,
        None,
    );
    assert_eq!(run.answer()["dropped"], true);
    run.ok_text();
    runs
}

#[test]
fn non_2xx_answers_print_the_body_and_exit_1() {
    check_non_2xx(Target::InProcess);
}

#[test]
fn the_api_key_never_comes_from_the_command_line() {
    let key = example().api_key.as_str();
    let e = jose(
        &["4quays", "protect", "--config", config(), "--api-key", key],
        r#"{"payload":1}"#,
    )
    .fails(2);
    assert!(e.contains("--api-key"), "{e}");
    assert!(!e.contains(key), "the refusal echoes the key: {e}");
}

#[test]
fn the_api_key_comes_from_the_file_or_the_environment() {
    let ex = example();
    let body = r#"{"payload":{"a":1}}"#;
    let protect = |extra: &[&str], env: Option<&str>| {
        let mut args = vec!["4quays", "protect", "--config", config()];
        args.extend(extra);
        jose_env(&args, body, env)
    };
    let status = |run: &Run| run.answer()["error"]["code"].as_str().map(str::to_owned);

    // The file (its trailing newline trimmed).
    let run = protect(&["--api-key-file", key_file()], None);
    assert_eq!(run.answer()["operations"], json!(["encrypt"]));
    run.ok_text();
    // The variable, with surrounding whitespace trimmed the same way.
    let run = protect(&[], Some(&format!("  {}\n", ex.api_key)));
    assert_eq!(run.answer()["operations"], json!(["encrypt"]));
    run.ok_text();
    // The flag wins over the variable, both ways round.
    let run = protect(&["--api-key-file", key_file()], Some("sk_test_wrong"));
    assert_eq!(run.answer()["operations"], json!(["encrypt"]));
    run.ok_text();
    let run = protect(&["--api-key-file", wrong_key_file()], Some(&ex.api_key));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(status(&run).as_deref(), Some("AUTHENTICATION_FAILED"));
    // A wrong key in the variable is used (and refused by the service).
    let run = protect(&[], Some("sk_test_wrong"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(status(&run).as_deref(), Some("AUTHENTICATION_FAILED"));

    // Neither, or an empty variable: one error naming both sources.
    for env in [None, Some(""), Some(" \n\t")] {
        let e = protect(&[], env).fails(2);
        assert!(
            e.contains("--api-key-file") && e.contains("FOURQUAYS_API_KEY"),
            "{env:?}: {e}"
        );
    }
    // An empty, blank, missing or oversized key file: exit 2 naming the file, even with the
    // variable set (the flag wins, it is not a fallback).
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in [
        ("empty.txt", String::new()),
        ("blank.txt", " \r\n\n".to_owned()),
        ("big.txt", "k".repeat(4097)),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        let e = protect(
            &["--api-key-file", path.to_str().unwrap()],
            Some(&ex.api_key),
        )
        .fails(2);
        assert!(e.contains(name), "{e}");
    }
    let missing = dir.path().join("missing-key.txt");
    let e = protect(&["--api-key-file", missing.to_str().unwrap()], None).fails(2);
    assert!(e.contains("missing-key.txt"), "{e}");
    // A key that cannot go in an HTTP header: exit 2, without echoing it.
    let path = dir.path().join("control.txt");
    std::fs::write(&path, "sk_test_\u{1}bad\n").unwrap();
    let e = protect(&["--api-key-file", path.to_str().unwrap()], None).fails(2);
    assert!(e.contains("API key"), "{e}");
    assert!(!e.contains("sk_test_"), "{e}");
}

#[test]
fn usage_and_configuration_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let e = jose(
        &[
            "4quays",
            "protect",
            "--config",
            missing.to_str().unwrap(),
            "--api-key-file",
            key_file(),
        ],
        "{}",
    )
    .fails(2);
    assert!(e.contains("missing.toml"), "{e}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[policies]]\nnumber = \"P\"\nservice = \"nowhere\"\n",
    )
    .unwrap();
    let e = jose(&["4quays", "serve", "--config", bad.to_str().unwrap()], "").fails(2);
    assert!(e.contains("policies[\"P\"]"), "{e}");
    let e = call(
        Target::InProcess,
        "protect",
        key_file(),
        "{}",
        Some("has space"),
    )
    .fails(2);
    assert!(e.contains("request id"), "{e}");
    // Exactly one of --config and --url.
    jose(&["4quays", "protect", "--api-key-file", key_file()], "{}").fails(2);
    let e = jose(
        &[
            "4quays",
            "protect",
            "--config",
            config(),
            "--url",
            "http://127.0.0.1:1",
            "--api-key-file",
            key_file(),
        ],
        "{}",
    )
    .fails(2);
    assert!(e.contains("--url") && e.contains("--config"), "{e}");
    // --ca-file only with --url.
    let e = jose(
        &[
            "4quays",
            "unprotect",
            "--config",
            config(),
            "--ca-file",
            config(),
            "--api-key-file",
            key_file(),
        ],
        "{}",
    )
    .fails(2);
    assert!(e.contains("--ca-file") && e.contains("--config"), "{e}");
    let e = jose(
        &[
            "4quays",
            "protect",
            "--ca-file",
            config(),
            "--api-key-file",
            key_file(),
        ],
        "{}",
    )
    .fails(2);
    assert!(e.contains("--url"), "{e}");
    jose(&["4quays"], "").fails(2);
    let e = jose(
        &[
            "4quays",
            "serve",
            "--config",
            config(),
            "--listen",
            "not-an-address",
        ],
        "",
    )
    .fails(2);
    assert!(e.contains("not-an-address"), "{e}");
}

#[test]
fn url_errors_before_any_answer_exit_2_with_empty_stdout() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1: a transport error.
    let e = call(
        Target::Url("http://127.0.0.1:1"),
        "protect",
        key_file(),
        r#"{"payload":1}"#,
        None,
    )
    .fails(2);
    assert!(e.contains("transport"), "{e}");
    assert!(e.contains("127.0.0.1:1"), "{e}");
    // A CA file without certificates (the config is a file, but not PEM), a missing one: exit 2
    // naming the file, before anything is sent.
    let no_certs = dir.path().join("no-certs.pem");
    std::fs::write(
        &no_certs,
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let missing = dir.path().join("missing-ca.pem");
    for (path, expect) in [
        (&no_certs, "no CERTIFICATE block"),
        (&missing, "cannot read CA file"),
    ] {
        let e = jose(
            &[
                "4quays",
                "protect",
                "--url",
                "https://127.0.0.1:1",
                "--ca-file",
                path.to_str().unwrap(),
                "--api-key-file",
                key_file(),
            ],
            r#"{"payload":1}"#,
        )
        .fails(2);
        assert!(e.contains(path.to_str().unwrap()), "{e}");
        assert!(e.contains(expect), "{e}");
    }
    // Not an http(s) URL.
    let e = call(
        Target::Url("ftp://127.0.0.1"),
        "protect",
        key_file(),
        "{}",
        None,
    )
    .fails(2);
    assert!(e.contains("base URL"), "{e}");
}

#[test]
fn serve_answers_over_http_and_stops_on_sigterm() {
    let ex = example();
    let mut serve = Serve::start(Some("rustcrypto"), Path::new(config()), false);
    let addr = serve.addr.clone();

    let auth = format!("Bearer {}", ex.api_key);
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
        ("X-Request-Id", "serve-1"),
    ];
    let (status, body) = http(
        &addr,
        "POST",
        "/api/v1/protect",
        &headers,
        r#"{"payload":{"secretMarker":"s3cret","amount":5000}}"#,
    );
    assert_eq!(status, 200, "{body}");
    let protected: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(protected["requestId"], "serve-1");
    let unprotect = json!({"jwe": protected["jwe"]}).to_string();
    let (status, body) = http(&addr, "POST", "/api/v1/unprotect", &headers, &unprotect);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["payload"]["amount"],
        5000
    );
    let (status, body) = http(
        &addr,
        "POST",
        "/api/v1/protect",
        &[("Content-Type", "application/json")],
        "{}",
    );
    assert_eq!(status, 401, "{body}");
    let (status, body) = http(&addr, "GET", "/healthz", &[], "");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));

    // SIGTERM: a graceful stop with exit status 0.
    let child = &mut serve.child;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "serve did not stop within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let mut rest = String::new();
    serve
        .stderr
        .as_mut()
        .unwrap()
        .read_to_string(&mut rest)
        .unwrap();
    let mut stdout = String::new();
    serve
        .child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert!(stdout.is_empty(), "{stdout}");

    // One audit line per API request (not /healthz), none with the payload or the API key.
    let audit: Vec<Value> = rest
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not an audit line: {l}")))
        .collect();
    assert_eq!(audit.len(), 3, "{rest}");
    assert_eq!(audit[0]["requestId"], "serve-1");
    assert_eq!(audit[0]["operation"], "protect");
    assert_eq!(audit[0]["outcome"], "encrypted");
    assert_eq!(audit[0]["keyId"], "example-partner");
    assert_eq!(audit[1]["outcome"], "decrypted");
    assert_eq!(audit[2]["outcome"], "AUTHENTICATION_FAILED");
    assert!(
        !rest.contains("s3cret") && !rest.contains(&ex.api_key),
        "{rest}"
    );
    assert!(Path::new(config()).exists());
}

#[test]
fn url_calls_a_real_service_and_answers_as_in_process() {
    let serve = Serve::start(Some("aws-lc"), Path::new(config()), false);
    let url = serve.url();
    let remote = Target::Url(&url);
    let payload = json!({"transferId": "txn-12345", "amount": 5000, "currency": "CAD"});
    let body = json!({"payload": payload}).to_string();

    // Protect over HTTP and in-process, then unprotect each JWE the other way round.
    let mut jwes = Vec::new();
    for target in [remote, Target::InProcess] {
        let run = call(target, "protect", key_file(), &body, Some("url-1"));
        let protected = run.answer();
        // One line of compact JSON, members in the documented order.
        let text = run.ok_text();
        assert!(text.ends_with("}\n") && text.lines().count() == 1);
        let documented = r#"{"requestId":"url-1","messageType":"ProtectedPayload","operations":["encrypt"],"jwe":{"protected":"#;
        assert!(text.starts_with(documented), "{text}");
        assert_eq!(protected["requestId"], "url-1");
        assert_eq!(protected["messageType"], "ProtectedPayload");
        assert_eq!(protected["operations"], json!(["encrypt"]));
        jwes.push(protected["jwe"].clone());
    }
    for (target, jwe) in [(Target::InProcess, &jwes[0]), (remote, &jwes[1])] {
        let body = json!({"jwe": jwe}).to_string();
        let run = call(target, "unprotect", key_file(), &body, Some("url-2"));
        let opened = run.answer();
        run.ok_text();
        assert_eq!(opened["payload"], payload, "{target:?}");
        assert_eq!(opened["operations"], json!(["decrypt"]));
        assert_eq!(opened["requestId"], "url-2");
    }
    // The key from the environment works over HTTP too.
    let run = jose_env(
        &["4quays", "protect", "--url", &url],
        &body,
        Some(&example().api_key),
    );
    assert_eq!(run.answer()["operations"], json!(["encrypt"]));
    run.ok_text();

    // Every error answer is the same, byte for byte, over HTTP as in-process (a wrong key file
    // included: 401, exit 1, the JSON error body on stdout).
    assert_eq!(check_non_2xx(remote), check_non_2xx(Target::InProcess));
    let run = call(remote, "unprotect", wrong_key_file(), "{}", None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.answer()["error"]["code"], "AUTHENTICATION_FAILED");
    assert_eq!(
        run.stderr,
        "error: the service answered 401 AUTHENTICATION_FAILED\n"
    );
    drop(serve);
}
