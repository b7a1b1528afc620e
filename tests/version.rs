//! `fwmigrate --version`: the version, the commit the binary was built from (when it was built
//! in a git checkout, as this one), and the newest target and fireworks-ai release it knows,
//! which are what `--show-settings` reports for a file with no configuration and no SDK pin.

use std::fs;
use std::path::Path;
use std::process::Command;

mod common;
use common::{run, stdout, text};

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `(hash, date)` of the commit this checkout's binary must name, or `None` outside git.
fn built_from() -> Option<(String, Option<String>)> {
    if let Some(hash) = std::env::var("FWMIGRATE_COMMIT_HASH")
        .ok()
        .filter(|h| !h.is_empty())
    {
        let date = std::env::var("FWMIGRATE_COMMIT_DATE").ok();
        return Some((hash, date.filter(|d| !d.is_empty())));
    }
    if !Path::new(env!("CARGO_MANIFEST_DIR")).join(".git").exists() {
        return None;
    }
    let hash = git(&["rev-parse", "HEAD"])?;
    let date = git(&["log", "-1", "--date=short", "--format=%cd"])?;
    Some((hash, Some(date)))
}

#[test]
fn version_names_the_commit_and_the_newest_target_and_sdk_release() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["--version"]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = stdout(&out);
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 3, "{shown}");

    let first = format!("fwmigrate {}", env!("CARGO_PKG_VERSION"));
    match built_from() {
        None => assert_eq!(lines[0], first),
        Some((hash, date)) => {
            let inner = lines[0]
                .strip_prefix(&format!("{first} ("))
                .and_then(|rest| rest.strip_suffix(')'))
                .unwrap_or_else(|| panic!("no commit in {:?}", lines[0]));
            let (short, shown_date) = match inner.split_once(' ') {
                Some((h, d)) => (h, Some(d.to_string())),
                None => (inner, None),
            };
            assert!(short.len() >= 9, "{inner}");
            assert!(hash.starts_with(short), "{short} is not {hash}");
            assert_eq!(shown_date, date, "{inner}");
        }
    }

    // The newest target and SDK release are the defaults for a file nothing configures.
    fs::write(tmp.path().join("train.py"), "import os\n").unwrap();
    let out = run(tmp.path(), &["--show-settings", "train.py"]);
    assert!(out.status.success(), "{}", text(&out));
    let settings = stdout(&out);
    let setting = |key: &str| -> String {
        settings
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} in {settings}"))
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        lines[1],
        format!("newest target: {}", setting("target: ")),
        "{shown}"
    );
    assert_eq!(
        lines[2],
        format!("newest fireworks-ai release: {}", setting("sdk-version: ")),
        "{shown}"
    );

    // `-V` says the same.
    let out = run(tmp.path(), &["-V"]);
    assert_eq!(stdout(&out), shown);
}
