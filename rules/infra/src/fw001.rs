//! FW001 `infra-config`: `InfraConfig(...)` → `TrainerConfig(...)`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use fwmigrate_rule::ast::{self, Expr};
use fwmigrate_rule::cookbook::calls_utils;
use fwmigrate_rule::message::short;
use fwmigrate_rule::semantic::Binding;
use fwmigrate_rule::semantic::imports::{add_from_import, remove_binding, rename_binding};
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta,
    Severity, TextRange, walk,
};

use crate::common::{
    binding_use_ranges, import_binding, infra_positional_field, keyword_value, plain_positional,
    positional_range, renamed_infra_field, trainer_config_in_scope_given,
};

pub struct InfraConfigRule;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW001"),
    name: "infra-config",
    family: fwmigrate_rule::Family::Infra,
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["InfraConfig"],
    summary: "`InfraConfig(...)` is replaced by `TrainerConfig(...)`.",
    explanation: r#"## What it finds

A construction of the cookbook's `InfraConfig(...)` (resolved through imports:
`from training.utils import InfraConfig as IC`, `utils.InfraConfig(...)`, star imports, imports
inside functions). A local class that happens to be called `InfraConfig` is not reported.

## Why it matters

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

## Fix safety

**Safe**: the fix renames the callee (keeping a module qualifier: `utils.InfraConfig` →
`utils.TrainerConfig`) and the keywords. Positional arguments are turned into keywords by the
legacy field order when that order is the same in every release (the first two); otherwise the
fix is display-only.

All the calls made through one import are rewritten by one fix, together with the import:
renamed in place (`from training.utils import DeployConfig, InfraConfig` keeps its order), or
dropped when `TrainerConfig` is already imported (its local name is used); while other uses of
the old name remain (annotations, `isinstance`), `TrainerConfig` is added next to it and the old
import stays. An import from `training.utils.infra` / `.rl` (modules that held the removed
provisioning helpers) is pointed at `training.utils`. With `**kwargs` the fix is unsafe: the
mapping may still hold old field names.

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
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        let mut plans: Vec<Plan> = Vec::new();
        walk::for_each_call(ctx.file.suite(), |call| {
            if calls_utils(ctx, call, "InfraConfig") {
                plans.push(plan(ctx, call));
            }
        });
        // Calls through one import binding are rewritten together by one fix, so the import can
        // be renamed or removed in the same pass as its last use.
        let mut groups: Vec<(&Binding, Vec<usize>)> = Vec::new();
        for (i, p) in plans.iter().enumerate() {
            // A suppressed call stays as it is, and counts as a remaining use of the import.
            if !p.problems.is_empty()
                || p.unsafe_reason.is_some()
                || ctx.is_suppressed(META.code, p.call.range().start())
            {
                continue;
            }
            let Some(binding) = import_binding(ctx, &p.call.func) else {
                continue;
            };
            match groups
                .iter_mut()
                .find(|(b, _)| b.alias_range == binding.alias_range)
            {
                Some((_, members)) => members.push(i),
                None => groups.push((binding, vec![i])),
            }
        }
        let uses = Uses::default();
        let mut group_fix: Vec<Option<Fix>> = vec![None; plans.len()];
        for (binding, members) in &groups {
            let callees: Vec<TextRange> = members
                .iter()
                .map(|&i| plans[i].call.func.range())
                .collect();
            if let Ok(import_edits) = binding_callee_edits(ctx, &uses, binding, &callees) {
                let mut edits = import_edits;
                for &i in members {
                    edits.extend(plans[i].edits.iter().cloned());
                }
                let title = if members.len() == 1 {
                    TITLE.to_string()
                } else {
                    format!(
                        "Rewrite the {} `{}(...)` calls as `TrainerConfig(...)`",
                        members.len(),
                        binding.name
                    )
                };
                let fix = Fix::safe(title, edits);
                // Every member carries the group fix (whichever is applied first does the whole
                // job); in very large groups only the first does, to keep conflict checks cheap.
                let carriers = if members.len() <= crate::common::GROUP_LIMIT {
                    members.len()
                } else {
                    1
                };
                for &i in &members[..carriers] {
                    group_fix[i] = Some(fix.clone());
                }
            }
        }
        for (p, grouped) in plans.into_iter().zip(group_fix) {
            findings.push(finish(ctx, &uses, p, grouped));
        }
    }
}

const TITLE: &str = "Rewrite as `TrainerConfig(...)`";

