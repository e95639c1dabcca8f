// The verification page, /verify/{token} (where the verification email
// points): log in as the account the link was made for, then verify. The
// link verifies only for that account (docs/api/sessions.md), so the page
// always asks to log in, and keeps no session afterwards.
"use strict";

(() => {
  const LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }";
  const VERIFY = "mutation($t: String!) { verifyEmail(token: $t) { email emailVerified } }";
  const LOG_OUT = "mutation { logOut }";
  const $ = Roster.el;

  const raw = location.pathname.replace(/^\/verify\//, "");
  let token = raw;
  try {
    token = decodeURIComponent(raw);
  } catch (_) {
    // A malformed escape: the server will not know the token.
  }

  Roster.onSubmit($("log-in"), async () => {
    const session = (await Roster.gql(LOG_IN, { e: $("email").value, p: $("password").value })).logIn;
    $("password").value = "";
    try {
      const user = (await Roster.gql(VERIFY, { t: token }, session.accessToken)).verifyEmail;
      $("log-in").hidden = true;
      Roster.showDone(user.email + " is confirmed.");
    } finally {
      await Roster.gql(LOG_OUT, {}, session.accessToken).catch(() => {});
    }
  });
})();
