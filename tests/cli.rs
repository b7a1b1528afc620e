//! End-to-end tests of the `fwmigrate` binary: modes, exit statuses, output formats,
//! configuration, discovery and file writing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::{LEGACY, run, stderr, stdout};

const MIGRATED: &str = r#"from training.recipes import sft_loop
from training.utils import TrainerConfig


def go(job):
    cfg = sft_loop.Config(
        log_path="logs",
        trainer=TrainerConfig(training_shape_id="accounts/fireworks/trainingShapes/x"),
    )
    return sft_loop.main(cfg)
"#;

/// A finding whose only fix is unsafe (FW202, `node_count=` on a TrainerConfig).
const UNSAFE_ONLY: &str = r#"from training.utils import TrainerConfig

TRAINER = TrainerConfig(training_shape_id="accounts/fireworks/trainingShapes/x", node_count=2)
"#;

const CLEAN: &str = "import os\n\nprint(os.getcwd())\n";

fn run_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = common::fwmigrate()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

fn json(o: &Output) -> Vec<serde_json::Value> {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn check_is_the_default_and_exits_1_on_findings() {
    let dir = tree(&[("a.py", LEGACY), ("b.py", CLEAN)]);
    let out = run(dir.path(), &["--output-format", "concise"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("a.py:8:15: FW001 [*]"), "{text}");
    assert!(text.contains("a.py:8:9: FW002 [*]"), "{text}");
    assert!(!text.contains("b.py"));
    assert!(
        stderr(&out).contains("Found 2 findings (2 fixable with --apply"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(dir.path(), "a.py"), LEGACY, "--check must not write");
}

#[test]
fn clean_tree_exits_0() {
    let dir = tree(&[("b.py", CLEAN)]);
    let out = run(dir.path(), &["--check", "."]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("All checks passed."));
    assert!(stdout(&out).is_empty());
}

#[test]
fn apply_rewrites_and_exits_0_when_everything_was_fixed() {
    let dir = tree(&[("a.py", LEGACY)]);
    let out = run(dir.path(), &["--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(dir.path(), "a.py"), MIGRATED);
    assert!(
        stderr(&out).contains("Fixed 2 findings in 1 file, 0 remaining."),
        "{}",
        stderr(&out)
    );
    // Idempotent.
    let again = run(dir.path(), &["--apply"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(read(dir.path(), "a.py"), MIGRATED);
}

#[test]
fn apply_exits_1_when_findings_remain_and_unsafe_fixes_apply_them() {
    let dir = tree(&[("u.py", UNSAFE_ONLY)]);
    let out = run(dir.path(), &["--apply", "--output-format", "full"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(read(dir.path(), "u.py"), UNSAFE_ONLY);
    let text = stdout(&out);
    assert!(text.contains("FW202 [-]"), "{text}");
    assert!(text.contains("note: unsafe"), "{text}");
    let out = run(dir.path(), &["--apply", "--unsafe-fixes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!read(dir.path(), "u.py").contains("node_count"));
}

#[test]
fn exit_zero_and_exit_non_zero_on_fix() {
    let dir = tree(&[("a.py", LEGACY)]);
    let out = run(dir.path(), &["--check", "--exit-zero"]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(dir.path(), &["--apply", "--exit-non-zero-on-fix"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(read(dir.path(), "a.py"), MIGRATED);
    let out = run(dir.path(), &["--apply", "--exit-non-zero-on-fix"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing changed the second time"
    );
}

#[test]
fn diff_prints_and_changes_nothing() {
    let dir = tree(&[("a.py", LEGACY), ("u.py", UNSAFE_ONLY)]);
    let out = run(dir.path(), &["--diff", "a.py"]);
    assert_eq!(out.status.code(), Some(0), "everything would be fixed");
    let text = stdout(&out);
    assert!(text.starts_with("--- a.py\n+++ a.py\n@@"), "{text}");
    assert!(text.contains(
        "-from training.utils import InfraConfig\n+from training.utils import TrainerConfig\n"
    ));
    assert_eq!(read(dir.path(), "a.py"), LEGACY);
    // A finding without an applicable fix makes --diff exit 1.
    let out = run(dir.path(), &["--diff", "u.py"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bad_arguments_exit_2() {
    let dir = tree(&[("a.py", LEGACY)]);
    for args in [
        vec!["--no-such-flag"],
        vec!["--select", "E501"],
        vec!["--target", "2025.01"],
        vec!["--check", "--apply"],
        vec!["--explain", "FW777"],
    ] {
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
    }
}

#[test]
fn bad_config_exits_2_naming_file_and_key() {
    let dir = tree(&[
        ("a.py", LEGACY),
        ("pyproject.toml", "[tool.fwmigrate]\nselct = [\"FW0\"]\n"),
    ]);
    let out = run(dir.path(), &["--check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("pyproject.toml") && err.contains("`selct`") && err.contains("accepted"),
        "{err}"
    );
    // --isolated ignores it.
    let out = run(dir.path(), &["--check", "--isolated"]);
    assert_eq!(out.status.code(), Some(1));
    // A broken pyproject.toml is a clear error too.
    fs::write(dir.path().join("pyproject.toml"), "[tool.fwmigrate\n").unwrap();
    let out = run(dir.path(), &["--check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("pyproject.toml"), "{}", stderr(&out));
}

#[test]
fn config_selection_target_and_per_file_ignores() {
    let dir = tree(&[
        ("pkg/a.py", LEGACY),
        ("pkg/tests/t.py", LEGACY),
        (
            "pkg/pyproject.toml",
            "[tool.fwmigrate]\nignore = [\"FW002\"]\n[tool.fwmigrate.per-file-ignores]\n\"tests/*\" = [\"FW001\"]\n",
        ),
        ("other/b.py", LEGACY),
    ]);
    let out = run(dir.path(), &["--output-format", "concise"]);
    let text = stdout(&out);
    assert!(text.contains("other/b.py:8:9: FW002"), "{text}");
    assert!(text.contains("pkg/a.py:8:15: FW001"), "{text}");
    assert!(!text.contains("pkg/a.py:8:9: FW002"), "{text}");
    assert!(!text.contains("pkg/tests/t.py:8:9: FW002"), "{text}");
    assert!(!text.contains("pkg/tests/t.py:8:15: FW001"), "{text}");
    // Ignoring the specific rule does not hide the TypeError: the conformance rule reports it.
    assert!(text.contains("pkg/tests/t.py:8:9: FW603"), "{text}");
    // Flags override the file.
    let out = run(
        dir.path(),
        &["--output-format", "concise", "--select", "FW002", "pkg"],
    );
    let text = stdout(&out);
    assert!(
        text.contains("pkg/a.py:8:9: FW002") && !text.contains("FW001"),
        "{text}"
    );
    // --show-settings tells which file governs.
    let out = run(dir.path(), &["--show-settings", "pkg/tests/t.py"]);
    let text = stdout(&out);
    assert!(
        text.contains("pkg/pyproject.toml") && !text.contains("FW001,"),
        "{text}"
    );
}

#[test]
fn fwmigrate_toml_closest_wins() {
    let dir = tree(&[
        ("fwmigrate.toml", "select = [\"FW001\"]\n"),
        ("sub/fwmigrate.toml", "select = [\"FW002\"]\n"),
        ("a.py", LEGACY),
        ("sub/b.py", LEGACY),
    ]);
    let out = run(dir.path(), &["--output-format", "concise"]);
    let text = stdout(&out);
    assert!(
        text.contains("a.py:8:15: FW001") && !text.contains("a.py:8:9: FW002\n"),
        "{text}"
    );
    assert!(
        text.contains("sub/b.py:8:9: FW002") && !text.contains("sub/b.py:8:15: FW001"),
        "{text}"
    );
}

#[test]
fn json_output_has_the_documented_fields() {
    let dir = tree(&[("a.py", LEGACY), ("u.py", UNSAFE_ONLY)]);
    let out = run(dir.path(), &["--check", "--output-format", "json"]);
    let list = json(&out);
    assert_eq!(list.len(), 3);
    let first = &list[0];
    for key in [
        "code",
        "name",
        "message",
        "severity",
        "filename",
        "location",
        "end_location",
        "fix",
        "fix_skipped_reason",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["filename"], "a.py");
    assert_eq!(first["location"]["row"], 8);
    assert_eq!(first["fix"]["applicability"], "safe");
    assert!(first["fix"]["edits"][0]["content"].is_string());
    let unsafe_one = list.iter().find(|d| d["code"] == "FW202").unwrap();
    assert!(
        unsafe_one["fix_skipped_reason"]
            .as_str()
            .unwrap()
            .contains("--unsafe-fixes")
    );
}

#[test]
fn github_and_sarif_formats() {
    let dir = tree(&[("a.py", LEGACY)]);
    let out = run(dir.path(), &["--output-format", "github"]);
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l
            .starts_with("::warning file=a.py,line=8,col=15,endLine=8,endColumn=")
            && l.contains(",title=fwmigrate (FW001)::FW001 ")),
        "{text}"
    );
    let out = run(dir.path(), &["--output-format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "FW001"));
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(results[0]["fixes"][0]["artifactChanges"][0]["replacements"].is_array());
}

#[test]
fn statistics_quiet_and_silent() {
    let dir = tree(&[("a.py", LEGACY), ("b.py", LEGACY)]);
    let out = run(dir.path(), &["--statistics"]);
    let text = stdout(&out);
    assert!(text.contains("2\tFW001\t[*] infra-config"), "{text}");
    let out = run(dir.path(), &["--quiet", "--output-format", "concise"]);
    assert!(stderr(&out).is_empty() && !stdout(&out).is_empty());
    let out = run(dir.path(), &["--silent"]);
    assert!(stderr(&out).is_empty() && stdout(&out).is_empty());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn stdin_check_and_apply() {
    let dir = tree(&[]);
    let out = run_stdin(
        dir.path(),
        &["--check", "--output-format", "concise", "-"],
        LEGACY,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("-:8:15: FW001"), "{}", stdout(&out));
    let out = run_stdin(
        dir.path(),
        &["--apply", "--stdin-filename", "job.py", "-"],
        LEGACY,
    );
    assert_eq!(stdout(&out), MIGRATED);
    assert_eq!(out.status.code(), Some(0));
    let out = run_stdin(dir.path(), &["--apply", "-"], CLEAN);
    assert_eq!(stdout(&out), CLEAN);
}

#[test]
fn explain_and_list_rules() {
    let dir = tree(&[]);
    let out = run(dir.path(), &["--explain", "FW001"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    // Title and summary first, then the documentation sections, then the metadata line.
    assert!(text.starts_with("# FW001 `infra-config`\n\n`InfraConfig(...)` is replaced by"));
    assert!(text.contains("\n\n## What it finds\n"));
    assert!(text.contains("\n\n## Fix safety\n\n**Safe**"));
    assert!(text.ends_with("fix: safe, targets: all.\n"));
    let out = run(dir.path(), &["--list-rules"]);
    let text = stdout(&out);
    for code in [
        "FW000", "FW001", "FW007", "FW101", "FW201", "FW301", "FW401", "FW501", "FW900", "FW999",
    ] {
        assert!(text.contains(code), "{code} missing from --list-rules");
    }
    let out = run(dir.path(), &["--list-rules", "--output-format", "json"]);
    let list = json(&out);
    assert!(
        list.iter()
            .all(|r| r["family"].is_string() && r["targets"].is_array())
    );
}

#[test]
fn syntax_errors_are_reported_once_and_never_changed() {
    let broken = "from training.utils import InfraConfig\nx = InfraConfig(\n";
    let dir = tree(&[("broken.py", broken), ("a.py", LEGACY)]);
    let out = run(dir.path(), &["--apply", "--output-format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let list = json(&out);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["code"], "FW000");
    assert_eq!(read(dir.path(), "broken.py"), broken);
    assert_eq!(read(dir.path(), "a.py"), MIGRATED);
}

#[test]
fn output_is_sorted_by_path_whatever_the_threads() {
    let names: Vec<String> = (0..40).map(|i| format!("d{}/f{i:02}.py", i % 7)).collect();
    let files: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), LEGACY)).collect();
    let dir = tree(&files);
    let first = stdout(&run(dir.path(), &["--output-format", "concise", "-j", "4"]));
    for _ in 0..3 {
        assert_eq!(
            stdout(&run(dir.path(), &["--output-format", "concise", "-j", "4"])),
            first
        );
    }
    let paths: Vec<&str> = first
        .lines()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

#[test]
fn discovery_honours_gitignore_and_skips_usual_folders() {
    let dir = tree(&[
        (".gitignore", "ignored/\n"),
        ("ignored/a.py", LEGACY),
        ("venv/lib/b.py", LEGACY),
        ("node_modules/c.py", LEGACY),
        ("src/d.py", LEGACY),
        ("notes.txt", "InfraConfig"),
    ]);
    let out = run(dir.path(), &["--show-files"]);
    assert_eq!(stdout(&out), "src/d.py\n");
    let out = run(dir.path(), &["--show-files", "--no-respect-gitignore"]);
    assert_eq!(stdout(&out), "ignored/a.py\nsrc/d.py\n");
    // An explicit file is checked even when excluded, unless --force-exclude.
    let out = run(
        dir.path(),
        &["--show-files", "--exclude", "src", "src/d.py"],
    );
    assert_eq!(stdout(&out), "src/d.py\n");
    let out = run(
        dir.path(),
        &[
            "--show-files",
            "--exclude",
            "src",
            "--force-exclude",
            "src/d.py",
        ],
    );
    assert_eq!(stdout(&out), "");
    // A path given twice is checked once.
    let out = run(
        dir.path(),
        &["--output-format", "concise", "src/d.py", "src/d.py"],
    );
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
}

#[test]
fn default_excludes_are_a_setting() {
    let files = [
        ("build/pkg/launch.py", LEGACY),
        ("dist/old.py", LEGACY),
        (".venv/lib/site.py", LEGACY),
        ("src/train.py", LEGACY),
        ("src/experiments/old/try.py", LEGACY),
    ];
    let dir = tree(&files);
    let show = |args: &[&str]| {
        let mut all = vec!["--show-files"];
        all.extend(args);
        let out = run(dir.path(), &all);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    // The default list skips build/, dist/ and .venv/.
    assert_eq!(show(&[]), "src/experiments/old/try.py\nsrc/train.py\n");
    // A folder named on the command line is walked whatever its name, unless --force-exclude.
    assert_eq!(show(&["build"]), "build/pkg/launch.py\n");
    assert_eq!(show(&["--force-exclude", "build"]), "");
    assert_eq!(show(&["--force-exclude", "build/pkg/launch.py"]), "");
    // --exclude replaces the default list; --extend-exclude adds to it.
    assert_eq!(
        show(&["--exclude", "dist,src"]),
        ".venv/lib/site.py\nbuild/pkg/launch.py\n"
    );
    assert_eq!(
        show(&["--extend-exclude", "src/experiments/old"]),
        "src/train.py\n"
    );

    // `exclude = []` in the configuration checks the build/ package.
    fs::write(dir.path().join("fwmigrate.toml"), "exclude = []\n").unwrap();
    let out = run(dir.path(), &["--check", "--output-format", "concise"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for (name, _) in files {
        assert!(
            text.contains(&format!("{name}:8:15: FW001")),
            "{name}: {text}"
        );
    }
    // The command line's --exclude replaces the configuration's.
    assert_eq!(
        show(&["--exclude", "build"]),
        ".venv/lib/site.py\ndist/old.py\nsrc/experiments/old/try.py\nsrc/train.py\n"
    );
    // The configuration's extend-exclude adds to the default list.
    fs::write(
        dir.path().join("fwmigrate.toml"),
        "extend-exclude = [\"experiments\", \"*.pyc\"]\n",
    )
    .unwrap();
    assert_eq!(show(&[]), "src/train.py\n");

    // --show-settings prints both lists.
    let out = run(dir.path(), &["--show-settings", "build/pkg/launch.py"]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "exclude: [\".git\", \".hg\", \".svn\", \".venv\", \"venv\", \"__pycache__\", \"node_modules\", \".tox\", \".nox\", \"build\", \"dist\", \"site-packages\","
        ) && text.contains("extend-exclude: [\"experiments\", \"*.pyc\"]\n")
            && text.contains("excluded: true\n"),
        "{text}"
    );
    fs::write(dir.path().join("fwmigrate.toml"), "exclude = [\"dist\"]\n").unwrap();
    let out = run(
        dir.path(),
        &[
            "--show-settings",
            "build/pkg/launch.py",
            "--extend-exclude",
            "x",
        ],
    );
    let text = stdout(&out);
    assert!(
        text.contains("exclude: [\"dist\"]\nextend-exclude: [\"x\"]\nexcluded: false\n"),
        "{text}"
    );

    // An excluded folder is never entered: its own (broken) configuration is not read.
    let dir = tree(&[
        ("a.py", LEGACY),
        ("build/fwmigrate.toml", "select = [\n"),
        ("build/b.py", LEGACY),
    ]);
    let out = run(dir.path(), &["--check", "--output-format", "concise"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
    let out = run(dir.path(), &["--check", "--exclude", ""]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("build/fwmigrate.toml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_input_is_reported_and_left_alone() {
    let latin1: &[u8] = b"from training.utils import InfraConfig\nx = InfraConfig()  # caf\xe9\n";
    let dir = tree(&[("a.py", LEGACY)]);
    fs::write(dir.path().join("latin.py"), latin1).unwrap();
    fs::write(
        dir.path().join("bin.py"),
        b"from training.utils import InfraConfig\0\x01\x02",
    )
    .unwrap();
    fs::write(dir.path().join("empty.py"), b"").unwrap();
    let out = run(dir.path(), &["--apply"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("latin.py") && err.contains("UTF-8"), "{err}");
    assert!(err.contains("bin.py") && err.contains("binary"), "{err}");
    assert_eq!(fs::read(dir.path().join("latin.py")).unwrap(), latin1);
    assert_eq!(read(dir.path(), "a.py"), MIGRATED);
    assert_eq!(read(dir.path(), "empty.py"), "");
}

#[test]
fn bom_crlf_and_missing_final_newline_are_kept() {
    let src = "\u{feff}from training.utils import InfraConfig\r\n\r\nx = InfraConfig(trainer_timeout_s=5)";
    let dir = tree(&[("a.py", src)]);
    let out = run(dir.path(), &["--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        read(dir.path(), "a.py"),
        "\u{feff}from training.utils import TrainerConfig\r\n\r\nx = TrainerConfig(timeout_s=5)"
    );
}

#[cfg(unix)]
#[test]
fn symlinks_stay_links_and_permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("real/a.py", LEGACY)]);
    let real = dir.path().join("real/a.py");
    fs::set_permissions(&real, fs::Permissions::from_mode(0o754)).unwrap();
    std::os::unix::fs::symlink(&real, dir.path().join("link.py")).unwrap();
    // Links are not followed while walking, but are when given explicitly.
    let out = run(dir.path(), &["--show-files"]);
    assert_eq!(stdout(&out), "real/a.py\n");
    let out = run(dir.path(), &["--apply", "link.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        fs::symlink_metadata(dir.path().join("link.py"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&real).unwrap(), MIGRATED);
    assert_eq!(
        fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o754
    );
}

/// Running as root on someone else's files (a container on a mounted repository) must not
/// leave root-owned files behind.
#[cfg(unix)]
#[test]
fn apply_keeps_the_owner_and_group() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if !common::is_root() {
        eprintln!("SKIPPED: owner test: needs root to give files to another user");
        return;
    }
    let id = common::OTHER_ID;
    let dir = tree(&[("a.py", LEGACY), ("setgid.py", LEGACY)]);
    let file = dir.path().join("a.py");
    std::os::unix::fs::chown(&file, Some(id), Some(id)).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
    // Giving a file away clears its set-group-id bit: the mode is set after the owner.
    let setgid = dir.path().join("setgid.py");
    std::os::unix::fs::chown(&setgid, Some(id), Some(id)).unwrap();
    fs::set_permissions(&setgid, fs::Permissions::from_mode(0o2755)).unwrap();
    let out = run(dir.path(), &["--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (path, mode) in [(&file, 0o640), (&setgid, 0o2755)] {
        assert_eq!(fs::read_to_string(path).unwrap(), MIGRATED);
        let meta = fs::metadata(path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (id, id), "{}", path.display());
        assert_eq!(meta.mode() & 0o7777, mode, "{}", path.display());
    }

    // Not root, and the file belongs to another user: the owner cannot be kept, and that
    // does not stop the write (the group, which is the user's, is kept).
    use std::os::unix::process::CommandExt;
    let other = id + 1;
    std::os::unix::fs::chown(dir.path(), Some(id), Some(id)).unwrap();
    fs::write(&file, LEGACY).unwrap();
    std::os::unix::fs::chown(&file, Some(other), Some(id)).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o664)).unwrap();
    let out = common::fwmigrate()
        .current_dir(dir.path())
        .args(["--apply", "a.py"])
        .uid(id)
        .gid(id)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&file).unwrap(), MIGRATED);
    let meta = fs::metadata(&file).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (id, id));
    assert_eq!(meta.mode() & 0o777, 0o664);
}

/// A file with several names (hard links) is rewritten in place: every name sees the fix, it
/// stays one file, and it is fixed once.
#[cfg(unix)]
#[test]
fn hard_linked_files_are_fixed_under_every_name() {
    use std::os::unix::fs::MetadataExt;
    let dir = tree(&[("pkg/a.py", LEGACY), ("other.py", LEGACY)]);
    let a = dir.path().join("pkg/a.py");
    let names = [
        a.clone(),
        dir.path().join("pkg/b.py"),
        dir.path().join("z/c.py"),
    ];
    fs::create_dir_all(dir.path().join("z")).unwrap();
    for name in &names[1..] {
        fs::hard_link(&a, name).unwrap();
    }
    let inode = fs::metadata(&a).unwrap().ino();
    let out = run(dir.path(), &["--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Fixed once (two findings in each of two files), under its first name.
    assert_eq!(
        stderr(&out),
        "Fixed 4 findings in 2 files, 0 remaining.\n",
        "{}",
        stdout(&out)
    );
    for name in &names {
        assert_eq!(fs::read_to_string(name).unwrap(), MIGRATED);
        let meta = fs::metadata(name).unwrap();
        assert_eq!((meta.ino(), meta.nlink()), (inode, 3), "{}", name.display());
    }
    assert_eq!(
        fs::read_to_string(dir.path().join("other.py")).unwrap(),
        MIGRATED
    );

    // Named twice on the command line: fixed once too.
    fs::write(&a, LEGACY).unwrap();
    let out = run(dir.path(), &["--apply", "z/c.py", "pkg/b.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Fixed 2 findings in 1 file, 0 remaining.\n");
    assert_eq!(fs::read_to_string(&names[1]).unwrap(), MIGRATED);
    assert_eq!(fs::metadata(&a).unwrap().nlink(), 3);
}

const NOTEBOOK: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "id": "m1",
   "metadata": {},
   "source": [
    "# InfraConfig notes"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "id": "c1",
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "ok\n"
     ]
    }
   ],
   "source": [
    "%pip install fireworks-ai\n",
    "!ls\n",
    "from training.utils import InfraConfig"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "id": "c2",
   "metadata": {},
   "outputs": [],
   "source": [
    "cfg = InfraConfig(trainer_timeout_s=60)  # café"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "Python 3",
   "language": "python",
   "name": "python3"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

#[test]
fn notebooks_are_checked_and_fixed_in_place() {
    let dir = tree(&[("nb.ipynb", NOTEBOOK)]);
    let out = run(dir.path(), &["--check", "--output-format", "concise"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("nb.ipynb:cell 3:1:7: FW001"),
        "{}",
        stdout(&out)
    );
    let out = run(dir.path(), &["--check", "--output-format", "json"]);
    assert_eq!(json(&out)[0]["cell"], 3);
    let out = run(dir.path(), &["--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let expected = NOTEBOOK
        .replace(
            "\"from training.utils import InfraConfig\"",
            "\"from training.utils import TrainerConfig\"",
        )
        .replace(
            "\"cfg = InfraConfig(trainer_timeout_s=60)  # café\"",
            "\"cfg = TrainerConfig(timeout_s=60)  # café\"",
        );
    assert_eq!(read(dir.path(), "nb.ipynb"), expected);
}

#[test]
fn a_notebook_with_nothing_to_fix_round_trips_byte_for_byte() {
    let clean = NOTEBOOK
        .replace("InfraConfig", "TrainerConfig")
        .replace("trainer_timeout_s", "timeout_s");
    let dir = tree(&[("nb.ipynb", clean.as_str())]);
    let out = run(dir.path(), &["--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(read(dir.path(), "nb.ipynb"), clean);
}

#[test]
fn a_notebook_import_split_by_an_escaped_continuation_is_checked() {
    // In the file's JSON the blanks between `from` and the module are `\\\n", "    `: the
    // prefilter must not take the import for prose.
    let notebook = r#"{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {},
 "outputs": [], "source": ["from \\\n", "    training.utils import InfraConfig\n",
 "c = InfraConfig(trainer_timeout_s=5)\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
"#;
    let dir = tree(&[("nb.ipynb", notebook)]);
    let out = run(dir.path(), &["--check", "--output-format", "concise"]);
    assert!(
        stdout(&out).contains("nb.ipynb:cell 1:3:5: FW001"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn no_findings_on_the_python_standard_library() {
    let Ok(out) = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        ])
        .output()
    else {
        eprintln!("python3 not found; skipped");
        return;
    };
    let stdlib = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !stdlib.is_dir() {
        eprintln!("no stdlib folder; skipped");
        return;
    }
    let out = common::fwmigrate()
        .args([
            "--check",
            "--output-format",
            "concise",
            "--no-respect-gitignore",
        ])
        .arg(&stdlib)
        .output()
        .unwrap();
    // Only findings count: unreadable or non-UTF-8 test data files may be reported as errors.
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
}

#[test]
fn the_readme_example_is_what_apply_produces() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```python\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    let strip = |b: &str| b.split_once('\n').unwrap().1.to_string();
    let (before, after) = (strip(blocks[0]), strip(blocks[1]));
    let dir = tree(&[("example.py", before.as_str())]);
    let out = run(dir.path(), &["--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(read(dir.path(), "example.py"), after);
}

#[test]
fn dependency_files_and_their_includes_are_checked() {
    let dir = tree(&[
        ("requirements.txt", "-r deps/base.txt\nnumpy\n"),
        ("deps/base.txt", "fireworks-ai==1.2.0a60\n"),
        ("dev-requirements.txt", "fireworks-ai[training]<1.2\n"),
        ("notes.txt", "fireworks-ai==1.0\n"),
    ]);
    let out = run(dir.path(), &["--show-files"]);
    assert_eq!(stdout(&out), "dev-requirements.txt\nrequirements.txt\n");
    let out = run(dir.path(), &["--check", "--output-format", "concise"]);
    let text = stdout(&out);
    assert!(text.contains("deps/base.txt:1:1: FW501"), "{text}");
    assert!(text.contains("dev-requirements.txt:1:1: FW501"), "{text}");
    assert!(!text.contains("notes.txt"), "{text}");
    let out = run(dir.path(), &["--apply", "--unsafe-fixes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        read(dir.path(), "deps/base.txt"),
        "fireworks-ai>=1.2.9,<2\n"
    );
}

/// Files are reported in path order (component by component, as docs/behaviour.md says), whatever order
/// the walk's threads finish them in, with one folder (processed as the walk goes) or several
/// paths (listed first), and with a file that a requirements file includes.
#[test]
fn output_is_in_path_order_whatever_the_threads_do() {
    let names = [
        "a-b.py",
        "a.py",
        "a/b.py",
        "a/b/c.py",
        "a/b-c.py",
        "ab/c.py",
        "Z.py",
        "_x/y.py",
        "a/.h.py",
        "a/b/c/d/e.py",
    ];
    let mut files: Vec<(String, &str)> = names.iter().map(|n| (n.to_string(), LEGACY)).collect();
    // Enough clean files that the threads interleave.
    for i in 0..300 {
        files.push((format!("m{}/n{}.py", i % 7, i), CLEAN));
    }
    files.push(("requirements.txt".to_string(), "-r a/deps.txt\n"));
    files.push(("a/deps.txt".to_string(), "fireworks-ai==1.2.0a60\n"));
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    let dir = tree(&refs);
    let mut want: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
    want.push(PathBuf::from("a/deps.txt"));
    want.sort();
    let want: Vec<String> = want.iter().map(|p| p.display().to_string()).collect();
    let order = |args: &[&str]| -> Vec<String> {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let mut files: Vec<String> = list
            .iter()
            .map(|r| r["filename"].as_str().unwrap().to_string())
            .collect();
        files.dedup();
        files
    };
    for jobs in ["1", "2", "4"] {
        let args = ["--check", "--output-format", "json", "--jobs", jobs];
        assert_eq!(order(&args), want, "one folder, --jobs {jobs}");
    }
    // Several paths: the same order (names as given).
    let mut args = vec!["--check", "--output-format", "json"];
    args.extend([
        "requirements.txt",
        "a",
        "a-b.py",
        "a.py",
        "ab",
        "Z.py",
        "_x",
        "m0",
    ]);
    assert_eq!(order(&args), want, "several paths");
}

/// Files included with `-r` are checked once each, under one name, and so are the files they
/// include in turn; found by its name alone, an included file is not read.
#[test]
fn includes_are_followed_transitively_and_checked_once() {
    let dir = tree(&[
        ("requirements.txt", "-r deps/../base.txt\n-r base.txt\n"),
        ("base.txt", "-r pins.txt\nfireworks-ai==1.2.0a60\n"),
        (
            "pins.txt",
            "fireworks-ai<1.2  # fwmigrate: ignore[FW501]\nfireworks-ai<1.1\n",
        ),
        ("deps/keep.txt", "fireworks-ai==1.0\n"),
    ]);
    let out = run(dir.path(), &["--check", "--output-format", "concise"]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines.iter().any(|l| l.contains("base.txt:2:1: FW501")),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("pins.txt:2:1: FW501")),
        "{text}"
    );
    // Checking the included file alone, by its name, reads nothing.
    let out = run(dir.path(), &["--check", "base.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// stdin goes through the same pipeline as files: a dependency file by its name.
#[test]
fn stdin_reads_dependency_files_by_name() {
    let dir = tree(&[]);
    let out = run_stdin(
        dir.path(),
        &["--check", "--stdin-filename", "requirements.txt", "-"],
        "fireworks-ai==1.2.0a60\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("requirements.txt:1:1: FW501"),
        "{}",
        stdout(&out)
    );
    let out = run_stdin(
        dir.path(),
        &[
            "--apply",
            "--unsafe-fixes",
            "--stdin-filename",
            "requirements.txt",
            "-",
        ],
        "fireworks-ai==1.2.0a60\n",
    );
    assert_eq!(stdout(&out), "fireworks-ai>=1.2.9,<2\n");
}

#[test]
fn every_tagged_release_is_a_target() {
    let dir = tree(&[(
        "a.py",
        "from training.utils import TrainerConfig\nTrainerConfig(accelerator_type=\"H100\")\n",
    )]);
    let out = run(dir.path(), &["--list-targets"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(rows.len() >= 69, "{text}");
    assert!(rows[0].starts_with("cookbook-v2026.05.19.1 "), "{text}");
    let aug = rows
        .iter()
        .find(|r| r.starts_with("cookbook-v2026.08.19.1"))
        .unwrap();
    assert!(
        aug.contains("76821fa1") && aug.contains(">=1.2.9,<2"),
        "{aug}"
    );
    assert!(
        aug.ends_with("2026.08, latest") || rows.last() != Some(aug),
        "{aug}"
    );
    let jun = rows
        .iter()
        .find(|r| r.starts_with("cookbook-v2026.06.01.1"))
        .unwrap();
    assert!(
        jun.contains(">=1.2.0a74,<2") && jun.ends_with("2026.06"),
        "{jun}"
    );
    // JSON: the same rows, with the declared range where it was narrowed.
    let out = run(dir.path(), &["--list-targets", "--output-format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), rows.len());
    let jun = list
        .iter()
        .find(|t| t["tag"] == "cookbook-v2026.06.01.1")
        .unwrap();
    assert_eq!(jun["declared_sdk"], ">=1.2.0a70,<2");
    assert_eq!(jun["aliases"][0], "2026.06");

    // A tag, with or without its prefix, checks against that release.
    for target in ["2026.07.23.2", "cookbook-v2026.07.23.2"] {
        let out = run(
            dir.path(),
            &["--check", "--target", target, "--show-settings", "a.py"],
        );
        assert!(
            stdout(&out).contains("target: 2026.07.23.2 (cookbook-v2026.07.23.2, 2026-07-23"),
            "{}",
            stdout(&out)
        );
        let out = run(dir.path(), &["--check", "--target", target, "a.py"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stdout(&out).contains("at 2026.07.23.2"), "{}", stdout(&out));
    }
    // An unknown one is a usage error that names the nearest tags.
    let out = run(dir.path(), &["--target", "2026.07.99", "a.py"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nearest: cookbook-v2026.07"),
        "{}",
        stderr(&out)
    );
    let cfg = tree(&[
        ("fwmigrate.toml", "target = \"2026.13\"\n"),
        ("a.py", "x = 1\n"),
    ]);
    let out = run(cfg.path(), &["a.py"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown target `2026.13`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_release_before_the_move_to_sdk_provisioning_has_nothing_to_port() {
    let script = "from training.utils import InfraConfig, ResourceCleanup\n\
                  from training.utils.rl import setup_infra\n\
                  \n\
                  def launch(rlor_mgr, deploy_mgr):\n\
                  \x20   cfg = InfraConfig(training_shape_id=\"accounts/fireworks/trainingShapes/s\", accelerator_type=\"H100\")\n\
                  \x20   with ResourceCleanup(rlor_mgr, deploy_mgr):\n\
                  \x20       return setup_infra(rlor_mgr=rlor_mgr, deploy_mgr=deploy_mgr, base_model=\"m\", infra_cfg=cfg, api_key=\"k\", role_prefix=\"r\")\n";
    let dir = tree(&[("launch.py", script)]);
    // At the last release before the move, this is the cookbook's own API.
    let out = run(
        dir.path(),
        &[
            "--check",
            "--output-format",
            "json",
            "--target",
            "cookbook-v2026.05.30.2",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // At the release that moved provisioning behind the SDK, everything is ported.
    let out = run(
        dir.path(),
        &["--check", "--output-format", "json", "--target", "2026.06"],
    );
    let codes: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(&stdout(&out))
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    for code in ["FW001", "FW101", "FW102", "FW201", "FW601"] {
        assert!(codes.iter().any(|c| c == code), "{code}: {codes:?}");
    }
}
