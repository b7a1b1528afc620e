//! Where modules and names went between releases (RULES §2, History).
//!
//! A **module rename**: a module the next release lacks whose public definitions (or, for a
//! package without any, whose child modules) reappear together under one module that is new in
//! that release. A **name move**: a class or function that a module stops binding, whose only
//! new home in the next release (a module defining a name of that spelling, the same kind and a
//! compatible signature) is one other module of the package. `Config` and `main`, which every
//! recipe has, never move by name.

use std::collections::{BTreeMap, BTreeSet};

use fwmigrate_api::history::Move;
use fwmigrate_api::tables::{Function, Signature, Symbol, Table};

/// Names every recipe module defines: they never move by name.
const EVERY_RECIPE_HAS: &[&str] = &["Config", "main"];

/// The moves between consecutive tables of one package, in release order.
pub fn moves(tables: &[Table], package: &str) -> Vec<Move> {
    let mut out = Vec::new();
    for at in 1..tables.len() {
        let (before, after) = (&tables[at - 1], &tables[at]);
        let renamed = module_renames(before, after, package);
        for (from, to) in &renamed {
            out.push(Move {
                from: from.clone(),
                to: to.clone(),
                at,
            });
        }
        for (path, module) in &before.modules {
            if !in_package(path, package) || renamed.iter().any(|(f, _)| under(path, f)) {
                continue;
            }
            for (name, symbol) in &module.names {
                if name.starts_with('_') || EVERY_RECIPE_HAS.contains(&name.as_str()) {
                    continue;
                }
                if after
                    .modules
                    .get(path)
                    .is_some_and(|m| m.names.contains_key(name))
                {
                    continue;
                }
                let Some(old) = definition(before, path, name, symbol) else {
                    continue;
                };
                let homes: Vec<&String> = after
                    .modules
                    .iter()
                    .filter(|(p, m)| {
                        *p != path
                            && in_package(p, package)
                            && m.names
                                .get(name)
                                .is_some_and(|s| same_kind(old, s) && compatible(old, s))
                    })
                    .map(|(p, _)| p)
                    .collect();
                if let [home] = homes[..] {
                    out.push(Move {
                        from: format!("{path}.{name}"),
                        to: format!("{home}.{name}"),
                        at,
                    });
                }
            }
        }
    }
    out
}

fn in_package(path: &str, package: &str) -> bool {
    under(path, package)
}

fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|r| r.starts_with('.'))
}

/// The class or function a name stands for, following re-exports within the table.
fn definition<'a>(
    table: &'a Table,
    path: &str,
    name: &str,
    symbol: &'a Symbol,
) -> Option<&'a Symbol> {
    let mut symbol = symbol;
    let mut hops = 0;
    let _ = (path, name);
    while let Symbol::Ref { to } = symbol {
        hops += 1;
        if hops > 8 {
            return None;
        }
        let (module, name) = to.rsplit_once('.')?;
        symbol = table.modules.get(module)?.names.get(name)?;
    }
    matches!(symbol, Symbol::Class(_) | Symbol::Function(_)).then_some(symbol)
}

fn same_kind(old: &Symbol, new: &Symbol) -> bool {
    matches!(
        (old, new),
        (Symbol::Class(_), Symbol::Class(_)) | (Symbol::Function(_), Symbol::Function(_))
    )
}

/// A call that bound the old function binds the new one: every parameter the old one named is
/// still there (or `**kwargs` takes it), and the new one requires nothing the old one lacked.
fn compatible(old: &Symbol, new: &Symbol) -> bool {
    let (Symbol::Function(old), Symbol::Function(new)) = (old, new) else {
        return true;
    };
    let sig = |f: &Function| f.sig.as_deref().map(Signature::parse);
    let (Some(old), Some(new)) = (sig(old), sig(new)) else {
        return true;
    };
    let takes = old
        .keyword_names()
        .all(|n| new.param(n).is_some() || new.has_var_keyword());
    let requires = new
        .params
        .iter()
        .filter(|p| !p.default && p.kind != fwmigrate_api::tables::ParamKind::VarPositional)
        .filter(|p| p.kind != fwmigrate_api::tables::ParamKind::VarKeyword)
        .all(|p| old.params.iter().any(|o| o.name == p.name));
    takes && requires
}

