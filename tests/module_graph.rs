//! The modules of the engine and of the command line depend on each other one way only: no
//! module reaches, directly or through others, back to itself. (A crate's root, which declares
//! the modules, is left out.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module → the sibling modules it names through `crate::`.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "rs") || name == "lib" || name == "main" {
            continue;
        }
        modules.insert(name.to_string(), std::fs::read_to_string(&path).unwrap());
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, text)| {
            let mut uses = BTreeSet::new();
            for (i, _) in text.match_indices("crate::") {
                // `crate::{a, b::c}` names several.
                let rest = &text[i + "crate::".len()..];
                let named: Vec<&str> = match rest.strip_prefix('{') {
                    Some(list) => list[..list.find('}').unwrap_or(0)]
                        .split(',')
                        .map(|p| p.trim().split("::").next().unwrap_or(""))
                        .collect(),
                    None => vec![
                        rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                            .next()
                            .unwrap_or(""),
                    ],
                };
                for m in named {
                    if names.contains(m) && m != name {
                        uses.insert(m.to_string());
                    }
                }
            }
            (name.clone(), uses)
        })
        .collect()
}

/// A cycle, as the list of modules on it, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        at: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == at) {
            let mut found = path[i..].to_vec();
            found.push(at.to_string());
            return Some(found);
        }
        if done.contains(at) {
            return None;
        }
        path.push(at.to_string());
        for next in &graph[at] {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(at.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn module_dependencies_are_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for krate in ["crates/fwmigrate_engine/src", "crates/fwmigrate_cli/src"] {
        let g = graph(&root.join(krate));
        assert!(g.len() > 3, "{krate}: modules not found");
        if let Some(c) = cycle(&g) {
            panic!(
                "{krate}: modules depend on each other in a cycle: {}",
                c.join(" -> ")
            );
        }
    }
}

#[test]
fn a_cycle_is_found() {
    let g: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
        .iter()
        .map(|(m, d)| (m.to_string(), BTreeSet::from([d.to_string()])))
        .collect();
    assert_eq!(cycle(&g).unwrap(), ["a", "b", "c", "a"]);
    let mut g = g;
    g.get_mut("c").unwrap().clear();
    assert_eq!(cycle(&g), None);
}
