//! `jose 4quays init|serve|protect|unprotect|hash-key`: the 4Quays protect/unprotect service from a
//! shell. The demo's 4Quays section is in `demo/fourquays.rs`.
//!
//! ```text
//! jose 4quays init --dir DIR          writes a working example config with freshly generated keys
//! jose 4quays serve --config FILE [--listen 127.0.0.1:8080]
//! jose 4quays protect   (--config FILE | --url URL [--ca-file PEM]) [--api-key-file FILE]
//!                       [--request-id ID]       request body on stdin, response body on stdout
//! jose 4quays unprotect (--config FILE | --url URL [--ca-file PEM]) [--api-key-file FILE]
//!                       [--request-id ID]       request body on stdin, response body on stdout
//! jose 4quays hash-key < KEYFILE      the API key on stdin; prints the hash the config stores
//! ```
//!
//! `init` writes `DIR/4quays.toml` and the files it names, all generated for it (test keys whose
//! names start with `4quays-generated-test-only-`, and the API key the config accepts). It never
//! replaces anything: if any of those names already exists in DIR (a file, a directory, a symbolic
//! link, even a dangling one) it refuses before writing any file, and each file is created with
//! create-new semantics (an open that neither follows a symbolic link nor truncates); the private
//! keys and the API key file are created with mode 0600. `serve` runs the HTTP service until
//! ctrl-c or SIGTERM: it prints `jose 4quays: listening on http://ADDR` on stderr, then one JSON
//! audit line per request; `--listen` overrides the config's `[server] listen` (default
//! `127.0.0.1:8080`; port 0 picks a free port).
//!
//! `protect` and `unprotect` send the request body on stdin with `Authorization: Bearer KEY`:
//! with `--config FILE` to the engine run in-process on that configuration, with `--url URL` to
//! the 4Quays service at that base URL (`https://api.4quays.com`, `http://127.0.0.1:8080`) over
//! HTTP or HTTPS. HTTPS checks the server's certificate against the system's root certificates,
//! or with `--ca-file PEM` against the CA certificates of that file only; a connection may take
//! 10 s and a whole request 30 s. Exactly one of `--config` and `--url` is given. The API key
//! never goes on the command line: it is read from `--api-key-file FILE` (at most 4 KiB) or, when
//! that flag is absent, from the environment variable `FOURQUAYS_API_KEY`; surrounding ASCII
//! whitespace (a trailing newline) is trimmed, and an empty key is a usage error. `hash-key` reads
//! the key from stdin the same way.
//!
//! Exit status as everywhere in `jose` (0 success, 2 usage, I/O, key or configuration error, with
//! one `error: ...` line on stderr and nothing on stdout), except that `protect` and `unprotect`
//! print the response body (one line of JSON) on stdout whenever the service answered, and exit 1,
//! with an `error: the service answered STATUS CODE` line, when its status is not 2xx. With
//! `--url`, a transport failure (connection refused, TLS failure, timeout: the service never
//! answered) is exit status 2 with one `error: ...` line and nothing on stdout; an answer larger
//! than 32 MiB is not read, and is exit status 1 with one `error: ...` line and nothing on stdout.

use crate::error::{CliError, Result};
use crate::files;
use clap::{ArgGroup, Args, Subcommand};
use jose::CryptoProvider;
use jose_4quays::client::Client;
use jose_4quays::config::{EXAMPLE_CONFIG_NAME, EXAMPLE_POLICIES, Example};
use jose_4quays::engine::Engine;
use jose_4quays::{AsyncClient, ClientOptions};
use jose_4quays::{Config, Error, Operation};
use serde_json::Value;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The address `serve` listens on when neither `--listen` nor the config names one.
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The environment variable `protect` and `unprotect` read the API key from when
/// `--api-key-file` is absent.
const API_KEY_ENV: &str = "FOURQUAYS_API_KEY";

/// Largest API key read (from a file, the environment or stdin), in bytes.
const MAX_API_KEY_BYTES: usize = 4096;

