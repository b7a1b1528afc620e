//! Rules the engine itself reports.

use fwmigrate_rule::{ALL_TARGETS, Applicability, RuleCode, RuleMeta, Severity};

pub static FW000: RuleMeta = RuleMeta {
    code: RuleCode::new("FW000"),
    name: "syntax-error",
    family: fwmigrate_rule::Family::Common,
    severity: Severity::Error,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: false,
    needles: &[],
    summary: "The file does not parse as Python; it is reported once and never changed.",
    explanation: r#"## What it finds

A Python file (or a notebook's code cells) that does not parse: one finding at the first syntax
error, with its line and column. Code nested more than 10,000 levels deep gets one finding too,
saying so: fwmigrate walks the tree recursively, and CPython itself cannot compile such a file.

A file that contains nothing any enabled rule looks for (no cookbook or SDK name, no suppression
comment) is not parsed at all, so a syntax error in a file unrelated to the cookbook is not
reported.

## Why it matters

An AST-based migrator cannot know what a broken file means: reporting it keeps it from passing
as clean. The finding counts like any other (exit status 1).

## Fix safety

**None**: the file is never changed, not even by `--apply`. Fix the syntax error, then run
fwmigrate again.

## Example

```python
from training.utils import InfraConfig
cfg = InfraConfig(training_shape_id=SHAPE   # the call is never closed
```

gets one FW000 finding at the end of the file, and no FW001.
"#,
};

pub static FW900: RuleMeta = RuleMeta {
    code: RuleCode::new("FW900"),
    name: "unused-suppression",
    family: fwmigrate_rule::Family::Common,
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: false,
    needles: &["fwmigrate", "noqa"],
    summary: "A `# fwmigrate: ignore[...]` or `# noqa: FW...` comment that suppresses nothing.",
    explanation: r#"## What it finds

A suppression comment that suppresses nothing: `# fwmigrate: ignore[FW001]` or `# noqa: FW001`
on a line where the named rule reports nothing, or a bare `# fwmigrate: ignore` on a line with no
finding at all. Only codes of rules enabled in the run are judged (a suppression of a rule you
turned off is not "unused"), and a `# noqa` without FW codes belongs to other tools: it is never
reported.

## Why it matters

A stale suppression hides the next real finding on its line.

## Fix safety

**Safe**: the fix deletes the unused codes, or the whole comment when none of its codes is used.
Other tools' codes in the same comment stay (`# noqa: E501, FW001` becomes `# noqa: E501`).

## Example

```python
x = compute()  # fwmigrate: ignore[FW001]
```

becomes

```python
x = compute()
```
"#,
};

pub static FW999: RuleMeta = RuleMeta {
    code: RuleCode::new("FW999"),
    name: "internal-fix-error",
    family: fwmigrate_rule::Family::Common,
    severity: Severity::Error,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: false,
    needles: &[],
    summary: "An internal failure on this file (a broken fix, fixes that never settle, a crashed rule); nothing was written.",
    explanation: r#"## What it finds

A failure inside fwmigrate for one file:

- a fix produced a file that no longer parses (or a manifest that is no longer well-formed);
- fixes kept changing the file after 16 passes without settling;
- a rule failed with an internal error (its findings for that file are missing).

The finding stands on the file's first line and names the rules involved.

## Why it matters

It is a bug in fwmigrate, not in your code. fwmigrate parses every fixed file again before it
writes anything; when a result would be broken, every change to that file is dropped, so nothing
half-fixed is ever written. The file's other findings are still reported, unfixed. Please report
it with a snippet of the file.

## Fix safety

**None**: the file on disk is left unchanged.

## Example

```text
train.py:1:1: FW999 a fix by FW003 produced code that does not parse (...); no change was made to this file
```
"#,
};

/// The engine's own rules, for listings.
pub static BUILTIN_RULES: &[&RuleMeta] = &[&FW000, &FW900, &FW999];
