// <roster-assistants>: the Assistants screen (docs/api/console.md). The
// assistants the viewer sees (`Organization.assistants`: all of them, or a
// MEMBER's own) with their users and managers, as the API shows them (a
// manager sees all of its assistant's users). Create and set users with
// MANAGE_ASSISTANTS; make or unmake a manager with MAKE_ASSISTANT_MANAGER
// (`Organization.viewerCan`). The query keeps under the complexity limit
// (crates/gateway/src/graphql/cost.rs counts 50 assistants of 50 users),
// so it asks each user's id and name only.
import { RosterElement, html, css, shared, nothing } from "./base.js";
import { screen } from "./screens.js";

const ASSISTANTS = `query($o: ID!) { organization(id: $o) { id viewerCan
  assistants { id name users { user { id displayName } } managers { user { id } } } } }`;
const CANDIDATES = `query($o: ID!, $search: String) { organization(id: $o) { members(first: 50, status: ACTIVE, search: $search) {
  edges { node { user { id displayName email } } } } } }`;
const CREATE = "mutation($o: ID!, $n: String!) { createAssistant(organizationId: $o, name: $n) { id } }";
const SET_USERS = "mutation($a: ID!, $u: [ID!]!) { setAssistantUsers(assistantId: $a, userIds: $u) { id } }";
const SET_MANAGER = "mutation($a: ID!, $u: ID!, $m: Boolean!) { setAssistantManager(assistantId: $a, userId: $u, manager: $m) { id } }";

class RosterAssistants extends RosterElement {
  static properties = {
    assistants: { state: true },
    can: { state: true },
    editing: { state: true },
    candidates: { state: true },
  };

  static styles = [shared, css`
    form.create { margin-bottom: 1rem; }
    ul.plain { list-style: none; margin: 0; padding: 0; display: grid; gap: .35rem; }
    li.user { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: center; }
    dialog form { display: grid; gap: .5rem; }
    .choices { max-height: 16rem; overflow-y: auto; }
  `];

  constructor() {
    super();
    this.assistants = null;
    this.can = [];
    this.editing = null;
    this.candidates = [];
    this._chosen = new Map();
    this.addEventListener("roster-membership-event", () => this.reload(true));
  }

  async reload(quiet = false) {
    if (!this.organization) return;
    const data = await this.fetchData(() => this.query(ASSISTANTS, { o: this.organization }), quiet);
    if (!data) return;
    this.assistants = data.organization.assistants;
    this.can = data.organization.viewerCan;
  }

  /** Runs a change, reloads, then says `message` (reloading clears it). */
  async change(work, message) {
    const done = await this.attempt(work);
    if (!done) return false;
    await this.reload();
    this.notice = message;
    this.dispatchEvent(new CustomEvent("roster-member-changed", { bubbles: true, composed: true }));
    return true;
  }

  async create(event) {
    event.preventDefault();
    const field = event.target.name;
    const name = field.value;
    if (await this.change(() => this.query(CREATE, { o: this.organization, n: name }), `Assistant ${name} is created.`)) field.value = "";
  }

  setManager(assistant, member, manager) {
    const who = member.user.displayName;
    return this.change(
      () => this.query(SET_MANAGER, { a: assistant.id, u: member.user.id, m: manager }),
      manager ? `${who} now manages ${assistant.name}.` : `${who} no longer manages ${assistant.name}.`,
    );
  }

  async editUsers(assistant) {
    this.error = null;
    this._chosen = new Map(assistant.users.map((m) => [m.user.id, { email: "", ...m.user }]));
    this.candidates = [];
    this.editing = assistant;
    await this.updateComplete;
    this.renderRoot.querySelector("dialog").showModal();
    this.findCandidates("");
  }

  async findCandidates(search) {
    const data = await this.attempt(() => this.query(CANDIDATES, { o: this.organization, search: search || null }));
    if (data) this.candidates = data.organization.members.edges.map((e) => e.node.user);
  }

  toggle(user, on) {
    if (on) this._chosen.set(user.id, user);
    else this._chosen.delete(user.id);
    this.requestUpdate();
  }

  close() {
    this.renderRoot.querySelector("dialog")?.close();
    this.editing = null;
  }

