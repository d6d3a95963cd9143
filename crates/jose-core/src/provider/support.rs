//! What every provider checks on the input it is handed, written once for all of them.
//!
//! jose-core hands a provider only DER it has parsed, validated and normalized (see
//! [`crate::formats`]), and only key and IV lengths its own `enc` asks for. But the provider
//! traits are public: a caller can pass any bytes to
//! [`CryptoProvider::import_public_spki`](super::CryptoProvider::import_public_spki) or
//! [`CryptoProvider::aead_seal`](super::CryptoProvider::aead_seal) directly. A provider still
//! refuses such input with a clear error and never panics; these functions are the checks it makes
//! for that case (defence in depth), so that a provider needs nothing but its cryptographic library
//! for the rest:
//!
//! - [`read_pkcs8`] and [`read_spki`]: the key type, size or curve, and the inner key bytes of a
//!   PKCS#8 or SPKI document, with the checks every provider makes (strict DER; `rsaEncryption` or
//!   `id-ecPublicKey` on P-256, P-384 or P-521, `id-Ed25519` or `id-X25519` (RFC 8410, absent
//!   parameters); an RSA modulus of [`MIN_RSA_BITS`] to [`MAX_RSA_BITS`] bits with an odd public
//!   exponent of at least 3; an uncompressed EC public point of the curve's length; 32-byte
//!   Ed25519/X25519 keys). Whether the key is consistent, and whether a point is on its curve, is
//!   left to the provider's library. jose-core's own import checks more (such as ROCA).
//! - [`okp_pkcs8`] and [`okp_spki`]: the DER a provider exports for an Ed25519 or X25519 key, so
//!   that every provider writes the same bytes.
//! - [`check_aead_seal_inputs`] and [`check_aead_open_inputs`]: the key, IV and tag lengths of
//!   AES-GCM, with the error each trait method promises.
//! - [`bit_len`]: the size of a big-endian integer.
//!
//! The OIDs of the curves are [`EcCurve::oid`](crate::EcCurve::oid) and
//! [`EcCurve::from_oid`](crate::EcCurve::from_oid).
//!
//! Every key these functions refuse is [`Error::InvalidKey`], as the provider contract asks; its
//! message says what was expected and what was found and never holds key bytes.

use crate::alg::{ContentEncryption, HashAlg, KeyKind, OkpCurve};
use crate::error::Error;
use crate::formats::{self, KeyAlgorithm};
use der::Decode;
use pkcs1::{RsaPrivateKeyRef, RsaPublicKeyRef};
use pkcs8::PrivateKeyInfoRef;
use spki::SubjectPublicKeyInfoRef;
use std::fmt;
use zeroize::Zeroizing;

#[allow(unused_imports)]
use crate::alg::{MAX_RSA_BITS, MIN_RSA_BITS};

/// The number of significant bits of a big-endian unsigned integer (leading zero bytes are
/// ignored; the empty slice and zero have 0).
pub fn bit_len(magnitude: &[u8]) -> usize {
    let mut rest = magnitude.iter().skip_while(|b| **b == 0);
    match rest.next() {
        None => 0,
        Some(first) => rest
            .count()
            .saturating_mul(8)
            .saturating_add(8usize.saturating_sub(first.leading_zeros() as usize)),
    }
}

/// A private key as [`read_pkcs8`] found it. `Debug` shows only the kind.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Pkcs8Key<'a> {
    /// The key's type and size: RSA with its modulus size, or EC with its curve.
    pub kind: KeyKind,
    /// RSA and EC: the content of the `privateKey` OCTET STRING, a PKCS#1 `RSAPrivateKey` or a
    /// SEC1 `ECPrivateKey` (not checked beyond the RSA modulus and exponent). Ed25519 and X25519:
    /// the 32-byte seed inside the RFC 8410 `CurvePrivateKey` (the inner OCTET STRING).
    pub private_key: &'a [u8],
    /// Ed25519 and X25519: the 32-byte public key of a PKCS#8 v2 (`OneAsymmetricKey`) that
    /// carries one, which the provider must check against the one it derives from the seed;
    /// `None` for a version 1 document, and always `None` for RSA and EC (a SEC1 `ECPrivateKey`
    /// carries its own, and the provider's library checks it).
    pub public_key: Option<&'a [u8]>,
}

