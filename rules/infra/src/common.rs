//! Helpers shared by the `infra` rules: resolving cookbook calls, counting the uses of an import,
//! deleting several arguments of one call at once, and getting `TrainerConfig` into scope.

use std::cell::RefCell;
use std::collections::HashMap;

#[cfg(test)]
use fwmigrate_rule::Target;
use fwmigrate_rule::api;
use fwmigrate_rule::ast::{self, Expr, Stmt};
use fwmigrate_rule::parser::edits::delete_list_element;
use fwmigrate_rule::semantic::imports::add_from_import;
use fwmigrate_rule::semantic::{Binding, CookbookSymbol};
use fwmigrate_rule::walk;
use fwmigrate_rule::{Context, Edit, ParsedFile, Ranged, TextRange, TextSize};

/// Above this many calls through one import, only the first finding carries the fix that
/// rewrites them all (the others get their own), so the engine's conflict checks stay cheap.
pub const GROUP_LIMIT: usize = 32;

/// `InfraConfig` fields that `TrainerConfig` spells differently.
pub const INFRA_RENAMES: &[(&str, &str)] = &[
    ("ref_training_shape_id", "reference_training_shape_id"),
    ("trainer_timeout_s", "timeout_s"),
    ("trainer_replica_count", "replica_count"),
];

/// The `TrainerConfig` name of an `InfraConfig` field.
pub fn renamed_infra_field(name: &str) -> &str {
    INFRA_RENAMES
        .iter()
        .find(|(old, _)| *old == name)
        .map_or(name, |(_, new)| new)
}

/// The recipe whose `Config` this call constructs.
pub fn recipe_config(ctx: &Context, call: &ast::ExprCall) -> Option<String> {
    match ctx.semantic.resolve_call(call)? {
        CookbookSymbol::RecipeConfig(recipe) => Some(recipe),
        _ => None,
    }
}

/// The recipe whose `main` this call runs.
pub fn recipe_main(ctx: &Context, call: &ast::ExprCall) -> Option<String> {
    match ctx.semantic.resolve_call(call)? {
        CookbookSymbol::RecipeMain(recipe) => Some(recipe),
        _ => None,
    }
}

/// The import binding a bare name refers to at its position.
pub fn import_binding<'c>(ctx: &Context<'c>, expr: &Expr) -> Option<&'c Binding> {
    match expr {
        Expr::Name(name) => ctx
            .semantic
            .binding_at(name.id.as_str(), name.range.start()),
        _ => None,
    }
}

/// Every reference to the import `binding` (as bare names).
pub fn binding_use_ranges(ctx: &Context, binding: &Binding) -> Vec<TextRange> {
    ctx.semantic
        .name_uses(&binding.name)
        .iter()
        .copied()
        .filter(|r| {
            ctx.semantic
                .binding_at(&binding.name, r.start())
                .is_some_and(|b| b.alias_range == binding.alias_range)
        })
        .collect()
}

/// How many references to the import `binding` remain outside `excluded`.
pub fn binding_uses(ctx: &Context, binding: &Binding, excluded: &[TextRange]) -> usize {
    ctx.semantic
        .name_uses(&binding.name)
        .iter()
        .filter(|r| !excluded.iter().any(|e| e.contains_range(**r)))
        .filter(|r| {
            ctx.semantic
                .binding_at(&binding.name, r.start())
                .is_some_and(|b| b.alias_range == binding.alias_range)
        })
        .count()
}

/// The utils module a new `from ... import TrainerConfig` should join.
pub fn utils_module_for_import(ctx: &Context) -> String {
    let module_level: Vec<&Binding> = ctx
        .semantic
        .bindings()
        .iter()
        .filter(|b| b.is_from && b.scope.is_none())
        .filter(|b| {
            matches!(
                ctx.semantic.classify(&b.module),
                Some(CookbookSymbol::UtilsModule)
            )
        })
        .collect();
    if let Some(b) = module_level.iter().find(|b| {
        ctx.semantic
            .roots()
            .iter()
            .any(|root| b.module == format!("{root}.utils"))
    }) {
        return b.module.clone();
    }
    if let Some(b) = module_level.first()
        && let Some(root) = ctx.semantic.roots().iter().find(|root| {
            b.module
                .strip_prefix(root.as_str())
                .is_some_and(|rest| rest.starts_with(".utils"))
        })
    {
        return format!("{root}.utils");
    }
    format!("{}.utils", ctx.semantic.file_root())
}

