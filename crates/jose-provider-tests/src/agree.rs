//! Key agreement: [`PrivateKeyOps::agree`] with ECDH on P-256, P-384 and P-521 and X25519.
//!
//! The contract: the raw shared secret (the x-coordinate for EC, [`EcCurve::coordinate_len`]
//! bytes; 32 bytes for X25519), the same on both sides; a peer public key (SPKI DER) of another
//! kind or curve, off its curve, or malformed is [`Error::InvalidKey`]; an X25519 peer of low
//! order (an all-zero shared secret) is [`Error::InvalidKey`]; keys that do not agree (RSA,
//! Ed25519) answer [`Error::Unsupported`] or [`Error::InvalidKey`].

use crate::sign::fixture_ec_key;
use crate::{fixtures, flipped, invalid_key, invalid_key_naming, joined, ok};
use jose_core::{
    CryptoProvider, EcCurve, Error, JwsAlgorithm, KeyKind, KeySpec, OkpCurve, PrivateKeyOps,
};
use std::sync::Arc;

/// Every key specification that agrees: the three curves and X25519.
fn agreeing_specs() -> Vec<(KeySpec, usize)> {
    let mut specs: Vec<(KeySpec, usize)> = EcCurve::ALL
        .iter()
        .map(|&curve| (KeySpec::Ec(curve), curve.coordinate_len()))
        .collect();
    specs.push((KeySpec::Okp(OkpCurve::X25519), 32));
    specs
}

fn generate(provider: &dyn CryptoProvider, spec: KeySpec) -> Arc<dyn PrivateKeyOps> {
    ok(
        provider,
        provider.generate(spec),
        format_args!("generate a key for {spec:?}"),
    )
}

fn spki(provider: &dyn CryptoProvider, key: &dyn PrivateKeyOps) -> Vec<u8> {
    ok(
        provider,
        key.public_key().to_spki_der(),
        format_args!("SPKI of a {} key", key.kind()),
    )
}

fn import(provider: &dyn CryptoProvider, pkcs8: &[u8], name: &str) -> Arc<dyn PrivateKeyOps> {
    ok(
        provider,
        provider.import_private_pkcs8(pkcs8),
        format_args!("import the fixture key {name}"),
    )
}

