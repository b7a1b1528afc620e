//! FW004 `job-id-into-trainer`: top-level job ids of a recipe `Config` move into its
//! `TrainerConfig`.

use fwmigrate_rule::ast::{self, Expr};
use fwmigrate_rule::cookbook::as_utils_call;
use fwmigrate_rule::message::short;
use fwmigrate_rule::parser::edits::insert_keywords_first;
use fwmigrate_rule::semantic::imports::add_module_import;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta,
    Severity, TextRange, walk,
};

use crate::common::{
    ConfigVars, delete_arguments, infra_call_mappable, keyword_value, recipe_config,
    trainer_config_in_scope,
};

pub struct JobIdIntoTrainer;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW004"),
    name: "job-id-into-trainer",
    family: fwmigrate_rule::Family::Infra,
    severity: Severity::Error,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    // Job ids are only moved out of recipe configs, and a recipe is only reachable through an
    // import that names `recipes`.
    needles: &["recipes"],
    summary: "Job ids passed at the top level of a recipe `Config` belong in its `TrainerConfig`.",
    explanation: r#"## What it finds

Job ids passed at the top level of a recipe `Config(...)`:

| keyword | recipes | goes to |
|---|---|---|
| `policy_job_id=` | rl_loop, igpo_loop, dpo_loop, async_rl_loop | `TrainerConfig(job_id=...)` |
| `reference_job_id=` | rl_loop, igpo_loop, dpo_loop | `TrainerConfig(reference_job_id=...)` |
| `trainer_job_id=` | sft_loop | `TrainerConfig(job_id=...)` |
| `job_id=` | orpo_loop | `TrainerConfig(job_id=...)` |

Also attribute access `cfg.policy_job_id` (reads and assignments) on a variable bound only to a
recipe `Config(...)` in its scope: it becomes `cfg.trainer.job_id` (safe; the recipes always
build a trainer config).

## Why it matters

The recipe configs lost these fields (a `TypeError` at both targets); re-attaching to an existing
trainer job is now a property of the trainer config.

## Fix safety

**Safe**: every job id of the call moves, in one fix, into the inline `trainer=TrainerConfig(...)`
(or `infra=InfraConfig(...)`, which FW001/FW002 rename) as its first keywords, in the order
`job_id`, `reference_job_id`, in the call's layout. Without a trainer argument, the keyword
becomes `trainer=TrainerConfig(job_id=...)` and `TrainerConfig` is imported. When `trainer=` is a
variable, the fix is unsafe: `trainer=dataclasses.replace(<var>, job_id=...)` (it copies the
config; `dataclasses` is imported if needed). Anything else is display-only.

## Example

```python
rl_loop.Config(policy_job_id=job, trainer=TrainerConfig(training_shape_id=SHAPE))
```

becomes

```python
rl_loop.Config(trainer=TrainerConfig(job_id=job, training_shape_id=SHAPE))
```
"#,
};

/// Where a top-level job id of a recipe goes in `TrainerConfig`.
fn trainer_field(recipe: &str, keyword: &str) -> Option<&'static str> {
    match (keyword, recipe) {
        ("policy_job_id", "rl_loop" | "igpo_loop" | "dpo_loop" | "async_rl_loop") => Some("job_id"),
        ("reference_job_id", "rl_loop" | "igpo_loop" | "dpo_loop") => Some("reference_job_id"),
        ("trainer_job_id", "sft_loop") => Some("job_id"),
        ("job_id", "orpo_loop") => Some("job_id"),
        _ => None,
    }
}

/// The keywords of a recipe `Config` call that FW004 moves (also used by FW005 to skip them).
pub fn job_id_keywords<'a>(
    recipe: &str,
    call: &'a ast::ExprCall,
) -> Vec<(&'a ast::Keyword, &'static str)> {
    let mut out: Vec<(&ast::Keyword, &'static str)> = call
        .arguments
        .keywords
        .iter()
        .filter_map(|k| {
            let name = walk::keyword_name(k)?;
            trainer_field(recipe, name).map(|f| (k, f))
        })
        .collect();
    // `job_id` first, then `reference_job_id`; source order otherwise.
    out.sort_by_key(|(k, f)| (*f != "job_id", k.range.start()));
    out
}

impl Rule for JobIdIntoTrainer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        walk::for_each_call(ctx.file.suite(), |call| {
            let Some(recipe) = recipe_config(ctx, call) else {
                return;
            };
            let moved = job_id_keywords(&recipe, call);
            if moved.is_empty() {
                return;
            }
            // Fields the target recipe still has are not moved (none today; data-driven).
            if let Some(r) = ctx.target.release().recipe(&recipe)
                && moved
                    .iter()
                    .any(|(k, _)| walk::keyword_name(k).is_some_and(|n| r.has_field(n)))
            {
                return;
            }
            let fix = move_fix(ctx, call, &moved);
            for (kw, field) in &moved {
                let name = walk::keyword_name(kw).unwrap_or_default();
                let message = format!(
                    "`{recipe}.Config` has no `{name}` at {} (a `TypeError`): the job id belongs \
                     in the trainer config, as `TrainerConfig({field}={})`",
                    ctx.target,
                    short(keyword_value(ctx, kw))
                );
                findings.push(Finding::new(&META, kw.range, message).with_fix(fix.clone()));
            }
        });
        check_attributes(ctx, findings);
    }
}

