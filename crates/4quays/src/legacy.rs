//! The legacy `protectedPayload` format.
//!
//! The 4Quays documentation calls `protectedPayload` a "legacy base64url-encoded protected payload"
//! without saying what is encoded. This crate defines it as **the unpadded base64url encoding of
//! the JWE compact serialization** (RFC 7516 section 7.1) of the same JWE the `jwe` member would
//! carry: `BASE64URL(ASCII(protected '.' encrypted_key '.' iv '.' ciphertext '.' tag))`. A string
//! that is not strict unpadded base64url, does not decode to ASCII text, or is not a five-part
//! compact JWE with a valid protected header is answered with `INVALID_PROTECTED_PAYLOAD`.
//!
//! ```
//! use jose_4quays::legacy;
//! let limits = jose::Limits::default();
//! // A compact JWE (structure only: the parts are not a real encryption).
//! let compact = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA";
//! let encoded = legacy::encode(compact);
//! let jwe = legacy::decode(&encoded, &limits)?;
//! assert_eq!(jwe.protected_header().alg()?, Some("RSA-OAEP"));
//! // Not base64url, or not a compact JWE inside: refused.
//! assert!(legacy::decode("not base64url!", &limits).is_err());
//! assert!(legacy::decode(&legacy::encode("a.b"), &limits).is_err());
//! # Ok::<(), jose_4quays::Error>(())
//! ```

use crate::error::Error;
use jose::Limits;
use jose::jwe::Jwe;

/// Encodes a compact JWE as a legacy `protectedPayload`.
pub fn encode(compact_jwe: &str) -> String {
    jose::b64::encode(compact_jwe.as_bytes())
}

/// Decodes a legacy `protectedPayload` into a JWE (not yet decrypted).
pub fn decode(protected_payload: &str, limits: &Limits) -> Result<Jwe, Error> {
    // Base64url grows text by 4/3: bound the input before decoding.
    let bound = limits.max_token_len.saturating_mul(4) / 3 + 4;
    if protected_payload.len() > bound {
        return Err(jose::Error::LimitExceeded {
            what: "protectedPayload",
            limit: bound,
            found: protected_payload.len(),
        }
        .into());
    }
    let bytes = jose::b64::decode("protectedPayload", protected_payload)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::input(
            "protectedPayload",
            "the base64url encoding of a compact JWE (ASCII text)",
            "bytes that are not UTF-8 text",
        )
    })?;
    Ok(Jwe::from_compact(&text, limits)?)
}
