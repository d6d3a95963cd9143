//! The symmetric primitives under JWA's A*KW, A*CBC-HS* and PBES2:
//! [`CryptoProvider::aes_key_wrap`] / [`CryptoProvider::aes_key_unwrap`] (RFC 3394),
//! [`CryptoProvider::aes_cbc_encrypt`] / [`CryptoProvider::aes_cbc_decrypt`] (AES-CBC with
//! PKCS#7 padding) and [`CryptoProvider::pbkdf2`] (RFC 8018 with HMAC-SHA-2).
//!
//! The contract: every unwrap and every CBC decryption failure (a wrong length, the RFC 3394
//! integrity check, bad padding) is [`Error::DecryptionFailed`]; input of the wrong length on
//! the wrap and encrypt side, and PBKDF2 parameters out of range (no iteration, more than 64
//! bytes asked for, SHA-1), are [`Error::InvalidRequest`] naming what was found.
//!
//! Known answers: RFC 3394 section 4 (all six KEK and key-data sizes); NIST SP 800-38A F.2.1,
//! F.2.3 and F.2.5 (CBC-AES128/192/256, four blocks each), followed by the PKCS#7 padding block
//! (sixteen 0x10 bytes, encrypted; that last block computed with Python's `cryptography` 48, on
//! OpenSSL); PBKDF2-HMAC-SHA-256 from RFC 7914 section 11, and HMAC-SHA-384/512 computed with
//! `python3 -c "import hashlib; print(hashlib.pbkdf2_hmac('sha384', b'passwd', b'salt', 1, 64).hex())"`
//! (and the same for each row of [`pbkdf2_known_answers`]).

use crate::{fails_with, flipped, invalid_request_naming, joined, ok};
use jose_core::alg::HashAlg;
use jose_core::{CryptoProvider, Error};

fn hex(text: &str) -> Vec<u8> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or_default())
        .collect()
}

/// `len` bytes counting up from `start` (fixed, readable test data).
fn counting(start: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| start.wrapping_add(i as u8)).collect()
}

/// RFC 3394 section 4: (section, KEK length, key data length, ciphertext). The KEK is
/// `000102...` and the key data `00112233445566778899AABBCCDDEEFF000102...`, each cut to length.
const RFC3394: [(&str, usize, usize, &str); 6] = [
    (
        "4.1",
        16,
        16,
        "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5",
    ),
    (
        "4.2",
        24,
        16,
        "96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D",
    ),
    (
        "4.3",
        32,
        16,
        "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7",
    ),
    (
        "4.4",
        24,
        24,
        "031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2",
    ),
    (
        "4.5",
        32,
        24,
        "A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1",
    ),
    (
        "4.6",
        32,
        32,
        "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21",
    ),
];

fn rfc3394_key_data(len: usize) -> Vec<u8> {
    let mut data = hex("00112233445566778899AABBCCDDEEFF");
    data.extend(counting(0, 16));
    data.truncate(len);
    data
}

/// RFC 3394 section 4.1 to 4.6: the wrap of every KEK and key-data size is the RFC's
/// ciphertext, and unwraps to the key data.
pub fn aes_key_wrap_rfc3394_vectors(provider: &dyn CryptoProvider) {
    for (section, kek_len, data_len, expected) in RFC3394 {
        let kek = counting(0, kek_len);
        let data = rfc3394_key_data(data_len);
        let expected = hex(expected);
        let wrapped = ok(
            provider,
            provider.aes_key_wrap(&kek, &data),
            format_args!("RFC 3394 {section}: wrap"),
        );
        ensure_eq!(
            provider,
            wrapped,
            expected,
            "RFC 3394 {section}: the wrapped key"
        );
        let unwrapped = ok(
            provider,
            provider.aes_key_unwrap(&kek, &expected),
            format_args!("RFC 3394 {section}: unwrap"),
        );
        ensure_eq!(
            provider,
            unwrapped.as_slice(),
            data.as_slice(),
            "RFC 3394 {section}: the unwrapped key"
        );
    }
}

