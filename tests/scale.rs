//! No false positives at scale: this machine's Python standard library and site-packages have
//! no legacy cookbook code, so fwmigrate must report nothing there. Opt-in (it depends on what
//! is installed and takes a while with a debug binary):
//! `FWMIGRATE_BIN=target/release/fwmigrate cargo test --test scale -- --ignored` runs the
//! release binary from the debug test harness, so CI builds no release test profile for it.

use std::path::PathBuf;
use std::process::Command;

fn python_trees() -> Vec<PathBuf> {
    let Ok(out) = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; p = sysconfig.get_paths(); print(p['stdlib']); print(p['purelib']); print(p['platlib'])",
        ])
        .output()
    else {
        return Vec::new();
    };
    let mut trees: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .collect();
    trees.sort();
    trees.dedup();
    trees
}

/// (code, line) of every finding, for the message.
fn check(trees: &[PathBuf], prefilter: bool) -> Vec<String> {
    let binary = std::env::var_os("FWMIGRATE_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_fwmigrate")),
        PathBuf::from,
    );
    let mut cmd = Command::new(binary);
    cmd.args([
        "--check",
        "--output-format",
        "concise",
        "--no-respect-gitignore",
        "--no-progress",
        "--isolated",
    ])
    // site-packages is skipped while walking, so it is given explicitly.
    .args(trees);
    if prefilter {
        cmd.env_remove("FWMIGRATE_NO_PREFILTER");
    } else {
        cmd.env("FWMIGRATE_NO_PREFILTER", "1");
    }
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
#[ignore = "scans the whole standard library and site-packages; run with --ignored"]
fn no_findings_in_the_standard_library_and_site_packages() {
    let trees = python_trees();
    if trees.is_empty() {
        eprintln!("no python3 with a standard library; skipped");
        return;
    }
    eprintln!("checking {trees:?}");
    let findings = check(&trees, true);
    assert!(findings.is_empty(), "{}", findings.join("\n"));
    // Without the prefilter every file is parsed: still nothing but the syntax errors of test
    // data files that are broken on purpose (lib2to3's Python 2 samples, ...).
    let findings: Vec<String> = check(&trees, false)
        .into_iter()
        .filter(|l| !l.contains(": FW000 "))
        .collect();
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}
