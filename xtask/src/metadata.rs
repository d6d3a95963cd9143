//! The workspace as `cargo metadata --format-version 1 --no-deps` describes it: each member's
//! name, version, directory, publish flag, MSRV, features, direct dependencies (with their
//! kind and, for renamed ones such as `jose = { package = "jose-toolkit" }`, the real package),
//! and what crates.io and docs.rs show of it ([`Listing`]).
//!
//! Read with `serde_json` (already a workspace dependency) rather than by hand: `cargo metadata`
//! is cargo's stable, documented description of the manifests, so nothing here parses TOML.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::run::cargo;

/// Which table of a manifest a dependency comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DependencyKind {
    /// `[dependencies]`.
    Normal,
    /// `[build-dependencies]`.
    Build,
    /// `[dev-dependencies]`.
    Dev,
}

/// One direct dependency of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dependency {
    /// The package depended on (`jose-toolkit` for `jose = { package = "jose-toolkit" }`).
    pub(crate) package: String,
    /// Which table it is declared in.
    pub(crate) kind: DependencyKind,
}

impl Dependency {
    /// Whether the dependency is part of what the library or binary is built from: a normal or
    /// a build dependency (dev-dependencies only reach tests, examples and benches).
    pub(crate) fn is_build_time(&self) -> bool {
        matches!(self.kind, DependencyKind::Normal | DependencyKind::Build)
    }
}

/// What crates.io and docs.rs show of a package: its `[package]` metadata fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Listing {
    /// `description`.
    pub(crate) description: Option<String>,
    /// `license`.
    pub(crate) license: Option<String>,
    /// `readme`, relative to the package directory.
    pub(crate) readme: Option<String>,
    /// `repository`.
    pub(crate) repository: Option<String>,
    /// `keywords`.
    pub(crate) keywords: Vec<String>,
    /// `categories`.
    pub(crate) categories: Vec<String>,
    /// `[package.metadata.docs.rs] all-features`.
    pub(crate) docs_rs_all_features: bool,
    /// `[package.metadata.docs.rs] rustdoc-args`.
    pub(crate) docs_rs_rustdoc_args: Vec<String>,
    /// The library target's root source file (absolute), if there is a library.
    pub(crate) lib_src: Option<String>,
}

/// One workspace member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Package {
    /// Package name.
    pub(crate) name: String,
    /// Package version.
    pub(crate) version: String,
    /// Directory relative to the workspace root, `/`-separated (`.` for the root package).
    pub(crate) dir: String,
    /// `publish = false` is not set.
    pub(crate) publishable: bool,
    /// `rust-version`, when declared.
    pub(crate) rust_version: Option<String>,
    /// The names of its cargo features (`default` included when declared).
    pub(crate) features: BTreeSet<String>,
    /// Whether it has a library target.
    pub(crate) has_lib: bool,
    /// The names of its example targets (`examples/*.rs` and `[[example]]`), in manifest order.
    pub(crate) examples: Vec<String>,
    /// Its direct dependencies, every kind.
    pub(crate) dependencies: Vec<Dependency>,
    /// Its crates.io and docs.rs metadata.
    pub(crate) listing: Listing,
}

/// The workspace members, in the order of the root manifest's `members`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Workspace {
    /// The members.
    pub(crate) members: Vec<Package>,
}

