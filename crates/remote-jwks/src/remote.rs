//! [`RemoteJwks`]: one JWKS URL, fetched and cached; [`RemoteJwksBuilder`]: its settings.

use crate::cache_control;
use crate::error::{Error, clipped};
use crate::key_set::{Import, KeySet};
use crate::set::RemoteJwksSet;
use jose::{CryptoProvider, JwsAlgorithm, Limits, VerifyingKey};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// Default lifetime of a set whose answer has no `Cache-Control` lifetime: 10 minutes.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);
/// Default shortest lifetime (also the lifetime under `no-store`/`no-cache`): 1 minute.
pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(60);
/// Default longest lifetime, whatever `max-age` says: 24 hours.
pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Default cooldown, the least time between two requests to the JWKS server: 30 seconds.
pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(30);
/// Default stale-if-error bound, how long after its expiry a set is still served while refreshes
/// fail: 15 minutes.
pub const DEFAULT_STALE_IF_ERROR: Duration = Duration::from_secs(15 * 60);
/// Default connect timeout: 5 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default timeout of a whole fetch, from connecting to the end of the body: 10 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default largest answer read: 512 KiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 512 * 1024;

/// The longest lifetime or bound the builder accepts (a year): far beyond any sane setting, and
/// small enough that every deadline computed from it is representable.
const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 60 * 60);

/// The settings of a [`RemoteJwks`] (or of every one in a [`RemoteJwksSet`]); every one has a
/// safe default (the `DEFAULT_*` constants of this crate).
///
/// ```
/// use jose_remote_jwks::RemoteJwks;
/// use std::time::Duration;
///
/// # fn main() -> Result<(), jose_remote_jwks::Error> {
/// let jwks = RemoteJwks::builder()
///     .min_ttl(Duration::from_secs(5 * 60))
///     .max_ttl(Duration::from_secs(60 * 60))
///     .cooldown(Duration::from_secs(10))
///     .timeout(Duration::from_secs(3))
///     .build("https://issuer.example/.well-known/jwks.json")?;
/// assert_eq!(jwks.url(), "https://issuer.example/.well-known/jwks.json");
///
/// // Plain http:// is refused, and allowed only to a loopback address (for tests).
/// assert!(RemoteJwks::builder().build("http://issuer.example/jwks").is_err());
/// assert!(RemoteJwks::builder().allow_http_loopback(true).build("http://issuer.example/jwks").is_err());
/// RemoteJwks::builder().allow_http_loopback(true).build("http://127.0.0.1:8080/jwks")?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RemoteJwksBuilder {
    default_ttl: Duration,
    min_ttl: Duration,
    max_ttl: Duration,
    cooldown: Duration,
    stale_if_error: Duration,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: usize,
    ca_pem: Option<Vec<u8>>,
    allow_http_loopback: bool,
    limits: Limits,
    provider: Option<&'static dyn CryptoProvider>,
    pad_ec_coordinates: bool,
}

impl Default for RemoteJwksBuilder {
    fn default() -> Self {
        RemoteJwksBuilder {
            default_ttl: DEFAULT_TTL,
            min_ttl: DEFAULT_MIN_TTL,
            max_ttl: DEFAULT_MAX_TTL,
            cooldown: DEFAULT_COOLDOWN,
            stale_if_error: DEFAULT_STALE_IF_ERROR,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            ca_pem: None,
            allow_http_loopback: false,
            limits: Limits::default(),
            provider: None,
            pad_ec_coordinates: false,
        }
    }
}

impl RemoteJwksBuilder {
    /// The defaults: see the `DEFAULT_*` constants.
    pub fn new() -> Self {
        Self::default()
    }

