//! Import edits: add a name to a `from` import (or a new import line), rename an imported name
//! in place, remove a name (or the whole statement when it was the last one).

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use fwmigrate_parser::edits::{Edit, delete_list_element, delete_statement};
use fwmigrate_parser::source::{full_line_end, indentation_at, is_at_line_start};
use fwmigrate_parser::statements::statement_path;
use fwmigrate_parser::{ParsedFile, TokenKind};

use crate::{Binding, Semantic};

/// The statement with exactly this range, at any depth.
fn stmt_at<'a>(file: &'a ParsedFile, range: TextRange) -> Option<&'a Stmt> {
    statement_path(file.suite(), range)
        .pop()
        .filter(|stmt| stmt.range() == range)
}

/// The `from ... import ...` statement with exactly this range.
fn import_from_at<'a>(file: &'a ParsedFile, range: TextRange) -> Option<&'a ast::StmtImportFrom> {
    match stmt_at(file, range)? {
        Stmt::ImportFrom(i) => Some(i),
        _ => None,
    }
}

/// The `import ...` statement with exactly this range.
fn import_stmt_at<'a>(file: &'a ParsedFile, range: TextRange) -> Option<&'a ast::StmtImport> {
    match stmt_at(file, range)? {
        Stmt::Import(i) => Some(i),
        _ => None,
    }
}

/// Remove the import binding `binding` (one alias). The whole statement goes when it was the
/// statement's only name.
pub fn remove_binding(file: &ParsedFile, semantic: &Semantic, binding: &Binding) -> Option<Edit> {
    let names: Vec<TextRange> = if binding.is_from {
        import_from_at(file, binding.stmt_range)?
            .names
            .iter()
            .map(|a| a.range)
            .collect()
    } else {
        import_stmt_at(file, binding.stmt_range)?
            .names
            .iter()
            .map(|a| a.range)
            .collect()
    };
    if names.len() <= 1 {
        return delete_statement(file, semantic.statements(), binding.stmt_range).map(|d| d.edit);
    }
    Some(delete_list_element(
        file,
        &names,
        binding.alias_range,
        binding.stmt_range,
    ))
}

/// Remove several bindings at once (they may share statements).
pub fn remove_bindings(file: &ParsedFile, semantic: &Semantic, bindings: &[&Binding]) -> Vec<Edit> {
    let mut by_stmt: Vec<(TextRange, Vec<&Binding>)> = Vec::new();
    for b in bindings {
        match by_stmt.iter_mut().find(|(r, _)| *r == b.stmt_range) {
            Some((_, v)) => {
                if !v.iter().any(|x| x.alias_range == b.alias_range) {
                    v.push(b)
                }
            }
            None => by_stmt.push((b.stmt_range, vec![b])),
        }
    }
    let mut edits = Vec::new();
    for (stmt, group) in by_stmt {
        let total = if group[0].is_from {
            import_from_at(file, stmt).map_or(0, |i| i.names.len())
        } else {
            import_stmt_at(file, stmt).map_or(0, |i| i.names.len())
        };
        if total == group.len() {
            if let Some(d) = delete_statement(file, semantic.statements(), stmt) {
                edits.push(d.edit);
            }
        } else if group.len() == 1 {
            edits.extend(remove_binding(file, semantic, group[0]));
        } else {
            // Several names of one statement: rebuild the name list.
            if let Some(edit) = rewrite_from_names(file, stmt, &group) {
                edits.push(edit);
            }
        }
    }
    edits
}

fn rewrite_from_names(file: &ParsedFile, stmt: TextRange, remove: &[&Binding]) -> Option<Edit> {
    let import = import_from_at(file, stmt)?;
    let keep: Vec<&str> = import
        .names
        .iter()
        .filter(|a| !remove.iter().any(|b| b.alias_range == a.range))
        .map(|a| file.slice(a.range))
        .collect();
    replace_from_names(file, import, &keep)
}

