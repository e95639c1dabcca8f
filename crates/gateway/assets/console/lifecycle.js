// <roster-deleted-organizations>: the deleted organizations the viewer may
// restore (docs/api/console.md, docs/api/lifecycle.md). The API lists
// exactly those (`deletedOrganizations`: the ones the viewer owns, within
// the 30 days), so the element shows nothing to anyone else. A restore
// fires `roster-organization-restored` with `{ id, name }`.
import { RosterElement, html, css, shared, when } from "./base.js";

const DELETED = "{ deletedOrganizations { id name deletedAt purgeAfter deletedBy { displayName } } }";
const RESTORE = "mutation($o: ID!) { restoreOrganization(id: $o) { id name } }";

class RosterDeletedOrganizations extends RosterElement {
  static properties = { deleted: { state: true } };

  static styles = [shared, css`
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem; }
    li { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
  `];

  constructor() {
    super();
    this.deleted = null;
  }

  connectedCallback() {
    super.connectedCallback();
    this.reload();
  }

  async reload() {
    const data = await this.attempt(() => this.query(DELETED));
    if (data) this.deleted = data.deletedOrganizations;
  }

  async restore(org) {
    const done = await this.attempt(() => this.query(RESTORE, { o: org.id }), `${org.name} is restored, as it was.`);
    if (!done) return;
    const notice = this.notice;
    await this.reload();
    this.notice = notice;
    const restored = done.restoreOrganization;
    this.dispatchEvent(new CustomEvent("roster-organization-restored", { detail: restored, bubbles: true, composed: true }));
  }

  render() {
    if (!this.deleted?.length) return this.messages();
    return html`
      <h2>Deleted organizations</h2>
      <p>You own these; each can be restored, with everything in it, until it is purged.</p>
      <ul>${this.deleted.map((o) => html`<li>
        <span><strong>${o.name}</strong>, deleted${o.deletedBy ? ` by ${o.deletedBy.displayName}` : ""} on ${when(o.deletedAt)};
          restorable until ${when(o.purgeAfter)}.</span>
        <button type="button" @click=${() => this.restore(o)}>Restore ${o.name}</button>
      </li>`)}</ul>
      ${this.messages()}`;
  }
}

customElements.define("roster-deleted-organizations", RosterDeletedOrganizations);
