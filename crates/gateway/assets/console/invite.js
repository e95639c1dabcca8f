// <roster-invite>: the Invite screen (docs/api/console.md, "Invite"). One
// or many emails with a role, workspaces and assistants, sent with
// `inviteMembers` and answered row by row; then the organization's
// invitations (<roster-invitations>). The roles offered are
// `Organization.viewerCanInviteAs`, and the workspaces and assistants are
// offered only when `viewerCanInviteWith(role)` says the viewer may name
// them for that role (docs/api/permissions.md, "Asking what the viewer may do").
import { RosterElement, html, css, shared, nothing, roleName } from "./base.js";
import { screen } from "./screens.js";
import { words } from "./words.js";
import { seatHelp, seatStyles } from "./invitations.js";

/** An invitation names at most this many workspaces (docs/rules.md); the API refuses more. */
const MAX_WORKSPACES = 10;
/** `inviteMembers` takes at most this many rows (docs/api/invitations.md). */
const MAX_ROWS = 100;
const ABOUT = "query($o: ID!) { organization(id: $o) { id viewerCan viewerCanInviteAs } }";
const INVITE = `mutation($o: ID!, $inputs: [InviteMemberInput!]!) { inviteMembers(organizationId: $o, inputs: $inputs) {
  email error errorCode invitation { id email role status delivery } } }`;
const DELIVERY = {
  LINK: "a link to accept the invitation",
  TEMPORARY_PASSWORD: "a one-time password; the invitee chooses a password of their own at the first log-in",
};

/** The form's data, asked only for what the viewer may see. */
function formQuery(about) {
  const can = new Set(about.viewerCan);
  const grants = about.viewerCanInviteAs.map((r) => `${r}: viewerCanInviteWith(role: ${r})`).join(" ");
  return `query($o: ID!) { organization(id: $o) { id invitationDelivery invitationTtlHours ${grants}
    ${can.has("VIEW_BILLING") ? "seatLimit seatsUsed" : ""}
    ${can.has("VIEW_WORKSPACES") ? "workspaces { id name }" : ""}
    ${can.has("VIEW_MEMBERS") ? "assistants { id name }" : ""} } }`;
}

/** The addresses typed: one per line or separated by commas (or semicolons). */
export function emailsIn(text) {
  return text.split(/[\n,;]+/).map((e) => e.trim()).filter(Boolean);
}

class RosterInvite extends RosterElement {
  static properties = {
    about: { state: true },
    form: { state: true },
    role: { state: true },
    picked: { state: true },
    results: { state: true },
    refused: { state: true },
    busy: { state: true },
  };

  static styles = [shared, seatStyles, css`
    form { display: grid; gap: .75rem; max-width: 40rem; }
    textarea { min-height: 6rem; width: 100%; box-sizing: border-box; }
    .choices { display: flex; flex-wrap: wrap; gap: .25rem 1rem; max-height: 14rem; overflow-y: auto; }
    .choices label { font-weight: normal; }
    .hint { margin: 0; font-size: .9rem; }
    td.ok { color: #14532d; }
    td.failed { color: #7f1d1d; }
  `];

  constructor() {
    super();
    this.about = null;
    this.form = null;
    this.role = "";
    this.picked = { workspaces: new Set(), assistants: new Set() };
    this.results = null;
    this.refused = null;
    this.busy = false;
    this.addEventListener("roster-membership-event", () => this.refresh());
  }

  async reload() {
    if (!this.organization) return;
    this.results = null;
    const about = await this.attempt(() => this.query(ABOUT, { o: this.organization }));
    if (!about) return;
    this.about = about.organization;
    if (!this.about.viewerCanInviteAs.includes(this.role)) {
      this.role = this.about.viewerCanInviteAs.includes("MEMBER") ? "MEMBER" : this.about.viewerCanInviteAs[0] ?? "";
    }
    await this.loadForm();
  }

  async loadForm() {
    if (!this.about.viewerCanInviteAs.length) return;
    // Not through attempt(): a reload after an invite keeps its words.
    const data = await this.query(formQuery(this.about), { o: this.organization }).catch((error) => { this.error = error; });
    if (data) this.form = data.organization;
  }

  /** After an invitation changed: the seats and the list again. */
  refresh() {
    if (this.about) this.loadForm();
    this.renderRoot.querySelector("roster-invitations")?.reload();
  }

  /** What the chosen role's invitation may name: `WORKSPACE_IDS`, `ASSISTANT_IDS`. */
  grants() {
    return new Set(this.form?.[this.role] ?? []);
  }

  toggle(kind, id, event) {
    const chosen = new Set(this.picked[kind]);
    this.refused = null;
    if (!event.target.checked) {
      chosen.delete(id);
    } else if (kind === "workspaces" && chosen.size >= MAX_WORKSPACES) {
      event.target.checked = false;
      this.refused = `An invitation names at most ${MAX_WORKSPACES} workspaces. Uncheck one first, or add the person to more workspaces afterwards from the Users screen.`;
      return;
    } else {
      chosen.add(id);
    }
    this.picked = { ...this.picked, [kind]: chosen };
  }

