//! [`EngineBuilder`]: assembles an [`Engine`] and checks that every reference resolves.

use super::{ApiKey, DestinationService, Engine, Policy};
use crate::error::Error;
use crate::validate;
use jose::{CryptoProvider, EncryptingKey, Limits};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

/// Builds an [`Engine`]; [`EngineBuilder::build`] checks that every reference resolves.
#[derive(Debug)]
pub struct EngineBuilder {
    pub(super) provider: &'static dyn CryptoProvider,
    pub(super) limits: Limits,
    pub(super) max_body_bytes: usize,
    pub(super) services: Vec<DestinationService>,
    pub(super) policies: Vec<Policy>,
    pub(super) api_keys: Vec<ApiKey>,
}

impl EngineBuilder {
    /// Adds a destination service.
    pub fn service(mut self, service: DestinationService) -> Self {
        self.services.push(service);
        self
    }

    /// Adds a policy.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policies.push(policy);
        self
    }

    /// Adds an API key.
    pub fn api_key(mut self, key: ApiKey) -> Self {
        self.api_keys.push(key);
        self
    }

    /// The largest request body accepted (default [`super::DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// The JOSE parsing limits (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Checks the configuration and builds the engine. Errors name the bad entry: duplicate ids,
    /// a policy naming an unknown service or a key its `alg` does not fit, an API key naming an
    /// unknown policy.
    pub fn build(self) -> Result<Engine, Error> {
        let mut services = HashMap::new();
        for service in self.services {
            let entry = format!("services[{:?}]", service.id);
            if service.id.is_empty() {
                return Err(Error::config(entry, "expected a non-empty id, found \"\""));
            }
            if service.active().is_some_and(|k| k.retired) {
                return Err(Error::config(
                    format!(
                        "{entry}.keys[{:?}]",
                        service.active().map(|k| k.kid.as_str()).unwrap_or_default()
                    ),
                    "expected the active key not to be retired, found both active and retired",
                ));
            }
            let mut kids = BTreeSet::new();
            for key in &service.keys {
                if key.kid.is_empty() || !kids.insert(key.kid.as_str()) {
                    return Err(Error::config(
                        format!("{entry}.keys[{:?}]", key.kid),
                        "expected a non-empty kid unique within the service, found an empty or repeated one",
                    ));
                }
            }
            let id = service.id.clone();
            if services.insert(id, Arc::new(service)).is_some() {
                return Err(Error::config(
                    entry,
                    "expected a unique service id, found it twice",
                ));
            }
        }
        let mut policies = HashMap::new();
        for policy in self.policies {
            let entry = format!("policies[{:?}]", policy.number);
            if policy.number.is_empty()
                || policy.number.chars().count() > validate::MAX_POLICY_NUMBER_CHARS
            {
                return Err(Error::config(
                    entry,
                    format!(
                        "expected a policy number of 1 to {} characters",
                        validate::MAX_POLICY_NUMBER_CHARS
                    ),
                ));
            }
            let service = services.get(&policy.service).ok_or_else(|| {
                Error::config(
                    entry.clone(),
                    format!(
                        "expected \"service\" to name a configured service, found {:?}",
                        policy.service
                    ),
                )
            })?;
            for key in &service.keys {
                EncryptingKey::new(key.public.clone(), policy.alg).map_err(|e| {
                    Error::config(
                        entry.clone(),
                        format!(
                            "key {:?} of service {:?} cannot be used with {}: {e}",
                            key.kid, policy.service, policy.alg
                        ),
                    )
                })?;
            }
            let number = policy.number.clone();
            if policies.insert(number, policy).is_some() {
                return Err(Error::config(
                    entry,
                    "expected a unique policy number, found it twice",
                ));
            }
        }
        let mut api_keys = HashMap::new();
        let mut ids = BTreeSet::new();
        for key in self.api_keys {
            let entry = format!("api_keys[{:?}]", key.id);
            if key.id.is_empty() || !ids.insert(key.id.clone()) {
                return Err(Error::config(
                    entry,
                    "expected a non-empty id unique among the API keys, found an empty or repeated one",
                ));
            }
            for policy in &key.policies {
                if !policies.contains_key(policy) {
                    return Err(Error::config(
                        entry,
                        format!("expected a configured policy, found {policy:?}"),
                    ));
                }
            }
            if api_keys.insert(key.hash, Arc::new(key)).is_some() {
                return Err(Error::config(
                    entry,
                    "expected a hash no other API key has, found a repeated one",
                ));
            }
        }
        Ok(Engine {
            provider: self.provider,
            limits: self.limits,
            max_body_bytes: self.max_body_bytes,
            services: RwLock::new(services),
            policies,
            api_keys,
        })
    }
}
