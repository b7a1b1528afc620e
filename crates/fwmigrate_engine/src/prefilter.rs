//! A cheap byte search that tells whether a file can contain any finding at all.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};

use crate::suppression::IGNORE_KEYWORD;

/// Needles that name a suppression directive rather than code (FW900's). The directive syntax
/// ignores the ASCII case of these words, so they are matched that way; and `noqa` only counts
/// when an FW code follows it on its line: `# noqa` and `# noqa: E501` belong to other tools and
/// can never give a finding, while they are common in ordinary code.
const FWMIGRATE: &str = "fwmigrate";
const NOQA: &str = "noqa";

// What an occurrence of a pattern proves about the file.
/// A needle of a rule that may fire in any file.
const FREE: u8 = 1;
/// A needle of a rule that needs a Fireworks import.
const BOUND: u8 = 2;
/// An import marker.
const MARKER: u8 = 4;
/// `ignore`, which every `fwmigrate:` directive spells in lower case.
const IGNORE: u8 = 8;
/// `noqa` in some case (counts only when an FW code follows).
const NOQA_WORD: u8 = 16;

/// Decides from a file's bytes whether it can have any finding at all; a file it rules out is
/// never parsed.
///
/// Needles come in two sets. Those of rules that can fire anywhere count on their own. Those of
/// rules that can only fire in a file importing the cookbook or the `fireworks` package
/// (`RuleMeta::requires_import`) count only when the file also has an import marker, `fireworks`
/// or the first component of a cookbook root (`training`, ...), spelled as an imported module
/// (after `import`, `from` or `,`; see [`in_import`]), since no such import can be written
/// otherwise. `infrastructure` in some docstring, or `training` in most prose, no longer sends
/// a file to the parser (the test is a superset: `# results from training` passes it). A
/// needle-less rule of that set runs on every file with such an import.
///
/// A file costs one pass of a SIMD-accelerated automaton over the markers, the free needles
/// and the directive words (the gate); only a file where it finds an import marker is searched
/// again by a second automaton with every pattern, the import-bound rules' needles too. Most
/// files import nothing of Fireworks, and the gate's smaller pattern set searches faster. Matches are leftmost-longest and the search resumes one byte after each
/// match's start, so every position where a pattern starts is seen, and the patterns hidden
/// behind a reported one (shorter ones at the same start) are substrings of it, whose classes
/// it carries: the classes found are exact. The search stops as soon as the file qualifies.
#[derive(Debug, Clone)]
pub struct Prefilter {
    /// Every pattern. `None` when there is none.
    all: Option<Automaton>,
    /// The patterns that are not needles of import-bound rules alone (the markers, the free
    /// needles, the directive words), when there are such needles to leave out. Most files have
    /// no Fireworks import: for them this smaller automaton (a faster searcher) decides alone,
    /// and only a file where it finds an import marker is searched again with `all`.
    gate: Option<Automaton>,
    /// Classes every file has: a set with a needle-less rule, or no gate.
    given: u8,
    /// A `fwmigrate:` directive can give a finding.
    fwmigrate_directive: bool,
    /// Every file is a candidate.
    always: bool,
}

impl Prefilter {
    /// Every rule's needles count on their own (no import gate).
    pub fn new<'a>(rules: impl IntoIterator<Item = &'a [&'a str]>) -> Self {
        Self::build(rules, std::iter::empty(), None)
    }

