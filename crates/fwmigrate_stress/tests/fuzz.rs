//! Mutation fuzzing of the engine with every rule: rule fixtures and test case inputs, with
//! tokens deleted, duplicated and swapped, and comments and whitespace inserted.
//!
//! Every mutant must keep the engine's safety net (`fwmigrate_stress::check_safety`): no panic,
//! no fix for an input that does not parse, a fixed text that parses, a second apply that
//! changes nothing. `FWMIGRATE_FUZZ_STRICT=1` checks the full invariants instead
//! (`check_invariants`: also no FW999 revert and no comment lost by a safe fix).
//!
//! Budget: `FWMIGRATE_FUZZ_CASES` cases per round (default 48) and rounds until
//! `FWMIGRATE_FUZZ_SECS` seconds have passed (default: one round); the number of executions is
//! printed. Failures are minimised and printed; `FWMIGRATE_FUZZ_SAVE=1` also saves them under
//! `tests/regressions/`, which `regressions_stay_safe` and `regressions_hold` replay.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fwmigrate_engine::Linter;
use fwmigrate_rule::Target;
use fwmigrate_stress::{check_invariants, lex, linter, seed_corpus};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, FileFailurePersistence, RngAlgorithm, TestRng, TestRunner};

#[derive(Debug, Clone)]
enum Op {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    Comment(Index, u8),
    Whitespace(Index, u8),
}

const COMMENTS: &[&str] = &[
    "# c",
    "#",
    "# fwmigrate: ignore",
    "# noqa: FW001",
    "# fwmigrate: ignore[FW002]",
];
const SPACES: &[&str] = &[
    " ", "\n", "\t", "\r\n", "    ", "\\\n", "\n\n", ";", "(", ")", ",",
];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<Index>().prop_map(Op::Delete),
        2 => any::<Index>().prop_map(Op::Duplicate),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Op::Swap(a, b)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(a, k)| Op::Comment(a, k)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(a, k)| Op::Whitespace(a, k)),
    ]
}

/// Apply the mutations to a seed text.
fn mutate(seed: &str, ops: &[Op]) -> String {
    let mut tokens: Vec<String> = lex(seed).into_iter().map(str::to_string).collect();
    for op in ops {
        if tokens.is_empty() {
            break;
        }
        let n = tokens.len();
        match op {
            Op::Delete(i) => {
                tokens.remove(i.index(n));
            }
            Op::Duplicate(i) => {
                let i = i.index(n);
                let t = tokens[i].clone();
                tokens.insert(i, t);
            }
            Op::Swap(a, b) => tokens.swap(a.index(n), b.index(n)),
            Op::Comment(i, k) => {
                let c = COMMENTS[usize::from(*k) % COMMENTS.len()];
                tokens.insert(i.index(n), format!("  {c}\n"));
            }
            Op::Whitespace(i, k) => {
                let s = SPACES[usize::from(*k) % SPACES.len()];
                tokens.insert(i.index(n), s.to_string());
            }
        }
    }
    tokens.concat()
}

struct Harness {
    seeds: Vec<(String, String)>,
    linters: Vec<(Linter, bool)>,
}

impl Harness {
    fn new() -> Self {
        let seeds = seed_corpus();
        assert!(!seeds.is_empty(), "no seed files found");
        let linters = vec![
            (linter(Target::named("2026.08"), false), true),
            (linter(Target::named("2026.08"), true), false),
            (linter(Target::named("2026.06"), false), true),
        ];
        Self { seeds, linters }
    }
}

fn strategy() -> impl Strategy<Value = (Index, Vec<Op>, Index)> {
    (
        any::<Index>(),
        proptest::collection::vec(op(), 1..6),
        any::<Index>(),
    )
}

/// `FWMIGRATE_FUZZ_STRICT=1`: the full invariants (`check_invariants`: also no FW999 and no
/// lost comment). Otherwise the safety net only (`check_safety`), which holds today; the open
/// rule bugs strict mode finds are listed in `tests/regressions/README.md`.
fn check(linter: &Linter, text: &str, safe_only: bool) -> Result<(), String> {
    if std::env::var_os("FWMIGRATE_FUZZ_STRICT").is_some_and(|v| v != "0") {
        check_invariants(linter, text, safe_only)
    } else {
        fwmigrate_stress::check_safety(linter, text)
    }
}

/// The kind of a failure, for grouping: its first line without the mutant.
fn signature(message: &str) -> String {
    message.lines().next().unwrap_or_default().to_string()
}

