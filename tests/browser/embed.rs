//! The elements on a product's page of another origin (docs/api/console.md,
//! "Embedding the elements"): `docs/examples/embed/` served from a second
//! local port, as a product would serve it, with a strict CSP of its own,
//! its back end handing out the user's token at `/roster-token`.

use std::path::Path;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use roster_tests::{Backend, TestApp, each_backend};

use super::Browser;
use super::playground::OFFLINE;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/embed");

/// The product: its page (pointed at `roster`), script and style, and
/// `/roster-token` answering `token`. Its origin.
async fn product(roster: &str, token: String) -> String {
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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    origin
}

/// A product origin's port, reserved before Roster starts so that Roster
/// can be told to allow it.
fn free_origin() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("address"));
    (listener, origin)
}

each_backend!(
    the_elements_work_on_a_page_of_an_allowed_origin,
    and_are_refused_on_any_other
);

async fn the_elements_work_on_a_page_of_an_allowed_origin(backend: Backend) {
    let _ = free_origin;
    let Some(app) = TestApp::spawn_with(backend, false, |_config| {}).await else {
        return;
    };
    let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
    let org = app.create_org(&ada, "Acme").await;
    app.join(&org, "bob@example.com", "MEMBER").await;
    let origin = product(&app.base, ada.access.clone()).await;

    let Some(browser) = Browser::start_with(&OFFLINE).await else {
        return;
    };
    browser.goto(&format!("{origin}/")).await;
    browser.by_role("heading", "Your team").await;
    browser.by_role("rowheader", "bob bob@example.com").await;
    browser.close().await;
}

async fn and_are_refused_on_any_other(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, false, |_| {}).await else {
        return;
    };
    let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
    app.create_org(&ada, "Acme").await;
    let origin = product(&app.base, ada.access.clone()).await;

    let Some(browser) = Browser::start_with(&OFFLINE).await else {
        return;
    };
    browser.goto(&format!("{origin}/")).await;
    browser.by_role("heading", "Your team").await;
    let alert = browser
        .by_role(
            "alert",
            "The server could not be reached. Check your connection and try again. (NETWORK)",
        )
        .await;
    assert!(alert.is_displayed().await.expect("shown"));
    assert!(
        browser.names_of("rowheader").await.is_empty(),
        "no member shown"
    );
    browser.close().await;
}
