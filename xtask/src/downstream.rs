//! `cargo xtask downstream` (also the first step of `cargo xtask features`): what a user's build
//! gets when it chooses one provider on the facade and uses every protocol crate.
//!
//! For each provider P, this writes a crate outside the workspace, under
//! `target/xtask-downstream/P/` (its own `[workspace]`, our crates by path, the workspace's
//! `Cargo.lock` as its starting lock), that depends on
//!
//! ```toml
//! jose = { package = "jose-toolkit", path = "...", default-features = false, features = ["P"] }
//! jose-truelayer-signing = { path = "..." }   # and every other member with provider features,
//!                                             # with its default features, as a user writes it
//! ```
//!
//! and runs `cargo tree -e normal,build,features --target all --offline` on it (no build). The check fails
//! if the tree reaches the other provider's crypto crates (a protocol crate that enabled a
//! provider by default would pull aws-lc-rs into a RustCrypto build) or serde_json's
//! `preserve_order` feature (which would change `serde_json::Map`'s order in the user's whole
//! program), or the adapters' HTTP stack (`features::ADAPTER_DEPS`: a protocol crate whose
//! default features pulled in axum or reqwest would compile an HTTP stack into every user's
//! build). A failure names the path from the crate to the offender.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::features::{ADAPTER_DEPS, PROVIDERS, Provider, provider_crates};
use crate::metadata::{Package, Workspace};
use crate::run::{CargoCommand, format_duration, workspace_root};

/// The facade's package name: the one dependency that chooses the provider.
const FACADE: &str = "jose-toolkit";

/// Features no crate of ours may turn on in a user's build, as `cargo tree -e features` names
/// them.
const FORBIDDEN_FEATURES: &[&str] = &["serde_json feature \"preserve_order\""];

/// The manifest of the downstream crate for `provider`: the facade with `provider` alone, every
/// crate of `others` with its default features, all by absolute path.
fn manifest(root: &Path, facade: &Package, others: &[&Package], provider: &Provider) -> String {
    let path = |member: &Package| toml_string(&root.join(&member.dir).display().to_string());
    let mut out = format!(
        "# Written by `cargo xtask downstream`: a user's crate that chooses `{feature}` once.\n\
         [package]\n\
         name = \"jose-downstream-{feature}\"\n\
         version = \"0.0.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\
         \n\
         # Not part of the jose workspace: a crate of its own, as a user's is.\n\
         [workspace]\n\
         \n\
         [lib]\n\
         path = \"lib.rs\"\n\
         \n\
         [dependencies]\n\
         jose = {{ package = \"{FACADE}\", path = {facade_path}, default-features = false, features = [\"{feature}\"] }}\n",
        feature = provider.feature,
        facade_path = path(facade),
    );
    for member in others {
        out.push_str(&format!(
            "{} = {{ path = {} }}\n",
            member.name,
            path(member)
        ));
    }
    out
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The library of the downstream crate: it names every dependency, as a user's code would.
fn library(others: &[&Package]) -> String {
    let mut out = String::from("//! Written by `cargo xtask downstream`.\npub use jose;\n");
    for member in others {
        out.push_str(&format!("pub use {};\n", member.name.replace('-', "_")));
    }
    out
}

/// A node of `cargo tree --prefix depth` output, as a path shows it: the package name
/// (`aws-lc-rs`), or the package and feature (`serde_json feature "preserve_order"`).
fn label(node: &str) -> String {
    let words: Vec<&str> = node.split_whitespace().collect();
    match words.as_slice() {
        [package, "feature", feature, ..] => format!("{package} feature {feature}"),
        [package, ..] => (*package).to_owned(),
        [] => String::new(),
    }
}

/// In `cargo tree --prefix depth --charset ascii` output, the path from the root to the first
/// node whose label is in `forbidden`.
pub(crate) fn path_to_any(tree: &str, forbidden: &[&str]) -> Option<String> {
    let mut stack: Vec<String> = Vec::new();
    for line in tree.lines() {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        let (Some(depth), Some(rest)) = (line.get(..digits), line.get(digits..)) else {
            continue;
        };
        let Ok(depth) = depth.parse::<usize>() else {
            continue;
        };
        let node = label(rest);
        if node.is_empty() {
            continue;
        }
        stack.truncate(depth);
        let found = forbidden.contains(&node.as_str());
        stack.push(node);
        if found {
            return Some(stack.join(" -> "));
        }
    }
    None
}

/// Writes the downstream crate for `provider` under `dir` and checks its dependency tree.
fn check(
    root: &Path,
    dir: &Path,
    facade: &Package,
    others: &[&Package],
    provider: &Provider,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("could not write {}: {e}", path.display()))
    };
    write("Cargo.toml", &manifest(root, facade, others, provider))?;
    write("lib.rs", &library(others))?;
    // The workspace's lock as the starting point: the same versions, and nothing to fetch.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("could not copy Cargo.lock into {}: {e}", dir.display()))?;

    let manifest_path = dir.join("Cargo.toml").display().to_string();
    let tree = cargo_tree(
        &manifest_path,
        &["-e", "normal,build,features", "--prefix", "depth"],
    )?;
    // The crates must be there at all: an empty or truncated tree proves nothing.
    for member in others.iter().copied().chain([facade]) {
        if !tree
            .lines()
            .any(|line| label(line.trim_start_matches(|c: char| c.is_ascii_digit())) == member.name)
        {
            return Err(format!("the tree does not contain {}", member.name));
        }
    }
    let mut forbidden: Vec<&str> = provider.absent.to_vec();
    forbidden.extend(FORBIDDEN_FEATURES);
    forbidden.extend(ADAPTER_DEPS);
    let Some(path) = path_to_any(&tree, &forbidden) else {
        return Ok(());
    };
    // The forward path shows where the offender is reached; the inverted tree shows which
    // crate's feature turned it on.
    let offender = path.rsplit(" -> ").next().unwrap_or_default();
    let package = offender.split_whitespace().next().unwrap_or_default();
    let why = cargo_tree(&manifest_path, &["-e", "features", "-i", package])
        .unwrap_or_else(|error| format!("(could not invert the tree: {error})"));
    Err(format!(
        "a user's crate choosing only `{}` on {FACADE} gets {path}\n\
         what turns {package} on (cargo tree -e features -i {package}):\n{}",
        provider.feature,
        why.lines().take(60).collect::<Vec<_>>().join("\n")
    ))
}

