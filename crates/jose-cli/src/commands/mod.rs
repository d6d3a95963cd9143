//! The subcommands. Each returns the bytes for stdout; `main` writes them only on success.

mod dpop;
mod jwe;
mod jwk;
mod jws;
mod jwt;
mod keygen;

use crate::cli::{
    Cli, Command, DpopCommand, JweCommand, JwkCommand, JwsCommand, JwtCommand, KeygenCommand,
};
use crate::error::{CliError, Result};
use jose::{CryptoProvider, Header, Limits};
use zeroize::Zeroizing;

/// Runs the command line; returns what to print on stdout.
pub(crate) fn run(cli: &Cli) -> Result<Zeroizing<Vec<u8>>> {
    let provider = jose::provider_by_name(cli.provider.name()).ok_or_else(|| {
        CliError::usage(format!(
            "expected a compiled-in provider, found no provider named {:?}",
            cli.provider.name()
        ))
    })?;
    let limits = Limits::default();
    match &cli.command {
        Command::Keygen(KeygenCommand::Rsa(args)) => keygen::rsa(args, provider),
        Command::Keygen(KeygenCommand::Ec(args)) => keygen::ec(args, provider),
        Command::Keygen(KeygenCommand::Okp(args)) => keygen::okp(args, provider),
        Command::Keygen(KeygenCommand::Oct(args)) => keygen::oct(args, provider),
        Command::Jwk(JwkCommand::Import(args)) => jwk::import(args, provider, &limits),
        Command::Jwk(JwkCommand::Thumbprint(args)) => jwk::thumbprint(args, provider, &limits),
        Command::Jwe(JweCommand::Encrypt(args)) => jwe::encrypt(args, provider, &limits),
        Command::Jwe(JweCommand::Decrypt(args)) => jwe::decrypt(args, provider, &limits),
        Command::Jws(JwsCommand::Sign(args)) => jws::sign(args, provider, &limits),
        Command::Jws(JwsCommand::Verify(args)) => jws::verify(args, provider, &limits),
        Command::Jwt(JwtCommand::Sign(args)) => jwt::sign(args, provider, &limits),
        Command::Jwt(JwtCommand::Verify(args)) => jwt::verify(args, provider, &limits),
        Command::Jwt(JwtCommand::ClientAssertion(args)) => {
            jwt::client_assertion(args, provider, &limits)
        }
        Command::Dpop(DpopCommand::Proof(args)) => dpop::proof(args, provider, &limits),
        Command::Dpop(DpopCommand::Verify(args)) => dpop::verify(args, provider, &limits),
        Command::Request4r(command) => crate::request4r::run(command, provider, &limits),
        Command::Truelayer(command) => crate::truelayer::run(command, provider, &limits),
        Command::Klarna(command) => crate::klarna::run(command, provider, &limits),
        Command::FourQuays(command) => crate::fourquays::run(command, provider),
        Command::Demo => crate::demo::run(),
    }
}

/// Parses `--protected JSON`: a JSON object of extra protected header members.
fn protected_header(json: Option<&str>, limits: &Limits) -> Result<Header> {
    match json {
        None => Ok(Header::new()),
        Some(text) => Header::from_json_bytes(text.as_bytes(), limits).map_err(|e| {
            CliError::usage(format!(
                "--protected: expected a JSON object of header members: {e}"
            ))
        }),
    }
}

/// A token and its newline, as stdout bytes.
fn token_line(token: String) -> Zeroizing<Vec<u8>> {
    let mut out = token.into_bytes();
    out.push(b'\n');
    Zeroizing::new(out)
}

/// The provider named in messages.
fn provider_name(provider: &'static dyn CryptoProvider) -> &'static str {
    provider.name()
}
