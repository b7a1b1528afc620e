//! FW606 `ignored-config-key`: a provisioning YAML key whose value reaches nothing.

use fwmigrate_rule::yaml::YamlRule;
use fwmigrate_rule::{ALL_TARGETS, Applicability, RuleCode, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW606"),
    name: "ignored-config-key",
    family: fwmigrate_rule::Family::Conformance,
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    targets: ALL_TARGETS,
    requires_import: false,
    needles: &[],
    summary: "A key of a provisioning YAML file that provision.py drops silently: its value has no effect.",
    explanation: r#"## What it finds

A key of a provisioning config (`training/provision/*.yaml` or a fork of one: any YAML file with
a top-level `recipe:` and one of `trainers:`, `deployments:`, `common:`) whose value reaches
nothing when the target's `provision.py` reads the file. `provision.py` builds each config class
from a mapping with `_make_dataclass_config`, which keeps the keys the class has and **drops
every other key without a word**: a misspelled, renamed or removed field is a silent no-op.

Every recipe of the file is read as the target reads it (the facts come from the target's own
`provision.py` and API tables, at every release since YAML provisioning began):

- the recipe entry, with `common` deep-merged under it, feeds the mode's recipe `Config`
  (`rl_loop.Config` for `rl`/`rft`, `sft_loop.Config`, `dpo_loop.Config`,
  `distillation_loop.Config`); keys `provision.py` reads for its own use (`trainer`,
  `deployment`, `reference_trainer`, `tokenizer_model`, `mode`, ...) count as read;
- the `trainers` section a recipe's `trainer:` names feeds `TrainerConfig` (`base_model` and
  `weight_sync_deployment` are taken out first, `training_job_id` becomes `job_id`);
- a section named by `reference_trainer:` is read only for `training_shape_id`, `job_id` and
  `training_job_id`: its other keys reach nothing;
- the `deployments` section a recipe names (or its trainer's `weight_sync_deployment`) feeds
  `DeployConfig` in the modes that use a deployment;
- a nested mapping under a field whose type is a config class (`concurrency:`, `wandb:`,
  `lr_scheduler:`) feeds that class, recursively.

A key of `common` is reported only when it reaches nothing in **every** recipe of the file; a
key of a `trainers` or `deployments` section only when it reaches nothing in every recipe that
names the section. A section no recipe names is not checked. A `common` value that a recipe
overrides counts as read. The message names the class that dropped the key, its fields nearest
to the key, and, when an older release had the field, the last release that had it.

## Why it matters

The value you wrote is not the value the run uses: the default is. Nothing fails, so nothing
tells you.

## Fix safety

**Unsafe**: the fix deletes the key (its lines, its value block and its own end-of-line comment;
every other byte stays). It is unsafe because the key may be a misspelling of a field you meant
to set: deleting it keeps today's behaviour, while the fix you may want is the right name. A key
reached through an alias or merge key (`<<: *base`) is reported at the anchored key and has no
fix (the anchored text serves other places too).

## Example

```yaml
# before (target 2026.08)
common:
  base_model: accounts/fireworks/models/qwen3-8b
  step_timeout: 3600       # rl_loop.Config has no step_timeout: dropped
recipe:
  rft: {}
# after (--unsafe-fixes)
common:
  base_model: accounts/fireworks/models/qwen3-8b
recipe:
  rft: {}
```
"#,
};

/// The rule: one finding per key the analysis found ignored.
pub static RULE: YamlRule = YamlRule {
    meta: &META,
    check: |cx, findings| {
        let yaml = &cx.file.yaml;
        for ignored in &cx.file.analysis.ignored {
            let entry = yaml.entry(ignored.entry);
            let mut message = format!(
                "`{}` has no effect: {}, and provision.py drops it silently",
                entry.key,
                ignored.reasons.join("; ")
            );
            if let Some(history) = &ignored.history {
                message.push_str(&format!("; {history}"));
            }
            if !ignored.nearest.is_empty() {
                let near: Vec<String> = ignored.nearest.iter().map(|n| format!("`{n}`")).collect();
                message.push_str(&format!("; nearest fields: {}", near.join(", ")));
            }
            message.push('.');
            let fix = cx
                .delete(ignored.entry, Applicability::Unsafe)
                .map(|f| f.with_reason("the key may be a misspelling of a field you meant to set"));
            findings.push(cx.finding(&META, ignored.entry, message).with_fix_opt(fix));
        }
    },
};
