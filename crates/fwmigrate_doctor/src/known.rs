//! The table of known errors: `known-errors.toml` at the root of this crate, embedded in the
//! binary. Each entry names the messages it recognises (regular expressions), the cause, the
//! remedy and the rules that find the cause statically. A line of a run's output gets the
//! first entry, in the file's order, with a pattern that matches somewhere in it.

use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

/// The table as written.
pub const SOURCE: &str = include_str!("../known-errors.toml");

/// The table's path in the repository, for messages and docs.
pub const SOURCE_PATH: &str = "crates/fwmigrate_doctor/known-errors.toml";

/// One known error.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownError {
    /// Stable name (JSON output, docs anchors).
    pub id: String,
    /// The error or signal, as the docs show it (Markdown).
    pub signal: String,
    pub patterns: Vec<String>,
    pub cause: String,
    pub remedy: String,
    /// The command that fixes it, when there is one.
    pub command: Option<String>,
    /// The rules that find the cause statically.
    pub rules: Vec<String>,
    /// Nothing needs doing: it does not make `doctor` exit 1.
    #[serde(default)]
    pub benign: bool,
    /// Messages of that shape.
    pub examples: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    error: Vec<KnownError>,
}

/// The table, with its patterns compiled.
#[derive(Debug)]
pub struct Table {
    pub entries: Vec<KnownError>,
    patterns: Vec<Vec<Regex>>,
}

impl Table {
    /// Read a table (see `known-errors.toml` for its fields).
    pub fn parse(text: &str) -> Result<Table, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut patterns = Vec::new();
        for entry in &file.error {
            if entry.patterns.is_empty() {
                return Err(format!("{}: no pattern", entry.id));
            }
            let compiled = entry
                .patterns
                .iter()
                .map(|p| Regex::new(p).map_err(|e| format!("{}: pattern {p:?}: {e}", entry.id)))
                .collect::<Result<Vec<_>, _>>()?;
            patterns.push(compiled);
        }
        Ok(Table {
            entries: file.error,
            patterns,
        })
    }

    /// The first entry that recognises `line`.
    pub fn classify(&self, line: &str) -> Option<&KnownError> {
        self.patterns
            .iter()
            .position(|ps| ps.iter().any(|p| p.is_match(line)))
            .map(|i| &self.entries[i])
    }

    pub fn get(&self, id: &str) -> Option<&KnownError> {
        self.entries.iter().find(|e| e.id == id)
    }
}

/// The table embedded in the binary.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        Table::parse(SOURCE).unwrap_or_else(|e| panic!("{SOURCE_PATH} is not a valid table: {e}"))
    })
}

/// The first entry of the embedded table that recognises `line`.
pub fn classify(line: &str) -> Option<&'static KnownError> {
    table().classify(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_and_ids_are_unique() {
        let t = table();
        assert!(t.entries.len() >= 16);
        let mut ids: Vec<&str> = t.entries.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate ids");
    }

    /// Each entry's examples are recognised by that entry, not an earlier one.
    #[test]
    fn every_example_is_its_own_entrys() {
        for entry in &table().entries {
            assert!(!entry.examples.is_empty(), "{}: no example", entry.id);
            for example in &entry.examples {
                let got = classify(example).map(|e| e.id.as_str());
                assert_eq!(got, Some(entry.id.as_str()), "{example}");
            }
        }
    }

    #[test]
    fn a_bad_table_is_refused() {
        assert!(Table::parse("[[error]]\nid = 'x'\n").is_err());
        let bad = "[[error]]\nid='x'\nsignal=''\npatterns=['(']\ncause=''\nremedy=''\nrules=[]\nexamples=[]\n";
        assert!(Table::parse(bad).unwrap_err().contains("pattern"));
        let unknown = bad.replace("patterns=['(']", "patterns=['a']\nextra=1");
        assert!(Table::parse(&unknown).is_err());
    }
}
