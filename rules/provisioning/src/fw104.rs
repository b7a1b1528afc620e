//! FW104 `removed-helper`: calls of provisioning helpers that no longer exist, and imports of
//! removed names that the file never uses.

use std::collections::HashSet;

use fwmigrate_rule::ast::{Expr, ExprContext};
use fwmigrate_rule::semantic::CookbookSymbol;
use fwmigrate_rule::walk::{for_each_call, for_each_expr};
use fwmigrate_rule::{
    ALL_TARGETS, Context, Finding, Ranged, Rule, RuleCode, RuleMeta, Severity, TextRange,
};

use fwmigrate_rule::cookbook::utils_callee;
use fwmigrate_rule::message::callee_text;

pub struct RemovedHelper;

/// Removed helpers and what replaces each of them.
pub const REMOVED_HELPERS: &[(&str, &str)] = &[
    (
        "Infra",
        "read the values from the service instead (`service.trainer_job_id`, `service.reference_client_job_id`, `service.deployment_id`, `service.deployment_shape`)",
    ),
    (
        "create_trainer_job",
        "let the service provision the trainer: `build_service_client(..., trainer=TrainerConfig(...))` then `service.create_training_client(base_model, lora_rank=...)`; for a standalone job use the SDK's `TrainerJobManager.create_and_wait(TrainerJobConfig(...))`",
    ),
    (
        "request_trainer_job",
        "let the service provision the trainer: `build_service_client(..., trainer=TrainerConfig(...))` then `service.create_training_client(base_model, lora_rank=...)`; for a standalone job use the SDK's `TrainerJobManager.create(TrainerJobConfig(...))`",
    ),
    (
        "wait_trainer_job",
        "`service.create_training_client(...)` waits for the service's trainer; for a standalone job use the SDK's `TrainerJobManager.wait_for_ready(job_id)`",
    ),
    (
        "request_deployment",
        "let the service provision the deployment: `build_service_client(..., deployment=DeployConfig(...))` then `service.create_deployment_sampler()`; standalone: the SDK's `DeploymentManager.create_or_get(...)`",
    ),
    (
        "wait_deployment",
        "`service.create_deployment_sampler()` waits for the service's deployment; standalone: the SDK's `DeploymentManager.wait_for_ready(deployment_id)`",
    ),
    (
        "setup_deployment",
        "`build_service_client(..., deployment=DeployConfig(deployment_id=...))` creates or reattaches the deployment; then use `service.create_deployment_sampler()` and `service.deployment_id`",
    ),
    (
        "setup_or_reattach_deployment",
        "`build_service_client(..., deployment=DeployConfig(deployment_id=...))` creates or reattaches the deployment; then use `service.create_deployment_sampler()` and `service.deployment_id`",
    ),
    (
        "setup_training_client",
        "`ReconnectableClient.from_training_client(service.create_training_client(base_model, lora_rank=...), base_model=..., job_id=service.trainer_job_id, service=service)`",
    ),
    (
        "get_deployment_gpu_count",
        "there is no replacement: the SDK resolves the deployment shape (`service.deployment_shape`) from the training shape, and the shape fixes the GPU count",
    ),
];

/// Removed names whose unused imports this rule reports, besides [`REMOVED_HELPERS`].
const REMOVED_IMPORTS: &[(&str, &str)] = &[
    (
        "setup_infra",
        "provision with `build_service_client(...)` and the service's `create_training_client` / `create_reference_client` / `create_deployment_sampler`",
    ),
    (
        "ResourceCleanup",
        "the service owns cleanup: `service.close()` with `cleanup_trainer_on_close=` / `cleanup_deployment_on_close=`",
    ),
    (
        "make_reference_client",
        "use `service.create_reference_client(base_model, lora_rank=0)`",
    ),
];

fn replacement(name: &str) -> Option<&'static str> {
    REMOVED_HELPERS
        .iter()
        .chain(REMOVED_IMPORTS)
        .find(|(n, _)| *n == name)
        .map(|(_, r)| *r)
}

