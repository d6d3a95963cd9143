//! `jose klarna seal|open|route`: Klarna XS2A secure communication from a shell. The demo's Klarna
//! section is in `demo/klarna.rs`.
//!
//! ```text
//! jose klarna seal --role client|server --sign-key FILE [--sign-kid ID] --recipient-key FILE [--recipient-kid ID]
//!     JSON object on stdin; the compact JWE on stdout. client: request_id (a UUID unless the
//!     body has one) and request_timestamp added; server: response_timestamp added.
//! jose klarna open --role client|server --decrypt-key FILE [--decrypt-key FILE]... [--decrypt-kid ID]...
//!                  (--verify-key FILE [--verify-kid ID] | --verify-jwks FILE)
//!                  [--replay-store redis://HOST:PORT/DB [--replay-prefix P] [--replay-timeout-ms MS]]
//!     compact JWE on stdin; the verified JSON object on stdout. client: response_timestamp
//!     checked; server: request_id and request_timestamp checked, and the request_id recorded
//!     for the replay window: in this process only, or with --replay-store in a shared Redis, so
//!     that every process naming the same store (and prefix) refuses the replay (exit 1); a store
//!     that cannot answer within the timeout exits 2, never accepting the request unchecked.
//! jose klarna route --method M --path P [--reverse]
//!     prints the method and path to use, e.g. "POST /xs2a/v1/sessions/1/get" (with --reverse,
//!     the plain ones a server maps an encrypted request back to)
//! ```
//!
//! Keys: RSA, read as everywhere else in the CLI (PEM, DER, JWK, JWKS). A kid comes from its flag,
//! else from the JWK's own `kid`:
//! - `seal` needs both: `--sign-kid` goes into the JWS header and `--recipient-kid` into the JWE
//!   header, and the receiver chooses its keys by them (Klarna's document sets `keyId` in both
//!   headers; the ids are the ones Klarna gives out). A key without one is a usage error that
//!   says so; no kid is made up, since a derived one would be an id the receiver never issued.
//! - `open` does not need them when there is nothing to choose: a single `--decrypt-key` or
//!   `--verify-key` without kid (an `openssl genrsa` PEM) is used whatever the token's kid, or
//!   if it has none. With several `--decrypt-key` files each needs a kid: the i-th
//!   `--decrypt-kid` names the key of the i-th `--decrypt-key` (give none, and each file must be
//!   a JWK or JWKS with kids, or give one per key). A `--decrypt-key` JWKS adds all its keys.
//!
//! Exit status: 1 when stdin is rejected (not a JSON object, a bad request_id, a token that does
//! not decrypt or verify, an unknown kid, a wrong algorithm or content type, a stale timestamp);
//! 2 for a key that cannot serve the protocol, a missing kid (sealing, or one of several
//! decryption keys), an unreadable file, or a route that does not map.

use crate::error::{CliError, Result};
use crate::files;
use crate::keys::{self, KeyFile};
use crate::replay::{self, ReplayStoreArgs};
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use jose::jwk::Jwks;
use jose::{CryptoProvider, KeyMeta, Limits, PrivateKey, PublicKey};
use jose_klarna_xs2a::http::{Method, Uri};
use jose_klarna_xs2a::{
    Clock, Error, InMemoryReplayStore, KeyRing, Opener, Policy, REPLAY_WINDOW, Sealer, SystemClock,
    VerifierSet, client, route, server,
};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// `jose klarna ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum KlarnaCommand {
    /// Sign and encrypt the JSON on stdin; print the compact JWE.
    Seal(SealArgs),
    /// Decrypt and verify the JWE on stdin; print the JSON.
    Open(OpenArgs),
    /// Print the method and path of the encrypted form of a request (GET/DELETE become POST).
    Route(RouteArgs),
}

/// Which side of the protocol we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Role {
    /// We send requests and open responses.
    Client,
    /// We open requests and send responses.
    Server,
}

