//! fwmigrate as Python users install it, in a fresh virtual environment each:
//!
//! - `pip install .` (the root `pyproject.toml`, built by maturin with `bindings = "bin"`) puts
//!   a working `fwmigrate` on the environment's PATH, as ruff is installed from source.
//! - The release wheel (`scripts/build-wheel DIR`, found through `FWMIGRATE_WHEEL_DIR`) installs
//!   with `pip install --no-index` and runs with nothing but the environment and `/usr/bin:/bin`
//!   on PATH (no cargo, no rustc): `--version`, `--check` and `--apply` on a test case, and the
//!   language server's `initialize` handshake.
//!
//! Each checks `fwmigrate --check` on a copy of a test case (`tests/fixtures/sft-launch`): the
//! findings of its `findings.txt` and exit status 1. When a test cannot run (no Python, pip
//! cannot fetch maturin, no wheel built) it prints why and passes, unless
//! `FWMIGRATE_REQUIRE_PIP_INSTALL=1` (set by `.ci/run`, which also builds the wheel).
//!
//! `pip install .` runs a release build of this workspace in this workspace's target directory
//! (`CARGO_TARGET_DIR`) with `MATURIN_STRIP=false`, so after `cargo build --release` it only
//! packages the binary: stripping would relink `target/release/fwmigrate` (minutes of LTO), and
//! the wheel test checks the stripped binary.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::{built_wheel, expected_findings, fixture_case, stdout, target_dir, text};

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

/// Print why the test cannot run and pass, or fail when `.ci/run` requires it.
fn skip(what: &str, why: &str) {
    let require = std::env::var("FWMIGRATE_REQUIRE_PIP_INSTALL").is_ok_and(|v| v == "1");
    assert!(!require, "FWMIGRATE_REQUIRE_PIP_INSTALL=1 but {why}");
    eprintln!("SKIPPED: {what}: {why}");
}

/// A fresh virtual environment in `dir`; its scripts folder (`bin/`).
fn make_venv(dir: &Path) -> Result<PathBuf, String> {
    let venv = dir.join("venv");
    let made = ["python3", "python"].iter().any(|py| {
        Command::new(py)
            .args(["-m", "venv"])
            .arg(&venv)
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !made {
        return Err("cannot create a Python virtual environment (`python3 -m venv`)".into());
    }
    Ok(venv.join(if cfg!(windows) { "Scripts" } else { "bin" }))
}

/// `file:row CODE` of each finding of `fwmigrate --check --output-format json .` in `dir`,
/// sorted, with `path` as the command's PATH; the exit status must be 1.
fn check_findings(dir: &Path, path: &std::ffi::OsStr) -> Vec<String> {
    let out = Command::new("fwmigrate")
        .current_dir(dir)
        .args(["--check", "--output-format", "json", "."])
        .env("PATH", path)
        .env_remove("FWMIGRATE_NO_PREFILTER")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
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
    got
}

fn sorted_expected(case: &Path) -> Vec<String> {
    let mut want = expected_findings(case);
    want.sort();
    assert!(!want.is_empty());
    want
}

/// `fwmigrate --version` of the binary cargo built from this checkout.
fn own_version() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_fwmigrate"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    stdout(&out)
}

#[test]
fn pip_install_puts_a_working_fwmigrate_on_path() {
    const WHAT: &str = "pip install test";
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let case = fixture_case("sft-launch");

    let tmp = tempfile::tempdir().unwrap();
    let bin = match make_venv(tmp.path()) {
        Ok(bin) => bin,
        Err(why) => return skip(WHAT, &why),
    };

    let started = Instant::now();
    let out = Command::new(bin.join("python"))
        .args(["-m", "pip", "install", "--disable-pip-version-check"])
        .args(["--timeout", "30", "--retries", "1"])
        .arg(root)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("MATURIN_STRIP", "false")
        .output()
        .unwrap();
    if !out.status.success() {
        let shown = text(&out);
        // Only a missing build backend (no network) is a reason to skip; a failing build is not.
        if shown.contains("No matching distribution found for maturin")
            || shown.contains("Could not find a version that satisfies the requirement maturin")
        {
            return skip(WHAT, &format!("pip cannot fetch maturin:\n{shown}"));
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
    assert_eq!(check_findings(&work, &path), sorted_expected(&case));

    // The same version, commit and tables as the binary cargo built from this checkout.
    let out = Command::new(&exe).arg("--version").output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), own_version());
    assert!(
        stdout(&out).starts_with(&format!("fwmigrate {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        stdout(&out)
    );
}

/// The language server's opening and closing handshake, through the `fwmigrate` on `path`:
/// `initialize` answers with the server's capabilities and name, and `shutdown` + `exit` end it
/// with status 0.
fn lsp_handshake(path: &std::ffi::OsStr) {
    let mut child = Command::new("fwmigrate")
        .arg("server")
        .env("PATH", path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let messages = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
               "params": {"processId": null, "rootUri": null, "capabilities": {}}}),
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
        json!({"jsonrpc": "2.0", "method": "exit"}),
    ];
    let mut stdin = child.stdin.take().unwrap();
    for message in &messages {
        let body = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    }
    drop(stdin);
    let (tx, rx) = channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let out = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the language server did not exit within 60 s of `exit`")
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // The answers, in the order asked.
    let mut answers = Vec::new();
    let mut rest = out.stdout.as_slice();
    while !rest.is_empty() {
        let head_end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(rest)));
        let head = String::from_utf8_lossy(&rest[..head_end]).to_string();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .unwrap_or_else(|| panic!("no Content-Length in {head:?}"))
            .trim()
            .parse()
            .unwrap();
        let body = &rest[head_end + 4..head_end + 4 + length];
        answers.push(serde_json::from_slice::<Value>(body).unwrap());
        rest = &rest[head_end + 4 + length..];
    }
    let answer = |id: i64| -> &Value {
        answers
            .iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("no answer to request {id} in {answers:?}"))
    };
    let init = &answer(1)["result"];
    assert_eq!(init["serverInfo"]["name"], "fwmigrate", "{init}");
    assert_eq!(
        init["serverInfo"]["version"],
        env!("CARGO_PKG_VERSION"),
        "{init}"
    );
    assert!(
        init["capabilities"]["textDocumentSync"].is_object(),
        "{init}"
    );
    assert!(
        init["capabilities"]["codeActionProvider"].is_object(),
        "{init}"
    );
    let shutdown = answer(2);
    assert!(
        shutdown.get("error").is_none() && shutdown["result"].is_null(),
        "{shutdown}"
    );
}

