//! FW604 `sdk-deprecated`: what the selected SDK release warns about when the script runs.

use fwmigrate_rule::api::index::{ApiView, Resolved, SDK_PACKAGE};
use fwmigrate_rule::ast::{self, Expr};
use fwmigrate_rule::parser::edits::delete_argument;
use fwmigrate_rule::semantic::imports::add_from_import;
use fwmigrate_rule::semantic::types::{TypeIndex, to_table_path};
use fwmigrate_rule::walk::for_each_call;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta,
    Severity, TextRange, TextSize,
};

use crate::common::{
    Callee, NEEDLES, argument, bound_value, callee, int_value, is_falsy_literal, is_none, view,
};

pub struct SdkDeprecated;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW604"),
    name: "sdk-deprecated",
    family: fwmigrate_rule::Family::Conformance,
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: NEEDLES,
    summary: "An SDK call that the selected fireworks-ai release warns about as deprecated.",
    explanation: r#"## What it finds

What the selected `fireworks-ai` release (`--sdk-version`; default: what the project's own
`fireworks-ai` pin admits, else the newest known release in the target's range) warns about
when the script runs. The messages quote the SDK's own warning.

- `DeploymentSampler(max_concurrency=n)` and `FiretitanSamplingClient.create(max_concurrency=n)`
  (every known release): "max_concurrency is deprecated and will be removed in a future release.
  Use concurrency_controller=FixedConcurrencyController(max_concurrency) or
  AdaptiveConcurrencyController() instead."
- `accelerator_type=` / `accelerator_count=` passed to `FiretitanProvisioningConfig(...)` or
  `FiretitanServiceClient.from_firetitan_config(...)`: deprecated and ignored, the training
  shape decides. `node_count=` too from 1.2.9 (1.2.0a74 still used it).
- `reference_training_shape_id` with a LoRA policy, from 1.2.12 (1.2.10 does not warn): "for a
  LoRA policy is deprecated and will be rejected in a future release". The SDK warns when the
  policy has a LoRA rank, a reference is required and the reference shape is set, so the rule
  reports it only where all three are visible:
  - in one `FiretitanProvisioningConfig(...)` / `from_firetitan_config(...)` call
    (`lora_rank=` or `max_lora_rank=` above 0, `reference_required=` not false);
  - in one cookbook `build_service_client(...)` call (`max_lora_rank=`, or `lora_rank=` at
    2026.06, above 0, `reference_required=` not false, and `trainer=TrainerConfig(
    reference_training_shape_id=...)`);
  - in one recipe config: `rl_loop`, `async_rl_loop` or `igpo_loop` `Config(lora_rank=16,
    trainer=TrainerConfig(reference_training_shape_id=...))` (these recipes need a reference
    unless `kl_beta=0`), or `dpo_loop.Config(...)` (always needs one).

  The `TrainerConfig(...)` may be written inline or assigned once to a name in the same scope;
  a rank may be a literal or a name assigned once to one.
- `TrainerJobConfig(gradient_accumulation_steps=1)` (every known release): the SDK logs
  "TrainerJobConfig.gradient_accumulation_steps=1 is deprecated and ignored" when it validates
  the job.

An argument whose value is the literal `None` is not reported: the SDK treats it as not given.
Only calls whose callee resolves to the SDK (or the cookbook) through the imports are checked.

## Why it matters

Deprecated arguments are ignored today or will be rejected by a later release; the warnings
fill the logs of every run until the code changes.

## Fix safety

**Safe** for `max_concurrency=n`: it becomes `concurrency_controller=FixedConcurrencyController(n)`,
which is what the SDK builds from it, and `FixedConcurrencyController` is imported from the module
that defines it (`fireworks.training.sdk.concurrency`) unless the file already has it under some
name. When `n` is not a number literal (or a name assigned once to one), the same rewrite is
**unsafe**: if `n` is `None` at run time the SDK picks an `AdaptiveConcurrencyController`
instead. When the call also passes `concurrency_controller=`, the SDK ignores `max_concurrency`
and the fix (safe) deletes it. No fix when the call passes `**kwargs` or the name
`FixedConcurrencyController` means something else in the file. The other findings have no fix:
what to use instead (a training shape, omitting the reference shape, client-side gradient
accumulation) is a decision about the run.

## Example

```python
sampler = DeploymentSampler(inference_url=url, model=model, api_key=key, max_concurrency=32)
# after the fix
from fireworks.training.sdk.concurrency import FixedConcurrencyController
sampler = DeploymentSampler(
    inference_url=url, model=model, api_key=key,
    concurrency_controller=FixedConcurrencyController(32),
)
```
"#,
};

