//! Reading a release's `training/provision/provision.py` into its provisioning model
//! ([`fwmigrate_api::provision::Provision`]).
//!
//! Nothing is executed and no value of today's file is assumed: the model is what the code does,
//! recognised in the functions that turn a YAML recipe entry into config classes.
//!
//! - `PROVISION_MODES` and `MODE_ALIASES` give the modes.
//! - `_build_recipe_config` deep-merges `common` under the entry (`merged = _deep_merge(...)`) and
//!   branches on `mode == "X"`. In a branch, the first `_make_dataclass_config(CLASS, {...})` call
//!   names the mode's config class; `_required(merged, "k")` / `_required_value(..., "k")` and
//!   `if not VALUE: raise` make a key required; a string set intersected with `merged` (or
//!   `"k" in merged`) that leads to a raise rejects keys; a dict entry `f(merged.get("k"))`,
//!   where `f` returns `_make_dataclass_config(CLASS, ...)`, checks `k` against `CLASS`; an entry
//!   `"deployment": deployment` (the variable holding `_resolve_deploy_config(...)`) reads the
//!   deployment section. A key is *used* when its value goes anywhere but into a dict literal
//!   (through `str(...)`, `bool(...)`, `_required_value(...)`, `x or y` and variables): passed
//!   to a call, compared, tested, iterated. What comes before the branches holds in every mode.
//! - `_resolve_trainer_config`, `_resolve_deploy_config` and `_make_dataclass_config` give the
//!   trainer and deployment sections and the keys rejected for every config class (the string
//!   sets a rejecting helper it calls reads, in that helper's module of the same release).
//!
//! A file whose shape is not recognised is an error naming what was not found: the extractor
//! needs updating, and a silently empty model would let the YAML rules miss a release.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use fwmigrate_api::provision::{DeploymentModel, Provision, RecipeModel, TrainerModel};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};

/// Where the file is in a release's tree.
pub const PROVISION_PY: &str = "training/provision/provision.py";
/// The module it is.
const MODULE: &str = "training.provision.provision";
/// Its package (what a relative import starts from).
const PACKAGE: &str = "training.provision";

/// The functions the model is read from.
const BUILD: &str = "_build_recipe_config";
const TRAINER: &str = "_resolve_trainer_config";
const DEPLOY: &str = "_resolve_deploy_config";
const MAKE: &str = "_make_dataclass_config";
/// Functions that pick a recipe entry's mode (whichever a release has).
const MODE_PICKERS: &[&str] = &[
    "_load_provision_doc",
    "_load_yaml_provision",
    "_select_recipe",
];
/// `_required(values, key)` and `_required_value(value, key)`: raise unless the value is set.
const REQUIRED: &str = "_required";
const REQUIRED_VALUE: &str = "_required_value";
/// Calls that hand on the value of their first argument (for what a key's value reaches).
const PASS_THROUGH: &[&str] = &["str", "bool", "int", "float", REQUIRED_VALUE];

/// The model of the release whose `training` folder is below `root`; `None` when the release has
/// no `provision.py`.
pub fn from_tree(root: &Path) -> Result<Option<Provision>, String> {
    let path = root.join(PROVISION_PY);
    if !path.is_file() {
        return Ok(None);
    }
    let text = fs::read_to_string(&path).map_err(|e| format!("{PROVISION_PY}: {e}"))?;
    let module_source = |module: &str| {
        let base = root.join(module.replace('.', "/"));
        fs::read_to_string(base.with_extension("py"))
            .or_else(|_| fs::read_to_string(base.join("__init__.py")))
            .ok()
    };
    extract(&text, module_source)
        .map(Some)
        .map_err(|e| format!("{PROVISION_PY}: {e}"))
}

/// The model of one `provision.py`. `module_source` gives the text of another module of the same
/// release (dotted name), for the helpers `provision.py` imports.
pub fn extract(
    source: &str,
    module_source: impl Fn(&str) -> Option<String>,
) -> Result<Provision, String> {
    let parsed = ruff_python_parser::parse_module(source).map_err(|e| e.to_string())?;
    let index = ModuleIndex::new(parsed.suite(), PACKAGE);
    let function = |name: &str| {
        index
            .functions
            .get(name)
            .copied()
            .ok_or_else(|| format!("no function `{name}` (the extractor needs updating)"))
    };
    let build = function(BUILD)?;
    let trainer_fn = function(TRAINER)?;
    let deploy_fn = function(DEPLOY)?;
    let make_fn = function(MAKE)?;

    let modes = index
        .assigned("PROVISION_MODES")
        .and_then(string_sequence)
        .ok_or("no `PROVISION_MODES = (\"mode\", ...)` (the extractor needs updating)")?;
    let aliases = match index.assigned("MODE_ALIASES") {
        None => BTreeMap::new(),
        Some(Expr::Dict(dict)) => string_dict(dict)
            .ok_or("`MODE_ALIASES` is not a dict of strings (the extractor needs updating)")?,
        Some(_) => return Err("`MODE_ALIASES` is not a dict literal".to_string()),
    };

    let mut recipes = Recipes::read(&index, build)?;
    if MODE_PICKERS
        .iter()
        .filter_map(|name| index.functions.get(name))
        .any(|def| reads_key(&def.body, "mode"))
    {
        recipes.top.used.insert("mode".to_string());
    }
    let mut models = BTreeMap::new();
    let mut configured: Vec<&String> = recipes.modes.keys().collect();
    configured.extend(modes.iter().filter(|m| !recipes.modes.contains_key(*m)));
    for mode in configured {
        let facts = recipes.modes.get(mode).cloned().unwrap_or_default();
        let config = facts.config.clone().ok_or_else(|| {
            format!(
                "`{BUILD}` makes no config for mode `{mode}` (no `{MAKE}(...)` call under \
                 `if mode == \"{mode}\"`; the extractor needs updating)"
            )
        })?;
        let top = &recipes.top;
        let mut nested = top.nested.clone();
        nested.extend(facts.nested);
        models.insert(
            mode.clone(),
            RecipeModel {
                config,
                required: sorted(facts.required.difference(&top.required)),
                rejected: sorted(facts.rejected.union(&top.rejected)),
                used: sorted(facts.used.difference(&top.used)),
                nested,
                deployment: facts.deployment,
            },
        );
    }

    let (trainer, reference) = trainer_model(&index, trainer_fn)?;
    let deployment = DeploymentModel {
        config: made_class(&index, deploy_fn)?.ok_or_else(|| {
            format!("`{DEPLOY}` calls no `{MAKE}(CLASS, ...)` (the extractor needs updating)")
        })?,
    };
    let rejected_everywhere = rejected_everywhere(&index, make_fn, &module_source)?;
    Ok(Provision {
        modes,
        aliases,
        recipes: models,
        used: sorted(recipes.top.used.iter()),
        required: sorted(recipes.top.required.iter()),
        trainer,
        reference,
        deployment,
        rejected_everywhere,
    })
}

