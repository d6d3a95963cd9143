//! The configuration file: one TOML file with the service settings, the destination services and
//! their key files, the policies and the hashed API keys. [`Config::load`] parses it and
//! [`Config::engine`] reads the key files and builds the [`Engine`]; every error names the bad
//! entry.
//!
//! ```toml
//! [server]
//! listen = "127.0.0.1:8080"      # optional; `jose 4quays serve --listen` overrides it
//! max_body_bytes = 1048576       # optional; default 1 MiB
//!
//! [[services]]
//! id = "rbc"
//!
//! [[services.keys]]
//! kid = "rbc-2026-01"
//! private_key = "rbc-2026-01-private.pem"   # managed: the engine holds the private key
//! active = true                             # at most one active key per service
//!
//! [[services.keys]]
//! kid = "rbc-2025-01"                       # an older key: still opens JWEs that name it
//! private_key = "rbc-2025-01-private.pem"
//!
//! [[services.keys]]
//! kid = "rbc-2024-01"
//! private_key = "rbc-2024-01-private.pem"
//! retired = true                            # retired: opens nothing any more
//!
//! [[services]]
//! id = "acme"
//!
//! [[services.keys]]
//! kid = "acme-2026-01"
//! public_key = "acme-2026-01-public.pem"    # the destination keeps the private key
//! active = true
//!
//! [[policies]]
//! number = "RBC-TRANSFER-001"
//! service = "rbc"
//! active = true                  # default true
//! failure_mode = "error"         # error (default) | passthrough | drop
//! key_ownership = "managed"      # managed (default) | destination_managed
//! alg = "RSA-OAEP"               # RSA-OAEP (default) | RSA-OAEP-256 | RSA-OAEP-384 | RSA-OAEP-512
//! enc = "A256GCM"                # A256GCM (default) | A192GCM | A128GCM | A128CBC-HS256 | A192CBC-HS384 | A256CBC-HS512
//! accept_unbound = false         # also open envelopes without a policy binding (made before
//!                                # bindings existed); default false
//!
//! [[api_keys]]
//! id = "partner-a"               # names the key in the audit log
//! sha256 = "9f86d081..."         # `jose 4quays hash-key < KEYFILE`: the key is never stored
//! default_policy = "RBC-TRANSFER-001"
//! policies = ["RBC-STATEMENT-001"]   # more policies it may use (the default is always allowed)
//! ```
//!
//! Key files are PEM (PKCS#8, PKCS#1, SEC1 or SPKI), DER or a JWK, told apart by their content
//! (jose-core's `keyfile`); a `public_key` file may hold a private key, of which only the public
//! half is kept. Relative paths are relative to the configuration file's directory. Unknown
//! fields are errors, so a misspelt setting is caught.

use crate::engine::{
    ApiKey, DEFAULT_MAX_BODY_BYTES, DestinationKey, DestinationService, Engine, FailureMode,
    KeyOwnership, Policy,
};
use crate::error::Error;
use jose::keyfile::{Key, KeyFile};
use jose::{ContentEncryption, CryptoProvider, KeyManagementAlgorithm, Limits, PrivateKey};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Largest configuration file read, in bytes.
pub const MAX_CONFIG_BYTES: usize = 1024 * 1024;

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Service settings.
    #[serde(default)]
    pub server: ServerConfig,
    /// Destination services.
    #[serde(default)]
    pub services: Vec<ServiceConfig>,
    /// Policies.
    #[serde(default)]
    pub policies: Vec<PolicyConfig>,
    /// API keys (hashed).
    #[serde(default)]
    pub api_keys: Vec<ApiKeyConfig>,
}

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on (`127.0.0.1:8080` when neither this nor `--listen` is given).
    #[serde(default)]
    pub listen: Option<String>,
    /// The body size limit in bytes (default 1 MiB).
    #[serde(default)]
    pub max_body_bytes: Option<usize>,
    /// From accept (or the first byte after an idle spell) to a complete request head, TLS
    /// handshake included, in ms (default 10000).
    #[serde(default)]
    pub header_read_timeout_ms: Option<u64>,
    /// From the head to the whole body, in ms (default 10000).
    #[serde(default)]
    pub body_read_timeout_ms: Option<u64>,
    /// From the head to the answer, in ms (default 10000).
    #[serde(default)]
    pub request_timeout_ms: Option<u64>,
    /// How long a keep-alive connection may wait for its next request, in ms (default 60000).
    #[serde(default)]
    pub idle_timeout_ms: Option<u64>,
    /// Open connections at most (default 1024).
    #[serde(default)]
    pub max_connections: Option<usize>,
    /// Protect and unprotect requests past authentication at once (default 64).
    #[serde(default)]
    pub max_in_flight: Option<usize>,
    /// How long a request may wait for an in-flight slot before 503, in ms (default 100; 0
    /// answers 503 at once when all slots are taken).
    #[serde(default)]
    pub in_flight_wait_ms: Option<u64>,
    /// Threads doing the crypto; 0 means one per core (default 0).
    #[serde(default)]
    pub crypto_workers: Option<usize>,
    /// TLS certificate chain, PEM (relative to the configuration file). With `tls_key`, the
    /// service speaks HTTPS.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key, PEM (relative to the configuration file).
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on an address that is not loopback (default false: refused).
    #[serde(default)]
    pub insecure_http: Option<bool>,
    /// Log lines queued for a slow log consumer before new ones are dropped (and counted);
    /// default 8192.
    #[serde(default)]
    pub log_queue_lines: Option<usize>,
}

