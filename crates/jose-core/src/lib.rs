//! JOSE types, serialization and engines (JWS, JWE, JWK) over a pluggable crypto provider.
//!
//! jose-core does no cryptography of its own: every primitive comes from a [`CryptoProvider`]
//! (see [`provider`]), such as `jose-crypto-awslc` or `jose-crypto-rustcrypto`. Most applications
//! use the facade crate `jose`, which re-exports this crate and chooses a default provider by cargo
//! feature.
//!
//! ```
//! use jose_core::jws::{Jws, JwsBuilder};
//! use jose_core::{EcCurve, JwsAlgorithm, KeySpec, Limits, PrivateKey, SigningKey, VerifyingKey};
//!
//! # fn main() -> Result<(), jose_core::Error> {
//! let provider = jose_crypto_awslc::provider();
//!
//! // Keys are bound to one algorithm before use.
//! let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P521), provider)?.with_kid("2026-01");
//! let public = key.public_key();
//! let signer = SigningKey::new(key, JwsAlgorithm::Es512)?;
//! let token = JwsBuilder::new(b"{\"amount\":\"10.00\"}").signer(&signer).sign()?.to_compact()?;
//!
//! // The verifier's keys are its allow-list: only ES512 with kid "2026-01" is accepted here.
//! let verifier = VerifyingKey::new(public, JwsAlgorithm::Es512)?;
//! let jws = Jws::from_compact(&token, &Limits::default())?;
//! assert_eq!(jws.verify(&[verifier])?, b"{\"amount\":\"10.00\"}");
//! # Ok(()) }
//! ```
//!
//! # Map
//!
//! - [`alg`]: algorithm identifiers. Registered names parse exactly; `none` and anything else is
//!   [`Error::UnsupportedAlgorithm`].
//! - [`key`]: [`PrivateKey`] / [`PublicKey`] (from PEM, DER or JWK, or generated), shared secrets
//!   ([`SecretKey`]) and passwords ([`Password`]), and the bound keys [`SigningKey`] (also for a
//!   key in a KMS: [`SigningKey::external`]), [`VerifyingKey`], [`EncryptingKey`],
//!   [`DecryptingKey`].
//! - [`formats`] and [`jwk`]: PKCS#8, PKCS#1, SEC1 and SPKI in PEM or DER; JWK and JWKS, RFC 7638
//!   thumbprints.
//! - [`keyfile`]: key files ([`KeyFile`]): a bounded read, the format told from the content (PEM,
//!   DER, JWK or JWKS) and the key or keys imported.
//! - [`jws`]: JWS in compact, flattened and general JSON; detached and unencoded payloads; keys
//!   held outside any provider (a KMS, an HSM): [`JwsBuilder::prepare`] and [`PreparedJws`], or
//!   an [`ExternalSigner`] / [`AsyncExternalSigner`] for an [`ExternalKey`]. A KMS's DER ECDSA
//!   signature becomes JOSE's raw `r || s` with [`ecdsa_der_to_raw`].
//! - [`jwe`]: JWE in compact, flattened and general JSON; AAD; several recipients; every JWA key
//!   management algorithm; `zip` DEF on request. [`content`]: the content encryptions (AES-GCM,
//!   AES-CBC-HMAC-SHA2).
//! - [`nested`]: a JWS inside a JWE.
//! - [`jwt`]: JSON Web Tokens (RFC 7519): typed [`Claims`](jwt::Claims), an explicit
//!   [`Validation`](jwt::Validation) (RFC 8725), signed and nested JWTs; [`clock`]: the
//!   injectable clock it reads.
//! - [`header`]: JOSE headers; [`limits`]: the size limits every parser applies.
//! - [`replay`]: one-time ids ([`ReplayStore`], asynchronous, atomic, failing closed) and the
//!   bounded [`InMemoryReplayStore`]; shared stores live in their own crates
//!   (`jose-replay-redis`).
//!
//! # Security rules
//!
//! - Keys are bound to one algorithm; a token's `alg` is compared with the binding, never used to
//!   choose what to do. Decryption and verification take the keys (and, for JWE, the `enc` values)
//!   that are allowed.
//! - Every key-unwrap or content decryption failure is the same [`Error::DecryptionFailed`]; an
//!   unwrap failure still decrypts with a random CEK (RFC 7516 section 11.5).
//! - A shared secret ([`SecretKey`]) is never an RSA or EC key, nor a PEM or DER document.
//! - RSA keys under 2048 bits are refused; ECDSA signatures are raw r||s of the exact length.
//! - `crit` is honoured; duplicate JSON member names are refused; compressed content is inflated
//!   only to the caller's bound; a PBES2 `p2c` is bounded; every parser has a size limit
//!   ([`Limits`]).

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod alg;
pub mod b64;
pub mod clock;
pub mod content;
pub mod error;
pub mod formats;
pub mod header;
pub mod json;
pub mod jwe;
pub mod jwk;
pub mod jws;
pub mod jwt;
pub mod key;
pub mod keyfile;
mod keymgmt;
pub mod limits;
pub mod media;
pub mod nested;
pub mod plaintext;
pub mod provider;
pub mod replay;
mod zip;

pub use alg::{
    ContentEncryption, EcCurve, HashAlg, JwsAlgorithm, KeyKind, KeyManagementAlgorithm,
    KeyManagementMode, KeySpec, OkpCurve,
};
pub use error::{Error, ErrorClass, Result};
pub use formats::{PrivateKeyDer, PublicKeyDer, ecdsa_der_to_raw, ecdsa_raw_to_der, pem_label};
pub use header::Header;
pub use jwe::{Jwe, JweBuilder};
pub use jwk::{Jwk, Jwks};
pub use jws::{AsyncExternalSigner, ExternalKey, ExternalSigner, Jws, JwsBuilder, PreparedJws};
pub use key::{
    DecryptingKey, EncryptingKey, KeyMeta, KeyRef, MIN_PBES2_COUNT, Password, PrivateKey,
    PublicKey, SecretKey, SigningKey, VerifyingKey,
};
pub use keyfile::KeyFile;
pub use limits::Limits;
pub use plaintext::Plaintext;
pub use provider::{CryptoProvider, PrivateKeyOps, PublicKeyOps};
pub use replay::{InMemoryReplayStore, ReplayError, ReplayStore};
