//! Integration tests of the `jose` binary: every subcommand and flag of the contract, both
//! providers, exit statuses 0/1/2 with one `error: ...` line on stderr and nothing on stdout on
//! failure.
//!
//! RSA keys are slow to generate, so two are generated once per test binary (one per provider) in
//! a shared directory ([`fixtures`]); tests that do not need RSA use EC keys.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use tempfile::TempDir;

const JOSE: &str = env!("CARGO_BIN_EXE_jose");

/// The outcome of one run of the binary.
struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
    what: String,
}

impl Run {
    /// Asserts success (exit 0, empty stderr) and returns stdout.
    fn ok(self) -> Vec<u8> {
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

    /// Asserts success and returns stdout as text.
    fn ok_text(self) -> String {
        String::from_utf8(self.ok()).unwrap()
    }

    /// Asserts failure with `code`, empty stdout, and exactly one `error: ...` line on stderr;
    /// returns that line.
    fn fails(self, code: i32) -> String {
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

/// Runs `jose args...` with `stdin`.
fn jose(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(JOSE)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn jose");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    // A writer thread: the binary may exit before reading stdin (usage errors).
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: out.status.code().expect("exit status"),
        stdout: out.stdout,
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
        what: format!("jose {}", args.join(" ")),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A token from stdout: the text without its final newline (exactly one).
fn token(stdout: Vec<u8>) -> String {
    let text = String::from_utf8(stdout).unwrap();
    assert!(
        text.ends_with('\n') && !text.ends_with("\n\n"),
        "expected one final newline: {text:?}"
    );
    text.trim_end_matches('\n').to_owned()
}

fn b64url_decode(text: &str) -> Vec<u8> {
    jose::b64::decode("test", text).unwrap()
}

/// The protected header of a compact or JSON token (the first signature's for a general JWS).
fn protected_header(token: &str) -> Value {
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
fn pem_to_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>()
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
    b64url_decode(&body)
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Replaces the first character of dot-separated segment `index` with another base64url digit.
fn tamper(token: &str, index: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let seg = &mut parts[index];
    let first = if seg.starts_with('A') { "B" } else { "A" };
    seg.replace_range(0..1, first);
    parts.join(".")
}

/// A binary plaintext that is not UTF-8 and contains every byte value.
fn binary() -> Vec<u8> {
    let mut v: Vec<u8> = (0..=255u8).rev().collect();
    v.extend_from_slice(b"\xff\xfe\x00\r\n\x80");
    assert!(std::str::from_utf8(&v).is_err());
    v
}

const PROVIDERS: [&str; 2] = ["aws-lc", "rustcrypto"];
const FORMATS: [&str; 3] = ["compact", "flattened", "general"];

/// RSA keys generated once per test binary.
struct Fixtures {
    _dir: TempDir,
    /// aws-lc RSA 2048, PEM (PKCS#8), no kid.
    rsa_pem: PathBuf,
    /// Its public key, PEM (SPKI).
    rsa_pub_pem: PathBuf,
    /// The same key as a private JWK with kid "rsa-1".
    rsa_jwk: PathBuf,
    /// Its public JWK (kid "rsa-1").
    rsa_pub_jwk: PathBuf,
    /// rustcrypto RSA 2048, private JWK with kid "rsa-2".
    rsa2_jwk: PathBuf,
    /// Its public JWK.
    rsa2_pub_jwk: PathBuf,
}

fn fixtures() -> &'static Fixtures {
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
fn ec_jwk(dir: &Path, curve: &str, kid: Option<&str>, name: &str) -> (PathBuf, PathBuf) {
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

/// Generates an EC key pair as PEM files.
fn ec_pem(dir: &Path, curve: &str, name: &str) -> (PathBuf, PathBuf) {
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
fn jwks(dir: &Path, name: &str, keys: &[&Path]) -> PathBuf {
    let keys: Vec<Value> = keys.iter().map(|p| read_json(p)).collect();
    write(dir, name, json!({ "keys": keys }).to_string())
}

// ---------------------------------------------------------------------------------------------
// keygen

#[test]
fn keygen_rsa_pem_is_pkcs8_and_spki() {
    let f = fixtures();
    let private = std::fs::read_to_string(&f.rsa_pem).unwrap();
    let public = std::fs::read_to_string(&f.rsa_pub_pem).unwrap();
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "{}",
        &private[..40]
    );
    assert!(private.trim_end().ends_with("-----END PRIVATE KEY-----"));
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert!(public.trim_end().ends_with("-----END PUBLIC KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&f.rsa_pem).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the private key file must not be group/world readable: {mode:o}"
        );
    }
    // 2048 bits by default.
    let jwk = read_json(&f.rsa_jwk);
    assert_eq!(b64url_decode(jwk["n"].as_str().unwrap()).len(), 256);
    assert_eq!(jwk["e"], "AQAB");
}

#[test]
fn keygen_rsa_jwk_on_rustcrypto_has_kid_and_private_members() {
    let f = fixtures();
    let private = read_json(&f.rsa2_jwk);
    let public = read_json(&f.rsa2_pub_jwk);
    assert_eq!(private["kty"], "RSA");
    assert_eq!(private["kid"], "rsa-2");
    for member in ["n", "e", "d", "p", "q", "dp", "dq", "qi"] {
        assert!(private[member].is_string(), "private JWK lacks {member}");
    }
    assert_eq!(public["kid"], "rsa-2");
    assert_eq!(public["n"], private["n"]);
    assert!(public.get("d").is_none() && public.get("p").is_none());
}

#[test]
fn keygen_rsa_3072() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("k.jwk");
    jose(
        &[
            "keygen",
            "rsa",
            "--bits",
            "3072",
            "--format",
            "jwk",
            "--out",
            s(&out),
        ],
        b"",
    )
    .ok();
    let jwk = read_json(&out);
    assert_eq!(b64url_decode(jwk["n"].as_str().unwrap()).len(), 384);
    assert!(jwk.get("kid").is_none(), "no kid unless --kid");
}

#[test]
fn keygen_ec_every_curve_on_both_providers() {
    let dir = TempDir::new().unwrap();
    for provider in PROVIDERS {
        for (curve, len) in [("P-256", 32), ("P-384", 48), ("P-521", 66)] {
            let name = format!("{provider}-{curve}");
            let private = dir.path().join(format!("{name}.jwk"));
            let public = dir.path().join(format!("{name}.pub.jwk"));
            let stdout = jose(
                &[
                    "--provider",
                    provider,
                    "keygen",
                    "ec",
                    "--curve",
                    curve,
                    "--kid",
                    &name,
                    "--format",
                    "jwk",
                    "--out",
                    s(&private),
                    "--public-out",
                    s(&public),
                ],
                b"",
            )
            .ok();
            assert!(stdout.is_empty());
            let jwk = read_json(&private);
            assert_eq!(jwk["kty"], "EC");
            assert_eq!(jwk["crv"], curve);
            assert_eq!(jwk["kid"], name.as_str());
            assert_eq!(b64url_decode(jwk["x"].as_str().unwrap()).len(), len);
            assert_eq!(b64url_decode(jwk["d"].as_str().unwrap()).len(), len);
            let pubjwk = read_json(&public);
            assert_eq!(pubjwk["x"], jwk["x"]);
            assert_eq!(pubjwk["y"], jwk["y"]);
            assert!(pubjwk.get("d").is_none());

            // And as PEM.
            let pem = dir.path().join(format!("{name}.pem"));
            let pub_pem = dir.path().join(format!("{name}.pub.pem"));
            jose(
                &[
                    "--provider",
                    provider,
                    "keygen",
                    "ec",
                    "--curve",
                    curve,
                    "--out",
                    s(&pem),
                    "--public-out",
                    s(&pub_pem),
                ],
                b"",
            )
            .ok();
            assert!(
                std::fs::read_to_string(&pem)
                    .unwrap()
                    .starts_with("-----BEGIN PRIVATE KEY-----")
            );
            assert!(
                std::fs::read_to_string(&pub_pem)
                    .unwrap()
                    .starts_with("-----BEGIN PUBLIC KEY-----")
            );
        }
    }
}

#[test]
fn keygen_usage_errors() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("k.pem");
    let o = s(&out);
    let msg = jose(&["keygen", "rsa", "--bits", "1024", "--out", o], b"").fails(2);
    assert!(msg.contains("1024") && msg.contains("2048"), "{msg}");
    jose(&["keygen", "ec", "--out", o], b"").fails(2);
    let msg = jose(&["keygen", "ec", "--curve", "secp256k1", "--out", o], b"").fails(2);
    assert!(msg.contains("P-256"), "{msg}");
    jose(
        &[
            "keygen", "ec", "--curve", "P-256", "--format", "der", "--out", o,
        ],
        b"",
    )
    .fails(2);
    jose(&["keygen", "rsa", "--curve", "P-256", "--out", o], b"").fails(2);
    jose(&["keygen", "ec", "--curve", "P-256"], b"").fails(2);
    jose(&["keygen", "dsa", "--out", o], b"").fails(2);
    let missing_dir = dir.path().join("no/such/dir/k.pem");
    let msg = jose(
        &["keygen", "ec", "--curve", "P-256", "--out", s(&missing_dir)],
        b"",
    )
    .fails(2);
    assert!(msg.contains("cannot write"), "{msg}");
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------------------------
// jwk import / thumbprint

#[test]
fn jwk_import_from_pem_der_and_jwk() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let d = dir.path();

    let from_pem: Value =
        serde_json::from_slice(&jose(&["jwk", "import", s(&f.rsa_pem)], b"").ok()).unwrap();
    assert_eq!(from_pem["kty"], "RSA");
    assert!(from_pem["d"].is_string());
    assert!(from_pem.get("kid").is_none());

    let public: Value =
        serde_json::from_slice(&jose(&["jwk", "import", "--public", s(&f.rsa_pem)], b"").ok())
            .unwrap();
    assert_eq!(public["n"], from_pem["n"]);
    assert!(public.get("d").is_none());

    let with_kid: Value = serde_json::from_slice(
        &jose(&["jwk", "import", "--kid", "k9", s(&f.rsa_pub_pem)], b"").ok(),
    )
    .unwrap();
    assert_eq!(with_kid["kid"], "k9");
    assert!(with_kid.get("d").is_none());

    // DER, private (PKCS#8) and public (SPKI), detected from content.
    let der = write(
        d,
        "rsa.der",
        pem_to_der(&std::fs::read_to_string(&f.rsa_pem).unwrap()),
    );
    let from_der: Value =
        serde_json::from_slice(&jose(&["jwk", "import", s(&der)], b"").ok()).unwrap();
    assert_eq!(from_der, from_pem);
    let pub_der = write(
        d,
        "rsa.pub.der",
        pem_to_der(&std::fs::read_to_string(&f.rsa_pub_pem).unwrap()),
    );
    let from_pub_der: Value =
        serde_json::from_slice(&jose(&["jwk", "import", s(&pub_der)], b"").ok()).unwrap();
    assert_eq!(from_pub_der, public);

    // A JWK (with leading whitespace) keeps its kid; --kid overrides it.
    let jwk_text = format!("\n  {}", std::fs::read_to_string(&f.rsa_jwk).unwrap());
    let spaced = write(d, "spaced.jwk", jwk_text);
    let from_jwk: Value =
        serde_json::from_slice(&jose(&["jwk", "import", s(&spaced)], b"").ok()).unwrap();
    assert_eq!(from_jwk["kid"], "rsa-1");
    assert_eq!(from_jwk["d"], from_pem["d"]);
    let renamed: Value = serde_json::from_slice(
        &jose(
            &["jwk", "import", "--kid", "new", "--public", s(&spaced)],
            b"",
        )
        .ok(),
    )
    .unwrap();
    assert_eq!(renamed["kid"], "new");
    assert!(renamed.get("d").is_none());

    // The same on the other provider.
    let rc: Value = serde_json::from_slice(
        &jose(
            &["--provider", "rustcrypto", "jwk", "import", s(&f.rsa_pem)],
            b"",
        )
        .ok(),
    )
    .unwrap();
    assert_eq!(rc, from_pem);

    // A JWKS with one key is accepted; with two it is not.
    let one = jwks(d, "one.jwks", &[&f.rsa_pub_jwk]);
    let from_set: Value =
        serde_json::from_slice(&jose(&["jwk", "import", s(&one)], b"").ok()).unwrap();
    assert_eq!(from_set["kid"], "rsa-1");
    let two = jwks(d, "two.jwks", &[&f.rsa_pub_jwk, &f.rsa2_pub_jwk]);
    let msg = jose(&["jwk", "import", s(&two)], b"").fails(2);
    assert!(msg.contains("2 keys"), "{msg}");
}

#[test]
fn jwk_import_of_ec_pem_round_trips() {
    let dir = TempDir::new().unwrap();
    for provider in PROVIDERS {
        let (private, public) = ec_pem(dir.path(), "P-384", provider);
        let jwk = jose(
            &[
                "--provider",
                provider,
                "jwk",
                "import",
                "--kid",
                "e",
                s(&private),
            ],
            b"",
        )
        .ok();
        let jwk_file = write(dir.path(), &format!("{provider}.jwk"), &jwk);
        let again = jose(
            &["--provider", provider, "jwk", "import", s(&jwk_file)],
            b"",
        )
        .ok();
        assert_eq!(again, jwk);
        let a: Value =
            serde_json::from_slice(&jose(&["jwk", "import", s(&public)], b"").ok()).unwrap();
        let b: Value = serde_json::from_slice(&jwk).unwrap();
        assert_eq!(
            (a["crv"].clone(), a["x"].clone(), a["y"].clone()),
            (b["crv"].clone(), b["x"].clone(), b["y"].clone())
        );
    }
}

#[test]
fn jwk_thumbprint_matches_rfc7638_example() {
    let dir = TempDir::new().unwrap();
    // RFC 7638 section 3.1.
    let key = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;
    let path = write(dir.path(), "rfc7638.jwk", key);
    for provider in PROVIDERS {
        let out = jose(
            &["--provider", provider, "jwk", "thumbprint", s(&path)],
            b"",
        )
        .ok_text();
        assert_eq!(out, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs\n");
    }
}

#[test]
fn jwk_thumbprint_is_the_same_for_every_form_of_a_key() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let der = write(
        dir.path(),
        "rsa.der",
        pem_to_der(&std::fs::read_to_string(&f.rsa_pem).unwrap()),
    );
    let expected = jose(&["jwk", "thumbprint", s(&f.rsa_pem)], b"").ok_text();
    assert_eq!(
        expected.len(),
        44,
        "43 base64url characters and a newline: {expected:?}"
    );
    for file in [&f.rsa_pub_pem, &f.rsa_jwk, &f.rsa_pub_jwk, &der] {
        assert_eq!(
            jose(&["jwk", "thumbprint", s(file)], b"").ok_text(),
            expected,
            "{}",
            file.display()
        );
        assert_eq!(
            jose(
                &["--provider", "rustcrypto", "jwk", "thumbprint", s(file)],
                b""
            )
            .ok_text(),
            expected
        );
    }
    let other = jose(&["jwk", "thumbprint", s(&f.rsa2_jwk)], b"").ok_text();
    assert_ne!(other, expected);
}

#[test]
fn bad_key_files_are_key_errors() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("garbage", b"\x30\x03\x02\x01".to_vec()),
        ("text", b"hello world".to_vec()),
        ("not-a-jwk", br#"{"foo":1}"#.to_vec()),
        ("bad-json", br#"{"kty":"EC","#.to_vec()),
        ("duplicate-member", br#"{"kty":"EC","kty":"RSA"}"#.to_vec()),
        ("oct-jwk", br#"{"kty":"oct","k":"AAAA"}"#.to_vec()),
        (
            "truncated-pem",
            b"-----BEGIN PRIVATE KEY-----\nMIIB\n".to_vec(),
        ),
        ("bad-jwks", br#"{"keys":"nope"}"#.to_vec()),
    ];
    for (name, contents) in cases {
        let path = write(d, name, contents);
        let msg = jose(&["jwk", "import", s(&path)], b"").fails(2);
        assert!(msg.contains(name), "the message names the file: {msg}");
        jose(&["jwk", "thumbprint", s(&path)], b"").fails(2);
    }
    let msg = jose(&["jwk", "import", s(&d.join("missing.pem"))], b"").fails(2);
    assert!(msg.contains("missing.pem"), "{msg}");
    // A directory is not a key file.
    jose(&["jwk", "thumbprint", s(d)], b"").fails(2);
}

// ---------------------------------------------------------------------------------------------
// jwe

#[test]
fn jwe_round_trip_every_format_on_both_providers_with_binary_plaintext() {
    let f = fixtures();
    let plaintext = binary();
    for provider in PROVIDERS {
        for format in FORMATS {
            let out = jose(
                &[
                    "--provider",
                    provider,
                    "jwe",
                    "encrypt",
                    "--key",
                    s(&f.rsa_pub_pem),
                    "--alg",
                    "RSA-OAEP-256",
                    "--enc",
                    "A256GCM",
                    "--format",
                    format,
                ],
                &plaintext,
            )
            .ok();
            let t = token(out);
            match format {
                "compact" => assert_eq!(t.split('.').count(), 5),
                "flattened" => {
                    assert!(serde_json::from_str::<Value>(&t).unwrap()["encrypted_key"].is_string())
                }
                _ => assert!(serde_json::from_str::<Value>(&t).unwrap()["recipients"].is_array()),
            }
            for key in [&f.rsa_pem, &f.rsa_jwk] {
                let back = jose(
                    &["--provider", provider, "jwe", "decrypt", "--key", s(key)],
                    t.as_bytes(),
                )
                .ok();
                assert_eq!(back, plaintext, "{provider} {format}");
            }
        }
    }
}

#[test]
fn jwe_every_alg_and_enc_and_empty_plaintext() {
    let f = fixtures();
    for alg in ["RSA-OAEP", "RSA-OAEP-256"] {
        for enc in ["A128GCM", "A192GCM", "A256GCM"] {
            let t = token(
                jose(
                    &[
                        "jwe",
                        "encrypt",
                        "--key",
                        s(&f.rsa_jwk),
                        "--alg",
                        alg,
                        "--enc",
                        enc,
                    ],
                    b"hello",
                )
                .ok(),
            );
            let h = protected_header(&t);
            assert_eq!(
                (h["alg"].as_str(), h["enc"].as_str(), h["kid"].as_str()),
                (Some(alg), Some(enc), Some("rsa-1"))
            );
            assert_eq!(
                jose(&["jwe", "decrypt", "--key", s(&f.rsa_pem)], t.as_bytes()).ok(),
                b"hello"
            );
        }
    }
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_pub_pem),
                "--alg",
                "RSA-OAEP",
                "--enc",
                "A128GCM",
            ],
            b"",
        )
        .ok(),
    );
    assert_eq!(
        jose(&["jwe", "decrypt", "--key", s(&f.rsa_pem)], t.as_bytes()).ok(),
        b""
    );
}

#[test]
fn jwe_cross_provider() {
    let f = fixtures();
    for (a, b) in [("aws-lc", "rustcrypto"), ("rustcrypto", "aws-lc")] {
        let t = token(
            jose(
                &[
                    "--provider",
                    a,
                    "jwe",
                    "encrypt",
                    "--key",
                    s(&f.rsa2_pub_jwk),
                    "--alg",
                    "RSA-OAEP",
                    "--enc",
                    "A192GCM",
                ],
                b"across",
            )
            .ok(),
        );
        assert_eq!(
            jose(
                &["--provider", b, "jwe", "decrypt", "--key", s(&f.rsa2_jwk)],
                t.as_bytes()
            )
            .ok(),
            b"across"
        );
    }
}

#[test]
fn jwe_header_flags_and_aad() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let k = s(&f.rsa_pub_jwk);
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                k,
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A128GCM",
                "--kid",
                "override",
                "--cty",
                "application/json",
                "--protected",
                r#"{"typ":"JOSE","x-trace":[1,2]}"#,
            ],
            b"{}",
        )
        .ok(),
    );
    let h = protected_header(&t);
    assert_eq!(h["kid"], "override");
    assert_eq!(h["cty"], "application/json");
    assert_eq!(h["typ"], "JOSE");
    assert_eq!(h["x-trace"], json!([1, 2]));
    // The private key file says kid "rsa-1", the token "override": no match, the token is rejected.
    let msg = jose(&["jwe", "decrypt", "--key", s(&f.rsa_jwk)], t.as_bytes()).fails(1);
    assert!(msg.contains("override"), "{msg}");
    // The PEM key has no kid and matches any.
    assert_eq!(
        jose(&["jwe", "decrypt", "--key", s(&f.rsa_pem)], t.as_bytes()).ok(),
        b"{}"
    );

    let aad = write(dir.path(), "aad.bin", b"\x00binary aad\xff");
    for format in ["flattened", "general"] {
        let t = token(
            jose(
                &[
                    "jwe",
                    "encrypt",
                    "--key",
                    k,
                    "--alg",
                    "RSA-OAEP-256",
                    "--enc",
                    "A256GCM",
                    "--aad",
                    s(&aad),
                    "--format",
                    format,
                ],
                b"with aad",
            )
            .ok(),
        );
        let v: Value = serde_json::from_str(&t).unwrap();
        assert_eq!(
            b64url_decode(v["aad"].as_str().unwrap()),
            b"\x00binary aad\xff"
        );
        assert_eq!(
            jose(&["jwe", "decrypt", "--key", s(&f.rsa_jwk)], t.as_bytes()).ok(),
            b"with aad"
        );
        // Changing the AAD breaks the authentication.
        let mut changed = v.clone();
        changed["aad"] = json!(jose::b64::encode(b"other aad"));
        jose(
            &["jwe", "decrypt", "--key", s(&f.rsa_jwk)],
            changed.to_string().as_bytes(),
        )
        .fails(1);
    }
    let msg = jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            k,
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
            "--aad",
            s(&aad),
        ],
        b"x",
    )
    .fails(2);
    assert!(msg.contains("--aad") && msg.contains("compact"), "{msg}");

    for bad in ["[1]", "\"x\"", "{", r#"{"a":1,"a":2}"#] {
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                k,
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A256GCM",
                "--protected",
                bad,
            ],
            b"x",
        )
        .fails(2);
    }
    // A protected "enc" that contradicts --enc is refused.
    jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            k,
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
            "--protected",
            r#"{"enc":"A128GCM"}"#,
        ],
        b"x",
    )
    .fails(2);
}

