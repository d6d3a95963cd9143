//! Just enough DER to tell what a PKCS#8 or SPKI document holds before aws-lc-rs parses it.
//!
//! aws-lc-rs does the real (strict) parsing and validation. This module only reads the algorithm
//! identifier, the RSA modulus and exponent (for size and exponent checks with useful messages) and
//! the EC point encoding. Nothing here ever puts input bytes into an error message, except object
//! identifiers, which are public.

use jose_core::Error;
use jose_core::alg::{EcCurve, KeyKind, MAX_RSA_BITS, MIN_RSA_BITS};

/// The largest RSA modulus aws-lc-rs accepts, in bits.
const AWS_LC_MAX_RSA_BITS: usize = 8192;

/// The largest RSA modulus this provider accepts: the smaller of jose-core's and aws-lc-rs' limits.
pub(crate) const MAX_BITS: usize = if MAX_RSA_BITS < AWS_LC_MAX_RSA_BITS {
    MAX_RSA_BITS
} else {
    AWS_LC_MAX_RSA_BITS
};

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_NULL: u8 = 0x05;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;

/// rsaEncryption, 1.2.840.113549.1.1.1.
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// id-ecPublicKey, 1.2.840.10045.2.1.
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// prime256v1 / secp256r1, 1.2.840.10045.3.1.7.
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// secp384r1, 1.3.132.0.34.
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
/// secp521r1, 1.3.132.0.35.
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];

/// What the supported-algorithms part of a message says.
const EXPECTED_ALG: &str =
    "an RSA (rsaEncryption) or EC (id-ecPublicKey on P-256, P-384 or P-521) key";

/// A cursor over a run of DER TLVs.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(input: &'a [u8]) -> Self {
        Reader { rest: input }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Reads one TLV with a single-byte tag and a definite, minimally encoded length.
    fn read_any(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.rest.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            // 0x80 is the BER indefinite form; more than 4 length bytes is far past any key.
            if count == 0 || count > 4 {
                return None;
            }
            let (len_bytes, after) = rest.split_at_checked(count)?;
            rest = after;
            if len_bytes.first() == Some(&0) {
                return None;
            }
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if len < 0x80 {
                return None;
            }
            len
        };
        let (content, after) = rest.split_at_checked(len)?;
        self.rest = after;
        Some((tag, content))
    }

    /// Reads one TLV that must have tag `tag`.
    fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
        match self.read_any()? {
            (t, content) if t == tag => Some(content),
            _ => None,
        }
    }
}

/// Reads `input` as exactly one TLV with tag `tag` and returns its content.
fn single(input: &[u8], tag: u8) -> Option<&[u8]> {
    let mut r = Reader::new(input);
    let content = r.read(tag)?;
    r.is_empty().then_some(content)
}

/// The magnitude of a DER INTEGER that must be positive, without leading zero bytes.
fn positive_integer(content: &[u8]) -> Option<&[u8]> {
    let (&first, _) = content.split_first()?;
    if first & 0x80 != 0 {
        return None;
    }
    let start = content.iter().position(|b| *b != 0)?;
    content.get(start..)
}

/// The bit length of a big-endian magnitude without leading zero bytes.
fn bit_len(magnitude: &[u8]) -> usize {
    match magnitude.split_first() {
        Some((&first, rest)) => rest
            .len()
            .saturating_mul(8)
            .saturating_add(8 - first.leading_zeros() as usize),
        None => 0,
    }
}

/// Formats an OID (public, and useful in "found ..." messages).
fn oid_string(oid: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut value: u128 = 0;
    for b in oid.iter().take(64) {
        value = (value << 7) | u128::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = if value < 40 {
                    0
                } else if value < 80 {
                    1
                } else {
                    2
                };
                arcs.push(first);
                arcs.push(value.saturating_sub(first * 40));
            } else {
                arcs.push(value);
            }
            value = 0;
        }
        if value > u128::from(u64::MAX) {
            return "an object identifier".to_owned();
        }
    }
    if arcs.is_empty() {
        return "an empty object identifier".to_owned();
    }
    let dotted: Vec<String> = arcs.iter().map(u128::to_string).collect();
    format!("OID {}", dotted.join("."))
}

fn curve_from_oid(oid: &[u8]) -> Option<EcCurve> {
    match oid {
        OID_P256 => Some(EcCurve::P256),
        OID_P384 => Some(EcCurve::P384),
        OID_P521 => Some(EcCurve::P521),
        _ => None,
    }
}

/// The key type named by an `AlgorithmIdentifier` (content of the SEQUENCE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyAlg {
    Rsa,
    Ec(EcCurve),
}

fn malformed(what: &str) -> Error {
    Error::invalid_key(format!("a DER-encoded {what}"), "malformed DER")
}

