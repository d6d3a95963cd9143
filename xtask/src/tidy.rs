//! `cargo xtask tidy`: the layering of ARCHITECTURE.md ("The layers": arrows only point down),
//! checked on the direct dependencies `cargo metadata` reports for each workspace member; then
//! the publish metadata of each publishable member (`crate::publish`).
//!
//! Normal and build dependencies count; dev-dependencies (tests, examples, benches) may go
//! anywhere. The rules are the table [`RULES`]: which workspace crates each crate may depend on,
//! and whether it may depend directly on a crypto implementation ([`CRYPTO_CRATES`]).

use std::process::ExitCode;

use crate::metadata::{Package, Workspace};
use crate::run::workspace_root;

/// The crypto implementations: only the providers (and the benchmarks, which measure raw
/// aws-lc-rs beside ours) may depend on them directly. jose-4quays (rustls, tokio-rustls) and
/// jose-cli (rcgen) reach aws-lc-rs only through their TLS crates, which is not a direct
/// dependency and so not checked here.
pub(crate) const CRYPTO_CRATES: &[&str] = &[
    "aws-lc-rs",
    "aws-lc-sys",
    "rsa",
    "p256",
    "p384",
    "p521",
    "ecdsa",
    "aes-gcm",
    "aes-kw",
    "cbc",
    "pbkdf2",
    "ed25519-dalek",
    "x25519-dalek",
];

/// The protocol crates: each builds on the facade alone.
const PROTOCOLS: &[&str] = &[
    "jose-truelayer-signing",
    "jose-klarna-xs2a",
    "jose-request4r",
    "jose-4quays",
];

/// Which workspace crates may be depended on.
#[derive(Debug, Clone, Copy)]
enum Allowed {
    /// Any workspace crate.
    Any,
    /// Only these.
    Only(&'static [&'static str]),
}

/// One row of the layering table.
#[derive(Debug)]
struct Rule {
    /// The crates the row is for.
    crates: &'static [&'static str],
    /// The workspace crates they may depend on (normal and build dependencies).
    may_use: Allowed,
    /// Whether they may depend directly on a crate of [`CRYPTO_CRATES`].
    crypto: bool,
    /// The rule in words, printed with each violation.
    text: &'static str,
}

/// The layering table. A workspace crate that is in no row is itself a violation: a new crate
/// gets a row here (and a place in ARCHITECTURE.md) when it is added.
const RULES: &[Rule] = &[
    Rule {
        crates: &["jose-core"],
        may_use: Allowed::Only(&[]),
        crypto: false,
        text: "jose-core depends on nothing of ours and on no crypto implementation",
    },
    Rule {
        crates: &["jose-crypto-awslc", "jose-crypto-rustcrypto"],
        may_use: Allowed::Only(&["jose-core"]),
        crypto: true,
        text: "a provider depends on jose-core only (and on its crypto implementation)",
    },
    Rule {
        crates: &["jose-toolkit"],
        may_use: Allowed::Only(&["jose-core", "jose-crypto-awslc", "jose-crypto-rustcrypto"]),
        crypto: false,
        text: "the facade depends on jose-core and the two providers, and on no crypto \
               implementation directly",
    },
    Rule {
        crates: &["jose-remote-jwks"],
        may_use: Allowed::Only(&["jose-toolkit"]),
        crypto: false,
        text: "jose-remote-jwks (a remote JWKS over HTTPS) depends on jose-toolkit only, and on \
               no crypto implementation directly (rustls brings aws-lc-rs for TLS)",
    },
    Rule {
        crates: &["jose-replay-redis"],
        may_use: Allowed::Only(&["jose-core"]),
        crypto: false,
        text: "jose-replay-redis (the shared replay store on Redis) depends on jose-core only (the \
               replay-store interface; no provider, no facade), and on no crypto implementation \
               directly (rustls brings aws-lc-rs for TLS)",
    },
    Rule {
        crates: &["jose-fapi"],
        may_use: Allowed::Only(&["jose-toolkit"]),
        crypto: false,
        text: "jose-fapi (FAPI 2.0 client assertions, DPoP, request objects on the JWT layer) \
               depends on jose-toolkit only: not on jose-core directly, not on a provider, not on \
               a protocol crate, not on aws-lc-rs or RustCrypto primitives",
    },
    Rule {
        crates: &["jose-test-support"],
        may_use: Allowed::Only(&[]),
        crypto: false,
        text: "jose-test-support (dev-only: real components the tests start) depends on nothing \
               of ours, and is only ever a dev-dependency",
    },
    Rule {
        crates: PROTOCOLS,
        may_use: Allowed::Only(&["jose-toolkit", "jose-remote-jwks"]),
        crypto: false,
        text: "a protocol crate depends on jose-toolkit (and, for an adapter that fetches keys, \
               jose-remote-jwks) only: not on jose-core directly, not on a provider, not on \
               another protocol crate, not on aws-lc-rs or RustCrypto primitives",
    },
    Rule {
        crates: &["jose-cli"],
        may_use: Allowed::Any,
        crypto: false,
        text: "jose-cli may use every crate of ours, but crypto only through them (and TLS \
               through rcgen)",
    },
    Rule {
        crates: &["jose-benches"],
        may_use: Allowed::Any,
        crypto: true,
        text: "the benchmarks may use everything, raw aws-lc-rs included",
    },
    Rule {
        crates: &["xtask"],
        may_use: Allowed::Only(&[]),
        crypto: false,
        text: "xtask is automation: it depends on nothing of ours",
    },
    Rule {
        crates: &["jose-provider-tests"],
        may_use: Allowed::Only(&["jose-core"]),
        crypto: false,
        text: "the provider conformance suite depends on jose-core only: it tests providers, so \
               it names none and no crypto implementation (a provider may be a dev-dependency)",
    },
];

