//! RSA, EC, Ed25519 and X25519 keys held by aws-lc-rs, behind jose-core's `PrivateKeyOps` /
//! `PublicKeyOps`.
//!
//! jose-core's `provider::support` reads the key type, RSA size and exponent and EC point encoding
//! of what a caller passes (with messages that say what was wrong); aws-lc-rs does the real,
//! strict parsing and checks the key is consistent and its point on the curve.

use aws_lc_rs::agreement;
use aws_lc_rs::encoding::{AsBigEndian, AsDer, Curve25519SeedBin, EcPrivateKeyBin};
use aws_lc_rs::error::KeyRejected;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512,
    OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, Ed25519KeyPair,
    KeyPair as _, ParsedPublicKey, RsaEncoding, RsaKeyPair, RsaParameters,
};
use jose_core::Error;
use jose_core::alg::{
    EcCurve, HashAlg, JwsAlgorithm, KeyKind, KeyManagementAlgorithm, MAX_RSA_BITS, OkpCurve,
    SignatureScheme,
};
use jose_core::provider::support::{okp_pkcs8, okp_spki, read_pkcs8, read_spki};
use jose_core::provider::{PrivateKeyOps, PublicKeyOps};
use std::fmt;
use std::sync::{Arc, OnceLock};
use zeroize::Zeroizing;

// aws-lc-rs handles RSA moduli up to 8192 bits (its `RSA_*_2048_8192_*` parameters), so jose-core's
// limit, which `read_pkcs8` and `read_spki` apply, must not go beyond it.
const _: () = assert!(MAX_RSA_BITS <= 8192);

/// The error for a key that aws-lc-rs refuses after jose-core's structural checks passed. The
/// `KeyRejected` reason is a fixed string from aws-lc-rs ("InvalidEncoding", "InconsistentComponents",
/// ...), never key bytes.
fn rejected(expected: impl fmt::Display, err: &KeyRejected) -> Error {
    Error::invalid_key(
        expected,
        format!("a key aws-lc-rs rejects ({})", err.description_()),
    )
}

fn provider_failure(what: &str) -> Error {
    Error::Provider(format!("aws-lc-rs failed to {what}"))
}

fn ecdsa_signing(curve: EcCurve) -> &'static EcdsaSigningAlgorithm {
    match curve {
        EcCurve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        EcCurve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        EcCurve::P521 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
    }
}

/// The encodings of the Ed25519 points of small order, compared with the sign bit (the top bit of
/// the last byte) cleared: libsodium's list. The y of the identity (1), of the point of order 2
/// (p - 1), of the points of order 4 (0) and of order 8 (two values), and the non-canonical p
/// (0) and p + 1 (1).
const ED25519_SMALL_ORDER: [[u8; 32]; 7] = [
    [0; 32],
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
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

/// Whether a 32-byte Ed25519 point encoding is one of a point of small order (public, not
/// secret: no constant time needed). Anything not 32 bytes is not.
fn ed25519_small_order(encoding: &[u8]) -> bool {
    let Some((last, rest)) = encoding.split_last() else {
        return false;
    };
    encoding.len() == 32
        && ED25519_SMALL_ORDER.iter().any(|bad| {
            bad.split_last()
                .is_some_and(|(bad_last, bad_rest)| bad_rest == rest && *bad_last == last & 0x7f)
        })
}

fn ecdh(curve: EcCurve) -> &'static agreement::Algorithm {
    match curve {
        EcCurve::P256 => &agreement::ECDH_P256,
        EcCurve::P384 => &agreement::ECDH_P384,
        EcCurve::P521 => &agreement::ECDH_P521,
    }
}

fn ecdsa_verification(curve: EcCurve) -> &'static EcdsaVerificationAlgorithm {
    match curve {
        EcCurve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
        EcCurve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
        EcCurve::P521 => &signature::ECDSA_P521_SHA512_FIXED,
    }
}