/// Whether the names of `import` are laid out one per line inside parentheses: each name
/// starts a line. (A backslash continuation also puts a name at the start of a line, but is not
/// that layout.)
fn one_name_per_line(file: &ParsedFile, import: &ast::StmtImportFrom) -> bool {
    import.names.first().is_some_and(|first| {
        matches!(
            file.prev_token(first.range.start()),
            Some((TokenKind::Lpar, _))
        )
    }) && import
        .names
        .iter()
        .all(|a| is_at_line_start(file.source(), a.range.start()))
}

/// The edit that replaces the names of `import` with `names` (each as written, `A as B`), in
/// the statement's layout: one per line inside parentheses, or a single comma-separated run
/// (which also folds a backslash-continued list onto one line). `None` for an empty `names`.
pub fn replace_from_names(
    file: &ParsedFile,
    import: &ast::StmtImportFrom,
    names: &[&str],
) -> Option<Edit> {
    let (first, last) = (import.names.first()?, import.names.last()?);
    if names.is_empty() {
        return None;
    }
    let text = file.source();
    if one_name_per_line(file, import) {
        // From the first name's line to the last name (and its comma): whatever follows on
        // that line (a comment, the closing parenthesis) stays.
        let indent = indentation_at(text, first.range.start());
        let nl = file.line_ending().as_str();
        let body = names
            .iter()
            .map(|n| format!("{indent}{n},"))
            .collect::<Vec<_>>()
            .join(nl);
        let start = fwmigrate_parser::source::line_start(text, first.range.start());
        let last_end = match file.next_token(last.range.end()) {
            Some((TokenKind::Comma, c)) => c.end(),
            _ => last.range.end(),
        };
        return Some(Edit::replacement(TextRange::new(start, last_end), body));
    }
    Some(Edit::replacement(
        TextRange::new(first.range.start(), last.range.end()),
        names.join(", "),
    ))
}

/// Rename an imported name in place: `InfraConfig as IC` → `TrainerConfig` (with `asname`
/// `None`) or `TrainerConfig as IC`.
pub fn rename_binding(binding: &Binding, new_name: &str, asname: Option<&str>) -> Edit {
    let content = match asname {
        Some(a) if a != new_name => format!("{new_name} as {a}"),
        _ => new_name.to_string(),
    };
    Edit::replacement(binding.alias_range, content)
}

/// Add `name` to the module-level `from <module> import ...`, at its sorted position when the
/// names there are sorted, else at the end. Without such a statement, a new
/// `from <module> import <name>` line goes after the last top-level import.
pub fn add_from_import(file: &ParsedFile, module: &str, name: &str) -> Edit {
    let text = file.source();
    let nl = file.line_ending().as_str();
    if let Some(import) = module_from_import(file, module) {
        let names: Vec<&str> = import.names.iter().map(|a| a.name.id.as_str()).collect();
        let sorted = names.windows(2).all(|w| w[0] <= w[1]);
        let position = if sorted {
            names.iter().position(|n| *n > name)
        } else {
            None
        };
        let multiline = one_name_per_line(file, import);
        return match position {
            Some(i) => {
                let before = &import.names[i];
                if multiline {
                    let indent = indentation_at(text, before.range.start());
                    Edit::insertion(
                        fwmigrate_parser::source::line_start(text, before.range.start()),
                        format!("{indent}{name},{nl}"),
                    )
                } else {
                    Edit::insertion(before.range.start(), format!("{name}, "))
                }
            }
            None => {
                let last = &import.names[import.names.len() - 1];
                if multiline {
                    let indent = indentation_at(text, last.range.start());
                    match file.next_token(last.range.end()) {
                        Some((TokenKind::Comma, c)) if c.end() < import.range.end() => {
                            // After the comma, or after a comment that ends its line.
                            let eol = fwmigrate_parser::source::line_end(text, c.end());
                            let rest = text[usize::from(c.end())..usize::from(eol)].trim_start();
                            let at = if rest.is_empty() || rest.starts_with('#') {
                                eol
                            } else {
                                c.end()
                            };
                            Edit::insertion(at, format!("{nl}{indent}{name},"))
                        }
                        _ => Edit::insertion(last.range.end(), format!(",{nl}{indent}{name}")),
                    }
                } else {
                    Edit::insertion(last.range.end(), format!(", {name}"))
                }
            }
        };
    }
    // A new line after the last top-level import (or after the docstring / at the top).
    let last_import = file
        .suite()
        .iter()
        .take_while(|s| {
            matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_))
                || is_docstring(s)
                || is_future_or_simple_prelude(s)
        })
        .filter(|s| matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_)))
        .last()
        .or_else(|| {
            file.suite()
                .iter()
                .filter(|s| matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_)))
                .last()
        });
    let line = format!("from {module} import {name}{nl}");
    match last_import {
        Some(stmt) => Edit::insertion(logical_line_end(file, stmt.end()), line),
        None => match file.suite().first() {
            Some(first) if is_docstring(first) => {
                Edit::insertion(full_line_end(text, first.end()), line)
            }
            _ => Edit::insertion(first_code_offset(file), line),
        },
    }
}

