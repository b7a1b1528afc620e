//! FW003 `weight-sync-config`: `weight_sync=WeightSyncConfig(...)` (or the older
//! `hotload=HotloadConfig(...)`) on a recipe `Config` → top-level fields.

use fwmigrate_rule::ast::{self, Expr};
use fwmigrate_rule::message::short;
use fwmigrate_rule::parser::TokenKind;
use fwmigrate_rule::parser::source::{indentation_at, is_at_line_start, line_end, line_start};
use fwmigrate_rule::semantic::Binding;
use fwmigrate_rule::semantic::imports::remove_binding;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta,
    Severity, Target, TextRange, walk,
};

use crate::common::{
    ConfigVars, GROUP_LIMIT, binding_uses, delete_arguments, import_binding, keyword_value,
    plain_positional, positional_range, recipe_config,
};

pub struct WeightSyncConfigRule;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW003"),
    name: "weight-sync-config",
    family: fwmigrate_rule::Family::Infra,
    severity: Severity::Error,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["weight_sync", "hotload"],
    summary: "`weight_sync=WeightSyncConfig(...)` is gone: its fields are top-level `Config` fields.",
    explanation: r#"## What it finds

`weight_sync=` (or the early-2026 spelling `hotload=HotloadConfig(...)`) passed to a recipe
`Config(...)`, and `cfg.weight_sync.<field>` on a variable that is bound only to a recipe
`Config(...)` in its scope (or annotated with one).

## Why it matters

Recipe configs no longer have a `weight_sync` field (a `TypeError` at both targets). The fields
that still mean something are top-level fields of the recipe `Config`; the others have no home
any more:

| field of WeightSyncConfig | rl_loop | async_rl_loop | igpo_loop, distillation_loop | dpo, sft, orpo |
|---|---|---|---|---|
| `dcp_save_interval` | hoist | hoist | hoist | hoist |
| `weight_sync_timeout` | hoist | hoist | hoist | drop |
| `weight_sync_before_training` | hoist at 2026.06, drop at 2026.08 | hoist at 2026.06, drop at 2026.08 | hoist | drop |
| `weight_sync_interval` | hoist at 2026.06, drop at 2026.08 | drop | hoist | drop |
| `dcp_timeout`, `first_checkpoint_type` | drop | drop | drop | drop |

`HotloadConfig` fields are read as `hot_load_interval` → `weight_sync_interval`,
`hot_load_before_training` → `weight_sync_before_training`, `hot_load_timeout` →
`weight_sync_timeout`.

## Fix safety

**Safe** when the value is an inline `WeightSyncConfig(...)` and the recipe is known: the hoisted
fields replace the `weight_sync=` keyword, in their original order (one per line when the keyword
had its own line; comments on their lines move with them). The message names every dropped
field with its value. A field the call already passes at the top level wins over the nested one
(the message says so). The `WeightSyncConfig` import goes when nothing else uses it.
A non-inline value (`weight_sync=ws`) or an unknown recipe gets a display-only suggestion.
`cfg.weight_sync.<field>` becomes `cfg.<field>` (safe) when the recipe still has the field at the
top level; otherwise it is reported without a fix.

## Example

```python
rl_loop.Config(
    weight_sync=WeightSyncConfig(weight_sync_interval=1, dcp_save_interval=10),
)
```

becomes, at 2026.08 (`weight_sync_interval=1` is dropped and named in the message),

```python
rl_loop.Config(
    dcp_save_interval=10,
)
```
"#,
};

/// The legacy positional order of `WeightSyncConfig`.
const WEIGHT_SYNC_FIELDS: &[&str] = &[
    "weight_sync_interval",
    "dcp_save_interval",
    "dcp_timeout",
    "first_checkpoint_type",
    "weight_sync_before_training",
    "weight_sync_timeout",
];

/// `HotloadConfig` spellings.
fn canonical_field(name: &str) -> &str {
    match name {
        "hot_load_interval" => "weight_sync_interval",
        "hot_load_before_training" => "weight_sync_before_training",
        "hot_load_timeout" => "weight_sync_timeout",
        other => other,
    }
}

/// Whether the target recipe takes `field` at the top level. `None` for an unknown recipe.
fn hoistable(target: Target, recipe: &str, field: &str) -> Option<bool> {
    if let Some(r) = target.release().recipe(recipe) {
        return Some(r.has_field(field));
    }
    // The spec's table for a recipe the embedded release does not describe.
    match recipe {
        "distillation_loop" => Some(matches!(
            field,
            "dcp_save_interval"
                | "weight_sync_timeout"
                | "weight_sync_before_training"
                | "weight_sync_interval"
        )),
        _ => None,
    }
}

