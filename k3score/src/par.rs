//! Work on every core with output in input order: [`map_in_order`] maps items on up to
//! [`Jobs`] threads and hands the results to a sink on the calling thread, in item order, so
//! a parallel run produces the same bytes as a sequential one.
//!
//! Look-ahead is bounded: an item is started only while fewer than [`look_ahead`] results
//! are finished or in progress and not yet handed to the sink, so memory stays flat however
//! many items there are (10 000 apps stream as they render; nothing holds them all).
//!
//! Built on [`std::thread::scope`] and one mutex rather than rayon: every `build.rs` user of
//! the platform crates would compile rayon and its dependencies for what is a hundred lines here.
//!
//! The thread count is [`Jobs`]: explicit, or by default the environment variable
//! `K3S_JOBS` (a positive integer; other values are ignored), else
//! [`std::thread::available_parallelism`]. It never changes the output, only how fast it comes.

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

/// The environment variable that sets the default thread count ([`Jobs::AUTO`]).
pub const JOBS_ENV: &str = "K3S_JOBS";

/// Stack size of worker threads: the main thread's usual 8 MiB rather than the 2 MiB default of
/// spawned threads, so deeply nested input fails (or not) the same way with any thread count.
const WORKER_STACK: usize = 8 << 20;

/// How many threads a parallel step may use: [`Jobs::AUTO`] (the default) or a fixed count.
///
/// ```
/// use std::num::NonZeroUsize;
/// use k3score::par::Jobs;
/// assert_eq!(Jobs::ONE.count(), 1);
/// assert_eq!(Jobs::fixed(NonZeroUsize::new(3).unwrap()).count(), 3);
/// assert_eq!("4".parse::<Jobs>().unwrap().count(), 4);
/// assert!(Jobs::AUTO.count() >= 1); // K3S_JOBS, else the cores available
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Jobs(Option<NonZeroUsize>);

impl Jobs {
    /// `K3S_JOBS` when set to a positive integer, else the cores available to the process.
    pub const AUTO: Jobs = Jobs(None);
    /// One thread: everything runs inline on the calling thread.
    pub const ONE: Jobs = Jobs(Some(NonZeroUsize::MIN));

    /// Exactly `n` threads.
    #[must_use]
    pub fn fixed(n: NonZeroUsize) -> Self {
        Jobs(Some(n))
    }

    /// The thread count: the fixed one, or for [`Jobs::AUTO`] `K3S_JOBS` when it is a positive
    /// integer, else [`std::thread::available_parallelism`] (1 when unknown). The automatic
    /// count is read once per process.
    #[must_use]
    pub fn count(self) -> usize {
        static AUTO: OnceLock<usize> = OnceLock::new();
        match self.0 {
            Some(n) => n.get(),
            None => *AUTO.get_or_init(|| {
                std::env::var(JOBS_ENV)
                    .ok()
                    .and_then(|v| v.trim().parse::<NonZeroUsize>().ok())
                    .or_else(|| std::thread::available_parallelism().ok())
                    .map_or(1, NonZeroUsize::get)
            }),
        }
    }
}

impl std::str::FromStr for Jobs {
    type Err = std::num::ParseIntError;

    /// A positive thread count (`0` is rejected).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim().parse().map(Jobs::fixed)
    }
}

/// How many results may be finished or in progress and not yet handed to the sink when
/// running on `threads` threads: eight per thread, so that a thread that falls behind for a
/// few items (or is descheduled on a busy machine) does not stall the others at once.
///
/// ```
/// assert_eq!(k3score::par::look_ahead(2), 16);
/// ```
#[must_use]
pub fn look_ahead(threads: usize) -> usize {
    threads.max(1) * 8
}

/// Maps `map` over `0..len` on up to `jobs` threads and hands each result to `sink` on the
/// calling thread in index order: `sink` sees exactly the results of a plain
/// `(0..len).map(map)` loop, in that order, whatever the thread count.
///
/// With one thread or fewer than two items nothing is spawned. Otherwise `jobs - 1` scoped
/// threads are spawned (fewer when there are fewer items) and the calling thread works too
/// whenever the next result in order is not ready; at most [`look_ahead`] results are finished
/// or in progress beyond the last one `sink` returned from. A panic in `map` or `sink` stops
/// the other threads (each finishes the item it is on) and is then resumed on the calling thread.
///
/// ```
/// use k3score::par::{Jobs, map_in_order};
/// let words = ["a", "bb", "ccc", "dddd"];
/// let mut lengths = Vec::new();
/// map_in_order(Jobs::AUTO, words.len(), |i| words[i].len(), |n| lengths.push(n));
/// assert_eq!(lengths, [1, 2, 3, 4]);
/// ```
pub fn map_in_order<R: Send>(jobs: Jobs, len: usize, map: impl Fn(usize) -> R + Sync, mut sink: impl FnMut(R)) {
    let threads = jobs.count().min(len);
    if threads < 2 {
        (0..len).map(map).for_each(sink);
        return;
    }
    let shared = Shared::new(len, look_ahead(threads));
    std::thread::scope(|scope| {
        // Stops the workers when the calling thread unwinds (a panic in `map` or `sink`), so the
        // scope's join does not wait for workers waiting on a window that never moves.
        let _stop = StopOnDrop(&shared);
        for _ in 1..threads {
            let spawned = std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, || shared.work(&map));
            // No thread (out of resources): the calling thread does its share; nothing is lost.
            if spawned.is_err() {
                break;
            }
        }
        shared.drive(&map, &mut sink);
    });
}

