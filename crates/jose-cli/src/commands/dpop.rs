//! `jose dpop proof|verify`: DPoP (RFC 9449) on jose-fapi's `dpop` module.

use super::jwt::checking;
use crate::cli::{DpopProofArgs, DpopVerifyArgs};
use crate::error::{CliError, Result};
use crate::files;
use jose::{CryptoProvider, Limits};
use jose_fapi::dpop::{DpopProof, DpopVerifier};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// `jose dpop proof`: a proof for one request, signed with the key file's key.
pub(super) fn proof(
    args: &DpopProofArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let signer = super::jws::signing_key(&args.key, args.alg, None, provider, limits)?;
    let mut proof = DpopProof::new(args.htm.as_str(), &args.htu)
        .map_err(|e| CliError::usage(jose::error::display_chain(&e)))?;
    if let Some(token) = &args.ath {
        proof = proof.access_token(token);
    }
    if let Some(nonce) = &args.nonce {
        proof = proof.nonce(nonce.as_str());
    }
    let token = proof.sign(&signer, provider).map_err(CliError::building)?;
    Ok(super::token_line(token))
}

/// `jose dpop verify`: the proof on stdin checked for the request; its key's thumbprint and
/// its claims on stdout. With `--replay-store` its `jti` is recorded there (a replay exits 1, a
/// store that cannot answer 2).
pub(super) fn verify(
    args: &DpopVerifyArgs,
    provider: &'static dyn CryptoProvider,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut verifier = DpopVerifier::new()
        .provider(provider)
        .limits(*limits)
        .max_age(Duration::from_secs(args.max_age));
    if !args.algs.is_empty() {
        verifier = verifier
            .algorithms(&args.algs)
            .map_err(|e| CliError::usage(format!("--alg: {e}")))?;
    }
    if let Some(nonce) = &args.nonce {
        verifier = verifier.nonce(nonce.as_str());
    }
    let proof = files::read_token(limits.max_token_len)?;
    let (proof, htm, htu, ath) = (proof.trim(), &args.htm, &args.htu, args.ath.as_deref());
    let verified = match &args.replay.replay_store {
        // Without a store this process is alone: its own in-memory store sees this proof only.
        None => verifier
            .verify(proof, htm, htu, ath)
            .map_err(|e| checking(&e))?,
        Some(url) => args.replay.block_on(url, |store| async move {
            verifier
                .replay_store(Arc::new(store))
                .verify_async(proof, htm, htu, ath)
                .await
                .map_err(|e| checking(&e))
        })?,
    };
    Ok(files::line(format!(
        "{{\"jkt\":{},\"claims\":{}}}",
        Value::from(verified.jkt),
        verified.claims.to_json()
    )))
}