/// The argument edits and the message for one `InfraConfig(...)` call.
struct Plan<'a> {
    call: &'a ast::ExprCall,
    edits: Vec<Edit>,
    problems: Vec<String>,
    unsafe_reason: Option<String>,
    message: String,
}

fn plan<'a>(ctx: &Context, call: &'a ast::ExprCall) -> Plan<'a> {
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
        let parenthesized = positional_range(ctx.file, &call.arguments, arg) != arg.range();
        if !plain_positional(arg) && (!arg.is_named_expr() || !parenthesized) {
            problems.push(if arg.is_starred_expr() {
                "it unpacks positional arguments (`*args`)".to_string()
            } else {
                format!(
                    "positional argument {} cannot become a keyword as written; parenthesize it",
                    i + 1
                )
            });
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
                short(keyword_value(ctx, kw))
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
    let unsafe_reason = call
        .arguments
        .keywords
        .iter()
        .any(|k| k.arg.is_none())
        .then(|| "the `**` mapping may still hold `InfraConfig` field names".to_string());
    Plan {
        call,
        edits,
        problems,
        unsafe_reason,
        message,
    }
}

fn finish(ctx: &Context, uses: &Uses, mut p: Plan, grouped: Option<Fix>) -> Finding {
    let finding = Finding::new(&META, p.call.range(), std::mem::take(&mut p.message));
    if let Some(fix) = grouped {
        return finding.with_fix(fix);
    }
    if p.problems.is_empty() {
        match callee_edits(ctx, uses, p.call) {
            Ok(callee) => {
                let mut edits = p.edits;
                edits.extend(callee);
                let fix = match p.unsafe_reason {
                    Some(reason) => Fix::unsafe_edits(TITLE, edits).with_reason(reason),
                    None => Fix::safe(TITLE, edits),
                };
                return finding.with_fix(fix);
            }
            Err(reason) => p.problems.push(reason),
        }
    }
    finding.with_fix(Fix::display_only(
        TITLE,
        Some(suggestion(ctx, p.call)),
        format!("no automatic fix: {}", p.problems.join("; ")),
    ))
}

/// The edits that make one callee a `TrainerConfig` (and keep the imports right).
fn callee_edits(ctx: &Context, uses: &Uses, call: &ast::ExprCall) -> Result<Vec<Edit>, String> {
    match call.func.as_ref() {
        Expr::Attribute(attr) => Ok(vec![Edit::replacement(attr.attr.range, "TrainerConfig")]),
        Expr::Name(name) => match import_binding(ctx, &call.func) {
            Some(binding) => binding_callee_edits(ctx, uses, binding, &[name.range]),
            None => {
                // A star import: `TrainerConfig` comes from the same star import.
                match ctx
                    .semantic
                    .local_name_for_utils("TrainerConfig", name.range.start())
                {
                    Some(local) => Ok(vec![Edit::replacement(name.range, local)]),
                    None => Err("`TrainerConfig` is not importable here".to_string()),
                }
            }
        },
        _ => Err("the callee is not a plain name".to_string()),
    }
}

/// The references to each import binding, computed once per check.
#[derive(Default)]
struct Uses {
    by_binding: RefCell<HashMap<TextRange, HashSet<TextRange>>>,
    trainer_taken: std::cell::Cell<Option<bool>>,
}

impl Uses {
    /// Whether the name `TrainerConfig` is already used for something in the file.
    fn trainer_taken(&self, ctx: &Context) -> bool {
        match self.trainer_taken.get() {
            Some(taken) => taken,
            None => {
                let taken = ctx.name_is_taken("TrainerConfig");
                self.trainer_taken.set(Some(taken));
                taken
            }
        }
    }

    /// How many references to `binding` remain outside the `excluded` name ranges.
    fn others(&self, ctx: &Context, binding: &Binding, excluded: &[TextRange]) -> usize {
        let mut cache = self.by_binding.borrow_mut();
        let all = cache
            .entry(binding.alias_range)
            .or_insert_with(|| binding_use_ranges(ctx, binding).into_iter().collect());
        let excluded: HashSet<TextRange> = excluded.iter().copied().collect();
        all.len() - excluded.iter().filter(|r| all.contains(r)).count()
    }
}

