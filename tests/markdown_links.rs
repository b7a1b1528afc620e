//! Every relative link in the repository's Markdown files leads somewhere.
//!
//! The files are every `*.md` under the repository root (skipping `target/` and `.git/`). A
//! link's path must name an existing file or folder, relative to the page (or to the root for a
//! path starting with `/`). A `#anchor`, on its own or after a path to a Markdown file, must name
//! a heading of that page as GitHub makes it an anchor (lowercase, spaces to `-`, punctuation
//! other than `-` and `_` dropped, `-1`, `-2`, ... for repeated headings) or an explicit
//! `<a id="...">` / `<a name="...">`. Links with a scheme (`https:`, `mailto:`) are not checked.
//!
//! Links are inline (`[text](target)`, `![alt](target)`) and reference definitions
//! (`[label]: target`), outside code blocks, inline code and HTML comments.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// Folders of the root that are not the repository's own pages.
const SKIPPED: &[&str] = &["target", ".git"];

/// A link found in a page.
#[derive(Debug, PartialEq, Eq)]
struct Link {
    /// 1-based line of the page.
    line: usize,
    target: String,
}

/// Every Markdown file under `root`, sorted.
fn markdown_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let entry = entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let path = entry.path();
            let file_type = entry.file_type().unwrap();
            if file_type.is_dir() {
                let skipped = dir == root
                    && SKIPPED
                        .iter()
                        .any(|s| entry.file_name() == std::ffi::OsStr::new(s));
                if !skipped {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// `text` without inline code spans and HTML comments that open and close on this line;
/// `in_comment` carries an HTML comment over lines.
fn visible(line: &str, in_comment: &mut bool) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        if *in_comment {
            match rest.find("-->") {
                Some(end) => {
                    rest = &rest[end + 3..];
                    *in_comment = false;
                }
                None => return out,
            }
        }
        let comment = rest.find("<!--");
        let code = rest.find('`');
        match (comment, code) {
            (Some(c), k) if k.is_none_or(|k| c < k) => {
                out.push_str(&rest[..c]);
                rest = &rest[c + 4..];
                *in_comment = true;
            }
            (_, None) => {
                out.push_str(rest);
                return out;
            }
            (_, Some(k)) => {
                out.push_str(&rest[..k]);
                let ticks = rest[k..].chars().take_while(|&c| c == '`').count();
                let fence = &rest[k..k + ticks];
                let after = &rest[k + ticks..];
                match after.find(fence) {
                    Some(end) => {
                        out.push_str(" code ");
                        rest = &after[end + ticks..];
                    }
                    None => {
                        out.push_str(&rest[k..]);
                        return out;
                    }
                }
            }
        }
    }
}

/// Whether `line` opens or closes a fenced code block; returns the fence.
fn fence(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    ["```", "~~~"]
        .into_iter()
        .find(|f| trimmed.starts_with(f))
        .map(|f| {
            let n = trimmed.chars().take_while(|c| f.starts_with(*c)).count();
            &trimmed[..n]
        })
}

/// The lines of `text` that are rendered as Markdown (not inside code blocks), with inline code
/// and HTML comments blanked out: `(line number, text)`.
fn rendered_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut open_fence: Option<String> = None;
    let mut in_comment = false;
    for (i, line) in text.lines().enumerate() {
        if let Some(f) = fence(line) {
            match &open_fence {
                None => {
                    open_fence = Some(f.to_string());
                    continue;
                }
                Some(open) if f.starts_with(open.as_str()) && line.trim() == f => {
                    open_fence = None;
                    continue;
                }
                Some(_) => {}
            }
        }
        if open_fence.is_some() {
            continue;
        }
        out.push((i + 1, visible(line, &mut in_comment)));
    }
    out
}

/// The target of an inline link starting right after `](`: up to the `)` that closes it,
/// without a title (`"..."`) and angle brackets.
fn inline_target(rest: &str) -> Option<&str> {
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('<') {
        return inner.find('>').map(|end| &inner[..end]);
    }
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(rest[..i].split_whitespace().next().unwrap_or("")),
            ')' => depth -= 1,
            ' ' if depth == 0 => return Some(&rest[..i]),
            _ => {}
        }
    }
    None
}