/// Modules of `before` that `after` lacks, each with the one new module its contents moved to.
fn module_renames(before: &Table, after: &Table, package: &str) -> Vec<(String, String)> {
    let contents = |table: &Table, path: &str| -> BTreeSet<String> {
        let Some(module) = table.modules.get(path) else {
            return BTreeSet::new();
        };
        let defined: BTreeSet<String> = module
            .names
            .iter()
            .filter(|(n, s)| {
                !n.starts_with('_') && matches!(s, Symbol::Class(_) | Symbol::Function(_))
            })
            .map(|(n, _)| n.clone())
            .collect();
        if !defined.is_empty() {
            return defined;
        }
        // A package without definitions of its own: its child modules.
        table
            .modules
            .keys()
            .filter_map(|p| p.strip_prefix(path)?.strip_prefix('.'))
            .filter(|rest| !rest.contains('.'))
            .map(|rest| format!("module {rest}"))
            .collect()
    };
    let gone: Vec<&String> = before
        .modules
        .keys()
        .filter(|p| in_package(p, package) && !after.modules.contains_key(*p))
        .collect();
    let new: Vec<&String> = after
        .modules
        .keys()
        .filter(|p| in_package(p, package) && !before.modules.contains_key(*p))
        .collect();
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    for old in gone {
        let had = contents(before, old);
        if had.is_empty() {
            continue;
        }
        let homes: Vec<&&String> = new
            .iter()
            .filter(|n| had.is_subset(&contents(after, n)))
            .collect();
        if let [home] = homes[..] {
            found.insert(old.clone(), (*home).clone());
        }
    }
    // A renamed package carries its children: keep the outermost rename only.
    let outer: Vec<(String, String)> = found
        .iter()
        .filter(|(old, new)| {
            !found.iter().any(|(o, n)| {
                o != *old
                    && under(old, o)
                    && new.strip_prefix(n.as_str()) == old.strip_prefix(o.as_str())
            })
        })
        .map(|(o, n)| (o.clone(), n.clone()))
        .collect();
    outer
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_api::tables::Module;

    fn table(modules: &[(&str, &[(&str, Symbol)])]) -> Table {
        Table {
            source: String::new(),
            modules: modules
                .iter()
                .map(|(p, names)| {
                    (
                        p.to_string(),
                        Module {
                            names: names
                                .iter()
                                .map(|(n, s)| (n.to_string(), s.clone()))
                                .collect(),
                            ..Default::default()
                        },
                    )
                })
                .collect(),
        }
    }

    fn function(sig: &str) -> Symbol {
        Symbol::Function(Function {
            sig: Some(sig.into()),
            ..Default::default()
        })
    }

    #[test]
    fn a_renamed_module_and_a_moved_name() {
        let class = Symbol::Class(Default::default());
        let before = table(&[
            (
                "t.opd",
                &[("Sampler", class.clone()), ("go", function("a"))],
            ),
            ("t.utils", &[("helper", function("x, y="))]),
            ("t.other", &[]),
        ]);
        let after = table(&[
            (
                "t.distillation",
                &[("Sampler", class.clone()), ("go", function("a"))],
            ),
            ("t.utils", &[]),
            ("t.other", &[("helper", function("x, y=, z="))]),
        ]);
        let found = moves(&[before, after], "t");
        assert_eq!(
            found,
            vec![
                Move {
                    from: "t.opd".into(),
                    to: "t.distillation".into(),
                    at: 1
                },
                Move {
                    from: "t.utils.helper".into(),
                    to: "t.other.helper".into(),
                    at: 1
                },
            ]
        );
    }

    #[test]
    fn no_move_to_an_incompatible_or_ambiguous_home() {
        let before = table(&[("t.a", &[("f", function("x")), ("g", function("x"))])]);
        let after = table(&[
            ("t.a", &[]),
            // f now requires y: a call that bound before would not bind.
            ("t.b", &[("f", function("x, y")), ("g", function("x"))]),
            ("t.c", &[("g", function("x"))]),
        ]);
        assert!(moves(&[before, after], "t").is_empty());
    }
}
