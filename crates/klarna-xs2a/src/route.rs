//! Routes: a GET or DELETE has no body to encrypt, so it travels as a POST to `<path>/get` or
//! `<path>/delete`; POST, PUT and PATCH keep their method and path.
//!
//! ```
//! use jose_klarna_xs2a::route;
//! use http::Method;
//!
//! let (method, path) = route::to_encrypted(&Method::GET, "/xs2a/v1/sessions/1")?;
//! assert_eq!((method.as_str(), path.as_str()), ("POST", "/xs2a/v1/sessions/1/get"));
//!
//! let (method, path) = route::from_encrypted(&Method::POST, "/xs2a/v1/sessions/1/flows/2/delete")?;
//! assert_eq!((method.as_str(), path.as_str()), ("DELETE", "/xs2a/v1/sessions/1/flows/2"));
//! # Ok::<(), jose_klarna_xs2a::Error>(())
//! ```

use crate::error::{Error, Result, shorten};
use http::uri::{PathAndQuery, Uri};
use http::{Method, uri};
use std::str::FromStr;

const GET_SUFFIX: &str = "/get";
const DELETE_SUFFIX: &str = "/delete";

/// Splits `path_and_query` (which must start with '/') into path and query (with its '?').
fn split(path_and_query: &str) -> Result<(&str, &str)> {
    let parsed = PathAndQuery::from_str(path_and_query).map_err(|_| Error::InvalidRoute {
        expected: "a path starting with '/' (an optional query after it)",
        found: format!("{:?}", shorten(path_and_query)),
    })?;
    if !path_and_query.starts_with('/') || !parsed.path().starts_with('/') {
        return Err(Error::InvalidRoute {
            expected: "a path starting with '/' (an optional query after it)",
            found: format!("{:?}", shorten(path_and_query)),
        });
    }
    Ok(match path_and_query.find('?') {
        Some(i) => path_and_query.split_at(i),
        None => (path_and_query, ""),
    })
}

/// The method and path (query kept) to use for the encrypted form of `method path`:
/// `GET /p` becomes `POST /p/get`, `DELETE /p` becomes `POST /p/delete`, POST, PUT and PATCH are
/// unchanged. Other methods carry no body and are an [`Error::InvalidRoute`].
pub fn to_encrypted(method: &Method, path_and_query: &str) -> Result<(Method, String)> {
    let (path, query) = split(path_and_query)?;
    let suffix = match *method {
        Method::GET => GET_SUFFIX,
        Method::DELETE => DELETE_SUFFIX,
        Method::POST | Method::PUT | Method::PATCH => {
            return Ok((method.clone(), path_and_query.to_owned()));
        }
        _ => {
            return Err(Error::InvalidRoute {
                expected: "GET, DELETE, POST, PUT or PATCH",
                found: shorten(method.as_str()),
            });
        }
    };
    let base = path.trim_end_matches('/');
    Ok((Method::POST, format!("{base}{suffix}{query}")))
}

/// The plain method and path of an encrypted request: `POST /p/get` is `GET /p`, `POST /p/delete`
/// is `DELETE /p`, other POSTs and PUT and PATCH are unchanged. A GET or DELETE (or any other
/// method) cannot carry an encrypted body and is an [`Error::InvalidRoute`].
pub fn from_encrypted(method: &Method, path_and_query: &str) -> Result<(Method, String)> {
    let (path, query) = split(path_and_query)?;
    match *method {
        Method::POST => {}
        Method::PUT | Method::PATCH => return Ok((method.clone(), path_and_query.to_owned())),
        _ => {
            return Err(Error::InvalidRoute {
                expected: "POST (GET and DELETE travel as POST <path>/get and <path>/delete), PUT or PATCH",
                found: shorten(method.as_str()),
            });
        }
    }
    let (plain, base) = if let Some(base) = path.strip_suffix(GET_SUFFIX) {
        (Method::GET, base)
    } else if let Some(base) = path.strip_suffix(DELETE_SUFFIX) {
        (Method::DELETE, base)
    } else {
        return Ok((Method::POST, path_and_query.to_owned()));
    };
    let base = if base.is_empty() { "/" } else { base };
    Ok((plain, format!("{base}{query}")))
}

