//! `setAssistantManager` (rules.md §2, §6): ADMIN only, for a user
//! assigned to the assistant.

use async_graphql::{Context, ID, Object};

use roster_domain::permission::Action;

use super::context::{membership, services};
use super::guards::{OrgGuard, OrgOf};
use super::workspace::AssistantNode;
use crate::error::ApiError;

#[derive(Default)]
pub struct AssistantManagerMutation;

#[Object]
impl AssistantManagerMutation {
    /// Makes (`manager: true`) or unmakes a user assigned to the assistant
    /// its manager (`VALIDATION` when not assigned). What already holds is
    /// a no-op.
    #[graphql(
        guard = "OrgGuard::on(OrgOf::assistant(&assistant_id), Action::MakeAssistantManager)"
    )]
    async fn set_assistant_manager(
        &self,
        ctx: &Context<'_>,
        assistant_id: ID,
        user_id: ID,
        manager: bool,
    ) -> Result<AssistantNode, ApiError> {
        let viewer = membership(ctx, OrgOf::assistant(&assistant_id).resolve(ctx).await?).await?;
        let s = services(ctx);
        let assistant = s
            .store
            .set_assistant_manager(
                assistant_id.parse()?,
                user_id.parse()?,
                manager,
                &viewer,
                s.clock.now(),
            )
            .await?;
        Ok(AssistantNode { assistant, viewer })
    }
}
