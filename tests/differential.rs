//! The conformance rules (FW601 missing-name, FW602 missing-attribute, FW603
//! arguments-do-not-bind) against real Python.
//!
//! `tests/differential/generate.py` imports the real cookbook at a target release and the real
//! SDK (`fireworks-ai` wheel) with stand-ins for torch, transformers and the other heavy
//! packages, and writes Python scripts with one case a line: every import of a module or name
//! that an older snapshot had, and calls of every public function, class and method built from
//! its own signature and from each older snapshot's signature of it. The runs cover both
//! aliases and ten other tags spread over the range, each with the newest SDK its range admits
//! and a few with the oldest. Python judges each (the import executed, the call bound with
//! `inspect.signature(...).bind(...)`); a JSON sidecar per script holds the verdicts. This test
//! runs fwmigrate on the scripts and requires: a finding from FW601–FW603 on every line that
//! Python rejects, none on any other line.
//!
//! It needs `python3` (3.10 or newer), `git`, the cookbook's history
//! (`$SHARED/cookbook-history.bundle`; cloned once into
//! `target/differential/cookbook-history`, each tag exported once into
//! `target/differential/cookbook/<tag>/`; or instead `$FWMIGRATE_COOKBOOK_SRC`, a folder of
//! release folders named by tag) and the wheels (fetched once with `pip download --no-deps` into
//! `target/differential/`, or found in `$FWMIGRATE_DIFFERENTIAL_WHEELS`). Without them it prints
//! why and passes, unless `FWMIGRATE_REQUIRE_DIFFERENTIAL=1` (set by `.ci/run`).
//! `FWMIGRATE_DIFFERENTIAL_KEEP=1` keeps the generated cases and prints where they are.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{fwmigrate, stderr, stdout, target_dir, text};

/// (target release, SDK version) pairs checked: both aliases and tags spread over the range,
/// with the newest SDK (1.2.30) and, for some, the oldest their range admits. The older side
/// of each run is the generator's spread of the snapshots before the target.
const RUNS: &[(&str, &str)] = &[
    ("2026.05.19.1", "1.2.30"),
    ("2026.05.27.1", "1.2.0a70"),
    ("2026.06", "1.2.30"),
    ("2026.06", "1.2.0a74"),
    ("2026.06.05.1", "1.2.30"),
    ("2026.06.20.1", "1.2.30"),
    ("2026.07.06.1", "1.2.30"),
    ("2026.07.15.1", "1.2.30"),
    ("2026.07.23.2", "1.2.30"),
    ("2026.07.27.1", "1.2.4"),
    ("2026.08.07.1", "1.2.30"),
    ("2026.08.12.3", "1.2.30"),
    ("2026.08", "1.2.30"),
    ("2026.08", "1.2.9"),
];
/// The codes whose verdicts the cases decide.
const CODES: &[&str] = &["FW601", "FW602", "FW603"];
/// Disagreement rows printed in a failure message.
const SHOWN: usize = 50;
/// The generator's exit status when a source is unavailable (offline).
const UNAVAILABLE: i32 = 3;

struct Verdict {
    reject: bool,
    kind: String,
    why: String,
    subject: String,
    /// The snapshot the case was built from.
    from: String,
}