/// `cfg.policy_job_id` (reads and assignments) on a variable bound only to a recipe
/// `Config(...)` in its scope: `cfg.trainer.job_id`. The trainer config always exists (the
/// recipes build it with a default factory).
fn check_attributes(ctx: &Context, findings: &mut Vec<Finding>) {
    let vars = ConfigVars::new(ctx);
    walk::for_each_expr(ctx.file.suite(), |expr| {
        let Expr::Attribute(attr) = expr else { return };
        let name = attr.attr.id.as_str();
        if !matches!(
            name,
            "policy_job_id" | "reference_job_id" | "trainer_job_id" | "job_id"
        ) {
            return;
        }
        let Some((shown, Some(recipe))) = vars.base(&attr.value) else {
            return;
        };
        let Some(field) = trainer_field(&recipe, name) else {
            return;
        };
        if ctx
            .target
            .release()
            .recipe(&recipe)
            .is_some_and(|r| r.has_field(name))
        {
            return;
        }
        let message = format!(
            "`{recipe}.Config` has no `{name}` at {}: `{shown}.{name}` is \
             `{shown}.trainer.{field}` now (an `AttributeError` otherwise)",
            ctx.target
        );
        findings.push(Finding::new(&META, attr.range, message).with_fix(Fix::safe(
            format!("Use `{shown}.trainer.{field}`"),
            vec![Edit::replacement(
                attr.attr.range,
                format!("trainer.{field}"),
            )],
        )));
    });
}

const MOVE_TITLE: &str = "Move the job id into `TrainerConfig(...)`";

