//! A fetched JWK set, checked and imported.

use crate::error::{Error, clipped};
use jose::{CryptoProvider, Jwk, Jwks, JwsAlgorithm, Limits, PublicKey, VerifyingKey};
use tokio::time::Instant;

/// A key of a fetched set that was left out, and why.
#[derive(Debug, Clone)]
pub struct SkippedKey {
    /// The key's position in the fetched `keys` array.
    pub index: usize,
    /// The key's `kid`, if it has one.
    pub kid: Option<String>,
    /// Why it was left out: jose-core's refusal to import it ([`jose::Error::UnsupportedAlgorithm`]
    /// for a key type or curve it does not convert, [`jose::Error::InvalidKey`] for a bad key), or
    /// [`jose::Error::InvalidKey`] for a key whose `use` or `key_ops` excludes verification.
    pub reason: jose::Error,
}

/// One fetch's keys: the public keys of the set that import and may verify signatures, with the
/// time they were fetched and until when they are fresh.
///
/// Keys are kept in the set's order; a key that does not import, or whose `use` is not `sig` or
/// whose `key_ops` lacks `verify`, is left out and listed in [`KeySet::skipped`] with the reason.
#[derive(Debug, Clone)]
pub struct KeySet {
    jwks: Jwks,
    keys: Vec<PublicKey>,
    skipped: Vec<SkippedKey>,
    fetched_at: Instant,
    expires_at: Instant,
}

/// How the fetched text is turned into a [`KeySet`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Import {
    pub(crate) limits: Limits,
    pub(crate) provider: &'static dyn CryptoProvider,
    pub(crate) pad_ec_coordinates: bool,
}

impl KeySet {
    /// Checks and imports a fetched set (see [`Error::SecretInSet`] and [`SkippedKey`]).
    pub(crate) fn import(
        url: &str,
        text: &str,
        how: &Import,
        fetched_at: Instant,
        expires_at: Instant,
    ) -> Result<KeySet, Error> {
        let parsed = Jwks::from_json(text, &how.limits).map_err(|e| Error::Malformed {
            url: url.to_owned(),
            expected: "a JWK set that jose-core parses",
            found: "one it refuses".to_owned(),
            source: Some(Box::new(e)),
        })?;
        // Secret material anywhere refuses the whole set, before any key is imported.
        for (index, jwk) in parsed.keys.iter().enumerate() {
            if let Some(found) = secret_material(jwk) {
                return Err(Error::SecretInSet {
                    url: url.to_owned(),
                    index,
                    kid: jwk
                        .kid
                        .as_deref()
                        .map_or_else(|| "no kid".to_owned(), |k| format!("{:?}", clipped(k))),
                    found,
                });
            }
        }
        let mut accepted = Vec::new();
        let mut keys = Vec::new();
        let mut skipped = Vec::new();
        for (index, jwk) in parsed.keys.iter().enumerate() {
            let mut jwk = jwk.clone();
            if how.pad_ec_coordinates {
                jwk.pad_ec_coordinates();
            }
            match verifying_use(&jwk).and_then(|()| PublicKey::from_jwk(&jwk, how.provider)) {
                Ok(key) => {
                    keys.push(key);
                    accepted.push(jwk);
                }
                Err(reason) => skipped.push(SkippedKey {
                    index,
                    kid: jwk.kid.clone(),
                    reason,
                }),
            }
        }
        Ok(KeySet {
            jwks: Jwks {
                keys: accepted,
                extra: parsed.extra.clone(),
            },
            keys,
            skipped,
            fetched_at,
            expires_at,
        })
    }

    /// The accepted keys as JWKs (public, in the set's order; EC coordinates padded when
    /// [`pad_ec_coordinates`](crate::RemoteJwksBuilder::pad_ec_coordinates) is on), for an API
    /// that takes a [`Jwks`].
    pub fn jwks(&self) -> &Jwks {
        &self.jwks
    }