impl Workspace {
    /// Runs `cargo metadata --format-version 1 --no-deps` in `dir` (with `--locked` when
    /// `locked`) and reads its output.
    pub(crate) fn load(dir: &Path, locked: bool) -> Result<Self, String> {
        let mut command = Command::new(cargo());
        command
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .current_dir(dir);
        if locked {
            command.arg("--locked");
        }
        let output = command
            .output()
            .map_err(|e| format!("could not run cargo metadata: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "cargo metadata failed in {}: {}",
                dir.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Self::parse(&String::from_utf8_lossy(&output.stdout))
    }

    /// Reads the JSON printed by `cargo metadata --format-version 1`.
    pub(crate) fn parse(json: &str) -> Result<Self, String> {
        let metadata: Value = serde_json::from_str(json)
            .map_err(|e| format!("cargo metadata printed something that is not JSON: {e}"))?;
        let root = str_field(&metadata, "workspace_root")?;
        let member_ids: Vec<&str> = array_field(&metadata, "workspace_members")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let packages = array_field(&metadata, "packages")?;
        let mut members = Vec::new();
        for id in member_ids {
            let package = packages
                .iter()
                .find(|package| package.get("id").and_then(Value::as_str) == Some(id))
                .ok_or_else(|| format!("cargo metadata lists member {id} but no package for it"))?;
            members.push(read_package(package, root)?);
        }
        Ok(Self { members })
    }

    /// The member called `name`.
    pub(crate) fn member(&self, name: &str) -> Option<&Package> {
        self.members.iter().find(|member| member.name == name)
    }

    /// Whether `name` is a workspace member.
    pub(crate) fn is_member(&self, name: &str) -> bool {
        self.member(name).is_some()
    }
}

/// One entry of `packages`.
fn read_package(package: &Value, root: &str) -> Result<Package, String> {
    let name = str_field(package, "name")?.to_owned();
    let manifest = str_field(package, "manifest_path")?;
    let dir = Path::new(manifest)
        .parent()
        .and_then(|dir| dir.strip_prefix(root).ok())
        .map(|dir| dir.to_string_lossy().replace('\\', "/"))
        .filter(|dir| !dir.is_empty())
        .unwrap_or_else(|| ".".to_owned());
    // `publish`: null when publishable anywhere, a list of registries otherwise (`[]` for
    // `publish = false`).
    let publishable = package
        .get("publish")
        .and_then(Value::as_array)
        .is_none_or(|registries| !registries.is_empty());
    let features = package
        .get("features")
        .and_then(Value::as_object)
        .map(|features| features.keys().cloned().collect())
        .unwrap_or_default();
    let lib = array_field(package, "targets")?.iter().find(|target| {
        target
            .get("kind")
            .and_then(Value::as_array)
            .is_some_and(|kinds| {
                kinds
                    .iter()
                    .any(|kind| matches!(kind.as_str(), Some("lib" | "rlib")))
            })
    });
    let has_lib = lib.is_some();
    let examples = array_field(package, "targets")?
        .iter()
        .filter(|target| {
            target
                .get("kind")
                .and_then(Value::as_array)
                .is_some_and(|kinds| kinds.iter().any(|kind| kind.as_str() == Some("example")))
        })
        .filter_map(|target| target.get("name").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    let string = |key: &str| package.get(key).and_then(Value::as_str).map(str::to_owned);
    let strings = |value: Option<&Value>| -> Vec<String> {
        value
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let docs_rs = package.pointer("/metadata/docs/rs");
    let listing = Listing {
        description: string("description"),
        license: string("license"),
        readme: string("readme"),
        repository: string("repository"),
        keywords: strings(package.get("keywords")),
        categories: strings(package.get("categories")),
        docs_rs_all_features: docs_rs
            .and_then(|d| d.get("all-features"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        docs_rs_rustdoc_args: strings(docs_rs.and_then(|d| d.get("rustdoc-args"))),
        lib_src: lib
            .and_then(|target| target.get("src_path"))
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    let mut dependencies = Vec::new();
    for dependency in array_field(package, "dependencies")? {
        let kind = match dependency.get("kind").and_then(Value::as_str) {
            None | Some("normal") => DependencyKind::Normal,
            Some("build") => DependencyKind::Build,
            Some("dev") => DependencyKind::Dev,
            Some(other) => return Err(format!("{name}: unknown dependency kind `{other}`")),
        };
        dependencies.push(Dependency {
            package: str_field(dependency, "name")?.to_owned(),
            kind,
        });
    }
    Ok(Package {
        version: str_field(package, "version")?.to_owned(),
        rust_version: package
            .get("rust_version")
            .and_then(Value::as_str)
            .map(str::to_owned),
        name,
        dir,
        publishable,
        features,
        has_lib,
        examples,
        dependencies,
        listing,
    })
}

/// The string field `key` of `value`.
fn str_field<'a>(value: &'a Value, key: &str) -> Result<&'a str, String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("cargo metadata: no string `{key}`"))
}

/// The array field `key` of `value`.
fn array_field<'a>(value: &'a Value, key: &str) -> Result<&'a [Value], String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .ok_or_else(|| format!("cargo metadata: no array `{key}`"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A member for the tests: `name` with normal dependencies `deps`.
    pub(crate) fn package(name: &str, deps: &[(&str, DependencyKind)]) -> Package {
        Package {
            name: name.to_owned(),
            version: "0.1.0".to_owned(),
            dir: format!("crates/{name}"),
            publishable: true,
            rust_version: None,
            features: BTreeSet::new(),
            has_lib: true,
            examples: Vec::new(),
            dependencies: deps
                .iter()
                .map(|&(package, kind)| Dependency {
                    package: package.to_owned(),
                    kind,
                })
                .collect(),
            listing: Listing::default(),
        }
    }

    /// Trimmed `cargo metadata` output: a root with members `a` (publishable, features) and `b`
    /// (`publish = false`, a renamed dependency on `a`, a build and a dev dependency).
    pub(crate) const METADATA: &str = r#"{
      "packages": [
        {"name": "b", "version": "0.1.0", "id": "path+file:///w/crates/b#0.1.0",
         "manifest_path": "/w/crates/b/Cargo.toml", "publish": [], "rust_version": "1.87",
         "features": {}, "targets": [{"kind": ["bin"], "name": "b"}],
         "dependencies": [
           {"name": "a-real", "rename": "a", "kind": null, "path": "/w/crates/a"},
           {"name": "cc", "rename": null, "kind": "build"},
           {"name": "proptest", "rename": null, "kind": "dev"}
         ]},
        {"name": "a-real", "version": "0.1.0", "id": "path+file:///w/crates/a#a-real@0.1.0",
         "manifest_path": "/w/crates/a/Cargo.toml", "publish": null, "rust_version": "1.87",
         "features": {"default": ["aws-lc"], "aws-lc": [], "rustcrypto": []},
         "description": "A", "license": "MIT", "readme": "README.md", "repository": null,
         "keywords": ["jose"], "categories": ["cryptography"],
         "metadata": {"docs": {"rs": {"all-features": true, "rustdoc-args": ["--cfg", "docsrs"]}}},
         "targets": [{"kind": ["lib"], "name": "a", "src_path": "/w/crates/a/src/lib.rs"},
                     {"kind": ["example"], "name": "hello", "src_path": "/w/crates/a/examples/hello.rs"},
                     {"kind": ["test"], "name": "it", "src_path": "/w/crates/a/tests/it.rs"}],
         "dependencies": [{"name": "serde", "rename": null, "kind": null}]}
      ],
      "workspace_members": ["path+file:///w/crates/a#a-real@0.1.0", "path+file:///w/crates/b#0.1.0"],
      "workspace_root": "/w",
      "version": 1
    }"#;

    #[test]
    fn reads_members_in_order_with_their_dependencies() {
        let workspace = Workspace::parse(METADATA).unwrap();
        let names: Vec<&str> = workspace.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a-real", "b"]);
        let a = workspace.member("a-real").unwrap();
        assert_eq!(a.dir, "crates/a");
        assert!(a.publishable && a.has_lib);
        assert_eq!(a.examples, ["hello"]);
        assert_eq!(
            a.features.iter().map(String::as_str).collect::<Vec<_>>(),
            ["aws-lc", "default", "rustcrypto"]
        );
        assert_eq!(
            a.listing,
            Listing {
                description: Some("A".to_owned()),
                license: Some("MIT".to_owned()),
                readme: Some("README.md".to_owned()),
                repository: None,
                keywords: vec!["jose".to_owned()],
                categories: vec!["cryptography".to_owned()],
                docs_rs_all_features: true,
                docs_rs_rustdoc_args: vec!["--cfg".to_owned(), "docsrs".to_owned()],
                lib_src: Some("/w/crates/a/src/lib.rs".to_owned()),
            }
        );
        let b = workspace.member("b").unwrap();
        assert!(!b.publishable && !b.has_lib);
        assert!(b.examples.is_empty());
        assert_eq!(b.listing, Listing::default());
        assert_eq!(b.rust_version.as_deref(), Some("1.87"));
        assert_eq!(
            b.dependencies,
            [
                Dependency {
                    package: "a-real".to_owned(),
                    kind: DependencyKind::Normal
                },
                Dependency {
                    package: "cc".to_owned(),
                    kind: DependencyKind::Build
                },
                Dependency {
                    package: "proptest".to_owned(),
                    kind: DependencyKind::Dev
                },
            ]
        );
        assert!(workspace.is_member("a-real") && !workspace.is_member("a"));
        assert!(Workspace::parse("not json").is_err());
    }
}
