//! FW006 `recipe-main-managers`: a recipe `main(...)` call passing what the new `main` no longer
//! takes (`rlor_mgr`, `deploy_mgr`, `cancel_on_exit`, `on_resources_ready`).

use fwmigrate_rule::api::{self, ParamKind};
use fwmigrate_rule::ast::{self, Expr, Stmt};
use fwmigrate_rule::message::short;
use fwmigrate_rule::parser::edits::{ArgumentPosition, insert_argument};
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta,
    Severity, TextRange, walk,
};

use crate::common::{
    ConfigVar, config_var, delete_arguments, keyword_value, positional_range, recipe_config,
    recipe_main,
};

pub struct RecipeMainManagers;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW006"),
    name: "recipe-main-managers",
    family: fwmigrate_rule::Family::Infra,
    severity: Severity::Error,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    // A recipe `main` resolves only through an import of a `<root>.recipes...` module.
    needles: &["recipes"],
    summary: "A recipe `main()` call passes managers or options the new `main` no longer takes.",
    explanation: r#"## What it finds

A call of a recipe's `main(...)` (resolved through imports, including
`from training.recipes.dpo_loop import main as run_dpo`) that passes what the target's `main` no
longer takes:

- `rlor_mgr` / `deploy_mgr`, as keywords or as the 2nd/3rd positional argument;
- `cancel_on_exit=` (or its old alias `cleanup_on_exit=`);
- `on_resources_ready=` (async_rl_loop).

`distillation_loop.main` still takes `rlor_mgr` and `cancel_on_exit` and is left alone, as is any
`main` that does not resolve to a cookbook recipe.

## Why it matters

The new `main(config)` provisions the trainer and the deployment itself (through the SDK), so
passing managers is a `TypeError`.

## Fix safety

**Safe** where there is a fix:

- Managers: deleted (safe). The other rule of this family, FW007, then deletes the now unused
  `TrainerJobManager(...)` / `DeploymentManager(...)` assignments.
- `cancel_on_exit=X`: at 2026.08 it moves to the recipe `Config(...)` that builds the config passed
  as the first argument, as `cleanup_on_exit=X` (safe when that construction is inline or an
  assignment in the same scope; otherwise display-only). **The default flipped**: the old `main`
  kept the trainer and deployment unless told otherwise; the new `Config` cleans up on exit by
  default. When the old call had no `cancel_on_exit`, no argument is added; the message says so.
  At 2026.06 the option has no home: it is deleted, with a note.
- A positional `cancel_on_exit` is first turned into a keyword, so its value is never lost.
- `on_resources_ready=`: no fix; the trainer and deployment ids are in the metrics `main` returns.

## Example

```python
cfg = rl_loop.Config(...)
rl_loop.main(cfg, rlor_mgr=rlor_mgr, deploy_mgr=deploy_mgr, cancel_on_exit=True)
```

becomes, at 2026.08,

```python
cfg = rl_loop.Config(..., cleanup_on_exit=True)
rl_loop.main(cfg)
```
"#,
};

impl Rule for RecipeMainManagers {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        walk::for_each_call(ctx.file.suite(), |call| {
            if let Some(recipe) = recipe_main(ctx, call) {
                check_call(ctx, call, &recipe, findings);
            }
        });
    }
}

fn is_cancel(name: &str) -> bool {
    name == "cancel_on_exit" || name == "cleanup_on_exit"
}

fn is_manager(name: &str) -> bool {
    name == "rlor_mgr" || name == "deploy_mgr"
}

fn check_call(ctx: &Context, call: &ast::ExprCall, recipe: &str, findings: &mut Vec<Finding>) {
    let Some(main) = MainCall::new(ctx, call, recipe) else {
        return;
    };
    let mut removed = Removed::default();
    main.positional_arguments(&mut removed);
    main.keyword_arguments(&mut removed, findings);
    let config_has_cleanup = main.config_has_cleanup();
    if !removed.managers.is_empty() {
        findings.push(main.managers_finding(&removed));
    }
    for kw in removed.cancel_keywords {
        findings.push(cancel_finding(ctx, call, recipe, kw, config_has_cleanup));
    }
}

