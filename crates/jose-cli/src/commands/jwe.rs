//! `jose jwe encrypt|decrypt`.

use crate::cli::{JweDecryptArgs, JweEncryptArgs, Serialization};
use crate::error::{CliError, Result};
use crate::files;
use crate::keys::{self, Key, KeyFile};
use jose::jwe::{Jwe, JweBuilder};
use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, EncryptingKey, KeyManagementAlgorithm, Limits,
};
use zeroize::Zeroizing;

/// The `alg` allow-list when no `--alg` is given: every RSA-OAEP variant.
pub(crate) const DEFAULT_ALGS: &[KeyManagementAlgorithm] = &[
    KeyManagementAlgorithm::RsaOaep256,
    KeyManagementAlgorithm::RsaOaep384,
    KeyManagementAlgorithm::RsaOaep512,
    KeyManagementAlgorithm::RsaOaep,
];

/// The `enc` allow-list when no `--enc` is given.
pub(crate) const DEFAULT_ENCS: &[ContentEncryption] = &[
    ContentEncryption::A128Gcm,
    ContentEncryption::A192Gcm,
    ContentEncryption::A256Gcm,
];

/// `jose jwe encrypt`: stdin to a token.
pub(super) fn encrypt(
    args: &JweEncryptArgs,
    provider: &dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    if args.aad.is_some() && args.format == Serialization::Compact {
        return Err(CliError::usage(
            "--aad needs --format flattened or general: the compact serialization cannot carry AAD",
        ));
    }
    let mut protected = super::protected_header(args.protected.as_deref(), limits)?;
    let file = keys::load(&args.key, provider, limits)?;
    let wanted = [args.kid.clone()];
    let mut chosen = keys::choose(&file, &wanted, |key| {
        let mut public = key.public_key();
        if let (Some(kid), KeyFile::Single(_)) = (&args.kid, &file) {
            public = public.with_kid(kid.as_str());
        }
        EncryptingKey::new(public, args.alg)
            .map(|k| vec![k])
            .map_err(|e| CliError::key(format!("the key cannot encrypt with {}", args.alg), &e))
    })
    .map_err(CliError::into_usage)?;
    let recipient = match chosen.pop() {
        Some(k) if chosen.is_empty() => k,
        _ => {
            return Err(CliError::usage(
                "expected one key to encrypt to, found several",
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

/// Binds a private key to every allowed `alg` it fits.
pub(crate) fn decrypting_keys(
    key: &Key,
    algs: &[KeyManagementAlgorithm],
) -> Result<Vec<DecryptingKey>> {
    let private = keys::private(key, "decryption")?;
    let mut bound = Vec::new();
    let mut first_error = None;
    for alg in algs {
        match DecryptingKey::new(private.clone(), *alg) {
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
    provider: &dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let algs = if args.algs.is_empty() {
        DEFAULT_ALGS
    } else {
        args.algs.as_slice()
    };
    let encs = if args.encs.is_empty() {
        DEFAULT_ENCS
    } else {
        args.encs.as_slice()
    };
    let file = keys::load(&args.key, provider, limits)?;
    // Key errors come before token errors: a single key is bound now, a JWKS checked for a usable key.
    let single = keys::prebind(&file, |key| decrypting_keys(key, algs))?;
    let token = files::read_token(limits.max_token_len)?;
    let jwe = Jwe::parse(&token, limits)?;
    let keys = match single {
        Some(keys) => keys,
        None => {
            let wanted = (0..jwe.recipients().len())
                .map(|i| Ok(jwe.joint_header(i)?.kid()?.map(str::to_owned)))
                .collect::<std::result::Result<Vec<_>, jose::Error>>()?;
            keys::choose(&file, &wanted, |key| decrypting_keys(key, algs))?
        }
    };
    let decrypted = jwe.decrypt(&keys, encs, provider)?;
    Ok(decrypted.plaintext)
}

/// Names joined for messages.
pub(crate) fn names<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
