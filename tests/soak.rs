//! A soak test of `fwmigrate server`: 100 open legacy-style launch scripts (60 to 150 lines
//! each), 10,000 `textDocument/didChange` edits spread across them (incremental ranges, some
//! notifications with two changes, some full texts), interleaved with `textDocument/codeAction`
//! requests. Then:
//!
//! - the server's resident memory (`VmRSS` in `/proc/<pid>/status`) grew by less than 20 MB
//!   from the end of the warm-up (the first 1,000 edits) to the end: the median of the readings
//!   taken after each burst of edits over the 1,000 edits after the warm-up, against the median
//!   over the last 1,000;
//! - every document's last published diagnostics are what `fwmigrate --check --output-format
//!   json` reports for its final text, written to disk (codes and ranges);
//! - every request was answered, without an error.
//!
//! Opt-in, and meant for a release binary (Linux only, for `/proc`):
//! `FWMIGRATE_BIN=target/release/fwmigrate cargo test --test soak -- --ignored --nocapture`
//! drives the release binary from the debug test harness (as in CI, which so builds no release
//! test profile); `cargo test --release --test soak -- --ignored` does it all in release.
//! `FWMIGRATE_SOAK_EDITS` changes the number of edits (the warm-up stays a tenth of them).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "common/lsp.rs"]
mod lsp;
use fwmigrate_testing::legacy::LEGACY_HEAD;
use fwmigrate_testing::lsp::PATIENCE;
use lsp::{Server, cli_findings, lsp_findings};

const DOCUMENTS: usize = 100;
const EDITS: usize = 10_000;
/// Resident memory may grow by less than this after the warm-up.
const RSS_GROWTH_LIMIT_KB: u64 = 20 * 1024;
const MIN_LINES: usize = 60;
const MAX_LINES: usize = 150;

/// The binary under test: `FWMIGRATE_BIN`, else the one Cargo built with this test.
fn binary() -> Command {
    let path = std::env::var_os("FWMIGRATE_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_fwmigrate")),
        PathBuf::from,
    );
    let mut cmd = Command::new(path);
    cmd.env_remove("FWMIGRATE_DEBUG_PANIC_ON")
        .env_remove("FWMIGRATE_NO_PREFILTER")
        .env_remove("NO_COLOR");
    cmd
}

/// xorshift64*: the same edits on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const FOOTER: &str = r#"

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    print(json.dumps({"ok": True}))
"#;

/// Kinds of top-level function a script is made of (the last one does not parse).
const KINDS: usize = 7;

/// One top-level function: its kind, a unique id and a number that edits change.
#[derive(Clone, Copy)]
struct Block {
    kind: usize,
    id: usize,
    n: usize,
}

