//! A cheap byte search that tells whether a file can contain any finding at all.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// One searcher over the needles of every selected rule. A file that contains none of them is
/// never parsed.
#[derive(Debug, Clone)]
pub struct Prefilter {
    searcher: Option<AhoCorasick>,
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
        let disabled = std::env::var_os("FWMIGRATE_NO_PREFILTER").is_some_and(|v| v != "0");
        let searcher = if always || disabled || all.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&all)
                .ok()
        };
        Self {
            always: always || disabled || searcher.is_none(),
            searcher,
        }
    }

    /// Whether `bytes` may contain a finding.
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        if self.always {
            return true;
        }
        self.searcher.as_ref().is_none_or(|s| s.is_match(bytes))
    }
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
    }

    #[test]
    fn a_rule_without_needles_disables_the_filter() {
        let rules: Vec<&[&str]> = vec![&["InfraConfig"], &[]];
        assert!(Prefilter::new(rules).may_match(b"anything"));
    }
}