/// `jose 4quays ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum FourQuaysCommand {
    /// Write a working example configuration with freshly generated test keys.
    Init(InitArgs),
    /// Run the HTTP service (POST /api/v1/protect, /api/v1/unprotect; GET /healthz).
    Serve(ServeArgs),
    /// Protect: the request body on stdin, the response body on stdout (in-process with
    /// --config, or a 4Quays service with --url).
    Protect(CallArgs),
    /// Unprotect: the request body on stdin, the response body on stdout (in-process with
    /// --config, or a 4Quays service with --url).
    Unprotect(CallArgs),
    /// Print the SHA-256 (hex) of the API key read from stdin, as the configuration stores it.
    HashKey,
}

/// `jose 4quays init`.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The directory to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,
}

/// `jose 4quays serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The configuration file.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: PathBuf,
    /// Address to listen on (overrides the config's; default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    pub(crate) listen: Option<String>,
    /// Serve plain HTTP on an address that is not loopback (API keys and payloads in clear
    /// text), as `[server] insecure_http = true` does.
    #[arg(long)]
    pub(crate) insecure_http: bool,
}

/// `jose 4quays protect` and `unprotect`: exactly one of `--config` and `--url`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").args(["config", "url"]).required(true).multiple(false)))]
pub(crate) struct CallArgs {
    /// Run the engine in-process on this configuration file.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Call the 4Quays service at this base URL (http:// or https://, e.g.
    /// https://api.4quays.com).
    #[arg(long, value_name = "URL")]
    pub(crate) url: Option<String>,
    /// With --url: trust only the CA certificates of this PEM file (default: the system's roots).
    // `requires` alone would not do: clap drops a requirement that conflicts with a present
    // argument (--url with --config), so the conflict is spelt out.
    #[arg(long, value_name = "PEM", requires = "url", conflicts_with = "config")]
    pub(crate) ca_file: Option<PathBuf>,
    /// Read the API key from this file (default: the environment variable FOURQUAYS_API_KEY).
    #[arg(long, value_name = "FILE")]
    pub(crate) api_key_file: Option<PathBuf>,
    /// The request id (1 to 128 visible ASCII characters, ! to ~); default a new UUID.
    #[arg(long, value_name = "ID")]
    pub(crate) request_id: Option<String>,
}

/// The library's error with the CLI's exit status, by its class (`CliError::classified`): a
/// rejected input is 1, our own side (keys, files, arguments, configuration) or the transport 2.
pub(crate) fn cli_error(err: Error) -> CliError {
    CliError::classified(err.class(), &err)
}

/// The service's answer to protect or unprotect (in-process or remote).
struct Answer {
    /// The response body and its newline.
    stdout: Zeroizing<Vec<u8>>,
    /// `None` for 2xx, else the one-line reason.
    failure: Option<String>,
}