    /// `free`: needles of rules that may fire in any file; `bound`: needles of rules that need a
    /// Fireworks import, gated on `markers`.
    pub fn gated<'a>(
        free: impl IntoIterator<Item = &'a [&'a str]>,
        bound: impl IntoIterator<Item = &'a [&'a str]>,
        markers: &[&str],
    ) -> Self {
        Self::build(free, bound, Some(markers))
    }

    fn build<'a>(
        free: impl IntoIterator<Item = &'a [&'a str]>,
        bound: impl IntoIterator<Item = &'a [&'a str]>,
        markers: Option<&[&str]>,
    ) -> Self {
        let free = NeedleSet::new(free);
        let bound = NeedleSet::new(bound);
        let mut given = 0;
        if free.always {
            given |= FREE;
        }
        if bound.always {
            given |= BOUND;
        }
        // Without markers there is no gate: bound needles count on their own.
        let markers = markers.filter(|m| !m.is_empty());
        if markers.is_none() {
            given |= MARKER;
        }
        let mut patterns: Vec<(String, u8)> = Vec::new();
        let mut add = |needle: &str, class: u8| match patterns.iter_mut().find(|(n, _)| n == needle)
        {
            Some((_, c)) => *c |= class,
            None => patterns.push((needle.to_string(), class)),
        };
        for n in &free.code {
            add(n, FREE);
        }
        for n in &bound.code {
            add(n, BOUND);
        }
        for m in markers.unwrap_or_default() {
            add(m, MARKER);
        }
        let directive = |word| free.directives.contains(&word) || bound.directives.contains(&word);
        let fwmigrate_directive = directive(FWMIGRATE);
        if fwmigrate_directive {
            add(IGNORE_KEYWORD, IGNORE);
        }
        if directive(NOQA) {
            for form in case_forms(NOQA) {
                add(&form, NOQA_WORD);
            }
        }
        let marker_words: Vec<&str> = markers.unwrap_or_default().to_vec();
        let all = Automaton::new(&patterns, &marker_words);
        // A searcher that failed to build must not hide files.
        let broken = !patterns.is_empty() && all.is_none();
        let gate = if markers.is_some() && patterns.iter().any(|(_, c)| *c == BOUND) {
            let unbound: Vec<(String, u8)> = patterns
                .iter()
                .filter(|(_, c)| *c != BOUND)
                .cloned()
                .collect();
            Automaton::new(&unbound, &marker_words)
        } else {
            None
        };
        let disabled = std::env::var_os("FWMIGRATE_NO_PREFILTER").is_some_and(|v| v != "0");
        let never = !free.any_rule && !bound.any_rule;
        Self {
            always: disabled || (!never && (broken || qualifies(given))),
            all,
            gate,
            given,
            fwmigrate_directive,
        }
    }

    /// Whether `bytes` may contain a finding.
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        self.scan(bytes, false)
    }

    /// [`Prefilter::may_match`] for a notebook's undecoded JSON, where the blanks between
    /// `import` and a module can be escapes (`\t`, `\\` + newline) or a string boundary: a
    /// marker counts wherever it stands. The decoded cells are filtered again exactly.
    pub fn may_match_raw_notebook(&self, bytes: &[u8]) -> bool {
        self.scan(bytes, true)
    }

    fn scan(&self, bytes: &[u8], markers_anywhere: bool) -> bool {
        if self.always {
            return true;
        }
        let Some(all) = &self.all else {
            return false;
        };
        // Without an import marker, needles of import-bound rules cannot make the file a
        // candidate: the gate, which has every other pattern, finds the same classes.
        let found = match &self.gate {
            Some(gate) => match gate.scan(bytes, markers_anywhere, self.given) {
                Scan::Candidate => return true,
                Scan::Found(found) if found & MARKER == 0 => found,
                Scan::Found(_) => match all.scan(bytes, markers_anywhere, self.given) {
                    Scan::Candidate => return true,
                    Scan::Found(found) => found,
                },
            },
            None => match all.scan(bytes, markers_anywhere, self.given) {
                Scan::Candidate => return true,
                Scan::Found(found) => found,
            },
        };
        // A `fwmigrate:` directive always spells `ignore`: only then is the slower
        // case-insensitive search worth it.
        self.fwmigrate_directive
            && found & IGNORE != 0
            && find_ci(bytes, FWMIGRATE.as_bytes(), 1).next().is_some()
    }
}

/// One searcher over a set of patterns, and what an occurrence of each proves.
#[derive(Debug, Clone)]
struct Automaton {
    searcher: AhoCorasick,
    /// Per pattern, the classes an occurrence of it proves: its own and those of the patterns
    /// it contains.
    classes: Vec<u8>,
    /// Per pattern, where import markers stand inside it (offset, length): an occurrence
    /// proves [`MARKER`] only where it is spelled as an import ([`in_import`]).
    markers: Vec<Vec<(usize, usize)>>,
}

