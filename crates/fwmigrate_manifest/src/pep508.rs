//! Just enough of PEP 508 to find the parts of one requirement string, by byte offset.

use std::ops::Range;

/// The parts of a requirement such as `fireworks-ai[training] >= 1.2 ; python_version>"3.10"`,
/// as byte ranges into the string that was parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementParts {
    pub name: Range<usize>,
    /// The version specifier, without surrounding whitespace or parentheses; `None` when the
    /// requirement has none (`fireworks-ai`, `fireworks-ai ; python_version<"3.12"`).
    pub specifier: Option<Range<usize>>,
    /// `name @ url`: a direct reference, with no version range to judge.
    pub url: bool,
    /// From the start of the name to the end of the specifier (or extras, or name): the part a
    /// message shows.
    pub head: Range<usize>,
}

/// Parse `text` as one PEP 508 requirement. `None` when it is not one (a blank, an option, a
/// bare URL, garbage).
pub fn parse_requirement(text: &str) -> Option<RequirementParts> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    let name_start = i;
    if !b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    while b
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
    {
        i += 1;
    }
    let name = name_start..i;
    if !b[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    let mut head_end = i;
    i = skip_ws(b, i);
    if b.get(i) == Some(&b'[') {
        let close = i + text[i..].find(']')?;
        i = close + 1;
        head_end = i;
        i = skip_ws(b, i);
    }
    let mut specifier = None;
    let mut url = false;
    match b.get(i) {
        None | Some(b';') => {}
        Some(b'@') => url = true,
        Some(b'(') => {
            let close = i + text[i..].find(')')?;
            let inner = trim_range(text, i + 1..close);
            head_end = close + 1;
            if !inner.is_empty() {
                specifier = Some(inner);
            }
            let after = skip_ws(b, close + 1);
            if !matches!(b.get(after), None | Some(b';')) {
                return None;
            }
        }
        Some(c) if b"<>=!~".contains(c) => {
            let end = text[i..].find(';').map_or(text.len(), |n| i + n);
            let range = trim_range(text, i..end);
            head_end = range.end;
            specifier = Some(range);
        }
        Some(_) => return None,
    }
    Some(RequirementParts {
        name,
        specifier,
        url,
        head: name_start..head_end,
    })
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| *c == b' ' || *c == b'\t') {
        i += 1;
    }
    i
}

fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let s = &text[range.clone()];
    let start = range.start + (s.len() - s.trim_start().len());
    let end = range.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

/// PEP 503 normalisation: lower case, runs of `-`, `_`, `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The SDK's project name, normalised.
pub const SDK_NAME: &str = "fireworks-ai";

pub fn is_sdk(name: &str) -> bool {
    normalize_name(name) == SDK_NAME
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (String, Option<String>, bool, String) {
        match parse_requirement(text) {
            Some(p) => (
                text[p.name].to_string(),
                p.specifier.map(|r| text[r].to_string()),
                p.url,
                text[p.head].to_string(),
            ),
            None => panic!("not a requirement: {text:?}"),
        }
    }

    #[test]
    fn finds_the_parts() {
        assert_eq!(
            parts("fireworks-ai[training]==1.2.0a60"),
            (
                "fireworks-ai".into(),
                Some("==1.2.0a60".into()),
                false,
                "fireworks-ai[training]==1.2.0a60".into()
            )
        );
        assert_eq!(
            parts("  fireworks-ai [ training , x ] >= 1.2 , < 2 ; python_version >= \"3.11\""),
            (
                "fireworks-ai".into(),
                Some(">= 1.2 , < 2".into()),
                false,
                "fireworks-ai [ training , x ] >= 1.2 , < 2".into()
            )
        );
        assert_eq!(
            parts("fireworks-ai (>=1.0, <2) ; sys_platform == 'linux'"),
            (
                "fireworks-ai".into(),
                Some(">=1.0, <2".into()),
                false,
                "fireworks-ai (>=1.0, <2)".into()
            )
        );
        assert_eq!(
            parts("fireworks-ai"),
            ("fireworks-ai".into(), None, false, "fireworks-ai".into())
        );
        assert_eq!(
            parts("fireworks-ai[training];python_version<'3.12'"),
            (
                "fireworks-ai".into(),
                None,
                false,
                "fireworks-ai[training]".into()
            )
        );
        assert_eq!(
            parts("fireworks-ai @ git+https://github.com/fw-ai/fireworks@v1.2.9"),
            ("fireworks-ai".into(), None, true, "fireworks-ai".into())
        );
        assert_eq!(
            parts("Fireworks_AI~=1.1"),
            (
                "Fireworks_AI".into(),
                Some("~=1.1".into()),
                false,
                "Fireworks_AI~=1.1".into()
            )
        );
    }

    #[test]
    fn rejects_non_requirements() {
        for bad in [
            "",
            "   ",
            "-r base.txt",
            "--hash=sha256:abc",
            "# comment",
            "https://example.com/x.whl",
            "./local/path",
            "fireworks-ai[training",
            "fireworks-ai (>=1.0",
            "fireworks-ai (>=1.0) junk",
            "fireworks-ai junk",
            "fireworks-",
        ] {
            assert!(parse_requirement(bad).is_none(), "{bad:?} parsed");
        }
    }

    #[test]
    fn normalises_names() {
        for name in [
            "fireworks-ai",
            "fireworks_ai",
            "Fireworks-AI",
            "fireworks.ai",
            "FIREWORKS__AI",
            "fireworks-_.ai",
        ] {
            assert!(is_sdk(name), "{name}");
        }
        for name in [
            "fireworks",
            "fireworks-ai-tools",
            "fireworksai",
            "ai-fireworks",
        ] {
            assert!(!is_sdk(name), "{name}");
        }
    }
}
