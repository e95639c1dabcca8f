//! Acting as a person would on what `find.rs` finds (docs/development.md,
//! "Browser tests"): typing into a labelled field, pressing a named button,
//! picking an option, and every name of a role.

use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ElementRef};
use roster_tests::serde_json::{Value, json};

use super::{Browser, WAIT};

impl Browser {
    /// The accessible name of every shown element of `role`, in tree order.
    pub async fn names_of(&self, role: &str) -> Vec<String> {
        let found = self.run_find(json!({ "role": role, "names": true })).await;
        found
            .as_array()
            .expect("a list")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Waits until the names of the visible `role`s satisfy `done`; them.
    pub async fn until(&self, role: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            let names = self.names_of(role).await;
            if done(&names) {
                return names;
            }
            assert!(Instant::now() < deadline, "the {role}s stayed {names:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens the console's tab named `label`, waits for its heading and
    /// audits the screen (axe-core).
    pub async fn tab(&self, label: &str) {
        self.by_role("link", label)
            .await
            .click()
            .await
            .expect("open the tab");
        self.by_role("heading", label).await;
        self.audit(&format!("the {label} screen")).await;
    }

    /// Types into the field labelled `label`.
    pub async fn enter(&self, label: &str, text: &str) {
        let field = self.by_label(label).await;
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Clicks the button named `name`.
    pub async fn press(&self, name: &str) {
        self.by_role("button", name)
            .await
            .click()
            .await
            .expect("click");
    }

    /// Picks the option whose text is `option` in the select labelled
    /// `label`, once the select offers it.
    pub async fn choose(&self, label: &str, option: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let select = self.by_label(label).await;
            let found = self
                .client
                .execute(
                    "return [...arguments[0].options].find((o) => o.text.trim() === arguments[1]) ?? null",
                    vec![json!(select), json!(option)],
                )
                .await
                .expect("look for the option");
            let id = found
                .as_object()
                .and_then(|o| o.values().next())
                .and_then(Value::as_str);
            if let Some(id) = id {
                // The list may have been drawn again meanwhile: then look again.
                let picked =
                    Element::from_element_id(self.client.clone(), ElementRef::from(id.to_owned()));
                match picked.click().await {
                    Ok(()) => return,
                    Err(e) if e.to_string().contains("stale") => {}
                    Err(e) => panic!("pick {option:?} in {label:?}: {e}"),
                }
            }
            assert!(
                Instant::now() < deadline,
                "no option {option:?} in {label:?} within {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
