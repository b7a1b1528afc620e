//! A YAML document as a tree of nodes with exact byte ranges, built from `saphyr-parser`'s
//! events (each event carries the span of its token). Comments and layout are not in the tree:
//! edits are made to the text itself, by byte range, so every byte outside them stays as it was.
//!
//! Aliases resolve to the anchored node (the same [`NodeId`]), and merge keys (`<<: *base`,
//! `<<: [*a, *b]`) are followed by [`Yaml::entries`] as YAML resolves them: a mapping's own keys
//! first, then the merged mappings' keys that it does not have, the first merged mapping
//! winning.

use std::collections::HashMap;

use ruff_text_size::{TextRange, TextSize};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

pub type NodeId = usize;

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
}

#[derive(Debug, Clone)]
pub enum Value {
    Scalar { text: String, style: Style },
    Mapping { entries: Vec<Entry>, flow: bool },
    Sequence { items: Vec<NodeId>, flow: bool },
}

#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    /// From the node's first byte to its last (a collection: to its last descendant's end).
    pub range: TextRange,
}

/// One `key: value` of a mapping.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key's text (empty for a key that is not a scalar).
    pub key: String,
    pub key_range: TextRange,
    pub value: NodeId,
    /// The value is an alias (`key: *anchor`).
    pub alias: bool,
}

/// An entry as seen from a mapping: its own, or merged into it by `<<`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryRef {
    /// The mapping that holds the entry in the text.
    pub mapping: NodeId,
    pub index: usize,
    /// Reached through an alias or a merge key: the text that holds it serves other places too.
    pub shared: bool,
}

/// A parse error: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub offset: TextSize,
    pub message: String,
}

/// A parsed YAML document (the first of the stream).
#[derive(Debug, Clone, Default)]
pub struct Yaml {
    nodes: Vec<Node>,
    root: Option<NodeId>,
}

/// Character index → byte offset (the parser counts characters).
struct Offsets {
    starts: Option<Vec<u32>>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let starts = (!text.is_ascii()).then(|| {
            let mut v: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            v.push(text.len() as u32);
            v
        });
        Self {
            starts,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> TextSize {
        let b = match &self.starts {
            None => char_index.min(self.len),
            Some(v) => v.get(char_index).map_or(self.len, |&b| b as usize),
        };
        TextSize::new(b as u32)
    }

    fn range(&self, span: &Span) -> TextRange {
        let (s, e) = (self.byte(span.start.index()), self.byte(span.end.index()));
        TextRange::new(s, e.max(s))
    }
}

enum Frame {
    Mapping {
        id: NodeId,
        entries: Vec<Entry>,
        key: Option<(String, TextRange)>,
    },
    Sequence {
        id: NodeId,
        items: Vec<NodeId>,
    },
}

/// A node the parser has finished, to attach to its parent: whether it was reached through an
/// alias, and its text when it is a scalar (a mapping key's name).
struct Finished {
    node: NodeId,
    alias: bool,
    key_text: Option<String>,
}

/// Builds a [`Yaml`] from the parser's events.
struct Builder<'t> {
    source: &'t str,
    yaml: Yaml,
    anchors: HashMap<usize, NodeId>,
    /// The collections being read, innermost last.
    stack: Vec<Frame>,
}

