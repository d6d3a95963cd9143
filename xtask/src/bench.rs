//! `cargo xtask bench [--quick] [--no-peers] [--report-only] [--load]`: runs the criterion benches
//! of `benches/` and the 64 MiB peak-memory probe, then writes BENCHMARKS.md; with `--load`, then
//! runs the 4Quays load bench (`fourquays_load --write BENCHMARKS.md`), which rewrites its own
//! section.
//!
//! Results are read back from criterion's files (`target/criterion/<group>/<function>/<case>/new/`
//! `benchmark.json` for the ids, `estimates.json` for the median). Everything in BENCHMARKS.md
//! after the line [`NOTES_MARKER`] is hand-written analysis and is kept across runs, and so is the
//! load bench's section (between [`LOAD_START`] and [`LOAD_END`]), verbatim, wherever it is.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::run::{CargoCommand, describe_status, format_duration, workspace_root};

/// Everything after this line in BENCHMARKS.md is kept when the file is regenerated.
pub(crate) const NOTES_MARKER: &str = "<!-- notes below are kept by `cargo xtask bench` -->";

/// The first line of the section `fourquays_load --write` owns in BENCHMARKS.md.
pub(crate) const LOAD_START: &str = "<!-- 4quays-load:start -->";
/// The last line of that section.
pub(crate) const LOAD_END: &str = "<!-- 4quays-load:end -->";

/// The command `--load` runs (from the workspace root).
const LOAD_COMMAND: [&str; 10] = [
    "run",
    "--release",
    "--locked",
    "-p",
    "jose-benches",
    "--bin",
    "fourquays_load",
    "--",
    "--write",
    "BENCHMARKS.md",
];

/// Options of `cargo xtask bench`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BenchOptions {
    /// Short warm-up and measurement (`JOSE_BENCH_QUICK=1`).
    pub(crate) quick: bool,
    /// Leave out the peers (no OpenSSL needed).
    pub(crate) peers: bool,
    /// Do not run anything; rewrite BENCHMARKS.md from the results already in target/criterion.
    pub(crate) report_only: bool,
    /// Then run the 4Quays load bench, which rewrites its own section of BENCHMARKS.md.
    pub(crate) load: bool,
}

/// Parses `[--quick] [--no-peers] [--report-only] [--load]`.
pub(crate) fn parse_args(args: &[String]) -> Result<BenchOptions, String> {
    let mut options = BenchOptions {
        quick: false,
        peers: true,
        report_only: false,
        load: false,
    };
    for arg in args {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--no-peers" => options.peers = false,
            "--report-only" => options.report_only = true,
            "--load" => options.load = true,
            other => return Err(format!("`bench` does not take `{other}`")),
        }
    }
    Ok(options)
}

/// One criterion result.
#[derive(Debug, Clone, PartialEq)]
struct Measurement {
    group: String,
    function: String,
    case: String,
    /// Median time per iteration, in nanoseconds.
    median_ns: f64,
}

/// The string value of `"key":"..."` in a small JSON document (criterion's own output: no
/// escapes in the ids this workspace uses).
fn json_string(text: &str, key: &str) -> Option<String> {
    let pattern = format!("\"{key}\":\"");
    let start = text.find(&pattern)? + pattern.len();
    let rest = text.get(start..)?;
    Some(rest.get(..rest.find('"')?)?.to_owned())
}

/// The median point estimate in criterion's `estimates.json`.
fn median_ns(text: &str) -> Option<f64> {
    let median = text.get(text.find("\"median\"")?..)?;
    let key = "\"point_estimate\":";
    let start = median.find(key)? + key.len();
    let number: String = median
        .get(start..)?
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        .collect();
    number.parse().ok()
}

fn criterion_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir).join("criterion"),
        None => workspace_root().join("target/criterion"),
    }
}

/// Every `new/benchmark.json` under `dir`.
fn collect(dir: &Path, out: &mut Vec<Measurement>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|name| name == "new") {
            let benchmark =
                std::fs::read_to_string(path.join("benchmark.json")).unwrap_or_default();
            let estimates =
                std::fs::read_to_string(path.join("estimates.json")).unwrap_or_default();
            if let (Some(group), Some(function), Some(case), Some(median)) = (
                json_string(&benchmark, "group_id"),
                json_string(&benchmark, "function_id"),
                json_string(&benchmark, "value_str"),
                median_ns(&estimates),
            ) {
                out.push(Measurement {
                    group,
                    function,
                    case,
                    median_ns: median,
                });
            }
        } else {
            collect(&path, out);
        }
    }
}

/// A time in the unit that suits it.
fn show_time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn ratio(ours: Option<f64>, other: Option<f64>) -> String {
    match (ours, other) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "–".to_owned(),
    }
}

/// The groups in report order, with a title and the peer's function id.
const GROUPS: [(&str, &str, &str); 12] = [
    ("jwe_encrypt", "JWE encrypt (compact)", "josekit"),
    ("jwe_decrypt", "JWE decrypt (parse + decrypt)", "josekit"),
    ("jws_sign", "JWS sign (compact)", "josekit"),
    ("jws_verify", "JWS verify (parse + verify)", "josekit"),
    (
        "truelayer_sign",
        "TrueLayer sign (`Tl-Signature`)",
        "truelayer-signing",
    ),
    ("truelayer_verify", "TrueLayer verify", "truelayer-signing"),
    ("klarna_seal", "Klarna XS2A seal (JWS in JWE)", "-"),
    ("klarna_open", "Klarna XS2A open", "-"),
    (
        "request4r_encrypt",
        "Request4R partner encrypt_request",
        "-",
    ),
    (
        "request4r_decrypt",
        "Request4R gateway decrypt_request",
        "-",
    ),
    ("4quays_protect", "4Quays engine protect", "-"),
    ("4quays_unprotect", "4Quays engine unprotect", "-"),
];

