//! The people and organizations the matrix acts in. The cast signs up
//! once; every cell gets a fresh organization ("world") seeded in one
//! transaction, so a cell that succeeds never changes what the next sees.

use std::collections::HashMap;

use roster_store::Database;
use roster_tests::serde_json::json;
use roster_tests::{Session, TestApp};
use uuid::Uuid;

use super::expect::{Caller, Target};

/// Everyone, across all worlds.
pub struct Cast {
    pub ada: Session,
    pub bob: Session,
    pub bill: Session,
    pub uma: Session,
    pub carl: Session,
    /// A BLOCKED ADMIN.
    pub zed: Session,
    /// Signed in, a member of nothing.
    pub nina: Session,
    /// Targets: they never sign in.
    pub tom: Uuid,
    pub ursula: Uuid,
    pub alan: Uuid,
    /// A MEMBER of Globex, the other organization.
    pub olga: Uuid,
    pub globex: Globex,
}

/// The other organization and an object of each kind in it.
pub struct Globex {
    pub org: Uuid,
    pub workspace: Uuid,
    pub assistant: Uuid,
    pub lead: Uuid,
    pub invitation: Uuid,
    pub webhook: Uuid,
}

/// One cell's organization.
pub struct World {
    pub org: Uuid,
    pub workspace: Uuid,
    pub assistant: Uuid,
    /// A webhook endpoint.
    pub webhook: Uuid,
    /// The lead each member owns, by user.
    pub leads: HashMap<Uuid, Uuid>,
    /// PENDING invitations by invited role (when the operation needs them).
    pub invitations: HashMap<Target, String>,
}

fn id(s: &Session) -> Uuid {
    Uuid::parse_str(&s.user_id).expect("user id")
}

/// Runs the statements of `$body` in one transaction on whichever pool.
macro_rules! in_tx {
    ($db:expr, |$tx:ident| $body:block) => {
        match $db {
            Database::Sqlite(pool) => {
                let mut $tx = pool.begin().await.expect("begin");
                $body
                $tx.commit().await.expect("commit");
            }
            Database::Postgres(pool) => {
                let mut $tx = pool.begin().await.expect("begin");
                $body
                $tx.commit().await.expect("commit");
            }
        }
    };
}

macro_rules! exec {
    ($tx:expr, $sql:expr $(, $bind:expr)*) => {
        sqlx::query($sql)$(.bind($bind))*.execute(&mut *$tx).await.expect($sql)
    };
}

impl Cast {
    pub async fn sign_up(app: &TestApp) -> Self {
        let mut cast = Self {
            ada: app.sign_up("ada@example.com", "Ada").await,
            bob: app.sign_up("bob@example.com", "Bob").await,
            bill: app.sign_up("bill@example.com", "Bill").await,
            uma: app.sign_up("uma@example.com", "Uma").await,
            carl: app.sign_up("carl@example.com", "Carl").await,
            zed: app.sign_up("zed@example.com", "Zed").await,
            nina: app.sign_up("nina@example.com", "Nina").await,
            tom: seed_user(app, "tom@example.com").await,
            ursula: seed_user(app, "ursula@example.com").await,
            alan: seed_user(app, "alan@example.com").await,
            olga: seed_user(app, "olga@example.com").await,
            globex: Globex {
                org: Uuid::now_v7(),
                workspace: Uuid::now_v7(),
                assistant: Uuid::now_v7(),
                lead: Uuid::now_v7(),
                invitation: Uuid::now_v7(),
                webhook: Uuid::now_v7(),
            },
        };
        let gus = seed_user(app, "gus@example.com").await;
        let ivy = seed_user(app, "ivy@example.com").await;
        let g = &mut cast.globex;
        let (olga, now) = (cast.olga, app.now());
        in_tx!(&app.db, |tx| {
            exec!(
                tx,
                "insert into organization (id, name, owner_id, created_at, updated_at) values ($1, 'Globex', $2, $3, $3)",
                g.org,
                gus,
                now
            );
            for (user, role) in [(gus, "ADMIN"), (olga, "MEMBER")] {
                exec!(
                    tx,
                    MEMBERSHIP,
                    Uuid::now_v7(),
                    g.org,
                    user,
                    role,
                    "ACTIVE",
                    now
                );
            }
            exec!(
                tx,
                "insert into workspace (id, organization_id, name, created_at, updated_at) values ($1, $2, 'Globex space', $3, $3)",
                g.workspace,
                g.org,
                now
            );
            exec!(
                tx,
                "insert into assistant (id, organization_id, name, created_at, updated_at) values ($1, $2, 'Globex bot', $3, $3)",
                g.assistant,
                g.org,
                now
            );
            exec!(tx, LEAD, g.lead, g.org, olga, now);
            exec!(tx, WEBHOOK, g.webhook, g.org, now);
            exec!(
                tx,
                "insert into invitation (id, organization_id, user_id, email, role, status, delivery, sent_count, expires_at, created_at, updated_at) \
                       values ($1, $2, $3, 'ivy@example.com', 'MEMBER', 'PENDING', 'LINK', 1, $4, $5, $5)",
                g.invitation,
                g.org,
                ivy,
                now + chrono::Duration::days(7),
                now
            );
        });
        cast
    }

