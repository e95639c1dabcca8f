// Shared by the accept and log-in pages: GraphQL over fetch, errors shown
// in #error, forms that submit once. Talks to this server only.
"use strict";

class RosterError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

const Roster = {
  FRIENDLY: {
    INVITATION_EXPIRED: "This invitation has expired. Ask the person who invited you to send a new one.",
    INVITATION_INVALID: "This invitation link does not work: it was already used, revoked, or replaced by a newer one.",
  },

  el(id) {
    return document.getElementById(id);
  },

  /** Runs one operation; its `data`, or a RosterError with the first error's code. */
  async gql(query, variables, accessToken) {
    const headers = { "content-type": "application/json" };
    if (accessToken) headers.authorization = "Bearer " + accessToken;
    let body;
    try {
      const res = await fetch("/graphql", {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
      });
      body = await res.json();
    } catch (_) {
      throw new RosterError("The server could not be reached. Check your connection and try again.", "NETWORK");
    }
    if (body.errors && body.errors.length) {
      const first = body.errors[0];
      throw new RosterError(first.message, (first.extensions && first.extensions.code) || "INTERNAL");
    }
    return body.data;
  },

  showError(error) {
    const box = Roster.el("error");
    const code = error.code || "INTERNAL";
    const text = document.createElement("span");
    text.textContent = Roster.FRIENDLY[code] || error.message;
    const codeEl = document.createElement("code");
    codeEl.textContent = code;
    box.replaceChildren(text, " (", codeEl, ")");
    box.hidden = false;
  },

  clearError() {
    Roster.el("error").hidden = true;
  },

  showDone(message) {
    const done = Roster.el("done");
    for (const form of document.querySelectorAll("form")) form.hidden = true;
    done.textContent = message;
    done.hidden = false;
    // Where to go next, on the pages that have it: the console.
    const next = Roster.el("next");
    if (next) next.hidden = false;
    done.tabIndex = -1;
    done.focus();
  },

  /** `ADMIN` → `Admin`, `USER_ADMIN` → `User admin`. */
  roleName(role) {
    const words = role.toLowerCase().replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  },

  /** Two password fields must agree. */
  samePasswords(id, confirmId) {
    if (Roster.el(id).value !== Roster.el(confirmId).value) {
      throw new RosterError("The two passwords are not the same.", "VALIDATION");
    }
  },

  /** Runs `handler` on submit, with the button disabled meanwhile. */
  onSubmit(form, handler) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      Roster.clearError();
      try {
        await handler();
      } catch (error) {
        Roster.showError(error);
      } finally {
        button.disabled = false;
      }
    });
  },
};