  async submit(event) {
    event.preventDefault();
    const field = event.target.emails;
    const emails = emailsIn(field.value);
    this.results = null;
    this.refused = null;
    if (!emails.length) {
      this.refused = "Enter at least one email address.";
      return;
    }
    if (emails.length > MAX_ROWS) {
      this.refused = `At most ${MAX_ROWS} addresses at a time; you entered ${emails.length}.`;
      return;
    }
    const grants = this.grants();
    const input = { role: this.role };
    if (grants.has("WORKSPACE_IDS")) input.workspaceIds = [...this.picked.workspaces];
    if (grants.has("ASSISTANT_IDS")) input.assistantIds = [...this.picked.assistants];
    this.busy = true;
    const data = await this.attempt(() => this.query(INVITE, { o: this.organization, inputs: emails.map((email) => ({ ...input, email })) }));
    this.busy = false;
    if (!data) return;
    this.results = data.inviteMembers;
    const invited = this.results.filter((r) => r.invitation).length;
    this.notice = `${invited} of ${this.results.length} invited.`;
    // What failed stays in the box, to correct and send again.
    field.value = this.results.filter((r) => !r.invitation).map((r) => r.email).join("\n");
    this.refresh();
  }

  render() {
    if (!this.about) return html`<h2>Invite</h2>${this.messages()}`;
    if (!this.about.viewerCanInviteAs.length) {
      return html`<h2>Invite</h2><p>Your role does not allow inviting people here.</p>${this.messages()}`;
    }
    return html`
      <h2>Invite</h2>
      ${this.form ? this.renderForm() : html`<p role="status">Loading…</p>`}
      ${this.messages()}
      ${this.renderResults()}
      <h3>Invitations</h3>
      <roster-invitations .organization=${this.organization} .getToken=${this.getToken} .token=${this.token}
        @roster-member-changed=${() => this.loadForm()}></roster-invitations>`;
  }

  renderForm() {
    const f = this.form;
    const grants = this.grants();
    return html`
      <form @submit=${this.submit} novalidate>
        <div class="field">
          <label for="emails">Email addresses</label>
          <textarea id="emails" name="emails" aria-describedby="emails-hint" autocomplete="off" spellcheck="false"></textarea>
          <p class="hint muted" id="emails-hint">One per line, or separated by commas; up to ${MAX_ROWS} at a time.</p>
        </div>
        <div class="field">
          <label for="invite-role">Role</label>
          <select id="invite-role" @change=${(e) => { this.role = e.target.value; }}>
            ${this.about.viewerCanInviteAs.map((r) => html`<option value=${r} ?selected=${r === this.role}>${roleName(r)}</option>`)}
          </select>
        </div>
        ${grants.has("WORKSPACE_IDS") ? this.renderChoices("workspaces", `Workspaces (at most ${MAX_WORKSPACES})`, f.workspaces) : nothing}
        ${grants.has("ASSISTANT_IDS") ? this.renderChoices("assistants", "Assistants", f.assistants) : nothing}
        <p class="error" role="alert" ?hidden=${!this.refused}>${this.refused ?? ""}</p>
        <p>Delivery: ${DELIVERY[f.invitationDelivery] ?? f.invitationDelivery}, valid ${f.invitationTtlHours} hours.
          <span class="muted">Set for the whole organization; someone who already has an account always gets a link.</span></p>
        ${f.seatLimit == null ? nothing : html`<p class="muted">Seats: ${f.seatsUsed} of ${f.seatLimit} taken (members and pending invitations).</p>`}
        <div class="row"><button type="submit" ?disabled=${this.busy}>Invite</button></div>
      </form>`;
  }

  renderChoices(kind, legend, options) {
    if (!options) return nothing;
    return html`<fieldset>
      <legend>${legend}</legend>
      ${options.length ? html`<div class="choices">${options.map((o) => html`
        <label><input type="checkbox" value=${o.id} .checked=${this.picked[kind].has(o.id)}
          @change=${(e) => this.toggle(kind, o.id, e)}> ${o.name}</label>`)}</div>`
        : html`<p class="muted hint">None yet.</p>`}
    </fieldset>`;
  }

  renderResults() {
    if (!this.results) return nothing;
    const seats = this.results.some((r) => r.errorCode === "SEAT_LIMIT_REACHED");
    return html`
      <div class="scroll"><table>
        <caption class="muted">What happened to each address</caption>
        <thead><tr><th scope="col">Email</th><th scope="col">Result</th></tr></thead>
        <tbody>${this.results.map((r) => html`<tr>
          <th scope="row">${r.email}</th>
          ${r.invitation
            ? html`<td class="ok">Invited as ${roleName(r.invitation.role)}</td>`
            : html`<td class="failed">${words({ code: r.errorCode, message: r.error })} (<code>${r.errorCode}</code>)</td>`}
        </tr>`)}</tbody>
      </table></div>
      ${seats ? seatHelp(this.organization, this.about.viewerCan) : nothing}`;
  }
}

customElements.define("roster-invite", RosterInvite);
screen({ id: "invite", label: "Invite", tag: "roster-invite", order: 15, shown: (org) => org.viewerCanInviteAs.length > 0 });
