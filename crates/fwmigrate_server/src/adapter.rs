//! The one place where the server calls into fwmigrate's settings and engine.
//!
//! Everything else in this crate works with the plain types below (byte ranges into the
//! document's text, owned strings), so that a change in the engine's interface touches this file
//! only. The functions used:
//!
//! - settings: `fwmigrate_workspace::Overrides` (the editor's layer over the configuration
//!   files), `fwmigrate_workspace::Resolver::{new, with_project_root, settings_for}`,
//!   `fwmigrate_workspace::FileSettings::excludes` and `fwmigrate_engine::SourceType::from_path`;
//! - linting: `fwmigrate_engine::Linter::{lint_python, lint_text, wants_text_file}` with
//!   `fwmigrate_engine::Mode::{Check, Fix}`, `fwmigrate_engine::split_bom`, and
//!   `fwmigrate_engine::{catch_panic, panic_diagnostic}` for panics;
//! - suppression comments: `fwmigrate_engine::suppression::{directives, addition_edit,
//!   ignore_comment}`, and `fwmigrate_parser::ParsedFile::{parse, comments}` to check an edit.

use std::collections::HashMap;
use std::ops::Range;
use std::panic::catch_unwind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fwmigrate_engine::{Linter, Mode, SourceType as FileKind, catch_panic, suppression};
use fwmigrate_parser::{ParsedFile, SourceKind, TextRange, TextSize};
use fwmigrate_rule::{Applicability, RuleCode, Severity as RuleSeverity};
use fwmigrate_workspace::Resolver;

pub use fwmigrate_workspace::Overrides;

/// The settings resolvers of a server session: one per workspace folder and editor settings,
/// so configuration files, pins and environments are read once, not at every check. Cleared
/// when a configuration or dependency file changes (see [`SETTINGS_FILES`]); a handful of
/// entries at most (past [`Resolvers::LIMIT`] a new entry replaces them all).
#[derive(Default)]
pub struct Resolvers(std::sync::Mutex<HashMap<(PathBuf, Overrides), Arc<Resolver>>>);

impl Resolvers {
    const LIMIT: usize = 64;

