//! Jupyter notebooks: code cells are checked and fixed; everything else in the file (outputs,
//! metadata, ids, the JSON layout) is kept byte for byte. Only the `source` of an edited cell is
//! rewritten, in the layout the file already uses.

use std::path::Path;

use fwmigrate_engine::{Linter, Mode};
use fwmigrate_parser::{LineIndex, SourceKind, TextRange, TextSize};
use serde_json::Value;

use crate::process::{FileResult, Record, records};

/// A code cell: where its `source` value stands in the JSON, and its text.
#[derive(Debug, Clone)]
struct Cell {
    /// 1-based position among all cells of the notebook.
    number: usize,
    /// Byte range of the `source` value in the JSON text.
    span: (usize, usize),
    source: String,
    /// The raw JSON of each line when `source` is a list of strings.
    raw_lines: Option<Vec<(String, String)>>,
}

/// Lint a notebook given as JSON text; fills `result` (records, and the new JSON when fixed).
pub fn lint(linter: &Linter, path: &Path, json: &str, mode: Mode, result: &mut FileResult) {
    let cells = match code_cells(json) {
        Ok(c) => c,
        Err(e) => {
            result
                .errors
                .push(crate::file_error::FileError::Notebook(e));
            return;
        }
    };
    if cells.is_empty() {
        return;
    }
    let mut text = String::new();
    let mut ranges = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let start = text.len();
        text.push_str(&c.source);
        ranges.push(TextRange::new(
            TextSize::new(start as u32),
            TextSize::new(text.len() as u32),
        ));
    }
    let outcome = linter.lint_python(path, &text, SourceKind::Notebook(ranges.clone()), mode);
    let final_text = outcome.fixed.as_deref().unwrap_or(&text);
    let final_ranges = outcome.cells.clone().unwrap_or(ranges);
    let mut recs = records(&result.path, &outcome.diagnostics, final_text);
    relocate(
        &mut recs,
        &outcome.diagnostics,
        final_text,
        &final_ranges,
        &cells,
    );
    result.records = recs;
    result.fixes_applied = outcome.fixes_applied;
    let Some(fixed) = &outcome.fixed else { return };
    // Rebuild the JSON: replace only the sources that changed.
    let mut out = String::with_capacity(json.len() + 256);
    let mut last = 0;
    for (cell, range) in cells.iter().zip(&final_ranges) {
        let new_source = &fixed[usize::from(range.start())..usize::from(range.end())];
        if new_source == cell.source {
            continue;
        }
        out.push_str(&json[last..cell.span.0]);
        out.push_str(&encode_source(json, cell, new_source));
        last = cell.span.1;
    }
    out.push_str(&json[last..]);
    result.notebook_json = Some(out);
}

/// Make records cell-relative: `cell N`, with rows counted from the cell's first line.
fn relocate(
    recs: &mut [Record],
    diagnostics: &[fwmigrate_engine::Diagnostic],
    text: &str,
    ranges: &[TextRange],
    cells: &[Cell],
) {
    let lines = LineIndex::new(text);
    for (rec, d) in recs.iter_mut().zip(diagnostics) {
        let offset = d.range.start();
        let i = ranges
            .iter()
            .position(|r| r.start() <= offset && offset <= r.end())
            .unwrap_or(0);
        let first_row = lines.line_of(ranges.get(i).map_or(TextSize::new(0), |r| r.start()));
        rec.cell = Some(cells.get(i).map_or(1, |c| c.number));
        rec.start.0 = rec.start.0.saturating_sub(first_row).max(1);
        rec.end.0 = rec.end.0.saturating_sub(first_row).max(1);
        for (row, _) in &mut rec.excerpt {
            *row = row.saturating_sub(first_row).max(1);
        }
        if let Some(fix) = &mut rec.fix {
            for e in &mut fix.edits {
                e.start.0 = e.start.0.saturating_sub(first_row).max(1);
                e.end.0 = e.end.0.saturating_sub(first_row).max(1);
            }
        }
    }
}