    /// The accepted keys, imported, in the same order as [`KeySet::jwks`].
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }

    /// The keys that were left out, and why.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// When the set was fetched.
    pub fn fetched_at(&self) -> Instant {
        self.fetched_at
    }

    /// Until when the set is fresh (its lifetime from `Cache-Control`, clamped). After this, a
    /// refresh is due; if it fails, the set may still be served within the stale-if-error bound.
    pub fn expires_at(&self) -> Instant {
        self.expires_at
    }

    /// Whether an accepted key has this `kid`.
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid() == Some(kid))
    }

    /// The accepted keys with this `kid` (all of them for `None`).
    pub fn find<'a>(&'a self, kid: Option<&'a str>) -> impl Iterator<Item = &'a PublicKey> + 'a {
        self.keys
            .iter()
            .filter(move |k| kid.is_none() || k.kid() == kid)
    }

    /// The one accepted key with `kid` (any, for `None`) that binds to `alg`: its type and curve
    /// fit, and its `alg`, `use` and `key_ops` allow it.
    ///
    /// Errors: [`Error::NoMatchingKey`] when none does or more than one does (ambiguous: no key
    /// is guessed).
    pub(crate) fn verifying_key(
        &self,
        url: &str,
        kid: Option<&str>,
        alg: JwsAlgorithm,
    ) -> Result<VerifyingKey, Error> {
        let expected = || match kid {
            Some(kid) => format!("one key with kid {:?} for {alg}", clipped(kid)),
            None => format!("one key for {alg}"),
        };
        let mut first_refusal = None;
        let mut found = Vec::new();
        let mut named = 0usize;
        for key in self.find(kid) {
            named = named.saturating_add(1);
            if !alg.fits(key.kind()) {
                continue;
            }
            match VerifyingKey::new(key.clone(), alg) {
                Ok(bound) => found.push(bound),
                Err(e) => {
                    first_refusal.get_or_insert(e);
                }
            }
        }
        let mut found = found.into_iter();
        match (found.next(), found.next()) {
            (Some(key), None) => Ok(key),
            (Some(_), Some(_)) => Err(Error::NoMatchingKey {
                url: url.to_owned(),
                expected: expected(),
                found: format!(
                    "{} keys that fit (ambiguous)",
                    found.count().saturating_add(2)
                ),
                source: None,
            }),
            (None, _) => Err(Error::NoMatchingKey {
                url: url.to_owned(),
                expected: expected(),
                found: match (named, &first_refusal) {
                    (0, _) if kid.is_some() => format!(
                        "no key with that kid among the {} key(s) of the set",
                        self.keys.len()
                    ),
                    (0, _) => "no key in the set".to_owned(),
                    (_, Some(_)) => "a key whose metadata forbids it".to_owned(),
                    (n, None) => format!("{n} key(s) of another type or curve"),
                },
                source: first_refusal.map(Box::new),
            }),
        }
    }
}

/// What secret a JWK holds, if any.
fn secret_material(jwk: &Jwk) -> Option<&'static str> {
    if jwk.kty == "oct" {
        return Some("a symmetric (\"oct\") key");
    }
    let private = [&jwk.d, &jwk.p, &jwk.q, &jwk.dp, &jwk.dq, &jwk.qi];
    if private.iter().any(|m| m.is_some())
        || jwk.extra.contains_key("k")
        || jwk.extra.contains_key("oth")
    {
        return Some("a key with private members");
    }
    None
}

