//! The ES512 private key a client signs with, and the external signer traits.

use crate::error::Error;
use jose::{CryptoProvider, Jwk, JwsAlgorithm, Limits, PrivateKey, PublicKey, SigningKey};
use std::future::Future;

/// An EC P-521 private key bound to ES512, held by a crypto provider.
///
/// Import it from PEM (SEC1 `EC PRIVATE KEY` or PKCS#8 `PRIVATE KEY`), from a private JWK, or
/// from a [`jose::PrivateKey`]. Anything but a P-521 key is [`Error::InvalidKey`]. `Debug` never
/// shows key material.
#[derive(Debug, Clone)]
pub struct Es512SigningKey {
    key: SigningKey,
}

impl Es512SigningKey {
    /// Imports a PEM private key: `EC PRIVATE KEY` (SEC1) or `PRIVATE KEY` (PKCS#8).
    pub fn from_pem(pem: &str, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        Self::from_private_key(PrivateKey::from_pem(pem, provider).map_err(Error::key)?)
    }

    /// Imports a private EC JWK (`kty` `EC`, `crv` `P-521`, with `d`).
    pub fn from_jwk(jwk: &Jwk, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        if !jwk.is_private() {
            return Err(Error::invalid_key(
                "a private JWK (with \"d\")",
                "a public JWK",
            ));
        }
        Self::from_private_key(PrivateKey::from_jwk(jwk, provider).map_err(Error::key)?)
    }

    /// Imports a private EC JWK from its JSON text.
    pub fn from_jwk_json(json: &str, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        let jwk = Jwk::from_json(json, &Limits::default()).map_err(Error::key)?;
        Self::from_jwk(&jwk, provider)
    }

    /// Binds an imported private key to ES512; it must be an EC P-521 key whose metadata (if
    /// any) allows ES512 signing.
    pub fn from_private_key(key: PrivateKey) -> Result<Self, Error> {
        Ok(Es512SigningKey {
            key: SigningKey::new(key, JwsAlgorithm::Es512).map_err(Error::key)?,
        })
    }

    /// The public key, for the verifying side (upload its SPKI PEM to TrueLayer's console).
    pub fn public_key(&self) -> PublicKey {
        self.key.key().public_key()
    }

    /// The key bound to ES512, as jose-core sees it.
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

/// A signer that holds the private key elsewhere (a KMS, an HSM) and signs synchronously.
///
/// It receives the JWS signing input (`BASE64URL(header) '.' BASE64URL(payload)`) and returns
/// the raw ES512 signature: r || s, 66 bytes each, 132 in all (a KMS that returns DER must be
/// converted). Closures `Fn(&[u8]) -> Result<Vec<u8>, Error>` are signers.
///
/// ```
/// use jose_truelayer_signing::{Error, ExternalSigner, Signer};
///
/// struct Hsm;
/// impl ExternalSigner for Hsm {
///     fn sign_es512(&self, _signing_input: &[u8]) -> Result<Vec<u8>, Error> {
///         Err(Error::Signer("the HSM is offline".into()))
///     }
/// }
/// let err = Signer::new("kid-1").method("POST").path("/payouts").sign_with(&Hsm).unwrap_err();
/// assert_eq!(err, Error::Signer("the HSM is offline".into()));
/// ```
pub trait ExternalSigner {
    /// Signs `signing_input` with ES512 (SHA-512 over the bytes, then ECDSA P-521); returns r || s.
    fn sign_es512(&self, signing_input: &[u8]) -> Result<Vec<u8>, Error>;
}

impl<F> ExternalSigner for F
where
    F: Fn(&[u8]) -> Result<Vec<u8>, Error>,
{
    fn sign_es512(&self, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
        self(signing_input)
    }
}

/// An in-process key is a signer too (useful to test code written for a KMS).
impl ExternalSigner for Es512SigningKey {
    fn sign_es512(&self, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
        self.key.sign(signing_input).map_err(Error::from_signing)
    }
}

/// The asynchronous form of [`ExternalSigner`], for a remote KMS. It needs no particular async
/// runtime: [`crate::Signer::sign_with_async`] only awaits the future this returns.
///
/// Implement it with an `async fn` (the future must be `Send`):
///
/// ```
/// use jose_truelayer_signing::{AsyncExternalSigner, Error};
///
/// struct Kms { /* a client */ }
/// impl AsyncExternalSigner for Kms {
///     async fn sign_es512_async(&self, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
///         // let der = self.client.sign(key_id, signing_input).await?; ... convert to r || s
///         Err(Error::Signer(format!("no KMS here to sign {} bytes", signing_input.len())))
///     }
/// }
/// ```
pub trait AsyncExternalSigner {
    /// Signs `signing_input` with ES512; resolves to the raw r || s signature (132 bytes).
    fn sign_es512_async(
        &self,
        signing_input: &[u8],
    ) -> impl Future<Output = Result<Vec<u8>, Error>> + Send;
}
