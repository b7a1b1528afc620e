//! How long the server takes from an incremental edit to the diagnostics of the new version,
//! on a 2,000-line legacy-style launch script (`cargo bench -p fwmigrate_server`).
//!
//! The server runs in this process on pipes, with its real framing, lint worker and debounce.
//! Each round sends one `didChange` (a one-character edit inside a function body) and waits
//! for the `publishDiagnostics` of that version. Printed: the median, 90th percentile and
//! maximum over the rounds, and the time of the lint alone (settings + check) for comparison.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "../tests/common/mod.rs"]
mod common;
use common::Client;
use fwmigrate_testing::legacy::LEGACY_HEAD;

const ROUNDS: usize = 60;

/// One experiment of a legacy launch script: helpers in plain Python, then a recipe `Config`
/// with `infra=` / `weight_sync=` and `main(cfg, rlor_mgr=..., deploy_mgr=...)`.
fn experiment(i: usize) -> String {
    format!(
        r##"

_ANSWER_RE_{i} = re.compile("#" * 4 + r"\s*(-?[0-9.,]+)")


def extract_answer_{i}(text):
    """Pull the final number out of a completion (GSM8K style)."""
    match = _ANSWER_RE_{i}.search(text)
    if match is None:
        return None
    value = match.group(1).replace(",", "")
    try:
        return float(value)
    except ValueError:
        return None


def reward_{i}(prompt, completion, reference):
    predicted = extract_answer_{i}(completion)
    expected = extract_answer_{i}(reference)
    if predicted is None or expected is None:
        return 0.0
    # Partial credit for the right order of magnitude.
    if abs(predicted - expected) < 1e-6:
        return 1.0
    if expected and 0.5 < predicted / expected < 2.0:
        return 0.2
    return 0.0


def load_rows_{i}(path, limit=None):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                break
            row = json.loads(line)
            rows.append({{"prompt": row["question"], "reference": row["answer"]}})
    logger.info("loaded %d rows from %s", len(rows), path)
    return rows


def summarize_{i}(history):
    if not history:
        return {{}}
    rewards = [h["reward"] for h in history]
    return {{
        "steps": len(history),
        "mean_reward": statistics.fmean(rewards),
        "best_reward": max(rewards),
        "last_loss": history[-1].get("loss"),
    }}


def build_config_{i}(args):
    return rl_loop.Config(
        log_path=f"{{args.log_root}}/experiment-{i}",
        policy_job_id=args.policy_job_id,
        infra=InfraConfig(
            training_shape_id=SHAPE,
            trainer_timeout_s=7200,
        ),
        deployment=DeployConfig(deployment_id="exp-{i}"),
        weight_sync=WeightSyncConfig(weight_sync_interval=1, dcp_save_interval={i} + 10),
    )


def launch_{i}(args):
    api_key = os.environ["FIREWORKS_API_KEY"]
    rlor_mgr = TrainerJobManager(api_key=api_key, base_url=args.base_url)
    deploy_mgr = DeploymentManager(api_key=api_key, base_url=args.base_url)
    cfg = build_config_{i}(args)
    rows = load_rows_{i}(args.data, limit=args.limit)
    logger.info("experiment {i}: %d rows", len(rows))
    return rl_loop.main(cfg, rlor_mgr=rlor_mgr, deploy_mgr=deploy_mgr)
"##
    )
}

/// A legacy-style launch script of at least `lines` lines.
fn legacy_script(lines: usize) -> String {
    let mut text = String::from(LEGACY_HEAD);
    text.push_str(
        r#"

def warm_up(args, api_key):
    rlor_mgr = TrainerJobManager(api_key=api_key, base_url=args.base_url)
    deploy_mgr = DeploymentManager(api_key=api_key, base_url=args.base_url)
    with ResourceCleanup(rlor_mgr, deploy_mgr) as cleanup:
        infra = setup_infra(
            rlor_mgr=rlor_mgr,
            deploy_mgr=deploy_mgr,
            base_model=BASE_MODEL,
            infra_cfg=InfraConfig(training_shape_id=SHAPE),
            deploy_cfg=DeployConfig(deployment_id="sweep-warmup"),
            lora_rank=0,
            max_seq_len=4096,
            needs_reference=False,
            needs_inference=True,
            role_prefix="sweep",
            api_key=api_key,
            cleanup=cleanup,
        )
        logger.info("warm-up trainer %s", infra.policy_job_id)
"#,
    );
    let mut i = 0;
    while text.lines().count() < lines - 12 {
        text.push_str(&experiment(i));
        i += 1;
    }
    text.push_str(
        r#"

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", default="https://api.fireworks.ai")
    parser.add_argument("--policy-job-id", default=None)
    parser.add_argument("--log-root", default="./sweep")
    parser.add_argument("--data", default="gsm8k.jsonl")
    parser.add_argument("--limit", type=int, default=None)
    launch_0(parser.parse_args())
"#,
    );
    text
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let text = legacy_script(2000);
    let lines = text.lines().count();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sweep.py");
    let uri = common::uri(&path);

    // The lint alone, for comparison.
    let mut lint = Vec::new();
    let mut resolve = Vec::new();
    let mut findings = 0;
    for _ in 0..20 {
        let start = Instant::now();
        let settings = fwmigrate_server::adapter::settings_for(
            &path,
            &Default::default(),
            dir.path(),
            &Default::default(),
        )
        .unwrap();
        resolve.push(start.elapsed());
        findings = fwmigrate_server::adapter::check(&path, &text, &settings).len();
        lint.push(start.elapsed());
    }
    lint.sort();
    resolve.sort();

    let (mut client, _) = Client::start(json!({}), Value::Null);
    client.open(&uri, &text);
    let first = client.diagnostics_at(&uri, 1);
    assert_eq!(first["diagnostics"].as_array().unwrap().len(), findings);

    // Edit inside `reward_0`'s body: `return 0.2` ↔ `return 0.3`, back and forth.
    let line = text.lines().position(|l| l.trim() == "return 0.2").unwrap() as u64;
    let column = text.lines().nth(line as usize).unwrap().find('2').unwrap() as u64;
    let mut rounds = Vec::new();
    for round in 0..ROUNDS {
        let version = 2 + round as i64;
        let digit = if round % 2 == 0 { "3" } else { "2" };
        let start = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{
                    "range": {"start": {"line": line, "character": column},
                              "end": {"line": line, "character": column + 1}},
                    "text": digit,
                }],
            }),
        );
        let params = client.diagnostics_at(&uri, version);
        rounds.push(start.elapsed());
        assert_eq!(params["diagnostics"].as_array().unwrap().len(), findings);
        // A pause like a typist's, so that each edit is linted on its own.
        std::thread::sleep(Duration::from_millis(30));
    }
    client.stop().unwrap();
    rounds.sort();

    println!(
        "edit → diagnostics, {lines}-line legacy-style file ({findings} findings), {ROUNDS} rounds, debounce {}:",
        ms(fwmigrate_server::DEBOUNCE)
    );
    println!(
        "  median {}, p90 {}, max {}",
        ms(percentile(&rounds, 0.5)),
        ms(percentile(&rounds, 0.9)),
        ms(*rounds.last().unwrap())
    );
    println!(
        "  the lint alone (settings + check): median {}, max {} (settings: median {})",
        ms(percentile(&lint, 0.5)),
        ms(*lint.last().unwrap()),
        ms(percentile(&resolve, 0.5)),
    );
}
