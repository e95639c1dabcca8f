//! Every end-to-end test runs on SQLite and, where
//! `ROSTER_TEST_POSTGRES_URL` is set, on PostgreSQL: the two macros that
//! make one test per backend.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body on SQLite and, where `ROSTER_TEST_POSTGRES_URL` is set,
/// on PostgreSQL: `both_backends! { async fn name(app) { ... } }`.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => { $(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::TestApp::spawn($crate::Backend::Sqlite).await.expect("SQLite always runs");
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::TestApp::spawn($crate::Backend::Postgres).await else {
                    eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
                    return;
                };
                $body
            }
        }
    )* };
}

/// One test per backend for each async fn named, which takes the
/// [`Backend`] (a test that needs more than `TestApp::spawn` gives:
/// processes of its own, a configured app): `name::sqlite` and
/// `name::postgres`, as [`both_backends!`] names them.
#[macro_export]
macro_rules! each_backend {
    ($($test:ident),* $(,)?) => { $(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$test($crate::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$test($crate::Backend::Postgres).await;
            }
        }
    )* };
}
