// The password-reset page, /reset/{token}: the token comes from the address
// bar (the server never writes it into the page) and goes only to /graphql.
"use strict";

(() => {
  const RESET = "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) { accessToken } }";
  const LOG_OUT = "mutation { logOut }";
  const DEAD_LINK = "This reset link does not work: it was already used, it has expired, or it never existed. Ask for a new link.";
  const $ = Roster.el;

  const raw = location.pathname.replace(/^\/reset\//, "");
  let token = raw;
  try {
    token = decodeURIComponent(raw);
  } catch (_) {
    // A malformed escape: the server will call the link invalid.
  }

  Roster.onSubmit($("reset"), async () => {
    Roster.samePasswords("new-password", "confirm-password");
    let session;
    try {
      session = (await Roster.gql(RESET, { t: token, p: $("new-password").value })).resetPassword;
    } catch (error) {
      if (error.code !== "NOT_FOUND") throw error;
      $("reset").hidden = true;
      throw new RosterError(DEAD_LINK, error.code);
    }
    // The page keeps no session: the one the reset opened ends at once
    // (log in again with the new password).
    await Roster.gql(LOG_OUT, {}, session.accessToken).catch(() => {});
    Roster.showDone("Your password has been changed. Log in with it now.");
  });
})();
