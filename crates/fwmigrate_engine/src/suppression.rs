//! Inline suppressions: `# fwmigrate: ignore[FW001,FW003]`, `# fwmigrate: ignore`,
//! `# noqa: FW001`, and the file-level `# fwmigrate: ignore-file`.
//!
//! The one place that reads them, for every source with `#` comments: Python files, notebook
//! cells and dependency manifests. An adapter hands over the comments of its text (the Python
//! tokenizer's, or [`hash_comments`] for manifests); this module finds the directives in them,
//! drops the findings they suppress, keeps fixes away from suppressed code, and reports the
//! directives that suppress nothing (FW900).

use std::collections::BTreeSet;

use fwmigrate_parser::source::{full_line_end, is_at_line_start, line_start};
use fwmigrate_parser::{Edit, TextRange, TextSize};
use fwmigrate_rule::{Applicability, Finding, Fix, RuleCode, RuleMeta, SuppressionQuery};

use crate::builtin::FW900;

/// The word after `fwmigrate:` in every directive, in lower case (the prefilter relies on it:
/// a file without it holds no `fwmigrate:` directive).
pub(crate) const IGNORE_KEYWORD: &str = "ignore";

/// One suppression directive in a comment.
#[derive(Debug, Clone)]
pub struct Directive {
    /// 0-based line of the comment.
    pub line: usize,
    /// The comment token.
    pub comment: TextRange,
    /// The directive text inside the comment (`fwmigrate: ignore[FW001]`, `noqa: FW001`).
    pub range: TextRange,
    /// The fwmigrate codes it names, with their ranges; empty for a bare `fwmigrate: ignore`.
    pub codes: Vec<(String, TextRange)>,
    /// The whole code list (including other tools' codes in a `noqa`).
    pub list_range: TextRange,
    /// Other tools' codes in the list, which must survive any edit.
    pub foreign: Vec<TextRange>,
}

impl Directive {
    pub fn suppresses(&self, code: RuleCode) -> bool {
        self.codes.is_empty() || self.codes.iter().any(|(c, _)| code == c.as_str())
    }
}

/// Whether the first comment block of `text` holds `# fwmigrate: ignore-file`.
pub fn has_ignore_file(text: &str) -> bool {
    for line in text.lines() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with('#') {
            return false;
        }
        if line.contains("fwmigrate: ignore-file") || line.contains("fwmigrate:ignore-file") {
            return true;
        }
    }
    false
}

/// Parse the suppression directives of every comment (ranges of `text`, each from its `#`).
/// `line_of` gives the 0-based line of an offset (only directives need it).
pub fn directives(
    text: &str,
    comments: &[TextRange],
    line_of: impl Fn(TextSize) -> usize,
) -> Vec<Directive> {
    let mut out = Vec::new();
    for &comment in comments {
        let body = &text[comment];
        let base = comment.start();
        for (start, end, all_codes) in scan(body) {
            let range = |s: usize, e: usize| TextRange::new(base + at(s), base + at(e));
            let list_range = match (all_codes.first(), all_codes.last()) {
                (Some(f), Some(l)) => range(f.1, l.2),
                _ => range(end, end),
            };
            let (ours, theirs): (Vec<_>, Vec<_>) = all_codes
                .into_iter()
                .partition(|(c, _, _)| c.starts_with("FW"));
            out.push(Directive {
                line: line_of(comment.start()),
                comment,
                range: range(start, end),
                codes: ours.into_iter().map(|(c, s, e)| (c, range(s, e))).collect(),
                list_range,
                foreign: theirs.into_iter().map(|(_, s, e)| range(s, e)).collect(),
            });
        }
    }
    out
}

/// Answers [`SuppressionQuery`] from the directives of one text.
pub(crate) struct Suppressions<'a, L: Fn(TextSize) -> usize> {
    directives: &'a [Directive],
    /// The 0-based line of an offset (only called when there are directives).
    line_of: L,
}

