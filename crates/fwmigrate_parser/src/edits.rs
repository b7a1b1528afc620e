//! Text edits and the helpers that build clean ones: delete an argument with its comma and line,
//! delete a statement (leaving `pass` in an emptied block), insert a keyword argument in the style
//! of its neighbours.

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{self as ast, ArgOrKeyword};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::ParsedFile;
use crate::source::{
    full_line_end, indentation_at, is_at_line_start, is_blank_line, line_end, line_start,
};
use crate::statements::Statements;

/// Replace `range` with `content` (an empty range inserts, empty content deletes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

impl Edit {
    pub fn replacement(range: TextRange, content: impl Into<String>) -> Self {
        Self {
            range,
            content: content.into(),
        }
    }

    pub fn deletion(range: TextRange) -> Self {
        Self {
            range,
            content: String::new(),
        }
    }

    pub fn insertion(at: TextSize, content: impl Into<String>) -> Self {
        Self {
            range: TextRange::empty(at),
            content: content.into(),
        }
    }

    pub fn is_insertion(&self) -> bool {
        self.range.is_empty()
    }

    /// Whether two edits cannot both be applied to one text.
    pub fn conflicts_with(&self, other: &Edit) -> bool {
        let (a, b) = (self.range, other.range);
        if a.is_empty() && b.is_empty() {
            return a.start() == b.start();
        }
        if a.is_empty() {
            return b.start() < a.start() && a.start() < b.end();
        }
        if b.is_empty() {
            return a.start() < b.start() && b.start() < a.end();
        }
        a.start() < b.end() && b.start() < a.end()
    }
}

