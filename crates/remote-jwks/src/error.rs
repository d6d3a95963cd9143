//! The crate's one error type.

use std::sync::Arc;

/// Everything that can go wrong while configuring a remote JWKS, fetching it or choosing a key
/// from it.
///
/// Messages say what was expected and what was found, and name the JWKS URL; they never hold key
/// material. A cause (the HTTP client's error, jose-core's reason) is the variant's `source`, not
/// part of its own message: print an error with [`jose::error::display_chain`] to see each cause
/// once. [`Error::class`] tells a refused answer or key ([`Rejected`](jose::ErrorClass::Rejected))
/// from our own configuration ([`Local`](jose::ErrorClass::Local)) and from the network
/// ([`Transport`](jose::ErrorClass::Transport), which may succeed later).
///
/// `Clone`, so that one failed fetch can be the answer of every caller that shared it; the
/// HTTP client's error is kept behind an [`Arc`].
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The JWKS URL cannot be used: not a URL, not `https://` (plain `http://` is allowed only to a
    /// loopback address, and only with
    /// [`allow_http_loopback`](crate::RemoteJwksBuilder::allow_http_loopback)), with user
    /// credentials or a fragment.
    #[error("invalid JWKS URL: expected {expected}, found {found}")]
    InvalidUrl {
        /// What a JWKS URL must be.
        expected: &'static str,
        /// What was given (clipped).
        found: String,
    },
    /// A setting of [`RemoteJwksBuilder`](crate::RemoteJwksBuilder) is out of range, or a CA PEM
    /// holds no usable certificate.
    #[error("invalid setting {what}: expected {expected}, found {found}")]
    InvalidConfig {
        /// The setting.
        what: &'static str,
        /// What it must be.
        expected: String,
        /// What it is.
        found: String,
        /// The TLS library's reason, when it refused a certificate.
        #[source]
        source: Option<Arc<reqwest::Error>>,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Client(#[source] Arc<reqwest::Error>),
    /// A URL that is not on the allow-list of a [`RemoteJwksSet`](crate::RemoteJwksSet): refused
    /// before any fetch.
    #[error("JWKS URL not allowed: expected one of {allowed}, found {found}")]
    UrlNotAllowed {
        /// The allowed URLs.
        allowed: String,
        /// The URL asked for (quoted, clipped).
        found: String,
    },
    /// The request for the JWKS failed: the connection (refused, reset), TLS (an untrusted
    /// certificate), the connect or overall timeout, or the body cut short. The HTTP client's
    /// error is the source.
    #[error("cannot fetch the JWKS from {url}")]
    Fetch {
        /// The JWKS URL.
        url: String,
        /// The HTTP client's error.
        #[source]
        source: Arc<reqwest::Error>,
    },
    /// The JWKS server answered with a status other than 200 (redirects are not followed).
    #[error("JWKS answer from {url}: expected status 200, found {status}")]
    Status {
        /// The JWKS URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The answer is larger than
    /// [`max_response_bytes`](crate::RemoteJwksBuilder::max_response_bytes): refused from its
    /// `Content-Length`, or as soon as the bytes read pass the limit (never buffered beyond it).
    #[error("JWKS answer from {url} too large: expected at most {limit} bytes, found {found}")]
    TooLarge {
        /// The JWKS URL.
        url: String,
        /// The limit.
        limit: usize,
        /// What the answer declared or sent.
        found: String,
    },
    /// The answer is not a JWK set: not UTF-8, or refused by jose-core's parser
    /// ([`jose::Jwks::from_json`] with the configured [`jose::Limits`], which is the source).
    #[error("malformed JWKS from {url}: expected {expected}, found {found}")]
    Malformed {
        /// The JWKS URL.
        url: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
        /// jose-core's reason.
        #[source]
        source: Option<Box<jose::Error>>,
    },
    /// The set holds secret material: a symmetric (`oct`) key or a private key (`d`, `p`, `q`,
    /// `dp`, `dq`, `qi`, `k`, `oth`). A JWKS for verification publishes public keys only, and one
    /// that publishes a secret is a misconfiguration its operator must see, so the whole set is
    /// refused (a last good set keeps being served within the stale-if-error bound).
    #[error(
        "refused JWKS from {url}: expected public keys only, found key {index} ({kid}) {found}"
    )]
    SecretInSet {
        /// The JWKS URL.
        url: String,
        /// The key's position in `keys`.
        index: usize,
        /// The key's `kid` (quoted, clipped), or `no kid`.
        kid: String,
        /// What the key is (never its value).
        found: &'static str,
    },
    /// No key of the set fits the request: no key with that `kid` (after the one refetch the
    /// cooldown allows), none of the algorithm's type, or more than one candidate.
    #[error("no matching key in the JWKS from {url}: expected {expected}, found {found}")]
    NoMatchingKey {
        /// The JWKS URL.
        url: String,
        /// The key asked for.
        expected: String,
        /// What the set holds instead.
        found: String,
        /// jose-core's reason, when it refused to bind the one candidate to the algorithm.
        #[source]
        source: Option<Box<jose::Error>>,
    },
}

impl Error {
    /// Whose problem this is (see [`jose::ErrorClass`]):
    ///
    /// - [`Transport`](jose::ErrorClass::Transport): [`Error::Fetch`], and [`Error::Status`]
    ///   with a 3xx, 408, 429 or 5xx status (the server may answer later);
    /// - [`Local`](jose::ErrorClass::Local): [`Error::InvalidUrl`], [`Error::InvalidConfig`],
    ///   [`Error::Client`] (our configuration);
    /// - [`Rejected`](jose::ErrorClass::Rejected): everything else: a URL off the allow-list (a
    ///   token named it), an answer refused, no matching key.
    pub fn class(&self) -> jose::ErrorClass {
        match self {
            Error::InvalidUrl { .. } | Error::InvalidConfig { .. } | Error::Client(_) => {
                jose::ErrorClass::Local
            }
            Error::Fetch { .. } => jose::ErrorClass::Transport,
            Error::Status { status, .. }
                if (300..400).contains(status)
                    || *status == 408
                    || *status == 429
                    || *status >= 500 =>
            {
                jose::ErrorClass::Transport
            }
            _ => jose::ErrorClass::Rejected,
        }
    }

    /// True when the error is a verdict on outside input: a URL a token named, the server's
    /// answer or the keys in it (`class() == Rejected`).
    pub fn is_rejection(&self) -> bool {
        self.class() == jose::ErrorClass::Rejected
    }
}

/// At most 200 characters of an untrusted value, as every crate of the workspace quotes them.
pub(crate) fn clipped(text: &str) -> String {
    jose::error::clip(text, 200)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use jose::ErrorClass::{Local, Rejected, Transport};
    use jose::error::{display_chain, repeated_cause};
    use std::error::Error as _;

    fn url() -> String {
        "https://issuer.example/jwks".to_owned()
    }

    async fn reqwest_error() -> reqwest::Error {
        // A refused connection: a loopback port that was just free.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn each_cause_is_printed_once() {
        let transport = Arc::new(reqwest_error().await);
        let caused = [
            Error::Fetch {
                url: url(),
                source: transport.clone(),
            },
            Error::Client(transport.clone()),
            Error::InvalidConfig {
                what: "CA PEM",
                expected: "certificates".into(),
                found: "one the TLS library refuses".into(),
                source: Some(transport),
            },
            Error::Malformed {
                url: url(),
                expected: "a JWK set",
                found: "one jose-core refuses".into(),
                source: Some(Box::new(jose::Error::malformed(
                    "JWKS",
                    "a \"keys\" array",
                    "none",
                ))),
            },
            Error::NoMatchingKey {
                url: url(),
                expected: "kid \"a\"".into(),
                found: "a key that does not fit".into(),
                source: Some(Box::new(jose::Error::invalid_key(
                    "an EC key",
                    "an RSA key",
                ))),
            },
        ];
        for error in &caused {
            assert!(error.source().is_some(), "{error:?}");
            assert_eq!(repeated_cause(error), None, "{}", display_chain(error));
            // The cause's text appears in the printed line, once.
            let cause = error.source().unwrap().to_string();
            assert_eq!(display_chain(error).matches(&cause).count(), 1);
        }
    }

    #[test]
    fn classes() {
        let status = |status| Error::Status { url: url(), status };
        for (error, class) in [
            (
                Error::InvalidUrl {
                    expected: "",
                    found: String::new(),
                },
                Local,
            ),
            (
                Error::InvalidConfig {
                    what: "timeout",
                    expected: String::new(),
                    found: String::new(),
                    source: None,
                },
                Local,
            ),
            (
                Error::UrlNotAllowed {
                    allowed: String::new(),
                    found: String::new(),
                },
                Rejected,
            ),
            (status(404), Rejected),
            (status(200), Rejected),
            (status(302), Transport),
            (status(429), Transport),
            (status(503), Transport),
            (
                Error::TooLarge {
                    url: url(),
                    limit: 1,
                    found: String::new(),
                },
                Rejected,
            ),
            (
                Error::SecretInSet {
                    url: url(),
                    index: 0,
                    kid: String::new(),
                    found: "",
                },
                Rejected,
            ),
        ] {
            assert_eq!(error.class(), class, "{error:?}");
            assert_eq!(error.is_rejection(), class == Rejected);
        }
    }
}
