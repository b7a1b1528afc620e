//! FW201 `trainer-accelerator`: accelerator fields on the trainer config.

use fwmigrate_rule::ast::{self, Expr, Stmt};
use fwmigrate_rule::message::{callee_text, snippet};
use fwmigrate_rule::semantic::CookbookSymbol;
use fwmigrate_rule::walk::{for_each_call, for_each_stmt, is_none, keyword, keyword_name};
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta, Severity,
    Target,
};

use crate::common::{
    LocalVars, VarKind, contains_walrus, delete_keyword_fix, delete_stmt, trainer_class,
};

pub struct TrainerAccelerator;

pub(crate) const FIELDS: &[&str] = &["accelerator_type", "accelerator_count"];

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW201"),
    name: "trainer-accelerator",
    family: fwmigrate_rule::Family::Shapes,
    severity: Severity::Error,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["accelerator_"],
    summary: "`accelerator_type=` / `accelerator_count=` on the trainer config: shapes own the hardware.",
    explanation: r#"## What it finds

`accelerator_type=` / `accelerator_count=` passed to the cookbook's `TrainerConfig(...)` or
legacy `InfraConfig(...)`, and statements that assign those fields on a trainer config:
`cfg.trainer.accelerator_type = ...`, `cfg.infra.accelerator_count = ...`,
`trainer_cfg.accelerator_count = ...`.

## Why it matters

Training shapes own the hardware: a client cannot choose trainer accelerators. At `2026.06`
`TrainerConfig` still accepts the fields and ignores them; at `2026.08` the keywords raise
`TypeError`, and assigning the attributes does nothing. Set `training_shape_id`, or leave it
unset so the recipe picks the smallest validated shape.

## What counts as the cookbook's config

A call fires only when its callee resolves to `TrainerConfig` / `InfraConfig` imported from a
cookbook utils module (`training.utils`, `training.utils.config`, ..., aliased or
module-qualified like `utils.TrainerConfig(...)`, imports inside functions included). A local
class of the same name, another library's config, or a callee that does not resolve gets no
finding. For assignments, the owner must be `<x>.trainer` / `<x>.infra` or a variable bound to a
cookbook `TrainerConfig(...)` / `InfraConfig(...)` construction:

- when `<x>` is bound in the same scope to a recipe `Config(...)` construction (or annotated
  with it), or the variable is bound to a trainer config construction, the fix is **safe**;
- when the type of `<x>` is only guessed from the `.trainer` / `.infra` attribute (a parameter,
  `self.cfg`, ...), the finding is reported only in files that import the cookbook, and the fix
  is **unsafe**.

## Fix safety

**Safe**: the fix deletes the keyword (with its comma, and its line when it had one of its own;
comments on other lines stay), or the assignment statement. A statement that is the only
one in its block becomes `pass`. A keyword whose line carries a comment becomes an unsafe fix
(the comment would go with it).

## Example

```python
# before
trainer = TrainerConfig(
    training_shape_id=args.shape,
    accelerator_type="NVIDIA_H200_141GB",
    accelerator_count=8,
)
if args.big:
    cfg.trainer.accelerator_count = 16

# after
trainer = TrainerConfig(
    training_shape_id=args.shape,
)
if args.big:
    pass
```
"#,
};

impl Rule for TrainerAccelerator {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        check_keywords(ctx, findings);
        check_assignments(ctx, findings);
    }
}

/// Whether the target's `TrainerConfig` still has the hardware field (it then accepts the value
/// and ignores it) or no longer has it (the constructor raises `TypeError`).
fn target_keeps(target: Target, field: &str) -> bool {
    target.release().class_has_field("TrainerConfig", field)
}

fn effect(target: Target, field: &str, what: &str) -> String {
    if target_keeps(target, field) {
        format!("{what} is accepted but ignored at {target}")
    } else {
        format!("{what} raises TypeError at {target}")
    }
}

pub(crate) const ADVICE: &str = "shapes own the trainer hardware. Set `training_shape_id`, or leave it unset so the recipe picks the smallest validated shape";

