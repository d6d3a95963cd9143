//! JWK JSON text and thumbprints.

use crate::error::Result;
use jose::{CryptoProvider, Jwk};
use zeroize::Zeroizing;

/// A JWK as pretty-printed JSON with a final newline (the text of a key file, or of stdout).
pub(crate) fn to_file_text(jwk: &Jwk) -> Result<Zeroizing<Vec<u8>>> {
    let mut text = Zeroizing::new(jwk.to_json_pretty().into_bytes());
    text.push(b'\n');
    Ok(text)
}

/// The RFC 7638 SHA-256 thumbprint of a JWK, base64url.
pub(crate) fn thumbprint(
    jwk: &Jwk,
    provider: &'static dyn CryptoProvider,
) -> std::result::Result<String, jose::Error> {
    jwk.thumbprint_sha256(provider)
}
