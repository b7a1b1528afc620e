//! Rule family `sdk`. Its rule is documented in `docs/rules/` (generated from its `RuleMeta`);
//! what all rules share is in `docs/behaviour.md`.
//!
//! FW501 `sdk-pin` reads dependency manifests (`pyproject.toml`, requirements files,
//! `setup.cfg`) and reports a `fireworks-ai` declaration whose version range lies entirely
//! below the SDK release the target cookbook needs.

pub mod pep440;
pub mod pep508;
mod pyproject;
mod requirements_txt;
mod setup_cfg;

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Edit, Finding, Fix, RuleMeta, Severity, Target, TextRange,
    TextRule, TextSize,
};

use crate::pep440::{PoetryConstraint, SpecifierSet, Version};

/// Every rule of this family, in code order.
pub static TEXT_RULES: &[&'static dyn TextRule] = &[&SdkPin];

pub static FW501: RuleMeta = RuleMeta {
    code: "FW501",
    name: "sdk-pin",
    family: "sdk",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    targets: ALL_TARGETS,
    requires_import: false,
    // Project names are case-insensitive; these are the spellings seen in practice. `check`
    // itself searches case-insensitively, and the engine does not prefilter manifests today.
    needles: &["fireworks", "Fireworks", "FIREWORKS", "FireWorks"],
    summary: "A `fireworks-ai` dependency pinned below the SDK release the target cookbook needs.",
    explanation: r#"## What it finds

A dependency declaration of the Fireworks SDK, `fireworks-ai` (any spelling that normalises to
it: `fireworks_ai`, `Fireworks-AI`, `fireworks.ai`), whose version range only admits releases
older than the minimum the target cookbook needs:

| target | minimum SDK | rewritten to |
|---|---|---|
| `2026.06` | `1.2.0a74` | `>=1.2.0a74` |
| `2026.08` | `1.2.9` | `>=1.2.9,<2` |

It reads:

- `pyproject.toml`: `[project].dependencies`, `[project.optional-dependencies]`,
  `[dependency-groups]`, `[tool.uv]`/`[tool.pdm]` dev dependencies, Hatch environment
  dependencies, and Poetry's
  `[tool.poetry.dependencies]`, `[tool.poetry.dev-dependencies]` and
  `[tool.poetry.group.<name>.dependencies]` (string form `"^1.1"`, table form
  `{version = "~1.1", extras = ["training"]}`, and lists of constraints);
- requirements files (`requirements*.txt`, `*requirements*.in`, `constraints*.txt`, files under
  a `requirements/` folder, and files included with `-r`/`-c`), with environment markers,
  backslash continuations, comments and per-requirement options;
- `setup.cfg`: `[options] install_requires` and `[options.extras_require]`.

A declaration without a version range (`fireworks-ai`, `fireworks-ai[training]`), a direct
reference (`fireworks-ai @ git+https://...`) and a range that admits the minimum or anything
newer (`fireworks-ai>=1.0`, `fireworks-ai>=1.3`) are not reported. Other projects
(`fireworks`, `fireworks-ai-tools`) are never reported.

## Why it matters

An SDK older than the one the cookbook was written against fails in ways that look like server
bugs: unknown keyword arguments, "unknown field" errors from the API, options that silently do
nothing. The installed version follows the pin, not the code.

## Fix safety

**Unsafe**: the fix changes which SDK gets installed, which may need other pins (and a
lock file) to move with it. It rewrites only the version specifier, keeping the name, extras,
environment markers, quotes, comments and the rest of the file byte for byte. A hash-pinned
requirement (`--hash=...`: pip's hash-checking mode needs `==` pins) gets no automatic fix:
regenerate the lock file.

## Example

```text
# requirements.txt
fireworks-ai[training]==1.2.0a60 ; python_version >= "3.11"
```

becomes, with `--unsafe-fixes` at `2026.08`:

```text
fireworks-ai[training]>=1.2.9,<2 ; python_version >= "3.11"
```
"#,
};

/// FW501 `sdk-pin`.
pub struct SdkPin;

/// How a declaration's constraint is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Constraint {
    /// A PEP 440 specifier set (`>=1.2,<2`).
    Pep440(String),
    /// A Poetry constraint (`^1.2`, `~1.2 || ^2.0`).
    Poetry(String),
}

/// Why a declaration's specifier is not rewritten automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoFix {
    /// The requirement pins hashes; a range would break pip's hash-checking mode.
    Hashes,
    /// A TOML string whose value could not be mapped back to the file.
    Escaped,
}

