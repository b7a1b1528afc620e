//! Reading one Python module into a [`Module`] of the API tables.
//!
//! Only what Python binds at import time counts: module-level definitions, imports and
//! assignments, in every branch of `if`/`try` (but not under `if TYPE_CHECKING:`), and for each
//! class its bases, decorators, fields and methods. Nothing is executed; names the source cannot
//! show (a star import from outside the table, a module `__getattr__`) make the module `open`.

use std::collections::BTreeMap;

use fwmigrate_api::tables::{Class, Dataclass, Field, Function, MethodKind, Module, Symbol};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

/// A star import to resolve once every module of the table is read.
#[derive(Debug, Clone)]
pub struct PendingStar {
    pub from: String,
}

/// One module as read from its source.
#[derive(Debug, Default)]
pub struct Extracted {
    pub module: Module,
    pub stars: Vec<PendingStar>,
}

/// Function decorators that change the signature Python reports. Any other decorator is taken to
/// keep it, as `inspect.signature` does when the wrapper carries `__wrapped__`
/// (`functools.wraps`), which is how nearly every decorator is written.
const SIGNATURE_CHANGING_DECORATORS: &[&str] = &[
    "click.command",
    "click.group",
    "click.option",
    "click.argument",
    "command",
    "typer.command",
    "pytest.fixture",
    "fixture",
    "singledispatch",
    "functools.singledispatch",
    "functools.partial",
    "partial",
];

/// Function decorators that keep the signature (they use `functools.wraps` or change nothing).
const TRANSPARENT_FN_DECORATORS: &[&str] = &[
    "abstractmethod",
    "abc.abstractmethod",
    "override",
    "typing.override",
    "typing_extensions.override",
    "final",
    "typing.final",
    "deprecated",
    "typing_extensions.deprecated",
    "warnings.deprecated",
    "contextmanager",
    "contextlib.contextmanager",
    "asynccontextmanager",
    "contextlib.asynccontextmanager",
    "cache",
    "functools.cache",
    "lru_cache",
    "functools.lru_cache",
    "wraps",
    "functools.wraps",
    "no_type_check",
    "typing.no_type_check",
];

/// `module`: the dotted name; `is_package`: an `__init__.py`.
pub fn extract(module: &str, is_package: bool, source: &str) -> Result<Extracted, String> {
    let parsed = ruff_python_parser::parse_module(source).map_err(|e| e.to_string())?;
    let package = if is_package {
        module.to_string()
    } else {
        module.rsplit_once('.').map_or("", |(p, _)| p).to_string()
    };
    let mut reader = Reader {
        module,
        package: &package,
        source,
        out: Extracted::default(),
        getattr: None,
        dicts: BTreeMap::new(),
        collections: BTreeMap::new(),
    };
    reader.body(parsed.suite());
    if let Some(def) = reader.getattr {
        reader.lazy_exports(def);
    }
    Ok(reader.out)
}

struct Reader<'a> {
    module: &'a str,
    package: &'a str,
    source: &'a str,
    out: Extracted,
    /// A module-level `__getattr__` (lazy exports).
    getattr: Option<&'a ast::StmtFunctionDef>,
    /// Module-level dict literals by name (the table a lazy `__getattr__` reads).
    dicts: BTreeMap<String, &'a ast::ExprDict>,
    /// Module-level literal collections of strings by name (a set or list of lazy exports; a
    /// dict's keys).
    collections: BTreeMap<String, Vec<String>>,
}

impl<'a> Reader<'a> {
    fn names(&mut self) -> &mut BTreeMap<String, Symbol> {
        &mut self.out.module.names
    }

    fn body(&mut self, suite: &'a [Stmt]) {
        for stmt in suite {
            self.stmt(stmt);
        }
    }

