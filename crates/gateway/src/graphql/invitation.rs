//! Invitations: the public preview and the mutations that invite, resend,
//! revoke, accept and decline (the object and its page: `node.rs`; the
//! invitee's own, by id: `received.rs`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use roster_domain::invitation::{Acceptance, InvitationPreview, InvitationTargets, NewInvitation};
use roster_domain::model::Membership;
use roster_domain::permission::Action;
use roster_domain::token::TokenHash;
use roster_domain::{
    AssistantId, DisplayName, DomainError, Email, InviteLimits, OrgId, Password, WorkspaceId,
};

use super::account::{AuthPayload, open_session};
use super::context::{membership, parse_ids, services, viewer};
use super::cost;
use super::enums::OrgRole;
use super::guards::{OrgGuard, OrgOf};
use super::rate_limit;
use crate::auth::viewer::Viewer;
use crate::error::ApiError;

mod node;
mod received;

/// The longest token we could have issued, with room; longer is garbage.
const MAX_TOKEN_LEN: usize = 256;
/// Rows one `inviteMembers` call may carry.
const MAX_BULK_INVITES: usize = 100;

pub use node::{InvitationConnection, InvitationNode, invitation_page};
pub use received::{ReceivedInvitationMutation, ReceivedInvitationNode};

/// What the holder of an invitation token may see before logging in.
pub struct InvitationPreviewNode(pub InvitationPreview);

#[Object(name = "InvitationPreview")]
impl InvitationPreviewNode {
    async fn organization_name(&self) -> &str {
        &self.0.organization_name
    }
    async fn email(&self) -> &str {
        &self.0.invitation.email
    }
    async fn role(&self) -> OrgRole {
        self.0.invitation.role.into()
    }
    async fn invited_by_name(&self) -> Option<&str> {
        self.0.invited_by_name.as_deref()
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.invitation.expires_at
    }
    /// Whether an account with this email exists (then accept while logged in).
    async fn account_exists(&self) -> bool {
        self.0.account_exists
    }
}

/// A token as presented; anything we could not have issued is invalid.
fn token_hash(token: &str) -> Result<TokenHash, DomainError> {
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Err(DomainError::InvitationInvalid);
    }
    Ok(TokenHash::of(token))
}

/// The invitation a token opens, usable now.
pub async fn preview(ctx: &Context<'_>, token: &str) -> Result<InvitationPreviewNode, ApiError> {
    let s = services(ctx);
    let found = s
        .store
        .invitation_preview(&token_hash(token)?)
        .await?
        .ok_or(DomainError::InvitationInvalid)?;
    found.invitation.usable(s.clock.now())?;
    Ok(InvitationPreviewNode(found))
}

#[derive(InputObject)]
pub struct InviteMemberInput {
    email: String,
    #[graphql(default_with = "OrgRole::Member")]
    role: OrgRole,
    #[graphql(default)]
    workspace_ids: Option<Vec<ID>>,
    #[graphql(default)]
    assistant_ids: Option<Vec<ID>>,
}

impl InviteMemberInput {
    fn parse(
        self,
        org: OrgId,
        inviter: &Membership,
        limits: InviteLimits,
        now: DateTime<Utc>,
    ) -> Result<NewInvitation, DomainError> {
        let workspaces: Vec<WorkspaceId> = parse_ids(&self.workspace_ids.unwrap_or_default())?;
        let assistants: Vec<AssistantId> = parse_ids(&self.assistant_ids.unwrap_or_default())?;
        Ok(NewInvitation {
            org,
            inviter: inviter.clone(),
            email: Email::parse(&self.email)?,
            role: self.role.into(),
            targets: InvitationTargets::new(workspaces, assistants)?,
            limits,
            now,
        })
    }
}

/// One row of `inviteMembers`: its invitation, or its error.
#[derive(SimpleObject)]
pub struct InviteResult {
    email: String,
    invitation: Option<InvitationNode>,
    error: Option<String>,
    error_code: Option<String>,
}

async fn invite(
    ctx: &Context<'_>,
    viewer: &Membership,
    input: InviteMemberInput,
) -> Result<InvitationNode, ApiError> {
    let s = services(ctx);
    let limits = s.config.rate_limits.invites();
    let invite = input.parse(viewer.org_id, viewer, limits, s.clock.now())?;
    let invitation = s.store.invite_member(invite).await?.invitation();
    Ok(InvitationNode {
        invitation,
        viewer: viewer.clone(),
    })
}

#[derive(Default)]
pub struct InvitationMutation;

