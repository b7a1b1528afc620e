//! The documentation in the repository agrees with the rules.
//!
//! - `docs/rules/` (one page per rule and an index) is generated from each rule's `RuleMeta`;
//!   the test fails when a page is missing, stale or left over from a removed rule. Regenerate
//!   with [`UPDATE_COMMAND`].
//! - `README.md` has no rule table of its own: it links to the generated index.
//! - Relative links in `README.md` and `docs/` lead to files that exist (`tests/markdown_links.rs`
//!   in the root package checks every Markdown file, anchors included).
//!
//! Rules are taken from the registry, so a new rule or family needs nothing here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fwmigrate_cli::registry;
use fwmigrate_engine::BUILTIN_RULES;
use fwmigrate_rule::{ALL_TARGETS, RuleMeta, Target, Targets};

/// The command that rewrites `docs/rules/` from the rules' metadata.
const UPDATE_COMMAND: &str = "FWMIGRATE_UPDATE_DOCS=1 cargo test -p fwmigrate_cli --test docs";

/// The generated folder, relative to the workspace root.
const RULES_DIR: &str = "docs/rules";

/// The hand-written page on what every rule shares, relative to the workspace root.
const BEHAVIOUR_PAGE: &str = "docs/behaviour.md";

fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|dir| dir.join("rules").is_dir() && dir.join("Cargo.lock").is_file())
        .expect("the workspace root (with rules/ and Cargo.lock) above this crate")
        .to_path_buf()
}

fn generated_notice() -> String {
    format!(
        "<!-- Generated from the rules' metadata (`RuleMeta` in each rule's source) by\n     \
         `{UPDATE_COMMAND}`. Do not edit by hand. -->\n"
    )
}

fn fix_text(meta: &RuleMeta) -> &'static str {
    meta.fix.map_or("none", |a| a.as_str())
}

fn targets_text(targets: Targets) -> String {
    targets.as_str().to_string()
}

/// A table cell: no line breaks, `|` escaped.
fn cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

fn is_builtin(meta: &RuleMeta) -> bool {
    BUILTIN_RULES.iter().any(|b| b.code == meta.code)
}

fn is_text_rule(meta: &RuleMeta) -> bool {
    registry::text_rules()
        .iter()
        .any(|r| r.meta().code == meta.code)
}

/// Which files the rule looks at, in one sentence.
fn scope(meta: &RuleMeta) -> &'static str {
    if is_builtin(meta) {
        "Reported by the engine itself, for any file it checks."
    } else if is_text_rule(meta) {
        "Reads dependency files (`pyproject.toml`, requirements files, `setup.cfg`), not Python \
         code."
    } else if meta.requires_import {
        "Checked in Python files that import the cookbook or the `fireworks` package."
    } else {
        "Checked in every Python file: what it looks for needs no import to be recognised."
    }
}

fn rule_page(meta: &RuleMeta) -> String {
    let mut page = generated_notice();
    let _ = write!(
        page,
        "\n# {code} `{name}`\n\n{summary}\n\n\
         | code | name | family | severity | fix | targets |\n\
         |---|---|---|---|---|---|\n\
         | {code} | `{name}` | [`{family}`](README.md#family-{family}) | {severity} | {fix} | {targets} |\n\n\
         {scope}\n\n{explanation}\n\n\
         ---\n\n\
         [All rules](README.md) · [Behaviour every rule shares](../behaviour.md) · \
         `fwmigrate --explain {code}` prints this page in the terminal.\n",
        code = meta.code,
        name = meta.name,
        summary = meta.summary,
        family = meta.family,
        severity = meta.severity.as_str(),
        fix = fix_text(meta),
        targets = targets_text(meta.targets),
        scope = scope(meta),
        explanation = meta.explanation.trim(),
    );
    page
}