/// What a search of a file found.
enum Scan {
    /// The file may have a finding (it stopped there).
    Candidate,
    /// The classes found in the whole file, which do not make it a candidate on their own.
    Found(u8),
}

impl Automaton {
    /// `None` when there is no pattern, or the searcher cannot be built.
    fn new(patterns: &[(String, u8)], marker_words: &[&str]) -> Option<Self> {
        if patterns.is_empty() {
            return None;
        }
        let classes = patterns
            .iter()
            .map(|(p, _)| {
                patterns
                    .iter()
                    .filter(|(q, _)| p.contains(q.as_str()))
                    .fold(0, |acc, (_, c)| acc | c)
            })
            .collect();
        let markers = patterns
            .iter()
            .map(|(p, _)| {
                marker_words
                    .iter()
                    .flat_map(|m| p.match_indices(m).map(|(at, m)| (at, m.len())))
                    .collect()
            })
            .collect();
        let searcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns.iter().map(|(p, _)| p))
            .ok()?;
        Some(Self {
            searcher,
            classes,
            markers,
        })
    }

    /// Search `bytes` from `given`, stopping as soon as the file qualifies.
    fn scan(&self, bytes: &[u8], markers_anywhere: bool, given: u8) -> Scan {
        let mut found = given;
        let mut at = 0;
        while let Some(m) = self.searcher.find(Input::new(bytes).range(at..)) {
            let mut classes = self.classes[m.pattern().as_usize()];
            if classes & NOQA_WORD != 0 && noqa_directive_in(bytes, m.start(), m.end()) {
                return Scan::Candidate;
            }
            classes &= !NOQA_WORD;
            if classes & MARKER != 0
                && found & MARKER == 0
                && !markers_anywhere
                && !self.markers[m.pattern().as_usize()]
                    .iter()
                    .any(|&(at, len)| in_import(bytes, m.start() + at, len))
            {
                classes &= !MARKER;
            }
            found |= classes;
            if qualifies(found) {
                return Scan::Candidate;
            }
            at = m.start() + 1;
        }
        Scan::Found(found)
    }
}

/// Whether the marker at `bytes[start..start + len]` is spelled as the first name of an
/// imported module: a whole word, not after a `.`, and after `import`, `from` or a `,` (an import
/// list), with only blanks or line continuations between. Every import the semantic model counts
/// as a Fireworks import is spelled so (`from training.utils import X`, `import fireworks as fw`,
/// `from fireworks import training`, `import os, training`), while the word as a variable or in
/// most prose (`training = True`, `# the training loop`) is not. A superset: `# results from
/// training` passes too, which only costs a parse.
fn in_import(bytes: &[u8], start: usize, len: usize) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let end = start + len;
    if bytes.get(end).is_some_and(|&b| word(b)) {
        return false;
    }
    let before = &bytes[..start];
    if before.last().is_some_and(|&b| word(b) || b == b'.') {
        return false;
    }
    let trimmed = before.len()
        - before
            .iter()
            .rev()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0c' | b'\\' | b'\r' | b'\n'))
            .count();
    let before = &before[..trimmed];
    if before.last() == Some(&b',') {
        return true;
    }
    [b"import".as_slice(), b"from"].iter().any(|keyword| {
        let Some(rest) = before.strip_suffix(*keyword) else {
            return false;
        };
        // A notebook's JSON may put the line break before the keyword as an escape (`\n`).
        let escape = rest.len() >= 2
            && rest[rest.len() - 2] == b'\\'
            && matches!(rest[rest.len() - 1], b'n' | b'r' | b't');
        escape || !rest.last().is_some_and(|&b| word(b) || b == b'.')
    })
}

/// Whether the classes found make a file a candidate.
fn qualifies(found: u8) -> bool {
    found & FREE != 0 || found & (BOUND | MARKER) == BOUND | MARKER
}

/// Every ASCII case form of `word` (`noqa`, `noqA`, ..., `NOQA`).
fn case_forms(word: &str) -> Vec<String> {
    let bytes = word.as_bytes();
    (0..1u32 << bytes.len())
        .map(|mask| {
            bytes
                .iter()
                .enumerate()
                .map(|(i, &b)| {
                    if mask >> i & 1 == 1 {
                        char::from(b.to_ascii_uppercase())
                    } else {
                        char::from(b)
                    }
                })
                .collect()
        })
        .collect()
}

