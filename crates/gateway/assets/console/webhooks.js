// <roster-webhooks>: the organization's webhook endpoints and their recent
// deliveries, on the Settings screen (docs/api/console.md,
// docs/api/webhooks.md). Creating one shows its signing secret this once;
// deleting asks first. Settings shows it with EDIT_ORG_INFO (ADMIN only).
import { RosterElement, html, css, shared, nothing, when } from "./base.js";

const ENDPOINTS = `query($o: ID!) { organization(id: $o) { id webhookEndpoints { id url events enabled createdAt
  deliveries(first: 10) { id eventId attempt status durationMs at } } } }`;
const CREATE = `mutation($o: ID!, $url: String!, $events: [String!]) {
  createWebhookEndpoint(organizationId: $o, url: $url, events: $events) { secret endpoint { id url } } }`;
const DELETE = "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }";

class RosterWebhooks extends RosterElement {
  static properties = {
    endpoints: { state: true },
    created: { state: true },
    deleting: { state: true },
  };

  static styles = [shared, css`
    section.endpoint { border-top: 1px solid var(--line); padding-top: .5rem; margin-top: .75rem; }
    h4 { font-size: 1rem; margin: .25rem 0; overflow-wrap: anywhere; }
    .secret { display: grid; gap: .4rem; padding: .6rem .75rem; border: 2px solid var(--accent); border-radius: 4px; }
    .secret input { font-family: ui-monospace, monospace; }
    .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    form.add { display: grid; gap: .4rem; max-width: 36rem; }
    dialog form { display: grid; gap: .5rem; }
  `];

  constructor() {
    super();
    this.endpoints = null;
    this.created = null;
    this.deleting = null;
  }

  async load() {
    const data = await this.query(ENDPOINTS, { o: this.organization });
    this.endpoints = data.organization.webhookEndpoints;
  }

  reload() {
    if (this.organization) return this.attempt(() => this.load());
  }

  async create(event) {
    event.preventDefault();
    const form = event.target;
    const events = form.events.value.split(/[\s,]+/).filter(Boolean);
    const data = await this.attempt(() => this.query(CREATE, { o: this.organization, url: form.url.value.trim(), events: events.length ? events : null }));
    if (!data) return;
    form.reset();
    // The secret lives in this element's state only, until "Done".
    this.created = data.createWebhookEndpoint;
    await this.refresh();
  }

  async openDelete(endpoint) {
    this.error = null;
    this.notice = null;
    this.deleting = endpoint;
    await this.updateComplete;
    this.renderRoot.querySelector("dialog").showModal();
  }

  closeDelete() {
    this.renderRoot.querySelector("dialog")?.close();
    this.deleting = null;
  }

  async remove(event) {
    event.preventDefault();
    const { id, url } = this.deleting;
    const done = await this.attempt(() => this.query(DELETE, { id }), `The endpoint ${url} is deleted.`);
    if (!done) return;
    this.closeDelete();
    if (this.created?.endpoint.id === id) this.created = null;
    await this.refresh();
  }

  render() {
    return html`
      <h3>Webhook endpoints</h3>
      <p class="muted">Each change in the organization is sent, signed, to the endpoints subscribed to its action.</p>
      ${this.created ? this.renderSecret() : nothing}
      <form class="add" @submit=${this.create}>
        <label for="url">Endpoint URL</label>
        <input id="url" name="url" type="url" required placeholder="https://crm.example.com/roster">
        <label for="events">Events (audit actions, separated by commas; empty for all)</label>
        <input id="events" name="events" type="text" placeholder="member.role_changed, member.removed">
        <div class="row"><button type="submit">Add endpoint</button></div>
      </form>
      ${this.deleting ? nothing : this.messages()}
      ${this.endpoints === null ? nothing : this.endpoints.length ? html`
        <p><button class="secondary" type="button" @click=${() => this.reload()}>Refresh deliveries</button></p>
        ${this.endpoints.map((e) => this.renderEndpoint(e))}` : html`<p>No endpoints yet.</p>`}
      ${this.deleting ? this.renderDelete() : nothing}`;
  }

  renderSecret() {
    return html`<div class="secret" role="group" aria-labelledby="secret-title">
      <h4 id="secret-title">The signing secret of ${this.created.endpoint.url}</h4>
      <p>Copy it now: it is shown this once. Receivers check each delivery's signature with it.</p>
      <label for="secret">Signing secret</label>
      <input id="secret" type="text" readonly .value=${this.created.secret} @focus=${(e) => e.target.select()}>
      <div class="row"><button type="button" @click=${() => { this.created = null; }}>I have copied the secret</button></div>
    </div>`;
  }

  renderEndpoint(e) {
    const id = `endpoint-${e.id}`;
    return html`<section class="endpoint" aria-labelledby=${id}>
      <h4 id=${id}>${e.url}</h4>
      <p>${e.enabled ? "Enabled" : "Disabled (delete it and add it again to resume)"};
        events: ${e.events.length ? e.events.join(", ") : "all"}; added ${when(e.createdAt)}.</p>
      ${e.deliveries.length ? html`<div class="scroll"><table>
        <caption class="muted">Recent deliveries to ${e.url}, newest first</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Answer</th><th scope="col">Attempt</th>
          <th scope="col" class="optional">Took</th><th scope="col" class="optional">Event</th></tr></thead>
        <tbody>${e.deliveries.map((d) => html`<tr>
          <th scope="row">${when(d.at)}</th>
          <td>${d.status === null ? "No answer" : `HTTP ${d.status}`}</td>
          <td>${d.attempt}</td>
          <td class="optional">${d.durationMs === null ? "" : `${d.durationMs} ms`}</td>
          <td class="optional"><code>${d.eventId}</code></td>
        </tr>`)}</tbody>
      </table></div>` : html`<p class="muted">No deliveries yet.</p>`}
      <p><button class="secondary" type="button" @click=${() => this.openDelete(e)}>Delete<span class="sr-only"> ${e.url}</span></button></p>
    </section>`;
  }

  renderDelete() {
    return html`<dialog aria-labelledby="delete-title" @close=${() => { this.deleting = null; }}>
      <form @submit=${this.remove}>
        <h4 id="delete-title">Delete the endpoint ${this.deleting.url}?</h4>
        <p>Nothing more is sent to it, and its delivery log goes with it.</p>
        ${this.messages()}
        <div class="row">
          <button class="danger" type="submit">Delete endpoint</button>
          <button class="secondary" type="button" @click=${this.closeDelete}>Keep it</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define("roster-webhooks", RosterWebhooks);
