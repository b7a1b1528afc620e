//! Running rules over one file, and the fix loop.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use fwmigrate_parser::edits::apply_edits;
use fwmigrate_parser::{
    Edit, LineIndex, ParsedFile, Semantic, SemanticSettings, SourceKind, SourceLocation, TextRange,
    TextSize,
};
use fwmigrate_rule::{
    Applicability, Context, Finding, Fix, Rule, RuleMeta, SdkVersion, Severity, Suppressions,
    Target, TextRule,
};

use crate::builtin::{FW000, FW900, FW999};
use crate::prefilter::Prefilter;
use crate::suppression::{self, Directive};

/// After this many passes a file that still changes is left alone and reported.
pub const MAX_PASSES: usize = 16;

/// What to do with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report findings; compute no fixed text.
    Check,
    /// Apply fixes to a fixed point; report what remains.
    Fix,
}

/// Why a finding's fix was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Unsafe, and `--unsafe-fixes` was not given.
    Unsafe,
    /// A suggestion only.
    DisplayOnly,
    /// The fix overlaps another one that was applied first.
    Overlaps,
    /// The file does not parse.
    SyntaxError,
    /// The file's fixes were dropped (see the FW999 finding).
    Reverted,
    /// `--check`/`--diff`: the fix would be applied by `--apply`.
    NotRequested,
}

impl SkipReason {
    pub fn message(&self) -> &'static str {
        match self {
            SkipReason::Unsafe => "unsafe: rerun with --unsafe-fixes",
            SkipReason::DisplayOnly => "display-only",
            SkipReason::Overlaps => "overlaps another fix",
            SkipReason::SyntaxError => "file has syntax errors",
            SkipReason::Reverted => "the file's fixes were dropped (see FW999)",
            SkipReason::NotRequested => "run with --apply",
        }
    }
}

/// A finding as reported: with its rule, location and fix status.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub message: String,
    pub range: TextRange,
    pub start: SourceLocation,
    pub end: SourceLocation,
    pub fix: Option<Fix>,
    /// Whether the current options would apply the fix (`[*]`).
    pub fixable: bool,
    /// Whether `--unsafe-fixes` would apply it (`[-]`).
    pub fixable_unsafe: bool,
    pub skipped: Option<SkipReason>,
    /// The finding's own severity, when it differs from its rule's.
    pub severity: Option<Severity>,
}

impl Diagnostic {
    pub fn code(&self) -> &'static str {
        self.rule.code
    }

    pub fn severity(&self) -> Severity {
        self.severity.unwrap_or(self.rule.severity)
    }
}

/// The result of linting one file.
#[derive(Debug, Clone, Default)]
pub struct FileOutcome {
    /// Findings, sorted by position, located in `final_text` (or the input when unchanged).
    pub diagnostics: Vec<Diagnostic>,
    /// The fixed text, when `Mode::Fix` changed anything.
    pub fixed: Option<String>,
    /// How many fixes were applied.
    pub fixes_applied: usize,
    /// True when the file was skipped by the prefilter or an ignore-file directive.
    pub skipped: bool,
    /// For notebooks: the cell ranges in the fixed text.
    pub cells: Option<Vec<TextRange>>,
}

/// Settings for one run.
#[derive(Debug, Clone, Default)]
pub struct LinterSettings {
    pub target: Target,
    pub sdk_version: SdkVersion,
    pub unsafe_fixes: bool,
    pub semantic: SemanticSettings,
}

/// The selected rules and settings, shared by all files of a run.
pub struct Linter {
    rules: Vec<&'static dyn Rule>,
    text_rules: Vec<&'static dyn TextRule>,
    settings: LinterSettings,
    prefilter: Prefilter,
    unused_suppression: bool,
    enabled: BTreeSet<&'static str>,
}

