//! Resolution of local names to Fireworks cookbook and SDK symbols (`docs/behaviour.md`, "Name
//! resolution").
//!
//! One walk over the module records every import binding (with the function scope it lives in),
//! star imports, names that function scopes bind locally and every name reference; the model
//! also keeps the file's table of statements ([`Statements`]). Rules then ask
//! [`Semantic::resolve`] what an expression refers to, and [`Semantic::statement_at`] where a
//! statement stands.

use std::collections::{HashMap, HashSet};

use fwmigrate_parser::statements::{StatementInfo, Statements};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::names::strip_module_prefix;

/// The cookbook package roots recognised by default (`docs/behaviour.md`, "Name resolution").
pub const DEFAULT_ROOTS: &[&str] = &[
    "training",
    "training_cookbook",
    "fireworks.training.cookbook",
];

/// The SDK package whose names the SDK-side rules resolve.
pub const SDK_ROOT: &str = "fireworks.training.sdk";

/// Names of the current cookbook utils surface a star import can bring in (besides the removed
/// ones, [`fwmigrate_api::REMOVED_UTILS`]).
pub const COOKBOOK_UTILS_NAMES: &[&str] = &[
    "InfraConfig",
    "TrainerConfig",
    "DeployConfig",
    "WeightSyncConfig",
    "HotloadConfig",
    "WeightSyncScope",
    "WandBConfig",
    "build_service_client",
    "ReconnectableClient",
];

/// Whether a star import from a cookbook utils module can bind `name`.
pub fn is_cookbook_utils_name(name: &str) -> bool {
    COOKBOOK_UTILS_NAMES.contains(&name) || fwmigrate_api::REMOVED_UTILS.contains(&name)
}

#[derive(Debug, Clone, Default)]
pub struct SemanticSettings {
    /// Extra cookbook roots (`--cookbook-module`), on top of [`DEFAULT_ROOTS`].
    pub extra_roots: Vec<String>,
}

impl SemanticSettings {
    pub fn roots(&self) -> impl Iterator<Item = &str> {
        DEFAULT_ROOTS
            .iter()
            .copied()
            .chain(self.extra_roots.iter().map(String::as_str))
    }
}

/// What a local name or dotted expression refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CookbookSymbol {
    /// A name from a cookbook utils module (`training.utils[.config|.infra|.rl|...]`).
    Utils(String),
    /// A cookbook utils module itself.
    UtilsModule,
    /// A recipe module (`training.recipes.<name>`).
    RecipeModule(String),
    /// A recipe's `Config`.
    RecipeConfig(String),
    /// A recipe's `main`.
    RecipeMain(String),
    /// Another attribute of a recipe module.
    RecipeAttr(String, String),
    /// The recipes package itself.
    RecipesPackage,
    /// A name from the Fireworks SDK (`fireworks.training.sdk` and its submodules).
    Sdk(String),
    /// An SDK module.
    SdkModule,
}

impl CookbookSymbol {
    pub fn utils_name(&self) -> Option<&str> {
        match self {
            CookbookSymbol::Utils(name) => Some(name),
            _ => None,
        }
    }

    pub fn is_utils(&self, name: &str) -> bool {
        self.utils_name() == Some(name)
    }

    pub fn sdk_name(&self) -> Option<&str> {
        match self {
            CookbookSymbol::Sdk(name) => Some(name),
            _ => None,
        }
    }
}

/// An import that binds a local name.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The local name (`x` in `import a as x`, `a` in `import a.b`).
    pub name: String,
    /// The dotted name it stands for.
    pub qualified: String,
    /// The alias node's range (`InfraConfig as IC`).
    pub alias_range: TextRange,
    /// The whole import statement.
    pub stmt_range: TextRange,
    /// The function body the import is in, or `None` at module level.
    pub scope: Option<TextRange>,
    /// `from M import n` (true) or `import M` (false).
    pub is_from: bool,
    /// For `from M import n`: `M`.
    pub module: String,
}

#[derive(Debug, Clone)]
struct StarImport {
    module: String,
    scope: Option<TextRange>,
}

