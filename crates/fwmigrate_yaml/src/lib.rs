//! Provisioning YAML files (`training/provision/*.yaml` and their forks): which files they are
//! ([`recognise`], a line scan), their tree with exact byte ranges ([`tree`]), how the target's
//! `provision.py` reads them ([`provision`]), and deleting a key without touching any other byte
//! ([`edit`]).
//!
//! The parser is `saphyr-parser`: a YAML 1.2 event parser whose events carry the span of their
//! token, which is all a lossless edit needs (the edits are byte ranges of the text; comments,
//! quoting, anchors and line endings are never re-emitted). A concrete syntax tree would also
//! keep comments, but the edits here only delete whole lines, and a line's trailing comment is
//! found from the text.

pub mod edit;
pub mod provision;
pub mod tree;

pub use tree::{Entry, EntryRef, NodeId, Style, Value, Yaml, YamlError};

/// Whether a path names a YAML file (`.yaml` / `.yml`).
pub fn is_yaml_path(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e == "yaml" || e == "yml")
}

/// Whether `text` looks like a provisioning config: a top-level `recipe:` key and at least one
/// of the top-level keys `trainers:`, `deployments:`, `common:`. Other YAML files (Helm
/// templates, CI workflows) are never parsed.
pub fn recognise(text: &str) -> bool {
    recognise_bytes(text.as_bytes())
}

/// [`recognise`] on a file's bytes, before they are known to be UTF-8 (the keys are ASCII).
pub fn recognise_bytes(bytes: &[u8]) -> bool {
    let (mut recipe, mut section) = (false, false);
    for line in bytes.split(|&b| b == b'\n') {
        match top_level_key(line) {
            Some(b"recipe") => recipe = true,
            Some(b"trainers" | b"deployments" | b"common") => section = true,
            _ => continue,
        }
        if recipe && section {
            return true;
        }
    }
    false
}

/// The key of a line that starts a top-level mapping entry (`key:` at column 0, the key plain
/// or quoted, followed by the end of the line, a space or a comment).
fn top_level_key(line: &[u8]) -> Option<&[u8]> {
    let first = *line.first()?;
    let (key, rest) = match first {
        b'"' | b'\'' => {
            let close = line[1..].iter().position(|&b| b == first)? + 1;
            (&line[1..close], &line[close + 1..])
        }
        b' ' | b'\t' | b'#' | b'-' | b'%' | b'{' | b'[' => return None,
        _ => {
            let colon = line.iter().position(|&b| b == b':')?;
            (line[..colon].trim_ascii_end(), &line[colon..])
        }
    };
    let after = rest.strip_prefix(b":")?;
    (after.is_empty() || matches!(after[0], b' ' | b'\t' | b'\r')).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognised_by_its_top_level_keys() {
        assert!(recognise("common:\n  a: 1\nrecipe:\n  rl: {}\n"));
        assert!(recognise("\"recipe\":\r\n  rl:\r\ntrainers: # x\r\n"));
        assert!(recognise("trainers: {}\nrecipe: {}\n"));
        // Nested or missing keys do not count.
        assert!(!recognise("spec:\n  recipe:\n  trainers:\n"));
        assert!(!recognise("recipe: x\n"));
        assert!(!recognise("common: 1\nrecipes:\n"));
        assert!(!recognise("name: ci\non:\n  push:\njobs:\n"));
        assert!(!recognise("recipe_x: 1\ncommon:\n"));
    }
}

/// A recognised provisioning file, parsed and read as cookbook release `release` reads it.
#[derive(Debug)]
pub struct ProvisionFile {
    pub yaml: Yaml,
    pub analysis: provision::Analysis,
    pub model: &'static fwmigrate_api::provision::Provision,
    pub release: usize,
}

impl ProvisionFile {
    /// `Ok(None)` when the release reads no YAML (it has no `provision.py`) or the text is not
    /// a provisioning file; `Err` when it is one and does not parse.
    pub fn read(text: &str, release: usize) -> Result<Option<ProvisionFile>, YamlError> {
        let Some(model) = fwmigrate_api::provision::at(release) else {
            return Ok(None);
        };
        if !recognise(text) {
            return Ok(None);
        }
        let yaml = Yaml::parse(text)?;
        let view = fwmigrate_api::index::Axis::Cookbook.view_at(release);
        let analysis = provision::analyse(&yaml, model, &view, release);
        Ok(Some(ProvisionFile {
            yaml,
            analysis,
            model,
            release,
        }))
    }
}
