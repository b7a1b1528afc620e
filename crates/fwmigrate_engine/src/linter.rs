//! The engine's entry point: a [`Linter`] holds the selected rules and settings of a run and
//! lints one [`Document`] at a time, whatever its kind, through the one fix loop.

use std::path::Path;

use fwmigrate_parser::SourceKind;
use fwmigrate_rule::{Rule, RuleCode, TextRule};

use crate::builtin::FW900;
use crate::diagnostic::FileOutcome;
use crate::fix::{self, Mode};
use crate::manifest::Manifest;
use crate::notebook::Notebook;
use crate::prefilter::Prefilter;
use crate::python::Python;
use crate::ruleset::{LinterSettings, RuleSet};
use crate::suppression;
use crate::yaml::YamlAdapter;

/// The kinds of source the engine reads, each through its adapter (ordered as declared).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceType {
    /// A `.py` module.
    Python,
    /// A `.pyi` stub.
    Stub,
    /// A Jupyter notebook (`.ipynb`): its JSON text.
    Notebook,
    /// A dependency manifest read by text rules (`pyproject.toml`, requirements files such as
    /// `requirements*.txt`, `constraints.txt`, `requirements/*.txt`, `requirements.in`,
    /// `setup.cfg`): the text rules decide by name.
    Manifest,
    /// A `.yaml`/`.yml` file: a provisioning config when a line scan recognises it (see
    /// [`fwmigrate_yaml::recognise`]); any other YAML file costs that scan and nothing else.
    Yaml,
}

impl SourceType {
    /// The kind a file is by its name: `None` for files fwmigrate does not read. Whether a
    /// text rule reads a given manifest is for [`Linter::wants_text_file`] to say.
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        if name == "pyproject.toml" || name == "setup.cfg" {
            return Some(Self::Manifest);
        }
        match path.extension()?.to_str()? {
            "py" => Some(Self::Python),
            "pyi" => Some(Self::Stub),
            "ipynb" => Some(Self::Notebook),
            "txt" | "in" => Some(Self::Manifest),
            "yaml" | "yml" => Some(Self::Yaml),
            _ => None,
        }
    }
}

/// One document to lint, in memory: a file's text (without a UTF-8 BOM), stdin, or an editor's
/// buffer.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// Its name: for messages, rules that read paths, and which text rules read it.
    pub path: &'a Path,
    pub text: &'a str,
    pub source_type: SourceType,
    /// Manifests only: the document was named by another manifest's include (`-r base.txt`,
    /// see [`FileOutcome::includes`]) rather than found by its name.
    pub included: bool,
}

impl<'a> Document<'a> {
    pub fn new(path: &'a Path, text: &'a str, source_type: SourceType) -> Self {
        Self {
            path,
            text,
            source_type,
            included: false,
        }
    }

    /// A manifest that another manifest includes.
    pub fn included(path: &'a Path, text: &'a str) -> Self {
        Self {
            included: true,
            ..Self::new(path, text, SourceType::Manifest)
        }
    }
}

/// The selected rules and settings, shared by all documents of a run (and across threads).
pub struct Linter {
    rules: RuleSet,
    prefilter: Prefilter,
}