/// Encode a cell source in the layout of the original value.
fn encode_source(json: &str, cell: &Cell, source: &str) -> String {
    let Some(raw_lines) = &cell.raw_lines else {
        return serde_json::to_string(source).unwrap_or_else(|_| "\"\"".to_string());
    };
    // Split like nbformat: every line keeps its "\n", the last one may not have one.
    let mut parts: Vec<&str> = source.split_inclusive('\n').collect();
    if parts.is_empty() {
        parts.push("");
    }
    let original = &json[cell.span.0..cell.span.1];
    // Indentation: what stands before the first element, and before the closing bracket.
    let (lead, close) = layout(original);
    let encoded: Vec<String> = parts
        .iter()
        .filter(|p| !p.is_empty() || parts.len() == 1)
        .map(|p| {
            raw_lines
                .iter()
                .find(|(decoded, _)| decoded == p)
                .map(|(_, raw)| raw.clone())
                .unwrap_or_else(|| serde_json::to_string(p).unwrap_or_default())
        })
        .collect();
    if encoded.len() == 1 && encoded[0] == "\"\"" {
        return "[]".to_string();
    }
    let sep = format!(",{lead}");
    format!("[{lead}{}{close}]", encoded.join(&sep))
}

/// (whitespace before the first element, whitespace before `]`) of a JSON array's text.
fn layout(array: &str) -> (String, String) {
    let inner = &array[1..array.len().saturating_sub(1)];
    let lead: String = inner.chars().take_while(|c| c.is_whitespace()).collect();
    let close: String = inner
        .chars()
        .rev()
        .take_while(|c| c.is_whitespace())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if lead.is_empty() && inner.trim().is_empty() {
        return ("\n    ".to_string(), "\n   ".to_string());
    }
    (lead, close)
}

