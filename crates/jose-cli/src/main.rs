//! `jose`: every capability of the JOSE workspace from a shell.
//!
//! ```text
//! global flag: --provider aws-lc|rustcrypto   (both providers compiled in; default aws-lc)
//!
//! jose keygen rsa [--bits 2048|3072|4096] [--kid ID] [--format pem|jwk] --out FILE [--public-out FILE]
//! jose keygen ec --curve P-256|P-384|P-521 [--kid ID] [--format pem|jwk] --out FILE [--public-out FILE]
//!     pem: private key PKCS#8 "PRIVATE KEY", public key SPKI "PUBLIC KEY"; jwk: one JWK object
//!     (with "kid" if given). The private key file is created readable by its owner only.
//! jose jwk import [--public] [--kid ID] FILE       key file in, JWK JSON on stdout
//! jose jwk thumbprint FILE                         RFC 7638 SHA-256 thumbprint, base64url, on stdout
//! jose jwe encrypt --key FILE --alg ALG --enc ENC [--kid ID] [--cty CTY] [--protected JSON] [--aad FILE]
//!                  [--format compact|flattened|general]
//!     plaintext on stdin; the token on stdout followed by one newline
//! jose jwe decrypt --key FILE [--alg ALG]... [--enc ENC]...
//!     token on stdin (any serialization, surrounding whitespace ignored); plaintext bytes, exactly,
//!     on stdout; default allow-lists: alg RSA-OAEP-256, RSA-OAEP-384, RSA-OAEP-512 and RSA-OAEP,
//!     enc A128GCM, A192GCM, A256GCM
//! jose jws sign --key FILE --alg ALG [--kid ID] [--protected JSON] [--detached] [--unencoded]
//!               [--format compact|flattened|general]
//!     payload on stdin; the token on stdout followed by one newline
//! jose jws verify (--key FILE | --jwks FILE) [--alg ALG]... [--payload FILE]
//!     token on stdin; the verified payload bytes, exactly, on stdout; --payload gives a detached
//!     payload. Without --alg the allowed algorithm is the key's own (JWK "alg", or ES256/384/512
//!     from an EC key's curve); an RSA key without "alg" needs --alg.
//! jose jwt sign --key FILE [--alg ALG] [--kid ID] [--typ T] [--iss S] [--sub S] [--aud A]...
//!               [--exp-in SECONDS] [--jti auto|ID]
//!     claims (a JSON object, or nothing) on stdin; iat now and exp now + 300 s unless stdin or
//!     --exp-in says otherwise; the token on stdout
//! jose jwt verify (--key FILE | --jwks FILE) [--alg ALG]... [--iss S]... [--aud A]... [--typ T]
//!                 [--leeway SECONDS] [--replay-store URL [--replay-prefix P] [--replay-timeout-ms MS]]
//!     token on stdin; the claims as one JSON object on stdout. Without --iss (--aud) any issuer
//!     (audience) is accepted; a refused claim exits 1 with a message starting with its name;
//!     with --replay-store jti is required and recorded in that shared store (see replay.rs)
//! jose jwt client-assertion --key FILE [--alg ALG] [--kid ID] --client-id ID --aud URL [--exp-in S]
//! jose dpop proof --key FILE [--alg ALG] --htm METHOD --htu URL [--ath ACCESS_TOKEN] [--nonce N]
//! jose dpop verify --htm METHOD --htu URL [--alg ALG]... [--max-age S] [--ath ACCESS_TOKEN] [--nonce N]
//!                  [--replay-store URL [--replay-prefix P] [--replay-timeout-ms MS]]
//!     proof on stdin; {"jkt": ..., "claims": {...}} on stdout (see cli.rs for each rule)
//! jose request4r encrypt --raas-public FILE [--kid ID]   JSON on stdin; compact JWE on stdout
//! jose request4r decrypt --partner-private FILE          JWE on stdin; JSON on stdout
//! jose request4r route --path P [--reverse]              the Request4R path (see request4r.rs)
//! jose truelayer sign --key FILE --kid ID --method M --path P [--header 'Name: value']...
//!                     [--body FILE] [--jku URL]            the Tl-Signature value on stdout
//! jose truelayer verify (--key FILE | --jwks FILE) --method M --path P [--header 'Name: value']...
//!                       [--require-header NAME]... [--body FILE] [--allow-v1] --signature SIG
//! jose truelayer header --signature SIG                    the JOSE header, unverified
//!     (see truelayer.rs; --body absent means an empty body, '-' reads stdin)
//! jose klarna seal --role client|server --sign-key FILE [--sign-kid ID] --recipient-key FILE
//!                  [--recipient-kid ID]           JSON on stdin; the compact JWE on stdout
//! jose klarna open --role client|server --decrypt-key FILE [--decrypt-key FILE]... [--decrypt-kid ID]...
//!                  (--verify-key FILE [--verify-kid ID] | --verify-jwks FILE)
//!                                                 JWE on stdin; the verified JSON on stdout
//! jose klarna route --method M --path P [--reverse]   e.g. "POST /xs2a/v1/sessions/1/get"
//!     (see klarna.rs)
//! jose 4quays init --dir DIR | serve --config FILE [--listen ADDR] | hash-key < KEYFILE
//! jose 4quays protect|unprotect (--config FILE | --url URL [--ca-file PEM]) [--api-key-file FILE]
//!     [--request-id ID]   body on stdin; the key from --api-key-file or FOURQUAYS_API_KEY
//!     (see fourquays.rs: protect/unprotect print the response body even on a non-2xx answer)
//! jose demo
//!     generates fresh keys in memory and runs every capability end to end, printing each step
//! ```
//!
//! # Keys
//!
//! A key FILE may be PEM, DER or a JWK, detected from its content: PEM if it starts with
//! `-----BEGIN` (after whitespace); a JSON object with `"keys"` is a JWKS, one with `"kty"` a JWK;
//! anything else is DER, tried as a private key and then as a public key. A JWKS (for `--key` or
//! `--jwks`) is searched by the token's `kid`; a token without a `kid` uses the JWKS's only usable
//! key, and is an error if there are several. For `jwe encrypt` and `jws sign` a JWKS is searched by
//! `--kid`. A JWK's `kid` is used unless `--kid` overrides it. `jwe encrypt` takes a public or a
//! private key (and uses its public half); `jws sign` and `jwe decrypt` need a private key.
//! `--jwks` must be given a JWKS.
//!
//! `jwe decrypt` binds the key once per allowed `alg` (skipping the ones it does not fit) and
//! passes the `enc` allow-list to the decryption; `jws verify` binds a verifying key per allowed
//! `alg` the same way.
//!
//! # Exit status and output
//!
//! - 0: success. Output goes to stdout only on success, all at once.
//! - 1: the input was rejected: bad signature, failed decryption, a malformed or disallowed token,
//!   no key in a JWKS for the token's `kid`, a JWT or DPoP claim refused.
//! - 2: usage, I/O or key error: a clap usage error, a bad flag value, an unreadable or malformed key
//!   file, a key that does not fit the algorithm (`Error::InvalidKey`), a request the library
//!   refuses while signing or encrypting (e.g. an unencoded payload containing '.' in compact form).
//!
//! On failure stdout stays empty and stderr gets exactly one line, `error: ...`.

