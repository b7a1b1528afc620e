//! PEP 440 versions and version specifiers, plus Poetry's constraint syntax.
//!
//! What FW501 and the default `sdk-version` need: parse a version, compare two versions, parse
//! a specifier set (`>=1.2,<2`, `~=1.1`, `==1.2.*`, `===1.0`, ...) or a Poetry constraint
//! (`^1.2`, `~1.2`, `>=1.2 <2 || 3.0`), test membership, decide whether a set admits any version
//! at or above a given minimum, and find the newest of a list of known releases that some sets
//! admit together. Pre-releases are always allowed (the minimum itself may be one).
//!
//! Versions (parsing, normalisation, ordering) are `pep440_rs`'s. The specifier clauses stay
//! here because their semantics must follow the `packaging` library, which pip applies, where
//! `pep440_rs` differs: `==1.2.*` does not match `1` here (the release is zero-padded), and a
//! specifier set keeps its clauses as written (FW501 shows them). So do Poetry constraints,
//! which `pep440_rs` does not parse, and the search for the newest admitted release.
//!
//! Semantics follow `packaging`: `1.0 == 1.0.0`, `<V` excludes pre-releases of `V` unless `V`
//! is one, `>V` excludes post-releases of `V` (and local versions of `V`) unless `V` is one,
//! `==V` ignores the candidate's local label unless `V` has one, `==1.2.*` is a prefix match on
//! the release segment, `~=1.4.2` means `>=1.4.2,==1.4.*`.

use std::fmt;
use std::str::FromStr;

use pep440_rs::Prerelease;

/// A PEP 440 version (`pep440_rs`'s), with the few views the specifiers need.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pep440_rs::Version);

impl Version {
    /// A final release `a.b.c`.
    pub fn release(parts: &[u64]) -> Self {
        Version(pep440_rs::Version::new(parts.iter().copied()))
    }

    /// Parse a version, normalising the spellings PEP 440 allows (`v1.0`, `1.0-alpha.1`,
    /// `1.0-1`, `1.0.RC1`, surrounding whitespace). `None` when it is not a PEP 440 version.
    pub fn parse(text: &str) -> Option<Version> {
        pep440_rs::Version::from_str(text.trim()).ok().map(Version)
    }

    /// The `pep440_rs` version itself (what other crates convert from, without re-parsing).
    pub fn as_pep440(&self) -> &pep440_rs::Version {
        &self.0
    }

    pub fn epoch(&self) -> u64 {
        self.0.epoch()
    }

    /// The release segment (`1.2.0` → `[1, 2, 0]`).
    pub fn release_parts(&self) -> &[u64] {
        self.0.release()
    }

    pub fn is_prerelease(&self) -> bool {
        self.0.pre().is_some() || self.0.dev().is_some()
    }

    pub fn is_postrelease(&self) -> bool {
        self.0.post().is_some()
    }

    fn has_local(&self) -> bool {
        !self.0.local().is_empty()
    }

    /// Only epoch and release: no pre-, post- or development release, no local label.
    fn is_plain(&self) -> bool {
        self.0.pre().is_none()
            && self.0.post().is_none()
            && self.0.dev().is_none()
            && !self.has_local()
    }

    /// The version without its local label.
    pub fn public(&self) -> Version {
        Version(self.0.clone().without_local())
    }

    /// Epoch and release only (`1.2.0a1.post2` → `1.2.0`).
    pub fn base(&self) -> Version {
        self.with_epoch_of(self.release_parts())
    }

    /// A final release `parts` in this version's epoch.
    fn with_epoch_of(&self, parts: &[u64]) -> Version {
        Version(pep440_rs::Version::new(parts.iter().copied()).with_epoch(self.epoch()))
    }

