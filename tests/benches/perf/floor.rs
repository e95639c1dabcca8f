//! The floor: hand-written axum handlers over the same pool as the
//! gateway, running the least SQL for the same answer and serializing the
//! same JSON with serde.
//!
//! - `POST /floor/page` (`{"id", "first"}`): the member page. One statement
//!   checks the session and the caller's ACTIVE membership, one reads the
//!   page with its total count and users, one the page's workspaces and
//!   assistants.
//! - `POST /floor/jwt`: verifies the access token and answers its user id
//!   (no SQL): what `{ me { id } }` costs without the session check and
//!   GraphQL.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use roster_domain::{Clock, ManualClock};
use roster_gateway::AccessTokens;
use roster_store::Database;

#[derive(Clone)]
struct Floor {
    db: Database,
    tokens: Arc<AccessTokens>,
    clock: ManualClock,
}

#[derive(Deserialize)]
struct PageArgs {
    id: Uuid,
    first: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Node {
    role: String,
    status: String,
    last_active_at: Option<DateTime<Utc>>,
    user: UserOut,
    workspaces: Vec<Named>,
    assistants: Vec<Named>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserOut {
    id: Uuid,
    email: String,
    display_name: String,
}

#[derive(Serialize)]
struct Named {
    id: Uuid,
    name: String,
}

#[derive(Serialize)]
struct Edge {
    node: Node,
}

type PageRow = (
    Uuid,
    String,
    String,
    Option<DateTime<Utc>>,
    Uuid,
    String,
    String,
    i64,
);
type PlaceRow = (i32, Uuid, Uuid, String);

const AUTHORIZE: &str = "select m.id from session s join membership m on m.user_id = s.user_id \
    join organization o on o.id = m.organization_id where s.id = $1 and s.ended_at is null \
    and s.expires_at > $2 and m.organization_id = $3 and m.status = 'ACTIVE' and o.deleted_at is null";
const PAGE: &str = "select m.id, m.role, m.status, m.last_active_at, u.id, u.email, u.display_name, \
    count(*) over () from membership m join app_user u on u.id = m.user_id \
    where m.organization_id = $1 order by m.id limit $2";
const PLACES_OF: &str = "select 0 as kind, mw.membership_id, w.id, w.name from member_workspace mw \
    join workspace w on w.id = mw.workspace_id where mw.membership_id in (select id from membership \
    where organization_id = $1 order by id limit $2) union all select 1, au.membership_id, a.id, a.name \
    from assistant_user au join assistant a on a.id = au.assistant_id where au.membership_id in \
    (select id from membership where organization_id = $1 order by id limit $2) order by kind, name, id";

/// The same statements on either backend.
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            Database::Sqlite($pool) => $body,
            Database::Postgres($pool) => $body,
        }
    };
}

async fn page(
    State(f): State<Floor>,
    headers: HeaderMap,
    Json(args): Json<PageArgs>,
) -> Result<Json<serde_json::Value>, StatusCode> {
    let now = f.clock.now();
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let subject = f
        .tokens
        .verify(token, now)
        .await
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let (allowed, rows, places) = on_pool!(&f.db, |pool| {
        let allowed: Option<(Uuid,)> = sqlx::query_as(AUTHORIZE)
            .bind(subject.session.0)
            .bind(now)
            .bind(args.id)
            .fetch_optional(pool)
            .await
            .expect("authorize");
        let rows: Vec<PageRow> = sqlx::query_as(PAGE)
            .bind(args.id)
            .bind(args.first)
            .fetch_all(pool)
            .await
            .expect("page");
        let places: Vec<PlaceRow> = sqlx::query_as(PLACES_OF)
            .bind(args.id)
            .bind(args.first)
            .fetch_all(pool)
            .await
            .expect("places");
        (allowed, rows, places)
    });
    allowed.ok_or(StatusCode::NOT_FOUND)?;
    let total = rows.first().map_or(0, |r| r.7);
    let mut edges: Vec<Edge> = Vec::with_capacity(rows.len());
    let mut index = std::collections::HashMap::with_capacity(rows.len());
    for (i, (id, role, status, last_active_at, user, email, display_name, _)) in
        rows.into_iter().enumerate()
    {
        index.insert(id, i);
        edges.push(Edge {
            node: Node {
                role,
                status,
                last_active_at,
                user: UserOut {
                    id: user,
                    email,
                    display_name,
                },
                workspaces: Vec::new(),
                assistants: Vec::new(),
            },
        });
    }
    for (kind, member, id, name) in places {
        let node = &mut edges[index[&member]].node;
        let list = if kind == 0 {
            &mut node.workspaces
        } else {
            &mut node.assistants
        };
        list.push(Named { id, name });
    }
    Ok(Json(json!({ "data": { "organization": { "members": {
        "totalCount": total, "edges": edges } } } })))
}

async fn jwt(
    State(f): State<Floor>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, StatusCode> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let subject = f
        .tokens
        .verify(token, f.clock.now())
        .await
        .ok_or(StatusCode::UNAUTHORIZED)?;
    Ok(Json(json!({ "data": { "me": { "id": subject.user.0 } } })))
}

/// Serves the floor on a port of its own; its base URL.
pub async fn serve(db: Database, clock: ManualClock, issuer: &str) -> String {
    let tokens = AccessTokens::new(
        db.store(),
        roster_tests::JWT_SECRET.as_bytes(),
        issuer,
        std::time::Duration::from_secs(900),
    );
    let state = Floor {
        db,
        tokens: Arc::new(tokens),
        clock,
    };
    let app = axum::Router::new()
        .route("/floor/page", post(page))
        .route("/floor/jwt", post(jwt))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}
