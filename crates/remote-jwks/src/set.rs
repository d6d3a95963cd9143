//! [`RemoteJwksSet`]: the allow-list of JWKS URLs for tokens that name their own (`jku`).

use crate::error::{Error, clipped};
use crate::key_set::KeySet;
use crate::remote::RemoteJwks;
use jose::{JwsAlgorithm, VerifyingKey};
use std::sync::Arc;

/// One [`RemoteJwks`] per allowed URL, for protocols whose tokens name the JWKS URL (a JWS
/// `jku`, TrueLayer's webhooks): a URL is looked up by exact string comparison (no
/// normalization: another case, a port, a trailing slash or a query does not match), and one
/// that is not on the list is refused with [`Error::UrlNotAllowed`] before any request.
///
/// Build it with [`RemoteJwksBuilder::build_set`](crate::RemoteJwksBuilder::build_set) (one
/// set of settings for every URL) or [`RemoteJwksSet::from_remotes`]. Cheap to clone (an [`Arc`]
/// inside); `Send + Sync`.
///
/// ```
/// use jose_remote_jwks::{Error, RemoteJwks};
///
/// # fn main() -> Result<(), Error> {
/// let allowed = RemoteJwks::builder().build_set([
///     "https://webhooks.truelayer.com/.well-known/jwks",
///     "https://webhooks.truelayer-sandbox.com/.well-known/jwks",
/// ])?;
/// assert!(allowed.contains("https://webhooks.truelayer.com/.well-known/jwks"));
/// let refused = allowed.get("https://evil.example/.well-known/jwks").unwrap_err();
/// assert!(matches!(refused, Error::UrlNotAllowed { .. }));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RemoteJwksSet {
    remotes: Arc<[RemoteJwks]>,
}

impl RemoteJwksSet {
    /// A set of these, each reached by its own [`RemoteJwks::url`].
    ///
    /// Errors: [`Error::InvalidConfig`] when two have the same URL.
    pub fn from_remotes(remotes: impl IntoIterator<Item = RemoteJwks>) -> Result<Self, Error> {
        let remotes: Vec<RemoteJwks> = remotes.into_iter().collect();
        for (i, remote) in remotes.iter().enumerate() {
            if remotes
                .get(..i)
                .is_some_and(|before| before.iter().any(|r| r.url() == remote.url()))
            {
                return Err(Error::InvalidConfig {
                    what: "JWKS URLs",
                    expected: "each URL once".to_owned(),
                    found: format!("{:?} twice", clipped(remote.url())),
                    source: None,
                });
            }
        }
        Ok(RemoteJwksSet {
            remotes: remotes.into(),
        })
    }

    /// The allowed URLs, in order.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.remotes.iter().map(RemoteJwks::url)
    }

    /// Whether `url` is exactly one of the allowed URLs.
    pub fn contains(&self, url: &str) -> bool {
        self.remotes.iter().any(|r| r.url() == url)
    }

    /// The [`RemoteJwks`] of `url`, which must be exactly one of the allowed URLs
    /// ([`Error::UrlNotAllowed`] otherwise; nothing is fetched).
    pub fn get(&self, url: &str) -> Result<&RemoteJwks, Error> {
        self.remotes
            .iter()
            .find(|r| r.url() == url)
            .ok_or_else(|| Error::UrlNotAllowed {
                allowed: if self.remotes.is_empty() {
                    "none (the allow-list is empty)".to_owned()
                } else {
                    self.urls().collect::<Vec<_>>().join(", ")
                },
                found: format!("{:?}", clipped(url)),
            })
    }

    /// [`RemoteJwks::key_set`] of the allowed `url`.
    pub async fn key_set(&self, url: &str, kid: Option<&str>) -> Result<Arc<KeySet>, Error> {
        self.get(url)?.key_set(kid).await
    }

    /// [`RemoteJwks::verifying_key`] of the allowed `url`.
    pub async fn verifying_key(
        &self,
        url: &str,
        kid: Option<&str>,
        alg: JwsAlgorithm,
    ) -> Result<VerifyingKey, Error> {
        self.get(url)?.verifying_key(kid, alg).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn exact_matching_and_duplicates() {
        let url = "https://issuer.example/jwks";
        let set = RemoteJwks::builder().build_set([url]).unwrap();
        assert_eq!(set.urls().collect::<Vec<_>>(), [url]);
        set.get(url).unwrap();
        for near in [
            "https://issuer.example/jwks/",
            "https://ISSUER.example/jwks",
            "https://issuer.example:443/jwks",
            "https://issuer.example/jwks?x",
            "http://issuer.example/jwks",
            "",
        ] {
            let e = set.get(near).unwrap_err();
            assert!(matches!(e, Error::UrlNotAllowed { .. }), "{near}: {e:?}");
            assert!(e.is_rejection());
        }
        let e = RemoteJwks::builder().build_set([url, url]).unwrap_err();
        assert!(matches!(e, Error::InvalidConfig { .. }), "{e:?}");
        let empty = RemoteJwks::builder()
            .build_set(Vec::<String>::new())
            .unwrap();
        assert!(empty.get(url).unwrap_err().to_string().contains("empty"));
    }
}