    /// The next pre-, post- or development release after this one (`1.2.0a74` → `1.2.0a75`),
    /// or itself for a final release.
    fn next_suffix(&self) -> Version {
        let v = self.public().0;
        Version(if let Some(dev) = v.dev() {
            v.with_dev(Some(dev.saturating_add(1)))
        } else if let Some(post) = v.post() {
            v.with_post(Some(post.saturating_add(1)))
        } else if let Some(pre) = v.pre() {
            v.with_pre(Some(Prerelease {
                kind: pre.kind,
                number: pre.number.saturating_add(1),
            }))
        } else {
            v
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A specifier operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `==V`
    Equal,
    /// `==V.*`
    EqualPrefix,
    /// `!=V`
    NotEqual,
    /// `!=V.*`
    NotEqualPrefix,
    /// `>=V`
    GreaterEqual,
    /// `<=V`
    LessEqual,
    /// `>V`
    Greater,
    /// `<V`
    Less,
    /// `~=V`
    Compatible,
    /// `===V`
    Arbitrary,
}

/// One clause such as `>=1.2.0a74`.
#[derive(Debug, Clone)]
pub struct Specifier {
    pub op: Operator,
    pub version: Version,
}

impl Specifier {
    /// Parse one PEP 440 clause (`>= 1.2`, `==1.2.*`, `~=1.1`).
    pub fn parse(text: &str) -> Option<Specifier> {
        let text = text.trim();
        let ops: [(&str, Operator); 8] = [
            ("===", Operator::Arbitrary),
            ("~=", Operator::Compatible),
            ("==", Operator::Equal),
            ("!=", Operator::NotEqual),
            (">=", Operator::GreaterEqual),
            ("<=", Operator::LessEqual),
            (">", Operator::Greater),
            ("<", Operator::Less),
        ];
        let (op, rest) = ops
            .iter()
            .find_map(|(s, op)| text.strip_prefix(s).map(|rest| (*op, rest.trim())))?;
        if rest.is_empty() || rest.contains(char::is_whitespace) {
            return None;
        }
        if let Some(prefix) = rest.strip_suffix(".*") {
            let op = match op {
                Operator::Equal => Operator::EqualPrefix,
                Operator::NotEqual => Operator::NotEqualPrefix,
                _ => return None,
            };
            let version = Version::parse(prefix)?;
            if !version.is_plain() {
                return None;
            }
            return Some(Specifier { op, version });
        }
        let version = Version::parse(rest)?;
        match op {
            Operator::Compatible if version.release_parts().len() < 2 || version.has_local() => {
                None
            }
            Operator::GreaterEqual
            | Operator::LessEqual
            | Operator::Greater
            | Operator::Less
            | Operator::Compatible
                if version.has_local() =>
            {
                None
            }
            _ => Some(Specifier { op, version }),
        }
    }

    /// Whether `v` satisfies this clause (pre-releases allowed).
    pub fn contains(&self, v: &Version) -> bool {
        let spec = &self.version;
        match self.op {
            Operator::Equal => equal(spec, v),
            Operator::NotEqual => !equal(spec, v),
            Operator::EqualPrefix => prefix_match(spec, v),
            Operator::NotEqualPrefix => !prefix_match(spec, v),
            Operator::GreaterEqual => v.public() >= *spec,
            Operator::LessEqual => v.public() <= *spec,
            Operator::Less => {
                v.public() < *spec
                    && !(!spec.is_prerelease() && v.is_prerelease() && v.base() == spec.base())
            }
            Operator::Greater => {
                v.public() > *spec
                    && !(!spec.is_postrelease() && v.is_postrelease() && v.base() == spec.base())
                    && (!v.has_local() || v.base() != spec.base())
            }
            Operator::Compatible => {
                let release = spec.release_parts();
                let prefix = spec.with_epoch_of(&release[..release.len() - 1]);
                v.public() >= *spec && prefix_match(&prefix, v)
            }
            // Arbitrary equality is a string comparison; versions given here are normalised,
            // so compare them as versions including the local label.
            Operator::Arbitrary => v == spec && v.to_string() == spec.to_string(),
        }
    }
}

fn equal(spec: &Version, v: &Version) -> bool {
    if !spec.has_local() {
        v.public() == *spec
    } else {
        v == spec
    }
}

/// `==spec.*`: same epoch, and `v`'s release (zero-padded) starts with `spec`'s release.
fn prefix_match(spec: &Version, v: &Version) -> bool {
    if spec.epoch() != v.epoch() {
        return false;
    }
    spec.release_parts()
        .iter()
        .enumerate()
        .all(|(i, &n)| v.release_parts().get(i).copied().unwrap_or(0) == n)
}

impl fmt::Display for Specifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            Operator::Equal | Operator::EqualPrefix => "==",
            Operator::NotEqual | Operator::NotEqualPrefix => "!=",
            Operator::GreaterEqual => ">=",
            Operator::LessEqual => "<=",
            Operator::Greater => ">",
            Operator::Less => "<",
            Operator::Compatible => "~=",
            Operator::Arbitrary => "===",
        };
        let star = matches!(self.op, Operator::EqualPrefix | Operator::NotEqualPrefix);
        write!(f, "{op}{}{}", self.version, if star { ".*" } else { "" })
    }
}

