//! PEM and DER key formats: parsing, validation and normalization.
//!
//! Every private key is normalized to PKCS#8 v1 DER ([`PrivateKeyDer`]) and every public key to SPKI
//! DER ([`PublicKeyDer`]), which is all a crypto provider is ever handed. Accepted inputs:
//!
//! | | DER | PEM label |
//! |---|---|---|
//! | private | PKCS#8 `PrivateKeyInfo` (v1, or v2 whose extra fields are dropped), PKCS#1 `RSAPrivateKey`, SEC1 `ECPrivateKey` | `PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY` |
//! | public | SPKI `SubjectPublicKeyInfo`, PKCS#1 `RSAPublicKey` | `PUBLIC KEY`, `RSA PUBLIC KEY` |
//!
//! Ed25519 and X25519 keys (RFC 8410) come only as PKCS#8 and SPKI: `id-Ed25519` (1.3.101.112) or
//! `id-X25519` (1.3.101.110) with absent parameters; the PKCS#8 `privateKey` is a
//! `CurvePrivateKey` (an OCTET STRING of exactly 32 bytes, the seed) and the SPKI
//! `subjectPublicKey` exactly 32 bytes. A PKCS#8 v2 (`OneAsymmetricKey`, RFC 5958, as ring and
//! aws-lc-rs write it) may carry the 32-byte public key; it is then kept (see
//! [`PrivateKeyDer::pkcs8`]) so that the provider checks it against the seed.
//!
//! Encrypted private keys (`ENCRYPTED PRIVATE KEY`, or legacy `Proc-Type: 4,ENCRYPTED` PEM) are
//! refused with [`Error::InvalidKey`]: decrypt them first.
//!
//! # Validation
//!
//! jose-core does no arithmetic on keys, but it checks everything that can be checked on the encoding
//! (a provider checks the rest, such as whether a point is on its curve, when it imports the key):
//!
//! - strict DER, and nothing after it; inputs larger than [`Limits::max_key_len`] (default) are refused;
//! - key types RSA (`rsaEncryption`, NULL or absent parameters), EC (`id-ecPublicKey` with a
//!   `namedCurve`), Ed25519 and X25519 (absent parameters); anything else (Ed448 and X448
//!   included) is [`Error::UnsupportedAlgorithm`] with kind `"key type"`;
//! - curves P-256, P-384 and P-521; any other curve is [`Error::UnsupportedAlgorithm`] with kind
//!   `"curve"`;
//! - RSA: a modulus of [`MIN_RSA_BITS`] to [`MAX_RSA_BITS`] bits, odd, without the ROCA fingerprint
//!   (CVE-2017-15361); a public exponent that is odd, at least 3 and at most 64 bits; a private key
//!   must be two-prime (no `otherPrimeInfos`) with non-zero `d`, `p`, `q`, `dp`, `dq`, `qi`;
//! - EC: public points uncompressed (`0x04 || x || y`, each coordinate exactly the curve's length);
//!   private scalars non-zero and at most the coordinate length (left-padded when normalized). A SEC1
//!   or PKCS#8 EC private key must include its public key: computing it would take curve arithmetic.
//!
//! Errors say what was expected and what was found; they never contain key bytes.
//!
//! Signatures have one format question of their own: ECDSA's DER `ECDSA-Sig-Value` (what a KMS or
//! HSM returns) against JOSE's raw `r || s`, converted by [`ecdsa_der_to_raw`] and
//! [`ecdsa_raw_to_der`].

mod ecdsa;
mod pem;
mod roca;

pub use ecdsa::{ecdsa_der_to_raw, ecdsa_raw_to_der};

use crate::alg::{EcCurve, KeyKind, MAX_RSA_BITS, MIN_RSA_BITS, OkpCurve};
use crate::error::Error;
use crate::limits::Limits;
use crate::provider::support::bit_len;
use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Encode, Reader, SliceReader, Tag, Tagged};
use pkcs1::{RsaPrivateKey, RsaPrivateKeyRef, RsaPublicKey, RsaPublicKeyRef};
use pkcs8::PrivateKeyInfoRef;
use sec1::{EcParameters, EcPrivateKey};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use std::fmt;
use zeroize::Zeroizing;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

const KEY_TYPES: &str = "RSA EC Ed25519 X25519";
const CURVES: &str = "P-256 P-384 P-521";
const PRIVATE_DER: &str = "private key DER";
const PUBLIC_DER: &str = "public key DER";
const PRIVATE_PEM: &str = "private key PEM";
const PUBLIC_PEM: &str = "public key PEM";

/// The DER structures this module recognizes, told apart by the tags of their first elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Pkcs8,
    EncryptedPkcs8,
    Pkcs1Private,
    Sec1,
    Spki,
    Pkcs1Public,
    Unknown,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Pkcs8 => "a PKCS#8 PrivateKeyInfo",
            Shape::EncryptedPkcs8 => "a PKCS#8 EncryptedPrivateKeyInfo",
            Shape::Pkcs1Private => "a PKCS#1 RSAPrivateKey",
            Shape::Sec1 => "a SEC1 ECPrivateKey",
            Shape::Spki => "an SPKI SubjectPublicKeyInfo",
            Shape::Pkcs1Public => "a PKCS#1 RSAPublicKey",
            Shape::Unknown => "an unrecognized ASN.1 structure",
        }
    }

    /// Whether the structure holds a private key (`Some(true)`, the encrypted PKCS#8 the private
    /// parser refuses by name included), a public key (`Some(false)`), or neither (`None`).
    pub(crate) fn is_private(self) -> Option<bool> {
        match self {
            Shape::Pkcs8 | Shape::EncryptedPkcs8 | Shape::Pkcs1Private | Shape::Sec1 => Some(true),
            Shape::Spki | Shape::Pkcs1Public => Some(false),
            Shape::Unknown => None,
        }
    }

    /// Peeks at the outer SEQUENCE and the tags of its first three elements (no full parse).
    pub(crate) fn of(der: &[u8]) -> Result<Shape, der::Error> {
        let mut reader = SliceReader::new(der)?;
        let outer = AnyRef::decode(&mut reader)?;
        if outer.tag() != Tag::Sequence {
            return Ok(Shape::Unknown);
        }
        let mut inner = SliceReader::new(outer.value())?;
        let mut tags = [None; 3];
        for slot in &mut tags {
            if inner.is_finished() {
                break;
            }
            *slot = Some(AnyRef::decode(&mut inner)?.tag());
        }
        Ok(match tags {
            [Some(Tag::Integer), Some(Tag::Sequence), _] => Shape::Pkcs8,
            [Some(Tag::Integer), Some(Tag::OctetString), _] => Shape::Sec1,
            [Some(Tag::Integer), Some(Tag::Integer), Some(Tag::Integer)] => Shape::Pkcs1Private,
            [Some(Tag::Integer), Some(Tag::Integer), None] => Shape::Pkcs1Public,
            [Some(Tag::Sequence), Some(Tag::BitString), _] => Shape::Spki,
            [Some(Tag::Sequence), Some(Tag::OctetString), _] => Shape::EncryptedPkcs8,
            _ => Shape::Unknown,
        })
    }
}

