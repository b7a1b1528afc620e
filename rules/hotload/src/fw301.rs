//! FW301 `hotload-scope-mixup`: `hot_load_deployment_id=` against a PER_TRAINER deployment.

use fwmigrate_rule::cookbook::{is_deploy_config, is_promote_checkpoint};
use fwmigrate_rule::message::callee_text;
use fwmigrate_rule::semantic::CookbookSymbol;
use fwmigrate_rule::walk::{for_each_call, is_none, keyword};
use fwmigrate_rule::{ALL_TARGETS, Context, Finding, Ranged, Rule, RuleCode, RuleMeta, Severity};

use crate::common::{Scope, deploy_scope};

pub struct HotloadScopeMixup;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW301"),
    name: "hotload-scope-mixup",
    family: fwmigrate_rule::Family::Hotload,
    severity: Severity::Error,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["hot_load_deployment_id"],
    summary: "`hot_load_deployment_id=` on a trainer-side call while the DeployConfig uses the PER_TRAINER scope.",
    explanation: r#"## What it finds

1. `hot_load_deployment_id=` passed to a trainer-side call - the cookbook's
   `create_trainer_job(...)` / `request_trainer_job(...)` or the SDK's `TrainerJobConfig(...)` -
   in a file whose cookbook `DeployConfig(...)` uses the PER_TRAINER weight-sync scope, either
   explicitly (`weight_sync_scope=WeightSyncScope.PER_TRAINER`, or as the first positional
   argument, the field's position in every release) or by default (no `weight_sync_scope`).
   Error.
2. `hot_load_deployment_id=` passed to any `<x>.promote_checkpoint(...)` call. Warning-level
   message: the SDK deprecated the argument.

## Why it matters

PER_TRAINER and `hot_load_deployment_id` are two different bucket scopes for weight sync: a
trainer set up with both does not agree with its deployment on which bucket carries the weights.
Pick one; the SDK-managed path always runs PER_TRAINER, so drop `hot_load_deployment_id=`.

## Name resolution

The trainer-side callee must resolve to the cookbook utils or the SDK (plain, aliased,
module-qualified, or imported inside a function), and the `DeployConfig` must resolve to the
cookbook. A file without a cookbook `DeployConfig(...)`, or whose `weight_sync_scope` is a
variable or `**kwargs`, gets no finding for case 1: the scope is not known.
`hot_load_deployment_id=None` is not reported.

## Fix safety

**None**: which scope is right depends on how the deployment was created.

## Example

```python
deploy_cfg = DeployConfig(deployment_id=deployment_id)   # PER_TRAINER by default
job = create_trainer_job(
    rlor_mgr,
    base_model=base_model,
    hot_load_deployment_id=deployment_id,                 # FW301: pick one scope
)
```
"#,
};

impl Rule for HotloadScopeMixup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // The first DeployConfig(...) of the file that runs PER_TRAINER.
        let mut per_trainer = None;
        for_each_call(ctx.file.suite(), |call| {
            if per_trainer.is_some() || !is_deploy_config(ctx, call) {
                return;
            }
            match deploy_scope(call) {
                Scope::DefaultPerTrainer => per_trainer = Some((call.start(), false)),
                Scope::PerTrainer => per_trainer = Some((call.start(), true)),
                _ => {}
            }
        });
        for_each_call(ctx.file.suite(), |call| {
            let Some(kw) = keyword(call, "hot_load_deployment_id") else {
                return;
            };
            if is_none(&kw.value) {
                return;
            }
            let callee = callee_text(ctx, call);
            let trainer_side = matches!(
                ctx.semantic.resolve_call(call),
                Some(CookbookSymbol::Utils(ref n)) if n == "create_trainer_job" || n == "request_trainer_job"
            ) || matches!(
                ctx.semantic.resolve_call(call),
                Some(CookbookSymbol::Sdk(ref n)) if n == "TrainerJobConfig"
            );
            if trainer_side {
                let Some((at, explicit)) = per_trainer else {
                    return;
                };
                let row = ctx.file.location(at).row;
                let how = if explicit {
                    "explicitly"
                } else {
                    "by default, `weight_sync_scope` is not set"
                };
                findings.push(Finding::new(
                    &META,
                    kw.range(),
                    format!(
                        "`hot_load_deployment_id=` on `{callee}(...)` while the `DeployConfig(...)` \
                         on line {row} uses the PER_TRAINER weight-sync scope ({how}): PER_TRAINER \
                         and `hot_load_deployment_id` are two different bucket scopes. Pick one: \
                         remove `hot_load_deployment_id=` to keep PER_TRAINER (the scope of the \
                         SDK-managed path)."
                    ),
                ));
            } else if is_promote_checkpoint(ctx, call) {
                findings.push(Finding::new(
                    &META,
                    kw.range(),
                    format!(
                        "`hot_load_deployment_id=` on `{callee}(...)` is deprecated by the \
                         SDK; remove it."
                    ),
                ));
            }
        });
    }
}
