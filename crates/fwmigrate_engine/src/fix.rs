//! The fix loop, the same for every kind of source: run the rules, apply the chosen fixes, run
//! them again, until nothing changes. A result that is not well formed, or fixes that do not
//! settle within [`MAX_PASSES`], drop every change and report FW999; so does a rule that panics
//! (its findings are missing, the other rules still run).

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use fwmigrate_parser::edits::apply_edits;
use fwmigrate_parser::{Edit, LineIndex, TextRange};
use fwmigrate_rule::{Applicability, Finding, Fix, RuleCode, RuleMeta, Severity};

use crate::builtin::{FW000, FW999};
use crate::diagnostic::{Diagnostic, SkipReason};
use crate::panic::{panic_finding, panic_message};
use crate::ruleset::RuleSet;

/// After this many passes a file that still changes is left alone and reported.
pub const MAX_PASSES: usize = 16;

/// What to do with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report findings; compute no fixed text.
    Check,
    /// Apply fixes to a fixed point; report what remains.
    Fix,
}

/// One finding of one pass.
pub(crate) struct PassFinding {
    pub rule: &'static RuleMeta,
    pub message: String,
    pub range: TextRange,
    pub fix: Option<Fix>,
    pub severity: Option<Severity>,
}

/// The findings of one pass over one text, sorted by position.
pub(crate) struct Pass {
    pub findings: Vec<PassFinding>,
    /// The text's line index (empty when there is no finding to locate).
    pub lines: LineIndex,
}

impl Pass {
    /// Sort `(rule, finding)` pairs by position and make a pass of them. The line index is
    /// built (by `lines`) only when there is a finding.
    pub fn new(
        findings: Vec<(&'static RuleMeta, Finding)>,
        lines: impl FnOnce() -> LineIndex,
    ) -> Self {
        let mut findings: Vec<_> = findings
            .into_iter()
            .map(|(rule, f)| PassFinding {
                rule,
                message: f.message,
                range: f.range,
                fix: f.fix,
                severity: f.severity,
            })
            .collect();
        findings.sort_by(|a, b| {
            (a.range.start(), a.rule.code, a.range.end()).cmp(&(
                b.range.start(),
                b.rule.code,
                b.range.end(),
            ))
        });
        let lines = if findings.is_empty() {
            LineIndex::empty()
        } else {
            lines()
        };
        Self { findings, lines }
    }
}

/// Why a text could not be read at all (a syntax error): reported as FW000 on the first pass,
/// and reverts the file on a later one.
pub(crate) struct Malformed {
    pub message: String,
    pub range: TextRange,
    /// The message is complete as it is (no `syntax error:` prefix).
    pub verbatim: bool,
}

/// What the fix loop needs of a kind of source.
pub(crate) trait Adapter {
    /// What the adapter tracks about the text besides the text (a notebook's cell ranges).
    type Layout: Clone;

    /// One pass: run the rules over `text`, apply suppressions. Rule panics become FW999
    /// findings (see [`guarded`]).
    fn pass(&self, text: &str, layout: &Self::Layout) -> Result<Pass, Malformed>;

    /// Follow `edits` (applied to the text) in the layout.
    fn remap(&self, layout: Self::Layout, edits: &[Edit]) -> Self::Layout {
        let _ = edits;
        layout
    }

