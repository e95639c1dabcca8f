// <roster-console>: the whole console at GET /console (docs/api/console.md).
// Log in, pick an organization, then its screens as tabs. The same screens
// are elements a product embeds on its own pages.
import { RosterElement, html, css, shared, nothing } from "./base.js";
import { SCREENS, ORGANIZATION_FIELDS } from "./screens.js";
import * as session from "./session.js";
import "./org-switcher.js";
import "./lifecycle.js";

const EVENTS = "subscription($o: ID!) { membershipEvents(organizationId: $o) { action userId } }";
const LOST = new Set(["member.blocked", "member.removed", "organization.deleted"]);

class RosterConsole extends RosterElement {
  static properties = {
    user: { state: true },
    org: { state: true },
    tab: { state: true },
    stage: { state: true },
    lost: { state: true },
    deleted: { state: true },
  };

  static styles = [
    shared,
    css`
      :host { max-width: 72rem; margin: 0 auto; padding: 1rem; }
      header { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; align-items: end; justify-content: space-between; margin-bottom: 1rem; }
      header h1 { font-size: 1.4rem; margin: 0; }
      nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem; padding: 0; margin: 0 0 1rem; border-bottom: 1px solid var(--line); }
      nav a { display: block; padding: .4rem .75rem; color: var(--accent); text-decoration: none; border-radius: 4px 4px 0 0; }
      nav a[aria-current="page"] { background: var(--accent); color: #fff; }
      form.card { max-width: 24rem; display: grid; gap: .5rem; }
      section.screen { background: var(--surface); padding: 1rem; border-radius: 8px; }
    `,
  ];

  constructor() {
    super();
    this.user = null;
    this.org = null;
    this.tab = null;
    this.stage = "loading";
    this.lost = false;
    this.deleted = false;
    this._unsubscribe = null;
    this._pendingPassword = null;
    this._onHash = () => this.route();
    // From the Settings screen (docs/api/console.md): a deletion ends the
    // access at once; a restore opens the organization again; a rename
    // shows the new name.
    this.addEventListener("roster-organization-deleted", (e) => {
      if (e.detail.id !== this.org?.id) return;
      this.lose();
      this.deleted = true;
    });
    this.addEventListener("roster-organization-restored", (e) => this.reopen(e.detail.id));
    this.addEventListener("roster-organization-changed", (e) => {
      if (e.detail.id === this.org?.id) this.org = { ...this.org, name: e.detail.name };
      this.switcher()?.reload();
    });
  }

  async connectedCallback() {
    super.connectedCallback();
    window.addEventListener("hashchange", this._onHash);
    this.user = await session.resume();
    this.stage = this.user ? (this.user.mustChangePassword ? "change" : "in") : "log-in";
    if (this.stage === "in") this.route();
  }

  disconnectedCallback() {
    window.removeEventListener("hashchange", this._onHash);
    this._unsubscribe?.();
    super.disconnectedCallback();
  }

  /** `#/<organization id>/<screen>` picks the organization and the tab. */
  async route() {
    const [, orgId, tab] = location.hash.split("/");
    if (!orgId) return;
    if (this.org?.id !== orgId) await this.openOrganization(orgId);
    const shown = this.screens();
    this.tab = shown.find((s) => s.id === tab) ?? shown[0] ?? null;
  }

  screens() {
    return this.org ? SCREENS.filter((s) => s.shown(this.org)) : [];
  }

  async openOrganization(id) {
    this._unsubscribe?.();
    this.lost = false;
    this.deleted = false;
    const data = await this.attempt(() => this.query(`query($o: ID!) { organization(id: $o) { ${ORGANIZATION_FIELDS} } }`, { o: id }));
    this.org = data?.organization ?? null;
    if (!this.org) return;
    this._unsubscribe = this.subscribe(EVENTS, { o: id }, (data) => this.onEvent(data.membershipEvents), (error) => {
      if (error && ["FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"].includes(error.code)) this.lose();
    });
  }

  onEvent(event) {
    if (event.userId === this.user.id && LOST.has(event.action)) {
      this.lose();
      return;
    }
    this.renderRoot.querySelector("section.screen > *")?.dispatchEvent(new CustomEvent("roster-membership-event", { detail: event }));
    if (event.userId === this.user.id) this.openOrganization(this.org.id).then(() => this.route());
  }

  /** The viewer's access here ended (blocked, removed, deleted): the screen goes at once. */
  lose() {
    this._unsubscribe?.();
    this._unsubscribe = null;
    this.lost = true;
    this.switcher()?.reload();
  }

  switcher() {
    return this.renderRoot.querySelector("roster-org-switcher");
  }

  /** Opens `id` again (restored), with fresh screens. */
  async reopen(id) {
    this._screen = null;
    await this.openOrganization(id);
    this.switcher()?.reload();
    if (location.hash.split("/")[1] === id) this.route();
    else location.hash = `#/${id}`;
  }