impl Rule for WeightSyncConfigRule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        let mut outcomes: Vec<Outcome> = Vec::new();
        walk::for_each_call(ctx.file.suite(), |call| {
            let Some(recipe) = recipe_config(ctx, call) else {
                return;
            };
            for (kw_name, class) in [
                ("weight_sync", "WeightSyncConfig"),
                ("hotload", "HotloadConfig"),
            ] {
                if let Some(kw) = walk::keyword(call, kw_name) {
                    outcomes.push(check_keyword(Site::new(
                        ctx, call, &recipe, kw, kw_name, class,
                    )));
                }
            }
        });
        // The fixes of every construction through one import binding are applied together, so
        // the import is removed in the same pass as its last use.
        let mut groups: Vec<(&Binding, Vec<TextRange>, Vec<Edit>)> = Vec::new();
        for o in &outcomes {
            if let Outcome::Pending { edits, callee, .. } = o
                && let Some(binding) = import_binding(ctx, callee)
            {
                match groups
                    .iter_mut()
                    .find(|(b, _, _)| b.alias_range == binding.alias_range)
                {
                    Some((_, callees, all)) => {
                        callees.push(callee.range());
                        all.extend(edits.iter().cloned());
                    }
                    None => groups.push((binding, vec![callee.range()], edits.clone())),
                }
            }
        }
        for (binding, callees, edits) in &mut groups {
            if binding_uses(ctx, binding, callees) == 0 {
                edits.extend(remove_binding(ctx.file, ctx.semantic, binding));
            }
        }
        check_attributes(ctx, findings);
        let mut carried: Vec<(TextRange, usize)> = Vec::new();
        for o in outcomes {
            match o {
                Outcome::Done(f) => findings.push(f),
                Outcome::Pending {
                    finding,
                    edits,
                    callee,
                    title,
                } => {
                    let group = import_binding(ctx, callee).and_then(|b| {
                        groups
                            .iter()
                            .find(|(g, _, _)| g.alias_range == b.alias_range)
                    });
                    // Every member carries the group fix; in very large groups only the first
                    // does, to keep conflict checks cheap.
                    let edits = match group {
                        Some((binding, callees, all)) => {
                            let index =
                                match carried.iter().position(|(r, _)| *r == binding.alias_range) {
                                    Some(index) => index,
                                    None => {
                                        carried.push((binding.alias_range, 0));
                                        carried.len() - 1
                                    }
                                };
                            let n = &mut carried[index].1;
                            *n += 1;
                            if callees.len() <= GROUP_LIMIT || *n == 1 {
                                all.clone()
                            } else {
                                edits
                            }
                        }
                        None => edits,
                    };
                    findings.push(finding.with_fix(Fix::safe(title, edits)));
                }
            }
        }
    }
}

