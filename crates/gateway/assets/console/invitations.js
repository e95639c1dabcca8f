// <roster-invitations>: the organization's invitations on the Invite
// screen (docs/api/console.md, "Invite"), oldest first, with each row's
// actions exactly as `Invitation.viewerCan` lists them (Resend, Revoke).
import { PagedElement, html, css, shared, nothing, roleName, when } from "./base.js";

const PAGE = 25;
const LIST = `query($o: ID!, $first: Int, $after: String, $status: InvitationStatus) {
  organization(id: $o) { id viewerCan invitations(first: $first, after: $after, status: $status) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id email role status delivery sentCount lastSentAt expiresAt viewerCan } } } } }`;
const RESEND = "mutation($i: ID!) { resendInvitation(id: $i) { id status sentCount } }";
const REVOKE = "mutation($i: ID!) { revokeInvitation(id: $i) { id status } }";
const STATUSES = ["PENDING", "EXPIRED", "ACCEPTED", "DECLINED", "REVOKED"];

/** The look of `seatHelp`, for each shadow root that shows it. */
export const seatStyles = css`
  .seats { padding: .6rem .75rem; background: #fef3c7; color: #422006; border-radius: 4px; }
  .seats a { color: #1e3a8a; }
`;

/**
 * What to do when every seat is taken: to a viewer the API lets change
 * the plan (`CHANGE_PLAN` in `Organization.viewerCan`), a link to the
 * Billing tab; to others, who can (docs/api/permissions.md).
 */
export function seatHelp(organization, viewerCan) {
  return html`<p class="seats" role="note">Every seat of the plan is taken: members and pending invitations each take one.
    ${(viewerCan ?? []).includes("CHANGE_PLAN")
      ? html`<a href="#/${organization}/billing">Change the plan on the Billing tab</a> to add people, or revoke an invitation.`
      : html`An Admin or a Billing admin of the organization can change the plan; you can revoke pending invitations to free seats.`}</p>`;
}

class RosterInvitations extends PagedElement {
  static properties = {
    viewerCan: { state: true },
    status: { state: true },
    seats: { state: true },
  };

  static styles = [shared, seatStyles, css`
    td.actions { white-space: nowrap; }
    td.actions button { margin: 0 .25rem .25rem 0; }
  `];

  constructor() {
    super();
    this.viewerCan = null;
    this.status = "";
    this.seats = false;
  }

  reload() {
    this.firstPage();
  }

  async load(after) {
    if (!this.organization) return;
    const variables = { o: this.organization, first: PAGE, after, status: this.status || null };
    const data = await this.query(LIST, variables).catch((error) => { this.error = error; });
    if (!data) return;
    this.viewerCan = data.organization.viewerCan;
    this.page = data.organization.invitations;
  }

  async act(invitation, action) {
    const resend = action === "RESEND";
    this.seats = false;
    const done = await this.attempt(
      () => this.query(resend ? RESEND : REVOKE, { i: invitation.id }),
      resend ? `A new invitation went to ${invitation.email}; the one before no longer works.` : `The invitation to ${invitation.email} is revoked.`,
    );
    if (this.error?.code === "SEAT_LIMIT_REACHED") this.seats = true;
    if (!done) return;
    this.reloadPage();
    this.dispatchEvent(new CustomEvent("roster-member-changed", { bubbles: true, composed: true }));
  }

  render() {
    return html`
      <div class="row">
        <div class="field"><label for="invitation-status">Status</label>
          <select id="invitation-status" @change=${(e) => { this.status = e.target.value; this.reload(); }}>
            <option value="">Any status</option>
            ${STATUSES.map((s) => html`<option value=${s}>${roleName(s)}</option>`)}
          </select></div>
      </div>
      ${this.messages()}
      ${this.seats ? seatHelp(this.organization, this.viewerCan) : nothing}
      ${this.page ? this.renderTable() : html`<p role="status">Loading…</p>`}`;
  }

  renderTable() {
    const rows = this.page.edges.map((e) => e.node);
    if (!rows.length) return html`<p class="muted">No invitations${this.status ? " with that status" : ""}.</p>`;
    return html`
      <p class="muted">${this.page.totalCount} ${this.page.totalCount === 1 ? "invitation" : "invitations"}</p>
      <div class="scroll"><table>
        <caption class="muted">Invitations, oldest first</caption>
        <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th>
          <th scope="col">Sent</th><th scope="col" class="optional">Last sent</th><th scope="col" class="optional">Expires</th>
          <th scope="col">Actions</th></tr></thead>
        <tbody>${rows.map((i) => html`<tr>
          <th scope="row">${i.email}</th>
          <td>${roleName(i.role)}</td>
          <td>${roleName(i.status)}</td>
          <td>${i.sentCount}</td>
          <td class="optional">${when(i.lastSentAt, "Not yet")}</td>
          <td class="optional">${when(i.expiresAt)}</td>
          <td class="actions">${i.viewerCan.length ? i.viewerCan.map((a) => html`
            <button class=${a === "REVOKE" ? "danger" : "secondary"} type="button"
              aria-label=${a === "RESEND" ? `Resend to ${i.email}` : `Revoke the invitation to ${i.email}`}
              @click=${() => this.act(i, a)}>${a === "RESEND" ? "Resend" : "Revoke"}</button>`)
            : html`<span class="muted">No actions</span>`}</td>
        </tr>`)}</tbody>
      </table></div>
      ${this.paging()}`;
  }
}

customElements.define("roster-invitations", RosterInvitations);