fn check_keywords(ctx: &Context, findings: &mut Vec<Finding>) {
    for_each_call(ctx.file.suite(), |call| {
        if trainer_class(ctx, call).is_none() {
            return;
        }
        let has_shape = keyword(call, "training_shape_id").is_some_and(|k| !is_none(&k.value));
        for kw in &call.arguments.keywords {
            let Some(name) = keyword_name(kw).filter(|n| FIELDS.contains(n)) else {
                continue;
            };
            let what = format!(
                "`{}` on `{}(...)`",
                snippet(ctx, kw.range()),
                callee_text(ctx, call)
            );
            let message = if has_shape {
                format!(
                    "{}: shapes own the trainer hardware, and this call's `training_shape_id` \
                     already decides it. Delete the keyword.",
                    effect(ctx.target, name, &what)
                )
            } else {
                format!("{}: {ADVICE}.", effect(ctx.target, name, &what))
            };
            let fix = delete_keyword_fix(ctx, call, kw, name);
            findings.push(Finding::new(&META, kw.range(), message).with_fix(fix));
        }
    });
}

/// How sure we are that an assignment target is a cookbook trainer config field.
enum Owner {
    Known,
    Guessed(String),
}

fn owner(ctx: &Context, vars: &LocalVars, target: &ast::ExprAttribute) -> Option<Owner> {
    if !FIELDS.contains(&target.attr.id.as_str()) {
        return None;
    }
    match target.value.as_ref() {
        Expr::Attribute(inner) if matches!(inner.attr.id.as_str(), "trainer" | "infra") => {
            match inner.value.as_ref() {
                Expr::Name(base) => {
                    match vars.kind_at(ctx, base.id.as_str(), target.start()) {
                        VarKind::Known(CookbookSymbol::RecipeConfig(_)) => Some(Owner::Known),
                        // Bound to some other cookbook object: `x.trainer` is not a config field.
                        VarKind::Known(_) => None,
                        VarKind::Other | VarKind::Unbound => Some(Owner::Guessed(format!(
                            "`{}` is not bound to a recipe `Config(...)` in this scope; its type is guessed from `.{}`",
                            base.id, inner.attr.id
                        ))),
                    }
                }
                _ => Some(Owner::Guessed(format!(
                    "the type of `{}` is guessed from `.{}`",
                    ctx.slice(inner.value.range()),
                    inner.attr.id
                ))),
            }
        }
        Expr::Name(name) => match vars.kind_at(ctx, name.id.as_str(), target.start()) {
            VarKind::Known(CookbookSymbol::Utils(class))
                if class == "TrainerConfig" || class == "InfraConfig" =>
            {
                Some(Owner::Known)
            }
            _ => None,
        },
        _ => None,
    }
}

fn check_assignments(ctx: &Context, findings: &mut Vec<Finding>) {
    let vars = LocalVars::new(ctx);
    for_each_stmt(ctx.file.suite(), |stmt| {
        let (target, value) = match stmt {
            Stmt::Assign(assign) if assign.targets.len() == 1 => {
                (&assign.targets[0], Some(assign.value.as_ref()))
            }
            Stmt::AugAssign(assign) => (assign.target.as_ref(), Some(assign.value.as_ref())),
            Stmt::AnnAssign(assign) if assign.value.is_some() => {
                (assign.target.as_ref(), assign.value.as_deref())
            }
            _ => return,
        };
        let Expr::Attribute(attr) = target else {
            return;
        };
        let Some(owner) = owner(ctx, &vars, attr) else {
            return;
        };
        if matches!(owner, Owner::Guessed(_)) && !ctx.semantic.imports_cookbook() {
            return;
        }
        let what = snippet(ctx, stmt.range());
        let effect = if target_keeps(ctx.target, attr.attr.as_str()) {
            format!("sets a field the trainer config ignores at {}", ctx.target)
        } else {
            format!(
                "sets a field the trainer config no longer has at {}",
                ctx.target
            )
        };
        let message = format!("`{what}` {effect}: {ADVICE}.");
        let fix = match delete_stmt(ctx, stmt.range()) {
            Some(deletion) => {
                let mut fix = Fix::safe(
                    format!("Delete the `{}` assignment", ctx.slice(attr.range())),
                    vec![deletion.edit],
                )
                .with_isolation(Some(deletion.block));
                if let Owner::Guessed(reason) = owner {
                    fix = fix
                        .with_applicability(Applicability::Unsafe)
                        .with_reason(reason);
                } else if value.is_some_and(contains_walrus) {
                    fix = fix
                        .with_applicability(Applicability::Unsafe)
                        .with_reason("the value binds a name with `:=`");
                }
                fix
            }
            None => Fix::display_only(
                format!("Delete the `{}` assignment", ctx.slice(attr.range())),
                None,
                "the statement cannot be removed on its own; delete it by hand",
            ),
        };
        findings.push(Finding::new(&META, stmt.range(), message).with_fix(fix));
    });
}
