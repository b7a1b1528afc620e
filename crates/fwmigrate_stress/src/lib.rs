//! Shared pieces of fwmigrate's stress tests and benchmarks: a linter over every rule, the seed
//! corpus (rule fixtures and test case inputs), a small lexer for mutations, and the invariants
//! every engine result must satisfy.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use fwmigrate_engine::{BUILTIN_RULES, FW999, Linter, LinterSettings, Mode};
use fwmigrate_parser::{ParsedFile, SourceKind};
use fwmigrate_rule::{Rule, RuleCode, Target};

/// Every Python rule of every family (the command line's registry).
pub fn all_rules() -> Vec<&'static dyn Rule> {
    fwmigrate_cli::registry::python_rules()
}

/// A linter with every rule and every builtin code (FW000, FW900, FW999) enabled.
pub fn linter(target: Target, unsafe_fixes: bool) -> Linter {
    let rules = all_rules();
    let mut codes: Vec<RuleCode> = rules.iter().map(|r| r.meta().code).collect();
    codes.extend(BUILTIN_RULES.iter().map(|m| m.code));
    Linter::new(
        &rules,
        &fwmigrate_cli::registry::text_rules(),
        &codes,
        LinterSettings {
            target,
            unsafe_fixes,
            ..LinterSettings::default()
        },
    )
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Extra acceptance cases: `$FWMIGRATE_SHARED/acceptance` (or `$SHARED`, as `.ci/run` sets
/// it). `None` when neither is set.
pub fn acceptance_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("FWMIGRATE_SHARED").or_else(|| std::env::var_os("SHARED"))?;
    let dir = PathBuf::from(shared).join("acceptance");
    dir.is_dir().then_some(dir)
}

/// The inputs of the case folders under `dir` (`<dir>/*/input/*.py`), in path order.
fn case_inputs(dir: &Path, out: &mut Vec<(String, String)>) {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    cases.sort();
    for case in cases {
        python_files_in(&case.join("input"), out);
    }
}

fn python_files_in(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.extension().is_some_and(|e| e == "py")
            && let Ok(text) = std::fs::read_to_string(&p)
        {
            out.push((p.display().to_string(), text));
        }
    }
}

/// Seed scripts: every rule fixture (`rules/*/fixtures/*.py`), the inputs of the command-line
/// test cases (`tests/fixtures/*/input/*.py`) and those of the extra acceptance cases (see
/// [`acceptance_dir`]), as (path, text).
pub fn seed_corpus() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let rules = workspace_root().join("rules");
    let mut families: Vec<PathBuf> = std::fs::read_dir(&rules)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    families.sort();
    for family in families {
        python_files_in(&family.join("fixtures"), &mut out);
    }
    case_inputs(&workspace_root().join("tests/fixtures"), &mut out);
    if let Some(acceptance) = acceptance_dir() {
        case_inputs(&acceptance, &mut out);
    }
    out
}

/// Split a source text into mutation units: identifier/number runs, runs of spaces and tabs,
/// line breaks (`\n` or `\r\n`), comments (`#` to the end of the line) and single other
/// characters. Concatenating the pieces gives the text back.
pub fn lex(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        if b.is_ascii_alphanumeric() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
        } else if b == b' ' || b == b'\t' {
            while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                i += 1;
            }
        } else if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 2;
        } else if b == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                i += 1;
            }
        } else {
            // One character (possibly multi-byte).
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
        out.push(&text[start..i]);
    }
    out
}

/// Comments of a text that are not suppression directives (a safe FW900 fix may delete
/// those), counted by text.
fn plain_comments(text: &str) -> Option<HashMap<String, usize>> {
    let parsed = ParsedFile::parse(text, SourceKind::Python).ok()?;
    let mut counts = HashMap::new();
    for c in parsed.comments() {
        let body = parsed.slice(*c);
        let lower = body.to_ascii_lowercase();
        if lower.contains("noqa") || lower.contains("fwmigrate") {
            continue;
        }
        *counts.entry(body.to_string()).or_insert(0) += 1;
    }
    Some(counts)
}

