//! [`RuleCode`]: the stable code of a rule.

use std::borrow::Borrow;
use std::fmt;

/// The stable code of a rule, e.g. `FW001`: `FW` and three digits. The shape is checked when the
/// code is made, so a malformed code in a rule's `static` metadata does not compile:
///
/// ```compile_fail
/// static BAD: fwmigrate_rule::RuleCode = fwmigrate_rule::RuleCode::new("FW01");
/// ```
///
/// A code orders, compares and prints as its text. What users write (`--select FW6`,
/// `# noqa: FW601`) stays text; it is matched against codes with [`RuleCode::has_prefix`] and
/// `==`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleCode(&'static str);

impl RuleCode {
    /// The code `code`.
    ///
    /// # Panics
    ///
    /// When `code` is not `FW` and three ASCII digits (in a `const` or `static`, a compile
    /// error).
    pub const fn new(code: &'static str) -> Self {
        let b = code.as_bytes();
        if b.len() != 5
            || b[0] != b'F'
            || b[1] != b'W'
            || !b[2].is_ascii_digit()
            || !b[3].is_ascii_digit()
            || !b[4].is_ascii_digit()
        {
            panic!("a rule code is `FW` and three digits, e.g. `FW001`");
        }
        Self(code)
    }

    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// Whether the code starts with `prefix`, as written (a selector such as `FW6` or `FW20`,
    /// already upper-cased by its parser).
    pub fn has_prefix(self, prefix: &str) -> bool {
        self.0.starts_with(prefix)
    }
}

/// As the text, width and alignment included (`{:<6}` pads as it pads a `&str`).
impl fmt::Display for RuleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.0)
    }
}

/// As the text, so that structures holding a code debug-print as they did with a `&str`.
impl fmt::Debug for RuleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl PartialEq<str> for RuleCode {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RuleCode {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<RuleCode> for str {
    fn eq(&self, other: &RuleCode) -> bool {
        self == other.0
    }
}

impl PartialEq<RuleCode> for &str {
    fn eq(&self, other: &RuleCode) -> bool {
        *self == other.0
    }
}

/// A set of codes can be asked about a code read from user text. Sound: a code compares, orders
/// and hashes exactly as its text.
impl Borrow<str> for RuleCode {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for RuleCode {
    fn as_ref(&self) -> &str {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::RuleCode;

    const FW601: RuleCode = RuleCode::new("FW601");

    #[test]
    fn a_code_is_its_text() {
        assert_eq!(FW601.as_str(), "FW601");
        assert_eq!(FW601.to_string(), "FW601");
        assert_eq!(format!("[{FW601:<7}]"), "[FW601  ]");
        assert_eq!(format!("[{FW601:>7}]"), "[  FW601]");
        assert_eq!(format!("{FW601:?}"), "\"FW601\"");
        assert_eq!(FW601, "FW601");
        assert_eq!("FW601", FW601);
        assert_ne!(FW601, "FW602");
        assert!(FW601.has_prefix("FW6") && FW601.has_prefix("FW60"));
        assert!(!FW601.has_prefix("FW0"));
        assert!(RuleCode::new("FW101") < FW601);
    }

    #[test]
    #[should_panic(expected = "three digits")]
    fn a_malformed_code_is_refused() {
        let text = String::from("fw601");
        let _ = RuleCode::new(text.leak());
    }
}
