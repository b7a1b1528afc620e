//! `scripts/release-archives`: the GitHub release's files from every wheel the release
//! workflow builds. Made-up wheels for the seven release platforms (each holding a binary of
//! its own) go in; out come one archive per Rust target holding exactly that wheel's binary,
//! executable, and a SHA-256 sum for every file that `sha256sum -c` accepts.
//!
//! The script is Python: without `python3` the test prints why and passes, unless
//! `FWMIGRATE_REQUIRE_PIP_INSTALL=1` (set by `.ci/run`, as for the install tests).
#![cfg(unix)]

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

mod common;
use common::text;

/// Platform tag of each release wheel (as maturin names them) and the target it is for.
const PLATFORMS: [(&str, &str); 7] = [
    (
        "manylinux2014_x86_64.manylinux_2_17_x86_64",
        "x86_64-unknown-linux-gnu",
    ),
    (
        "manylinux_2_17_aarch64.manylinux2014_aarch64",
        "aarch64-unknown-linux-gnu",
    ),
    ("musllinux_1_2_x86_64", "x86_64-unknown-linux-musl"),
    ("musllinux_1_2_aarch64", "aarch64-unknown-linux-musl"),
    ("macosx_10_12_x86_64", "x86_64-apple-darwin"),
    ("macosx_11_0_arm64", "aarch64-apple-darwin"),
    ("win_amd64", "x86_64-pc-windows-msvc"),
];

const MAKE_WHEEL: &str = r#"
import sys, zipfile
path, member, content = sys.argv[1:]
with zipfile.ZipFile(path, "w") as z:
    z.writestr(member, content)
    z.writestr("fwmigrate-0.1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
"#;

const READ_ZIP: &str = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(z.namelist())
    sys.stdout.write(z.read(sys.argv[2]).decode())
"#;

fn python(args: &[&str]) -> Result<String, String> {
    let out = Command::new("python3")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !out.status.success() {
        return Err(text(&out));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn archives_and_sums_for_every_release_wheel() {
    if let Err(why) = python(&["-c", "pass"]) {
        let require = std::env::var("FWMIGRATE_REQUIRE_PIP_INSTALL").is_ok_and(|v| v == "1");
        assert!(!require, "FWMIGRATE_REQUIRE_PIP_INSTALL=1 but {why}");
        eprintln!("SKIPPED: release archives test: {why}");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    let out = tmp.path().join("release");
    fs::create_dir(&dist).unwrap();

    let mut expected = BTreeSet::new();
    for (tag, _) in PLATFORMS {
        let wheel = format!("fwmigrate-0.1.0-py3-none-{tag}.whl");
        let exe = if tag.starts_with("win") { ".exe" } else { "" };
        let member = format!("fwmigrate-0.1.0.data/scripts/fwmigrate{exe}");
        python(&[
            "-c",
            MAKE_WHEEL,
            dist.join(&wheel).to_str().unwrap(),
            &member,
            &format!("binary for {tag}"),
        ])
        .unwrap();
        expected.insert(wheel);
    }
    fs::write(dist.join("fwmigrate-0.1.0.tar.gz"), "sdist").unwrap();
    expected.insert("fwmigrate-0.1.0.tar.gz".to_string());

    let run = Command::new("python3")
        .arg(root.join("scripts/release-archives"))
        .arg(&dist)
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run));

    for (tag, target) in PLATFORMS {
        let binary = format!("binary for {tag}");
        if target.contains("windows") {
            let archive = format!("fwmigrate-{target}.zip");
            let shown = python(&[
                "-c",
                READ_ZIP,
                out.join(&archive).to_str().unwrap(),
                "fwmigrate.exe",
            ])
            .unwrap();
            assert_eq!(shown, format!("['fwmigrate.exe']\n{binary}"));
            expected.insert(archive);
        } else {
            let archive = format!("fwmigrate-{target}.tar.gz");
            let unpacked = tmp.path().join(target);
            fs::create_dir(&unpacked).unwrap();
            let tar = Command::new("tar")
                .arg("-xzf")
                .arg(out.join(&archive))
                .current_dir(&unpacked)
                .output()
                .unwrap();
            assert!(tar.status.success(), "{}", text(&tar));
            let exe = unpacked.join(format!("fwmigrate-{target}/fwmigrate"));
            assert_eq!(fs::read_to_string(&exe).unwrap(), binary, "{archive}");
            let mode = fs::metadata(&exe).unwrap().permissions().mode();
            assert_eq!(mode & 0o111, 0o111, "{archive}: mode {mode:o}");
            let entries = fs::read_dir(&unpacked).unwrap().count();
            assert_eq!(entries, 1, "{archive} holds more than its folder");
            expected.insert(archive);
        }
    }

    // Every file with its own sum, all of them in sha256sums.txt, and nothing else.
    let mut want: BTreeSet<String> = expected
        .iter()
        .flat_map(|f| [f.clone(), format!("{f}.sha256")])
        .collect();
    want.insert("sha256sums.txt".to_string());
    let got: BTreeSet<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(got, want);
    let sums = fs::read_to_string(out.join("sha256sums.txt")).unwrap();
    let listed: BTreeSet<String> = sums
        .lines()
        .map(|l| l.split_once("  ").unwrap().1.to_string())
        .collect();
    assert_eq!(listed, expected);
    for check in [
        "sha256sums.txt",
        "fwmigrate-x86_64-pc-windows-msvc.zip.sha256",
    ] {
        let ok = Command::new("sha256sum")
            .args(["--check", "--strict", check])
            .current_dir(&out)
            .output()
            .unwrap();
        assert!(ok.status.success(), "{}", text(&ok));
    }
    // A changed file fails the check.
    fs::write(out.join("fwmigrate-0.1.0.tar.gz"), "tampered").unwrap();
    let bad = Command::new("sha256sum")
        .args(["--check", "--strict", "sha256sums.txt"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(!bad.status.success(), "{}", text(&bad));
}
