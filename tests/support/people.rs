//! The people of a test: users signed up and logged in through the API,
//! their organizations, members and invitations.

use serde_json::{Value, json};

use crate::{PASSWORD, TestApp};

impl TestApp {
    pub async fn sign_up(&self, email: &str, name: &str) -> Session {
        let data = self
            .ok(
                None,
                "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, displayName: $n) \
                 { accessToken refreshToken user { id } } }",
                json!({ "e": email, "p": PASSWORD, "n": name }),
            )
            .await;
        Session::from_payload(&data["signUp"])
    }

    /// Verifies `who`'s address `email` through the link its sign-up mailed
    /// (docs/api/sessions.md).
    pub async fn verify_email(&self, who: &Session, email: &str) {
        let mails = self.verification_mails_to(email).await;
        let mail = mails.last().expect("a verification email");
        let token = crate::verification_token(mail, &self.base);
        self.ok(
            Some(&who.access),
            "mutation($t: String!) { verifyEmail(token: $t) { id } }",
            json!({ "t": token }),
        )
        .await;
    }

    /// Logs in again (after the clock moved past the access token's life).
    pub async fn log_in(&self, email: &str) -> Session {
        self.log_in_with(email, PASSWORD).await
    }

    /// Logs in with a password of the test's own.
    pub async fn log_in_with(&self, email: &str, password: &str) -> Session {
        let data = self
            .ok(
                None,
                "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken refreshToken user { id } } }",
                json!({ "e": email, "p": password }),
            )
            .await;
        Session::from_payload(&data["logIn"])
    }

    /// Creates an organization as `owner`; its id.
    pub async fn create_org(&self, owner: &Session, name: &str) -> String {
        let data = self
            .ok(
                Some(&owner.access),
                "mutation($n: String!) { createOrganization(name: $n) { id } }",
                json!({ "n": name }),
            )
            .await;
        data["createOrganization"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Signs `email` up and makes it an ACTIVE `role` of `org`.
    pub async fn join(&self, org: &str, email: &str, role: &str) -> Session {
        // Named after the address's local part: a display name may hold
        // no email address (docs/operations/limits.md).
        let name = email.split('@').next().unwrap_or(email);
        let session = self.sign_up(email, name).await;
        self.seed_membership(org, &session.user_id, role, "ACTIVE")
            .await;
        session
    }

    /// Invites `email` as `role` into `org`; the invitation.
    pub async fn invite(&self, by: &Session, org: &str, email: &str, role: &str) -> Value {
        let data = self
            .ok(
                Some(&by.access),
                "mutation($org: ID!, $input: InviteMemberInput!) { inviteMember(organizationId: $org, input: $input) \
                 { id email role status delivery sentCount expiresAt } }",
                json!({ "org": org, "input": { "email": email, "role": role } }),
            )
            .await;
        data["inviteMember"].clone()
    }
}

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct Session {
    pub access: String,
    pub refresh: String,
    pub user_id: String,
}

impl Session {
    pub fn from_payload(p: &Value) -> Self {
        Self {
            access: p["accessToken"].as_str().expect("accessToken").to_owned(),
            refresh: p["refreshToken"].as_str().expect("refreshToken").to_owned(),
            user_id: p["user"]["id"].as_str().expect("user.id").to_owned(),
        }
    }
}
