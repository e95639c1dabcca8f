// <roster-billing>: the Billing screen (docs/api/console.md, docs/api/billing.md).
// Plan, seats, subscription, billing email and invoices for whoever may
// view billing; changing the plan and the billing email with CHANGE_PLAN,
// cancelling with CANCEL_SUBSCRIPTION, each as `Organization.viewerCan`
// says, never from the role.
import { RosterElement, html, css, shared, nothing, roleName, when } from "./base.js";
import { screen } from "./screens.js";

const BILLING_FIELDS = "plan seatLimit seatsUsed subscriptionStatus currentPeriodEnd billingEmail invoices { id issuedAt plan amountCents }";
const BILLING = `query($o: ID!) { organization(id: $o) { id viewerCan billing { ${BILLING_FIELDS} } } }`;
const CHANGE_PLAN = `mutation($o: ID!, $p: Plan!) { changePlan(organizationId: $o, plan: $p) { ${BILLING_FIELDS} } }`;
const CANCEL = `mutation($o: ID!) { cancelSubscription(organizationId: $o) { ${BILLING_FIELDS} } }`;
const EMAIL = `mutation($o: ID!, $e: String!) { updateBillingEmail(organizationId: $o, billingEmail: $e) { ${BILLING_FIELDS} } }`;
const PLANS = ["BASIC", "PRO", "ENTERPRISE"];

