//! `jose truelayer sign|verify|header`: TrueLayer request signing v2 from a shell. The demo's
//! TrueLayer section is in `demo/truelayer.rs`.
//!
//! ```text
//! jose truelayer sign --key FILE --kid ID --method M --path P [--header 'Name: value']...
//!                     [--body FILE] [--jku URL] [--webhook]
//!     prints the Tl-Signature value and one newline
//! jose truelayer verify (--key FILE | --jwks FILE) --method M --path P [--header 'Name: value']...
//!                       [--require-header NAME]... [--body FILE] [--allow-v1]
//!                       [--webhook-max-age SECONDS] --signature SIG
//!     prints one line saying what verified
//! jose truelayer header --signature SIG
//!     prints the decoded JOSE header as JSON (unverified) and one newline
//! ```
//!
//! `--header 'Name: value'` splits at the first ':'; spaces and tabs around the name and the value
//! are dropped. `sign` signs the headers in the order given, with the casing given; `verify` takes
//! them as the request's headers (any order and casing; the signature says which are signed).
//! `--body FILE` absent means an empty body; `-` reads stdin. The signature is taken with
//! surrounding whitespace trimmed.
//!
//! `sign` follows TrueLayer's document: the signed headers must include a non-empty
//! `Idempotency-Key` (`--webhook` signs a webhook, which has none), and the path has no trailing
//! slash (the root path `/` excepted); either mistake exits 2 before anything is signed.
//!
//! `verify --webhook-max-age SECONDS` checks a webhook's freshness on the system clock: its
//! `X-Tl-Webhook-Timestamp` (give it with `--header`) must be an RFC 3339 date-time at most that
//! many seconds from now, either way, and signed; otherwise exit 1. 300 is a sensible value.
//!
//! Keys: `sign` needs an EC P-521 private key file (PEM SEC1 or PKCS#8, DER, JWK, or a JWKS with one
//! key). `verify --key` takes a public or private key file (a JWKS there is used as `--jwks`);
//! `verify --jwks` chooses the key by the signature's kid among the EC P-521 keys, left-padding
//! short coordinates as TrueLayer publishes them.
//!
//! Exit status: 1 when the signature or the request is rejected (malformed, unsupported, a missing
//! or unsigned header, no key for the kid, a bad signature, a webhook timestamp missing, malformed
//! or out of the window); 2 for a key that is not P-521, an
//! unreadable file, a bad `--header` or `--path`, a request to sign without `Idempotency-Key`.

use crate::error::{CliError, Result};
use crate::files;
use crate::keys::{self, KeyFile};
use clap::{ArgGroup, Args, Subcommand};
use jose::{CryptoProvider, Jwks, Limits, PublicKey};
use jose_truelayer_signing::{
    Error, Es512SigningKey, Signer, TlVersion, Verified, Verifier, WebhookFreshness, extract_header,
};
use std::path::{Path, PathBuf};
use std::time::Duration;
use zeroize::Zeroizing;

/// `jose truelayer ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum TruelayerCommand {
    /// Sign a request; print the Tl-Signature value.
    Sign(SignArgs),
    /// Verify a request's Tl-Signature.
    Verify(VerifyArgs),
    /// Print a Tl-Signature's JOSE header (unverified).
    Header(HeaderArgs),
}

/// `jose truelayer sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The EC P-521 private key.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// The key id (the one TrueLayer's console shows for the uploaded public key).
    #[arg(long, value_name = "ID")]
    pub(crate) kid: String,
    /// The HTTP method (upper-cased).
    #[arg(long, value_name = "M")]
    pub(crate) method: String,
    /// The absolute path, starting with '/', without a trailing '/' (the root path '/' excepted).
    #[arg(long, value_name = "P")]
    pub(crate) path: String,
    /// A header to sign, 'Name: value' (repeatable; signed in this order). Idempotency-Key is
    /// required unless --webhook.
    #[arg(long = "header", value_name = "'Name: value'", value_parser = parse_header)]
    pub(crate) headers: Vec<(String, String)>,
    /// The body (absent: empty; '-': stdin).
    #[arg(long, value_name = "FILE")]
    pub(crate) body: Option<PathBuf>,
    /// A jku (JWKS URL) for the header.
    #[arg(long, value_name = "URL")]
    pub(crate) jku: Option<String>,
    /// Sign a webhook, as TrueLayer does: no Idempotency-Key is required (a request to
    /// TrueLayer's API must sign one).
    #[arg(long)]
    pub(crate) webhook: bool,
}