#[test]
fn jwe_decrypt_rejections_and_errors() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_pub_pem),
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A256GCM",
            ],
            b"secret",
        )
        .ok(),
    );
    let key = s(&f.rsa_pem);
    // Tampered ciphertext, tag, encrypted key.
    for segment in [1, 3, 4] {
        let msg = jose(
            &["jwe", "decrypt", "--key", key],
            tamper(&t, segment).as_bytes(),
        )
        .fails(1);
        assert_eq!(msg, "error: decryption failed");
    }
    // Not allowed: enc, alg.
    let msg = jose(
        &[
            "jwe", "decrypt", "--key", key, "--enc", "A128GCM", "--enc", "A192GCM",
        ],
        t.as_bytes(),
    )
    .fails(1);
    assert!(msg.contains("A256GCM") && msg.contains("A128GCM"), "{msg}");
    let msg = jose(
        &["jwe", "decrypt", "--key", key, "--alg", "RSA-OAEP"],
        t.as_bytes(),
    )
    .fails(1);
    assert!(msg.contains("RSA-OAEP-256"), "{msg}");
    // Allowed explicitly.
    assert_eq!(
        jose(
            &[
                "jwe",
                "decrypt",
                "--key",
                key,
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A256GCM"
            ],
            t.as_bytes()
        )
        .ok(),
        b"secret"
    );
    // The wrong key.
    jose(&["jwe", "decrypt", "--key", s(&f.rsa2_jwk)], t.as_bytes()).fails(1);
    // Malformed tokens.
    jose(&["jwe", "decrypt", "--key", key], b"").fails(1);
    jose(&["jwe", "decrypt", "--key", key], b"  \n").fails(1);
    jose(&["jwe", "decrypt", "--key", key], b"a.b.c").fails(1);
    jose(&["jwe", "decrypt", "--key", key], b"{\"protected\":1}").fails(1);
    jose(&["jwe", "decrypt", "--key", key], b"\xff\xfe.\x80").fails(1);
    // Key errors: a public key, an EC key, a bad flag value.
    let msg = jose(
        &["jwe", "decrypt", "--key", s(&f.rsa_pub_pem)],
        t.as_bytes(),
    )
    .fails(2);
    assert!(msg.contains("private"), "{msg}");
    let (ec, _) = ec_pem(dir.path(), "P-256", "ec");
    let msg = jose(&["jwe", "decrypt", "--key", s(&ec)], t.as_bytes()).fails(2);
    assert!(msg.contains("RSA") && msg.contains("P-256"), "{msg}");
    jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            s(&ec),
            "--alg",
            "RSA-OAEP",
            "--enc",
            "A128GCM",
        ],
        b"x",
    )
    .fails(2);
    jose(
        &["jwe", "decrypt", "--key", key, "--alg", "RSA1_5"],
        t.as_bytes(),
    )
    .fails(2);
    jose(
        &["jwe", "decrypt", "--key", key, "--enc", "A128CBC-HS256"],
        t.as_bytes(),
    )
    .fails(2);
    jose(
        &[
            "jwe", "encrypt", "--key", key, "--alg", "dir", "--enc", "A128GCM",
        ],
        b"x",
    )
    .fails(2);
    jose(&["jwe", "encrypt", "--key", key, "--alg", "RSA-OAEP"], b"x").fails(2);
    jose(
        &["jwe", "decrypt", "--key", s(&dir.path().join("nope.pem"))],
        t.as_bytes(),
    )
    .fails(2);
}

