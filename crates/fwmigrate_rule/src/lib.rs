//! The interface between fwmigrate's engine and its rules.
//!
//! A rule sees one parsed file ([`Context`]) and pushes [`Finding`]s, each with an optional
//! [`Fix`] made of text edits. Rules over non-Python files (dependency manifests) implement
//! [`TextRule`] instead. The helpers rules share live here too: [`walk`] (visiting the AST,
//! reading keywords and literals), [`cookbook`] (recognising cookbook and SDK calls) and
//! [`message`] (quoting source in messages).

mod code;
pub mod cookbook;
pub mod memo;
pub mod message;
pub mod walk;
pub mod yaml;

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use fwmigrate_semantic::types::TypeIndex;

pub use code::RuleCode;
pub use memo::RunMemos;

pub use fwmigrate_api::{self as api, SdkVersion, Target};
pub use fwmigrate_parser::{self as parser, Edit, ParsedFile, Ranged, TextRange, TextSize, ast};
pub use fwmigrate_semantic::{self as semantic, Semantic};

/// How safe a fix is to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Shown as a suggestion, never applied.
    DisplayOnly,
    /// Applied only with `--unsafe-fixes`.
    Unsafe,
    /// Applied by `--apply`.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A set of non-overlapping edits that resolves a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, as a short imperative title (`Rename to TrainerConfig`).
    pub title: String,
    pub edits: Vec<Edit>,
    /// For display-only fixes: the suggested code, shown to the user.
    pub suggestion: Option<String>,
    /// Why the fix is not safe or not applicable (shown as `note:` when not applied).
    pub reason: Option<String>,
    /// Fixes with the same isolation range are applied one per pass (e.g. statement deletions in
    /// one block, so a block is never emptied by two fixes at once).
    pub isolation: Option<TextRange>,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(Applicability::Safe, title, edits)
    }

    pub fn unsafe_edits(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(Applicability::Unsafe, title, edits)
    }

    /// A suggestion only: `suggestion` is the code to show, `reason` why it is not applied.
    pub fn display_only(
        title: impl Into<String>,
        suggestion: Option<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            applicability: Applicability::DisplayOnly,
            title: title.into(),
            edits: Vec::new(),
            suggestion,
            reason: Some(reason.into()),
            isolation: None,
        }
    }

    pub fn new(applicability: Applicability, title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            applicability,
            title: title.into(),
            edits,
            suggestion: None,
            reason: None,
            isolation: None,
        }
    }

    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub fn with_isolation(mut self, isolation: Option<TextRange>) -> Self {
        self.isolation = isolation;
        self
    }

    pub fn with_applicability(mut self, applicability: Applicability) -> Self {
        self.applicability = applicability;
        self
    }

    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }
}

/// One diagnostic at one source range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: RuleCode,
    pub range: TextRange,
    pub message: String,
    pub fix: Option<Fix>,
    /// The engine keeps one finding per problem: a `conformance` finding gives way to a specific
    /// finding that starts at its own start, and, unless this is set, to a specific fix that
    /// edits its range (what still fails after that fix is reported on the next pass). Set for
    /// reports that must stand whatever other rules' fixes would do (an import Python rejects).
    pub whatever_fixes: bool,
    /// The severity of this finding when it differs from its rule's (a rule whose findings are
    /// errors except for one kind, which is only a warning).
    pub severity: Option<Severity>,
}

impl Finding {
    pub fn new(rule: &RuleMeta, range: TextRange, message: impl Into<String>) -> Self {
        Self {
            code: rule.code,
            range,
            message: message.into(),
            fix: None,
            whatever_fixes: false,
            severity: None,
        }
    }

