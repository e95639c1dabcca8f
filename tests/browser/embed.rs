//! The elements on a product's page of another origin (docs/api/console.md,
//! "Embedding the elements"): `docs/examples/embed/` served from a second
//! local port, as a product would serve it, with a strict CSP of its own,
//! its back end handing out the user's token at `/roster-token`.

use std::path::Path;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use roster_tests::both_backends;

use super::Browser;
use super::playground::OFFLINE;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/embed");

/// The product, on `listener`: its page (pointed at `roster`), script and
/// style, and `/roster-token` answering `token`.
async fn product(listener: tokio::net::TcpListener, roster: &str, token: String) {
    let read =
        |name: &str| std::fs::read_to_string(Path::new(EXAMPLE).join(name)).expect("the example");
    let page = read("index.html").replace("http://127.0.0.1:8080", roster);
    let (script, style) = (read("product.js"), read("product.css"));
    let ws = roster.replacen("http", "ws", 1);
    let policy = format!(
        "default-src 'none'; script-src 'self' {roster}; style-src 'self'; connect-src 'self' {roster} {ws}; base-uri 'none'"
    );
    let router = Router::new()
        .route(
            "/",
            get(move || async move {
                (
                    [
                        (header::CONTENT_TYPE, "text/html".to_owned()),
                        (header::CONTENT_SECURITY_POLICY, policy),
                    ],
                    page,
                )
                    .into_response()
            }),
        )
        .route(
            "/product.js",
            get(move || async move { ([(header::CONTENT_TYPE, "text/javascript")], script) }),
        )
        .route(
            "/product.css",
            get(move || async move { ([(header::CONTENT_TYPE, "text/css")], style) }),
        )
        .route("/roster-token", get(move || async move { token }));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
}

/// The product's port, taken before Roster starts so that Roster can be
/// told to allow its origin.
async fn product_port() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("address"));
    (listener, origin)
}

both_backends! {
    async fn the_elements_work_on_a_page_of_an_allowed_origin(app) {
        let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
        let org = app.create_org(&ada, "Acme").await;
        app.join(&org, "bob@example.com", "MEMBER").await;
        let (listener, origin) = product_port().await;
        let roster = app.spawn_gateway(|c| c.cors_origins = origin.parse().expect("an origin")).await;
        product(listener, &roster, ada.access.clone()).await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.goto(&format!("{origin}/")).await;
        browser.by_role("heading", "Your team").await;
        browser.by_role("rowheader", "bob bob@example.com").await;
        browser.audit("the elements on a product's page").await;
        // The product's page and Roster, nothing else.
        let hosts = browser.hosts_requested().await;
        let allowed = [origin.trim_start_matches("http://"), roster.trim_start_matches("http://")];
        assert!(hosts.iter().all(|h| allowed.contains(&h.as_str())), "{hosts:?}");
        browser.close().await;
    }

    async fn and_are_refused_on_any_other(app) {
        let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
        app.create_org(&ada, "Acme").await;
        // The default gateway: no ROSTER_CORS_ORIGINS.
        let (listener, origin) = product_port().await;
        product(listener, &app.base, ada.access.clone()).await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.goto(&format!("{origin}/")).await;
        browser.by_role("heading", "Your team").await;
        let alert = browser.said("alert").await;
        assert!(alert.contains("could not be reached") && alert.contains("NETWORK"), "{alert}");
        assert!(browser.names_of("rowheader").await.is_empty(), "no member shown");
        browser.close().await;
    }
}
