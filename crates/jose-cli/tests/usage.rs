//! Integration tests of the `jose` binary, the CLI as a whole: usage errors are one `error:` line
//! with exit status 2; help and version succeed.
//!
//! Exit statuses 0/1/2, with one `error: ...` line on stderr and nothing on stdout on failure, are
//! checked by [`common::Run::fails`].

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::*;

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
