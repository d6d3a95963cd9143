//! Route mapping: `{BASE}/v1/...` to `{BASE}/v1/partners/request4r/...` and back.
//!
//! The mapping works on path segments. The first segment that is exactly `v1` marks the API
//! version; everything before it is the base URL's own path (kept, so a base such as
//! `https://gw.example/raas` works), everything after it is the route. The partner side inserts
//! `partners/request4r` after `v1`; the gateway side requires those two segments right after the
//! first `v1` and removes them. Scheme, authority and query are kept unchanged.
//!
//! Segments `.` and `..` (also percent-encoded, as `%2e`) and segments holding an encoded slash or
//! a backslash (`%2f`, `%5c`, `\`) are refused on both sides: after the gateway strips the prefix,
//! a server that decodes and normalizes paths would otherwise let
//! `/v1/partners/request4r/../../admin` escape `/v1`.
//!
//! ```
//! use jose_request4r::route;
//! assert_eq!(route::request4r_path("/v1/auth/register-user-v2")?, "/v1/partners/request4r/auth/register-user-v2");
//! assert_eq!(route::standard_path("/v1/partners/request4r/auth/register-user-v2")?, "/v1/auth/register-user-v2");
//!
//! let uri: http::Uri = "https://sandbox.leap.example/v1/users?page=2".parse().unwrap();
//! assert_eq!(
//!     route::request4r_uri(&uri)?.to_string(),
//!     "https://sandbox.leap.example/v1/partners/request4r/users?page=2"
//! );
//! # Ok::<(), jose_request4r::Error>(())
//! ```

use crate::error::{Error, clip};
use http::Uri;
use http::uri::PathAndQuery;

/// The standard Partner API prefix.
pub const STANDARD_PREFIX: &str = "/v1";

/// The Request4R prefix that replaces [`STANDARD_PREFIX`].
pub const REQUEST4R_PREFIX: &str = "/v1/partners/request4r";

/// The segments inserted after `v1`.
const INSERTED: [&str; 2] = ["partners", "request4r"];

/// Maps a standard path (`/v1/...`, possibly after a base path) to its Request4R path.
///
/// Fails with [`Error::Route`] if the path has no `v1` segment, has a `.` or `..` segment, or is
/// already a Request4R path.
pub fn request4r_path(path: &str) -> Result<String, Error> {
    let segments = segments(path)?;
    let v1 = version_index(
        &segments,
        path,
        "a standard Partner API path containing /v1",
    )?;
    if is_request4r_at(&segments, v1) {
        return Err(route_error(
            "a standard /v1 path (this one is already a Request4R path)",
            path,
        ));
    }
    let (head, tail) = segments.split_at(v1.saturating_add(1));
    let mapped: Vec<&str> = head
        .iter()
        .copied()
        .chain(INSERTED)
        .chain(tail.iter().copied())
        .collect();
    Ok(mapped.join("/"))
}

/// Maps a Request4R path (`/v1/partners/request4r/...`, possibly after a base path) back to the
/// standard path.
///
/// Fails with [`Error::Route`] unless the first `v1` segment is followed by `partners/request4r`,
/// or if the path has a `.` or `..` segment.
pub fn standard_path(path: &str) -> Result<String, Error> {
    let segments = segments(path)?;
    let v1 = version_index(
        &segments,
        path,
        "a Request4R path containing /v1/partners/request4r",
    )?;
    if !is_request4r_at(&segments, v1) {
        return Err(route_error(
            "a Request4R path containing /v1/partners/request4r",
            path,
        ));
    }
    let kept: Vec<&str> = segments
        .iter()
        .enumerate()
        .filter(|(i, _)| *i <= v1 || *i > v1.saturating_add(INSERTED.len()))
        .map(|(_, s)| *s)
        .collect();
    Ok(kept.join("/"))
}

/// Maps a standard URI to its Request4R URI, keeping scheme, authority and query.
pub fn request4r_uri(uri: &Uri) -> Result<Uri, Error> {
    map_uri(uri, request4r_path)
}

