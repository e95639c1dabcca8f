// <roster-ownership>: the owner and a pending ownership transfer, on the
// Settings screen (docs/api/console.md, docs/api/ownership.md). The owner
// asks an ACTIVE ADMIN (those whose `Member.viewerCan` has
// TRANSFER_OWNERSHIP) and may cancel; the ADMIN asked accepts. What each
// viewer may do to the request is `OwnershipTransfer.viewerCan`.
import { RosterElement, html, css, shared, nothing, when } from "./base.js";

const OWNERSHIP = `query($o: ID!) { organization(id: $o) { id name
  owner { id displayName email }
  pendingOwnershipTransfer { from { displayName } to { displayName email } requestedAt viewerCan }
  members(first: 50, role: ADMIN, status: ACTIVE) { edges { node { viewerCan user { id displayName email } } } } } }`;
const REQUEST = `mutation($o: ID!, $u: ID!) { requestOwnershipTransfer(organizationId: $o, toUserId: $u) { to { displayName } } }`;
const ACCEPT = "mutation($o: ID!) { acceptOwnershipTransfer(organizationId: $o) { id owner { displayName } } }";
const CANCEL = "mutation($o: ID!) { cancelOwnershipTransfer(organizationId: $o) }";

class RosterOwnership extends RosterElement {
  static properties = { org: { state: true } };

  static styles = [shared, css`
    .pending { padding: .6rem .75rem; border: 1px solid var(--line); border-radius: 4px; }
  `];

  constructor() {
    super();
    this.org = null;
  }

  async load() {
    const data = await this.query(OWNERSHIP, { o: this.organization });
    this.org = data.organization;
  }

  reload() {
    if (this.organization) this.attempt(() => this.load());
  }

  /** Whom the viewer may ask: the API lists TRANSFER_OWNERSHIP on them. */
  candidates() {
    return this.org.members.edges.map((e) => e.node).filter((m) => m.viewerCan.includes("TRANSFER_OWNERSHIP")).map((m) => m.user);
  }

  changed() {
    this.dispatchEvent(new CustomEvent("roster-member-changed", { bubbles: true, composed: true }));
  }

  async request(event) {
    event.preventDefault();
    const to = event.target.newOwner.value;
    const done = await this.attempt(
      () => this.query(REQUEST, { o: this.organization, u: to }),
      (r) => `${r.requestOwnershipTransfer.to.displayName} is asked to become owner; they accept in their console.`,
    );
    if (done) this.after();
  }

  async accept() {
    const done = await this.attempt(
      () => this.query(ACCEPT, { o: this.organization }),
      () => `You are now the owner of ${this.org.name}.`,
    );
    if (done) this.after();
  }

  async cancel() {
    const done = await this.attempt(() => this.query(CANCEL, { o: this.organization }), "The request is withdrawn.");
    if (done) this.after();
  }

  async after() {
    await this.refresh();
    this.changed();
  }

  render() {
    if (!this.org) return html`<h3>Ownership</h3>${this.messages()}`;
    const owner = this.org.owner;
    const pending = this.org.pendingOwnershipTransfer;
    const candidates = this.candidates();
    return html`
      <h3>Ownership</h3>
      <p>Owner: ${owner.displayName} (${owner.email})</p>
      ${pending ? this.renderPending(pending) : nothing}
      ${candidates.length ? html`
        <form class="row" @submit=${this.request}>
          <div class="field"><label for="new-owner">New owner</label>
            <select id="new-owner" name="newOwner">${candidates.map((u) => html`<option value=${u.id}>${u.displayName} (${u.email})</option>`)}</select></div>
          <button type="submit">Ask to become owner</button>
        </form>
        <p class="muted">Only an active Admin can become owner, once they accept; you stay an Admin.</p>` : nothing}
      ${this.messages()}`;
  }

  renderPending(pending) {
    const can = pending.viewerCan;
    return html`<div class="pending">
      <p>${pending.from.displayName} asked ${pending.to.displayName} (${pending.to.email}) to become owner on ${when(pending.requestedAt)}.</p>
      ${can.length ? html`<div class="row">
        ${can.includes("ACCEPT") ? html`<button type="button" @click=${this.accept}>Accept ownership</button>` : nothing}
        ${can.includes("CANCEL") ? html`<button class="secondary" type="button" @click=${this.cancel}>Withdraw the request</button>` : nothing}
      </div>` : nothing}
    </div>`;
  }
}

customElements.define("roster-ownership", RosterOwnership);
