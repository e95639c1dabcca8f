// <roster-dashboard>: the Dashboard screen (docs/api/console.md). The
// figures of `Organization.dashboard` (an ADMIN's whole organization, a
// MEMBER's own and its managed assistants'): total leads, active members,
// pending invitations, and leads per owner and per assistant, largest
// first, 10 a page. Each figure is a statement of its own on the server
// (docs/api/leads.md), so the screen asks only for what it shows, and a
// page of one table asks for that table alone.
import { RosterElement, html, css, shared } from "./base.js";
import { screen } from "./screens.js";

const PAGE = 10;
const COUNTS = "edges { node { key label count } } pageInfo { hasNextPage endCursor }";
const SUMMARY = `query($o: ID!, $first: Int) { organization(id: $o) { id dashboard { totalLeads activeMembers pendingInvitations
  leadsByOwnerConnection(first: $first) { ${COUNTS} } leadsByAssistantConnection(first: $first) { ${COUNTS} } } } }`;
const TABLES = {
  owner: { field: "leadsByOwnerConnection", title: "Leads per owner", who: "Owner" },
  assistant: { field: "leadsByAssistantConnection", title: "Leads per assistant", who: "Assistant" },
};

class RosterDashboard extends RosterElement {
  static properties = {
    figures: { state: true },
    pages: { state: true },
  };

  static styles = [shared, css`
    dl.figures { display: flex; flex-wrap: wrap; gap: 1rem; margin: 0 0 1rem; }
    dl.figures div { border: 1px solid var(--line); border-radius: 8px; padding: .5rem 1rem; min-width: 9rem; }
    dl.figures dt { color: var(--muted); }
    dl.figures dd { margin: 0; font-size: 1.5rem; font-weight: 600; }
    .paging { display: flex; gap: .5rem; margin-top: .5rem; }
    td.count { text-align: right; }
    th.count { text-align: right; }
  `];

  constructor() {
    super();
    this.figures = null;
    this.pages = {};
    this._cursors = { owner: [null], assistant: [null] };
    this.addEventListener("roster-membership-event", () => this.reload(true));
  }

  async reload(quiet = false) {
    if (!this.organization) return;
    const data = await this.fetchData(() => this.query(SUMMARY, { o: this.organization, first: PAGE }), quiet);
    if (!data) return;
    const d = data.organization.dashboard;
    this.figures = d;
    this._cursors = { owner: [null], assistant: [null] };
    this.pages = { owner: d.leadsByOwnerConnection, assistant: d.leadsByAssistantConnection };
  }

  /** Loads one page of one table, and only that. */
  async turn(table, forward) {
    const cursors = this._cursors[table];
    if (forward) cursors.push(this.pages[table].pageInfo.endCursor);
    else cursors.pop();
    const { field } = TABLES[table];
    const query = `query($o: ID!, $first: Int, $after: String) { organization(id: $o) { id dashboard {
      ${field}(first: $first, after: $after) { ${COUNTS} } } } }`;
    const data = await this.attempt(() => this.query(query, { o: this.organization, first: PAGE, after: cursors.at(-1) }));
    if (data) this.pages = { ...this.pages, [table]: data.organization.dashboard[field] };
  }

  render() {
    return html`
      <h2>Dashboard</h2>
      ${this.messages()}
      ${this.figures ? this.renderFigures() : html`<p role="status">Loading…</p>`}`;
  }

  renderFigures() {
    const f = this.figures;
    return html`
      <dl class="figures">
        <div><dt>Total leads</dt><dd>${f.totalLeads}</dd></div>
        <div><dt>Active members</dt><dd>${f.activeMembers}</dd></div>
        <div><dt>Pending invitations</dt><dd>${f.pendingInvitations}</dd></div>
      </dl>
      ${this.renderTable("owner")}
      ${this.renderTable("assistant")}`;
  }

  renderTable(table) {
    const { title, who } = TABLES[table];
    const page = this.pages[table];
    const rows = page.edges.map((e) => e.node);
    return html`
      <h3 id="${table}-title">${title}</h3>
      ${rows.length ? html`
        <div class="scroll"><table aria-labelledby="${table}-title">
          <thead><tr><th scope="col">${who}</th><th scope="col" class="count">Leads</th></tr></thead>
          <tbody>${rows.map((r) => html`<tr><th scope="row">${r.label}</th><td class="count">${r.count}</td></tr>`)}</tbody>
        </table></div>
        <div class="paging">
          <button class="secondary" type="button" ?disabled=${this._cursors[table].length < 2} @click=${() => this.turn(table, false)}>Previous ${who.toLowerCase()}s</button>
          <button class="secondary" type="button" ?disabled=${!page.pageInfo.hasNextPage} @click=${() => this.turn(table, true)}>Next ${who.toLowerCase()}s</button>
        </div>` : html`<p class="muted">No leads ${table === "owner" ? "have an owner" : "have an assistant"}.</p>`}`;
  }
}

customElements.define("roster-dashboard", RosterDashboard);
screen({ id: "dashboard", label: "Dashboard", tag: "roster-dashboard", order: 50, shown: (org) => org.viewerCan.includes("VIEW_DASHBOARD") });
