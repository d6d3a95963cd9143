//! `jose keygen rsa|ec|okp|oct`.

use crate::cli::{
    KeyFormat, KeygenEcArgs, KeygenOctArgs, KeygenOkpArgs, KeygenOutput, KeygenRsaArgs,
};
use crate::error::{CliError, Result};
use crate::files;
use crate::jwkjson;
use jose::{CryptoProvider, KeySpec, PrivateKey, SecretKey};
use zeroize::Zeroizing;

/// `jose keygen rsa`.
pub(super) fn rsa(
    args: &KeygenRsaArgs,
    provider: &'static dyn CryptoProvider,
) -> Result<Zeroizing<Vec<u8>>> {
    generate(KeySpec::Rsa { bits: args.bits }, &args.out, provider)
}

/// `jose keygen ec`.
pub(super) fn ec(
    args: &KeygenEcArgs,
    provider: &'static dyn CryptoProvider,
) -> Result<Zeroizing<Vec<u8>>> {
    generate(KeySpec::Ec(args.curve), &args.out, provider)
}

/// `jose keygen okp`: an Ed25519 or X25519 key (PEM: PKCS#8 v1 and SPKI, as OpenSSL writes them;
/// JWK: `kty` OKP, RFC 8037).
pub(super) fn okp(
    args: &KeygenOkpArgs,
    provider: &'static dyn CryptoProvider,
) -> Result<Zeroizing<Vec<u8>>> {
    generate(KeySpec::Okp(args.curve), &args.out, provider)
}

/// `jose keygen oct`: a random shared secret as a JWK (`kty` `oct`), written with mode 0600.
pub(super) fn oct(
    args: &KeygenOctArgs,
    provider: &'static dyn CryptoProvider,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut key = SecretKey::generate(args.bits, provider)
        .map_err(|e| CliError::key("cannot generate the secret", &e))?;
    if let Some(kid) = &args.kid {
        key = key.with_kid(kid.as_str());
    }
    let text = jwkjson::to_file_text(&key.to_jwk())?;
    files::write_file(&args.out, "secret key file", &text, true)?;
    Ok(Zeroizing::new(Vec::new()))
}

fn generate(
    spec: KeySpec,
    out: &KeygenOutput,
    provider: &'static dyn CryptoProvider,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut key = PrivateKey::generate(spec, provider).map_err(|e| {
        CliError::key(
            format!(
                "cannot generate the key with {}",
                super::provider_name(provider)
            ),
            &e,
        )
    })?;
    if let Some(kid) = &out.kid {
        key = key.with_kid(kid.as_str());
    }
    let (private, public): (Zeroizing<Vec<u8>>, Vec<u8>) = match out.format {
        KeyFormat::Pem => {
            let private = key
                .to_pkcs8_pem()
                .map_err(|e| CliError::key("cannot encode the private key as PEM", &e))?;
            let public = key
                .public_key()
                .to_spki_pem()
                .map_err(|e| CliError::key("cannot encode the public key as PEM", &e))?;
            (
                Zeroizing::new(private.as_bytes().to_vec()),
                public.into_bytes(),
            )
        }
        KeyFormat::Jwk => {
            let private = jwkjson::to_file_text(
                &key.to_jwk()
                    .map_err(|e| CliError::key("cannot convert the private key to a JWK", &e))?,
            )?;
            let public = jwkjson::to_file_text(
                &key.public_key()
                    .to_jwk()
                    .map_err(|e| CliError::key("cannot convert the public key to a JWK", &e))?,
            )?;
            (private, public.to_vec())
        }
    };
    files::write_file(&out.out, "private key file", &private, true)?;
    if let Some(path) = &out.public_out {
        files::write_file(path, "public key file", &public, false)?;
    }
    Ok(Zeroizing::new(Vec::new()))
}
