//! What crates.io and docs.rs will show of each publishable member, checked from `cargo metadata`
//! and the files (the second half of `cargo xtask tidy`):
//!
//! - a description, a license, and `readme = "README.md"` naming a file that starts with
//!   `# <package name>`;
//! - 1 to 5 keywords crates.io accepts, and 1 to 5 categories from its list ([`CATEGORIES`]);
//! - no placeholder `repository` (none at all is fine);
//! - for a library: `[package.metadata.docs.rs]` with `all-features = true` and
//!   `rustdoc-args = ["--cfg", "docsrs"]`, and `#![cfg_attr(docsrs, feature(doc_cfg))]` in its
//!   root file, so that docs.rs shows feature-gated items with the feature they need;
//! - every ```` ```rust ```` example of the README is, line for line, the visible part of a
//!   doctest of the crate's root documentation, so the README shows code that compiles and runs.

use std::path::Path;

use crate::metadata::Package;

/// The category slugs crates.io accepts (its `src/boot/categories.toml`).
const CATEGORIES: &[&str] = &[
    "algorithms",
    "api-bindings",
    "asynchronous",
    "authentication",
    "caching",
    "command-line-interface",
    "command-line-utilities",
    "compression",
    "computer-vision",
    "concurrency",
    "config",
    "cryptography",
    "cryptography::cryptocurrencies",
    "data-structures",
    "database",
    "database-implementations",
    "date-and-time",
    "development-tools",
    "development-tools::build-utils",
    "development-tools::cargo-plugins",
    "development-tools::debugging",
    "development-tools::ffi",
    "development-tools::procedural-macro-helpers",
    "development-tools::profiling",
    "development-tools::testing",
    "email",
    "embedded",
    "emulators",
    "encoding",
    "external-ffi-bindings",
    "filesystem",
    "game-development",
    "game-engines",
    "games",
    "graphics",
    "gui",
    "hardware-support",
    "internationalization",
    "localization",
    "mathematics",
    "memory-management",
    "multimedia",
    "multimedia::audio",
    "multimedia::encoding",
    "multimedia::images",
    "multimedia::video",
    "network-programming",
    "no-std",
    "os",
    "os::linux-apis",
    "os::macos-apis",
    "os::unix-apis",
    "os::windows-apis",
    "parser-implementations",
    "parsing",
    "rendering",
    "rendering::data-formats",
    "rendering::engine",
    "rendering::graphics-api",
    "rust-patterns",
    "science",
    "science::robotics",
    "simulation",
    "template-engine",
    "text-editors",
    "text-processing",
    "value-formatting",
    "visualization",
    "wasm",
    "web-programming",
    "web-programming::http-client",
    "web-programming::http-server",
    "web-programming::websocket",
];

/// The crate attribute that lets docs.rs label feature-gated items.
const DOC_CFG: &str = "#![cfg_attr(docsrs, feature(doc_cfg))]";

/// Hosts a placeholder `repository` points at.
const PLACEHOLDER_HOSTS: &[&str] = &["example.invalid", "example.com", "example.org", "localhost"];

/// Whether crates.io accepts `keyword`: at most 20 characters, ASCII alphanumeric, `-`, `_` or
/// `+`, starting with a letter or digit.
fn valid_keyword(keyword: &str) -> bool {
    keyword.len() <= 20
        && keyword
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && keyword
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+'))
}

/// Whether `url` is a placeholder rather than a real repository.
fn placeholder(url: &str) -> bool {
    let host = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    !url.starts_with("https://")
        || host.ends_with(".invalid")
        || host.ends_with(".example")
        || PLACEHOLDER_HOSTS.contains(&host)
}

/// The code blocks of Markdown `text` whose info string is one of `langs`, each as its lines.
fn markdown_blocks(text: &str, langs: &[&str]) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut current: Option<(bool, Vec<String>)> = None;
    for line in text.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut current, fence) {
            (None, Some(info)) => current = Some((langs.contains(&info.trim()), Vec::new())),
            (Some((keep, lines)), Some(_)) => {
                if *keep {
                    blocks.push(std::mem::take(lines));
                }
                current = None;
            }
            (Some((_, lines)), None) => lines.push(line.to_owned()),
            (None, None) => {}
        }
    }
    blocks
}

/// The doctests of a crate's root documentation (`//!` lines), each as its visible lines: the
/// lines rustdoc shows, without the hidden `# ...` ones.
fn doctests(source: &str) -> Vec<Vec<String>> {
    let docs: String = source
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    markdown_blocks(&docs, &["", "rust"])
        .into_iter()
        .map(|block| {
            block
                .into_iter()
                .filter(|line| line != "#" && !line.starts_with("# "))
                .collect()
        })
        .collect()
}

