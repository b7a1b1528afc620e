//! FW502 `installed-sdk`: the `fireworks-ai` installed in the project's Python environment does
//! not satisfy the target's SDK range or the project's own pin, or is not installed there.
//!
//! The environment is not something a rule can see: the caller (the command line, the language
//! server) finds it, judges what is installed and hands the verdict over in
//! [`TextContext::installed_sdk`], naming the manifest the finding stands in. The rule places
//! it on that manifest's `fireworks-ai` declaration, else on its first line.

use std::path::Path;

use fwmigrate_manifest::{Manifest, sdk_declaration_range};
use fwmigrate_rule::{
    ALL_TARGETS, Finding, RuleCode, RuleMeta, Severity, TextContext, TextRange, TextRule, TextSize,
};

pub static FW502: RuleMeta = RuleMeta {
    code: RuleCode::new("FW502"),
    name: "installed-sdk",
    family: fwmigrate_rule::Family::Sdk,
    severity: Severity::Error,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: false,
    needles: &[],
    summary: "The `fireworks-ai` installed in the project's environment does not satisfy the target's SDK range or the project's pin.",
    explanation: r#"## What it finds

The `fireworks-ai` release installed in the project's Python environment, read from its
`site-packages/fireworks_ai-*.dist-info/METADATA` (no interpreter is started for an environment
folder), when it:

- lies outside the target's SDK range (the `fireworks-ai[training]` requirement of the target
  cookbook's `training/pyproject.toml`: `>=1.2.9,<2` at `2026.08`), or
- is not admitted by the project's own `fireworks-ai` pin, or
- is not installed at all.

The environment is the one `--python` names (an interpreter, or an environment folder; config
key `python`), else `.venv/` or `venv/` in the project folder. `fwmigrate --check` and the
language server never take `$VIRTUAL_ENV` or `$CONDA_PREFIX`: pre-commit and editors set them
to their own environments. `fwmigrate doctor` does (after `--python`, in the order
`$VIRTUAL_ENV`, `.venv/`/`venv/`, `$CONDA_PREFIX`). No environment found: no finding
(`--show-settings` says so).

The finding stands on the line of the project's `fireworks-ai` declaration (`pyproject.toml`,
then `requirements.txt` and the other requirements files, then `setup.cfg`), else on line 1 of
the project's `pyproject.toml` or `requirements.txt`. A project with neither gets the verdict
from `fwmigrate doctor` only.

## Why it matters

The Fireworks training guide's first rule when a run fails: confirm that the installed SDK
satisfies the cookbook's requirement. A stale SDK produces errors that masquerade as server
bugs: unknown keyword arguments, "unknown field", new config fields that silently do nothing,
`promote_checkpoint` behaving unlike the code. FW501 checks what the project *declares*; this
rule checks what is *installed*, which is what runs.

## Fix safety

**None**: fwmigrate does not install packages. The message gives the command that does, for
that environment (its own interpreter's `pip`, or `uv pip` for an environment uv made).

## Example

```text
# requirements.txt, with fireworks-ai 1.2.3 installed in .venv
fireworks-ai[training]
```

```text
requirements.txt:1:1: FW502 fireworks-ai 1.2.3 is installed in .venv (from the project folder),
outside >=1.2.9,<2, the SDK range cookbook 2026.08 requires: a stale SDK fails with errors that
look like server bugs; run `.venv/bin/python -m pip install -U 'fireworks-ai[training]>=1.2.9,<2'`
```
"#,
};

/// FW502 `installed-sdk`.
pub struct InstalledSdk;

/// Whether two names are the same file (the caller and the walk may spell it differently).
fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    if a.file_name() != b.file_name() {
        return false;
    }
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// The range of the first line (empty for an empty file).
fn first_line(text: &str) -> TextRange {
    let end = text.find(['\n', '\r']).unwrap_or(text.len());
    TextRange::new(
        TextSize::from(0),
        TextSize::try_from(end).unwrap_or_default(),
    )
}

impl TextRule for InstalledSdk {
    fn meta(&self) -> &'static RuleMeta {
        &FW502
    }

    fn applies_to(&self, path: &Path, included: bool) -> bool {
        // Only the project folder's own manifests: never one reached through an include.
        !included && Manifest::of(path, false).is_some()
    }

    fn check(&self, ctx: &TextContext, findings: &mut Vec<Finding>) {
        let Some(problem) = ctx.installed_sdk else {
            return;
        };
        if ctx.included || !same_file(ctx.path, &problem.manifest) {
            return;
        }
        let Some(kind) = Manifest::of(ctx.path, false) else {
            return;
        };
        let range = sdk_declaration_range(kind, ctx.text)
            .and_then(|r| {
                Some(TextRange::new(
                    TextSize::try_from(r.start).ok()?,
                    TextSize::try_from(r.end).ok()?,
                ))
            })
            .unwrap_or_else(|| first_line(ctx.text));
        findings.push(Finding::new(&FW502, range, problem.message.clone()));
    }

    fn is_well_formed(&self, _: &TextContext) -> bool {
        // The rule never edits (FW501 judges what its own fixes leave).
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_rule::{InstalledSdkProblem, Target};

    fn check(path: &str, text: &str, problem: Option<&InstalledSdkProblem>) -> Vec<String> {
        let ctx =
            TextContext::new(Path::new(path), text, Target::default()).with_installed_sdk(problem);
        let mut out = Vec::new();
        InstalledSdk.check(&ctx, &mut out);
        out.iter()
            .map(|f| {
                let r = f.range;
                format!(
                    "{}: {}",
                    &text[r.start().to_usize()..r.end().to_usize()],
                    f.message
                )
            })
            .collect()
    }

    #[test]
    fn stands_on_the_declaration_of_the_named_manifest_only() {
        let problem = InstalledSdkProblem {
            manifest: "proj/requirements.txt".into(),
            message: "stale".into(),
        };
        let text = "numpy\nfireworks-ai[training]==1.2.3  # pinned\n";
        assert_eq!(
            check("proj/requirements.txt", text, Some(&problem)),
            ["fireworks-ai[training]==1.2.3: stale"]
        );
        // Another project's file of the same name, or no verdict: nothing.
        assert!(check("other/requirements.txt", text, Some(&problem)).is_empty());
        assert!(check("proj/requirements.txt", text, None).is_empty());
        // No declaration: line 1.
        assert_eq!(
            check(
                "proj/requirements.txt",
                "numpy\r\nscipy\r\n",
                Some(&problem)
            ),
            ["numpy: stale"]
        );
        assert_eq!(
            check("proj/requirements.txt", "", Some(&problem)),
            [": stale"]
        );
    }

    #[test]
    fn reads_only_the_project_folders_own_manifests() {
        assert!(InstalledSdk.applies_to(Path::new("pyproject.toml"), false));
        assert!(InstalledSdk.applies_to(Path::new("requirements-dev.txt"), false));
        assert!(!InstalledSdk.applies_to(Path::new("deps/base.txt"), true));
        assert!(!InstalledSdk.applies_to(Path::new("train.py"), false));
    }
}
