//! `zip: "DEF"` (RFC 7516 section 4.1.3): raw DEFLATE (RFC 1951) of the plaintext before
//! encryption, on request; inflation after decryption only when the caller allows it, with a bound
//! on the inflated size (a few kilobytes of DEFLATE can expand a thousandfold).

use crate::Plaintext;
use crate::error::Error;

/// The only registered `zip` value.
pub(crate) const DEFLATE: &str = "DEF";

/// Raw DEFLATE of `plaintext` (the default level).
pub(crate) fn deflate(plaintext: &[u8]) -> Plaintext {
    Plaintext::new(miniz_oxide::deflate::compress_to_vec(plaintext, 6))
}

/// Inflates raw DEFLATE `data` to at most `max` bytes. More than `max` bytes, or data that is
/// not DEFLATE, is [`Error::Malformed`] (after authenticated decryption: the sender wrote it).
pub(crate) fn inflate(data: &[u8], max: usize) -> Result<Plaintext, Error> {
    match miniz_oxide::inflate::decompress_to_vec_with_limit(data, max) {
        Ok(plaintext) => Ok(Plaintext::new(plaintext)),
        Err(err) => {
            // What was inflated so far is plaintext too.
            drop(Plaintext::new(err.output));
            let found = match err.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                    format!("more than {max} bytes")
                }
                _ => "data that is not raw DEFLATE".to_owned(),
            };
            Err(Error::malformed(
                "JWE compressed plaintext",
                "raw DEFLATE within the bound of DecryptOptions::allow_zip",
                found,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bounds() {
        let text = b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            .repeat(10);
        let packed = deflate(&text);
        assert!(packed.len() < text.len() / 10);
        assert_eq!(&inflate(&packed, text.len()).unwrap()[..], &text[..]);
        let err = inflate(&packed, text.len() - 1).unwrap_err();
        assert!(err.to_string().contains("more than"), "{err}");
        let err = inflate(b"\xff\xff\xff", 100).unwrap_err();
        assert!(err.to_string().contains("not raw DEFLATE"), "{err}");
        assert_eq!(&inflate(&deflate(b""), 0).unwrap()[..], b"");
    }

    #[test]
    fn a_bomb_stops_at_the_bound() {
        // 1 KiB of DEFLATE that would inflate to far more than the bound.
        let bomb = deflate(&vec![0u8; 4 * 1024 * 1024]);
        assert!(bomb.len() < 8 * 1024, "{}", bomb.len());
        let err = inflate(&bomb, 1024 * 1024).unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "{err:?}");
    }
}