/// `jose klarna seal`.
#[derive(Debug, Args)]
pub(crate) struct SealArgs {
    /// Our side.
    #[arg(long, value_enum)]
    pub(crate) role: Role,
    /// Our private RSA signing key.
    #[arg(long, value_name = "FILE")]
    pub(crate) sign_key: PathBuf,
    /// The signing key's id (the JWS kid: the id the receiver knows the key by); default: the key
    /// file's. Required when the file has none (a PEM).
    #[arg(long, value_name = "ID")]
    pub(crate) sign_kid: Option<String>,
    /// The recipient's RSA public key (a private key's public half is used).
    #[arg(long, value_name = "FILE")]
    pub(crate) recipient_key: PathBuf,
    /// The recipient key's id (the JWE kid: the id the recipient gave with it); default: the key
    /// file's. Required when the file has none (a PEM).
    #[arg(long, value_name = "ID")]
    pub(crate) recipient_kid: Option<String>,
}

/// `jose klarna open`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("verify").required(true).args(["verify_key", "verify_jwks"])))]
#[command(mut_arg("replay_prefix", replay::default_prefix(replay::KLARNA_PREFIX)))]
#[command(mut_arg("replay_store", |arg| arg.help(REPLAY_STORE_HELP)))]
pub(crate) struct OpenArgs {
    /// Our side.
    #[arg(long, value_enum)]
    pub(crate) role: Role,
    /// Our private RSA decryption key, or a JWKS of them (repeatable: the key ring).
    #[arg(long, value_name = "FILE", required = true)]
    pub(crate) decrypt_key: Vec<PathBuf>,
    /// The kid of the --decrypt-key at the same position (give none or one per --decrypt-key).
    /// A single --decrypt-key needs none: it is used whatever the token's kid.
    #[arg(long, value_name = "ID")]
    pub(crate) decrypt_kid: Vec<String>,
    /// The sender's RSA public key.
    #[arg(long, value_name = "FILE")]
    pub(crate) verify_key: Option<PathBuf>,
    /// The --verify-key's id; default: the key file's. Without one the key is used whatever
    /// the token's kid.
    #[arg(long, value_name = "ID", requires = "verify_key")]
    pub(crate) verify_kid: Option<String>,
    /// The sender's public keys as a JWKS (each with a kid).
    #[arg(long, value_name = "FILE")]
    pub(crate) verify_jwks: Option<PathBuf>,
    /// (--role server) --replay-store URL [--replay-prefix P] [--replay-timeout-ms MS]: the
    /// request_id recorded for the replay window (five minutes) in a shared store.
    #[command(flatten)]
    pub(crate) replay: ReplayStoreArgs,
}

/// What `--replay-store` does here.
const REPLAY_STORE_HELP: &str = "(--role server) Record the request_id in this shared replay store, so that the same request opened again within the replay window (five minutes) by this or any other process naming the same store (and prefix) is refused (exit 1); a store that cannot answer exits 2: `redis://[user:password@]host[:port][/db]` or `rediss://...` (TLS). Without it, replay state lasts for this process only";

/// `jose klarna route`.
#[derive(Debug, Args)]
pub(crate) struct RouteArgs {
    /// The HTTP method (GET, DELETE, POST, PUT, PATCH).
    #[arg(long, value_name = "M")]
    pub(crate) method: String,
    /// The path (a query is kept) or URL.
    #[arg(long, value_name = "P")]
    pub(crate) path: String,
    /// Map an encrypted route back to the plain one (what a server does).
    #[arg(long)]
    pub(crate) reverse: bool,
}

/// Runs a `jose klarna` subcommand; returns what to print on stdout.
pub(crate) fn run(
    command: &KlarnaCommand,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    match command {
        KlarnaCommand::Seal(args) => seal(args, provider, limits),
        KlarnaCommand::Open(args) => open(args, provider, limits),
        KlarnaCommand::Route(args) => route_command(args),
    }
}

