//! A parsed Python file: AST, tokens, comments and line index over one source text.

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};
use ruff_python_ast::{Expr, ModModule, PySourceType, Stmt};
use ruff_python_parser::{ParseOptions, Parsed, parse_cells_unchecked, parse_unchecked};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::source::{LineEnding, LineIndex, SourceLocation};

/// What kind of Python source a text is, as the parser needs it. Not the engine's
/// `SourceType` (which kind of file, for which adapter): only Python source, and a notebook's
/// carries the ranges of its cells in the joined text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// A `.py` module.
    Python,
    /// A `.pyi` stub.
    Stub,
    /// The concatenated code cells of a notebook; each range is one cell, ranges are separated by
    /// a single `\n`. IPython magics and shell escapes are understood by the parser.
    Notebook(Vec<TextRange>),
}

/// Why a text could not be parsed: the first error, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    pub message: String,
    pub range: TextRange,
    /// The text parses, but nests deeper than [`MAX_NESTING`].
    pub too_deep: bool,
}

/// Statements and expressions nested deeper than this are refused. The checks recurse over the
/// tree, and CPython itself fails to compile a few thousand levels (`1 + 1 + ...` with 3,000
/// terms is a `RecursionError`).
pub const MAX_NESTING: usize = 10_000;

/// A bound on the tree's nesting from its tokens: each level takes at least one token of its
/// logical line, or one indent. Only when it reaches [`MAX_NESTING`] does the tree need
/// [`too_deep`]'s walk.
#[derive(Default)]
struct NestingBound {
    tokens: usize,
    indents: usize,
    exceeded: bool,
}

impl NestingBound {
    fn add(&mut self, kind: TokenKind) {
        match kind {
            TokenKind::Newline => {
                self.exceeded |= self.tokens >= MAX_NESTING;
                self.tokens = 0;
            }
            TokenKind::Indent => {
                self.indents += 1;
                self.exceeded |= self.indents >= MAX_NESTING;
            }
            TokenKind::Dedent => self.indents = self.indents.saturating_sub(1),
            _ => self.tokens += 1,
        }
    }

    fn exceeded(&self) -> bool {
        self.exceeded || self.tokens >= MAX_NESTING
    }
}

/// Where the tree nests deeper than [`MAX_NESTING`], if it does: a walk that stops at the
/// limit.
fn too_deep(parsed: &Parsed<ModModule>) -> Option<TextRange> {
    struct Probe {
        depth: usize,
        found: Option<TextRange>,
    }
    impl Probe {
        fn enter(&mut self, range: TextRange) -> bool {
            self.depth += 1;
            if self.depth > MAX_NESTING && self.found.is_none() {
                self.found = Some(range);
            }
            self.found.is_none()
        }
    }
    impl<'a> Visitor<'a> for Probe {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.enter(stmt.range()) {
                walk_stmt(self, stmt);
            }
            self.depth -= 1;
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.enter(expr.range()) {
                walk_expr(self, expr);
            }
            self.depth -= 1;
        }
    }
    let mut probe = Probe {
        depth: 0,
        found: None,
    };
    probe.visit_body(&parsed.syntax().body);
    probe.found
}

/// Dropping a tree recurses as deep as it nests: a tree too deep to check is dropped on a thread
/// whose stack is sized for it (only the memory it touches is committed).
fn drop_on_a_deep_stack(parsed: Parsed<ModModule>) {
    let thread = std::thread::Builder::new()
        .stack_size(4 << 30)
        .spawn(move || drop(parsed));
    if let Ok(thread) = thread {
        let _ = thread.join();
    }
}

/// One parsed source text. Cheap accessors for everything rules need.
pub struct ParsedFile<'src> {
    source: &'src str,
    kind: SourceKind,
    parsed: Parsed<ModModule>,
    comments: Vec<TextRange>,
    /// Built on first use: most files have nothing to locate.
    lines: std::sync::OnceLock<LineIndex>,
    line_ending: LineEnding,
}

