// <roster-settings>: the Settings screen (docs/api/console.md). The
// organization's name and invitation delivery and lifetime (edited with
// EDIT_ORG_INFO), its ownership (<roster-ownership>), its webhook endpoints
// (<roster-webhooks>, EDIT_ORG_INFO) and its deletion (DELETE_ORGANIZATION,
// confirmed by typing the name), each as `Organization.viewerCan` says.
import { RosterElement, html, css, shared, nothing } from "./base.js";
import { screen } from "./screens.js";
import "./ownership.js";
import "./webhooks.js";
import "./lifecycle.js";

const FIELDS = "id name viewerCan invitationDelivery invitationTtlHours";
const SETTINGS = `query($o: ID!) { organization(id: $o) { ${FIELDS} } }`;
const UPDATE = `mutation($o: ID!, $input: UpdateOrganizationInput!) { updateOrganization(id: $o, input: $input) { ${FIELDS} } }`;
const DELETE = "mutation($o: ID!) { deleteOrganization(id: $o) }";
const DELIVERIES = { LINK: "A link to accept (7 days unless set)", TEMPORARY_PASSWORD: "A one-time password by email (24 hours unless set)" };

class RosterSettings extends RosterElement {
  static properties = {
    org: { state: true },
    confirming: { state: true },
    deleted: { state: true },
  };

  static styles = [shared, css`
    dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
    dt { font-weight: 600; }
    dd { margin: 0; overflow-wrap: anywhere; }
    form.settings { display: grid; gap: .4rem; max-width: 30rem; }
    section { margin-top: 1.25rem; }
    dialog form { display: grid; gap: .5rem; }
  `];

  constructor() {
    super();
    this.org = null;
    this.confirming = false;
    this.deleted = null;
    // Live events (a transfer asked or accepted, an endpoint added) reload
    // every part of the screen.
    this.addEventListener("roster-membership-event", () => this.refreshAll());
    this.addEventListener("roster-organization-restored", (e) => {
      if (e.detail.id !== this.organization) return;
      this.deleted = null;
      this.reload();
    });
  }

  async load() {
    const data = await this.query(SETTINGS, { o: this.organization });
    this.org = data.organization;
  }

  reload() {
    if (this.organization && !this.deleted) this.attempt(() => this.load());
  }

  /** Reloads every part for a live event, leaving the words on screen as they are. */
  async refreshAll() {
    if (this.deleted) return;
    this.renderRoot.querySelectorAll("roster-ownership, roster-webhooks").forEach((part) => part.refresh());
    try {
      await this.load();
    } catch (error) {
      this.error = error;
    }
  }

  can(action) {
    return this.org.viewerCan.includes(action);
  }

  /** Sends what changed only: a lifetime applies to the delivery in effect after the update. */
  async save(event) {
    event.preventDefault();
    const form = event.target;
    const input = {};
    const name = form.orgName.value.trim();
    if (name !== this.org.name) input.name = name;
    if (form.delivery.value !== this.org.invitationDelivery) input.invitationDelivery = form.delivery.value;
    const hours = Number(form.ttl.value);
    if (hours !== this.org.invitationTtlHours) input.invitationTtlHours = hours;
    if (!Object.keys(input).length) {
      this.error = null;
      this.notice = "Nothing changed.";
      return;
    }
    const data = await this.attempt(() => this.query(UPDATE, { o: this.organization, input }), "The settings are saved.");
    if (!data) return;
    this.org = data.updateOrganization;
    this.dispatchEvent(new CustomEvent("roster-organization-changed", { detail: { id: this.org.id, name: this.org.name }, bubbles: true, composed: true }));
  }

  async openDelete() {
    this.error = null;
    this.notice = null;
    this.confirming = true;
    await this.updateComplete;
    this.renderRoot.querySelector("dialog").showModal();
  }

  closeDelete() {
    this.renderRoot.querySelector("dialog")?.close();
    this.confirming = false;
  }

