//! Body checks and header helpers shared by both sides.

use crate::error::{Error, clip};
use http::HeaderMap;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde_json::Value;

/// Checks that `bytes` are UTF-8 JSON; returns the text.
pub(crate) fn check<'a>(bytes: &'a [u8], what: &'static str) -> Result<&'a str, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| not_utf8(what))?;
    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| not_json(what, &e))?;
    Ok(text)
}

/// Parses UTF-8 JSON.
pub(crate) fn parse(bytes: &[u8], what: &'static str) -> Result<Value, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| not_utf8(what))?;
    serde_json::from_str(text).map_err(|e| not_json(what, &e))
}

fn not_utf8(what: &'static str) -> Error {
    Error::InvalidJson {
        what,
        expected: "UTF-8 JSON",
        found: "bytes that are not UTF-8".into(),
    }
}

fn not_json(what: &'static str, e: &serde_json::Error) -> Error {
    Error::InvalidJson {
        what,
        expected: "UTF-8 JSON",
        found: format!(
            "text that is not JSON ({} at line {} column {})",
            match e.classify() {
                serde_json::error::Category::Eof => "it ends early",
                serde_json::error::Category::Syntax => "a syntax error",
                serde_json::error::Category::Data | serde_json::error::Category::Io => "an error",
            },
            e.line(),
            e.column()
        ),
    }
}

/// The media type of `Content-Type` (lowercase, without parameters), if the header is there and
/// readable.
pub(crate) fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    Some(
        jose::media::MediaType::parse(value)
            .essence()
            .to_ascii_lowercase(),
    )
}

/// The media type for messages: at most 64 characters, or "none".
pub(crate) fn shown_media_type(headers: &HeaderMap) -> String {
    match headers.get(CONTENT_TYPE) {
        None => "none".into(),
        Some(v) => match v.to_str() {
            Ok(s) => format!("{:?}", clip(s, 64)),
            Err(_) => "a Content-Type that is not visible ASCII".into(),
        },
    }
}

/// Updates `Content-Length` to `len` if the message had one (the body changed size).
pub(crate) fn fix_content_length(headers: &mut HeaderMap, len: usize) {
    if headers.contains_key(CONTENT_LENGTH) {
        headers.insert(CONTENT_LENGTH, http::HeaderValue::from(len));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_checks() {
        assert!(check(br#"{"a":1}"#, "x").is_ok());
        assert!(check(b"[1,2]", "x").is_ok());
        assert!(matches!(
            check(b"{\"a\":", "x"),
            Err(Error::InvalidJson { .. })
        ));
        assert!(check(b"\xff", "x").is_err());
        assert!(check(b"", "x").is_err());
        assert!(check(b"{} {}", "x").is_err());
    }

    #[test]
    fn media_types() {
        let mut h = HeaderMap::new();
        assert_eq!(media_type(&h), None);
        h.insert(
            CONTENT_TYPE,
            "Application/JOSE; charset=utf-8".parse().unwrap(),
        );
        assert_eq!(media_type(&h).as_deref(), Some("application/jose"));
    }
}
