//! The member list's `search:` on both backends and both ways it is served
//! (docs/operations/performance.md, "Large organizations"): through the
//! organization's trigram index for a fragment of three characters or
//! more, by reading the organization's members for one or two. The
//! answers are the same, in a small organization and a large one, and the
//! index follows the accounts and the memberships it covers.

use super::deletion::{DELETE, org_vars};
use chrono::Duration;
use roster_store::Database;
use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends, invitation_token};

const SEARCH: &str = "query($id: ID!, $s: String) { organization(id: $id) { members(first: 100, search: $s) \
    { totalCount edges { node { status user { email displayName } } } } } }";
const ACCEPT: &str = "mutation($t: String!) { acceptInvitation(token: $t, password: \"correct horse battery\", displayName: \"Quentin Zephyr\") { accessToken } }";

/// (email, display name) of the people in both organizations.
const PEOPLE: [(&str, &str); 3] = [
    ("Grace.Hopper@Navy.mil", "Grace Hopper"),
    ("gkelly@monaco.mc", "Grace Kelly"),
    ("alan@turing.org", "Alan Turing"),
];

/// Ada's organizations: a small one (Ada and `PEOPLE`) and a large one
/// (the same and 1,000 more, `bulk-N@example.com`, "Member N").
async fn organizations(app: &TestApp) -> (Session, String, String) {
    let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
    let small = app.create_org(&ada, "Small").await;
    let large = app.create_org(&ada, "Large").await;
    app.seed_member_page(&large, 1000, "bulk").await;
    for (email, name) in PEOPLE {
        let user = app.seed_user(email, name).await;
        app.seed_membership(&small, &user, "MEMBER", "ACTIVE").await;
        app.seed_membership(&large, &user, "MEMBER", "ACTIVE").await;
    }
    (ada, small, large)
}

/// The total and the emails (sorted) that searching `org` for `s` finds.
async fn search(app: &TestApp, ada: &Session, org: &str, s: &str) -> (i64, Vec<String>) {
    let data = app
        .ok(Some(&ada.access), SEARCH, json!({ "id": org, "s": s }))
        .await;
    let members = &data["organization"]["members"];
    let mut emails: Vec<String> = members["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            e["node"]["user"]["email"]
                .as_str()
                .expect("email")
                .to_owned()
        })
        .collect();
    emails.sort();
    (members["totalCount"].as_i64().expect("total"), emails)
}

/// Every run of three characters of `text` (lowercased) but those that
/// start or end with a space (a search is trimmed).
fn trigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    chars
        .windows(3)
        .map(|w| w.iter().collect::<String>())
        .filter(|w| w.trim() == w)
        .collect()
}

/// The search index holds exactly the memberships, each with its
/// account's current text (migration 0025).
async fn assert_index_in_step(app: &TestApp) {
    let stale = match app.db {
        Database::Sqlite(_) => {
            app.count_sql(
                "select (select count(*) from member_search) - (select count(*) from membership)",
            )
            .await
        }
        Database::Postgres(_) => {
            app.count_sql(
                "select count(*) from membership m join app_user u on u.id = m.user_id \
                 where m.search <> lower(u.display_name) || E'\\n' || u.email_normalized",
            )
            .await
        }
    };
    assert_eq!(stale, 0, "the search index is out of step");
}

