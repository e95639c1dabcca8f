// <roster-workspaces>: the Workspaces screen (docs/api/console.md). The
// workspaces the viewer sees (`Organization.workspaces`: all of them, or a
// MEMBER's assigned ones) with their members; create, rename and delete
// when `Organization.viewerCan` has MANAGE_WORKSPACES. The members are
// asked by name only, to keep under the complexity limit
// (crates/gateway/src/graphql/cost.rs: 50 workspaces of 50 members).
import { RosterElement, html, css, shared, nothing } from "./base.js";
import { screen } from "./screens.js";

const WORKSPACES = `query($o: ID!) { organization(id: $o) { id viewerCan
  workspaces { id name members { user { displayName } } } } }`;
const CREATE = "mutation($o: ID!, $n: String!) { createWorkspace(organizationId: $o, name: $n) { id name } }";
const RENAME = "mutation($id: ID!, $n: String!) { renameWorkspace(id: $id, name: $n) { id name } }";
const DELETE = "mutation($id: ID!) { deleteWorkspace(id: $id) }";

class RosterWorkspaces extends RosterElement {
  static properties = {
    workspaces: { state: true },
    can: { state: true },
    dialog: { state: true },
  };

  static styles = [shared, css`
    form.create { margin-bottom: 1rem; }
    ul.plain { list-style: none; margin: 0; padding: 0; }
    dialog form { display: grid; gap: .5rem; }
    .actions { display: flex; flex-wrap: wrap; gap: .5rem; }
  `];

  constructor() {
    super();
    this.workspaces = null;
    this.can = [];
    this.dialog = null;
    this.addEventListener("roster-membership-event", () => this.reload(true));
  }

  async reload(quiet = false) {
    if (!this.organization) return;
    const data = await this.fetchData(() => this.query(WORKSPACES, { o: this.organization }), quiet);
    if (!data) return;
    this.workspaces = data.organization.workspaces;
    this.can = data.organization.viewerCan;
  }

  get manages() {
    return this.can.includes("MANAGE_WORKSPACES");
  }

  async create(event) {
    event.preventDefault();
    const field = event.target.name;
    const name = field.value;
    const done = await this.attempt(() => this.query(CREATE, { o: this.organization, n: name }));
    if (!done) return;
    field.value = "";
    await this.reload();
    this.notice = `Workspace ${name} is created.`;
  }

  async open(kind, workspace) {
    this.error = null;
    this.dialog = { kind, workspace };
    await this.updateComplete;
    this.renderRoot.querySelector("dialog").showModal();
  }

  close() {
    this.renderRoot.querySelector("dialog")?.close();
    this.dialog = null;
  }

  async submit(event) {
    event.preventDefault();
    const { kind, workspace } = this.dialog;
    let message;
    let done;
    if (kind === "rename") {
      const name = event.target.name.value;
      message = `${workspace.name} is now ${name}.`;
      done = await this.attempt(() => this.query(RENAME, { id: workspace.id, n: name }));
    } else {
      message = `Workspace ${workspace.name} is deleted.`;
      done = await this.attempt(() => this.query(DELETE, { id: workspace.id }));
    }
    if (!done) return;
    this.close();
    await this.reload();
    this.notice = message;
  }

  render() {
    return html`
      <h2>Workspaces</h2>
      ${this.manages ? html`
        <form class="create row" @submit=${this.create}>
          <div class="field"><label for="new-workspace">New workspace name</label>
            <input id="new-workspace" name="name" required maxlength="200"></div>
          <button type="submit">Create workspace</button>
        </form>` : nothing}
      ${this.dialog ? nothing : this.messages()}
      ${this.workspaces ? this.renderTable() : html`<p role="status">Loading…</p>`}
      ${this.dialog ? this.renderDialog() : nothing}`;
  }

  renderTable() {
    if (!this.workspaces.length) return html`<p>No workspaces${this.manages ? " yet" : " are assigned to you"}.</p>`;
    return html`
      <div class="scroll"><table>
        <caption class="muted">${this.workspaces.length} ${this.workspaces.length === 1 ? "workspace" : "workspaces"}</caption>
        <thead><tr><th scope="col">Workspace</th><th scope="col">Members</th>${this.manages ? html`<th scope="col">Actions</th>` : nothing}</tr></thead>
        <tbody>${this.workspaces.map((w) => html`
          <tr>
            <th scope="row">${w.name}</th>
            <td><ul class="plain">${w.members.map((m) => html`<li>${m.user.displayName}</li>`)}</ul></td>
            ${this.manages ? html`<td class="actions">
              <button class="secondary" type="button" @click=${() => this.open("rename", w)}>Rename ${w.name}</button>
              <button class="secondary" type="button" @click=${() => this.open("delete", w)}>Delete ${w.name}</button>
            </td>` : nothing}
          </tr>`)}
        </tbody>
      </table></div>`;
  }

  renderDialog() {
    const { kind, workspace } = this.dialog;
    return html`<dialog aria-labelledby="dialog-title" @close=${() => { this.dialog = null; }}>
      <form @submit=${this.submit}>
        <h3 id="dialog-title">${kind === "rename" ? "Rename" : "Delete"} workspace ${workspace.name}</h3>
        ${kind === "rename"
          ? html`<label for="rename">New name</label><input id="rename" name="name" required maxlength="200" .value=${workspace.name}>`
          : html`<p>Its members lose the assignment; nobody leaves the organization.</p>`}
        ${this.messages()}
        <div class="row">
          <button type="submit" class=${kind === "delete" ? "danger" : ""}>${kind === "rename" ? "Save" : "Delete"}</button>
          <button class="secondary" type="button" @click=${this.close}>Cancel</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define("roster-workspaces", RosterWorkspaces);
screen({ id: "workspaces", label: "Workspaces", tag: "roster-workspaces", order: 20, shown: (org) => org.viewerCan.includes("VIEW_WORKSPACES") });
