//! A cheap byte search that tells whether a file can contain any finding at all.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Needles that name a suppression directive rather than code (FW900's). The directive syntax
/// ignores ASCII case, so they are matched that way; and `noqa` only counts when an FW code
/// follows it on its line: `# noqa` and `# noqa: E501` belong to other tools and can never give
/// a finding, while they are common in ordinary code.
const DIRECTIVES: &[&str] = &["fwmigrate", "noqa"];

/// One searcher over the needles of every selected rule. A file that contains none of them is
/// never parsed.
#[derive(Debug, Clone)]
pub struct Prefilter {
    /// Code needles, matched exactly.
    searcher: Option<AhoCorasick>,
    /// Directive needles (lowercase), matched without regard to ASCII case.
    directives: Vec<&'static str>,
    always: bool,
}

impl Prefilter {
    /// `needles` per rule; a rule with no needles makes every file a candidate.
    pub fn new<'a>(rules: impl IntoIterator<Item = &'a [&'a str]>) -> Self {
        let mut all: Vec<&str> = Vec::new();
        let mut always = false;
        for needles in rules {
            if needles.is_empty() {
                always = true;
            }
            all.extend(needles.iter().copied());
        }
        all.sort_unstable();
        all.dedup();
        let directives: Vec<&'static str> = DIRECTIVES
            .iter()
            .copied()
            .filter(|d| all.iter().any(|n| n.eq_ignore_ascii_case(d)))
            .collect();
        all.retain(|n| !directives.iter().any(|d| n.eq_ignore_ascii_case(d)));
        let disabled = std::env::var_os("FWMIGRATE_NO_PREFILTER").is_some_and(|v| v != "0");
        let off = always || disabled || (all.is_empty() && directives.is_empty());
        let searcher = if off || all.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&all)
                .ok()
        };
        // A searcher that failed to build must not hide files.
        let broken = !all.is_empty() && searcher.is_none();
        Self {
            always: off || broken,
            searcher,
            directives,
        }
    }

    /// Whether `bytes` may contain a finding.
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        if self.always {
            return true;
        }
        if self.searcher.as_ref().is_some_and(|s| s.is_match(bytes)) {
            return true;
        }
        self.directives.iter().any(|&d| {
            if d == "noqa" {
                find_ci(bytes, b"noqa", 2).any(|end| fw_code_follows(&bytes[end..]))
            } else {
                find_ci(bytes, d.as_bytes(), 1).next().is_some()
            }
        })
    }
}

/// End offsets of the matches of `needle` (lowercase ASCII) in `hay`, ignoring ASCII case.
/// Candidates come from a SIMD search for the needle's byte at `anchor` in both cases, so a
/// rare anchor (`q` of `noqa`, `w` of `fwmigrate`) makes this nearly as fast as an exact search
/// (a case-insensitive automaton would step byte by byte).
fn find_ci<'a>(hay: &'a [u8], needle: &'a [u8], anchor: usize) -> impl Iterator<Item = usize> + 'a {
    let lower = needle[anchor];
    memchr::memchr2_iter(lower, lower.to_ascii_uppercase(), hay).filter_map(move |at| {
        let start = at.checked_sub(anchor)?;
        let end = start + needle.len();
        (end <= hay.len() && hay[start..end].eq_ignore_ascii_case(needle)).then_some(end)
    })
}

/// After `noqa`: a `:` and, before the end of the line, something that may be an FW code. A
/// superset of what the suppression parser accepts.
fn fw_code_follows(rest: &[u8]) -> bool {
    let rest = &rest[rest
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(rest.len())..];
    let Some(rest) = rest.strip_prefix(b":") else {
        return false;
    };
    let line = &rest[..line_len(rest)];
    line.windows(2).any(|w| w.eq_ignore_ascii_case(b"fw"))
}

fn line_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_any_needle() {
        let rules: Vec<&[&str]> = vec![&["InfraConfig"], &["rlor_mgr", "hotload"]];
        let p = Prefilter::new(rules);
        assert!(p.may_match(b"x = InfraConfig()"));
        assert!(p.may_match(b"main(cfg, rlor_mgr=m)"));
        assert!(!p.may_match(b"import os\nprint(1)\n"));
        // Code needles are exact.
        assert!(!p.may_match(b"x = INFRACONFIG()"));
    }

    #[test]
    fn a_rule_without_needles_disables_the_filter() {
        let rules: Vec<&[&str]> = vec![&["InfraConfig"], &[]];
        assert!(Prefilter::new(rules).may_match(b"anything"));
    }

    #[test]
    fn directives_ignore_case_and_noqa_needs_an_fw_code() {
        let rules: Vec<&[&str]> = vec![&["InfraConfig"], &["fwmigrate", "noqa"]];
        let p = Prefilter::new(rules);
        assert!(p.may_match(b"x = 1  # fwmigrate: ignore[FW001]\n"));
        assert!(p.may_match(b"x = 1  # FWMIGRATE: ignore\n"));
        assert!(p.may_match(b"x = 1  # noqa: FW001\n"));
        assert!(p.may_match(b"x = 1  # NOQA : E501, fw002\n"));
        assert!(p.may_match(b"import a  # noqa: F401\nx = 1  # noqa: FW003\n"));
        // Other tools' suppressions cannot give a finding.
        assert!(!p.may_match(b"import a  # noqa\n"));
        assert!(!p.may_match(b"import a  # noqa: F401\nfw = 1\n"));
        assert!(!p.may_match(b"import a  # NoQA:E501\r\nFW = 2\r\n"));
        assert!(!p.may_match(b"x = 1  # noqa"));
        assert!(p.may_match(b"q\n# nOqA:fW1\n"));
        assert!(p.may_match(b"w# FwMiGrAtE: ignore"));
        assert!(!p.may_match(b"qa = noq\n# fwmigrat"));
    }

    #[test]
    fn directive_needles_alone_still_filter() {
        let rules: Vec<&[&str]> = vec![&["fwmigrate", "noqa"]];
        let p = Prefilter::new(rules);
        assert!(!p.may_match(b"import os\n"));
        assert!(p.may_match(b"import os  # noqa: FW900\n"));
    }
}
