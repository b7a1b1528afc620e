//! The API of a package at every release, stored once.
//!
//! A [`History`] holds one package (the cookbook, or the SDK) at every release fwmigrate knows,
//! oldest first. A name or signature that does not change across releases is stored once, with
//! the releases where it holds, so some 130 states of the two packages stay small in the
//! repository and in the binary. The committed form is line-oriented text, one fact per line,
//! so a new release reads as a diff: its index added to the open ranges of what it keeps, closed
//! ranges for what it drops, new lines for what it adds.
//!
//! ```text
//! fwmigrate-history 1
//! releases  snapshot-2026.03.03-e6d8bb36  …  cookbook-v2026.08.19.1
//! module  training.utils.config  0-
//! open  3-5
//! all  10-  ["DeployConfig","TrainerConfig"]
//! name  DeployConfig  0-40  {"k":"class","fields":[…]}
//! method  DeployConfig  __init__  0-  {"sig":"self, *args"}
//! move  training.utils.opd  training.utils.distillation  35
//! ```
//!
//! (fields are separated by tabs.) Ranges are release indices into the `releases` line: `3`, `0-40`, `41-` (through the newest),
//! comma-separated. A `name` line of a class carries the class without its methods; each method
//! is a `method` line of its own, so a class whose one method changed stores that method again,
//! not the class. `move` lines (after every module) say where a module or name went in the first
//! release that lacks it (see [`Move`]).
//!
//! Reading is lazy: [`History::parse`] indexes the module blocks (a scan of the text), a block's
//! lines are split on first use, and a module is decoded at a release only when asked for
//! ([`History::module`]), once.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::tables::{Module, Symbol, Table};

/// The first line of the committed form.
pub const MAGIC: &str = "fwmigrate-history 1";

/// A set of release indices, as sorted, disjoint, inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Releases(Vec<(u16, u16)>);

impl Releases {
    pub fn from_indices(indices: impl IntoIterator<Item = usize>) -> Self {
        let mut out: Vec<(u16, u16)> = Vec::new();
        let mut sorted: Vec<usize> = indices.into_iter().collect();
        sorted.sort_unstable();
        sorted.dedup();
        for i in sorted {
            let i = u16::try_from(i).expect("fewer than 65536 releases");
            match out.last_mut() {
                Some((_, end)) if *end + 1 == i => *end = i,
                _ => out.push((i, i)),
            }
        }
        Self(out)
    }

    /// Parse `0-3,7,9-` (`9-` runs through `last`).
    pub fn parse(text: &str, last: usize) -> Option<Self> {
        let mut out = Vec::new();
        for part in text.split(',') {
            let (a, b) = match part.split_once('-') {
                Some((a, "")) => (a.parse().ok()?, u16::try_from(last).ok()?),
                Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
                None => {
                    let a = part.parse().ok()?;
                    (a, a)
                }
            };
            if a > b {
                return None;
            }
            out.push((a, b));
        }
        Some(Self(out))
    }

    /// The committed form, with the range that ends at `last` left open.
    pub fn render(&self, last: usize) -> String {
        let mut out = String::new();
        for (i, (a, b)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if usize::from(*b) == last && a != b {
                let _ = write!(out, "{a}-");
            } else if a == b {
                let _ = write!(out, "{a}");
            } else {
                let _ = write!(out, "{a}-{b}");
            }
        }
        out
    }

    pub fn contains(&self, i: usize) -> bool {
        self.0
            .iter()
            .any(|(a, b)| usize::from(*a) <= i && i <= usize::from(*b))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The newest release at or before `i`.
    pub fn last_at_or_before(&self, i: usize) -> Option<usize> {
        self.0.iter().rev().find_map(|(a, b)| {
            let (a, b) = (usize::from(*a), usize::from(*b));
            (a <= i).then_some(b.min(i))
        })
    }

    /// The oldest release after `i`.
    pub fn first_after(&self, i: usize) -> Option<usize> {
        self.0.iter().find_map(|(a, b)| {
            let (a, b) = (usize::from(*a), usize::from(*b));
            (b > i).then_some(a.max(i + 1))
        })
    }

    pub fn union(&mut self, other: &Releases) {
        let all = self.indices().chain(other.indices()).collect::<Vec<_>>();
        *self = Self::from_indices(all);
    }

    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.0
            .iter()
            .flat_map(|(a, b)| usize::from(*a)..=usize::from(*b))
    }
}