    /// A module `__getattr__` that ends in `raise AttributeError` serves only the names it
    /// handles: `if name == "X": ...` branches, and the keys of a module-level dict it looks the
    /// name up in (values `("module", "attr")` are re-exports). Any other shape leaves the module
    /// open.
    fn lazy_exports(&mut self, def: &'a ast::StmtFunctionDef) {
        let mut raises_attribute_error = false;
        walk_stmts(&def.body, &mut |stmt| {
            if let Stmt::Raise(r) = stmt
                && r.exc.as_deref().is_some_and(|e| {
                    let e = match e {
                        Expr::Call(c) => &*c.func,
                        other => other,
                    };
                    dotted_text(e).as_deref() == Some("AttributeError")
                })
            {
                raises_attribute_error = true;
            }
        });
        if !raises_attribute_error {
            self.out.module.open = true;
            return;
        }
        let param = def
            .parameters
            .args
            .first()
            .or(def.parameters.posonlyargs.first())
            .map_or("name", |p| p.parameter.name.as_str());
        let mut found: Vec<(String, Symbol)> = Vec::new();
        let mut stack: Vec<&'a Stmt> = def.body.iter().collect();
        while let Some(stmt) = stack.pop() {
            match stmt {
                Stmt::If(if_stmt) => self.lazy_branches(if_stmt, param, &mut found, &mut stack),
                Stmt::Assign(assign) => self.lazy_lookup(assign, &mut found),
                _ => {}
            }
        }
        for (name, symbol) in found {
            self.out.module.names.entry(name).or_insert(symbol);
        }
    }

    /// The branches of an `if` in a module `__getattr__`: `if name == "X": from m import X`,
    /// `if name in _EXPORTS: from pkg import sub`; a test of the name this reading does not
    /// understand makes the module open. The branches' bodies go on `stack`.
    fn lazy_branches(
        &mut self,
        if_stmt: &'a ast::StmtIf,
        param: &str,
        found: &mut Vec<(String, Symbol)>,
        stack: &mut Vec<&'a Stmt>,
    ) {
        let mut clauses = vec![(Some(&*if_stmt.test), &if_stmt.body)];
        for c in &if_stmt.elif_else_clauses {
            clauses.push((c.test.as_ref(), &c.body));
        }
        for (test, body) in clauses {
            if let Some(Expr::Compare(cmp)) = test
                && let [Expr::StringLiteral(s)] = &*cmp.comparators
            {
                let name = s.value.to_str().to_string();
                let symbol = body
                    .iter()
                    .find_map(|b| match b {
                        Stmt::ImportFrom(i) if i.level == 0 => {
                            let m = i.module.as_ref()?.as_str();
                            i.names
                                .iter()
                                .find(|a| a.asname.as_ref().unwrap_or(&a.name).as_str() == name)
                                .map(|a| Symbol::Ref {
                                    to: join(m, a.name.as_str()),
                                })
                        }
                        _ => None,
                    })
                    .unwrap_or(Symbol::Value { ty: None });
                found.push((name, symbol));
            } else if let Some(Expr::Compare(cmp)) = test
                && matches!(&*cmp.ops, [ast::CmpOp::In])
                && let [Expr::Name(collection)] = &*cmp.comparators
                && let Some(names) = self.collections.get(collection.id.as_str())
            {
                // `if name in _EXPORTS: from pkg import sub; return getattr(sub, name)`
                let from = body.iter().find_map(|b| match b {
                    Stmt::ImportFrom(i) if i.level == 0 && i.names.len() == 1 => {
                        Some(join(i.module.as_ref()?.as_str(), i.names[0].name.as_str()))
                    }
                    _ => None,
                });
                for name in names {
                    let symbol = match &from {
                        Some(m) => Symbol::Ref { to: join(m, name) },
                        None => Symbol::Value { ty: None },
                    };
                    found.push((name.clone(), symbol));
                }
            } else if let Some(test) = test
                && mentions(test, param)
            {
                // A test of the name this reading does not understand: any name may
                // exist.
                self.out.module.open = true;
            }
            stack.extend(body.iter());
        }
    }

    /// `target = _EXPORTS.get(name)` / `_EXPORTS[name]` in a module `__getattr__`: the names
    /// of the dictionary `_EXPORTS` and where each comes from.
    fn lazy_lookup(&self, assign: &ast::StmtAssign, found: &mut Vec<(String, Symbol)>) {
        // `target = _EXPORTS.get(name)` / `_EXPORTS[name]`
        let dict = match &*assign.value {
            Expr::Call(call) => match &*call.func {
                Expr::Attribute(a) if a.attr.as_str() == "get" => dotted_text(&a.value),
                _ => None,
            },
            Expr::Subscript(sub) => dotted_text(&sub.value),
            _ => None,
        };
        if let Some(dict) = dict.and_then(|d| self.dicts.get(&d).copied()) {
            for item in &dict.items {
                let Some(Expr::StringLiteral(key)) = &item.key else {
                    continue;
                };
                let symbol = match &item.value {
                    Expr::Tuple(t) => match t.elts.as_slice() {
                        [Expr::StringLiteral(m), Expr::StringLiteral(a)] => Symbol::Ref {
                            to: join(m.value.to_str(), a.value.to_str()),
                        },
                        _ => Symbol::Value { ty: None },
                    },
                    // `{"Name": "submodule"}` read as
                    // `getattr(import_module(f"{__name__}.{submodule}"), name)`.
                    Expr::StringLiteral(m) => {
                        let m = m.value.to_str();
                        let module = if m.contains('.') {
                            m.to_string()
                        } else {
                            join(self.module, m)
                        };
                        Symbol::Ref {
                            to: join(&module, key.value.to_str()),
                        }
                    }
                    _ => Symbol::Value { ty: None },
                };
                found.push((key.value.to_str().to_string(), symbol));
            }
        }
    }