/// Key data of every length JWA uses (16 to 64 bytes, in steps of 8) wraps to 8 more bytes under
/// each KEK size, the same every time (AES key wrap is deterministic), and unwraps to itself.
pub fn aes_key_wrap_round_trips(provider: &dyn CryptoProvider) {
    for kek_len in [16, 24, 32] {
        let mut kek = vec![0u8; kek_len];
        ok(provider, provider.fill_random(&mut kek), "fill_random");
        for len in (16..=64).step_by(8) {
            let data = counting(len as u8, len);
            let what = format!("{kek_len}-byte KEK, {len} bytes of key data");
            let wrapped = ok(provider, provider.aes_key_wrap(&kek, &data), &what);
            ensure_eq!(provider, wrapped.len(), len + 8, "{what}: wrapped length");
            let again = ok(provider, provider.aes_key_wrap(&kek, &data), &what);
            ensure_eq!(
                provider,
                wrapped,
                again,
                "{what}: the wrap is deterministic"
            );
            let unwrapped = ok(provider, provider.aes_key_unwrap(&kek, &wrapped), &what);
            ensure_eq!(
                provider,
                unwrapped.as_slice(),
                data.as_slice(),
                "{what}: unwrap"
            );
        }
    }
}

/// Every unwrap failure is [`Error::DecryptionFailed`]: a bit flipped at the start (the
/// integrity value), the middle or the end; another KEK of the same size, and of another valid
/// size; the wrapped key cut by 8 bytes (still a valid length) or extended by 8; lengths that
/// are not a multiple of 8; too short (empty, 8, 16 bytes); a KEK of a wrong length.
pub fn aes_key_unwrap_failures_are_decryption_failed(provider: &dyn CryptoProvider) {
    let expected = Error::DecryptionFailed;
    for (section, kek_len, data_len, ciphertext) in RFC3394 {
        let kek = counting(0, kek_len);
        let wrapped = hex(ciphertext);
        let n = wrapped.len();
        let mut bad: Vec<(String, Vec<u8>, Vec<u8>)> = Vec::new();
        for at in [0, 7, 8, n / 2, n - 1] {
            bad.push((
                format!("bit flipped in byte {at}"),
                kek.clone(),
                flipped(&wrapped, at, 0x01),
            ));
        }
        bad.push((
            "another KEK of the same size".into(),
            flipped(&kek, 0, 0x80),
            wrapped.clone(),
        ));
        let other_size = if kek_len == 32 { 16 } else { 32 };
        bad.push((
            format!("a {other_size}-byte KEK"),
            counting(0, other_size),
            wrapped.clone(),
        ));
        if data_len > 16 {
            bad.push((
                "cut by 8 bytes".into(),
                kek.clone(),
                wrapped[..n - 8].to_vec(),
            ));
        }
        bad.push((
            "extended by 8 bytes".into(),
            kek.clone(),
            joined(&wrapped, &[0; 8]),
        ));
        for len in [0, 8, 16, 23, n - 1] {
            bad.push((format!("{len} bytes"), kek.clone(), wrapped[..len].to_vec()));
        }
        bad.push(("one byte more".into(), kek.clone(), joined(&wrapped, &[0])));
        for len in [0, 8, 15, 17, 31, 33, 64] {
            bad.push((
                format!("a {len}-byte KEK"),
                counting(0, len),
                wrapped.clone(),
            ));
        }
        for (what, kek, wrapped) in bad {
            fails_with(
                provider,
                provider.aes_key_unwrap(&kek, &wrapped),
                &expected,
                format_args!("RFC 3394 {section}, {what}"),
            );
        }
    }
}

/// A wrap with a KEK that is not 16, 24 or 32 bytes, or key data that is shorter than 16 bytes
/// or not a multiple of 8, is [`Error::InvalidRequest`] naming the length found.
pub fn aes_key_wrap_input_checks_are_invalid_request(provider: &dyn CryptoProvider) {
    let data = counting(0, 32);
    for len in [0, 8, 15, 17, 31, 33, 64] {
        invalid_request_naming(
            provider,
            provider.aes_key_wrap(&counting(0, len), &data),
            &[&len.to_string()],
            format_args!("wrap under a {len}-byte KEK"),
        );
    }
    for len in [0, 1, 8, 15, 17, 23, 33] {
        invalid_request_naming(
            provider,
            provider.aes_key_wrap(&counting(0, 16), &counting(0, len)),
            &[&len.to_string()],
            format_args!("wrap {len} bytes of key data"),
        );
    }
}

