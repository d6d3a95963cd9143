//! What every CLI test binary shares: the binary under test, one way to run it ([`jose`],
//! [`jose_env`]) and check its outcome ([`Run::ok`], [`Run::fails`]), temp-file and token helpers,
//! the RSA fixtures generated once per test binary, and the `4quays serve` support ([`serve`]).
//!
//! Each test file has `mod common;`; not every file uses every item.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod serve;

use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use tempfile::TempDir;

/// The binary under test.
pub const JOSE: &str = env!("CARGO_BIN_EXE_jose");

/// The environment variable `jose 4quays protect|unprotect` reads the API key from. Every child
/// runs without the test process's value; [`jose_env`] sets it on the child only.
pub const API_KEY_ENV: &str = "FOURQUAYS_API_KEY";

/// The outcome of one run of the binary.
pub struct Run {
    /// The exit status.
    pub code: i32,
    /// Everything written on stdout.
    pub stdout: Vec<u8>,
    /// Everything written on stderr (UTF-8).
    pub stderr: String,
    /// `jose ARGS...`, for assertion messages.
    pub what: String,
}

impl Run {
    /// Asserts success (exit 0, empty stderr) and returns stdout.
    pub fn ok(self) -> Vec<u8> {
        assert_eq!(
            self.code, 0,
            "{}: expected success, stderr: {}",
            self.what, self.stderr
        );
        assert!(
            self.stderr.is_empty(),
            "{}: unexpected stderr: {}",
            self.what,
            self.stderr
        );
        self.stdout
    }

    /// Asserts success and returns stdout as text (asserting it is UTF-8).
    pub fn ok_text(self) -> String {
        let what = self.what.clone();
        String::from_utf8(self.ok()).unwrap_or_else(|e| panic!("{what}: stdout not UTF-8: {e}"))
    }

    /// Asserts failure with `code`, empty stdout, and exactly one `error: ...` line on stderr
    /// (ending with a newline, with a message after `error: `); returns that line without its
    /// newline.
    pub fn fails(self, code: i32) -> String {
        assert_eq!(
            self.code, code,
            "{}: expected exit status {code}, stderr: {}",
            self.what, self.stderr
        );
        assert!(
            self.stdout.is_empty(),
            "{}: expected empty stdout on failure, found {:?}",
            self.what,
            String::from_utf8_lossy(&self.stdout)
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "{}: expected one stderr line, found {:?}",
            self.what,
            self.stderr
        );
        assert!(
            self.stderr.ends_with('\n'),
            "{}: stderr must end with a newline",
            self.what
        );
        assert!(
            lines[0].starts_with("error: "),
            "{}: {:?}",
            self.what,
            lines[0]
        );
        assert!(
            lines[0].len() > "error: ".len() + 10,
            "{}: message too short: {:?}",
            self.what,
            lines[0]
        );
        lines[0].to_owned()
    }
}

/// Runs `jose args...` with `stdin`, without `FOURQUAYS_API_KEY` in its environment.
pub fn jose(args: &[&str], stdin: impl AsRef<[u8]>) -> Run {
    jose_env(args, stdin, None)
}