/// Apply non-conflicting `edits` to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start(), e.range.end()));
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0usize;
    for edit in sorted {
        let start = usize::from(edit.range.start());
        let end = usize::from(edit.range.end());
        if start < last {
            continue;
        }
        out.push_str(&text[last..start]);
        out.push_str(&edit.content);
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// The text of `region` with `edits` applied; every edit must lie inside `region` (offsets are
/// those of `text`).
pub fn apply_edits_in(text: &str, region: TextRange, edits: &[Edit]) -> String {
    let relative: Vec<Edit> = edits
        .iter()
        .map(|e| Edit::replacement(e.range - region.start(), e.content.clone()))
        .collect();
    apply_edits(&text[region], &relative)
}

/// The ranges of a call's arguments in source order, each widened over wrapping parentheses.
pub fn argument_ranges(file: &ParsedFile, arguments: &ast::Arguments) -> Vec<TextRange> {
    arguments
        .iter_source_order()
        .map(|a| match a {
            ArgOrKeyword::Arg(expr) => file.parenthesized_range(expr.range(), arguments.range),
            ArgOrKeyword::Keyword(kw) => kw.range,
        })
        .collect()
}

/// Delete the argument whose range is `target` from a call's arguments: the argument, its comma,
/// and its line when it stood on lines of its own. Comments on other lines stay.
/// When it is the only argument and the parentheses hold no comment, the call collapses to `f()`.
pub fn delete_argument(file: &ParsedFile, arguments: &ast::Arguments, target: TextRange) -> Edit {
    let ranges = argument_ranges(file, arguments);
    if ranges.len() == 1 && arguments.range.len() >= TextSize::new(2) {
        let inner = TextRange::new(
            arguments.range.start() + TextSize::new(1),
            arguments.range.end() - TextSize::new(1),
        );
        if file.comments_in(inner).is_empty() {
            return Edit::deletion(inner);
        }
    }
    delete_list_element(file, &ranges, target, arguments.range)
}

/// Delete one element of a comma-separated list whose elements are `elements` (source order) and
/// which is enclosed by `enclosing` (its brackets, if any).
pub fn delete_list_element(
    file: &ParsedFile,
    elements: &[TextRange],
    target: TextRange,
    enclosing: TextRange,
) -> Edit {
    let text = file.source();
    let Some(index) = elements
        .iter()
        .position(|r| r.contains_range(target) || target.contains_range(*r))
    else {
        // Not an element of the list: delete exactly the target.
        return Edit::deletion(target);
    };
    let element = elements[index];
    // The comma after the element, if any.
    let comma = match file.next_token(element.end()) {
        Some((TokenKind::Comma, range)) if range.end() <= enclosing.end() => Some(range),
        _ => None,
    };
    let element_end = comma.map_or(element.end(), |c| c.end());

    // Own-line element: only whitespace before it on its line, and nothing but whitespace or a
    // comment after it (and its comma) on its last line. Delete whole lines.
    let rest_of_line = &text[usize::from(element_end)..usize::from(line_end(text, element_end))];
    let rest_trimmed = rest_of_line.trim_start();
    let ends_line = rest_trimmed.is_empty() || rest_trimmed.starts_with('#');
    if is_at_line_start(text, element.start()) && ends_line {
        let is_last = index + 1 == elements.len();
        if !is_last || comma.is_some() || index == 0 {
            return Edit::deletion(TextRange::new(
                line_start(text, element.start()),
                full_line_end(text, element_end),
            ));
        }
        // Last element without a trailing comma: remove the previous element's comma too.
        let prev = elements[index - 1];
        if let Some((TokenKind::Comma, prev_comma)) = file.next_token(prev.end())
            && file
                .comments_in(TextRange::new(prev_comma.end(), element.start()))
                .is_empty()
        {
            return Edit::deletion(TextRange::new(
                prev_comma.start(),
                line_end(text, element_end),
            ));
        }
        return Edit::deletion(TextRange::new(
            line_start(text, element.start()),
            full_line_end(text, element_end),
        ));
    }

    if index + 1 < elements.len() {
        let next = elements[index + 1];
        let comma_end = comma.map_or(element.end(), |c| c.end());
        if line_start(text, next.start()) == line_start(text, comma_end) {
            // `a, b` on one line: delete up to the next element.
            return Edit::deletion(TextRange::new(element.start(), next.start()));
        }
        // The next element starts a later line: keep that line break.
        if index > 0 {
            let prev = elements[index - 1];
            if let Some((TokenKind::Comma, prev_comma)) = file.next_token(prev.end())
                && line_start(text, prev_comma.start()) == line_start(text, element.start())
            {
                return Edit::deletion(TextRange::new(prev_comma.end(), comma_end));
            }
        }
        let after = &text[usize::from(comma_end)..];
        let ws = after
            .bytes()
            .take_while(|b| *b == b' ' || *b == b'\t')
            .count();
        return Edit::deletion(TextRange::new(
            element.start(),
            comma_end + TextSize::new(ws as u32),
        ));
    }
    if index > 0 {
        // Last element: delete from the end of the previous one (its comma goes).
        let prev = elements[index - 1];
        let start = prev.end();
        if !file
            .comments_in(TextRange::new(prev.end(), element.start()))
            .is_empty()
        {
            // Keep the previous comma and the comment after it; the comma becomes a trailing one.
            return Edit::deletion(TextRange::new(element.start(), element_end));
        }
        return Edit::deletion(TextRange::new(start, element.end()));
    }
    // The only element.
    Edit::deletion(TextRange::new(element.start(), element_end))
}

/// The result of deleting a statement: the edit, and the block it belongs to (fixes touching the
/// same block must not be applied in the same pass, or a block could be left empty).
#[derive(Debug, Clone)]
pub struct StatementDeletion {
    pub edit: Edit,
    pub block: TextRange,
}

/// Delete a statement: its whole lines when it has lines of its own; `pass` when it is the only
/// statement of its block. Never leaves two blank lines where there was one. `None` when the
/// statement shares a line with another (`a = 1; b = 2`), or when `statements` does not have it.
pub fn delete_statement(
    file: &ParsedFile,
    statements: &Statements,
    stmt: TextRange,
) -> Option<StatementDeletion> {
    let text = file.source();
    let info = statements.statement(stmt)?;
    if info.block_len == 1 {
        if info.depth == 0 {
            // The only statement of the module: leave an empty module.
            return Some(StatementDeletion {
                edit: Edit::deletion(TextRange::new(
                    line_start(text, stmt.start()),
                    full_line_end(text, stmt.end()),
                )),
                block: info.block,
            });
        }
        return Some(StatementDeletion {
            edit: Edit::replacement(stmt, "pass"),
            block: info.block,
        });
    }
    // Its own lines?
    if !is_at_line_start(text, stmt.start()) {
        return None;
    }
    let rest = &text[usize::from(stmt.end())..usize::from(line_end(text, stmt.end()))];
    let rest = rest.trim_start();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    let start = line_start(text, stmt.start());
    let mut end = full_line_end(text, stmt.end());
    let prev_blank = start > TextSize::new(0) && is_blank_line(text, start - TextSize::new(1));
    let at_eof = usize::from(end) >= text.len();
    let next_blank = !at_eof && is_blank_line(text, end);
    let mut start_out = start;
    if next_blank && (prev_blank || info.index == 0) {
        end = full_line_end(text, end);
    } else if at_eof && prev_blank {
        start_out = line_start(text, start - TextSize::new(1));
    }
    Some(StatementDeletion {
        edit: Edit::deletion(TextRange::new(start_out, end)),
        block: info.block,
    })
}

/// Where and how to insert a new argument into a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgumentPosition {
    /// Before every other argument.
    First,
    /// After every other argument.
    Last,
    /// Before the argument with this range.
    Before(TextRange),
}

