//! `cargo xtask fuzz [--target T] [--seconds N]`: the cargo-fuzz targets in `fuzz/`, on stable.
//!
//! cargo-fuzz needs nightly-only rustc flags (`-Z sanitizer=address`, sancov options); stable
//! rustc accepts them with `RUSTC_BOOTSTRAP=1`, which is set for every cargo-fuzz call here. The
//! first build uses AddressSanitizer; if that build fails (no ASan runtime for this target), it
//! is retried with `-s none`, and the run says so.
//!
//! Each target runs on `fuzz/corpus/<target>/` (gitignored, grows as the fuzzer finds inputs) and
//! the committed seeds in `fuzz/seeds/<target>/` (read-only here; regenerate with
//! `cargo run --manifest-path fuzz/Cargo.toml --example gen_seeds`). A crash leaves its input in
//! `fuzz/artifacts/<target>/`; turn it into a test in
//! `crates/jose-core/tests/fuzz_regressions.rs`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use crate::run::{CargoCommand, cargo_install, describe_status, format_duration, workspace_root};

/// Seconds per target when `--seconds` is not given.
pub(crate) const DEFAULT_SECONDS: u64 = 60;

/// Seconds per target in the `cargo xtask ci` smoke run.
pub(crate) const SMOKE_SECONDS: u64 = 4;

/// What one target's run produced.
struct TargetRun {
    /// The target's name.
    name: String,
    /// Whether it ended without a crash, leak or timeout.
    ok: bool,
    /// Executions (libFuzzer's `stat::number_of_executed_units`).
    executions: Option<u64>,
    /// Coverage points (`cov:` of the last status line) and features (`ft:`).
    coverage: Option<(u64, u64)>,
    /// Corpus entries at the end (`corp:` of the last status line).
    corpus: Option<u64>,
    /// Peak RSS in MB.
    peak_rss_mb: Option<u64>,
    /// Wall-clock time of the run (build excluded).
    elapsed: Duration,
    /// Why it failed, when it did.
    failure: Option<String>,
}

/// Options of `cargo xtask fuzz`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FuzzOptions {
    /// Run only this target.
    pub(crate) target: Option<String>,
    /// Seconds per target.
    pub(crate) seconds: u64,
}

/// Parses `[--target T] [--seconds N]`.
pub(crate) fn parse_args(args: &[String]) -> Result<FuzzOptions, String> {
    let mut options = FuzzOptions {
        target: None,
        seconds: DEFAULT_SECONDS,
    };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--target" => {
                let value = iter.next().ok_or("--target needs a target name")?;
                options.target = Some(value.clone());
            }
            "--seconds" => {
                let value = iter.next().ok_or("--seconds needs a number")?;
                options.seconds = value.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                    format!("--seconds expects a positive whole number, found `{value}`")
                })?;
            }
            other => return Err(format!("`fuzz` does not take `{other}`")),
        }
    }
    Ok(options)
}