#[test]
fn jwe_whitespace_around_token_is_ignored() {
    let f = fixtures();
    for format in FORMATS {
        let t = token(
            jose(
                &[
                    "jwe",
                    "encrypt",
                    "--key",
                    s(&f.rsa_pub_jwk),
                    "--alg",
                    "RSA-OAEP",
                    "--enc",
                    "A128GCM",
                    "--format",
                    format,
                ],
                b"ws",
            )
            .ok(),
        );
        let padded = format!(" \r\n\t{t}\n\n  \r\n");
        assert_eq!(
            jose(
                &["jwe", "decrypt", "--key", s(&f.rsa_jwk)],
                padded.as_bytes()
            )
            .ok(),
            b"ws"
        );
    }
}

#[test]
fn jwe_jwks_is_searched_by_kid() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let private_set = jwks(d, "private.jwks", &[&f.rsa_jwk, &f.rsa2_jwk]);
    let public_set = jwks(d, "public.jwks", &[&f.rsa_pub_jwk, &f.rsa2_pub_jwk]);

    // Encrypt: a JWKS is searched by --kid; without --kid two keys are ambiguous.
    for (kid, text) in [("rsa-1", b"one".as_slice()), ("rsa-2", b"two".as_slice())] {
        let t = token(
            jose(
                &[
                    "jwe",
                    "encrypt",
                    "--key",
                    s(&public_set),
                    "--kid",
                    kid,
                    "--alg",
                    "RSA-OAEP-256",
                    "--enc",
                    "A256GCM",
                ],
                text,
            )
            .ok(),
        );
        assert_eq!(protected_header(&t)["kid"], kid);
        assert_eq!(
            jose(&["jwe", "decrypt", "--key", s(&private_set)], t.as_bytes()).ok(),
            text
        );
    }
    jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            s(&public_set),
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
        ],
        b"x",
    )
    .fails(2);
    jose(
        &[
            "jwe",
            "encrypt",
            "--key",
            s(&public_set),
            "--kid",
            "nope",
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
        ],
        b"x",
    )
    .fails(2);

    // Decrypt: a kid the JWKS does not have is a rejection.
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_pub_pem),
                "--kid",
                "rsa-3",
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A256GCM",
            ],
            b"x",
        )
        .ok(),
    );
    let msg = jose(&["jwe", "decrypt", "--key", s(&private_set)], t.as_bytes()).fails(1);
    assert!(msg.contains("rsa-3"), "{msg}");
    // A public JWKS cannot decrypt.
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_jwk),
                "--alg",
                "RSA-OAEP",
                "--enc",
                "A256GCM",
            ],
            b"x",
        )
        .ok(),
    );
    jose(&["jwe", "decrypt", "--key", s(&public_set)], t.as_bytes()).fails(2);

    // A token without kid: fine with a one-key JWKS, ambiguous with two.
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_pub_pem),
                "--alg",
                "RSA-OAEP",
                "--enc",
                "A256GCM",
            ],
            b"nokid",
        )
        .ok(),
    );
    assert!(protected_header(&t).get("kid").is_none());
    let single = jwks(d, "single.jwks", &[&f.rsa_jwk]);
    assert_eq!(
        jose(&["jwe", "decrypt", "--key", s(&single)], t.as_bytes()).ok(),
        b"nokid"
    );
    let msg = jose(&["jwe", "decrypt", "--key", s(&private_set)], t.as_bytes()).fails(1);
    assert!(msg.contains("kid"), "{msg}");

    // Two keys with the same kid are ambiguous.
    let mut dup = read_json(&f.rsa2_jwk);
    dup["kid"] = json!("rsa-1");
    let dup_file = write(d, "dup.jwk", dup.to_string());
    let dup_set = jwks(d, "dup.jwks", &[&f.rsa_jwk, &dup_file]);
    let t = token(
        jose(
            &[
                "jwe",
                "encrypt",
                "--key",
                s(&f.rsa_pub_jwk),
                "--alg",
                "RSA-OAEP",
                "--enc",
                "A256GCM",
            ],
            b"x",
        )
        .ok(),
    );
    let msg = jose(&["jwe", "decrypt", "--key", s(&dup_set)], t.as_bytes()).fails(2);
    assert!(msg.contains("ambiguous"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// jws

#[test]
fn jws_ec_every_curve_and_format_without_alg_flag() {
    let dir = TempDir::new().unwrap();
    for (curve, alg) in [("P-256", "ES256"), ("P-384", "ES384"), ("P-521", "ES512")] {
        let (private, public) = ec_jwk(dir.path(), curve, Some("e1"), curve);
        let (pem, pub_pem) = ec_pem(dir.path(), curve, curve);
        for format in FORMATS {
            let payload = binary();
            let t = token(
                jose(
                    &[
                        "jws",
                        "sign",
                        "--key",
                        s(&private),
                        "--alg",
                        alg,
                        "--format",
                        format,
                    ],
                    &payload,
                )
                .ok(),
            );
            assert_eq!(protected_header(&t)["alg"], alg);
            assert_eq!(protected_header(&t)["kid"], "e1");
            // The public JWK (own alg from the curve), and the private key file too.
            assert_eq!(
                jose(&["jws", "verify", "--key", s(&public)], t.as_bytes()).ok(),
                payload
            );
            assert_eq!(
                jose(
                    &["jws", "verify", "--key", s(&private), "--alg", alg],
                    t.as_bytes()
                )
                .ok(),
                payload
            );
            // The PEM pair.
            let t = token(
                jose(
                    &[
                        "jws",
                        "sign",
                        "--key",
                        s(&pem),
                        "--alg",
                        alg,
                        "--format",
                        format,
                    ],
                    b"pem",
                )
                .ok(),
            );
            assert!(protected_header(&t).get("kid").is_none());
            assert_eq!(
                jose(&["jws", "verify", "--key", s(&pub_pem)], t.as_bytes()).ok(),
                b"pem"
            );
        }
        // The wrong algorithm for the curve is a key error.
        let other = if alg == "ES256" { "ES384" } else { "ES256" };
        jose(&["jws", "sign", "--key", s(&private), "--alg", other], b"x").fails(2);
        jose(
            &["jws", "sign", "--key", s(&private), "--alg", "RS256"],
            b"x",
        )
        .fails(2);
    }
}

#[test]
fn jws_on_rustcrypto_and_across_providers() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let (private, public) = ec_jwk(dir.path(), "P-256", Some("x"), "ec");
    for (a, b) in [
        ("rustcrypto", "rustcrypto"),
        ("aws-lc", "rustcrypto"),
        ("rustcrypto", "aws-lc"),
    ] {
        let t = token(
            jose(
                &[
                    "--provider",
                    a,
                    "jws",
                    "sign",
                    "--key",
                    s(&private),
                    "--alg",
                    "ES256",
                ],
                b"ec",
            )
            .ok(),
        );
        assert_eq!(
            jose(
                &["--provider", b, "jws", "verify", "--key", s(&public)],
                t.as_bytes()
            )
            .ok(),
            b"ec"
        );
        for alg in ["RS512", "PS384"] {
            let t = token(
                jose(
                    &[
                        "--provider",
                        a,
                        "jws",
                        "sign",
                        "--key",
                        s(&f.rsa2_jwk),
                        "--alg",
                        alg,
                        "--format",
                        "general",
                    ],
                    b"rsa",
                )
                .ok(),
            );
            assert_eq!(
                jose(
                    &[
                        "--provider",
                        b,
                        "jws",
                        "verify",
                        "--key",
                        s(&f.rsa2_pub_jwk),
                        "--alg",
                        alg
                    ],
                    t.as_bytes()
                )
                .ok(),
                b"rsa"
            );
        }
    }
}

#[test]
fn jws_rsa_every_alg() {
    let f = fixtures();
    for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
        let t = token(
            jose(
                &["jws", "sign", "--key", s(&f.rsa_pem), "--alg", alg],
                b"rsa payload",
            )
            .ok(),
        );
        assert_eq!(protected_header(&t)["alg"], alg);
        assert_eq!(
            jose(
                &["jws", "verify", "--key", s(&f.rsa_pub_pem), "--alg", alg],
                t.as_bytes()
            )
            .ok(),
            b"rsa payload"
        );
        // Several --alg: any of them.
        assert_eq!(
            jose(
                &[
                    "jws",
                    "verify",
                    "--key",
                    s(&f.rsa_pub_jwk),
                    "--alg",
                    "ES256",
                    "--alg",
                    "RS256",
                    "--alg",
                    alg
                ],
                t.as_bytes()
            )
            .ok(),
            b"rsa payload"
        );
    }
}