    fn stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => self.import(import),
            Stmt::ImportFrom(import) => self.import_from(import),
            Stmt::FunctionDef(def) => {
                let name = def.name.to_string();
                if name == "__getattr__" {
                    self.getattr = Some(def);
                    return;
                }
                if is_overload(def) {
                    return;
                }
                let function = self.function(def);
                self.names().insert(name, Symbol::Function(function));
            }
            Stmt::ClassDef(class) => {
                let symbol = Symbol::Class(self.class(class));
                self.names().insert(class.name.to_string(), symbol);
            }
            Stmt::Assign(assign) => self.assign(assign),
            Stmt::AnnAssign(assign) => self.ann_assign(assign),
            Stmt::AugAssign(assign) => {
                if let Expr::Name(target) = &*assign.target
                    && target.id.as_str() == "__all__"
                    && let Some(more) = string_list(&assign.value)
                {
                    self.out
                        .module
                        .all
                        .get_or_insert_with(Vec::new)
                        .extend(more);
                }
            }
            Stmt::Expr(expr) => {
                // `__all__.extend([...])` / `__all__.append("x")`
                if let Expr::Call(call) = &*expr.value
                    && let Expr::Attribute(attr) = &*call.func
                    && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == "__all__")
                {
                    let all = self.out.module.all.get_or_insert_with(Vec::new);
                    for arg in &call.arguments.args {
                        match arg {
                            Expr::StringLiteral(s) => all.push(s.value.to_str().to_string()),
                            other => all.extend(string_list(other).unwrap_or_default()),
                        }
                    }
                }
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    if let Expr::Name(name) = target {
                        self.names().remove(name.id.as_str());
                    }
                }
            }
            Stmt::If(if_stmt) => {
                if !is_type_checking(&if_stmt.test) {
                    self.body(&if_stmt.body);
                }
                for clause in &if_stmt.elif_else_clauses {
                    self.body(&clause.body);
                }
            }
            Stmt::Try(try_stmt) => {
                // The fallback in `except ImportError:` runs only when the body fails: what the
                // body binds is what Python has when it succeeds.
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.body(&handler.body);
                }
                self.body(&try_stmt.body);
                self.body(&try_stmt.orelse);
                self.body(&try_stmt.finalbody);
            }
            Stmt::With(with) => self.body(&with.body),
            Stmt::For(for_stmt) => {
                self.bind_target(&for_stmt.target, &Symbol::Value { ty: None });
                self.body(&for_stmt.body);
                self.body(&for_stmt.orelse);
            }
            Stmt::While(while_stmt) => {
                self.body(&while_stmt.body);
                self.body(&while_stmt.orelse);
            }
            _ => {}
        }
    }

    /// Bind the names of `import a.b` (`a`) and `import a.b as c` (`c`).
    fn import(&mut self, import: &ast::StmtImport) {
        for alias in &import.names {
            let full = alias.name.as_str();
            let (local, to) = match &alias.asname {
                Some(asname) => (asname.as_str().to_string(), full.to_string()),
                None => {
                    let first = full.split('.').next().unwrap_or(full);
                    (first.to_string(), first.to_string())
                }
            };
            self.names().insert(local, Symbol::Ref { to });
        }
    }

    /// Bind the names of `from m import x`; a star import waits for `m`'s names.
    fn import_from(&mut self, import: &ast::StmtImportFrom) {
        let Some(from) = self.absolute(import) else {
            return;
        };
        for alias in &import.names {
            if alias.name.as_str() == "*" {
                self.out.stars.push(PendingStar { from: from.clone() });
                continue;
            }
            let local = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
            let to = join(&from, alias.name.as_str());
            self.names().insert(local, Symbol::Ref { to });
        }
    }

    /// An assignment: `__all__`, a dictionary or a collection of strings (read by a lazy `__getattr__`), or a bound value.
    fn assign(&mut self, assign: &'a ast::StmtAssign) {
        if let [Expr::Name(target)] = assign.targets.as_slice()
            && target.id.as_str() == "__all__"
        {
            self.out.module.all = string_list(&assign.value);
            return;
        }
        if let ([Expr::Name(target)], Expr::Dict(dict)) =
            (assign.targets.as_slice(), &*assign.value)
        {
            self.dicts.insert(target.id.to_string(), dict);
        }
        if let [Expr::Name(target)] = assign.targets.as_slice()
            && let Some(names) = string_collection(&assign.value)
        {
            self.collections.insert(target.id.to_string(), names);
        }
        let value = self.value_symbol(&assign.value, None);
        for target in &assign.targets {
            self.bind_target(target, &value);
        }
    }

    /// An annotated assignment: `__all__`, a dictionary, or a value of the annotated type.
    fn ann_assign(&mut self, assign: &'a ast::StmtAnnAssign) {
        if let Some(value) = &assign.value {
            if let Expr::Name(target) = &*assign.target
                && target.id.as_str() == "__all__"
            {
                self.out.module.all = string_list(value);
                return;
            }
            if let (Expr::Name(target), Expr::Dict(dict)) = (&*assign.target, &**value) {
                self.dicts.insert(target.id.to_string(), dict);
            }
            let ty = self.text(&assign.annotation);
            let symbol = self.value_symbol(value, Some(ty));
            self.bind_target(&assign.target, &symbol);
        }
    }

    /// The absolute module of a `from ... import`, or `None` for a relative import above the root.
    fn absolute(&self, import: &ast::StmtImportFrom) -> Option<String> {
        let module = import.module.as_ref().map(|m| m.as_str());
        if import.level == 0 {
            return module.map(str::to_string);
        }
        let mut base = self.package.to_string();
        for _ in 1..import.level {
            base = base.rsplit_once('.')?.0.to_string();
        }
        Some(match module {
            Some(m) => join(&base, m),
            None => base,
        })
    }

    fn bind_target(&mut self, target: &Expr, symbol: &Symbol) {
        match target {
            Expr::Name(name) => {
                self.names().insert(name.id.to_string(), symbol.clone());
            }
            Expr::Tuple(tuple) => {
                for elt in &tuple.elts {
                    self.bind_target(elt, &Symbol::Value { ty: None });
                }
            }
            Expr::List(list) => {
                for elt in &list.elts {
                    self.bind_target(elt, &Symbol::Value { ty: None });
                }
            }
            Expr::Starred(starred) => self.bind_target(&starred.value, &Symbol::Value { ty: None }),
            _ => {}
        }
    }

    /// `X = Y` keeps `X` an alias of what `Y` is (a function renamed for compatibility).
    fn value_symbol(&self, value: &Expr, ty: Option<String>) -> Symbol {
        if ty.is_none()
            && let Some(dotted) = self.dotted(value)
        {
            return Symbol::Ref { to: dotted };
        }
        Symbol::Value { ty }
    }

    /// A dotted name in this module's terms: a local definition or what an import stands for.
    fn dotted(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => {
                let id = name.id.as_str();
                Some(match self.out.module.names.get(id) {
                    Some(Symbol::Ref { to }) | Some(Symbol::Module { to }) => to.clone(),
                    Some(_) => join(self.module, id),
                    None if is_builtin(id) => format!("builtins.{id}"),
                    None => return None,
                })
            }
            Expr::Attribute(attr) => Some(join(&self.dotted(&attr.value)?, attr.attr.as_str())),
            Expr::Subscript(sub) => self.dotted(&sub.value),
            Expr::Call(_) => None,
            _ => None,
        }
    }

    fn text(&self, expr: &Expr) -> String {
        let text = &self.source[expr.range()];
        text.trim_matches(|c| c == '"' || c == '\'').to_string()
    }

    fn function(&self, def: &ast::StmtFunctionDef) -> Function {
        let decorators: Vec<String> = def
            .decorator_list
            .iter()
            .map(|d| self.decorator_name(&d.expression))
            .collect();
        let transparent = decorators.iter().all(|d| {
            TRANSPARENT_FN_DECORATORS.contains(&d.as_str())
                || !SIGNATURE_CHANGING_DECORATORS.contains(&d.as_str())
        });
        Function {
            sig: transparent.then(|| signature(&def.parameters)),
            ret: def.returns.as_deref().map(|r| self.text(r)),
            kind: None,
        }
    }

    /// A decorator's dotted name as written (`functools.lru_cache` for `@functools.lru_cache(8)`).
    fn decorator_name(&self, expr: &Expr) -> String {
        let expr = match expr {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        dotted_text(expr).unwrap_or_else(|| self.text(expr))
    }

    fn class(&self, def: &ast::StmtClassDef) -> Class {
        let mut class = Class::default();
        if let Some(arguments) = &def.arguments {
            for base in &arguments.args {
                match self.dotted(base) {
                    Some(dotted) => class.bases.push(dotted),
                    None => class.open = true,
                }
            }
            for keyword in &arguments.keywords {
                if keyword
                    .arg
                    .as_ref()
                    .is_some_and(|a| a.as_str() == "metaclass")
                {
                    let meta = self.dotted(&keyword.value).unwrap_or_default();
                    if !meta.ends_with("ABCMeta") {
                        class.open = true;
                    }
                }
            }
        }
        for decorator in &def.decorator_list {
            let name = self.decorator_name(&decorator.expression);
            if name == "dataclass" || name.ends_with(".dataclass") {
                let mut dc = Dataclass::default();
                if let Expr::Call(call) = &decorator.expression {
                    for keyword in &call.arguments.keywords {
                        let is_true = matches!(&keyword.value, Expr::BooleanLiteral(b) if b.value);
                        let is_false =
                            matches!(&keyword.value, Expr::BooleanLiteral(b) if !b.value);
                        match keyword.arg.as_ref().map(|a| a.as_str()) {
                            Some("kw_only") if is_true => dc.kw_only = true,
                            Some("init") if is_false => dc.no_init = true,
                            _ => {}
                        }
                    }
                }
                class.dataclass = Some(dc);
            }
        }
        let mut kw_only_marker = false;
        for stmt in &def.body {
            self.class_stmt(stmt, &mut class, &mut kw_only_marker);
        }
        class
    }

    fn class_stmt(&self, stmt: &Stmt, class: &mut Class, kw_only_marker: &mut bool) {
        match stmt {
            Stmt::FunctionDef(def) => self.class_method(def, class),
            Stmt::AnnAssign(assign) => self.class_field(assign, class, kw_only_marker),
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    if let Expr::Name(name) = target {
                        class.attrs.push(name.id.to_string());
                        if name.id.as_str() == "model_config" {
                            class.extra = extra_setting(&assign.value).or(class.extra.take());
                        }
                    }
                }
            }
            Stmt::ClassDef(nested) => {
                class.attrs.push(nested.name.to_string());
                // pydantic v1 style: `class Config: extra = "forbid"`
                if nested.name.as_str() == "Config" {
                    for s in &nested.body {
                        if let Stmt::Assign(a) = s
                            && let [Expr::Name(n)] = a.targets.as_slice()
                            && n.id.as_str() == "extra"
                        {
                            class.extra = setting_value(&a.value);
                        }
                    }
                }
            }
            Stmt::If(if_stmt) => {
                if !is_type_checking(&if_stmt.test) {
                    for s in &if_stmt.body {
                        self.class_stmt(s, class, kw_only_marker);
                    }
                }
                for clause in &if_stmt.elif_else_clauses {
                    for s in &clause.body {
                        self.class_stmt(s, class, kw_only_marker);
                    }
                }
            }
            Stmt::Try(try_stmt) => {
                for s in try_stmt.body.iter().chain(&try_stmt.orelse) {
                    self.class_stmt(s, class, kw_only_marker);
                }
            }
            _ => {}
        }
    }

    /// A method of the class: its signature (unless a decorator changes it) and kind, and the
    /// attributes it assigns on its instance.
    fn class_method(&self, def: &ast::StmtFunctionDef, class: &mut Class) {
        let name = def.name.to_string();
        if name == "__getattr__" || name == "__getattribute__" {
            class.open = true;
        }
        if is_overload(def) {
            return;
        }
        let decorators: Vec<String> = def
            .decorator_list
            .iter()
            .map(|d| self.decorator_name(&d.expression))
            .collect();
        // `@x.setter` / `@x.deleter` belong to the property already recorded.
        if decorators
            .iter()
            .any(|d| d.ends_with(".setter") || d.ends_with(".deleter"))
        {
            return;
        }
        let mut kind = None;
        let mut transparent = true;
        for d in &decorators {
            match d.as_str() {
                "staticmethod" => kind = Some(MethodKind::Staticmethod),
                "classmethod" => kind = Some(MethodKind::Classmethod),
                "property" | "functools.cached_property" | "cached_property" => {
                    kind = Some(MethodKind::Property)
                }
                other if SIGNATURE_CHANGING_DECORATORS.contains(&other) => transparent = false,
                _ => {}
            }
        }
        if kind.is_none()
            && let Some(first) = def
                .parameters
                .args
                .first()
                .or(def.parameters.posonlyargs.first())
        {
            instance_attrs(&def.body, first.parameter.name.as_str(), &mut class.attrs);
        }
        let function = Function {
            sig: transparent.then(|| signature(&def.parameters)),
            ret: def.returns.as_deref().map(|r| self.text(r)),
            kind,
        };
        class.methods.insert(name, function);
    }

    /// An annotated class attribute: a field (dataclass or pydantic), a `ClassVar`, or the
    /// `KW_ONLY` marker that makes the fields after it keyword-only.
    fn class_field(
        &self,
        assign: &ast::StmtAnnAssign,
        class: &mut Class,
        kw_only_marker: &mut bool,
    ) {
        let Expr::Name(target) = &*assign.target else {
            return;
        };
        let ty = self.text(&assign.annotation);
        if ty == "KW_ONLY" || ty.ends_with(".KW_ONLY") {
            *kw_only_marker = true;
            return;
        }
        if ty.starts_with("ClassVar") || ty.contains(".ClassVar") {
            class.attrs.push(target.id.to_string());
            return;
        }
        let mut field = Field {
            name: target.id.to_string(),
            default: assign.value.is_some(),
            no_init: false,
            kw_only: *kw_only_marker,
            alias: None,
            ty: Some(ty),
        };
        if let Some(Expr::Call(call)) = assign.value.as_deref() {
            let callee = dotted_text(&call.func).unwrap_or_default();
            if callee == "field" || callee.ends_with(".field") {
                field.default = call.arguments.keywords.iter().any(|k| {
                    matches!(
                        k.arg.as_ref().map(|a| a.as_str()),
                        Some("default" | "default_factory")
                    )
                });
                apply_field_flags(&mut field, &call.arguments.keywords);
            } else if callee == "Field" || callee.ends_with(".Field") {
                // pydantic: `Field(...)`/`Field()` without a default is required.
                let positional_default = call
                    .arguments
                    .args
                    .first()
                    .is_some_and(|a| !matches!(a, Expr::EllipsisLiteral(_)));
                field.default = positional_default
                    || call.arguments.keywords.iter().any(|k| {
                        matches!(
                            k.arg.as_ref().map(|a| a.as_str()),
                            Some("default" | "default_factory")
                        )
                    });
                for k in call.arguments.keywords.iter() {
                    if k.arg.as_ref().is_some_and(|a| a.as_str() == "alias")
                        && let Expr::StringLiteral(s) = &k.value
                    {
                        field.alias = Some(s.value.to_str().to_string());
                    }
                }
            }
        }
        class.fields.push(field);
    }
}

