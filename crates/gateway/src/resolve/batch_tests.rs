use std::collections::HashMap;
use std::sync::Mutex;

use async_graphql::dataloader::Loader;
use futures::StreamExt;
use futures::future::join_all;

use super::BatchLoader;

/// Doubles its keys; records each batch; key 0 fails its batch.
#[derive(Default)]
struct Doubler {
    batches: Mutex<Vec<Vec<u32>>>,
}

impl Loader<u32> for Doubler {
    type Value = u32;
    type Error = &'static str;
    async fn load(&self, keys: &[u32]) -> Result<HashMap<u32, u32>, &'static str> {
        let mut sorted = keys.to_vec();
        sorted.sort();
        self.batches.lock().unwrap().push(sorted);
        tokio::task::yield_now().await;
        if keys.contains(&0) {
            return Err("zero");
        }
        Ok(keys.iter().map(|k| (*k, k * 2)).collect())
    }
}

fn batches(loader: &BatchLoader<Doubler>) -> Vec<Vec<u32>> {
    loader.loader().batches.lock().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keys_of_one_poll_load_in_one_batch_and_the_next_level_in_another() {
    let loader = BatchLoader::new(Doubler::default());
    let items = (1..=200).map(|k| {
        let loader = loader.clone();
        async move {
            let first = loader.load_one(k).await.unwrap().unwrap();
            loader.load_one(first + 1000).await.unwrap().unwrap()
        }
    });
    let out = loader.drive(join_all(items)).await;
    assert_eq!(
        out,
        (1..=200).map(|k| (k * 2 + 1000) * 2).collect::<Vec<_>>()
    );
    let seen = batches(&loader);
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0], (1..=200).collect::<Vec<_>>());
    assert_eq!(seen[1], (1..=200).map(|k| k * 2 + 1000).collect::<Vec<_>>());
}

#[tokio::test]
async fn cached_and_fed_keys_are_not_loaded_again() {
    let loader = BatchLoader::new(Doubler::default());
    loader.feed_one(7u32, 70);
    let first = loader.drive(loader.load_many([1u32, 2, 7])).await.unwrap();
    assert_eq!(first, HashMap::from([(1, 2), (2, 4), (7, 70)]));
    let again = loader.drive(loader.load_many([2u32, 1])).await.unwrap();
    assert_eq!(again, HashMap::from([(1, 2), (2, 4)]));
    assert_eq!(batches(&loader), vec![vec![1, 2]]);
}

#[tokio::test]
async fn a_failed_batch_fails_every_load_that_waited_for_it() {
    let loader = BatchLoader::new(Doubler::default());
    let out = loader
        .drive(join_all([loader.load_one(0u32), loader.load_one(3)]))
        .await;
    assert_eq!(out, vec![Err("zero"), Err("zero")]);
    // Nothing was cached: a later load asks again.
    assert_eq!(loader.drive(loader.load_one(3u32)).await, Ok(Some(6)));
    assert_eq!(batches(&loader), vec![vec![0, 3], vec![3]]);
}

#[tokio::test]
async fn a_large_batch_runs_in_statements_of_at_most_a_thousand_keys() {
    let loader = BatchLoader::new(Doubler::default());
    let found = loader.drive(loader.load_many(1u32..=2500)).await.unwrap();
    assert_eq!(found.len(), 2500);
    let sizes: Vec<usize> = batches(&loader).iter().map(Vec::len).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 2500);
    assert!(sizes.iter().all(|n| *n <= 1000), "{sizes:?}");
}

#[tokio::test]
async fn a_stream_batches_the_loads_of_each_item() {
    let loader = BatchLoader::new(Doubler::default());
    let inner = loader.clone();
    let stream = futures::stream::iter([1u32, 2])
        .then(move |n| {
            let loader = inner.clone();
            async move { join_all([loader.load_one(n), loader.load_one(n + 10)]).await }
        })
        .boxed();
    let items: Vec<_> = loader.drive_stream(stream).collect().await;
    assert_eq!(items[1], vec![Ok(Some(4)), Ok(Some(24))]);
    assert_eq!(batches(&loader), vec![vec![1, 11], vec![2, 12]]);
}
