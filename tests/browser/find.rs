//! Finding things as a person with a screen reader would (docs/development.md,
//! "Browser tests"): by role and accessible name, or by label, through open
//! shadow roots, with `find.js` run in the page.

use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ElementRef};
use roster_tests::serde_json::{Value, json};

use super::{Browser, WAIT};

const FIND: &str = include_str!("find.js");
/// How WebDriver marks an element in a script's result.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    /// The first shown element of `role` (explicit, or implicit: `button`,
    /// `link`, `textbox`, `combobox`, `checkbox`, `radio`, `heading`, `row`,
    /// `dialog`, `navigation`, …) whose accessible name is `name`, once
    /// there is one; panics after [`WAIT`] with the names there are.
    pub async fn by_role(&self, role: &str, name: &str) -> Element {
        self.found(
            json!({ "role": role, "name": name }),
            &format!("{role} {name:?}"),
        )
        .await
    }

    /// The first shown input, select or textarea labelled `label` (by
    /// `aria-label`, `aria-labelledby`, `<label for>` or a `<label>` around
    /// it), once there is one.
    pub async fn by_label(&self, label: &str) -> Element {
        self.found(
            json!({ "label": label }),
            &format!("a field labelled {label:?}"),
        )
        .await
    }

    /// The text of every shown element of `role`, in tree order, as it is
    /// now.
    pub async fn texts_by_role(&self, role: &str) -> Vec<String> {
        let texts = self.run_find(json!({ "role": role, "texts": true })).await;
        texts
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| t.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The texts of the options of the select labelled `label`.
    pub async fn options_of(&self, label: &str) -> Vec<String> {
        let select = self.by_label(label).await;
        let found = self
            .client
            .execute(
                "return [...arguments[0].options].map((o) => o.text.trim())",
                vec![json!(select)],
            )
            .await
            .expect("read the options");
        found
            .as_array()
            .expect("a list")
            .iter()
            .map(|t| t.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The text of the first shown element of `role` (`alert`, `status`),
    /// once there is one.
    pub async fn said(&self, role: &str) -> String {
        let element = self
            .found(json!({ "role": role, "name": null }), &format!("a {role}"))
            .await;
        element.text().await.expect("text")
    }

    /// Polls `find.js` with `query` until it answers an element.
    async fn found(&self, query: Value, what: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            let answer = self.run_find(query.clone()).await;
            if let Some(id) = answer.get(ELEMENT_KEY).and_then(Value::as_str) {
                return Element::from_element_id(
                    self.client.clone(),
                    ElementRef::from(id.to_owned()),
                );
            }
            if Instant::now() >= deadline {
                panic!("no {what} shown within {WAIT:?}; there are: {answer}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(super) async fn run_find(&self, query: Value) -> Value {
        self.client
            .execute(FIND, vec![query])
            .await
            .unwrap_or_else(|e| panic!("find.js: {e}"))
    }
}

/// A page of custom elements with open shadow roots, one inside another,
/// as the embeddable elements are made: parsed from declarative shadow DOM
/// (no script) in a `data:` URL, which is no request.
const SHADOW_PAGE: &str = r##"<!doctype html><html lang="en"><title>Shadow</title>
<roster-demo><template shadowrootmode="open">
  <nav aria-label="Screens"><a href="#users">Users</a></nav>
  <h2>Members</h2>
  <label for="q">Search members</label><input id="q" type="search">
  <label>Role <select><option>Member</option><option>Admin</option></select></label>
  <span id="why">Reason</span><input aria-labelledby="why">
  <button aria-label="Close">x</button><button hidden>Invite</button>
  <table><tr><td>Ada</td><td>Admin</td></tr><tr><td>Bob</td><td>Member</td></tr></table>
  <roster-inner><template shadowrootmode="open">
    <div role="dialog" aria-label="Invite people"><button>Send   invitations</button></div>
  </template></roster-inner>
</template></roster-demo>"##;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_and_labels_are_found_through_shadow_roots() {
    let Some(browser) = Browser::start_with(&super::playground::OFFLINE).await else {
        return;
    };
    let encoded: String = SHADOW_PAGE
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let url = format!("data:text/html,{encoded}");
    browser.goto(&url).await;

    let tag = |e: Element| async move { e.tag_name().await.expect("tag") };
    assert_eq!(
        tag(browser.by_role("navigation", "Screens").await).await,
        "nav"
    );
    assert_eq!(tag(browser.by_role("link", "Users").await).await, "a");
    assert_eq!(tag(browser.by_role("heading", "Members").await).await, "h2");
    assert_eq!(
        tag(browser.by_role("button", "Close").await).await,
        "button"
    );
    assert_eq!(
        tag(browser.by_role("dialog", "Invite people").await).await,
        "div"
    );
    // In a shadow root inside a shadow root, its text collapsed.
    browser
        .by_role("button", "Send invitations")
        .await
        .click()
        .await
        .expect("click");
    assert_eq!(
        tag(browser.by_role("combobox", "Role").await).await,
        "select"
    );
    assert_eq!(tag(browser.by_label("Role").await).await, "select");
    assert_eq!(tag(browser.by_label("Reason").await).await, "input");

    let search = browser.by_label("Search members").await;
    search.send_keys("ada").await.expect("type");
    assert_eq!(
        search.prop("value").await.expect("value").as_deref(),
        Some("ada")
    );
    assert_eq!(
        browser.texts_by_role("row").await,
        ["Ada Admin", "Bob Member"]
    );
    // A hidden button is not there for a person, nor for the finder.
    let none = browser
        .run_find(json!({ "role": "button", "name": "Invite" }))
        .await;
    assert_eq!(none, json!(["Close", "Send invitations"]));
    browser.close().await;
}
