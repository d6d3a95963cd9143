//! The interop checkers the test step needs (crates/jose-core/tests/interop_jwcrypto.rs hands
//! our tokens to Python's jwcrypto and to panva/jose on Node.js, and fails when they are
//! missing): installed here, pinned, when they are missing, so that `cargo xtask ci` works on a
//! machine that has python3 with pip and Node.js with npm and nothing else. `.ci/run` does the
//! same (and installs python3 and Node.js themselves from Debian when they are absent).

use std::process::Command;

use crate::run::workspace_root;

/// The jwcrypto release the fixtures under tests/vectors/interop-jwcrypto were made with.
const JWCRYPTO_VERSION: &str = "1.5.9";
/// Where the npm project pinning panva/jose lives (package-lock.json).
const NODE_PROJECT: &str = "crates/jose-core/tests/interop";

fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .current_dir(workspace_root())
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(what: &str, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    eprintln!("xtask: {what} is missing: {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot run {program} to install {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("installing {what} failed ({status})"))
    }
}

/// Installs jwcrypto (pip, user site) and panva/jose (`npm ci`) when they are missing, and
/// checks that `redis-server` is there (a system package, like python3 and Node.js: the shared
/// replay store's tests start real ones; `.ci/run` installs it from Debian).
pub(crate) fn ensure_checkers() -> Result<(), String> {
    let redis = std::env::var("JOSE_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    if !succeeds(&redis, &["--version"]) {
        return Err(format!(
            "the tests start real redis-servers (jose-replay-redis, Klarna, TrueLayer, the CLI) \
             and `{redis}` cannot be run: install the Debian package redis-server \
             (apt-get install redis-server; .ci/run does) or set JOSE_TEST_REDIS_SERVER"
        ));
    }
    if !succeeds("python3", &["-c", "import jwcrypto"]) {
        let spec = format!("jwcrypto=={JWCRYPTO_VERSION}");
        // Debian's own python3 is externally managed (PEP 668): --user needs the override there.
        run(
            "jwcrypto",
            "python3",
            &["-m", "pip", "install", "--user", "--quiet", &spec],
            &[("PIP_BREAK_SYSTEM_PACKAGES", "1")],
        )?;
    }
    let installed = workspace_root()
        .join(NODE_PROJECT)
        .join("node_modules/jose/package.json");
    if !installed.is_file() {
        run(
            "panva/jose",
            "npm",
            &[
                "ci",
                "--prefix",
                NODE_PROJECT,
                "--no-audit",
                "--no-fund",
                "--silent",
            ],
            &[],
        )?;
    }
    Ok(())
}
