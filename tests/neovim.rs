//! `fwmigrate server` in a real editor: headless Neovim (0.7 or newer) and its built-in LSP
//! client run `tests/editors/neovim.lua` on a legacy script. The diagnostics it receives must
//! be those of `fwmigrate --check --output-format json`, and the file it writes after the
//! fix-all action must be what `fwmigrate --apply` writes.
//!
//! Skipped (with a message) when `nvim` cannot be found, unless `FWMIGRATE_REQUIRE_NEOVIM=1`
//! (set by `.ci/run`, which installs Neovim), which turns the skip into a failure.
//! `FWMIGRATE_NVIM` names another Neovim binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{fwmigrate, stdout, text, text as text_of};

const LEGACY: &str = include_str!("../crates/fwmigrate_server/tests/fixtures/legacy_launch.py");

/// The Neovim to use, or `None` (after saying why) when the test may be skipped.
fn neovim() -> Option<PathBuf> {
    let require = std::env::var("FWMIGRATE_REQUIRE_NEOVIM").is_ok_and(|v| v == "1");
    let nvim = std::env::var_os("FWMIGRATE_NVIM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("nvim"));
    let version = Command::new(&nvim).arg("--version").output();
    let why = match &version {
        Ok(out) if out.status.success() => {
            let first = String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            // `NVIM v0.7.2`
            let numbers: Vec<u32> = first
                .trim_start_matches("NVIM v")
                .split(['.', '-'])
                .take(2)
                .filter_map(|n| n.parse().ok())
                .collect();
            if numbers.len() == 2 && (numbers[0], numbers[1]) >= (0, 7) {
                return Some(nvim);
            }
            format!("{first:?} is older than Neovim 0.7")
        }
        Ok(out) => format!("`{} --version` failed: {}", nvim.display(), text(out)),
        Err(e) => format!("cannot run `{}`: {e}", nvim.display()),
    };
    assert!(!require, "FWMIGRATE_REQUIRE_NEOVIM=1 but {why}");
    eprintln!("SKIPPED: Neovim test: {why} (apt-get install neovim)");
    None
}

/// (code, start line, start character, end line, end character), 0-based.
type Span = (String, u64, u64, u64, u64);

fn lsp_spans(diags: &Value) -> Vec<Span> {
    diags
        .as_array()
        .expect("a list of diagnostics")
        .iter()
        .map(|d| {
            let r = &d["range"];
            let n = |v: &Value| v.as_u64().unwrap();
            (
                d["code"].as_str().unwrap().to_string(),
                n(&r["start"]["line"]),
                n(&r["start"]["character"]),
                n(&r["end"]["line"]),
                n(&r["end"]["character"]),
            )
        })
        .collect()
}

/// What `fwmigrate --check --output-format json FILE` reports, as LSP spans.
fn check_spans(dir: &Path, file: &str) -> Vec<Span> {
    let out = fwmigrate()
        .current_dir(dir)
        .args(["--check", "--output-format", "json", file])
        .output()
        .unwrap();
    let records: Vec<Value> =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    records
        .iter()
        .map(|r| {
            let n = |k: &str, f: &str| r[k][f].as_u64().unwrap() - 1;
            (
                r["code"].as_str().unwrap().to_string(),
                n("location", "row"),
                n("location", "column"),
                n("end_location", "row"),
                n("end_location", "column"),
            )
        })
        .collect()
}

/// Neovim's results for `name` with `text`: the diagnostics before and after the fix-all, and
/// the buffer written, all compared with the command line's on a copy in the same folder.
fn neovim_matches_the_command_line(nvim: &Path, name: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, text).unwrap();
    // The command line's answers, on a copy in the same folder (same configuration).
    let copy = format!("cli_copy_{name}");
    std::fs::write(dir.path().join(&copy), text).unwrap();
    let expected_before = check_spans(dir.path(), &copy);
    let apply = fwmigrate()
        .current_dir(dir.path())
        .args(["--apply", &copy])
        .output()
        .unwrap();
    assert_eq!(apply.status.code(), Some(1), "{}", text_of(&apply));
    let expected_text = std::fs::read_to_string(dir.path().join(&copy)).unwrap();
    assert_ne!(expected_text, text);
    let expected_after = check_spans(dir.path(), &copy);

    let result = dir.path().join("result.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editors/neovim.lua");
    let mut child = Command::new(nvim)
        .current_dir(dir.path())
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("FWMIGRATE_BIN", env!("CARGO_BIN_EXE_fwmigrate"))
        .env("FWMIGRATE_FILE", &file)
        .env("FWMIGRATE_OUT", &result)
        .env_remove("FWMIGRATE_DEBUG_PANIC_ON")
        .env_remove("FWMIGRATE_NO_PREFILTER")
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("Neovim did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let results = std::fs::read_to_string(&result).unwrap_or_else(|e| {
        panic!(
            "no results from Neovim ({e}); status {:?}\n{}{}",
            out.status,
            stdout(&out),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let results: Value = serde_json::from_str(&results).unwrap();
    assert!(
        results.get("error").is_none(),
        "the script failed: {}",
        results["error"]
    );
    assert!(out.status.success(), "{}", text_of(&out));

    assert_eq!(lsp_spans(&results["before"]), expected_before);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected_text);
    assert_eq!(lsp_spans(&results["after"]), expected_after);
    assert!(
        !expected_after.is_empty(),
        "the unsafe and display-only findings remain"
    );
}

#[test]
fn neovim_gets_the_diagnostics_and_the_fix_all_of_the_command_line() {
    let Some(nvim) = neovim() else { return };
    neovim_matches_the_command_line(&nvim, "legacy_launch.py", LEGACY);
}

/// A forked provisioning config: hand-set hardware (a safe fix) and keys provision.py drops.
const PROVISION_YAML: &str = "\
common:
  base_model: accounts/fireworks/models/qwen3-8b
  grad_accum: 4            # dropped by rl_loop.Config
trainers:
  policy:
    training_shape_id: accounts/fireworks/trainingShapes/qwen3-8b/versions/3
    accelerator_type: NVIDIA_H200_141GB
recipe:
  rft:
    trainer: policy
    reference_trainer: reference
";

#[test]
fn neovim_gets_the_diagnostics_of_a_provisioning_config() {
    let Some(nvim) = neovim() else { return };
    neovim_matches_the_command_line(&nvim, "fireworks_rft.yaml", PROVISION_YAML);
}
