//! FW102 `resource-cleanup`: the removed `ResourceCleanup(...)` context manager, and manual
//! registrations on it.

use fwmigrate_rule::ast::{self, Expr, Stmt};
use fwmigrate_rule::walk::{for_each_call, for_each_stmt, keyword, string_value};
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta, Severity,
    Target,
};

use crate::setup_infra::analyze;
use fwmigrate_rule::cookbook::calls_utils;
use fwmigrate_rule::message::callee_text;

pub struct ResourceCleanup;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW102"),
    name: "resource-cleanup",
    family: fwmigrate_rule::Family::Provisioning,
    severity: Severity::Error,
    fix: Some(Applicability::DisplayOnly),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["ResourceCleanup"],
    summary: "`ResourceCleanup(...)` is gone: the SDK-managed service owns cleanup.",
    explanation: r#"## What it finds

Constructions of the cookbook's `ResourceCleanup(...)` (usually
`with ResourceCleanup(rlor_mgr, deploy_mgr) as cleanup:`), resolved through imports like every
cookbook name; and the manual registrations on it, `cleanup.trainer(job_id)` and
`cleanup.deployment(deployment_id, action=...)`.

## Why it matters

`ResourceCleanup` was removed (an `ImportError` at the target). The service returned by
`build_service_client(...)` owns the jobs it creates and cleans them up on `service.close()`:
`cleanup_trainer_on_close=True` deletes the trainer,
`cleanup_deployment_on_close="scale_to_zero"` / `"delete"` (at `2026.08`) scales down or deletes
the deployment. Call `service.close()` in a `finally:` block.

## Fix safety

**Display-only**. The `with` goes away together with FW101's unsafe fix when the block is
FW101's canonical shape (one `setup_infra(..., cleanup=cleanup)` directly inside it, `cleanup`
used for nothing else): FW101's fix removes the `with`, dedents its body and sets the clean-up
options, so this finding carries no edit of its own. Manual registrations get a suggestion
naming the matching service option.

## Example

```python
# before
with ResourceCleanup(rlor_mgr, deploy_mgr) as cleanup:
    infra = setup_infra(..., cleanup=cleanup)
    cleanup.deployment(deploy_cfg.deployment_id, action="delete")

# after (by hand)
service = build_service_client(
    ...,
    cleanup_trainer_on_close=True,
    cleanup_deployment_on_close="delete",
)
try:
    ...
finally:
    service.close()
```
"#,
};

/// Whether the target's `build_service_client` takes `cleanup_deployment_on_close` (the service
/// then cleans the deployment up on `close()` too).
fn cleans_deployment(target: Target) -> bool {
    target
        .release()
        .function("build_service_client")
        .is_some_and(|params| {
            params
                .iter()
                .any(|p| p.name == "cleanup_deployment_on_close")
        })
}

fn options(target: Target) -> &'static str {
    if cleans_deployment(target) {
        "`cleanup_trainer_on_close=True` and `cleanup_deployment_on_close=\"scale_to_zero\"` (or `\"delete\"`)"
    } else {
        "`cleanup_trainer_on_close=True`"
    }
}

/// The `with` statement whose (only) item is this call, with the name it binds.
fn enclosing_with<'a>(
    suite: &'a [Stmt],
    call: &ast::ExprCall,
) -> Option<(&'a ast::StmtWith, Option<&'a ast::ExprName>)> {
    let mut found = None;
    for_each_stmt(suite, |stmt| {
        if let Stmt::With(w) = stmt {
            for item in &w.items {
                if item.context_expr.range() == call.range() {
                    let name = match item.optional_vars.as_deref() {
                        Some(Expr::Name(n)) => Some(n),
                        _ => None,
                    };
                    found = Some((w, name));
                }
            }
        }
    });
    found
}

impl Rule for ResourceCleanup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        for_each_call(ctx.file.suite(), |call| {
            if !calls_utils(ctx, call, "ResourceCleanup") {
                return;
            }
            let with = enclosing_with(ctx.file.suite(), call);
            let with_fw101 = with.is_some_and(|(w, _)| removed_by_fw101(ctx, w));
            findings.push(construction_finding(ctx, call, with_fw101));
            if let Some((w, Some(name))) = with {
                let managers = Managers::passed_to(ctx, call);
                check_registrations(ctx, w, name, &managers, findings);
            }
        });
    }
}

/// Whether FW101's canonical rewrite of a `setup_infra(...)` inside the `with` removes it.
fn removed_by_fw101(ctx: &Context, with: &ast::StmtWith) -> bool {
    let mut removed = false;
    for_each_call(&with.body, |inner| {
        if calls_utils(ctx, inner, "setup_infra")
            && let Ok(rewrite) = analyze(ctx, inner).fix
        {
            removed |= rewrite.removes_with == Some(with.range);
        }
    });
    removed
}

