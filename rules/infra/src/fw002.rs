//! FW002 `infra-keyword`: `infra=` → `trainer=`, and `cfg.infra.<field>` → `cfg.trainer.<field>`.

use fwmigrate_rule::ast::{self, Expr};
use fwmigrate_rule::cookbook::as_utils_call;
use fwmigrate_rule::semantic::CookbookSymbol;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Rule, RuleCode, RuleMeta, Severity,
    walk,
};

use crate::common::{ConfigVars, recipe_config, renamed_infra_field};

pub struct InfraKeyword;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW002"),
    name: "infra-keyword",
    family: fwmigrate_rule::Family::Infra,
    severity: Severity::Error,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    // `infra=` / `infra =` keywords and `.infra` attribute access: every form FW002 rewrites.
    needles: &[".infra", "infra=", "infra ="],
    summary: "`infra=` on a recipe `Config` is `trainer=` now.",
    explanation: r#"## What it finds

- `infra=` passed to a recipe `Config(...)` (`rl_loop.Config`, `sft_loop.Config`, ... resolved
  through imports);
- `infra=` whose value is an `InfraConfig(...)`/`TrainerConfig(...)` construction, in another
  call that resolves to the cookbook;
- attribute access `cfg.infra` / `cfg.infra.<field>` (reads and assignments) on a recipe config,
  and `dataclasses.replace(cfg, infra=...)` on one.

## Why it matters

Every recipe `Config` renamed its `infra` field to `trainer` (a `TrainerConfig`). Passing
`infra=` is a `TypeError` at both targets, and `cfg.infra` an `AttributeError`. Inside the
trainer config three fields were renamed (`ref_training_shape_id` →
`reference_training_shape_id`, `trainer_timeout_s` → `timeout_s`, `trainer_replica_count` →
`replica_count`), so `cfg.infra.trainer_timeout_s` becomes `cfg.trainer.timeout_s`.

## Fix safety

**Safe**: the fix renames the keyword (the `InfraConfig(...)` value is FW001's business), or the
attribute when `cfg` is bound in the same scope only to recipe `Config(...)` constructions, or
annotated with a recipe `Config`. When the type of `cfg` is only guessed from its name (`cfg`,
`config`, `*_cfg`, `self.config`, ...) in a file that imports a recipe, the fix is unsafe. A
call that passes both `infra=` and `trainer=` gets no automatic fix.

## Example

```python
cfg = rl_loop.Config(log_path="x", infra=InfraConfig())
cfg.infra.trainer_replica_count = 2
```

becomes

```python
cfg = rl_loop.Config(log_path="x", trainer=TrainerConfig())
cfg.trainer.replica_count = 2
```
"#,
};

// Cookbook helpers that are gone at both targets: their keywords are FW101/FW104's business.
use fwmigrate_rule::api::REMOVED_UTILS as REMOVED_HELPERS;

impl Rule for InfraKeyword {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        let vars = ConfigVars::new(ctx);
        walk::for_each_call(ctx.file.suite(), |call| {
            check_call(ctx, &vars, call, findings)
        });

        // `cfg.infra` and `cfg.infra.<field>`: collect (inner attribute, field) pairs, outermost
        // first, so `cfg.infra.x` is handled once with its field.
        let mut handled: Vec<&ast::ExprAttribute> = Vec::new();
        let mut sites: Vec<(&ast::ExprAttribute, Option<&ast::Identifier>)> = Vec::new();
        walk::for_each_expr(ctx.file.suite(), |expr| {
            let Expr::Attribute(outer) = expr else { return };
            if let Expr::Attribute(inner) = outer.value.as_ref()
                && inner.attr.id.as_str() == "infra"
            {
                handled.push(inner);
                sites.push((inner, Some(&outer.attr)));
                return;
            }
            if outer.attr.id.as_str() == "infra" && !handled.iter().any(|h| h.range == outer.range)
            {
                sites.push((outer, None));
            }
        });
        for (inner, field) in sites {
            if let Some(f) = check_attribute(&vars, inner, field) {
                findings.push(f);
            }
        }
    }
}

