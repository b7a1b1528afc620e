//! FW401 `invalid-output-model-id`: an `output_model_id` the server rejects.

use fwmigrate_rule::ast::{Expr, Stmt, StringFlags};
use fwmigrate_rule::message::truncate;
use fwmigrate_rule::walk::{for_each_call, for_each_stmt, fstring_pieces, keyword};
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta,
    Severity,
};

use crate::sanitize::{
    MAX_LEN, describe_bad_chars, is_valid_model_id, model_of_resource_name, sanitize_model_id,
};

pub struct InvalidOutputModelId;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW401"),
    name: "invalid-output-model-id",
    family: fwmigrate_rule::Family::Checkpoints,
    severity: Severity::Error,
    fix: Some(Applicability::Unsafe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["output_model_id"],
    summary: "An `output_model_id` that is not 1-63 characters of `[a-z0-9-]`.",
    explanation: r#"## What it finds

A string literal passed as `output_model_id=` to any call (a recipe `Config(...)`,
`promote_checkpoint(...)`, a helper of your own: the keyword name is specific enough), or
assigned to an `.output_model_id` attribute, that is not 1-63 characters of `[a-z0-9-]`. A full
resource name `accounts/<a>/models/<m>` is reported too: the field takes the model id only. An
f-string is checked on its literal parts: it is reported when those already contain a character
outside the charset (or exceed 63 characters); values that are not literals are not checked.

## Why it matters

The promote is rejected after training. The rejected promote orphans the sampler blob, and a
later promote of the same checkpoint then fails with `checkpoint "<name>" not found in GCS`: a
long run ends without a usable model.

## Fix safety

**Unsafe**: the fix replaces the literal with a sanitised id: a full resource name becomes its
model part, then the value is lower-cased, each run of other characters becomes `-`, repeated
`-` collapse, the result is cut to 63 characters and leading/trailing `-` are stripped. It is
unsafe because the model gets a different id than the script named: update whatever looks the
model up. No fix for f-strings, or when nothing valid is left (e.g. `"___"`).

## Example

```python
# before
client.promote_checkpoint(name=ckpt, output_model_id="accounts/acme/models/Qwen3--8B_Math.final_")
# after (--unsafe-fixes)
client.promote_checkpoint(name=ckpt, output_model_id="qwen3-8b-math-final")
```
"#,
};

const CONSEQUENCE: &str = "The promote would be rejected, orphaning the sampler blob, and a later \
promote of the same checkpoint then fails with `checkpoint \"<name>\" not found in GCS`";

impl Rule for InvalidOutputModelId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // `output_model_id` is matched by name alone: stay out of files that do not use Fireworks.
        if !ctx.semantic.imports_fireworks() {
            return;
        }
        for_each_call(ctx.file.suite(), |call| {
            if let Some(kw) = keyword(call, "output_model_id") {
                check_value(ctx, &kw.value, findings);
            }
        });
        for_each_stmt(ctx.file.suite(), |stmt| {
            let (targets, value): (Vec<&Expr>, &Expr) = match stmt {
                Stmt::Assign(a) => (a.targets.iter().collect(), &a.value),
                Stmt::AnnAssign(a) => match &a.value {
                    Some(v) => (vec![&*a.target], v),
                    None => return,
                },
                _ => return,
            };
            if targets
                .iter()
                .any(|t| matches!(t, Expr::Attribute(attr) if attr.attr.id.as_str() == "output_model_id"))
            {
                check_value(ctx, value, findings);
            }
        });
    }
}

fn check_value(ctx: &Context, value: &Expr, findings: &mut Vec<Finding>) {
    match value {
        Expr::StringLiteral(literal) => {
            let text = literal.value.to_str();
            if is_valid_model_id(text) {
                return;
            }
            let problem = if model_of_resource_name(text).is_some() {
                "is a full model resource name; the field takes a model id (1-63 characters of \
                 `a-z`, `0-9`, `-`)"
                    .to_string()
            } else if text.is_empty() {
                "is empty (a model id is 1-63 characters of `a-z`, `0-9`, `-`)".to_string()
            } else if let Some(bad) = describe_bad_chars(text) {
                format!(
                    "is not a valid model id (it contains {bad}; allowed: 1-63 characters of \
                     `a-z`, `0-9`, `-`)"
                )
            } else {
                format!(
                    "is not a valid model id (it has {} characters; at most {MAX_LEN} are allowed)",
                    text.chars().count()
                )
            };
            let shown = truncate(text, QUOTED_WIDTH);
            let sanitized = sanitize_model_id(text);
            let quote = literal
                .value
                .iter()
                .next()
                .map_or('"', |part| part.flags.quote_style().as_char());
            let (advice, fix) = if sanitized.is_empty() {
                (
                    "Choose an id by hand.".to_string(),
                    Fix::display_only(
                        "Replace with a valid model id",
                        None,
                        "nothing valid is left after sanitising the value",
                    ),
                )
            } else if !ctx.file.comments_in(value.range()).is_empty() {
                (
                    format!("Use `{sanitized}`."),
                    Fix::display_only(
                        format!("Replace with `{sanitized}`"),
                        Some(format!("{quote}{sanitized}{quote}")),
                        "the literal has comments between its parts; edit it by hand",
                    ),
                )
            } else {
                (
                    format!("Use `{sanitized}`."),
                    Fix::unsafe_edits(
                        format!("Replace with `{sanitized}`"),
                        vec![Edit::replacement(
                            value.range(),
                            format!("{quote}{sanitized}{quote}"),
                        )],
                    )
                    .with_reason(format!(
                        "the model will be promoted as `{sanitized}`; update whatever looks it up by the old name"
                    )),
                )
            };
            findings.push(
                Finding::new(
                    &META,
                    value.range(),
                    format!("output_model_id `{shown}` {problem}. {CONSEQUENCE}. {advice}"),
                )
                .with_fix(fix),
            );
        }
        Expr::FString(fstring) => {
            let literal: String = fstring_pieces(fstring).into_iter().flatten().collect();
            let problem = if let Some(bad) = describe_bad_chars(&literal) {
                format!("its literal text contains {bad}; allowed: `a-z`, `0-9`, `-`")
            } else if literal.chars().count() > MAX_LEN {
                format!("its literal text alone is longer than {MAX_LEN} characters")
            } else {
                return;
            };
            findings.push(Finding::new(
                &META,
                value.range(),
                format!(
                    "output_model_id `{}` is not a valid model id ({problem}). {CONSEQUENCE}. \
                     Build the id from `a-z`, `0-9` and `-` only.",
                    truncate(ctx.slice(value.range()), QUOTED_WIDTH)
                ),
            ));
        }
        _ => {}
    }
}

/// The longest value quoted in a message, in characters (it is quoted as written).
const QUOTED_WIDTH: usize = 70;