fn sorted<'s>(items: impl IntoIterator<Item = &'s String>) -> Vec<String> {
    let set: BTreeSet<&String> = items.into_iter().collect();
    set.into_iter().cloned().collect()
}

/// What a module binds at its top level.
struct ModuleIndex<'a> {
    functions: BTreeMap<&'a str, &'a ast::StmtFunctionDef>,
    /// Local name → dotted path, for imported names.
    imports: BTreeMap<String, String>,
    classes: BTreeSet<&'a str>,
    /// `NAME = value` / `NAME: T = value` (the last one).
    assigns: BTreeMap<&'a str, &'a Expr>,
    /// The package relative imports start from.
    package: &'a str,
}

impl<'a> ModuleIndex<'a> {
    fn new(suite: &'a [Stmt], package: &'a str) -> Self {
        let mut index = ModuleIndex {
            functions: BTreeMap::new(),
            imports: BTreeMap::new(),
            classes: BTreeSet::new(),
            assigns: BTreeMap::new(),
            package,
        };
        index.add(suite);
        index
    }

    fn add(&mut self, suite: &'a [Stmt]) {
        for stmt in suite {
            match stmt {
                Stmt::FunctionDef(def) => {
                    self.functions.insert(def.name.as_str(), def);
                }
                Stmt::ClassDef(class) => {
                    self.classes.insert(class.name.as_str());
                }
                Stmt::Assign(assign) => {
                    for target in &assign.targets {
                        if let Expr::Name(name) = target {
                            self.assigns.insert(name.id.as_str(), &assign.value);
                        }
                    }
                }
                Stmt::AnnAssign(assign) => {
                    if let (Expr::Name(name), Some(value)) = (&*assign.target, &assign.value) {
                        self.assigns.insert(name.id.as_str(), value);
                    }
                }
                Stmt::Import(_) | Stmt::ImportFrom(_) => {
                    imports(stmt, self.package, &mut self.imports);
                }
                Stmt::If(s) => {
                    self.add(&s.body);
                    for clause in &s.elif_else_clauses {
                        self.add(&clause.body);
                    }
                }
                Stmt::Try(s) => {
                    self.add(&s.body);
                    self.add(&s.orelse);
                }
                _ => {}
            }
        }
    }

    fn assigned(&self, name: &str) -> Option<&'a Expr> {
        self.assigns.get(name).copied()
    }

    /// The dotted path of a class or function named by `expr` (`TrainerConfig`, `sft_loop.Config`),
    /// by the imports (`local` first: a function's own) or this module's own definitions.
    fn resolve(&self, expr: &Expr, local: &BTreeMap<String, String>) -> Option<String> {
        let text = dotted(expr)?;
        let (first, rest) = match text.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (text.as_str(), None),
        };
        let base = local
            .get(first)
            .or_else(|| self.imports.get(first))
            .cloned()
            .or_else(|| {
                (self.classes.contains(first) || self.functions.contains_key(first))
                    .then(|| format!("{MODULE}.{first}"))
            })?;
        Some(match rest {
            Some(rest) => format!("{base}.{rest}"),
            None => base,
        })
    }
}

/// Record what an import statement binds: local name → dotted path.
fn imports(stmt: &Stmt, package: &str, out: &mut BTreeMap<String, String>) {
    match stmt {
        Stmt::Import(import) => {
            for alias in &import.names {
                let full = alias.name.as_str();
                match &alias.asname {
                    Some(asname) => out.insert(asname.to_string(), full.to_string()),
                    None => {
                        let first = full.split('.').next().unwrap_or(full);
                        out.insert(first.to_string(), first.to_string())
                    }
                };
            }
        }
        Stmt::ImportFrom(import) => {
            let from = if import.level == 0 {
                import.module.as_ref().map(|m| m.to_string())
            } else {
                let mut base = package.to_string();
                for _ in 1..import.level {
                    base = base.rsplit_once('.').map_or("", |(b, _)| b).to_string();
                }
                Some(match &import.module {
                    Some(m) if base.is_empty() => m.to_string(),
                    Some(m) => format!("{base}.{m}"),
                    None => base,
                })
            };
            let Some(from) = from else { return };
            for alias in &import.names {
                let local = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                out.insert(local, format!("{from}.{}", alias.name.as_str()));
            }
        }
        _ => {}
    }
}

/// Every import inside a function body.
fn local_imports(body: &[Stmt], package: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for stmt in statements(body) {
        imports(stmt, package, &mut out);
    }
    out
}

/// Every statement of `body`, nested blocks included, in source order.
fn statements(body: &[Stmt]) -> Vec<&Stmt> {
    struct V<'a>(Vec<&'a Stmt>);
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            self.0.push(stmt);
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, _: &'a Expr) {}
    }
    let mut v = V(Vec::new());
    v.visit_body(body);
    v.0
}

/// Every expression below `body` or `expr`, in source order.
fn expressions_in<'a>(body: &'a [Stmt], expr: Option<&'a Expr>) -> Vec<&'a Expr> {
    struct V<'a>(Vec<&'a Expr>);
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            self.0.push(expr);
            visitor::walk_expr(self, expr);
        }
    }
    let mut v = V(Vec::new());
    v.visit_body(body);
    if let Some(expr) = expr {
        v.visit_expr(expr);
    }
    v.0
}

fn raises(body: &[Stmt]) -> bool {
    statements(body).iter().any(|s| matches!(s, Stmt::Raise(_)))
}

fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attr) => Some(format!("{}.{}", dotted(&attr.value)?, attr.attr.as_str())),
        _ => None,
    }
}

