//! FW606, FW607 and FW201 in provisioning YAML files against each release's own
//! `provision.py`.
//!
//! `tests/differential/provision_yaml.py` imports `training.provision.provision` of every tag
//! from `cookbook-v2026.06.11.1` on (third-party packages stubbed, PyYAML real), loads each of
//! the tag's `training/provision/*.yaml` (and, at the tags in [`FIXTURE_TAGS`], the files of
//! `tests/fixtures/provision-yaml/`) with `yaml.safe_load` and builds every recipe of the file
//! with the tag's `_build_recipe_config`. For each key of a mapping a recipe reads, it replaces
//! the value, then deletes the key, in the YAML node graph, and builds the recipes again: the key
//! reaches something when a built config, an exception or what the accelerator and GRPO checks
//! were given changes. See the script's docstring for the rules applied on top (overrides count
//! as read, the outermost ignored key is the finding, a recipe that raises leaves the keys it
//! could read undecided).
//!
//! This test runs `fwmigrate --check --target <tag>` on the same files and requires:
//! - FW606 (or FW201 as a warning, on an accelerator key) exactly on the keys that reach nothing;
//! - FW607 on the recipes that raise (a ValueError, or any exception other than the two below),
//!   and on no other: a finding concerns the recipe its message names, else every recipe whose
//!   entry, unoverridden `common` keys or named sections hold its line;
//! - FW201 as an error exactly on the accelerator keys that reach
//!   `_reject_removed_accelerator_config`, and a TypeError from it only where such a key is.
//!
//! A ValueError of `validate_grpo_config` (a negative `kl_beta`, reference settings with
//! `kl_beta: 0`) is not checked by fwmigrate yet: such recipes are counted, not compared.
//!
//! It needs `python3` (3.10 or newer) with PyYAML (else `pip install pyyaml` into a virtual
//! environment under `target/differential/`), `git` and `$SHARED/cookbook-history.bundle`.
//! Without them it prints why and passes, unless `FWMIGRATE_REQUIRE_DIFFERENTIAL=1`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{fwmigrate, stderr, stdout, target_dir, text};

/// The tags at which the test's own files are read too: the newest and an older one, before
/// `provision.py` rejected the accelerator keys.
const FIXTURE_TAGS: &[&str] = &["cookbook-v2026.08.19.1", "cookbook-v2026.07.10.1"];
/// The script's exit status when a source is unavailable.
const UNAVAILABLE: i32 = 3;
const SHOWN: usize = 60;

fn require() -> bool {
    std::env::var("FWMIGRATE_REQUIRE_DIFFERENTIAL").is_ok_and(|v| v == "1")
}

