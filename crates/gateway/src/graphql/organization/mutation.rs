//! Creating an organization and changing its settings.

use async_graphql::{Context, ID, InputObject, Object};

use roster_domain::model::{InvitationTtl, NewOrganization, OrganizationPatch};
use roster_domain::permission::Action;
use roster_domain::{DomainError, OrgId, OrgName};

use super::OrganizationNode;
use crate::error::ApiError;
use crate::graphql::context::{membership, services, viewer};
use crate::graphql::enums::InvitationDelivery;
use crate::graphql::guards::{Authenticated, OrgGuard};

#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    name: Option<String>,
    invitation_delivery: Option<InvitationDelivery>,
    /// The lifetime of invitations sent by the delivery in effect after
    /// this update, 1 to 720 hours.
    invitation_ttl_hours: Option<i32>,
}

impl UpdateOrganizationInput {
    fn parse(self) -> Result<OrganizationPatch, DomainError> {
        Ok(OrganizationPatch {
            name: self.name.as_deref().map(OrgName::parse).transpose()?,
            invitation_delivery: self.invitation_delivery.map(Into::into),
            invitation_ttl_hours: self
                .invitation_ttl_hours
                .map(InvitationTtl::parse)
                .transpose()?,
        })
    }
}

#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    /// Creates an organization; the caller becomes its owner and ADMIN.
    #[graphql(guard = "Authenticated")]
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> Result<OrganizationNode, ApiError> {
        let name = OrgName::parse(&name)?;
        let me = viewer(ctx).await?.user()?.id;
        let services = services(ctx);
        let org = services
            .store
            .create_organization(NewOrganization {
                id: OrgId::new(),
                name,
                owner: me,
                now: services.clock.now(),
                prices: services.config.prices,
            })
            .await?;
        let viewer = membership(ctx, org.id).await?;
        Ok(OrganizationNode { org, viewer })
    }

    #[graphql(guard = "OrgGuard::new(&id, Action::EditOrgInfo)")]
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateOrganizationInput,
    ) -> Result<OrganizationNode, ApiError> {
        let patch = input.parse()?;
        let viewer = membership(ctx, id.parse()?).await?;
        let services = services(ctx);
        let org = services
            .store
            .update_organization(viewer.org_id, viewer.user_id, patch, services.clock.now())
            .await?;
        Ok(OrganizationNode { org, viewer })
    }
}
