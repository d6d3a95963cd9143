//! Ed25519 (EdDSA, with `ed25519-dalek`) and X25519 (key agreement, with `x25519-dalek`) keys.
//!
//! Ed25519 verification is `verify_strict`: besides what RFC 8032 section 5.1.7 asks (S < L, A
//! and R decoded, the group equation), it refuses a public key or an R of small order, which RFC
//! 8032 allows (the aws-lc provider refuses them by list, so the two agree).

use crate::util::key_mismatch;
use ed25519_dalek::Signer as _;
use jose_core::provider::support::{okp_pkcs8, okp_spki, read_spki};
use jose_core::{
    Error, JwsAlgorithm, KeyKind, KeyManagementAlgorithm, OkpCurve, PrivateKeyOps, PublicKeyOps,
};
use std::fmt;
use std::sync::Arc;
use zeroize::Zeroizing;

/// An Ed25519 or X25519 private key; both zeroize their secret on drop.
pub(crate) enum OkpPrivate {
    Ed25519(ed25519_dalek::SigningKey),
    X25519(x25519_dalek::StaticSecret),
}

/// An Ed25519 or X25519 public key: its 32 bytes (an Ed25519 key that does not decode to a point
/// is refused on import).
#[derive(Clone)]
pub(crate) struct OkpPublic {
    curve: OkpCurve,
    bytes: [u8; 32],
}

impl fmt::Debug for OkpPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OkpPrivateKey")
            .field("kind", &PrivateKeyOps::kind(self))
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for OkpPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OkpPublicKey")
            .field("kind", &KeyKind::Okp(self.curve))
            .finish_non_exhaustive()
    }
}

fn seed_array(curve: OkpCurve, seed: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
    let mut out = Zeroizing::new([0u8; 32]);
    if seed.len() != out.len() {
        return Err(Error::invalid_key(
            format!("a 32-byte {curve} private key"),
            format!("{} bytes", seed.len()),
        ));
    }
    out.copy_from_slice(seed);
    Ok(out)
}

impl OkpPrivate {
    /// A key from its 32-byte seed (what `read_pkcs8` found); `public`, when the PKCS#8 v2 had
    /// one, must be the public key the seed gives.
    pub(crate) fn from_seed(
        curve: OkpCurve,
        seed: &[u8],
        public: Option<&[u8]>,
    ) -> Result<Self, Error> {
        let seed = seed_array(curve, seed)?;
        let key = match curve {
            OkpCurve::Ed25519 => OkpPrivate::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed)),
            OkpCurve::X25519 => OkpPrivate::X25519(x25519_dalek::StaticSecret::from(*seed)),
        };
        if public.is_some_and(|public| public != key.public_bytes()) {
            return Err(Error::invalid_key(
                format!("a {curve} PKCS#8 v2 whose public key is the seed's"),
                "another public key",
            ));
        }
        Ok(key)
    }

    /// Generates a key from 32 bytes of the OS random generator.
    pub(crate) fn generate(curve: OkpCurve) -> Result<Self, Error> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut()).map_err(|e| {
            Error::Provider(format!(
                "{curve} key generation failed: the OS random generator failed: {e}"
            ))
        })?;
        Self::from_seed(curve, seed.as_ref(), None)
    }

    fn curve(&self) -> OkpCurve {
        match self {
            OkpPrivate::Ed25519(_) => OkpCurve::Ed25519,
            OkpPrivate::X25519(_) => OkpCurve::X25519,
        }
    }

    fn public_bytes(&self) -> [u8; 32] {
        match self {
            OkpPrivate::Ed25519(key) => key.verifying_key().to_bytes(),
            OkpPrivate::X25519(key) => x25519_dalek::PublicKey::from(key).to_bytes(),
        }
    }
}

impl PrivateKeyOps for OkpPrivate {
    fn kind(&self) -> KeyKind {
        KeyKind::Okp(self.curve())
    }

    fn sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        match self {
            OkpPrivate::Ed25519(key) if alg.fits(self.kind()) => key
                .try_sign(message)
                .map(|sig| sig.to_bytes().to_vec())
                .map_err(|e| Error::Provider(format!("Ed25519 signing failed: {e}"))),
            _ => Err(key_mismatch(alg.name(), self.kind())),
        }
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
        Arc::new(OkpPublic {
            curve: self.curve(),
            bytes: self.public_bytes(),
        })
    }

    fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let seed = Zeroizing::new(match self {
            OkpPrivate::Ed25519(key) => key.to_bytes(),
            OkpPrivate::X25519(key) => key.to_bytes(),
        });
        okp_pkcs8(self.curve(), seed.as_ref())
    }

    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let OkpPrivate::X25519(secret) = self else {
            return Err(Error::Unsupported {
                provider: "rustcrypto",
                operation: format!("key agreement with an {}", self.kind()),
            });
        };
        let peer = read_spki(peer)?;
        let kind = self.kind();
        if peer.kind != kind {
            return Err(Error::invalid_key(
                format!("a peer public key of the same kind ({kind})"),
                peer.kind.to_string(),
            ));
        }
        let bytes: [u8; 32] = peer.public_key.try_into().map_err(|_| {
            Error::invalid_key(
                "a 32-byte X25519 peer public key",
                format!("{} bytes", peer.public_key.len()),
            )
        })?;
        let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(bytes));
        if !shared.was_contributory() {
            return Err(Error::invalid_key(
                format!("a peer public key of full order for {kind} key agreement"),
                "a low-order point (the shared secret is all zeros)",
            ));
        }
        Ok(Zeroizing::new(shared.as_bytes().to_vec()))
    }
}

impl OkpPublic {
    /// Imports the 32 bytes of an Ed25519 or X25519 public key. As in the aws-lc provider, an
    /// Ed25519 key is decoded when a signature is verified: one that is not a curve point (or,
    /// with `verify_strict`, is of small order) verifies nothing.
    pub(crate) fn from_bytes(curve: OkpCurve, public: &[u8]) -> Result<Self, Error> {
        let bytes: [u8; 32] = public.try_into().map_err(|_| {
            Error::invalid_key(
                format!("a 32-byte {curve} public key"),
                format!("{} bytes", public.len()),
            )
        })?;
        Ok(OkpPublic { curve, bytes })
    }
}

impl PublicKeyOps for OkpPublic {
    fn kind(&self) -> KeyKind {
        KeyKind::Okp(self.curve)
    }

    fn verify(&self, alg: JwsAlgorithm, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        if !alg.fits(self.kind()) {
            return Err(key_mismatch(alg.name(), self.kind()));
        }
        let Ok(signature) = <&[u8; 64]>::try_from(signature) else {
            return Err(Error::BadSignature);
        };
        let verified = ed25519_dalek::VerifyingKey::from_bytes(&self.bytes).is_ok_and(|key| {
            key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
                .is_ok()
        });
        if verified {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }

    fn wrap_key(&self, alg: KeyManagementAlgorithm, _cek: &[u8]) -> Result<Vec<u8>, Error> {
        Err(key_mismatch(alg.name(), self.kind()))
    }

    fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        okp_spki(self.curve, &self.bytes)
    }
}
