//! Webhooks: which JWKS URL (`jku`) a signature may name.

use crate::error::Error;
use crate::header::extract_header;
use crate::request::shorten;

/// TrueLayer's production webhook JWKS URL.
pub const TRUELAYER_JKU_PRODUCTION: &str = "https://webhooks.truelayer.com/.well-known/jwks";
/// TrueLayer's sandbox webhook JWKS URL.
pub const TRUELAYER_JKU_SANDBOX: &str = "https://webhooks.truelayer-sandbox.com/.well-known/jwks";

/// The JWKS URLs a webhook signature's `jku` may name. Matching is exact string comparison of the
/// whole URL (scheme, host and path; no normalization, so a query, a port, a different case or a
/// trailing slash does not match).
///
/// The default list is TrueLayer's two: [`TRUELAYER_JKU_PRODUCTION`] and [`TRUELAYER_JKU_SANDBOX`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JkuAllowList {
    urls: Vec<String>,
}

impl Default for JkuAllowList {
    fn default() -> Self {
        Self::new([TRUELAYER_JKU_PRODUCTION, TRUELAYER_JKU_SANDBOX])
    }
}

impl JkuAllowList {
    /// A list of exactly these URLs.
    pub fn new<I, S>(urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        JkuAllowList {
            urls: urls.into_iter().map(Into::into).collect(),
        }
    }

    /// The URLs.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// True if `jku` is exactly one of the URLs.
    pub fn contains(&self, jku: &str) -> bool {
        self.urls.iter().any(|u| u == jku)
    }

    /// `Ok` if `jku` is allowed, else [`Error::JkuNotAllowed`].
    pub fn check(&self, jku: &str) -> Result<(), Error> {
        if self.contains(jku) {
            Ok(())
        } else {
            Err(self.not_allowed(format!("{:?}", shorten(jku))))
        }
    }

    fn not_allowed(&self, found: String) -> Error {
        Error::JkuNotAllowed {
            allowed: if self.urls.is_empty() {
                "none (the allow-list is empty)".to_owned()
            } else {
                self.urls.join(", ")
            },
            found,
        }
    }

    /// Reads the `jku` of a webhook's `Tl-Signature` from its unverified header and checks it
    /// against the list; returns the URL to fetch the JWKS from. A signature without a `jku` is
    /// [`Error::JkuNotAllowed`].
    ///
    /// Fetch the JWKS (or use a cached copy for that URL), then verify with
    /// [`crate::Verifier::from_jwks`]: the `jku` itself is not trusted until the signature
    /// verifies with a key from an allowed URL.
    pub fn webhook_jku(&self, tl_signature: &str) -> Result<String, Error> {
        let header = extract_header(tl_signature)?;
        let jku = header
            .jku
            .ok_or_else(|| self.not_allowed("no \"jku\" in the JOSE header".to_owned()))?;
        self.check(&jku)?;
        Ok(jku)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_matching() {
        let list = JkuAllowList::default();
        assert!(list.contains(TRUELAYER_JKU_PRODUCTION));
        assert!(list.contains(TRUELAYER_JKU_SANDBOX));
        for near in [
            "https://webhooks.truelayer.com/.well-known/jwks/",
            "https://webhooks.truelayer.com/.well-known/jwks?x=1",
            "https://webhooks.truelayer.com:443/.well-known/jwks",
            "http://webhooks.truelayer.com/.well-known/jwks",
            "https://WEBHOOKS.truelayer.com/.well-known/jwks",
            "https://webhooks.truelayer.com.evil.example/.well-known/jwks",
            "https://evil.example/https://webhooks.truelayer.com/.well-known/jwks",
            "",
        ] {
            assert!(!list.contains(near), "{near}");
            assert!(matches!(list.check(near), Err(Error::JkuNotAllowed { .. })));
        }
        let empty = JkuAllowList::new(Vec::<String>::new());
        assert!(!empty.contains(TRUELAYER_JKU_PRODUCTION));
    }
}