impl<'a, L: Fn(TextSize) -> usize> Suppressions<'a, L> {
    pub fn new(directives: &'a [Directive], line_of: L) -> Self {
        Self {
            directives,
            line_of,
        }
    }
}

impl<L: Fn(TextSize) -> usize> SuppressionQuery for Suppressions<'_, L> {
    fn suppresses(&self, code: RuleCode, offset: TextSize) -> bool {
        if self.directives.is_empty() {
            return false;
        }
        let line = (self.line_of)(offset);
        self.directives
            .iter()
            .any(|d| d.line == line && d.suppresses(code))
    }
}

/// Which lines of a finding a directive may stand on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lines {
    /// The line where the finding starts (Python: the contract).
    Start,
    /// Any line the finding spans (manifests: a requirement continued with backslashes can
    /// only carry its comment on its last line).
    Span,
}

/// How suppressions apply to one source.
pub(crate) struct Policy<'a> {
    pub lines: Lines,
    /// Report directives that suppress nothing (FW900), judging only these enabled codes.
    pub unused: Option<&'a BTreeSet<RuleCode>>,
}

/// Apply the directives of `text` to `findings`: drop the suppressed ones, turn fixes that
/// would change suppressed code into suggestions, and add FW900 findings for unused directives.
pub(crate) fn apply(
    text: &str,
    directives: &[Directive],
    line_of: impl Fn(TextSize) -> usize,
    findings: &mut Vec<(&'static RuleMeta, Finding)>,
    policy: &Policy,
) {
    if directives.is_empty() {
        return;
    }
    let mut used = vec![Vec::new(); directives.len()];
    let mut protected: Vec<(RuleCode, TextRange)> = Vec::new();
    findings.retain(|(meta, f)| {
        let first = line_of(f.range.start());
        let last = match policy.lines {
            Lines::Start => first,
            Lines::Span => line_of(f.range.end()),
        };
        let mut suppressed = false;
        for (i, d) in directives.iter().enumerate() {
            if (first..=last).contains(&d.line) && d.suppresses(meta.code) {
                suppressed = true;
                used[i].push(meta.code);
            }
        }
        if suppressed {
            protected.push((meta.code, f.range));
        }
        !suppressed
    });
    // A fix never changes code whose finding of the same rule is suppressed.
    for (meta, f) in findings.iter_mut() {
        let Some(fix) = &mut f.fix else { continue };
        let touches = fix.edits.iter().any(|e| {
            protected
                .iter()
                .any(|(code, range)| *code == meta.code && Edit::deletion(*range).conflicts_with(e))
        });
        if touches && fix.applicability != Applicability::DisplayOnly {
            fix.applicability = Applicability::DisplayOnly;
            fix.reason = Some(format!(
                "suppressed: it would also change code where {} is suppressed",
                meta.code
            ));
        }
    }
    if let Some(enabled) = policy.unused {
        for (d, used) in directives.iter().zip(&used) {
            unused_directive(text, d, used, enabled, findings);
        }
    }
}

/// FW900 for the codes of `d` that suppressed nothing.
fn unused_directive(
    text: &str,
    d: &Directive,
    used: &[RuleCode],
    enabled: &BTreeSet<RuleCode>,
    out: &mut Vec<(&'static RuleMeta, Finding)>,
) {
    if d.codes.is_empty() {
        if used.is_empty() {
            let title = "Remove the suppression comment";
            out.push((
                &FW900,
                Finding::new(
                    &FW900,
                    d.range,
                    "unused suppression: nothing on this line is reported",
                )
                .with_fix(removal_fix(title, removal_edit(text, d, &[]))),
            ));
        }
        return;
    }
    let unused: Vec<usize> = d
        .codes
        .iter()
        .enumerate()
        .filter(|(_, (code, _))| {
            enabled.contains(code.as_str()) && !used.iter().any(|u| *u == code.as_str())
        })
        .map(|(i, _)| i)
        .collect();
    if unused.is_empty() {
        return;
    }
    let names: Vec<&str> = unused.iter().map(|&i| d.codes[i].0.as_str()).collect();
    let title = if unused.len() == d.codes.len() && d.foreign.is_empty() {
        "Remove the suppression comment".to_string()
    } else {
        format!("Remove {} from the suppression", names.join(", "))
    };
    out.push((
        &FW900,
        Finding::new(
            &FW900,
            d.range,
            format!(
                "unused suppression of {}: nothing on this line is reported by it",
                names.join(", ")
            ),
        )
        .with_fix(removal_fix(title, removal_edit(text, d, &unused))),
    ));
}

/// FW900's fix: the removal, or nothing automatic when the comment cannot go safely.
fn removal_fix(title: impl Into<String>, edit: Option<Edit>) -> Fix {
    match edit {
        Some(edit) => Fix::safe(title, vec![edit]),
        None => Fix::display_only(
            title,
            None,
            "the comment ends a statement continued with a backslash at the end of the file; \
             remove it by hand",
        ),
    }
}

/// The `#` comments of a line-oriented text file (requirements files, `pyproject.toml`,
/// `setup.cfg`): from a `#` at the start of a line or after a space or tab, outside quotes, to
/// the end of the line. Quotes do not span lines (a `#` inside a TOML multi-line string may be
/// taken for a comment; it can only matter when it spells a directive).
pub(crate) fn hash_comments(text: &str) -> Vec<TextRange> {
    let mut out = Vec::new();
    // Most manifests hold no directive at all: no scan for them.
    if !contains_ci(text, "fwmigrate") && !contains_ci(text, "noqa") {
        return out;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let bytes = body.as_bytes();
        let mut quote: Option<u8> = None;
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            match quote {
                Some(q) if c == b'\\' && q == b'"' => i += 1,
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == b'"' || c == b'\'' => quote = Some(c),
                None if c == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')) => {
                    out.push(TextRange::new(at(offset + i), at(offset + body.len())));
                    break;
                }
                None => {}
            }
            i += 1;
        }
        offset += line.len();
    }
    out
}

