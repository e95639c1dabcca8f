//! The invoice ledger: lines are issued inside the transaction of what
//! bills them (a new period, a plan change) and read newest first.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;
use roster_domain::DomainError;
use roster_domain::billing::{Invoice, InvoiceKind};
use roster_domain::model::Organization;
use roster_domain::{InvoiceId, OrgId};

use super::super::rows::convert_all;
use super::super::{BackendStore, Db};
use super::Tx;

/// Issues a line for `org`'s plan and current period at `issued_at`.
pub(in super::super) async fn issue_invoice(
    tx: &mut Tx,
    org: &Organization,
    kind: InvoiceKind,
    amount_cents: i64,
    issued_at: DateTime<Utc>,
) -> Result<Invoice> {
    let invoice = Invoice {
        id: InvoiceId::new(),
        org_id: org.id,
        kind,
        plan: org.plan,
        amount_cents,
        period_start: org.subscription.current_period_start,
        period_end: org.subscription.current_period_end,
        issued_at,
    };
    sqlx::query(
        "insert into invoice (id, organization_id, kind, plan, amount_cents, period_start, period_end, issued_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(invoice.id.0)
    .bind(org.id.0)
    .bind(kind.as_str())
    .bind(invoice.plan.as_str())
    .bind(amount_cents)
    .bind(invoice.period_start)
    .bind(invoice.period_end)
    .bind(issued_at)
    .execute(&mut **tx)
    .await?;
    Ok(invoice)
}

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    id: Uuid,
    organization_id: Uuid,
    kind: String,
    plan: String,
    amount_cents: i64,
    period_start: DateTime<Utc>,
    period_end: DateTime<Utc>,
    issued_at: DateTime<Utc>,
}

impl TryFrom<InvoiceRow> for Invoice {
    type Error = roster_domain::DomainError;
    fn try_from(r: InvoiceRow) -> Result<Self, DomainError> {
        Ok(Invoice {
            id: InvoiceId(r.id),
            org_id: OrgId(r.organization_id),
            kind: r.kind.parse()?,
            plan: r.plan.parse()?,
            amount_cents: r.amount_cents,
            period_start: r.period_start,
            period_end: r.period_end,
            issued_at: r.issued_at,
        })
    }
}

impl BackendStore {
    /// One statement for any number of organizations (the loader's batch).
    #[tracing::instrument(skip_all, fields(n = orgs.len()))]
    pub(in super::super) async fn select_invoices(&self, orgs: &[OrgId]) -> Result<Vec<Invoice>> {
        if orgs.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(
            "select id, organization_id, kind, plan, amount_cents, period_start, period_end, issued_at \
             from invoice where organization_id in (",
        );
        let mut list = q.separated(", ");
        for org in orgs {
            list.push_bind(org.0);
        }
        list.push_unseparated(") order by organization_id, issued_at desc, id desc");
        let rows: Vec<InvoiceRow> = q.build_query_as().fetch_all(&self.pool).await?;
        convert_all(rows)
    }
}
