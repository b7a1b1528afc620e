//! The engine's guarantees hold for every kind of source: a rule that panics and fixes that
//! never settle give FW999, and a fix whose result is not well formed is dropped; Python
//! files, notebooks and manifests alike. Test-only rules are registered through
//! [`Linter::new`], as the registry registers the real ones.

use std::path::{Path, PathBuf};

use fwmigrate_engine::{
    BUILTIN_RULES, Document, FileOutcome, Linter, LinterSettings, Mode, SkipReason, SourceType,
};
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta,
    Severity, TextContext, TextRange, TextRule, TextSize, walk,
};

const fn meta(code: &'static str, name: &'static str) -> RuleMeta {
    RuleMeta {
        code: RuleCode::new(code),
        name,
        family: fwmigrate_rule::Family::Infra,
        severity: Severity::Error,
        fix: Some(Applicability::Safe),
        targets: ALL_TARGETS,
        requires_import: false,
        needles: &["old"],
        summary: "",
        explanation: "",
    }
}

static PANIC: RuleMeta = meta("FW801", "panics");
static GROW: RuleMeta = meta("FW802", "grows");
static RENAME: RuleMeta = meta("FW803", "renames");
static TEXT_PANIC: RuleMeta = meta("FW811", "text-panics");
static TEXT_GROW: RuleMeta = meta("FW812", "text-grows");
static TEXT_BREAK: RuleMeta = meta("FW813", "text-breaks");
static TEXT_PIN: RuleMeta = meta("FW814", "text-pins");

/// Panics on every file.
struct Panics;
impl Rule for Panics {
    fn meta(&self) -> &'static RuleMeta {
        &PANIC
    }
    fn check(&self, _: &Context, _: &mut Vec<Finding>) {
        panic!("deliberate panic");
    }
}

/// `old()` → `old()\nold()`: always one more call to fix.
struct Grows;
impl Rule for Grows {
    fn meta(&self) -> &'static RuleMeta {
        &GROW
    }
    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        walk::for_each_call(ctx.file.suite(), |call| {
            if ctx.slice(call.func.as_ref()) == "old" {
                let fix = Fix::safe("grow", vec![Edit::insertion(call.range().end(), "\nold()")])
                    .with_isolation(Some(TextRange::default()));
                out.push(Finding::new(&GROW, call.range(), "grows").with_fix(fix));
            }
        });
    }
}

/// `old` → `new`: a fix that settles.
struct Renames;
impl Rule for Renames {
    fn meta(&self) -> &'static RuleMeta {
        &RENAME
    }
    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        walk::for_each_call(ctx.file.suite(), |call| {
            if ctx.slice(call.func.as_ref()) == "old" {
                let fix = Fix::safe("rename", vec![Edit::replacement(call.func.range(), "new")]);
                out.push(Finding::new(&RENAME, call.range(), "renames").with_fix(fix));
            }
        });
    }
}

/// Every occurrence of `needle` in a text, as ranges.
fn occurrences(text: &str, needle: &str) -> Vec<TextRange> {
    text.match_indices(needle)
        .map(|(i, _)| {
            let start = TextSize::new(i as u32);
            TextRange::new(start, start + TextSize::new(needle.len() as u32))
        })
        .collect()
}

/// Text rules over `requirements.txt`-named files (and included ones); `includes` follows
/// `-r NAME` lines.
macro_rules! text_rule {
    ($name:ident, $meta:ident, |$ctx:ident, $out:ident| $body:block) => {
        struct $name;
        impl TextRule for $name {
            fn meta(&self) -> &'static RuleMeta {
                &$meta
            }
            fn applies_to(&self, path: &Path, included: bool) -> bool {
                included || path.file_name().is_some_and(|n| n == "requirements.txt")
            }
            fn check(&self, $ctx: &TextContext, $out: &mut Vec<Finding>) $body
            fn is_well_formed(&self, ctx: &TextContext) -> bool {
                !ctx.text.contains("BROKEN")
            }
            fn includes(&self, ctx: &TextContext) -> Vec<PathBuf> {
                let dir = ctx.path.parent().unwrap_or(Path::new(""));
                ctx.text
                    .lines()
                    .filter_map(|l| l.strip_prefix("-r "))
                    .map(|f| dir.join(f.trim()))
                    .collect()
            }
        }
    };
}

