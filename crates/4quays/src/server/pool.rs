//! The crypto pool: a fixed number of threads with a bounded queue. RSA is CPU work that must not
//! run on the async workers (it would stall every connection they drive), and tokio's blocking
//! pool grows to 512 threads: this one has `workers` threads and at most `queue` jobs waiting, and
//! a job that finds the queue full is refused at once.

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use std::panic::AssertUnwindSafe;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// Why a job did not give its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PoolError {
    /// The queue was full.
    Full,
    /// The job panicked or the pool is shutting down.
    Lost,
}

/// A fixed pool of threads for blocking work.
#[derive(Debug)]
pub(crate) struct CryptoPool {
    /// `None` only while dropping.
    sender: Option<Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
    workers: usize,
}

impl CryptoPool {
    /// `workers` threads (at least one) and a queue of `queue` jobs.
    pub(crate) fn new(workers: usize, queue: usize) -> std::io::Result<Self> {
        let workers = workers.max(1);
        // A multi-consumer channel: an idle worker takes the next job without a lock in between.
        let (sender, receiver) = bounded::<Job>(queue.max(1));
        let mut threads = Vec::with_capacity(workers);
        for index in 0..workers {
            let receiver = receiver.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("4quays-crypto-{index}"))
                    .spawn(move || work(&receiver))?,
            );
        }
        Ok(CryptoPool {
            sender: Some(sender),
            threads,
            workers,
        })
    }

    /// How many threads the pool has.
    pub(crate) fn workers(&self) -> usize {
        self.workers
    }

    /// Runs `job` on the pool and waits for its result.
    pub(crate) async fn run<T, F>(&self, job: F) -> Result<T, PoolError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.submit(job)?.await.map_err(|_| PoolError::Lost)
    }

    /// Queues `job`; the receiver gets its result.
    fn submit<T, F>(&self, job: F) -> Result<oneshot::Receiver<T>, PoolError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let boxed: Job = Box::new(move || {
            let _ = tx.send(job());
        });
        let Some(sender) = self.sender.as_ref() else {
            return Err(PoolError::Lost);
        };
        match sender.try_send(boxed) {
            Ok(()) => Ok(rx),
            Err(TrySendError::Full(_)) => Err(PoolError::Full),
            Err(TrySendError::Disconnected(_)) => Err(PoolError::Lost),
        }
    }
}

impl Drop for CryptoPool {
    fn drop(&mut self) {
        // Closing the channel ends every worker once the jobs already queued are done.
        drop(self.sender.take());
        for thread in std::mem::take(&mut self.threads) {
            let _ = thread.join();
        }
    }
}

fn work(receiver: &Receiver<Job>) {
    loop {
        match receiver.recv() {
            // A job that panics loses its result (its caller sees `Lost`), not the thread.
            Ok(job) => {
                let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
            }
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[tokio::test]
    async fn runs_jobs_and_refuses_when_full() {
        let pool = CryptoPool::new(1, 1).unwrap();
        assert_eq!(pool.run(|| 40 + 2).await, Ok(42));

        // Block the one worker, fill the one queue slot, and the next job is refused.
        let (release, blocked) = channel::<()>();
        let (started_tx, started) = channel::<()>();
        let first = pool
            .submit(move || {
                let _ = started_tx.send(());
                let _ = blocked.recv();
                1
            })
            .unwrap();
        started.recv().unwrap();
        let second = pool.submit(|| 2).unwrap();
        assert_eq!(pool.submit(|| 3).err(), Some(PoolError::Full));
        release.send(()).unwrap();
        assert_eq!(first.await, Ok(1));
        assert_eq!(second.await, Ok(2));
        assert_eq!(pool.run(|| 4).await, Ok(4));
    }

    #[tokio::test]
    async fn a_panicking_job_loses_only_its_result() {
        let pool = CryptoPool::new(1, 4).unwrap();
        #[allow(clippy::panic)]
        let lost = pool.run(|| -> u8 { panic!("job failure") }).await;
        assert_eq!(lost, Err(PoolError::Lost));
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }
}
