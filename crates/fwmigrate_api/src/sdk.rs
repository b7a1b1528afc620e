//! Fireworks SDK (`fireworks-ai`) versions: the second axis of the API tables.

use std::fmt;
use std::str::FromStr;

use crate::index::{ApiView, cookbook_table, sdk_table};
use crate::{Target, sdk_versions};

/// A `fireworks-ai` release: `1.2.30`, or a pre-release such as `1.2.0a74`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SdkVersion {
    release: [u32; 3],
    /// The pre-release kind (`a`, `b`, `rc`, in that order) and number; [`FINAL`] for a final
    /// release, so that `1.2.0a74 < 1.2.0b1 < 1.2.0rc1 < 1.2.0`.
    pre: (u8, u32),
}

/// The pre-release kinds, in order.
const PRE_KINDS: [&str; 3] = ["a", "b", "rc"];
/// The `pre` of a final release.
const FINAL: (u8, u32) = (PRE_KINDS.len() as u8, 0);

impl SdkVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            release: [major, minor, patch],
            pre: FINAL,
        }
    }

    /// The newest release fwmigrate has a table for.
    pub fn newest() -> Self {
        sdk_versions()
            .last()
            .expect("at least one SDK table")
            .parse()
            .expect("a valid version")
    }

    /// The index of the tabled release whose surface this one has: the newest table at or below
    /// it (a release newer than every table has the newest one's surface), or the oldest table
    /// for an older version.
    pub fn table_index(self) -> usize {
        sdk_versions()
            .iter()
            .rposition(|v| v.parse::<SdkVersion>().is_ok_and(|t| t <= self))
            .unwrap_or(0)
    }

    /// The tabled release [`Self::table_index`] names.
    pub fn table_version(self) -> &'static str {
        &sdk_versions()[self.table_index()]
    }

    /// At or after `other` (`SdkVersion::new(1, 2, 25)`: a constant, checked by the compiler,
    /// never a string parsed at each call).
    pub fn at_least(self, other: SdkVersion) -> bool {
        self >= other
    }
}

impl FromStr for SdkVersion {
    type Err = String;

    /// A PEP 440 version (parsed by `pep440_rs`, as every version in fwmigrate is) of the
    /// shape fireworks-ai releases have: up to three release numbers and an optional `a`, `b`
    /// or `rc` pre-release.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a fireworks-ai version (e.g. 1.2.30 or 1.2.0a74)");
        let version = pep440_rs::Version::from_str(s.trim()).map_err(|_| bad())?;
        SdkVersion::try_from(&version).map_err(|()| bad())
    }
}

impl TryFrom<&pep440_rs::Version> for SdkVersion {
    type Error = ();

    fn try_from(v: &pep440_rs::Version) -> Result<Self, ()> {
        let plain = v.epoch() == 0 && v.post().is_none() && v.dev().is_none() && !v.is_local();
        let release = v.release();
        if !plain || release.is_empty() || release.len() > 3 {
            return Err(());
        }
        let mut parts = [0u32; 3];
        for (part, &n) in parts.iter_mut().zip(release) {
            *part = u32::try_from(n).map_err(|_| ())?;
        }
        let pre = match v.pre() {
            None => FINAL,
            Some(p) => {
                let kind = match p.kind {
                    pep440_rs::PrereleaseKind::Alpha => 0,
                    pep440_rs::PrereleaseKind::Beta => 1,
                    pep440_rs::PrereleaseKind::Rc => 2,
                };
                (kind, u32::try_from(p.number).map_err(|_| ())?)
            }
        };
        Ok(Self {
            release: parts,
            pre,
        })
    }
}

impl fmt::Display for SdkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c] = self.release;
        write!(f, "{a}.{b}.{c}")?;
        if let Some(kind) = PRE_KINDS.get(usize::from(self.pre.0)) {
            write!(f, "{kind}{}", self.pre.1)?;
        }
        Ok(())
    }
}

impl Default for SdkVersion {
    fn default() -> Self {
        Self::newest()
    }
}

/// The tables a target and SDK version select.
pub fn view(target: Target, sdk: SdkVersion) -> ApiView {
    view_at(target.index(), sdk)
}

/// The tables of any cookbook snapshot (a target or a weekly one) and an SDK version.
pub fn view_at(snapshot: usize, sdk: SdkVersion) -> ApiView {
    ApiView::new(cookbook_table(snapshot), sdk_table(sdk.table_index()))
}

/// The legacy cookbook with the oldest SDK release its range admits, for saying what a name was.
pub fn legacy_view() -> ApiView {
    let legacy = crate::legacy().index();
    let oldest = crate::registry().cookbook[legacy]
        .sdk
        .split(',')
        .find_map(|p| p.trim().strip_prefix(">="))
        .and_then(|v| v.trim().parse::<SdkVersion>().ok())
        .map_or(0, SdkVersion::table_index);
    ApiView::new(cookbook_table(legacy), sdk_table(oldest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_and_map_to_tables() {
        let v = |s: &str| s.parse::<SdkVersion>().unwrap();
        assert!(v("1.2.0a74") < v("1.2.0"));
        assert!(v("1.2.0a74") < v("1.2.0b1"));
        assert!(v("1.2.0b1") < v("1.2.0rc1"));
        assert!(v("1.2.0rc1") < v("1.2.0"));
        assert_eq!(v("1.2.0b2").to_string(), "1.2.0b2");
        assert_eq!(v("1.2.0rc1").to_string(), "1.2.0rc1");
        assert_eq!(v("1.2.0rc1").table_version(), "1.2.0a89");
        // PEP 440 spellings normalise (`c` is `rc`); other shapes are not fireworks-ai's.
        assert_eq!(v("1.2.0c1"), v("1.2.0rc1"));
        assert_eq!(v(" v1.2.0-alpha.74 "), v("1.2.0a74"));
        assert!("1.2.0.post1".parse::<SdkVersion>().is_err());
        assert!("1.2.3.4".parse::<SdkVersion>().is_err());
        assert!("1!1.2".parse::<SdkVersion>().is_err());
        assert!(v("1.2.9") < v("1.2.10"));
        // Every release is tabled: a pin of 1.2.20 is checked against 1.2.20 itself.
        assert_eq!(v("1.2.20").table_version(), "1.2.20");
        assert_eq!(v("1.2.30").table_version(), "1.2.30");
        assert_eq!(v("1.3").table_version(), "1.2.30");
        assert_eq!(v("1.1.0").table_version(), "1.1.0a64");
        assert_eq!(v("0.19.20").table_version(), "1.0.0a36");
        assert_eq!(v("1.2.0a74").to_string(), "1.2.0a74");
        assert!("latest".parse::<SdkVersion>().is_err());
        assert!(v("1.2.25").at_least(SdkVersion::new(1, 2, 25)));
        assert!(!v("1.2.12").at_least(SdkVersion::new(1, 2, 25)));
    }
}