/// Whether `cargo fuzz` runs.
fn cargo_fuzz_present() -> bool {
    CargoCommand::new(&["fuzz", "--version"])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Installs cargo-fuzz if it is missing. Measured on this 2-core machine: 55s.
fn ensure_cargo_fuzz() -> Result<(), String> {
    if cargo_fuzz_present() {
        return Ok(());
    }
    cargo_install("fuzz", "cargo-fuzz", None, "about a minute")?;
    if cargo_fuzz_present() {
        Ok(())
    } else {
        Err("cargo-fuzz was installed but `cargo fuzz --version` still fails".to_owned())
    }
}

/// `cargo fuzz` with `RUSTC_BOOTSTRAP=1`, so that stable rustc takes cargo-fuzz's flags.
fn cargo_fuzz(args: &[&str]) -> CargoCommand {
    let mut full = vec!["fuzz"];
    full.extend_from_slice(args);
    CargoCommand::new(&full).env("RUSTC_BOOTSTRAP", "1")
}

/// The targets `cargo fuzz list` reports.
fn list_targets() -> Result<Vec<String>, String> {
    let output = cargo_fuzz(&["list"])
        .output()
        .map_err(|error| format!("could not run cargo fuzz list: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo fuzz list failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Builds every target, with ASan if it builds, else without a sanitizer. Returns the
/// sanitizer used (`"address"` or `"none"`).
fn build(targets: &[String]) -> Result<&'static str, String> {
    for sanitizer in ["address", "none"] {
        eprintln!("\n==> RUSTC_BOOTSTRAP=1 cargo fuzz build -s {sanitizer}");
        let mut args = vec!["build", "-s", sanitizer];
        if let [only] = targets {
            args.push(only);
        }
        let timed = cargo_fuzz(&args).status();
        match timed.value {
            Ok(status) if status.success() => {
                eprintln!("<== built in {}", format_duration(timed.elapsed));
                return Ok(sanitizer);
            }
            Ok(status) if sanitizer == "address" => eprintln!(
                "xtask fuzz: the AddressSanitizer build failed ({}); retrying with `-s none` \
                 (no sanitizer: memory errors in C code would go unnoticed)",
                describe_status(status)
            ),
            Ok(status) => {
                return Err(format!(
                    "cargo fuzz build -s none failed ({})",
                    describe_status(status)
                ));
            }
            Err(error) => return Err(format!("could not run cargo fuzz build: {error}")),
        }
    }
    Err("no sanitizer setting built".to_owned())
}

/// The number after `key` in `text` (`cov: 123` -> 123), from its last occurrence.
fn last_number_after(text: &str, key: &str) -> Option<u64> {
    let at = text.rfind(key)?;
    let rest = text.get(at + key.len()..)?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// What libFuzzer reports at the end of a run.
#[derive(Debug, PartialEq, Eq)]
struct Stats {
    /// `stat::number_of_executed_units`.
    executions: Option<u64>,
    /// `cov:` and `ft:` of the last status line.
    coverage: Option<(u64, u64)>,
    /// `corp:` of the last status line.
    corpus: Option<u64>,
    /// `stat::peak_rss_mb`.
    peak_rss_mb: Option<u64>,
}

/// Reads libFuzzer's final stats and its last status line.
fn parse_stats(output: &str) -> Stats {
    let executions = last_number_after(output, "stat::number_of_executed_units:");
    let peak = last_number_after(output, "stat::peak_rss_mb:");
    // The last status line with coverage: `#123 DONE cov: 456 ft: 789 corp: 12/3kb ...`.
    let status_line = output
        .lines()
        .rev()
        .find(|line| line.starts_with('#') && line.contains("cov: "));
    let coverage = status_line.and_then(|line| {
        Some((
            last_number_after(line, "cov:")?,
            last_number_after(line, "ft:")?,
        ))
    });
    let corpus = status_line.and_then(|line| last_number_after(line, "corp:"));
    Stats {
        executions,
        coverage,
        corpus,
        peak_rss_mb: peak,
    }
}

/// Runs one target for `seconds`.
fn run_target(name: &str, seconds: u64, sanitizer: &str) -> TargetRun {
    let root = workspace_root();
    let corpus = format!("fuzz/corpus/{name}");
    let seeds = format!("fuzz/seeds/{name}");
    if let Err(error) = std::fs::create_dir_all(root.join(&corpus)) {
        return failed_run(name, format!("could not create {corpus}: {error}"));
    }
    let max_time = format!("-max_total_time={seconds}");
    let mut args = vec!["run", "-s", sanitizer, name, corpus.as_str()];
    if root.join(&seeds).is_dir() {
        args.push(seeds.as_str());
    }
    args.extend([
        "--",
        max_time.as_str(),
        "-print_final_stats=1",
        "-timeout=20",
        "-rss_limit_mb=3072",
        "-max_len=16384",
    ]);
    let command = cargo_fuzz(&args);
    eprintln!("\n==> {name}: {}", command.display());
    // The deadline is generous: libFuzzer stops itself at max_total_time, but loading a large
    // corpus and the final merge come on top.
    let timed = command.captured(Some(Duration::from_secs(seconds * 2 + 300)));
    let captured = match timed.value {
        Ok(captured) => captured,
        Err(error) => return failed_run(name, format!("could not run cargo fuzz run: {error}")),
    };
    let stats = parse_stats(&captured.output);
    let failure = match captured.status {
        Some(status) if status.success() => None,
        Some(status) => Some(format!(
            "{} — the input is in fuzz/artifacts/{name}/; add it to crates/jose-core/tests/fuzz_regressions.rs",
            describe_status(status)
        )),
        None => Some("did not stop by its deadline and was killed".to_owned()),
    };
    TargetRun {
        name: name.to_owned(),
        ok: failure.is_none(),
        executions: stats.executions,
        coverage: stats.coverage,
        corpus: stats.corpus,
        peak_rss_mb: stats.peak_rss_mb,
        elapsed: timed.elapsed,
        failure,
    }
}

fn failed_run(name: &str, why: String) -> TargetRun {
    TargetRun {
        name: name.to_owned(),
        ok: false,
        executions: None,
        coverage: None,
        corpus: None,
        peak_rss_mb: None,
        elapsed: Duration::ZERO,
        failure: Some(why),
    }
}

fn show(value: Option<u64>) -> String {
    value.map_or_else(|| "?".to_owned(), |v| v.to_string())
}

/// `cargo xtask fuzz`: every target (or one) for `seconds` each; a summary table at the end.
pub(crate) fn fuzz(options: &FuzzOptions) -> ExitCode {
    if !Path::new(&workspace_root().join("fuzz/Cargo.toml")).is_file() {
        eprintln!("xtask fuzz: error: fuzz/Cargo.toml not found");
        return ExitCode::FAILURE;
    }
    if let Err(why) = ensure_cargo_fuzz() {
        eprintln!("xtask fuzz: error: {why}");
        return ExitCode::from(crate::EXIT_USAGE);
    }
    let all = match list_targets() {
        Ok(all) => all,
        Err(why) => {
            eprintln!("xtask fuzz: error: {why}");
            return ExitCode::FAILURE;
        }
    };
    let targets: Vec<String> = match &options.target {
        Some(target) if all.contains(target) => vec![target.clone()],
        Some(target) => {
            eprintln!(
                "xtask fuzz: error: no fuzz target `{target}`; the targets are: {}",
                all.join(", ")
            );
            return ExitCode::from(crate::EXIT_USAGE);
        }
        None => all,
    };
    let sanitizer = match build(&targets) {
        Ok(sanitizer) => sanitizer,
        Err(why) => {
            eprintln!("xtask fuzz: error: {why}");
            return ExitCode::FAILURE;
        }
    };
    let runs: Vec<TargetRun> = targets
        .iter()
        .map(|name| run_target(name, options.seconds, sanitizer))
        .collect();

    eprintln!(
        "\nxtask fuzz summary ({}s per target, sanitizer: {sanitizer}):",
        options.seconds
    );
    eprintln!(
        "  {:<18} {:<7} {:>12} {:>7} {:>8} {:>7} {:>8} {:>8}",
        "target", "result", "executions", "cov", "ft", "corpus", "rss MB", "time"
    );
    let mut total_executions = 0;
    for run in &runs {
        total_executions += run.executions.unwrap_or(0);
        eprintln!(
            "  {:<18} {:<7} {:>12} {:>7} {:>8} {:>7} {:>8} {:>8}",
            run.name,
            if run.ok { "ok" } else { "FAILED" },
            show(run.executions),
            show(run.coverage.map(|c| c.0)),
            show(run.coverage.map(|c| c.1)),
            show(run.corpus),
            show(run.peak_rss_mb),
            format_duration(run.elapsed),
        );
    }
    eprintln!("  total executions: {total_executions}");
    let failures: Vec<&TargetRun> = runs.iter().filter(|run| !run.ok).collect();
    if failures.is_empty() {
        eprintln!("xtask fuzz: {} target(s), no crash", runs.len());
        ExitCode::SUCCESS
    } else {
        for run in &failures {
            eprintln!(
                "xtask fuzz: {} FAILED: {}",
                run.name,
                run.failure.as_deref().unwrap_or("?")
            );
        }
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse() {
        let args: Vec<String> = ["--target", "jwk", "--seconds", "30"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(
            parse_args(&args),
            Ok(FuzzOptions {
                target: Some("jwk".to_owned()),
                seconds: 30
            })
        );
        assert_eq!(parse_args(&[]).map(|o| o.seconds), Ok(DEFAULT_SECONDS));
        assert!(parse_args(&["--seconds".to_owned(), "0".to_owned()]).is_err());
        assert!(parse_args(&["--bogus".to_owned()]).is_err());
    }

    #[test]
    fn stats_parse_from_libfuzzer_output() {
        let output = "\
#2\tINITED cov: 100 ft: 120 corp: 5/1024b exec/s: 0 rss: 40Mb
#4096\tpulse  cov: 300 ft: 700 corp: 40/8Kb lim: 4096 exec/s: 2048 rss: 60Mb
#8000\tDONE   cov: 310 ft: 731 corp: 42/9Kb lim: 4096 exec/s: 2000 rss: 61Mb
Done 8000 runs in 4 second(s)
stat::number_of_executed_units: 8000
stat::average_exec_per_sec:     2000
stat::new_units_added:          37
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              61
";
        assert_eq!(
            parse_stats(output),
            Stats {
                executions: Some(8000),
                coverage: Some((310, 731)),
                corpus: Some(42),
                peak_rss_mb: Some(61),
            }
        );
        assert_eq!(parse_stats("no stats").executions, None);
    }
}