/// Where a module or a name went: `from` (a dotted path) was last seen at release `at - 1` and
/// is `to` from release `at` on. A module renamed moves with everything below it; a name moved
/// when its only new home, with the same kind and a compatible signature, is one other module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub from: String,
    pub to: String,
    /// The first release without `from`.
    pub at: usize,
}

/// One line of a module block, split.
#[derive(Debug)]
enum Line {
    Open(Releases),
    All(Releases, &'static str),
    Name(&'static str, Releases, &'static str),
    Method(&'static str, &'static str, Releases, &'static str),
}

#[derive(Debug)]
struct Block {
    exists: Releases,
    /// The block's lines after its `module` line.
    text: &'static str,
    lines: OnceLock<Vec<Line>>,
    /// The module decoded at each release, once asked for.
    decoded: OnceLock<Box<[OnceLock<Option<Module>>]>>,
}

/// A package at every release (see the module docs).
#[derive(Debug)]
pub struct History {
    releases: Vec<&'static str>,
    modules: BTreeMap<&'static str, Block>,
    moves: Vec<Move>,
}

impl History {
    /// Index the committed form. The text is embedded at build time and checked by this crate's
    /// tests, so a malformed line is a build defect.
    pub fn parse(text: &'static str) -> Result<Self, String> {
        let mut lines = text.split_inclusive('\n');
        let magic = lines.next().unwrap_or("").trim_end();
        if magic != MAGIC {
            return Err(format!("not a history table (first line `{magic}`)"));
        }
        let releases: Vec<&'static str> = lines
            .next()
            .and_then(|l| l.trim_end().strip_prefix("releases\t"))
            .ok_or("no `releases` line")?
            .split('\t')
            .collect();
        let last = releases.len().saturating_sub(1);
        let mut modules = BTreeMap::new();
        let mut moves = Vec::new();
        let mut offset = text.len() - lines.clone().map(str::len).sum::<usize>();
        let mut current: Option<(&'static str, Releases, usize)> = None;
        let close = |current: Option<(&'static str, Releases, usize)>,
                     end: usize,
                     modules: &mut BTreeMap<&'static str, Block>| {
            if let Some((path, exists, start)) = current {
                modules.insert(
                    path,
                    Block {
                        exists,
                        text: &text[start..end],
                        lines: OnceLock::new(),
                        decoded: OnceLock::new(),
                    },
                );
            }
        };
        for line in lines {
            let start = offset;
            offset += line.len();
            let row = line.trim_end_matches(['\n', '\r']);
            if let Some(rest) = row.strip_prefix("module\t") {
                close(current.take(), start, &mut modules);
                let (path, ranges) = rest.split_once('\t').ok_or("a module line")?;
                let exists = Releases::parse(ranges, last).ok_or("module ranges")?;
                current = Some((path, exists, offset));
            } else if let Some(rest) = row.strip_prefix("move\t") {
                close(current.take(), start, &mut modules);
                let mut parts = rest.split('\t');
                let (Some(from), Some(to), Some(at)) = (parts.next(), parts.next(), parts.next())
                else {
                    return Err(format!("bad move line `{row}`"));
                };
                moves.push(Move {
                    from: from.to_string(),
                    to: to.to_string(),
                    at: at.parse().map_err(|_| format!("bad move line `{row}`"))?,
                });
            }
        }
        close(current.take(), text.len(), &mut modules);
        Ok(Self {
            releases,
            modules,
            moves,
        })
    }

    /// The release names, oldest first.
    pub fn releases(&self) -> &[&'static str] {
        &self.releases
    }

    pub fn len(&self) -> usize {
        self.releases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.releases.is_empty()
    }

    /// Every module path any release has, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.modules.keys().copied()
    }

    /// The module path as stored (a `&'static str`), when some release has it.
    pub fn key(&self, path: &str) -> Option<&'static str> {
        self.modules.get_key_value(path).map(|(k, _)| *k)
    }

    /// The releases that have module `path`.
    pub fn module_releases(&self, path: &str) -> Option<&Releases> {
        self.modules.get(path).map(|b| &b.exists)
    }

    /// The releases where module `path` binds `name` (defined, imported or re-exported).
    pub fn name_releases(&self, path: &str, name: &str) -> Releases {
        let Some(block) = self.modules.get(path) else {
            return Releases::default();
        };
        let mut out = Releases::default();
        for line in self.lines(block) {
            if let Line::Name(n, releases, _) = line
                && *n == name
            {
                out.union(releases);
            }
        }
        out
    }

    /// What `name` is in module `path` at each release that binds it: (releases, symbol).
    pub fn name_versions(&self, path: &str, name: &str) -> Vec<(&Releases, Symbol)> {
        let Some(block) = self.modules.get(path) else {
            return Vec::new();
        };
        self.lines(block)
            .iter()
            .filter_map(|line| match line {
                Line::Name(n, releases, payload) if *n == name => {
                    Some((releases, decode::<Symbol>(payload)))
                }
                _ => None,
            })
            .collect()
    }

    /// Whether module `path` may bind `name` at some release, judged from its text without
    /// splitting it: `false` is certain.
    pub fn may_bind(&self, path: &str, name: &str) -> bool {
        self.modules.get(path).is_some_and(|b| {
            let needle = format!("name\t{name}\t");
            let text = b.text.as_bytes();
            memchr::memmem::find_iter(text, needle.as_bytes())
                .any(|at| at == 0 || text[at - 1] == b'\n')
        })
    }

    /// The moves, in release order.
    pub fn moves(&self) -> &[Move] {
        &self.moves
    }

    fn lines<'a>(&self, block: &'a Block) -> &'a [Line] {
        let last = self.releases.len().saturating_sub(1);
        block.lines.get_or_init(|| {
            block
                .text
                .lines()
                .filter_map(|row| split_line(row, last))
                .collect()
        })
    }

    /// Module `path` as it is at `release`.
    pub fn module(&self, path: &str, release: usize) -> Option<&Module> {
        let block = self.modules.get(path)?;
        if !block.exists.contains(release) {
            return None;
        }
        let cells = block.decoded.get_or_init(|| {
            (0..self.releases.len())
                .map(|_| OnceLock::new())
                .collect::<Vec<_>>()
                .into_boxed_slice()
        });
        cells[release]
            .get_or_init(|| Some(self.decode_module(block, release)))
            .as_ref()
    }

    fn decode_module(&self, block: &Block, release: usize) -> Module {
        let mut module = Module::default();
        let lines = self.lines(block);
        for line in lines {
            match line {
                Line::Open(r) if r.contains(release) => module.open = true,
                Line::All(r, payload) if r.contains(release) => {
                    module.all = Some(decode(payload));
                }
                Line::Name(name, r, payload) if r.contains(release) => {
                    module.names.insert((*name).to_string(), decode(payload));
                }
                _ => {}
            }
        }
        for line in lines {
            if let Line::Method(class, method, r, payload) = line
                && r.contains(release)
                && let Some(Symbol::Class(c)) = module.names.get_mut(*class)
            {
                c.methods.insert((*method).to_string(), decode(payload));
            }
        }
        module
    }

    /// The table of every release, whole (for tests and the generator).
    pub fn table(&self, release: usize) -> Table {
        Table {
            source: self.releases[release].to_string(),
            modules: self
                .paths()
                .filter_map(|p| Some((p.to_string(), self.module(p, release)?.clone())))
                .collect(),
        }
    }

    /// The committed form of `tables` (oldest first, named by `names`) with `moves`.
    pub fn render(names: &[String], tables: &[Table], moves: &[Move]) -> String {
        assert_eq!(names.len(), tables.len());
        let last = tables.len().saturating_sub(1);
        let mut out = String::new();
        out.push_str(MAGIC);
        out.push_str("\nreleases");
        for name in names {
            out.push('\t');
            out.push_str(name);
        }
        out.push('\n');
        let mut paths: Vec<&String> = tables.iter().flat_map(|t| t.modules.keys()).collect();
        paths.sort();
        paths.dedup();
        for path in paths {
            let at = |i: usize| tables[i].modules.get(path);
            let exists = Releases::from_indices((0..tables.len()).filter(|i| at(*i).is_some()));
            let _ = writeln!(out, "module\t{path}\t{}", exists.render(last));
            let open = Releases::from_indices(
                (0..tables.len()).filter(|i| at(*i).is_some_and(|m| m.open)),
            );
            if !open.is_empty() {
                let _ = writeln!(out, "open\t{}", open.render(last));
            }
            for (payload, r) in versions(tables.len(), |i| {
                at(i)?
                    .all
                    .as_ref()
                    .map(|a| serde_json::to_string(a).expect("a list"))
            }) {
                let _ = writeln!(out, "all\t{}\t{payload}", r.render(last));
            }
            let mut names: Vec<&String> = (0..tables.len())
                .filter_map(at)
                .flat_map(|m| m.names.keys())
                .collect();
            names.sort();
            names.dedup();
            for name in names {
                let symbol = |i: usize| at(i)?.names.get(name.as_str());
                for (payload, r) in versions(tables.len(), |i| {
                    let mut s = symbol(i)?.clone();
                    if let Symbol::Class(c) = &mut s {
                        c.methods.clear();
                    }
                    Some(serde_json::to_string(&s).expect("a symbol"))
                }) {
                    let _ = writeln!(out, "name\t{name}\t{}\t{payload}", r.render(last));
                }
                let mut methods: Vec<&String> = (0..tables.len())
                    .filter_map(|i| match symbol(i)? {
                        Symbol::Class(c) => Some(c.methods.keys()),
                        _ => None,
                    })
                    .flatten()
                    .collect();
                methods.sort();
                methods.dedup();
                for method in methods {
                    for (payload, r) in versions(tables.len(), |i| match symbol(i)? {
                        Symbol::Class(c) => c
                            .methods
                            .get(method.as_str())
                            .map(|f| serde_json::to_string(f).expect("a function")),
                        _ => None,
                    }) {
                        let _ = writeln!(
                            out,
                            "method\t{name}\t{method}\t{}\t{payload}",
                            r.render(last)
                        );
                    }
                }
            }
        }
        for m in moves {
            let _ = writeln!(out, "move\t{}\t{}\t{}", m.from, m.to, m.at);
        }
        out
    }
}