    /// Report this finding at `severity` instead of its rule's.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    /// Report this finding whatever the fixes of other rules would edit (see
    /// [`Finding::whatever_fixes`]).
    pub fn reported_whatever_fixes(mut self) -> Self {
        self.whatever_fixes = true;
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn with_fix_opt(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }
}

/// Static facts about a rule, for selection, `--list-rules` and `--explain`.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code, e.g. `FW001`.
    pub code: RuleCode,
    /// Kebab-case name, e.g. `infra-config`.
    pub name: &'static str,
    /// Rule family, e.g. [`Family::Infra`].
    pub family: Family,
    pub severity: Severity,
    /// The applicability of the rule's usual fix; `None` when it never has an applicable fix.
    pub fix: Option<Applicability>,
    /// Targets the rule fires at.
    pub targets: Targets,
    /// The rule can only fire in a file that imports the cookbook or the `fireworks` package
    /// (anything it reports is resolved through imports, or gated on them). The engine does not
    /// run such rules on other files. A rule that sets this to `false` runs on every file and
    /// must not rely on the semantic model beyond the file's imports: files without a Fireworks
    /// import get an imports-only model.
    pub requires_import: bool,
    /// Byte strings without which the rule cannot fire. A file that contains none of them is
    /// never parsed for this rule. Empty means "always run": on every file, or, with
    /// `requires_import`, on every file that imports the cookbook or the `fireworks` package.
    pub needles: &'static [&'static str],
    /// One-line summary.
    pub summary: &'static str,
    /// Markdown documentation for `--explain`: what it finds, why it matters, fix safety, example.
    pub explanation: &'static str,
}

/// A rule family: the crate under `rules/` that defines the rule (or the engine's own rules,
/// [`Family::Common`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Infra,
    Provisioning,
    Shapes,
    Hotload,
    Checkpoints,
    Sdk,
    /// Everything the target rejects, checked against the API tables. Its findings give way
    /// to a specific family's finding of the same problem.
    Conformance,
    /// The engine's own rules (syntax errors, unused suppressions, internal errors).
    Common,
}

impl Family {
    pub const fn as_str(self) -> &'static str {
        match self {
            Family::Infra => "infra",
            Family::Provisioning => "provisioning",
            Family::Shapes => "shapes",
            Family::Hotload => "hotload",
            Family::Checkpoints => "checkpoints",
            Family::Sdk => "sdk",
            Family::Conformance => "conformance",
            Family::Common => "common",
        }
    }

    /// A family that reports a specific problem (not `conformance`'s general report, nor the
    /// engine's own rules).
    pub fn is_specific(self) -> bool {
        !matches!(self, Family::Conformance | Family::Common)
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the target provisions through the SDK: its `training.utils` has `TrainerConfig`. The
/// tagged releases before provisioning moved behind the SDK still have the old surface
/// (`InfraConfig`, `setup_infra`, `ResourceCleanup`, hand-set hardware) as the cookbook's own
/// API: there the porting rules have nothing to port, and stay silent. Read from the target's
/// tables, like every other release fact.
pub fn provisions_through_sdk(target: Target) -> bool {
    target.release().class("TrainerConfig").is_some()
}

/// The targets a rule fires at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Targets {
    /// Every tagged release: what the rule reports there is decided from that release's own
    /// tables, never from its name.
    All,
}

impl Targets {
    pub fn contains(self, _target: Target) -> bool {
        match self {
            Targets::All => true,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Targets::All => "all",
        }
    }
}

/// All targets.
pub const ALL_TARGETS: Targets = Targets::All;

/// Answers whether a finding would be suppressed by an inline comment
/// (`# fwmigrate: ignore[...]`, `# noqa: FW...`). The engine's suppression module implements it
/// for every source with `#` comments; rules only ask.
pub trait SuppressionQuery {
    /// Whether a finding of `code` starting at `offset` is suppressed.
    fn suppresses(&self, code: RuleCode, offset: TextSize) -> bool;
}

/// No suppressions (for contexts built outside the engine, e.g. unit tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSuppressions;

impl SuppressionQuery for NoSuppressions {
    fn suppresses(&self, _: RuleCode, _: TextSize) -> bool {
        false
    }
}

/// No suppressions (for contexts built outside the engine, e.g. unit tests).
pub static NO_SUPPRESSIONS: NoSuppressions = NoSuppressions;

