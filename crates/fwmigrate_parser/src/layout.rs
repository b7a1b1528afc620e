//! Moving code to another indentation: the file's indentation unit, re-indenting the lines of a
//! region (leaving the inside of multi-line strings alone), re-indenting a copied value, and
//! collapsing a multi-line argument onto one line.

use ruff_python_ast::Stmt;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::edits::{Edit, apply_edits_in};
use crate::source::{full_line_end, indentation_at, is_at_line_start, is_blank_line, line_end};
use crate::{ParsedFile, TokenKind};

/// The indentation unit of a file: the shortest indentation of an indented statement (four
/// spaces when no statement is indented).
pub fn indent_unit(file: &ParsedFile) -> String {
    struct Shortest<'t> {
        text: &'t str,
        best: Option<&'t str>,
    }
    impl<'a> Visitor<'a> for Shortest<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if is_at_line_start(self.text, stmt.start()) {
                let ind = indentation_at(self.text, stmt.start());
                if !ind.is_empty() && self.best.is_none_or(|b| ind.len() < b.len()) {
                    self.best = Some(ind);
                }
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    let mut shortest = Shortest {
        text: file.source(),
        best: None,
    };
    shortest.visit_body(file.suite());
    shortest.best.unwrap_or("    ").to_string()
}

/// The ranges of string tokens that span lines: a line that starts inside one belongs to the
/// string's value and must not be re-indented.
pub fn multiline_strings(file: &ParsedFile) -> Vec<TextRange> {
    let text = file.source();
    file.tokens()
        .iter()
        .filter(|t| {
            matches!(
                t.kind(),
                TokenKind::String | TokenKind::FStringMiddle | TokenKind::TStringMiddle
            )
        })
        .map(Ranged::range)
        .filter(|r| text[*r].contains(['\n', '\r']))
        .collect()
}

/// How [`rewrite_region`] changes the indentation of each line.
#[derive(Debug, Clone, Copy)]
pub enum Reindent<'u> {
    /// Leave the indentation alone.
    Keep,
    /// Indent every line by one more unit.
    Add(&'u str),
    /// Dedent: remove the `unit` that follows `prefix` (lines without it are left alone).
    Remove { prefix: &'u str, unit: &'u str },
}

/// The text of `region` (whole lines) with the `inner` edits that lie inside it applied and every
/// line re-indented. Lines that start inside a multi-line string (`strings`, see
/// [`multiline_strings`]), blank lines, and lines inside an edit or deleted whole by one are not
/// re-indented; an edit that merely starts a line does not count.
pub fn rewrite_region(
    file: &ParsedFile,
    region: TextRange,
    inner: &[Edit],
    reindent: Reindent,
    strings: &[TextRange],
) -> String {
    let text = file.source();
    let mut edits: Vec<Edit> = inner
        .iter()
        .filter(|e| region.contains_range(e.range))
        .cloned()
        .collect();
    let mut p = region.start();
    while p < region.end() {
        let next = full_line_end(text, p);
        let in_string = strings.iter().any(|s| s.start() < p && p < s.end());
        let covered = inner.iter().any(|e| {
            !e.range.is_empty()
                && (e.range.start() < p && p < e.range.end()
                    || e.range.start() == p && e.content.is_empty())
        });
        if !in_string && !covered && !is_blank_line(text, p) {
            let line = &text[usize::from(p)..usize::from(line_end(text, p))];
            match reindent {
                Reindent::Keep => {}
                Reindent::Add(unit) => edits.push(Edit::insertion(p, unit)),
                Reindent::Remove { prefix, unit } => {
                    if line.starts_with(prefix) && line[prefix.len()..].starts_with(unit) {
                        let at = p + TextSize::of(prefix);
                        edits.push(Edit::deletion(TextRange::at(at, TextSize::of(unit))));
                    }
                }
            }
        }
        if next <= p {
            break;
        }
        p = next;
    }
    apply_edits_in(text, region, &edits)
}

/// A value's text copied from `origin` (the source range it starts at, when it was copied from
/// the file) with its continuation lines moved to `new_indent`. Values that are made up, fit on
/// one line, do not start their line, or hold a multi-line string are returned as they are.
pub fn reindent_value(
    file: &ParsedFile,
    value: &str,
    origin: Option<TextRange>,
    new_indent: &str,
    strings: &[TextRange],
) -> String {
    let Some(origin) = origin else {
        return value.to_string();
    };
    if !value.contains(['\n', '\r']) {
        return value.to_string();
    }
    let text = file.source();
    if !is_at_line_start(text, origin.start()) || strings.iter().any(|s| origin.contains_range(*s))
    {
        return value.to_string();
    }
    let old = indentation_at(text, origin.start());
    let mut out = String::new();
    for (i, line) in value.split_inclusive('\n').enumerate() {
        if i > 0
            && let Some(rest) = line.strip_prefix(old)
        {
            out.push_str(new_indent);
            out.push_str(rest);
            continue;
        }
        out.push_str(line);
    }
    out
}

/// An expression's source, to be placed inside another call's parentheses, on one line: outside
/// string literals, a run of whitespace (line breaks and backslash continuations included)
/// becomes one space; strings are copied as written. Text on one line, or holding a comment or
/// an f-string (which can nest quotes), is kept as written: line breaks are valid inside the
/// parentheses it goes to.
pub fn collapse(text: &str) -> String {
    if !text.contains(['\n', '\r']) {
        return text.to_string();
    }
    let b = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut space = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            quote @ (b'\'' | b'"') => {
                if has_interpolation_prefix(&b[..i]) {
                    return text.to_string();
                }
                let Some(end) = string_end(b, i, quote) else {
                    return text.to_string();
                };
                if space && !out.is_empty() {
                    out.push(b' ');
                }
                space = false;
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
            b'#' => return text.to_string(),
            b'\\' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                space = true;
                i += 1;
            }
            c => {
                if space && !out.is_empty() {
                    out.push(b' ');
                }
                space = false;
                out.push(c);
                i += 1;
            }
        }
    }
    // Only ASCII bytes were dropped or added: the text is still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Whether the letters just before a quote hold an `f`/`t` prefix (an interpolated string).
