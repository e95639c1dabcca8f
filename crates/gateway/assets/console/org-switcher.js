// <roster-org-switcher>: the viewer's organizations (docs/api/console.md);
// fires `roster-organization-change` with `{ id, name }` when one is
// picked, and picks the first when none is selected.
import { RosterElement, html, css, shared } from "./base.js";

const MINE = `query($after: String) { me { membershipsConnection(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { status organization { id name } } } } } }`;

class RosterOrgSwitcher extends RosterElement {
  static properties = { selected: { type: String }, orgs: { state: true } };
  static styles = [shared, css`:host { display: inline-block; } .field { min-width: 14rem; }`];

  constructor() {
    super();
    this.selected = "";
    this.orgs = null;
  }

  connectedCallback() {
    super.connectedCallback();
    this.reload();
  }

  async reload() {
    const orgs = [];
    let after = null;
    do {
      const data = await this.attempt(() => this.query(MINE, { after }));
      if (!data) return;
      const page = data.me.membershipsConnection;
      orgs.push(...page.edges.filter((e) => e.node.status === "ACTIVE").map((e) => e.node.organization));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    this.orgs = orgs;
    if (!this.selected && orgs.length) this.choose(orgs[0].id);
  }

  choose(id) {
    const org = this.orgs.find((o) => o.id === id);
    this.selected = id;
    this.dispatchEvent(new CustomEvent("roster-organization-change", { detail: org, bubbles: true, composed: true }));
  }

  render() {
    if (!this.orgs) return html`${this.messages()}`;
    if (!this.orgs.length) return html`<p>You are not a member of any organization yet.</p>`;
    return html`
      <div class="field">
        <label for="org">Organization</label>
        <select id="org" @change=${(e) => this.choose(e.target.value)}>
          ${this.orgs.map((o) => html`<option value=${o.id} ?selected=${o.id === this.selected}>${o.name}</option>`)}
        </select>
      </div>
      ${this.messages()}`;
  }
}

customElements.define("roster-org-switcher", RosterOrgSwitcher);