/// One row: the case and its four medians.
struct Row {
    case: String,
    aws: Option<f64>,
    rust: Option<f64>,
    raw: Option<f64>,
    /// The raw baseline through the compact serialization (`raw+b64`), where measured.
    raw_b64: Option<f64>,
    peer: Option<f64>,
}

fn rows(measurements: &[Measurement], group: &str, peer: &str) -> Vec<Row> {
    let mut cases: Vec<&str> = Vec::new();
    for m in measurements.iter().filter(|m| m.group == group) {
        if !cases.contains(&m.case.as_str()) {
            cases.push(&m.case);
        }
    }
    let find = |case: &str, function: &str| {
        measurements
            .iter()
            .find(|m| m.group == group && m.case == case && m.function == function)
            .map(|m| m.median_ns)
    };
    cases.sort_by_key(|case| case_order(case));
    cases
        .into_iter()
        .map(|case| Row {
            case: case.to_owned(),
            aws: find(case, "aws-lc"),
            rust: find(case, "rustcrypto"),
            raw: find(case, "raw"),
            raw_b64: find(case, "raw+b64"),
            peer: find(case, peer),
        })
        .collect()
}

/// Sort key of a case such as `RSA-OAEP-256+A128GCM/64KiB`, `ECDH-ES+A256GCM/X25519/1KiB` or
/// `PS256/1KiB`: algorithm (with its curve) in the order of the JOSE registries, then size.
fn case_order(case: &str) -> (usize, usize, String) {
    const ALGS: [&str; 44] = [
        "RSA-OAEP+A128GCM",
        "RSA-OAEP+A256GCM",
        "RSA-OAEP-256+A128GCM",
        "RSA-OAEP-256+A256GCM",
        "RSA-OAEP-384+A256GCM",
        "RSA-OAEP-512+A256GCM",
        "A128KW+A128GCM",
        "A192KW+A192GCM",
        "A256KW+A256GCM",
        "dir+A128GCM",
        "A128GCMKW+A128GCM",
        "A192GCMKW+A192GCM",
        "A256GCMKW+A256GCM",
        "PBES2-HS256+A128KW+A128GCM",
        "PBES2-HS384+A192KW+A192GCM",
        "PBES2-HS512+A256KW+A256GCM",
        "ECDH-ES+A256GCM/P-256",
        "ECDH-ES+A256GCM/P-384",
        "ECDH-ES+A256GCM/P-521",
        "ECDH-ES+A256GCM/X25519",
        "ECDH-ES+A128KW+A128GCM/P-256",
        "ECDH-ES+A128KW+A128GCM/P-384",
        "ECDH-ES+A128KW+A128GCM/P-521",
        "ECDH-ES+A128KW+A128GCM/X25519",
        "ECDH-ES+A256KW+A256GCM/P-256",
        "ECDH-ES+A256KW+A256GCM/P-384",
        "ECDH-ES+A256KW+A256GCM/P-521",
        "ECDH-ES+A256KW+A256GCM/X25519",
        "dir+A128CBC-HS256",
        "dir+A192CBC-HS384",
        "dir+A256CBC-HS512",
        "HS256",
        "HS384",
        "HS512",
        "RS256",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
    ];
    const SIZES: [&str; 3] = ["1KiB", "64KiB", "1MiB"];
    let (alg, size) = case.rsplit_once('/').unwrap_or((case, ""));
    let alg_rank = ALGS.iter().position(|a| *a == alg).unwrap_or(ALGS.len());
    let size_rank = SIZES.iter().position(|s| *s == size).unwrap_or(SIZES.len());
    (alg_rank, size_rank, case.to_owned())
}