impl Linter {
    /// `rules`/`text_rules`: the registry; `enabled`: the selected codes (builtin codes included).
    /// Rules not enabled, or not at the settings' target, never run.
    pub fn new(
        rules: &[&'static dyn Rule],
        text_rules: &[&'static dyn TextRule],
        enabled: &[RuleCode],
        settings: LinterSettings,
    ) -> Self {
        let rules = RuleSet::new(rules, text_rules, enabled, settings);
        let (bound, mut free): (Vec<_>, Vec<_>) = rules
            .python
            .iter()
            .map(|r| r.meta())
            .partition(|m| m.requires_import);
        if rules.unused_suppression {
            free.push(&FW900);
        }
        // An import of the cookbook or the SDK names `fireworks` or a root's first component.
        let mut markers: Vec<String> = rules
            .settings
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
        Self { rules, prefilter }
    }

    pub fn settings(&self) -> &LinterSettings {
        &self.rules.settings
    }

    /// Whether any Python rule is selected.
    pub fn has_python_rules(&self) -> bool {
        !self.rules.python.is_empty() || self.rules.unused_suppression
    }

    /// Whether a Python file (or a notebook's JSON) with these bytes could have any finding.
    /// [`Linter::lint`] asks it too: callers that read files ask first to skip the UTF-8 check.
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        self.has_python_rules() && self.prefilter.may_match(bytes)
    }

    /// [`Linter::may_match`] for a notebook's undecoded bytes (see
    /// [`Prefilter::may_match_raw_notebook`]).
    pub fn may_match_raw_notebook(&self, bytes: &[u8]) -> bool {
        self.has_python_rules() && self.prefilter.may_match_raw_notebook(bytes)
    }

    /// Whether some selected text rule reads this manifest when found by its name.
    pub fn wants_text_file(&self, path: &Path) -> bool {
        self.rules.text.iter().any(|r| r.applies_to(path, false))
    }

    /// Lint one document: report its findings and, in `Mode::Fix`, fix it to a fixed point with
    /// the fixes the settings allow (safe ones; unsafe ones too with `unsafe_fixes`).
    ///
    /// Whatever the kind, a rule that panics gives an FW999 finding (its findings are missing),
    /// and fixes whose result is not well formed (does not parse), or that do not settle within
    /// [`fix::MAX_PASSES`], are all dropped with an FW999 finding: `fixed` is then `None`.
    pub fn lint(&self, doc: &Document, mode: Mode) -> FileOutcome {
        match doc.source_type {
            SourceType::Python => self.lint_python(doc.path, doc.text, SourceKind::Python, mode),
            SourceType::Stub => self.lint_python(doc.path, doc.text, SourceKind::Stub, mode),
            SourceType::Notebook => self.lint_notebook(doc.path, doc.text, mode),
            SourceType::Manifest => self.lint_manifest(doc.path, doc.text, doc.included, mode),
            SourceType::Yaml => self.lint_yaml(doc.path, doc.text, mode),
        }
    }

    /// [`Linter::lint`] in `Mode::Check`: findings only.
    pub fn check(&self, doc: &Document) -> FileOutcome {
        self.lint(doc, Mode::Check)
    }

    /// [`Linter::lint`] in `Mode::Fix`.
    pub fn fix(&self, doc: &Document) -> FileOutcome {
        self.lint(doc, Mode::Fix)
    }

    /// Lint a Python text. `kind` may be `SourceKind::Notebook` with the cell ranges of joined
    /// cells (the notebook adapter's text); [`Linter::lint`] reads a notebook's JSON.
    pub fn lint_python(
        &self,
        path: &Path,
        text: &str,
        kind: SourceKind,
        mode: Mode,
    ) -> FileOutcome {
        if suppression::has_ignore_file(text) || !self.may_match(text.as_bytes()) {
            return FileOutcome::skipped();
        }
        let adapter = Python {
            rules: &self.rules,
            path,
        };
        let looped = fix::run(&self.rules, &adapter, text, kind, mode);
        FileOutcome {
            diagnostics: looped.diagnostics,
            fixed: looped.fixed,
            fixes_applied: looped.fixes_applied,
            ..FileOutcome::default()
        }
    }

    fn lint_notebook(&self, path: &Path, json: &str, mode: Mode) -> FileOutcome {
        let notebook = match Notebook::parse(json) {
            Ok(n) => n,
            Err(e) => {
                return FileOutcome {
                    error: Some(e.to_string()),
                    ..FileOutcome::default()
                };
            }
        };
        let text = notebook.text();
        if notebook.is_empty()
            || suppression::has_ignore_file(text)
            || !self.may_match(text.as_bytes())
        {
            return FileOutcome::skipped();
        }
        let adapter = Python {
            rules: &self.rules,
            path,
        };
        let looped = fix::run(&self.rules, &adapter, text, notebook.kind(), mode);
        notebook.finish(json, looped)
    }

    /// Lint a manifest with the text rules that read it.
    fn lint_manifest(&self, path: &Path, text: &str, included: bool, mode: Mode) -> FileOutcome {
        let adapter = Manifest {
            rules: &self.rules,
            path,
            included,
            text_rules: self.rules.text_rules_for(path, included),
        };
        if adapter.text_rules.is_empty() {
            return FileOutcome::skipped();
        }
        let includes = adapter.includes(text);
        // Manifests use `#` comments too: `# fwmigrate: ignore-file` applies there.
        if suppression::has_ignore_file(text) {
            return FileOutcome {
                includes,
                ..FileOutcome::skipped()
            };
        }
        let looped = fix::run(&self.rules, &adapter, text, (), mode);
        FileOutcome {
            diagnostics: looped.diagnostics,
            fixed: looped.fixed,
            fixes_applied: looped.fixes_applied,
            includes,
            ..FileOutcome::default()
        }
    }

    /// Lint a YAML file: a provisioning config with the rules that read YAML; any other YAML
    /// file is skipped after a line scan, unparsed.
    pub fn lint_yaml(&self, path: &Path, text: &str, mode: Mode) -> FileOutcome {
        self.lint_yaml_with(path, text, mode, None)
    }

    /// A YAML file whose bytes are not UTF-8 from byte `valid_up_to` on (`lossy` is their
    /// lossy decoding): a recognised provisioning config gets FW000 there and is never
    /// changed; any other YAML file is skipped.
    pub fn lint_yaml_not_utf8(&self, path: &Path, lossy: &str, valid_up_to: usize) -> FileOutcome {
        self.lint_yaml_with(path, lossy, Mode::Check, Some(valid_up_to))
    }

    fn lint_yaml_with(
        &self,
        path: &Path,
        text: &str,
        mode: Mode,
        not_utf8: Option<usize>,
    ) -> FileOutcome {
        let adapter = YamlAdapter {
            rules: &self.rules,
            path,
            text_rules: self.rules.text_rules_for(path, false),
            not_utf8,
        };
        if adapter.text_rules.is_empty()
            || !self.rules.settings.target.reads_yaml()
            || !fwmigrate_yaml::recognise(text)
            || suppression::has_ignore_file(text)
        {
            return FileOutcome::skipped();
        }
        let looped = fix::run(&self.rules, &adapter, text, (), mode);
        FileOutcome {
            diagnostics: looped.diagnostics,
            fixed: looped.fixed,
            fixes_applied: looped.fixes_applied,
            ..FileOutcome::default()
        }
    }

    /// Whether some selected rule reads YAML at the target.
    pub fn wants_yaml(&self, path: &Path) -> bool {
        self.rules.settings.target.reads_yaml()
            && self.rules.text.iter().any(|r| r.applies_to(path, false))
    }

    /// Lint a manifest found by its name (see [`Linter::lint`]).
    pub fn lint_text(&self, path: &Path, text: &str, mode: Mode) -> FileOutcome {
        self.lint_manifest(path, text, false, mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::BUILTIN_RULES;
    use crate::diagnostic::SkipReason;
    use crate::python::map_offset;
    use fwmigrate_parser::{Edit, TextRange, TextSize};
    use fwmigrate_rule::{
        ALL_TARGETS, Applicability, Context, Finding, Fix, Ranged, RuleMeta, Severity, TextContext,
        walk,
    };

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
            code: RuleCode::new(code),
            name,
            family: fwmigrate_rule::Family::Infra,
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
        let mut codes: Vec<RuleCode> = rules.iter().map(|r| r.meta().code).collect();
        codes.extend(BUILTIN_RULES.iter().map(|m| m.code));
        Linter::new(rules, &[], &codes, LinterSettings::default())
    }

    fn fix_all(linter: &Linter, text: &str) -> FileOutcome {
        linter.lint_python(Path::new("t.py"), text, SourceKind::Python, Mode::Fix)
    }

    fn codes(outcome: &FileOutcome) -> Vec<&'static str> {
        outcome
            .diagnostics
            .iter()
            .map(|d| d.code().as_str())
            .collect()
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
        assert_eq!((d.code().as_str(), d.start.row), ("FW001", 2));
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
            let d = fwmigrate_parser::edits::delete_statement(
                ctx.file,
                ctx.semantic.statements(),
                stmt.range,
            )?;
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
            fn applies_to(&self, _: &Path, _: bool) -> bool {
                true
            }
            fn check(&self, _: &TextContext, out: &mut Vec<Finding>) {
                out.push(Finding::new(*ALWAYS_META, TextRange::default(), "found"));
            }
            fn is_well_formed(&self, _: &TextContext) -> bool {
                true
            }
        }
        let l = Linter::new(
            &[],
            &[&Always],
            &[RuleCode::new("FW501")],
            LinterSettings::default(),
        );
        let path = Path::new("requirements.txt");
        assert_eq!(
            l.lint_text(path, "x==1\n", Mode::Check).diagnostics.len(),
            1
        );
        let ignored = l.lint_text(path, "# fwmigrate: ignore-file\nx==1\n", Mode::Check);
        assert!(ignored.skipped && ignored.diagnostics.is_empty());
    }

