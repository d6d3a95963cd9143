//! JWE content encryption: [`CryptoProvider::aead_seal`] and [`CryptoProvider::aead_open`] (and
//! their in-place forms) with A128GCM, A192GCM and A256GCM.
//!
//! The contract: every open failure (authentication, or a key, IV or tag of the wrong length) is
//! [`Error::DecryptionFailed`]; a seal with a key or IV of the wrong length is
//! [`Error::InvalidRequest`].

use crate::{fails_with, invalid_request_naming, ok};
use jose_core::{ContentEncryption, CryptoProvider, Error};

const IV: [u8; 12] = [3; 12];
const AAD: &[u8] = b"protected header";

/// The plaintexts every AEAD rule runs on: empty, one byte, a sentence, 1000 bytes.
fn plaintexts() -> [Vec<u8>; 4] {
    [
        Vec::new(),
        b"x".to_vec(),
        b"attack at dawn".to_vec(),
        vec![0x5a; 1000],
    ]
}

/// A random key of the right length for `enc`.
fn random_key(provider: &dyn CryptoProvider, enc: ContentEncryption) -> Vec<u8> {
    let mut key = vec![0u8; enc.key_len()];
    ok(provider, provider.fill_random(&mut key), "fill_random");
    key
}

/// Every [`ContentEncryption`] seals and opens: the ciphertext is as long as the plaintext (the
/// tag is detached), differs from it, and opens to it; with a random key and with a fixed one.
pub fn round_trip_every_encryption(provider: &dyn CryptoProvider) {
    for &enc in ContentEncryption::GCM {
        let fixed: Vec<u8> = (0..enc.key_len()).map(|i| (i as u8) ^ 0xa5).collect();
        for key in [random_key(provider, enc), fixed] {
            for plaintext in plaintexts() {
                let len = plaintext.len();
                let (ciphertext, tag) = ok(
                    provider,
                    provider.aead_seal(enc, &key, &IV, AAD, &plaintext),
                    format_args!("{enc}: seal {len} bytes"),
                );
                ensure_eq!(
                    provider,
                    ciphertext.len(),
                    len,
                    "{enc}: the ciphertext of {len} bytes is as long as the plaintext"
                );
                if len > 0 {
                    ensure_ne!(
                        provider,
                        ciphertext,
                        plaintext,
                        "{enc}: the ciphertext of {len} bytes differs from the plaintext"
                    );
                }
                let opened = ok(
                    provider,
                    provider.aead_open(enc, &key, &IV, AAD, &ciphertext, &tag),
                    format_args!("{enc}: open {len} bytes"),
                );
                ensure_eq!(
                    provider,
                    opened.as_slice(),
                    plaintext.as_slice(),
                    "{enc}: the opened plaintext of {len} bytes"
                );
            }
        }
    }
}

/// [`CryptoProvider::aead_seal_in_place`] and [`CryptoProvider::aead_open_in_place`] agree with
/// the copying methods: the same ciphertext and tag in the same buffer, the plaintext back in it;
/// an in-place open with a flipped tag bit, a wrong key length or a wrong tag length is
/// [`Error::DecryptionFailed`], and a seal with a wrong IV length is [`Error::InvalidRequest`].
pub fn in_place_agrees_with_copying(provider: &dyn CryptoProvider) {
    for &enc in ContentEncryption::GCM {
        let key = random_key(provider, enc);
        for plaintext in plaintexts() {
            let len = plaintext.len();
            let (ciphertext, tag) = ok(
                provider,
                provider.aead_seal(enc, &key, &IV, AAD, &plaintext),
                format_args!("{enc}: seal {len} bytes"),
            );
            let mut buffer = plaintext.clone();
            let in_place_tag = ok(
                provider,
                provider.aead_seal_in_place(enc, &key, &IV, AAD, &mut buffer),
                format_args!("{enc}: seal {len} bytes in place"),
            );
            ensure_eq!(
                provider,
                (&buffer, in_place_tag),
                (&ciphertext, tag),
                "{enc}: in place, the ciphertext and tag of {len} bytes are those of aead_seal"
            );
            ok(
                provider,
                provider.aead_open_in_place(enc, &key, &IV, AAD, &mut buffer, &tag),
                format_args!("{enc}: open {len} bytes in place"),
            );
            ensure_eq!(
                provider,
                buffer.as_slice(),
                plaintext.as_slice(),
                "{enc}: the plaintext of {len} bytes, opened in place"
            );
            let mut flipped = tag;
            flipped[0] ^= 1;
            for (what, key, tag) in [
                ("a flipped tag bit", key.as_slice(), flipped.as_slice()),
                ("a short key", &key[1..], tag.as_slice()),
                ("a short tag", key.as_slice(), &tag[..15]),
            ] {
                let mut buffer = ciphertext.clone();
                fails_with(
                    provider,
                    provider.aead_open_in_place(enc, key, &IV, AAD, &mut buffer, tag),
                    &Error::DecryptionFailed,
                    format_args!("{enc}: open in place with {what}"),
                );
            }
        }
        let mut buffer = b"p".to_vec();
        invalid_request_naming(
            provider,
            provider.aead_seal_in_place(enc, &key, &IV[..11], b"", &mut buffer),
            &["IV", "12", "11"],
            format_args!("{enc}: seal in place with an 11-byte IV"),
        );
    }
}