fn callee(call: &ast::ExprCall) -> Option<String> {
    dotted(&call.func)
}

fn string(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

fn is_name(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Name(n) if n.id.as_str() == name)
}

/// The strings of a literal tuple or list.
fn string_sequence(expr: &Expr) -> Option<Vec<String>> {
    let elts = match expr {
        Expr::Tuple(t) => &t.elts,
        Expr::List(l) => &l.elts,
        _ => return None,
    };
    elts.iter().map(string).collect()
}

/// The strings of a literal set, `frozenset({...})` or `frozenset([...])`.
fn string_set(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Set(s) => s.elts.iter().map(string).collect(),
        Expr::Call(c) if callee(c).as_deref() == Some("frozenset") => {
            match c.arguments.args.first()? {
                Expr::Set(_) => string_set(c.arguments.args.first()?),
                other => string_sequence(other),
            }
        }
        _ => None,
    }
}

fn string_dict(dict: &ast::ExprDict) -> Option<BTreeMap<String, String>> {
    dict.items
        .iter()
        .map(|item| Some((string(item.key.as_ref()?)?, string(&item.value)?)))
        .collect()
}

/// Whether `body` reads key `key` of some mapping (`x.get("key")`, `x["key"]`).
fn reads_key(body: &[Stmt], key: &str) -> bool {
    expressions_in(body, None).iter().any(|e| match e {
        Expr::Call(c) => {
            matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "get")
                && c.arguments.args.first().and_then(string).as_deref() == Some(key)
        }
        Expr::Subscript(s) => {
            s.ctx == ast::ExprContext::Load && string(&s.slice).as_deref() == Some(key)
        }
        _ => false,
    })
}

/// The class a function makes with `_make_dataclass_config(CLASS, ...)` (the first such call).
fn made_class(index: &ModuleIndex, def: &ast::StmtFunctionDef) -> Result<Option<String>, String> {
    let local = local_imports(&def.body, index.package);
    for e in expressions_in(&def.body, None) {
        if let Expr::Call(c) = e
            && callee(c).as_deref() == Some(MAKE)
            && let Some(class) = c.arguments.args.first()
        {
            return index.resolve(class, &local).map(Some).ok_or_else(|| {
                format!(
                    "`{}` passes `{}` to `{MAKE}`, which is not an imported or defined class",
                    def.name,
                    dotted(class).unwrap_or_else(|| "an expression".to_string())
                )
            });
        }
    }
    Ok(None)
}

/// Module-level functions that return `_make_dataclass_config(CLASS, ...)` for a known class:
/// name → the class.
fn resolvers<'a>(index: &ModuleIndex<'a>) -> BTreeMap<&'a str, String> {
    let mut out = BTreeMap::new();
    for (name, def) in &index.functions {
        let local = local_imports(&def.body, index.package);
        for stmt in statements(&def.body) {
            if let Stmt::Return(ret) = stmt
                && let Some(Expr::Call(c)) = ret.value.as_deref()
                && callee(c).as_deref() == Some(MAKE)
                && let Some(class) = c
                    .arguments
                    .args
                    .first()
                    .and_then(|a| index.resolve(a, &local))
            {
                out.insert(*name, class);
                break;
            }
        }
    }
    out
}

/// What is known of a scope of `_build_recipe_config`: one mode's branch, or (the top) what runs
/// in every mode.
#[derive(Debug, Default, Clone)]
struct Facts {
    config: Option<String>,
    used: BTreeSet<String>,
    required: BTreeSet<String>,
    rejected: BTreeSet<String>,
    nested: BTreeMap<String, String>,
    deployment: bool,
}

/// Where a value goes.
#[derive(Debug, Clone, Copy)]
enum Pos<'a> {
    /// Passed to a call, compared, tested, iterated: the key is used.
    Used,
    /// Only a dict literal's entry value.
    Value,
    /// Assigned to the variable: what that variable reaches.
    Bind(&'a str),
}

/// The modes a scope is for; empty for every mode.
type Scope = Vec<String>;

/// The reading of `_build_recipe_config`.
struct Recipes<'a> {
    index: &'a ModuleIndex<'a>,
    local: BTreeMap<String, String>,
    resolvers: BTreeMap<&'a str, String>,
    /// The merged recipe entry.
    merged: String,
    /// The parameter holding the mode.
    mode: String,
    /// Variables holding `_resolve_deploy_config(...)`.
    deploy_vars: BTreeSet<String>,
    /// Variables holding a dict literal.
    dict_vars: BTreeMap<String, &'a ast::ExprDict>,
    scope: Scope,
    /// Keys read into a variable: (variable, key, scope of the read).
    bound: Vec<(String, String, Scope)>,
    /// Variables assigned from variables: (from, to).
    flows: Vec<(String, String)>,
    /// Variables used for something of their own: (variable, scope of the use).
    uses: Vec<(String, Scope)>,
    /// Variables that must have a value (`if not v: raise`): (variable, scope).
    required_vars: Vec<(String, Scope)>,
    /// Facts by mode, and for every mode.
    modes: BTreeMap<String, Facts>,
    top: Facts,
    error: Option<String>,
}

impl<'a> Recipes<'a> {
    fn read(index: &'a ModuleIndex<'a>, def: &'a ast::StmtFunctionDef) -> Result<Self, String> {
        let params = &def.parameters;
        let mode = params
            .posonlyargs
            .iter()
            .chain(&params.args)
            .chain(&params.kwonlyargs)
            .map(|p| p.parameter.name.as_str())
            .find(|p| *p == "mode")
            .ok_or_else(|| format!("`{BUILD}` has no `mode` parameter"))?
            .to_string();
        let mut merged = None;
        let mut deploy_vars = BTreeSet::new();
        let mut dict_vars = BTreeMap::new();
        for stmt in statements(&def.body) {
            if let Stmt::Assign(a) = stmt
                && let [Expr::Name(target)] = a.targets.as_slice()
            {
                match &*a.value {
                    Expr::Call(c) if callee(c).as_deref() == Some("_deep_merge") => {
                        merged.get_or_insert_with(|| target.id.to_string());
                    }
                    Expr::Call(c) if callee(c).as_deref() == Some(DEPLOY) => {
                        deploy_vars.insert(target.id.to_string());
                    }
                    Expr::Dict(d) => {
                        dict_vars.insert(target.id.to_string(), d);
                    }
                    _ => {}
                }
            }
        }
        let merged = merged.ok_or_else(|| {
            format!(
                "`{BUILD}` merges no recipe entry (no `merged = _deep_merge(...)`; the extractor \
                 needs updating)"
            )
        })?;
        let mut reader = Recipes {
            index,
            local: local_imports(&def.body, index.package),
            resolvers: resolvers(index),
            merged,
            mode,
            deploy_vars,
            dict_vars,
            scope: Vec::new(),
            bound: Vec::new(),
            flows: Vec::new(),
            uses: Vec::new(),
            required_vars: Vec::new(),
            modes: BTreeMap::new(),
            top: Facts::default(),
            error: None,
        };
        reader.body(&def.body);
        if let Some(e) = reader.error.take() {
            return Err(e);
        }
        reader.settle();
        Ok(reader)
    }

