//! FW603 `arguments-do-not-bind`: a call of a tabled callable whose arguments do not bind to its
//! signature at the target (a `TypeError`).

use fwmigrate_rule::api::tables::Signature;
use fwmigrate_rule::ast;
use fwmigrate_rule::walk::for_each_call;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta,
    Severity,
};

use crate::bind::{BindError, bind, nearest};
use crate::common::{NEEDLES, at, callee, view};

pub struct ArgumentsDoNotBind;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW603"),
    name: "arguments-do-not-bind",
    family: fwmigrate_rule::Family::Conformance,
    severity: Severity::Error,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: NEEDLES,
    summary: "A call of a cookbook or SDK callable whose arguments do not bind to its signature at the target.",
    explanation: r#"## What it finds

A call of a cookbook or SDK function, class or method whose arguments do not
bind to its signature at the target release (and the selected SDK version): an unknown keyword,
too many positional arguments, a keyword for a positional-only parameter, an argument given twice,
or a missing required argument. Signatures come from API tables generated from the source:
dataclass and pydantic fields (inherited ones included), explicit `__init__`s, class and static
methods, and methods called on a receiver of known type (see FW602). A call with `*args` or
`**kwargs` is checked only for what it spells out.

When a more specific rule reports the same keyword (FW002 `infra=`, FW005 a removed `Config`
field, FW006 `rlor_mgr=`, FW201 `accelerator_type=`, ...), that rule's finding stands alone;
whatever still does not bind after its fix is reported in the same run
(`sft_loop.main(config, deploy_mgr=...)` once FW006 removed `rlor_mgr`).

## Why it matters

It is a `TypeError` at the target, often only when the script reaches that
line after minutes of provisioning.

## Fix safety

**Safe** only for reviewed renames: `build_service_client(lora_rank=...)` →
`max_lora_rank=` at 2026.08. Otherwise none; the message lists the accepted parameters nearest to
an unknown keyword.

## Example

```python
DeployConfig(deployment_id="d", create_deployment=True)  # FW603: no `create_deployment` at 2026.08
```
"#,
};

/// Reviewed keyword renames: (callee path, old, new). One applies where the target's signature
/// lacks the old keyword and has the new one, at whichever release that is.
const RENAMES: &[(&str, &str, &str)] = &[(
    "training.utils.service.build_service_client",
    "lora_rank",
    "max_lora_rank",
)];

impl Rule for ArgumentsDoNotBind {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        let view = view(ctx);
        let types = ctx.types();
        for_each_call(ctx.file.suite(), |call| {
            let Some(found) = callee(ctx, &view, types, call) else {
                return;
            };
            let Some(sig) = &found.sig else {
                return;
            };
            let full = Some(found.path.as_str());
            let callee = ctx.slice(call.func.range());
            let mut errors = bind(sig, call);
            // A reviewed rename fixes the unknown keyword and the missing one at once: one finding.
            let renamed: Vec<&str> = RENAMES
                .iter()
                .filter(|(path, old, new)| {
                    Some(*path) == full
                        && sig.param(new).is_some()
                        && errors.iter().any(
                            |e| matches!(e, BindError::UnknownKeyword { name, .. } if name == old),
                        )
                })
                .map(|(_, _, new)| *new)
                .collect();
            for e in &mut errors {
                if let BindError::MissingRequired { names } = e {
                    names.retain(|n| !renamed.contains(&n.as_str()));
                }
            }
            errors
                .retain(|e| !matches!(e, BindError::MissingRequired { names } if names.is_empty()));
            for error in errors {
                findings.push(finding(ctx, sig, full, callee, call, error));
            }
        });
    }
}

fn finding(
    ctx: &Context,
    sig: &Signature,
    full: Option<&str>,
    callee: &str,
    call: &ast::ExprCall,
    error: BindError,
) -> Finding {
    let at = at(ctx);
    match error {
        BindError::UnknownKeyword { name, range } => {
            let rename = RENAMES.iter().find(|(path, old, new)| {
                Some(*path) == full && *old == name && sig.param(new).is_some()
            });
            let near = nearest(sig.keyword_names(), &name, 3);
            let accepted = if near.is_empty() {
                let all: Vec<&str> = sig.keyword_names().collect();
                match all.len() {
                    0 => "it takes no keyword arguments".to_string(),
                    1..=6 => format!("it accepts {}", quote_list(&all)),
                    n => format!("it accepts {} and {} more", quote_list(&all[..5]), n - 5),
                }
            } else {
                format!("nearest accepted: {}", quote_list(&near))
            };
            let message = format!(
                "`{callee}(...)` has no parameter `{name}` at {at} (a TypeError); {accepted}."
            );
            let fix = rename.and_then(|(_, _, new)| {
                let keyword = call
                    .arguments
                    .keywords
                    .iter()
                    .find(|k| k.range() == range)?;
                let ident = keyword.arg.as_ref()?;
                Some(Fix::safe(
                    format!("Rename `{name}=` to `{new}=`"),
                    vec![Edit::replacement(ident.range(), *new)],
                ))
            });
            Finding::new(&META, range, message).with_fix_opt(fix)
        }
        BindError::PositionalOnly { name, range } => Finding::new(
            &META,
            range,
            format!("`{callee}(...)` takes `{name}` only positionally at {at} (a TypeError)."),
        ),
        BindError::MultipleValues { name, range } => Finding::new(
            &META,
            range,
            format!(
                "`{callee}(...)` gets `{name}` both positionally and as a keyword (a TypeError at {at})."
            ),
        ),
        BindError::TooManyPositional { max, given, range } => Finding::new(
            &META,
            range,
            format!(
                "`{callee}(...)` takes at most {max} positional argument{} at {at}, {given} given (a TypeError); signature: ({sig}).",
                if max == 1 { "" } else { "s" },
            ),
        ),
        BindError::MissingRequired { names } => Finding::new(
            &META,
            call.range(),
            format!(
                "`{callee}(...)` is missing the required argument{} {} at {at} (a TypeError).",
                if names.len() == 1 { "" } else { "s" },
                quote_list(&names.iter().map(String::as_str).collect::<Vec<_>>())
            ),
        ),
    }
}

fn quote_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