    /// Whether a fixed text is well formed, beyond what [`Adapter::pass`] checks; `Err` says
    /// why not.
    fn well_formed(&self, text: &str, layout: &Self::Layout) -> Result<(), String> {
        let _ = (text, layout);
        Ok(())
    }
}

/// Run one rule's check, turning a panic into an FW999 finding: the rule's findings for this
/// text are missing, and the other rules still run.
pub(crate) fn guarded(
    meta: &'static RuleMeta,
    raw: &mut Vec<Finding>,
    findings: &mut Vec<(&'static RuleMeta, Finding)>,
    check: impl FnOnce(&mut Vec<Finding>),
) {
    raw.clear();
    match catch_unwind(AssertUnwindSafe(|| check(raw))) {
        Ok(()) => findings.extend(raw.drain(..).map(|f| (meta, f))),
        Err(panic) => {
            raw.clear();
            let what = panic_message(panic.as_ref());
            findings.push((
                &FW999,
                panic_finding(
                    &format!("in {}", meta.code),
                    &what,
                    Some("its findings for this file are missing"),
                ),
            ));
        }
    }
}

/// The loop's result; diagnostics are located in `fixed` (or the input when unchanged).
pub(crate) struct Looped<L> {
    pub diagnostics: Vec<Diagnostic>,
    pub fixed: Option<String>,
    pub fixes_applied: usize,
    /// The layout of the final text.
    pub layout: L,
}

/// Lint `text` and, in `Mode::Fix`, fix it to a fixed point.
pub(crate) fn run<A: Adapter>(
    rules: &RuleSet,
    adapter: &A,
    text: &str,
    layout: A::Layout,
    mode: Mode,
) -> Looped<A::Layout> {
    let done = |diagnostics, fixed, fixes_applied, layout| Looped {
        diagnostics,
        fixed,
        fixes_applied,
        layout,
    };
    let first = match adapter.pass(text, &layout) {
        Ok(pass) => pass,
        Err(failure) => {
            let message = if failure.verbatim {
                failure.message
            } else {
                format!("syntax error: {}", failure.message)
            };
            let diagnostics = if rules.enabled.contains(&FW000.code) {
                vec![Diagnostic::builtin(&FW000, message, failure.range, text)]
            } else {
                Vec::new()
            };
            return done(diagnostics, None, 0, layout);
        }
    };
    if mode == Mode::Check {
        return done(finish(rules, first, text, false), None, 0, layout);
    }

    let original = layout.clone();
    let mut current = text.to_string();
    let mut layout = layout;
    let mut pass = first;
    let mut applied = 0usize;
    let mut applied_codes: BTreeSet<RuleCode> = BTreeSet::new();
    for _ in 0..MAX_PASSES {
        let chosen = choose_fixes(rules, &pass.findings);
        if chosen.is_empty() {
            let diagnostics = finish(rules, pass, &current, true);
            let fixed = (current != text).then_some(current);
            return done(diagnostics, fixed, applied, layout);
        }
        let edits: Vec<Edit> = chosen
            .iter()
            .flat_map(|&i| {
                pass.findings[i]
                    .fix
                    .iter()
                    .flat_map(|f| f.edits.iter().cloned())
            })
            .collect();
        let pass_codes: BTreeSet<RuleCode> =
            chosen.iter().map(|&i| pass.findings[i].rule.code).collect();
        let next = apply_edits(&current, &edits);
        layout = adapter.remap(layout, &edits);
        applied += chosen.len();
        applied_codes.extend(pass_codes.iter().copied());
        let checked = adapter
            .well_formed(&next, &layout)
            .and_then(|()| adapter.pass(&next, &layout).map_err(|f| f.message));
        match checked {
            Ok(p) => {
                current = next;
                pass = p;
            }
            Err(why) => {
                let message = format!(
                    "a fix by {} produced code that does not parse ({why}); no change was made to this file",
                    joined(&pass_codes)
                );
                return reverted(rules, adapter, text, original, message);
            }
        }
    }
    let message = format!(
        "fixes by {} did not settle after {MAX_PASSES} passes; no change was made to this file",
        joined(&applied_codes)
    );
    reverted(rules, adapter, text, original, message)
}

/// `FW001, FW003`: the codes in order, for a message.
fn joined(codes: &BTreeSet<RuleCode>) -> String {
    let codes: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    codes.join(", ")
}

/// Drop every change: report the original findings plus one FW999.
fn reverted<A: Adapter>(
    rules: &RuleSet,
    adapter: &A,
    text: &str,
    layout: A::Layout,
    message: String,
) -> Looped<A::Layout> {
    let mut diagnostics = match adapter.pass(text, &layout) {
        Ok(pass) => finish(rules, pass, text, false),
        Err(_) => Vec::new(),
    };
    for d in &mut diagnostics {
        if d.fixable {
            d.fixable = false;
            d.skipped = Some(SkipReason::Reverted);
        }
    }
    diagnostics.insert(
        0,
        Diagnostic::builtin(&FW999, message, TextRange::default(), text),
    );
    Looped {
        diagnostics,
        fixed: None,
        fixes_applied: 0,
        layout,
    }
}

fn applies(rules: &RuleSet, fix: &Fix) -> bool {
    match fix.applicability {
        Applicability::Safe => !fix.edits.is_empty(),
        Applicability::Unsafe => rules.settings.unsafe_fixes && !fix.edits.is_empty(),
        Applicability::DisplayOnly => false,
    }
}

/// Greedily pick applicable fixes in position order, skipping any that conflicts with one
/// already picked or shares its isolation group.
fn choose_fixes(rules: &RuleSet, findings: &[PassFinding]) -> Vec<usize> {
    let mut chosen = Vec::new();
    let mut taken = EditSet::default();
    let mut groups: Vec<TextRange> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let Some(fix) = &f.fix else { continue };
        if !applies(rules, fix) {
            continue;
        }
        if fix.isolation.is_some_and(|group| groups.contains(&group)) {
            continue;
        }
        // A fix's own edits must not conflict with each other, nor with those already taken.
        let mut own = EditSet::default();
        if !fix.edits.iter().all(|e| own.insert(e)) {
            continue;
        }
        if fix.edits.iter().any(|e| taken.conflicts(e)) {
            continue;
        }
        for e in &fix.edits {
            taken.insert(e);
        }
        if let Some(group) = fix.isolation {
            groups.push(group);
        }
        chosen.push(i);
    }
    chosen
}

/// Turn a pass into diagnostics located in `text`, with their fix status.
fn finish(rules: &RuleSet, pass: Pass, text: &str, after_fix: bool) -> Vec<Diagnostic> {
    let chosen = if after_fix {
        Vec::new()
    } else {
        choose_fixes(rules, &pass.findings)
    };
    let unsafe_fixes = rules.settings.unsafe_fixes;
    pass.findings
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let (fixable, fixable_unsafe, skipped) = match &f.fix {
                None => (false, false, None),
                Some(fix) => {
                    let has_edits = !fix.edits.is_empty();
                    match fix.applicability {
                        Applicability::DisplayOnly => (false, false, Some(SkipReason::DisplayOnly)),
                        Applicability::Unsafe if !unsafe_fixes => {
                            (false, has_edits, Some(SkipReason::Unsafe))
                        }
                        _ if !has_edits => (false, false, Some(SkipReason::DisplayOnly)),
                        _ if after_fix => (false, false, Some(SkipReason::Overlaps)),
                        _ if chosen.contains(&i) => (true, false, Some(SkipReason::NotRequested)),
                        _ => (true, false, Some(SkipReason::Overlaps)),
                    }
                }
            };
            Diagnostic {
                rule: f.rule,
                start: pass.lines.location(text, f.range.start()),
                end: pass.lines.location(text, f.range.end()),
                cell: None,
                message: f.message,
                range: f.range,
                fix: f.fix,
                fixable,
                fixable_unsafe,
                skipped,
                severity: f.severity,
            }
        })
        .collect()
}

/// Edits that do not conflict with each other, sorted by position, for fast conflict checks.
#[derive(Default)]
struct EditSet {
    ranges: Vec<TextRange>,
}

impl EditSet {
    fn conflicts(&self, edit: &Edit) -> bool {
        let r = edit.range;
        let i = self.ranges.partition_point(|t| t.start() < r.start());
        let probe = |t: &TextRange| Edit::deletion(*t).conflicts_with(edit);
        // The previous range may reach into this one; following ones may start inside it.
        if i > 0 && probe(&self.ranges[i - 1]) {
            return true;
        }
        self.ranges[i..]
            .iter()
            .take_while(|t| t.start() <= r.end())
            .any(probe)
    }

    /// Add `edit` unless it conflicts; returns whether it was added.
    fn insert(&mut self, edit: &Edit) -> bool {
        if self.conflicts(edit) {
            return false;
        }
        let i = self
            .ranges
            .partition_point(|t| t.start() < edit.range.start());
        self.ranges.insert(i, edit.range);
        true
    }
}
