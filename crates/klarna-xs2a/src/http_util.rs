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

/// What a response's `Content-Type` says its body is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyType {
    /// `application/jose`: a compact JWE.
    Jose,
    /// `application/json`.
    Json,
    /// Another JSON type (`application/problem+json`; not `application/jose+json`): how to show
    /// it in a message.
    OtherJson(String),
    /// No `Content-Type` header.
    Missing,
    /// Anything else, or a header that cannot be read: how to show it in a message.
    Other(String),
}

/// Reads the `Content-Type` of a response (several headers, or one that is not visible ASCII,
/// are [`BodyType::Other`]).
pub(crate) fn body_type(headers: &HeaderMap) -> BodyType {
    let mut values = headers.get_all(CONTENT_TYPE).iter();
    let value = match (values.next(), values.next()) {
        (None, _) => return BodyType::Missing,
        (Some(_), Some(_)) => return BodyType::Other("several Content-Type headers".into()),
        (Some(v), None) => v,
    };
    let Ok(text) = value.to_str() else {
        return BodyType::Other("a Content-Type that is not visible ASCII".into());
    };
    let media = jose::media::MediaType::parse(text);
    let essence = media.essence().to_ascii_lowercase();
    if media.is(CONTENT_TYPE_JOSE) {
        BodyType::Jose
    } else if media.is(CONTENT_TYPE_JSON) {
        BodyType::Json
    } else if essence.starts_with("application/")
        && essence.ends_with("+json")
        && !media.is(jose::media::APPLICATION_JOSE_JSON)
    {
        BodyType::OtherJson(format!("{:?}", shorten(text)))
    } else {
        BodyType::Other(format!("{:?}", shorten(text)))
    }
}

/// The `Content-Type` header as text, if there is one readable header (cut to 64 characters).
pub(crate) fn content_type_text(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|t| jose::error::clip(t, 64))
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
    fn response_body_types() {
        let t = |values: &[&str]| body_type(&headers(values));
        assert_eq!(t(&["application/jose"]), BodyType::Jose);
        assert_eq!(t(&["application/JSON; charset=utf-8"]), BodyType::Json);
        assert!(matches!(
            t(&["application/problem+json"]),
            BodyType::OtherJson(_)
        ));
        assert!(matches!(t(&["application/jose+json"]), BodyType::Other(_)));
        assert!(matches!(t(&["text/html"]), BodyType::Other(ref s) if s == "\"text/html\""));
        assert_eq!(t(&[]), BodyType::Missing);
        assert!(matches!(
            t(&["application/json", "application/json"]),
            BodyType::Other(_)
        ));
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