/// One `fireworks-ai` declaration with a version constraint, found in a manifest.
#[derive(Debug, Clone)]
pub(crate) struct Declaration {
    /// Where the finding stands (byte offsets in the file).
    pub range: Range<usize>,
    /// The declaration as the user wrote it, for the message.
    pub shown: String,
    /// The whole declaration as written (decoded, markers included) and the range of the
    /// specifier in it, for the suggestion of a display-only fix.
    pub written: String,
    pub written_spec: Range<usize>,
    pub constraint: Constraint,
    /// The byte range of the version specifier to replace, or why there is none.
    pub edit: Result<Range<usize>, NoFix>,
}

/// The kind of manifest a path is, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Manifest {
    PyProject,
    Requirements,
    SetupCfg,
}

fn manifest_kind(path: &Path) -> Option<Manifest> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "pyproject.toml" => return Some(Manifest::PyProject),
        "setup.cfg" => return Some(Manifest::SetupCfg),
        _ => {}
    }
    let requirements_like = if lower.ends_with(".txt") {
        lower.contains("requirements")
            || lower.starts_with("constraints")
            || path
                .parent()
                .and_then(Path::file_name)
                .and_then(|p| p.to_str())
                .is_some_and(|p| p.eq_ignore_ascii_case("requirements"))
    } else if lower.ends_with(".in") {
        lower.contains("requirements")
    } else {
        false
    };
    if requirements_like || is_registered_include(path) {
        return Some(Manifest::Requirements);
    }
    None
}

/// Paths handed out by [`included_files`], so that [`TextRule::applies_to`] accepts them even
/// when their names do not look like requirements files.
fn includes() -> &'static Mutex<HashSet<PathBuf>> {
    static INCLUDES: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    INCLUDES.get_or_init(|| Mutex::new(HashSet::new()))
}

/// `a/./b/../c` → `a/c` (lexically; symlinks are not resolved).
fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !matches!(
                    out.components().next_back(),
                    None | Some(Component::ParentDir)
                ) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn is_registered_include(path: &Path) -> bool {
    let Ok(set) = includes().lock() else {
        return false;
    };
    !set.is_empty() && set.contains(&normalize_path(path))
}

/// The files that the requirements file `path` includes with `-r`/`--requirement` or
/// `-c`/`--constraint`, resolved against its folder (URLs and paths with `${VAR}` are left
/// out). A `-r`/`-c` line is not itself a finding; the caller checks the included files too.
///
/// Each returned path is remembered for the rest of the process, so that FW501's
/// `applies_to` accepts it even when its name does not look like a requirements file
/// (`-r base.txt`). Files that are not requirements files (`pyproject.toml`, `setup.cfg`)
/// include nothing.
pub fn included_files(path: &Path, text: &str) -> Vec<PathBuf> {
    if manifest_kind(path) != Some(Manifest::Requirements) {
        return Vec::new();
    }
    let files = requirements_txt::included(path, text);
    if let Ok(mut set) = includes().lock() {
        set.extend(files.iter().map(|f| normalize_path(f)));
    }
    files
}