/// Add `import <module>` at module level: at its sorted position in the first group of
/// top-level `import x` lines; else before the first top-level import (other than
/// `from __future__`); else after the `from __future__` imports and the docstring; else at the
/// top. Only the line's placement is decided here: callers check the name is free.
pub fn add_module_import(file: &ParsedFile, module: &str) -> Edit {
    let text = file.source();
    let line = format!("import {module}{}", file.line_ending().as_str());
    let suite = file.suite();
    let at_col0 =
        |s: &Stmt| is_at_line_start(text, s.start()) && indentation_at(text, s.start()).is_empty();
    let group: Vec<&Stmt> = suite
        .iter()
        .skip_while(|s| !matches!(s, Stmt::Import(_)))
        .take_while(|s| matches!(s, Stmt::Import(_)) && at_col0(s))
        .collect();
    fn first_name(s: &Stmt) -> &str {
        match s {
            Stmt::Import(i) => i.names.first().map_or("", |a| a.name.id.as_str()),
            _ => "",
        }
    }
    let is_future = |s: &Stmt| match s {
        Stmt::ImportFrom(i) => i
            .module
            .as_ref()
            .is_some_and(|m| m.id.as_str() == "__future__"),
        _ => false,
    };
    if let Some(after) = group.iter().find(|s| first_name(s) > module) {
        return Edit::insertion(
            fwmigrate_parser::source::line_start(text, after.start()),
            line,
        );
    }
    if let Some(last) = group.last() {
        return Edit::insertion(logical_line_end(file, last.end()), line);
    }
    let first = suite
        .iter()
        .find(|s| matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_)) && !is_future(s));
    if let Some(s) = first
        && at_col0(s)
    {
        return Edit::insertion(fwmigrate_parser::source::line_start(text, s.start()), line);
    }
    let prelude = suite
        .iter()
        .take_while(|s| is_future(s) || is_docstring(s))
        .last();
    match prelude {
        Some(s) => Edit::insertion(logical_line_end(file, s.end()), line),
        None => Edit::insertion(first_code_offset(file), line),
    }
}

/// The module-level `from <module> import ...` (not a star import) that new names of `module`
/// join.
fn module_from_import<'a>(file: &'a ParsedFile, module: &str) -> Option<&'a ast::StmtImportFrom> {
    file.suite().iter().find_map(|s| match s {
        Stmt::ImportFrom(i)
            if i.level == 0
                && i.module.as_ref().is_some_and(|m| m.id.as_str() == module)
                && !i.names.iter().any(|a| a.name.id.as_str() == "*") =>
        {
            Some(i)
        }
        _ => None,
    })
}