mod cli;
mod commands;
mod demo;
mod error;
mod files;
mod fourquays;
mod jwkjson;
mod keys;
mod klarna;
mod replay;
mod request4r;
mod truelayer;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return clap_error(&err),
    };
    if let Some(code) = fourquays::intercept(&cli) {
        return code;
    }
    match commands::run(&cli) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&out).and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: cannot write to stdout: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Err(err) => {
            eprintln!("error: {}", err.one_line());
            err.exit_code()
        }
    }
}

/// `--help` and `--version` print as clap prints them and succeed; every other clap error becomes
/// one `error: ...` line and exit status 2.
fn clap_error(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Printing help can only fail if stdout is gone; there is nothing left to tell.
            let _ = err.print();
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("error: {}", clap_message(&err.render().to_string()));
            ExitCode::from(2)
        }
    }
}

/// The first paragraph of a clap error message on one line, without clap's `error: ` prefix. The
/// first line alone can end in a colon ("the following required arguments were not provided:"),
/// with what was expected on the indented lines below it, so those are kept.
fn clap_message(rendered: &str) -> String {
    let paragraph: Vec<&str> = rendered
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let joined = paragraph.join(" ");
    let message = joined.strip_prefix("error: ").unwrap_or(&joined);
    if message.is_empty() {
        "invalid usage (see --help)".to_owned()
    } else {
        message.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::clap_message;

    #[test]
    fn clap_messages_become_one_line() {
        let rendered = "error: the following required arguments were not provided:\n  --key <FILE>\n\nUsage: jose jws verify\n";
        assert_eq!(
            clap_message(rendered),
            "the following required arguments were not provided: --key <FILE>"
        );
        assert_eq!(
            clap_message("error: unexpected argument '--x' found\n\n  tip: ...\n"),
            "unexpected argument '--x' found"
        );
        assert_eq!(clap_message(""), "invalid usage (see --help)");
    }
}
