//! The rules and settings of a run, shared by every source adapter.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use fwmigrate_rule::{
    InstalledSdkProblem, Rule, RuleCode, RuleMeta, RunMemos, SdkVersion, Target, TextRule,
};
use fwmigrate_semantic::SemanticSettings;

use crate::builtin::{FW000, FW900, FW999};

/// Settings for one run.
#[derive(Debug, Clone, Default)]
pub struct LinterSettings {
    pub target: Target,
    /// The SDK release the `conformance` rules check against.
    pub sdk_version: SdkVersion,
    pub unsafe_fixes: bool,
    pub semantic: SemanticSettings,
    /// The verdict on the project's installed `fireworks-ai`, for FW502 (the caller finds the
    /// environment; see [`InstalledSdkProblem`]).
    pub installed_sdk: Option<Arc<InstalledSdkProblem>>,
}

/// The selected rules (those enabled at the target) and the settings.
pub(crate) struct RuleSet {
    pub python: Vec<&'static dyn Rule>,
    pub text: Vec<&'static dyn TextRule>,
    pub settings: LinterSettings,
    /// FW900 is enabled.
    pub unused_suppression: bool,
    /// Every enabled code, builtins included.
    pub enabled: BTreeSet<RuleCode>,
    /// What the rules remember from file to file: this run's, dropped with it.
    pub memos: RunMemos,
}

impl RuleSet {
    pub fn new(
        python: &[&'static dyn Rule],
        text: &[&'static dyn TextRule],
        enabled: &[RuleCode],
        settings: LinterSettings,
    ) -> Self {
        let target = settings.target;
        let on = |m: &RuleMeta| enabled.contains(&m.code) && m.targets.contains(target);
        let python: Vec<_> = python.iter().copied().filter(|r| on(r.meta())).collect();
        let text: Vec<_> = text.iter().copied().filter(|r| on(r.meta())).collect();
        let mut codes: BTreeSet<RuleCode> = python.iter().map(|r| r.meta().code).collect();
        codes.extend(text.iter().map(|r| r.meta().code));
        for builtin in [&FW000, &FW900, &FW999] {
            if enabled.contains(&builtin.code) {
                codes.insert(builtin.code);
            }
        }
        Self {
            unused_suppression: codes.contains(&FW900.code),
            python,
            text,
            settings,
            enabled: codes,
            memos: RunMemos::new(),
        }
    }

    /// The text rules that read the file at `path`.
    pub fn text_rules_for(&self, path: &Path, included: bool) -> Vec<&'static dyn TextRule> {
        self.text
            .iter()
            .copied()
            .filter(|r| r.applies_to(path, included))
            .collect()
    }
}
