//! The expiry sweep run by several workers at once, racing accepts
//! (docs/api/invitations.md): each expired invitation is expired and audited once,
//! and an invitation accepted in the race stays ACCEPTED.

use chrono::Duration;
use futures::future::join_all;
use roster_tests::serde_json::json;
use roster_tests::{both_backends, error_code, invitation_token};

const INVITEES: usize = 24;
const ACCEPT_NEW: &str = "mutation($t: String!) { acceptInvitation(token: $t, password: \"a good password\", displayName: \"New\") { user { id } } }";

both_backends! {
    async fn concurrent_sweeps_and_accepts_expire_each_invitation_once(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        app.execute_sql("update organization set plan = 'ENTERPRISE'").await;
        let mut tokens = Vec::new();
        for i in 0..INVITEES {
            let email = format!("p{i}@example.com");
            app.invite(&ada, &org, &email, "MEMBER").await;
            tokens.push(invitation_token(&app.mail_to(&email, 1).await, &app.base));
        }
        // Three sweeps (as three worker processes would run them) see every
        // invitation overdue, while half the invitees accept: for them the
        // invitation is still valid, so each accept races the sweeps.
        let later = app.now() + Duration::days(8);
        let sweeps: Vec<_> = (0..3)
            .map(|_| {
                let store = app.db.store();
                tokio::spawn(async move { store.expire_invitations(later).await })
            })
            .collect();
        let accepts = join_all(tokens[..INVITEES / 2].iter().map(|t| app.gql(None, ACCEPT_NEW, json!({ "t": t })))).await;
        let mut expired_by_sweeps = 0;
        for sweep in sweeps {
            expired_by_sweeps += sweep.await.expect("sweep task").expect("sweep");
        }
        let mut accepted = 0;
        for answer in &accepts {
            match error_code(answer) {
                None => accepted += 1,
                // The sweep got there first: the invitation has expired.
                Some(code) => assert_eq!(code, "INVITATION_EXPIRED", "{answer}"),
            }
        }
        // Everything not accepted is expired, once.
        let count = |sql: &'static str| app.count_sql(sql);
        assert_eq!(count("select count(*) from invitation where status = 'ACCEPTED'").await, accepted);
        assert_eq!(count("select count(*) from invitation where status = 'EXPIRED'").await, INVITEES as i64 - accepted);
        assert_eq!(expired_by_sweeps as i64, INVITEES as i64 - accepted);
        assert_eq!(count("select count(*) from audit_event where action = 'invitation.expired'").await, INVITEES as i64 - accepted);
        assert_eq!(
            count("select count(*) from (select target_user_id from audit_event where action = 'invitation.expired' \
                   group by target_user_id having count(*) > 1) t").await,
            0,
            "an invitation expired twice"
        );
        assert_eq!(
            count("select count(*) from audit_event a join invitation i on i.user_id = a.target_user_id \
                   where a.action = 'invitation.expired' and i.status <> 'EXPIRED'").await,
            0,
            "an accepted invitation was audited as expired"
        );
        // Every accepted invitee is an ACTIVE member; nobody else holds a seat.
        let q = "query($o: ID!) { organization(id: $o) { seatsUsed members(status: ACTIVE) { totalCount } } }";
        let data = app.ok(Some(&ada.access), q, json!({ "o": org })).await;
        assert_eq!(data["organization"], json!({ "seatsUsed": 1 + accepted, "members": { "totalCount": 1 + accepted } }));
        assert_eq!(app.db.store().expire_invitations(later).await.unwrap(), 0);
    }
}
