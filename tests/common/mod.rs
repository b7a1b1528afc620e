//! Helpers shared by the command-line tests (each test binary uses some of them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built `fwmigrate`, with the environment variables that change its behaviour removed.
pub fn fwmigrate() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fwmigrate"));
    cmd.env_remove("NO_COLOR")
        .env_remove("FWMIGRATE_NO_PREFILTER")
        .env_remove("FWMIGRATE_DEBUG_PANIC_ON")
        .arg("--no-progress");
    cmd
}

/// Run `fwmigrate` with `args` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    fwmigrate().current_dir(dir).args(args).output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Both streams of a finished process, for failure messages.
pub fn text(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// The workspace's target directory (where this test binary's `fwmigrate` was built).
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            dir
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)
        };
    }
    // `<target>/<profile>/fwmigrate`
    Path::new(env!("CARGO_BIN_EXE_fwmigrate"))
        .parent()
        .and_then(Path::parent)
        .expect("target directory")
        .to_path_buf()
}

/// The test cases in `tests/fixtures/` (folders with an `input/`), sorted.
pub fn fixture_cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("input").is_dir())
        .collect();
    cases.sort();
    cases
}

/// The case `tests/fixtures/<name>`.
pub fn fixture_case(name: &str) -> PathBuf {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    assert!(
        case.join("input").is_dir(),
        "no test case {}",
        case.display()
    );
    case
}

/// A case's expected findings (`file:line CODE`, the line may be `*`), from its `findings.txt`.
pub fn expected_findings(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("findings.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// A case's extra arguments (its `args` file, whitespace-separated).
pub fn case_args(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("args"))
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect()
}

/// A user and group id that owns nothing on the machine, for ownership tests run as root.
pub const OTHER_ID: u32 = 1234;

/// Whether the tests run as root (files owned by root's uid 0 in a fresh temporary folder).
#[cfg(unix)]
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::metadata(dir.path()).unwrap().uid() == 0
}

/// A legacy script: an `InfraConfig` in a recipe `Config` (FW001 and its import).
pub const LEGACY: &str = r#"from training.recipes import sft_loop
from training.utils import InfraConfig


def go(job):
    cfg = sft_loop.Config(
        log_path="logs",
        infra=InfraConfig(training_shape_id="accounts/fireworks/trainingShapes/x"),
    )
    return sft_loop.main(cfg)
"#;

/// The wheel `scripts/build-wheel` wrote for this version into `FWMIGRATE_WHEEL_DIR`.
pub fn built_wheel() -> Result<PathBuf, String> {
    let Some(dir) = std::env::var_os("FWMIGRATE_WHEEL_DIR") else {
        return Err(
            "FWMIGRATE_WHEEL_DIR is not set (build a wheel with `scripts/build-wheel DIR`)".into(),
        );
    };
    let prefix = format!("fwmigrate-{}-", env!("CARGO_PKG_VERSION"));
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", Path::new(&dir).display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(&prefix) && name.ends_with(".whl") && name.contains("manylinux")
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!(
            "no {prefix}*manylinux*.whl in {}",
            Path::new(&dir).display()
        )),
        many => panic!("more than one wheel for this version: {many:?}"),
    }
}
