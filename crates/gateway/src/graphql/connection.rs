//! Cursor connections: opaque cursors, `pageInfo`, `totalCount`.

use async_graphql::parser::types::Field;
use async_graphql::{Object, SimpleObject, Value};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use roster_domain::DomainError;

use super::member::MemberNode;
use crate::resolve::inline::{Inline, Listed, answer};

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// A member and its cursor, encoded only when asked for (a page of 100
/// members mostly is not).
pub struct MemberEdge {
    pub node: MemberNode,
}

impl Inline for MemberEdge {
    fn inline(&self, field: &Field) -> Option<Value> {
        match field.name.node.as_str() {
            "cursor" => Some(Value::String(self.cursor_text())),
            "node" => answer(&self.node, &field.selection_set.node),
            _ => None,
        }
    }
}

impl MemberEdge {
    pub(super) fn cursor_text(&self) -> String {
        encode_cursor("member", self.node.member.id.0)
    }
}

#[Object(name = "MemberEdge", serial)]
impl MemberEdge {
    async fn cursor(&self) -> String {
        self.cursor_text()
    }
    async fn node(&self) -> &MemberNode {
        &self.node
    }
}

#[derive(SimpleObject)]
#[graphql(name = "MemberConnection")]
pub struct MemberConnection {
    pub edges: Listed<'static, MemberEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// A cursor for the item `id` of a list of `kind`.
pub fn encode_cursor(kind: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// The id in a cursor given by a client; anything else is `VALIDATION`.
pub fn decode_cursor(kind: &str, cursor: &str) -> Result<Uuid, DomainError> {
    let invalid = || DomainError::validation("after is not a cursor of this list");
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let id = text
        .strip_prefix(kind)
        .and_then(|rest| rest.strip_prefix(':'))
        .ok_or_else(invalid)?;
    Uuid::parse_str(id).map_err(|_| invalid())
}