/// A conjunction of clauses (`>=1.2,<2`). Empty means "any version".
#[derive(Debug, Clone, Default)]
pub struct SpecifierSet {
    pub specifiers: Vec<Specifier>,
}

impl SpecifierSet {
    /// Parse a comma-separated PEP 440 specifier set. `None` when any clause is invalid.
    pub fn parse(text: &str) -> Option<SpecifierSet> {
        let text = text.trim();
        if text.is_empty() {
            return Some(SpecifierSet::default());
        }
        let specifiers = text
            .split(',')
            .map(Specifier::parse)
            .collect::<Option<Vec<_>>>()?;
        Some(SpecifierSet { specifiers })
    }

    pub fn contains(&self, v: &Version) -> bool {
        self.specifiers.iter().all(|s| s.contains(v))
    }

    /// Whether some version at or above `min` satisfies the set.
    ///
    /// The set is a finite union of intervals whose ends are the versions its clauses name, so
    /// it is enough to test `min`, each named version, and the releases right after each of
    /// them (`1.2.9` → `1.2.9.1`, `1.2.10`, `1.3`, `2`).
    pub fn admits_at_or_above(&self, min: &Version) -> bool {
        candidates(min, self.specifiers.iter().map(|s| &s.version))
            .iter()
            .any(|c| self.contains(c))
    }
}

impl fmt::Display for SpecifierSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.specifiers.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

fn candidates<'a>(min: &Version, named: impl Iterator<Item = &'a Version>) -> Vec<Version> {
    let mut out = probes(min, named);
    out.retain(|c| c >= min);
    out
}

/// The versions worth testing to learn whether sets whose clauses name `named` admit anything
/// from `min` on: the admitted versions form intervals whose ends are the named versions, so
/// `min`, each named version, and the versions right after each of them (`1.2.9` → `1.2.9.1`,
/// `1.2.10`, `1.3`, `2`; `1.2.0a74` → `1.2.0a75`) meet every interval there is. Unsorted, and
/// not all at or above `min`.
fn probes<'a>(min: &Version, named: impl Iterator<Item = &'a Version>) -> Vec<Version> {
    let mut out = vec![min.clone(), Version::release(&[1_000_000])];
    let push_around = |v: &Version, out: &mut Vec<Version>| {
        out.push(v.clone());
        out.push(v.public());
        // The next pre-, post- or development release after `v` (`>1.2.0a74` admits 1.2.0a75
        // before any release of 1.2.0.1).
        out.push(v.next_suffix());
        let base = v.base();
        out.push(base.clone());
        let mut appended = base.release_parts().to_vec();
        appended.push(1);
        out.push(v.with_epoch_of(&appended));
        for i in 0..base.release_parts().len() {
            let mut bumped = base.release_parts()[..=i].to_vec();
            bumped[i] = bumped[i].saturating_add(1);
            out.push(v.with_epoch_of(&bumped));
        }
    };
    push_around(min, &mut out);
    for v in named {
        push_around(v, &mut out);
    }
    out
}

/// The versions a dependency declaration admits: a PEP 440 specifier set or a Poetry
/// constraint.
#[derive(Debug, Clone)]
pub enum VersionRange {
    Pep440(SpecifierSet),
    Poetry(PoetryConstraint),
}

impl VersionRange {
    pub fn contains(&self, v: &Version) -> bool {
        match self {
            VersionRange::Pep440(set) => set.contains(v),
            VersionRange::Poetry(c) => c.contains(v),
        }
    }

