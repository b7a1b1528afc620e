//! Which tabled class a receiver is an instance of (see FW602 in `docs/rules/`: receivers with a known
//! type).
//!
//! A name has a known type when every assignment to it in its scope is a call of a tabled class
//! or of a tabled function or method whose return annotation names one, when it is a parameter
//! annotated with a tabled class, or (for `self.x`) when every `self.x = ...` in its class is such
//! a call. Anything else (the user's own classes, a value from elsewhere, two assignments that
//! disagree) has no known type, and the rules that need one stay silent.

use std::collections::HashMap;

use fwmigrate_api::index::{ApiView, ClassRef, Resolved};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{TextRange, TextSize};

use crate::Semantic;

/// What was bound to a name or attribute.
#[derive(Debug, Clone, Copy)]
enum Bound<'a> {
    Value(&'a Expr),
    Annotation(&'a Expr),
    Unknown,
}

#[derive(Debug)]
struct FunctionInfo<'a> {
    range: TextRange,
    def: &'a ast::StmtFunctionDef,
    /// The class whose body defines this function directly.
    class: Option<TextRange>,
}

/// The assignments of one file, for type questions about receivers.
pub struct TypeIndex<'a> {
    /// name → (innermost function scope, what was bound).
    names: HashMap<&'a str, Vec<(Option<TextRange>, Bound<'a>)>>,
    /// (class, attribute) → what `self.attribute = ...` bound in that class's methods.
    attrs: HashMap<TextRange, HashMap<&'a str, Vec<Bound<'a>>>>,
    functions: Vec<FunctionInfo<'a>>,
}

impl<'a> TypeIndex<'a> {
    pub fn new(suite: &'a [Stmt]) -> Self {
        let mut builder = Builder {
            index: TypeIndex {
                names: HashMap::new(),
                attrs: HashMap::new(),
                functions: Vec::new(),
            },
            functions: Vec::new(),
            classes: Vec::new(),
        };
        builder.visit_body(suite);
        builder.index
    }

    fn innermost_function(&self, offset: TextSize) -> Option<&FunctionInfo<'a>> {
        self.functions
            .iter()
            .filter(|f| f.range.contains(offset))
            .min_by_key(|f| f.range.len())
    }

    /// The class of `expr`'s value at its position, if the tables know it.
    pub fn class_of(
        &self,
        expr: &Expr,
        semantic: &Semantic,
        view: &ApiView,
    ) -> Option<ClassRef<'static>> {
        self.class_of_depth(expr, semantic, view, 0)
    }

    fn class_of_depth(
        &self,
        expr: &Expr,
        semantic: &Semantic,
        view: &ApiView,
        depth: usize,
    ) -> Option<ClassRef<'static>> {
        if depth > 8 {
            return None;
        }
        match expr {
            Expr::Call(call) => {
                let resolved = self.callee(&call.func, semantic, view, depth)?;
                view.returned_class(&resolved)
            }
            Expr::Name(name) => self.name_class(name, semantic, view, depth),
            Expr::Attribute(attr) => {
                if let Some(bound) = self.self_attribute(attr) {
                    return self.agree(bound, semantic, view, depth);
                }
                // An attribute of an instance of a tabled class, by its annotation.
                let owner = self.class_of_depth(&attr.value, semantic, view, depth + 1)?;
                view.attribute_class(owner, attr.attr.as_str())
            }
            _ => None,
        }
    }

    /// What `self.x = ...` bound in the class of the method `self.x` is read in.
    fn self_attribute(&self, attr: &ast::ExprAttribute) -> Option<&Vec<Bound<'a>>> {
        let Expr::Name(this) = &*attr.value else {
            return None;
        };
        let function = self.innermost_function(attr.range.start())?;
        let class = function.class?;
        let first = first_param(function.def)?;
        if first != this.id.as_str() || is_static_or_class(function.def) {
            return None;
        }
        self.attrs.get(&class)?.get(attr.attr.as_str())
    }

    fn name_class(
        &self,
        name: &ast::ExprName,
        semantic: &Semantic,
        view: &ApiView,
        depth: usize,
    ) -> Option<ClassRef<'static>> {
        let id = name.id.as_str();
        let offset = name.range.start();
        let all = self.names.get(id);
        // Innermost scope first: its parameters and assignments decide.
        let mut scope = self.innermost_function(offset);
        loop {
            let range = scope.map(|f| f.range);
            let here: Vec<Bound<'a>> = all
                .map(|v| {
                    v.iter()
                        .filter(|(s, _)| *s == range)
                        .map(|(_, b)| *b)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(f) = scope
                && let Some(param) = find_param(f.def, id)
            {
                if !here.is_empty() {
                    return None;
                }
                let annotation = param.annotation.as_deref()?;
                return annotation_class(annotation, semantic, view);
            }
            if !here.is_empty() {
                return self.agree(&here, semantic, view, depth);
            }
            let f = scope?;
            scope = self
                .functions
                .iter()
                .filter(|o| o.range.contains_range(f.range) && o.range != f.range)
                .min_by_key(|o| o.range.len());
            if scope.is_none() {
                // Module level.
                let module: Vec<Bound<'a>> = all
                    .map(|v| {
                        v.iter()
                            .filter(|(s, _)| s.is_none())
                            .map(|(_, b)| *b)
                            .collect()
                    })
                    .unwrap_or_default();
                if module.is_empty() {
                    return None;
                }
                return self.agree(&module, semantic, view, depth);
            }
        }
    }

    /// The one class every binding gives, or `None`.
    fn agree(
        &self,
        bound: &[Bound<'a>],
        semantic: &Semantic,
        view: &ApiView,
        depth: usize,
    ) -> Option<ClassRef<'static>> {
        let mut found: Option<ClassRef<'static>> = None;
        for b in bound {
            let class = match b {
                Bound::Value(value) => self.class_of_depth(value, semantic, view, depth + 1)?,
                Bound::Annotation(annotation) => annotation_class(annotation, semantic, view)?,
                Bound::Unknown => return None,
            };
            match found {
                Some(f) if !std::ptr::eq(f.class, class.class) => return None,
                _ => found = Some(class),
            }
        }
        found
    }

    /// What a callee is: a resolved dotted name, or a method of a receiver of known class.
    pub fn callee(
        &self,
        func: &Expr,
        semantic: &Semantic,
        view: &ApiView,
        depth: usize,
    ) -> Option<Resolved<'static>> {
        if let Some(path) = table_path(semantic, func) {
            return Some(view.resolve(&path));
        }
        let Expr::Attribute(attr) = func else {
            return None;
        };
        let class = self.class_of_depth(&attr.value, semantic, view, depth + 1)?;
        Some(view.resolve(&format!("{}.{}", class.path(), attr.attr.as_str())))
    }
}

