//! Races, with real concurrency: many requests in flight at once against
//! the running server, and exactly one of them wins.

use futures::future::join_all;
use roster_tests::serde_json::{Value, json};
use roster_tests::{TestApp, both_backends, error_code, invitation_token};

const INVITE: &str = "mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, input: { email: $e }) { id } }";
const ACCEPT_NEW: &str = "mutation($t: String!) { acceptInvitation(token: $t, password: \"correct horse battery\", displayName: \"New\") { accessToken } }";
const SEATS: &str =
    "query($o: ID!) { organization(id: $o) { seatsUsed seatLimit invitations { totalCount } } }";

/// How many answers succeeded, and the codes of the others.
fn tally(answers: &[Value]) -> (usize, Vec<String>) {
    let wins = answers.iter().filter(|a| a.get("errors").is_none()).count();
    let codes = answers.iter().filter_map(error_code).collect();
    (wins, codes)
}

async fn fill_to(app: &TestApp, org: &str, seats: usize) {
    for i in 1..seats {
        let user = app
            .seed_user(&format!("m{i}@example.com"), &format!("M{i}"))
            .await;
        app.seed_membership(org, &user, "MEMBER", "ACTIVE").await;
    }
}

both_backends! {
    async fn concurrent_invites_for_the_last_seat_land_exactly_one(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        fill_to(&app, &org, 9).await;
        let before = app.ok(Some(&ada.access), SEATS, json!({ "o": org })).await;
        assert_eq!((before["organization"]["seatsUsed"].clone(), before["organization"]["seatLimit"].clone()), (json!(9), json!(10)));
        let answers = join_all((0..8).map(|i| {
            app.gql(Some(&ada.access), INVITE, json!({ "o": org, "e": format!("race{i}@example.com") }))
        }))
        .await;
        let (wins, codes) = tally(&answers);
        assert_eq!(wins, 1, "{answers:?}");
        assert_eq!(codes, vec!["SEAT_LIMIT_REACHED"; 7]);
        let after = app.ok(Some(&ada.access), SEATS, json!({ "o": org })).await;
        assert_eq!(after["organization"]["seatsUsed"], 10);
        assert_eq!(after["organization"]["invitations"]["totalCount"], 1);
        app.assert_member_counts_exact().await;
    }

    async fn concurrent_accepts_of_one_token_make_one_membership(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        app.invite(&ada, &org, "new@example.com", "MEMBER").await;
        let token = invitation_token(&app.mail_to("new@example.com", 1).await, &app.base);
        let answers = join_all((0..6).map(|_| app.gql(None, ACCEPT_NEW, json!({ "t": token })))).await;
        let (wins, codes) = tally(&answers);
        assert_eq!(wins, 1, "{answers:?}");
        assert_eq!(codes, vec!["INVITATION_INVALID"; 5]);
        let q = "query($o: ID!) { organization(id: $o) { seatsUsed members(search: \"new@\") { totalCount edges { node { status } } } } }";
        let data = app.ok(Some(&ada.access), q, json!({ "o": org })).await;
        assert_eq!(data["organization"]["members"]["totalCount"], 1);
        assert_eq!(data["organization"]["members"]["edges"][0]["node"]["status"], "ACTIVE");
        assert_eq!(data["organization"]["seatsUsed"], 2);
        app.assert_member_counts_exact().await;
    }
}