/// Get `TrainerConfig` usable at `offset`: its local name, plus the import edit when one is
/// needed. `Err` carries the reason when the name cannot be brought in without a clash.
pub fn trainer_config_in_scope(
    ctx: &Context,
    offset: TextSize,
) -> Result<(String, Option<Edit>), String> {
    trainer_config_in_scope_given(ctx, offset, || ctx.name_is_taken("TrainerConfig"))
}

/// [`trainer_config_in_scope`] with a (possibly cached) answer to "is the name taken".
pub fn trainer_config_in_scope_given(
    ctx: &Context,
    offset: TextSize,
    taken: impl FnOnce() -> bool,
) -> Result<(String, Option<Edit>), String> {
    if let Some(local) = ctx.semantic.local_name_for_utils("TrainerConfig", offset) {
        return Ok((local, None));
    }
    if taken() {
        return Err(
            "the name `TrainerConfig` already means something else in this file, so the cookbook's \
             `TrainerConfig` cannot be imported under it"
                .to_string(),
        );
    }
    let module = utils_module_for_import(ctx);
    Ok((
        "TrainerConfig".to_string(),
        Some(add_from_import(ctx.file, &module, "TrainerConfig")),
    ))
}

/// The source range of each argument (positional ones widened over their parentheses).
pub fn argument_ranges(file: &ParsedFile, arguments: &ast::Arguments) -> Vec<TextRange> {
    fwmigrate_rule::parser::edits::argument_ranges(file, arguments)
}

/// The range of a positional argument, widened over wrapping parentheses.
pub fn positional_range(file: &ParsedFile, arguments: &ast::Arguments, arg: &Expr) -> TextRange {
    file.parenthesized_range(arg.range(), arguments.range)
}

/// Delete several arguments of one call. Each deletion is computed as if the earlier ones were
/// already gone, and overlapping deletions are merged, so the edits never conflict.
pub fn delete_arguments(
    file: &ParsedFile,
    arguments: &ast::Arguments,
    targets: &[TextRange],
) -> Vec<Edit> {
    let all = argument_ranges(file, arguments);
    let is_target = |r: &TextRange| {
        targets
            .iter()
            .any(|t| r.contains_range(*t) || t.contains_range(*r))
    };
    let mut edits: Vec<Edit> = Vec::new();
    let mut deleted: Vec<TextRange> = Vec::new();
    for r in all.iter().filter(|r| is_target(r)) {
        let remaining: Vec<TextRange> = all
            .iter()
            .copied()
            .filter(|x| !deleted.contains(x))
            .collect();
        edits.push(delete_list_element(file, &remaining, *r, arguments.range));
        deleted.push(*r);
    }
    merge_overlapping(edits)
}

/// Merge deletions whose ranges overlap into one deletion over their union.
fn merge_overlapping(mut edits: Vec<Edit>) -> Vec<Edit> {
    edits.sort_by_key(|e| (e.range.start(), e.range.end()));
    let mut out: Vec<Edit> = Vec::new();
    for edit in edits {
        if let Some(last) = out.last_mut()
            && last.content.is_empty()
            && edit.content.is_empty()
            && edit.range.start() < last.range.end()
        {
            let end = last.range.end().max(edit.range.end());
            last.range = TextRange::new(last.range.start(), end);
            continue;
        }
        out.push(edit);
    }
    out
}

