//! Panics caught around one rule, one file or one request: their message, the FW999 finding
//! that reports one, and the byte-order mark kept out of the engine's sight. Every caller (the
//! fix loop, the command line, the language server) goes through here, so that the three say
//! the same thing the same way.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use fwmigrate_parser::TextRange;
use fwmigrate_rule::Finding;

use crate::builtin::FW999;
use crate::diagnostic::Diagnostic;

/// The message a caught panic carried (`panic!("...")`), or `unknown panic`.
pub fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Run `f`; a panic becomes its message (see [`panic_message`]).
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|panic| panic_message(panic.as_ref()))
}

/// The FW999 finding for a panic, at the start of the text: `internal error {place} ({what})`,
/// then `; {consequence}` when there is one (`place`: `in FW001`, `while checking this file`;
/// `what`: the panic's message).
pub fn panic_finding(place: &str, what: &str, consequence: Option<&str>) -> Finding {
    let mut message = format!("internal error {place} ({what})");
    if let Some(consequence) = consequence {
        message.push_str("; ");
        message.push_str(consequence);
    }
    Finding::new(&FW999, TextRange::default(), message)
}

/// [`panic_finding`] as a diagnostic of the whole file (at row 1, column 1), for a panic
/// outside the rules: while reading, linting or writing one file.
pub fn panic_diagnostic(place: &str, what: &str, consequence: Option<&str>) -> Diagnostic {
    let finding = panic_finding(place, what, consequence);
    Diagnostic::builtin(&FW999, finding.message, finding.range, "")
}

/// A text without its leading UTF-8 byte-order mark, which the engine never sees: (the mark,
/// or `""`; the rest). A fixed text gets the mark back in front.
pub fn split_bom(text: &str) -> (&str, &str) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (&text[..text.len() - rest.len()], rest),
        None => ("", text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_str_string_and_other_panics() {
        assert_eq!(
            catch_panic(|| panic!("plain")),
            Err::<(), _>("plain".into())
        );
        let n = 3;
        assert_eq!(
            catch_panic(|| panic!("n = {n}")),
            Err::<(), _>("n = 3".into())
        );
        assert_eq!(
            catch_panic(|| std::panic::panic_any(7_u8)),
            Err::<(), _>("unknown panic".into())
        );
        assert_eq!(catch_panic(|| 1), Ok(1));
    }

    #[test]
    fn the_fw999_message() {
        let f = panic_finding("in FW001", "boom", Some("its findings are missing"));
        assert_eq!(f.code, "FW999");
        assert_eq!(
            f.message,
            "internal error in FW001 (boom); its findings are missing"
        );
        let d = panic_diagnostic("while checking this file", "boom", None);
        assert_eq!(d.message, "internal error while checking this file (boom)");
        assert_eq!((d.start.row, d.start.column), (1, 1));
    }

    #[test]
    fn bom() {
        assert_eq!(split_bom("\u{feff}x = 1\n"), ("\u{feff}", "x = 1\n"));
        assert_eq!(split_bom("x = 1\n"), ("", "x = 1\n"));
        assert_eq!(split_bom(""), ("", ""));
    }
}