fn has_interpolation_prefix(before: &[u8]) -> bool {
    let start = before
        .iter()
        .rposition(|c| !c.is_ascii_alphabetic())
        .map_or(0, |p| p + 1);
    before[start..]
        .iter()
        .any(|c| matches!(c, b'f' | b'F' | b't' | b'T'))
}

/// Just past the string literal that opens with `quote` at `start`; `None` when it does not end
/// (or a single-quoted string runs into a line break).
fn string_end(b: &[u8], start: usize, quote: u8) -> Option<usize> {
    let triple = b[start..].starts_with(&[quote; 3]);
    let mut j = start + if triple { 3 } else { 1 };
    loop {
        match b.get(j) {
            None => return None,
            Some(b'\\') => j += 2,
            Some(&c) if c == quote && (!triple || b[j..].starts_with(&[quote; 3])) => {
                return Some(j + if triple { 3 } else { 1 });
            }
            Some(b'\n' | b'\r') if !triple => return None,
            Some(_) => j += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceKind;

    fn parse(src: &str) -> ParsedFile<'_> {
        ParsedFile::parse(src, SourceKind::Python).unwrap()
    }

    #[test]
    fn collapse_changes_layout_only() {
        assert_eq!(collapse("args.base_model"), "args.base_model");
        // One line: kept, even with odd spacing.
        assert_eq!(collapse("f('a  b')"), "f('a  b')");
        assert_eq!(collapse("a  +  b"), "a  +  b");
        // Several lines: one line; a backslash continuation goes; strings stay as written.
        assert_eq!(collapse("args\\\n.base_model"), "args .base_model");
        assert_eq!(collapse("(a +\n    b)"), "(a + b)");
        assert_eq!(collapse("a + \\\r\n b"), "a + b");
        assert_eq!(
            collapse("f(\n  'x  y', \"a\\\"  b\")"),
            "f( 'x  y', \"a\\\"  b\")"
        );
        assert_eq!(collapse("g(\n  '''x\n  y''',\n)"), "g( '''x\n  y''', )");
        assert_eq!(collapse("h(\n  r'\\\\'  ,\n 'é  ')"), "h( r'\\\\' , 'é  ')");
        // A comment, an f-string, an unterminated string: kept as written.
        assert_eq!(collapse("(a  # why\n)"), "(a  # why\n)");
        assert_eq!(collapse("f(\n  f'{x}  y')"), "f(\n  f'{x}  y')");
        assert_eq!(collapse("(\n 'a"), "(\n 'a");
    }

    #[test]
    fn indent_unit_is_the_shortest_indentation() {
        assert_eq!(
            indent_unit(&parse("def f():\n    if x:\n        y = 1\n")),
            "    "
        );
        assert_eq!(indent_unit(&parse("def f():\n\tpass\n")), "\t");
        assert_eq!(indent_unit(&parse("x = 1\n")), "    ");
    }

    #[test]
    fn multiline_strings_are_found() {
        let src = "a = '''x\ny'''\nb = 'z'\nc = f\"\"\"{a}\nq\"\"\"\n";
        let file = parse(src);
        let found: Vec<&str> = multiline_strings(&file).iter().map(|r| &src[*r]).collect();
        assert_eq!(found, ["'''x\ny'''", "\nq"]);
    }

    #[test]
    fn regions_are_reindented_line_by_line() {
        let src = "if a:\n    x = '''\nkeep\n'''\n\n    y = 2\nz = 3\n";
        let file = parse(src);
        let strings = multiline_strings(&file);
        let region = TextRange::new(TextSize::new(6), TextSize::of(src) - TextSize::new(6));
        assert_eq!(
            rewrite_region(&file, region, &[], Reindent::Add("  "), &strings),
            "      x = '''\nkeep\n'''\n\n      y = 2\n"
        );
        assert_eq!(
            rewrite_region(
                &file,
                region,
                &[],
                Reindent::Remove {
                    prefix: "",
                    unit: "    "
                },
                &strings
            ),
            "x = '''\nkeep\n'''\n\ny = 2\n"
        );
        // Edits inside the region are applied; a deleted line is not indented.
        let y = TextSize::new(src.find("    y").unwrap() as u32);
        let delete_y = Edit::deletion(TextRange::new(y, y + TextSize::new(10)));
        assert_eq!(
            rewrite_region(&file, region, &[delete_y], Reindent::Add("  "), &strings),
            "      x = '''\nkeep\n'''\n\n"
        );
    }

    #[test]
    fn copied_values_follow_their_new_indentation() {
        let src = "f(\n    a=g(\n        1,\n    ),\n)\n";
        let file = parse(src);
        let start = TextSize::new(src.find("a=").unwrap() as u32);
        let origin = TextRange::new(start, start + TextSize::new(22));
        let value = "g(\n        1,\n    )";
        assert_eq!(
            reindent_value(&file, value, Some(origin), "  ", &[]),
            "g(\n      1,\n  )"
        );
        assert_eq!(reindent_value(&file, value, None, "  ", &[]), value);
    }
}
