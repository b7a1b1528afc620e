//! Invariants of the rule registry: what every rule must declare and document. New rules and
//! new families are picked up from the registry and from the rule crates' sources; nothing here
//! lists rules by hand.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fwmigrate_cli::registry;
use fwmigrate_rule::{Applicability, RuleCode, RuleMeta};

/// The sections every `explanation` has, in this order (other sections may stand between them).
const SECTIONS: [&str; 4] = [
    "## What it finds",
    "## Why it matters",
    "## Fix safety",
    "## Example",
];

fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|dir| dir.join("rules").is_dir() && dir.join("Cargo.lock").is_file())
        .expect("the workspace root (with rules/ and Cargo.lock) above this crate")
        .to_path_buf()
}

#[test]
fn codes_are_unique_and_well_formed() {
    let mut seen = BTreeSet::new();
    for meta in registry::all_rules() {
        assert!(seen.insert(meta.code), "{} is registered twice", meta.code);
        let digits = meta.code.as_str().strip_prefix("FW").unwrap_or("");
        assert!(
            digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()),
            "{}: a code is `FW` and three digits",
            meta.code
        );
    }
}

fn is_kebab_case(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && name.as_bytes()[0].is_ascii_lowercase()
}

#[test]
fn kebab_case_checker() {
    for good in ["sdk-pin", "infra-config", "fw2-thing"] {
        assert!(is_kebab_case(good), "{good}");
    }
    for bad in [
        "", "Sdk-pin", "sdk_pin", "sdk--pin", "-sdk", "sdk-", "2sdk", "sdk pin",
    ] {
        assert!(!is_kebab_case(bad), "{bad}");
    }
}

#[test]
fn names_are_unique_and_kebab_case() {
    let mut seen = BTreeMap::new();
    for meta in registry::all_rules() {
        assert!(
            is_kebab_case(meta.name),
            "{}: name `{}` is not kebab-case",
            meta.code,
            meta.name
        );
        if let Some(other) = seen.insert(meta.name, meta.code) {
            panic!("{} and {other} are both named `{}`", meta.code, meta.name);
        }
    }
}

#[test]
fn lookup_by_code_and_name() {
    for meta in registry::all_rules() {
        assert_eq!(
            registry::find(meta.code.as_str()).map(|m| m.code),
            Some(meta.code)
        );
        assert_eq!(
            registry::find(&meta.code.as_str().to_ascii_lowercase()).map(|m| m.code),
            Some(meta.code)
        );
        assert_eq!(registry::find(meta.name).map(|m| m.code), Some(meta.code));
    }
}

/// The codes of the `RuleMeta`s defined in each rule crate's sources
/// (`code: RuleCode::new("FW…")`), by the family the crate stands for: `rules/<family>/src` is
/// family `<family>`, the engine's built-in rules are `common`.
fn codes_by_crate(root: &Path) -> BTreeMap<RuleCode, String> {
    fn scan(path: &Path, family: &str, out: &mut BTreeMap<RuleCode, String>) {
        if path.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .map(|e| e.unwrap().path())
                .collect();
            entries.sort();
            for entry in entries {
                scan(&entry, family, out);
            }
            return;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            return;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for line in text.lines() {
            let Some(rest) = line.trim_start().strip_prefix("code: RuleCode::new(\"") else {
                continue;
            };
            let code = rest.split('"').next().unwrap_or_default();
            let Some(meta) = registry::find(code) else {
                panic!(
                    "{} defines {code}, which the registry (crates/fwmigrate_cli/src/registry.rs) does not list",
                    path.display()
                );
            };
            out.insert(meta.code, family.to_string());
        }
    }
    let mut out = BTreeMap::new();
    scan(
        &root.join("crates/fwmigrate_engine/src/builtin.rs"),
        "common",
        &mut out,
    );
    let mut families: Vec<_> = std::fs::read_dir(root.join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("src").is_dir())
        .collect();
    families.sort();
    for dir in families {
        let family = dir.file_name().unwrap().to_str().unwrap().to_string();
        scan(&dir.join("src"), &family, &mut out);
    }
    out
}

#[test]
fn every_rule_is_registered_and_its_family_is_its_crate() {
    let root = workspace_root();
    let defined = codes_by_crate(&root);
    assert_eq!(defined.get("FW000").map(String::as_str), Some("common"));
    for meta in registry::all_rules() {
        let Some(family) = defined.get(&meta.code) else {
            panic!(
                "{} is registered but no `code: RuleCode::new(\"{}\")` was found under rules/*/src or the engine's builtin.rs",
                meta.code, meta.code
            );
        };
        assert_eq!(
            meta.family.as_str(),
            family,
            "{} is defined in the `{family}` crate but declares family `{}`",
            meta.code,
            meta.family
        );
    }
}

