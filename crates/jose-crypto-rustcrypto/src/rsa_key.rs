//! RSA keys: RS256/384/512 (PKCS#1 v1.5), PS256/384/512 (PSS) and RSA-OAEP / RSA-OAEP-256 / RSA-OAEP-384 / RSA-OAEP-512.

use crate::oaep;
use crate::util::{ct_eq_trimmed, key_mismatch};
use getrandom::SysRng;
use jose_core::alg::{MAX_RSA_BITS, MIN_RSA_BITS};
use jose_core::provider::support::bit_len;
use jose_core::{
    Error, HashAlg, JwsAlgorithm, KeyKind, KeyManagementAlgorithm, PrivateKeyOps, PublicKeyOps,
};
use pkcs1::{RsaPrivateKeyRef, RsaPublicKeyRef};
use pkcs8::der::Decode;
use pkcs8::{EncodePrivateKey, EncodePublicKey};
use rsa::BoxedUint;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};
use std::fmt;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The largest public exponent accepted is 2^33 - 1 (the `rsa` crate's limit, as in ring and
/// aws-lc-rs): at most this many bits.
const MAX_PUBLIC_EXPONENT_BITS: usize = 33;

/// An RSA private key. `rsa::PrivateKey` zeroizes its private components on drop.
pub(crate) struct RsaPrivate {
    key: rsa::PrivateKey,
    bits: usize,
}

/// An RSA public key.
pub(crate) struct RsaPublic {
    key: rsa::PublicKey,
    bits: usize,
}

impl fmt::Debug for RsaPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPrivateKey")
            .field("kind", &KeyKind::Rsa { bits: self.bits })
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for RsaPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("kind", &KeyKind::Rsa { bits: self.bits })
            .finish_non_exhaustive()
    }
}

/// Checks the public exponent is at most 2^33 - 1, this provider's own limit (`read_pkcs8` and
/// `read_spki` have checked it is odd and at least 3).
fn check_exponent_limit(e: &[u8]) -> Result<(), Error> {
    let bits = bit_len(e);
    if bits <= MAX_PUBLIC_EXPONENT_BITS {
        return Ok(());
    }
    Err(Error::invalid_key(
        "an RSA public exponent of at most 2^33-1",
        format!("a {bits}-bit public exponent"),
    ))
}

/// Big-endian bytes to a `BoxedUint` of `bits_precision` bits.
fn uint(bytes: &[u8], bits_precision: u32, what: &str) -> Result<BoxedUint, Error> {
    BoxedUint::from_be_slice(bytes, bits_precision).map_err(|_| {
        Error::invalid_key(
            "a consistent RSA private key",
            format!("an RSA key whose {what} is larger than its modulus"),
        )
    })
}

fn precision(byte_len: usize) -> Result<u32, Error> {
    byte_len
        .checked_mul(8)
        .and_then(|b| u32::try_from(b).ok())
        .ok_or_else(|| Error::invalid_key("an RSA key of a supported size", "an oversized RSA key"))
}

/// What a malformed RSA private key was expected to be.
const MALFORMED_PRIVATE: &str = "an RSA private key (PKCS#1 RSAPrivateKey inside PKCS#8)";

impl RsaPrivate {
    /// Imports the PKCS#1 `RSAPrivateKey` carried in a PKCS#8 `privateKey` field, whose modulus of
    /// `bits` bits and public exponent `read_pkcs8` has checked.
    pub(crate) fn from_pkcs1_der(der: &[u8], bits: usize) -> Result<Self, Error> {
        let k = RsaPrivateKeyRef::from_der(der)
            .map_err(|_| Error::invalid_key(MALFORMED_PRIVATE, "malformed RSA private key data"))?;
        if k.other_prime_infos.is_some() {
            return Err(Error::invalid_key(
                "a two-prime RSA key",
                "a multi-prime RSA key",
            ));
        }
        let n_bytes = k.modulus.as_bytes();
        check_exponent_limit(k.public_exponent.as_bytes())?;

        let prec = precision(n_bytes.len())?;
        let e_prec = precision(k.public_exponent.as_bytes().len().max(1))?;
        let n = uint(n_bytes, prec, "modulus")?;
        let e = uint(k.public_exponent.as_bytes(), e_prec, "public exponent")?;
        let d = uint(k.private_exponent.as_bytes(), prec, "private exponent")?;
        let p = uint(k.prime1.as_bytes(), prec, "first prime")?;
        let q = uint(k.prime2.as_bytes(), prec, "second prime")?;
        let key = rsa::PrivateKey::from_components(n, e, d, vec![p, q]).map_err(|_| {
            Error::invalid_key(
                "a consistent RSA private key",
                "components that do not form a valid RSA key",
            )
        })?;

        // The rsa crate recomputes the CRT values; check the encoded ones agree, as OpenSSL and
        // aws-lc do, so that a damaged key is refused rather than silently repaired.
        let dp = key.dp().map(|v| Zeroizing::new(v.to_be_bytes()));
        let dq = key.dq().map(|v| Zeroizing::new(v.to_be_bytes()));
        let qinv = key
            .crt_coefficient()
            .map(|v| Zeroizing::new(v.to_be_bytes()));
        let crt_ok = match (dp, dq, qinv) {
            (Some(dp), Some(dq), Some(qinv)) => {
                ct_eq_trimmed(&dp, k.exponent1.as_bytes())
                    & ct_eq_trimmed(&dq, k.exponent2.as_bytes())
                    & ct_eq_trimmed(&qinv, k.coefficient.as_bytes())
            }
            _ => false,
        };
        if !crt_ok {
            return Err(Error::invalid_key(
                "a consistent RSA private key",
                "CRT parameters (exponent1, exponent2, coefficient) that do not match the primes",
            ));
        }
        Ok(RsaPrivate { key, bits })
    }

