//! Pieces of source quoted in finding messages: short one-line snippets and callee names.

use crate::{Context, Ranged, TextRange, ast};

/// The longest snippet [`short`] returns, in characters (longer ones are cut and end in `...`).
pub const SNIPPET_WIDTH: usize = 60;

/// `text` cut to at most `max` characters: a longer text keeps its first `max - 3` characters
/// and ends in `...`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        let cut: String = text.chars().take(max.saturating_sub(3)).collect();
        format!("{cut}...")
    } else {
        text.to_string()
    }
}

/// A short, single-line rendering of source text for messages: each run of whitespace (line
/// breaks included) becomes one space, and the result is cut to [`SNIPPET_WIDTH`] characters.
pub fn short(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate(&one_line, SNIPPET_WIDTH)
}

/// [`short`] of the source at `range`.
pub fn snippet(ctx: &Context, range: TextRange) -> String {
    short(ctx.slice(range))
}

/// A call's callee as written (`setup_infra`, `utils.InfraConfig`), for messages.
pub fn callee_text<'a>(ctx: &Context<'a>, call: &ast::ExprCall) -> &'a str {
    ctx.slice(call.func.range())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abc...");
        assert_eq!(truncate("ééééééé", 6), "ééé...");
    }

    #[test]
    fn snippets_fit_on_one_line() {
        assert_eq!(short("f(\n    a,\n    b,\n)"), "f( a, b, )");
        let long = format!("x = {}", "y".repeat(80));
        let cut = short(&long);
        assert_eq!(cut.chars().count(), SNIPPET_WIDTH);
        assert!(cut.ends_with("..."));
    }
}
