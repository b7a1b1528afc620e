//! Line and column bookkeeping over the raw source text.

use ruff_text_size::{TextRange, TextSize};

/// A 1-based row and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceLocation {
    pub row: usize,
    pub column: usize,
}

/// The start offset of every line, for offset → row/column conversion.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<TextSize>,
}

impl LineIndex {
    /// An index that locates nothing (for a text with nothing to locate).
    pub fn empty() -> Self {
        Self {
            starts: vec![TextSize::new(0)],
        }
    }

    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        // Lines of source average well over 16 bytes: one allocation, no regrowth.
        let mut starts = Vec::with_capacity(bytes.len() / 16 + 1);
        starts.push(TextSize::new(0));
        // A line ends after `\n`, after `\r\n` (its `\n` counts) and after a lone `\r`.
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                continue;
            }
            starts.push(TextSize::new((i + 1) as u32));
        }
        Self { starts }
    }

    /// The 0-based line number that contains `offset`.
    pub fn line_of(&self, offset: TextSize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> TextSize {
        self.starts[line]
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 1-based row and character column of `offset` in `text`.
    pub fn location(&self, text: &str, offset: TextSize) -> SourceLocation {
        let line = self.line_of(offset);
        let start = self.starts[line];
        let end = offset.min(TextSize::new(text.len() as u32));
        let column = text
            .get(usize::from(start)..usize::from(end))
            .map_or(0, |s| s.chars().count());
        SourceLocation {
            row: line + 1,
            column: column + 1,
        }
    }

    /// The byte offset of a 1-based row and character column.
    pub fn offset(&self, text: &str, location: SourceLocation) -> TextSize {
        let line = location.row.saturating_sub(1).min(self.starts.len() - 1);
        let start = usize::from(self.starts[line]);
        let rest = &text[start..];
        let mut offset = start;
        for (n, (i, c)) in rest.char_indices().enumerate() {
            if n + 1 == location.column || c == '\n' || c == '\r' {
                return TextSize::new((start + i) as u32);
            }
            offset = start + i + c.len_utf8();
        }
        TextSize::new(offset as u32)
    }
}

/// How a column counts the characters before it: UTF-8 bytes, UTF-16 code units, or characters
/// (UTF-32), the encodings a language-server client may negotiate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl LineIndex {
    /// The 0-based line of `offset` and its column in `enc`. An offset past the end is the end;
    /// one inside a character (or a `\r\n` pair, never produced by the engine) counts as its
    /// start.
    pub fn line_column(&self, text: &str, offset: usize, enc: Encoding) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_of(TextSize::new(offset as u32));
        let mut start = usize::from(self.starts[line]);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut offset = offset;
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[start..offset.max(start)];
        let column = match enc {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
            Encoding::Utf32 => before.chars().count(),
        };
        (line, column)
    }

    /// The byte offset of 0-based `line` and `column` (counted in `enc`) in `text`: a column past
    /// the end of its line is the line's end (before its line break), a line past the end is the
    /// end of the text, a column inside a character is that character's start.
    pub fn line_column_offset(
        &self,
        text: &str,
        line: usize,
        column: usize,
        enc: Encoding,
    ) -> usize {
        let Some(start) = self.starts.get(line).map(|&s| usize::from(s)) else {
            return text.len();
        };
        let end = self.line_content_end(text, line);
        let content = &text[start..end];
        if enc == Encoding::Utf8 {
            let mut at = column.min(content.len());
            while !content.is_char_boundary(at) {
                at -= 1;
            }
            return start + at;
        }
        let mut units = column;
        for (i, c) in content.char_indices() {
            let width = match enc {
                Encoding::Utf16 => c.len_utf16(),
                _ => 1,
            };
            if units < width {
                return start + i;
            }
            units -= width;
        }
        end
    }

    /// The end of line `line`'s content (before its line break).
    fn line_content_end(&self, text: &str, line: usize) -> usize {
        let start = usize::from(self.starts[line]);
        match self.starts.get(line + 1) {
            Some(&next) => {
                let bytes = text.as_bytes();
                let mut end = usize::from(next);
                if end > 0 && bytes[end - 1] == b'\n' {
                    end -= 1;
                }
                if end > 0 && bytes[end - 1] == b'\r' {
                    end -= 1;
                }
                end.max(start)
            }
            None => text.len(),
        }
    }
}

/// The line ending a file mostly uses; inserted lines use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEnding {
    #[default]
    Lf,
    CrLf,
    Cr,
}

