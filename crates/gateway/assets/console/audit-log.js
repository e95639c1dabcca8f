// <roster-audit-log>: the Audit log screen (docs/api/console.md).
// `Organization.auditLog`, newest first, 25 a page by cursor, filtered by
// action (exact) and by the person an event is about.
import { PagedElement, html, css, shared, when } from "./base.js";
import { screen } from "./screens.js";

const PAGE = 25;
const LOG = `query($o: ID!, $first: Int, $after: String, $action: String, $target: ID) {
  organization(id: $o) { id auditLog(first: $first, after: $after, action: $action, targetUserId: $target) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id at action targetUserEmail detail actor { id displayName } } } } } }`;
const PEOPLE = `query($o: ID!) { organization(id: $o) { id members(first: 100) { edges { node { user { id displayName email } } } } } }`;
// The audit actions (crates/domain/src/audit.rs, docs/api/permissions.md).
const ACTIONS = [
  "assistant.created", "assistant.manager_set", "assistant.manager_unset", "assistant.users_changed",
  "billing.email_changed", "invitation.accepted", "invitation.created", "invitation.declined",
  "invitation.expired", "invitation.resent", "invitation.revoked", "member.blocked", "member.removed",
  "member.role_changed", "member.unblocked", "member.workspaces_changed", "organization.created",
  "organization.deleted", "organization.restored", "organization.updated", "ownership.transfer_canceled",
  "ownership.transfer_requested", "ownership.transferred", "plan.changed", "subscription.canceled",
  "subscription.ended", "subscription.reactivated", "webhook.created", "webhook.deleted", "webhook.disabled",
  "workspace.created", "workspace.deleted", "workspace.renamed",
];

class RosterAuditLog extends PagedElement {
  static properties = {
    people: { state: true },
    action: { state: true },
    target: { state: true },
  };

  static styles = [shared, css`
    .filters { margin-bottom: .75rem; }
    code.detail { font-size: .85rem; word-break: break-word; }
  `];

  constructor() {
    super();
    this.people = [];
    this.action = "";
    this.target = "";
    this.addEventListener("roster-membership-event", () => {
      if (this.onFirstPage()) this.load(null, true);
    });
  }

  async reload() {
    if (!this.organization) return;
    const people = await this.attempt(() => this.query(PEOPLE, { o: this.organization }));
    if (people) this.people = people.organization.members.edges.map((e) => e.node.user);
    await this.firstPage();
  }

  async load(after, quiet = false) {
    if (!this.organization) return;
    const variables = { o: this.organization, first: PAGE, after, action: this.action || null, target: this.target || null };
    const data = await this.fetchData(() => this.query(LOG, variables), quiet);
    if (data) this.page = data.organization.auditLog;
  }

  filter(name, value) {
    this[name] = value;
    this.firstPage();
  }

  render() {
    return html`
      <h2>Audit log</h2>
      <div class="row filters" role="search">
        <div class="field"><label for="action">Action</label>
          <select id="action" @change=${(e) => this.filter("action", e.target.value)}>
            <option value="">Any action</option>
            ${ACTIONS.map((a) => html`<option value=${a} ?selected=${a === this.action}>${a}</option>`)}
          </select></div>
        <div class="field"><label for="target">About</label>
          <select id="target" @change=${(e) => this.filter("target", e.target.value)}>
            <option value="">Anyone</option>
            ${this.people.map((u) => html`<option value=${u.id} ?selected=${u.id === this.target}>${u.displayName} (${u.email})</option>`)}
          </select></div>
      </div>
      ${this.messages()}
      ${this.page ? this.renderTable() : html`<p role="status">Loading…</p>`}`;
  }

  renderTable() {
    const events = this.page.edges.map((e) => e.node);
    return html`
      <p class="muted">${this.page.totalCount} ${this.page.totalCount === 1 ? "event" : "events"}</p>
      <div class="scroll"><table>
        <caption class="muted">Events, newest first</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">By</th>
          <th scope="col">About</th><th scope="col" class="optional">Detail</th></tr></thead>
        <tbody>${events.map((e) => html`
          <tr>
            <th scope="row">${when(e.at)}</th>
            <td>${e.action}</td>
            <td>${e.actor ? e.actor.displayName : html`<span class="muted">Roster</span>`}</td>
            <td>${e.targetUserEmail ?? ""}</td>
            <td class="optional"><code class="detail">${e.detail}</code></td>
          </tr>`)}
        </tbody>
      </table></div>
      ${this.paging()}`;
  }
}

customElements.define("roster-audit-log", RosterAuditLog);
screen({ id: "audit-log", label: "Audit log", tag: "roster-audit-log", order: 60, shown: (org) => org.viewerCan.includes("READ_AUDIT_LOG") });