/// A private key normalized to PKCS#8 v1 DER, with its kind.
///
/// The DER is held in [`Zeroizing`] memory; `Debug` prints only the kind.
#[derive(Clone)]
pub struct PrivateKeyDer {
    pkcs8: Zeroizing<Vec<u8>>,
    kind: KeyKind,
}

impl fmt::Debug for PrivateKeyDer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKeyDer")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl PrivateKeyDer {
    /// The normalized PKCS#8 DER: `rsaEncryption` (NULL parameters) with a two-prime PKCS#1
    /// `RSAPrivateKey`, or `id-ecPublicKey` (the curve OID as parameters) with a SEC1 `ECPrivateKey`
    /// holding the full-length scalar and the public key, without its optional parameters field;
    /// these are version 1. An Ed25519 or X25519 key is `id-Ed25519` / `id-X25519` (no
    /// parameters) with the 32-byte seed as a `CurvePrivateKey`: version 1 when its public key is
    /// not known, version 2 (`OneAsymmetricKey`, RFC 5958) with the 32-byte public key when it is
    /// (from a JWK's `x`, a PKCS#8 v2 input, or [`PrivateKeyDer::with_public_key`]), so that the
    /// provider importing it checks that the two belong together (jose-core does no curve
    /// arithmetic).
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The key's type and size.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// Parses DER, detecting the format from the structure: PKCS#8 `PrivateKeyInfo`, PKCS#1
    /// `RSAPrivateKey` or SEC1 `ECPrivateKey` (which must name its curve and carry its public key).
    ///
    /// Errors: [`Error::Malformed`] for bad DER, [`Error::InvalidKey`] for a key that fails
    /// validation (see the [module documentation](self)) or is public or encrypted,
    /// [`Error::UnsupportedAlgorithm`] for another key type or curve, [`Error::LimitExceeded`] for
    /// input over [`Limits::max_key_len`].
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        check_size(der.len())?;
        match Shape::of(der) {
            Ok(Shape::Pkcs8) => Self::from_pkcs8(der),
            Ok(Shape::Pkcs1Private) => Self::from_pkcs1(der),
            Ok(Shape::Sec1) => Self::from_sec1(der),
            Ok(Shape::EncryptedPkcs8) => Err(encrypted_key("a PKCS#8 EncryptedPrivateKeyInfo")),
            Ok(shape @ (Shape::Spki | Shape::Pkcs1Public)) => Err(Error::invalid_key(
                "a private key",
                format!("a public key ({})", shape.name()),
            )),
            Ok(Shape::Unknown) => Err(Error::malformed(
                PRIVATE_DER,
                EXPECTED_PRIVATE,
                Shape::Unknown.name(),
            )),
            Err(e) => Err(not_der(PRIVATE_DER, EXPECTED_PRIVATE, der, e)),
        }
    }

    /// Parses PEM with the label `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or
    /// `EC PRIVATE KEY` (SEC1); the content must match the label. Text around the block is ignored,
    /// as is an `EC PARAMETERS` block (written by `openssl ecparam -genkey`); any other second block
    /// is an error. Base64 lines may have any width.
    ///
    /// Errors: as [`PrivateKeyDer::from_der`]; an `ENCRYPTED PRIVATE KEY` (or a legacy encrypted PEM)
    /// is [`Error::InvalidKey`] (encrypted keys are not supported), a public key label is
    /// [`Error::InvalidKey`], any other label is [`Error::Malformed`].
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        check_size(pem.len())?;
        let block = pem::single_key_block(pem, PRIVATE_PEM)?;
        let expected = match block.label {
            "PRIVATE KEY" => Shape::Pkcs8,
            "RSA PRIVATE KEY" => Shape::Pkcs1Private,
            "EC PRIVATE KEY" => Shape::Sec1,
            "ENCRYPTED PRIVATE KEY" => return Err(encrypted_key("an ENCRYPTED PRIVATE KEY")),
            "PUBLIC KEY" | "RSA PUBLIC KEY" => {
                return Err(Error::invalid_key(
                    "a private key",
                    format!("a public key (PEM label {:?})", block.label),
                ));
            }
            other => {
                return Err(Error::malformed(
                    PRIVATE_PEM,
                    "the label PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY",
                    format!("{:?}", pem::shown(other)),
                ));
            }
        };
        let der = block.decode(PRIVATE_PEM)?;
        if let Ok(found) = Shape::of(&der) {
            if found != expected && found != Shape::Unknown {
                return Err(Error::malformed(
                    PRIVATE_PEM,
                    "content matching its label",
                    format!("{} under the label {:?}", found.name(), block.label),
                ));
            }
        }
        match expected {
            Shape::Pkcs1Private => Self::from_pkcs1(&der),
            Shape::Sec1 => Self::from_sec1(&der),
            _ => Self::from_pkcs8(&der),
        }
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, LF line endings, 64-column lines), always
    /// version 1: an Ed25519 or X25519 key that holds its public key (PKCS#8 v2 in
    /// [`PrivateKeyDer::pkcs8`]) is written without it, as `openssl genpkey` writes it (OpenSSL
    /// 3.0 and pyca/cryptography do not read the v2 form).
    pub fn to_pem(&self) -> Result<Zeroizing<String>, Error> {
        if let PrivateParts::Okp {
            curve,
            seed,
            public: Some(_),
        } = self.parts()?
        {
            let v1 = encode_okp_pkcs8(curve, seed, None)?;
            return pem::encode("PRIVATE KEY", &v1).map(Zeroizing::new);
        }
        pem::encode("PRIVATE KEY", &self.pkcs8).map(Zeroizing::new)
    }

    /// The public half, read from the key (RSA `n` and `e`; the EC public point; the OKP public
    /// key when the normalized PKCS#8 holds it).
    ///
    /// Errors: [`Error::InvalidKey`] for an Ed25519 or X25519 key whose public key is not known
    /// (a PKCS#8 v1 input: computing it would take curve arithmetic; a provider's
    /// [`PrivateKeyOps::public_key`](crate::provider::PrivateKeyOps::public_key) gives it).
    pub fn public_key(&self) -> Result<PublicKeyDer, Error> {
        match self.parts()? {
            PrivateParts::Rsa(key) => PublicKeyDer::from_rsa_components(
                key.modulus.as_bytes(),
                key.public_exponent.as_bytes(),
            ),
            PrivateParts::Ec { curve, point, .. } => PublicKeyDer::from_ec_point(curve, point),
            PrivateParts::Okp {
                curve,
                public: Some(public),
                ..
            } => PublicKeyDer::from_okp(curve, public),
            PrivateParts::Okp {
                curve,
                public: None,
                ..
            } => Err(okp_without_public(curve)),
        }
    }

    /// This key with its public half attached, for an Ed25519 or X25519 key whose PKCS#8 did not
    /// carry it (the export of a provider is version 1): the normalized DER becomes PKCS#8 v2
    /// with the public key. RSA and EC keys hold theirs already and are returned unchanged (the
    /// kinds must match; the keys are not compared).
    ///
    /// Errors: [`Error::InvalidKey`] if `public` is of another kind, or (OKP) differs from a
    /// public key the PKCS#8 already holds.
    pub fn with_public_key(self, public: &PublicKeyDer) -> Result<Self, Error> {
        if public.kind() != self.kind {
            return Err(Error::invalid_key(
                format!("the public key of this {}", self.kind),
                format!("a public {}", public.kind()),
            ));
        }
        if !matches!(self.kind, KeyKind::Okp(_)) {
            return Ok(self);
        }
        let PrivateParts::Okp {
            curve,
            seed,
            public: known,
        } = self.parts()?
        else {
            return Err(Error::invalid_key("an OKP private key", self.kind));
        };
        let PublicParts::Okp { x, .. } = public.parts()? else {
            return Err(Error::invalid_key(
                format!("an OKP {curve} public key"),
                public.kind(),
            ));
        };
        if known.is_some_and(|known| known != x) {
            return Err(Error::invalid_key(
                format!("the public key of this {curve} key"),
                "another public key",
            ));
        }
        Self::from_okp(curve, seed, Some(x))
    }

    fn from_pkcs8(der: &[u8]) -> Result<Self, Error> {
        let info = PrivateKeyInfoRef::from_der(der)
            .map_err(|e| Error::malformed(PRIVATE_DER, "a DER PKCS#8 PrivateKeyInfo", e))?;
        let inner = info.private_key.as_bytes();
        match key_algorithm(&info.algorithm)? {
            KeyAlgorithm::Rsa => {
                let key = RsaPrivateKeyRef::from_der(inner).map_err(|e| {
                    Error::malformed(
                        PRIVATE_DER,
                        "a DER PKCS#1 RSAPrivateKey inside the PKCS#8",
                        e,
                    )
                })?;
                Self::from_rsa(&key)
            }
            KeyAlgorithm::Ec(curve) => {
                let key = EcPrivateKey::from_der(inner).map_err(|e| {
                    Error::malformed(PRIVATE_DER, "a DER SEC1 ECPrivateKey inside the PKCS#8", e)
                })?;
                if let Some(EcParameters::NamedCurve(oid)) = key.parameters {
                    if oid.as_bytes() != curve.oid() {
                        return Err(Error::invalid_key(
                            format!(
                                "ECPrivateKey parameters naming {curve}, as the PKCS#8 algorithm does"
                            ),
                            curve_name(&oid),
                        ));
                    }
                }
                // A PKCS#8 v2 (OneAsymmetricKey) may carry the public key outside the ECPrivateKey.
                let outer_public = info.public_key.and_then(|bits| bits.as_bytes());
                Self::from_ec_components(curve, key.private_key, key.public_key.or(outer_public))
            }
            KeyAlgorithm::Okp(curve) => {
                let seed = okp_seed(curve, inner)?;
                let public = okp_pkcs8_public(curve, info.public_key)?;
                Self::from_okp(curve, seed, public)
            }
        }
    }

    /// Builds an Ed25519 or X25519 private key from its 32-byte seed and, when known, its 32-byte
    /// public key (PKCS#8 v2 then, v1 without).
    pub(crate) fn from_okp(
        curve: OkpCurve,
        seed: &[u8],
        public: Option<&[u8]>,
    ) -> Result<Self, Error> {
        check_okp_len(curve, "private key (seed)", seed.len())?;
        if let Some(public) = public {
            check_okp_len(curve, "public key", public.len())?;
        }
        Ok(PrivateKeyDer {
            pkcs8: encode_okp_pkcs8(curve, seed, public)?,
            kind: KeyKind::Okp(curve),
        })
    }

    fn from_pkcs1(der: &[u8]) -> Result<Self, Error> {
        let key = RsaPrivateKeyRef::from_der(der)
            .map_err(|e| Error::malformed(PRIVATE_DER, "a DER PKCS#1 RSAPrivateKey", e))?;
        Self::from_rsa(&key)
    }

    fn from_sec1(der: &[u8]) -> Result<Self, Error> {
        let key = EcPrivateKey::from_der(der)
            .map_err(|e| Error::malformed(PRIVATE_DER, "a DER SEC1 ECPrivateKey", e))?;
        let Some(EcParameters::NamedCurve(oid)) = key.parameters else {
            return Err(Error::invalid_key(
                "a SEC1 ECPrivateKey naming its curve (parameters [0] namedCurve)",
                "no parameters",
            ));
        };
        Self::from_ec_components(curve_from_oid(&oid)?, key.private_key, key.public_key)
    }

    /// Validates and normalizes a two-prime RSA private key.
    pub(crate) fn from_rsa(key: &RsaPrivateKeyRef<'_>) -> Result<Self, Error> {
        if key.other_prime_infos.is_some() {
            return Err(Error::invalid_key(
                "a two-prime RSA key",
                "a multi-prime key (otherPrimeInfos)",
            ));
        }
        let bits = check_rsa_public(key.modulus.as_bytes(), key.public_exponent.as_bytes())?;
        let private = [
            ("d", key.private_exponent),
            ("p", key.prime1),
            ("q", key.prime2),
            ("dp", key.exponent1),
            ("dq", key.exponent2),
            ("qi", key.coefficient),
        ];
        for (name, value) in private {
            if is_zero(value.as_bytes()) {
                return Err(Error::invalid_key(
                    "an RSA private key with all CRT parameters (d, p, q, dp, dq, qi) non-zero",
                    format!("{name} = 0"),
                ));
            }
        }
        for (name, value) in [("p", key.prime1), ("q", key.prime2)] {
            if value.as_bytes().last().is_some_and(|b| b & 1 == 0) {
                return Err(Error::invalid_key(
                    "odd RSA primes p and q",
                    format!("an even {name}"),
                ));
            }
        }
        let pkcs1 = RsaPrivateKey {
            modulus: key.modulus,
            public_exponent: key.public_exponent,
            private_exponent: key.private_exponent,
            prime1: key.prime1,
            prime2: key.prime2,
            exponent1: key.exponent1,
            exponent2: key.exponent2,
            coefficient: key.coefficient,
            other_prime_infos: None,
        };
        let pkcs1_der = encode_secret(&pkcs1)?;
        let alg = AlgorithmIdentifierRef {
            oid: RSA_ENCRYPTION,
            parameters: Some(AnyRef::NULL),
        };
        Ok(PrivateKeyDer {
            pkcs8: wrap_pkcs8(alg, &pkcs1_der)?,
            kind: KeyKind::Rsa { bits },
        })
    }

    /// Validates and normalizes an EC private key from its scalar and (required) public point.
    pub(crate) fn from_ec_components(
        curve: EcCurve,
        d: &[u8],
        point: Option<&[u8]>,
    ) -> Result<Self, Error> {
        let len = curve.coordinate_len();
        // Tolerate superfluous leading zeros, but never a longer number.
        let d = strip_zeros_to(d, len);
        if d.len() > len {
            return Err(Error::invalid_key(
                format!("a {curve} private scalar of at most {len} bytes"),
                format!("{} bytes", d.len()),
            ));
        }
        if is_zero(d) {
            return Err(Error::invalid_key("a non-zero EC private scalar", "zero"));
        }
        let point = point.ok_or_else(|| {
            Error::invalid_key(
                "an EC private key that includes its public key (jose-core does no curve arithmetic to compute it)",
                "no public key in the ECPrivateKey",
            )
        })?;
        check_ec_point(curve, point)?;
        let mut padded = Zeroizing::new(vec![0u8; len]);
        let pad = len.saturating_sub(d.len());
        for (dst, src) in padded.iter_mut().skip(pad).zip(d) {
            *dst = *src;
        }
        if curve == EcCurve::P521 && padded.first().is_some_and(|b| *b > 1) {
            return Err(Error::invalid_key(
                "a P-521 private scalar below 2^521",
                "a larger value",
            ));
        }
        let sec1 = EcPrivateKey {
            private_key: &padded,
            parameters: None,
            public_key: Some(point),
        };
        let sec1_der = encode_secret(&sec1)?;
        let alg = AlgorithmIdentifierRef {
            oid: EC_PUBLIC_KEY,
            parameters: Some(curve_parameters(curve)?),
        };
        Ok(PrivateKeyDer {
            pkcs8: wrap_pkcs8(alg, &sec1_der)?,
            kind: KeyKind::Ec(curve),
        })
    }

    /// The components of the normalized key.
    pub(crate) fn parts(&self) -> Result<PrivateParts<'_>, Error> {
        let info = PrivateKeyInfoRef::from_der(&self.pkcs8)
            .map_err(|e| Error::malformed(PRIVATE_DER, "a DER PKCS#8 PrivateKeyInfo", e))?;
        let inner = info.private_key.as_bytes();
        match self.kind {
            KeyKind::Okp(curve) => Ok(PrivateParts::Okp {
                curve,
                seed: okp_seed(curve, inner)?,
                public: okp_pkcs8_public(curve, info.public_key)?,
            }),
            KeyKind::Rsa { .. } => RsaPrivateKeyRef::from_der(inner)
                .map(PrivateParts::Rsa)
                .map_err(|e| Error::malformed(PRIVATE_DER, "a DER PKCS#1 RSAPrivateKey", e)),
            KeyKind::Ec(curve) => {
                let key = EcPrivateKey::from_der(inner)
                    .map_err(|e| Error::malformed(PRIVATE_DER, "a DER SEC1 ECPrivateKey", e))?;
                let point = key.public_key.ok_or_else(|| {
                    Error::invalid_key("an EC private key with its public key", "none")
                })?;
                Ok(PrivateParts::Ec {
                    curve,
                    d: key.private_key,
                    point,
                })
            }
        }
    }
}

