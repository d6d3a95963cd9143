//! The domain model: destination services and their keys, policies, API keys.

use crate::error::Error;
use jose::{
    ContentEncryption, CryptoProvider, KeyKind, KeyManagementAlgorithm, PrivateKey, PublicKey,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Whether the private key of a policy's destination is held by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyOwnership {
    /// The engine holds the private key: unprotect is available.
    #[default]
    Managed,
    /// The destination holds the private key: the engine only encrypts to it, and unprotect
    /// answers `UNPROTECT_NOT_AVAILABLE`.
    DestinationManaged,
}

/// What protect does when a policy is inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureMode {
    /// `403 POLICY_NOT_ACTIVE` (the default).
    #[default]
    Error,
    /// 200 with the payload unprotected and a warning.
    Passthrough,
    /// 200 with `dropped: true`: the payload is discarded.
    Drop,
}

/// One key pair of a destination service.
#[derive(Debug, Clone)]
pub struct DestinationKey {
    pub(super) kid: String,
    pub(super) public: PublicKey,
    pub(super) private: Option<PrivateKey>,
    pub(super) retired: bool,
}

impl DestinationKey {
    /// A key pair whose private half the engine holds. The key must be RSA (RSA-OAEP).
    pub fn managed(kid: impl Into<String>, key: PrivateKey) -> Result<Self, Error> {
        let kid = kid.into();
        check_rsa(&kid, key.kind())?;
        let key = key.with_kid(kid.clone());
        Ok(DestinationKey {
            public: key.public_key().with_kid(kid.clone()),
            private: Some(key),
            kid,
            retired: false,
        })
    }

    /// The public key only (the destination keeps the private half). The key must be RSA.
    pub fn public_only(kid: impl Into<String>, key: PublicKey) -> Result<Self, Error> {
        let kid = kid.into();
        check_rsa(&kid, key.kind())?;
        Ok(DestinationKey {
            public: key.with_kid(kid.clone()),
            private: None,
            kid,
            retired: false,
        })
    }

    /// The same key, retired: it no longer unprotects anything (envelopes that name it answer the
    /// opaque `INTERNAL_ERROR`), and it cannot be a service's active key. Retire a key once every
    /// envelope made with it is past its use.
    pub fn retired(mut self) -> Self {
        self.retired = true;
        self
    }

    /// Whether the key is retired.
    pub fn is_retired(&self) -> bool {
        self.retired
    }

    /// The key id, written in the protected header of every JWE made with this key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The private key, if the engine holds it.
    pub fn private_key(&self) -> Option<&PrivateKey> {
        self.private.as_ref()
    }
}

fn check_rsa(kid: &str, kind: KeyKind) -> Result<(), Error> {
    match kind {
        KeyKind::Rsa { .. } => Ok(()),
        other => Err(Error::config(
            format!("key {kid:?}"),
            format!("expected an RSA key (for RSA-OAEP), found {other}"),
        )),
    }
}

/// A destination service (a bank, say): its key pairs, of which at most one is active.
#[derive(Debug, Clone)]
pub struct DestinationService {
    pub(super) id: String,
    pub(super) keys: Vec<DestinationKey>,
    pub(super) active: Option<usize>,
}

impl DestinationService {
    /// A service with no keys yet.
    pub fn new(id: impl Into<String>) -> Self {
        DestinationService {
            id: id.into(),
            keys: Vec::new(),
            active: None,
        }
    }

    /// Adds a key that is not active: it still opens JWEs that name its `kid`, unless it is
    /// [retired](DestinationKey::retired).
    pub fn key(mut self, key: DestinationKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Adds a key and makes it the active one.
    pub fn active_key(mut self, key: DestinationKey) -> Self {
        self.active = Some(self.keys.len());
        self.keys.push(key);
        self
    }

    /// The service id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Every key, in the order added.
    pub fn keys(&self) -> &[DestinationKey] {
        &self.keys
    }

    /// The active key, if any.
    pub fn active(&self) -> Option<&DestinationKey> {
        self.active.and_then(|i| self.keys.get(i))
    }

    /// The key with `kid`.
    pub fn find(&self, kid: &str) -> Option<&DestinationKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

/// A policy: which destination a payload is protected for, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The policy number (`"RBC-TRANSFER-001"`).
    pub number: String,
    /// The destination service's id.
    pub service: String,
    /// Whether the policy is active.
    pub active: bool,
    /// What protect does while the policy is inactive.
    pub failure_mode: FailureMode,
    /// Who holds the destination's private key.
    pub key_ownership: KeyOwnership,
    /// Key management algorithm (default RSA-OAEP, as in the documented example header).
    pub alg: KeyManagementAlgorithm,
    /// Content encryption (default A256GCM).
    pub enc: ContentEncryption,
    /// Whether unprotect accepts envelopes that carry no policy binding ([`super::POLICY_HEADER`]),
    /// as made before bindings existed (default false). Such an envelope opens under any policy
    /// of its service that accepts unbound envelopes: turn this on only for the policies that
    /// need old envelopes, and off once those are gone.
    pub accept_unbound: bool,
}

impl Policy {
    /// An active, managed policy with failure mode `error`, RSA-OAEP and A256GCM.
    pub fn new(number: impl Into<String>, service: impl Into<String>) -> Self {
        Policy {
            number: number.into(),
            service: service.into(),
            active: true,
            failure_mode: FailureMode::Error,
            key_ownership: KeyOwnership::Managed,
            alg: KeyManagementAlgorithm::RsaOaep,
            enc: ContentEncryption::A256Gcm,
            accept_unbound: false,
        }
    }

