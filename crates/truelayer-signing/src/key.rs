//! The ES512 private key a client signs with, and the ES512 external signer trait.

use crate::error::Error;
use jose::jws::{AsyncExternalSigner, SignatureFuture};
use jose::{CryptoProvider, Jwk, JwsAlgorithm, Limits, PrivateKey, PublicKey, SigningKey};

/// An EC P-521 private key bound to ES512, held by a crypto provider.
///
/// Import it from PEM (SEC1 `EC PRIVATE KEY` or PKCS#8 `PRIVATE KEY`), from a private JWK, or
/// from a [`jose::PrivateKey`]. Anything but a P-521 key is [`Error::InvalidKey`]. `Debug` never
/// shows key material.
#[derive(Debug, Clone)]
pub struct Es512SigningKey {
    key: SigningKey,
    public: PublicKey,
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
        let public = key.public_key();
        Ok(Es512SigningKey {
            key: SigningKey::new(key, JwsAlgorithm::Es512).map_err(Error::key)?,
            public,
        })
    }

    /// The public key, for the verifying side (upload its SPKI PEM to TrueLayer's console).
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// The key bound to ES512, as jose-core sees it.
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

/// A signer that holds the private key elsewhere (a KMS, an HSM) and signs synchronously, for
/// ES512 only and with this crate's [`Error`]: the short form of jose-core's
/// [`jose::jws::ExternalSigner`], which [`Signer::sign_external`](crate::Signer::sign_external)
/// takes (write a KMS client against jose-core's trait to use it for other protocols too).
///
/// It receives the JWS signing input (`BASE64URL(header) '.' BASE64URL(payload)`) and returns
/// the raw ES512 signature: r || s, 66 bytes each, 132 in all (a KMS that returns DER converts it
/// with [`jose::ecdsa_der_to_raw`]). Closures `Fn(&[u8]) -> Result<Vec<u8>, Error>` are signers.
/// Its own errors come back from [`Signer::sign_with`](crate::Signer::sign_with) as they are.
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
/// let err = Signer::new("kid-1")
///     .method("POST")
///     .path("/payouts")
///     .header("Idempotency-Key", "619410b3-b00c-406e-bb1b-2982f97edb8b")
///     .sign_with(&Hsm)
///     .unwrap_err();
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

/// An in-process key as jose-core's signer (for ES512 only; useful to test code written for a
/// KMS against [`jose::jws::ExternalSigner`]).
impl jose::jws::ExternalSigner for Es512SigningKey {
    fn sign(&self, alg: JwsAlgorithm, signing_input: &[u8]) -> Result<Vec<u8>, jose::Error> {
        jose::jws::ExternalSigner::sign(&self.key, alg, signing_input)
    }
}

/// An in-process key as jose-core's asynchronous signer, answering at once.
impl AsyncExternalSigner for Es512SigningKey {
    fn sign_async<'a>(&'a self, alg: JwsAlgorithm, signing_input: &'a [u8]) -> SignatureFuture<'a> {
        self.key.sign_async(alg, signing_input)
    }
}
