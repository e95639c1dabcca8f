// The product's own script: loads Roster's elements from Roster's origin,
// tells them where the user's token comes from, and points them at the
// organization the switcher picks.
const roster = document.querySelector('meta[name="roster-origin"]').content;
const { configure } = await import(`${roster}/elements.js`);

configure({
  getToken: async () => {
    const res = await fetch("/roster-token", { credentials: "same-origin" });
    return res.ok ? (await res.text()).trim() : null;
  },
});

document.querySelector("roster-org-switcher").addEventListener("roster-organization-change", (event) => {
  document.querySelector("roster-members").setAttribute("organization", event.detail.id);
});
