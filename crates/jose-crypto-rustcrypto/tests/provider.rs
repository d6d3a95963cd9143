//! The RustCrypto provider against jose-core's provider contract: the shared conformance suite
//! (jose-provider-tests, one test per rule in `conformance::*`), plus what only this provider
//! promises: its names, its `Debug` output and the wording of its errors.

// clippy.toml lets `#[test]` functions unwrap, index and panic; the helpers below follow the same
// policy.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use jose_core::{ContentEncryption, CryptoProvider, Error, JwsAlgorithm};
use jose_crypto_rustcrypto::{RUSTCRYPTO, RustCryptoProvider, provider};
use jose_provider_tests::fixtures;

// Through the static rather than provider(): the suite takes anything that coerces to
// `&dyn CryptoProvider`.
jose_provider_tests::conformance!(&RUSTCRYPTO);

fn assert_invalid_key<T: std::fmt::Debug>(r: Result<T, Error>) -> (String, String) {
    match r {
        Err(Error::InvalidKey { expected, found }) => (expected, found),
        other => panic!("expected InvalidKey, got {other:?}"),
    }
}

// Provider-specific: the names and types are this crate's API.
#[test]
fn identity() {
    assert_eq!(provider().name(), "rustcrypto");
    assert_eq!(RUSTCRYPTO.name(), RustCryptoProvider.name());
    assert_eq!(format!("{:?}", RustCryptoProvider), "RustCryptoProvider");
}

// Provider-specific: the suite checks that `Debug` holds no key material; the exact output (type
// names, the kind) is this provider's.
#[test]
fn debug_output_shows_only_the_kind() {
    let rsa = provider()
        .import_private_pkcs8(fixtures::OPENSSL_RSA2048_PKCS8)
        .unwrap();
    let ec = provider()
        .import_private_pkcs8(fixtures::OPENSSL_P256_PKCS8)
        .unwrap();
    assert_eq!(
        format!("{rsa:?}"),
        "RsaPrivateKey { kind: Rsa { bits: 2048 }, .. }"
    );
    assert_eq!(format!("{ec:?}"), "EcPrivateKey { kind: Ec(P256), .. }");
    assert_eq!(
        format!("{:?}", ec.public_key()),
        "EcPublicKey { kind: Ec(P256), .. }"
    );
    assert_eq!(
        format!("{:?}", rsa.public_key()),
        "RsaPublicKey { kind: Rsa { bits: 2048 }, .. }"
    );
}

// Provider-specific: the suite checks the error variants and that messages name the facts (the
// algorithm, the key, the sizes, the curve); these are this provider's own phrases.
#[test]
fn error_wording() {
    // An algorithm that does not fit the key.
    let es256 = provider()
        .import_private_pkcs8(fixtures::OPENSSL_P256_PKCS8)
        .unwrap();
    let (expected, found) = assert_invalid_key(es256.sign(JwsAlgorithm::Es384, b"m"));
    assert_eq!(expected, "a key for ES384");
    assert_eq!(found, "EC P-256 key");

    // AEAD seal with a key or IV of the wrong length.
    for &enc in ContentEncryption::GCM {
        let key = vec![0u8; enc.key_len()];
        match provider().aead_seal(enc, &key[1..], &[0; 12], b"", b"pt") {
            Err(Error::InvalidRequest(msg)) => {
                assert!(
                    msg.contains(&format!("{}-byte key", enc.key_len())),
                    "{msg}"
                );
                assert!(
                    msg.contains(&format!("found {} bytes", enc.key_len() - 1)),
                    "{msg}"
                );
            }
            other => panic!("{other:?}"),
        }
        match provider().aead_seal(enc, &key, &[0; 16], b"", b"pt") {
            Err(Error::InvalidRequest(msg)) => {
                assert!(
                    msg.contains("12-byte IV") && msg.contains("found 16"),
                    "{msg}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    // A point off the curve (the OpenSSL P-384 key with y changed).
    let spki = provider()
        .import_private_pkcs8(fixtures::OPENSSL_P384_PKCS8)
        .unwrap()
        .public_key()
        .to_spki_der()
        .unwrap();
    let mut off_curve = spki.clone();
    let last = off_curve.len() - 1;
    off_curve[last] ^= 1;
    let (_, found) = assert_invalid_key(provider().import_public_spki(&off_curve));
    assert!(found.contains("not on the curve"), "{found}");
}
