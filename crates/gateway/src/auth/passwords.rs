//! Password hashing for request handlers, bounded in memory and in
//! concurrency (rules.md §10).
//!
//! argon2id at OWASP's parameters needs 19 MiB per hash. Run on the
//! blocking pool, 100 concurrent log-ins meant 100 hashes at once, each
//! allocating its own 19 MiB on its own thread, and the allocator kept
//! those per-thread arenas resident (3.5 GB that never came back). Here a
//! fixed set of threads (one per core by default) each hash with one
//! buffer of their own, reused for every hash, so hashing holds at most
//! `threads × 19 MiB`, and no more CPU than the cores can give anyway.
//!
//! Requests wait in a bounded queue. When it is full the request is
//! answered `RATE_LIMITED` (retry after 1 s) at once, rather than waiting:
//! a full queue already means seconds of waiting, and a client retrying
//! later is better than an unbounded pile of waiting requests.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use roster_domain::password::{self, Scratch};
use roster_domain::{DomainError, Password};

/// How many threads hash and how many requests may wait for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashingLimits {
    pub threads: usize,
    pub queue: usize,
}

impl Default for HashingLimits {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            queue: 128,
        }
    }
}

enum Job {
    Hash {
        password: String,
        reply: oneshot::Sender<Result<String, DomainError>>,
    },
    Verify {
        password: String,
        hash: Option<String>,
        reply: oneshot::Sender<bool>,
    },
}

/// The hashing threads' queue. Cloning shares the threads; they end when
/// the last clone is dropped.
#[derive(Clone)]
pub struct Passwords {
    jobs: SyncSender<Job>,
}

impl Passwords {
    /// One hashing thread per core.
    pub fn new() -> Self {
        Self::with_limits(HashingLimits::default())
    }

    pub fn with_limits(limits: HashingLimits) -> Self {
        let (jobs, queue) = sync_channel(limits.queue.max(1));
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..limits.threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || hash_worker(&queue))
                .expect("spawn a hashing thread");
        }
        Self { jobs }
    }

    pub async fn hash(&self, password: &Password) -> Result<String, DomainError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Hash {
            password: password.expose().to_owned(),
            reply,
        })?;
        answer.await.map_err(DomainError::internal)?
    }

    /// Whether `password` matches `hash`; with no hash (unknown account)
    /// the dummy is checked and the answer is always no.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, DomainError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Verify {
            password: password.to_owned(),
            hash: hash.map(str::to_owned),
            reply,
        })?;
        answer.await.map_err(DomainError::internal)
    }

    fn submit(&self, job: Job) -> Result<(), DomainError> {
        self.jobs.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => {
                tracing::warn!("password hashing queue full: answering RATE_LIMITED");
                crate::metrics::rate_limited("password-hashing-queue");
                DomainError::rate_limited(Duration::from_secs(1))
            }
            TrySendError::Disconnected(_) => DomainError::internal("the hashing threads are gone"),
        })
    }
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new()
    }
}

/// One hashing thread: takes jobs until every sender is gone, hashing in
/// the same memory each time (allocated at its first job, so an idle
/// gateway holds none).
fn hash_worker(queue: &Mutex<Receiver<Job>>) {
    let mut scratch: Option<Scratch> = None;
    loop {
        // The lock is held only while waiting for the next job.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let scratch = scratch.get_or_insert_with(Scratch::new);
        // A reply nobody waits for any more (the client went away) is
        // simply dropped.
        match job {
            Job::Hash { password, reply } => {
                let _ = reply.send(password::hash_in(&password, scratch));
            }
            Job::Verify {
                password,
                hash,
                reply,
            } => {
                let _ = reply.send(password::verify_in(&password, hash.as_deref(), scratch));
            }
        }
    }
}
