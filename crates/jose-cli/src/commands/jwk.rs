//! `jose jwk import|thumbprint`.

use crate::cli::{JwkImportArgs, JwkThumbprintArgs};
use crate::error::{CliError, Result};
use crate::jwkjson;
use crate::keys::{self, Key};
use jose::{CryptoProvider, Limits};
use zeroize::Zeroizing;

/// `jose jwk import`: a key file as a JWK on stdout.
pub(super) fn import(
    args: &JwkImportArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut key = keys::load_single(&args.file, provider, limits)?;
    if args.public {
        key = Key::Public(keys::public(&key, "--public")?);
    }
    if let Some(kid) = &args.kid {
        key = key.with_kid(kid);
    }
    jwkjson::to_file_text(&keys::to_jwk(&key)?)
}

/// `jose jwk thumbprint`: the RFC 7638 SHA-256 thumbprint, base64url, on stdout.
pub(super) fn thumbprint(
    args: &JwkThumbprintArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let key = keys::load_single(&args.file, provider, limits)?;
    // A shared secret's thumbprint is over its `k` (RFC 7638 section 3.2); the others' over the
    // public members.
    let jwk = match &key {
        Key::Secret(_) => keys::to_jwk(&key)?,
        other => keys::to_jwk(&Key::Public(keys::public(other, "a thumbprint")?))?,
    };
    let tp = jwkjson::thumbprint(&jwk, provider)
        .map_err(|e| CliError::key("cannot compute the thumbprint", &e))?;
    Ok(super::token_line(tp))
}
