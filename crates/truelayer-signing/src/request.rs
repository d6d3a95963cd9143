//! The parts of an HTTP request that a signature covers, and the v2 signing payload.

use crate::error::Error;

/// Method, path, headers (in order, with their casing) and body of one request.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestParts<'a> {
    /// Upper-cased.
    pub(crate) method: Option<String>,
    pub(crate) path: &'a str,
    pub(crate) headers: Vec<(&'a str, &'a [u8])>,
    pub(crate) body: &'a [u8],
}

impl<'a> RequestParts<'a> {
    /// Method, path (without the query), every header and the body of an `http::Request`.
    pub(crate) fn from_http<B: AsRef<[u8]>>(request: &'a http::Request<B>) -> Self {
        RequestParts {
            method: Some(request.method().as_str().to_ascii_uppercase()),
            path: request.uri().path(),
            headers: request
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes()))
                .collect(),
            body: request.body().as_ref(),
        }
    }

    /// The method, which must have been given.
    pub(crate) fn method(&self) -> Result<&str, Error> {
        self.method
            .as_deref()
            .ok_or_else(|| Error::invalid_request("an HTTP method (e.g. POST)", "none"))
    }

    /// Checks that the path starts with `/`.
    pub(crate) fn check_path(&self) -> Result<(), Error> {
        if self.path.starts_with('/') {
            Ok(())
        } else {
            Err(Error::invalid_request(
                "a path starting with '/'",
                format!("{:?}", shorten(self.path)),
            ))
        }
    }

    /// The value of the header `name` (ASCII case-insensitive): `None` if absent, an error if the
    /// request has it more than once.
    pub(crate) fn find(&self, name: &str) -> Result<Option<&'a [u8]>, Error> {
        let mut found = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v);
        match (found.next(), found.next()) {
            (None, _) => Ok(None),
            (Some(v), None) => Ok(Some(v)),
            (Some(_), Some(_)) => Err(Error::AmbiguousHeader {
                name: name.to_owned(),
                count: found.count().saturating_add(2),
            }),
        }
    }
}

/// The builder methods that describe a request: `method`, `path`, `header`, `headers` and
/// `body`, for a builder whose `request` field is a [`RequestParts`] with lifetime `$a`.
/// [`crate::Signer`] and [`crate::Verifier`] both take a request this way; each documents
/// `header` (which headers count, and how) with the attributes it passes after the lifetime.
macro_rules! request_setters {
    ($a:lifetime; $(#[$header:meta])*) => {
        /// The HTTP method (e.g. `POST`); it is upper-cased.
        pub fn method(mut self, method: &str) -> Self {
            self.request.method = Some(method.to_ascii_uppercase());
            self
        }

        /// The path, starting with `/` (e.g. `/payouts`), without the query, exactly as on the
        /// wire.
        pub fn path(mut self, path: &$a str) -> Self {
            self.request.path = path;
            self
        }

        $(#[$header])*
        pub fn header<V: AsRef<[u8]> + ?Sized>(mut self, name: &$a str, value: &$a V) -> Self {
            self.request.headers.push((name, value.as_ref()));
            self
        }

        /// Several headers, in order, as if [`header`](Self::header) were called for each.
        pub fn headers(mut self, headers: impl IntoIterator<Item = (&$a str, &$a [u8])>) -> Self {
            self.request.headers.extend(headers);
            self
        }

        /// The raw body bytes, exactly as on the wire (empty if not set).
        pub fn body(mut self, body: &$a [u8]) -> Self {
            self.request.body = body;
            self
        }
    };
}
pub(crate) use request_setters;

/// The v2 signing payload: `METHOD path\n`, `Name: value\n` per signed header, then the body.
pub(crate) fn v2_payload(
    method: &str,
    path: &str,
    headers: &[(&str, &[u8])],
    body: &[u8],
) -> Vec<u8> {
    let len = method.len()
        + path.len()
        + 2
        + headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 3)
            .sum::<usize>()
        + body.len();
    let mut payload = Vec::with_capacity(len);
    payload.extend_from_slice(method.as_bytes());
    payload.push(b' ');
    payload.extend_from_slice(path.as_bytes());
    payload.push(b'\n');
    for (name, value) in headers {
        payload.extend_from_slice(name.as_bytes());
        payload.extend_from_slice(b": ");
        payload.extend_from_slice(value);
        payload.push(b'\n');
    }
    payload.extend_from_slice(body);
    payload
}

/// The same path with one trailing slash removed, or added if it has none (TrueLayer's
/// verifiers retry once with this path).
pub(crate) fn toggle_trailing_slash(path: &str) -> String {
    match path.strip_suffix('/') {
        Some(trimmed) => trimmed.to_owned(),
        None => format!("{path}/"),
    }
}

/// An HTTP token character (RFC 9110 section 5.6.2).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Checks a method to sign: a non-empty HTTP token.
pub(crate) fn check_method(method: &str) -> Result<(), Error> {
    if !method.is_empty() && method.bytes().all(is_tchar) {
        Ok(())
    } else {
        Err(Error::invalid_request(
            "an HTTP method: one or more token characters (e.g. POST)",
            format!("{:?}", shorten(method)),
        ))
    }
}

/// Checks a path to sign: it starts with `/`, has no space or control character (either would
/// let the path run into the next line of the signing payload), and does not end with `/` unless
/// it is the root path `/` (TrueLayer's document signs "the absolute path (without trailing
/// slashes)").
pub(crate) fn check_path_to_sign(path: &str) -> Result<(), Error> {
    if !path.starts_with('/') {
        return Err(Error::invalid_request(
            "a path starting with '/'",
            format!("{:?}", shorten(path)),
        ));
    }
    if let Some(b) = path.bytes().find(|b| *b <= b' ' || *b == 0x7f) {
        return Err(Error::invalid_request(
            "a path without spaces or control characters",
            format!("byte 0x{b:02x} in {:?}", shorten(path)),
        ));
    }
    if path.len() > 1 && path.ends_with('/') {
        return Err(Error::invalid_request(
            "a path without a trailing '/' (TrueLayer signs the absolute path without trailing \
             slashes; only the root path \"/\" ends with one)",
            format!("{:?}", shorten(path)),
        ));
    }
    Ok(())
}

/// Checks the headers to sign: names are non-empty HTTP tokens (so no ',' to break the
/// `tl_headers` list), given once each (ASCII case-insensitively); values have no CR, LF or NUL.
pub(crate) fn check_headers_to_sign(headers: &[(&str, &[u8])]) -> Result<(), Error> {
    for (i, (name, value)) in headers.iter().enumerate() {
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(Error::invalid_request(
                "a header name made of HTTP token characters (no spaces, ',' or ':')",
                format!("{:?}", shorten(name)),
            ));
        }
        if headers
            .iter()
            .take(i)
            .any(|(earlier, _)| earlier.eq_ignore_ascii_case(name))
        {
            return Err(Error::invalid_request(
                "each signed header once",
                format!("{:?} twice", shorten(name)),
            ));
        }
        if let Some(b) = value.iter().find(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(Error::invalid_request(
                "a header value without CR, LF or NUL",
                format!("byte 0x{b:02x} in the value of {:?}", shorten(name)),
            ));
        }
    }
    Ok(())
}

