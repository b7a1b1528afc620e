//! Local names for generated code: where a name is used within a scope, and a fresh name that
//! clashes with nothing.

use ruff_text_size::TextRange;

use crate::Semantic;

/// The uses of `name` within `scope` (a function body), or anywhere in the file for `None`
/// (module level).
pub fn uses_in_scope(semantic: &Semantic, name: &str, scope: Option<TextRange>) -> Vec<TextRange> {
    semantic
        .name_uses(name)
        .iter()
        .copied()
        .filter(|r| scope.is_none_or(|s| s.contains_range(*r)))
        .collect()
}

/// A fresh local name based on `base` (`base`, `base_2`, `base_3`, ...): not used in `scope`,
/// not bound by an import anywhere in the file, and not in `taken`, to which it is added.
pub fn fresh_name(
    semantic: &Semantic,
    base: &str,
    scope: Option<TextRange>,
    taken: &mut Vec<String>,
) -> String {
    let free = |name: &str, taken: &[String]| {
        !taken.iter().any(|t| t == name)
            && uses_in_scope(semantic, name, scope).is_empty()
            && !semantic.bindings().iter().any(|b| b.name == name)
    };
    let mut name = base.to_string();
    let mut n = 2;
    while !free(&name, taken) {
        name = format!("{base}_{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// What follows `module` in the dotted name `qualified` when `qualified` is `module` itself
/// (`""`) or lies inside it (`"utils.config"` for `training.utils.config` in `training`);
/// `None` otherwise (`training_cookbook` is not inside `training`).
pub fn strip_module_prefix<'a>(qualified: &'a str, module: &str) -> Option<&'a str> {
    let rest = qualified.strip_prefix(module)?;
    if rest.is_empty() {
        Some("")
    } else {
        rest.strip_prefix('.')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SemanticSettings;
    use fwmigrate_parser::{ParsedFile, SourceKind};
    use ruff_text_size::TextSize;

    fn with_semantic<R>(src: &str, f: impl FnOnce(&Semantic) -> R) -> R {
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        f(&Semantic::new(file.suite(), &SemanticSettings::default()))
    }

    #[test]
    fn uses_are_limited_to_the_scope() {
        let src = "x = 1\ndef f():\n    return x\n";
        let body = TextRange::new(TextSize::new(15), TextSize::of(src));
        with_semantic(src, |semantic| {
            assert_eq!(uses_in_scope(semantic, "x", None).len(), 2);
            assert_eq!(uses_in_scope(semantic, "x", Some(body)).len(), 1);
            assert!(uses_in_scope(semantic, "y", None).is_empty());
        });
    }

    #[test]
    fn fresh_names_avoid_uses_imports_and_each_other() {
        let src = "import service_2\nservice = 1\n";
        with_semantic(src, |semantic| {
            let mut taken = Vec::new();
            assert_eq!(
                fresh_name(semantic, "service", None, &mut taken),
                "service_3"
            );
            assert_eq!(fresh_name(semantic, "client", None, &mut taken), "client");
            assert_eq!(fresh_name(semantic, "client", None, &mut taken), "client_2");
            assert_eq!(taken, ["service_3", "client", "client_2"]);
        });
    }
}