#[derive(Debug, Clone)]
struct FunctionScope {
    range: TextRange,
    locals: HashSet<String>,
}

/// The semantic model of one file.
#[derive(Debug)]
pub struct Semantic {
    roots: Vec<String>,
    bindings: Vec<Binding>,
    stars: Vec<StarImport>,
    functions: Vec<FunctionScope>,
    module_defs: HashSet<String>,
    uses: HashMap<String, Vec<TextRange>>,
    statements: Statements,
    /// Every name bound inside some function (a local, or an import there): only those need
    /// the scope walk in `lookup`.
    scoped_names: HashSet<String>,
    /// Indices into `functions` by start (the shorter range last on a tie), and the largest end
    /// among each prefix of that order: the scopes that contain an offset are found by a binary
    /// search and a short walk back instead of a scan of every function.
    by_start: Vec<usize>,
    prefix_end: Vec<TextSize>,
}

impl Semantic {
    /// A model that knows the file's imports and nothing else (no scopes, statements or name
    /// uses): enough for [`Semantic::imports_fireworks`] and [`Semantic::imports_cookbook`], at a
    /// fraction of the cost. The engine builds the full model only for files that import
    /// Fireworks; the rules that run on other files do not resolve names.
    pub fn imports_only(suite: &[Stmt], settings: &SemanticSettings) -> Self {
        Self::build(suite, settings, true)
    }

    pub fn new(suite: &[Stmt], settings: &SemanticSettings) -> Self {
        Self::build(suite, settings, false)
    }

