//! JSON-RPC framing over a byte stream (`Content-Length` headers), tolerant of bad input.
//!
//! `lsp-server`'s own stdio transport stops at the first message that is not valid JSON; here a
//! malformed message gets a JSON-RPC error response (`ParseError`, or `InvalidRequest` with its
//! id when it is JSON but no message) and the server reads on.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};

use crossbeam_channel::Sender;
use lsp_server::{ErrorCode, Message};
use serde_json::{Value, json};

/// The writing end, shared by the message loop and the workers.
#[derive(Clone)]
pub struct Outbox {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl Outbox {
    pub fn new(out: impl Write + Send + 'static) -> Self {
        Self {
            out: Arc::new(Mutex::new(Box::new(out))),
        }
    }

    pub fn send(&self, message: Message) {
        let Ok(mut out) = self.out.lock() else { return };
        if let Err(e) = message.write(&mut *out) {
            eprintln!("fwmigrate server: cannot write a message: {e}");
        }
    }

    fn send_raw(&self, value: &Value) {
        let text = value.to_string();
        let Ok(mut out) = self.out.lock() else { return };
        let result =
            write!(out, "Content-Length: {}\r\n\r\n{text}", text.len()).and_then(|()| out.flush());
        if let Err(e) = result {
            eprintln!("fwmigrate server: cannot write a message: {e}");
        }
    }
}

/// Read messages from `input` until it ends, or the `exit` notification, or the receiver is gone.
pub fn read_loop(input: impl Read, messages: Sender<Message>, outbox: Outbox) {
    let mut input = BufReader::new(input);
    loop {
        let body = match read_frame(&mut input) {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(Frame::Io(e)) => {
                eprintln!("fwmigrate server: cannot read from the client: {e}");
                return;
            }
            Err(Frame::Header(why)) => {
                eprintln!("fwmigrate server: skipping a malformed message header: {why}");
                continue;
            }
        };
        let message = match parse(&body) {
            Ok(m) => m,
            Err(e) => {
                reject(&body, &e, &outbox);
                continue;
            }
        };
        let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
        if messages.send(message).is_err() || exit {
            return;
        }
    }
}

/// A message, checked for its shape first: `lsp-server`'s `Message` would take anything with
/// an `id` and no `result` for a response.
fn parse(body: &[u8]) -> Result<Message, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let Some(obj) = value.as_object() else {
        return Err("a message must be an object".into());
    };
    match obj.get("method") {
        Some(Value::String(_)) => {}
        Some(_) => return Err("`method` must be a string".into()),
        None if obj.contains_key("id")
            && (obj.contains_key("result") || obj.contains_key("error")) => {}
        None => return Err("neither a request, a notification nor a response".into()),
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Answer a message that is not a JSON-RPC message.
fn reject(body: &[u8], error: &str, outbox: &Outbox) {
    eprintln!("fwmigrate server: malformed message: {error}");
    let (code, id) = match serde_json::from_slice::<Value>(body) {
        Err(_) => (ErrorCode::ParseError, Value::Null),
        Ok(value) => {
            let id = value
                .get("id")
                .filter(|id| id.is_number() || id.is_string());
            match (value.get("method"), id) {
                // A request: answered under its id.
                (Some(_), Some(id)) => (ErrorCode::InvalidRequest, id.clone()),
                // A notification, or a response to one of our requests: nobody to answer.
                (Some(_), None) if value.get("id").is_none() => return,
                (None, Some(_)) => return,
                _ => (ErrorCode::InvalidRequest, Value::Null),
            }
        }
    };
    outbox.send_raw(&json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code as i32, "message": format!("malformed message: {error}") },
    }));
}

enum Frame {
    Io(io::Error),
    Header(String),
}

/// One message body; `None` at the end of the input.
fn read_frame(input: &mut impl BufRead) -> Result<Option<Vec<u8>>, Frame> {
    let mut length: Option<usize> = None;
    let mut line = String::new();
    let mut bad: Option<String> = None;
    loop {
        line.clear();
        if input.read_line(&mut line).map_err(Frame::Io)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if length.is_some() || bad.is_some() {
                break;
            }
            // Stray blank lines between messages.
            continue;
        }
        match header.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => bad = Some(format!("bad Content-Length {value:?}")),
                }
            }
            Some(_) => {}
            None => bad = Some(format!("not a header: {header:?}")),
        }
    }
    let Some(length) = length else {
        return Err(Frame::Header(
            bad.unwrap_or_else(|| "no Content-Length".to_string()),
        ));
    };
    let mut body = vec![0; length];
    input.read_exact(&mut body).map_err(Frame::Io)?;
    Ok(Some(body))
}

/// An outbox that keeps what is sent, so that what the server answers can be tested without a
/// pipe.
#[cfg(test)]
pub mod memory {
    use std::io::{self, Write};
    use std::sync::{Arc, Mutex};

    use lsp_server::Message;

    use super::Outbox;

    /// What was sent through the outbox of [`outbox`], not yet taken.
    #[derive(Clone, Default)]
    pub struct Sent(Arc<Mutex<Vec<u8>>>);

    impl Write for Sent {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Sent {
        /// The messages sent since the last call, in order.
        pub fn take(&self) -> Vec<Message> {
            let bytes = std::mem::take(&mut *self.0.lock().unwrap());
            let mut input = &bytes[..];
            let mut out = Vec::new();
            while let Some(m) = Message::read(&mut input).unwrap() {
                out.push(m);
            }
            out
        }
    }

    pub fn outbox() -> (Outbox, Sent) {
        let sent = Sent::default();
        (Outbox::new(sent.clone()), sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_and_bad_headers_skipped() {
        let input = b"Content-Length: 2\r\n\r\n{}garbage\r\n\r\ncontent-length:3\r\nContent-Type: x\r\n\r\n[1]";
        let mut r = &input[..];
        assert_eq!(read_frame(&mut r).ok().flatten().unwrap(), b"{}");
        assert!(matches!(read_frame(&mut r), Err(Frame::Header(_))));
        assert_eq!(read_frame(&mut r).ok().flatten().unwrap(), b"[1]");
        assert!(matches!(read_frame(&mut r), Ok(None)));
    }
}
