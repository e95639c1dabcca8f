// What every element shares (docs/api/console.md): its GraphQL calls, its
// error shown in words, the styles (isolated in its shadow root, themable
// through the --roster-* custom properties) and a few formatters.
import { LitElement, html, css, nothing } from "../lib/lit-element-4.2.2/lit-element.js";
import { gql, subscribe } from "./client.js";
import { words } from "./words.js";

export { html, css, nothing };

export const shared = css`
  :host {
    display: block;
    font: var(--roster-font, 16px/1.5 system-ui, sans-serif);
    color: var(--roster-text, #1a1a1a);
    --accent: var(--roster-accent, #1d4ed8);
    --surface: var(--roster-surface, #fff);
    --muted: var(--roster-muted, #595959);
    --line: var(--roster-line, #d4d4d4);
  }
  [hidden] { display: none !important; }
  h2 { font-size: 1.25rem; margin: 0 0 .75rem; }
  h3 { font-size: 1.05rem; margin: 1rem 0 .5rem; }
  label { font-weight: 600; }
  input, select, textarea, button { font: inherit; }
  input, select, textarea { padding: .4rem .5rem; border: 1px solid #767676; border-radius: 4px; background: var(--surface); color: inherit; }
  button { padding: .45rem .9rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
  button.secondary { background: var(--surface); color: var(--accent); }
  button.danger { background: #b91c1c; border-color: #b91c1c; }
  button:disabled { background: #767676; border-color: #767676; color: #fff; cursor: wait; }
  :focus-visible { outline: 3px solid var(--roster-focus, #b45309); outline-offset: 2px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-weight: 600; }
  .row { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; }
  .field { display: flex; flex-direction: column; gap: .2rem; }
  .muted { color: var(--muted); }
  .error { padding: .6rem .75rem; color: #7f1d1d; background: #fee2e2; border-radius: 4px; }
  .done { padding: .6rem .75rem; color: #14532d; background: #dcfce7; border-radius: 4px; }
  .scroll { overflow-x: auto; }
  .paging { display: flex; gap: .5rem; align-items: center; margin-top: .75rem; }
  dialog { border: 1px solid var(--line); border-radius: 8px; max-width: min(32rem, 95vw); }
  dialog::backdrop { background: rgb(0 0 0 / .35); }
  fieldset { border: 1px solid var(--line); border-radius: 4px; }
  @media (max-width: 600px) { th.optional, td.optional { display: none; } }
`;

/**
 * An element that talks to Roster. Attributes: `organization` (its id) and
 * `token` (an access token); property `getToken` (an async function
 * returning one). Without either, the page's `configure()` applies.
 */
export class RosterElement extends LitElement {
  static properties = {
    organization: { type: String, reflect: true },
    token: { type: String },
    error: { state: true },
    notice: { state: true },
  };

  static styles = shared;

  constructor() {
    super();
    this.getToken = null;
    this.error = null;
    this.notice = null;
    this._refresh = () => this.reload();
  }

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener("roster-token-changed", this._refresh);
  }

  disconnectedCallback() {
    window.removeEventListener("roster-token-changed", this._refresh);
    super.disconnectedCallback();
  }

  /** Where this element's token comes from, if its own. */
  tokenSource() {
    if (this.getToken) return this.getToken;
    if (this.token) return () => this.token;
    return null;
  }

  /** Runs an operation; errors are shown by the element and rethrown. */
  async query(query, variables = {}) {
    return gql(query, variables, this.tokenSource());
  }

  subscribe(query, variables, onEvent, onEnd) {
    return subscribe(query, variables, onEvent, onEnd, this.tokenSource());
  }

  /** Runs `work`, showing its error in words, or `done` when it succeeds. */
  async attempt(work, done = null) {
    this.error = null;
    this.notice = null;
    try {
      const result = await work();
      if (done) this.notice = typeof done === "function" ? done(result) : done;
      return result;
    } catch (error) {
      this.error = error;
      this.dispatchEvent(new CustomEvent("roster-error", { detail: error, bubbles: true, composed: true }));
      return undefined;
    }
  }

  /**
   * Runs `work` as `attempt` does, or, when `quiet` (a reload after a live
   * event, which nobody asked for), keeping the notice and error shown.
   */
  async fetchData(work, quiet = false) {
    if (!quiet) return this.attempt(work);
    try {
      return await work();
    } catch (_) {
      return undefined;
    }
  }

  /** Loads the element's data again; elements override it. */
  reload() {}

  /**
   * Loads again (after an action, for a live event) through the element's
   * `load()`, leaving the words on screen as they are unless it fails.
   */
  async refresh() {
    try {
      await this.load();
    } catch (error) {
      this.error = error;
    }
  }

  updated(changed) {
    if (changed.has("organization") || changed.has("token")) this.reload();
  }

  /** The error box (role alert) and the success box (role status). */
  messages() {
    return html`
      <p class="error" role="alert" ?hidden=${!this.error}>${this.error ? words(this.error) : ""}${
        this.error ? html` (<code>${this.error.code}</code>)` : nothing
      }</p>
      <p class="done" role="status" ?hidden=${!this.notice}>${this.notice ?? ""}</p>`;
  }
}

/**
 * A screen that shows a connection a page at a time, by cursor. The
 * subclass's `load(after, quiet)` puts the page after the cursor `after` into
 * `this.page`; this class keeps the cursors seen, so Previous goes back.
 */
export class PagedElement extends RosterElement {
  static properties = { page: { state: true } };

  constructor() {
    super();
    this.page = null;
    this._cursors = [null];
  }

  /** The page shown, loaded again. */
  reloadPage(quiet = false) {
    return this.load(this._cursors.at(-1), quiet);
  }

  /** The first page (a filter changed, or another organization). */
  firstPage() {
    this._cursors = [null];
    return this.load(null);
  }

  onFirstPage() {
    return this._cursors.length === 1;
  }

  next() {
    this._cursors.push(this.page.pageInfo.endCursor);
    this.reloadPage();
  }

  previous() {
    this._cursors.pop();
    this.reloadPage();
  }

  /** The Previous and Next buttons. */
  paging() {
    return html`
      <div class="paging">
        <button class="secondary" type="button" ?disabled=${this.onFirstPage()} @click=${this.previous}>Previous page</button>
        <button class="secondary" type="button" ?disabled=${!this.page.pageInfo.hasNextPage} @click=${this.next}>Next page</button>
      </div>`;
  }
}

/** `USER_ADMIN` → `User admin`. */
export function roleName(role) {
  const text = role.toLowerCase().replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A date and time in the reader's locale, or `fallback` for null. */
export function when(iso, fallback = "") {
  return iso ? new Date(iso).toLocaleString() : fallback;
}

export const ROLES = ["ADMIN", "BILLING_ADMIN", "USER_ADMIN", "MEMBER"];