/// A Python 3.10+ that imports PyYAML: the system's, else a virtual environment under
/// `target/differential/` with PyYAML installed by pip (made once).
fn python() -> Result<PathBuf, String> {
    let works = |py: &Path| {
        Command::new(py)
            .args([
                "-c",
                "import sys, yaml; assert sys.version_info >= (3, 10); print('ok')",
            ])
            .output()
            .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "ok")
    };
    let system = ["python3", "python"].into_iter().find(|py| {
        Command::new(py)
            .args(["-c", "import sys; assert sys.version_info >= (3, 10)"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(system) = system else {
        return Err("no python3 (3.10 or newer) on PATH".into());
    };
    if works(Path::new(system)) {
        return Ok(PathBuf::from(system));
    }
    let venv = target_dir().join("differential/pyyaml-venv");
    let py = venv.join("bin/python");
    if works(&py) {
        return Ok(py);
    }
    let made = Command::new(system)
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .map_err(|e| e.to_string())?;
    if !made.status.success() {
        return Err(format!(
            "cannot make a virtual environment: {}",
            text(&made)
        ));
    }
    let installed = Command::new(&py)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--timeout", "30", "--retries", "1", "pyyaml"])
        .output()
        .map_err(|e| e.to_string())?;
    if installed.status.success() && works(&py) {
        Ok(py)
    } else {
        Err(format!(
            "no PyYAML, and pip cannot install it: {}",
            stderr(&installed).trim()
        ))
    }
}

fn bundle() -> PathBuf {
    std::env::var_os("SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("cookbook-history.bundle")
}

#[derive(Default)]
struct Found {
    /// (line, column) -> codes with severity (`FW201:error`).
    at: BTreeMap<(u64, u64), BTreeSet<String>>,
    /// FW607 findings: (line, message).
    fw607: Vec<(u64, String)>,
}

fn read_findings(json: &str) -> BTreeMap<PathBuf, Found> {
    let value: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("fwmigrate's JSON: {e}\n{json}"));
    let mut all: BTreeMap<PathBuf, Found> = BTreeMap::new();
    for f in value.as_array().expect("a JSON array of findings") {
        let file = canonical(Path::new(f["filename"].as_str().unwrap_or_default()));
        let row = f["location"]["row"].as_u64().unwrap_or(0);
        let column = f["location"]["column"].as_u64().unwrap_or(0);
        let code = f["code"].as_str().unwrap_or_default().to_string();
        let found = all.entry(file).or_default();
        if code == "FW607" {
            found
                .fw607
                .push((row, f["message"].as_str().unwrap_or_default().to_string()));
        }
        let severity = f["severity"].as_str().unwrap_or_default();
        found
            .at
            .entry((row, column))
            .or_default()
            .insert(format!("{code}:{severity}"));
    }
    all
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

struct Row {
    tag: String,
    file: String,
    what: String,
    fwmigrate: String,
    python: String,
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// The recipes a FW607 finding concerns: the one its message names, else those whose lines
/// hold it.
fn implicated(
    line: u64,
    message: &str,
    recipes: &serde_json::Map<String, serde_json::Value>,
) -> BTreeSet<String> {
    let named: BTreeSet<String> = recipes
        .keys()
        .filter(|r| message.contains(&format!("recipe `{r}`")))
        .cloned()
        .collect();
    if !named.is_empty() {
        return named;
    }
    recipes
        .iter()
        .filter(|(_, r)| {
            r["lines"]
                .as_array()
                .is_some_and(|ls| ls.iter().any(|l| l.as_u64() == Some(line)))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Compare one (tag, file): fwmigrate's findings against Python's verdict.
fn compare(
    tag: &str,
    file: &str,
    verdict: &serde_json::Value,
    found: &Found,
    tally: &mut BTreeMap<&'static str, usize>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut row = |what: String, fwmigrate: String, python: String| {
        rows.push(Row {
            tag: tag.to_string(),
            file: file.to_string(),
            what,
            fwmigrate,
            python,
        })
    };
    if let Some(why) = verdict["unreadable"].as_str() {
        *tally.entry("unreadable").or_default() += 1;
        let codes: BTreeSet<&String> = found.at.values().flatten().collect();
        if !codes.iter().any(|c| c.starts_with("FW000")) {
            row(
                "the file".into(),
                format!("{codes:?}"),
                format!("yaml.safe_load fails: {why}"),
            );
        }
        return rows;
    }
    let codes_at = |line: u64, column: u64| -> BTreeSet<String> {
        found.at.get(&(line, column)).cloned().unwrap_or_default()
    };
    let has = |codes: &BTreeSet<String>, code: &str| codes.iter().any(|c| c.starts_with(code));

    // FW606 (and FW201 as a warning) on the keys that reach nothing.
    let mut judged: BTreeSet<(u64, u64)> = BTreeSet::new();
    for key in verdict["keys"].as_array().unwrap() {
        let line = key["line"].as_u64().unwrap();
        let column = key["column"].as_u64().unwrap();
        let name = key["key"].as_str().unwrap_or_default();
        let v = key["verdict"].as_str().unwrap();
        judged.insert((line, column));
        let codes = codes_at(line, column);
        let accelerator = name == "accelerator_type" || name == "accelerator_count";
        // FW201 as a warning says the key is accepted and ignored: on a key that reaches
        // nothing, or on a field the release keeps as "deprecated and ignored".
        let warned = accelerator && codes.contains("FW201:warning");
        *tally
            .entry(match v {
                "ignored" => "keys ignored",
                "reaches" | "overridden" => "keys read",
                "outer-ignored" => "keys under an ignored key",
                _ => "keys undecided",
            })
            .or_default() += 1;
        let disagree = match v {
            "ignored" => !(has(&codes, "FW606") || warned),
            "reaches" | "overridden" | "outer-ignored" => has(&codes, "FW606"),
            _ => false,
        };
        if disagree {
            row(
                format!("{line}:{column} {}", key["path"].as_str().unwrap_or(name)),
                if codes.is_empty() {
                    "-".into()
                } else {
                    codes.iter().cloned().collect::<Vec<_>>().join(",")
                },
                format!("{v}: {}", key["why"].as_str().unwrap_or_default()),
            );
        }
    }
    for ((line, column), codes) in &found.at {
        if has(codes, "FW606") && !judged.contains(&(*line, *column)) {
            row(
                format!("{line}:{column}"),
                "FW606".into(),
                "not a key any recipe reads".into(),
            );
        }
    }

    // FW201 as an error exactly on the keys that reach the accelerator check.
    let rejected: BTreeSet<(u64, u64)> = verdict["accelerator_rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["column"].as_u64().unwrap()))
        .collect();
    let recipes = verdict["recipes"].as_object().unwrap();
    let raising_value: BTreeSet<String> = recipes
        .iter()
        .filter(|(_, r)| matches!(r["error"]["kind"].as_str(), Some("value") | Some("other")))
        .map(|(n, _)| n.clone())
        .collect();
    let errors: BTreeSet<(u64, u64)> = found
        .at
        .iter()
        .filter(|(_, c)| c.contains("FW201:error"))
        .map(|(at, _)| *at)
        .collect();
    for at in rejected.symmetric_difference(&errors) {
        // A recipe that raises before building its classes leaves its keys undecided.
        if raising_value.is_empty() || rejected.contains(at) {
            row(
                format!("{}:{}", at.0, at.1),
                if errors.contains(at) {
                    "FW201 (error)".into()
                } else {
                    "no FW201 error".into()
                },
                if rejected.contains(at) {
                    "the accelerator check rejects it (TypeError)".into()
                } else {
                    "no accelerator check sees it".into()
                },
            );
        }
    }

    // FW607 on the recipes that raise, and on no other.
    let mut flagged: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (line, message) in &found.fw607 {
        let names = implicated(*line, message, recipes);
        if names.is_empty() {
            row(
                format!("{line}"),
                format!("FW607: {message}"),
                "no recipe is concerned".into(),
            );
        }
        for n in names {
            flagged
                .entry(n)
                .or_default()
                .push(format!("{line}: {message}"));
        }
    }
    for (name, r) in recipes {
        let error = &r["error"];
        let kind = error["kind"].as_str();
        let said = format!(
            "{}: {}",
            error["type"].as_str().unwrap_or_default(),
            error["message"].as_str().unwrap_or_default()
        );
        *tally
            .entry(match kind {
                None => "recipes built",
                Some("value") | Some("other") => "recipes raising (FW607)",
                Some("accelerator") => "recipes raising TypeError (FW201)",
                _ => "recipes raising in validate_grpo_config (not compared)",
            })
            .or_default() += 1;
        let fw607 = flagged.get(name);
        match kind {
            Some("value") | Some("other") if fw607.is_none() => {
                row(format!("recipe {name}"), "no FW607".into(), said)
            }
            None | Some("accelerator") if fw607.is_some() => row(
                format!("recipe {name}"),
                format!("FW607: {}", fw607.unwrap().join(" / ")),
                if kind.is_some() {
                    said
                } else {
                    "builds without an error".into()
                },
            ),
            Some("accelerator") if rejected.is_empty() => row(
                format!("recipe {name}"),
                "no key reaching the check".into(),
                said,
            ),
            _ => {}
        }
    }
    rows
}

#[test]
fn provisioning_verdicts_agree_with_each_release() {
    let skip = |why: String| {
        assert!(!require(), "FWMIGRATE_REQUIRE_DIFFERENTIAL=1 but {why}");
        eprintln!("SKIPPED: provisioning YAML differential test: {why}");
    };
    let bundle = bundle();
    if !bundle.is_file() {
        return skip(format!(
            "no cookbook history at {} (set SHARED)",
            bundle.display()
        ));
    }
    let py = match python() {
        Ok(py) => py,
        Err(why) => return skip(why),
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tests/differential/provision_yaml.py");
    let fixtures = root.join("tests/fixtures/provision-yaml");
    let cache = target_dir().join("differential");
    fs::create_dir_all(&cache).unwrap();
    let tmp = tempfile::Builder::new()
        .prefix("fwmigrate-provision-differential")
        .tempdir()
        .unwrap();
    let out = tmp.path().join("verdicts.json");
    let started = std::time::Instant::now();
    let judged = Command::new(&py)
        .arg(&script)
        .arg("--bundle")
        .arg(&bundle)
        .arg("--cache")
        .arg(&cache)
        .arg("--out")
        .arg(&out)
        .arg("--fixtures")
        .arg(&fixtures)
        .args(["--fixture-tags", &FIXTURE_TAGS.join(",")])
        .arg("--jobs")
        .arg(
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .to_string(),
        )
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    if judged.status.code() == Some(UNAVAILABLE) {
        return skip(format!("sources unavailable: {}", stderr(&judged)));
    }
    assert!(
        judged.status.success(),
        "the Python side failed:\n{}",
        text(&judged)
    );
    let python_took = started.elapsed();
    let verdicts: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();

    let mut by_tag: BTreeMap<String, Vec<&serde_json::Value>> = BTreeMap::new();
    for run in verdicts["runs"].as_array().unwrap() {
        by_tag
            .entry(run["tag"].as_str().unwrap().to_string())
            .or_default()
            .push(run);
    }
    let fixture_count = fs::read_dir(&fixtures)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        })
        .count();
    assert!(fixture_count >= 12, "the fixtures are missing");
    assert!(by_tag.len() >= 49, "tags covered: {}", by_tag.len());

    let mut rows = Vec::new();
    let mut tally: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut pairs = 0;
    for (tag, runs) in &by_tag {
        let checked = fwmigrate()
            .current_dir(tmp.path())
            .args(["--check", "--isolated", "--target", tag])
            .args(["--output-format", "json"])
            .args(runs.iter().map(|r| r["path"].as_str().unwrap()))
            .output()
            .unwrap();
        assert!(
            matches!(checked.status.code(), Some(0 | 1)),
            "fwmigrate at {tag}: {}",
            text(&checked)
        );
        let found = read_findings(&stdout(&checked));
        for run in runs {
            pairs += 1;
            let path = canonical(Path::new(run["path"].as_str().unwrap()));
            let empty = Found::default();
            rows.extend(compare(
                tag,
                run["file"].as_str().unwrap(),
                &run["verdict"],
                found.get(&path).unwrap_or(&empty),
                &mut tally,
            ));
        }
    }
    let summary: Vec<String> = tally.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let report = format!(
        "{pairs} (tag, file) pairs over {} tags ({} judged by Python, {:.0?}); {}; {:.0?} in all",
        by_tag.len(),
        verdicts["judged"],
        python_took,
        summary.join(", "),
        started.elapsed()
    );
    eprintln!("{report}");
    if rows.is_empty() {
        return;
    }
    let mut table = String::new();
    for r in rows.iter().take(SHOWN) {
        table.push_str(&format!(
            "{:<24} {:<36} {:<48} | {:<50} | {}\n",
            r.tag.trim_start_matches("cookbook-v"),
            r.file,
            shorten(&r.what, 48),
            shorten(&r.fwmigrate, 50),
            r.python
        ));
    }
    if rows.len() > SHOWN {
        table.push_str(&format!("... and {} more\n", rows.len() - SHOWN));
    }
    panic!(
        "fwmigrate disagrees with provision.py on {} points\n{report}\ntag, file, key or \
         recipe | fwmigrate says | Python says\n{table}",
        rows.len()
    );
}