    /// The lifetime of a set whose answer says nothing (no `Cache-Control` `max-age`,
    /// `no-store` or `no-cache`); clamped to `[min_ttl, max_ttl]` like any other.
    pub fn default_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = ttl;
        self
    }

    /// The shortest lifetime of a set, and the lifetime under `no-store` or `no-cache`: a
    /// `max-age` below it counts as this.
    pub fn min_ttl(mut self, ttl: Duration) -> Self {
        self.min_ttl = ttl;
        self
    }

    /// The longest lifetime of a set: a `max-age` above it counts as this.
    pub fn max_ttl(mut self, ttl: Duration) -> Self {
        self.max_ttl = ttl;
        self
    }

    /// The least time between two requests to the JWKS server, whatever the reason (first
    /// fetch excepted): an unknown `kid`, an expired set, a failed fetch. Within it, a `kid` the
    /// set lacks is answered with [`Error::NoMatchingKey`] without a request, so a stream of
    /// tokens naming made-up key ids costs the server one request per cooldown. Must not be zero.
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// How long after its expiry the last good set is still served while refreshing it fails
    /// (RFC 5861's stale-if-error). After that, the fetch's error is the answer. Zero turns
    /// stale serving off.
    pub fn stale_if_error(mut self, bound: Duration) -> Self {
        self.stale_if_error = bound;
        self
    }

    /// How long establishing a connection (TCP and TLS) may take. Must not be zero.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole fetch may take, from connecting to the end of the answer's body. Must
    /// not be zero.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest answer body read, in bytes: a larger `Content-Length` is refused before the
    /// body is read, and a body without one is refused as soon as it passes the limit. Must not
    /// be zero. The set must also fit the [`limits`](Self::limits) (1 MiB and 256 keys by
    /// default).
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// Trust only the CA certificates of this PEM (one or more `CERTIFICATE` blocks; other blocks
    /// are skipped) for `https://`, *instead of* the system's root store (the default, through the
    /// platform verifier).
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem = Some(pem.into());
        self
    }

    /// Allow plain `http://` to a loopback address (`127.0.0.0/8` or `::1`, as an IP literal),
    /// for tests and local development (off by default). Other `http://` URLs stay refused.
    pub fn allow_http_loopback(mut self, allow: bool) -> Self {
        self.allow_http_loopback = allow;
        self
    }

    /// jose-core's parsing limits for the set ([`jose::Limits::default`] by default).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The provider that imports the keys (the facade's [`jose::default_provider`] by default).
    pub fn provider(mut self, provider: &'static dyn CryptoProvider) -> Self {
        self.provider = Some(provider);
        self
    }

    /// Left-pad EC coordinates shorter than the curve's length before importing
    /// ([`jose::Jwk::pad_ec_coordinates`]; off by default). RFC 7518 requires full-length
    /// coordinates; some issuers (TrueLayer's webhook keys) publish shorter ones.
    pub fn pad_ec_coordinates(mut self, pad: bool) -> Self {
        self.pad_ec_coordinates = pad;
        self
    }

    /// A [`RemoteJwks`] for `url`, fetching nothing yet.
    ///
    /// Errors: [`Error::InvalidUrl`] for a URL that is not `https://` (see
    /// [`allow_http_loopback`](Self::allow_http_loopback)), holds user credentials or a fragment;
    /// [`Error::InvalidConfig`] for a setting out of range or a CA PEM without a usable
    /// certificate; [`Error::Client`] if the HTTP client cannot be built.
    pub fn build(&self, url: &str) -> Result<RemoteJwks, Error> {
        let target = check_url(url, self.allow_http_loopback)?;
        self.check()?;
        Ok(RemoteJwks::new(url, target, self.http_client()?, self))
    }

    /// A [`RemoteJwksSet`] of one [`RemoteJwks`] per URL, all with these settings and one HTTP
    /// client: the allow-list of a protocol whose tokens name their JWKS URL (`jku`).
    ///
    /// Errors: as [`build`](Self::build) for each URL, and [`Error::InvalidConfig`] for a URL
    /// given twice.
    pub fn build_set<I, S>(&self, urls: I) -> Result<RemoteJwksSet, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.check()?;
        let http = self.http_client()?;
        let remotes = urls
            .into_iter()
            .map(|url| {
                let url = url.as_ref();
                let target = check_url(url, self.allow_http_loopback)?;
                Ok(RemoteJwks::new(url, target, http.clone(), self))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        RemoteJwksSet::from_remotes(remotes)
    }

    fn check(&self) -> Result<(), Error> {
        let invalid = |what: &'static str, expected: &str, found: String| Error::InvalidConfig {
            what,
            expected: expected.to_owned(),
            found,
            source: None,
        };
        for (what, value) in [
            ("cooldown", self.cooldown),
            ("connect_timeout", self.connect_timeout),
            ("timeout", self.timeout),
            ("max_ttl", self.max_ttl),
        ] {
            if value.is_zero() {
                return Err(invalid(what, "a positive duration", "zero".to_owned()));
            }
        }
        for (what, value) in [
            ("default_ttl", self.default_ttl),
            ("min_ttl", self.min_ttl),
            ("max_ttl", self.max_ttl),
            ("cooldown", self.cooldown),
            ("stale_if_error", self.stale_if_error),
            ("connect_timeout", self.connect_timeout),
            ("timeout", self.timeout),
        ] {
            if value > MAX_DURATION {
                return Err(invalid(what, "at most a year", format!("{value:?}")));
            }
        }
        if self.min_ttl > self.max_ttl {
            return Err(invalid(
                "min_ttl",
                "at most max_ttl",
                format!("{:?} > {:?}", self.min_ttl, self.max_ttl),
            ));
        }
        if self.max_response_bytes == 0 {
            return Err(invalid(
                "max_response_bytes",
                "a positive size",
                "zero".to_owned(),
            ));
        }
        Ok(())
    }

    /// The HTTP client: rustls, no redirects, the timeouts, HTTPS only unless loopback http is
    /// allowed, and the CA PEM's certificates instead of the system's roots when given (the
    /// approach of jose-4quays' `AsyncClient`).
    fn http_client(&self) -> Result<reqwest::Client, Error> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(!self.allow_http_loopback);
        if let Some(pem) = &self.ca_pem {
            builder = builder.tls_certs_only(read_ca_pem(pem)?);
        }
        builder.build().map_err(|e| match &self.ca_pem {
            // With our settings, the only thing the builder can refuse is a certificate.
            Some(_) => Error::InvalidConfig {
                what: "ca_pem",
                expected: "PEM CA certificates".to_owned(),
                found: "certificates the TLS library refuses".to_owned(),
                source: Some(Arc::new(e)),
            },
            None => Error::Client(Arc::new(e)),
        })
    }
}

