//! `jose truelayer sign|verify|header`: TrueLayer request signing v2 from a shell, and the demo's
//! TrueLayer section.
//!
//! ```text
//! jose truelayer sign --key FILE --kid ID --method M --path P [--header 'Name: value']...
//!                     [--body FILE] [--jku URL]
//!     prints the Tl-Signature value and one newline
//! jose truelayer verify (--key FILE | --jwks FILE) --method M --path P [--header 'Name: value']...
//!                       [--require-header NAME]... [--body FILE] [--allow-v1] --signature SIG
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
//! Keys: `sign` needs an EC P-521 private key file (PEM SEC1 or PKCS#8, DER, JWK, or a JWKS with one
//! key). `verify --key` takes a public or private key file (a JWKS there is used as `--jwks`);
//! `verify --jwks` chooses the key by the signature's kid among the EC P-521 keys, left-padding
//! short coordinates as TrueLayer publishes them.
//!
//! Exit status: 1 when the signature or the request is rejected (malformed, unsupported, a missing
//! or unsigned header, no key for the kid, a bad signature); 2 for a key that is not P-521, an
//! unreadable file, a bad `--header` or `--path`.

use crate::demo::Demo;
use crate::error::{CliError, Result};
use crate::files;
use crate::keys::{self, KeyFile};
use clap::{ArgGroup, Args, Subcommand};
use jose::{CryptoProvider, EcCurve, Jwks, Limits, PublicKey};
use jose_truelayer_signing::{
    Error, Es512SigningKey, ExternalSigner, JkuAllowList, Signer, TlVersion, Verified, Verifier,
    extract_header, sign_request,
};
use std::path::{Path, PathBuf};
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
    /// The absolute path, starting with '/'.
    #[arg(long, value_name = "P")]
    pub(crate) path: String,
    /// A header to sign, 'Name: value' (repeatable; signed in this order).
    #[arg(long = "header", value_name = "'Name: value'", value_parser = parse_header)]
    pub(crate) headers: Vec<(String, String)>,
    /// The body (absent: empty; '-': stdin).
    #[arg(long, value_name = "FILE")]
    pub(crate) body: Option<PathBuf>,
    /// A jku (JWKS URL) for the header.
    #[arg(long, value_name = "URL")]
    pub(crate) jku: Option<String>,
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
    provider: &dyn CryptoProvider,
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
fn cli_error(err: Error) -> CliError {
    CliError::classified(err.class(), &err)
}