/// The distinct values of `value(i)` over releases `0..n`, each with the releases that have it,
/// in the order of their first release.
fn versions(n: usize, value: impl Fn(usize) -> Option<String>) -> Vec<(String, Releases)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for i in 0..n {
        if let Some(v) = value(i) {
            match out.iter_mut().find(|(p, _)| *p == v) {
                Some((_, at)) => at.push(i),
                None => out.push((v, vec![i])),
            }
        }
    }
    out.into_iter()
        .map(|(p, at)| (p, Releases::from_indices(at)))
        .collect()
}

fn split_line(row: &'static str, last: usize) -> Option<Line> {
    let mut parts = row.splitn(5, '\t');
    let kind = parts.next()?;
    let range = |s: Option<&str>| Releases::parse(s?, last);
    Some(match kind {
        "open" => Line::Open(range(parts.next())?),
        "all" => {
            let r = range(parts.next())?;
            Line::All(r, parts.next()?)
        }
        "name" => {
            let name = parts.next()?;
            let r = range(parts.next())?;
            Line::Name(name, r, parts.next()?)
        }
        "method" => {
            let class = parts.next()?;
            let method = parts.next()?;
            let r = range(parts.next())?;
            Line::Method(class, method, r, parts.next()?)
        }
        _ => return None,
    })
}

