//! jose-core (WIP)

pub mod alg;
pub mod b64;
pub mod error;
pub mod formats;
pub mod header;
mod json;
pub mod jwe;
pub mod jwk;
pub mod jws;
pub mod key;
pub mod limits;
pub mod nested;
pub mod provider;

pub use alg::{ContentEncryption, EcCurve, JwsAlgorithm, KeyKind, KeyManagementAlgorithm, KeySpec};
pub use error::{Error, Result};
pub use formats::{PrivateKeyDer, PublicKeyDer};
pub use header::Header;
pub use jwk::Jwk;
pub use key::{DecryptingKey, EncryptingKey, KeyMeta, PrivateKey, PublicKey, SigningKey, VerifyingKey};
pub use limits::Limits;
pub use provider::{CryptoProvider, PrivateKeyOps, PublicKeyOps};
