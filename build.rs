//! Records the commit this binary is built from, for `fwmigrate --version`.
//!
//! `FWMIGRATE_COMMIT_HASH` (and optionally `FWMIGRATE_COMMIT_DATE`, `YYYY-MM-DD`) name it
//! explicitly: the release workflow sets them, since some of its builds run in containers where
//! git may refuse the mounted checkout. Otherwise `git log` in this checkout names it. A build
//! from an sdist or a crates.io package has no git metadata of its own and records nothing.
//!
//! Only `main.rs` reads the result, so a new commit recompiles that file and relinks, nothing
//! else.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    // Without any rerun-if-changed line cargo would rerun this script on every change in the
    // package (the whole repository).
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=FWMIGRATE_COMMIT_HASH");
    println!("cargo:rerun-if-env-changed=FWMIGRATE_COMMIT_DATE");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    if let Some(commit) = from_env().or_else(|| from_git(&root)) {
        println!("cargo:rustc-env=FWMIGRATE_COMMIT={commit}");
    }
}

/// `abcdef123 2026-07-20` (or just the hash) from the environment.
fn from_env() -> Option<String> {
    let hash = std::env::var("FWMIGRATE_COMMIT_HASH").ok()?;
    let hash = hash.trim();
    if hash.is_empty() || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let short = &hash[..hash.len().min(9)];
    match std::env::var("FWMIGRATE_COMMIT_DATE") {
        Ok(date) if !date.trim().is_empty() => Some(format!("{short} {}", date.trim())),
        _ => Some(short.to_string()),
    }
}

/// `abcdef123 2026-07-20` from this checkout's git metadata.
fn from_git(root: &Path) -> Option<String> {
    // Only this checkout's own: a source tree unpacked inside another repository must not
    // report that repository's commit. (`.git` is a file in a worktree.)
    if !root.join(".git").exists() {
        return None;
    }
    // Rerun when HEAD moves: HEAD itself (a worktree has its own), the branch it names, and
    // packed-refs (a fresh clone keeps most refs there). Missing files are not named: cargo
    // would rerun this script on every build.
    let git_dir = root.join(git(root, &["rev-parse", "--git-dir"])?);
    let common_dir = root.join(git(root, &["rev-parse", "--git-common-dir"])?);
    let head = git_dir.join("HEAD");
    let mut watched = vec![head.clone(), common_dir.join("packed-refs")];
    if let Some(branch) = std::fs::read_to_string(&head)
        .ok()
        .and_then(|h| h.strip_prefix("ref: ").map(|r| r.trim().to_string()))
    {
        watched.push(common_dir.join(branch));
    }
    for path in watched.iter().filter(|p| p.is_file()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    git(
        root,
        &["log", "-1", "--date=short", "--abbrev=9", "--format=%h %cd"],
    )
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_string())
}