/// The RSA signing encoding for an RS*/PS* algorithm (PSS: MGF1 with the same hash, salt length =
/// hash length, which is aws-lc-rs' default).
fn rsa_signing(alg: JwsAlgorithm) -> Option<&'static dyn RsaEncoding> {
    match alg {
        JwsAlgorithm::Rs256 => Some(&signature::RSA_PKCS1_SHA256),
        JwsAlgorithm::Rs384 => Some(&signature::RSA_PKCS1_SHA384),
        JwsAlgorithm::Rs512 => Some(&signature::RSA_PKCS1_SHA512),
        JwsAlgorithm::Ps256 => Some(&signature::RSA_PSS_SHA256),
        JwsAlgorithm::Ps384 => Some(&signature::RSA_PSS_SHA384),
        JwsAlgorithm::Ps512 => Some(&signature::RSA_PSS_SHA512),
        JwsAlgorithm::Es256
        | JwsAlgorithm::Es384
        | JwsAlgorithm::Es512
        | JwsAlgorithm::Hs256
        | JwsAlgorithm::Hs384
        | JwsAlgorithm::Hs512
        | JwsAlgorithm::EdDsa => None,
    }
}

/// The aws-lc-rs parameters of an RSA JWS algorithm, with its slot in [`RsaVerifiers`].
fn rsa_verification(alg: JwsAlgorithm) -> Option<(usize, &'static RsaParameters)> {
    match alg {
        JwsAlgorithm::Rs256 => Some((0, &signature::RSA_PKCS1_2048_8192_SHA256)),
        JwsAlgorithm::Rs384 => Some((1, &signature::RSA_PKCS1_2048_8192_SHA384)),
        JwsAlgorithm::Rs512 => Some((2, &signature::RSA_PKCS1_2048_8192_SHA512)),
        JwsAlgorithm::Ps256 => Some((3, &signature::RSA_PSS_2048_8192_SHA256)),
        JwsAlgorithm::Ps384 => Some((4, &signature::RSA_PSS_2048_8192_SHA384)),
        JwsAlgorithm::Ps512 => Some((5, &signature::RSA_PSS_2048_8192_SHA512)),
        JwsAlgorithm::Es256
        | JwsAlgorithm::Es384
        | JwsAlgorithm::Es512
        | JwsAlgorithm::Hs256
        | JwsAlgorithm::Hs384
        | JwsAlgorithm::Hs512
        | JwsAlgorithm::EdDsa => None,
    }
}

/// An RSA public key parsed once per JWS algorithm, on its first verification. aws-lc keeps the
/// Montgomery set-up with the parsed key, so later verifications skip both the DER parse and the
/// set-up that `UnparsedPublicKey` repeats on every call.
#[derive(Default)]
struct RsaVerifiers([OnceLock<Option<ParsedPublicKey>>; 6]);

impl RsaVerifiers {
    /// Verifies `sig` over `message` with the key `pkcs1` (validated at import) under `alg`.
    fn verify(&self, pkcs1: &[u8], alg: JwsAlgorithm, message: &[u8], sig: &[u8]) -> bool {
        let Some((slot, params)) = rsa_verification(alg) else {
            return false;
        };
        let Some(cell) = self.0.get(slot) else {
            return false;
        };
        cell.get_or_init(|| ParsedPublicKey::new(params, pkcs1).ok())
            .as_ref()
            .is_some_and(|key| key.verify_sig(message, sig).is_ok())
    }
}

/// The aws-lc-rs OAEP parameters of an RSA-OAEP algorithm; `None` for every other `alg`.
fn oaep(alg: KeyManagementAlgorithm) -> Option<&'static OaepAlgorithm> {
    match alg.oaep_hash()? {
        HashAlg::Sha1 => Some(&OAEP_SHA1_MGF1SHA1),
        HashAlg::Sha256 => Some(&OAEP_SHA256_MGF1SHA256),
        HashAlg::Sha384 => Some(&OAEP_SHA384_MGF1SHA384),
        HashAlg::Sha512 => Some(&OAEP_SHA512_MGF1SHA512),
    }
}

fn check_fit(alg: JwsAlgorithm, kind: KeyKind) -> Result<(), Error> {
    if alg.fits(kind) {
        Ok(())
    } else {
        Err(Error::invalid_key(format!("a key for {alg}"), kind))
    }
}

