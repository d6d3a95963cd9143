//! Content types and headers of the `http` helpers.

use crate::envelope::{CONTENT_TYPE_JOSE, CONTENT_TYPE_JSON};
use crate::error::{Error, Layer, Result, shorten};
use http::HeaderMap;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};

/// Checks the `Content-Type` header: its media type (parameters ignored, compared
/// case-insensitively) must be `expected`. With `optional`, a missing header is accepted.
pub(crate) fn check_content_type(
    headers: &HeaderMap,
    expected: &'static str,
    optional: bool,
) -> Result<()> {
    let mut values = headers.get_all(CONTENT_TYPE).iter();
    let wrong = |found: String| Error::WrongContentType {
        context: "",
        expected,
        found,
    };
    let value = match (values.next(), values.next()) {
        (None, _) if optional => return Ok(()),
        (None, _) => return Err(wrong("no Content-Type header".into())),
        (Some(_), Some(_)) => return Err(wrong("several Content-Type headers".into())),
        (Some(v), None) => v,
    };
    let text = value
        .to_str()
        .map_err(|_| wrong("a Content-Type that is not visible ASCII".into()))?;
    if jose::media::MediaType::parse(text).is(expected) {
        Ok(())
    } else {
        Err(wrong(format!("{:?}", shorten(text))))
    }
}

/// Sets `Content-Type: application/jose` and the body's length.
pub(crate) fn set_jose_headers(headers: &mut HeaderMap, length: usize) {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JOSE));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
}

/// Sets `Content-Type: application/json` and drops `Content-Length` (the body is no longer bytes).
pub(crate) fn set_json_headers(headers: &mut HeaderMap) {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
    headers.remove(CONTENT_LENGTH);
}

/// The body as token text.
pub(crate) fn token(body: &[u8]) -> Result<&str> {
    std::str::from_utf8(body).map_err(|_| Error::MalformedToken {
        layer: Layer::Jwe,
        source: jose::Error::malformed("JWE", "a compact JWE (ASCII)", "non-UTF-8 bytes"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(CONTENT_TYPE, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn content_types() {
        let jose = CONTENT_TYPE_JOSE;
        assert!(check_content_type(&headers(&["application/jose"]), jose, false).is_ok());
        assert!(
            check_content_type(&headers(&["Application/JOSE; charset=utf-8"]), jose, false).is_ok()
        );
        assert!(check_content_type(&headers(&["application/json"]), jose, false).is_err());
        assert!(check_content_type(&headers(&[]), jose, false).is_err());
        assert!(check_content_type(&headers(&[]), jose, true).is_ok());
        assert!(
            check_content_type(
                &headers(&["application/jose", "application/jose"]),
                jose,
                false
            )
            .is_err()
        );
    }
}
