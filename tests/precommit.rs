//! The shipped `.pre-commit-hooks.yaml`, run by the real pre-commit: it clones this repository
//! at its committed HEAD, builds fwmigrate with `cargo install` (pre-commit's rust support) and
//! runs both hooks in a throw-away git repository.
//!
//! pre-commit is installed with pip into a temporary virtual environment. When that fails
//! (offline, no Python) the test prints why and passes, unless `FWMIGRATE_REQUIRE_PRECOMMIT=1`
//! (set by `.ci/run`), which turns the skip into a failure. Only committed work is tested: the
//! hooks come from `git rev-parse HEAD` of this checkout.
//!
//! The build inside pre-commit shares this workspace's target directory (`CARGO_TARGET_DIR`),
//! so it reuses the release artefacts of the dependencies instead of building them again.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

mod common;
use common::{target_dir, text};

const LEGACY: &str = r#"from training.recipes import sft_loop
from training.utils import InfraConfig


def go(job):
    cfg = sft_loop.Config(
        log_path="logs",
        infra=InfraConfig(training_shape_id="accounts/fireworks/trainingShapes/x"),
    )
    return sft_loop.main(cfg)
"#;

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

/// A virtual environment with pre-commit in it, or `None` (after printing why) when it cannot
/// be had and the caller may skip.
fn install_precommit(dir: &Path) -> Option<PathBuf> {
    let require = std::env::var("FWMIGRATE_REQUIRE_PRECOMMIT").is_ok_and(|v| v == "1");
    let skip = |why: String| -> Option<PathBuf> {
        assert!(!require, "FWMIGRATE_REQUIRE_PRECOMMIT=1 but {why}");
        eprintln!("SKIPPED: pre-commit hooks test: {why}");
        None
    };
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

    // The user's repository.
    let repo = tmp.path().join("repo");
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
            root.display()
        ),
    )
    .unwrap();
    ok(git(&repo, &["add", "."]), "git add");
    ok(git(&repo, &["commit", "-q", "-m", "start"]), "git commit");

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
