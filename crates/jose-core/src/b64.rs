//! Strict, constant-time base64url without padding (RFC 7515 section 2).

use crate::error::Error;
use base64ct::{Base64UrlUnpadded, Encoding};

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Decodes unpadded base64url, strictly: no padding, no whitespace, no non-canonical trailing bits.
/// `what` names the field in the error message.
pub fn decode(what: &'static str, s: &str) -> Result<Vec<u8>, Error> {
    Base64UrlUnpadded::decode_vec(s).map_err(|_| {
        let shown: String = s.chars().take(32).collect();
        let ellipsis = if s.chars().count() > 32 { "..." } else { "" };
        Error::malformed(what, "unpadded base64url", format!("{shown:?}{ellipsis}"))
    })
}
