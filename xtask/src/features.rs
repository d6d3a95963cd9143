//! `cargo xtask features`: a user's crate choosing one provider, then each library crate with
//! provider features, built and tested on one provider alone.
//!
//! First, `cargo xtask downstream` (see [`downstream`]): a crate outside the workspace that
//! chooses one provider on the facade and uses every protocol crate with its default features
//! must not get the other provider's crates, nor serde_json's `preserve_order` (`cargo tree`
//! only, a few seconds). Then:
//!
//! `cargo test --workspace` unifies features, so every crate is built there with both providers
//! and the single-provider builds (the `not(feature = "aws-lc")` branch of
//! `jose::default_provider()`, for one) are never compiled. For each member with both an
//! `aws-lc` and a `rustcrypto` feature and a library target, and for each provider, this runs:
//!
//! 1. `cargo build -p CRATE --lib --no-default-features --features P --locked`: the library
//!    compiles and links with that provider alone;
//! 2. `cargo tree -p CRATE --no-default-features --features P -e normal --locked`: the other
//!    provider's crypto crates are absent from the normal dependency graph (a failure names the
//!    path to the first one found). Optional features such as jose-4quays's `server` and
//!    `client` (rustls on aws-lc-rs for TLS) are not enabled here, so they need no exception;
//!    nor may the graph reach the adapters' HTTP stack ([`ADAPTER_DEPS`]: axum, tower, reqwest,
//!    reqwest-middleware, hyper, tokio, jose-remote-jwks), which only the `axum` and `reqwest`
//!    features (jose-4quays: `server`, `client`) may pull in;
//! 3. `cargo test -p CRATE --lib ...` and `cargo test -p CRATE --doc ...` with the same
//!    features: the unit tests and doctests, **only when the crate's dev-dependencies keep the
//!    other provider out** (`cargo tree -e normal,dev`). With resolver 3 a crate's
//!    dev-dependencies are unified into its test build, and most protocol crates'
//!    dev-dependencies enable both providers (their integration tests run on each): their test
//!    build then has both providers, like `cargo test --workspace`, which already ran those
//!    tests, and it costs a rebuild of their dev-dependencies (tokio, axum, reqwest...) in yet
//!    another feature set (about 10 of the step's 17 minutes on a fresh clone). For those
//!    crates step 1 is what proves the single-provider build, and step 3 says why it is not
//!    run.

use std::process::ExitCode;
use std::time::Instant;

use crate::downstream::{self, path_to_any};
use crate::metadata::{Package, Workspace};
use crate::run::{CargoCommand, describe_status, format_duration, workspace_root};

/// A provider feature and the crates that must not be in the normal dependency graph when it is
/// the only one enabled.
pub(crate) struct Provider {
    /// The cargo feature.
    pub(crate) feature: &'static str,
    /// Crates of the other provider.
    pub(crate) absent: &'static [&'static str],
}

/// The HTTP stack of the adapters (each crate's `axum` and `reqwest` features, jose-4quays's
/// `server` and `client`): none of it may be in a library's normal dependency graph when only a
/// provider feature is on, nor in a user's build of the protocol crates with their default
/// features (`downstream`). A user who does not ask for an adapter compiles no HTTP stack.
pub(crate) const ADAPTER_DEPS: &[&str] = &[
    "axum",
    "tower",
    "reqwest",
    "reqwest-middleware",
    "hyper",
    "tokio",
    "jose-remote-jwks",
    "redis",
    "jose-replay-redis",
];

/// RustCrypto first: it is the build `cargo test --workspace` never makes.
pub(crate) const PROVIDERS: &[Provider] = &[
    Provider {
        feature: "rustcrypto",
        absent: &["aws-lc-rs", "aws-lc-sys"],
    },
    Provider {
        feature: "aws-lc",
        absent: &[
            "rsa", "p256", "p384", "p521", "ecdsa", "aes-gcm", "aes-kw", "cbc", "pbkdf2",
        ],
    },
];

/// The members with both provider features and a library.
pub(crate) fn provider_crates(workspace: &Workspace) -> Vec<&Package> {
    workspace
        .members
        .iter()
        .filter(|member| {
            member.has_lib
                && PROVIDERS
                    .iter()
                    .all(|provider| member.features.contains(provider.feature))
        })
        .collect()
}

/// The arguments selecting `member` with `feature` alone.
fn selection<'a>(member: &'a Package, feature: &'a str) -> [&'a str; 5] {
    [
        "-p",
        &member.name,
        "--no-default-features",
        "--features",
        feature,
    ]
}

/// Runs one cargo command with inherited output; `Err` says how it failed.
fn run(args: &[&str]) -> Result<(), String> {
    let command = CargoCommand::new(args);
    eprintln!("--> {}", command.display());
    match command.status().value {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!(
            "{}: {}",
            command.display(),
            describe_status(status)
        )),
        Err(error) => Err(format!("could not run {}: {error}", command.display())),
    }
}