/// Runs `jose args...` with `stdin` and `FOURQUAYS_API_KEY` set to `api_key` on the child (removed
/// when `None`). stdin is written from a thread, so a child that exits before reading it (a usage
/// error) cannot deadlock the test; a broken pipe is then expected, any other write error fails.
pub fn jose_env(args: &[&str], stdin: impl AsRef<[u8]>, api_key: Option<&str>) -> Run {
    let mut command = Command::new(JOSE);
    command.env_remove(API_KEY_ENV);
    if let Some(key) = api_key {
        command.env(API_KEY_ENV, key);
    }
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn jose");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.as_ref().to_vec();
    let writer = std::thread::spawn(move || {
        if let Err(e) = input.write_all(&data) {
            assert_eq!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe,
                "writing stdin: {e}"
            );
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().expect("the stdin writer failed");
    let what = format!("jose {}", args.join(" "));
    Run {
        code: out
            .status
            .code()
            .unwrap_or_else(|| panic!("{what}: no exit status (a signal)")),
        stdout: out.stdout,
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
        what,
    }
}

/// A path as `&str`, for arguments.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A file's text.
pub fn text(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// A token from stdout: the text without its final newline (exactly one).
pub fn token(stdout: impl Into<Vec<u8>>) -> String {
    let text = String::from_utf8(stdout.into()).unwrap();
    assert!(
        text.ends_with('\n') && !text.ends_with("\n\n"),
        "expected one final newline: {text:?}"
    );
    text.trim_end_matches('\n').to_owned()
}

pub fn b64url_decode(text: &str) -> Vec<u8> {
    jose::b64::decode("test", text).unwrap()
}

/// The protected header of a compact or JSON token (the first signature's for a general JWS).
pub fn protected_header(token: &str) -> Value {
    let part = if token.starts_with('{') {
        let v: Value = serde_json::from_str(token).unwrap();
        let p = v
            .get("protected")
            .unwrap_or(&v["signatures"][0]["protected"]);
        p.as_str().unwrap().to_owned()
    } else {
        token.split('.').next().unwrap().to_owned()
    };
    serde_json::from_slice(&b64url_decode(&part)).unwrap()
}

/// Standard base64 (PEM body) to bytes, through the library's base64url decoder.
pub fn pem_to_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>()
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
    b64url_decode(&body)
}

pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Replaces the first character of dot-separated segment `index` with another base64url digit.
pub fn tamper(token: &str, index: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let seg = &mut parts[index];
    let first = if seg.starts_with('A') { "B" } else { "A" };
    seg.replace_range(0..1, first);
    parts.join(".")
}

/// A binary plaintext that is not UTF-8 and contains every byte value.
pub fn binary() -> Vec<u8> {
    let mut v: Vec<u8> = (0..=255u8).rev().collect();
    v.extend_from_slice(b"\xff\xfe\x00\r\n\x80");
    assert!(std::str::from_utf8(&v).is_err());
    v
}

pub const PROVIDERS: [&str; 2] = ["aws-lc", "rustcrypto"];
pub const FORMATS: [&str; 3] = ["compact", "flattened", "general"];

/// RSA keys generated once per test binary.
pub struct Fixtures {
    _dir: TempDir,
    /// aws-lc RSA 2048, PEM (PKCS#8), no kid.
    pub rsa_pem: PathBuf,
    /// Its public key, PEM (SPKI).
    pub rsa_pub_pem: PathBuf,
    /// The same key as a private JWK with kid "rsa-1".
    pub rsa_jwk: PathBuf,
    /// Its public JWK (kid "rsa-1").
    pub rsa_pub_jwk: PathBuf,
    /// rustcrypto RSA 2048, private JWK with kid "rsa-2".
    pub rsa2_jwk: PathBuf,
    /// Its public JWK.
    pub rsa2_pub_jwk: PathBuf,
}

pub fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let d = dir.path();
        let rsa_pem = d.join("rsa.pem");
        let rsa_pub_pem = d.join("rsa.pub.pem");
        jose(
            &[
                "keygen",
                "rsa",
                "--out",
                s(&rsa_pem),
                "--public-out",
                s(&rsa_pub_pem),
            ],
            b"",
        )
        .ok();
        let jwk = jose(&["jwk", "import", "--kid", "rsa-1", s(&rsa_pem)], b"").ok();
        let rsa_jwk = write(d, "rsa.jwk", jwk);
        let jwk = jose(
            &["jwk", "import", "--public", "--kid", "rsa-1", s(&rsa_pem)],
            b"",
        )
        .ok();
        let rsa_pub_jwk = write(d, "rsa.pub.jwk", jwk);
        let rsa2_jwk = d.join("rsa2.jwk");
        let rsa2_pub_jwk = d.join("rsa2.pub.jwk");
        jose(
            &[
                "--provider",
                "rustcrypto",
                "keygen",
                "rsa",
                "--bits",
                "2048",
                "--kid",
                "rsa-2",
                "--format",
                "jwk",
                "--out",
                s(&rsa2_jwk),
                "--public-out",
                s(&rsa2_pub_jwk),
            ],
            b"",
        )
        .ok();
        Fixtures {
            _dir: dir,
            rsa_pem,
            rsa_pub_pem,
            rsa_jwk,
            rsa_pub_jwk,
            rsa2_jwk,
            rsa2_pub_jwk,
        }
    })
}

/// Generates an EC key pair as JWK files `<name>.jwk` and `<name>.pub.jwk` in `dir`.
pub fn ec_jwk(dir: &Path, curve: &str, kid: Option<&str>, name: &str) -> (PathBuf, PathBuf) {
    let private = dir.join(format!("{name}.jwk"));
    let public = dir.join(format!("{name}.pub.jwk"));
    let mut args = vec!["keygen", "ec", "--curve", curve, "--format", "jwk"];
    if let Some(kid) = kid {
        args.extend(["--kid", kid]);
    }
    args.extend(["--out", s(&private), "--public-out", s(&public)]);
    jose(&args, b"").ok();
    (private, public)
}

/// Generates an Ed25519 key pair as JWK files `<name>.jwk` and `<name>.pub.jwk` in `dir`.
pub fn ed25519_jwk(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let private = dir.join(format!("{name}.jwk"));
    let public = dir.join(format!("{name}.pub.jwk"));
    let args = [
        "keygen", "okp", "--curve", "Ed25519", "--format", "jwk", "--out",
    ];
    let mut args = args.to_vec();
    args.extend([s(&private), "--public-out", s(&public)]);
    jose(&args, b"").ok();
    (private, public)
}

/// Whole seconds since the Unix epoch, now.
pub fn now_seconds() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_secs()).unwrap()
}

/// Generates an EC key pair as PEM files.
pub fn ec_pem(dir: &Path, curve: &str, name: &str) -> (PathBuf, PathBuf) {
    let private = dir.join(format!("{name}.pem"));
    let public = dir.join(format!("{name}.pub.pem"));
    jose(
        &[
            "keygen",
            "ec",
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
    (private, public)
}

/// A JWKS file made of the JWK files given.
pub fn jwks(dir: &Path, name: &str, keys: &[&Path]) -> PathBuf {
    let keys: Vec<Value> = keys.iter().map(|p| read_json(p)).collect();
    write(dir, name, json!({ "keys": keys }).to_string())
}
