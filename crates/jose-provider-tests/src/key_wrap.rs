//! JWE key management: [`PublicKeyOps::wrap_key`](jose_core::PublicKeyOps::wrap_key) and
//! [`PrivateKeyOps::unwrap_key`](jose_core::PrivateKeyOps::unwrap_key) with RSA-OAEP,
//! RSA-OAEP-256, RSA-OAEP-384 and RSA-OAEP-512.
//!
//! The contract: every unwrap failure is [`Error::DecryptionFailed`], with nothing else to tell
//! them apart.

use crate::sign::fixture_key;
use crate::{fails_with, flipped, invalid_request_naming, ok};
use jose_core::{CryptoProvider, Error, JwsAlgorithm, KeyManagementAlgorithm};

/// Every OAEP algorithm (SHA-1, SHA-256, SHA-384, SHA-512) wraps and unwraps CEKs of 0 to 64
/// bytes with a 2048-bit key: the wrapped key is 256 bytes, differs each time (OAEP is
/// randomized) and unwraps to the CEK. (The rule's name predates RSA-OAEP-384 and -512.)
pub fn round_trip_both_oaep_algorithms(provider: &dyn CryptoProvider) {
    let key = fixture_key(provider, JwsAlgorithm::Rs256);
    let public = key.public_key();
    for &alg in KeyManagementAlgorithm::RSA_OAEP {
        for len in [0u8, 16, 24, 32, 64] {
            let cek: Vec<u8> = (0..len).map(|i| i.wrapping_mul(7) ^ 0x5a).collect();
            let wrapped = ok(
                provider,
                public.wrap_key(alg, &cek),
                format_args!("{alg}: wrap a {len}-byte CEK"),
            );
            ensure_eq!(
                provider,
                wrapped.len(),
                256,
                "{alg}: a CEK wrapped for an RSA 2048 key is 256 bytes"
            );
            ensure_ne!(
                provider,
                ok(
                    provider,
                    public.wrap_key(alg, &cek),
                    format_args!("{alg}: wrap a {len}-byte CEK again"),
                ),
                wrapped,
                "{alg}: OAEP is randomized, two wraps of one CEK must differ"
            );
            let unwrapped = ok(
                provider,
                key.unwrap_key(alg, &wrapped),
                format_args!("{alg}: unwrap a {len}-byte CEK"),
            );
            ensure_eq!(
                provider,
                unwrapped.as_slice(),
                cek.as_slice(),
                "{alg}: the unwrapped CEK"
            );
        }
    }
}

/// A CEK wrapped with one OAEP algorithm does not unwrap with any other (RSA-OAEP, -256, -384,
/// -512, every pair both ways): each is [`Error::DecryptionFailed`].
pub fn oaep_variants_do_not_unwrap_each_other(provider: &dyn CryptoProvider) {
    let key = fixture_key(provider, JwsAlgorithm::Rs256);
    for &wrap in KeyManagementAlgorithm::RSA_OAEP {
        let wrapped = ok(
            provider,
            key.public_key().wrap_key(wrap, &[7; 32]),
            format_args!("{wrap}: wrap"),
        );
        for &unwrap in KeyManagementAlgorithm::RSA_OAEP
            .iter()
            .filter(|&&u| u != wrap)
        {
            fails_with(
                provider,
                key.unwrap_key(unwrap, &wrapped),
                &Error::DecryptionFailed,
                format_args!("a CEK wrapped with {wrap}, unwrapped with {unwrap}"),
            );
        }
    }
}

/// A CEK longer than OAEP can carry for the key (k - 2 hLen - 2 bytes; 2048 bits: 214 bytes with
/// SHA-1, 190 with SHA-256, 158 with SHA-384, 126 with SHA-512) is [`Error::InvalidRequest`] naming the length found; the longest that fits wraps.
pub fn wrap_refuses_a_cek_too_long_for_the_key(provider: &dyn CryptoProvider) {
    let public = fixture_key(provider, JwsAlgorithm::Rs256).public_key();
    for (alg, limit) in [
        (KeyManagementAlgorithm::RsaOaep, 214usize),
        (KeyManagementAlgorithm::RsaOaep256, 190),
        (KeyManagementAlgorithm::RsaOaep384, 158),
        (KeyManagementAlgorithm::RsaOaep512, 126),
    ] {
        ok(
            provider,
            public.wrap_key(alg, &vec![0; limit]),
            format_args!("{alg}: wrap a {limit}-byte CEK, the most a 2048-bit key carries"),
        );
        invalid_request_naming(
            provider,
            public.wrap_key(alg, &vec![0; limit + 1]),
            &[&(limit + 1).to_string()],
            format_args!("{alg}: wrap a {}-byte CEK", limit + 1),
        );
        invalid_request_naming(
            provider,
            public.wrap_key(alg, &[0; 300]),
            &[],
            format_args!("{alg}: wrap a 300-byte CEK, longer than the modulus"),
        );
    }
}

/// Unwrapping anything but a valid wrapped key is [`Error::DecryptionFailed`]: random bytes,
/// empty, too short or too long, all zeros, all ones (above the modulus), one bit flipped, the
/// first or last byte cut; and, for every algorithm, its own wrapped key with one bit flipped.
pub fn unwrap_failures_are_decryption_failed(provider: &dyn CryptoProvider) {
    let key = fixture_key(provider, JwsAlgorithm::Rs256);
    let mut random = vec![0u8; 256];
    ok(provider, provider.fill_random(&mut random), "fill_random");
    let wrapped = ok(
        provider,
        key.public_key()
            .wrap_key(KeyManagementAlgorithm::RsaOaep256, &[5; 32]),
        "RSA-OAEP-256: wrap",
    );
    let cases: [(&str, Vec<u8>); 11] = [
        ("256 random bytes", random),
        ("empty", Vec::new()),
        ("1 zero byte", vec![0; 1]),
        ("255 zero bytes", vec![0; 255]),
        ("256 zero bytes", vec![0; 256]),
        ("257 zero bytes", vec![0; 257]),
        ("257 bytes 0x42", vec![0x42; 257]),
        ("256 bytes 0xff, above the modulus", vec![0xff; 256]),
        (
            "a wrapped key with a bit flipped",
            flipped(&wrapped, 100, 0x40),
        ),
        (
            "a wrapped key without its last byte",
            wrapped[..255].to_vec(),
        ),
        (
            "a wrapped key without its first byte",
            wrapped[1..].to_vec(),
        ),
    ];
    for &alg in KeyManagementAlgorithm::RSA_OAEP {
        for (how, bad) in &cases {
            fails_with(
                provider,
                key.unwrap_key(alg, bad),
                &Error::DecryptionFailed,
                format_args!("{alg}: unwrap {how}"),
            );
        }
        // A key wrapped with this very algorithm, one bit flipped anywhere.
        let own = ok(
            provider,
            key.public_key().wrap_key(alg, &[5; 32]),
            format_args!("{alg}: wrap"),
        );
        for (index, mask) in [(0, 0x01), (1, 0x80), (64, 0x04), (128, 0x10), (255, 0x01)] {
            fails_with(
                provider,
                key.unwrap_key(alg, &flipped(&own, index, mask)),
                &Error::DecryptionFailed,
                format_args!("{alg}: unwrap its own wrapped key with byte {index} ^ {mask:#04x}"),
            );
        }
    }
}