impl LineEnding {
    pub fn detect(text: &str) -> Self {
        let bytes = text.as_bytes();
        if let Some(i) = memchr_newline(bytes) {
            match bytes[i] {
                b'\n' => LineEnding::Lf,
                _ if bytes.get(i + 1) == Some(&b'\n') => LineEnding::CrLf,
                _ => LineEnding::Cr,
            }
        } else {
            LineEnding::Lf
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
            LineEnding::Cr => "\r",
        }
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', bytes)
}

/// Offset of the start of the line containing `offset`.
pub fn line_start(text: &str, offset: TextSize) -> TextSize {
    let before = &text.as_bytes()[..usize::from(offset)];
    match before.iter().rposition(|&b| b == b'\n' || b == b'\r') {
        Some(i) => TextSize::new((i + 1) as u32),
        None => TextSize::new(0),
    }
}

/// Offset of the end of the line containing `offset`, before its line terminator.
pub fn line_end(text: &str, offset: TextSize) -> TextSize {
    let after = &text.as_bytes()[usize::from(offset)..];
    match after.iter().position(|&b| b == b'\n' || b == b'\r') {
        Some(i) => offset + TextSize::new(i as u32),
        None => TextSize::new(text.len() as u32),
    }
}

/// Offset just past the line terminator of the line containing `offset` (or end of text).
pub fn full_line_end(text: &str, offset: TextSize) -> TextSize {
    let end = line_end(text, offset);
    let bytes = text.as_bytes();
    let i = usize::from(end);
    match bytes.get(i) {
        Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => end + TextSize::new(2),
        Some(b'\r' | b'\n') => end + TextSize::new(1),
        _ => end,
    }
}

/// The full line range (including terminator) of the line containing `offset`.
pub fn full_line_range(text: &str, offset: TextSize) -> TextRange {
    TextRange::new(line_start(text, offset), full_line_end(text, offset))
}

/// The leading whitespace of the line containing `offset`.
pub fn indentation_at(text: &str, offset: TextSize) -> &str {
    let start = usize::from(line_start(text, offset));
    let line = &text[start..];
    let n = line
        .bytes()
        .take_while(|b| *b == b' ' || *b == b'\t' || *b == b'\x0c')
        .count();
    &line[..n]
}

/// True when only whitespace stands between the start of the line and `offset`.
pub fn is_at_line_start(text: &str, offset: TextSize) -> bool {
    let start = line_start(text, offset);
    text[usize::from(start)..usize::from(offset)]
        .bytes()
        .all(|b| b == b' ' || b == b'\t' || b == b'\x0c')
}

/// True when the line containing `offset` is blank (only whitespace).
pub fn is_blank_line(text: &str, offset: TextSize) -> bool {
    let start = line_start(text, offset);
    let end = line_end(text, offset);
    text[usize::from(start)..usize::from(end)]
        .bytes()
        .all(|b| b == b' ' || b == b'\t' || b == b'\x0c')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_characters_and_all_line_endings() {
        let text = "a = 1\r\nb = 'é'\nc\rd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        let d = text.find('d').unwrap() as u32;
        assert_eq!(
            index.location(text, TextSize::new(d)),
            SourceLocation { row: 4, column: 1 }
        );
        let c = text.find('c').unwrap() as u32;
        assert_eq!(index.location(text, TextSize::new(c)).row, 3);
        let quote = text.rfind('\'').unwrap() as u32;
        assert_eq!(
            index.location(text, TextSize::new(quote)),
            SourceLocation { row: 2, column: 7 }
        );
        let back = index.offset(text, SourceLocation { row: 2, column: 7 });
        assert_eq!(back, TextSize::new(quote));
    }

    #[test]
    fn columns_count_in_each_encoding() {
        let text = "a = '😀é'\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        let after_e = text.find('\'').unwrap() + 1 + '😀'.len_utf8() + 'é'.len_utf8();
        assert_eq!(idx.line_column(text, after_e, Encoding::Utf8), (0, 11));
        assert_eq!(idx.line_column(text, after_e, Encoding::Utf16), (0, 8));
        assert_eq!(idx.line_column(text, after_e, Encoding::Utf32), (0, 7));
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let (line, column) = idx.line_column(text, after_e, enc);
            assert_eq!(idx.line_column_offset(text, line, column, enc), after_e);
        }
        assert_eq!(
            idx.line_column(text, text.len() - 1, Encoding::Utf16),
            (3, 0)
        );
        // Past the end of a line: the line's end (before `\r\n`); past the last line: the end.
        let b_end = text.find('b').unwrap() + 1;
        assert_eq!(idx.line_column_offset(text, 1, 99, Encoding::Utf16), b_end);
        assert_eq!(
            idx.line_column_offset(text, 9, 0, Encoding::Utf16),
            text.len()
        );
        // Inside a surrogate pair: the character's start.
        let emoji = text.find('😀').unwrap();
        assert_eq!(idx.line_column_offset(text, 0, 6, Encoding::Utf16), emoji);
    }

    #[test]
    fn line_starts_follow_every_ending() {
        // The byte-by-byte definition the SIMD scan must agree with.
        fn reference(text: &str) -> Vec<usize> {
            let b = text.as_bytes();
            let mut starts = vec![0];
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                if b[i] == b'\n' || b[i] == b'\r' {
                    starts.push(i + 1);
                }
                i += 1;
            }
            starts
        }
        for text in [
            "",
            "a",
            "\n",
            "\r",
            "\r\n",
            "\r\r\n",
            "\n\r",
            "a\r\nb\rc\nd",
            "x\r",
            "é\r\n\r\n",
            "\r\n\n\r\r",
        ] {
            let index = LineIndex::new(text);
            let got: Vec<usize> = (0..index.line_count())
                .map(|l| usize::from(index.line_start(l)))
                .collect();
            assert_eq!(got, reference(text), "{text:?}");
        }
    }

    #[test]
    fn line_endings_are_detected() {
        assert_eq!(LineEnding::detect("a\r\nb\n"), LineEnding::CrLf);
        assert_eq!(LineEnding::detect("a\nb\r\n"), LineEnding::Lf);
        assert_eq!(LineEnding::detect("a"), LineEnding::Lf);
        assert_eq!(LineEnding::detect("a\rb"), LineEnding::Cr);
    }

    #[test]
    fn line_helpers() {
        let text = "x\r\n    y = 1\r\n\r\nz";
        let y = TextSize::new(text.find('y').unwrap() as u32);
        assert_eq!(indentation_at(text, y), "    ");
        assert!(is_at_line_start(text, y));
        assert_eq!(&text[full_line_range(text, y)], "    y = 1\r\n");
        let blank = full_line_end(text, y);
        assert!(is_blank_line(text, blank));
        assert!(!is_blank_line(text, y));
    }
}
