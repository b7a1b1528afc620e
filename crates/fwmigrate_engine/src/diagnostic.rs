//! What linting one document gives: diagnostics, the fixed text, and how to locate offsets.

use std::path::PathBuf;

use fwmigrate_parser::{LineIndex, SourceLocation, TextRange, TextSize};
use fwmigrate_rule::{Fix, RuleCode, RuleMeta, Severity};

/// Why a finding's fix was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Unsafe, and `--unsafe-fixes` was not given.
    Unsafe,
    /// A suggestion only.
    DisplayOnly,
    /// The fix overlaps another one that was applied first.
    Overlaps,
    /// The file does not parse.
    SyntaxError,
    /// The file's fixes were dropped (see the FW999 finding).
    Reverted,
    /// `--check`/`--diff`: the fix would be applied by `--apply`.
    NotRequested,
}

impl SkipReason {
    pub fn message(&self) -> &'static str {
        match self {
            SkipReason::Unsafe => "unsafe: rerun with --unsafe-fixes",
            SkipReason::DisplayOnly => "display-only",
            SkipReason::Overlaps => "overlaps another fix",
            SkipReason::SyntaxError => "file has syntax errors",
            SkipReason::Reverted => "the file's fixes were dropped (see FW999)",
            SkipReason::NotRequested => "run with --apply",
        }
    }
}

/// A finding as reported: with its rule, location and fix status.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub message: String,
    /// Where the finding stands in the linted text (see [`FileOutcome::linted_text`]).
    pub range: TextRange,
    /// `range` as shown to users: 1-based rows, counted from the start of the notebook cell in
    /// a notebook.
    pub start: SourceLocation,
    pub end: SourceLocation,
    /// In a notebook: the 1-based number of the cell (among all cells) the finding is in.
    pub cell: Option<usize>,
    /// Its edits point into the linted text.
    pub fix: Option<Fix>,
    /// Whether the current options would apply the fix (`[*]`).
    pub fixable: bool,
    /// Whether `--unsafe-fixes` would apply it (`[-]`).
    pub fixable_unsafe: bool,
    /// The finding's own severity, when it differs from its rule's.
    pub severity: Option<Severity>,
    pub skipped: Option<SkipReason>,
}

impl Diagnostic {
    /// A finding of the engine itself (FW000, FW999), located in `text`.
    pub(crate) fn builtin(
        rule: &'static RuleMeta,
        message: String,
        range: TextRange,
        text: &str,
    ) -> Diagnostic {
        let lines = LineIndex::new(text);
        Diagnostic {
            rule,
            message,
            range,
            start: lines.location(text, range.start()),
            end: lines.location(text, range.end()),
            cell: None,
            fix: None,
            fixable: false,
            fixable_unsafe: false,
            skipped: None,
            severity: None,
        }
    }
}

impl Diagnostic {
    pub fn code(&self) -> RuleCode {
        self.rule.code
    }

    pub fn severity(&self) -> Severity {
        self.severity.unwrap_or(self.rule.severity)
    }
}

/// A notebook's code cells as linted: joined by `\n` into one text.
#[derive(Debug, Clone, Default)]
pub struct NotebookCells {
    /// The joined cells (after the fixes, when there were any).
    pub text: String,
    /// Each code cell: its 1-based number among all cells, and its range in `text`.
    pub cells: Vec<(usize, TextRange)>,
}

impl NotebookCells {
    /// The cell holding `offset`: (number, range).
    pub fn cell_at(&self, offset: TextSize) -> Option<(usize, TextRange)> {
        self.cells
            .iter()
            .copied()
            .find(|(_, r)| r.start() <= offset && offset <= r.end())
            .or_else(|| self.cells.first().copied())
    }

    fn range_of(&self, number: usize) -> Option<TextRange> {
        self.cells
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, r)| *r)
    }
}