    /// The same policy, inactive, with failure mode `mode`.
    pub fn inactive(mut self, mode: FailureMode) -> Self {
        self.active = false;
        self.failure_mode = mode;
        self
    }

    /// The same policy with key ownership `ownership`.
    pub fn ownership(mut self, ownership: KeyOwnership) -> Self {
        self.key_ownership = ownership;
        self
    }

    /// The same policy with key management algorithm `alg`.
    pub fn alg(mut self, alg: KeyManagementAlgorithm) -> Self {
        self.alg = alg;
        self
    }

    /// The same policy, accepting envelopes without a policy binding (see
    /// [`Policy::accept_unbound`]).
    pub fn accept_unbound(mut self, accept: bool) -> Self {
        self.accept_unbound = accept;
        self
    }

    /// The same policy with content encryption `enc`.
    pub fn enc(mut self, enc: ContentEncryption) -> Self {
        self.enc = enc;
        self
    }
}

/// The SHA-256 of an API key, lowercase hex: what the configuration stores.
pub fn hash_api_key(secret: &str, provider: &dyn CryptoProvider) -> String {
    hex::encode(provider.sha256(secret.as_bytes()))
}

/// An API key, stored only as its SHA-256 hash, bound to a default policy and the policies it may
/// use (the default one included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub(super) id: String,
    pub(super) hash: [u8; 32],
    pub(super) default_policy: String,
    pub(super) policies: BTreeSet<String>,
}

impl ApiKey {
    /// A key from its SHA-256 hash in hex (64 hex digits, either case). `id` names the key in the
    /// audit log.
    pub fn from_hash(
        id: impl Into<String>,
        sha256_hex: &str,
        default_policy: impl Into<String>,
    ) -> Result<Self, Error> {
        let id = id.into();
        let mut hash = [0u8; 32];
        hex::decode_to_slice(sha256_hex, &mut hash).map_err(|_| {
            Error::config(
                format!("api key {id:?}"),
                format!(
                    "expected \"sha256\" to be 64 hex digits (the SHA-256 of the key), found {} characters{}",
                    sha256_hex.chars().count(),
                    if sha256_hex.chars().all(|c| c.is_ascii_hexdigit()) {
                        ""
                    } else {
                        " with non-hex digits"
                    }
                ),
            )
        })?;
        let default_policy = default_policy.into();
        Ok(ApiKey {
            id,
            hash,
            policies: BTreeSet::from([default_policy.clone()]),
            default_policy,
        })
    }

    /// A key from the secret itself (hashed here; the secret is not kept).
    pub fn from_secret(
        id: impl Into<String>,
        secret: &str,
        default_policy: impl Into<String>,
        provider: &dyn CryptoProvider,
    ) -> Self {
        let default_policy = default_policy.into();
        ApiKey {
            id: id.into(),
            hash: provider.sha256(secret.as_bytes()),
            policies: BTreeSet::from([default_policy.clone()]),
            default_policy,
        }
    }

    /// The same key, also allowed to use `policy`.
    pub fn allow(mut self, policy: impl Into<String>) -> Self {
        self.policies.insert(policy.into());
        self
    }

    /// The key's id (for the audit log; not secret).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The default policy.
    pub fn default_policy(&self) -> &str {
        &self.default_policy
    }

    /// Every policy the key may use.
    pub fn policies(&self) -> impl Iterator<Item = &str> {
        self.policies.iter().map(String::as_str)
    }
}