/// The `cargo tree` check of one crate and provider.
fn tree_check(member: &Package, provider: &Provider) -> Result<(), String> {
    let mut args = vec!["tree"];
    args.extend(selection(member, provider.feature));
    args.extend([
        "-e",
        "normal",
        "--locked",
        "--prefix",
        "depth",
        "--charset",
        "ascii",
    ]);
    let tree = CargoCommand::new(&args).stdout()?;
    if let Some(path) = path_to_any(&tree, provider.absent) {
        return Err(format!(
            "{} with only `{}` still depends on {path}",
            member.name, provider.feature
        ));
    }
    match path_to_any(&tree, ADAPTER_DEPS) {
        None => Ok(()),
        Some(path) => Err(format!(
            "{} with only `{}` (no adapter feature) depends on the HTTP stack: {path}",
            member.name, provider.feature
        )),
    }
}

/// Build, dependency check, unit tests and doctests of one crate on one provider.
fn check(member: &Package, provider: &Provider) -> Result<(), String> {
    let chosen = selection(member, provider.feature);
    let with = |head: &[&'static str], tail: &[&'static str]| -> Vec<&str> {
        let mut args: Vec<&str> = head.to_vec();
        args.extend(chosen);
        args.extend(tail);
        args
    };
    run(&with(&["build", "--lib"], &["--locked"]))?;
    tree_check(member, provider)?;
    if let Some(path) = other_provider_in_tests(member, provider)? {
        eprintln!(
            "    tests not run here: {}'s dev-dependencies bring the other provider ({path}), so \
             its test build with only `{}` would have both, as `cargo test --workspace` had",
            member.name, provider.feature
        );
        return Ok(());
    }
    run(&with(&["test", "--lib"], &["--locked"]))?;
    run(&with(&["test", "--doc"], &["--locked"]))
}

/// The path to the other provider's crates in `member`'s test build with only `provider` (its
/// normal and dev dependencies), if they are there.
fn other_provider_in_tests(
    member: &Package,
    provider: &Provider,
) -> Result<Option<String>, String> {
    let mut args = vec!["tree"];
    args.extend(selection(member, provider.feature));
    args.extend([
        "-e",
        "normal,dev",
        "--locked",
        "--prefix",
        "depth",
        "--charset",
        "ascii",
    ]);
    let tree = CargoCommand::new(&args).stdout()?;
    Ok(path_to_any(&tree, provider.absent))
}

/// `cargo xtask features`: every provider crate on each provider alone, stopping at the first
/// failure.
pub(crate) fn features() -> ExitCode {
    let start = Instant::now();
    let workspace = match Workspace::load(&workspace_root(), true) {
        Ok(workspace) => workspace,
        Err(why) => {
            eprintln!("xtask features: error: {why}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(why) = downstream::run_checks(&workspace) {
        eprintln!("xtask features: FAILED: downstream: {why}");
        return ExitCode::FAILURE;
    }
    let crates = provider_crates(&workspace);
    if crates.is_empty() {
        eprintln!("xtask features: error: no member has both provider features");
        return ExitCode::FAILURE;
    }
    let names: Vec<&str> = crates.iter().map(|m| m.name.as_str()).collect();
    eprintln!("xtask features: {}", names.join(", "));
    for member in &crates {
        for provider in PROVIDERS {
            let begun = Instant::now();
            eprintln!("\n-> {} with only `{}`", member.name, provider.feature);
            if let Err(why) = check(member, provider) {
                eprintln!(
                    "xtask features: FAILED: {} with only `{}`: {why}",
                    member.name, provider.feature
                );
                return ExitCode::FAILURE;
            }
            eprintln!(
                "<- {} with only `{}`: ok ({})",
                member.name,
                provider.feature,
                format_duration(begun.elapsed())
            );
        }
    }
    eprintln!(
        "xtask features: {} crates x {} providers ok in {}",
        crates.len(),
        PROVIDERS.len(),
        format_duration(start.elapsed())
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_path_to_a_forbidden_crate() {
        let tree = "\
0jose-request4r v0.1.0 (/w/crates/request4r)
1http v1.3.1
2bytes v1.10.1
1jose-toolkit v0.1.0 (/w/crates/jose)
2jose-core v0.1.0 (/w/crates/jose-core)
2jose-crypto-awslc v0.1.0 (/w/crates/jose-crypto-awslc)
3aws-lc-rs v1.15.0
4aws-lc-sys v0.33.0
";
        assert_eq!(
            path_to_any(tree, &["aws-lc-rs", "aws-lc-sys"]).as_deref(),
            Some("jose-request4r -> jose-toolkit -> jose-crypto-awslc -> aws-lc-rs")
        );
        assert_eq!(path_to_any(tree, &["rsa"]), None);
        assert_eq!(path_to_any("", &["rsa"]), None);
    }

    #[test]
    fn the_provider_crates_are_found_by_their_features() {
        let workspace = Workspace::load(&workspace_root(), true).unwrap();
        let names: Vec<&str> = provider_crates(&workspace)
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "jose-toolkit",
                "jose-truelayer-signing",
                "jose-klarna-xs2a",
                "jose-request4r",
                "jose-4quays",
                "jose-fapi"
            ]
        );
    }
}