/// A key for verification: `use`, if present, is `sig`; `key_ops`, if present, holds `verify`.
fn verifying_use(jwk: &Jwk) -> Result<(), jose::Error> {
    if let Some(use_) = jwk.use_.as_deref() {
        if use_ != "sig" {
            return Err(jose::Error::invalid_key(
                "a key with \"use\":\"sig\"",
                format!("\"use\":{:?}", clipped(use_)),
            ));
        }
    }
    if let Some(ops) = &jwk.key_ops {
        if !ops.iter().any(|op| op == "verify") {
            return Err(jose::Error::invalid_key(
                "\"key_ops\" containing verify",
                format!("{} other operation(s)", ops.len()),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use jose::{EcCurve, KeySpec, PrivateKey};

    const URL: &str = "https://issuer.example/jwks";

    fn import(text: &str) -> Result<KeySet, Error> {
        let now = Instant::now();
        let how = Import {
            limits: Limits::default(),
            provider: jose::default_provider(),
            pad_ec_coordinates: false,
        };
        KeySet::import(URL, text, &how, now, now)
    }

    fn public_jwk(curve: EcCurve, kid: &str) -> Jwk {
        let key = PrivateKey::generate(KeySpec::Ec(curve), jose::default_provider()).unwrap();
        let mut jwk = key.public_key().to_jwk().unwrap();
        jwk.kid = Some(kid.to_owned());
        jwk
    }

    fn set(keys: Vec<Jwk>) -> String {
        Jwks::new(keys).to_json()
    }

    #[test]
    fn public_keys_are_imported_and_others_skipped_with_a_reason() {
        let mut enc = public_jwk(EcCurve::P256, "enc");
        enc.use_ = Some("enc".into());
        let ed448 = Jwk::from_json(
            r#"{"kty":"OKP","kid":"ed448","crv":"Ed448","x":"AAAA"}"#,
            &Limits::default(),
        )
        .unwrap();
        let text = set(vec![public_jwk(EcCurve::P256, "a"), enc, ed448]);
        let keys = import(&text).unwrap();
        assert_eq!(keys.keys().len(), 1);
        assert_eq!(keys.jwks().len(), 1);
        assert!(keys.contains_kid("a"));
        assert!(!keys.contains_kid("enc"));
        let skipped: Vec<_> = keys
            .skipped()
            .iter()
            .map(|s| (s.index, s.kid.as_deref()))
            .collect();
        assert_eq!(skipped, [(1, Some("enc")), (2, Some("ed448"))]);
        assert!(matches!(
            keys.skipped()[1].reason,
            jose::Error::UnsupportedAlgorithm { .. }
        ));
    }

    #[test]
    fn secret_material_refuses_the_set() {
        let oct = r#"{"kty":"oct","kid":"s","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}"#;
        let private = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), jose::default_provider())
            .unwrap()
            .to_jwk()
            .unwrap();
        let good = public_jwk(EcCurve::P256, "a").to_json();
        for (bad, found) in [
            (oct.to_owned(), "a symmetric (\"oct\") key"),
            (private.to_json(), "a key with private members"),
            (
                r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA","k":"AA"}"#.to_owned(),
                "a key with private members",
            ),
        ] {
            let text = format!(r#"{{"keys":[{good},{bad}]}}"#);
            let e = import(&text).unwrap_err();
            assert!(
                matches!(e, Error::SecretInSet { index: 1, found: f, .. } if f == found),
                "{e:?}"
            );
            assert!(e.is_rejection());
            // The message never shows the secret.
            assert!(!e.to_string().contains("c2VjcmV0"), "{e}");
        }
    }

    #[test]
    fn malformed_sets_are_refused() {
        for text in ["", "[]", r#"{"keys":{}}"#, r#"{"keys":[],"keys":[]}"#] {
            let e = import(text).unwrap_err();
            assert!(matches!(e, Error::Malformed { .. }), "{text}: {e:?}");
        }
    }

    #[test]
    fn a_verifying_key_is_chosen_by_kid_and_algorithm() {
        let text = set(vec![
            public_jwk(EcCurve::P256, "a"),
            public_jwk(EcCurve::P384, "b"),
            public_jwk(EcCurve::P256, "twice"),
            public_jwk(EcCurve::P256, "twice"),
        ]);
        let keys = import(&text).unwrap();
        let key = keys
            .verifying_key(URL, Some("a"), JwsAlgorithm::Es256)
            .unwrap();
        assert_eq!(key.kid(), Some("a"));
        let e = keys
            .verifying_key(URL, Some("a"), JwsAlgorithm::Es384)
            .unwrap_err();
        assert!(e.to_string().contains("another type or curve"), "{e}");
        let e = keys
            .verifying_key(URL, Some("twice"), JwsAlgorithm::Es256)
            .unwrap_err();
        assert!(e.to_string().contains("ambiguous"), "{e}");
        let e = keys
            .verifying_key(URL, Some("zz"), JwsAlgorithm::Es256)
            .unwrap_err();
        assert!(e.to_string().contains("no key with that kid"), "{e}");
        // Without a kid: the one P-384 key is the only ES384 candidate; ES256 has three.
        let key = keys.verifying_key(URL, None, JwsAlgorithm::Es384).unwrap();
        assert_eq!(key.kid(), Some("b"));
        assert!(keys.verifying_key(URL, None, JwsAlgorithm::Es256).is_err());
    }
}