impl Block {
    fn render(&self, out: &mut String) {
        let Block { kind, id, n } = *self;
        let text = match kind {
            0 => format!(
                r#"

def warm_up_{id}(args, api_key):
    rlor_mgr = TrainerJobManager(api_key=api_key, base_url=args.base_url)
    deploy_mgr = DeploymentManager(api_key=api_key, base_url=args.base_url)
    with ResourceCleanup(rlor_mgr, deploy_mgr) as cleanup:
        infra = setup_infra(
            rlor_mgr=rlor_mgr,
            deploy_mgr=deploy_mgr,
            base_model=BASE_MODEL,
            infra_cfg=InfraConfig(training_shape_id=SHAPE),
            deploy_cfg=DeployConfig(deployment_id="warmup-{n}"),
            lora_rank=0,
            max_seq_len={n},
            cleanup=cleanup,
        )
        logger.info("warm-up trainer %s", infra.policy_job_id)
"#
            ),
            1 => format!(
                r#"

def build_config_{id}(args):
    return rl_loop.Config(
        log_path=f"{{args.log_root}}/experiment-{id}",
        infra=InfraConfig(
            training_shape_id=SHAPE,
            trainer_timeout_s={n},
        ),
        deployment=DeployConfig(deployment_id="exp-{id}"),
        weight_sync=WeightSyncConfig(weight_sync_interval=1, dcp_save_interval={n}),
    )
"#
            ),
            2 => format!(
                r#"

def launch_{id}(args, cfg):
    api_key = os.environ["FIREWORKS_API_KEY"]
    rlor_mgr = TrainerJobManager(api_key=api_key, base_url=args.base_url)
    deploy_mgr = DeploymentManager(api_key=api_key, base_url=args.base_url)
    logger.info("experiment {id}: %d", {n})
    return rl_loop.main(cfg, rlor_mgr=rlor_mgr, deploy_mgr=deploy_mgr)
"#
            ),
            3 => format!(
                r#"

def reward_{id}(predicted, expected):
    if predicted is None or expected is None:
        return 0.0
    # Partial credit for the right order of magnitude.
    if abs(predicted - expected) < 1e-6:
        return 1.0
    if expected and 0.5 < predicted / expected < {n}.0:
        return 0.2
    return 0.0
"#
            ),
            4 => format!(
                r#"

def load_rows_{id}(path, limit={n}):
    rows = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= limit:
                break
            rows.append(json.loads(line))
    return rows
"#
            ),
            5 => format!(
                r#"

def probe_{id}(api_key):
    mgr = TrainerJobManager(api_key=api_key)
    return {n}
"#
            ),
            // Half typed: an open parenthesis (FW000 until an edit replaces it).
            _ => format!(
                r#"

def draft_{id}(args):
    cfg = InfraConfig(training_shape_id=SHAPE, trainer_timeout_s={n}
"#
            ),
        };
        out.push_str(&text);
    }
}

struct Doc {
    path: PathBuf,
    uri: String,
    version: i64,
    blocks: Vec<Block>,
    text: String,
}

impl Doc {
    fn render(blocks: &[Block]) -> String {
        let mut text = LEGACY_HEAD.to_string();
        for b in blocks {
            b.render(&mut text);
        }
        text.push_str(FOOTER);
        text
    }
}

/// A random block; rarely a half-typed one.
fn block(rng: &mut Rng, next_id: &mut usize) -> Block {
    *next_id += 1;
    let kind = if rng.chance(2) {
        KINDS - 1
    } else {
        rng.below(KINDS - 1)
    };
    Block {
        kind,
        id: *next_id,
        n: 1 + rng.below(4096),
    }
}

/// The blocks after one random edit that keeps the script within its line budget.
fn edit(rng: &mut Rng, blocks: &[Block], next_id: &mut usize) -> Vec<Block> {
    loop {
        let mut out = blocks.to_vec();
        let at = rng.below(out.len());
        match rng.below(100) {
            // Typing: a number changes, or a half-typed call is finished.
            0..55 if out[at].kind == KINDS - 1 => out[at].kind = rng.below(KINDS - 1),
            0..55 => out[at].n = 1 + rng.below(4096),
            55..75 => {
                let b = block(rng, next_id);
                out.insert(rng.below(out.len() + 1), b);
            }
            75..90 if out.len() > 1 => {
                out.remove(at);
            }
            _ => out[at] = block(rng, next_id),
        }
        let lines = Doc::render(&out).lines().count();
        if (MIN_LINES..=MAX_LINES).contains(&lines) {
            return out;
        }
    }
}

/// (line, character) of a byte offset (ASCII text: characters are bytes and UTF-16 units).
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let character = offset - before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": character})
}

/// The one range change that turns `old` into `new` (common prefix and suffix kept).
fn change(old: &str, new: &str) -> Value {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let limit = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(limit)
        .take_while(|(x, y)| x == y)
        .count();
    json!({
        "range": {"start": position(old, prefix), "end": position(old, a.len() - suffix)},
        "text": &new[prefix..b.len() - suffix],
    })
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/<pid>/status")
}

/// What the client has seen of the server.
#[derive(Default)]
struct Seen {
    /// The last diagnostics published for each document, with their version.
    diagnostics: HashMap<String, (i64, Vec<Value>)>,
    /// Requests not answered yet.
    outstanding: HashSet<i64>,
    answered: usize,
    /// Answers that were errors.
    failed: Vec<Value>,
}

impl Seen {
    fn take(&mut self, m: Value) {
        if m["method"] == "textDocument/publishDiagnostics" {
            let p = &m["params"];
            let uri = p["uri"].as_str().unwrap().to_string();
            let version = p["version"].as_i64().unwrap_or(-1);
            if let Some((v, _)) = self.diagnostics.get(&uri) {
                assert!(version > *v, "{uri}: v{version} published after v{v}");
            }
            let diagnostics = p["diagnostics"].as_array().unwrap().clone();
            self.diagnostics.insert(uri, (version, diagnostics));
        } else if m.get("method").is_none() {
            let id = m["id"].as_i64().expect("a response to one of our requests");
            assert!(self.outstanding.remove(&id), "unexpected response {m}");
            self.answered += 1;
            if m.get("error").is_some() {
                self.failed.push(m);
            }
        } else if m["method"] == "window/showMessage" {
            panic!("the server reported a problem: {m}");
        }
    }

