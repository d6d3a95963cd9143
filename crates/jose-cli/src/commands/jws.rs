//! `jose jws sign|verify`.

use crate::cli::{JwsSignArgs, JwsVerifyArgs, Serialization};
use crate::error::{CliError, Result};
use crate::files;
use crate::keys::{self, Key, KeyFile};
use jose::jws::{Jws, JwsBuilder, VerifyOptions};
use jose::{CryptoProvider, JwsAlgorithm, KeyKind, Limits, OkpCurve, SigningKey, VerifyingKey};
use std::path::Path;
use zeroize::Zeroizing;

/// `jose jws sign`: stdin to a token.
pub(super) fn sign(
    args: &JwsSignArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let protected = super::protected_header(args.protected.as_deref(), limits)?;
    let signer = signing_key(&args.key, args.alg, args.kid.as_deref(), provider, limits)?;
    let payload = files::read_stdin()?;
    let jws = JwsBuilder::new(&payload)
        .detached(args.detached)
        .unencoded(args.unencoded)
        .signer_with(&signer, protected, None)
        .sign()
        .map_err(CliError::building)?;
    let token = match args.format {
        Serialization::Compact => jws.to_compact(),
        Serialization::Flattened => jws.to_flattened_json(),
        Serialization::General => jws.to_general_json(),
    }
    .map_err(CliError::building)?;
    Ok(super::token_line(token))
}