/// Insert `argument` (e.g. `job_id=x`) into a call's argument list, in the style of its
/// neighbours: one per line with trailing commas when the call is laid out that way, inline with
/// `, ` otherwise.
pub fn insert_argument(
    file: &ParsedFile,
    arguments: &ast::Arguments,
    argument: &str,
    position: ArgumentPosition,
) -> Edit {
    let text = file.source();
    let ranges = argument_ranges(file, arguments);
    let open = arguments.range.start();
    let close = arguments.range.end() - TextSize::new(1);
    let nl = file.line_ending().as_str();
    if ranges.is_empty() {
        // `f()` or `f(\n)`.
        return Edit::insertion(open + TextSize::new(1), argument.to_string());
    }
    let before = match position {
        ArgumentPosition::First => Some(ranges[0]),
        ArgumentPosition::Last => None,
        ArgumentPosition::Before(r) => ranges.iter().copied().find(|x| *x == r),
    };
    let multiline = ranges.iter().all(|r| is_at_line_start(text, r.start()));
    match before {
        Some(next) if multiline => {
            // Insert a line of its own. For the first argument, directly after the line of `(`,
            // so comments that precede the old first argument stay with it.
            let indent = indentation_at(text, next.start());
            let at = if ranges.first() == Some(&next) {
                full_line_end(text, open)
            } else {
                let idx = ranges.iter().position(|r| *r == next).unwrap_or(0);
                let prev = ranges[idx.saturating_sub(1)];
                let prev_end = match file.next_token(prev.end()) {
                    Some((TokenKind::Comma, c)) => c.end(),
                    _ => prev.end(),
                };
                full_line_end(text, prev_end)
            };
            Edit::insertion(at, format!("{indent}{argument},{nl}"))
        }
        Some(next) => Edit::insertion(next.start(), format!("{argument}, ")),
        None => {
            let last = *ranges.last().unwrap_or(&arguments.range);
            let comma = match file.next_token(last.end()) {
                Some((TokenKind::Comma, c)) if c.end() <= close => Some(c),
                _ => None,
            };
            if multiline && line_start(text, close) != line_start(text, last.start()) {
                let indent = indentation_at(text, last.start());
                match comma {
                    Some(c) => Edit::insertion(
                        full_line_end(text, c.end()),
                        format!("{indent}{argument},{nl}"),
                    ),
                    None => Edit::insertion(last.end(), format!(",{nl}{indent}{argument}")),
                }
            } else {
                Edit::insertion(last.end(), format!(", {argument}"))
            }
        }
    }
}

