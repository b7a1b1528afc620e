//! Small helpers to visit every call, expression or statement of a module, and to read a call's
//! keywords and literal values.

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

/// Calls its function for every expression it visits, before their children.
struct ExprVisitor<F>(F);

impl<'a, F: FnMut(&'a Expr)> Visitor<'a> for ExprVisitor<F> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        (self.0)(expr);
        visitor::walk_expr(self, expr);
    }
}

/// Call `f` for every expression, outermost first.
pub fn for_each_expr<'a>(suite: &'a [Stmt], f: impl FnMut(&'a Expr)) {
    ExprVisitor(f).visit_body(suite);
}

/// Call `f` for `expr` and every expression inside it, outermost first.
pub fn for_each_expr_in<'a>(expr: &'a Expr, f: impl FnMut(&'a Expr)) {
    ExprVisitor(f).visit_expr(expr);
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

/// The pieces of an f-string in source order: `Some(text)` for literal text, `None` for an
/// interpolation (`{...}`).
pub fn fstring_pieces(fstring: &ast::ExprFString) -> Vec<Option<&str>> {
    let mut pieces = Vec::new();
    for part in fstring.value.iter() {
        match part {
            ast::FStringPart::Literal(lit) => pieces.push(Some(&*lit.value)),
            ast::FStringPart::FString(f) => {
                pieces.extend(f.elements.iter().map(|element| match element {
                    ast::InterpolatedStringElement::Literal(lit) => Some(&*lit.value),
                    ast::InterpolatedStringElement::Interpolation(_) => None,
                }));
            }
        }
    }
    pieces
}

/// Whether `expr` is the literal `None`.
pub fn is_none(expr: &Expr) -> bool {
    expr.is_none_literal_expr()
}

/// Whether `expr` is the literal `True`.
pub fn is_true(expr: &Expr) -> bool {
    matches!(expr, Expr::BooleanLiteral(b) if b.value)
}

/// Whether `expr` is the literal `False`.
pub fn is_false(expr: &Expr) -> bool {
    matches!(expr, Expr::BooleanLiteral(b) if !b.value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_parser::{ParsedFile, SourceKind};

    fn with_expr<R>(src: &str, f: impl FnOnce(&Expr) -> R) -> R {
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let Some(Stmt::Expr(e)) = file.suite().first() else {
            panic!("expected an expression statement")
        };
        f(&e.value)
    }

    #[test]
    fn fstring_pieces_mark_interpolations() {
        with_expr("'a' f'b{x}c' 'd'\n", |expr| {
            let Expr::FString(f) = expr else {
                panic!("expected an f-string")
            };
            assert_eq!(
                fstring_pieces(f),
                [Some("a"), Some("b"), None, Some("c"), Some("d")]
            );
        });
    }

    #[test]
    fn sub_expressions_are_visited_outermost_first() {
        with_expr("f(a, g(b))\n", |expr| {
            let mut names = Vec::new();
            for_each_expr_in(expr, |e| {
                if let Expr::Name(n) = e {
                    names.push(n.id.to_string());
                }
            });
            assert_eq!(names, ["f", "a", "g", "b"]);
        });
    }

    #[test]
    fn literal_predicates() {
        assert!(with_expr("None\n", is_none));
        assert!(with_expr("True\n", is_true));
        assert!(with_expr("False\n", is_false));
        assert!(!with_expr("False\n", is_true));
        assert!(!with_expr("x\n", is_none));
        assert!(!with_expr("0\n", is_false));
    }
}
