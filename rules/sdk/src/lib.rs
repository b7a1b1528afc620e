//! Rule family `sdk`. Its rules are documented in `docs/rules/` (generated from its `RuleMeta`);
//! what all rules share is in `docs/behaviour.md`.
//!
//! FW501 `sdk-pin` reads dependency manifests (`pyproject.toml`, requirements files,
//! `setup.cfg`) and reports a `fireworks-ai` declaration whose version range lies entirely
//! below the SDK release the target cookbook needs. The manifests are parsed by
//! `fwmigrate_manifest`, which the command line also uses to read the project's pin.
//!
//! FW502 `installed-sdk` (in [`installed`]) reports what the project's Python environment has
//! installed, on the same manifests; the caller finds the environment and judges it.

mod installed;

pub use installed::{FW502, InstalledSdk};

use std::ops::Range;
use std::path::{Path, PathBuf};

use fwmigrate_manifest::pep440::Version;
use fwmigrate_manifest::{Constraint, Manifest, NoFix};
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Edit, Finding, Fix, RuleCode, RuleMeta, Severity, TextContext,
    TextRange, TextRule, TextSize,
};

/// Every rule of this family, in code order.
pub static TEXT_RULES: &[&'static dyn TextRule] = &[&SdkPin, &InstalledSdk];

pub static FW501: RuleMeta = RuleMeta {
    code: RuleCode::new("FW501"),
    name: "sdk-pin",
    family: fwmigrate_rule::Family::Sdk,
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

fn text_range(range: &Range<usize>) -> Option<TextRange> {
    let start = TextSize::try_from(range.start).ok()?;
    let end = TextSize::try_from(range.end).ok()?;
    Some(TextRange::new(start, end))
}

/// Whether a constraint admits no SDK release at or above `min`. `None` when the constraint
/// is not understood (no finding then).
fn is_stale(constraint: &Constraint, min: &Version) -> Option<bool> {
    Some(!constraint.range()?.admits_at_or_above(min))
}

impl TextRule for SdkPin {
    fn meta(&self) -> &'static RuleMeta {
        &FW501
    }

    fn applies_to(&self, path: &Path, included: bool) -> bool {
        Manifest::of(path, included).is_some()
    }

    fn includes(&self, ctx: &TextContext) -> Vec<PathBuf> {
        fwmigrate_manifest::included_files(ctx.path, ctx.included, ctx.text)
    }

    fn check(&self, ctx: &TextContext, findings: &mut Vec<Finding>) {
        let (text, target) = (ctx.text, ctx.target);
        let Some(kind) = Manifest::of(ctx.path, ctx.included) else {
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
        for decl in kind.declarations(text) {
            if is_stale(&decl.constraint, &min) != Some(true) {
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

    fn is_well_formed(&self, ctx: &TextContext) -> bool {
        match Manifest::of(ctx.path, ctx.included) {
            Some(Manifest::PyProject) => ctx.text.parse::<toml::Table>().is_ok(),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_rule::Target;

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
            assert!(SdkPin.applies_to(Path::new(yes), false), "{yes}");
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
            assert!(!SdkPin.applies_to(Path::new(no), false), "{no}");
        }
    }

    #[test]
    fn included_files_are_read_as_requirements() {
        let path = Path::new("sdk-included-test/requirements.txt");
        let text = "-r ./deps/../base.txt\n-c pins.txt\n";
        let files = SdkPin.includes(&TextContext::new(path, text, Target::default()));
        assert_eq!(
            files,
            vec![
                PathBuf::from("sdk-included-test/./deps/../base.txt"),
                PathBuf::from("sdk-included-test/pins.txt"),
            ]
        );
        // A file is read when included, whatever its name; never by its name alone.
        assert!(SdkPin.applies_to(&files[1], true));
        assert!(!SdkPin.applies_to(&files[1], false));
        // An included file includes in turn; `pyproject.toml` and `setup.cfg` include nothing.
        let nested = TextContext::new(&files[1], "-r more.txt\n", Target::default()).included(true);
        assert_eq!(
            SdkPin.includes(&nested),
            [PathBuf::from("sdk-included-test/more.txt")]
        );
        let pyproject =
            TextContext::new(Path::new("pyproject.toml"), "-r x.txt\n", Target::default());
        assert!(SdkPin.includes(&pyproject).is_empty());
    }

    /// No answer depends on what was asked before: resolving includes in any order, before or
    /// after asking about a file, gives the same answers.
    #[test]
    fn answers_do_not_depend_on_call_order() {
        let parent = Path::new("order-test/requirements.txt");
        let child = Path::new("order-test/base.txt");
        let ctx = TextContext::new(parent, "-r base.txt\n", Target::default());
        let ask = || {
            (
                SdkPin.applies_to(child, false),
                SdkPin.applies_to(child, true),
                SdkPin.applies_to(parent, false),
            )
        };
        let before = ask();
        let first = SdkPin.includes(&ctx);
        let after = ask();
        let second = SdkPin.includes(&ctx);
        assert_eq!(before, (false, true, true));
        assert_eq!(before, after);
        assert_eq!(first, second);
        assert_eq!(first, [PathBuf::from("order-test/base.txt")]);
    }

    #[test]
    fn well_formed_pyproject() {
        let ctx = |path: &'static str, text: &'static str| {
            SdkPin.is_well_formed(&TextContext::new(Path::new(path), text, Target::default()))
        };
        assert!(ctx("pyproject.toml", "[project]\nname = \"x\"\n"));
        assert!(!ctx("pyproject.toml", "[project\n"));
        assert!(ctx("requirements.txt", "[project\n"));
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
