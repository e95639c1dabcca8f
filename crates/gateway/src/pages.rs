//! The pages a person opens from an email: the accept page
//! `GET /invite/{token}`, the verification page `GET /verify/{token}`
//! (docs/api/sessions.md), the log-in page `GET /login` and the
//! password-reset page `GET /reset/{token}`, with their script and style.
//! Static files: the server never writes the token into a page (the script reads it from the address bar), and the headers keep
//! it from going anywhere but this server's `/graphql`.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// Only this server's own script, style and `/graphql`; no framing, no
/// referrer, no caching.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Path, content type, body. The token in `/invite/{token}`,
/// `/verify/{token}` and `/reset/{token}` is ignored here: the page's
/// script reads it.
const FILES: [(&str, &str, &str); 10] = [
    (
        "/invite/{token}",
        HTML,
        include_str!("../assets/invite.html"),
    ),
    (
        "/verify/{token}",
        HTML,
        include_str!("../assets/verify.html"),
    ),
    ("/login", HTML, include_str!("../assets/login.html")),
    ("/reset/{token}", HTML, include_str!("../assets/reset.html")),
    ("/assets/reset.js", JS, include_str!("../assets/reset.js")),
    ("/assets/roster.js", JS, include_str!("../assets/roster.js")),
    ("/assets/accept.js", JS, include_str!("../assets/accept.js")),
    ("/assets/login.js", JS, include_str!("../assets/login.js")),
    ("/assets/verify.js", JS, include_str!("../assets/verify.js")),
    (
        "/assets/roster.css",
        CSS,
        include_str!("../assets/roster.css"),
    ),
];

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    FILES
        .into_iter()
        .fold(Router::new(), |router, (path, content_type, body)| {
            router.route(path, get(move || page(content_type, body)))
        })
}

async fn page(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
}

/// The request path as logged: an invitation, verification or reset
/// token is a credential, so `/invite/{token}`, `/verify/{token}` and
/// `/reset/{token}` are recorded
/// without it.
pub fn loggable_path(path: &str) -> &str {
    if path.starts_with("/invite/") {
        "/invite/{token}"
    } else if path.starts_with("/reset/") {
        "/reset/{token}"
    } else if path.starts_with("/verify/") {
        "/verify/{token}"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn invitation_and_reset_tokens_stay_out_of_the_log() {
        assert_eq!(loggable_path("/invite/s3cr3t-token"), "/invite/{token}");
        assert_eq!(loggable_path("/invite/a/b"), "/invite/{token}");
        assert_eq!(loggable_path("/verify/s3cr3t-token"), "/verify/{token}");
        assert_eq!(loggable_path("/graphql"), "/graphql");
        assert_eq!(loggable_path("/login"), "/login");
        assert_eq!(loggable_path("/reset/s3cr3t-token"), "/reset/{token}");
        assert_eq!(loggable_path("/reset"), "/reset");
    }
}
