//! FW303 `per-deployment-scope`: `WeightSyncScope.PER_DEPLOYMENT` on the SDK-managed path.

use fwmigrate_rule::ast::Expr;
use fwmigrate_rule::cookbook::is_deploy_config;
use fwmigrate_rule::message::callee_text;
use fwmigrate_rule::parser::edits::delete_argument;
use fwmigrate_rule::semantic::imports::remove_binding;
use fwmigrate_rule::walk::{for_each_call, for_each_expr, keyword};
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta, Severity,
};

use crate::common::{Scope, scope_member};

pub struct PerDeploymentScope;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW303"),
    name: "per-deployment-scope",
    family: fwmigrate_rule::Family::Hotload,
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["PER_DEPLOYMENT", "per_deployment"],
    summary: "`weight_sync_scope=WeightSyncScope.PER_DEPLOYMENT` on DeployConfig is ignored by the SDK-managed path.",
    explanation: r#"## What it finds

`weight_sync_scope=WeightSyncScope.PER_DEPLOYMENT` (or the string `"per_deployment"`) passed to
the cookbook's `DeployConfig(...)` in a file that uses the SDK-managed path, i.e. a file that
never mentions `setup_infra`.

## Why it matters

The managed path (`build_service_client(...)`, recipe `main(cfg)`) always syncs weights
PER_TRAINER and ignores the field: the script reads as if it used a deployment-scoped bucket,
and it does not. Files still on `setup_infra` are left alone: there the scope is honoured (FW101
migrates them first).

## Name resolution

`DeployConfig` must resolve to a cookbook utils module (plain, aliased,
module-qualified, imported inside a function). Another library's `DeployConfig` is not reported.

## Fix safety

**Unsafe**: the fix deletes the keyword; the `WeightSyncScope` import goes too when nothing else
uses it. Unsafe because it removes a setting the author chose: make sure no other code relies on
the deployment-scoped bucket.

## Example

```python
# before
from training.utils import DeployConfig, WeightSyncScope
DEPLOY = DeployConfig(weight_sync_scope=WeightSyncScope.PER_DEPLOYMENT)
# after (--unsafe-fixes)
from training.utils import DeployConfig
DEPLOY = DeployConfig()
```
"#,
};

/// Whether the file still uses the legacy provisioning helper.
fn mentions_setup_infra(ctx: &Context) -> bool {
    if ctx
        .semantic
        .bindings()
        .iter()
        .any(|b| b.name == "setup_infra" || b.qualified.rsplit('.').next() == Some("setup_infra"))
    {
        return true;
    }
    let mut found = false;
    for_each_expr(ctx.file.suite(), |expr| match expr {
        Expr::Name(n) if n.id.as_str() == "setup_infra" => found = true,
        Expr::Attribute(a) if a.attr.id.as_str() == "setup_infra" => found = true,
        _ => {}
    });
    found
}

/// The leftmost name of `a.b.c`.
fn root_name(expr: &Expr) -> Option<&fwmigrate_rule::ast::ExprName> {
    match expr {
        Expr::Name(n) => Some(n),
        Expr::Attribute(a) => root_name(&a.value),
        _ => None,
    }
}

impl Rule for PerDeploymentScope {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        if mentions_setup_infra(ctx) {
            return;
        }
        for_each_call(ctx.file.suite(), |call| {
            if !is_deploy_config(ctx, call) {
                return;
            }
            let Some(kw) = keyword(call, "weight_sync_scope") else {
                return;
            };
            if scope_member(&kw.value) != Some(Scope::PerDeployment) {
                return;
            }
            let mut edits = vec![delete_argument(ctx.file, &call.arguments, kw.range())];
            let mut isolation = None;
            // The import of the enum goes when this keyword was its last use.
            if let Some(root) = root_name(&kw.value)
                && let Some(binding) = ctx.semantic.binding_at(root.id.as_str(), root.start())
                && ctx
                    .semantic
                    .name_uses_outside(root.id.as_str(), &[kw.range()])
                    == 0
                && let Some(edit) = remove_binding(ctx.file, ctx.semantic, binding)
            {
                edits.push(edit);
                // One such fix per pass: two keywords that share the import must not both
                // decide it is unused.
                isolation = Some(binding.stmt_range);
            } else if let Some(root) = root_name(&kw.value)
                && let Some(binding) = ctx.semantic.binding_at(root.id.as_str(), root.start())
            {
                isolation = Some(binding.stmt_range);
            }
            let message = format!(
                "`weight_sync_scope={}` on `{}(...)` is ignored: the SDK-managed path always \
                 syncs weights PER_TRAINER. Delete it.",
                ctx.slice(kw.value.range()),
                callee_text(ctx, call)
            );
            let fix = Fix::unsafe_edits("Delete `weight_sync_scope=`", edits)
                .with_reason("removes a setting the script chose; check nothing relies on a deployment-scoped bucket")
                .with_isolation(isolation);
            findings.push(Finding::new(&META, kw.range(), message).with_fix(fix));
        });
    }
}
