//! `setup.cfg`: `[options] install_requires` and `[options.extras_require]`, read the way
//! configparser and setuptools read them.

use crate::pep508::{is_sdk, parse_requirement};
use crate::{Constraint, Declaration};

/// One physical line of an option's value, with its offset in the file.
struct ValueLine<'a> {
    text: &'a str,
    offset: usize,
}

struct OptionValue<'a> {
    section: String,
    key: String,
    lines: Vec<ValueLine<'a>>,
}

/// Lines with their offsets and without their line endings.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        let content = raw.strip_suffix('\n').unwrap_or(raw);
        (start, content.strip_suffix('\r').unwrap_or(content))
    })
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Every option of the file, with the physical lines of its value (configparser's rules:
/// a value continues on lines indented deeper than its key; full-line `#`/`;` comments are
/// skipped, also inside a value).
fn options(text: &str) -> Vec<OptionValue<'_>> {
    let mut out: Vec<OptionValue> = Vec::new();
    let mut section: Option<String> = None;
    let mut key_indent = usize::MAX;
    let mut in_value = false;
    for (offset, line) in lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let ind = indent(line);
        if in_value && section.is_some() && ind > key_indent {
            if let Some(last) = out.last_mut() {
                last.lines.push(ValueLine { text: line, offset });
            }
            continue;
        }
        key_indent = ind;
        in_value = false;
        if trimmed.starts_with('[') {
            section = trimmed
                .strip_prefix('[')
                .and_then(|s| s.split_once(']'))
                .map(|(name, _)| name.trim().to_string());
            continue;
        }
        let Some(section) = &section else { continue };
        let Some(delim) = line.find(['=', ':']) else {
            continue;
        };
        let key = line[..delim].trim().to_ascii_lowercase().replace('-', "_");
        let value_start = delim + 1;
        in_value = true;
        out.push(OptionValue {
            section: section.clone(),
            key,
            lines: vec![ValueLine {
                text: &line[value_start..],
                offset: offset + value_start,
            }],
        });
    }
    out
}

/// Whether this option holds requirements that FW501 reads.
fn holds_requirements(o: &OptionValue) -> bool {
    match o.section.as_str() {
        "options" => o.key == "install_requires",
        "options.extras_require" => true,
        _ => false,
    }
}

/// The dependency declarations of `fireworks-ai` in a `setup.cfg`.
pub(crate) fn declarations(text: &str) -> Vec<Declaration> {
    let mut out = Vec::new();
    for option in options(text) {
        if !holds_requirements(&option) {
            continue;
        }
        // setuptools splits a one-line value on `;`, a multi-line value on newlines.
        let one_line = option.lines.len() == 1;
        let mut items: Vec<(&str, usize)> = Vec::new();
        for line in &option.lines {
            if one_line {
                let mut at = 0;
                for piece in line.text.split(';') {
                    items.push((piece, line.offset + at));
                    at += piece.len() + 1;
                }
            } else {
                items.push((line.text, line.offset));
            }
        }
        for (item, offset) in items {
            let trimmed = item.trim_start();
            if trimmed.starts_with('#') || trimmed.starts_with("file:") {
                continue;
            }
            // Tolerate a trailing ` # comment` (setuptools itself would choke on it).
            let item = item
                .find(" #")
                .or_else(|| item.find("\t#"))
                .map_or(item, |i| &item[..i]);
            let Some(parts) = parse_requirement(item) else {
                continue;
            };
            if !is_sdk(&item[parts.name.clone()]) || parts.url {
                continue;
            }
            let Some(spec) = parts.specifier else {
                continue;
            };
            out.push(Declaration {
                range: offset + parts.head.start..offset + parts.head.end,
                shown: item[parts.head.clone()].to_string(),
                written: item[parts.head.start..].trim_end().to_string(),
                written_spec: spec.start - parts.head.start..spec.end - parts.head.start,
                constraint: Constraint::Pep440(item[spec.clone()].to_string()),
                edit: Ok(offset + spec.start..offset + spec.end),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(text: &str) -> Vec<(String, String)> {
        declarations(text)
            .into_iter()
            .map(|d| {
                let edit = d.edit.map(|r| text[r].to_string()).unwrap_or_default();
                (text[d.range].to_string(), edit)
            })
            .collect()
    }

    #[test]
    fn multi_line_install_requires() {
        let text = "[metadata]\nname = x\n\n[options]\npackages = find:\ninstall_requires =\n    numpy\n    # fireworks-ai==0.1\n    fireworks-ai[training]==1.2.0a60; python_version >= \"3.11\"\n    fireworks\npython_requires = >=3.10\n";
        assert_eq!(
            specs(text),
            vec![(
                "fireworks-ai[training]==1.2.0a60".into(),
                "==1.2.0a60".into()
            )]
        );
    }

    #[test]
    fn one_line_values_split_on_semicolons() {
        let text = "[options]\ninstall_requires = numpy; Fireworks_AI~=1.1.0 ;requests\n";
        assert_eq!(
            specs(text),
            vec![("Fireworks_AI~=1.1.0".into(), "~=1.1.0".into())]
        );
    }

    #[test]
    fn extras_require_and_other_sections() {
        let text = "[options.extras_require]\ntraining =\n  fireworks-ai>=1.0,<1.2\ndev = fireworks-ai==1.1.0\n[options.entry_points]\nconsole_scripts =\n  fireworks-ai==1.0 = x:y\n[tool:pytest]\naddopts = fireworks-ai==1.0\n";
        assert_eq!(
            specs(text),
            vec![
                ("fireworks-ai>=1.0,<1.2".into(), ">=1.0,<1.2".into()),
                ("fireworks-ai==1.1.0".into(), "==1.1.0".into()),
            ]
        );
    }

    #[test]
    fn crlf_and_dashed_keys() {
        let text = "[options]\r\nInstall-Requires =\r\n\tfireworks-ai == 1.1.0  # old\r\n";
        assert_eq!(
            specs(text),
            vec![("fireworks-ai == 1.1.0".into(), "== 1.1.0".into())]
        );
    }
}
