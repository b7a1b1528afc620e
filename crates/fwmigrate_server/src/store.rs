//! The open documents and the workspace folders, as the message loop keeps them, and the
//! snapshots it hands out of them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::{TextDocumentContentChangeEvent, Url};

use crate::adapter::Overrides;
use crate::document::{Document, Encoding};
use crate::snapshot::Snapshot;

pub struct Store {
    documents: HashMap<Url, Document>,
    /// The workspace folders (at least one); untitled documents are taken to live in the first.
    folders: Vec<PathBuf>,
}

impl Store {
    /// A store for these workspace folders; the current folder when there are none.
    pub fn new(mut folders: Vec<PathBuf>) -> Self {
        if folders.is_empty() {
            folders.push(std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")));
        }
        Self {
            documents: HashMap::new(),
            folders,
        }
    }

    /// `didOpen`: the document at `version` (replacing it if it was open).
    pub fn open(&mut self, uri: Url, text: String, version: i32, language_id: String) {
        self.documents
            .insert(uri, Document::new(text, version, language_id));
    }

    /// `didChange`: apply `changes` (in order) and move to `version`. `false` when the
    /// document is not open.
    pub fn change(
        &mut self,
        uri: &Url,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        encoding: Encoding,
    ) -> bool {
        let Some(doc) = self.documents.get_mut(uri) else {
            return false;
        };
        doc.apply_changes(changes, version, encoding);
        true
    }

    /// `didClose`; `false` when the document was not open.
    pub fn close(&mut self, uri: &Url) -> bool {
        self.documents.remove(uri).is_some()
    }

    pub fn uris(&self) -> impl Iterator<Item = &Url> {
        self.documents.keys()
    }

    /// The document as it is now, with the settings it is linted with.
    pub fn snapshot(
        &self,
        uri: &Url,
        overrides: &Overrides,
        encoding: Encoding,
    ) -> Option<Snapshot> {
        let doc = self.documents.get(uri)?;
        let path = self.path_of(uri, &doc.language_id);
        Some(Snapshot {
            uri: uri.clone(),
            version: doc.version,
            text: doc.text.clone(),
            index: doc.index.clone(),
            workspace: self.workspace_of(path.as_deref()),
            path,
            overrides: overrides.clone(),
            encoding,
        })
    }

    /// The file whose settings apply to `uri`: its own, or for an unsaved Python buffer, one in
    /// the first workspace folder.
    fn path_of(&self, uri: &Url, language_id: &str) -> Option<PathBuf> {
        if uri.scheme() == "file" {
            return uri.to_file_path().ok();
        }
        // An unsaved buffer: settings as for a Python file in the workspace.
        (language_id == "python").then(|| self.folders[0].join("untitled.py"))
    }

    /// The workspace folder of `path`: the innermost one holding it, else the first.
    fn workspace_of(&self, path: Option<&Path>) -> PathBuf {
        path.and_then(|p| {
            self.folders
                .iter()
                .filter(|f| p.starts_with(f))
                .max_by_key(|f| f.components().count())
        })
        .unwrap_or(&self.folders[0])
        .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn folder(name: &str) -> PathBuf {
        std::env::temp_dir().join(name)
    }

    fn file(path: &Path) -> Url {
        Url::from_file_path(path).unwrap()
    }

    fn store() -> Store {
        Store::new(vec![folder("ws"), folder("ws/inner"), folder("other")])
    }

    fn snapshot(store: &Store, uri: &Url) -> Option<Snapshot> {
        store.snapshot(uri, &Overrides::default(), Encoding::Utf16)
    }

    fn edit(line: u32, from: u32, to: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(line, from),
                Position::new(line, to),
            )),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn open_change_and_close() {
        let mut store = store();
        let uri = file(&folder("ws/a.py"));
        assert!(snapshot(&store, &uri).is_none());
        assert!(!store.change(&uri, vec![edit(0, 0, 0, "x")], 2, Encoding::Utf16));

        store.open(uri.clone(), "x = 1\n".into(), 1, "python".into());
        let s = snapshot(&store, &uri).unwrap();
        assert_eq!((s.version, &*s.text), (1, "x = 1\n"));

        assert!(store.change(&uri, vec![edit(0, 4, 5, "22")], 2, Encoding::Utf16));
        assert!(store.change(&uri, vec![edit(0, 0, 1, "é")], 3, Encoding::Utf16));
        let s = snapshot(&store, &uri).unwrap();
        assert_eq!((s.version, &*s.text), (3, "é = 22\n"));
        // The line index follows the text (`é` is one UTF-16 unit and two bytes).
        assert_eq!(
            s.index
                .offset(&s.text, Position::new(0, 4), Encoding::Utf16),
            5
        );
        assert_eq!(store.uris().collect::<Vec<_>>(), [&uri]);

        assert!(store.close(&uri));
        assert!(!store.close(&uri));
        assert!(snapshot(&store, &uri).is_none());
        assert_eq!(store.uris().count(), 0);
    }

    #[test]
    fn the_earlier_snapshot_keeps_its_text() {
        let mut store = store();
        let uri = file(&folder("ws/a.py"));
        store.open(uri.clone(), "a\n".into(), 1, "python".into());
        let before = snapshot(&store, &uri).unwrap();
        store.change(&uri, vec![edit(0, 0, 1, "b")], 2, Encoding::Utf16);
        assert_eq!((before.version, &*before.text), (1, "a\n"));
        assert_eq!(&*snapshot(&store, &uri).unwrap().text, "b\n");
    }

    #[test]
    fn a_document_belongs_to_the_innermost_folder_holding_it() {
        let mut store = store();
        let cases = [
            ("ws/a.py", "ws"),
            ("ws/inner/deep/b.py", "ws/inner"),
            ("other/c.py", "other"),
            ("elsewhere/d.py", "ws"),
        ];
        for (path, workspace) in cases {
            let uri = file(&folder(path));
            store.open(uri.clone(), String::new(), 1, "python".into());
            let s = snapshot(&store, &uri).unwrap();
            assert_eq!(s.path, Some(folder(path)), "{path}");
            assert_eq!(s.workspace, folder(workspace), "{path}");
        }
    }

    #[test]
    fn an_unsaved_python_buffer_lives_in_the_first_folder() {
        let mut store = store();
        let untitled = Url::parse("untitled:Untitled-1").unwrap();
        store.open(untitled.clone(), String::new(), 1, "python".into());
        let s = snapshot(&store, &untitled).unwrap();
        assert_eq!(s.path, Some(folder("ws").join("untitled.py")));
        assert_eq!(s.workspace, folder("ws"));

        let notes = Url::parse("untitled:Untitled-2").unwrap();
        store.open(notes.clone(), String::new(), 1, "markdown".into());
        assert_eq!(snapshot(&store, &notes).unwrap().path, None);
    }

    #[test]
    fn the_snapshot_carries_the_editor_settings_and_encoding() {
        let mut store = Store::new(Vec::new());
        let uri = Url::parse("untitled:x").unwrap();
        store.open(uri.clone(), String::new(), 7, "python".into());
        let overrides = Overrides {
            target: Some("2026.06".into()),
            ..Overrides::default()
        };
        let s = store.snapshot(&uri, &overrides, Encoding::Utf8).unwrap();
        assert_eq!(s.overrides, overrides);
        assert_eq!(s.encoding, Encoding::Utf8);
        assert_eq!(s.version, 7);
        // No folder: the current one.
        assert_eq!(s.workspace, std::env::current_dir().unwrap());
    }
}