/// Two generated keys of each kind derive the same secret of the curve's length from each
/// other's SPKI; another pair derives another secret; the PKCS#8 round trip keeps the secret;
/// and OpenSSL's shared secrets (X25519, P-256, P-521) come out exactly, from both sides.
pub fn both_sides_derive_the_same_secret(provider: &dyn CryptoProvider) {
    for (spec, len) in agreeing_specs() {
        let alice = generate(provider, spec);
        let bob = generate(provider, spec);
        let kind = alice.kind();
        let ab = ok(
            provider,
            alice.agree(&spki(provider, bob.as_ref())),
            format_args!("{kind}: agree with a generated peer"),
        );
        let ba = ok(
            provider,
            bob.agree(&spki(provider, alice.as_ref())),
            format_args!("{kind}: agree the other way"),
        );
        ensure_eq!(provider, ab.len(), len, "{kind}: shared secret length");
        ensure_eq!(
            provider,
            ab.as_slice(),
            ba.as_slice(),
            "{kind}: both sides derive the same secret"
        );
        ensure!(
            provider,
            ab.iter().any(|b| *b != 0),
            "{kind}: the shared secret is not all zeros"
        );
        let carol = generate(provider, spec);
        let ac = ok(
            provider,
            alice.agree(&spki(provider, carol.as_ref())),
            format_args!("{kind}: agree with a third key"),
        );
        ensure_ne!(
            provider,
            ab.as_slice(),
            ac.as_slice(),
            "{kind}: two peers give two secrets"
        );
        let again = ok(
            provider,
            provider.import_private_pkcs8(&ok(
                provider,
                alice.to_pkcs8_der(),
                format_args!("{kind}: PKCS#8 export"),
            )),
            format_args!("{kind}: import the PKCS#8 export"),
        );
        ensure_eq!(
            provider,
            ok(
                provider,
                again.agree(&spki(provider, bob.as_ref())),
                format_args!("{kind}: agree after a PKCS#8 round trip"),
            )
            .as_slice(),
            ab.as_slice(),
            "{kind}: the secret after a PKCS#8 round trip"
        );
    }

    let x25519 = import(
        provider,
        fixtures::OPENSSL_X25519_PKCS8,
        "OPENSSL_X25519_PKCS8",
    );
    let x25519_peer = import(
        provider,
        fixtures::OPENSSL_X25519_PEER_PKCS8,
        "OPENSSL_X25519_PEER_PKCS8",
    );
    let p256 = fixture_ec_key(provider, EcCurve::P256);
    let p521 = fixture_ec_key(provider, EcCurve::P521);
    let rfc_p256 = import(
        provider,
        fixtures::RFC7515_A3_P256_PKCS8,
        "RFC7515_A3_P256_PKCS8",
    );
    let rfc_p521 = import(
        provider,
        fixtures::RFC7515_A4_P521_PKCS8,
        "RFC7515_A4_P521_PKCS8",
    );
    for (name, key, peer, expected) in [
        (
            "X25519 (OpenSSL key, OpenSSL peer)",
            &x25519,
            fixtures::OPENSSL_X25519_PEER_SPKI.to_vec(),
            fixtures::OPENSSL_X25519_SHARED,
        ),
        (
            "X25519 (OpenSSL peer, OpenSSL key)",
            &x25519_peer,
            fixtures::OPENSSL_X25519_SPKI.to_vec(),
            fixtures::OPENSSL_X25519_SHARED,
        ),
        (
            "P-256 (OpenSSL key, RFC 7515 A.3 peer)",
            &p256,
            fixtures::RFC7515_A3_P256_SPKI.to_vec(),
            fixtures::OPENSSL_ECDH_P256_SHARED,
        ),
        (
            "P-256 (RFC 7515 A.3 key, OpenSSL peer)",
            &rfc_p256,
            spki(provider, p256.as_ref()),
            fixtures::OPENSSL_ECDH_P256_SHARED,
        ),
        (
            "P-521 (OpenSSL key, RFC 7515 A.4 peer)",
            &p521,
            fixtures::RFC7515_A4_P521_SPKI.to_vec(),
            fixtures::OPENSSL_ECDH_P521_SHARED,
        ),
        (
            "P-521 (RFC 7515 A.4 key, OpenSSL peer)",
            &rfc_p521,
            spki(provider, p521.as_ref()),
            fixtures::OPENSSL_ECDH_P521_SHARED,
        ),
    ] {
        ensure_eq!(
            provider,
            ok(provider, key.agree(&peer), format_args!("{name}: agree"),).as_slice(),
            expected,
            "{name}: OpenSSL's shared secret"
        );
    }
}

