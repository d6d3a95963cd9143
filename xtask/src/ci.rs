//! `cargo xtask ci` and `cargo xtask test`: the checks CI runs, in order, each timed.

use std::io::IsTerminal;
use std::process::{ExitCode, ExitStatus};
use std::time::{Duration, Instant};

use crate::run::{CargoCommand, cargo, describe_status, format_duration};

/// One named step of a task.
struct Step {
    /// Short name used in logs and in the summary (`fmt`, `clippy`, ...).
    name: &'static str,
    /// What the step runs.
    command: CargoCommand,
    /// Whether the step runs libtest, whose `test result:` lines are added up for the summary.
    counts_tests: bool,
}

/// How a step ended.
enum Outcome {
    /// It ran and succeeded.
    Passed(Duration),
    /// It ran and failed, or could not be started; the string says how.
    Failed(Duration, String),
    /// It did not run because an earlier step failed.
    Skipped,
}

/// `cargo fmt --all -- --check`, plus `--color never` when colour is turned off
/// (`CARGO_TERM_COLOR=never` or `NO_COLOR`, as in CI), since rustfmt colours its diff even
/// when writing to a log file.
fn fmt_step() -> Step {
    let no_color = std::env::var("CARGO_TERM_COLOR").is_ok_and(|value| value == "never")
        || std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    let mut args = vec!["fmt", "--all", "--", "--check"];
    if no_color {
        args.extend(["--color", "never"]);
    }
    Step {
        name: "fmt",
        command: CargoCommand::new(&args),
        counts_tests: false,
    }
}

/// `cargo clippy --workspace --all-targets --locked -- -D warnings`.
fn clippy_step() -> Step {
    Step {
        name: "clippy",
        command: CargoCommand::new(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
        counts_tests: false,
    }
}

/// `cargo doc --workspace --no-deps --locked` with rustdoc warnings denied (added to any
/// `RUSTDOCFLAGS` already set).
fn doc_step() -> Step {
    let flags = match std::env::var("RUSTDOCFLAGS") {
        Ok(existing) if !existing.trim().is_empty() => format!("{existing} -D warnings"),
        _ => "-D warnings".to_owned(),
    };
    Step {
        name: "doc",
        command: CargoCommand::new(&["doc", "--workspace", "--no-deps", "--locked"])
            .env("RUSTDOCFLAGS", &flags),
        counts_tests: false,
    }
}

/// `cargo test --workspace --locked`: unit, integration and doc tests of every member.
fn test_step() -> Step {
    let mut command = CargoCommand::new(&["test", "--workspace", "--locked"]);
    // The output goes through a pipe so that it can be counted; keep cargo's colours when a
    // person is watching.
    if std::env::var_os("CARGO_TERM_COLOR").is_none() && std::io::stderr().is_terminal() {
        command = command.env("CARGO_TERM_COLOR", "always");
    }
    Step {
        name: "test",
        command,
        counts_tests: true,
    }
}

/// `cargo xtask tidy`: the layering check, before anything is compiled.
fn tidy_step() -> Step {
    Step {
        name: "tidy",
        command: CargoCommand::new(&["xtask", "tidy"]),
        counts_tests: false,
    }
}

/// `cargo xtask features`: each provider crate built and tested on one provider alone. Its test
/// runs are not added to the summary's count, which stays the count of the test step.
fn features_step() -> Step {
    Step {
        name: "features",
        command: CargoCommand::new(&["xtask", "features"]),
        counts_tests: false,
    }
}

/// `cargo xtask fuzz --seconds 4`: every fuzz target briefly, on the committed seeds plus what
/// the fuzzer finds in those seconds. Measured on this 2-core machine (2026-11-23, load 2-3 from
/// other builds): installing cargo-fuzz 55s, the AddressSanitizer build of fuzz/ from scratch
/// 5m11s, the smoke run itself about 1 minute for ten targets (see .ci/run for the CI budget).
fn fuzz_smoke_step() -> Step {
    let seconds = crate::fuzz::SMOKE_SECONDS.to_string();
    Step {
        name: "fuzz",
        command: CargoCommand::new(&["xtask", "fuzz", "--seconds", &seconds]),
        counts_tests: false,
    }
}

/// `cargo xtask examples`: every example of every crate, each run as its docs say and required
/// to exit 0 (after the test step, which has built them).
fn examples_step() -> Step {
    Step {
        name: "examples",
        command: CargoCommand::new(&["xtask", "examples"]),
        counts_tests: false,
    }
}

/// Tests counted from libtest's `test result:` lines, over every test binary and doctest run.
#[derive(Debug, Default, PartialEq, Eq)]
struct TestTally {
    /// Tests that passed.
    passed: u64,
    /// Tests that failed.
    failed: u64,
    /// Tests marked as ignored (reported as skipped).
    ignored: u64,
    /// How many `test result:` lines were seen.
    runs: u64,
}

impl TestTally {
    /// Adds up every `test result: ok. 3 passed; 0 failed; 1 ignored; ...` line in `output`.
    fn from_output(output: &str) -> Self {
        let mut tally = Self::default();
        for line in output.lines() {
            let Some((_, counts)) = line.split_once("test result: ") else {
                continue;
            };
            tally.runs += 1;
            for part in counts.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(label), Some(number)) = (words.next(), words.next()) else {
                    continue;
                };
                let Ok(number) = number.parse::<u64>() else {
                    continue;
                };
                match label {
                    "passed" => tally.passed += number,
                    "failed" => tally.failed += number,
                    "ignored" => tally.ignored += number,
                    _ => {}
                }
            }
        }
        tally
    }

    /// The plain closing line: `tests: 12 passed, 0 failed, 1 skipped`.
    fn line(&self) -> String {
        format!(
            "tests: {} passed, {} failed, {} skipped",
            self.passed, self.failed, self.ignored
        )
    }
}