impl Builder<'_> {
    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor > 0 {
            self.anchors.insert(anchor, id);
        }
    }

    fn scalar(
        &mut self,
        text: String,
        style: ScalarStyle,
        anchor: usize,
        range: TextRange,
    ) -> Finished {
        let style = match style {
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
            _ => Style::Block,
        };
        // A quoted scalar's span may run on past its closing quote: end it there.
        let range = match style {
            Style::Quoted => quoted_end(self.source, range.start())
                .map_or(range, |end| TextRange::new(range.start(), end)),
            _ => range,
        };
        let id = self.yaml.push(
            Value::Scalar {
                text: text.clone(),
                style,
            },
            range,
        );
        self.anchor(anchor, id);
        Finished {
            node: id,
            alias: false,
            key_text: Some(text),
        }
    }

    fn alias(&self, anchor: usize, range: TextRange) -> Result<Finished, YamlError> {
        match self.anchors.get(&anchor) {
            Some(&node) => Ok(Finished {
                node,
                alias: true,
                key_text: None,
            }),
            None => Err(YamlError {
                offset: range.start(),
                message: "an alias to an unknown anchor".to_string(),
            }),
        }
    }

    fn start_mapping(&mut self, anchor: usize, range: TextRange) {
        let flow = self.source[range.start().to_usize()..].starts_with('{');
        let value = Value::Mapping {
            entries: Vec::new(),
            flow,
        };
        let id = self.yaml.push(value, range);
        self.anchor(anchor, id);
        self.stack.push(Frame::Mapping {
            id,
            entries: Vec::new(),
            key: None,
        });
    }

    fn start_sequence(&mut self, anchor: usize, range: TextRange) {
        let flow = self.source[range.start().to_usize()..].starts_with('[');
        let value = Value::Sequence {
            items: Vec::new(),
            flow,
        };
        let id = self.yaml.push(value, range);
        self.anchor(anchor, id);
        self.stack.push(Frame::Sequence {
            id,
            items: Vec::new(),
        });
    }

    /// The end of the innermost collection: it gets its entries or items.
    fn end_collection(&mut self) -> Option<Finished> {
        let id = match self.stack.pop()? {
            Frame::Mapping { id, entries, .. } => {
                if let Value::Mapping { entries: e, .. } = &mut self.yaml.nodes[id].value {
                    *e = entries;
                }
                id
            }
            Frame::Sequence { id, items } => {
                if let Value::Sequence { items: i, .. } = &mut self.yaml.nodes[id].value {
                    *i = items;
                }
                id
            }
        };
        self.yaml.close(id);
        Some(Finished {
            node: id,
            alias: false,
            key_text: None,
        })
    }

    /// Attach a finished node to the collection being read: a sequence's item, a mapping's key
    /// or the value of its pending key; with no collection open, the document's root.
    fn attach(&mut self, done: Finished) {
        let Finished {
            node,
            alias,
            key_text,
        } = done;
        match self.stack.last_mut() {
            None => {
                if self.yaml.root.is_none() {
                    self.yaml.root = Some(node);
                }
            }
            Some(Frame::Sequence { items, .. }) => items.push(node),
            Some(Frame::Mapping { entries, key, .. }) => match key.take() {
                None => {
                    // A key: a scalar's text, else (a collection as a key) nothing to name.
                    let range = self.yaml.nodes[node].range;
                    *key = Some((key_text.filter(|_| !alias).unwrap_or_default(), range));
                }
                Some((name, key_range)) => entries.push(Entry {
                    key: name,
                    key_range,
                    value: node,
                    alias,
                }),
            },
        }
    }
}