fn index_page(rules: &[&RuleMeta]) -> String {
    // Families in the order of their first code.
    let mut families: Vec<(&str, Vec<&RuleMeta>)> = Vec::new();
    for &meta in rules {
        match families
            .iter_mut()
            .find(|(f, _)| *f == meta.family.as_str())
        {
            Some((_, members)) => members.push(meta),
            None => families.push((meta.family.as_str(), vec![meta])),
        }
    }
    // A targets column only when some rule is tied to some targets.
    let all_targets = rules.iter().all(|m| m.targets == ALL_TARGETS);
    let mut page = generated_notice();
    let _ = write!(
        page,
        "\n# Rules\n\n\
         fwmigrate has {} rules in {} families. Each rule's page says what it finds, why it\n\
         matters, how safe its fix is, and shows an example; `fwmigrate --explain CODE` prints\n\
         the same text, and `fwmigrate --list-rules` lists the rules. What every rule shares\n\
         (name resolution, targets, suppression comments, what a fix may and may not do) is in\n\
         [Behaviour every rule shares](../behaviour.md).\n\n\
         The fix column gives a rule's usual fix: **safe** fixes are applied by `--apply`,\n\
         **unsafe** ones only with `--unsafe-fixes`, **display-only** ones are shown as a\n\
         suggestion and never applied. A rule's page says when a finding gets another kind of\n\
         fix, or none.\n",
        rules.len(),
        families.len(),
    );
    for (family, members) in &families {
        let (head, rule) = if all_targets {
            (
                "| code | name | severity | fix | summary |",
                "|---|---|---|---|---|",
            )
        } else {
            (
                "| code | name | severity | fix | targets | summary |",
                "|---|---|---|---|---|---|",
            )
        };
        let _ = write!(page, "\n## Family `{family}`\n\n{head}\n{rule}\n");
        for meta in members {
            let targets = if all_targets {
                String::new()
            } else if meta.targets == ALL_TARGETS {
                " all |".to_string()
            } else {
                format!(" {} |", targets_text(meta.targets))
            };
            let _ = writeln!(
                page,
                "| [{code}]({code}.md) | `{name}` | {severity} | {fix} |{targets} {summary} |",
                code = meta.code,
                name = meta.name,
                severity = meta.severity.as_str(),
                fix = fix_text(meta),
                summary = cell(meta.summary),
            );
        }
    }
    let _ = write!(
        page,
        "\n## Targets\n\n\
         Each rule's page lists the targets it runs at; what changes from one target to the\n\
         next is in [Behaviour every rule shares](../behaviour.md#targets).\n\n\
         | target | minimum `fireworks-ai` |\n\
         |---|---|\n"
    );
    for target in Target::aliased() {
        let _ = writeln!(
            page,
            "| `{}` | `{}` |",
            target.as_str(),
            target.min_sdk_specifier()
        );
    }
    page
}

/// Every generated file, by its path relative to the workspace root.
fn generated_files() -> BTreeMap<String, String> {
    let rules = registry::all_rules();
    let mut files = BTreeMap::new();
    files.insert(format!("{RULES_DIR}/README.md"), index_page(&rules));
    for meta in &rules {
        files.insert(format!("{RULES_DIR}/{}.md", meta.code), rule_page(meta));
    }
    files
}

/// The first line where two texts differ, for the failure message.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut actual_lines = actual.lines();
    for (i, want) in expected.lines().enumerate() {
        match actual_lines.next() {
            Some(have) if have == want => {}
            Some(have) => {
                return format!("line {}: expected {want:?}, found {have:?}", i + 1);
            }
            None => return format!("line {}: expected {want:?}, found the end", i + 1),
        }
    }
    match actual_lines.next() {
        Some(extra) => format!("unexpected line {extra:?} at the end"),
        None => "line endings or the final newline differ".to_string(),
    }
}

#[test]
fn rule_reference_is_up_to_date() {
    let root = workspace_root();
    let expected = generated_files();
    let present: BTreeSet<String> = std::fs::read_dir(root.join(RULES_DIR))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|name| name.ends_with(".md"))
                .map(|name| format!("{RULES_DIR}/{name}"))
                .collect()
        })
        .unwrap_or_default();
    let leftovers: Vec<&String> = present
        .iter()
        .filter(|p| !expected.contains_key(*p))
        .collect();

    if std::env::var("FWMIGRATE_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(root.join(RULES_DIR)).unwrap();
        for (path, text) in &expected {
            let path = root.join(path);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                std::fs::write(&path, text).unwrap();
                eprintln!("wrote {}", path.display());
            }
        }
        for path in leftovers {
            std::fs::remove_file(root.join(path)).unwrap();
            eprintln!("removed {path}");
        }
        return;
    }

    let mut problems = Vec::new();
    for (path, text) in &expected {
        match std::fs::read_to_string(root.join(path)) {
            Err(_) => problems.push(format!("{path} is missing")),
            Ok(actual) if actual != *text => problems.push(format!(
                "{path} is stale ({})",
                first_difference(text, &actual)
            )),
            Ok(_) => {}
        }
    }
    for path in leftovers {
        problems.push(format!("{path} belongs to no rule"));
    }
    assert!(
        problems.is_empty(),
        "the rule reference in {RULES_DIR}/ does not match the rules' metadata:\n  {}\n\
         Run `{UPDATE_COMMAND}` to regenerate it, then review and commit the result.",
        problems.join("\n  ")
    );
}