/// The `InfraConfig` field a positional argument at `index` stands for, when every snapshot
/// that has `InfraConfig` agrees on it (the script may have been written against any of them).
pub fn infra_positional_field(index: usize) -> Result<&'static str, String> {
    let legacy = api::legacy()
        .class("InfraConfig")
        .and_then(|f| f.get(index))
        .map(|f| f.name.as_str());
    let Some(name) = legacy else {
        return Err(format!(
            "`InfraConfig` has no positional argument {}",
            index + 1
        ));
    };
    let mut differs: Vec<(String, String)> = Vec::new();
    for release in api::Release::all() {
        if let Some(fields) = release.class("InfraConfig") {
            let at = release.describe();
            let found = match fields.get(index) {
                Some(f) if f.name == name => continue,
                Some(f) => format!("`{}`", f.name),
                None => "nothing".to_string(),
            };
            // One mention per distinct answer: the newest snapshot that gives it.
            match differs.iter_mut().find(|(f, _)| *f == found) {
                Some(entry) => entry.1 = at,
                None => differs.push((found, at)),
            }
        }
    }
    let differs: Vec<String> = differs
        .into_iter()
        .map(|(found, at)| format!("{found} at {at}"))
        .collect();
    if differs.is_empty() {
        Ok(name)
    } else {
        Err(format!(
            "positional argument {} of `InfraConfig` is `{name}` in the legacy cookbook but {}, \
             so which field this call meant is ambiguous; pass it by keyword",
            index + 1,
            differs.join(" and ")
        ))
    }
}

/// Whether a positional argument can be rewritten as `name=<text>` (not `*args`, a bare
/// generator, or an assignment expression, which would need new parentheses).
pub fn plain_positional(arg: &Expr) -> bool {
    !matches!(arg, Expr::Starred(_) | Expr::Generator(_) | Expr::Named(_))
}

/// Whether FW001 can rewrite this `InfraConfig(...)` call automatically (positional arguments
/// map unambiguously to keywords).
pub fn infra_call_mappable(call: &ast::ExprCall) -> bool {
    call.arguments
        .args
        .iter()
        .enumerate()
        .all(|(i, a)| plain_positional(a) && infra_positional_field(i).is_ok())
}

/// The source text of a keyword's value, with the parentheses that wrap it (`x=(yield)` gives
/// `(yield)`), so it can be moved into another call as is.
pub fn keyword_value<'a>(ctx: &Context<'a>, kw: &ast::Keyword) -> &'a str {
    let limit = TextRange::new(kw.range.start(), kw.range.end() + TextSize::new(1));
    let widened = ctx.file.parenthesized_range(kw.value.range(), limit);
    if kw.range.contains_range(widened) {
        ctx.slice(widened)
    } else {
        ctx.slice(kw.value.range())
    }
}

/// Names that look like they hold a config object (`cfg`, `config`, `rl_cfg`, `train_config`).
pub fn config_like_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with("cfg") || lower.ends_with("config") || lower.ends_with("conf")
}

/// Whether the file imports anything from a cookbook recipe module.
pub fn imports_a_recipe(ctx: &Context) -> bool {
    ctx.semantic.bindings().iter().any(|b| {
        matches!(
            ctx.semantic.classify(&b.qualified),
            Some(
                CookbookSymbol::RecipeModule(_)
                    | CookbookSymbol::RecipeConfig(_)
                    | CookbookSymbol::RecipeMain(_)
                    | CookbookSymbol::RecipeAttr(..)
                    | CookbookSymbol::RecipesPackage
            )
        )
    })
}

/// What is known about the type of a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigVar {
    /// Every binding of the name in its scope is a recipe `Config(...)` construction or a
    /// `Config` annotation.
    Recipe(String),
    /// Anything else.
    Unknown,
}