/// The library's error with the CLI's exit status, by its class (`CliError::classified`): a
/// rejected input is 1, our own side (keys, files, arguments, configuration) or the transport 2.
pub(crate) fn cli_error(err: Error) -> CliError {
    CliError::classified(err.class(), &err)
}

/// The kid a key gets: the flag's, else the key's own (an empty one counts as none).
fn kid_of(own: Option<&str>, flag: Option<&String>) -> Option<String> {
    match (flag, own) {
        (Some(kid), _) => Some(kid.clone()),
        (None, Some(kid)) if !kid.is_empty() => Some(kid.to_owned()),
        _ => None,
    }
}

/// A key's kid (from the flag, else the key's own), or a usage error naming the flag and why it
/// is needed (`why`).
fn need_kid(
    own: Option<&str>,
    flag: Option<&String>,
    what: &str,
    name: &str,
    why: &str,
) -> Result<String> {
    kid_of(own, flag).ok_or_else(|| {
        CliError::usage(format!(
            "{what} has no kid: expected {name} ID or a JWK with \"kid\", found neither ({why})"
        ))
    })
}

/// Why sealing needs the signing key's kid.
const SIGN_KID_NEEDED: &str = "the JWS header carries it and the receiver chooses your public key by it: give the id the receiver knows the key by";
/// Why sealing needs the recipient key's kid.
const RECIPIENT_KID_NEEDED: &str = "the JWE header carries it and the recipient chooses its private key by it: give the id the recipient gave with its public key";

/// Our private key with `kid`, or with none (an empty one dropped: a lone key needs none).
fn private_with_kid(key: PrivateKey, kid: Option<String>) -> PrivateKey {
    match kid {
        Some(kid) => key.with_kid(kid),
        None => {
            let meta = KeyMeta {
                kid: None,
                ..key.meta().clone()
            };
            key.with_meta(meta)
        }
    }
}

/// The sender's public key with `kid`, or with none (an empty one dropped: a lone key needs none).
fn public_with_kid(key: PublicKey, kid: Option<String>) -> PublicKey {
    match kid {
        Some(kid) => key.with_kid(kid),
        None => {
            let meta = KeyMeta {
                kid: None,
                ..key.meta().clone()
            };
            key.with_meta(meta)
        }
    }
}

fn seal(
    args: &SealArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let sign = keys::load_single(&args.sign_key, provider, limits)?;
    let sign = keys::private(&sign, "signing")?.clone();
    let sign_kid = need_kid(
        sign.kid(),
        args.sign_kid.as_ref(),
        "the signing key",
        "--sign-kid",
        SIGN_KID_NEEDED,
    )?;
    let recipient = keys::public(
        &keys::load_single(&args.recipient_key, provider, limits)?,
        "the recipient key",
    )?;
    let recipient_kid = need_kid(
        recipient.kid(),
        args.recipient_kid.as_ref(),
        "the recipient key",
        "--recipient-kid",
        RECIPIENT_KID_NEEDED,
    )?;
    let sealer = Sealer::new(sign.with_kid(sign_kid), recipient.with_kid(recipient_kid))
        .map_err(cli_error)?;
    let input = files::read_stdin()?;
    let body = jose::json::parse_object(&input, "stdin")
        .map_err(|e| CliError::rejected(format!("stdin: expected a JSON object: {e}")))?;
    let now = SystemClock.now_millis();
    let body = match args.role {
        Role::Client => {
            client::stamp_request(body, now, provider)
                .map_err(cli_error)?
                .0
        }
        Role::Server => server::stamp_response(body, now),
    };
    let token = sealer.seal(&body, provider).map_err(cli_error)?;
    Ok(files::line(token.as_bytes()))
}

