// The log-in page, /login (where a TEMPORARY_PASSWORD email points): log
// in, and when the password is a one-time one, choose a new one.
"use strict";

(() => {
  const LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken user { mustChangePassword } } }";
  const CHANGE = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken } }";
  const ME = "{ me { memberships { status organization { name } } } }";
  const $ = Roster.el;
  // Held only until the password is changed.
  let pending = null;

  async function done(accessToken, message) {
    let orgs = [];
    try {
      const me = (await Roster.gql(ME, {}, accessToken)).me;
      orgs = me.memberships.filter((m) => m.status === "ACTIVE").map((m) => m.organization.name);
    } catch (_) {
      // The message below is true without the list.
    }
    Roster.showDone(message + (orgs.length ? " You are a member of " + orgs.join(", ") + "." : ""));
  }

  Roster.onSubmit($("log-in"), async () => {
    const password = $("password").value;
    const session = (await Roster.gql(LOG_IN, { e: $("email").value, p: password })).logIn;
    $("password").value = "";
    if (session.user.mustChangePassword) {
      pending = { password, accessToken: session.accessToken };
      $("log-in").hidden = true;
      $("change-password").hidden = false;
      $("new-password").focus();
      return;
    }
    await done(session.accessToken, "You are logged in.");
  });

  Roster.onSubmit($("change-password"), async () => {
    Roster.samePasswords("new-password", "confirm-password");
    const data = await Roster.gql(CHANGE, { c: pending.password, n: $("new-password").value }, pending.accessToken);
    pending = null;
    await done(data.changePassword.accessToken, "Your password is changed and you are logged in.");
  });
})();