/// Maps a Request4R URI back to the standard URI, keeping scheme, authority and query.
pub fn standard_uri(uri: &Uri) -> Result<Uri, Error> {
    map_uri(uri, standard_path)
}

fn map_uri(uri: &Uri, map: fn(&str) -> Result<String, Error>) -> Result<Uri, Error> {
    let path = map(uri.path())?;
    let path_and_query = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(
        PathAndQuery::try_from(path_and_query.as_str()).map_err(|_| Error::Http {
            expected: "a valid path and query after mapping",
            found: clip(&path_and_query, 128),
        })?,
    );
    Uri::from_parts(parts).map_err(|e| Error::Http {
        expected: "a valid URI after mapping",
        found: e.to_string(),
    })
}

fn route_error(expected: &'static str, path: &str) -> Error {
    Error::Route {
        expected,
        found: clip(path, 128),
    }
}

/// The path's segments (the first is the empty string before the leading `/`).
fn segments(path: &str) -> Result<Vec<&str>, Error> {
    if !path.starts_with('/') {
        return Err(route_error("an absolute path starting with /", path));
    }
    let segments: Vec<&str> = path.split('/').collect();
    if segments.iter().any(|s| is_unsafe_segment(s)) {
        return Err(route_error(
            "a path without . or .. segments or encoded slashes",
            path,
        ));
    }
    Ok(segments)
}

/// A dot segment (possibly percent-encoded), or one that decodes to more than one segment.
fn is_unsafe_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    let decoded = lower.replace("%2e", ".");
    decoded == "."
        || decoded == ".."
        || lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains('\\')
}

fn version_index(segments: &[&str], path: &str, expected: &'static str) -> Result<usize, Error> {
    segments
        .iter()
        .position(|s| *s == "v1")
        .ok_or_else(|| route_error(expected, path))
}

fn is_request4r_at(segments: &[&str], v1: usize) -> bool {
    let after = segments.get(v1.saturating_add(1)..v1.saturating_add(1 + INSERTED.len()));
    after == Some(INSERTED.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_and_back() {
        for (standard, mapped) in [
            (
                "/v1/auth/register-user-v2",
                "/v1/partners/request4r/auth/register-user-v2",
            ),
            ("/v1", "/v1/partners/request4r"),
            ("/v1/", "/v1/partners/request4r/"),
            ("/raas/v1/users/42", "/raas/v1/partners/request4r/users/42"),
            ("/v1/a/v1/b", "/v1/partners/request4r/a/v1/b"),
        ] {
            assert_eq!(request4r_path(standard).unwrap(), mapped);
            assert_eq!(standard_path(mapped).unwrap(), standard);
        }
    }

    #[test]
    fn refusals() {
        for bad in ["", "v1/x", "/v2/x", "/api/x", "/V1/x", "/v1x/y"] {
            assert!(
                matches!(request4r_path(bad), Err(Error::Route { .. })),
                "{bad}"
            );
        }
        assert!(request4r_path("/v1/partners/request4r/x").is_err());
        for bad in [
            "/v1/x",
            "/v1/partners/x",
            "/v1/partners",
            "/v1/request4r/partners",
            "/x",
        ] {
            assert!(
                matches!(standard_path(bad), Err(Error::Route { .. })),
                "{bad}"
            );
        }
        for bad in [
            "/v1/partners/request4r/../../admin",
            "/v1/partners/request4r/%2e%2E/x",
            "/v1/partners/request4r/./x",
            "/v1/.%2e/x",
            "/v1/partners/request4r/..%2F..%2Fadmin",
            "/v1/partners/request4r/a%5cb",
        ] {
            assert!(standard_path(bad).is_err(), "{bad}");
            assert!(request4r_path(bad).is_err(), "{bad}");
        }
        // Dots inside a segment are fine.
        assert_eq!(
            request4r_path("/v1/files/a..b").unwrap(),
            "/v1/partners/request4r/files/a..b"
        );
    }
}
