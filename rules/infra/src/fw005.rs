//! FW005 `removed-config-field`: a keyword of a recipe `Config(...)` that the target recipe no
//! longer has.

use fwmigrate_rule::message::short;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Finding, Fix, Rule, RuleCode, RuleMeta, Severity, walk,
};

use crate::common::{delete_arguments, keyword_value, recipe_config};
use crate::fw004::job_id_keywords;

pub struct RemovedConfigField;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW005"),
    name: "removed-config-field",
    family: fwmigrate_rule::Family::Infra,
    severity: Severity::Error,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    // Recipe `Config`s resolve only through an import of a `<root>.recipes...` module.
    needles: &["recipes"],
    summary: "A recipe `Config` keyword that the target release no longer has.",
    explanation: r#"## What it finds

A keyword argument of a recipe `Config(...)` that the target release's recipe no longer has and
that no other rule maps (`infra=` is FW002, `weight_sync=`/`hotload=` FW003, job ids FW004).
The check is driven by the embedded field tables of each release; a recipe whose field list is
unknown at the target (a vendored or newer recipe) is never reported.

## Why it matters

Recipe configs are dataclasses: an unknown keyword is a `TypeError` when the script starts. The
finding names the target so it is found before the run is.

## Fix safety

**Safe** only for fields the recipes already ignored before the migration: `policy_base_url`,
`reference_base_url`, `trainer_base_url`, and `rollout_base_model` on `rl_loop` (the keyword is
deleted). Every other removed field (`ppo_n_minibatches`, `synchronous_training`, `policy_loss`,
`runner`, ... depending on recipe and target) has no automatic fix: its setting has no direct
equivalent and needs a decision.

## Example

```python
sft_loop.Config(log_path="x", trainer_base_url="https://...")
```

becomes

```python
sft_loop.Config(log_path="x")
```
"#,
};

/// Fields that were already ignored before the migration: deleting them changes nothing.
fn ignored_before(recipe: &str, field: &str) -> bool {
    match field {
        "policy_base_url" | "reference_base_url" | "trainer_base_url" => true,
        "rollout_base_model" => recipe == "rl_loop",
        _ => false,
    }
}

impl Rule for RemovedConfigField {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        walk::for_each_call(ctx.file.suite(), |call| {
            let Some(recipe) = recipe_config(ctx, call) else {
                return;
            };
            let Some(fields) = ctx.target.release().recipe(&recipe) else {
                return;
            };
            let moved = job_id_keywords(&recipe, call);
            for kw in &call.arguments.keywords {
                let Some(name) = walk::keyword_name(kw) else {
                    continue;
                };
                if fields.has_field(name)
                    || matches!(name, "infra" | "weight_sync" | "hotload")
                    || moved.iter().any(|(k, _)| k.range == kw.range)
                {
                    continue;
                }
                let value = short(keyword_value(ctx, kw));
                let target = ctx.target;
                if ignored_before(&recipe, name) {
                    let message = format!(
                        "`{recipe}.Config` has no `{name}` at {target} (a `TypeError`); the recipe \
                         already ignored it, so `{name}={value}` can go"
                    );
                    let edits = delete_arguments(ctx.file, &call.arguments, &[kw.range]);
                    findings.push(
                        Finding::new(&META, kw.range, message)
                            .with_fix(Fix::safe(format!("Remove `{name}=`"), edits)),
                    );
                } else {
                    // Known in some release: removed, not a typo.
                    let legacy = fwmigrate_rule::api::Release::all()
                        .any(|r| r.recipe(&recipe).is_some_and(|r| r.has_field(name)));
                    let what = if legacy {
                        "was removed from"
                    } else {
                        "is not a field of"
                    };
                    let message = format!(
                        "`{name}={value}` {what} `{recipe}.Config` at {target}: the script fails \
                         with a `TypeError`; remove it (its setting has no direct equivalent)"
                    );
                    findings.push(Finding::new(&META, kw.range, message));
                }
            }
        });
    }
}