/// The certificates of a CA PEM: one or more `CERTIFICATE` blocks.
fn read_ca_pem(pem: &[u8]) -> Result<Vec<reqwest::Certificate>, Error> {
    let expected = "PEM with one or more CERTIFICATE blocks";
    let certificates =
        reqwest::Certificate::from_pem_bundle(pem).map_err(|e| Error::InvalidConfig {
            what: "ca_pem",
            expected: expected.to_owned(),
            found: "a malformed CERTIFICATE block".to_owned(),
            source: Some(Arc::new(e)),
        })?;
    if certificates.is_empty() {
        return Err(Error::InvalidConfig {
            what: "ca_pem",
            expected: expected.to_owned(),
            found: "no CERTIFICATE block".to_owned(),
            source: None,
        });
    }
    Ok(certificates)
}

/// Parses and checks a JWKS URL.
fn check_url(url: &str, allow_http_loopback: bool) -> Result<reqwest::Url, Error> {
    let invalid = |expected: &'static str, found: String| Error::InvalidUrl { expected, found };
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        invalid(
            "an absolute https:// URL",
            format!("{:?} ({e})", clipped(url)),
        )
    })?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // Never quote it: it holds a credential.
        return Err(invalid(
            "a URL without user credentials",
            "a URL with a user name or password".to_owned(),
        ));
    }
    if parsed.fragment().is_some() {
        return Err(invalid(
            "a URL without a fragment",
            format!("{:?}", clipped(url)),
        ));
    }
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if allow_http_loopback && is_loopback(&parsed) => Ok(parsed),
        "http" if allow_http_loopback => Err(invalid(
            "https://, or http:// to a loopback IP address (127.0.0.0/8, ::1)",
            format!("{:?}", clipped(url)),
        )),
        _ => Err(invalid(
            "an https:// URL (http:// only to a loopback address, with allow_http_loopback)",
            format!("{:?}", clipped(url)),
        )),
    }
}

/// Whether the URL's host is a loopback IP literal (names are not resolved here).
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A remote JWK set: fetched over HTTPS on first use, cached for the lifetime its answer's
/// `Cache-Control` gives (clamped), refreshed when that expires or when a `kid` it lacks is asked
/// for (at most one request per cooldown), and served stale for a bounded time while refreshes
/// fail. Concurrent callers share one fetch.
///
/// Cheap to clone (an [`Arc`] inside); `Send + Sync`. See the [crate](crate) documentation for
/// the rules and an example.
#[derive(Debug, Clone)]
pub struct RemoteJwks {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    url: String,
    target: reqwest::Url,
    http: reqwest::Client,
    default_ttl: Duration,
    min_ttl: Duration,
    max_ttl: Duration,
    cooldown: Duration,
    stale_if_error: Duration,
    max_response_bytes: usize,
    import: Import,
    /// What the last fetches left; held only briefly, never across an await.
    state: Mutex<State>,
    /// Held by the one caller that decides about (and makes) a fetch: single-flight.
    gate: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct State {
    /// The last good set.
    current: Option<Arc<KeySet>>,
    /// When the last fetch ended (success or failure).
    last_attempt: Option<Instant>,
    /// The last fetch's error, if the last fetch failed.
    last_error: Option<Error>,
    /// How many fetches ended: a caller that waited for the gate sees whether one ran meanwhile.
    attempts: u64,
}

impl RemoteJwks {
    /// The settings, with their defaults; end with [`RemoteJwksBuilder::build`].
    pub fn builder() -> RemoteJwksBuilder {
        RemoteJwksBuilder::default()
    }

