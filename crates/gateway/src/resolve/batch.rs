//! Request-scoped batching with no window. A load registers its keys and
//! waits; after each poll of the request's execution, the request's own
//! task starts one batch per key type with every key that poll asked for,
//! and polls the batches itself ([`BatchLoader::drive`],
//! [`BatchLoader::drive_stream`]). The items of a list are all polled in
//! one poll of the execution, so a list loads in one statement whatever
//! the scheduler does, and nothing waits for a timer.
//!
//! async-graphql's `DataLoader` (whose `Loader` trait the store's loaders
//! implement) starts a batch from a spawned task after a timer: even at
//! zero delay that is a hop to the timer's thread and back, and the batch
//! could start before the list's last item had asked for its key.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use async_graphql::dataloader::Loader;
use futures::channel::oneshot;
use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, Stream, StreamExt};

/// Keys in one statement at most; a larger batch runs as several.
const MAX_BATCH: usize = 1000;

/// A loader's batches and cache for one request. Loads only complete
/// inside [`drive`](Self::drive) or [`drive_stream`](Self::drive_stream).
pub struct BatchLoader<L> {
    inner: Arc<Inner<L>>,
}

impl<L> Clone for BatchLoader<L> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<L> {
    loader: L,
    state: Mutex<State<L>>,
}

type Start<L> = fn(Arc<Inner<L>>) -> BoxFuture<'static, ()>;

struct State<L> {
    /// Per key type: a `Typed<K, ..>`.
    typed: HashMap<TypeId, Box<dyn Any + Send>>,
    /// The key types with keys waiting for a batch, each with its start.
    due: Vec<Start<L>>,
}

type Answer<K, V, E> = oneshot::Sender<Result<HashMap<K, V>, E>>;

struct Typed<K, V, E> {
    cache: HashMap<K, V>,
    keys: HashSet<K>,
    waiting: Vec<Waiter<K, V, E>>,
}

/// A load waiting for a batch: the keys it waits for, and what the cache
/// already gave it.
struct Waiter<K, V, E> {
    keys: Vec<K>,
    cached: HashMap<K, V>,
    answer: Answer<K, V, E>,
}

/// What a key type needs to be batched.
pub trait Key: Send + Sync + Hash + Eq + Clone + 'static {}
impl<K: Send + Sync + Hash + Eq + Clone + 'static> Key for K {}

impl<L: Send + Sync + 'static> BatchLoader<L> {
    pub fn new(loader: L) -> Self {
        Self {
            inner: Arc::new(Inner {
                loader,
                state: Mutex::new(State {
                    typed: HashMap::new(),
                    due: Vec::new(),
                }),
            }),
        }
    }

    /// The loader itself, for what is not batched.
    pub fn loader(&self) -> &L {
        &self.inner.loader
    }

    pub async fn load_one<K: Key>(&self, key: K) -> Result<Option<L::Value>, L::Error>
    where
        L: Loader<K>,
    {
        let mut found = self.load_many(std::iter::once(key.clone())).await?;
        Ok(found.remove(&key))
    }

    /// The values found for `keys`, from the cache or from the batch of
    /// the poll that asked.
    pub async fn load_many<K: Key>(
        &self,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<HashMap<K, L::Value>, L::Error>
    where
        L: Loader<K>,
    {
        let answer = {
            let mut state = self.inner.lock();
            let State { typed, due } = &mut *state;
            let typed = typed_mut::<K, L>(typed);
            let mut cached = HashMap::new();
            let mut missing = Vec::new();
            for key in keys {
                match typed.cache.get(&key) {
                    Some(value) => drop(cached.insert(key, value.clone())),
                    None => missing.push(key),
                }
            }
            if missing.is_empty() {
                return Ok(cached);
            }
            if typed.keys.is_empty() {
                due.push(start::<K, L>);
            }
            typed.keys.extend(missing.iter().cloned());
            let (tx, rx) = oneshot::channel();
            typed.waiting.push(Waiter {
                keys: missing,
                cached,
                answer: tx,
            });
            rx
        };
        answer
            .await
            .expect("a batch is dropped only with the execution that waits for it")
    }

    /// Puts values in the cache, as if loaded.
    pub fn feed_one<K: Key>(&self, key: K, value: L::Value)
    where
        L: Loader<K>,
    {
        typed_mut::<K, L>(&mut self.inner.lock().typed)
            .cache
            .insert(key, value);
    }

    /// Runs `execution`, starting and polling the batches its loads ask for.
    pub fn drive<F: Future>(&self, execution: F) -> impl Future<Output = F::Output> + use<F, L> {
        let inner = self.inner.clone();
        async move {
            let mut execution = std::pin::pin!(execution);
            let mut running = FuturesUnordered::new();
            std::future::poll_fn(move |cx| {
                loop {
                    if let Poll::Ready(out) = execution.as_mut().poll(cx) {
                        return Poll::Ready(out);
                    }
                    if !inner.advance(&mut running, cx) {
                        return Poll::Pending;
                    }
                }
            })
            .await
        }
    }

    /// [`drive`](Self::drive), for a subscription's stream of responses.
    pub fn drive_stream<S: Stream + Unpin>(
        &self,
        mut stream: S,
    ) -> impl Stream<Item = S::Item> + use<S, L> {
        let inner = self.inner.clone();
        let mut running = FuturesUnordered::new();
        futures::stream::poll_fn(move |cx| {
            loop {
                if let Poll::Ready(item) = stream.poll_next_unpin(cx) {
                    return Poll::Ready(item);
                }
                if !inner.advance(&mut running, cx) {
                    return Poll::Pending;
                }
            }
        })
    }
}