fn is_helper(name: &str) -> bool {
    REMOVED_HELPERS.iter().any(|(n, _)| *n == name)
}

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW104"),
    name: "removed-helper",
    family: fwmigrate_rule::Family::Provisioning,
    severity: Severity::Error,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &[
        "Infra",
        "create_trainer_job",
        "request_trainer_job",
        "wait_trainer_job",
        "request_deployment",
        "wait_deployment",
        "setup_deployment",
        "setup_or_reattach_deployment",
        "setup_training_client",
        "get_deployment_gpu_count",
        "setup_infra",
        "ResourceCleanup",
        "make_reference_client",
    ],
    summary: "A provisioning helper that no longer exists in the cookbook, or an unused import of one.",
    explanation: r#"## What it finds

- Calls (and other references, such as a type annotation) of the cookbook helpers that were
  removed when provisioning moved behind the SDK: `Infra`, `create_trainer_job`,
  `request_trainer_job`, `wait_trainer_job`, `request_deployment`, `wait_deployment`,
  `setup_deployment`, `setup_or_reattach_deployment`, `setup_training_client`,
  `get_deployment_gpu_count`, imported from a cookbook utils module (`training.utils`,
  `training.utils.infra`, ..., aliased or module-qualified).
- Imports of those helpers, or of `setup_infra`, `ResourceCleanup` and `make_reference_client`,
  that nothing in the file uses.

A local function with the same name, or a helper from another library, is not reported.

## Why it matters

Each of these names is an `ImportError` at the target release: the script stops before it does
anything. The message names what replaces the helper (usually the SDK-managed service that
`build_service_client(...)` returns, or the SDK's `TrainerJobManager` / `DeploymentManager` for
standalone jobs).

## Fix safety

**None**: the replacement depends on what the code does with the helper's result. An unused
import can simply be deleted.

## Example

```python
# before
from training.utils import create_trainer_job, setup_infra   # setup_infra: never used

job = create_trainer_job(rlor_mgr, base_model=base_model, infra=infra_cfg)

# after (by hand)
from training.utils import TrainerConfig, build_service_client

service = build_service_client(..., trainer=TrainerConfig(...))
client = service.create_training_client(base_model, lora_rank=0)
```
"#,
};

impl Rule for RemovedHelper {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        let target = ctx.target;
        let mut callees: HashSet<TextRange> = HashSet::new();
        for_each_call(ctx.file.suite(), |call| {
            let Some(name) = utils_callee(ctx, call) else {
                return;
            };
            if !is_helper(&name) {
                return;
            }
            callees.insert(call.func.range());
            let Some(repl) = replacement(&name) else {
                return;
            };
            findings.push(Finding::new(
                &META,
                call.range(),
                format!(
                    "`{}()` no longer exists at {target} (the cookbook removed `{name}` when provisioning moved behind the SDK): {repl}",
                    callee_text(ctx, call)
                ),
            ));
        });
        // Other references (annotations, a helper passed as a value).
        for_each_expr(ctx.file.suite(), |expr| {
            if callees.contains(&expr.range()) {
                return;
            }
            let load = match expr {
                Expr::Name(n) => n.ctx == ExprContext::Load,
                Expr::Attribute(a) => a.ctx == ExprContext::Load,
                _ => false,
            };
            if !load {
                return;
            }
            let Some(CookbookSymbol::Utils(name)) = ctx.semantic.resolve(expr) else {
                return;
            };
            if !is_helper(&name) {
                return;
            }
            let Some(repl) = replacement(&name) else {
                return;
            };
            findings.push(Finding::new(
                &META,
                expr.range(),
                format!(
                    "`{}` no longer exists at {target} (removed from the cookbook): {repl}",
                    ctx.slice(expr.range())
                ),
            ));
        });
        // Imports of removed names that nothing uses.
        for binding in ctx.semantic.bindings() {
            if !binding.is_from {
                continue;
            }
            let Some(CookbookSymbol::Utils(name)) = ctx.semantic.classify(&binding.qualified)
            else {
                continue;
            };
            let Some(repl) = replacement(&name) else {
                continue;
            };
            if !ctx.semantic.name_uses(&binding.name).is_empty() {
                continue;
            }
            findings.push(Finding::new(
                &META,
                binding.alias_range,
                format!(
                    "`{name}` is imported but never used, and it no longer exists at {target} (an `ImportError`): delete the import; {repl}"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_removed_name_has_a_replacement_and_a_needle() {
        for name in fwmigrate_rule::api::REMOVED_UTILS {
            assert!(
                replacement(name).is_some(),
                "{name} has no replacement text"
            );
            assert!(META.needles.contains(name), "{name} is not a needle");
        }
    }
}
