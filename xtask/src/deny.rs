//! `cargo xtask deny`: cargo-deny's offline checks, then the advisory check when the RustSec
//! advisory database can be fetched.
//!
//! `licenses`, `bans` and `sources` need only the crates in the local registry cache (filled
//! first by `cargo fetch --locked`), so they run with `--offline`. `advisories` needs the advisory database, which cargo-deny
//! clones from GitHub; where GitHub cannot be reached (as on this project's machines) the
//! check is reported as NOT RUN, plainly, and does not fail the task: only a check that ran
//! and failed does.

use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use crate::EXIT_USAGE;
use crate::run::{CargoCommand, cargo_install, describe_status, format_duration};

/// Where cargo-deny fetches the RustSec advisory database from by default
/// (`https://github.com/rustsec/advisory-db`); probed before the advisory check.
const ADVISORY_DB_HOST: (&str, u16) = ("github.com", 443);

/// How long the reachability probe waits for a TCP connection.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the advisory check (fetch included) may take before it is stopped.
const ADVISORIES_TIMEOUT: Duration = Duration::from_secs(600);

/// Words in cargo-deny's output that show the advisory database could not be fetched, as
/// opposed to the check having run.
const FETCH_FAILURE_WORDS: &[&str] = &[
    "fetch",
    "git",
    "network",
    "clone",
    "resolve",
    "dns",
    "connect",
    "timed out",
    "unreachable",
];

/// The result of one cargo-deny invocation, for the summary.
enum Verdict {
    /// The check ran and passed.
    Ok,
    /// The check ran and failed; the string says how.
    Failed(String),
    /// The check could not run; the string says why.
    NotRun(String),
}

/// The cargo-deny release installed when none is present: deny.toml is written for it.
const CARGO_DENY_VERSION: &str = "0.20.2";

/// The installed cargo-deny's version, installing [`CARGO_DENY_VERSION`] first if it is missing
/// (measured on this project's 2-core machines: 5 to 6 minutes, from source).
fn ensure_cargo_deny() -> Result<String, String> {
    if let Ok(version) = cargo_deny_version() {
        return Ok(version);
    }
    cargo_install(
        "deny",
        "cargo-deny",
        Some(CARGO_DENY_VERSION),
        "5 to 6 minutes on 2 cores",
    )?;
    cargo_deny_version()
}

/// `cargo xtask deny`.
pub(crate) fn deny() -> ExitCode {
    match ensure_cargo_deny() {
        Ok(version) => eprintln!("xtask deny: using {version}"),
        Err(why) => {
            eprintln!("xtask deny: cargo-deny is not available ({why})");
            return ExitCode::from(EXIT_USAGE);
        }
    }

    // The offline checks read every crate of the graph (all targets) from the local cache;
    // make sure it is there. A failure here is only a warning: the checks say what is missing.
    let fetch = CargoCommand::new(&["fetch", "--locked"]);
    eprintln!("\n==> fetch: {}", fetch.display());
    match fetch.status().value {
        Ok(status) if status.success() => {}
        Ok(status) => eprintln!(
            "xtask deny: warning: `cargo fetch --locked` failed ({})",
            describe_status(status)
        ),
        Err(error) => {
            eprintln!("xtask deny: warning: could not run `cargo fetch --locked`: {error}")
        }
    }

    let offline = CargoCommand::new(&["deny", "--offline", "check", "licenses", "bans", "sources"]);
    eprintln!("\n==> licenses bans sources: {}", offline.display());
    let timed = offline.status();
    let offline_verdict = match timed.value {
        Ok(status) if status.success() => Verdict::Ok,
        Ok(status) => Verdict::Failed(describe_status(status)),
        Err(error) => Verdict::Failed(format!("could not start cargo: {error}")),
    };
    let offline_time = format_duration(timed.elapsed);

    let (advisories_verdict, advisories_time) = advisories();

    eprintln!("\nxtask deny summary:");
    let lines = [
        (
            "licenses bans sources",
            &offline_verdict,
            Some(offline_time),
        ),
        ("advisories", &advisories_verdict, advisories_time),
    ];
    let mut failed = false;
    for (name, verdict, time) in lines {
        let time = time.map(|t| format!(" in {t}")).unwrap_or_default();
        match verdict {
            Verdict::Ok => eprintln!("  {name}: ok{time}"),
            Verdict::Failed(why) => {
                failed = true;
                eprintln!("  {name}: FAILED ({why}){time}");
            }
            Verdict::NotRun(why) => {
                eprintln!("  {name}: NOT RUN (advisory database unreachable: {why})");
            }
        }
    }
    if failed {
        eprintln!("xtask deny: FAILED (see the cargo-deny output above)");
        ExitCode::FAILURE
    } else {
        eprintln!("xtask deny: every check that ran passed");
        ExitCode::SUCCESS
    }
}