impl<L: Send + Sync + 'static> Inner<L> {
    fn lock(&self) -> std::sync::MutexGuard<'_, State<L>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts the batches the last poll made due and polls every running
    /// one; whether one finished (its waiters are ready to go on).
    fn advance(
        self: &Arc<Self>,
        running: &mut FuturesUnordered<BoxFuture<'static, ()>>,
        cx: &mut Context<'_>,
    ) -> bool {
        let due = std::mem::take(&mut self.lock().due);
        running.extend(due.into_iter().map(|start| start(self.clone())));
        let mut finished = false;
        while let Poll::Ready(Some(())) = running.poll_next_unpin(cx) {
            finished = true;
        }
        finished
    }

    /// Loads the keys waiting for type `K` and answers their waiters.
    async fn run<K: Key>(&self)
    where
        L: Loader<K>,
    {
        let (keys, waiting) = {
            let mut state = self.lock();
            let typed = typed_mut::<K, L>(&mut state.typed);
            (
                std::mem::take(&mut typed.keys),
                std::mem::take(&mut typed.waiting),
            )
        };
        let keys: Vec<K> = keys.into_iter().collect();
        let mut values = HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(MAX_BATCH) {
            match self.loader.load(chunk).await {
                Ok(found) => values.extend(found),
                Err(e) => {
                    for waiter in waiting {
                        let _ = waiter.answer.send(Err(e.clone()));
                    }
                    return;
                }
            }
        }
        for Waiter {
            keys,
            cached: mut found,
            answer,
        } in waiting
        {
            for key in keys {
                if let Some(value) = values.get(&key) {
                    found.insert(key, value.clone());
                }
            }
            let _ = answer.send(Ok(found));
        }
        typed_mut::<K, L>(&mut self.lock().typed)
            .cache
            .extend(values);
    }
}

fn start<K: Key, L: Loader<K>>(inner: Arc<Inner<L>>) -> BoxFuture<'static, ()> {
    Box::pin(async move { inner.run::<K>().await })
}

fn typed_mut<K: Key, L: Loader<K>>(
    typed: &mut HashMap<TypeId, Box<dyn Any + Send>>,
) -> &mut Typed<K, L::Value, L::Error> {
    typed
        .entry(TypeId::of::<K>())
        .or_insert_with(|| {
            Box::new(Typed::<K, L::Value, L::Error> {
                cache: HashMap::new(),
                keys: HashSet::new(),
                waiting: Vec::new(),
            })
        })
        .downcast_mut()
        .expect("one state type per key type")
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
