//! The prefilter never costs a finding: on every acceptance case and every rule fixture, the
//! findings with the prefilter on are exactly those with `FWMIGRATE_NO_PREFILTER=1`, and the
//! acceptance cases' expected findings are among them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

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

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("FWMIGRATE_SHARED")
        .or_else(|| std::env::var_os("SHARED"))
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    dir.join("acceptance").is_dir().then_some(dir)
}

#[test]
fn acceptance_cases_lose_no_finding() {
    let Some(shared) = shared() else {
        eprintln!("no ../shared/acceptance (set FWMIGRATE_SHARED); skipped");
        return;
    };
    let mut cases: Vec<PathBuf> = std::fs::read_dir(shared.join("acceptance"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("input").is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let args_text = std::fs::read_to_string(case.join("args")).unwrap_or_default();
        let args: Vec<&str> = args_text.split_whitespace().collect();
        let got = assert_same(&case.join("input"), &args);
        // The expected findings (`file:line CODE`, line may be `*`) are all there.
        let expected = std::fs::read_to_string(case.join("findings.txt")).unwrap_or_default();
        for line in expected.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (loc, code) = line.split_once(' ').unwrap();
            let (file, row) = loc.rsplit_once(':').unwrap();
            let found = got.iter().any(|(f, c, r, _)| {
                Path::new(f) == Path::new(file)
                    && c == code.trim()
                    && (row == "*" || row.parse::<u64>().ok() == Some(*r))
            });
            assert!(found, "{}: expected `{line}` is missing", case.display());
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
