//! `pip install .` (the root `pyproject.toml`, built by maturin with `bindings = "bin"`) puts a
//! working `fwmigrate` on the virtual environment's PATH, as ruff is installed.
//!
//! A fresh virtual environment, `pip install <this checkout>`, then that environment's
//! `fwmigrate --check` on a copy of a test case (`tests/fixtures/sft-launch`): the findings of
//! its `findings.txt` and exit status 1. pip fetches maturin from PyPI; when that fails (offline, no Python) the test prints
//! why and passes, unless `FWMIGRATE_REQUIRE_PIP_INSTALL=1` (set by `.ci/run`).
//!
//! maturin runs a release build of this workspace; the test points it at this workspace's target
//! directory (`CARGO_TARGET_DIR`), so after `cargo build --release` it only links.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

mod common;
use common::{expected_findings, fixture_case, stdout, target_dir, text};

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            fs::copy(entry.path(), dest).unwrap();
        }
    }
}

#[test]
fn pip_install_puts_a_working_fwmigrate_on_path() {
    let require = std::env::var("FWMIGRATE_REQUIRE_PIP_INSTALL").is_ok_and(|v| v == "1");
    let skip = |why: String| {
        assert!(!require, "FWMIGRATE_REQUIRE_PIP_INSTALL=1 but {why}");
        eprintln!("SKIPPED: pip install test: {why}");
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let case = fixture_case("sft-launch");

    let tmp = tempfile::tempdir().unwrap();
    let venv = tmp.path().join("venv");
    let made = ["python3", "python"].iter().any(|py| {
        Command::new(py)
            .args(["-m", "venv"])
            .arg(&venv)
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !made {
        return skip("cannot create a Python virtual environment (`python3 -m venv`)".into());
    }
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });

    let started = Instant::now();
    let out = Command::new(bin.join("python"))
        .args(["-m", "pip", "install", "--disable-pip-version-check"])
        .args(["--timeout", "30", "--retries", "1"])
        .arg(root)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .unwrap();
    if !out.status.success() {
        let shown = text(&out);
        // Only a missing build backend (no network) is a reason to skip; a failing build is not.
        if shown.contains("No matching distribution found for maturin")
            || shown.contains("Could not find a version that satisfies the requirement maturin")
        {
            return skip(format!("pip cannot fetch maturin:\n{shown}"));
        }
        panic!("pip install . failed:\n{shown}");
    }
    eprintln!("pip install . took {:.1}s", started.elapsed().as_secs_f64());

    let exe = bin.join(if cfg!(windows) {
        "fwmigrate.exe"
    } else {
        "fwmigrate"
    });
    assert!(exe.is_file(), "pip put no {}", exe.display());

    // The installed command, found on the environment's PATH, on a copy of the case.
    let work = tmp.path().join("case");
    copy_tree(&case.join("input"), &work);
    let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let out = Command::new("fwmigrate")
        .current_dir(&work)
        .args(["--check", "--output-format", "json", "."])
        .env("PATH", &path)
        .env_remove("FWMIGRATE_NO_PREFILTER")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<String> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f["filename"].as_str().unwrap(),
                f["location"]["row"],
                f["code"].as_str().unwrap()
            )
        })
        .collect();
    got.sort();
    let mut want = expected_findings(&case);
    want.sort();
    assert!(!want.is_empty());
    assert_eq!(got, want);

    // The same version, commit and tables as the binary cargo built from this checkout.
    let out = Command::new(&exe).arg("--version").output().unwrap();
    let own = Command::new(env!("CARGO_BIN_EXE_fwmigrate"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), stdout(&own));
    assert!(
        stdout(&out).starts_with(&format!("fwmigrate {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        stdout(&out)
    );
}
