//! FW607 `provision-config-error`: what makes `provision.py` raise for a recipe before anything
//! is provisioned.

use fwmigrate_rule::yaml::YamlRule;
use fwmigrate_rule::{ALL_TARGETS, Finding, RuleCode, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW607"),
    name: "provision-config-error",
    family: fwmigrate_rule::Family::Conformance,
    severity: Severity::Error,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: false,
    needles: &[],
    summary: "A provisioning YAML recipe that makes provision.py raise before anything is provisioned.",
    explanation: r#"## What it finds

In a provisioning config (a YAML file with a top-level `recipe:` and one of `trainers:`,
`deployments:`, `common:`), what makes the target's `provision.py` raise for a recipe before it
provisions anything, read from the target's own `provision.py`:

- a reference to a section that does not exist (`trainer: policy` with no `trainers.policy`,
  the same for `reference_trainer:`, `deployment:` and a trainer's `weight_sync_deployment:`),
  or a reference that is neither a name nor a mapping;
- an unknown mode (the entry's `mode:`, else its name: `sft`, `rl`/`rft`, `dpo`,
  `distillation`, or a `<mode>_` prefix);
- a `deployment:` key in a trainer section (ambiguous: the deployment that receives hot-loaded
  weights is `weight_sync_deployment`);
- a removed option of the mode (the RL recipe's `policy_loss`, `loss_path`, `dapo`, `dro`,
  `gspo`, `cispo`, `ratio_log_cap`, `separate_tis`, `use_rollout_logprobs`);
- a required value that is missing or empty (`base_model`; `tokenizer_model` for `sft` and
  `dpo`; `teacher_model` for `distillation`);
- `recipe:` or `common:` that is not a mapping, or a recipe with no entry.

Every recipe of the file is checked: which one you launch is not known.

## Why it matters

`provision.py` raises at start-up; fixing the file first saves a round trip.

## Fix safety

**None**: the right value is yours to choose.

## Example

```yaml
trainers:
  policy:
    training_shape_id: accounts/fireworks/trainingShapes/qwen3-8b
recipe:
  rft:
    trainer: policy
    reference_trainer: reference   # FW607: no trainers.reference
```
"#,
};

/// The rule: one finding per problem the analysis found.
pub static RULE: YamlRule = YamlRule {
    meta: &META,
    check: |cx, findings| {
        for problem in &cx.file.analysis.problems {
            findings.push(Finding::new(
                &META,
                problem.range,
                format!("{}.", problem.message),
            ));
        }
    },
};