/// Whether the line holding `at` carries a suppression of FW501 in a `#` comment after
/// `after` (`# fwmigrate: ignore`, `# fwmigrate: ignore[FW501]`, `# noqa: FW501`, `# noqa`).
/// The engine applies line suppressions to Python files only (it honours `ignore-file` in
/// manifests too); manifests get the same line comments here.
fn suppressed(text: &str, at: usize, after: usize) -> bool {
    let line_end = text[after..].find('\n').map_or(text.len(), |n| after + n);
    let tail = &text[after.max(at)..line_end];
    let Some(hash) = tail.find('#') else {
        return false;
    };
    let comment = tail[hash..].to_ascii_lowercase();
    let codes_name_us = |list: &str| {
        list.split([',', ' ', '\t'])
            .any(|c| c.trim().eq_ignore_ascii_case(FW501.code))
    };
    if let Some(i) = comment.find("fwmigrate:") {
        let rest = comment[i + "fwmigrate:".len()..].trim_start();
        if let Some(rest) = rest.strip_prefix("ignore") {
            if rest.starts_with("-file") {
                return false;
            }
            return match rest.strip_prefix('[') {
                Some(list) => codes_name_us(list.split(']').next().unwrap_or("")),
                None => true,
            };
        }
    }
    if let Some(i) = comment.find("noqa") {
        let rest = &comment[i + 4..];
        return match rest.strip_prefix(':') {
            Some(list) => codes_name_us(list),
            None => true,
        };
    }
    false
}

fn text_range(range: &Range<usize>) -> Option<TextRange> {
    let start = TextSize::try_from(range.start).ok()?;
    let end = TextSize::try_from(range.end).ok()?;
    Some(TextRange::new(start, end))
}

/// Whether a constraint admits no SDK release at or above `min`. `None` when the constraint
/// is not understood (no finding then).
fn is_stale(constraint: &Constraint, min: &Version) -> Option<bool> {
    match constraint {
        Constraint::Pep440(spec) => Some(!SpecifierSet::parse(spec)?.admits_at_or_above(min)),
        Constraint::Poetry(spec) => Some(!PoetryConstraint::parse(spec)?.admits_at_or_above(min)),
    }
}