/// [`to_encrypted`] on a whole URI (scheme and authority kept).
pub fn to_encrypted_uri(method: &Method, uri: &Uri) -> Result<(Method, Uri)> {
    map_uri(method, uri, to_encrypted)
}

/// [`from_encrypted`] on a whole URI (scheme and authority kept).
pub fn from_encrypted_uri(method: &Method, uri: &Uri) -> Result<(Method, Uri)> {
    map_uri(method, uri, from_encrypted)
}

fn map_uri(
    method: &Method,
    uri: &Uri,
    map: fn(&Method, &str) -> Result<(Method, String)>,
) -> Result<(Method, Uri)> {
    let path_and_query = uri.path_and_query().map_or("/", PathAndQuery::as_str);
    let (method, mapped) = map(method, path_and_query)?;
    let mut parts = uri::Parts::default();
    parts.scheme = uri.scheme().cloned();
    parts.authority = uri.authority().cloned();
    parts.path_and_query =
        Some(PathAndQuery::from_str(&mapped).map_err(|e| Error::Http(e.to_string()))?);
    let uri = Uri::from_parts(parts).map_err(|e| Error::Http(e.to_string()))?;
    Ok((method, uri))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(m: Method, p: &str) -> (String, String) {
        let (m, p) = to_encrypted(&m, p).unwrap();
        (m.to_string(), p)
    }

    fn dec(m: Method, p: &str) -> (String, String) {
        let (m, p) = from_encrypted(&m, p).unwrap();
        (m.to_string(), p)
    }

    #[test]
    fn the_spec_examples() {
        assert_eq!(
            enc(Method::GET, "/xs2a/v1/sessions/abc"),
            ("POST".into(), "/xs2a/v1/sessions/abc/get".into())
        );
        assert_eq!(
            enc(Method::DELETE, "/xs2a/v1/sessions/abc/flows/f1"),
            (
                "POST".into(),
                "/xs2a/v1/sessions/abc/flows/f1/delete".into()
            )
        );
        assert_eq!(
            enc(Method::PUT, "/xs2a/v1/sessions"),
            ("PUT".into(), "/xs2a/v1/sessions".into())
        );
    }

    #[test]
    fn round_trips_keep_queries_and_trailing_slashes_collapse() {
        for (m, p) in [
            (Method::GET, "/a/b?x=1&y=2"),
            (Method::DELETE, "/a"),
            (Method::GET, "/"),
            (Method::POST, "/a/b"),
            (Method::PATCH, "/a/b?q"),
        ] {
            let (em, ep) = to_encrypted(&m, p).unwrap();
            assert_eq!(from_encrypted(&em, &ep).unwrap(), (m, p.to_owned()));
        }
        assert_eq!(enc(Method::GET, "/a/"), ("POST".into(), "/a/get".into()));
        assert_eq!(enc(Method::GET, "/"), ("POST".into(), "/get".into()));
        assert_eq!(dec(Method::POST, "/get"), ("GET".into(), "/".into()));
        assert_eq!(
            enc(Method::GET, "/a?x=/get"),
            ("POST".into(), "/a/get?x=/get".into())
        );
    }

    #[test]
    fn rejections() {
        assert!(to_encrypted(&Method::HEAD, "/a").is_err());
        assert!(to_encrypted(&Method::GET, "a/b").is_err());
        assert!(to_encrypted(&Method::GET, "").is_err());
        assert!(to_encrypted(&Method::GET, "/a b").is_err());
        assert!(from_encrypted(&Method::GET, "/a/get").is_err());
        assert!(from_encrypted(&Method::DELETE, "/a").is_err());
    }

    #[test]
    fn whole_uris() {
        let uri: Uri = "https://api.example/xs2a/v1/sessions/1?x=2"
            .parse()
            .unwrap();
        let (m, u) = to_encrypted_uri(&Method::GET, &uri).unwrap();
        assert_eq!(m, Method::POST);
        assert_eq!(
            u.to_string(),
            "https://api.example/xs2a/v1/sessions/1/get?x=2"
        );
        let (m, back) = from_encrypted_uri(&m, &u).unwrap();
        assert_eq!((m, back), (Method::GET, uri));
    }
}