/// Every link of a page, with its line.
fn links(text: &str) -> Vec<Link> {
    let mut out = Vec::new();
    for (line, content) in rendered_lines(text) {
        // A reference definition: `[label]: target`.
        let trimmed = content.trim_start();
        if trimmed.starts_with('[')
            && let Some(close) = trimmed.find("]:")
            && !trimmed[..close].contains("](")
        {
            if let Some(target) = trimmed[close + 2..].split_whitespace().next() {
                let target = target.trim_start_matches('<').trim_end_matches('>');
                out.push(Link {
                    line,
                    target: target.to_string(),
                });
            }
            continue;
        }
        let mut rest = content.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(target) = inline_target(rest) {
                out.push(Link {
                    line,
                    target: target.to_string(),
                });
            }
        }
    }
    out
}

/// The anchor GitHub gives a heading: lowercase, spaces to `-`, every character other than
/// letters, digits, `-` and `_` dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// A heading's text as rendered: links reduced to their text, inline code to its content.
fn heading_text(raw: &str) -> String {
    let mut text = String::new();
    let mut rest = raw;
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](") else {
            break;
        };
        let Some(close) = rest[open + mid..].find(')') else {
            break;
        };
        text.push_str(&rest[..open]);
        text.push_str(&rest[open + 1..open + mid]);
        rest = &rest[open + mid + close + 1..];
    }
    text.push_str(rest);
    text
}

/// The anchors of a page: its headings' slugs (numbered when repeated) and explicit ids.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut headings: Vec<String> = Vec::new();
    let mut out = BTreeSet::new();
    let mut open_fence: Option<String> = None;
    let mut previous = String::new();
    for line in text.lines() {
        if let Some(f) = fence(line) {
            match &open_fence {
                None => open_fence = Some(f.to_string()),
                Some(open) if f.starts_with(open.as_str()) && line.trim() == f => {
                    open_fence = None;
                }
                Some(_) => {}
            }
            previous.clear();
            continue;
        }
        if open_fence.is_some() {
            continue;
        }
        let trimmed = line.trim_start();
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes)
            && line.len() - trimmed.len() < 4
            && trimmed[hashes..].chars().next().is_none_or(|c| c == ' ')
        {
            headings.push(trimmed[hashes..].trim().trim_end_matches('#').to_string());
        } else if !previous.trim().is_empty()
            && !line.trim().is_empty()
            && (line.trim().chars().all(|c| c == '=') || line.trim().chars().all(|c| c == '-'))
            && !previous.trim_start().starts_with(['|', '-', '*', '>', '#'])
        {
            // A setext heading: the previous line, underlined.
            headings.push(previous.trim().to_string());
        }
        for key in ["id=\"", "name=\""] {
            let mut rest = line;
            while let Some(at) = rest.find(key) {
                rest = &rest[at + key.len()..];
                if let Some(end) = rest.find('"') {
                    out.insert(rest[..end].to_string());
                }
            }
        }
        previous = line.to_string();
    }
    // Repeated headings get `-1`, `-2`, ... in order.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for heading in headings {
        let base = slug(&heading_text(&heading.replace('`', "")));
        let n = seen.entry(base.clone()).or_insert(0);
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

