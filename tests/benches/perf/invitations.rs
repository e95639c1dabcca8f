//! Invitation throughput: `inviteMember` of new emails, and
//! `acceptInvitation` by signed-in invitees (whose sign-up, the password
//! hash, is set-up, not measured), at 1 and 16 connections.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use roster_tests::serde_json::json;
use roster_tests::{Session, TestApp, invitation_token};

const INVITE: &str = "mutation($org: ID!, $input: InviteMemberInput!) { \
    inviteMember(organizationId: $org, input: $input) { id } }";
const ACCEPT: &str = "mutation($t: String!) { acceptInvitation(token: $t) { accessToken } }";

/// `n` calls of `call(i)` over `connections` concurrent callers (futures
/// of this task: the calls wait on HTTP); per second.
async fn throughput<F, Fut>(n: usize, connections: usize, call: F) -> f64
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let callers = (0..connections).map(|_| async {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            call(i).await;
        }
    });
    futures::future::join_all(callers).await;
    n as f64 / start.elapsed().as_secs_f64()
}

/// `(operation, connections, per second)` rows.
pub async fn bench(app: &TestApp, admin: &Session, org: &str) -> Vec<(&'static str, usize, f64)> {
    let n: usize = std::env::var("ROSTER_BENCH_INVITES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let mut rows = Vec::new();
    for (round, connections) in [1, 16].into_iter().enumerate() {
        let per_second = throughput(n, connections, |i| async move {
            let input =
                json!({ "email": format!("new-{round}-{i}@example.com"), "role": "MEMBER" });
            app.ok(
                Some(&admin.access),
                INVITE,
                json!({ "org": org, "input": input }),
            )
            .await;
        })
        .await;
        rows.push(("inviteMember", connections, per_second));
    }

    // Acceptance: invitees signed up first; their invitations' tokens come
    // by mail.
    let mut invitees = Vec::new();
    for i in 0..2 * n {
        let email = format!("joiner-{i}@example.com");
        let session = app.sign_up(&email, "Joiner").await;
        // An unverified account is not matched to invitations by email.
        app.verify_email(&session, &email).await;
        app.invite(admin, org, &email, "MEMBER").await;
        invitees.push((email, session));
    }
    // Each of the 4n invitations' mail (the first loop's and these); the
    // sign-ups' verification mails come besides them.
    let link = format!("{}/invite/", app.base);
    let invited = |m: &roster_tests::smtp_sink::ReceivedMail| m.text_body().contains(&link);
    let mails = app
        .mail
        .wait_until("every invitation's email", Duration::from_secs(120), |m| {
            m.iter().filter(|m| invited(m)).count() >= 4 * n
        })
        .await;
    let invitees: Vec<(String, String)> = invitees
        .into_iter()
        .map(|(email, session)| {
            let mail = mails
                .iter()
                .find(|m| m.to.iter().any(|to| to.contains(&email)) && invited(m))
                .expect("invitation mail");
            (session.access, invitation_token(mail, &app.base))
        })
        .collect();
    for (round, connections) in [1, 16].into_iter().enumerate() {
        let invitees = &invitees;
        let per_second = throughput(n, connections, |i| async move {
            let (access, token) = &invitees[round * n + i];
            app.ok(Some(access), ACCEPT, json!({ "t": token })).await;
        })
        .await;
        rows.push(("acceptInvitation", connections, per_second));
    }
    rows
}
