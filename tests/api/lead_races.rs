//! Leads racing a removal (rules.md §5): a lead is never created for, nor
//! given to, a user whose removal has committed. The removal here is the
//! write `removeMember` makes (its membership row deleted), held open in a
//! transaction of the test's while the lead writes run.

use roster_store::Database;
use roster_tests::serde_json::json;
use roster_tests::{TestApp, both_backends, error_code};
use uuid::Uuid;

use crate::assistant_managers::team;
use crate::leads::{CREATE, UPDATE, create};

/// A removal in flight: the membership deleted, not yet committed.
enum Removal {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

const DELETE: &str = "delete from membership where organization_id = $1 and user_id = $2";

impl Removal {
    async fn begin(app: &TestApp, org: &str, user: &str) -> Self {
        let (org, user) = (
            Uuid::parse_str(org).unwrap(),
            Uuid::parse_str(user).unwrap(),
        );
        match &app.db {
            Database::Sqlite(pool) => {
                let mut tx = pool.begin_with("begin immediate").await.expect("begin");
                sqlx::query(DELETE)
                    .bind(org)
                    .bind(user)
                    .execute(&mut *tx)
                    .await
                    .expect("delete");
                Self::Sqlite(tx)
            }
            Database::Postgres(pool) => {
                let mut tx = pool.begin().await.expect("begin");
                sqlx::query(DELETE)
                    .bind(org)
                    .bind(user)
                    .execute(&mut *tx)
                    .await
                    .expect("delete");
                Self::Postgres(tx)
            }
        }
    }

    async fn commit(self) {
        match self {
            Self::Sqlite(tx) => tx.commit().await.expect("commit"),
            Self::Postgres(tx) => tx.commit().await.expect("commit"),
        }
    }
}

both_backends! {
    async fn a_lead_is_never_given_to_a_member_whose_removal_committed(app) {
        let t = team(&app).await;
        let (ada, org) = (&t.a.ada, &t.a.org);
        let lead = create(&app, ada, org, json!({ "name": "Ada's" })).await;
        let removal = Removal::begin(&app, org, &t.tom.user_id).await;
        // Both writes start while the removal is uncommitted; it commits
        // while they wait on it.
        let (created, updated, ()) = tokio::join!(
            app.gql(Some(&ada.access), CREATE, json!({ "o": org, "i": { "name": "For Tom", "ownerId": t.tom.user_id } })),
            app.gql(Some(&ada.access), UPDATE, json!({ "id": lead["id"], "i": { "name": "Ada's", "ownerId": t.tom.user_id } })),
            async {
                tokio::time::sleep(std::time::Duration::from_millis(400)).await;
                removal.commit().await;
            },
        );
        assert_eq!(error_code(&created).as_deref(), Some("VALIDATION"), "{created}");
        assert_eq!(error_code(&updated).as_deref(), Some("VALIDATION"), "{updated}");
        let tom_leads = "select count(*) from lead where owner_id in \
            (select id from app_user where email = 'tom@example.com')";
        assert_eq!(app.count_sql(tom_leads).await, 0);
        assert_eq!(app.count_sql("select count(*) from lead").await, 1);
    }

    async fn concurrent_lead_writes_of_one_organization_all_land(app) {
        let t = team(&app).await;
        let (ada, org) = (&t.a.ada, &t.a.org);
        let writes = (0..8).map(|i| {
            let (app, ada, tom) = (&app, ada, &t.tom);
            async move {
                app.gql(Some(&ada.access), CREATE, json!({ "o": org, "i": { "name": format!("L{i}"), "ownerId": tom.user_id } })).await
            }
        });
        let results = futures::future::join_all(writes).await;
        for r in &results {
            assert!(r.get("errors").is_none(), "{r}");
        }
        assert_eq!(app.count_sql("select count(*) from lead").await, 8);
    }
}