    fn facts(&mut self, scope: &[String]) -> Vec<&mut Facts> {
        if scope.is_empty() {
            return vec![&mut self.top];
        }
        for mode in scope {
            self.modes.entry(mode.clone()).or_default();
        }
        self.modes
            .iter_mut()
            .filter(|(m, _)| scope.contains(m))
            .map(|(_, f)| f)
            .collect()
    }

    fn note(&mut self, scope: &[String], f: impl Fn(&mut Facts)) {
        for facts in self.facts(scope) {
            f(facts);
        }
    }

    /// Resolve variables: the keys each one holds, and where its uses attribute them (to the
    /// mode of the read, else to the mode of the use).
    fn settle(&mut self) {
        let mut held: BTreeMap<String, BTreeSet<(String, Scope)>> = BTreeMap::new();
        for (var, key, scope) in &self.bound {
            held.entry(var.clone())
                .or_default()
                .insert((key.clone(), scope.clone()));
        }
        loop {
            let mut changed = false;
            for (from, to) in &self.flows {
                let keys = held.get(from).cloned().unwrap_or_default();
                let into = held.entry(to.clone()).or_default();
                for k in keys {
                    changed |= into.insert(k);
                }
            }
            if !changed {
                break;
            }
        }
        let attributed = |var: &str, at: &Scope| -> Vec<(String, Scope)> {
            held.get(var)
                .into_iter()
                .flatten()
                .map(|(key, read)| {
                    let scope = if read.is_empty() { at } else { read };
                    (key.clone(), scope.clone())
                })
                .collect()
        };
        let used: Vec<_> = self
            .uses
            .iter()
            .flat_map(|(var, at)| attributed(var, at))
            .collect();
        let required: Vec<_> = self
            .required_vars
            .iter()
            .flat_map(|(var, at)| attributed(var, at))
            .collect();
        for (key, scope) in used {
            self.note(&scope, |f| {
                f.used.insert(key.clone());
            });
        }
        for (key, scope) in required {
            self.note(&scope, |f| {
                f.required.insert(key.clone());
            });
        }
    }

    fn body(&mut self, body: &'a [Stmt]) {
        for (i, stmt) in body.iter().enumerate() {
            self.stmt(stmt, &body[i + 1..]);
        }
    }