text_rule!(TextPanics, TEXT_PANIC, |_ctx, _out| {
    panic!("deliberate text panic");
});
text_rule!(TextGrows, TEXT_GROW, |ctx, out| {
    for r in occurrences(ctx.text, "old") {
        let fix = Fix::safe("grow", vec![Edit::insertion(r.end(), "\nold")])
            .with_isolation(Some(TextRange::default()));
        out.push(Finding::new(&TEXT_GROW, r, "grows").with_fix(fix));
    }
});
text_rule!(TextBreaks, TEXT_BREAK, |ctx, out| {
    for r in occurrences(ctx.text, "old") {
        let fix = Fix::safe("break", vec![Edit::replacement(r, "BROKEN")]);
        out.push(Finding::new(&TEXT_BREAK, r, "breaks").with_fix(fix));
    }
});
text_rule!(TextPins, TEXT_PIN, |ctx, out| {
    for r in occurrences(ctx.text, "old") {
        // The finding covers the requirement, up to its comment, across continuations.
        let rest = &ctx.text[usize::from(r.start())..];
        let mut len = 0;
        while len < rest.len() && !rest[len..].starts_with(['\n', '#', ' ']) {
            len += if rest[len..].starts_with("\\\n") {
                2
            } else {
                1
            };
        }
        let range = TextRange::at(r.start(), TextSize::new(len as u32));
        let fix = Fix::safe("pin", vec![Edit::replacement(r, "new")]);
        out.push(Finding::new(&TEXT_PIN, range, "pins").with_fix(fix));
    }
});

fn linter(rules: &[&'static dyn Rule], text_rules: &[&'static dyn TextRule]) -> Linter {
    let mut codes: Vec<RuleCode> = rules.iter().map(|r| r.meta().code).collect();
    codes.extend(text_rules.iter().map(|r| r.meta().code));
    codes.extend(BUILTIN_RULES.iter().map(|m| m.code));
    Linter::new(rules, text_rules, &codes, LinterSettings::default())
}

fn codes(outcome: &FileOutcome) -> Vec<&'static str> {
    outcome
        .diagnostics
        .iter()
        .map(|d| d.code().as_str())
        .collect()
}

/// A notebook with a markdown cell and two code cells; `old()` is in the third cell.
fn notebook(code: &str) -> String {
    let source = serde_json::to_string(code).unwrap();
    format!(
        r##"{{
 "cells": [
  {{"cell_type": "markdown", "metadata": {{}}, "source": ["# Title"]}},
  {{"cell_type": "code", "metadata": {{}}, "outputs": [], "source": ["import os\n", "x = 1"]}},
  {{"cell_type": "code", "metadata": {{}}, "outputs": [], "source": {source}}}
 ],
 "metadata": {{}},
 "nbformat": 4,
 "nbformat_minor": 5
}}
"##
    )
}

/// Every kind of Python source, with `old()` on its second line (of its cell, in a notebook).
fn python_sources() -> Vec<(&'static str, String, SourceType)> {
    vec![
        ("t.py", "x = 1\nold()\n".to_string(), SourceType::Python),
        ("t.pyi", "x: int\nold()\n".to_string(), SourceType::Stub),
        ("t.ipynb", notebook("y = 2\nold()"), SourceType::Notebook),
    ]
}

#[test]
fn a_panicking_rule_is_fw999_for_every_python_source() {
    let l = linter(&[&Panics, &Renames], &[]);
    for (name, text, kind) in python_sources() {
        let doc = Document::new(Path::new(name), &text, kind);
        let check = l.check(&doc);
        assert_eq!(
            codes(&check),
            ["FW999", "FW803"],
            "{name}: the other rule still runs"
        );
        let message = &check.diagnostics[0].message;
        assert!(message.contains("FW801"), "{message}");
        assert!(message.contains("deliberate panic"), "{message}");
        // The other rule's fixes still apply; the panic is reported on the result.
        let fixed = l.fix(&doc);
        assert!(
            fixed.fixed.as_deref().is_some_and(|t| t.contains("new()")),
            "{name}"
        );
        assert_eq!(codes(&fixed), ["FW999"], "{name}");
    }
}

#[test]
fn fixes_that_never_settle_are_fw999_for_every_python_source() {
    let l = linter(&[&Grows], &[]);
    for (name, text, kind) in python_sources() {
        let doc = Document::new(Path::new(name), &text, kind);
        let out = l.fix(&doc);
        assert_eq!(out.fixed, None, "{name}: nothing changes");
        assert_eq!(codes(&out), ["FW999", "FW802"], "{name}");
        assert!(out.diagnostics[0].message.contains("did not settle"));
        assert_eq!(out.diagnostics[1].skipped, Some(SkipReason::Reverted));
        // The finding is located in the original text.
        assert_eq!(out.diagnostics[1].start.row, 2, "{name}");
    }
}