/// A peer that is not of the key's kind is [`Error::InvalidKey`] whose `found` names the peer's
/// curve or type: a P-256 peer for P-384, P-521 and X25519 keys, an X25519 or Ed25519 peer for a
/// P-256 key, an Ed25519 peer for an X25519 key, an RSA peer. A peer point off its curve (a
/// coordinate changed, (0, 0)), and peers that are not SPKI DER (garbage, a PKCS#8, cut short,
/// with a byte appended), are [`Error::InvalidKey`] too.
pub fn foreign_and_off_curve_peers_are_invalid_key(provider: &dyn CryptoProvider) {
    let p256 = fixture_ec_key(provider, EcCurve::P256);
    let p384 = fixture_ec_key(provider, EcCurve::P384);
    let p521 = fixture_ec_key(provider, EcCurve::P521);
    let x25519 = import(
        provider,
        fixtures::OPENSSL_X25519_PKCS8,
        "OPENSSL_X25519_PKCS8",
    );
    let p256_peer = fixtures::RFC7515_A3_P256_SPKI;
    for (what, key, peer, found) in [
        ("a P-384 key, a P-256 peer", &p384, p256_peer, "P-256"),
        ("a P-521 key, a P-256 peer", &p521, p256_peer, "P-256"),
        ("an X25519 key, a P-256 peer", &x25519, p256_peer, "P-256"),
        (
            "a P-256 key, an X25519 peer",
            &p256,
            fixtures::OPENSSL_X25519_PEER_SPKI,
            "X25519",
        ),
        (
            "a P-256 key, an Ed25519 peer",
            &p256,
            fixtures::OPENSSL_ED25519_SPKI,
            "Ed25519",
        ),
        (
            "an X25519 key, an Ed25519 peer",
            &x25519,
            fixtures::OPENSSL_ED25519_SPKI,
            "Ed25519",
        ),
        (
            "an X25519 key, an RSA peer",
            &x25519,
            fixtures::RFC7515_A2_RSA2048_SPKI,
            "RSA",
        ),
        (
            "a P-256 key, an RSA peer",
            &p256,
            fixtures::RFC7515_A2_RSA2048_SPKI,
            "RSA",
        ),
    ] {
        invalid_key_naming(
            provider,
            key.agree(peer),
            &[],
            &[found],
            format_args!("agree with {what}"),
        );
    }

    let mut zero = p256_peer.to_vec();
    let len = zero.len();
    zero[len - 64..].fill(0);
    let p521_peer = fixtures::RFC7515_A4_P521_SPKI;
    for (what, key, peer) in [
        (
            "a P-256 peer with y changed",
            &p256,
            flipped(p256_peer, p256_peer.len() - 1, 1),
        ),
        (
            "a P-256 peer with x changed",
            &p256,
            flipped(p256_peer, p256_peer.len() - 40, 1),
        ),
        ("the P-256 point (0, 0)", &p256, zero),
        (
            "a P-521 peer with y changed",
            &p521,
            flipped(p521_peer, p521_peer.len() - 1, 1),
        ),
        ("48 bytes 0xa5", &p256, vec![0xa5; 48]),
        ("an empty peer", &x25519, Vec::new()),
        (
            "a PKCS#8 instead of an SPKI",
            &x25519,
            fixtures::OPENSSL_X25519_PEER_PKCS8.to_vec(),
        ),
        (
            "an X25519 SPKI without its last byte",
            &x25519,
            fixtures::OPENSSL_X25519_PEER_SPKI[..fixtures::OPENSSL_X25519_PEER_SPKI.len() - 1]
                .to_vec(),
        ),
        (
            "an X25519 SPKI with a byte appended",
            &x25519,
            joined(fixtures::OPENSSL_X25519_PEER_SPKI, &[0]),
        ),
        (
            "a P-256 SPKI with a byte appended",
            &p256,
            joined(p256_peer, &[0]),
        ),
    ] {
        invalid_key(
            provider,
            key.agree(&peer),
            format_args!("agree with {what}"),
        );
    }
}

/// The X25519 public keys of small order (RFC 7748 section 6.1: "check for the all-zero value"):
/// 0, 1, the two points of order 8, p - 1 (order 2), and the non-canonical p and p + 1
/// (little-endian, as on the wire), each also with the unused top bit set.
pub const X25519_LOW_ORDER_POINTS: [[u8; 32]; 7] = [
    [0; 32],
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
        0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
        0xb8, 0x00,
    ],
    [
        0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
        0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
        0x11, 0x57,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
];

/// An X25519 peer of low order ([`X25519_LOW_ORDER_POINTS`], each also with the top bit set,
/// which X25519 ignores) gives an all-zero shared secret, and is refused as
/// [`Error::InvalidKey`]: with a generated key and with OpenSSL's.
pub fn low_order_x25519_peers_are_invalid_key(provider: &dyn CryptoProvider) {
    let keys = [
        (
            "a generated",
            generate(provider, KeySpec::Okp(OkpCurve::X25519)),
        ),
        (
            "OpenSSL's",
            import(
                provider,
                fixtures::OPENSSL_X25519_PKCS8,
                "OPENSSL_X25519_PKCS8",
            ),
        ),
    ];
    // The SPKI of the OpenSSL peer key with its 32 bytes replaced.
    let template = fixtures::OPENSSL_X25519_PEER_SPKI;
    let at = template.len() - 32;
    for (source, key) in &keys {
        for (index, point) in X25519_LOW_ORDER_POINTS.iter().enumerate() {
            for top_bit in [0u8, 0x80] {
                let mut peer = template.to_vec();
                peer[at..].copy_from_slice(point);
                peer[at + 31] |= top_bit;
                invalid_key(
                    provider,
                    key.agree(&peer),
                    format_args!(
                        "X25519 ({source} key): agree with low-order point {index} (top bit {})",
                        top_bit >> 7
                    ),
                );
            }
        }
    }
}

