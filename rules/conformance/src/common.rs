//! What the conformance rules share: the tables in force for a file, where a name went, what a
//! call calls and what its arguments are.

use fwmigrate_rule::api::index::{
    ApiView, Axis, COOKBOOK_PACKAGE, ClassId, Member, Memo, Resolved, SDK_PACKAGE, ViewId,
    call_signature, releases_with,
};
use fwmigrate_rule::api::tables::{ParamKind, Signature};
use fwmigrate_rule::api::{sdk, sdk_versions};
use fwmigrate_rule::ast::{self, Expr, Stmt};
use fwmigrate_rule::semantic::names::strip_module_prefix;
use fwmigrate_rule::semantic::types::{TypeIndex, table_path};
use fwmigrate_rule::walk::{for_each_expr, for_each_stmt};
use std::sync::Arc;

use fwmigrate_rule::{Context, Ranged, TextRange};

/// None of the rule's own: the family checks every cookbook and SDK import, so any file that
/// imports either is a candidate, and the engine's import gate (a marker such as `training` or
/// `fireworks` spelled as an imported module) already says that. A file that only mentions
/// training in most prose costs no parse.
pub const NEEDLES: &[&str] = &[];

/// Whether a table path lies in the cookbook's or the SDK's packages (not the bare `training`).
pub fn in_scope(path: &str) -> bool {
    let under = |p: &str| strip_module_prefix(path, p).is_some();
    (under(COOKBOOK_PACKAGE) && path != COOKBOOK_PACKAGE) || under(SDK_PACKAGE)
}

/// The cookbook release and SDK release this file is checked against.
pub fn view(ctx: &Context) -> ApiView {
    sdk::view(ctx.target, ctx.sdk_version)
}

/// `target 2026.08 with SDK 1.2.30`, for messages.
pub fn at(ctx: &Context) -> String {
    format!(
        "target {} with fireworks-ai {}",
        ctx.target, ctx.sdk_version
    )
}

/// How a missing path stands in its package's history, relative to the release in force (the
/// target for the cookbook, the selected SDK version for the SDK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// An older (or the same) release had it: `last` is the newest such, `gone` the next
    /// release, the first without it.
    Removed { last: usize, gone: usize },
    /// Only releases newer than the one in force have it, from `first` on.
    TooNew { first: usize },
}

/// Where `path` stands in its history, when some release ever had it. A path no release had is
/// unknown: more likely a package of the user's own that happens to be called `training` than
/// a cookbook name, and never reported.
pub fn seen(ctx: &Context, path: &str) -> Option<(Axis, Seen)> {
    let axis = Axis::of(path)?;
    let releases = releases_with(path);
    let selected = selected(ctx, axis);
    if let Some(last) = releases.last_at_or_before(selected) {
        if last == selected {
            return None;
        }
        return Some((
            axis,
            Seen::Removed {
                last,
                gone: last + 1,
            },
        ));
    }
    let first = releases.first_after(selected)?;
    Some((axis, Seen::TooNew { first }))
}

/// The release in force on an axis: the target, or the selected SDK version's table.
fn selected(ctx: &Context, axis: Axis) -> usize {
    match axis {
        Axis::Cookbook => ctx.target.index(),
        Axis::Sdk => ctx.sdk_version.table_index(),
    }
}

/// Whether the dotted name exists at some release fwmigrate knows (any snapshot of the cookbook,
/// any SDK release).
pub fn known_somewhere(path: &str) -> bool {
    !releases_with(path).is_empty()
}

/// A release of an axis as messages name it: `cookbook-v2026.05.30.2`, `the cookbook of
/// 2026-04-12`, `fireworks-ai 1.2.24`.
pub fn describe(axis: Axis, i: usize) -> String {
    match axis {
        Axis::Cookbook => fwmigrate_rule::api::registry().cookbook[i].describe(),
        Axis::Sdk => format!("fireworks-ai {}", sdk_versions()[i]),
    }
}

/// `; last in cookbook-v2026.05.30.2`, `; removed in fireworks-ai 1.2.25 (1.2.24 still has it)`
/// or `; first in cookbook-v2026.07.23.2, newer than the target` for a path some release had.
pub fn history_note(ctx: &Context, path: &str) -> Option<String> {
    let (axis, seen) = seen(ctx, path)?;
    Some(match (axis, seen) {
        (Axis::Cookbook, Seen::Removed { last, .. }) => {
            format!("; last in {}", describe(axis, last))
        }
        (Axis::Sdk, Seen::Removed { last, gone }) => format!(
            "; removed in fireworks-ai {} ({} still has it)",
            sdk_versions()[gone],
            sdk_versions()[last]
        ),
        (Axis::Cookbook, Seen::TooNew { first }) => {
            format!(
                "; first in {}, newer than the target",
                describe(axis, first)
            )
        }
        (Axis::Sdk, Seen::TooNew { first }) => format!(
            "; first in fireworks-ai {}, newer than the selected {}",
            sdk_versions()[first],
            ctx.sdk_version
        ),
    })
}

