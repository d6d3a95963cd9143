//! `cargo xtask examples`: every example of every published workspace member, run the way its
//! docs say to run it (`cargo run --locked -p CRATE --example NAME`, no extra features: a crate whose
//! examples need a feature turns it on through its dev-dependency on itself). Each example
//! starts whatever counterpart it needs on loopback and must exit 0 within [`DEADLINE`]
//! (compilation included); one that fails, or is killed at the deadline, fails the task.
//!
//! Unpublished members (jose-benches, xtask) are left out: their examples are measuring tools
//! meant for `--release` (benches/examples/overhead.rs), not documentation.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::metadata::Workspace;
use crate::run::{CargoCommand, describe_status, format_duration, workspace_root};

/// How long one example may take, its build included (after `cargo test --workspace` the build
/// is a link at most; from nothing, a crate's examples may compile the HTTP stack).
pub(crate) const DEADLINE: Duration = Duration::from_secs(600);

/// The `cargo run` arguments for one example.
fn run_args<'a>(package: &'a str, example: &'a str) -> [&'a str; 7] {
    [
        "run",
        "--locked",
        "--quiet",
        "-p",
        package,
        "--example",
        example,
    ]
}

/// Every `(package, example)` of the workspace's published members, in member order.
fn all_examples(workspace: &Workspace) -> Vec<(&str, &str)> {
    workspace
        .members
        .iter()
        .filter(|member| member.publishable)
        .flat_map(|member| {
            member
                .examples
                .iter()
                .map(move |example| (member.name.as_str(), example.as_str()))
        })
        .collect()
}

/// `cargo xtask examples`.
pub(crate) fn examples() -> ExitCode {
    let start = Instant::now();
    let workspace = match Workspace::load(&workspace_root(), true) {
        Ok(workspace) => workspace,
        Err(why) => {
            eprintln!("xtask examples: error: {why}");
            return ExitCode::FAILURE;
        }
    };
    let examples = all_examples(&workspace);
    if examples.is_empty() {
        eprintln!(
            "xtask examples: error: the workspace has no example (cargo metadata lists none)"
        );
        return ExitCode::FAILURE;
    }
    let mut failures = Vec::new();
    for (package, example) in &examples {
        let command = CargoCommand::new(&run_args(package, example));
        eprintln!("--> {}", command.display());
        let timed = command.captured(Some(DEADLINE));
        let took = format_duration(timed.elapsed);
        let verdict = match timed.value {
            Ok(captured) => match captured.status {
                Some(status) if status.success() => None,
                Some(status) => Some(describe_status(status)),
                None => Some(format!("killed at the {}s deadline", DEADLINE.as_secs())),
            },
            Err(error) => Some(format!("could not run cargo: {error}")),
        };
        match verdict {
            None => eprintln!("<-- {package} --example {example}: ok ({took})"),
            Some(why) => {
                eprintln!("<-- {package} --example {example}: FAILED ({why}, {took})");
                failures.push(format!("{package} --example {example}: {why}"));
            }
        }
    }
    let elapsed = format_duration(start.elapsed());
    if failures.is_empty() {
        eprintln!(
            "xtask examples: all {} example(s) ran and exited 0 in {elapsed}",
            examples.len()
        );
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "xtask examples: {} of {} example(s) FAILED in {elapsed}:\n  {}",
            failures.len(),
            examples.len(),
            failures.join("\n  ")
        );
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::tests::METADATA;

    #[test]
    fn lists_every_members_examples_as_cargo_run_would_take_them() {
        let workspace = Workspace::parse(METADATA).unwrap();
        assert_eq!(all_examples(&workspace), [("a-real", "hello")]);
        let mut unpublished = workspace.clone();
        for member in &mut unpublished.members {
            member.publishable = false;
        }
        assert!(all_examples(&unpublished).is_empty());
        assert_eq!(
            run_args("a-real", "hello").join(" "),
            "run --locked --quiet -p a-real --example hello"
        );
    }
}