/// A recipe `main(...)` call, with the recipe's `main` signature before and at the target.
struct MainCall<'s, 'a> {
    ctx: &'s Context<'a>,
    call: &'s ast::ExprCall,
    recipe: &'s str,
    legacy: &'s api::Recipe,
    current: &'s api::Recipe,
}

/// The arguments a call passes that the target's `main` no longer takes, by what becomes of them.
#[derive(Default)]
struct Removed<'a> {
    /// `rlor_mgr` / `deploy_mgr`, positional or keyword: deleted.
    managers: Vec<(String, TextRange)>,
    /// A positional `cancel_on_exit`: it becomes a keyword first.
    positional_cancel: Vec<(String, TextRange)>,
    /// `cancel_on_exit=`: it moves to the `Config` as `cleanup_on_exit=`.
    cancel_keywords: Vec<&'a ast::Keyword>,
}

impl<'s, 'a> MainCall<'s, 'a> {
    /// `None` for a recipe whose `main` has nothing to migrate.
    fn new(ctx: &'s Context<'a>, call: &'s ast::ExprCall, recipe: &'s str) -> Option<Self> {
        if recipe == "distillation_loop" {
            return None;
        }
        Some(MainCall {
            ctx,
            call,
            recipe,
            legacy: api::legacy().recipe(recipe)?,
            current: ctx.target.release().recipe(recipe)?,
        })
    }

    /// Whether `main` took `name` before and no longer does.
    fn removed(&self, name: &str) -> bool {
        self.legacy.main_param(name).is_some() && self.current.main_param(name).is_none()
    }

    /// The removed positional arguments, by the legacy signature.
    fn positional_arguments(&self, removed: &mut Removed) {
        let Self { ctx, call, .. } = *self;
        for (i, arg) in call.arguments.args.iter().enumerate() {
            if arg.is_starred_expr() {
                break;
            }
            let Some(param) = self.legacy.main.get(i) else {
                break;
            };
            if param.kind != ParamKind::Positional || !self.removed(&param.name) {
                continue;
            }
            if matches!(arg, Expr::Named(_)) {
                // `main(cfg, (m := mgr))`: leave such calls to a human.
                break;
            }
            let range = positional_range(ctx.file, &call.arguments, arg);
            if is_manager(&param.name) {
                removed.managers.push((param.name.clone(), range));
            } else if is_cancel(&param.name) {
                removed.positional_cancel.push((param.name.clone(), range));
            }
        }
    }

    /// The removed keywords; those with nowhere to go are reported here, without a fix.
    fn keyword_arguments(&self, removed: &mut Removed<'s>, findings: &mut Vec<Finding>) {
        let Self {
            ctx, call, recipe, ..
        } = *self;
        let target = ctx.target;
        for kw in &call.arguments.keywords {
            let Some(name) = walk::keyword_name(kw) else {
                continue;
            };
            if !self.removed(name) {
                continue;
            }
            if is_manager(name) {
                removed.managers.push((name.to_string(), kw.range));
            } else if is_cancel(name) {
                removed.cancel_keywords.push(kw);
            } else if name == "on_resources_ready" {
                findings.push(Finding::new(
                    &META,
                    kw.range,
                    format!(
                        "`{recipe}.main()` no longer takes `on_resources_ready=` at {target} (a \
                         `TypeError`): remove it; the trainer and deployment ids are in the \
                         metrics that `main()` returns"
                    ),
                ));
            } else {
                findings.push(Finding::new(
                    &META,
                    kw.range,
                    format!(
                        "`{recipe}.main()` no longer takes `{name}=` at {target} (a \
                         `TypeError`); remove it"
                    ),
                ));
            }
        }
    }

    /// Whether the `Config` passed to `main` has `cleanup_on_exit` at the target (by the
    /// recipe of `main` when the config's construction is not found).
    fn config_has_cleanup(&self) -> bool {
        let Self {
            ctx, call, recipe, ..
        } = *self;
        let target = ctx.target;
        config_call(ctx, call)
            .and_then(|c| recipe_config(ctx, c))
            .and_then(|r| {
                target
                    .release()
                    .recipe(&r)
                    .map(|r| r.has_field("cleanup_on_exit"))
            })
            .unwrap_or_else(|| current_cleanup(target, recipe))
    }