    /// Read messages until every document in `docs` has diagnostics at its current version and,
    /// when `answers`, every request is answered.
    fn settle(&mut self, server: &mut Server, docs: &[&Doc], answers: bool) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let current = docs.iter().all(|d| {
                self.diagnostics
                    .get(&d.uri)
                    .is_some_and(|(v, _)| *v == d.version)
            });
            if current && (!answers || self.outstanding.is_empty()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server fell silent: {} requests unanswered",
                self.outstanding.len()
            );
            if let Some(m) = server.next(Duration::from_millis(100)) {
                self.take(m);
            }
        }
    }
}

#[test]
#[ignore = "a soak test of the language server (a minute with a release binary); run with --ignored"]
fn the_server_stays_flat_and_right_over_ten_thousand_edits() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("no /proc: resident memory cannot be read here; skipped");
        return;
    }
    let edits: usize = std::env::var("FWMIGRATE_SOAK_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(EDITS);
    let warm_up = edits / 10;
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    // A configuration of its own, so that nothing above the folder governs these files.
    std::fs::write(dir.path().join("pyproject.toml"), "[tool.fwmigrate]\n").unwrap();

    let mut rng = Rng(0x5eed_0f50_a4ed);
    let mut next_id = 0;
    let mut docs: Vec<Doc> = (0..DOCUMENTS)
        .map(|i| {
            let mut blocks = Vec::new();
            while Doc::render(&blocks).lines().count() < MIN_LINES {
                blocks.push(block(&mut rng, &mut next_id));
            }
            let path = dir.path().join(format!("experiment_{i:03}.py"));
            let text = Doc::render(&blocks);
            assert!(text.lines().count() <= MAX_LINES, "{text}");
            Doc {
                uri: format!("file://{}", path.display()),
                path,
                version: 1,
                blocks,
                text,
            }
        })
        .collect();

    let mut server = Server::start(binary().current_dir(dir.path()));
    let pid = server.pid();
    let mut seen = Seen::default();
    for d in &docs {
        server.open(&d.path, &d.text);
    }
    seen.settle(&mut server, &docs.iter().collect::<Vec<_>>(), true);
    let opened_rss = rss_kb(pid);

    let mut sent = 0;
    let mut requests = 0;
    let mut full_texts = 0;
    // Resident memory after each burst, once the server has caught up: (edits sent, kB).
    let mut samples: Vec<(usize, u64)> = Vec::new();
    let mut warm = None;
    while sent < edits {
        // A burst of edits, as from a typist or a refactoring across files, then a pause until
        // the server has caught up with all of them.
        let burst = (1 + rng.below(12)).min(edits - sent);
        let mut touched: Vec<usize> = Vec::new();
        for _ in 0..burst {
            let i = rng.below(DOCUMENTS);
            let doc = &mut docs[i];
            let mut changes = Vec::new();
            let mut blocks = edit(&mut rng, &doc.blocks, &mut next_id);
            let mut text = Doc::render(&blocks);
            if rng.chance(5) {
                changes.push(json!({ "text": text }));
                full_texts += 1;
            } else {
                changes.push(change(&doc.text, &text));
                // Two changes in one notification, the second against the first's result.
                if rng.chance(10) {
                    let again = edit(&mut rng, &blocks, &mut next_id);
                    let after = Doc::render(&again);
                    changes.push(change(&text, &after));
                    (blocks, text) = (again, after);
                }
            }
            doc.version += 1;
            doc.blocks = blocks;
            doc.text = text;
            server.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": {"uri": doc.uri, "version": doc.version},
                    "contentChanges": changes,
                }),
            );
            sent += 1;
            if !touched.contains(&i) {
                touched.push(i);
            }
            if rng.chance(5) {
                // Quick fixes at a line, and now and then the fix-all action too (which runs
                // the fix loop on the document).
                let line = rng.below(doc.text.lines().count());
                let at = json!({"line": line, "character": 0});
                let mut context = json!({"diagnostics": []});
                if !rng.chance(25) {
                    context["only"] = json!(["quickfix"]);
                }
                let id = server.request(
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": doc.uri},
                           "range": {"start": at, "end": at}, "context": context}),
                );
                seen.outstanding.insert(id);
                requests += 1;
            }
        }
        let touched: Vec<&Doc> = touched.iter().map(|i| &docs[*i]).collect();
        seen.settle(&mut server, &touched, false);
        let rss = rss_kb(pid);
        samples.push((sent, rss));
        if warm.is_none() && sent >= warm_up {
            seen.settle(&mut server, &touched, true);
            warm = Some((sent, rss_kb(pid), started.elapsed()));
        }
    }
    seen.settle(&mut server, &docs.iter().collect::<Vec<_>>(), true);
    let end_rss = rss_kb(pid);
    samples.push((sent, end_rss));
    let (warm_edits, warm_rss, warm_at) = warm.expect("warmed up");
    // One reading swings by several megabytes with what the allocator holds at that moment:
    // the steady state is the median of the readings over the warm-up's length of edits, right
    // after the warm-up and at the end.
    let median = |from: usize, to: usize| {
        let mut window: Vec<u64> = samples
            .iter()
            .filter(|(n, _)| (from..=to).contains(n))
            .map(|(_, kb)| *kb)
            .collect();
        window.sort_unstable();
        window[window.len() / 2]
    };
    let steady_warm = median(warm_edits, warm_edits + warm_up);
    let steady_end = median(edits - warm_up, edits);
    let peak_rss = samples
        .iter()
        .map(|(_, kb)| *kb)
        .max()
        .unwrap_or(opened_rss);

    // (b) What the command line reports for the final texts.
    for d in &docs {
        std::fs::write(&d.path, &d.text).unwrap();
    }
    let check = binary()
        .current_dir(dir.path())
        .args(["--check", "--no-progress", "--output-format", "json", "."])
        .output()
        .unwrap();
    assert!(
        matches!(check.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let records: Vec<Value> = serde_json::from_slice(&check.stdout).unwrap();
    let mut by_file: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in records {
        let name = Path::new(r["filename"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        by_file.entry(name).or_default().push(r);
    }
    let mut findings = 0;
    let mut unparsed = 0;
    let mut mismatched = Vec::new();
    for d in &docs {
        let name = d.path.file_name().unwrap().to_string_lossy().into_owned();
        let (version, published) = &seen.diagnostics[&d.uri];
        assert_eq!(*version, d.version, "{name}");
        let mut server_side = lsp_findings(published);
        let mut cli_side = cli_findings(by_file.get(&name).map_or(&[][..], Vec::as_slice));
        server_side.sort();
        cli_side.sort();
        findings += cli_side.len();
        unparsed += usize::from(cli_side.iter().any(|f| f.0 == "FW000"));
        if server_side != cli_side {
            mismatched.push(format!(
                "{name} v{version}:\n  server: {server_side:?}\n  check:  {cli_side:?}"
            ));
        }
    }
    assert_eq!(server.stop(), Some(0));

    let mb = |kb: u64| kb as f64 / 1024.0;
    eprintln!(
        "soak: {DOCUMENTS} documents, {sent} edits ({full_texts} full texts), {requests} requests \
         ({} answered), {findings} findings at the end ({unparsed} documents do not parse), \
         {:.1} s",
        seen.answered,
        started.elapsed().as_secs_f64()
    );
    eprintln!(
        "soak: VmRSS {:.1} MB after opening, {:.1} MB after {warm_edits} edits ({:.1} s), \
         {:.1} MB at the end, peak {:.1} MB; median {:.1} MB after the warm-up, {:.1} MB over \
         the last {warm_up} edits: {:+.1} MB",
        mb(opened_rss),
        mb(warm_rss),
        warm_at.as_secs_f64(),
        mb(end_rss),
        mb(peak_rss),
        mb(steady_warm),
        mb(steady_end),
        mb(steady_end) - mb(steady_warm)
    );
    // (c) Every request answered, none with an error.
    assert!(seen.outstanding.is_empty());
    assert_eq!(seen.answered, requests);
    assert!(seen.failed.is_empty(), "{:#?}", seen.failed);
    // (b)
    assert!(mismatched.is_empty(), "{}", mismatched.join("\n"));
    assert!(
        findings > DOCUMENTS,
        "too few findings to compare: {findings}"
    );
    // (a)
    assert!(
        steady_end < steady_warm + RSS_GROWTH_LIMIT_KB,
        "resident memory grew by {:.1} MB after the warm-up",
        mb(steady_end) - mb(steady_warm)
    );
}