impl Answer {
    /// The answer with HTTP status `status` and `body`.
    fn new(status: u16, body: Vec<u8>) -> Answer {
        let mut stdout = Zeroizing::new(body);
        let failure = (!(200..300).contains(&status)).then(|| {
            let code = serde_json::from_slice::<Value>(&stdout)
                .ok()
                .and_then(|v| {
                    field(field(&v, "error"), "code")
                        .as_str()
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            if code.is_empty() {
                format!("the service answered {status}")
            } else {
                format!("the service answered {status} {code}")
            }
        });
        stdout.push(b'\n');
        Answer { stdout, failure }
    }
}

/// The API key for protect and unprotect: from `--api-key-file`, else from `FOURQUAYS_API_KEY`;
/// surrounding ASCII whitespace trimmed; never empty.
fn api_key(args: &CallArgs) -> Result<Zeroizing<String>> {
    if let Some(path) = &args.api_key_file {
        let raw = files::read_file(path, "API key file", MAX_API_KEY_BYTES)?;
        let source = format!("API key file {}", path.display());
        return secret_text(&raw, &source)?.ok_or_else(|| {
            CliError::usage(format!(
                "{source}: expected an API key, found an empty file (or only whitespace)"
            ))
        });
    }
    let neither = |found: &str| {
        CliError::usage(format!(
            "expected the API key in a file named by --api-key-file FILE or in the environment variable {API_KEY_ENV}, found {found}"
        ))
    };
    let raw = match std::env::var(API_KEY_ENV) {
        Ok(value) => Zeroizing::new(value.into_bytes()),
        Err(std::env::VarError::NotPresent) => {
            return Err(neither(&format!(
                "neither (no --api-key-file, {API_KEY_ENV} unset)"
            )));
        }
        Err(std::env::VarError::NotUnicode(value)) => {
            // Wipe what we were given before refusing it.
            drop(Zeroizing::new(value.into_encoded_bytes()));
            return Err(CliError::usage(format!(
                "environment variable {API_KEY_ENV}: expected an API key in UTF-8, found other bytes"
            )));
        }
    };
    if raw.len() > MAX_API_KEY_BYTES {
        return Err(CliError::usage(format!(
            "environment variable {API_KEY_ENV} is too large: expected at most {MAX_API_KEY_BYTES} bytes, found more"
        )));
    }
    secret_text(&raw, &format!("environment variable {API_KEY_ENV}"))?
        .ok_or_else(|| neither(&format!("{API_KEY_ENV} empty (or only whitespace)")))
}

/// `raw` as UTF-8 text with surrounding ASCII whitespace trimmed; `None` when nothing is left.
/// `source` names where it came from in messages (never the contents).
fn secret_text(raw: &[u8], source: &str) -> Result<Option<Zeroizing<String>>> {
    let text = std::str::from_utf8(raw).map_err(|_| {
        CliError::usage(format!(
            "{source}: expected an API key in UTF-8, found other bytes"
        ))
    })?;
    let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
    Ok((!trimmed.is_empty()).then(|| Zeroizing::new(trimmed.to_owned())))
}

/// Runs protect or unprotect with the body on stdin: in-process on the config (`--config`), or
/// against the service at `--url`.
fn call(
    operation: Operation,
    args: &CallArgs,
    provider: &'static dyn CryptoProvider,
) -> Result<Answer> {
    let api_key = api_key(args)?;
    match (&args.config, &args.url) {
        (Some(config), None) => {
            let engine = load_engine(config, provider)?;
            let client = Client::new("http://localhost", &api_key).map_err(cli_error)?;
            let request = build_request(&client, operation, args)?;
            let response = engine.handle(operation, &request).response;
            Ok(Answer::new(
                response.status().as_u16(),
                response.into_body(),
            ))
        }
        (None, Some(url)) => {
            let options = ClientOptions {
                ca_file: args.ca_file.clone(),
                ..ClientOptions::default()
            };
            let client = AsyncClient::with_options(url, &api_key, &options).map_err(cli_error)?;
            let request = build_request(client.requests(), operation, args)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| CliError::usage(format!("cannot start the async runtime: {e}")))?;
            let response = runtime.block_on(client.send(request)).map_err(cli_error)?;
            Ok(Answer::new(
                response.status().as_u16(),
                response.into_body(),
            ))
        }
        _ => Err(CliError::usage(
            "expected exactly one of --config FILE and --url URL, found both or neither",
        )),
    }
}

/// The request for `operation` with the body on stdin and `--request-id`.
fn build_request(
    client: &Client,
    operation: Operation,
    args: &CallArgs,
) -> Result<http::Request<Vec<u8>>> {
    let body = files::read_stdin()?;
    client
        .request(operation, body.to_vec(), args.request_id.as_deref())
        .map_err(|e| cli_error(e).context("--request-id"))
}

/// For `main`: runs `jose 4quays protect|unprotect` itself, because their stdout is printed even
/// when they fail. `None` for every other command.
pub(crate) fn intercept(cli: &crate::cli::Cli) -> Option<ExitCode> {
    let crate::cli::Command::FourQuays(command) = &cli.command else {
        return None;
    };
    let (operation, args) = match command {
        FourQuaysCommand::Protect(args) => (Operation::Protect, args),
        FourQuaysCommand::Unprotect(args) => (Operation::Unprotect, args),
        _ => return None,
    };
    let outcome = jose::provider_by_name(cli.provider.name())
        .ok_or_else(|| CliError::usage("expected a compiled-in provider, found none by that name"))
        .and_then(|provider| call(operation, args, provider));
    Some(match outcome {
        Ok(answer) => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(&answer.stdout)
                .and_then(|()| stdout.flush())
            {
                eprintln!("error: cannot write to stdout: {e}");
                return Some(ExitCode::from(2));
            }
            match answer.failure {
                None => ExitCode::SUCCESS,
                Some(why) => {
                    eprintln!("error: {why}");
                    ExitCode::from(1)
                }
            }
        }
        Err(err) => {
            eprintln!("error: {}", err.one_line());
            err.exit_code()
        }
    })
}