fn line(text: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(text.len().saturating_add(1)));
    out.extend_from_slice(text.as_bytes());
    out.push(b'\n');
    out
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
    provider: &dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let key = keys::load_single(&args.key, provider, limits)?;
    let key = Es512SigningKey::from_private_key(key.private("truelayer sign")?.clone())
        .map_err(|e| cli_error(e).context(format!("key file {}", args.key.display())))?;
    let body = read_body(args.body.as_deref(), limits)?;
    let mut signer = Signer::new(&args.kid)
        .method(&args.method)
        .path(&args.path)
        .body(&body);
    for (name, value) in &args.headers {
        signer = signer.header(name, value);
    }
    if let Some(jku) = &args.jku {
        signer = signer.jku(jku);
    }
    let signature = signer.sign(&key).map_err(cli_error)?;
    Ok(line(&signature))
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
    provider: &dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let keys = match (&args.key, &args.jwks) {
        (Some(path), _) => match keys::load(path, provider, limits)? {
            KeyFile::Single(key) => VerifyKeys::One(key.public()),
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
    let verified = verifier.verify(args.signature.trim()).map_err(cli_error)?;
    Ok(line(&describe(&verified)))
}

/// One line saying what verified.
fn describe(v: &Verified) -> String {
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
    Ok(line(&header.header.to_json()))
}

// ----- the demo section -----

const KID: &str = "45fc75cf-5649-4134-84b3-192c2c78e990";
const FIXTURE_PUBLIC: &str =
    include_str!("../../truelayer-signing/tests/vectors/test-only-ec512-public.pem");
const FIXTURE_JWKS: &str =
    include_str!("../../truelayer-signing/tests/vectors/test-only-jwks.json");
const FIXTURE_API: &str = include_str!("../../truelayer-signing/tests/vectors/tl-signature.txt");
const FIXTURE_WEBHOOK: &str =
    include_str!("../../truelayer-signing/tests/vectors/webhook-signature.txt");

/// Fails the demo unless `result` is the expected rejection.
fn expect_rejection<T>(
    result: std::result::Result<T, Error>,
    expected: fn(&Error) -> bool,
    what: &str,
) -> Result<String> {
    match result {
        Err(e) if expected(&e) => Ok(e.to_string()),
        Err(e) => Err(CliError::rejected(format!(
            "demo: expected {what} to be rejected differently, found: {e}"
        ))),
        Ok(_) => Err(CliError::rejected(format!(
            "demo: expected {what} to be rejected, found it accepted"
        ))),
    }
}

/// A public key moved to another provider through SPKI DER.
fn public_on(key: &jose::PrivateKey, provider: &dyn CryptoProvider) -> Result<PublicKey> {
    Ok(PublicKey::from_der(
        &key.public_key().to_spki_der()?,
        provider,
    )?)
}

/// The demo's TrueLayer section: a payout request signed on one provider and verified on the
/// other (with header case and order changed, then tampered), an external signer, an
/// `http::Request`, a webhook through a JWKS and the jku allow-list, and TrueLayer's published
/// signatures.
pub(crate) fn demo(demo: &mut Demo) -> Result<()> {
    const PATH: &str = "/v3/payouts";
    const IDEMP: &str = "619410b3-b00c-406e-bb1b-2982f97edb8b";
    const BODY: &[u8] =
        br#"{"merchant_account_id":"a61acaef","amount_in_minor":100,"currency":"GBP"}"#;
    for (a, b) in demo.pairs()? {
        let label = format!("{} -> {}", a.name(), b.name());
        let private = a.ec(EcCurve::P521)?.clone();
        let kid = private.kid().unwrap_or("demo").to_owned();
        let key = Es512SigningKey::from_private_key(private.clone()).map_err(cli_error)?;
        let signature = Signer::new(&kid)
            .method("post")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .header("X-Request-Id", "demo-1")
            .body(BODY)
            .sign(&key)
            .map_err(cli_error)?;
        let header = extract_header(&signature).map_err(cli_error)?;
        demo.step(
            &label,
            format_args!(
                "signed POST {PATH} on {}: header {}, {} bytes",
                a.name(),
                header.header.to_json(),
                signature.len()
            ),
        );
        let public = public_on(&private, b.provider)?;
        let verifier = Verifier::new(&public)
            .map_err(cli_error)?
            .method("POST")
            .path(PATH)
            .require_header("Idempotency-Key")
            .body(BODY);
        let verified = verifier
            .clone()
            .header("x-request-id", "demo-1")
            .header("IDEMPOTENCY-KEY", IDEMP)
            .header("Accept", "application/json")
            .verify(&signature)
            .map_err(cli_error)?;
        demo.step(
            &label,
            format_args!(
                "verified on {} with the headers in another order and case: {}",
                b.name(),
                describe(&verified)
            ),
        );
        let tampered = expect_rejection(
            verifier
                .clone()
                .header("Idempotency-Key", IDEMP)
                .header("X-Request-Id", "demo-1")
                .body(
                    br#"{"merchant_account_id":"a61acaef","amount_in_minor":999,"currency":"GBP"}"#,
                )
                .verify(&signature),
            |e| *e == Error::BadSignature,
            "a tampered body",
        )?;
        let missing = expect_rejection(
            verifier
                .clone()
                .header("Idempotency-Key", IDEMP)
                .verify(&signature),
            |e| matches!(e, Error::MissingHeader { .. }),
            "a request without a signed header",
        )?;
        demo.step(
            &label,
            format_args!("amount changed: {tampered}; X-Request-Id dropped: {missing}"),
        );
        // An external signer (here a closure standing in for a KMS) gives the same header.
        let kms = |input: &[u8]| key.sign_es512(input);
        let by_kms = Signer::new(&kid)
            .method("POST")
            .path(PATH)
            .header("Idempotency-Key", IDEMP)
            .header("X-Request-Id", "demo-1")
            .body(BODY)
            .sign_with(&kms)
            .map_err(cli_error)?;
        verifier
            .clone()
            .header("Idempotency-Key", IDEMP)
            .header("X-Request-Id", "demo-1")
            .verify(&by_kms)
            .map_err(cli_error)?;
        // An http::Request, signed in place and verified by its own Tl-Signature header.
        let mut request = jose_truelayer_signing::http::Request::post(format!(
            "https://api.truelayer-sandbox.com{PATH}"
        ))
        .header("Idempotency-Key", IDEMP)
        .header("Content-Type", "application/json")
        .body(BODY.to_vec())
        .map_err(|e| CliError::usage(format!("demo: cannot build the request: {e}")))?;
        sign_request(
            &mut request,
            &kid,
            &key,
            &["Idempotency-Key", "Content-Type"],
        )
        .map_err(cli_error)?;
        let verified = Verifier::new(&public)
            .map_err(cli_error)?
            .verify_request(&request)
            .map_err(cli_error)?;
        demo.step(
            &label,
            format_args!(
                "external signer ({} bytes) and http::Request ({}) verified",
                by_kms.len(),
                describe(&verified)
            ),
        );
    }
    // Webhooks: a JWKS published at an allowed jku.
    for pk in demo.keys()? {
        let private = pk.ec(EcCurve::P521)?.clone();
        let kid = private.kid().unwrap_or("demo").to_owned();
        let key = Es512SigningKey::from_private_key(private.clone()).map_err(cli_error)?;
        let jku = jose_truelayer_signing::TRUELAYER_JKU_SANDBOX;
        let body = br#"{"type":"payout_executed","event_id":"e-1"}"#;
        let signature = Signer::new(&kid)
            .method("POST")
            .path("/hooks/truelayer")
            .header("X-Tl-Webhook-Timestamp", "2026-01-01T00:00:00Z")
            .body(body)
            .jku(jku)
            .sign(&key)
            .map_err(cli_error)?;
        let allowed = JkuAllowList::default();
        let url = allowed.webhook_jku(&signature).map_err(cli_error)?;
        let jwks = Jwks::new(vec![private.public_key().to_jwk()?]);
        let verified = Verifier::from_jwks(&jwks, pk.provider)
            .method("POST")
            .path("/hooks/truelayer")
            .header("x-tl-webhook-timestamp", "2026-01-01T00:00:00Z")
            .body(body)
            .verify(&signature)
            .map_err(cli_error)?;
        let rogue = Signer::new(&kid)
            .method("POST")
            .path("/hooks/truelayer")
            .jku("https://webhooks.truelayer.com.attacker.example/.well-known/jwks")
            .sign(&key)
            .map_err(cli_error)?;
        let refused = expect_rejection(
            allowed.webhook_jku(&rogue),
            |e| matches!(e, Error::JkuNotAllowed { .. }),
            "a lookalike jku",
        )?;
        demo.step(
            pk.name(),
            format_args!(
                "webhook: jku {url:?} allowed, JWKS key chosen by kid, {}; lookalike jku: {refused}",
                describe(&verified)
            ),
        );
    }
    // TrueLayer's published fixtures.
    let jwks = Jwks::from_json(FIXTURE_JWKS, &Limits::default())?;
    for pk in demo.keys()? {
        let provider = pk.provider;
        let api = Verifier::from_pem(FIXTURE_PUBLIC, provider)
            .map_err(cli_error)?
            .method("POST")
            .path("/merchant_accounts/a61acaef-ee05-4077-92f3-25543a11bd8d/sweeping")
            .header(
                "Idempotency-Key",
                "idemp-2076717c-9005-4811-a321-9e0787fa0382",
            )
            .body(br#"{"currency":"GBP","max_amount_in_minor":5000000,"name":"Foo???"}"#)
            .verify(FIXTURE_API.trim())
            .map_err(cli_error)?;
        let hook = Verifier::from_jwks(&jwks, provider)
            .method("POST")
            .path("/tl-webhook")
            .header("X-Tl-Webhook-Timestamp", "2021-11-29T11:42:55Z")
            .header("Content-Type", "application/json")
            .body(br#"{"event_type":"example","event_id":"18b2842b-a57b-4887-a0a6-d3c7c36f1020"}"#)
            .verify(FIXTURE_WEBHOOK.trim())
            .map_err(cli_error)?;
        if api.header.kid != KID || hook.header.kid != KID {
            return Err(CliError::rejected(format!(
                "demo: expected TrueLayer's fixtures to carry kid {KID:?}, found {:?} and {:?}",
                api.header.kid, hook.header.kid
            )));
        }
        demo.step(
            provider.name(),
            format_args!(
                "TrueLayer's published signatures verify: API request ({}), webhook via JWKS with a 65-byte x left-padded ({})",
                describe(&api),
                describe(&hook)
            ),
        );
    }
    Ok(())
}
