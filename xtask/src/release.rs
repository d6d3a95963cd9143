//! `cargo xtask release --dry-run <version> [--skip-ci]`: everything a release does short of
//! `cargo publish`, leaving the working tree unchanged.
//!
//! 1. Reads the workspace through `cargo metadata`: members, which are publishable
//!    (`publish = false` excluded), their dependencies on each other (renamed ones by package
//!    name), the current version and the declared MSRV.
//! 2. Checks CHANGELOG.md has an entry for `<version>`.
//! 3. Copies the tracked files (`git ls-files`, working-tree contents) into
//!    `target/release-dry-run/<version>/` and bumps every crate there in step: the
//!    `[workspace.package]` version and the `version` of every path entry in
//!    `[workspace.dependencies]`; `cargo metadata` confirms each crate now has `<version>`.
//! 4. Runs `cargo xtask ci` and `cargo xtask deny` on the working tree (unless `--skip-ci`).
//! 5. `cargo package --no-verify` for each publishable crate of the bumped copy in dependency
//!    order. Before the first publish none of our crates is on crates.io, so a crate whose
//!    dependencies are ours cannot be packaged yet (cargo resolves them in the registry): that is
//!    reported, and `cargo package --list` checks its file list instead. `cargo publish`, crate by
//!    crate in this order, is what a real release runs.
//! 6. `cargo semver-checks` where it is installed (and a baseline exists on crates.io).
//! 7. Each MSRV the members declare, with its toolchain if rustup has it: `cargo +<msrv> check
//!    --locked -p <each member declaring it>` (most crates inherit the workspace's; a crate on a
//!    dependency that needs a newer Rust declares its own).
//! 8. Prints what would be published, with the `cargo publish` command of each crate (with
//!    `--features aws-lc` for the crates with provider features: the protocol crates build no
//!    provider by default, and `cargo publish` verifies a crate by building it).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, ExitCode};

use crate::metadata::Workspace;
use crate::run::{CargoCommand, cargo, describe_status, format_duration, workspace_root};

/// Options of `cargo xtask release`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ReleaseOptions {
    /// The version to release.
    pub(crate) version: String,
    /// Skip `cargo xtask ci` and `cargo xtask deny` (to try the rest quickly).
    pub(crate) skip_ci: bool,
}