    /// Whether some version at or above `min` is admitted.
    pub fn admits_at_or_above(&self, min: &Version) -> bool {
        match self {
            VersionRange::Pep440(set) => set.admits_at_or_above(min),
            VersionRange::Poetry(c) => c.admits_at_or_above(min),
        }
    }

    /// The versions the clauses name.
    fn named(&self) -> Vec<&Version> {
        let sets = match self {
            VersionRange::Pep440(set) => std::slice::from_ref(set),
            VersionRange::Poetry(c) => c.alternatives.as_slice(),
        };
        sets.iter()
            .flat_map(|s| s.specifiers.iter().map(|s| &s.version))
            .collect()
    }
}

/// The newest of the `known` releases (ascending) that the ranges admit together, as an index
/// into `known`. Known release `k` counts as admitted when every range admits one same version
/// from `k` up to (not including) the next known release, that is, a version that `k` stands
/// for: with known releases 1.2.9, 1.2.10 and 1.2.12, `>=1.2.0a74,<1.2.10` admits 1.2.9 and
/// `==1.2.11` admits 1.2.10. A range that only admits versions older than the oldest known
/// release admits none (`None`).
pub fn newest_admitted(known: &[Version], ranges: &[&VersionRange]) -> Option<usize> {
    let named: Vec<&Version> = ranges.iter().flat_map(|r| r.named()).collect();
    (0..known.len()).rev().find(|&i| {
        let (lo, hi) = (&known[i], known.get(i + 1));
        probes(lo, named.iter().copied())
            .iter()
            .any(|p| p >= lo && hi.is_none_or(|hi| p < hi) && ranges.iter().all(|r| r.contains(p)))
    })
}

/// A Poetry constraint: a disjunction (`||`) of conjunctions.
#[derive(Debug, Clone)]
pub struct PoetryConstraint {
    pub alternatives: Vec<SpecifierSet>,
}

impl PoetryConstraint {
    /// Parse Poetry's syntax: `^1.2`, `~1.2`, `~=1.2`, `1.2.3`, `1.2.*`, `*`, `>=1.2,<2`,
    /// `>=1.2 <2`, `^1.0 || ^2.0`. `None` when it is not understood.
    pub fn parse(text: &str) -> Option<PoetryConstraint> {
        let alternatives = text
            .split("||")
            .map(parse_poetry_conjunction)
            .collect::<Option<Vec<_>>>()?;
        Some(PoetryConstraint { alternatives })
    }

    pub fn contains(&self, v: &Version) -> bool {
        self.alternatives.iter().any(|a| a.contains(v))
    }

    pub fn admits_at_or_above(&self, min: &Version) -> bool {
        self.alternatives.iter().any(|a| a.admits_at_or_above(min))
    }
}

