//! What the adapters of files read by text rules (dependency manifests, provisioning YAML)
//! share: their `#` comments carry the suppressions, and their rules run one after another,
//! each behind its own panic guard.

use fwmigrate_parser::{LineIndex, TextSize};
use fwmigrate_rule::{Finding, RuleMeta, SuppressionQuery, TextContext, TextRule};

use crate::fix::{Pass, guarded};
use crate::suppression::{self, Lines, Policy, Suppressions};

/// The findings the rules `check` collects against the file's `#` suppressions, with the
/// suppressed ones dropped. FW900 does not judge these suppressions: a `#` there can be part of
/// a value (a TOML multi-line string, a YAML block scalar), and deleting it would change the
/// value.
pub(crate) fn hash_comment_pass(
    text: &str,
    check: impl FnOnce(&dyn SuppressionQuery) -> Vec<(&'static RuleMeta, Finding)>,
) -> Pass {
    // These files are small: one line index serves the directives and the findings.
    let lines = LineIndex::new(text);
    let line_of = |o: TextSize| lines.line_of(o);
    let comments = suppression::hash_comments(text);
    let directives = suppression::directives(text, &comments, line_of);
    let suppressions = Suppressions::new(&directives, line_of);
    let mut findings = check(&suppressions);
    let policy = Policy {
        lines: Lines::Span,
        unused: None,
    };
    suppression::apply(text, &directives, line_of, &mut findings, &policy);
    Pass::new(findings, || lines)
}

/// The findings of `rules` on `ctx`; a rule that panics gets FW999 and the others still run.
pub(crate) fn run_text_rules(
    rules: &[&'static dyn TextRule],
    ctx: &TextContext,
) -> Vec<(&'static RuleMeta, Finding)> {
    let mut findings = Vec::new();
    let mut raw = Vec::new();
    for rule in rules {
        guarded(rule.meta(), &mut raw, &mut findings, |out| {
            rule.check(ctx, out)
        });
    }
    findings
}