/// NIST SP 800-38A F.2.1, F.2.3, F.2.5 (the encrypt direction; F.2.2/4/6 are the same values
/// decrypted): (section, key, ciphertext of the four blocks followed by the padding block).
const SP800_38A: [(&str, &str, &str); 3] = [
    (
        "F.2.1 CBC-AES128",
        "2b7e151628aed2a6abf7158809cf4f3c",
        "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2
         73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7
         8cb82807230e1321d3fae00d18cc2012",
    ),
    (
        "F.2.3 CBC-AES192",
        "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
        "4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a
         571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd
         612ccd79224b350935d45dd6a98f8176",
    ),
    (
        "F.2.5 CBC-AES256",
        "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d
         39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b
         3f461796d6b0d6b2e0c2a72b4d80e644",
    ),
];

/// The SP 800-38A plaintext: four blocks.
const SP800_38A_PLAINTEXT: &str =
    "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
     30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";

/// NIST SP 800-38A F.2.1, F.2.3 and F.2.5 with the IV `000102...0f`: the 64-byte plaintext
/// encrypts to the four ciphertext blocks of the standard, followed by the encrypted PKCS#7
/// block, and decrypts back.
pub fn aes_cbc_known_answers(provider: &dyn CryptoProvider) {
    let iv = counting(0, 16);
    let plaintext = hex(SP800_38A_PLAINTEXT);
    for (section, key, expected) in SP800_38A {
        let key = hex(key);
        let expected = hex(expected);
        let ciphertext = ok(
            provider,
            provider.aes_cbc_encrypt(&key, &iv, &plaintext),
            format_args!("SP 800-38A {section}: encrypt"),
        );
        ensure_eq!(
            provider,
            ciphertext,
            expected,
            "SP 800-38A {section}: the ciphertext (four blocks, then the padding block)"
        );
        let decrypted = ok(
            provider,
            provider.aes_cbc_decrypt(&key, &iv, &expected),
            format_args!("SP 800-38A {section}: decrypt"),
        );
        ensure_eq!(
            provider,
            decrypted.as_slice(),
            plaintext.as_slice(),
            "SP 800-38A {section}: the plaintext"
        );
    }
}

/// Plaintexts of every length from 0 to 33 bytes, under each key size: the ciphertext is the
/// length padded up to the next multiple of 16 (a whole block of padding when the length is
/// already one), and decrypts to the plaintext.
pub fn aes_cbc_round_trip_every_length(provider: &dyn CryptoProvider) {
    let iv = counting(0x40, 16);
    for key_len in [16, 24, 32] {
        let mut key = vec![0u8; key_len];
        ok(provider, provider.fill_random(&mut key), "fill_random");
        for len in 0..=33usize {
            let plaintext = counting(len as u8, len);
            let what = format!("AES-CBC, {key_len}-byte key, {len} bytes");
            let ciphertext = ok(
                provider,
                provider.aes_cbc_encrypt(&key, &iv, &plaintext),
                &what,
            );
            ensure_eq!(
                provider,
                ciphertext.len(),
                (len / 16 + 1) * 16,
                "{what}: ciphertext length"
            );
            let decrypted = ok(
                provider,
                provider.aes_cbc_decrypt(&key, &iv, &ciphertext),
                &what,
            );
            ensure_eq!(
                provider,
                decrypted.as_slice(),
                plaintext.as_slice(),
                "{what}: decrypt"
            );
        }
    }
}

/// (what, key, IV, ciphertext).
type CbcCase = (String, Vec<u8>, Vec<u8>, Vec<u8>);