/// `[[services]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// The service id policies refer to.
    pub id: String,
    /// Its key pairs.
    #[serde(default)]
    pub keys: Vec<KeyConfig>,
}

/// `[[services.keys]]`: exactly one of `private_key` and `public_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// The key id (in the protected header of every JWE made with it).
    pub kid: String,
    /// A private key file: the engine can decrypt with it.
    #[serde(default)]
    pub private_key: Option<PathBuf>,
    /// A public key file: the engine can only encrypt to it.
    #[serde(default)]
    pub public_key: Option<PathBuf>,
    /// Whether this is the service's active key (at most one per service).
    #[serde(default)]
    pub active: bool,
    /// A retired key no longer unprotects anything (default false); it cannot be active.
    #[serde(default)]
    pub retired: bool,
}

/// `[[policies]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// The policy number.
    pub number: String,
    /// The destination service id.
    pub service: String,
    /// Whether the policy is active (default true).
    #[serde(default = "yes")]
    pub active: bool,
    /// What protect does while the policy is inactive (default `error`).
    #[serde(default)]
    pub failure_mode: FailureMode,
    /// Who holds the destination's private key (default `managed`).
    #[serde(default)]
    pub key_ownership: KeyOwnership,
    /// `RSA-OAEP` (default), `RSA-OAEP-256`, `RSA-OAEP-384` or `RSA-OAEP-512` (`RSA1_5` is
    /// refused).
    #[serde(default)]
    pub alg: Option<String>,
    /// `A256GCM` (default), `A192GCM` or `A128GCM`.
    #[serde(default)]
    pub enc: Option<String>,
    /// Whether unprotect accepts envelopes without a policy binding, made before bindings
    /// existed (default false; see [`Policy::accept_unbound`]).
    #[serde(default)]
    pub accept_unbound: bool,
}

fn yes() -> bool {
    true
}

/// `[[api_keys]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// The key's name in the audit log.
    pub id: String,
    /// SHA-256 of the key, hex (`jose 4quays hash-key < KEYFILE`).
    pub sha256: String,
    /// The policy used when a request names none.
    pub default_policy: String,
    /// Further policies the key may use.
    #[serde(default)]
    pub policies: Vec<String>,
}

