//! The destination's side: a bank that receives a `jwe` envelope opens it with its own private key,
//! without calling the service.
//!
//! The keys passed in are the allow-list, as everywhere in `jose`: each is bound to one key
//! management algorithm, and its `kid` (if set) must match the envelope's.
//!
//! ```
//! # fn main() -> Result<(), jose_4quays::Error> {
//! use jose::jwe::JweBuilder;
//! use jose::{ContentEncryption, DecryptingKey, KeyManagementAlgorithm, KeySpec, Limits, PrivateKey};
//! use jose_4quays::{JweEnvelope, destination};
//!
//! let provider = jose::default_provider();
//! let ours = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.with_kid("bank-1");
//! let ours = DecryptingKey::new(ours, KeyManagementAlgorithm::RsaOaep)?;
//!
//! // What the service sends us (here made directly with our public key).
//! let jwe = JweBuilder::new(ContentEncryption::A256Gcm)
//!     .recipient(&ours.encrypting_key())
//!     .encrypt(br#"{"amount":5000}"#, provider)?;
//! let envelope = JweEnvelope::from_jwe(&jwe)?;
//!
//! let payload = destination::open(&envelope, &[ours], &[ContentEncryption::A256Gcm], &Limits::default(), provider)?;
//! assert_eq!(payload["amount"], 5000);
//! # Ok(()) }
//! ```

use crate::error::Error;
use crate::types::JweEnvelope;
use jose::{ContentEncryption, CryptoProvider, DecryptingKey, Limits, Plaintext};

/// Decrypts an envelope and parses the plaintext as the JSON payload that was protected.
pub fn open(
    envelope: &JweEnvelope,
    keys: &[DecryptingKey],
    allowed_enc: &[ContentEncryption],
    limits: &Limits,
    provider: &dyn CryptoProvider,
) -> Result<serde_json::Value, Error> {
    let plaintext = open_bytes(envelope, keys, allowed_enc, limits, provider)?;
    serde_json::from_slice(&plaintext).map_err(|_| {
        Error::input(
            "decrypted payload",
            "JSON text (what protect encrypts)",
            format!("{} bytes that are not JSON", plaintext.len()),
        )
    })
}

/// Decrypts an envelope; returns the plaintext bytes (the payload's JSON text).
pub fn open_bytes(
    envelope: &JweEnvelope,
    keys: &[DecryptingKey],
    allowed_enc: &[ContentEncryption],
    limits: &Limits,
    provider: &dyn CryptoProvider,
) -> Result<Plaintext, Error> {
    let jwe = envelope.to_jwe(limits)?;
    Ok(jwe.decrypt(keys, allowed_enc, provider)?.plaintext)
}
