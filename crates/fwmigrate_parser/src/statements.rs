//! Where a statement stands: the blocks a compound statement owns, and the chain of statements
//! that enclose a range.

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::{Ranged, TextRange};

/// The statement bodies directly owned by a compound statement.
pub fn child_bodies(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::FunctionDef(s) => vec![&s.body],
        Stmt::ClassDef(s) => vec![&s.body],
        Stmt::If(s) => {
            let mut v: Vec<&[Stmt]> = vec![&s.body];
            v.extend(s.elif_else_clauses.iter().map(|c| c.body.as_slice()));
            v
        }
        Stmt::For(s) => vec![&s.body, &s.orelse],
        Stmt::While(s) => vec![&s.body, &s.orelse],
        Stmt::With(s) => vec![&s.body],
        Stmt::Try(s) => {
            let mut v: Vec<&[Stmt]> = vec![&s.body];
            v.extend(s.handlers.iter().map(|h| match h {
                ast::ExceptHandler::ExceptHandler(h) => h.body.as_slice(),
            }));
            v.push(&s.orelse);
            v.push(&s.finalbody);
            v
        }
        Stmt::Match(s) => s.cases.iter().map(|c| c.body.as_slice()).collect(),
        _ => Vec::new(),
    }
}

/// The chain of statements (outermost first) whose ranges contain `range`.
pub fn statement_path(suite: &[Stmt], range: TextRange) -> Vec<&Stmt> {
    let mut out = Vec::new();
    let mut body = suite;
    'outer: loop {
        for stmt in body {
            if stmt.range().contains_range(range) {
                out.push(stmt);
                for child in child_bodies(stmt) {
                    if child.iter().any(|s| s.range().contains_range(range)) {
                        body = child;
                        continue 'outer;
                    }
                }
                break 'outer;
            }
        }
        break;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ParsedFile, SourceKind};

    #[test]
    fn statement_path_follows_nested_blocks() {
        let src =
            "def f():\n    with a:\n        if b:\n            x = g()\n        y = 1\nz = 2\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let start = src.find("g()").unwrap() as u32;
        let range = TextRange::new(start.into(), (start + 3).into());
        let kinds: Vec<&str> = statement_path(file.suite(), range)
            .iter()
            .map(|s| match s {
                Stmt::FunctionDef(_) => "def",
                Stmt::With(_) => "with",
                Stmt::If(_) => "if",
                Stmt::Assign(_) => "assign",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["def", "with", "if", "assign"]);
        let z = src.find("z =").unwrap() as u32;
        let path = statement_path(file.suite(), TextRange::new(z.into(), (z + 1).into()));
        assert_eq!(path.len(), 1);
    }
}