/// Check the engine's guarantees on one input; `Err` describes the first violation.
///
/// - linting never panics (a rule panic caught by the engine shows up as an FW999 and fails too);
/// - a fixed text is produced only for an input that parses, and it parses;
/// - a second apply changes nothing;
/// - with safe fixes only, every comment that is not a suppression directive survives.
pub fn check_invariants(linter: &Linter, text: &str, safe_only: bool) -> Result<(), String> {
    check(linter, text, safe_only, true)
}

/// The guarantees that hold even while a rule has a known bug: no panic escapes, nothing is
/// fixed in a file that does not parse, a fixed text parses and is stable. (An FW999 — the
/// engine reverting a bad fix — and a lost comment are tolerated here.)
pub fn check_safety(linter: &Linter, text: &str) -> Result<(), String> {
    check(linter, text, false, false)
}

fn check(linter: &Linter, text: &str, safe_only: bool, strict: bool) -> Result<(), String> {
    let path = Path::new("fuzz.py");
    let input_parses = ParsedFile::parse(text, SourceKind::Python).is_ok();
    for mode in [Mode::Check, Mode::Fix] {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            linter.lint_python(path, text, SourceKind::Python, mode)
        }))
        .map_err(|_| format!("lint_python panicked ({mode:?})"))?;
        if let Some(d) = outcome.diagnostics.iter().find(|d| d.code() == FW999.code)
            && (strict || d.message.starts_with("internal error"))
        {
            return Err(format!("{mode:?}: FW999: {}", d.message));
        }
        if !input_parses {
            if outcome.fixed.is_some() {
                return Err("a fixed text was produced for an input that does not parse".into());
            }
            if let Some(d) = outcome.diagnostics.iter().find(|d| d.code() != "FW000") {
                return Err(format!(
                    "{} reported on an input that does not parse",
                    d.code()
                ));
            }
        }
        let Some(fixed) = outcome.fixed else { continue };
        if mode == Mode::Check {
            return Err("--check produced a fixed text".into());
        }
        if let Err(e) = ParsedFile::parse(&fixed, SourceKind::Python) {
            return Err(format!(
                "the fixed text does not parse: {}\n{fixed}",
                e.message
            ));
        }
        let again = catch_unwind(AssertUnwindSafe(|| {
            linter.lint_python(path, &fixed, SourceKind::Python, Mode::Fix)
        }))
        .map_err(|_| "the second apply panicked".to_string())?;
        if let Some(second) = again.fixed {
            return Err(format!(
                "a second apply changed the file again:\n--- first\n{fixed}\n--- second\n{second}"
            ));
        }
        if safe_only
            && let (Some(before), Some(after)) = (plain_comments(text), plain_comments(&fixed))
        {
            for (comment, n) in &before {
                let kept = after.get(comment).copied().unwrap_or(0);
                if kept < *n {
                    return Err(format!(
                        "a safe fix lost the comment `{comment}` ({n} before, {kept} after):\n{fixed}"
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lex_round_trips() {
        let text = "x = f(a, 'b')  # note\r\n\tif y:\n        pass\n";
        assert_eq!(lex(text).concat(), text);
        assert!(lex(text).contains(&"# note"));
        assert!(lex(text).contains(&"\r\n"));
    }

    #[test]
    fn the_corpus_has_the_rule_fixtures_and_test_cases() {
        let corpus = seed_corpus();
        assert!(corpus.len() >= 50, "only {} seed files", corpus.len());
        assert!(corpus.iter().any(|(p, _)| p.ends_with("FW001_basic.py")));
        assert!(corpus.iter().any(|(p, _)| p.ends_with("tune_summaries.py")));
    }

    #[test]
    fn invariants_hold_on_a_legacy_script_and_catch_a_broken_one() {
        let l = linter(Target::default(), false);
        let legacy = "from training.utils import InfraConfig\ncfg = InfraConfig()  # keep\n";
        check_invariants(&l, legacy, true).unwrap();
        // Not parsable: no fix, only FW000.
        check_invariants(
            &l,
            "from training.utils import InfraConfig\ncfg = (\n",
            true,
        )
        .unwrap();
    }
}