  async remove(event) {
    event.preventDefault();
    const { id, name } = this.org;
    if (event.target.confirmName.value.trim() !== name) {
      this.error = { code: "VALIDATION", message: `Type the organization's name exactly: ${name}.` };
      return;
    }
    const done = await this.attempt(() => this.query(DELETE, { o: id }));
    if (!done) return;
    this.closeDelete();
    this.deleted = { id, name };
    this.dispatchEvent(new CustomEvent("roster-organization-deleted", { detail: { id, name }, bubbles: true, composed: true }));
  }

  render() {
    if (this.deleted) {
      return html`
        <h2>Settings</h2>
        <p class="done" role="status">${this.deleted.name} is deleted: nobody has access to it any more.</p>
        <roster-deleted-organizations .getToken=${this.getToken} .token=${this.token}></roster-deleted-organizations>`;
    }
    if (!this.org) return html`<h2>Settings</h2>${this.messages()}`;
    const edit = this.can("EDIT_ORG_INFO");
    return html`
      <h2>Settings</h2>
      ${this.confirming ? nothing : this.messages()}
      <section aria-labelledby="org-title">
        <h3 id="org-title">Organization</h3>
        ${edit ? this.renderForm() : html`<dl>
          <dt>Name</dt><dd>${this.org.name}</dd>
          <dt>Invitations</dt><dd>${DELIVERIES[this.org.invitationDelivery]}</dd>
          <dt>Invitation lifetime</dt><dd>${this.org.invitationTtlHours} hours</dd>
        </dl>
        <p class="muted">Your role may view these settings but not change them.</p>`}
      </section>
      <section><roster-ownership .organization=${this.organization} .getToken=${this.getToken} .token=${this.token}></roster-ownership></section>
      ${edit ? html`<section><roster-webhooks .organization=${this.organization} .getToken=${this.getToken} .token=${this.token}></roster-webhooks></section>` : nothing}
      ${this.can("DELETE_ORGANIZATION") ? html`<section aria-labelledby="delete-org-title">
        <h3 id="delete-org-title">Delete organization</h3>
        <p>Everyone loses access at once and pending invitations are revoked. The owner can restore it, as it was, within 30 days; then it is purged for good.</p>
        <p><button class="danger" type="button" @click=${this.openDelete}>Delete organization…</button></p>
      </section>` : nothing}
      ${this.confirming ? this.renderConfirm() : nothing}`;
  }

  renderForm() {
    const org = this.org;
    return html`<form class="settings" @submit=${this.save}>
      <label for="org-name">Name</label>
      <input id="org-name" name="orgName" type="text" required maxlength="100" .value=${org.name}>
      <label for="delivery">How invitations are delivered</label>
      <select id="delivery" name="delivery">${Object.entries(DELIVERIES).map(([value, text]) => html`
        <option value=${value} ?selected=${value === org.invitationDelivery}>${text}</option>`)}</select>
      <label for="ttl">Invitation lifetime in hours (1 to 720), for the delivery chosen</label>
      <input id="ttl" name="ttl" type="number" min="1" max="720" required .value=${String(org.invitationTtlHours)}>
      <p class="muted">Each delivery keeps its own lifetime: leave it as it is to keep the one of the delivery chosen.</p>
      <div class="row"><button type="submit">Save settings</button></div>
    </form>`;
  }

  renderConfirm() {
    return html`<dialog aria-labelledby="confirm-title" @close=${() => { this.confirming = false; }}>
      <form @submit=${this.remove}>
        <h3 id="confirm-title">Delete ${this.org.name}?</h3>
        <p>Everyone loses access at once. The owner can restore it within 30 days.</p>
        <label for="confirm-name">Type the organization's name to confirm</label>
        <input id="confirm-name" name="confirmName" type="text" autocomplete="off" required>
        ${this.messages()}
        <div class="row">
          <button class="danger" type="submit">Delete organization</button>
          <button class="secondary" type="button" @click=${this.closeDelete}>Keep it</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define("roster-settings", RosterSettings);
screen({ id: "settings", label: "Settings", tag: "roster-settings", order: 90, shown: (org) => org.viewerCan.includes("VIEW_ORG_INFO") });