/// The import edits that add `add` to the module-level `from <module> import ...` and remove the
/// bindings `removed`. When that statement both gains and loses names, its name list is rewritten
/// as a whole (at the sorted position of each new name when the names there are sorted), so the
/// edits never conflict; otherwise the names are added as [`add_from_import`] does.
pub fn update_from_import(
    file: &ParsedFile,
    semantic: &Semantic,
    module: &str,
    add: &[&str],
    removed: &[&Binding],
) -> Vec<Edit> {
    let existing = module_from_import(file, module);
    let in_existing = |b: &&Binding| existing.is_some_and(|i| b.stmt_range == i.range);
    let mut edits = Vec::new();
    match existing {
        Some(import) if !add.is_empty() && removed.iter().any(in_existing) => {
            let mut names: Vec<String> = import
                .names
                .iter()
                .filter(|a| !removed.iter().any(|b| b.alias_range == a.range))
                .map(|a| file.slice(a.range).to_string())
                .collect();
            let bare: Vec<&str> = import.names.iter().map(|a| a.name.id.as_str()).collect();
            let sorted = bare.windows(2).all(|w| w[0] <= w[1]);
            for name in add {
                let at = if sorted {
                    names
                        .iter()
                        .position(|n| n.as_str() > *name)
                        .unwrap_or(names.len())
                } else {
                    names.len()
                };
                names.insert(at, (*name).to_string());
            }
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            edits.extend(replace_from_names(file, import, &names));
            let others: Vec<&Binding> = removed
                .iter()
                .copied()
                .filter(|b| !in_existing(b))
                .collect();
            edits.extend(remove_bindings(file, semantic, &others));
        }
        _ => {
            for name in add {
                edits.push(add_from_import(file, module, name));
            }
            edits.extend(remove_bindings(file, semantic, removed));
        }
    }
    edits
}

/// Merge insertions at the same point into one edit: two new `from M import X` lines of one
/// module become one line, other insertions at one point are concatenated in order. Of edits
/// that otherwise conflict, the first is kept.
pub fn merge_import_insertions(edits: Vec<Edit>) -> Vec<Edit> {
    let mut out: Vec<Edit> = Vec::new();
    for e in edits {
        if let Some(prev) = out
            .iter_mut()
            .find(|p| p.range == e.range && e.range.is_empty())
        {
            let merged = match (split_from_line(&prev.content), split_from_line(&e.content)) {
                (Some((m1, n1, end1)), Some((m2, n2, _))) if m1 == m2 => {
                    Some(format!("from {m1} import {n1}, {n2}{end1}"))
                }
                _ => None,
            };
            match merged {
                Some(m) => prev.content = m,
                None => prev.content.push_str(&e.content),
            }
            continue;
        }
        if out.iter().any(|p| p.conflicts_with(&e)) {
            continue;
        }
        out.push(e);
    }
    out
}

/// `from M import N<newline>` (one plain name) → `(M, N, newline)`.
fn split_from_line(line: &str) -> Option<(&str, &str, &str)> {
    let rest = line.strip_prefix("from ")?;
    let (module, rest) = rest.split_once(" import ")?;
    let name_end = rest.find(['\r', '\n'])?;
    let (name, end) = rest.split_at(name_end);
    (!name.contains(',') && !name.contains(' ')).then_some((module, name, end))
}

/// The local name under which the top-level module `module` (e.g. `os`) can be used at `offset`,
/// and the `import <module>` edit when it has to be imported. An existing module-level
/// `import <module> [as alias]` visible there is reused. `Err` when the name is already used for
/// something else in the file.
pub fn module_name_at(
    file: &ParsedFile,
    semantic: &Semantic,
    module: &str,
    offset: TextSize,
) -> Result<(String, Option<Edit>), String> {
    if let Some(b) = semantic.binding_at(module, offset)
        && b.qualified == module
        && !b.is_from
    {
        return Ok((module.to_string(), None));
    }
    if let Some(b) = semantic
        .bindings()
        .iter()
        .find(|b| b.qualified == module && !b.is_from && b.scope.is_none())
        && semantic
            .binding_at(&b.name, offset)
            .is_some_and(|v| v.alias_range == b.alias_range)
    {
        return Ok((b.name.clone(), None));
    }
    if !semantic.name_uses(module).is_empty()
        || semantic.bindings().iter().any(|b| b.name == module)
    {
        return Err(format!(
            "the name `{module}` is used for something else in this file"
        ));
    }
    Ok((module.to_string(), Some(add_module_import(file, module))))
}

