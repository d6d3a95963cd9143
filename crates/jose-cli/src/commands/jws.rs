//! `jose jws sign|verify`.

use crate::cli::{JwsSignArgs, JwsVerifyArgs, Serialization};
use crate::error::{CliError, Result};
use crate::files;
use crate::keys::{self, Key, KeyFile};
use jose::jws::{Jws, JwsBuilder, VerifyOptions};
use jose::{CryptoProvider, JwsAlgorithm, KeyKind, Limits, PublicKey, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

/// `jose jws sign`: stdin to a token.
pub(super) fn sign(
    args: &JwsSignArgs,
    provider: &dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let protected = super::protected_header(args.protected.as_deref(), limits)?;
    let file = keys::load(&args.key, provider, limits)?;
    let wanted = [args.kid.clone()];
    let mut chosen = keys::choose(&file, &wanted, |key| {
        let mut private = keys::private(key, "signing")?.clone();
        if let (Some(kid), KeyFile::Single(_)) = (&args.kid, &file) {
            private = private.with_kid(kid.as_str());
        }
        SigningKey::new(private, args.alg)
            .map(|k| vec![k])
            .map_err(|e| CliError::key(format!("the key cannot sign with {}", args.alg), &e))
    })
    .map_err(CliError::into_usage)?;
    let signer = match chosen.pop() {
        Some(k) if chosen.is_empty() => k,
        _ => {
            return Err(CliError::usage(
                "expected one key to sign with, found several",
            ));
        }
    };
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

/// The algorithm a key allows by itself: its JWK `alg`, or ES256/384/512 from an EC key's curve.
fn own_alg(key: &PublicKey) -> Result<JwsAlgorithm> {
    if let Some(alg) = &key.meta().alg {
        return JwsAlgorithm::from_name(alg)
            .map_err(|e| CliError::key("the key's \"alg\" is not a JWS algorithm", &e));
    }
    match key.kind() {
        KeyKind::Ec(curve) => Ok(JwsAlgorithm::for_curve(curve)),
        KeyKind::Rsa { .. } => Err(CliError::usage(
            "an RSA key without \"alg\" needs --alg: expected --alg (RS256, RS384, RS512, PS256, PS384 or PS512) or a JWK with \"alg\", found neither",
        )),
    }
}

/// Binds a key's public half to every allowed algorithm it fits (`algs` empty: the key's own).
pub(crate) fn verifying_keys(key: &Key, algs: &[JwsAlgorithm]) -> Result<Vec<VerifyingKey>> {
    let public = key.public_key();
    let own;
    let algs = if algs.is_empty() {
        own = [own_alg(&public)?];
        &own[..]
    } else {
        algs
    };
    let mut bound = Vec::new();
    let mut first_error = None;
    for alg in algs {
        match VerifyingKey::new(public.clone(), *alg) {
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

/// `jose jws verify`: the token on stdin to the verified payload.
pub(super) fn verify(
    args: &JwsVerifyArgs,
    provider: &dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let file = match (&args.key, &args.jwks) {
        (Some(path), None) => keys::load(path, provider, limits)?,
        (None, Some(path)) => match keys::load(path, provider, limits)? {
            set @ KeyFile::Set(_) => set,
            KeyFile::Single(_) => {
                return Err(CliError::usage(format!(
                    "--jwks {}: expected a JWKS (a JSON object with \"keys\"), found a single key (use --key)",
                    path.display()
                )));
            }
        },
        _ => return Err(CliError::usage("expected exactly one of --key and --jwks")),
    };
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
