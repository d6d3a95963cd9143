//! `jose jwt sign|verify`: JWTs on jose-core's `jwt` module, with the key loading of
//! `jose jws` (one loader: [`super::jws::signing_key`], [`super::jws::verification_file`]).

use super::jws;
use crate::cli::{DEFAULT_EXP_IN, JwtClientAssertionArgs, JwtSignArgs, JwtVerifyArgs};
use crate::error::{CliError, Result};
use crate::files;
use crate::keys;
use jose::clock::{Clock, SystemClock};
use jose::jwt::{self, Claims, UnverifiedJwt, Validation};
use jose::{CryptoProvider, Header, Limits};
use jose_fapi::client_assertion::ClientAssertion;
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// A library error while checking a token, by its class: rejected input exits 1 (a refused
/// claim's message starts with the claim's name), our side (keys, flags) exits 2.
pub(crate) fn checking(err: &jose::Error) -> CliError {
    CliError::classified(err.class(), err)
}

/// Reads the claims on stdin: a JSON object, or nothing (whitespace only) for none. A bad
/// object is a usage error (exit 2): the caller's own input to sign.
fn stdin_claims() -> Result<Claims> {
    let input = files::read_stdin()?;
    if input.iter().all(u8::is_ascii_whitespace) {
        return Ok(Claims::new());
    }
    Claims::from_json(&input).map_err(|e| {
        CliError::usage(format!(
            "the claims on stdin: {}",
            jose::error::display_chain(&e)
        ))
    })
}

/// `now + seconds` as a NumericDate, or a usage error naming `flag` when it leaves the range.
pub(crate) fn seconds_from_now(now: i64, seconds: i64, flag: &str) -> Result<i64> {
    match now.checked_add(seconds) {
        Some(t) if t >= 0 => Ok(t),
        _ => Err(CliError::usage(format!(
            "{flag}: expected a time after 1970 when added to now ({now}), found {seconds}"
        ))),
    }
}

/// `jose jwt sign`: the claims on stdin, completed by the flags, to a compact JWS.
pub(super) fn sign(
    args: &JwtSignArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let signer = jws::signing_key(&args.key, args.alg, args.kid.as_deref(), provider, limits)?;
    let mut claims = stdin_claims()?;
    let now = SystemClock.now_seconds();
    if claims.iat.is_none() {
        claims = claims.issued_at(now);
    }
    match (args.exp_in, claims.exp) {
        (Some(seconds), _) => {
            claims = claims.expires_at(seconds_from_now(now, seconds, "--exp-in")?)
        }
        (None, Some(_)) => {}
        (None, None) => claims = claims.expires_at(now + DEFAULT_EXP_IN),
    }
    if let Some(iss) = &args.iss {
        claims = claims.issuer(iss.as_str());
    }
    if let Some(sub) = &args.sub {
        claims = claims.subject(sub.as_str());
    }
    match args.aud.as_slice() {
        [] => {}
        [one] => claims = claims.audience(one.as_str()),
        many => claims = claims.audiences(many.iter().map(String::as_str)),
    }
    match args.jti.as_deref() {
        None => {}
        Some("auto") => {
            claims = claims.random_jwt_id(provider).map_err(CliError::building)?;
        }
        Some(id) => claims = claims.jwt_id(id),
    }
    let header = match &args.typ {
        Some(typ) => Header::with_typ(typ),
        None => Header::new(),
    };
    let token = jwt::sign(&claims, &signer, header).map_err(CliError::building)?;
    Ok(super::token_line(token))
}

/// The validation `jwt verify`'s flags ask for: the named issuers and audiences (any when none
/// is named), `typ`, the leeway.
fn validation(args: &JwtVerifyArgs, limits: &Limits) -> Result<Validation> {
    let mut validation = Validation::new().limits(*limits);
    validation = if args.iss.is_empty() {
        validation.any_issuer()
    } else {
        args.iss
            .iter()
            .fold(validation, |v, iss| v.issuer(iss.as_str()))
    };
    validation = if args.aud.is_empty() {
        validation.any_audience()
    } else {
        args.aud
            .iter()
            .fold(validation, |v, aud| v.audience(aud.as_str()))
    };
    if let Some(typ) = &args.typ {
        validation = validation.typ(typ.as_str());
    }
    validation
        .leeway(Duration::from_secs(args.leeway))
        .map_err(|e| CliError::usage(format!("--leeway: {e}")))
}

/// `jose jwt verify`: the token on stdin to its verified claims, as JSON. With `--replay-store`
/// its `jti` is required and recorded there until `exp` + leeway (a replay exits 1, a store that
/// cannot answer 2).
pub(super) fn verify(
    args: &JwtVerifyArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let validation = validation(args, limits)?;
    let file = jws::verification_file(args.key.as_deref(), args.jwks.as_deref(), provider, limits)?;
    // Key errors come before token errors.
    let single = keys::prebind(&file, |key| jws::verifying_keys(key, &args.algs))?;
    let token = files::read_token(limits.max_token_len)?;
    let jwt = UnverifiedJwt::parse(token.trim(), limits).map_err(|e| checking(&e))?;
    let keys = match single {
        Some(keys) => keys,
        None => {
            let kid = jwt.header().kid().map_err(|e| checking(&e))?;
            let wanted = [kid.map(str::to_owned)];
            keys::choose(&file, &wanted, |key| jws::verifying_keys(key, &args.algs))?
        }
    };
    let verified = match &args.replay.replay_store {
        // Without a store this process is alone: nothing to record (and jti stays optional).
        None => jwt.verify(&keys, &validation).map_err(|e| checking(&e))?,
        Some(url) => args.replay.block_on(url, |store| async move {
            let validation = validation.replay_store(Arc::new(store));
            jwt.verify_async(&keys, &validation)
                .await
                .map_err(|e| checking(&e))
        })?,
    };
    Ok(files::line(verified.claims.to_json()))
}

/// `jose jwt client-assertion`: a `private_key_jwt` assertion (jose-fapi's `ClientAssertion`).
pub(super) fn client_assertion(
    args: &JwtClientAssertionArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let signer = jws::signing_key(&args.key, args.alg, args.kid.as_deref(), provider, limits)?;
    let assertion = ClientAssertion::new(args.client_id.as_str(), args.aud.as_str())
        .lifetime(Duration::from_secs(args.exp_in))
        .map_err(|e| CliError::usage(format!("--exp-in: {e}")))?;
    let token = assertion
        .sign(&signer, provider)
        .map_err(CliError::building)?;
    Ok(super::token_line(token))
}
