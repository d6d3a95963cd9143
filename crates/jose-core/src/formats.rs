//! PEM and DER key formats. (Stub: being written.)

use crate::alg::KeyKind;
use crate::error::Error;
use zeroize::Zeroizing;

/// A private key normalized to PKCS#8 v1 DER.
#[derive(Clone)]
pub struct PrivateKeyDer {
    pkcs8: Zeroizing<Vec<u8>>,
    kind: KeyKind,
}

impl std::fmt::Debug for PrivateKeyDer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKeyDer").field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl PrivateKeyDer {
    /// PKCS#8 DER bytes.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }
    /// The key kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }
    /// Parses PKCS#8, PKCS#1 or SEC1 DER.
    pub fn from_der(_der: &[u8]) -> Result<Self, Error> {
        Err(Error::InvalidRequest("stub".into()))
    }
    /// Parses PEM.
    pub fn from_pem(_pem: &str) -> Result<Self, Error> {
        Err(Error::InvalidRequest("stub".into()))
    }
    /// PKCS#8 PEM.
    pub fn to_pem(&self) -> Result<Zeroizing<String>, Error> {
        Err(Error::InvalidRequest("stub".into()))
    }
}

/// A public key normalized to SPKI DER.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyDer {
    spki: Vec<u8>,
    kind: KeyKind,
}

impl PublicKeyDer {
    /// SPKI DER bytes.
    pub fn spki(&self) -> &[u8] {
        &self.spki
    }
    /// The key kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }
    /// Parses SPKI or PKCS#1 DER.
    pub fn from_der(_der: &[u8]) -> Result<Self, Error> {
        Err(Error::InvalidRequest("stub".into()))
    }
    /// Parses PEM.
    pub fn from_pem(_pem: &str) -> Result<Self, Error> {
        Err(Error::InvalidRequest("stub".into()))
    }
    /// SPKI PEM.
    pub fn to_pem(&self) -> Result<String, Error> {
        Err(Error::InvalidRequest("stub".into()))
    }
}