fn parse_poetry_conjunction(text: &str) -> Option<SpecifierSet> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut specifiers = Vec::new();
    let mut seen_any = false;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let op_start = i;
        while i < bytes.len() && b"<>=!~^".contains(&bytes[i]) {
            i += 1;
        }
        let op = &text[op_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let v_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b',' {
            i += 1;
        }
        let version = &text[v_start..i];
        if version.is_empty() {
            return None;
        }
        seen_any = true;
        match op {
            "" | "=" | "==" if version == "*" => {}
            "" | "=" => specifiers.push(Specifier::parse(&format!("=={version}"))?),
            "^" | "~" => {
                let lower = Version::parse(version)?;
                let r = lower.release_parts();
                let upper: Vec<u64> = if op == "^" {
                    if r[0] != 0 || r.len() == 1 {
                        vec![r[0].checked_add(1)?]
                    } else if r[1] != 0 || r.len() == 2 {
                        vec![0, r[1].checked_add(1)?]
                    } else {
                        vec![0, 0, r[2].checked_add(1)?]
                    }
                } else if r.len() == 1 {
                    vec![r[0].checked_add(1)?]
                } else {
                    vec![r[0], r[1].checked_add(1)?]
                };
                specifiers.push(Specifier {
                    op: Operator::GreaterEqual,
                    version: lower.clone(),
                });
                specifiers.push(Specifier {
                    op: Operator::Less,
                    version: lower.with_epoch_of(&upper),
                });
            }
            _ => specifiers.push(Specifier::parse(&format!("{op}{version}"))?),
        }
    }
    if !seen_any {
        return None;
    }
    Some(SpecifierSet { specifiers })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Why the clauses are not `pep440_rs`'s: `packaging` (what pip applies) zero-pads the
    /// release in a prefix match, so `==1.2.*` does not admit `1`, and `pep440_rs` does.
    #[test]
    fn prefix_matches_follow_packaging() {
        assert!(!set("==1.2.*").contains(&v("1")));
        assert!(set("==1.0.*").contains(&v("1")));
        let theirs: pep440_rs::VersionSpecifiers = "==1.2.*".parse().unwrap();
        assert!(theirs.contains(&pep440_rs::Version::from_str("1").unwrap()));
    }

    fn v(s: &str) -> Version {
        match Version::parse(s) {
            Some(v) => v,
            None => panic!("not a version: {s}"),
        }
    }

    fn set(s: &str) -> SpecifierSet {
        match SpecifierSet::parse(s) {
            Some(set) => set,
            None => panic!("not a specifier set: {s}"),
        }
    }

    fn poetry(s: &str) -> PoetryConstraint {
        match PoetryConstraint::parse(s) {
            Some(c) => c,
            None => panic!("not a poetry constraint: {s}"),
        }
    }

    #[test]
    fn parses_and_normalises() {
        let cases = [
            ("1.2.9", "1.2.9"),
            ("1.2.0a74", "1.2.0a74"),
            ("1.2.0-alpha.74", "1.2.0a74"),
            ("1.2.0.ALPHA74", "1.2.0a74"),
            ("1.0b2", "1.0b2"),
            ("1.0-beta", "1.0b0"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre1", "1.0rc1"),
            ("1.0preview-2", "1.0rc2"),
            ("1.0RC3", "1.0rc3"),
            ("v1.0", "1.0"),
            ("  1.0  ", "1.0"),
            ("1.0-1", "1.0.post1"),
            ("1.0.post", "1.0.post0"),
            ("1.0rev2", "1.0.post2"),
            ("1.0r2", "1.0.post2"),
            ("1.0.dev", "1.0.dev0"),
            ("1.0-dev7", "1.0.dev7"),
            ("1.0a1.post2.dev3", "1.0a1.post2.dev3"),
            ("2!1.0", "2!1.0"),
            ("0!1.0", "1.0"),
            ("1.0+Ubuntu-1", "1.0+ubuntu.1"),
            ("1.0+abc.5", "1.0+abc.5"),
        ];
        for (input, normal) in cases {
            assert_eq!(v(input).to_string(), normal, "{input}");
        }
    }

    #[test]
    fn rejects_non_versions() {
        for bad in [
            "",
            "abc",
            "1.",
            ".1",
            "1.0.x",
            "1.0+",
            "1.0+a..b",
            "1.0 2",
            "${VERSION}",
            "1.0a1a2",
            "99999999999999999999999",
            "1.*",
        ] {
            assert!(Version::parse(bad).is_none(), "{bad:?} parsed");
        }
    }

    #[test]
    fn orders_like_packaging() {
        // Ascending, from PEP 440's examples plus the SDK's pre-release train.
        let ordered = [
            "1.0.dev0",
            "1.0a1.dev1",
            "1.0a1",
            "1.0a1.post1.dev1",
            "1.0a1.post1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+abc",
            "1.0+abc.1",
            "1.0+1",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
            "1.2.0.dev3",
            "1.2.0a9",
            "1.2.0a60",
            "1.2.0a74",
            "1.2.0a100",
            "1.2.0rc1",
            "1.2.0",
            "1.2.1",
            "1.2.9",
            "1.2.10",
            "1.3",
            "2.0",
            "1!0.1",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
            assert!(v(pair[1]) > v(pair[0]), "{} > {}", pair[1], pair[0]);
        }
    }

    #[test]
    fn trailing_zeros_are_equal() {
        assert_eq!(v("1.2"), v("1.2.0"));
        assert_eq!(v("1.2"), v("1.2.0.0"));
        assert_ne!(v("1.2"), v("1.2.0.1"));
        assert_eq!(v("1.2a1"), v("1.2.0a1"));
        assert_ne!(v("1.0"), v("1.0+local"));
    }

    #[test]
    fn parses_specifiers() {
        assert_eq!(set(">= 1.2 , < 2").to_string(), ">=1.2,<2");
        assert_eq!(set("==1.2.*").to_string(), "==1.2.*");
        assert_eq!(set("~=1.1").to_string(), "~=1.1");
        assert_eq!(set("===1.0").to_string(), "===1.0");
        assert!(set("").specifiers.is_empty());
        for bad in [
            "1.0",
            "=>1.0",
            ">=",
            "~=1",
            ">=1.*",
            "==1.0a1.*",
            ">=1.0+local",
            ">=1.0,",
            "== 1.0 2",
            "^1.2",
            ">=${V}",
        ] {
            assert!(SpecifierSet::parse(bad).is_none(), "{bad:?} parsed");
        }
    }

    #[test]
    fn membership() {
        let yes = [
            ("==1.2.0a60", "1.2.0a60"),
            ("==1.2", "1.2.0"),
            ("==1.2", "1.2+local"),
            ("==1.2+local", "1.2+local"),
            ("!=1.2.9", "1.2.10"),
            ("==1.2.*", "1.2.9"),
            ("==1.2.*", "1.2"),
            ("==1.2.*", "1.2.0a74"),
            ("==1.2.0.*", "1.2"),
            ("!=1.2.*", "1.3"),
            (">=1.2.0a74", "1.2.0a74"),
            (">=1.2.0a74", "1.2.9"),
            (">=1.2.0a74", "1.2.0a100"),
            ("<=1.2.9", "1.2.9+local"),
            ("<1.2.0a74", "1.2.0a73"),
            ("<1.3", "1.2.9"),
            ("<1.3a1", "1.3.dev0"),
            (">1.2", "1.2.1"),
            (">1.2.post1", "1.2.post2"),
            (">1.2a1", "1.2a2"),
            ("~=1.1", "1.9"),
            ("~=1.1", "1.2.9"),
            ("~=1.2.0", "1.2.9"),
            ("~=1.2.0a70", "1.2.0a74"),
            ("===1.2.9", "1.2.9"),
            ("==2!1.0", "2!1.0"),
        ];
        for (spec, version) in yes {
            assert!(set(spec).contains(&v(version)), "{version} in {spec}");
        }
        let no = [
            ("==1.2.0a60", "1.2.0a74"),
            ("==1.2+local", "1.2"),
            ("==1.2+local", "1.2+other"),
            ("!=1.2.9", "1.2.9"),
            ("!=1.2.9", "1.2.9+local"),
            ("==1.2.*", "1.3"),
            ("==1.2.*", "1.20"),
            ("==1.2.*", "2!1.2"),
            ("!=1.2.*", "1.2.9"),
            (">=1.2.0a74", "1.2.0a73"),
            ("<1.2.0a74", "1.2.0a74"),
            ("<1.3", "1.3.0rc1"),
            ("<1.3", "1.3.dev0"),
            ("<=1.2.8", "1.2.9"),
            (">1.2", "1.2.post1"),
            (">1.2", "1.2+local"),
            (">1.2", "1.2"),
            ("~=1.1", "2.0"),
            ("~=1.1", "1.0"),
            ("~=1.2.0", "1.3"),
            ("===1.2.9", "1.2.9+local"),
            ("==1.0", "2!1.0"),
        ];
        for (spec, version) in no {
            assert!(!set(spec).contains(&v(version)), "{version} not in {spec}");
        }
    }

    #[test]
    fn conjunction() {
        let s = set(">=1.2.0a50,<1.2.0a70");
        assert!(s.contains(&v("1.2.0a60")));
        assert!(!s.contains(&v("1.2.0a70")));
        assert!(!s.contains(&v("1.2.0a49")));
        assert!(set("").contains(&v("0.0.1")));
    }

    #[test]
    fn admits_at_or_above_the_2026_08_minimum() {
        let min = v("1.2.9");
        let admits = [
            "",
            ">=1.0",
            ">=1.2.9,<2",
            ">=1.3",
            "==1.3.0",
            ">=2",
            "!=1.2.9",
            "~=1.1",
            "~=1.2",
            "==1.*",
            "==1.2.*",
            "<2",
            "<=1.2.9",
            ">1.2.9,<1.2.10",
            "!=1.2.*",
            "===1.4.0",
            ">=1.2.0a74",
        ];
        for s in admits {
            assert!(set(s).admits_at_or_above(&min), "{s} admits >= {min}");
        }
        let stale = [
            "==1.2.0a60",
            ">=1.2.0a50,<1.2.0a70",
            "<1.2.0a74",
            "<=1.2.8",
            "<1.2.9",
            "~=1.1.0",
            "~=1.2.0a70,<1.2.5",
            ">=1.2.0a74,<1.2.5",
            "==1.1.*",
            "==1.2.8",
            "<=1.2.9,!=1.2.9",
            "===1.2.0",
            ">=1.0,<1.2",
        ];
        for s in stale {
            assert!(!set(s).admits_at_or_above(&min), "{s} is stale at {min}");
        }
    }

    #[test]
    fn admits_at_or_above_the_2026_06_minimum() {
        let min = v("1.2.0a74");
        for s in [
            "==1.2.0a74",
            "==1.2.0a80",
            ">=1.2.0a70",
            "~=1.2.0a70",
            "==1.2.*",
        ] {
            assert!(set(s).admits_at_or_above(&min), "{s} admits >= {min}");
        }
        for s in [
            "==1.2.0a60",
            "<1.2.0a74",
            "~=1.1.0",
            "<1.2.0.dev1",
            "==1.1.*",
        ] {
            assert!(!set(s).admits_at_or_above(&min), "{s} is stale at {min}");
        }
    }

    #[test]
    fn poetry_caret_and_tilde() {
        let cases = [
            ("^1.2.3", ">=1.2.3,<2"),
            ("^1.2", ">=1.2,<2"),
            ("^1", ">=1,<2"),
            ("^0.2.3", ">=0.2.3,<0.3"),
            ("^0.0.3", ">=0.0.3,<0.0.4"),
            ("^0.0", ">=0.0,<0.1"),
            ("^0", ">=0,<1"),
            ("^1.2.0a74", ">=1.2.0a74,<2"),
            ("~1.2.3", ">=1.2.3,<1.3"),
            ("~1.2", ">=1.2,<1.3"),
            ("~1", ">=1,<2"),
            ("~=1.2", "~=1.2"),
            ("1.2.3", "==1.2.3"),
            ("=1.2.3", "==1.2.3"),
            ("1.2.*", "==1.2.*"),
            (">= 1.2, < 2", ">=1.2,<2"),
            (">=1.2 <2", ">=1.2,<2"),
            ("*", ""),
        ];
        for (input, expected) in cases {
            let c = poetry(input);
            assert_eq!(c.alternatives.len(), 1, "{input}");
            assert_eq!(c.alternatives[0].to_string(), expected, "{input}");
        }
    }

    #[test]
    fn poetry_union() {
        let c = poetry("^0.9 || ~1.1");
        assert_eq!(c.alternatives.len(), 2);
        assert!(c.contains(&v("0.9.5")));
        assert!(c.contains(&v("1.1.4")));
        assert!(!c.contains(&v("1.2.9")));
        assert!(!c.admits_at_or_above(&v("1.2.9")));
        assert!(poetry("~1.1 || ^1.2").admits_at_or_above(&v("1.2.9")));
    }

    #[test]
    fn poetry_staleness() {
        let min = v("1.2.9");
        assert!(poetry("^1.1").admits_at_or_above(&min));
        assert!(poetry("*").admits_at_or_above(&min));
        assert!(!poetry("~1.1").admits_at_or_above(&min));
        assert!(!poetry("1.2.0a60").admits_at_or_above(&min));
        assert!(!poetry("^0.9").admits_at_or_above(&min));
        assert!(poetry("~1.2").admits_at_or_above(&min));
    }

    #[test]
    fn admits_the_release_right_after_a_pre_release() {
        // `>1.2.0a74` first admits 1.2.0a75, below any final release of 1.2.0.
        assert!(set(">1.2.0a74,<1.2.0b1").admits_at_or_above(&v("1.2.0a74")));
        assert!(set(">1.2.0rc1,<=1.2.0rc9").admits_at_or_above(&v("1.2.0a1")));
        // `<1.2.0` leaves out the pre-releases of 1.2.0.
        assert!(!set(">1.2.0a74,<1.2.0").admits_at_or_above(&v("1.2.0a74")));
        assert!(set(">1.2.dev3,<1.2.0a1").admits_at_or_above(&v("1.2.dev1")));
        assert!(!set(">1.2.0rc1,<1.2.0rc2").admits_at_or_above(&v("1.2.0a1")));
    }

    #[test]
    fn newest_admitted_known_release() {
        let known: Vec<Version> = ["1.2.0a74", "1.2.9", "1.2.10", "1.2.12", "1.2.25", "1.2.30"]
            .into_iter()
            .map(v)
            .collect();
        let pep = |s: &str| VersionRange::Pep440(set(s));
        let newest = |ranges: &[VersionRange]| {
            let refs: Vec<&VersionRange> = ranges.iter().collect();
            newest_admitted(&known, &refs).map(|i| known[i].to_string())
        };
        let one = |s: &str| newest(&[pep(s)]);
        assert_eq!(one(">=1.2.0a74,<1.2.10").as_deref(), Some("1.2.9"));
        assert_eq!(one("==1.2.12").as_deref(), Some("1.2.12"));
        assert_eq!(one(">=1.2.9").as_deref(), Some("1.2.30"));
        assert_eq!(one("~=1.2.0a70").as_deref(), Some("1.2.30"));
        assert_eq!(one("==1.2.0a74").as_deref(), Some("1.2.0a74"));
        assert_eq!(one("<1.2.9").as_deref(), Some("1.2.0a74"));
        assert_eq!(one("<=1.2.9").as_deref(), Some("1.2.9"));
        // Untabled releases stand for the known release below them.
        assert_eq!(one("==1.2.20").as_deref(), Some("1.2.12"));
        assert_eq!(one("==1.2.11").as_deref(), Some("1.2.10"));
        assert_eq!(one(">=1.2.13,<1.2.25").as_deref(), Some("1.2.12"));
        assert_eq!(one("==1.2.25rc1").as_deref(), Some("1.2.12"));
        assert_eq!(one(">1.2.12a1,<1.2.12rc1").as_deref(), Some("1.2.10"));
        assert_eq!(one(">1.2.12a1,<1.2.12"), None);
        assert_eq!(one(">=1.3").as_deref(), Some("1.2.30"));
        assert_eq!(one("!=1.2.30").as_deref(), Some("1.2.30"));
        assert_eq!(one("!=1.2.30,<1.2.31").as_deref(), Some("1.2.30")); // 1.2.30.1
        assert_eq!(one("!=1.2.30.*,<1.2.31").as_deref(), Some("1.2.25"));
        // Nothing known: older than the oldest table, or empty.
        assert_eq!(one("==1.2.0a60"), None);
        assert_eq!(one(">=1.2.0a50,<1.2.0a70"), None);
        assert_eq!(one(">=1.3,<1.2"), None);
        // Poetry constraints, and several ranges at once (each must admit the release).
        assert_eq!(
            newest(&[VersionRange::Poetry(poetry("~1.2.9 || ^0.9"))]).as_deref(),
            Some("1.2.30")
        );
        assert_eq!(
            newest(&[VersionRange::Poetry(poetry(">=1.2.9 <1.2.12"))]).as_deref(),
            Some("1.2.10")
        );
        assert_eq!(
            newest(&[pep(">=1.2.9"), pep("<1.2.25")]).as_deref(),
            Some("1.2.12")
        );
        assert_eq!(newest(&[pep("==1.2.9"), pep("==1.2.10")]), None);
        assert_eq!(newest(&[]).as_deref(), Some("1.2.30"));
    }

    #[test]
    fn poetry_rejects_garbage() {
        for bad in ["", "   ", "^", "^abc", ">=", "1.2.x", "^1.2 ||", "latest"] {
            assert!(PoetryConstraint::parse(bad).is_none(), "{bad:?} parsed");
        }
    }
}
