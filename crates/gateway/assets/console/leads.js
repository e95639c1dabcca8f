// <roster-leads>: the Leads screen (docs/api/console.md). The leads the
// viewer may see (`Organization.leads`: an ADMIN all, a MEMBER its own and
// its managed assistants'), 25 a page, filtered by owner, assistant or
// unassigned; "Reassign…" (`updateLead`) when `Organization.viewerCan` has
// EDIT_LEADS.
import { PagedElement, html, css, shared, nothing, when } from "./base.js";
import { screen } from "./screens.js";

const PAGE = 25;
const LEADS = `query($o: ID!, $first: Int, $after: String, $owner: ID, $assistant: ID, $unassigned: Boolean) {
  organization(id: $o) { id viewerCan
    leads(first: $first, after: $after, ownerId: $owner, assistantId: $assistant, unassigned: $unassigned) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id name email company status createdAt owner { id user { id displayName } } assistant { id name } } } } } }`;
const CHOICES = `query($o: ID!) { organization(id: $o) { id assistants { id name }
  members(first: 100, status: ACTIVE) { edges { node { user { id displayName email } } } } } }`;
const FIND = `query($o: ID!, $search: String) { organization(id: $o) { members(first: 50, status: ACTIVE, search: $search) {
  edges { node { user { id displayName email } } } } } }`;
const REASSIGN = "mutation($id: ID!, $input: LeadInput!) { updateLead(id: $id, input: $input) { id owner { user { displayName } } } }";

class RosterLeads extends PagedElement {
  static properties = {
    can: { state: true },
    owners: { state: true },
    assistants: { state: true },
    owner: { state: true },
    assistant: { state: true },
    moving: { state: true },
    candidates: { state: true },
  };

  static styles = [shared, css`
    .filters { margin-bottom: .75rem; }
    th small { display: block; color: var(--muted); font-weight: normal; }
    dialog form { display: grid; gap: .5rem; }
  `];

  constructor() {
    super();
    this.can = [];
    this.owners = [];
    this.assistants = [];
    this.owner = "";
    this.assistant = "";
    this.moving = null;
    this.candidates = [];
    this.addEventListener("roster-membership-event", () => this.reloadPage(true));
  }

  async reload() {
    if (!this.organization) return;
    const choices = await this.attempt(() => this.query(CHOICES, { o: this.organization }));
    if (choices) {
      this.owners = choices.organization.members.edges.map((e) => e.node.user);
      this.assistants = choices.organization.assistants;
    }
    await this.firstPage();
  }

  async load(after, quiet = false) {
    if (!this.organization) return;
    const variables = {
      o: this.organization, first: PAGE, after,
      owner: this.owner && this.owner !== "none" ? this.owner : null,
      unassigned: this.owner === "none" ? true : null,
      assistant: this.assistant || null,
    };
    const data = await this.fetchData(() => this.query(LEADS, variables), quiet);
    if (!data) return;
    this.page = data.organization.leads;
    this.can = data.organization.viewerCan;
  }

  filter(name, value) {
    this[name] = value;
    this.firstPage();
  }

  async reassign(lead) {
    this.error = null;
    this.moving = lead;
    this.candidates = this.owners;
    await this.updateComplete;
    this.renderRoot.querySelector("dialog").showModal();
  }

  async findCandidates(search) {
    const data = await this.attempt(() => this.query(FIND, { o: this.organization, search: search || null }));
    if (data) this.candidates = data.organization.members.edges.map((e) => e.node.user);
  }

  close() {
    this.renderRoot.querySelector("dialog")?.close();
    this.moving = null;
  }

  async submit(event) {
    event.preventDefault();
    const lead = this.moving;
    const ownerId = event.target.owner.value || null;
    const done = await this.attempt(() => this.query(REASSIGN, { id: lead.id, input: { name: lead.name, ownerId } }));
    if (!done) return;
    this.close();
    await this.reloadPage();
    const to = done.updateLead.owner?.user.displayName;
    this.notice = to ? `${lead.name} now belongs to ${to}.` : `${lead.name} is now unassigned.`;
  }

  render() {
    return html`
      <h2>Leads</h2>
      <div class="row filters" role="search">
        <div class="field"><label for="owner">Owner</label>
          <select id="owner" @change=${(e) => this.filter("owner", e.target.value)}>
            <option value="">Anyone</option>
            <option value="none">Unassigned</option>
            ${this.owners.map((u) => html`<option value=${u.id} ?selected=${u.id === this.owner}>${u.displayName}</option>`)}
          </select></div>
        <div class="field"><label for="assistant">Assistant</label>
          <select id="assistant" @change=${(e) => this.filter("assistant", e.target.value)}>
            <option value="">Any assistant</option>
            ${this.assistants.map((a) => html`<option value=${a.id} ?selected=${a.id === this.assistant}>${a.name}</option>`)}
          </select></div>
      </div>
      ${this.moving ? nothing : this.messages()}
      ${this.page ? this.renderTable() : html`<p role="status">Loading…</p>`}
      ${this.moving ? this.renderDialog() : nothing}`;
  }

  renderTable() {
    const edits = this.can.includes("EDIT_LEADS");
    const leads = this.page.edges.map((e) => e.node);
    return html`
      <p class="muted">${this.page.totalCount} ${this.page.totalCount === 1 ? "lead" : "leads"}</p>
      <div class="scroll"><table>
        <caption class="muted">Leads, newest first</caption>
        <thead><tr><th scope="col">Lead</th><th scope="col">Owner</th><th scope="col" class="optional">Assistant</th>
          <th scope="col" class="optional">Status</th><th scope="col" class="optional">Created</th>${edits ? html`<th scope="col">Actions</th>` : nothing}</tr></thead>
        <tbody>${leads.map((l) => html`
          <tr>
            <th scope="row">${l.name}${l.company || l.email ? html`<small>${[l.company, l.email].filter(Boolean).join(", ")}</small>` : nothing}</th>
            <td>${l.owner ? l.owner.user.displayName : html`<span class="muted">Unassigned</span>`}</td>
            <td class="optional">${l.assistant?.name ?? ""}</td>
            <td class="optional">${l.status}</td>
            <td class="optional">${when(l.createdAt)}</td>
            ${edits ? html`<td><button class="secondary" type="button" @click=${() => this.reassign(l)}>Reassign ${l.name}…</button></td>` : nothing}
          </tr>`)}
        </tbody>
      </table></div>
      ${this.paging()}`;
  }

  renderDialog() {
    const lead = this.moving;
    return html`<dialog aria-labelledby="move-title" @close=${() => { this.moving = null; }}>
      <form @submit=${this.submit}>
        <h3 id="move-title">Reassign ${lead.name}</h3>
        <label for="find-owner">Find a member</label>
        <input id="find-owner" type="search" @input=${(e) => this.findCandidates(e.target.value)}>
        <label for="new-owner">New owner</label>
        <select id="new-owner" name="owner">
          <option value="">No one (unassigned)</option>
          ${this.candidates.map((u) => html`<option value=${u.id} ?selected=${u.id === lead.owner?.user.id}>${u.displayName} (${u.email})</option>`)}
        </select>
        ${this.messages()}
        <div class="row">
          <button type="submit">Reassign</button>
          <button class="secondary" type="button" @click=${this.close}>Cancel</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define("roster-leads", RosterLeads);
screen({ id: "leads", label: "Leads", tag: "roster-leads", order: 40, shown: (org) => org.viewerCan.includes("VIEW_LEADS") });
