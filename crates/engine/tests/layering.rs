//! The engine's module layering (see the module list in `src/lib.rs`), checked
//! on the sources: `rate` is a leaf, `design/` never imports `core/`, the
//! cores import `core::io` and `design/` but never the dispatcher
//! (`core/mod.rs`), and neither imports the streaming layers above them.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn sources(dir: &Path, src: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, src, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The module paths a file names after `crate::` (comments left out), e.g.
/// `core::io::Sink` for `use crate::core::io::{Sink, …}`'s first item.
fn crate_paths(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            paths.push(rest[..end].trim_end_matches(':').to_string());
        }
    }
    paths
}

/// Whether a file that is a direct child of `core/` names `super::` outside
/// `use super::*;` (its own tests): there `super` is the dispatcher.
fn names_parent(text: &str) -> bool {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or("").trim())
        .any(|l| l.contains("super::") && l != "use super::*;")
}

#[test]
fn modules_import_only_the_layers_below_them() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    assert!(files.iter().any(|(f, _)| f == "core/mod.rs"), "{files:?}");
    // What the core's submodules may name under `crate::core::`: each other
    // (a cascade is built of polyphase stages), never the dispatcher's items.
    let core_modules: Vec<String> = files
        .iter()
        .filter_map(|(f, _)| f.strip_prefix("core/"))
        .filter(|f| *f != "mod.rs")
        .map(|f| f.split(['/', '.']).next().unwrap().to_string())
        .collect();
    let mut errors = Vec::new();
    for (file, text) in &files {
        let paths = crate_paths(text);
        let bad: Vec<&String> = if file == "rate.rs" {
            paths.iter().collect()
        } else if file.starts_with("design/") {
            paths
                .iter()
                .filter(|p| {
                    ["core", "stream", "pcm", "format"]
                        .iter()
                        .any(|m| p.split("::").next() == Some(m))
                })
                .collect()
        } else if file.starts_with("core/") && file != "core/mod.rs" {
            paths
                .iter()
                .filter(|p| {
                    let mut seg = p.split("::");
                    match seg.next() {
                        Some("core") => !seg
                            .next()
                            .is_some_and(|m| core_modules.iter().any(|c| c == m)),
                        Some(m) => ["stream", "pcm", "format"].contains(&m),
                        None => false,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        for p in bad {
            errors.push(format!("{file} imports crate::{p}"));
        }
        let direct_core_child = file.starts_with("core/") && file.matches('/').count() == 1;
        if direct_core_child && file != "core/mod.rs" && names_parent(text) {
            errors.push(format!("{file} names `super::` (the dispatcher)"));
        }
    }
    assert!(errors.is_empty(), "layering:\n{}", errors.join("\n"));
}