/// [`CryptoProvider::generate_ephemeral`] (ECDH-ES's sender): on each curve a fresh key whose
/// secret with a recipient is the recipient's secret with its public key, of the curve's length;
/// two ephemeral keys are two keys; an RSA kind is refused.
pub fn ephemeral_keys_agree(provider: &dyn CryptoProvider) {
    for (spec, len) in agreeing_specs() {
        let recipient = generate(provider, spec);
        let kind = recipient.kind();
        let ephemeral = ok(
            provider,
            provider.generate_ephemeral(kind),
            format_args!("{kind}: generate an ephemeral key"),
        );
        ensure_eq!(
            provider,
            ephemeral.kind(),
            kind,
            "{kind}: the ephemeral key's kind"
        );
        let sent = ok(
            provider,
            ephemeral.agree(&spki(provider, recipient.as_ref())),
            format_args!("{kind}: the ephemeral key agrees with the recipient"),
        );
        let received = ok(
            provider,
            recipient.agree(&spki(provider, ephemeral.as_ref())),
            format_args!("{kind}: the recipient agrees with the ephemeral public key"),
        );
        ensure_eq!(provider, sent.len(), len, "{kind}: shared secret length");
        ensure_eq!(
            provider,
            sent.as_slice(),
            received.as_slice(),
            "{kind}: sender and recipient derive the same secret"
        );
        let other = ok(
            provider,
            provider.generate_ephemeral(kind),
            format_args!("{kind}: generate a second ephemeral key"),
        );
        ensure_ne!(
            provider,
            spki(provider, ephemeral.as_ref()),
            spki(provider, other.as_ref()),
            "{kind}: two ephemeral keys have two public keys"
        );
    }
    match provider.generate_ephemeral(KeyKind::Rsa { bits: 2048 }) {
        Err(Error::InvalidKey { .. } | Error::Unsupported { .. }) => {}
        Err(other) => panic!(
            "{}: an ephemeral RSA key: expected Err(InvalidKey) or Err(Unsupported), got \
             Err({other:?})",
            crate::who(provider)
        ),
        Ok(_) => panic!(
            "{}: an ephemeral RSA key: expected an error, got a key",
            crate::who(provider)
        ),
    }
}

/// Keys that have no key agreement (RSA, Ed25519) answer [`Error::Unsupported`] or
/// [`Error::InvalidKey`], never a secret, whatever the peer.
pub fn keys_without_agreement_refuse(provider: &dyn CryptoProvider) {
    let rsa = crate::sign::fixture_key(provider, JwsAlgorithm::Rs256);
    let ed25519 = crate::sign::fixture_key(provider, JwsAlgorithm::EdDsa);
    for (name, key, peer) in [
        ("RSA", &rsa, fixtures::RFC7515_A2_RSA2048_SPKI),
        ("RSA", &rsa, fixtures::OPENSSL_X25519_PEER_SPKI),
        ("Ed25519", &ed25519, fixtures::OPENSSL_ED25519_SPKI),
        ("Ed25519", &ed25519, fixtures::OPENSSL_X25519_PEER_SPKI),
    ] {
        match key.agree(peer) {
            Err(Error::Unsupported { .. } | Error::InvalidKey { .. }) => {}
            Err(other) => panic!(
                "{}: agree with an {name} key: expected Err(Unsupported) or Err(InvalidKey), \
                 got Err({other:?})",
                crate::who(provider)
            ),
            Ok(_) => panic!(
                "{}: agree with an {name} key: expected an error, got a shared secret",
                crate::who(provider)
            ),
        }
    }
}
