//! The prefilter never costs a finding: on every test case and every rule fixture, the findings
//! with the prefilter on are exactly those with `FWMIGRATE_NO_PREFILTER=1`, and the cases'
//! expected findings are among them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

/// (file, code, row, column) of every finding.
type Findings = BTreeSet<(String, String, u64, u64)>;

fn findings(dir: &Path, args: &[&str], prefilter: bool) -> Findings {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fwmigrate"));
    cmd.current_dir(dir)
        .args(["--check", "--output-format", "json", "--no-progress"])
        .args(args)
        .arg(".");
    if prefilter {
        cmd.env_remove("FWMIGRATE_NO_PREFILTER");
    } else {
        cmd.env("FWMIGRATE_NO_PREFILTER", "1");
    }
    let out = cmd.output().expect("run fwmigrate");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}: exit {:?}\n{}",
        dir.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: bad JSON ({e}): {}",
            dir.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    list.iter()
        .map(|d| {
            (
                d["filename"].as_str().unwrap_or_default().to_string(),
                d["code"].as_str().unwrap_or_default().to_string(),
                d["location"]["row"].as_u64().unwrap_or_default(),
                d["location"]["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn assert_same(dir: &Path, args: &[&str]) -> Findings {
    let with = findings(dir, args, true);
    let without = findings(dir, args, false);
    let lost: Vec<_> = without.difference(&with).collect();
    let extra: Vec<_> = with.difference(&without).collect();
    assert!(
        lost.is_empty() && extra.is_empty(),
        "{} {args:?}: the prefilter changed the findings\nlost: {lost:#?}\nextra: {extra:#?}",
        dir.display()
    );
    with
}

/// Cases with expected findings: the test cases of `tests/fixtures/`, and the acceptance cases
/// of `$FWMIGRATE_SHARED/acceptance` (or `$SHARED`, as `.ci/run` sets it) when one is set.
fn cases() -> Vec<PathBuf> {
    let mut cases = common::fixture_cases();
    assert!(!cases.is_empty());
    if let Some(dir) = std::env::var_os("FWMIGRATE_SHARED").or_else(|| std::env::var_os("SHARED")) {
        let acceptance = PathBuf::from(dir).join("acceptance");
        let mut more: Vec<PathBuf> = std::fs::read_dir(&acceptance)
            .unwrap_or_else(|e| panic!("{}: {e}", acceptance.display()))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("input").is_dir())
            .collect();
        more.sort();
        assert!(!more.is_empty(), "no cases in {}", acceptance.display());
        cases.extend(more);
    }
    cases
}

#[test]
fn test_cases_lose_no_finding() {
    for case in cases() {
        // A case marked `pending` is the contract of work not landed yet.
        if case.join("pending").exists() {
            continue;
        }
        let args_owned = common::case_args(&case);
        let args: Vec<&str> = args_owned.iter().map(String::as_str).collect();
        let got = assert_same(&case.join("input"), &args);
        // The expected findings (`file:line CODE`, line may be `*`) are all there.
        let expected = common::expected_findings(&case);
        for line in &expected {
            let (loc, code) = line.split_once(' ').unwrap();
            let (file, row) = loc.rsplit_once(':').unwrap();
            let found = got.iter().any(|(f, c, r, _)| {
                Path::new(f) == Path::new(file)
                    && c == code.trim()
                    && (row == "*" || row.parse::<u64>().ok() == Some(*r))
            });
            assert!(found, "{}: expected `{line}` is missing", case.display());
        }
        // The repository's own cases list every finding.
        if case.starts_with(env!("CARGO_MANIFEST_DIR")) {
            assert_eq!(got.len(), expected.len(), "{}: {got:#?}", case.display());
        }
    }
}

#[test]
fn rule_fixtures_lose_no_finding() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut families: Vec<PathBuf> = std::fs::read_dir(root.join("rules"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("fixtures"))
        .filter(|p| p.is_dir())
        .collect();
    families.sort();
    assert!(families.len() >= 6, "{families:?}");
    let mut total = 0;
    for dir in families {
        for target in ["2026.06", "2026.08"] {
            let args = ["--isolated", "--select", "ALL", "--target", target];
            total += assert_same(&dir, &args).len();
        }
    }
    // The comparison means something only if the fixtures have findings.
    assert!(total > 100, "only {total} findings on the rule fixtures");
}
