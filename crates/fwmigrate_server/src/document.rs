//! Open documents: their text, version and the mapping between byte offsets and LSP positions
//! in the negotiated encoding.

use std::ops::Range;
use std::sync::Arc;

use lsp_types::{Position, TextDocumentContentChangeEvent};

pub use fwmigrate_parser::source::Encoding;

/// The parser's line index in the protocol's terms: `Position`s whose `character` counts in the
/// negotiated encoding. Lines end at `\n`, `\r\n` or `\r`, as the protocol says.
#[derive(Debug, Clone)]
pub struct LineIndex(fwmigrate_parser::LineIndex);

impl LineIndex {
    pub fn new(text: &str) -> Self {
        Self(fwmigrate_parser::LineIndex::new(text))
    }

    /// The byte offset of `pos` in `text`; a character past the end of its line is the line's
    /// end, a line past the end is the end of the text (as clients expect).
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        self.0
            .line_column_offset(text, pos.line as usize, pos.character as usize, enc)
    }

    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let (line, column) = self.0.line_column(text, offset, enc);
        Position::new(line as u32, column as u32)
    }

    pub fn range(&self, text: &str, range: Range<usize>, enc: Encoding) -> lsp_types::Range {
        lsp_types::Range::new(
            self.position(text, range.start, enc),
            self.position(text, range.end, enc),
        )
    }
}

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: Arc<str>,
    pub version: i32,
    pub language_id: String,
    pub index: Arc<LineIndex>,
}

impl Document {
    pub fn new(text: String, version: i32, language_id: String) -> Self {
        let index = Arc::new(LineIndex::new(&text));
        Self {
            text: text.into(),
            version,
            language_id,
            index,
        }
    }

    /// Apply `didChange` events in order: ranged ones are incremental, the others replace the
    /// whole text.
    pub fn apply_changes(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        enc: Encoding,
    ) {
        let mut text = String::from(&*self.text);
        let mut index = (*self.index).clone();
        let count = changes.len();
        for (i, change) in changes.into_iter().enumerate() {
            match change.range {
                Some(range) => {
                    let start = index.offset(&text, range.start, enc);
                    let end = index.offset(&text, range.end, enc).max(start);
                    text.replace_range(start..end, &change.text);
                }
                None => text = change.text,
            }
            // The next change is located in the text as this one left it.
            if i + 1 < count {
                index = LineIndex::new(&text);
            }
        }
        self.index = Arc::new(LineIndex::new(&text));
        self.text = text.into();
        self.version = version;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Range as LspRange;

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(LspRange::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn positions_count_in_the_negotiated_encoding() {
        let text = "a = '😀é'\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        let after_e = text.find('\'').unwrap() + 1 + '😀'.len_utf8() + 'é'.len_utf8();
        assert_eq!(
            idx.position(text, after_e, Encoding::Utf8),
            Position::new(0, 11)
        );
        assert_eq!(
            idx.position(text, after_e, Encoding::Utf16),
            Position::new(0, 8)
        );
        assert_eq!(
            idx.position(text, after_e, Encoding::Utf32),
            Position::new(0, 7)
        );
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let p = idx.position(text, after_e, enc);
            assert_eq!(idx.offset(text, p, enc), after_e);
        }
        let d = text.len() - 1;
        assert_eq!(idx.position(text, d, Encoding::Utf16), Position::new(3, 0));
        // Past the end of a line: the line's end (before `\r\n`).
        assert_eq!(
            idx.offset(text, Position::new(1, 99), Encoding::Utf16),
            text.find("b").unwrap() + 1
        );
        assert_eq!(
            idx.offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        // Inside a surrogate pair: the character's start.
        assert_eq!(
            idx.offset(text, Position::new(0, 6), Encoding::Utf16),
            text.find('😀').unwrap()
        );
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut doc = Document::new("x = 1\ny = 2\n".into(), 1, "python".into());
        doc.apply_changes(
            vec![
                change(0, 4, 0, 5, "10"),
                change(1, 0, 1, 0, "# new\n"),
                change(2, 4, 2, 5, "é"),
            ],
            2,
            Encoding::Utf16,
        );
        assert_eq!(&*doc.text, "x = 10\n# new\ny = é\n");
        assert_eq!(doc.version, 2);
        doc.apply_changes(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "z\n".into(),
            }],
            3,
            Encoding::Utf16,
        );
        assert_eq!(&*doc.text, "z\n");
        assert_eq!(
            doc.index.position(&doc.text, 2, Encoding::Utf16),
            Position::new(1, 0)
        );
    }
}
