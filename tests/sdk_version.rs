//! The default `sdk-version` follows the project's own `fireworks-ai` pin: `--show-settings`
//! says which release and where it came from, and the conformance verdicts follow it.

use std::fs;
use std::path::Path;

mod common;
use common::{run, stdout, text};

/// `ttl_seconds=` on `save_state` raises NotImplementedError from fireworks-ai 1.2.25 (FW605):
/// reported at 1.2.25 and 1.2.30, not at 1.2.9 or 1.2.12.
const TTL: &str = r#"from fireworks.training.sdk import FiretitanServiceClient

service = FiretitanServiceClient.from_firetitan_config(api_key="k", base_model="m")
client = service.create_training_client("m", lora_rank=16)
client.save_state("step-11", ttl_seconds=3600)
"#;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files.iter().chain(&[("train.py", TTL)]) {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

/// The `sdk-version:` line of `--show-settings FILE` (plus `args`), run in `dir`.
fn sdk_setting(dir: &Path, file: &str, args: &[&str]) -> String {
    let mut all = vec!["--show-settings", file];
    all.extend(args);
    let out = run(dir, &all);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    stdout(&out)
        .lines()
        .find_map(|l| l.strip_prefix("sdk-version: "))
        .unwrap_or_else(|| panic!("no sdk-version line: {}", text(&out)))
        .to_string()
}

/// The FW605 `ttl_seconds` finding of a check of `dir` (plus `args`), with the release it
/// names; `None` when there is none.
fn ttl_finding(dir: &Path, args: &[&str]) -> Option<String> {
    let mut all = vec!["--check", "--output-format", "concise", "--select", "FW605"];
    all.extend(args);
    let out = run(dir, &all);
    let text = stdout(&out);
    let finding = text
        .lines()
        .find(|l| l.contains("FW605") && l.contains("ttl_seconds"))?;
    assert!(finding.contains("train.py:5:30: FW605"), "{finding}");
    let at = finding.split("at fireworks-ai ").nth(1)?;
    Some(at.split_whitespace().next()?.to_string())
}

#[test]
fn no_pin_means_the_newest_known_release_in_the_targets_range() {
    let dir = project(&[]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.30 (default: newest known release in 2026.08's range)"
    );
    assert_eq!(ttl_finding(dir.path(), &[]).as_deref(), Some("1.2.30"));
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &["--target", "2026.06"]),
        "1.2.30 (default: newest known release in 2026.06's range)"
    );
    // A pyproject.toml that declares other dependencies only is no pin.
    let dir = project(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\ndependencies = [\"numpy\", \"fireworks-ai\"]\n",
    )]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.30 (default: newest known release in 2026.08's range)"
    );
}

#[test]
fn a_pyproject_pin_selects_its_newest_known_release() {
    let dir = project(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\ndependencies = [\"fireworks-ai[training]>=1.2.0a74,<1.2.10\"]\n",
    )]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.9 (from pyproject.toml: fireworks-ai[training]>=1.2.0a74,<1.2.10)"
    );
    assert_eq!(ttl_finding(dir.path(), &[]), None);

    // Optional dependencies count too; a release from the pin on makes the verdict.
    let dir = project(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\n[project.optional-dependencies]\ntrain = [\"fireworks-ai==1.2.25\"]\n",
    )]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.25 (from pyproject.toml: fireworks-ai==1.2.25)"
    );
    assert_eq!(ttl_finding(dir.path(), &[]).as_deref(), Some("1.2.25"));
}

#[test]
fn a_requirements_pin_and_what_it_includes() {
    let dir = project(&[("requirements.txt", "fireworks-ai[training]==1.2.12\n")]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.12 (from requirements.txt: fireworks-ai[training]==1.2.12)"
    );
    assert_eq!(ttl_finding(dir.path(), &[]), None);

    // Every release is tabled: a pin is checked against itself; an included file counts.
    let dir = project(&[
        ("requirements.txt", "-r deps/base.txt\nnumpy\n"),
        ("deps/base.txt", "fireworks-ai==1.2.20\n"),
    ]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.20 (from deps/base.txt: fireworks-ai==1.2.20)"
    );
    assert_eq!(ttl_finding(dir.path(), &[]), None);

    // Every declaration must admit the release: a lock narrows the range declared elsewhere.
    let dir = project(&[
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\ndependencies = [\"fireworks-ai>=1.2.9,<2\"]\n",
        ),
        (
            "requirements.txt",
            "fireworks-ai==1.2.25 --hash=sha256:00\n",
        ),
    ]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.25 (from pyproject.toml: fireworks-ai>=1.2.9,<2; requirements.txt: fireworks-ai==1.2.25)"
    );
}

