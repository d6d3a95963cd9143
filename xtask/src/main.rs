//! Project automation for the jose workspace, in the style of matklad's `xtask` pattern.
//!
//! Run it through the cargo alias in `.cargo/config.toml`:
//!
//! ```text
//! cargo xtask ci      # fmt check, layering, clippy, rustdoc, single-provider builds, then the
//!                     # whole test suite, every example and a fuzz smoke run
//! cargo xtask test    # the test suite only
//! cargo xtask tidy    # the layering of ARCHITECTURE.md and the publish metadata, from cargo metadata
//! cargo xtask features  # a user's crate choosing one provider (downstream), then each provider
//!                       # crate built and tested on one provider alone
//! cargo xtask downstream  # only the first part of features: `cargo tree` of a user's crate
//! cargo xtask examples  # every example of every crate, run as its docs say, each must exit 0
//! cargo xtask deny    # cargo-deny: licenses, bans, sources (offline), then advisories
//! cargo xtask fuzz    # cargo-fuzz targets (fuzz/), on stable
//! cargo xtask bench   # criterion benches (benches/), writes BENCHMARKS.md (--load: and the
//!                     # 4Quays load bench, benches/src/bin/fourquays_load.rs)
//! cargo xtask release --dry-run 0.2.0
//! cargo xtask help    # usage
//! ```
//!
//! The tool depends only on `std` and `serde_json` (to read `cargo metadata`): every task is a
//! sequence of child processes (`cargo fmt`, `cargo clippy`, ...) run from the workspace root.

mod bench;
mod ci;
mod deny;
mod downstream;
mod examples;
mod features;
mod fuzz;
mod interop;
mod metadata;
mod publish;
mod release;
mod run;
mod tidy;

use std::process::ExitCode;

/// Exit status for a command-line usage error (unknown subcommand, stray arguments) and for a
/// missing tool, so that CI can tell "misconfigured" apart from "a check failed" (status 1).
const EXIT_USAGE: u8 = 2;

/// The text printed by `cargo xtask help` and after a usage error.
const USAGE: &str = "\
Usage: cargo xtask <COMMAND>

Commands:
  ci     run every CI check in order, stopping at the first failure:
           fmt       cargo fmt --all -- --check
           tidy      cargo xtask tidy                           (layering, below)
           clippy    cargo clippy --workspace --all-targets --locked -- -D warnings
           doc       cargo doc --workspace --no-deps --locked   (RUSTDOCFLAGS=\"-D warnings\")
           features  cargo xtask features                       (one provider at a time, below)
           test      cargo test --workspace --locked            (unit, integration and doc tests)
           examples  cargo xtask examples                       (every example runs and exits 0)
           fuzz      cargo xtask fuzz --seconds 4               (smoke: every fuzz target briefly)
  test   run only the test step
  tidy   the layering of ARCHITECTURE.md, from `cargo metadata --locked`: which of our crates each
         crate may depend on (normal and build dependencies), and that only the providers and
         jose-benches depend directly on aws-lc-rs or RustCrypto primitives; prints
         `layering: CRATE depends on DEP (rule: ...)` for each violation. Then each publishable
         crate's listing: description, license, README.md (its rust examples are doctests),
         keywords, categories, no placeholder repository, docs.rs metadata and doc_cfg
  features
         first `downstream` (below); then for each library crate with `aws-lc` and `rustcrypto`
         features, and each of the two alone (--no-default-features --features P):
         cargo build --lib; cargo tree -e normal must not reach the other provider's crypto
         crates; cargo test --lib; cargo test --doc (only where the crate's dev-dependencies
         keep the other provider out; else its tests would build with both, as in `test`)
  downstream
         for each provider P, a crate under target/xtask-downstream/P/ (outside the workspace)
         depending on jose-toolkit with only P and on every protocol crate with its default
         features: `cargo tree -e normal,build,features --target all` must not reach the other
         provider's crypto crates nor serde_json's `preserve_order` (no build)
  examples
         every example of every published member (cargo metadata), each run as its docs say:
         `cargo run --locked --quiet -p CRATE --example NAME`; each must exit 0 within 10 minutes
         (its build included); the examples start their counterparts on loopback themselves
  deny   cargo-deny: `licenses bans sources` offline, then `advisories`
         (reported as NOT RUN when the advisory database cannot be fetched)
  fuzz [--target T] [--seconds N]
         cargo-fuzz targets in fuzz/ on stable (RUSTC_BOOTSTRAP=1, AddressSanitizer or -s none),
         each for N seconds (default 60); installs cargo-fuzz if missing
  bench [--quick] [--no-peers] [--load]
         criterion benches in benches/ (with the `peers` feature unless --no-peers), the 64 MiB
         peak-memory probe, then writes BENCHMARKS.md (keeping its 4quays-load section); with
         --load, then the 4Quays load bench, which rewrites that section:
           cargo run --release --locked -p jose-benches --bin fourquays_load -- --write BENCHMARKS.md
  release --dry-run <version>
         bump every crate to <version> in a scratch copy, check CHANGELOG.md, run ci and deny,
         cargo package each publishable crate in dependency order, semver and MSRV checks
  help   print this message

Exit status: 0 success, 1 a check failed, 2 usage error or missing tool.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => return usage_error("no command given"),
    };
    // Commands with options parse their own; the others take none.
    let takes_arguments = matches!(command, "fuzz" | "bench" | "release");
    if !takes_arguments && !rest.is_empty() {
        return usage_error(&format!(
            "`{command}` takes no arguments, got: {}",
            rest.join(" ")
        ));
    }

    match command {
        "ci" => ci::ci(),
        "test" => ci::test(),
        "tidy" => tidy::tidy(),
        "features" => features::features(),
        "downstream" => downstream::downstream(),
        "examples" => examples::examples(),
        "deny" => deny::deny(),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        "fuzz" => match fuzz::parse_args(rest) {
            Ok(options) => fuzz::fuzz(&options),
            Err(message) => usage_error(&message),
        },
        "bench" => match bench::parse_args(rest) {
            Ok(options) => bench::bench(&options),
            Err(message) => usage_error(&message),
        },
        "release" => match release::parse_args(rest) {
            Ok(options) => release::release(&options),
            Err(message) => usage_error(&message),
        },
        other => usage_error(&format!("unknown command `{other}`")),
    }
}

/// Prints `message` and the usage text to stderr, and returns the usage exit status.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("xtask: error: {message}\n\n{USAGE}");
    ExitCode::from(EXIT_USAGE)
}
