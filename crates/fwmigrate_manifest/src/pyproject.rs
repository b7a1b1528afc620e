//! `pyproject.toml`: PEP 621 `[project]` dependencies and optional dependencies, PEP 735
//! `[dependency-groups]`, uv/PDM dev dependencies, and Poetry's dependency tables.

use std::ops::Range;

use toml_edit::{ImDocument, Item, TableLike, Value};

use crate::pep508::{is_sdk, parse_requirement};
use crate::{Constraint, Declaration, NoFix};

/// The dependency declarations of `fireworks-ai` in a `pyproject.toml`. A file that is not
/// valid TOML has none.
pub(crate) fn declarations(text: &str) -> Vec<Declaration> {
    let Ok(doc) = ImDocument::parse(text) else {
        return Vec::new();
    };
    let root = doc.as_table();
    let mut out = Vec::new();

    // PEP 621.
    if let Some(project) = table(root.get("project")) {
        pep508_array(text, project.get("dependencies"), &mut out);
        if let Some(optional) = table(project.get("optional-dependencies")) {
            for (_, item) in optional.iter() {
                pep508_array(text, Some(item), &mut out);
            }
        }
    }
    // PEP 735.
    if let Some(groups) = table(root.get("dependency-groups")) {
        for (_, item) in groups.iter() {
            pep508_array(text, Some(item), &mut out);
        }
    }
    let tool = table(root.get("tool"));
    // uv.
    if let Some(uv) = tool.and_then(|t| table(t.get("uv"))) {
        for key in [
            "dev-dependencies",
            "constraint-dependencies",
            "override-dependencies",
        ] {
            pep508_array(text, uv.get(key), &mut out);
        }
    }
    // PDM.
    if let Some(dev) = tool
        .and_then(|t| table(t.get("pdm")))
        .and_then(|pdm| table(pdm.get("dev-dependencies")))
    {
        for (_, item) in dev.iter() {
            pep508_array(text, Some(item), &mut out);
        }
    }
    // Hatch environments.
    if let Some(envs) = tool
        .and_then(|t| table(t.get("hatch")))
        .and_then(|hatch| table(hatch.get("envs")))
    {
        for (_, env) in envs.iter() {
            if let Some(env) = env.as_table_like() {
                pep508_array(text, env.get("dependencies"), &mut out);
                pep508_array(text, env.get("extra-dependencies"), &mut out);
            }
        }
    }
    // Poetry.
    if let Some(poetry) = tool.and_then(|t| table(t.get("poetry"))) {
        for key in ["dependencies", "dev-dependencies"] {
            if let Some(deps) = table(poetry.get(key)) {
                poetry_table(text, deps, &mut out);
            }
        }
        if let Some(groups) = table(poetry.get("group")) {
            for (_, group) in groups.iter() {
                if let Some(deps) = table(group.as_table_like().and_then(|g| g.get("dependencies")))
                {
                    poetry_table(text, deps, &mut out);
                }
            }
        }
    }
    out.sort_by_key(|d| d.range.start);
    out
}

fn table(item: Option<&Item>) -> Option<&dyn TableLike> {
    item.and_then(Item::as_table_like)
}

/// A string literal: its decoded value, the span of the literal, and where each byte of the
/// value came from in the file (`None` when that could not be worked out).
struct StringLiteral<'a> {
    value: &'a str,
    span: Range<usize>,
    /// For each byte of `value`: the file range of the character or escape that produced it.
    map: Option<Vec<(usize, usize)>>,
}

impl StringLiteral<'_> {
    /// The file range that produced `range` of the value.
    fn file_range(&self, range: &Range<usize>) -> Option<Range<usize>> {
        let map = self.map.as_ref()?;
        if range.is_empty() {
            return None;
        }
        Some(map.get(range.start)?.0..map.get(range.end - 1)?.1)
    }
}