#[test]
fn built_wheel_installs_and_runs_without_a_compiler() {
    const WHAT: &str = "wheel install test";
    let wheel = match built_wheel() {
        Ok(wheel) => wheel,
        Err(why) => return skip(WHAT, &why),
    };
    let case = fixture_case("sft-launch");
    let tmp = tempfile::tempdir().unwrap();
    let bin = match make_venv(tmp.path()) {
        Ok(bin) => bin,
        Err(why) => return skip(WHAT, &why),
    };

    // Nothing but the environment and the system's own folders: no cargo, no rustc.
    let path = std::env::join_paths([bin.clone(), "/usr/bin".into(), "/bin".into()]).unwrap();
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

    let out = Command::new(bin.join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--no-index",
            "--disable-pip-version-check",
        ])
        .arg(&wheel)
        .env("PATH", &path)
        .env_remove("PIP_FIND_LINKS")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pip install {}:\n{}",
        wheel.display(),
        text(&out)
    );
    assert!(bin.join("fwmigrate").is_file(), "{}", text(&out));

    // --version: this checkout's version, commit and tables.
    let out = Command::new("fwmigrate")
        .arg("--version")
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), own_version());

    // --check on a copy of the case: its findings, exit 1, nothing written.
    let work = tmp.path().join("case");
    copy_tree(&case.join("input"), &work);
    let script = work.join("tune_summaries.py");
    let before = fs::read_to_string(&script).unwrap();
    assert_eq!(check_findings(&work, &path), sorted_expected(&case));
    assert_eq!(fs::read_to_string(&script).unwrap(), before);

    // --apply rewrites it exactly as the binary cargo built from this checkout does.
    let apply = |cmd: &mut Command, dir: &Path| {
        let out = cmd
            .current_dir(dir)
            .args(["--apply", "--no-progress", "."])
            .env_remove("FWMIGRATE_NO_PREFILTER")
            .output()
            .unwrap();
        (
            out.status.code(),
            fs::read_to_string(dir.join("tune_summaries.py")).unwrap(),
        )
    };
    let (status, applied) = apply(Command::new("fwmigrate").env("PATH", &path), &work);
    let reference = tmp.path().join("reference");
    copy_tree(&case.join("input"), &reference);
    let (own_status, own_applied) = apply(
        &mut Command::new(env!("CARGO_BIN_EXE_fwmigrate")),
        &reference,
    );
    assert_ne!(applied, before, "--apply changed nothing");
    assert_eq!(applied, own_applied);
    assert_eq!(status, own_status);

    lsp_handshake(&path);
}