impl fmt::Debug for Pkcs8Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs8Key")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A public key as [`read_spki`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpkiKey<'a> {
    /// The key's type and size: RSA with its modulus size, or EC with its curve.
    pub kind: KeyKind,
    /// The content of the `subjectPublicKey` BIT STRING: a PKCS#1 `RSAPublicKey`, an
    /// uncompressed EC point `0x04 || x || y` of the curve's length, or the 32 bytes of an
    /// Ed25519 or X25519 public key (whether they are a valid point is left to the provider).
    pub public_key: &'a [u8],
}

/// Reads a PKCS#8 `PrivateKeyInfo` (v1, or v2 with its public key) as a provider's
/// [`import_private_pkcs8`](super::CryptoProvider::import_private_pkcs8) must before it uses it:
/// strict DER, nothing after it; an RSA key (`rsaEncryption`, NULL or absent parameters) whose
/// `RSAPrivateKey` has a modulus of [`MIN_RSA_BITS`] to [`MAX_RSA_BITS`] bits and an odd public
/// exponent of at least 3; an EC key (`id-ecPublicKey`) on P-256, P-384 or P-521; or an Ed25519
/// or X25519 key (`id-Ed25519`, `id-X25519`, absent parameters) whose `CurvePrivateKey` is an
/// OCTET STRING of 32 bytes, with, in a version 2 document, a 32-byte public key.
///
/// Errors: [`Error::InvalidKey`] for anything else.
pub fn read_pkcs8(der: &[u8]) -> Result<Pkcs8Key<'_>, Error> {
    const EXPECTED: &str = "an RSA, EC or OKP private key as a DER PKCS#8 PrivateKeyInfo";
    let info = PrivateKeyInfoRef::from_der(der).map_err(|_| malformed_der(EXPECTED))?;
    let private_key = info.private_key.as_bytes();
    match formats::key_algorithm(&info.algorithm).map_err(as_key_error)? {
        KeyAlgorithm::Rsa => {
            let rsa = RsaPrivateKeyRef::from_der(private_key)
                .map_err(|_| malformed_der("a DER PKCS#1 RSAPrivateKey inside the PKCS#8"))?;
            let bits = check_rsa(rsa.modulus.as_bytes(), rsa.public_exponent.as_bytes())?;
            Ok(Pkcs8Key {
                kind: KeyKind::Rsa { bits },
                private_key,
                public_key: None,
            })
        }
        KeyAlgorithm::Ec(curve) => Ok(Pkcs8Key {
            kind: KeyKind::Ec(curve),
            private_key,
            public_key: None,
        }),
        KeyAlgorithm::Okp(curve) => Ok(Pkcs8Key {
            kind: KeyKind::Okp(curve),
            private_key: formats::okp_seed(curve, private_key)?,
            public_key: formats::okp_pkcs8_public(curve, info.public_key)?,
        }),
    }
}

/// Reads an SPKI `SubjectPublicKeyInfo` as a provider's
/// [`import_public_spki`](super::CryptoProvider::import_public_spki) must before it uses it: strict
/// DER, nothing after it; an RSA key (`rsaEncryption`, NULL or absent parameters) whose
/// `RSAPublicKey` has a modulus of [`MIN_RSA_BITS`] to [`MAX_RSA_BITS`] bits and an odd public
/// exponent of at least 3; an EC key (`id-ecPublicKey`) on P-256, P-384 or P-521 with an
/// uncompressed point of the curve's length (whether it is on the curve is left to the provider);
/// or an Ed25519 or X25519 key (absent parameters) of 32 bytes.
///
/// Errors: [`Error::InvalidKey`] for anything else.
pub fn read_spki(der: &[u8]) -> Result<SpkiKey<'_>, Error> {
    const EXPECTED: &str = "an RSA, EC or OKP public key as a DER SubjectPublicKeyInfo";
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| malformed_der(EXPECTED))?;
    let public_key = spki.subject_public_key.as_bytes().ok_or_else(|| {
        Error::invalid_key(
            "a subjectPublicKey BIT STRING of whole bytes",
            "unused bits",
        )
    })?;
    let kind = match formats::key_algorithm(&spki.algorithm).map_err(as_key_error)? {
        KeyAlgorithm::Rsa => {
            let rsa = RsaPublicKeyRef::from_der(public_key)
                .map_err(|_| malformed_der("a DER PKCS#1 RSAPublicKey inside the SPKI"))?;
            let bits = check_rsa(rsa.modulus.as_bytes(), rsa.public_exponent.as_bytes())?;
            KeyKind::Rsa { bits }
        }
        KeyAlgorithm::Ec(curve) => {
            formats::check_ec_point(curve, public_key)?;
            KeyKind::Ec(curve)
        }
        KeyAlgorithm::Okp(curve) => {
            if public_key.len() != curve.key_len() {
                return Err(Error::invalid_key(
                    format!("a {}-byte {curve} public key", curve.key_len()),
                    format!("{} bytes", public_key.len()),
                ));
            }
            KeyKind::Okp(curve)
        }
    };
    Ok(SpkiKey { kind, public_key })
}