    fn stmt(&mut self, stmt: &'a Stmt, rest: &'a [Stmt]) {
        match stmt {
            Stmt::Assign(a) => match a.targets.as_slice() {
                [Expr::Name(target)] => {
                    let var = target.id.as_str();
                    let rejected = self.intersected(&a.value);
                    if !rejected.is_empty()
                        && rest.iter().any(|s| match s {
                            Stmt::If(s) => {
                                expressions_in(&[], Some(&s.test))
                                    .iter()
                                    .any(|e| is_name(e, var))
                                    && raises(&s.body)
                            }
                            _ => false,
                        })
                    {
                        self.reject(rejected);
                    }
                    self.expr(&a.value, Pos::Bind(var));
                }
                targets => {
                    for t in targets {
                        self.expr(t, Pos::Used);
                    }
                    self.expr(&a.value, Pos::Used);
                }
            },
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    match &*a.target {
                        Expr::Name(target) => self.expr(value, Pos::Bind(target.id.as_str())),
                        target => {
                            self.expr(target, Pos::Used);
                            self.expr(value, Pos::Used);
                        }
                    }
                }
            }
            Stmt::AugAssign(a) => {
                self.expr(&a.target, Pos::Used);
                self.expr(&a.value, Pos::Used);
            }
            Stmt::If(s) => self.if_stmt(s),
            Stmt::For(s) => {
                self.expr(&s.iter, Pos::Used);
                self.body(&s.body);
                self.body(&s.orelse);
            }
            Stmt::While(s) => {
                self.expr(&s.test, Pos::Used);
                self.body(&s.body);
                self.body(&s.orelse);
            }
            Stmt::With(s) => {
                for item in &s.items {
                    self.expr(&item.context_expr, Pos::Used);
                }
                self.body(&s.body);
            }
            Stmt::Try(s) => {
                self.body(&s.body);
                for handler in &s.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    self.body(&h.body);
                }
                self.body(&s.orelse);
                self.body(&s.finalbody);
            }
            Stmt::Return(r) => {
                if let Some(value) = &r.value {
                    self.expr(value, Pos::Used);
                }
            }
            Stmt::Raise(r) => {
                if let Some(exc) = &r.exc {
                    self.expr(exc, Pos::Used);
                }
            }
            Stmt::Expr(e) => self.expr(&e.value, Pos::Used),
            _ => {}
        }
    }

    fn if_stmt(&mut self, s: &'a ast::StmtIf) {
        let mut clauses: Vec<(Option<&'a Expr>, &'a [Stmt])> = vec![(Some(&*s.test), &s.body[..])];
        clauses.extend(
            s.elif_else_clauses
                .iter()
                .map(|c| (c.test.as_ref(), &c.body[..])),
        );
        for (test, body) in clauses {
            if let Some(test) = test {
                if self.scope.is_empty()
                    && let Some(modes) = self.mode_test(test)
                {
                    let outer = std::mem::replace(&mut self.scope, modes);
                    self.body(body);
                    self.scope = outer;
                    continue;
                }
                if !self.guard(test, body) {
                    self.expr(test, Pos::Used);
                }
            }
            self.body(body);
        }
    }

    /// The modes of `mode == "X"` or `mode in ("X", "Y")`.
    fn mode_test(&self, test: &Expr) -> Option<Vec<String>> {
        let Expr::Compare(cmp) = test else {
            return None;
        };
        if !is_name(&cmp.left, &self.mode) {
            return None;
        }
        match (&*cmp.ops, &*cmp.comparators) {
            ([ast::CmpOp::Eq], [value]) => Some(vec![string(value)?]),
            ([ast::CmpOp::In], [values]) => string_sequence(values).or_else(|| string_set(values)),
            _ => None,
        }
    }

    /// A test whose body raises: `not VALUE` makes VALUE required, `"k" in merged` or a set
    /// intersected with `merged` rejects keys. True when the test is read (no other use).
    fn guard(&mut self, test: &'a Expr, body: &'a [Stmt]) -> bool {
        if !raises(body) {
            return false;
        }
        if let Expr::UnaryOp(op) = test
            && op.op == ast::UnaryOp::Not
        {
            if let Expr::Name(n) = &*op.operand {
                self.required_vars
                    .push((n.id.to_string(), self.scope.clone()));
            } else if let Some((key, _)) = self.key_read(&op.operand) {
                let scope = self.scope.clone();
                self.note(&scope, |f| {
                    f.required.insert(key.clone());
                });
            }
            return false;
        }
        if let Expr::Compare(cmp) = test
            && let ([ast::CmpOp::In], [Expr::Name(n)]) = (&*cmp.ops, &*cmp.comparators)
            && n.id.as_str() == self.merged
            && let Some(key) = string(&cmp.left)
        {
            self.reject(vec![key]);
            return true;
        }
        let rejected = self.intersected(test);
        if !rejected.is_empty() {
            self.reject(rejected);
            return true;
        }
        false
    }

    fn reject(&mut self, keys: Vec<String>) {
        let scope = self.scope.clone();
        self.note(&scope, |f| f.rejected.extend(keys.iter().cloned()));
    }

    /// The strings of every `{"k", ...}.intersection(merged)` in `expr`.
    fn intersected(&self, expr: &Expr) -> Vec<String> {
        let mut out = Vec::new();
        for e in expressions_in(&[], Some(expr)) {
            if let Expr::Call(c) = e
                && let Expr::Attribute(a) = &*c.func
                && a.attr.as_str() == "intersection"
                && let [arg] = &*c.arguments.args
                && is_name(arg, &self.merged)
                && let Some(keys) = string_set(&a.value)
            {
                out.extend(keys);
            }
        }
        out
    }

    /// `merged.get("k", ...)`, `merged["k"]`, `_required(merged, "k")`: the key, and whether the
    /// read requires a value.
    fn key_read(&self, expr: &Expr) -> Option<(String, bool)> {
        match expr {
            Expr::Call(c) => match &*c.func {
                Expr::Attribute(a)
                    if a.attr.as_str() == "get" && is_name(&a.value, &self.merged) =>
                {
                    Some((string(c.arguments.args.first()?)?, false))
                }
                Expr::Name(n) if n.id.as_str() == REQUIRED => match &*c.arguments.args {
                    [values, key] if is_name(values, &self.merged) => Some((string(key)?, true)),
                    _ => None,
                },
                _ => None,
            },
            Expr::Subscript(s)
                if s.ctx == ast::ExprContext::Load && is_name(&s.value, &self.merged) =>
            {
                Some((string(&s.slice)?, false))
            }
            _ => None,
        }
    }

    fn record(&mut self, key: String, pos: Pos<'a>) {
        let scope = self.scope.clone();
        match pos {
            Pos::Used => self.note(&scope, |f| {
                f.used.insert(key.clone());
            }),
            Pos::Value => {}
            Pos::Bind(var) => self.bound.push((var.to_string(), key, scope)),
        }
    }

    fn expr(&mut self, expr: &'a Expr, pos: Pos<'a>) {
        if let Some((key, required)) = self.key_read(expr) {
            if required {
                let scope = self.scope.clone();
                self.note(&scope, |f| {
                    f.required.insert(key.clone());
                });
            }
            self.record(key, pos);
            // A default value (`merged.get("k", default)`) is read like any expression.
            if let Expr::Call(c) = expr
                && matches!(&*c.func, Expr::Attribute(_))
            {
                for arg in c.arguments.args.iter().skip(1) {
                    self.expr(arg, Pos::Used);
                }
            }
            return;
        }
        match expr {
            Expr::Name(n) => {
                if n.ctx == ast::ExprContext::Load && n.id.as_str() != self.merged {
                    match pos {
                        Pos::Used => self.uses.push((n.id.to_string(), self.scope.clone())),
                        Pos::Value => {}
                        Pos::Bind(to) => self.flows.push((n.id.to_string(), to.to_string())),
                    }
                }
            }
            Expr::BoolOp(b) if b.op == ast::BoolOp::Or => {
                for value in &b.values {
                    self.expr(value, pos);
                }
            }
            Expr::If(e) => {
                self.expr(&e.test, Pos::Used);
                self.expr(&e.body, pos);
                self.expr(&e.orelse, pos);
            }
            Expr::Dict(d) => self.dict(d),
            Expr::Call(c) => self.call(c, pos),
            Expr::Compare(cmp)
                if matches!(&*cmp.ops, [ast::CmpOp::In | ast::CmpOp::NotIn])
                    && matches!(&*cmp.comparators, [m] if is_name(m, &self.merged))
                    && string(&cmp.left).is_some() =>
            {
                let key = string(&cmp.left).expect("checked");
                self.record(key, Pos::Used);
            }
            _ => self.children(expr),
        }
    }

    /// Read every sub-expression as used.
    fn children(&mut self, expr: &'a Expr) {
        struct Children<'r, 'a>(&'r mut Recipes<'a>);
        impl<'a> Visitor<'a> for Children<'_, 'a> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                self.0.expr(expr, Pos::Used);
            }
        }
        visitor::walk_expr(&mut Children(self), expr);
    }

    fn dict(&mut self, dict: &'a ast::ExprDict) {
        for item in &dict.items {
            let Some(key) = &item.key else {
                // `**values`: what it holds stays a value.
                self.expr(&item.value, Pos::Value);
                continue;
            };
            self.expr(key, Pos::Used);
            if let Expr::Call(c) = &item.value
                && let Expr::Name(f) = &*c.func
                && let Some(class) = self.resolvers.get(f.id.as_str()).cloned()
                && let Some((read, _)) = c.arguments.args.first().and_then(|a| self.key_read(a))
            {
                let scope = self.scope.clone();
                self.note(&scope, |facts| {
                    facts.nested.insert(read.clone(), class.clone());
                });
                continue;
            }
            self.expr(&item.value, Pos::Value);
        }
    }

    fn call(&mut self, call: &'a ast::ExprCall, pos: Pos<'a>) {
        let name = callee(call);
        let args = &call.arguments.args;
        match name.as_deref() {
            Some(f) if PASS_THROUGH.contains(&f) && !args.is_empty() => {
                self.expr(&args[0], pos);
                for arg in &args[1..] {
                    if f == REQUIRED_VALUE
                        && let Some(key) = string(arg)
                    {
                        let scope = self.scope.clone();
                        self.note(&scope, |facts| {
                            facts.required.insert(key.clone());
                        });
                    } else {
                        self.expr(arg, Pos::Used);
                    }
                }
            }
            Some(MAKE) if !args.is_empty() => {
                self.config(call);
                if let Some(values) = args.get(1) {
                    self.expr(values, Pos::Value);
                }
                for arg in args.iter().skip(2) {
                    self.expr(arg, Pos::Used);
                }
            }
            _ => {
                self.expr(&call.func, Pos::Used);
                for arg in args {
                    self.expr(arg, Pos::Used);
                }
            }
        }
        for keyword in &call.arguments.keywords {
            self.expr(&keyword.value, Pos::Used);
        }
    }

    /// The first `_make_dataclass_config(CLASS, values)` of a mode's branch: its config class,
    /// and whether `values` carries the resolved deployment.
    fn config(&mut self, call: &'a ast::ExprCall) {
        if self.scope.is_empty() {
            return;
        }
        let scope = self.scope.clone();
        if scope
            .iter()
            .all(|m| self.modes.get(m).is_some_and(|f| f.config.is_some()))
        {
            return;
        }
        let class = &call.arguments.args[0];
        let Some(config) = self.index.resolve(class, &self.local) else {
            self.error.get_or_insert_with(|| {
                format!(
                    "`{BUILD}` passes `{}` to `{MAKE}` for mode {scope:?}, which is not an imported \
                     class (the extractor needs updating)",
                    dotted(class).unwrap_or_else(|| "an expression".to_string())
                )
            });
            return;
        };
        let deployment = call
            .arguments
            .args
            .get(1)
            .is_some_and(|values| self.carries_deployment(values, 0));
        for facts in self.facts(&scope) {
            if facts.config.is_none() {
                facts.config = Some(config.clone());
                facts.deployment |= deployment;
            }
        }
    }

    fn carries_deployment(&self, values: &Expr, depth: usize) -> bool {
        if depth > 4 {
            return false;
        }
        let dict = match values {
            Expr::Dict(d) => d,
            Expr::Name(n) => match self.dict_vars.get(n.id.as_str()) {
                Some(d) => *d,
                None => return false,
            },
            _ => return false,
        };
        dict.items.iter().any(|item| match &item.key {
            Some(key) => {
                string(key).as_deref() == Some("deployment")
                    && matches!(&item.value, Expr::Name(n) if self.deploy_vars.contains(n.id.as_str()))
            }
            None => self.carries_deployment(&item.value, depth + 1),
        })
    }
}

