//! FW001 `infra-config`: `InfraConfig(...)` → `TrainerConfig(...)`.

use std::collections::HashSet;

use fwmigrate_rule::ast::{self, Expr};
use fwmigrate_rule::parser::imports::{remove_binding, rename_binding};
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Ranged, Rule, RuleMeta, Severity, walk,
};

use crate::common::{
    binding_uses, import_binding, infra_positional_field, is_utils_call, name_is_taken,
    plain_positional, positional_range, renamed_infra_field, short, trainer_config_in_scope,
};

pub struct InfraConfigRule;

pub static META: RuleMeta = RuleMeta {
    code: "FW001",
    name: "infra-config",
    family: "infra",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    needles: &["InfraConfig"],
    summary: "`InfraConfig(...)` is replaced by `TrainerConfig(...)`",
    explanation: r#"## What it finds

A construction of the cookbook's `InfraConfig(...)` (resolved through imports: `from
training.utils import InfraConfig as IC`, `utils.InfraConfig(...)`, star imports, imports inside
functions). A local class that happens to be called `InfraConfig` is not reported.

## Why

Since the 2026.06 release the recipes and `build_service_client(...)` take a
`TrainerConfig` (`trainer=`), and `InfraConfig` only survives as a legacy class that nothing in
the new API consumes. Three fields were renamed on the way:

| `InfraConfig` | `TrainerConfig` |
|---|---|
| `ref_training_shape_id` | `reference_training_shape_id` |
| `trainer_timeout_s` | `timeout_s` |
| `trainer_replica_count` | `replica_count` |

`managed_by` exists on `TrainerConfig` at 2026.08 only; at 2026.06 it is dropped (the message
names its value). `accelerator_type` / `accelerator_count` are left to FW201.

Severity: warning. Constructing `InfraConfig` does not fail by itself at either target; passing
it where a `TrainerConfig` is expected does, and that is reported by FW002 (`infra=`) and the
provisioning rules.

## Fix (safe)

Renames the callee (keeping a module qualifier: `utils.InfraConfig` → `utils.TrainerConfig`) and
the keywords. Positional arguments are turned into keywords by the legacy field order when that
order is the same in every release (the first two); otherwise the fix is display-only. The import
is rewritten with the fix: renamed in place when this was the last use of `InfraConfig`, merged
into an existing `TrainerConfig` import, or `TrainerConfig` is added next to it while other uses
remain (a later pass finishes the job). With `**kwargs` the fix is unsafe: the dictionary may
still hold old field names.

## Example

```python
from training.utils import InfraConfig
infra = InfraConfig(training_shape_id=SHAPE, trainer_timeout_s=7200)
```

becomes

```python
from training.utils import TrainerConfig
infra = TrainerConfig(training_shape_id=SHAPE, timeout_s=7200)
```
"#,
};

impl Rule for InfraConfigRule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        walk::for_each_call(ctx.file.suite(), |call| {
            if is_utils_call(ctx, call, "InfraConfig") {
                findings.push(check_call(ctx, call));
            }
        });
    }
}

fn check_call(ctx: &Context, call: &ast::ExprCall) -> Finding {
    let target = ctx.target;
    let release = target.release();
    let mut edits: Vec<Edit> = Vec::new();
    let mut renamed: Vec<String> = Vec::new();
    let mut dropped_fields: Vec<String> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut final_names: Vec<String> = Vec::new();
    let mut deletions = Vec::new();

    // Positional arguments → keywords by the legacy field order.
    for (i, arg) in call.arguments.args.iter().enumerate() {
        if !plain_positional(arg) {
            problems.push("it unpacks positional arguments (`*args`)".to_string());
            continue;
        }
        match infra_positional_field(i) {
            Ok(field) => {
                let range = positional_range(ctx.file, &call.arguments, arg);
                let new = renamed_infra_field(field);
                let text = ctx.slice(range);
                final_names.push(new.to_string());
                edits.push(Edit::replacement(range, format!("{new}={text}")));
            }
            Err(reason) => problems.push(reason),
        }
    }

    for kw in &call.arguments.keywords {
        let Some(name) = walk::keyword_name(kw) else {
            continue;
        };
        let new = renamed_infra_field(name);
        let is_legacy_field = fwmigrate_rule::api::legacy().class_has_field("InfraConfig", name);
        let accelerator = name == "accelerator_type" || name == "accelerator_count";
        if is_legacy_field && !accelerator && !release.class_has_field("TrainerConfig", new) {
            dropped_fields.push(format!(
                "`{name}={}` is dropped: `TrainerConfig` has no `{new}` at {target}",
                short(ctx.slice(&kw.value))
            ));
            deletions.push(kw.range);
            continue;
        }
        if new != name {
            if let Some(arg) = &kw.arg {
                edits.push(Edit::replacement(arg.range, new));
            }
            renamed.push(format!("`{name}` → `{new}`"));
        }
        final_names.push(new.to_string());
    }
    let mut seen = HashSet::new();
    for n in &final_names {
        if !seen.insert(n.as_str()) {
            problems.push(format!(
                "the renamed call would pass `{n}` twice; merge the two values by hand"
            ));
        }
    }
    edits.extend(crate::common::delete_arguments(
        ctx.file,
        &call.arguments,
        &deletions,
    ));

    // Callee and import.
    let callee = callee_edits(ctx, call);
    let mut message = String::from(
        "`InfraConfig` is the legacy trainer config: the cookbook takes `TrainerConfig` \
         (`trainer=`) now",
    );
    if !renamed.is_empty() {
        message.push_str(&format!("; renamed fields: {}", renamed.join(", ")));
    }
    for d in &dropped_fields {
        message.push_str("; ");
        message.push_str(d);
    }

    let fix = match callee {
        Err(reason) => {
            problems.push(reason);
            None
        }
        Ok(callee_edits) => {
            edits.extend(callee_edits);
            Some(())
        }
    };
    let finding = Finding::new(&META, call.range(), message);
    if !problems.is_empty() || fix.is_none() {
        let suggestion = suggestion(ctx, call);
        return finding.with_fix(Fix::display_only(
            "Rewrite as `TrainerConfig(...)`",
            Some(suggestion),
            format!("no automatic fix: {}", problems.join("; ")),
        ));
    }
    let mut fix = Fix::safe("Rewrite as `TrainerConfig(...)`", edits);
    if call.arguments.keywords.iter().any(|k| k.arg.is_none()) {
        fix = fix
            .with_applicability(Applicability::Unsafe)
            .with_reason("the `**` mapping may still hold `InfraConfig` field names");
    }
    finding.with_fix(fix)
}

/// The edits that make the callee a `TrainerConfig` (and keep the imports right).
fn callee_edits(ctx: &Context, call: &ast::ExprCall) -> Result<Vec<Edit>, String> {
    match call.func.as_ref() {
        Expr::Attribute(attr) => Ok(vec![Edit::replacement(attr.attr.range, "TrainerConfig")]),
        Expr::Name(name) => {
            let offset = name.range.start();
            let Some(binding) = import_binding(ctx, &call.func) else {
                // A star import: `TrainerConfig` comes from the same star import.
                return match ctx.semantic.local_name_for_utils("TrainerConfig", offset) {
                    Some(local) => Ok(vec![Edit::replacement(name.range, local)]),
                    None => Err("`TrainerConfig` is not importable here".to_string()),
                };
            };
            let others = binding_uses(ctx, binding, &[name.range]);
            if let Some(local) = ctx.semantic.local_name_for_utils("TrainerConfig", offset) {
                let mut edits = vec![Edit::replacement(name.range, local)];
                if others == 0 {
                    edits.extend(remove_binding(ctx.file, ctx.semantic, binding));
                }
                return Ok(edits);
            }
            if others == 0 {
                if binding.name == "InfraConfig" || !name_is_taken(ctx, "TrainerConfig") {
                    return Ok(vec![
                        rename_binding(binding, "TrainerConfig", None),
                        Edit::replacement(name.range, "TrainerConfig"),
                    ]);
                }
                // `TrainerConfig` means something else here: keep the alias.
                return Ok(vec![rename_binding(
                    binding,
                    "TrainerConfig",
                    Some(&binding.name),
                )]);
            }
            // Other uses of the old name remain: bring `TrainerConfig` in next to it.
            let (local, import) = trainer_config_in_scope(ctx, offset)?;
            let mut edits = vec![Edit::replacement(name.range, local)];
            if binding.is_from && import.is_some() {
                edits.push(fwmigrate_rule::parser::imports::add_from_import(
                    ctx.file,
                    &binding.module,
                    "TrainerConfig",
                ));
            } else {
                edits.extend(import);
            }
            Ok(edits)
        }
        _ => Err("the callee is not a plain name".to_string()),
    }
}

/// `TrainerConfig(...)` with every argument as a keyword by the legacy field order, for a
/// display-only fix.
fn suggestion(ctx: &Context, call: &ast::ExprCall) -> String {
    let legacy = fwmigrate_rule::api::legacy()
        .class("InfraConfig")
        .unwrap_or(&[]);
    let mut parts = Vec::new();
    for (i, arg) in call.arguments.args.iter().enumerate() {
        let text = ctx.slice(positional_range(ctx.file, &call.arguments, arg));
        match legacy.get(i) {
            Some(f) if plain_positional(arg) => {
                parts.push(format!("{}={}", renamed_infra_field(&f.name), text))
            }
            _ => parts.push(text.to_string()),
        }
    }
    for kw in &call.arguments.keywords {
        match walk::keyword_name(kw) {
            Some(n) => parts.push(format!(
                "{}={}",
                renamed_infra_field(n),
                ctx.slice(&kw.value)
            )),
            None => parts.push(ctx.slice(kw.range).to_string()),
        }
    }
    format!("TrainerConfig({})", parts.join(", "))
}