/// The PKCS#8 v1 DER of an Ed25519 or X25519 key with this 32-byte seed (RFC 8410: the algorithm
/// without parameters, the seed as a `CurvePrivateKey`): what a provider's
/// [`to_pkcs8_der`](super::PrivateKeyOps::to_pkcs8_der) returns for such a key, byte for byte
/// what `openssl genpkey` writes.
///
/// Errors: [`Error::InvalidKey`] if `seed` is not 32 bytes.
pub fn okp_pkcs8(curve: OkpCurve, seed: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    formats::PrivateKeyDer::from_okp(curve, seed, None)
        .map(|der| Zeroizing::new(der.pkcs8().to_vec()))
}

/// The SPKI DER of an Ed25519 or X25519 public key of 32 bytes: what a provider's
/// [`to_spki_der`](super::PublicKeyOps::to_spki_der) returns for such a key.
///
/// Errors: [`Error::InvalidKey`] if `public_key` is not 32 bytes.
pub fn okp_spki(curve: OkpCurve, public_key: &[u8]) -> Result<Vec<u8>, Error> {
    formats::PublicKeyDer::from_okp(curve, public_key).map(|der| der.spki().to_vec())
}

/// Checks the inputs of [`CryptoProvider::aead_seal`](super::CryptoProvider::aead_seal): a key of
/// [`enc.key_len()`](ContentEncryption::key_len) bytes and an IV of
/// [`enc.iv_len()`](ContentEncryption::iv_len) bytes.
///
/// Errors: [`Error::InvalidRequest`] saying which length `enc` needs and which was found, or
/// that `enc` is not AES-GCM (jose-core composes AES-CBC-HMAC itself from
/// [`aes_cbc_encrypt`](super::CryptoProvider::aes_cbc_encrypt) and HMAC).
pub fn check_aead_seal_inputs(enc: ContentEncryption, key: &[u8], iv: &[u8]) -> Result<(), Error> {
    if !enc.is_gcm() {
        return Err(Error::InvalidRequest(format!(
            "aead_seal encrypts with AES-GCM only, found {enc}"
        )));
    }
    for (what, expected, found) in [
        ("key", enc.key_len(), key.len()),
        ("IV", enc.iv_len(), iv.len()),
    ] {
        if found != expected {
            return Err(Error::InvalidRequest(format!(
                "{enc} needs a {expected}-byte {what}, found {found} bytes"
            )));
        }
    }
    Ok(())
}

/// The largest PBKDF2 output a provider derives (the largest key-wrap key PBES2 needs is 32 bytes;
/// 64 leaves room).
pub const MAX_PBKDF2_OUT: usize = 64;

/// Checks the inputs of [`CryptoProvider::aes_key_wrap`](super::CryptoProvider::aes_key_wrap): a
/// key-encryption key of 16, 24 or 32 bytes and key data of at least 16 bytes in a multiple of 8.
///
/// Errors: [`Error::InvalidRequest`] saying what was expected and found.
pub fn check_key_wrap_inputs(kek: &[u8], key_data: &[u8]) -> Result<(), Error> {
    if !matches!(kek.len(), 16 | 24 | 32) {
        return Err(Error::InvalidRequest(format!(
            "AES key wrap needs a 16-, 24- or 32-byte key-encryption key, found {} bytes",
            kek.len()
        )));
    }
    if key_data.len() < 16 || !key_data.len().is_multiple_of(8) {
        return Err(Error::InvalidRequest(format!(
            "AES key wrap needs key data of at least 16 bytes in a multiple of 8, found {} bytes",
            key_data.len()
        )));
    }
    Ok(())
}