/// Runs a `jose 4quays` subcommand; returns what to print on stdout. (`main` runs protect and
/// unprotect through [`intercept`]; here a non-2xx answer is an error without stdout.)
pub(crate) fn run(
    command: &FourQuaysCommand,
    provider: &'static dyn CryptoProvider,
) -> Result<Zeroizing<Vec<u8>>> {
    match command {
        FourQuaysCommand::Init(args) => init(args, provider),
        FourQuaysCommand::Serve(args) => serve(args, provider),
        FourQuaysCommand::Protect(args) => finish(call(Operation::Protect, args, provider)?),
        FourQuaysCommand::Unprotect(args) => finish(call(Operation::Unprotect, args, provider)?),
        FourQuaysCommand::HashKey => {
            let raw = files::read_stdin_secret("the API key", MAX_API_KEY_BYTES)?;
            let key = secret_text(&raw, "hash-key")?.ok_or_else(|| {
                CliError::usage(
                    "hash-key: expected an API key on stdin, found nothing (or only whitespace)",
                )
            })?;
            Ok(files::line(jose_4quays::hash_api_key(&key, provider)))
        }
    }
}

fn finish(answer: Answer) -> Result<Zeroizing<Vec<u8>>> {
    match answer.failure {
        None => Ok(answer.stdout),
        Some(why) => Err(CliError::rejected(why)),
    }
}

fn load_engine(path: &Path, provider: &'static dyn CryptoProvider) -> Result<Engine> {
    let (config, base) = Config::load(path).map_err(cli_error)?;
    config.engine(&base, provider).map_err(cli_error)
}

fn serve(args: &ServeArgs, provider: &'static dyn CryptoProvider) -> Result<Zeroizing<Vec<u8>>> {
    use jose_4quays::server::{Service, telemetry};
    let mut service = Service::from_config_file(&args.config, provider).map_err(cli_error)?;
    if args.insecure_http {
        service = service.insecure_http(true);
    }
    let listen = args
        .listen
        .clone()
        .or(service.settings().listen.clone())
        .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let scheme = if service.settings().tls.is_some() {
        "https"
    } else {
        "http"
    };
    let logs = telemetry::init_json_logs(std::io::stderr(), service.settings().log_queue_lines)
        .map_err(cli_error)?;
    service
        .metrics()
        .set_log_dropped_source(logs.dropped_counter());
    let config_path = args.config.display().to_string();
    let workers = service.crypto_workers();
    jose_4quays::server::run_until_signal(&listen, Arc::new(service), |addr| {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(
            stderr,
            "jose 4quays: listening on {scheme}://{addr} (config {config_path}, provider {}, {workers} crypto workers); SIGHUP reloads the config, ctrl-c or SIGTERM stops",
            provider.name()
        );
    })
    .map_err(cli_error)?;
    drop(logs);
    Ok(Zeroizing::new(Vec::new()))
}