impl Config {
    /// Parses TOML text.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .and_then(|span| text.get(..span.start))
                .map(|before| {
                    let line = before.matches('\n').count().saturating_add(1);
                    let column = before
                        .rsplit('\n')
                        .next()
                        .map_or(0, |l| l.chars().count())
                        .saturating_add(1);
                    format!(" (line {line}, column {column})")
                })
                .unwrap_or_default();
            Error::config(
                "file",
                format!(
                    "expected the 4Quays configuration format{at}: {}",
                    e.message().trim_end()
                ),
            )
        })
    }

    /// Reads and parses a configuration file. Returns it with the directory its relative key paths
    /// are resolved against.
    pub fn load(path: &Path) -> Result<(Self, PathBuf), Error> {
        let text = read_limited(path, "configuration file", MAX_CONFIG_BYTES)?;
        let text = String::from_utf8(text.to_vec()).map_err(|_| {
            Error::config(
                "file",
                format!(
                    "expected UTF-8 TOML in {}, found other bytes",
                    path.display()
                ),
            )
        })?;
        let config = Self::from_toml(&text).map_err(|e| match e {
            Error::Config {
                message, source, ..
            } => Error::Config {
                entry: path.display().to_string(),
                message,
                source,
            },
            other => other,
        })?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok((config, base))
    }

    /// Reads the key files (relative to `base`) and builds the engine.
    pub fn engine(
        &self,
        base: &Path,
        provider: &'static dyn CryptoProvider,
    ) -> Result<Engine, Error> {
        let limits = Limits::default();
        let mut builder = Engine::builder(provider)
            .max_body_bytes(self.server.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES));
        if self.server.max_body_bytes == Some(0) {
            return Err(Error::config(
                "server.max_body_bytes",
                "expected a positive number of bytes, found 0",
            ));
        }
        for service in &self.services {
            let entry = format!("services[{:?}]", service.id);
            let mut built = DestinationService::new(service.id.clone());
            let mut active_seen = false;
            for key in &service.keys {
                let key_entry = format!("{entry}.keys[{:?}]", key.kid);
                let mut destination = load_key(key, base, &key_entry, &limits, provider)?;
                if key.retired {
                    if key.active {
                        return Err(Error::config(
                            key_entry,
                            "expected a key to be either active or retired, found both",
                        ));
                    }
                    destination = destination.retired();
                }
                if key.active {
                    if active_seen {
                        return Err(Error::config(
                            key_entry,
                            "expected at most one active key per service, found a second one",
                        ));
                    }
                    active_seen = true;
                    built = built.active_key(destination);
                } else {
                    built = built.key(destination);
                }
            }
            builder = builder.service(built);
        }
        for policy in &self.policies {
            let entry = format!("policies[{:?}]", policy.number);
            let mut built = Policy::new(policy.number.clone(), policy.service.clone())
                .ownership(policy.key_ownership)
                .accept_unbound(policy.accept_unbound);
            if !policy.active {
                built = built.inactive(policy.failure_mode);
            } else {
                built.failure_mode = policy.failure_mode;
            }
            if let Some(alg) = &policy.alg {
                built = built.alg(
                    KeyManagementAlgorithm::from_name(alg)
                        .map_err(|e| Error::config(format!("{entry}.alg"), e.to_string()))?,
                );
            }
            if let Some(enc) = &policy.enc {
                built = built.enc(
                    ContentEncryption::from_name(enc)
                        .map_err(|e| Error::config(format!("{entry}.enc"), e.to_string()))?,
                );
            }
            builder = builder.policy(built);
        }
        for key in &self.api_keys {
            let mut built =
                ApiKey::from_hash(key.id.clone(), &key.sha256, key.default_policy.clone())
                    .map_err(|e| match e {
                        Error::Config {
                            message, source, ..
                        } => Error::Config {
                            entry: format!("api_keys[{:?}].sha256", key.id),
                            message,
                            source,
                        },
                        other => other,
                    })?;
            for policy in &key.policies {
                built = built.allow(policy.clone());
            }
            builder = builder.api_key(built);
        }
        builder.build()
    }
}

/// Reads one `[[services.keys]]` entry's key file.
fn load_key(
    key: &KeyConfig,
    base: &Path,
    entry: &str,
    limits: &Limits,
    provider: &'static dyn CryptoProvider,
) -> Result<DestinationKey, Error> {
    let bad = |message: String| Error::config(entry.to_owned(), message);
    let (path, private) = match (&key.private_key, &key.public_key) {
        (Some(p), None) => (p, true),
        (None, Some(p)) => (p, false),
        (Some(_), Some(_)) => {
            return Err(bad(
                "expected one of private_key or public_key, found both".into()
            ));
        }
        (None, None) => {
            return Err(bad(
                "expected one of private_key or public_key, found neither".into(),
            ));
        }
    };
    let path = base.join(path);
    let bytes = read_limited(&path, "key file", limits.max_key_len)?;
    let kind = if private { "private" } else { "public" };
    let loaded = match KeyFile::parse(&bytes, limits, provider) {
        Ok(KeyFile::Single(loaded)) => loaded,
        Ok(KeyFile::Set(entries)) => {
            return Err(bad(format!(
                "expected a {kind} key (PEM, DER or JWK) in {}, found a JWKS with {} keys",
                path.display(),
                entries.len()
            )));
        }
        Err(e) => {
            return Err(bad(format!(
                "expected a {kind} key (PEM, DER or JWK) in {}: {}",
                path.display(),
                jose::error::display_chain(&e)
            )));
        }
    };
    let imported = match (private, loaded) {
        (true, Key::Private(k)) => DestinationKey::managed(key.kid.clone(), k),
        (true, other) => {
            return Err(bad(format!(
                "expected a private key (PEM, DER or JWK) in {}, found {}",
                path.display(),
                other.describe()
            )));
        }
        // A private key named as public_key: only its public half is kept.
        (false, loaded) => match loaded.public_key() {
            Ok(public) => DestinationKey::public_only(key.kid.clone(), public),
            Err(_) => {
                return Err(bad(format!(
                    "expected a public key (PEM, DER or JWK) in {}, found {}",
                    path.display(),
                    loaded.describe()
                )));
            }
        },
    };
    match imported {
        Ok(destination) => Ok(destination),
        Err(Error::Config { message, .. }) => Err(bad(format!("{}: {message}", path.display()))),
        Err(other) => Err(other),
    }
}

