//! `jose request4r encrypt|decrypt|route`: Leap RaaS Request4R payloads from a shell, and the
//! demo's Request4R section.
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

use crate::demo::Demo;
use crate::error::{CliError, Result};
use crate::files;
use crate::keys;
use clap::{Args, Subcommand};
use jose::{CryptoProvider, KeyMeta, Limits, PrivateKey, PublicKey};
use jose_request4r::http::{Method, Request, Response, StatusCode, Uri};
use jose_request4r::{Error, Gateway, OpeningKey, Partner, SealingKey, route};
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
    provider: &dyn CryptoProvider,
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
fn cli_error(err: Error) -> CliError {
    CliError::classified(err.class(), &err)
}

fn line(text: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(text.len().saturating_add(1)));
    out.extend_from_slice(text.as_bytes());
    out.push(b'\n');
    out
}

fn encrypt(
    args: &EncryptArgs,
    provider: &dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let key = keys::load_single(&args.raas_public, provider, limits)?;
    let mut sealing = SealingKey::new(key.public()).map_err(cli_error)?;
    if let Some(kid) = &args.kid {
        sealing = sealing.with_kid(kid.as_str()).map_err(cli_error)?;
    }
    let json = files::read_stdin()?;
    let token = sealing
        .seal(&json, provider)
        .map_err(|e| cli_error(e).context("stdin"))?;
    Ok(line(&token))
}

fn decrypt(
    args: &DecryptArgs,
    provider: &dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let key = keys::load_single(&args.partner_private, provider, limits)?;
    let opening = OpeningKey::new(key.private("decryption")?.clone())
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
    Ok(line(&mapped.to_string()))
}

// ----- the demo section -----