/// Rewrite the callees `callees` (bare names bound by the import `binding`) to `TrainerConfig`,
/// with the import edits: renamed in place or removed when no other use of the old name remains,
/// `TrainerConfig` added next to it otherwise.
fn binding_callee_edits(
    ctx: &Context,
    uses: &Uses,
    binding: &Binding,
    callees: &[TextRange],
) -> Result<Vec<Edit>, String> {
    let Some(first) = callees.first() else {
        return Ok(Vec::new());
    };
    let others = uses.others(ctx, binding, callees);
    let local_at = |r: &TextRange| {
        ctx.semantic
            .local_name_for_utils("TrainerConfig", r.start())
    };
    let local = local_at(first);
    if callees.iter().any(|r| local_at(r) != local) {
        return Err("`TrainerConfig` is imported under different names in this file".to_string());
    }
    let replace_all = |name: &str| -> Vec<Edit> {
        callees
            .iter()
            .map(|r| Edit::replacement(*r, name.to_string()))
            .collect()
    };
    if let Some(local) = local {
        let mut edits = replace_all(&local);
        if others == 0 {
            edits.extend(remove_binding(ctx.file, ctx.semantic, binding));
        }
        return Ok(edits);
    }
    // `TrainerConfig` is exported by `<root>.utils` (and `.config`); other utils submodules
    // (`.infra`, `.rl`) held the removed provisioning helpers, so it is imported from
    // `<root>.utils` instead.
    let home = config_home(ctx, binding);
    let clash = binding.name != "InfraConfig" && uses.trainer_taken(ctx);
    if others == 0 {
        if clash {
            // `TrainerConfig` means something else here: keep the alias.
            let mut edits = vec![rename_binding(
                binding,
                "TrainerConfig",
                Some(&binding.name),
            )];
            if let Some(module) = &home.retarget {
                edits.extend(retarget_edit(ctx, binding, module)?);
            }
            return Ok(edits);
        }
        let mut edits = replace_all("TrainerConfig");
        match &home.retarget {
            None => edits.push(rename_binding(binding, "TrainerConfig", None)),
            Some(module) => match retarget_edit(ctx, binding, module) {
                Ok(retarget) => {
                    edits.push(rename_binding(binding, "TrainerConfig", None));
                    edits.extend(retarget);
                }
                Err(_) => {
                    // The statement imports other names too: take this one out and import
                    // `TrainerConfig` from the utils package.
                    edits.extend(remove_binding(ctx.file, ctx.semantic, binding));
                    edits.push(add_from_import(ctx.file, module, "TrainerConfig"));
                }
            },
        }
        return Ok(edits);
    }
    // Other uses of the old name remain (annotations, isinstance, ...): bring `TrainerConfig` in
    // next to it.
    let (local, import) =
        trainer_config_in_scope_given(ctx, first.start(), || uses.trainer_taken(ctx))?;
    let mut edits = replace_all(&local);
    if binding.is_from && import.is_some() {
        edits.push(add_from_import(ctx.file, &home.module, "TrainerConfig"));
    } else {
        edits.extend(import);
    }
    Ok(edits)
}

/// Where `TrainerConfig` should be imported from, given the module that imported `InfraConfig`.
struct ConfigHome {
    /// The module to import `TrainerConfig` from.
    module: String,
    /// `Some(module)` when that is not the binding's own module.
    retarget: Option<String>,
}

fn config_home(ctx: &Context, binding: &Binding) -> ConfigHome {
    for root in ctx.semantic.roots() {
        let utils = format!("{root}.utils");
        if binding.module == utils || binding.module == format!("{utils}.config") {
            return ConfigHome {
                module: binding.module.clone(),
                retarget: None,
            };
        }
        if binding.module.starts_with(&format!("{utils}.")) {
            return ConfigHome {
                module: utils.clone(),
                retarget: Some(utils),
            };
        }
    }
    ConfigHome {
        module: binding.module.clone(),
        retarget: None,
    }
}

/// Point a single-name `from <module> import InfraConfig` statement at `module`.
fn retarget_edit(ctx: &Context, binding: &Binding, module: &str) -> Result<Vec<Edit>, String> {
    let mut found: Option<&ast::StmtImportFrom> = None;
    walk::for_each_stmt(ctx.file.suite(), |stmt| {
        if let ast::Stmt::ImportFrom(import) = stmt
            && import.range == binding.stmt_range
        {
            found = Some(import);
        }
    });
    match found {
        Some(import) if import.names.len() == 1 => match &import.module {
            Some(m) => Ok(vec![Edit::replacement(m.range, module.to_string())]),
            None => Err("relative import".to_string()),
        },
        _ => Err("the import statement has other names".to_string()),
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
                keyword_value(ctx, kw)
            )),
            None => parts.push(ctx.slice(kw.range).to_string()),
        }
    }
    format!("TrainerConfig({})", parts.join(", "))
}