/// Every CBC decryption failure is [`Error::DecryptionFailed`]: bad padding (a pad byte above 16,
/// a pad byte 0, pad bytes that disagree), a ciphertext that is empty or not a multiple of 16
/// bytes, a key or IV of a wrong length.
///
/// The padding cases flip bits of the IV of a one-block ciphertext of the empty plaintext (which
/// decrypts to sixteen 0x10 bytes): CBC XORs the IV into the decrypted block, so the flip lands
/// exactly on the padding.
pub fn aes_cbc_decrypt_failures_are_decryption_failed(provider: &dyn CryptoProvider) {
    let expected = Error::DecryptionFailed;
    let key = counting(0x10, 16);
    let iv = counting(0x20, 16);
    let empty = ok(
        provider,
        provider.aes_cbc_encrypt(&key, &iv, b""),
        "AES-CBC of the empty plaintext",
    );
    let long = ok(
        provider,
        provider.aes_cbc_encrypt(&key, &iv, &[7; 40]),
        "AES-CBC of 40 bytes",
    );
    let mut bad: Vec<CbcCase> = vec![
        (
            "last pad byte 0x11".into(),
            key.clone(),
            flipped(&iv, 15, 0x01),
            empty.clone(),
        ),
        (
            "last pad byte 0x00".into(),
            key.clone(),
            flipped(&iv, 15, 0x10),
            empty.clone(),
        ),
        (
            "last pad byte 0xff".into(),
            key.clone(),
            flipped(&iv, 15, 0xef),
            empty.clone(),
        ),
        (
            "first pad byte differs".into(),
            key.clone(),
            flipped(&iv, 0, 0x01),
            empty.clone(),
        ),
        (
            "a middle pad byte differs".into(),
            key.clone(),
            flipped(&iv, 8, 0x40),
            empty.clone(),
        ),
        ("empty".into(), key.clone(), iv.clone(), Vec::new()),
        (
            "one byte short".into(),
            key.clone(),
            iv.clone(),
            long[..long.len() - 1].to_vec(),
        ),
        (
            "one byte long".into(),
            key.clone(),
            iv.clone(),
            joined(&long, &[0]),
        ),
        (
            "8 bytes".into(),
            key.clone(),
            iv.clone(),
            long[..8].to_vec(),
        ),
    ];
    for len in [0, 8, 15, 17, 31, 33] {
        bad.push((
            format!("a {len}-byte key"),
            counting(0x10, len),
            iv.clone(),
            long.clone(),
        ));
    }
    for len in [0, 12, 15, 17, 32] {
        bad.push((
            format!("a {len}-byte IV"),
            key.clone(),
            counting(0x20, len),
            long.clone(),
        ));
    }
    for (what, key, iv, ciphertext) in bad {
        fails_with(
            provider,
            provider.aes_cbc_decrypt(&key, &iv, &ciphertext),
            &expected,
            format_args!("AES-CBC decrypt, {what}"),
        );
    }
}

/// An encryption with a key that is not 16, 24 or 32 bytes, or an IV that is not 16 bytes, is
/// [`Error::InvalidRequest`] naming the length found.
pub fn aes_cbc_encrypt_input_checks_are_invalid_request(provider: &dyn CryptoProvider) {
    for len in [0, 8, 15, 17, 31, 33, 64] {
        invalid_request_naming(
            provider,
            provider.aes_cbc_encrypt(&counting(0, len), &[0; 16], b"x"),
            &[&len.to_string()],
            format_args!("AES-CBC with a {len}-byte key"),
        );
    }
    for len in [0, 12, 15, 17, 32] {
        invalid_request_naming(
            provider,
            provider.aes_cbc_encrypt(&[0; 16], &counting(0, len), b"x"),
            &[&len.to_string()],
            format_args!("AES-CBC with a {len}-byte IV"),
        );
    }
}