#[test]
fn generated_pages_carry_the_metadata() {
    let files = generated_files();
    let rules = registry::all_rules();
    assert_eq!(files.len(), rules.len() + 1);
    let index = &files[&format!("{RULES_DIR}/README.md")];
    for meta in &rules {
        let page = &files[&format!("{RULES_DIR}/{}.md", meta.code)];
        assert!(page.contains(&format!("\n# {} `{}`\n", meta.code, meta.name)));
        assert!(page.contains(meta.summary));
        assert!(page.contains(meta.explanation.trim()));
        assert!(page.contains(&format!(
            "| {} | {} |",
            meta.severity.as_str(),
            fix_text(meta)
        )));
        assert!(index.contains(&format!("[{0}]({0}.md)", meta.code)));
        assert!(index.contains(&format!("\n## Family `{}`\n", meta.family)));
    }
    for target in Target::aliased() {
        assert!(index.contains(target.min_sdk_specifier()));
    }
}

/// The README's pointer to the rule reference: the index generated above, never a table of its
/// own that could drift from the rules.
#[test]
fn readme_links_to_the_generated_rule_index() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let link = format!("]({RULES_DIR}/README.md)");
    assert!(
        readme.contains(&link),
        "README.md does not link to the rule index ({link})"
    );
    assert!(
        !readme
            .lines()
            .any(|l| l.starts_with("| code | name |") || l.starts_with("| FW0")),
        "README.md has a rule table of its own: link to {RULES_DIR}/README.md instead"
    );
}

/// Relative link targets (`](path)`, anchors dropped) in a Markdown text, outside code blocks.
fn relative_links(text: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let Some(end) = rest.find(')') else { break };
            let target = &rest[..end];
            rest = &rest[end..];
            if target.contains("://") || target.starts_with('#') || target.starts_with("mailto:") {
                continue;
            }
            let path = target.split('#').next().unwrap_or_default();
            if !path.is_empty() {
                links.push(path.to_string());
            }
        }
    }
    links
}

#[test]
fn links_in_readme_and_docs_lead_somewhere() {
    let root = workspace_root();
    // Generated pages are checked as they will be written, whatever is on disk now.
    let generated = generated_files();
    let mut pages: Vec<(PathBuf, String)> = ["README.md", BEHAVIOUR_PAGE]
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
            (root.join(p), text)
        })
        .collect();
    pages.extend(
        generated
            .iter()
            .map(|(p, text)| (root.join(p), text.clone())),
    );
    let exists = |path: &Path| {
        normalize(path).exists()
            || generated
                .keys()
                .any(|g| normalize(&root.join(g)) == normalize(path))
    };
    let mut broken = Vec::new();
    for (page, text) in &pages {
        for link in relative_links(text) {
            if !exists(&page.parent().unwrap().join(&link)) {
                broken.push(format!("{}: {link}", page.display()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links to nothing:\n  {}",
        broken.join("\n  ")
    );
    assert_eq!(
        relative_links("[a](x.md#y) [b](https://e.org) [c](#z)\n```\n[d](no.md)\n```\n"),
        ["x.md"]
    );
}

/// `a/b/../c` → `a/c`, lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn behaviour_page_names_every_target_and_its_minimum_sdk() {
    let text = std::fs::read_to_string(workspace_root().join(BEHAVIOUR_PAGE)).unwrap();
    for target in Target::aliased() {
        for fact in [target.as_str(), target.min_sdk_specifier()] {
            assert!(
                text.contains(fact),
                "{BEHAVIOUR_PAGE} does not mention `{fact}` (target {})",
                target.as_str()
            );
        }
    }
    let rounds = format!("{} rounds", fwmigrate_engine::MAX_PASSES);
    assert!(
        text.contains(&rounds),
        "{BEHAVIOUR_PAGE} does not say `{rounds}`"
    );
    for meta in BUILTIN_RULES {
        assert!(
            text.contains(meta.code.as_str()),
            "{BEHAVIOUR_PAGE} does not mention {}",
            meta.code
        );
    }
}
