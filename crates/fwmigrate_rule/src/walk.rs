//! Small helpers to visit every call, expression or statement of a module.

use fwmigrate_parser::ast::visitor::{self, Visitor};
use fwmigrate_parser::ast::{self, Expr, Stmt};

/// Call `f` for every call expression, outermost first.
pub fn for_each_call<'a>(suite: &'a [Stmt], mut f: impl FnMut(&'a ast::ExprCall)) {
    for_each_expr(suite, |expr| {
        if let Expr::Call(call) = expr {
            f(call);
        }
    });
}

/// Call `f` for every expression, outermost first.
pub fn for_each_expr<'a>(suite: &'a [Stmt], f: impl FnMut(&'a Expr)) {
    struct V<F>(F);
    impl<'a, F: FnMut(&'a Expr)> Visitor<'a> for V<F> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            (self.0)(expr);
            visitor::walk_expr(self, expr);
        }
    }
    V(f).visit_body(suite);
}

/// Call `f` for every statement (at any depth), before its children.
pub fn for_each_stmt<'a>(suite: &'a [Stmt], f: impl FnMut(&'a Stmt)) {
    struct V<F>(F);
    impl<'a, F: FnMut(&'a Stmt)> Visitor<'a> for V<F> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            (self.0)(stmt);
            visitor::walk_stmt(self, stmt);
        }
    }
    V(f).visit_body(suite);
}

/// The keyword argument `name` of a call, if passed.
pub fn keyword<'a>(call: &'a ast::ExprCall, name: &str) -> Option<&'a ast::Keyword> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == name))
}

/// The name of a keyword argument (`None` for `**kwargs`).
pub fn keyword_name(kw: &ast::Keyword) -> Option<&str> {
    kw.arg.as_ref().map(|a| a.id.as_str())
}

/// True when a call passes `*args` or `**kwargs`.
pub fn has_variadics(call: &ast::ExprCall) -> bool {
    call.arguments.args.iter().any(Expr::is_starred_expr)
        || call.arguments.keywords.iter().any(|k| k.arg.is_none())
}

/// The value of a string literal expression (implicitly concatenated parts joined).
pub fn string_value(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}
