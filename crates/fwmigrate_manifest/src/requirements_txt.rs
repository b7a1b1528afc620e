//! pip requirements files: logical lines (backslash continuations), comments, options,
//! `-r`/`-c` includes, per-requirement options such as `--hash`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::pep508::{is_sdk, parse_requirement};
use crate::{Constraint, Declaration, NoFix};

/// One logical line: its text, and where each piece of it came from.
struct LogicalLine {
    text: String,
    /// (offset in `text`, offset in the file, length), in order.
    pieces: Vec<(usize, usize, usize)>,
}

impl LogicalLine {
    /// The file offset of a logical offset; `end` maps the end of a range.
    fn map(&self, at: usize, end: bool) -> usize {
        for &(logical, file, len) in &self.pieces {
            if at >= logical && (at < logical + len || (end && at == logical + len)) {
                return file + (at - logical);
            }
        }
        self.pieces.last().map_or(0, |&(logical, file, len)| {
            file + len.min(at.saturating_sub(logical))
        })
    }

    fn map_range(&self, r: &Range<usize>) -> Range<usize> {
        self.map(r.start, false)..self.map(r.end, true)
    }
}

/// pip's `COMMENT_RE.match`: a line that is a comment from its start.
fn is_comment_line(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Join backslash continuations the way pip does (a full-line comment never continues).
fn logical_lines(text: &str) -> Vec<LogicalLine> {
    let mut out = Vec::new();
    let mut current: Option<LogicalLine> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let content = raw.strip_suffix('\n').unwrap_or(raw);
        let content = content.strip_suffix('\r').unwrap_or(content);
        let continues = content.ends_with('\\') && !is_comment_line(content);
        let content = if continues {
            &content[..content.len() - 1]
        } else {
            content
        };
        let line = current.get_or_insert_with(|| LogicalLine {
            text: String::new(),
            pieces: Vec::new(),
        });
        line.pieces.push((line.text.len(), start, content.len()));
        line.text.push_str(content);
        if !continues {
            out.extend(current.take());
        }
    }
    out.extend(current.take());
    out
}

/// pip's `COMMENT_RE.sub`: cut at the first `#` at the start or after whitespace.
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && (i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t') {
            return line[..i].trim_end();
        }
    }
    line
}

/// The dependency declarations of `fireworks-ai` in a requirements file.
pub(crate) fn declarations(text: &str) -> Vec<Declaration> {
    let mut out = Vec::new();
    for line in logical_lines(text) {
        let content = strip_comment(&line.text);
        if content.trim_start().starts_with('-') {
            continue;
        }
        // pip's `break_args_options`: the requirement ends at the first token that is an option.
        let mut req_end = content.len();
        let mut pos = 0;
        for token in content.split(' ') {
            if token.starts_with('-') {
                req_end = pos;
                break;
            }
            pos += token.len() + 1;
        }
        let options = &content[req_end.min(content.len())..];
        let requirement = &content[..req_end.min(content.len())];
        let Some(parts) = parse_requirement(requirement) else {
            continue;
        };
        if !is_sdk(&requirement[parts.name.clone()]) || parts.url {
            continue;
        }
        let Some(spec) = parts.specifier else {
            continue;
        };
        let no_fix = if options.split_whitespace().any(|o| o.starts_with("--hash")) {
            Some(NoFix::Hashes)
        } else {
            None
        };
        out.push(Declaration {
            range: line.map_range(&parts.head),
            shown: requirement[parts.head.clone()].to_string(),
            written: requirement[parts.head.start..].trim_end().to_string(),
            written_spec: spec.start - parts.head.start..spec.end - parts.head.start,
            constraint: Constraint::Pep440(requirement[spec.clone()].to_string()),
            edit: match no_fix {
                Some(reason) => Err(reason),
                None => Ok(line.map_range(&spec)),
            },
        });
    }
    out
}

