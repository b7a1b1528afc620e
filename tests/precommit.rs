//! The pre-commit hooks, run by the real pre-commit in throw-away git repositories:
//!
//! - The shipped `.pre-commit-hooks.yaml` (`language: rust`): pre-commit clones this repository
//!   at its committed HEAD, builds fwmigrate with `cargo install` (pre-commit's rust support)
//!   and runs both hooks. Only committed work is tested: the hooks come from
//!   `git rev-parse HEAD` of this checkout. The build shares this workspace's target directory
//!   (`CARGO_TARGET_DIR`), so it reuses the release artefacts of the dependencies.
//! - The pre-commit mirror (`language: python`, rendered by `scripts/render-pre-commit-mirror`
//!   for this version): pre-commit installs the release wheel (`scripts/build-wheel`, found
//!   through `FWMIGRATE_WHEEL_DIR`) with pip from a local folder, with `PIP_NO_INDEX=1` and no
//!   cargo or rustc on PATH, and runs both hooks with `--all-files`.
//!
//! pre-commit is installed with pip into a temporary virtual environment, and the mirror's
//! build backend (setuptools) is fetched with `pip download`. When either fails (offline, no
//! Python) or no wheel was built, the test prints why and passes, unless
//! `FWMIGRATE_REQUIRE_PRECOMMIT=1` (set by `.ci/run`), which turns the skip into a failure.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

mod common;
use common::{LEGACY, built_wheel, target_dir, text};

const CLEAN: &str = "import os\n\nprint(os.getcwd())\n";

/// An SDK pin FW501 reports (its fix is unsafe, so `--apply` leaves it).
const OLD_PIN: &str = "fireworks-ai[training]==1.2.0a60\n";

/// Mentions the legacy API but is no Python file: the hooks must not pass it to fwmigrate.
const README: &str = "Call `setup_infra(InfraConfig(...))` as before.\n";

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=fwmigrate tests",
            "-c",
            "user.email=tests@fwmigrate.invalid",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .unwrap()
}

fn ok(o: Output, what: &str) -> String {
    assert!(o.status.success(), "{what} failed:\n{}", text(&o));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Print why the test cannot run and return `None`, or fail when `.ci/run` requires it.
fn skip<T>(why: String) -> Option<T> {
    let require = std::env::var("FWMIGRATE_REQUIRE_PRECOMMIT").is_ok_and(|v| v == "1");
    assert!(!require, "FWMIGRATE_REQUIRE_PRECOMMIT=1 but {why}");
    eprintln!("SKIPPED: pre-commit hooks test: {why}");
    None
}

/// A virtual environment with pre-commit in it, or `None` (after printing why) when it cannot
/// be had and the caller may skip.
fn install_precommit(dir: &Path) -> Option<PathBuf> {
    let venv = dir.join("venv");
    let made = ["python3", "python"].iter().find_map(|py| {
        Command::new(py)
            .args(["-m", "venv"])
            .arg(&venv)
            .output()
            .ok()
            .filter(|o| o.status.success())
    });
    if made.is_none() {
        return skip("cannot create a Python virtual environment (`python3 -m venv`)".into());
    }
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
    let out = Command::new(bin.join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--timeout", "30", "--retries", "1", "pre-commit>=2.9,<5"])
        .output()
        .unwrap();
    if !out.status.success() {
        return skip(format!("`pip install pre-commit` failed:\n{}", text(&out)));
    }
    Some(bin)
}

/// The user's repository, committed: a legacy script, a clean one, an old SDK pin, a README,
/// and a `.pre-commit-config.yaml` with both hooks of the hook repository `hooks` at `rev`.
fn user_repo(dir: &Path, hooks: &Path, rev: &str) -> PathBuf {
    let repo = dir.join("repo");
    fs::create_dir(&repo).unwrap();
    ok(git(&repo, &["init", "-q"]), "git init");
    fs::write(repo.join("legacy.py"), LEGACY).unwrap();
    fs::write(repo.join("clean.py"), CLEAN).unwrap();
    fs::write(repo.join("requirements-train.txt"), OLD_PIN).unwrap();
    fs::write(repo.join("README.md"), README).unwrap();
    fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: fwmigrate\n      - id: fwmigrate-apply\n",
            hooks.display()
        ),
    )
    .unwrap();
    ok(git(&repo, &["add", "."]), "git add");
    ok(git(&repo, &["commit", "-q", "-m", "start"]), "git commit");
    repo
}

