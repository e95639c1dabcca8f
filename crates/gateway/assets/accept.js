// The accept page, /invite/{token}: the token comes from the address bar
// (the server never writes it into the page) and goes only to /graphql.
"use strict";

(() => {
  const PREVIEW = "query($t: String!) { invitationPreview(token: $t) { organizationName email role invitedByName expiresAt accountExists } }";
  const ACCEPT_NEW = "mutation($t: String!, $p: String, $n: String) { acceptInvitation(token: $t, password: $p, displayName: $n) { accessToken } }";
  const LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }";
  const ACCEPT = "mutation($t: String!) { acceptInvitation(token: $t) { accessToken } }";
  const LOG_OUT = "mutation { logOut }";
  const $ = Roster.el;

  const raw = location.pathname.replace(/^\/invite\//, "");
  let token = raw;
  try {
    token = decodeURIComponent(raw);
  } catch (_) {
    // A malformed escape: the server will call the token invalid.
  }
  let preview;

  // The page keeps no session: the sessions it opened end once the
  // member has joined (the product logs in on its own).
  async function joined(...accessTokens) {
    for (const accessToken of new Set(accessTokens)) {
      await Roster.gql(LOG_OUT, {}, accessToken).catch(() => {});
    }
    $("invitation").hidden = true;
    Roster.showDone("You joined " + preview.organizationName + ".");
  }

  async function load() {
    try {
      preview = (await Roster.gql(PREVIEW, { t: token })).invitationPreview;
    } catch (error) {
      Roster.showError(error);
      return;
    } finally {
      $("loading").hidden = true;
    }
    $("organization").textContent = preview.organizationName;
    $("inviter").textContent = preview.invitedByName || "—";
    $("role").textContent = Roster.roleName(preview.role);
    $("expires").dateTime = preview.expiresAt;
    $("expires").textContent = new Date(preview.expiresAt).toLocaleString();
    for (const el of document.querySelectorAll(".email")) el.textContent = preview.email;
    $("email").value = preview.email;
    $(preview.accountExists ? "log-in" : "new-account").hidden = false;
    $("invitation").hidden = false;
  }

  Roster.onSubmit($("new-account"), async () => {
    Roster.samePasswords("new-password", "confirm-password");
    const joinedAs = (await Roster.gql(ACCEPT_NEW, { t: token, p: $("new-password").value, n: $("display-name").value })).acceptInvitation;
    await joined(joinedAs.accessToken);
  });

  Roster.onSubmit($("log-in"), async () => {
    const session = (await Roster.gql(LOG_IN, { e: preview.email, p: $("password").value })).logIn;
    const joinedAs = (await Roster.gql(ACCEPT, { t: token }, session.accessToken)).acceptInvitation;
    await joined(session.accessToken, joinedAs.accessToken);
  });

  load();
})();