/// Attributes a method assigns on its instance (`self.x = ...`), in every nested block.
fn instance_attrs(body: &[Stmt], this: &str, out: &mut Vec<String>) {
    use ruff_python_ast::visitor::{self, Visitor};
    struct V<'a> {
        this: &'a str,
        out: &'a mut Vec<String>,
    }
    impl<'b> Visitor<'b> for V<'_> {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            let targets: Vec<&Expr> = match stmt {
                Stmt::Assign(a) => a.targets.iter().collect(),
                Stmt::AnnAssign(a) => vec![&*a.target],
                Stmt::AugAssign(a) => vec![&*a.target],
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                _ => Vec::new(),
            };
            for t in targets {
                let mut stack = vec![t];
                while let Some(t) = stack.pop() {
                    match t {
                        Expr::Attribute(attr) if matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == self.this) =>
                        {
                            let name = attr.attr.to_string();
                            if !self.out.contains(&name) {
                                self.out.push(name);
                            }
                        }
                        Expr::Tuple(t) => stack.extend(t.elts.iter()),
                        Expr::List(l) => stack.extend(l.elts.iter()),
                        _ => {}
                    }
                }
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    let mut v = V { this, out };
    v.visit_body(body);
}

/// Every statement below `body`, nested blocks included (not nested functions or classes).
fn walk_stmts<'a>(body: &'a [Stmt], f: &mut impl FnMut(&'a Stmt)) {
    for stmt in body {
        f(stmt);
        match stmt {
            Stmt::If(s) => {
                walk_stmts(&s.body, f);
                for c in &s.elif_else_clauses {
                    walk_stmts(&c.body, f);
                }
            }
            Stmt::Try(s) => {
                walk_stmts(&s.body, f);
                for h in &s.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    walk_stmts(&h.body, f);
                }
                walk_stmts(&s.orelse, f);
                walk_stmts(&s.finalbody, f);
            }
            Stmt::With(s) => walk_stmts(&s.body, f),
            Stmt::For(s) => walk_stmts(&s.body, f),
            Stmt::While(s) => walk_stmts(&s.body, f),
            _ => {}
        }
    }
}