/// Runs a step's command, counting tests when the step runs them.
fn run_command(step: &Step) -> (std::io::Result<ExitStatus>, Duration, Option<TestTally>) {
    if !step.counts_tests {
        let timed = step.command.status();
        return (timed.value, timed.elapsed, None);
    }
    let timed = step.command.captured(None);
    match timed.value {
        Ok(captured) => {
            let tally = TestTally::from_output(&captured.output);
            let tally = (tally.runs > 0).then_some(tally);
            let status = captured
                .status
                .ok_or_else(|| std::io::Error::other("the test run was stopped"));
            (status, timed.elapsed, tally)
        }
        Err(error) => (Err(error), timed.elapsed, None),
    }
}

/// `cargo xtask ci`: fmt, tidy, clippy, doc, features, test, examples, fuzz smoke (after installing the
/// interop checkers if they are missing).
pub(crate) fn ci() -> ExitCode {
    if let Err(error) = crate::interop::ensure_checkers() {
        eprintln!("xtask ci: error: {error} (the tests need it)");
        return ExitCode::FAILURE;
    }
    run_steps(
        "ci",
        &[
            fmt_step(),
            tidy_step(),
            clippy_step(),
            doc_step(),
            features_step(),
            test_step(),
            examples_step(),
            fuzz_smoke_step(),
        ],
    )
}

/// `cargo xtask test`: the test step alone.
pub(crate) fn test() -> ExitCode {
    if let Err(error) = crate::interop::ensure_checkers() {
        eprintln!("xtask test: error: {error} (the tests need it)");
        return ExitCode::FAILURE;
    }
    run_steps("test", &[test_step()])
}

/// Runs `steps` in order, stopping at the first failure, then prints a summary.
fn run_steps(task: &str, steps: &[Step]) -> ExitCode {
    let start = Instant::now();
    let total = steps.len();
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(total);
    let mut failed: Option<(&'static str, String)> = None;
    let mut tallies: Vec<TestTally> = Vec::new();

    for (index, step) in steps.iter().enumerate() {
        if failed.is_some() {
            outcomes.push(Outcome::Skipped);
            continue;
        }
        eprintln!(
            "\n==> [{}/{total}] {}: {}",
            index + 1,
            step.name,
            step.command.display()
        );
        let (result, elapsed, tally) = run_command(step);
        let counted = tally
            .as_ref()
            .map(|tally| format!("; {}", tally.line()))
            .unwrap_or_default();
        let outcome = match result {
            Ok(status) if status.success() => {
                eprintln!(
                    "<== {}: ok ({}{counted})",
                    step.name,
                    format_duration(elapsed)
                );
                Outcome::Passed(elapsed)
            }
            Ok(status) => {
                let why = format!("{}{counted}", describe_status(status));
                eprintln!(
                    "<== {}: FAILED ({why}, {})",
                    step.name,
                    format_duration(elapsed)
                );
                Outcome::Failed(elapsed, why)
            }
            Err(error) => {
                let why = format!("could not run `{}`: {error}", cargo());
                eprintln!("<== {}: FAILED ({why})", step.name);
                Outcome::Failed(elapsed, why)
            }
        };
        tallies.extend(tally);
        if let Outcome::Failed(_, why) = &outcome {
            failed = Some((step.name, format!("{} ({why})", step.command.display())));
        }
        outcomes.push(outcome);
    }

    eprintln!("\nxtask {task} summary:");
    for (step, outcome) in steps.iter().zip(&outcomes) {
        let (verdict, time) = match outcome {
            Outcome::Passed(elapsed) => ("ok", format_duration(*elapsed)),
            Outcome::Failed(elapsed, _) => ("FAILED", format_duration(*elapsed)),
            Outcome::Skipped => ("skipped", "-".to_owned()),
        };
        eprintln!("  {:<8} {verdict:<8} {time:>8}", step.name);
    }
    let elapsed = format_duration(start.elapsed());
    let code = match failed {
        None => {
            eprintln!("xtask {task}: all {total} step(s) passed in {elapsed}");
            ExitCode::SUCCESS
        }
        Some((name, detail)) => {
            eprintln!("xtask {task}: FAILED at step `{name}` after {elapsed}: {detail}");
            ExitCode::FAILURE
        }
    };
    // End with the plain count of tests, the closing line CI log readers look for.
    for tally in &tallies {
        eprintln!("{}", tally.line());
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_adds_up_unit_integration_and_doc_tests() {
        let output = "\
     Running unittests src/lib.rs (target/debug/deps/jose_core-1)
test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s
     Running tests/vectors.rs (target/debug/deps/vectors-2)
test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s
   Doc-tests jose_core
test result: ok. 4 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.50s
";
        let tally = TestTally::from_output(output);
        assert_eq!(
            tally,
            TestTally {
                passed: 19,
                failed: 2,
                ignored: 1,
                runs: 3
            }
        );
        assert_eq!(tally.line(), "tests: 19 passed, 2 failed, 1 skipped");
    }

    #[test]
    fn no_result_lines_is_no_runs() {
        assert_eq!(
            TestTally::from_output("error[E0425]: cannot find value").runs,
            0
        );
    }
}