/// The state shared by the calling thread and the workers.
struct Shared<R> {
    state: Mutex<State<R>>,
    /// Signalled when the window moves (workers may start more items) or the run stops.
    room: Condvar,
    /// Signalled when a result is stored or a worker panicked.
    ready: Condvar,
    len: usize,
    window: usize,
}

struct State<R> {
    /// The next item to start.
    next: usize,
    /// Results of the items from `base` on: `None` while in progress.
    results: VecDeque<Option<R>>,
    /// The item of `results[0]`.
    base: usize,
    /// How many results `sink` has returned from: items from `done + window` on wait.
    done: usize,
    /// Workers waiting for room in the window.
    idle: usize,
    /// Whether the calling thread waits for a result.
    waiting: bool,
    /// Set when the run stops early (a panic); workers then quit.
    stop: bool,
    /// A worker's panic, resumed on the calling thread.
    panic: Option<Box<dyn std::any::Any + Send>>,
}

impl<R> Shared<R> {
    fn new(len: usize, window: usize) -> Self {
        Self {
            state: Mutex::new(State {
                next: 0,
                results: VecDeque::with_capacity(window),
                base: 0,
                done: 0,
                idle: 0,
                waiting: false,
                stop: false,
                panic: None,
            }),
            room: Condvar::new(),
            ready: Condvar::new(),
            len,
            window,
        }
    }

    /// The lock; never poisoned in practice (no user code runs under it), taken over if it is.
    fn lock(&self) -> MutexGuard<'_, State<R>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts the next item if there is one and the window has room for it.
    fn claim(&self, state: &mut State<R>) -> Option<usize> {
        let i = state.next;
        if i >= self.len || i >= state.done + self.window {
            return None;
        }
        state.next += 1;
        state.results.push_back(None);
        Some(i)
    }

    /// Stores the result of item `i` and wakes the calling thread if it waits.
    fn store(&self, state: &mut State<R>, i: usize, result: R) {
        if let Some(slot) = state.results.get_mut(i - state.base) {
            *slot = Some(result);
        }
        if state.waiting {
            self.ready.notify_one();
        }
    }

    /// A worker: starts items while there are any, waiting while the window is full.
    fn work(&self, map: &(impl Fn(usize) -> R + Sync)) {
        let mut state = self.lock();
        loop {
            if state.stop {
                return;
            }
            let Some(i) = self.claim(&mut state) else {
                if state.next >= self.len {
                    return;
                }
                state.idle += 1;
                state = self.room.wait(state).unwrap_or_else(PoisonError::into_inner);
                state.idle -= 1;
                continue;
            };
            drop(state);
            match panic::catch_unwind(AssertUnwindSafe(|| map(i))) {
                Ok(result) => {
                    state = self.lock();
                    self.store(&mut state, i, result);
                }
                Err(payload) => {
                    let mut state = self.lock();
                    state.stop = true;
                    state.panic.get_or_insert(payload);
                    self.room.notify_all();
                    self.ready.notify_one();
                    return;
                }
            }
        }
    }

    /// The calling thread: hands results to `sink` in order, and maps items itself while the
    /// next result is not ready.
    fn drive(&self, map: &(impl Fn(usize) -> R + Sync), sink: &mut impl FnMut(R)) {
        let mut sunk = 0;
        loop {
            let mut state = self.lock();
            if state.done != sunk {
                state.done = sunk;
                // Waiting workers are woken once half the window is free, not for every
                // result: each wake-up then has several items to start.
                if state.idle > 0 && state.done + self.window >= state.next + self.window / 2 {
                    self.room.notify_all();
                }
            }
            if let Some(payload) = state.panic.take() {
                drop(state);
                panic::resume_unwind(payload);
            }
            if sunk == self.len {
                return;
            }
            if matches!(state.results.front(), Some(Some(_))) {
                let result = state.results.pop_front().flatten();
                state.base += 1;
                drop(state);
                if let Some(result) = result {
                    sink(result);
                }
                sunk += 1;
                continue;
            }
            if let Some(i) = self.claim(&mut state) {
                drop(state);
                let result = map(i);
                self.store(&mut self.lock(), i, result);
                continue;
            }
            state.waiting = true;
            let mut state = self.ready.wait(state).unwrap_or_else(PoisonError::into_inner);
            state.waiting = false;
        }
    }
}

