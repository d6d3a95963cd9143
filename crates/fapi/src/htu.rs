//! The DPoP `htu` comparison (RFC 9449 section 4.3, point 9): an HTTP(S) URI without its query
//! and fragment, normalized as RFC 3986 sections 6.2.2 and 6.2.3 say.

use std::net::Ipv6Addr;

use jose::Error;
use jose::error::clip;
use jose::jwt::ClaimError;

/// The longest URI normalized (RFC 9110 section 4.1 asks every party to support 8000 octets).
const MAX_URI_LEN: usize = 8192;

/// What [`normalize`] accepts, for its messages.
const EXPECTED: &str = "an absolute http or https URI (RFC 3986) with a host, no user information";

fn refuse(why: &str, uri: &str) -> Error {
    ClaimError::invalid(
        "htu",
        format!("{EXPECTED}; {why}"),
        format!("{:?}", clip(uri, 80)),
    )
    .into()
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-encoding normalized (RFC 3986 section 6.2.2.2: an encoded unreserved character
/// decoded, the hex digits of the rest uppercase); with `lowercase`, the characters written as
/// they are lowercased too (a host, section 6.2.2.1). Each character must be one `allowed` says.
fn normalize_component(
    part: &str,
    allowed: fn(u8) -> bool,
    lowercase: bool,
    uri: &str,
) -> Result<String, Error> {
    let bytes = part.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex_value);
            let lo = bytes.get(i + 2).copied().and_then(hex_value);
            let (Some(hi), Some(lo)) = (hi, lo) else {
                return Err(refuse("a '%' not followed by two hex digits", uri));
            };
            let value = hi * 16 + lo;
            if is_unreserved(value) {
                let c = char::from(value);
                out.push(if lowercase { c.to_ascii_lowercase() } else { c });
            } else {
                out.push('%');
                out.push_str(&format!("{value:02X}"));
            }
            i += 3;
            continue;
        }
        if !allowed(b) {
            return Err(refuse(
                "a character outside RFC 3986's set (spaces and non-ASCII must be percent-encoded)",
                uri,
            ));
        }
        let c = char::from(b);
        out.push(if lowercase { c.to_ascii_lowercase() } else { c });
        i += 1;
    }
    Ok(out)
}

/// RFC 3986 section 5.2.4 on an absolute path (it starts with `/`).
fn remove_dot_segments(path: &str) -> String {
    let rest = path.strip_prefix('/').unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').collect();
    let count = segments.len();
    let mut out: Vec<&str> = Vec::with_capacity(count);
    for (index, segment) in segments.into_iter().enumerate() {
        let last = index + 1 == count;
        match segment {
            "." => {}
            ".." => {
                out.pop();
            }
            other => {
                out.push(other);
                continue;
            }
        }
        // A path that ends in "." or ".." names a directory: it keeps its trailing slash.
        if last {
            out.push("");
        }
    }
    format!("/{}", out.join("/"))
}

/// The host, normalized: a registered name lowercased and percent-encoding normalized; an IPv6
/// literal in its canonical text (RFC 5952).
fn normalize_host(host: &str, uri: &str) -> Result<String, Error> {
    if let Some(literal) = host.strip_prefix('[') {
        let inner = literal
            .strip_suffix(']')
            .ok_or_else(|| refuse("an IP literal without its closing ']'", uri))?;
        let address: Ipv6Addr = inner
            .parse()
            .map_err(|_| refuse("an IPv6 address inside '[' ']'", uri))?;
        return Ok(format!("[{address}]"));
    }
    if host.is_empty() {
        return Err(refuse("a host", uri));
    }
    normalize_component(host, |b| is_unreserved(b) || is_sub_delim(b), true, uri)
}