/// Reads a whole file, refusing more than `max` bytes (jose-core's bounded read: the buffer is
/// wiped on drop, key files go through here). `what` names the file in errors.
pub(crate) fn read_limited(
    path: &Path,
    what: &'static str,
    max: usize,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    jose::keyfile::read_limited(path, what, max).map_err(|e| match e {
        jose::Error::Io { source, .. } => Error::io("read", what, path, source.into_inner()),
        jose::Error::FileTooLarge { limit, .. } => {
            Error::too_large(what, path, u64::try_from(limit).unwrap_or(u64::MAX))
        }
        other => Error::Jose(other),
    })
}

/// One file of the example configuration.
#[derive(Debug, Clone)]
pub struct ExampleFile {
    /// The file name (no directory).
    pub name: String,
    /// The contents.
    pub contents: Zeroizing<String>,
    /// Whether it is secret (a private key or the API key): write it readable by its owner only.
    pub secret: bool,
}

/// A working example configuration with freshly generated keys: what `jose 4quays init` writes.
#[derive(Debug, Clone)]
pub struct Example {
    /// The files, the configuration first ([`EXAMPLE_CONFIG_NAME`]).
    pub files: Vec<ExampleFile>,
    /// The API key the configuration accepts (its hash is in the configuration).
    pub api_key: Zeroizing<String>,
}

/// The example configuration's file name.
pub const EXAMPLE_CONFIG_NAME: &str = "4quays.toml";
/// The prefix of every generated key file: they are test keys, made for the example configuration.
pub const EXAMPLE_KEY_PREFIX: &str = "4quays-generated-test-only-";

/// The example's policies, for documentation and tests: (number, what it shows).
pub const EXAMPLE_POLICIES: &[(&str, &str)] = &[
    (
        "RBC-TRANSFER-001",
        "active, managed key, RSA-OAEP + A256GCM (the API key's default)",
    ),
    (
        "RBC-STATEMENT-001",
        "active, managed key, RSA-OAEP-256 + A256GCM",
    ),
    (
        "RBC-PAUSED-PASSTHROUGH",
        "inactive, failure mode passthrough",
    ),
    ("RBC-PAUSED-DROP", "inactive, failure mode drop"),
    ("RBC-SUSPENDED", "inactive, failure mode error"),
    (
        "ACME-PAYOUT-001",
        "active, destination-managed key (unprotect not available)",
    ),
];

/// The example's TLS file names (see [`Example::with_tls`]).
pub const EXAMPLE_TLS_CA: &str = "4quays-generated-test-only-tls-ca.pem";
/// The example's TLS certificate file name.
pub const EXAMPLE_TLS_CERT: &str = "4quays-generated-test-only-tls-cert.pem";
/// The example's TLS private key file name.
pub const EXAMPLE_TLS_KEY: &str = "4quays-generated-test-only-tls-key.pem";