fn at(n: usize) -> TextSize {
    TextSize::new(n as u32)
}

type Codes = Vec<(String, usize, usize)>;

/// Find directives in one comment's text: (start, end, codes with offsets).
fn scan(body: &str) -> Vec<(usize, usize, Codes)> {
    let mut found = Vec::new();
    // Most comments name neither (both spell a `q` or a `:`): no lowered copy for them.
    if memchr::memchr3(b'q', b'Q', b':', body.as_bytes()).is_none()
        || (!contains_ci(body, "fwmigrate:") && !contains_ci(body, "noqa"))
    {
        return found;
    }
    let lower = body.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("fwmigrate:") {
        let start = from + i;
        let mut j = start + "fwmigrate:".len();
        j += ws(&body[j..]);
        if body[j..].starts_with("ignore-file") {
            from = j + "ignore-file".len();
            continue;
        }
        if !body[j..].starts_with(IGNORE_KEYWORD) {
            from = j;
            continue;
        }
        j += IGNORE_KEYWORD.len();
        if body[j..].starts_with('[') {
            let Some(close) = body[j..].find(']') else {
                from = j;
                continue;
            };
            let codes = codes_in(body, j + 1, j + close);
            found.push((start, j + close + 1, codes));
            from = j + close + 1;
        } else {
            found.push((start, j, Vec::new()));
            from = j;
        }
    }
    let mut from = 0;
    while let Some(i) = lower[from..].find("noqa") {
        let start = from + i;
        let mut j = start + 4;
        if !body[j..].starts_with(':') {
            from = j;
            continue;
        }
        j += 1;
        // Codes run until something that is not a code, comma or space.
        let end = j + body[j..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == ',' || c == ' ' || c == '\t'))
            .unwrap_or(body.len() - j);
        let codes: Codes = codes_in(body, j, end);
        if codes.iter().any(|(c, _, _)| c.starts_with("FW")) {
            // The directive ends after its last code.
            let last = codes.last().map_or(end, |c| c.2);
            found.push((start, last, codes));
        }
        from = end.max(j);
    }
    found
}