/// The SDK note alone ([`history_note`] for a path the selected SDK release no longer has).
pub fn removal_note(ctx: &Context, path: &str) -> Option<String> {
    match seen(ctx, path)? {
        (Axis::Sdk, Seen::Removed { .. }) => history_note(ctx, path),
        _ => None,
    }
}

/// Where `path` (a module, or a name of a module) is at the release in force, when it moved
/// there: the history's moves up to that release, applied in order (a renamed module carries
/// what lies below it), ending at a path that exists. `None` when it did not move, or its new
/// home is not at the release in force.
pub fn moved(ctx: &Context, view: &ApiView, path: &str) -> Option<String> {
    let axis = Axis::of(path)?;
    let selected = selected(ctx, axis);
    let mut current = path.to_string();
    for m in axis.history().moves() {
        if m.at > selected {
            break;
        }
        if let Some(rest) = strip_module_prefix(&current, &m.from) {
            current = if rest.is_empty() {
                m.to.clone()
            } else {
                format!("{}.{rest}", m.to)
            };
        }
    }
    if current == path {
        return None;
    }
    (!matches!(
        view.resolve(&current),
        Resolved::Missing { .. } | Resolved::Unknown
    ))
    .then_some(current)
}

/// What a call calls.
pub struct Callee {
    /// Its dotted name in table terms, however it was reached: `...sampling.DeploymentSampler`
    /// for a class, `...client.FiretitanTrainingClient.save_state` for a method (named after the
    /// class that defines it).
    pub path: String,
    /// Its signature as called (without `self`), when the tables show it.
    pub sig: Option<Signature>,
}

impl Callee {
    /// Whether this is `Class.member` (or the class `Class` itself when `member` is empty) of
    /// the SDK, wherever the SDK release defines the class.
    pub fn is_sdk(&self, class: &str, member: &str) -> bool {
        let Some(rest) = self.path.strip_prefix(SDK_PACKAGE) else {
            return false;
        };
        let tail = if member.is_empty() {
            format!(".{class}")
        } else {
            format!(".{class}.{member}")
        };
        rest.starts_with('.') && rest.ends_with(&tail)
    }

    /// The method or function name (the last part of the path).
    pub fn name(&self) -> &str {
        self.path.rsplit('.').next().unwrap_or(&self.path)
    }
}

/// What a call calls: a cookbook or SDK callable its callee resolves to through the imports, or
/// a method of a receiver of known type. `None` for anything else (the user's own code, an
/// unknown receiver).
pub fn callee(
    ctx: &Context,
    view: &ApiView,
    types: &TypeIndex,
    call: &ast::ExprCall,
) -> Option<Arc<Callee>> {
    if let Some(path) = table_path(ctx.semantic, &call.func) {
        if !in_scope(&path) {
            return None;
        }
        let key = CallKey::Name(view.id());
        return remembered(ctx, key, &path, || match view.resolve(&path) {
            Resolved::Class(class) => Some(Callee {
                path: class.path(),
                sig: view.constructor(class),
            }),
            Resolved::Function {
                home,
                function,
                owner,
            } => {
                let name = path.rsplit('.').next().unwrap_or(&path);
                let full = match owner {
                    Some(c) => format!("{}.{name}", c.path()),
                    None => format!("{home}.{name}"),
                };
                Some(Callee {
                    path: full,
                    sig: call_signature(function, false),
                })
            }
            _ => None,
        });
    }
    let Expr::Attribute(attr) = &*call.func else {
        return None;
    };
    let class = types.class_of(&attr.value, ctx.semantic, view)?;
    let method = attr.attr.as_str();
    let key = CallKey::Method(view.id(), class.id());
    remembered(ctx, key, method, || match view.member(class, method) {
        Member::Method { function, owner } => Some(Callee {
            path: format!("{}.{method}", owner.path()),
            sig: call_signature(function, true),
        }),
        _ => None,
    })
}

