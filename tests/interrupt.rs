//! Interrupting `fwmigrate --apply` (SIGINT or SIGTERM, at random moments) leaves every file
//! either exactly as it was or exactly as a complete run writes it.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

/// Legacy scripts of several shapes (each has safe fixes), and a clean one.
const SCRIPTS: &[&str] = &[
    "from training.utils import InfraConfig\n\ncfg = InfraConfig(trainer_timeout_s=5)  # keep\n",
    r#"import training.recipes.rl_loop as rl_loop
from fireworks.training.sdk import DeploymentManager, TrainerJobManager
from training.utils import InfraConfig, WeightSyncConfig


def run(key, policy_job_id=None):
    rlor_mgr = TrainerJobManager(api_key=key)
    deploy_mgr = DeploymentManager(api_key=key)
    config = rl_loop.Config(
        log_path="./math_logs",
        policy_job_id=policy_job_id,
        infra=InfraConfig(
            training_shape_id="accounts/fireworks/trainingShapes/qwen3-8b-128k-h200",
            trainer_timeout_s=7200,
        ),
        weight_sync=WeightSyncConfig(weight_sync_interval=1, dcp_save_interval=10),
    )
    return rl_loop.main(config, rlor_mgr=rlor_mgr, deploy_mgr=deploy_mgr)
"#,
    "from training.recipes import sft_loop\r\nfrom training.utils import InfraConfig\r\n\r\ncfg = sft_loop.Config(log_path=\"x\", infra=InfraConfig())\r\n",
    "import os\n\nprint(os.getcwd())\n",
];

const FILES: usize = 1500;

fn bin() -> Command {
    let mut cmd = common::fwmigrate();
    cmd.args(["--apply", "--silent", "--isolated"]);
    cmd
}

/// A tree of `FILES` scripts spread over folders, with a long padding tail so that writes take
/// a measurable time.
fn make_tree(root: &Path) {
    let padding: String = (0..400)
        .map(|i| format!("# padding line {i} so that each write takes a little while\n"))
        .collect();
    for i in 0..FILES {
        let dir = root.join(format!("team{}/proj{}", i % 13, i % 7));
        fs::create_dir_all(&dir).unwrap();
        let script = SCRIPTS[i % SCRIPTS.len()];
        let text = if script.contains("\r\n") {
            format!("{script}{}", padding.replace('\n', "\r\n"))
        } else {
            format!("{script}{padding}")
        };
        fs::write(dir.join(format!("s{i}.py")), text).unwrap();
    }
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in snapshot(from) {
        let dst = to.join(rel);
        fs::create_dir_all(dst.parent().unwrap()).unwrap();
        fs::write(dst, bytes).unwrap();
    }
}

/// A small deterministic generator for the interrupt moments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn kill(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    // The process may already have finished: that is fine.
    let _ = status;
}

#[test]
fn an_interrupted_apply_leaves_every_file_old_or_fully_fixed() {
    let base = tempfile::tempdir().unwrap();
    let original_dir = base.path().join("original");
    make_tree(&original_dir);
    let before = snapshot(&original_dir);

    // The result of a complete run.
    let full_dir = base.path().join("full");
    copy_tree(&original_dir, &full_dir);
    let start = Instant::now();
    let status = bin().arg(&full_dir).status().unwrap();
    let full_time = start.elapsed();
    assert!(matches!(status.code(), Some(0 | 1)), "{status:?}");
    let after = snapshot(&full_dir);
    let changed = before.iter().filter(|(k, v)| after[*k] != **v).count();
    assert!(
        changed >= FILES / 2,
        "only {changed} files changed by a full run"
    );

    let rounds: u32 = std::env::var("FWMIGRATE_INTERRUPT_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let window = full_time.as_micros().max(1000) as u64;
    let (mut partial, mut untouched, mut complete) = (0, 0, 0);
    for round in 0..rounds {
        let dir = base.path().join(format!("round{round}"));
        copy_tree(&original_dir, &dir);
        let signal = if round % 2 == 0 { "INT" } else { "TERM" };
        let delay = Duration::from_micros(rng.next() % window);
        let mut child = bin().arg(&dir).spawn().unwrap();
        std::thread::sleep(delay);
        kill(child.id(), signal);
        let _ = child.wait().unwrap();
        let now = snapshot(&dir);
        let mut fixed = 0;
        for (rel, bytes) in &now {
            let name = rel.to_string_lossy();
            assert!(
                before.contains_key(rel),
                "round {round} ({signal} after {delay:?}): a file was left behind: {name}"
            );
            assert!(
                *bytes == before[rel] || *bytes == after[rel],
                "round {round} ({signal} after {delay:?}): {name} is neither the original nor the fixed text"
            );
            if *bytes != before[rel] {
                fixed += 1;
            }
        }
        assert_eq!(now.len(), before.len(), "round {round}: files went missing");
        match fixed {
            0 => untouched += 1,
            n if n == changed => complete += 1,
            _ => partial += 1,
        }
        fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!(
        "{rounds} interrupted runs over {FILES} files (a full run takes {full_time:?}): \
         {partial} stopped mid-way, {untouched} before any write, {complete} after the last"
    );
}
