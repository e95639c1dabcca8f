//! Webhook endpoints in the matrix (docs/api/webhooks.md): reading
//! `webhookEndpoints`, `createWebhookEndpoint` and `deleteWebhookEndpoint`,
//! each on the caller's organization (or its endpoint) and on another
//! one's (`NOT_FOUND` for everyone). They are settings of the
//! organization: the table's "edit organization info and settings" row.

use roster_domain::permission::Action;

use super::expect::{Address, Rule, Shape, Target};
use super::ops::Op;
use super::world::{Setup, vars};

const OBJECTS: &[Target] = &[Target::Here, Target::OtherOrg];

/// The organization (or the endpoint) its id names: another one is
/// `NOT_FOUND` whatever the caller's role here.
const ON_OBJECT: Shape = Shape {
    action: Some(Action::EditOrgInfo),
    address: Address::Object,
    rule: Rule::OnObject,
};

fn pick(here: uuid::Uuid, other: uuid::Uuid, t: Target) -> String {
    if t == Target::OtherOrg { other } else { here }.to_string()
}

pub fn all() -> Vec<Op> {
    let plain = Setup::default();
    vec![
        Op {
            query: "query($o: ID!) { organization(id: $o) { webhookEndpoints { id url events enabled createdAt deliveries { id status } } } }",
            shape: ON_OBJECT,
            targets: OBJECTS,
            setup: plain,
            vars: |c, w, _, t| vars(&[("o", pick(w.org, c.globex.org, t))]),
        },
        Op {
            // A loopback URL: the test gateway allows private addresses.
            query: "mutation($o: ID!) { createWebhookEndpoint(organizationId: $o, url: \"http://127.0.0.1:9/hook\", events: [\"member.removed\"]) { secret } }",
            shape: ON_OBJECT,
            targets: OBJECTS,
            setup: plain,
            vars: |c, w, _, t| vars(&[("o", pick(w.org, c.globex.org, t))]),
        },
        Op {
            query: "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }",
            shape: ON_OBJECT,
            targets: OBJECTS,
            setup: plain,
            vars: |c, w, _, t| vars(&[("id", pick(w.webhook, c.globex.webhook, t))]),
        },
    ]
}