/// Machine, load and date, from /proc and `date`.
struct Context {
    date: String,
    cpu: String,
    cores: usize,
    rustc: String,
    load_before: String,
    load_after: String,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn first_load(load: &str) -> f64 {
    load.split_whitespace()
        .next()
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

fn command_line(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Peak-memory lines printed by `jwe_peak_memory`.
#[derive(Debug, PartialEq, Eq)]
struct PeakMemory {
    provider: String,
    /// `compact` (the in-place path) or `allocating`.
    path: String,
    payload_bytes: u64,
    baseline_kb: u64,
    peak_kb: u64,
}

fn parse_peak(line: &str) -> Option<PeakMemory> {
    let mut fields = line.strip_prefix("peak_memory ")?.split_whitespace();
    let mut value = |key: &str| {
        fields
            .next()?
            .strip_prefix(key)?
            .strip_prefix('=')
            .map(str::to_owned)
    };
    Some(PeakMemory {
        provider: value("provider")?,
        path: value("path")?,
        payload_bytes: value("payload_bytes")?.parse().ok()?,
        baseline_kb: value("baseline_kb")?.parse().ok()?,
        peak_kb: value("peak_kb")?.parse().ok()?,
    })
}

fn render(
    measurements: &[Measurement],
    peaks: &[PeakMemory],
    context: &Context,
    quick: bool,
    load: Option<&str>,
    notes: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Generated by `cargo xtask bench` on {} — do not edit above the notes marker; rerun instead.\n",
        context.date
    );
    let _ = writeln!(
        out,
        "- Machine: {} × {} (nproc {}), {}",
        context.cores, context.cpu, context.cores, context.rustc
    );
    let _ = writeln!(
        out,
        "- Load average (1, 5, 15 min) before the run: {}; after: {}",
        context.load_before, context.load_after
    );
    let loaded = first_load(&context.load_before) >= 1.0 || first_load(&context.load_after) >= 2.0;
    if loaded {
        let _ = writeln!(
            out,
            "- **Taken under load**: other engineers' builds shared this {}-core machine during the run, so \
             every median here is noisy (likely slower than on an idle machine, and not uniformly: ratios \
             between columns measured seconds apart can be off by 10% or more).",
            context.cores
        );
    } else {
        let _ = writeln!(out, "- The machine was otherwise idle during the run.");
    }
    let _ = writeln!(
        out,
        "- Criterion: {} ; every time is the median per operation.",
        if quick {
            "quick settings (0.2 s warm-up, 0.6 s measurement, 10 samples)"
        } else {
            "0.5 s warm-up, 2 s measurement, 20 samples"
        }
    );
    let _ = writeln!(
        out,
        "- Columns: `aws-lc` and `rustcrypto` are this workspace on each provider; `raw` is aws-lc-rs \
         called directly for the same cryptographic work (RSA op + AES-GCM, AES key wrap or GCM of the CEK + \
         AES-GCM, PBKDF2 + key wrap + AES-GCM, ECDH with a fresh ephemeral key + Concat KDF (+ key \
         wrap) + AES-GCM, AES-CBC + HMAC, or the signature or HMAC alone: no base64, no JSON; \
         long-lived keys imported once, a fresh CEK per message); `raw+b64` (where shown) is that \
         raw baseline through the compact serialization, base64url by `base64-simd` (the fastest \
         strict codec measured here, also jose's own public-data codec; the key-management header \
         members such as `epk`, `p2s` or GCMKW's `iv` are not written into raw's header); the peer is josekit 0.10 (OpenSSL) or TrueLayer's `truelayer-signing` 0.3 \
         (OpenSSL), and in the JWT table `jsonwebtoken` 12 (aws-lc-rs). Ratios above 1 mean we are \
         slower.\n"
    );
    let _ = writeln!(
        out,
        "Targets: overhead over raw at most 5% at 1 KiB on aws-lc (`aws-lc/raw` ≤ 1.05); at least as fast as \
         each peer (`aws-lc/peer` ≤ 1.00). Where a `raw+b64` column is shown, the overhead target of its \
         rows is `aws-lc/raw+b64` (issue 14 states the RSA-OAEP-256/A256GCM goal against that \
         baseline); `aws-lc/raw` there is the stricter ratio to the crypto alone. Rows that miss a \
         target are marked ✗ in the last column.\n"
    );
    for (group, title, peer) in GROUPS {
        let rows = rows(measurements, group, peer);
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {title}\n");
        let peer_title = if peer == "-" { "peer" } else { peer };
        let with_b64 = rows.iter().any(|row| row.raw_b64.is_some());
        let (b64_title, b64_rule) = if with_b64 {
            (" raw+b64 | aws-lc/raw+b64 |", "--:|--:|")
        } else {
            ("", "")
        };
        let _ = writeln!(
            out,
            "| case | aws-lc | rustcrypto | raw aws-lc-rs | {peer_title} | aws-lc/raw | rustcrypto/raw | aws-lc/{peer_title} | rustcrypto/{peer_title} |{b64_title} targets |"
        );
        let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|{b64_rule}:-:|");
        for row in rows {
            let show = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), show_time);
            let baseline = row.raw_b64.or(row.raw);
            let over_raw = match (row.aws, baseline) {
                (Some(a), Some(r)) if row.case.contains("1KiB") => Some(a / r <= 1.05),
                _ => None,
            };
            let vs_peer = match (row.aws, row.peer) {
                (Some(a), Some(p)) => Some(a / p <= 1.0),
                _ => None,
            };
            let verdict = match (over_raw, vs_peer) {
                (Some(false), _) | (_, Some(false)) => "✗",
                (None, None) => "",
                _ => "✓",
            };
            let b64_cells = if with_b64 {
                format!(" {} | {} |", show(row.raw_b64), ratio(row.aws, row.raw_b64))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |{b64_cells} {verdict} |",
                row.case,
                show(row.aws),
                show(row.rust),
                show(row.raw),
                show(row.peer),
                ratio(row.aws, row.raw),
                ratio(row.rust, row.raw),
                ratio(row.aws, row.peer),
                ratio(row.rust, row.peer),
            );
        }
        let _ = writeln!(out);
    }
    render_jwt(&mut out, measurements);
    render_replay(&mut out, measurements);
    let _ = writeln!(out, "## Peak memory: 64 MiB JWE round trip\n");
    if peaks.is_empty() {
        let _ = writeln!(out, "Not measured in this run.\n");
    } else {
        let _ = writeln!(
            out,
            "RSA-OAEP-256 + A256GCM: encrypt to a compact JWE, parse, decrypt, compare with the plaintext, which is held \
             throughout (`benches/src/bin/jwe_peak_memory.rs`, `VmHWM` from /proc/self/status, one process per provider \
             and path). Path `compact`: `JweBuilder::encrypt_compact`, `Jwe::from_compact_owned`, `Jwe::into_decrypted` \
             (in-place AES-GCM, base64url straight into and out of the token's buffer); `allocating`: `encrypt` + \
             `to_compact`, `from_compact` + `decrypt`. The baseline is the peak after the plaintext was allocated and the \
             keys imported. Target: peak / payload ≤ 3 on the compact path.\n"
        );
        let _ = writeln!(
            out,
            "| provider | path | payload | baseline | peak | peak / payload | (peak − baseline) / payload |"
        );
        let _ = writeln!(out, "|---|---|--:|--:|--:|--:|--:|");
        for peak in peaks {
            let payload_kb = peak.payload_bytes as f64 / 1024.0;
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} MiB | {:.0} MiB | {:.0} MiB | {:.2} | {:.2} |",
                peak.provider,
                peak.path,
                payload_kb / 1024.0,
                peak.baseline_kb as f64 / 1024.0,
                peak.peak_kb as f64 / 1024.0,
                peak.peak_kb as f64 / payload_kb,
                peak.peak_kb.saturating_sub(peak.baseline_kb) as f64 / payload_kb,
            );
        }
        let _ = writeln!(out);
    }
    if let Some(section) = load {
        let _ = writeln!(out, "{section}\n");
    }
    let _ = writeln!(out, "{NOTES_MARKER}");
    out.push_str(notes);
    out
}

