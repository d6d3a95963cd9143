//! The provider itself: its name, random bytes, SHA-256 and the digests of the JWS algorithms.

use crate::ok;
use jose_core::CryptoProvider;
use jose_core::alg::HashAlg;

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

/// [`CryptoProvider::digest`] gives the FIPS 180-2 known answers for SHA-256, SHA-384 and SHA-512
/// (the hashes of the JWS algorithms: what a KMS that signs digests is given), agrees with
/// [`CryptoProvider::sha256`], and answers SHA-1 with its digest or an error, never a panic.
pub fn digest_known_answers(provider: &dyn CryptoProvider) {
    const TWO_BLOCKS_896: &[u8] = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    let cases: [(HashAlg, &[u8], &str); 7] = [
        (
            HashAlg::Sha256,
            b"abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            HashAlg::Sha384,
            b"",
            "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
        ),
        (
            HashAlg::Sha384,
            b"abc",
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            HashAlg::Sha384,
            TWO_BLOCKS_896,
            "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039",
        ),
        (
            HashAlg::Sha512,
            b"",
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
        ),
        (
            HashAlg::Sha512,
            b"abc",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
        (
            HashAlg::Sha512,
            TWO_BLOCKS_896,
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
        ),
    ];
    for (hash, input, expected) in cases {
        let digest = ok(
            provider,
            provider.digest(hash, input),
            format_args!("digest({hash})"),
        );
        ensure_eq!(
            provider,
            digest.len(),
            hash.output_len(),
            "the length of a {hash} digest"
        );
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        ensure_eq!(
            provider,
            hex,
            expected,
            "{hash} of {:?}",
            String::from_utf8_lossy(input)
        );
    }
    for input in [&b""[..], b"abc", TWO_BLOCKS_896] {
        ensure_eq!(
            provider,
            ok(
                provider,
                provider.digest(HashAlg::Sha256, input),
                "digest(SHA-256)"
            ),
            provider.sha256(input).to_vec(),
            "digest(SHA-256) must equal sha256()"
        );
    }
    // SHA-1 is not needed by any JWS algorithm: either answer is fine, a panic is not.
    if let Ok(digest) = provider.digest(HashAlg::Sha1, b"abc") {
        ensure_eq!(provider, digest.len(), 20, "the length of a SHA-1 digest");
    }
}