fn parse_algorithm_identifier(content: &[u8], what: &str) -> Result<KeyAlg, Error> {
    let mut r = Reader::new(content);
    let oid = r.read(TAG_OID).ok_or_else(|| malformed(what))?;
    let params = if r.is_empty() {
        None
    } else {
        Some(r.read_any().ok_or_else(|| malformed(what))?)
    };
    if !r.is_empty() {
        return Err(malformed(what));
    }
    match oid {
        OID_RSA_ENCRYPTION => match params {
            None | Some((TAG_NULL, [])) => Ok(KeyAlg::Rsa),
            Some(_) => Err(Error::invalid_key(
                "rsaEncryption with NULL parameters",
                "rsaEncryption with other parameters",
            )),
        },
        OID_EC_PUBLIC_KEY => match params {
            Some((TAG_OID, curve)) => curve_from_oid(curve).map(KeyAlg::Ec).ok_or_else(|| {
                Error::invalid_key(
                    "an EC key on P-256, P-384 or P-521",
                    format!("curve {}", oid_string(curve)),
                )
            }),
            Some(_) => Err(Error::invalid_key(
                "an EC key on a named curve (P-256, P-384 or P-521)",
                "explicit or implicit curve parameters",
            )),
            None => Err(Error::invalid_key(
                "an EC key on a named curve (P-256, P-384 or P-521)",
                "no curve parameters",
            )),
        },
        other => Err(Error::invalid_key(
            EXPECTED_ALG,
            format!("key algorithm {}", oid_string(other)),
        )),
    }
}

/// An RSA modulus size and public exponent, checked against this provider's limits.
pub(crate) fn check_rsa_public(modulus: &[u8], exponent: &[u8]) -> Result<usize, Error> {
    let n = positive_integer(modulus).ok_or_else(|| {
        Error::invalid_key("a positive RSA modulus", "zero or a negative modulus")
    })?;
    let bits = bit_len(n);
    if !(MIN_RSA_BITS..=MAX_BITS).contains(&bits) {
        return Err(Error::invalid_key(
            format!("an RSA modulus of {MIN_RSA_BITS} to {MAX_BITS} bits"),
            format!("{bits} bits"),
        ));
    }
    let e = positive_integer(exponent).unwrap_or(&[]);
    let odd = e.last().is_some_and(|b| b & 1 == 1);
    let at_least_3 = bit_len(e) >= 2;
    if !odd || !at_least_3 {
        let found = if exponent.first().is_some_and(|b| b & 0x80 != 0) {
            "a negative public exponent".to_owned()
        } else if e.len() <= 8 {
            let value = e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
            format!("public exponent {value}")
        } else {
            format!("an even {}-bit public exponent", bit_len(e))
        };
        return Err(Error::invalid_key(
            "an odd RSA public exponent of at least 3",
            found,
        ));
    }
    Ok(bits)
}

/// What a PKCS#8 `PrivateKeyInfo` holds.
pub(crate) struct Pkcs8Info<'a> {
    pub(crate) alg: KeyAlg,
    /// The content of the `privateKey` OCTET STRING (PKCS#1 `RSAPrivateKey` or SEC1 `ECPrivateKey`).
    pub(crate) private_key: &'a [u8],
}

/// Reads the algorithm and private key of a PKCS#8 document (v1 or v2).
pub(crate) fn parse_pkcs8(der: &[u8]) -> Result<Pkcs8Info<'_>, Error> {
    const WHAT: &str = "PKCS#8 private key";
    let body = single(der, TAG_SEQUENCE).ok_or_else(|| malformed(WHAT))?;
    let mut r = Reader::new(body);
    let version = r.read(TAG_INTEGER).ok_or_else(|| malformed(WHAT))?;
    if version != [0] && version != [1] {
        return Err(Error::invalid_key(
            "a PKCS#8 version 1 or 2 private key",
            "another version",
        ));
    }
    let alg_id = r.read(TAG_SEQUENCE).ok_or_else(|| malformed(WHAT))?;
    let alg = parse_algorithm_identifier(alg_id, WHAT)?;
    let private_key = r.read(TAG_OCTET_STRING).ok_or_else(|| malformed(WHAT))?;
    Ok(Pkcs8Info { alg, private_key })
}

/// Checks the modulus and public exponent inside a PKCS#1 `RSAPrivateKey`; returns the modulus bits.
pub(crate) fn check_rsa_private_key(rsa_private_key: &[u8]) -> Result<usize, Error> {
    const WHAT: &str = "PKCS#1 RSAPrivateKey";
    let body = single(rsa_private_key, TAG_SEQUENCE).ok_or_else(|| malformed(WHAT))?;
    let mut r = Reader::new(body);
    let _version = r.read(TAG_INTEGER).ok_or_else(|| malformed(WHAT))?;
    let n = r.read(TAG_INTEGER).ok_or_else(|| malformed(WHAT))?;
    let e = r.read(TAG_INTEGER).ok_or_else(|| malformed(WHAT))?;
    check_rsa_public(n, e)
}