#[test]
fn jws_rsa_key_without_alg_needs_the_flag_and_alg_allow_lists_hold() {
    let f = fixtures();
    let dir = TempDir::new().unwrap();
    let t = token(
        jose(
            &["jws", "sign", "--key", s(&f.rsa_jwk), "--alg", "RS256"],
            b"p",
        )
        .ok(),
    );
    for key in [&f.rsa_pub_pem, &f.rsa_pub_jwk] {
        let msg = jose(&["jws", "verify", "--key", s(key)], t.as_bytes()).fails(2);
        assert!(msg.contains("--alg"), "{msg}");
    }
    // The key is checked before the token is read: a key error wins over a bad token.
    jose(&["jws", "verify", "--key", s(&f.rsa_pub_pem)], b"garbage").fails(2);
    jose(&["jwe", "decrypt", "--key", s(&f.rsa_pub_pem)], b"garbage").fails(2);
    // Disallowed algorithm: rejected (1).
    let msg = jose(
        &[
            "jws",
            "verify",
            "--key",
            s(&f.rsa_pub_pem),
            "--alg",
            "PS256",
        ],
        t.as_bytes(),
    )
    .fails(1);
    assert!(msg.contains("RS256") && msg.contains("PS256"), "{msg}");
    // A JWK with "alg" needs no flag, and allows only its alg.
    let mut jwk = read_json(&f.rsa_pub_jwk);
    jwk["alg"] = json!("RS256");
    let with_alg = write(dir.path(), "alg.jwk", jwk.to_string());
    assert_eq!(
        jose(&["jws", "verify", "--key", s(&with_alg)], t.as_bytes()).ok(),
        b"p"
    );
    let ps = token(
        jose(
            &["jws", "sign", "--key", s(&f.rsa_jwk), "--alg", "PS256"],
            b"p",
        )
        .ok(),
    );
    jose(&["jws", "verify", "--key", s(&with_alg)], ps.as_bytes()).fails(1);
    // --alg outside the key's own alg: the key fits no allowed algorithm.
    jose(
        &["jws", "verify", "--key", s(&with_alg), "--alg", "PS256"],
        ps.as_bytes(),
    )
    .fails(2);
    // An EC key bound to another curve's algorithm.
    let (_, ec_pub) = ec_jwk(dir.path(), "P-256", None, "ec");
    jose(
        &["jws", "verify", "--key", s(&ec_pub), "--alg", "ES384"],
        t.as_bytes(),
    )
    .fails(2);
    // An EC token checked against a different EC key's own alg: not allowed.
    let (p384, _) = ec_jwk(dir.path(), "P-384", None, "p384");
    let t384 = token(jose(&["jws", "sign", "--key", s(&p384), "--alg", "ES384"], b"p").ok());
    jose(&["jws", "verify", "--key", s(&ec_pub)], t384.as_bytes()).fails(1);
    // alg "none" and a bad --alg value.
    let none = format!(
        "{}.{}.",
        jose::b64::encode(br#"{"alg":"none"}"#),
        jose::b64::encode(b"p")
    );
    jose(&["jws", "verify", "--key", s(&ec_pub)], none.as_bytes()).fails(1);
    jose(
        &["jws", "verify", "--key", s(&ec_pub), "--alg", "none"],
        none.as_bytes(),
    )
    .fails(2);
    jose(&["jws", "sign", "--key", s(&p384), "--alg", "HS256"], b"p").fails(2);
}

#[test]
fn jws_tampered_and_malformed_tokens_are_rejected() {
    let dir = TempDir::new().unwrap();
    let (private, public) = ec_jwk(dir.path(), "P-256", None, "ec");
    let t = token(
        jose(
            &["jws", "sign", "--key", s(&private), "--alg", "ES256"],
            b"original",
        )
        .ok(),
    );
    let forged = {
        let parts: Vec<&str> = t.split('.').collect();
        format!("{}.{}.{}", parts[0], jose::b64::encode(b"forged"), parts[2])
    };
    let msg = jose(&["jws", "verify", "--key", s(&public)], forged.as_bytes()).fails(1);
    assert_eq!(msg, "error: signature verification failed");
    jose(
        &["jws", "verify", "--key", s(&public)],
        tamper(&t, 2).as_bytes(),
    )
    .fails(1);
    // Another key.
    let (_, other) = ec_jwk(dir.path(), "P-256", None, "other");
    jose(&["jws", "verify", "--key", s(&other)], t.as_bytes()).fails(1);
    for bad in [
        &b""[..],
        b"x",
        b"a.b",
        b"a.b.c.d",
        b"{}",
        b"{\"payload\":\"\"}",
        b"\xff\xff",
        b"....",
    ] {
        jose(&["jws", "verify", "--key", s(&public)], bad).fails(1);
    }
    // Whitespace around the token is fine.
    let padded = format!("\n\n {t} \t\r\n");
    assert_eq!(
        jose(&["jws", "verify", "--key", s(&public)], padded.as_bytes()).ok(),
        b"original"
    );
    // A critical header the verifier does not understand.
    let crit = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private),
                "--alg",
                "ES256",
                "--protected",
                r#"{"crit":["exp"],"exp":1}"#,
            ],
            b"c",
        )
        .ok(),
    );
    let msg = jose(&["jws", "verify", "--key", s(&public)], crit.as_bytes()).fails(1);
    assert!(msg.contains("exp"), "{msg}");
}