impl Yaml {
    /// Parse `text`. Only the first document is kept; an empty stream has no root.
    pub fn parse(text: &str) -> Result<Yaml, YamlError> {
        let offsets = Offsets::new(text);
        let mut builder = Builder {
            source: text,
            yaml: Yaml::default(),
            anchors: HashMap::new(),
            stack: Vec::new(),
        };
        let mut documents = 0;
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|e| YamlError {
                offset: offsets.byte(e.marker().index()),
                message: e.info().to_string(),
            })?;
            let range = offsets.range(&span);
            let finished = match event {
                Event::DocumentStart(_) => {
                    documents += 1;
                    continue;
                }
                _ if documents > 1 => continue,
                Event::Scalar(value, style, anchor, _) => {
                    builder.scalar(value.into_owned(), style, anchor, range)
                }
                Event::Alias(anchor) => builder.alias(anchor, range)?,
                Event::MappingStart(anchor, _) => {
                    builder.start_mapping(anchor, range);
                    continue;
                }
                Event::SequenceStart(anchor, _) => {
                    builder.start_sequence(anchor, range);
                    continue;
                }
                Event::MappingEnd | Event::SequenceEnd => match builder.end_collection() {
                    Some(finished) => finished,
                    None => continue,
                },
                _ => continue,
            };
            builder.attach(finished);
        }
        Ok(builder.yaml)
    }

    fn push(&mut self, value: Value, range: TextRange) -> NodeId {
        self.nodes.push(Node { value, range });
        self.nodes.len() - 1
    }

    /// A collection ends where its last child ends.
    fn close(&mut self, id: NodeId) {
        let children: Vec<NodeId> = match &self.nodes[id].value {
            Value::Mapping { entries, .. } => entries.iter().map(|e| e.value).collect(),
            Value::Sequence { items, .. } => items.clone(),
            Value::Scalar { .. } => return,
        };
        let start = self.nodes[id].range.start();
        let mut end = start;
        if let Value::Mapping { entries, .. } = &self.nodes[id].value {
            for e in entries {
                end = end.max(e.key_range.end());
            }
        }
        for c in children {
            // An alias's node lies elsewhere: it does not stretch this one.
            let r = self.nodes[c].range;
            if r.start() >= start {
                end = end.max(r.end());
            }
        }
        self.nodes[id].range = TextRange::new(start, end.max(start));
    }

    pub fn root(&self) -> Option<NodeId> {
        self.root
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// The entry `r` points to.
    pub fn entry(&self, r: EntryRef) -> &Entry {
        match &self.nodes[r.mapping].value {
            Value::Mapping { entries, .. } => &entries[r.index],
            _ => unreachable!("an EntryRef points into a mapping"),
        }
    }

    /// Whether `id` is a mapping.
    pub fn is_mapping(&self, id: NodeId) -> bool {
        matches!(self.nodes[id].value, Value::Mapping { .. })
    }

    /// The mapping's own entries (merge keys included, as written).
    pub fn own_entries(&self, id: NodeId) -> &[Entry] {
        match &self.nodes[id].value {
            Value::Mapping { entries, .. } => entries,
            _ => &[],
        }
    }

    /// The mapping's entries as YAML resolves them: its own keys (not `<<`), then the keys of
    /// the mappings merged in with `<<` that it does not have. Empty for a node that is not a
    /// mapping.
    pub fn entries(&self, id: NodeId) -> Vec<EntryRef> {
        self.entries_shared(id, false)
    }

    /// [`Yaml::entries`] of a mapping reached through an alias when `shared` is set: every
    /// entry is then marked shared.
    pub fn entries_shared(&self, id: NodeId, shared: bool) -> Vec<EntryRef> {
        let mut out: Vec<EntryRef> = Vec::new();
        self.collect_entries(id, shared, &mut out, 0);
        out
    }

    fn collect_entries(&self, id: NodeId, shared: bool, out: &mut Vec<EntryRef>, depth: usize) {
        if depth > 32 {
            return;
        }
        let entries = self.own_entries(id);
        let has = |out: &Vec<EntryRef>, key: &str| out.iter().any(|r| self.entry(*r).key == key);
        let mut merged: Vec<(NodeId, bool)> = Vec::new();
        for (index, e) in entries.iter().enumerate() {
            if e.key == "<<" && self.is_merge_key(id, index) {
                match &self.nodes[e.value].value {
                    Value::Mapping { .. } => merged.push((e.value, true)),
                    Value::Sequence { items, .. } => {
                        merged.extend(items.iter().map(|&i| (i, true)));
                    }
                    Value::Scalar { .. } => {}
                }
                continue;
            }
            if !has(out, &e.key) {
                out.push(EntryRef {
                    mapping: id,
                    index,
                    shared,
                });
            }
        }
        for (m, s) in merged {
            let mut more = Vec::new();
            self.collect_entries(m, shared || s, &mut more, depth + 1);
            for r in more {
                if !has(out, &self.entry(r).key) {
                    out.push(r);
                }
            }
        }
    }

    /// A `<<` key written plain (a quoted `"<<"` is an ordinary key).
    fn is_merge_key(&self, id: NodeId, index: usize) -> bool {
        let e = &self.own_entries(id)[index];
        e.key == "<<" && e.key_range.len() == TextSize::new(2)
    }

    /// The entry named `key` of mapping `id`, as resolved by [`Yaml::entries`].
    pub fn get(&self, id: NodeId, key: &str) -> Option<EntryRef> {
        self.entries(id)
            .into_iter()
            .find(|r| self.entry(*r).key == key)
    }

    /// A scalar's text, if `id` is a scalar.
    pub fn scalar(&self, id: NodeId) -> Option<(&str, Style)> {
        match &self.nodes[id].value {
            Value::Scalar { text, style } => Some((text, *style)),
            _ => None,
        }
    }

    /// A plain string value as Python's `yaml.safe_load` sees it: `None` for null, numbers and
    /// booleans; the text for other scalars.
    pub fn string(&self, id: NodeId) -> Option<&str> {
        let (text, style) = self.scalar(id)?;
        if style == Style::Plain && (is_null(text) || is_number_or_bool(text)) {
            return None;
        }
        Some(text)
    }

    /// Whether the node is null (`~`, `null`, or nothing), as `yaml.safe_load` reads it.
    pub fn is_null(&self, id: NodeId) -> bool {
        matches!(self.scalar(id), Some((t, Style::Plain)) if is_null(t))
    }

    /// Whether the value is null or the empty string (what `provision.py` treats as missing).
    pub fn is_missing(&self, id: NodeId) -> bool {
        matches!(self.scalar(id), Some((t, s)) if (s == Style::Plain && is_null(t)) || t.is_empty())
    }
}