/// The files a requirements file includes with `-r`/`--requirement` and `-c`/`--constraint`,
/// resolved against the including file's folder. URLs and paths with environment variables are
/// left out.
pub fn included(path: &Path, text: &str) -> Vec<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut out: Vec<PathBuf> = Vec::new();
    for line in logical_lines(text) {
        let content = strip_comment(&line.text).trim();
        let mut words = content.split_whitespace();
        let Some(first) = words.next() else { continue };
        let target = match first {
            "-r" | "--requirement" | "-c" | "--constraint" => words.next(),
            _ => ["--requirement=", "--constraint=", "-r", "-c"]
                .iter()
                .find_map(|p| first.strip_prefix(p))
                .map(|rest| rest.strip_prefix('=').unwrap_or(rest))
                .filter(|rest| !rest.is_empty()),
        };
        let Some(target) = target else { continue };
        if target.contains("://") || target.starts_with("file:") || target.contains("${") {
            continue;
        }
        let resolved = dir.join(target);
        if !out.contains(&resolved) {
            out.push(resolved);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> Vec<(String, String, Option<String>)> {
        declarations(text)
            .into_iter()
            .map(|d| {
                let Constraint::Pep440(spec) = d.constraint else {
                    panic!("requirements files hold PEP 440 specifiers")
                };
                (
                    text[d.range].to_string(),
                    spec,
                    d.edit.ok().map(|r| text[r].to_string()),
                )
            })
            .collect()
    }

    #[test]
    fn plain_and_marked_lines() {
        let text = "# training\nfireworks-ai[training]==1.2.0a60\nnumpy\nfireworks-ai>=1.0 ; python_version >= \"3.11\"  # pinned\n";
        assert_eq!(
            shown(text),
            vec![
                (
                    "fireworks-ai[training]==1.2.0a60".into(),
                    "==1.2.0a60".into(),
                    Some("==1.2.0a60".into())
                ),
                (
                    "fireworks-ai>=1.0".into(),
                    ">=1.0".into(),
                    Some(">=1.0".into())
                ),
            ]
        );
    }

    #[test]
    fn comments_and_other_packages_are_not_declarations() {
        let text = "# fireworks-ai==1.0\n  #fireworks-ai==1.0\nfireworks==0.1\nfireworks-ai-tools<1\nfireworks-ai\nfireworks-ai @ https://example.com/fireworks_ai-1.0-py3-none-any.whl\n-e git+https://github.com/x/y#egg=fireworks-ai\n";
        assert!(shown(text).is_empty());
    }

    #[test]
    fn continuation_and_hashes() {
        let text = "fireworks-ai==1.2.0a60 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\nfireworks-ai \\\r\n  ~=1.1.0\r\n";
        let decls = declarations(text);
        assert_eq!(decls.len(), 2);
        assert_eq!(&text[decls[0].range.clone()], "fireworks-ai==1.2.0a60");
        assert!(matches!(decls[0].edit, Err(NoFix::Hashes)));
        let Ok(edit) = decls[1].edit.clone() else {
            panic!("no edit")
        };
        assert_eq!(&text[edit], "~=1.1.0");
        // The range spans the continuation.
        assert_eq!(
            &text[decls[1].range.clone()],
            "fireworks-ai \\\r\n  ~=1.1.0"
        );
    }

    #[test]
    fn a_comment_ending_in_a_backslash_does_not_continue() {
        let text = "# note \\\nfireworks-ai==1.0\n";
        assert_eq!(shown(text).len(), 1);
    }

    #[test]
    fn fragment_hash_is_not_a_comment() {
        assert_eq!(strip_comment("a#b"), "a#b");
        assert_eq!(strip_comment("a #b"), "a");
        assert_eq!(strip_comment("#b"), "");
    }

    #[test]
    fn includes() {
        let text = "-r base.txt\n--requirement=dev/extra.txt\n-c constraints.txt\n--constraint ../c2.txt  # shared\n-rdirect.txt\n-r https://example.com/r.txt\n-r ${HOME}/r.txt\n# -r commented.txt\n-e .\nfireworks-ai\n-r base.txt\n";
        let got = included(Path::new("proj/requirements.txt"), text);
        let want: Vec<PathBuf> = [
            "proj/base.txt",
            "proj/dev/extra.txt",
            "proj/constraints.txt",
            "proj/../c2.txt",
            "proj/direct.txt",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(got, want);
    }
}