/// What an SPKI document holds, with the RSA or EC checks done.
pub(crate) struct SpkiInfo<'a> {
    pub(crate) kind: KeyKind,
    /// The content of the `subjectPublicKey` BIT STRING: a PKCS#1 `RSAPublicKey` or an EC point.
    pub(crate) public_key: &'a [u8],
}

/// Reads an SPKI document: RSA (modulus size and exponent checked) or EC (uncompressed point of the
/// curve's length; whether it is on the curve is left to aws-lc-rs).
pub(crate) fn parse_spki(der: &[u8]) -> Result<SpkiInfo<'_>, Error> {
    const WHAT: &str = "SubjectPublicKeyInfo";
    let body = single(der, TAG_SEQUENCE).ok_or_else(|| malformed(WHAT))?;
    let mut r = Reader::new(body);
    let alg_id = r.read(TAG_SEQUENCE).ok_or_else(|| malformed(WHAT))?;
    let alg = parse_algorithm_identifier(alg_id, WHAT)?;
    let bits = r.read(TAG_BIT_STRING).ok_or_else(|| malformed(WHAT))?;
    if !r.is_empty() {
        return Err(malformed(WHAT));
    }
    let public_key = match bits.split_first() {
        Some((0, key)) => key,
        _ => return Err(malformed(WHAT)),
    };
    match alg {
        KeyAlg::Rsa => {
            const WHAT_RSA: &str = "PKCS#1 RSAPublicKey";
            let seq = single(public_key, TAG_SEQUENCE).ok_or_else(|| malformed(WHAT_RSA))?;
            let mut r = Reader::new(seq);
            let n = r.read(TAG_INTEGER).ok_or_else(|| malformed(WHAT_RSA))?;
            let e = r.read(TAG_INTEGER).ok_or_else(|| malformed(WHAT_RSA))?;
            if !r.is_empty() {
                return Err(malformed(WHAT_RSA));
            }
            let bits = check_rsa_public(n, e)?;
            Ok(SpkiInfo {
                kind: KeyKind::Rsa { bits },
                public_key,
            })
        }
        KeyAlg::Ec(curve) => {
            let expected_len = curve.coordinate_len().saturating_mul(2).saturating_add(1);
            match public_key.first() {
                Some(0x04) if public_key.len() == expected_len => Ok(SpkiInfo {
                    kind: KeyKind::Ec(curve),
                    public_key,
                }),
                Some(0x02 | 0x03) => Err(Error::invalid_key(
                    format!("an uncompressed {curve} point"),
                    "a compressed point",
                )),
                _ => Err(Error::invalid_key(
                    format!("an uncompressed {curve} point of {expected_len} bytes"),
                    format!("{} bytes", public_key.len()),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        let mut r = Reader::new(&[0x04, 0x81, 0x80]);
        assert!(r.read_any().is_none(), "truncated");
        let mut r = Reader::new(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]);
        assert!(r.read_any().is_none(), "non-minimal long form");
        let mut r = Reader::new(&[0x04, 0x80, 0, 0]);
        assert!(r.read_any().is_none(), "indefinite");
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        let mut r = Reader::new(&long);
        assert_eq!(r.read(0x04).map(<[u8]>::len), Some(0x80));
        assert!(r.is_empty());
    }

    #[test]
    fn integers_and_bits() {
        assert_eq!(
            positive_integer(&[0x00, 0x80, 0x01]),
            Some(&[0x80, 0x01][..])
        );
        assert_eq!(positive_integer(&[0x80]), None);
        assert_eq!(positive_integer(&[0x00]), None);
        assert_eq!(bit_len(&[0x80, 0x01]), 16);
        assert_eq!(bit_len(&[0x01]), 1);
        assert_eq!(bit_len(&[]), 0);
    }

    #[test]
    fn oids_print_dotted() {
        assert_eq!(oid_string(OID_RSA_ENCRYPTION), "OID 1.2.840.113549.1.1.1");
        assert_eq!(oid_string(OID_P521), "OID 1.3.132.0.35");
        assert_eq!(oid_string(&[0x2b, 0x65, 0x70]), "OID 1.3.101.112");
    }

    #[test]
    fn exponent_checks() {
        let mut n = vec![0x00, 0xc0];
        n.extend([0u8; 255]);
        n.push(1);
        assert!(check_rsa_public(&n, &[0x01, 0x00, 0x01]).is_ok());
        assert!(check_rsa_public(&n, &[0x03]).is_ok());
        for bad in [
            &[0x01][..],
            &[0x00],
            &[0x02],
            &[0x01, 0x00, 0x00],
            &[0xff],
            &[],
        ] {
            let err = check_rsa_public(&n, bad).unwrap_err();
            assert!(err.to_string().contains("odd RSA public exponent"), "{err}");
        }
    }
}