/// The violations of [`RULES`] among `members`, one line each:
/// `layering: CRATE depends on DEP (rule: ...)`.
fn violations(members: &[Package]) -> Vec<String> {
    let is_member = |name: &str| members.iter().any(|member| member.name == name);
    let mut found = Vec::new();
    for member in members {
        let Some(rule) = RULES
            .iter()
            .find(|rule| rule.crates.contains(&member.name.as_str()))
        else {
            found.push(format!(
                "layering: {} is in no row of the layering table (rule: every workspace crate has \
                 a layer; add it to RULES in xtask/src/tidy.rs and to ARCHITECTURE.md)",
                member.name
            ));
            continue;
        };
        let mut seen: Vec<&str> = Vec::new();
        for dependency in member.dependencies.iter().filter(|d| d.is_build_time()) {
            let name = dependency.package.as_str();
            // A crate can be both a normal and a build dependency: report it once.
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            let allowed = if is_member(name) {
                match rule.may_use {
                    Allowed::Any => true,
                    Allowed::Only(crates) => crates.contains(&name),
                }
            } else if CRYPTO_CRATES.contains(&name) {
                rule.crypto
            } else {
                true
            };
            if !allowed {
                found.push(format!(
                    "layering: {} depends on {name} (rule: {})",
                    member.name, rule.text
                ));
            }
        }
    }
    found
}

/// README code blocks that must be a region of a file, so the README shows what runs: (the file,
/// relative to the workspace root; the marker lines around the region in it). The README block is
/// the first ```rust block after the first line that names the file.
const README_SNIPPETS: &[(&str, &str, &str)] = &[
    (
        "crates/jose/examples/quickstart.rs",
        "// README: begin",
        "// README: end",
    ),
    (
        "crates/jose/examples/verify_access_token.rs",
        "// README: begin",
        "// README: end",
    ),
];

/// The region of `source` between the marker lines, dedented by the first line's indentation.
fn region(source: &str, begin: &str, end: &str) -> Option<Vec<String>> {
    let lines: Vec<&str> = source.lines().collect();
    let start = lines.iter().position(|l| l.trim() == begin)?;
    let stop = start
        + 1
        + lines
            .get(start + 1..)?
            .iter()
            .position(|l| l.trim() == end)?;
    let body = lines.get(start + 1..stop)?;
    let indent = body.first().map_or(0, |l| l.len() - l.trim_start().len());
    Some(
        body.iter()
            .map(|l| l.get(indent..).unwrap_or(l.trim_start()).to_owned())
            .collect(),
    )
}

/// The first ```rust block of `readme` after the first line that mentions `file`.
fn readme_block(readme: &str, file: &str) -> Option<Vec<String>> {
    let mut lines = readme.lines().skip_while(|l| !l.contains(file));
    lines.find(|l| l.trim() == "```rust")?;
    Some(
        lines
            .take_while(|l| l.trim() != "```")
            .map(str::to_owned)
            .collect(),
    )
}

