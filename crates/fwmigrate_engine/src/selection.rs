//! `--select` / `--ignore` / `--extend-select`: codes, prefixes and `ALL`.

use std::fmt;

use fwmigrate_rule::RuleCode;

/// One selector: a full code (`FW001`), a prefix (`FW0`, `FW20`) or `ALL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelector(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectionError(pub String);

impl fmt::Display for SelectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl RuleSelector {
    /// Parse a selector, checking that it names at least one of `codes`.
    pub fn parse(s: &str, codes: &[RuleCode]) -> Result<Self, SelectionError> {
        let s = s.trim();
        if s == "ALL" {
            return Ok(Self(String::new()));
        }
        let upper = s.to_ascii_uppercase();
        if upper.starts_with("FW") && codes.iter().any(|c| c.has_prefix(&upper)) {
            return Ok(Self(upper));
        }
        Err(SelectionError(format!(
            "unknown rule selector `{s}` (expected a code like FW001, a prefix like FW0, or ALL)"
        )))
    }

    pub fn matches(&self, code: RuleCode) -> bool {
        code.has_prefix(&self.0)
    }

    /// Longer selectors are more specific.
    fn specificity(&self) -> usize {
        self.0.len()
    }

    /// The selector's specificity (length of the prefix; 0 for `ALL`).
    pub fn len(&self) -> usize {
        self.specificity()
    }

    /// True for `ALL`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The codes enabled by `select` (default: all), then `extend_select`, minus `ignore`. As in
/// ruff, when a code is matched by both `select` and `ignore`, the more specific selector wins.
pub fn select_rules(
    codes: &[RuleCode],
    select: Option<&[RuleSelector]>,
    extend_select: &[RuleSelector],
    ignore: &[RuleSelector],
) -> Vec<RuleCode> {
    codes
        .iter()
        .copied()
        .filter(|code| {
            let selected = match select {
                None => Some(0),
                Some(sel) => sel
                    .iter()
                    .filter(|s| s.matches(*code))
                    .map(RuleSelector::specificity)
                    .max(),
            };
            let extended = extend_select
                .iter()
                .filter(|s| s.matches(*code))
                .map(RuleSelector::specificity)
                .max();
            let selected = selected.max(extended);
            let ignored = ignore
                .iter()
                .filter(|s| s.matches(*code))
                .map(RuleSelector::specificity)
                .max();
            match (selected, ignored) {
                (Some(s), Some(i)) => s > i,
                (Some(_), None) => true,
                _ => false,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODES: &[RuleCode] = &[
        RuleCode::new("FW001"),
        RuleCode::new("FW002"),
        RuleCode::new("FW101"),
        RuleCode::new("FW201"),
        RuleCode::new("FW900"),
    ];

    fn sel(s: &str) -> RuleSelector {
        RuleSelector::parse(s, CODES).unwrap()
    }

    #[test]
    fn selects_by_code_prefix_and_all() {
        assert_eq!(select_rules(CODES, None, &[], &[]), CODES);
        assert_eq!(
            select_rules(CODES, Some(&[sel("FW0"), sel("FW201")]), &[], &[]),
            ["FW001", "FW002", "FW201"]
        );
        assert_eq!(
            select_rules(CODES, Some(&[sel("ALL")]), &[], &[sel("FW0")]),
            ["FW101", "FW201", "FW900"]
        );
        assert_eq!(
            select_rules(CODES, Some(&[sel("FW001")]), &[sel("FW9")], &[]),
            ["FW001", "FW900"]
        );
    }

    #[test]
    fn more_specific_wins() {
        assert_eq!(
            select_rules(CODES, Some(&[sel("FW001")]), &[], &[sel("FW0")]),
            ["FW001"]
        );
    }

    #[test]
    fn unknown_selectors_are_errors() {
        assert!(RuleSelector::parse("E501", CODES).is_err());
        assert!(RuleSelector::parse("FW7", CODES).is_err());
        assert!(RuleSelector::parse("fw00", CODES).is_ok());
    }
}
