//! What the conformance rules share: the tables in force for a file, where a name went, what a
//! call calls and what its arguments are.

use fwmigrate_rule::api::index::{
    ApiView, COOKBOOK_PACKAGE, Member, Memo, Resolved, SDK_PACKAGE, call_signature, memoized, table,
};
use fwmigrate_rule::api::tables::{ParamKind, Signature};
use fwmigrate_rule::api::{SDK_VERSIONS, SdkVersion, sdk};
use fwmigrate_rule::ast::{self, Expr, Stmt};
use fwmigrate_rule::parser::names::strip_module_prefix;
use fwmigrate_rule::parser::types::{TypeIndex, table_path};
use fwmigrate_rule::walk::{for_each_expr, for_each_stmt};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Mutex;

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

/// Every cookbook table, the target's first.
const COOKBOOK_TABLES: &[&str] = &[
    "cookbook-legacy",
    "cookbook-2026.06",
    "cookbook-2026.08",
    "cookbook-opd",
];

/// Whether the dotted name exists at some release fwmigrate knows (any cookbook release, any SDK
/// table). A missing name is reported only then: a name no release ever had is more likely the
/// user's own package that happens to be called `training` than a cookbook name.
pub fn known_somewhere(path: &str) -> bool {
    // Files of one run ask about the same few names: answer each once per process.
    static CACHE: Mutex<Option<HashMap<String, bool>>> = Mutex::new(None);
    if let Some(known) = cached(&CACHE, path) {
        return known;
    }
    let known = known_somewhere_uncached(path);
    remember(&CACHE, path, known);
    known
}

fn cached<T: Clone>(cache: &Mutex<Option<HashMap<String, T>>>, key: &str) -> Option<T> {
    cache.lock().ok()?.as_ref()?.get(key).cloned()
}

fn remember<T>(cache: &Mutex<Option<HashMap<String, T>>>, key: &str, value: T) {
    if let Ok(mut guard) = cache.lock() {
        guard
            .get_or_insert_with(HashMap::new)
            .insert(key.to_string(), value);
    }
}

fn known_somewhere_uncached(path: &str) -> bool {
    // Only the tables of the path's own package are read (each is decoded on first use).
    let tables: Vec<&'static str> = if path.starts_with(SDK_PACKAGE) {
        SDK_VERSIONS
            .iter()
            .rev()
            .map(|v| sdk_table_name(v))
            .collect()
    } else {
        COOKBOOK_TABLES.to_vec()
    };
    let newest_sdk = table(sdk_table_name(SDK_VERSIONS[SDK_VERSIONS.len() - 1]));
    let (owner, name) = path.rsplit_once('.').unwrap_or(("", path));
    tables.iter().filter_map(|t| table(t)).any(|t| {
        // Bound there (even to something the tables cannot follow), or resolvable.
        t.module(owner).is_some_and(|m| m.names.contains_key(name)) || {
            let view = ApiView::new(t, newest_sdk.unwrap_or(t));
            !matches!(
                view.resolve(path),
                Resolved::Missing { .. } | Resolved::Unknown
            )
        }
    })
}

/// The embedded table name of an SDK release (`sdk-1.2.30`).
fn sdk_table_name(version: &str) -> &'static str {
    fwmigrate_rule::api::index::EMBEDDED
        .iter()
        .map(|(n, _)| *n)
        .find(|n| n.strip_prefix("sdk-") == Some(version))
        .unwrap_or("sdk-1.2.30")
}

/// Modules renamed between releases, with the same contents (RULES FW601): old → new.
pub const MODULE_RENAMES: &[(&str, &str)] = &[
    (
        "training.recipes.opd_loop",
        "training.recipes.distillation_loop",
    ),
    ("training.utils.opd", "training.utils.distillation"),
];

/// The renamed module path, when `path` is or lies inside a renamed module.
pub fn renamed_module(path: &str) -> Option<String> {
    MODULE_RENAMES.iter().find_map(|(old, new)| {
        let rest = strip_module_prefix(path, old)?;
        Some(if rest.is_empty() {
            new.to_string()
        } else {
            format!("{new}.{rest}")
        })
    })
}

/// Where a name that `owner` no longer has lives at the target: the modules of the same package
/// that define (or re-export) a name of the same kind. Package `__init__` modules come first.
pub fn moved_to(view: &ApiView, owner: &str, name: &str) -> Vec<String> {
    // The answer depends on the tables in force only (a view's identity is its two tables).
    static CACHE: Mutex<Option<HashMap<String, Vec<String>>>> = Mutex::new(None);
    let key = format!("{:?}|{owner}|{name}", view.identity());
    if let Some(found) = cached(&CACHE, &key) {
        return found;
    }
    let found = moved_to_uncached(view, owner, name);
    remember(&CACHE, &key, found.clone());
    found
}