/// Each README snippet of [`README_SNIPPETS`] that differs from its file, as a message.
fn readme_drift(root: &std::path::Path) -> Vec<String> {
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let mut found = Vec::new();
    for (file, begin, end) in README_SNIPPETS {
        let source = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        match (region(&source, begin, end), readme_block(&readme, file)) {
            (Some(region), Some(block)) if region == block => {}
            (Some(region), Some(block)) => {
                let line = region
                    .iter()
                    .zip(&block)
                    .position(|(a, b)| a != b)
                    .unwrap_or(region.len().min(block.len()));
                found.push(format!(
                    "readme: the README's snippet of {file} differs from the file at snippet line {}: expected {:?}, found {:?} (copy the region between {begin:?} and {end:?})",
                    line + 1,
                    region.get(line).map_or("(end)", String::as_str),
                    block.get(line).map_or("(end)", String::as_str),
                ));
            }
            (None, _) => found.push(format!(
                "readme: expected a region between {begin:?} and {end:?} in {file}, found none"
            )),
            (_, None) => found.push(format!(
                "readme: expected a ```rust block after the README line naming {file}, found none"
            )),
        }
    }
    found
}

/// `cargo xtask tidy`: prints each layering violation and each README snippet that drifted from
/// its file; exit status 1 if there is any.
pub(crate) fn tidy() -> ExitCode {
    let workspace = match Workspace::load(&workspace_root(), true) {
        Ok(workspace) => workspace,
        Err(why) => {
            eprintln!("xtask tidy: error: {why}");
            return ExitCode::FAILURE;
        }
    };
    let mut found = violations(&workspace.members);
    found.extend(readme_drift(&workspace_root()));
    for line in &found {
        eprintln!("{line}");
    }
    let listings = crate::publish::problems(&workspace_root(), &workspace.members);
    for line in &listings {
        eprintln!("{line}");
    }
    if found.is_empty() {
        eprintln!(
            "xtask tidy: layering ok ({} crates, {} rules), {} README snippet(s) match their files",
            workspace.members.len(),
            RULES.len(),
            README_SNIPPETS.len()
        );
    } else {
        eprintln!(
            "xtask tidy: {} violation(s); the layers are in ARCHITECTURE.md",
            found.len()
        );
    }
    if listings.is_empty() {
        eprintln!(
            "xtask tidy: publish metadata ok ({} publishable crates)",
            workspace.members.iter().filter(|m| m.publishable).count()
        );
    } else {
        eprintln!(
            "xtask tidy: {} publish metadata problem(s) (see xtask/src/publish.rs)",
            listings.len()
        );
    }
    if found.is_empty() && listings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_readme_snippet_must_match_its_region() {
        let source = "fn main() {\n    // README: begin\n    let a = 1;\n    if a > 0 {\n        run();\n    }\n    // README: end\n}\n";
        let found = region(source, "// README: begin", "// README: end").unwrap();
        assert_eq!(found, ["let a = 1;", "if a > 0 {", "    run();", "}"]);
        let readme = "See [x](ex.rs):\n\n```rust\nlet a = 1;\nif a > 0 {\n    run();\n}\n```\n";
        assert_eq!(readme_block(readme, "ex.rs").unwrap(), found);
        let drifted = readme.replace("run()", "walk()");
        assert_ne!(readme_block(&drifted, "ex.rs").unwrap(), found);
        assert_eq!(readme_block("no mention", "ex.rs"), None);
        assert_eq!(
            region("no markers", "// README: begin", "// README: end"),
            None
        );
    }

    #[test]
    fn the_real_readme_matches_its_files() {
        let root = workspace_root();
        assert_eq!(readme_drift(&root), Vec::<String>::new());
    }
    use crate::metadata::DependencyKind::{Build, Dev, Normal};
    use crate::metadata::tests::package;

    /// The real layering, reduced to the edges between our crates plus a few outside ones.
    fn tree() -> Vec<Package> {
        vec![
            package(
                "jose-core",
                &[("serde", Normal), ("jose-crypto-awslc", Dev)],
            ),
            package(
                "jose-crypto-awslc",
                &[("jose-core", Normal), ("aws-lc-rs", Normal)],
            ),
            package(
                "jose-crypto-rustcrypto",
                &[("jose-core", Normal), ("rsa", Normal), ("p256", Normal)],
            ),
            package(
                "jose-toolkit",
                &[
                    ("jose-core", Normal),
                    ("jose-crypto-awslc", Normal),
                    ("jose-crypto-rustcrypto", Normal),
                ],
            ),
            package(
                "jose-truelayer-signing",
                &[("jose-toolkit", Normal), ("http", Normal), ("p521", Dev)],
            ),
            package("jose-request4r", &[("jose-toolkit", Normal)]),
            package("jose-klarna-xs2a", &[("jose-toolkit", Normal)]),
            package(
                "jose-4quays",
                &[
                    ("jose-toolkit", Normal),
                    ("rustls", Normal),
                    ("jose-4quays", Dev),
                ],
            ),
            package(
                "jose-cli",
                &[
                    ("jose-toolkit", Normal),
                    ("jose-4quays", Normal),
                    ("rcgen", Normal),
                ],
            ),
            package(
                "jose-benches",
                &[("jose-toolkit", Normal), ("aws-lc-rs", Normal)],
            ),
            package("xtask", &[("serde_json", Normal)]),
            package(
                "jose-provider-tests",
                &[
                    ("jose-core", Normal),
                    ("serde_json", Normal),
                    ("jose-crypto-awslc", Dev),
                ],
            ),
        ]
    }

    /// `tree()` with `dependency` added to `crate_name`.
    fn with_edge(
        crate_name: &str,
        dependency: &str,
        kind: crate::metadata::DependencyKind,
    ) -> Vec<Package> {
        let mut members = tree();
        for member in &mut members {
            if member.name == crate_name {
                member.dependencies.push(crate::metadata::Dependency {
                    package: dependency.to_owned(),
                    kind,
                });
            }
        }
        members
    }

    #[test]
    fn the_intended_layering_passes() {
        assert_eq!(violations(&tree()), Vec::<String>::new());
    }

    #[test]
    fn an_upward_edge_fails() {
        let found = violations(&with_edge("jose-core", "jose-toolkit", Normal));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("layering: jose-core depends on jose-toolkit (rule: jose-core"),
            "{found:?}"
        );
        // A build dependency counts too.
        assert_eq!(
            violations(&with_edge("jose-crypto-awslc", "jose-toolkit", Build)).len(),
            1
        );
    }

    #[test]
    fn a_sideways_protocol_edge_fails() {
        let found = violations(&with_edge("jose-request4r", "jose-4quays", Normal));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with(
                "layering: jose-request4r depends on jose-4quays (rule: a protocol crate"
            ),
            "{found:?}"
        );
        // So does reaching past the facade, to jose-core or to a provider.
        assert_eq!(
            violations(&with_edge("jose-klarna-xs2a", "jose-core", Normal)).len(),
            1
        );
        assert_eq!(
            violations(&with_edge(
                "jose-request4r",
                "jose-crypto-rustcrypto",
                Normal
            ))
            .len(),
            1
        );
    }

    #[test]
    fn a_protocol_on_crypto_primitives_fails() {
        let found = violations(&with_edge("jose-4quays", "aws-lc-rs", Normal));
        assert_eq!(
            found,
            [format!(
                "layering: jose-4quays depends on aws-lc-rs (rule: {})",
                RULES
                    .iter()
                    .find(|rule| rule.crates == PROTOCOLS)
                    .map(|rule| rule.text)
                    .unwrap_or_default()
            )]
        );
        assert_eq!(
            violations(&with_edge("jose-truelayer-signing", "p521", Normal)).len(),
            1
        );
        assert_eq!(violations(&with_edge("jose-core", "rsa", Normal)).len(), 1);
        assert_eq!(
            violations(&with_edge("jose-cli", "aws-lc-rs", Normal)).len(),
            1
        );
        // As a dev-dependency (a test vector check, say) it is fine.
        assert!(violations(&with_edge("jose-truelayer-signing", "aes-gcm", Dev)).is_empty());
    }

    #[test]
    fn the_provider_suite_on_a_provider_or_crypto_fails() {
        let found = violations(&with_edge(
            "jose-provider-tests",
            "jose-crypto-rustcrypto",
            Normal,
        ));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with(
                "layering: jose-provider-tests depends on jose-crypto-rustcrypto (rule: the \
                 provider conformance suite"
            ),
            "{found:?}"
        );
        assert_eq!(
            violations(&with_edge("jose-provider-tests", "aws-lc-rs", Normal)).len(),
            1
        );
        assert_eq!(
            violations(&with_edge("jose-provider-tests", "jose-toolkit", Normal)).len(),
            1
        );
        // The providers run the suite as a dev-dependency: fine.
        assert!(violations(&with_edge("jose-crypto-awslc", "jose-provider-tests", Dev)).is_empty());
    }

    #[test]
    fn a_crate_without_a_row_fails() {
        let mut members = tree();
        members.push(package("jose-new", &[]));
        let found = violations(&members);
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("layering: jose-new is in no row"));
    }

    #[test]
    fn the_real_workspace_passes() {
        let workspace = Workspace::load(&workspace_root(), true).unwrap();
        assert!(workspace.members.len() >= 10);
        assert_eq!(violations(&workspace.members), Vec::<String>::new());
    }
}