/// A public key: RSA (PKCS#1 v1.5 and PSS verification, RSA-OAEP encryption) or ECDSA.
pub(crate) struct AwsLcPublicKey {
    inner: PublicInner,
    /// Canonical SPKI, as aws-lc-rs re-encodes it (EC points uncompressed).
    spki: Vec<u8>,
}

enum PublicInner {
    Rsa {
        /// The PKCS#1 `RSAPublicKey`, validated at import, parsed for each algorithm on first use.
        pkcs1: Vec<u8>,
        verifiers: Box<RsaVerifiers>,
        encrypting: OaepPublicEncryptingKey,
        bits: usize,
    },
    Ec {
        key: ParsedPublicKey,
        curve: EcCurve,
    },
    /// Ed25519 (verification) or X25519 (a key agreement peer): the 32 public bytes.
    Okp { curve: OkpCurve, bytes: [u8; 32] },
}

impl fmt::Debug for AwsLcPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcPublicKey")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

impl AwsLcPublicKey {
    /// Imports SPKI DER: RSA (2048 to 8192 bits, odd exponent >= 3), EC (uncompressed point on
    /// P-256, P-384 or P-521), Ed25519 or X25519 (32 bytes).
    pub(crate) fn from_spki(spki: &[u8]) -> Result<Self, Error> {
        let info = read_spki(spki)?;
        match info.kind {
            KeyKind::Okp(curve) => Self::from_okp(curve, info.public_key),
            KeyKind::Rsa { bits } => {
                let expected = "a valid RSA public key";
                let key =
                    PublicEncryptingKey::from_der(spki).map_err(|e| rejected(expected, &e))?;
                if key.key_size_bits() != bits {
                    return Err(Error::invalid_key(
                        expected,
                        "a key whose size aws-lc-rs reads differently",
                    ));
                }
                let canonical = key
                    .as_der()
                    .map_err(|_| provider_failure("encode an RSA public key"))?
                    .as_ref()
                    .to_vec();
                let encrypting = OaepPublicEncryptingKey::new(key)
                    .map_err(|_| provider_failure("set up an RSA-OAEP key"))?;
                Ok(AwsLcPublicKey {
                    inner: PublicInner::Rsa {
                        pkcs1: info.public_key.to_vec(),
                        verifiers: Box::default(),
                        encrypting,
                        bits,
                    },
                    spki: canonical,
                })
            }
            KeyKind::Ec(curve) => Self::from_ec(curve, spki),
        }
    }

    /// An EC public key from its SPKI or its uncompressed point `0x04 || x || y` (aws-lc-rs
    /// reads either, and checks the point is on the curve); kept with its canonical SPKI.
    fn from_ec(curve: EcCurve, spki_or_point: &[u8]) -> Result<Self, Error> {
        let key = ParsedPublicKey::new(ecdsa_verification(curve), spki_or_point).map_err(|e| {
            rejected(
                format!("a valid {curve} public key (a point on the curve)"),
                &e,
            )
        })?;
        let canonical = key
            .as_der()
            .map_err(|_| provider_failure("encode an EC public key"))?
            .as_ref()
            .to_vec();
        Ok(AwsLcPublicKey {
            inner: PublicInner::Ec { key, curve },
            spki: canonical,
        })
    }

    /// An Ed25519 or X25519 public key of 32 bytes. Ed25519 points are decoded when a signature
    /// is verified (a key that does not decode verifies nothing); X25519 accepts any 32 bytes (RFC
    /// 7748), low-order points being caught by the all-zero check of key agreement.
    fn from_okp(curve: OkpCurve, public: &[u8]) -> Result<Self, Error> {
        let bytes: [u8; 32] = public.try_into().map_err(|_| {
            Error::invalid_key(
                format!("a 32-byte {curve} public key"),
                format!("{} bytes", public.len()),
            )
        })?;
        Ok(AwsLcPublicKey {
            inner: PublicInner::Okp { curve, bytes },
            spki: okp_spki(curve, &bytes)?,
        })
    }
}

impl PublicKeyOps for AwsLcPublicKey {
    fn kind(&self) -> KeyKind {
        match &self.inner {
            PublicInner::Rsa { bits, .. } => KeyKind::Rsa { bits: *bits },
            PublicInner::Ec { curve, .. } => KeyKind::Ec(*curve),
            PublicInner::Okp { curve, .. } => KeyKind::Okp(*curve),
        }
    }