#[test]
fn a_poetry_or_setup_cfg_pin() {
    let dir = project(&[(
        "pyproject.toml",
        "[tool.poetry.dependencies]\npython = \"^3.11\"\nfireworks-ai = {version = \">=1.2.9,<1.2.25\", extras = [\"training\"]}\n",
    )]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.24 (from pyproject.toml: fireworks-ai = {version = \">=1.2.9,<1.2.25\"})"
    );
    assert_eq!(ttl_finding(dir.path(), &[]), None);

    let dir = project(&[(
        "setup.cfg",
        "[options]\ninstall_requires =\n    fireworks-ai~=1.2.25\n",
    )]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.30 (from setup.cfg: fireworks-ai~=1.2.25)"
    );
    assert_eq!(ttl_finding(dir.path(), &[]).as_deref(), Some("1.2.30"));
}

#[test]
fn a_pin_that_admits_no_known_release_is_set_aside() {
    let dir = project(&[("requirements.txt", "fireworks-ai==1.0.0a20\n")]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.30 (default: newest known release in 2026.08's range; \
         the pin requirements.txt: fireworks-ai==1.0.0a20 admits no known release)"
    );
    assert_eq!(ttl_finding(dir.path(), &[]).as_deref(), Some("1.2.30"));
    // FW501 still reports the pin.
    let out = run(dir.path(), &["--check", "--output-format", "concise"]);
    assert!(
        stdout(&out).contains("requirements.txt:1:1: FW501"),
        "{}",
        text(&out)
    );

    // A pin outside the target's range that admits a known release wins: it is the SDK the
    // project runs.
    let dir = project(&[("requirements.txt", "fireworks-ai==1.2.0a74\n")]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.0a74 (from requirements.txt: fireworks-ai==1.2.0a74)"
    );

    // Declarations that contradict each other admit nothing together.
    let dir = project(&[
        ("requirements.txt", "fireworks-ai==1.2.25\n"),
        ("requirements-dev.txt", "fireworks-ai<1.2.25\n"),
    ]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.30 (default: newest known release in 2026.08's range; the pins \
         requirements-dev.txt: fireworks-ai<1.2.25; requirements.txt: fireworks-ai==1.2.25 \
         admit no known release together)"
    );

    // An unreadable pyproject.toml is no pin.
    let dir = project(&[(
        "pyproject.toml",
        "[project\ndependencies = [\"fireworks-ai==1.2.9\"]\n",
    )]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.30 (default: newest known release in 2026.08's range)"
    );
}

#[test]
fn an_explicit_version_beats_the_pin() {
    let dir = project(&[("requirements.txt", "fireworks-ai==1.2.9\n")]);
    assert_eq!(ttl_finding(dir.path(), &[]), None);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &["--sdk-version", "1.2.25"]),
        "1.2.25 (from --sdk-version)"
    );
    assert_eq!(
        ttl_finding(dir.path(), &["--sdk-version", "1.2.25"]).as_deref(),
        Some("1.2.25")
    );
    // `--isolated` reads no pin, as it reads no configuration.
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &["--isolated"]),
        "1.2.30 (default: newest known release in 2026.08's range)"
    );
    // The configuration's `sdk-version` beats the pin, and the flag beats the configuration.
    fs::write(
        dir.path().join("fwmigrate.toml"),
        "sdk-version = \"1.2.30\"\n",
    )
    .unwrap();
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        format!(
            "1.2.30 (from {})",
            dir.path().join("fwmigrate.toml").display()
        )
    );
    assert_eq!(ttl_finding(dir.path(), &[]).as_deref(), Some("1.2.30"));
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &["--sdk-version", "1.2.12"]),
        "1.2.12 (from --sdk-version)"
    );
}

#[test]
fn the_project_is_the_configurations_folder() {
    // The configuration in `app/` makes `app/` the project: its pin counts, the pin of the
    // folder the run starts in does not.
    let dir = project(&[
        ("requirements.txt", "fireworks-ai==1.2.25\n"),
        (
            "app/pyproject.toml",
            "[project]\nname = \"app\"\ndependencies = [\"fireworks-ai==1.2.9\"]\n[tool.fwmigrate]\nignore = [\"FW001\"]\n",
        ),
        ("app/train.py", TTL),
    ]);
    assert_eq!(
        sdk_setting(dir.path(), "app/train.py", &[]),
        "1.2.9 (from app/pyproject.toml: fireworks-ai==1.2.9)"
    );
    // Without a configuration, the folder the run starts in.
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &[]),
        "1.2.25 (from requirements.txt: fireworks-ai==1.2.25)"
    );
    let out = run(
        dir.path(),
        &["--check", "--output-format", "concise", "--select", "FW605"],
    );
    let found = stdout(&out);
    assert!(
        found.lines().any(|l| l.starts_with("train.py:5:30: FW605")),
        "{found}"
    );
    assert!(!found.contains("app/train.py"), "{found}");
}

#[test]
fn a_config_named_without_a_folder_reads_the_pin_beside_it() {
    // `--config pyproject.toml`: the file's folder is the working directory.
    let dir = project(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\ndependencies = [\"fireworks-ai==1.2.12\"]\n[tool.fwmigrate]\n",
    )]);
    assert_eq!(
        sdk_setting(dir.path(), "train.py", &["--config", "pyproject.toml"]),
        "1.2.12 (from pyproject.toml: fireworks-ai==1.2.12)"
    );
    assert_eq!(
        ttl_finding(dir.path(), &["--config", "pyproject.toml"]),
        None
    );
}