  async submitLogIn(event) {
    event.preventDefault();
    const form = event.target;
    const password = form.password.value;
    const user = await this.attempt(() => session.logIn(form.email.value, password));
    if (!user) return;
    this.user = user;
    if (user.mustChangePassword) {
      this._pendingPassword = password;
      this.stage = "change";
    } else {
      this.stage = "in";
      this.route();
    }
  }

  async submitChange(event) {
    event.preventDefault();
    const form = event.target;
    if (form.newPassword.value !== form.confirmPassword.value) {
      this.error = { code: "VALIDATION", message: "The two passwords are not the same." };
      return;
    }
    const user = await this.attempt(() => session.changePassword(this._pendingPassword ?? form.currentPassword.value, form.newPassword.value));
    if (!user) return;
    this._pendingPassword = null;
    this.user = user;
    this.stage = "in";
    this.route();
  }

  async submitForgot(event) {
    event.preventDefault();
    const email = event.target.email.value;
    await this.attempt(
      () => this.query("mutation($e: String!) { requestPasswordReset(email: $e) }", { e: email }),
      `If ${email} has an account, a link to choose a new password is on its way.`,
    );
  }

  async doLogOut() {
    this._unsubscribe?.();
    await session.logOut();
    this.user = null;
    this.org = null;
    this.stage = "log-in";
    history.replaceState(null, "", location.pathname);
  }

  pick(event) {
    location.hash = `#/${event.detail.id}`;
  }

  render() {
    switch (this.stage) {
      case "loading":
        return html`<p role="status">Loading…</p>`;
      case "log-in":
        return this.renderLogIn();
      case "forgot":
        return this.renderForgot();
      case "change":
        return this.renderChange();
      default:
        return this.renderConsole();
    }
  }

  renderLogIn() {
    return html`
      <h1>Log in to Roster</h1>
      <form class="card" @submit=${this.submitLogIn}>
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Log in</button>
      </form>
      <p><button class="secondary" type="button" @click=${() => { this.error = null; this.stage = "forgot"; }}>Forgot your password?</button></p>
      ${this.messages()}`;
  }

  renderForgot() {
    return html`
      <h1>Forgot your password?</h1>
      <form class="card" @submit=${this.submitForgot}>
        <label for="forgot-email">Email</label>
        <input id="forgot-email" name="email" type="email" autocomplete="username" required>
        <button type="submit">Send me a link</button>
      </form>
      <p><button class="secondary" type="button" @click=${() => { this.notice = null; this.stage = "log-in"; }}>Back to log in</button></p>
      ${this.messages()}`;
  }

  renderChange() {
    return html`
      <h1>Choose a new password</h1>
      <p>Your password was a one-time one; choose your own to go on.</p>
      <form class="card" @submit=${this.submitChange}>
        ${this._pendingPassword ? nothing : html`
          <label for="current-password">Current password</label>
          <input id="current-password" name="currentPassword" type="password" autocomplete="current-password" required>`}
        <label for="new-password">New password</label>
        <input id="new-password" name="newPassword" type="password" autocomplete="new-password" required>
        <label for="confirm-password">Confirm new password</label>
        <input id="confirm-password" name="confirmPassword" type="password" autocomplete="new-password" required>
        <button type="submit">Change password</button>
      </form>
      ${this.messages()}`;
  }

  renderConsole() {
    const screens = this.screens();
    return html`
      <header>
        <h1>${this.org ? this.org.name : "Roster"}</h1>
        <roster-org-switcher .selected=${this.org?.id ?? ""} @roster-organization-change=${this.pick}></roster-org-switcher>
        <p>${this.user.displayName} <button class="secondary" type="button" @click=${this.doLogOut}>Log out</button></p>
      </header>
      ${this.lost
        ? html`<p class="error" role="alert">${this.deleted
            ? `${this.org?.name} is deleted: nobody has access to it any more.`
            : `You no longer have access to ${this.org?.name ?? "this organization"}.`}</p>
          <roster-deleted-organizations></roster-deleted-organizations>`
        : this.org
          ? html`
            <nav aria-label="Screens"><ul>${screens.map((s) => html`
              <li><a href="#/${this.org.id}/${s.id}" aria-current=${s === this.tab ? "page" : "false"}>${s.label}</a></li>`)}
            </ul></nav>
            <section class="screen" aria-label=${this.tab?.label ?? ""}>${this.tab ? this.screenElement(this.tab) : nothing}</section>`
          : html`<p>Pick an organization.</p><roster-deleted-organizations></roster-deleted-organizations>`}
      ${this.messages()}`;
  }

  /** The tab's element, kept while the organization and tab stay. */
  screenElement(definition) {
    const key = `${this.org.id}/${definition.id}`;
    if (this._screen?.key !== key) {
      const element = document.createElement(definition.tag);
      element.setAttribute("organization", this.org.id);
      element.viewer = { user: this.user, organization: this.org };
      this._screen = { key, element };
    }
    return this._screen.element;
  }
}

customElements.define("roster-console", RosterConsole);