    /// Generates a key with e = 65537 (`bits` already validated by the caller).
    pub(crate) fn generate(bits: usize) -> Result<Self, Error> {
        let key = rsa::PrivateKey::new(&mut SysRng, bits)
            .map_err(|e| Error::Provider(format!("RSA key generation failed: {e}")))?;
        let made = bit_len(&key.n().as_ref().to_be_bytes());
        if made != bits {
            return Err(Error::Provider(format!(
                "RSA key generation made a {made}-bit modulus, not {bits} bits"
            )));
        }
        Ok(RsaPrivate { key, bits })
    }

    fn kind(&self) -> KeyKind {
        KeyKind::Rsa { bits: self.bits }
    }
}

impl PrivateKeyOps for RsaPrivate {
    fn kind(&self) -> KeyKind {
        RsaPrivate::kind(self)
    }

    fn sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        if !alg.fits(self.kind()) {
            return Err(key_mismatch(alg.name(), self.kind()));
        }
        let k = &self.key;
        let result = match alg {
            JwsAlgorithm::Rs256 => k.pkcs1v15_sign::<Sha256>(message),
            JwsAlgorithm::Rs384 => k.pkcs1v15_sign::<Sha384>(message),
            JwsAlgorithm::Rs512 => k.pkcs1v15_sign::<Sha512>(message),
            JwsAlgorithm::Ps256 => k.pss_sign::<Sha256>(message),
            JwsAlgorithm::Ps384 => k.pss_sign::<Sha384>(message),
            JwsAlgorithm::Ps512 => k.pss_sign::<Sha512>(message),
            JwsAlgorithm::Es256
            | JwsAlgorithm::Es384
            | JwsAlgorithm::Es512
            | JwsAlgorithm::Hs256
            | JwsAlgorithm::Hs384
            | JwsAlgorithm::Hs512
            | JwsAlgorithm::EdDsa => {
                return Err(key_mismatch(alg.name(), self.kind()));
            }
        };
        result.map_err(|e| Error::Provider(format!("RSA signing failed: {e}")))
    }

    fn unwrap_key(
        &self,
        alg: KeyManagementAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        // Blinded (OS RNG) RSA with strict RFC 8017 OAEP decoding; every failure looks the same.
        let result = match alg.oaep_hash() {
            Some(HashAlg::Sha1) => oaep::decrypt::<Sha1>(&self.key, encrypted_key),
            Some(HashAlg::Sha256) => oaep::decrypt::<Sha256>(&self.key, encrypted_key),
            Some(HashAlg::Sha384) => oaep::decrypt::<Sha384>(&self.key, encrypted_key),
            Some(HashAlg::Sha512) => oaep::decrypt::<Sha512>(&self.key, encrypted_key),
            None => None,
        };
        result.ok_or(Error::DecryptionFailed)
    }

    fn public_key(&self) -> Arc<dyn PublicKeyOps> {
        Arc::new(RsaPublic {
            key: self.key.to_public_key(),
            bits: self.bits,
        })
    }

    fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let doc = self
            .key
            .to_pkcs8_der()
            .map_err(|e| Error::Provider(format!("RSA PKCS#8 encoding failed: {e}")))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }
}