    fn verify(&self, alg: JwsAlgorithm, message: &[u8], sig: &[u8]) -> Result<(), Error> {
        check_fit(alg, self.kind())?;
        let verified = match (&self.inner, alg.scheme()) {
            (PublicInner::Ec { key, curve }, SignatureScheme::Ecdsa(_)) => {
                sig.len() == curve.signature_len() && key.verify_sig(message, sig).is_ok()
            }
            // A signature is exactly as long as the modulus (RFC 8017 section 8.2.2 step 1).
            (
                PublicInner::Rsa {
                    pkcs1,
                    bits,
                    verifiers,
                    ..
                },
                _,
            ) => sig.len() == bits.div_ceil(8) && verifiers.verify(pkcs1, alg, message, sig),
            // aws-lc's ED25519_verify: S < L, A and R decoded, [S]B = R + [k]A compared as
            // encodings (cofactorless). It does not refuse a small-order A or R, which make
            // signatures that verify for many messages (for every one, with the identity as
            // key): refused here by list first, as ed25519-dalek's verify_strict does.
            (
                PublicInner::Okp {
                    curve: OkpCurve::Ed25519,
                    bytes,
                },
                SignatureScheme::EdDsa(_),
            ) => {
                sig.len() == 64
                    && !ed25519_small_order(bytes)
                    && !sig.get(..32).is_none_or(ed25519_small_order)
                    && signature::UnparsedPublicKey::new(&signature::ED25519, bytes)
                        .verify(message, sig)
                        .is_ok()
            }
            (PublicInner::Ec { .. } | PublicInner::Okp { .. }, _) => false,
        };
        if verified {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }

    fn wrap_key(&self, alg: KeyManagementAlgorithm, cek: &[u8]) -> Result<Vec<u8>, Error> {
        let PublicInner::Rsa { encrypting, .. } = &self.inner else {
            return Err(Error::invalid_key(
                format!("an RSA key for {alg}"),
                self.kind(),
            ));
        };
        let algorithm =
            oaep(alg).ok_or_else(|| Error::invalid_key(format!("a key for {alg}"), self.kind()))?;
        let max = encrypting.max_plaintext_size(algorithm);
        if cek.len() > max {
            return Err(Error::InvalidRequest(format!(
                "{alg} with this {} can wrap at most {max} bytes, found a {}-byte CEK",
                self.kind(),
                cek.len()
            )));
        }
        let mut out = vec![0u8; encrypting.ciphertext_size()];
        let len = encrypting
            .encrypt(algorithm, cek, &mut out, None)
            .map_err(|_| provider_failure("encrypt with RSA-OAEP"))?
            .len();
        out.truncate(len);
        Ok(out)
    }

    fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        Ok(self.spki.clone())
    }
}

/// A private key: RSA (signing and RSA-OAEP decryption) or ECDSA. aws-lc frees (and cleanses) the
/// key material when this is dropped; nothing secret is kept on the Rust side.
pub(crate) struct AwsLcPrivateKey {
    inner: PrivateInner,
    public: Arc<AwsLcPublicKey>,
}

enum PrivateInner {
    Rsa {
        signing: RsaKeyPair,
        decrypting: OaepPrivateDecryptingKey,
        bits: usize,
    },
    Ec {
        key: EcdsaKeyPair,
        /// The same scalar as an ECDH key, for `agree`.
        ecdh: agreement::PrivateKey,
        curve: EcCurve,
    },
    Ed25519(Ed25519KeyPair),
    X25519(agreement::PrivateKey),
    /// The ephemeral key of one ECDH-ES encryption (`generate_ephemeral`): ECDH only, no ECDSA
    /// key, never exported.
    EcEphemeral {
        ecdh: agreement::PrivateKey,
        curve: EcCurve,
    },
}

impl fmt::Debug for AwsLcPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcPrivateKey")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