/// The inputs of one [`CryptoProvider::aead_open`] call.
#[derive(Clone)]
struct Open {
    key: Vec<u8>,
    iv: Vec<u8>,
    aad: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

/// Every way an open can fail is the one [`Error::DecryptionFailed`]: a bit flipped in the tag or
/// the ciphertext, the ciphertext cut or extended, another AAD, IV or key, and a key, IV or tag of
/// the wrong length.
pub fn open_failures_are_decryption_failed(provider: &dyn CryptoProvider) {
    for &enc in ContentEncryption::GCM {
        let key = random_key(provider, enc);
        for plaintext in plaintexts() {
            let len = plaintext.len();
            let (ciphertext, tag) = ok(
                provider,
                provider.aead_seal(enc, &key, &IV, AAD, &plaintext),
                format_args!("{enc}: seal {len} bytes"),
            );
            let sealed = Open {
                key: key.clone(),
                iv: IV.to_vec(),
                aad: AAD.to_vec(),
                ciphertext,
                tag: tag.to_vec(),
            };
            let with = |change: &dyn Fn(&mut Open)| {
                let mut open = sealed.clone();
                change(&mut open);
                open
            };
            let mut cases = vec![
                ("the tag's first byte flipped", with(&|o| o.tag[0] ^= 1)),
                ("the tag's last byte flipped", with(&|o| o.tag[15] ^= 1)),
                (
                    "a byte appended to the ciphertext",
                    with(&|o| o.ciphertext.push(0)),
                ),
                (
                    "another AAD",
                    with(&|o| o.aad = b"protected headeR".to_vec()),
                ),
                ("an empty AAD", with(&|o| o.aad.clear())),
                ("another IV", with(&|o| o.iv = vec![4; 12])),
                ("the IV's last byte flipped", with(&|o| o.iv[11] ^= 1)),
                ("another key", with(&|o| o.key[0] ^= 1)),
                ("a 15-byte tag", with(&|o| o.tag.truncate(15))),
                ("a 17-byte tag", with(&|o| o.tag.push(0))),
                ("an empty tag", with(&|o| o.tag.clear())),
                (
                    "a key a byte short",
                    with(&|o| {
                        o.key.remove(0);
                    }),
                ),
                ("a key a byte long", with(&|o| o.key.push(0))),
                (
                    "an 11-byte IV",
                    with(&|o| {
                        o.iv.remove(0);
                    }),
                ),
                ("a 16-byte IV", with(&|o| o.iv = vec![0; 16])),
                ("an empty IV", with(&|o| o.iv.clear())),
            ];
            if len > 0 {
                cases.extend([
                    (
                        "the ciphertext's first byte flipped",
                        with(&|o| o.ciphertext[0] ^= 1),
                    ),
                    (
                        "the ciphertext's last byte flipped",
                        with(&|o| o.ciphertext[len - 1] ^= 0x80),
                    ),
                    (
                        "the ciphertext's last byte cut",
                        with(&|o| o.ciphertext.truncate(len - 1)),
                    ),
                ]);
            }
            for (how, open) in cases {
                fails_with(
                    provider,
                    provider.aead_open(
                        enc,
                        &open.key,
                        &open.iv,
                        &open.aad,
                        &open.ciphertext,
                        &open.tag,
                    ),
                    &Error::DecryptionFailed,
                    format_args!("{enc}: open {len} bytes with {how}"),
                );
            }
        }
    }
}

/// A seal with a key or IV of the wrong length is [`Error::InvalidRequest`] naming the
/// encryption, the length it needs and the length found (never a panic, never a truncated key).
pub fn seal_with_a_wrong_key_or_iv_length_is_invalid_request(provider: &dyn CryptoProvider) {
    for &enc in ContentEncryption::GCM {
        let key = vec![1u8; enc.key_len()];
        let need = enc.key_len().to_string();
        for bad in [enc.key_len() - 1, enc.key_len() + 1, 33, 0] {
            let found = bad.to_string();
            invalid_request_naming(
                provider,
                provider.aead_seal(enc, &vec![1; bad], &IV, b"", b"p"),
                &[enc.name(), &need, &found],
                format_args!("{enc}: seal with a {bad}-byte key"),
            );
        }
        for bad in [16usize, 11, 0] {
            let found = bad.to_string();
            invalid_request_naming(
                provider,
                provider.aead_seal(enc, &key, &vec![0; bad], b"", b"p"),
                &[enc.name(), "12", &found],
                format_args!("{enc}: seal with a {bad}-byte IV"),
            );
        }
    }
    // A 32-byte key is not accepted for A128GCM (nor cut to 16 bytes).
    invalid_request_naming(
        provider,
        provider.aead_seal(ContentEncryption::A128Gcm, &[0; 32], &IV, b"", b""),
        &["A128GCM", "16", "32"],
        "A128GCM: seal with a 32-byte key",
    );
}
