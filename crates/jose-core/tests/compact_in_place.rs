//! The compact fast path: `JweBuilder::encrypt_compact` (content encrypted and base64url-expanded
//! in the token's own buffer), `Jwe::from_compact_owned` (the ciphertext decoded in place) and
//! `Jwe::into_decrypted` (the last attempt decrypts in place). Each must be the same JWE, with
//! the same checks and errors, as the allocating path it shortcuts, on both providers and across
//! them, at every length around the in-place codecs' chunk boundaries.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{flip_compact_segment, pairs, providers, variant};
use jose_core::jwe::{DecryptOptions, Jwe, JweBuilder};
use jose_core::{
    ContentEncryption, DecryptingKey, EncryptingKey, Error, Header, KeyManagementAlgorithm, Limits,
    SecretKey,
};

/// Lengths around 3 KiB, the in-place codecs' chunk, and its multiples.
const LENGTHS: &[usize] = &[
    0, 1, 2, 3, 4, 47, 3071, 3072, 3073, 3074, 6143, 6144, 6145, 100_003,
];

fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 131 + 17) as u8).collect()
}

fn secret(len: usize, fill: u8) -> SecretKey {
    SecretKey::from_bytes(&vec![fill; len], providers()[0]).unwrap()
}

fn kw(fill: u8) -> (EncryptingKey, DecryptingKey) {
    let alg = KeyManagementAlgorithm::A256Kw;
    (
        EncryptingKey::symmetric(secret(32, fill), alg).unwrap(),
        DecryptingKey::symmetric(secret(32, fill), alg).unwrap(),
    )
}

/// The parts of a compact token but the random ones (encrypted key, IV, ciphertext, tag): the
/// protected header, and the number and lengths of the parts.
fn shape(token: &str) -> (String, Vec<usize>) {
    let parts: Vec<&str> = token.split('.').collect();
    (parts[0].to_owned(), parts.iter().map(|p| p.len()).collect())
}

#[test]
fn encrypt_compact_matches_encrypt_then_to_compact_and_opens_every_way() {
    let (ek, dk) = kw(7);
    for (a, b) in pairs() {
        let (pa, pb) = (providers()[a], providers()[b]);
        for &enc in ContentEncryption::ALL {
            for &compress in &[false, true] {
                for &len in LENGTHS {
                    let data = plaintext(len);
                    let builder = JweBuilder::new(enc).compress(compress).recipient(&ek);
                    let fast = builder.clone().encrypt_compact(&data, pa).unwrap();
                    let slow = builder.encrypt(&data, pa).unwrap().to_compact().unwrap();
                    let what = format!("{enc} zip={compress} {len} bytes, {a}->{b}");
                    assert_eq!(shape(&fast), shape(&slow), "{what}");
                    let options = DecryptOptions::default().allow_zip(1 << 20);
                    let borrowed = Jwe::from_compact(&fast, &Limits::default())
                        .unwrap()
                        .decrypt_with([&dk], &[enc], &options, pb)
                        .unwrap();
                    assert_eq!(&borrowed.plaintext[..], &data[..], "{what}: borrowed");
                    let owned = Jwe::from_compact_owned(fast, &Limits::default())
                        .unwrap()
                        .into_decrypted([&dk], &[enc], &options, pb)
                        .unwrap();
                    assert_eq!(&owned.plaintext[..], &data[..], "{what}: owned");
                    assert_eq!(owned.header, borrowed.header, "{what}: header");
                }
            }
        }
    }
}

#[test]
fn encrypt_compact_refuses_what_compact_cannot_carry() {
    let (ek, _) = kw(7);
    let (ek2, _) = kw(8);
    let p = providers()[0];
    let mut extra = Header::new();
    extra.set("x", "y");
    let cases: Vec<(&str, JweBuilder, &str)> = vec![
        (
            "two recipients",
            JweBuilder::new(ContentEncryption::A256Gcm)
                .recipient(&ek)
                .recipient(&ek2),
            "exactly one recipient, this JWE has 2",
        ),
        (
            "a per-recipient header",
            JweBuilder::new(ContentEncryption::A256Gcm).recipient_with(&ek, Some(extra.clone())),
            "cannot carry unprotected headers",
        ),
        (
            "a shared unprotected header",
            JweBuilder::new(ContentEncryption::A256Gcm)
                .unprotected(extra)
                .recipient(&ek),
            "cannot carry unprotected headers",
        ),
        (
            "AAD",
            JweBuilder::new(ContentEncryption::A256Gcm)
                .aad(b"aad")
                .recipient(&ek),
            "cannot carry AAD",
        ),
    ];
    for (what, builder, expected) in cases {
        let error = builder.encrypt_compact(b"x", p).unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest(m) if m.contains(expected)),
            "{what}: {error}"
        );
    }
}

