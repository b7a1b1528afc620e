//! Fixture harness for rule crates.
//!
//! A fixture is a Python file under `rules/<family>/fixtures/`. Its first line may set options:
//! `# fixture: target=2026.06` limits it to one target (default: both). For each target the
//! harness renders the `--check` findings, the result of a safe `--apply`, and, when unsafe fixes
//! exist, the result with `--unsafe-fixes`; the rendering is compared with an `insta` snapshot
//! in `snapshots/<family>/`.
//!
//! Every render also asserts the engine's guarantees: an applied result parses, a second apply
//! changes nothing, and a safe apply loses no comment.

pub mod legacy;
pub mod lsp;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fwmigrate_engine::{Diagnostic, FW000, FW999, FileOutcome, Linter, LinterSettings, Mode};
use fwmigrate_parser::{ParsedFile, SourceKind};
use fwmigrate_rule::{Rule, RuleCode, Target, TextRule};

/// Build a linter over `rules` with every code enabled.
pub fn linter(rules: &[&'static dyn Rule], target: Target, unsafe_fixes: bool) -> Linter {
    let mut codes: Vec<RuleCode> = rules.iter().map(|r| r.meta().code).collect();
    codes.extend([FW000.code, FW999.code]);
    Linter::new(
        rules,
        &[],
        &codes,
        LinterSettings {
            target,
            unsafe_fixes,
            ..LinterSettings::default()
        },
    )
}

/// Build a linter over text rules.
pub fn text_linter(rules: &[&'static dyn TextRule], target: Target, unsafe_fixes: bool) -> Linter {
    let codes: Vec<RuleCode> = rules.iter().map(|r| r.meta().code).collect();
    Linter::new(
        &[],
        rules,
        &codes,
        LinterSettings {
            target,
            unsafe_fixes,
            ..LinterSettings::default()
        },
    )
}

/// Render findings for a snapshot, one per line (`prefix` goes before `row:column`, e.g. a file
/// name), with their fix, suggestion and reason.
pub fn render_diagnostics(out: &mut String, prefix: &str, diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        out.push_str("(none)\n");
    }
    for d in diagnostics {
        let mark = if d.fixable {
            " [*]"
        } else if d.fixable_unsafe {
            " [-]"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{prefix}{}:{} {}{} {}",
            d.start.row,
            d.start.column,
            d.code(),
            mark,
            d.message
        );
        if let Some(fix) = &d.fix {
            let _ = writeln!(
                out,
                "    fix ({}): {}",
                fix.applicability.as_str(),
                fix.title
            );
            if let Some(s) = &fix.suggestion {
                for line in s.lines() {
                    let _ = writeln!(out, "    | {line}");
                }
            }
            if let Some(r) = &fix.reason {
                let _ = writeln!(out, "    reason: {r}");
            }
        }
    }
}

/// Apply fixes, checking the engine's guarantees. Returns the outcome of the apply.
pub fn apply_checked(
    linter: &Linter,
    path: &Path,
    source: &str,
    unsafe_fixes: bool,
) -> FileOutcome {
    let outcome = linter.lint_python(path, source, SourceKind::Python, Mode::Fix);
    if let Some(fixed) = &outcome.fixed {
        // Line endings are kept: a file that uses only CRLF still uses only CRLF (insta snapshots
        // normalise line endings, so this is checked here).
        let lone_lf = |t: &str| {
            t.match_indices('\n')
                .any(|(i, _)| i == 0 || &t[i - 1..i] != "\r")
        };
        if source.contains("\r\n") && !lone_lf(source) {
            assert!(
                !lone_lf(fixed),
                "{}: the fix introduced LF line endings into a CRLF file:\n{fixed:?}",
                path.display()
            );
        }
        assert!(
            ParsedFile::parse(fixed, SourceKind::Python).is_ok(),
            "{}: the fixed result does not parse:\n{fixed}",
            path.display()
        );
        let again = linter.lint_python(path, fixed, SourceKind::Python, Mode::Fix);
        assert!(
            again.fixed.is_none(),
            "{}: a second apply changed the file again:\n{}",
            path.display(),
            again.fixed.unwrap_or_default()
        );
        if !unsafe_fixes && let Ok(before) = ParsedFile::parse(source, SourceKind::Python) {
            for c in before.comments() {
                let text = before.slice(*c);
                assert!(
                    fixed.contains(text),
                    "{}: a safe fix lost the comment `{text}`",
                    path.display()
                );
            }
        }
    }
    outcome
}

/// Apply the fixes of `rules` to `source` (checked like [`apply_checked`]) and return the
/// resulting text (the source itself when nothing changed). For byte-exact tests that snapshots
/// cannot make (line endings, final newline, tabs).
pub fn apply_source(
    rules: &[&'static dyn Rule],
    source: &str,
    target: Target,
    unsafe_fixes: bool,
) -> String {
    let linter = linter(rules, target, unsafe_fixes);
    let outcome = apply_checked(&linter, Path::new("t.py"), source, unsafe_fixes);
    outcome.fixed.unwrap_or_else(|| source.to_string())
}

/// Render one fixture at one target.
pub fn render(rules: &[&'static dyn Rule], path: &Path, source: &str, target: Target) -> String {
    let mut out = String::new();
    let check =
        linter(rules, target, false).lint_python(path, source, SourceKind::Python, Mode::Check);
    out.push_str("--- check ---\n");
    render_diagnostics(&mut out, "", &check.diagnostics);

    let safe = linter(rules, target, false);
    let applied = apply_checked(&safe, path, source, false);
    out.push_str("--- apply ---\n");
    match &applied.fixed {
        Some(text) => out.push_str(text),
        None => out.push_str("(unchanged)\n"),
    }
    out.push_str("--- remaining ---\n");
    render_diagnostics(&mut out, "", &applied.diagnostics);

    if check.diagnostics.iter().any(|d| d.fixable_unsafe) {
        let unsafe_linter = linter(rules, target, true);
        let applied = apply_checked(&unsafe_linter, path, source, true);
        out.push_str("--- apply --unsafe-fixes ---\n");
        match &applied.fixed {
            Some(text) => out.push_str(text),
            None => out.push_str("(unchanged)\n"),
        }
        out.push_str("--- remaining with --unsafe-fixes ---\n");
        render_diagnostics(&mut out, "", &applied.diagnostics);
    }
    out
}

/// Targets a fixture asks for in its first line (`# fixture: target=2026.06`).
fn fixture_targets(source: &str) -> Vec<Target> {
    let first = source.lines().next().unwrap_or("");
    if let Some(rest) = first.strip_prefix("# fixture:") {
        for part in rest.split_whitespace() {
            if let Some(t) = part.strip_prefix("target=")
                && let Ok(t) = t.parse()
            {
                return vec![t];
            }
        }
    }
    Target::aliased()
}

/// The fixtures of a rule crate, sorted.
pub fn fixtures(manifest_dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(manifest_dir).join("fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    files
}

/// Render every fixture of a family and compare it with its snapshot in `snapshots/<family>/`.
pub fn assert_fixtures(manifest_dir: &str, family: &str, rules: &[&'static dyn Rule]) {
    let snapshot_dir = Path::new(manifest_dir).join("../../snapshots").join(family);
    let files = fixtures(manifest_dir);
    assert!(!files.is_empty(), "no fixtures for {family}");
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let mut out = String::new();
        let targets = fixture_targets(&source);
        let renders: Vec<(Target, String)> = targets
            .iter()
            .map(|&t| {
                (
                    t,
                    render(rules, Path::new(&format!("{name}.py")), &source, t),
                )
            })
            .collect();
        if renders.len() == 2 && renders[0].1 == renders[1].1 {
            let _ = writeln!(out, "=== targets 2026.06 and 2026.08 (identical) ===");
            out.push_str(&renders[0].1);
        } else {
            for (t, r) in renders {
                let _ = writeln!(out, "=== target {t} ===");
                out.push_str(&r);
            }
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&snapshot_dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_input_file(&path);
        settings.set_omit_expression(true);
        settings.bind(|| {
            insta::assert_snapshot!(name, out);
        });
    }
}
