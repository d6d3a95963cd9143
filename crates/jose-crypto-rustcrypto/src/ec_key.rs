//! EC keys on P-256, P-384 and P-521: ES256, ES384 and ES512 with raw fixed-size r||s signatures.

use crate::util::key_mismatch;
use getrandom::SysRng;
use jose_core::provider::support::read_spki;
use jose_core::{
    EcCurve, Error, JwsAlgorithm, KeyKind, KeyManagementAlgorithm, PrivateKeyOps, PublicKeyOps,
};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::elliptic_curve::Generate;
use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use std::fmt;
use std::sync::Arc;
use zeroize::Zeroizing;

/// A private ECDSA key; each `SigningKey` zeroizes its scalar on drop.
pub(crate) enum EcPrivate {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
}

/// A public ECDSA key (a valid point on its curve, never the identity).
#[derive(Clone, Copy)]
pub(crate) enum EcPublic {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
}

impl fmt::Debug for EcPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcPrivateKey")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for EcPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcPublicKey")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

fn malformed_private(curve: EcCurve) -> Error {
    Error::invalid_key(
        format!(
            "an EC private key on {curve} (SEC1 ECPrivateKey inside PKCS#8, with a scalar in range and a matching public key)"
        ),
        "malformed or inconsistent EC private key data",
    )
}

impl EcPrivate {
    /// Imports PKCS#8 DER that `read_pkcs8` found to hold an EC key on `curve`. When the SEC1
    /// structure carries the public key, it must match the private scalar.
    pub(crate) fn from_pkcs8(curve: EcCurve, der: &[u8]) -> Result<Self, Error> {
        let key = match curve {
            EcCurve::P256 => p256::ecdsa::SigningKey::from_pkcs8_der(der).map(EcPrivate::P256),
            EcCurve::P384 => p384::ecdsa::SigningKey::from_pkcs8_der(der).map(EcPrivate::P384),
            EcCurve::P521 => p521::ecdsa::SigningKey::from_pkcs8_der(der).map(EcPrivate::P521),
        };
        key.map_err(|_| malformed_private(curve))
    }

    /// Generates a fresh key with the OS RNG.
    pub(crate) fn generate(curve: EcCurve) -> Result<Self, Error> {
        let rng_err = |e: getrandom::Error| {
            Error::Provider(format!(
                "EC key generation failed: the OS random generator failed: {e}"
            ))
        };
        Ok(match curve {
            EcCurve::P256 => EcPrivate::P256(
                p256::ecdsa::SigningKey::try_generate_from_rng(&mut SysRng).map_err(rng_err)?,
            ),
            EcCurve::P384 => EcPrivate::P384(
                p384::ecdsa::SigningKey::try_generate_from_rng(&mut SysRng).map_err(rng_err)?,
            ),
            EcCurve::P521 => EcPrivate::P521(
                p521::ecdsa::SigningKey::try_generate_from_rng(&mut SysRng).map_err(rng_err)?,
            ),
        })
    }

    fn curve(&self) -> EcCurve {
        match self {
            EcPrivate::P256(_) => EcCurve::P256,
            EcPrivate::P384(_) => EcCurve::P384,
            EcPrivate::P521(_) => EcCurve::P521,
        }
    }

    fn kind(&self) -> KeyKind {
        KeyKind::Ec(self.curve())
    }
}

fn sign_failed(e: impl fmt::Display) -> Error {
    Error::Provider(format!("ECDSA signing failed: {e}"))
}

impl PrivateKeyOps for EcPrivate {
    fn kind(&self) -> KeyKind {
        EcPrivate::kind(self)
    }