/// The components of a normalized private key, borrowed from its DER.
pub(crate) enum PrivateParts<'a> {
    /// A two-prime RSA key.
    Rsa(RsaPrivateKeyRef<'a>),
    /// An EC key: the full-length scalar and the uncompressed public point.
    Ec {
        curve: EcCurve,
        d: &'a [u8],
        point: &'a [u8],
    },
    /// An Ed25519 or X25519 key: the 32-byte seed and, when the PKCS#8 holds it, the 32-byte
    /// public key.
    Okp {
        curve: OkpCurve,
        seed: &'a [u8],
        public: Option<&'a [u8]>,
    },
}

/// The components of a normalized public key, borrowed from its DER.
pub(crate) enum PublicParts<'a> {
    /// RSA modulus and public exponent, big-endian without leading zeros.
    Rsa { n: &'a [u8], e: &'a [u8] },
    /// An uncompressed EC point `0x04 || x || y`.
    Ec { curve: EcCurve, point: &'a [u8] },
    /// An Ed25519 or X25519 public key, 32 bytes.
    Okp { curve: OkpCurve, x: &'a [u8] },
}

/// A public key normalized to SPKI (`SubjectPublicKeyInfo`) DER, with its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyDer {
    spki: Vec<u8>,
    kind: KeyKind,
}