/// Find the code cells and their `source` spans.
fn code_cells(json: &str) -> Result<Vec<Cell>, String> {
    let b = json.as_bytes();
    let mut p = Scanner { b, i: 0 };
    p.ws();
    p.expect(b'{')?;
    let mut cells = Vec::new();
    loop {
        p.ws();
        if p.peek() == Some(b'}') {
            break;
        }
        let key = p.string()?;
        p.ws();
        p.expect(b':')?;
        p.ws();
        if key == "cells" {
            p.expect(b'[')?;
            let mut number = 0;
            loop {
                p.ws();
                if p.peek() == Some(b']') {
                    p.i += 1;
                    break;
                }
                number += 1;
                if let Some(cell) = p.cell(json, number)? {
                    cells.push(cell);
                }
                p.ws();
                if p.peek() == Some(b',') {
                    p.i += 1;
                }
            }
        } else {
            p.skip_value()?;
        }
        p.ws();
        match p.peek() {
            Some(b',') => p.i += 1,
            Some(b'}') => break,
            _ => return Err(format!("unexpected byte at {}", p.i)),
        }
    }
    Ok(cells)
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }
    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected `{}` at byte {}", c as char, self.i))
        }
    }
    fn string_span(&mut self) -> Result<(usize, usize), String> {
        let start = self.i;
        self.expect(b'"')?;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'\\' => self.i += 1,
                b'"' => return Ok((start, self.i)),
                _ => {}
            }
        }
        Err("unterminated string".to_string())
    }
    fn string(&mut self) -> Result<String, String> {
        let (s, e) = self.string_span()?;
        serde_json::from_slice(&self.b[s..e]).map_err(|e| e.to_string())
    }
    fn skip_value(&mut self) -> Result<(usize, usize), String> {
        self.ws();
        let start = self.i;
        match self.peek() {
            Some(b'"') => {
                self.string_span()?;
            }
            Some(open @ (b'{' | b'[')) => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.i += 1;
                loop {
                    self.ws();
                    if self.peek() == Some(close) {
                        self.i += 1;
                        break;
                    }
                    if open == b'{' {
                        self.string_span()?;
                        self.ws();
                        self.expect(b':')?;
                    }
                    self.skip_value()?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(c) if c == close => {}
                        _ => return Err(format!("unexpected byte at {}", self.i)),
                    }
                }
            }
            Some(_) => {
                while matches!(self.peek(), Some(c) if !matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
                {
                    self.i += 1;
                }
                if self.i == start {
                    return Err(format!("unexpected byte at {}", self.i));
                }
            }
            None => return Err("unexpected end of file".to_string()),
        }
        Ok((start, self.i))
    }
    fn cell(&mut self, json: &str, number: usize) -> Result<Option<Cell>, String> {
        self.ws();
        self.expect(b'{')?;
        let mut cell_type = String::new();
        let mut source_span = None;
        loop {
            self.ws();
            if self.peek() == Some(b'}') {
                self.i += 1;
                break;
            }
            let key = self.string()?;
            self.ws();
            self.expect(b':')?;
            let span = self.skip_value()?;
            match key.as_str() {
                "cell_type" => {
                    cell_type = serde_json::from_str(&json[span.0..span.1]).unwrap_or_default()
                }
                "source" => source_span = Some(span),
                _ => {}
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {}
                _ => return Err(format!("unexpected byte at {}", self.i)),
            }
        }
        if cell_type != "code" {
            return Ok(None);
        }
        let Some(span) = source_span else {
            return Ok(None);
        };
        let raw = &json[span.0..span.1];
        let value: Value = serde_json::from_str(raw).map_err(|e| e.to_string())?;
        let (source, raw_lines) = match value {
            Value::String(s) => (s, None),
            Value::Array(items) => {
                let mut raw_lines = Vec::new();
                let mut inner = Scanner {
                    b: raw.as_bytes(),
                    i: 1,
                };
                let mut source = String::new();
                for item in &items {
                    let s = item.as_str().ok_or("a source line is not a string")?;
                    inner.ws();
                    let (a, b) = inner.string_span()?;
                    inner.ws();
                    if inner.peek() == Some(b',') {
                        inner.i += 1;
                    }
                    raw_lines.push((s.to_string(), raw[a..b].to_string()));
                    source.push_str(s);
                }
                (source, Some(raw_lines))
            }
            _ => return Err("a cell source is neither a string nor a list".to_string()),
        };
        Ok(Some(Cell {
            number,
            span,
            source,
            raw_lines,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NB: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "id": "a1",
   "metadata": {},
   "source": ["# Title\n", "text"]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "id": "b2",
   "metadata": {},
   "outputs": [{"name": "stdout", "output_type": "stream", "text": ["hi\n"]}],
   "source": [
    "%pip install x\n",
    "import os\n",
    "print(\"é\")"
   ]
  },
  {"cell_type": "code", "id": "c3", "metadata": {}, "outputs": [], "source": "x = 1"}
 ],
 "metadata": {"kernelspec": {"name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

    #[test]
    fn finds_code_cells_and_spans() {
        let cells = code_cells(NB).unwrap();
        assert_eq!(cells.len(), 2);
        assert_eq!(cells[0].number, 2);
        assert_eq!(cells[0].source, "%pip install x\nimport os\nprint(\"é\")");
        assert_eq!(cells[1].source, "x = 1");
        assert!(NB[cells[1].span.0..cells[1].span.1].starts_with('"'));
    }

    #[test]
    fn re_encodes_in_the_original_layout() {
        let cells = code_cells(NB).unwrap();
        let same = encode_source(NB, &cells[0], &cells[0].source);
        assert_eq!(same, &NB[cells[0].span.0..cells[0].span.1]);
        let changed = encode_source(NB, &cells[0], "import os\nprint(\"é\")");
        assert_eq!(
            changed,
            "[\n    \"import os\\n\",\n    \"print(\\\"é\\\")\"\n   ]"
        );
        assert_eq!(encode_source(NB, &cells[1], "y = 2"), "\"y = 2\"");
    }

    #[test]
    fn rejects_broken_json() {
        assert!(code_cells("{\"cells\": [").is_err());
        assert!(code_cells("[]").is_err());
    }
}