fn move_fix(ctx: &Context, call: &ast::ExprCall, moved: &[(&ast::Keyword, &'static str)]) -> Fix {
    let job_ids = JobIds::new(ctx, call, moved);
    let Some(trainer_kw) = walk::keyword(call, "trainer").or_else(|| walk::keyword(call, "infra"))
    else {
        return job_ids.new_trainer_fix();
    };
    let value = &trainer_kw.value;
    let inline = as_utils_call(ctx, value, "TrainerConfig")
        .or_else(|| as_utils_call(ctx, value, "InfraConfig").filter(|c| infra_call_mappable(c)));
    if let Some(inner) = inline {
        return job_ids.inline_trainer_fix(inner);
    }
    let is_trainer = walk::keyword_name(trainer_kw) == Some("trainer");
    let copyable = matches!(
        value,
        Expr::Name(_) | Expr::Attribute(_) | Expr::Subscript(_)
    ) || matches!(value, Expr::Call(c) if ctx.semantic.resolve_call(c).is_none());
    if is_trainer && copyable {
        return job_ids.copied_trainer_fix(value);
    }
    Fix::display_only(
        MOVE_TITLE,
        Some(job_ids.assignments.join(", ")),
        format!(
            "`{}=` is not an inline `TrainerConfig(...)`; add the job id to the trainer config by hand",
            walk::keyword_name(trainer_kw).unwrap_or("trainer")
        ),
    )
}

/// The job-id keywords that move into the trainer config, for the fix of one call.
struct JobIds<'s, 'a> {
    ctx: &'s Context<'a>,
    call: &'s ast::ExprCall,
    moved: &'s [(&'s ast::Keyword, &'static str)],
    /// `field=value` for each, as the trainer config takes them.
    assignments: Vec<String>,
    /// The keywords' ranges in the call.
    ranges: Vec<TextRange>,
}

impl<'s, 'a> JobIds<'s, 'a> {
    fn new(
        ctx: &'s Context<'a>,
        call: &'s ast::ExprCall,
        moved: &'s [(&'s ast::Keyword, &'static str)],
    ) -> Self {
        JobIds {
            ctx,
            call,
            moved,
            assignments: moved
                .iter()
                .map(|(k, f)| format!("{f}={}", keyword_value(ctx, k)))
                .collect(),
            ranges: moved.iter().map(|(k, _)| k.range).collect(),
        }
    }

    /// No trainer argument: the first job id becomes `trainer=TrainerConfig(...)`.
    fn new_trainer_fix(&self) -> Fix {
        let Self { ctx, call, .. } = *self;
        let assignments = self.assignments.join(", ");
        if crate::common::named_keywords(call).count() < call.arguments.keywords.len() {
            return Fix::display_only(
                MOVE_TITLE,
                Some(format!("trainer=TrainerConfig({assignments})")),
                "the call unpacks `**` arguments, which may already hold a trainer config",
            );
        }
        let first = self
            .ranges
            .iter()
            .copied()
            .min_by_key(|r| r.start())
            .unwrap_or(self.moved[0].0.range);
        let (local, import) = match trainer_config_in_scope(ctx, first.start()) {
            Ok(x) => x,
            Err(reason) => {
                return Fix::display_only(
                    MOVE_TITLE,
                    Some(format!("trainer=TrainerConfig({assignments})")),
                    reason,
                );
            }
        };
        let mut edits = vec![Edit::replacement(
            first,
            format!("trainer={local}({assignments})"),
        )];
        let rest: Vec<_> = self
            .ranges
            .iter()
            .copied()
            .filter(|r| *r != first)
            .collect();
        edits.extend(delete_arguments(ctx.file, &call.arguments, &rest));
        edits.extend(import);
        Fix::safe(MOVE_TITLE, edits)
    }

    /// An inline `TrainerConfig(...)` (or mappable `InfraConfig(...)`): the ids go in first,
    /// unless it sets one of them already.
    fn inline_trainer_fix(&self, inner: &ast::ExprCall) -> Fix {
        let Self { ctx, call, .. } = *self;
        for (kw, f) in self.moved {
            if let Some(existing) = walk::keyword(inner, f) {
                return Fix::display_only(
                    MOVE_TITLE,
                    None,
                    format!(
                        "the trainer config already sets `{f}={}` and the call also passes \
                         `{}={}`; keep one value by hand",
                        short(keyword_value(ctx, existing)),
                        walk::keyword_name(kw).unwrap_or_default(),
                        short(keyword_value(ctx, kw))
                    ),
                );
            }
        }
        let Some(insert) = insert_keywords_first(ctx.file, &inner.arguments, &self.assignments)
        else {
            return Fix::display_only(MOVE_TITLE, None, "nothing to move");
        };
        let mut edits = vec![insert];
        edits.extend(delete_arguments(ctx.file, &call.arguments, &self.ranges));
        Fix::safe(MOVE_TITLE, edits)
    }

    /// `trainer=` a name (or a call of something unknown): a copy with `dataclasses.replace`,
    /// unsafe because the value may not be a `TrainerConfig`.
    fn copied_trainer_fix(&self, value: &Expr) -> Fix {
        let Self { ctx, call, .. } = *self;
        let assignments = self.assignments.join(", ");
        let (replace, import) = dataclasses_replace(ctx);
        let Some(replace) = replace else {
            return Fix::display_only(
                MOVE_TITLE,
                Some(format!(
                    "trainer=dataclasses.replace({}, {assignments})",
                    ctx.slice(value),
                )),
                "the name `dataclasses` means something else in this file",
            );
        };
        let mut edits = vec![Edit::replacement(
            value.range(),
            format!("{replace}({}, {assignments})", ctx.slice(value)),
        )];
        edits.extend(delete_arguments(ctx.file, &call.arguments, &self.ranges));
        edits.extend(import);
        Fix::unsafe_edits(MOVE_TITLE, edits).with_reason(format!(
            "`trainer=` is not an inline `TrainerConfig(...)`: the fix copies `{}` with \
             `dataclasses.replace`, check that it is a `TrainerConfig`",
            short(ctx.slice(value))
        ))
    }
}

/// How to spell `dataclasses.replace` here, and the import it needs.
fn dataclasses_replace(ctx: &Context) -> (Option<String>, Option<Edit>) {
    for b in ctx.semantic.bindings() {
        if b.scope.is_none() && !b.is_from && b.qualified == "dataclasses" {
            return (Some(format!("{}.replace", b.name)), None);
        }
        if b.scope.is_none() && b.is_from && b.qualified == "dataclasses.replace" {
            return (Some(b.name.clone()), None);
        }
    }
    if ctx.name_is_taken("dataclasses") {
        return (None, None);
    }
    (
        Some("dataclasses.replace".to_string()),
        Some(add_module_import(ctx.file, "dataclasses")),
    )
}
