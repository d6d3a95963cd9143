//! Integration tests of the `jose` binary, `jose demo`: every capability end to end.
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