#[test]
fn jws_detached_payload() {
    let dir = TempDir::new().unwrap();
    let (private, public) = ec_jwk(dir.path(), "P-384", None, "ec");
    let payload = binary();
    let payload_file = write(dir.path(), "payload.bin", &payload);
    let wrong_file = write(dir.path(), "wrong.bin", b"wrong");
    for format in FORMATS {
        let t = token(
            jose(
                &[
                    "jws",
                    "sign",
                    "--key",
                    s(&private),
                    "--alg",
                    "ES384",
                    "--detached",
                    "--format",
                    format,
                ],
                &payload,
            )
            .ok(),
        );
        if format == "compact" {
            assert_eq!(t.split('.').nth(1), Some(""), "{t}");
        } else {
            assert!(
                serde_json::from_str::<Value>(&t)
                    .unwrap()
                    .get("payload")
                    .is_none()
            );
        }
        assert_eq!(
            jose(
                &[
                    "jws",
                    "verify",
                    "--key",
                    s(&public),
                    "--payload",
                    s(&payload_file)
                ],
                t.as_bytes()
            )
            .ok(),
            payload
        );
        jose(
            &[
                "jws",
                "verify",
                "--key",
                s(&public),
                "--payload",
                s(&wrong_file),
            ],
            t.as_bytes(),
        )
        .fails(1);
        // Without --payload: a JSON token says it is detached (usage, 2); a compact one has an
        // empty payload part, which does not verify (1), with a hint.
        let code = if format == "compact" { 1 } else { 2 };
        let msg = jose(&["jws", "verify", "--key", s(&public)], t.as_bytes()).fails(code);
        assert!(msg.contains("--payload"), "{msg}");
    }
    // --payload with a token that carries its payload.
    let attached = token(
        jose(
            &["jws", "sign", "--key", s(&private), "--alg", "ES384"],
            b"attached",
        )
        .ok(),
    );
    jose(
        &[
            "jws",
            "verify",
            "--key",
            s(&public),
            "--payload",
            s(&payload_file),
        ],
        attached.as_bytes(),
    )
    .fails(2);
    jose(
        &[
            "jws",
            "verify",
            "--key",
            s(&public),
            "--payload",
            s(&dir.path().join("missing")),
        ],
        attached.as_bytes(),
    )
    .fails(2);
}