fn init(args: &InitArgs, provider: &'static dyn CryptoProvider) -> Result<Zeroizing<Vec<u8>>> {
    let config_path = args.dir.join(EXAMPLE_CONFIG_NAME);
    // The configuration first, before spending time on key generation; then every file.
    refuse_existing(&config_path)?;
    let (ca, cert, key) = test_pki()?;
    let example = Example::generate(provider)
        .map_err(cli_error)?
        .with_tls(ca, cert, key);
    for file in &example.files {
        refuse_existing(&args.dir.join(&file.name))?;
    }
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| CliError::io("create", "directory", &args.dir, &e))?;
    let mut created: Vec<PathBuf> = Vec::new();
    for file in &example.files {
        let path = args.dir.join(&file.name);
        let what = if file.secret { "secret file" } else { "file" };
        if let Err(e) = files::create_new_file(&path, what, file.contents.as_bytes(), file.secret) {
            // Something appeared since the check, or a write failed (create_new_file has removed
            // its own partial file): take back the files this run created, and only those, so a
            // refusal leaves nothing half done.
            for path in &created {
                let _ = std::fs::remove_file(path);
            }
            return Err(e.context("init"));
        }
        created.push(path);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "wrote {} and the files it uses, generated for it (test keys only):",
        config_path.display()
    );
    for file in &example.files {
        let _ = writeln!(
            out,
            "  {}{}",
            args.dir.join(&file.name).display(),
            if file.secret { "  (owner-only)" } else { "" }
        );
    }
    let api_key_file = example
        .files
        .iter()
        .find(|f| f.name.ends_with("api-key.txt"))
        .map(|f| args.dir.join(&f.name).display().to_string())
        .unwrap_or_default();
    let config = config_path.display();
    let _ = writeln!(out, "\npolicies:");
    for (number, what) in EXAMPLE_POLICIES {
        let _ = writeln!(out, "  {number:<24} {what}");
    }
    let _ = writeln!(
        out,
        "\nthe API key is in {api_key_file}; the config holds its SHA-256 only:\n  jose 4quays hash-key < {api_key_file}"
    );
    let _ = writeln!(
        out,
        "\nrun the service:\n  jose 4quays serve --config {config}"
    );
    let _ = writeln!(
        out,
        "\nthen, from another shell:\n  echo '{{\"payload\":{{\"transferId\":\"txn-12345\",\"amount\":5000}},\"policyNumber\":\"RBC-TRANSFER-001\"}}' \\\n    | jose 4quays protect --url http://127.0.0.1:8080 --api-key-file {api_key_file}"
    );
    let _ = writeln!(
        out,
        "or with curl (the header read from stdin, so the key stays off the command line):\n  printf 'Authorization: Bearer %s\\n' \"$(cat {api_key_file})\" \\\n    | curl -sS -X POST http://127.0.0.1:8080/api/v1/protect -H @- -H \"Content-Type: application/json\" \\\n    -d '{{\"payload\":{{\"transferId\":\"txn-12345\",\"amount\":5000}},\"policyNumber\":\"RBC-TRANSFER-001\"}}'"
    );
    let _ = writeln!(
        out,
        "\nor without a server:\n  echo '{{\"payload\":[1,2,3]}}' | jose 4quays protect --config {config} --api-key-file {api_key_file}"
    );
    Ok(Zeroizing::new(out.into_bytes()))
}

/// For `init`: a test-only CA and a server certificate for localhost, 127.0.0.1 and ::1 signed by
/// it (ECDSA P-256, made with rcgen on aws-lc-rs): (CA PEM, certificate PEM, key PEM).
fn test_pki() -> Result<(String, String, Zeroizing<String>)> {
    let fail = |e: rcgen::Error| {
        CliError::usage(format!("init: cannot make the test TLS certificate: {e}"))
    };
    let ca_key = rcgen::KeyPair::generate().map_err(fail)?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "4quays generated test-only CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(fail)?;
    let key = rcgen::KeyPair::generate().map_err(fail)?;
    let mut params = rcgen::CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])
    .map_err(fail)?;
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        "4quays generated test-only server",
    );
    let cert = params.signed_by(&key, &ca).map_err(fail)?;
    Ok((ca.pem(), cert.pem(), Zeroizing::new(key.serialize_pem())))
}

/// For `init`: a usage error naming `path` if anything is there (a file, a directory, a symbolic
/// link, even a dangling one: the link itself is looked at, never followed).
fn refuse_existing(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => {
            let found = if meta.file_type().is_symlink() {
                "a symbolic link"
            } else if meta.is_dir() {
                "a directory"
            } else {
                "a file"
            };
            Err(CliError::usage(format!(
                "init: expected no file at {}, found {found} (init never overwrites: remove it or choose another --dir); nothing was written",
                path.display()
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CliError::io("check", "file", path, &e)),
    }
}

/// A member of a JSON object, or `null`.
pub(crate) fn field<'a>(value: &'a Value, name: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    value.get(name).unwrap_or(&NULL)
}