    fn new(url: &str, target: reqwest::Url, http: reqwest::Client, b: &RemoteJwksBuilder) -> Self {
        RemoteJwks {
            inner: Arc::new(Inner {
                url: url.to_owned(),
                target,
                http,
                default_ttl: b.default_ttl,
                min_ttl: b.min_ttl,
                max_ttl: b.max_ttl,
                cooldown: b.cooldown,
                stale_if_error: b.stale_if_error,
                max_response_bytes: b.max_response_bytes,
                import: Import {
                    limits: b.limits,
                    provider: b.provider.unwrap_or_else(jose::default_provider),
                    pad_ec_coordinates: b.pad_ec_coordinates,
                },
                state: Mutex::new(State::default()),
                gate: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The JWKS URL, exactly as given.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// The current set: the cached one while fresh, else fetched (or, if that fails, the last
    /// good one within the stale-if-error bound).
    ///
    /// Errors: the fetch's ([`Error::Fetch`], [`Error::Status`], [`Error::TooLarge`],
    /// [`Error::Malformed`], [`Error::SecretInSet`]) when there is no set to serve; within the
    /// cooldown after a failed fetch, that fetch's error again, without a request.
    pub async fn jwks(&self) -> Result<Arc<KeySet>, Error> {
        self.key_set(None).await
    }

    /// A set that has a key with `kid` (any set, for `None`): the cached one if fresh and it has
    /// it, else refetched once, if the cooldown allows.
    ///
    /// Errors: as [`jwks`](Self::jwks), and [`Error::NoMatchingKey`] when the set still lacks
    /// `kid` (or when the cooldown defers the refetch).
    pub async fn key_set(&self, kid: Option<&str>) -> Result<Arc<KeySet>, Error> {
        let seen = {
            let state = self.state();
            if let Some(set) = fresh_with(&state, kid, Instant::now()) {
                return Ok(set);
            }
            state.attempts
        };
        // Single-flight: one caller at a time decides whether to fetch; the others wait here
        // (each fetch is bounded by the timeout) and then find its outcome in the state.
        let _gate = self.inner.gate.lock().await;
        let may_fetch = {
            let state = self.state();
            let now = Instant::now();
            if let Some(set) = fresh_with(&state, kid, now) {
                return Ok(set);
            }
            let cooled = state
                .last_attempt
                .is_none_or(|t| now.saturating_duration_since(t) >= self.inner.cooldown);
            state.attempts == seen && cooled
        };
        if may_fetch {
            let started = Instant::now();
            let outcome = self.fetch().await;
            let mut state = self.state();
            state.attempts = state.attempts.saturating_add(1);
            state.last_attempt = Some(Instant::now());
            #[cfg(feature = "tracing")]
            trace_fetch(self.url(), &outcome, started.elapsed());
            #[cfg(not(feature = "tracing"))]
            let _ = started;
            match outcome {
                Ok(set) => {
                    state.current = Some(Arc::new(set));
                    state.last_error = None;
                }
                Err(e) => state.last_error = Some(e),
            }
        } else {
            #[cfg(feature = "tracing")]
            tracing::debug!(url = %self.url(), kid = ?kid.map(clipped), "JWKS refetch deferred by the cooldown");
        }
        self.answer(kid)
    }

    /// The one key of the set with `kid` (any key, for `None`) that binds to `alg`: the key type
    /// and curve fit, and its `alg`, `use` and `key_ops` members allow it. An unknown `kid`
    /// refetches the set once, if the cooldown allows (see [`key_set`](Self::key_set)).
    ///
    /// Choose `alg` yourself (the algorithm your application expects), not from the token.
    ///
    /// Errors: as [`key_set`](Self::key_set), and [`Error::NoMatchingKey`] when no key, or more
    /// than one, binds.
    pub async fn verifying_key(
        &self,
        kid: Option<&str>,
        alg: JwsAlgorithm,
    ) -> Result<VerifyingKey, Error> {
        self.key_set(kid).await?.verifying_key(self.url(), kid, alg)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding it; if something did, the state is still consistent.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// What to answer after the fetch decision: the set (fresh, or stale within the bound)
    /// if it has `kid`; else the last fetch's error, or that no key has `kid`.
    fn answer(&self, kid: Option<&str>) -> Result<Arc<KeySet>, Error> {
        let state = self.state();
        let now = Instant::now();
        let usable = state.current.as_ref().filter(|set| {
            set.expires_at()
                .checked_add(self.inner.stale_if_error)
                .is_none_or(|end| now < end)
        });
        match (usable, kid) {
            (Some(set), None) => {
                #[cfg(feature = "tracing")]
                if now >= set.expires_at() {
                    tracing::warn!(url = %self.url(), "serving a stale JWKS: its refresh failed");
                }
                Ok(set.clone())
            }
            (Some(set), Some(kid)) if set.contains_kid(kid) => {
                #[cfg(feature = "tracing")]
                if now >= set.expires_at() {
                    tracing::warn!(url = %self.url(), "serving a stale JWKS: its refresh failed");
                }
                Ok(set.clone())
            }
            (Some(set), Some(kid)) => match &state.last_error {
                Some(e) => Err(e.clone()),
                None => Err(Error::NoMatchingKey {
                    url: self.url().to_owned(),
                    expected: format!("a key with kid {:?}", clipped(kid)),
                    found: format!(
                        "none among the {} key(s) of the set (refetched at most once per {:?})",
                        set.keys().len(),
                        self.inner.cooldown
                    ),
                    source: None,
                }),
            },
            (None, _) => match &state.last_error {
                Some(e) => Err(e.clone()),
                // Only with a lifetime plus stale bound shorter than the cooldown: the set
                // expired and the cooldown defers its refresh.
                None => Err(Error::NoMatchingKey {
                    url: self.url().to_owned(),
                    expected: "a current set".to_owned(),
                    found: format!(
                        "none: the last set expired and the cooldown ({:?}) defers the refetch",
                        self.inner.cooldown
                    ),
                    source: None,
                }),
            },
        }
    }

    /// One request: status 200, a bounded body, its lifetime from `Cache-Control`, the set
    /// checked and imported.
    async fn fetch(&self) -> Result<KeySet, Error> {
        let inner = &*self.inner;
        let url = || inner.url.clone();
        let transport = |e: reqwest::Error| Error::Fetch {
            url: url(),
            source: Arc::new(e),
        };
        let mut response = inner
            .http
            .get(inner.target.clone())
            .header(
                reqwest::header::ACCEPT,
                "application/jwk-set+json, application/json",
            )
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(Error::Status {
                url: url(),
                status: status.as_u16(),
            });
        }
        let limit = inner.max_response_bytes;
        let declared = response.content_length();
        if let Some(length) = declared {
            if length > u64::try_from(limit).unwrap_or(u64::MAX) {
                return Err(Error::TooLarge {
                    url: url(),
                    limit,
                    found: format!("a Content-Length of {length}"),
                });
            }
        }
        let directive = cache_control::parse(
            response
                .headers()
                .get_all(reqwest::header::CACHE_CONTROL)
                .iter()
                .map(|v| v.as_bytes()),
        );
        let capacity = declared
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0)
            .min(limit);
        let mut body = Vec::with_capacity(capacity);
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(Error::TooLarge {
                    url: url(),
                    limit,
                    found: format!(
                        "more ({} bytes read when the read stopped)",
                        body.len().saturating_add(chunk.len())
                    ),
                });
            }
            body.extend_from_slice(&chunk);
        }
        let text = std::str::from_utf8(&body).map_err(|_| Error::Malformed {
            url: url(),
            expected: "UTF-8 JSON",
            found: "bytes that are not UTF-8".to_owned(),
            source: None,
        })?;
        let ttl =
            cache_control::lifetime(directive, inner.default_ttl, inner.min_ttl, inner.max_ttl);
        let fetched_at = Instant::now();
        // The builder bounds every duration, so this cannot overflow in practice.
        let expires_at = fetched_at.checked_add(ttl).unwrap_or(fetched_at);
        KeySet::import(&inner.url, text, &inner.import, fetched_at, expires_at)
    }
}

/// The current set if it is fresh at `now` and has `kid`.
fn fresh_with(state: &State, kid: Option<&str>, now: Instant) -> Option<Arc<KeySet>> {
    state
        .current
        .as_ref()
        .filter(|set| now < set.expires_at() && kid.is_none_or(|k| set.contains_kid(k)))
        .cloned()
}

#[cfg(feature = "tracing")]
fn trace_fetch(url: &str, outcome: &Result<KeySet, Error>, latency: Duration) {
    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    match outcome {
        Ok(set) => tracing::info!(
            url,
            keys = set.keys().len(),
            skipped = set.skipped().len(),
            ttl_s = set
                .expires_at()
                .saturating_duration_since(set.fetched_at())
                .as_secs(),
            latency_ms,
            "JWKS fetched"
        ),
        Err(e) => tracing::warn!(
            url,
            error = %jose::error::display_chain(e),
            latency_ms,
            "JWKS fetch failed"
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn handles_are_send_sync_and_clone() {
        assert_send_sync::<RemoteJwks>();
        assert_send_sync::<RemoteJwksSet>();
        assert_send_sync::<Error>();
    }

    #[test]
    fn urls() {
        let b = RemoteJwks::builder();
        b.build("https://issuer.example/jwks").unwrap();
        b.build("https://issuer.example:8443/.well-known/jwks.json?v=1")
            .unwrap();
        let loopback = RemoteJwks::builder().allow_http_loopback(true);
        for ok in [
            "http://127.0.0.1:8080/jwks",
            "http://127.9.9.9/jwks",
            "http://[::1]:8080/jwks",
            "https://issuer.example/jwks",
        ] {
            loopback.build(ok).unwrap();
        }
        for (bad, builder) in [
            ("http://127.0.0.1:8080/jwks", &b),
            ("http://issuer.example/jwks", &loopback),
            ("http://localhost/jwks", &loopback),
            ("http://10.0.0.1/jwks", &loopback),
            ("ftp://issuer.example/jwks", &b),
            ("file:///etc/jwks.json", &loopback),
            ("/jwks", &b),
            ("", &b),
            ("https://issuer.example/jwks#frag", &b),
        ] {
            let e = builder.build(bad).unwrap_err();
            assert!(matches!(e, Error::InvalidUrl { .. }), "{bad}: {e:?}");
            assert_eq!(e.class(), jose::ErrorClass::Local);
        }
        let e = b
            .build("https://user:hunter2@issuer.example/jwks")
            .unwrap_err();
        assert!(matches!(e, Error::InvalidUrl { .. }), "{e:?}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn settings_out_of_range_are_refused() {
        let url = "https://issuer.example/jwks";
        let s = Duration::from_secs;
        for (builder, what) in [
            (RemoteJwks::builder().cooldown(Duration::ZERO), "cooldown"),
            (RemoteJwks::builder().timeout(Duration::ZERO), "timeout"),
            (
                RemoteJwks::builder().connect_timeout(Duration::ZERO),
                "connect_timeout",
            ),
            (RemoteJwks::builder().max_ttl(Duration::ZERO), "max_ttl"),
            (
                RemoteJwks::builder().min_ttl(s(10)).max_ttl(s(5)),
                "min_ttl",
            ),
            (RemoteJwks::builder().max_ttl(Duration::MAX), "max_ttl"),
            (
                RemoteJwks::builder().stale_if_error(s(400 * 24 * 3600)),
                "stale_if_error",
            ),
            (
                RemoteJwks::builder().max_response_bytes(0),
                "max_response_bytes",
            ),
            (RemoteJwks::builder().ca_pem(""), "ca_pem"),
            (RemoteJwks::builder().ca_pem("not PEM"), "ca_pem"),
            (
                RemoteJwks::builder().ca_pem(
                    "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n",
                ),
                "ca_pem",
            ),
        ] {
            let e = builder.build(url).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidConfig { what: w, .. } if *w == what),
                "{what}: {e:?}"
            );
            assert_eq!(e.class(), jose::ErrorClass::Local);
        }
        // Zero stale bound and zero minimum lifetime are allowed.
        RemoteJwks::builder()
            .stale_if_error(Duration::ZERO)
            .min_ttl(Duration::ZERO)
            .build(url)
            .unwrap();
    }
}