/// `extra` of a pydantic `model_config = ConfigDict(extra="forbid")` or `{"extra": "forbid"}`.
fn extra_setting(value: &Expr) -> Option<String> {
    match value {
        Expr::Call(call) => call
            .arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "extra"))
            .and_then(|k| setting_value(&k.value)),
        Expr::Dict(dict) => dict.items.iter().find_map(|item| match &item.key {
            Some(Expr::StringLiteral(k)) if k.value.to_str() == "extra" => {
                setting_value(&item.value)
            }
            _ => None,
        }),
        _ => None,
    }
}

/// `"forbid"` or `Extra.forbid`.
fn setting_value(value: &Expr) -> Option<String> {
    match value {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::Attribute(a) => Some(a.attr.to_string()),
        _ => None,
    }
}

fn apply_field_flags(field: &mut Field, keywords: &[ast::Keyword]) {
    for k in keywords {
        let is_false = matches!(&k.value, Expr::BooleanLiteral(b) if !b.value);
        let is_true = matches!(&k.value, Expr::BooleanLiteral(b) if b.value);
        match k.arg.as_ref().map(|a| a.as_str()) {
            Some("init") if is_false => field.no_init = true,
            Some("kw_only") if is_true => field.kw_only = true,
            _ => {}
        }
    }
}

