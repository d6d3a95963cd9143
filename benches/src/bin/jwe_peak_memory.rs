//! Peak memory of a 64 MiB JWE round trip: encrypt to a compact JWE, parse it, decrypt it,
//! compare with the plaintext (held throughout).
//!
//! ```text
//! cargo run --release -p jose-benches --bin jwe_peak_memory -- [aws-lc|rustcrypto] [MiB] [path]
//! ```
//!
//! `path` is `compact` (the default: `JweBuilder::encrypt_compact`, `Jwe::from_compact_owned`,
//! `Jwe::into_decrypted`, the path made for large tokens) or `allocating` (`encrypt` +
//! `to_compact`, `from_compact` + `decrypt`: every step in its own buffer).
//!
//! Prints one line `peak_memory provider=.. payload_bytes=.. baseline_kb=.. peak_kb=..` read from
//! `VmHWM` (the process's peak resident set) in /proc/self/status: `baseline_kb` after the
//! plaintext is allocated and the keys imported, `peak_kb` after the round trip. Run each
//! provider in its own process: VmHWM never goes down.

use std::process::ExitCode;

use jose::jwe::{DecryptOptions, Jwe, JweBuilder};
use jose::{ContentEncryption, KeyManagementAlgorithm, Limits};

/// `VmHWM` from /proc/self/status, in kB.
fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "aws-lc".to_owned());
    let mib: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(64);
    let path = args.next().unwrap_or_else(|| "compact".to_owned());
    if path != "compact" && path != "allocating" {
        eprintln!("error: no path `{path}` (compact or allocating)");
        return ExitCode::from(2);
    }
    let Some(provider) = jose::provider_by_name(&name) else {
        eprintln!("error: no provider `{name}` (aws-lc or rustcrypto)");
        return ExitCode::from(2);
    };
    let run = || -> Result<(u64, u64, usize), Box<dyn std::error::Error>> {
        let len = mib * 1024 * 1024;
        let plaintext = jose_benches::payload(len);
        let (encrypting, decrypting) =
            jose_benches::jwe_keys(KeyManagementAlgorithm::RsaOaep256, provider)?;
        let limits = Limits {
            max_token_len: 2 * len + 4096,
            ..Limits::default()
        };
        let baseline = vm_hwm_kb().ok_or("no VmHWM in /proc/self/status")?;
        let enc = ContentEncryption::A256Gcm;
        let builder = JweBuilder::new(enc).recipient(&encrypting);
        let decrypted = if path == "compact" {
            let token = builder.encrypt_compact(&plaintext, provider)?;
            Jwe::from_compact_owned(token, &limits)?.into_decrypted(
                [&decrypting],
                &[enc],
                &DecryptOptions::default(),
                provider,
            )?
        } else {
            let token = builder.encrypt(&plaintext, provider)?.to_compact()?;
            Jwe::from_compact(&token, &limits)?.decrypt([&decrypting], &[enc], provider)?
        };
        if decrypted.plaintext.as_slice() != plaintext.as_slice() {
            return Err("the round trip changed the plaintext".into());
        }
        let peak = vm_hwm_kb().ok_or("no VmHWM in /proc/self/status")?;
        Ok((baseline, peak, len))
    };
    match run() {
        Ok((baseline, peak, len)) => {
            println!(
                "peak_memory provider={name} path={path} payload_bytes={len} baseline_kb={baseline} peak_kb={peak}"
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
