//! HMAC ([`CryptoProvider::hmac_sign`], [`CryptoProvider::hmac_verify`]): the RFC 4231 known
//! answers for HMAC-SHA-256, HMAC-SHA-384 and HMAC-SHA-512, and every tag that is not exactly
//! the computed one (another tag, a flipped bit, truncated, extended, empty) is
//! [`Error::BadSignature`].
//!
//! The provider computes a tag for a key of any length (RFC 4231 test case 2 uses a 4-byte
//! key); the RFC 7518 minimum (the hash length) is jose-core's rule, kept by
//! [`SecretKey`](jose_core::SecretKey), and tested there.

use crate::ok;
use jose_core::alg::HashAlg;
use jose_core::{CryptoProvider, Error};

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or_default())
        .collect()
}

/// RFC 4231 test cases 1, 2 and 6: (key, data, HMAC-SHA-256, HMAC-SHA-384, HMAC-SHA-512).
fn rfc4231_cases() -> Vec<(Vec<u8>, Vec<u8>, [&'static str; 3])> {
    vec![
        (
            vec![0x0b; 20],
            b"Hi There".to_vec(),
            [
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
                "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
            ],
        ),
        (
            b"Jefe".to_vec(),
            b"what do ya want for nothing?".to_vec(),
            [
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            ],
        ),
        (
            vec![0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
            [
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
                "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
            ],
        ),
    ]
}

const HASHES: [HashAlg; 3] = [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512];

/// RFC 4231 test cases 1, 2 and 6 (a short key, a 4-byte key, a key longer than the block):
/// `hmac_sign` gives the full tag and `hmac_verify` accepts it.
pub fn rfc4231_known_answers(provider: &dyn CryptoProvider) {
    for (case, (key, data, tags)) in rfc4231_cases().into_iter().enumerate() {
        for (hash, tag) in HASHES.into_iter().zip(tags) {
            let tag = hex(tag);
            let computed = ok(
                provider,
                provider.hmac_sign(hash, &key, &data),
                format_args!("HMAC-{hash} of RFC 4231 case {case}"),
            );
            ensure_eq!(
                provider,
                computed,
                tag,
                "HMAC-{hash} of RFC 4231 case index {case}"
            );
            ok(
                provider,
                provider.hmac_verify(hash, &key, &data, &tag),
                format_args!("verify HMAC-{hash} of RFC 4231 case index {case}"),
            );
        }
    }
}

/// Every tag that is not exactly the computed one is [`Error::BadSignature`]: a bit flipped at
/// the start, middle or end, the tag truncated to half or by one byte, extended by a byte, empty,
/// the tag of another message, of another key, and of another hash of the same length prefix.
pub fn wrong_tags_are_bad_signature(provider: &dyn CryptoProvider) {
    let key = [0x42u8; 64];
    for hash in HASHES {
        let tag = ok(
            provider,
            provider.hmac_sign(hash, &key, b"message"),
            format_args!("HMAC-{hash}"),
        );
        ensure_eq!(
            provider,
            tag.len(),
            hash.output_len(),
            "HMAC-{hash} tag length"
        );
        let mut wrong: Vec<(String, Vec<u8>)> = Vec::new();
        for at in [0, tag.len() / 2, tag.len() - 1] {
            let mut t = tag.clone();
            t[at] ^= 0x01;
            wrong.push((format!("bit flipped in byte {at}"), t));
        }
        wrong.push(("half".into(), tag[..tag.len() / 2].to_vec()));
        wrong.push(("one byte short".into(), tag[..tag.len() - 1].to_vec()));
        let mut longer = tag.clone();
        longer.push(0);
        wrong.push(("one byte long".into(), longer));
        wrong.push(("empty".into(), Vec::new()));
        let other_key = ok(
            provider,
            provider.hmac_sign(hash, &[0x43u8; 64], b"message"),
            format_args!("HMAC-{hash}"),
        );
        wrong.push(("another key's tag".into(), other_key));
        for (what, bad) in wrong {
            let result = provider.hmac_verify(hash, &key, b"message", &bad);
            ensure!(
                provider,
                result == Err(Error::BadSignature),
                "HMAC-{hash}, {what}: expected BadSignature, got {result:?}"
            );
        }
        let result = provider.hmac_verify(hash, &key, b"another message", &tag);
        ensure!(
            provider,
            result == Err(Error::BadSignature),
            "HMAC-{hash}, another message: expected BadSignature, got {result:?}"
        );
        ok(
            provider,
            provider.hmac_verify(hash, &key, b"message", &tag),
            format_args!("verify HMAC-{hash}"),
        );
    }
}

/// Tags for the three hashes differ and have their hash's length; the same key and message give
/// the same tag every time (HMAC is deterministic).
pub fn hashes_are_distinct_and_deterministic(provider: &dyn CryptoProvider) {
    let key = [7u8; 32];
    let tags: Vec<Vec<u8>> = HASHES
        .into_iter()
        .map(|hash| {
            let first = ok(
                provider,
                provider.hmac_sign(hash, &key, b"m"),
                format_args!("HMAC-{hash}"),
            );
            let again = ok(
                provider,
                provider.hmac_sign(hash, &key, b"m"),
                format_args!("HMAC-{hash}"),
            );
            ensure_eq!(provider, first, again, "HMAC-{hash} twice");
            ensure_eq!(
                provider,
                first.len(),
                hash.output_len(),
                "HMAC-{hash} length"
            );
            first
        })
        .collect();
    ensure!(
        provider,
        tags[0][..] != tags[1][..32] && tags[1][..] != tags[2][..48],
        "HMAC tags of different hashes share a prefix"
    );
}