/// The result of linting one document.
#[derive(Debug, Clone, Default)]
pub struct FileOutcome {
    /// Findings, sorted by position, located in the linted text after the fixes (or before them,
    /// when the fixes were dropped or not applied).
    pub diagnostics: Vec<Diagnostic>,
    /// The new text of the whole document, when `Mode::Fix` changed anything (a notebook's
    /// JSON, with only the changed cells re-encoded).
    pub fixed: Option<String>,
    /// How many fixes were applied.
    pub fixes_applied: usize,
    /// True when no rule read the document: ruled out by the prefilter, an ignore-file
    /// directive, or no rule for its kind.
    pub skipped: bool,
    /// The document could not be read as its kind (a notebook that is not valid JSON); nothing
    /// was linted.
    pub error: Option<String>,
    /// Files the document includes (`-r base.txt`), to be linted too, as included documents.
    pub includes: Vec<PathBuf>,
    /// For notebooks: the code cells as linted.
    pub notebook: Option<NotebookCells>,
}

impl FileOutcome {
    pub(crate) fn skipped() -> Self {
        Self {
            skipped: true,
            ..Self::default()
        }
    }

    /// The text that the diagnostics' ranges and their fixes' edits point into: the fixed text
    /// or `document` itself, and for a notebook its joined code cells.
    pub fn linted_text<'a>(&'a self, document: &'a str) -> &'a str {
        match &self.notebook {
            Some(cells) => &cells.text,
            None => self.fixed.as_deref().unwrap_or(document),
        }
    }

    /// Locates offsets of the linted text as users see them (`document` as in
    /// [`FileOutcome::linted_text`]). Builds a line index: ask only when there is something to
    /// locate.
    pub fn locator<'a>(&'a self, document: &'a str) -> Locator<'a> {
        let text = self.linted_text(document);
        Locator {
            text,
            lines: LineIndex::new(text),
            cells: self.notebook.as_ref(),
        }
    }
}

/// Turns offsets of a linted text into rows and columns as shown, and gives source excerpts.
pub struct Locator<'a> {
    text: &'a str,
    lines: LineIndex,
    cells: Option<&'a NotebookCells>,
}

impl<'a> Locator<'a> {
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The 0-based line where the frame of `cell` starts (0 outside notebooks).
    fn first_row(&self, cell: Option<usize>) -> usize {
        match (self.cells, cell) {
            (Some(cells), Some(n)) => cells
                .range_of(n)
                .map_or(0, |r| self.lines.line_of(r.start())),
            _ => 0,
        }
    }

    /// Where `offset` shows, in the frame of `cell` (rows counted from its first line).
    pub fn location_in(&self, cell: Option<usize>, offset: TextSize) -> SourceLocation {
        let mut at = self.lines.location(self.text, offset);
        at.row = at.row.saturating_sub(self.first_row(cell)).max(1);
        at
    }

    /// Where `offset` shows in the frame of `d` (its cell in a notebook), e.g. for its edits.
    pub fn location(&self, d: &Diagnostic, offset: TextSize) -> SourceLocation {
        self.location_in(d.cell, offset)
    }

    /// The cell holding `offset`, in a notebook.
    pub fn cell_at(&self, offset: TextSize) -> Option<usize> {
        self.cells.and_then(|c| c.cell_at(offset)).map(|(n, _)| n)
    }

    /// The source lines of `d`, first to last but at most `max`, with their rows as shown.
    pub fn excerpt(&self, d: &Diagnostic, max: usize) -> Vec<(usize, &'a str)> {
        let shift = self.first_row(d.cell);
        let first = self.lines.line_of(d.range.start()) + 1;
        let last = (self.lines.line_of(d.range.end()) + 1).min(first + max.saturating_sub(1));
        (first..=last.max(first))
            .map(|row| ((row.saturating_sub(shift)).max(1), self.line(row)))
            .collect()
    }

    /// The text of a 1-based row, without its line break.
    fn line(&self, row: usize) -> &'a str {
        if row == 0 || row > self.lines.line_count() {
            return "";
        }
        let start = usize::from(self.lines.line_start(row - 1));
        let end = if row < self.lines.line_count() {
            usize::from(self.lines.line_start(row))
        } else {
            self.text.len()
        };
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}