/// Every store of the name `name` in `scope` (not counting nested functions), as the statements
/// or parameters that bind it. Returns `ConfigVar::Recipe` only when all of them are recipe
/// `Config(...)` constructions or annotations with one recipe.
pub fn config_var(ctx: &Context, name: &str, use_offset: TextSize) -> ConfigVar {
    let scope = ctx.semantic.function_at(use_offset);
    let in_scope = |offset: TextSize| ctx.semantic.function_at(offset) == scope;
    let mut recipe: Option<String> = None;
    let mut unknown = false;
    let mut found = false;
    let mut note = |r: Option<String>| {
        found = true;
        match r {
            None => unknown = true,
            Some(r) => match &recipe {
                Some(existing) if *existing != r => unknown = true,
                _ => recipe = Some(r),
            },
        }
    };
    let annotation_recipe = |expr: &Expr| match ctx.semantic.resolve(expr) {
        Some(CookbookSymbol::RecipeConfig(r)) => Some(r),
        _ => None,
    };
    let value_recipe = |expr: &Expr| match expr {
        Expr::Call(call) => recipe_config(ctx, call),
        _ => None,
    };
    walk::for_each_stmt(ctx.file.suite(), |stmt| match stmt {
        Stmt::Assign(assign) => {
            for target in &assign.targets {
                match target {
                    Expr::Name(n) if n.id.as_str() == name && in_scope(n.range.start()) => {
                        note(value_recipe(&assign.value));
                    }
                    other => {
                        if binds_name(other, name) && in_scope(other.start()) {
                            note(None);
                        }
                    }
                }
            }
        }
        Stmt::AnnAssign(assign) => {
            if let Expr::Name(n) = assign.target.as_ref()
                && n.id.as_str() == name
                && in_scope(n.range.start())
            {
                let by_annotation = annotation_recipe(&assign.annotation);
                let by_value = assign.value.as_deref().and_then(value_recipe);
                note(by_annotation.or(by_value));
            }
        }
        Stmt::AugAssign(assign)
            if binds_name(&assign.target, name) && in_scope(assign.target.start()) =>
        {
            note(None);
        }
        Stmt::For(f) if binds_name(&f.target, name) && in_scope(f.target.start()) => {
            note(None);
        }
        Stmt::With(w) => {
            for item in &w.items {
                if let Some(vars) = &item.optional_vars
                    && binds_name(vars, name)
                    && in_scope(vars.start())
                {
                    note(None);
                }
            }
        }
        Stmt::Global(g)
            if g.names.iter().any(|n| n.id.as_str() == name) && in_scope(g.range.start()) =>
        {
            note(None);
        }
        Stmt::Nonlocal(g)
            if g.names.iter().any(|n| n.id.as_str() == name) && in_scope(g.range.start()) =>
        {
            note(None);
        }
        Stmt::FunctionDef(f) => {
            let body_scope = match (f.body.first(), f.body.last()) {
                (Some(first), Some(last)) => Some(TextRange::new(first.start(), last.end())),
                _ => None,
            };
            if body_scope == scope && scope.is_some() {
                for p in f.parameters.iter() {
                    if p.name().id.as_str() == name {
                        note(p.annotation().and_then(annotation_recipe));
                    }
                }
            }
        }
        Stmt::Import(_) | Stmt::ImportFrom(_)
            if ctx
                .semantic
                .bindings()
                .iter()
                .any(|b| b.stmt_range == stmt.range() && b.name == name)
                && in_scope(stmt.start()) =>
        {
            note(None);
        }
        _ => {}
    });
    // Walrus targets.
    walk::for_each_expr(ctx.file.suite(), |expr| {
        if let Expr::Named(named) = expr
            && binds_name(&named.target, name)
            && in_scope(named.target.start())
        {
            note(None);
        }
    });
    if !found && scope.is_some() {
        // Not bound in the function: a module-level variable read from inside it.
        return config_var(ctx, name, TextSize::new(0));
    }
    match (recipe, unknown) {
        (Some(r), false) => ConfigVar::Recipe(r),
        _ => ConfigVar::Unknown,
    }
}

/// Typing of config variables for one check, memoized per (name, scope): files with thousands
/// of `cfg.infra.x` lines stay linear.
pub struct ConfigVars<'c, 'a> {
    ctx: &'c Context<'a>,
    cache: RefCell<HashMap<(String, Option<TextRange>), ConfigVar>>,
}