fn string_literal<'a>(text: &str, value: &'a Value) -> Option<StringLiteral<'a>> {
    let Value::String(formatted) = value else {
        return None;
    };
    let span = formatted.span()?;
    let raw = text.get(span.clone())?;
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| raw.starts_with(q) && raw.ends_with(q) && raw.len() >= 2 * q.len())?;
    let inner = span.start + quote.len()..span.end - quote.len();
    let decoded = formatted.value().as_str();
    let map = decode(text, inner, quote.starts_with('"'), quote.len() == 3)
        .filter(|(value, _)| value == decoded)
        .map(|(_, map)| map);
    Some(StringLiteral {
        value: decoded,
        span,
        map,
    })
}

/// Decode the text between a TOML string's quotes, recording for each byte of the value the
/// file range of the character or escape it came from.
fn decode(
    text: &str,
    inner: Range<usize>,
    basic: bool,
    multiline: bool,
) -> Option<(String, Vec<(usize, usize)>)> {
    let raw = text.get(inner.clone())?;
    let b = raw.as_bytes();
    let mut out = String::new();
    let mut map = Vec::new();
    let mut i = 0;
    if multiline {
        if raw.starts_with("\r\n") {
            i = 2;
        } else if raw.starts_with('\n') {
            i = 1;
        }
    }
    while i < raw.len() {
        let start = i;
        let c = if basic && b[i] == b'\\' {
            let next = raw[i + 1..].chars().next()?;
            i += 1 + next.len_utf8();
            match next {
                'b' => '\u{8}',
                't' => '\t',
                'n' => '\n',
                'f' => '\u{c}',
                'r' => '\r',
                'e' => '\u{1b}',
                '"' => '"',
                '\\' => '\\',
                'u' | 'U' => {
                    let len = if next == 'u' { 4 } else { 8 };
                    let hex = raw.get(i..i + len)?;
                    i += len;
                    char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                }
                ' ' | '\t' | '\r' | '\n' if multiline => {
                    // A line-ending backslash: drop all whitespace up to the next text.
                    while matches!(b.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                        i += 1;
                    }
                    continue;
                }
                _ => return None,
            }
        } else {
            let c = raw[i..].chars().next()?;
            i += c.len_utf8();
            c
        };
        out.push(c);
        for _ in 0..c.len_utf8() {
            map.push((inner.start + start, inner.start + i));
        }
    }
    Some((out, map))
}

/// An array of PEP 508 strings (`dependencies = ["fireworks-ai>=1.2.9,<2", ...]`).
fn pep508_array(text: &str, item: Option<&Item>, out: &mut Vec<Declaration>) {
    let Some(array) = item.and_then(Item::as_array) else {
        return;
    };
    for value in array.iter() {
        let Some(literal) = string_literal(text, value) else {
            continue;
        };
        let requirement = literal.value;
        let Some(parts) = parse_requirement(requirement) else {
            continue;
        };
        if !is_sdk(&requirement[parts.name.clone()]) || parts.url {
            continue;
        }
        let Some(spec) = parts.specifier else {
            continue;
        };
        let (range, edit) = match (literal.file_range(&parts.head), literal.file_range(&spec)) {
            (Some(head), Some(spec)) => (head, Ok(spec)),
            _ => (literal.span.clone(), Err(NoFix::Escaped)),
        };
        out.push(Declaration {
            range,
            shown: requirement[parts.head.clone()].to_string(),
            written: requirement[parts.head.start..].trim_end().to_string(),
            written_spec: spec.start - parts.head.start..spec.end - parts.head.start,
            constraint: Constraint::Pep440(requirement[spec].to_string()),
            edit,
        });
    }
}

