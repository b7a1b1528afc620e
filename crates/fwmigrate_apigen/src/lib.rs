//! Generates fwmigrate's API tables (`fwmigrate_api::tables`) from Python source trees.
//!
//! [`table_from_tree`] reads every module of the named packages below a folder; [`write_table`]
//! writes a single table in its committed form. The command-line tool (`cargo run -p
//! fwmigrate_apigen -- --help`) reads every release the committed input names ([`sources`]),
//! works out where names went ([`moves`]), reads each release's provisioning code
//! ([`provision`]), and writes the histories, the provisioning models and the release registry.

pub mod extract;
pub mod moves;
pub mod provision;
pub mod sources;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use fwmigrate_api::tables::{Module, Symbol, Table};

/// Read every module of `packages` (dotted, e.g. `training` or `fireworks.training.sdk`) below
/// `root`. Folders named in `skip` (relative dotted names, e.g. `fireworks.training.sdk.tests`)
/// are left out.
pub fn table_from_tree(
    source: &str,
    root: &Path,
    packages: &[&str],
    skip: &[&str],
) -> Result<Table, String> {
    let mut modules: BTreeMap<String, Module> = BTreeMap::new();
    let mut stars: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in packages {
        let dir = root.join(package.replace('.', "/"));
        let mut files = Vec::new();
        if !dir.is_dir() {
            continue;
        }
        collect_py(&dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
        files.sort();
        for file in files {
            let rel = file.strip_prefix(root).expect("below root");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let last = parts.pop().expect("a file name");
            let is_package = last == "__init__.py";
            if !is_package {
                parts.push(last.trim_end_matches(".py").to_string());
            }
            let name = parts.join(".");
            if skip
                .iter()
                .any(|s| name == *s || name.starts_with(&format!("{s}.")))
            {
                continue;
            }
            let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let extracted = extract::extract(&name, is_package, &text)
                .map_err(|e| format!("{}: {e}", file.display()))?;
            stars.insert(
                name.clone(),
                extracted.stars.into_iter().map(|s| s.from).collect(),
            );
            modules.insert(name, extracted.module);
        }
    }
    add_namespace_packages(&mut modules);
    add_child_modules(&mut modules);
    resolve_stars(&mut modules, &stars);
    Ok(Table {
        source: source.to_string(),
        modules,
    })
}

fn collect_py(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type()?.is_dir() {
            // Folders without `__init__.py` are namespace packages: Python imports them too.
            if name != "__pycache__" && !name.starts_with('.') {
                collect_py(&path, out)?;
            }
        } else if name.ends_with(".py") {
            out.push(path);
        }
    }
    Ok(())
}

/// A folder without `__init__.py` is a namespace package: a module with no names of its own.
fn add_namespace_packages(modules: &mut BTreeMap<String, Module>) {
    let names: Vec<String> = modules.keys().cloned().collect();
    for name in names {
        let mut prefix = name.as_str();
        while let Some((parent, _)) = prefix.rsplit_once('.') {
            modules.entry(parent.to_string()).or_default();
            prefix = parent;
        }
    }
}

/// `from pkg import child` works for every child module, imported or not: record each child as
/// a name of its package unless the package binds that name otherwise.
fn add_child_modules(modules: &mut BTreeMap<String, Module>) {
    let names: Vec<String> = modules.keys().cloned().collect();
    for name in names {
        if let Some((parent, child)) = name.rsplit_once('.')
            && let Some(module) = modules.get_mut(parent)
        {
            module
                .names
                .entry(child.to_string())
                .or_insert(Symbol::Module { to: name.clone() });
        }
    }
}

/// Star imports bring in the source's `__all__`, or its public names; from outside the table,
/// anything: the module is open.
fn resolve_stars(modules: &mut BTreeMap<String, Module>, stars: &BTreeMap<String, Vec<String>>) {
    // Chains of star imports settle in a few rounds.
    for _ in 0..8 {
        let mut changed = false;
        for (name, froms) in stars {
            for from in froms {
                let Some(source) = modules.get(from) else {
                    if let Some(m) = modules.get_mut(name)
                        && !m.open
                    {
                        m.open = true;
                        changed = true;
                    }
                    continue;
                };
                let exported: Vec<String> = match &source.all {
                    Some(all) => all.clone(),
                    None => source
                        .names
                        .keys()
                        .filter(|n| !n.starts_with('_'))
                        .cloned()
                        .collect(),
                };
                let source_open = source.open;
                let m = modules.get_mut(name).expect("module read");
                if source_open && !m.open {
                    m.open = true;
                    changed = true;
                }
                for n in exported {
                    if !m.names.contains_key(&n) {
                        m.names.insert(
                            n.clone(),
                            Symbol::Ref {
                                to: format!("{from}.{n}"),
                            },
                        );
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// The committed form: sorted, one module per line.
pub fn render_table(table: &Table) -> String {
    let mut out = String::new();
    out.push_str("{\"source\":");
    out.push_str(&serde_json::to_string(&table.source).expect("a string serializes"));
    out.push_str(",\"modules\":{\n");
    let mut first = true;
    for (name, module) in &table.modules {
        if !first {
            out.push_str(",\n");
        }
        first = false;
        out.push_str(&serde_json::to_string(name).expect("a string serializes"));
        out.push(':');
        out.push_str(&serde_json::to_string(module).expect("a module serializes"));
    }
    out.push_str("\n}}\n");
    out
}

pub fn write_table(table: &Table, path: &Path) -> Result<(), String> {
    fs::write(path, render_table(table)).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_becomes_a_table_with_children_and_stars() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("training/utils");
        fs::create_dir_all(&pkg).unwrap();
        fs::write(dir.path().join("training/__init__.py"), "").unwrap();
        fs::write(pkg.join("__init__.py"), "from .config import *\n").unwrap();
        fs::write(
            pkg.join("config.py"),
            "__all__ = ['DeployConfig']\nclass DeployConfig: ...\nclass Hidden: ...\n",
        )
        .unwrap();
        let table = table_from_tree("test", dir.path(), &["training"], &[]).unwrap();
        let utils = &table.modules["training.utils"];
        assert_eq!(
            utils.names["DeployConfig"],
            Symbol::Ref {
                to: "training.utils.config.DeployConfig".into()
            }
        );
        assert!(!utils.names.contains_key("Hidden"));
        assert_eq!(
            utils.names["config"],
            Symbol::Module {
                to: "training.utils.config".into()
            }
        );
        let decoded: Table = serde_json::from_str(&render_table(&table)).unwrap();
        assert_eq!(decoded, table);
    }
}