/// Splits a `tl_headers` list: names separated by ',', empty entries skipped, later repeats of a
/// name (ASCII case-insensitive) dropped, as TrueLayer's verifiers do.
pub(crate) fn split_tl_headers(list: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for name in list.split(',').filter(|n| !n.is_empty()) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name);
        }
    }
    names
}

/// Text for a message: at most 64 characters.
pub(crate) fn shorten(s: &str) -> String {
    jose::error::clip(s, 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_layout() {
        let p = v2_payload(
            "POST",
            "/payouts",
            &[("Idempotency-Key", b"k1"), ("X-B", b"v")],
            b"{}",
        );
        assert_eq!(p, b"POST /payouts\nIdempotency-Key: k1\nX-B: v\n{}");
        assert_eq!(v2_payload("GET", "/", &[], b""), b"GET /\n");
    }

    #[test]
    fn trailing_slash_toggle() {
        assert_eq!(toggle_trailing_slash("/a/"), "/a");
        assert_eq!(toggle_trailing_slash("/a"), "/a/");
        assert_eq!(toggle_trailing_slash("/a//"), "/a/");
    }

    #[test]
    fn tl_headers_split() {
        assert_eq!(split_tl_headers(""), Vec::<&str>::new());
        assert_eq!(split_tl_headers("A,,b,a,B"), vec!["A", "b"]);
    }

    #[test]
    fn header_and_path_checks() {
        assert!(check_headers_to_sign(&[("X-A", b"1"), ("x-a", b"2")]).is_err());
        assert!(check_headers_to_sign(&[("X,A", b"1")]).is_err());
        assert!(check_headers_to_sign(&[("X A", b"1")]).is_err());
        assert!(check_headers_to_sign(&[("", b"1")]).is_err());
        assert!(check_headers_to_sign(&[("X-A", b"1\r\nX-B: 2")]).is_err());
        assert!(check_headers_to_sign(&[("X-A", b"1"), ("X-B", b"")]).is_ok());
        assert!(check_path_to_sign("/a b").is_err());
        assert!(check_path_to_sign("/a\nX: y").is_err());
        assert!(check_path_to_sign("a").is_err());
        assert!(check_path_to_sign("/a?b=c").is_ok());
        assert!(check_path_to_sign("/").is_ok());
        assert!(check_path_to_sign("/a/b").is_ok());
        for trailing in ["/a/", "/a/b/", "//", "/a//"] {
            let err = check_path_to_sign(trailing).unwrap_err();
            assert!(
                err.to_string().contains("trailing '/'"),
                "{trailing}: {err}"
            );
        }
        assert!(check_method("POST").is_ok());
        assert!(check_method("PO ST").is_err());
        assert!(check_method("").is_err());
    }
}
