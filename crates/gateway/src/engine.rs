//! The execution engine: what runs a GraphQL operation around the
//! async-graphql schema, behind one entry, [`Engine::execute`] (and
//! [`Engine::execute_stream`] for a subscription's responses), which HTTP
//! and the websocket both call. For every operation it
//! - admits it (`checks`): the document parsed once and held to the
//!   `limits`, then the request rules (`phase`); its label for metrics
//!   and logs (`root_field`);
//! - gives it the per-operation data: the caller, a fresh loader, the
//!   client address;
//! - runs it under the loader's `drive` (`crate::resolve::batch`): a load
//!   completes only while its execution is driven, so an operation run any
//!   other way would hang;
//! - finishes its response: nulls propagated as the spec says
//!   (`field_errors`), errors capped.
//!
//! Plain code around the schema, not async-graphql extensions: a schema
//! with any extension wraps every field it resolves in a chain of boxed
//! futures, which cost a third of the member page (docs/benchmark-history.md),
//! and would not see the fields answered inline (`crate::resolve::inline`).
//! Only the engine holds the schema; the schema's types know nothing of
//! it (docs/architecture.md, "The engine").

mod checks;
mod field_errors;
mod limits;
mod phase;
mod root_field;

use std::sync::Arc;

use async_graphql::{Data, Request, Response};
use futures::StreamExt;
use futures::stream::BoxStream;

use crate::auth::viewer::LazyViewer;
use crate::client_addr::ClientAddr;
use crate::graphql::{LiveConnection, Loader, RosterSchema, Services, build_schema, request_data};
use checks::{Admitted, Checks};
pub(crate) use limits::response_json;
pub(crate) use phase::Outcome;
use phase::Refusal;
pub(crate) use root_field::OperationLabel;

/// The schema, and what runs around it; built once per process.
pub(crate) struct Engine {
    schema: RosterSchema,
    services: Arc<Services>,
    checks: Arc<Checks>,
}

/// Who runs an operation, and from where.
pub(crate) struct Caller {
    pub viewer: LazyViewer,
    pub client: ClientAddr,
    /// Over the websocket: the connection its subscriptions may close.
    pub connection: Option<LiveConnection>,
}

/// One operation's response, how far it got, and what it is called in
/// metrics and logs.
pub(crate) struct Answer {
    pub response: Response,
    pub outcome: Outcome,
    pub label: OperationLabel,
}

impl Answer {
    /// At most `max_bytes` of JSON, if it ran (a refusal is small).
    pub(crate) fn capped(mut self, max_bytes: usize) -> Self {
        if self.outcome == Outcome::Executed {
            self.response = limits::cap_size(self.response, max_bytes);
        }
        self
    }
}

impl Engine {
    pub(crate) fn new(services: Arc<Services>) -> Self {
        let checks = Arc::new(Checks::new(services.config.limits.clone()));
        Self {
            schema: build_schema(services.clone()),
            services,
            checks,
        }
    }

    /// Runs `request` as `caller`; `read_only` refuses mutations (a `GET`,
    /// the websocket). The answer's errors are capped in number, not yet
    /// its size: [`Answer::capped`], or [`response_json`] as it serializes.
    pub(crate) async fn execute(
        &self,
        request: Request,
        caller: Caller,
        read_only: bool,
    ) -> Answer {
        let (request, admitted) = match self.checks.admit(request, read_only) {
            Ok(admitted) => admitted,
            Err(Refusal {
                response,
                outcome,
                label,
            }) => {
                return Answer {
                    response: *response,
                    outcome,
                    label,
                };
            }
        };
        let (request, loader) = self.prepare(request, caller, &admitted);
        let response = loader.drive(self.schema.execute(request)).await;
        let (response, outcome) = self.checks.finish_unsized(&admitted, response);
        Answer {
            response,
            outcome,
            label: admitted.label,
        }
    }

    /// Runs `request` (read-only) as `caller` for a subscription, with the
    /// connection's `session_data`: its responses, each finished and capped
    /// in size.
    pub(crate) fn execute_stream(
        &self,
        request: Request,
        caller: Caller,
        session_data: Arc<Data>,
    ) -> BoxStream<'static, Response> {
        let (request, admitted) = match self.checks.admit(request, true) {
            Ok(admitted) => admitted,
            Err(refusal) => {
                return futures::stream::once(futures::future::ready(*refusal.response)).boxed();
            }
        };
        let checks = self.checks.clone();
        let (request, loader) = self.prepare(request, caller, &admitted);
        let responses = self
            .schema
            .execute_stream_with_session_data(request, session_data);
        loader
            .drive_stream(responses)
            .map(move |response| checks.finish(&admitted, response).0)
            .boxed()
    }

    /// The request with its per-operation data, and the loader its
    /// execution must run under. A mutation's root fields run one after
    /// the other, each as the caller stands when it starts.
    fn prepare(&self, request: Request, caller: Caller, admitted: &Admitted) -> (Request, Loader) {
        let viewer = caller
            .viewer
            .per_root_field(admitted.label.kind == "mutation");
        let (viewer, loader) = request_data(&self.services, viewer);
        let mut request = request
            .data(viewer)
            .data(loader.clone())
            .data(caller.client);
        if let Some(connection) = caller.connection {
            request = request.data(connection);
        }
        (request, loader)
    }

    /// Whether a batch of `requests` stays within the password hashes one
    /// POST may ask for, all operations together (docs/operations/limits.md).
    pub(crate) fn batch_password_hashes(&self, requests: &[Request]) -> Result<(), String> {
        self.checks.batch_password_hashes(requests)
    }

    /// The most bytes of JSON one operation's response may take.
    pub(crate) fn max_response_bytes(&self) -> usize {
        self.checks.max_response_bytes()
    }
}