/// `a/b/../c` → `a/c`, lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `%20` and the like, decoded.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a link target names a scheme (`https:`, `mailto:`): not checked.
fn has_scheme(target: &str) -> bool {
    match target.find(':') {
        Some(colon) => {
            let scheme = &target[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !target[..colon].contains('/')
        }
        None => false,
    }
}

/// Why `link` (in `page`) leads nowhere, or `None` when it leads somewhere.
fn broken(
    root: &Path,
    page: &Path,
    target: &str,
    anchors_of: &mut dyn FnMut(&Path) -> Option<BTreeSet<String>>,
) -> Option<String> {
    if target.is_empty() {
        return Some("an empty link".to_string());
    }
    if has_scheme(target) {
        return None;
    }
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (target, None),
    };
    let path = percent_decode(path.split('?').next().unwrap_or_default());
    let file = if path.is_empty() {
        page.to_path_buf()
    } else if let Some(from_root) = path.strip_prefix('/') {
        normalize(&root.join(from_root))
    } else {
        normalize(&page.parent().unwrap().join(&path))
    };
    let shown = |file: &Path| {
        file.strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string()
    };
    if !file.exists() {
        return Some(format!("{} does not exist", shown(&file)));
    }
    let anchor = anchor?;
    if file.extension().is_none_or(|e| e != "md") {
        return None;
    }
    let known = anchors_of(&file)?;
    let anchor = percent_decode(anchor);
    (!known.contains(&anchor))
        .then(|| format!("{} has no heading with the anchor #{anchor}", shown(&file)))
}

#[test]
fn relative_links_in_markdown_files_lead_somewhere() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = markdown_files(root);
    assert!(
        pages.iter().any(|p| p.ends_with("README.md")),
        "no README.md found under {}",
        root.display()
    );
    let mut cache: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut anchors_of = |file: &Path| -> Option<BTreeSet<String>> {
        if let Some(known) = cache.get(file) {
            return Some(known.clone());
        }
        let text = std::fs::read_to_string(file).ok()?;
        let known = anchors(&text);
        cache.insert(file.to_path_buf(), known.clone());
        Some(known)
    };
    let mut problems = Vec::new();
    for page in &pages {
        let text =
            std::fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        for link in links(&text) {
            if let Some(why) = broken(root, page, &link.target, &mut anchors_of) {
                problems.push(format!(
                    "{}:{}: broken link `{}`: {why}",
                    page.strip_prefix(root).unwrap_or(page).display(),
                    link.line,
                    link.target
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} broken link(s) in the Markdown files:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn links_are_found_where_markdown_renders_them() {
    let page = "# Title\n\
                See [a](a.md), ![b](img/b.png \"title\") and [c](<with space.md>).\n\
                `[not](code.md)` <!-- [hidden](x.md) -->\n\
                ```sh\n[in](block.md)\n```\n\
                [ref]: docs/ref.md#part\n\
                [d](https://example.org) [e](#title) [f](x.md#y_z)\n";
    let found = links(page);
    let found: Vec<(usize, &str)> = found.iter().map(|l| (l.line, l.target.as_str())).collect();
    assert_eq!(
        found,
        [
            (2, "a.md"),
            (2, "img/b.png"),
            (2, "with space.md"),
            (7, "docs/ref.md#part"),
            (8, "https://example.org"),
            (8, "#title"),
            (8, "x.md#y_z"),
        ]
    );
    assert!(has_scheme("https://example.org") && has_scheme("mailto:a@b.c"));
    assert!(!has_scheme("docs/a.md") && !has_scheme("#x"));
}

#[test]
fn anchors_follow_githubs_slugs() {
    assert_eq!(slug("Which SDK release"), "which-sdk-release");
    assert_eq!(slug("Family conformance"), "family-conformance");
    assert_eq!(
        slug("A new cookbook or SDK release"),
        "a-new-cookbook-or-sdk-release"
    );
    assert_eq!(
        slug("Exit status & output (v2.1)"),
        "exit-status--output-v21"
    );
    assert_eq!(
        slug("snake_case and kebab-case"),
        "snake_case-and-kebab-case"
    );
    let page = "# Rules\n\n## Family `infra`\n\n## Notes\n\n## Notes\n\n\
                ## See [the index](README.md)\n\n<a id=\"custom\"></a>\n\n\
                Setext\n------\n\n```\n# not a heading\n```\n";
    let found = anchors(page);
    for a in [
        "rules",
        "family-infra",
        "notes",
        "notes-1",
        "see-the-index",
        "custom",
        "setext",
    ] {
        assert!(found.contains(a), "{a} not in {found:?}");
    }
    assert!(!found.contains("not-a-heading"), "{found:?}");
}