const MAX_CONCURRENCY_WARNING: &str = "max_concurrency is deprecated and will be removed in a future release. Use concurrency_controller=FixedConcurrencyController(max_concurrency) or AdaptiveConcurrencyController() instead.";

const REFERENCE_SHAPE_WARNING: &str = "reference_training_shape_id for a LoRA policy is deprecated and will be rejected in a future release. Omit it to reuse the policy trainer with its adapter disabled; explicit reference shapes remain supported for rank-0 policies.";

const GRADIENT_ACCUMULATION_WARNING: &str = "TrainerJobConfig.gradient_accumulation_steps=1 is deprecated and ignored. Express gradient accumulation as client-side control flow (multiple forward_backward calls per optim_step) and pass grad_accumulation_normalization on the optim_step request.";

/// Recipes whose `Config` provisions a reference trainer: (recipe, needs one only when
/// `kl_beta > 0`).
const REFERENCE_RECIPES: &[(&str, bool)] = &[
    ("rl_loop", true),
    ("async_rl_loop", true),
    ("igpo_loop", true),
    ("dpo_loop", false),
];

const TRAINER_CONFIG: &str = "training.utils.config.TrainerConfig";
const BUILD_SERVICE_CLIENT: &str = "training.utils.service.build_service_client";

impl Rule for SdkDeprecated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        let view = view(ctx);
        let types = ctx.types();
        let mut reference_reported: Vec<TextRange> = Vec::new();
        for_each_call(ctx.file.suite(), |call| {
            let Some(callee) = callee(ctx, &view, types, call) else {
                return;
            };
            let provisioning = callee.is_sdk("FiretitanProvisioningConfig", "")
                || callee.is_sdk("FiretitanServiceClient", "from_firetitan_config");
            if callee.is_sdk("DeploymentSampler", "")
                || callee.is_sdk("FiretitanSamplingClient", "create")
            {
                max_concurrency(ctx, &view, &callee, call, findings);
            }
            if provisioning {
                infra_fields(ctx, &callee, call, findings);
            }
            if ctx
                .sdk_version
                .at_least(fwmigrate_rule::SdkVersion::new(1, 2, 12))
            {
                let shape = if provisioning {
                    sdk_reference_shape(ctx, &callee, call)
                } else {
                    cookbook_reference_shape(ctx, &view, types, &callee, call)
                };
                if let Some((range, rank)) = shape
                    && !reference_reported.contains(&range)
                {
                    reference_reported.push(range);
                    findings.push(Finding::new(
                        &META,
                        range,
                        format!(
                            "`reference_training_shape_id` with a LoRA policy (rank {rank}) is deprecated at fireworks-ai {}: \"{REFERENCE_SHAPE_WARNING}\"",
                            ctx.sdk_version
                        ),
                    ));
                }
            }
            if callee.is_sdk("TrainerJobConfig", "")
                && let Some((value, range)) = argument(None, call, "gradient_accumulation_steps")
                && int_value(ctx, value) == Some(1)
            {
                findings.push(Finding::new(
                    &META,
                    range,
                    format!(
                        "`{}(...)`: `gradient_accumulation_steps=1` is deprecated and ignored at fireworks-ai {}; the SDK logs \"{GRADIENT_ACCUMULATION_WARNING}\"",
                        ctx.slice(call.func.range()),
                        ctx.sdk_version
                    ),
                ));
            }
        });
    }
}