/// The cell layout `parse_cells_unchecked` requires (it asserts it): ordered ranges inside the
/// text, consecutive cells separated by exactly one `\n`.
fn check_cells(source: &str, cells: &[TextRange]) -> Result<(), ParseFailure> {
    let bad = |message: &str, range: TextRange| ParseFailure {
        message: message.to_string(),
        range,
        too_deep: false,
    };
    let len = TextSize::new(source.len() as u32);
    for (i, cell) in cells.iter().enumerate() {
        if cell.end() > len || !source.is_char_boundary(usize::from(cell.start())) {
            return Err(bad("a notebook cell lies outside the text", *cell));
        }
        if let Some(next) = cells.get(i + 1) {
            let gap = TextRange::new(cell.end(), next.start().max(cell.end()));
            if next.start() != cell.end() + TextSize::new(1) || &source[gap] != "\n" {
                return Err(bad("notebook cells are not separated by one newline", gap));
            }
        }
    }
    Ok(())
}

impl<'src> ParsedFile<'src> {
    /// Parse `source`. A text with syntax errors is an `Err` with the first error.
    pub fn parse(source: &'src str, kind: SourceKind) -> Result<Self, ParseFailure> {
        let parsed = match &kind {
            SourceKind::Python => parse_unchecked(source, ParseOptions::from(PySourceType::Python))
                .try_into_module()
                .ok_or_else(|| ParseFailure {
                    message: "not a module".to_string(),
                    range: TextRange::default(),
                    too_deep: false,
                })?,
            SourceKind::Stub => parse_unchecked(source, ParseOptions::from(PySourceType::Stub))
                .try_into_module()
                .ok_or_else(|| ParseFailure {
                    message: "not a module".to_string(),
                    range: TextRange::default(),
                    too_deep: false,
                })?,
            SourceKind::Notebook(cells) => {
                check_cells(source, cells)?;
                parse_cells_unchecked(
                    source,
                    cells.iter().copied(),
                    &ParseOptions::from(PySourceType::Ipynb),
                )
            }
        };
        if let Some(error) = parsed.errors().first() {
            return Err(ParseFailure {
                message: error.error.to_string(),
                range: error.location,
                too_deep: false,
            });
        }
        // One pass over the tokens: the comments, and whether the tree may nest too deep.
        let mut comments = Vec::new();
        let mut suspect = NestingBound::default();
        for token in parsed.tokens() {
            if token.kind() == TokenKind::Comment {
                comments.push(token.range());
            }
            suspect.add(token.kind());
        }
        if let Some(range) = suspect.exceeded().then(|| too_deep(&parsed)).flatten() {
            drop_on_a_deep_stack(parsed);
            return Err(ParseFailure {
                message: format!(
                    "code nested more than {MAX_NESTING} levels deep: CPython cannot compile it \
                     either, and fwmigrate does not check it"
                ),
                range,
                too_deep: true,
            });
        }
        Ok(Self {
            source,
            kind,
            parsed,
            comments,
            lines: std::sync::OnceLock::new(),
            line_ending: LineEnding::detect(source),
        })
    }