    /// The session `caller` calls with (none for the anonymous caller).
    pub fn session(&self, caller: Caller) -> Option<&Session> {
        Some(match caller {
            Caller::Anonymous => return None,
            Caller::NonMember => &self.nina,
            Caller::Blocked => &self.zed,
            Caller::Owner => &self.ada,
            Caller::Admin => &self.bob,
            Caller::BillingAdmin => &self.bill,
            Caller::UserAdmin => &self.uma,
            Caller::Member => &self.carl,
        })
    }

    /// The user a target names.
    pub fn user(&self, caller: Caller, target: Target) -> Uuid {
        match target {
            Target::Member | Target::Here => self.tom,
            Target::UserAdmin => self.ursula,
            Target::Admin => self.alan,
            Target::Owner => id(&self.ada),
            Target::OtherOrg => self.olga,
            Target::Caller => self.session(caller).map_or(self.tom, id),
        }
    }

    /// The email a target names (for invitations).
    pub fn email(&self, target: Target) -> &'static str {
        match target {
            Target::Member => "new-member@example.com",
            Target::UserAdmin => "new-user-admin@example.com",
            Target::Admin => "new-admin@example.com",
            Target::Owner => "ada@example.com",
            Target::OtherOrg => "olga@example.com",
            Target::Caller | Target::Here => unreachable!("not an invitation target"),
        }
    }
}

const MEMBERSHIP: &str = "insert into membership (id, organization_id, user_id, role, status, joined_at, last_active_at, created_at, updated_at) \
                          values ($1, $2, $3, $4, $5, $6, $6, $6, $6)";
const WEBHOOK: &str = "insert into webhook_endpoint (id, organization_id, url, events, secret, enabled, created_at) \
                       values ($1, $2, 'https://hooks.example.com/x', '[]', 'c2VjcmV0', true, $3)";
const LEAD: &str = "insert into lead (id, organization_id, name, owner_id, created_at, updated_at) values ($1, $2, 'A lead', $3, $4, $4)";

async fn seed_user(app: &TestApp, email: &str) -> Uuid {
    Uuid::parse_str(&app.seed_user(email, email).await).expect("id")
}

/// What a world is seeded with beyond the members.
#[derive(Clone, Copy, Default)]
pub struct Setup {
    /// Tom, Ursula and Alan BLOCKED (what unblocking acts on).
    pub blocked_targets: bool,
    /// A PENDING invitation for MEMBER, USER_ADMIN and ADMIN.
    pub invitations: bool,
    /// A pending ownership transfer from the owner to Bob.
    pub transfer: bool,
    /// The organization deleted by Bob a day ago (what restoring acts on).
    pub deleted: bool,
}

