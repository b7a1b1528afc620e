//! The frames and error lines of a run's output: a Python traceback (chained ones too), a log
//! that holds one, or the lines of a warning (`path.py:42: UserWarning: ...`).
//!
//! Read line by line, with terminal colour codes removed and whatever prefix a logger puts
//! before each line left in place:
//!
//! - `File "PATH", line N, in FUNCTION` is a frame (anywhere in the line); so is `PATH.py:N:`
//!   (pytest's short tracebacks, `warnings`). Frames of `<frozen ...>`, `<string>` and the like
//!   have no file and are left out.
//! - `Traceback (most recent call last):` starts a traceback; the frames that follow belong to
//!   it, and the first line after its last frame that names an exception
//!   (`TypeError: ...`, `training.utils.Boom`) is its error.

use std::sync::OnceLock;

use regex::Regex;

/// One frame: where the code was when the error passed through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The file as the output names it (absolute, or relative to where the run started).
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// The function (`<module>` at the top level), when the output says.
    pub function: Option<String>,
    /// The 1-based line of the input it was read from.
    pub input_line: usize,
}

/// A traceback: its frames, outermost first, and the error it ends with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Traceback {
    pub frames: Vec<Frame>,
    /// `TypeError: Config.__init__() got an unexpected keyword argument 'infra'`.
    pub error: Option<String>,
}

/// One line of the input, without colour codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based.
    pub number: usize,
    pub text: String,
}

/// What a run's output holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub tracebacks: Vec<Traceback>,
    /// Every non-blank line, for the table of known errors.
    pub lines: Vec<Line>,
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

fn ansi() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    regex(&R, r"\x1b\[[0-9;?]*[A-Za-z]")
}

fn frame_line() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    regex(&R, r#"File "([^"]+)", line (\d+)(?:, in (.+?))?\s*$"#)
}

fn short_frame() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    regex(&R, r"(?:^|\s)([^\s:]+\.pyi?):(\d+):(?:\s|$)")
}

fn error_line() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    regex(
        &R,
        r"(?:^|\s)((?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt|Timeout|Failure))(?::\s.*)?$",
    )
}

/// Read a run's output.
pub fn parse(text: &str) -> Output {
    let mut out = Output::default();
    // The traceback under way, and whether its error line has been met.
    let mut current: Option<Traceback> = None;
    let mut awaiting_error = false;
    // After a `File "..."` line: the text before `File` and the indentation of `File`; lines
    // with that prefix indented deeper are the frame's source and carets.
    let mut source: Option<(String, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let clean = ansi().replace_all(raw, "");
        let line = clean.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        out.lines.push(Line {
            number,
            text: line.to_string(),
        });
        if line.contains("Traceback (most recent call last):") {
            out.tracebacks.extend(current.take());
            current = Some(Traceback::default());
            awaiting_error = false;
            continue;
        }
        if let Some((prefix, indent)) = &source
            && let Some(rest) = line.strip_prefix(prefix.as_str())
            && rest.len() - rest.trim_start().len() > *indent
        {
            continue;
        }
        source = None;
        if let Some(frame) = frame_of(line, number) {
            if let Some(at) = line.find("File \"") {
                let prefix = line[..at].trim_end();
                source = Some((prefix.to_string(), at - prefix.len()));
            }
            current
                .get_or_insert_with(Traceback::default)
                .frames
                .extend(frame);
            awaiting_error = true;
            continue;
        }
        if awaiting_error
            && let Some(m) = error_line().captures(line)
            && let Some(name) = m.get(1)
        {
            if let Some(tb) = current.as_mut() {
                tb.error = Some(line[name.start()..].trim().to_string());
            }
            awaiting_error = false;
            out.tracebacks.extend(current.take());
        }
    }
    out.tracebacks.extend(current);
    out.tracebacks
        .retain(|t| !t.frames.is_empty() || t.error.is_some());
    out
}