    fn build(suite: &[Stmt], settings: &SemanticSettings, imports_only: bool) -> Self {
        let mut builder = Builder {
            model: Semantic {
                roots: settings.roots().map(str::to_string).collect(),
                bindings: Vec::new(),
                stars: Vec::new(),
                functions: Vec::new(),
                module_defs: HashSet::new(),
                uses: HashMap::new(),
                statements: if imports_only {
                    Statements::default()
                } else {
                    Statements::new(suite)
                },
                scoped_names: HashSet::new(),
                by_start: Vec::new(),
                prefix_end: Vec::new(),
            },
            scope_stack: Vec::new(),
            imports_only,
        };
        builder.visit_body(suite);
        let mut model = builder.model;
        model.scoped_names = model
            .functions
            .iter()
            .flat_map(|f| f.locals.iter().cloned())
            .chain(
                model
                    .bindings
                    .iter()
                    .filter(|b| b.scope.is_some())
                    .map(|b| b.name.clone()),
            )
            .collect();
        let mut by_start: Vec<usize> = (0..model.functions.len()).collect();
        by_start.sort_by_key(|&i| {
            let r = model.functions[i].range;
            (r.start(), std::cmp::Reverse(r.end()))
        });
        let mut end = TextSize::new(0);
        model.prefix_end = by_start
            .iter()
            .map(|&i| {
                end = end.max(model.functions[i].range.end());
                end
            })
            .collect();
        model.by_start = by_start;
        model
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The cookbook roots in force.
    pub fn roots(&self) -> &[String] {
        &self.roots
    }

    /// Every reference to `name` as a bare identifier (loads, stores and deletes).
    pub fn name_uses(&self, name: &str) -> &[TextRange] {
        self.uses.get(name).map_or(&[], Vec::as_slice)
    }

    /// Uses of `name` that fall outside every range in `excluded`.
    pub fn name_uses_outside(&self, name: &str, excluded: &[TextRange]) -> usize {
        self.name_uses(name)
            .iter()
            .filter(|r| !excluded.iter().any(|e| e.contains_range(**r)))
            .count()
    }

    /// Every statement of the file with where it stands (none in an imports-only model).
    pub fn statements(&self) -> &Statements {
        &self.statements
    }

    /// Innermost statement whose range contains `offset`... preferring the deepest one.
    pub fn statement_at(&self, offset: TextSize) -> Option<&StatementInfo> {
        self.statements.statement_at(offset)
    }

    /// The statement with exactly this range.
    pub fn statement(&self, range: TextRange) -> Option<&StatementInfo> {
        self.statements.statement(range)
    }

    /// The innermost function whose body contains `offset`.
    pub fn function_at(&self, offset: TextSize) -> Option<TextRange> {
        self.scopes_at(offset).next().map(|f| f.range)
    }

    /// The function scopes that contain `offset`, innermost first. (Function ranges nest, so
    /// among those that start at or before `offset`, the containing ones are met walking back
    /// from the last, innermost first; the walk stops once no earlier range reaches `offset`.)
    fn scopes_at(&self, offset: TextSize) -> impl Iterator<Item = &FunctionScope> {
        let n = self
            .by_start
            .partition_point(|&i| self.functions[i].range.start() <= offset);
        (0..n)
            .rev()
            .take_while(move |&k| self.prefix_end[k] >= offset)
            .map(|k| &self.functions[self.by_start[k]])
            .filter(move |f| f.range.contains_inclusive(offset))
    }

    /// The import binding visible for `name` at `offset`, if the name is not shadowed.
    pub fn binding_at(&self, name: &str, offset: TextSize) -> Option<&Binding> {
        self.lookup(name, offset).ok().flatten()
    }

    /// `Ok(Some(binding))` for an import binding, `Ok(None)` when nothing binds the name here,
    /// `Err(())` when a local (non-import) binding shadows any import.
    fn lookup(&self, name: &str, offset: TextSize) -> Result<Option<&Binding>, ()> {
        // Innermost function scopes first; a local (non-import) binding there shadows outer
        // imports.
        // No function binds the name: no scope can shadow or provide it.
        let scoped = self.scoped_names.contains(name);
        for scope in self.scopes_at(offset).filter(|_| scoped) {
            if let Some(b) = self
                .bindings
                .iter()
                .rev()
                .find(|b| b.name == name && b.scope == Some(scope.range))
            {
                return Ok(Some(b));
            }
            if scope.locals.contains(name) {
                return Err(());
            }
        }
        if self.module_defs.contains(name) {
            return Err(());
        }
        Ok(self
            .bindings
            .iter()
            .rev()
            .find(|b| b.name == name && b.scope.is_none()))
    }

    fn star_module_at(&self, name: &str, offset: TextSize) -> Option<&str> {
        if !is_cookbook_utils_name(name) {
            return None;
        }
        self.stars
            .iter()
            .find(|s| {
                s.scope.is_none_or(|r| r.contains_inclusive(offset))
                    && matches!(self.classify(&s.module), Some(CookbookSymbol::UtilsModule))
            })
            .map(|s| s.module.as_str())
    }

    /// The dotted name an expression stands for, through import bindings.
    pub fn qualified_name(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => {
                let id = name.id.as_str();
                // Most names in ordinary code are bound by no import and are no star-imported
                // cookbook name: nothing to resolve, and no scope walk (`lookup` is linear in
                // the file's functions, and this runs for every name every rule looks at).
                if !self.bindings.iter().any(|b| b.name == id)
                    && (self.stars.is_empty() || !is_cookbook_utils_name(id))
                {
                    return None;
                }
                match self.lookup(id, name.range.start()) {
                    Ok(Some(b)) => Some(b.qualified.clone()),
                    Ok(None) => self
                        .star_module_at(id, name.range.start())
                        .map(|m| format!("{m}.{id}")),
                    Err(()) => None,
                }
            }
            Expr::Attribute(attr) => {
                let base = self.qualified_name(&attr.value)?;
                Some(format!("{base}.{}", attr.attr.id))
            }
            _ => None,
        }
    }

    /// What cookbook or SDK symbol an expression refers to.
    pub fn resolve(&self, expr: &Expr) -> Option<CookbookSymbol> {
        self.classify(&self.qualified_name(expr)?)
    }

    /// Resolve the callee of a call.
    pub fn resolve_call(&self, call: &ast::ExprCall) -> Option<CookbookSymbol> {
        self.resolve(&call.func)
    }

