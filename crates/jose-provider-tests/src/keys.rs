//! Keys: [`CryptoProvider::import_private_pkcs8`], [`CryptoProvider::import_public_spki`],
//! [`CryptoProvider::generate`], the exports [`PrivateKeyOps::to_pkcs8_der`] and
//! [`PublicKeyOps::to_spki_der`](jose_core::PublicKeyOps::to_spki_der), and what keys and errors
//! show of themselves.
//!
//! The contract: PKCS#8 v1 and SPKI DER in and out (EC keys with the public key, EC points
//! uncompressed); RSA keys below [`MIN_RSA_BITS`] refused on import and generation; anything else
//! malformed or unsupported is [`Error::InvalidKey`](jose_core::Error::InvalidKey); `Debug`
//! output and error messages never contain key material.

use crate::sign::{fixture_ec_key, fixture_key};
use crate::vectors::{b64, json};
use crate::{fixtures, flipped, invalid_key, invalid_key_naming, joined, ok};
use jose_core::alg::MIN_RSA_BITS;
use jose_core::{
    CryptoProvider, EcCurve, JwsAlgorithm, KeyKind, KeyManagementAlgorithm, KeySpec, OkpCurve,
    PrivateKeyOps,
};
use std::sync::Arc;

/// Imports a fixture key, naming it on failure.
fn import(provider: &dyn CryptoProvider, der: &[u8], name: &str) -> Arc<dyn PrivateKeyOps> {
    ok(
        provider,
        provider.import_private_pkcs8(der),
        format_args!("import the fixture key {name}"),
    )
}

/// Export to PKCS#8 and SPKI, import both again: same kind, same DER (the export is stable), EC
/// points uncompressed and included in the PKCS#8, RSA PKCS#8 version 1 (v1, no public key),
/// Ed25519 and X25519 PKCS#8 v1 of 48 bytes (RFC 8410) and SPKI of 44 bytes. For generated keys
/// and for imported ones.
pub fn export_import_round_trip(provider: &dyn CryptoProvider) {
    let mut keys: Vec<(String, Arc<dyn PrivateKeyOps>)> = vec![(
        "a generated RSA 2048 key".to_owned(),
        ok(
            provider,
            provider.generate(KeySpec::Rsa { bits: 2048 }),
            "generate an RSA 2048 key",
        ),
    )];
    for &curve in EcCurve::ALL {
        keys.push((
            format!("a generated {curve} key"),
            ok(
                provider,
                provider.generate(KeySpec::Ec(curve)),
                format_args!("generate a {curve} key"),
            ),
        ));
    }
    for &curve in OkpCurve::ALL {
        keys.push((
            format!("a generated {curve} key"),
            ok(
                provider,
                provider.generate(KeySpec::Okp(curve)),
                format_args!("generate an {curve} key"),
            ),
        ));
    }
    for (name, der) in [
        ("OpenSSL Ed25519", fixtures::OPENSSL_ED25519_PKCS8),
        ("OpenSSL X25519", fixtures::OPENSSL_X25519_PKCS8),
        (
            "pyca/cryptography Ed25519",
            fixtures::TEST_ONLY_ED25519_PKCS8,
        ),
        ("RFC 7515 A.2", fixtures::RFC7515_A2_RSA2048_PKCS8),
        ("RFC 7515 A.3", fixtures::RFC7515_A3_P256_PKCS8),
        ("OpenSSL RSA 2048", fixtures::OPENSSL_RSA2048_PKCS8),
        ("OpenSSL P-256", fixtures::OPENSSL_P256_PKCS8),
        ("OpenSSL P-384", fixtures::OPENSSL_P384_PKCS8),
        ("OpenSSL P-521", fixtures::OPENSSL_P521_PKCS8),
    ] {
        keys.push((format!("the {name} key"), import(provider, der, name)));
    }

    for (name, key) in keys {
        let spki = ok(
            provider,
            key.public_key().to_spki_der(),
            format_args!("SPKI of {name}"),
        );
        let pkcs8 = ok(
            provider,
            key.to_pkcs8_der(),
            format_args!("PKCS#8 of {name}"),
        );
        let again = ok(
            provider,
            provider.import_private_pkcs8(&pkcs8),
            format_args!("import the PKCS#8 export of {name}"),
        );
        ensure_eq!(
            provider,
            again.kind(),
            key.kind(),
            "{name}: kind after a PKCS#8 round trip"
        );
        ensure_eq!(
            provider,
            ok(
                provider,
                again.public_key().to_spki_der(),
                format_args!("SPKI of {name} after a PKCS#8 round trip"),
            ),
            spki,
            "{name}: SPKI after a PKCS#8 round trip"
        );
        ensure_eq!(
            provider,
            ok(
                provider,
                again.to_pkcs8_der(),
                format_args!("PKCS#8 of {name} after a PKCS#8 round trip"),
            )
            .as_slice(),
            pkcs8.as_slice(),
            "{name}: the PKCS#8 export is stable"
        );
        let public = ok(
            provider,
            provider.import_public_spki(&spki),
            format_args!("import the SPKI export of {name}"),
        );
        ensure_eq!(
            provider,
            public.kind(),
            key.kind(),
            "{name}: kind after an SPKI round trip"
        );
        ensure_eq!(
            provider,
            ok(
                provider,
                public.to_spki_der(),
                format_args!("SPKI of {name} after an SPKI round trip"),
            ),
            spki,
            "{name}: the SPKI export is stable"
        );
        match key.kind() {
            KeyKind::Okp(curve) => {
                // SEQUENCE (48 bytes), INTEGER 0, the algorithm alone, OCTET STRING (34) wrapping
                // the 32-byte OCTET STRING of the seed: RFC 8410, version 1.
                ensure_eq!(provider, pkcs8.len(), 48, "{name}: PKCS#8 length");
                let mut head = vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03];
                head.extend_from_slice(curve.oid());
                head.extend_from_slice(&[0x04, 0x22, 0x04, 0x20]);
                ensure_eq!(
                    provider,
                    &pkcs8[..16],
                    head.as_slice(),
                    "{name}: the PKCS#8 export is RFC 8410 version 1"
                );
                ensure_eq!(provider, spki.len(), 44, "{name}: SPKI length");
            }
            KeyKind::Ec(curve) => {
                let point = &spki[spki.len() - (2 * curve.coordinate_len() + 1)..];
                ensure_eq!(
                    provider,
                    point[0],
                    0x04,
                    "{name}: the SPKI ends with an uncompressed point"
                );
                ensure!(
                    provider,
                    pkcs8.windows(point.len()).any(|window| window == point),
                    "{name}: the PKCS#8 export includes the public key"
                );
            }
            KeyKind::Rsa { .. } => {
                // SEQUENCE (long form, two length bytes), INTEGER 0: PKCS#8 version 1.
                ensure_eq!(
                    provider,
                    &pkcs8[..7],
                    &[0x30, 0x82, pkcs8[2], pkcs8[3], 0x02, 0x01, 0x00],
                    "{name}: the PKCS#8 export is version 1"
                );
            }
        }
    }
}

