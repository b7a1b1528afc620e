//! The table of known errors (`crates/fwmigrate_doctor/known-errors.toml`) agrees with the
//! rules and with its documentation:
//!
//! - every rule code an entry names exists;
//! - `docs/known-errors.md` is generated from the table; the test fails when it is missing or
//!   stale. Regenerate with [`UPDATE_COMMAND`].

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fwmigrate_cli::registry;
use fwmigrate_doctor::known::{SOURCE_PATH, table};

const UPDATE_COMMAND: &str =
    "FWMIGRATE_UPDATE_DOCS=1 cargo test -p fwmigrate_cli --test known_errors";

const PAGE: &str = "docs/known-errors.md";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("rules").is_dir() && dir.join("Cargo.lock").is_file())
        .expect("the workspace root above this crate")
        .to_path_buf()
}

/// A table cell: no line breaks, `|` escaped.
fn cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

fn rule_links(rules: &[String]) -> String {
    if rules.is_empty() {
        return "—".to_string();
    }
    let links: Vec<String> = rules
        .iter()
        .map(|r| format!("[{r}](rules/{r}.md)"))
        .collect();
    links.join(", ")
}

fn page() -> String {
    let mut out = format!(
        "<!-- Generated from `{SOURCE_PATH}` by\n     `{UPDATE_COMMAND}`. Do not edit by hand. -->\n\n"
    );
    out.push_str(
        "# Known errors\n\n\
         `fwmigrate doctor` reads a run's output (a traceback, a log) and explains every line that\n\
         one of the entries below recognises: the cause, the remedy, the command that fixes it, and\n\
         the findings in the project of the rules that find the cause before the run does. The\n\
         entries come from the Fireworks training guide; they are data, kept in one file of the\n\
         repository with the patterns that recognise each message. A line gets the first entry, in\n\
         this order, that recognises it. An entry marked *no action* does not make `doctor` exit 1.\n\n\
         Before any of these, `doctor` checks the `fireworks-ai` installed in the project's\n\
         environment ([FW502](rules/FW502.md)): a stale SDK produces errors that look like server\n\
         bugs.\n\n\
         | error or signal | cause and remedy | rules |\n\
         |---|---|---|\n",
    );
    for e in &table().entries {
        let remedy = match &e.command {
            Some(c) => format!("{} (`{c}`)", e.remedy),
            None => e.remedy.clone(),
        };
        let _ = writeln!(
            out,
            "| [{}](#{}) | {} {} | {} |",
            cell(&e.signal),
            e.id,
            cell(&e.cause),
            cell(&remedy),
            rule_links(&e.rules)
        );
    }
    for e in &table().entries {
        let _ = write!(out, "\n## {}\n\n{}\n\n", e.id, e.signal);
        let _ = writeln!(out, "- **Cause**: {}", e.cause);
        let _ = writeln!(out, "- **Remedy**: {}", e.remedy);
        if let Some(c) = &e.command {
            let _ = writeln!(out, "- **Command**: `{c}`");
        }
        let _ = writeln!(out, "- **Rules**: {}", rule_links(&e.rules));
        if e.benign {
            out.push_str("- *No action*: `doctor` does not exit 1 for it.\n");
        }
        out.push_str("\nMessages of that shape:\n\n```text\n");
        for example in &e.examples {
            out.push_str(example);
            out.push('\n');
        }
        out.push_str("```\n\nPatterns (regular expressions, searched in each line):\n\n```text\n");
        for p in &e.patterns {
            out.push_str(p);
            out.push('\n');
        }
        out.push_str("```\n");
    }
    out
}

#[test]
fn every_rule_an_entry_names_exists() {
    let codes = registry::all_codes();
    for e in &table().entries {
        for r in &e.rules {
            assert!(
                codes.iter().any(|c| *c == r.as_str()),
                "{SOURCE_PATH}: entry `{}` names the rule {r}, which does not exist",
                e.id
            );
        }
    }
}

#[test]
fn the_docs_page_is_up_to_date() {
    let path = workspace_root().join(PAGE);
    let expected = page();
    if std::env::var("FWMIGRATE_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        if std::fs::read_to_string(&path).ok().as_deref() != Some(expected.as_str()) {
            std::fs::write(&path, &expected).unwrap();
            eprintln!("wrote {}", path.display());
        }
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{PAGE} is missing or does not match {SOURCE_PATH}: run `{UPDATE_COMMAND}`, then review \
         and commit the result"
    );
    // Its links to rule pages lead somewhere.
    for e in &table().entries {
        for r in &e.rules {
            assert!(
                workspace_root()
                    .join(format!("docs/rules/{r}.md"))
                    .is_file(),
                "{r}"
            );
        }
    }
}
