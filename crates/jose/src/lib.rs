//! JOSE (JWS, JWE, JWK) for payment and banking APIs, with a pluggable crypto provider.
//!
//! This facade re-exports [`jose_core`] and picks a default [`CryptoProvider`] by cargo feature:
//!
//! | feature | provider | notes |
//! |---|---|---|
//! | `aws-lc` (default) | [`jose_crypto_awslc`] | aws-lc-rs: fast, constant-time RSA |
//! | `rustcrypto` | [`jose_crypto_rustcrypto`] | pure Rust (RustCrypto) |
//!
//! With both features on, `aws-lc` is the default and both are reachable through
//! [`provider_by_name`].
//!
//! The choice is the application's, made once: the protocol crates (`jose-truelayer-signing`,
//! `jose-klarna-xs2a`, `jose-request4r`, `jose-4quays`) enable no provider by default and only
//! forward their `aws-lc` and `rustcrypto` features here, and cargo unifies features across the
//! build. So this, with any protocol crates beside it, builds without aws-lc-rs:
//!
//! ```toml
//! [dependencies]
//! jose = { package = "jose-toolkit", version = "0.1", default-features = false, features = ["rustcrypto"] }
//! ```
//!
//! With no provider feature on anywhere, this crate does not compile, and says why. A library
//! built on jose should depend on it with `default-features = false` and leave the choice to the
//! application. A provider is passed where a key is imported or generated (the key then
//! signs, verifies, wraps and unwraps on it, so JWS signing and verification take no provider) and
//! where a JWE's content is encrypted or decrypted; any provider, your own for a KMS or an HSM
//! included, can be passed there ([`jose_core::provider`] says which call uses which).
//!
//! The package is published as `jose-toolkit` (the name `jose` is taken on crates.io); its library
//! is named `jose`:
//!
//! ```toml
//! [dependencies]
//! jose = { package = "jose-toolkit", version = "0.1" }
//! ```
//!
//! ```
//! use jose::{ContentEncryption, DecryptingKey, KeyManagementAlgorithm, KeySpec, Limits, PrivateKey};
//! use jose::jwe::{Jwe, JweBuilder};
//!
//! # fn main() -> Result<(), jose::Error> {
//! let provider = jose::default_provider();
//! let key = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.with_kid("bank-2026");
//! let ours = DecryptingKey::new(key, KeyManagementAlgorithm::RsaOaep256)?;
//!
//! // The sender encrypts to our public key...
//! let theirs = ours.encrypting_key();
//! let token = JweBuilder::new(ContentEncryption::A256Gcm)
//!     .content_type("application/json")
//!     .recipient(&theirs)
//!     .encrypt(br#"{"iban":"DE89370400440532013000"}"#, provider)?
//!     .to_compact()?;
//!
//! // ...and we decrypt, allowing exactly RSA-OAEP-256 (the key's binding) and A256GCM.
//! let jwe = Jwe::from_compact(&token, &Limits::default())?;
//! let out = jwe.decrypt(&[ours], &[ContentEncryption::A256Gcm], provider)?;
//! assert_eq!(&out.plaintext[..], br#"{"iban":"DE89370400440532013000"}"#);
//! # Ok(()) }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(not(any(feature = "aws-lc", feature = "rustcrypto")))]
compile_error!(
    "jose-toolkit needs a crypto provider: enable its feature \"aws-lc\" (the default) or \
     \"rustcrypto\", or the feature of the same name of a jose protocol crate \
     (jose-truelayer-signing, jose-klarna-xs2a, jose-request4r, jose-4quays), which enable no \
     provider by default"
);

pub use jose_core::*;

#[cfg(feature = "aws-lc")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws-lc")))]
pub use jose_crypto_awslc;
#[cfg(feature = "rustcrypto")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustcrypto")))]
pub use jose_crypto_rustcrypto;

/// The default provider: aws-lc-rs when the `aws-lc` feature is on, else RustCrypto.
pub fn default_provider() -> &'static dyn CryptoProvider {
    #[cfg(feature = "aws-lc")]
    {
        jose_crypto_awslc::provider()
    }
    #[cfg(not(feature = "aws-lc"))]
    {
        jose_crypto_rustcrypto::provider()
    }
}

/// Every provider compiled in, default first.
#[allow(clippy::vec_init_then_push)] // the pushes are behind cfg: vec![] cannot express them
#[cfg_attr(
    not(any(feature = "aws-lc", feature = "rustcrypto")),
    allow(unused_mut)
)]
pub fn providers() -> Vec<&'static dyn CryptoProvider> {
    let mut v: Vec<&'static dyn CryptoProvider> = Vec::new();
    #[cfg(feature = "aws-lc")]
    v.push(jose_crypto_awslc::provider());
    #[cfg(feature = "rustcrypto")]
    v.push(jose_crypto_rustcrypto::provider());
    v
}

/// A compiled-in provider by its name (`"aws-lc"` or `"rustcrypto"`).
pub fn provider_by_name(name: &str) -> Option<&'static dyn CryptoProvider> {
    providers().into_iter().find(|p| p.name() == name)
}