/// Whether some `noqa` (any case) in `bytes[start..end]` is followed by an FW code.
fn noqa_directive_in(bytes: &[u8], start: usize, end: usize) -> bool {
    find_ci(&bytes[start..], NOQA.as_bytes(), 2)
        .take_while(|&e| start + e <= end)
        .any(|e| fw_code_follows(&bytes[start + e..]))
}

/// The needles of one set of rules, code needles apart from directive words.
struct NeedleSet<'a> {
    code: Vec<&'a str>,
    /// The directive words among the needles ([`FWMIGRATE`], [`NOQA`]).
    directives: Vec<&'static str>,
    /// A rule without needles (or rules without any needle): every file is a candidate.
    always: bool,
    any_rule: bool,
}

impl<'a> NeedleSet<'a> {
    fn new(rules: impl IntoIterator<Item = &'a [&'a str]>) -> Self {
        let mut code: Vec<&str> = Vec::new();
        let mut always = false;
        let mut any_rule = false;
        for needles in rules {
            any_rule = true;
            always |= needles.is_empty();
            code.extend(needles.iter().copied());
        }
        code.sort_unstable();
        code.dedup();
        let directives: Vec<&'static str> = [FWMIGRATE, NOQA]
            .into_iter()
            .filter(|d| code.iter().any(|n| n.eq_ignore_ascii_case(d)))
            .collect();
        code.retain(|n| !directives.iter().any(|d| n.eq_ignore_ascii_case(d)));
        Self {
            always: always || (any_rule && code.is_empty() && directives.is_empty()),
            code,
            directives,
            any_rule,
        }
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

    /// The gate (every pattern but the import-bound needles, searched first) never changes a
    /// verdict: on every text built from needles, markers, directive words and noise, with
    /// and without the gate, raw notebook JSON or not, the answer is the same.
    #[test]
    fn the_gate_changes_no_verdict() {
        let free: Vec<&[&str]> = vec![&["trainingShapes/", "infra="], &["fwmigrate", "noqa"]];
        let bound: Vec<&[&str]> = vec![
            &["setup_infra", "InfraConfig"],
            &["training_shape_id", "myfireworks_x"],
            &["Fireworks"],
        ];
        let gated = Prefilter::gated(free, bound, &["fireworks", "training"]);
        assert!(gated.gate.is_some());
        let ungated = Prefilter {
            gate: None,
            ..gated.clone()
        };
        let pieces = [
            "from training.utils import ",
            "import fireworks as fw\n",
            "training = 1\n",
            "setup_infra(",
            "InfraConfig",
            "training_shape_id=",
            "myfireworks_x",
            "infra=",
            "# noqa: FW001\n",
            "# noqa\n",
            "# fwmigrate: ignore[FW001]\n",
            "IGNORE ",
            "x = 'trainingShapes/s'\n",
            "\n",
            "import os, training\n",
            "# results from training\n",
        ];
        let mut checked = 0;
        for a in 0..pieces.len() {
            for b in 0..pieces.len() {
                for c in 0..pieces.len() {
                    let text = format!("{}{}{}", pieces[a], pieces[b], pieces[c]);
                    for raw in [false, true] {
                        assert_eq!(
                            gated.scan(text.as_bytes(), raw),
                            ungated.scan(text.as_bytes(), raw),
                            "{text:?} (raw notebook: {raw})"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 2 * pieces.len().pow(3));
    }

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
    fn a_marker_counts_where_it_is_imported() {
        let at = |text: &str, word: &str| {
            in_import(text.as_bytes(), text.find(word).unwrap(), word.len())
        };
        for text in [
            "from training.utils import X",
            "import training",
            "import training as t",
            "import  fireworks.training.sdk as sdk",
            "from fireworks import training",
            "import os, training",
            "x = 1; import training",
            "import\x0ctraining",
            "from \\\n    training import utils",
            "\"import training\\n\",",
            "\"source\": \"x = 1\\nimport training\\n\"",
            "\"x = 1\\r\\nfrom fireworks.training import sdk\"",
        ] {
            let word = if text.contains("fireworks") {
                "fireworks"
            } else {
                "training"
            };
            assert!(at(text, word), "{text:?}");
        }
        for text in [
            "# the training loop",
            "training = True",
            "pretraining",
            "import pretraining",
            "import training_data",
            "from x.training import y",
            "reimport training",
            "self.training",
        ] {
            let word = if text.contains("fireworks") {
                "fireworks"
            } else {
                "training"
            };
            assert!(!at(text, word), "{text:?}");
        }
        // A file that mentions the words without importing them is not parsed for rules that
        // need a Fireworks import.
        let bound: Vec<&[&str]> = vec![&[]];
        let p = Prefilter::gated(Vec::<&[&str]>::new(), bound, &["fireworks", "training"]);
        assert!(!p.may_match(b"# fireworks at the training party\ntraining = 1\n"));
        assert!(p.may_match(b"# training\nfrom training.utils import x\n"));
        assert!(p.may_match(b"import os\nimport fireworks\n"));
        // In a notebook's raw JSON the blanks may be escapes: the decoded cells decide.
        let raw = br#"{"source": ["from \\\n", "    training.utils import x"]}"#;
        assert!(!p.may_match(raw));
        assert!(p.may_match_raw_notebook(raw));
        assert!(p.may_match_raw_notebook(br#""import\ttraining""#));
        assert!(!p.may_match_raw_notebook(b"no marker at all"));
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
    fn overlapping_needles_are_all_seen() {
        // A free needle that starts inside a match of a bound needle or a marker.
        let free: Vec<&[&str]> = vec![&["infra="]];
        let bound: Vec<&[&str]> = vec![&["setup_infra"]];
        let p = Prefilter::gated(free.clone(), bound.clone(), &["fireworks", "training"]);
        assert!(p.may_match(b"setup_infra=1\n"));
        assert!(!p.may_match(b"setup_infra(1)\n"));
        // A marker that is a prefix of a longer bound needle at the same start, and one that
        // is a suffix of it.
        // Inside a needle a marker is not an import; next to one it is.
        let bound: Vec<&[&str]> = vec![&["training_shape_id"], &["myfireworks_x"]];
        let p = Prefilter::gated(free.clone(), bound, &["fireworks", "training"]);
        assert!(!p.may_match(b"x.training_shape_id = 1\n"));
        assert!(p.may_match(b"import training\nx.training_shape_id = 1\n"));
        assert!(p.may_match(b"from training import training_shape_id\n"));
        assert!(!p.may_match(b"myfireworks_x\n"));
        assert!(p.may_match(b"import fireworks\nmyfireworks_x\n"));
        // A marker hidden by a longer bound needle at the same start.
        let bound: Vec<&[&str]> = vec![&["trainer"], &["import train"]];
        let p = Prefilter::gated(free, bound, &["train"]);
        assert!(p.may_match(b"import train\n"));
        assert!(!p.may_match(b"trainer\n"));
        assert!(!p.may_match(b"trainee\n"));
        // The order of occurrences does not matter.
        let bound: Vec<&[&str]> = vec![&["Infra"]];
        let p = Prefilter::gated(Vec::<&[&str]>::new(), bound, &["fireworks"]);
        assert!(p.may_match(b"Infra()\nimport fireworks\n"));
        assert!(p.may_match(b"import fireworks\nInfra()\n"));
        assert!(!p.may_match(b"Infra()\nInfra()\n"));
    }

    #[test]
    fn fwmigrate_directives_need_the_ignore_keyword() {
        let rules: Vec<&[&str]> = vec![&["fwmigrate", "noqa"]];
        let p = Prefilter::new(rules);
        // Words that are not directives.
        assert!(!p.may_match(b"# fwmigrate is a codemod\n"));
        assert!(!p.may_match(b"errors = 'ignore'\n"));
        assert!(p.may_match(b"x = 1  # fwmigrate: ignore-file\n"));
        assert!(p.may_match(b"x = 1  # FwMigrate:ignore[FW001]\n"));
        // Every form the suppression parser accepts is kept.
        let samples = [
            "x = 1  # fwmigrate: ignore\n",
            "x = 1  # FWMIGRATE:   ignore[FW101]\n",
            "x = 1  # noqa:FW001\n",
            "x = 1  # NoQa: e501,fw3\n",
            "# a # fwmigrate: ignore-file\n",
        ];
        for text in samples {
            let parsed =
                fwmigrate_parser::ParsedFile::parse(text, fwmigrate_parser::SourceKind::Python)
                    .expect("the sample parses");
            let lines = fwmigrate_parser::LineIndex::new(text);
            let found =
                !crate::suppression::directives(text, parsed.comments(), |o| lines.line_of(o))
                    .is_empty()
                    || crate::suppression::has_ignore_file(text);
            assert!(found, "not a directive: {text:?}");
            assert!(p.may_match(text.as_bytes()), "filtered out: {text:?}");
        }
    }

    /// The definition the automaton implements, by plain substring tests.
    fn reference(free: &[&str], bound: &[&str], markers: &[&str], text: &[u8]) -> bool {
        let has = |n: &str| text.windows(n.len()).any(|w| w == n.as_bytes());
        let imported = |m: &str| {
            (0..text.len().saturating_sub(m.len() - 1))
                .any(|at| text[at..].starts_with(m.as_bytes()) && in_import(text, at, m.len()))
        };
        free.iter().any(|n| has(n))
            || (bound.iter().any(|n| has(n)) && markers.iter().any(|m| imported(m)))
            || find_ci(text, b"noqa", 2).any(|end| fw_code_follows(&text[end..]))
            || (has("ignore") && find_ci(text, b"fwmigrate", 1).next().is_some())
    }

    #[test]
    fn agrees_with_plain_substring_tests_on_random_texts() {
        let free = ["infra=", "trainingShapes/", "hot_load_", "output_model_id"];
        let bound = [
            "setup_infra",
            "Infra",
            "InfraConfig",
            "training_shape_id",
            "load_",
            "fire",
        ];
        let markers = ["fireworks", "training"];
        let mut free_rules: Vec<&[&str]> = free.iter().map(std::slice::from_ref).collect();
        free_rules.push(&["fwmigrate", "noqa"]);
        let bound_rules: Vec<&[&str]> = bound.iter().map(std::slice::from_ref).collect();
        let p = Prefilter::gated(free_rules, bound_rules, &markers);
        let pieces: Vec<&str> = free
            .iter()
            .chain(&bound)
            .chain(&markers)
            .flat_map(|n| [*n, &n[..n.len() / 2], &n[n.len() / 2..]])
            .chain([
                "ignore",
                "noqa",
                "NoQ",
                "qa",
                ": ",
                ":",
                "FW1",
                "fw",
                "# ",
                "fwmigrate",
                "FWMIGRATE",
                "\n",
                " ",
                "=",
                "x",
                "(",
                ")",
                "import ",
                "from ",
                ", ",
                ".",
            ])
            .collect();
        // A fixed xorshift sequence: the same texts on every run.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut positives = 0;
        for _ in 0..20_000 {
            let len = 1 + next() % 12;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let want = reference(&free, &bound, &markers, text.as_bytes());
            positives += usize::from(want);
            assert_eq!(p.may_match(text.as_bytes()), want, "{text:?}");
        }
        // Both answers were exercised.
        assert!(positives > 1_000 && positives < 19_000, "{positives}");
    }

    #[test]
    fn case_forms_are_every_spelling() {
        let forms = case_forms("noqa");
        assert_eq!(forms.len(), 16);
        assert!(forms.contains(&"nOqA".to_string()));
        let unique: std::collections::BTreeSet<_> = forms.iter().collect();
        assert_eq!(unique.len(), 16);
    }

    #[test]
    fn directive_needles_alone_still_filter() {
        let rules: Vec<&[&str]> = vec![&["fwmigrate", "noqa"]];
        let p = Prefilter::new(rules);
        assert!(!p.may_match(b"import os\n"));
        assert!(p.may_match(b"import os  # noqa: FW900\n"));
    }
}