fn is_overload(def: &ast::StmtFunctionDef) -> bool {
    def.decorator_list.iter().any(|d| {
        dotted_text(&d.expression).is_some_and(|n| n == "overload" || n.ends_with(".overload"))
    })
}

fn is_type_checking(test: &Expr) -> bool {
    dotted_text(test).is_some_and(|t| t == "TYPE_CHECKING" || t.ends_with(".TYPE_CHECKING"))
}

fn dotted_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attr) => Some(join(&dotted_text(&attr.value)?, attr.attr.as_str())),
        _ => None,
    }
}

/// Whether `expr` reads the variable `name`.
fn mentions(expr: &Expr, name: &str) -> bool {
    use ruff_python_ast::visitor::{self, Visitor};
    struct V<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'b> Visitor<'b> for V<'_> {
        fn visit_expr(&mut self, expr: &'b Expr) {
            if let Expr::Name(n) = expr
                && n.id.as_str() == self.name
            {
                self.found = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut v = V { name, found: false };
    v.visit_expr(expr);
    v.found
}

/// The strings of a literal set, list, tuple or `frozenset({...})`, or a dict's string keys.
fn string_collection(expr: &Expr) -> Option<Vec<String>> {
    let elts: Vec<&Expr> = match expr {
        Expr::Set(s) => s.elts.iter().collect(),
        Expr::List(l) => l.elts.iter().collect(),
        Expr::Tuple(t) => t.elts.iter().collect(),
        Expr::Dict(d) => d.items.iter().filter_map(|i| i.key.as_ref()).collect(),
        Expr::Call(c) if dotted_text(&c.func).as_deref() == Some("frozenset") => {
            return string_collection(c.arguments.args.first()?);
        }
        _ => return None,
    };
    elts.iter()
        .map(|e| match e {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
            _ => None,
        })
        .collect()
}

/// The strings of a literal list or tuple (`__all__`).
fn string_list(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::List(_) | Expr::Tuple(_) => string_collection(expr),
        _ => None,
    }
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else {
        format!("{base}.{name}")
    }
}

fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "object"
            | "Exception"
            | "BaseException"
            | "ValueError"
            | "TypeError"
            | "RuntimeError"
            | "KeyError"
            | "IndexError"
            | "AttributeError"
            | "NotImplementedError"
            | "TimeoutError"
            | "OSError"
            | "IOError"
            | "ConnectionError"
            | "LookupError"
            | "ImportError"
            | "dict"
            | "list"
            | "tuple"
            | "set"
            | "str"
            | "int"
            | "float"
            | "bool"
            | "bytes"
    )
}

