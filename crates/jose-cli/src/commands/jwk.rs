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
    provider: &dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut key = keys::load_single(&args.file, provider, limits)?;
    if args.public {
        key = Key::Public(key.public_key());
    }
    if let Some(kid) = &args.kid {
        key = key.with_kid(kid);
    }
    jwkjson::to_file_text(&keys::to_jwk(&key)?)
}

/// `jose jwk thumbprint`: the RFC 7638 SHA-256 thumbprint, base64url, on stdout.
pub(super) fn thumbprint(
    args: &JwkThumbprintArgs,
    provider: &dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let key = keys::load_single(&args.file, provider, limits)?;
    let tp = jwkjson::thumbprint(&keys::to_jwk(&Key::Public(key.public_key()))?, provider)
        .map_err(|e| CliError::key("cannot compute the thumbprint", &e))?;
    Ok(super::token_line(tp))
}