    /// The finding for the removed managers: they are deleted (a positional `cancel_on_exit`
    /// becomes a keyword so that it keeps its meaning).
    fn managers_finding(&self, removed: &Removed) -> Finding {
        let Self { ctx, call, .. } = *self;
        let names: Vec<String> = removed
            .managers
            .iter()
            .map(|(n, _)| format!("`{n}`"))
            .collect();
        let ranges: Vec<TextRange> = removed.managers.iter().map(|(_, r)| *r).collect();
        let mut edits = delete_arguments(ctx.file, &call.arguments, &ranges);
        for (name, range) in &removed.positional_cancel {
            edits.push(Edit::replacement(
                *range,
                format!("{name}={}", ctx.slice(*range)),
            ));
        }
        let title = if removed.managers.len() == 1 {
            format!("Remove {}", names[0])
        } else {
            format!("Remove {}", names.join(" and "))
        };
        Finding::new(&META, call.range(), self.managers_message(removed, &names))
            .with_fix(self.managers_fix(title, edits))
    }

    fn managers_message(&self, removed: &Removed, names: &[String]) -> String {
        let Self {
            ctx,
            recipe,
            legacy,
            ..
        } = *self;
        let target = ctx.target;
        let mut message = format!(
            "`{recipe}.main()` no longer takes {} at {target} (a `TypeError`): the recipe \
             provisions {} itself from its `Config`; remove {}",
            names.join(" / "),
            if legacy.main_param("deploy_mgr").is_some() {
                "the trainer and the deployment"
            } else {
                "the trainer"
            },
            if removed.managers.len() == 1 {
                "it"
            } else {
                "them"
            }
        );
        let has_cancel =
            !removed.cancel_keywords.is_empty() || !removed.positional_cancel.is_empty();
        if !has_cancel && current_cleanup(target, recipe) {
            if legacy.main_param("cancel_on_exit").is_some() {
                message.push_str(
                    ". Note: no `cancel_on_exit` was passed, so the old `main` left the trainer \
                     and deployment running on exit; the new `Config` cleans them up by default \
                     (`cleanup_on_exit=True`). No argument is added: set \
                     `cleanup_on_exit=False` on the `Config` to keep them",
                );
            } else {
                message.push_str(
                    ". Note: the new `Config` cleans the trainer and deployment up on exit by \
                     default (`cleanup_on_exit=True`); no argument is added: set \
                     `cleanup_on_exit=False` on the `Config` to keep them",
                );
            }
        }
        if let Some((name, _)) = removed.positional_cancel.first() {
            message.push_str(&format!(
                "; the positional `{name}` becomes a keyword first"
            ));
        }
        message
    }

    /// The deletion is safe unless the call passes more positional arguments than `main` ever
    /// took: which ones are the managers is then a guess.
    fn managers_fix(&self, title: String, edits: Vec<Edit>) -> Fix {
        let Self { call, recipe, .. } = *self;
        let legacy_positional = self
            .legacy
            .main
            .iter()
            .take_while(|p| p.kind == ParamKind::Positional)
            .count();
        if call.arguments.args.len() > legacy_positional
            && !call.arguments.args.iter().any(Expr::is_starred_expr)
        {
            Fix::display_only(
                title,
                None,
                format!(
                    "the call passes {} positional arguments, more than `{recipe}.main()` ever \
                     took ({legacy_positional}); fix the call by hand",
                    call.arguments.args.len()
                ),
            )
        } else {
            Fix::safe(title, edits)
        }
    }
}

/// Whether the recipe's `Config` has `cleanup_on_exit` at the target.
fn current_cleanup(target: fwmigrate_rule::Target, recipe: &str) -> bool {
    target
        .release()
        .recipe(recipe)
        .is_some_and(|r| r.has_field("cleanup_on_exit"))
}

/// The config expression passed to `main` (first positional, or `config=`).
fn config_arg(call: &ast::ExprCall) -> Option<&Expr> {
    match call.arguments.args.first() {
        Some(a) if !a.is_starred_expr() => Some(a),
        Some(_) => None,
        None => walk::keyword(call, "config").map(|k| &k.value),
    }
}

