//! The playground on `GET /graphql` (docs/api/playground.md): a page under the same
//! strict CSP as the accept page, whose scripts and stylesheets all come
//! from this server, versioned and cached for good. The browser test
//! (`tests/browser/playground.rs`) runs it with the network cut off.

use roster_tests::both_backends;

/// The accept page's policy plus `data:` images and fonts, which GraphiQL's
/// stylesheet inlines.
const STRICT_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src data:; font-src data:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// The files the page loads: every `src="…"` and `href="…"`.
fn links(page: &str) -> Vec<String> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attr| page.split(attr).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

both_backends! {
    async fn the_playground_and_every_file_it_loads_come_from_this_server(app) {
        let http = reqwest::Client::new();
        let res = http
            .get(format!("{}/graphql", app.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200);
        assert!(header(&res, "content-type").starts_with("text/html"));
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert_eq!(header(&res, "referrer-policy"), "no-referrer");
        let policy = header(&res, "content-security-policy");
        let page = res.text().await.expect("body");
        assert!(page.contains(r#"data-endpoint="/graphql""#), "{page}");
        assert!(page.contains(r#"data-subscriptions="/graphql/ws""#), "{page}");
        assert!(!page.contains("<script>") && !page.contains("<style"), "no inline code: {page}");
        let links = links(&page);
        assert_eq!(links.len(), 7, "React, ReactDOM, GraphiQL's script and style, graphql-ws, ours: {links:?}");

        if !roster_gateway::playground_embedded() {
            // A build without npm: the fallback must at least be coherent,
            // and CI (which has npm) must never get here.
            assert_ne!(
                std::env::var("ROSTER_TEST_BROWSER").as_deref(),
                Ok("required"),
                "this build has no embedded playground: npm failed in the build script (see its cargo:warning)"
            );
            eprintln!("the playground is not embedded in this build: checking the CDN fallback");
            assert!(page.contains(r#"data-assets="cdn""#));
            assert_eq!(links.iter().filter(|l| l.starts_with("https://unpkg.com/")).count(), 4);
            assert!(policy.contains("script-src 'self' https://unpkg.com"), "{policy}");
            return;
        }
        assert!(page.contains(r#"data-assets="embedded""#));
        assert_eq!(policy, STRICT_POLICY);
        for link in &links {
            assert!(link.starts_with("/assets/playground/"), "{link} is not this server's");
            let res = http.get(format!("{}{link}", app.base)).send().await.expect("request");
            assert_eq!(res.status(), 200, "{link}");
            assert_eq!(header(&res, "x-content-type-options"), "nosniff", "{link}");
            let kind = if link.ends_with(".css") { "text/css" } else { "text/javascript" };
            assert!(header(&res, "content-type").starts_with(kind), "{link}");
            // The vendored files sit in a directory named after their
            // version, so a browser may keep them for good; ours may change.
            let versioned = ["-4.1.2/", "-18.3.1/", "-6.4.2/"].iter().any(|v| link.contains(v));
            let cache = header(&res, "cache-control");
            assert_eq!(cache.contains("immutable"), versioned, "{link}: {cache}");
            let body = res.bytes().await.expect("body");
            assert!(body.len() > 100, "{link} is empty");
        }
        let graphiql = http
            .get(format!("{}/assets/playground/graphiql-4.1.2/graphiql.min.js", app.base))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body");
        // The UMD bundle, which takes React and ReactDOM from the page.
        assert!(graphiql.contains(".GraphiQL=t(e.React,e.ReactDOM)"));

        let (status, _) = app.get("/assets/playground/graphiql-4.1.2/nothing.js").await;
        assert_eq!(status, 404);
    }
}
