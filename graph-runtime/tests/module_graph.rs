//! The runtime's modules depend on each other one way: no module imports a
//! module that imports it back, directly or through others. Read from the
//! sources: every `crate::name` path outside comments, `name` being a module
//! of `src/` (a file `name.rs` or a folder `name/`). Paths through the crate
//! root's re-exports (`crate::GraphClient`) and what macros expand to are not
//! seen.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module of `src/` and the modules it names, from its own sources.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("src/") {
        let path = entry.expect("entry").path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if stem == "lib" {
            continue;
        }
        let texts = if path.is_dir() {
            let mut texts = Vec::new();
            for inner in std::fs::read_dir(&path).expect("module folder") {
                let inner = inner.expect("entry").path();
                if inner.extension().is_some_and(|e| e == "rs") {
                    texts.push(std::fs::read_to_string(&inner).expect("read"));
                }
            }
            texts
        } else if path.extension().is_some_and(|e| e == "rs") {
            vec![std::fs::read_to_string(&path).expect("read")]
        } else {
            continue;
        };
        files.insert(stem.to_owned(), texts);
    }
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    files
        .iter()
        .map(|(module, texts)| {
            let mut uses = BTreeSet::new();
            for text in texts {
                for line in text.lines() {
                    // Code only: drop line and doc comments.
                    let code = line.split("//").next().unwrap_or("");
                    for name in crate_paths(code) {
                        if modules.contains(&name) && name != *module {
                            uses.insert(name);
                        }
                    }
                }
            }
            (module.clone(), uses)
        })
        .collect()
}

/// The first segment of every `crate::...` path on a line, groups included
/// (`crate::{a::X, b}` gives `a` and `b`).
fn crate_paths(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        // `$crate::` and `graph_runtime::` are not this crate's paths here.
        let before = &rest[..at];
        rest = &rest[at + "crate::".len()..];
        if before.ends_with('$') || before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let first = item.trim().split("::").next().unwrap_or("");
                names.push(first.trim().to_owned());
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
        }
    }
    names
}

/// A cycle through `start`, if there is one: the modules along it.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((module, path)) = stack.pop() {
        for next in graph.get(&module).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_owned());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = module_graph();
    // The reading works: modules are found and their imports seen.
    for module in ["client", "pipeline", "call", "retry", "config", "error"] {
        assert!(
            graph.contains_key(module),
            "no module `{module}`: {graph:?}"
        );
    }
    assert!(graph["pipeline"].contains("call"), "{graph:?}");
    assert!(graph["client"].contains("pipeline"), "{graph:?}");
    let cycles: Vec<Vec<String>> = graph.keys().filter_map(|m| cycle_from(&graph, m)).collect();
    assert!(
        cycles.is_empty(),
        "modules that import each other, directly or through others: {}",
        cycles
            .iter()
            .map(|c| c.join(" -> "))
            .collect::<Vec<_>>()
            .join("; ")
    );
}

#[test]
fn crate_paths_are_read_from_code() {
    assert_eq!(
        crate_paths("use crate::call::{Call, ClientHeaders};"),
        ["call"]
    );
    assert_eq!(
        crate_paths("use crate::{body::Answer, error};"),
        ["body", "error"]
    );
    assert_eq!(crate_paths("let x = crate::id::uuid_v4();"), ["id"]);
    assert!(crate_paths("$crate::x").is_empty());
    assert!(crate_paths("graph_runtime::x").is_empty());
}
