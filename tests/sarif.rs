//! `--output-format sarif` checked by Microsoft's SARIF validator (`sarif-multitool validate`
//! from the npm package `@microsoft/sarif-multitool`), on the test cases of `tests/fixtures/`
//! (safe, unsafe and display-only fixes, dependency files, a syntax error, an empty run) and on
//! awkward paths and a notebook.
//!
//! The validator is installed with npm into `target/tmp/sarif-multitool` (kept between runs).
//! When it cannot be installed (no npm, offline) the test prints why and passes, unless
//! `FWMIGRATE_REQUIRE_SARIF=1` (set by `.ci/run`), which turns the skip into a failure.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::{LEGACY, fixture_cases, fwmigrate};

/// The validator release the test was written against.
const MULTITOOL: &str = "@microsoft/sarif-multitool@5.7.0";

/// The validator executable, installing it when needed; `None` (after printing why) when it
/// cannot be had and the caller may skip.
fn multitool() -> Option<PathBuf> {
    let require = std::env::var("FWMIGRATE_REQUIRE_SARIF").is_ok_and(|v| v == "1");
    let skip = |why: String| -> Option<PathBuf> {
        assert!(!require, "FWMIGRATE_REQUIRE_SARIF=1 but {why}");
        eprintln!("SKIPPED: SARIF validation: {why}");
        None
    };
    let platform = match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "darwin",
        "windows" => "win32",
        other => return skip(format!("no SARIF Multitool build for {other}")),
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif-multitool");
    let exe = dir
        .join("node_modules/@microsoft")
        .join(format!("sarif-multitool-{platform}"))
        .join(if platform == "win32" {
            "Sarif.Multitool.exe"
        } else {
            "Sarif.Multitool"
        });
    if !exe.is_file() {
        fs::create_dir_all(&dir).unwrap();
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        let out = Command::new(npm)
            .args(["install", "--prefix"])
            .arg(&dir)
            .args([
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--fetch-retries=1",
                "--fetch-timeout=60000",
                MULTITOOL,
            ])
            .output();
        match out {
            Err(e) => return skip(format!("cannot run npm: {e}")),
            Ok(o) if !o.status.success() => {
                return skip(format!(
                    "`npm install {MULTITOOL}` failed: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                ));
            }
            Ok(_) => {}
        }
        if !exe.is_file() {
            return skip(format!("npm installed no {}", exe.display()));
        }
    }
    Some(exe)
}

/// Validate SARIF files; returns every error and warning the validator reports, and how many
/// results (notes included) it produced.
fn validate(exe: &Path, files: &[PathBuf], out_dir: &Path) -> (Vec<String>, usize) {
    let log = out_dir.join("validation.sarif");
    let _ = fs::remove_file(&log);
    // Called directly, not through the npm `bin.js`, which hands arguments to a shell (and so
    // splits the `;` lists).
    let out = Command::new(exe)
        .args([
            "validate",
            "--rule-kind",
            "Sarif;Ghas",
            "--level",
            "Error;Warning;Note",
            "--output",
        ])
        .arg(&log)
        .args(files)
        .output()
        .expect("run the SARIF Multitool");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && log.is_file(),
        "the validator did not run:\n{text}"
    );
    let report: Value = serde_json::from_str(&fs::read_to_string(&log).unwrap()).unwrap();
    let results = report["runs"][0]["results"].as_array().unwrap();
    let problems = results
        .iter()
        .filter(|r| matches!(r["level"].as_str(), Some("error" | "warning") | None))
        .map(|r| {
            let file = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or("?");
            let args = r["message"]["arguments"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .unwrap_or_default();
            format!(
                "{} {} in {file}: {args}",
                r["level"].as_str().unwrap_or("error"),
                r["ruleId"].as_str().unwrap_or("?")
            )
        })
        .collect();
    (problems, results.len())
}

/// SARIF and JSON output of `fwmigrate --check .` run in `dir` (plus extra arguments).
fn sarif_and_json(dir: &Path, extra: &[&str]) -> (Value, Value) {
    let run = |format: &str| -> Value {
        let out = fwmigrate()
            .current_dir(dir)
            .args(["--check", "--output-format", format])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{format} in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{format} in {}: {e}", dir.display());
        })
    };
    (run("sarif"), run("json"))
}