impl<'c, 'a> ConfigVars<'c, 'a> {
    pub fn new(ctx: &'c Context<'a>) -> Self {
        Self {
            ctx,
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// [`config_var`], memoized.
    pub fn var(&self, name: &str, offset: TextSize) -> ConfigVar {
        let key = (name.to_string(), self.ctx.semantic.function_at(offset));
        if let Some(v) = self.cache.borrow().get(&key) {
            return v.clone();
        }
        let v = config_var(self.ctx, name, offset);
        self.cache.borrow_mut().insert(key, v.clone());
        v
    }

    /// Whether `base` (the `cfg` of `cfg.infra`) holds a recipe config:
    /// `Some((text, Some(recipe)))` when every binding of the name in its scope is that recipe's
    /// `Config`, `Some((text, None))` when only its name (`cfg`, `config`, `self.run_config`)
    /// suggests it in a file that imports a recipe, `None` otherwise.
    pub fn base(&self, base: &Expr) -> Option<(String, Option<String>)> {
        let ctx = self.ctx;
        // A module path (`training.utils.infra`) is not a config.
        if ctx.semantic.resolve(base).is_some() {
            return None;
        }
        match base {
            Expr::Name(n) => match self.var(n.id.as_str(), n.range.start()) {
                ConfigVar::Recipe(r) => Some((n.id.to_string(), Some(r))),
                ConfigVar::Unknown if config_like_name(n.id.as_str()) && imports_a_recipe(ctx) => {
                    Some((n.id.to_string(), None))
                }
                ConfigVar::Unknown => None,
            },
            Expr::Attribute(a) if config_like_name(a.attr.id.as_str()) && imports_a_recipe(ctx) => {
                Some((ctx.slice(base).to_string(), None))
            }
            _ => None,
        }
    }
}

fn binds_name(target: &Expr, name: &str) -> bool {
    match target {
        Expr::Name(n) => n.id.as_str() == name,
        Expr::Tuple(t) => t.elts.iter().any(|e| binds_name(e, name)),
        Expr::List(l) => l.elts.iter().any(|e| binds_name(e, name)),
        Expr::Starred(s) => binds_name(&s.value, name),
        _ => false,
    }
}

/// The keyword arguments of a call with a name, in source order.
pub fn named_keywords(call: &ast::ExprCall) -> impl Iterator<Item = (&str, &ast::Keyword)> {
    call.arguments
        .keywords
        .iter()
        .filter_map(|k| walk::keyword_name(k).map(|n| (n, k)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_rule::parser::edits::apply_edits;
    use fwmigrate_rule::parser::{ParsedFile, SourceKind};

    fn delete(src: &str, names: &[&str]) -> String {
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let Some(Stmt::Expr(e)) = file.suite().first() else {
            panic!("expected a call")
        };
        let call = e.value.as_call_expr().unwrap();
        let mut targets = Vec::new();
        for k in &call.arguments.keywords {
            if names.contains(&walk::keyword_name(k).unwrap_or("")) {
                targets.push(k.range);
            }
        }
        for a in &call.arguments.args {
            if let Expr::Name(n) = a
                && names.contains(&n.id.as_str())
            {
                targets.push(a.range());
            }
        }
        let edits = delete_arguments(&file, &call.arguments, &targets);
        for (i, a) in edits.iter().enumerate() {
            for b in &edits[i + 1..] {
                assert!(!a.conflicts_with(b), "conflicting edits for {src:?}");
            }
        }
        let out = apply_edits(src, &edits);
        assert!(ParsedFile::parse(&out, SourceKind::Python).is_ok(), "{out}");
        out
    }

    #[test]
    fn deletes_several_arguments_inline() {
        assert_eq!(delete("f(cfg, a, b, c)\n", &["a", "b"]), "f(cfg, c)\n");
        assert_eq!(delete("f(cfg, a, b, c)\n", &["b", "c"]), "f(cfg, a)\n");
        assert_eq!(delete("f(cfg, a, b)\n", &["a", "b"]), "f(cfg)\n");
        assert_eq!(delete("f(cfg, x=1, y=2)\n", &["x", "y"]), "f(cfg)\n");
        assert_eq!(
            delete("f(cfg, x=1, z=0, y=2)\n", &["x", "y"]),
            "f(cfg, z=0)\n"
        );
        assert_eq!(
            delete("f(cfg, r=1, x=2, d=3)\n", &["r", "d"]),
            "f(cfg, x=2)\n"
        );
    }

    #[test]
    fn deletes_several_arguments_on_their_own_lines() {
        assert_eq!(
            delete("f(\n    cfg,\n    a,\n    b\n)\n", &["a", "b"]),
            "f(\n    cfg\n)\n"
        );
        assert_eq!(
            delete(
                "f(\n    cfg,\n    a=1,  # x\n    # keep\n    b=2,\n)\n",
                &["a", "b"]
            ),
            "f(\n    cfg,\n    # keep\n)\n"
        );
    }

    #[test]
    fn positional_infra_fields() {
        assert_eq!(infra_positional_field(0), Ok("training_shape_id"));
        assert_eq!(infra_positional_field(1), Ok("ref_training_shape_id"));
        assert!(infra_positional_field(2).is_err());
        assert!(infra_positional_field(40).is_err());
    }

    fn with_ctx<R>(src: &str, f: impl FnOnce(&Context) -> R) -> R {
        Context::for_source(src, Target::named("2026.08"), Default::default(), f).unwrap()
    }

    fn first_call_keyword_values(src: &str) -> Vec<String> {
        with_ctx(src, |ctx| {
            let mut out = Vec::new();
            walk::for_each_call(ctx.file.suite(), |call| {
                if out.is_empty() {
                    for kw in &call.arguments.keywords {
                        out.push(keyword_value(ctx, kw).to_string());
                    }
                }
            });
            out
        })
    }

    #[test]
    fn keyword_values_keep_their_parentheses() {
        assert_eq!(
            first_call_keyword_values("def g():\n    f(a=(yield), b=x, c=(y))\n"),
            ["(yield)", "x", "(y)"]
        );
        assert_eq!(first_call_keyword_values("f(a=(x) + (y))\n"), ["(x) + (y)"]);
    }

    fn var_at(src: &str, name: &str, marker: &str) -> ConfigVar {
        with_ctx(src, |ctx| {
            // The offset of the `<name>.infra` expression on the marked line.
            let line = src.find(marker).unwrap();
            let use_at = src[..line].rfind(&format!("{name}.infra")).unwrap();
            let offset = TextSize::new(use_at as u32);
            config_var(ctx, name, offset)
        })
    }

    #[test]
    fn config_vars() {
        let src = "from training.recipes import rl_loop\n\
                   def a():\n    cfg = rl_loop.Config()\n    cfg.infra  # A\n\
                   def b(cfg: rl_loop.Config):\n    cfg.infra  # B\n\
                   def c(cfg):\n    cfg.infra  # C\n\
                   def d():\n    cfg = rl_loop.Config()\n    cfg = other()\n    cfg.infra  # D\n\
                   top = rl_loop.Config()\n\
                   def e():\n    top.infra  # E\n";
        let rl = ConfigVar::Recipe("rl_loop".to_string());
        assert_eq!(var_at(src, "cfg", "# A"), rl);
        assert_eq!(var_at(src, "cfg", "# B"), rl);
        assert_eq!(var_at(src, "cfg", "# C"), ConfigVar::Unknown);
        assert_eq!(var_at(src, "cfg", "# D"), ConfigVar::Unknown);
        assert_eq!(var_at(src, "top", "# E"), rl);
    }

    #[test]
    fn config_like_names() {
        assert!(config_like_name("cfg"));
        assert!(config_like_name("rl_config"));
        assert!(!config_like_name("args"));
    }
}