/// The dotted name an expression stands for, in the tables' terms: a cookbook root (`training`,
/// `training_cookbook`, a configured vendored copy) is written as `training`.
pub fn table_path(semantic: &Semantic, expr: &Expr) -> Option<String> {
    let qualified = semantic.qualified_name(expr)?;
    Some(to_table_path(semantic, &qualified))
}

/// A dotted name with its cookbook root written as `training`.
pub fn to_table_path(semantic: &Semantic, qualified: &str) -> String {
    for root in semantic.roots() {
        if let Some(rest) = qualified.strip_prefix(root.as_str()) {
            if rest.is_empty() {
                return fwmigrate_api::index::COOKBOOK_PACKAGE.to_string();
            }
            if rest.starts_with('.') {
                return format!("{}{rest}", fwmigrate_api::index::COOKBOOK_PACKAGE);
            }
        }
    }
    qualified.to_string()
}

/// The tabled class an annotation names (`Cls`, `mod.Cls`, `Optional[Cls]`, `Cls | None`).
pub fn annotation_class(
    annotation: &Expr,
    semantic: &Semantic,
    view: &ApiView,
) -> Option<ClassRef<'static>> {
    let inner = match annotation {
        Expr::Subscript(sub) => {
            let name = semantic.qualified_name(&sub.value)?;
            if name != "typing.Optional" {
                return None;
            }
            &*sub.slice
        }
        Expr::BinOp(bin) if bin.op == ast::Operator::BitOr => match (&*bin.left, &*bin.right) {
            (other, Expr::NoneLiteral(_)) | (Expr::NoneLiteral(_), other) => other,
            _ => return None,
        },
        other => other,
    };
    let path = table_path(semantic, inner)?;
    match view.resolve(&path) {
        Resolved::Class(c) => Some(c),
        _ => None,
    }
}

fn first_param(def: &ast::StmtFunctionDef) -> Option<&str> {
    def.parameters
        .posonlyargs
        .first()
        .or(def.parameters.args.first())
        .map(|p| p.parameter.name.as_str())
}

