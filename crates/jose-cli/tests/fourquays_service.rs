//! `jose 4quays serve` as an operator runs it, over real HTTP on 127.0.0.1: 500 slow clients
//! beside a legitimate one (with the server's resident memory), a log nobody reads, live reload
//! on SIGHUP, and the refusal of plain HTTP off loopback. Every loop is bounded in count and time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

mod common;

use common::JOSE;
use common::serve::{Serve, http};

/// `jose 4quays init` into a new directory, with `server_settings` added to `[server]`.
struct Setup {
    _tmp: TempDir,
    dir: PathBuf,
    config: PathBuf,
    api_key: String,
}

fn setup(server_settings: &str) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cfg");
    let out = Command::new(JOSE)
        .args(["4quays", "init", "--dir", dir.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = dir.join("4quays.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replacen("[server]\n", &format!("[server]\n{server_settings}\n"), 1);
    std::fs::write(&config, text).unwrap();
    let key_file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_str().unwrap().ends_with("api-key.txt"))
        .unwrap();
    let api_key = std::fs::read_to_string(key_file).unwrap().trim().to_owned();
    Setup {
        _tmp: tmp,
        dir,
        config,
        api_key,
    }
}

fn call(addr: &str, path: &str, api_key: &str, body: &Value) -> (u16, Value) {
    let auth = format!("Bearer {api_key}");
    let (status, text) = http(
        addr,
        "POST",
        path,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &body.to_string(),
    );
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// One sample of `/metrics` (a counter or gauge without labels).
fn metric(addr: &str, name: &str) -> f64 {
    let (status, text) = http(addr, "GET", "/metrics", &[], "");
    assert_eq!(status, 200);
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

/// The server's resident memory now and at its peak, in KiB (/proc/PID/status).
fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[test]
fn five_hundred_slow_clients_do_not_starve_a_legitimate_one() {
    // The default limits: a 10 s header read timeout, 1024 connections.
    let setup = setup("");
    let server = Serve::start(None, &setup.config, true);
    let (rss_idle, _) = rss_kib(server.child.id());
    let head =
        b"POST /api/v1/protect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    let mut slow: Vec<TcpStream> = (0..500)
        .map(|_| {
            let stream = TcpStream::connect(&server.addr).unwrap();
            stream
                .set_write_timeout(Some(Duration::from_secs(1)))
                .unwrap();
            stream
        })
        .collect();
    // One byte a second on every slow connection, in a thread, for 13 rounds.
    let writer = {
        let mut streams: Vec<TcpStream> = slow.iter().map(|s| s.try_clone().unwrap()).collect();
        std::thread::spawn(move || {
            let mut open = streams.len();
            for byte in head.iter().take(13) {
                open = 0;
                for stream in &mut streams {
                    if stream.write_all(&[*byte]).is_ok() {
                        open += 1;
                    }
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            open
        })
    };
    // Meanwhile a legitimate client protects and unprotects, each answer within 5 s.
    let started = Instant::now();
    let mut answered = 0;
    let mut worst = Duration::ZERO;
    let mut peak_rss = 0;
    while started.elapsed() < Duration::from_secs(3) {
        let sent = Instant::now();
        let (status, body) = call(
            &server.addr,
            "/api/v1/protect",
            &setup.api_key,
            &json!({"payload": {"n": answered}}),
        );
        assert_eq!(status, 200, "{body}");
        let (status, opened) = call(
            &server.addr,
            "/api/v1/unprotect",
            &setup.api_key,
            &json!({"jwe": body["jwe"]}),
        );
        assert_eq!(status, 200, "{opened}");
        assert_eq!(opened["payload"]["n"], answered);
        worst = worst.max(sent.elapsed());
        answered += 1;
        peak_rss = peak_rss.max(rss_kib(server.child.id()).0);
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(worst < Duration::from_secs(5), "{worst:?}");
    assert!(answered >= 10, "{answered}");
    let open = metric(&server.addr, "fourquays_connections_open");
    assert!(
        open >= 500.0,
        "{open} connections open after {:?}, {} timed out, {} rejected",
        started.elapsed(),
        metric(&server.addr, "fourquays_connections_timed_out_total"),
        metric(&server.addr, "fourquays_connections_rejected_total")
    );
    // Memory stays bounded: 500 idle connections cost the server a few MiB.
    let (rss_now, hwm) = rss_kib(server.child.id());
    eprintln!(
        "slow clients: {answered} legitimate round trips, worst {worst:?}; server RSS idle {rss_idle} KiB, with 500 slow connections {peak_rss} KiB (now {rss_now}, peak {hwm})"
    );
    assert!(hwm < 256 * 1024, "peak RSS {hwm} KiB");
    // The header read timeout (10 s from each connection's accept) cuts every slow one off.
    let open_at_end = writer.join().unwrap();
    assert!(open_at_end < 500, "writes still succeed on {open_at_end}");
    let mut closed = 0;
    for stream in &mut slow {
        stream
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        let mut buf = [0u8; 64];
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => closed += 1,
            Ok(_) => {}
        }
    }
    assert_eq!(closed, 500);
    assert!(metric(&server.addr, "fourquays_connections_timed_out_total") >= 500.0);
}

#[test]
fn a_log_nobody_reads_does_not_stall_requests() {
    // A short log queue, so that the stalled log overflows it within the 2,000 requests.
    let setup = setup("log_queue_lines = 256");
    // stderr is a pipe that nobody reads after the listening line: a blocking logger would freeze
    // after about 64 KiB of log (some 250 audit lines).
    let server = Serve::start(None, &setup.config, false);
    let started = Instant::now();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let addr = server.addr.clone();
            let key = setup.api_key.clone();
            std::thread::spawn(move || {
                for i in 0..500 {
                    let (status, body) =
                        call(&addr, "/api/v1/protect", &key, &json!({"payload": [t, i]}));
                    assert_eq!(status, 200, "{body}");
                    assert!(started.elapsed() < Duration::from_secs(120));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    eprintln!(
        "2,000 requests with the log stalled in {:?}",
        started.elapsed()
    );
    let dropped = metric(&server.addr, "fourquays_log_lines_dropped_total");
    assert!(dropped > 0.0, "the stalled log dropped lines ({dropped})");
}

fn sha256_hex(secret: &str) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(secret.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

fn hup(server: &Serve) {
    let status = Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits (at most 10 s) until `/metrics` counts `reloads` reloads and `failures` failures.
fn wait_reloads(server: &Serve, reloads: f64, failures: f64) {
    let started = Instant::now();
    loop {
        let now = (
            metric(&server.addr, "fourquays_reloads_total"),
            metric(&server.addr, "fourquays_reload_failures_total"),
        );
        if now == (reloads, failures) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "expected {reloads} reloads and {failures} failures, found {now:?}; log: {}",
            server.log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits (up to 10 s) until the server's log contains `needle`.
fn wait_log(server: &Serve, needle: &str) {
    let started = Instant::now();
    loop {
        let log = server.log.lock().unwrap().clone();
        if log.contains(needle) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "expected {needle:?} in the log: {log}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sighup_reloads_keys_policies_and_rotations() {
    let setup = setup("");
    let server = Serve::start(None, &setup.config, true);
    let old_key = setup.api_key.clone();
    let new_key = "sk_test_reloaded_partner_0000000001";
    let (status, before) = call(
        &server.addr,
        "/api/v1/protect",
        &old_key,
        &json!({"payload": {"made": "before rotation"}}),
    );
    assert_eq!(status, 200, "{before}");

    // Revoke the old API key, add a new one, rotate rbc to a new key (the old one stays, not
    // active).
    let rotated = setup
        .dir
        .join("4quays-generated-test-only-rbc-2026-02-private.pem");
    let out = Command::new(JOSE)
        .args([
            "keygen",
            "rsa",
            "--bits",
            "2048",
            "--out",
            rotated.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let original = std::fs::read_to_string(&setup.config).unwrap();
    let old_hash = sha256_hex(&old_key);
    assert!(original.contains(&old_hash));
    let rotated_config = original
        .replace(&old_hash, &sha256_hex(new_key))
        .replace("id = \"example-partner\"", "id = \"reloaded-partner\"")
        .replace(
            "kid = \"rbc-2026-01\"\nprivate_key = \"4quays-generated-test-only-rbc-2026-01-private.pem\"\nactive = true",
            "kid = \"rbc-2026-01\"\nprivate_key = \"4quays-generated-test-only-rbc-2026-01-private.pem\"\n\n[[services.keys]]\nkid = \"rbc-2026-02\"\nprivate_key = \"4quays-generated-test-only-rbc-2026-02-private.pem\"\nactive = true",
        );
    assert!(rotated_config.contains("rbc-2026-02"), "{rotated_config}");
    std::fs::write(&setup.config, &rotated_config).unwrap();
    hup(&server);
    wait_reloads(&server, 1.0, 0.0);

    let (status, body) = call(
        &server.addr,
        "/api/v1/protect",
        &old_key,
        &json!({"payload": 1}),
    );
    assert_eq!(status, 401, "the revoked key: {body}");
    let (status, after) = call(
        &server.addr,
        "/api/v1/protect",
        new_key,
        &json!({"payload": {"made": "after rotation"}}),
    );
    assert_eq!(status, 200, "the new key: {after}");
    let header =
        jose::b64::decode("protected", after["jwe"]["protected"].as_str().unwrap()).unwrap();
    let header: Value = serde_json::from_slice(&header).unwrap();
    assert_eq!(header["kid"], "rbc-2026-02");
    let (status, opened) = call(
        &server.addr,
        "/api/v1/unprotect",
        new_key,
        &json!({"jwe": before["jwe"]}),
    );
    assert_eq!(status, 200, "made before the rotation: {opened}");
    assert_eq!(opened["payload"]["made"], "before rotation");

    // Retire the old key: its envelopes no longer open; the new key's still do.
    let retired_config = rotated_config.replace(
        "private_key = \"4quays-generated-test-only-rbc-2026-01-private.pem\"\n",
        "private_key = \"4quays-generated-test-only-rbc-2026-01-private.pem\"\nretired = true\n",
    );
    std::fs::write(&setup.config, &retired_config).unwrap();
    hup(&server);
    wait_reloads(&server, 2.0, 0.0);
    let (status, refused) = call(
        &server.addr,
        "/api/v1/unprotect",
        new_key,
        &json!({"jwe": before["jwe"]}),
    );
    assert_eq!(status, 500, "{refused}");
    assert_eq!(refused["error"]["code"], "INTERNAL_ERROR");
    let (status, _) = call(
        &server.addr,
        "/api/v1/unprotect",
        new_key,
        &json!({"jwe": after["jwe"]}),
    );
    assert_eq!(status, 200);

    // A broken file is refused, logged with where it is wrong, and the last good one serves on.
    std::fs::write(
        &setup.config,
        format!("{retired_config}\n[[policies]]\nnumber = \n"),
    )
    .unwrap();
    hup(&server);
    wait_reloads(&server, 2.0, 1.0);
    let (status, _) = call(
        &server.addr,
        "/api/v1/protect",
        new_key,
        &json!({"payload": 2}),
    );
    assert_eq!(status, 200, "the old configuration still serves");
    let started = Instant::now();
    let line = loop {
        let log = server.log.lock().unwrap().clone();
        if let Some(line) = log.lines().find(|l| l.contains("\"outcome\":\"refused\"")) {
            break line.to_owned();
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{log}");
        std::thread::sleep(Duration::from_millis(20));
    };
    let event: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(event["level"], "ERROR");
    let error = event["error"].as_str().unwrap();
    assert!(error.contains("line"), "{error}");
    assert!(event["timestamp"].as_str().unwrap().ends_with('Z'));

    // A config naming an unknown policy is refused too, naming the entry.
    std::fs::write(
        &setup.config,
        retired_config.replace(
            "default_policy = \"RBC-TRANSFER-001\"",
            "default_policy = \"NOPE\"",
        ),
    )
    .unwrap();
    hup(&server);
    wait_reloads(&server, 2.0, 2.0);
    // The metric counts the failure when it happens; the log line goes through a non-blocking
    // writer and may follow a moment later.
    wait_log(&server, "api_keys[\\\"reloaded-partner\\\"]");
    let (status, _) = call(
        &server.addr,
        "/api/v1/protect",
        new_key,
        &json!({"payload": 3}),
    );
    assert_eq!(status, 200);
}

#[test]
fn https_with_the_generated_test_certificate() {
    let setup = setup("");
    let text = std::fs::read_to_string(&setup.config).unwrap();
    let text = text
        .replace("# tls_cert = ", "tls_cert = ")
        .replace("# tls_key = ", "tls_key = ");
    std::fs::write(&setup.config, text).unwrap();
    let server = Serve::start(None, &setup.config, true);
    let ca = setup.dir.join("4quays-generated-test-only-tls-ca.pem");
    let key_file = setup.dir.join("4quays-generated-test-only-api-key.txt");
    let url = format!("https://{}", server.addr);
    let run = |op: &str, body: &str, ca: &Path| {
        let mut child = Command::new(JOSE)
            .args([
                "4quays",
                op,
                "--url",
                &url,
                "--ca-file",
                ca.to_str().unwrap(),
                "--api-key-file",
                key_file.to_str().unwrap(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(body.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run("protect", r#"{"payload":{"over":"https"}}"#, &ca);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let protected: Value = serde_json::from_slice(&out.stdout).unwrap();
    let out = run(
        "unprotect",
        &json!({"jwe": protected["jwe"]}).to_string(),
        &ca,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let opened: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(opened["payload"], json!({"over": "https"}));
    // Trusting another CA (the server's own certificate is no CA): a TLS failure, exit 2.
    let other = setup.dir.join("4quays-generated-test-only-tls-cert.pem");
    let out = run("protect", r#"{"payload":1}"#, &other);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    // Plain HTTP to the TLS port gets no answer it can read.
    let plain = TcpStream::connect(&server.addr).and_then(|mut s| {
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")?;
        let mut text = String::new();
        let _ = s.read_to_string(&mut text);
        Ok(text)
    });
    assert!(!plain.unwrap_or_default().starts_with("HTTP/1.1 200"));
}

#[test]
fn plain_http_off_loopback_needs_insecure_http() {
    let setup = setup("");
    let started = Instant::now();
    let out = Command::new(JOSE)
        .args([
            "4quays",
            "serve",
            "--config",
            setup.config.to_str().unwrap(),
            "--listen",
            "0.0.0.0:0",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("insecure_http"), "{stderr}");
}