/// The finding on `ResourceCleanup(...)` itself: the service's clean-up options replace it.
fn construction_finding(ctx: &Context, call: &ast::ExprCall, with_fw101: bool) -> Finding {
    let target = ctx.target;
    let mut notes = Vec::new();
    let extra = call.arguments.args.len() > 2
        || call.arguments.keywords.iter().any(|k| {
            k.arg
                .as_ref()
                .is_some_and(|a| a.id.as_str().ends_with("grace_period_s"))
        });
    if extra {
        notes.push(
            "; the trainer grace periods have no equivalent (the service deletes its trainer on close)",
        );
    }
    let managers = if call.arguments.args.is_empty() && call.arguments.keywords.is_empty() {
        ""
    } else {
        "; the `rlor_mgr`/`deploy_mgr` managers are not needed for this"
    };
    let message = format!(
        "`{}(...)` no longer exists at {target}: the SDK-managed service owns cleanup — pass {} to `build_service_client(...)` and call `service.close()` in a `finally:` block{managers}{}",
        callee_text(ctx, call),
        options(target),
        notes.concat(),
    );
    let suggestion = if cleans_deployment(target) {
        "service = build_service_client(\n    ...,\n    cleanup_trainer_on_close=True,\n    cleanup_deployment_on_close=\"scale_to_zero\",\n)\ntry:\n    ...\nfinally:\n    service.close()"
    } else {
        "service = build_service_client(..., cleanup_trainer_on_close=True)\ntry:\n    ...\nfinally:\n    service.close()"
    };
    let reason = if with_fw101 {
        "removed together with FW101's fix of the `setup_infra(...)` inside it (rerun with --unsafe-fixes)"
    } else {
        "the cleanup options belong to the `build_service_client(...)` that replaces `setup_infra(...)`"
    };
    Finding::new(&META, call.range(), message).with_fix(Fix::display_only(
        "Let the service clean up: `service.close()` with the cleanup options",
        Some(suggestion.to_string()),
        reason,
    ))
}

/// The managers as `ResourceCleanup(rlor_mgr, deploy_mgr)` was given them, for the messages
/// about a job or deployment that is not the service's own.
struct Managers {
    rlor_mgr: String,
    deploy_mgr: String,
}

impl Managers {
    fn passed_to(ctx: &Context, call: &ast::ExprCall) -> Self {
        let manager = |i: usize, default: &str| {
            call.arguments
                .args
                .get(i)
                .filter(|a| a.is_name_expr() || a.is_attribute_expr())
                .map_or(default.to_string(), |a| ctx.slice(a.range()).to_string())
        };
        Managers {
            rlor_mgr: manager(0, "rlor_mgr"),
            deploy_mgr: manager(1, "deploy_mgr"),
        }
    }
}

/// Manual registrations on the name the `with` binds: `cleanup.trainer(...)` and
/// `cleanup.deployment(...)`.
fn check_registrations(
    ctx: &Context,
    with: &ast::StmtWith,
    name: &ast::ExprName,
    managers: &Managers,
    findings: &mut Vec<Finding>,
) {
    for_each_call(&with.body, |reg| {
        let Expr::Attribute(attr) = reg.func.as_ref() else {
            return;
        };
        let Expr::Name(owner) = attr.value.as_ref() else {
            return;
        };
        if owner.id != name.id {
            return;
        }
        let (message, suggestion) = match attr.attr.id.as_str() {
            "trainer" => trainer_registration(ctx, reg, managers),
            "deployment" => deployment_registration(ctx, reg, managers),
            _ => return,
        };
        findings.push(
            Finding::new(&META, reg.range(), message).with_fix(Fix::display_only(
                "Use the service's cleanup option",
                Some(suggestion),
                "the option belongs to the `build_service_client(...)` call",
            )),
        );
    });
}

/// The first argument of a registration, as written.
fn registered(ctx: &Context, reg: &ast::ExprCall) -> Option<String> {
    reg.arguments
        .args
        .first()
        .map(|a| ctx.slice(a.range()).to_string())
}

/// `cleanup.trainer(job_id)`: the message and the suggestion.
fn trainer_registration(
    ctx: &Context,
    reg: &ast::ExprCall,
    managers: &Managers,
) -> (String, String) {
    let job = registered(ctx, reg).unwrap_or_else(|| "job_id".to_string());
    let rlor_mgr = &managers.rlor_mgr;
    (
        format!(
            "`{}` registers trainer `{job}` with the removed `ResourceCleanup`: a trainer the service creates is deleted on `service.close()` with `build_service_client(..., cleanup_trainer_on_close=True)`; a job created outside the service must be deleted in a `finally:` block (`{rlor_mgr}.delete({job})`)",
            ctx.slice(reg.func.range())
        ),
        "service = build_service_client(..., cleanup_trainer_on_close=True)".to_string(),
    )
}

/// `cleanup.deployment(deployment_id, action=...)`: the message and the suggestion, by whether
/// the target's service can clean the deployment up itself.
fn deployment_registration(
    ctx: &Context,
    reg: &ast::ExprCall,
    managers: &Managers,
) -> (String, String) {
    let target = ctx.target;
    let deploy_mgr = &managers.deploy_mgr;
    let dep = registered(ctx, reg).unwrap_or_else(|| "deployment_id".to_string());
    let explicit = keyword(reg, "action")
        .and_then(|k| string_value(&k.value))
        .or_else(|| reg.arguments.args.get(1).and_then(string_value));
    let action_note = if explicit.is_some() {
        ""
    } else {
        ", the default"
    };
    let action = explicit.unwrap_or_else(|| "scale_to_zero".to_string());
    // The manager's method for the action.
    let method = if action == "delete" {
        "delete"
    } else {
        "scale_to_zero"
    };
    let option = if cleans_deployment(target) {
        format!(
            "`build_service_client(..., cleanup_deployment_on_close=\"{action}\")` does this on `service.close()`"
        )
    } else {
        format!(
            "at {target} the service has no deployment clean-up option: call `{deploy_mgr}.{method}({dep})` in a `finally:` block"
        )
    };
    (
        format!(
            "`{}` registers deployment `{dep}` (action `{action}`{action_note}) with the removed `ResourceCleanup`: {option}",
            ctx.slice(reg.func.range())
        ),
        if cleans_deployment(target) {
            format!("service = build_service_client(..., cleanup_deployment_on_close=\"{action}\")")
        } else {
            format!("try:\n    ...\nfinally:\n    {deploy_mgr}.{method}({dep})")
        },
    )
}