/// Normalizes an `htu` (or the request URI it is compared with), as RFC 9449 section 4.3 asks:
/// syntax-based and scheme-based normalization (RFC 3986 sections 6.2.2 and 6.2.3) without the
/// query and the fragment.
pub(crate) fn normalize(uri: &str) -> Result<String, Error> {
    if uri.len() > MAX_URI_LEN {
        return Err(refuse("at most 8192 bytes", uri));
    }
    let (scheme, rest) = uri.split_once(':').ok_or_else(|| refuse("a scheme", uri))?;
    let (scheme, default_port) = if scheme.eq_ignore_ascii_case("https") {
        ("https", 443)
    } else if scheme.eq_ignore_ascii_case("http") {
        ("http", 80)
    } else {
        return Err(refuse("the scheme http or https", uri));
    };
    let rest = rest
        .strip_prefix("//")
        .ok_or_else(|| refuse("an authority (\"//host\")", uri))?;
    // The query and the fragment are not part of the comparison.
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(refuse("no user information (\"user@\")", uri));
    }
    // The port follows the last ':' after an IP literal's ']'.
    let host_end = authority.rfind(']').map_or(0, |at| at + 1);
    let (host, port) = match authority.get(host_end..).and_then(|tail| tail.find(':')) {
        Some(at) => {
            let at = host_end + at;
            (
                authority.get(..at).unwrap_or_default(),
                authority.get(at + 1..).unwrap_or_default(),
            )
        }
        None => (authority, ""),
    };
    let host = normalize_host(host, uri)?;
    let port = if port.is_empty() {
        None
    } else {
        if !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse("a port of digits", uri));
        }
        let digits = port.trim_start_matches('0');
        match digits.parse::<u16>() {
            Ok(port) if port == default_port => None,
            Ok(port) => Some(port),
            Err(_) if digits.is_empty() => Some(0),
            Err(_) => return Err(refuse("a port from 0 to 65535", uri)),
        }
    };
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        let path = normalize_component(
            path,
            |b| is_unreserved(b) || is_sub_delim(b) || matches!(b, b':' | b'@' | b'/'),
            false,
            uri,
        )?;
        remove_dot_segments(&path)
    };
    Ok(match port {
        Some(port) => format!("{scheme}://{host}:{port}{path}"),
        None => format!("{scheme}://{host}{path}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        let cases = [
            (
                "https://server.example.com/token",
                "https://server.example.com/token",
            ),
            (
                "HTTPS://Server.EXAMPLE.com:443/token",
                "https://server.example.com/token",
            ),
            ("http://example.com:80", "http://example.com/"),
            ("http://example.com:", "http://example.com/"),
            (
                "https://example.com:8443/a?x=1#f",
                "https://example.com:8443/a",
            ),
            ("https://example.com:08443/a", "https://example.com:8443/a"),
            ("https://example.com?x", "https://example.com/"),
            ("https://example.com#x", "https://example.com/"),
            (
                "https://example.com/%7euser/%2f%41",
                "https://example.com/~user/%2FA",
            ),
            ("https://ex%41mple.com/", "https://example.com/"),
            (
                "https://example.com/a/./b/../c/",
                "https://example.com/a/c/",
            ),
            ("https://example.com/a/b/..", "https://example.com/a/"),
            ("https://example.com/..", "https://example.com/"),
            ("https://example.com/a//b", "https://example.com/a//b"),
            ("https://[2001:DB8:0:0::1]:443/x", "https://[2001:db8::1]/x"),
            ("https://[::1]:8080", "https://[::1]:8080/"),
            (
                "https://example.com/a:b@c;d=e",
                "https://example.com/a:b@c;d=e",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(input).unwrap(), expected, "{input}");
        }
    }

    #[test]
    fn refuses() {
        for input in [
            "",
            "/token",
            "ftp://example.com/",
            "https:example.com",
            "https:///path",
            "https://user@example.com/",
            "https://example.com:99999/",
            "https://example.com:8x/",
            "https://exa mple.com/",
            "https://example.com/a b",
            "https://example.com/%zz",
            "https://example.com/%4",
            "https://example.com/é",
            "https://[::1/",
            "https://[zz::1]/",
            "https://example.com/<script>",
        ] {
            let error = normalize(input).unwrap_err();
            assert!(error.to_string().starts_with("\"htu\""), "{input}: {error}");
        }
        assert!(normalize(&format!("https://example.com/{}", "a".repeat(9000))).is_err());
    }
}