/// `jose truelayer verify`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("keys").required(true).args(["key", "jwks"])))]
pub(crate) struct VerifyArgs {
    /// The public (or private) key; a JWKS is used as with --jwks.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// A JWKS, searched by the signature's kid.
    #[arg(long, value_name = "FILE")]
    pub(crate) jwks: Option<PathBuf>,
    /// The HTTP method.
    #[arg(long, value_name = "M")]
    pub(crate) method: String,
    /// The absolute path, starting with '/'.
    #[arg(long, value_name = "P")]
    pub(crate) path: String,
    /// A request header, 'Name: value' (repeatable).
    #[arg(long = "header", value_name = "'Name: value'", value_parser = parse_header)]
    pub(crate) headers: Vec<(String, String)>,
    /// A header that must be signed (repeatable).
    #[arg(long = "require-header", value_name = "NAME")]
    pub(crate) required: Vec<String>,
    /// The body (absent: empty; '-': stdin).
    #[arg(long, value_name = "FILE")]
    pub(crate) body: Option<PathBuf>,
    /// Also accept the legacy v1 (body-only) form.
    #[arg(long)]
    pub(crate) allow_v1: bool,
    /// Check the webhook's freshness: its X-Tl-Webhook-Timestamp must be signed and at most this
    /// many seconds from the system clock, either way (e.g. 300).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) webhook_max_age: Option<u64>,
    /// The Tl-Signature value.
    #[arg(long, value_name = "SIG")]
    pub(crate) signature: String,
}

/// `jose truelayer header`.
#[derive(Debug, Args)]
pub(crate) struct HeaderArgs {
    /// The Tl-Signature value.
    #[arg(long, value_name = "SIG")]
    pub(crate) signature: String,
}

/// Parses `--header 'Name: value'`.
fn parse_header(s: &str) -> std::result::Result<(String, String), String> {
    let Some((name, value)) = s.split_once(':') else {
        return Err(format!(
            "expected 'Name: value', found no ':' in {:?}",
            s.chars().take(64).collect::<String>()
        ));
    };
    let ows: &[char] = &[' ', '\t'];
    let name = name.trim_matches(ows);
    if name.is_empty() {
        return Err("expected 'Name: value', found an empty name".into());
    }
    Ok((name.to_owned(), value.trim_matches(ows).to_owned()))
}

/// Runs a `jose truelayer` subcommand; returns what to print on stdout.
pub(crate) fn run(
    command: &TruelayerCommand,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    match command {
        TruelayerCommand::Sign(args) => sign(args, provider, limits),
        TruelayerCommand::Verify(args) => verify(args, provider, limits),
        TruelayerCommand::Header(args) => header(args),
    }
}

/// The library's error with the CLI's exit status, by its class (`CliError::classified`): a
/// rejected input is 1, our own side (keys, files, arguments, configuration) or the transport 2.
pub(crate) fn cli_error(err: Error) -> CliError {
    CliError::classified(err.class(), &err)
}

/// The body: empty without `--body`, stdin for `-`, else the file.
fn read_body(path: Option<&Path>, limits: &Limits) -> Result<Zeroizing<Vec<u8>>> {
    match path {
        None => Ok(Zeroizing::new(Vec::new())),
        Some(p) if p.as_os_str() == "-" => files::read_stdin(),
        Some(p) => files::read_file(p, "body file", limits.max_token_len),
    }
}