/// Checks the inputs of [`CryptoProvider::aes_cbc_encrypt`](super::CryptoProvider::aes_cbc_encrypt):
/// a key of 16, 24 or 32 bytes and a 16-byte IV.
///
/// Errors: [`Error::InvalidRequest`] saying what was expected and found.
pub fn check_aes_cbc_inputs(key: &[u8], iv: &[u8]) -> Result<(), Error> {
    if !matches!(key.len(), 16 | 24 | 32) {
        return Err(Error::InvalidRequest(format!(
            "AES-CBC needs a 16-, 24- or 32-byte key, found {} bytes",
            key.len()
        )));
    }
    if iv.len() != 16 {
        return Err(Error::InvalidRequest(format!(
            "AES-CBC needs a 16-byte IV, found {} bytes",
            iv.len()
        )));
    }
    Ok(())
}

/// Checks the inputs of [`CryptoProvider::pbkdf2`](super::CryptoProvider::pbkdf2): HMAC with
/// SHA-256, SHA-384 or SHA-512, at least one iteration, and 1 to [`MAX_PBKDF2_OUT`] output bytes.
///
/// Errors: [`Error::InvalidRequest`] saying what was expected and found.
pub fn check_pbkdf2_inputs(hash: HashAlg, iterations: u32, out_len: usize) -> Result<(), Error> {
    if hash == HashAlg::Sha1 {
        return Err(Error::InvalidRequest(
            "PBKDF2 runs with HMAC-SHA-256, -384 or -512, found HMAC-SHA-1".into(),
        ));
    }
    if iterations == 0 {
        return Err(Error::InvalidRequest(
            "PBKDF2 needs at least 1 iteration, found 0".into(),
        ));
    }
    if out_len == 0 || out_len > MAX_PBKDF2_OUT {
        return Err(Error::InvalidRequest(format!(
            "PBKDF2 derives 1 to {MAX_PBKDF2_OUT} bytes, found a request for {out_len} bytes"
        )));
    }
    Ok(())
}

/// Checks the inputs of [`CryptoProvider::aead_open`](super::CryptoProvider::aead_open): a key of
/// [`enc.key_len()`](ContentEncryption::key_len) bytes, an IV of
/// [`enc.iv_len()`](ContentEncryption::iv_len) bytes and a tag of
/// [`enc.tag_len()`](ContentEncryption::tag_len) bytes, for an AES-GCM `enc`.
///
/// Errors: [`Error::DecryptionFailed`], the one opaque error of every decryption failure.
pub fn check_aead_open_inputs(
    enc: ContentEncryption,
    key: &[u8],
    iv: &[u8],
    tag: &[u8],
) -> Result<(), Error> {
    if enc.is_gcm()
        && key.len() == enc.key_len()
        && iv.len() == enc.iv_len()
        && tag.len() == enc.tag_len()
    {
        Ok(())
    } else {
        Err(Error::DecryptionFailed)
    }
}

/// The RSA checks of [`read_pkcs8`] and [`read_spki`]: the modulus size and an odd public exponent
/// of at least 3. Returns the modulus size in bits.
fn check_rsa(n: &[u8], e: &[u8]) -> Result<usize, Error> {
    let bits = formats::check_rsa_modulus_size(n)?;
    if formats::is_odd_and_at_least_3(e) {
        return Ok(bits);
    }
    let e_bits = bit_len(e);
    let found = if e_bits <= 64 {
        let value = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        format!("public exponent {value}")
    } else {
        format!("an even {e_bits}-bit public exponent")
    };
    Err(Error::invalid_key(formats::RSA_EXPONENT_EXPECTED, found))
}

/// The error for input that is not the DER structure `expected` (the input is never quoted).
fn malformed_der(expected: &str) -> Error {
    Error::invalid_key(expected, "malformed DER")
}