/// The published RFC keys and the OpenSSL keys import with the right kind and export exactly the
/// DER OpenSSL writes: the SPKI of the RFC fixtures, and PKCS#8 byte for byte (EC: the public key
/// included, no curve parameters inside the ECPrivateKey).
pub fn fixture_keys_import_and_export_the_same_der(provider: &dyn CryptoProvider) {
    for (name, pkcs8, spki, kind) in [
        (
            "RFC 7515 A.2",
            fixtures::RFC7515_A2_RSA2048_PKCS8,
            Some(fixtures::RFC7515_A2_RSA2048_SPKI),
            KeyKind::Rsa { bits: 2048 },
        ),
        (
            "RFC 7515 A.3",
            fixtures::RFC7515_A3_P256_PKCS8,
            Some(fixtures::RFC7515_A3_P256_SPKI),
            KeyKind::Ec(EcCurve::P256),
        ),
        (
            "RFC 7515 A.4",
            fixtures::RFC7515_A4_P521_PKCS8,
            Some(fixtures::RFC7515_A4_P521_SPKI),
            KeyKind::Ec(EcCurve::P521),
        ),
        (
            "RFC 7516 A.1",
            fixtures::RFC7516_A1_RSA2048_PKCS8,
            None,
            KeyKind::Rsa { bits: 2048 },
        ),
        (
            "OpenSSL RSA 2048",
            fixtures::OPENSSL_RSA2048_PKCS8,
            None,
            KeyKind::Rsa { bits: 2048 },
        ),
        (
            "OpenSSL P-256",
            fixtures::OPENSSL_P256_PKCS8,
            None,
            KeyKind::Ec(EcCurve::P256),
        ),
        (
            "OpenSSL P-384",
            fixtures::OPENSSL_P384_PKCS8,
            None,
            KeyKind::Ec(EcCurve::P384),
        ),
        (
            "OpenSSL P-521",
            fixtures::OPENSSL_P521_PKCS8,
            None,
            KeyKind::Ec(EcCurve::P521),
        ),
        (
            "OpenSSL Ed25519",
            fixtures::OPENSSL_ED25519_PKCS8,
            Some(fixtures::OPENSSL_ED25519_SPKI),
            KeyKind::Okp(OkpCurve::Ed25519),
        ),
        (
            "OpenSSL X25519",
            fixtures::OPENSSL_X25519_PKCS8,
            Some(fixtures::OPENSSL_X25519_SPKI),
            KeyKind::Okp(OkpCurve::X25519),
        ),
        (
            "OpenSSL X25519 (peer)",
            fixtures::OPENSSL_X25519_PEER_PKCS8,
            Some(fixtures::OPENSSL_X25519_PEER_SPKI),
            KeyKind::Okp(OkpCurve::X25519),
        ),
    ] {
        let key = import(provider, pkcs8, name);
        ensure_eq!(provider, key.kind(), kind, "{name}: kind");
        ensure_eq!(
            provider,
            ok(
                provider,
                key.to_pkcs8_der(),
                format_args!("PKCS#8 of the {name} key")
            )
            .as_slice(),
            pkcs8,
            "{name}: the PKCS#8 export is the fixture's DER"
        );
        if let Some(spki) = spki {
            ensure_eq!(
                provider,
                ok(
                    provider,
                    key.public_key().to_spki_der(),
                    format_args!("SPKI of the {name} key")
                )
                .as_slice(),
                spki,
                "{name}: the SPKI export is the fixture's DER"
            );
            let public = ok(
                provider,
                provider.import_public_spki(spki),
                format_args!("import the {name} SPKI"),
            );
            ensure_eq!(provider, public.kind(), kind, "{name}: kind of the SPKI");
        }
    }
}