impl AwsLcPrivateKey {
    /// Imports PKCS#8 DER (v1, or v2 if aws-lc accepts it): RSA of 2048 to 8192 bits, EC on
    /// P-256/P-384/P-521, Ed25519 or X25519. aws-lc checks the key is consistent (RSA components,
    /// EC public point); for Ed25519 and X25519 the public key of a PKCS#8 v2 must be the one
    /// derived from the seed.
    pub(crate) fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, Error> {
        let info = read_pkcs8(pkcs8)?;
        match info.kind {
            KeyKind::Okp(curve) => Self::from_okp_seed(curve, info.private_key, info.public_key),
            KeyKind::Rsa { bits } => {
                let expected = "a valid RSA private key";
                let signing = RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| rejected(expected, &e))?;
                let decrypting =
                    PrivateDecryptingKey::from_pkcs8(pkcs8).map_err(|e| rejected(expected, &e))?;
                if decrypting.key_size_bits() != bits {
                    return Err(Error::invalid_key(
                        expected,
                        "a key whose size aws-lc-rs reads differently",
                    ));
                }
                let decrypting = OaepPrivateDecryptingKey::new(decrypting)
                    .map_err(|_| provider_failure("set up an RSA-OAEP key"))?;
                let spki = signing
                    .public_key()
                    .as_der()
                    .map_err(|_| provider_failure("encode an RSA public key"))?;
                let public = Arc::new(AwsLcPublicKey::from_spki(spki.as_ref())?);
                Ok(AwsLcPrivateKey {
                    inner: PrivateInner::Rsa {
                        signing,
                        decrypting,
                        bits,
                    },
                    public,
                })
            }
            KeyKind::Ec(curve) => {
                let key = EcdsaKeyPair::from_pkcs8(ecdsa_signing(curve), pkcs8)
                    .map_err(|e| rejected(format!("a valid {curve} private key"), &e))?;
                let spki = key
                    .public_key()
                    .as_der()
                    .map_err(|_| provider_failure("encode an EC public key"))?;
                let public = Arc::new(AwsLcPublicKey::from_spki(spki.as_ref())?);
                let scalar: EcPrivateKeyBin<'_> = key
                    .private_key()
                    .as_be_bytes()
                    .map_err(|_| provider_failure("read an EC private key"))?;
                let ecdh = agreement::PrivateKey::from_private_key(ecdh(curve), scalar.as_ref())
                    .map_err(|e| rejected(format!("a valid {curve} private key"), &e))?;
                Ok(AwsLcPrivateKey {
                    inner: PrivateInner::Ec { key, ecdh, curve },
                    public,
                })
            }
        }
    }

    /// An Ed25519 or X25519 key from its 32-byte seed; `public`, when given (PKCS#8 v2), must be
    /// the public key the seed gives.
    pub(crate) fn from_okp_seed(
        curve: OkpCurve,
        seed: &[u8],
        public: Option<&[u8]>,
    ) -> Result<Self, Error> {
        let expected = format!("a valid {curve} private key");
        let (inner, derived) = match curve {
            OkpCurve::Ed25519 => {
                let key = Ed25519KeyPair::from_seed_unchecked(seed)
                    .map_err(|e| rejected(&expected, &e))?;
                let derived = key.public_key().as_ref().to_vec();
                (PrivateInner::Ed25519(key), derived)
            }
            OkpCurve::X25519 => {
                let key = agreement::PrivateKey::from_private_key(&agreement::X25519, seed)
                    .map_err(|e| rejected(&expected, &e))?;
                let derived = key
                    .compute_public_key()
                    .map_err(|_| provider_failure("compute an X25519 public key"))?
                    .as_ref()
                    .to_vec();
                (PrivateInner::X25519(key), derived)
            }
        };
        if public.is_some_and(|public| public != derived.as_slice()) {
            return Err(Error::invalid_key(
                format!("a {curve} PKCS#8 v2 whose public key is the seed's"),
                "another public key",
            ));
        }
        Ok(AwsLcPrivateKey {
            inner,
            public: Arc::new(AwsLcPublicKey::from_okp(curve, &derived)?),
        })
    }

    /// Generates the ephemeral key of one ECDH-ES encryption on `curve`: the ECDH key alone (one
    /// scalar multiplication for its public point), where a long-lived key also builds and checks
    /// the ECDSA key of the same scalar.
    pub(crate) fn generate_ec_ephemeral(curve: EcCurve) -> Result<Self, Error> {
        let failure = || Error::Provider(format!("aws-lc-rs failed to generate an EC {curve} key"));
        let ecdh = agreement::PrivateKey::generate(ecdh(curve)).map_err(|_| failure())?;
        let point = ecdh.compute_public_key().map_err(|_| failure())?;
        let public = Arc::new(AwsLcPublicKey::from_ec(curve, point.as_ref())?);
        Ok(AwsLcPrivateKey {
            inner: PrivateInner::EcEphemeral { ecdh, curve },
            public,
        })
    }

    /// Generates an Ed25519 or X25519 key.
    pub(crate) fn generate_okp(curve: OkpCurve) -> Result<Self, Error> {
        let failure = || Error::Provider(format!("aws-lc-rs failed to generate an {curve} key"));
        let inner = match curve {
            OkpCurve::Ed25519 => {
                PrivateInner::Ed25519(Ed25519KeyPair::generate().map_err(|_| failure())?)
            }
            OkpCurve::X25519 => PrivateInner::X25519(
                agreement::PrivateKey::generate(&agreement::X25519).map_err(|_| failure())?,
            ),
        };
        let derived = match &inner {
            PrivateInner::Ed25519(key) => key.public_key().as_ref().to_vec(),
            PrivateInner::X25519(key) => key
                .compute_public_key()
                .map_err(|_| failure())?
                .as_ref()
                .to_vec(),
            PrivateInner::Rsa { .. }
            | PrivateInner::Ec { .. }
            | PrivateInner::EcEphemeral { .. } => {
                return Err(failure());
            }
        };
        Ok(AwsLcPrivateKey {
            inner,
            public: Arc::new(AwsLcPublicKey::from_okp(curve, &derived)?),
        })
    }
}