/// The trainer section (`_resolve_trainer_config`) and the keys read from the reference trainer.
fn trainer_model(
    index: &ModuleIndex,
    def: &ast::StmtFunctionDef,
) -> Result<(TrainerModel, Vec<String>), String> {
    let local = local_imports(&def.body, index.package);
    let not_found = || {
        format!("`{TRAINER}` calls no `{MAKE}(CLASS, trainer_data)` (the extractor needs updating)")
    };
    let (class, data) = expressions_in(&def.body, None)
        .into_iter()
        .find_map(|e| match e {
            Expr::Call(c) if callee(c).as_deref() == Some(MAKE) => match &*c.arguments.args {
                [class, Expr::Name(data)] => Some((class, data.id.as_str())),
                _ => None,
            },
            _ => None,
        })
        .ok_or_else(not_found)?;
    let config = index.resolve(class, &local).ok_or_else(|| {
        format!(
            "`{TRAINER}` passes `{}` to `{MAKE}`, which is not an imported class",
            dotted(class).unwrap_or_default()
        )
    })?;
    let stmts = statements(&def.body);
    let (mut model, reference_vars) = trainer_keys(&stmts, data);
    model.config = config;
    let reference = reference_keys(def, &reference_vars);
    Ok((model, reference))
}

/// What the trainer function does with the keys of the section's data `data`: the keys it
/// pops for itself (`x = data.pop("k", ...)`), renames (`data["new"] = data.pop("old")`) or
/// rejects (`if "k" in data: raise`), and the variables made the way `data` was (the
/// reference trainer's data).
fn trainer_keys(stmts: &[&Stmt], data: &str) -> (TrainerModel, BTreeSet<String>) {
    // What made the trainer's data; other variables made the same way hold the reference's.
    let source = stmts.iter().find_map(|s| match s {
        Stmt::Assign(a) if matches!(a.targets.as_slice(), [t] if is_name(t, data)) => {
            match &*a.value {
                Expr::Call(c) => callee(c),
                _ => None,
            }
        }
        _ => None,
    });
    let mut reference_vars = BTreeSet::new();
    let mut model = TrainerModel::default();
    let pop = |e: &Expr| -> Option<String> {
        match e {
            Expr::Call(c) => match &*c.func {
                Expr::Attribute(a) if a.attr.as_str() == "pop" && is_name(&a.value, data) => {
                    string(c.arguments.args.first()?)
                }
                _ => None,
            },
            _ => None,
        }
    };
    let mut taken = BTreeSet::new();
    let mut rejected = BTreeSet::new();
    for stmt in stmts {
        match stmt {
            Stmt::Assign(a) => match a.targets.as_slice() {
                [Expr::Name(target)] if target.id.as_str() != data => {
                    // `x = data.pop("k", ...) or default`: the key is taken for `x`.
                    let mut values = vec![&*a.value];
                    while let Some(v) = values.pop() {
                        match v {
                            Expr::BoolOp(b) => values.extend(b.values.iter()),
                            other => taken.extend(pop(other)),
                        }
                    }
                    if let Expr::Call(c) = &*a.value
                        && source.is_some()
                        && callee(c) == source
                    {
                        reference_vars.insert(target.id.to_string());
                    }
                }
                [Expr::Subscript(s)] if is_name(&s.value, data) => {
                    if let (Some(new), Some(old)) = (string(&s.slice), pop(&a.value)) {
                        model.renamed.insert(old, new);
                    }
                }
                _ => {}
            },
            Stmt::If(s) => {
                if let Expr::Compare(cmp) = &*s.test
                    && let ([ast::CmpOp::In], [m]) = (&*cmp.ops, &*cmp.comparators)
                    && is_name(m, data)
                    && let Some(key) = string(&cmp.left)
                    && raises(&s.body)
                {
                    rejected.insert(key);
                }
            }
            _ => {}
        }
    }
    model.taken = taken.into_iter().collect();
    model.rejected = rejected.into_iter().collect();
    (model, reference_vars)
}

