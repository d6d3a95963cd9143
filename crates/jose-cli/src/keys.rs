//! Key files: loading them (jose-core's `keyfile`: bounded read, format detection, import) and
//! choosing a key from a JWKS.

use crate::error::{CliError, Result};
pub(crate) use jose::keyfile::{Key, KeyFile, SetEntry};
use jose::{CryptoProvider, Jwk, Limits, PrivateKey, PublicKey};
use std::path::Path;

/// The private key, or a key error naming what was found.
pub(crate) fn private<'a>(key: &'a Key, purpose: &str) -> Result<&'a PrivateKey> {
    match key {
        Key::Private(k) => Ok(k),
        other => Err(CliError::usage(format!(
            "{purpose} needs a private key: expected a private key, found {}",
            other.describe()
        ))),
    }
}

/// The public key (a private key's public half), or a usage error for a shared secret.
pub(crate) fn public(key: &Key, purpose: &str) -> Result<PublicKey> {
    key.public_key().map_err(|_| {
        CliError::usage(format!(
            "{purpose} needs a public or private key: expected RSA, EC or OKP, found {}",
            key.describe()
        ))
    })
}

/// The key as a JWK (private members included for a private key).
pub(crate) fn to_jwk(key: &Key) -> Result<Jwk> {
    key.to_jwk()
        .map_err(|e| CliError::key("cannot convert the key to a JWK", &e))
}