impl TextRule for SdkPin {
    fn meta(&self) -> &'static RuleMeta {
        &FW501
    }

    fn applies_to(&self, path: &Path) -> bool {
        manifest_kind(path).is_some()
    }

    fn check(&self, path: &Path, text: &str, target: Target, findings: &mut Vec<Finding>) {
        let Some(kind) = manifest_kind(path) else {
            return;
        };
        if !text
            .as_bytes()
            .windows(9)
            .any(|w| w.eq_ignore_ascii_case(b"fireworks"))
        {
            return;
        }
        let Some(min) = Version::parse(target.min_sdk_version()) else {
            return;
        };
        let wanted = target.min_sdk_specifier();
        let declarations = match kind {
            Manifest::PyProject => pyproject::declarations(text),
            Manifest::Requirements => requirements_txt::declarations(text),
            Manifest::SetupCfg => setup_cfg::declarations(text),
        };
        for decl in declarations {
            if is_stale(&decl.constraint, &min) != Some(true) {
                continue;
            }
            if suppressed(text, decl.range.start, decl.range.end) {
                continue;
            }
            let Some(range) = text_range(&decl.range) else {
                continue;
            };
            let message = format!(
                "`{}` only admits SDK releases older than {min}, the minimum for cookbook {target}; \
                 an older SDK fails with errors that look like server bugs",
                decl.shown
            );
            let title = format!("Rewrite the version specifier to `{wanted}`");
            let suggestion = decl
                .written
                .get(..decl.written_spec.start)
                .zip(decl.written.get(decl.written_spec.end..))
                .map(|(before, after)| format!("{before}{wanted}{after}"));
            let fix = match &decl.edit {
                Ok(edit) => text_range(edit)
                    .map(|r| Fix::unsafe_edits(title, vec![Edit::replacement(r, wanted)])),
                Err(NoFix::Hashes) => Some(Fix::display_only(
                    title,
                    suggestion,
                    "the requirement pins hashes, so it is a lock file: require the new range \
                     in its input and regenerate it (e.g. `pip-compile --upgrade-package fireworks-ai`)",
                )),
                Err(NoFix::Escaped) => Some(Fix::display_only(
                    title,
                    suggestion,
                    "the TOML string could not be mapped back to the file; edit it by hand",
                )),
            };
            findings.push(Finding::new(&FW501, range, message).with_fix_opt(fix));
        }
    }

    fn is_well_formed(&self, path: &Path, text: &str) -> bool {
        match manifest_kind(path) {
            Some(Manifest::PyProject) => text.parse::<toml::Table>().is_ok(),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_manifests_by_name() {
        for yes in [
            "pyproject.toml",
            "a/b/setup.cfg",
            "requirements.txt",
            "requirements-dev.txt",
            "requirements_train.txt",
            "dev-requirements.txt",
            "REQUIREMENTS.TXT",
            "requirements.in",
            "constraints.txt",
            "requirements/base.txt",
        ] {
            assert!(SdkPin.applies_to(Path::new(yes)), "{yes}");
        }
        for no in [
            "train.py",
            "notes.txt",
            "pyproject.toml.bak",
            "setup.py",
            "Pipfile",
            "data/prompts.txt",
            "requirements.md",
        ] {
            assert!(!SdkPin.applies_to(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn included_files_are_then_accepted() {
        let path = Path::new("sdk-included-test/requirements.txt");
        let files = included_files(
            path,
            "-r ./deps/../base-sdk-test.txt\n-c pins-sdk-test.txt\n",
        );
        assert_eq!(
            files,
            vec![
                PathBuf::from("sdk-included-test/./deps/../base-sdk-test.txt"),
                PathBuf::from("sdk-included-test/pins-sdk-test.txt"),
            ]
        );
        assert!(SdkPin.applies_to(Path::new("sdk-included-test/base-sdk-test.txt")));
        assert!(SdkPin.applies_to(Path::new("sdk-included-test/pins-sdk-test.txt")));
        assert!(!SdkPin.applies_to(Path::new("sdk-included-test/other.txt")));
        assert!(included_files(Path::new("pyproject.toml"), "-r x.txt\n").is_empty());
    }

    #[test]
    fn suppression_comments() {
        let cases = [
            ("fireworks-ai==1.0  # fwmigrate: ignore[FW501]", true),
            ("fireworks-ai==1.0  # fwmigrate: ignore[FW001, FW501]", true),
            ("fireworks-ai==1.0  # fwmigrate: ignore", true),
            ("fireworks-ai==1.0  # noqa: FW501", true),
            ("fireworks-ai==1.0  # noqa", true),
            ("fireworks-ai==1.0  # fwmigrate: ignore[FW001]", false),
            ("fireworks-ai==1.0  # noqa: E501", false),
            ("fireworks-ai==1.0  # pinned for a reason", false),
            ("fireworks-ai==1.0\n# noqa: FW501", false),
        ];
        for (text, want) in cases {
            assert_eq!(suppressed(text, 0, 17), want, "{text}");
        }
    }

    #[test]
    fn well_formed_pyproject() {
        assert!(SdkPin.is_well_formed(Path::new("pyproject.toml"), "[project]\nname = \"x\"\n"));
        assert!(!SdkPin.is_well_formed(Path::new("pyproject.toml"), "[project\n"));
        assert!(SdkPin.is_well_formed(Path::new("requirements.txt"), "[project\n"));
    }

    #[test]
    fn staleness_by_constraint_kind() {
        let min = Version::release(&[1, 2, 9]);
        let pep = |s: &str| is_stale(&Constraint::Pep440(s.into()), &min);
        let poetry = |s: &str| is_stale(&Constraint::Poetry(s.into()), &min);
        assert_eq!(pep("==1.2.0a60"), Some(true));
        assert_eq!(pep(">=1.3"), Some(false));
        assert_eq!(pep(">=${V}"), None);
        assert_eq!(poetry("~1.1"), Some(true));
        assert_eq!(poetry("^1.1"), Some(false));
        assert_eq!(poetry("latest"), None);
    }
}
