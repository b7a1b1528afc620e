//! Every rule fwmigrate knows, in code order: the one crate that names the rule family crates.
//! The command line (and anything else that runs every rule) goes through it.

use fwmigrate_engine::BUILTIN_RULES;
use fwmigrate_rule::{Rule, RuleCode, RuleMeta, TextRule};

/// Python rules of every family.
pub fn python_rules() -> Vec<&'static dyn Rule> {
    let mut rules: Vec<&'static dyn Rule> = Vec::new();
    rules.extend_from_slice(fwmigrate_rules_infra::RULES);
    rules.extend_from_slice(fwmigrate_rules_provisioning::RULES);
    rules.extend_from_slice(fwmigrate_rules_shapes::RULES);
    rules.extend_from_slice(fwmigrate_rules_hotload::RULES);
    rules.extend_from_slice(fwmigrate_rules_checkpoints::RULES);
    rules.extend_from_slice(fwmigrate_rules_conformance::RULES);
    rules
}

/// Rules over text files: dependency manifests and provisioning YAML files (each rule says
/// which files it reads). FW201–FW206 have a Python rule and a YAML rule under one code.
pub fn text_rules() -> Vec<&'static dyn TextRule> {
    let mut rules = fwmigrate_rules_sdk::TEXT_RULES.to_vec();
    rules.extend_from_slice(fwmigrate_rules_shapes::YAML_RULES);
    rules.extend_from_slice(fwmigrate_rules_conformance::TEXT_RULES);
    rules
}

/// Metadata of every rule, builtins included, sorted by code.
pub fn all_rules() -> Vec<&'static RuleMeta> {
    let mut metas: Vec<&'static RuleMeta> = BUILTIN_RULES.to_vec();
    metas.extend(python_rules().iter().map(|r| r.meta()));
    metas.extend(text_rules().iter().map(|r| r.meta()));
    metas.sort_by_key(|m| m.code);
    metas.dedup_by_key(|m| m.code);
    metas
}

/// All codes, sorted.
pub fn all_codes() -> Vec<RuleCode> {
    all_rules().iter().map(|m| m.code).collect()
}

/// The rule a user names, by code (any case) or by name.
pub fn find(code: &str) -> Option<&'static RuleMeta> {
    let code = code.trim();
    all_rules()
        .into_iter()
        .find(|m| m.code.as_str().eq_ignore_ascii_case(code) || m.name == code)
}