    #[test]
    fn rules_remember_for_the_run_and_no_longer() {
        /// Reports how many files this run had checked before this one.
        struct Seen;
        #[derive(Default)]
        struct Files(usize);
        static SEEN_META: std::sync::LazyLock<&'static RuleMeta> =
            std::sync::LazyLock::new(|| meta("FW001", "seen"));
        impl Rule for Seen {
            fn meta(&self) -> &'static RuleMeta {
                *SEEN_META
            }
            fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
                let before = ctx.memo(|f: &mut Files| {
                    f.0 += 1;
                    f.0 - 1
                });
                findings.push(Finding::new(
                    *SEEN_META,
                    TextRange::default(),
                    before.to_string(),
                ));
            }
        }
        let seen = |l: &Linter| {
            let out = l.lint_python(
                Path::new("t.py"),
                "x = 1\n",
                SourceKind::Python,
                Mode::Check,
            );
            out.diagnostics[0].message.clone()
        };
        let run = Linter::new(
            &[&Seen],
            &[],
            &[RuleCode::new("FW001")],
            LinterSettings::default(),
        );
        assert_eq!(seen(&run), "0");
        assert_eq!(seen(&run), "1");
        // From several threads at once: each pass borrows the run's memos, none is lost.
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| seen(&run));
            }
        });
        let total = run.rules.memos.idle();
        assert!((1..=4).contains(&total), "{total}");
        // A new run starts with nothing.
        let next = Linter::new(
            &[&Seen],
            &[],
            &[RuleCode::new("FW001")],
            LinterSettings::default(),
        );
        assert_eq!(seen(&next), "0");
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