/// What is wrong with the listing of `member` (publishable), its files read under `root`.
fn member_problems(root: &Path, member: &Package) -> Vec<String> {
    let name = &member.name;
    let listing = &member.listing;
    let mut out = Vec::new();
    let mut problem = |text: String| out.push(format!("publish: {name}: {text}"));

    if listing.description.as_deref().is_none_or(str::is_empty) {
        problem("no description".to_owned());
    }
    if listing.license.as_deref().is_none_or(str::is_empty) {
        problem("no license".to_owned());
    }
    if !(1..=5).contains(&listing.keywords.len()) {
        problem(format!(
            "{} keywords (crates.io takes 1 to 5)",
            listing.keywords.len()
        ));
    }
    for keyword in listing.keywords.iter().filter(|k| !valid_keyword(k)) {
        problem(format!("keyword {keyword:?} is not one crates.io accepts"));
    }
    if !(1..=5).contains(&listing.categories.len()) {
        problem(format!(
            "{} categories (crates.io takes 1 to 5)",
            listing.categories.len()
        ));
    }
    for category in &listing.categories {
        if !CATEGORIES.contains(&category.as_str()) {
            problem(format!("category {category:?} is not a crates.io category"));
        }
    }
    if let Some(url) = listing.repository.as_deref().filter(|url| placeholder(url)) {
        problem(format!(
            "repository {url:?} is a placeholder: set the real one or none"
        ));
    }

    let dir = root.join(&member.dir);
    let readme = match listing.readme.as_deref() {
        Some("README.md") => match std::fs::read_to_string(dir.join("README.md")) {
            Ok(text) => Some(text),
            Err(error) => {
                problem(format!("cannot read {}/README.md: {error}", member.dir));
                None
            }
        },
        other => {
            problem(format!("readme is {other:?}, expected \"README.md\""));
            None
        }
    };
    if let Some(text) = &readme {
        if text.lines().next() != Some(format!("# {name}").as_str()) {
            problem(format!(
                "{}/README.md does not start with `# {name}`",
                member.dir
            ));
        }
    }

    let lib = match &listing.lib_src {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(source) => Some(source),
            Err(error) => {
                problem(format!("cannot read {path}: {error}"));
                None
            }
        },
        None => None,
    };
    if let Some(source) = &lib {
        if !listing.docs_rs_all_features || listing.docs_rs_rustdoc_args != ["--cfg", "docsrs"] {
            problem(
                "[package.metadata.docs.rs] needs all-features = true and \
                 rustdoc-args = [\"--cfg\", \"docsrs\"]"
                    .to_owned(),
            );
        }
        if !source.lines().any(|line| line.trim() == DOC_CFG) {
            problem(format!("its library root has no `{DOC_CFG}`"));
        }
    }
    if let Some(text) = &readme {
        let tests = lib.as_deref().map(doctests).unwrap_or_default();
        for (index, example) in markdown_blocks(text, &["rust"]).iter().enumerate() {
            if !tests.contains(example) {
                problem(format!(
                    "README.md's rust example {} is not the visible part of a doctest of the \
                     crate's root documentation (copy it from there)",
                    index + 1
                ));
            }
        }
    }
    out
}

/// What is wrong with the listings of the publishable `members`, files read under `root`.
pub(crate) fn problems(root: &Path, members: &[Package]) -> Vec<String> {
    members
        .iter()
        .filter(|member| member.publishable)
        .flat_map(|member| member_problems(root, member))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::{Listing, Workspace};
    use crate::run::workspace_root;

    #[test]
    fn keywords_categories_and_repositories() {
        assert!(valid_keyword("open-banking") && valid_keyword("4quays") && valid_keyword("c++"));
        assert!(!valid_keyword("-x") && !valid_keyword("two words") && !valid_keyword(""));
        assert!(!valid_keyword("a-keyword-over-twenty"));
        assert!(CATEGORIES.contains(&"web-programming::http-client"));
        assert!(placeholder("https://example.invalid/jose"));
        assert!(placeholder("https://example.com/jose"));
        assert!(placeholder("http://github.com/x/y"));
        assert!(!placeholder("https://github.com/x/y"));
    }

    #[test]
    fn readme_examples_are_matched_with_visible_doctest_lines() {
        let source = "\
//! Docs.
//!
//! ```
//! use a::b;
//! # fn main() -> Result<(), ()> {
//! let x = b()?;
//! #
//! assert!(x);
//! # Ok(()) }
//! ```
//!
//! ```toml
//! [dependencies]
//! ```
fn f() {}
";
        assert_eq!(
            doctests(source),
            [["use a::b;", "let x = b()?;", "assert!(x);"]]
        );
        let readme =
            "# a\n\n```rust\nuse a::b;\nlet x = b()?;\nassert!(x);\n```\n\n```sh\nls\n```\n";
        assert_eq!(
            markdown_blocks(readme, &["rust"]),
            [["use a::b;", "let x = b()?;", "assert!(x);"]]
        );
    }

    #[test]
    fn a_bare_listing_has_every_problem() {
        let member = Package {
            name: "nothing".to_owned(),
            dir: "no/such/dir".to_owned(),
            publishable: true,
            listing: Listing {
                repository: Some("https://example.invalid/jose".to_owned()),
                keywords: vec!["ok".to_owned(), "not ok".to_owned()],
                categories: vec!["finance".to_owned()],
                ..Listing::default()
            },
            ..Package::default()
        };
        let found = member_problems(Path::new("/"), &member).join("\n");
        for expected in [
            "no description",
            "no license",
            "keyword \"not ok\"",
            "category \"finance\"",
            "repository \"https://example.invalid/jose\" is a placeholder",
            "readme is None",
        ] {
            assert!(found.contains(expected), "{expected:?} not in:\n{found}");
        }
    }

    #[test]
    fn the_workspace_listings_are_complete() {
        let workspace = Workspace::load(&workspace_root(), true).unwrap();
        assert_eq!(
            problems(&workspace_root(), &workspace.members),
            Vec::<String>::new()
        );
    }
}
