//! FW205 `pinned-shape-version`: a training shape name pinned to a version.

use fwmigrate_rule::ast::{self, Expr, StringFlags};
use fwmigrate_rule::walk::for_each_expr;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta,
    Severity, TextRange, TextSize,
};

pub struct PinnedShapeVersion;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW205"),
    name: "pinned-shape-version",
    family: fwmigrate_rule::Family::Shapes,
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    targets: ALL_TARGETS,
    requires_import: false,
    needles: &["trainingShapes/"],
    summary: "A training shape name pinned to `/versions/<v>`; use the unversioned name.",
    explanation: r#"## What it finds

Any string literal whose whole value is a versioned training shape name,
`accounts/<a>/trainingShapes/<s>/versions/<v>`: a keyword value, an assignment, the default of
a CLI option, a dict value. No cookbook import is needed: the string itself is specific enough.
Deployment shapes (`accounts/<a>/deploymentShapes/<s>/versions/<v>`) are the opposite case (the
SDK resolves a *versioned* deployment shape) and are never reported. Strings built with
f-strings are not checked.

## Why it matters

The SDK resolves the latest validated version of a training shape. A pinned version stops
receiving fixes and fails once that version is retired.

## Fix safety

**Unsafe**: the fix strips `/versions/<v>` from the literal. It is unsafe because the run then uses
the shape's current version instead of the pinned one. When the version is split across
implicitly concatenated literals or written with escapes, there is no automatic fix.

## Example

```python
# before
training_shape_id="accounts/fireworks/trainingShapes/qwen3-8b-h200/versions/3"
# after (--unsafe-fixes)
training_shape_id="accounts/fireworks/trainingShapes/qwen3-8b-h200"
```
"#,
};

/// For `accounts/<a>/trainingShapes/<s>/versions/<v>`: the suffix `/versions/<v>` and `<v>`.
/// Each of `<a>`, `<s>` and `<v>` is a resource id: ASCII letters, digits, `-`, `_` and `.`.
/// Called on every string literal of every file, so it allocates nothing.
pub fn versioned_training_shape(value: &str) -> Option<(&str, &str)> {
    let rest = value.strip_prefix("accounts/")?;
    let (account, rest) = rest.split_once('/')?;
    let rest = rest.strip_prefix("trainingShapes/")?;
    let (shape, rest) = rest.split_once('/')?;
    let version = rest.strip_prefix("versions/")?;
    let is_id = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if !(is_id(account) && is_id(shape) && is_id(version)) {
        return None;
    }
    let suffix_len = "/versions/".len() + version.len();
    Some((&value[value.len() - suffix_len..], version))
}

/// The source range of `suffix` at the end of a string literal, when the literal spells it
/// verbatim (no escapes) in its last part.
fn suffix_range(
    ctx: &Context,
    literal: &ast::ExprStringLiteral,
    suffix: &str,
) -> Option<TextRange> {
    let last = literal.value.iter().last()?;
    let start = last.range.start() + last.flags.opener_len();
    let end = last.range.end().checked_sub(last.flags.closer_len())?;
    if start > end {
        return None;
    }
    let raw = ctx.slice(TextRange::new(start, end));
    if raw != &*last.value || !raw.ends_with(suffix) {
        return None;
    }
    // What stays must not end in an escaping backslash (`"\/versions/4"` would become `"\"`).
    let kept = &raw[..raw.len() - suffix.len()];
    let backslashes = kept.len() - kept.trim_end_matches('\\').len();
    if backslashes % 2 == 1 {
        return None;
    }
    let len = TextSize::try_from(suffix.len()).ok()?;
    Some(TextRange::new(end - len, end))
}

/// A fresh literal holding `value`, in the quote style of the old one's first part (escapes and
/// implicit concatenation are dropped). `None` when the value would need escaping.
fn rebuilt_literal(literal: &ast::ExprStringLiteral, value: &str) -> Option<String> {
    if value.contains(['\\', '"', '\'', '\n', '\r']) {
        return None;
    }
    let first = literal.value.iter().next()?;
    // A single literal is valid anywhere the old (possibly concatenated) expression was.
    let quote = first.flags.quote_style().as_char();
    Some(format!("{quote}{value}{quote}"))
}

impl Rule for PinnedShapeVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        for_each_expr(ctx.file.suite(), |expr| {
            let Expr::StringLiteral(literal) = expr else {
                return;
            };
            let value = literal.value.to_str();
            let Some((suffix, version)) = versioned_training_shape(value) else {
                return;
            };
            let unversioned = &value[..value.len() - suffix.len()];
            let message = format!(
                "training shape `{unversioned}` is pinned to version {version}: the SDK resolves \
                 the latest validated version of a shape, and a pinned one stops receiving fixes. \
                 Use `{unversioned}`."
            );
            let title = format!("Strip `{suffix}`");
            let fix = match suffix_range(ctx, literal, suffix) {
                Some(range) => Fix::unsafe_edits(title, vec![Edit::deletion(range)])
                    .with_reason("the run will use the shape's current version"),
                None if !ctx.file.comments_in(expr.range()).is_empty() => Fix::display_only(
                    title,
                    Some(format!("\"{unversioned}\"")),
                    "the literal has comments between its parts; edit it by hand",
                ),
                None => match rebuilt_literal(literal, unversioned) {
                    Some(text) => {
                        Fix::unsafe_edits(title, vec![Edit::replacement(expr.range(), text)])
                            .with_reason("the run will use the shape's current version")
                    }
                    None => Fix::display_only(
                        title,
                        Some(format!("\"{unversioned}\"")),
                        "the name would need escaping; edit it by hand",
                    ),
                },
            };
            findings.push(Finding::new(&META, expr.range(), message).with_fix(fix));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::versioned_training_shape;

    #[test]
    fn matches_only_versioned_training_shapes() {
        assert_eq!(
            versioned_training_shape("accounts/fireworks/trainingShapes/qwen3-8b/versions/3"),
            Some(("/versions/3", "3"))
        );
        assert_eq!(
            versioned_training_shape("accounts/fireworks/trainingShapes/qwen3-8b"),
            None
        );
        assert_eq!(
            versioned_training_shape("accounts/fireworks/deploymentShapes/qwen3-8b/versions/3"),
            None
        );
        assert_eq!(
            versioned_training_shape("accounts/fireworks/trainingShapes/qwen3-8b/versions/"),
            None
        );
        assert_eq!(
            versioned_training_shape("see accounts/fireworks/trainingShapes/q/versions/3"),
            None
        );
        assert_eq!(
            versioned_training_shape("accounts/fireworks/trainingShapes/q/versions/3/x"),
            None
        );
        assert_eq!(
            versioned_training_shape("accounts/a.b/trainingShapes/q_1-x/versions/v1.2"),
            Some(("/versions/v1.2", "v1.2"))
        );
        // Not resource ids.
        for odd in [
            "accounts/fireworks/trainingShapes/\\/versions/4",
            "accounts/fireworks/trainingShapes/a b/versions/4",
            "accounts//trainingShapes/q/versions/4",
            "accounts/fireworks/trainingShapes/q/versions/{v}",
        ] {
            assert_eq!(versioned_training_shape(odd), None, "{odd}");
        }
    }
}