/// The explanation cut at its `## ` headings (outside code blocks): the text before the first
/// heading, then each heading with its body.
fn sections(explanation: &str) -> (String, Vec<(String, String)>) {
    let mut preamble = String::new();
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut in_code = false;
    for line in explanation.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with('#') {
            sections.push((line.trim_end().to_string(), String::new()));
            continue;
        }
        let body = match sections.last_mut() {
            Some((_, body)) => body,
            None => &mut preamble,
        };
        body.push_str(line);
        body.push('\n');
    }
    (preamble, sections)
}

/// The word a "Fix safety" section starts with, for each `RuleMeta.fix`.
fn fix_word(fix: Option<Applicability>) -> &'static str {
    match fix {
        Some(Applicability::Safe) => "**Safe**",
        Some(Applicability::Unsafe) => "**Unsafe**",
        Some(Applicability::DisplayOnly) => "**Display-only**",
        None => "**None**",
    }
}

fn check_documentation(meta: &RuleMeta) -> Vec<String> {
    let mut problems = Vec::new();
    let (preamble, sections) = sections(meta.explanation);
    if !preamble.trim().is_empty() {
        problems.push("has text before its first `## ` section".to_string());
    }
    for (heading, _) in &sections {
        if !heading.starts_with("## ") {
            problems.push(format!(
                "has the heading `{heading}`: sections are `## `, the page title comes from the code and name"
            ));
        }
    }
    let body = |wanted: &str| {
        sections
            .iter()
            .position(|(h, _)| h == wanted)
            .map(|i| (i, sections[i].1.trim()))
    };
    if sections.first().is_some_and(|(h, _)| h != SECTIONS[0]) {
        problems.push(format!("does not start with `{}`", SECTIONS[0]));
    }
    let mut last = 0;
    for heading in SECTIONS {
        match body(heading) {
            None => problems.push(format!("has no `{heading}` section")),
            Some((at, _)) if at < last => problems.push(format!("has `{heading}` out of order")),
            Some((at, _)) => last = at,
        }
    }
    if let Some((_, fix)) = body("## Fix safety") {
        let word = fix_word(meta.fix);
        if !fix.starts_with(word) {
            problems.push(format!(
                "must start its `## Fix safety` with {word} (the rule's `fix` is {}), not {:?}",
                meta.fix.map_or("none", |a| a.as_str()),
                fix.lines().next().unwrap_or("")
            ));
        }
    }
    if body("## Example").is_some_and(|(_, e)| !e.contains("```")) {
        problems.push("has no code block in its `## Example`".to_string());
    }
    let summary = meta.summary;
    if summary.is_empty() || summary.contains('\n') || !summary.ends_with('.') {
        problems.push(format!(
            "has the summary {summary:?}, not one sentence on one line ending with a period"
        ));
    }
    problems
}

#[test]
fn every_rule_documents_what_why_fix_safety_and_an_example() {
    let mut problems = Vec::new();
    for meta in registry::all_rules() {
        for p in check_documentation(meta) {
            problems.push(format!("{} `{}` {p}", meta.code, meta.name));
        }
    }
    assert!(
        problems.is_empty(),
        "rule documentation problems:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_documentation_check_catches_a_wrong_fix_safety() {
    let good = "## What it finds\n\nX.\n\n## Why it matters\n\nY.\n\n## Fix safety\n\n**Unsafe**: \
                it renames.\n\n## Example\n\n```python\nx\n```\n";
    let meta = |fix, explanation, summary| RuleMeta {
        code: RuleCode::new("FW998"),
        name: "test-rule",
        family: fwmigrate_rule::Family::Common,
        severity: fwmigrate_rule::Severity::Warning,
        fix,
        targets: fwmigrate_rule::ALL_TARGETS,
        requires_import: false,
        needles: &[],
        summary,
        explanation,
    };
    assert!(check_documentation(&meta(Some(Applicability::Unsafe), good, "S.")).is_empty());
    let wrong = check_documentation(&meta(Some(Applicability::Safe), good, "S."));
    assert!(
        wrong.len() == 1 && wrong[0].contains("**Safe**"),
        "{wrong:?}"
    );
    let no_period = check_documentation(&meta(Some(Applicability::Unsafe), good, "S"));
    assert!(no_period.len() == 1, "{no_period:?}");
    let titled = format!("## FW998 `test-rule`\n\n{good}").leak();
    let titled = check_documentation(&meta(Some(Applicability::Unsafe), titled, "S."));
    assert!(titled.len() == 1, "{titled:?}");
    let missing = "## What it finds\n\nX.\n\n## Fix safety\n\n**Unsafe**.\n";
    let missing = check_documentation(&meta(Some(Applicability::Unsafe), missing, "S."));
    assert_eq!(missing.len(), 2, "{missing:?}");
}