/// EC public keys export as named-curve SPKI with an uncompressed point (91, 120 and 158 bytes on
/// P-256, P-384 and P-521), and every key reports its kind.
pub fn ec_spki_is_uncompressed(provider: &dyn CryptoProvider) {
    for (curve, len) in [
        (EcCurve::P256, 91),
        (EcCurve::P384, 120),
        (EcCurve::P521, 158),
    ] {
        let key = fixture_ec_key(provider, curve);
        ensure_eq!(provider, key.kind(), KeyKind::Ec(curve), "{curve}: kind");
        let spki = ok(
            provider,
            key.public_key().to_spki_der(),
            format_args!("SPKI of a {curve} key"),
        );
        ensure_eq!(provider, spki.len(), len, "{curve}: SPKI length");
        let point_len = 1 + 2 * curve.coordinate_len();
        ensure_eq!(
            provider,
            spki[spki.len() - point_len],
            0x04,
            "{curve}: the SPKI point is uncompressed"
        );
    }
    ensure_eq!(
        provider,
        fixture_key(provider, JwsAlgorithm::Rs256).kind(),
        KeyKind::Rsa { bits: 2048 },
        "RSA 2048: kind"
    );
}

/// An EC PKCS#8 without the optional public key is accepted: the public key is derived, and the
/// export includes it.
pub fn ec_pkcs8_without_public_key_is_accepted(provider: &dyn CryptoProvider) {
    let key = import(
        provider,
        fixtures::TEST_ONLY_P256_NO_PUBLIC_PKCS8,
        "TEST_ONLY_P256_NO_PUBLIC_PKCS8",
    );
    ensure_eq!(
        provider,
        ok(
            provider,
            key.public_key().to_spki_der(),
            "SPKI of a P-256 key imported without its public key"
        ),
        fixtures::RFC7515_A3_P256_SPKI,
        "the derived public key"
    );
    ensure_eq!(
        provider,
        ok(
            provider,
            key.to_pkcs8_der(),
            "PKCS#8 of a P-256 key imported without its public key"
        )
        .as_slice(),
        fixtures::RFC7515_A3_P256_PKCS8,
        "the PKCS#8 export includes the public key"
    );
    let signature = ok(
        provider,
        key.sign(JwsAlgorithm::Es256, b"m"),
        "ES256: sign with a P-256 key imported without its public key",
    );
    let public = ok(
        provider,
        provider.import_public_spki(fixtures::RFC7515_A3_P256_SPKI),
        "import the RFC 7515 A.3 SPKI",
    );
    ok(
        provider,
        public.verify(JwsAlgorithm::Es256, b"m", &signature),
        "ES256: verify with the RFC 7515 A.3 public key",
    );
}

/// An EC PKCS#8 whose public key is not the private key's is
/// [`Error::InvalidKey`](jose_core::Error::InvalidKey) expecting a key on its curve: the fixture,
/// and the OpenSSL P-256 key with a fresh key's point put in.
pub fn ec_pkcs8_with_a_foreign_public_key_is_refused(provider: &dyn CryptoProvider) {
    invalid_key_naming(
        provider,
        provider.import_private_pkcs8(fixtures::TEST_ONLY_P256_MISMATCHED_PUBLIC_PKCS8),
        &["P-256"],
        &[],
        "import TEST_ONLY_P256_MISMATCHED_PUBLIC_PKCS8",
    );

    let own = ok(
        provider,
        fixture_ec_key(provider, EcCurve::P256)
            .public_key()
            .to_spki_der(),
        "SPKI of the OpenSSL P-256 key",
    );
    let other = ok(
        provider,
        provider.generate(KeySpec::Ec(EcCurve::P256)),
        "generate a P-256 key",
    );
    let foreign = ok(
        provider,
        other.public_key().to_spki_der(),
        "SPKI of a generated P-256 key",
    );
    let own_point = &own[own.len() - 65..];
    let foreign_point = &foreign[foreign.len() - 65..];
    let Some(at) = fixtures::OPENSSL_P256_PKCS8
        .windows(65)
        .position(|window| window == own_point)
    else {
        panic!("the OpenSSL P-256 fixture holds its public point");
    };
    let mut der = fixtures::OPENSSL_P256_PKCS8.to_vec();
    der[at..at + 65].copy_from_slice(foreign_point);
    invalid_key_naming(
        provider,
        provider.import_private_pkcs8(&der),
        &["P-256"],
        &[],
        "import the OpenSSL P-256 key with another key's public point",
    );
}

