//! The Python adapter: a module, a stub, or a notebook's joined code cells. The text is parsed
//! (a result that does not parse is malformed), the rules run on the syntax tree, and `#`
//! comments carry the suppressions.

use std::path::Path;

use fwmigrate_parser::edits::apply_edits;
use fwmigrate_parser::{Edit, ParseFailure, ParsedFile, SourceKind, TextRange, TextSize};
use fwmigrate_rule::{Applicability, Context, Family, Finding, RuleMeta};
use fwmigrate_semantic::Semantic;

use crate::fix::{Adapter, Malformed, Pass, guarded};
use crate::ruleset::RuleSet;
use crate::suppression::{self, Lines, Policy, Suppressions};

pub(crate) struct Python<'a> {
    pub rules: &'a RuleSet,
    pub path: &'a Path,
}

impl Adapter for Python<'_> {
    /// `SourceKind::Notebook` carries the cell ranges, which follow the edits.
    type Layout = SourceKind;

    fn pass(&self, text: &str, kind: &SourceKind) -> Result<Pass, Malformed> {
        let rules = self.rules;
        let file = ParsedFile::parse(text, kind.clone()).map_err(malformed)?;
        // Most files never import Fireworks: they get the cheap imports-only model, and only the
        // rules that can fire without an import run on them.
        let light = Semantic::imports_only(file.suite(), &rules.settings.semantic);
        let imports_fireworks = light.imports_fireworks();
        let semantic = if imports_fireworks {
            Semantic::new(file.suite(), &rules.settings.semantic)
        } else {
            light
        };
        let line_of = |o| file.lines().line_of(o);
        let directives = suppression::directives(text, file.comments(), line_of);
        let suppressions = Suppressions::new(&directives, line_of);
        let ctx = Context::new(&file, &semantic, rules.settings.target, self.path)
            .with_suppressions(&suppressions)
            .with_sdk_version(rules.settings.sdk_version)
            .with_memos(&rules.memos);
        let mut findings: Vec<(&'static RuleMeta, Finding)> = Vec::new();
        let mut raw = Vec::new();
        for rule in &rules.python {
            if rule.meta().requires_import && !imports_fireworks {
                continue;
            }
            guarded(rule.meta(), &mut raw, &mut findings, |out| {
                rule.check(&ctx, out)
            });
        }
        drop_shadowed(&mut findings, rules.settings.unsafe_fixes);
        // Comments are never lost by a safe fix.
        for (_, finding) in &mut findings {
            guard_comments(&file, finding);
        }
        let policy = Policy {
            lines: Lines::Start,
            unused: rules.unused_suppression.then_some(&rules.enabled),
        };
        suppression::apply(text, &directives, line_of, &mut findings, &policy);
        Ok(Pass::new(findings, || file.lines().clone()))
    }

    fn remap(&self, kind: SourceKind, edits: &[Edit]) -> SourceKind {
        match kind {
            SourceKind::Notebook(cells) => SourceKind::Notebook(
                cells
                    .into_iter()
                    .map(|c| {
                        TextRange::new(
                            map_offset(edits, c.start(), false),
                            map_offset(edits, c.end(), true),
                        )
                    })
                    .collect(),
            ),
            other => other,
        }
    }
}

fn malformed(failure: ParseFailure) -> Malformed {
    Malformed {
        verbatim: failure.too_deep,
        message: failure.message,
        range: failure.range,
    }
}

/// A safe fix that deletes a comment without carrying it anywhere becomes unsafe.
fn guard_comments(file: &ParsedFile, finding: &mut Finding) {
    let Some(fix) = &mut finding.fix else { return };
    if fix.applicability != Applicability::Safe {
        return;
    }
    let touched: Vec<TextRange> = fix
        .edits
        .iter()
        .flat_map(|e| file.comments_in(e.range).iter().copied())
        .collect();
    if touched.is_empty() {
        return;
    }
    // The fix replaces text that holds comments: every one of them must still be in the result,
    // as a comment, as many times as before (a text search would take `#` for kept inside `# c`).
    let lost = lost_comment(file, &fix.edits, &touched);
    if let Some(text) = lost {
        fix.applicability = Applicability::Unsafe;
        fix.reason = Some(format!("the fix would delete the comment `{text}`"));
    }
}