/// What a Python rule sees of one file.
///
/// Build it with [`Context::new`] outside the engine: settings that rules may need later are
/// added as fields with defaults there, so that callers keep compiling.
pub struct Context<'a> {
    pub file: &'a ParsedFile<'a>,
    pub semantic: &'a Semantic,
    pub target: Target,
    /// The SDK release whose surface the `conformance` rules check against.
    pub sdk_version: SdkVersion,
    pub path: &'a Path,
    pub suppressions: &'a dyn SuppressionQuery,
    /// The file's receiver types, built on first use and shared by every rule of the pass.
    types: OnceCell<TypeIndex<'a>>,
    /// What rules remember from file to file: the run's (see [`Context::with_memos`]), or this
    /// context's alone.
    memos: memo::Lease<'a>,
}

impl<'a> Context<'a> {
    /// A context without suppressions.
    pub fn new(
        file: &'a ParsedFile<'a>,
        semantic: &'a Semantic,
        target: Target,
        path: &'a Path,
    ) -> Self {
        Self {
            file,
            semantic,
            target,
            sdk_version: SdkVersion::default(),
            path,
            suppressions: &NO_SUPPRESSIONS,
            types: OnceCell::new(),
            memos: memo::Lease::private(),
        }
    }

    /// Parse `source` as a Python file `t.py` and run `f` on its context at `target` and
    /// `sdk_version`, without suppressions: a rule or helper outside the engine (unit tests).
    pub fn for_source<R>(
        source: &str,
        target: Target,
        sdk_version: SdkVersion,
        f: impl FnOnce(&Context) -> R,
    ) -> Result<R, parser::ParseFailure> {
        let file = ParsedFile::parse(source, parser::SourceKind::Python)?;
        let semantic = Semantic::new(file.suite(), &semantic::SemanticSettings::default());
        let ctx =
            Context::new(&file, &semantic, target, Path::new("t.py")).with_sdk_version(sdk_version);
        Ok(f(&ctx))
    }

    /// The SDK release the `conformance` rules check against.
    pub fn with_sdk_version(mut self, sdk_version: SdkVersion) -> Self {
        self.sdk_version = sdk_version;
        self
    }

    /// What the file binds to which tabled classes (see [`TypeIndex`]): indexed once per file
    /// and pass, whichever rule asks first.
    pub fn types(&self) -> &TypeIndex<'a> {
        self.types.get_or_init(|| TypeIndex::new(self.file.suite()))
    }

    pub fn with_suppressions(mut self, suppressions: &'a dyn SuppressionQuery) -> Self {
        self.suppressions = suppressions;
        self
    }

    /// Remember across the files of a run: the memos are lent by `run` for this pass.
    pub fn with_memos(mut self, run: &'a RunMemos) -> Self {
        self.memos = run.lease();
        self
    }

    /// Run `f` on this thread's memo of type `M` for the run (made empty on first use). For
    /// answers that depend only on the key they are kept under and the immutable API tables
    /// (never on the file), which later files ask for again. `M` bounds itself (for instance
    /// with [`api::index::Memo`]), and `f` must not call `memo` again.
    pub fn memo<M: Default + Send + 'static, R>(&self, f: impl FnOnce(&mut M) -> R) -> R {
        self.memos.with(f)
    }

    /// Whether a finding of `code` starting at `offset` would be suppressed. Rules whose one fix
    /// covers several sites (e.g. all calls through one import) leave suppressed sites out of it.
    pub fn is_suppressed(&self, code: RuleCode, offset: TextSize) -> bool {
        self.suppressions.suppresses(code, offset)
    }

    /// Whether `name` is used, bound or defined anywhere in the file (as an import, a
    /// function, class or parameter, or a variable), so that a new import of it could clash.
    pub fn name_is_taken(&self, name: &str) -> bool {
        if !self.semantic.name_uses(name).is_empty()
            || self.semantic.bindings().iter().any(|b| b.name == name)
        {
            return true;
        }
        let mut taken = false;
        walk::for_each_stmt(self.file.suite(), |stmt| match stmt {
            ast::Stmt::FunctionDef(f) => {
                taken |= f.name.as_str() == name
                    || f.parameters.iter().any(|p| p.name().as_str() == name);
            }
            ast::Stmt::ClassDef(c) => taken |= c.name.as_str() == name,
            _ => {}
        });
        taken
    }

    pub fn source(&self) -> &'a str {
        self.file.source()
    }

    pub fn slice(&self, range: impl Ranged) -> &'a str {
        self.file.slice(range)
    }
}