/// RSA keys below [`MIN_RSA_BITS`] are [`Error::InvalidKey`](jose_core::Error::InvalidKey) on
/// import (PKCS#8 and SPKI) and on generation: `expected` names 2048, `found` the size.
pub fn rsa_below_2048_bits_is_refused(provider: &dyn CryptoProvider) {
    let min = MIN_RSA_BITS.to_string();
    invalid_key_naming(
        provider,
        provider.import_private_pkcs8(fixtures::TEST_ONLY_RSA1024_PKCS8),
        &[&min],
        &["1024"],
        "import an RSA 1024 PKCS#8",
    );
    invalid_key_naming(
        provider,
        provider.import_public_spki(fixtures::TEST_ONLY_RSA1024_SPKI),
        &[&min],
        &["1024"],
        "import an RSA 1024 SPKI",
    );
    for bits in [1024, 2047] {
        invalid_key_naming(
            provider,
            provider.generate(KeySpec::Rsa { bits }),
            &[&min],
            &[&bits.to_string()],
            format_args!("generate an RSA {bits} key"),
        );
    }
}

/// An RSA public key whose exponent is 1 or even is
/// [`Error::InvalidKey`](jose_core::Error::InvalidKey) whose `found` names the exponent.
pub fn rsa_public_exponent_must_be_odd_and_at_least_3(provider: &dyn CryptoProvider) {
    for (exponent, spki) in [
        ("1", fixtures::TEST_ONLY_RSA2048_E1_SPKI),
        ("65536", fixtures::TEST_ONLY_RSA2048_E65536_SPKI),
    ] {
        invalid_key_naming(
            provider,
            provider.import_public_spki(spki),
            &[],
            &[exponent],
            format_args!("import an RSA SPKI with public exponent {exponent}"),
        );
    }
}

/// An EC public point that is not on the curve (a coordinate changed, the point at zero), or is
/// compressed, is [`Error::InvalidKey`](jose_core::Error::InvalidKey): off the curve, `expected`
/// names the curve; compressed, `found` says "compressed".
pub fn ec_points_must_be_on_the_curve_and_uncompressed(provider: &dyn CryptoProvider) {
    let p256 = fixtures::RFC7515_A3_P256_SPKI;
    let mut zero = p256.to_vec();
    let len = zero.len();
    zero[len - 64..].fill(0);
    let p384 = ok(
        provider,
        fixture_ec_key(provider, EcCurve::P384)
            .public_key()
            .to_spki_der(),
        "SPKI of the OpenSSL P-384 key",
    );
    // The P-384 point compressed by hand: 0x02 or 0x03 by the parity of y, then x; the BIT STRING
    // and SEQUENCE lengths (both short form here) shrink by the length of y.
    let coord = EcCurve::P384.coordinate_len();
    let point_at = p384.len() - (1 + 2 * coord);
    let mut compressed = p384[..point_at].to_vec();
    compressed.push(0x02 | (p384[p384.len() - 1] & 1));
    compressed.extend_from_slice(&p384[point_at + 1..point_at + 1 + coord]);
    let shrink = u8::try_from(coord).unwrap_or_default();
    compressed[1] -= shrink;
    compressed[point_at - 2] -= shrink;

    // Off the curve: `expected` names the curve. Compressed: `found` says so. ("" asks nothing.)
    for (how, spki, expected, found) in [
        (
            "a P-256 point with y changed",
            flipped(p256, p256.len() - 1, 1),
            "P-256",
            "",
        ),
        ("the P-256 point (0, 0)", zero, "P-256", ""),
        (
            "a P-384 point with y changed",
            flipped(&p384, p384.len() - 1, 1),
            "P-384",
            "",
        ),
        (
            "a compressed P-256 point",
            fixtures::TEST_ONLY_P256_COMPRESSED_SPKI.to_vec(),
            "",
            "compressed",
        ),
        ("a compressed P-384 point", compressed, "", "compressed"),
    ] {
        invalid_key_naming(
            provider,
            provider.import_public_spki(&spki),
            &[expected],
            &[found],
            format_args!("import an SPKI with {how}"),
        );
    }
}