/// `DeploymentSampler(max_concurrency=n)`.
fn max_concurrency(
    ctx: &Context,
    view: &ApiView,
    callee: &Callee,
    call: &ast::ExprCall,
    findings: &mut Vec<Finding>,
) {
    let Some((value, range)) = argument(callee.sig.as_ref(), call, "max_concurrency") else {
        return;
    };
    if is_none(ctx, value) {
        return;
    }
    let message = format!(
        "`{}(...)`: `max_concurrency` is deprecated at fireworks-ai {}: \"{MAX_CONCURRENCY_WARNING}\"",
        ctx.slice(call.func.range()),
        ctx.sdk_version
    );
    let keyword = call.arguments.keywords.iter().find(|k| k.range() == range);
    let fix = keyword.and_then(|kw| max_concurrency_fix(ctx, view, callee, call, kw));
    findings.push(Finding::new(&META, range, message).with_fix_opt(fix));
}

fn max_concurrency_fix(
    ctx: &Context,
    view: &ApiView,
    callee: &Callee,
    call: &ast::ExprCall,
    kw: &ast::Keyword,
) -> Option<Fix> {
    if call.arguments.keywords.iter().any(|k| k.arg.is_none()) {
        return None;
    }
    if let Some((controller, _)) = argument(callee.sig.as_ref(), call, "concurrency_controller") {
        if is_none(ctx, controller) {
            return None;
        }
        return Some(Fix::safe(
            "Remove `max_concurrency=` (ignored: the call passes `concurrency_controller=`)",
            vec![delete_argument(ctx.file, &call.arguments, kw.range())],
        ));
    }
    let (name, import) = fixed_controller_in_scope(ctx, view, call.start())?;
    let n = ctx.slice(kw.value.range());
    let mut edits = vec![Edit::replacement(
        kw.range(),
        format!("concurrency_controller={name}({n})"),
    )];
    edits.extend(import);
    let title = format!("Use `concurrency_controller={name}({n})`");
    Some(if int_value(ctx, &kw.value).is_some() {
        Fix::safe(title, edits)
    } else {
        Fix::unsafe_edits(title, edits).with_reason(format!(
            "if `{n}` is None at run time, the SDK uses an AdaptiveConcurrencyController instead"
        ))
    })
}

/// How `FixedConcurrencyController` can be named at `offset`: a name the file already binds to
/// it (directly or as an attribute of an imported SDK module), or the bare name with the import
/// to add. `None` when the name is taken by something else.
fn fixed_controller_in_scope(
    ctx: &Context,
    view: &ApiView,
    offset: TextSize,
) -> Option<(String, Option<Edit>)> {
    const NAME: &str = "FixedConcurrencyController";
    let Resolved::Class(class) = view.resolve(&format!("{SDK_PACKAGE}.{NAME}")) else {
        return None;
    };
    let is_it = |path: &str| match view.resolve(path) {
        Resolved::Class(c) => std::ptr::eq(c.class, class.class),
        _ => false,
    };
    let visible = |b: &&fwmigrate_rule::semantic::Binding| {
        ctx.semantic
            .binding_at(&b.name, offset)
            .is_some_and(|v| v.alias_range == b.alias_range)
    };
    let bindings: Vec<_> = ctx.semantic.bindings().iter().filter(visible).collect();
    // The class itself under some name first, then an imported module that has it
    // (`import fireworks.training.sdk as sdk`: `sdk.FixedConcurrencyController`).
    if let Some(b) = bindings
        .iter()
        .find(|b| is_it(&to_table_path(ctx.semantic, &b.qualified)))
    {
        return Some((b.name.clone(), None));
    }
    if let Some(b) = bindings.iter().find(|b| {
        is_it(&format!(
            "{}.{NAME}",
            to_table_path(ctx.semantic, &b.qualified)
        ))
    }) {
        return Some((format!("{}.{NAME}", b.name), None));
    }
    if ctx.name_is_taken(NAME) {
        return None;
    }
    Some((
        NAME.to_string(),
        Some(add_from_import(ctx.file, class.home, NAME)),
    ))
}

