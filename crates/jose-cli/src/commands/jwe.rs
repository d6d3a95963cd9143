//! `jose jwe encrypt|decrypt`.

use crate::cli::{JweDecryptArgs, JweEncryptArgs, Serialization};
use crate::error::{CliError, Result};
use crate::files;
use crate::keys::{self, Key, KeyFile};
use jose::jwe::{DecryptOptions, Jwe, JweBuilder};
use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, EncryptingKey, KeyManagementAlgorithm,
    Limits, Password,
};
use zeroize::Zeroizing;

/// The `alg` allow-list when no `--alg` is given: every algorithm but PBES2, each key bound to the
/// ones it fits (RSA: RSA-OAEP*; EC and X25519: ECDH-ES*; a shared secret: dir, A*KW, A*GCMKW
/// of its length).
pub(crate) fn default_algs() -> Vec<KeyManagementAlgorithm> {
    KeyManagementAlgorithm::ALL
        .iter()
        .copied()
        .filter(|alg| !alg.uses_password())
        .collect()
}

/// The `alg` allow-list with `--password-file` and no `--alg`: the three PBES2 algorithms.
fn password_algs() -> Vec<KeyManagementAlgorithm> {
    KeyManagementAlgorithm::ALL
        .iter()
        .copied()
        .filter(|alg| alg.uses_password())
        .collect()
}

/// The `enc` allow-list when no `--enc` is given: every content encryption.
pub(crate) const DEFAULT_ENCS: &[ContentEncryption] = ContentEncryption::ALL;

/// The largest password file read.
const MAX_PASSWORD_FILE: usize = 1024;

/// Reads a password file: its bytes, one trailing newline (`\n` or `\r\n`) removed.
fn read_password(path: &std::path::Path) -> Result<Password> {
    let mut bytes = files::read_file(path, "password file", MAX_PASSWORD_FILE)?;
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    Password::new(&bytes)
        .map_err(|e| CliError::key(format!("password file {}", path.display()), &e).into_usage())
}

/// `jose jwe encrypt`: stdin to a token.
pub(super) fn encrypt(
    args: &JweEncryptArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    if args.aad.is_some() && args.format == Serialization::Compact {
        return Err(CliError::usage(
            "--aad needs --format flattened or general: the compact serialization cannot carry AAD",
        ));
    }
    let mut protected = super::protected_header(args.protected.as_deref(), limits)?;
    let recipient = match (&args.key, &args.password_file) {
        (Some(path), None) => {
            let file = keys::load(path, provider, limits)?;
            let wanted = [args.kid.clone()];
            let mut chosen = keys::choose(&file, &wanted, |key| {
                let key = match (&args.kid, &file) {
                    (Some(kid), KeyFile::Single(_)) => key.clone().with_kid(kid.as_str()),
                    _ => key.clone(),
                };
                let bound = match &key {
                    Key::Secret(secret) => EncryptingKey::symmetric(secret.clone(), args.alg),
                    other => EncryptingKey::new(keys::public(other, "encryption")?, args.alg),
                };
                bound.map(|k| vec![k]).map_err(|e| {
                    CliError::key(format!("the key cannot encrypt with {}", args.alg), &e)
                })
            })
            .map_err(CliError::into_usage)?;
            match chosen.pop() {
                Some(k) if chosen.is_empty() => k,
                _ => {
                    return Err(CliError::usage(
                        "expected one key to encrypt to, found several",
                    ));
                }
            }
        }
        (None, Some(path)) => {
            let mut password = read_password(path)?;
            if let Some(count) = args.p2c {
                password = password
                    .with_count(count)
                    .map_err(|e| CliError::usage(format!("--p2c: {e}")))?;
            }
            if let Some(kid) = &args.kid {
                password = password.with_kid(kid.as_str());
            }
            EncryptingKey::password(password, args.alg).map_err(|e| {
                CliError::key(format!("a password cannot encrypt with {}", args.alg), &e)
                    .into_usage()
            })?
        }
        _ => {
            return Err(CliError::usage(
                "expected exactly one of --key and --password-file",
            ));
        }
    };
    if let Some(cty) = &args.cty {
        protected.set("cty", cty.as_str());
    }
    let aad = match &args.aad {
        Some(path) => Some(files::read_file(path, "AAD file", usize::MAX)?),
        None => None,
    };
    let plaintext = files::read_stdin()?;
    let mut builder = JweBuilder::new(args.enc)
        .protected(protected)
        .compress(args.zip.is_some())
        .recipient(&recipient);
    if let Some(aad) = &aad {
        builder = builder.aad(aad);
    }
    let jwe = builder
        .encrypt(&plaintext, provider)
        .map_err(CliError::building)?;
    let token = match args.format {
        Serialization::Compact => jwe.to_compact(),
        Serialization::Flattened => jwe.to_flattened_json(),
        Serialization::General => jwe.to_general_json(),
    }
    .map_err(CliError::building)?;
    Ok(super::token_line(token))
}

