//! The server under test in this process, on a pair of pipes, speaking through the same framing
//! code as over stdio; the client is the one every test that drives a server uses
//! ([`fwmigrate_testing::lsp`]). For the tests and the benchmark.
#![allow(dead_code, unused_imports)]

use std::ops::{Deref, DerefMut};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

pub use fwmigrate_testing::lsp::{PATIENCE, apply_edits, codes_and_starts, edits_for, uri};

pub const LEGACY: &str = include_str!("../fixtures/legacy_launch.py");

/// A client of a server that runs on a thread of this process.
pub struct Client {
    lsp: fwmigrate_testing::lsp::Client,
    server: Option<JoinHandle<Result<(), String>>>,
}

impl Deref for Client {
    type Target = fwmigrate_testing::lsp::Client;

    fn deref(&self) -> &Self::Target {
        &self.lsp
    }
}

impl DerefMut for Client {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.lsp
    }
}

impl Client {
    /// Start a server without initializing it.
    pub fn spawn() -> Self {
        let (server_in, to_server) = std::io::pipe().unwrap();
        let (from_server, server_out) = std::io::pipe().unwrap();
        let server = std::thread::spawn(move || fwmigrate_server::serve(server_in, server_out));
        Self {
            lsp: fwmigrate_testing::lsp::Client::new(to_server, from_server),
            server: Some(server),
        }
    }

    /// Start and initialize a server with these client capabilities and options.
    pub fn start(capabilities: Value, options: Value) -> (Self, Value) {
        let mut client = Self::spawn();
        let result = client.initialize(capabilities, options);
        (client, result)
    }

    /// `shutdown`, `exit`, and what `serve` returned.
    pub fn stop(mut self) -> Result<(), String> {
        self.lsp.shutdown();
        self.join()
    }

    /// Wait for the server to return (after `exit`, or when its input ends).
    pub fn join(mut self) -> Result<(), String> {
        let handle = self.server.take().unwrap();
        let deadline = Instant::now() + PATIENCE;
        while !handle.is_finished() {
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(5));
        }
        handle.join().expect("the server thread panicked")
    }
}