/// The verdict on the project's installed `fireworks-ai` (rule FW502 `installed-sdk`). Only the
/// caller knows the project's Python environment: it judges what is installed there and says
/// which of the project's manifests the finding stands in; the rule places it in that file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstalledSdkProblem {
    /// The manifest of the project folder the finding stands in (the one that declares
    /// `fireworks-ai`, else its `pyproject.toml` or `requirements.txt`).
    pub manifest: PathBuf,
    /// What is installed where, what the project needs, and the command that fixes it.
    pub message: String,
}

/// What a text rule sees of one non-Python file (a dependency manifest).
///
/// Build it with [`TextContext::new`] outside the engine (fields may be added).
pub struct TextContext<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub target: Target,
    /// The file was named by another file's include (`-r base.txt` in a requirements file)
    /// rather than found by its own name: read it as the including rule's kind of file.
    pub included: bool,
    pub suppressions: &'a dyn SuppressionQuery,
    /// The project's installed `fireworks-ai` does not do (FW502); `None` when it does, or no
    /// environment was found.
    pub installed_sdk: Option<&'a InstalledSdkProblem>,
    /// A provisioning YAML file, parsed and read as the target reads it (`None` for other
    /// files). Rules over YAML report from it.
    pub provision: Option<&'a fwmigrate_yaml::ProvisionFile>,
}

impl<'a> TextContext<'a> {
    /// A context for a file found by its name, without suppressions.
    pub fn new(path: &'a Path, text: &'a str, target: Target) -> Self {
        Self {
            path,
            text,
            target,
            included: false,
            suppressions: &NO_SUPPRESSIONS,
            installed_sdk: None,
            provision: None,
        }
    }

    pub fn with_provision(mut self, file: Option<&'a fwmigrate_yaml::ProvisionFile>) -> Self {
        self.provision = file;
        self
    }

    pub fn with_installed_sdk(mut self, problem: Option<&'a InstalledSdkProblem>) -> Self {
        self.installed_sdk = problem;
        self
    }

    pub fn included(mut self, included: bool) -> Self {
        self.included = included;
        self
    }

    pub fn with_suppressions(mut self, suppressions: &'a dyn SuppressionQuery) -> Self {
        self.suppressions = suppressions;
        self
    }

    /// Whether a finding of `code` starting at `offset` would be suppressed.
    pub fn is_suppressed(&self, code: RuleCode, offset: TextSize) -> bool {
        self.suppressions.suppresses(code, offset)
    }
}

/// A rule over Python source.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>);
}

/// A rule over a non-Python text file (dependency manifests).
///
/// The engine runs it on the files it [applies to](TextRule::applies_to), and on the files those
/// [include](TextRule::includes). Every answer depends only on the arguments: a rule keeps no
/// state between calls, so the order in which files are met changes nothing.
pub trait TextRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Whether the rule reads the file at `path`: by its name, or, when `included`, because
    /// another file includes it.
    fn applies_to(&self, path: &Path, included: bool) -> bool;
    fn check(&self, ctx: &TextContext, findings: &mut Vec<Finding>);
    /// Whether a fixed text (`ctx.text`) is still well formed (the engine reverts it otherwise).
    fn is_well_formed(&self, ctx: &TextContext) -> bool;
    /// The files that this file includes and that must be checked too (`-r base.txt`), resolved
    /// against its folder. The engine reports them; the caller checks each with `included` set.
    fn includes(&self, ctx: &TextContext) -> Vec<PathBuf> {
        let _ = ctx;
        Vec::new()
    }
}

/// A rule family's rules, as the engine's registry sees them.
pub enum AnyRule {
    Python(&'static dyn Rule),
    Text(&'static dyn TextRule),
}

impl AnyRule {
    pub fn meta(&self) -> &'static RuleMeta {
        match self {
            AnyRule::Python(r) => r.meta(),
            AnyRule::Text(r) => r.meta(),
        }
    }
}
