//! The GraphiQL playground on `GET /graphql`, served with every file from
//! the binary: GraphiQL and React come from npm through the build script
//! (`build.rs`, which pins and checks them) and are embedded, so the page
//! works with no internet. A build without npm embeds nothing; the page
//! then loads the same pinned versions from a CDN and says so in the log.

use std::sync::{LazyLock, Once};

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

// `ASSETS: &[(served path, CDN address, Option<bytes>)]`, from build.rs.
include!(concat!(env!("OUT_DIR"), "/playground_assets.rs"));

/// Where the files are served; the vendored ones sit in a directory named
/// after their version (`graphiql-4.1.2/…`), so they can be cached for good.
const PREFIX: &str = "/assets/playground";

/// The accept and log-in pages' policy plus two relaxations GraphiQL's
/// stylesheet needs: `font-src data:` (its fonts are `data:` URLs inside
/// `graphiql.min.css`; refused, every font load is a console error) and
/// `img-src data:` (the editor's lint markers are `data:` images).
/// Nothing else: no inline script, no inline `<style>`. The one `<style>`
/// GraphiQL injects, a dialog's scroll lock, is refused and harmless here,
/// since playground.css keeps the page itself from scrolling.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src data:; font-src data:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Only for a build without the embedded files: the CDN is allowed too.
const FALLBACK_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; \
     script-src 'self' https://unpkg.com; style-src 'self' https://unpkg.com; \
     connect-src 'self'; img-src data:; font-src data:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

const TEMPLATE: &str = include_str!("../assets/playground/playground.html");

/// Our own files, next to the vendored ones: not versioned, so not cached.
const OWN_FILES: [(&str, &str, &str); 2] = [
    (
        "playground.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/playground/playground.js"),
    ),
    (
        "playground.css",
        "text/css; charset=utf-8",
        include_str!("../assets/playground/playground.css"),
    ),
];

/// Whether this binary carries GraphiQL and React itself.
pub fn embedded() -> bool {
    ASSETS.iter().all(|(_, _, bytes)| bytes.is_some())
}

/// The page, its asset links filled in once.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    let embedded = embedded();
    let mut page = TEMPLATE.replace("{assets}", if embedded { "embedded" } else { "cdn" });
    for (path, cdn, _) in ASSETS {
        let name = path.rsplit('/').next().unwrap_or(path);
        let href = if embedded {
            format!("{PREFIX}/{path}")
        } else {
            (*cdn).to_owned()
        };
        page = page.replace(&format!("{{{name}}}"), &href);
    }
    page
});

static FALLBACK_WARNING: Once = Once::new();

/// `GET /graphql` for a browser: the GraphiQL page, pointed at `/graphql`.
pub(crate) async fn page() -> Response {
    let policy = if embedded() {
        CONTENT_SECURITY_POLICY
    } else {
        FALLBACK_WARNING.call_once(|| {
            tracing::warn!(
                "the playground loads GraphiQL from https://unpkg.com: this build has no \
                 embedded copy (npm was not available to the build script; see docs/api/playground.md)"
            );
        });
        FALLBACK_CONTENT_SECURITY_POLICY
    };
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, policy),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        PAGE.as_str(),
    )
        .into_response()
}

/// The playground's files under `/assets/playground/`.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route(&format!("{PREFIX}/{{*path}}"), get(asset))
}

async fn asset(Path(path): Path<String>) -> Response {
    if let Some((_, content_type, body)) = OWN_FILES.iter().find(|(name, _, _)| *name == path) {
        return file(content_type, "no-cache", body.as_bytes());
    }
    match ASSETS.iter().find(|(served, _, _)| *served == path) {
        // Versioned by their directory: a new version is a new address.
        Some((_, _, Some(body))) => file(
            content_type(&path),
            "public, max-age=31536000, immutable",
            body,
        ),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn file(content_type: &'static str, cache: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
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