#[test]
fn jws_unencoded_payload() {
    let dir = TempDir::new().unwrap();
    let (private, public) = ec_jwk(dir.path(), "P-256", None, "ec");
    // Compact, attached: the payload appears as is.
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private),
                "--alg",
                "ES256",
                "--unencoded",
            ],
            b"$hello world",
        )
        .ok(),
    );
    assert_eq!(t.split('.').nth(1), Some("$hello world"));
    let h = protected_header(&t);
    assert_eq!(h["b64"], false);
    assert_eq!(h["crit"], json!(["b64"]));
    assert_eq!(
        jose(&["jws", "verify", "--key", s(&public)], t.as_bytes()).ok(),
        b"$hello world"
    );
    // A '.' cannot be attached in compact form: a usage error; flattened is fine.
    jose(
        &[
            "jws",
            "sign",
            "--key",
            s(&private),
            "--alg",
            "ES256",
            "--unencoded",
        ],
        b"1.5",
    )
    .fails(2);
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private),
                "--alg",
                "ES256",
                "--unencoded",
                "--format",
                "flattened",
            ],
            b"1.5",
        )
        .ok(),
    );
    assert_eq!(serde_json::from_str::<Value>(&t).unwrap()["payload"], "1.5");
    assert_eq!(
        jose(&["jws", "verify", "--key", s(&public)], t.as_bytes()).ok(),
        b"1.5"
    );
    // Binary and unencoded: detached.
    let payload = binary();
    let file = write(dir.path(), "p.bin", &payload);
    jose(
        &[
            "jws",
            "sign",
            "--key",
            s(&private),
            "--alg",
            "ES256",
            "--unencoded",
        ],
        &payload,
    )
    .fails(2);
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private),
                "--alg",
                "ES256",
                "--unencoded",
                "--detached",
            ],
            &payload,
        )
        .ok(),
    );
    assert_eq!(
        jose(
            &["jws", "verify", "--key", s(&public), "--payload", s(&file)],
            t.as_bytes()
        )
        .ok(),
        payload
    );
}