impl World {
    /// A fresh organization owned by Ada, on the ENTERPRISE plan (seats
    /// never decide a cell), where every member of the cast but Nina holds
    /// its role, the targets are placed on an assistant, and every member
    /// owns one lead.
    pub async fn seed(app: &TestApp, cast: &Cast, setup: Setup) -> Self {
        let mut world = World {
            org: Uuid::now_v7(),
            workspace: Uuid::now_v7(),
            assistant: Uuid::now_v7(),
            webhook: Uuid::now_v7(),
            leads: HashMap::new(),
            invitations: HashMap::new(),
        };
        let target_status = if setup.blocked_targets {
            "BLOCKED"
        } else {
            "ACTIVE"
        };
        let members = [
            (id(&cast.ada), "ADMIN", "ACTIVE"),
            (id(&cast.bob), "ADMIN", "ACTIVE"),
            (id(&cast.bill), "BILLING_ADMIN", "ACTIVE"),
            (id(&cast.uma), "USER_ADMIN", "ACTIVE"),
            (id(&cast.carl), "MEMBER", "ACTIVE"),
            (id(&cast.zed), "ADMIN", "BLOCKED"),
            (cast.tom, "MEMBER", target_status),
            (cast.ursula, "USER_ADMIN", target_status),
            (cast.alan, "ADMIN", target_status),
        ];
        let on_assistant = [id(&cast.ada), cast.tom, cast.ursula, cast.alan];
        let (w, now) = (&mut world, app.now());
        in_tx!(&app.db, |tx| {
            exec!(
                tx,
                "insert into organization (id, name, owner_id, plan, created_at, updated_at) values ($1, 'Acme', $2, 'ENTERPRISE', $3, $3)",
                w.org,
                id(&cast.ada),
                now
            );
            exec!(
                tx,
                "insert into workspace (id, organization_id, name, created_at, updated_at) values ($1, $2, 'Sales', $3, $3)",
                w.workspace,
                w.org,
                now
            );
            exec!(
                tx,
                "insert into assistant (id, organization_id, name, created_at, updated_at) values ($1, $2, 'Bot', $3, $3)",
                w.assistant,
                w.org,
                now
            );
            exec!(tx, WEBHOOK, w.webhook, w.org, now);
            for (user, role, status) in members {
                let membership = Uuid::now_v7();
                exec!(tx, MEMBERSHIP, membership, w.org, user, role, status, now);
                if on_assistant.contains(&user) {
                    exec!(
                        tx,
                        "insert into assistant_user (assistant_id, membership_id) values ($1, $2)",
                        w.assistant,
                        membership
                    );
                }
                let lead = Uuid::now_v7();
                exec!(tx, LEAD, lead, w.org, user, now);
                w.leads.insert(user, lead);
            }
            if setup.transfer {
                exec!(
                    tx,
                    "insert into ownership_transfer (organization_id, from_user_id, to_user_id, requested_at) values ($1, $2, $3, $4)",
                    w.org,
                    id(&cast.ada),
                    id(&cast.bob),
                    now
                );
            }
            if setup.deleted {
                exec!(
                    tx,
                    "update organization set deleted_at = $1, deleted_by = $2 where id = $3",
                    now - chrono::Duration::days(1),
                    id(&cast.bob),
                    w.org
                );
            }
        });
        if setup.invitations {
            // Every world invites the same addresses as the same Ada: the
            // invitation limits (tested in invite_limits.rs) start afresh.
            app.execute_sql("delete from rate_limit where key like 'invite-%'")
                .await;
            for (target, role) in [
                (Target::Member, "MEMBER"),
                (Target::UserAdmin, "USER_ADMIN"),
                (Target::Admin, "ADMIN"),
            ] {
                let inv = app
                    .invite(&cast.ada, &world.org.to_string(), cast.email(target), role)
                    .await;
                world
                    .invitations
                    .insert(target, inv["id"].as_str().expect("id").to_owned());
            }
        }
        world
    }

    /// The lead a target owns (Globex's for another organization).
    pub fn lead(&self, cast: &Cast, caller: Caller, target: Target) -> Uuid {
        match target {
            Target::OtherOrg => cast.globex.lead,
            t => self.leads[&cast.user(caller, t)],
        }
    }

    /// The invitation a target names (Globex's for another organization).
    pub fn invitation(&self, cast: &Cast, target: Target) -> String {
        match target {
            Target::OtherOrg => cast.globex.invitation.to_string(),
            t => self.invitations[&t].clone(),
        }
    }
}

/// Shorthand for the variables of a cell.
pub fn vars(pairs: &[(&str, String)]) -> roster_tests::serde_json::Value {
    let mut map = roster_tests::serde_json::Map::new();
    for (k, v) in pairs {
        map.insert((*k).to_owned(), json!(v));
    }
    map.into()
}
