//! Rules the engine itself reports.

use fwmigrate_rule::{ALL_TARGETS, Applicability, RuleMeta, Severity};

pub static FW000: RuleMeta = RuleMeta {
    code: "FW000",
    name: "syntax-error",
    family: "common",
    severity: Severity::Error,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: false,
    needles: &[],
    summary: "The file does not parse as Python; it is reported once and never changed.",
    explanation: "## FW000 `syntax-error`\n\n\
A file that does not parse gets one finding at its first syntax error (line and column), and \
fwmigrate never writes to it: an AST-based migrator cannot know what a broken file means.\n\n\
Fix the syntax error, then run fwmigrate again.\n",
};

pub static FW900: RuleMeta = RuleMeta {
    code: "FW900",
    name: "unused-suppression",
    family: "common",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: false,
    needles: &["fwmigrate", "noqa"],
    summary: "A `# fwmigrate: ignore[...]` or `# noqa: FW...` comment that suppresses nothing.",
    explanation: "## FW900 `unused-suppression`\n\n\
**What it finds.** A suppression comment (`# fwmigrate: ignore[FW001]`, `# noqa: FW001`) on a \
line where the named rule reports nothing.\n\n\
**Why it matters.** Stale suppressions hide the next real finding on that line.\n\n\
**Fix (safe).** Delete the unused codes, or the whole comment when none is used. Only codes of \
rules that are enabled in the run are judged; `# noqa` comments without FW codes belong to \
other tools and are left alone.\n\n\
```python\n\
x = compute()  # fwmigrate: ignore[FW001]\n\
# becomes\n\
x = compute()\n\
```\n",
};

pub static FW999: RuleMeta = RuleMeta {
    code: "FW999",
    name: "internal-fix-error",
    family: "common",
    severity: Severity::Error,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: false,
    needles: &[],
    summary: "A fix produced an invalid file or did not converge (the file is left unchanged), or a rule failed.",
    explanation: "## FW999 `internal-fix-error`\n\n\
fwmigrate checks every fixed file again: a Python file or notebook must still parse, a \
dependency file must still be well formed (`pyproject.toml` must still be TOML). If a result \
is not, or fixes keep changing the file after the pass limit, every change to that file is \
dropped and this finding names the rules involved. The file on disk is untouched. A rule that \
fails with an internal error is reported the same way (its findings for the file are missing; \
the other rules still run). Please report it with the file's snippet.\n",
};

/// The engine's own rules, for listings.
pub static BUILTIN_RULES: &[&RuleMeta] = &[&FW000, &FW900, &FW999];