/// Adds the private keys of one `--decrypt-key` file to the ring (`kid` overrides a single key's).
/// A single key without kid is allowed when it is the only `--decrypt-key` (`alone`).
fn add_decrypt_keys(
    ring: &mut KeyRing,
    path: &Path,
    kid: Option<&String>,
    alone: bool,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<()> {
    let context = |e: Error| cli_error(e).context(format!("--decrypt-key {}", path.display()));
    match keys::load(path, provider, limits)? {
        KeyFile::Single(key) => {
            let private = keys::private(&key, "--decrypt-key")?.clone();
            let kid = if alone {
                kid_of(private.kid(), kid)
            } else {
                Some(need_kid(
                    private.kid(),
                    kid,
                    &format!("--decrypt-key {}", path.display()),
                    "--decrypt-kid",
                    "with several --decrypt-key files the JWE kid chooses one, so each needs a kid",
                )?)
            };
            ring.add(private_with_kid(private, kid)).map_err(context)
        }
        KeyFile::Set(entries) => {
            if kid.is_some() {
                return Err(CliError::usage(format!(
                    "--decrypt-kid names a single key, but --decrypt-key {} is a JWKS: expected its kids in the JWKS",
                    path.display()
                )));
            }
            if entries.is_empty() {
                return Err(CliError::usage(format!(
                    "--decrypt-key {}: expected at least one key in the JWKS, found none",
                    path.display()
                )));
            }
            for entry in entries {
                let key = entry.key.map_err(|e| {
                    CliError::key(
                        format!(
                            "--decrypt-key {}: the key {:?} cannot be imported",
                            path.display(),
                            entry.kid.as_deref().unwrap_or("(no kid)")
                        ),
                        &e,
                    )
                })?;
                ring.add(keys::private(&key, "--decrypt-key")?.clone())
                    .map_err(context)?;
            }
            Ok(())
        }
    }
}

fn verifiers(
    args: &OpenArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<VerifierSet> {
    match (&args.verify_key, &args.verify_jwks) {
        (Some(path), None) => {
            // One key: used whatever the JWS kid when it has none.
            let key: PublicKey =
                keys::public(&keys::load_single(path, provider, limits)?, "--verify-key")?;
            let kid = kid_of(key.kid(), args.verify_kid.as_ref());
            VerifierSet::new()
                .with(public_with_kid(key, kid))
                .map_err(|e| cli_error(e).context(format!("--verify-key {}", path.display())))
        }
        (None, Some(path)) => {
            let bytes = files::read_file(path, "JWKS file", limits.max_key_len)?;
            let text = std::str::from_utf8(&bytes).map_err(|_| {
                CliError::usage(format!(
                    "--verify-jwks {}: expected a JWKS (UTF-8 JSON), found non-UTF-8 bytes",
                    path.display()
                ))
            })?;
            let jwks = Jwks::from_json(text, limits)
                .map_err(|e| CliError::key(format!("--verify-jwks {}", path.display()), &e))?;
            VerifierSet::from_jwks(&jwks, provider)
                .map_err(|e| cli_error(e).context(format!("--verify-jwks {}", path.display())))
        }
        _ => Err(CliError::usage(
            "expected exactly one of --verify-key and --verify-jwks",
        )),
    }
}

fn open(
    args: &OpenArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    if args.replay.replay_store.is_some() && args.role != Role::Server {
        return Err(CliError::usage(
            "--replay-store: expected --role server (a client has no replay state), found --role client",
        ));
    }
    if !args.decrypt_kid.is_empty() && args.decrypt_kid.len() != args.decrypt_key.len() {
        return Err(CliError::usage(format!(
            "expected one --decrypt-kid per --decrypt-key ({}) or none, found {}",
            args.decrypt_key.len(),
            args.decrypt_kid.len()
        )));
    }
    let mut ring = KeyRing::new();
    let alone = args.decrypt_key.len() == 1;
    for (index, path) in args.decrypt_key.iter().enumerate() {
        add_decrypt_keys(
            &mut ring,
            path,
            args.decrypt_kid.get(index),
            alone,
            provider,
            limits,
        )?;
    }
    let opener = Opener::new(ring, verifiers(args, provider, limits)?).with_limits(*limits);
    let token = files::read_token(limits.max_token_len)?;
    let opened = opener.open(&token, provider).map_err(cli_error)?;
    let now = SystemClock.now_millis();
    let policy = Policy::default();
    match args.role {
        Role::Client => {
            client::check_response(&opened.body, now, &policy).map_err(cli_error)?;
        }
        Role::Server => {
            let (request_id, _) =
                server::check_request_fields(&opened.body, now, &policy).map_err(cli_error)?;
            let window = REPLAY_WINDOW.max(policy.min_replay_window());
            match &args.replay.replay_store {
                Some(url) => record_in_shared_store(args, url, &request_id, now, window)?,
                None => {
                    // Replay state lasts for this process: one request, never a replay.
                    let store = InMemoryReplayStore::new(1);
                    server::record_request_id(&store, &request_id, now, window)
                        .map_err(cli_error)?;
                }
            }
        }
    }
    let json = serde_json::to_vec(&opened.body)
        .map_err(|e| CliError::rejected(format!("cannot print the body as JSON: {e}")))?;
    Ok(files::line(&json))
}

/// Records `request_id` in the Redis at `url` (one `SET NX PX`, bounded by
/// `--replay-timeout-ms`): a replay exits 1, a store that cannot be reached or answer exits 2.
fn record_in_shared_store(
    args: &OpenArgs,
    url: &str,
    request_id: &str,
    now: u64,
    window: std::time::Duration,
) -> Result<()> {
    args.replay.block_on(url, |store| async move {
        server::record_request_id_async(&store, request_id, now, window)
            .await
            .map_err(cli_error)
    })
}

fn route_command(args: &RouteArgs) -> Result<Zeroizing<Vec<u8>>> {
    let method = Method::from_bytes(args.method.to_ascii_uppercase().as_bytes()).map_err(|_| {
        CliError::usage(format!(
            "--method: expected an HTTP method such as GET, found {:?}",
            args.method.chars().take(32).collect::<String>()
        ))
    })?;
    let uri: Uri = args.path.parse().map_err(|_| {
        CliError::usage(format!(
            "--path: expected a path or URL, found {:?}",
            args.path.chars().take(128).collect::<String>()
        ))
    })?;
    let mapped = if uri.scheme().is_some() {
        let map = if args.reverse {
            route::from_encrypted_uri
        } else {
            route::to_encrypted_uri
        };
        map(&method, &uri).map(|(m, u)| (m, u.to_string()))
    } else {
        let map = if args.reverse {
            route::from_encrypted
        } else {
            route::to_encrypted
        };
        map(&method, &args.path)
    }
    // The method and path are our own arguments: a route that does not map is a usage error.
    .map_err(|e| cli_error(e).context("--method/--path").into_usage())?;
    Ok(files::line(format!("{} {}", mapped.0, mapped.1).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses() {
        use crate::error::Kind;
        assert_eq!(
            cli_error(Error::Key {
                context: "k".into(),
                source: None
            })
            .kind(),
            Kind::Usage
        );
        assert_eq!(cli_error(Error::BadSignature).kind(), Kind::Rejected);
        assert_eq!(
            cli_error(Error::InvalidRequestId { found: 9 }).kind(),
            Kind::Rejected
        );
    }

    #[test]
    fn kids_come_from_the_flag_or_the_key() {
        assert_eq!(need_kid(Some("a"), None, "k", "--k", "w").unwrap(), "a");
        assert_eq!(
            need_kid(Some("a"), Some(&"b".to_owned()), "k", "--k", "w").unwrap(),
            "b"
        );
        assert!(need_kid(None, None, "k", "--k", "w").is_err());
        assert!(need_kid(Some(""), None, "k", "--k", "w").is_err());
        assert_eq!(kid_of(Some(""), None), None);
        assert_eq!(kid_of(None, Some(&"b".to_owned())).as_deref(), Some("b"));
    }
}