/// `cfg.weight_sync.<field>` (or `cfg.hotload.<field>`) on a recipe config: the field is a
/// top-level one now, or has no home.
fn check_attributes(ctx: &Context, findings: &mut Vec<Finding>) {
    let vars = ConfigVars::new(ctx);
    let target = ctx.target;
    let mut handled: Vec<TextRange> = Vec::new();
    let mut sites: Vec<(&ast::ExprAttribute, Option<&ast::ExprAttribute>)> = Vec::new();
    walk::for_each_expr(ctx.file.suite(), |expr| {
        let Expr::Attribute(outer) = expr else { return };
        let is_sync =
            |a: &ast::ExprAttribute| matches!(a.attr.id.as_str(), "weight_sync" | "hotload");
        if let Expr::Attribute(inner) = outer.value.as_ref()
            && is_sync(inner)
        {
            handled.push(inner.range);
            sites.push((inner, Some(outer)));
            return;
        }
        if is_sync(outer) && !handled.contains(&outer.range) {
            sites.push((outer, None));
        }
    });
    for (inner, outer) in sites {
        // Only proven recipe configs: a guess by name is too weak for a field that has no
        // direct replacement.
        let Some((shown, Some(recipe))) = vars.base(&inner.value) else {
            continue;
        };
        let sync = inner.attr.id.as_str();
        let Some(outer) = outer else {
            findings.push(Finding::new(
                &META,
                inner.range,
                format!(
                    "`{recipe}.Config` has no `{sync}` at {target}: `{shown}.{sync}` fails with an \
                     `AttributeError`; its fields are top-level `Config` fields now"
                ),
            ));
            continue;
        };
        let written = outer.attr.id.as_str();
        let field = canonical_field(written);
        let title = format!("Use `{shown}.{field}`");
        let replacement = format!("{}.{field}", ctx.slice(inner.value.as_ref()));
        let finding = |message: String| Finding::new(&META, inner.range, message);
        match hoistable(target, &recipe, field) {
            Some(true) if WEIGHT_SYNC_FIELDS.contains(&field) => findings.push(
                finding(format!(
                    "`{recipe}.Config` has no `{sync}` at {target}: `{shown}.{sync}.{written}` is \
                     `{shown}.{field}` now (an `AttributeError` otherwise)"
                ))
                .with_fix(Fix::safe(
                    title,
                    vec![Edit::replacement(outer.range, replacement)],
                )),
            ),
            Some(_) => findings.push(finding(format!(
                "`{recipe}.Config` has no `{sync}` at {target}, and `{written}` has no top-level \
                 home either: `{shown}.{sync}.{written}` fails with an `AttributeError`; remove \
                 it"
            ))),
            None => findings.push(finding(format!(
                "recipe configs no longer have `{sync}` (at {target}): `{shown}.{sync}.{written}` \
                 fails with an `AttributeError`; use the top-level field if `{recipe}.Config` has \
                 one"
            ))),
        }
    }
}

struct Field<'a> {
    name: String,
    /// The name as written (`hot_load_interval` for `weight_sync_interval`).
    written: String,
    value: &'a str,
    /// The whole argument (`name=value`, or the positional value).
    range: TextRange,
}

/// A finding whose fix still needs its import edits (decided for all findings together).
enum Outcome<'a> {
    Done(Finding),
    Pending {
        finding: Finding,
        edits: Vec<Edit>,
        callee: &'a Expr,
        title: String,
    },
}

/// One `weight_sync=` (or `hotload=`) keyword on a recipe `Config(...)` call, and what every
/// part of its finding shares.
struct Site<'s, 'a> {
    ctx: &'s Context<'a>,
    call: &'a ast::ExprCall,
    recipe: &'s str,
    kw: &'a ast::Keyword,
    kw_name: &'static str,
    class: &'static str,
    /// The fix title.
    title: String,
    /// The message up to its first `:`.
    base: String,
}

impl<'s, 'a> Site<'s, 'a> {
    fn new(
        ctx: &'s Context<'a>,
        call: &'a ast::ExprCall,
        recipe: &'s str,
        kw: &'a ast::Keyword,
        kw_name: &'static str,
        class: &'static str,
    ) -> Self {
        let target = ctx.target;
        let title = format!("Move the `{class}` fields to the top level of `{recipe}.Config`");
        let known = hoistable(target, recipe, "dcp_save_interval").is_some();
        let base = if known {
            format!("`{recipe}.Config` has no `{kw_name}` field at {target} (a `TypeError`)")
        } else {
            format!("recipe configs no longer take `{kw_name}=` (at {target})")
        };
        Site {
            ctx,
            call,
            recipe,
            kw,
            kw_name,
            class,
            title,
            base,
        }
    }

    fn finding(&self, message: String) -> Finding {
        Finding::new(&META, self.kw.range, message)
    }
}

fn check_keyword<'a>(site: Site<'_, 'a>) -> Outcome<'a> {
    let Some(inner) = inline_config(&site) else {
        return Outcome::Done(not_inline_finding(&site));
    };
    let (fields, problems) = nested_fields(site.ctx, inner);
    let plan = Plan::new(&site, &fields);
    let finding = site.finding(plan.message(&site.base));
    let Site {
        ctx,
        call,
        recipe,
        kw,
        title,
        ..
    } = site;
    let target = ctx.target;

    if plan.unknown_recipe {
        let suggestion: Vec<String> = fields
            .iter()
            .map(|f| format!("{}={}", f.name, f.value))
            .collect();
        return Outcome::Done(finding.with_fix(Fix::display_only(
            title,
            Some(suggestion.join(", ")),
            format!(
                "the field list of recipe `{recipe}` at {target} is unknown; keep the fields it \
                 still takes as top-level keywords"
            ),
        )));
    }
    if !problems.is_empty() {
        return Outcome::Done(finding.with_fix(Fix::display_only(
            title,
            None,
            format!("no automatic fix: {}", problems.join("; ")),
        )));
    }

    let edits = if plan.hoisted.is_empty() {
        delete_arguments(ctx.file, &call.arguments, &[kw.range])
    } else {
        vec![hoist_edit(ctx, call, kw, inner, &plan.hoisted)]
    };
    Outcome::Pending {
        finding,
        edits,
        callee: &inner.func,
        title,
    }
}