/// The groups of the JWT bench (`benches/benches/jwt.rs`) in table order, with the word each
/// row's case is prefixed with.
const JWT_GROUPS: [(&str, &str); 3] = [
    ("jwt_verify", "verify"),
    ("jwt_sign", "sign"),
    ("dpop_verify", "DPoP verify"),
];

/// The JWT table: `jwt::verify` / `jwt::sign` / `DpopVerifier::verify` on each provider beside
/// the layer below (function `below-<provider>`: our JWS for a JWT, `jwt::verify` with the key
/// known for DPoP), raw aws-lc-rs and `jsonwebtoken`; the ratios are ours over each.
fn render_jwt(out: &mut String, measurements: &[Measurement]) {
    if !measurements
        .iter()
        .any(|m| JWT_GROUPS.iter().any(|(group, _)| m.group == *group))
    {
        return;
    }
    let _ = writeln!(out, "## JWT: the claims layer over JWS, and DPoP\n");
    let _ = writeln!(
        out,
        "`benches/benches/jwt.rs`. `verify`: `jwt::verify` of an access token of ten claims (`iss`, \
         `sub`, `aud`, `exp`, `iat`, `nbf`, `jti`, `scope`, `client_id`, a custom one; about 330 \
         bytes of JSON, header `alg` + `typ` `at+jwt`) checking `iss`, `aud`, `exp`, `nbf`, `iat`; \
         `below` is `Jws::from_compact` + `Jws::verify` of the same token, so `ours/below` is the \
         cost of the claims layer (the payload parsed as strict JSON into `Claims`, then checked). \
         `sign`: `jwt::sign` of those claims; `below` is `JwsBuilder` signing them already \
         serialized, with the same header. `DPoP verify`: `DpopVerifier::verify` of an ES256 proof \
         (`htm`, `htu`, `iat`, `jti`; a new proof per iteration, its `jti` recorded in the \
         verifier's in-memory store); `below` is `jwt::verify` of such a proof with its key \
         known and the same validation and store, so `ours/below` is the cost of the header's \
         `jwk` (read, imported) and its thumbprint, and the `htm`/`htu` checks. `raw` is \
         aws-lc-rs's signature or HMAC over the signing input alone. `jsonwebtoken` is \
         `jsonwebtoken` 12 on its aws-lc-rs backend (`decode` into a typed serde struct with \
         `iss`, `aud` and `exp` required, `nbf` checked; `encode` of that struct) on the same \
         token. Ratios above 1 mean ours is slower.\n"
    );
    let _ = writeln!(
        out,
        "| case | aws-lc | below aws-lc | raw aws-lc-rs | jsonwebtoken | aws-lc/below | aws-lc/raw | aws-lc/jsonwebtoken | rustcrypto | below rustcrypto | rustcrypto/below |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    let show = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), show_time);
    for (group, label) in JWT_GROUPS {
        let find = |case: &str, function: &str| {
            measurements
                .iter()
                .find(|m| m.group == group && m.case == case && m.function == function)
                .map(|m| m.median_ns)
        };
        let mut cases: Vec<&str> = Vec::new();
        for m in measurements.iter().filter(|m| m.group == group) {
            if !cases.contains(&m.case.as_str()) {
                cases.push(&m.case);
            }
        }
        cases.sort_by_key(|case| case_order(case));
        for case in cases {
            let aws = find(case, "aws-lc");
            let below_aws = find(case, "below-aws-lc");
            let raw = find(case, "raw");
            let peer = find(case, "jsonwebtoken");
            let rust = find(case, "rustcrypto");
            let below_rust = find(case, "below-rustcrypto");
            let _ = writeln!(
                out,
                "| {label} {case} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                show(aws),
                show(below_aws),
                show(raw),
                show(peer),
                ratio(aws, below_aws),
                ratio(aws, raw),
                ratio(aws, peer),
                show(rust),
                show(below_rust),
                ratio(rust, below_rust),
            );
        }
    }
    let _ = writeln!(out);
}

/// The replay-check table (`benches/benches/replay.rs`, group `replay`): the in-memory store, our
/// Redis store and raw `SET NX PX` with the same client, sequential and 64 in flight.
fn render_replay(out: &mut String, measurements: &[Measurement]) {
    let find = |function: &str, case: &str| {
        measurements
            .iter()
            .find(|m| m.group == "replay" && m.function == function && m.case == case)
            .map(|m| m.median_ns)
    };
    if !measurements.iter().any(|m| m.group == "replay") {
        return;
    }
    let _ = writeln!(out, "## Replay checks against a local redis-server\n");
    let _ = writeln!(
        out,
        "One check records a new id (`benches/benches/replay.rs`): `memory` is jose-core's \
         `InMemoryReplayStore` (one process); `redis` is `jose-replay-redis`'s `RedisReplayStore` \
         (`SET <prefix><id> 1 NX PX 2000`, one connection, a redis-server on 127.0.0.1 started by \
         the bench); `raw` is the same `SET NX PX` sent with the `redis` crate on the same \
         connection. `sequential`: one check at a time (a round trip each); `pipelined-64`: 64 in \
         flight on the multiplexed connection, time per check. Target: `redis/raw` ≤ 1.10.\n"
    );
    let _ = writeln!(
        out,
        "| way | memory | redis | raw SET NX | redis/raw | redis checks/s | raw checks/s | target |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|:-:|");
    for case in ["sequential", "pipelined-64"] {
        let (memory, ours, raw) = (find("memory", case), find("redis", case), find("raw", case));
        let show = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), show_time);
        let per_second = |v: Option<f64>| {
            v.filter(|ns| *ns > 0.0)
                .map_or_else(|| "–".to_owned(), |ns| format!("{:.0}", 1e9 / ns))
        };
        let verdict = match (ours, raw) {
            (Some(o), Some(r)) if o / r <= 1.10 => "✓",
            (Some(_), Some(_)) => "✗",
            _ => "",
        };
        let _ = writeln!(
            out,
            "| {case} | {} | {} | {} | {} | {} | {} | {verdict} |",
            show(memory),
            show(ours),
            show(raw),
            ratio(ours, raw),
            per_second(ours),
            per_second(raw),
        );
    }
    let _ = writeln!(out);
}