/// Loads the key to sign with from a key file (PEM, DER, JWK, or a JWKS searched by `kid`) and
/// binds it to `alg` (default: the key's own, see [`own_alg`]); `kid` replaces a single key's.
/// What `jws sign`, `jwt sign`, `jwt client-assertion` and `dpop proof` share. Every error is a
/// usage error (exit status 2).
pub(crate) fn signing_key(
    path: &Path,
    alg: Option<JwsAlgorithm>,
    kid: Option<&str>,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<SigningKey> {
    let file = keys::load(path, provider, limits)?;
    let wanted = [kid.map(str::to_owned)];
    let mut chosen = keys::choose(&file, &wanted, |key| {
        let key = match (kid, &file) {
            (Some(kid), KeyFile::Single(_)) => key.clone().with_kid(kid),
            _ => key.clone(),
        };
        let alg = match alg {
            Some(alg) => alg,
            None => own_alg(&key)?,
        };
        let bound = match &key {
            Key::Secret(secret) => SigningKey::symmetric(secret.clone(), alg),
            other => SigningKey::new(keys::private(other, "signing")?.clone(), alg),
        };
        bound
            .map(|k| vec![k])
            .map_err(|e| CliError::key(format!("the key cannot sign with {alg}"), &e))
    })
    .map_err(CliError::into_usage)?;
    match chosen.pop() {
        Some(k) if chosen.is_empty() => Ok(k),
        _ => Err(CliError::usage(
            "expected one key to sign with, found several",
        )),
    }
}

/// The algorithm a key allows by itself: its JWK `alg`, ES256/384/512 from an EC key's curve, or
/// EdDSA for an Ed25519 key.
fn own_alg(key: &Key) -> Result<JwsAlgorithm> {
    let meta = match key {
        Key::Private(k) => k.meta(),
        Key::Public(k) => k.meta(),
        Key::Secret(k) => k.meta(),
    };
    if let Some(alg) = &meta.alg {
        return JwsAlgorithm::from_name(alg)
            .map_err(|e| CliError::key("the key's \"alg\" is not a JWS algorithm", &e));
    }
    let Some(kind) = key.kind() else {
        return Err(CliError::usage(
            "a shared secret without \"alg\" needs --alg: expected --alg (HS256, HS384 or HS512) or a JWK with \"alg\", found neither",
        ));
    };
    match kind {
        KeyKind::Ec(curve) => Ok(JwsAlgorithm::for_curve(curve)),
        KeyKind::Okp(OkpCurve::Ed25519) => Ok(JwsAlgorithm::EdDsa),
        KeyKind::Okp(OkpCurve::X25519) => Err(CliError::usage(
            "an X25519 key is for ECDH-ES encryption: expected a signing key (RSA, EC or Ed25519), found an X25519 key",
        )),
        KeyKind::Rsa { .. } => Err(CliError::usage(
            "an RSA key without \"alg\" needs --alg: expected --alg (RS256, RS384, RS512, PS256, PS384 or PS512) or a JWK with \"alg\", found neither",
        )),
    }
}

/// Binds a key's public half (or a shared secret) to every allowed algorithm it fits (`algs`
/// empty: the key's own).
pub(crate) fn verifying_keys(key: &Key, algs: &[JwsAlgorithm]) -> Result<Vec<VerifyingKey>> {
    let public = match key {
        Key::Secret(_) => None,
        other => Some(keys::public(other, "verification")?),
    };
    let own;
    let algs = if algs.is_empty() {
        own = [own_alg(key)?];
        &own[..]
    } else {
        algs
    };
    let mut bound = Vec::new();
    let mut first_error = None;
    for alg in algs {
        let binding = match (&public, key) {
            (Some(public), _) => VerifyingKey::new(public.clone(), *alg),
            (None, Key::Secret(secret)) => VerifyingKey::symmetric(secret.clone(), *alg),
            (None, _) => continue,
        };
        match binding {
            Ok(k) => bound.push(k),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) if bound.is_empty() => Err(CliError::key(
            format!(
                "the key fits none of the allowed algorithms ({})",
                super::jwe::names(algs)
            ),
            &e,
        )),
        _ => Ok(bound),
    }
}

/// Loads the verification keys of `--key FILE` (a key, or a JWKS) or `--jwks FILE` (which must
/// be a JWKS). Every error is a usage error (exit status 2).
pub(crate) fn verification_file(
    key: Option<&Path>,
    jwks: Option<&Path>,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<KeyFile> {
    match (key, jwks) {
        (Some(path), None) => keys::load(path, provider, limits),
        (None, Some(path)) => match keys::load(path, provider, limits)? {
            set @ KeyFile::Set(_) => Ok(set),
            KeyFile::Single(_) => Err(CliError::usage(format!(
                "--jwks {}: expected a JWKS (a JSON object with \"keys\"), found a single key (use --key)",
                path.display()
            ))),
        },
        _ => Err(CliError::usage("expected exactly one of --key and --jwks")),
    }
}

/// `jose jws verify`: the token on stdin to the verified payload.
pub(super) fn verify(
    args: &JwsVerifyArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let file = verification_file(args.key.as_deref(), args.jwks.as_deref(), provider, limits)?;
    // Key errors come before token errors: a single key is bound now, a JWKS checked for a usable key.
    let single = keys::prebind(&file, |key| verifying_keys(key, &args.algs))?;
    let detached = match &args.payload {
        Some(path) => Some(files::read_file(path, "payload file", usize::MAX)?),
        None => None,
    };
    let token = files::read_token(limits.max_token_len)?;
    let jws = Jws::parse(&token, limits)?;
    match (&detached, jws.unverified_payload()) {
        (None, None) => {
            return Err(CliError::usage(
                "the token's payload is detached: expected --payload FILE, found none",
            ));
        }
        (Some(_), Some(p)) if !p.is_empty() => {
            return Err(CliError::usage(
                "--payload was given but the token carries its own payload: expected a detached token",
            ));
        }
        _ => {}
    }
    let keys = match single {
        Some(keys) => keys,
        None => {
            let wanted = jws
                .signatures()
                .iter()
                .map(|s| Ok(s.header().kid()?.map(str::to_owned)))
                .collect::<std::result::Result<Vec<_>, jose::Error>>()?;
            keys::choose(&file, &wanted, |key| verifying_keys(key, &args.algs))?
        }
    };
    match detached {
        Some(payload) => {
            jws.verify_with(&keys, Some(&payload), &VerifyOptions::default())?;
            Ok(payload)
        }
        None => match jws.verify(&keys) {
            Ok(payload) => Ok(Zeroizing::new(payload.to_vec())),
            // A compact token with an empty payload part may be a detached one.
            Err(jose::Error::BadSignature) if jws.unverified_payload() == Some(&[]) => {
                Err(CliError::rejected(
                    "signature verification failed (the token's payload is empty: if it is detached, give it with --payload FILE)",
                ))
            }
            Err(e) => Err(e.into()),
        },
    }
}
