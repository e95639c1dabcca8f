// <roster-member-actions>: one member's action menu on the Users screen
// (docs/api/console.md). It lists exactly `member.viewerCan`, the actions
// the API says the viewer may take on this member, each with its dialog.
import { RosterElement, html, css, shared, nothing, roleName, ROLES } from "./base.js";

const LABELS = {
  CHANGE_ROLE: "Change role…",
  BLOCK: "Block",
  UNBLOCK: "Unblock",
  REMOVE: "Remove…",
  EDIT_WORKSPACES: "Workspaces…",
  MAKE_ASSISTANT_MANAGER: "Assistant manager…",
};
const WHO = "organizationId: $o, userId: $u";
const CANDIDATES = `query($o: ID!, $search: String) { organization(id: $o) { members(first: 20, status: ACTIVE, search: $search) {
  edges { node { user { id email displayName } } } } } }`;
const JOB = "query($id: ID!) { job(id: $id) { id state done total } }";
const WORKSPACES = "query($o: ID!) { organization(id: $o) { workspaces { id name } } }";

class RosterMemberActions extends RosterElement {
  static properties = {
    member: { attribute: false },
    open: { state: true },
    dialog: { state: true },
    options: { state: true },
    job: { state: true },
  };

  static styles = [shared, css`
    :host { position: relative; }
    ul.menu { list-style: none; margin: .25rem 0 0; padding: .25rem; border: 1px solid var(--line); border-radius: 4px; background: var(--surface); display: grid; gap: .25rem; }
    ul.menu button { width: 100%; text-align: left; }
    dialog form { display: grid; gap: .5rem; }
    .choices { max-height: 14rem; overflow-y: auto; }
  `];

  constructor() {
    super();
    this.member = null;
    this.open = false;
    this.dialog = null;
    this.options = null;
    this.job = null;
  }

  get name() {
    return this.member.user.displayName;
  }

  /**
   * Tells the Users screen what happened (`roster-member-changed`): it
   * shows the words and reloads the page of members.
   */
  tell(notice, error = null) {
    this.dispatchEvent(new CustomEvent("roster-member-changed", { detail: { notice, error }, bubbles: true, composed: true }));
  }

  async run(mutation, variables, done) {
    const result = await this.attempt(() => this.query(mutation, { o: this.organization, u: this.member.user.id, ...variables }));
    if (result && !this.dialog) this.tell(done);
    if (!result && !this.dialog) this.tell(null, this.error);
    if (result && this.dialog) this._done = done;
    return result;
  }

  async choose(action) {
    this.open = false;
    if (action === "BLOCK") return this.run(`mutation($o: ID!, $u: ID!) { blockMember(${WHO}) { id } }`, {}, `${this.name} is blocked.`);
    if (action === "UNBLOCK") return this.run(`mutation($o: ID!, $u: ID!) { unblockMember(${WHO}) { id } }`, {}, `${this.name} is unblocked.`);
    this.error = null;
    this.options = null;
    this.job = null;
    this._heir = null;
    this.dialog = action;
    await this.updateComplete;
    this.renderRoot.querySelector("dialog").showModal();
    this.dispatchEvent(new CustomEvent("roster-dialog", { detail: { open: true }, bubbles: true, composed: true }));
    if (action === "REMOVE") this.findCandidates("");
    if (action === "EDIT_WORKSPACES") {
      const data = await this.attempt(() => this.query(WORKSPACES, { o: this.organization }));
      this.options = data?.organization.workspaces ?? [];
    }
  }

  close() {
    this.renderRoot.querySelector("dialog")?.close();
  }

  /** The dialog closed (a button or Escape): say what it did, if anything. */
  closed() {
    this.dispatchEvent(new CustomEvent("roster-dialog", { detail: { open: false }, bubbles: true, composed: true }));
    this.dialog = null;
    this.job = null;
    if (this._done) this.tell(this._done);
    this._done = null;
  }

  /** The people offered for the leads: the search's, and whoever was picked. */
  heirs() {
    const found = this.options ?? [];
    return this._heir && !found.some((u) => u.id === this._heir.id) ? [this._heir, ...found] : found;
  }

  pickHeir(event) {
    this._heir = this.heirs().find((u) => u.id === event.target.value) ?? null;
    this.requestUpdate();
  }

  /** Who may get the leads: searched as one types, the latest answer kept. */
  findCandidates(search) {
    clearTimeout(this._typing);
    this._typing = setTimeout(async () => {
      const asked = (this._asked = (this._asked ?? 0) + 1);
      const data = await this.attempt(() => this.query(CANDIDATES, { o: this.organization, search: search || null }));
      if (asked !== this._asked) return;
      this.options = (data?.organization.members.edges ?? []).map((e) => e.node.user).filter((u) => u.id !== this.member.user.id);
    }, search ? 200 : 0);
  }

