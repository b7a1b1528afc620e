//! `fwmigrate doctor` and FW502 `installed-sdk`, end to end.
//!
//! - The environment fixtures in `tests/doctor/envs/` are Python environments reduced to what
//!   fwmigrate reads: `pyvenv.cfg` and `lib/python3.11/site-packages/*.dist-info/METADATA`
//!   (`stale`: fireworks-ai 1.2.3, `current`: 1.2.12, `empty`: no fireworks-ai).
//! - The real runs execute the legacy scripts of `tests/doctor/legacy/` with `python3` against
//!   the real cookbook (`$SHARED/cookbook-src/2026.08`) and the real `fireworks-ai` wheel (fetched
//!   once into `target/differential/`, shared with `tests/differential.rs`), made importable by
//!   `tests/doctor/site/sitecustomize.py`, and pipe Python's own traceback into
//!   `fwmigrate doctor -`. Without python3, the sources or the wheel they print why and pass,
//!   unless `FWMIGRATE_REQUIRE_DOCTOR=1` (set by `.ci/run`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::{fwmigrate, stdout, target_dir, text};

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/doctor")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A project folder with these files and, when given, one of the fixture environments as its
/// `.venv`.
fn project(files: &[(&str, &str)], venv: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("fwmigrate-doctor")
        .tempdir()
        .unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    if let Some(env) = venv {
        copy_tree(&here().join("envs").join(env), &dir.path().join(".venv"));
    }
    dir
}

/// `fwmigrate ARGS` in `dir`, without the environment variables that name environments.
fn run(dir: &Path, args: &[&str]) -> Output {
    fwmigrate()
        .current_dir(dir)
        .env_remove("VIRTUAL_ENV")
        .env_remove("CONDA_PREFIX")
        .args(args)
        .output()
        .unwrap()
}

/// `fwmigrate doctor ARGS` in `dir` with `input` on stdin.
fn doctor(dir: &Path, args: &[&str], input: &str, env: &[(&str, &Path)]) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fwmigrate"));
    cmd.current_dir(dir)
        .env_remove("VIRTUAL_ENV")
        .env_remove("CONDA_PREFIX")
        .env_remove("NO_COLOR")
        .arg("doctor")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `(file, row, code, message)` of `--check --output-format json`.
fn findings(out: &Output) -> Vec<(String, usize, String, String)> {
    let list: serde_json::Value = serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(out)));
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["filename"].as_str().unwrap().to_string(),
                f["location"]["row"].as_u64().unwrap() as usize,
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `fwmigrate --check --output-format json <args> .` in `dir`.
fn check_json(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--check", "--output-format", "json"];
    all.extend_from_slice(args);
    all.push(".");
    run(dir, &all)
}

fn fw502(out: &Output) -> Vec<(String, usize, String)> {
    findings(out)
        .into_iter()
        .filter(|f| f.2 == "FW502")
        .map(|f| (f.0, f.1, f.3))
        .collect()
}

const REQUIREMENTS: &str = "numpy\nfireworks-ai[training]\n";

