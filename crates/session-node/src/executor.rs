//! The request executor: a few threads that run storage requests (their RocksDB work) off the
//! async workers, fed by one bounded queue.
//!
//! tokio's blocking pool hands every job to a thread of its own (up to 512): each request costs
//! a wake-up of an idle thread and a context switch there and back, which on one core was a third
//! of the node's time (issue 20). These threads instead drain a shared queue: under load they
//! run job after job without sleeping, and a full queue is refused at once (503) instead of
//! growing without bound.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

/// Jobs waiting at most; one more is refused with [`ExecError::Busy`].
pub const QUEUE: usize = 4_096;

type Job = Box<dyn FnOnce() + Send>;

/// Why a job did not give its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    /// The queue was full.
    #[error("the node is busy: {QUEUE} requests are waiting")]
    Busy,
    /// The job panicked.
    #[error("the request's handler panicked")]
    Panicked,
}

/// A fixed set of threads draining one bounded queue. Dropping it lets the threads finish the
/// queued jobs and exit.
pub struct Executor {
    queue: SyncSender<Job>,
    threads: usize,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl Executor {
    /// Starts `threads` threads (at least one) behind a queue of `capacity` jobs.
    pub fn new(threads: usize, capacity: usize) -> Self {
        let (queue, jobs) = std::sync::mpsc::sync_channel::<Job>(capacity);
        let jobs = Arc::new(Mutex::new(jobs));
        let threads = threads.max(1);
        for i in 0..threads {
            let jobs = jobs.clone();
            std::thread::Builder::new()
                .name(format!("executor-{i}"))
                .spawn(move || drain(&jobs))
                .expect("spawning an executor thread");
        }
        Self { queue, threads }
    }

    /// One thread per core this process may run on (its CPU affinity), at least two, so that
    /// one job waiting on the disk does not hold up the rest.
    pub fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self::new(cores.max(2), QUEUE)
    }

    /// Threads running jobs.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Queues `f` for an executor thread now; the future gives its result.
    pub fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = Result<T, ExecError>> + Send + 'static {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        let queued = self.queue.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => ExecError::Busy,
            // The threads exit only when the executor is dropped; a job cannot outlive it.
            TrySendError::Disconnected(_) => ExecError::Panicked,
        });
        async move {
            queued?;
            // A panic drops `tx` unsent.
            rx.await.map_err(|_| ExecError::Panicked)
        }
    }
}

/// An executor thread: runs jobs until the queue is closed; a job's panic ends that job only.
fn drain(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let jobs = jobs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            jobs.recv()
        };
        let Ok(job) = job else { return };
        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_and_give_their_results() {
        let ex = Executor::new(2, 128);
        let pending: Vec<_> = (0..100u64).map(|i| ex.run(move || i * i)).collect();
        let mut squares = Vec::new();
        for p in pending {
            squares.push(p.await.unwrap());
        }
        assert_eq!(squares, (0..100u64).map(|i| i * i).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_panicking_job_is_reported_and_the_threads_go_on() {
        let ex = Executor::new(1, 16);
        let err = ex.run(|| -> u8 { panic!("boom") }).await;
        assert_eq!(err, Err(ExecError::Panicked));
        assert_eq!(
            ex.run(|| 7).await,
            Ok(7),
            "the only thread survived the panic"
        );
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let ex = Executor::new(1, 2);
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let (started_tx, started) = std::sync::mpsc::channel::<()>();
        // One job holds the only thread; two more fill the queue.
        let holder = ex.run(move || {
            started_tx.send(()).unwrap();
            gate.recv().unwrap();
        });
        started.recv().unwrap();
        let queued: Vec<_> = (0..2).map(|i| ex.run(move || i)).collect();
        assert_eq!(ex.run(|| 9).await, Err(ExecError::Busy));
        release.send(()).unwrap();
        holder.await.unwrap();
        for (i, q) in queued.into_iter().enumerate() {
            assert_eq!(q.await, Ok(i));
        }
        assert_eq!(
            ex.run(|| 9).await,
            Ok(9),
            "room again once the queue drained"
        );
    }
}