  async saveUsers(event) {
    event.preventDefault();
    const assistant = this.editing;
    const ids = [...this._chosen.keys()];
    const done = await this.attempt(() => this.query(SET_USERS, { a: assistant.id, u: ids }));
    if (!done) return;
    this.close();
    await this.reload();
    this.notice = `The users of ${assistant.name} are saved.`;
    this.dispatchEvent(new CustomEvent("roster-member-changed", { bubbles: true, composed: true }));
  }

  render() {
    const manages = this.can.includes("MANAGE_ASSISTANTS");
    return html`
      <h2>Assistants</h2>
      ${manages ? html`
        <form class="create row" @submit=${this.create}>
          <div class="field"><label for="new-assistant">New assistant name</label>
            <input id="new-assistant" name="name" required maxlength="200"></div>
          <button type="submit">Create assistant</button>
        </form>` : nothing}
      ${this.editing ? nothing : this.messages()}
      ${this.assistants ? this.renderTable(manages) : html`<p role="status">Loading…</p>`}
      ${this.editing ? this.renderDialog() : nothing}`;
  }

  renderTable(manages) {
    if (!this.assistants.length) return html`<p>No assistants${manages ? " yet" : " are assigned to you"}.</p>`;
    return html`
      <div class="scroll"><table>
        <caption class="muted">${this.assistants.length} ${this.assistants.length === 1 ? "assistant" : "assistants"}</caption>
        <thead><tr><th scope="col">Assistant</th><th scope="col">Users</th>${manages ? html`<th scope="col">Actions</th>` : nothing}</tr></thead>
        <tbody>${this.assistants.map((a) => html`
          <tr>
            <th scope="row">${a.name}</th>
            <td>${a.users.length ? html`<ul class="plain">${a.users.map((m) => this.renderUser(a, m))}</ul>` : html`<span class="muted">No users</span>`}</td>
            ${manages ? html`<td><button class="secondary" type="button" @click=${() => this.editUsers(a)}>Users of ${a.name}…</button></td>` : nothing}
          </tr>`)}
        </tbody>
      </table></div>`;
  }

  renderUser(assistant, member) {
    const manager = assistant.managers.some((m) => m.user.id === member.user.id);
    const who = member.user.displayName;
    const may = this.can.includes("MAKE_ASSISTANT_MANAGER");
    return html`<li class="user">
      <span>${who}${manager ? html` <strong>(manager)</strong>` : nothing}</span>
      ${may ? html`<button class="secondary" type="button" @click=${() => this.setManager(assistant, member, !manager)}>${
        manager ? `Unmake ${who} manager of ${assistant.name}` : `Make ${who} manager of ${assistant.name}`}</button>` : nothing}
    </li>`;
  }

  renderDialog() {
    const shown = new Map([...this._chosen]);
    for (const user of this.candidates) shown.set(user.id, user);
    return html`<dialog aria-labelledby="users-title" @close=${() => { this.editing = null; }}>
      <form @submit=${this.saveUsers}>
        <h3 id="users-title">Users of ${this.editing.name}</h3>
        <label for="find-user">Find members</label>
        <input id="find-user" type="search" @input=${(e) => this.findCandidates(e.target.value)}>
        <fieldset class="choices"><legend>Users</legend>${[...shown.values()].map((u) => html`
          <label><input type="checkbox" .checked=${this._chosen.has(u.id)} @change=${(e) => this.toggle(u, e.target.checked)}> ${u.displayName}${u.email ? ` (${u.email})` : ""}</label><br>`)}
        </fieldset>
        ${this.messages()}
        <div class="row">
          <button type="submit">Save</button>
          <button class="secondary" type="button" @click=${this.close}>Cancel</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define("roster-assistants", RosterAssistants);
// Shown to whoever may manage assistants, and to whoever sees one: a MEMBER
// sees the assistants it is assigned to, and a manager all their users.
screen({
  id: "assistants", label: "Assistants", tag: "roster-assistants", order: 30,
  shown: (org) => org.viewerCan.includes("MANAGE_ASSISTANTS") || (org.assistants ?? []).length > 0,
});