/// The inline `WeightSyncConfig(...)` / `HotloadConfig(...)` the keyword passes, if it is one.
fn inline_config<'a>(site: &Site<'_, 'a>) -> Option<&'a ast::ExprCall> {
    match &site.kw.value {
        Expr::Call(inner)
            if site
                .ctx
                .semantic
                .resolve_call(inner)
                .is_some_and(|s| s.is_utils("WeightSyncConfig") || s.is_utils("HotloadConfig")) =>
        {
            Some(inner)
        }
        _ => None,
    }
}

/// The finding for a value that is not an inline config: `None` is removed, anything else (a
/// name, a call of something else) gets the top-level keywords to write instead.
fn not_inline_finding(site: &Site) -> Finding {
    let Site {
        ctx,
        recipe,
        kw,
        kw_name,
        class,
        ..
    } = *site;
    let target = ctx.target;
    let finding = site.finding(format!(
        "{}: its fields are top-level `Config` fields now",
        site.base
    ));
    match &kw.value {
        Expr::NoneLiteral(_) => finding.with_fix(Fix::display_only(
            format!("Remove `{kw_name}=None`"),
            None,
            format!(
                "remove `{kw_name}=None`; the weight-sync fields that `{recipe}.Config` still has \
                 keep their defaults unless set at the top level"
            ),
        )),
        other => finding.with_fix(Fix::display_only(
            site.title.clone(),
            Some(
                WEIGHT_SYNC_FIELDS
                    .iter()
                    .filter(|f| hoistable(target, recipe, f).unwrap_or(true))
                    .map(|f| format!("{f}={}.{f}", short(ctx.slice(other))))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            format!(
                "`{kw_name}=` is not an inline `{class}(...)`; pass the fields that \
                 `{recipe}.Config` still has at {target} as top-level keywords"
            ),
        )),
    }
}

/// The fields of the nested config call, in source order, and why any argument cannot be mapped
/// to a field.
fn nested_fields<'a>(ctx: &Context<'a>, inner: &ast::ExprCall) -> (Vec<Field<'a>>, Vec<String>) {
    let mut fields: Vec<Field> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    // `HotloadConfig` has no known positional order.
    let is_hotload = ctx
        .semantic
        .resolve_call(inner)
        .is_some_and(|s| s.is_utils("HotloadConfig"));
    for (i, arg) in inner.arguments.args.iter().enumerate() {
        match WEIGHT_SYNC_FIELDS.get(i) {
            Some(name) if plain_positional(arg) && !is_hotload => fields.push(Field {
                name: (*name).to_string(),
                written: (*name).to_string(),
                value: ctx.slice(positional_range(ctx.file, &inner.arguments, arg)),
                range: positional_range(ctx.file, &inner.arguments, arg),
            }),
            _ => problems.push(format!("positional argument {} cannot be mapped", i + 1)),
        }
    }
    for k in &inner.arguments.keywords {
        match walk::keyword_name(k) {
            Some(name) => fields.push(Field {
                name: canonical_field(name).to_string(),
                written: name.to_string(),
                value: keyword_value(ctx, k),
                range: k.range,
            }),
            None => problems.push("it unpacks `**` arguments".to_string()),
        }
    }
    fields.sort_by_key(|f| f.range.start());
    (fields, problems)
}

/// Which nested fields move to the top level, and why each of the others is dropped.
struct Plan<'f, 'a> {
    hoisted: Vec<&'f Field<'a>>,
    notes: Vec<String>,
    /// The recipe's field list is unknown at the target: nothing is decided.
    unknown_recipe: bool,
}