#[test]
fn precommit_hooks_check_and_apply() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let Some(venv_bin) = install_precommit(tmp.path()) else {
        return;
    };
    let rev = ok(git(root, &["rev-parse", "HEAD"]), "git rev-parse HEAD");
    ok(
        git(root, &["cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"]),
        ".pre-commit-hooks.yaml must be committed",
    );

    let repo = user_repo(tmp.path(), root, &rev);

    let path = std::env::join_paths(std::iter::once(venv_bin.clone()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let precommit = |args: &[&str]| -> Output {
        Command::new(venv_bin.join("pre-commit"))
            .current_dir(&repo)
            .args(args)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", tmp.path().join("cache"))
            .env("CARGO_TARGET_DIR", target_dir())
            .env_remove("NO_COLOR")
            .env_remove("FWMIGRATE_NO_PREFILTER")
            .output()
            .unwrap()
    };

    // pre-commit clones the hook repository and runs `cargo install --bins --root <env> --path .`.
    let started = Instant::now();
    ok(precommit(&["install-hooks"]), "pre-commit install-hooks");
    eprintln!(
        "pre-commit built the hooks in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    // Check hook: fails on the legacy script and the old pin, names the codes; README.md is not
    // passed (it would be read as Python).
    let out = precommit(&[
        "run",
        "fwmigrate",
        "--files",
        "legacy.py",
        "clean.py",
        "requirements-train.txt",
        "README.md",
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("legacy.py:8:15: FW001"), "{shown}");
    assert!(
        shown.contains("requirements-train.txt:1:1: FW501"),
        "{shown}"
    );
    assert!(!shown.contains("README"), "{shown}");
    assert_eq!(fs::read_to_string(repo.join("legacy.py")).unwrap(), LEGACY);

    // Check hook on a clean script passes.
    let out = precommit(&["run", "fwmigrate", "--files", "clean.py"]);
    assert!(out.status.success(), "{}", text(&out));

    // Apply hook: rewrites the script and fails the run so the user sees the change.
    let out = precommit(&["run", "fwmigrate-apply", "--files", "legacy.py"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("files were modified by this hook"),
        "{shown}"
    );
    let fixed = fs::read_to_string(repo.join("legacy.py")).unwrap();
    assert!(
        fixed.contains("trainer=TrainerConfig(") && !fixed.contains("InfraConfig"),
        "{fixed}"
    );

    // Once fixed, both hooks pass on it.
    let out = precommit(&["run", "fwmigrate-apply", "--files", "legacy.py"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = precommit(&["run", "fwmigrate", "--files", "legacy.py"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn precommit_mirror_installs_the_wheel_without_rust() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let version = env!("CARGO_PKG_VERSION");
    let Some(wheel) = built_wheel().map_or_else(skip, Some) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let Some(venv_bin) = install_precommit(tmp.path()) else {
        return;
    };

    // The folder pip installs from: the wheel and the mirror's build backend.
    let links = tmp.path().join("links");
    fs::create_dir(&links).unwrap();
    fs::copy(&wheel, links.join(wheel.file_name().unwrap())).unwrap();
    let out = Command::new(venv_bin.join("python"))
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--timeout", "30", "--retries", "1", "--no-deps", "--dest"])
        .arg(&links)
        .arg("setuptools>=70.1")
        .output()
        .unwrap();
    if !out.status.success() {
        skip::<()>(format!("`pip download setuptools` failed:\n{}", text(&out)));
        return;
    }

    // The mirror repository for this version, tagged as the release workflow tags it.
    let mirror = tmp.path().join("mirror");
    let out = Command::new("bash")
        .arg(root.join("scripts/render-pre-commit-mirror"))
        .arg(version)
        .arg(&mirror)
        .output()
        .unwrap();
    ok(out, "scripts/render-pre-commit-mirror");
    let hooks = fs::read_to_string(mirror.join(".pre-commit-hooks.yaml")).unwrap();
    assert!(!hooks.contains("language: rust"), "{hooks}");
    ok(git(&mirror, &["init", "-q"]), "git init (mirror)");
    ok(git(&mirror, &["add", "."]), "git add (mirror)");
    ok(
        git(&mirror, &["commit", "-q", "-m", "mirror"]),
        "git commit (mirror)",
    );
    let tag = format!("v{version}");
    ok(git(&mirror, &["tag", &tag]), "git tag (mirror)");

    let repo = user_repo(tmp.path(), &mirror, &tag);

    // Nothing but pre-commit's environment and the system's own folders: no cargo, no rustc.
    let path = std::env::join_paths([venv_bin.clone(), "/usr/bin".into(), "/bin".into()]).unwrap();
    let toolchain = Command::new("sh")
        .args(["-c", "command -v cargo rustc"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        !toolchain.status.success(),
        "a Rust toolchain is on the test's PATH: {}",
        text(&toolchain)
    );
    let cache = tmp.path().join("cache");
    let precommit = |args: &[&str]| -> Output {
        Command::new(venv_bin.join("pre-commit"))
            .current_dir(&repo)
            .args(args)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", &cache)
            .env("PIP_FIND_LINKS", &links)
            .env("PIP_NO_INDEX", "1")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("NO_COLOR")
            .env_remove("FWMIGRATE_NO_PREFILTER")
            .output()
            .unwrap()
    };

    let started = Instant::now();
    ok(precommit(&["install-hooks"]), "pre-commit install-hooks");
    eprintln!(
        "pre-commit installed the mirror's hooks in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    // The hooks run the wheel's binary, of this checkout.
    let installed: Vec<PathBuf> = fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .flat_map(|repo| fs::read_dir(repo.path()).into_iter().flatten().flatten())
        .map(|env| env.path().join("bin/fwmigrate"))
        .filter(|exe| exe.is_file())
        .collect();
    assert_eq!(installed.len(), 1, "{installed:?}");
    let own = Command::new(env!("CARGO_BIN_EXE_fwmigrate"))
        .arg("--version")
        .output()
        .unwrap();
    let theirs = Command::new(&installed[0])
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(text(&theirs), text(&own));

    // Check hook: fails on the legacy script and the old pin, changes nothing; README.md is not
    // passed.
    let out = precommit(&["run", "fwmigrate", "--all-files"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("legacy.py:8:15: FW001"), "{shown}");
    assert!(
        shown.contains("requirements-train.txt:1:1: FW501"),
        "{shown}"
    );
    assert!(
        !shown.contains("clean.py") && !shown.contains("README"),
        "{shown}"
    );
    assert_eq!(fs::read_to_string(repo.join("legacy.py")).unwrap(), LEGACY);

    // Both hooks, as a commit runs them: the check hook (first in the config) reports the
    // legacy script, the apply hook rewrites it, and the run fails so the user sees the change.
    let out = precommit(&["run", "--all-files"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("legacy.py:8:15: FW001"), "{shown}");
    assert!(
        shown.contains("files were modified by this hook"),
        "{shown}"
    );
    let fixed = fs::read_to_string(repo.join("legacy.py")).unwrap();
    assert!(
        fixed.contains("trainer=TrainerConfig(") && !fixed.contains("InfraConfig"),
        "{fixed}"
    );

    // Run again: the script now passes both hooks; the pin (an unsafe fix, so --apply leaves
    // it) is still reported, by both hooks, and still fails the run.
    let out = precommit(&["run", "--files", "legacy.py"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = precommit(&["run", "--all-files"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(!shown.contains("legacy.py"), "{shown}");
    assert!(
        shown.contains("requirements-train.txt:1:1: FW501"),
        "{shown}"
    );
    assert_eq!(fs::read_to_string(repo.join("legacy.py")).unwrap(), fixed);
}