/// What a rewrite of `existing` keeps: the load bench's section, verbatim (`None` when there is
/// none, or when it is among the notes, which carry it themselves), and the notes.
fn kept_parts(existing: &str) -> (Option<&str>, String) {
    let notes_at = existing.find(NOTES_MARKER);
    // `render` ends the marker's line itself: keep what follows that line break, so that the
    // notes do not gain a blank line at every rewrite.
    let notes = notes_at
        .and_then(|at| existing.get(at + NOTES_MARKER.len()..))
        .map(|after| after.strip_prefix('\n').unwrap_or(after).to_owned())
        .unwrap_or_else(|| {
            "\n## Notes\n\n(Analysis of the rows that miss a target goes here.)\n".to_owned()
        });
    let load = existing.find(LOAD_START).and_then(|start| {
        let end = start + existing.get(start..)?.find(LOAD_END)? + LOAD_END.len();
        if notes_at.is_some_and(|at| at < start) {
            return None;
        }
        existing.get(start..end)
    });
    (load, notes)
}

/// `cargo xtask bench`.
pub(crate) fn bench(options: &BenchOptions) -> ExitCode {
    let root = workspace_root();
    let load_before = load_average();
    let mut peaks = Vec::new();
    if !options.report_only {
        // Old results of renamed benches must not leak into the report.
        for group in GROUPS
            .iter()
            .map(|(group, _, _)| *group)
            .chain(JWT_GROUPS.iter().map(|(group, _)| *group))
            .chain(["replay"])
        {
            let _ = std::fs::remove_dir_all(criterion_dir().join(group));
        }
        let mut args = vec!["bench", "--locked", "-p", "jose-benches"];
        if options.peers {
            args.extend(["--features", "peers"]);
        }
        let mut command = CargoCommand::new(&args);
        if options.quick {
            command = command.env("JOSE_BENCH_QUICK", "1");
        }
        eprintln!("==> {} (load average {load_before})", command.display());
        let timed = command.status();
        match timed.value {
            Ok(status) if status.success() => {
                eprintln!("<== benches done in {}", format_duration(timed.elapsed))
            }
            Ok(status) => {
                eprintln!(
                    "xtask bench: error: the benches failed ({})",
                    describe_status(status)
                );
                return ExitCode::FAILURE;
            }
            Err(error) => {
                eprintln!("xtask bench: error: could not run cargo bench: {error}");
                return ExitCode::FAILURE;
            }
        }
        for (provider, path) in [
            ("aws-lc", "compact"),
            ("aws-lc", "allocating"),
            ("rustcrypto", "compact"),
            ("rustcrypto", "allocating"),
        ] {
            let command = CargoCommand::new(&[
                "run",
                "--locked",
                "--release",
                "-q",
                "-p",
                "jose-benches",
                "--bin",
                "jwe_peak_memory",
                "--",
                provider,
                "64",
                path,
            ]);
            eprintln!("==> {}", command.display());
            match command.output() {
                Ok(output) if output.status.success() => {
                    let text = String::from_utf8_lossy(&output.stdout);
                    peaks.extend(text.lines().filter_map(parse_peak));
                }
                Ok(output) => eprintln!(
                    "xtask bench: the peak-memory probe failed for {provider}: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
                Err(error) => {
                    eprintln!("xtask bench: could not run the peak-memory probe: {error}")
                }
            }
        }
    }
    let mut measurements = Vec::new();
    collect(&criterion_dir(), &mut measurements);
    if measurements.is_empty() {
        eprintln!(
            "xtask bench: error: no criterion results under {}",
            criterion_dir().display()
        );
        return ExitCode::FAILURE;
    }
    let path = root.join("BENCHMARKS.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    if options.report_only {
        // Keep the peak-memory table of the last full run.
        peaks = existing.lines().filter_map(parse_peak_row).collect();
    }
    let (load, notes) = kept_parts(&existing);
    let mut context = Context {
        date: command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        cpu: cpu_model(),
        cores: std::thread::available_parallelism().map_or(0, usize::from),
        rustc: command_line("rustc", &["--version"]),
        load_before,
        load_after: load_average(),
    };
    if options.report_only {
        // The numbers are the last run's: keep its date and load.
        if let Some((date, before, after)) = previous_run(&existing) {
            (context.date, context.load_before, context.load_after) = (date, before, after);
        }
    }
    let text = render(&measurements, &peaks, &context, options.quick, load, &notes);
    if let Err(error) = std::fs::write(&path, text) {
        eprintln!(
            "xtask bench: error: could not write {}: {error}",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    eprintln!(
        "xtask bench: {} results written to {}",
        measurements.len(),
        path.display()
    );
    if options.load {
        let command = CargoCommand::new(&LOAD_COMMAND);
        eprintln!(
            "==> {} (load average {})",
            command.display(),
            load_average()
        );
        let timed = command.status();
        match timed.value {
            Ok(status) if status.success() => {
                eprintln!("<== load bench done in {}", format_duration(timed.elapsed))
            }
            Ok(status) => {
                eprintln!(
                    "xtask bench: error: the load bench failed ({})",
                    describe_status(status)
                );
                return ExitCode::FAILURE;
            }
            Err(error) => {
                eprintln!("xtask bench: error: could not run the load bench: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// The date and load averages of the run that produced an existing BENCHMARKS.md.
fn previous_run(text: &str) -> Option<(String, String, String)> {
    let date = text
        .lines()
        .find_map(|line| line.strip_prefix("Generated by `cargo xtask bench` on "))?
        .split(" — ")
        .next()?
        .to_owned();
    let load = text
        .lines()
        .find_map(|line| line.strip_prefix("- Load average (1, 5, 15 min) before the run: "))?;
    let (before, after) = load.split_once("; after: ")?;
    Some((date, before.to_owned(), after.to_owned()))
}

/// Reads a row of the peak-memory table back (for `--report-only`).
fn parse_peak_row(line: &str) -> Option<PeakMemory> {
    let cells: Vec<&str> = line
        .trim()
        .trim_matches('|')
        .split('|')
        .map(str::trim)
        .collect();
    let [provider, path, payload, baseline, peak, ..] = cells.as_slice() else {
        return None;
    };
    let mib = |cell: &str| -> Option<u64> { cell.strip_suffix(" MiB")?.parse::<u64>().ok() };
    Some(PeakMemory {
        provider: (*provider).to_owned(),
        path: (*path).to_owned(),
        payload_bytes: mib(payload)? * 1024 * 1024,
        baseline_kb: mib(baseline)? * 1024,
        peak_kb: mib(peak)? * 1024,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_criterion_files() {
        let benchmark = r#"{"group_id":"jws_sign","function_id":"aws-lc","value_str":"ES256/1KiB","throughput":null,"full_id":"jws_sign/aws-lc/ES256/1KiB","directory_name":"jws_sign/aws-lc/ES256_1KiB","title":"jws_sign/aws-lc/ES256/1KiB"}"#;
        assert_eq!(
            json_string(benchmark, "group_id").as_deref(),
            Some("jws_sign")
        );
        assert_eq!(
            json_string(benchmark, "value_str").as_deref(),
            Some("ES256/1KiB")
        );
        let estimates = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":20100.5,"upper_bound":20300.0},"point_estimate":20250.25,"standard_error":3.0}}"#;
        assert_eq!(median_ns(estimates), Some(20250.25));
        assert_eq!(median_ns("{}"), None);
    }

    #[test]
    fn peak_lines_round_trip_through_the_table() {
        let line = "peak_memory provider=aws-lc path=compact payload_bytes=67108864 baseline_kb=68608 peak_kb=309248";
        let peak = parse_peak(line).expect("parses");
        assert_eq!(peak.provider, "aws-lc");
        assert_eq!(peak.peak_kb, 309_248);
        assert_eq!(peak.path, "compact");
        let row = "| aws-lc | compact | 64 MiB | 67 MiB | 302 MiB | 4.61 | 3.58 |";
        let back = parse_peak_row(row).expect("row parses");
        assert_eq!(back.payload_bytes, 67_108_864);
        assert_eq!(back.path, "compact");
        assert_eq!(back.peak_kb, 302 * 1024);
        assert!(parse_peak_row("|---|--:|").is_none());
        let header = "Generated by `cargo xtask bench` on 2026-11-23 20:41 UTC — do not edit\n- Load average (1, 5, 15 min) before the run: 2.87 4.07 4.10; after: 3.66 3.42 3.67\n";
        assert_eq!(
            previous_run(header),
            Some((
                "2026-11-23 20:41 UTC".to_owned(),
                "2.87 4.07 4.10".to_owned(),
                "3.66 3.42 3.67".to_owned()
            ))
        );
    }

    #[test]
    fn a_rewrite_keeps_the_load_section_verbatim() {
        let context = Context {
            date: "2026-12-01 10:00 UTC".to_owned(),
            cpu: "CPU".to_owned(),
            cores: 2,
            rustc: "rustc".to_owned(),
            load_before: "0.10 0.20 0.30".to_owned(),
            load_after: "0.10 0.20 0.30".to_owned(),
        };
        let section = format!(
            "{LOAD_START}\n## 4Quays over HTTP: load bench\n\n| a | b |\n|---|--:|\n| x | 1 |\n\n<!-- 4quays-load:notes -->\nhand-written\n{LOAD_END}"
        );
        let notes = "\n## Notes\n\nmine\n";
        // Above the notes marker (where `fourquays_load` puts it the first time).
        let old = format!("# Benchmarks\n\nold tables\n\n{section}\n\n{NOTES_MARKER}{notes}");
        let (load, kept) = kept_parts(&old);
        assert_eq!(load, Some(section.as_str()));
        let new = render(&[], &[], &context, false, load, &kept);
        assert_eq!(new.matches(&section).count(), 1, "{new}");
        assert!(new.ends_with(&format!("{section}\n\n{NOTES_MARKER}{notes}")));
        assert!(!new.contains("old tables"));
        // Rewriting the rewrite gives the same file.
        let (again, kept) = kept_parts(&new);
        assert_eq!(again, Some(section.as_str()));
        assert_eq!(render(&[], &[], &context, false, again, &kept), new);
        // Among the notes: the notes carry it, once.
        let among = format!("# Benchmarks\n\n{NOTES_MARKER}{notes}\n{section}\n");
        let (load, kept) = kept_parts(&among);
        assert_eq!(load, None);
        let new = render(&[], &[], &context, false, load, &kept);
        assert_eq!(new.matches(&section).count(), 1, "{new}");
        assert!(new.ends_with(&format!("{NOTES_MARKER}{notes}\n{section}\n")));
        // No notes marker at all: the section is still carried.
        let bare = format!("# Benchmarks\n\n{section}\n");
        assert_eq!(kept_parts(&bare).0, Some(section.as_str()));
        // An unterminated section is not carried (nor half of it).
        assert_eq!(kept_parts(&format!("{LOAD_START}\nno end\n")).0, None);
    }

    #[test]
    fn cases_sort_by_algorithm_then_size() {
        let mut cases = [
            "RSA-OAEP-256+A128GCM/1MiB",
            "RSA-OAEP+A128GCM/64KiB",
            "RSA-OAEP+A128GCM/1KiB",
            "ES256/1KiB",
            "RS256/1KiB",
        ];
        cases.sort_by_key(|case| case_order(case));
        assert_eq!(
            cases,
            [
                "RSA-OAEP+A128GCM/1KiB",
                "RSA-OAEP+A128GCM/64KiB",
                "RSA-OAEP-256+A128GCM/1MiB",
                "RS256/1KiB",
                "ES256/1KiB"
            ]
        );
    }

    #[test]
    fn new_cases_sort_in_registry_order() {
        let mut cases = [
            "dir+A128CBC-HS256/1KiB",
            "PBES2-HS256+A128KW+A128GCM/1KiB",
            "HS512/1KiB",
            "A128KW+A128GCM/1KiB",
            "RSA-OAEP-256+A256GCM/1MiB",
            "RS256/1KiB",
            "HS256/1KiB",
        ];
        cases.sort_by_key(|case| case_order(case));
        assert_eq!(
            cases,
            [
                "RSA-OAEP-256+A256GCM/1MiB",
                "A128KW+A128GCM/1KiB",
                "PBES2-HS256+A128KW+A128GCM/1KiB",
                "dir+A128CBC-HS256/1KiB",
                "HS256/1KiB",
                "HS512/1KiB",
                "RS256/1KiB",
            ]
        );
    }

    #[test]
    fn ecdh_eddsa_and_rsa_oaep_384_cases_sort_in_registry_order() {
        let mut cases = [
            "EdDSA/1KiB",
            "ECDH-ES+A256KW+A256GCM/P-256/1KiB",
            "ECDH-ES+A256GCM/X25519/1KiB",
            "dir+A128CBC-HS256/1KiB",
            "ECDH-ES+A256GCM/P-256/1KiB",
            "RSA-OAEP-512+A256GCM/1KiB",
            "ES512/1KiB",
            "RSA-OAEP-384+A256GCM/1KiB",
            "PBES2-HS512+A256KW+A256GCM/1KiB",
            "RSA-OAEP-256+A256GCM/1MiB",
        ];
        cases.sort_by_key(|case| case_order(case));
        assert_eq!(
            cases,
            [
                "RSA-OAEP-256+A256GCM/1MiB",
                "RSA-OAEP-384+A256GCM/1KiB",
                "RSA-OAEP-512+A256GCM/1KiB",
                "PBES2-HS512+A256KW+A256GCM/1KiB",
                "ECDH-ES+A256GCM/P-256/1KiB",
                "ECDH-ES+A256GCM/X25519/1KiB",
                "ECDH-ES+A256KW+A256GCM/P-256/1KiB",
                "dir+A128CBC-HS256/1KiB",
                "ES512/1KiB",
                "EdDSA/1KiB",
            ]
        );
        // Every case has its own rank, ahead of unknown ones.
        let unknown = case_order("RSA1_5+A128GCM/1KiB").0;
        assert!(cases.iter().all(|case| case_order(case).0 < unknown));
    }

    #[test]
    fn raw_b64_gets_its_columns_and_sets_the_target() {
        let context = Context {
            date: "2026-12-05 04:00 UTC".to_owned(),
            cpu: "CPU".to_owned(),
            cores: 2,
            rustc: "rustc".to_owned(),
            load_before: "0.10 0.20 0.30".to_owned(),
            load_after: "0.10 0.20 0.30".to_owned(),
        };
        let m = |group: &str, function: &str, case: &str, median_ns: f64| Measurement {
            group: group.to_owned(),
            function: function.to_owned(),
            case: case.to_owned(),
            median_ns,
        };
        let case = "RSA-OAEP-256+A256GCM/1KiB";
        // 1.10 over raw, 1.04 over raw+b64: the row meets its target.
        let measurements = [
            m("jwe_encrypt", "aws-lc", case, 110.0),
            m("jwe_encrypt", "raw", case, 100.0),
            m("jwe_encrypt", "raw+b64", case, 105.8),
            m("jws_sign", "aws-lc", "HS256/1KiB", 110.0),
            m("jws_sign", "raw", "HS256/1KiB", 100.0),
        ];
        let text = render(&measurements, &[], &context, true, None, "");
        assert!(
            text.contains("| RSA-OAEP-256+A256GCM/1KiB | 110 ns | – | 100 ns | – | 1.10 | – | – | – | 106 ns | 1.04 | ✓ |"),
            "{text}"
        );
        // A group without raw+b64 keeps its ten columns, and 1.10 over raw misses.
        assert!(
            text.contains("| HS256/1KiB | 110 ns | – | 100 ns | – | 1.10 | – | – | – | ✗ |"),
            "{text}"
        );
    }

    #[test]
    fn jwt_rows_follow_the_groups_in_registry_order() {
        let context = Context {
            date: "2026-12-06 08:00 UTC".to_owned(),
            cpu: "CPU".to_owned(),
            cores: 2,
            rustc: "rustc".to_owned(),
            load_before: "0.10 0.20 0.30".to_owned(),
            load_after: "0.10 0.20 0.30".to_owned(),
        };
        let m = |group: &str, function: &str, case: &str, median_ns: f64| Measurement {
            group: group.to_owned(),
            function: function.to_owned(),
            case: case.to_owned(),
            median_ns,
        };
        // No JWT results: no table.
        let text = render(&[], &[], &context, false, None, "");
        assert!(!text.contains("## JWT"), "{text}");
        let measurements = [
            m("dpop_verify", "aws-lc", "ES256", 120.0),
            m("dpop_verify", "below-aws-lc", "ES256", 100.0),
            m("jwt_verify", "aws-lc", "ES256", 110.0),
            m("jwt_verify", "below-aws-lc", "ES256", 100.0),
            m("jwt_verify", "raw", "ES256", 88.0),
            m("jwt_verify", "jsonwebtoken", "ES256", 125.0),
            m("jwt_verify", "rustcrypto", "ES256", 400.0),
            m("jwt_verify", "below-rustcrypto", "ES256", 380.0),
            m("jwt_verify", "aws-lc", "HS256", 3000.0),
            m("jwt_sign", "aws-lc", "EdDSA", 2000.0),
        ];
        let text = render(&measurements, &[], &context, false, None, "");
        let table = text
            .split("## JWT")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("a JWT section");
        let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(
            rows,
            [
                "| case | aws-lc | below aws-lc | raw aws-lc-rs | jsonwebtoken | aws-lc/below | aws-lc/raw | aws-lc/jsonwebtoken | rustcrypto | below rustcrypto | rustcrypto/below |",
                "| verify HS256 | 3.0 µs | – | – | – | – | – | – | – | – | – |",
                "| verify ES256 | 110 ns | 100 ns | 88 ns | 125 ns | 1.10 | 1.25 | 0.88 | 400 ns | 380 ns | 1.05 |",
                "| sign EdDSA | 2.0 µs | – | – | – | – | – | – | – | – | – |",
                "| DPoP verify ES256 | 120 ns | 100 ns | – | – | 1.20 | – | – | – | – | – |",
            ],
            "{text}"
        );
    }

    #[test]
    fn options_parse() {
        assert_eq!(
            parse_args(&["--quick".to_owned(), "--no-peers".to_owned()]),
            Ok(BenchOptions {
                quick: true,
                peers: false,
                report_only: false,
                load: false,
            })
        );
        assert!(parse_args(&["--load".to_owned()]).is_ok_and(|o| o.load));
        assert!(parse_args(&["--fast".to_owned()]).is_err());
    }
}
