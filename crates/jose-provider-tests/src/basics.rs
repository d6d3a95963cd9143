//! The provider itself: its name, random bytes and SHA-256.

use crate::ok;
use jose_core::CryptoProvider;

/// [`CryptoProvider::name`] is a short name for messages and the CLI: not empty, at most 32
/// bytes, no control characters, the same on every call.
pub fn name_is_short_and_stable(provider: &dyn CryptoProvider) {
    let name = provider.name();
    ensure!(
        provider,
        !name.is_empty() && name.len() <= 32,
        "name() must be a short name (1 to 32 bytes), found {} bytes",
        name.len()
    );
    ensure!(
        provider,
        !name.chars().any(char::is_control),
        "name() must hold no control characters"
    );
    ensure_eq!(
        provider,
        provider.name(),
        name,
        "name() must be the same on every call"
    );
}

/// [`CryptoProvider::fill_random`] fills the whole buffer with fresh bytes each call, and accepts
/// an empty buffer.
pub fn fill_random_fills_with_fresh_bytes(provider: &dyn CryptoProvider) {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    ok(
        provider,
        provider.fill_random(&mut a),
        "fill_random(32 bytes)",
    );
    ok(
        provider,
        provider.fill_random(&mut b),
        "fill_random(32 bytes)",
    );
    ensure_ne!(
        provider,
        a,
        b,
        "two 32-byte fill_random calls must not give the same bytes"
    );
    ok(
        provider,
        provider.fill_random(&mut []),
        "fill_random(empty)",
    );
}

/// [`CryptoProvider::sha256`] gives the FIPS 180-2 known answers (empty, "abc", the two-block
/// message).
pub fn sha256_known_answers(provider: &dyn CryptoProvider) {
    let cases: [(&[u8], [u8; 32]); 3] = [
        (
            b"",
            [
                0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f,
                0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b,
                0x78, 0x52, 0xb8, 0x55,
            ],
        ),
        (
            b"abc",
            [
                0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
                0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
                0xf2, 0x00, 0x15, 0xad,
            ],
        ),
        (
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            [
                0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93, 0x0c, 0x3e,
                0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4,
                0x19, 0xdb, 0x06, 0xc1,
            ],
        ),
    ];
    for (input, expected) in cases {
        ensure_eq!(
            provider,
            provider.sha256(input),
            expected,
            "SHA-256 of {:?}",
            String::from_utf8_lossy(input)
        );
    }
    // The same "abc" digest as an RFC 7638 thumbprint would print it.
    ensure_eq!(
        provider,
        jose_core::b64::encode(&provider.sha256(b"abc")),
        "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0",
        "SHA-256 of \"abc\" in base64url"
    );
}
