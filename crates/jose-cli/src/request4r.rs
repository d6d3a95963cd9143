//! `jose request4r encrypt|decrypt|route`: Leap RaaS Request4R payloads from a shell. The demo's
//! Request4R section is in `demo/request4r.rs`.
//!
//! ```text
//! jose request4r encrypt --raas-public FILE [--kid ID]   JSON on stdin; compact JWE on stdout
//! jose request4r decrypt --partner-private FILE          JWE on stdin; JSON on stdout
//! jose request4r route --path P [--reverse]              prints the Request4R path (or, with
//!                                                        --reverse, the standard one)
//! ```
//!
//! `encrypt` checks that stdin is UTF-8 JSON and encrypts it with RSA-OAEP-256 + A256GCM (the
//! header is exactly `{"alg":"RSA-OAEP-256","enc":"A256GCM"}`, with `kid` when `--kid` is given or
//! the key file is a JWK with one); the token is printed with one newline. `decrypt` allows exactly
//! that pair and prints the plaintext bytes exactly. `route` takes a path or a URL (the query is
//! kept) and prints the mapped one with one newline. Key files are read as everywhere else in the
//! CLI (PEM, DER, JWK, or a JWKS with one key); `encrypt` takes a public or a private key.
//!
//! Exit status: 1 when stdin is rejected (not JSON, not a compact JWE, not decryptable, a wrong
//! header); 2 for a key that cannot serve Request4R, an unreadable file, or a `--path` that is not
//! a route that maps.

use crate::error::{CliError, Result};
use crate::files;
use crate::keys;
use clap::{Args, Subcommand};
use jose::{CryptoProvider, Limits};
use jose_request4r::http::Uri;
use jose_request4r::{Error, OpeningKey, SealingKey, route};
use std::path::PathBuf;
use zeroize::Zeroizing;

/// `jose request4r ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum Request4rCommand {
    /// Encrypt the JSON on stdin to the RaaS public key; print the compact JWE.
    Encrypt(EncryptArgs),
    /// Decrypt the JWE on stdin with the partner private key; print the JSON.
    Decrypt(DecryptArgs),
    /// Print the Request4R path for a standard /v1 path or URL.
    Route(RouteArgs),
}

/// `jose request4r encrypt`.
#[derive(Debug, Args)]
pub(crate) struct EncryptArgs {
    /// The RaaS public key (SPKI PEM as Leap provides it; any key file; a private key's public
    /// half is used).
    #[arg(long, value_name = "FILE")]
    pub(crate) raas_public: PathBuf,
    /// Key id to put in the JWE header (replaces the key file's).
    #[arg(long)]
    pub(crate) kid: Option<String>,
}

/// `jose request4r decrypt`.
#[derive(Debug, Args)]
pub(crate) struct DecryptArgs {
    /// The partner private key (PKCS#8 PEM; any private key file).
    #[arg(long, value_name = "FILE")]
    pub(crate) partner_private: PathBuf,
}

/// `jose request4r route`.
#[derive(Debug, Args)]
pub(crate) struct RouteArgs {
    /// A standard path or URL, such as /v1/auth/register-user-v2 or https://host/v1/users?page=2.
    #[arg(long, value_name = "P")]
    pub(crate) path: String,
    /// Map a Request4R path back to the standard one instead (what the gateway does).
    #[arg(long)]
    pub(crate) reverse: bool,
}

/// Runs a `jose request4r` subcommand; returns what to print on stdout.
pub(crate) fn run(
    command: &Request4rCommand,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    match command {
        Request4rCommand::Encrypt(args) => encrypt(args, provider, limits),
        Request4rCommand::Decrypt(args) => decrypt(args, provider, limits),
        Request4rCommand::Route(args) => route_command(args),
    }
}

/// The library's error with the CLI's exit status, by its class (`CliError::classified`): a
/// rejected input is 1, our own side (keys, files, arguments, configuration) or the transport 2.
pub(crate) fn cli_error(err: Error) -> CliError {
    CliError::classified(err.class(), &err)
}

fn encrypt(
    args: &EncryptArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let key = keys::load_single(&args.raas_public, provider, limits)?;
    let mut sealing = SealingKey::new(keys::public(&key, "the RaaS key")?).map_err(cli_error)?;
    if let Some(kid) = &args.kid {
        sealing = sealing.with_kid(kid.as_str()).map_err(cli_error)?;
    }
    let json = files::read_stdin()?;
    let token = sealing
        .seal(&json, provider)
        .map_err(|e| cli_error(e).context("stdin"))?;
    Ok(files::line(&token))
}

fn decrypt(
    args: &DecryptArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let key = keys::load_single(&args.partner_private, provider, limits)?;
    let opening = OpeningKey::new(keys::private(&key, "decryption")?.clone())
        .map_err(cli_error)?
        .with_limits(*limits);
    let token = files::read_token(limits.max_token_len)?;
    let mut plaintext = opening.open(&token, provider).map_err(cli_error)?;
    Ok(Zeroizing::new(std::mem::take(&mut *plaintext).into_bytes()))
}

fn route_command(args: &RouteArgs) -> Result<Zeroizing<Vec<u8>>> {
    let uri: Uri = args.path.parse().map_err(|_| {
        CliError::usage(format!(
            "--path: expected a path or URL, found {:?}",
            args.path.chars().take(128).collect::<String>()
        ))
    })?;
    let mapped = if args.reverse {
        route::standard_uri(&uri)
    } else {
        route::request4r_uri(&uri)
    }
    // The path is our own argument: a route that does not map is a usage error.
    .map_err(|e| cli_error(e).context("--path").into_usage())?;
    Ok(files::line(mapped.to_string()))
}