/** Cents as an amount with two decimals; a negative one is a credit. */
function amount(cents) {
  const text = (Math.abs(cents) / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return cents < 0 ? `${text} credit` : text;
}

class RosterBilling extends RosterElement {
  static properties = {
    billing: { state: true },
    can: { state: true },
    confirming: { state: true },
  };

  static styles = [shared, css`
    dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
    dt { font-weight: 600; }
    dd { margin: 0; overflow-wrap: anywhere; }
    td.amount, th.amount { text-align: right; }
    dialog form { display: grid; gap: .5rem; }
  `];

  constructor() {
    super();
    this.billing = null;
    this.can = [];
    this.confirming = false;
    this.addEventListener("roster-membership-event", (e) => {
      if (/^(plan|subscription|billing)\./.test(e.detail.action)) this.refresh();
    });
  }

  async load() {
    const data = await this.query(BILLING, { o: this.organization });
    this.can = data.organization.viewerCan;
    this.billing = data.organization.billing;
  }

  reload() {
    if (this.organization) this.attempt(() => this.load());
  }

  changed(billing) {
    this.billing = billing;
    this.dispatchEvent(new CustomEvent("roster-billing-changed", { detail: billing, bubbles: true, composed: true }));
  }

  async changePlan(event) {
    event.preventDefault();
    const plan = event.target.plan.value;
    const data = await this.attempt(
      () => this.query(CHANGE_PLAN, { o: this.organization, p: plan }),
      (r) => `The plan is now ${roleName(r.changePlan.plan)}.`,
    );
    if (data) this.changed(data.changePlan);
  }

  async saveEmail(event) {
    event.preventDefault();
    const email = event.target.billingEmail.value.trim();
    const data = await this.attempt(
      () => this.query(EMAIL, { o: this.organization, e: email }),
      `Invoices now go to ${email}.`,
    );
    if (data) this.changed(data.updateBillingEmail);
  }

  async openCancel() {
    this.error = null;
    this.notice = null;
    this.confirming = true;
    await this.updateComplete;
    this.renderRoot.querySelector("dialog").showModal();
  }

  closeCancel() {
    this.renderRoot.querySelector("dialog")?.close();
    this.confirming = false;
  }

  async cancel(event) {
    event.preventDefault();
    const data = await this.attempt(
      () => this.query(CANCEL, { o: this.organization }),
      (r) => `The subscription is canceled. ${roleName(r.cancelSubscription.plan)} stays until ${when(r.cancelSubscription.currentPeriodEnd)}, then the plan is Basic.`,
    );
    if (!data) return;
    this.closeCancel();
    this.changed(data.cancelSubscription);
  }

  /** A refused plan change says how many seats to free (docs/api/billing.md). */
  messages() {
    if (this.error?.code !== "SEAT_LIMIT_REACHED") return super.messages();
    return html`
      <p class="error" role="alert">The new plan has fewer seats than are in use: ${this.error.message}. (<code>${this.error.code}</code>)</p>
      <p class="done" role="status" hidden></p>`;
  }

  render() {
    const b = this.billing;
    if (!b) return html`<h2>Billing</h2>${this.messages()}${this.error ? nothing : html`<p role="status">Loading…</p>`}`;
    const mayChange = this.can.includes("CHANGE_PLAN");
    const mayCancel = this.can.includes("CANCEL_SUBSCRIPTION") && b.subscriptionStatus === "ACTIVE";
    return html`
      <h2>Billing</h2>
      ${this.confirming ? nothing : this.messages()}
      <dl>
        <dt>Plan</dt><dd>${roleName(b.plan)}</dd>
        <dt>Seats used</dt><dd>${b.seatLimit === null ? `${b.seatsUsed} (no limit)` : `${b.seatsUsed} of ${b.seatLimit}`}</dd>
        <dt>Subscription</dt><dd>${b.subscriptionStatus === "ACTIVE" ? "Active" : `Canceled: the plan becomes Basic on ${when(b.currentPeriodEnd)}`}</dd>
        <dt>Current period ends</dt><dd>${when(b.currentPeriodEnd)}</dd>
        <dt>Billing email</dt><dd>${b.billingEmail ?? "None"}</dd>
      </dl>
      ${mayChange ? this.renderChange(b) : html`<p class="muted">Your role may view billing but not change it.</p>`}
      ${mayCancel ? html`
        <h3>Subscription</h3>
        <p><button class="danger" type="button" @click=${this.openCancel}>Cancel subscription…</button></p>` : nothing}
      ${this.confirming ? this.renderConfirm(b) : nothing}
      <h3>Invoices</h3>
      ${b.invoices.length ? this.renderInvoices(b.invoices) : html`<p>No invoices yet.</p>`}`;
  }

  renderChange(b) {
    return html`
      <h3>Change plan</h3>
      <form class="row" @submit=${this.changePlan}>
        <div class="field"><label for="plan">New plan</label>
          <select id="plan" name="plan">${PLANS.map((p) => html`<option value=${p} ?selected=${p === b.plan}>${roleName(p)}</option>`)}</select></div>
        <button type="submit">Change plan</button>
      </form>
      <h3>Billing email</h3>
      <form class="row" @submit=${this.saveEmail}>
        <div class="field"><label for="billing-email">Billing email</label>
          <input id="billing-email" name="billingEmail" type="email" autocomplete="email" required .value=${b.billingEmail ?? ""}></div>
        <button type="submit">Save billing email</button>
      </form>`;
  }

  renderConfirm(b) {
    return html`<dialog aria-labelledby="cancel-title" @close=${() => { this.confirming = false; }}>
      <form @submit=${this.cancel}>
        <h3 id="cancel-title">Cancel the subscription?</h3>
        <p>${roleName(b.plan)} stays until ${when(b.currentPeriodEnd)}; then the organization moves to Basic. Nobody is removed. Changing the plan again reactivates it.</p>
        ${this.messages()}
        <div class="row">
          <button class="danger" type="submit">Cancel subscription</button>
          <button class="secondary" type="button" @click=${this.closeCancel}>Keep subscription</button>
        </div>
      </form>
    </dialog>`;
  }

  renderInvoices(invoices) {
    return html`<div class="scroll"><table>
      <caption class="muted">Newest first</caption>
      <thead><tr><th scope="col">Issued</th><th scope="col">Plan</th><th scope="col" class="amount">Amount</th></tr></thead>
      <tbody>${invoices.map((i) => html`
        <tr><th scope="row">${when(i.issuedAt)}</th><td>${roleName(i.plan)}</td><td class="amount">${amount(i.amountCents)}</td></tr>`)}
      </tbody>
    </table></div>`;
  }
}

customElements.define("roster-billing", RosterBilling);
screen({ id: "billing", label: "Billing", tag: "roster-billing", order: 80, shown: (org) => org.viewerCan.includes("VIEW_BILLING") });