impl Linter {
    /// `rules`/`text_rules`: the registry; `enabled`: the selected codes (builtin codes included).
    pub fn new(
        rules: &[&'static dyn Rule],
        text_rules: &[&'static dyn TextRule],
        enabled: &[&str],
        settings: LinterSettings,
    ) -> Self {
        let target = settings.target;
        let on = |m: &RuleMeta| enabled.contains(&m.code) && m.targets.contains(&target);
        let rules: Vec<_> = rules.iter().copied().filter(|r| on(r.meta())).collect();
        let text_rules: Vec<_> = text_rules
            .iter()
            .copied()
            .filter(|r| on(r.meta()))
            .collect();
        let unused_suppression = enabled.contains(&FW900.code);
        let (bound, mut free): (Vec<_>, Vec<_>) = rules
            .iter()
            .map(|r| r.meta())
            .partition(|m| m.requires_import);
        if unused_suppression {
            free.push(&FW900);
        }
        // An import of the cookbook or the SDK names `fireworks` or a root's first component.
        let mut markers: Vec<String> = settings
            .semantic
            .roots()
            .map(|r| r.split('.').next().unwrap_or(r).to_string())
            .collect();
        markers.push("fireworks".to_string());
        markers.sort();
        markers.dedup();
        let markers: Vec<&str> = markers.iter().map(String::as_str).collect();
        let prefilter = Prefilter::gated(
            free.iter().map(|m| m.needles),
            bound.iter().map(|m| m.needles),
            &markers,
        );
        let mut codes: BTreeSet<&'static str> = rules.iter().map(|r| r.meta().code).collect();
        codes.extend(text_rules.iter().map(|r| r.meta().code));
        for builtin in [&FW000, &FW900, &FW999] {
            if enabled.contains(&builtin.code) {
                codes.insert(builtin.code);
            }
        }
        Self {
            prefilter,
            rules,
            text_rules,
            settings,
            unused_suppression,
            enabled: codes,
        }
    }

    pub fn settings(&self) -> &LinterSettings {
        &self.settings
    }

    /// Whether any Python rule is selected.
    pub fn has_python_rules(&self) -> bool {
        !self.rules.is_empty() || self.unused_suppression
    }

    /// Whether a Python file with these bytes could have any finding.
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        self.has_python_rules() && self.prefilter.may_match(bytes)
    }

    /// Whether some selected text rule reads this (non-Python) file.
    pub fn wants_text_file(&self, path: &Path) -> bool {
        self.text_rules.iter().any(|r| r.applies_to(path))
    }

    /// Lint a Python source text. For notebooks, `kind` carries the cell ranges.
    pub fn lint_python(
        &self,
        path: &Path,
        text: &str,
        kind: SourceKind,
        mode: Mode,
    ) -> FileOutcome {
        if suppression::has_ignore_file(text) || !self.may_match(text.as_bytes()) {
            return FileOutcome {
                skipped: true,
                ..FileOutcome::default()
            };
        }
        let first = match self.pass(path, text, &kind) {
            Ok(pass) => pass,
            Err(failure) => {
                let lines = LineIndex::new(text);
                let message = if failure.too_deep {
                    failure.message
                } else {
                    format!("syntax error: {}", failure.message)
                };
                return FileOutcome {
                    diagnostics: if self.enabled.contains(FW000.code) {
                        vec![builtin(&FW000, message, failure.range, text, &lines)]
                    } else {
                        Vec::new()
                    },
                    ..FileOutcome::default()
                };
            }
        };
        if mode == Mode::Check {
            return FileOutcome {
                diagnostics: self.finish(first, text, false),
                ..FileOutcome::default()
            };
        }

        let original_kind = kind.clone();
        let mut current = text.to_string();
        let mut kind = kind;
        let mut pass = first;
        let mut applied = 0usize;
        let mut applied_codes: BTreeSet<&'static str> = BTreeSet::new();
        for _ in 0..MAX_PASSES {
            let chosen = self.choose_fixes(&pass.findings);
            if chosen.is_empty() {
                let changed = current != text;
                return FileOutcome {
                    diagnostics: self.finish(pass, &current, true),
                    fixed: changed.then_some(current),
                    fixes_applied: applied,
                    skipped: false,
                    cells: match &kind {
                        SourceKind::Notebook(cells) => Some(cells.clone()),
                        _ => None,
                    },
                };
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
            let pass_codes: BTreeSet<&'static str> =
                chosen.iter().map(|&i| pass.findings[i].rule.code).collect();
            let next = apply_edits(&current, &edits);
            kind = remap_kind(kind, &edits);
            applied += chosen.len();
            applied_codes.extend(pass_codes.iter().copied());
            match self.pass(path, &next, &kind) {
                Ok(p) => {
                    current = next;
                    pass = p;
                }
                Err(failure) => {
                    let rules: Vec<_> = pass_codes.into_iter().collect();
                    return self.reverted(
                        path,
                        text,
                        &original_kind,
                        format!(
                            "a fix by {} produced code that does not parse ({}); no change was made to this file",
                            rules.join(", "),
                            failure.message
                        ),
                    );
                }
            }
        }
        let rules: Vec<_> = applied_codes.into_iter().collect();
        self.reverted(
            path,
            text,
            &original_kind,
            format!(
                "fixes by {} did not settle after {MAX_PASSES} passes; no change was made to this file",
                rules.join(", ")
            ),
        )
    }

    /// Drop every change: report the original findings plus one FW999.
    fn reverted(&self, path: &Path, text: &str, kind: &SourceKind, message: String) -> FileOutcome {
        let mut diagnostics = match self.pass(path, text, kind) {
            Ok(pass) => self.finish(pass, text, false),
            Err(_) => Vec::new(),
        };
        for d in &mut diagnostics {
            if d.fixable {
                d.fixable = false;
                d.skipped = Some(SkipReason::Reverted);
            }
        }
        let lines = LineIndex::new(text);
        diagnostics.insert(
            0,
            builtin(&FW999, message, TextRange::default(), text, &lines),
        );
        FileOutcome {
            diagnostics,
            ..FileOutcome::default()
        }
    }

    /// One parse + all rules + suppressions.
    fn pass(
        &self,
        path: &Path,
        text: &str,
        kind: &SourceKind,
    ) -> Result<Pass, fwmigrate_parser::ParseFailure> {
        let file = ParsedFile::parse(text, kind.clone())?;
        // Most files never import Fireworks: they get the cheap imports-only model, and only the
        // rules that can fire without an import run on them.
        let light = Semantic::imports_only(file.suite(), &self.settings.semantic);
        let imports_fireworks = light.imports_fireworks();
        let semantic = if imports_fireworks {
            Semantic::new(file.suite(), &self.settings.semantic)
        } else {
            light
        };
        let directives =
            suppression::directives(text, file.comments(), |o| file.lines().line_of(o));
        let suppressions = Suppressions::new(
            directives
                .iter()
                .map(|d| (d.line, d.codes.iter().map(|(c, _)| c.clone()).collect()))
                .collect(),
        );
        let ctx = Context {
            file: &file,
            semantic: &semantic,
            target: self.settings.target,
            sdk_version: self.settings.sdk_version,
            path,
            suppressions: &suppressions,
        };
        let mut findings: Vec<(&'static RuleMeta, Finding)> = Vec::new();
        let mut raw = Vec::new();
        for rule in &self.rules {
            if rule.meta().requires_import && !imports_fireworks {
                continue;
            }
            raw.clear();
            let result = catch_unwind(AssertUnwindSafe(|| rule.check(&ctx, &mut raw)));
            match result {
                Ok(()) => findings.extend(raw.drain(..).map(|f| (rule.meta(), f))),
                Err(panic) => {
                    let what = panic_message(&panic);
                    findings.push((
                        &FW999,
                        Finding::new(
                            &FW999,
                            TextRange::default(),
                            format!(
                                "internal error in {} ({what}); its findings for this file are missing",
                                rule.meta().code
                            ),
                        ),
                    ));
                }
            }
        }
        drop_shadowed(&mut findings, self.settings.unsafe_fixes);
        // Comments are never lost by a safe fix.
        for (_, finding) in &mut findings {
            guard_comments(&file, finding);
        }
        let mut used = vec![Vec::new(); directives.len()];
        let mut protected: Vec<(&'static str, TextRange)> = Vec::new();
        findings.retain(|(meta, f)| {
            if directives.is_empty() {
                return true;
            }
            let line = file.lines().line_of(f.range.start());
            let mut suppressed = false;
            for (i, d) in directives.iter().enumerate() {
                if d.line == line && d.suppresses(meta.code) {
                    suppressed = true;
                    used[i].push(meta.code);
                }
            }
            if suppressed {
                protected.push((meta.code, f.range));
            }
            !suppressed
        });
        // A fix never changes code whose finding of the same rule is suppressed.
        for (meta, f) in &mut findings {
            let Some(fix) = &mut f.fix else { continue };
            let touches = fix.edits.iter().any(|e| {
                protected.iter().any(|(code, range)| {
                    *code == meta.code && Edit::deletion(*range).conflicts_with(e)
                })
            });
            if touches && fix.applicability != Applicability::DisplayOnly {
                fix.applicability = Applicability::DisplayOnly;
                fix.reason = Some(format!(
                    "suppressed: it would also change code where {} is suppressed",
                    meta.code
                ));
            }
        }
        if self.unused_suppression {
            for (d, used) in directives.iter().zip(&used) {
                self.unused_directive(text, d, used, &mut findings);
            }
        }
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
        // Most files have no finding: their line index is never built.
        let lines = if findings.is_empty() {
            LineIndex::empty()
        } else {
            file.lines().clone()
        };
        Ok(Pass { findings, lines })
    }

    fn unused_directive(
        &self,
        text: &str,
        d: &Directive,
        used: &[&str],
        out: &mut Vec<(&'static RuleMeta, Finding)>,
    ) {
        if d.codes.is_empty() {
            if used.is_empty() {
                let title = "Remove the suppression comment";
                out.push((
                    &FW900,
                    Finding::new(
                        &FW900,
                        d.range,
                        "unused suppression: nothing on this line is reported",
                    )
                    .with_fix(removal_fix(title, suppression::removal_edit(text, d, &[]))),
                ));
            }
            return;
        }
        let unused: Vec<usize> = d
            .codes
            .iter()
            .enumerate()
            .filter(|(_, (code, _))| {
                self.enabled.contains(code.as_str()) && !used.contains(&code.as_str())
            })
            .map(|(i, _)| i)
            .collect();
        if unused.is_empty() {
            return;
        }
        let names: Vec<&str> = unused.iter().map(|&i| d.codes[i].0.as_str()).collect();
        let title = if unused.len() == d.codes.len() && d.foreign.is_empty() {
            "Remove the suppression comment".to_string()
        } else {
            format!("Remove {} from the suppression", names.join(", "))
        };
        out.push((
            &FW900,
            Finding::new(
                &FW900,
                d.range,
                format!(
                    "unused suppression of {}: nothing on this line is reported by it",
                    names.join(", ")
                ),
            )
            .with_fix(removal_fix(
                title,
                suppression::removal_edit(text, d, &unused),
            )),
        ));
    }

    fn applies(&self, fix: &Fix) -> bool {
        match fix.applicability {
            Applicability::Safe => !fix.edits.is_empty(),
            Applicability::Unsafe => self.settings.unsafe_fixes && !fix.edits.is_empty(),
            Applicability::DisplayOnly => false,
        }
    }

    /// Greedily pick applicable fixes in position order, skipping any that conflicts with one
    /// already picked or shares its isolation group.
    fn choose_fixes(&self, findings: &[PassFinding]) -> Vec<usize> {
        let mut chosen = Vec::new();
        let mut taken = EditSet::default();
        let mut groups: Vec<TextRange> = Vec::new();
        for (i, f) in findings.iter().enumerate() {
            let Some(fix) = &f.fix else { continue };
            if !self.applies(fix) {
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

    fn finish(&self, pass: Pass, text: &str, after_fix: bool) -> Vec<Diagnostic> {
        let chosen = if after_fix {
            Vec::new()
        } else {
            self.choose_fixes(&pass.findings)
        };
        pass.findings
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let (fixable, fixable_unsafe, skipped) = match &f.fix {
                    None => (false, false, None),
                    Some(fix) => {
                        let has_edits = !fix.edits.is_empty();
                        match fix.applicability {
                            Applicability::DisplayOnly => {
                                (false, false, Some(SkipReason::DisplayOnly))
                            }
                            Applicability::Unsafe if !self.settings.unsafe_fixes => {
                                (false, has_edits, Some(SkipReason::Unsafe))
                            }
                            _ if !has_edits => (false, false, Some(SkipReason::DisplayOnly)),
                            _ if after_fix => (false, false, Some(SkipReason::Overlaps)),
                            _ if chosen.contains(&i) => {
                                (true, false, Some(SkipReason::NotRequested))
                            }
                            _ => (true, false, Some(SkipReason::Overlaps)),
                        }
                    }
                };
                Diagnostic {
                    rule: f.rule,
                    start: pass.lines.location(text, f.range.start()),
                    end: pass.lines.location(text, f.range.end()),
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

    /// Lint a non-Python text file (dependency manifests) with the text rules that read it.
    pub fn lint_text(&self, path: &Path, text: &str, mode: Mode) -> FileOutcome {
        let rules: Vec<&'static dyn TextRule> = self
            .text_rules
            .iter()
            .copied()
            .filter(|r| r.applies_to(path))
            .collect();
        // Dependency manifests use `#` comments too: `# fwmigrate: ignore-file` applies there.
        if rules.is_empty() || suppression::has_ignore_file(text) {
            return FileOutcome {
                skipped: true,
                ..FileOutcome::default()
            };
        }
        let run = |text: &str| -> Pass {
            let mut findings = Vec::new();
            let mut raw = Vec::new();
            for rule in &rules {
                raw.clear();
                if catch_unwind(AssertUnwindSafe(|| {
                    rule.check(path, text, self.settings.target, &mut raw)
                }))
                .is_ok()
                {
                    findings.extend(raw.drain(..).map(|f| PassFinding {
                        rule: rule.meta(),
                        message: f.message,
                        range: f.range,
                        fix: f.fix,
                        severity: f.severity,
                    }));
                }
            }
            findings.sort_by_key(|f| (f.range.start(), f.rule.code));
            Pass {
                findings,
                lines: LineIndex::new(text),
            }
        };
        let first = run(text);
        if mode == Mode::Check {
            return FileOutcome {
                diagnostics: self.finish(first, text, false),
                ..FileOutcome::default()
            };
        }
        let mut current = text.to_string();
        let mut pass = first;
        let mut applied = 0;
        for _ in 0..MAX_PASSES {
            let chosen = self.choose_fixes(&pass.findings);
            if chosen.is_empty() {
                let changed = current != text;
                return FileOutcome {
                    diagnostics: self.finish(pass, &current, true),
                    fixed: changed.then_some(current),
                    fixes_applied: applied,
                    skipped: false,
                    cells: None,
                };
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
            let next = apply_edits(&current, &edits);
            if !rules.iter().all(|r| r.is_well_formed(path, &next)) {
                let mut outcome = FileOutcome {
                    diagnostics: self.finish(run(text), text, false),
                    ..FileOutcome::default()
                };
                let lines = LineIndex::new(text);
                outcome.diagnostics.insert(
                    0,
                    builtin(
                        &FW999,
                        "a fix produced a file that no longer parses; no change was made to this file"
                            .to_string(),
                        TextRange::default(),
                        text,
                        &lines,
                    ),
                );
                return outcome;
            }
            applied += chosen.len();
            current = next;
            pass = run(&current);
        }
        FileOutcome {
            diagnostics: self.finish(run(text), text, false),
            ..FileOutcome::default()
        }
    }
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

struct PassFinding {
    rule: &'static RuleMeta,
    message: String,
    range: TextRange,
    fix: Option<Fix>,
    severity: Option<Severity>,
}

struct Pass {
    findings: Vec<PassFinding>,
    lines: LineIndex,
}

fn builtin(
    rule: &'static RuleMeta,
    message: String,
    range: TextRange,
    text: &str,
    lines: &LineIndex,
) -> Diagnostic {
    Diagnostic {
        rule,
        message,
        range,
        start: lines.location(text, range.start()),
        end: lines.location(text, range.end()),
        fix: None,
        fixable: false,
        fixable_unsafe: false,
        skipped: None,
        severity: None,
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

/// Shift notebook cell ranges through a set of edits.
fn remap_kind(kind: SourceKind, edits: &[Edit]) -> SourceKind {
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

/// Where `offset` lands after `edits`. Insertions exactly at `offset` count as before it when
/// `inclusive` (a cell's end grows with text appended at its end).
pub fn map_offset(edits: &[Edit], offset: TextSize, inclusive: bool) -> TextSize {
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

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// One finding per problem. Where a specific rule reports something (a keyword, a call, the
/// uses of an import), the `conformance` family's general report of it gives way: a conformance
/// finding is dropped when a specific finding starts at its start (or at one of its `also_at`
/// places), or when a specific fix that this run would apply edits its range. Whatever still does
/// not bind after the specific rule's fix is reported on the next pass.
fn drop_shadowed(findings: &mut Vec<(&'static RuleMeta, Finding)>, unsafe_fixes: bool) {
    const GENERAL: &str = "conformance";
    if !findings.iter().any(|(m, _)| m.family == GENERAL) {
        return;
    }
    let specific: Vec<&Finding> = findings
        .iter()
        .filter(|(m, _)| m.family != GENERAL && m.family != "common")
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
                    || f.also_at.iter().any(|r| starts.contains(&r.start()))
                    || edits
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

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_rule::{ALL_TARGETS, Ranged, walk};

    /// Test rules: each reports every call of a function named after it.
    struct CallRule {
        meta: &'static RuleMeta,
        fix: fn(&Context, &fwmigrate_parser::ast::ExprCall) -> Option<Fix>,
    }

    impl Rule for CallRule {
        fn meta(&self) -> &'static RuleMeta {
            self.meta
        }
        fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
            walk::for_each_call(ctx.file.suite(), |call| {
                let name = ctx.slice(call.func.as_ref());
                if name == self.meta.name {
                    findings.push(
                        Finding::new(self.meta, call.range(), "found")
                            .with_fix_opt((self.fix)(ctx, call)),
                    );
                }
            });
        }
    }

    fn meta(code: &'static str, name: &'static str) -> &'static RuleMeta {
        Box::leak(Box::new(RuleMeta {
            code,
            name,
            family: "test",
            severity: Severity::Error,
            fix: Some(Applicability::Safe),
            targets: ALL_TARGETS,

            requires_import: false,
            needles: &[],
            summary: "",
            explanation: "",
        }))
    }

    fn rule(
        code: &'static str,
        name: &'static str,
        fix: fn(&Context, &fwmigrate_parser::ast::ExprCall) -> Option<Fix>,
    ) -> &'static dyn Rule {
        Box::leak(Box::new(CallRule {
            meta: meta(code, name),
            fix,
        }))
    }

    fn linter(rules: &[&'static dyn Rule]) -> Linter {
        let mut codes: Vec<&str> = rules.iter().map(|r| r.meta().code).collect();
        codes.extend(["FW000", "FW900", "FW999"]);
        Linter::new(rules, &[], &codes, LinterSettings::default())
    }

    fn fix_all(linter: &Linter, text: &str) -> FileOutcome {
        linter.lint_python(Path::new("t.py"), text, SourceKind::Python, Mode::Fix)
    }

    fn codes(outcome: &FileOutcome) -> Vec<&'static str> {
        outcome.diagnostics.iter().map(|d| d.code()).collect()
    }

    /// Replace the callee `old` with `new`.
    fn rename(ctx: &Context, call: &fwmigrate_parser::ast::ExprCall) -> Option<Fix> {
        let _ = ctx;
        Some(Fix::safe(
            "rename",
            vec![Edit::replacement(call.func.range(), "new")],
        ))
    }

    #[test]
    fn applies_fixes_to_a_fixed_point() {
        let l = linter(&[rule("FW001", "old", rename)]);
        let out = fix_all(&l, "old()\nold(old())\n");
        assert_eq!(out.fixed.as_deref(), Some("new()\nnew(new())\n"));
        assert_eq!(out.fixes_applied, 3);
        assert!(out.diagnostics.is_empty());
    }

    #[test]
    fn a_finding_keeps_its_own_severity() {
        struct Mixed(&'static RuleMeta);
        impl Rule for Mixed {
            fn meta(&self) -> &'static RuleMeta {
                self.0
            }
            fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
                walk::for_each_call(ctx.file.suite(), |call| {
                    let f = Finding::new(self.0, call.range(), "found");
                    findings.push(match ctx.slice(call.func.as_ref()) {
                        "soft" => f.with_severity(Severity::Warning),
                        _ => f,
                    });
                });
            }
        }
        let rule: &'static dyn Rule = Box::leak(Box::new(Mixed(meta("FW001", "mixed"))));
        let out = linter(&[rule]).lint_python(
            Path::new("t.py"),
            "hard()\nsoft()\n",
            SourceKind::Python,
            Mode::Check,
        );
        let severities: Vec<Severity> = out.diagnostics.iter().map(Diagnostic::severity).collect();
        assert_eq!(severities, [Severity::Error, Severity::Warning]);
    }

    #[test]
    fn a_fix_that_breaks_the_syntax_reverts_the_file() {
        fn broken(_: &Context, call: &fwmigrate_parser::ast::ExprCall) -> Option<Fix> {
            Some(Fix::safe(
                "break",
                vec![Edit::replacement(call.range(), "(")],
            ))
        }
        let l = linter(&[rule("FW001", "old", broken)]);
        let out = fix_all(&l, "x = old()\n");
        assert_eq!(out.fixed, None);
        assert_eq!(codes(&out), ["FW999", "FW001"]);
        assert!(out.diagnostics[0].message.contains("FW001"));
        assert_eq!(out.diagnostics[1].skipped, Some(SkipReason::Reverted));
    }

    #[test]
    fn fixes_that_never_settle_are_dropped() {
        fn grow(_: &Context, call: &fwmigrate_parser::ast::ExprCall) -> Option<Fix> {
            // `old()` → `old()\nold()`: always one more call to fix (one per pass).
            Some(
                Fix::safe("grow", vec![Edit::insertion(call.range().end(), "\nold()")])
                    .with_isolation(Some(TextRange::default())),
            )
        }
        let l = linter(&[rule("FW001", "old", grow)]);
        let out = fix_all(&l, "old()\n");
        assert_eq!(out.fixed, None);
        assert_eq!(codes(&out)[0], "FW999");
        assert!(out.diagnostics[0].message.contains("did not settle"));
    }

    #[test]
    fn a_panicking_rule_becomes_fw999_and_the_others_still_run() {
        fn boom(_: &Context, _: &fwmigrate_parser::ast::ExprCall) -> Option<Fix> {
            panic!("boom")
        }
        let l = linter(&[rule("FW001", "bad", boom), rule("FW002", "old", rename)]);
        let out = l.lint_python(
            Path::new("t.py"),
            "bad()\nold()\n",
            SourceKind::Python,
            Mode::Check,
        );
        assert_eq!(codes(&out), ["FW999", "FW002"]);
        assert!(out.diagnostics[0].message.contains("boom"));
    }

    #[test]
    fn a_safe_fix_that_deletes_a_comment_becomes_unsafe() {
        fn wipe(_: &Context, call: &fwmigrate_parser::ast::ExprCall) -> Option<Fix> {
            Some(Fix::safe(
                "wipe",
                vec![Edit::replacement(call.arguments.range, "()")],
            ))
        }
        let l = linter(&[rule("FW001", "old", wipe)]);
        let src = "old(\n    1,  # keep me\n)\n";
        let out = fix_all(&l, src);
        assert_eq!(out.fixed, None);
        assert!(out.diagnostics[0].fixable_unsafe);
        let reason = out.diagnostics[0]
            .fix
            .as_ref()
            .and_then(|f| f.reason.clone())
            .unwrap();
        assert!(reason.contains("# keep me"), "{reason}");
    }

    #[test]
    fn a_bare_hash_comment_is_not_kept_by_a_longer_one() {
        fn merge(_: &Context, call: &fwmigrate_parser::ast::ExprCall) -> Option<Fix> {
            // Replaces `old(  #\n  1,  # c\n)` by `new(1,  # c\n)`: the bare `#` is gone.
            Some(Fix::safe(
                "merge",
                vec![Edit::replacement(call.range(), "new(1,  # c\n)")],
            ))
        }
        let l = linter(&[rule("FW001", "old", merge)]);
        let out = fix_all(&l, "old(  #\n  1,  # c\n)\n");
        assert_eq!(out.fixed, None, "the fix must not be applied as safe");
        assert!(out.diagnostics[0].fixable_unsafe);
    }

    #[test]
    fn fixes_never_touch_suppressed_code() {
        /// One fix for every call at once, carried by each finding.
        fn all(ctx: &Context, _: &fwmigrate_parser::ast::ExprCall) -> Option<Fix> {
            let mut edits = Vec::new();
            walk::for_each_call(ctx.file.suite(), |c| {
                edits.push(Edit::replacement(c.func.range(), "new"));
            });
            Some(Fix::safe("all", edits))
        }
        let l = linter(&[rule("FW001", "old", all)]);
        let src = "old()  # noqa: FW001\nold()\n";
        let out = fix_all(&l, src);
        assert_eq!(out.fixed, None, "the suppressed call must stay");
        let d = &out.diagnostics[0];
        assert_eq!((d.code(), d.start.row), ("FW001", 2));
        assert!(
            d.fix
                .as_ref()
                .unwrap()
                .reason
                .as_ref()
                .unwrap()
                .contains("suppressed")
        );
    }

    #[test]
    fn unused_suppressions_are_reported_and_removed() {
        let l = linter(&[rule("FW001", "old", rename)]);
        let src = "x = 1  # fwmigrate: ignore[FW001]\nold()  # noqa: FW001\n";
        let check = l.lint_python(Path::new("t.py"), src, SourceKind::Python, Mode::Check);
        assert_eq!(codes(&check), ["FW900"]);
        let out = fix_all(&l, src);
        assert_eq!(out.fixed.as_deref(), Some("x = 1\nold()  # noqa: FW001\n"));
    }

    #[test]
    fn statement_deletions_in_one_block_take_turns() {
        // Two fixes that each delete a statement of the same block: isolation puts them in
        // separate passes, and the second one turns into `pass`.
        fn delete(ctx: &Context, call: &fwmigrate_parser::ast::ExprCall) -> Option<Fix> {
            let stmt = ctx.semantic.statement_at(call.range().start())?;
            let d = fwmigrate_parser::edits::delete_statement(ctx.file, ctx.semantic, stmt.range)?;
            Some(Fix::safe("delete", vec![d.edit]).with_isolation(Some(d.block)))
        }
        let l = linter(&[rule("FW001", "old", delete)]);
        // (A file that imports Fireworks gets the full semantic model the rule needs.)
        let out = fix_all(&l, "import fireworks\nif x:\n    old()\n    old()\n");
        assert_eq!(
            out.fixed.as_deref(),
            Some("import fireworks\nif x:\n    pass\n")
        );
    }

    #[test]
    fn ignore_file_applies_to_text_files() {
        struct Always;
        static ALWAYS_META: std::sync::LazyLock<&'static RuleMeta> =
            std::sync::LazyLock::new(|| meta("FW501", "always"));
        impl TextRule for Always {
            fn meta(&self) -> &'static RuleMeta {
                *ALWAYS_META
            }
            fn applies_to(&self, _: &Path) -> bool {
                true
            }
            fn check(&self, _: &Path, _: &str, _: Target, out: &mut Vec<Finding>) {
                out.push(Finding::new(*ALWAYS_META, TextRange::default(), "found"));
            }
            fn is_well_formed(&self, _: &Path, _: &str) -> bool {
                true
            }
        }
        let l = Linter::new(&[], &[&Always], &["FW501"], LinterSettings::default());
        let path = Path::new("requirements.txt");
        assert_eq!(
            l.lint_text(path, "x==1\n", Mode::Check).diagnostics.len(),
            1
        );
        let ignored = l.lint_text(path, "# fwmigrate: ignore-file\nx==1\n", Mode::Check);
        assert!(ignored.skipped && ignored.diagnostics.is_empty());
    }

    #[test]
    fn map_offset_follows_edits() {
        let edits = [
            Edit::insertion(TextSize::new(2), "abc"),
            Edit::deletion(TextRange::new(5.into(), 7.into())),
        ];
        assert_eq!(
            map_offset(&edits, TextSize::new(1), false),
            TextSize::new(1)
        );
        assert_eq!(
            map_offset(&edits, TextSize::new(2), false),
            TextSize::new(2)
        );
        assert_eq!(map_offset(&edits, TextSize::new(2), true), TextSize::new(5));
        assert_eq!(
            map_offset(&edits, TextSize::new(9), false),
            TextSize::new(10)
        );
    }
}

/// FW900's fix: the removal, or nothing automatic when the comment cannot go safely.
fn removal_fix(title: impl Into<String>, edit: Option<Edit>) -> Fix {
    match edit {
        Some(edit) => Fix::safe(title, vec![edit]),
        None => Fix::display_only(
            title,
            None,
            "the comment ends a statement continued with a backslash at the end of the file; \
             remove it by hand",
        ),
    }
}
