//! A new cookbook release is one command and no code change: a synthetic release added to a clone
//! of the history, regenerated into a temporary folder, is a target that the rules check through
//! the library exactly as they check the committed ones. The release removes a `TrainerConfig`
//! field (FW603 reports it) and moves a utils function to a new module (FW601 fixes the import).
//!
//! This test is the only one in its file: it loads the regenerated data for its whole process.

mod common;

use std::path::Path;

use fwmigrate_apigen::sources;
use fwmigrate_engine::Mode;
use fwmigrate_parser::SourceKind;
use fwmigrate_rule::Target;

const TAG: &str = "cookbook-v2026.12.01.1";

/// Cut `def name(...)` (up to the next top-level statement) out of `text`.
fn cut_function(text: &str, name: &str) -> (String, String) {
    let start = text.find(&format!("\ndef {name}(")).expect("the function") + 1;
    let rest = &text[start + 1..];
    let end = rest
        .find("\ndef ")
        .or_else(|| rest.find("\nclass "))
        .map_or(text.len(), |i| start + 1 + i + 1);
    let function = text[start..end].to_string();
    (format!("{}{}", &text[..start], &text[end..]), function)
}

/// Tag a release after the newest one: `TrainerConfig` loses `inactivity_timeout`, and
/// `training.utils.fileio.append_line` moves to a new module `training.utils.textio`.
fn add_release(repo: &Path) {
    common::git(repo, &["checkout", "-q", "cookbook-v2026.08.19.1"]).unwrap();
    let config = repo.join("training/utils/config.py");
    let text = std::fs::read_to_string(&config).unwrap();
    let field = text
        .lines()
        .find(|l| l.trim_start().starts_with("inactivity_timeout:"))
        .expect("TrainerConfig.inactivity_timeout");
    std::fs::write(&config, text.replacen(&format!("{field}\n"), "", 1)).unwrap();
    let fileio = repo.join("training/utils/fileio.py");
    let (rest, function) = cut_function(&std::fs::read_to_string(&fileio).unwrap(), "append_line");
    std::fs::write(&fileio, rest).unwrap();
    std::fs::write(
        repo.join("training/utils/textio.py"),
        format!("import os\n\n\n{function}"),
    )
    .unwrap();
    // The bundle's SOURCE file names the release it was taken from: this one has none, so its
    // commit and date are git's.
    common::git(repo, &["rm", "-q", "SOURCE"]).unwrap();
    common::git(repo, &["add", "-A"]).unwrap();
    let date = "2026-12-01T12:00:00+00:00";
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["commit", "-q", "-m", "a synthetic release"])
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@t.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@t.invalid")
        .status()
        .unwrap();
    assert!(out.success());
    common::git(repo, &["tag", TAG]).unwrap();
}

#[test]
fn a_new_tag_is_a_target_with_no_code_change() {
    let repo = match common::clone_history() {
        Ok(r) => r,
        Err(e) => return common::skip(&e),
    };
    add_release(repo.path());
    let mut input = sources::read_input(&sources::default_input()).unwrap();
    // One SDK release is enough here (the committed data's test covers them all).
    input.sdk.versions = vec!["1.2.30".to_string()];
    let generated = match sources::generate(repo.path(), &common::wheels(), &input) {
        Ok(g) => g,
        Err(e) => return common::skip(&format!("the sources could not be read: {e}")),
    };
    let out = tempfile::tempdir().unwrap();
    for (name, text) in &generated.files {
        std::fs::write(out.path().join(name), text).unwrap();
    }
    fwmigrate_api::data::load(out.path()).unwrap();

    // The new tag is a target, the newest (`latest`), and `2026.08` still names its release.
    let target: Target = TAG.parse().unwrap();
    assert_eq!(target, Target::latest());
    assert_eq!(Target::named("2026.12.01.1"), target);
    assert_eq!(Target::named("2026.08").tag(), "cookbook-v2026.08.19.1");

    let rules = fwmigrate_registry::python_rules();
    let source = "from training.utils import TrainerConfig\n\
                  from training.utils.fileio import append_line\n\
                  \n\
                  trainer = TrainerConfig(training_shape_id=\"accounts/fireworks/trainingShapes/ts\", inactivity_timeout=\"1h\")\n\
                  append_line(\"log.txt\", \"started\")\n";
    let check = |target: Target| {
        fwmigrate_testing::linter(&rules, target, false)
            .lint_python(Path::new("t.py"), source, SourceKind::Python, Mode::Check)
            .diagnostics
            .iter()
            .map(|d| (d.rule.code.to_string(), d.start.row, d.message.clone()))
            .collect::<Vec<_>>()
    };
    // At the release before, nothing to report.
    assert_eq!(check(Target::named("2026.08")), vec![]);
    let found = check(target);
    let codes: Vec<(&str, usize)> = found.iter().map(|(c, r, _)| (c.as_str(), *r)).collect();
    assert_eq!(codes, [("FW601", 2), ("FW603", 4)], "{found:#?}");
    assert!(
        found[0].2.contains("`training.utils.textio`"),
        "{}",
        found[0].2
    );
    assert!(found[1].2.contains("inactivity_timeout"), "{}", found[1].2);
    // The moved function's import gets the safe fix.
    let fixed = fwmigrate_testing::apply_source(&rules, source, target, false);
    assert!(
        fixed.contains("from training.utils.textio import append_line\n"),
        "{fixed}"
    );
}
