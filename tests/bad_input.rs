//! Bad input: every case gets one clear finding or error naming the file, never a panic, never
//! a change to a file fwmigrate cannot handle. (tests/cli.rs covers a latin-1 file without a
//! cookie, a NUL byte next to a needle, an empty file, BOM + CRLF, and a file given twice.)

use std::fs;
use std::process::Output;

mod common;
use common::{run, stderr, stdout};

const LEGACY: &str =
    "from training.utils import InfraConfig\n\ncfg = InfraConfig(trainer_timeout_s=5)\n";

/// No panic message, no internal error, an exit status of 0 or 1.
fn assert_sane(o: &Output) {
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "exit {:?}\n{err}",
        o.status.code()
    );
}

fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
    dir
}

/// Lines of stderr that name `file`.
fn errors_naming(o: &Output, file: &str) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| l.contains(file))
        .map(str::to_string)
        .collect()
}

#[test]
fn non_utf8_with_a_coding_cookie_is_reported_once_and_left_alone() {
    let latin1: &[u8] = b"# -*- coding: latin-1 -*-\nfrom training.utils import InfraConfig\nx = InfraConfig()  # caf\xe9\n";
    let dir = dir_with(&[("cookie.py", latin1)]);
    for mode in ["--check", "--apply", "--diff"] {
        let out = run(dir.path(), &[mode]);
        assert_sane(&out);
        assert_eq!(out.status.code(), Some(1), "{mode}");
        let named = errors_naming(&out, "cookie.py");
        assert_eq!(named.len(), 1, "{mode}: {}", stderr(&out));
        assert!(named[0].contains("UTF-8"), "{}", named[0]);
        assert_eq!(fs::read(dir.path().join("cookie.py")).unwrap(), latin1);
    }
}