/// Known gaps: subjects (dotted names, or their prefixes) whose rejected cases fwmigrate may
/// miss, each with its reason, from `tests/differential/known-gaps.txt`. A gap never excuses a
/// finding on a call Python accepts.
fn known_gaps() -> Vec<String> {
    let text = include_str!("differential/known-gaps.txt");
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn is_known_gap(gaps: &[String], subject: &str) -> bool {
    gaps.iter().any(|g| {
        subject == g
            || subject
                .strip_prefix(g.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

struct Disagreement {
    run: String,
    kind: String,
    file: String,
    line: usize,
    case: String,
    python: String,
    fwmigrate: String,
}

#[derive(Default)]
struct Tally {
    accept: usize,
    reject: usize,
    imports: usize,
    calls: usize,
    missed: usize,
    false_alarms: usize,
    /// Rejected cases of a known gap (`known-gaps.txt`) without a finding.
    known: usize,
    /// Disagreements by case kind (`import-name`, `call-unknown-keyword`, `legacy-call`, ...).
    by_kind: BTreeMap<String, usize>,
}

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

/// Where the cookbook releases come from: `--cookbook-src DIR` when `FWMIGRATE_COOKBOOK_SRC`
/// names a folder of release folders, else `--bundle` with the history bundle.
fn cookbook_source() -> (&'static str, PathBuf) {
    if let Some(dir) = std::env::var_os("FWMIGRATE_COOKBOOK_SRC") {
        return ("--cookbook-src", PathBuf::from(dir));
    }
    let shared = std::env::var_os("SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    ("--bundle", shared.join("cookbook-history.bundle"))
}

/// `cases_NNN.py` -> line -> verdict, from the sidecars.
fn read_sidecars(dir: &Path) -> BTreeMap<String, BTreeMap<usize, Verdict>> {
    let mut all = BTreeMap::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with("cases_") && name.ends_with(".json")) {
            continue;
        }
        let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut lines = BTreeMap::new();
        for (line, case) in json.as_object().expect("a sidecar is an object") {
            let field = |k: &str| case[k].as_str().unwrap_or_default().to_string();
            lines.insert(
                line.parse().expect("sidecar keys are line numbers"),
                Verdict {
                    reject: field("verdict") == "reject",
                    kind: field("kind"),
                    why: field("why"),
                    subject: field("subject"),
                    from: field("from"),
                },
            );
        }
        all.insert(name.replace(".json", ".py"), lines);
    }
    all
}

/// (file name, line) -> codes, from fwmigrate's JSON output.
fn read_findings(json: &str) -> BTreeMap<(String, usize), BTreeSet<String>> {
    let mut found: BTreeMap<(String, usize), BTreeSet<String>> = BTreeMap::new();
    let value: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("fwmigrate's JSON: {e}\n{json}"));
    for finding in value.as_array().expect("a JSON array of findings") {
        let file = Path::new(finding["filename"].as_str().unwrap_or_default())
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let line = finding["location"]["row"].as_u64().unwrap_or(0) as usize;
        let code = finding["code"].as_str().unwrap_or_default().to_string();
        found.entry((file, line)).or_default().insert(code);
    }
    found
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// The generator's own tests (stubs, surface walk, judging) on a small package they write.
#[test]
fn case_generator_unit_tests() {
    let Some(py) = python() else {
        let require = std::env::var("FWMIGRATE_REQUIRE_DIFFERENTIAL").is_ok_and(|v| v == "1");
        assert!(
            !require,
            "FWMIGRATE_REQUIRE_DIFFERENTIAL=1 but no python3 (3.10 or newer)"
        );
        eprintln!("SKIPPED: no python3 (3.10 or newer) on PATH");
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential");
    let out = Command::new(py)
        .args(["-m", "unittest", "discover", "-s"])
        .arg(&dir)
        .args(["-p", "test_*.py"])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn conformance_verdicts_agree_with_python() {
    let require = std::env::var("FWMIGRATE_REQUIRE_DIFFERENTIAL").is_ok_and(|v| v == "1");
    let skip = |why: String| {
        assert!(!require, "FWMIGRATE_REQUIRE_DIFFERENTIAL=1 but {why}");
        eprintln!("SKIPPED: differential test: {why}");
    };
    let Some(py) = python() else {
        return skip("no python3 (3.10 or newer) on PATH".into());
    };
    let (source_flag, src) = cookbook_source();
    if !src.exists() {
        return skip(format!(
            "no cookbook history at {} (set SHARED or FWMIGRATE_COOKBOOK_SRC)",
            src.display()
        ));
    }
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/generate.py");
    let cache = target_dir().join("differential");
    let tmp = tempfile::Builder::new()
        .prefix("fwmigrate-differential")
        .tempdir()
        .unwrap();

    let mut disagreements = Vec::new();
    let gaps = known_gaps();
    let mut report = Vec::new();
    let mut refused = Vec::new();
    let started = std::time::Instant::now();
    for &(target, sdk) in RUNS {
        let run = format!("{target}+{sdk}");
        let run_started = std::time::Instant::now();
        let out_dir = tmp.path().join(&run);
        let generated = Command::new(&py)
            .arg(&generator)
            .arg(source_flag)
            .arg(&src)
            .args(["--target", target, "--sdk-version", sdk, "--cache"])
            .arg(&cache)
            .arg("--out")
            .arg(&out_dir)
            .env("PYTHONPYCACHEPREFIX", cache.join("pycache"))
            .output()
            .unwrap();
        if generated.status.code() == Some(UNAVAILABLE) {
            return skip(format!("sources unavailable: {}", stderr(&generated)));
        }
        assert!(
            generated.status.success(),
            "the case generator failed for {run}:\n{}",
            text(&generated)
        );
        report.push(stdout(&generated).trim().to_string());

        let checked = fwmigrate()
            .current_dir(&out_dir)
            .args(["--check", "--isolated", "--target", target])
            .args(["--sdk-version", sdk, "--select", "FW6"])
            .args(["--output-format", "json", "."])
            .output()
            .unwrap();
        let findings = match checked.status.code() {
            Some(0 | 1) => read_findings(&stdout(&checked)),
            _ => {
                refused.push(format!(
                    "{run}: fwmigrate exited {}: {}",
                    checked
                        .status
                        .code()
                        .map_or_else(|| "on a signal".into(), |c| c.to_string()),
                    stderr(&checked).lines().next().unwrap_or_default()
                ));
                BTreeMap::new()
            }
        };

        let mut tally = Tally::default();
        for (file, lines) in read_sidecars(&out_dir) {
            let source = fs::read_to_string(out_dir.join(&file)).unwrap();
            let source: Vec<&str> = source.lines().collect();
            for (&line, verdict) in lines.iter() {
                if verdict.reject {
                    tally.reject += 1;
                } else {
                    tally.accept += 1;
                }
                if verdict.kind.starts_with("import") {
                    tally.imports += 1;
                } else {
                    tally.calls += 1;
                }
                let codes: Vec<&str> = findings
                    .get(&(file.clone(), line))
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .filter(|c| CODES.contains(c))
                    .collect();
                if verdict.reject && codes.is_empty() && is_known_gap(&gaps, &verdict.subject) {
                    tally.known += 1;
                    continue;
                }
                if verdict.reject == codes.is_empty() {
                    if verdict.reject {
                        tally.missed += 1;
                    } else {
                        tally.false_alarms += 1;
                    }
                    *tally.by_kind.entry(verdict.kind.clone()).or_default() += 1;
                    disagreements.push(Disagreement {
                        run: run.clone(),
                        kind: verdict.kind.clone(),
                        file: file.clone(),
                        line,
                        case: source.get(line - 1).unwrap_or(&"").trim().to_string(),
                        python: format!(
                            "{} ({}) [from {}]",
                            if verdict.reject { "reject" } else { "accept" },
                            verdict.why,
                            verdict.from
                        ),
                        fwmigrate: if codes.is_empty() {
                            "-".into()
                        } else {
                            codes.join(",")
                        },
                    });
                }
            }
            // The lines that are not cases (the imports that the call cases rely on) exist at
            // the target: nothing there is reported either.
            for ((f, line), codes) in &findings {
                if f == &file && !lines.contains_key(line) {
                    let codes: Vec<&str> = codes
                        .iter()
                        .map(String::as_str)
                        .filter(|c| CODES.contains(c))
                        .collect();
                    if !codes.is_empty() {
                        tally.false_alarms += 1;
                        *tally.by_kind.entry("setup-import".into()).or_default() += 1;
                        disagreements.push(Disagreement {
                            run: run.clone(),
                            kind: "setup-import".into(),
                            file: file.clone(),
                            line: *line,
                            case: source.get(line - 1).unwrap_or(&"").trim().to_string(),
                            python: "accept (imported for the cases below)".into(),
                            fwmigrate: codes.join(","),
                        });
                    }
                }
            }
        }
        let by_kind: Vec<String> = tally
            .by_kind
            .iter()
            .map(|(kind, n)| format!("{kind} {n}"))
            .collect();
        report.push(format!(
            "  {run}: {} cases ({} accept, {} reject; {} imports, {} calls): {} rejects without \
             a finding, {} accepts with one, {} known gaps{} ({:.0?})",
            tally.accept + tally.reject,
            tally.accept,
            tally.reject,
            tally.imports,
            tally.calls,
            tally.missed,
            tally.false_alarms,
            tally.known,
            if by_kind.is_empty() {
                String::new()
            } else {
                format!(" (by kind: {})", by_kind.join(", "))
            },
            run_started.elapsed()
        ));
    }
    if std::env::var("FWMIGRATE_DIFFERENTIAL_KEEP").is_ok_and(|v| v == "1") {
        eprintln!("cases kept in {}", tmp.keep().display());
    }
    report.push(format!("{} runs in {:.0?}", RUNS.len(), started.elapsed()));
    eprintln!("{}", report.join("\n"));
    if disagreements.is_empty() && refused.is_empty() {
        return;
    }

    // A sample across runs and kinds of case rather than the first rows of the first file.
    let mut groups: BTreeMap<(&str, &str), Vec<&Disagreement>> = BTreeMap::new();
    for d in &disagreements {
        groups.entry((&d.run, &d.kind)).or_default().push(d);
    }
    let mut shown = Vec::new();
    for round in 0.. {
        let before = shown.len();
        for rows in groups.values() {
            if let Some(&d) = rows.get(round)
                && shown.len() < SHOWN
            {
                shown.push(d);
            }
        }
        if shown.len() == before || shown.len() >= SHOWN {
            break;
        }
    }
    shown.sort_by(|a, b| (&a.run, &a.file, a.line).cmp(&(&b.run, &b.file, b.line)));
    let mut table = String::new();
    for d in shown {
        table.push_str(&format!(
            "{:<14} {}:{:<4} {:<90} | {:<60} | {}\n",
            d.run,
            d.file,
            d.line,
            shorten(&d.case, 90),
            shorten(&d.python, 60),
            d.fwmigrate
        ));
    }
    if disagreements.len() > SHOWN {
        table.push_str(&format!("... and {} more\n", disagreements.len() - SHOWN));
    }
    panic!(
        "fwmigrate disagrees with Python on {} cases\n{}\n{}\nrun, file:line, case | Python's \
         verdict | fwmigrate's codes (FW601-FW603)\n{table}",
        disagreements.len(),
        refused.join("\n"),
        report.join("\n"),
    );
}