impl<'f, 'a> Plan<'f, 'a> {
    fn new(site: &Site, fields: &'f [Field<'a>]) -> Self {
        let Site {
            ctx,
            call,
            recipe,
            class,
            ..
        } = *site;
        let target = ctx.target;
        let mut plan = Plan {
            hoisted: Vec::new(),
            notes: Vec::new(),
            unknown_recipe: false,
        };
        for f in fields {
            if walk::keyword(call, &f.name).is_some() {
                plan.notes.push(format!(
                    "`{}={}` is dropped: the call already passes `{}=` at the top level, which \
                     wins",
                    f.written,
                    short(f.value),
                    f.name
                ));
                continue;
            }
            if !WEIGHT_SYNC_FIELDS.contains(&f.name.as_str()) {
                plan.notes.push(format!(
                    "`{}={}` is dropped: not a `{class}` field",
                    f.written,
                    short(f.value)
                ));
                continue;
            }
            match hoistable(target, recipe, &f.name) {
                Some(true) => plan.hoisted.push(f),
                Some(false) => plan.notes.push(format!(
                    "`{}={}` is dropped: `{recipe}.Config` has no `{}` at {target}",
                    f.written,
                    short(f.value),
                    f.name
                )),
                None => plan.unknown_recipe = true,
            }
        }
        plan
    }

    /// The finding's message: what moved, and every dropped field with its value.
    fn message(&self, base: &str) -> String {
        let mut message = format!("{base}: its fields are top-level `Config` fields now");
        if !self.hoisted.is_empty() && !self.unknown_recipe {
            let names: Vec<String> = self
                .hoisted
                .iter()
                .map(|f| format!("`{}`", f.name))
                .collect();
            message.push_str(&format!("; moved: {}", names.join(", ")));
        }
        for n in &self.notes {
            message.push_str("; ");
            message.push_str(n);
        }
        message
    }
}

/// Replace the `weight_sync=` keyword with the hoisted fields.
fn hoist_edit(
    ctx: &Context,
    call: &ast::ExprCall,
    kw: &ast::Keyword,
    inner: &ast::ExprCall,
    hoisted: &[&Field],
) -> Edit {
    let text = ctx.source();
    let nl = ctx.file.line_ending().as_str();
    let comma = match ctx.file.next_token(kw.range.end()) {
        Some((TokenKind::Comma, c)) if c.end() <= call.arguments.range.end() => Some(c),
        _ => None,
    };
    let kw_end = comma.map_or(kw.range.end(), |c| c.end());
    let rest = &text[usize::from(kw_end)..usize::from(line_end(text, kw_end))];
    let own_line = is_at_line_start(text, kw.range.start())
        && (rest.trim().is_empty() || rest.trim_start().starts_with('#'));
    if !own_line {
        let joined: Vec<String> = hoisted
            .iter()
            .map(|f| format!("{}={}", f.name, f.value))
            .collect();
        return Edit::replacement(kw.range, joined.join(", "));
    }

    // One per line; carry the comments that stand on each hoisted field's lines.
    let indent = indentation_at(text, kw.range.start());
    let comments = ctx.file.comments_in(inner.arguments.range);
    let mut claimed: Vec<TextRange> = Vec::new();
    let mut out = String::new();
    let mut previous_end = inner.arguments.range.start();
    for (i, f) in hoisted.iter().enumerate() {
        let last = i + 1 == hoisted.len();
        // Own-line comments between the previous element (or `(`) and this field.
        for c in comments {
            if c.start() >= previous_end
                && c.end() <= f.range.start()
                && !claimed.contains(c)
                && line_start(text, c.start()) != line_start(text, f.range.start())
            {
                out.push_str(ctx.file.slice(*c));
                out.push_str(nl);
                out.push_str(indent);
                claimed.push(*c);
            }
        }
        out.push_str(&format!("{}={}", f.name, f.value));
        if !last || comma.is_some() {
            out.push(',');
        }
        // A trailing comment on the field's last line.
        let field_line_end = line_end(text, f.range.end());
        let trailing = comments
            .iter()
            .find(|c| c.start() >= f.range.end() && c.end() <= field_line_end);
        if let Some(c) = trailing {
            out.push_str("  ");
            out.push_str(ctx.file.slice(*c));
            claimed.push(*c);
        }
        // Whatever follows on the line must not end up inside the carried comment.
        if !last || (trailing.is_some() && !rest.trim().is_empty()) {
            out.push_str(nl);
            out.push_str(indent);
        }
        previous_end = match ctx.file.next_token(f.range.end()) {
            Some((TokenKind::Comma, c)) => c.end(),
            _ => f.range.end(),
        };
    }
    Edit::replacement(TextRange::new(kw.range.start(), kw_end), out)
}