impl Example {
    /// Adds a test CA (for clients to trust), a server certificate signed by it and its private
    /// key (all PEM, generated by the caller) as files, and, commented out in `[server]`, the two
    /// lines that turn HTTPS on with them.
    pub fn with_tls(
        mut self,
        ca_pem: String,
        cert_pem: String,
        key_pem: Zeroizing<String>,
    ) -> Self {
        if let Some(config) = self.files.first_mut() {
            let lines = format!(
                "[server]\n# HTTPS with the generated test-only certificate (for localhost, 127.0.0.1 and ::1;\n# clients trust {EXAMPLE_TLS_CA}): uncomment the next two lines.\n# tls_cert = \"{EXAMPLE_TLS_CERT}\"\n# tls_key = \"{EXAMPLE_TLS_KEY}\"\n"
            );
            config.contents = Zeroizing::new(config.contents.replacen("[server]\n", &lines, 1));
        }
        self.files.push(ExampleFile {
            name: EXAMPLE_TLS_CA.into(),
            contents: Zeroizing::new(ca_pem),
            secret: false,
        });
        self.files.push(ExampleFile {
            name: EXAMPLE_TLS_CERT.into(),
            contents: Zeroizing::new(cert_pem),
            secret: false,
        });
        self.files.push(ExampleFile {
            name: EXAMPLE_TLS_KEY.into(),
            contents: key_pem,
            secret: true,
        });
        self
    }