/// Under which tables, and how, a call is looked up: by the dotted name its callee is imported
/// as, or as a method of an instance of a tabled class (the memo's path is then the method's
/// name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum CallKey {
    Name(ViewId),
    Method(ViewId, ClassId),
}

/// What calls call, kept by the run (see [`Context::memo`]); bounded by [`Memo`].
#[derive(Default)]
struct Callees(Memo<CallKey, Option<Arc<Callee>>>);

/// What `path` calls under `key`, worked out once per run and thread: the same constructors and
/// methods are called in file after file, and working one out walks the class's bases and
/// reads its signature. The answer depends only on the key, the path and the tables.
fn remembered(
    ctx: &Context,
    key: CallKey,
    path: &str,
    work: impl FnOnce() -> Option<Callee>,
) -> Option<Arc<Callee>> {
    if let Some(hit) = ctx.memo(|m: &mut Callees| m.0.get(&key, path).cloned()) {
        return hit;
    }
    let answer = work().map(Arc::new);
    ctx.memo(|m: &mut Callees| m.0.insert(key, path, answer.clone()));
    answer
}

/// The argument a call passes for parameter `name`: a keyword, or a positional argument in the
/// parameter's slot (before any `*args`). With it, the range to report (the whole keyword).
pub fn argument<'a>(
    sig: Option<&Signature>,
    call: &'a ast::ExprCall,
    name: &str,
) -> Option<(&'a Expr, TextRange)> {
    if let Some(k) = call
        .arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
    {
        return Some((&k.value, k.range()));
    }
    let slot = sig?
        .params
        .iter()
        .filter(|p| {
            matches!(
                p.kind,
                ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
            )
        })
        .position(|p| p.name == name)?;
    positional(call, slot).map(|e| (e, e.range()))
}

/// The positional argument at `index`, when no `*args` comes before it.
pub fn positional(call: &ast::ExprCall, index: usize) -> Option<&Expr> {
    call.arguments
        .args
        .iter()
        .take_while(|a| !a.is_starred_expr())
        .nth(index)
}

/// What a name stands for where it is used, when one plain assignment in its scope (or, for a
/// name no function binds, at module level) gives it its value: `N` in `N = 8; f(n=N)` is `8`.
/// Anything else (an import, a parameter, a name bound twice or in a loop) is returned as is.
pub fn bound_value<'a: 'e, 'e>(ctx: &Context<'a>, expr: &'e Expr) -> &'e Expr {
    let mut current = expr;
    for _ in 0..4 {
        match single_assignment(ctx, current) {
            Some(value) => current = value,
            None => break,
        }
    }
    current
}