    fn sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        if !alg.fits(self.kind()) {
            return Err(key_mismatch(alg.name(), self.kind()));
        }
        // Deterministic (RFC 6979) ECDSA with the curve's hash; raw fixed-size r||s.
        Ok(match self {
            EcPrivate::P256(k) => {
                let sig: p256::ecdsa::Signature = k.try_sign(message).map_err(sign_failed)?;
                sig.to_bytes().to_vec()
            }
            EcPrivate::P384(k) => {
                let sig: p384::ecdsa::Signature = k.try_sign(message).map_err(sign_failed)?;
                sig.to_bytes().to_vec()
            }
            EcPrivate::P521(k) => {
                let sig: p521::ecdsa::Signature = k.try_sign(message).map_err(sign_failed)?;
                sig.to_bytes().to_vec()
            }
        })
    }

    fn unwrap_key(
        &self,
        _alg: KeyManagementAlgorithm,
        _encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        // RSA-OAEP only; every unwrap failure is the same opaque error.
        Err(Error::DecryptionFailed)
    }

    fn public_key(&self) -> Arc<dyn PublicKeyOps> {
        Arc::new(match self {
            EcPrivate::P256(k) => EcPublic::P256(*k.verifying_key()),
            EcPrivate::P384(k) => EcPublic::P384(*k.verifying_key()),
            EcPrivate::P521(k) => EcPublic::P521(*k.verifying_key()),
        })
    }

    fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        // PKCS#8 v1 wrapping a SEC1 ECPrivateKey that includes the uncompressed public key.
        let doc = match self {
            EcPrivate::P256(k) => k.to_pkcs8_der(),
            EcPrivate::P384(k) => k.to_pkcs8_der(),
            EcPrivate::P521(k) => k.to_pkcs8_der(),
        }
        .map_err(|e| Error::Provider(format!("EC PKCS#8 encoding failed: {e}")))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let curve = self.curve();
        let peer = read_spki(peer)?;
        if peer.kind != self.kind() {
            return Err(Error::invalid_key(
                format!("a peer public key of the same kind ({})", self.kind()),
                peer.kind.to_string(),
            ));
        }
        let off_curve = || {
            Error::invalid_key(
                format!("a peer public key on {curve} (a point on the curve)"),
                "a point that is not on the curve",
            )
        };
        // ECDH (SEC 1 section 3.3.1): the x-coordinate of d * Q, Q checked to be on the curve
        // and not the identity by `from_sec1_bytes`.
        macro_rules! ecdh {
            ($curve:ident, $key:expr) => {{
                let public =
                    $curve::PublicKey::from_sec1_bytes(peer.public_key).map_err(|_| off_curve())?;
                let shared =
                    $curve::ecdh::diffie_hellman($key.as_nonzero_scalar(), public.as_affine());
                Zeroizing::new(shared.raw_secret_bytes().to_vec())
            }};
        }
        Ok(match self {
            EcPrivate::P256(k) => ecdh!(p256, k),
            EcPrivate::P384(k) => ecdh!(p384, k),
            EcPrivate::P521(k) => ecdh!(p521, k),
        })
    }
}

impl EcPublic {
    /// Imports an uncompressed SEC1 point (`04 || X || Y`) on `curve`, whose encoding `read_spki`
    /// has checked. The point must be on the curve (the identity cannot be encoded this way).
    pub(crate) fn from_sec1_uncompressed(curve: EcCurve, point: &[u8]) -> Result<Self, Error> {
        let key = match curve {
            EcCurve::P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map(EcPublic::P256),
            EcCurve::P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map(EcPublic::P384),
            EcCurve::P521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(point).map(EcPublic::P521),
        };
        key.map_err(|_| {
            Error::invalid_key(
                format!("an uncompressed point on {curve}"),
                "a point that is not on the curve",
            )
        })
    }

    fn curve(&self) -> EcCurve {
        match self {
            EcPublic::P256(_) => EcCurve::P256,
            EcPublic::P384(_) => EcCurve::P384,
            EcPublic::P521(_) => EcCurve::P521,
        }
    }

    fn kind(&self) -> KeyKind {
        KeyKind::Ec(self.curve())
    }
}

impl PublicKeyOps for EcPublic {
    fn kind(&self) -> KeyKind {
        EcPublic::kind(self)
    }

    fn verify(&self, alg: JwsAlgorithm, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        if !alg.fits(self.kind()) {
            return Err(key_mismatch(alg.name(), self.kind()));
        }
        // Exactly r||s of the curve's size; r and s must be in [1, n-1]. Both s and n-s are
        // accepted (these curves do not set `NORMALIZE_S`), as in aws-lc and Wycheproof's P1363.
        if signature.len() != self.curve().signature_len() {
            return Err(Error::BadSignature);
        }
        let ok = match self {
            EcPublic::P256(k) => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| k.verify(message, &sig).is_ok()),
            EcPublic::P384(k) => p384::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| k.verify(message, &sig).is_ok()),
            EcPublic::P521(k) => p521::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| k.verify(message, &sig).is_ok()),
        };
        if ok { Ok(()) } else { Err(Error::BadSignature) }
    }

    fn wrap_key(&self, alg: KeyManagementAlgorithm, _cek: &[u8]) -> Result<Vec<u8>, Error> {
        Err(key_mismatch(alg.name(), self.kind()))
    }

    fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        // SPKI with id-ecPublicKey, the named curve and the uncompressed point.
        match self {
            EcPublic::P256(k) => k.to_public_key_der(),
            EcPublic::P384(k) => k.to_public_key_der(),
            EcPublic::P521(k) => k.to_public_key_der(),
        }
        .map(|doc| doc.into_vec())
        .map_err(|e| Error::Provider(format!("EC SPKI encoding failed: {e}")))
    }
}
