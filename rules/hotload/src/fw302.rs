//! FW302 `hotload-bucket-conflict`: both `hot_load_bucket_url=` and `hot_load_trainer_job=`.

use fwmigrate_rule::ast::Expr;
use fwmigrate_rule::message::{callee_text, snippet};
use fwmigrate_rule::walk::{for_each_call, is_none, keyword};
use fwmigrate_rule::{ALL_TARGETS, Context, Finding, Ranged, Rule, RuleCode, RuleMeta, Severity};

pub struct HotloadBucketConflict;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW302"),
    name: "hotload-bucket-conflict",
    family: fwmigrate_rule::Family::Hotload,
    severity: Severity::Error,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["hot_load_bucket_url"],
    summary: "One call sets both `hot_load_bucket_url=` and `hot_load_trainer_job=`; the server rejects it.",
    explanation: r#"## What it finds

A single call that passes both `hot_load_bucket_url=` and `hot_load_trainer_job=` (neither
`None`).

## Why it matters

They are two ways to name the hot-load bucket: an explicit URL, or the bucket of a trainer job.
The server rejects a request that sets both, so the deployment is never created or updated. Set
exactly one.

## Name resolution

The call must be a Fireworks call: its callee resolves to the cookbook or the SDK
(`DeployConfig(...)`, SDK classes, ...), or it is a method call
(`deploy_mgr.create_or_get(...)`) in a file that imports the cookbook or the SDK - manager
instances are usually built far from where they are used, so a method call cannot be resolved
further. Calls of unresolved plain names (`dict(...)`, a local helper) are not reported.

## Fix safety

**None**: only you know which bucket the deployment should read.

## Example

```python
deploy_mgr.create_or_get(
    deployment_id,
    hot_load_bucket_url="gs://my-bucket/weights",
    hot_load_trainer_job=job_name,   # FW302: set exactly one of the two
)
```
"#,
};

impl Rule for HotloadBucketConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        let fireworks_file = ctx.semantic.imports_fireworks();
        for_each_call(ctx.file.suite(), |call| {
            let set = |name| keyword(call, name).filter(|k| !is_none(&k.value));
            let (Some(url), Some(job)) = (set("hot_load_bucket_url"), set("hot_load_trainer_job"))
            else {
                return;
            };
            let resolved = ctx.semantic.resolve_call(call).is_some();
            let method = matches!(call.func.as_ref(), Expr::Attribute(_)) && fireworks_file;
            if !(resolved || method) {
                return;
            }
            findings.push(Finding::new(
                &META,
                call.range(),
                format!(
                    "`{}(...)` sets both `{}` and `{}`: the server rejects a request with both \
                     hot-load bucket settings. Set exactly one.",
                    callee_text(ctx, call),
                    snippet(ctx, url.range()),
                    snippet(ctx, job.range()),
                ),
            ));
        });
    }
}