    /// Classify a dotted name as a cookbook or SDK symbol.
    pub fn classify(&self, qualified: &str) -> Option<CookbookSymbol> {
        if let Some(rest) = strip_module_prefix(qualified, SDK_ROOT) {
            return Some(match rest {
                "" => CookbookSymbol::SdkModule,
                rest => {
                    let last = rest.rsplit('.').next().unwrap_or(rest);
                    if last.chars().next().is_some_and(char::is_uppercase)
                        || rest.contains('.')
                        || !is_module_like(last)
                    {
                        CookbookSymbol::Sdk(last.to_string())
                    } else {
                        CookbookSymbol::SdkModule
                    }
                }
            });
        }
        for root in &self.roots {
            let Some(rest) = strip_module_prefix(qualified, root) else {
                continue;
            };
            let parts: Vec<&str> = if rest.is_empty() {
                Vec::new()
            } else {
                rest.split('.').collect()
            };
            match parts.as_slice() {
                ["utils"] => return Some(CookbookSymbol::UtilsModule),
                ["utils", sym] if is_module_like(sym) && !is_symbol_like(sym) => {
                    return Some(CookbookSymbol::UtilsModule);
                }
                ["utils", sym] | ["utils", _, sym] => {
                    return Some(CookbookSymbol::Utils((*sym).to_string()));
                }
                ["recipes"] => return Some(CookbookSymbol::RecipesPackage),
                ["recipes", recipe] => {
                    return Some(CookbookSymbol::RecipeModule((*recipe).to_string()));
                }
                ["recipes", recipe, "Config"] => {
                    return Some(CookbookSymbol::RecipeConfig((*recipe).to_string()));
                }
                ["recipes", recipe, "main"] => {
                    return Some(CookbookSymbol::RecipeMain((*recipe).to_string()));
                }
                ["recipes", recipe, attr] => {
                    // A recipe module re-exports some utils names (`rl_loop.DeployConfig`).
                    if let Some(name) = fwmigrate_api::index::recipe_reexport(recipe, attr) {
                        return Some(CookbookSymbol::Utils(name.to_string()));
                    }
                    return Some(CookbookSymbol::RecipeAttr(
                        (*recipe).to_string(),
                        (*attr).to_string(),
                    ));
                }
                _ => {}
            }
        }
        None
    }

    /// Whether the file imports anything from a cookbook root (a star import included).
    pub fn imports_cookbook(&self) -> bool {
        // Any module under a cookbook root counts (`training.utils.rl.metrics` too), not only
        // the names the specific rules classify.
        let cookbook = |q: &str| {
            // `import training.utils.opd` binds `training`: a root itself counts too.
            self.roots
                .iter()
                .any(|root| strip_module_prefix(q, root).is_some())
        };
        self.bindings.iter().any(|b| cookbook(&b.qualified))
            || self.stars.iter().any(|s| cookbook(&s.module))
    }

    /// Whether the file imports the cookbook or anything of the `fireworks` package (the SDK,
    /// `fireworks.client`, ...). Rules that match on method names or keywords alone (no resolvable
    /// callee) use this to stay out of code that has nothing to do with Fireworks.
    pub fn imports_fireworks(&self) -> bool {
        self.imports_cookbook()
            || self
                .bindings
                .iter()
                .map(|b| b.qualified.as_str())
                .chain(self.stars.iter().map(|s| s.module.as_str()))
                .any(|q| q == "fireworks" || q.starts_with("fireworks."))
    }

    /// The cookbook root a file's imports use (for new import lines), `training` by default.
    pub fn file_root(&self) -> &str {
        for b in &self.bindings {
            for root in &self.roots {
                if strip_module_prefix(&b.qualified, root).is_some() {
                    return root;
                }
            }
        }
        DEFAULT_ROOTS[0]
    }

    /// The local name under which cookbook utils symbol `sym` is directly usable at `offset`
    /// (a `from <utils> import sym [as x]` binding, or a star import), if any.
    pub fn local_name_for_utils(&self, sym: &str, offset: TextSize) -> Option<String> {
        for b in self.bindings.iter().rev() {
            if b.is_from
                && b.scope.is_none_or(|r| r.contains_inclusive(offset))
                && self.classify(&b.qualified) == Some(CookbookSymbol::Utils(sym.to_string()))
                && self
                    .binding_at(&b.name, offset)
                    .is_some_and(|v| v.alias_range == b.alias_range)
            {
                return Some(b.name.clone());
            }
        }
        if self.star_module_at(sym, offset).is_some()
            && matches!(self.lookup(sym, offset), Ok(None))
        {
            return Some(sym.to_string());
        }
        None
    }
}