#[Object]
impl InvitationMutation {
    /// Invites an email. Inviting an email with a PENDING invitation
    /// returns that invitation; a member's email is `CONFLICT`.
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::InviteOrRemoveMembers)")]
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        input: InviteMemberInput,
    ) -> Result<InvitationNode, ApiError> {
        let viewer = membership(ctx, organization_id.parse()?).await?;
        invite(ctx, &viewer, input).await
    }

    /// Invites up to 100 emails; each row succeeds or fails on its own.
    #[graphql(
        guard = "OrgGuard::new(&organization_id, Action::InviteOrRemoveMembers)",
        complexity = "cost::list(MAX_BULK_INVITES, child_complexity)"
    )]
    async fn invite_members(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        inputs: Vec<InviteMemberInput>,
    ) -> Result<Vec<InviteResult>, ApiError> {
        if inputs.len() > MAX_BULK_INVITES {
            return Err(DomainError::validation("inviteMembers takes at most 100 rows").into());
        }
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let mut results = Vec::with_capacity(inputs.len());
        for input in inputs {
            let email = input.email.clone();
            results.push(match invite(ctx, &viewer, input).await {
                Ok(invitation) => InviteResult {
                    email,
                    invitation: Some(invitation),
                    error: None,
                    error_code: None,
                },
                Err(ApiError(e)) => {
                    let code = e.code().as_str().to_owned();
                    // Logged like any error, reported in the row.
                    let message = if code == "INTERNAL" {
                        "internal error".to_owned()
                    } else {
                        e.to_string()
                    };
                    drop(async_graphql::Error::from(ApiError(e)));
                    InviteResult {
                        email,
                        invitation: None,
                        error: Some(message),
                        error_code: Some(code),
                    }
                }
            });
        }
        Ok(results)
    }

    /// A new token (or one-time password) for a PENDING invitation; the
    /// old one dies and the lifetime restarts. Five sends a day at most.
    #[graphql(guard = "OrgGuard::on(OrgOf::invitation(&id), Action::InviteOrRemoveMembers)")]
    async fn resend_invitation(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<InvitationNode, ApiError> {
        let viewer = membership(ctx, OrgOf::invitation(&id).resolve(ctx).await?).await?;
        let s = services(ctx);
        let invitation = s
            .store
            .resend_invitation(
                id.parse()?,
                &viewer,
                s.config.rate_limits.invites(),
                s.clock.now(),
            )
            .await?;
        Ok(InvitationNode { invitation, viewer })
    }

    #[graphql(guard = "OrgGuard::on(OrgOf::invitation(&id), Action::InviteOrRemoveMembers)")]
    async fn revoke_invitation(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<InvitationNode, ApiError> {
        let viewer = membership(ctx, OrgOf::invitation(&id).resolve(ctx).await?).await?;
        let s = services(ctx);
        let invitation = s
            .store
            .revoke_invitation(id.parse()?, &viewer, s.clock.now())
            .await?;
        Ok(InvitationNode { invitation, viewer })
    }

    /// Logged in as the invited email: joins. Not logged in: password and
    /// displayName create the account.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        token: String,
        password: Option<String>,
        display_name: Option<String>,
    ) -> Result<AuthPayload, ApiError> {
        rate_limit::token_use(ctx, accept(ctx, token, password, display_name)).await
    }

    async fn decline_invitation(&self, ctx: &Context<'_>, token: String) -> Result<bool, ApiError> {
        rate_limit::token_use(ctx, async {
            let s = services(ctx);
            s.store
                .decline_invitation(&token_hash(&token)?, s.clock.now())
                .await?;
            Ok(true)
        })
        .await
    }
}

async fn accept(
    ctx: &Context<'_>,
    token: String,
    password: Option<String>,
    display_name: Option<String>,
) -> Result<AuthPayload, ApiError> {
    let token = token_hash(&token)?;
    let viewer = match viewer(ctx).await? {
        Viewer::Anonymous => None,
        other => Some(other.user()?.id),
    };
    let s = services(ctx);
    let new_account = match (viewer, password, display_name) {
        (None, Some(password), Some(name)) => {
            // Choosing a password makes a local account.
            super::account::local_accounts(s)?;
            let password = Password::parse(&password)?;
            let name = DisplayName::parse(&name)?;
            Some((name, s.passwords.hash(&password).await?))
        }
        _ => None,
    };
    let user = s
        .store
        .accept_invitation(Acceptance {
            token,
            viewer,
            new_account,
            now: s.clock.now(),
        })
        .await?;
    open_session(s, user).await
}