/// A Poetry dependency table: `fireworks-ai = "^1.2"`, `fireworks-ai = {version = "^1.2",
/// extras = ["training"]}`, `[tool.poetry.dependencies.fireworks-ai]`, or a list of such tables
/// (multiple constraints).
fn poetry_table(text: &str, deps: &dyn TableLike, out: &mut Vec<Declaration>) {
    for (key, item) in deps.iter() {
        if !is_sdk(key) {
            continue;
        }
        let mut versions: Vec<&Value> = Vec::new();
        let table_form = !matches!(item, Item::Value(Value::String(_)));
        match item {
            Item::Value(Value::String(_)) => versions.extend(item.as_value()),
            Item::Value(Value::Array(array)) => {
                for entry in array.iter() {
                    if let Some(v) = entry.as_inline_table().and_then(|t| t.get("version")) {
                        versions.push(v);
                    }
                }
            }
            Item::ArrayOfTables(tables) => {
                for t in tables.iter() {
                    versions.extend(t.get("version").and_then(Item::as_value));
                }
            }
            _ => {
                versions.extend(
                    item.as_table_like()
                        .and_then(|t| t.get("version"))
                        .and_then(Item::as_value),
                );
            }
        }
        for value in versions {
            let Some(literal) = string_literal(text, value) else {
                continue;
            };
            let constraint = literal.value.trim();
            if constraint.is_empty() {
                continue;
            }
            let lead = literal.value.len() - literal.value.trim_start().len();
            let edit = literal
                .file_range(&(lead..lead + constraint.len()))
                .ok_or(NoFix::Escaped);
            let shown = if table_form {
                format!("{key} = {{version = \"{constraint}\"}}")
            } else {
                format!("{key} = \"{constraint}\"")
            };
            let at = shown.find(constraint).unwrap_or(0);
            out.push(Declaration {
                range: literal.span.clone(),
                written: shown.clone(),
                written_spec: at..at + constraint.len(),
                shown,
                constraint: Constraint::Poetry(constraint.to_string()),
                edit,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, String, Option<String>)> {
        declarations(text)
            .into_iter()
            .map(|d| {
                let c = match d.constraint {
                    Constraint::Pep440(s) => format!("pep440 {s}"),
                    Constraint::Poetry(s) => format!("poetry {s}"),
                };
                (
                    text[d.range].to_string(),
                    c,
                    d.edit.ok().map(|r| text[r].to_string()),
                )
            })
            .collect()
    }

    #[test]
    fn pep621_tables() {
        let text = r#"[project]
name = "x"
dependencies = ["numpy", 'fireworks-ai[training] >=1.0,<1.2 ; python_version>"3.10"', "fireworks"]

[project.optional-dependencies]
train = ["Fireworks_AI==1.1.0"]

[dependency-groups]
dev = ["fireworks-ai~=1.1.0", {include-group = "train"}]

[tool.uv]
dev-dependencies = ["fireworks-ai<1.1"]

[tool.pdm.dev-dependencies]
test = ["fireworks-ai<1.0"]

[tool.hatch.envs.train]
dependencies = ["fireworks-ai==0.9"]
extra-dependencies = ["fireworks-ai==0.8"]
"#;
        assert_eq!(
            found(text),
            vec![
                (
                    "fireworks-ai[training] >=1.0,<1.2".into(),
                    "pep440 >=1.0,<1.2".into(),
                    Some(">=1.0,<1.2".into())
                ),
                (
                    "Fireworks_AI==1.1.0".into(),
                    "pep440 ==1.1.0".into(),
                    Some("==1.1.0".into())
                ),
                (
                    "fireworks-ai~=1.1.0".into(),
                    "pep440 ~=1.1.0".into(),
                    Some("~=1.1.0".into())
                ),
                (
                    "fireworks-ai<1.1".into(),
                    "pep440 <1.1".into(),
                    Some("<1.1".into())
                ),
                (
                    "fireworks-ai<1.0".into(),
                    "pep440 <1.0".into(),
                    Some("<1.0".into())
                ),
                (
                    "fireworks-ai==0.9".into(),
                    "pep440 ==0.9".into(),
                    Some("==0.9".into())
                ),
                (
                    "fireworks-ai==0.8".into(),
                    "pep440 ==0.8".into(),
                    Some("==0.8".into())
                ),
            ]
        );
    }

    #[test]
    fn escapes_map_back_to_the_file() {
        let text = concat!(
            "[project]\ndependencies = [\n",
            "  \"fireworks\\u002dai==1.1.0\",\n",
            "  \"fireworks-ai[training]==1.1.0 ; python_version >= \\\"3.11\\\"\",\n",
            "  \"\"\"\nfireworks-ai==1.0.0\"\"\",\n",
            "  '''fireworks-ai==1.0.1''',\n",
            "  \"\"\"fireworks-ai\\\n      ==1.0.2\"\"\",\n",
            "]\n",
        );
        assert_eq!(
            found(text),
            vec![
                (
                    "fireworks\\u002dai==1.1.0".into(),
                    "pep440 ==1.1.0".into(),
                    Some("==1.1.0".into())
                ),
                (
                    "fireworks-ai[training]==1.1.0".into(),
                    "pep440 ==1.1.0".into(),
                    Some("==1.1.0".into())
                ),
                (
                    "fireworks-ai==1.0.0".into(),
                    "pep440 ==1.0.0".into(),
                    Some("==1.0.0".into())
                ),
                (
                    "fireworks-ai==1.0.1".into(),
                    "pep440 ==1.0.1".into(),
                    Some("==1.0.1".into())
                ),
                (
                    "fireworks-ai\\\n      ==1.0.2".into(),
                    "pep440 ==1.0.2".into(),
                    Some("==1.0.2".into())
                ),
            ]
        );
    }

    #[test]
    fn decoding_follows_toml() {
        let text = r#""a\tb\u00e9\"c\\""#;
        let Some((value, map)) = decode(text, 1..text.len() - 1, true, false) else {
            panic!("no decode")
        };
        assert_eq!(value, "a\tbé\"c\\");
        // `é` is two bytes, both from the six-byte escape.
        assert_eq!(map.len(), value.len());
        assert_eq!(&text[map[3].0..map[3].1], "\\u00e9");
        assert_eq!(map[3], map[4]);
        assert!(decode(r#""\q""#, 1..3, true, false).is_none());
        // Literal strings have no escapes.
        let literal = r"'a\tb'";
        let Some((value, _)) = decode(literal, 1..literal.len() - 1, false, false) else {
            panic!("no decode")
        };
        assert_eq!(value, "a\\tb");
    }

    #[test]
    fn poetry_forms() {
        let text = r#"[tool.poetry.dependencies]
python = "^3.11"
fireworks-ai = " ~1.1 "
"Fireworks.AI" = {version = "1.2.0a60", extras = ["training"]}
fireworks-ai-tools = "^0.1"

[tool.poetry.group.dev.dependencies]
fireworks_ai = [{version = "^0.9", python = "<3.10"}, {version = "^1.2", python = ">=3.10"}]

[tool.poetry.dev-dependencies.fireworks-ai]
version = "==1.0.0"
extras = ["x"]
"#;
        assert_eq!(
            found(text),
            vec![
                (
                    "\" ~1.1 \"".into(),
                    "poetry ~1.1".into(),
                    Some("~1.1".into())
                ),
                (
                    "\"1.2.0a60\"".into(),
                    "poetry 1.2.0a60".into(),
                    Some("1.2.0a60".into())
                ),
                ("\"^0.9\"".into(), "poetry ^0.9".into(), Some("^0.9".into())),
                ("\"^1.2\"".into(), "poetry ^1.2".into(), Some("^1.2".into())),
                (
                    "\"==1.0.0\"".into(),
                    "poetry ==1.0.0".into(),
                    Some("==1.0.0".into())
                ),
            ]
        );
    }

    #[test]
    fn invalid_toml_has_no_declarations() {
        assert!(declarations("[project\ndependencies = [\"fireworks-ai==1.0\"]\n").is_empty());
    }

    #[test]
    fn bom_and_crlf_keep_offsets() {
        let text = "\u{feff}[project]\r\ndependencies = [\r\n  \"fireworks-ai==1.1.0\",\r\n]\r\n";
        assert_eq!(
            found(text),
            vec![(
                "fireworks-ai==1.1.0".into(),
                "pep440 ==1.1.0".into(),
                Some("==1.1.0".into())
            )]
        );
    }
}