impl PublicKeyDer {
    /// The normalized SPKI DER: `rsaEncryption` (NULL parameters) with a PKCS#1 `RSAPublicKey`,
    /// `id-ecPublicKey` (the curve OID as parameters) with an uncompressed point, or `id-Ed25519`
    /// / `id-X25519` (no parameters) with the 32-byte public key.
    pub fn spki(&self) -> &[u8] {
        &self.spki
    }

    /// The key's type and size.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// Parses DER, detecting the format from the structure: SPKI or PKCS#1 `RSAPublicKey`.
    ///
    /// Errors: [`Error::Malformed`] for bad DER, [`Error::InvalidKey`] for a key that fails
    /// validation (see the [module documentation](self)) or is a private key,
    /// [`Error::UnsupportedAlgorithm`] for another key type or curve, [`Error::LimitExceeded`] for
    /// input over [`Limits::max_key_len`].
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        check_size(der.len())?;
        match Shape::of(der) {
            Ok(Shape::Spki) => Self::from_spki(der),
            Ok(Shape::Pkcs1Public) => Self::from_pkcs1(der),
            Ok(
                shape @ (Shape::Pkcs8 | Shape::EncryptedPkcs8 | Shape::Pkcs1Private | Shape::Sec1),
            ) => Err(Error::invalid_key(
                "a public key",
                format!("a private key ({})", shape.name()),
            )),
            Ok(Shape::Unknown) => Err(Error::malformed(
                PUBLIC_DER,
                EXPECTED_PUBLIC,
                Shape::Unknown.name(),
            )),
            Err(e) => Err(not_der(PUBLIC_DER, EXPECTED_PUBLIC, der, e)),
        }
    }

    /// Parses PEM with the label `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1); the content must
    /// match the label. Text around the block is ignored; a second block is an error.
    ///
    /// Errors: as [`PublicKeyDer::from_der`]; a private key label is [`Error::InvalidKey`], any
    /// other label (a `CERTIFICATE`, say) is [`Error::Malformed`].
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        check_size(pem.len())?;
        let block = pem::single_key_block(pem, PUBLIC_PEM)?;
        let expected = match block.label {
            "PUBLIC KEY" => Shape::Spki,
            "RSA PUBLIC KEY" => Shape::Pkcs1Public,
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
                return Err(Error::invalid_key(
                    "a public key",
                    format!("a private key (PEM label {:?})", block.label),
                ));
            }
            "CERTIFICATE" => {
                return Err(Error::malformed(
                    PUBLIC_PEM,
                    "the label PUBLIC KEY or RSA PUBLIC KEY",
                    "a CERTIFICATE (extract its key first, e.g. `openssl x509 -pubkey -noout`)",
                ));
            }
            other => {
                return Err(Error::malformed(
                    PUBLIC_PEM,
                    "the label PUBLIC KEY or RSA PUBLIC KEY",
                    format!("{:?}", pem::shown(other)),
                ));
            }
        };
        let der = block.decode(PUBLIC_PEM)?;
        if let Ok(found) = Shape::of(&der) {
            if found != expected && found != Shape::Unknown {
                return Err(Error::malformed(
                    PUBLIC_PEM,
                    "content matching its label",
                    format!("{} under the label {:?}", found.name(), block.label),
                ));
            }
        }
        match expected {
            Shape::Pkcs1Public => Self::from_pkcs1(&der),
            _ => Self::from_spki(&der),
        }
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`, LF line endings, 64-column lines).
    pub fn to_pem(&self) -> Result<String, Error> {
        pem::encode("PUBLIC KEY", &self.spki)
    }

    fn from_spki(der: &[u8]) -> Result<Self, Error> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| Error::malformed(PUBLIC_DER, "a DER SubjectPublicKeyInfo", e))?;
        let key = spki.subject_public_key.as_bytes().ok_or_else(|| {
            Error::malformed(
                PUBLIC_DER,
                "a subjectPublicKey BIT STRING of whole bytes",
                "unused bits",
            )
        })?;
        match key_algorithm(&spki.algorithm)? {
            KeyAlgorithm::Rsa => {
                let rsa = RsaPublicKeyRef::from_der(key).map_err(|e| {
                    Error::malformed(PUBLIC_DER, "a DER PKCS#1 RSAPublicKey inside the SPKI", e)
                })?;
                Self::from_rsa_components(rsa.modulus.as_bytes(), rsa.public_exponent.as_bytes())
            }
            KeyAlgorithm::Ec(curve) => Self::from_ec_point(curve, key),
            KeyAlgorithm::Okp(curve) => Self::from_okp(curve, key),
        }
    }

    /// Builds an Ed25519 or X25519 public key from its 32 bytes (whether they are a valid point
    /// is left to the provider).
    pub(crate) fn from_okp(curve: OkpCurve, public: &[u8]) -> Result<Self, Error> {
        check_okp_len(curve, "public key", public.len())?;
        Ok(PublicKeyDer {
            spki: encode_okp_spki(curve, public)?,
            kind: KeyKind::Okp(curve),
        })
    }

    fn from_pkcs1(der: &[u8]) -> Result<Self, Error> {
        let rsa = RsaPublicKeyRef::from_der(der)
            .map_err(|e| Error::malformed(PUBLIC_DER, "a DER PKCS#1 RSAPublicKey", e))?;
        Self::from_rsa_components(rsa.modulus.as_bytes(), rsa.public_exponent.as_bytes())
    }

    /// Validates and builds an RSA public key from its modulus and exponent (big-endian; leading
    /// zeros are ignored).
    pub(crate) fn from_rsa_components(n: &[u8], e: &[u8]) -> Result<Self, Error> {
        let bits = check_rsa_public(n, e)?;
        let internal = |e: der::Error| Error::malformed(PUBLIC_DER, "an encodable RSA key", e);
        let pkcs1 = RsaPublicKey {
            modulus: UintRef::new(n).map_err(internal)?,
            public_exponent: UintRef::new(e).map_err(internal)?,
        };
        let pkcs1_der = pkcs1.to_der().map_err(internal)?;
        let alg = AlgorithmIdentifierRef {
            oid: RSA_ENCRYPTION,
            parameters: Some(AnyRef::NULL),
        };
        Ok(PublicKeyDer {
            spki: encode_spki(alg, &pkcs1_der)?,
            kind: KeyKind::Rsa { bits },
        })
    }

    /// Validates and builds an EC public key from an uncompressed point `0x04 || x || y`.
    pub(crate) fn from_ec_point(curve: EcCurve, point: &[u8]) -> Result<Self, Error> {
        check_ec_point(curve, point)?;
        let alg = AlgorithmIdentifierRef {
            oid: EC_PUBLIC_KEY,
            parameters: Some(curve_parameters(curve)?),
        };
        Ok(PublicKeyDer {
            spki: encode_spki(alg, point)?,
            kind: KeyKind::Ec(curve),
        })
    }

    /// The components of the normalized key.
    pub(crate) fn parts(&self) -> Result<PublicParts<'_>, Error> {
        let spki = SubjectPublicKeyInfoRef::from_der(&self.spki)
            .map_err(|e| Error::malformed(PUBLIC_DER, "a DER SubjectPublicKeyInfo", e))?;
        let key = spki.subject_public_key.as_bytes().ok_or_else(|| {
            Error::malformed(PUBLIC_DER, "a BIT STRING of whole bytes", "unused bits")
        })?;
        match self.kind {
            KeyKind::Okp(curve) => Ok(PublicParts::Okp { curve, x: key }),
            KeyKind::Rsa { .. } => {
                let rsa = RsaPublicKeyRef::from_der(key)
                    .map_err(|e| Error::malformed(PUBLIC_DER, "a DER PKCS#1 RSAPublicKey", e))?;
                Ok(PublicParts::Rsa {
                    n: rsa.modulus.as_bytes(),
                    e: rsa.public_exponent.as_bytes(),
                })
            }
            KeyKind::Ec(curve) => Ok(PublicParts::Ec { curve, point: key }),
        }
    }
}

/// The label of the first key block of a PEM text (an `EC PARAMETERS` block is skipped), for
/// callers that dispatch on it: `"PRIVATE KEY"`, `"PUBLIC KEY"`, `"CERTIFICATE"`, ...
///
/// Only the boundaries are read (the base64 is not decoded). Errors: [`Error::Malformed`] if there is
/// no complete block, [`Error::LimitExceeded`] over [`Limits::max_key_len`].
pub fn pem_label(pem: &str) -> Result<String, Error> {
    check_size(pem.len())?;
    pem::blocks(pem)?
        .iter()
        .find(|b| b.label != pem::EC_PARAMETERS)
        .map(|b| b.label.to_owned())
        .ok_or_else(|| {
            Error::malformed(
                "PEM",
                "a PEM key block (\"-----BEGIN <label>-----\")",
                "none",
            )
        })
}

const EXPECTED_PRIVATE: &str =
    "DER: PKCS#8 PrivateKeyInfo, PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey";
const EXPECTED_PUBLIC: &str = "DER: SPKI SubjectPublicKeyInfo or PKCS#1 RSAPublicKey";

fn check_size(len: usize) -> Result<(), Error> {
    Limits::check("key", Limits::default().max_key_len, len)
}

/// The error for input that is not DER at all (naming PEM if that is what it is).
fn not_der(what: &'static str, expected: &'static str, input: &[u8], e: der::Error) -> Error {
    let trimmed = input.trim_ascii_start();
    if trimmed.starts_with(b"-----BEGIN") {
        Error::malformed(what, expected, "PEM text (use from_pem)")
    } else if input.first() == Some(&b'{') {
        Error::malformed(what, expected, "JSON text (a JWK?)")
    } else {
        Error::malformed(what, expected, e)
    }
}

fn encrypted_key(found: &str) -> Error {
    Error::invalid_key(
        "an unencrypted private key (encrypted keys are not supported)",
        format!("{found}; decrypt it first, e.g. with `openssl pkey`"),
    )
}

/// The `id-ecPublicKey` parameters naming `curve` (its `namedCurve` OID).
fn curve_parameters(curve: EcCurve) -> Result<AnyRef<'static>, Error> {
    AnyRef::new(Tag::ObjectIdentifier, curve.oid()).map_err(internal)
}

fn curve_from_oid(oid: &ObjectIdentifier) -> Result<EcCurve, Error> {
    EcCurve::from_oid(oid.as_bytes()).ok_or_else(|| Error::UnsupportedAlgorithm {
        kind: "curve",
        found: curve_name(oid),
        supported: CURVES,
    })
}

/// A curve OID as shown in messages: its common name when known, and the dotted OID.
fn curve_name(oid: &ObjectIdentifier) -> String {
    let dotted = oid.to_string();
    let name = match dotted.as_str() {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        "1.3.132.0.33" => "P-224",
        "1.2.840.10045.3.1.1" => "P-192",
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1",
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1",
        "1.2.156.10197.1.301" => "SM2",
        _ => return format!("OID {dotted}"),
    };
    format!("{name} ({dotted})")
}

fn unsupported_key_type(oid: &ObjectIdentifier) -> Error {
    let dotted = oid.to_string();
    let name = match dotted.as_str() {
        "1.2.840.113549.1.1.10" => Some("RSASSA-PSS"),
        "1.2.840.113549.1.1.7" => Some("RSAES-OAEP"),
        "1.3.101.110" => Some("X25519"),
        "1.3.101.111" => Some("X448"),
        "1.3.101.112" => Some("Ed25519"),
        "1.3.101.113" => Some("Ed448"),
        "1.2.840.10040.4.1" => Some("DSA"),
        "1.2.840.10046.2.1" | "1.2.840.113549.1.3.1" => Some("DH"),
        "1.3.132.1.12" => Some("id-ecDH"),
        "1.3.132.1.13" => Some("id-ecMQV"),
        "2.16.840.1.101.3.4.3.17" => Some("ML-DSA-44"),
        "2.16.840.1.101.3.4.3.18" => Some("ML-DSA-65"),
        "2.16.840.1.101.3.4.3.19" => Some("ML-DSA-87"),
        "2.16.840.1.101.3.4.4.1" => Some("ML-KEM-512"),
        "2.16.840.1.101.3.4.4.2" => Some("ML-KEM-768"),
        "2.16.840.1.101.3.4.4.3" => Some("ML-KEM-1024"),
        _ => None,
    };
    Error::UnsupportedAlgorithm {
        kind: "key type",
        found: match name {
            Some(name) => format!("{name} ({dotted})"),
            None => format!("OID {dotted}"),
        },
        supported: KEY_TYPES,
    }
}

/// The key type (and for EC and OKP the curve) an `AlgorithmIdentifier` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyAlgorithm {
    /// `rsaEncryption` with NULL (or absent) parameters.
    Rsa,
    /// `id-ecPublicKey` on a supported named curve.
    Ec(EcCurve),
    /// `id-Ed25519` or `id-X25519` (RFC 8410) with absent parameters.
    Okp(OkpCurve),
}

/// Reads the `AlgorithmIdentifier` of a PKCS#8 or SPKI document: `rsaEncryption`,
/// `id-ecPublicKey` on P-256, P-384 or P-521, `id-Ed25519` or `id-X25519`; anything else is
/// [`Error::UnsupportedAlgorithm`].
pub(crate) fn key_algorithm(alg: &AlgorithmIdentifierRef<'_>) -> Result<KeyAlgorithm, Error> {
    if alg.oid == RSA_ENCRYPTION {
        check_rsa_parameters(alg)?;
        Ok(KeyAlgorithm::Rsa)
    } else if alg.oid == EC_PUBLIC_KEY {
        ec_parameters(alg).map(KeyAlgorithm::Ec)
    } else if let Some(curve) = OkpCurve::from_oid(alg.oid.as_bytes()) {
        // RFC 8410 section 3: "the parameters MUST be absent".
        match alg.parameters {
            None => Ok(KeyAlgorithm::Okp(curve)),
            Some(p) => Err(Error::invalid_key(
                format!("id-{curve} with absent parameters (RFC 8410 section 3)"),
                format!("parameters of type {}", p.tag()),
            )),
        }
    } else {
        Err(unsupported_key_type(&alg.oid))
    }
}

/// Checks the length of an Ed25519 or X25519 key part (`what`: "public key", ...).
fn check_okp_len(curve: OkpCurve, what: &str, len: usize) -> Result<(), Error> {
    let expected = curve.key_len();
    if len == expected {
        Ok(())
    } else {
        Err(Error::invalid_key(
            format!("a {expected}-byte {curve} {what}"),
            format!("{len} bytes"),
        ))
    }
}

/// The 32-byte seed of an RFC 8410 `CurvePrivateKey` (the content of the PKCS#8 `privateKey`:
/// an OCTET STRING of 32 bytes).
pub(crate) fn okp_seed(curve: OkpCurve, private_key: &[u8]) -> Result<&[u8], Error> {
    let seed = <&OctetStringRef>::from_der(private_key).map_err(|_| {
        Error::invalid_key(
            format!("a DER {curve} CurvePrivateKey (an OCTET STRING) inside the PKCS#8"),
            "malformed DER",
        )
    })?;
    let seed = seed.as_bytes();
    check_okp_len(curve, "private key (seed)", seed.len())?;
    Ok(seed)
}

/// The public key of a PKCS#8 v2 holding an Ed25519 or X25519 key, checked for length.
pub(crate) fn okp_pkcs8_public<'a>(
    curve: OkpCurve,
    public: Option<BitStringRef<'a>>,
) -> Result<Option<&'a [u8]>, Error> {
    let Some(bits) = public else {
        return Ok(None);
    };
    let bytes = bits.as_bytes().ok_or_else(|| {
        Error::invalid_key(
            "a PKCS#8 v2 publicKey BIT STRING of whole bytes",
            "unused bits",
        )
    })?;
    check_okp_len(curve, "public key", bytes.len())?;
    Ok(Some(bytes))
}

/// PKCS#8 DER of an Ed25519 or X25519 key: version 1 with the seed, or version 2 with the public
/// key too. The lengths are the caller's to check.
pub(crate) fn encode_okp_pkcs8(
    curve: OkpCurve,
    seed: &[u8],
    public: Option<&[u8]>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let inner = encode_secret(&OctetStringRef::new(seed).map_err(internal)?)?;
    let mut info: PrivateKeyInfoRef<'_> = pkcs8::PrivateKeyInfo::new(
        okp_algorithm(curve)?,
        OctetStringRef::new(&inner).map_err(internal)?,
    );
    if let Some(public) = public {
        info.public_key = Some(BitStringRef::from_bytes(public).map_err(internal)?);
    }
    encode_secret(&info)
}

/// SPKI DER of an Ed25519 or X25519 public key. The length is the caller's to check.
pub(crate) fn encode_okp_spki(curve: OkpCurve, public: &[u8]) -> Result<Vec<u8>, Error> {
    encode_spki(okp_algorithm(curve)?, public)
}

/// `id-Ed25519` or `id-X25519` without parameters.
fn okp_algorithm(curve: OkpCurve) -> Result<AlgorithmIdentifierRef<'static>, Error> {
    Ok(AlgorithmIdentifierRef {
        oid: ObjectIdentifier::from_bytes(curve.oid())
            .map_err(|e| Error::InvalidRequest(format!("the {curve} OID: {e}")))?,
        parameters: None,
    })
}

/// The error for an OKP private key whose public key jose-core would have to compute.
fn okp_without_public(curve: OkpCurve) -> Error {
    Error::invalid_key(
        format!(
            "an {curve} private key with its public key (a PKCS#8 v2, or a JWK with \"x\"; \
             jose-core does no curve arithmetic to compute it)"
        ),
        "only the private key (PKCS#8 v1)",
    )
}

/// `rsaEncryption` parameters must be NULL (RFC 8017 A.1); absent parameters are tolerated.
fn check_rsa_parameters(alg: &AlgorithmIdentifierRef<'_>) -> Result<(), Error> {
    match alg.parameters {
        None => Ok(()),
        Some(p) if p.is_null() => Ok(()),
        Some(p) => Err(Error::malformed(
            "key DER",
            "rsaEncryption with NULL parameters",
            format!("parameters of type {}", p.tag()),
        )),
    }
}

/// The curve named by `id-ecPublicKey` parameters (a `namedCurve` OID; explicit curves are refused).
fn ec_parameters(alg: &AlgorithmIdentifierRef<'_>) -> Result<EcCurve, Error> {
    const EXPECTED: &str = "id-ecPublicKey parameters naming a curve (namedCurve OID)";
    let params = alg
        .parameters
        .ok_or_else(|| Error::invalid_key(EXPECTED, "no parameters"))?;
    match params.tag() {
        Tag::ObjectIdentifier => {
            let oid = params
                .decode_as::<ObjectIdentifier>()
                .map_err(|e| Error::malformed("key DER", "a DER OBJECT IDENTIFIER", e))?;
            curve_from_oid(&oid)
        }
        Tag::Sequence => Err(Error::invalid_key(
            EXPECTED,
            "explicit curve parameters (specifiedCurve)",
        )),
        Tag::Null => Err(Error::invalid_key(EXPECTED, "NULL (implicitCurve)")),
        other => Err(Error::invalid_key(
            EXPECTED,
            format!("parameters of type {other}"),
        )),
    }
}

/// Checks an RSA public key; returns the modulus size in bits.
fn check_rsa_public(n: &[u8], e: &[u8]) -> Result<usize, Error> {
    let bits = check_rsa_modulus_size(n)?;
    if n.last().is_some_and(|b| b & 1 == 0) {
        return Err(Error::invalid_key("an odd RSA modulus", "an even modulus"));
    }
    let e_bits = bit_len(e);
    if e_bits > 64 {
        return Err(Error::invalid_key(
            "an RSA public exponent of at most 64 bits",
            format!("{e_bits} bits"),
        ));
    }
    if !is_odd_and_at_least_3(e) {
        let e_value = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        return Err(Error::invalid_key(RSA_EXPONENT_EXPECTED, e_value));
    }
    if roca::has_fingerprint(n) {
        return Err(Error::invalid_key(
            "an RSA modulus without the ROCA fingerprint",
            "a modulus from the vulnerable Infineon RSALib (ROCA, CVE-2017-15361); replace this key",
        ));
    }
    Ok(bits)
}

/// Checks an RSA modulus (big-endian, leading zeros ignored) has [`MIN_RSA_BITS`] to
/// [`MAX_RSA_BITS`] bits; returns its size.
pub(crate) fn check_rsa_modulus_size(n: &[u8]) -> Result<usize, Error> {
    let bits = bit_len(n);
    if bits < MIN_RSA_BITS {
        return Err(Error::invalid_key(
            format!("an RSA modulus of at least {MIN_RSA_BITS} bits"),
            format!("{bits} bits"),
        ));
    }
    if bits > MAX_RSA_BITS {
        return Err(Error::invalid_key(
            format!("an RSA modulus of at most {MAX_RSA_BITS} bits"),
            format!("{bits} bits"),
        ));
    }
    Ok(bits)
}

/// What an RSA public exponent must be, for messages.
pub(crate) const RSA_EXPONENT_EXPECTED: &str = "an odd RSA public exponent of at least 3";

/// Whether an RSA public exponent (big-endian, leading zeros ignored) is odd and at least 3.
pub(crate) fn is_odd_and_at_least_3(e: &[u8]) -> bool {
    e.last().is_some_and(|b| b & 1 == 1) && bit_len(e) >= 2
}

/// Checks an uncompressed EC point of exactly the curve's length.
pub(crate) fn check_ec_point(curve: EcCurve, point: &[u8]) -> Result<(), Error> {
    const UNCOMPRESSED: &str = "an uncompressed EC point (0x04 || x || y)";
    let len = curve.coordinate_len();
    let expected_len = len.saturating_mul(2).saturating_add(1);
    match point.first() {
        Some(0x04) if point.len() == expected_len => {
            if curve == EcCurve::P521 {
                let y_first = point.get(len.saturating_add(1));
                if point.get(1).is_some_and(|b| *b > 1) || y_first.is_some_and(|b| *b > 1) {
                    return Err(Error::invalid_key(
                        "P-521 coordinates below 2^521",
                        "a larger value",
                    ));
                }
            }
            Ok(())
        }
        Some(0x04) => Err(Error::invalid_key(
            format!("an uncompressed {curve} point of {expected_len} bytes"),
            format!("{} bytes", point.len()),
        )),
        Some(0x02 | 0x03) => Err(Error::invalid_key(UNCOMPRESSED, "a compressed point")),
        Some(0x06 | 0x07) => Err(Error::invalid_key(UNCOMPRESSED, "a hybrid point")),
        Some(0x00) => Err(Error::invalid_key(UNCOMPRESSED, "the point at infinity")),
        Some(b) => Err(Error::invalid_key(
            UNCOMPRESSED,
            format!("a point starting with 0x{b:02x}"),
        )),
        None => Err(Error::invalid_key(UNCOMPRESSED, "an empty point")),
    }
}

/// Removes leading zero bytes while the slice is longer than `min_len`.
fn strip_zeros_to(mut n: &[u8], min_len: usize) -> &[u8] {
    while n.len() > min_len {
        match n.split_first() {
            Some((0, rest)) => n = rest,
            _ => break,
        }
    }
    n
}

fn is_zero(n: &[u8]) -> bool {
    n.iter().fold(0u8, |acc, b| acc | b) == 0
}

fn internal(e: der::Error) -> Error {
    Error::InvalidRequest(format!("DER encoding failed: {e}"))
}

/// Encodes into a buffer allocated once at the right size, so no stray copy of secret bytes is left.
fn encode_secret<T: Encode>(value: &T) -> Result<Zeroizing<Vec<u8>>, Error> {
    let len = value
        .encoded_len()
        .and_then(usize::try_from)
        .map_err(internal)?;
    let mut buf = Zeroizing::new(Vec::with_capacity(len));
    value.encode_to_vec(&mut buf).map_err(internal)?;
    Ok(buf)
}

fn wrap_pkcs8(
    alg: AlgorithmIdentifierRef<'_>,
    private_key: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let info: PrivateKeyInfoRef<'_> =
        pkcs8::PrivateKeyInfo::new(alg, OctetStringRef::new(private_key).map_err(internal)?);
    encode_secret(&info)
}

fn encode_spki(alg: AlgorithmIdentifierRef<'_>, key: &[u8]) -> Result<Vec<u8>, Error> {
    let spki = SubjectPublicKeyInfoRef {
        algorithm: alg,
        subject_public_key: BitStringRef::from_bytes(key).map_err(internal)?,
    };
    spki.to_der().map_err(internal)
}
