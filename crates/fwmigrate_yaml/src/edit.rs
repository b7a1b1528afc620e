//! Deleting a key from a block mapping without touching any other byte.

use ruff_text_size::{TextRange, TextSize};

use crate::tree::{EntryRef, Value, Yaml};

/// The edits that delete one entry: `(range, replacement)` pairs, and the range that isolates
/// the fix (its mapping: one deletion per mapping and pass, so two deletions can never empty a
/// mapping between them). `None` when the entry cannot be deleted by lines alone: it is in a
/// flow mapping (`{a: 1}`), shares its line with something else, or is reached through an
/// alias or merge key (its text serves other places too).
pub struct Deletion {
    pub edits: Vec<(TextRange, String)>,
    pub isolation: TextRange,
}

/// Delete `entry` of `parent` (the mapping entry whose value is the entry's mapping, if any):
/// its lines from the key's line to the value's last line, with that line's end-of-line
/// comment and line ending; comments on lines of their own around it stay. When the entry is
/// the mapping's last, the mapping becomes `{}` after its parent's key.
pub fn delete_entry(yaml: &Yaml, text: &str, entry: EntryRef) -> Option<Deletion> {
    if entry.shared {
        return None;
    }
    let mapping = yaml.node(entry.mapping);
    if matches!(mapping.value, Value::Mapping { flow: true, .. }) {
        return None;
    }
    let e = yaml.entry(entry);
    let value = yaml.node(e.value);
    let key_start = e.key_range.start().to_usize();
    let line_start = text[..key_start].rfind('\n').map_or(0, |i| i + 1);
    // Only indentation before the key (a `- key:` sequence item is not deleted by lines).
    if !text[line_start..key_start].bytes().all(|b| b == b' ') {
        return None;
    }
    let mut last = e.key_range.end().to_usize();
    if !e.alias {
        last = last.max(value.range.end().to_usize());
    } else {
        // `key: *anchor`: the alias token itself ends the line's content.
        last = last.max(alias_end(text, e.key_range.end().to_usize()));
    }
    // The content may end with a line break (block scalars): step back over whitespace.
    while last > key_start && text.as_bytes()[last - 1].is_ascii_whitespace() {
        last -= 1;
    }
    let line_end = text[last..].find('\n').map_or(text.len(), |i| last + i + 1);
    // Nothing but a comment may follow the value on its last line.
    let rest = text[last..line_end].trim_start_matches([' ', '\t']);
    if !(rest.is_empty()
        || rest.starts_with('#')
        || rest.starts_with('\n')
        || rest.starts_with("\r\n"))
    {
        return None;
    }
    let range = TextRange::new(
        TextSize::new(line_start as u32),
        TextSize::new(line_end as u32),
    );
    let mut edits = vec![(range, String::new())];
    let siblings = yaml.own_entries(entry.mapping).len();
    if siblings == 1 {
        // The mapping would be empty, and an empty value reads as null: write `{}`.
        let before = text[..line_start].trim_end_matches(['\n', '\r', ' ', '\t']);
        let colon = before.len();
        if !before.ends_with(':') {
            return None;
        }
        let at = TextSize::new(colon as u32);
        edits.insert(0, (TextRange::empty(at), " {}".to_string()));
        // `{}` must follow the parent key on its own line: only when nothing (not even a
        // comment) sits between the parent's colon and the entry.
        if text[colon..line_start].trim().contains('#') {
            return None;
        }
    }
    Some(Deletion {
        edits,
        isolation: mapping.range,
    })
}

fn alias_end(text: &str, from: usize) -> usize {
    let rest = &text[from..];
    let star = rest.find('*').map_or(0, |i| i + 1);
    let name = rest[star..]
        .find(|c: char| c.is_whitespace())
        .unwrap_or(rest.len() - star);
    from + star + name
}

/// Apply edits (for tests).
#[cfg(test)]
pub(crate) fn apply(text: &str, edits: &[(TextRange, String)]) -> String {
    let mut out = text.to_string();
    let mut sorted: Vec<_> = edits.to_vec();
    sorted.sort_by_key(|(r, _)| std::cmp::Reverse(r.start()));
    for (r, s) in sorted {
        out.replace_range(r.start().to_usize()..r.end().to_usize(), &s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delete(text: &str, path: &[&str]) -> Option<String> {
        let yaml = Yaml::parse(text).unwrap();
        let mut id = yaml.root().unwrap();
        let mut entry = None;
        for key in path {
            let r = yaml.get(id, key).unwrap();
            id = yaml.entry(r).value;
            entry = Some(r);
        }
        delete_entry(&yaml, text, entry.unwrap()).map(|d| apply(text, &d.edits))
    }

    #[test]
    fn deletes_the_key_its_block_and_its_comment_only() {
        let text = "t:\n  a: 1   # a's comment\n  # b's own comment\n  b:\n    c: |\n      text\n\n    d: \"q\"  # d\n  # trailing\n  e: 2\r\n";
        assert_eq!(
            delete(text, &["t", "a"]).unwrap(),
            "t:\n  # b's own comment\n  b:\n    c: |\n      text\n\n    d: \"q\"  # d\n  # trailing\n  e: 2\r\n"
        );
        assert_eq!(
            delete(text, &["t", "b"]).unwrap(),
            "t:\n  a: 1   # a's comment\n  # b's own comment\n  # trailing\n  e: 2\r\n"
        );
        assert_eq!(
            delete(text, &["t", "e"]).unwrap(),
            "t:\n  a: 1   # a's comment\n  # b's own comment\n  b:\n    c: |\n      text\n\n    d: \"q\"  # d\n  # trailing\n"
        );
    }

    #[test]
    fn the_last_key_leaves_an_empty_mapping() {
        assert_eq!(
            delete("a:\n  b:\n    c: 1\n  d: 2\n", &["a", "b", "c"]).unwrap(),
            "a:\n  b: {}\n  d: 2\n"
        );
        assert_eq!(delete("a:  # note\n  c: 1\n", &["a", "c"]), None);
    }

    #[test]
    fn flow_shared_and_sequence_entries_are_not_deleted() {
        assert_eq!(delete("a: {b: 1, c: 2}\n", &["a", "b"]), None);
        // A block sequence value goes with its key.
        assert_eq!(
            delete("a:\n  - b: 1\n    c: 2\nz: 1\n", &["a"]).as_deref(),
            Some("z: 1\n")
        );
        let text = "x: &x\n  k: 1\n  j: 2\ny:\n  <<: *x\n";
        assert_eq!(delete(text, &["y", "k"]), None);
        assert_eq!(
            delete(text, &["x", "k"]).unwrap(),
            "x: &x\n  j: 2\ny:\n  <<: *x\n"
        );
    }

    #[test]
    fn an_alias_value_is_deleted_with_its_key() {
        assert_eq!(
            delete("x: &x 1\ny:\n  a: *x  # c\n  b: 2\n", &["y", "a"]).unwrap(),
            "x: &x 1\ny:\n  b: 2\n"
        );
    }
}
