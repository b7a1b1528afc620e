//! When a changed document is linted: the debounce of the lint worker.
//!
//! [`Debouncer`] holds the newest pending item of each document and says when the next one is
//! due; it never reads the clock, so every rule below is tested with made-up instants. [`run`]
//! is the worker's loop around it: it feeds it from a channel and hands out what falls due.
//!
//! The rules:
//! - a document is linted once every document has been unchanged for the quiet time (changes
//!   that arrive within it of each other are linted once, at their last version);
//! - a document that keeps changing waits at most the longest wait from its first pending
//!   change;
//! - pending documents are linted in the order of their first pending change, one at a time,
//!   and what arrives in between is taken in before the next one.

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

/// The newest pending item per key, with what decides when it is due.
#[derive(Debug)]
pub struct Debouncer<K, T> {
    quiet: Duration,
    longest: Duration,
    /// In the order of each key's first pending arrival, with that arrival's time.
    pending: Vec<(K, T, Instant)>,
    /// The last arrival of any item.
    last_arrival: Option<Instant>,
}

impl<K: PartialEq, T> Debouncer<K, T> {
    /// Items are due after `quiet` without arrivals, or `longest` after their key's first
    /// pending arrival, whichever comes first.
    pub fn new(quiet: Duration, longest: Duration) -> Self {
        Self {
            quiet,
            longest,
            pending: Vec::new(),
            last_arrival: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// `item` arrived for `key` at `now`: it replaces the key's pending item (which keeps its
    /// place and its first arrival) and re-arms the quiet time of every key.
    pub fn push(&mut self, key: K, item: T, now: Instant) {
        match self.pending.iter_mut().find(|(k, _, _)| *k == key) {
            Some(slot) => slot.1 = item,
            None => self.pending.push((key, item, now)),
        }
        self.last_arrival = Some(now);
    }

    /// When the oldest pending item is due; `None` when nothing is pending.
    pub fn deadline(&self) -> Option<Instant> {
        let (_, _, oldest) = self.pending.first()?;
        let last = self.last_arrival.unwrap_or(*oldest);
        Some((last + self.quiet).min(*oldest + self.longest))
    }

    /// The oldest pending item, if it is due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<T> {
        if now < self.deadline()? {
            return None;
        }
        Some(self.pending.remove(0).1)
    }
}

/// Feed `debouncer` from `jobs` and call `work` with each item as it falls due, until the
/// channel is closed (what is still pending then is dropped).
pub fn run<K: PartialEq, T>(
    jobs: &Receiver<T>,
    mut debouncer: Debouncer<K, T>,
    key: impl Fn(&T) -> K,
    mut work: impl FnMut(T),
) {
    let take = |debouncer: &mut Debouncer<K, T>, item: T| {
        debouncer.push(key(&item), item, Instant::now());
    };
    loop {
        if debouncer.is_empty() {
            match jobs.recv() {
                Ok(item) => take(&mut debouncer, item),
                Err(_) => return,
            }
        }
        while let Ok(item) = jobs.try_recv() {
            take(&mut debouncer, item);
        }
        let Some(until) = debouncer.deadline() else {
            continue;
        };
        if Instant::now() < until {
            match jobs.recv_deadline(until) {
                Ok(item) => {
                    take(&mut debouncer, item);
                    continue;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        if let Some(item) = debouncer.pop_due(until) {
            work(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIET: Duration = Duration::from_millis(10);
    const LONGEST: Duration = Duration::from_millis(200);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn debouncer() -> Debouncer<&'static str, u32> {
        Debouncer::new(QUIET, LONGEST)
    }

    #[test]
    fn nothing_pending_is_never_due() {
        let mut d = debouncer();
        assert!(d.is_empty());
        assert_eq!(d.deadline(), None);
        assert_eq!(d.pop_due(Instant::now()), None);
    }

    #[test]
    fn an_item_is_due_after_the_quiet_time() {
        let t0 = Instant::now();
        let mut d = debouncer();
        d.push("a", 1, t0);
        assert_eq!(d.deadline(), Some(t0 + QUIET));
        assert_eq!(d.pop_due(t0 + ms(9)), None);
        assert_eq!(d.pop_due(t0 + QUIET), Some(1));
        assert!(d.is_empty());
    }

    #[test]
    fn an_edit_re_arms_the_deadline_and_replaces_the_pending_version() {
        let t0 = Instant::now();
        let mut d = debouncer();
        d.push("a", 1, t0);
        d.push("a", 2, t0 + ms(8));
        assert_eq!(d.deadline(), Some(t0 + ms(18)));
        assert_eq!(d.pop_due(t0 + ms(12)), None);
        // Linted once, at its last version.
        assert_eq!(d.pop_due(t0 + ms(18)), Some(2));
        assert_eq!(d.pop_due(t0 + ms(100)), None);
    }

    #[test]
    fn a_document_that_keeps_changing_waits_at_most_the_longest_wait() {
        let t0 = Instant::now();
        let mut d = debouncer();
        let mut t = t0;
        for version in 0..30 {
            d.push("a", version, t);
            t += ms(8);
        }
        // The last change (at 232 ms) would make it wait until 242 ms.
        assert_eq!(d.deadline(), Some(t0 + LONGEST));
        assert_eq!(d.pop_due(t0 + ms(199)), None);
        assert_eq!(d.pop_due(t0 + LONGEST), Some(29));
    }

    #[test]
    fn a_change_to_another_document_delays_every_pending_one() {
        let t0 = Instant::now();
        let mut d = debouncer();
        d.push("a", 1, t0);
        d.push("b", 1, t0 + ms(6));
        assert_eq!(d.pop_due(t0 + QUIET), None);
        assert_eq!(d.deadline(), Some(t0 + ms(16)));
        // Then one after the other, in the order of their first change.
        assert_eq!(d.pop_due(t0 + ms(16)), Some(1));
        d.push("b", 2, t0 + ms(17));
        assert_eq!(d.pop_due(t0 + ms(17)), None);
        assert_eq!(d.pop_due(t0 + ms(27)), Some(2));
        assert!(d.is_empty());
    }

    #[test]
    fn documents_keep_the_order_of_their_first_change() {
        let t0 = Instant::now();
        let mut d = debouncer();
        d.push("a", 1, t0);
        d.push("b", 10, t0 + ms(1));
        d.push("a", 2, t0 + ms(2));
        let due = t0 + ms(12);
        assert_eq!(d.pop_due(due), Some(2));
        assert_eq!(d.pop_due(due), Some(10));
        assert_eq!(d.pop_due(due), None);
    }

    #[test]
    fn the_longest_wait_counts_from_the_oldest_pending_document() {
        let t0 = Instant::now();
        let mut d = debouncer();
        d.push("a", 1, t0);
        let mut t = t0 + ms(150);
        d.push("b", 1, t);
        while t < t0 + ms(260) {
            t += ms(5);
            d.push("b", 2, t);
        }
        assert_eq!(d.pop_due(t0 + LONGEST), Some(1));
        // `b` first changed at 150 ms: it may wait until 350 ms, and is due after a quiet time.
        assert_eq!(d.deadline(), Some(t + QUIET));
        assert_eq!(d.pop_due(t + QUIET), Some(2));
    }

    #[test]
    fn the_loop_coalesces_what_arrived_and_stops_when_the_channel_closes() {
        let (tx, rx) = crossbeam_channel::unbounded();
        for item in [("a", 1), ("b", 1), ("a", 2), ("c", 1), ("b", 2)] {
            tx.send(item).unwrap();
        }
        drop(tx);
        let mut done = Vec::new();
        // No quiet time, so that the test does not wait: what is in the channel is taken in
        // before the first item is handed out.
        run(
            &rx,
            Debouncer::new(Duration::ZERO, Duration::ZERO),
            |(k, _)| *k,
            |item| done.push(item),
        );
        assert_eq!(done, [("a", 2), ("b", 2), ("c", 1)]);
    }

    #[test]
    fn the_loop_hands_out_an_item_only_after_the_quiet_time() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let (done_tx, done_rx) = crossbeam_channel::unbounded();
        let quiet = ms(30);
        let sent = Instant::now();
        tx.send(("a", 1)).unwrap();
        let worker = std::thread::spawn(move || {
            run(
                &rx,
                Debouncer::new(quiet, LONGEST),
                |(k, _)| *k,
                |item| done_tx.send((item, Instant::now())).unwrap(),
            )
        });
        let (item, at) = done_rx.recv_timeout(Duration::from_secs(30)).unwrap();
        assert_eq!(item, ("a", 1));
        assert!(at >= sent + quiet, "handed out after {:?}", at - sent);
        drop(tx);
        worker.join().unwrap();
        assert!(done_rx.try_recv().is_err());
    }
}