impl PrivateKeyOps for AwsLcPrivateKey {
    fn kind(&self) -> KeyKind {
        match &self.inner {
            PrivateInner::Rsa { bits, .. } => KeyKind::Rsa { bits: *bits },
            PrivateInner::Ec { curve, .. } | PrivateInner::EcEphemeral { curve, .. } => {
                KeyKind::Ec(*curve)
            }
            PrivateInner::Ed25519(_) => KeyKind::Okp(OkpCurve::Ed25519),
            PrivateInner::X25519(_) => KeyKind::Okp(OkpCurve::X25519),
        }
    }

    fn sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        check_fit(alg, self.kind())?;
        let rng = SystemRandom::new();
        match &self.inner {
            PrivateInner::Rsa { signing, .. } => {
                let encoding = rsa_signing(alg)
                    .ok_or_else(|| Error::invalid_key(format!("a key for {alg}"), self.kind()))?;
                let mut sig = vec![0u8; signing.public_modulus_len()];
                signing
                    .sign(encoding, &rng, message, &mut sig)
                    .map_err(|_| provider_failure("sign with RSA"))?;
                Ok(sig)
            }
            PrivateInner::Ed25519(key) => {
                let sig = key
                    .try_sign(message)
                    .map_err(|_| provider_failure("sign with Ed25519"))?;
                Ok(sig.as_ref().to_vec())
            }
            // `check_fit` refused every JWS algorithm for an X25519 key.
            PrivateInner::X25519(_) => {
                Err(Error::invalid_key(format!("a key for {alg}"), self.kind()))
            }
            PrivateInner::EcEphemeral { .. } => Err(Error::Unsupported {
                provider: "aws-lc",
                operation: "signing with an ephemeral ECDH-ES key".into(),
            }),
            PrivateInner::Ec { key, curve, .. } => {
                let sig = key
                    .sign(&rng, message)
                    .map_err(|_| provider_failure("sign with ECDSA"))?;
                let sig = sig.as_ref();
                if sig.len() != curve.signature_len() {
                    return Err(provider_failure("produce a fixed-length ECDSA signature"));
                }
                Ok(sig.to_vec())
            }
        }
    }

    fn unwrap_key(
        &self,
        alg: KeyManagementAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let PrivateInner::Rsa { decrypting, .. } = &self.inner else {
            return Err(Error::DecryptionFailed);
        };
        if encrypted_key.len() != decrypting.key_size_bytes() {
            return Err(Error::DecryptionFailed);
        }
        let mut out = Zeroizing::new(vec![0u8; decrypting.min_output_size()]);
        let len = decrypting
            .decrypt(
                oaep(alg).ok_or(Error::DecryptionFailed)?,
                encrypted_key,
                &mut out,
                None,
            )
            .map_err(|_| Error::DecryptionFailed)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    fn public_key(&self) -> Arc<dyn PublicKeyOps> {
        self.public.clone()
    }

    fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        match &self.inner {
            PrivateInner::Rsa { signing, .. } => {
                let der = signing
                    .as_der()
                    .map_err(|_| provider_failure("encode an RSA private key"))?;
                Ok(Zeroizing::new(der.as_ref().to_vec()))
            }
            PrivateInner::Ed25519(key) => {
                let seed = key
                    .seed()
                    .map_err(|_| provider_failure("read an Ed25519 seed"))?;
                let bin: Curve25519SeedBin<'_> = seed
                    .as_be_bytes()
                    .map_err(|_| provider_failure("read an Ed25519 seed"))?;
                okp_pkcs8(OkpCurve::Ed25519, bin.as_ref())
            }
            PrivateInner::X25519(key) => {
                let bin: Curve25519SeedBin<'_> = key
                    .as_be_bytes()
                    .map_err(|_| provider_failure("read an X25519 private key"))?;
                okp_pkcs8(OkpCurve::X25519, bin.as_ref())
            }
            PrivateInner::EcEphemeral { .. } => Err(Error::Unsupported {
                provider: "aws-lc",
                operation: "exporting an ephemeral ECDH-ES key".into(),
            }),
            PrivateInner::Ec { key, .. } => {
                // aws-lc remembers when an imported ECPrivateKey had no public key and would
                // export it that way too; a key rebuilt from scalar and point always includes it.
                let failure = || provider_failure("encode an EC private key");
                let scalar: EcPrivateKeyBin<'_> =
                    key.private_key().as_be_bytes().map_err(|_| failure())?;
                let rebuilt = EcdsaKeyPair::from_private_key_and_public_key(
                    key.algorithm(),
                    scalar.as_ref(),
                    key.public_key().as_ref(),
                )
                .map_err(|_| failure())?;
                let doc = rebuilt.to_pkcs8v1().map_err(|_| failure())?;
                Ok(Zeroizing::new(doc.as_ref().to_vec()))
            }
        }
    }

    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let (private, algorithm) = match &self.inner {
            PrivateInner::Ec {
                ecdh: key, curve, ..
            }
            | PrivateInner::EcEphemeral { ecdh: key, curve } => (key, ecdh(*curve)),
            PrivateInner::X25519(key) => (key, &agreement::X25519),
            PrivateInner::Rsa { .. } | PrivateInner::Ed25519(_) => {
                return Err(Error::Unsupported {
                    provider: "aws-lc",
                    operation: format!("key agreement with an {}", self.kind()),
                });
            }
        };
        let kind = self.kind();
        let peer = read_spki(peer)?;
        if peer.kind != kind {
            return Err(Error::invalid_key(
                format!("a peer public key of the same kind ({kind})"),
                peer.kind.to_string(),
            ));
        }
        let refused = Error::invalid_key(
            format!("a valid peer public key for {kind} key agreement (a point on the curve)"),
            "a point aws-lc-rs refuses",
        );
        let secret = agreement::agree(
            private,
            agreement::UnparsedPublicKey::new(algorithm, peer.public_key),
            refused,
            |secret| Ok(Zeroizing::new(secret.to_vec())),
        )?;
        // X25519 only (RFC 7748 section 6.1): an EC shared x-coordinate may be zero (Wycheproof
        // ecdh_* tcId 3), and is then the right answer.
        let x25519 = matches!(self.inner, PrivateInner::X25519(_));
        if x25519 && secret.iter().fold(0u8, |acc, b| acc | b) == 0 {
            return Err(Error::invalid_key(
                format!("a peer public key of full order for {kind} key agreement"),
                "a low-order point (the shared secret is all zeros)",
            ));
        }
        Ok(secret)
    }
}
