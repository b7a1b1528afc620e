//! A cheap byte search that tells whether a file can contain any finding at all.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Needles that name a suppression directive rather than code (FW900's). The directive syntax
/// ignores ASCII case, so they are matched that way; and `noqa` only counts when an FW code
/// follows it on its line: `# noqa` and `# noqa: E501` belong to other tools and can never give
/// a finding, while they are common in ordinary code.
const DIRECTIVES: &[&str] = &["fwmigrate", "noqa"];

/// Decides from a file's bytes whether it can have any finding at all; a file it rules out is
/// never parsed.
///
/// Needles come in two sets. Those of rules that can fire anywhere count on their own. Those of
/// rules that can only fire in a file importing the cookbook or the `fireworks` package
/// (`RuleMeta::requires_import`) count only when the file also contains an import marker:
/// `fireworks` or the first component of a cookbook root (`training`, ...), since no such import
/// can be written without one. `infrastructure` in some docstring no longer sends a file to the
/// parser.
#[derive(Debug, Clone)]
pub struct Prefilter {
    free: Needles,
    bound: Needles,
    markers: Option<AhoCorasick>,
}

impl Prefilter {
    /// Every rule's needles count on their own (no import gate).
    pub fn new<'a>(rules: impl IntoIterator<Item = &'a [&'a str]>) -> Self {
        Self {
            free: Needles::new(rules),
            bound: Needles::new(std::iter::empty()),
            markers: None,
        }
    }

    /// `free`: needles of rules that may fire in any file; `bound`: needles of rules that need a
    /// Fireworks import, gated on `markers`.
    pub fn gated<'a>(
        free: impl IntoIterator<Item = &'a [&'a str]>,
        bound: impl IntoIterator<Item = &'a [&'a str]>,
        markers: &[&str],
    ) -> Self {
        let markers = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(markers)
            .ok();
        Self {
            free: Needles::new(free),
            // Without a marker searcher the gate cannot hold anything back.
            bound: Needles::new(bound),
            markers,
        }
    }

    /// Whether `bytes` may contain a finding.
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        self.free.may_match(bytes)
            || (self.bound.may_match(bytes)
                && self.markers.as_ref().is_none_or(|m| m.is_match(bytes)))
    }
}

/// One searcher over a set of needles.
#[derive(Debug, Clone)]
struct Needles {
    /// Code needles, matched exactly.
    searcher: Option<AhoCorasick>,
    /// Directive needles (lowercase), matched without regard to ASCII case.
    directives: Vec<&'static str>,
    always: bool,
    /// No needles at all: nothing matches.
    never: bool,
}

impl Needles {
    /// `needles` per rule; a rule with no needles makes every file a candidate.
    fn new<'a>(rules: impl IntoIterator<Item = &'a [&'a str]>) -> Self {
        let mut all: Vec<&str> = Vec::new();
        let mut always = false;
        let mut any_rule = false;
        for needles in rules {
            any_rule = true;
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
        let never = !any_rule && !disabled;
        let off = always || disabled || (any_rule && all.is_empty() && directives.is_empty());
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
            never,
        }
    }

    fn may_match(&self, bytes: &[u8]) -> bool {
        if self.always {
            return true;
        }
        if self.never {
            return false;
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
    fn needles_of_import_bound_rules_need_an_import_marker() {
        let free: Vec<&[&str]> = vec![&["trainingShapes/"], &["fwmigrate", "noqa"]];
        let bound: Vec<&[&str]> = vec![&["Infra"], &["recipes"]];
        let p = Prefilter::gated(free, bound, &["fireworks", "training"]);
        assert!(!p.may_match(
            b"# Infrastructure notes
x = 1
"
        ));
        assert!(p.may_match(
            b"from training.utils import InfraConfig
"
        ));
        assert!(p.may_match(
            b"from fireworks.training.sdk import x
Infra()
"
        ));
        // Import-free rules need no marker.
        assert!(p.may_match(
            b"S = 'accounts/a/trainingShapes/s/versions/1'
"
        ));
        assert!(p.may_match(
            b"x = 1  # noqa: FW001
"
        ));
        // Nothing at all.
        assert!(!p.may_match(
            b"import os
"
        ));
        let empty: Vec<&[&str]> = Vec::new();
        assert!(!Prefilter::gated(empty.clone(), empty, &["fireworks"]).may_match(b"fireworks"));
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