both_backends! {
    async fn any_three_consecutive_characters_of_a_name_or_email_find_the_member(app) {
        let (ada, small, large) = organizations(&app).await;
        for (email, name) in PEOPLE {
            for fragment in trigrams(name).into_iter().chain(trigrams(email)) {
                let expected: Vec<String> = {
                    let mut found: Vec<String> = PEOPLE
                        .iter()
                        .chain([("ada@example.com", "Ada Lovelace")].iter())
                        .filter(|(e, n)| e.to_lowercase().contains(&fragment) || n.to_lowercase().contains(&fragment))
                        .map(|(e, _)| (*e).to_owned())
                        .collect();
                    found.sort();
                    found
                };
                assert!(expected.contains(&email.to_owned()), "{fragment}");
                let want = (expected.len() as i64, expected);
                assert_eq!(search(&app, &ada, &small, &fragment).await, want, "small, {fragment:?}");
                assert_eq!(search(&app, &ada, &large, &fragment).await, want, "large, {fragment:?}");
                // Case does not matter.
                let upper = fragment.to_uppercase();
                assert_eq!(search(&app, &ada, &large, &upper).await, want, "large, {upper:?}");
            }
        }
    }

    async fn a_fragment_shared_by_many_counts_them_all(app) {
        let (ada, small, large) = organizations(&app).await;
        // "example.com": Ada, and in the large one every bulk member too.
        let (n, emails) = search(&app, &ada, &small, "example.com").await;
        assert_eq!((n, emails), (1, vec!["ada@example.com".to_owned()]));
        let (n, emails) = search(&app, &ada, &large, "example.com").await;
        assert_eq!((n, emails.len()), (1001, 100));
        // "member 1": Member 1, 10-19, 100-199 and 1000.
        assert_eq!(search(&app, &ada, &large, "member 1").await.0, 112);
    }

    async fn one_or_two_characters_search_the_organizations_members(app) {
        let (ada, small, large) = organizations(&app).await;
        for fragment in ["gr", "GR", "y@", "ho"] {
            let on_small = search(&app, &ada, &small, fragment).await;
            assert_eq!(search(&app, &ada, &large, fragment).await, on_small, "{fragment}");
        }
        let graces = vec!["Grace.Hopper@Navy.mil".to_owned(), "gkelly@monaco.mc".to_owned()];
        assert_eq!(search(&app, &ada, &large, "gr").await, (2, graces));
    }

    async fn wildcards_and_quotes_are_literal_on_both_paths(app) {
        let (ada, small, large) = organizations(&app).await;
        for org in [&small, &large] {
            for fragment in ["%", "_", "\\", "\"", "%%%", "_r_", "a\"b", "\"gr\"", "gra*", "gra OR ali"] {
                assert_eq!(search(&app, &ada, org, fragment).await, (0, vec![]), "{fragment:?}");
            }
        }
    }

    async fn an_account_is_found_by_the_name_it_takes_on_accepting(app) {
        let (ada, _, large) = organizations(&app).await;
        app.execute_sql("update organization set plan = 'ENTERPRISE'").await;
        app.invite(&ada, &large, "newcomer@example.net", "MEMBER").await;
        let (n, emails) = search(&app, &ada, &large, "newcomer").await;
        assert_eq!((n, emails), (1, vec!["newcomer@example.net".to_owned()]));
        let token = invitation_token(&app.mail_to("newcomer@example.net", 1).await, &app.base);
        app.ok(None, ACCEPT, json!({ "t": token })).await;
        let found: Value = app.ok(Some(&ada.access), SEARCH, json!({ "id": large, "s": "zephyr" })).await;
        let node = &found["organization"]["members"]["edges"][0]["node"];
        assert_eq!((node["status"].as_str(), node["user"]["displayName"].as_str()), (Some("ACTIVE"), Some("Quentin Zephyr")));
        assert_eq!(search(&app, &ada, &large, "tin zep").await.0, 1);
    }

    async fn the_index_follows_a_claimed_invitation_and_a_purged_organization(app) {
        let (ada, small, large) = organizations(&app).await;
        app.execute_sql("update organization set plan = 'ENTERPRISE'").await;
        // Invited before the account exists: the invitation's placeholder
        // is claimed by the sign-up, and its membership moves to the account.
        let invitation = app.invite(&ada, &large, "pat@example.net", "MEMBER").await;
        app.sign_up("pat@example.net", "Pat Quokka").await;
        let found: Value = app.ok(Some(&ada.access), SEARCH, json!({ "id": large, "s": "quokka" })).await;
        let node = &found["organization"]["members"]["edges"][0]["node"];
        assert_eq!((node["status"].as_str(), node["user"]["email"].as_str()), (Some("INVITED"), Some("pat@example.net")));
        assert_index_in_step(&app).await;
        // Revoked, the invitation's membership goes, and its index row.
        let revoke = "mutation($id: ID!) { revokeInvitation(id: $id) { id } }";
        app.ok(Some(&ada.access), revoke, json!({ "id": invitation["id"] })).await;
        assert_eq!(search(&app, &ada, &large, "quokka").await, (0, vec![]));
        assert_index_in_step(&app).await;
        // The small organization is deleted and purged; the large one
        // answers as before, and so does one made after it.
        app.ok(Some(&ada.access), DELETE, org_vars(&small)).await;
        app.clock.advance(Duration::days(31));
        let purged = app.db.store().purge_deleted_organizations(app.now()).await.expect("purge");
        assert_eq!(purged.len(), 1);
        assert_index_in_step(&app).await;
        let ada = app.log_in("ada@example.com").await;
        assert_eq!(search(&app, &ada, &large, "grace").await.0, 2);
        let later = app.create_org(&ada, "Later").await;
        let alan = app.seed_user("alan.kay@parc.com", "Alan Kay").await;
        app.seed_membership(&later, &alan, "MEMBER", "ACTIVE").await;
        assert_eq!(search(&app, &ada, &later, "alan").await, (1, vec!["alan.kay@parc.com".to_owned()]));
        assert_eq!(search(&app, &ada, &large, "alan").await.0, 1);
        assert_index_in_step(&app).await;
    }
}