/// `cargo deny --version`, or why it could not be run.
fn cargo_deny_version() -> Result<String, String> {
    let output = CargoCommand::new(&["deny", "--version"])
        .output()
        .map_err(|error| format!("could not run cargo: {error}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("no output");
        Err(format!(
            "`cargo deny --version`: {}: {}",
            describe_status(output.status),
            first.trim()
        ))
    }
}

/// Runs `cargo deny check advisories` if the database looks reachable, and classifies the result.
fn advisories() -> (Verdict, Option<String>) {
    if let Err(why) = probe_advisory_db() {
        return (Verdict::NotRun(why), None);
    }
    let command = CargoCommand::new(&["deny", "check", "advisories"]);
    eprintln!("\n==> advisories: {}", command.display());
    let timed = command.captured(Some(ADVISORIES_TIMEOUT));
    let time = Some(format_duration(timed.elapsed));
    let captured = match timed.value {
        Ok(captured) => captured,
        Err(error) => {
            return (
                Verdict::Failed(format!("could not start cargo: {error}")),
                time,
            );
        }
    };
    let Some(status) = captured.status else {
        let why = format!(
            "`cargo deny check advisories` still running after {}, stopped",
            format_duration(ADVISORIES_TIMEOUT)
        );
        return (Verdict::NotRun(why), time);
    };
    (
        classify_advisories(status.success(), &captured.output, &describe_status(status)),
        time,
    )
}

/// Decides what a `cargo deny check advisories` run means from its exit and its output.
///
/// cargo-deny ends a run that checked something with a summary such as `advisories ok` or
/// `advisories FAILED`. A failure without that summary whose text speaks of fetching, git or
/// the network is a database that could not be fetched; any other failure counts as failed.
fn classify_advisories(success: bool, output: &str, status: &str) -> Verdict {
    let summary =
        output.lines().rev().map(str::trim).find(|line| {
            line.starts_with("advisories ok") || line.starts_with("advisories FAILED")
        });
    match (success, summary) {
        (true, _) => Verdict::Ok,
        (false, Some(_)) => Verdict::Failed(status.to_owned()),
        (false, None) => {
            let lower = output.to_lowercase();
            if FETCH_FAILURE_WORDS.iter().any(|word| lower.contains(word)) {
                Verdict::NotRun(first_error_line(output))
            } else {
                Verdict::Failed(format!("{status}: {}", first_error_line(output)))
            }
        }
    }
}

/// The longest piece of cargo-deny's text quoted in a reason.
const MAX_QUOTE: usize = 200;

/// A one-line reason from a failed run's `output`: its first line that mentions an error
/// (without cargo-deny's timestamp and level prefix), plus git's `fatal:` line if there is one;
/// else the first non-empty line.
fn first_error_line(output: &str) -> String {
    let lines = || {
        output
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
    };
    let error = lines()
        .find(|line| line.to_lowercase().contains("error"))
        .or_else(|| lines().next())
        .map(|line| match line.find("] ") {
            Some(at) if line.contains("[ERROR]") => line.get(at + 2..).unwrap_or(line),
            _ => line,
        })
        .unwrap_or("no output");
    let mut reason = quote(error);
    if let Some(fatal) = lines().find(|line| line.starts_with("fatal:")) {
        reason.push_str("; ");
        reason.push_str(&quote(fatal));
    }
    reason
}

/// `text`, cut to at most [`MAX_QUOTE`] characters.
fn quote(text: &str) -> String {
    if text.chars().count() <= MAX_QUOTE {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(MAX_QUOTE).collect();
        cut.push_str("...");
        cut
    }
}

/// A quick check that the advisory database's host answers, so an offline machine reports
/// at once instead of waiting on git. Skipped when a proxy is configured, since then only the
/// proxy needs to be reachable and cargo-deny's own error text decides.
fn probe_advisory_db() -> Result<(), String> {
    let proxied = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .any(|key| std::env::var_os(key).is_some_and(|value| !value.is_empty()));
    if proxied {
        return Ok(());
    }
    let (host, port) = ADVISORY_DB_HOST;
    let addresses = (host, port)
        .to_socket_addrs()
        .map_err(|error| format!("cannot resolve {host}: {error}"))?;
    let mut last_error = format!("{host} resolved to no address");
    for address in addresses {
        match TcpStream::connect_timeout(&address, PROBE_TIMEOUT) {
            Ok(_) => return Ok(()),
            Err(error) => {
                last_error = format!("cannot connect to {host}:{port} ({address}): {error}")
            }
        }
    }
    Err(last_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_deny_0_20_clone_failure_is_not_run() {
        // What cargo-deny 0.20 printed here with GitHub unreachable.
        let output = "2026-11-23 18:58:17 [ERROR] failed to fetch advisory database https://github.com/RustSec/advisory-db with cli: failed to clone: [\"clone\", \"--depth=1\"]\n\
                      Cloning into '/root/.cargo/advisory-dbs/advisory-db-3157b0e258782691'...\n\
                      fatal: unable to access 'https://github.com/RustSec/advisory-db/': Could not resolve host: github.com\n";
        let verdict = classify_advisories(false, output, "exit status 1");
        assert!(matches!(
            &verdict,
            Verdict::NotRun(why) if why.starts_with("failed to fetch advisory database")
                && why.ends_with("Could not resolve host: github.com")
        ));
    }

    #[test]
    fn fetch_failure_is_not_run() {
        let output = "error: failed to fetch advisory database https://github.com/rustsec/advisory-db\n\
                      Caused by: could not resolve host github.com\n";
        assert!(matches!(
            classify_advisories(false, output, "exit status 1"),
            Verdict::NotRun(why) if why.starts_with("error: failed to fetch")
        ));
    }

    #[test]
    fn vulnerability_is_failure_even_if_text_mentions_git() {
        let output = "error[vulnerability]: something in a git-ish crate\nadvisories FAILED\n";
        assert!(matches!(
            classify_advisories(false, output, "exit status 1"),
            Verdict::Failed(_)
        ));
    }

    #[test]
    fn clean_run_is_ok() {
        assert!(matches!(
            classify_advisories(true, "advisories ok\n", "exit status 0"),
            Verdict::Ok
        ));
    }

    #[test]
    fn unrelated_error_is_failure() {
        let output = "error: deny.toml: unknown field `bogus`\n";
        assert!(matches!(
            classify_advisories(false, output, "exit status 1"),
            Verdict::Failed(_)
        ));
    }
}