fn single_assignment<'a: 'e, 'e>(ctx: &Context<'a>, expr: &'e Expr) -> Option<&'e Expr> {
    let Expr::Name(name) = expr else {
        return None;
    };
    let id = name.id.as_str();
    if ctx.semantic.qualified_name(expr).is_some() {
        return None;
    }
    let suite = ctx.file.suite();
    // A parameter or a definition of that name anywhere: too many scopes to follow.
    let mut defined = false;
    for_each_stmt(suite, |stmt| match stmt {
        Stmt::FunctionDef(f) => {
            defined |= f.name.as_str() == id || f.parameters.iter().any(|p| p.name().as_str() == id)
        }
        Stmt::ClassDef(c) => defined |= c.name.as_str() == id,
        _ => {}
    });
    if defined {
        return None;
    }
    // Every store of the name, with the one-target assignments that give a value.
    let mut stores: Vec<(Option<TextRange>, TextRange)> = Vec::new();
    for_each_expr(suite, |e| {
        if let Expr::Name(n) = e
            && n.id.as_str() == id
            && !n.ctx.is_load()
        {
            stores.push((ctx.semantic.function_at(n.range.start()), n.range));
        }
    });
    let mut values: Vec<(TextRange, &'a Expr)> = Vec::new();
    for_each_stmt(suite, |stmt| match stmt {
        Stmt::Assign(a) if a.targets.len() == 1 && a.targets[0].is_name_expr() => {
            values.push((a.targets[0].range(), &a.value));
        }
        Stmt::AnnAssign(a) if a.target.is_name_expr() => {
            if let Some(v) = &a.value {
                values.push((a.target.range(), v));
            }
        }
        _ => {}
    });
    let scope = ctx.semantic.function_at(name.range.start());
    let here: Vec<TextRange> = stores
        .iter()
        .filter(|(s, _)| *s == scope)
        .map(|(_, r)| *r)
        .collect();
    let (store, must_precede) = match here.as_slice() {
        [one] => (*one, true),
        [] if scope.is_some() && stores.iter().all(|(s, _)| s.is_none()) => match stores.as_slice()
        {
            [(_, one)] => (*one, false),
            _ => return None,
        },
        _ => return None,
    };
    if must_precede && store.start() >= name.range.start() {
        return None;
    }
    values
        .iter()
        .find(|(target, _)| *target == store)
        .map(|(_, v)| *v)
}

/// The value of an integer literal (through [`bound_value`]).
pub fn int_value(ctx: &Context, expr: &Expr) -> Option<i64> {
    match bound_value(ctx, expr) {
        Expr::NumberLiteral(n) => n.value.as_int()?.as_i64(),
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::USub => match &*u.operand {
            Expr::NumberLiteral(n) => n.value.as_int()?.as_i64().map(|v| -v),
            _ => None,
        },
        _ => None,
    }
}

/// Whether an argument is the literal `None` (through [`bound_value`]): the SDK treats it as not
/// given.
pub fn is_none(ctx: &Context, expr: &Expr) -> bool {
    bound_value(ctx, expr).is_none_literal_expr()
}

/// Whether an argument is a literal Python treats as false (`False`, `None`, `0`, `""`).
pub fn is_falsy_literal(ctx: &Context, expr: &Expr) -> bool {
    match bound_value(ctx, expr) {
        Expr::BooleanLiteral(b) => !b.value,
        Expr::NoneLiteral(_) => true,
        Expr::StringLiteral(s) => s.value.is_empty(),
        e => int_value(ctx, e) == Some(0),
    }
}

/// Run one rule on a source at a target and SDK release, without the engine (for tests of
/// version gates; the fixtures run at the default release).
#[cfg(test)]
pub fn check_at(
    rule: &dyn fwmigrate_rule::Rule,
    source: &str,
    target: fwmigrate_rule::Target,
    sdk_version: &str,
) -> Vec<fwmigrate_rule::Finding> {
    Context::for_source(source, target, sdk_version.parse().unwrap(), |ctx| {
        let mut findings = Vec::new();
        rule.check(ctx, &mut findings);
        findings
    })
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_rule::Target;

    fn with_ctx<R>(src: &str, sdk_version: &str, f: impl FnOnce(&Context) -> R) -> R {
        Context::for_source(
            src,
            Target::named("2026.08"),
            sdk_version.parse().unwrap(),
            f,
        )
        .unwrap()
    }

    #[test]
    fn names_the_sdk_release_that_removed_a_name() {
        let removed = |sdk: &str, path: &str| {
            with_ctx("", sdk, |ctx| match seen(ctx, path) {
                Some((Axis::Sdk, Seen::Removed { last, gone })) => {
                    Some((sdk_versions()[last].as_str(), sdk_versions()[gone].as_str()))
                }
                _ => None,
            })
        };
        let compat = "fireworks.training.sdk.install_tinker_service_client";
        assert_eq!(removed("1.2.30", compat), Some(("1.2.24", "1.2.25")));
        assert_eq!(removed("1.2.25", compat), Some(("1.2.24", "1.2.25")));
        // Still there at 1.2.12 and 1.2.24.
        assert_eq!(removed("1.2.12", compat), None);
        assert_eq!(removed("1.2.24", compat), None);
        assert_eq!(
            removed("1.2.30", "fireworks.training.sdk.tinker_compat"),
            Some(("1.2.24", "1.2.25"))
        );
        assert_eq!(
            removed(
                "1.2.30",
                "fireworks.training.sdk.client.FiretitanTrainingClient.save_weights_and_get_sampling_client_async"
            ),
            Some(("1.2.24", "1.2.25"))
        );
        // Never an SDK name, or not the SDK at all.
        assert_eq!(
            removed("1.2.30", "fireworks.training.sdk.no_such_name"),
            None
        );
        assert_eq!(removed("1.2.30", "training.utils.setup_infra"), None);
    }

    #[test]
    fn cookbook_names_are_placed_in_the_history() {
        let at = |target: &str, path: &str| {
            let target = Target::named(target);
            Context::for_source("", target, Default::default(), |ctx| {
                seen(ctx, path).map(|(axis, s)| match s {
                    Seen::Removed { last, .. } => format!("last {}", describe(axis, last)),
                    Seen::TooNew { first } => format!("first {}", describe(axis, first)),
                })
            })
            .unwrap()
        };
        // Only the cookbook of March 2026 had it.
        let resume = at("2026.08", "training.utils.ResumeConfig").unwrap();
        assert!(
            resume.starts_with("last the cookbook of 2026-03"),
            "{resume}"
        );
        assert_eq!(
            at("2026.08", "training.utils.setup_infra").as_deref(),
            Some("last cookbook-v2026.05.30.2")
        );
        // Too new for 2026.06.
        let distillation = at("2026.06", "training.utils.distillation").unwrap();
        assert!(
            distillation.starts_with("first cookbook-v2026.06"),
            "{distillation}"
        );
        // Present, or never a cookbook name.
        assert_eq!(at("2026.08", "training.utils.TrainerConfig"), None);
        assert_eq!(at("2026.08", "training.utils.no_such_name"), None);
    }

    #[test]
    fn moves_are_followed_to_the_target() {
        let at = |target: &str, path: &str| {
            let target = Target::named(target);
            Context::for_source("", target, Default::default(), |ctx| {
                moved(ctx, &view(ctx), path)
            })
            .unwrap()
        };
        assert_eq!(
            at("2026.08", "training.recipes.opd_loop").as_deref(),
            Some("training.recipes.distillation_loop")
        );
        assert_eq!(
            at("2026.08", "training.utils.opd.sampling").as_deref(),
            Some("training.utils.distillation.sampling")
        );
        // The rename came after 2026.06: no move there.
        assert_eq!(at("2026.06", "training.recipes.opd_loop"), None);
        assert_eq!(at("2026.08", "training.utils.setup_infra"), None);
    }

    #[test]
    fn callees_are_remembered_per_view_and_name() {
        let src = "from training.utils import DeployConfig\n\
                   from fireworks.training.sdk import TrainerJobManager\n\
                   DeployConfig(deployment_id='a')\n\
                   DeployConfig(deployment_id='b')\n\
                   mgr = TrainerJobManager(api_key='k')\n\
                   mgr.create(x=1)\n\
                   mgr.create(x=2)\n";
        let kept = |sdk: &str| {
            with_ctx(src, sdk, |ctx| {
                let view = view(ctx);
                let mut paths = Vec::new();
                for_each_expr(ctx.file.suite(), |e| {
                    if let Expr::Call(c) = e
                        && let Some(found) = callee(ctx, &view, ctx.types(), c)
                    {
                        paths.push(found.path.clone());
                    }
                });
                (paths, ctx.memo(|m: &mut Callees| m.0.len()))
            })
        };
        let (paths, kept) = kept("1.2.30");
        assert_eq!(paths.len(), 5, "{paths:?}");
        assert_eq!(paths[0], paths[1]);
        assert!(paths[0].ends_with(".DeployConfig"), "{paths:?}");
        assert!(paths[3].ends_with(".TrainerJobManager.create"), "{paths:?}");
        // One answer per name: `DeployConfig`, `TrainerJobManager`, its `create`.
        assert_eq!(kept, 3);
    }

    /// The value `bound_value` gives the argument of the last call `f(...)` in `src`.
    fn bound(src: &str) -> String {
        with_ctx(src, "1.2.30", |ctx| {
            let mut last = None;
            for_each_expr(ctx.file.suite(), |e| {
                if let Expr::Call(c) = e
                    && ctx.slice(c.func.range()) == "f"
                {
                    last = c.arguments.args.first();
                }
            });
            ctx.slice(bound_value(ctx, last.unwrap()).range())
                .to_string()
        })
    }

    #[test]
    fn follows_a_name_assigned_once() {
        assert_eq!(bound("N = 8\nf(N)\n"), "8");
        assert_eq!(bound("N = 8\ndef g():\n    f(N)\n"), "8");
        assert_eq!(bound("def g():\n    n = 8\n    m = n\n    f(m)\n"), "8");
        assert_eq!(bound("P: str = 'gs://x'\nf(P)\n"), "'gs://x'");
        // Bound twice, after the use, as a parameter, in a loop, or by an import: as is.
        assert_eq!(bound("N = 8\nN = 9\nf(N)\n"), "N");
        assert_eq!(bound("f(N)\nN = 8\n"), "N");
        assert_eq!(bound("N = 8\ndef g(N):\n    f(N)\n"), "N");
        assert_eq!(bound("for N in range(3):\n    f(N)\n"), "N");
        assert_eq!(bound("from m import N\nf(N)\n"), "N");
        // A local assignment shadows the module's.
        assert_eq!(bound("N = 8\ndef g():\n    N = 9\n    f(N)\n"), "9");
        assert_eq!(bound("N = 8\ndef g():\n    N += 1\n    f(N)\n"), "N");
    }
}