/// The end of the quoted scalar that starts at `start` (just past its closing quote).
fn quoted_end(text: &str, start: TextSize) -> Option<TextSize> {
    let rest = &text[start.to_usize()..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let bytes = rest.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == '"' => i += 2,
            b'\'' if quote == '\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote as u8 => return Some(start + TextSize::new(i as u32 + 1)),
            _ => i += 1,
        }
    }
    None
}

/// YAML 1.1 nulls, as PyYAML's `safe_load` resolves a plain scalar.
pub fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn is_number_or_bool(text: &str) -> bool {
    matches!(
        text,
        "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    ) || text.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(yaml: &Yaml, id: NodeId) -> Vec<String> {
        yaml.entries(id)
            .into_iter()
            .map(|r| yaml.entry(r).key.clone())
            .collect()
    }

    #[test]
    fn ranges_are_bytes_and_collections_end_at_their_last_child() {
        let text = "a: é\nb:\n  c: 1   # x\n\n# after\nd: [1, 2]\n";
        let yaml = Yaml::parse(text).unwrap();
        let root = yaml.root().unwrap();
        assert_eq!(keys(&yaml, root), ["a", "b", "d"]);
        let b = yaml.get(root, "b").unwrap();
        let node = yaml.node(yaml.entry(b).value);
        assert_eq!(&text[node.range], "c: 1");
        let a = yaml.entry(yaml.get(root, "a").unwrap());
        assert_eq!(&text[yaml.node(a.value).range], "é");
        let text = "a: \"x \\\" y\"  # c\nb: 'it''s'   # d\nc: z\n";
        let yaml = Yaml::parse(text).unwrap();
        let root = yaml.root().unwrap();
        let value = |k: &str| {
            &text[yaml
                .node(yaml.entry(yaml.get(root, k).unwrap()).value)
                .range]
        };
        assert_eq!(value("a"), "\"x \\\" y\"");
        assert_eq!(value("b"), "'it''s'");
        assert_eq!(&text[a.key_range], "a");
    }

    #[test]
    fn aliases_and_merge_keys_resolve_as_yaml_does() {
        let text = "base: &base\n  x: 1\n  y: 2\nother: &o\n  z: 3\nuse:\n  <<: [*base, *o]\n  y: 5\nsame: *base\n";
        let yaml = Yaml::parse(text).unwrap();
        let root = yaml.root().unwrap();
        let use_ = yaml.entry(yaml.get(root, "use").unwrap()).value;
        assert_eq!(keys(&yaml, use_), ["y", "x", "z"]);
        let x = yaml.get(use_, "x").unwrap();
        assert!(x.shared);
        // Reported at the anchored key.
        assert_eq!(yaml.entry(x).key_range.start(), TextSize::new(14));
        let y = yaml.get(use_, "y").unwrap();
        assert!(!y.shared);
        let same = yaml.entry(yaml.get(root, "same").unwrap());
        assert!(same.alias);
        assert_eq!(keys(&yaml, same.value), ["x", "y"]);
        assert!(
            yaml.entries_shared(same.value, true)
                .iter()
                .all(|r| r.shared)
        );
    }

    #[test]
    fn errors_have_an_offset() {
        let err = Yaml::parse("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(err.offset > TextSize::new(4), "{err:?}");
        assert!(Yaml::parse("a: *nowhere\n").is_err());
    }

    #[test]
    fn nulls_and_strings_as_safe_load_reads_them() {
        let yaml = Yaml::parse("a:\nb: ~\nc: null\nd: 'null'\ne: 12\nf: x\ng: ''\n").unwrap();
        let root = yaml.root().unwrap();
        let v = |k: &str| yaml.entry(yaml.get(root, k).unwrap()).value;
        assert!(yaml.is_null(v("a")) && yaml.is_null(v("b")) && yaml.is_null(v("c")));
        assert!(!yaml.is_null(v("d")));
        assert_eq!(yaml.string(v("d")), Some("null"));
        assert_eq!(yaml.string(v("e")), None);
        assert_eq!(yaml.string(v("f")), Some("x"));
        assert!(yaml.is_missing(v("g")) && !yaml.is_missing(v("f")));
    }
}