#[test]
fn jws_kid_and_protected_flags() {
    let dir = TempDir::new().unwrap();
    let (private, public) = ec_jwk(dir.path(), "P-521", Some("from-file"), "ec");
    let t = token(
        jose(
            &["jws", "sign", "--key", s(&private), "--alg", "ES512"],
            b"k",
        )
        .ok(),
    );
    assert_eq!(protected_header(&t)["kid"], "from-file");
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private),
                "--alg",
                "ES512",
                "--kid",
                "flag",
                "--protected",
                r#"{"typ":"JOSE+JSON","iat":1700000000}"#,
            ],
            b"k",
        )
        .ok(),
    );
    let h = protected_header(&t);
    assert_eq!(h["kid"], "flag");
    assert_eq!(h["typ"], "JOSE+JSON");
    assert_eq!(h["iat"], 1_700_000_000);
    // The public key file says kid "from-file": no match for "flag".
    jose(&["jws", "verify", "--key", s(&public)], t.as_bytes()).fails(1);
    // --protected that contradicts --alg, or is not an object.
    jose(
        &[
            "jws",
            "sign",
            "--key",
            s(&private),
            "--alg",
            "ES512",
            "--protected",
            r#"{"alg":"ES256"}"#,
        ],
        b"k",
    )
    .fails(2);
    jose(
        &[
            "jws",
            "sign",
            "--key",
            s(&private),
            "--alg",
            "ES512",
            "--protected",
            "[]",
        ],
        b"k",
    )
    .fails(2);
    jose(
        &[
            "jws",
            "sign",
            "--key",
            s(&private),
            "--alg",
            "ES512",
            "--protected",
            r#"{"b64":false}"#,
        ],
        b"k",
    )
    .fails(2);
    // Signing needs a private key.
    let msg = jose(
        &["jws", "sign", "--key", s(&public), "--alg", "ES512"],
        b"k",
    )
    .fails(2);
    assert!(msg.contains("private"), "{msg}");
}

