//! Snapshot tests: every folder under `fixtures/` is one case. Each dependency file in it is
//! checked at both targets; the snapshot shows the findings and the `--unsafe-fixes` result.
//! FW501 has no safe fix, so a safe `--apply` must leave every file unchanged (asserted).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fwmigrate_engine::{Document, FileOutcome, Linter, Mode, SourceType};
use fwmigrate_rule::{Applicability, Target};
use fwmigrate_rules_sdk::TEXT_RULES;
use fwmigrate_testing::{render_diagnostics, text_linter};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// File text with the invisible made visible: a BOM, carriage returns, a missing final newline.
fn render_text(out: &mut String, text: &str) {
    let visible = text.replace('\u{feff}', "<BOM>").replace('\r', "␍");
    out.push_str(&visible);
    if !text.ends_with('\n') {
        out.push_str("\n(no newline at end of file)\n");
    }
}

/// The manifest `path`, included by another one or found by its name.
fn doc<'a>(path: &'a Path, text: &'a str, included: bool) -> Document<'a> {
    Document {
        included,
        ..Document::new(path, text, SourceType::Manifest)
    }
}

/// Fix, and check what every fix must guarantee.
fn apply(
    linter: &Linter,
    path: &Path,
    text: &str,
    included: bool,
    check: &FileOutcome,
) -> FileOutcome {
    let outcome = linter.fix(&doc(path, text, included));
    let Some(fixed) = &outcome.fixed else {
        return outcome;
    };
    // A second apply changes nothing.
    let again = linter.lint(&doc(path, fixed, included), Mode::Fix);
    assert!(
        again.fixed.is_none(),
        "{}: a second apply changed the file again",
        path.display()
    );
    // Line endings, the BOM and the final newline stay as they were.
    assert_eq!(
        text.matches("\r\n").count(),
        fixed.matches("\r\n").count(),
        "{}: CRLF count changed",
        path.display()
    );
    assert_eq!(
        text.matches('\n').count(),
        fixed.matches('\n').count(),
        "{}: line count changed",
        path.display()
    );
    assert_eq!(text.starts_with('\u{feff}'), fixed.starts_with('\u{feff}'));
    assert_eq!(text.ends_with('\n'), fixed.ends_with('\n'));
    // Only the lines of findings change.
    let finding_lines: Vec<(usize, usize)> = check
        .diagnostics
        .iter()
        .map(|d| (d.start.row, d.end.row))
        .collect();
    for (i, (before, after)) in text.split('\n').zip(fixed.split('\n')).enumerate() {
        let row = i + 1;
        if before != after {
            assert!(
                finding_lines.iter().any(|&(s, e)| s <= row && row <= e),
                "{}: line {row} changed but holds no finding:\n{before}\n{after}",
                path.display()
            );
        }
    }
    outcome
}

fn render_file(path: &Path, name: &str, text: &str, included: bool, target: Target) -> String {
    let mut out = String::new();
    let safe = text_linter(TEXT_RULES, target, false);
    let check = safe.check(&doc(path, text, included));
    out.push_str("--- check ---\n");
    render_diagnostics(&mut out, &format!("{name}:"), &check.diagnostics);

    let applied = apply(&safe, path, text, included, &check);
    assert!(
        applied.fixed.is_none(),
        "{name}: a safe apply changed the file"
    );
    assert!(check.diagnostics.iter().all(|d| !d.fixable));
    out.push_str("--- apply ---\n(unchanged)\n");

    if check.diagnostics.iter().any(|d| d.fixable_unsafe) {
        let unsafe_linter = text_linter(TEXT_RULES, target, true);
        let applied = apply(&unsafe_linter, path, text, included, &check);
        out.push_str("--- apply --unsafe-fixes ---\n");
        match &applied.fixed {
            Some(fixed) => render_text(&mut out, fixed),
            None => out.push_str("(unchanged)\n"),
        }
        out.push_str("--- remaining with --unsafe-fixes ---\n");
        render_diagnostics(&mut out, &format!("{name}:"), &applied.diagnostics);
        // What remains has no applicable fix.
        assert!(applied.diagnostics.iter().all(|d| {
            d.fix
                .as_ref()
                .is_none_or(|f| f.applicability == Applicability::DisplayOnly)
        }));
    }
    out
}

fn render_case(dir: &Path) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let texts: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, text)
        })
        .collect();
    // Files included with `-r`/`-c` are read too, whatever their names (and what those
    // include in turn).
    let probe = text_linter(TEXT_RULES, Target::default(), false);
    let mut included: Vec<PathBuf> = Vec::new();
    loop {
        let mut more = Vec::new();
        for (path, text) in &texts {
            let is_included = included.contains(path);
            if probe.wants_text_file(path) || is_included {
                more.extend(probe.check(&doc(path, text, is_included)).includes);
            }
        }
        more.retain(|p| !included.contains(p));
        if more.is_empty() {
            break;
        }
        included.extend(more);
    }
    let mut out = String::new();
    for (path, text) in &texts {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let _ = writeln!(out, "##### {name}");
        let is_included = included.contains(path);
        if !probe.wants_text_file(path) && !is_included {
            out.push_str("(not a dependency file: not read)\n\n");
            continue;
        }
        if is_included {
            out.push_str("(included by another requirements file)\n");
        }
        let renders: Vec<(Target, String)> = Target::aliased()
            .iter()
            .map(|&t| (t, render_file(path, &name, text, is_included, t)))
            .collect();
        if renders[0].1 == renders[1].1 {
            out.push_str("=== targets 2026.06 and 2026.08 (identical) ===\n");
            out.push_str(&renders[0].1);
        } else {
            for (t, r) in renders {
                let _ = writeln!(out, "=== target {t} ===");
                out.push_str(&r);
            }
        }
        out.push('\n');
    }
    out
}

#[test]
fn fixtures() {
    let fixtures = manifest_dir().join("fixtures");
    let snapshots = manifest_dir().join("../../snapshots/sdk");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap_or_else(|e| panic!("{}: {e}", fixtures.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "fixtures are missing");
    for case in cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let rendered = render_case(&case);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&snapshots);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(name, rendered));
    }
}
