//! `GET /graphql`: a query in the URL for GraphQL clients, the playground
//! for a browser. Mutations never run by `GET` (405): a link or an image
//! tag must not change anything.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};

use super::negotiation::{ResponseMedia, negotiate, wants_html};
use super::operation::{self, Caller};
use super::params::{Malformed, UrlParams};
use super::respond::{self, rejected};
use super::state::AppState;
use crate::client_addr::ClientAddr;

pub(super) async fn graphql_get(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    uri: Uri,
) -> axum::response::Response {
    let params = Query::<UrlParams>::try_from_uri(&uri).map(|Query(p)| p);
    let has_query = params.as_ref().is_ok_and(|p| p.query.is_some());
    if !has_query || wants_html(&headers) {
        return crate::playground::page().await;
    }
    let Some(media) = negotiate(&headers) else {
        return rejected(
            StatusCode::NOT_ACCEPTABLE,
            ResponseMedia::Json,
            "accept application/graphql-response+json or application/json",
        );
    };
    let request = match params
        .map_err(|_| Malformed("the URL parameters could not be read"))
        .and_then(UrlParams::into_request)
    {
        Ok(request) => request,
        Err(Malformed(message)) => return rejected(StatusCode::BAD_REQUEST, media, message),
    };
    let answer = operation::run(
        &state,
        &Caller {
            headers: &headers,
            client,
        },
        request,
        true,
    )
    .await;
    respond::single(media, answer, state.engine.max_response_bytes())
}