/// Whether `before` (text up to a line start) ends with a line that ends with `\\`.
fn ends_with_backslash(before: &str) -> bool {
    before
        .strip_suffix('\n')
        .map(|b| b.strip_suffix('\r').unwrap_or(b))
        .or_else(|| before.strip_suffix('\r'))
        .is_some_and(|line| line.ends_with('\\'))
}

/// Whether `hay` contains `needle` (lowercase ASCII), ignoring ASCII case.
fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn ws(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

fn codes_in(body: &str, start: usize, end: usize) -> Codes {
    let mut codes = Vec::new();
    let mut i = start;
    let bytes = body.as_bytes();
    while i < end {
        if bytes[i].is_ascii_alphanumeric() {
            let s = i;
            while i < end && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            codes.push((body[s..i].to_ascii_uppercase(), s, i));
        } else {
            i += 1;
        }
    }
    codes
}

/// The comment that suppresses `code` on its line: `# fwmigrate: ignore[CODE]`.
pub fn ignore_comment(code: RuleCode) -> String {
    format!("# fwmigrate: {IGNORE_KEYWORD}[{code}]")
}

/// The edit that adds `code` to the list of a directive: before the `]` of a
/// `fwmigrate: ignore[...]`, after the last fwmigrate code of a `noqa: ...`. `None` when the
/// directive names `code` already, or has no list (a bare `fwmigrate: ignore`).
pub fn addition_edit(text: &str, directive: &Directive, code: RuleCode) -> Option<Edit> {
    let written = &text[directive.range];
    let named = directive
        .codes
        .iter()
        .map(|(c, _)| c.as_str())
        .chain(directive.foreign.iter().map(|r| &text[*r]))
        .any(|c| c.eq_ignore_ascii_case(code.as_str()));
    if named {
        return None;
    }
    let empty = directive.codes.is_empty() && directive.foreign.is_empty();
    let (at, content) = if written
        .get(..4)
        .is_some_and(|w| w.eq_ignore_ascii_case("noqa"))
    {
        (directive.codes.last()?.1.end(), format!(", {code}"))
    } else if written.ends_with(']') {
        let close = directive.range.end() - TextSize::new(1);
        (
            close,
            if empty {
                code.to_string()
            } else {
                format!(", {code}")
            },
        )
    } else {
        return None;
    };
    Some(Edit::replacement(TextRange::empty(at), content))
}

/// The edit that removes the unused `codes` (indices into `directive.codes`) of a directive, or
/// the whole directive (and the comment, when the directive was all of it).
/// `None` when the comment cannot go without changing the code: it is the last line of a
/// statement continued with a backslash, at the end of the file.
pub fn removal_edit(text: &str, directive: &Directive, unused: &[usize]) -> Option<Edit> {
    let all = directive.codes.is_empty() || unused.len() == directive.codes.len();
    if !all || !directive.foreign.is_empty() {
        // Rebuild the code list without the unused codes; other tools' codes stay.
        let sep = if text[directive.list_range].contains(", ") {
            ", "
        } else {
            ","
        };
        let mut items: Vec<(TextSize, &str)> = directive
            .codes
            .iter()
            .enumerate()
            .filter(|(i, _)| !unused.contains(i))
            .map(|(_, (c, r))| (r.start(), c.as_str()))
            .collect();
        items.extend(directive.foreign.iter().map(|r| (r.start(), &text[*r])));
        items.sort_by_key(|(at, _)| *at);
        let content = items.iter().map(|(_, c)| *c).collect::<Vec<_>>().join(sep);
        return Some(Edit::replacement(directive.list_range, content));
    }
    let comment = &text[directive.comment];
    let inner = comment.trim_start_matches('#').trim();
    let directive_text = &text[directive.range];
    if inner == directive_text.trim() {
        // The comment is only this directive: delete it, with the space before it; a comment on
        // its own line goes with its line.
        if is_at_line_start(text, directive.comment.start()) {
            let start = line_start(text, directive.comment.start());
            // After a backslash continuation the line belongs to the statement above: deleting
            // it would join that statement with the next line. Only the comment goes.
            if ends_with_backslash(&text[..usize::from(start)]) {
                // `x = 1 \` + a line break + the end of the file does not parse.
                let after = &text[usize::from(directive.comment.end())..];
                if after.trim_start_matches(['\r', '\n']).is_empty() {
                    return None;
                }
                return Some(Edit::deletion(TextRange::new(
                    start,
                    directive.comment.end(),
                )));
            }
            return Some(Edit::deletion(TextRange::new(
                start,
                full_line_end(text, directive.comment.end()),
            )));
        }
        let before = &text[..usize::from(directive.comment.start())];
        let spaces = before.len() - before.trim_end_matches([' ', '\t']).len();
        return Some(Edit::deletion(TextRange::new(
            directive.comment.start() - TextSize::new(spaces as u32),
            directive.comment.end(),
        )));
    }
    // Part of a longer comment: delete the directive and the `#`/spaces that introduced it.
    let before =
        &text[usize::from(directive.comment.start())..usize::from(directive.range.start())];
    let trimmed = before.trim_end_matches([' ', '\t', '#']);
    let trimmed = trimmed.trim_end_matches([' ', '\t']);
    let start = directive.comment.start() + TextSize::new(trimmed.len() as u32);
    if trimmed.is_empty() {
        // Directive first, more text after it: `# noqa: FW001  # other` → `# other`.
        let after = &text[usize::from(directive.range.end())..usize::from(directive.comment.end())];
        let skip = after.len() - after.trim_start_matches([' ', '\t', ';']).len();
        let rest = after[skip..].trim_start_matches('#').trim_start();
        let consumed = after.len() - rest.len();
        return Some(Edit::replacement(
            TextRange::new(
                directive.comment.start(),
                directive.range.end() + TextSize::new(consumed as u32),
            ),
            "# ",
        ));
    }
    Some(Edit::deletion(TextRange::new(start, directive.range.end())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_parser::LineIndex;
    use fwmigrate_parser::edits::apply_edits;

    fn parse(text: &str) -> Vec<Directive> {
        let start = text.find('#').unwrap();
        let end = text[start..]
            .find(['\r', '\n'])
            .map_or(text.len(), |e| start + e);
        let comment = TextRange::new(at(start), at(end));
        let lines = LineIndex::new(text);
        directives(text, &[comment], |o| lines.line_of(o))
    }

    fn codes(d: &Directive) -> Vec<&str> {
        d.codes.iter().map(|(c, _)| c.as_str()).collect()
    }

    #[test]
    fn parses_directives() {
        let d = parse("x = 1  # fwmigrate: ignore[FW001, FW003]\n");
        assert_eq!(codes(&d[0]), ["FW001", "FW003"]);
        let d = parse("x = 1  # noqa: E501, FW001\n");
        assert_eq!(codes(&d[0]), ["FW001"]);
        assert_eq!(d[0].foreign.len(), 1);
        let d = parse("x = 1  # noqa: E501\n");
        assert!(d.is_empty());
        let d = parse("x = 1  # noqa\n");
        assert!(d.is_empty());
        let d = parse("x = 1  # fwmigrate: ignore\n");
        assert!(d[0].codes.is_empty() && d[0].suppresses(RuleCode::new("FW201")));
        let d = parse("x = 1  # type: ignore  # noqa:FW201\n");
        assert_eq!(codes(&d[0]), ["FW201"]);
    }

    #[test]
    fn ignore_file_only_in_the_first_comment_block() {
        assert!(has_ignore_file(
            "#!/usr/bin/env python\n# fwmigrate: ignore-file\nx = 1\n"
        ));
        assert!(!has_ignore_file("x = 1\n# fwmigrate: ignore-file\n"));
    }

    fn add(text: &str, code: &'static str) -> Option<String> {
        let d = parse(text);
        addition_edit(text, &d[0], RuleCode::new(code)).map(|e| apply_edits(text, &[e]))
    }

    #[test]
    fn codes_join_a_list_once() {
        assert_eq!(
            add("x  # fwmigrate: ignore[FW002]\n", "FW001").as_deref(),
            Some("x  # fwmigrate: ignore[FW002, FW001]\n")
        );
        assert_eq!(
            add("x  # fwmigrate: ignore[ ]\n", "FW001").as_deref(),
            Some("x  # fwmigrate: ignore[ FW001]\n")
        );
        assert_eq!(
            add("x  # noqa: E501,FW002 more\n", "FW001").as_deref(),
            Some("x  # noqa: E501,FW002, FW001 more\n")
        );
        assert_eq!(add("x  # fwmigrate: ignore[fw001]\n", "FW001"), None);
        assert_eq!(add("x  # fwmigrate: ignore\n", "FW001"), None);
        assert_eq!(
            ignore_comment(RuleCode::new("FW001")),
            "# fwmigrate: ignore[FW001]"
        );
    }

    fn remove(text: &str, unused: &[usize]) -> String {
        let d = parse(text);
        apply_edits(
            text,
            &[removal_edit(text, &d[0], unused).expect("removable")],
        )
    }

    #[test]
    fn removes_unused_codes_and_comments() {
        assert_eq!(
            remove("x = 1  # fwmigrate: ignore[FW001]\n", &[0]),
            "x = 1\n"
        );
        assert_eq!(
            remove("x = 1  # fwmigrate: ignore[FW001, FW003]\n", &[1]),
            "x = 1  # fwmigrate: ignore[FW001]\n"
        );
        assert_eq!(
            remove("x = 1  # fwmigrate: ignore[FW001,FW003]\n", &[0]),
            "x = 1  # fwmigrate: ignore[FW003]\n"
        );
        assert_eq!(
            remove("x = 1  # noqa: E501, FW001\n", &[0]),
            "x = 1  # noqa: E501\n"
        );
        assert_eq!(
            remove("x = 1  # noqa: FW001, E501, FW002\n", &[1]),
            "x = 1  # noqa: FW001, E501\n"
        );
        assert_eq!(
            remove("x = 1  # type: ignore  # noqa: FW001\n", &[0]),
            "x = 1  # type: ignore\n"
        );
        assert_eq!(
            remove("# fwmigrate: ignore[FW001]\nx = 1\n", &[0]),
            "x = 1\n"
        );
        assert_eq!(
            remove("x = 1  # noqa: FW001  # why\n", &[0]),
            "x = 1  # why\n"
        );
    }

    /// A comment line inside a backslash-continued statement keeps its line break: deleting
    /// the line would join the statement with the next one.
    #[test]
    fn a_comment_line_after_a_continuation_keeps_its_line() {
        for (text, want) in [
            (
                "x = y \\\n# fwmigrate: ignore\nz = 1\n",
                "x = y \\\n\nz = 1\n",
            ),
            (
                "x = y \\\r\n    # fwmigrate: ignore\r\nz = 1\r\n",
                "x = y \\\r\n\r\nz = 1\r\n",
            ),
            ("x = y\n# fwmigrate: ignore\nz = 1\n", "x = y\nz = 1\n"),
        ] {
            let got = remove(text, &[]);
            assert_eq!(got, want);
            fwmigrate_parser::ParsedFile::parse(&got, fwmigrate_parser::SourceKind::Python)
                .expect("the result parses");
        }
        // At the end of the file, `x = y \` and a line break would not parse: no edit.
        for text in [
            "x = y \\\n# fwmigrate: ignore",
            "x = y \\\n# fwmigrate: ignore\n",
        ] {
            let d = parse(text);
            assert_eq!(removal_edit(text, &d[0], &[]), None, "{text:?}");
        }
    }
}