fn is_module_like(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Symbol names in utils modules that are lower-case functions, not submodules.
fn is_symbol_like(s: &str) -> bool {
    is_cookbook_utils_name(s)
}

/// `Some(rest)` when `qualified` is `module` or starts with `module.`.
struct Builder {
    model: Semantic,
    scope_stack: Vec<usize>,
    /// Record import statements only (no scopes, statements or name uses).
    imports_only: bool,
}

impl Builder {
    fn current_scope(&self) -> Option<TextRange> {
        self.scope_stack
            .last()
            .map(|&i| self.model.functions[i].range)
    }

    fn bind_local(&mut self, name: &str) {
        if let Some(&i) = self.scope_stack.last() {
            self.model.functions[i].locals.insert(name.to_string());
        }
    }

    fn bind_target(&mut self, target: &Expr) {
        match target {
            Expr::Name(n) => self.bind_local(n.id.as_str()),
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.bind_target(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.bind_target(e)),
            Expr::Starred(s) => self.bind_target(&s.value),
            _ => {}
        }
    }

    /// `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`.
    fn bind_import(&mut self, import: &ast::StmtImport) {
        for alias in &import.names {
            let full = alias.name.id.as_str();
            let (name, qualified) = match &alias.asname {
                Some(asname) => (asname.id.to_string(), full.to_string()),
                None => {
                    let first = full.split('.').next().unwrap_or(full);
                    (first.to_string(), first.to_string())
                }
            };
            let scope = self.current_scope();
            self.model.bindings.push(Binding {
                name,
                qualified,
                alias_range: alias.range,
                stmt_range: import.range,
                scope,
                is_from: false,
                module: String::new(),
            });
        }
    }

    /// `from m import x [as y]` binds `x` (`y`) to `m.x`; `from m import *` is kept for the
    /// names `m` may bring. Relative imports bind nothing of the cookbook.
    fn bind_import_from(&mut self, import: &ast::StmtImportFrom) {
        if import.level > 0 {
            return;
        }
        let Some(module) = &import.module else { return };
        let module = module.id.to_string();
        for alias in &import.names {
            let name = alias.name.id.as_str();
            let scope = self.current_scope();
            if name == "*" {
                self.model.stars.push(StarImport {
                    module: module.clone(),
                    scope,
                });
                continue;
            }
            let local = alias
                .asname
                .as_ref()
                .map_or(name, |a| a.id.as_str())
                .to_string();
            self.model.bindings.push(Binding {
                name: local,
                qualified: format!("{module}.{name}"),
                alias_range: alias.range,
                stmt_range: import.range,
                scope,
                is_from: true,
                module: module.clone(),
            });
        }
    }

    /// A function definition: its name in the enclosing scope, its decorators, parameters and
    /// return annotation there, and its body in a scope of its own.
    fn enter_function(&mut self, func: &ast::StmtFunctionDef) {
        if self.scope_stack.is_empty() {
            self.model.module_defs.insert(func.name.id.to_string());
        } else {
            self.bind_local(func.name.id.as_str());
        }
        for decorator in &func.decorator_list {
            self.visit_decorator(decorator);
        }
        self.visit_parameters(&func.parameters);
        if let Some(returns) = &func.returns {
            self.visit_annotation(returns);
        }
        let range = match (func.body.first(), func.body.last()) {
            (Some(first), Some(last)) => TextRange::new(first.start(), last.end()),
            _ => func.range,
        };
        let mut locals = HashSet::new();
        for param in func.parameters.iter() {
            locals.insert(param.name().id.to_string());
        }
        self.model.functions.push(FunctionScope { range, locals });
        self.scope_stack.push(self.model.functions.len() - 1);
        self.visit_body(&func.body);
        self.scope_stack.pop();
    }
}

impl<'a> Visitor<'a> for Builder {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            self.visit_stmt(stmt);
        }
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.imports_only && !matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
            // Only the nested bodies matter; `visit_expr` returns at once.
            visitor::walk_stmt(self, stmt);
            return;
        }
        match stmt {
            Stmt::Import(import) => self.bind_import(import),
            Stmt::ImportFrom(import) => self.bind_import_from(import),
            Stmt::FunctionDef(func) => {
                // Its body is walked in its own scope.
                self.enter_function(func);
                return;
            }
            Stmt::ClassDef(class) => {
                if self.scope_stack.is_empty() {
                    self.model.module_defs.insert(class.name.id.to_string());
                } else {
                    self.bind_local(class.name.id.as_str());
                }
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.bind_target(target);
                }
            }
            Stmt::AnnAssign(assign) => self.bind_target(&assign.target),
            Stmt::AugAssign(assign) => self.bind_target(&assign.target),
            Stmt::For(stmt) => self.bind_target(&stmt.target),
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        self.bind_target(vars);
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.imports_only {
            return;
        }
        match expr {
            Expr::Name(name) => {
                self.model
                    .uses
                    .entry(name.id.to_string())
                    .or_default()
                    .push(name.range);
            }
            Expr::Named(named) => self.bind_target(&named.target),
            Expr::Lambda(_) => {}
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_parser::{ParsedFile, SourceKind};

    fn resolve_all(
        src: &str,
        settings: &SemanticSettings,
    ) -> Vec<(String, Option<CookbookSymbol>)> {
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let semantic = Semantic::new(file.suite(), settings);
        let mut out = Vec::new();
        struct Calls<'s> {
            src: &'s str,
            semantic: &'s Semantic,
            out: &'s mut Vec<(String, Option<CookbookSymbol>)>,
        }
        impl<'a> Visitor<'a> for Calls<'_> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                if let Expr::Call(call) = expr {
                    self.out.push((
                        self.src[call.func.range()].to_string(),
                        self.semantic.resolve_call(call),
                    ));
                }
                visitor::walk_expr(self, expr);
            }
        }
        Calls {
            src,
            semantic: &semantic,
            out: &mut out,
        }
        .visit_body(file.suite());
        out
    }

    fn utils(name: &str) -> Option<CookbookSymbol> {
        Some(CookbookSymbol::Utils(name.to_string()))
    }

    #[test]
    fn resolves_every_import_form() {
        let src = r#"
import training.utils as U
import training.utils.config
from training import utils as u2
from training_cookbook.utils.infra import InfraConfig as IC
from fireworks.training.cookbook.utils import setup_infra
import training.recipes.rl_loop as rl
from training.recipes import sft_loop
from training.recipes.dpo_loop import Config as DPO, main as run_dpo
from fireworks.training.sdk import TrainerJobManager
from fireworks.training.sdk.deployment import DeploymentManager as DM

U.InfraConfig()
training.utils.config.InfraConfig()
u2.DeployConfig()
IC()
setup_infra()
rl.Config()
rl.main()
sft_loop.Config()
DPO()
run_dpo()
TrainerJobManager()
DM()
"#;
        let got = resolve_all(src, &SemanticSettings::default());
        let expect = vec![
            utils("InfraConfig"),
            utils("InfraConfig"),
            utils("DeployConfig"),
            utils("InfraConfig"),
            utils("setup_infra"),
            Some(CookbookSymbol::RecipeConfig("rl_loop".into())),
            Some(CookbookSymbol::RecipeMain("rl_loop".into())),
            Some(CookbookSymbol::RecipeConfig("sft_loop".into())),
            Some(CookbookSymbol::RecipeConfig("dpo_loop".into())),
            Some(CookbookSymbol::RecipeMain("dpo_loop".into())),
            Some(CookbookSymbol::Sdk("TrainerJobManager".into())),
            Some(CookbookSymbol::Sdk("DeploymentManager".into())),
        ];
        let resolved: Vec<_> = got.into_iter().map(|(_, s)| s).collect();
        assert_eq!(resolved, expect);
    }

    #[test]
    fn lookalikes_do_not_resolve() {
        let src = r#"
from dataclasses import dataclass
from myorg.trainer import main
from myorg.training.utils import InfraConfig as Other
from .utils import setup_infra as rel

class InfraConfig: ...
def setup_infra(): ...
InfraConfig()
setup_infra()
main()
Other()
rel()
"#;
        for (callee, symbol) in resolve_all(src, &SemanticSettings::default()) {
            assert_eq!(symbol, None, "{callee} should not resolve");
        }
    }

    #[test]
    fn function_scopes_imports_and_shadowing() {
        let src = r#"
def a():
    from training.utils import InfraConfig
    InfraConfig()

def b():
    InfraConfig()

from training.utils import DeployConfig
def c(DeployConfig):
    DeployConfig()
def d():
    DeployConfig()
"#;
        let got: Vec<_> = resolve_all(src, &SemanticSettings::default())
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(
            got,
            vec![utils("InfraConfig"), None, None, utils("DeployConfig"),]
        );
        let src = r#"
try:
    from training.utils import *
except ImportError:
    pass
def f(WeightSyncConfig):
    WeightSyncConfig()
WeightSyncConfig()
NotCookbook()
"#;
        let got: Vec<_> = resolve_all(src, &SemanticSettings::default())
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(got, vec![None, utils("WeightSyncConfig"), None]);
    }

    #[test]
    fn file_level_import_questions() {
        let ask = |src: &str| {
            let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
            let s = Semantic::new(file.suite(), &SemanticSettings::default());
            (s.imports_cookbook(), s.imports_fireworks())
        };
        assert_eq!(ask("import os\n"), (false, false));
        assert_eq!(
            ask("from training.utils import InfraConfig\n"),
            (true, true)
        );
        assert_eq!(ask("from training.utils import *\n"), (true, true));
        assert_eq!(
            ask("from fireworks.training.sdk import TrainerJobManager\n"),
            (false, true)
        );
        assert_eq!(ask("import fireworks.client as fc\n"), (false, true));
        assert_eq!(ask("from fireworks import LLM\n"), (false, true));
        assert_eq!(
            ask("import fireworks_tools\nfrom myorg.training.utils import x\n"),
            (false, false)
        );
    }

    #[test]
    fn the_imports_only_model_answers_the_import_questions() {
        let src = "import os\ndef f():\n    if x:\n        from training.utils import InfraConfig\n    return InfraConfig()\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let light = Semantic::imports_only(file.suite(), &SemanticSettings::default());
        let full = Semantic::new(file.suite(), &SemanticSettings::default());
        assert!(light.imports_cookbook() && full.imports_cookbook());
        assert_eq!(light.bindings().len(), full.bindings().len());
        assert!(light.name_uses("InfraConfig").is_empty());
        let src = "import os\nclass A:\n    def g(self):\n        import json\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let light = Semantic::imports_only(file.suite(), &SemanticSettings::default());
        assert!(!light.imports_fireworks());
        assert_eq!(light.bindings().len(), 2);
    }

    #[test]
    fn extra_roots() {
        let src = "from tinker_cookbook.fireworks.utils import InfraConfig\nInfraConfig()\n";
        assert_eq!(resolve_all(src, &SemanticSettings::default())[0].1, None);
        let settings = SemanticSettings {
            extra_roots: vec!["tinker_cookbook.fireworks".into()],
        };
        assert_eq!(resolve_all(src, &settings)[0].1, utils("InfraConfig"));
    }

    #[test]
    fn statement_table() {
        let src = "if x:\n    a = 1\n    b = 2\nc = 3\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let semantic = Semantic::new(file.suite(), &SemanticSettings::default());
        let b = semantic
            .statement_at(TextSize::new(src.find("b =").unwrap() as u32))
            .unwrap();
        assert_eq!((b.index, b.block_len, b.depth), (1, 2, 1));
        let c = semantic
            .statement_at(TextSize::new(src.find("c =").unwrap() as u32))
            .unwrap();
        assert_eq!((c.index, c.block_len, c.depth), (1, 2, 0));
    }
}