    /// Generates the example: an RSA 2048 key pair for the managed service `rbc` (kid
    /// `rbc-2026-01`), one for the destination-managed service `acme` (`acme-2026-01`: the
    /// configuration holds only its public key; the private key is written too, as the
    /// destination's own, to show a destination opening an envelope), a random API key, and the
    /// policies of [`EXAMPLE_POLICIES`].
    pub fn generate(provider: &dyn CryptoProvider) -> Result<Self, Error> {
        let rbc = PrivateKey::generate(jose::KeySpec::Rsa { bits: 2048 }, provider)?;
        let acme = PrivateKey::generate(jose::KeySpec::Rsa { bits: 2048 }, provider)?;
        let mut secret = [0u8; 24];
        provider.fill_random(&mut secret)?;
        let api_key = Zeroizing::new(format!("sk_test_{}", hex::encode(secret)));
        let hash = crate::engine::hash_api_key(&api_key, provider);
        let rbc_file = format!("{EXAMPLE_KEY_PREFIX}rbc-2026-01-private.pem");
        let acme_public_file = format!("{EXAMPLE_KEY_PREFIX}acme-2026-01-public.pem");
        let acme_private_file =
            format!("{EXAMPLE_KEY_PREFIX}acme-2026-01-private-held-by-the-destination.pem");
        let api_key_file = format!("{EXAMPLE_KEY_PREFIX}api-key.txt");
        let config = format!(
            r#"# 4Quays example configuration, written by `jose 4quays init`.
# The key files beside it were generated for this configuration: test keys only.
#
#   jose 4quays serve --config {EXAMPLE_CONFIG_NAME}
#   the API key is in {api_key_file}

[server]
listen = "127.0.0.1:8080"
max_body_bytes = 1048576

# A destination whose private key 4Quays manages: protect and unprotect.
[[services]]
id = "rbc"

[[services.keys]]
kid = "rbc-2026-01"
private_key = "{rbc_file}"
active = true

# A destination that keeps its own private key: 4Quays only encrypts to it.
[[services]]
id = "acme"

[[services.keys]]
kid = "acme-2026-01"
public_key = "{acme_public_file}"
active = true

[[policies]]
number = "RBC-TRANSFER-001"
service = "rbc"

[[policies]]
number = "RBC-STATEMENT-001"
service = "rbc"
alg = "RSA-OAEP-256"
enc = "A256GCM"

[[policies]]
number = "RBC-PAUSED-PASSTHROUGH"
service = "rbc"
active = false
failure_mode = "passthrough"

[[policies]]
number = "RBC-PAUSED-DROP"
service = "rbc"
active = false
failure_mode = "drop"

[[policies]]
number = "RBC-SUSPENDED"
service = "rbc"
active = false
failure_mode = "error"

[[policies]]
number = "ACME-PAYOUT-001"
service = "acme"
key_ownership = "destination_managed"

[[api_keys]]
id = "example-partner"
sha256 = "{hash}"
default_policy = "RBC-TRANSFER-001"
policies = ["RBC-STATEMENT-001", "RBC-PAUSED-PASSTHROUGH", "RBC-PAUSED-DROP", "RBC-SUSPENDED", "ACME-PAYOUT-001"]
"#
        );
        let mut api_key_text = Zeroizing::new(api_key.to_string());
        api_key_text.push('\n');
        Ok(Example {
            files: vec![
                ExampleFile {
                    name: EXAMPLE_CONFIG_NAME.into(),
                    contents: Zeroizing::new(config),
                    secret: false,
                },
                ExampleFile {
                    name: rbc_file,
                    contents: rbc.to_pkcs8_pem()?,
                    secret: true,
                },
                ExampleFile {
                    name: acme_public_file,
                    contents: Zeroizing::new(acme.public_key().to_spki_pem()?),
                    secret: false,
                },
                ExampleFile {
                    name: acme_private_file,
                    contents: acme.to_pkcs8_pem()?,
                    secret: true,
                },
                ExampleFile {
                    name: api_key_file,
                    contents: api_key_text,
                    secret: true,
                },
            ],
            api_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_and_bad_values_name_the_entry() {
        let e = Config::from_toml("[[policies]]\nnumber = \"P\"\nservice = \"s\"\ncolour = 1\n")
            .unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
        let e = Config::from_toml(
            "[[policies]]\nnumber = \"P\"\nservice = \"s\"\nfailure_mode = \"retry\"\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("retry"), "{e}");
        let e = Config::from_toml("[server]\nmax_body_bytes = \"big\"\n").unwrap_err();
        assert!(e.to_string().contains("configuration file"), "{e}");
    }

    #[test]
    fn key_files_load_in_every_format_and_a_set_or_garbage_is_refused() {
        let provider = jose::default_provider();
        let dir = tempfile::tempdir().unwrap();
        let key = PrivateKey::generate(jose::KeySpec::Rsa { bits: 2048 }, provider).unwrap();
        let files = [
            ("private.der", key.to_pkcs8_der().unwrap().to_vec()),
            (
                "private.pem",
                key.to_pkcs8_pem().unwrap().as_bytes().to_vec(),
            ),
            (
                "public.jwk",
                key.public_key().to_jwk().unwrap().to_json().into_bytes(),
            ),
            (
                "public.jwks",
                jose::Jwks::new(vec![key.public_key().to_jwk().unwrap()])
                    .to_json()
                    .into_bytes(),
            ),
            ("garbage.bin", b"\x00\xffnot a key".to_vec()),
        ];
        for (name, contents) in &files {
            std::fs::write(dir.path().join(name), contents).unwrap();
        }
        let entry = |private: Option<&str>, public: Option<&str>| KeyConfig {
            kid: "k1".into(),
            private_key: private.map(PathBuf::from),
            public_key: public.map(PathBuf::from),
            active: false,
            retired: false,
        };
        let load = |config: KeyConfig| {
            load_key(
                &config,
                dir.path(),
                "keys[k1]",
                &Limits::default(),
                provider,
            )
        };
        let public_spki = key.public_key().to_spki_der().unwrap();
        for (private, public, managed) in [
            (Some("private.der"), None, true),
            (Some("private.pem"), None, true),
            (None, Some("public.jwk"), false),
            // A private key named as public_key: only its public half is kept.
            (None, Some("private.der"), false),
        ] {
            let loaded = load(entry(private, public)).unwrap();
            assert_eq!(
                loaded.private_key().is_some(),
                managed,
                "{private:?} {public:?}"
            );
            assert_eq!(loaded.kid(), "k1");
            assert_eq!(loaded.public_key().to_spki_der().unwrap(), public_spki);
        }
        for (private, public, expected) in [
            (Some("public.jwk"), None, "found a public RSA 2048-bit key"),
            (None, Some("public.jwks"), "found a JWKS with 1 keys"),
            (Some("garbage.bin"), None, "binary data"),
        ] {
            let message = load(entry(private, public)).unwrap_err().to_string();
            assert!(message.contains("keys[k1]"), "{message}");
            assert!(message.contains(private.or(public).unwrap()), "{message}");
            assert!(message.contains(expected), "{expected}: {message}");
            assert!(!message.contains("not a key"), "{message}");
        }
    }

    #[test]
    fn defaults() {
        let c = Config::from_toml("[[policies]]\nnumber = \"P\"\nservice = \"s\"\n").unwrap();
        let p = &c.policies[0];
        assert!(p.active);
        assert_eq!(p.failure_mode, FailureMode::Error);
        assert_eq!(p.key_ownership, KeyOwnership::Managed);
        assert_eq!(p.alg, None);
    }
}
