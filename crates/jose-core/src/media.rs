//! Media types: the `Content-Type` values JOSE messages travel with, parsed one way for every
//! crate of the workspace. Each protocol decides which types it accepts; this module only says
//! what a value is.
//!
//! ```
//! use jose_core::media::{APPLICATION_JOSE, MediaType};
//!
//! let media = MediaType::parse("Application/JOSE; charset=\"UTF-8\"");
//! assert!(media.is(APPLICATION_JOSE));
//! assert_eq!(media.parameter("Charset"), Some("UTF-8"));
//! assert!(media.charset_is_utf8());
//! ```

/// `application/jose`: a JWS or JWE in compact serialization (RFC 7515 and RFC 7516, section 9).
pub const APPLICATION_JOSE: &str = "application/jose";
/// `application/jose+json`: a JWS or JWE in JSON serialization.
pub const APPLICATION_JOSE_JSON: &str = "application/jose+json";
/// `application/json`.
pub const APPLICATION_JSON: &str = "application/json";

/// A `Content-Type` value split into its essence (`type/subtype`) and its parameters
/// (RFC 9110 section 8.3.1). Parsing never fails: what is before the first `;`, trimmed, is the
/// essence, and each `name=value` after it a parameter (a value may be quoted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaType<'a> {
    essence: &'a str,
    parameters: &'a str,
}

impl<'a> MediaType<'a> {
    /// Splits `text`.
    pub fn parse(text: &'a str) -> Self {
        let (essence, parameters) = text.split_once(';').unwrap_or((text, ""));
        MediaType {
            essence: essence.trim(),
            parameters,
        }
    }

    /// The essence as written (`Application/JOSE`); compare it with [`MediaType::is`].
    pub fn essence(&self) -> &'a str {
        self.essence
    }

    /// Whether the essence is `essence`, compared without regard to ASCII case.
    pub fn is(&self, essence: &str) -> bool {
        self.essence.eq_ignore_ascii_case(essence)
    }

    /// The value of the first parameter named `name` (without regard to ASCII case), trimmed and
    /// without its quotes.
    pub fn parameter(&self, name: &str) -> Option<&'a str> {
        self.parameters.split(';').find_map(|parameter| {
            let (key, value) = parameter.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().trim_matches('"'))
        })
    }

    /// Whether every `charset` parameter, if there is any, names UTF-8 (`utf-8` or `utf8`, any
    /// case).
    pub fn charset_is_utf8(&self) -> bool {
        self.parameters
            .split(';')
            .all(|parameter| match parameter.split_once('=') {
                Some((key, value)) if key.trim().eq_ignore_ascii_case("charset") => {
                    let value = value.trim().trim_matches('"');
                    value.eq_ignore_ascii_case("utf-8") || value.eq_ignore_ascii_case("utf8")
                }
                _ => true,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn essences_and_parameters() {
        let plain = MediaType::parse("application/json");
        assert!(plain.is(APPLICATION_JSON));
        assert!(!plain.is(APPLICATION_JOSE));
        assert_eq!(plain.parameter("charset"), None);
        assert!(plain.charset_is_utf8());

        let odd = MediaType::parse("  text/plain ;charset=latin1; q=1");
        assert_eq!(odd.essence(), "text/plain");
        assert_eq!(odd.parameter("q"), Some("1"));
        assert!(!odd.charset_is_utf8());

        assert!(!MediaType::parse("application/jsonx").is(APPLICATION_JSON));
        assert!(MediaType::parse("application/json;charset=\"utf8\"").charset_is_utf8());
        assert!(
            !MediaType::parse("application/json; charset=utf-8; charset=latin1").charset_is_utf8()
        );
        assert_eq!(MediaType::parse("").essence(), "");
        assert_eq!(MediaType::parse(";;=").parameter(""), Some(""));
    }
}
