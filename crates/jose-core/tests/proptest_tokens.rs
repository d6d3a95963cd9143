//! Property tests on both providers: any payload round-trips through every serialization (JWS
//! ES256 and RS256, JWE RSA-OAEP-256 + A128GCM, produced on one provider and consumed on both),
//! and any single-byte change to a valid token is rejected, without a panic.

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
    ContentEncryption, DecryptingKey, EcCurve, Error, JwsAlgorithm, KeyManagementAlgorithm,
    KeySpec, Limits, PrivateKey, SigningKey, VerifyingKey,
};
use proptest::prelude::*;
use proptest::sample::Index;
use std::sync::OnceLock;

/// Keys, each the same key on both providers (index as in `providers()`).
struct Keys {
    es256: [SigningKey; 2],
    rs256: [SigningKey; 2],
    decrypt: [DecryptingKey; 2],
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let ec = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), providers()[1])
            .unwrap()
            .with_kid("ec");
        let ec = [transfer(&ec, providers()[0]), ec];
        let rsa = rsa_keys_2();
        Keys {
            es256: ec.map(|k| SigningKey::new(k, JwsAlgorithm::Es256).unwrap()),
            rs256: rsa
                .clone()
                .map(|k| SigningKey::new(k.with_kid("rsa"), JwsAlgorithm::Rs256).unwrap()),
            decrypt: rsa.clone().map(|k| {
                DecryptingKey::new(k.with_kid("rsa"), KeyManagementAlgorithm::RsaOaep256).unwrap()
            }),
        }
    })
}

fn signer(es: bool, i: usize) -> &'static SigningKey {
    if es {
        &keys().es256[i]
    } else {
        &keys().rs256[i]
    }
}

/// Both verifying keys (ES256 and RS256) for provider `i`.
fn verifiers(i: usize) -> [VerifyingKey; 2] {
    [
        keys().es256[i].verifying_key(),
        keys().rs256[i].verifying_key(),
    ]
}

fn config() -> ProptestConfig {
    let mut c = ProptestConfig::with_cases(64);
    // Do not write proptest-regressions/ files into the source tree; a failure prints its case.
    c.failure_persistence = None;
    c
}

fn jws_token(payload: &[u8], es: bool, i: usize, serialization: usize) -> String {
    let jws = JwsBuilder::new(payload)
        .signer(signer(es, i))
        .sign()
        .unwrap();
    match serialization {
        0 => jws.to_compact(),
        1 => jws.to_flattened_json(),
        _ => jws.to_general_json(),
    }
    .unwrap()
}

fn jwe_token(payload: &[u8], i: usize, serialization: usize) -> String {
    let ek = keys().decrypt[i].encrypting_key();
    let jwe = JweBuilder::new(ContentEncryption::A128Gcm)
        .recipient(&ek)
        .encrypt(payload, providers()[i])
        .unwrap();
    match serialization {
        0 => jwe.to_compact(),
        1 => jwe.to_flattened_json(),
        _ => jwe.to_general_json(),
    }
    .unwrap()
}

fn verify_on(token: &str, consumer: usize) -> Result<Vec<u8>, Error> {
    Jws::parse(token, &Limits::default())
        .and_then(|j| j.verify(verifiers(consumer)).map(<[u8]>::to_vec))
}

fn decrypt_on(token: &str, consumer: usize) -> Result<Vec<u8>, Error> {
    Jwe::parse(token, &Limits::default())
        .and_then(|j| {
            j.decrypt(
                [&keys().decrypt[consumer]],
                &[ContentEncryption::A128Gcm],
                providers()[consumer],
            )
        })
        .map(|d| d.plaintext.to_vec())
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

const SERIALIZATIONS: [&str; 3] = ["compact", "flattened", "general"];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn jws_round_trips_in_every_serialization(payload in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for es in [true, false] {
            let alg = if es { "ES256" } else { "RS256" };
            for producer in 0..2 {
                for (ser, name) in SERIALIZATIONS.iter().enumerate() {
                    let token = jws_token(&payload, es, producer, ser);
                    for consumer in 0..2 {
                        let got = verify_on(&token, consumer);
                        prop_assert_eq!(
                            got.as_deref(),
                            Ok(&payload[..]),
                            "{} {}: signed on {}, verified on {}",
                            alg, name, providers()[producer].name(), providers()[consumer].name()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn jwe_round_trips_in_every_serialization(payload in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for producer in 0..2 {
            for (ser, name) in SERIALIZATIONS.iter().enumerate() {
                let token = jwe_token(&payload, producer, ser);
                for consumer in 0..2 {
                    let got = decrypt_on(&token, consumer);
                    prop_assert_eq!(
                        got.as_deref(),
                        Ok(&payload[..]),
                        "RSA-OAEP-256/A128GCM {}: encrypted on {}, decrypted on {}",
                        name, providers()[producer].name(), providers()[consumer].name()
                    );
                }
            }
        }
    }

    #[test]
    fn any_single_byte_change_to_a_jws_is_rejected(
        payload in proptest::collection::vec(any::<u8>(), 0..512),
        es in any::<bool>(),
        producer in 0..2usize,
        ser in 0..3usize,
        at in any::<Index>(),
        byte in any::<u8>(),
    ) {
        let token = jws_token(&payload, es, producer, ser);
        let control = verify_on(&token, 1 - producer);
        prop_assert_eq!(control.as_deref(), Ok(&payload[..]), "control");
        let mutated = mutate(&token, &at, byte);
        prop_assume!(mutated.is_some());
        let (i, bad) = mutated.unwrap();
        for consumer in 0..2 {
            let got = verify_on(&bad, consumer);
            prop_assert!(
                got.is_err(),
                "{} {} signed on {}: byte {} changed to {:#04x} was accepted on {} with payload {:?}\n{}",
                if es { "ES256" } else { "RS256" }, SERIALIZATIONS[ser], providers()[producer].name(),
                i, byte, providers()[consumer].name(), got, bad
            );
        }
    }

    #[test]
    fn any_single_byte_change_to_a_jwe_is_rejected(
        payload in proptest::collection::vec(any::<u8>(), 0..512),
        producer in 0..2usize,
        ser in 0..3usize,
        at in any::<Index>(),
        byte in any::<u8>(),
    ) {
        let token = jwe_token(&payload, producer, ser);
        let control = decrypt_on(&token, 1 - producer);
        prop_assert_eq!(control.as_deref(), Ok(&payload[..]), "control");
        let mutated = mutate(&token, &at, byte);
        prop_assume!(mutated.is_some());
        let (i, bad) = mutated.unwrap();
        for consumer in 0..2 {
            let got = decrypt_on(&bad, consumer);
            prop_assert!(
                got.is_err(),
                "JWE {} encrypted on {}: byte {} changed to {:#04x} was accepted on {} with plaintext {:?}\n{}",
                SERIALIZATIONS[ser], providers()[producer].name(), i, byte, providers()[consumer].name(), got, bad
            );
        }
    }
}
