//! The playground with the network cut off (docs/api/playground.md): Chromium can
//! reach 127.0.0.1 and nothing else, and GraphiQL still renders its editor,
//! lists `Query` in its docs pane (which needs the standard introspection
//! query to pass the depth limit), runs a query typed on the page and a
//! subscription over graphql-transport-ws (docs/api/live-events.md).

use std::time::{Duration, Instant};

use roster_tests::both_backends;
use roster_tests::serde_json::{Value, json};

use super::{Browser, WAIT};

/// Every host name but 127.0.0.1 fails to resolve, and whatever is not
/// 127.0.0.1 goes through a proxy on a closed port: an address given as a
/// bare IP gets nowhere either.
pub(super) const OFFLINE: [&str; 3] = [
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
];

/// The address the page would load React from without the embedded copy.
const CDN_FILE: &str = "https://unpkg.com/react@18.3.1/umd/react.production.min.js";

impl Browser {
    /// Opens the playground of the gateway at `base` and waits for its
    /// editor, then records what the page's CSP refuses in
    /// `window.refused`. `false` (the test is skipped) when this build loads
    /// GraphiQL from a CDN, which CI does not allow.
    async fn open_playground(&self, base: &str) -> bool {
        self.goto(&format!("{base}/graphql")).await;
        let assets = self
            .client
            .execute(
                "const e = document.getElementById('graphiql'); return e && e.dataset.assets;",
                vec![],
            )
            .await
            .expect("read the page");
        if assets == "cdn" {
            let required = std::env::var("ROSTER_TEST_BROWSER").is_ok_and(|v| v == "required");
            assert!(
                !required,
                "the playground is not embedded: npm failed in the build script"
            );
            eprintln!("skipped: this build loads GraphiQL from a CDN (no npm at build time)");
            return false;
        }
        self.shown(".graphiql-query-editor .CodeMirror").await;
        self.client
            .execute(
                "window.refused = []; document.addEventListener('securitypolicyviolation', \
                 e => window.refused.push(e.violatedDirective + ' ' + e.blockedURI));",
                vec![],
            )
            .await
            .expect("listen for CSP violations");
        true
    }

    /// Puts `text` in the CodeMirror editor under `css`.
    async fn edit(&self, css: &str, text: &str) {
        let script = format!(
            "document.querySelector({}).CodeMirror.setValue(arguments[0]);",
            json!(format!("{css} .CodeMirror"))
        );
        self.client
            .execute(&script, vec![json!(text)])
            .await
            .expect("type into the editor");
    }

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

        if !browser.open_playground(&app.base).await {
            return;
        }

        // A query put in the editor and run from the page returns data.
        browser.edit(".graphiql-query-editor", "{ __typename }").await;
        browser.click(".graphiql-execute-button").await;
        let result = browser.text_when(".result-window", "__typename").await;
        assert!(result.contains(r#""__typename": "Query""#), "{result}");

        // The docs pane lists the query root. It runs graphql-js's standard
        // introspection query, which must pass the depth limit
        // (docs/operations/limits.md).
        browser.click("button[aria-label='Show Documentation Explorer']").await;
        browser.text_when(".graphiql-doc-explorer", "Query").await;
        browser.shown(".graphiql-doc-explorer a.graphiql-doc-explorer-type-name").await;

        let refused = browser.client.execute("return window.refused;", vec![]).await.expect("read");
        assert_eq!(refused, json!([]), "the page's CSP refused something");
        browser.audit("the playground").await;

        // A dialog works too. Its scroll lock (react-remove-scroll) adds an
        // inline <style>, which the CSP refuses: on this page, whose body
        // never scrolls (playground.css), that lock has nothing to do, so
        // the policy stays without 'unsafe-inline'. Nothing else is refused.
        browser.click("button[aria-label='Open settings dialog']").await;
        browser.text_when("[role='dialog']", "Theme").await;
        let refused = browser.client.execute("return window.refused;", vec![]).await.expect("read");
        let refused = refused.as_array().expect("a list");
        assert!(refused.iter().all(|r| r == "style-src-elem inline"), "{refused:?}");
        // The CDN visit above went through the performance log too.
        let roster = app.base.trim_start_matches("http://");
        let hosts = browser.hosts_requested().await;
        assert!(hosts.iter().any(|h| h == "unpkg.com"), "{hosts:?}");
        let others: Vec<_> = hosts.iter().filter(|h| *h != roster && *h != "unpkg.com").collect();
        assert!(others.is_empty(), "requests to {others:?}");
        browser.close().await;
    }

    async fn the_playground_runs_a_subscription(app) {
        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let mia = app.join(&org, "mia@example.com", "MEMBER").await;
        if !browser.open_playground(&app.base).await {
            return;
        }
        let subscription =
            format!("subscription {{ membershipEvents(organizationId: \"{org}\") {{ action userId }} }}");
        browser.edit(".graphiql-query-editor", &subscription).await;

        // Without a token the server closes the socket with 4403, and the
        // page says so.
        browser.click(".graphiql-execute-button").await;
        browser.text_when(".result-window", "4403").await;

        // With the token in the headers tab, events arrive as they commit.
        browser.click("button[data-name='headers']").await;
        browser.shown("button[data-name='headers'].active").await;
        let headers = json!({ "Authorization": format!("Bearer {}", ada.access) });
        browser.edit(".graphiql-editor-tool .graphiql-editor:not(.hidden)", &headers.to_string()).await;
        browser.click(".graphiql-execute-button").await;
        // The protocol does not acknowledge a subscription: let it start.
        tokio::time::sleep(Duration::from_secs(1)).await;
        app.ok(
            Some(&ada.access),
            "mutation($o: ID!, $u: ID!) { blockMember(organizationId: $o, userId: $u) { status } }",
            json!({ "o": org, "u": mia.user_id }),
        )
        .await;
        let result = browser.text_when(".result-window", "member.blocked").await;
        assert!(result.contains(&mia.user_id), "{result}");

        // While it runs, the execute button stops it.
        browser.click(".graphiql-execute-button").await;
        let refused = browser.client.execute("return window.refused;", vec![]).await.expect("read");
        assert_eq!(refused, json!([]), "the page's CSP refused something");
        browser.requested_only(&app.base).await;
        browser.close().await;
    }
}
