//! The aws-lc-rs provider against jose-core's provider contract: the shared conformance suite
//! (jose-provider-tests, one test per rule in `conformance::*`), plus what only this provider
//! promises: its names, its `Debug` output and the wording of its errors.

// Test code: a failing test should fail loudly (clippy.toml allows this inside #[test] functions;
// this extends it to the helpers of this file).
#![allow(clippy::unwrap_used, clippy::panic)]

use jose_core::alg::{ContentEncryption, KeyManagementAlgorithm};
use jose_core::{CryptoProvider, Error};
use jose_crypto_awslc::{AWS_LC, AwsLcProvider, provider};
use jose_provider_tests::fixtures;

jose_provider_tests::conformance!(provider());

/// The whole message of an `InvalidKey`, or a panic.
fn invalid_key_message<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(e @ Error::InvalidKey { .. }) => e.to_string(),
        other => panic!("expected InvalidKey, got {other:?}"),
    }
}

// Provider-specific: the names and types are this crate's API.
#[test]
fn identity() {
    assert_eq!(provider().name(), "aws-lc");
    assert_eq!(AWS_LC.name(), "aws-lc");
    let made: AwsLcProvider = Default::default();
    assert_eq!(made.name(), "aws-lc");
    assert_eq!(format!("{:?}", AWS_LC), "AwsLcProvider");
}

// Provider-specific: the suite checks that `Debug` holds no key material; the exact output (type
// names, the kind) is this provider's.
#[test]
fn debug_output_is_the_kind_only() {
    let key = provider()
        .import_private_pkcs8(fixtures::RFC7515_A3_P256_PKCS8)
        .unwrap();
    assert_eq!(format!("{key:?}"), "AwsLcPrivateKey { kind: Ec(P256), .. }");
    assert_eq!(
        format!("{:?}", key.public_key()),
        "AwsLcPublicKey { kind: Ec(P256), .. }"
    );
    let rsa = provider()
        .import_private_pkcs8(fixtures::OPENSSL_RSA2048_PKCS8)
        .unwrap();
    assert_eq!(
        format!("{rsa:?}"),
        "AwsLcPrivateKey { kind: Rsa { bits: 2048 }, .. }"
    );
}

// Provider-specific: the suite checks the error variants and that messages name the facts (the
// sizes, the algorithm, the curve); these are this provider's own phrases.
#[test]
fn error_wording() {
    // A CEK too long for OAEP: the message names the limit (190) as well as the size found.
    let public = provider()
        .import_private_pkcs8(fixtures::OPENSSL_RSA2048_PKCS8)
        .unwrap()
        .public_key();
    let err = public
        .wrap_key(KeyManagementAlgorithm::RsaOaep256, &[0; 191])
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("190") && m.contains("191")),
        "{err}"
    );

    // AEAD seal with a key or IV of the wrong length.
    for &enc in ContentEncryption::GCM {
        let key = vec![1u8; enc.key_len()];
        let err = provider()
            .aead_seal(enc, &key[1..], &[0; 12], b"", b"p")
            .unwrap_err();
        let expected = format!(
            "{}-byte key, found {} bytes",
            enc.key_len(),
            enc.key_len() - 1
        );
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.contains(&expected) && m.contains(enc.name())),
            "{err}"
        );
        let err = provider()
            .aead_seal(enc, &key, &[0; 16], b"", b"p")
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.contains("12-byte IV, found 16 bytes")),
            "{err}"
        );
    }

    // RSA keys too small, exponents refused.
    for message in [
        invalid_key_message(provider().import_private_pkcs8(fixtures::TEST_ONLY_RSA1024_PKCS8)),
        invalid_key_message(provider().import_public_spki(fixtures::TEST_ONLY_RSA1024_SPKI)),
    ] {
        assert!(message.contains("1024 bits"), "{message}");
    }
    for (spki, needle) in [
        (fixtures::TEST_ONLY_RSA2048_E1_SPKI, "exponent 1"),
        (fixtures::TEST_ONLY_RSA2048_E65536_SPKI, "exponent 65536"),
    ] {
        let message = invalid_key_message(provider().import_public_spki(spki));
        assert!(
            message.contains(needle),
            "{message:?} does not mention {needle:?}"
        );
    }
}
