//! Pages of other origins (docs/api/http.md, "From pages of other
//! origins"): `/graphql` answers CORS for the origins `ROSTER_CORS_ORIGINS`
//! lists and no other, and none at all by default; the live socket, to
//! which browsers apply no CORS, refuses a foreign origin itself.

use reqwest::Response;
use roster_tests::both_backends;
use roster_tests::serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const LISTED: &str = "http://app.example.test:8081";
const UNLISTED: &str = "https://elsewhere.example.test";

fn header(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().expect("ASCII").to_owned())
}

/// The preflight a browser sends before a `POST` with a bearer token.
async fn preflight(base: &str, origin: &str) -> Response {
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{base}/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .expect("preflight")
}

async fn post_from(base: &str, origin: &str, token: &str) -> Response {
    reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .header("origin", origin)
        .bearer_auth(token)
        .json(&json!({ "query": "{ me { email } }" }))
        .send()
        .await
        .expect("post")
}

/// The handshake's status: 101 when the socket opened.
async fn socket_status(base: &str, origin: Option<&str>) -> u16 {
    let url = format!("{}/graphql/ws", base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    let headers = request.headers_mut();
    headers.insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    if let Some(origin) = origin {
        headers.insert("origin", origin.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("handshake: {e}"),
    }
}

both_backends! {
    async fn without_a_list_no_origin_gets_cors(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let res = preflight(&app.base, LISTED).await;
        assert_eq!(header(&res, "access-control-allow-origin"), None);
        assert_eq!(header(&res, "access-control-allow-methods"), None);
        let res = post_from(&app.base, LISTED, &ada.access).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "access-control-allow-origin"), None);
    }

    async fn a_listed_origin_gets_cors_on_graphql_and_no_other_does(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let base = app
            .spawn_gateway(|c| c.cors_origins = format!("{LISTED},https://other.example.test").parse().unwrap())
            .await;

        let res = preflight(&base, LISTED).await;
        assert!(res.status().is_success(), "{}", res.status());
        assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some(LISTED));
        let methods = header(&res, "access-control-allow-methods").unwrap_or_default();
        assert!(methods.contains("POST") && methods.contains("GET"), "{methods}");
        let allowed = header(&res, "access-control-allow-headers").unwrap_or_default();
        assert!(allowed.contains("authorization") && allowed.contains("content-type"), "{allowed}");
        assert_eq!(header(&res, "access-control-max-age").as_deref(), Some("600"));
        assert_eq!(header(&res, "access-control-allow-credentials"), None);

        // A real request carries the header, and exposes nothing more.
        let res = post_from(&base, LISTED, &ada.access).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some(LISTED));
        assert_eq!(header(&res, "access-control-expose-headers"), None);
        assert_eq!(header(&res, "access-control-allow-credentials"), None);
        let vary = header(&res, "vary").unwrap_or_default();
        assert!(vary.contains("origin"), "{vary}");
        let body: roster_tests::serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["data"]["me"]["email"], "ada@example.com");

        // An origin not listed: no header, preflight or not.
        for res in [preflight(&base, UNLISTED).await, post_from(&base, UNLISTED, &ada.access).await] {
            assert_eq!(header(&res, "access-control-allow-origin"), None);
        }
        // Nothing but /graphql.
        let res = reqwest::Client::new()
            .get(format!("{base}/healthz"))
            .header("origin", LISTED)
            .send()
            .await
            .expect("healthz");
        assert_eq!(header(&res, "access-control-allow-origin"), None);
    }

    async fn a_live_socket_from_a_foreign_origin_is_refused(app) {
        // Not a browser, the page's own origin (the playground's): open.
        assert_eq!(socket_status(&app.base, None).await, 101);
        assert_eq!(socket_status(&app.base, Some(&app.base)).await, 101);
        assert_eq!(socket_status(&app.base, Some(LISTED)).await, 403);
        assert_eq!(socket_status(&app.base, Some("null")).await, 403);

        let base = app.spawn_gateway(|c| c.cors_origins = LISTED.parse().unwrap()).await;
        assert_eq!(socket_status(&base, Some(LISTED)).await, 101);
        assert_eq!(socket_status(&base, Some(UNLISTED)).await, 403);
    }
}
