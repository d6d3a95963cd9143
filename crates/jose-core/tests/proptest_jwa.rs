//! Property tests for the rest of JWA on both providers (issue 14): for any payload, every JWE
//! (alg, enc) pair but PBES2 (whose PBKDF2 is too slow to run hundreds of times in a debug
//! build; tests/jwa_engine.rs and tests/interop_jwcrypto.rs cover it) and HS256/384/512 round-trip
//! in every serialization, produced on one provider and consumed on both, and any single-byte
//! change to such a token is rejected, without a panic.

// Test code: a failing expectation should fail loudly (clippy.toml only covers #[test] bodies).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use jose_core::jwe::{Jwe, JweBuilder};
use jose_core::jws::{Jws, JwsBuilder};
use jose_core::{
    ContentEncryption, DecryptingKey, EcCurve, EncryptingKey, JwsAlgorithm, KeyManagementAlgorithm,
    KeyManagementMode, KeySpec, Limits, OkpCurve, PrivateKey, SecretKey, SigningKey, VerifyingKey,
};
use proptest::prelude::*;
use proptest::sample::Index;
use std::sync::OnceLock;

/// The algorithms under test: every JWE `alg` but PBES2.
fn algs() -> &'static [KeyManagementAlgorithm] {
    static ALGS: OnceLock<Vec<KeyManagementAlgorithm>> = OnceLock::new();
    ALGS.get_or_init(|| {
        KeyManagementAlgorithm::ALL
            .iter()
            .copied()
            .filter(|alg| !alg.uses_password())
            .collect()
    })
}

/// For each of [`algs`], a decrypting key on each provider (the same key).
fn jwe_keys() -> &'static Vec<[DecryptingKey; 2]> {
    static KEYS: OnceLock<Vec<[DecryptingKey; 2]>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let secret = |len: usize| -> [SecretKey; 2] {
            let bytes: Vec<u8> = (0..len)
                .map(|i| (i as u8).wrapping_mul(29) ^ 0xa5)
                .collect();
            providers().map(|p| SecretKey::from_bytes(&bytes, p).unwrap())
        };
        let private = |spec: KeySpec| -> [PrivateKey; 2] {
            let key = PrivateKey::generate(spec, providers()[0]).unwrap();
            [key.clone(), transfer(&key, providers()[1])]
        };
        algs()
            .iter()
            .map(|&alg| match alg.mode() {
                KeyManagementMode::RsaOaep(_) => rsa_keys_2()
                    .clone()
                    .map(|k| DecryptingKey::new(k, alg).unwrap()),
                // 32 bytes: A256GCM and A128CBC-HS256, the encs dir is tested with here.
                KeyManagementMode::Direct => {
                    secret(32).map(|k| DecryptingKey::symmetric(k, alg).unwrap())
                }
                KeyManagementMode::AesKw(len) | KeyManagementMode::AesGcmKw(len) => {
                    secret(len).map(|k| DecryptingKey::symmetric(k, alg).unwrap())
                }
                KeyManagementMode::EcdhEs(_) => {
                    let spec = match alg {
                        KeyManagementAlgorithm::EcdhEs => KeySpec::Okp(OkpCurve::X25519),
                        KeyManagementAlgorithm::EcdhEsA128Kw => KeySpec::Ec(EcCurve::P256),
                        KeyManagementAlgorithm::EcdhEsA192Kw => KeySpec::Ec(EcCurve::P384),
                        _ => KeySpec::Ec(EcCurve::P521),
                    };
                    private(spec).map(|k| DecryptingKey::new(k, alg).unwrap())
                }
                KeyManagementMode::Pbes2 { .. } => unreachable!("PBES2 is not in algs()"),
            })
            .collect()
    })
}

/// The encs each `alg` is tested with: every one, but only the 32-byte ones for `dir`.
fn encs_for(alg: KeyManagementAlgorithm) -> Vec<ContentEncryption> {
    ContentEncryption::ALL
        .iter()
        .copied()
        .filter(|enc| alg != KeyManagementAlgorithm::Dir || enc.key_len() == 32)
        .collect()
}

/// HS256/384/512 keys, the same secret on both providers.
fn hmac_keys() -> &'static Vec<[SigningKey; 2]> {
    static KEYS: OnceLock<Vec<[SigningKey; 2]>> = OnceLock::new();
    KEYS.get_or_init(|| {
        JwsAlgorithm::HMAC
            .iter()
            .map(|&alg| {
                let bytes = vec![0x42u8; alg.min_hmac_key_len().unwrap()];
                providers().map(|p| {
                    SigningKey::symmetric(SecretKey::from_bytes(&bytes, p).unwrap(), alg).unwrap()
                })
            })
            .collect()
    })
}

fn config() -> ProptestConfig {
    let mut c = ProptestConfig::with_cases(48);
    // Do not write proptest-regressions/ files into the source tree; a failure prints its case.
    c.failure_persistence = None;
    c
}

fn serialize_jwe(jwe: &Jwe, ser: usize) -> String {
    match ser {
        0 => jwe.to_compact(),
        1 => jwe.to_flattened_json(),
        _ => jwe.to_general_json(),
    }
    .unwrap()
}