/// Malformed or unsupported DER is [`Error::InvalidKey`](jose_core::Error::InvalidKey), never a
/// panic or another error: garbage (the error says DER was expected and does not echo the
/// bytes), an Ed448 key (`found` names its OID), a public key where a private one is expected
/// and the other way round, every truncation of valid documents, valid documents with trailing
/// data.
pub fn malformed_and_unsupported_keys_are_invalid_key(provider: &dyn CryptoProvider) {
    let secretish = [0xa5u8; 48];
    let rsa = fixtures::OPENSSL_RSA2048_PKCS8;
    let p256 = fixtures::OPENSSL_P256_PKCS8;
    for (how, der) in [
        ("empty", &b""[..]),
        ("an empty SEQUENCE", b"\x30\x00"),
        ("an indefinite-length SEQUENCE", b"\x30\x80\x00\x00"),
        ("text", b"not DER at all"),
        ("64 bytes 0xff", &[0xff; 64]),
        ("48 bytes 0xa5", &secretish),
        ("an RSA PKCS#8 without its last byte", &rsa[..rsa.len() - 1]),
        ("a P-256 PKCS#8 without its first byte", &p256[1..]),
    ] {
        for (function, result) in [
            (
                "import_private_pkcs8",
                provider.import_private_pkcs8(der).map(drop),
            ),
            (
                "import_public_spki",
                provider.import_public_spki(der).map(drop),
            ),
        ] {
            let what = format!("{function} of {how}");
            let (expected, found) = invalid_key(provider, result, &what);
            ensure!(
                provider,
                expected.contains("DER") || found.contains("DER"),
                "{what}: InvalidKey must say DER was expected, got expected {expected:?}, found \
                 {found:?}"
            );
            for echo in ["a5", "A5", "165"] {
                ensure!(
                    provider,
                    !found.contains(echo),
                    "{what}: InvalidKey's `found` echoes the input ({echo:?}): {found:?}"
                );
            }
        }
    }

    invalid_key_naming(
        provider,
        provider.import_private_pkcs8(fixtures::TEST_ONLY_ED448_PKCS8),
        &[],
        &["1.3.101.113"],
        "import an Ed448 PKCS#8",
    );

    // A private key where a public one is expected, and the other way round.
    for (name, pkcs8, spki) in [
        (
            "RSA",
            fixtures::RFC7515_A2_RSA2048_PKCS8,
            fixtures::RFC7515_A2_RSA2048_SPKI,
        ),
        (
            "P-256",
            fixtures::RFC7515_A3_P256_PKCS8,
            fixtures::RFC7515_A3_P256_SPKI,
        ),
    ] {
        invalid_key(
            provider,
            provider.import_public_spki(pkcs8),
            format_args!("import_public_spki of an {name} PKCS#8"),
        );
        invalid_key(
            provider,
            provider.import_private_pkcs8(spki),
            format_args!("import_private_pkcs8 of an {name} SPKI"),
        );
    }

    // Every truncation, and trailing data, of valid documents.
    for (name, der) in [
        ("RSA PKCS#8", fixtures::RFC7515_A2_RSA2048_PKCS8),
        ("RSA SPKI", fixtures::RFC7515_A2_RSA2048_SPKI),
        ("P-521 PKCS#8", fixtures::RFC7515_A4_P521_PKCS8),
        ("P-521 SPKI", fixtures::RFC7515_A4_P521_SPKI),
        ("P-256 PKCS#8", fixtures::OPENSSL_P256_PKCS8),
    ] {
        for cut in 0..der.len() {
            invalid_key(
                provider,
                provider.import_private_pkcs8(&der[..cut]),
                format_args!("import_private_pkcs8 of the first {cut} bytes of a {name}"),
            );
            invalid_key(
                provider,
                provider.import_public_spki(&der[..cut]),
                format_args!("import_public_spki of the first {cut} bytes of a {name}"),
            );
        }
        let longer = joined(der, &[0]);
        invalid_key(
            provider,
            provider.import_private_pkcs8(&longer),
            format_args!("import_private_pkcs8 of a {name} with a byte appended"),
        );
        invalid_key(
            provider,
            provider.import_public_spki(&longer),
            format_args!("import_public_spki of a {name} with a byte appended"),
        );
    }
}