/// Reads and imports a key file. Every error is a usage error (exit status 2) naming the file.
pub(crate) fn load(
    path: &Path,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<KeyFile> {
    KeyFile::load(path, limits, provider)
        .map_err(|e| CliError::usage(jose::error::display_chain(&e)))
}

/// Loads a file that must hold one key. A JWKS with exactly one key is accepted.
pub(crate) fn load_single(
    path: &Path,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Key> {
    match load(path, provider, limits)? {
        KeyFile::Single(k) => Ok(k),
        KeyFile::Set(entries) => match <[SetEntry; 1]>::try_from(entries) {
            Ok([only]) => only.key.map_err(|e| {
                CliError::key(
                    format!(
                        "key file {}: the JWKS's only key cannot be imported",
                        path.display()
                    ),
                    &e,
                )
            }),
            Err(entries) => Err(CliError::usage(format!(
                "key file {}: expected a single key, found a JWKS with {} keys",
                path.display(),
                entries.len()
            ))),
        },
    }
}

/// Binds a single key before the token is read (so a key error comes first, whatever the
/// token); for a JWKS, checks that at least one key is usable and returns `None` (the choice
/// waits for the token's kid).
pub(crate) fn prebind<B>(
    file: &KeyFile,
    bind: impl Fn(&Key) -> Result<Vec<B>>,
) -> Result<Option<Vec<B>>> {
    match file {
        KeyFile::Single(key) => bind(key).map(Some),
        KeyFile::Set(entries) => {
            let mut first_error = None;
            for entry in entries {
                match entry.key.as_ref().map(&bind) {
                    Ok(Ok(_)) => return Ok(None),
                    Ok(Err(e)) => {
                        first_error.get_or_insert(e);
                    }
                    Err(e) => {
                        first_error
                            .get_or_insert_with(|| CliError::key("it cannot be imported", e));
                    }
                }
            }
            Err(match first_error {
                Some(e) => {
                    CliError::usage(format!("no key in the JWKS can be used; the first: {e}"))
                }
                None => CliError::usage("expected at least one key in the JWKS, found none"),
            })
        }
    }
}

/// Chooses keys for an operation and binds each with `bind`, which fails for keys that cannot
/// serve the operation ("unusable" keys).
///
/// - A single key is bound; its binding error is the error.
/// - In a JWKS, the usable keys are those that import and bind. If the token names kids
///   (`wanted`: one entry per signature or recipient, `None` where there is no kid), the usable keys
///   with those kids are chosen; two usable keys with the same wanted kid are an error (2). If no
///   kid is named, a JWKS with exactly one usable key gives that key; more is an error (1).
pub(crate) fn choose<B>(
    file: &KeyFile,
    wanted: &[Option<String>],
    bind: impl Fn(&Key) -> Result<Vec<B>>,
) -> Result<Vec<B>> {
    let entries = match file {
        KeyFile::Single(key) => return bind(key),
        KeyFile::Set(entries) => entries,
    };
    // Each entry: its kid and its bindings (or why it is unusable).
    let bound: Vec<(Option<&str>, Result<Vec<B>>)> = entries
        .iter()
        .map(|e| {
            let b = match &e.key {
                Ok(k) => bind(k),
                Err(err) => Err(CliError::key("it cannot be imported", err)),
            };
            (e.kid.as_deref(), b)
        })
        .collect();
    let usable_count = bound.iter().filter(|(_, b)| b.is_ok()).count();
    let kids: Vec<&str> = {
        let mut v: Vec<&str> = wanted.iter().flatten().map(String::as_str).collect();
        v.dedup();
        v
    };
    let mut chosen: Vec<B> = Vec::new();
    let mut matched_any = false;
    let mut unusable_match: Option<(String, CliError)> = None;
    for kid in &kids {
        let mut matches = 0usize;
        for (entry_kid, b) in &bound {
            if *entry_kid != Some(*kid) {
                continue;
            }
            match b {
                Ok(_) => matches += 1,
                Err(e) => {
                    unusable_match.get_or_insert_with(|| ((*kid).to_owned(), e.clone()));
                }
            }
        }
        if matches > 1 {
            return Err(CliError::usage(format!(
                "ambiguous kid {:?}: expected one usable key with this kid in the JWKS, found {matches}",
                shorten(kid)
            )));
        }
        matched_any |= matches == 1;
    }
    // Move the chosen bindings out, in JWKS order.
    let wants_kidless = wanted.iter().any(Option::is_none) || wanted.is_empty();
    let mut bound = bound;
    if matched_any {
        for (entry_kid, b) in bound.drain(..) {
            if let (Some(k), Ok(keys)) = (entry_kid, b)
                && kids.contains(&k)
            {
                chosen.extend(keys);
            }
        }
        return Ok(chosen);
    }
    if let Some((kid, err)) = unusable_match {
        return Err(CliError::usage(format!(
            "the JWKS key with kid {:?} cannot be used: {err}",
            shorten(&kid)
        )));
    }
    if !kids.is_empty() && !wants_kidless {
        let available: Vec<String> = bound
            .iter()
            .filter(|(_, b)| b.is_ok())
            .map(|(k, _)| k.map_or_else(|| "(none)".to_owned(), |k| format!("{:?}", shorten(k))))
            .collect();
        return Err(CliError::rejected(format!(
            "no matching key: expected a usable key with kid {} in the JWKS, found kids {}",
            kids.iter()
                .map(|k| format!("{:?}", shorten(k)))
                .collect::<Vec<_>>()
                .join(" or "),
            if available.is_empty() {
                "none".to_owned()
            } else {
                available.join(", ")
            }
        )));
    }
    match usable_count {
        0 => {
            let first = bound.into_iter().find_map(|(_, b)| b.err());
            Err(match first {
                Some(e) => {
                    CliError::usage(format!("no key in the JWKS can be used; the first: {e}"))
                }
                None => CliError::usage("expected at least one key in the JWKS, found none"),
            })
        }
        1 => Ok(bound
            .into_iter()
            .find_map(|(_, b)| b.ok())
            .unwrap_or_default()),
        n => Err(CliError::rejected(format!(
            "no matching key: expected a kid to choose among the {n} usable keys of the JWKS, found none"
        ))),
    }
}

/// A kid as shown in a message: at most 64 characters.
fn shorten(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(kids: &[Option<&str>], usable: &[bool]) -> KeyFile {
        let provider = jose::default_provider();
        let key = PrivateKey::generate(jose::KeySpec::Ec(jose::EcCurve::P256), provider).unwrap();
        KeyFile::Set(
            kids.iter()
                .zip(usable)
                .map(|(kid, ok)| SetEntry {
                    kid: kid.map(str::to_owned),
                    key: if *ok {
                        Ok(Key::Private(key.clone()))
                    } else {
                        Err(jose::Error::invalid_key("x", "y"))
                    },
                })
                .collect(),
        )
    }

    fn pick(file: &KeyFile, wanted: &[Option<&str>]) -> Result<Vec<Option<String>>> {
        let wanted: Vec<Option<String>> = wanted.iter().map(|k| k.map(str::to_owned)).collect();
        choose(file, &wanted, |k| Ok(vec![k.kid().map(str::to_owned)]))
    }

    #[test]
    fn selection_by_kid() {
        let f = set(&[Some("a"), Some("b")], &[true, true]);
        assert_eq!(pick(&f, &[Some("b")]).unwrap().len(), 1);
        assert_eq!(
            pick(&f, &[Some("c")]).unwrap_err().kind(),
            crate::error::Kind::Rejected
        );
        assert_eq!(
            pick(&f, &[None]).unwrap_err().kind(),
            crate::error::Kind::Rejected
        );
        let dup = set(&[Some("a"), Some("a")], &[true, true]);
        assert_eq!(
            pick(&dup, &[Some("a")]).unwrap_err().kind(),
            crate::error::Kind::Usage
        );
        let one = set(&[Some("a"), Some("b")], &[true, false]);
        assert_eq!(pick(&one, &[None]).unwrap().len(), 1);
        assert_eq!(
            pick(&one, &[Some("b")]).unwrap_err().kind(),
            crate::error::Kind::Usage
        );
        let none = set(&[Some("a")], &[false]);
        assert_eq!(
            pick(&none, &[None]).unwrap_err().kind(),
            crate::error::Kind::Usage
        );
    }
}
