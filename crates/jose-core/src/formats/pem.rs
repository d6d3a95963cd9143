//! PEM (RFC 7468) framing: finding the blocks of a PEM file and decoding one into zeroized DER.
//!
//! The base64 decoding itself is `pem-rfc7468`'s (strict, constant-time); this module only finds the
//! `-----BEGIN <label>-----` ... `-----END <label>-----` blocks, so that a file may carry text
//! before, between and after them (as RFC 7468 section 5.2 allows for explanatory text) and more than
//! one block (OpenSSL's `ecparam -genkey` writes an `EC PARAMETERS` block before the key).

use crate::error::Error;
use zeroize::Zeroizing;

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// The label of the block that OpenSSL writes before an `EC PRIVATE KEY`; key parsers skip it.
pub(crate) const EC_PARAMETERS: &str = "EC PARAMETERS";

/// One `-----BEGIN <label>-----` ... `-----END <label>-----` block, boundaries included.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block<'a> {
    pub(crate) label: &'a str,
    text: &'a str,
}

/// Splits `pem` into its blocks, in order. Text outside the blocks is ignored.
pub(crate) fn blocks(pem: &str) -> Result<Vec<Block<'_>>, Error> {
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let from_begin = rest.get(start..).unwrap_or_default();
        let after_begin = from_begin.get(BEGIN.len()..).unwrap_or_default();
        let label_len = after_begin.find(DASHES).ok_or_else(|| {
            Error::malformed(
                "PEM",
                "a \"-----BEGIN <label>-----\" line",
                "an unterminated BEGIN line",
            )
        })?;
        let label = after_begin.get(..label_len).unwrap_or_default();
        if label.contains(['\r', '\n']) {
            return Err(Error::malformed(
                "PEM",
                "a \"-----BEGIN <label>-----\" line",
                "a line break inside the BEGIN line",
            ));
        }
        let end_marker = format!("-----END {label}-----");
        let end = from_begin.find(&end_marker).ok_or_else(|| {
            Error::malformed(
                "PEM",
                "an END line matching the BEGIN line",
                format!("no \"-----END {}-----\"", shown(label)),
            )
        })?;
        let block_len = end.saturating_add(end_marker.len());
        let text = from_begin.get(..block_len).unwrap_or_default();
        out.push(Block { label, text });
        rest = from_begin.get(block_len..).unwrap_or_default();
    }
    Ok(out)
}

/// The one key block of a PEM file: an `EC PARAMETERS` block is skipped, anything else must be alone.
pub(crate) fn single_key_block<'a>(pem: &'a str, what: &'static str) -> Result<Block<'a>, Error> {
    let all = blocks(pem)?;
    let mut keys = all.iter().filter(|b| b.label != EC_PARAMETERS);
    match (keys.next(), keys.next()) {
        (Some(block), None) => Ok(*block),
        (None, _) if all.is_empty() => Err(Error::malformed(
            what,
            "a PEM block (\"-----BEGIN <label>-----\")",
            "no BEGIN line",
        )),
        (None, _) => Err(Error::malformed(
            what,
            "a PEM key block",
            "only EC PARAMETERS",
        )),
        (Some(_), Some(_)) => {
            let labels: Vec<String> = all
                .iter()
                .map(|b| format!("{:?}", shown(b.label)))
                .collect();
            Err(Error::malformed(
                what,
                "exactly one PEM key block",
                format!("{} blocks ({})", all.len(), labels.join(", ")),
            ))
        }
    }
}

impl Block<'_> {
    /// Decodes the base64 body into a zeroized buffer (sized once: no stray copies of key bytes).
    pub(crate) fn decode(&self, what: &'static str) -> Result<Zeroizing<Vec<u8>>, Error> {
        if self.text.contains("Proc-Type:") || self.text.contains("DEK-Info:") {
            return Err(if self.text.contains("ENCRYPTED") {
                Error::invalid_key(
                    "an unencrypted private key (encrypted keys are not supported)",
                    format!(
                        "a legacy encrypted PEM ({} with Proc-Type: 4,ENCRYPTED); decrypt it first, e.g. with `openssl pkey`",
                        shown(self.label)
                    ),
                )
            } else {
                Error::malformed(
                    what,
                    "a PEM block without headers (RFC 7468)",
                    "RFC 1421 headers",
                )
            });
        }
        let pem_err = |e: pem_rfc7468::Error| Error::malformed(what, "RFC 7468 PEM", e);
        let mut decoder =
            pem_rfc7468::Decoder::new_detect_wrap(self.text.as_bytes()).map_err(pem_err)?;
        let mut buf = Zeroizing::new(vec![0u8; decoder.remaining_len()]);
        let len = decoder.decode(&mut buf).map_err(pem_err)?.len();
        if !decoder.is_finished() {
            return Err(Error::malformed(
                what,
                "RFC 7468 PEM",
                "undecoded base64 left over",
            ));
        }
        buf.truncate(len);
        Ok(buf)
    }
}

/// A label as shown in a message: at most 64 characters.
pub(crate) fn shown(label: &str) -> String {
    label.chars().take(64).collect()
}

/// Encodes DER as PEM with `label`, LF line endings and 64-column lines.
pub(crate) fn encode(label: &str, der: &[u8]) -> Result<String, Error> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der)
        .map_err(|e| Error::InvalidRequest(format!("PEM encoding failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_with_surrounding_text() {
        let pem = "hello\n-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n\
                   -----BEGIN A B-----\nAAEC\n-----END A B-----\ntrailer\n";
        let b = blocks(pem).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].label, "EC PARAMETERS");
        assert_eq!(b[1].label, "A B");
        assert_eq!(&*b[1].decode("test").unwrap(), &[0u8, 1, 2]);
        assert_eq!(single_key_block(pem, "test").unwrap().label, "A B");
    }

    #[test]
    fn rejects_mismatched_and_missing_end() {
        assert!(blocks("-----BEGIN A-----\nAAEC\n-----END B-----\n").is_err());
        assert!(blocks("-----BEGIN A\n").is_err());
        assert!(single_key_block("no pem here", "test").is_err());
        let two =
            "-----BEGIN A-----\nAAEC\n-----END A-----\n-----BEGIN B-----\nAAEC\n-----END B-----\n";
        assert!(single_key_block(two, "test").is_err());
    }

    #[test]
    fn legacy_encrypted_is_named() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAEC\n-----END RSA PRIVATE KEY-----\n";
        let err = blocks(pem).unwrap()[0].decode("test").unwrap_err();
        assert!(err.to_string().contains("encrypted"), "{err}");
    }
}
