//! FW402 `promote-positional`: `promote_checkpoint(job_id, checkpoint_id, ...)`.

use fwmigrate_rule::ast::{Expr, FStringPart, StringFlags};
use fwmigrate_rule::cookbook::is_promote_checkpoint;
use fwmigrate_rule::message::callee_text;
use fwmigrate_rule::walk::{for_each_call, keyword};
use fwmigrate_rule::{
    ALL_TARGETS, Context, Finding, Ranged, Rule, RuleCode, RuleMeta, Severity, TextRange,
};

pub struct PromotePositional;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW402"),
    name: "promote-positional",
    family: fwmigrate_rule::Family::Checkpoints,
    severity: Severity::Warning,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["promote_checkpoint"],
    summary: "`promote_checkpoint(job_id, checkpoint_id, ...)` with positional ids is deprecated; pass `name=`.",
    explanation: r#"## What it finds

A `promote_checkpoint(...)` call that passes the trainer job id and the checkpoint id as its
first two positional arguments, without `name=`. Any `<x>.promote_checkpoint(...)` method call
counts (the SDK's clients and managers are rarely resolvable where they are used), and a bare
`promote_checkpoint(...)` when it resolves to the cookbook or the SDK.

## Why it matters

The positional form is deprecated by the SDK. The supported form names the checkpoint with its
full resource name: `name="accounts/<a>/rlorTrainerJobs/<job>/checkpoints/<ckpt>"`.

## Fix safety

**None**: the account is not in the call. The message shows the `name=` to build from the
call's own arguments.

## Example

```python
# before
rlor_mgr.promote_checkpoint(job_id, "step-500", "qwen3-8b-math")
# after (by hand)
rlor_mgr.promote_checkpoint(
    name=f"accounts/{account}/rlorTrainerJobs/{job_id}/checkpoints/step-500",
    output_model_id="qwen3-8b-math",
)
```
"#,
};

/// How an argument reads inside the suggested f-string.
fn placeholder(ctx: &Context, expr: &Expr, fallback: &str) -> String {
    if let Expr::StringLiteral(s) = expr {
        let v = s.value.to_str();
        if !v.contains(['{', '}', '"', '\\', '\n']) {
            return v.to_string();
        }
    }
    if let Expr::FString(f) = expr
        && let [FStringPart::FString(part)] = f.value.as_slice()
        && !part.flags.is_triple_quoted()
        && !part.flags.prefix().is_raw()
    {
        let start = part.range.start() + part.flags.opener_len();
        let end = part.range.end().checked_sub(part.flags.closer_len());
        if let Some(end) = end.filter(|end| start <= *end) {
            let raw = ctx.slice(TextRange::new(start, end));
            if !raw.contains(['"', '\'', '\\', '\n']) {
                return raw.to_string();
            }
        }
    }
    let src = ctx.slice(expr.range());
    if src.len() <= 40 && !src.contains(['\n', '\r', '"', '\'', '{', '}', '#', '\\']) {
        format!("{{{src}}}")
    } else {
        fallback.to_string()
    }
}

impl Rule for PromotePositional {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        for_each_call(ctx.file.suite(), |call| {
            if !is_promote_checkpoint(ctx, call) || keyword(call, "name").is_some() {
                return;
            }
            let args = &call.arguments.args;
            if args.len() < 2 || args[..2].iter().any(Expr::is_starred_expr) {
                return;
            }
            let job = placeholder(ctx, &args[0], "<job>");
            let ckpt = placeholder(ctx, &args[1], "<checkpoint>");
            let prefix = if job.contains('{') || ckpt.contains('{') {
                "f"
            } else {
                ""
            };
            findings.push(Finding::new(
                &META,
                call.range(),
                format!(
                    "`{}(...)` passes the job and checkpoint ids positionally, a form the SDK \
                     deprecated: pass `name={prefix}\"accounts/<account>/rlorTrainerJobs/{job}/checkpoints/{ckpt}\"` \
                     instead of `{}, {}`.",
                    callee_text(ctx, call),
                    ctx.slice(args[0].range()),
                    ctx.slice(args[1].range()),
                ),
            ));
        });
    }
}