fn check_call(ctx: &Context, vars: &ConfigVars, call: &ast::ExprCall, findings: &mut Vec<Finding>) {
    let Some(kw) = walk::keyword(call, "infra") else {
        return;
    };
    // `dataclasses.replace(cfg, infra=...)` on a recipe config.
    if ctx.semantic.qualified_name(&call.func).as_deref() == Some("dataclasses.replace") {
        replace_call(vars, call, kw, findings);
        return;
    }
    let recipe = recipe_config(ctx, call);
    let message = match &recipe {
        Some(recipe) => format!(
            "`{recipe}.Config` has no `infra` field at {}: pass the trainer config as `trainer=` \
             (a `TypeError` otherwise)",
            ctx.target
        ),
        None => {
            let Some(symbol) = ctx.semantic.resolve_call(call) else {
                return;
            };
            let skip = match &symbol {
                CookbookSymbol::Utils(name) => REMOVED_HELPERS.contains(&name.as_str()),
                CookbookSymbol::Sdk(_) | CookbookSymbol::SdkModule => true,
                _ => false,
            };
            let trainer_value = as_utils_call(ctx, &kw.value, "InfraConfig").is_some()
                || as_utils_call(ctx, &kw.value, "TrainerConfig").is_some();
            if skip || !trainer_value {
                return;
            }
            "the cookbook takes the trainer config as `trainer=` now, not `infra=`".to_string()
        }
    };
    let finding = Finding::new(&META, kw.range, message);
    let Some(arg) = &kw.arg else { return };
    if walk::keyword(call, "trainer").is_some() {
        findings.push(finding.with_fix(Fix::display_only(
            "Rename `infra=` to `trainer=`",
            None,
            "the call already passes `trainer=`; keep one of the two by hand",
        )));
        return;
    }
    findings.push(finding.with_fix(Fix::safe(
        "Rename `infra=` to `trainer=`",
        vec![Edit::replacement(arg.range, "trainer")],
    )));
}

/// `dataclasses.replace(cfg, infra=...)`: the same rename when `cfg` is a recipe config.
fn replace_call(
    vars: &ConfigVars,
    call: &ast::ExprCall,
    kw: &ast::Keyword,
    findings: &mut Vec<Finding>,
) {
    let Some(base) = call.arguments.args.first() else {
        return;
    };
    let Some((shown, guessed)) = config_base(vars, base) else {
        return;
    };
    let Some(arg) = &kw.arg else { return };
    let message = format!(
        "recipe configs renamed `infra` to `trainer`: `replace({shown}, infra=...)` fails with a \
         `TypeError`; pass `trainer=`"
    );
    let finding = Finding::new(&META, kw.range, message);
    let title = "Rename `infra=` to `trainer=`";
    if walk::keyword(call, "trainer").is_some() {
        findings.push(finding.with_fix(Fix::display_only(
            title,
            None,
            "the call already passes `trainer=`; keep one of the two by hand",
        )));
        return;
    }
    let edits = vec![Edit::replacement(arg.range, "trainer")];
    let fix = if guessed {
        Fix::unsafe_edits(title, edits).with_reason(format!(
            "`{shown}` is only assumed to be a recipe `Config` from its name"
        ))
    } else {
        Fix::safe(title, edits)
    };
    findings.push(finding.with_fix(fix));
}

/// Whether `base` holds a recipe config: `Some((text, guessed))`, where `guessed` means only the
/// name suggests it.
fn config_base(vars: &ConfigVars, base: &Expr) -> Option<(String, bool)> {
    vars.base(base)
        .map(|(shown, recipe)| (shown, recipe.is_none()))
}

fn check_attribute(
    vars: &ConfigVars,
    inner: &ast::ExprAttribute,
    field: Option<&ast::Identifier>,
) -> Option<Finding> {
    let (shown, guessed) = config_base(vars, inner.value.as_ref())?;
    let mut edits = vec![Edit::replacement(inner.attr.range, "trainer")];
    let mut message = format!(
        "recipe configs renamed `infra` to `trainer`: `{shown}.infra` is `{shown}.trainer` (an \
         `AttributeError` otherwise)"
    );
    if let Some(field) = field {
        let old = field.id.as_str();
        let new = renamed_infra_field(old);
        if new != old {
            edits.push(Edit::replacement(field.range, new));
            message = format!(
                "recipe configs renamed `infra` to `trainer` and `TrainerConfig` renamed `{old}` \
                 to `{new}`: `{shown}.infra.{old}` is `{shown}.trainer.{new}`"
            );
        }
    }
    let title = "Rename to `.trainer`";
    let fix = if guessed {
        Fix::unsafe_edits(title, edits).with_reason(format!(
            "`{shown}` is only assumed to be a recipe `Config` from its name"
        ))
    } else {
        Fix::safe(title, edits)
    };
    Some(Finding::new(&META, inner.range, message).with_fix(fix))
}