    pub fn source(&self) -> &'src str {
        self.source
    }

    pub fn kind(&self) -> &SourceKind {
        &self.kind
    }

    pub fn module(&self) -> &ModModule {
        self.parsed.syntax()
    }

    pub fn suite(&self) -> &[Stmt] {
        &self.parsed.syntax().body
    }

    pub fn tokens(&self) -> &Tokens {
        self.parsed.tokens()
    }

    /// Ranges of every `#` comment, in source order.
    pub fn comments(&self) -> &[TextRange] {
        &self.comments
    }

    /// Comments that lie entirely within `range`.
    pub fn comments_in(&self, range: TextRange) -> &[TextRange] {
        let start = self.comments.partition_point(|c| c.start() < range.start());
        let end = self.comments.partition_point(|c| c.end() <= range.end());
        if start < end {
            &self.comments[start..end]
        } else {
            &[]
        }
    }

    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(self.source))
    }

    pub fn line_ending(&self) -> LineEnding {
        self.line_ending
    }

    pub fn location(&self, offset: TextSize) -> SourceLocation {
        self.lines().location(self.source, offset)
    }

    /// The text of `range`.
    pub fn slice(&self, range: impl Ranged) -> &'src str {
        &self.source[range.range()]
    }

    /// The first significant token (not a comment or non-logical newline) that starts at or after
    /// `offset`.
    pub fn next_token(&self, offset: TextSize) -> Option<(TokenKind, TextRange)> {
        self.tokens()
            .after(offset)
            .iter()
            .find(|t| !t.kind().is_trivia())
            .map(|t| (t.kind(), t.range()))
    }

    /// The last significant token that ends at or before `offset`.
    pub fn prev_token(&self, offset: TextSize) -> Option<(TokenKind, TextRange)> {
        self.tokens()
            .before(offset)
            .iter()
            .rev()
            .find(|t| !t.kind().is_trivia())
            .map(|t| (t.kind(), t.range()))
    }

    /// Whether a backslash continues a line anywhere from the token before `range` to the end
    /// of the logical line `range` ends on (`range` must start at a token boundary). Rewrites
    /// that move lines around refuse such code: a continuation joins lines they would treat as
    /// separate.
    pub fn has_line_continuation(&self, range: TextRange) -> bool {
        let text = self.source.as_bytes();
        let has_backslash = |from: TextSize, to: TextSize| {
            text[usize::from(from)..usize::from(to)].contains(&b'\\')
        };
        // Backslashes inside strings and comments are text, not continuations.
        let code = |token: &ruff_python_ast::token::Token| {
            !matches!(
                token.kind(),
                TokenKind::String
                    | TokenKind::FStringMiddle
                    | TokenKind::TStringMiddle
                    | TokenKind::Comment
                    | TokenKind::IpyEscapeCommand
            )
        };
        // The token just before counts: an indent can hold a continued empty line.
        let before = self.tokens().before(range.start()).last();
        if before.is_some_and(|t| code(t) && has_backslash(t.start(), t.end())) {
            return true;
        }
        let mut gap_start = before.map_or(TextSize::new(0), Ranged::end);
        for token in self.tokens().after(range.start()) {
            if has_backslash(gap_start, token.start())
                || (code(token) && has_backslash(token.start(), token.end()))
            {
                return true;
            }
            gap_start = token.end();
            if token.kind() == TokenKind::Newline && token.start() >= range.end() {
                break;
            }
        }
        false
    }

    /// `range` widened over any parentheses that wrap exactly it (`((x))` → the outer parens),
    /// but never past `limit` (e.g. a call's own argument list).
    pub fn parenthesized_range(&self, range: TextRange, limit: TextRange) -> TextRange {
        let mut current = range;
        loop {
            let Some((TokenKind::Lpar, open)) = self.prev_token(current.start()) else {
                return current;
            };
            let Some((TokenKind::Rpar, close)) = self.next_token(current.end()) else {
                return current;
            };
            if open.start() <= limit.start() || close.end() >= limit.end() {
                return current;
            }
            current = TextRange::new(open.start(), close.end());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_lists_comments() {
        let src = "x = f(  # one\n    1,\n)  # two\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let texts: Vec<_> = file.comments().iter().map(|r| &src[*r]).collect();
        assert_eq!(texts, ["# one", "# two"]);
        assert_eq!(
            file.comments_in(TextRange::new(0.into(), 20.into())).len(),
            1
        );
    }

    #[test]
    fn reports_the_first_syntax_error_with_its_position() {
        let src = "a = (\nprint(a)\n";
        let err = ParsedFile::parse(src, SourceKind::Python).err().unwrap();
        assert!(!err.message.is_empty());
    }

    #[test]
    fn nesting_is_limited_not_length() {
        // The command line parses on threads with deep stacks; so does this test.
        let run = || {
            let chain = |n: usize| format!("x = {}\n", vec!["1"; n].join(" + "));
            assert!(ParsedFile::parse(&chain(MAX_NESTING - 10), SourceKind::Python).is_ok());
            let err = ParsedFile::parse(&chain(300_000), SourceKind::Python)
                .err()
                .expect("refused");
            assert!(err.too_deep, "{err:?}");
            assert!(err.message.contains("nested more than"), "{}", err.message);
            // Long but flat: a 300,000-element list is fine.
            let flat = format!("x = [{}]\n", "1, ".repeat(300_000));
            assert!(ParsedFile::parse(&flat, SourceKind::Python).is_ok());
        };
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn finds_backslash_continuations_between_tokens_only() {
        let src = "a = 1\nb = (2 +\n  3)\nc = 4 + \\\n  5\nd = '\\\\'  # \\\ne = 6\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let stmt = |i: usize| file.suite()[i].range();
        assert!(!file.has_line_continuation(stmt(0)));
        assert!(!file.has_line_continuation(stmt(1)));
        assert!(file.has_line_continuation(stmt(2)));
        // Backslashes in a string or a comment are not continuations.
        assert!(!file.has_line_continuation(stmt(3)));
        assert!(file.has_line_continuation(stmt(0).cover(stmt(4))));
        // One ending the range's last line, or on an otherwise empty line, counts.
        let src = "x = f()\\\n\ny = 2\nif x:\n    pass\n\\\n    z = 1\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        assert!(file.has_line_continuation(file.suite()[0].range()));
        assert!(file.has_line_continuation(file.suite()[2].range()));
        // A continued empty line inside an indent counts.
        let src = "def f():\n    \\\nx = 1\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let Stmt::FunctionDef(f) = &file.suite()[0] else {
            unreachable!()
        };
        assert!(file.has_line_continuation(f.body[0].range()));
        // A continuation just before the range counts.
        let src = "x = 1\n\\\ny = 2\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        assert!(file.has_line_continuation(file.suite()[1].range()));
    }

    #[test]
    fn notebook_cells_accept_magics() {
        let src = "%pip install x\nimport os\n!ls\nprint(os)";
        let first = TextRange::new(0.into(), TextSize::new(24));
        let second = TextRange::new(TextSize::new(25), TextSize::new(src.len() as u32));
        assert_eq!(&src[first], "%pip install x\nimport os");
        let file = ParsedFile::parse(src, SourceKind::Notebook(vec![first, second]));
        assert!(file.is_ok());
        assert!(ParsedFile::parse(src, SourceKind::Python).is_err());
    }

    #[test]
    fn malformed_cell_layouts_are_errors_not_panics() {
        let src = "a = 1\nb = 2";
        let first = TextRange::new(0.into(), TextSize::new(5));
        let overlapping = TextRange::new(TextSize::new(4), TextSize::new(11));
        assert!(ParsedFile::parse(src, SourceKind::Notebook(vec![first, overlapping])).is_err());
        let outside = TextRange::new(TextSize::new(6), TextSize::new(40));
        assert!(ParsedFile::parse(src, SourceKind::Notebook(vec![first, outside])).is_err());
        let second = TextRange::new(TextSize::new(6), TextSize::new(11));
        assert!(ParsedFile::parse(src, SourceKind::Notebook(vec![first, second])).is_ok());
    }

    #[test]
    fn parenthesized_range_widens_only_inside_the_limit() {
        let src = "f((a), b)";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let a = TextRange::new(3.into(), 4.into());
        let call_args = TextRange::new(1.into(), 9.into());
        assert_eq!(&src[file.parenthesized_range(a, call_args)], "(a)");
    }
}
