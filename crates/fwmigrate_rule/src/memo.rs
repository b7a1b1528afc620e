//! Answers that rules work out once and reuse in the next files of the same run.
//!
//! A run (the engine's rule set for one set of settings) owns a [`RunMemos`]; it lends each pass
//! over a file a [`Memos`] of its own, taken back when the pass ends, so a thread reads and
//! writes its memos without a lock and the next pass on any thread reuses them. Nothing is kept
//! in a `static`: the memos go when the run goes, however long the process lives.
//! Each memo bounds itself (see [`Context::memo`](crate::Context::memo)): a run that checks a
//! large tree holds at most one bounded memo of each type per thread.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;

/// What the rules of one run remember, lent out pass by pass.
#[derive(Default)]
pub struct RunMemos {
    /// Memos not lent out: at most one per thread that checks at the same time.
    idle: Mutex<Vec<Memos>>,
}

impl std::fmt::Debug for RunMemos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunMemos").finish_non_exhaustive()
    }
}

impl RunMemos {
    pub fn new() -> Self {
        Self::default()
    }

    /// Memos for one pass over one file: given back to the run when the lease is dropped.
    pub fn lease(&self) -> Lease<'_> {
        let memos = self
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        Lease {
            memos: RefCell::new(memos),
            owner: Some(self),
        }
    }

    /// How many memos are idle (for tests).
    pub fn idle(&self) -> usize {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// One value per memo type, made on first use.
#[derive(Default)]
pub struct Memos {
    slots: HashMap<TypeId, Box<dyn Any + Send>>,
}

impl Memos {
    /// The memo of type `M`, made empty on first use.
    pub fn get<M: Default + Send + 'static>(&mut self) -> &mut M {
        self.slots
            .entry(TypeId::of::<M>())
            .or_insert_with(|| Box::new(M::default()))
            .downcast_mut()
            .expect("slots are keyed by their type")
    }
}

/// Memos lent to one pass ([`RunMemos::lease`]), or private to one context built outside a run.
pub struct Lease<'a> {
    memos: RefCell<Memos>,
    owner: Option<&'a RunMemos>,
}

impl Lease<'_> {
    /// Memos of their own, dropped with the lease (a context outside the engine).
    pub fn private() -> Self {
        Self {
            memos: RefCell::new(Memos::default()),
            owner: None,
        }
    }

    /// Run `f` on the memo of type `M`. `f` must not ask for a memo again (it would panic).
    pub fn with<M: Default + Send + 'static, R>(&self, f: impl FnOnce(&mut M) -> R) -> R {
        f(self.memos.borrow_mut().get::<M>())
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(owner) = self.owner {
            let memos = std::mem::take(self.memos.get_mut());
            owner
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(memos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Count(usize);

    #[test]
    fn a_lease_returns_its_memos_to_the_run() {
        let run = RunMemos::new();
        {
            let lease = run.lease();
            lease.with(|c: &mut Count| c.0 += 1);
            lease.with(|c: &mut Count| c.0 += 1);
            assert_eq!(run.idle(), 0);
        }
        assert_eq!(run.idle(), 1);
        // The next pass sees what the last one kept.
        assert_eq!(run.lease().with(|c: &mut Count| c.0), 2);
        // Two passes at once get one memos each; both come back.
        let (a, b) = (run.lease(), run.lease());
        a.with(|c: &mut Count| c.0 += 10);
        b.with(|c: &mut Count| c.0 += 100);
        drop((a, b));
        assert_eq!(run.idle(), 2);
        let mut counts: Vec<usize> = (0..2)
            .map(|_| run.idle.lock().unwrap().pop().unwrap().get::<Count>().0)
            .collect();
        counts.sort();
        assert_eq!(counts, [12, 100]);
    }

    #[test]
    fn a_private_lease_keeps_nothing() {
        let lease = Lease::private();
        lease.with(|c: &mut Count| c.0 += 1);
        assert_eq!(lease.with(|c: &mut Count| c.0), 1);
        drop(lease);
        assert_eq!(Lease::private().with(|c: &mut Count| c.0), 0);
    }

    #[test]
    fn memos_of_different_types_keep_apart() {
        #[derive(Default)]
        struct Other(&'static str);
        let lease = Lease::private();
        lease.with(|c: &mut Count| c.0 = 7);
        lease.with(|o: &mut Other| o.0 = "x");
        assert_eq!(lease.with(|c: &mut Count| c.0), 7);
        assert_eq!(lease.with(|o: &mut Other| o.0), "x");
    }
}
