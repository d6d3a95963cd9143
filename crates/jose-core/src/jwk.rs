//! JSON Web Keys (RFC 7517). (Stub: being written.)

use crate::error::Error;
use crate::formats::{PrivateKeyDer, PublicKeyDer};
use crate::limits::Limits;

/// A JWK.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Jwk {
    /// kty
    pub kty: String,
    /// kid
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// use
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// key_ops
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    /// alg
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
}

impl Jwk {
    /// Parse.
    pub fn from_json(_s: &str, _limits: &Limits) -> Result<Self, Error> {
        Err(Error::InvalidRequest("stub".into()))
    }
    /// Private?
    pub fn is_private(&self) -> bool {
        false
    }
    /// To DER.
    pub fn to_private_der(&self) -> Result<PrivateKeyDer, Error> {
        Err(Error::InvalidRequest("stub".into()))
    }
    /// To DER.
    pub fn to_public_der(&self) -> Result<PublicKeyDer, Error> {
        Err(Error::InvalidRequest("stub".into()))
    }
    /// From DER.
    pub fn from_private_der(_der: &PrivateKeyDer) -> Result<Self, Error> {
        Err(Error::InvalidRequest("stub".into()))
    }
    /// From DER.
    pub fn from_public_der(_der: &PublicKeyDer) -> Result<Self, Error> {
        Err(Error::InvalidRequest("stub".into()))
    }
}