fn sign(
    args: &SignArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let key = keys::load_single(&args.key, provider, limits)?;
    let key = Es512SigningKey::from_private_key(keys::private(&key, "truelayer sign")?.clone())
        .map_err(|e| cli_error(e).context(format!("key file {}", args.key.display())))?;
    let body = read_body(args.body.as_deref(), limits)?;
    let signer = if args.webhook {
        Signer::webhook(&args.kid)
    } else {
        Signer::new(&args.kid)
    };
    let mut signer = signer.method(&args.method).path(&args.path).body(&body);
    for (name, value) in &args.headers {
        signer = signer.header(name, value);
    }
    if let Some(jku) = &args.jku {
        signer = signer.jku(jku);
    }
    let signature = signer.sign(&key).map_err(|e| match e {
        // Say how to fix it with this command's flags.
        Error::MissingIdempotencyKey { .. } => CliError::usage(format!(
            "{}; add --header 'Idempotency-Key: <a unique id>', or pass --webhook to sign a webhook",
            jose::error::display_chain(&e)
        )),
        e => cli_error(e),
    })?;
    Ok(files::line(&signature))
}

/// How `verify` got its keys.
enum VerifyKeys {
    One(PublicKey),
    Set(Jwks),
}

fn load_jwks(path: &Path, limits: &Limits) -> Result<Jwks> {
    let bytes = files::read_file(path, "JWKS file", limits.max_key_len)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        CliError::usage(format!(
            "JWKS file {}: expected UTF-8 JSON, found other bytes",
            path.display()
        ))
    })?;
    Jwks::from_json(text, limits)
        .map_err(|e| CliError::key(format!("JWKS file {}", path.display()), &e))
}

fn verify(
    args: &VerifyArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let keys = match (&args.key, &args.jwks) {
        (Some(path), _) => match keys::load(path, provider, limits)? {
            KeyFile::Single(key) => VerifyKeys::One(keys::public(&key, "--key")?),
            KeyFile::Set(_) => VerifyKeys::Set(load_jwks(path, limits)?),
        },
        (None, Some(path)) => VerifyKeys::Set(load_jwks(path, limits)?),
        (None, None) => return Err(CliError::usage("expected --key or --jwks, found neither")),
    };
    let verifier = match &keys {
        VerifyKeys::One(key) => Verifier::new(key).map_err(|e| {
            cli_error(e).context(format!(
                "key file {}",
                args.key.as_deref().unwrap_or(Path::new("")).display()
            ))
        })?,
        VerifyKeys::Set(jwks) => Verifier::from_jwks(jwks, provider),
    };
    let body = read_body(args.body.as_deref(), limits)?;
    let mut verifier = verifier
        .method(&args.method)
        .path(&args.path)
        .body(&body)
        .allow_v1(args.allow_v1)
        .headers(args.headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())));
    for name in &args.required {
        verifier = verifier.require_header(name);
    }
    if let Some(seconds) = args.webhook_max_age {
        verifier = verifier.webhook_freshness(WebhookFreshness::new(Duration::from_secs(seconds)));
    }
    let verified = verifier.verify(args.signature.trim()).map_err(cli_error)?;
    Ok(files::line(describe(&verified)))
}

/// One line saying what verified.
pub(crate) fn describe(v: &Verified) -> String {
    let mut text = match v.version {
        TlVersion::V1 => format!("verified: v1 (body only), kid {:?}", v.header.kid),
        _ => format!(
            "verified: v2, kid {:?}, signed headers [{}]",
            v.header.kid,
            v.signed_headers.join(", ")
        ),
    };
    if let Some(jku) = &v.header.jku {
        text.push_str(&format!(", jku {jku:?}"));
    }
    if v.path_retried {
        text.push_str(", after the trailing-slash retry");
    }
    text
}

fn header(args: &HeaderArgs) -> Result<Zeroizing<Vec<u8>>> {
    let header = extract_header(args.signature.trim()).map_err(cli_error)?;
    Ok(files::line(header.header.to_json()))
}