/// Just past the end of the logical line that `offset` is on: past its `Newline` token, so a
/// backslash continuation or a trailing comment stays on the line.
fn logical_line_end(file: &ParsedFile, offset: TextSize) -> TextSize {
    file.tokens()
        .after(offset)
        .iter()
        .find(|t| t.kind() == TokenKind::Newline)
        .map_or_else(|| full_line_end(file.source(), offset), |t| t.end())
}

fn is_docstring(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(e) if e.value.is_string_literal_expr())
}

fn is_future_or_simple_prelude(_stmt: &Stmt) -> bool {
    false
}

/// Past a shebang / encoding comment block at the top of the file.
fn first_code_offset(file: &ParsedFile) -> TextSize {
    let text = file.source();
    let mut offset = TextSize::new(0);
    if text.starts_with('\u{feff}') {
        offset = TextSize::new(3);
    }
    for comment in file.comments() {
        if comment.start() != offset {
            break;
        }
        offset = full_line_end(text, comment.end());
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SemanticSettings;
    use fwmigrate_parser::SourceKind;
    use fwmigrate_parser::edits::apply_edits;

    fn with_file<R>(src: &str, f: impl FnOnce(&ParsedFile, &Semantic) -> R) -> R {
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let semantic = Semantic::new(file.suite(), &SemanticSettings::default());
        f(&file, &semantic)
    }

    fn add(src: &str, module: &str, name: &str) -> String {
        let edit = with_file(src, |file, _| add_from_import(file, module, name));
        apply_edits(src, &[edit])
    }

    fn remove(src: &str, names: &[&str]) -> String {
        let edits = with_file(src, |file, semantic| {
            let bindings: Vec<&Binding> = semantic
                .bindings()
                .iter()
                .filter(|b| names.contains(&b.name.as_str()))
                .collect();
            remove_bindings(file, semantic, &bindings)
        });
        apply_edits(src, &edits)
    }

    #[test]
    fn adds_to_existing_sorted_or_at_end() {
        let m = "training.utils";
        assert_eq!(
            add(
                "from training.utils import WandBConfig\n",
                m,
                "TrainerConfig"
            ),
            "from training.utils import TrainerConfig, WandBConfig\n"
        );
        assert_eq!(
            add("from training.utils import B, A\n", m, "TrainerConfig"),
            "from training.utils import B, A, TrainerConfig\n"
        );
        assert_eq!(
            add("from training.utils import (\n    A,\n    Z,\n)\n", m, "T"),
            "from training.utils import (\n    A,\n    T,\n    Z,\n)\n"
        );
        assert_eq!(
            add("from training.utils import (\n    A,\n    B,\n)\n", m, "T"),
            "from training.utils import (\n    A,\n    B,\n    T,\n)\n"
        );
    }

    fn add_module(src: &str, module: &str) -> String {
        let edit = with_file(src, |file, _| add_module_import(file, module));
        let out = apply_edits(src, &[edit]);
        ParsedFile::parse(&out, SourceKind::Python).expect("the result parses");
        out
    }

    #[test]
    fn added_names_keep_the_closing_parenthesis_and_comments() {
        let m = "training.utils";
        assert_eq!(
            add(
                "from training.utils import (\n    A,\n    B,  # why\n)\n",
                m,
                "T"
            ),
            "from training.utils import (\n    A,\n    B,  # why\n    T,\n)\n"
        );
        assert_eq!(
            add("from training.utils import (\n    A,\n    B,)\n", m, "T"),
            "from training.utils import (\n    A,\n    B,\n    T,)\n"
        );
    }

    #[test]
    fn module_imports_go_to_their_sorted_place() {
        assert_eq!(
            add_module("import json\nimport sys\nx = 1\n", "os"),
            "import json\nimport os\nimport sys\nx = 1\n"
        );
        assert_eq!(
            add_module("import json\nx = 1\n", "os"),
            "import json\nimport os\nx = 1\n"
        );
        // No `import x` group: before the first import, after `from __future__`.
        assert_eq!(
            add_module(
                "from __future__ import annotations\nfrom a import b\n",
                "os"
            ),
            "from __future__ import annotations\nimport os\nfrom a import b\n"
        );
        // After a backslash-continued import: past its logical line.
        assert_eq!(
            add_module("import json, \\\n    sys\n\nx = 1\n", "os"),
            "import json, \\\n    sys\nimport os\n\nx = 1\n"
        );
        // Below a shebang and a docstring.
        assert_eq!(
            add_module("#!/usr/bin/env python\n\"\"\"Doc.\"\"\"\nx = 1\n", "os"),
            "#!/usr/bin/env python\n\"\"\"Doc.\"\"\"\nimport os\nx = 1\n"
        );
        assert_eq!(
            add_module("#!/usr/bin/env python\nx = 1\n", "os"),
            "#!/usr/bin/env python\nimport os\nx = 1\n"
        );
    }

    #[test]
    fn name_lists_keep_their_layout() {
        let rewrite = |src: &str, names: &[&str]| {
            let edit = with_file(src, |file, _| {
                let Stmt::ImportFrom(i) = &file.suite()[0] else {
                    unreachable!()
                };
                replace_from_names(file, i, names).unwrap()
            });
            let out = apply_edits(src, &[edit]);
            ParsedFile::parse(&out, SourceKind::Python).expect("the result parses");
            out
        };
        assert_eq!(
            rewrite("from m import (\n    A,\n    B,\n)\n", &["A", "C"]),
            "from m import (\n    A,\n    C,\n)\n"
        );
        assert_eq!(
            rewrite("from m import A, B\n", &["C as D"]),
            "from m import C as D\n"
        );
        assert_eq!(
            rewrite("from m import\\\nA,B\n", &["A", "C"]),
            "from m import\\\nA, C\n"
        );
        // Parenthesised, but not one per line: the closing parenthesis stays.
        assert_eq!(
            rewrite("from m import(\nA,B)\n", &["A", "C"]),
            "from m import(\nA, C)\n"
        );
        assert_eq!(
            rewrite("from m import (\n    A,\n    B)  # x\n", &["C"]),
            "from m import (\n    C,)  # x\n"
        );
    }

    #[test]
    fn backslash_continued_imports_stay_valid() {
        let m = "training.utils";
        assert_eq!(
            add("from training.utils import\\\n    A, B\n", m, "C"),
            "from training.utils import\\\n    A, B, C\n"
        );
        assert_eq!(
            add("import os, \\\n    sys\nx = 1\n", m, "T"),
            "import os, \\\n    sys\nfrom training.utils import T\nx = 1\n"
        );
    }

    #[test]
    fn adds_a_new_line_after_the_last_import() {
        let m = "training.utils";
        assert_eq!(
            add("\"\"\"Doc.\"\"\"\nimport os\nimport sys\n\nx = 1\n", m, "T"),
            "\"\"\"Doc.\"\"\"\nimport os\nimport sys\nfrom training.utils import T\n\nx = 1\n"
        );
        assert_eq!(
            add("x = 1\n", m, "T"),
            "from training.utils import T\nx = 1\n"
        );
        assert_eq!(
            add("#!/usr/bin/env python\nx = 1\n", m, "T"),
            "#!/usr/bin/env python\nfrom training.utils import T\nx = 1\n"
        );
    }

    #[test]
    fn from_lines_split_and_merge() {
        assert_eq!(
            split_from_line("from training.utils import X\r\n"),
            Some(("training.utils", "X", "\r\n"))
        );
        assert_eq!(split_from_line("import os\n"), None);
        assert_eq!(split_from_line("from a import X, Y\n"), None);
        let at = TextSize::new(5);
        let merged = merge_import_insertions(vec![
            Edit::insertion(at, "from training.utils import A\n"),
            Edit::insertion(at, "from training.utils import b\n"),
            Edit::insertion(TextSize::new(9), ", C"),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].content, "from training.utils import A, b\n");
        let kept = merge_import_insertions(vec![
            Edit::insertion(at, "import os\n"),
            Edit::insertion(at, "from training.utils import A\n"),
        ]);
        assert_eq!(kept[0].content, "import os\nfrom training.utils import A\n");
        let conflicting = merge_import_insertions(vec![
            Edit::deletion(TextRange::new(TextSize::new(0), TextSize::new(4))),
            Edit::insertion(TextSize::new(2), "x"),
        ]);
        assert_eq!(conflicting.len(), 1);
    }

    fn update(src: &str, add: &[&str], remove: &[&str]) -> String {
        let edits = with_file(src, |file, semantic| {
            let removed: Vec<&Binding> = semantic
                .bindings()
                .iter()
                .filter(|b| remove.contains(&b.name.as_str()))
                .collect();
            update_from_import(file, semantic, "training.utils", add, &removed)
        });
        let out = apply_edits(src, &edits);
        ParsedFile::parse(&out, SourceKind::Python).expect("the result parses");
        out
    }

    #[test]
    fn from_imports_gain_and_lose_names_at_once() {
        // One statement gains and loses: its list is rewritten, sorted.
        assert_eq!(
            update(
                "from training.utils import A, setup_infra\n",
                &["build_service_client"],
                &["setup_infra"]
            ),
            "from training.utils import A, build_service_client\n"
        );
        // The removed name is elsewhere: an addition and a removal.
        assert_eq!(
            update(
                "from training.utils import A\nfrom training.utils.rl import setup_infra\n",
                &["B"],
                &["setup_infra"]
            ),
            "from training.utils import A, B\n"
        );
        // No statement of the module: a new line.
        assert_eq!(
            update("import os\n", &["B"], &[]),
            "import os\nfrom training.utils import B\n"
        );
    }

    fn module_name(src: &str, at: &str) -> Result<(String, Option<String>), String> {
        with_file(src, |file, semantic| {
            let offset = TextSize::new(src.find(at).unwrap() as u32);
            module_name_at(file, semantic, "os", offset)
                .map(|(name, edit)| (name, edit.map(|e| apply_edits(src, &[e]))))
        })
    }

    #[test]
    fn modules_are_reused_or_imported() {
        assert_eq!(
            module_name("import os\nx = 1\n", "x"),
            Ok(("os".to_string(), None))
        );
        assert_eq!(
            module_name("import os as system\nx = 1\n", "x"),
            Ok(("system".to_string(), None))
        );
        assert_eq!(
            module_name("import sys\nx = 1\n", "x"),
            Ok((
                "os".to_string(),
                Some("import os\nimport sys\nx = 1\n".to_string())
            ))
        );
        assert!(module_name("os = 1\nx = 1\n", "x").is_err());
        assert!(module_name("from a import os\nx = 1\n", "x").is_err());
    }

    #[test]
    fn removes_names_and_statements() {
        assert_eq!(
            remove("from a import X, Y\nimport os\n", &["X"]),
            "from a import Y\nimport os\n"
        );
        assert_eq!(
            remove("import os\nfrom a import X, Y\nimport sys\n", &["X", "Y"]),
            "import os\nimport sys\n"
        );
        assert_eq!(
            remove("from a import (\n    X,\n    Y,\n    Z,\n)\n", &["X", "Z"]),
            "from a import (\n    Y,\n)\n"
        );
        assert_eq!(
            remove("from a import X as IC, T\n", &["IC"]),
            "from a import T\n"
        );
        assert_eq!(
            remove("def f():\n    import os, sys\n    return sys\n", &["os"]),
            "def f():\n    import sys\n    return sys\n"
        );
        assert_eq!(
            remove(
                "try:\n    import os\n    import sys\nexcept ImportError:\n    pass\n",
                &["os"]
            ),
            "try:\n    import sys\nexcept ImportError:\n    pass\n"
        );
    }
}