/// `accelerator_type=` / `accelerator_count=` / `node_count=` on the SDK's provisioning config.
fn infra_fields(ctx: &Context, callee: &Callee, call: &ast::ExprCall, findings: &mut Vec<Finding>) {
    // 1.2.0a74 deprecated the accelerator fields only, with other wording; 1.2.9 added
    // `node_count`.
    let (fields, why): (&[&str], &str) = if ctx
        .sdk_version
        .at_least(fwmigrate_rule::SdkVersion::new(1, 2, 9))
    {
        (
            &["accelerator_type", "accelerator_count", "node_count"],
            "trainer infrastructure is configured by the training shape",
        )
    } else {
        (
            &["accelerator_type", "accelerator_count"],
            "trainer accelerator type/count are configured by the training shape",
        )
    };
    for field in fields {
        let Some((value, range)) = argument(callee.sig.as_ref(), call, field) else {
            continue;
        };
        if is_none(ctx, value) {
            continue;
        }
        findings.push(Finding::new(
            &META,
            range,
            format!(
                "`{}(...)`: `{field}` is ignored at fireworks-ai {}: \"'{field}' is deprecated and ignored: {why}. Use 'trainer_replica_count' for data-parallel scaling.\"",
                ctx.slice(call.func.range()),
                ctx.sdk_version
            ),
        ));
    }
}

/// The LoRA rank a call gives the policy (`max_lora_rank` first, as the SDK reads it), when it
/// is a literal above 0.
fn lora_rank(ctx: &Context, callee: &Callee, call: &ast::ExprCall) -> Option<i64> {
    let sig = callee.sig.as_ref();
    let rank = match argument(sig, call, "max_lora_rank") {
        Some((v, _)) if !is_none(ctx, v) => int_value(ctx, v)?,
        _ => int_value(ctx, argument(sig, call, "lora_rank")?.0)?,
    };
    (rank > 0).then_some(rank)
}

/// Whether `reference_required=` is given and not a false literal.
fn reference_required(ctx: &Context, callee: &Callee, call: &ast::ExprCall) -> bool {
    argument(callee.sig.as_ref(), call, "reference_required")
        .is_some_and(|(v, _)| !is_falsy_literal(ctx, v))
}

/// The `reference_training_shape_id=` keyword of a call, when set to something other than a
/// false literal.
fn shape_keyword(ctx: &Context, call: &ast::ExprCall) -> Option<TextRange> {
    let (value, range) = argument(None, call, "reference_training_shape_id")?;
    (!is_falsy_literal(ctx, value)).then_some(range)
}

/// `FiretitanProvisioningConfig(reference_training_shape_id=..., lora_rank=16,
/// reference_required=True)`.
fn sdk_reference_shape(
    ctx: &Context,
    callee: &Callee,
    call: &ast::ExprCall,
) -> Option<(TextRange, i64)> {
    let range = shape_keyword(ctx, call)?;
    if let Some((config, _)) = argument(None, call, "managed_config")
        && !is_none(ctx, config)
    {
        return None;
    }
    if let Some((forward_only, _)) = argument(None, call, "forward_only")
        && !is_falsy_literal(ctx, forward_only)
    {
        return None;
    }
    if !reference_required(ctx, callee, call) {
        return None;
    }
    Some((range, lora_rank(ctx, callee, call)?))
}

/// The cookbook's ways to the same warning: `build_service_client(...)` and the recipe configs
/// that provision a reference trainer, with `trainer=TrainerConfig(reference_training_shape_id=
/// ...)`.
fn cookbook_reference_shape(
    ctx: &Context,
    view: &ApiView,
    types: &TypeIndex,
    callee: &Callee,
    call: &ast::ExprCall,
) -> Option<(TextRange, i64)> {
    if callee.path == BUILD_SERVICE_CLIENT {
        if !reference_required(ctx, callee, call) {
            return None;
        }
    } else {
        let recipe = callee
            .path
            .strip_prefix("training.recipes.")?
            .strip_suffix(".Config")?;
        let (_, needs_kl) = REFERENCE_RECIPES.iter().find(|(r, _)| *r == recipe)?;
        if *needs_kl
            && let Some((kl_beta, _)) = argument(callee.sig.as_ref(), call, "kl_beta")
            && is_zero(ctx, kl_beta)
        {
            return None;
        }
    }
    let rank = lora_rank(ctx, callee, call)?;
    let (trainer, _) = argument(callee.sig.as_ref(), call, "trainer")?;
    let Expr::Call(trainer) = bound_value(ctx, trainer) else {
        return None;
    };
    let trainer_callee = crate::common::callee(ctx, view, types, trainer)?;
    if trainer_callee.path != TRAINER_CONFIG {
        return None;
    }
    Some((shape_keyword(ctx, trainer)?, rank))
}