/// What fwmigrate itself promises about its SARIF, next to what the validator checks.
fn check_shape(name: &str, sarif: &Value, json: &Value) {
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{name}: one rule entry per code");
    for r in rules {
        assert!(
            r["help"]["text"].as_str().is_some_and(|t| t.len() > 40),
            "{name}: rule {} has no help text",
            r["id"]
        );
    }
    let results = run["results"].as_array().expect("results is an array");
    let findings = json.as_array().unwrap();
    assert_eq!(
        results.len(),
        findings.len(),
        "{name}: one result per finding"
    );
    for (res, f) in results.iter().zip(findings) {
        assert_eq!(res["ruleId"], f["code"], "{name}");
        let i = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], f["code"], "{name}: ruleIndex");
        assert_eq!(res["message"]["text"], f["message"], "{name}");
        let fix = &f["fix"];
        let edits = fix["edits"].as_array().map_or(0, Vec::len);
        if f["cell"].is_null() {
            let region = &res["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], f["location"]["row"], "{name}");
            assert_eq!(region["startColumn"], f["location"]["column"], "{name}");
            assert_eq!(region["endLine"], f["end_location"]["row"], "{name}");
            assert_eq!(region["endColumn"], f["end_location"]["column"], "{name}");
        }
        if edits > 0 && f["cell"].is_null() {
            let sarif_fix = &res["fixes"][0];
            assert_eq!(sarif_fix["description"]["text"], fix["message"], "{name}");
            assert_eq!(
                sarif_fix["properties"]["applicability"], fix["applicability"],
                "{name}"
            );
            let reps = sarif_fix["artifactChanges"][0]["replacements"]
                .as_array()
                .unwrap();
            assert_eq!(reps.len(), edits, "{name}: one replacement per edit");
            for (rep, e) in reps.iter().zip(fix["edits"].as_array().unwrap()) {
                assert_eq!(rep["insertedContent"]["text"], e["content"], "{name}");
                assert_eq!(rep["deletedRegion"]["startLine"], e["location"]["row"]);
                assert_eq!(
                    rep["deletedRegion"]["endColumn"],
                    e["end_location"]["column"]
                );
            }
        } else {
            assert!(res["fixes"].is_null(), "{name}: a fix without edits");
            if !fix.is_null() {
                assert_eq!(
                    res["properties"]["fixApplicability"], fix["applicability"],
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn sarif_output_passes_the_sarif_validator() {
    let Some(exe) = multitool() else { return };
    let work = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut applicabilities = std::collections::BTreeSet::new();
    let mut empty_runs = 0;
    // sft-launch: safe fixes; grpo-provision: display-only (FW102), unsafe and no fix; sdk-pin:
    // dependency files; tuned-shapes: unsafe fixes only; syntax-error: a file that does not
    // parse; own-code: look-alikes, no finding at all.
    let cases = fixture_cases();
    assert!(cases.len() >= 6, "{cases:?}");
    for case in &cases {
        let name = case.file_name().unwrap().to_str().unwrap();
        let (sarif, json) = sarif_and_json(&case.join("input"), &["."]);
        check_shape(name, &sarif, &json);
        for f in json.as_array().unwrap() {
            if let Some(a) = f["fix"]["applicability"].as_str() {
                applicabilities.insert(a.to_string());
            }
        }
        if json.as_array().unwrap().is_empty() {
            empty_runs += 1;
        }
        let file = work.path().join(format!("{name}.sarif"));
        fs::write(&file, serde_json::to_string_pretty(&sarif).unwrap()).unwrap();
        files.push(file);
    }
    assert_eq!(empty_runs, 1, "own-code gives an empty run");
    for a in ["safe", "unsafe", "display-only"] {
        assert!(applicabilities.contains(a), "no {a} fix among the cases");
    }

    // Paths that need percent-encoding, an absolute path, a path outside the working directory,
    // and a notebook (cell-relative rows).
    let odd = work.path().join("odd");
    let sub = odd.join("sub dir");
    fs::create_dir_all(&sub).unwrap();
    fs::write(odd.join("100% a,b#c.py"), LEGACY).unwrap();
    fs::write(odd.join("outside.py"), LEGACY).unwrap();
    let cell: Vec<String> = LEGACY
        .split_inclusive('\n')
        .map(|l| serde_json::to_string(l).unwrap())
        .collect();
    fs::write(
        sub.join("nb.ipynb"),
        format!(
            r#"{{"cells": [{{"cell_type": "markdown", "metadata": {{}}, "source": ["notes\n"]}},
 {{"cell_type": "code", "execution_count": null, "metadata": {{}}, "outputs": [], "source": [{}]}}],
 "metadata": {{}}, "nbformat": 4, "nbformat_minor": 5}}"#,
            cell.join(", ")
        ),
    )
    .unwrap();
    let abs = odd.join("100% a,b#c.py");
    let (sarif, json) = sarif_and_json(
        &sub,
        &[
            ".",
            "../100% a,b#c.py",
            abs.to_str().unwrap(),
            "../outside.py",
        ],
    );
    check_shape("odd paths", &sarif, &json);
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"nb.ipynb"), "{uris:?}");
    assert!(
        uris.iter()
            .any(|u| u.starts_with("file:///") && u.ends_with("/odd/100%25%20a,b%23c.py")),
        "{uris:?}"
    );
    assert!(
        uris.iter().all(|u| !u.contains(' ') && !u.contains("/../")),
        "{uris:?}"
    );
    let nb = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["properties"]["cell"] == 2)
        .expect("a notebook result names its cell");
    assert_eq!(
        nb["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 1}),
        "cell rows are not file rows"
    );
    assert_eq!(nb["properties"]["cellRegion"]["startLine"], 8);
    let file = work.path().join("odd-paths.sarif");
    fs::write(&file, serde_json::to_string_pretty(&sarif).unwrap()).unwrap();
    files.push(file);

    let (problems, _) = validate(&exe, &files, work.path());
    assert!(
        problems.is_empty(),
        "the SARIF validator reports:\n{}",
        problems.join("\n")
    );

    // The harness can fail: a broken log (unencoded URI, missing message text) is reported.
    let mut broken: Value = serde_json::from_str(&fs::read_to_string(&files[0]).unwrap()).unwrap();
    let result = &mut broken["runs"][0]["results"][0];
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        Value::from("not a uri#1.py");
    result["message"] = serde_json::json!({});
    let file = work.path().join("broken.sarif");
    fs::write(&file, serde_json::to_string_pretty(&broken).unwrap()).unwrap();
    let (problems, _) = validate(&exe, &[file], work.path());
    assert!(
        problems.iter().any(|p| p.contains("SARIF1002")),
        "the validator missed an invalid URI: {problems:?}"
    );
}
