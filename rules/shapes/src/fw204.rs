//! FW204 `deployment-manual-infra`: hardware fields on `DeployConfig(...)`.

use fwmigrate_rule::cookbook::is_deploy_config;
use fwmigrate_rule::message::{callee_text, snippet};
use fwmigrate_rule::walk::{for_each_call, keyword_name};
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Finding, Ranged, Rule, RuleCode, RuleMeta, Severity,
};

use crate::common::delete_keyword_fix;

pub struct DeploymentManualInfra;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW204"),
    name: "deployment-manual-infra",
    family: fwmigrate_rule::Family::Shapes,
    severity: Severity::Error,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &[
        "deployment_accelerator_type",
        "deployment_region",
        "deployment_shape",
    ],
    summary: "Manual hardware fields on `DeployConfig(...)`: accelerator, region, shape.",
    explanation: r#"## What it finds

Keywords of the cookbook's `DeployConfig(...)` that choose deployment hardware by hand:

| keyword | target | finding | fix |
|---|---|---|---|
| `deployment_accelerator_type=` | both | ignored since `2026.06` | delete (safe) |
| `deployment_region=` | `2026.08` only | `TypeError`: the field is gone | delete (safe) |
| `deployment_shape=` | both | warning | none: leave it unset |

At `2026.06` `DeployConfig` still has `deployment_region`, so that keyword is not reported there.

## Why it matters

With SDK-managed provisioning the SDK resolves the versioned deployment shape from the training
profile; an explicit `deployment_shape=` pins a shape that may not match the trainer, and the
accelerator / region fields no longer do anything (or no longer exist). There is no automatic
fix for `deployment_shape=`: removing it changes which deployment you get, so the decision is
yours.

## What counts as the cookbook's config

Only a callee that resolves to `DeployConfig` from a cookbook utils module (plain, aliased,
module-qualified, or imported inside a function). A local `DeployConfig` class or a callee that
does not resolve gets no finding.

## Fix safety

**Safe** for `deployment_accelerator_type=` and `deployment_region=`: the fix deletes the
keyword with its comma (and its line when it had one of its own). `deployment_shape=` gets no
fix.

## Example

```python
# before
DeployConfig(deployment_id="grpo-serving", deployment_accelerator_type="NVIDIA_H100_80GB", deployment_region="US_IOWA_1")
# after (target 2026.08)
DeployConfig(deployment_id="grpo-serving")
```
"#,
};

impl Rule for DeploymentManualInfra {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        for_each_call(ctx.file.suite(), |call| {
            if !is_deploy_config(ctx, call) {
                return;
            }
            let callee = callee_text(ctx, call);
            for kw in &call.arguments.keywords {
                let Some(name) = keyword_name(kw) else {
                    continue;
                };
                let value = snippet(ctx, kw.range());
                let message = match (name, ctx.target) {
                    ("deployment_accelerator_type", target) => format!(
                        "`{value}` on `{callee}(...)` is ignored at {target}: the deployment \
                         shape the SDK resolves decides the accelerator. Delete it."
                    ),
                    ("deployment_region", target)
                        if !target.release().class_has_field("DeployConfig", name) =>
                    {
                        format!(
                            "`{value}` on `{callee}(...)` raises TypeError at {target}: \
                             DeployConfig no longer has `deployment_region`. Delete it."
                        )
                    }
                    ("deployment_shape", _) => {
                        findings.push(Finding::new(
                            &META,
                            kw.range(),
                            format!(
                                "`{value}` on `{callee}(...)` pins the deployment shape by hand: \
                                 leave it unset, the SDK resolves the versioned deployment shape \
                                 from the training profile."
                            ),
                        ));
                        continue;
                    }
                    _ => continue,
                };
                let fix = delete_keyword_fix(ctx, call, kw, name);
                findings.push(Finding::new(&META, kw.range(), message).with_fix(fix));
            }
        });
    }
}
