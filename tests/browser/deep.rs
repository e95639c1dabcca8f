//! Finding what a person sees, by role and accessible name, through the
//! console's open shadow roots (docs/development.md, "Browser tests"): a
//! script walks the document and every shadow root and returns the first
//! visible element whose role and name match.

use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ElementRef};
use roster_tests::serde_json::{Value, json};

use super::{Browser, WAIT};

/// `find(role, name)` in the page: `name` null matches any; the element,
/// or null. Roles are the implicit ones of the tags the console uses, or
/// an explicit `role`.
const FIND: &str = r#"
const [wantRole, wantName, all] = arguments;
const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
function roleOf(el) {
  const explicit = el.getAttribute("role");
  if (explicit) return explicit;
  const tag = el.localName;
  if (tag === "button") return "button";
  if (tag === "a" && el.hasAttribute("href")) return "link";
  if (tag === "select") return el.multiple || el.size > 1 ? "listbox" : "combobox";
  if (tag === "textarea") return "textbox";
  if (tag === "input") {
    const t = el.type;
    if (t === "checkbox" || t === "radio") return t;
    if (t === "search") return "searchbox";
    if (["button", "submit", "reset"].includes(t)) return "button";
    if (t === "hidden") return null;
    return "textbox";
  }
  if (/^h[1-6]$/.test(tag)) return "heading";
  if (tag === "tr") return "row";
  if (tag === "dialog") return "dialog";
  if (tag === "nav") return "navigation";
  if (tag === "table") return "table";
  if (tag === "progress") return "progressbar";
  if (tag === "option") return "option";
  if (tag === "th") return el.getAttribute("scope") === "row" ? "rowheader" : "columnheader";
  if (tag === "td") return "cell";
  return null;
}
function nameOf(el) {
  const root = el.getRootNode();
  if (el.hasAttribute("aria-label")) return norm(el.getAttribute("aria-label"));
  if (el.hasAttribute("aria-labelledby")) {
    return norm(el.getAttribute("aria-labelledby").split(/\s+/).map((id) => root.getElementById(id)?.textContent).join(" "));
  }
  if (el.id && root.querySelector) {
    const label = root.querySelector(`label[for="${el.id}"]`);
    if (label) return norm(label.textContent);
  }
  const wrapping = el.closest("label");
  if (wrapping) return norm(wrapping.textContent);
  if (el.localName === "fieldset") return norm(el.querySelector("legend")?.textContent);
  return norm(el.innerText ?? el.textContent);
}
function* walk(root) {
  for (const el of root.querySelectorAll("*")) {
    yield el;
    if (el.shadowRoot) yield* walk(el.shadowRoot);
  }
}
const found = [];
for (const el of walk(document)) {
  if (roleOf(el) !== wantRole) continue;
  if (!el.checkVisibility()) continue;
  if (wantName !== null && nameOf(el) !== wantName) continue;
  if (!all) return el;
  found.push(nameOf(el));
}
return all ? found : null;
"#;

impl Browser {
    /// The visible element of `role` named `name`, once there is one.
    pub async fn by_role(&self, role: &str, name: &str) -> Element {
        self.wait_for(role, Some(name)).await
    }

    /// The visible field whose label (or aria-label) is `label`.
    pub async fn by_label(&self, label: &str) -> Element {
        for role in [
            "textbox",
            "searchbox",
            "combobox",
            "checkbox",
            "radio",
            "listbox",
        ] {
            if let Some(element) = self.find_now(role, Some(label)).await {
                return element;
            }
        }
        let deadline = Instant::now() + WAIT;
        loop {
            for role in [
                "textbox",
                "searchbox",
                "combobox",
                "checkbox",
                "radio",
                "listbox",
            ] {
                if let Some(element) = self.find_now(role, Some(label)).await {
                    return element;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no field labelled {label:?} within {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The names of every visible element of `role`, in page order.
    pub async fn names_of(&self, role: &str) -> Vec<String> {
        let found = self
            .client
            .execute(FIND, vec![json!(role), Value::Null, json!(true)])
            .await
            .expect("run the finder");
        found
            .as_array()
            .expect("a list")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    async fn wait_for(&self, role: &str, name: Option<&str>) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(element) = self.find_now(role, name).await {
                return element;
            }
            if Instant::now() >= deadline {
                let shown = self.names_of(role).await;
                panic!("no {role} named {name:?} within {WAIT:?}; the {role}s shown: {shown:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn find_now(&self, role: &str, name: Option<&str>) -> Option<Element> {
        let found = self
            .client
            .execute(FIND, vec![json!(role), json!(name), json!(false)])
            .await
            .expect("run the finder");
        let id = found.as_object()?.values().next()?.as_str()?.to_owned();
        Some(Element::from_element_id(
            self.client.clone(),
            ElementRef::from(id),
        ))
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

    /// Picks the option whose text is `option` in the select labelled `label`.
    pub async fn choose(&self, label: &str, option: &str) {
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
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no option {option:?} in {label:?}"));
        Element::from_element_id(self.client.clone(), ElementRef::from(id.to_owned()))
            .click()
            .await
            .expect("pick the option");
    }
}