fn jwe_token(
    payload: &[u8],
    a: usize,
    e: usize,
    producer: usize,
    ser: usize,
) -> (String, ContentEncryption) {
    let alg = algs()[a % algs().len()];
    let encs = encs_for(alg);
    let enc = encs[e % encs.len()];
    let keys = &jwe_keys()[a % algs().len()];
    let encrypting: EncryptingKey = keys[producer].encrypting_key();
    let jwe = JweBuilder::new(enc)
        .recipient(&encrypting)
        .encrypt(payload, providers()[producer])
        .unwrap();
    (serialize_jwe(&jwe, ser), enc)
}

fn decrypt_on(
    token: &str,
    a: usize,
    enc: ContentEncryption,
    consumer: usize,
) -> Result<Vec<u8>, jose_core::Error> {
    let key = &jwe_keys()[a % algs().len()][consumer];
    Jwe::parse(token, &Limits::default())
        .and_then(|jwe| jwe.decrypt([key], &[enc], providers()[consumer]))
        .map(|d| d.plaintext.to_vec())
}

fn jws_token(payload: &[u8], h: usize, producer: usize, ser: usize) -> String {
    let jws = JwsBuilder::new(payload)
        .signer(&hmac_keys()[h % 3][producer])
        .sign()
        .unwrap();
    match ser {
        0 => jws.to_compact(),
        1 => jws.to_flattened_json(),
        _ => jws.to_general_json(),
    }
    .unwrap()
}

fn verify_on(token: &str, h: usize, consumer: usize) -> Result<Vec<u8>, jose_core::Error> {
    let verifier: VerifyingKey = hmac_keys()[h % 3][consumer].verifying_key();
    Jws::parse(token, &Limits::default()).and_then(|j| j.verify([&verifier]).map(<[u8]>::to_vec))
}

/// `token` with the byte at `at` replaced by `byte`, if that is still UTF-8 and a change.
fn mutate(token: &str, at: &Index, byte: u8) -> Option<(usize, String)> {
    let mut bytes = token.as_bytes().to_vec();
    let i = at.index(bytes.len());
    if bytes[i] == byte {
        return None;
    }
    bytes[i] = byte;
    String::from_utf8(bytes).ok().map(|s| (i, s))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_jwe_alg_and_enc_round_trips_across_providers(
        payload in proptest::collection::vec(any::<u8>(), 0..1024),
        a in any::<usize>(),
        e in any::<usize>(),
        producer in 0..2usize,
        ser in 0..3usize,
    ) {
        let (token, enc) = jwe_token(&payload, a, e, producer, ser);
        for consumer in 0..2 {
            let got = decrypt_on(&token, a, enc, consumer);
            prop_assert_eq!(
                got.as_deref(),
                Ok(&payload[..]),
                "{} {}: encrypted on {}, decrypted on {}",
                algs()[a % algs().len()], enc, providers()[producer].name(), providers()[consumer].name()
            );
        }
    }

    #[test]
    fn any_single_byte_change_to_such_a_jwe_is_rejected(
        payload in proptest::collection::vec(any::<u8>(), 0..256),
        a in any::<usize>(),
        e in any::<usize>(),
        producer in 0..2usize,
        ser in 0..3usize,
        at in any::<Index>(),
        byte in any::<u8>(),
    ) {
        let (token, enc) = jwe_token(&payload, a, e, producer, ser);
        let mutated = mutate(&token, &at, byte);
        prop_assume!(mutated.is_some());
        let (i, bad) = mutated.unwrap();
        for consumer in 0..2 {
            let got = decrypt_on(&bad, a, enc, consumer);
            prop_assert!(
                got.is_err(),
                "{} {} encrypted on {}: byte {} changed to {:#04x} was accepted on {}\n{}",
                algs()[a % algs().len()], enc, providers()[producer].name(), i, byte,
                providers()[consumer].name(), bad
            );
        }
    }

    #[test]
    fn hmac_round_trips_and_any_single_byte_change_is_rejected(
        payload in proptest::collection::vec(any::<u8>(), 0..512),
        h in 0..3usize,
        producer in 0..2usize,
        ser in 0..3usize,
        at in any::<Index>(),
        byte in any::<u8>(),
    ) {
        let token = jws_token(&payload, h, producer, ser);
        for consumer in 0..2 {
            let got = verify_on(&token, h, consumer);
            prop_assert_eq!(got.as_deref(), Ok(&payload[..]));
        }
        let mutated = mutate(&token, &at, byte);
        prop_assume!(mutated.is_some());
        let (i, bad) = mutated.unwrap();
        for consumer in 0..2 {
            let got = verify_on(&bad, h, consumer);
            prop_assert!(
                got.is_err(),
                "{} signed on {}: byte {} changed to {:#04x} was accepted on {}\n{}",
                JwsAlgorithm::HMAC[h], providers()[producer].name(), i, byte,
                providers()[consumer].name(), bad
            );
        }
    }
}