fn is_static_or_class(def: &ast::StmtFunctionDef) -> bool {
    def.decorator_list.iter().any(|d| {
        matches!(&d.expression, Expr::Name(n) if matches!(n.id.as_str(), "staticmethod" | "classmethod"))
    })
}

fn find_param<'a>(def: &'a ast::StmtFunctionDef, name: &str) -> Option<&'a ast::Parameter> {
    let p = &def.parameters;
    p.posonlyargs
        .iter()
        .chain(&p.args)
        .chain(&p.kwonlyargs)
        .map(|p| &p.parameter)
        .chain(p.vararg.as_deref())
        .chain(p.kwarg.as_deref())
        .find(|p| p.name.as_str() == name)
}

struct Builder<'a> {
    index: TypeIndex<'a>,
    /// Enclosing function ranges.
    functions: Vec<TextRange>,
    /// Enclosing classes with the depth of `functions` at which they were entered.
    classes: Vec<(TextRange, usize)>,
}

impl<'a> Builder<'a> {
    fn scope(&self) -> Option<TextRange> {
        self.functions.last().copied()
    }

    fn bind(&mut self, name: &'a str, bound: Bound<'a>) {
        let scope = self.scope();
        self.index
            .names
            .entry(name)
            .or_default()
            .push((scope, bound));
    }

    fn bind_target(&mut self, target: &'a Expr, bound: Bound<'a>) {
        match target {
            Expr::Name(name) => self.bind(name.id.as_str(), bound),
            Expr::Attribute(attr) => {
                // `self.x = ...` directly in a method of a class.
                let Some(&(class, depth)) = self.classes.last() else {
                    return;
                };
                if self.functions.len() != depth + 1 {
                    return;
                }
                let Some(method) = self.index.functions.iter().rev().find(|f| {
                    Some(f.range) == self.functions.last().copied() && f.class == Some(class)
                }) else {
                    return;
                };
                if let Expr::Name(this) = &*attr.value
                    && first_param(method.def) == Some(this.id.as_str())
                {
                    self.index
                        .attrs
                        .entry(class)
                        .or_default()
                        .entry(attr.attr.as_str())
                        .or_default()
                        .push(bound);
                }
            }
            Expr::Tuple(t) => {
                for e in &t.elts {
                    self.bind_target(e, Bound::Unknown);
                }
            }
            Expr::List(l) => {
                for e in &l.elts {
                    self.bind_target(e, Bound::Unknown);
                }
            }
            Expr::Starred(s) => self.bind_target(&s.value, Bound::Unknown),
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Builder<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                self.bind(def.name.as_str(), Bound::Unknown);
                let class = self
                    .classes
                    .last()
                    .filter(|(_, depth)| *depth == self.functions.len())
                    .map(|(c, _)| *c);
                self.index.functions.push(FunctionInfo {
                    range: def.range,
                    def,
                    class,
                });
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                self.functions.push(def.range);
                self.visit_body(&def.body);
                self.functions.pop();
                return;
            }
            Stmt::ClassDef(class) => {
                self.bind(class.name.as_str(), Bound::Unknown);
                self.classes.push((class.range, self.functions.len()));
                self.visit_body(&class.body);
                self.classes.pop();
                return;
            }
            Stmt::Assign(assign) => {
                let single = assign.targets.len() == 1;
                for target in &assign.targets {
                    let bound = if single {
                        Bound::Value(&assign.value)
                    } else {
                        Bound::Unknown
                    };
                    self.bind_target(target, bound);
                }
            }
            Stmt::AnnAssign(assign) => {
                self.bind_target(&assign.target, Bound::Annotation(&assign.annotation));
            }
            Stmt::AugAssign(assign) => self.bind_target(&assign.target, Bound::Unknown),
            Stmt::For(f) => self.bind_target(&f.target, Bound::Unknown),
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(var) = &item.optional_vars {
                        self.bind_target(var, Bound::Unknown);
                    }
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    self.bind(name.split('.').next().unwrap_or(name), Bound::Unknown);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    self.bind(name, Bound::Unknown);
                }
            }
            Stmt::Global(_) | Stmt::Nonlocal(_) => {}
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Named(named) = expr {
            self.bind_target(&named.target, Bound::Unknown);
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(h) = handler;
        if let Some(name) = &h.name {
            self.bind(name.as_str(), Bound::Unknown);
        }
        visitor::walk_except_handler(self, handler);
    }
}
