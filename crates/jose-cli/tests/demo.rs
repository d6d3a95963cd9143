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
        "[aws-lc -> rustcrypto] access token (typ at+jwt, ES256",
        "[rustcrypto -> aws-lc] access token (typ at+jwt, ES256",
        "the same token again: refused: \"jti\"",
        "expired token: refused: \"exp\": the token expired",
        "token for another API: refused: \"aud\"",
        "nested JWT (ES256 inside RSA-OAEP-256 + A256GCM, cty JWT",
        "client assertion (private_key_jwt, PS256): iss = sub = \"s6BhdRkqt3\"",
        "the same client assertion again: replay refused: \"jti\"",
        "DPoP proof (EdDSA, POST https://as.example.com/token): verified, jkt ",
        "the same DPoP proof again: replay refused: \"jti\"",
        "request object (typ oauth-authz-req+jwt, PS256 inside RSA-OAEP-256 + A256GCM",
        "steps OK",
    ] {
        assert!(
            out.contains(needle),
            "{needle:?} missing from the demo output:\n{out}"
        );
    }
}