fn moved_to_uncached(view: &ApiView, owner: &str, name: &str) -> Vec<String> {
    let package = owner.split('.').take(2).collect::<Vec<_>>().join(".");
    let legacy = sdk::legacy_view();
    let old_kind = kind(&legacy.resolve(&format!("{owner}.{name}")));
    let mut found: Vec<String> = Vec::new();
    for module in view.module_paths() {
        if strip_module_prefix(module, &package).is_none() {
            continue;
        }
        if module == owner || found.iter().any(|f| f == module) {
            continue;
        }
        // Most modules of the package cannot have the name: skip them without decoding them.
        if !view.may_resolve(module, name) {
            continue;
        }
        let k = kind(&view.resolve(&format!("{module}.{name}")));
        if k.is_some() && (old_kind.is_none() || k == old_kind) {
            found.push(module.to_string());
        }
    }
    found.sort_by_key(|m| (m.matches('.').count(), m.clone()));
    found
}

fn kind(resolved: &Resolved) -> Option<&'static str> {
    match resolved {
        Resolved::Class(_) => Some("class"),
        Resolved::Function { .. } => Some("function"),
        Resolved::Module { .. } => Some("module"),
        _ => None,
    }
}

/// The SDK release that removed a name the selected release no longer has: `(last, gone)` when
/// the tabled release `last` has `path` and the next tabled one, `gone` (at or below the
/// selected release), does not. `None` for names outside the SDK or that no earlier release had.
///
/// Releases between two tabled ones have the older one's surface (see
/// [`SdkVersion::table_version`]), so `gone` is the first tabled release without the name.
pub fn sdk_removal(ctx: &Context, path: &str) -> Option<(&'static str, &'static str)> {
    // Only names of the SDK.
    strip_module_prefix(path, SDK_PACKAGE)?;
    let cookbook = table(&format!("cookbook-{}", ctx.target.as_str()))?;
    let selected = ctx.sdk_version.table_version();
    let mut last = None;
    for v in SDK_VERSIONS {
        let view = ApiView::new(cookbook, table(&format!("sdk-{v}"))?);
        let exists = !matches!(
            view.resolve(path),
            Resolved::Missing { .. } | Resolved::Unknown
        );
        match (exists, last) {
            (true, _) => last = Some(*v),
            (false, Some(had)) if v.parse::<SdkVersion>().ok()? <= selected.parse().ok()? => {
                return Some((had, *v));
            }
            _ => {}
        }
        if *v == selected {
            break;
        }
    }
    None
}

/// `; removed in fireworks-ai 1.2.25 (1.2.12 still has it)` for a name the SDK removed, else
/// nothing.
pub fn removal_note(ctx: &Context, path: &str) -> Option<String> {
    let (last, gone) = sdk_removal(ctx, path)?;
    Some(format!(
        "; removed in fireworks-ai {gone} ({last} still has it)"
    ))
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
) -> Option<Rc<Callee>> {
    if let Some(path) = table_path(ctx.semantic, &call.func) {
        if !in_scope(&path) {
            return None;
        }
        return remembered(view, &path, false, || match view.resolve(&path) {
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
    let method = format!("{}.{}", class.path(), attr.attr.as_str());
    remembered(view, &method, true, || {
        match view.member(class, attr.attr.as_str()) {
            Member::Method { function, owner } => Some(Callee {
                path: format!("{}.{}", owner.path(), attr.attr.as_str()),
                sig: call_signature(function, true),
            }),
            _ => None,
        }
    })
}

/// What `path` calls under `view` (through an instance when `instance`), worked out once per
/// thread: the same constructors and methods are called in file after file, and working one out
/// walks the class's bases and reads its signature.
fn remembered(
    view: &ApiView,
    path: &str,
    instance: bool,
    work: impl FnOnce() -> Option<Callee>,
) -> Option<Rc<Callee>> {
    /// Per pair of tables and way of calling.
    type Group = (usize, usize, bool);
    thread_local! {
        static MEMO: RefCell<Memo<Group, Option<Rc<Callee>>>> = RefCell::new(HashMap::new());
    }
    let (a, b) = view.identity();
    memoized(&MEMO, (a, b, instance), path, || work().map(Rc::new))
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
        Context::for_source(src, Target::V2026_08, sdk_version.parse().unwrap(), f).unwrap()
    }

    #[test]
    fn names_the_sdk_release_that_removed_a_name() {
        let removed = |sdk: &str, path: &str| with_ctx("", sdk, |ctx| sdk_removal(ctx, path));
        let compat = "fireworks.training.sdk.install_tinker_service_client";
        assert_eq!(removed("1.2.30", compat), Some(("1.2.12", "1.2.25")));
        assert_eq!(removed("1.2.25", compat), Some(("1.2.12", "1.2.25")));
        // Still there at 1.2.12, and at 1.2.20 (which has 1.2.12's surface).
        assert_eq!(removed("1.2.12", compat), None);
        assert_eq!(removed("1.2.20", compat), None);
        assert_eq!(
            removed("1.2.30", "fireworks.training.sdk.tinker_compat"),
            Some(("1.2.12", "1.2.25"))
        );
        assert_eq!(
            removed(
                "1.2.30",
                "fireworks.training.sdk.client.FiretitanTrainingClient.save_weights_and_get_sampling_client_async"
            ),
            Some(("1.2.12", "1.2.25"))
        );
        // Never an SDK name, or not the SDK at all.
        assert_eq!(
            removed("1.2.30", "fireworks.training.sdk.no_such_name"),
            None
        );
        assert_eq!(removed("1.2.30", "training.utils.setup_infra"), None);
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