/// The recipe `Config(...)` construction that builds the config passed to `main`: inline, or the
/// only assignment of that name in the same scope.
fn config_call<'a>(ctx: &Context<'a>, call: &ast::ExprCall) -> Option<&'a ast::ExprCall> {
    let arg = config_arg(call)?;
    match arg {
        Expr::Call(_) => {
            // Find the same node in the file's lifetime: search by range.
            find_call(ctx, arg.range())
        }
        Expr::Name(name) => {
            let id = name.id.as_str();
            if !matches!(
                config_var(ctx, id, name.range.start()),
                ConfigVar::Recipe(_)
            ) {
                return None;
            }
            let scope = ctx.semantic.function_at(name.range.start());
            let mut found: Vec<&'a ast::ExprCall> = Vec::new();
            let mut others = 0usize;
            walk::for_each_stmt(ctx.file.suite(), |stmt| {
                let (targets, value): (Vec<&Expr>, Option<&Expr>) = match stmt {
                    Stmt::Assign(a) => (a.targets.iter().collect(), Some(&a.value)),
                    Stmt::AnnAssign(a) => (vec![&a.target], a.value.as_deref()),
                    _ => return,
                };
                for t in targets {
                    if let Expr::Name(n) = t
                        && n.id.as_str() == id
                        && ctx.semantic.function_at(n.range.start()) == scope
                    {
                        match value {
                            Some(Expr::Call(c))
                                if recipe_config(ctx, c).is_some()
                                    && c.range().end() <= call.range().start() =>
                            {
                                found.push(c)
                            }
                            _ => others += 1,
                        }
                    }
                }
            });
            if found.len() == 1 && others == 0 {
                found.pop()
            } else {
                None
            }
        }
        _ => None,
    }
}

fn find_call<'a>(ctx: &Context<'a>, range: TextRange) -> Option<&'a ast::ExprCall> {
    let mut out = None;
    walk::for_each_call(ctx.file.suite(), |c| {
        if c.range() == range && out.is_none() {
            out = Some(c);
        }
    });
    out
}

fn cancel_finding(
    ctx: &Context,
    call: &ast::ExprCall,
    recipe: &str,
    kw: &ast::Keyword,
    config_has_cleanup: bool,
) -> Finding {
    let target = ctx.target;
    let name = walk::keyword_name(kw).unwrap_or("cancel_on_exit");
    let value = keyword_value(ctx, kw);
    let shown = short(value);
    if !config_has_cleanup {
        let message = format!(
            "`{recipe}.main()` no longer takes `{name}=` at {target} (a `TypeError`), and \
             `{recipe}.Config` has no `cleanup_on_exit` there: `{name}={shown}` has no home and is \
             dropped; clean up the trainer and deployment yourself if you relied on it"
        );
        let edits = delete_arguments(ctx.file, &call.arguments, &[kw.range]);
        return Finding::new(&META, kw.range, message)
            .with_fix(Fix::safe(format!("Remove `{name}=`"), edits));
    }
    let message = format!(
        "`{recipe}.main()` no longer takes `{name}=` at {target} (a `TypeError`): it is \
         `cleanup_on_exit={shown}` on the recipe `Config` now. Note the default flipped: the old \
         `main` kept the trainer and deployment unless told otherwise, the new `Config` cleans up \
         by default"
    );
    let title = "Move it to the `Config` as `cleanup_on_exit=`";
    let finding = Finding::new(&META, kw.range, message);
    let Some(config) = config_call(ctx, call) else {
        return finding.with_fix(Fix::display_only(
            title,
            Some(format!("cleanup_on_exit={value}")),
            "the config passed to `main()` is not built by a recipe `Config(...)` inline or in an \
             assignment in the same scope; add `cleanup_on_exit=` to it by hand",
        ));
    };
    if walk::keyword(config, "cleanup_on_exit").is_some() {
        return finding.with_fix(Fix::display_only(
            title,
            None,
            "the `Config(...)` already sets `cleanup_on_exit=`; keep one value by hand",
        ));
    }
    let mut edits = vec![insert_argument(
        ctx.file,
        &config.arguments,
        &format!("cleanup_on_exit={value}"),
        ArgumentPosition::Last,
    )];
    edits.extend(delete_arguments(ctx.file, &call.arguments, &[kw.range]));
    finding.with_fix(Fix::safe(title, edits))
}