impl RsaPublic {
    /// Imports the PKCS#1 `RSAPublicKey` carried in an SPKI `subjectPublicKey`, whose modulus of
    /// `bits` bits and public exponent `read_spki` has checked.
    pub(crate) fn from_pkcs1_der(der: &[u8], bits: usize) -> Result<Self, Error> {
        let k = RsaPublicKeyRef::from_der(der).map_err(|_| {
            Error::invalid_key(
                "an RSA public key (PKCS#1 RSAPublicKey inside SPKI)",
                "malformed RSA public key data",
            )
        })?;
        let n_bytes = k.modulus.as_bytes();
        let e_bytes = k.public_exponent.as_bytes();
        check_exponent_limit(e_bytes)?;
        let n = BoxedUint::from_be_slice(n_bytes, precision(n_bytes.len())?)
            .map_err(|_| Error::invalid_key("a valid RSA public key", "an unusable modulus"))?;
        let e = BoxedUint::from_be_slice(e_bytes, precision(e_bytes.len().max(1))?)
            .map_err(|_| Error::invalid_key("a valid RSA public key", "an unusable exponent"))?;
        let key = rsa::PublicKey::new_with_size_limits(n, e, MIN_RSA_BITS..=MAX_RSA_BITS)
            .map_err(|e| Error::invalid_key("a valid RSA public key", e))?;
        Ok(RsaPublic { key, bits })
    }

    fn kind(&self) -> KeyKind {
        KeyKind::Rsa { bits: self.bits }
    }
}

impl PublicKeyOps for RsaPublic {
    fn kind(&self) -> KeyKind {
        RsaPublic::kind(self)
    }

    fn verify(&self, alg: JwsAlgorithm, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        if !alg.fits(self.kind()) {
            return Err(key_mismatch(alg.name(), self.kind()));
        }
        // A signature is exactly as long as the modulus (RFC 8017 section 8.2.2 step 1).
        if signature.len() != self.key.size() {
            return Err(Error::BadSignature);
        }
        let k = &self.key;
        let result = match alg {
            JwsAlgorithm::Rs256 => k.pkcs1v15_verify::<Sha256>(message, signature),
            JwsAlgorithm::Rs384 => k.pkcs1v15_verify::<Sha384>(message, signature),
            JwsAlgorithm::Rs512 => k.pkcs1v15_verify::<Sha512>(message, signature),
            // Salt length must equal the hash length (RFC 7518 section 3.5).
            JwsAlgorithm::Ps256 => k.pss_verify::<Sha256>(message, signature),
            JwsAlgorithm::Ps384 => k.pss_verify::<Sha384>(message, signature),
            JwsAlgorithm::Ps512 => k.pss_verify::<Sha512>(message, signature),
            JwsAlgorithm::Es256
            | JwsAlgorithm::Es384
            | JwsAlgorithm::Es512
            | JwsAlgorithm::Hs256
            | JwsAlgorithm::Hs384
            | JwsAlgorithm::Hs512
            | JwsAlgorithm::EdDsa => {
                return Err(key_mismatch(alg.name(), self.kind()));
            }
        };
        result.map_err(|_| Error::BadSignature)
    }

    fn wrap_key(&self, alg: KeyManagementAlgorithm, cek: &[u8]) -> Result<Vec<u8>, Error> {
        let result = match alg.oaep_hash() {
            Some(HashAlg::Sha1) => self.key.oaep_encrypt_with_rng::<Sha1, _>(&mut SysRng, cek),
            Some(HashAlg::Sha256) => self
                .key
                .oaep_encrypt_with_rng::<Sha256, _>(&mut SysRng, cek),
            Some(HashAlg::Sha384) => self
                .key
                .oaep_encrypt_with_rng::<Sha384, _>(&mut SysRng, cek),
            Some(HashAlg::Sha512) => self
                .key
                .oaep_encrypt_with_rng::<Sha512, _>(&mut SysRng, cek),
            None => {
                return Err(Error::invalid_key(format!("a key for {alg}"), self.kind()));
            }
        };
        result.map_err(|e| match e {
            rsa::Error::MessageTooLong => Error::InvalidRequest(format!(
                "the content encryption key is too long for {alg} with an RSA {}-bit key ({} bytes)",
                self.bits,
                cek.len()
            )),
            other => Error::Provider(format!("{alg} encryption failed: {other}")),
        })
    }

    fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        self.key
            .to_public_key_der()
            .map(|doc| doc.into_vec())
            .map_err(|e| Error::Provider(format!("RSA SPKI encoding failed: {e}")))
    }
}