fn decode<T: serde::de::DeserializeOwned>(payload: &str) -> T {
    // Embedded at build time and checked by this crate's tests: a failure is a build defect.
    serde_json::from_str(payload).expect("embedded API history is valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{Class, Function};

    fn leak(s: String) -> &'static str {
        Box::leak(s.into_boxed_str())
    }

    #[test]
    fn ranges_parse_render_and_answer() {
        let r = Releases::from_indices([0, 1, 2, 5, 7, 8, 9]);
        assert_eq!(r.render(9), "0-2,5,7-");
        assert_eq!(r.render(10), "0-2,5,7-9");
        assert_eq!(Releases::parse("0-2,5,7-", 9).unwrap(), r);
        assert!(r.contains(5) && !r.contains(6) && r.contains(9));
        assert_eq!(r.last_at_or_before(6), Some(5));
        assert_eq!(r.last_at_or_before(8), Some(8));
        assert_eq!(r.first_after(2), Some(5));
        assert_eq!(r.first_after(9), None);
        assert_eq!(Releases::parse("3-1", 9), None);
    }

    fn module(names: &[(&str, Symbol)]) -> Module {
        Module {
            open: false,
            all: None,
            names: names
                .iter()
                .map(|(n, s)| (n.to_string(), s.clone()))
                .collect(),
        }
    }

    fn class(methods: &[(&str, &str)]) -> Symbol {
        Symbol::Class(Class {
            methods: methods
                .iter()
                .map(|(m, sig)| {
                    (
                        m.to_string(),
                        Function {
                            sig: Some(sig.to_string()),
                            ..Default::default()
                        },
                    )
                })
                .collect(),
            ..Default::default()
        })
    }

    #[test]
    fn tables_round_trip_and_unchanged_names_are_stored_once() {
        let value = Symbol::Value { ty: None };
        let tables: Vec<Table> = [
            vec![(
                "a.b",
                module(&[("X", class(&[("f", "self")])), ("old", value.clone())]),
            )],
            vec![("a.b", module(&[("X", class(&[("f", "self, y=")]))]))],
            vec![
                ("a.b", module(&[("X", class(&[("f", "self, y=")]))])),
                ("a.c", module(&[("old", value.clone())])),
            ],
        ]
        .into_iter()
        .map(|mods| Table {
            source: String::new(),
            modules: mods.into_iter().map(|(p, m)| (p.to_string(), m)).collect(),
        })
        .collect();
        let names: Vec<String> = ["r0", "r1", "r2"].map(String::from).to_vec();
        let moves = vec![Move {
            from: "a.b.old".into(),
            to: "a.c.old".into(),
            at: 1,
        }];
        let text = History::render(&names, &tables, &moves);
        // X is stored once; its method twice (it changed).
        assert_eq!(text.matches("name\tX\t").count(), 1, "{text}");
        assert_eq!(text.matches("method\tX\tf\t").count(), 2, "{text}");
        assert!(text.contains("module\ta.c\t2\n"), "{text}");
        let history = History::parse(leak(text)).unwrap();
        for (i, table) in tables.iter().enumerate() {
            let mut t = history.table(i);
            t.source.clear();
            assert_eq!(&t, table, "release {i}");
        }
        assert_eq!(history.name_releases("a.b", "old").render(2), "0");
        assert_eq!(history.name_releases("a.c", "old").render(2), "2");
        assert!(history.may_bind("a.b", "X") && !history.may_bind("a.b", "Y"));
        assert_eq!(history.moves(), &moves);
        assert!(history.module("a.c", 1).is_none());
    }
}
