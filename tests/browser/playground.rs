//! The playground with the network cut off (issue 6 item 2): Chromium can
//! reach 127.0.0.1 and nothing else, and GraphiQL still renders its editor,
//! lists `Query` in its docs pane (which needs the standard introspection
//! query to pass the depth limit) and runs a query typed on the page.

use std::time::{Duration, Instant};

use roster_tests::both_backends;
use roster_tests::serde_json::{Value, json};

use super::{Browser, WAIT};

/// Every host name but 127.0.0.1 fails to resolve, and whatever is not
/// 127.0.0.1 goes through a proxy on a closed port: an address given as a
/// bare IP gets nowhere either.
const OFFLINE: [&str; 3] = [
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
];

/// The address the page would load React from without the embedded copy.
const CDN_FILE: &str = "https://unpkg.com/react@18.3.1/umd/react.production.min.js";

impl Browser {
    /// The result of `script` (a function body), once `done` says it is
    /// there; panics with the last result after [`WAIT`].
    async fn poll(&self, script: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self
                .client
                .execute(script, vec![])
                .await
                .expect("run a script");
            if done(&value) {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "not there within {WAIT:?}: {script} gave {value}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text of the first element matching `css`, once it holds `wanted`.
    async fn text_when(&self, css: &str, wanted: &str) -> String {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.innerText : '';",
            json!(css)
        );
        self.poll(&script, |v| v.as_str().is_some_and(|t| t.contains(wanted)))
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

both_backends! {
    async fn the_playground_works_with_the_network_cut_off(app) {
        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        let required = std::env::var("ROSTER_TEST_BROWSER").is_ok_and(|v| v == "required");

        // The cut is real: the CDN is out of this browser's reach.
        let reached = match browser.client.goto(CDN_FILE).await {
            Err(_) => false,
            Ok(()) => browser
                .client
                .execute("return document.body ? document.body.innerText : ''", vec![])
                .await
                .expect("read the page")
                .as_str()
                .is_some_and(|t| t.contains("React")),
        };
        assert!(!reached, "the browser reached {CDN_FILE}: the network is not cut off");

        browser.goto(&format!("{}/graphql", app.base)).await;
        let assets = browser
            .client
            .execute("const e = document.getElementById('graphiql'); return e && e.dataset.assets;", vec![])
            .await
            .expect("read the page");
        if assets == "cdn" {
            assert!(!required, "the playground is not embedded: npm failed in the build script");
            eprintln!("skipped: this build loads GraphiQL from a CDN (no npm at build time)");
            browser.close().await;
            return;
        }

        // The editor renders, with nothing refused by the page's CSP since.
        browser.shown(".graphiql-query-editor .CodeMirror").await;
        browser
            .client
            .execute(
                "window.refused = []; document.addEventListener('securitypolicyviolation', \
                 e => window.refused.push(e.violatedDirective + ' ' + e.blockedURI));",
                vec![],
            )
            .await
            .expect("listen for CSP violations");

        // A query put in the editor and run from the page returns data.
        browser
            .client
            .execute(
                "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(arguments[0]);",
                vec![json!("{ __typename }")],
            )
            .await
            .expect("type the query");
        browser.click(".graphiql-execute-button").await;
        let result = browser.text_when(".result-window", "__typename").await;
        assert!(result.contains(r#""__typename": "Query""#), "{result}");

        // The docs pane lists the query root. It runs graphql-js's standard
        // introspection query, which must pass the depth limit (issue 6
        // item 1).
        browser.click("button[aria-label='Show Documentation Explorer']").await;
        browser.text_when(".graphiql-doc-explorer", "Query").await;
        browser.shown(".graphiql-doc-explorer a.graphiql-doc-explorer-type-name").await;

        let refused = browser.client.execute("return window.refused;", vec![]).await.expect("read");
        assert_eq!(refused, json!([]), "the page's CSP refused something");

        // A dialog works too. Its scroll lock (react-remove-scroll) adds an
        // inline <style>, which the CSP refuses: on this page, whose body
        // never scrolls (playground.css), that lock has nothing to do, so
        // the policy stays without 'unsafe-inline'. Nothing else is refused.
        browser.click("button[aria-label='Open settings dialog']").await;
        browser.text_when("[role='dialog']", "Theme").await;
        let refused = browser.client.execute("return window.refused;", vec![]).await.expect("read");
        let refused = refused.as_array().expect("a list");
        assert!(refused.iter().all(|r| r == "style-src-elem inline"), "{refused:?}");
        browser.close().await;
    }
}