/// Run `cases` cases per round, rounds until `deadline`. A time-boxed run keeps going after a
/// failure (minimised and, with `FWMIGRATE_FUZZ_SAVE`, saved) and reports every distinct one at
/// the end. Returns the number of executions and the failure reports.
fn run(cases: u32, deadline: Option<Instant>, seed: u64) -> (u64, Vec<String>) {
    let harness = Harness::new();
    let executions = AtomicU64::new(0);
    let mut failures: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut round = 0u64;
    loop {
        let config = Config {
            cases,
            failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
            max_shrink_iters: 256,
            ..Config::default()
        };
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&round.to_le_bytes());
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &key);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let found = std::sync::Mutex::new(None);
        let result = runner.run(&strategy(), |(seed_ix, ops, linter_ix)| {
            executions.fetch_add(1, Ordering::Relaxed);
            let (path, text) = &harness.seeds[seed_ix.index(harness.seeds.len())];
            let l = linter_ix.index(harness.linters.len());
            let (linter, safe) = &harness.linters[l];
            let mutant = mutate(text, &ops);
            check(linter, &mutant, *safe).map_err(|e| {
                if let Ok(mut f) = found.lock() {
                    *f = Some((path.clone(), l, mutant.clone(), e.clone()));
                }
                TestCaseError::fail(signature(&e))
            })
        });
        if result.is_err()
            && let Some((path, l, mutant, error)) = found.into_inner().ok().flatten()
        {
            // `found` holds the last (most shrunk) failing case.
            let (linter, safe) = &harness.linters[l];
            let sig = signature(&error);
            let small = minimize(&mutant, |t| {
                check(linter, t, *safe).is_err_and(|e| signature(&e) == sig)
            });
            if seen.insert((path.clone(), sig.clone())) {
                if std::env::var_os("FWMIGRATE_FUZZ_SAVE").is_some() {
                    save_regression(&small);
                }
                let report = format!(
                    "seed {path} (linter {l}, safe fixes only: {safe}): {sig}\n--- minimal input ---\n{small}--- end ---"
                );
                eprintln!("{report}");
                failures.push(report);
            }
            if deadline.is_none() {
                break;
            }
        }
        round += 1;
        match deadline {
            Some(d) if Instant::now() < d => continue,
            _ => break,
        }
    }
    (executions.into_inner(), failures)
}

/// Greedy reduction: drop lines, then single lexer tokens, while `fails` still holds.
fn minimize(text: &str, fails: impl Fn(&str) -> bool) -> String {
    let mut current = text.to_string();
    for by_line in [true, false] {
        let mut i = 0;
        loop {
            let pieces: Vec<String> = if by_line {
                current.split_inclusive('\n').map(str::to_string).collect()
            } else {
                lex(&current).into_iter().map(str::to_string).collect()
            };
            if i >= pieces.len() {
                break;
            }
            let candidate: String = pieces
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, p)| p.as_str())
                .collect();
            if fails(&candidate) {
                current = candidate;
            } else {
                i += 1;
            }
        }
    }
    current
}

/// Keep a failing input as a regression input.
fn save_regression(mutant: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let name = format!("crash_{:016x}.py", fxhash(mutant));
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(name), mutant);
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn mutants_keep_the_engine_guarantees() {
    let cases = std::env::var("FWMIGRATE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    let deadline = std::env::var("FWMIGRATE_FUZZ_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(|s| Instant::now() + Duration::from_secs(s));
    let seed = std::env::var("FWMIGRATE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed);
    let start = Instant::now();
    let (n, failures) = run(cases, deadline, seed);
    eprintln!(
        "fuzz: {n} executions in {:.1}s, {} distinct failures",
        start.elapsed().as_secs_f64(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(n >= u64::from(cases));
}

fn regression_inputs() -> Vec<(std::path::PathBuf, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "py"));
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (p, text)
        })
        .collect()
}

/// Every input the fuzzer ever broke keeps the engine's safety net: no panic, no fix in a file
/// that does not parse, a fixed text that parses and is stable.
#[test]
fn regressions_stay_safe() {
    let harness = Harness::new();
    let mut failures = Vec::new();
    for (path, text) in regression_inputs() {
        for (linter, _) in &harness.linters {
            if let Err(e) = fwmigrate_stress::check_safety(linter, &text) {
                failures.push(format!("{}: {e}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The full invariants (no FW999, no lost comment) on every regression input: the rule bugs
/// they exposed stay fixed.
#[test]
fn regressions_hold() {
    let harness = Harness::new();
    let mut failures = Vec::new();
    for (path, text) in regression_inputs() {
        for (linter, safe) in &harness.linters {
            if let Err(e) = check_invariants(linter, &text, *safe) {
                failures.push(format!("{}: {e}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
