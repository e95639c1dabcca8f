//! The console and the elements a product embeds (docs/api/console.md):
//! `GET /console`, the stable entry `GET /elements.js`, and the modules
//! under `/ui/{hash}/` (ours, named by their hash) and `/ui/lib/` (Lit and
//! graphql-ws from npm, pinned and rewritten by `build.rs`). All embedded;
//! nothing is fetched from anywhere but this server.
//!
//! The modules carry `access-control-allow-origin: *`: they are public
//! files, and a page on another origin loads them as module scripts,
//! which browsers fetch in CORS mode. Whether that page may then call
//! `/graphql` is `ROSTER_CORS_ORIGINS`' business, not theirs.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

// `CONSOLE_HASH`, `CONSOLE_LIBS` and `CONSOLE_FILES`, from build.rs.
include!(concat!(env!("OUT_DIR"), "/console_assets.rs"));

/// The log-in and accept pages' policy, plus `connect-src` for the live
/// events' websocket on this same origin.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Whether this binary carries the console's libraries (a build without
/// npm does not, and the console then answers 503).
pub fn embedded() -> bool {
    CONSOLE_LIBS.iter().all(|(_, bytes)| bytes.is_some())
}

static PAGE: LazyLock<String> = LazyLock::new(|| {
    own("console.html")
        .unwrap_or_default()
        .replace("{hash}", CONSOLE_HASH)
});

static ENTRY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "// Roster's elements (docs/api/console.md); this file moves with each release.\n\
         export * from \"./ui/{CONSOLE_HASH}/elements.js\";\n"
    )
});

fn own(name: &str) -> Option<&'static str> {
    CONSOLE_FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, text)| *text)
}

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/console", get(page))
        .route("/elements.js", get(entry))
        .route("/ui/lib/{*path}", get(library))
        .route("/ui/{hash}/{file}", get(module))
}

async fn page() -> Response {
    if !embedded() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "This build of Roster has no console: npm was not available when it was built \
             (docs/api/console.md).",
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        PAGE.as_str(),
    )
        .into_response()
}

async fn entry() -> Response {
    file(
        "text/javascript; charset=utf-8",
        "no-cache",
        ENTRY.as_bytes(),
    )
}

async fn library(Path(path): Path<String>) -> Response {
    match CONSOLE_LIBS.iter().find(|(served, _)| *served == path) {
        Some((_, Some(body))) => file(content_type(&path), IMMUTABLE, body),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn module(Path((hash, name)): Path<(String, String)>) -> Response {
    match own(&name) {
        // An older hash is a file this release no longer has.
        Some(text) if hash == CONSOLE_HASH && !name.ends_with(".html") => {
            file(content_type(&name), IMMUTABLE, text.as_bytes())
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn file(content_type: &'static str, cache: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body,
    )
        .into_response()
}

fn content_type(path: &str) -> &'static str {
    if path.ends_with(".css") {
        "text/css; charset=utf-8"
    } else {
        "text/javascript; charset=utf-8"
    }
}