    pub fn get(&self, workspace: &Path, overrides: &Overrides) -> Result<Arc<Resolver>, String> {
        let key = (workspace.to_path_buf(), overrides.clone());
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = map.get(&key) {
            return Ok(r.clone());
        }
        let resolver = Arc::new(
            Resolver::new(overrides)
                .map_err(|e| e.to_string())?
                .with_project_root(workspace),
        );
        if map.len() >= Self::LIMIT {
            map.clear();
        }
        map.insert(key, resolver.clone());
        Ok(resolver)
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Whether these overrides are valid (targets, SDK versions and rule selectors are checked as
/// the command line checks them); the error names what is wrong.
pub fn validate(overrides: &Overrides) -> Result<(), String> {
    if let Some(t) = &overrides.target {
        t.parse::<fwmigrate_rule::Target>()?;
    }
    if let Some(v) = &overrides.sdk_version {
        v.parse::<fwmigrate_rule::SdkVersion>()?;
    }
    Resolver::new(overrides)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The settings in force for one document.
#[derive(Clone)]
pub struct DocumentSettings {
    linter: Arc<Linter>,
    /// How the document is linted: its kind by name, once the linter has said it reads it
    /// (`None`: not checked). Never a notebook: those come as notebook documents, which the
    /// server does not handle.
    kind: Option<FileKind>,
}

impl DocumentSettings {
    /// Whether the document is checked at all (not excluded, a kind fwmigrate reads).
    pub fn is_checked(&self) -> bool {
        self.kind.is_some()
    }

    /// Whether the document is Python source (not a dependency manifest).
    pub fn is_python(&self) -> bool {
        matches!(self.kind, Some(FileKind::Python | FileKind::Stub))
    }
}

/// Files whose change can change the settings of every document: the configuration files, and
/// the dependency files whose `fireworks-ai` pin sets the default `sdk-version` (globs, for the
/// client's file watcher). A requirements file may include any other (`-r deps/base.txt`,
/// `-c constraints.in`), so every `.txt` and `.in` file counts.
pub const SETTINGS_FILES: &[&str] = &[
    "**/pyproject.toml",
    "**/fwmigrate.toml",
    "**/setup.cfg",
    "**/*.txt",
    "**/*.in",
];

/// Whether a file of this name is one of [`SETTINGS_FILES`]: what the pin reader takes for a
/// dependency file by its name, or a file a requirements file may include.
pub fn is_settings_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "fwmigrate.toml"
        || fwmigrate_manifest::Manifest::of(Path::new(name), false).is_some()
        || lower.ends_with(".txt")
        || lower.ends_with(".in")
}

/// The settings for the file at `path`, resolved from the `pyproject.toml` / `fwmigrate.toml`
/// above it exactly as the command line resolves them with these overrides, run in `workspace`:
/// the default `sdk-version` follows the `fireworks-ai` pin of the configuration's folder, else
/// of the workspace folder. As with ruff's server, a file the configuration excludes (or that
/// lies in a folder fwmigrate never walks, such as `.venv` or `site-packages`) is not checked.
pub fn settings_for(
    path: &Path,
    overrides: &Overrides,
    workspace: &Path,
    resolvers: &Resolvers,
) -> Result<DocumentSettings, String> {
    let resolver = resolvers.get(workspace, overrides)?;
    let settings = resolver.settings_for(path).map_err(|e| e.to_string())?;
    // The exclusions hold the default list (`.venv`, `site-packages`, ...) unless the
    // configuration replaced it.
    let kind = if settings.excludes(path) {
        None
    } else {
        match FileKind::from_path(path) {
            Some(FileKind::Stub) => Some(FileKind::Stub),
            // Notebooks come as notebook documents, which the server does not handle.
            Some(FileKind::Notebook) => None,
            Some(FileKind::Manifest) => settings
                .linter
                .wants_text_file(path)
                .then_some(FileKind::Manifest),
            Some(FileKind::Yaml) => settings.linter.wants_yaml(path).then_some(FileKind::Yaml),
            // `.py`, and any other file the editor hands over as Python.
            Some(FileKind::Python) | None => Some(FileKind::Python),
        }
    };
    Ok(DocumentSettings {
        linter: settings.linter.clone(),
        kind,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    Safe,
    Unsafe,
    DisplayOnly,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    /// Byte range in the document's text.
    pub range: Range<usize>,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixInfo {
    pub kind: FixKind,
    pub title: String,
    /// Empty for a display-only fix.
    pub edits: Vec<TextEdit>,
    /// The suggested code of a display-only fix.
    pub suggestion: Option<String>,
    /// Why the fix is unsafe or not applied.
    pub reason: Option<String>,
}

/// One finding, located by byte offsets in the document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: RuleCode,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub range: Range<usize>,
    pub fix: Option<FixInfo>,
}

/// The FW999 finding for a panic while checking a file (`what`: the panic's message).
pub fn internal_error(what: &str) -> Finding {
    finding(fwmigrate_engine::panic_diagnostic(
        "while checking this file",
        what,
        None,
    ))
}

fn severity(s: RuleSeverity) -> Severity {
    match s {
        RuleSeverity::Error => Severity::Error,
        RuleSeverity::Warning => Severity::Warning,
    }
}

fn lint(path: &Path, body: &str, settings: &DocumentSettings, mode: Mode) -> Option<LintOutput> {
    fwmigrate_workspace::debug_panic_hook(path);
    let linter = &settings.linter;
    let outcome = match settings.kind? {
        FileKind::Python => linter.lint_python(path, body, SourceKind::Python, mode),
        FileKind::Stub => linter.lint_python(path, body, SourceKind::Stub, mode),
        FileKind::Manifest => linter.lint_text(path, body, mode),
        FileKind::Yaml => linter.lint_yaml(path, body, mode),
        FileKind::Notebook => return None,
    };
    Some(LintOutput {
        fixed: outcome.fixed,
        findings: outcome.diagnostics.into_iter().map(finding).collect(),
    })
}

/// A diagnostic of the engine in this crate's terms.
fn finding(d: fwmigrate_engine::Diagnostic) -> Finding {
    Finding {
        code: d.rule.code,
        name: d.rule.name,
        severity: severity(d.rule.severity),
        message: d.message,
        range: usize::from(d.range.start())..usize::from(d.range.end()),
        fix: d.fix.map(|f| FixInfo {
            // A fix without edits can only be shown (as the command line treats it).
            kind: match f.applicability {
                _ if f.edits.is_empty() => FixKind::DisplayOnly,
                Applicability::Safe => FixKind::Safe,
                Applicability::Unsafe => FixKind::Unsafe,
                Applicability::DisplayOnly => FixKind::DisplayOnly,
            },
            title: f.title,
            edits: f
                .edits
                .into_iter()
                .map(|e| TextEdit {
                    range: usize::from(e.range.start())..usize::from(e.range.end()),
                    content: e.content,
                })
                .collect(),
            suggestion: f.suggestion,
            reason: f.reason,
        }),
    }
}

struct LintOutput {
    findings: Vec<Finding>,
    fixed: Option<String>,
}

/// The findings for `text` (what `fwmigrate --check` reports for that file), their fixes
/// computed on `text` itself. A panic anywhere becomes one FW999 finding.
pub fn check(path: &Path, text: &str, settings: &DocumentSettings) -> Vec<Finding> {
    let (bom, body) = fwmigrate_engine::split_bom(text);
    let bom = bom.len();
    match catch_panic(|| lint(path, body, settings, Mode::Check)) {
        Ok(Some(out)) => out
            .findings
            .into_iter()
            .map(|mut f| {
                shift(&mut f.range, bom);
                for e in f.fix.iter_mut().flat_map(|f| f.edits.iter_mut()) {
                    shift(&mut e.range, bom);
                }
                f
            })
            .collect(),
        Ok(None) => Vec::new(),
        Err(what) => vec![internal_error(&what)],
    }
}

fn shift(range: &mut Range<usize>, by: usize) {
    range.start += by;
    range.end += by;
}

/// The text `fwmigrate --apply` would write for `text` (`None` when nothing changes), or the
/// message of a panic.
pub fn fix_all(
    path: &Path,
    text: &str,
    settings: &DocumentSettings,
) -> Result<Option<String>, String> {
    let (bom, body) = fwmigrate_engine::split_bom(text);
    let bom = bom.len();
    let out = catch_panic(|| lint(path, body, settings, Mode::Fix))?;
    Ok(out
        .and_then(|o| o.fixed)
        .map(|fixed| format!("{}{fixed}", &text[..bom])))
}

/// The edit that suppresses `code` on the line that holds byte `offset`: a new
/// `# fwmigrate: ignore[CODE]` comment at the end of the line, or `CODE` added to a
/// `# fwmigrate: ignore[...]` (or `# noqa: FW...`) already there. `None` where no comment can go
/// (the line ends inside a string, or with a backslash continuation): in Python source the edited
/// text must parse, with the directive in a comment on that line. Dependency manifests
/// (`python` false) take `#` comments too, and are not parsed.
pub fn suppression_edit(
    text: &str,
    offset: usize,
    code: RuleCode,
    python: bool,
) -> Option<TextEdit> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let edit = merge_into_existing(line, code)
        .map(|(at, content)| TextEdit {
            range: line_start + at..line_start + at,
            content,
        })
        .unwrap_or_else(|| {
            let code_end = line_start + line.trim_end().len();
            let sep = if line.trim().is_empty() { "" } else { "  " };
            TextEdit {
                range: code_end..line_end,
                content: format!("{sep}{}", suppression::ignore_comment(code)),
            }
        });
    if !python {
        return Some(edit);
    }
    // Check the result: it parses, and the directive sits in a comment on the same line.
    let edited = format!(
        "{}{}{}",
        &text[..edit.range.start],
        edit.content,
        &text[edit.range.end..]
    );
    let parsed = catch_unwind(|| {
        let file = ParsedFile::parse(&edited, SourceKind::Python).ok()?;
        let new_line_end = line_end + edit.content.len() - (edit.range.end - edit.range.start);
        // Where the inserted text holds a `#`, the comment starts there.
        let first = edit.range.start + edit.content.find('#').unwrap_or(0);
        let in_comment = file.comments().iter().any(|c| {
            let (s, e) = (usize::from(c.start()), usize::from(c.end()));
            s >= line_start
                && e <= new_line_end
                && s <= first
                && edit.range.start + edit.content.len() <= e
        });
        Some(in_comment)
    });
    matches!(parsed, Ok(Some(true))).then_some(edit)
}

/// Where to add `code` in a suppression list already on `line`: (offset in the line, text).
/// The engine reads the directives, as it does when it lints: a `fwmigrate: ignore[...]` list
/// takes the code first, else a `noqa` that already names an fwmigrate code.
fn merge_into_existing(line: &str, code: RuleCode) -> Option<(usize, String)> {
    let hash = comment_start(line)?;
    let comment = TextRange::new(TextSize::new(hash as u32), TextSize::new(line.len() as u32));
    let directives = suppression::directives(line, &[comment], |_| 0);
    let is_noqa =
        |d: &&suppression::Directive| line[d.range].to_ascii_lowercase().starts_with("noqa");
    let directive = directives
        .iter()
        .find(|d| !is_noqa(d) && line[d.range].ends_with(']'))
        .or_else(|| directives.iter().find(is_noqa))?;
    let edit = suppression::addition_edit(line, directive, code)?;
    Some((usize::from(edit.range.start()), edit.content))
}

/// The byte offset of the `#` that starts a comment on `line`, skipping `#` inside simple
/// string literals (the edit is checked by parsing anyway).
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '#' => return Some(i),
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edit: &TextEdit) -> String {
        format!(
            "{}{}{}",
            &text[..edit.range.start],
            edit.content,
            &text[edit.range.end..]
        )
    }

    fn suppressed(text: &str, line: usize, code: &'static str) -> Option<String> {
        let offset: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        suppression_edit(text, offset, RuleCode::new(code), true).map(|e| apply(text, &e))
    }

    #[test]
    fn settings_files_by_name() {
        for name in [
            "pyproject.toml",
            "fwmigrate.toml",
            "setup.cfg",
            "requirements.txt",
            "requirements-dev.txt",
            "dev-requirements.txt",
            "Requirements.txt",
            "constraints.txt",
            "requirements.in",
            "base.txt",
        ] {
            assert!(is_settings_file(name), "{name}");
        }
        for name in ["train.py", "dev-requirements.md", "setup.py", "notes.md"] {
            assert!(!is_settings_file(name), "{name}");
        }
    }

    #[test]
    fn a_new_comment_goes_at_the_end_of_the_line() {
        assert_eq!(
            suppressed("x = f()   \ny = 2\n", 0, "FW001").as_deref(),
            Some("x = f()  # fwmigrate: ignore[FW001]\ny = 2\n")
        );
        assert_eq!(
            suppressed("a = 1\nx = f()", 1, "FW001").as_deref(),
            Some("a = 1\nx = f()  # fwmigrate: ignore[FW001]")
        );
        assert_eq!(
            suppressed("x = f()\r\n", 0, "FW001").as_deref(),
            Some("x = f()  # fwmigrate: ignore[FW001]\r\n")
        );
    }

    #[test]
    fn codes_join_an_existing_directive() {
        assert_eq!(
            suppressed("x = f()  # fwmigrate: ignore[FW002]\n", 0, "FW001").as_deref(),
            Some("x = f()  # fwmigrate: ignore[FW002, FW001]\n")
        );
        assert_eq!(
            suppressed("x = f()  # note # noqa: FW002  more\n", 0, "FW001").as_deref(),
            Some("x = f()  # note # noqa: FW002, FW001  more\n")
        );
        // Another tool's `noqa` stays its own: a directive of ours is added.
        assert_eq!(
            suppressed("x = f('#')  # noqa: E501\n", 0, "FW001").as_deref(),
            Some("x = f('#')  # noqa: E501  # fwmigrate: ignore[FW001]\n")
        );
    }

    #[test]
    fn no_comment_where_it_would_change_the_code() {
        assert_eq!(suppressed("x = '''a\nb'''\n", 0, "FW001"), None);
        assert_eq!(suppressed("x = 1 + \\\n  2\n", 0, "FW001"), None);
    }

    #[test]
    fn overrides_are_checked_as_command_line_flags() {
        let bad_target = Overrides {
            target: Some("2099.01".into()),
            ..Overrides::default()
        };
        assert!(validate(&bad_target).unwrap_err().contains("2099.01"));
        let bad_code = Overrides {
            ignore: vec!["FW9X9".into()],
            ..Overrides::default()
        };
        assert!(validate(&bad_code).unwrap_err().contains("FW9X9"));
        let good = Overrides {
            target: Some("2026.06".into()),
            select: Some(vec!["FW0".into(), "FW101".into()]),
            ignore: vec!["FW007".into()],
            extend_select: vec![],
            sdk_version: Some("1.2.12".into()),
            ..Overrides::default()
        };
        validate(&good).unwrap();
        let bad_sdk = Overrides {
            sdk_version: Some("latest".into()),
            ..Overrides::default()
        };
        assert!(validate(&bad_sdk).unwrap_err().contains("latest"));
    }
}