/// jose-core's own parser reports a bad key as malformed or unsupported; a provider reports every
/// key it refuses as [`Error::InvalidKey`].
fn as_key_error(err: Error) -> Error {
    match err {
        Error::Malformed {
            what,
            expected,
            found,
        } => Error::invalid_key(format!("{expected} ({what})"), found),
        Error::UnsupportedAlgorithm {
            kind,
            found,
            supported,
        } => Error::invalid_key(format!("a supported {kind} ({supported})"), found),
        other => other,
    }
}

/// Whether `a` and `b` are equal, in time that depends only on their lengths (for MAC tags:
/// the lengths are public, the bytes are not). Slices of different lengths are unequal.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // `black_box` keeps the optimizer from turning the fold into an early exit.
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EcCurve;
    use crate::formats::{PrivateKeyDer, PublicKeyDer};

    /// A DER TLV with a short or long-form length.
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        match len {
            0..=0x7f => out.push(len as u8),
            0x80..=0xff => out.extend([0x81, len as u8]),
            _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
        }
        out.extend_from_slice(content);
        out
    }

    fn seq(parts: &[&[u8]]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    /// A positive DER INTEGER for a big-endian magnitude.
    fn int(magnitude: &[u8]) -> Vec<u8> {
        let mut content = magnitude.to_vec();
        if content.first().is_none_or(|b| b & 0x80 != 0) {
            content.insert(0, 0);
        }
        tlv(0x02, &content)
    }

    const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

    /// A `bits`-bit odd modulus (not a real one: the reader checks only its size and parity).
    fn modulus(bits: usize) -> Vec<u8> {
        let mut n = vec![0x55u8; bits.div_ceil(8)];
        n[0] = 1 << ((bits - 1) % 8);
        *n.last_mut().unwrap() |= 1;
        n
    }

    fn rsa_spki(params: Option<&[u8]>, n: &[u8], e: &[u8]) -> Vec<u8> {
        let oid = tlv(0x06, RSA_ENCRYPTION);
        let alg = match params {
            Some(p) => seq(&[&oid, p]),
            None => seq(&[&oid]),
        };
        let mut bits = vec![0u8];
        bits.extend(seq(&[&int(n), &int(e)]));
        seq(&[&alg, &tlv(0x03, &bits)])
    }

    fn ec_spki(curve_oid: &[u8], point: &[u8]) -> Vec<u8> {
        let alg = seq(&[&tlv(0x06, EC_PUBLIC_KEY), &tlv(0x06, curve_oid)]);
        let mut bits = vec![0u8];
        bits.extend_from_slice(point);
        seq(&[&alg, &tlv(0x03, &bits)])
    }

    fn rsa_pkcs8(n: &[u8], e: &[u8]) -> Vec<u8> {
        let alg = seq(&[&tlv(0x06, RSA_ENCRYPTION), &[0x05, 0x00]]);
        let one = int(&[1]);
        let rsa = seq(&[
            &int(&[0]),
            &int(n),
            &int(e),
            &one,
            &one,
            &one,
            &one,
            &one,
            &one,
        ]);
        seq(&[&int(&[0]), &alg, &tlv(0x04, &rsa)])
    }

    fn found(err: Error) -> String {
        match err {
            Error::InvalidKey { expected, found } => format!("{expected} / {found}"),
            other => panic!("expected InvalidKey, got {other:?}"),
        }
    }

    #[test]
    fn bit_len_counts_significant_bits() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0x7f, 0xff]), 15);
        assert_eq!(bit_len(&[0, 0x80, 0]), 16);
        assert_eq!(bit_len(&modulus(2048)), 2048);
        assert_eq!(bit_len(&modulus(2047)), 2047);
    }

    #[test]
    fn aead_seal_inputs_say_expected_and_found() {
        for &enc in ContentEncryption::GCM {
            let key = vec![0u8; enc.key_len()];
            assert_eq!(check_aead_seal_inputs(enc, &key, &[0; 12]), Ok(()));
            let short_key = check_aead_seal_inputs(enc, &key[1..], &[0; 12]).unwrap_err();
            assert_eq!(
                short_key,
                Error::InvalidRequest(format!(
                    "{enc} needs a {}-byte key, found {} bytes",
                    enc.key_len(),
                    enc.key_len() - 1
                ))
            );
            let long_iv = check_aead_seal_inputs(enc, &key, &[0; 16]).unwrap_err();
            assert_eq!(
                long_iv,
                Error::InvalidRequest(format!("{enc} needs a 12-byte IV, found 16 bytes"))
            );
            assert!(check_aead_seal_inputs(enc, &key, &[]).is_err());
        }
        assert!(check_aead_seal_inputs(ContentEncryption::A128Gcm, &[0; 32], &[0; 12]).is_err());
    }

    #[test]
    fn aead_open_inputs_fail_opaquely() {
        for &enc in ContentEncryption::GCM {
            let key = vec![0u8; enc.key_len()];
            assert_eq!(
                check_aead_open_inputs(enc, &key, &[0; 12], &[0; 16]),
                Ok(())
            );
            for (k, iv, tag) in [
                (&key[1..], &[0u8; 12][..], &[0u8; 16][..]),
                (&key, &[0; 11], &[0; 16]),
                (&key, &[0; 12], &[0; 15]),
                (&key, &[0; 12], &[0; 17]),
                (&[][..], &[], &[]),
            ] {
                assert_eq!(
                    check_aead_open_inputs(enc, k, iv, tag),
                    Err(Error::DecryptionFailed)
                );
            }
        }
    }

    #[test]
    fn spki_reads_rsa_keys_within_limits() {
        let n = modulus(2048);
        for params in [Some(&[0x05, 0x00][..]), None] {
            let der = rsa_spki(params, &n, &[1, 0, 1]);
            let key = read_spki(&der).unwrap();
            assert_eq!(key.kind, KeyKind::Rsa { bits: 2048 });
            assert_eq!(key.public_key, &der[der.len() - key.public_key.len()..]);
        }
        let other_params = rsa_spki(Some(&tlv(0x06, EC_PUBLIC_KEY)), &n, &[3]);
        assert!(found(read_spki(&other_params).unwrap_err()).contains("NULL"));
        let small = found(read_spki(&rsa_spki(None, &modulus(1024), &[3])).unwrap_err());
        assert!(
            small.contains("2048") && small.contains("1024 bits"),
            "{small}"
        );
        let large = found(read_spki(&rsa_spki(None, &modulus(8200), &[3])).unwrap_err());
        assert!(
            large.contains("8192") && large.contains("8200 bits"),
            "{large}"
        );
        for (e, shown) in [
            (&[1][..], "public exponent 1"),
            (&[0], "public exponent 0"),
            (&[2], "public exponent 2"),
            (&[1, 0, 0], "public exponent 65536"),
            (
                &[1, 0, 0, 0, 0, 0, 0, 0, 0],
                "an even 65-bit public exponent",
            ),
        ] {
            let err = found(read_spki(&rsa_spki(None, &n, e)).unwrap_err());
            assert!(
                err.contains("odd RSA public exponent") && err.contains(shown),
                "{err}"
            );
        }
    }

    #[test]
    fn spki_reads_ec_keys_with_uncompressed_points() {
        for &curve in EcCurve::ALL {
            let mut point = vec![0x04];
            point.extend(vec![0x01; 2 * curve.coordinate_len()]);
            let der = ec_spki(curve.oid(), &point);
            let key = read_spki(&der).unwrap();
            assert_eq!(key.kind, KeyKind::Ec(curve));
            assert_eq!(key.public_key, &point[..]);

            let mut compressed = vec![0x02];
            compressed.extend(vec![0x01; curve.coordinate_len()]);
            let err = found(read_spki(&ec_spki(curve.oid(), &compressed)).unwrap_err());
            assert!(err.contains("compressed point"), "{err}");
            let err = found(read_spki(&ec_spki(curve.oid(), &point[1..])).unwrap_err());
            assert!(err.contains("point"), "{err}");
        }
        let point = [0x04; 65];
        let secp256k1 = [0x2b, 0x81, 0x04, 0x00, 0x0a];
        let err = found(read_spki(&ec_spki(&secp256k1, &point)).unwrap_err());
        assert!(
            err.contains("curve") && err.contains("1.3.132.0.10"),
            "{err}"
        );
    }

    #[test]
    fn pkcs8_reads_the_algorithm_and_checks_rsa_sizes() {
        let der = rsa_pkcs8(&modulus(3072), &[1, 0, 1]);
        let key = read_pkcs8(&der).unwrap();
        assert_eq!(key.kind, KeyKind::Rsa { bits: 3072 });
        assert_eq!(key.private_key, &der[der.len() - key.private_key.len()..]);
        assert_eq!(
            format!("{key:?}"),
            "Pkcs8Key { kind: Rsa { bits: 3072 }, .. }"
        );
        let err = found(read_pkcs8(&rsa_pkcs8(&modulus(2040), &[3])).unwrap_err());
        assert!(err.contains("2040 bits"), "{err}");
        let err = found(read_pkcs8(&rsa_pkcs8(&modulus(2048), &[4])).unwrap_err());
        assert!(err.contains("public exponent 4"), "{err}");

        // An EC key is read as far as its curve; the ECPrivateKey is left to the provider.
        let alg = seq(&[&tlv(0x06, EC_PUBLIC_KEY), &tlv(0x06, EcCurve::P384.oid())]);
        let ec = seq(&[&int(&[0]), &alg, &tlv(0x04, b"opaque")]);
        let key = read_pkcs8(&ec).unwrap();
        assert_eq!(key.kind, KeyKind::Ec(EcCurve::P384));
        assert_eq!(key.private_key, b"opaque");
    }

    #[test]
    fn other_key_types_and_garbage_are_invalid_keys() {
        // Ed448 (1.3.101.113), in both documents.
        let alg = seq(&[&tlv(0x06, &[0x2b, 0x65, 0x71])]);
        let spki = seq(&[&alg, &tlv(0x03, &[0u8; 58])]);
        let pkcs8 = seq(&[&int(&[0]), &alg, &tlv(0x04, &[0x04, 0x39, 0x00])]);
        for err in [
            read_spki(&spki).unwrap_err(),
            read_pkcs8(&pkcs8).unwrap_err(),
        ] {
            let err = found(err);
            assert!(
                err.contains("key type") && err.contains("Ed448 (1.3.101.113)"),
                "{err}"
            );
        }
        let good = rsa_spki(None, &modulus(2048), &[3]);
        let secretish = [0xa5u8; 48];
        for garbage in [
            &[][..],
            &[0x30, 0x00],
            &[0x30, 0x80, 0x00, 0x00],
            &secretish,
            &good[..good.len() - 1],
            &good[1..],
        ] {
            for err in [
                read_spki(garbage).unwrap_err(),
                read_pkcs8(garbage).unwrap_err(),
            ] {
                let err = found(err);
                assert!(err.contains("DER") && !err.contains("a5"), "{err}");
            }
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(read_spki(&trailing).is_err());
        // A private key is not an SPKI, nor a public key a PKCS#8.
        assert!(read_spki(&rsa_pkcs8(&modulus(2048), &[3])).is_err());
        assert!(read_pkcs8(&good).is_err());
        // A subjectPublicKey with an unused bit.
        let alg = seq(&[&tlv(0x06, EC_PUBLIC_KEY), &tlv(0x06, EcCurve::P256.oid())]);
        let mut bits = vec![1u8, 0x04];
        bits.extend([0x02; 64]);
        let unused = seq(&[&alg, &tlv(0x03, &bits)]);
        assert!(found(read_spki(&unused).unwrap_err()).contains("unused bits"));
    }

    /// RFC 8410 documents: the algorithm alone, a 32-byte seed in an OCTET STRING.
    fn okp_pkcs8_doc(oid: &[u8], seed: &[u8], public: Option<&[u8]>) -> Vec<u8> {
        let alg = seq(&[&tlv(0x06, oid)]);
        let inner = tlv(0x04, seed);
        match public {
            None => seq(&[&int(&[0]), &alg, &tlv(0x04, &inner)]),
            Some(public) => {
                let mut bits = vec![0u8];
                bits.extend_from_slice(public);
                // [1] IMPLICIT BIT STRING, constructed = false: tag 0x81.
                seq(&[&int(&[1]), &alg, &tlv(0x04, &inner), &tlv(0x81, &bits)])
            }
        }
    }

    fn okp_spki_doc(oid: &[u8], public: &[u8]) -> Vec<u8> {
        let mut bits = vec![0u8];
        bits.extend_from_slice(public);
        seq(&[&seq(&[&tlv(0x06, oid)]), &tlv(0x03, &bits)])
    }

    #[test]
    fn okp_keys_read_as_rfc_8410_says() {
        for &curve in OkpCurve::ALL {
            let seed = [7u8; 32];
            let der = okp_pkcs8_doc(curve.oid(), &seed, None);
            let key = read_pkcs8(&der).unwrap();
            assert_eq!(key.kind, KeyKind::Okp(curve));
            assert_eq!(key.private_key, &seed);
            assert_eq!(key.public_key, None);
            assert_eq!(
                format!("{key:?}"),
                format!("Pkcs8Key {{ kind: Okp({curve:?}), .. }}")
            );
            // Our own encoder writes exactly this v1 document.
            assert_eq!(okp_pkcs8(curve, &seed).unwrap().as_slice(), der.as_slice());

            let v2 = okp_pkcs8_doc(curve.oid(), &seed, Some(&[9; 32]));
            let key = read_pkcs8(&v2).unwrap();
            assert_eq!(key.public_key, Some(&[9u8; 32][..]));
            let err =
                found(read_pkcs8(&okp_pkcs8_doc(curve.oid(), &seed, Some(&[9; 31]))).unwrap_err());
            assert!(err.contains("32-byte") && err.contains("31 bytes"), "{err}");

            for bad_seed in [&[7u8; 31][..], &[7; 33], &[]] {
                let err =
                    found(read_pkcs8(&okp_pkcs8_doc(curve.oid(), bad_seed, None)).unwrap_err());
                assert!(err.contains("32-byte"), "{err}");
                assert!(okp_pkcs8(curve, bad_seed).is_err());
            }
            // The seed not wrapped in its own OCTET STRING (a bare 32 bytes).
            let bare = seq(&[
                &int(&[0]),
                &seq(&[&tlv(0x06, curve.oid())]),
                &tlv(0x04, &[0u8; 32]),
            ]);
            assert!(found(read_pkcs8(&bare).unwrap_err()).contains("CurvePrivateKey"));
            // Parameters present (NULL).
            let with_null = seq(&[
                &int(&[0]),
                &seq(&[&tlv(0x06, curve.oid()), &[0x05, 0x00]]),
                &tlv(0x04, &tlv(0x04, &seed)),
            ]);
            assert!(found(read_pkcs8(&with_null).unwrap_err()).contains("absent parameters"));

            let spki = okp_spki_doc(curve.oid(), &[3; 32]);
            let key = read_spki(&spki).unwrap();
            assert_eq!(key.kind, KeyKind::Okp(curve));
            assert_eq!(key.public_key, &[3u8; 32]);
            assert_eq!(okp_spki(curve, &[3; 32]).unwrap(), spki);
            for len in [0, 31, 33, 65] {
                let err = found(read_spki(&okp_spki_doc(curve.oid(), &vec![3; len])).unwrap_err());
                assert!(err.contains(&format!("{len} bytes")), "{err}");
            }
        }
    }

    #[test]
    fn what_jose_core_normalizes_reads_back() {
        let spki = rsa_spki(None, &modulus(2048), &[1, 0, 1]);
        let normalized = PublicKeyDer::from_der(&spki).unwrap();
        assert_eq!(
            read_spki(normalized.spki()).unwrap().kind,
            normalized.kind()
        );
        let mut point = vec![0x04];
        point.extend([0x01; 132]);
        let normalized = PublicKeyDer::from_der(&ec_spki(EcCurve::P521.oid(), &point)).unwrap();
        assert_eq!(
            read_spki(normalized.spki()).unwrap().kind,
            KeyKind::Ec(EcCurve::P521)
        );
        let pkcs8 = rsa_pkcs8(&modulus(2048), &[1, 0, 1]);
        let normalized = PrivateKeyDer::from_der(&pkcs8).unwrap();
        assert_eq!(
            read_pkcs8(normalized.pkcs8()).unwrap().kind,
            normalized.kind()
        );
    }
}