/// The first comment among `touched` that the edits do not keep, if any.
fn lost_comment(file: &ParsedFile, edits: &[Edit], touched: &[TextRange]) -> Option<String> {
    let after = apply_edits(file.source(), edits);
    let Ok(parsed) = ParsedFile::parse(&after, SourceKind::Python) else {
        // A result that does not parse is reverted by the fix loop anyway; judge by text.
        return touched
            .iter()
            .map(|c| file.slice(*c))
            .find(|t| !edits.iter().any(|e| e.content.contains(t)))
            .map(str::to_string);
    };
    let mut before: Vec<&str> = file.comments().iter().map(|c| file.slice(*c)).collect();
    let mut now: Vec<&str> = parsed.comments().iter().map(|c| parsed.slice(*c)).collect();
    before.sort_unstable();
    now.sort_unstable();
    for c in touched {
        let text = file.slice(*c);
        let had = before.iter().filter(|t| **t == text).count();
        let has = now.iter().filter(|t| **t == text).count();
        if has < had {
            return Some(text.to_string());
        }
    }
    None
}

/// Where `offset` lands after `edits`. Insertions exactly at `offset` count as before it when
/// `inclusive` (a cell's end grows with text appended at its end).
pub(crate) fn map_offset(edits: &[Edit], offset: TextSize, inclusive: bool) -> TextSize {
    let mut delta: i64 = 0;
    for e in edits {
        let before = if inclusive {
            e.range.end() <= offset && !(e.range.is_empty() && e.range.start() > offset)
        } else {
            e.range.end() <= offset && !(e.range.is_empty() && e.range.start() == offset)
        };
        if before && e.range.start() <= offset {
            delta += e.content.len() as i64 - i64::from(u32::from(e.range.len()));
        }
    }
    TextSize::new((i64::from(u32::from(offset)) + delta).max(0) as u32)
}
/// One finding per problem. Where a specific rule reports something (a keyword, a call, the
/// removed helper's unused import), the `conformance` family's general report of it gives way: a
/// conformance finding is dropped when a specific finding starts at its start, or (unless it is
/// reported whatever fixes would do) when a specific fix that this run would apply edits its
/// range. Whatever still does not bind after the specific rule's fix is reported on the next
/// pass.
pub(crate) fn drop_shadowed(findings: &mut Vec<(&'static RuleMeta, Finding)>, unsafe_fixes: bool) {
    const GENERAL: Family = Family::Conformance;
    if !findings.iter().any(|(m, _)| m.family == GENERAL) {
        return;
    }
    let specific: Vec<&Finding> = findings
        .iter()
        .filter(|(m, _)| m.family.is_specific())
        .map(|(_, f)| f)
        .collect();
    let starts: std::collections::HashSet<TextSize> =
        specific.iter().map(|f| f.range.start()).collect();
    let edits: Vec<TextRange> = specific
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .filter(|fix| {
            fix.applicability == Applicability::Safe
                || (unsafe_fixes && fix.applicability == Applicability::Unsafe)
        })
        .flat_map(|fix| fix.edits.iter().map(|e| e.range))
        .collect();
    let shadowed: Vec<bool> = findings
        .iter()
        .map(|(m, f)| {
            m.family == GENERAL
                && (starts.contains(&f.range.start())
                    || !f.whatever_fixes
                        && edits
                            .iter()
                            .any(|e| e.intersect(f.range).is_some_and(|i| !i.is_empty())))
        })
        .collect();
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        !shadowed[i - 1]
    });
}