/// The keys read from the reference trainer's data (`ref.get("k")`, `ref["k"]`).
fn reference_keys(def: &ast::StmtFunctionDef, reference_vars: &BTreeSet<String>) -> Vec<String> {
    let mut reference = BTreeSet::new();
    for e in expressions_in(&def.body, None) {
        let key = match e {
            Expr::Call(c) => match &*c.func {
                Expr::Attribute(a)
                    if a.attr.as_str() == "get"
                        && dotted(&a.value).is_some_and(|v| reference_vars.contains(&v)) =>
                {
                    c.arguments.args.first().and_then(string)
                }
                _ => None,
            },
            Expr::Subscript(s)
                if s.ctx == ast::ExprContext::Load
                    && dotted(&s.value).is_some_and(|v| reference_vars.contains(&v)) =>
            {
                string(&s.slice)
            }
            _ => None,
        };
        reference.extend(key);
    }
    reference.into_iter().collect()
}

/// Keys `_make_dataclass_config` rejects for every class: the string sets read by a rejecting
/// helper it calls (one that raises), defined in `provision.py` or imported from the release.
fn rejected_everywhere(
    index: &ModuleIndex,
    make: &ast::StmtFunctionDef,
    module_source: &impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, String> {
    let mut out = BTreeSet::new();
    let mut called = BTreeSet::new();
    for e in expressions_in(&make.body, None) {
        if let Expr::Call(c) = e
            && let Expr::Name(f) = &*c.func
        {
            called.insert(f.id.as_str());
        }
    }
    for f in called {
        if f == MAKE {
            continue;
        }
        if let Some(def) = index.functions.get(f) {
            out.extend(helper_sets(index, def));
            continue;
        }
        let Some(path) = index.imports.get(f) else {
            continue;
        };
        let Some((module, name)) = path.rsplit_once('.') else {
            continue;
        };
        if module.split('.').next() != MODULE.split('.').next() {
            continue;
        }
        let missing =
            || format!("`{MAKE}` calls `{f}` from `{module}`, whose definition was not found");
        let text = module_source(module).ok_or_else(missing)?;
        let parsed =
            ruff_python_parser::parse_module(&text).map_err(|e| format!("{module}: {e}"))?;
        let package = module.rsplit_once('.').map_or("", |(p, _)| p);
        let other = ModuleIndex::new(parsed.suite(), package);
        let def = other.functions.get(name).ok_or_else(missing)?;
        out.extend(helper_sets(&other, def));
    }
    Ok(out.into_iter().collect())
}

/// The strings of the module-level string sets a raising helper reads.
fn helper_sets(index: &ModuleIndex, def: &ast::StmtFunctionDef) -> Vec<String> {
    if !raises(&def.body) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for e in expressions_in(&def.body, None) {
        if let Expr::Name(n) = e
            && seen.insert(n.id.as_str())
            && let Some(keys) = index.assigned(n.id.as_str()).and_then(string_set)
        {
            out.extend(keys);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The helpers every shape has, around a given `_build_recipe_config`.
    fn source(build: &str) -> String {
        format!(
            r#"
from training.utils import ConcurrencyConfig, DeployConfig, TrainerConfig
from training.utils.config import _reject_removed
PROVISION_MODES = ("sft", "rl")
MODE_ALIASES = {{"rft": "rl"}}

def _select_recipe(doc, *, mode, recipe):
    entries = doc.get("recipe")
    return [n for n, cfg in entries.items() if cfg.get("mode") == mode]

{build}

def _resolve_trainer_config(doc, trainer_ref, reference_ref=None, *, default_base_model):
    trainer_data = _resolve_named_section(doc, "trainers", trainer_ref)
    base_model = trainer_data.pop("base_model", None) or default_base_model
    trainer_data.pop("ignored", None)
    if "deployment" in trainer_data:
        raise ValueError("ambiguous")
    if reference_ref is not None:
        reference_data = _resolve_named_section(doc, "trainers", reference_ref)
        trainer_data.setdefault("reference_job_id", reference_data.get("job_id"))
    if "training_job_id" in trainer_data and "job_id" not in trainer_data:
        trainer_data["job_id"] = trainer_data.pop("training_job_id")
    return _make_dataclass_config(TrainerConfig, trainer_data), base_model

def _resolve_deploy_config(doc, ref, *, tokenizer_model):
    return _make_dataclass_config(DeployConfig, _resolve_named_section(doc, "deployments", ref))

def _resolve_concurrency_config(value):
    if value is None:
        return ConcurrencyConfig()
    return _make_dataclass_config(ConcurrencyConfig, value)

def _make_dataclass_config(cls, values):
    _reject_removed(values, config_name=cls.__name__)
    return cls(**values)
"#
        )
    }

    const CONFIG_PY: &str = r#"
_REMOVED = frozenset({"accelerator_type", "accelerator_count"})
def _reject_removed(values, *, config_name):
    removed = sorted(_REMOVED.intersection(values))
    if removed:
        raise TypeError(config_name)
"#;

    fn read(build: &str) -> Result<Provision, String> {
        extract(&source(build), |module| {
            (module == "training.utils.config").then(|| CONFIG_PY.to_string())
        })
    }

    const BUILD_RECIPE: &str = r#"
def _build_recipe_config(doc, *, recipe_name, recipe_cfg, mode):
    merged = _deep_merge(doc.get("common") or {}, recipe_cfg)
    if mode == "rl":
        removed = sorted({"dapo", "policy_loss"}.intersection(merged))
        if removed:
            raise ValueError(removed)
    base_model = _required(merged, "base_model")
    tokenizer_model = merged.get("tokenizer_model")
    trainer, trainer_base_model = _resolve_trainer_config(doc, merged.get("trainer"), default_base_model=base_model)
    deployment = _resolve_deploy_config(doc, merged.get("deployment"), tokenizer_model=tokenizer_model)
    values = {
        **merged,
        "log_path": str(merged.get("log_path") or f"./logs/{recipe_name}"),
        "learning_rate": merged.get("learning_rate", 1e-5),
        "trainer": trainer,
    }
    if mode == "sft":
        from training.recipes import sft_loop

        return _make_dataclass_config(
            sft_loop.Config,
            {**values, "tokenizer_model": _required_value(tokenizer_model, "tokenizer_model")},
        )
    elif mode == "rl":
        from training.recipes import rl_loop

        teacher = _required_value(merged.get("teacher_model"), "teacher_model")
        refs = merged.get("teacher_trainers")
        if not refs:
            raise ValueError("teacher_trainers")
        cfg = _make_dataclass_config(
            rl_loop.Config,
            {
                **values,
                "teacher_model": teacher,
                "deployment": deployment,
                "concurrency": _resolve_concurrency_config(merged.get("concurrency")),
                "kl_beta": merged.get("kl_beta", 0.001),
            },
        )
        check(cfg, reference_configured=merged.get("reference_trainer") is not None, refs=refs)
        return cfg
    else:
        raise ValueError(mode)
"#;

    #[test]
    fn a_branch_with_required_rejected_and_nested_keys() {
        let model = read(BUILD_RECIPE).unwrap();
        assert_eq!(model.modes, ["sft", "rl"]);
        assert_eq!(model.aliases["rft"], "rl");
        assert_eq!(
            model.used,
            [
                "base_model",
                "deployment",
                "mode",
                "tokenizer_model",
                "trainer"
            ]
        );
        assert_eq!(model.required, ["base_model"]);
        let sft = &model.recipes["sft"];
        assert_eq!(sft.config, "training.recipes.sft_loop.Config");
        assert_eq!(sft.required, ["tokenizer_model"]);
        assert!(sft.used.is_empty() && sft.rejected.is_empty() && !sft.deployment);
        let rl = &model.recipes["rl"];
        assert_eq!(rl.config, "training.recipes.rl_loop.Config");
        assert_eq!(rl.rejected, ["dapo", "policy_loss"]);
        assert_eq!(rl.required, ["teacher_model", "teacher_trainers"]);
        // `teacher_model` only reaches the config's dict; the others reach a call of their own.
        assert_eq!(rl.used, ["reference_trainer", "teacher_trainers"]);
        assert_eq!(
            rl.nested,
            [(
                "concurrency".to_string(),
                "training.utils.ConcurrencyConfig".to_string()
            )]
            .into()
        );
        assert!(rl.deployment);
        assert_eq!(model.trainer.config, "training.utils.TrainerConfig");
        assert_eq!(model.trainer.taken, ["base_model"]);
        assert_eq!(model.trainer.rejected, ["deployment"]);
        assert_eq!(model.trainer.renamed["training_job_id"], "job_id");
        assert_eq!(model.reference, ["job_id"]);
        assert_eq!(model.deployment.config, "training.utils.DeployConfig");
        assert_eq!(
            model.rejected_everywhere,
            ["accelerator_count", "accelerator_type"]
        );
    }

    #[test]
    fn a_file_of_another_shape_is_an_error_naming_what_is_missing() {
        let err = extract(
            "PROVISION_MODES = ('sft',)\ndef provision(cfg): ...\n",
            |_| None,
        )
        .unwrap_err();
        assert!(err.contains("`_build_recipe_config`"), "{err}");
        // A mode the modes name but no branch configures.
        let build = BUILD_RECIPE.replace("mode == \"sft\"", "mode == \"dpo\"");
        let err = read(&build).unwrap_err();
        assert!(err.contains("mode `sft`"), "{err}");
        // A rejecting helper that cannot be read.
        let err = extract(&source(BUILD_RECIPE), |_| None).unwrap_err();
        assert!(err.contains("`_reject_removed`"), "{err}");
    }

    #[test]
    fn a_tree_without_provision_py_has_no_model() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(from_tree(dir.path()), Ok(None));
        let path = dir.path().join(PROVISION_PY);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "PROVISION_MODES = ('sft',)\n").unwrap();
        let err = from_tree(dir.path()).unwrap_err();
        assert!(err.starts_with(PROVISION_PY), "{err}");
        fs::create_dir_all(dir.path().join("training/utils")).unwrap();
        fs::write(dir.path().join("training/utils/config.py"), CONFIG_PY).unwrap();
        fs::write(&path, source(BUILD_RECIPE)).unwrap();
        let model = from_tree(dir.path()).unwrap().unwrap();
        assert_eq!(model.rejected_everywhere.len(), 2);
    }

    #[test]
    fn without_a_rejecting_helper_nothing_is_rejected_everywhere() {
        let text = source(BUILD_RECIPE).replace(
            "    _reject_removed(values, config_name=cls.__name__)\n",
            "",
        );
        let model = extract(&text, |_| None).unwrap();
        assert!(model.rejected_everywhere.is_empty());
        // Without `cfg.get("mode")` where the mode is picked, `mode` is not a key of its own.
        let text = text.replace("cfg.get(\"mode\")", "cfg.mode");
        assert!(
            !extract(&text, |_| None)
                .unwrap()
                .used
                .contains(&"mode".to_string())
        );
    }
}