/// Sets `stop` and wakes every worker when dropped (at the end of the run or while unwinding).
struct StopOnDrop<'a, R>(&'a Shared<R>);

impl<R> Drop for StopOnDrop<'_, R> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.stop = true;
        self.0.room.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use proptest::prelude::*;

    use super::*;

    fn jobs(n: usize) -> Jobs {
        Jobs::fixed(NonZeroUsize::new(n).unwrap())
    }

    fn collect(threads: usize, items: &[u32]) -> Vec<u64> {
        let mut out = Vec::new();
        map_in_order(
            jobs(threads),
            items.len(),
            |i| u64::from(items[i]) * 3 + i as u64,
            |r| out.push(r),
        );
        out
    }

    proptest! {
        #[test]
        fn the_sink_sees_the_sequential_results_in_order(
            items in proptest::collection::vec(any::<u32>(), 0..200),
            threads in 1usize..=4,
        ) {
            let sequential: Vec<u64> = items.iter().enumerate().map(|(i, &x)| u64::from(x) * 3 + i as u64).collect();
            prop_assert_eq!(collect(threads, &items), sequential);
        }
    }

    #[test]
    fn uneven_work_still_comes_out_in_order() {
        let mut out = Vec::new();
        map_in_order(
            jobs(3),
            60,
            |i| {
                // Early items are slow, so later ones finish first.
                std::thread::sleep(std::time::Duration::from_micros(((60 - i) * 20) as u64));
                i
            },
            |i| out.push(i),
        );
        assert_eq!(out, (0..60).collect::<Vec<_>>());
    }

    #[test]
    fn look_ahead_is_bounded() {
        for threads in 2..=4 {
            let finished = AtomicUsize::new(0);
            let started = AtomicUsize::new(0);
            let mut sunk = 0;
            let mut most = 0;
            map_in_order(
                jobs(threads),
                500,
                |i| {
                    started.fetch_add(1, Ordering::SeqCst);
                    std::thread::yield_now();
                    finished.fetch_add(1, Ordering::SeqCst);
                    i
                },
                |i| {
                    assert_eq!(i, sunk);
                    // A slow sink: the workers run ahead as far as they may.
                    std::thread::sleep(std::time::Duration::from_micros(50));
                    let ahead = started.load(Ordering::SeqCst) - sunk;
                    most = most.max(ahead);
                    assert!(
                        ahead <= look_ahead(threads),
                        "{ahead} results ahead with {threads} threads"
                    );
                    sunk += 1;
                },
            );
            assert_eq!(sunk, 500);
            assert_eq!(finished.load(Ordering::SeqCst), 500);
            // The workers did run ahead: the bound is what held them.
            assert!(most > 1, "never ran ahead with {threads} threads");
        }
    }

    #[test]
    fn one_job_or_one_item_stays_on_the_calling_thread() {
        let caller = std::thread::current().id();
        map_in_order(
            Jobs::ONE,
            10,
            |_| assert_eq!(std::thread::current().id(), caller),
            |()| {},
        );
        map_in_order(jobs(4), 1, |_| assert_eq!(std::thread::current().id(), caller), |()| {});
        let mut calls = 0;
        map_in_order(jobs(4), 0, |i| i, |_| calls += 1);
        assert_eq!(calls, 0);
    }

    #[test]
    fn several_jobs_use_other_threads() {
        let caller = std::thread::current().id();
        let elsewhere = AtomicUsize::new(0);
        map_in_order(
            jobs(2),
            200,
            |_| {
                std::thread::sleep(std::time::Duration::from_micros(100));
                if std::thread::current().id() != caller {
                    elsewhere.fetch_add(1, Ordering::SeqCst);
                }
            },
            |()| {},
        );
        assert!(elsewhere.load(Ordering::SeqCst) > 0);
    }

    #[test]
    fn a_worker_panic_reaches_the_caller_with_its_message() {
        for threads in 1..=4 {
            let caught = panic::catch_unwind(|| {
                map_in_order(jobs(threads), 100, |i| assert!(i != 37, "item {i} failed"), |()| {});
            })
            .unwrap_err();
            let message = caught.downcast_ref::<String>().cloned().unwrap_or_default();
            assert_eq!(message, "item 37 failed");
        }
    }

    #[test]
    fn a_sink_panic_stops_the_workers() {
        let caught = panic::catch_unwind(AssertUnwindSafe(|| {
            map_in_order(jobs(3), 1000, |i| i, |i| assert!(i < 10, "sink stopped at {i}"));
        }));
        assert!(caught.is_err());
    }

    #[test]
    fn jobs_parse_and_count() {
        assert_eq!("2".parse::<Jobs>(), Ok(jobs(2)));
        assert!("0".parse::<Jobs>().is_err());
        assert!("many".parse::<Jobs>().is_err());
        assert_eq!(Jobs::default(), Jobs::AUTO);
        assert!(Jobs::AUTO.count() >= 1);
    }
}