#[test]
fn a_bom_alone_and_a_bom_before_a_finding() {
    let dir = dir_with(&[
        ("only_bom.py", "\u{feff}".as_bytes()),
        ("bom.py", format!("\u{feff}{LEGACY}").as_bytes()),
    ]);
    let out = run(dir.path(), &["--check", "--output-format", "concise"]);
    assert_sane(&out);
    // Columns count from the text after the BOM.
    assert!(
        stdout(&out).contains("bom.py:3:7: FW001"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("only_bom.py"), "{}", stdout(&out));
    let out = run(dir.path(), &["--apply"]);
    assert_sane(&out);
    assert_eq!(
        fs::read(dir.path().join("only_bom.py")).unwrap(),
        b"\xef\xbb\xbf"
    );
    let fixed = fs::read_to_string(dir.path().join("bom.py")).unwrap();
    assert!(fixed.starts_with('\u{feff}') && fixed.contains("TrainerConfig(timeout_s=5)"));
}

#[test]
fn mixed_line_endings_are_kept_byte_for_byte() {
    let src = "from training.utils import InfraConfig\r\nimport os\n\rx = 1\r\ncfg = InfraConfig(trainer_timeout_s=5)\nprint(os.sep)\r\n";
    let dir = dir_with(&[("mixed.py", src.as_bytes())]);
    let out = run(dir.path(), &["--apply"]);
    assert_sane(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let want = src
        .replace("InfraConfig", "TrainerConfig")
        .replace("trainer_timeout_s", "timeout_s");
    assert_eq!(
        fs::read_to_string(dir.path().join("mixed.py")).unwrap(),
        want
    );
}

#[test]
fn a_binary_file_named_py_is_reported_and_left_alone() {
    let mut bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    // Enough to pass the prefilter (a needle and an import marker).
    bytes.extend_from_slice(b"from training.utils import InfraConfig");
    bytes.extend_from_slice(&[0, 0, 0xff, 0xfe]);
    let dir = dir_with(&[("blob.py", &bytes), ("ok.py", LEGACY.as_bytes())]);
    let out = run(dir.path(), &["--apply"]);
    assert_sane(&out);
    assert_eq!(out.status.code(), Some(1));
    let named = errors_naming(&out, "blob.py");
    assert_eq!(named.len(), 1, "{}", stderr(&out));
    assert!(named[0].contains("binary"), "{}", named[0]);
    assert_eq!(fs::read(dir.path().join("blob.py")).unwrap(), bytes);
    // The run went on with the other file.
    assert!(
        fs::read_to_string(dir.path().join("ok.py"))
            .unwrap()
            .contains("TrainerConfig")
    );
}

#[test]
fn empty_and_whitespace_only_files_pass() {
    let dir = dir_with(&[
        ("empty.py", b""),
        ("blank.py", b"\n\n   \n"),
        ("formfeed.py", b"\x0c\n# InfraConfig\n"),
    ]);
    let out = run(dir.path(), &["--apply"]);
    assert_sane(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(dir.path().join("blank.py")).unwrap(), b"\n\n   \n");
}

#[test]
fn a_file_over_the_size_limit_is_skipped_with_a_message() {
    let mut big = String::from(LEGACY);
    while big.len() < 20 * 1024 * 1024 {
        big.push_str("x = [1, 2, 3]  # padding padding padding padding padding padding\n");
    }
    let dir = dir_with(&[("big.py", big.as_bytes()), ("small.py", LEGACY.as_bytes())]);
    let out = run(dir.path(), &["--apply"]);
    assert_sane(&out);
    assert_eq!(out.status.code(), Some(1));
    let named = errors_naming(&out, "big.py");
    assert_eq!(named.len(), 1, "{}", stderr(&out));
    assert!(
        named[0].contains(&big.len().to_string())
            && named[0].contains("10485760")
            && named[0].contains("--max-file-size"),
        "{}",
        named[0]
    );
    assert_eq!(fs::read(dir.path().join("big.py")).unwrap(), big.as_bytes());
    assert!(
        fs::read_to_string(dir.path().join("small.py"))
            .unwrap()
            .contains("TrainerConfig")
    );
    // A lower limit applies to the small file too.
    let out = run(
        dir.path(),
        &["--check", "--max-file-size", "10", "small.py"],
    );
    assert_sane(&out);
    assert!(
        stderr(&out).contains("over the 10-byte limit"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn parser_stress_never_panics_and_never_breaks_a_file() {
    let deep = |n: usize, open: &str, close: &str| {
        format!(
            "from training.utils import InfraConfig\nx = {}InfraConfig(){}\n",
            open.repeat(n),
            close.repeat(n)
        )
    };
    let mut indented = String::from("from training.utils import InfraConfig\n");
    for i in 0..100 {
        indented.push_str(&format!("{}if x{i}:\n", "    ".repeat(i)));
    }
    indented.push_str(&format!("{}cfg = InfraConfig()\n", "    ".repeat(100)));
    let long_line = format!(
        "from training.utils import InfraConfig\nx = [{}InfraConfig()]\n",
        "1, ".repeat(300_000)
    );
    let cases: Vec<(&str, String)> = vec![
        ("parens200.py", deep(200, "(", ")")),
        ("lists200.py", deep(200, "[", "]")),
        // Deeper than the 8 MiB main-thread stack allows (the work runs on big-stack threads).
        ("lists20000.py", deep(20_000, "[", "]")),
        ("calls200.py", deep(200, "f(", ")")),
        ("dicts200.py", deep(200, "{1: ", "}")),
        ("unbalanced.py", deep(200, "(", "")),
        ("indent100.py", indented),
        ("long_line.py", long_line),
        (
            "unterminated.py",
            "from training.utils import InfraConfig\nx = InfraConfig('''\n".to_string(),
        ),
        (
            "continuation_eof.py",
            "from training.utils import InfraConfig\nx = InfraConfig() \\".to_string(),
        ),
        (
            "fstrings.py",
            "from training.utils import InfraConfig\nx = f'{f\"{f'{InfraConfig()}'}\"}'\n"
                .to_string(),
        ),
        (
            "decorators.py",
            format!(
                "from training.utils import InfraConfig\n{}def f(): return InfraConfig()\n",
                "@d\n".repeat(2000)
            ),
        ),
    ];
    let files: Vec<(&str, &[u8])> = cases.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let dir = dir_with(&files);
    let out = run(dir.path(), &["--apply", "--output-format", "concise"]);
    assert_sane(&out);
    for (name, text) in &cases {
        let after = fs::read_to_string(dir.path().join(name)).unwrap();
        if after != *text {
            // A changed file was fixed, and what was written parses (fwmigrate checks it too).
            assert!(
                !stdout(&out).contains(&format!("{name}:1:1: FW000")),
                "{name}"
            );
            assert!(after.contains("TrainerConfig"), "{name}: {after:.200}");
        }
        // Every file is accounted for: fixed, a finding, or an error naming it.
        let mentioned = stdout(&out).contains(*name) || stderr(&out).contains(*name);
        assert!(
            after != *text || mentioned,
            "{name}: neither fixed nor reported\n{}",
            stdout(&out)
        );
    }
}

/// `chmod 000` does not stop root from reading: as root, fwmigrate runs as another user, who
/// owns the files.
#[cfg(unix)]
fn run_unprivileged(dir: &std::path::Path, args: &[&str]) -> Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = common::fwmigrate();
    cmd.current_dir(dir).args(args);
    if common::is_root() {
        cmd.uid(common::OTHER_ID).gid(common::OTHER_ID);
    }
    cmd.output().unwrap()
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_reported_and_the_run_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = dir_with(&[
        ("secret.py", LEGACY.as_bytes()),
        ("ok.py", LEGACY.as_bytes()),
    ]);
    let secret = dir.path().join("secret.py");
    if common::is_root() {
        for p in [dir.path(), &secret, &dir.path().join("ok.py")] {
            std::os::unix::fs::chown(p, Some(common::OTHER_ID), Some(common::OTHER_ID)).unwrap();
        }
    }
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    let out = run_unprivileged(dir.path(), &["--apply"]);
    let check_secret = run_unprivileged(dir.path(), &["--check", "secret.py"]);
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o644)).unwrap();
    assert_sane(&out);
    assert_eq!(out.status.code(), Some(1));
    let named = errors_naming(&out, "secret.py");
    assert_eq!(named.len(), 1, "{}", stderr(&out));
    assert!(named[0].contains("cannot read"), "{}", named[0]);
    assert_eq!(fs::read_to_string(&secret).unwrap(), LEGACY);
    assert!(
        fs::read_to_string(dir.path().join("ok.py"))
            .unwrap()
            .contains("TrainerConfig")
    );
    // The summary counts the file that was not checked.
    assert!(
        stderr(&out)
            .ends_with("Fixed 1 finding in 1 file, 0 remaining.\n1 file could not be checked.\n"),
        "{}",
        stderr(&out)
    );
    // Alone, it makes no "All checks passed.": exit 1 and a summary that says why.
    assert_sane(&check_secret);
    assert_eq!(check_secret.status.code(), Some(1));
    assert_eq!(
        stderr(&check_secret)
            .lines()
            .filter(|l| !l.starts_with("error:"))
            .collect::<Vec<_>>(),
        ["No findings in the files checked; 1 file could not be checked."]
    );
}

#[test]
fn files_that_cannot_be_checked_are_counted_in_the_summary() {
    let latin1: &[u8] = b"from training.utils import InfraConfig\nx = InfraConfig()  # caf\xe9\n";
    let dir = dir_with(&[
        ("latin.py", latin1),
        ("big.py", "# padding\n".repeat(20).as_bytes()),
        (
            "nb.ipynb",
            b"{\"cells\": [\"from training.utils import InfraConfig\"",
        ),
        ("clean.py", b"import os\n"),
    ]);
    for mode in ["--check", "--diff", "--apply"] {
        let out = run(dir.path(), &[mode, "--max-file-size", "100"]);
        assert_sane(&out);
        assert_eq!(out.status.code(), Some(1), "{mode}");
        let err = stderr(&out);
        assert!(
            err.ends_with("No findings in the files checked; 3 files could not be checked.\n"),
            "{mode}: {err}"
        );
        assert!(!err.contains("All checks passed"), "{mode}: {err}");
    }
    // With --exit-zero the status is 0, and the summary still says it.
    let out = run(dir.path(), &["--exit-zero", "--max-file-size", "100"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("3 files could not be checked."));
    // Findings elsewhere: both counts, then the advice.
    fs::write(dir.path().join("legacy.py"), LEGACY).unwrap();
    let out = run(dir.path(), &["--check", "--max-file-size", "100"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).ends_with(
            "Found 1 finding (1 fixable with --apply, 0 more with --unsafe-fixes).\n3 files could not be checked.\nRun `fwmigrate --apply` to fix them.\n"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_missing_path_is_reported_and_the_others_are_checked() {
    let dir = dir_with(&[("ok.py", LEGACY.as_bytes())]);
    let out = run(dir.path(), &["--check", "gone", "ok.py"]);
    assert_sane(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(errors_naming(&out, "gone").len(), 1, "{}", stderr(&out));
    assert!(stdout(&out).contains("ok.py"), "{}", stdout(&out));
}

/// Folders deleted and recreated while fwmigrate walks them: whatever it meets, it reports
/// and goes on; it never panics.
#[test]
fn folders_that_vanish_mid_walk() {
    let dir = tempfile::tempdir().unwrap();
    let make = |i: usize| {
        let d = dir.path().join(format!("d{i}/sub"));
        fs::create_dir_all(&d).unwrap();
        for j in 0..20 {
            fs::write(d.join(format!("f{j}.py")), LEGACY).unwrap();
        }
    };
    for i in 0..40 {
        make(i);
    }
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = fs::remove_dir_all(dir.path().join(format!("d{}", i % 40)));
                make(i % 40);
                i += 1;
            }
        });
        for _ in 0..10 {
            let out = run(dir.path(), &["--check", "--output-format", "concise"]);
            assert_sane(&out);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
}

#[test]
fn the_same_file_through_different_paths_is_fixed_once() {
    let dir = dir_with(&[("pkg/a.py", LEGACY.as_bytes())]);
    let abs = dir.path().join("pkg/a.py");
    let out = common::fwmigrate()
        .current_dir(dir.path())
        .args(["--apply", ".", "pkg", "pkg/a.py", "./pkg/a.py"])
        .arg(&abs)
        .output()
        .unwrap();
    assert_sane(&out);
    assert!(
        !stderr(&out).contains("changed on disk"),
        "{}",
        stderr(&out)
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let want = LEGACY
        .replace("InfraConfig", "TrainerConfig")
        .replace("trainer_timeout_s", "timeout_s");
    assert_eq!(fs::read_to_string(&abs).unwrap(), want);
}

#[test]
fn a_broken_pyproject_stops_the_run_naming_the_file() {
    let dir = dir_with(&[
        ("pyproject.toml", b"[tool.fwmigrate\nselect = [\"FW0\"\n"),
        ("a.py", LEGACY.as_bytes()),
    ]);
    let out = run(dir.path(), &["--apply"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("pyproject.toml"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(dir.path().join("a.py")).unwrap(), LEGACY);
}

/// A panic while processing one file (forced in debug builds with FWMIGRATE_DEBUG_PANIC_ON)
/// becomes an FW999 finding for that file; the file is left alone and the run goes on.
#[cfg(debug_assertions)]
#[test]
fn a_panic_in_one_file_is_an_fw999_finding_for_it() {
    let dir = dir_with(&[("boom.py", LEGACY.as_bytes()), ("ok.py", LEGACY.as_bytes())]);
    let out = common::fwmigrate()
        .current_dir(dir.path())
        .env("FWMIGRATE_DEBUG_PANIC_ON", "boom.py")
        .args(["--apply", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), 1, "{}", stdout(&out));
    assert_eq!(list[0]["code"], "FW999");
    assert_eq!(list[0]["filename"], "boom.py");
    assert!(
        list[0]["message"]
            .as_str()
            .unwrap()
            .contains("left unchanged")
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("boom.py")).unwrap(),
        LEGACY
    );
    assert!(
        fs::read_to_string(dir.path().join("ok.py"))
            .unwrap()
            .contains("TrainerConfig")
    );
}

/// A file nested deeper than fwmigrate checks (here a 300,000-term sum, which CPython cannot
/// compile either) gets one FW000 finding naming it and stays as it is; the run goes on and
/// fixes the other files. It used to overflow the stack and abort the whole run.
#[test]
fn a_file_nested_too_deep_is_one_finding_not_a_crash() {
    let chain = format!(
        "from training.utils import InfraConfig\nx = InfraConfig(a={})\n",
        vec!["1"; 300_000].join(" + ")
    );
    let dir = dir_with(&[("deep.py", chain.as_bytes()), ("ok.py", LEGACY.as_bytes())]);
    let out = run(dir.path(), &["--apply", "--output-format", "concise"]);
    assert_sane(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("deep.py:2:") && text.contains("FW000") && text.contains("nested more than"),
        "{text}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("deep.py")).unwrap(),
        chain
    );
    assert!(
        fs::read_to_string(dir.path().join("ok.py"))
            .unwrap()
            .contains("TrainerConfig")
    );
}
