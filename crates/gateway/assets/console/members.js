// <roster-members>: the Users screen (docs/api/console.md). Search, role
// and status filters, cursor paging, "Pending" for invited people, and
// per row the actions the API says the viewer may take on that member
// (`Member.viewerCan`), through <roster-member-actions>.
import { PagedElement, html, css, shared, roleName, when, ROLES } from "./base.js";
import { repeat } from "../lib/lit-html-3.3.3/directives/repeat.js";
import { screen } from "./screens.js";
import "./member-actions.js";

const PAGE = 25;
const MEMBERS = `query($o: ID!, $first: Int, $after: String, $search: String, $role: OrgRole, $status: MemberStatus) {
  organization(id: $o) { id
    members(first: $first, after: $after, search: $search, role: $role, status: $status) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id role status isOwner lastActiveAt viewerCan
        user { id email displayName } workspaces { id name } assistants { id name } managedAssistants { id name } } } } } }`;

class RosterMembers extends PagedElement {
  static properties = {
    search: { state: true },
    role: { state: true },
    status: { state: true },
  };

  static styles = [shared, css`
    .filters { margin-bottom: .75rem; }
    .who small { display: block; color: var(--muted); }
    ul.plain { list-style: none; margin: 0; padding: 0; }
  `];

  constructor() {
    super();
    this.search = "";
    this.role = "";
    this.status = "";
    this._typing = null;
    // A row's open dialog stays until it is closed: a change heard
    // meanwhile reloads the page after it.
    this._dialogOpen = false;
    this._stale = false;
    this.addEventListener("roster-dialog", (event) => {
      this._dialogOpen = event.detail.open;
      if (!this._dialogOpen && this._stale) this.reloadPage();
    });
    this.addEventListener("roster-membership-event", () => {
      this._stale = this._dialogOpen;
      if (!this._dialogOpen) this.reloadPage();
    });
    // The words of an action, shown with the page it changed.
    this.addEventListener("roster-member-changed", async (event) => {
      const { notice, error } = event.detail;
      if (notice) await this.reloadPage();
      this.notice = notice;
      this.error = error;
    });
  }

  reload() {
    this.firstPage();
  }

  /** A page of members; what the last action said stays shown. */
  async load(after) {
    if (!this.organization) return;
    const variables = {
      o: this.organization, first: PAGE, after,
      search: this.search || null, role: this.role || null, status: this.status || null,
    };
    this._stale = false;
    try {
      this.page = (await this.query(MEMBERS, variables)).organization.members;
    } catch (error) {
      this.error = error;
    }
  }

  filter(name, value) {
    this[name] = value;
    this.notice = null;
    this.error = null;
    clearTimeout(this._typing);
    this._typing = setTimeout(() => this.reload(), name === "search" ? 250 : 0);
  }

  render() {
    return html`
      <h2>Users</h2>
      <div class="row filters" role="search">
        <div class="field"><label for="search">Search members</label>
          <input id="search" type="search" .value=${this.search} @input=${(e) => this.filter("search", e.target.value)}></div>
        <div class="field"><label for="role">Role</label>
          <select id="role" @change=${(e) => this.filter("role", e.target.value)}>
            <option value="">Any role</option>
            ${ROLES.map((r) => html`<option value=${r}>${roleName(r)}</option>`)}
          </select></div>
        <div class="field"><label for="status">Status</label>
          <select id="status" @change=${(e) => this.filter("status", e.target.value)}>
            <option value="">Any status</option>
            ${["ACTIVE", "INVITED", "BLOCKED"].map((s) => html`<option value=${s}>${roleName(s)}</option>`)}
          </select></div>
      </div>
      ${this.messages()}
      ${this.page ? this.renderTable() : html`<p role="status">Loading…</p>`}`;
  }

  renderTable() {
    const rows = this.page.edges.map((e) => e.node);
    return html`
      <p class="muted">${this.page.totalCount} ${this.page.totalCount === 1 ? "member" : "members"}</p>
      <div class="scroll"><table>
        <caption class="muted">Members of the organization</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Status</th>
          <th scope="col" class="optional">Last active</th><th scope="col" class="optional">Workspaces</th><th scope="col">Actions</th></tr></thead>
        <tbody>${repeat(rows, (m) => m.id, (m) => html`
          <tr>
            <th scope="row" class="who">${m.user.displayName}${m.isOwner ? " (owner)" : ""}<small>${m.user.email}</small></th>
            <td>${roleName(m.role)}</td>
            <td>${roleName(m.status)}</td>
            <td class="optional">${m.status === "INVITED" || !m.lastActiveAt ? "Pending" : when(m.lastActiveAt)}</td>
            <td class="optional"><ul class="plain">${m.workspaces.map((w) => html`<li>${w.name}</li>`)}</ul></td>
            <td><roster-member-actions .member=${m} .organization=${this.organization} .getToken=${this.getToken} .token=${this.token}></roster-member-actions></td>
          </tr>`)}
        </tbody>
      </table></div>
      ${this.paging()}`;
  }
}

customElements.define("roster-members", RosterMembers);
screen({ id: "users", label: "Users", tag: "roster-members", order: 10, shown: () => true });