/// Ed25519 and X25519 DER that is not RFC 8410 is
/// [`Error::InvalidKey`](jose_core::Error::InvalidKey), never
/// a panic: every truncation and a byte appended (PKCS#8 and SPKI), a seed or public key of 31
/// or 33 bytes, the seed not wrapped in its own OCTET STRING, NULL parameters, an Ed448 SPKI
/// (`found` names 1.3.101.113), and a PKCS#8 v2 whose public key is not the seed's (the v2
/// with the right public key imports).
pub fn malformed_okp_keys_are_invalid_key(provider: &dyn CryptoProvider) {
    for (name, pkcs8, spki) in [
        (
            "Ed25519",
            fixtures::OPENSSL_ED25519_PKCS8,
            fixtures::OPENSSL_ED25519_SPKI,
        ),
        (
            "X25519",
            fixtures::OPENSSL_X25519_PKCS8,
            fixtures::OPENSSL_X25519_SPKI,
        ),
    ] {
        for (what, der) in [("PKCS#8", pkcs8), ("SPKI", spki)] {
            for cut in 0..der.len() {
                invalid_key(
                    provider,
                    provider.import_private_pkcs8(&der[..cut]),
                    format_args!(
                        "import_private_pkcs8 of the first {cut} bytes of an {name} {what}"
                    ),
                );
                invalid_key(
                    provider,
                    provider.import_public_spki(&der[..cut]),
                    format_args!("import_public_spki of the first {cut} bytes of an {name} {what}"),
                );
            }
            invalid_key(
                provider,
                provider.import_private_pkcs8(&joined(der, &[0])),
                format_args!("import_private_pkcs8 of an {name} {what} with a byte appended"),
            );
            invalid_key(
                provider,
                provider.import_public_spki(&joined(der, &[0])),
                format_args!("import_public_spki of an {name} {what} with a byte appended"),
            );
        }
        invalid_key(
            provider,
            provider.import_public_spki(pkcs8),
            format_args!("import_public_spki of an {name} PKCS#8"),
        );
        invalid_key(
            provider,
            provider.import_private_pkcs8(spki),
            format_args!("import_private_pkcs8 of an {name} SPKI"),
        );

        // The fixture is SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING { OCTET STRING (32) } }.
        let alg = &pkcs8[5..12];
        let seed = &pkcs8[16..48];
        let doc = |inner: &[u8], alg: &[u8], tail: &[u8]| {
            let body = [
                &[0x02, 0x01, u8::from(!tail.is_empty())][..],
                alg,
                inner,
                tail,
            ]
            .concat();
            let mut out = vec![0x30, u8::try_from(body.len()).unwrap_or(0)];
            out.extend(body);
            out
        };
        let octets = |bytes: &[u8]| {
            let mut out = vec![0x04, u8::try_from(bytes.len()).unwrap_or(0)];
            out.extend_from_slice(bytes);
            out
        };
        let short = octets(&octets(&seed[..31]));
        let long = octets(&octets(&joined(seed, &[0])));
        let bare = octets(seed);
        let with_null = [&[0x30, 0x07][..], &alg[2..], &[0x05, 0x00]].concat();
        let public = ok(
            provider,
            ok(
                provider,
                provider.import_private_pkcs8(pkcs8),
                format_args!("import the {name} fixture"),
            )
            .public_key()
            .to_spki_der(),
            format_args!("SPKI of the {name} fixture"),
        );
        let own_public = &public[public.len() - 32..];
        // [1] IMPLICIT BIT STRING (no unused bits) holding a public key.
        let v2_tail = |key: &[u8]| [&[0x81, 0x21, 0x00][..], key].concat();
        let right_v2 = doc(&octets(&octets(seed)), alg, &v2_tail(own_public));
        ok(
            provider,
            provider.import_private_pkcs8(&right_v2),
            format_args!("import an {name} PKCS#8 v2 with its own public key"),
        );
        let wrong_public = flipped(own_public, 0, 1);
        for (what, der) in [
            ("a 31-byte seed", doc(&short, alg, &[])),
            ("a 33-byte seed", doc(&long, alg, &[])),
            (
                "the seed without its own OCTET STRING",
                doc(&bare, alg, &[]),
            ),
            (
                "NULL parameters",
                doc(&octets(&octets(seed)), &with_null, &[]),
            ),
            (
                "a PKCS#8 v2 with another public key",
                doc(&octets(&octets(seed)), alg, &v2_tail(&wrong_public)),
            ),
            (
                "a PKCS#8 v2 with a 31-byte public key",
                doc(
                    &octets(&octets(seed)),
                    alg,
                    &[&[0x81, 0x20, 0x00][..], &own_public[..31]].concat(),
                ),
            ),
        ] {
            invalid_key(
                provider,
                provider.import_private_pkcs8(&der),
                format_args!("import an {name} PKCS#8 with {what}"),
            );
        }
        let spki_with = |key: &[u8]| {
            let bits = [
                &[0x03, u8::try_from(key.len() + 1).unwrap_or(0), 0x00][..],
                key,
            ]
            .concat();
            let body = [alg, &bits].concat();
            [&[0x30, u8::try_from(body.len()).unwrap_or(0)][..], &body].concat()
        };
        ok(
            provider,
            provider.import_public_spki(&spki_with(own_public)),
            format_args!("import an {name} SPKI rebuilt by hand"),
        );
        for len in [0, 31, 33, 64] {
            invalid_key(
                provider,
                provider.import_public_spki(&spki_with(&vec![9; len])),
                format_args!("import an {name} SPKI of a {len}-byte key"),
            );
        }
    }
    // Ed448 (1.3.101.113), with a 57-byte key.
    let mut ed448 = vec![
        0x30, 0x43, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71, 0x03, 0x3a, 0x00,
    ];
    ed448.extend([7; 57]);
    invalid_key_naming(
        provider,
        provider.import_public_spki(&ed448),
        &[],
        &["1.3.101.113"],
        "import an Ed448 SPKI",
    );
}

