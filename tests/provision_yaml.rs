//! Provisioning YAML files through the command line: found by the walk whatever their name,
//! reported in every output format with the file's lines and columns, fixed in place with every
//! other byte kept, and other YAML files left unread.

mod common;

use std::fs;
use std::path::Path;

use common::{run, stdout, text};

const CONFIG: &str = "\
# forked from training/provision/fireworks_rft.yaml\r
common:\r
  base_model: accounts/fireworks/models/qwen3-8b\r
  tokenizer_model: Qwen/Qwen3-8B\r
  grad_accum: 4            # carried over\r
trainers:\r
  policy:\r
    training_shape_id: accounts/fireworks/trainingShapes/qwen3-8b\r
    accelerator_type: NVIDIA_H200_141GB   # hand-set\r
recipe:\r
  rft:\r
    trainer: policy\r
";

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, body).unwrap();
    }
    dir
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

/// A GitHub workflow with the same key names: never parsed (it does not even parse).
const WORKFLOW: &str =
    "name: ci\non: [push]\njobs:\n  t:\n    accelerator_type: x\n    steps: [{run: \"echo\"\n";

#[test]
fn found_by_the_walk_and_reported_at_its_lines() {
    let dir = project(&[
        ("configs/math run.yml", CONFIG),
        (".github/workflows/ci.yaml", WORKFLOW),
        ("chart/values.yaml", "recipe: 1\nimage: x\n"),
    ]);
    let out = run(dir.path(), &["--check", "--output-format", "concise", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(
        stdout(&out)
            .lines()
            .filter_map(|l| l.find(": FW").map(|i| &l[..i + 7]))
            .collect::<Vec<_>>(),
        [
            "configs/math run.yml:5:3: FW606",
            "configs/math run.yml:9:5: FW201",
        ],
        "{}",
        text(&out)
    );

    let out = run(dir.path(), &["--check", "--output-format", "json", "."]);
    let findings: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let fw201 = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "FW201")
        .unwrap();
    assert_eq!(fw201["location"]["row"], 9);
    assert_eq!(fw201["location"]["column"], 5);
    assert_eq!(fw201["end_location"]["column"], 21);
}

#[test]
fn apply_deletes_the_key_and_keeps_every_other_byte() {
    let dir = project(&[("fireworks_rft.yaml", CONFIG), ("ci.yaml", WORKFLOW)]);
    let out = run(dir.path(), &["--apply", "."]);
    assert_eq!(out.status.code(), Some(1), "FW606 remains: {}", text(&out));
    assert_eq!(
        read(dir.path(), "fireworks_rft.yaml"),
        CONFIG.replace(
            "    accelerator_type: NVIDIA_H200_141GB   # hand-set\r\n",
            ""
        )
    );
    assert_eq!(read(dir.path(), "ci.yaml"), WORKFLOW);
    let out = run(dir.path(), &["--apply", "--unsafe-fixes", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        read(dir.path(), "fireworks_rft.yaml"),
        CONFIG
            .replace(
                "    accelerator_type: NVIDIA_H200_141GB   # hand-set\r\n",
                ""
            )
            .replace("  grad_accum: 4            # carried over\r\n", "")
    );
}

#[test]
fn a_recognised_file_that_does_not_parse_is_reported_and_kept() {
    let broken =
        "recipe:\n  rl:\n    trainer: [policy\ntrainers:\n  policy:\n    accelerator_type: x\n";
    let dir = project(&[("provision.yaml", broken)]);
    let out = run(dir.path(), &["--apply", "--output-format", "concise", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("provision.yaml:4:9: FW000"),
        "{}",
        text(&out)
    );
    assert_eq!(read(dir.path(), "provision.yaml"), broken);
}

#[test]
fn a_target_without_provision_py_reads_no_yaml() {
    let dir = project(&[("fireworks_rft.yaml", CONFIG)]);
    let out = run(dir.path(), &["--check", "--target", "2026.06", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Selecting the YAML rules away reads none either.
    let out = run(dir.path(), &["--check", "--ignore", "FW201,FW606", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn an_explicit_path() {
    let dir = project(&[("fireworks_rft.yaml", CONFIG)]);
    let out = run(
        dir.path(),
        &[
            "--check",
            "--output-format",
            "concise",
            "fireworks_rft.yaml",
        ],
    );
    assert!(
        stdout(&out).contains("fireworks_rft.yaml:9:5: FW201"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_provisioning_config_that_is_not_utf8_gets_fw000_and_others_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        b"common:\n  base_model: caf\xe9\n  accelerator_type: x\nrecipe:\n  rl: {}\n".to_vec();
    fs::write(dir.path().join("provision.yaml"), &config).unwrap();
    fs::write(dir.path().join("chart.yaml"), b"name: caf\xe9\nimage: x\n").unwrap();
    let out = run(dir.path(), &["--apply", "--output-format", "concise", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().filter(|l| l.contains(": FW")).collect();
    assert_eq!(lines.len(), 1, "{}", text(&out));
    assert!(
        lines[0].starts_with("provision.yaml:2:18: FW000") && lines[0].contains("UTF-8"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("chart.yaml"), "{}", text(&out));
    assert_eq!(fs::read(dir.path().join("provision.yaml")).unwrap(), config);
}

#[test]
fn show_files_lists_the_provisioning_configs_only() {
    let dir = project(&[
        ("configs/rft.yml", CONFIG),
        ("k8s/deploy.yaml", WORKFLOW),
        ("train.py", "print(1)\n"),
    ]);
    let out = run(dir.path(), &["--show-files", "."]);
    let mut listed: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.trim_start_matches("./").to_string())
        .collect();
    listed.sort();
    assert_eq!(listed, ["configs/rft.yml", "train.py"], "{}", text(&out));
}