/// A number literal equal to 0 (`0`, `0.0`).
fn is_zero(ctx: &Context, expr: &Expr) -> bool {
    match bound_value(ctx, expr) {
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_u64() == Some(0),
            ast::Number::Float(f) => *f == 0.0,
            ast::Number::Complex { .. } => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::check_at;
    use fwmigrate_rule::Target;

    fn messages(source: &str, sdk: &str) -> Vec<String> {
        check_at(&SdkDeprecated, source, Target::named("2026.08"), sdk)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    const INFRA: &str = "\
from fireworks.training.sdk import FiretitanProvisioningConfig as Cfg
Cfg(base_model='m', accelerator_type='NVIDIA_H100_80GB', node_count=2)
";

    #[test]
    fn node_count_is_deprecated_from_1_2_9() {
        let old = messages(INFRA, "1.2.0a74");
        assert_eq!(old.len(), 1, "{old:?}");
        assert!(old[0].contains("`accelerator_type` is ignored at fireworks-ai 1.2.0a74"));
        assert!(
            old[0].contains("trainer accelerator type/count are configured by the training shape")
        );
        let new = messages(INFRA, "1.2.9");
        assert_eq!(new.len(), 2, "{new:?}");
        assert!(new[1].contains("'node_count' is deprecated and ignored: trainer infrastructure"));
    }

    const LORA_REFERENCE: &str = "\
from fireworks.training.sdk.client import FiretitanServiceClient
FiretitanServiceClient.from_firetitan_config(
    base_model='m', lora_rank=16, reference_required=True, reference_training_shape_id='ts-ref',
)
";

    #[test]
    fn lora_reference_shape_warns_from_1_2_12() {
        assert!(messages(LORA_REFERENCE, "1.2.10").is_empty());
        // 1.2.11 has 1.2.10's surface.
        assert!(messages(LORA_REFERENCE, "1.2.11").is_empty());
        let found = messages(LORA_REFERENCE, "1.2.12");
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("(rank 16) is deprecated at fireworks-ai 1.2.12"));
        // Without a reference, or with rank 0, the SDK does not warn.
        let rank0 = LORA_REFERENCE.replace("lora_rank=16", "lora_rank=0");
        assert!(messages(&rank0, "1.2.30").is_empty());
        let no_ref = LORA_REFERENCE.replace("reference_required=True", "reference_required=False");
        assert!(messages(&no_ref, "1.2.30").is_empty());
    }

    fn fix_of(source: &str) -> Option<Fix> {
        let mut findings = check_at(&SdkDeprecated, source, Target::named("2026.08"), "1.2.30");
        assert_eq!(findings.len(), 1, "{findings:?}");
        findings.pop().unwrap().fix
    }

    #[test]
    fn max_concurrency_fix_safety() {
        let call = |arg: &str| {
            format!(
                "from fireworks.training.sdk import DeploymentSampler\nDeploymentSampler(inference_url='u', model='m', api_key='k', {arg})\n"
            )
        };
        let safe = fix_of(&call("max_concurrency=8")).unwrap();
        assert_eq!(safe.applicability, Applicability::Safe);
        assert_eq!(safe.edits.len(), 2, "the rewrite and the import");
        assert_eq!(
            safe.edits[1].content,
            "from fireworks.training.sdk.concurrency import FixedConcurrencyController\n"
        );
        let unsafe_fix = fix_of(&call("max_concurrency=limit")).unwrap();
        assert_eq!(unsafe_fix.applicability, Applicability::Unsafe);
        // `**kwargs` may hold `concurrency_controller`.
        assert!(fix_of(&call("max_concurrency=8, **extra")).is_none());
        // The name means something else here.
        let taken = format!(
            "FixedConcurrencyController = object\n{}",
            call("max_concurrency=8")
        );
        assert!(fix_of(&taken).is_none());
        // Every release warns, 1.2.0a74 included.
        assert_eq!(messages(&call("max_concurrency=8"), "1.2.0a74").len(), 1);
    }
}