/// `cargo tree --manifest-path MANIFEST --target all --charset ascii --offline ARGS`: its output.
/// Offline: the lock copied from the workspace holds every version, and the registry cache has
/// them once the workspace has been built (`cargo xtask ci` runs clippy first).
fn cargo_tree(manifest_path: &str, args: &[&str]) -> Result<String, String> {
    let mut all = vec![
        "tree",
        "--manifest-path",
        manifest_path,
        "--target",
        "all",
        "--charset",
        "ascii",
        "--offline",
    ];
    all.extend(args);
    CargoCommand::new(&all).stdout()
}

/// Runs the check for every provider; `Err` says what failed.
pub(crate) fn run_checks(workspace: &Workspace) -> Result<(), String> {
    let root = workspace_root();
    let facade = workspace
        .member(FACADE)
        .ok_or_else(|| format!("no workspace member named {FACADE}"))?;
    let others: Vec<&Package> = provider_crates(workspace)
        .into_iter()
        .filter(|member| member.name != FACADE && member.publishable)
        .collect();
    if others.is_empty() {
        return Err("no protocol crate (a member with provider features) found".to_owned());
    }
    let names: Vec<&str> = others.iter().map(|m| m.name.as_str()).collect();
    eprintln!(
        "downstream: {FACADE} with one provider, and {}",
        names.join(", ")
    );
    for provider in PROVIDERS {
        let begun = Instant::now();
        let dir: PathBuf = root.join("target/xtask-downstream").join(provider.feature);
        check(&root, &dir, facade, &others, provider)?;
        eprintln!(
            "downstream: only `{}` chosen: no {}, no {} and no {} ({})",
            provider.feature,
            provider.absent.join("/"),
            ADAPTER_DEPS.join("/"),
            FORBIDDEN_FEATURES.join(", "),
            format_duration(begun.elapsed())
        );
    }
    Ok(())
}

/// `cargo xtask downstream`.
pub(crate) fn downstream() -> ExitCode {
    let start = Instant::now();
    let result = Workspace::load(&workspace_root(), true).and_then(|w| run_checks(&w));
    match result {
        Ok(()) => {
            eprintln!(
                "xtask downstream: ok in {}",
                format_duration(start.elapsed())
            );
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("xtask downstream: FAILED: {why}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_path_to_a_crate_or_a_feature() {
        let tree = "\
0jose-downstream-rustcrypto v0.0.0 (/w/target/xtask-downstream/rustcrypto)
1jose-4quays feature \"default\"
2jose-4quays v0.1.0 (/w/crates/4quays)
3serde_json feature \"default\"
4serde_json v1.0.154
3serde_json feature \"raw_value\"
4serde_json v1.0.154
1jose-truelayer-signing feature \"default\"
2jose-truelayer-signing v0.1.0 (/w/crates/truelayer-signing)
3jose-toolkit feature \"aws-lc\"
4jose-toolkit v0.1.0 (/w/crates/jose)
4jose-crypto-awslc v0.1.0 (/w/crates/jose-crypto-awslc)
5aws-lc-rs feature \"default\"
6aws-lc-rs v1.15.0
";
        assert_eq!(
            path_to_any(tree, &["aws-lc-rs", "aws-lc-sys"]).as_deref(),
            Some(
                "jose-downstream-rustcrypto -> jose-truelayer-signing feature \"default\" -> \
                 jose-truelayer-signing -> jose-toolkit feature \"aws-lc\" -> jose-crypto-awslc \
                 -> aws-lc-rs feature \"default\" -> aws-lc-rs"
            )
        );
        assert_eq!(path_to_any(tree, FORBIDDEN_FEATURES), None);
        let with = format!("{tree}3serde_json feature \"preserve_order\"\n");
        assert_eq!(
            path_to_any(&with, FORBIDDEN_FEATURES).as_deref(),
            Some(
                "jose-downstream-rustcrypto -> jose-truelayer-signing feature \"default\" -> \
                 jose-truelayer-signing -> serde_json feature \"preserve_order\""
            )
        );
    }

    #[test]
    fn the_manifest_chooses_one_provider_on_the_facade_only() {
        let package = |name: &str, dir: &str| Package {
            name: name.to_owned(),
            dir: dir.to_owned(),
            publishable: true,
            has_lib: true,
            ..Package::default()
        };
        let facade = package(FACADE, "crates/jose");
        let klarna = package("jose-klarna-xs2a", "crates/klarna-xs2a");
        let text = manifest(Path::new("/w"), &facade, &[&klarna], &PROVIDERS[0]);
        assert!(text.contains(
            "jose = { package = \"jose-toolkit\", path = \"/w/crates/jose\", \
             default-features = false, features = [\"rustcrypto\"] }\n"
        ));
        assert!(text.contains("jose-klarna-xs2a = { path = \"/w/crates/klarna-xs2a\" }\n"));
        assert!(text.contains("\n[workspace]\n"));
        assert_eq!(toml_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(
            library(&[&klarna]),
            "//! Written by `cargo xtask downstream`.\npub use jose;\npub use jose_klarna_xs2a;\n"
        );
    }
}
