//! The rules a write keeps whatever the backend (docs/rules.md): seats are
//! ACTIVE members plus PENDING invitations and run out at the plan's
//! limit; one PENDING invitation per address and organization; the last
//! ACTIVE ADMIN keeps its role; nobody blocks itself.

use roster_domain::invitation::{InvitationFilter, InviteOutcome};
use roster_domain::model::PageRequest;
use roster_domain::{DomainError, InvitationStatus, MemberStatus, OrgRole};

use crate::on_both_backends;
use crate::support::Fixture;

async fn seats_are_active_members_and_pending_invitations(f: &Fixture) {
    let (org, owner) = f.organization("ada@example.com").await;
    assert_eq!(f.seats(org).await, 1, "the owner");
    let bob = f
        .invite(&owner, "bob@example.com")
        .await
        .expect("invite")
        .invitation();
    f.invite(&owner, "carl@example.com").await.expect("invite");
    assert_eq!(f.seats(org).await, 3);
    f.store
        .revoke_invitation(bob.id, &owner, f.now)
        .await
        .expect("revoke");
    assert_eq!(f.seats(org).await, 2, "a revoked invitation frees its seat");
}

async fn an_invitation_past_the_plans_seats_is_refused_and_writes_nothing(f: &Fixture) {
    let (org, owner) = f.organization("ada@example.com").await;
    // BASIC has ten seats: the owner and nine invitations.
    for i in 1..=9 {
        f.invite(&owner, &format!("user{i}@example.com"))
            .await
            .expect("invite");
    }
    assert_eq!(f.seats(org).await, 10);
    let refused = f.invite(&owner, "one-too-many@example.com").await;
    assert!(
        matches!(refused, Err(DomainError::SeatLimitReached)),
        "{refused:?}"
    );
    assert_eq!(f.seats(org).await, 10);
    let pending = pending_invitations(f, org).await;
    assert_eq!(pending, 9, "no invitation for the refused address");
}

async fn one_pending_invitation_per_address_and_organization(f: &Fixture) {
    let (org, owner) = f.organization("ada@example.com").await;
    let first = f.invite(&owner, "bob@example.com").await.expect("invite");
    let InviteOutcome::Created(first) = first else {
        panic!("the first invitation is new: {first:?}")
    };
    // The same address, spelled otherwise: the pending one, unchanged.
    let again = f
        .invite(&owner, "Bob@Example.COM")
        .await
        .expect("invite again");
    let InviteOutcome::AlreadyPending(again) = again else {
        panic!("the pending invitation answers: {again:?}")
    };
    assert_eq!((again.id, again.sent_count), (first.id, 1));
    assert_eq!(pending_invitations(f, org).await, 1);
    assert_eq!(f.seats(org).await, 2);
    // Another organization invites the same address on its own.
    let (_, other) = f.organization("eve@example.com").await;
    let elsewhere = f.invite(&other, "bob@example.com").await.expect("invite");
    assert!(
        matches!(elsewhere, InviteOutcome::Created(_)),
        "{elsewhere:?}"
    );
}

async fn the_last_active_admin_keeps_its_role(f: &Fixture) {
    let (org, owner) = f.organization("ada@example.com").await;
    let demoted = f
        .store
        .change_member_role(org, owner.user_id, OrgRole::Member, &owner, f.now)
        .await;
    assert!(
        matches!(demoted, Err(DomainError::LastAdmin)),
        "{demoted:?}"
    );
    let kept = f.membership(org, owner.user_id).await;
    assert_eq!(
        (kept.role, kept.status),
        (OrgRole::Admin, MemberStatus::Active)
    );
}

async fn nobody_blocks_itself(f: &Fixture) {
    let (org, owner) = f.organization("ada@example.com").await;
    let blocked = f
        .store
        .set_member_blocked(org, owner.user_id, true, &owner, f.now)
        .await;
    assert!(blocked.is_err(), "{blocked:?}");
    assert_eq!(
        f.membership(org, owner.user_id).await.status,
        MemberStatus::Active
    );
}

async fn pending_invitations(f: &Fixture, org: roster_domain::OrgId) -> i64 {
    let filter = InvitationFilter {
        status: Some(InvitationStatus::Pending),
    };
    let page = PageRequest::new(100, None).expect("page");
    let listed = f
        .store
        .list_invitations(org, filter, page)
        .await
        .expect("list");
    listed.total_count
}

on_both_backends!(
    seats_are_active_members_and_pending_invitations,
    an_invitation_past_the_plans_seats_is_refused_and_writes_nothing,
    one_pending_invitation_per_address_and_organization,
    the_last_active_admin_keeps_its_role,
    nobody_blocks_itself,
);