/// The demo's Request4R section: for each pair of providers, a partner on one and the gateway on
/// the other, with the RSA keys of the key generation section (RaaS key on the gateway's provider,
/// partner key on the partner's).
pub(crate) fn demo(demo: &mut Demo) -> Result<()> {
    const BODY: &str = r#"{"email":"ada@example.com","country":"DE","reference_id":"demo-1"}"#;
    const ANSWER: &str = r#"{"user_id":"u-1","status":"registered"}"#;
    let fail = |what: String| CliError::rejected(format!("demo: {what}"));
    for (gw, pt) in demo.pairs()? {
        let label = format!("{} -> {} -> {}", pt.name(), gw.name(), pt.name());
        // Keys without kid: the headers are exactly {"alg":"RSA-OAEP-256","enc":"A256GCM"}.
        let raas_private = OpeningKey::new(without_kid(&gw.rsa)).map_err(cli_error)?;
        let partner_private = OpeningKey::new(without_kid(&pt.rsa)).map_err(cli_error)?;
        let raas_public_on_partner =
            SealingKey::new(public_on(&gw.rsa, pt.provider)?).map_err(cli_error)?;
        let partner_public_on_gateway =
            SealingKey::new(public_on(&pt.rsa, gw.provider)?).map_err(cli_error)?;
        let partner = Partner::new(raas_public_on_partner, partner_private);
        let gateway = Gateway::new(raas_private, partner_public_on_gateway);

        let request = Request::builder()
            .method(Method::POST)
            .uri("https://api.leap.example/v1/auth/register-user-v2?lang=en")
            .header("api_key", "demo-tenant-key")
            .header("content-type", "application/json")
            .body(BODY)
            .map_err(|e| fail(format!("cannot build the request: {e}")))?;
        let sent = partner
            .encrypt_request(request, pt.provider)
            .map_err(cli_error)?;
        let header = jose::b64::decode(
            "JWE header",
            sent.body().split('.').next().unwrap_or_default(),
        )?;
        demo.step(
            &label,
            format_args!(
                "partner on {}: POST {} with a {}-byte JWE body, header {}, Content-Type {:?}, api_key kept",
                pt.name(),
                sent.uri(),
                sent.body().len(),
                String::from_utf8_lossy(&header),
                sent.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default(),
            ),
        );

        let received = gateway
            .decrypt_request(sent.clone(), gw.provider)
            .map_err(cli_error)?;
        if received.body() != BODY {
            return Err(fail(
                "expected the gateway to recover the partner's JSON".into(),
            ));
        }
        demo.step(
            &label,
            format_args!(
                "gateway on {}: decrypted to {} {} ({} bytes of JSON, X-Reference-ID {:?})",
                gw.name(),
                received.method(),
                received.uri().path(),
                received.body().len(),
                received
                    .headers()
                    .get(&jose_request4r::X_REFERENCE_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default(),
            ),
        );

        let answer = Response::builder()
            .status(StatusCode::CREATED)
            .body(ANSWER)
            .map_err(|e| fail(format!("cannot build the response: {e}")))?;
        let encrypted = gateway
            .respond(&received, answer, gw.provider)
            .map_err(cli_error)?;
        demo.step(
            &label,
            format_args!(
                "gateway on {}: answered {} with Content-Type application/jose, a {}-byte JWE to the partner key",
                gw.name(),
                encrypted.status(),
                encrypted.body().len()
            ),
        );
        let response = partner
            .decrypt_response(encrypted, pt.provider)
            .map_err(cli_error)?;
        if response.body()["user_id"] != "u-1" {
            return Err(fail("expected the partner to read user_id u-1".into()));
        }
        demo.step(
            &label,
            format_args!(
                "partner on {}: decrypted the {} response: {}",
                pt.name(),
                response.status(),
                response.body()
            ),
        );

        // A tampered body: the gateway answers 400 ERROR_INVALID_JWE_PAYLOAD, the partner gets a
        // typed API error.
        let mut tampered = sent;
        let flipped = flip_last_segment(tampered.body());
        *tampered.body_mut() = flipped;
        let refusal = match gateway.decrypt_request(tampered, gw.provider) {
            Ok(_) => return Err(fail("expected the gateway to refuse a tampered JWE".into())),
            Err(e) => e.to_gateway_response(),
        };
        let refusal_body = refusal.body().clone();
        match partner.decrypt_response(refusal, pt.provider) {
            Err(Error::Api(api)) if api.is_invalid_jwe_payload() => demo.step(
                &label,
                format_args!(
                    "tampered JWE: gateway answered {} {refusal_body}; partner got a typed API error",
                    api.status
                ),
            ),
            other => {
                return Err(fail(format!(
                    "expected an ERROR_INVALID_JWE_PAYLOAD API error, found {other:?}"
                )));
            }
        }

        // Plain JSON on a success status is refused in encrypted mode; sandbox mode accepts it.
        let plain = || {
            Response::builder()
                .header("content-type", "application/json")
                .body(ANSWER)
                .map_err(|e| fail(format!("cannot build the response: {e}")))
        };
        let refused = matches!(
            partner.decrypt_response(plain()?, pt.provider),
            Err(Error::PlainResponseRefused { .. })
        );
        let sandbox = partner.clone().sandbox(true);
        let sandbox_request = sandbox
            .encrypt_request(
                Request::put("/v1/users/u-1")
                    .body(BODY)
                    .map_err(|e| fail(e.to_string()))?,
                pt.provider,
            )
            .map_err(cli_error)?;
        let sandbox_ok = sandbox_request.body() == BODY
            && jose_request4r::skips_encryption(&sandbox_request)
            && sandbox.decrypt_response(plain()?, pt.provider).is_ok();
        if !refused || !sandbox_ok {
            return Err(fail(
                "expected plain JSON refused in encrypted mode and accepted in sandbox mode".into(),
            ));
        }
        demo.step(
            &label,
            "plain JSON 200 refused in encrypted mode; sandbox mode (X-Skip-Encryption) sends and accepts plain JSON",
        );
    }
    Ok(())
}

fn without_kid(key: &PrivateKey) -> PrivateKey {
    key.clone().with_meta(KeyMeta::default())
}

/// A key's public half imported on `provider` through SPKI DER (no kid).
fn public_on(key: &PrivateKey, provider: &dyn CryptoProvider) -> Result<PublicKey> {
    Ok(PublicKey::from_der(
        &key.public_key().to_spki_der()?,
        provider,
    )?)
}

/// The token with the first character of its last segment (the tag) replaced.
fn flip_last_segment(token: &str) -> String {
    match token.rsplit_once('.') {
        Some((head, tag)) => {
            let mut chars = tag.chars();
            let first = if chars.next() == Some('A') { 'B' } else { 'A' };
            format!("{head}.{first}{}", chars.as_str())
        }
        None => format!("{token}x"),
    }
}