/// Whether `version` is `MAJOR.MINOR.PATCH` with an optional `-pre` part.
fn valid_version(version: &str) -> bool {
    let (core, pre) = match version.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (version, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
        && pre.is_none_or(|pre| {
            !pre.is_empty()
                && pre
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
}

/// Parses `--dry-run <version> [--skip-ci]`.
pub(crate) fn parse_args(args: &[String]) -> Result<ReleaseOptions, String> {
    let mut dry_run = false;
    let mut skip_ci = false;
    let mut version = None;
    for arg in args {
        match arg.as_str() {
            "--dry-run" => dry_run = true,
            "--skip-ci" => skip_ci = true,
            other if other.starts_with('-') => {
                return Err(format!("`release` does not take `{other}`"));
            }
            other if version.is_none() => version = Some(other.to_owned()),
            other => {
                return Err(format!(
                    "`release` takes one version, found a second: `{other}`"
                ));
            }
        }
    }
    if !dry_run {
        return Err(
            "only `release --dry-run <version>` exists: publishing is done by hand, with \
                    `cargo publish -p <crate>` in the order the dry run prints"
                .to_owned(),
        );
    }
    let version = version.ok_or("`release --dry-run` needs a version, e.g. 0.2.0")?;
    if !valid_version(&version) {
        return Err(format!(
            "expected a version like 1.2.3 or 1.2.3-rc.1, found `{version}`"
        ));
    }
    Ok(ReleaseOptions { version, skip_ci })
}

/// One workspace member, as `cargo metadata` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    /// Package name.
    name: String,
    /// Directory relative to the workspace root.
    dir: String,
    /// `publish = false` is not set.
    publishable: bool,
    /// Other members it needs at build time (`[dependencies]`, `[build-dependencies]`), by
    /// package name (`jose-toolkit` for `jose = { package = "jose-toolkit" }`).
    needs: BTreeSet<String>,
    /// It has a provider feature (`aws-lc`). The protocol crates build no provider by default, so
    /// `cargo publish`'s verification build of them needs `--features aws-lc`.
    provider_feature: bool,
}

/// The members of `workspace`, in the root manifest's order, with the members each needs.
fn read_members(workspace: &Workspace) -> Vec<Member> {
    workspace
        .members
        .iter()
        .map(|package| Member {
            name: package.name.clone(),
            dir: package.dir.clone(),
            publishable: package.publishable,
            needs: package
                .dependencies
                .iter()
                .filter(|dependency| {
                    dependency.is_build_time() && workspace.is_member(&dependency.package)
                })
                .map(|dependency| dependency.package.clone())
                .collect(),
            provider_feature: package.features.contains(PUBLISH_FEATURE),
        })
        .collect()
}

/// The feature `cargo publish` verifies a crate with provider features on: any one provider
/// builds it.
const PUBLISH_FEATURE: &str = "aws-lc";

/// The `cargo publish` command line for `member`.
fn publish_command(member: &Member) -> String {
    if member.provider_feature {
        format!(
            "cargo publish -p {} --features {PUBLISH_FEATURE}",
            member.name
        )
    } else {
        format!("cargo publish -p {}", member.name)
    }
}

/// The current version and the MSRV: those of the first member (every member inherits both from
/// `[workspace.package]`; the bump step reports any that does not).
fn version_and_msrv(workspace: &Workspace) -> (String, String) {
    let first = workspace.members.first();
    (
        first.map(|m| m.version.clone()).unwrap_or_default(),
        first
            .and_then(|m| m.rust_version.clone())
            .unwrap_or_default(),
    )
}

/// The members of `bumped` (the scratch copy's metadata) whose version is not `version`.
fn stale_members(bumped: &Workspace, members: &[Member], version: &str) -> Vec<String> {
    members
        .iter()
        .filter(|m| bumped.member(&m.name).is_none_or(|p| p.version != version))
        .map(|m| m.name.clone())
        .collect()
}

/// Publishable members, each after the members it needs.
fn publish_order(members: &[Member]) -> Result<Vec<Member>, String> {
    let publishable: Vec<&Member> = members.iter().filter(|m| m.publishable).collect();
    let mut done: Vec<Member> = Vec::new();
    while done.len() < publishable.len() {
        let before = done.len();
        for member in &publishable {
            let placed = done.iter().any(|d| d.name == member.name);
            let ready = member
                .needs
                .iter()
                .all(|need| done.iter().any(|d| &d.name == need));
            if !placed && ready {
                done.push((*member).clone());
            }
        }
        if done.len() == before {
            return Err("the publishable crates depend on each other in a cycle, or on a crate with publish = false".to_owned());
        }
    }
    Ok(done)
}

/// Whether CHANGELOG.md has a heading for `version`.
fn changelog_has(changelog: &str, version: &str) -> bool {
    changelog.lines().any(|line| {
        line.starts_with('#')
            && (line.contains(&format!("[{version}]"))
                || line.split_whitespace().any(|word| word == version))
    })
}

/// The root manifest with every crate bumped from `old` to `new`.
fn bump_root(root_toml: &str, old: &str, new: &str) -> String {
    let from = format!("version = \"{old}\"");
    let to = format!("version = \"{new}\"");
    let mut table = String::new();
    let mut out = String::new();
    for line in root_toml.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            table = trimmed.to_owned();
        }
        let bump = (table == "[workspace.package]" && trimmed.starts_with("version"))
            || (table == "[workspace.dependencies]" && trimmed.contains("path = \""));
        if bump {
            out.push_str(&line.replace(&from, &to));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Copies the tracked files (working-tree contents) into `dest`.
fn scratch_copy(root: &Path, dest: &Path) -> Result<usize, String> {
    let output = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not run git ls-files: {e}"))?;
    if !output.status.success() {
        return Err("git ls-files failed: the release dry run needs a git checkout".to_owned());
    }
    if dest.exists() {
        std::fs::remove_dir_all(dest)
            .map_err(|e| format!("cannot clear {}: {e}", dest.display()))?;
    }
    let mut copied = 0;
    for file in output.stdout.split(|&b| b == 0).filter(|f| !f.is_empty()) {
        let relative = String::from_utf8_lossy(file).into_owned();
        let from = root.join(&relative);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = dest.join(&relative);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::copy(&from, &to).map_err(|e| format!("cannot copy {relative}: {e}"))?;
        copied += 1;
    }
    Ok(copied)
}

/// A cargo command in `dir` (the scratch copy), sharing the main target directory so that
/// nothing already built is built again.
fn cargo_in(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(cargo());
    command.args(args).current_dir(dir);
    if std::env::var_os("CARGO_TARGET_DIR").is_none() {
        command.env("CARGO_TARGET_DIR", workspace_root().join("target"));
    }
    command
}

/// Runs a step; prints its verdict.
fn step(name: &str, result: Result<String, String>, failures: &mut Vec<String>) {
    match result {
        Ok(detail) => eprintln!(
            "<== {name}: ok{}",
            if detail.is_empty() {
                String::new()
            } else {
                format!(" ({detail})")
            }
        ),
        Err(why) => {
            eprintln!("<== {name}: FAILED: {why}");
            failures.push(format!("{name}: {why}"));
        }
    }
}

fn run_xtask(task: &str) -> Result<String, String> {
    let timed = CargoCommand::new(&["xtask", task]).status();
    match timed.value {
        Ok(status) if status.success() => Ok(format_duration(timed.elapsed)),
        Ok(status) => Err(format!("cargo xtask {task}: {}", describe_status(status))),
        Err(error) => Err(format!("could not run cargo xtask {task}: {error}")),
    }
}

/// The workspace crate a `cargo package` failure says is missing from crates.io, if that is why.
fn missing_from_registry(stderr: &str, members: &[Member]) -> Option<String> {
    let at = stderr.find("no matching package named `")? + "no matching package named `".len();
    let name = stderr.get(at..)?.split('`').next()?.to_owned();
    members.iter().any(|m| m.name == name).then_some(name)
}

/// A workspace crate name a `cargo package` failure shows to be on crates.io already, at
/// versions that are not ours: `(name, versions)`.
fn taken_on_registry(stderr: &str, members: &[Member]) -> Option<(String, String)> {
    let key = "failed to select a version for the requirement `";
    let at = stderr.find(key)? + key.len();
    let name = stderr.get(at..)?.split([' ', '`']).next()?.to_owned();
    let versions_key = "candidate versions found which didn't match: ";
    let versions = stderr
        .find(versions_key)
        .and_then(|at| stderr.get(at + versions_key.len()..))
        .and_then(|rest| rest.lines().next())
        .unwrap_or("?")
        .trim()
        .to_owned();
    members
        .iter()
        .any(|m| m.name == name)
        .then_some((name, versions))
}

/// `cargo package --list`: the number of files the crate would ship.
fn list_files(dir: &Path, member: &Member) -> Result<usize, String> {
    let list = cargo_in(
        dir,
        &["package", "-p", &member.name, "--list", "--allow-dirty"],
    )
    .output()
    .map_err(|e| format!("could not run cargo package --list: {e}"))?;
    if !list.status.success() {
        return Err(String::from_utf8_lossy(&list.stderr).trim().to_owned());
    }
    Ok(String::from_utf8_lossy(&list.stdout).lines().count())
}

fn package(dir: &Path, member: &Member, members: &[Member]) -> Result<String, String> {
    let output = cargo_in(
        dir,
        &[
            "package",
            "-p",
            &member.name,
            "--no-verify",
            "--allow-dirty",
        ],
    )
    .output()
    .map_err(|e| format!("could not run cargo package: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.success() {
        let summary = stderr
            .lines()
            .find(|line| line.trim_start().starts_with("Packaged"))
            .unwrap_or("packaged");
        return Ok(summary.trim().to_owned());
    }
    if let Some((name, versions)) = taken_on_registry(&stderr, members) {
        let files = list_files(dir, member)?;
        return Err(format!(
            "BLOCKER for a real publish: the crate name `{name}` is already on crates.io (versions \
             {versions}), published by someone else; `cargo publish -p {name}` would be refused and every \
             crate that depends on it would resolve to their crate. Rename ours (package name in \
             crates/*/Cargo.toml and [workspace.dependencies]) or obtain the name. (`cargo package --list` \
             lists {files} files for {})",
            member.name
        ));
    }
    let Some(missing) = missing_from_registry(&stderr, members) else {
        return Err(stderr
            .trim()
            .lines()
            .last()
            .unwrap_or("cargo package failed")
            .to_owned());
    };
    if !member.needs.contains(&missing) {
        return Err(format!(
            "needs `{missing}` from crates.io, but only as a dev-dependency: make that dev-dependency \
             path-only (no version) so cargo package drops it"
        ));
    }
    // Expected before the first publish: check the file list instead.
    let files = list_files(dir, member)?;
    Ok(format!(
        "not packaged yet: needs `{missing}` on crates.io first (cargo resolves our crates in the \
         registry); `cargo package --list` lists {files} files"
    ))
}

fn semver_check(dir: &Path, members: &[Member]) -> Result<String, String> {
    let present = Command::new(cargo())
        .args(["semver-checks", "--version"])
        .output();
    if !present.is_ok_and(|output| output.status.success()) {
        return Ok("SKIPPED: cargo-semver-checks is not installed (cargo install cargo-semver-checks --locked); \
                   nothing of ours is on crates.io yet to compare against either"
            .to_owned());
    }
    let mut notes = Vec::new();
    for member in members {
        let output = cargo_in(dir, &["semver-checks", "check-release", "-p", &member.name])
            .output()
            .map_err(|e| format!("could not run cargo semver-checks: {e}"))?;
        let text = String::from_utf8_lossy(&output.stderr);
        if output.status.success() {
            notes.push(format!("{} ok", member.name));
        } else if text.contains("not found in registry") || text.contains("no matching package") {
            notes.push(format!("{} has no published baseline", member.name));
        } else {
            return Err(format!(
                "{}: {}",
                member.name,
                text.trim().lines().last().unwrap_or("failed")
            ));
        }
    }
    Ok(notes.join("; "))
}

/// The members by the MSRV they declare (`rust-version`), lowest first; members without one
/// are left out.
fn msrv_groups(workspace: &Workspace) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for member in &workspace.members {
        let Some(msrv) = &member.rust_version else {
            continue;
        };
        match groups.iter_mut().find(|(v, _)| v == msrv) {
            Some((_, names)) => names.push(member.name.clone()),
            None => groups.push((msrv.clone(), vec![member.name.clone()])),
        }
    }
    groups.sort_by_key(|(v, _)| {
        v.split('.')
            .map(|part| part.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    });
    groups
}

/// Checks each group of [`msrv_groups`] with its own toolchain.
fn msrv_check(groups: &[(String, Vec<String>)]) -> Result<String, String> {
    let toolchains = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    let mut notes = Vec::new();
    for (msrv, names) in groups {
        let installed = toolchains.lines().find(|line| {
            line.split_whitespace().next().is_some_and(|name| {
                name == msrv
                    || name.starts_with(&format!("{msrv}-"))
                    || name.starts_with(&format!("{msrv}.0-"))
            })
        });
        let Some(toolchain) = installed.and_then(|line| line.split_whitespace().next()) else {
            notes.push(format!(
                "NOT CHECKED: {} crate(s) declare rust-version {msrv} but rustup has no {msrv} \
                 toolchain (rustup toolchain install {msrv} --profile minimal, then rerun)",
                names.len()
            ));
            continue;
        };
        let mut args = vec![format!("+{toolchain}"), "check".into(), "--locked".into()];
        for name in names {
            args.push("-p".into());
            args.push(name.clone());
        }
        let status = Command::new("cargo")
            .args(&args)
            .current_dir(workspace_root())
            .env("CARGO_TARGET_DIR", workspace_root().join("target/msrv"))
            .status()
            .map_err(|e| format!("could not run cargo +{toolchain}: {e}"))?;
        if !status.success() {
            return Err(format!(
                "cargo +{toolchain} check of the {} crate(s) declaring {msrv}: {}",
                names.len(),
                describe_status(status)
            ));
        }
        notes.push(format!(
            "cargo +{toolchain} check passed for the {} crate(s) declaring {msrv}",
            names.len()
        ));
    }
    Ok(notes.join("; "))
}

/// `cargo xtask release --dry-run <version>`.
pub(crate) fn release(options: &ReleaseOptions) -> ExitCode {
    let root = workspace_root();
    let version = &options.version;
    let mut failures = Vec::new();
    let root_toml = match std::fs::read_to_string(root.join("Cargo.toml")) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("xtask release: error: cannot read Cargo.toml: {error}");
            return ExitCode::FAILURE;
        }
    };
    let workspace = match Workspace::load(&root, true) {
        Ok(workspace) => workspace,
        Err(why) => {
            eprintln!("xtask release: error: {why}");
            return ExitCode::FAILURE;
        }
    };
    let (current, msrv) = version_and_msrv(&workspace);
    let members = read_members(&workspace);
    let order = match publish_order(&members) {
        Ok(order) => order,
        Err(why) => {
            eprintln!("xtask release: error: {why}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("xtask release --dry-run {version} (current version {current}, MSRV {msrv})");
    eprintln!(
        "publish order: {}",
        order
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(" -> ")
    );
    let unpublished: Vec<&str> = members
        .iter()
        .filter(|m| !m.publishable)
        .map(|m| m.name.as_str())
        .collect();
    eprintln!(
        "not published (publish = false): {}",
        unpublished.join(", ")
    );

    eprintln!("\n==> CHANGELOG.md");
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap_or_default();
    step(
        "changelog",
        if changelog_has(&changelog, version) {
            Ok(format!("has an entry for {version}"))
        } else {
            Err(format!("CHANGELOG.md has no `## [{version}]` heading"))
        },
        &mut failures,
    );

    eprintln!("\n==> bump every crate to {version} in a scratch copy");
    let scratch = root.join("target/release-dry-run").join(version);
    let bumped = scratch_copy(&root, &scratch).and_then(|copied| {
        let manifest = scratch.join("Cargo.toml");
        std::fs::write(&manifest, bump_root(&root_toml, &current, version))
            .map_err(|e| format!("cannot write {}: {e}", manifest.display()))?;
        // Not --locked: the bump changes our crates' versions in the copy's Cargo.lock.
        let bumped =
            Workspace::load(&scratch, false).map_err(|why| format!("on the bumped copy: {why}"))?;
        let stale = stale_members(&bumped, &members, version);
        if stale.is_empty() {
            Ok(format!(
                "{copied} files copied to {}; all {} crates at {version}",
                scratch.display(),
                members.len()
            ))
        } else {
            Err(format!(
                "not bumped (their version is not inherited from [workspace.package]): {}",
                stale.join(", ")
            ))
        }
    });
    let bumped_ok = bumped.is_ok();
    step("bump", bumped, &mut failures);

    if options.skip_ci {
        eprintln!("\n==> ci, deny: SKIPPED (--skip-ci)");
    } else {
        eprintln!("\n==> cargo xtask ci (on the working tree)");
        step("ci", run_xtask("ci"), &mut failures);
        eprintln!("\n==> cargo xtask deny");
        step("deny", run_xtask("deny"), &mut failures);
    }

    eprintln!("\n==> cargo package, in publish order (bumped copy)");
    if bumped_ok {
        for member in &order {
            step(
                &format!("package {}", member.name),
                package(&scratch, member, &members),
                &mut failures,
            );
        }
    } else {
        eprintln!("(skipped: the bump failed)");
    }

    eprintln!("\n==> semver");
    step("semver", semver_check(&scratch, &order), &mut failures);
    let groups = msrv_groups(&workspace);
    eprintln!(
        "\n==> MSRV ({})",
        groups
            .iter()
            .map(|(v, names)| format!("{v}: {} crate(s)", names.len()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    step("msrv", msrv_check(&groups), &mut failures);

    eprintln!(
        "\nA release of {version} would publish, in this order (each once the previous one is in the index):"
    );
    for (index, member) in order.iter().enumerate() {
        eprintln!(
            "  {}. {} {version}  ({}): {}",
            index + 1,
            member.name,
            member.dir,
            publish_command(member)
        );
    }
    if failures.is_empty() {
        eprintln!("xtask release --dry-run {version}: ok; the working tree is unchanged");
        ExitCode::SUCCESS
    } else {
        eprintln!("xtask release --dry-run {version}: FAILED:");
        for failure in &failures {
            eprintln!("  - {failure}");
        }
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = r#"[workspace]
resolver = "3"
members = [
    "crates/a",
    "crates/b",
]

[workspace.package]
version = "0.1.0"
rust-version = "1.85"

[workspace.dependencies]
a = { path = "crates/a", version = "0.1.0" }
serde = { version = "0.1.0" }
"#;

    #[test]
    fn bump_touches_only_our_versions() {
        let bumped = bump_root(ROOT, "0.1.0", "0.2.0");
        assert!(bumped.contains("[workspace.package]\nversion = \"0.2.0\""));
        assert!(bumped.contains("a = { path = \"crates/a\", version = \"0.2.0\" }"));
        assert!(bumped.contains("serde = { version = \"0.1.0\" }"));
    }

    #[test]
    fn renamed_dependencies_are_known_by_their_package() {
        // `b` has `a = { package = "a-real", path = ... }`, a build dependency on `cc` and a
        // dev-dependency on `proptest`: only the member counts, by its package name.
        let workspace = Workspace::parse(crate::metadata::tests::METADATA).unwrap();
        let members = read_members(&workspace);
        let b = members.iter().find(|m| m.name == "b").unwrap();
        assert_eq!(b.needs.iter().collect::<Vec<_>>(), ["a-real"]);
        assert_eq!(b.dir, "crates/b");
        assert_eq!(
            version_and_msrv(&workspace),
            ("0.1.0".to_owned(), "1.87".to_owned())
        );
    }

    #[test]
    fn reads_the_real_workspace() {
        let workspace = Workspace::load(&workspace_root(), true).unwrap();
        let members = read_members(&workspace);
        let needs = |name: &str| -> Vec<String> {
            let member = members.iter().find(|m| m.name == name).unwrap();
            member.needs.iter().cloned().collect()
        };
        // `jose = { package = "jose-toolkit", ... }` is known by its package.
        assert_eq!(needs("jose-request4r"), ["jose-toolkit"]);
        // jose-core's dev-dependencies on the providers do not count.
        assert!(needs("jose-core").is_empty());
        let order: Vec<String> = publish_order(&members)
            .unwrap()
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(
            order,
            [
                "jose-core",
                "jose-crypto-awslc",
                "jose-provider-tests",
                "jose-crypto-rustcrypto",
                "jose-toolkit",
                "jose-remote-jwks",
                "jose-replay-redis",
                "jose-klarna-xs2a",
                "jose-request4r",
                "jose-4quays",
                "jose-fapi",
                "jose-truelayer-signing",
                "jose-cli"
            ]
        );
        // The facade and the protocol crates are verified with a provider feature on.
        let with_feature: Vec<&str> = members
            .iter()
            .filter(|m| m.provider_feature)
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(
            with_feature,
            [
                "jose-toolkit",
                "jose-truelayer-signing",
                "jose-klarna-xs2a",
                "jose-request4r",
                "jose-4quays",
                "jose-fapi"
            ]
        );
        let request4r = members.iter().find(|m| m.name == "jose-request4r").unwrap();
        assert_eq!(
            publish_command(request4r),
            "cargo publish -p jose-request4r --features aws-lc"
        );
        let core = members.iter().find(|m| m.name == "jose-core").unwrap();
        assert_eq!(publish_command(core), "cargo publish -p jose-core");
        let (current, msrv) = version_and_msrv(&workspace);
        assert!(valid_version(&current));
        assert!(!msrv.is_empty());
        // Every member declares an MSRV; the redis crate's users declare a newer one.
        let groups = msrv_groups(&workspace);
        assert_eq!(groups.first().map(|(v, _)| v.as_str()), Some(msrv.as_str()));
        let all: usize = groups.iter().map(|(_, names)| names.len()).sum();
        assert_eq!(all, workspace.members.len());
        assert!(
            groups
                .iter()
                .any(|(v, names)| v == "1.88" && names.iter().any(|n| n == "jose-replay-redis"))
        );
    }

    #[test]
    fn order_puts_dependencies_first() {
        let member = |name: &str, needs: &[&str], publishable: bool| Member {
            name: name.to_owned(),
            dir: format!("crates/{name}"),
            publishable,
            needs: needs.iter().map(|s| (*s).to_owned()).collect(),
            provider_feature: false,
        };
        let members = [
            member("cli", &["jose", "core"], true),
            member("jose", &["core"], true),
            member("core", &[], true),
            member("benches", &["jose"], false),
        ];
        let order: Vec<String> = publish_order(&members)
            .unwrap()
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(order, ["core", "jose", "cli"]);
        let cycle = [member("x", &["y"], true), member("y", &["x"], true)];
        assert!(publish_order(&cycle).is_err());
    }

    #[test]
    fn versions_and_changelog() {
        assert!(valid_version("0.1.0"));
        assert!(valid_version("1.2.3-rc.1"));
        assert!(!valid_version("1.2"));
        assert!(!valid_version("v1.2.3"));
        assert!(changelog_has(
            "# Changelog\n\n## [0.1.0] - 2026-11-23\n",
            "0.1.0"
        ));
        assert!(!changelog_has("# Changelog\n\n## [0.1.0]\n", "0.2.0"));
        assert!(parse_args(&["0.1.0".to_owned()]).is_err());
        assert_eq!(
            parse_args(&["--dry-run".to_owned(), "0.1.0".to_owned()]),
            Ok(ReleaseOptions {
                version: "0.1.0".to_owned(),
                skip_ci: false
            })
        );
    }

    #[test]
    fn registry_failures_are_told_apart() {
        let members = [Member {
            name: "jose".to_owned(),
            dir: "crates/jose".to_owned(),
            publishable: true,
            needs: BTreeSet::new(),
            provider_feature: true,
        }];
        let taken = "error: failed to prepare local package for uploading\n\nCaused by:\n  failed to select a version for the requirement `jose = \"^0.1.0\"`\n  candidate versions found which didn't match: 0.0.2, 0.0.1\n";
        assert_eq!(
            taken_on_registry(taken, &members),
            Some(("jose".to_owned(), "0.0.2, 0.0.1".to_owned()))
        );
        let missing = "Caused by:\n  no matching package named `jose` found\n";
        assert_eq!(
            missing_from_registry(missing, &members).as_deref(),
            Some("jose")
        );
        assert_eq!(taken_on_registry(missing, &members), None);
        assert_eq!(
            missing_from_registry("no matching package named `serde` found", &members),
            None
        );
    }

    #[test]
    fn publish_flags_and_stale_versions() {
        let workspace = Workspace::parse(crate::metadata::tests::METADATA).unwrap();
        let members = read_members(&workspace);
        let flags: Vec<(&str, bool)> = members
            .iter()
            .map(|m| (m.name.as_str(), m.publishable))
            .collect();
        assert_eq!(flags, [("a-real", true), ("b", false)]);
        assert!(stale_members(&workspace, &members, "0.1.0").is_empty());
        assert_eq!(
            stale_members(&workspace, &members, "0.2.0"),
            ["a-real", "b"]
        );
    }
}