#[test]
fn notebook_findings_name_their_cell_and_count_rows_from_it() {
    let l = linter(&[&Renames], &[]);
    let text = notebook("y = 2\nold()");
    let doc = Document::new(Path::new("t.ipynb"), &text, SourceType::Notebook);
    let check = l.check(&doc);
    let d = &check.diagnostics[0];
    assert_eq!((d.cell, d.start.row, d.start.column), (Some(3), 2, 1));
    let at = check.locator(&text);
    assert_eq!(at.excerpt(d, 5), [(2, "old()")]);
    let fixed = l.fix(&doc);
    let json = fixed.fixed.expect("the notebook changes");
    assert!(json.contains(r#""source": "y = 2\nnew()""#), "{json}");
    assert!(
        json.contains(r#""source": ["import os\n", "x = 1"]"#),
        "{json}"
    );
    // Not a notebook: an error, nothing linted.
    let broken = Document::new(Path::new("b.ipynb"), "{\"cells\": [", SourceType::Notebook);
    assert!(l.check(&broken).error.is_some());
}

fn manifest(text: &str) -> Document<'_> {
    Document::new(Path::new("requirements.txt"), text, SourceType::Manifest)
}

#[test]
fn a_panicking_text_rule_is_fw999() {
    let l = linter(&[], &[&TextPanics, &TextPins]);
    let check = l.check(&manifest("x\nold==1\n"));
    assert_eq!(
        codes(&check),
        ["FW999", "FW814"],
        "the other rule still runs"
    );
    assert!(check.diagnostics[0].message.contains("FW811"));
    let fixed = l.lint(&manifest("x\nold==1\n"), Mode::Fix);
    assert_eq!(fixed.fixed.as_deref(), Some("x\nnew==1\n"));
    assert_eq!(codes(&fixed), ["FW999"]);
}

#[test]
fn text_fixes_that_never_settle_are_fw999() {
    let l = linter(&[], &[&TextGrows]);
    let out = l.fix(&manifest("old==1\n"));
    assert_eq!(out.fixed, None);
    assert_eq!(codes(&out), ["FW999", "FW812"]);
    assert!(out.diagnostics[0].message.contains("did not settle"));
    assert_eq!(out.diagnostics[1].skipped, Some(SkipReason::Reverted));
}

#[test]
fn a_text_fix_that_breaks_the_file_is_reverted() {
    let l = linter(&[], &[&TextBreaks]);
    let out = l.fix(&manifest("old==1\n"));
    assert_eq!(out.fixed, None);
    assert_eq!(codes(&out), ["FW999", "FW813"]);
    assert!(out.diagnostics[0].message.contains("FW813"));
    assert!(out.diagnostics[0].message.contains("no longer well formed"));
}

#[test]
fn manifests_honour_the_same_suppressions() {
    let l = linter(&[], &[&TextPins]);
    let remaining = |text: &str| codes(&l.check(&manifest(text))).len();
    assert_eq!(remaining("old==1\n"), 1);
    assert_eq!(remaining("old==1  # noqa: FW814\n"), 0);
    assert_eq!(remaining("old==1  # NOQA:FW814, E501\n"), 0);
    assert_eq!(remaining("old==1  # fwmigrate: ignore[FW001, FW814]\n"), 0);
    assert_eq!(remaining("old==1  # fwmigrate: ignore\n"), 0);
    // As in Python files: a bare `# noqa`, other codes, or a directive on another line do not.
    assert_eq!(remaining("old==1  # noqa\n"), 1);
    assert_eq!(remaining("old==1  # noqa: E501\n"), 1);
    assert_eq!(remaining("old==1  # fwmigrate: ignore[FW001]\n"), 1);
    assert_eq!(remaining("# noqa: FW814\nold==1\n"), 1);
    // A `#` inside quotes or glued to a word starts no comment.
    assert_eq!(remaining("old==1; x == \"a # noqa: FW814\"\n"), 1);
    assert_eq!(remaining("old==1#noqa: FW814\n"), 1);
    // A requirement continued with a backslash carries its comment on its last line.
    assert_eq!(remaining("old\\\n==1  # noqa: FW814\n"), 0);
    // The file-level directive.
    assert!(
        l.check(&manifest("# fwmigrate: ignore-file\nold==1\n"))
            .skipped
    );
    // A fix leaves suppressed findings alone; FW900 does not judge manifests.
    let out = l.fix(&manifest(
        "old==1  # noqa: FW814\nold==2\nx  # noqa: FW814\n",
    ));
    assert_eq!(
        out.fixed.as_deref(),
        Some("old==1  # noqa: FW814\nnew==2\nx  # noqa: FW814\n")
    );
    assert!(out.diagnostics.is_empty());
}

/// Which files a text rule reads, and what a file includes, depend on nothing but the
/// question: asking in any order, before or after linting the including file, gives the same
/// answers.
#[test]
fn include_resolution_does_not_depend_on_call_order() {
    let l = linter(&[], &[&TextPins]);
    let parent = Path::new("dir/requirements.txt");
    let child = Path::new("dir/base.txt");
    let parent_text = "-r base.txt\nold==1\n";
    let child_text = "old==2\n";
    let lint_child = || {
        let out = l.check(&Document::included(child, child_text));
        (codes(&out), out.skipped)
    };
    let wanted_child = || (l.wants_text_file(child), l.wants_text_file(parent));

    let before = (lint_child(), wanted_child());
    let includes = l
        .check(&Document::new(parent, parent_text, SourceType::Manifest))
        .includes;
    let after = (lint_child(), wanted_child());
    let again = l
        .check(&Document::new(parent, parent_text, SourceType::Manifest))
        .includes;

    assert_eq!(includes, [PathBuf::from("dir/base.txt")]);
    assert_eq!(includes, again);
    assert_eq!(before, after);
    assert_eq!(before, ((vec!["FW814"], false), (false, true)));
    // Found by its name alone, the included file is not read.
    let by_name = l.check(&Document::new(child, child_text, SourceType::Manifest));
    assert!(by_name.skipped);
}
