//! Billing's operations in the matrix (docs/api/billing.md): reading `billing`,
//! `changePlan`, `updateBillingEmail` and `cancelSubscription`, each on the
//! caller's organization and on another one (`NOT_FOUND` for everyone).
//! The world is ENTERPRISE with 8 seats in use, so a move to PRO fits.

use roster_domain::permission::Action;
use roster_tests::serde_json::Value;

use super::expect::{Address, Caller, Rule, Shape, Target};
use super::ops::Op;
use super::world::{Cast, Setup, World, vars};

/// The caller's organization, or Globex.
const ORGS: &[Target] = &[Target::Here, Target::OtherOrg];

const fn on_org(action: Action) -> Shape {
    Shape {
        action: Some(action),
        // The organization is the object its id names: another one is
        // `NOT_FOUND` whatever the caller's role here.
        address: Address::Object,
        rule: Rule::OnObject,
    }
}

fn org(c: &Cast, w: &World, _: Caller, t: Target) -> Value {
    let id = if t == Target::OtherOrg {
        c.globex.org
    } else {
        w.org
    };
    vars(&[("o", id.to_string())])
}

pub fn all() -> Vec<Op> {
    let plain = Setup::default();
    vec![
        Op {
            query: "query($o: ID!) { organization(id: $o) { billing { plan seatLimit seatsUsed subscriptionStatus currentPeriodEnd billingEmail invoices { id } } } }",
            shape: on_org(Action::ViewBilling),
            targets: ORGS,
            setup: plain,
            vars: org,
        },
        Op {
            query: "mutation($o: ID!) { changePlan(organizationId: $o, plan: PRO) { plan } }",
            shape: on_org(Action::ChangePlan),
            targets: ORGS,
            setup: plain,
            vars: org,
        },
        Op {
            query: "mutation($o: ID!) { updateBillingEmail(organizationId: $o, billingEmail: \"billing@acme.example\") { billingEmail } }",
            shape: on_org(Action::ChangePlan),
            targets: ORGS,
            setup: plain,
            vars: org,
        },
        Op {
            query: "mutation($o: ID!) { cancelSubscription(organizationId: $o) { subscriptionStatus } }",
            shape: on_org(Action::CancelSubscription),
            targets: ORGS,
            setup: plain,
            vars: org,
        },
    ]
}