#[test]
fn jws_jwks_is_searched_by_kid() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let (a, a_pub) = ec_jwk(d, "P-256", Some("a"), "a");
    let (b, b_pub) = ec_jwk(d, "P-256", Some("b"), "b");
    let (c, c_pub) = ec_jwk(d, "P-384", Some("c"), "c");
    let set = jwks(d, "set.jwks", &[&a_pub, &b_pub, &c_pub]);
    for (key, alg, text) in [
        (&a, "ES256", "from a"),
        (&b, "ES256", "from b"),
        (&c, "ES384", "from c"),
    ] {
        let t = token(
            jose(
                &["jws", "sign", "--key", s(key), "--alg", alg],
                text.as_bytes(),
            )
            .ok(),
        );
        assert_eq!(
            jose(&["jws", "verify", "--jwks", s(&set)], t.as_bytes()).ok(),
            text.as_bytes()
        );
        assert_eq!(
            jose(&["jws", "verify", "--key", s(&set)], t.as_bytes()).ok(),
            text.as_bytes()
        );
    }
    // A kid not in the set.
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&a),
                "--kid",
                "zzz",
                "--alg",
                "ES256",
            ],
            b"x",
        )
        .ok(),
    );
    let msg = jose(&["jws", "verify", "--jwks", s(&set)], t.as_bytes()).fails(1);
    assert!(msg.contains("zzz"), "{msg}");
    // A token signed by b but claiming kid a: a's key does not verify it.
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&b),
                "--kid",
                "a",
                "--alg",
                "ES256",
            ],
            b"x",
        )
        .ok(),
    );
    jose(&["jws", "verify", "--jwks", s(&set)], t.as_bytes()).fails(1);
    // No kid: fine with one usable key, ambiguous with several.
    let (pem, _) = ec_pem(d, "P-256", "nokid");
    let nokid = token(
        jose(
            &["jws", "sign", "--key", s(&pem), "--alg", "ES256"],
            b"nokid",
        )
        .ok(),
    );
    jose(&["jws", "verify", "--jwks", s(&set)], nokid.as_bytes()).fails(1);
    let pem_jwk = write(
        d,
        "nokid.pub.jwk",
        jose(&["jwk", "import", "--public", s(&pem)], b"").ok(),
    );
    let one = jwks(d, "one.jwks", &[&pem_jwk]);
    assert_eq!(
        jose(&["jws", "verify", "--jwks", s(&one)], nokid.as_bytes()).ok(),
        b"nokid"
    );
    // With --alg ES384 only the P-384 key is usable, so a token without kid selects it.
    let c_pem = write(d, "c.pem.jwk", {
        let mut v = read_json(&c);
        v.as_object_mut().unwrap().remove("kid");
        v.to_string()
    });
    let t = token(
        jose(
            &["jws", "sign", "--key", s(&c_pem), "--alg", "ES384"],
            b"only c",
        )
        .ok(),
    );
    assert_eq!(
        jose(
            &["jws", "verify", "--jwks", s(&set), "--alg", "ES384"],
            t.as_bytes()
        )
        .ok(),
        b"only c"
    );
    // A general JWS with two signatures: one kid in the set is enough.
    let (x, _) = ec_jwk(d, "P-256", Some("x"), "x");
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&x),
                "--alg",
                "ES256",
                "--format",
                "general",
            ],
            b"g",
        )
        .ok(),
    );
    let t2 = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&b),
                "--alg",
                "ES256",
                "--format",
                "general",
            ],
            b"g",
        )
        .ok(),
    );
    let mut merged: Value = serde_json::from_str(&t).unwrap();
    let second: Value = serde_json::from_str(&t2).unwrap();
    merged["signatures"]
        .as_array_mut()
        .unwrap()
        .push(second["signatures"][0].clone());
    assert_eq!(
        jose(
            &["jws", "verify", "--jwks", s(&set)],
            merged.to_string().as_bytes()
        )
        .ok(),
        b"g"
    );
    // Duplicate kids in the set are ambiguous.
    let mut dup = read_json(&b_pub);
    dup["kid"] = json!("a");
    let dup_file = write(d, "dup.jwk", dup.to_string());
    let dup_set = jwks(d, "dup.jwks", &[&a_pub, &dup_file]);
    let t = token(jose(&["jws", "sign", "--key", s(&a), "--alg", "ES256"], b"x").ok());
    let msg = jose(&["jws", "verify", "--jwks", s(&dup_set)], t.as_bytes()).fails(2);
    assert!(msg.contains("ambiguous"), "{msg}");
    // A JWKS without a usable key is a key error, checked before the token.
    for (name, text) in [
        ("empty.jwks", r#"{"keys":[]}"#),
        ("oct.jwks", r#"{"keys":[{"kty":"oct","k":"AAAA"}]}"#),
    ] {
        let path = write(d, name, text);
        jose(&["jws", "verify", "--jwks", s(&path)], t.as_bytes()).fails(2);
        jose(&["jws", "verify", "--jwks", s(&path)], b"garbage").fails(2);
        jose(&["jwe", "decrypt", "--key", s(&path)], b"garbage").fails(2);
    }
    // --jwks needs a JWKS; --key and --jwks together is a usage error; neither too.
    let msg = jose(&["jws", "verify", "--jwks", s(&a_pub)], t.as_bytes()).fails(2);
    assert!(msg.contains("JWKS"), "{msg}");
    jose(
        &["jws", "verify", "--jwks", s(&set), "--key", s(&a_pub)],
        t.as_bytes(),
    )
    .fails(2);
    jose(&["jws", "verify"], t.as_bytes()).fails(2);
    // Signing with a JWKS: --kid selects; without it, several keys are ambiguous.
    let private_set = jwks(d, "private.jwks", &[&a, &b]);
    let t = token(
        jose(
            &[
                "jws",
                "sign",
                "--key",
                s(&private_set),
                "--kid",
                "b",
                "--alg",
                "ES256",
            ],
            b"s",
        )
        .ok(),
    );
    assert_eq!(protected_header(&t)["kid"], "b");
    assert_eq!(
        jose(&["jws", "verify", "--key", s(&b_pub)], t.as_bytes()).ok(),
        b"s"
    );
    jose(
        &["jws", "sign", "--key", s(&private_set), "--alg", "ES256"],
        b"s",
    )
    .fails(2);
}

// ---------------------------------------------------------------------------------------------
// usage, help, demo

#[test]
fn usage_errors_are_one_line_with_status_2() {
    let msg = jose(&["--bogus"], b"").fails(2);
    assert!(msg.contains("--bogus"), "{msg}");
    let msg = jose(&[], b"").fails(2);
    assert!(msg.contains("subcommand"), "{msg}");
    jose(&["jws"], b"").fails(2);
    jose(&["jwe", "encrypt"], b"").fails(2);
    let msg = jose(&["--provider", "openssl", "demo"], b"").fails(2);
    assert!(msg.contains("openssl") && msg.contains("aws-lc"), "{msg}");
    jose(
        &[
            "jws", "sign", "--key", "k", "--alg", "ES256", "--format", "json",
        ],
        b"",
    )
    .fails(2);
    let msg = jose(
        &["jws", "sign", "--key", "/no/such/key.pem", "--alg", "ES256"],
        b"x",
    )
    .fails(2);
    assert!(msg.contains("/no/such/key.pem"), "{msg}");
    jose(&["jwk", "thumbprint"], b"").fails(2);
    jose(&["demo", "extra"], b"").fails(2);
}

#[test]
fn help_and_version_succeed() {
    let help = jose(&["--help"], b"").ok_text();
    for word in ["keygen", "jwk", "jwe", "jws", "demo", "--provider"] {
        assert!(help.contains(word), "{word} missing from --help");
    }
    assert!(jose(&["help"], b"").ok_text().contains("Usage"));
    assert!(
        jose(&["jws", "verify", "--help"], b"")
            .ok_text()
            .contains("--jwks")
    );
    assert!(
        jose(&["jwe", "encrypt", "-h"], b"")
            .ok_text()
            .contains("--aad")
    );
    let version = jose(&["--version"], b"").ok_text();
    assert_eq!(version, format!("jose {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn demo_runs_every_capability() {
    let out = jose(&["demo"], b"").ok_text();
    for needle in [
        "[aws-lc] keygen RSA 2048",
        "[rustcrypto] keygen EC P-521",
        "[aws-lc] JWE RSA-OAEP-256 + A256GCM compact",
        "flattened JSON with AAD",
        "2 recipients",
        "[rustcrypto] JWS PS512 compact",
        "2 signatures",
        "detached payload",
        "unencoded payload",
        "[aws-lc -> rustcrypto] JWS ES512",
        "[rustcrypto -> aws-lc] JWE RSA-OAEP + A128GCM",
        "nested JWS",
        "thumbprint",
        "tampered JWS (payload changed): rejected",
        "steps OK",
    ] {
        assert!(
            out.contains(needle),
            "{needle:?} missing from the demo output:\n{out}"
        );
    }
}