  async submit(event) {
    event.preventDefault();
    const form = event.target;
    if (this.dialog === "CHANGE_ROLE") {
      if (await this.run(`mutation($o: ID!, $u: ID!, $r: OrgRole!) { changeMemberRole(${WHO}, role: $r) { id } }`, { r: form.role.value }, `${this.name} is now ${roleName(form.role.value)}.`)) this.close();
    } else if (this.dialog === "EDIT_WORKSPACES") {
      const ids = [...form.querySelectorAll("input[name=workspace]:checked")].map((i) => i.value);
      if (await this.run(`mutation($o: ID!, $u: ID!, $w: [ID!]!) { setMemberWorkspaces(${WHO}, workspaceIds: $w) { id } }`, { w: ids }, `${this.name}'s workspaces are saved.`)) this.close();
    } else if (this.dialog === "MAKE_ASSISTANT_MANAGER") {
      for (const assistant of this.member.assistants) {
        const manager = form.querySelector(`input[value="${assistant.id}"]`).checked;
        const ok = await this.run("mutation($a: ID!, $u: ID!, $m: Boolean!) { setAssistantManager(assistantId: $a, userId: $u, manager: $m) { id } }", { a: assistant.id, m: manager }, `${this.name}'s assistants are saved.`);
        if (!ok) return;
      }
      this.close();
    } else if (this.dialog === "REMOVE") {
      const to = this._heir?.id ?? null;
      const result = await this.attempt(() => this.query(`mutation($o: ID!, $u: ID!, $to: ID) { removeMember(${WHO}, reassignLeadsTo: $to) { reassignment { id state done total } } }`, { o: this.organization, u: this.member.user.id, to }));
      if (!result) return;
      this.job = result.removeMember.reassignment;
      this._done = `${this.name} was removed.`;
      if (!this.job) return this.close();
      this.follow();
    }
  }

  /** Polls the reassignment job until it is done (docs/api/removal.md). */
  async follow() {
    while (this.job && !["DONE", "FAILED"].includes(this.job.state)) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const data = await this.attempt(() => this.query(JOB, { id: this.job.id }));
      if (!data) return;
      this.job = data.job;
    }
    this._done = this.job.state === "DONE" ? `${this.name} was removed; ${this.job.total} leads moved.` : `${this.name} was removed, but moving the leads failed.`;
  }

  render() {
    const actions = this.member.viewerCan;
    if (!actions.length) return html`<span class="muted">No actions</span>`;
    return html`
      <button class="secondary" type="button" aria-expanded=${this.open ? "true" : "false"} aria-controls="menu"
        aria-label="Actions for ${this.name}" @click=${() => { this.open = !this.open; }}>Actions</button>
      <ul class="menu" id="menu" ?hidden=${!this.open}>
        ${actions.map((a) => html`<li><button class="secondary" type="button" @click=${() => this.choose(a)}>${LABELS[a] ?? a}</button></li>`)}
      </ul>
      ${this.dialog ? this.renderDialog() : nothing}`;
  }

  renderDialog() {
    return html`<dialog aria-labelledby="title" @close=${this.closed}>
      <form @submit=${this.submit}>
        <h3 id="title">${(LABELS[this.dialog] ?? "").replace("…", "")}: ${this.name}</h3>
        ${this.dialogBody()}
        ${this.messages()}
        <div class="row">
          <button type="submit" ?disabled=${this.job && this.job.state !== "DONE"} ?hidden=${this.job !== null}>${this.dialog === "REMOVE" ? "Remove" : "Save"}</button>
          <button class="secondary" type="button" @click=${this.close}>${this.job ? "Close" : "Cancel"}</button>
        </div>
      </form>
    </dialog>`;
  }

  dialogBody() {
    switch (this.dialog) {
      case "CHANGE_ROLE":
        return html`<label for="new-role">New role</label>
          <select id="new-role" name="role">${ROLES.map((r) => html`<option value=${r} ?selected=${r === this.member.role}>${roleName(r)}</option>`)}</select>`;
      case "EDIT_WORKSPACES":
        return html`<fieldset class="choices"><legend>Workspaces</legend>${(this.options ?? []).map((w) => html`
          <label><input type="checkbox" name="workspace" value=${w.id} ?checked=${this.member.workspaces.some((m) => m.id === w.id)}> ${w.name}</label><br>`)}</fieldset>`;
      case "MAKE_ASSISTANT_MANAGER":
        return html`<fieldset class="choices"><legend>Manager of</legend>${this.member.assistants.map((a) => html`
          <label><input type="checkbox" value=${a.id} ?checked=${(this.member.managedAssistants ?? []).some((m) => m.id === a.id)}> ${a.name}</label><br>`)}</fieldset>`;
      case "REMOVE":
        return this.job ? this.renderJob() : html`
          <p>${this.name} leaves the organization; the account stays.</p>
          <label for="find">Find who gets the leads</label>
          <input id="find" type="search" @input=${(e) => this.findCandidates(e.target.value)}>
          <label for="reassign">Assign leads to</label>
          <select id="reassign" name="reassign" @change=${this.pickHeir}>
            <option value="" ?selected=${!this._heir}>No one (leave them unassigned)</option>
            ${this.heirs().map((u) => html`<option value=${u.id} ?selected=${u.id === this._heir?.id}>${u.displayName} (${u.email})</option>`)}
          </select>`;
      default:
        return nothing;
    }
  }

  renderJob() {
    const { state, done, total } = this.job;
    return html`<p role="status">${state === "DONE" ? `Done: ${total} leads moved.` : state === "FAILED" ? "Moving the leads failed." : `Moving leads: ${done} of ${total ?? "?"}…`}</p>
      <progress max=${total ?? 1} value=${done} aria-label="Leads moved"></progress>`;
  }
}

customElements.define("roster-member-actions", RosterMemberActions);