#[test]
fn fw502_fires_on_an_environment_with_fireworks_ai_1_2_3_at_2026_08() {
    let p = project(&[("requirements.txt", REQUIREMENTS)], Some("stale"));
    let out = check_json(p.path(), &["--target", "2026.08"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let found = fw502(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    let (file, row, message) = &found[0];
    assert_eq!((file.as_str(), *row), ("requirements.txt", 2));
    assert_eq!(
        message,
        "fireworks-ai 1.2.3 is installed in .venv (from the project folder), outside >=1.2.9,<2, \
         the SDK range cookbook 2026.08 requires: a stale SDK fails with errors that look like \
         server bugs; run `.venv/bin/python -m pip install -U 'fireworks-ai[training]>=1.2.9,<2'`"
    );
}

#[test]
fn fw502_is_quiet_with_a_release_in_range() {
    let p = project(&[("requirements.txt", REQUIREMENTS)], Some("current"));
    let out = check_json(p.path(), &["--target", "2026.08"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(fw502(&out).is_empty());
    // 1.2.3 is in 2026.06's range (>=1.2.0a74).
    let p = project(&[("requirements.txt", REQUIREMENTS)], Some("stale"));
    let out = check_json(p.path(), &["--target", "2026.06"]);
    assert!(fw502(&out).is_empty(), "{}", text(&out));
    // No environment: nothing to say.
    let p = project(&[("requirements.txt", REQUIREMENTS)], None);
    let out = run(p.path(), &["--check", "--output-format", "json", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn fw502_holds_the_installed_release_against_the_projects_pin() {
    let p = project(
        &[(
            "pyproject.toml",
            "[project]\nname = \"x\"\ndependencies = [\n  \"fireworks-ai[training]>=1.2.25,<2\",\n]\n",
        )],
        Some("current"),
    );
    let out = run(p.path(), &["--check", "--output-format", "json", "."]);
    let found = fw502(&out);
    assert_eq!(found.len(), 1, "{}", text(&out));
    assert_eq!(found[0].1, 4);
    assert!(
        found[0].2.contains(
            "fireworks-ai 1.2.12 is installed in .venv (from the project folder), but the project \
             requires `fireworks-ai[training]>=1.2.25,<2` (pyproject.toml)"
        ),
        "{}",
        found[0].2
    );
}

#[test]
fn fw502_when_fireworks_ai_is_not_installed_stands_on_line_1() {
    let p = project(
        &[("pyproject.toml", "[project]\nname = \"x\"\n")],
        Some("empty"),
    );
    let out = run(p.path(), &["--check", "--output-format", "json", "."]);
    let found = fw502(&out);
    assert_eq!(found.len(), 1, "{}", text(&out));
    assert_eq!((found[0].0.as_str(), found[0].1), ("pyproject.toml", 1));
    assert!(
        found[0]
            .2
            .starts_with("fireworks-ai is not installed in .venv")
    );
    // `# fwmigrate: ignore[FW502]` and --ignore work as for any rule.
    let out = check_json(p.path(), &["--ignore", "FW502"]);
    assert!(fw502(&out).is_empty());
    std::fs::write(
        p.path().join("pyproject.toml"),
        "[project]  # fwmigrate: ignore[FW502]\nname = \"x\"\n",
    )
    .unwrap();
    let out = run(p.path(), &["--check", "--output-format", "json", "."]);
    assert!(fw502(&out).is_empty(), "{}", text(&out));
}

#[test]
fn check_looks_at_python_and_the_project_folder_never_at_the_active_environment() {
    let envs = here().join("envs");
    let p = project(&[("requirements.txt", REQUIREMENTS)], None);
    let stale = envs.join("stale");
    // $VIRTUAL_ENV and $CONDA_PREFIX belong to pre-commit's or the editor's environment.
    let out = fwmigrate()
        .current_dir(p.path())
        .env("VIRTUAL_ENV", &stale)
        .env("CONDA_PREFIX", &stale)
        .args(["--check", "--output-format", "json", "."])
        .output()
        .unwrap();
    assert!(fw502(&out).is_empty(), "{}", text(&out));
    // --python names an environment folder (or an interpreter, which must exist).
    let out = check_json(p.path(), &["--python", stale.to_str().unwrap()]);
    let found = fw502(&out);
    assert_eq!(found.len(), 1, "{}", text(&out));
    assert!(found[0].2.contains("(from --python)"), "{}", found[0].2);
    let missing = stale.join("bin/python3.99");
    let out = run(
        p.path(),
        &["--check", "--python", missing.to_str().unwrap(), "."],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("does not exist"), "{}", text(&out));
    // The configuration's `python`, relative to its folder.
    copy_tree(&stale, &p.path().join("envs/old"));
    std::fs::write(p.path().join("fwmigrate.toml"), "python = \"envs/old\"\n").unwrap();
    let out = run(p.path(), &["--check", "--output-format", "json", "."]);
    let found = fw502(&out);
    assert_eq!(found.len(), 1, "{}", text(&out));
    assert!(found[0].2.contains("fwmigrate.toml"), "{}", found[0].2);
    // Not an environment: exit 2, naming the setting.
    std::fs::write(p.path().join("fwmigrate.toml"), "python = \"nowhere\"\n").unwrap();
    let out = run(p.path(), &["--check", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("key `python`"), "{}", text(&out));
}

#[test]
fn show_settings_names_the_environment_or_that_none_was_found() {
    let p = project(&[("requirements.txt", REQUIREMENTS)], Some("stale"));
    let out = run(p.path(), &["--show-settings", "requirements.txt"]);
    assert!(
        stdout(&out).contains("python: .venv (from the project folder) — fireworks-ai 1.2.3\n"),
        "{}",
        text(&out)
    );
    let p = project(&[("requirements.txt", REQUIREMENTS)], None);
    let out = run(p.path(), &["--show-settings", "requirements.txt"]);
    assert!(
        stdout(&out).contains("python: none found (.venv/ and venv/ in "),
        "{}",
        text(&out)
    );
}

#[test]
fn doctor_takes_the_active_environment_and_puts_the_verdict_first() {
    let envs = here().join("envs");
    let p = project(&[("requirements.txt", REQUIREMENTS)], Some("current"));
    // $VIRTUAL_ENV comes before the project's .venv for doctor.
    let out = doctor(p.path(), &[], "", &[("VIRTUAL_ENV", &envs.join("stale"))]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let first = stdout(&out).lines().next().unwrap_or_default().to_string();
    assert!(
        first.starts_with("[✗] fireworks-ai 1.2.3 is installed in ")
            && first.contains("(from $VIRTUAL_ENV), outside >=1.2.9,<2"),
        "{}",
        text(&out)
    );
    assert!(
        stdout(&out).contains("\n    fix: ")
            && stdout(&out).contains("pip install -U 'fireworks-ai[training]>=1.2.9,<2'"),
        "{}",
        text(&out)
    );
    // Its FW502 finding (on requirements.txt) names the same environment.
    let out = doctor(
        p.path(),
        &["--output-format", "json"],
        "",
        &[("VIRTUAL_ENV", &envs.join("stale"))],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["environment"]["finding"]["filename"], "requirements.txt");
    assert_eq!(v["environment"]["finding"]["location"]["row"], 2);
    let message = v["environment"]["finding"]["message"].as_str().unwrap();
    assert!(message.contains("(from $VIRTUAL_ENV)"), "{message}");
    // Without it: the project's own, which is in range; no input, nothing else wrong: exit 0.
    let out = doctor(p.path(), &[], "", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).starts_with(
            "[✓] fireworks-ai 1.2.12 in .venv (from the project folder) satisfies >=1.2.9,<2"
        ),
        "{}",
        text(&out)
    );
    assert!(
        stdout(&out).contains("No run output given"),
        "{}",
        text(&out)
    );
    // $CONDA_PREFIX comes last.
    let bare = project(&[("requirements.txt", REQUIREMENTS)], None);
    let out = doctor(
        bare.path(),
        &[],
        "",
        &[("CONDA_PREFIX", &envs.join("stale"))],
    );
    assert!(
        stdout(&out).contains("(from $CONDA_PREFIX)"),
        "{}",
        text(&out)
    );
    // None at all: said, and the check goes on.
    let out = doctor(bare.path(), &[], "", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).starts_with("[!] No Python environment found ("),
        "{}",
        text(&out)
    );
}

#[test]
fn doctor_exit_status_and_json() {
    let p = project(&[("train.py", "print('hello')\n")], Some("current"));
    // A benign error needs nothing: exit 0; an error that needs action: exit 1.
    let benign = "grpc: FAILED_PRECONDITION: cannot cancel job in state: JOB_STATE_DELETED\n";
    let out = doctor(p.path(), &["-"], benign, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).contains("[i] Known error (input line 1)"),
        "{}",
        text(&out)
    );
    let shape = "RuntimeError: Failed to resolve latest validated training shape for x\n";
    let out = doctor(p.path(), &["-"], shape, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stdout(&out).contains("reach out to Fireworks support"),
        "{}",
        text(&out)
    );
    // Nothing recognisable: said, exit 0.
    let out = doctor(
        p.path(),
        &["-"],
        "ZeroDivisionError: division by zero\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).contains("No known error and no traceback"),
        "{}",
        text(&out)
    );
    // --log FILE, JSON.
    std::fs::write(p.path().join("run.log"), shape).unwrap();
    let out = doctor(
        p.path(),
        &["--log", "run.log", "--output-format", "json"],
        "",
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["environment"]["fireworks_ai"], "1.2.12");
    assert_eq!(v["environment"]["ok"], true);
    assert_eq!(v["known_errors"][0]["id"], "training-shape-resolution");
    assert_eq!(
        v["known_errors"][0]["rules"],
        serde_json::json!(["FW205", "FW206"])
    );
    assert_eq!(v["input"]["lines"], 1);
    // A missing log is a usage error.
    let out = doctor(p.path(), &["--log", "missing.log"], "", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn a_folder_named_doctor_is_checked_as_dot_slash_doctor() {
    let p = project(
        &[(
            "doctor/train.py",
            "from training.utils import InfraConfig\nx = InfraConfig()\n",
        )],
        None,
    );
    let out = run(p.path(), &["./doctor"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(stdout(&out).contains("FW001"), "{}", text(&out));
    let out = Command::new(env!("CARGO_BIN_EXE_fwmigrate"))
        .args(["doctor", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("--log <FILE>"), "{}", text(&out));
}

#[test]
fn doctor_finds_frames_of_a_log_from_another_machine() {
    let source = "from training.recipes import rl_loop\nfrom training.utils import InfraConfig\n\n\
                  cfg = rl_loop.Config(\n    log_path=\"l\",\n    infra=InfraConfig(),\n)\n";
    let p = project(&[("scripts/train.py", source)], Some("current"));
    let log = "Traceback (most recent call last):\n  \
               File \"/home/runner/work/proj/proj/scripts/train.py\", line 4, in <module>\n    \
               cfg = rl_loop.Config(\n\
               TypeError: Config.__init__() got an unexpected keyword argument 'infra'\n";
    let out = doctor(p.path(), &["-"], log, &[]);
    let s = stdout(&out);
    assert!(
        s.contains("  scripts/train.py:4 in <module> (statement: lines 4-7)\n    [✗] scripts/train.py:6:5: FW002 [*]"),
        "{s}"
    );
    assert!(
        s.contains("        fix: fwmigrate --apply scripts/train.py\n"),
        "{s}"
    );
    // A frame whose statement has no finding lists the file's other findings.
    let log = "Traceback (most recent call last):\n  \
               File \"/home/runner/work/proj/proj/scripts/train.py\", line 1, in <module>\n    \
               from training.recipes import rl_loop\n\
               ImportError: cannot import name 'rl_loop' from 'training.recipes'\n";
    let s = stdout(&doctor(p.path(), &["-"], log, &[]));
    assert!(
        s.contains(
            "  scripts/train.py:1 in <module>\n    [✓] no finding in this statement\n    \
             elsewhere in this file:\n    [✗] scripts/train.py:6:5: FW002 [*]"
        ),
        "{s}"
    );
}

// --- Real runs ------------------------------------------------------------------------------

fn python() -> Option<String> {
    ["python3", "python"].into_iter().find_map(|py| {
        let out = Command::new(py)
            .args(["-c", "import sys; print(sys.version_info >= (3, 10))"])
            .output()
            .ok()?;
        (out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "True")
            .then(|| py.to_string())
    })
}

fn cookbook_src() -> PathBuf {
    if let Some(dir) = std::env::var_os("FWMIGRATE_COOKBOOK_SRC") {
        return PathBuf::from(dir);
    }
    let shared = std::env::var_os("SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    shared.join("cookbook-src")
}

/// What a real run needs: the interpreter and `FWMIGRATE_DOCTOR_SITE` for the sitecustomize,
/// and the unpacked SDK wheel. `Err(why)` when something is missing.
struct RealSite {
    python: String,
    site: String,
    sdk: PathBuf,
}

const SDK: &str = "1.2.30";

fn real_site() -> Result<RealSite, String> {
    let python = python().ok_or("no python3 (3.10 or newer) on PATH")?;
    let cookbook = cookbook_src().join("2026.08");
    if !cookbook.join("training/__init__.py").is_file() {
        return Err(format!(
            "no cookbook sources at {} (set FWMIGRATE_COOKBOOK_SRC or SHARED)",
            cookbook.display()
        ));
    }
    let helpers = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential");
    let cache = target_dir().join("differential");
    let script = "import json, sys\n\
                  sys.path.insert(0, sys.argv[1])\n\
                  import sources\n\
                  from pathlib import Path\n\
                  try:\n    sdk, extra = sources.prepare(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))\n\
                  except sources.Unavailable as e:\n    print(e, file=sys.stderr); sys.exit(3)\n\
                  print(json.dumps({'helpers': sys.argv[1], 'cookbook': sys.argv[2], 'sdk': str(sdk), \
                  'extra': {k: str(v) for k, v in extra.items()}}))\n";
    let out = Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(&helpers)
        .arg(&cookbook)
        .arg(SDK)
        .arg(&cache)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "the SDK wheel is unavailable: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let site = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let json: serde_json::Value = serde_json::from_str(&site).map_err(|e| e.to_string())?;
    Ok(RealSite {
        python,
        sdk: PathBuf::from(json["sdk"].as_str().unwrap_or_default()),
        site,
    })
}

/// Run `script` as a user would, `python3 SCRIPT 2>&1 | fwmigrate doctor -`, in a project
/// holding the script and a `.venv` with the real wheel's `dist-info`. `None` when skipped.
fn real_run(script: &str) -> Option<(String, String)> {
    let require = std::env::var("FWMIGRATE_REQUIRE_DOCTOR").is_ok_and(|v| v == "1");
    let site = match real_site() {
        Ok(s) => s,
        Err(why) => {
            assert!(!require, "FWMIGRATE_REQUIRE_DOCTOR=1 but {why}");
            eprintln!("SKIPPED: doctor's real runs: {why}");
            return None;
        }
    };
    let p = project(&[], None);
    std::fs::copy(here().join("legacy").join(script), p.path().join(script)).unwrap();
    // The environment the run used: the wheel's own metadata, in a virtual environment's place.
    let dist_info = format!("fireworks_ai-{SDK}.dist-info");
    copy_tree(
        &site.sdk.join(&dist_info),
        &p.path()
            .join(".venv/lib/python3.11/site-packages")
            .join(&dist_info),
    );
    std::fs::write(p.path().join(".venv/pyvenv.cfg"), "version = 3.11\n").unwrap();
    // The script's own run, for the failure message (and to see it fails as expected).
    let bin = Path::new(env!("CARGO_BIN_EXE_fwmigrate")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let python_cmd = if site.python == "python3" {
        "python3".to_string()
    } else {
        site.python.clone()
    };
    let piped = Command::new("sh")
        .arg("-c")
        .arg(format!("{python_cmd} {script} 2>&1 | fwmigrate doctor -"))
        .current_dir(p.path())
        .env("PATH", &path)
        .env("PYTHONPATH", here().join("site"))
        .env("FWMIGRATE_DOCTOR_SITE", &site.site)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("VIRTUAL_ENV")
        .env_remove("CONDA_PREFIX")
        .output()
        .unwrap();
    let python_alone = Command::new(&site.python)
        .arg(script)
        .current_dir(p.path())
        .env("PYTHONPATH", here().join("site"))
        .env("FWMIGRATE_DOCTOR_SITE", &site.site)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    Some((text(&python_alone), text(&piped)))
}

#[test]
fn real_run_infra_type_error_points_at_fw002_and_fwmigrate_apply() {
    let Some((python, doctor)) = real_run("legacy_launch.py") else {
        return;
    };
    assert!(
        python.contains("TypeError: Config.__init__() got an unexpected keyword argument 'infra'"),
        "the legacy script did not fail as expected:\n{python}"
    );
    // The installed SDK first: the real wheel's release, in the 2026.08 range.
    assert!(
        doctor.starts_with(&format!(
            "[✓] fireworks-ai {SDK} in .venv (from the project folder) satisfies >=1.2.9,<2"
        )),
        "{doctor}"
    );
    // The failing statement (lines 6-12), its FW002 finding at `infra=` and the fix.
    let frame = "\nTraceback: TypeError: Config.__init__() got an unexpected keyword argument 'infra'\n  \
                 legacy_launch.py:6 in <module> (statement: lines 6-12)\n    \
                 [✗] legacy_launch.py:9:5: FW002 [*] ";
    assert!(
        doctor.contains(frame),
        "python:\n{python}\ndoctor:\n{doctor}"
    );
    let after = &doctor[doctor.find(frame).unwrap()..];
    assert!(
        after.contains("        fix: fwmigrate --apply legacy_launch.py\n"),
        "{doctor}"
    );
    // The known error, its remedy and its rules' findings.
    assert!(
        doctor.contains("[✗] Known error (input line ")
            && doctor.contains("    fix: fwmigrate --apply\n")
            && doctor.contains("    rules FW002, FW003, FW006, FW603: 1 finding in the project\n"),
        "{doctor}"
    );
}

#[test]
fn real_run_setup_infra_import_error_points_at_fw601_and_the_use() {
    let Some((python, doctor)) = real_run("legacy_setup.py") else {
        return;
    };
    assert!(
        python.contains("ImportError: cannot import name 'setup_infra' from 'training.utils'"),
        "the legacy script did not fail as expected:\n{python}"
    );
    // The import on line 3 is what Python rejects: FW601 reports it there; FW101 reports the
    // use on line 5, which its port rewrites.
    let frame =
        "  legacy_setup.py:3 in <module>\n    [✗] legacy_setup.py:3:41: FW601 `setup_infra` ";
    assert!(
        doctor.contains(frame),
        "python:\n{python}\ndoctor:\n{doctor}"
    );
    assert!(
        doctor.contains("    rules FW101, FW102, FW103, FW104, FW601: 2 findings in the project\n"),
        "{doctor}"
    );
    assert!(
        doctor.contains("    [✗] legacy_setup.py:5:9: FW101 `setup_infra()` no longer exists"),
        "{doctor}"
    );
}