/// Binds a private key or shared secret to every allowed `alg` it fits.
pub(crate) fn decrypting_keys(
    key: &Key,
    algs: &[KeyManagementAlgorithm],
) -> Result<Vec<DecryptingKey>> {
    let private = match key {
        Key::Secret(_) => None,
        other => Some(keys::private(other, "decryption")?),
    };
    let mut bound = Vec::new();
    let mut first_error = None;
    for alg in algs {
        let binding = match (private, key) {
            (Some(private), _) => DecryptingKey::new(private.clone(), *alg),
            (None, Key::Secret(secret)) => DecryptingKey::symmetric(secret.clone(), *alg),
            (None, _) => continue,
        };
        match binding {
            Ok(k) => bound.push(k),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) if bound.is_empty() => Err(CliError::key(
            format!(
                "the key fits none of the allowed algorithms ({})",
                names(algs)
            ),
            &e,
        )),
        _ => Ok(bound),
    }
}

/// `jose jwe decrypt`: the token on stdin to plaintext bytes.
pub(super) fn decrypt(
    args: &JweDecryptArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let algs = if !args.algs.is_empty() {
        args.algs.clone()
    } else if args.password_file.is_some() {
        password_algs()
    } else {
        default_algs()
    };
    let encs = if args.encs.is_empty() {
        DEFAULT_ENCS
    } else {
        args.encs.as_slice()
    };
    let mut limits = *limits;
    if let Some(max) = args.max_p2c {
        limits.max_pbes2_count = max;
    }
    let mut options = DecryptOptions::default().max_pbes2_count(limits.max_pbes2_count);
    if args.allow_zip {
        options = options.allow_zip(limits.max_token_len);
    }
    // Key errors come before token errors: a single key is bound now, a JWKS checked for a usable key.
    let (file, single) = match (&args.key, &args.password_file) {
        (Some(path), None) => {
            let file = keys::load(path, provider, &limits)?;
            let single = keys::prebind(&file, |key| decrypting_keys(key, &algs))?;
            (Some(file), single)
        }
        (None, Some(path)) => {
            let password = read_password(path)?;
            let bound = algs
                .iter()
                .filter(|alg| alg.uses_password())
                .map(|alg| DecryptingKey::password(password.clone(), *alg))
                .collect::<std::result::Result<Vec<_>, jose::Error>>()?;
            if bound.is_empty() {
                return Err(CliError::usage(format!(
                    "--password-file needs a PBES2 algorithm: expected --alg PBES2-HS256+A128KW, PBES2-HS384+A192KW or PBES2-HS512+A256KW, found {}",
                    names(&algs)
                )));
            }
            (None, Some(bound))
        }
        _ => {
            return Err(CliError::usage(
                "expected exactly one of --key and --password-file",
            ));
        }
    };
    let token = files::read_token(limits.max_token_len)?;
    let jwe = Jwe::parse(&token, &limits)?;
    let keys = match (single, &file) {
        (Some(keys), _) => keys,
        (None, Some(file)) => {
            let wanted = (0..jwe.recipients().len())
                .map(|i| Ok(jwe.joint_header(i)?.kid()?.map(str::to_owned)))
                .collect::<std::result::Result<Vec<_>, jose::Error>>()?;
            keys::choose(file, &wanted, |key| decrypting_keys(key, &algs))?
        }
        (None, None) => return Err(CliError::usage("no key to decrypt with")),
    };
    let decrypted = jwe.decrypt_with(&keys, encs, &options, provider)?;
    Ok(Zeroizing::new(decrypted.plaintext.into_vec()))
}

/// Names joined for messages.
pub(crate) fn names<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