/// The private values of a key, by JWK member name.
type Secrets = Vec<(&'static str, Vec<u8>)>;

/// The RFC 7515 A.2 (RSA) and A.3 (P-256) keys as PKCS#8, each with its private values from the
/// JWK of the vector (RSA: `d`, `p`, `q`, `dp`, `dq`, `qi`; EC: `d`), and the RFC 8037 A.1
/// Ed25519 key (`d`, the seed) and A.6 X25519 key.
fn rfc_keys() -> [(&'static str, Vec<u8>, Secrets); 4] {
    let members = |vector: &str, names: &[&'static str]| {
        let key = &json(vector)["key"];
        names
            .iter()
            .map(|&name| {
                let value = key[name].as_str().unwrap_or_default();
                (name, b64(value, "a private key member"))
            })
            .collect()
    };
    let okp = |name: &str| {
        let jwk = &json(fixtures::RFC8037_A_JSON)[name];
        let d = b64(jwk["d"].as_str().unwrap_or_default(), "an OKP private key");
        let der = match jose_core::Jwk::from_json(&jwk.to_string(), &jose_core::Limits::default())
            .and_then(|jwk| jwk.to_private_der())
        {
            Ok(der) => der.pkcs8().to_vec(),
            Err(error) => panic!("the RFC 8037 {name} JWK converts to PKCS#8: {error}"),
        };
        (der, vec![("d", d)])
    };
    let (ed25519, ed25519_secrets) = okp("A.1_key");
    let (x25519, x25519_secrets) = okp("A.6_ephemeral");
    [
        (
            "RSA (RFC 7515 A.2)",
            fixtures::RFC7515_A2_RSA2048_PKCS8.to_vec(),
            members(
                fixtures::RFC7515_A2_RS256_JSON,
                &["d", "p", "q", "dp", "dq", "qi"],
            ),
        ),
        (
            "P-256 (RFC 7515 A.3)",
            fixtures::RFC7515_A3_P256_PKCS8.to_vec(),
            members(fixtures::RFC7515_A3_ES256_JSON, &["d"]),
        ),
        ("Ed25519 (RFC 8037 A.1)", ed25519, ed25519_secrets),
        ("X25519 (RFC 8037 A.6)", x25519, x25519_secrets),
    ]
}

/// The first piece of `secret` that `message` quotes, if any: any 4 bytes in a row in hex (any
/// case) or as `Debug` prints bytes (`1, 2, 3, 4`), or any 6 bytes in a row (at any alignment) in
/// base64 or base64url.
fn trace_of(message: &str, secret: &[u8]) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    for window in secret.windows(4) {
        let hex: String = window.iter().map(|b| format!("{b:02x}")).collect();
        let decimal = window
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        if lower.contains(&hex) {
            return Some(hex);
        }
        if message.contains(&decimal) {
            return Some(decimal);
        }
    }
    let url = message.replace('+', "-").replace('/', "_");
    for offset in 0..3 {
        let tail = &secret[offset.min(secret.len())..];
        let encoded = jose_core::b64::encode(tail);
        // Only whole 3-byte groups encode the same inside a longer text.
        let whole = 4 * (tail.len() / 3);
        for start in (0..whole.saturating_sub(4)).step_by(4) {
            let piece = &encoded[start..start + 8];
            if url.contains(piece) {
                return Some(piece.to_owned());
            }
        }
    }
    None
}

/// Panics if `message` is long or quotes a private value of its key.
#[track_caller]
fn check_message(
    provider: &dyn CryptoProvider,
    message: &str,
    secrets: &[(&str, Vec<u8>)],
    what: &str,
) {
    ensure!(
        provider,
        message.len() < 200,
        "{what}: {} characters, a message must stay short",
        message.len()
    );
    for (name, secret) in secrets {
        if let Some(trace) = trace_of(message, secret) {
            panic!(
                "{}: {what}: the message quotes {trace:?}, a piece of the private value `{name}`: \
                 {message:?}",
                crate::who(provider)
            );
        }
    }
}

/// Errors about a key never quote it: importing a tampered RSA or EC private key (a byte
/// flipped, cut short, extended) gives a short message that quotes none of the private values (in
/// hex, as a byte list, in base64), and garbage is not echoed back.
pub fn errors_never_show_key_material(provider: &dyn CryptoProvider) {
    for (name, pkcs8, secrets) in rfc_keys() {
        let pkcs8 = pkcs8.as_slice();
        let last = pkcs8.len() - 1;
        for (how, der) in [
            ("its last byte flipped", flipped(pkcs8, last, 1)),
            ("its last byte cut", pkcs8[..last].to_vec()),
            (
                "two bytes flipped",
                flipped(&flipped(pkcs8, last, 1), 40, 0x80),
            ),
            ("a byte appended", joined(pkcs8, &[0])),
        ] {
            let message = match provider.import_private_pkcs8(&der) {
                Ok(key) => format!("{key:?}"),
                Err(error) => error.to_string(),
            };
            check_message(
                provider,
                &message,
                &secrets,
                &format!("import a PKCS#8 of {name} with {how}"),
            );
        }
    }

    // 0xa5 bytes as garbage: no part of the message echoes them.
    let secretish = [0xa5u8; 48];
    for (function, result) in [
        (
            "import_private_pkcs8",
            provider.import_private_pkcs8(&secretish).map(drop),
        ),
        (
            "import_public_spki",
            provider.import_public_spki(&secretish).map(drop),
        ),
    ] {
        let what = format!("{function} of 48 bytes 0xa5");
        let (expected, found) = invalid_key(provider, result, &what);
        for echo in ["a5", "A5", "165"] {
            ensure!(
                provider,
                !expected.contains(echo) && !found.contains(echo),
                "{what}: the message echoes the input ({echo:?}): expected {expected:?}, found \
                 {found:?}"
            );
        }
    }
}

/// `Debug` of private and public keys, RSA, EC, Ed25519 and X25519, is short and quotes none of
/// the private values (in hex, as a byte list, in base64).
pub fn debug_never_shows_key_material(provider: &dyn CryptoProvider) {
    for (name, pkcs8, secrets) in rfc_keys() {
        let key = import(provider, &pkcs8, name);
        for (how, text) in [
            ("Debug of the private key", format!("{key:?}")),
            ("pretty Debug of the private key", format!("{key:#?}")),
            ("Debug of the public key", format!("{:?}", key.public_key())),
        ] {
            check_message(provider, &text, &secrets, &format!("{how} {name}"));
        }
    }
}

/// Every [`KeySpec`] generates: RSA 2048, 3072 and 4096 (exponent 65537), EC on every curve,
/// Ed25519 and X25519, each of the kind asked, signing and verifying (Ed25519: EdDSA; X25519:
/// agreeing with a second key), two EC or OKP keys never the same; a generated RSA key
/// exports and imports again and unwraps what its public key wrapped. Other RSA sizes are
/// [`Error::InvalidKey`](jose_core::Error::InvalidKey) naming the size.
pub fn generate_every_key_spec(provider: &dyn CryptoProvider) {
    for bits in [2048, 3072, 4096] {
        let key = ok(
            provider,
            provider.generate(KeySpec::Rsa { bits }),
            format_args!("generate an RSA {bits} key"),
        );
        ensure_eq!(
            provider,
            key.kind(),
            KeyKind::Rsa { bits },
            "kind of a generated RSA {bits} key"
        );
        for alg in [JwsAlgorithm::Ps256, JwsAlgorithm::Ps512] {
            let signature = ok(
                provider,
                key.sign(alg, b"fresh"),
                format_args!("{alg}: sign with a generated RSA {bits} key"),
            );
            ok(
                provider,
                key.public_key().verify(alg, b"fresh", &signature),
                format_args!("{alg}: verify with a generated RSA {bits} key"),
            );
        }
        // e = 65537: the SPKI ends with the exponent, INTEGER 01 00 01.
        let spki = ok(
            provider,
            key.public_key().to_spki_der(),
            format_args!("SPKI of a generated RSA {bits} key"),
        );
        ensure!(
            provider,
            spki.ends_with(&[0x02, 0x03, 0x01, 0x00, 0x01]),
            "a generated RSA {bits} key has public exponent 65537"
        );
        if bits == 2048 {
            let pkcs8 = ok(
                provider,
                key.to_pkcs8_der(),
                "PKCS#8 of a generated RSA 2048 key",
            );
            let again = ok(
                provider,
                provider.import_private_pkcs8(&pkcs8),
                "import the PKCS#8 of a generated RSA 2048 key",
            );
            let wrapped = ok(
                provider,
                key.public_key()
                    .wrap_key(KeyManagementAlgorithm::RsaOaep256, &[1; 16]),
                "RSA-OAEP-256: wrap with a generated RSA 2048 key",
            );
            ensure_eq!(
                provider,
                ok(
                    provider,
                    again.unwrap_key(KeyManagementAlgorithm::RsaOaep256, &wrapped),
                    "RSA-OAEP-256: unwrap with a generated RSA 2048 key after a PKCS#8 round trip",
                )
                .as_slice(),
                &[1; 16],
                "the unwrapped CEK"
            );
        }
    }

    for &curve in EcCurve::ALL {
        let alg = JwsAlgorithm::for_curve(curve);
        let key = ok(
            provider,
            provider.generate(KeySpec::Ec(curve)),
            format_args!("generate a {curve} key"),
        );
        ensure_eq!(
            provider,
            key.kind(),
            KeyKind::Ec(curve),
            "kind of a generated {curve} key"
        );
        let signature = ok(
            provider,
            key.sign(alg, b"fresh"),
            format_args!("{alg}: sign with a generated key"),
        );
        ok(
            provider,
            key.public_key().verify(alg, b"fresh", &signature),
            format_args!("{alg}: verify with a generated key"),
        );
        let other = ok(
            provider,
            provider.generate(KeySpec::Ec(curve)),
            format_args!("generate another {curve} key"),
        );
        ensure_ne!(
            provider,
            ok(
                provider,
                other.public_key().to_spki_der(),
                "SPKI of a generated key"
            ),
            ok(
                provider,
                key.public_key().to_spki_der(),
                "SPKI of a generated key"
            ),
            "two generated {curve} keys must differ"
        );
    }

    for &curve in OkpCurve::ALL {
        let spec = KeySpec::Okp(curve);
        let key = ok(
            provider,
            provider.generate(spec),
            format_args!("generate an {curve} key"),
        );
        let other = ok(
            provider,
            provider.generate(spec),
            format_args!("generate another {curve} key"),
        );
        ensure_eq!(
            provider,
            key.kind(),
            KeyKind::Okp(curve),
            "kind of a generated {curve} key"
        );
        let other_spki = ok(
            provider,
            other.public_key().to_spki_der(),
            "SPKI of a generated key",
        );
        ensure_ne!(
            provider,
            other_spki,
            ok(
                provider,
                key.public_key().to_spki_der(),
                "SPKI of a generated key"
            ),
            "two generated {curve} keys must differ"
        );
        match curve {
            OkpCurve::Ed25519 => {
                let signature = ok(
                    provider,
                    key.sign(JwsAlgorithm::EdDsa, b"fresh"),
                    "EdDSA: sign with a generated key",
                );
                ok(
                    provider,
                    key.public_key()
                        .verify(JwsAlgorithm::EdDsa, b"fresh", &signature),
                    "EdDSA: verify with a generated key",
                );
            }
            OkpCurve::X25519 => {
                let secret = ok(
                    provider,
                    key.agree(&other_spki),
                    "X25519: agree between generated keys",
                );
                ensure_eq!(provider, secret.len(), 32, "X25519 shared secret length");
            }
        }
    }

    for bits in [1024, 2047, 2049, 8192] {
        invalid_key_naming(
            provider,
            provider.generate(KeySpec::Rsa { bits }),
            &[],
            &[&bits.to_string()],
            format_args!("generate an RSA {bits} key"),
        );
    }
}