/// (hash, password, salt, iterations, derived key).
type Pbkdf2Case = (HashAlg, &'static [u8], &'static [u8], u32, &'static str);

const PBKDF2_CASES: [Pbkdf2Case; 8] = [
    // RFC 7914 section 11.
    (
        HashAlg::Sha256,
        b"passwd",
        b"salt",
        1,
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc
         49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
    ),
    (
        HashAlg::Sha256,
        b"Password",
        b"NaCl",
        80000,
        "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56
         a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
    ),
    // Python's hashlib.pbkdf2_hmac (OpenSSL), the same inputs and one more.
    (
        HashAlg::Sha384,
        b"passwd",
        b"salt",
        1,
        "cd3443723a41cf1460cca9efeede428a8898a82d2ad4d1fc5cca08ed3f4d3cb4
         7a62a70b3cb9ce65dcbfb9fb9d425027a8be69b53e2a22674b0939e5e0a682f7",
    ),
    (
        HashAlg::Sha384,
        b"Password",
        b"NaCl",
        80000,
        "11c198987730fa113458053cd5cc9b51d7024a35f9134f1ee8740923c901aab2
         3bbaea43686981b6e6a9f4130a1401daeeec74060246ebac958f3cfc3c65579b",
    ),
    (
        HashAlg::Sha384,
        b"password",
        b"salt",
        4096,
        "559726be38db125bc85ed7895f6e3cf574c7a01c080c3447db1e8a76764deb3c",
    ),
    (
        HashAlg::Sha512,
        b"passwd",
        b"salt",
        1,
        "c74319d99499fc3e9013acff597c23c5baf0a0bec5634c46b8352b793e324723
         d55caa76b2b25c43402dcfdc06cdcf66f95b7d0429420b39520006749c51a04e",
    ),
    (
        HashAlg::Sha512,
        b"Password",
        b"NaCl",
        80000,
        "e6337d6fbeb645c794d4a9b5b75b7b30dac9ac50376a91df1f4460f6060d5add
         b2c1fd1f84409abacc67de7eb4056e6bb06c2d82c3ef4ccd1bded0f675ed97c6",
    ),
    (
        HashAlg::Sha512,
        b"password",
        b"salt",
        4096,
        "d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5",
    ),
];

/// PBKDF2 known answers: HMAC-SHA-256 from RFC 7914 section 11 (1 and 80 000 iterations, 64
/// bytes), HMAC-SHA-384 and HMAC-SHA-512 from Python's `hashlib.pbkdf2_hmac` (1, 4096 and
/// 80 000 iterations, 32 and 64 bytes).
pub fn pbkdf2_known_answers(provider: &dyn CryptoProvider) {
    for (hash, password, salt, iterations, expected) in PBKDF2_CASES {
        let expected = hex(expected);
        let mut out = vec![0u8; expected.len()];
        let what = format!(
            "PBKDF2-HMAC-{hash}, {iterations} iterations, {} bytes",
            expected.len()
        );
        ok(
            provider,
            provider.pbkdf2(hash, password, salt, iterations, &mut out),
            &what,
        );
        ensure_eq!(provider, out, expected, "{what}");
    }
}

/// PBKDF2's parameters: no iteration, an empty output or one of more than 64 bytes, and SHA-1
/// are [`Error::InvalidRequest`]; 1 and 64 bytes are derived, and a shorter output is the start
/// of a longer one (RFC 8018: the blocks are independent).
pub fn pbkdf2_parameter_checks(provider: &dyn CryptoProvider) {
    for hash in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
        invalid_request_naming(
            provider,
            provider.pbkdf2(hash, b"pw", b"salt", 0, &mut [0u8; 32]),
            &["0"],
            format_args!("PBKDF2-HMAC-{hash} with 0 iterations"),
        );
        for len in [0usize, 65, 128] {
            invalid_request_naming(
                provider,
                provider.pbkdf2(hash, b"pw", b"salt", 1, &mut vec![0u8; len]),
                &[&len.to_string()],
                format_args!("PBKDF2-HMAC-{hash} asked for {len} bytes"),
            );
        }
        let mut long = [0u8; 64];
        ok(
            provider,
            provider.pbkdf2(hash, b"pw", b"salt", 3, &mut long),
            format_args!("PBKDF2-HMAC-{hash}, 64 bytes"),
        );
        for len in [1usize, 20, 33] {
            let mut short = vec![0u8; len];
            ok(
                provider,
                provider.pbkdf2(hash, b"pw", b"salt", 3, &mut short),
                format_args!("PBKDF2-HMAC-{hash}, {len} bytes"),
            );
            ensure_eq!(
                provider,
                short.as_slice(),
                &long[..len],
                "PBKDF2-HMAC-{hash}: {len} bytes are the start of 64"
            );
        }
    }
    invalid_request_naming(
        provider,
        provider.pbkdf2(HashAlg::Sha1, b"pw", b"salt", 1, &mut [0u8; 20]),
        &["SHA-1"],
        "PBKDF2-HMAC-SHA-1",
    );
}