/// Insert several keyword arguments (e.g. `job_id=x`) before the call's keywords (after any
/// positional ones), in the given order, as one edit in the style of the call.
pub fn insert_keywords_first(
    file: &ParsedFile,
    arguments: &ast::Arguments,
    keywords: &[String],
) -> Option<Edit> {
    if keywords.is_empty() {
        return None;
    }
    if arguments.args.is_empty() && arguments.keywords.is_empty() {
        return Some(Edit::insertion(
            arguments.range.start() + TextSize::new(1),
            keywords.join(", "),
        ));
    }
    let position = if arguments.args.is_empty() {
        ArgumentPosition::First
    } else {
        match arguments.keywords.first() {
            Some(kw) => ArgumentPosition::Before(kw.range),
            None => ArgumentPosition::Last,
        }
    };
    let mut combined: Option<Edit> = None;
    for kw in keywords {
        let edit = insert_argument(file, arguments, kw, position);
        combined = Some(match combined {
            None => edit,
            Some(mut prev) if prev.range == edit.range => {
                prev.content.push_str(&edit.content);
                prev
            }
            // Never happens for one position; keep the first insertion only.
            Some(prev) => return Some(prev),
        });
    }
    combined
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ParsedFile, SourceKind};
    use ruff_python_ast::{Expr, Stmt};

    fn first_call<'a>(file: &'a ParsedFile) -> &'a ast::ExprCall {
        fn find(stmt: &Stmt) -> Option<&ast::ExprCall> {
            match stmt {
                Stmt::Expr(e) => e.value.as_call_expr(),
                Stmt::Assign(a) => a.value.as_call_expr(),
                _ => None,
            }
        }
        file.suite().iter().find_map(find).unwrap()
    }

    fn delete_kw(src: &str, name: &str) -> String {
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let call = first_call(&file);
        let target = call
            .arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == name))
            .map(|k| k.range)
            .unwrap_or_else(|| {
                call.arguments
                    .args
                    .iter()
                    .find(|a| matches!(a, Expr::Name(n) if n.id.as_str() == name))
                    .unwrap()
                    .range()
            });
        let edit = delete_argument(&file, &call.arguments, target);
        let out = apply_edits(src, &[edit]);
        assert!(
            ParsedFile::parse(&out, SourceKind::Python).is_ok(),
            "does not parse:\n{out}"
        );
        out
    }

    #[test]
    fn deletes_arguments_inline() {
        assert_eq!(delete_kw("f(a=1, b=2, c=3)\n", "b"), "f(a=1, c=3)\n");
        assert_eq!(delete_kw("f(a=1, b=2, c=3)\n", "a"), "f(b=2, c=3)\n");
        assert_eq!(delete_kw("f(a=1, b=2, c=3)\n", "c"), "f(a=1, b=2)\n");
        assert_eq!(delete_kw("f(a=1)\n", "a"), "f()\n");
        assert_eq!(delete_kw("f(\n    a=1,\n)\n", "a"), "f()\n");
        assert_eq!(
            delete_kw("f(\n    # keep\n    a=1,\n)\n", "a"),
            "f(\n    # keep\n)\n"
        );
        assert_eq!(delete_kw("f(a=1,)\n", "a"), "f()\n");
        assert_eq!(delete_kw("f(x, a=1, )\n", "a"), "f(x, )\n");
        assert_eq!(delete_kw("f(cfg, mgr)\n", "mgr"), "f(cfg)\n");
        assert_eq!(delete_kw("f(cfg, (mgr))\n", "mgr"), "f(cfg)\n");
    }

    #[test]
    fn deletes_arguments_on_their_own_lines_and_keeps_other_comments() {
        let src = "f(\n    a=1,\n    # about b\n    b=2,\n    c=3,  # about c\n)\n";
        assert_eq!(
            delete_kw(src, "b"),
            "f(\n    a=1,\n    # about b\n    c=3,  # about c\n)\n"
        );
        assert_eq!(
            delete_kw(src, "a"),
            "f(\n    # about b\n    b=2,\n    c=3,  # about c\n)\n"
        );
        let src = "f(\n    a=1,\n    b=2\n)\n";
        assert_eq!(delete_kw(src, "b"), "f(\n    a=1\n)\n");
        let src = "f(a=1,  # note\n  b=2)\n";
        assert_eq!(delete_kw(src, "b"), "f(a=1,  # note\n  )\n");
        let src = "f(a=1,\n  b=2)\n";
        assert_eq!(delete_kw(src, "b"), "f(a=1)\n");
        let src = "f(\n    a=1,\n    b=2)\n";
        assert_eq!(delete_kw(src, "b"), "f(\n    a=1)\n");
        let src = "f(\r\n    a=1,\r\n    b=2,\r\n)\r\n";
        assert_eq!(delete_kw(src, "a"), "f(\r\n    b=2,\r\n)\r\n");
    }

    #[test]
    fn deletes_first_of_shared_line() {
        let src = "f(\n    a=1, b=2,\n)\n";
        assert_eq!(delete_kw(src, "a"), "f(\n    b=2,\n)\n");
    }

    fn delete_stmt(src: &str, needle: &str) -> String {
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let statements = Statements::new(file.suite());
        let at = TextSize::new(src.find(needle).unwrap() as u32);
        let info = statements.statement_at(at).unwrap();
        let deletion = delete_statement(&file, &statements, info.range).unwrap();
        apply_edits(src, &[deletion.edit])
    }

    #[test]
    fn deletes_statements() {
        let src = "def f():\n    a = 1\n\n    m = M(\n        x,\n    )\n\n    g(a)\n";
        assert_eq!(
            delete_stmt(src, "m = "),
            "def f():\n    a = 1\n\n    g(a)\n"
        );
        let src = "def f():\n    a = 1\n    m = M()\n\n    g(a)\n";
        assert_eq!(
            delete_stmt(src, "m = "),
            "def f():\n    a = 1\n\n    g(a)\n"
        );
        let src = "if x:\n    m = M()  # keep me\n";
        assert_eq!(delete_stmt(src, "m = "), "if x:\n    pass  # keep me\n");
        let src = "import os\n\nfrom a import b\n\nimport c\n";
        assert_eq!(delete_stmt(src, "from a"), "import os\n\nimport c\n");
        let src = "x = 1\n\ny = 2\n";
        assert_eq!(delete_stmt(src, "y = "), "x = 1\n");
    }

    fn insert(src: &str, arg: &str, position: ArgumentPosition) -> String {
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let call = first_call(&file);
        let edit = insert_argument(&file, &call.arguments, arg, position);
        apply_edits(src, &[edit])
    }

    #[test]
    fn inserts_in_the_style_of_neighbours() {
        use ArgumentPosition::*;
        assert_eq!(insert("f()\n", "k=1", First), "f(k=1)\n");
        assert_eq!(insert("f(a=1, b=2)\n", "k=1", First), "f(k=1, a=1, b=2)\n");
        assert_eq!(insert("f(a=1, b=2)\n", "k=1", Last), "f(a=1, b=2, k=1)\n");
        let src = "f(\n    # c\n    a=1,\n)\n";
        assert_eq!(
            insert(src, "k=1", First),
            "f(\n    k=1,\n    # c\n    a=1,\n)\n"
        );
        assert_eq!(
            insert(src, "k=1", Last),
            "f(\n    # c\n    a=1,\n    k=1,\n)\n"
        );
        let src = "f(\n    a=1\n)\n";
        assert_eq!(insert(src, "k=1", Last), "f(\n    a=1,\n    k=1\n)\n");
    }

    fn insert_first(src: &str, keywords: &[&str]) -> String {
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let call = first_call(&file);
        let keywords: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        let edit = insert_keywords_first(&file, &call.arguments, &keywords).unwrap();
        apply_edits(src, &[edit])
    }

    #[test]
    fn inserts_several_keywords_first_in_order() {
        assert_eq!(insert_first("f()\n", &["a=1", "b=2"]), "f(a=1, b=2)\n");
        assert_eq!(
            insert_first("f(x=0)\n", &["a=1", "b=2"]),
            "f(a=1, b=2, x=0)\n"
        );
        // After the positional arguments.
        assert_eq!(
            insert_first("f(cfg, x=0)\n", &["a=1", "b=2"]),
            "f(cfg, a=1, b=2, x=0)\n"
        );
        assert_eq!(insert_first("f(cfg)\n", &["a=1"]), "f(cfg, a=1)\n");
        assert_eq!(
            insert_first("f(\n    x=0,\n)\n", &["a=1", "b=2"]),
            "f(\n    a=1,\n    b=2,\n    x=0,\n)\n"
        );
        let file = ParsedFile::parse("f()\n", SourceKind::Python).unwrap();
        assert_eq!(
            insert_keywords_first(&file, &first_call(&file).arguments, &[]),
            None
        );
    }

    #[test]
    fn edits_apply_within_a_region() {
        let text = "abc = def\n";
        let region = TextRange::new(6.into(), 9.into());
        let edits = [
            Edit::replacement(TextRange::new(6.into(), 7.into()), "D"),
            Edit::insertion(9.into(), "!"),
        ];
        assert_eq!(apply_edits_in(text, region, &edits), "Def!");
    }

    #[test]
    fn conflicts() {
        let a = Edit::deletion(TextRange::new(0.into(), 5.into()));
        let b = Edit::insertion(5.into(), "x");
        let c = Edit::insertion(3.into(), "x");
        let d = Edit::insertion(5.into(), "y");
        assert!(!a.conflicts_with(&b));
        assert!(a.conflicts_with(&c));
        assert!(b.conflicts_with(&d));
        let e = Edit::deletion(TextRange::new(5.into(), 7.into()));
        assert!(!a.conflicts_with(&e));
    }
}
