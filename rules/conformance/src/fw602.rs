//! FW602 `missing-attribute`: `m.Name` on a tabled module, `C.attr` on a tabled class, or
//! `x.method(...)` on a receiver of known type, when the target has no such attribute.

use fwmigrate_rule::api::index::{Member, Resolved};
use fwmigrate_rule::ast::{self, Expr};
use fwmigrate_rule::semantic::types::{TypeIndex, table_path};
use fwmigrate_rule::walk::for_each_expr;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta, Severity,
};

use crate::common::{NEEDLES, at, history_note, in_scope, moved, removal_note, seen, view};

pub struct MissingAttribute;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW602"),
    name: "missing-attribute",
    family: fwmigrate_rule::Family::Conformance,
    severity: Severity::Error,
    fix: Some(Applicability::DisplayOnly),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: NEEDLES,
    summary: "An attribute of a cookbook or SDK module, class or object that does not exist at the target.",
    explanation: r#"## What it finds

An attribute the target release does not have:

- `m.Name` where `m` is a cookbook or SDK module bound by an import (`rl_loop.InfraConfig` when
  `rl_loop` no longer imports `InfraConfig`, `utils.setup_infra`);
- `C.attr` where `C` is a cookbook or SDK class;
- `x.method(...)` where `x` has a known type: it is assigned from a cookbook or SDK constructor or
  from a function whose return annotation names such a class
  (`service = build_service_client(...)`), it is a parameter annotated with such a class, or it
  is `self.x` assigned so in its class. A receiver of your own class, or of unknown type, is never
  reported.

Names and classes are looked up in API tables generated from the cookbook's source at the target
and from the selected SDK release (`--sdk-version`), following re-exports and base classes.
Anything the tables cannot see through (a class with a base from another package, a module with
a `__getattr__`) is not reported.

For an SDK attribute or method that an earlier SDK release had
(`save_weights_and_get_sampling_client` on a `FiretitanTrainingClient`), the message names the
release that removed it: "removed in fireworks-ai 1.2.25 (1.2.24 still has it)".

## Why it matters

It is an `AttributeError` at the target.

## Fix safety

**Display-only**: nothing is applied. When a module attribute moved to another module of the same package
with the same kind, the suggestion shows the import to use instead.

## Example

```python
service = build_service_client(...)
training_client = service.create_training_client(base_model, lora_rank=16)
# FW602 at fireworks-ai 1.2.25 and later: removed in 1.2.25 (1.2.24 still has it)
training_client.save_weights_and_get_sampling_client("step-1")
```
"#,
};

impl Rule for MissingAttribute {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        let view = view(ctx);
        let types = ctx.types();
        for_each_expr(ctx.file.suite(), |expr| match expr {
            Expr::Attribute(attr) if attr.ctx.is_load() => {
                let Some(path) = table_path(ctx.semantic, expr) else {
                    return;
                };
                if !in_scope(&path) {
                    return;
                }
                let Resolved::Missing { owner, name } = view.resolve(&path) else {
                    return;
                };
                // Report the first missing attribute only: its value must exist.
                let value_exists = table_path(ctx.semantic, &attr.value).is_some_and(|v| {
                    matches!(
                        view.resolve(&v),
                        Resolved::Module { .. } | Resolved::Class(_)
                    )
                });
                if name != attr.attr.as_str() || !value_exists {
                    return;
                }
                let owner_is_module = view.module(&owner).is_some();
                if owner_is_module && seen(ctx, &path).is_none() {
                    return;
                }
                let mut message = format!(
                    "`{}` does not exist at {} (an AttributeError): `{owner}` has no `{name}`",
                    ctx.slice(expr.range()),
                    at(ctx)
                );
                let mut fix = None;
                let new_home = owner_is_module
                    .then(|| moved(ctx, &view, &path))
                    .flatten()
                    .and_then(|to| Some(to.rsplit_once('.')?.0.to_string()));
                if let Some(to) = new_home {
                    message.push_str(&format!("; it is in `{to}` now."));
                    fix = Some(Fix::display_only(
                        format!("Use `{to}.{name}`"),
                        Some(format!("from {to} import {name}")),
                        "the module is bound under another name: import the new one by hand",
                    ));
                } else {
                    message.push_str(&history_note(ctx, &path).unwrap_or_default());
                    message.push('.');
                }
                findings.push(Finding::new(&META, expr.range(), message).with_fix_opt(fix));
            }
            Expr::Call(call) => method_call(ctx, &view, types, call, findings),
            _ => {}
        });
    }
}

/// `x.method(...)` on a receiver of known type.
fn method_call(
    ctx: &Context,
    view: &fwmigrate_rule::api::index::ApiView,
    types: &TypeIndex,
    call: &ast::ExprCall,
    findings: &mut Vec<Finding>,
) {
    let Expr::Attribute(attr) = &*call.func else {
        return;
    };
    if table_path(ctx.semantic, &call.func).is_some() {
        return;
    }
    let Some(class) = types.class_of(&attr.value, ctx.semantic, view) else {
        return;
    };
    let method = attr.attr.as_str();
    if !matches!(view.member(class, method), Member::Missing) {
        return;
    }
    let note = removal_note(ctx, &format!("{}.{method}", class.path())).unwrap_or_default();
    findings.push(Finding::new(
        &META,
        call.func.range(),
        format!(
            "`{}` is a `{}`, which has no `{method}` at {} (an AttributeError){note}.",
            ctx.slice(attr.value.range()),
            class.name,
            at(ctx)
        ),
    ));
}