#[test]
fn from_compact_owned_refuses_what_from_compact_refuses() {
    let (ek, _) = kw(7);
    let p = providers()[0];
    let token = JweBuilder::new(ContentEncryption::A128Gcm)
        .recipient(&ek)
        .encrypt_compact(&plaintext(5000), p)
        .unwrap();
    let mut bad = vec![
        String::new(),
        "a.b.c.d".to_owned(),
        format!("{token}.extra"),
        format!(".{token}"),
        token.replacen('.', ".!", 3),
    ];
    for segment in 0..5 {
        bad.push(flip_compact_segment(&token, segment));
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[segment].push('=');
        bad.push(parts.join("."));
        parts[segment].pop();
        parts[segment].push('A');
        bad.push(parts.join("."));
    }
    let small = Limits {
        max_token_len: 100,
        ..Limits::default()
    };
    for (limits, tokens) in [(Limits::default(), bad), (small, vec![token])] {
        for t in tokens {
            let borrowed = Jwe::from_compact(&t, &limits);
            let owned = Jwe::from_compact_owned(t.clone(), &limits);
            match (borrowed, owned) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.ciphertext(), b.ciphertext(), "{t:.40}");
                    assert_eq!(a.tag(), b.tag(), "{t:.40}");
                    assert_eq!(a.iv(), b.iv(), "{t:.40}");
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{t:.40}"),
                (a, b) => panic!("{t:.40}: borrowed {a:?}, owned {b:?}"),
            }
        }
    }
}

#[test]
fn into_decrypted_tries_every_key_and_fails_opaquely() {
    let (ek, right) = kw(7);
    let (_, wrong1) = kw(8);
    let (_, wrong2) = kw(9);
    for p in providers() {
        for &enc in &[ContentEncryption::A256Gcm, ContentEncryption::A128CbcHs256] {
            let data = plaintext(4000);
            let token = JweBuilder::new(enc)
                .recipient(&ek)
                .encrypt_compact(&data, p)
                .unwrap();
            // The right key last: the wrong ones are tried on copies, the last one in place.
            for keys in [
                vec![&wrong1, &wrong2, &right],
                vec![&right, &wrong1],
                vec![&wrong1, &right, &wrong2],
            ] {
                let opened = Jwe::from_compact_owned(token.clone(), &Limits::default())
                    .unwrap()
                    .into_decrypted(keys, &[enc], &DecryptOptions::default(), p)
                    .unwrap();
                assert_eq!(&opened.plaintext[..], &data[..], "{enc}");
            }
            let error = Jwe::from_compact_owned(token.clone(), &Limits::default())
                .unwrap()
                .into_decrypted([&wrong1, &wrong2], &[enc], &DecryptOptions::default(), p)
                .unwrap_err();
            assert_eq!(variant(&error), "DecryptionFailed", "{enc}: {error}");
            let tampered = flip_compact_segment(&token, 3);
            let error = Jwe::from_compact_owned(tampered, &Limits::default())
                .unwrap()
                .into_decrypted([&right], &[enc], &DecryptOptions::default(), p)
                .unwrap_err();
            assert_eq!(variant(&error), "DecryptionFailed", "{enc}: {error}");
            let error = Jwe::from_compact(&token, &Limits::default())
                .unwrap()
                .into_decrypted(
                    [&right],
                    &[ContentEncryption::A192Gcm],
                    &DecryptOptions::default(),
                    p,
                )
                .unwrap_err();
            assert!(
                matches!(error, Error::AlgorithmNotAllowed { .. }),
                "{enc}: {error}"
            );
        }
    }
}

/// A decrypted JWE's `Debug` (as a log line would print it) shows the plaintext's length, never
/// its bytes.
#[test]
fn decrypted_debug_never_shows_the_plaintext() {
    let (enc_key, dec_key) = kw(7);
    let secret_text = b"IBAN GB33BUKB20201555555555";
    let token = JweBuilder::new(ContentEncryption::A256Gcm)
        .recipient(&enc_key)
        .encrypt_compact(secret_text, providers()[0])
        .unwrap();
    let decrypted = Jwe::from_compact(&token, &Limits::default())
        .unwrap()
        .decrypt([&dec_key], &[ContentEncryption::A256Gcm], providers()[0])
        .unwrap();
    assert_eq!(&decrypted.plaintext[..], secret_text);
    let shown = format!("{decrypted:?}");
    assert!(shown.contains("Plaintext(<27 bytes>)"), "{shown}");
    for needle in ["GB33", "73, 66, 65, 78", "[73"] {
        assert!(!shown.contains(needle), "{needle} in {shown}");
    }
}

#[test]
fn the_compact_fast_path_writes_the_same_protected_header_with_a_kid_and_caller_members() {
    let alg = KeyManagementAlgorithm::A256Kw;
    let key = secret(32, 9).with_kid("key \"2026\"\\1");
    let ek = EncryptingKey::symmetric(key, alg).unwrap();
    let p = providers()[0];
    let builder = JweBuilder::new(ContentEncryption::A256Gcm).recipient(&ek);
    let fast = builder.clone().encrypt_compact(b"x", p).unwrap();
    let slow = builder.encrypt(b"x", p).unwrap().to_compact().unwrap();
    assert_eq!(shape(&fast), shape(&slow));
    let header = String::from_utf8(
        jose_core::b64::decode("header", fast.split('.').next().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        header,
        r#"{"alg":"A256KW","kid":"key \"2026\"\\1","enc":"A256GCM"}"#
    );
    // With a member of the caller's, the general path (the caller's order kept) is taken.
    let mut protected = jose_core::Header::new();
    protected.set("cty", "JWT");
    let builder = JweBuilder::new(ContentEncryption::A256Gcm)
        .protected(protected)
        .recipient(&ek);
    let fast = builder.clone().encrypt_compact(b"x", p).unwrap();
    let slow = builder.encrypt(b"x", p).unwrap().to_compact().unwrap();
    assert_eq!(shape(&fast), shape(&slow));
}
