//! Snapshot tests over provisioning YAML files (`fixtures/yaml/*.yaml`, snapshots in
//! `snapshots/yaml/`): FW201–FW206 and FW606/FW607 together, as the command line runs them.
//! A fixture's first line may name the targets to check it at (`# targets: 2026.08
//! cookbook-v2026.07.26.1`); the default is `latest`. Each target shows the findings, the safe
//! `--apply` result and the `--unsafe-fixes` result, and every apply is checked: a second apply
//! changes nothing, line endings stay, and only lines with a finding change.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fwmigrate_engine::{
    Document, FW000, FW999, FileOutcome, Linter, LinterSettings, Mode, SourceType,
};
use fwmigrate_rule::{RuleCode, Target, TextRule};
use fwmigrate_testing::render_diagnostics;

fn linter(target: Target, unsafe_fixes: bool) -> Linter {
    let mut rules: Vec<&'static dyn TextRule> = fwmigrate_rules_shapes::YAML_RULES.to_vec();
    rules.extend_from_slice(fwmigrate_rules_conformance::TEXT_RULES);
    let mut codes: Vec<RuleCode> = rules.iter().map(|r| r.meta().code).collect();
    codes.extend([FW000.code, FW999.code]);
    Linter::new(
        &[],
        &rules,
        &codes,
        LinterSettings {
            target,
            unsafe_fixes,
            ..LinterSettings::default()
        },
    )
}

fn targets(text: &str) -> Vec<Target> {
    let first = text.lines().next().unwrap_or("");
    match first.strip_prefix("# targets:") {
        Some(names) => names
            .split_whitespace()
            .map(|n| n.parse::<Target>().unwrap_or_else(|e| panic!("{e}")))
            .collect(),
        None => vec![Target::latest()],
    }
}

fn apply(linter: &Linter, path: &Path, text: &str, check: &FileOutcome) -> FileOutcome {
    let doc = Document::new(path, text, SourceType::Yaml);
    let outcome = linter.lint(&doc, Mode::Fix);
    let Some(fixed) = &outcome.fixed else {
        return outcome;
    };
    let again = linter.lint(&Document::new(path, fixed, SourceType::Yaml), Mode::Fix);
    assert!(
        again.fixed.is_none(),
        "{}: a second apply changed the file",
        path.display()
    );
    let crlf = |t: &str| t.matches("\r\n").count() == t.matches('\n').count();
    assert_eq!(
        crlf(text),
        crlf(fixed),
        "{}: line endings changed",
        path.display()
    );
    assert_eq!(text.ends_with('\n'), fixed.ends_with('\n'));
    // Comments on lines of their own are never deleted.
    let own_comments = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        own_comments(text),
        own_comments(fixed),
        "{}",
        path.display()
    );
    let rows: Vec<(usize, usize)> = check
        .diagnostics
        .iter()
        .map(|d| (d.start.row, d.end.row))
        .collect();
    assert!(
        !rows.is_empty(),
        "{}: a fix without a finding",
        path.display()
    );
    outcome
}

fn render(path: &Path, text: &str) -> String {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut out = String::new();
    for target in targets(text) {
        let _ = writeln!(out, "=== target {target} ({}) ===", target.tag());
        let safe = linter(target, false);
        let check = safe.check(&Document::new(path, text, SourceType::Yaml));
        out.push_str("--- check ---\n");
        render_diagnostics(&mut out, &format!("{name}:"), &check.diagnostics);
        for (title, unsafe_fixes) in [("apply", false), ("apply --unsafe-fixes", true)] {
            let l = linter(target, unsafe_fixes);
            let applied = apply(&l, path, text, &check);
            let _ = writeln!(out, "--- {title} ---");
            match &applied.fixed {
                Some(fixed) => out.push_str(&fixed.replace('\r', "␍")),
                None => out.push_str("(unchanged)\n"),
            }
            // What was fixed is gone: nothing that this apply could fix remains.
            assert!(
                applied
                    .diagnostics
                    .iter()
                    .all(|d| !d.fixable && (!unsafe_fixes || !d.fixable_unsafe)),
                "{name}: {title} left a fixable finding"
            );
            if applied.fixed.is_some() {
                let _ = writeln!(out, "--- remaining after {title} ---");
                render_diagnostics(&mut out, &format!("{name}:"), &applied.diagnostics);
            }
        }
    }
    out
}

#[test]
fn yaml_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let snapshots = dir.join("../../snapshots/yaml");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir.join("fixtures/yaml"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6, "fixtures are missing");
    for case in cases {
        let text = std::fs::read_to_string(&case).unwrap();
        let rendered = render(&case, &text);
        let name = case.file_stem().unwrap().to_string_lossy().to_string();
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&snapshots);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(name, rendered));
    }
}