/// The frame a line names, if any: `Some(None)` for a frame without a file (`<frozen runpy>`).
fn frame_of(line: &str, number: usize) -> Option<Option<Frame>> {
    let (file, row, function) = if let Some(c) = frame_line().captures(line) {
        (
            c.get(1)?.as_str(),
            c.get(2)?.as_str(),
            c.get(3).map(|f| f.as_str().to_string()),
        )
    } else {
        let c = short_frame().captures(line)?;
        (c.get(1)?.as_str(), c.get(2)?.as_str(), None)
    };
    let line_no: usize = row.parse().ok()?;
    if file.starts_with('<') || line_no == 0 {
        return Some(None);
    }
    Some(Some(Frame {
        file: file.to_string(),
        line: line_no,
        function,
        input_line: number,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_python_traceback() {
        let text = "\
Traceback (most recent call last):
  File \"/home/u/proj/legacy_launch.py\", line 6, in <module>
    config = Config(
             ^^^^^^^
  File \"<frozen runpy>\", line 88, in _run_code
TypeError: Config.__init__() got an unexpected keyword argument 'infra'
";
        let out = parse(text);
        assert_eq!(out.tracebacks.len(), 1);
        let tb = &out.tracebacks[0];
        assert_eq!(
            tb.frames,
            [Frame {
                file: "/home/u/proj/legacy_launch.py".into(),
                line: 6,
                function: Some("<module>".into()),
                input_line: 2,
            }]
        );
        assert_eq!(
            tb.error.as_deref(),
            Some("TypeError: Config.__init__() got an unexpected keyword argument 'infra'")
        );
        assert_eq!(out.lines.len(), 6);
    }

    #[test]
    fn chained_tracebacks_in_a_log_with_prefixes_and_colours() {
        let text = "\
2026-08-20 10:00:01 INFO starting
2026-08-20 10:00:02 ERROR Traceback (most recent call last):
2026-08-20 10:00:02 ERROR   File \"train.py\", line 12, in main
2026-08-20 10:00:02 ERROR     except TypeError:
2026-08-20 10:00:02 ERROR ImportError: cannot import name 'setup_infra' from 'training.utils'

During handling of the above exception, another exception occurred:

\x1b[35mTraceback (most recent call last):\x1b[0m
  File \"\x1b[35mtrain.py\x1b[0m\", line \x1b[35m40\x1b[0m, in \x1b[35m<module>\x1b[0m
    main()
  File \"/venv/lib/python3.12/site-packages/training/utils/x.py\", line 3, in f
    raise training.utils.BoomError
training.utils.BoomError
";
        let out = parse(text);
        type Summary = (Vec<(String, usize)>, Option<String>);
        let summary: Vec<Summary> = out
            .tracebacks
            .iter()
            .map(|t| {
                (
                    t.frames.iter().map(|f| (f.file.clone(), f.line)).collect(),
                    t.error.clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    vec![("train.py".to_string(), 12)],
                    Some(
                        "ImportError: cannot import name 'setup_infra' from 'training.utils'"
                            .into()
                    )
                ),
                (
                    vec![
                        ("train.py".to_string(), 40),
                        (
                            "/venv/lib/python3.12/site-packages/training/utils/x.py".to_string(),
                            3
                        )
                    ],
                    Some("training.utils.BoomError".into())
                ),
            ]
        );
        assert!(!out.lines.iter().any(|l| l.text.contains('\x1b')));
    }

    #[test]
    fn warnings_and_pytest_locations_are_frames() {
        let out = parse(
            "scripts/run.py:14: UserWarning: accelerator_type is ignored\n  warnings.warn(\n",
        );
        assert_eq!(out.tracebacks.len(), 1);
        assert_eq!(out.tracebacks[0].frames[0].file, "scripts/run.py");
        assert_eq!(out.tracebacks[0].frames[0].line, 14);
        // Plain text with no location: lines only.
        let out = parse("RuntimeError: Failed to resolve latest validated training shape\n");
        assert!(
            out.tracebacks
                .iter()
                .all(|t| t.frames.is_empty() && t.error.is_none())
        );
        assert_eq!(out.lines.len(), 1);
    }
}