/// The compact signature text (see `fwmigrate_api::tables`).
pub fn signature(parameters: &ast::Parameters) -> String {
    let mut parts: Vec<String> = Vec::new();
    let with_default = |p: &ast::ParameterWithDefault| {
        format!(
            "{}{}",
            p.parameter.name.as_str(),
            if p.default.is_some() { "=" } else { "" }
        )
    };
    for p in &parameters.posonlyargs {
        parts.push(with_default(p));
    }
    if !parameters.posonlyargs.is_empty() {
        parts.push("/".to_string());
    }
    for p in &parameters.args {
        parts.push(with_default(p));
    }
    match &parameters.vararg {
        Some(v) => parts.push(format!("*{}", v.name.as_str())),
        None if !parameters.kwonlyargs.is_empty() => parts.push("*".to_string()),
        None => {}
    }
    for p in &parameters.kwonlyargs {
        parts.push(with_default(p));
    }
    if let Some(k) = &parameters.kwarg {
        parts.push(format!("**{}", k.name.as_str()));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(src: &str) -> Extracted {
        extract("pkg.mod", false, src).unwrap()
    }

    #[test]
    fn reads_definitions_imports_and_all() {
        let out = module(
            "from typing import TYPE_CHECKING\nfrom .config import DeployConfig as DC\nfrom . import rl\nimport os.path\nif TYPE_CHECKING:\n    from x import Hidden\n__all__ = ['DC']\ndef f(a, b=1, *args, c, d=2, **kw) -> 'Svc': ...\nclass K(DC):\n    x: int = 1\n    def m(self, y): ...\nalias = f\ndel rl\n",
        );
        let names = &out.module.names;
        assert_eq!(
            names["DC"],
            Symbol::Ref {
                to: "pkg.config.DeployConfig".into()
            }
        );
        assert!(!names.contains_key("rl"));
        assert_eq!(names["os"], Symbol::Ref { to: "os".into() });
        assert!(!names.contains_key("Hidden"));
        assert_eq!(out.module.all.as_deref(), Some(&["DC".to_string()][..]));
        let Symbol::Function(f) = &names["f"] else {
            panic!()
        };
        assert_eq!(f.sig.as_deref(), Some("a, b=, *args, c, d=, **kw"));
        assert_eq!(f.ret.as_deref(), Some("Svc"));
        let Symbol::Class(k) = &names["K"] else {
            panic!()
        };
        assert_eq!(k.bases, vec!["pkg.config.DeployConfig".to_string()]);
        assert_eq!(k.fields[0].name, "x");
        assert_eq!(k.methods["m"].sig.as_deref(), Some("self, y"));
        assert_eq!(
            names["alias"],
            Symbol::Ref {
                to: "pkg.mod.f".into()
            }
        );
    }

    #[test]
    fn dataclass_fields_and_unknown_decorators() {
        let out = module(
            "from dataclasses import dataclass, field, KW_ONLY\n@dataclass(kw_only=True)\nclass C:\n    a: int\n    b: list = field(default_factory=list)\n    c: int = field(init=False)\n    _: KW_ONLY\n    d: int = 0\n@retry(3)\ndef g(x): ...\n@click.command()\ndef h(x): ...\nclass P(BaseModel):\n    a: int = Field(...)\n    b: int = Field(1, alias='bee')\n",
        );
        let Symbol::Class(c) = &out.module.names["C"] else {
            panic!()
        };
        assert!(c.dataclass.unwrap().kw_only);
        assert!(!c.fields[0].default);
        assert!(c.fields[1].default);
        assert!(c.fields[2].no_init);
        assert!(c.fields[3].kw_only);
        // A decorator keeps the signature (as `inspect.signature` sees it through
        // `__wrapped__`) unless it is known to change it.
        let Symbol::Function(g) = &out.module.names["g"] else {
            panic!()
        };
        assert_eq!(g.sig.as_deref(), Some("x"));
        let Symbol::Function(h) = &out.module.names["h"] else {
            panic!()
        };
        assert_eq!(h.sig, None);
        let Symbol::Class(p) = &out.module.names["P"] else {
            panic!()
        };
        assert!(p.open, "an unresolved base leaves the class open");
        assert!(!p.fields[0].default);
        assert!(p.fields[1].default);
        assert_eq!(p.fields[1].alias.as_deref(), Some("bee"));
    }

    #[test]
    fn relative_imports_in_packages() {
        let out = extract("a.b", true, "from .c import d\nfrom .. import e\n").unwrap();
        assert_eq!(
            out.module.names["d"],
            Symbol::Ref {
                to: "a.b.c.d".into()
            }
        );
        assert_eq!(out.module.names["e"], Symbol::Ref { to: "a.e".into() });
    }
}
